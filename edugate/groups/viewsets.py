"""The back-office menu "Email groups": the groups (scoped like every list, saved through the
actions), held messages, and the registrations a user's units must make.

A group's own screens (rules and members, preview, registrations, archive) hang off the group
viewset's URLs; see :mod:`edugate.groups.views`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.widgets.button import Button

from edugate.core.admin_views import ScopedEditView, ScopedIndexView, ScopedModelViewSet
from edugate.core.text import fold
from edugate.directory.scope import scope_for
from edugate.groups import actions, admin_actions, membership, views
from edugate.groups.forms import GroupForm
from edugate.groups.models import EmailGroup


def group_buttons(viewset: Any, group: EmailGroup) -> list[Any]:
    buttons = [
        Button(_("Rules and members"), url=reverse(viewset.get_url_name("members"),
                                                    args=[group.pk]), icon_name="list-ul",
               priority=40),
        Button(_("Preview members"), url=reverse(viewset.get_url_name("preview"),
                                                  args=[group.pk]), icon_name="view",
               priority=41),
        Button(_("Registrations"), url=reverse(viewset.get_url_name("registrations"),
                                                args=[group.pk]), icon_name="form",
               priority=42),
    ]
    if group.archive_enabled:
        buttons.append(Button(_("Archive"), url=reverse(viewset.get_url_name("archive"),
                                                         args=[group.pk]),
                              icon_name="folder-inverse", priority=43))
    return buttons


class GroupIndexView(ScopedIndexView):
    def search_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Name and address compared without diacritics ("tat ca hieu truong" finds
        "Tất cả hiệu trưởng"), in Python: a scope holds few groups."""
        if not self.is_searching:
            return queryset
        words = fold(str(self.search_query)).split()
        rows = queryset.values_list("pk", "name", "address", "description")
        found = [pk for pk, *texts in rows
                 if all(word in fold(" ".join(texts)) for word in words)]
        return queryset.filter(pk__in=found)

    def get_list_more_buttons(self, instance: EmailGroup) -> list[Any]:
        return [*super().get_list_more_buttons(instance),
                *group_buttons(self.viewset, instance)]


class GroupEditView(ScopedEditView):
    @cached_property
    def header_more_buttons(self) -> list[Any]:
        return [*super().header_more_buttons, *group_buttons(self.viewset, self.object)]


class GroupViewSet(ScopedModelViewSet):
    model = EmailGroup
    policy = views.group_policy
    icon = "group"
    menu_label = _("Groups")
    menu_order = 100
    index_view_class = GroupIndexView
    edit_view_class = GroupEditView
    search_fields = ["name", "address"]
    list_filter = ["posting_policy", "is_active", "archive_enabled"]
    list_export = ["address", "name", "owner_unit", "posting_policy", "is_active"]
    export_filename = "nhom-thu"
    inspect_view_fields = ["address", "name", "description", "owner_unit", "posting_policy",
                           "posting_unit", "posting_group", "allowed_senders", "others_action",
                           "allow_external_members", "archive_enabled", "hold_days",
                           "is_active", "created_at"]
    inspect_extras = {"member_count": _("members")}
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("local_part"), FieldPanel("domain")],
                          heading=_("Address")),
            FieldPanel("name"),
            FieldPanel("description"),
            FieldPanel("owner_unit"),
            MultiFieldPanel([
                FieldPanel("posting_policy"),
                FieldRowPanel([FieldPanel("posting_unit"), FieldPanel("posting_group")]),
                FieldPanel("allowed_senders"),
                FieldPanel("others_action"),
                FieldPanel("moderator_list"),
            ], heading=_("Who may post")),
            FieldPanel("allow_external_members"),
            FieldRowPanel([FieldPanel("archive_enabled"), FieldPanel("hold_days")]),
            FieldPanel("is_active"),
        ],
        base_form_class=GroupForm,
    )

    @property
    def list_display(self) -> list[Any]:
        return [
            TitleColumn("address", label=_("address"), url_name=self.get_url_name("edit")),
            Column("name", label=_("name")),
            Column("owner_unit", label=_("owner unit")),
            Column("get_posting_policy_display", label=_("who may post")),
            Column("member_count", label=_("members"),
                   accessor=lambda group: len(membership.resolve(group))),
        ]

    def inspect_extra(self, name: str, instance: EmailGroup, request: Any) -> str:
        return str(len(membership.resolve(instance))) if name == "member_count" else ""

    def create_instance(self, form: Any, user: Any) -> EmailGroup:
        data = form.cleaned_data
        with transaction.atomic():
            group = actions.create_group(
                actor=user, owner_unit=data["owner_unit"], domain=data["domain"],
                local_part=data["local_part"], name=data["name"],
                description=data["description"], posting_policy=data["posting_policy"],
                posting_unit=data.get("posting_unit"), posting_group=data.get("posting_group"),
                allowed_senders=data["allowed_senders"], others_action=data["others_action"],
                allow_external_members=data["allow_external_members"],
                archive_enabled=data["archive_enabled"], hold_days=data["hold_days"],
                is_active=data["is_active"])
            if data["moderators"]:
                admin_actions.set_moderators(actor=user, group=group,
                                             people=data["moderators"])
        return group

    def update_instance(self, instance: EmailGroup, form: Any, user: Any) -> EmailGroup:
        data = form.cleaned_data
        with transaction.atomic():
            group = admin_actions.update_group(
                actor=user, group=instance,
                **{name: data.get(name) for name in admin_actions.EDITABLE_FIELDS})
            admin_actions.set_moderators(actor=user, group=group, people=data["moderators"])
        return group

    def get_urlpatterns(self) -> list[Any]:
        return [
            *super().get_urlpatterns(),
            path("members/<int:pk>/", views.GroupMembersView.as_view(viewset=self),
                 name="members"),
            path("preview/<int:pk>/", views.GroupPreviewView.as_view(viewset=self),
                 name="preview"),
            path("registrations/<int:pk>/",
                 views.GroupRegistrationsView.as_view(viewset=self), name="registrations"),
            path("archive/<int:pk>/", views.ArchiveView.as_view(viewset=self), name="archive"),
            path("archive/message/<int:pk>/",
                 views.ArchivedMessageView.as_view(viewset=self), name="archive_message"),
        ]


group_viewset = GroupViewSet("groups")


class HeldMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        user = request.user
        return not scope_for(user).is_empty or bool(
            getattr(user, "person_id", None)
            and EmailGroup.objects.filter(moderators=user.person_id).exists())  # type: ignore[union-attr]


class HeldViewSet(ViewSet):
    icon = "warning"
    menu_label = _("Held messages")
    menu_order = 110
    add_to_admin_menu = True
    menu_item_class = HeldMenuItem

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", views.HeldIndexView.as_view(viewset=self), name="index"),
            path("<int:pk>/", views.HeldDetailView.as_view(viewset=self), name="detail"),
        ]


class ScopeMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return not scope_for(request.user).is_empty


class UnitRegistrationsViewSet(ViewSet):
    icon = "form"
    menu_label = _("Registrations of my units")
    menu_order = 120
    add_to_admin_menu = True
    menu_item_class = ScopeMenuItem

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", views.UnitSlotsView.as_view(viewset=self), name="index"),
            path("<int:slot>/<int:unit>/", views.RegisterView.as_view(viewset=self),
                 name="register"),
        ]


class ArchivesViewSet(ViewSet):
    """The archives a user may read (groups they manage or belong to)."""

    icon = "folder-inverse"
    menu_label = _("Archives")
    menu_order = 130
    add_to_admin_menu = True

    def get_urlpatterns(self) -> list[Any]:
        return [path("", views.ArchiveListView.as_view(viewset=self), name="index")]


held_viewset = HeldViewSet("group_held")
unit_registrations_viewset = UnitRegistrationsViewSet("group_registrations")
archives_viewset = ArchivesViewSet("group_archives")


class GroupsViewSetGroup(ViewSetGroup):
    menu_label = _("Email groups")
    menu_icon = "group"
    menu_order = 310
    items = (group_viewset, held_viewset, unit_registrations_viewset, archives_viewset)
