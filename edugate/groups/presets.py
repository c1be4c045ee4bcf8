"""The groups Article 5 of Circular 37 asks for, made in one command.

``department``: for a Department (owner) and its primary domain: its own staff; all principals
of its institutions; all heads of its education offices; all contact officers below it; and
the clerical offices of its institutions and offices, registered by each unit. The staff group
may write to the others; anyone else is refused (principals) or held (the rest).

``ministry``: for an instance run by the Ministry: the directors of Departments and the
clerical offices of Departments, each registered by the Department, written to by the
Ministry's staff.

Both are idempotent: a group whose address exists is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from edugate.directory.models import Domain, RoleKind, Unit, UnitKind
from edugate.groups import actions
from edugate.groups.models import EmailGroup, OthersAction, PostingPolicy


@dataclass(frozen=True)
class Rule:
    kind: str
    role: str = ""
    unit_kind: str = ""


@dataclass(frozen=True)
class Slot:
    name: str
    unit_kind: str


@dataclass(frozen=True)
class Preset:
    local_part: str
    name: str
    rules: tuple[Rule, ...] = ()
    slots: tuple[Slot, ...] = ()
    staff: bool = False  # the owner's own staff: may post to the others
    others: str = OthersAction.HOLD


def department_presets() -> list[Preset]:
    return [
        Preset("canbo.so", _("Department staff"), staff=True,
               rules=(Rule("staff", unit_kind=UnitKind.DEPARTMENT),
                      Rule("staff", unit_kind=UnitKind.DIVISION))),
        Preset("hieutruong", _("Principals of all institutions"),
               rules=(Rule("role_holders", RoleKind.HEAD, UnitKind.INSTITUTION),),
               others=OthersAction.REFUSE),
        Preset("truongphong", _("Heads of all education offices"),
               rules=(Rule("role_holders", RoleKind.HEAD, UnitKind.OFFICE),)),
        Preset("daumoi", _("All contact officers"),
               rules=(Rule("role_holders", RoleKind.CONTACT_OFFICER),)),
        Preset("vanthu", _("Clerical offices of institutions and offices"),
               slots=(Slot(_("Clerical office"), UnitKind.INSTITUTION),
                      Slot(_("Clerical office of the office"), UnitKind.OFFICE))),
    ]


def ministry_presets() -> list[Preset]:
    return [
        Preset("canbo.bo", _("Ministry staff"), staff=True,
               rules=(Rule("staff", unit_kind=UnitKind.MINISTRY),
                      Rule("staff", unit_kind=UnitKind.DIVISION))),
        Preset("giamdocso", _("Directors of Departments"),
               slots=(Slot(_("Director"), UnitKind.DEPARTMENT),)),
        Preset("vanthuso", _("Clerical offices of Departments"),
               slots=(Slot(_("Clerical office"), UnitKind.DEPARTMENT),)),
    ]


@transaction.atomic
def apply(*, actor: Any, owner: Unit, domain: Domain, presets: list[Preset]) -> list[
        tuple[EmailGroup, bool]]:
    """Create the ``presets`` for ``owner`` on ``domain``; ``(group, created)`` each."""
    results: list[tuple[EmailGroup, bool]] = []
    staff_group: EmailGroup | None = None
    for preset in presets:
        existing = EmailGroup.objects.filter(domain=domain, local_part=preset.local_part).first()
        if existing is not None:
            results.append((existing, False))
            staff_group = existing if preset.staff else staff_group
            continue
        if preset.staff:
            options: dict[str, Any] = {"posting_policy": PostingPolicy.MEMBERS,
                                       "others_action": OthersAction.HOLD}
        else:
            options = {"posting_policy": PostingPolicy.GROUP, "posting_group": staff_group,
                       "others_action": preset.others}
        group = actions.create_group(actor=actor, owner_unit=owner, domain=domain,
                                     local_part=preset.local_part, name=preset.name, **options)
        for rule in preset.rules:
            actions.add_rule(actor=actor, group=group, kind=rule.kind, under=owner,
                             role=rule.role, unit_kind=rule.unit_kind)
        for slot in preset.slots:
            actions.add_slot(actor=actor, group=group, name=slot.name, under=owner,
                             unit_kind=slot.unit_kind)
        if preset.staff:
            staff_group = group
        results.append((group, True))
    return results


def primary_domain_of(unit: Unit) -> Domain | None:
    return (Domain.objects.filter(unit=unit, alias_of__isnull=True).order_by("created_at", "pk")
            .first())
