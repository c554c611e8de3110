#!/usr/bin/env bash
# 30_dump_restore: pg_dump / pg_restore (custom format) and a plain-format
# dump restored with psql keep every stored state byte-identical (text,
# binary, jsonb) in tables and materialized views of every engage state type,
# and the accessors read the numbers that plain SQL computes from the raw rows.
# Materialized views are rebuilt by the restore itself (REFRESH under
# search_path = ''), so that also shows the aggregates run with qualified names.
# A plain role's trusted install is dumped and restored by that role too.
# Uses the test cluster only (PGHOST/PGPORT); databases and a role
# engage_t30_*_PID, dropped on exit (KEEP=1 keeps them for inspection).
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=test/lib.sh
. "$HERE/../lib.sh"
# shellcheck source=test/integration/tap.sh
. "$HERE/tap.sh"

BIN="$(engage_pgbin)"
SRC="engage_t30_src_$$"
DST="engage_t30_dst_$$"
PLAIN="engage_t30_plain_$$"
OWNER="engage_t30_owner_$$"
OWN1="engage_t30_own1_$$"
OWN2="engage_t30_own2_$$"
TMP="$(mktemp -d /tmp/engage-t30.XXXXXX)"

# Drop this script's databases, roles and files (also on early exit).
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    local d
    for d in "$SRC" "$DST" "$PLAIN" "$OWN1" "$OWN2"; do
        "$BIN/dropdb" --if-exists "$d" >/dev/null 2>&1 || true
    done
    "$BIN/psql" -X -q -d postgres -c "DROP ROLE IF EXISTS $OWNER" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT

# q DB SQL: run SQL in DB, unaligned tuples only, stop on the first error; on
# an error print a line that no other query prints, so no comparison passes.
q() {
    local out
    if ! out="$("$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1)"; then
        echo "query failed ($RANDOM$RANDOM): $out"; return 1
    fi
    printf '%s\n' "$out"
}

# The source database: raw rows, tables of stored states built from them and
# from literals, materialized views, a view, a hash index and a CHECK.
"$BIN/createdb" "$SRC" || { tap_ok 1 "create database $SRC"; tap_done; }
if ! "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$SRC" >"$TMP/fixture.log" 2>&1 <<'SQL'
CREATE EXTENSION engage;
SET TimeZone = 'UTC';
CREATE TABLE survey AS
  SELECT i AS id, i % 2 AS seg, (i * 7) % 11 AS nps, 1 + (i * 3) % 5 AS csat, 1 + (i * 5) % 7 AS ces,
         (i % 3 <> 0) AS converted
  FROM generate_series(1, 400) i;
-- 20 users, 15 page views each over ~33 hours; the minute offsets give gaps
-- on both sides of 30 minutes and never exactly 30.
CREATE TABLE events AS
  SELECT u::bigint AS user_id, u % 2 AS seg,
         timestamptz '2024-03-01 08:00:00+00' + u * interval '1 day' + ((k * k * 37 + u * k * 53) % 2000 + k) * interval '1 minute'
           + (u * 7 + k) % 60 * interval '1 second' AS ts,
         1 + k % 3 AS step, 'p' || (k % 4) AS page
  FROM generate_series(1, 20) u, generate_series(0, 14) k;
CREATE TABLE subs AS
  SELECT i, i % 2 AS seg,
         timestamptz '2023-06-01 00:00:00+00' + (i * 13 % 300) * interval '1 day' AS started_at,
         CASE WHEN i % 4 = 0 THEN timestamptz '2023-06-01 00:00:00+00' + (i * 13 % 300 + i * 7 % 200) * interval '1 day' END AS ended_at,
         CASE WHEN i % 5 = 0 THEN 0 ELSE 10 * (i % 7) + 10 END::numeric AS mrr_start,
         CASE WHEN i % 6 = 0 THEN 0 ELSE 10 * (i % 7) + (i % 3) * 5 + 5 END::numeric AS mrr_end
  FROM generate_series(1, 60) i;
CREATE TABLE ledger AS
  SELECT i % 2 AS seg, (ARRAY['starting', 'new', 'expansion', 'contraction', 'churned'])[1 + i % 5] AS movement,
         (10 + i % 9)::numeric AS amount
  FROM generate_series(1, 50) i;
CREATE TABLE tickets AS
  SELECT i % 2 AS seg, timestamptz '2024-02-01 00:00:00+00' + i * interval '37 minutes' AS opened_at,
         CASE WHEN i % 7 <> 0 THEN timestamptz '2024-02-01 00:00:00+00' + i * interval '37 minutes'
                                   + (i * i % 500) * interval '1 minute' + i * interval '1 second' END AS resolved_at
  FROM generate_series(1, 80) i;
CREATE TABLE orders AS
  SELECT (i % 12)::bigint AS customer_id, (i % 12) % 2 AS seg, (5 + i % 17)::float8 AS amount,
         timestamptz '2024-01-01 00:00:00+00' + (i * 11 % 150) * interval '1 day' AS ts
  FROM generate_series(1, 70) i;
-- BG/NBD inputs with customers who differ in frequency and in when they stopped.
CREATE TABLE bg AS
  SELECT x::float8 AS x, tx::float8 AS tx, 39::float8 AS t, (x * 3 + tx)::int % 2 AS seg,
         (12 + (x * 7 + tx)::int % 9)::float8 AS m
  FROM (SELECT 0 AS x, 0 AS tx FROM generate_series(1, 60)
        UNION ALL SELECT 1 + i % 3, 30 + i % 9 FROM generate_series(1, 25) i
        UNION ALL SELECT 1 + i % 2, 2 + i % 6 FROM generate_series(1, 25) i
        UNION ALL SELECT 5 + i % 7, 33 + i % 6 FROM generate_series(1, 15) i
        UNION ALL SELECT 3 + i % 4, 10 + i % 8 FROM generate_series(1, 10) i) s;

-- Materialized views: rebuilt by the restore (REFRESH under search_path = '').
CREATE MATERIALIZED VIEW mv_survey AS
  SELECT seg, engage.nps_agg(nps) AS nps_st, engage.csat_agg(csat) AS csat_st, engage.ces_agg(ces) AS ces_st,
         engage.conversion_agg(converted) AS conv_st, engage.engagement_agg(nps, 10) AS ratio_st,
         engage.csat_agg(nps, 0, 10, 7) AS csat10_st, engage.ces_agg(ces, 7) AS ces7_st
  FROM survey GROUP BY seg;
CREATE MATERIALIZED VIEW mv_web AS
  SELECT seg, engage.sessionize(user_id, ts) AS sess_st, engage.activity_agg(user_id, ts::date) AS act_st,
         engage.funnel(user_id, ts, step, interval '6 hours') AS fun_st
  FROM events GROUP BY seg;
CREATE MATERIALIZED VIEW mv_money AS
  SELECT s.seg, s.rev_st, s.flow_st, l.ledger_st, t.res_st
  FROM (SELECT seg, engage.revenue_agg(mrr_start, mrr_end) AS rev_st,
               engage.subscription_flow(started_at, ended_at, '2024-01-01', '2024-07-01', interval '1 month') AS flow_st
        FROM subs GROUP BY seg) s
  JOIN (SELECT seg, engage.revenue_movements_agg(movement, amount) AS ledger_st FROM ledger GROUP BY seg) l USING (seg)
  JOIN (SELECT seg, engage.resolution_agg(opened_at, resolved_at) AS res_st FROM tickets GROUP BY seg) t USING (seg);
CREATE MATERIALIZED VIEW mv_models AS
  SELECT engage.bgnbd_fit(x, tx, t) AS bg_model, engage.gammagamma_fit(x, m) AS gg_model FROM bg;
CREATE MATERIALIZED VIEW mv_per_user AS
  SELECT user_id, engage.page_stats(ts, page) AS pages, engage.sessionize(ts) AS sess_st FROM events GROUP BY user_id;
CREATE MATERIALIZED VIEW mv_customers AS
  SELECT customer_id, engage.rfm_summary(ts, amount, '2024-06-30') AS r FROM orders GROUP BY customer_id;

-- Tables: copies of the views (dumped as COPY data, read back by text input),
-- rollups, and literal states, with a hash index, a CHECK and a DEFAULT.
CREATE TABLE st_survey AS SELECT * FROM mv_survey;
CREATE TABLE st_web AS SELECT * FROM mv_web;
CREATE TABLE st_money AS SELECT * FROM mv_money;
CREATE TABLE st_models AS SELECT * FROM mv_models;
CREATE TABLE st_customers AS SELECT * FROM mv_customers;
CREATE TABLE st_clv AS SELECT engage.historical_clv(customer_id, amount, ts) AS clv FROM orders;
CREATE TABLE st_rolled AS
  SELECT (SELECT engage.rollup(nps_st) FROM mv_survey) AS nps_st,
         (SELECT engage.rollup(conv_st) FROM mv_survey) AS conv_st,
         (SELECT engage.rollup(sess_st) FROM mv_web) AS sess_st,
         (SELECT engage.rollup(act_st) FROM mv_web) AS act_st,
         (SELECT engage.rollup(fun_st) FROM mv_web) AS fun_st,
         (SELECT engage.rollup(rev_st) FROM mv_money) AS rev_st,
         (SELECT engage.rollup(flow_st) FROM mv_money) AS flow_st,
         (SELECT engage.rollup(res_st) FROM mv_money) AS res_st;
CREATE TABLE st_literals (
  id int PRIMARY KEY,
  nps_st engage.nps_state CHECK (engage.responses(nps_st) > 0),
  rate_st engage.proportion_state DEFAULT 'v1:0/0',
  model engage.bgnbd
);
INSERT INTO st_literals VALUES
  (1, 'v1:0..10:>=9:[1,0,0,0,0,0,2,3,0,4,5]', 'v1:45/50', 'v1:r=0.25,alpha=4.5,a=0.75,b=2.5'),
  (2, 'v1:0..10:>=9:[9223372036854775806,0,0,0,0,0,0,0,0,0,1]', 'v1:ratio:150/100', NULL),
  (3, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,7]', DEFAULT, NULL);
CREATE INDEX st_literals_nps ON st_literals USING hash (nps_st);
CREATE VIEW v_metrics AS
  SELECT seg, engage.nps(nps_st) AS nps, engage.promoters(nps_st) AS promoters, engage.csat(csat_st) AS csat
  FROM st_survey;
SQL
then
    sed 's/^/# /' "$TMP/fixture.log"
    tap_ok 1 "source database with stored states of every type"; tap_done
fi
tap_ok 0 "source database with stored states of every type"

# Every relation's engage-typed columns, one line per row and column: text,
# binary (the type's send function, hex) and jsonb (base types), or text
# (composites and arrays). Ordered, so two databases compare as strings.
FINGERPRINT_FN=$(cat <<'SQL'
CREATE FUNCTION pg_temp.fingerprint(rels text[] DEFAULT NULL) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  r record;
  line text;
BEGIN
  FOR r IN
    SELECT c.oid::regclass::text AS rel, a.attname, t.typtype, t.typsend::regproc::text AS snd
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typlen = -1
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'm')
      AND 'engage'::regnamespace IN (t.typnamespace, e.typnamespace)
      AND (rels IS NULL OR c.relname = ANY (rels))
    ORDER BY 1, a.attnum
  LOOP
    IF r.typtype = 'b' AND r.snd LIKE 'engage.%' THEN
      FOR line IN EXECUTE format(
        'SELECT %L || %L || coalesce(%I::text, %L) || %L || coalesce(encode(%s(%I), %L), %L)'
        '       || %L || coalesce((%I::pg_catalog.jsonb)::text, %L) FROM %s ORDER BY 1',
        r.rel || '.' || r.attname, ' ', r.attname, 'NULL', ' ', r.snd, r.attname, 'hex', 'NULL',
        ' ', r.attname, 'NULL', r.rel)
      LOOP RETURN NEXT line; END LOOP;
    ELSE
      FOR line IN EXECUTE format('SELECT %L || %L || coalesce(%I::text, %L) FROM %s ORDER BY 1',
                                 r.rel || '.' || r.attname, ' ', r.attname, 'NULL', r.rel)
      LOOP RETURN NEXT line; END LOOP;
    END IF;
  END LOOP;
END $$;
SQL
)

# fingerprint DB [REL...]: the lines above for DB (all relations, or those named).
fingerprint() {
    local db="$1"; shift
    local arr="NULL"
    if [ "$#" -gt 0 ]; then arr="ARRAY[$(printf "'%s'," "$@" | sed 's/,$//')]"; fi
    q "$db" "$FINGERPRINT_FN; SELECT pg_temp.fingerprint($arr)"
}

# Metrics read through the accessors, one line per relation row.
METRICS_SQL="SET TimeZone = 'UTC';
SELECT concat_ws(' ', 's', seg, engage.nps(nps_st), engage.promoters(nps_st), engage.detractors(nps_st),
         engage.nps_moe(nps_st), engage.csat(csat_st), engage.csat_lower(csat_st), engage.ces(ces_st),
         engage.score_stddev(ces_st), engage.rate(conv_st), engage.rate_upper(conv_st),
         engage.rate(ratio_st), engage.csat(csat10_st), engage.ces(ces7_st))
  FROM st_survey ORDER BY seg;
SELECT concat_ws(' ', 'w', seg, engage.sessions(sess_st), engage.bounce_rate(sess_st),
         engage.avg_session_duration(sess_st), engage.active_users(act_st), engage.dau(act_st, '2024-03-05'),
         engage.funnel_users(fun_st), engage.funnel_conversion(fun_st), engage.funnel_depth(fun_st))
  FROM st_web ORDER BY seg;
SELECT concat_ws(' ', 'm', seg, engage.starting_mrr(rev_st), engage.ending_mrr(rev_st), engage.new_mrr(rev_st),
         engage.churned_mrr(rev_st), engage.revenue_churn_rate(rev_st), engage.starting_mrr(ledger_st),
         engage.ticket_count(res_st), engage.open_count(res_st), engage.mean_resolution_time(res_st),
         engage.median_resolution_time(res_st), engage.resolution_within(res_st, '4 hours'),
         (SELECT string_agg(f::text, ',') FROM engage.flow_periods(flow_st) f))
  FROM st_money ORDER BY seg;
SELECT concat_ws(' ', 'b', engage.p_alive(bg_model, 2, 30, 39), engage.expected_purchases(bg_model, 10),
         engage.expected_avg_value(gg_model, 3, 20))
  FROM st_models;
SELECT concat_ws(' ', 'l', id, engage.nps(nps_st), engage.responses(nps_st), engage.successes(rate_st),
         engage.trials(rate_st), engage.expected_purchases(model, 5))
  FROM st_literals ORDER BY id;
SELECT concat_ws(' ', 'r', engage.nps(nps_st), engage.sessions(sess_st), engage.active_users(act_st),
         engage.funnel_users(fun_st), engage.ending_mrr(rev_st), engage.ticket_count(res_st))
  FROM st_rolled;
SELECT concat_ws(' ', 'c', customer_id, (r).frequency, (r).recency, (r).t, (r).monetary_value)
  FROM st_customers ORDER BY customer_id;
SELECT concat_ws(' ', 'v', seg, nps, promoters, csat) FROM v_metrics ORDER BY seg;"

# --- dump (custom format) and pg_restore into a new database --------------------
t0=$(date +%s.%N)
"$BIN/pg_dump" -Fc -d "$SRC" -f "$TMP/src.dump" 2>"$TMP/dump.err"
tap_ok $? "pg_dump -Fc of the source database"
"$BIN/createdb" "$DST"
"$BIN/pg_restore" --exit-on-error -d "$DST" "$TMP/src.dump" 2>"$TMP/restore.err"
rc=$?
tap_ok $rc "pg_restore into a new database succeeds"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMP/restore.err"
tap_diag "dump + restore: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

# The dump holds the extension, not its members: restore recreates them.
members="$("$BIN/pg_restore" -l "$TMP/src.dump" | grep -cE ' (FUNCTION|AGGREGATE|TYPE|OPERATOR|CAST) ' || true)"
tap_is "$members" "0" "the dump has no extension member objects (only CREATE EXTENSION)"
ext="$("$BIN/pg_restore" -l "$TMP/src.dump" | grep -c ' EXTENSION - engage' || true)"
tap_is "$ext" "1" "the dump creates the extension"

# Every base type of engage (every state type) is stored in the fixture.
uncovered="$(q "$SRC" "SELECT string_agg(t.typname, ', ' ORDER BY t.typname)
  FROM pg_type t WHERE t.typnamespace = 'engage'::regnamespace AND t.typtype = 'b' AND t.typelem = 0
   AND NOT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                   WHERE a.atttypid = t.oid AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r')")"
tap_is "$uncovered" "" "every engage state type has a stored column in the fixture"

src_fp="$(fingerprint "$SRC")"
dst_fp="$(fingerprint "$DST")"
tap_is "$(wc -l <<<"$src_fp")" "$(q "$SRC" "SELECT
  (SELECT count(*) FROM st_survey) * 7 + (SELECT count(*) FROM mv_survey) * 7
  + (SELECT count(*) FROM st_web) * 3 + (SELECT count(*) FROM mv_web) * 3
  + (SELECT count(*) FROM st_money) * 4 + (SELECT count(*) FROM mv_money) * 4
  + (SELECT count(*) FROM st_models) * 2 + (SELECT count(*) FROM mv_models) * 2
  + (SELECT count(*) FROM mv_per_user) * 2 + (SELECT count(*) FROM st_customers) + (SELECT count(*) FROM mv_customers)
  + (SELECT count(*) FROM st_clv) + 8 + (SELECT count(*) FROM st_literals) * 3")" \
    "fingerprint covers every state value (one line per row and column)"
for rel in st_survey st_web st_money st_models st_customers st_clv st_rolled st_literals; do
    tap_is "$(fingerprint "$DST" "$rel")" "$(fingerprint "$SRC" "$rel")" \
        "table $rel: text, binary and jsonb identical after pg_restore"
done
for rel in mv_survey mv_web mv_money mv_models mv_per_user mv_customers; do
    tap_is "$(fingerprint "$DST" "$rel")" "$(fingerprint "$SRC" "$rel")" \
        "materialized view $rel: rebuilt by pg_restore, identical states"
done
tap_is "$dst_fp" "$src_fp" "all states identical after pg_restore"
tap_is "$(q "$DST" "$METRICS_SQL")" "$(q "$SRC" "$METRICS_SQL")" \
    "every accessor reads the same numbers after pg_restore"
tap_is "$(q "$DST" "SELECT count(*) FROM mv_survey m JOIN st_survey s
               ON m.nps_st OPERATOR(engage.=) s.nps_st AND m.conv_st OPERATOR(engage.=) s.conv_st")" "2" \
    "restored view states equal restored table states (engage =)"
tap_is "$(q "$DST" "SET enable_seqscan = off; SELECT id FROM st_literals
               WHERE nps_st OPERATOR(engage.=) 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,7]'")" "3" \
    "the restored hash index on nps_state finds its row"
tap_is "$(q "$DST" "SELECT indexdef FROM pg_indexes WHERE indexname = 'st_literals_nps'")" \
    "CREATE INDEX st_literals_nps ON public.st_literals USING hash (nps_st)" "hash index restored with the default opclass"

# REFRESH again in the restored database gives the same states.
q "$DST" "REFRESH MATERIALIZED VIEW mv_survey; REFRESH MATERIALIZED VIEW mv_web;
          REFRESH MATERIALIZED VIEW mv_money; REFRESH MATERIALIZED VIEW mv_models;" >/dev/null
tap_is "$(fingerprint "$DST" mv_survey mv_web mv_money mv_models)" \
       "$(fingerprint "$SRC" mv_survey mv_web mv_money mv_models)" \
    "REFRESH in the restored database rebuilds identical states"

# --- independent truth: plain SQL over the raw rows vs accessors after restore ---
tap_is "$(q "$DST" "SELECT string_agg(concat_ws(' ', seg, round(engage.nps(nps_st)::numeric, 9),
                 round(engage.csat(csat_st)::numeric, 9), round(engage.ces(ces_st)::numeric, 9),
                 engage.successes(conv_st), engage.trials(conv_st), engage.responses(nps_st)), ';' ORDER BY seg)
               FROM st_survey")" \
       "$(q "$SRC" "SELECT string_agg(line, ';' ORDER BY seg) FROM (SELECT seg, concat_ws(' ', seg,
                 round(100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6)) / count(*), 9),
                 round(100.0 * count(*) FILTER (WHERE csat >= 4) / count(*), 9), round(avg(ces), 9),
                 count(*) FILTER (WHERE converted), count(*), count(*)) line
               FROM survey GROUP BY seg) x")" \
    "survey states after restore: NPS, CSAT, CES, conversions as plain SQL computes them"
tap_is "$(q "$DST" "SELECT string_agg(concat_ws(' ', seg, engage.promoters(nps_st), engage.detractors(nps_st),
                 engage.satisfied(csat_st), engage.score_counts(ces_st)), ';' ORDER BY seg) FROM st_survey")" \
       "$(q "$SRC" "SELECT string_agg(concat_ws(' ', seg, p, d, s, c), ';' ORDER BY seg) FROM (
                 SELECT seg, count(*) FILTER (WHERE nps >= 9) p, count(*) FILTER (WHERE nps <= 6) d,
                        count(*) FILTER (WHERE csat >= 4) s,
                        (SELECT array_agg((SELECT count(*) FROM survey s2 WHERE s2.seg = s1.seg AND s2.ces = k) ORDER BY k)
                         FROM generate_series(1, 7) k) c
                 FROM survey s1 GROUP BY seg) x")" \
    "survey counts after restore: promoters, detractors, satisfied, CES histogram"
tap_is "$(q "$DST" "SELECT string_agg(concat_ws(' ', seg, engage.sessions(sess_st), engage.pageviews(sess_st),
                 engage.bounces(sess_st), engage.active_users(act_st)), ';' ORDER BY seg) FROM st_web")" \
       "$(q "$SRC" "SELECT string_agg(concat_ws(' ', seg, sessions, views, bounces, users), ';' ORDER BY seg) FROM (
                 SELECT seg, count(DISTINCT (user_id, sid)) sessions, count(*) views, count(DISTINCT user_id) users,
                        count(*) FILTER (WHERE n = 1) bounces
                 FROM (SELECT seg, user_id, sid, count(*) OVER (PARTITION BY user_id, sid) n
                       FROM (SELECT seg, user_id, sum(new_session) OVER (PARTITION BY user_id ORDER BY ts) sid
                             FROM (SELECT seg, user_id, ts, CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts)
                                          <= interval '30 minutes' THEN 0 ELSE 1 END new_session FROM events) a) b) c
                 GROUP BY seg) w")" \
    "web states after restore: sessions, page views, bounces, active users as plain SQL computes them"
tap_is "$(q "$DST" "SELECT string_agg(concat_ws(' ', seg, engage.starting_mrr(rev_st), engage.ending_mrr(rev_st),
                 engage.ticket_count(res_st), engage.resolution_count(res_st),
                 round(extract(epoch FROM engage.mean_resolution_time(res_st)), 3)), ';' ORDER BY seg) FROM st_money")" \
       "$(q "$SRC" "SELECT string_agg(concat_ws(' ', s.seg, s.st, s.en, t.n, t.r, t.mean), ';' ORDER BY s.seg) FROM
                 (SELECT seg, sum(mrr_start)::numeric(20, 6) st, sum(mrr_end)::numeric(20, 6) en FROM subs GROUP BY seg) s
                 JOIN (SELECT seg, count(*) n, count(resolved_at) r,
                              round(avg(extract(epoch FROM resolved_at - opened_at)), 3) mean
                       FROM tickets GROUP BY seg) t USING (seg)")" \
    "revenue and resolution states after restore: MRR sums, ticket counts, mean time as plain SQL"
tap_is "$(q "$DST" "SELECT concat_ws(' ', bg_model::pg_catalog.jsonb ->> 'customers',
                 gg_model::pg_catalog.jsonb ->> 'customers') FROM st_models")" \
       "$(q "$SRC" "SELECT concat_ws(' ', count(*), count(*) FILTER (WHERE x > 0)) FROM bg")" \
    "model states after restore: customers fitted as plain SQL counts them"
tap_is "$(q "$DST" "SELECT string_agg(concat_ws(' ', customer_id, (r).frequency, (r).monetary_value), ';'
                 ORDER BY customer_id) FROM st_customers")" \
       "$(q "$SRC" "SELECT string_agg(concat_ws(' ', customer_id, f, mv), ';' ORDER BY customer_id) FROM (
                 SELECT customer_id, count(*) - 1 f,
                        coalesce((SELECT avg(day_amount) FROM (SELECT ts::date d, sum(amount) day_amount FROM orders o2
                                   WHERE o2.customer_id = o.customer_id GROUP BY 1 ORDER BY 1 OFFSET 1) z), 0) mv
                 FROM (SELECT DISTINCT customer_id, ts::date FROM orders) o GROUP BY customer_id) x")" \
    "RFM rows after restore: frequency and monetary value as plain SQL computes them"
tap_is "$(q "$DST" "SELECT concat_ws(' ', (clv).customers, (clv).revenue) FROM st_clv")" \
       "$(q "$SRC" "SELECT concat_ws(' ', count(DISTINCT customer_id), sum(amount)) FROM orders")" \
    "CLV summary after restore: customers and revenue as plain SQL"
tap_is "$(q "$DST" "SELECT string_agg(concat_ws(' ', id, engage.responses(nps_st), engage.promoters(nps_st),
                 engage.successes(rate_st), engage.trials(rate_st)), ';' ORDER BY id) FROM st_literals")" \
       "1 15 9 45 50;2 9223372036854775807 1 150 100;3 7 7 0 0" \
    "literal states after restore read the hand-written counts (including one near 2^63)"

# --- binary COPY of the base-type states between the two databases -------------
q "$DST" "CREATE TABLE bin_survey (LIKE st_survey); CREATE TABLE bin_web (LIKE st_web);
          CREATE TABLE bin_money (LIKE st_money); CREATE TABLE bin_rolled (LIKE st_rolled);
          CREATE TABLE bin_literals (LIKE st_literals); CREATE TABLE bin_models (LIKE st_models)" >/dev/null
ok=0
for rel in survey web money rolled literals models; do
    "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$SRC" -c "\\copy st_$rel TO STDOUT (FORMAT binary)" |
        "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DST" -c "\\copy bin_$rel FROM STDIN (FORMAT binary)" || ok=1
done
tap_ok $ok "COPY (FORMAT binary) of every base-type state column into the restored database"
tap_is "$(fingerprint "$DST" bin_survey bin_web bin_money bin_rolled bin_literals bin_models | sed -E 's/^(public\.)?bin_//')" \
       "$(fingerprint "$SRC" st_survey st_web st_money st_rolled st_literals st_models | sed -E 's/^(public\.)?st_//')" \
    "states read back from binary COPY are identical"

# --- plain-format dump restored with psql ---------------------------------------
"$BIN/pg_dump" -d "$SRC" -f "$TMP/src.sql" 2>>"$TMP/dump.err"
"$BIN/createdb" "$PLAIN"
"$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$PLAIN" -f "$TMP/src.sql" >"$TMP/plain.log" 2>&1
rc=$?
tap_ok $rc "a plain pg_dump restores with psql"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMP/plain.log" | head -20
tap_is "$(fingerprint "$PLAIN")" "$src_fp" "all states identical after the plain-format restore"
tap_is "$(q "$PLAIN" "$METRICS_SQL")" "$(q "$SRC" "$METRICS_SQL")" \
    "every accessor reads the same numbers after the plain-format restore"

# --- a trusted install dumped and restored by its plain owner -----------------
# A role that owns its databases (no superuser) installs engage, stores states,
# dumps and restores: the restore recreates schema engage and the extension.
q postgres "CREATE ROLE $OWNER LOGIN NOSUPERUSER" >/dev/null
"$BIN/createdb" -O "$OWNER" "$OWN1" && "$BIN/createdb" -O "$OWNER" "$OWN2"
out="$("$BIN/psql" -X -q -v ON_ERROR_STOP=1 -U "$OWNER" -d "$OWN1" 2>&1 <<'SQL'
CREATE EXTENSION engage;
CREATE TABLE daily AS
  SELECT d, engage.nps_agg((i * 7 + d) % 11) AS nps_st, engage.conversion_agg(i % 3 = 0) AS conv_st
  FROM generate_series(1, 5) d, generate_series(1, 40) i GROUP BY d;
CREATE MATERIALIZED VIEW monthly AS SELECT engage.rollup(nps_st) AS nps_st FROM daily;
SQL
)"
tap_ok $? "a plain role installs engage in its own database and stores states"
[ -z "$out" ] || tap_diag "$out"
"$BIN/pg_dump" -Fc -U "$OWNER" -d "$OWN1" -f "$TMP/own.dump" &&
    "$BIN/pg_restore" --exit-on-error -U "$OWNER" -d "$OWN2" "$TMP/own.dump" >"$TMP/own.log" 2>&1
rc=$?
tap_ok $rc "it dumps and restores that database itself"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMP/own.log"
fp_own="$(fingerprint "$OWN1")"
tap_is "$(grep -c . <<<"$fp_own")" "11" "its fingerprint has the 5 x 2 daily states and the monthly one"
tap_is "$(fingerprint "$OWN2")" "$fp_own" "its states are identical after the restore"
tap_is "$(q "$OWN2" "SELECT concat_ws(' ', e.extowner::regrole, n.nspowner::regrole, n.nspacl)
                     FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'engage'")" \
       "$(q "$OWN1" "SELECT concat_ws(' ', e.extowner::regrole, n.nspowner::regrole, n.nspacl)
                     FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'engage'")" \
    "the extension, schema engage and its privileges belong to the same role after the restore"
tap_is "$(q "$OWN2" "SELECT concat_ws(' ', engage.responses(nps_st), engage.promoters(nps_st)) FROM monthly")" \
       "$(q "$OWN1" "SELECT concat_ws(' ', count(*), count(*) FILTER (WHERE (i * 7 + d) % 11 >= 9))
                     FROM generate_series(1, 5) d, generate_series(1, 40) i")" \
    "its restored materialized view counts the responses and promoters plain SQL counts"

tap_done
