"""The back office's further changes to groups: editing a group, its moderators, and removing
a rule, a member, a nested group or a registration slot.

Same pattern as :mod:`edugate.groups.actions`: keyword-only, one transaction, the actor's
scope checked (``check_manage``) and an audit row written inside the transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edugate.audit.actions import diff, record, snapshot
from edugate.directory.actions import actor_scope
from edugate.directory.models import Person, Unit
from edugate.groups import membership
from edugate.groups.actions import GROUP_FIELDS, _check_allowed, check_manage
from edugate.groups.models import (
    EmailGroup,
    GroupMember,
    GroupNesting,
    GroupRule,
    PostingPolicy,
    RegistrationSlot,
)

#: What :func:`update_group` may change (the address stays: mail is already addressed to it).
EDITABLE_FIELDS = ("name", "description", "owner_unit", "posting_policy", "posting_unit",
                   "posting_group", "allowed_senders", "others_action",
                   "allow_external_members", "archive_enabled", "hold_days", "is_active")
AUDITED_FIELDS = [*GROUP_FIELDS, "description", "posting_group"]


@transaction.atomic
def update_group(*, actor: Any, group: EmailGroup, **changes: Any) -> EmailGroup:
    """Change a group's settings; moving it to another owner unit needs both in scope."""
    group = EmailGroup.objects.select_for_update().get(pk=group.pk)
    check_manage(actor, group)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_group() cannot change {sorted(unknown)}")
    owner: Unit | None = changes.get("owner_unit")
    if owner is not None and owner.pk != group.owner_unit_id and not actor_scope(
            actor).contains(owner):
        raise PermissionDenied(_("This is outside the units you administer."))
    if "allowed_senders" in changes:
        _check_allowed(changes["allowed_senders"] or "")
    policy = changes.get("posting_policy", group.posting_policy)
    if policy == PostingPolicy.SUBTREE and changes.get(
            "posting_unit", group.posting_unit) is None:
        raise ValidationError({"posting_unit": _("Choose the unit whose users may post.")})
    posting_group = changes.get("posting_group", group.posting_group)
    if policy == PostingPolicy.GROUP:
        if posting_group is None:
            raise ValidationError({"posting_group": _("Choose the group whose members may "
                                                      "post.")})
        if posting_group.pk == group.pk:
            raise ValidationError({"posting_group": _("Choose another group than this one.")})
    before = snapshot(group, AUDITED_FIELDS)
    for name, value in changes.items():
        setattr(group, name, value)
    group.full_clean(exclude=["address"])
    group.save()
    changed = diff(before, snapshot(group, AUDITED_FIELDS))
    if changed:
        record(actor=actor, action="groups.update", obj=group, unit=group.owner_unit,
               changes=changed)
    return group


@transaction.atomic
def set_moderators(*, actor: Any, group: EmailGroup, people: list[Person]) -> None:
    """Who is told of held messages (besides the owner unit's administrators)."""
    check_manage(actor, group)
    before = sorted(group.moderators.values_list("full_name", flat=True))
    group.moderators.set(people)
    after = sorted(person.full_name for person in people)
    if before != after:
        record(actor=actor, action="groups.moderators", obj=group, unit=group.owner_unit,
               changes={"before": before, "after": after})


@transaction.atomic
def remove_rule(*, actor: Any, rule: GroupRule) -> None:
    group = rule.group
    check_manage(actor, group)
    described = membership.describe_rule(rule)
    rule.delete()
    record(actor=actor, action="groups.rule_remove", obj=group, unit=group.owner_unit,
           changes={"rule": described})


@transaction.atomic
def remove_member(*, actor: Any, member: GroupMember) -> None:
    group = member.group
    check_manage(actor, group)
    described = str(member)
    member.delete()
    record(actor=actor, action="groups.member_remove", obj=group, unit=group.owner_unit,
           changes={"member": described})


@transaction.atomic
def unnest(*, actor: Any, nesting: GroupNesting) -> None:
    parent = nesting.parent
    check_manage(actor, parent)
    child = nesting.child.address
    nesting.delete()
    record(actor=actor, action="groups.unnest", obj=parent, unit=parent.owner_unit,
           changes={"child": child})


@transaction.atomic
def remove_slot(*, actor: Any, slot: RegistrationSlot) -> None:
    """Remove a registration slot, and with it the registrations made in it."""
    group = slot.group
    check_manage(actor, group)
    name = slot.name
    count = slot.registrations.count()
    slot.delete()
    record(actor=actor, action="groups.slot_remove", obj=group, unit=group.owner_unit,
           changes={"slot": name, "registrations": count})
