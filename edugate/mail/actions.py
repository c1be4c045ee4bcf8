"""Every change to mailboxes: permission-checked against the unit tree, one transaction each,
audited. Secrets never reach the audit log."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edugate.audit.actions import diff, record, record_changes, snapshot
from edugate.directory.actions import actor_scope
from edugate.directory.models import Domain, Person, PersonStatus, Unit
from edugate.directory.permissions import person_policy
from edugate.mail import credentials, sieve
from edugate.mail.addressing import RESERVED_LOCAL_PARTS, is_valid_local_part
from edugate.mail.models import (
    ActivationCode,
    Alias,
    Delegate,
    Mailbox,
    MailboxKind,
    MailboxState,
    MailDefaults,
)

ACTIVATION_DAYS = 30
MAILBOX_FIELDS = ("address", "kind", "state", "unit", "person", "display_name", "quota_mb",
                  "forward_to", "forward_keep_copy", "forward_until", "close_on")


def _deny() -> PermissionDenied:
    return PermissionDenied(_("This is outside the units you administer."))


def _check_scope(actor: Any, unit: Unit) -> None:
    if not actor_scope(actor).contains(unit):
        raise _deny()


def address_taken(address: str) -> bool:
    """Whether a mailbox, an alias or an email group already has ``address``."""
    from django.apps import apps

    groups = apps.get_model("groups", "EmailGroup") if apps.is_installed(
        "edugate.groups") else None
    return (Mailbox.objects.filter(address=address).exists()
            or Alias.objects.filter(address=address).exists()
            or (groups is not None and groups.objects.filter(address=address).exists()))


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


def _check_forward(mailbox: Mailbox, forward_to: str) -> str:
    forward_to = forward_to.strip().lower()
    own = {mailbox.address, *mailbox.aliases.values_list("address", flat=True)}
    if forward_to in own:
        raise ValidationError({"forward_to": _("A mailbox cannot forward to itself.")})
    return forward_to


@transaction.atomic
def update_mailbox(
    *, actor: Any, mailbox: Mailbox, display_name: str, quota_mb: int | None, forward_to: str,
    forward_keep_copy: bool = True, forward_until: datetime.date | None = None,
    close_on: datetime.date | None = None,
) -> Mailbox:
    """Change what an administrator may change; the close date only of a mailbox not closed."""
    _check_scope(actor, mailbox.unit)
    mailbox = Mailbox.objects.select_for_update(of=("self",)).get(pk=mailbox.pk)
    before = snapshot(mailbox, MAILBOX_FIELDS)
    mailbox.display_name = display_name.strip()
    mailbox.quota_mb = quota_mb
    mailbox.forward_to = _check_forward(mailbox, forward_to)
    mailbox.forward_keep_copy = forward_keep_copy
    mailbox.forward_until = forward_until if mailbox.forward_to else None
    if mailbox.state != MailboxState.CLOSED:
        if close_on is not None and close_on < timezone.localdate():
            raise ValidationError({"close_on": _("Choose today or a later day.")})
        mailbox.close_on = close_on
    mailbox.save()
    record_changes(actor=actor, action="mailbox.update", obj=mailbox, unit=mailbox.unit,
                   before=before, fields=MAILBOX_FIELDS)
    return mailbox


# --- Aliases and delegates -------------------------------------------------------------------

@transaction.atomic
def add_alias(*, actor: Any, mailbox: Mailbox, local_part: str, domain: Domain) -> Alias:
    """Another address delivered to ``mailbox`` (and usable as its sender address)."""
    _check_scope(actor, mailbox.unit)
    if mailbox.state == MailboxState.CLOSED:
        raise ValidationError({"mailbox": _("This mailbox is closed.")})
    if mailbox.kind == MailboxKind.PERSONAL and local_part.strip().lower() in RESERVED_LOCAL_PARTS:
        raise ValidationError({"local_part": _(
            "%(name)s is kept for role and unit mailboxes.") % {"name": local_part}})
    address = _check_address(local_part, domain, mailbox.unit)
    alias = Alias.objects.create(local_part=address.split("@")[0], domain=domain,
                                 address=address, mailbox=mailbox)
    record(actor=actor, action="alias.create", obj=alias, unit=mailbox.unit,
           changes={"address": address, "mailbox": mailbox.address})
    refresh_sieve(mailbox)
    return alias


@transaction.atomic
def remove_alias(*, actor: Any, alias: Alias) -> None:
    _check_scope(actor, alias.mailbox.unit)
    record(actor=actor, action="alias.delete", obj=alias, unit=alias.mailbox.unit,
           changes={"address": alias.address, "mailbox": alias.mailbox.address})
    alias.delete()
    refresh_sieve(alias.mailbox)


@transaction.atomic
def add_delegate(*, actor: Any, mailbox: Mailbox, person: Person) -> Delegate:
    """Let ``person`` read and send as the unit mailbox ``mailbox`` (e.g. a clerk, vanthu@)."""
    _check_scope(actor, mailbox.unit)
    if mailbox.kind != MailboxKind.UNIT:
        raise ValidationError({"mailbox": _("Only unit mailboxes have delegates.")})
    if actor is not None and not person_policy.user_has_permission_for_instance(
        actor, "view", person
    ):
        raise _deny()
    if person.status == PersonStatus.LEFT:
        raise ValidationError({"person": _("This person has left.")})
    if Delegate.objects.filter(mailbox=mailbox, person=person).exists():
        raise ValidationError({"person": _("This person is already a delegate.")})
    delegate = Delegate.objects.create(mailbox=mailbox, person=person)
    record(actor=actor, action="delegate.create", obj=delegate, unit=mailbox.unit,
           changes={"mailbox": mailbox.address, "person": person.full_name})
    return delegate


@transaction.atomic
def remove_delegate(*, actor: Any, delegate: Delegate) -> None:
    _check_scope(actor, delegate.mailbox.unit)
    record(actor=actor, action="delegate.delete", obj=delegate, unit=delegate.mailbox.unit,
           changes={"mailbox": delegate.mailbox.address, "person": delegate.person.full_name})
    delegate.delete()


# --- Holders coming and going ----------------------------------------------------------------

def _vacate(mailbox: Mailbox, person: Person | None) -> None:
    """The position's mail stays; the previous holder's password and open codes stop."""
    now = timezone.now()
    ActivationCode.objects.filter(mailbox=mailbox, used_at__isnull=True,
                                  revoked_at__isnull=True).update(revoked_at=now)
    mailbox.person = person
    mailbox.password_hash = ""
    mailbox.password_changed_at = None
    if mailbox.state == MailboxState.ACTIVE:
        mailbox.state = MailboxState.PENDING
        mailbox.state_changed_at = now
    if person is not None:
        mailbox.display_name = mailbox.display_name or person.full_name


@transaction.atomic
def hand_over(*, actor: Any, mailbox: Mailbox, person: Person) -> Mailbox:
    """Give a position mailbox (e.g. the principal's) to its new holder, with all its mail.

    The new holder activates it with a new code; the previous holder can no longer log in."""
    _check_scope(actor, mailbox.unit)
    mailbox = Mailbox.objects.select_for_update(of=("self",)).get(pk=mailbox.pk)
    if mailbox.kind != MailboxKind.POSITION:
        raise ValidationError({"person": _("Only position mailboxes are handed over.")})
    if mailbox.state == MailboxState.CLOSED:
        raise ValidationError({"person": _("This mailbox is closed.")})
    if actor is not None and not person_policy.user_has_permission_for_instance(
        actor, "view", person
    ):
        raise _deny()
    if person.status == PersonStatus.LEFT:
        raise ValidationError({"person": _("This person has left.")})
    if mailbox.person_id == person.pk:
        raise ValidationError({"person": _("This person already holds the mailbox.")})
    before = snapshot(mailbox, MAILBOX_FIELDS)
    _vacate(mailbox, person)
    mailbox.save()
    record(actor=actor, action="mailbox.handover", obj=mailbox, unit=mailbox.unit,
           changes=diff(before, snapshot(mailbox, MAILBOX_FIELDS)))
    return mailbox


def person_left(*, actor: Any, person: Person, on: datetime.date | None = None) -> None:
    """What a person's leaving does to mail (called when their status becomes "left").

    Personal mailboxes stay open for the unit's grace period, then close (mail kept). Position
    mailboxes they hold fall vacant, waiting for a handover. Their delegations end."""
    from edugate.mail.lifecycle import grace_days

    today = on or timezone.localdate()
    for mailbox in (Mailbox.objects.select_for_update(of=("self",)).select_related("unit")
                    .filter(person=person).exclude(state=MailboxState.CLOSED)):
        before = snapshot(mailbox, MAILBOX_FIELDS)
        if mailbox.kind == MailboxKind.POSITION:
            _vacate(mailbox, None)
            action = "mailbox.vacate"
        elif mailbox.close_on is None:
            mailbox.close_on = today + datetime.timedelta(days=grace_days(mailbox.unit))
            action = "mailbox.schedule_close"
        else:
            continue
        mailbox.save()
        record(actor=actor, action=action, obj=mailbox, unit=mailbox.unit,
               changes=diff(before, snapshot(mailbox, MAILBOX_FIELDS)))
    for delegate in Delegate.objects.select_related("mailbox__unit").filter(person=person):
        record(actor=actor, action="delegate.delete", obj=delegate, unit=delegate.mailbox.unit,
               changes={"mailbox": delegate.mailbox.address, "person": person.full_name})
        delegate.delete()


def person_returned(*, actor: Any, person: Person) -> None:
    """A leaver back before the grace period ended keeps their personal mailboxes open."""
    for mailbox in (Mailbox.objects.select_related("unit")
                    .filter(person=person, kind=MailboxKind.PERSONAL, close_on__isnull=False)
                    .exclude(state=MailboxState.CLOSED)):
        before = snapshot(mailbox, MAILBOX_FIELDS)
        mailbox.close_on = None
        mailbox.save(update_fields=["close_on"])
        record(actor=actor, action="mailbox.update", obj=mailbox, unit=mailbox.unit,
               changes=diff(before, snapshot(mailbox, MAILBOX_FIELDS)))


def close_due_mailboxes(*, today: datetime.date | None = None) -> list[Mailbox]:
    """Close every mailbox whose close date has come (the daily housekeeping; idempotent)."""
    today = today or timezone.localdate()
    closed = []
    due = (Mailbox.objects.filter(close_on__lte=today).exclude(state=MailboxState.CLOSED)
           .values_list("pk", flat=True))
    for pk in list(due):
        with transaction.atomic():
            mailbox = Mailbox.objects.select_related("unit").get(pk=pk)
            closed.append(close_mailbox(actor=None, mailbox=mailbox))
    return closed


# --- Unit defaults ---------------------------------------------------------------------------

DEFAULTS_FIELDS = ("unit", "personal_quota_mb", "position_quota_mb", "unit_quota_mb",
                   "leaver_grace_days")


@transaction.atomic
def set_mail_defaults(*, actor: Any, unit: Unit, **values: int | None) -> MailDefaults:
    """Set ``unit``'s mailbox defaults for its subtree (``None``: inherit from above)."""
    _check_scope(actor, unit)
    unknown = set(values) - set(DEFAULTS_FIELDS[1:])
    if unknown:
        raise TypeError(f"unknown mail defaults {sorted(unknown)}")
    defaults, created = MailDefaults.objects.select_for_update().get_or_create(unit=unit)
    before = {} if created else snapshot(defaults, DEFAULTS_FIELDS)
    for name, value in values.items():
        setattr(defaults, name, value)
    defaults.save()
    record_changes(actor=actor, action="maildefaults.update", obj=defaults, unit=unit,
                   before=before, fields=DEFAULTS_FIELDS)
    return defaults


@transaction.atomic
def clear_mail_defaults(*, actor: Any, defaults: MailDefaults) -> None:
    """The unit inherits every default from above again."""
    _check_scope(actor, defaults.unit)
    record(actor=actor, action="maildefaults.delete", obj=defaults, unit=defaults.unit,
           changes={"before": snapshot(defaults, DEFAULTS_FIELDS)})
    defaults.delete()


# --- Out-of-office and the holder's own settings ---------------------------------------------

VACATION_FIELDS = ("vacation_enabled", "vacation_subject", "vacation_message",
                   "vacation_start", "vacation_end")


def _check_actor_for(actor: Any, mailbox: Mailbox, *, by_holder: bool) -> None:
    """An administrator of the unit, or (``by_holder``) the user logged in as the mailbox."""
    if by_holder:
        if actor is None or getattr(actor, "email", None) != mailbox.address:
            raise _deny()
    else:
        _check_scope(actor, mailbox.unit)


def refresh_sieve(mailbox: Mailbox) -> None:
    """Render the mailbox's sieve script again from its settings (and its addresses)."""
    reply = None
    if mailbox.vacation_enabled:
        reply = sieve.AutoReply(subject=mailbox.vacation_subject,
                                message=mailbox.vacation_message,
                                start=mailbox.vacation_start, end=mailbox.vacation_end)
    addresses = [mailbox.address, *mailbox.aliases.values_list("address", flat=True)]
    script = sieve.render_script(reply, addresses=addresses)
    if script != mailbox.sieve_script:
        mailbox.sieve_script = script
        mailbox.sieve_id = sieve.script_id(mailbox.pk, script)
        Mailbox.objects.filter(pk=mailbox.pk).update(sieve_script=script,
                                                     sieve_id=mailbox.sieve_id)


@transaction.atomic
def set_auto_reply(
    *, actor: Any, mailbox: Mailbox, enabled: bool, subject: str = "", message: str = "",
    start: datetime.date | None = None, end: datetime.date | None = None,
    by_holder: bool = False,
) -> Mailbox:
    """Turn the out-of-office reply on (within optional dates) or off."""
    _check_actor_for(actor, mailbox, by_holder=by_holder)
    mailbox = Mailbox.objects.select_for_update(of=("self",)).get(pk=mailbox.pk)
    subject, message = subject.strip(), message.strip()
    if enabled:
        errors: dict[str, str] = {}
        if not message:
            errors["vacation_message"] = _("Write the message people will receive.")
        if start and end and end < start:
            errors["vacation_end"] = _("The last day comes before the first.")
        elif end and end < timezone.localdate():
            errors["vacation_end"] = _("This day has already passed.")
        if errors:
            raise ValidationError(errors)
    before = snapshot(mailbox, VACATION_FIELDS)
    mailbox.vacation_enabled = enabled
    mailbox.vacation_subject = subject or _("Automatic reply")
    mailbox.vacation_message, mailbox.vacation_start, mailbox.vacation_end = message, start, end
    mailbox.save(update_fields=list(VACATION_FIELDS))
    refresh_sieve(mailbox)
    record_changes(actor=actor, action="mailbox.autoreply", obj=mailbox, unit=mailbox.unit,
                   before=before, fields=VACATION_FIELDS)
    return mailbox


@transaction.atomic
def set_own_forwarding(
    *, actor: Any, mailbox: Mailbox, forward_to: str, keep_copy: bool = True,
    until: datetime.date | None = None,
) -> Mailbox:
    """The holder forwards their own mail (the administrator uses :func:`update_mailbox`)."""
    _check_actor_for(actor, mailbox, by_holder=True)
    mailbox = Mailbox.objects.select_for_update(of=("self",)).get(pk=mailbox.pk)
    before = snapshot(mailbox, MAILBOX_FIELDS)
    mailbox.forward_to = _check_forward(mailbox, forward_to)
    if mailbox.forward_to:
        try:
            validate_email(mailbox.forward_to)
        except ValidationError:
            raise ValidationError({"forward_to": _("Enter a valid email address.")}) from None
    if until is not None and until < timezone.localdate():
        raise ValidationError({"forward_until": _("This day has already passed.")})
    mailbox.forward_keep_copy = keep_copy
    mailbox.forward_until = until if mailbox.forward_to else None
    mailbox.save(update_fields=["forward_to", "forward_keep_copy", "forward_until"])
    record_changes(actor=actor, action="mailbox.forward", obj=mailbox, unit=mailbox.unit,
                   before=before, fields=MAILBOX_FIELDS)
    return mailbox
