#!/usr/bin/env bash
# Scale-out through postgres_fdw: two shard clusters on loopback ports hold the
# rows (by customer or user id % 2); the coordinator (the test cluster) pushes
# the state-building aggregates down to them (`extensions 'engage'`), rolls the
# shards' states up, and must get exactly what one node gets from all the rows
# and what plain SQL counts. Without the `extensions` option nothing is pushed
# down (the rows are fetched) and the results are still the same.
# Extra clusters: fdw0 on 54335, fdw1 on 54336 (stopped and removed on exit).

set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
. "$HERE/tap.sh"

DB=engage_it_fdw
SHARDS=(fdw0 fdw1)
PORTS=(54335 54336)
PSQL="$(engage_pgbin)/psql"

# shellcheck source=test/integration/shards.sh
. "$HERE/shards.sh"

# Run SQL on the coordinator's test database; print unaligned tuples only.
coord() { "$PSQL" -XAtq -R " ; " -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# Print the verbose plan of a query on the coordinator, one line per line.
plan() { "$PSQL" -XAtq -v ON_ERROR_STOP=1 -d "$DB" -c "EXPLAIN (VERBOSE, COSTS OFF) $1"; }

# Count the lines of TEXT matching the extended regexp RE.
count_re() { grep -cE -- "$2" <<<"$1" || true; }

# --- shard clusters (TCP on 127.0.0.1 only) -------------------------------
shards_start

"$PSQL" -XAtq -d postgres -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" ||
    bail "cannot create database $DB on the coordinator"
for n in 0 1; do
    shard_db "$n" postgres -c "CREATE DATABASE $DB" &&
    shard "$n" -c "CREATE EXTENSION engage" -c "$TABLES" ||
        bail "cannot prepare shard $n"
done

# The coordinator keeps every row locally too: the single-node truth.
# h(i, m) is a deterministic pseudo-random 0..m-1.
coord <<SQL || bail "cannot load the coordinator"
CREATE EXTENSION engage;
CREATE EXTENSION postgres_fdw;
$TABLES
CREATE FUNCTION h(bigint, integer) RETURNS integer
    AS \$\$ SELECT ((hashint8(\$1)::bigint + 2147483648) % \$2)::integer \$\$
    LANGUAGE sql IMMUTABLE;
INSERT INTO responses
SELECT i, (ARRAY['enterprise', 'smb', 'consumer'])[1 + h(i, 3)],
       CASE WHEN i % 97 = 0 THEN NULL ELSE h(i * 31, 11) END,
       CASE WHEN i % 89 = 0 THEN NULL ELSE 1 + h(i * 37, 5) END,
       1 + h(i * 41, 7)
FROM generate_series(1, 40000) i;
-- 500 users, 20 views each spread over ~2 days: sessions of one and of many views.
INSERT INTO page_views
SELECT 1 + i % 500, timestamptz '2024-03-01 00:00:00+00' + make_interval(mins => h(i * 43, 3000)),
       CASE WHEN i % 53 = 0 THEN NULL ELSE h(i * 47, 10) = 0 END
FROM generate_series(1, 10000) i;
ANALYZE responses, page_views;
SQL

# Ship each shard its rows: customers / users with id % 2 = N.
set -o pipefail
for n in 0 1; do
    coord -c "COPY (SELECT * FROM responses WHERE customer_id % 2 = $n) TO STDOUT" |
        shard "$n" -c "COPY responses FROM STDIN" &&
    coord -c "COPY (SELECT * FROM page_views WHERE user_id % 2 = $n) TO STDOUT" |
        shard "$n" -c "COPY page_views FROM STDIN" &&
    shard "$n" -c "ANALYZE responses, page_views" ||
        bail "cannot load shard $n"
done
set +o pipefail

# Servers with `extensions 'engage'` (shard0, shard1) and without (plain0, plain1).
for n in 0 1; do
    coord <<SQL || bail "cannot define the foreign servers"
CREATE SERVER fdw$n FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port '${PORTS[$n]}', dbname '$DB',
             extensions 'engage', fetch_size '10000');
CREATE USER MAPPING FOR CURRENT_USER SERVER fdw$n OPTIONS (user 'postgres');
CREATE SCHEMA shard$n;
IMPORT FOREIGN SCHEMA public LIMIT TO (responses, page_views) FROM SERVER fdw$n INTO shard$n;
CREATE SERVER plain$n FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port '${PORTS[$n]}', dbname '$DB', fetch_size '10000');
CREATE USER MAPPING FOR CURRENT_USER SERVER plain$n OPTIONS (user 'postgres');
CREATE SCHEMA plain$n;
IMPORT FOREIGN SCHEMA public LIMIT TO (responses, page_views) FROM SERVER plain$n INTO plain$n;
ANALYZE shard$n.responses, shard$n.page_views, plain$n.responses, plain$n.page_views;
SQL
done

# --- the data really is split across the shards -----------------------------
got="$(shard 0 -c "SELECT count(*), count(*) FILTER (WHERE customer_id % 2 <> 0) FROM responses")|$(
       shard 1 -c "SELECT count(*), count(*) FILTER (WHERE customer_id % 2 <> 1) FROM responses")"
want="$(coord -c "SELECT count(*) FILTER (WHERE customer_id % 2 = 0), 0, count(*) FILTER (WHERE customer_id % 2 = 1), 0 FROM responses")"
tap_is "$got" "$want" "each shard holds exactly its half of the responses (customer_id % 2), read over 127.0.0.1"

# --- total NPS: two-step rollup, aggregate pushed down -----------------------
Q_TOTAL="SELECT engage.rollup(s) FROM (
    SELECT engage.nps_agg(score) AS s FROM shard0.responses
    UNION ALL SELECT engage.nps_agg(score) FROM shard1.responses) x"
p="$(plan "$Q_TOTAL")"
tap_is "$(count_re "$p" 'Remote SQL: SELECT engage\.nps_agg\(score\) FROM public\.responses$')" 2 \
    "EXPLAIN: each shard's Remote SQL computes engage.nps_agg(score)"
tap_is "$(count_re "$p" 'Relations: Aggregate on \(shard[01]\.responses[ )]')|$(count_re "$p" 'Aggregate$|Aggregate  ')|$(count_re "$p" 'Partial')" \
    "2|1|0" "EXPLAIN: both aggregates run on the shards; the one local Aggregate rolls up 2 states, none is partial"
[ "$(count_re "$p" 'Aggregate$|Aggregate  ')" = 1 ] || tap_diag "$p"

got="$(coord -c "SELECT st::text, st OPERATOR(engage.=) (SELECT engage.nps_agg(score) FROM responses) FROM ($Q_TOTAL) r(st)")"
want="$(coord -c "SELECT engage.nps_agg(score)::text || '|t' FROM responses")"
tap_is "$got" "$want" "rolled-up shard states = the single-node state (text and =)"

# Plain SQL: one count per score 0..10, in the state's text form.
got="$(coord -c "SELECT st::text FROM ($Q_TOTAL) r(st)")"
want="$(coord -c "$(plain_nps "")")"
tap_is "$got" "$want" "rolled-up shard state = the score counts of plain SQL"

got="$(coord -c "SELECT engage.nps(st), engage.nps_moe(st), engage.nps_lower(st, 0.9, 'adjusted_wald') FROM ($Q_TOTAL) r(st)")"
want="$(coord -c "SELECT engage.nps(score), engage.nps_moe(engage.nps_agg(score)), engage.nps_lower(engage.nps_agg(score), 0.9, 'adjusted_wald') FROM responses")"
tap_is "$got" "$want" "NPS and its interval from the shards = single node, exactly"

got="$(coord -c "SELECT round(engage.nps(engage.rollup(s))::numeric, 10) FROM (
    SELECT engage.nps_agg(score) s FROM shard0.responses UNION ALL SELECT engage.nps_agg(score) FROM shard1.responses) x")"
want="$(coord -c "SELECT round(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score), 10) FROM responses")"
tap_is "$got" "$want" "engage.nps(engage.rollup(s)) over the shards = 100 (P - D) / n in plain SQL"

got="$(coord -c "SELECT engage.nps_agg(score)::text FROM shard0.responses")"
want="$(coord -c "$(plain_nps "")")"
tap_ok "$([ -n "$got" ] && [ "$got" != "$want" ]; echo $?)" "control: one shard's state alone differs from the whole"

# --- per segment: GROUP BY pushed down too ----------------------------------
Q_SEG="SELECT segment, engage.rollup(s) FROM (
    SELECT segment, engage.nps_agg(score) AS s FROM shard0.responses GROUP BY segment
    UNION ALL SELECT segment, engage.nps_agg(score) FROM shard1.responses GROUP BY segment) x
  GROUP BY segment ORDER BY segment"
p="$(plan "$Q_SEG")"
tap_is "$(count_re "$p" 'Remote SQL: SELECT segment, engage\.nps_agg\(score\) FROM public\.responses GROUP BY 1$')|$(count_re "$p" 'Aggregate$|Aggregate  ')|$(count_re "$p" 'Partial')" \
    "2|1|0" "EXPLAIN: GROUP BY segment and nps_agg run on each shard; one local Aggregate of states"
got="$(coord -c "$Q_SEG")"
want="$(coord -c "SELECT segment, engage.nps_agg(score) FROM responses GROUP BY segment ORDER BY segment")"
tap_is "$got" "$want" "per-segment rolled-up states = single node"
want="$(coord -c "SELECT segment, ($(plain_nps "WHERE segment = s.segment")) FROM (SELECT DISTINCT segment FROM responses) s ORDER BY segment")"
tap_is "$got" "$want" "per-segment rolled-up states = the score counts of plain SQL"
got="$(coord -c "SELECT segment, engage.nps(r), engage.nps_moe(r) FROM ($Q_SEG) x(segment, r)")"
want="$(coord -c "SELECT segment, engage.nps(score), engage.nps_moe(engage.nps_agg(score)) FROM responses GROUP BY segment ORDER BY segment")"
tap_is "$got" "$want" "per-segment NPS and margin from the shards = single node, exactly"

# --- CSAT and CES in the same pushed-down query -----------------------------
Q_CC="SELECT engage.rollup(c), engage.rollup(e) FROM (
    SELECT engage.csat_agg(csat) c, engage.ces_agg(effort) e FROM shard0.responses
    UNION ALL SELECT engage.csat_agg(csat), engage.ces_agg(effort) FROM shard1.responses) x"
p="$(plan "$Q_CC")"
tap_is "$(count_re "$p" 'Remote SQL: SELECT engage\.csat_agg\(csat\), engage\.ces_agg\(effort\) FROM public\.responses$')" 2 \
    "EXPLAIN: csat_agg and ces_agg run on the shards"
got="$(coord -c "$Q_CC")"
want="$(coord -c "SELECT engage.csat_agg(csat), engage.ces_agg(effort) FROM responses")"
tap_is "$got" "$want" "CSAT and CES states from the shards = single node"
want="$(coord -c "SELECT 'v1:1..5:>=4:[' || string_agg((SELECT count(*) FROM responses WHERE csat = v)::text, ',' ORDER BY v) || ']' FROM generate_series(1, 5) v")|$(
        coord -c "SELECT 'v1:1..7:>=5:[' || string_agg((SELECT count(*) FROM responses WHERE effort = v)::text, ',' ORDER BY v) || ']' FROM generate_series(1, 7) v")"
tap_is "$got" "$want" "CSAT and CES states from the shards = plain SQL counts"

# --- events: conversion rate (proportion_state) and sessions ----------------
# sessionize's running state is internal, but its result is a real type, and
# every user's views live on one shard: the whole aggregate runs there.
Q_EV="SELECT engage.rollup(c), engage.rollup(s) FROM (
    SELECT engage.conversion_agg(converted) c, engage.sessionize(user_id, ts) s FROM shard0.page_views
    UNION ALL SELECT engage.conversion_agg(converted), engage.sessionize(user_id, ts) FROM shard1.page_views) x"
p="$(plan "$Q_EV")"
tap_is "$(count_re "$p" 'Remote SQL: SELECT engage\.conversion_agg\(converted\), engage\.sessionize\(user_id, ts\) FROM public\.page_views$')|$(count_re "$p" 'Partial')" \
    "2|0" "EXPLAIN: conversion_agg and sessionize run on the shards"
got="$(coord -c "$Q_EV")"
want="$(coord -c "SELECT engage.conversion_agg(converted), engage.sessionize(user_id, ts) FROM page_views")"
tap_is "$got" "$want" "conversion and session states from the shards = single node"
got="$(coord -c "SELECT c::text, engage.rate(c) FROM ($Q_EV) x(c, s)")"
want="$(coord -c "SELECT 'v1:' || count(*) FILTER (WHERE converted) || '/' || count(converted),
                         100.0::float8 * count(*) FILTER (WHERE converted) / count(converted) FROM page_views")"
tap_is "$got" "$want" "conversion state from the shards = successes/trials of plain SQL"
got="$(coord -c "SELECT engage.sessions(s), engage.bounces(s), engage.pageviews(s) FROM ($Q_EV) x(c, s)")"
want="$(coord <<'SQL'
WITH cut AS (
    SELECT user_id, ts, CASE WHEN ts - lag(ts) OVER w <= interval '30 minutes' THEN 0 ELSE 1 END AS first
    FROM page_views WINDOW w AS (PARTITION BY user_id ORDER BY ts)),
numbered AS (
    SELECT user_id, sum(first) OVER (PARTITION BY user_id ORDER BY ts, first DESC ROWS UNBOUNDED PRECEDING) AS sid
    FROM cut),
sess AS (SELECT user_id, sid, count(*) AS views FROM numbered GROUP BY 1, 2)
SELECT count(*), count(*) FILTER (WHERE views = 1), sum(views) FROM sess;
SQL
)"
tap_is "$got" "$want" "sessions, bounces and page views from the shards = plain SQL windows"

# --- without `extensions`: rows are fetched, results are the same -----------
Q_PLAIN="SELECT engage.rollup(s) FROM (
    SELECT engage.nps_agg(score) AS s FROM plain0.responses
    UNION ALL SELECT engage.nps_agg(score) FROM plain1.responses) x"
p="$(plan "$Q_PLAIN")"
tap_is "$(count_re "$p" 'Remote SQL: SELECT score FROM public\.responses$')|$(count_re "$p" 'Remote SQL:.*engage')|$(count_re "$p" 'Foreign Scan on plain[01]\.responses')|$(count_re "$p" 'Aggregate$|Aggregate  ')" \
    "2|0|2|3" "EXPLAIN without extensions: the shards send the scores; nps_agg runs locally over the rows"
got="$(coord -c "$Q_PLAIN")"
want="$(coord -c "SELECT engage.nps_agg(score) FROM responses")"
tap_is "$got" "$want" "without extensions: rolled-up state = single node"
Q_PSEG="${Q_SEG//shard/plain}"
p="$(plan "$Q_PSEG")"
tap_is "$(count_re "$p" 'Remote SQL: SELECT (segment, score|score, segment) FROM public\.responses$')|$(count_re "$p" 'Remote SQL:.*(engage|GROUP BY)')" \
    "2|0" "EXPLAIN without extensions: per segment, the rows are fetched and grouped locally"
got="$(coord -c "$Q_PSEG")"
want="$(coord -c "SELECT segment, engage.nps_agg(score) FROM responses GROUP BY segment ORDER BY segment")"
tap_is "$got" "$want" "without extensions: per-segment states = single node"

tap_done
