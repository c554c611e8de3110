#!/usr/bin/env bash
# Integration test: scheduled daily states with pg_cron, exactly as documented
# in docs/production.md (the SQL blocks are read from that file).
#   A. a materialized view of daily NPS/CSAT states per segment, refreshed
#      CONCURRENTLY by a '* * * * *' pg_cron job; its rollups equal plain SQL
#      on the raw rows; reads are not blocked by a concurrent refresh (and are
#      by a plain one, the control);
#   B. a table of daily states: yesterday appended by a pg_cron job, the
#      backfill, late rows with DO NOTHING (stale) and DO UPDATE (exact), then
#      month, quarter and month-to-date rollups equal plain SQL.
# Needs the test cluster's pg_cron (preloaded, cron.database_name = 'postgres',
# background workers). Waits for the next cron minute: about 30-100 s in all.
set -uo pipefail
# shellcheck source=test/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=test/integration/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

DB="engage_cron_$$"
DOC="$ENGAGE_REPO/docs/production.md"
JOB_MV="engage_cron_$$_mv"
JOB_DAY="engage_cron_$$_day"
PSQL="$(engage_pgbin)/psql"
TMP="$(mktemp -d)"
BG_PID=""
CREATED_CRON=0
T_START=$SECONDS

# sql DB [psql args]: run SQL from stdin in DB, tuples only, stop at the first error.
sql() { "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$@"; }

# cleanup: stop the background psql, unschedule our jobs, drop the database.
cleanup() {
    if [ -n "$BG_PID" ]; then kill "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; fi
    sql postgres -v a="$JOB_MV" -v b="$JOB_DAY" -v ids="${ID_MV:-0},${ID_DAY:-0}" \
        >/dev/null 2>&1 <<'SQL'
SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname IN (:'a', :'b');
DELETE FROM cron.job_run_details WHERE jobid IN (:ids);
SQL
    sql postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 </dev/null
    if [ "$CREATED_CRON" -eq 1 ]; then
        sql postgres -c "DROP EXTENSION IF EXISTS pg_cron" >/dev/null 2>&1 </dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

# doc_block NAME: the ```sql block after the marker <!-- 10_cron: NAME --> in the doc.
doc_block() {
    awk -v m="<!-- 10_cron: $1 -->" '
        $0 == m               { found = 1; next }
        found == 1 && /^```sql$/ { found = 2; next }
        found == 2 && /^```$/   { exit }
        found == 2            { print }' "$DOC"
}

# doc_job NAME: the job command between $job$ quotes in block NAME.
doc_job() {
    local b
    b="$(doc_block "$1")"
    # shellcheck disable=SC2016  # $job$ is a literal dollar quote
    case "$b" in *'$job$'*'$job$'*) ;; *) return 0 ;; esac
    b="${b#*\$job\$}"
    printf '%s\n' "${b%%\$job\$*}"
}

# rows_sql N FROM TO: the INSERT of N survey responses at random times in [FROM, TO)
# (SQL timestamptz expressions), four segments of different moods, a few skipped answers.
rows_sql() {
    cat <<SQL
INSERT INTO survey_responses (answered_at, segment, nps_score, csat_score)
SELECT d.ts, d.seg,
       CASE WHEN d.u1 >= 0.03 THEN greatest(0, least(10, round(m.mu + 3.0 * d.z)))::smallint END,
       CASE WHEN d.u2 >= 0.05 THEN greatest(1, least(5, round(0.6 + 0.42 * (m.mu + 3.0 * d.z)
                                                           + 0.8 * d.z2)))::smallint END
FROM (SELECT ($2) + random() * (($3) - ($2)) AS ts,
             (ARRAY['Enterprise', 'Mid-Market', 'SMB', 'Consumer'])[1 + floor(random() * 4)::int] AS seg,
             random() AS u1, random() AS u2,
             random() + random() + random() - 1.5 AS z, random() + random() - 1.0 AS z2
      FROM generate_series(1, $1)) AS d
CROSS JOIN LATERAL (
    SELECT CASE d.seg WHEN 'Enterprise' THEN 8.7 WHEN 'Mid-Market' THEN 8.1
                      WHEN 'SMB' THEN 7.6 ELSE 7.0 END AS mu) AS m;
SQL
}

# load_rows N FROM TO: insert those rows.
load_rows() { rows_sql "$@" | sql "$DB"; }

# Today's UTC midnight as a timestamptz (the cut between stored days and today).
TODAY="(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
# Plain-SQL counts per (period, segment) of the responses before CUTOFF.
raw_counts() {
    cat <<SQL
SELECT date_trunc('$1', (answered_at AT TIME ZONE 'UTC')::date)::date AS period, segment,
       count(*) AS rows_n,
       count(nps_score) AS n, count(*) FILTER (WHERE nps_score >= 9) AS p,
       count(*) FILTER (WHERE nps_score <= 6) AS d,
       count(csat_score) AS cn, count(*) FILTER (WHERE csat_score >= 4) AS cs
FROM survey_responses WHERE answered_at < $2 GROUP BY 1, 2
SQL
}
# The 95% Wald margin of NPS in points, from the counts p, d, n of row r.
WALD="100 * 1.959963984540054 * sqrt(((r.p + r.d)::float8 / r.n - ((r.p - r.d)::float8 / r.n) ^ 2) / r.n)"

# month_sql SRC CUTOFF: the query of "M mismatched of N" between the doc's month
# query on SRC and plain SQL on the responses before CUTOFF, per (month, segment).
month_sql() {
    local q
    q="$(doc_block month)"; q="${q%;}"; q="${q//survey_day_states/$1}"
    cat <<SQL
WITH doc AS ($q), r AS ($(raw_counts month "$2"))
SELECT count(*) FILTER (WHERE coalesce(NOT (
           doc.nps_responses = r.n AND doc.promoters = r.p AND doc.detractors = r.d
           AND abs(doc.nps - (100.0 * (r.p - r.d) / r.n)::float8) < 1e-9
           AND abs(doc.nps_moe - $WALD) < 1e-6
           AND doc.csat_responses = r.cn AND doc.satisfied = r.cs
           AND abs(doc.csat - (100.0 * r.cs / r.cn)::float8) < 1e-9), true))
       || ' mismatched of ' || count(*)
FROM doc FULL JOIN r ON doc.month = r.period AND doc.segment = r.segment;
SQL
}

# month_check SRC CUTOFF: run that query.
month_check() { month_sql "$@" | sql "$DB"; }

# quarter_check: the same for the doc's quarter query (segments and totals).
quarter_check() {
    local q
    q="$(doc_block quarter)"; q="${q%;}"
    sql "$DB" <<SQL
WITH doc AS ($q),
seg AS ($(raw_counts quarter "$TODAY")),
r AS (SELECT * FROM seg
      UNION ALL
      SELECT period, 'all segments', sum(rows_n), sum(n), sum(p), sum(d), sum(cn), sum(cs)
      FROM seg GROUP BY period)
SELECT count(*) FILTER (WHERE coalesce(NOT (
           doc.responses = r.rows_n
           AND abs(doc.nps - (100.0 * (r.p - r.d) / r.n)::float8) < 1e-9
           AND abs(doc.nps_moe - $WALD) < 1e-6
           AND abs(doc.csat - (100.0 * r.cs / r.cn)::float8) < 1e-9), true))
       || ' mismatched of ' || count(*)
FROM doc FULL JOIN r ON doc.quarter = r.period AND doc.segment = r.segment;
SQL
}

# groups PERIOD CUTOFF: the number of distinct (period, segment) in the raw rows.
groups() {
    sql "$DB" <<SQL
SELECT count(DISTINCT (date_trunc('$1', (answered_at AT TIME ZONE 'UTC')::date), segment))
FROM survey_responses WHERE answered_at < $2;
SQL
}

# holds MODE: 0 when the background refresher sleeps holding lock MODE on the view.
holds() {
    [ "$(sql "$DB" -v mode="$1" <<'SQL'
SELECT count(*) FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
WHERE a.application_name = 'engage_cron_refresher' AND a.query LIKE 'SELECT pg_sleep%'
  AND l.relation = 'daily_survey_states'::regclass AND l.mode = :'mode' AND l.granted;
SQL
)" = 1 ]
}

# refresher COMMAND: start, in the background, a transaction that runs the
# refresh COMMAND and then sleeps 4 s holding its lock.
refresher() {
    PGAPPNAME=engage_cron_refresher sql "$DB" >"$TMP/bg.out" 2>&1 <<SQL &
BEGIN;
$1;
SELECT pg_sleep(4);
COMMIT;
SQL
    BG_PID=$!
}

# wait_holds MODE: wait (at most 10 s) until the refresher holds lock MODE.
wait_holds() {
    local i
    for ((i = 0; i < 100; i++)); do holds "$1" && return 0; sleep 0.1; done
    return 1
}

# reader: a rollup query on the view that gives up after waiting 1 s for a lock.
reader() {
    sql "$DB" 2>&1 <<'SQL'
SET lock_timeout = '1s';
SELECT responses(rollup(nps_state)) || ' ' || sum(responses) FROM daily_survey_states;
SQL
}

# ---------------------------------------------------------------------------
# Setup: pg_cron in postgres, a fresh database, the doc's table and view.
# The database's sessions (the cron jobs' too) run in a time zone whose date
# is not today's UTC date (UTC+14 or UTC-12), so that a day taken in the
# session's time zone instead of UTC would show.
# ---------------------------------------------------------------------------
FAR_TZ="$(sql postgres -c "SELECT CASE WHEN extract(hour FROM now() AT TIME ZONE 'UTC') >= 10
    THEN 'Etc/GMT-14' ELSE 'Etc/GMT+12' END" </dev/null)"
for b in responses mv mv-job table backfill daily-job late-job month quarter today; do
    [ -n "$(doc_block "$b")" ] || missing_block="${missing_block:-} $b"
done
tap_is "${missing_block:-none}" "none" "docs/production.md has every tested SQL block"
[ -z "${missing_block:-}" ] || tap_done

preloaded="$(sql postgres -c "SELECT 'pg_cron' = ANY (string_to_array(
    replace(current_setting('shared_preload_libraries'), ' ', ''), ','))" </dev/null)"
tap_is "$preloaded" "t" "pg_cron is preloaded in the test cluster"
[ "$preloaded" = t ] || tap_done
tap_diag "cron.use_background_workers = $(sql postgres -c 'SHOW cron.use_background_workers' </dev/null)"
if [ "$(sql postgres -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'" </dev/null)" = 0 ]; then
    sql postgres -c "CREATE EXTENSION pg_cron" </dev/null && CREATED_CRON=1
fi

setup_ok=0
{ sql postgres -c "CREATE DATABASE $DB" </dev/null &&
  sql "$DB" -c "CREATE EXTENSION engage" \
            -c "ALTER DATABASE $DB SET search_path = public, engage" \
            -c "ALTER DATABASE $DB SET TimeZone = '$FAR_TZ'" </dev/null &&
  doc_block responses | sql "$DB" &&
  load_rows 40000 "now() - interval '110 days'" "now()" &&
  doc_block mv | sql "$DB" &&
  doc_block table | sql "$DB"; } || setup_ok=$?
tap_is "$setup_ok" 0 "database, 40000 responses, the view and the states table are created"
[ "$setup_ok" -eq 0 ] || tap_done

tap_is "$(sql "$DB" -c "SELECT count(*) FROM pg_index WHERE indrelid = 'daily_survey_states'::regclass
    AND indisunique AND indexprs IS NULL AND indpred IS NULL" </dev/null)" 1 \
    "the view has a unique index on plain columns (required by CONCURRENTLY)"

# ---------------------------------------------------------------------------
# A + B: schedule the two documented jobs every minute, add rows, wait a run.
# ---------------------------------------------------------------------------
# Keep clear of the minute boundary, so that the next run starts after the insert.
sec="$(sql postgres -c "SELECT extract(second FROM clock_timestamp())::int" </dev/null)"
if [ "${sec:-0}" -ge 48 ]; then sleep $((62 - sec)); fi

ids="$(sql postgres -v a="$JOB_MV" -v b="$JOB_DAY" -v db="$DB" \
        -v mv="$(doc_job mv-job)" -v day="$(doc_job daily-job)" <<'SQL'
SELECT cron.schedule_in_database(:'a', '* * * * *', :'mv', :'db');
SELECT cron.schedule_in_database(:'b', '* * * * *', :'day', :'db');
SQL
)"
ID_MV="$(sed -n 1p <<<"$ids")"; ID_DAY="$(sed -n 2p <<<"$ids")"
tap_is "$(sql postgres -v a="$JOB_MV" -v b="$JOB_DAY" <<'SQL'
SELECT string_agg(schedule || ' ' || active::text || ' ' || command, ' | ' ORDER BY jobname)
FROM cron.job WHERE jobname IN (:'a', :'b');
SQL
)" "* * * * * true $(doc_job daily-job) | * * * * * true $(doc_job mv-job)" \
    "both documented jobs are scheduled every minute in the test database (cron.job)"

# New responses for yesterday and today. In the same transaction the view must
# not match them yet (so the comparison can fail); after COMMIT, note the time.
Y_FROM="((date_trunc('day', now() AT TIME ZONE 'UTC') - interval '1 day') AT TIME ZONE 'UTC')"
out="$( { echo 'BEGIN;'; rows_sql 1500 "$Y_FROM" "now()"
          month_sql daily_survey_states "'infinity'"
          echo 'COMMIT;'; echo 'SELECT clock_timestamp();'; } | sql "$DB")"
stale="$(sed -n 1p <<<"$out")"; T0="$(sed -n 2p <<<"$out")"
[[ "$stale" == [1-9]*" mismatched of "* ]]
tap_ok $? "before a refresh, the view's month rollups miss the 1500 new rows ($stale)"

# run_of JOBID: "status|return_message|start_time" of its first finished run after T0.
run_of() {
    sql postgres -v id="$1" -v t0="$T0" <<'SQL'
SELECT status || '|' || coalesce(return_message, '') || '|' || start_time
FROM cron.job_run_details
WHERE jobid = :id AND start_time > :'t0' AND status IN ('succeeded', 'failed')
ORDER BY start_time LIMIT 1;
SQL
}
t_wait=$SECONDS
deadline=$((SECONDS + 80))
r_mv=""; r_day=""
while [ "$SECONDS" -lt "$deadline" ]; do
    [ -n "$r_mv" ] || r_mv="$(run_of "${ID_MV:-0}")"
    [ -n "$r_day" ] || r_day="$(run_of "${ID_DAY:-0}")"
    [ -n "$r_mv" ] && [ -n "$r_day" ] && break
    sleep 1
done
t_wait=$((SECONDS - t_wait))
tap_diag "waited ${t_wait}s for the cron runs" "refresh run: ${r_mv:-none}" "daily run: ${r_day:-none}"
IFS='|' read -r st msg start <<<"$r_mv"
tap_is "${st:-}|${msg:-}" "succeeded|REFRESH MATERIALIZED VIEW" \
    "A: the refresh job ran after the insert and succeeded (cron.job_run_details)"
IFS='|' read -r st msg start <<<"$r_day"
tap_is "${st:-}|${msg%% *}" "succeeded|INSERT" \
    "B: the daily job ran after the insert and succeeded (cron.job_run_details)"

# A: every (month, segment) of the view equals plain SQL on all the rows.
tap_is "$(month_check daily_survey_states "'infinity'")" \
    "0 mismatched of $(groups month "'infinity'")" \
    "A: after the cron refresh, month rollups of the view equal plain SQL (counts, NPS, margin, CSAT)"

# B: the job wrote yesterday (of its own start, UTC) and nothing else, exactly.
Y="$(sql postgres -v s="${start:-now}" <<'SQL'
SELECT (:'s'::timestamptz AT TIME ZONE 'UTC')::date - 1;
SQL
)"
tap_is "$(sql "$DB" -v y="$Y" <<'SQL'
WITH r AS (
    SELECT segment, count(*) AS rows_n, count(nps_score) AS n,
           count(*) FILTER (WHERE nps_score >= 9) AS p, count(*) FILTER (WHERE nps_score <= 6) AS d,
           count(csat_score) AS cn, count(*) FILTER (WHERE csat_score >= 4) AS cs
    FROM survey_responses
    WHERE answered_at >= :'y'::timestamp AT TIME ZONE 'UTC'
      AND answered_at < (:'y'::date + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY segment)
SELECT count(*) FILTER (WHERE coalesce(NOT (
           t.day = :'y' AND t.responses = r.rows_n
           AND responses(t.nps_state) = r.n AND promoters(t.nps_state) = r.p
           AND detractors(t.nps_state) = r.d
           AND responses(t.csat_state) = r.cn AND satisfied(t.csat_state) = r.cs), true))
       || ' mismatched of ' || count(*)
FROM survey_day_states AS t FULL JOIN r USING (segment);
SQL
)" "0 mismatched of 4" "B: the daily job stored yesterday ($Y) only, 4 segments equal to plain SQL counts"

tap_is "$(sql postgres -v a="$JOB_MV" -v b="$JOB_DAY" <<'SQL'
SELECT cron.unschedule(:'a') AND cron.unschedule(:'b');
SELECT count(*) FROM cron.job WHERE jobname IN (:'a', :'b');
SQL
)" "t
0" "both jobs are unscheduled (cron.unschedule, no cron.job rows left)"

# ---------------------------------------------------------------------------
# A: reads go on during REFRESH ... CONCURRENTLY, and not during a plain one.
# ---------------------------------------------------------------------------
count_sql="SELECT count(nps_score) || ' ' || count(*) FROM survey_responses"
old="$(sql "$DB" -c "$count_sql" </dev/null)"
load_rows 500 "now() - interval '1 hour'" "now()"
new="$(sql "$DB" -c "$count_sql" </dev/null)"

refresher "$(doc_job mv-job)"
wait_holds ExclusiveLock
tap_ok $? "A: the documented refresh holds an EXCLUSIVE lock on the view, uncommitted"
t_ms=$(date +%s%3N)
got="$(reader)"
t_ms=$(( $(date +%s%3N) - t_ms ))
holds ExclusiveLock; still=$?
tap_is "$got" "$old" "A: meanwhile a rollup query with lock_timeout = 1s returns the old contents (${t_ms} ms)"
tap_ok $still "A: the refresh was still holding its lock when that query returned"
wait "$BG_PID"; rc=$?; BG_PID=""
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMP/bg.out"
tap_is "$rc" 0 "A: the concurrent refresh commits"
tap_is "$(reader)" "$new" "A: after it commits, the view has the 500 new rows"

load_rows 200 "now() - interval '1 hour'" "now()"
refresher "REFRESH MATERIALIZED VIEW daily_survey_states"
wait_holds AccessExclusiveLock
tap_ok $? "control: a plain REFRESH holds an ACCESS EXCLUSIVE lock on the view, uncommitted"
got="$(reader)"
[[ "$got" == *"canceling statement due to lock timeout"* ]]; rc=$?
tap_ok $rc "control: meanwhile the same query times out after 1 s"
[ "$rc" -eq 0 ] || tap_diag "got: $got"
wait "$BG_PID"; rc=$?; BG_PID=""
tap_is "$rc" 0 "control: the plain refresh commits"

# ---------------------------------------------------------------------------
# B: backfill, late rows, DO NOTHING stays stale, DO UPDATE is exact.
# ---------------------------------------------------------------------------
doc_block backfill | sql "$DB"
tap_is "$?" 0 "B: the documented backfill runs"
n_month="$(groups month "$TODAY")"
tap_is "$(month_check survey_day_states "$TODAY")" "0 mismatched of $n_month" \
    "B: cron day + backfill: month rollups equal plain SQL on the rows before today"

# Late rows for yesterday and the day before; the DO NOTHING job changes nothing.
load_rows 300 "$Y_FROM" "$TODAY"
load_rows 300 "($Y_FROM - interval '1 day')" "$Y_FROM"
doc_job daily-job | sql "$DB"
tap_is "$?" 0 "B: the DO NOTHING job runs again"
out="$(month_check survey_day_states "$TODAY")"
[[ "$out" == [1-9]*" mismatched of $n_month" ]]
tap_ok $? "B: after 600 late rows it leaves the stored days stale, and the check sees it ($out)"

doc_job late-job | sql "$DB"
tap_is "$?" 0 "B: the DO UPDATE job (last 3 days) runs"
tap_is "$(month_check survey_day_states "$TODAY")" "0 mismatched of $n_month" \
    "B: then month rollups equal plain SQL again"
doc_job late-job | sql "$DB"
tap_is "$(month_check survey_day_states "$TODAY")" "0 mismatched of $n_month" \
    "B: running the DO UPDATE job twice changes nothing"
n_quarter="$(sql "$DB" <<SQL
SELECT count(DISTINCT (date_trunc('quarter', (answered_at AT TIME ZONE 'UTC')::date), segment))
     + count(DISTINCT date_trunc('quarter', (answered_at AT TIME ZONE 'UTC')::date))
FROM survey_responses WHERE answered_at < $TODAY;
SQL
)"
tap_is "$(quarter_check)" "0 mismatched of $n_quarter" \
    "B: quarter rollups (segments and all segments) equal plain SQL"

q="$(doc_block today)"; q="${q%;}"
tap_is "$(sql "$DB" <<SQL
WITH doc AS ($q),
r AS (SELECT count(nps_score) AS n, count(*) FILTER (WHERE nps_score >= 9) AS p,
             count(*) FILTER (WHERE nps_score <= 6) AS d
      FROM survey_responses
      WHERE answered_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
SELECT coalesce(abs(doc.nps_month_to_date - (100.0 * (r.p - r.d) / r.n)::float8) < 1e-9, false)
FROM doc, r;
SQL
)" "t" "B: month-to-date NPS (stored days + today's rows) equals plain SQL"

tap_diag "run time: $((SECONDS - T_START))s, of which ${t_wait}s waiting for pg_cron"
tap_done
