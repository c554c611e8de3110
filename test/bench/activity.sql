-- Benchmark part for activity (issue 3): active users, stickiness and the
-- cohort matrix, engage against the best plain SQL.  A benchmark, not a test:
-- it prints medians and ratios and checks that both sides agree.
--
--   psql -X -v rows=10000000 -v users=100000 -v rounds=5 -f test/bench/activity.sql
--
-- psql variables (defaults below): rows (activity rows), users, rounds
-- (measured rounds per comparison, after one warm-up).  Every column comes
-- from hashes of the row number, so the data is the same on every run: each
-- user starts on a hashed day of 2023 and is active on later days, skewed
-- towards the start.  Sessions should run with jit = off and
-- max_parallel_workers_per_gather = 0 (single-threaded), as test/bench.sh does.
-- `test/bench.sh activity` runs this file with -v driver=1 and measures the
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
CREATE EXTENSION IF NOT EXISTS engage;

-- ---------------------------------------------------------------------------
-- Data: bench_activity (user_id, day), loaded once per (rows, users).
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS bench_activity_meta (rows bigint, users bigint);
SELECT NOT EXISTS (SELECT 1 FROM bench_activity_meta WHERE rows = :rows AND users = :users) AS need_load \gset
\if :need_load
DROP TABLE IF EXISTS bench_activity, bench_activity_daily;
CREATE TABLE bench_activity AS
SELECT u AS user_id,
       DATE '2023-01-01' + (s + (h % 1000) * (h % 1000) * (365 - s) / 1000000)::int AS day
FROM (SELECT u, (hashint8extended(u, 11) & 9223372036854775807) % 365 AS s,
             hashint8extended(i, 13) & 9223372036854775807 AS h
      FROM (SELECT i, (hashint8extended(i, 7) & 9223372036854775807) % :users + 1 AS u
            FROM generate_series(1, :rows::bigint) i) a) b;
-- One activity_state per day: the stored form a BI schema would keep.
CREATE TABLE bench_activity_daily AS
  SELECT day, activity_agg(user_id, day) AS st FROM bench_activity GROUP BY day ORDER BY day;
VACUUM (FREEZE, ANALYZE) bench_activity, bench_activity_daily;
CHECKPOINT;
TRUNCATE bench_activity_meta;
INSERT INTO bench_activity_meta VALUES (:rows, :users);
\endif
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
SELECT pg_prewarm('bench_activity') > 0 AS prewarmed;

-- ---------------------------------------------------------------------------
-- The comparisons: (name, engage query, best plain-SQL query).  Each pair is
-- checked to agree (compared as text, rates rounded to 9 digits).
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE bench_q (k int, name text, engage text, plain text);
INSERT INTO bench_q VALUES
(1, 'active users, whole year',
 $$SELECT active_users(activity_agg(user_id, day)) FROM bench_activity$$,
 $$SELECT count(*) FROM (SELECT DISTINCT user_id FROM bench_activity) x$$),
(2, 'stickiness per month (avg DAU / MAU)',
 $$SELECT m::date, round(stickiness(st, m::date, (m + interval '1 month')::date)::numeric, 9)
     FROM (SELECT activity_agg(user_id, day) AS st FROM bench_activity) s,
          generate_series(DATE '2023-01-01', DATE '2023-12-01', interval '1 month') m ORDER BY 1$$,
 $$WITH d AS (SELECT day, count(*) AS n FROM (SELECT DISTINCT user_id, day FROM bench_activity) x GROUP BY day),
         m AS (SELECT date_trunc('month', day) AS m, count(*) AS n
                 FROM (SELECT DISTINCT user_id, date_trunc('month', day) AS day FROM bench_activity) x GROUP BY 1)
    SELECT m.m::date, round((sum(d.n)::float8 / extract(day FROM m.m + interval '1 month' - m.m)::int / m.n)::numeric, 9)
      FROM m JOIN d ON date_trunc('month', d.day) = m.m GROUP BY m.m, m.n ORDER BY 1$$),
(3, 'cohort matrix by month (on-period and on-or-after)',
 $$SELECT cohort, period_offset, cohort_size, active, active_or_later
     FROM cohort_retention((SELECT activity_agg(user_id, day) FROM bench_activity), 'month') ORDER BY 1, 2$$,
 $$WITH a AS (SELECT DISTINCT user_id, date_trunc('month', day)::date AS p FROM bench_activity),
         f AS (SELECT user_id, min(p) AS cohort, max(p) AS last FROM a GROUP BY user_id),
         sizes AS (SELECT cohort, count(*) AS n FROM f GROUP BY cohort),
         grid AS (SELECT s.cohort, s.n, g::date AS p FROM sizes s,
                         generate_series(s.cohort, (SELECT max(p) FROM a), interval '1 month') g),
         on_p AS (SELECT f.cohort, a.p, count(*) AS n FROM f JOIN a USING (user_id) GROUP BY 1, 2),
         later AS (SELECT g.cohort, g.p, count(f.user_id) AS n FROM grid g JOIN f ON f.cohort = g.cohort AND f.last >= g.p
                    GROUP BY 1, 2)
    SELECT g.cohort, ((extract(year FROM g.p) - extract(year FROM g.cohort)) * 12
                      + extract(month FROM g.p) - extract(month FROM g.cohort))::int,
           g.n, coalesce(on_p.n, 0), coalesce(later.n, 0)
      FROM grid g LEFT JOIN on_p USING (cohort, p) LEFT JOIN later USING (cohort, p) ORDER BY 1, 2$$),
(4, 'cohort matrix by month from the 365 daily states',
 $$SELECT cohort, period_offset, cohort_size, active, active_or_later
     FROM cohort_retention((SELECT rollup(st) FROM bench_activity_daily), 'month') ORDER BY 1, 2$$,
 NULL),
(5, 'DAU per day (activity_series)',
 $$SELECT * FROM activity_series((SELECT activity_agg(user_id, day) FROM bench_activity), 'day')$$,
 $$SELECT day, count(*) FROM (SELECT DISTINCT user_id, day FROM bench_activity) x GROUP BY day ORDER BY day$$);
UPDATE bench_q SET plain = (SELECT plain FROM bench_q WHERE k = 3) WHERE k = 4;

\ir common.sql

-- Driven by test/bench.sh (psql -v driver=1): it times the queries itself
-- (same method as every part), so keep them in bench_queries, check here that
-- both sides agree (each distinct query run once), report the state's memory
-- (issue 3), and stop.  Output lines: check|k|t-or-f, memory|text.
\if :{?driver}
CREATE TABLE IF NOT EXISTS bench_queries (part text, k int, side text, q text);
DELETE FROM bench_queries WHERE part = 'activity';
INSERT INTO bench_queries
  SELECT 'activity', k, s.side, s.q FROM bench_q, LATERAL (VALUES ('engage', engage), ('plain', plain)) s(side, q);
CREATE TEMP TABLE bench_res AS
  SELECT q, pg_temp.result(q) AS r FROM (SELECT engage FROM bench_q UNION SELECT plain FROM bench_q) x(q);
SELECT 'check|' || k || '|' || (e.r = p.r)
  FROM bench_q JOIN bench_res e ON e.q = bench_q.engage JOIN bench_res p ON p.q = bench_q.plain ORDER BY k;
SELECT 'memory|activity_state of all ' || :rows || ' rows (stickiness, cohort matrix): '
       || (st::jsonb->>'users') || ' users x ' || (st::jsonb->>'days') || ' days = '
       || (st::jsonb->>'bytes') || ' bytes (' || pg_size_pretty((st::jsonb->>'bytes')::bigint) || ')'
       || '; the ' || (SELECT count(*) FROM bench_activity_daily) || ' daily states as stored: '
       || (SELECT pg_size_pretty(sum(pg_column_size(st))) FROM bench_activity_daily) || ' (compressed)'
FROM (SELECT activity_agg(user_id, day) AS st FROM bench_activity) s;
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
\echo activity benchmark (:rows rows, :users users; medians of :rounds rounds, single-threaded)
SELECT q.k, q.name,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'engage')::numeric, 1) AS engage_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'plain')::numeric, 1) AS plain_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'plain')
            / percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'engage'))::numeric, 2) AS ratio,
       pg_temp.result(q.engage) = pg_temp.result(q.plain) AS same_result
FROM bench_q q JOIN bench_t t ON t.k = q.k AND t.round > 0
GROUP BY q.k, q.name, q.engage, q.plain ORDER BY q.k;

\echo memory of the state (users x (8 + days / 8) bytes):
SELECT st::jsonb->'users' AS users, st::jsonb->'days' AS days, st::jsonb->'bytes' AS state_bytes,
       pg_size_pretty((st::jsonb->>'bytes')::bigint) AS state_size,
       (SELECT pg_size_pretty(sum(pg_column_size(st))) FROM bench_activity_daily) AS daily_states_stored_compressed
FROM (SELECT activity_agg(user_id, day) AS st FROM bench_activity) s;
