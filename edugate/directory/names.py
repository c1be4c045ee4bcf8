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
    if family and given:
        # Explicit columns win, in whatever order the full name puts them (Ê Đê and other
        # names are written given name first); the middle is what the full name has besides.
        rest = [w.casefold() for w in words]
        for part in (*family.split(" "), *given.split(" ")):
            if part.casefold() in rest:
                rest.remove(part.casefold())
        middle_words = [w for w in words if w.casefold() in rest]
        return NameParts(full, family, " ".join(middle_words), given)
    if len(words) == 0:
        return NameParts("", "", "", "")
    if len(words) == 1:
        return NameParts(full, "", "", words[0])
    return NameParts(full, words[0], " ".join(words[1:-1]), words[-1])
