"""Holding, approving, rejecting and expiring messages, and the archive.

Every decision is audited and tells the sender; a held message stays whole in the database
until it is sent (approved) or its sender is told why not (rejected, expired).
"""

from __future__ import annotations

import datetime
from email import policy
from email.message import Message
from email.parser import Parser
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edugate.audit import actions as audit
from edugate.groups import membership, sending
from edugate.groups.endpoints import Endpoints
from edugate.groups.models import ArchivedMessage, EmailGroup, HeldMessage, HeldState
from edugate.groups.posting import Reason
from edugate.mail.models import Mailbox, MailboxKind, MailboxState

#: Why a message was held, as moderators read it.
HELD_REASONS = {
    Reason.NOT_AUTHENTICATED: gettext_lazy("the sender is not a user of the platform"),
    Reason.OUTSIDE_UNIT: gettext_lazy("the sender is not in the group's units"),
    Reason.NOT_MEMBER: gettext_lazy("the sender is not a member"),
    Reason.NOT_ALLOWED: gettext_lazy("the sender is not an allowed sender"),
}


class ModerationError(Exception):
    pass


def headers_of(raw: bytes) -> Message:
    """The message's headers (raw UTF-8 in them, as SMTPUTF8 mail has, read as text)."""
    end = raw.find(b"\r\n\r\n")
    head = raw if end < 0 else raw[:end + 2]
    return Parser(policy=policy.compat32).parsestr(head.decode("utf-8", "replace"),
                                                   headersonly=True)


def _text(message: Message, name: str, limit: int = 400) -> str:
    """A header as a person reads it: encoded words decoded, raw UTF-8 (SMTPUTF8 mail) too."""
    value = str(message.get(name, ""))
    try:
        decoded = str(policy.default.header_factory(name, value))
    except Exception:
        decoded = value
    return " ".join(decoded.split())[:limit]


def moderator_addresses(group: EmailGroup) -> list[str]:
    people = list(group.moderators.values_list("pk", flat=True))
    return sorted(set(Mailbox.objects.filter(person_id__in=people, kind=MailboxKind.PERSONAL)
                      .exclude(state=MailboxState.CLOSED).values_list("address", flat=True)))


def looks_like_spam(message: Message) -> bool:
    """Rspamd's verdict (the topmost ``X-Spam-Status``, which it writes over any a sender
    sent): a spam's sender is usually forged, so they are not told of the hold."""
    status = message.get_all("X-Spam-Status", [])
    return bool(status) and str(status[0]).strip().lower().startswith("yes")


def hold(*, group: EmailGroup, sender: str, raw: bytes, reason: Reason,
         endpoints: Endpoints) -> HeldMessage:
    """Keep ``raw`` for the moderators and tell them and (unless it looks like spam, whose
    sender is probably forged) the sender."""
    message = headers_of(raw)
    with transaction.atomic():
        held = HeldMessage.objects.create(
            group=group, sender=sender, from_header=_text(message, "From"),
            subject=_text(message, "Subject"), message_id=_text(message, "Message-ID"),
            reason=str(reason), raw=raw, size=len(raw),
            expires_at=timezone.now() + datetime.timedelta(days=group.hold_days),
        )
        audit.record(actor=None, action="groups.message_held", obj=held,
                     unit=group.owner_unit, changes={"sender": sender, "reason": str(reason)})
    with translation.override("vi"):
        why = HELD_REASONS.get(reason, str(reason))
        sending.send_notice(
            group=group, to=moderator_addresses(group), endpoints=endpoints,
            subject=_("Message waiting for approval: %(subject)s") % {"subject": held.subject},
            body=_("A message to the group %(group)s is waiting for your approval (%(why)s).\n"
                   "\nFrom: %(sender)s\nSubject: %(subject)s\n\nApprove or reject it in the "
                   "back office: Email groups → Held messages. It expires on %(expires)s.\n"
                   "The message is attached.") % {
                "group": group.address, "why": why, "sender": held.from_header or sender,
                "subject": held.subject, "expires": timezone.localtime(held.expires_at)
                .strftime("%d/%m/%Y %H:%M")},
            attachment=raw)
        sending.send_notice(
            group=group, to=[] if looks_like_spam(message) else [sender], endpoints=endpoints,
            subject=_("Your message is waiting for approval: %(subject)s") % {
                "subject": held.subject},
            body=_("Your message to the group %(group)s has been held for a moderator to "
                   "approve (%(why)s). You will be told when it is decided.") % {
                "group": group.address, "why": why})
    return held


def archive(group: EmailGroup, sender: str, raw: bytes, recipients: int) -> None:
    if not group.archive_enabled:
        return
    message = headers_of(raw)
    ArchivedMessage.objects.create(
        group=group, sender=sender, from_header=_text(message, "From"),
        subject=_text(message, "Subject"), message_id=_text(message, "Message-ID"),
        raw=raw, size=len(raw), recipients=recipients)


def distribute(group: EmailGroup, sender: str, raw: bytes, endpoints: Endpoints,
               members: membership.Resolution | None = None) -> sending.Sent:
    """Send ``raw`` to every member of ``group`` now (one copy each) and archive it
    (``members``: already resolved by the caller, else resolved here)."""
    recipients = [address for address in (members or membership.resolve(group)).addresses
                  if address != group.address]
    copy = sending.with_list_headers(group, raw)
    sent = sending.send_copies(group, copy, recipients, endpoints)
    archive(group, sender, copy, sent.accepted)
    return sent


def _decide(held: HeldMessage, state: str, actor: Any, note: str) -> None:
    held.state = state
    held.decided_at = timezone.now()
    held.decided_by = actor if getattr(actor, "pk", None) else None
    held.decision_note = note[:500]
    held.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    audit.record(actor=actor, action=f"groups.message_{state}", obj=held,
                 unit=held.group.owner_unit, changes={"note": note} if note else None)


def _locked(held_id: int) -> HeldMessage:
    held = (HeldMessage.objects.select_for_update().select_related("group__domain",
                                                                   "group__owner_unit")
            .get(pk=held_id))
    if held.state != HeldState.HELD:
        raise ModerationError(_("This message has already been decided (%(state)s).") % {
            "state": held.get_state_display()})
    return held


def approve(*, held: HeldMessage, actor: Any, endpoints: Endpoints) -> sending.Sent:
    """Send a held message to the group and tell its sender."""
    with transaction.atomic():
        held = _locked(held.pk)
        _decide(held, HeldState.APPROVED, actor, "")
        sent = distribute(held.group, held.sender, bytes(held.raw), endpoints)
    with translation.override("vi"):
        sending.send_notice(
            group=held.group, to=[held.sender], endpoints=endpoints,
            subject=_("Your message was approved: %(subject)s") % {"subject": held.subject},
            body=_("Your message to the group %(group)s was approved and sent to its "
                   "members.") % {"group": held.group.address})
    return sent


def reject(*, held: HeldMessage, actor: Any, reason: str, endpoints: Endpoints) -> None:
    """Refuse a held message with a reason the sender reads. The sender is told before the
    decision is committed: if they cannot be told, the message stays held."""
    reason = reason.strip()
    if not reason:
        raise ModerationError(_("Say why the message is rejected: the sender will read it."))
    with transaction.atomic():
        held = _locked(held.pk)
        _decide(held, HeldState.REJECTED, actor, reason)
        with translation.override("vi"):
            sending.send_notice(
                group=held.group, to=[held.sender], endpoints=endpoints,
                subject=_("Your message was not approved: %(subject)s") % {
                    "subject": held.subject},
                body=_("Your message to the group %(group)s was not sent to its members.\n\n"
                       "Reason: %(reason)s") % {"group": held.group.address, "reason": reason})


def expire_due(*, endpoints: Endpoints, now: datetime.datetime | None = None) -> int:
    """Expire held messages past their date, telling each sender; returns how many."""
    now = now or timezone.now()
    count = 0
    for held_id in (HeldMessage.objects.filter(state=HeldState.HELD, expires_at__lte=now)
                    .values_list("pk", flat=True)):
        with transaction.atomic():
            try:
                held = _locked(held_id)
            except ModerationError:
                continue
            _decide(held, HeldState.EXPIRED, None, "")
        count += 1
        with translation.override("vi"):
            sending.send_notice(
                group=held.group, to=[held.sender], endpoints=endpoints,
                subject=_("Your message expired: %(subject)s") % {"subject": held.subject},
                body=_("Your message to the group %(group)s was not approved within "
                       "%(days)d days and has been discarded. Send it again if it is still "
                       "needed.") % {"group": held.group.address, "days": held.group.hold_days})
    return count
