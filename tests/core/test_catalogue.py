"""The Vietnamese catalogue is complete: every entry translated, none fuzzy, placeholders kept.

``make messages`` compiles only what is translated and not fuzzy, so a gap here shows up as
English in the back office rather than as an error; this test turns it into one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "edugate/locale/vi/LC_MESSAGES/django.po"

# %(name)s, %(built).2f, %s, %d and {x}, {0}, {} (but not the literal %%).
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"
    r"|\{\w*\}"
)


def read_entries(path: Path) -> list[dict[str, str]]:
    """Each entry's flags (``#,`` lines) and fields, with the string continuations joined."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        entries.append(entry)
    return entries


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


ENTRIES = read_entries(CATALOGUE)
MESSAGES = [e for e in ENTRIES if e.get("msgid")]


def label(entry: dict[str, str]) -> str:
    return entry["msgid"][:60]


def test_header_declares_vietnamese_with_one_plural_form() -> None:
    header = next(e for e in ENTRIES if e.get("msgid") == "")
    assert "Language: vi\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header["msgstr"]
    assert "fuzzy" not in header["flags"]


def test_catalogue_has_messages() -> None:
    assert len(MESSAGES) > 300


@pytest.mark.parametrize("entry", MESSAGES, ids=label)
def test_entry_is_translated_and_not_fuzzy(entry: dict[str, str]) -> None:
    assert "fuzzy" not in entry["flags"]
    translations = [v for k, v in entry.items() if k.startswith("msgstr")]
    assert translations and all(t.strip() for t in translations)


@pytest.mark.parametrize("entry", MESSAGES, ids=label)
def test_translation_keeps_the_placeholders(entry: dict[str, str]) -> None:
    source = entry.get("msgid_plural", entry["msgid"])
    for key, translation in entry.items():
        if key.startswith("msgstr"):
            assert placeholders(translation) == placeholders(source), key
