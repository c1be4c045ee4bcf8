"""Registers the audit log screen in the back office."""

from wagtail import hooks

from edugate.audit.viewsets import audit_viewset


@hooks.register("register_admin_viewset")
def register_audit_viewset() -> object:
    return audit_viewset
