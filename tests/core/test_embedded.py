"""The embedded default: with no environment, edugate runs on SQLite in WAL mode under var/."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("EDUGATE_DATABASE_URL", "").startswith("postgres"),
    reason="checks the embedded SQLite default; the PostgreSQL leg runs the rest of the suite",
)


def run_edugate(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDUGATE_")}
    env["EDUGATE_VAR_DIR"] = str(var)
    return subprocess.run([sys.executable, "-m", "edugate", *args], env=env, text=True,
                          capture_output=True, check=True, timeout=300)


def test_a_fresh_install_needs_nothing_but_a_folder(tmp_path: Path) -> None:
    run_edugate(tmp_path, "migrate", "--noinput", "-v0")
    database = tmp_path / "edugate.sqlite3"
    assert database.exists()
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    key = tmp_path / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text().strip()) >= 50
    # The same key on the next start: sessions survive restarts.
    before = key.read_text()
    run_edugate(tmp_path, "check")
    assert key.read_text() == before


def test_the_console_lists_the_commands(tmp_path: Path) -> None:
    out = run_edugate(tmp_path, "help").stdout
    for command in ("up", "units", "demo", "migrate"):
        assert command in out
