"""Registers the "Email groups" menu: groups, held messages, the registrations of one's units
and the archives one may read."""

from wagtail import hooks

from edugate.groups.viewsets import GroupsViewSetGroup


@hooks.register("register_admin_viewset")
def register_group_viewsets() -> object:
    return GroupsViewSetGroup()
