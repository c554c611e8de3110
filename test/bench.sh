#!/usr/bin/env bash
# The benchmark command (issue 2): engage's aggregates against the best plain
# SQL on a throwaway cluster. A benchmark, not a test: it asserts nothing; it
# prints a table of medians and whether each target was met.
#
#   test/bench.sh                         full run (10M rows, 7 rounds)
#   BENCH_ROWS=1000000 BENCH_ROUNDS=3 test/bench.sh    quick run
#
# Environment:
#   BENCH_ROWS            rows in bench_responses           (10000000)
#   BENCH_WINDOW_ROWS     rows in the moving-window table   (200000)
#   BENCH_ROUNDS          measured rounds per comparison    (7)
#   BENCH_WARMUP          warm-up rounds per comparison     (1)
#   BENCH_SHARED_BUFFERS  shared_buffers of the bench cluster (2GB)
#   BENCH_HUGE_PAGES      huge_pages of the bench cluster   (try; "on" needs
#                         vm.nr_hugepages set, e.g. 1100 for 2GB: see
#                         docs/benchmarks.md on why parallel scans want them)
#   BENCH_RETRIES         re-measurements of a contended comparison (2)
#   BENCH_QUIET_WAIT      seconds to wait for an idle machine before each
#                         comparison (60)
#   BENCH_KEEP=1          leave the cluster running afterwards
#   ENGAGE_PORT           port of the bench cluster         (54414)
# Raw timings, plans and the table go to .run/logs/bench/.
#
# Method: the data is loaded once (test/bench/load.sql), frozen, analyzed and
# prewarmed into shared buffers. Each comparison runs its queries in one
# session, interleaved (A, B, A, B, ...): BENCH_WARMUP unmeasured rounds, then
# BENCH_ROUNDS measured ones. A query's time is the "Execution Time" of
# EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON); the table shows medians. The
# backend's CPU and run-queue time (/proc/self/schedstat) are recorded too:
# a comparison starts once the machine is idle, and one whose serial queries
# waited for a CPU (other load) is measured again.
# Every session runs with jit = off, work_mem = 256MB and, unless a comparison
# says otherwise, max_parallel_workers_per_gather = 0 (single-threaded).
set -euo pipefail
# shellcheck source=test/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ENGAGE_REPO"

BENCH_ROWS="${BENCH_ROWS:-10000000}"
BENCH_WINDOW_ROWS="${BENCH_WINDOW_ROWS:-200000}"
BENCH_ROUNDS="${BENCH_ROUNDS:-7}"
BENCH_WARMUP="${BENCH_WARMUP:-1}"
BENCH_SHARED_BUFFERS="${BENCH_SHARED_BUFFERS:-2GB}"
BENCH_HUGE_PAGES="${BENCH_HUGE_PAGES:-try}"
BENCH_RETRIES="${BENCH_RETRIES:-2}"
BENCH_QUIET_WAIT="${BENCH_QUIET_WAIT:-60}"
BENCH_KEEP="${BENCH_KEEP:-0}"
export ENGAGE_PORT="${ENGAGE_PORT:-54414}"
OUT="$ENGAGE_LOGS/bench"
[ "$BENCH_WINDOW_ROWS" -le "$BENCH_ROWS" ] || BENCH_WINDOW_ROWS="$BENCH_ROWS"

SESSION_OPTS="-c jit=off -c max_parallel_workers_per_gather=0 -c work_mem=256MB"
SERIAL="SET max_parallel_workers_per_gather = 0;"
PARALLEL="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"

say() { printf '%s\n' "$*"; }

bench_psql() {
    PGOPTIONS="$SESSION_OPTS" "$(engage_pgbin)/psql" -X -q -At -v ON_ERROR_STOP=1 "$@" </dev/null
}

# The installed module's checksum: others may `make install` during a run.
so_sum() { md5sum "$("$PG_CONFIG" --pkglibdir)/engage.so" | cut -c1-12; }

# --- setup -----------------------------------------------------------------
mkdir -p "$OUT"
rm -f "$OUT"/*.sql "$OUT"/*.out "$OUT"/raw.tsv "$OUT"/*.md
engage_deps
engage_build
engage_cluster_start bench
if [ "$BENCH_KEEP" = 1 ]; then
    trap 'engage_cluster_hint bench postgres "bash -c \". test/lib.sh; engage_cluster_stop bench\""' EXIT
else
    trap 'engage_cluster_stop bench >/dev/null 2>&1 || true' EXIT
fi
bench_psql -c "ALTER SYSTEM SET shared_buffers = '$BENCH_SHARED_BUFFERS'" \
    -c "ALTER SYSTEM SET huge_pages = '$BENCH_HUGE_PAGES'" \
    -c "ALTER SYSTEM SET jit = off" -c "ALTER SYSTEM SET autovacuum = off"
engage_as_pg "$(engage_pgbin)/pg_ctl" -D "$ENGAGE_DATA" -l "$ENGAGE_LOG" -w -t 60 \
    restart </dev/null >"$ENGAGE_DIR/pg_ctl.log" 2>&1 ||
    { cat "$ENGAGE_DIR/pg_ctl.log" >&2; tail -n 5 "$ENGAGE_LOG" >&2; exit 1; }
SO_START="$(so_sum)"

say "# engage benchmark"
say "date:        $(date -u '+%Y-%m-%d %H:%M UTC')"
say "machine:     $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(free -g | awk '/^Mem:/ {print $2}') GB RAM"
say "postgres:    $(bench_psql -c 'SELECT version()')"
say "settings:    shared_buffers=$(bench_psql -c 'SHOW shared_buffers') jit=$(bench_psql -c 'SHOW jit') work_mem=256MB autovacuum=$(bench_psql -c 'SHOW autovacuum') huge_pages=$(bench_psql -c 'SHOW huge_pages') (OS huge pages: $(awk '/^HugePages_Total/ {t = $2} /^HugePages_Free/ {f = $2} /^HugePages_Rsvd/ {r = $2} END {printf "%d, %d in use or reserved", t, t - f + r}' /proc/meminfo))"
say "engage:      $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src sql 2>/dev/null || echo ' (+ local changes)'), engage.so md5 $SO_START"
say "rows:        $BENCH_ROWS (window table $BENCH_WINDOW_ROWS), rounds: $BENCH_WARMUP warm-up + $BENCH_ROUNDS measured"

t0=$SECONDS
bench_psql -v rows="$BENCH_ROWS" -v window_rows="$BENCH_WINDOW_ROWS" -f test/bench/load.sql
say "load:        $((SECONDS - t0)) s"
# Everything into shared buffers, then a scan of each table.
bench_psql -c "SELECT pg_prewarm(c) FROM unnest('{bench_responses,bench_window,bench_daily}'::regclass[]) c" >/dev/null
bench_psql -c "SELECT count(*) FROM bench_responses" -c "SELECT count(*) FROM bench_window" \
    -c "SELECT count(*) FROM bench_daily" >/dev/null

say ""
say "## sizes"
{
    say "| relation | rows | heap | total | pages all-visible |"
    say "|---|---:|---:|---:|---:|"
    bench_psql -F ' | ' -c "
        SELECT c.relname, c.reltuples::bigint, pg_size_pretty(pg_relation_size(c.oid)),
               pg_size_pretty(pg_total_relation_size(c.oid)), c.relallvisible || ' / ' || c.relpages
        FROM pg_class c WHERE c.relname IN ('bench_responses', 'bench_window', 'bench_daily')
        ORDER BY pg_relation_size(c.oid) DESC" | sed 's/^/| /; s/$/ |/'
}
say "state: nps_state typlen $(bench_psql -c "SELECT typlen FROM pg_type WHERE typname = 'nps_state'") bytes; pg_column_size(st) in bench_daily = $(bench_psql -c 'SELECT pg_column_size(st) FROM bench_daily LIMIT 1') bytes"

# --- measuring ---------------------------------------------------------------
declare -A MED=() CPU=() WAIT=()
Q_LABEL=(); Q_PRE=(); Q_SQL=()

# add LABEL PRE SQL: one query of the next group; PRE is SQL run before it.
add() { Q_LABEL+=("$1"); Q_PRE+=("$2"); Q_SQL+=("$3"); }

# median: the median of the numbers on standard input, one a line.
median() {
    sort -g | awk '{v[NR] = $1} END {printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# The backend's own CPU and run-queue time (ns) from /proc/self/schedstat.
SCHED="string_to_array(pg_read_file('/proc/self/schedstat'), ' ')"

# wait_quiet: wait (up to BENCH_QUIET_WAIT s) until the rest of the machine
# uses under 10% of one core, sampled over a second.
wait_quiet() {
    local t0=$SECONDS
    local -a s0 s1
    while :; do
        read -r -a s0 </proc/stat; sleep 1; read -r -a s1 </proc/stat
        # busy = user + nice + system + irq + softirq + steal, in 1/100 s
        (( (s1[1] + s1[2] + s1[3] + s1[6] + s1[7] + s1[8]) -
           (s0[1] + s0[2] + s0[3] + s0[6] + s0[7] + s0[8]) < 10 )) && return 0
        if (( SECONDS - t0 >= BENCH_QUIET_WAIT )); then
            say "  (machine still busy after ${BENCH_QUIET_WAIT}s; measuring anyway)"; return 0
        fi
    done
}

# group NAME: run the queries added so far, interleaved, and record medians:
# MED (execution time), CPU (the backend's CPU time; the leader's alone for a
# parallel plan) and WAIT (time the backend was runnable but not running:
# other load on the machine), all in ms. A measurement during which a serial
# query waited for a CPU for over 5% of its median time is repeated, up to
# BENCH_RETRIES times.
group() {
    local name="$1" n="${#Q_SQL[@]}" script="$OUT/$1.sql" r i k total lab attempt busy
    {
        echo '\set ON_ERROR_STOP 1'
        for ((i = 0; i < n; i++)); do
            echo "-- ${Q_LABEL[i]}"
            echo "${Q_PRE[i]}"
            echo "EXPLAIN (ANALYZE, VERBOSE, TIMING OFF, SUMMARY ON, COSTS OFF) ${Q_SQL[i]};"
            echo "${Q_SQL[i]};"
        done
        for ((r = 0; r < BENCH_WARMUP + BENCH_ROUNDS; r++)); do
            for ((i = 0; i < n; i++)); do
                echo "${Q_PRE[i]}"
                echo "SELECT s[1] AS c0, s[2] AS w0 FROM (SELECT $SCHED) AS t(s) \\gset"
                echo "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) ${Q_SQL[i]};"
                echo "SELECT 'Sched: ' || (s[1]::bigint - :c0) || ' ' || (s[2]::bigint - :w0) FROM (SELECT $SCHED) AS t(s);"
            done
        done
    } >"$script"
    total=$(((BENCH_WARMUP + BENCH_ROUNDS) * n))
    for ((attempt = 0; attempt <= BENCH_RETRIES; attempt++)); do
        wait_quiet
        bench_psql -f "$script" >"$OUT/$name.out"
        # The first n plans and results document the queries; then the timings.
        mapfile -t times < <(sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' "$OUT/$name.out" | tail -n +$((n + 1)))
        mapfile -t sched < <(sed -n 's/^Sched: //p' "$OUT/$name.out")
        if [ "${#times[@]}" -ne "$total" ] || [ "${#sched[@]}" -ne "$total" ]; then
            say "$name: expected $total timings, got ${#times[@]} and ${#sched[@]}"; exit 1
        fi
        busy=""
        for ((i = 0; i < n; i++)); do
            lab="${Q_LABEL[i]}"
            local vals=() cpus=() waits=()
            for ((r = BENCH_WARMUP; r < BENCH_WARMUP + BENCH_ROUNDS; r++)); do
                k=$((r * n + i))
                vals+=("${times[k]}")
                cpus+=("$(awk -v x="${sched[k]% *}" 'BEGIN {printf "%.1f", x / 1e6}')")
                waits+=("$(awk -v x="${sched[k]#* }" 'BEGIN {printf "%.1f", x / 1e6}')")
            done
            MED[$lab]="$(printf '%s\n' "${vals[@]}" | median)"
            CPU[$lab]="$(printf '%s\n' "${cpus[@]}" | median)"
            WAIT[$lab]="$(printf '%s\n' "${waits[@]}" | median)"
            case "$lab" in *parallel*|*worker*) ;; *)
                awk -v w="${WAIT[$lab]}" -v m="${MED[$lab]}" 'BEGIN {exit !(w > 0.05 * m)}' &&
                    busy="$busy $lab (waited ${WAIT[$lab]} of ${MED[$lab]} ms)" ;;
            esac
        done
        [ -z "$busy" ] && break
        if ((attempt < BENCH_RETRIES)); then say "  contended:$busy; measuring again"
        else say "  contended:$busy; keeping these numbers"; fi
    done
    for ((i = 0; i < n; i++)); do
        lab="${Q_LABEL[i]}"
        local vals=()
        for ((r = BENCH_WARMUP; r < BENCH_WARMUP + BENCH_ROUNDS; r++)); do
            k=$((r * n + i))
            vals+=("${times[k]}")
            printf '%s\t%s\t%d\t%s\t%s\n' "$name" "$lab" "$((r - BENCH_WARMUP + 1))" \
                "${times[k]}" "${sched[k]}" >>"$OUT/raw.tsv"
        done
        printf '  %-14s median %8s ms  cpu %8s  wait %6s   (%s)\n' "$lab" "${MED[$lab]}" \
            "${CPU[$lab]}" "${WAIT[$lab]}" "${vals[*]}"
    done
    Q_LABEL=(); Q_PRE=(); Q_SQL=()
}

R=bench_responses
W="WINDOW w AS (ORDER BY id ROWS BETWEEN 999 PRECEDING AND CURRENT ROW)"

say ""
say "## timings (ms; medians of $BENCH_ROUNDS: execution time, backend CPU time, run-queue wait; all execution times in brackets)"
say "1. nps vs count"
add c1.nps "$SERIAL" "SELECT nps(score) FROM $R"
add c1.count "$SERIAL" "SELECT count(score) FROM $R"
group c1

say "2. nps vs hand-written SQL"
add c2.nps "$SERIAL" "SELECT nps(score) FROM $R"
add c2.filter "$SERIAL" "SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score) FROM $R"
add c2.sumcase "$SERIAL" "SELECT 100.0 * sum(CASE WHEN score >= 9 THEN 1 WHEN score <= 6 THEN -1 ELSE 0 END) / count(score) FROM $R"
group c2

say "3a. csat vs hand-written SQL"
add c3.csat "$SERIAL" "SELECT csat(csat_score) FROM $R"
add c3.filter "$SERIAL" "SELECT 100.0 * count(*) FILTER (WHERE csat_score >= 4) / count(csat_score) FROM $R"
add c3.sumcase "$SERIAL" "SELECT 100.0 * sum(CASE WHEN csat_score >= 4 THEN 1 ELSE 0 END) / count(csat_score) FROM $R"
group c3a

say "3b. ces vs avg"
add c3.ces "$SERIAL" "SELECT ces(ces_score) FROM $R"
add c3.avg "$SERIAL" "SELECT avg(ces_score) FROM $R"
add c3.avgfloat "$SERIAL" "SELECT avg(ces_score)::float8 FROM $R"
group c3b

say "4. rolling NPS, 1000-row frame"
add c4.nps "$SERIAL" "SELECT sum(x) FROM (SELECT nps(score) OVER w AS x FROM bench_window $W) s"
add c4.filter "$SERIAL" "SELECT sum(x) FROM (SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) OVER w - count(*) FILTER (WHERE score <= 6) OVER w) / NULLIF(count(score) OVER w, 0) AS x FROM bench_window $W) s"
add c4.filterfloat "$SERIAL" "SELECT sum(x) FROM (SELECT 100 * (count(*) FILTER (WHERE score >= 9) OVER w - count(*) FILTER (WHERE score <= 6) OVER w)::float8 / NULLIF(count(score) OVER w, 0) AS x FROM bench_window $W) s"
group c4

say "5. parallel nps"
add c5.serial "$SERIAL" "SELECT nps(score) FROM $R"
add c5.parallel "$PARALLEL" "SELECT nps(score) FROM $R"
add c5.worker1 "${PARALLEL/= 2;/= 1;}" "SELECT nps(score) FROM $R"
group c5
say "   workers launched: $(grep -m1 'Workers Launched' "$OUT/c5.out" | sed 's/^ *//')"

say "6. monthly NPS per segment"
add c6.raw "$SERIAL" "SELECT segment, date_trunc('month', day) AS month, nps(score) FROM $R GROUP BY 1, 2"
add c6.rollup "$SERIAL" "SELECT segment, date_trunc('month', day) AS month, nps(rollup(st)) FROM bench_daily GROUP BY 1, 2"
group c6

SO_END="$(so_sum)"
[ "$SO_START" = "$SO_END" ] ||
    say "WARNING: engage.so changed during the run ($SO_START -> $SO_END); re-run for clean numbers"

# --- the tables ----------------------------------------------------------------
# row TITLE MODE TARGET A B...: MODE ratio: A is engage, B the fastest of the
# baselines, met when A/B <= TARGET. MODE speedup: A is the slow way, B the
# fast one, met when A/B >= TARGET. MODE info: no target.
# A second table repeats the ratio on backend CPU time, as a check against
# other load on the machine (not for parallel plans: workers are not counted).
row() {
    local title="$1" mode="$2" target="$3" a="$4" b="" lab
    shift 4
    for lab in "$@"; do
        if [ -z "$b" ] || awk -v x="${MED[$lab]}" -v y="${MED[$b]}" 'BEGIN {exit !(x < y)}'; then b="$lab"; fi
    done
    awk -v t="$title" -v m="$mode" -v g="$target" -v a="${MED[$a]}" -v b="${MED[$b]}" -v la="$a" -v lb="$b" 'BEGIN {
        r = a / b
        if (m == "info") { printf "| %s | %s %.1f | %s %.1f | %.3f | (info) | - |\n", t, la, a, lb, b, r; exit }
        met = (m == "ratio") ? (r <= g) : (r >= g)
        printf "| %s | %s %.1f | %s %.1f | %.3f | %s %s | %s |\n", t, la, a, lb, b, r,
            (m == "ratio") ? "<=" : ">=", g, met ? "yes" : "**no**"
    }' >>"$OUT/results.md"
    case "$a$b" in *parallel*|*worker*) return ;; esac
    awk -v t="$title" -v a="${CPU[$a]}" -v b="${CPU[$b]}" -v wa="${WAIT[$a]}" -v wb="${WAIT[$b]}" 'BEGIN {
        printf "| %s | %.1f | %.1f | %.3f | %.1f / %.1f |\n", t, a, b, a / b, wa, wb
    }' >>"$OUT/cpu.md"
}

{
    say "| comparison | median A (ms) | median B (ms) | ratio A/B | target | met |"
    say "|---|---:|---:|---:|---:|:---:|"
} >"$OUT/results.md"
{
    say "| comparison | CPU A (ms) | CPU B (ms) | CPU ratio A/B | run-queue wait A / B (ms) |"
    say "|---|---:|---:|---:|---:|"
} >"$OUT/cpu.md"
row "1. nps(score) vs count(score)" ratio 1.15 c1.nps c1.count
row "2. nps(score) vs best hand-written SQL" ratio 1.00 c2.nps c2.filter c2.sumcase
row "3. csat(csat_score) vs best hand-written SQL" ratio 1.00 c3.csat c3.filter c3.sumcase
row "3. ces(ces_score) vs avg(ces_score)" ratio 1.00 c3.ces c3.avg c3.avgfloat
row "4. rolling nps, 1000-row frame, vs FILTER window" ratio 1.00 c4.nps c4.filter c4.filterfloat
row "5. parallel: serial vs 2 workers (speedup)" speedup 1.6 c5.serial c5.parallel
row "5. (info) serial vs 1 worker + leader" info 0 c5.serial c5.worker1
row "6. monthly by segment: raw rows vs rollup of daily states (speedup)" speedup 100 c6.raw c6.rollup
say ""
say "## results (medians of execution time)"
cat "$OUT/results.md"
say ""
say "## cross-check: medians of the backend's CPU time, and of its run-queue wait"
cat "$OUT/cpu.md"
say ""
say "raw timings, plans and results: $OUT"
