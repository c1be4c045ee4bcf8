"""Back-office screens of the directory: units, people, workplaces, roles and domains.

Every screen is a scoped viewset (see :mod:`edugate.core.admin_views`): listings, exports,
forms and object pages only ever reach the user's part of the tree, and every save goes
through :mod:`edugate.directory.actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup

from edugate.core.admin_views import ScopedIndexView, ScopedModelViewSet
from edugate.directory import actions
from edugate.directory.forms import DomainForm, MembershipForm, PersonForm, RoleForm, UnitForm
from edugate.directory.models import Domain, Membership, Person, RoleAssignment, Unit, UnitStatus
from edugate.directory.permissions import (
    domain_policy,
    membership_policy,
    person_policy,
    role_policy,
    unit_policy,
)
from edugate.directory.scope import scope_for


@dataclass(frozen=True)
class Link:
    url: str
    text: str


class LinkColumn(Column):
    """A cell holding a link computed from the row (``accessor`` returns a ``Link``)."""

    cell_template_name = "directory/tables/link_cell.html"


def in_scope_param(request: Any, name: str, model: type[Any], policy: Any = None) -> Any:
    """The object named by a ``?name=pk`` parameter, if the user may see it (through
    ``policy``, by default the directory's policy of ``model``)."""
    value = request.GET.get(name)
    if not value or not (value.isascii() and value.isdigit()):
        return None
    policy = policy or {Unit: unit_policy, Person: person_policy}[model]
    return policy.instances_user_has_any_permission_for(request.user, ["view"]).filter(
        pk=value
    ).first()


class DirectoryViewSet(ScopedModelViewSet):
    #: add-form fields that ``?name=pk`` links may prefill, with the model they name
    initial_params: dict[str, type[Any]] = {}

    def initial_from_request(self, request: Any) -> dict[str, Any]:
        initial = {}
        for name, model in self.initial_params.items():
            obj = in_scope_param(request, name, model)
            if obj is not None:
                initial[name] = obj
        return initial


# --- Units ----------------------------------------------------------------------------------

class UnitIndexView(ScopedIndexView):
    """Browse the tree one level at a time (``?parent=``), or search the whole scope."""

    @property
    def parent_unit(self) -> Unit | None:
        if not hasattr(self, "_parent_unit"):
            self._parent_unit = in_scope_param(self.request, "parent", Unit)
        return self._parent_unit

    def get_page_subtitle(self) -> str:
        return self.parent_unit.name if self.parent_unit else ""

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = super().get_breadcrumbs_items()
        parent = self.parent_unit
        if parent is None:
            return items
        scope = scope_for(self.request.user)
        index_url = reverse(self.index_url_name)
        trail = [u for u in parent.ancestors() if scope.contains(u)]
        return [
            *items[:-1],
            {"url": index_url, "label": gettext("Units")},
            *({"url": f"{index_url}?parent={u.pk}", "label": u.short_name or u.name}
              for u in trail),
            {"url": "", "label": parent.short_name or parent.name},
        ]

    def get_add_url(self) -> str | None:
        url: str | None = super().get_add_url()
        if url and self.parent_unit is not None:
            return f"{url}?parent={self.parent_unit.pk}"
        return url


class UnitViewSet(DirectoryViewSet):
    model = Unit
    policy = unit_policy
    icon = "folder-open-inverse"
    menu_label = _("Units")
    menu_order = 100
    add_to_admin_menu = False
    index_view_class = UnitIndexView
    initial_params = {"parent": Unit}
    search_fields = ["search_name"]
    list_filter = ["kind", "level", "status"]
    list_export = ["uid", "code", "name", "short_name", "kind", "level", "status", "valid_from",
                   "valid_to"]
    export_filename = "don-vi"
    inspect_view_fields = ["uid", "code", "name", "short_name", "kind", "level", "status",
                           "valid_from", "valid_to", "successor"]
    inspect_extras = {"place": _("Place in the tree"), "domains": _("Domains"),
                      "predecessors": _("Merged into this unit")}

    def inspect_extra(self, name: str, instance: Unit, request: Any) -> str:
        if name == "place":
            scope = scope_for(request.user)
            return " / ".join(u.name for u in [*instance.ancestors(), instance]
                              if scope.contains(u))
        if name == "domains":
            return ", ".join(d.display_name for d in instance.domains.all())
        return ", ".join(f"{u.name} ({u.valid_to:%d/%m/%Y})" if u.valid_to else u.name
                         for u in instance.predecessors.all())
    edit_handler = ObjectList(
        [
            FieldPanel("parent"),
            FieldRowPanel([FieldPanel("code"), FieldPanel("short_name")]),
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("level")]),
            FieldRowPanel([FieldPanel("status"), FieldPanel("valid_from"), FieldPanel("valid_to")]),
        ],
        base_form_class=UnitForm,
    )

    @property
    def list_display(self) -> list[Any]:
        return [
            TitleColumn("name", label=_("full name"), url_name=self.get_url_name("edit")),
            Column("code", label=_("official code")),
            Column("display_kind", label=_("kind")),
            Column("get_status_display", label=_("status")),
            LinkColumn("children_link", label=_("Sub-units"), accessor=self._children_link),
            LinkColumn("people_link", label=_("Staff"), accessor=self._people_link),
        ]

    def _children_link(self, unit: Unit) -> Link | None:
        if not unit.numchild:
            return None
        return Link(f"{reverse(self.get_url_name('index'))}?parent={unit.pk}",
                    ngettext("%(count)s sub-unit", "%(count)s sub-units", unit.numchild)
                    % {"count": unit.numchild})

    def _people_link(self, unit: Unit) -> Link:
        count = getattr(unit, "staff_count", 0)
        return Link(f"{reverse(person_viewset.get_url_name('index'))}?unit={unit.pk}",
                    ngettext("%(count)s person", "%(count)s people", count) % {"count": count})

    def decorate_queryset(self, queryset: QuerySet[Any], request: Any) -> QuerySet[Any]:
        queryset = queryset.annotate(staff_count=Count("memberships"))
        if request.GET.get("q") or any(request.GET.get(f) for f in ("kind", "level", "status")):
            return queryset
        parent = in_scope_param(request, "parent", Unit)
        if parent is not None:
            return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)
        scope = scope_for(request.user)
        if scope.everything:
            return queryset.filter(depth=1)
        return queryset.filter(path__in=scope.roots)

    def create_instance(self, form: Any, user: Any) -> Unit:
        data = form.cleaned_data
        return actions.create_unit(
            actor=user, parent=data.get("parent"), code=data["code"], name=data["name"],
            short_name=data.get("short_name", ""), kind=data["kind"], level=data.get("level", ""),
            status=UnitStatus.ACTIVE, valid_from=data.get("valid_from"),
            valid_to=data.get("valid_to"),
        )

    def update_instance(self, instance: Unit, form: Any, user: Any) -> Unit:
        data = form.cleaned_data
        parent = data.get("parent")
        current_parent = instance.parent_unit()
        unit = Unit.objects.get(pk=instance.pk)
        if parent is not None and (current_parent is None or parent.pk != current_parent.pk):
            unit = actions.move_unit(actor=user, unit=unit, new_parent=parent)
        fields = {name: data[name] for name in ("code", "name", "short_name", "kind", "level",
                                                "valid_from", "valid_to")}
        unit = actions.update_unit(actor=user, unit=unit, **fields)
        if data.get("status") == UnitStatus.DISSOLVED and unit.status == UnitStatus.ACTIVE:
            unit = actions.dissolve_unit(
                actor=user, unit=unit, on=data.get("valid_to") or timezone.localdate()
            )
        elif data.get("status") == UnitStatus.ACTIVE and unit.status == UnitStatus.DISSOLVED:
            unit = actions.update_unit(actor=user, unit=unit, status=UnitStatus.ACTIVE,
                                       valid_to=None)
        return unit


# --- People ---------------------------------------------------------------------------------

class PersonIndexView(ScopedIndexView):
    def get_page_subtitle(self) -> str:
        unit = in_scope_param(self.request, "unit", Unit)
        return unit.name if unit else ""

    def get_add_url(self) -> str | None:
        url: str | None = super().get_add_url()
        unit = in_scope_param(self.request, "unit", Unit)
        if url and unit is not None:
            return f"{url}?unit={unit.pk}"
        return url


class PersonViewSet(DirectoryViewSet):
    model = Person
    policy = person_policy
    icon = "user"
    menu_label = _("People")
    menu_order = 200
    index_view_class = PersonIndexView
    initial_params = {"unit": Unit}
    search_fields = ["search_name"]
    list_filter = ["status", "gender"]
    list_export = ["full_name", "family_name", "middle_name", "given_name", "date_of_birth",
                   "gender", "position", "phone", "personal_email", "status"]
    export_filename = "nhan-su"
    inspect_view_fields = ["full_name", "family_name", "middle_name", "given_name",
                           "date_of_birth", "gender", "position", "phone", "personal_email",
                           "status"]
    inspect_extras = {"workplaces": _("Workplaces"), "roles": _("Roles")}

    def inspect_extra(self, name: str, instance: Person, request: Any) -> str:
        scope = scope_for(request.user)
        if name == "workplaces":
            places = instance.memberships.filter(scope.units_q("unit__")).select_related("unit")
            return "; ".join(f"{m.unit.name}" + (f" ({m.position})" if m.position else "")
                             for m in places.order_by("-is_primary", "id"))
        roles = instance.roles.filter(scope.units_q("unit__")).select_related("unit")
        return "; ".join(f"{r.get_kind_display()} – {r.unit.name}" for r in roles)
    edit_handler = ObjectList(
        [
            FieldPanel("unit"),
            FieldPanel("full_name"),
            FieldRowPanel([FieldPanel("family_name"), FieldPanel("given_name")]),
            FieldRowPanel([FieldPanel("date_of_birth"), FieldPanel("gender")]),
            FieldPanel("position"),
            FieldRowPanel([FieldPanel("phone"), FieldPanel("personal_email")]),
            FieldPanel("status"),
        ],
        base_form_class=PersonForm,
    )

    @property
    def list_display(self) -> list[Any]:
        return [
            TitleColumn("full_name", label=_("full name"), url_name=self.get_url_name("edit")),
            Column("position", label=_("position")),
            Column("workplace", label=_("Workplace"), accessor=self._workplace),
            Column("phone", label=_("phone")),
            Column("get_status_display", label=_("status")),
            LinkColumn("memberships_link", label=_("Workplaces"), accessor=self._memberships_link),
        ]

    @staticmethod
    def _workplace(person: Person) -> str:
        memberships = getattr(person, "visible_memberships", [])
        return memberships[0].unit.name if memberships else ""

    def _memberships_link(self, person: Person) -> Link:
        return Link(f"{reverse(membership_viewset.get_url_name('index'))}?person={person.pk}",
                    gettext("Workplaces and roles"))

    def decorate_queryset(self, queryset: QuerySet[Any], request: Any) -> QuerySet[Any]:
        unit = in_scope_param(request, "unit", Unit)
        if unit is not None:
            # The unit is in scope, so its staff are: one indexed join replaces the scope test.
            queryset = Person.objects.filter(memberships__unit=unit)
        # Workplaces of the listed page only, and only those the user may see (one query).
        visible = (Membership.objects.filter(scope_for(request.user).units_q("unit__"))
                   .select_related("unit").order_by("-is_primary", "id"))
        return queryset.prefetch_related(
            Prefetch("memberships", queryset=visible, to_attr="visible_memberships")
        )

    def create_instance(self, form: Any, user: Any) -> Person:
        data = dict(form.cleaned_data)
        unit = data.pop("unit")
        return actions.create_person(actor=user, unit=unit, **data)

    def update_instance(self, instance: Person, form: Any, user: Any) -> Person:
        return actions.update_person(actor=user, person=instance, **form.cleaned_data)

    def delete_instance(self, instance: Person, user: Any) -> None:
        actions.delete_person(actor=user, person=instance)


# --- Memberships ----------------------------------------------------------------------------

class PersonFilteredIndexView(ScopedIndexView):
    def get_page_subtitle(self) -> str:
        person = in_scope_param(self.request, "person", Person)
        return person.full_name if person else ""

    def get_add_url(self) -> str | None:
        url: str | None = super().get_add_url()
        person = in_scope_param(self.request, "person", Person)
        if url and person is not None:
            return f"{url}?person={person.pk}"
        return url


class PersonFilteredViewSet(DirectoryViewSet):
    index_view_class = PersonFilteredIndexView
    initial_params = {"person": Person}

    def decorate_queryset(self, queryset: QuerySet[Any], request: Any) -> QuerySet[Any]:
        person = in_scope_param(request, "person", Person)
        return queryset.filter(person=person) if person is not None else queryset


class MembershipViewSet(PersonFilteredViewSet):
    model = Membership
    policy = membership_policy
    icon = "group"
    menu_label = _("Workplaces")
    menu_order = 300
    list_filter = ["is_primary"]
    edit_handler = ObjectList(
        [
            FieldPanel("person"),
            FieldPanel("unit"),
            FieldPanel("position"),
            FieldPanel("is_primary"),
            FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        ],
        base_form_class=MembershipForm,
    )

    @property
    def list_display(self) -> list[Any]:
        return [
            TitleColumn("person", label=_("person"), url_name=self.get_url_name("edit")),
            Column("unit", label=_("unit")),
            Column("position", label=_("position")),
            BooleanColumn("is_primary", label=_("main workplace")),
        ]

    def create_instance(self, form: Any, user: Any) -> Membership:
        data = form.cleaned_data
        membership = actions.add_membership(
            actor=user, person=data["person"], unit=data["unit"], position=data["position"],
            is_primary=data["is_primary"],
        )
        if data.get("start_date") or data.get("end_date"):
            membership = actions.update_membership(
                actor=user, membership=membership, position=membership.position,
                is_primary=membership.is_primary, start_date=data.get("start_date"),
                end_date=data.get("end_date"),
            )
        return membership

    def update_instance(self, instance: Membership, form: Any, user: Any) -> Membership:
        data = form.cleaned_data
        return actions.update_membership(
            actor=user, membership=Membership.objects.get(pk=instance.pk),
            position=data["position"], is_primary=data["is_primary"],
            start_date=data.get("start_date"), end_date=data.get("end_date"),
        )

    def delete_instance(self, instance: Membership, user: Any) -> None:
        actions.remove_membership(actor=user, membership=instance)


# --- Roles ----------------------------------------------------------------------------------

class RoleViewSet(PersonFilteredViewSet):
    model = RoleAssignment
    policy = role_policy
    icon = "key"
    menu_label = _("Roles")
    menu_order = 400
    list_filter = ["kind", "include_subtree"]
    edit_handler = ObjectList(
        [FieldPanel("person"), FieldPanel("unit"), FieldPanel("kind"),
         FieldPanel("include_subtree")],
        base_form_class=RoleForm,
    )

    @property
    def list_display(self) -> list[Any]:
        return [
            TitleColumn("person", label=_("person"), url_name=self.get_url_name("edit")),
            Column("get_kind_display", label=_("role")),
            Column("unit", label=_("unit")),
            BooleanColumn("include_subtree", label=_("whole subtree")),
        ]

    def create_instance(self, form: Any, user: Any) -> RoleAssignment:
        data = form.cleaned_data
        return actions.grant_role(
            actor=user, person=data["person"], unit=data["unit"], kind=data["kind"],
            include_subtree=data["include_subtree"],
        )

    def update_instance(self, instance: RoleAssignment, form: Any, user: Any) -> RoleAssignment:
        return actions.grant_role(
            actor=user, person=instance.person, unit=instance.unit, kind=instance.kind,
            include_subtree=form.cleaned_data["include_subtree"],
        )

    def delete_instance(self, instance: RoleAssignment, user: Any) -> None:
        actions.revoke_role(actor=user, role=instance)


# --- Domains --------------------------------------------------------------------------------

class DomainViewSet(DirectoryViewSet):
    model = Domain
    policy = domain_policy
    icon = "globe"
    menu_label = _("Domains")
    menu_order = 500
    search_fields = ["name"]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("unit"), FieldPanel("alias_of"),
         FieldPanel("address_policy")],
        base_form_class=DomainForm,
    )

    @property
    def list_display(self) -> list[Any]:
        return [
            TitleColumn("display_name", label=_("domain name"),
                        url_name=self.get_url_name("edit")),
            Column("unit", label=_("unit")),
            Column("alias_of", label=_("alias of")),
        ]

    def create_instance(self, form: Any, user: Any) -> Domain:
        data = form.cleaned_data
        return actions.add_domain(actor=user, unit=data["unit"], name=data["name"],
                                  alias_of=data.get("alias_of"),
                                  address_policy=data.get("address_policy", ""))

    def update_instance(self, instance: Domain, form: Any, user: Any) -> Domain:
        data = form.cleaned_data
        return actions.update_domain(actor=user, domain=instance, unit=data["unit"],
                                     name=data["name"], alias_of=data.get("alias_of"),
                                     address_policy=data.get("address_policy", ""))

    def delete_instance(self, instance: Domain, user: Any) -> None:
        actions.delete_domain(actor=user, domain=instance)


unit_viewset = UnitViewSet("units")
person_viewset = PersonViewSet("people")
membership_viewset = MembershipViewSet("memberships")
role_viewset = RoleViewSet("roles")
domain_viewset = DomainViewSet("domains")


class DirectoryViewSetGroup(ModelViewSetGroup):
    menu_label = _("Directory")
    menu_icon = "folder-open-inverse"
    menu_order = 150
    items = (unit_viewset, person_viewset, membership_viewset, role_viewset, domain_viewset)
