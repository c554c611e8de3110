-- Benchmark part for sessions (issue 5): bounce rate, average session
-- duration and pages per session from raw page views, engage
-- (sessionize per user, rollup across users) against the plain-SQL way
-- (LAG + running SUM window functions).  A benchmark, not a test: it prints
-- medians and ratios and checks that both sides agree.
--
--   psql -X -v rows=10000000 -v users=100000 -v rounds=5 -f test/bench/sessions.sql
--
-- psql variables (defaults below): rows (page views), users, rounds
-- (measured rounds per comparison, after one warm-up; engage and plain
-- interleaved).  Every column comes from hashes of the row number, so the
-- data is the same on every run: each user has 40 session slots 6 hours apart
-- from a hashed start in 2024, each view falls at a hashed second of its
-- slot's first hour (so slots split into several sessions or bounce), pages
-- /p0../p49.  The table is in row-number order, users interleaved, as a raw
-- event log is.  Single-threaded (max_parallel_workers_per_gather = 0),
-- jit = off, work_mem 256MB.
-- `test/bench.sh sessions` runs this file with -v driver=1 and measures the
-- queries with the method of docs/benchmarks.md; run alone, the file times
-- them itself (below).
\set ON_ERROR_STOP 1
\if :{?rows} \else \set rows 10000000 \endif
\if :{?users} \else \set users 100000 \endif
\if :{?rounds} \else \set rounds 5 \endif
SET client_min_messages = warning;
SET synchronous_commit = on;
SET work_mem = '256MB';
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SET TimeZone = 'UTC';
CREATE EXTENSION IF NOT EXISTS engage;

-- ---------------------------------------------------------------------------
-- Data: bench_pageviews (user_id, ts, page), loaded once per (rows, users).
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS bench_pageviews_meta (rows bigint, users bigint);
SELECT NOT EXISTS (SELECT 1 FROM bench_pageviews_meta WHERE rows = :rows AND users = :users) AS need_load \gset
\if :need_load
DROP TABLE IF EXISTS bench_pageviews;
CREATE TABLE bench_pageviews AS
SELECT u AS user_id,
       TIMESTAMPTZ '2024-01-01 00:00+00'
         + ((hashint8extended(u, 17) & 9223372036854775807) % 300) * interval '1 day'
         + ((h / 7) % 40) * interval '6 hours'
         + ((h / 280) % 3600) * interval '1 second'
         + ((h / 1008000) % 1000000) * interval '1 microsecond' AS ts,
       '/p' || ((h / 1008000000000) % 50) AS page
FROM (SELECT i, (hashint8extended(i, 7) & 9223372036854775807) % :users + 1 AS u,
             hashint8extended(i, 13) & 9223372036854775807 AS h
      FROM generate_series(1, :rows::bigint) i) a;
VACUUM (FREEZE, ANALYZE) bench_pageviews;
CHECKPOINT;
TRUNCATE bench_pageviews_meta;
INSERT INTO bench_pageviews_meta VALUES (:rows, :users);
\endif
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
SELECT pg_prewarm('bench_pageviews') > 0 AS prewarmed;

-- ---------------------------------------------------------------------------
-- The comparisons: bounce rate, average session duration and pages per
-- session (30 minute gap), two engage forms against the same plain SQL:
-- LAG marks a session start, a running SUM numbers the sessions, GROUP BY
-- session gives their sizes and durations.  (name, engage query, plain-SQL
-- query), checked to agree
-- (compared as text): the exact counts (sessions, bounces, page views, total
-- duration in microseconds) and the three rates rounded to 4 decimals.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE bench_q (k int, name text, engage text, plain text);
INSERT INTO bench_q VALUES
(1, 'one call: sessionize(user_id, ts)',
 $$SELECT sessions(r), bounces(r), pageviews(r), (extract(epoch FROM total_session_duration(r)) * 1000000)::bigint,
          round(bounce_rate(r)::numeric, 4), round(avg_session_seconds(r)::numeric, 4),
          round(pages_per_session(r)::numeric, 4)
     FROM (SELECT sessionize(user_id, ts) AS r FROM bench_pageviews) x$$,
 $$WITH e AS (
      SELECT user_id, ts,
             CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= interval '30 minutes'
                  THEN 0 ELSE 1 END AS new_session
        FROM bench_pageviews),
    s AS (
      SELECT user_id, ts,
             sum(new_session) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid
        FROM e),
    ss AS (SELECT user_id, sid, count(*) AS n, max(ts) - min(ts) AS d FROM s GROUP BY user_id, sid)
    SELECT count(*), count(*) FILTER (WHERE n = 1), sum(n), (sum(extract(epoch FROM d)) * 1000000)::bigint,
           round(100.0 * count(*) FILTER (WHERE n = 1) / count(*), 4), round(avg(extract(epoch FROM d)), 4),
           round(avg(n), 4)
      FROM ss$$),
(2, 'per user: sessionize(ts) GROUP BY user_id, then rollup',
 $$SELECT sessions(r), bounces(r), pageviews(r), (extract(epoch FROM total_session_duration(r)) * 1000000)::bigint,
          round(bounce_rate(r)::numeric, 4), round(avg_session_seconds(r)::numeric, 4),
          round(pages_per_session(r)::numeric, 4)
     FROM (SELECT rollup(s) AS r FROM (SELECT sessionize(ts) AS s FROM bench_pageviews GROUP BY user_id) u) x$$,
 $$WITH e AS (
      SELECT user_id, ts,
             CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= interval '30 minutes'
                  THEN 0 ELSE 1 END AS new_session
        FROM bench_pageviews),
    s AS (
      SELECT user_id, ts,
             sum(new_session) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid
        FROM e),
    ss AS (SELECT user_id, sid, count(*) AS n, max(ts) - min(ts) AS d FROM s GROUP BY user_id, sid)
    SELECT count(*), count(*) FILTER (WHERE n = 1), sum(n), (sum(extract(epoch FROM d)) * 1000000)::bigint,
           round(100.0 * count(*) FILTER (WHERE n = 1) / count(*), 4), round(avg(extract(epoch FROM d)), 4),
           round(avg(n), 4)
      FROM ss$$);

\ir common.sql

-- Driven by test/bench.sh (psql -v driver=1): it times the queries itself
-- (same method as every part), so keep them in bench_queries, check here that
-- both sides agree (each distinct query run once), and stop.  Output lines:
-- check|k|t-or-f, result|text.
\if :{?driver}
CREATE TABLE IF NOT EXISTS bench_queries (part text, k int, side text, q text);
DELETE FROM bench_queries WHERE part = 'sessions';
INSERT INTO bench_queries
  SELECT 'sessions', k, s.side, s.q FROM bench_q, LATERAL (VALUES ('engage', engage), ('plain', plain)) s(side, q);
CREATE TEMP TABLE bench_res AS
  SELECT q, pg_temp.result(q) AS r FROM (SELECT engage FROM bench_q UNION SELECT plain FROM bench_q) x(q);
SELECT 'check|' || k || '|' || (e.r = p.r)
  FROM bench_q JOIN bench_res e ON e.q = bench_q.engage JOIN bench_res p ON p.q = bench_q.plain ORDER BY k;
SELECT 'result|sessions, bounces, page views, total duration (us), bounce rate, avg session s, pages per session: '
       || r FROM bench_res WHERE q = (SELECT plain FROM bench_q WHERE k = 1);
\quit
\endif

CREATE TEMP TABLE bench_t (k int, side text, round int, ms float8);
SELECT set_config('bench.rounds', :'rounds', false) AS rounds;
DO $$
DECLARE q record; r int; rounds int := current_setting('bench.rounds')::int;
BEGIN
  FOR q IN SELECT * FROM bench_q ORDER BY k LOOP
    FOR r IN 0 .. rounds LOOP            -- round 0 is the warm-up
      INSERT INTO bench_t VALUES (q.k, 'engage', r, pg_temp.exec_ms(q.engage));
      INSERT INTO bench_t VALUES (q.k, 'plain', r, pg_temp.exec_ms(q.plain));
    END LOOP;
  END LOOP;
END $$;

\echo
\echo sessions benchmark (:rows page views, :users users; medians of :rounds rounds, single-threaded, jit off)
SELECT q.k, q.name,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'engage')::numeric, 1) AS engage_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'plain')::numeric, 1) AS plain_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'plain')
            / percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'engage'))::numeric, 2) AS ratio,
       pg_temp.result(q.engage) = pg_temp.result(q.plain) AS same_result
FROM bench_q q JOIN bench_t t ON t.k = q.k AND t.round > 0
GROUP BY q.k, q.name, q.engage, q.plain ORDER BY q.k;

\echo the numbers:
SELECT sessions(r), pageviews(r), bounce_rate(r), avg_session_duration(r), pages_per_session(r)
FROM (SELECT rollup(s) AS r FROM (SELECT sessionize(ts) AS s FROM bench_pageviews GROUP BY user_id) u) x;
