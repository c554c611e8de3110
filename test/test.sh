#!/usr/bin/env bash
# The test command: build, install, then run pg_regress and pgTAP on a
# throwaway cluster. The last line printed is always "N passed, N failed".
# Exits non-zero if anything failed or if no test ran.
set -euo pipefail
# shellcheck source=test/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ENGAGE_REPO"

PASSED=0
FAILED=0

# Print the final summary line and exit with the matching status.
finish() {
    engage_cluster_stop test >/dev/null 2>&1 || true
    echo "$PASSED passed, $FAILED failed"
    if [ "$FAILED" -gt 0 ] || [ "$PASSED" -eq 0 ]; then exit 1; fi
    exit 0
}

# Count a setup step that broke (deps, build, cluster) as one failure and stop.
abort() {
    engage_say "$1"
    FAILED=$((FAILED + 1))
    finish
}

trap 'engage_cluster_stop test >/dev/null 2>&1 || true' EXIT

engage_deps "${ENGAGE_TEST_PKGS[@]}" || abort "dependencies could not be installed"
engage_build || abort "build failed"
# pg_cron runs in the test cluster (test/integration/10_cron.sh schedules a
# concurrent refresh); its jobs run as background workers, not over TCP.
export ENGAGE_EXTRA_CONF="shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 16"
engage_cluster_start test || abort "test cluster did not start"
echo "== cluster: $ENGAGE_DIR (port $PGPORT)"

# --- a) pg_regress (sql/NN_*.sql against expected/NN_*.out) -----------------
shopt -s nullglob
regress=(sql/[0-9][0-9]_*.sql)
if [ "${#regress[@]}" -eq 0 ]; then
    echo "== pg_regress: no sql/NN_*.sql tests yet"
else
    echo "== pg_regress: ${#regress[@]} test(s)"
    rm -f regression.diffs regression.out
    rlog="$ENGAGE_LOGS/installcheck.log"
    rc=0
    make installcheck PG_CONFIG="$PG_CONFIG" </dev/null >"$rlog" 2>&1 || rc=$?
    grep -E '^(test |parallel group| +[^ ]+ +\.\.\. |(not )?ok [0-9]+)' "$rlog" || true
    read -r p f <<<"$(engage_count_regress "$rlog")"
    # pg_regress dying before or between tests must not pass silently.
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "== make installcheck exited $rc:"
        cat "$rlog"
    fi
    if [ "$f" -gt 0 ] && [ -f regression.diffs ]; then
        echo "== regression.diffs:"
        cat regression.diffs
    fi
    echo "== pg_regress: $p passed, $f failed"
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
fi

# --- b) pgTAP (test/pgtap/*.sql through pg_prove) ---------------------------
tap=(test/pgtap/*.sql)
if [ "${#tap[@]}" -eq 0 ]; then
    echo "== pgTAP: no test/pgtap/*.sql tests yet"
else
    echo "== pgTAP: ${#tap[@]} file(s)"
    export ENGAGE_TAP_DB=engage_tap
    tlog="$ENGAGE_LOGS/pgtap.log"
    psql=(env PGOPTIONS="-c client_min_messages=warning" "$(engage_pgbin)/psql" -X -q -v ON_ERROR_STOP=1)
    if ! "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $ENGAGE_TAP_DB" \
            -c "CREATE DATABASE $ENGAGE_TAP_DB" </dev/null ||
       ! "${psql[@]}" -d "$ENGAGE_TAP_DB" -c 'CREATE EXTENSION pgtap' \
            -c 'CREATE EXTENSION engage' </dev/null; then
        echo "== pgTAP: could not set up database $ENGAGE_TAP_DB"
        FAILED=$((FAILED + 1))
    else
        read -r p f <<<"$(engage_run_pgtap "$tlog" "${tap[@]}")"
        cat "$tlog"
        echo "== pgTAP: $p passed, $f failed"
        PASSED=$((PASSED + p))
        FAILED=$((FAILED + f))
    fi
fi

# --- c) integration tests (test/integration/NN_*.sh, TAP on stdout) ----------
# Each runs against the test cluster (PGHOST/PGPORT exported) and may start
# clusters of its own on the ports it documents. Counted like pgTAP.
itests=(test/integration/[0-9][0-9]_*.sh)
if [ "${#itests[@]}" -gt 0 ]; then
    echo "== integration: ${#itests[@]} script(s)"
    for t in "${itests[@]}"; do
        ilog="$ENGAGE_LOGS/integration-$(basename "$t" .sh).log"
        rc=0
        bash "$t" </dev/null >"$ilog" 2>&1 || rc=$?
        read -r p f <<<"$(engage_count_tap "$ilog")"
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
        if [ "$f" -gt 0 ]; then cat "$ilog"; fi
        echo "== $t: $p passed, $f failed"
        PASSED=$((PASSED + p))
        FAILED=$((FAILED + f))
    done
fi

# --- d) summary -------------------------------------------------------------
finish
