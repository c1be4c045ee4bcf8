"""Registers the mailbox screen in the back office."""

from wagtail import hooks

from edugate.mail.viewsets import mailbox_viewset


@hooks.register("register_admin_viewset")
def register_mailbox_viewset() -> object:
    return mailbox_viewset
