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


def test_every_string_of_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    """Extract the strings again (as ``makemessages`` does, on a copy of the package): none
    may be missing from the shipped catalogue, or it shows in English to Vietnamese users."""
    import shutil

    from django.core.management import call_command

    package = CATALOGUE.parents[3]
    copy = tmp_path / "edugate"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns(
        "__pycache__", "*.mo", "*.png", "*.jpg", "*.pdf", "*.ttf", "*.woff*"))
    cwd = Path.cwd()
    try:
        import os

        os.chdir(copy)
        call_command("makemessages", locale=["vi"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    fresh = read_entries(copy / "locale/vi/LC_MESSAGES/django.po")
    missing = [e["msgid"] for e in fresh[1:]
               if "fuzzy" in e["flags"] or not (e.get("msgstr") or e.get("msgstr[0]"))]
    assert missing == [], "not translated (run makemessages, then translate): " + repr(missing)
