"""Readable names for audit action codes (the codes themselves stay stable in the database)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "unit.create": _("Unit created"),
    "unit.update": _("Unit changed"),
    "unit.move": _("Unit moved"),
    "unit.merge": _("Unit merged"),
    "domain.create": _("Domain added"),
    "domain.update": _("Domain changed"),
    "domain.delete": _("Domain removed"),
    "person.create": _("Person added"),
    "person.update": _("Person changed"),
    "person.delete": _("Person deleted"),
    "membership.create": _("Workplace added"),
    "membership.update": _("Workplace changed"),
    "membership.delete": _("Workplace removed"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "demo.load": _("Demo province loaded"),
    "mailbox.create": _("Mailbox created"),
    "mailbox.update": _("Mailbox changed"),
    "mailbox.code": _("Activation code issued"),
    "mailbox.activate": _("Mailbox activated"),
    "mailbox.password": _("Password changed"),
    "mailbox.suspend": _("Mailbox suspended"),
    "mailbox.reactivate": _("Mailbox reactivated"),
    "mailbox.close": _("Mailbox closed"),
    "mailbox.handover": _("Mailbox handed over"),
    "mailbox.vacate": _("Position mailbox vacated"),
    "mailbox.schedule_close": _("Mailbox closing scheduled"),
    "mailbox.autoreply": _("Automatic reply changed"),
    "mailbox.forward": _("Forwarding changed"),
    "alias.create": _("Alias added"),
    "alias.delete": _("Alias removed"),
    "delegate.create": _("Delegate added"),
    "delegate.delete": _("Delegate removed"),
    "maildefaults.update": _("Mailbox defaults changed"),
    "maildefaults.delete": _("Mailbox defaults removed"),
    "staff_import.start": _("Staff import started"),
    "staff_import.done": _("Staff import finished"),
    "staff_import.failed": _("Staff import failed"),
    "staff_import.report": _("Staff import report downloaded"),
    "staff_import.download": _("Staff list downloaded"),
    "dkim.create": _("DKIM key created"),
    "dkim.rotate": _("DKIM key rotated"),
    "dkim.remove": _("DKIM key removed"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
