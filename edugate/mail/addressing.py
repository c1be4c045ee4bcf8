"""Local parts of email addresses (the part before @)."""

from __future__ import annotations

import re

_LOCAL_PART = re.compile(r"^[a-z0-9]+(?:\.[a-z0-9]+)*$")


def is_valid_local_part(value: str) -> bool:
    """Lower-case a-z and 0-9, single inner dots, 1 to 64 characters."""
    return 0 < len(value) <= 64 and bool(_LOCAL_PART.match(value))
