-- Benchmark part for funnels (issue 5): the one-call keyed form
-- funnel(user_id, ts, step, window) and the per-user form funnel() GROUP BY
-- user + rollup(), both read with funnel_steps(), against the best plain SQL
-- computing the same numbers.  A benchmark, not a test: it prints medians and
-- ratios and checks that the sides agree (the two engage forms exactly;
-- against plain SQL users and conversions exactly, mean times to the
-- microsecond, median times within the documented 1/128).
--
--   psql -X -v rows=2000000 -v users=100000 -v rounds=5 -f test/bench/funnel.sql
--
-- psql variables (defaults below): rows (events), users, rounds (measured
-- rounds per comparison, after one warm-up).  Every column comes from hashes
-- of the row number, so the data is the same on every run: events over 30
-- days, steps 1..4 with decreasing frequency (6 in 16 events are not funnel
-- events), window 1 day.  Single-threaded, jit off, interleaved runs.
\set ON_ERROR_STOP 1
\if :{?rows} \else \set rows 2000000 \endif
\if :{?users} \else \set users 100000 \endif
\if :{?rounds} \else \set rounds 5 \endif
SET client_min_messages = warning;
SET work_mem = '256MB';
SET jit = off;
SET max_parallel_workers_per_gather = 0;
CREATE EXTENSION IF NOT EXISTS engage;

-- ---------------------------------------------------------------------------
-- Data: bench_funnel (user_id, ts, step), loaded once per (rows, users).
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS bench_funnel_meta (rows bigint, users bigint);
SELECT NOT EXISTS (SELECT 1 FROM bench_funnel_meta WHERE rows = :rows AND users = :users) AS need_load \gset
\if :need_load
DROP TABLE IF EXISTS bench_funnel;
CREATE TABLE bench_funnel AS
SELECT (hashint8extended(i, 7) & 9223372036854775807) % :users + 1 AS user_id,
       timestamptz '2024-01-01 00:00+00' + ((hashint8extended(i, 11) & 9223372036854775807) % (30 * 86400)) * interval '1 second' AS ts,
       (ARRAY[0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4])[1 + (hashint8extended(i, 13) & 15)] AS step
FROM generate_series(1, :rows::bigint) i;
VACUUM (FREEZE, ANALYZE) bench_funnel;
CHECKPOINT;
TRUNCATE bench_funnel_meta;
INSERT INTO bench_funnel_meta VALUES (:rows, :users);
\endif
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
SELECT pg_prewarm('bench_funnel') > 0 AS prewarmed;

-- ---------------------------------------------------------------------------
-- The comparison.  Both return per step: users, conversion from step 1 and
-- from the previous step (percent), mean and median seconds from the
-- previous step.  Sides: keyed = funnel(user_id, ts, step, window, steps)
-- in one call; engage = funnel(ts, step, window, steps) GROUP BY user_id,
-- then rollup(); plain = the best plain SQL.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE bench_q (k int, name text, keyed text, engage text, plain text);
INSERT INTO bench_q VALUES
(1, 'funnel of 4 steps, window 1 day: users, conversions, mean and median times',
 $$SELECT step, users, conversion_from_first, conversion_from_previous,
          extract(epoch FROM mean_time_from_previous) AS mean_s, extract(epoch FROM median_time_from_previous) AS median_s
     FROM funnel_steps((SELECT funnel(user_id, ts, step, '1 day', 4) FROM bench_funnel))
    ORDER BY step$$,
 $$SELECT step, users, conversion_from_first, conversion_from_previous,
          extract(epoch FROM mean_time_from_previous) AS mean_s, extract(epoch FROM median_time_from_previous) AS median_s
     FROM funnel_steps((SELECT rollup(f) FROM (SELECT funnel(ts, step, '1 day', 4) AS f FROM bench_funnel GROUP BY user_id) u))
    ORDER BY step$$,
 -- Best plain SQL found: level k's chains come from one window pass over the
 -- level k-1 extensions and the step-k events (running max of the chain
 -- start, previous level first at equal times), then the reported chain
 -- (the first to reach the user's depth) is walked back one join per level.
 $$WITH e AS (SELECT user_id AS u, ts, step FROM bench_funnel WHERE step BETWEEN 1 AND 4),
  l1 AS (SELECT u, ts, ts AS st FROM e WHERE step = 1),
  l2 AS (SELECT u, ts, st FROM (SELECT u, ts, o, max(st) OVER (PARTITION BY u ORDER BY ts, o ROWS UNBOUNDED PRECEDING) AS st
                                  FROM (SELECT u, ts, 0 AS o, st FROM l1 UNION ALL SELECT u, ts, 1, NULL FROM e WHERE step = 2) x) y
          WHERE o = 1 AND ts - st <= interval '1 day'),
  l3 AS (SELECT u, ts, st FROM (SELECT u, ts, o, max(st) OVER (PARTITION BY u ORDER BY ts, o ROWS UNBOUNDED PRECEDING) AS st
                                  FROM (SELECT u, ts, 0 AS o, st FROM l2 UNION ALL SELECT u, ts, 1, NULL FROM e WHERE step = 3) x) y
          WHERE o = 1 AND ts - st <= interval '1 day'),
  l4 AS (SELECT u, ts, st FROM (SELECT u, ts, o, max(st) OVER (PARTITION BY u ORDER BY ts, o ROWS UNBOUNDED PRECEDING) AS st
                                  FROM (SELECT u, ts, 0 AS o, st FROM l3 UNION ALL SELECT u, ts, 1, NULL FROM e WHERE step = 4) x) y
          WHERE o = 1 AND ts - st <= interval '1 day'),
  first_at AS (SELECT u, k, min(ts) AS t FROM (SELECT u, ts, 1 AS k FROM l1 UNION ALL SELECT u, ts, 2 FROM l2
                                               UNION ALL SELECT u, ts, 3 FROM l3 UNION ALL SELECT u, ts, 4 FROM l4) a GROUP BY u, k),
  depth AS (SELECT DISTINCT ON (u) u, k AS d, t FROM first_at ORDER BY u, k DESC),
  c4 AS (SELECT u, d, t AS t4 FROM depth WHERE d = 4),
  c3 AS (SELECT u, d, NULL::timestamptz AS t4, t AS t3 FROM depth WHERE d = 3
         UNION ALL SELECT c.u, c.d, c.t4, max(l.ts) FROM c4 c JOIN l3 l ON l.u = c.u AND l.ts <= c.t4 GROUP BY 1, 2, 3),
  c2 AS (SELECT u, d, NULL::timestamptz AS t4, NULL::timestamptz AS t3, t AS t2 FROM depth WHERE d = 2
         UNION ALL SELECT c.u, c.d, c.t4, c.t3, max(l.ts) FROM c3 c JOIN l2 l ON l.u = c.u AND l.ts <= c.t3 GROUP BY 1, 2, 3, 4),
  c1 AS (SELECT c.u, c.d, c.t4, c.t3, c.t2, max(l.ts) AS t1 FROM c2 c JOIN l1 l ON l.u = c.u AND l.ts <= c.t2 GROUP BY 1, 2, 3, 4, 5),
  deltas AS (SELECT k, extract(epoch FROM dt) AS s FROM c1, LATERAL (VALUES (2, t2 - t1), (3, t3 - t2), (4, t4 - t3)) v(k, dt)
             WHERE dt IS NOT NULL),
  reached AS (SELECT k, count(*) AS n FROM (SELECT d FROM depth) x, generate_series(1, d) k GROUP BY k),
  times AS (SELECT k, avg(s) AS mean_s, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS median_s FROM deltas GROUP BY k)
  SELECT r.k AS step, r.n AS users, 100.0::float8 * r.n / r1.n AS conversion_from_first,
         100.0::float8 * r.n / coalesce(rp.n, r.n) AS conversion_from_previous, t.mean_s, t.median_s
    FROM reached r CROSS JOIN (SELECT n FROM reached WHERE k = 1) r1
    LEFT JOIN reached rp ON rp.k = r.k - 1 LEFT JOIN times t ON t.k = r.k
   ORDER BY r.k$$);

\ir common.sql
CREATE TEMP TABLE bench_t (k int, side text, round int, ms float8);
SELECT set_config('bench.rounds', :'rounds', false) AS rounds;
DO $$
DECLARE q record; r int; rounds int := current_setting('bench.rounds')::int;
BEGIN
  FOR q IN SELECT * FROM bench_q ORDER BY k LOOP
    FOR r IN 0 .. rounds LOOP            -- round 0 is the warm-up
      INSERT INTO bench_t VALUES (q.k, 'keyed', r, pg_temp.exec_ms(q.keyed));
      INSERT INTO bench_t VALUES (q.k, 'engage', r, pg_temp.exec_ms(q.engage));
      INSERT INTO bench_t VALUES (q.k, 'plain', r, pg_temp.exec_ms(q.plain));
    END LOOP;
  END LOOP;
END $$;

-- Agreement: the keyed form equals the per-user form exactly; against plain
-- SQL users and conversions exact (conversions to 1e-9), means to the
-- microsecond, medians within 1/128 (+1 us rounding).
SELECT keyed AS q_keyed, engage AS q_engage, plain AS q_plain FROM bench_q WHERE k = 1 \gset
CREATE TEMP TABLE bench_k AS :q_keyed;
CREATE TEMP TABLE bench_e AS :q_engage;
CREATE TEMP TABLE bench_p AS :q_plain;
SELECT (SELECT count(*) FROM bench_k) = (SELECT count(*) FROM bench_e)
       AND NOT EXISTS (SELECT * FROM bench_k EXCEPT SELECT * FROM bench_e) AS keyed_equals_per_user;
SELECT count(*) AS steps,
       bool_and(e.users = p.users AND abs(e.conversion_from_first - p.conversion_from_first) < 1e-9
                AND abs(e.conversion_from_previous - p.conversion_from_previous) < 1e-9) AS counts_same,
       bool_and(e.mean_s IS NOT DISTINCT FROM p.mean_s OR abs(e.mean_s - p.mean_s) <= 1e-6) AS means_same,
       bool_and(e.median_s IS NULL AND p.median_s IS NULL OR abs(e.median_s - p.median_s) <= p.median_s / 128 + 1e-6) AS medians_within_1_128,
       max(abs(e.median_s - p.median_s) / nullif(p.median_s, 0)) AS worst_median_rel_error
FROM bench_k e FULL JOIN bench_p p USING (step);
SELECT * FROM bench_k ORDER BY step;

\echo
\echo funnel benchmark (:rows events, :users users; medians of :rounds rounds, single-threaded, jit off)
WITH m AS (SELECT k, side, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM bench_t WHERE round > 0 GROUP BY k, side)
SELECT q.k, q.name, f.form, round(e.ms::numeric, 1) AS engage_ms, round(p.ms::numeric, 1) AS plain_ms,
       round((p.ms / e.ms)::numeric, 2) AS ratio, round((p.ms / e.ms)::numeric, 2) >= 3 AS target_3x_met
FROM bench_q q
CROSS JOIN (VALUES (1, 'keyed', 'funnel(user_id, ts, step, window, steps), one call'),
                   (2, 'engage', 'funnel(ts, step, window, steps) GROUP BY user_id + rollup()')) f(o, side, form)
JOIN m e ON e.k = q.k AND e.side = f.side
JOIN m p ON p.k = q.k AND p.side = 'plain'
ORDER BY q.k, f.o;
