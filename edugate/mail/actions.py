"""Every change to mailboxes: permission-checked against the unit tree, one transaction each,
audited. Secrets never reach the audit log."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edugate.audit.actions import diff, record, snapshot
from edugate.directory.actions import actor_scope
from edugate.directory.models import Domain, Person, Unit
from edugate.mail import credentials
from edugate.mail.addressing import RESERVED_LOCAL_PARTS, is_valid_local_part
from edugate.mail.models import ActivationCode, Alias, Mailbox, MailboxKind, MailboxState

ACTIVATION_DAYS = 30
MAILBOX_FIELDS = ("address", "kind", "state", "unit", "person", "display_name", "quota_mb",
                  "forward_to", "close_on")


def _deny() -> PermissionDenied:
    return PermissionDenied(_("This is outside the units you administer."))


def _check_scope(actor: Any, unit: Unit) -> None:
    if not actor_scope(actor).contains(unit):
        raise _deny()


def address_taken(address: str) -> bool:
    return (Mailbox.objects.filter(address=address).exists()
            or Alias.objects.filter(address=address).exists())


def domains_for(unit: Unit) -> Any:
    """Primary domains a unit's mailboxes may use: its own and those of the units above it."""
    return Domain.objects.filter(
        alias_of__isnull=True, unit__path__in=[*unit.ancestor_paths(), unit.path]
    ).order_by("-unit__depth", "name")


def _check_address(local_part: str, domain: Domain, unit: Unit) -> str:
    local_part = local_part.strip().lower()
    if not is_valid_local_part(local_part):
        raise ValidationError({"local_part": _(
            "Use lower-case letters without diacritics, digits and single dots.")})
    if not domains_for(unit).filter(pk=domain.pk).exists():
        raise ValidationError({"domain": _("This domain does not belong to the unit.")})
    address = f"{local_part}@{domain.name}"
    if address_taken(address):
        raise ValidationError({"local_part": _("The address %(address)s is already in use.")
                               % {"address": address}})
    return address


@transaction.atomic
def create_mailbox(
    *, actor: Any, unit: Unit, domain: Domain, local_part: str, kind: str,
    person: Person | None = None, display_name: str = "", quota_mb: int | None = None,
) -> Mailbox:
    _check_scope(actor, unit)
    if kind == MailboxKind.PERSONAL and person is None:
        raise ValidationError({"person": _("A personal mailbox belongs to a person.")})
    if kind == MailboxKind.PERSONAL and local_part.strip().lower() in RESERVED_LOCAL_PARTS:
        raise ValidationError({"local_part": _(
            "%(name)s is kept for role and unit mailboxes.") % {"name": local_part}})
    address = _check_address(local_part, domain, unit)
    mailbox = Mailbox.objects.create(
        local_part=address.split("@")[0], domain=domain, address=address, kind=kind,
        unit=unit, person=person, quota_mb=quota_mb,
        display_name=display_name or (person.full_name if person else ""),
    )
    record(actor=actor, action="mailbox.create", obj=mailbox, unit=unit,
           changes={"after": snapshot(mailbox, MAILBOX_FIELDS)})
    return mailbox


@transaction.atomic
def issue_activation_code(
    *, actor: Any, mailbox: Mailbox, valid_days: int = ACTIVATION_DAYS
) -> str:
    """A new one-time code for ``mailbox`` (earlier open codes stop working). The plain code is
    returned once, to be printed on a slip; only its digest is stored."""
    _check_scope(actor, mailbox.unit)
    mailbox = (Mailbox.objects.select_for_update(of=("self",)).select_related("unit")
               .get(pk=mailbox.pk))
    if mailbox.state in (MailboxState.SUSPENDED, MailboxState.CLOSED):
        raise ValidationError(_("Reactivate the mailbox before issuing a code."))
    now = timezone.now()
    ActivationCode.objects.filter(mailbox=mailbox, used_at__isnull=True,
                                  revoked_at__isnull=True).update(revoked_at=now)
    code = credentials.new_activation_code()
    ActivationCode.objects.create(
        mailbox=mailbox, code_hash=credentials.code_digest(code),
        expires_at=now + datetime.timedelta(days=valid_days),
    )
    record(actor=actor, action="mailbox.code", obj=mailbox, unit=mailbox.unit,
           changes={"expires": (now + datetime.timedelta(days=valid_days)).date()})
    return code


def _holder_names(mailbox: Mailbox) -> list[str]:
    names = [mailbox.local_part.replace(".", " ")]
    if mailbox.person is not None:
        names += [mailbox.person.given_name, mailbox.person.family_name,
                  mailbox.person.full_name]
    return names


def _set_password(mailbox: Mailbox, password: str) -> None:
    problems = credentials.password_problems(password, names=_holder_names(mailbox))
    if problems:
        raise ValidationError({"password": problems})
    now = timezone.now()
    mailbox.password_hash = credentials.hash_password(password)
    mailbox.password_changed_at = now
    if mailbox.state == MailboxState.PENDING:
        mailbox.state = MailboxState.ACTIVE
        mailbox.activated_at = mailbox.state_changed_at = now
    mailbox.save()


@transaction.atomic
def activate_with_code(*, address: str, code: str, password: str) -> Mailbox:
    """The holder proves the code from their slip and chooses a password."""
    invalid = ValidationError({"code": _("This code is not valid for this address. Check both, "
                                         "or ask your administrator for a new slip.")})
    entry = (ActivationCode.objects.select_related("mailbox", "mailbox__person", "mailbox__unit")
             .select_for_update(of=("self",))
             .filter(code_hash=credentials.code_digest(code)).first())
    if entry is None or entry.mailbox.address != address.strip().lower():
        raise invalid
    if entry.used_at or entry.revoked_at or entry.expires_at <= timezone.now():
        raise ValidationError({"code": _("This code has expired or was already used. Ask your "
                                         "administrator for a new slip.")})
    mailbox = entry.mailbox
    if mailbox.state not in (MailboxState.PENDING, MailboxState.ACTIVE):
        raise ValidationError({"code": _("This mailbox is suspended or closed.")})
    _set_password(mailbox, password)
    entry.used_at = timezone.now()
    entry.save(update_fields=["used_at"])
    record(actor=None, action="mailbox.activate", obj=mailbox, unit=mailbox.unit,
           changes={"state": mailbox.state})
    return mailbox


@transaction.atomic
def set_password_by_operator(*, mailbox: Mailbox, password: str) -> Mailbox:
    """The server operator's way in scripted set-ups (``--password-stdin``): no actor but root."""
    mailbox = Mailbox.objects.select_for_update(of=("self",)).get(pk=mailbox.pk)
    if mailbox.state not in (MailboxState.PENDING, MailboxState.ACTIVE):
        raise ValidationError(_("This mailbox is suspended or closed."))
    _set_password(mailbox, password)
    record(actor=None, action="mailbox.activate", obj=mailbox, unit=mailbox.unit,
           changes={"state": mailbox.state, "by": "operator"})
    return mailbox


@transaction.atomic
def change_password(*, mailbox: Mailbox, current: str, new: str) -> Mailbox:
    mailbox = (Mailbox.objects.select_for_update(of=("self",)).select_related("person")
               .get(pk=mailbox.pk))
    if not credentials.verify_password(mailbox.password_hash, current):
        raise ValidationError({"current": _("Your current password is not correct.")})
    _set_password(mailbox, new)
    record(actor=None, action="mailbox.password", obj=mailbox, unit=mailbox.unit, changes={})
    return mailbox


def _change_state(actor: Any, mailbox: Mailbox, state: str | None, action: str,
                  **extra: Any) -> Mailbox:
    """Move ``mailbox`` to ``state`` (``None``: active if it has a password, else pending)."""
    _check_scope(actor, mailbox.unit)
    mailbox = Mailbox.objects.select_for_update(of=("self",)).get(pk=mailbox.pk)
    before = snapshot(mailbox, MAILBOX_FIELDS)
    if state is None:
        state = MailboxState.ACTIVE if mailbox.password_hash else MailboxState.PENDING
    mailbox.state = state
    mailbox.state_changed_at = timezone.now()
    for field, value in extra.items():
        setattr(mailbox, field, value)
    mailbox.save()
    record(actor=actor, action=action, obj=mailbox, unit=mailbox.unit,
           changes=diff(before, snapshot(mailbox, MAILBOX_FIELDS)))
    return mailbox


@transaction.atomic
def suspend_mailbox(*, actor: Any, mailbox: Mailbox) -> Mailbox:
    if Mailbox.objects.filter(pk=mailbox.pk, state=MailboxState.CLOSED).exists():
        raise ValidationError(_("A closed mailbox cannot be suspended."))
    return _change_state(actor, mailbox, MailboxState.SUSPENDED, "mailbox.suspend")


@transaction.atomic
def reactivate_mailbox(*, actor: Any, mailbox: Mailbox) -> Mailbox:
    return _change_state(actor, mailbox, None, "mailbox.reactivate", close_on=None)


@transaction.atomic
def close_mailbox(*, actor: Any, mailbox: Mailbox) -> Mailbox:
    """Closed mailboxes keep their mail and address (nothing is deleted); logins stop."""
    ActivationCode.objects.filter(mailbox=mailbox, used_at__isnull=True,
                                  revoked_at__isnull=True).update(revoked_at=timezone.now())
    return _change_state(actor, mailbox, MailboxState.CLOSED, "mailbox.close")


@transaction.atomic
def update_mailbox(
    *, actor: Any, mailbox: Mailbox, display_name: str, quota_mb: int | None, forward_to: str
) -> Mailbox:
    _check_scope(actor, mailbox.unit)
    mailbox = Mailbox.objects.select_for_update(of=("self",)).get(pk=mailbox.pk)
    before = snapshot(mailbox, MAILBOX_FIELDS)
    mailbox.display_name = display_name.strip()
    mailbox.quota_mb = quota_mb
    mailbox.forward_to = forward_to.strip().lower()
    mailbox.save()
    changed = diff(before, snapshot(mailbox, MAILBOX_FIELDS))
    if changed:
        record(actor=actor, action="mailbox.update", obj=mailbox, unit=mailbox.unit,
               changes=changed)
    return mailbox
