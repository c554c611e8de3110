SET search_path = public, engage;
-- 09_flow: customer flow.  churn_rate() and retention_rate() from counts,
-- and the churn / retention aggregates over a subscription table against
-- hand-computed values and the same definitions in plain SQL.
--
-- A subscription is active on [started_at, ended_at), ended_at NULL = still
-- active.  For the period [ps, pe):
--   S  = started_at < ps AND (ended_at IS NULL OR ended_at >= ps)
--   N  = ps <= started_at < pe
--   L  = in S AND ps <= ended_at < pe
--   NL = in N AND ended_at < pe
--   E  = started_at < pe AND (ended_at IS NULL OR ended_at >= pe)
-- churn_rate = 100 L / S, retention_rate = 100 (E - N) / S,
-- retention_rate_excluding_new = 100 (S - L) / S.

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;

-- Both NULL, or both set and equal to 1e-9.
CREATE FUNCTION pg_temp.same(a float8, b numeric) RETURNS bool LANGUAGE sql IMMUTABLE AS
  $$ SELECT (a IS NULL AND b IS NULL) OR coalesce(abs(a - b::float8) < 1e-9, false) $$;

-- The raw state {period_start, period_end, S, N, L, NL}, to check the counts.
CREATE AGGREGATE pg_temp.flow_state(timestamptz, timestamptz, timestamptz, timestamptz) (
  SFUNC = flow_accum, STYPE = bigint[], COMBINEFUNC = flow_combine);

-- ---------------------------------------------------------------------------
-- Scalar functions
-- ---------------------------------------------------------------------------
-- churn: 3 of 10 lost = 30; 1 of 3 = 33.333...; 0 of 7 = 0; 7 of 7 = 100;
-- no starting customers = NULL.
SELECT churn_rate(10, 3) AS c30, churn_rate(3, 1) AS c33, churn_rate(7, 0) AS c0,
       churn_rate(7, 7) AS c100, churn_rate(0, 0) AS none,
       churn_rate(NULL, 1) AS null_arg;
-- retention: start 10, end 12, new 4: (12 - 4) / 10 = 80; start 10, end 10,
-- new 0: 100; start 10, end 3, new 3: 0; start 3, end 2, new 0: 66.666...;
-- start 0, end 5, new 5: NULL.
SELECT retention_rate(10, 12, 4) AS r80, retention_rate(10, 10, 0) AS r100,
       retention_rate(10, 3, 3) AS r0, retention_rate(3, 2, 0) AS r67,
       retention_rate(0, 5, 5) AS none, retention_rate(1, NULL, 0) AS null_arg;
-- Big counts stay exact in the checks: 2^63-1 starting, all lost = 100.
SELECT churn_rate(9223372036854775807, 9223372036854775807) AS c100,
       retention_rate(9223372036854775807, 9223372036854775807, 0) AS r100,
       retention_rate(1, 9223372036854775807, 9223372036854775806) AS r100b;

-- ---------------------------------------------------------------------------
-- Aggregates: a hand-computed period, January 2024 = [2024-01-01, 2024-02-01)
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hand (k text, started_at timestamptz, ended_at timestamptz);
INSERT INTO hand VALUES
  ('a', '2023-06-01', NULL),          -- S, E
  ('b', '2023-06-01', '2024-01-15'),  -- S, L
  ('c', '2023-12-01', '2024-01-01'),  -- ended exactly at ps: S, L
  ('d', '2023-12-01', '2023-12-31'),  -- gone before ps: nothing
  ('e', '2024-01-01', NULL),          -- started exactly at ps: N, E
  ('f', '2024-01-10', '2024-01-20'),  -- N, NL
  ('g', '2024-01-20', '2024-02-01'),  -- N, ended exactly at pe: E
  ('h', '2024-02-01', NULL),          -- started exactly at pe: nothing
  ('i', NULL, NULL),                  -- ignored
  ('i2', NULL, '2020-01-01'),         -- ignored (no start)
  ('j', '2023-01-01', '2024-02-01'),  -- S, ended exactly at pe: E
  ('k', '2023-05-05', '2024-03-01'),  -- S, E
  ('l', '2024-01-05', '2024-01-05');  -- zero length inside: N, NL
-- S = a b c j k = 5; N = e f g l = 4; L = b c = 2; NL = f l = 2;
-- E = a e g j k = 5 (= S - L + N - NL = 5 - 2 + 4 - 2).
-- churn = 100 * 2 / 5 = 40; retention = 100 * (5 - 4) / 5 = 20;
-- excluding new = 100 * (5 - 2) / 5 = 60.
SELECT churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') AS churn,
       retention_rate(started_at, ended_at, '2024-01-01', '2024-02-01') AS retention,
       retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2024-02-01') AS retention_excl_new,
       (pg_temp.flow_state(started_at, ended_at, '2024-01-01', '2024-02-01'))[3:6] AS s_n_l_nl
FROM hand;
-- February 2024 = [2024-02-01, 2024-03-01): S = E of January (a e g j k) = 5;
-- g and j end exactly at ps: L = g j, and k ends at pe: not lost, so L = 2;
-- N = h = 1, NL = 0; E = a e h k = 4.
-- churn = 40; retention = 100 * (4 - 1) / 5 = 60; excluding new = 60.
SELECT churn_rate(started_at, ended_at, '2024-02-01', '2024-03-01') AS churn,
       retention_rate(started_at, ended_at, '2024-02-01', '2024-03-01') AS retention,
       retention_rate_excluding_new(started_at, ended_at, '2024-02-01', '2024-03-01') AS retention_excl_new,
       (pg_temp.flow_state(started_at, ended_at, '2024-02-01', '2024-03-01'))[3:6] AS s_n_l_nl
FROM hand;
-- Classic retention below zero: S = a = 1, N = NL = 3 (all new ones lost):
-- E = 1, retention = 100 * (1 - 3) / 1 = -200; churn 0; excluding new 100.
SELECT churn_rate(s, e, '2024-01-01', '2024-02-01') AS churn,
       retention_rate(s, e, '2024-01-01', '2024-02-01') AS retention,
       retention_rate_excluding_new(s, e, '2024-01-01', '2024-02-01') AS retention_excl_new
FROM (VALUES ('2023-06-01'::timestamptz, NULL::timestamptz), ('2024-01-02', '2024-01-03'),
             ('2024-01-04', '2024-01-30'), ('2024-01-31', '2024-01-31 23:59')) v(s, e);
-- No starting customers: NULL.  Period 2022: nothing of hand started before
-- 2022-01-01 (S = 0) nor during 2022 (j starts exactly at period_end).
SELECT churn_rate(started_at, ended_at, '2022-01-01', '2023-01-01') AS churn,
       retention_rate(started_at, ended_at, '2022-01-01', '2023-01-01') AS retention,
       retention_rate_excluding_new(started_at, ended_at, '2022-01-01', '2023-01-01') AS retention_excl_new,
       (pg_temp.flow_state(started_at, ended_at, '2022-01-01', '2023-01-01'))[3:6] AS s_n_l_nl
FROM hand;
-- Only new customers (e f g h l started in [2024-01-01, 2024-03-01)): S = 0,
-- NULL although N = 5.
SELECT churn_rate(started_at, ended_at, '2024-01-01', '2024-03-01') AS only_new,
       retention_rate(started_at, ended_at, '2024-01-01', '2024-03-01') AS retention,
       (pg_temp.flow_state(started_at, ended_at, '2024-01-01', '2024-03-01'))[3:6] AS s_n_l_nl
FROM hand WHERE started_at >= '2024-01-01';
-- No rows, and only NULL started_at: NULL.
SELECT churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') AS churn,
       retention_rate(started_at, ended_at, '2024-01-01', '2024-02-01') AS retention,
       retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2024-02-01') AS retention_excl_new
FROM hand WHERE false;
SELECT churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') AS churn,
       (pg_temp.flow_state(started_at, ended_at, '2024-01-01', '2024-02-01'))[3:6] AS s_n_l_nl
FROM hand WHERE started_at IS NULL;
-- Infinite bounds: ended_at = 'infinity' is still active; period to infinity.
-- [2024-01-01, infinity): S = a b c j k = 5, all but a end later: L = 4 -> 80.
SELECT churn_rate(started_at, ended_at, '2024-01-01', 'infinity') AS churn_to_infinity,
       churn_rate(started_at, coalesce(ended_at, 'infinity'), '2024-01-01', '2024-02-01') AS churn_inf_end
FROM hand;
-- The transition called directly: {period_start, period_end, S, N, L, NL},
-- the bounds in microseconds since 2000-01-01 00:00 UTC (one day = 86400000000).
SELECT flow_accum(NULL, '1999-12-31 00:00+00', NULL, '2000-01-01 00:00+00', '2000-01-02 00:00+00') AS one_s,
       flow_accum('{0,86400000000,1,0,0,0}', '2000-01-01 12:00+00', '2000-01-01 13:00+00',
                  '2000-01-01 00:00+00', '2000-01-02 00:00+00') AS plus_new_lost,
       flow_accum_inv('{0,86400000000,1,0,0,0}', '1999-12-31 00:00+00', NULL,
                      '2000-01-01 00:00+00', '2000-01-02 00:00+00') AS minus_s,
       flow_combine('{0,86400000000,1,2,0,1}', '{0,86400000000,3,4,2,0}') AS combined;
SELECT churn_rate_final('{0,86400000000,4,1,1,0}') AS c25, retention_rate_final('{0,86400000000,4,3,1,2}') AS r25,
       retention_rate_excluding_new_final('{0,86400000000,4,3,1,2}') AS rx75,
       churn_rate_final('{0,86400000000,0,3,0,1}') AS none;

-- ---------------------------------------------------------------------------
-- A generated subscription table (regular, for the parallel plans below):
-- 20000 customers starting on whole days of 2023-2024 (many exactly on a
-- month boundary), 30% still active, the others lasting 0..399 days (some
-- ending exactly on a boundary, some on their start day), every 997th
-- without a start.
-- ---------------------------------------------------------------------------
CREATE TABLE flow_subs AS
  SELECT g AS id, g % 7 AS seg,
         CASE WHEN g % 997 = 0 THEN NULL
              ELSE '2023-01-01'::timestamptz + (abs(hashint4(g)) % 730) * interval '1 day' END AS started_at,
         CASE WHEN abs(hashint4(g + 100000)) % 10 < 3 THEN NULL
              ELSE '2023-01-01'::timestamptz + (abs(hashint4(g)) % 730 + abs(hashint4(g + 200000)) % 400)
                                               * interval '1 day' END AS ended_at
  FROM generate_series(1, 20000) g;
ANALYZE flow_subs;
SELECT count(*) AS rows, count(started_at) AS started, count(ended_at) AS ended,
       count(*) FILTER (WHERE ended_at = started_at) AS zero_length,
       count(*) FILTER (WHERE started_at = date_trunc('month', started_at)) AS start_on_month,
       count(*) FILTER (WHERE ended_at = date_trunc('month', ended_at)) AS end_on_month
FROM flow_subs;

-- Every calendar month of 2023-2025, the quarters of 2024, the years, and a
-- period that is not calendar aligned; aggregates grouped by period against
-- plain-SQL counts.
CREATE TEMP TABLE periods AS
  SELECT ps, ps + interval '1 month' AS pe FROM generate_series('2023-01-01'::timestamptz, '2025-12-01', '1 month') ps
  UNION ALL SELECT ps, ps + interval '3 months' FROM generate_series('2024-01-01'::timestamptz, '2024-10-01', '3 months') ps
  UNION ALL SELECT ps, ps + interval '1 year' FROM generate_series('2023-01-01'::timestamptz, '2025-01-01', '1 year') ps
  UNION ALL SELECT '2023-07-15 12:30', '2024-02-29 06:00';
CREATE TEMP TABLE flow_truth AS
  SELECT ps, pe,
         churn_rate(started_at, ended_at, ps, pe) AS churn,
         retention_rate(started_at, ended_at, ps, pe) AS retention,
         retention_rate_excluding_new(started_at, ended_at, ps, pe) AS retention_excl_new,
         count(*) FILTER (WHERE started_at < ps AND (ended_at IS NULL OR ended_at >= ps)) AS s,
         count(*) FILTER (WHERE started_at >= ps AND started_at < pe) AS n,
         count(*) FILTER (WHERE started_at < ps AND ended_at >= ps AND ended_at < pe) AS l,
         count(*) FILTER (WHERE started_at < pe AND (ended_at IS NULL OR ended_at >= pe)) AS e
  FROM periods CROSS JOIN flow_subs GROUP BY ps, pe;
SELECT count(*) AS periods,
       count(*) FILTER (WHERE NOT pg_temp.same(churn, 100.0 * l / nullif(s, 0))) AS churn_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(retention, 100.0 * (e - n) / nullif(s, 0))) AS retention_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(retention_excl_new, 100.0 * (s - l) / nullif(s, 0))) AS excl_bad,
       count(*) FILTER (WHERE churn IS NULL) AS null_periods,
       count(*) FILTER (WHERE NOT pg_temp.same(churn, churn_rate(s, l)::numeric)
                           OR NOT pg_temp.same(retention_excl_new, retention_rate(s, s - l, 0)::numeric)) AS scalar_bad
FROM flow_truth;
-- A few periods with their plain-SQL counts.
SELECT to_char(ps, 'YYYY-MM-DD') AS ps, to_char(pe, 'YYYY-MM-DD') AS pe, s, n, l, e, round(churn::numeric, 6) AS churn,
       round(retention::numeric, 6) AS retention, round(retention_excl_new::numeric, 6) AS retention_excl_new
FROM flow_truth WHERE ps IN ('2023-01-01', '2023-06-01', '2024-01-01', '2024-12-01', '2025-06-01')
ORDER BY ps, pe;
-- Month to month the counts chain: E of a month = S of the next.
SELECT count(*) AS months, count(*) FILTER (WHERE e <> next_s) AS chain_bad
FROM (SELECT e, lead(s) OVER (ORDER BY ps) AS next_s FROM flow_truth WHERE pe = ps + interval '1 month') q
WHERE next_s IS NOT NULL;

-- ---------------------------------------------------------------------------
-- Parallel: partial aggregates in workers equal the serial result.
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.is_parallel(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; gather bool := false; partial bool := false;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    gather := gather OR line ~ 'Gather';
    partial := partial OR line ~ 'Partial (Hash|Group)?Aggregate';
  END LOOP;
  RETURN CASE WHEN gather AND partial THEN 'parallel partial aggregate' ELSE 'NOT PARALLEL' END;
END $$;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') FROM flow_subs;
SELECT pg_temp.is_parallel(q) AS plan, q FROM (VALUES
  ('SELECT churn_rate(started_at, ended_at, ''2024-01-01'', ''2024-02-01'') FROM flow_subs'),
  ('SELECT seg, retention_rate(started_at, ended_at, ''2024-01-01'', ''2024-04-01'') FROM flow_subs GROUP BY seg'),
  ('SELECT retention_rate_excluding_new(started_at, ended_at, ''2024-01-01'', ''2025-01-01'') FROM flow_subs WHERE id <= 50')
) v(q) ORDER BY q;
SELECT churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01')::text AS p_churn,
       retention_rate(started_at, ended_at, '2024-01-01', '2024-04-01')::text AS p_ret,
       retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2025-01-01')::text AS p_excl,
       pg_temp.flow_state(started_at, ended_at, '2024-01-01', '2024-02-01')::text AS p_state
FROM flow_subs \gset
SELECT string_agg(format('%s|%s|%s|%s', seg, c, r, x), ';' ORDER BY seg) AS p_grouped
FROM (SELECT seg, churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') c,
             retention_rate(started_at, ended_at, '2024-01-01', '2024-04-01') r,
             retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2025-01-01') x
      FROM flow_subs GROUP BY seg) q \gset
-- Only the first page matches: the other workers hand over no state.
SELECT retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2025-01-01')::text AS p_first
FROM flow_subs WHERE id <= 50 \gset
SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.is_parallel('SELECT churn_rate(started_at, ended_at, ''2024-01-01'', ''2024-02-01'') FROM flow_subs') AS serial_plan;
SELECT churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01')::text = :'p_churn' AS churn_same,
       retention_rate(started_at, ended_at, '2024-01-01', '2024-04-01')::text = :'p_ret' AS retention_same,
       retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2025-01-01')::text = :'p_excl' AS excl_same,
       pg_temp.flow_state(started_at, ended_at, '2024-01-01', '2024-02-01')::text = :'p_state' AS state_same
FROM flow_subs;
SELECT string_agg(format('%s|%s|%s|%s', seg, c, r, x), ';' ORDER BY seg) = :'p_grouped' AS grouped_same
FROM (SELECT seg, churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') c,
             retention_rate(started_at, ended_at, '2024-01-01', '2024-04-01') r,
             retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2025-01-01') x
      FROM flow_subs GROUP BY seg) q;
SELECT retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2025-01-01')::text = :'p_first' AS first_same
FROM flow_subs WHERE id <= 50;
-- And both against the plain-SQL truth of the same periods.
SELECT (SELECT churn::text FROM flow_truth WHERE ps = '2024-01-01' AND pe = '2024-02-01') = :'p_churn' AS churn_truth,
       (SELECT retention::text FROM flow_truth WHERE ps = '2024-01-01' AND pe = '2024-04-01') = :'p_ret' AS retention_truth,
       (SELECT retention_excl_new::text FROM flow_truth WHERE ps = '2024-01-01' AND pe = '2025-01-01') = :'p_excl' AS excl_truth;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- ---------------------------------------------------------------------------
-- Moving windows (the inverse transition) against the same frames in plain SQL.
-- ---------------------------------------------------------------------------
SELECT frame, count(*) AS rows,
       count(*) FILTER (WHERE NOT pg_temp.same(c, 100.0 * l / nullif(s, 0))) AS churn_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(r, 100.0 * (e - n) / nullif(s, 0))) AS retention_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(x, 100.0 * (s - l) / nullif(s, 0))) AS excl_bad,
       count(*) FILTER (WHERE c IS NULL) AS null_frames
FROM (SELECT '200 rows' AS frame,
             churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') OVER f AS c,
             retention_rate(started_at, ended_at, '2024-01-01', '2024-02-01') OVER f AS r,
             retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2024-02-01') OVER f AS x,
             count(*) FILTER (WHERE started_at < '2024-01-01' AND (ended_at IS NULL OR ended_at >= '2024-01-01')) OVER f AS s,
             count(*) FILTER (WHERE started_at >= '2024-01-01' AND started_at < '2024-02-01') OVER f AS n,
             count(*) FILTER (WHERE started_at < '2024-01-01' AND ended_at >= '2024-01-01' AND ended_at < '2024-02-01') OVER f AS l,
             count(*) FILTER (WHERE started_at < '2024-02-01' AND (ended_at IS NULL OR ended_at >= '2024-02-01')) OVER f AS e
      FROM flow_subs WINDOW f AS (ORDER BY id ROWS BETWEEN 199 PRECEDING AND CURRENT ROW)
      UNION ALL
      SELECT '2 preceding, 1 preceding',
             churn_rate(started_at, ended_at, '2023-06-01', '2024-06-01') OVER f,
             retention_rate(started_at, ended_at, '2023-06-01', '2024-06-01') OVER f,
             retention_rate_excluding_new(started_at, ended_at, '2023-06-01', '2024-06-01') OVER f,
             count(*) FILTER (WHERE started_at < '2023-06-01' AND (ended_at IS NULL OR ended_at >= '2023-06-01')) OVER f,
             count(*) FILTER (WHERE started_at >= '2023-06-01' AND started_at < '2024-06-01') OVER f,
             count(*) FILTER (WHERE started_at < '2023-06-01' AND ended_at >= '2023-06-01' AND ended_at < '2024-06-01') OVER f,
             count(*) FILTER (WHERE started_at < '2024-06-01' AND (ended_at IS NULL OR ended_at >= '2024-06-01')) OVER f
      FROM flow_subs WINDOW f AS (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING)
      UNION ALL
      SELECT 'per segment, 30 rows',
             churn_rate(started_at, ended_at, '2024-03-01', '2024-06-01') OVER f,
             retention_rate(started_at, ended_at, '2024-03-01', '2024-06-01') OVER f,
             retention_rate_excluding_new(started_at, ended_at, '2024-03-01', '2024-06-01') OVER f,
             count(*) FILTER (WHERE started_at < '2024-03-01' AND (ended_at IS NULL OR ended_at >= '2024-03-01')) OVER f,
             count(*) FILTER (WHERE started_at >= '2024-03-01' AND started_at < '2024-06-01') OVER f,
             count(*) FILTER (WHERE started_at < '2024-03-01' AND ended_at >= '2024-03-01' AND ended_at < '2024-06-01') OVER f,
             count(*) FILTER (WHERE started_at < '2024-06-01' AND (ended_at IS NULL OR ended_at >= '2024-06-01')) OVER f
      FROM flow_subs WINDOW f AS (PARTITION BY seg ORDER BY id ROWS BETWEEN 29 PRECEDING AND CURRENT ROW)) q
GROUP BY frame ORDER BY frame;
-- The first rows of the hand table as a 2-row moving window over January
-- (ordered by k): a; a b; b c; c d; d e; ...
SELECT k, churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') OVER f AS churn,
       retention_rate(started_at, ended_at, '2024-01-01', '2024-02-01') OVER f AS retention,
       retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2024-02-01') OVER f AS retention_excl_new
FROM hand WINDOW f AS (ORDER BY k ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) ORDER BY k;

-- ---------------------------------------------------------------------------
-- Errors, with their SQLSTATE
-- ---------------------------------------------------------------------------
-- Impossible counts: 22023.
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT churn_rate(-1, 0)'), ('SELECT churn_rate(5, -1)'), ('SELECT churn_rate(5, 6)'),
  ('SELECT churn_rate(0, 1)'),
  ('SELECT retention_rate(-1, 0, 0)'), ('SELECT retention_rate(5, -1, 0)'), ('SELECT retention_rate(5, 3, -1)'),
  ('SELECT retention_rate(5, 3, 4)'), ('SELECT retention_rate(5, 10, 2)'), ('SELECT retention_rate(0, 1, 0)'),
  ('SELECT retention_rate(-9223372036854775808, 0, 0)')
) v(q);
-- NULL period bounds: 22004 (also on rows without a start).
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT churn_rate(now(), NULL, NULL, ''2024-02-01'')'),
  ('SELECT retention_rate(now(), NULL, ''2024-01-01'', NULL)'),
  ('SELECT retention_rate_excluding_new(NULL, NULL, NULL, NULL)'),
  ('SELECT churn_rate(s, NULL, p, ''2024-02-01'') FROM (VALUES (now(), ''2024-01-01''::timestamptz), (now(), NULL)) v(s, p)')
) v(q);
-- Empty or reversed periods, impossible rows, changing periods: 22023.
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT churn_rate(now(), NULL, ''2024-01-01'', ''2024-01-01'')'),
  ('SELECT retention_rate(NULL, NULL, ''2024-02-01'', ''2024-01-01'')'),
  ('SELECT churn_rate(''2024-01-02'', ''2024-01-01'', ''2024-01-01'', ''2024-02-01'')'),
  ('SELECT retention_rate_excluding_new(''2024-01-02'', ''-infinity'', ''2024-01-01'', ''2024-02-01'')'),
  ('SELECT churn_rate(s, NULL, p, ''2024-02-01'') FROM (VALUES (now(), ''2024-01-01''::timestamptz), (now(), ''2023-12-01'')) v(s, p)'),
  ('SELECT churn_rate(s, NULL, ''2024-01-01'', p) FROM (VALUES (NULL::timestamptz, ''2024-02-01''::timestamptz), (NULL, ''2024-03-01'')) v(s, p)'),
  ('SELECT churn_rate(s, NULL, ''2024-01-01'', p) OVER (ORDER BY p ROWS 1 PRECEDING) FROM (VALUES (now(), ''2024-02-01''::timestamptz), (now(), ''2024-03-01'')) v(s, p)')
) v(q);
-- States from outside (the support functions called directly): 22023 for a
-- malformed state or different periods, 22003 past 2^63-1, 22000 for
-- removing what was never added.
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT churn_rate_final(''{0,86400000000,1,0,0}'')'),
  ('SELECT churn_rate_final(''{{0,86400000000,1},{0,0,0}}'')'),
  ('SELECT churn_rate_final(''[0:5]={0,86400000000,1,0,0,0}'')'),
  ('SELECT retention_rate_final(''{0,86400000000,1,0,NULL,0}'')'),
  ('SELECT retention_rate_final(''{0,86400000000,1,-1,0,0}'')'),
  ('SELECT retention_rate_excluding_new_final(''{0,86400000000,1,0,2,0}'')'),
  ('SELECT retention_rate_excluding_new_final(''{0,86400000000,1,1,0,2}'')'),
  ('SELECT churn_rate_final(''{86400000000,0,1,0,0,0}'')'),
  ('SELECT flow_combine(''{0,86400000000,1,0,0,0}'', ''{0,1,1,0,0,0}'')'),
  ('SELECT flow_combine(''{0,86400000000,1,0,0,0}'', ''{0,86400000000}'')'),
  ('SELECT flow_accum(''{0,86400000000,1,0,0}'', NULL, NULL, ''2000-01-01 00:00+00'', ''2000-01-02 00:00+00'')'),
  ('SELECT flow_accum(''{0,86400000000,1,0,0,0}'', NULL, NULL, ''2000-01-01 00:00+00'', ''2000-01-03 00:00+00'')'),
  ('SELECT flow_accum(''{0,86400000000,9223372036854775807,0,0,0}'', ''1999-01-01 00:00+00'', NULL, ''2000-01-01 00:00+00'', ''2000-01-02 00:00+00'')'),
  ('SELECT flow_combine(''{0,86400000000,9223372036854775807,0,0,0}'', ''{0,86400000000,1,0,0,0}'')'),
  ('SELECT flow_accum_inv(''{0,86400000000,1,0,0,0}'', ''2000-01-01 01:00+00'', NULL, ''2000-01-01 00:00+00'', ''2000-01-02 00:00+00'')')
) v(q);

DROP TABLE flow_subs;
