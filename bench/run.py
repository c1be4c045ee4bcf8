"""`make bench`: the province-scale benchmarks on SQLite and on PostgreSQL.

For each backend it loads the `province` demo once into a database of its own (kept between
runs under var/bench/ and in the PostgreSQL database `edugate_bench`), then runs
bench/directory.py against it, then bench/mail_plane.py (the mail plane, with a database of
its own) and bench/groups.py (a 5,000-member group against a plain alias, on that database);
on SQLite also bench/portal.py (the portals' speed, with a database of its own).
Each benchmark prints one line with its figure.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDUGATE = [sys.executable, "-m", "edugate"]


def postgres_url() -> str | None:
    try:
        base = subprocess.run([str(ROOT / "scripts/test-postgres-url.sh")], check=True,
                              capture_output=True, text=True).stdout.strip()
    except subprocess.CalledProcessError:
        return None
    return base.rsplit("/", 1)[0] + "/edugate_bench"


def ensure_postgres_database(url: str) -> None:
    admin = url.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(["psql", admin, "-Atqc",
                             "select 1 from pg_database where datname='edugate_bench'"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if not exists:
        subprocess.run(["psql", admin, "-qc", "create database edugate_bench"], check=True)


def run_staff_import(name: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench/staff_import.py"), name], env=env,
                   check=True, cwd=ROOT)


def run_mail_plane(name: str, env: dict[str, str]) -> None:
    """The mail plane's throughput and lookup latency (bench/mail_plane.py: its own database
    of 100,000 mailboxes and its own plane on ports 13xxx; needs root, else it says skipped)."""
    subprocess.run([sys.executable, str(ROOT / "bench/mail_plane.py"), name], env=env,
                   check=True, cwd=ROOT)


def run_groups(name: str, env: dict[str, str]) -> None:
    """One message to a 5,000-member group against a plain Postfix alias of the same addresses
    (bench/groups.py: bench/mail_plane.py's database, its own plane on ports 15xxx)."""
    subprocess.run([sys.executable, str(ROOT / "bench/groups.py"), name], env=env,
                   check=True, cwd=ROOT)


def run_portal(env: dict[str, str]) -> None:
    """Portal speed (bench/portal.py: its own database of the province's 2,000 portals on
    SQLite, the app server with and without the page cache, nginx's micro-cache and a static
    file, on ports 14xxx; needs nginx and wrk, which it installs as root, else it says
    skipped)."""
    subprocess.run([sys.executable, str(ROOT / "bench/portal.py")], env=env, check=True,
                   cwd=ROOT)


def run_backend(name: str, env: dict[str, str]) -> None:
    print(f"== {name}", flush=True)
    subprocess.run([*EDUGATE, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*EDUGATE, "collectstatic", "--noinput", "-v0"], env=env, check=True,
                   cwd=ROOT)
    loaded = subprocess.run(
        [*EDUGATE, "demo", "--size", "province", "--seed", "1", "--if-empty", "--json"],
        env=env, check=True, cwd=ROOT, capture_output=True, text=True,
    ).stdout
    try:
        report = json.loads(loaded)
        print(f"bench demo_province_load [{name}]: {report['seconds']:.1f} s for "
              f"{report['units']} units, {report['people']} people and "
              f"{report['mailboxes']} mailboxes", flush=True)
    except (ValueError, KeyError):
        print(f"bench demo_province_load [{name}]: already loaded (kept from an earlier run)",
              flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench/directory.py"), name], env=env,
                   check=True, cwd=ROOT)


def main() -> None:
    base_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "edugate.settings",
                "PYTHONPATH": str(ROOT)}
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    sqlite_env = {**base_env, "EDUGATE_VAR_DIR": str(var),
                  "EDUGATE_DATABASE_URL": f"sqlite:///{var / 'province.sqlite3'}"}
    run_backend("sqlite", sqlite_env)
    copy = var / "staff-import.sqlite3"
    with sqlite3.connect(var / "province.sqlite3") as source, sqlite3.connect(copy) as target:
        source.backup(target)
    run_staff_import("sqlite", {**sqlite_env, "EDUGATE_DATABASE_URL": f"sqlite:///{copy}"})
    copy.unlink()
    run_mail_plane("sqlite", base_env)
    run_groups("sqlite", base_env)
    run_portal(base_env)
    url = postgres_url()
    if url is None:
        print("== postgresql: no server could be found or installed; skipped", flush=True)
        sys.exit(1)
    ensure_postgres_database(url)
    pg_env = {**base_env, "EDUGATE_VAR_DIR": str(var), "EDUGATE_DATABASE_URL": url}
    run_backend("postgresql", pg_env)
    admin = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-qc", "drop database if exists edugate_bench_staff"],
                   check=True)
    subprocess.run(["psql", admin, "-qc",
                    "create database edugate_bench_staff template edugate_bench"], check=True)
    run_staff_import("postgresql", {**pg_env, "EDUGATE_DATABASE_URL":
                                    url.rsplit("/", 1)[0] + "/edugate_bench_staff"})
    subprocess.run(["psql", admin, "-qc", "drop database edugate_bench_staff"], check=True)
    run_mail_plane("postgresql", base_env)
    run_groups("postgresql", base_env)


if __name__ == "__main__":
    main()
