"""Every change to groups: one transaction, checked against the actor's scope, audited.

A group belongs to its owner unit: that unit's administrators (and those above it) manage it.
A registration is made by the registering unit's administrators or contact officer and
approved by the group's managers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edugate.audit.actions import record, snapshot
from edugate.directory.actions import actor_scope
from edugate.directory.models import Domain, Person, Unit
from edugate.groups import membership, sending
from edugate.groups.endpoints import Endpoints
from edugate.groups.models import (
    EmailGroup,
    GroupMember,
    GroupNesting,
    GroupRule,
    Registration,
    RegistrationSlot,
    RegistrationState,
)
from edugate.mail.actions import address_taken, domains_for
from edugate.mail.addressing import is_valid_local_part
from edugate.mail.models import Mailbox

GROUP_FIELDS = ["address", "name", "owner_unit", "posting_policy", "posting_unit",
                "allowed_senders", "others_action", "allow_external_members",
                "archive_enabled", "hold_days", "is_active"]


def _check_scope(actor: Any, unit: Unit) -> None:
    if not actor_scope(actor).contains(unit):
        raise PermissionDenied(_("This is outside the units you administer."))


def check_manage(actor: Any, group: EmailGroup) -> None:
    _check_scope(actor, group.owner_unit)


def _check_allowed(text: str) -> None:
    for line in text.splitlines():
        entry = line.strip()
        if not entry:
            continue
        try:
            validate_email(entry if not entry.startswith("@") else "x" + entry)
        except ValidationError:
            raise ValidationError({"allowed_senders": _(
                "“%(entry)s” is neither an address nor @domain.") % {"entry": entry}}) from None


@transaction.atomic
def create_group(*, actor: Any, owner_unit: Unit, domain: Domain, local_part: str, name: str,
                 **options: Any) -> EmailGroup:
    """A new group at ``local_part@domain`` (a domain of the owner unit or above it)."""
    _check_scope(actor, owner_unit)
    local_part = local_part.strip().lower()
    if not is_valid_local_part(local_part):
        raise ValidationError({"local_part": _(
            "Use lower-case letters without diacritics, digits and single dots.")})
    if not domains_for(owner_unit).filter(pk=domain.pk).exists():
        raise ValidationError({"domain": _("This domain does not belong to the unit.")})
    address = f"{local_part}@{domain.name}"
    if address_taken(address):
        raise ValidationError({"local_part": _("The address %(address)s is already in use.")
                               % {"address": address}})
    _check_allowed(options.get("allowed_senders", ""))
    if options.get("posting_policy") == "subtree" and options.get("posting_unit") is None:
        raise ValidationError({"posting_unit": _("Choose the unit whose users may post.")})
    group = EmailGroup(owner_unit=owner_unit, domain=domain, local_part=local_part, name=name,
                       **options)
    group.full_clean(exclude=["address"])
    group.save()
    record(actor=actor, action="groups.create", obj=group, unit=owner_unit,
           changes={"after": snapshot(group, GROUP_FIELDS)})
    return group


@transaction.atomic
def add_rule(*, actor: Any, group: EmailGroup, kind: str, under: Unit, role: str = "",
             unit_kind: str = "", level: str = "",
             prefer_position_mailbox: bool = True) -> GroupRule:
    check_manage(actor, group)
    rule = GroupRule(group=group, kind=kind, under=under, role=role, unit_kind=unit_kind,
                     level=level, prefer_position_mailbox=prefer_position_mailbox)
    if kind == "role_holders" and not role:
        raise ValidationError({"role": _("Choose the role whose holders are members.")})
    rule.full_clean()
    rule.save()
    record(actor=actor, action="groups.rule_add", obj=group, unit=group.owner_unit,
           changes={"rule": membership.describe_rule(rule)})
    return rule


@transaction.atomic
def add_member(*, actor: Any, group: EmailGroup, mailbox: Mailbox | None = None,
               person: Person | None = None, external_address: str = "") -> GroupMember:
    check_manage(actor, group)
    external_address = external_address.strip().lower()
    if external_address:
        validate_email(external_address)
        _local, domain = external_address.rsplit("@", 1)
        hosted = Domain.objects.filter(name=domain).exists()
        if not hosted and not group.allow_external_members:
            raise ValidationError({"external_address": _(
                "This group does not allow addresses outside the organisation.")})
        if EmailGroup.objects.filter(address=external_address).exists():
            raise ValidationError({"external_address": _(
                "%(address)s is a group: nest it instead.") % {"address": external_address}})
    member = GroupMember(group=group, mailbox=mailbox, person=person,
                         external_address=external_address)
    member.full_clean()
    member.save()
    record(actor=actor, action="groups.member_add", obj=group, unit=group.owner_unit,
           changes={"member": str(member)})
    return member


@transaction.atomic
def nest(*, actor: Any, parent: EmailGroup, child: EmailGroup) -> GroupNesting:
    """Make ``child``'s members members of ``parent``; refuses a cycle."""
    check_manage(actor, parent)
    if membership.would_create_cycle(parent, child):
        raise ValidationError({"child": _(
            "%(child)s already contains %(parent)s: nesting it would make a loop.") % {
            "child": child.address, "parent": parent.address}})
    nesting, _created = GroupNesting.objects.get_or_create(parent=parent, child=child)
    record(actor=actor, action="groups.nest", obj=parent, unit=parent.owner_unit,
           changes={"child": child.address})
    return nesting


@transaction.atomic
def add_slot(*, actor: Any, group: EmailGroup, name: str, under: Unit, unit_kind: str,
             level: str = "") -> RegistrationSlot:
    check_manage(actor, group)
    slot = RegistrationSlot(group=group, name=name, under=under, unit_kind=unit_kind,
                            level=level)
    slot.full_clean()
    slot.save()
    record(actor=actor, action="groups.slot_add", obj=group, unit=group.owner_unit,
           changes={"slot": name})
    return slot


def slot_units(slot: RegistrationSlot) -> Any:
    from edugate.directory.models.units import subtree_q

    units = Unit.objects.filter(subtree_q(slot.under.path, include_self=False),
                                kind=slot.unit_kind, status="active")
    return units.filter(level=slot.level) if slot.level else units


@transaction.atomic
def register(*, actor: Any, slot: RegistrationSlot, unit: Unit, address: str,
             note: str = "") -> Registration:
    """``unit`` registers (or changes) its address for ``slot``; waits for the group owner."""
    _check_scope(actor, unit)
    if not slot_units(slot).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("%(unit)s does not register in this slot.") % {
            "unit": unit.name}})
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"address": _("Enter a valid email address.")}) from None
    Registration.objects.filter(slot=slot, unit=unit, state=RegistrationState.PENDING).update(
        state=RegistrationState.REPLACED, decided_at=timezone.now())
    registration = Registration.objects.create(
        slot=slot, unit=unit, address=address, note=note[:500],
        submitted_by=actor if getattr(actor, "pk", None) else None)
    record(actor=actor, action="groups.register", obj=registration, unit=unit,
           changes={"slot": slot.name, "address": address})
    return registration


@transaction.atomic
def decide_registration(*, actor: Any, registration: Registration, approve: bool,
                        note: str = "") -> Registration:
    """The group owner approves (the address replaces the unit's previous one) or rejects."""
    registration = (Registration.objects.select_for_update()
                    .select_related("slot__group__owner_unit", "unit").get(pk=registration.pk))
    check_manage(actor, registration.slot.group)
    if registration.state != RegistrationState.PENDING:
        raise ValidationError(_("This registration has already been decided."))
    now = timezone.now()
    if approve:
        Registration.objects.filter(
            slot=registration.slot, unit=registration.unit, state=RegistrationState.APPROVED,
        ).update(state=RegistrationState.REPLACED, decided_at=now)
    registration.state = RegistrationState.APPROVED if approve else RegistrationState.REJECTED
    registration.decided_at = now
    registration.decided_by = actor if getattr(actor, "pk", None) else None
    if note:
        registration.note = note[:500]
    registration.save()
    record(actor=actor, action="groups.registration_approve" if approve
           else "groups.registration_reject", obj=registration,
           unit=registration.slot.group.owner_unit,
           changes={"address": registration.address, "note": note} if note
           else {"address": registration.address})
    return registration


def remind_missing(*, actor: Any, group: EmailGroup, endpoints: Endpoints) -> int:
    """Email every unit that has not registered for a slot (its unit mailboxes); returns how
    many units were reminded."""
    check_manage(actor, group)
    reminded = 0
    with translation.override("vi"):
        for slot_name, unit in membership.missing_registrations(group):
            to = list(Mailbox.objects.filter(unit=unit, kind="unit")
                      .exclude(state="closed").values_list("address", flat=True))
            if not to:
                continue
            sending.send_notice(
                group=group, to=to, endpoints=endpoints,
                subject=_("Please register your address in %(group)s") % {
                    "group": group.name},
                body=_("%(unit)s has not registered its “%(slot)s” address in the group "
                       "%(group)s (%(address)s). The unit's contact officer can register it "
                       "in the back office: Email groups → Registrations.") % {
                    "unit": unit.name, "slot": slot_name, "group": group.name,
                    "address": group.address})
            reminded += 1
    with transaction.atomic():
        record(actor=actor, action="groups.remind", obj=group, unit=group.owner_unit,
               changes={"units": reminded})
    return reminded
