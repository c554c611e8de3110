#!/usr/bin/env bash
# Scale-out through PL/Proxy: two shard clusters on loopback ports hold the
# rows (by customer or user id % 2) and build engage states of their own rows;
# PL/Proxy functions on the proxy (the test cluster) run on every partition
# (CLUSTER 'shards'; RUN ON ALL) and return the states, which the proxy rolls
# up. The results must equal one node's over all the rows and plain SQL counts.
# Both forms are tested: a remote function of the same name, and PL/Proxy's
# SELECT statement. Extra clusters: plx0 on 54337, plx1 on 54338.

set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
. "$HERE/tap.sh"

DB=engage_it_plproxy
SHARDS=(plx0 plx1)
PORTS=(54337 54338)
PSQL="$(engage_pgbin)/psql"

# shellcheck source=test/integration/shards.sh
. "$HERE/shards.sh"

# Run SQL on the proxy's test database; print unaligned tuples only.
proxy() { "$PSQL" -XAtq -R " ; " -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# --- shard clusters (TCP on 127.0.0.1 only) -------------------------------
shards_start

# Functions on each shard: states of the shard's own rows. The proxy's
# functions of the same names call them.
SHARD_FUNCS="
CREATE FUNCTION shard_nps() RETURNS SETOF engage.nps_state
    AS 'SELECT engage.nps_agg(score) FROM responses' LANGUAGE sql STABLE;
CREATE FUNCTION shard_nps_by_segment(OUT segment text, OUT st engage.nps_state) RETURNS SETOF record
    AS 'SELECT segment, engage.nps_agg(score) FROM responses GROUP BY segment' LANGUAGE sql STABLE;
CREATE FUNCTION shard_events(OUT conv engage.proportion_state, OUT sess engage.session_state)
    RETURNS SETOF record
    AS 'SELECT engage.conversion_agg(converted), engage.sessionize(user_id, ts) FROM page_views'
    LANGUAGE sql STABLE;
CREATE FUNCTION shard_where(OUT port integer, OUT addr inet, OUT n bigint) RETURNS SETOF record
    AS 'SELECT inet_server_port(), inet_server_addr(), count(*) FROM responses' LANGUAGE sql STABLE;"

out="$("$PSQL" -XAtq -d postgres -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>&1)" ||
    bail "cannot create database $DB on the proxy: $out"
for n in 0 1; do
    shard_db "$n" postgres -c "CREATE DATABASE $DB" &&
    shard "$n" -c "CREATE EXTENSION engage" -c "$TABLES" -c "$SHARD_FUNCS" ||
        bail "cannot prepare shard $n"
done

# The proxy keeps every row locally too: the single-node truth.
# h(i, m) is a deterministic pseudo-random 0..m-1.
proxy <<SQL || bail "cannot load the proxy"
CREATE EXTENSION engage;
CREATE EXTENSION plproxy;
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
INSERT INTO page_views
SELECT 1 + i % 500, timestamptz '2024-03-01 00:00:00+00' + make_interval(mins => h(i * 43, 3000)),
       CASE WHEN i % 53 = 0 THEN NULL ELSE h(i * 47, 10) = 0 END
FROM generate_series(1, 10000) i;
ANALYZE responses, page_views;

-- The cluster: 2 partitions (PL/Proxy wants a power of 2), reached over TCP.
CREATE SERVER shards FOREIGN DATA WRAPPER plproxy OPTIONS (
    connection_lifetime '1800',
    p0 'host=127.0.0.1 port=${PORTS[0]} dbname=$DB',
    p1 'host=127.0.0.1 port=${PORTS[1]} dbname=$DB');
CREATE USER MAPPING FOR PUBLIC SERVER shards OPTIONS (user 'postgres');

-- Form 1: a remote function of the same name on every partition.
CREATE FUNCTION shard_nps() RETURNS SETOF engage.nps_state AS \$\$
    CLUSTER 'shards'; RUN ON ALL;
\$\$ LANGUAGE plproxy;
CREATE FUNCTION shard_nps_by_segment(OUT segment text, OUT st engage.nps_state) RETURNS SETOF record AS \$\$
    CLUSTER 'shards'; RUN ON ALL;
\$\$ LANGUAGE plproxy;
CREATE FUNCTION shard_events(OUT conv engage.proportion_state, OUT sess engage.session_state)
    RETURNS SETOF record AS \$\$
    CLUSTER 'shards'; RUN ON ALL;
\$\$ LANGUAGE plproxy;
CREATE FUNCTION shard_where(OUT port integer, OUT addr inet, OUT n bigint) RETURNS SETOF record AS \$\$
    CLUSTER 'shards'; RUN ON ALL;
\$\$ LANGUAGE plproxy;

-- Form 2: PL/Proxy's SELECT statement, sent as written (arguments substituted).
CREATE FUNCTION survey_states(seg text, OUT c engage.csat_state, OUT e engage.ces_state)
    RETURNS SETOF record AS \$\$
    CLUSTER 'shards'; RUN ON ALL;
    SELECT engage.csat_agg(r.csat) AS c, engage.ces_agg(r.effort) AS e
    FROM public.responses r WHERE r.segment = seg;
\$\$ LANGUAGE plproxy;
SQL

# Ship each shard its rows: customers / users with id % 2 = N.
set -o pipefail
for n in 0 1; do
    proxy -c "COPY (SELECT * FROM responses WHERE customer_id % 2 = $n) TO STDOUT" |
        shard "$n" -c "COPY responses FROM STDIN" &&
    proxy -c "COPY (SELECT * FROM page_views WHERE user_id % 2 = $n) TO STDOUT" |
        shard "$n" -c "COPY page_views FROM STDIN" ||
        bail "cannot load shard $n"
done
set +o pipefail

# --- every partition answers, over 127.0.0.1 ---------------------------------
got="$(proxy -c "SELECT port, addr, n FROM shard_where() ORDER BY port")"
want="$(proxy -c "SELECT ${PORTS[0]}, '127.0.0.1', count(*) FILTER (WHERE customer_id % 2 = 0) FROM responses
            UNION ALL SELECT ${PORTS[1]}, '127.0.0.1', count(*) FILTER (WHERE customer_id % 2 = 1) FROM responses")"
tap_is "$got" "$want" "RUN ON ALL reaches both partitions over 127.0.0.1, each with its half of the rows"

# --- total NPS: states from the partitions, rollup on the proxy ---------------
got="$(proxy -c "SELECT count(*), count(DISTINCT s::text) FROM shard_nps() s")"
tap_is "$got" "2|2" "shard_nps() returns one state per partition, and they differ"

got="$(proxy -c "SELECT r::text, r OPERATOR(engage.=) (SELECT engage.nps_agg(score) FROM responses)
                 FROM (SELECT engage.rollup(s) FROM shard_nps() s) x(r)")"
want="$(proxy -c "SELECT engage.nps_agg(score)::text || '|t' FROM responses")"
tap_is "$got" "$want" "rolled-up partition states = the single-node state (text and =)"

got="$(proxy -c "SELECT engage.rollup(s)::text FROM shard_nps() s")"
want="$(proxy -c "$(plain_nps "")")"
tap_is "$got" "$want" "rolled-up partition states = the score counts of plain SQL"

got="$(proxy -c "SELECT engage.nps(r), engage.nps_moe(r), engage.nps_upper(r, 0.99, 'adjusted_wald')
                 FROM (SELECT engage.rollup(s) FROM shard_nps() s) x(r)")"
want="$(proxy -c "SELECT engage.nps(score), engage.nps_moe(engage.nps_agg(score)),
                         engage.nps_upper(engage.nps_agg(score), 0.99, 'adjusted_wald') FROM responses")"
tap_is "$got" "$want" "NPS and its interval through PL/Proxy = single node, exactly"

got="$(proxy -c "SELECT round(engage.nps(engage.rollup(s))::numeric, 10) FROM shard_nps() s")"
want="$(proxy -c "SELECT round(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score), 10) FROM responses")"
tap_is "$got" "$want" "NPS through PL/Proxy = 100 (P - D) / n in plain SQL"

# --- per segment ------------------------------------------------------------
Q_SEG="SELECT segment, engage.rollup(st) FROM shard_nps_by_segment() GROUP BY segment ORDER BY segment"
got="$(proxy -c "SELECT count(*) FROM shard_nps_by_segment()")"
tap_is "$got" 6 "shard_nps_by_segment() returns 3 segments from each of 2 partitions"
got="$(proxy -c "$Q_SEG")"
want="$(proxy -c "SELECT segment, engage.nps_agg(score) FROM responses GROUP BY segment ORDER BY segment")"
tap_is "$got" "$want" "per-segment rolled-up states = single node"
want="$(proxy -c "SELECT segment, ($(plain_nps "WHERE segment = s.segment")) FROM (SELECT DISTINCT segment FROM responses) s ORDER BY segment")"
tap_is "$got" "$want" "per-segment rolled-up states = the score counts of plain SQL"

# --- SELECT form with an argument: CSAT and CES of one segment ---------------
got="$(proxy -c "SELECT engage.rollup(c), engage.rollup(e) FROM survey_states('smb')")"
want="$(proxy -c "SELECT engage.csat_agg(csat), engage.ces_agg(effort) FROM responses WHERE segment = 'smb'")"
tap_is "$got" "$want" "SELECT form: CSAT and CES states of a segment = single node"
want="$(proxy -c "SELECT 'v1:1..5:>=4:[' || string_agg((SELECT count(*) FROM responses WHERE segment = 'smb' AND csat = v)::text, ',' ORDER BY v) || ']' FROM generate_series(1, 5) v")|$(
        proxy -c "SELECT 'v1:1..7:>=5:[' || string_agg((SELECT count(*) FROM responses WHERE segment = 'smb' AND effort = v)::text, ',' ORDER BY v) || ']' FROM generate_series(1, 7) v")"
tap_is "$got" "$want" "SELECT form: CSAT and CES states of a segment = plain SQL counts"
got="$(proxy -c "SELECT engage.csat(engage.rollup(c)), engage.ces(engage.rollup(e)) FROM survey_states('enterprise')")"
want="$(proxy -c "SELECT engage.csat(csat), engage.ces(effort) FROM responses WHERE segment = 'enterprise'")"
tap_is "$got" "$want" "SELECT form: CSAT and CES of another segment = single node, exactly"

# --- events: conversion rate and sessions ----------------------------------
got="$(proxy -c "SELECT engage.rollup(conv), engage.rollup(sess) FROM shard_events()")"
want="$(proxy -c "SELECT engage.conversion_agg(converted), engage.sessionize(user_id, ts) FROM page_views")"
tap_is "$got" "$want" "conversion and session states through PL/Proxy = single node"
got="$(proxy -c "SELECT engage.rollup(conv)::text, engage.rate(engage.rollup(conv)) FROM shard_events()")"
want="$(proxy -c "SELECT 'v1:' || count(*) FILTER (WHERE converted) || '/' || count(converted),
                         100.0::float8 * count(*) FILTER (WHERE converted) / count(converted) FROM page_views")"
tap_is "$got" "$want" "conversion state through PL/Proxy = successes/trials of plain SQL"
got="$(proxy -c "SELECT engage.sessions(s), engage.bounces(s), engage.pageviews(s)
                 FROM (SELECT engage.rollup(sess) FROM shard_events()) x(s)")"
want="$(proxy <<'SQL'
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
tap_is "$got" "$want" "sessions, bounces and page views through PL/Proxy = plain SQL windows"

tap_done
