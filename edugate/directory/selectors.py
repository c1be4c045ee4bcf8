"""Reads of the directory that other parts (groups, portals, compliance) build on.

Each takes the reader's scope as a required argument, and returns plain rows rather than
model instances: these lists run to thousands of rows for a province.
"""

from __future__ import annotations

from dataclasses import dataclass

from edugate.directory.models import PersonStatus, RoleAssignment, Unit
from edugate.directory.models.units import subtree_q
from edugate.directory.scope import Scope


@dataclass(frozen=True, slots=True)
class RoleHolder:
    person_id: int
    full_name: str
    unit_id: int
    unit_code: str
    unit_name: str


def role_holders(
    *,
    within: Scope,
    under: Unit,
    kind: str,
    unit_kind: str | None = None,
    level: str | None = None,
) -> list[RoleHolder]:
    """Active holders of role ``kind`` at units below ``under`` (e.g. every principal of the
    province's institutions), in tree order; one query."""
    roles = RoleAssignment.objects.filter(
        within.units_q("unit__"), subtree_q(under.path, prefix="unit__"), kind=kind,
        person__status__in=[PersonStatus.ACTIVE, PersonStatus.ON_LEAVE],
    )
    if unit_kind is not None:
        roles = roles.filter(unit__kind=unit_kind)
    if level is not None:
        roles = roles.filter(unit__level=level)
    rows = roles.order_by("unit__path", "person__full_name").values_list(
        "person_id", "person__full_name", "unit_id", "unit__code", "unit__name"
    )
    return [RoleHolder(*row) for row in rows]
