"""Who is in a group right now: its rules over the directory, explicit members, approved
registrations and nested groups, resolved to one address per member.

Resolution runs at every delivery (and for the policy's "members only"), so a principal
appointed a minute ago receives the next message to "all principals". Each rule is a handful of
indexed queries whatever the group's size; nesting is walked breadth-first with a visited set,
so a cycle that slipped into the database cannot loop (new ones are refused by
``would_create_cycle``). An address reached several ways is delivered once; ``resolve`` keeps
every way it was reached, for the preview.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from edugate.directory.models import Membership, PersonStatus, RoleAssignment, Unit, UnitStatus
from edugate.directory.models.units import subtree_q
from edugate.groups.models import (
    EmailGroup,
    GroupMember,
    GroupNesting,
    GroupRule,
    Registration,
    RegistrationState,
    RuleKind,
)
from edugate.mail.models import Mailbox, MailboxKind, MailboxState

PRESENT = (PersonStatus.ACTIVE, PersonStatus.ON_LEAVE)


@dataclass(frozen=True)
class Resolution:
    """``members``: address → how it got in (for the preview), in address order."""

    members: dict[str, list[str]]
    groups: list[EmailGroup]  # the group and every group nested in it, once each

    @property
    def addresses(self) -> list[str]:
        return list(self.members)

    def __len__(self) -> int:
        return len(self.members)


def _units(rule: GroupRule, prefix: str) -> Q:
    query = subtree_q(rule.under.path, prefix=prefix) & Q(**{f"{prefix}status": UnitStatus.ACTIVE})
    if rule.unit_kind:
        query &= Q(**{f"{prefix}kind": rule.unit_kind})
    if rule.level:
        query &= Q(**{f"{prefix}level": rule.level})
    return query


def _personal_addresses(person_ids: Any,
                        preferred_unit: dict[int, int] | None = None) -> dict[int, str]:
    """One personal mailbox per person (the one at ``preferred_unit[person]`` if they have
    one there, else their oldest); closed mailboxes receive nothing."""
    chosen: dict[int, tuple[bool, int, str]] = {}
    rows = (Mailbox.objects.filter(kind=MailboxKind.PERSONAL, person_id__in=person_ids)
            .exclude(state=MailboxState.CLOSED)
            .values_list("person_id", "unit_id", "id", "address"))
    for person_id, unit_id, mailbox_id, address in rows:
        preferred = bool(preferred_unit and preferred_unit.get(person_id) == unit_id)
        key = (not preferred, mailbox_id, address)
        if person_id not in chosen or key < chosen[person_id]:
            chosen[person_id] = key
    return {person: key[2] for person, key in chosen.items()}


def rule_addresses(rule: GroupRule) -> list[str]:
    """The addresses ``rule`` gives now."""
    if rule.kind == RuleKind.UNIT_MAILBOXES:
        return list(Mailbox.objects.filter(_units(rule, "unit__"), kind=MailboxKind.UNIT)
                    .exclude(state=MailboxState.CLOSED).values_list("address", flat=True))
    if rule.kind == RuleKind.STAFF:
        today = timezone.localdate()
        staff = Membership.objects.filter(
            _units(rule, "unit__"), Q(end_date__isnull=True) | Q(end_date__gte=today),
            person__status__in=PRESENT,
        )
        return list(_personal_addresses(staff.values("person_id")).values())
    roles = RoleAssignment.objects.filter(_units(rule, "unit__"), kind=rule.role,
                                          person__status__in=PRESENT)
    pairs = list(roles.values_list("person_id", "unit_id"))
    addresses: dict[int, str] = {}
    if rule.prefer_position_mailbox:
        held = (Mailbox.objects.filter(kind=MailboxKind.POSITION,
                                       person_id__in=roles.values("person_id"))
                .exclude(state=MailboxState.CLOSED)
                .values_list("person_id", "unit_id", "address"))
        at = {(person, unit): address for person, unit, address in held}
        for person, unit in pairs:
            if (person, unit) in at:
                addresses.setdefault(person, at[(person, unit)])
    missing = {person: unit for person, unit in pairs if person not in addresses}
    if missing:
        personal = _personal_addresses(roles.values("person_id"), preferred_unit=missing)
        addresses.update({person: personal[person] for person in missing if person in personal})
    return list(addresses.values())


def describe_rule(rule: GroupRule) -> str:
    """The rule in words, as the preview shows it."""
    parts = [str(rule.get_kind_display())]
    if rule.role:
        parts.append(str(rule.get_role_display()))
    if rule.unit_kind:
        parts.append(str(rule.get_unit_kind_display()))
    if rule.level:
        parts.append(str(rule.get_level_display()))
    return _("%(rule)s under %(unit)s") % {"rule": " · ".join(parts), "unit": rule.under.name}


def nested_closure(group: EmailGroup) -> list[EmailGroup]:
    """``group`` and every group nested in it, at any depth, each once."""
    seen = {group.pk: group}
    frontier = [group.pk]
    while frontier:
        children = (GroupNesting.objects.filter(parent_id__in=frontier, child__is_active=True)
                    .select_related("child__domain"))
        frontier = []
        for nesting in children:
            if nesting.child_id not in seen:
                seen[nesting.child_id] = nesting.child
                frontier.append(nesting.child_id)
    return list(seen.values())


def would_create_cycle(parent: EmailGroup, child: EmailGroup) -> bool:
    """Whether nesting ``child`` in ``parent`` would make a group (indirectly) contain itself."""
    return parent.pk == child.pk or any(g.pk == parent.pk for g in nested_closure(child))


def resolve(group: EmailGroup) -> Resolution:
    """Every member of ``group`` now, one entry per address (lower case)."""
    found: dict[str, list[str]] = defaultdict(list)
    groups = nested_closure(group)

    def add(address: str, why: str) -> None:
        found[address.strip().lower()].append(why)

    for item in groups:
        via = "" if item.pk == group.pk else _(" (through %(group)s)") % {"group": item.name}
        for rule in GroupRule.objects.filter(group=item).select_related("under"):
            why = describe_rule(rule) + via
            for address in rule_addresses(rule):
                add(address, why)
        explicit = GroupMember.objects.filter(group=item).select_related("mailbox")
        people = [member.person_id for member in explicit if member.person_id]
        personal = _personal_addresses(
            GroupMember.objects.filter(pk__in=[m.pk for m in explicit if m.person_id])
            .values("person_id")) if people else {}
        for member in explicit:
            if member.mailbox is not None:
                if member.mailbox.state != MailboxState.CLOSED:
                    add(member.mailbox.address, _("Member") + via)
            elif member.person_id:
                if member.person_id in personal:
                    add(personal[member.person_id], _("Member") + via)
            elif item.allow_external_members:
                add(member.external_address, _("Outside member") + via)
        registrations = (Registration.objects
                         .filter(slot__group=item, state=RegistrationState.APPROVED,
                                 unit__status=UnitStatus.ACTIVE)
                         .select_related("slot", "unit"))
        for registration in registrations:
            add(registration.address, _("Registered by %(unit)s as %(slot)s") % {
                "unit": registration.unit.name, "slot": registration.slot.name} + via)
    return Resolution(members=dict(sorted(found.items())), groups=groups)


def missing_registrations(group: EmailGroup) -> list[tuple[str, Unit]]:
    """``(slot name, unit)`` for every unit that has not registered an approved address."""
    missing: list[tuple[str, Unit]] = []
    for slot in group.slots.select_related("under").order_by("name"):
        units = Unit.objects.filter(subtree_q(slot.under.path, include_self=False),
                                    kind=slot.unit_kind, status=UnitStatus.ACTIVE)
        if slot.level:
            units = units.filter(level=slot.level)
        done = set(slot.registrations.filter(state=RegistrationState.APPROVED)
                   .values_list("unit_id", flat=True))
        missing += [(slot.name, unit) for unit in units.order_by("path") if unit.pk not in done]
    return missing
