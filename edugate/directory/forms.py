"""Back-office forms for the directory. Choices are always limited to the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from edugate.directory.choosers import person_chooser_viewset, unit_chooser_viewset
from edugate.directory.models import (
    Domain,
    Membership,
    Person,
    RoleAssignment,
    Unit,
    UnitStatus,
)
from edugate.directory.permissions import people_in_scope
from edugate.directory.scope import Scope, scope_for


def scoped_chooser_widget(viewset: Any) -> type[Any]:
    """The viewset's chooser widget, showing a chosen object only if it is in the field's
    (scoped) queryset: a posted out-of-scope id must not come back with its name."""

    class ScopedChooser(viewset.widget_class):
        scoped_queryset: Any = None

        def get_instance(self, value: Any) -> Any:
            if value is None or self.scoped_queryset is None:
                return None
            pk = value.pk if isinstance(value, self.model_class) else value
            try:
                return self.scoped_queryset.filter(pk=pk).first()
            except (ValueError, TypeError):
                return None

    return ScopedChooser


class ScopedChooserField(forms.ModelChoiceField):
    """A model chosen through a scoped chooser; the widget shares the field's queryset."""

    widget_class: type[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", self.widget_class())
        super().__init__(*args, **kwargs)

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(queryset)  # type: ignore[misc]
        self.widget.scoped_queryset = self.queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]


class UnitChoiceField(ScopedChooserField):
    """A unit picked through the scoped, searchable unit chooser."""

    widget_class = scoped_chooser_widget(unit_chooser_viewset)


class PersonChoiceField(ScopedChooserField):
    """A person picked through the scoped, searchable person chooser."""

    widget_class = scoped_chooser_widget(person_chooser_viewset)


def units_that_may_hold_children(scope: Scope) -> Any:
    units = Unit.objects.active()
    if scope.everything:
        return units
    subtree_grants = Scope(grants=tuple(g for g in scope.grants if g.subtree))
    return units.filter(subtree_grants.units_q())


class ScopedForm(WagtailAdminModelForm):
    """A form that knows the scope of the user filling it in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope_for(self.for_user)


class UnitForm(ScopedForm):
    parent = UnitChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("Parent unit"),
        help_text=_("Leave empty only for the top of the tree."),
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "level", "status", "valid_from",
                  "valid_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = units_that_may_hold_children(self.scope)
        field: UnitChoiceField = self.fields["parent"]
        self.fields["status"].choices = [
            (UnitStatus.ACTIVE.value, UnitStatus.ACTIVE.label),
            (UnitStatus.DISSOLVED.value, UnitStatus.DISSOLVED.label),
        ]
        if self.instance.pk:
            if self.instance.status == UnitStatus.MERGED:
                self.fields["status"].disabled = True
            current = self.instance.parent_unit()
            self.initial["parent"] = current.pk if current else None
            field.queryset = parents.exclude(path__startswith=self.instance.path)
            if current is None or not self.scope.may_add_child(current):
                # The root of one's own scope cannot be moved out of it.
                field.queryset = (
                    Unit.objects.filter(pk=current.pk) if current else Unit.objects.none()
                )
                field.disabled = True
        else:
            field.queryset = parents
            if not self.scope.everything:
                field.required = True
            parent_id = self.initial.get("parent")
            if parent_id is None and len(self.scope.grants) == 1:
                self.initial["parent"] = parents.filter(path=self.scope.grants[0].path).first()


class DomainForm(ScopedForm):
    name = forms.CharField(label=_("domain name"), max_length=253,
                           help_text=_("For example thcs-kimdong.minhhai.edu.vn"))

    class Meta:
        model = Domain
        fields = ["name", "unit", "alias_of", "address_policy"]
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from edugate.mail.addressing import DEFAULT_POLICY, AddressPolicy

        super().__init__(*args, **kwargs)
        self.fields["address_policy"] = forms.ChoiceField(
            label=_("address policy"), required=False,
            choices=[("", _("Default: %(policy)s") % {"policy": DEFAULT_POLICY.label}),
                     *AddressPolicy.choices()],
            help_text=_("How new staff addresses on this domain are built from names."),
        )
        self.fields["unit"].queryset = Unit.objects.filter(self.scope.units_q())
        self.fields["alias_of"].queryset = Domain.objects.filter(
            self.scope.units_q("unit__"), alias_of__isnull=True
        ).exclude(pk=self.instance.pk)
        if self.instance.pk:
            self.initial["name"] = self.instance.display_name


class PersonForm(ScopedForm):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Workplace"),
                           help_text=_("The unit the person works at."))

    class Meta:
        model = Person
        fields = ["full_name", "family_name", "given_name", "date_of_birth", "gender",
                  "position", "phone", "personal_email", "status"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["family_name"].help_text = _("Filled from the full name when left empty.")
        self.fields["given_name"].help_text = _("Filled from the full name when left empty.")
        if self.instance.pk:
            del self.fields["unit"]
        else:
            field: UnitChoiceField = self.fields["unit"]
            field.queryset = Unit.objects.active().filter(self.scope.units_q())
            if len(self.scope.grants) == 1 and not self.scope.grants[0].subtree:
                field.initial = field.queryset.first()


class MembershipForm(ScopedForm):
    class Meta:
        model = Membership
        fields = ["person", "unit", "position", "is_primary", "start_date", "end_date"]
        field_classes = {"unit": UnitChoiceField, "person": PersonChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.active().filter(self.scope.units_q())
        self.fields["person"].queryset = people_in_scope(self.scope)
        if self.instance.pk:
            self.fields["person"].disabled = True
            self.fields["unit"].disabled = True


class RoleForm(ScopedForm):
    class Meta:
        model = RoleAssignment
        fields = ["person", "unit", "kind", "include_subtree"]
        field_classes = {"unit": UnitChoiceField, "person": PersonChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.active().filter(self.scope.units_q())
        self.fields["person"].queryset = people_in_scope(self.scope)
        if self.instance.pk:
            for name in ("person", "unit", "kind"):
                self.fields[name].disabled = True
