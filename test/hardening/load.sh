#!/usr/bin/env bash
# test/hardening/load.sh: concurrent load on daily states.  For a bounded time,
#   - pgbench readers (8 clients, 2 threads) run month rollups per segment and
#     a per-segment rollup of one month on a materialized view of daily NPS
#     states;
#   - pgbench writers (2 clients) insert new survey responses;
#   - a loop runs REFRESH MATERIALIZED VIEW CONCURRENTLY back to back.
# Then: no failed transaction or client error, no ERROR/FATAL/PANIC in the
# server log, every insert is in the table (count = initial + inserts = the
# sequence's last value), and after a final refresh the view's month rollups
# equal nps_agg() over the raw rows (exact states) and plain-SQL score counts.
#
# Usage: test/hardening/load.sh [SECONDS [INITIAL_ROWS]]   (default 60, 1000000)
# Own cluster hard-load on port 54464, stopped on exit; prints Markdown
# figures; exits 1 if a check fails.
#
# Sourced (by test/integration/60_load.sh) it only defines the load_*
# functions, which run against PGHOST/PGPORT and database $LOAD_DB with
# scratch files in $LOAD_DIR.

LOAD_READERS="${LOAD_READERS:-8}"
LOAD_WRITERS="${LOAD_WRITERS:-2}"

# psql on $LOAD_DB: load_q SQL runs one command (tuples only, unaligned).
load_q() { "$(engage_pgbin)/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$LOAD_DB" -c "$1" </dev/null; }

# load_setup ROWS: create $LOAD_DB with ROWS responses over the last year in 20
# segments, the daily-states view, and the pgbench scripts in $LOAD_DIR.
load_setup() {
    local rows="$1"
    "$(engage_pgbin)/createdb" "$LOAD_DB" || return 1
    "$(engage_pgbin)/psql" -X -q -v ON_ERROR_STOP=1 -d "$LOAD_DB" >/dev/null <<SQL || return 1
CREATE EXTENSION engage;
ALTER DATABASE $LOAD_DB SET search_path = public, engage;
ALTER DATABASE $LOAD_DB SET TimeZone = 'UTC';
SET search_path = public, engage;
SET TimeZone = 'UTC';
CREATE TABLE responses (id bigserial PRIMARY KEY, answered_at timestamptz NOT NULL,
                        segment int NOT NULL, score int NOT NULL);
INSERT INTO responses (answered_at, segment, score)
SELECT now() - ((hashint8(i) & 2147483647) % (365 * 86400)) * interval '1 second',
       1 + (hashint8(-i) & 2147483647) % 20,
       least(10, (hashint8(i * 7) & 2147483647) % 14)
FROM generate_series(1, $rows) i;
CREATE MATERIALIZED VIEW daily AS
  SELECT answered_at::date AS day, segment, nps_agg(score) AS st, count(*) AS n
  FROM responses GROUP BY 1, 2;
CREATE UNIQUE INDEX ON daily (day, segment);
CREATE INDEX ON daily (segment);
VACUUM ANALYZE responses;
ANALYZE daily;
SQL
    # Readers: month rollups of one segment over the year, and one month's
    # rollup per segment.
    cat >"$LOAD_DIR/read.sql" <<'SQL'
\set seg random(1, 20)
\set mon random(0, 11)
SELECT date_trunc('month', day) AS month, nps(rollup(st)), nps_moe(rollup(st)), responses(rollup(st)) FROM daily WHERE segment = :seg GROUP BY 1 ORDER BY 1;
SELECT segment, nps(rollup(st)), nps_lower(rollup(st)), nps_upper(rollup(st)) FROM daily WHERE day >= date_trunc('month', current_date - make_interval(months => :mon)) AND day < date_trunc('month', current_date - make_interval(months => :mon)) + interval '1 month' GROUP BY segment ORDER BY segment;
SQL
    # Writers: one new response per transaction.
    cat >"$LOAD_DIR/write.sql" <<'SQL'
\set seg random(1, 20)
\set score random(0, 10)
INSERT INTO responses (answered_at, segment, score) VALUES (now() - random() * interval '365 days', :seg, :score);
SQL
    load_q "SELECT count(*) FROM responses" >"$LOAD_DIR/initial_rows"
}

# load_refresh_loop END: REFRESH ... CONCURRENTLY back to back until epoch END;
# one duration in ms per line in refresh.ms, errors in refresh.err.
load_refresh_loop() {
    local end="$1" t0 t1
    : >"$LOAD_DIR/refresh.ms"; : >"$LOAD_DIR/refresh.err"
    while [ "$(date +%s)" -lt "$end" ]; do
        t0="$(date +%s%N)"
        if load_q "REFRESH MATERIALIZED VIEW CONCURRENTLY daily" 2>>"$LOAD_DIR/refresh.err"; then
            t1="$(date +%s%N)"; echo $(( (t1 - t0) / 1000000 )) >>"$LOAD_DIR/refresh.ms"
        else
            echo "refresh failed" >>"$LOAD_DIR/refresh.err"
        fi
    done
}

# load_run SECONDS: readers, writers and the refresh loop at once, for
# SECONDS; every part stops by itself.  Exit codes in reader.rc, writer.rc.
load_run() {
    local secs="$1" pgbench rp wp lp
    pgbench="$(engage_pgbin)/pgbench"
    [ -x "$pgbench" ] || pgbench="$(command -v pgbench)"
    ( "$pgbench" -n -c "$LOAD_WRITERS" -j 1 -T "$secs" -f "$LOAD_DIR/write.sql" "$LOAD_DB" \
        >"$LOAD_DIR/writer.out" 2>"$LOAD_DIR/writer.err" </dev/null; echo $? >"$LOAD_DIR/writer.rc" ) &
    wp=$!
    ( "$pgbench" -n -c "$LOAD_READERS" -j 2 -T "$secs" -f "$LOAD_DIR/read.sql" "$LOAD_DB" \
        >"$LOAD_DIR/reader.out" 2>"$LOAD_DIR/reader.err" </dev/null; echo $? >"$LOAD_DIR/reader.rc" ) &
    rp=$!
    load_refresh_loop "$(( $(date +%s) + secs ))" &
    lp=$!
    wait "$wp" "$rp" "$lp"
}

# load_stat FILE KEY: a number from pgbench's summary (transactions, failed,
# latency, tps).
load_stat() {
    case "$2" in
        transactions) sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$1" ;;
        failed) sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$1" ;;
        latency) sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$1" ;;
        tps) sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' "$1" ;;
    esac
}

# load_client_errors NAME: error lines of pgbench NAME's stderr (none expected).
load_client_errors() { grep -ciE 'error|abort|fatal' "$LOAD_DIR/$1.err"; }

# load_final_refresh: one last refresh (the writers have stopped).
load_final_refresh() { load_q "REFRESH MATERIALIZED VIEW CONCURRENTLY daily"; }

# load_state_mismatches: (month, segment) rows whose rollup() of the view's
# daily states differs from nps_agg() over the raw rows, both ways.
load_state_mismatches() {
    load_q "WITH mv AS (SELECT date_trunc('month', day)::date AS m, segment, rollup(st)::text AS s
                        FROM daily GROUP BY 1, 2),
                 raw AS (SELECT date_trunc('month', answered_at::date)::date AS m, segment, nps_agg(score)::text AS s
                         FROM responses GROUP BY 1, 2)
            SELECT (SELECT count(*) FROM (TABLE mv EXCEPT TABLE raw) a) + (SELECT count(*) FROM (TABLE raw EXCEPT TABLE mv) b)"
}

# load_count_mismatches: (month, segment) rows whose score_counts() of the
# view's rollup differ from plain-SQL counts per score, both ways.
load_count_mismatches() {
    load_q "WITH mv AS (SELECT date_trunc('month', day)::date AS m, segment, score_counts(rollup(st)) AS c
                        FROM daily GROUP BY 1, 2),
                 cnt AS (SELECT date_trunc('month', answered_at::date)::date AS m, segment, score, count(*) AS n
                         FROM responses GROUP BY 1, 2, 3),
                 raw AS (SELECT g.m, g.segment, array_agg(coalesce(cnt.n, 0) ORDER BY s.score) AS c
                         FROM (SELECT DISTINCT m, segment FROM cnt) g CROSS JOIN generate_series(0, 10) AS s(score)
                              LEFT JOIN cnt ON cnt.m = g.m AND cnt.segment = g.segment AND cnt.score = s.score
                         GROUP BY 1, 2)
            SELECT (SELECT count(*) FROM (TABLE mv EXCEPT TABLE raw) a) + (SELECT count(*) FROM (TABLE raw EXCEPT TABLE mv) b)"
}

# load_log_errors FILE START_BYTE: ERROR/FATAL/PANIC or crash lines of the
# server log after START_BYTE.
load_log_errors() {
    tail -c +"$(( $2 + 1 ))" "$1" | grep -E 'ERROR|FATAL|PANIC|terminated by signal|server process .* exited'
}

# load_refresh_summary: "count min median max mean" of the refresh durations (ms).
load_refresh_summary() {
    sort -n "$LOAD_DIR/refresh.ms" | awk '{ v[NR] = $1; s += $1 }
        END { if (NR == 0) { print "0 - - - -"; exit }
              printf "%d %d %d %d %.0f\n", NR, v[1], v[int((NR + 1) / 2)], v[NR], s / NR }'
}

# Run as a script: the full measurement on its own cluster.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    . "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
    SECS="${1:-60}"
    ROWS="${2:-1000000}"
    LOAD_DB=load
    LOAD_DIR="$(mktemp -d /tmp/engage-load-run.XXXXXX)"
    FAILED=0
    # Stop the cluster, remove its data and the scratch folder.
    cleanup() {
        engage_cluster_stop hard-load >/dev/null 2>&1 || true
        rm -rf "$(engage_cluster_dir hard-load)" "$LOAD_DIR"
    }
    trap cleanup EXIT
    # check DESC GOT WANT: report and count a mismatch (an empty GOT fails).
    check() {
        if [ -n "$2" ] && [ "$2" == "$3" ]; then echo "ok - $1"
        else echo "FAILED - $1"; echo "  got:  $2"; echo "  want: $3"; FAILED=1; fi
    }
    engage_build || exit 1
    ENGAGE_PORT=54464 engage_cluster_start hard-load || exit 1
    engage_say "loading $ROWS responses"
    load_setup "$ROWS" || exit 1
    t0="$(date +%s%N)"; load_final_refresh || exit 1
    idle_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    log_start="$(stat -c %s "$ENGAGE_LOG")"
    initial="$(cat "$LOAD_DIR/initial_rows")"
    engage_say "running for $SECS s: $LOAD_READERS readers, $LOAD_WRITERS writers, refresh loop"
    load_run "$SECS"
    load_final_refresh || FAILED=1
    inserted="$(load_stat "$LOAD_DIR/writer.out" transactions)"
    check "readers: pgbench exit 0" "$(cat "$LOAD_DIR/reader.rc")" 0
    check "writers: pgbench exit 0" "$(cat "$LOAD_DIR/writer.rc")" 0
    check "readers: 0 failed transactions" "$(load_stat "$LOAD_DIR/reader.out" failed)" 0
    check "writers: 0 failed transactions" "$(load_stat "$LOAD_DIR/writer.out" failed)" 0
    check "no client errors" "$(( $(load_client_errors reader) + $(load_client_errors writer) ))" 0
    check "no refresh errors" "$(wc -c <"$LOAD_DIR/refresh.err")" 0
    check "no lost rows: count = initial + inserted" "$(load_q "SELECT count(*) FROM responses")" \
        "$(( initial + ${inserted:-0} ))"
    check "every sequence value is a row" "$(load_q "SELECT last_value FROM responses_id_seq")" \
        "$(( initial + ${inserted:-0} ))"
    check "view total = rows" "$(load_q "SELECT sum(n) FROM daily")" "$(( initial + ${inserted:-0} ))"
    check "rollup(daily) = nps_agg(raw) per month and segment" "$(load_state_mismatches)" 0
    check "score counts = plain SQL per month and segment" "$(load_count_mismatches)" 0
    errs="$(load_log_errors "$ENGAGE_LOG" "$log_start")"
    check "no ERROR/FATAL/PANIC in the server log" "$(printf '%s' "$errs" | grep -c .)" 0
    [ -n "$errs" ] && printf '%s\n' "$errs" | head -n 20
    read -r rn rmin rmed rmax rmean <<<"$(load_refresh_summary)"
    echo
    echo "Load run: $SECS s, $ROWS initial responses (365 days x 20 segments, $(load_q "SELECT count(*) FROM daily") daily states after the run), $(nproc) cores shared by all clients and the server."
    echo
    echo "| Part | Clients | Transactions | tps | Mean latency (ms) | Failed |"
    echo "|---|---:|---:|---:|---:|---:|"
    for w in reader writer; do
        f="$LOAD_DIR/$w.out"
        if [ $w = reader ]; then c="$LOAD_READERS (-j 2)"; d="readers: 2 rollup queries"
        else c="$LOAD_WRITERS (-j 1)"; d="writers: 1 INSERT"; fi
        printf '| %s | %s | %s | %.0f | %.1f | %s |\n' "$d" "$c" "$(load_stat "$f" transactions)" \
            "$(load_stat "$f" tps)" "$(load_stat "$f" latency)" "$(load_stat "$f" failed)"
    done
    echo "| REFRESH MATERIALIZED VIEW CONCURRENTLY, back to back | 1 | $rn | - | $rmean (min $rmin, median $rmed, max $rmax) | $(grep -c . "$LOAD_DIR/refresh.err") |"
    echo
    echo "The same refresh on the idle cluster before the run: $idle_ms ms."
    [ "$FAILED" -eq 0 ] || { engage_say "a check failed"; exit 1; }
fi
