"""The audit log screen: read-only, filterable, limited to the administrator's scope."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.permission_policies.base import BasePermissionPolicy

from edugate.audit.models import AuditEvent
from edugate.core.admin_views import ScopedModelViewSet
from edugate.directory.scope import scope_for


class AuditPolicy(BasePermissionPolicy):
    """Administrators read the entries about units in their scope; nobody edits them."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action == "view" and not scope_for(user).is_empty

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def instances_user_has_any_permission_for(self, user: Any, actions: Any) -> QuerySet[Any]:
        if not self.user_has_any_permission(user, actions):
            return AuditEvent.objects.none()
        scope = scope_for(user)
        if scope.everything:
            return AuditEvent.objects.all()
        return AuditEvent.objects.filter(scope.units_q("unit__"), unit__isnull=False)

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        return (
            self.user_has_permission(user, action)
            and self.instances_user_has_any_permission_for(user, [action])
            .filter(pk=instance.pk).exists()
        )

    def user_has_any_permission_for_instance(self, user: Any, actions: Any, instance: Any) -> bool:
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)


class AuditFilterSet(WagtailFilterSet):
    at = django_filters.DateFromToRangeFilter(label=_("time"), widget=DateRangePickerWidget)
    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="icontains", label=_("actor")
    )
    action = django_filters.CharFilter(lookup_expr="startswith", label=_("action"))
    about = django_filters.CharFilter(method="filter_about", label=_("object"))

    class Meta:
        model = AuditEvent
        fields = ["at", "actor", "action", "object_type", "source"]

    def filter_about(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(object_repr__icontains=value) | Q(unit__name__icontains=value))


class AuditEventViewSet(ScopedModelViewSet):
    model = AuditEvent
    policy = AuditPolicy(AuditEvent)
    icon = "history"
    menu_label = _("Audit log")
    menu_order = 900
    add_to_admin_menu = True
    filterset_class = AuditFilterSet
    list_per_page = 50
    list_export = ["at", "actor_label", "source", "ip", "action", "object_type", "object_id",
                   "object_repr", "changes"]
    export_filename = "nhat-ky"
    inspect_view_fields = ["at", "actor_label", "source", "ip", "action", "object_type",
                           "object_id", "object_repr", "unit", "changes"]
    form_fields: list[str] = []

    @property
    def list_display(self) -> list[Any]:
        return [
            DateColumn("at", label=_("time")),
            Column("actor_label", label=_("actor")),
            Column("ip", label=_("IP address")),
            Column("action_label", label=_("action")),
            Column("summary", label=_("changes"), accessor=lambda event: event.summary()),
            TitleColumn("object_repr", label=_("object"), url_name=self.get_url_name("inspect")),
            Column("unit", label=_("unit")),
        ]


audit_viewset = AuditEventViewSet("audit")
