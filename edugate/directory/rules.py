"""Rules of the education tree, with no I/O: which unit may sit under which.

Returned messages are translated strings meant to be shown next to the field they concern.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from edugate.directory.models.units import UnitKind

ALLOWED_CHILDREN: dict[str | None, frozenset[str]] = {
    None: frozenset({UnitKind.MINISTRY, UnitKind.DEPARTMENT}),
    UnitKind.MINISTRY: frozenset({UnitKind.DEPARTMENT, UnitKind.DIVISION, UnitKind.INSTITUTION}),
    UnitKind.DEPARTMENT: frozenset(
        {UnitKind.OFFICE, UnitKind.INSTITUTION, UnitKind.DIVISION}
    ),
    UnitKind.OFFICE: frozenset({UnitKind.INSTITUTION, UnitKind.DIVISION, UnitKind.OFFICE}),
    UnitKind.INSTITUTION: frozenset({UnitKind.DIVISION}),
    UnitKind.DIVISION: frozenset({UnitKind.DIVISION}),
}


def unit_errors(*, kind: str, level: str, parent_kind: str | None) -> dict[str, str]:
    """Field → message for a unit of ``kind`` placed under a unit of ``parent_kind``."""
    errors: dict[str, str] = {}
    if kind == UnitKind.INSTITUTION and not level:
        errors["level"] = _("Choose the education level of the institution.")
    if kind != UnitKind.INSTITUTION and level:
        errors["level"] = _("Only institutions have an education level.")
    if kind not in ALLOWED_CHILDREN.get(parent_kind, frozenset()):
        if parent_kind is None:
            errors["parent"] = _("Only a ministry or a department can be at the top of the tree.")
        else:
            errors["parent"] = _("A %(kind)s cannot be placed under a %(parent)s.") % {
                "kind": UnitKind(kind).label.lower(),
                "parent": UnitKind(parent_kind).label.lower(),
            }
    return errors
