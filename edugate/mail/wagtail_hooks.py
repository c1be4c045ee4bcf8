"""Registers the mail screens in the back office: one "Mail" menu for mailboxes, the staff
import, aliases, delegates, the units' mailbox defaults and the domains' DNS records."""

from wagtail import hooks

from edugate.mail.viewsets import MailViewSetGroup


@hooks.register("register_admin_viewset")
def register_mail_viewsets() -> object:
    return MailViewSetGroup()

