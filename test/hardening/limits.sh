#!/usr/bin/env bash
# test/hardening/limits.sh: one huge group (tens of millions of events of one
# user) through the aggregates that keep every event of their group in memory
# (sessionize(ts), sessionize(user_id, ts), funnel(ts, step, window, steps)):
# time, peak backend memory and bytes per event, at two sizes (to tell O(1)
# from O(events)), and sessionize checked against the plain-SQL window
# functions (LAG + running SUM) on a subset.  A measurement, not a test.
#
# Usage: test/hardening/limits.sh [EVENTS]   (default 30000000; LIMITS_CHECK
# events for the plain-SQL check, default 2000000).  Own cluster hard-limits
# on port 54463, stopped on exit.  Prints a Markdown table; exits 1 if a check
# fails.
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"

N="${1:-${LIMITS_EVENTS:-30000000}}"
CHECK_N="${LIMITS_CHECK:-2000000}"
HALF=$((N / 2))
NAME=hard-limits
DB=limits
WORK="$(mktemp -d /tmp/engage-limits-run.XXXXXX)"
FAILED=0

# Stop the cluster, remove its data (GBs) and the scratch folder.
cleanup() {
    engage_cluster_stop "$NAME" >/dev/null 2>&1 || true
    rm -rf "$(engage_cluster_dir "$NAME")" "$WORK"
}
trap cleanup EXIT

# psql on the test database, unaligned, stop on the first error: q SQL runs
# one command, q_in runs the script on standard input.
q() { "$(engage_pgbin)/psql" -X -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1" </dev/null; }
q_in() { "$(engage_pgbin)/psql" -X -At -v ON_ERROR_STOP=1 -d "$DB"; }

# Field KEY (kB) of /proc/PID/status, or empty when the process is gone.
proc_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# measure LABEL SQL: run SQL in a new session while sampling its backend's
# memory every 20 ms; print "LABEL|ms|base_anon_kB|peak_anon_kB|hwm_delta_kB|result"
# (ms from psql's \timing; a failure is recorded in $WORK/failed).
measure() {
    local label="$1" sql="$2" pidf="$WORK/pid" out="$WORK/out" cpid pid base hwm0 v peak=0 hwm=0
    rm -f "$pidf" "$out"
    "$(engage_pgbin)/psql" -X -At -v ON_ERROR_STOP=1 -d "$DB" >"$out" 2>&1 <<SQL &
\o $pidf
SELECT pg_backend_pid();
\o
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT pg_sleep(0.3);
\timing on
$sql;
SQL
    cpid=$!
    while [ ! -s "$pidf" ] && kill -0 "$cpid" 2>/dev/null; do sleep 0.02; done
    pid="$(cat "$pidf" 2>/dev/null)"
    sleep 0.1
    base="$(proc_kb "$pid" RssAnon)"; hwm0="$(proc_kb "$pid" VmHWM)"
    while kill -0 "$cpid" 2>/dev/null; do
        v="$(proc_kb "$pid" RssAnon)"; [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak="$v"
        v="$(proc_kb "$pid" VmHWM)"; [ -n "$v" ] && hwm="$v"
        sleep 0.02
    done
    if ! wait "$cpid"; then
        engage_say "$label failed:"; cat "$out" >&2; echo "$label" >>"$WORK/failed"
    fi
    echo "$label|$(awk '/^Time: / { printf "%d", $2 }' "$out")|${base:-0}|$peak|$(( ${hwm:-0} - ${hwm0:-0} ))|$(grep -v -e '^$' -e '^Time: ' -e '^Timing' "$out" | tail -n 1)"
}

# check DESC GOT WANT: report and count a mismatch (an empty GOT fails).
check() {
    if [ -n "$2" ] && [ "$2" == "$3" ]; then echo "ok - $1"
    else echo "FAILED - $1"; echo "  got:  $2"; echo "  want: $3"; FAILED=1; fi
}

engage_build || exit 1
ENGAGE_PORT=54463 ENGAGE_EXTRA_CONF="work_mem = '64MB'
max_parallel_workers_per_gather = 0
jit = off" engage_cluster_start "$NAME" || exit 1
"$(engage_pgbin)/createdb" "$DB" || exit 1
q "CREATE EXTENSION engage" >/dev/null || exit 1
q "ALTER DATABASE $DB SET search_path = public, engage" >/dev/null || exit 1

# One user's events: event i at i x 15 min plus a hashed 0-90 min jitter, so
# the input is out of order and about 13% of the sorted gaps exceed 30 min
# (~7.7 events per session, some bounces).
engage_say "loading $N events"
t0="$(date +%s)"
q_in <<SQL >/dev/null || exit 1
CREATE UNLOGGED TABLE ev (i bigint, ts timestamptz, step int);
INSERT INTO ev
SELECT i, timestamptz '2020-01-01 00:00+00' + i * interval '15 minutes'
          + ((hashint8(i) & 2147483647) % 5400) * interval '1 second',
       1 + (hashint8(-i) & 2147483647) % 4
FROM generate_series(1, $N) i;
VACUUM ANALYZE ev;
SQL
engage_say "loaded in $(( $(date +%s) - t0 )) s ($(q "SELECT pg_size_pretty(pg_total_relation_size('ev'))"))"

SESS="SELECT sessions(s) || ' ' || events(s) || ' ' || bounces(s) || ' ' || extract(epoch FROM total_session_duration(s))"
R=()
for n in "$HALF" "$N"; do
    R+=("$(measure "count(*)|$n" "SELECT count(*) FROM ev WHERE i <= $n")")
    R+=("$(measure "sessionize(ts)|$n" "$SESS FROM (SELECT sessionize(ts) AS s FROM ev WHERE i <= $n) x")")
    R+=("$(measure "sessionize(user_id, ts)|$n" "$SESS FROM (SELECT sessionize(1::bigint, ts) AS s FROM ev WHERE i <= $n) x")")
    R+=("$(measure "funnel(ts, step, '1 day', 4)|$n" "SELECT string_agg(users::text, ',' ORDER BY step) FROM funnel_steps((SELECT funnel(ts, step, '1 day', 4) FROM ev WHERE i <= $n))")")
done

# Correctness: sessionize on the first CHECK_N events against plain SQL.
PLAIN="SELECT count(*) FILTER (WHERE new) || ' ' || sum(n) || ' ' || count(*) FILTER (WHERE n = 1) || ' '
          || extract(epoch FROM sum(d))
       FROM (SELECT count(*) AS n, max(ts) - min(ts) AS d, bool_or(new) AS new
             FROM (SELECT ts, sum(CASE WHEN new THEN 1 ELSE 0 END)
                                OVER (ORDER BY ts, new DESC ROWS UNBOUNDED PRECEDING) AS sid, new
                   FROM (SELECT ts, coalesce(ts - lag(ts) OVER (ORDER BY ts) > interval '30 minutes', true) AS new
                         FROM ev WHERE i <= $CHECK_N) a) b
             GROUP BY sid) c"
want="$(q "$PLAIN")"
check "sessionize(ts) = plain SQL on $CHECK_N events ($want)" \
    "$(q "$SESS FROM (SELECT sessionize(ts) AS s FROM ev WHERE i <= $CHECK_N) x")" "$want"
check "sessionize(user_id, ts) = plain SQL on $CHECK_N events" \
    "$(q "$SESS FROM (SELECT sessionize(1::bigint, ts) AS s FROM ev WHERE i <= $CHECK_N) x")" "$want"
# At full size: both forms agree, and every event is counted.
full1="$(printf '%s\n' "${R[@]}" | awk -F'|' -v n="$N" '$1 == "sessionize(ts)" && $2 == n { print $7 }')"
full2="$(printf '%s\n' "${R[@]}" | awk -F'|' -v n="$N" '$1 == "sessionize(user_id, ts)" && $2 == n { print $7 }')"
check "sessionize(ts) = sessionize(user_id, ts) on $N events" "$full1" "$full2"
check "events = $N" "$(echo "$full1" | cut -d' ' -f2)" "$N"
check "funnel: the one user reached step 1" \
    "$(printf '%s\n' "${R[@]}" | awk -F'|' -v n="$N" '$1 ~ /^funnel/ && $2 == n { split($7, a, ","); print a[1] }')" "1"

echo
echo "| Aggregate (one group) | Events | Time (s) | Peak anon memory (MB) | VmHWM rise (MB) | Bytes / event | Result |"
echo "|---|---:|---:|---:|---:|---:|---|"
for r in "${R[@]}"; do
    IFS='|' read -r label n ms base peak hwm res <<<"$r"
    awk -v l="$label" -v n="$n" -v ms="$ms" -v b="$base" -v p="$peak" -v h="$hwm" -v r="$res" 'BEGIN {
        printf "| `%s` | %d | %.1f | %.0f | %.0f | %.1f | %s |\n", l, n, ms / 1000, (p - b) / 1024, h / 1024, (p - b) * 1024 / n, r }'
done
echo
echo "Peak anon memory: highest RssAnon of the backend sampled every 20 ms, minus its value before the query."
echo "VmHWM rise: the kernel's peak resident set of the backend (shared buffers touched included) minus its value before."
[ -s "$WORK/failed" ] && FAILED=1
[ "$FAILED" -eq 0 ] || { engage_say "a check failed"; exit 1; }
