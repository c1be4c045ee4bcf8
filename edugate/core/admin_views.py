"""Back-office views that never show or change anything outside the user's scope.

Wagtail's generic model views check model-level permissions only. These subclasses route
every listing through the viewset's permission policy and every object view through an
instance check (a 404, never a hint that the object exists), and they save through the
domain actions instead of ``form.save()`` so that each change is permission-checked and
audited in one place.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet


def add_validation_error(form: BaseForm, error: ValidationError) -> None:
    """Show an action's ``ValidationError`` next to the fields it names, or on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ViewsetBound:
    """Views built by a :class:`ScopedModelViewSet` know it (for its action hooks)."""

    viewset: Any = None


class ScopedObjectMixin(ViewsetBound):
    """Loads the object only if the policy lets the user act on it; otherwise 404."""

    object_actions: tuple[str, ...] = ("view", "change")
    permission_policy: Any
    request: Any

    def get_object(self, *args: Any, **kwargs: Any) -> Any:
        obj = super().get_object(*args, **kwargs)  # type: ignore[misc]
        if not self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, self.object_actions, obj
        ):
            raise Http404
        return obj


class ActionFormMixin(ViewsetBound):
    """Saves through the viewset's action hooks and shows their validation errors."""

    form: Any
    object: Any
    request: Any

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except ValidationError as error:
            add_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        # The form was valid but the action refused it: show it again, with the banner
        # Wagtail shows for an invalid form.
        self.produced_error_code = "validation_error"
        self.produced_error_message = self.get_error_message()  # type: ignore[attr-defined]
        return self.form_invalid(form)  # type: ignore[attr-defined]


class ScopedIndexView(ViewsetBound, generic.IndexView):
    def get_base_queryset(self) -> models.QuerySet[Any]:
        queryset = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["view", "change"]
        )
        return self.viewset.decorate_queryset(queryset, self.request)


class ScopedCreateView(ActionFormMixin, generic.CreateView):
    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_initial()
        initial.update(self.viewset.initial_from_request(self.request))
        return initial

    def save_instance(self) -> Any:
        return self.viewset.create_instance(self.form, self.request.user)


class ScopedEditView(ActionFormMixin, ScopedObjectMixin, generic.EditView):
    object_actions = ("change",)

    def save_instance(self) -> Any:
        self.has_content_changes = self.form.has_changed()
        return self.viewset.update_instance(self.object, self.form, self.request.user)


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    object_actions = ("delete",)

    def delete_action(self) -> None:
        self.viewset.delete_instance(self.object, self.request.user)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except ValidationError as error:
            from django.contrib import messages

            messages.error(self.request, " ".join(error.messages))
            return self.get(self.request)


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    """Model fields, plus extra rows the viewset computes within the user's scope."""

    object_actions = ("view",)

    def get_fields(self) -> list[str]:
        fields: list[str] = super().get_fields()
        return [*fields, *self.viewset.inspect_extras]

    def get_field_label(self, field_name: str, field: Any) -> str:
        if field_name in self.viewset.inspect_extras:
            return str(self.viewset.inspect_extras[field_name])
        return str(super().get_field_label(field_name, field))

    def get_field_display_value(self, field_name: str, field: Any) -> Any:
        if field_name in self.viewset.inspect_extras:
            return self.viewset.inspect_extra(field_name, self.object, self.request) or "—"
        return super().get_field_display_value(field_name, field)


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    """An object's history, read from edugate's audit log (who, when, from where, what)."""

    object_actions = ("view",)
    any_permission_required = ["view", "change"]
    filterset_class = None

    @cached_property
    def columns(self) -> list[Any]:
        return [
            DateColumn("at", label=_("time"), width="15%"),
            Column("actor_label", label=_("actor"), width="20%"),
            Column("ip", label=_("IP address"), width="12%"),
            Column("action_label", label=_("action"), width="13%"),
            Column("summary", label=_("changes"), accessor=lambda event: event.summary()),
        ]

    def get_base_queryset(self) -> Any:
        from edugate.audit.models import AuditEvent
        from edugate.directory.scope import scope_for

        scope = scope_for(self.request.user)
        events = AuditEvent.objects.filter(
            object_type=self.object._meta.model_name, object_id=str(self.object.pk)
        )
        if not scope.everything:
            # What another school recorded about a shared object stays theirs.
            events = events.filter(scope.units_q("unit__"), unit__isnull=False)
        return events.order_by("-at", "-id")


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    object_actions = ("view",)


class ScopedModelViewSet(ModelViewSet):
    """A model viewset whose views all obey the scoped policy and save through actions."""

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    inspect_view_enabled = True
    policy: Any = None

    @property
    def permission_policy(self) -> Any:
        return self.policy

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_common_view_kwargs(viewset=self, **kwargs)

    #: extra rows of the inspect page: name → label, values from :meth:`inspect_extra`
    inspect_extras: dict[str, Any] = {}

    def inspect_extra(self, name: str, instance: Any, request: Any) -> str:
        return ""

    def initial_from_request(self, request: Any) -> dict[str, Any]:
        """Prefill the add form from ``?field=pk`` links (e.g. "add a sub-unit here")."""
        return {}

    def decorate_queryset(
        self, queryset: models.QuerySet[Any], request: Any
    ) -> models.QuerySet[Any]:
        """Narrow or annotate the scoped listing (e.g. by a ``?unit=`` parameter)."""
        return queryset

    # The three writes; each viewset calls its app's actions.
    def create_instance(self, form: Any, user: Any) -> Any:
        raise PermissionDenied

    def update_instance(self, instance: Any, form: Any, user: Any) -> Any:
        raise PermissionDenied

    def delete_instance(self, instance: Any, user: Any) -> None:
        raise PermissionDenied
