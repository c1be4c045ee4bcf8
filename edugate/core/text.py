"""Vietnamese text helpers with no I/O: Unicode normalisation and diacritic folding."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def clean_text(value: str) -> str:
    """NFC-normalise, drop zero-width characters and collapse runs of whitespace."""
    text = unicodedata.normalize("NFC", value)
    text = text.replace("\u200b", "").replace("\ufeff", "").replace("\xa0", " ")
    return _SPACES.sub(" ", text).strip()


def fold(value: str) -> str:
    """Lower-case ASCII-ish form for search and matching: ``Trường`` → ``truong``."""
    text = unicodedata.normalize("NFD", value.translate(_FOLD_EXTRA))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text.translate(_FOLD_EXTRA)).strip().lower()
