#!/usr/bin/env bash
# sqlsmith against engage, on a private cluster: random queries, sent by a
# non-superuser role, over tables holding a column of every type engage's
# functions and aggregates take (test/hardening/sqlsmith_db.sql); then a
# targeted pass calling every engage routine with random extreme arguments and
# every state type's text input on mangled texts (sqlsmith_calls.sql). Passes
# when the server never crashed. Prints queries run, how many called engage,
# engage functions executed, errors by SQLSTATE.
#
#   test/hardening/sqlsmith.sh      # 20000 queries or 600 s, seed 1; 10 calls per routine
#   SMITH_QUERIES=5000 SMITH_SECONDS=120 SMITH_SEED=7 SMITH_CALLS=0 test/hardening/sqlsmith.sh
#
# Cluster `hard-sqlsmith` on port 54460 (SMITH_NAME, SMITH_PORT to change),
# using the engage installed in the system (test/test.sh or
# `. test/lib.sh; engage_build` installs it). Also sourced for its functions
# by test/integration/55_sqlsmith.sh and test/hardening/asan.sh.
# The run's files stay in $ENGAGE_LOGS/<name>/: postgres.log, sqlsmith.err,
# crashes.log, calls (routine|sqlstate|count), calls.crashed.

# shellcheck source=test/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
SMITH_SQL="$ENGAGE_REPO/test/hardening/sqlsmith_db.sql"
SMITH_DB=fuzz

# Install sqlsmith if it is missing.
smith_deps() {
    command -v sqlsmith >/dev/null 2>&1 && return 0
    engage_deps sqlsmith
}

# Start cluster NAME on PORT with the logging the summary parses.
smith_cluster_start() {
    ENGAGE_PORT="$2" ENGAGE_EXTRA_CONF="log_line_prefix = '%m [%p] %a %e [%b] '
log_min_error_statement = error
track_functions = all
track_activity_query_size = 65536
max_worker_processes = 8" engage_cluster_start "$1"
}

# Create database $SMITH_DB with engage, the fuzz tables and role smith.
smith_setup() {
    local psql=("$(engage_pgbin)/psql" -X -q -v ON_ERROR_STOP=1)
    "${psql[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $SMITH_DB" \
        -c "CREATE DATABASE $SMITH_DB" </dev/null &&
    "${psql[@]}" -d "$SMITH_DB" -f "$SMITH_SQL" </dev/null >/dev/null
}

# Print one SQL value from $SMITH_DB (as postgres).
smith_sql() {
    "$(engage_pgbin)/psql" -X -A -t -v ON_ERROR_STOP=1 -d "$SMITH_DB" -c "$1" </dev/null
}

# Run sqlsmith: QUERIES at most, SECONDS at most, SEED; write OUT/counts
# ("queries N", "engage N": generated statements, and those calling engage).
smith_run() {
    local queries="$1" seconds="$2" seed="$3" out="$4"
    mkdir -p "$out"
    # Statements end with ";" at the end of a line; count those naming an
    # engage function (engage.name followed by an argument list).
    timeout -s INT -k 10 "$seconds" sqlsmith --exclude-catalog --dump-all-queries \
        --target="host=$PGHOST port=$PGPORT dbname=$SMITH_DB user=smith" \
        --max-queries="$queries" --seed="$seed" </dev/null 2>"$out/sqlsmith.err" |
    awk '{ q = q $0 "\n" }
         /;$/ { n++; if (q ~ /engage\.[a-z_0-9]+\(/) e++; q = "" }
         END { printf "queries %d\nengage %d\n", n, e }' >"$out/counts" || true
}

# What a crash leaves in the server log: a process killed by a signal or
# exiting with a code other than 0 or 1 (a parallel worker that raised an
# ERROR exits with 1), a PANIC, a failed assertion.
SMITH_CRASH_RE='terminated by signal|exited with exit code ([2-9]|[1-9][0-9])|PANIC:|TRAP:'

# Print the number of crashes in LOG (a server log); write their records to FILE.
smith_crashes() {
    local log="$1" file="$2"
    grep -E -A3 "$SMITH_CRASH_RE|terminating any other active server" "$log" >"$file" 2>/dev/null || true
    grep -c -E "$SMITH_CRASH_RE" "$log" 2>/dev/null || true
}

# Print "SQLSTATE ALL ENGAGE" lines: errors of the sqlsmith session in LOG by
# SQLSTATE, and how many of them came from statements calling engage.
smith_errors() {
    awk '
        function flush() { if (st != "") { all[st]++; if (stmt ~ /engage\.[a-z_0-9]+\(/) eng[st]++ } st = ""; stmt = "" }
        # Fields: date time zone [pid] application sqlstate [backend type] severity;
        # errors of client backends only (parallel workers pass theirs on to them).
        /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
            rec = ""
            if ($5 != "sqlsmith::dut" || $7 != "[client") next
            if ($9 == "ERROR:") { flush(); st = $6; rec = "err"; next }
            if ($9 == "STATEMENT:" && st != "") { rec = "stmt"; stmt = $0; next }
            if ($9 != "DETAIL:" && $9 != "HINT:" && $9 != "CONTEXT:") flush()
            next
        }
        rec == "stmt" { stmt = stmt "\n" $0 }
        END { flush(); for (s in all) printf "%s %d %d\n", s, all[s], eng[s] + 0 }' "$1" | sort -k2,2nr
}

# Targeted pass (sqlsmith_calls.sql): every engage routine CALLS times with
# random arguments over NROWS rows, every state type's text input on SAMPLE
# texts; seed SEED. Writes OUT/calls ("routine|sqlstate|n" lines) and
# OUT/calls.crashed (statements that lost the connection). After a crash it
# goes on with the next statement.
smith_targeted() {
    local calls="$1" nrows="$2" sample="$3" seed="$4" out="$5" psql i n rc done_n
    psql="$(engage_pgbin)/psql"
    "$psql" -X -q -v ON_ERROR_STOP=1 -d "$SMITH_DB" -f "$ENGAGE_REPO/test/hardening/sqlsmith_calls.sql" \
        </dev/null >/dev/null || return 1
    # One statement per routine and per state type, numbered.
    "$psql" -X -A -t -d "$SMITH_DB" </dev/null >"$out/calls.list" -c "
        SELECT format('SELECT %L, * FROM smith_catalog.fuzz_calls(%s, $calls, $nrows, $seed);',
                      fn, fn::oid) FROM smith_catalog.targets ORDER BY fn::oid" &&
    "$psql" -X -A -t -d "$SMITH_DB" </dev/null >>"$out/calls.list" -c "
        SELECT format('SELECT %L, * FROM smith_catalog.fuzz_input(%s, $sample, $seed);',
                      'input ' || t.oid::regtype, t.oid) FROM pg_catalog.pg_type t
        WHERE t.typnamespace = 'engage'::regnamespace AND t.typtype = 'b' AND t.typcategory <> 'A'
        ORDER BY t.oid" || return 1
    n="$(wc -l <"$out/calls.list")"
    : >"$out/calls.raw"; : >"$out/calls.crashed"
    i=1
    while [ "$i" -le "$n" ]; do
        rc=0
        # After each statement psql echoes "@done I", so a lost connection
        # points at the statement after the last one echoed.
        awk -v from="$i" 'NR >= from { print; printf "\\echo @done %d\n", NR }' "$out/calls.list" |
            "$psql" -X -A -t -F '|' -U smith -d "$SMITH_DB" >>"$out/calls.raw" 2>>"$out/calls.err" || rc=$?
        [ "$rc" -eq 0 ] && break
        done_n="$(awk '$1 == "@done" { d = $2 } END { print d + 0 }' "$out/calls.raw")"
        [ "$done_n" -ge "$i" ] && i=$((done_n + 1))
        sed -n "${i}p" "$out/calls.list" >>"$out/calls.crashed"
        i=$((i + 1))
        # Let the postmaster finish its crash recovery.
        for _ in $(seq 60); do smith_sql 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
    done
    grep -v '^@done ' "$out/calls.raw" >"$out/calls" || true
}

# Print "DISTINCT CALLS" of engage functions from pg_stat_user_functions
# (function calls the executor made; aggregate transitions are not counted).
smith_fn_stats() {
    smith_sql "SELECT count(*) || ' ' || coalesce(sum(calls), 0) FROM pg_stat_user_functions
               WHERE schemaname = 'engage' AND calls > 0"
}

# The hardening run: cluster, database, sqlsmith, targeted pass, summary;
# exit 1 on a crash.
smith_main() {
    local name="${SMITH_NAME:-hard-sqlsmith}" port="${SMITH_PORT:-54460}"
    local queries="${SMITH_QUERIES:-20000}" seconds="${SMITH_SECONDS:-600}" seed="${SMITH_SEED:-1}"
    local calls="${SMITH_CALLS:-10}" nrows="${SMITH_ROWS:-50}" sample="${SMITH_SAMPLE:-300}"
    local out="$ENGAGE_LOGS/$name" start0 start1 pid0 pid1 t0 t1 t2 n e crashes xacts fn1 fn2 crashed
    smith_deps || return 1
    trap 'engage_cluster_stop "'"$name"'" >/dev/null 2>&1 || true' EXIT
    smith_cluster_start "$name" "$port" || return 1
    smith_setup || { engage_say "fuzz database setup failed"; return 1; }
    rm -rf "$out"; mkdir -p "$out"
    start0="$(smith_sql 'SELECT pg_postmaster_start_time()')"
    pid0="$(head -1 "$ENGAGE_DATA/postmaster.pid")"
    xacts="$(smith_sql "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$SMITH_DB'")"
    engage_say "sqlsmith: $queries queries at most, ${seconds}s at most, seed $seed (port $port)"
    t0="$(date +%s)"
    smith_run "$queries" "$seconds" "$seed" "$out"
    t1="$(date +%s)"
    sleep 1   # backends flush their statistics on exit
    xacts="$(smith_sql "SELECT xact_commit + xact_rollback - $xacts FROM pg_stat_database
                        WHERE datname = '$SMITH_DB'" || echo '?')"
    fn1="$(smith_fn_stats || echo '? ?')"
    if [ "$calls" -gt 0 ]; then
        engage_say "targeted calls: $calls per routine over $nrows rows, $sample texts per type"
        smith_targeted "$calls" "$nrows" "$sample" "$seed" "$out" ||
            { engage_say "targeted pass could not start"; return 1; }
        sleep 1
    fi
    t2="$(date +%s)"
    fn2="$(smith_fn_stats || echo '? ?')"
    start1="$(smith_sql 'SELECT pg_postmaster_start_time()' || echo 'server down')"
    pid1="$(head -1 "$ENGAGE_DATA/postmaster.pid" 2>/dev/null || echo none)"
    n="$(awk '$1 == "queries" { print $2 }' "$out/counts")"
    e="$(awk '$1 == "engage" { print $2 }' "$out/counts")"
    crashes="$(smith_crashes "$ENGAGE_LOG" "$out/crashes.log")"
    crashed="$(cat "$out/calls.crashed" 2>/dev/null)"
    cp "$ENGAGE_LOG" "$out/postgres.log"
    echo "== sqlsmith ($((t1 - t0)) s, seed $seed)"
    echo "queries generated:             $n"
    echo "queries calling engage:        $e"
    echo "transactions seen by server:   $xacts"
    echo "engage functions executed:     ${fn1% *} distinct, ${fn1#* } calls (pg_stat_user_functions)"
    echo "errors by SQLSTATE (all, in queries calling engage):"
    smith_errors "$ENGAGE_LOG" | awk '{ printf "  %s %7d %7d\n", $1, $2, $3 }'
    if [ "$calls" -gt 0 ]; then
        echo "== targeted calls ($((t2 - t1)) s)"
        awk -F'|' '$1 !~ /^input / { r[$1] = 1; n += $3 } $1 ~ /^input / { t[$1] = 1; m += $3 }
                   END { printf "routines called:               %d (%d statements)\n", length(r), n
                         printf "state types parsed:            %d (%d texts)\n", length(t), m }' "$out/calls"
        echo "engage functions executed:     ${fn2% *} distinct, ${fn2#* } calls (cumulative)"
        echo "statements by SQLSTATE:"
        awk -F'|' '{ s[$2] += $3 } END { for (k in s) printf "  %s %7d\n", k, s[k] }' "$out/calls" | sort -k2,2nr
        if grep -q '|XX' "$out/calls"; then
            echo "internal errors (XX...) by routine:"; grep '|XX' "$out/calls" | sed 's/^/  /'
        fi
    fi
    if [ "$calls" -gt 0 ] && [ -s "$out/calls.err" ]; then
        echo "targeted pass, psql errors ($out/calls.err):"; head -n 5 "$out/calls.err" | sed 's/^/  /'
    fi
    echo "postmaster start time:         $start0 -> $start1"
    echo "crashes:                       $crashes"
    if [ "$crashes" -ne 0 ] || [ -n "$crashed" ] || [ "$start0" != "$start1" ] || [ "$pid0" != "$pid1" ]; then
        echo "SERVER CRASHED: see $out/crashes.log"
        [ -n "$crashed" ] && echo "targeted calls that lost the connection: $crashed"
        cat "$out/crashes.log"
        return 1
    fi
    if [ "${n:-0}" -eq 0 ]; then echo "NO QUERY RAN (see $out/sqlsmith.err)"; return 1; fi
    if [ "$calls" -gt 0 ] && ! grep -q . "$out/calls"; then
        echo "THE TARGETED PASS RAN NOTHING (see $out/calls.err)"; return 1
    fi
    echo "no crash"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    smith_main
fi
