#!/usr/bin/env bash
# Prints a PostgreSQL URL the test suite may use (it creates and drops its own test database).
# Order: $EDUGATE_TEST_POSTGRES_URL; a server on loopback that trusts the postgres role; else
# install and start Debian's PostgreSQL and create an `edugate` role with CREATEDB.
set -euo pipefail
if [ -n "${EDUGATE_TEST_POSTGRES_URL:-}" ]; then
  echo "$EDUGATE_TEST_POSTGRES_URL"; exit 0
fi
try() { PGCONNECT_TIMEOUT=3 psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }
if command -v psql >/dev/null && try "postgresql://postgres@127.0.0.1:5432/postgres"; then
  echo "postgres://postgres@127.0.0.1:5432/edugate"; exit 0
fi
if command -v psql >/dev/null && try "postgresql://edugate:edugate@127.0.0.1:5432/postgres"; then
  echo "postgres://edugate:edugate@127.0.0.1:5432/edugate"; exit 0
fi
if ! command -v pg_ctlcluster >/dev/null; then
  echo "Installing PostgreSQL for the test suite" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  runuser -u postgres -- psql -Atqc 'select 1' >/dev/null 2>&1 && break
  sleep 1
done
runuser -u postgres -- psql -qc "DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'edugate') THEN
    CREATE ROLE edugate LOGIN CREATEDB PASSWORD 'edugate';
  END IF; END\$\$;" >&2
echo "postgres://edugate:edugate@127.0.0.1:5432/edugate"
