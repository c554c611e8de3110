#!/usr/bin/env bash
# The benchmark command, for every issue: engage against the best plain SQL
# (or, for the models, against the way it is done today) on one throwaway
# cluster. A benchmark, not a test: it asserts nothing; for each part it prints
# a table of medians, the ratio and whether each target was met.
#
#   test/bench.sh                      the survey metrics (issue 2), as always
#   test/bench.sh PART...              the named parts, in the order given
#   test/bench.sh all                  every part
#   BENCH_SCALE=small test/bench.sh all          quick run of every part
#   BENCH_ROWS=1000000 BENCH_ROUNDS=3 test/bench.sh    quick survey run
#
# Parts (data; default scale = the issue's):
#   survey    issue 2: nps, csat, ces, rolling, parallel, rollup (10M responses)
#   flow      issue 3: churn series (test/bench/flow_series.sql, 100k customers)
#   activity  issue 3: active users, stickiness, cohort matrix, DAU series
#             (test/bench/activity.sql, 10M activity rows of 100k users)
#   rates     issue 5: conversion_rate, ctr (test/bench/rates.sql, 10M rows)
#   sessions  issue 5: bounce rate, session duration, pages per session
#             (test/bench/sessions.sql, 10M page views of 100k users)
#   funnel    issue 5: funnel (test/bench/funnel.sql, run as it is; 10M events
#             of 100k users)
#   models    issue 4: BG/NBD fit vs psql export + pandas + SciPy
#             (test/bench/bgnbd_scipy.py, 1M simulated customers) and CDNOW
#
# Environment:
#   BENCH_SCALE           full (the issues' sizes) or small (quick check)   (full)
#   BENCH_ROWS            survey: rows in bench_responses    (10000000; small 1000000)
#   BENCH_WINDOW_ROWS     survey: rows in the moving-window table (200000; small 100000)
#   BENCH_FLOW_CUSTOMERS  flow: customers                    (100000; small 20000)
#   BENCH_ACTIVITY_ROWS, BENCH_ACTIVITY_USERS   (10000000, 100000; small 1000000, 10000)
#   BENCH_RATES_ROWS      rates: rows                        (10000000; small 1000000)
#   BENCH_SESSIONS_ROWS, BENCH_SESSIONS_USERS   (10000000, 100000; small 1000000, 10000)
#   BENCH_FUNNEL_ROWS, BENCH_FUNNEL_USERS       (10000000, 100000; small 1000000, 10000)
#   BENCH_MODELS_CUSTOMERS  models: simulated customers      (1000000; small 100000)
#   BENCH_ROUNDS          measured rounds per comparison, every part (default per
#                         part: survey 7, flow 7, activity 5, rates 7, sessions 5,
#                         funnel 5, models 3; small scale 3);
#                         BENCH_<PART>_ROUNDS (e.g. BENCH_ACTIVITY_ROUNDS) wins
#   BENCH_WARMUP          warm-up rounds per comparison      (1)
#   BENCH_SHARED_BUFFERS  shared_buffers of the bench cluster (2GB)
#   BENCH_HUGE_PAGES      huge_pages of the bench cluster   (try; "on" needs
#                         vm.nr_hugepages set, e.g. 1100 for 2GB: see
#                         docs/benchmarks.md on why parallel scans want them)
#   BENCH_RETRIES         re-measurements of a contended comparison (2)
#   BENCH_QUIET_WAIT      seconds to wait for an idle machine before each
#                         comparison (60)
#   BENCH_KEEP=1          leave the cluster running afterwards
#   ENGAGE_PORT           port of the bench cluster         (54414)
# Raw timings, plans and the tables go to .run/logs/bench/: each part's table
# to PART.md (the survey's also to results.md and cpu.md, as before).
#
# Method (every part): the part's data is loaded once, frozen, analyzed and
# prewarmed into shared buffers. Each comparison runs its queries in one
# session, interleaved (A, B, A, B, ...): BENCH_WARMUP unmeasured rounds, then
# the measured ones. A query's time is the "Execution Time" of
# EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON); the table shows medians and the
# ratio of the two medians measured in the same run. The backend's CPU and
# run-queue time (/proc/self/schedstat) are recorded too: a comparison starts
# once the machine is idle, and one whose serial queries waited for a CPU
# (other load) is measured again.
# Every session runs with jit = off, work_mem = 256MB and, unless a comparison
# says otherwise, max_parallel_workers_per_gather = 0 (single-threaded).
# Exceptions, by necessity: funnel.sql times itself (same EXPLAIN timing,
# interleaved, medians; no CPU cross-check), and the SciPy side of the models
# is the wall time of an outside pipeline. See docs/benchmarks.md.
set -euo pipefail
# shellcheck source=test/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ENGAGE_REPO"

ALL_PARTS=(survey flow activity rates sessions funnel models)
PARTS=()
for arg in "$@"; do
    case "$arg" in
        all) PARTS+=("${ALL_PARTS[@]}") ;;
        survey|flow|activity|rates|sessions|funnel|models) PARTS+=("$arg") ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "test/bench.sh: unknown part '$arg' (parts: ${ALL_PARTS[*]}, all)" >&2; exit 2 ;;
    esac
done
[ "${#PARTS[@]}" -gt 0 ] || PARTS=(survey)
# Each part once, in the order first given.
mapfile -t PARTS < <(printf '%s\n' "${PARTS[@]}" | awk '!seen[$0]++')

BENCH_SCALE="${BENCH_SCALE:-full}"
case "$BENCH_SCALE" in
    full) sc=(10000000 200000 100000 10000000 100000 10000000 10000000 100000 10000000 100000 1000000 "") ;;
    small) sc=(1000000 100000 20000 1000000 10000 1000000 1000000 10000 1000000 10000 100000 3) ;;
    *) echo "test/bench.sh: BENCH_SCALE must be full or small" >&2; exit 2 ;;
esac
BENCH_ROWS="${BENCH_ROWS:-${sc[0]}}"
BENCH_WINDOW_ROWS="${BENCH_WINDOW_ROWS:-${sc[1]}}"
BENCH_FLOW_CUSTOMERS="${BENCH_FLOW_CUSTOMERS:-${sc[2]}}"
BENCH_ACTIVITY_ROWS="${BENCH_ACTIVITY_ROWS:-${sc[3]}}"
BENCH_ACTIVITY_USERS="${BENCH_ACTIVITY_USERS:-${sc[4]}}"
BENCH_RATES_ROWS="${BENCH_RATES_ROWS:-${sc[5]}}"
BENCH_SESSIONS_ROWS="${BENCH_SESSIONS_ROWS:-${sc[6]}}"
BENCH_SESSIONS_USERS="${BENCH_SESSIONS_USERS:-${sc[7]}}"
BENCH_FUNNEL_ROWS="${BENCH_FUNNEL_ROWS:-${sc[8]}}"
BENCH_FUNNEL_USERS="${BENCH_FUNNEL_USERS:-${sc[9]}}"
BENCH_MODELS_CUSTOMERS="${BENCH_MODELS_CUSTOMERS:-${sc[10]}}"
SCALE_ROUNDS="${sc[11]}"
BENCH_WARMUP="${BENCH_WARMUP:-1}"
BENCH_SHARED_BUFFERS="${BENCH_SHARED_BUFFERS:-2GB}"
BENCH_HUGE_PAGES="${BENCH_HUGE_PAGES:-try}"
BENCH_RETRIES="${BENCH_RETRIES:-2}"
BENCH_QUIET_WAIT="${BENCH_QUIET_WAIT:-60}"
BENCH_KEEP="${BENCH_KEEP:-0}"
export ENGAGE_PORT="${ENGAGE_PORT:-54414}"
OUT="$ENGAGE_LOGS/bench"
[ "$BENCH_WINDOW_ROWS" -le "$BENCH_ROWS" ] || BENCH_WINDOW_ROWS="$BENCH_ROWS"

# rounds_of PART DEFAULT: BENCH_<PART>_ROUNDS, else BENCH_ROUNDS, else the
# scale's, else the part's own default.
rounds_of() {
    local v="BENCH_${1^^}_ROUNDS"
    echo "${!v:-${BENCH_ROUNDS:-${SCALE_ROUNDS:-$2}}}"
}

SESSION_OPTS="-c search_path=public,engage -c jit=off -c max_parallel_workers_per_gather=0 -c work_mem=256MB"
SERIAL="SET max_parallel_workers_per_gather = 0;"
PARALLEL="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"

say() { printf '%s\n' "$*"; }

bench_psql() {
    PGOPTIONS="$SESSION_OPTS" "$(engage_pgbin)/psql" -X -q -At -v ON_ERROR_STOP=1 "$@" </dev/null
}

# The installed module's checksum: others may `make install` during a run.
so_sum() { md5sum "$("$PG_CONFIG" --pkglibdir)/engage.so" | cut -c1-12; }
so_check() {
    local now
    now="$(so_sum)"
    [ "$SO_START" = "$now" ] ||
        say "WARNING: engage.so changed during the run ($SO_START -> $now); re-run for clean numbers"
}
engage_rev() {
    echo "$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src sql 2>/dev/null || echo ' (+ local changes)')"
}

# --- setup -----------------------------------------------------------------
mkdir -p "$OUT"
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
say "engage:      $(engage_rev), engage.so md5 $SO_START"
[ "${PARTS[*]}" = survey ] || say "parts:       ${PARTS[*]} (scale: $BENCH_SCALE)"

# --- measuring ---------------------------------------------------------------
declare -A MED=() CPU=() WAIT=()
Q_LABEL=(); Q_PRE=(); Q_SQL=()
ROUNDS=7                    # measured rounds of the current part
RAW="$OUT/raw.tsv"          # the current part's raw timings
GROUP_RESULTS=1             # 1: group() also runs each query once for its result

# add LABEL PRE SQL: one query of the next group; PRE is SQL run before it.
add() {
    [ -n "$3" ] || { say "$1: no query"; exit 1; }
    Q_LABEL+=("$1"); Q_PRE+=("$2"); Q_SQL+=("$3")
}

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
            [ "$GROUP_RESULTS" = 0 ] || echo "${Q_SQL[i]};"
        done
        for ((r = 0; r < BENCH_WARMUP + ROUNDS; r++)); do
            for ((i = 0; i < n; i++)); do
                echo "${Q_PRE[i]}"
                echo "SELECT s[1] AS c0, s[2] AS w0 FROM (SELECT $SCHED) AS t(s) \\gset"
                echo "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) ${Q_SQL[i]};"
                echo "SELECT 'Sched: ' || (s[1]::bigint - :c0) || ' ' || (s[2]::bigint - :w0) FROM (SELECT $SCHED) AS t(s);"
            done
        done
    } >"$script"
    total=$(((BENCH_WARMUP + ROUNDS) * n))
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
            for ((r = BENCH_WARMUP; r < BENCH_WARMUP + ROUNDS; r++)); do
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
        for ((r = BENCH_WARMUP; r < BENCH_WARMUP + ROUNDS; r++)); do
            k=$((r * n + i))
            vals+=("${times[k]}")
            printf '%s\t%s\t%d\t%s\t%s\n' "$name" "$lab" "$((r - BENCH_WARMUP + 1))" \
                "${times[k]}" "${sched[k]}" >>"$RAW"
        done
        printf '  %-14s median %8s ms  cpu %8s  wait %6s   (%s)\n' "$lab" "${MED[$lab]}" \
            "${CPU[$lab]}" "${WAIT[$lab]}" "${vals[*]}"
    done
    Q_LABEL=(); Q_PRE=(); Q_SQL=()
}

# --- the tables ----------------------------------------------------------------
# row TITLE MODE TARGET A B...: one line of the results table (RES) and of the
# CPU cross-check (CPUF). A is one label or several in one word list ("x y":
# the fastest is shown), B the fastest of the remaining labels ("-": none).
# MODE ratio: A is engage, B the fastest baseline, met when A/B <= TARGET.
# MODE speedup: A is the slow way, B the fast one, met when A/B >= TARGET.
# MODE bmax: met when B takes at most TARGET ms (A/B shown). MODE amax: met
# when A takes under TARGET ms (no B). MODE info: no target.
# The cross-check repeats the ratio on backend CPU time, as a check against
# other load on the machine (not for parallel plans: workers are not counted;
# not where a side has no CPU time, such as an outside program).
fastest() {
    local b="" lab
    for lab in "$@"; do
        if [ -z "$b" ] || awk -v x="${MED[$lab]}" -v y="${MED[$b]}" 'BEGIN {exit !(x < y)}'; then b="$lab"; fi
    done
    echo "$b"
}
row() {
    local title="$1" mode="$2" target="$3" a b=""
    # shellcheck disable=SC2086  # A may list several labels
    a="$(fastest $4)"
    shift 4
    local bv=""
    [ "$1" = "-" ] || { b="$(fastest "$@")"; bv="${MED[$b]}"; }
    awk -v t="$title" -v m="$mode" -v g="$target" -v a="${MED[$a]}" -v b="$bv" -v la="$a" -v lb="$b" 'BEGIN {
        if (m == "amax") {
            met = (a < g) ? "yes" : "**no**"
            printf "| %s | %s %.1f | - | - | A < %s ms | %s |\n", t, la, a, g, met; exit
        }
        r = a / b
        if (m == "info") { printf "| %s | %s %.1f | %s %.1f | %.3f | (info) | - |\n", t, la, a, lb, b, r; exit }
        if (m == "bmax") {
            met = (b <= g) ? "yes" : "**no**"
            printf "| %s | %s %.1f | %s %.1f | %.3f | B <= %s ms | %s |\n", t, la, a, lb, b, r, g, met; exit
        }
        met = (m == "ratio") ? (r <= g) : (r >= g)
        printf "| %s | %s %.1f | %s %.1f | %.3f | %s %s | %s |\n", t, la, a, lb, b, r,
            (m == "ratio") ? "<=" : ">=", g, met ? "yes" : "**no**"
    }' >>"$RES"
    case "$a$b" in *parallel*|*worker*) return ;; esac
    [ -n "$b" ] && [ -n "${CPU[$a]:-}" ] && [ -n "${CPU[$b]:-}" ] || return 0
    awk -v t="$title" -v a="${CPU[$a]}" -v b="${CPU[$b]}" -v wa="${WAIT[$a]}" -v wb="${WAIT[$b]}" 'BEGIN {
        printf "| %s | %.1f | %.1f | %.3f | %.1f / %.1f |\n", t, a, b, a / b, wa, wb
    }' >>"$CPUF"
}
table_heads() {
    {
        say "| comparison | median A (ms) | median B (ms) | ratio A/B | target | met |"
        say "|---|---:|---:|---:|---:|:---:|"
    } >"$RES"
    {
        say "| comparison | CPU A (ms) | CPU B (ms) | CPU ratio A/B | run-queue wait A / B (ms) |"
        say "|---|---:|---:|---:|---:|"
    } >"$CPUF"
}

# sizes REL...: rows, size and all-visible pages of the relations.
sizes() {
    local list
    list="$(printf "'%s'," "$@")"
    say "| relation | rows | heap | total | pages all-visible |"
    say "|---|---:|---:|---:|---:|"
    bench_psql -F ' | ' -c "
        SELECT c.relname, c.reltuples::bigint, pg_size_pretty(pg_relation_size(c.oid)),
               pg_size_pretty(pg_total_relation_size(c.oid)), c.relallvisible || ' / ' || c.relpages
        FROM pg_class c WHERE c.relname IN (${list%,})
        ORDER BY pg_relation_size(c.oid) DESC" | sed 's/^/| /; s/$/ |/'
}

# prewarm REL...: everything into shared buffers, then a scan of each table.
prewarm() {
    local rel scans=()
    for rel in "$@"; do scans+=(-c "SELECT count(*) FROM $rel"); done
    bench_psql -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
        -c "SELECT pg_prewarm(c) FROM unnest('{$(IFS=,; echo "$*")}'::regclass[]) c" >/dev/null
    bench_psql "${scans[@]}" >/dev/null
}

# --- parts ---------------------------------------------------------------------
# part_begin PART: fresh output files; the part's sessions also use UTC (the
# parts' SQL has timestamptz literals and calendar periods).
part_begin() {
    PART="$1"
    rm -f "$OUT/$PART".* "$OUT/$PART"-*
    RAW="$OUT/$PART.raw.tsv"; RES="$OUT/$PART.results.md"; CPUF="$OUT/$PART.cpu.md"
    NOTES="$OUT/$PART.notes.md"
    : >"$NOTES"
    table_heads
    GROUP_RESULTS=0
    SESSION_OPTS="$SESSION_OPTS -c TimeZone=UTC"
    LOAD_OPTS="$SESSION_OPTS -c synchronous_commit=on -c client_min_messages=warning"
    PRE="$SERIAL"
}

# part_end PART TITLE METHOD: PART.md (title, run, results, CPU cross-check,
# notes), printed too.
part_end() {
    local title="$2" method="$3"
    so_check
    {
        say "### $1: $title"
        say ""
        say "Run on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(engage_rev), scale $BENCH_SCALE; $method"
        say ""
        cat "$RES"
        if [ "$(wc -l <"$CPUF")" -gt 2 ]; then
            say ""
            say "Cross-check on the backend's CPU time:"
            say ""
            cat "$CPUF"
        fi
        if [ -s "$NOTES" ]; then say ""; cat "$NOTES"; fi
    } >"$OUT/$1.md"
    rm -f "$RES" "$CPUF" "$NOTES"
    say ""
    say "## results"
    cat "$OUT/$1.md"
    say ""
    say "table: $OUT/$1.md; raw timings, plans and results: $OUT/$1*"
}

METHOD_SQL() { echo "medians of $ROUNDS interleaved rounds after $BENCH_WARMUP warm-up (EXPLAIN ANALYZE execution time), single-threaded, jit off."; }

# prepare_sql PART FILE PSQL-ARGS...: run the part's SQL with -v driver=1: it
# loads its data (once), checks that engage and the plain SQL agree, keeps its
# queries in bench_queries and stops. The load runs with synchronous_commit
# on, so that VACUUM leaves every page all-visible (docs/benchmarks.md).
prepare_sql() {
    local part="$1" file="$2" t0=$SECONDS
    shift 2
    PGOPTIONS="$LOAD_OPTS" "$(engage_pgbin)/psql" -X -q -At \
        -v ON_ERROR_STOP=1 -v driver=1 "$@" -f "$file" </dev/null >"$OUT/$part.prepare.out"
    say "load:        $((SECONDS - t0)) s (data, and one run of each query to check that both sides agree)"
}

# notes_from_prepare PART: the checks and the state memory reported by the
# part's SQL, into NOTES.
notes_from_prepare() {
    local f="$OUT/$1.prepare.out" checks
    checks="$(sed -n 's/^check|//p' "$f" | awk -F'|' '{sep = (NR > 1) ? ", " : ""; ok = ($2 == "t" || $2 == "true") ? "yes" : "**NO**"; printf "%s%s %s", sep, $1, ok}')"
    if [ -n "$checks" ]; then
        say "Same result both ways (checked before timing; by comparison): $checks." >>"$NOTES"
        case "$checks" in *NO*) say "WARNING: $1: engage and the plain SQL disagree (see $f)" ;; esac
    fi
    sed -n 's/^memory|\(.*\)$/State memory: \1./p; s/^result|\(.*\)$/Result: \1./p' "$f" >>"$NOTES"
}

# q_of PART K SIDE: a query the part's SQL kept.
q_of() {
    local q
    q="$(bench_psql -c "SELECT q FROM bench_queries WHERE part = '$1' AND k = $2 AND side = '$3'")"
    [ -n "$q" ] || { say "$1: no query $2/$3 in bench_queries" >&2; exit 1; }
    printf '%s' "$q"
}

# The survey metrics (issue 2).
part_survey() {
    rm -f "$OUT"/c[0-9]*.sql "$OUT"/c[0-9]*.out "$OUT"/raw.tsv "$OUT"/results.md "$OUT"/cpu.md "$OUT"/survey.md
    ROUNDS="$(rounds_of survey 7)"
    RAW="$OUT/raw.tsv"; RES="$OUT/results.md"; CPUF="$OUT/cpu.md"
    say "rows:        $BENCH_ROWS (window table $BENCH_WINDOW_ROWS), rounds: $BENCH_WARMUP warm-up + $ROUNDS measured"

    local t0=$SECONDS
    bench_psql -v rows="$BENCH_ROWS" -v window_rows="$BENCH_WINDOW_ROWS" -f test/bench/load.sql
    say "load:        $((SECONDS - t0)) s"
    # Everything into shared buffers, then a scan of each table.
    prewarm bench_responses bench_window bench_daily

    say ""
    say "## sizes"
    sizes bench_responses bench_window bench_daily
    say "state: nps_state typlen $(bench_psql -c "SELECT typlen FROM pg_type WHERE typname = 'nps_state'") bytes; pg_column_size(st) in bench_daily = $(bench_psql -c 'SELECT pg_column_size(st) FROM bench_daily LIMIT 1') bytes"

    local R=bench_responses
    local W="WINDOW w AS (ORDER BY id ROWS BETWEEN 999 PRECEDING AND CURRENT ROW)"

    say ""
    say "## timings (ms; medians of $ROUNDS: execution time, backend CPU time, run-queue wait; all execution times in brackets)"
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

    so_check

    table_heads
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
    cat "$RES"
    say ""
    say "## cross-check: medians of the backend's CPU time, and of its run-queue wait"
    cat "$CPUF"
    say ""
    say "raw timings, plans and results: $OUT"
    {
        say "### survey: $BENCH_ROWS responses (window table $BENCH_WINDOW_ROWS)"
        say ""
        say "Run on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(engage_rev), scale $BENCH_SCALE; $(METHOD_SQL)"
        say ""
        cat "$RES"
        say ""
        say "Cross-check on the backend's CPU time:"
        say ""
        cat "$CPUF"
    } >"$OUT/survey.md"
}

# The churn series (issue 3): one query of subscription_flow + flow_periods
# against the best plain SQL (the faster of two forms).
part_flow() {
    local n="$BENCH_FLOW_CUSTOMERS"
    part_begin flow
    ROUNDS="$(rounds_of flow 7)"
    say "customers:   $n (24 calendar months), rounds: $BENCH_WARMUP warm-up + $ROUNDS measured"
    prepare_sql flow test/bench/flow_series.sql -v rows="$n" -v rounds="$ROUNDS"
    prewarm bench_fs_subs
    say ""
    say "## sizes"
    sizes bench_fs_subs
    say ""
    say "## timings (ms; medians of $ROUNDS: execution time, backend CPU time, run-queue wait; all execution times in brackets)"
    say "1. churn series, 24 calendar months"
    add f1.engage "$PRE" "$(q_of flow 1 engage)"
    add f1.join "$PRE" "$(q_of flow 1 join)"
    add f1.onescan "$PRE" "$(q_of flow 1 onescan)"
    group flow-1
    row "1. churn series, 24 months (start, new, lost, end, 4 rates): best plain SQL vs subscription_flow + flow_periods (speedup)" \
        speedup 3 "f1.join f1.onescan" f1.engage
    row "1. (info) the other plain-SQL form vs engage" info 0 \
        "$(if [ "$(fastest f1.join f1.onescan)" = f1.join ]; then echo f1.onescan; else echo f1.join; fi)" f1.engage
    notes_from_prepare flow
    say "Plain SQL forms: f1.join = generate_series of periods joined to the subscriptions, FILTER counts; f1.onescan = width_bucket over the bounds + window sums." >>"$NOTES"
    part_end flow "churn series, $n customers (issue 3)" "$(METHOD_SQL)"
}

# Active users, stickiness, cohort matrix, DAU series (issue 3).
part_activity() {
    local rows="$BENCH_ACTIVITY_ROWS" users="$BENCH_ACTIVITY_USERS"
    part_begin activity
    ROUNDS="$(rounds_of activity 5)"
    say "rows:        $rows activity rows of $users users, rounds: $BENCH_WARMUP warm-up + $ROUNDS measured"
    prepare_sql activity test/bench/activity.sql -v rows="$rows" -v users="$users" -v rounds="$ROUNDS"
    prewarm bench_activity bench_activity_daily
    say ""
    say "## sizes"
    sizes bench_activity bench_activity_daily
    say ""
    say "## timings (ms; medians of $ROUNDS: execution time, backend CPU time, run-queue wait; all execution times in brackets)"
    say "1. active users, whole year"
    add a1.engage "$PRE" "$(q_of activity 1 engage)"
    add a1.plain "$PRE" "$(q_of activity 1 plain)"
    group activity-1
    say "2. stickiness per month"
    add a2.engage "$PRE" "$(q_of activity 2 engage)"
    add a2.plain "$PRE" "$(q_of activity 2 plain)"
    group activity-2
    say "3, 4. cohort matrix by month, from the raw rows and from the daily states"
    add a3.engage "$PRE" "$(q_of activity 3 engage)"
    add a4.daily "$PRE" "$(q_of activity 4 engage)"
    add a3.plain "$PRE" "$(q_of activity 3 plain)"
    group activity-3
    say "5. DAU per day"
    add a5.engage "$PRE" "$(q_of activity 5 engage)"
    add a5.plain "$PRE" "$(q_of activity 5 plain)"
    group activity-5
    row "1. active users, whole year: SELECT DISTINCT vs active_users(activity_agg) (speedup)" speedup 1.0 a1.plain a1.engage
    row "2. stickiness per month: count(DISTINCT) CTEs + join vs stickiness(activity_agg) (speedup)" speedup 3 a2.plain a2.engage
    row "3. cohort matrix by month: CTEs + joins vs cohort_retention(activity_agg) (speedup)" speedup 3 a3.plain a3.engage
    row "4. cohort matrix by month: CTEs + joins on raw rows vs cohort_retention(rollup of 365 daily states) (speedup)" speedup 3 a3.plain a4.daily
    row "5. DAU per day: SELECT DISTINCT + GROUP BY vs activity_series(activity_agg) (speedup)" speedup 1.0 a5.plain a5.engage
    notes_from_prepare activity
    say "Targets (issue 3): stickiness and the cohort matrix at least 3x faster than the best plain SQL; active users \"faster than count(DISTINCT ...)\" (>= 1)." >>"$NOTES"
    part_end activity "$rows activity rows of $users users (issue 3)" "$(METHOD_SQL)"
}

# Rates (issue 5): within 1.15x of count().
part_rates() {
    local rows="$BENCH_RATES_ROWS"
    part_begin rates
    ROUNDS="$(rounds_of rates 7)"
    say "rows:        $rows, rounds: $BENCH_WARMUP warm-up + $ROUNDS measured"
    prepare_sql rates test/bench/rates.sql -v rows="$rows" -v rounds="$ROUNDS"
    prewarm bench_rates bench_rates8
    say ""
    say "## sizes"
    sizes bench_rates bench_rates8
    say ""
    say "## timings (ms; medians of $ROUNDS: execution time, backend CPU time, run-queue wait; all execution times in brackets)"
    say "1, 2, 6. conversion_rate(b), conversion_agg(b)"
    add r1.conv_rate "$PRE" "$(q_of rates 1 engage)"
    add r1.count "$PRE" "$(q_of rates 1 baseline)"
    add r1.filter "$PRE" "$(q_of rates 2 baseline)"
    add r1.conv_agg "$PRE" "$(q_of rates 6 engage)"
    group rates-1
    say "3, 4. ctr(clicks, impressions), integer columns"
    add r3.ctr "$PRE" "$(q_of rates 3 engage)"
    add r3.count "$PRE" "$(q_of rates 3 baseline)"
    add r3.sum "$PRE" "$(q_of rates 4 baseline)"
    group rates-3
    say "5. ctr(clicks, impressions), bigint columns"
    add r5.ctr8 "$PRE" "$(q_of rates 5 engage)"
    add r5.count8 "$PRE" "$(q_of rates 5 baseline)"
    group rates-5
    row "1. conversion_rate(b) vs count(b)" ratio 1.15 r1.conv_rate r1.count
    row "2. (info) conversion_rate(b) vs 100.0 * count(*) FILTER (WHERE b) / count(b)" info 0 r1.conv_rate r1.filter
    row "3. ctr(clicks, impressions) vs count(clicks), integer columns" ratio 1.15 r3.ctr r3.count
    row "4. (info) ctr(clicks, impressions) vs 100.0 * sum(clicks) / sum(impressions)" info 0 r3.ctr r3.sum
    row "5. ctr(clicks, impressions) vs count(clicks), bigint columns" ratio 1.15 r5.ctr8 r5.count8
    row "6. conversion_agg(b) (the stored state) vs count(b)" ratio 1.15 r1.conv_agg r1.count
    notes_from_prepare rates
    say "Target (issue 5): rates within 1.15x of count(). Rows 2 and 4 (the plain-SQL rate) have no target in the issue." >>"$NOTES"
    part_end rates "$rows rows (issue 5)" "$(METHOD_SQL)"
}

# Sessions (issue 5): bounce rate, average session duration and pages per
# session, at least 5x faster than LAG + SUM window SQL.
part_sessions() {
    local rows="$BENCH_SESSIONS_ROWS" users="$BENCH_SESSIONS_USERS"
    part_begin sessions
    ROUNDS="$(rounds_of sessions 5)"
    say "rows:        $rows page views of $users users, rounds: $BENCH_WARMUP warm-up + $ROUNDS measured"
    prepare_sql sessions test/bench/sessions.sql -v rows="$rows" -v users="$users" -v rounds="$ROUNDS"
    prewarm bench_pageviews
    say ""
    say "## sizes"
    sizes bench_pageviews
    say ""
    say "## timings (ms; medians of $ROUNDS: execution time, backend CPU time, run-queue wait; all execution times in brackets)"
    say "1, 2. bounce rate, average session duration, pages per session"
    add s1.onecall "$PRE" "$(q_of sessions 1 engage)"
    add s1.peruser "$PRE" "$(q_of sessions 2 engage)"
    add s1.plain "$PRE" "$(q_of sessions 1 plain)"
    group sessions-1
    row "1. bounce rate, avg session duration, pages per session: LAG + SUM window SQL vs sessionize(user_id, ts), one call (speedup)" \
        speedup 5 s1.plain s1.onecall
    row "2. the same: LAG + SUM window SQL vs sessionize(ts) per user, then rollup (speedup)" speedup 5 s1.plain s1.peruser
    notes_from_prepare sessions
    part_end sessions "$rows page views of $users users (issue 5)" "$(METHOD_SQL)"
}

# The funnel (issue 5): test/bench/funnel.sql is run as it is (it times itself
# with the same EXPLAIN timing, interleaved, medians); its result table is
# read by column name, so forms it adds (rows, or *_ms columns) show up too.
part_funnel() {
    local rows="$BENCH_FUNNEL_ROWS" users="$BENCH_FUNNEL_USERS" t0=$SECONDS f="$OUT/funnel.out" k col
    part_begin funnel
    ROUNDS="$(rounds_of funnel 5)"
    say "rows:        $rows events of $users users, rounds: $BENCH_WARMUP warm-up + $ROUNDS measured (funnel.sql: 1 warm-up)"
    wait_quiet
    PGOPTIONS="$LOAD_OPTS" "$(engage_pgbin)/psql" -X -q -A -P footer=off \
        -v ON_ERROR_STOP=1 -v rows="$rows" -v users="$users" -v rounds="$ROUNDS" \
        -f test/bench/funnel.sql </dev/null >"$f"
    say "run:         $((SECONDS - t0)) s (load, timing and checks by test/bench/funnel.sql; output $f)"
    say ""
    say "## sizes"
    sizes bench_funnel
    # The table whose header has engage_ms and plain_ms: "k|col=value|..." per
    # row. Its rows may repeat k (one row per engage form, named in a "form"
    # column), so the labels count rows: fu1.engage, fu2.engage, ...
    local -a recs
    mapfile -t recs < <(awk -F'|' '
        hdr && (NF != nf || $0 == "") { hdr = 0 }
        hdr { line = $1; for (i = 1; i <= NF; i++) line = line "|" h[i] "=" $i; print line; next }
        { ok = 0; for (i = 1; i <= NF; i++) { if ($i == "engage_ms") ok++; if ($i == "plain_ms") ok++ }
          if (ok == 2) { hdr = 1; nf = NF; for (i = 1; i <= NF; i++) h[i] = $i } }' "$f")
    [ "${#recs[@]}" -gt 0 ] || { say "funnel: no result table in $f"; exit 1; }
    say ""
    say "## timings (ms; medians of $ROUNDS, as printed by funnel.sql)"
    local rec name form kv key val idx=0 vs
    local -a engines
    for rec in "${recs[@]}"; do
        idx=$((idx + 1)); k="${rec%%|*}"; name=""; form=""; engines=()
        IFS='|' read -r -a kv <<<"${rec#*|}"
        for col in "${kv[@]}"; do
            key="${col%%=*}"; val="${col#*=}"
            case "$key" in
                name) name="$val" ;;
                form) form="$val" ;;
                plain_ms) MED[fu$idx.plain]="$val" ;;
                *_ms) MED[fu$idx.${key%_ms}]="$val"; engines+=("fu$idx.${key%_ms}") ;;
            esac
        done
        say "  $k. $name${form:+ [$form]}: plain ${MED[fu$idx.plain]} ms; $(for e in "${engines[@]}"; do printf '%s %s ms\n' "${e#*.}" "${MED[$e]}"; done | paste -sd' ')"
        for e in "${engines[@]}"; do
            vs="${e#*.}"
            [ -z "$form" ] || { [ "${#engines[@]}" -eq 1 ] && vs="$form" || vs="$form, ${e#*.}"; }
            row "$k. $name: plain SQL vs $vs (speedup)" speedup 3 "fu$idx.plain" "$e"
        done
    done
    # The agreement checks: each one-row table with a column named like
    # *same*, *equal* or *within*.
    awk -F'|' 'hdr { for (i = 1; i <= NF; i++) { sep = (i > 1) ? ", " : "Agreement check (funnel.sql): "; printf "%s%s = %s", sep, h[i], $i }; print "."; hdr = 0; next }
               /(^|\|)[a-z0-9_]*(same|equal|within)[a-z0-9_]*(\||$)/ { hdr = 1; for (i = 1; i <= NF; i++) h[i] = $i }' "$f" >>"$NOTES"
    say "Timed by test/bench/funnel.sql itself (not editable here): EXPLAIN ANALYZE execution time, each comparison's rounds interleaved, medians; no CPU cross-check and no re-measurement." >>"$NOTES"
    part_end funnel "$rows events of $users users, 4 steps, window 1 day (issue 5)" \
        "medians of $ROUNDS interleaved rounds after 1 warm-up (EXPLAIN ANALYZE execution time), single-threaded, jit off."
}

# The BG/NBD fit (issue 4): from raw transactions to parameters in one query,
# against the way a data scientist does it today (psql \copy export, pandas,
# SciPy; test/bench/bgnbd_scipy.py), interleaved; and the CDNOW fit.
part_models() {
    local n="$BENCH_MODELS_CUSTOMERS" py=/usr/bin/python3 obs_end=2024-12-31 t0=$SECONDS
    local cdnow="$ENGAGE_REPO/../shared/data/cdnow/cdnow_customers_summary_with_transactions.csv"
    part_begin models
    ROUNDS="$(rounds_of models 3)"
    say "customers:   $n simulated (BG/NBD r=0.25 alpha=4 a=0.8 b=2.5, weeks), rounds: $BENCH_WARMUP warm-up + $ROUNDS measured"
    if ! "$py" -c 'import numpy, scipy, pandas' 2>/dev/null; then
        engage_say "installing python3-numpy python3-scipy python3-pandas"
        { engage_as_root apt-get update &&
          engage_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
              python3-numpy python3-scipy python3-pandas; } </dev/null >"$OUT/models.apt.log" 2>&1 ||
            { tail -n 20 "$OUT/models.apt.log" >&2; engage_say "python packages could not be installed"; exit 1; }
    fi
    chmod 755 "$OUT"
    "$py" test/bench/bgnbd_scipy.py simulate "$n" "$OUT/models.tx.csv" 42 >/dev/null
    local have_cdnow=0 cdnow_load=()
    if [ -r "$cdnow" ]; then
        have_cdnow=1
        cdnow_load=(-c "\\copy bench_cdnow FROM '$cdnow' WITH (FORMAT csv, HEADER)")
    else
        say "no $cdnow: no CDNOW row"
    fi
    PGOPTIONS="$LOAD_OPTS" "$(engage_pgbin)/psql" -X -q -At -v ON_ERROR_STOP=1 </dev/null \
        -c 'CREATE EXTENSION IF NOT EXISTS engage' -c 'CREATE EXTENSION IF NOT EXISTS pg_prewarm' \
        -c 'DROP TABLE IF EXISTS bench_tx, bench_cdnow' \
        -c 'CREATE TABLE bench_tx (customer_id bigint NOT NULL, day date NOT NULL)' \
        -c "\\copy bench_tx FROM '$OUT/models.tx.csv' WITH (FORMAT csv, HEADER)" \
        -c 'CREATE TABLE bench_cdnow (id int, x float8, t_x float8, t float8, zbar float8)' "${cdnow_load[@]}" \
        -c 'VACUUM (FREEZE, ANALYZE) bench_tx, bench_cdnow' -c 'CHECKPOINT'
    say "load:        $((SECONDS - t0)) s (simulation, \\copy)"
    prewarm bench_tx bench_cdnow
    say ""
    say "## sizes"
    sizes bench_tx bench_cdnow

    local fit="SELECT bgnbd_fit(x, t_x, t)
  FROM (SELECT count(DISTINCT day) - 1 AS x,
               (max(day) - min(day)) / 7.0::float8 AS t_x,
               (DATE '$obs_end' - min(day)) / 7.0::float8 AS t
          FROM bench_tx GROUP BY customer_id) s"
    local txs patterns model
    txs="$(bench_psql -c 'SELECT count(*) FROM bench_tx')"
    patterns="$(bench_psql -c "SELECT count(DISTINCT (x, t_x, t)) FROM (SELECT count(DISTINCT day) - 1 AS x, max(day) - min(day) AS t_x,
        DATE '$obs_end' - min(day) AS t FROM bench_tx GROUP BY customer_id) s")"
    model="$(bench_psql -c "SELECT ($fit)::jsonb")"

    # One engage measurement = one session: a scan of bench_tx first (a new
    # backend pays for its first touch of shared buffers), then the query.
    local lab
    for lab in serial parallel; do
        {
            echo '\set ON_ERROR_STOP 1'
            echo 'SELECT count(*) FROM bench_tx;'
            if [ "$lab" = serial ]; then echo "$SERIAL"; else echo "$PARALLEL"; fi
            echo "SELECT s[1] AS c0, s[2] AS w0 FROM (SELECT $SCHED) AS t(s) \\gset"
            echo "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $fit;"
            echo "SELECT 'Sched: ' || (s[1]::bigint - :c0) || ' ' || (s[2]::bigint - :w0) FROM (SELECT $SCHED) AS t(s);"
        } >"$OUT/models-$lab.sql"
    done
    bench_psql -c "EXPLAIN (ANALYZE, VERBOSE, TIMING OFF, SUMMARY ON, COSTS OFF) $fit" >"$OUT/models-plan.out"

    say ""
    say "## timings (ms; interleaved: engage serial, engage 2 workers, export + pandas + SciPy)"
    local r attempt out line busy
    local -a ser par py_total
    for ((attempt = 0; attempt <= BENCH_RETRIES; attempt++)); do
        ser=(); par=(); py_total=()
        : >"$OUT/models-scipy.out"
        wait_quiet
        for ((r = 0; r < BENCH_WARMUP + ROUNDS; r++)); do
            out="$(bench_psql -f "$OUT/models-serial.sql")"
            ((r < BENCH_WARMUP)) || ser+=("$(sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' <<<"$out") $(sed -n 's/^Sched: //p' <<<"$out")")
            out="$(bench_psql -f "$OUT/models-parallel.sql")"
            ((r < BENCH_WARMUP)) || par+=("$(sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' <<<"$out") $(sed -n 's/^Sched: //p' <<<"$out")")
            line="$(PSQL="$(engage_pgbin)/psql -h $PGHOST -p $PGPORT -U $PGUSER -d postgres" "$py" test/bench/bgnbd_scipy.py fit "$obs_end")"
            ((r < BENCH_WARMUP)) || { echo "$line" >>"$OUT/models-scipy.out"; py_total+=("$(awk '{for (i = 1; i < NF; i++) if ($i == "total") printf "%.1f", $(i + 1) * 1000}' <<<"$line")"); }
        done
        MED[m1.serial]="$(printf '%s\n' "${ser[@]}" | awk '{print $1}' | median)"
        CPU[m1.serial]="$(printf '%s\n' "${ser[@]}" | awk '{printf "%.1f\n", $2 / 1e6}' | median)"
        WAIT[m1.serial]="$(printf '%s\n' "${ser[@]}" | awk '{printf "%.1f\n", $3 / 1e6}' | median)"
        MED[m1.parallel]="$(printf '%s\n' "${par[@]}" | awk '{print $1}' | median)"
        MED[m1.scipy]="$(printf '%s\n' "${py_total[@]}" | median)"
        busy=""
        awk -v w="${WAIT[m1.serial]}" -v m="${MED[m1.serial]}" 'BEGIN {exit !(w > 0.05 * m)}' &&
            busy=" m1.serial (waited ${WAIT[m1.serial]} of ${MED[m1.serial]} ms)"
        [ -z "$busy" ] && break
        if ((attempt < BENCH_RETRIES)); then say "  contended:$busy; measuring again"
        else say "  contended:$busy; keeping these numbers"; fi
    done
    for ((r = 0; r < ROUNDS; r++)); do
        printf 'models\tm1.serial\t%d\t%s\t%s\n' "$((r + 1))" "${ser[r]%% *}" "${ser[r]#* }" >>"$RAW"
        printf 'models\tm1.parallel\t%d\t%s\t%s\n' "$((r + 1))" "${par[r]%% *}" "${par[r]#* }" >>"$RAW"
        printf 'models\tm1.scipy\t%d\t%s\t-\n' "$((r + 1))" "${py_total[r]}" >>"$RAW"
    done
    printf '  %-14s median %8s ms  cpu %8s  wait %6s   (%s)\n' m1.serial "${MED[m1.serial]}" "${CPU[m1.serial]}" \
        "${WAIT[m1.serial]}" "$(printf '%s\n' "${ser[@]}" | awk '{print $1}' | paste -sd' ')"
    printf '  %-14s median %8s ms  (leader and workers; %s)\n' m1.parallel "${MED[m1.parallel]}" \
        "$(printf '%s\n' "${par[@]}" | awk '{print $1}' | paste -sd' ')"
    printf '  %-14s median %8s ms  (wall time of the pipeline; %s)\n' m1.scipy "${MED[m1.scipy]}" "${py_total[*]}"

    if [ "$have_cdnow" = 1 ]; then
        say "CDNOW fit (2357 customers), 21 rounds"
        local saved_rounds="$ROUNDS"
        ROUNDS=21
        add m2.cdnow "$PRE" "SELECT bgnbd_fit(x, t_x, t) FROM bench_cdnow"
        group models-cdnow
        ROUNDS="$saved_rounds"
    fi

    row "1. BG/NBD fit of $n customers, raw transactions to parameters: export + pandas + SciPy vs engage, serial" \
        bmax 5000 m1.scipy m1.serial
    row "2. the same, engage with 2 parallel workers" bmax 5000 m1.scipy m1.parallel
    [ "$have_cdnow" = 0 ] || row "3. CDNOW fit (2357 customers), bgnbd_fit alone" amax 100 m2.cdnow -
    # The pipeline's steps (medians) and both sets of parameters.
    med_of() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' "$OUT/models-scipy.out" | median3; }
    median3() { sort -g | awk '{v[NR] = $1} END {printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
    local sp
    sp="$(tail -n 1 "$OUT/models-scipy.out")"
    {
        say "$txs raw transactions, $patterns distinct (x, t_x, T) patterns. Target (issue 4): the fit of 1M customers \"in a few seconds\" (read here as B <= 5000 ms), the ratio against the SciPy way reported, the CDNOW fit \"well under 100 ms\"."
        say ""
        say "The SciPy way, medians (s): psql \\copy export $(med_of export), pandas read_csv $(med_of read), pandas summary $(med_of summary), SciPy minimize (BFGS, analytic gradient) $(med_of fit), total $(med_of total) (wall time of the whole pipeline, one process)."
        say ""
        say "Parameters: engage ${model//\"/}; SciPy $(awk '{for (i = 1; i < NF; i++) if ($i ~ /^(r|alpha|a|b|iterations|converged)$/) { sep = n++ ? ", " : ""; printf "%s%s=%s", sep, $i, $(i + 1) }}' <<<"$sp")."
        say "Same parameters (4 significant digits): $(awk -v m="$model" '
            function val(k,   re, s) { re = "\"" k "\": *[-0-9.eE+]+"; if (!match(m, re)) return ""; s = substr(m, RSTART, RLENGTH); sub(/.*: */, "", s); return s + 0 }
            { for (i = 1; i < NF; i++) p[$i] = $(i + 1) }
            END { ok = 1; split("r alpha a b", ks, " ")
                  for (j = 1; j <= 4; j++) { e = val(ks[j]); if (e == "" || (e - p[ks[j]]) / e > 5e-4 || (p[ks[j]] - e) / e > 5e-4) ok = 0 }
                  print ok ? "yes" : "**NO**" }' <<<"$sp")."
    } >>"$NOTES"
    part_end models "BG/NBD fit, $n simulated customers (issue 4)" \
        "medians of $ROUNDS interleaved rounds after $BENCH_WARMUP warm-up: engage = EXPLAIN ANALYZE execution time (a fresh session each, after a scan of bench_tx), SciPy = wall time of export + read + summary + fit; CDNOW: medians of 21."
}

# --- run the parts ----------------------------------------------------------------
FAILED=()
for p in "${PARTS[@]}"; do
    if [ "${PARTS[*]}" != survey ]; then
        say ""
        say "# part: $p"
    fi
    set +e
    ( set -e; "part_$p" )
    rc=$?
    set -e
    [ "$rc" -eq 0 ] || { FAILED+=("$p"); say "part $p FAILED (exit $rc)"; }
done

if [ "${#PARTS[@]}" -gt 1 ]; then
    say ""
    say "# summary"
    for p in "${PARTS[@]}"; do
        [ -f "$OUT/$p.md" ] || continue
        say ""
        cat "$OUT/$p.md"
    done
fi
if [ "${#FAILED[@]}" -gt 0 ]; then
    say ""
    say "failed parts: ${FAILED[*]}"
    exit 1
fi
