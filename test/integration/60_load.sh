#!/usr/bin/env bash
# Integration test: a short concurrent load on daily states (the full run is
# test/hardening/load.sh).  In a fresh database engage_load_<pid> of the test
# cluster, for LOAD_SECONDS (default 12) at once: pgbench readers (8 clients,
# 2 threads) rolling up a materialized view of daily NPS states by month and
# segment, pgbench writers (2 clients) inserting responses, and a loop of
# REFRESH MATERIALIZED VIEW CONCURRENTLY.  Then: no failed transaction or
# client error, no lost row, and after a final refresh the view's rollups equal
# the raw rows (exact states, and plain-SQL counts per score).  About 20 s.
set -uo pipefail
# shellcheck source=test/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=test/integration/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
# shellcheck source=test/hardening/load.sh
. "$ENGAGE_REPO/test/hardening/load.sh"

SECS="${LOAD_SECONDS:-12}"
ROWS="${LOAD_ROWS:-100000}"
LOAD_DB="engage_load_$$"
LOAD_DIR="$(mktemp -d)"
T_START=$SECONDS

# cleanup: drop the database and the scratch folder (every client has ended).
cleanup() {
    "$(engage_pgbin)/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $LOAD_DB WITH (FORCE)" \
        >/dev/null 2>&1 </dev/null
    rm -rf "$LOAD_DIR"
}
trap cleanup EXIT

load_setup "$ROWS"
tap_ok $? "set up $LOAD_DB: $ROWS responses, a view of daily NPS states"
initial="$(cat "$LOAD_DIR/initial_rows" 2>/dev/null)"
tap_is "$initial" "$ROWS" "initial rows loaded"
log_start=""
if [ -n "${ENGAGE_LOG:-}" ] && [ -r "$ENGAGE_LOG" ]; then log_start="$(stat -c %s "$ENGAGE_LOG")"; fi

load_run "$SECS"
tap_is "$(cat "$LOAD_DIR/reader.rc" 2>/dev/null)" 0 "readers: pgbench exited 0"
tap_is "$(cat "$LOAD_DIR/writer.rc" 2>/dev/null)" 0 "writers: pgbench exited 0"
tap_is "$(load_stat "$LOAD_DIR/reader.out" failed)" 0 "readers: 0 failed transactions"
tap_is "$(load_stat "$LOAD_DIR/writer.out" failed)" 0 "writers: 0 failed transactions"
tap_is "$(( $(load_client_errors reader) + $(load_client_errors writer) ))" 0 "no error in the pgbench client logs"
reads="$(load_stat "$LOAD_DIR/reader.out" transactions)"
inserted="$(load_stat "$LOAD_DIR/writer.out" transactions)"
[ "${reads:-0}" -gt 0 ] && [ "${inserted:-0}" -gt 0 ]
tap_ok $? "readers and writers both ran (${reads:-0} reads, ${inserted:-0} inserts)"
read -r rn rmin rmed rmax rmean <<<"$(load_refresh_summary)"
[ "$rn" -ge 2 ]
tap_ok $? "the view was refreshed concurrently during the load ($rn times)"
tap_is "$(wc -c <"$LOAD_DIR/refresh.err")" 0 "no refresh failed"

load_final_refresh
tap_ok $? "final REFRESH MATERIALIZED VIEW CONCURRENTLY"
total=$(( ${initial:-0} + ${inserted:-0} ))
tap_is "$(load_q "SELECT count(*) FROM responses")" "$total" "no lost rows: count = initial + pgbench inserts"
tap_is "$(load_q "SELECT last_value FROM responses_id_seq")" "$total" "every sequence value drawn is a stored row"
tap_is "$(load_q "SELECT sum(n) FROM daily")" "$total" "the refreshed view counts every row"
tap_is "$(load_state_mismatches)" 0 "rollup() of the daily states = nps_agg() of the raw rows, per month and segment"
tap_is "$(load_count_mismatches)" 0 "score counts of the rollups = plain-SQL counts per score, month and segment"
if [ -n "$log_start" ]; then
    errs="$(load_log_errors "$ENGAGE_LOG" "$log_start")"
    tap_is "$(printf '%s' "$errs" | grep -c .)" 0 "no ERROR/FATAL/PANIC in the server log during the run"
    [ -n "$errs" ] && tap_diag "$(printf '%s\n' "$errs" | head -n 10)"
else
    tap_ok 0 "server log check skipped: ENGAGE_LOG is not set (run from test/test.sh)"
fi
tap_diag "readers: $(load_stat "$LOAD_DIR/reader.out" tps) tps, mean latency $(load_stat "$LOAD_DIR/reader.out" latency) ms"
tap_diag "writers: $(load_stat "$LOAD_DIR/writer.out" tps) tps, mean latency $(load_stat "$LOAD_DIR/writer.out" latency) ms"
tap_diag "refreshes: $rn, ms min $rmin median $rmed max $rmax mean $rmean; $((SECONDS - T_START)) s in all"
tap_done
