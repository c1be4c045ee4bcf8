"""Who leads a unit, for the portal's introduction and email directory: pure rules on
positions (Vietnamese job titles), no I/O.

A unit's leaders are the holders of its head role, then the staff whose position is a
leading title (director, principal, head of office) or a deputy's (``Phó ...``).
"""

from __future__ import annotations

from edugate.core.text import fold

#: folded title prefixes of heads of units, most specific first
HEAD_TITLES = (
    "giam doc",
    "hieu truong",
    "truong phong",
    "chanh van phong",
    "truong ban",
    "chu nhiem",
)
DEPUTY_PREFIX = "pho "

HEAD = 0
DEPUTY = 1


def leader_rank(position: str) -> int | None:
    """``HEAD`` for a head's title, ``DEPUTY`` for a deputy's, ``None`` for other staff."""
    folded = fold(position)
    if folded.startswith(DEPUTY_PREFIX):
        rest = folded[len(DEPUTY_PREFIX):]
        return DEPUTY if rest.startswith(HEAD_TITLES) else None
    return HEAD if folded.startswith(HEAD_TITLES) else None
