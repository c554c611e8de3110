-- Benchmark part: the churn series (issue 3).  A benchmark, not a test.
-- 100k customers, 24 calendar months: subscription_flow() + flow_periods()
-- against the best plain-SQL query producing the same table
-- (generate_series of periods joined to the subscriptions, FILTER counts),
-- and, for reference, a one-scan plain-SQL form (width_bucket over the
-- bounds + window sums).
--
--   psql -X -v ON_ERROR_STOP=1 -f test/bench/flow_series.sql            (100000 customers, 7 rounds)
--   psql -X -v rows=1000000 -v rounds=5 -f test/bench/flow_series.sql
--
-- Method: the table is loaded, frozen and analyzed; each query runs
-- warm-up + rounds times, interleaved (A, B, C, A, B, C, ...), in one
-- session, single-threaded (max_parallel_workers_per_gather = 0, jit off);
-- a query's time is clock_timestamp() around it inside PL/pgSQL (its result,
-- 24 rows, is consumed there).  The medians and the ratios are printed, and
-- the three results are checked to be equal first.
-- `test/bench.sh flow` runs this file with -v driver=1 and measures the
-- queries with the method of docs/benchmarks.md (EXPLAIN ANALYZE execution
-- time, CPU cross-check); run alone, the file times them itself (below).
\set ON_ERROR_STOP 1
\if :{?rows}
\else
\set rows 100000
\endif
\if :{?rounds}
\else
\set rounds 7
\endif
SET client_min_messages = warning;
SET synchronous_commit = on;
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SET work_mem = '256MB';
SET TimeZone = 'UTC';
SELECT set_config('bench.rounds', :'rounds', false) \gset
CREATE EXTENSION IF NOT EXISTS engage;
DROP TABLE IF EXISTS bench_fs_subs;

-- 100k customers, one subscription each: starts uniform over 2022-2024,
-- 35% still active, the others last up to ~14 months.
CREATE TABLE bench_fs_subs AS
SELECT i AS customer_id,
       '2022-01-01'::timestamptz + (h % 1576800) * interval '1 minute' AS started_at,
       CASE WHEN (h / 1576800) % 100 < 35 THEN NULL
            ELSE '2022-01-01'::timestamptz + (h % 1576800) * interval '1 minute'
                 + ((h / 157680000) % 600000) * interval '1 minute' END AS ended_at
FROM (SELECT i, hashint8extended(i, 42) & 9223372036854775807 AS h
      FROM generate_series(1, :rows::bigint) i) g;
VACUUM (FREEZE, ANALYZE) bench_fs_subs;

CREATE TEMP TABLE bench_fs_q (name text, q text);
INSERT INTO bench_fs_q VALUES
('engage subscription_flow',
 $q$SELECT p.* FROM (SELECT subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month') s
                    FROM bench_fs_subs) x, flow_periods(x.s) p$q$),
('plain SQL: periods x subscriptions, FILTER counts',
 $q$SELECT p.ps, p.pe, s, n, l, e,
           100.0 * l / nullif(s, 0) AS churn_rate, 100.0 * (e - n) / nullif(s, 0) AS retention_rate,
           100.0 * (s - l) / nullif(s, 0) AS retention_rate_excluding_new, 100.0 * (e - s) / nullif(s, 0) AS net_growth
    FROM (SELECT p.ps, p.pe,
                 count(*) FILTER (WHERE started_at < p.ps AND (ended_at IS NULL OR ended_at >= p.ps)) AS s,
                 count(*) FILTER (WHERE started_at >= p.ps AND started_at < p.pe) AS n,
                 count(*) FILTER (WHERE started_at < p.ps AND ended_at >= p.ps AND ended_at < p.pe) AS l,
                 count(*) FILTER (WHERE started_at < p.pe AND (ended_at IS NULL OR ended_at >= p.pe)) AS e
          FROM (SELECT '2023-01-01'::timestamptz + k * interval '1 month' AS ps,
                       '2023-01-01'::timestamptz + (k + 1) * interval '1 month' AS pe
                FROM generate_series(0, 23) k) p
          CROSS JOIN bench_fs_subs
          WHERE started_at < p.pe AND (ended_at IS NULL OR ended_at >= p.ps)
          GROUP BY p.ps, p.pe) p$q$),
('plain SQL, one scan: width_bucket + window sums',
 $q$WITH b AS (SELECT array_agg('2023-01-01'::timestamptz + k * interval '1 month' ORDER BY k) AS bounds
              FROM generate_series(0, 24) k),
    ev AS (SELECT width_bucket(started_at, b.bounds) - 1 AS ps,
                  CASE WHEN ended_at IS NULL THEN 24 ELSE width_bucket(ended_at, b.bounds) - 1 END AS pe
           FROM bench_fs_subs, b),
    g AS (SELECT ps, pe, count(*) AS cnt FROM ev GROUP BY ps, pe),
    per AS (SELECT k,
                   coalesce(sum(cnt) FILTER (WHERE ps = k), 0) AS n,
                   coalesce(sum(cnt) FILTER (WHERE ps = k AND pe = k), 0) AS nl,
                   coalesce(sum(cnt) FILTER (WHERE pe = k AND ps < k), 0) AS l
            FROM generate_series(0, 23) k LEFT JOIN g ON g.ps = k OR g.pe = k
            GROUP BY k),
    s0 AS (SELECT coalesce(sum(cnt), 0) AS s0 FROM g WHERE ps < 0 AND pe >= 0),
    s AS (SELECT k, n, nl, l,
                 s0.s0 + coalesce(sum(n - nl - l) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS s
          FROM per, s0)
    SELECT '2023-01-01'::timestamptz + k * interval '1 month' AS ps,
           '2023-01-01'::timestamptz + (k + 1) * interval '1 month' AS pe,
           s, n, l, s - l + n - nl AS e,
           100.0 * l / nullif(s, 0) AS churn_rate, 100.0 * (s - l - nl) / nullif(s, 0) AS retention_rate,
           100.0 * (s - l) / nullif(s, 0) AS retention_rate_excluding_new, 100.0 * (n - nl - l) / nullif(s, 0) AS net_growth
    FROM s$q$);

-- The three queries give the same counts.
DO $$
DECLARE
  a text; b text; c text;
BEGIN
  EXECUTE 'SELECT string_agg(format(''%s %s %s %s %s'', period_start, customers_start, new_customers, lost_customers, customers_end), '';'' ORDER BY period_start) FROM ('
          || (SELECT q FROM bench_fs_q WHERE name LIKE 'engage%') || ') t' INTO a;
  EXECUTE 'SELECT string_agg(format(''%s %s %s %s %s'', ps, s, n, l, e), '';'' ORDER BY ps) FROM ('
          || (SELECT q FROM bench_fs_q WHERE name LIKE 'plain SQL: periods%') || ') t' INTO b;
  EXECUTE 'SELECT string_agg(format(''%s %s %s %s %s'', ps, s, n, l, e), '';'' ORDER BY ps) FROM ('
          || (SELECT q FROM bench_fs_q WHERE name LIKE 'plain SQL, one scan%') || ') t' INTO c;
  IF a IS DISTINCT FROM b OR a IS DISTINCT FROM c THEN
    RAISE EXCEPTION 'results differ: engage % / join % / one scan %', a, b, c;
  END IF;
END $$;

-- Driven by test/bench.sh (psql -v driver=1): it times the queries itself
-- (same method as every part), so keep them in bench_queries, report the
-- state's memory (issue 3) and stop; the check above has passed.  Output
-- lines: check|1|t, memory|text.
\if :{?driver}
CREATE TABLE IF NOT EXISTS bench_queries (part text, k int, side text, q text);
DELETE FROM bench_queries WHERE part = 'flow';
INSERT INTO bench_queries
  SELECT 'flow', 1, CASE WHEN name LIKE 'engage%' THEN 'engage' WHEN name LIKE 'plain SQL: periods%' THEN 'join'
                         ELSE 'onescan' END, q
    FROM bench_fs_q;
SELECT 'check|1|t';
SELECT 'memory|flow_state of ' || count(*) || ' customers over 24 monthly periods: '
       || pg_column_size(subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month'))
       || ' bytes (pg_column_size; 32 bytes per period while aggregating, 40 in the state)'
FROM bench_fs_subs;
\quit
\endif

CREATE TEMP TABLE bench_fs_t (name text, round int, ms float8);
DO $$
DECLARE
  r int; qq record; t0 timestamptz; n bigint;
  rounds int := current_setting('bench.rounds')::int;
BEGIN
  FOR r IN 0 .. rounds LOOP             -- round 0 is the warm-up
    FOR qq IN SELECT name, q FROM bench_fs_q ORDER BY name LOOP
      t0 := clock_timestamp();
      EXECUTE 'SELECT count(*) FROM (' || qq.q || ') t' INTO n;
      IF r > 0 THEN
        INSERT INTO bench_fs_t VALUES (qq.name, r, 1000 * extract(epoch FROM clock_timestamp() - t0));
      END IF;
    END LOOP;
  END LOOP;
END $$;

\echo
\echo churn series, 24 calendar months, single-threaded; medians of :rounds rounds
SELECT name, count(*) AS rounds,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) /
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM bench_fs_t WHERE name LIKE 'engage%'))::numeric, 1)
         AS times_engage
FROM bench_fs_t GROUP BY name ORDER BY median_ms;
SELECT count(*) AS customers,
       pg_column_size(subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month')) AS flow_state_bytes
FROM bench_fs_subs;
DROP TABLE bench_fs_subs;
