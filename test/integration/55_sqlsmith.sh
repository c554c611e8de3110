#!/usr/bin/env bash
# sqlsmith against engage, bounded (2000 queries or 40 s), on a private cluster
# (it-sqlsmith, port 54339): random queries from a non-superuser role over
# tables with a column of every type engage takes. Checks, from the server's
# own records: the server never crashed, queries ran, engage functions ran,
# and engage still computes a hand-checked NPS afterwards. The long run with
# a targeted pass is test/hardening/sqlsmith.sh. Needs the sqlsmith package.
set -uo pipefail
# shellcheck source=test/hardening/sqlsmith.sh
. "$(dirname "${BASH_SOURCE[0]}")/../hardening/sqlsmith.sh"
# shellcheck source=test/integration/tap.sh
. "$ENGAGE_REPO/test/integration/tap.sh"

NAME=it-sqlsmith
PORT=54339
QUERIES="${SMITH_QUERIES:-2000}"
SECONDS_MAX="${SMITH_SECONDS:-40}"
MIN_QUERIES=100
OUT="$ENGAGE_LOGS/$NAME"
trap 'engage_cluster_stop "$NAME" >/dev/null 2>&1 || true' EXIT

smith_deps
tap_ok $? "sqlsmith is installed"
if ! smith_cluster_start "$NAME" "$PORT" || ! smith_setup; then
    tap_ok 1 "cluster $NAME and the fuzz database are set up"
    tap_done
fi
tap_ok 0 "cluster $NAME and the fuzz database are set up"
tap_is "$(smith_sql "SELECT rolsuper FROM pg_roles WHERE rolname = 'smith'")" "f" \
    "sqlsmith connects as a non-superuser role"

rm -rf "$OUT"; mkdir -p "$OUT"
start0="$(smith_sql 'SELECT pg_postmaster_start_time()')"
pid0="$(head -1 "$ENGAGE_DATA/postmaster.pid")"
x0="$(smith_sql "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$SMITH_DB'")"
seed="${SMITH_SEED:-$RANDOM}"
smith_run "$QUERIES" "$SECONDS_MAX" "$seed" "$OUT"
sleep 1   # backends flush their statistics on exit
read -r n e <<<"$(awk '{ v[$1] = $2 } END { print v["queries"] + 0, v["engage"] + 0 }' "$OUT/counts")"
tap_diag "sqlsmith seed $seed: $n queries generated, $e calling engage"

# The server is the same process, never restarted, and logged no crash.
tap_is "$(smith_sql 'SELECT pg_postmaster_start_time()' 2>&1)" "$start0" \
    "postmaster start time unchanged (no crash and restart)"
tap_is "$(head -1 "$ENGAGE_DATA/postmaster.pid" 2>&1)" "$pid0" "same postmaster process"
crashes="$(smith_crashes "$ENGAGE_LOG" "$OUT/crashes.log")"
tap_is "$crashes" "0" "server log shows no process killed by a signal, no PANIC"
[ "$crashes" -eq 0 ] || sed 's/^/# /' "$OUT/crashes.log"

# Queries ran: the server counted at least one transaction per generated query.
x1="$(smith_sql "SELECT xact_commit + xact_rollback - $x0 FROM pg_stat_database WHERE datname = '$SMITH_DB'")"
tap_diag "server transactions in $SMITH_DB: $x1"
[ "$n" -ge "$MIN_QUERIES" ]
tap_ok $? "sqlsmith generated at least $MIN_QUERIES queries ($n)"
[ "$x1" -ge "$n" ]
tap_ok $? "the server ran them: $x1 transactions >= $n queries"
[ "$e" -gt 0 ]
tap_ok $? "queries called engage functions ($e)"

# engage's C functions were executed (the executor's own count, track_functions = all).
read -r fns calls <<<"$(smith_fn_stats)"
tap_diag "engage functions executed: $fns distinct, $calls calls"
[ "${calls:-0}" -gt 0 ]
tap_ok $? "engage functions were executed by the server ($fns distinct)"

# engage still answers right: 2 promoters, 1 passive, 1 detractor of 4 = NPS 25.
tap_is "$("$(engage_pgbin)/psql" -X -A -t -U smith -d "$SMITH_DB" </dev/null \
          -c 'SELECT engage.nps(x) FROM (VALUES (10), (9), (7), (0)) v(x)' 2>&1)" "25" \
    "after the run, nps() of 10, 9, 7, 0 is 25"
tap_done
