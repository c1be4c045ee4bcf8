#!/usr/bin/env bash
# The whole suite on both databases at once: SQLite in the foreground (browser tests included),
# PostgreSQL beside it on mail-plane slot 1 (its own daemons, folders and ports; see
# tests/mail/plane/conftest.py), its output printed when both are done. Each leg is mostly one
# Python process waiting on its database and daemons, so on two cores the two together take
# little longer than the slower alone. Exits non-zero if either leg fails.
set -uo pipefail
cd "$(dirname "$0")/.."
pytest=.venv/bin/pytest
postgres_url="$(scripts/test-postgres-url.sh)" || exit 1
log="$(mktemp -t edugate-postgres-tests.XXXXXX)"
trap 'rm -f "$log"' EXIT

# In a process group of its own (job control on), so that Ctrl-C can be passed on as SIGINT:
# pytest then tears its daemons and test database down as it does on a Ctrl-C of its own.
set -m
EDUGATE_TEST_PLANE_SLOT=1 EDUGATE_DATABASE_URL="$postgres_url" \
  "$pytest" -q -m "not browser" -p no:cacheprovider >"$log" 2>&1 &
postgres_pid=$!
set +m
trap 'kill -INT -- "-$postgres_pid" 2>/dev/null; wait "$postgres_pid"; rm -f "$log"; exit 130' \
  INT TERM

echo "== SQLite (the PostgreSQL leg runs beside it; its output follows) =="
"$pytest" -q
sqlite_status=$?
wait "$postgres_pid"
postgres_status=$?
echo "== PostgreSQL =="
cat "$log"
echo "== SQLite: exit $sqlite_status; PostgreSQL: exit $postgres_status =="
[ "$sqlite_status" -eq 0 ] && [ "$postgres_status" -eq 0 ]
