"""Every action code the code base records has a readable name in the audit log."""

from __future__ import annotations

import re
from pathlib import Path

import edugate
from edugate.audit.labels import ACTION_LABELS

CODE = re.compile(r'action\s*=\s*"([a-z_]+\.[a-z_]+)"')
DYNAMIC = re.compile(r'action\s*=\s*f"([a-z_]+)\.\{')


def recorded_codes() -> set[str]:
    codes = set()
    for source in Path(edugate.__file__).parent.rglob("*.py"):
        codes |= set(CODE.findall(source.read_text(encoding="utf-8")))
    return codes


def test_every_recorded_action_has_a_label() -> None:
    codes = recorded_codes()
    assert len(codes) > 20  # the scan finds the codes (not vacuous)
    assert sorted(codes - set(ACTION_LABELS)) == []


def test_dynamic_codes_have_labels_for_their_prefix() -> None:
    prefixes = set()
    for source in Path(edugate.__file__).parent.rglob("*.py"):
        prefixes |= set(DYNAMIC.findall(source.read_text(encoding="utf-8")))
    for prefix in prefixes:
        assert any(code.startswith(prefix + ".") for code in ACTION_LABELS), prefix
