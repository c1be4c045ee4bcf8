"""`make bench`: the province-scale benchmarks on SQLite and on PostgreSQL.

For each backend it loads the `province` demo once into a database of its own (kept between
runs under var/bench/ and in the PostgreSQL database `edugate_bench`), then runs
bench/directory.py against it. Each benchmark prints one line with its median.
"""

from __future__ import annotations

import os
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


def run_backend(name: str, env: dict[str, str]) -> None:
    print(f"== {name}", flush=True)
    subprocess.run([*EDUGATE, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*EDUGATE, "collectstatic", "--noinput", "-v0"], env=env, check=True,
                   cwd=ROOT)
    subprocess.run([*EDUGATE, "demo", "--size", "province", "--seed", "1", "--if-empty"],
                   env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, str(ROOT / "bench/directory.py"), name], env=env,
                   check=True, cwd=ROOT)


def main() -> None:
    base_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "edugate.settings",
                "PYTHONPATH": str(ROOT)}
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    run_backend("sqlite", {**base_env, "EDUGATE_VAR_DIR": str(var),
                           "EDUGATE_DATABASE_URL": f"sqlite:///{var / 'province.sqlite3'}"})
    url = postgres_url()
    if url is None:
        print("== postgresql: no server could be found or installed; skipped", flush=True)
        sys.exit(1)
    ensure_postgres_database(url)
    run_backend("postgresql", {**base_env, "EDUGATE_VAR_DIR": str(var),
                               "EDUGATE_DATABASE_URL": url})


if __name__ == "__main__":
    main()
