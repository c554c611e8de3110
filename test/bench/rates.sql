-- Benchmark part for the rates (issue 5): "rates within 1.15x of count()".
-- A benchmark, not a test: it prints medians and ratios, and checks that
-- engage and the plain SQL agree.
--
--   psql -X -v rows=10000000 -v rounds=7 -f test/bench/rates.sql
--
-- psql variables (defaults below): rows (rows in bench_rates), rounds
-- (measured rounds, after one warm-up).  Every column comes from hashes of
-- the row number, so the data is the same on every run: b is true for ~12%
-- of the rows and NULL for ~1%; clicks <= impressions < 1000.
-- Method: single-threaded (max_parallel_workers_per_gather = 0), jit = off;
-- every round runs every query once, in order (interleaved), and a query's
-- time is the "Execution Time" of EXPLAIN (ANALYZE, TIMING OFF); the table
-- shows medians, the ratio engage / baseline of the medians, and the median
-- of the per-round ratios (paired_ratio: robust to load drifting between
-- rounds).  Run it on an otherwise idle machine.
-- `test/bench.sh rates` runs this file with -v driver=1 and measures the
-- queries with the method of docs/benchmarks.md; run alone, the file times
-- them itself (below).
\set ON_ERROR_STOP 1
\if :{?rows} \else \set rows 10000000 \endif
\if :{?rounds} \else \set rounds 7 \endif
SET client_min_messages = warning;
SET work_mem = '256MB';
SET jit = off;
SET max_parallel_workers_per_gather = 0;
CREATE EXTENSION IF NOT EXISTS engage;

-- ---------------------------------------------------------------------------
-- Data: bench_rates (b, clicks, impressions), loaded once per row count.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS bench_rates_meta (rows bigint);
SELECT NOT EXISTS (SELECT 1 FROM bench_rates_meta WHERE rows = :rows) AS need_load \gset
\if :need_load
DROP TABLE IF EXISTS bench_rates;
CREATE TABLE bench_rates AS
SELECT CASE WHEN h % 100 = 0 THEN NULL ELSE (h >> 8) % 100 < 12 END AS b,
       ((h >> 16) % 1000 * ((h >> 32) % 100) / 1000)::int AS clicks,
       ((h >> 16) % 1000)::int AS impressions
FROM (SELECT hashint8extended(i, 17) & 9223372036854775807 AS h FROM generate_series(1, :rows::bigint) i) g;
-- The same counts as bigint, for ctr(bigint, bigint).
DROP TABLE IF EXISTS bench_rates8;
CREATE TABLE bench_rates8 AS SELECT clicks::bigint AS clicks, impressions::bigint AS impressions FROM bench_rates;
VACUUM (FREEZE, ANALYZE) bench_rates, bench_rates8;
CHECKPOINT;
TRUNCATE bench_rates_meta;
INSERT INTO bench_rates_meta VALUES (:rows);
\endif
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
SELECT pg_prewarm('bench_rates') > 0 AND pg_prewarm('bench_rates8') > 0 AS prewarmed;

-- ---------------------------------------------------------------------------
-- The comparisons: (name, engage query, baseline query, whether the two
-- must return the same number).
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE bench_q (k int, name text, engage text, baseline text, same bool);
INSERT INTO bench_q VALUES
(1, 'conversion_rate(b) / count(b)',
 $$SELECT conversion_rate(b) FROM bench_rates$$,
 $$SELECT count(b) FROM bench_rates$$, false),
(2, 'conversion_rate(b) / 100.0 * count(*) FILTER (WHERE b) / count(b)',
 $$SELECT conversion_rate(b) FROM bench_rates$$,
 $$SELECT 100.0 * count(*) FILTER (WHERE b) / count(b) FROM bench_rates$$, true),
(3, 'ctr(clicks, impressions) / count(clicks)',
 $$SELECT ctr(clicks, impressions) FROM bench_rates$$,
 $$SELECT count(clicks) FROM bench_rates$$, false),
(4, 'ctr(clicks, impressions) / 100.0 * sum(clicks) / sum(impressions)',
 $$SELECT ctr(clicks, impressions) FROM bench_rates$$,
 $$SELECT 100.0 * sum(clicks) / sum(impressions) FROM bench_rates$$, true),
(5, 'ctr(clicks, impressions) / count(clicks), bigint columns',
 $$SELECT ctr(clicks, impressions) FROM bench_rates8$$,
 $$SELECT count(clicks) FROM bench_rates8$$, false),
(6, 'conversion_agg(b) (stored state) / count(b)',
 $$SELECT conversion_agg(b) FROM bench_rates$$,
 $$SELECT count(b) FROM bench_rates$$, false);

\ir common.sql
-- The single value of q, rounded to 9 decimal places.
CREATE FUNCTION pg_temp.value(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE 'SELECT round((' || q || ')::numeric, 9)::text' INTO r;
  RETURN r;
END $$;

-- Driven by test/bench.sh (psql -v driver=1): it times the queries itself
-- (same method as every part), so keep them in bench_queries, check here that
-- the rates agree, and stop.  Output lines: check|k|t-or-f.
\if :{?driver}
CREATE TABLE IF NOT EXISTS bench_queries (part text, k int, side text, q text);
DELETE FROM bench_queries WHERE part = 'rates';
INSERT INTO bench_queries
  SELECT 'rates', k, s.side, s.q FROM bench_q, LATERAL (VALUES ('engage', engage), ('baseline', baseline)) s(side, q);
SELECT 'check|' || k || '|' || (pg_temp.value(engage) = pg_temp.value(baseline)) FROM bench_q WHERE same ORDER BY k;
\quit
\endif

CREATE TEMP TABLE bench_t (k int, side text, round int, ms float8);
SELECT set_config('bench.rounds', :'rounds', false) AS rounds;
DO $$
DECLARE q record; r int; rounds int := current_setting('bench.rounds')::int;
BEGIN
  FOR r IN 0 .. rounds LOOP              -- round 0 is the warm-up
    FOR q IN SELECT * FROM bench_q ORDER BY k LOOP
      INSERT INTO bench_t VALUES (q.k, 'engage', r, pg_temp.exec_ms(q.engage));
      INSERT INTO bench_t VALUES (q.k, 'baseline', r, pg_temp.exec_ms(q.baseline));
    END LOOP;
  END LOOP;
END $$;

\echo
\echo rates benchmark (:rows rows; medians of :rounds interleaved rounds, single-threaded, jit off)
SELECT q.k, q.name,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 1) AS engage_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY u.ms)::numeric, 1) AS baseline_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)
            / percentile_cont(0.5) WITHIN GROUP (ORDER BY u.ms))::numeric, 3) AS ratio,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms / u.ms)::numeric, 3) AS paired_ratio,
       CASE WHEN q.same THEN (pg_temp.value(q.engage) = pg_temp.value(q.baseline))::text ELSE '-' END AS same_result
FROM bench_q q
JOIN bench_t t ON t.k = q.k AND t.side = 'engage' AND t.round > 0
JOIN bench_t u ON u.k = q.k AND u.side = 'baseline' AND u.round = t.round
GROUP BY q.k, q.name, q.engage, q.baseline, q.same ORDER BY q.k;
\echo target (issue 5): ratio <= 1.15 against count(); below 1 against the plain-SQL rate.
\echo ctr reads two columns per row where count() reads one; rows 3 and 5: integer and bigint columns.
