"""Vietnamese personal names, with no I/O: clean them and split them into parts.

A Vietnamese name is written family name first and given name last: ``Nguyễn Văn An`` is
family ``Nguyễn``, middle ``Văn``, given ``An``. Names are kept exactly as given apart from
Unicode normalisation (NFC) and whitespace.
"""

from __future__ import annotations

from dataclasses import dataclass

from edugate.core.text import clean_text


@dataclass(frozen=True)
class NameParts:
    full: str
    family: str
    middle: str
    given: str


def split_name(full_name: str, *, family: str = "", given: str = "") -> NameParts:
    """Split ``full_name``; explicit ``family``/``given`` columns win when a sheet has them."""
    full = clean_text(full_name)
    family = clean_text(family)
    given = clean_text(given)
    if not full:
        full = " ".join(part for part in (family, given) if part)
    words = full.split(" ") if full else []
    if family and given and full.startswith(family) and full.endswith(given):
        middle = full[len(family) : len(full) - len(given)].strip()
        return NameParts(full, family, middle, given)
    if len(words) == 0:
        return NameParts("", "", "", "")
    if len(words) == 1:
        return NameParts(full, "", "", words[0])
    return NameParts(full, words[0], " ".join(words[1:-1]), words[-1])
