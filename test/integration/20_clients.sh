#!/usr/bin/env bash
# BI clients: every engage metric and state type read through real client libraries,
# node-postgres (npm `pg`, text and binary results) and psycopg2 (text, and COPY
# binary), each value checked against plain SQL or a hand-computed value. The client
# scripts and their data are in test/clients/; their TAP lines are numbered here.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ENGAGE_REPO/test/integration/tap.sh"

DB=engage_clients
ROLE=engage_clients_bi   # the clients connect as this BI role, set up as docs/bi.md says
CLIENTS="$ENGAGE_REPO/test/clients"
PSQL="$(engage_pgbin)/psql"
LOGDIR="$ENGAGE_LOGS/clients"
# psycopg2 from Debian's python3-psycopg2 belongs to the system Python.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
mkdir -p "$LOGDIR"

# Drop the test database and role (on exit too).
cleanup() {
    "$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $ROLE" \
        </dev/null >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Install Debian's nodejs and npm if node or npm is missing.
ensure_node() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
    engage_as_root apt-get update </dev/null >"$LOGDIR/apt.log" 2>&1 &&
        engage_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            nodejs npm </dev/null >>"$LOGDIR/apt.log" 2>&1
}

# Install the pinned npm dependencies (package-lock.json) unless present.
ensure_node_modules() {
    [ -f "$CLIENTS/node_modules/pg/package.json" ] && return 0
    (cd "$CLIENTS" && npm ci --no-audit --no-fund) </dev/null >"$LOGDIR/npm.log" 2>&1
}

# relay FILE: number the client's "ok - ..." / "not ok - ..." lines; pass comments on.
relay() {
    local line
    while IFS= read -r line; do
        case "$line" in
            "ok - "*) tap_ok 0 "${line#ok - }" ;;
            "not ok - "*) tap_ok 1 "${line#not ok - }" ;;
            "#"*) echo "$line" ;;
            *) echo "# $line" ;;
        esac
    done <"$1"
}

# run_client NAME COMMAND...: run a client against the test database and relay its TAP.
run_client() {
    local name="$1" rc=0; shift
    PGDATABASE=$DB PGUSER=$ROLE timeout 120 "$@" </dev/null >"$LOGDIR/$name.out" 2>"$LOGDIR/$name.err" || rc=$?
    relay "$LOGDIR/$name.out"
    [ -s "$LOGDIR/$name.err" ] && sed 's/^/# stderr: /' "$LOGDIR/$name.err" | head -n 20
    tap_ok "$rc" "$name client ran to the end without failures (exit $rc)"
}

# The test database with data and cases, and a BI role: read access (USAGE on schema
# engage comes from CREATE EXTENSION) and the search_path that docs/bi.md recommends.
"$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres >"$LOGDIR/setup.log" 2>&1 <<SQL
DROP DATABASE IF EXISTS $DB;
DROP ROLE IF EXISTS $ROLE;
CREATE ROLE $ROLE LOGIN;
CREATE DATABASE $DB;
\c $DB
CREATE EXTENSION engage;
ALTER DATABASE $DB SET TimeZone = 'UTC';
SQL
rc=$?
if [ "$rc" -eq 0 ]; then
    PGOPTIONS='-c search_path=public,engage' "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$DB" \
        -f "$CLIENTS/fixture.sql" -f "$CLIENTS/cases.sql" \
        -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO $ROLE" \
        -c "ALTER ROLE $ROLE SET search_path = \"\$user\", public, engage" </dev/null >>"$LOGDIR/setup.log" 2>&1
    rc=$?
fi
tap_ok "$rc" "database $DB with the client fixture and cases"
[ "$rc" -eq 0 ] || { sed 's/^/# /' "$LOGDIR/setup.log" | tail -n 20; tap_done; }
tap_diag "$("$PSQL" -X -At -d "$DB" -c "SELECT (SELECT count(*) FROM client_metric) || ' metric cases, '
    || (SELECT count(*) FROM client_state) || ' state cases'")"

if ensure_node && ensure_node_modules; then
    run_client node node "$CLIENTS/pg_test.js"
else
    tap_ok 1 "node and the npm dependencies of test/clients (logs: $LOGDIR)"
fi

if "$PYTHON" -c 'import psycopg2' 2>/dev/null; then
    run_client psycopg2 "$PYTHON" "$CLIENTS/psycopg2_test.py"
else
    tap_ok 1 "psycopg2 for $PYTHON (Debian package python3-psycopg2)"
fi

tap_done
