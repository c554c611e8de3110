SET search_path = public, engage;
-- pgTAP: the behaviour contract of engage, against independent truth:
-- hand-computed values, the same metric in plain SQL (FILTER arithmetic,
-- avg, stddev_samp), and reference values of the intervals and tests
-- computed outside PostgreSQL (40-digit arithmetic; the README check values).
BEGIN;
SELECT plan(169);

-- is_approx(have, want, description[, relative tolerance]): ok() with a
-- diagnostic; NULL matches only NULL.
CREATE FUNCTION pg_temp.is_approx(have float8, want float8, descr text, tol float8 DEFAULT 1e-9)
RETURNS text LANGUAGE sql AS $$
    SELECT CASE
        WHEN (have IS NULL AND want IS NULL)
          OR abs(have - want) <= tol * greatest(1.0, abs(want))
        THEN ok(true, descr)
        ELSE ok(false, descr) || E'\n' || diag(format(E'    have: %s\n    want: %s (relative tolerance %s)',
                                                      coalesce(have::text, 'NULL'), coalesce(want::text, 'NULL'), tol))
    END
$$;

-- ===========================================================================
-- 1. One-call aggregates: hand-computed values
-- ===========================================================================
SELECT is((SELECT nps(s) FROM unnest(ARRAY[10, 9, 0, 7]) s), 25::float8,
          'nps of (10, 9, 0, 7) = 100 * (2 - 1) / 4 = 25');
SELECT is((SELECT nps(s) FROM unnest(ARRAY[10, 9, 0, 7]::float8[]) s), 25::float8,
          'nps(float8) of (10, 9, 0, 7) = 25');
SELECT is((SELECT nps(s) FROM unnest(ARRAY[10, 9, 0, 7]::bigint[]) s), 25::float8,
          'nps(bigint) resolves and gives 25');
SELECT is((SELECT nps(s) FROM unnest(ARRAY[10, 9, 0, 7]::smallint[]) s), 25::float8,
          'nps(smallint) resolves and gives 25');
SELECT is((SELECT nps(s) FROM unnest(ARRAY[10, 9, 0, 7]::numeric[]) s), 25::float8,
          'nps(numeric) of whole numbers resolves and gives 25');
SELECT is((SELECT nps(s) FROM unnest(ARRAY[10, 9, 8, 7, 6, 0]) s), 0::float8,
          'nps of (10, 9, 8, 7, 6, 0) = 0');
SELECT is((SELECT nps(s) FROM unnest(ARRAY[9, 10, 10]) s), 100::float8,
          'nps of promoters only = 100');
SELECT is((SELECT nps(s) FROM unnest(ARRAY[0, 1, 2, 3, 4, 5, 6]) s), -100::float8,
          'nps of detractors 0..6 = -100 (6 is a detractor)');
SELECT is((SELECT nps(s) FROM unnest(ARRAY[7, 8]) s), 0::float8,
          'nps of passives only = 0 (7 and 8 are passives)');
SELECT pg_temp.is_approx((SELECT nps(s) FROM unnest(ARRAY[10, NULL, 0, NULL, 9]) s), 100.0 / 3,
          'nps ignores NULLs: (10, NULL, 0, NULL, 9) = 33.33...');
SELECT is((SELECT nps(s) FROM unnest(ARRAY[]::int[]) s), NULL::float8,
          'nps over no rows is NULL');
SELECT is((SELECT nps(s) FROM unnest(ARRAY[NULL, NULL]::int[]) s), NULL::float8,
          'nps over only NULL scores is NULL');
SELECT is((SELECT nps_agg(s) FROM unnest(ARRAY[]::int[]) s)::text, NULL,
          'nps_agg over no rows is NULL');
SELECT is((SELECT nps_agg(s) FROM unnest(ARRAY[NULL]::int[]) s)::text, NULL,
          'nps_agg over only NULL scores is NULL');

SELECT pg_temp.is_approx((SELECT csat(s) FROM unnest(ARRAY[5, 4, 3]) s), 200.0 / 3,
          'csat of 1..5 scores (5, 4, 3) = 66.666...');
SELECT pg_temp.is_approx((SELECT csat(s) FROM unnest(ARRAY[5, 4, 3]::float8[]) s), 200.0 / 3,
          'csat(float8) of (5, 4, 3) = 66.666...');
SELECT is((SELECT csat(s) FROM unnest(ARRAY[1, 2, 3, 4]) s), 25::float8,
          'csat of (1, 2, 3, 4) = 25 (only 4 and 5 are satisfied)');
SELECT pg_temp.is_approx((SELECT csat(g) FROM unnest(ARRAY[true, false, true]) g), 200.0 / 3,
          'csat(boolean) of (t, f, t) = 66.666...');
SELECT is((SELECT csat(g) FROM unnest(ARRAY[true, NULL, NULL]) g), 100::float8,
          'csat(boolean) ignores NULLs');
SELECT is((SELECT csat(s, 1, 7) FROM unnest(ARRAY[7, 6, 5, 1]) s), 50::float8,
          'csat(s, 1, 7) counts 6 and 7 as satisfied');
SELECT is((SELECT csat(s, 0, 10) FROM unnest(ARRAY[10, 9, 8, 0]) s), 50::float8,
          'csat(s, 0, 10) counts 9 and 10 as satisfied');
SELECT is((SELECT csat(s, 1, 3) FROM unnest(ARRAY[3, 2, 1, 3]) s), 50::float8,
          'csat(s, 1, 3): on three points only the top box is satisfied');
SELECT is((SELECT csat(s, 0, 1) FROM unnest(ARRAY[1, 0, 0, 0]) s), 25::float8,
          'csat(s, 0, 1): on two points only the top box is satisfied');
SELECT is((SELECT csat(s, 1, 5, 3) FROM unnest(ARRAY[3, 2, 5, 1]) s), 50::float8,
          'csat(s, 1, 5, 3): satisfied from 3');
SELECT is((SELECT csat(s, 1, 5, 3) FROM unnest(ARRAY[3.0, 2.0, 5.0, 1.0]::float8[]) s), 50::float8,
          'csat(float8, 1, 5, 3): satisfied from 3');
SELECT is((SELECT csat(s) FROM unnest(ARRAY[]::int[]) s), NULL::float8,
          'csat over no rows is NULL');
SELECT is((SELECT csat(s, 1, 7) FROM unnest(ARRAY[NULL]::int[]) s), NULL::float8,
          'csat(s, 1, 7) over only NULL scores is NULL');

SELECT is((SELECT ces(s) FROM unnest(ARRAY[1, 2, 3, 4, 5]) s), 3::float8,
          'ces of (1, 2, 3, 4, 5) = mean 3');
SELECT pg_temp.is_approx((SELECT ces(s) FROM unnest(ARRAY[1, 2, 2]) s), 5.0 / 3,
          'ces of (1, 2, 2) = 5/3');
SELECT pg_temp.is_approx((SELECT ces(s, 5) FROM unnest(ARRAY[1, 2, 5]) s), 8.0 / 3,
          'ces(s, 5) of (1, 2, 5) = 8/3');
SELECT is((SELECT ces(s) FROM unnest(ARRAY[7, 6]::float8[]) s), 6.5::float8,
          'ces(float8) of (7, 6) = 6.5');
SELECT is((SELECT ces(s) FROM unnest(ARRAY[7, NULL, 1]) s), 4::float8,
          'ces ignores NULLs: (7, NULL, 1) = 4');
SELECT is((SELECT ces(s) FROM unnest(ARRAY[]::int[]) s), NULL::float8,
          'ces over no rows is NULL');
SELECT is((SELECT ces(s, 5) FROM unnest(ARRAY[NULL]::int[]) s), NULL::float8,
          'ces(s, 5) over only NULL scores is NULL');

-- ===========================================================================
-- 2. States and accessors
-- ===========================================================================
CREATE TEMP TABLE st AS
SELECT (SELECT nps_agg(s)     FROM unnest(ARRAY[10, 9, 9, 8, 7, 6, 0, NULL]) s) AS n,
       (SELECT csat_agg(s)    FROM unnest(ARRAY[5, 4, 3, NULL, 1]) s)           AS c,
       (SELECT ces_agg(s, 5)  FROM unnest(ARRAY[1, 2, 5, 5]) s)                 AS e5,
       (SELECT ces_agg(s)     FROM unnest(ARRAY[7, 5, 4, 1]) s)                 AS e7;

SELECT is((SELECT n::text FROM st), 'v1:0..10:>=9:[1,0,0,0,0,0,1,1,1,2,1]', 'nps_agg builds the histogram of (10, 9, 9, 8, 7, 6, 0, NULL)');
SELECT is((SELECT promoters(n) FROM st), 3::bigint, 'promoters = 3 (10, 9, 9)');
SELECT is((SELECT passives(n) FROM st), 2::bigint, 'passives = 2 (8, 7)');
SELECT is((SELECT detractors(n) FROM st), 2::bigint, 'detractors = 2 (6, 0)');
SELECT is((SELECT responses(n) FROM st), 7::bigint, 'responses = 7 (the NULL is not a response)');
SELECT pg_temp.is_approx((SELECT nps(n) FROM st), 100.0 / 7, 'nps(state) = 100 * (3 - 2) / 7');
SELECT is((SELECT mean_score(n) FROM st), 7::float8, 'mean_score = 49 / 7 = 7');
SELECT pg_temp.is_approx((SELECT score_stddev(n) FROM st), sqrt(68.0 / 6), 'score_stddev = sqrt(68 / 6) (sample)');
SELECT is((SELECT score_counts(n) FROM st), ARRAY[1, 0, 0, 0, 0, 0, 1, 1, 1, 2, 1]::bigint[], 'score_counts, element 1 = score 0');
SELECT is((SELECT ARRAY[scale_min(n), scale_max(n)] FROM st), ARRAY[0, 10], 'NPS scale is 0..10');

SELECT is((SELECT c::text FROM st), 'v1:1..5:>=4:[1,0,1,1,1]', 'csat_agg builds the histogram of (5, 4, 3, NULL, 1)');
SELECT is((SELECT satisfied(c) FROM st), 2::bigint, 'satisfied = 2');
SELECT is((SELECT responses(c) FROM st), 4::bigint, 'csat responses = 4');
SELECT is((SELECT csat(c) FROM st), 50::float8, 'csat(state) = 50');
SELECT is((SELECT mean_score(c) FROM st), 3.25::float8, 'csat mean_score = 13 / 4');
SELECT is((SELECT ARRAY[scale_min(c), scale_max(c)] FROM st), ARRAY[1, 5], 'default CSAT scale is 1..5');

SELECT is((SELECT e5::text FROM st), 'v1:1..5:<=2:[1,1,0,0,2]', 'ces_agg(s, 5) builds a reversed-polarity 1..5 state');
SELECT is((SELECT ces(e5) FROM st), 3.25::float8, 'ces(state) on 1..5 = 13 / 4');
SELECT is((SELECT ces_easy(e5) FROM st), 50::float8, 'ces_easy on 1..5 counts 1 and 2 as easy');
SELECT is((SELECT ces_easy(e7) FROM st), 50::float8, 'ces_easy on 1..7 counts 5 to 7 as easy');
SELECT is((SELECT ces(e7) FROM st), 4.25::float8, 'ces(state) on 1..7 = 17 / 4');
SELECT is((SELECT ARRAY[scale_min(e7), scale_max(e7), scale_min(e5), scale_max(e5)] FROM st), ARRAY[1, 7, 1, 5],
          'CES scales are 1..7 and 1..5');

-- the default-cut rule for csat(score, min, max): top two boxes, top box on 3 points or fewer
SELECT results_eq(
    $$SELECT satisfied(csat_agg(s, lo, hi)), (csat_agg(s, lo, hi)::jsonb ->> 'satisfied_from')::int
        FROM (VALUES (1, 7), (0, 10), (1, 3), (1, 4), (0, 1)) sc(lo, hi)
        CROSS JOIN LATERAL generate_series(lo, hi) s
       GROUP BY lo, hi ORDER BY lo, hi$$,
    $$VALUES (1::bigint, 1), (2::bigint, 9), (1::bigint, 3), (2::bigint, 3), (2::bigint, 6)$$,
    'csat(s, min, max) satisfied_from: 0..1 -> 1, 0..10 -> 9, 1..3 -> 3, 1..4 -> 3, 1..7 -> 6');

-- empty states, small states: NULL where the metric is undefined
CREATE TEMP TABLE em AS
SELECT 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'::nps_state AS n0,
       'v1:1..5:>=4:[0,0,0,0,0]'::csat_state AS c0,
       'v1:1..7:>=5:[0,0,0,0,0,0,0]'::ces_state AS e0,
       'v1:1..7:>=5:[0,0,0,1,0,0,0]'::ces_state AS e1;
SELECT is((SELECT responses(n0) FROM em), 0::bigint, 'responses of an empty state = 0');
SELECT is((SELECT nps(n0) FROM em), NULL::float8, 'nps of an empty state is NULL');
SELECT is((SELECT csat(c0) FROM em), NULL::float8, 'csat of an empty state is NULL');
SELECT is((SELECT ces(e0) FROM em), NULL::float8, 'ces of an empty state is NULL');
SELECT is((SELECT ces_easy(e0) FROM em), NULL::float8, 'ces_easy of an empty state is NULL');
SELECT is((SELECT mean_score(n0) FROM em), NULL::float8, 'mean_score of an empty state is NULL');
SELECT is((SELECT score_stddev(e1) FROM em), NULL::float8, 'score_stddev of one response is NULL');
SELECT is((SELECT nps_moe(n0) FROM em), NULL::float8, 'nps_moe of an empty state is NULL');
SELECT is((SELECT nps_lower(n0, 0.95, 'adjusted_wald') FROM em), NULL::float8, 'nps_lower (adjusted_wald) of an empty state is NULL');
SELECT is((SELECT csat_upper(c0) FROM em), NULL::float8, 'csat_upper of an empty state is NULL');
SELECT is((SELECT ces_lower(e1) FROM em), NULL::float8, 'ces_lower of one response is NULL');
SELECT is((SELECT ces_test(e1, e1) FROM em), NULL::float8, 'ces_test below two responses is NULL');
SELECT is((SELECT nps_test(n0, n.n) FROM em, st n), NULL::float8, 'nps_test with an empty state is NULL');
SELECT is((SELECT csat_z(c0, c.c) FROM em, st c), NULL::float8, 'csat_z with an empty state is NULL');
SELECT is(nps(NULL::nps_state), NULL::float8, 'accessors are strict: nps(NULL::nps_state) is NULL');
SELECT is(responses(NULL::ces_state), NULL::bigint, 'accessors are strict: responses(NULL::ces_state) is NULL');

-- ===========================================================================
-- 3. Group-by, rollup and windows against plain SQL
-- ===========================================================================
CREATE TEMP TABLE resp AS
SELECT g AS id,
       (ARRAY['north', 'south', 'east', 'west'])[1 + g % 4] AS seg,
       date '2024-01-01' + (g * 7) % 30 AS day,
       CASE WHEN g % 17 = 0 THEN NULL ELSE (g * 7 + g / 13) % 11 END AS nps_s,
       CASE WHEN g % 11 = 0 THEN NULL ELSE 1 + (g * 3 + g / 7) % 5 END AS csat_s,
       CASE WHEN g % 13 = 0 THEN NULL ELSE 1 + (g * 5 + g / 3) % 7 END AS c7,
       CASE WHEN g % 19 = 0 THEN NULL ELSE 1 + (g * 5 + g / 3) % 7 END AS ces_s,
       CASE WHEN g % 23 = 0 THEN NULL ELSE (g * 13) % 3 <> 0 END AS good
  FROM generate_series(1, 2000) g
UNION ALL
SELECT 2000 + g, 'silent', date '2024-01-01' + g, NULL, NULL, NULL, NULL, NULL
  FROM generate_series(1, 3) g;

SELECT results_eq(
    $$SELECT seg, round(nps(nps_s)::numeric, 9), round(csat(csat_s)::numeric, 9),
             round(csat(c7, 1, 7)::numeric, 9), round(csat(good)::numeric, 9), round(ces(ces_s)::numeric, 9)
        FROM resp GROUP BY seg ORDER BY seg$$,
    $$SELECT seg,
             round(100.0 * (count(*) FILTER (WHERE nps_s >= 9) - count(*) FILTER (WHERE nps_s <= 6))
                   / nullif(count(nps_s), 0), 9),
             round(100.0 * count(*) FILTER (WHERE csat_s >= 4) / nullif(count(csat_s), 0), 9),
             round(100.0 * count(*) FILTER (WHERE c7 >= 6) / nullif(count(c7), 0), 9),
             round(100.0 * count(*) FILTER (WHERE good) / nullif(count(good), 0), 9),
             round(avg(ces_s), 9)
        FROM resp GROUP BY seg ORDER BY seg$$,
    'nps, csat (three forms) and ces per segment equal the plain-SQL FILTER arithmetic (NULL for a segment without scores)');

SELECT results_eq(
    $$SELECT seg, promoters(st), passives(st), detractors(st), responses(st),
             round(mean_score(st)::numeric, 9), round(score_stddev(st)::numeric, 9)
        FROM (SELECT seg, nps_agg(nps_s) AS st FROM resp GROUP BY seg) x WHERE st IS NOT NULL ORDER BY seg$$,
    $$SELECT seg, count(*) FILTER (WHERE nps_s >= 9), count(*) FILTER (WHERE nps_s IN (7, 8)),
             count(*) FILTER (WHERE nps_s <= 6), count(nps_s),
             round(avg(nps_s), 9), round(stddev_samp(nps_s), 9)
        FROM resp GROUP BY seg HAVING count(nps_s) > 0 ORDER BY seg$$,
    'nps_agg accessors per segment equal count FILTER, avg and stddev_samp');

SELECT results_eq(
    $$SELECT seg, score_counts(nps_agg(nps_s)) FROM resp WHERE nps_s IS NOT NULL GROUP BY seg ORDER BY seg$$,
    $$SELECT seg, array_agg(coalesce(c, 0) ORDER BY s)
        FROM (SELECT DISTINCT seg FROM resp WHERE nps_s IS NOT NULL) sg
        CROSS JOIN generate_series(0, 10) s
        LEFT JOIN LATERAL (SELECT count(*) AS c FROM resp r WHERE r.seg = sg.seg AND r.nps_s = s) k ON true
       GROUP BY seg ORDER BY seg$$,
    'score_counts per segment equal a per-score count');

CREATE TEMP TABLE daily AS
SELECT seg, day, nps_agg(nps_s) AS n, csat_agg(csat_s) AS c, csat_agg(c7, 1, 7) AS c7, ces_agg(ces_s) AS e
  FROM resp GROUP BY seg, day;

SELECT results_eq(
    $$SELECT seg, rollup(n)::text, rollup(c)::text, rollup(c7)::text, rollup(e)::text FROM daily GROUP BY seg ORDER BY seg$$,
    $$SELECT seg, nps_agg(nps_s)::text, csat_agg(csat_s)::text, csat_agg(c7, 1, 7)::text, ces_agg(ces_s)::text
        FROM resp GROUP BY seg ORDER BY seg$$,
    'rollup of daily states equals the state built from the raw rows, exactly (also NULL for a segment without scores)');
SELECT is((SELECT rollup(n)::text FROM daily), (SELECT nps_agg(nps_s)::text FROM resp),
          'rollup of all daily states equals nps_agg over all rows');
SELECT is((SELECT nps(rollup(n)) FROM daily WHERE seg = 'silent'), NULL::float8,
          'rollup of NULL states is NULL, and nps of it NULL');

-- moving windows (inverse transitions) against plain-SQL windows
SELECT results_eq(
    $$SELECT id, round(nps(nps_s) OVER w::numeric, 9), round(csat(csat_s) OVER w::numeric, 9),
             round(csat(c7, 1, 7) OVER w::numeric, 9), round(csat(good) OVER w::numeric, 9),
             round(ces(ces_s) OVER w::numeric, 9)
        FROM resp WINDOW w AS (ORDER BY id ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) ORDER BY id$$,
    $$SELECT id,
             round(100.0 * (count(*) FILTER (WHERE nps_s >= 9) OVER w - count(*) FILTER (WHERE nps_s <= 6) OVER w)
                   / nullif(count(nps_s) OVER w, 0), 9),
             round(100.0 * count(*) FILTER (WHERE csat_s >= 4) OVER w / nullif(count(csat_s) OVER w, 0), 9),
             round(100.0 * count(*) FILTER (WHERE c7 >= 6) OVER w / nullif(count(c7) OVER w, 0), 9),
             round(100.0 * count(*) FILTER (WHERE good) OVER w / nullif(count(good) OVER w, 0), 9),
             round(avg(ces_s) OVER w, 9)
        FROM resp WINDOW w AS (ORDER BY id ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) ORDER BY id$$,
    'moving 5-row windows of nps, csat and ces equal the plain-SQL window arithmetic (frames with only NULLs give NULL)');

SELECT results_eq(
    $$SELECT id, nps(s) OVER w
        FROM (VALUES (1, 10), (2, NULL), (3, 0), (4, 9), (5, 7), (6, 3), (7, NULL), (8, 10)) v(id, s)
      WINDOW w AS (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) ORDER BY id$$,
    $$VALUES (1, NULL::float8), (2, 100), (3, 100), (4, -100), (5, 0), (6, 50), (7, -50), (8, -100)$$,
    'nps over a sliding frame ending before the current row, hand-computed (empty frame is NULL)');

SELECT results_eq(
    $$SELECT id, round(nps(nps_s) OVER w::numeric, 9), round(ces(ces_s) OVER w::numeric, 9)
        FROM resp WINDOW w AS (ORDER BY id) ORDER BY id$$,
    $$SELECT id,
             round(100.0 * (count(*) FILTER (WHERE nps_s >= 9) OVER w - count(*) FILTER (WHERE nps_s <= 6) OVER w)
                   / nullif(count(nps_s) OVER w, 0), 9),
             round(avg(ces_s) OVER w, 9)
        FROM resp WINDOW w AS (ORDER BY id) ORDER BY id$$,
    'running (growing-frame) nps and ces equal the plain-SQL running arithmetic (final functions do not disturb the state)');

SELECT results_eq(
    $$SELECT id, (rollup(s) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW))::text
        FROM (VALUES (1, NULL::nps_state), (2, 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,0]'), (3, NULL),
                     (4, NULL), (5, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,2]'), (6, 'v1:0..10:>=9:[0,0,0,0,0,0,0,3,0,0,0]')) v(id, s)
       ORDER BY id$$,
    $$VALUES (1, NULL::text), (2, 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,0]'), (3, 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,0]'),
             (4, NULL), (5, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,2]'), (6, 'v1:0..10:>=9:[0,0,0,0,0,0,0,3,0,0,2]')$$,
    'a moving rollup over NULL and non-NULL states, hand-computed (a frame of NULL states is NULL)');

SELECT results_eq(
    $$SELECT seg, day, rollup(n) OVER w::text
        FROM daily WHERE seg <> 'silent'
      WINDOW w AS (PARTITION BY seg ORDER BY day RANGE BETWEEN '6 days' PRECEDING AND CURRENT ROW)
       ORDER BY seg, day$$,
    $$SELECT d.seg, d.day, (SELECT nps_agg(r.nps_s) FROM resp r
                             WHERE r.seg = d.seg AND r.day BETWEEN d.day - 6 AND d.day)::text
        FROM daily d WHERE d.seg <> 'silent' ORDER BY d.seg, d.day$$,
    'a 7-day moving rollup of daily states equals the state of the raw rows of those 7 days');

-- ===========================================================================
-- 4. Parallel aggregation (combine functions) against serial and plain SQL
-- ===========================================================================
CREATE TABLE engage_tap_parallel AS
SELECT r.* FROM resp r CROSS JOIN generate_series(1, 50);
ANALYZE engage_tap_parallel;
CREATE TABLE engage_tap_parallel_daily AS
SELECT d.n, d.c, d.e FROM daily d CROSS JOIN generate_series(1, 200);
ANALYZE engage_tap_parallel_daily;

CREATE TEMP TABLE par_serial AS
SELECT seg, nps(nps_s) AS n, csat(csat_s) AS c, csat(c7, 1, 7) AS c7, csat(good) AS g, ces(ces_s) AS e,
       nps_agg(nps_s)::text AS ns
  FROM engage_tap_parallel GROUP BY seg;

CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END
$$;

SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 4;
SET LOCAL parallel_leader_participation = off;

SELECT matches(
    pg_temp.plan_of($$SELECT seg, nps(nps_s), csat(csat_s), csat(c7, 1, 7), csat(good), ces(ces_s), nps_agg(nps_s)
                        FROM engage_tap_parallel GROUP BY seg$$),
    'Partial (Hash|Group)?Aggregate',
    'nps, csat and ces can run as partial (parallel) aggregates');
SELECT matches(
    pg_temp.plan_of($$SELECT rollup(n), rollup(c), rollup(e) FROM engage_tap_parallel_daily$$),
    'Partial (Hash|Group)?Aggregate',
    'rollup() can run as a partial (parallel) aggregate');
SELECT results_eq(
    $$SELECT score_counts(rollup(n)), score_counts(rollup(c)), score_counts(rollup(e)) FROM engage_tap_parallel_daily$$,
    $$SELECT ARRAY(SELECT 200 * x FROM unnest(score_counts(nps_agg(nps_s))) x),
             ARRAY(SELECT 200 * x FROM unnest(score_counts(csat_agg(csat_s))) x),
             ARRAY(SELECT 200 * x FROM unnest(score_counts(ces_agg(ces_s))) x)
        FROM resp$$,
    'parallel rollup of 200 copies of the daily states counts exactly 200 times the raw rows');
SELECT results_eq(
    $$SELECT seg, nps(nps_s), csat(csat_s), csat(c7, 1, 7), csat(good), ces(ces_s), nps_agg(nps_s)::text
        FROM engage_tap_parallel GROUP BY seg ORDER BY seg$$,
    $$SELECT seg, n, c, c7, g, e, ns FROM par_serial ORDER BY seg$$,
    'parallel aggregation gives exactly the serial results');
SELECT results_eq(
    $$SELECT round(nps(nps_s)::numeric, 9), round(ces(ces_s)::numeric, 9), score_counts(nps_agg(nps_s)) FROM engage_tap_parallel$$,
    $$SELECT round(100.0 * (count(*) FILTER (WHERE nps_s >= 9) - count(*) FILTER (WHERE nps_s <= 6)) / count(nps_s), 9),
             round(avg(ces_s), 9),
             (SELECT array_agg(50 * c ORDER BY s) FROM (SELECT s, (SELECT count(*) FROM resp WHERE nps_s = s) AS c
                                                          FROM generate_series(0, 10) s) k)
        FROM engage_tap_parallel$$,
    'parallel whole-table nps and ces equal plain SQL; the counts are 50 times those of the base rows');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- ===========================================================================
-- 5. Support functions called directly; states are never changed in place
-- ===========================================================================
SELECT is(nps_accum(NULL::nps_state, 10)::text, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]', 'nps_accum(NULL, 10) starts a state');
SELECT is(nps_accum_inv('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,2,1]', 9)::text, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,1,1]',
          'nps_accum_inv removes one score');
SELECT is(csat_accum(NULL::csat_state, true)::text, 'v1:0..1:>=1:[0,1]', 'csat_accum(NULL, true) starts a 0..1 state');
SELECT is(ces_accum(NULL::ces_state, 1, 5)::text, 'v1:1..5:<=2:[1,0,0,0,0]', 'ces_accum(NULL, 1, 5) starts a 1..5 state');
SELECT is(csat_accum(NULL::csat_state, 4, 0, 10, 8)::text, 'v1:0..10:>=8:[0,0,0,0,1,0,0,0,0,0,0]',
          'csat_accum(NULL, 4, 0, 10, 8) starts a 0..10 state satisfied from 8');
SELECT throws_ok($$SELECT nps_accum_inv('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,2,1]', 5)$$, NULL::char(5), NULL,
                 'removing a score that was never added is an error');
SELECT throws_ok($$SELECT nps_combine_inv('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,2,1]', 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,1,0]')$$, NULL::char(5), NULL,
                 'nps_combine_inv outside a moving aggregate is an error');

SELECT results_eq(
    $$SELECT nps_combine(a, b)::text, a::text, b::text
        FROM (SELECT 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,0]'::nps_state AS a,
                     'v1:0..10:>=9:[0,0,0,0,0,0,0,1,0,0,3]'::nps_state AS b) x$$,
    $$VALUES ('v1:0..10:>=9:[1,0,0,0,0,0,0,1,0,2,3]', 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,0]',
              'v1:0..10:>=9:[0,0,0,0,0,0,0,1,0,0,3]')$$,
    'nps_combine adds two states and leaves both arguments unchanged');
SELECT results_eq(
    $$SELECT nps_accum(x, 5)::text, nps_accum_inv(x, 10)::text, x::text
        FROM (SELECT 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,1]'::nps_state AS x) y$$,
    $$VALUES ('v1:0..10:>=9:[1,0,0,0,0,1,0,0,0,2,1]', 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,0]',
              'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,1]')$$,
    'nps_accum and nps_accum_inv called directly leave their state argument unchanged');
SELECT is(
    (WITH s AS MATERIALIZED (SELECT 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,0]'::nps_state AS x)
     SELECT rollup(x)::text FROM s, generate_series(1, 3)),
    'v1:0..10:>=9:[3,0,0,0,0,0,0,0,0,6,0]',
    'rollup of one stored state three times is three times the state (inputs not modified in place)');
SELECT results_eq(
    $$WITH s AS MATERIALIZED (SELECT 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,0]'::nps_state AS x)
      SELECT (rollup(x) OVER (ORDER BY g ROWS BETWEEN 1 PRECEDING AND CURRENT ROW))::text, x::text
        FROM s, generate_series(1, 3) g ORDER BY g$$,
    $$VALUES ('v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,0]', 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,0]'),
             ('v1:0..10:>=9:[2,0,0,0,0,0,0,0,0,4,0]', 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,0]'),
             ('v1:0..10:>=9:[2,0,0,0,0,0,0,0,0,4,0]', 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,0]')$$,
    'a moving rollup over one stored state is exact and leaves the input unchanged');

-- ===========================================================================
-- 6. Intervals and tests against reference values
--    (z = 1.959963984540054 at 95%; t quantiles and p-values from the
--    regularised incomplete beta; README: n = 100, P = 50, D = 20 gives NPS
--    30, Wald margin 15.31, adjusted-Wald [14.05, 44.20]; 45 of 50 satisfied
--    gives the Wilson interval [78.6398, 95.6524])
-- ===========================================================================
CREATE TEMP TABLE ref AS
SELECT 'v1:0..10:>=9:[20,0,0,0,0,0,0,30,0,50,0]'::nps_state AS n,      -- P 50, D 20, n 100
       'v1:0..10:>=9:[30,0,0,0,0,0,0,40,0,30,0]'::nps_state AS nb,     -- P 30, D 30, n 100
       'v1:0..10:>=9:[0,0,0,0,0,0,0,1,0,2,0]'::nps_state AS n3,        -- P 2, passive 1
       'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,0]'::nps_state AS n2,        -- P 1, D 1
       'v1:1..5:>=4:[5,0,0,45,0]'::csat_state AS c,                    -- 45 of 50
       'v1:1..5:>=4:[20,0,0,30,0]'::csat_state AS cb,                  -- 30 of 50
       'v1:1..5:>=4:[0,0,0,0,10]'::csat_state AS call,                 -- 10 of 10
       'v1:1..5:>=4:[10,0,0,0,0]'::csat_state AS cnone,                -- 0 of 10
       'v1:0..1:>=1:[1,2]'::csat_state AS cb3,                         -- 2 of 3
       (SELECT ces_agg(s) FROM unnest(ARRAY[1, 2, 3, 4, 5]) s) AS e,
       (SELECT ces_agg(s) FROM unnest(ARRAY[1, 2, 3]) s) AS ea,
       (SELECT ces_agg(s) FROM unnest(ARRAY[4, 5, 6]) s) AS eb,
       (SELECT ces_agg(s) FROM unnest(ARRAY[1, 1, 2, 5]) s) AS ec,
       (SELECT ces_agg(s) FROM unnest(ARRAY[3, 4, 4, 4, 5, 6]) s) AS ed,
       (SELECT ces_agg(s) FROM unnest(ARRAY[1, 7]) s) AS ewide,
       (SELECT ces_agg(s) FROM unnest(ARRAY[4, 4, 4]) s) AS eflat;

SELECT pg_temp.is_approx(have, want, d) FROM ref, LATERAL (VALUES
    (nps(n),                                     30::float8,                 'README check: nps = 30'),
    (nps_moe(n),                                 15.3078080750426736,        'nps_moe (Wald, 95%) = 15.3078'),
    (nps_lower(n),                               14.6921919249573264,        'nps_lower (Wald, 95%) = 14.6922'),
    (nps_upper(n),                               45.3078080750426736,        'nps_upper (Wald, 95%) = 45.3078'),
    (nps_moe(n, 0.95, 'adjusted_wald'),          15.0750834134714018,        'nps_moe (adjusted Wald) = 15.0751'),
    (nps_lower(n, 0.95, 'adjusted_wald'),        14.0511301787616079,        'nps_lower (adjusted Wald) = 14.05 (README)'),
    (nps_upper(n, 0.95, 'adjusted_wald'),        44.2012970057044115,        'nps_upper (adjusted Wald) = 44.20 (README)'),
    (nps_moe(state => n, method => 'adjusted_wald'), 15.0750834134714018,    'nps_moe with named arguments, default confidence'),
    (nps_moe(n, 0.90),                           12.8467175068116248,        'nps_moe at 90% = 12.8467'),
    (nps_lower(n3),                              13.3232035960521077,        'nps_lower (Wald) of P 2, passive 1'),
    (nps_moe(n2),                                138.590382434967795,        'nps_moe (Wald) of P 1, D 1'),
    (nps_lower(n3, 0.95, 'adjusted_wald'),       -21.6518498357613699,       'nps_lower (adjusted Wald) of P 2, passive 1'),
    (nps_upper(n3, 0.95, 'adjusted_wald'),       88.3185165024280366,        'nps_upper (adjusted Wald) of P 2, passive 1'),
    (nps_z(n, nb),                               30.0 / 11,                  'nps_z: (30 - 0) / sqrt(61 + 60) = 30 / 11'),
    (nps_z(nb, n),                               -30.0 / 11,                 'nps_z is antisymmetric'),
    (nps_test(n, nb),                            0.00638602328270705436,     'nps_test p-value = 0.006386'),
    (csat_lower(c),                              78.6397685625203432,        'csat_lower of 45/50 = 78.6398 (README)'),
    (csat_upper(c),                              95.6524235068109584,        'csat_upper of 45/50 = 95.6524 (README)'),
    (csat_lower(call),                           72.2467200137110747,        'csat_lower of 10/10 = 100 n / (n + z^2)'),
    (csat_upper(cnone),                          27.7532799862889253,        'csat_upper of 0/10'),
    (csat_lower(cb3, 0.5),                       47.2258176859391068,        'csat_lower of 2/3 at 50%'),
    (csat_upper(cb3, 0.5),                       81.7182749841386821,        'csat_upper of 2/3 at 50%'),
    (csat_z(c, cb),                              3.46410161513775459,        'csat_z: pooled z of 45/50 vs 30/50 = sqrt(12)'),
    (csat_test(c, cb),                           0.000532005505139249699,    'csat_test p-value = 0.000532'),
    (ces_lower(e),                               1.03675683852244230,        'ces_lower of 1..5 = 3 - t(0.975, 4) sqrt(2.5 / 5)'),
    (ces_upper(e),                               4.96324316147755770,        'ces_upper of 1..5'),
    (ces_lower(e, 0.9),                          1.49255668093767674,        'ces_lower of 1..5 at 90%'),
    (ces_upper(e, 0.9),                          4.50744331906232326,        'ces_upper of 1..5 at 90%'),
    (score_stddev(e),                            sqrt(2.5),                  'score_stddev of 1..5 = sqrt(2.5)'),
    (ces_test(ea, eb),                           0.0213116411287567258,      'ces_test (Welch, df 4) of (1,2,3) vs (4,5,6)'),
    (ces_test(ec, ed),                           0.111208312045172449,       'ces_test (Welch, df 4.209) of (1,1,2,5) vs (3,4,4,4,5,6)')
) t(have, want, d);

SELECT is(have, want, d) FROM ref, LATERAL (VALUES
    (nps_upper(n3),    100::float8,  'nps_upper is clamped to exactly 100'),
    (nps_lower(n2),   -100::float8,  'nps_lower is clamped to exactly -100'),
    (nps_upper(n2),    100::float8,  'nps_upper of P 1, D 1 is clamped to exactly 100'),
    (csat_lower(cnone),  0::float8,  'csat_lower of none satisfied is exactly 0'),
    (csat_upper(call), 100::float8,  'csat_upper of all satisfied is exactly 100'),
    (ces_lower(ewide),   1::float8,  'ces_lower is clamped to the scale minimum 1'),
    (ces_upper(ewide),   7::float8,  'ces_upper is clamped to the scale maximum 7'),
    (ces_lower(eflat),   4::float8,  'ces_lower of constant scores is the mean'),
    (ces_upper(eflat),   4::float8,  'ces_upper of constant scores is the mean'),
    (nps_moe(n),         nps_moe(n, 0.95, 'wald'),  'nps_moe defaults to confidence 0.95 and wald'),
    (csat_lower(c),      csat_lower(c, 0.95),       'csat_lower defaults to confidence 0.95'),
    (ces_upper(e),       ces_upper(e, 0.95),        'ces_upper defaults to confidence 0.95'),
    (nps_test(n, n),     1::float8,                 'nps_test of a state against itself is 1'),
    (csat_test(c, c),    1::float8,                 'csat_test of a state against itself is 1'),
    (ces_test(e, e),     1::float8,                 'ces_test of a state against itself is 1'),
    (csat_z(c, c),       0::float8,                 'csat_z of a state against itself is 0'),
    (nps_z('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,4]', 'v1:0..10:>=9:[3,0,0,0,0,0,0,0,0,0,0]'), NULL::float8,
                                                    'nps_z of all promoters vs all detractors (no variance) is NULL'),
    (nps_test('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,4]', 'v1:0..10:>=9:[3,0,0,0,0,0,0,0,0,0,0]'), NULL::float8,
                                                    'nps_test of all promoters vs all detractors (no variance) is NULL'),
    (ces_test(eflat, (SELECT ces_agg(s) FROM unnest(ARRAY[5, 5]) s)), NULL::float8,
                                                    'ces_test of two constant samples (no variance) is NULL')
) t(have, want, d);

SELECT ok((SELECT nps_moe(n, 0.5) < nps_moe(n, 0.95) AND nps_moe(n, 0.95) < nps_moe(n, 0.99) FROM ref),
          'nps_moe grows with the confidence');
SELECT ok((SELECT csat_upper(c, 0.99) - csat_lower(c, 0.99) > csat_upper(c, 0.8) - csat_lower(c, 0.8) FROM ref),
          'the Wilson interval widens with the confidence');

-- ===========================================================================
-- 7. Text round trip and jsonb
-- ===========================================================================
SELECT is(s::text, s::text::nps_state::text, format('nps_state %s survives text output and input', s))
  FROM (VALUES ('v1:0..10:>=9:[1,0,0,0,0,0,1,1,1,2,1]'::nps_state),
               ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'),
               ('v1:0..10:>=9:[9223372036854775807,0,0,0,0,0,0,0,0,0,0]')) v(s);
SELECT is(s::text, s::text::csat_state::text, format('csat_state %s survives text output and input', s))
  FROM (VALUES ('v1:1..5:>=4:[1,0,1,1,1]'::csat_state), ('v1:0..1:>=1:[1,2]'), ('v1:0..10:>=8:[0,0,0,0,1,0,0,0,0,0,0]')) v(s);
SELECT is(s::text, s::text::ces_state::text, format('ces_state %s survives text output and input', s))
  FROM (VALUES ('v1:1..5:<=2:[1,1,0,0,2]'::ces_state), ('v1:1..7:>=5:[1,0,0,2,0,0,3]')) v(s);
SELECT is(' v1 : 0 .. 10 : >= 9 : [ 0 , 0,0,0,0,0,0,0,0,0, 1 ] '::nps_state::text, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]',
          'text output is canonical (white space dropped)');
SELECT is((SELECT nps_agg(s) FROM unnest(ARRAY[10, 9, 9, 8, 7, 6, 0]) s)::text::nps_state::text,
          (SELECT nps_agg(s) FROM unnest(ARRAY[0, 6, 7, 8, 9, 9, 10]) s)::text,
          'a state does not depend on row order and survives a text round trip');

SELECT ok(n::jsonb ?& ARRAY['version', 'scale_min', 'scale_max', 'responses', 'counts',
                            'promoters', 'passives', 'detractors', 'nps'],
          'nps_state::jsonb has version, scale, responses, counts, promoters, passives, detractors, nps') FROM st;
SELECT ok(c::jsonb ?& ARRAY['version', 'scale_min', 'scale_max', 'responses', 'counts',
                            'satisfied_from', 'satisfied', 'csat', 'mean_score'],
          'csat_state::jsonb has version, scale, responses, counts, satisfied_from, satisfied, csat, mean_score') FROM st;
SELECT ok(e5::jsonb ?& ARRAY['version', 'scale_min', 'scale_max', 'responses', 'counts',
                             'polarity', 'easy', 'ces', 'percent_easy'],
          'ces_state::jsonb has version, scale, responses, counts, polarity, easy, ces, percent_easy') FROM st;
SELECT results_eq(
    $$SELECT (j->>'version')::int, (j->>'scale_min')::int, (j->>'scale_max')::int, (j->>'responses')::bigint,
             (j->>'promoters')::bigint, (j->>'passives')::bigint, (j->>'detractors')::bigint,
             (j->>'nps')::float8, j->'counts'
        FROM (SELECT n::jsonb AS j FROM st) x$$,
    $$SELECT 1, 0, 10, 7::bigint, 3::bigint, 2::bigint, 2::bigint, 100.0::float8 / 7, '[1,0,0,0,0,0,1,1,1,2,1]'::jsonb$$,
    'nps_state::jsonb values match the hand-computed state');
SELECT results_eq(
    $$SELECT (j->>'satisfied_from')::int, (j->>'satisfied')::bigint, (j->>'csat')::float8, (j->>'mean_score')::float8, j->'counts'
        FROM (SELECT c::jsonb AS j FROM st) x$$,
    $$SELECT 4, 2::bigint, 50::float8, 3.25::float8, '[1,0,1,1,1]'::jsonb$$,
    'csat_state::jsonb values match the hand-computed state');
SELECT results_eq(
    $$SELECT j->>'polarity', (j->>'easy')::bigint, (j->>'ces')::float8, (j->>'percent_easy')::float8, j->'counts'
        FROM (SELECT e5::jsonb AS j FROM st UNION ALL SELECT e7::jsonb FROM st) x$$,
    $$VALUES ('lower_is_easier', 2::bigint, 3.25::float8, 50::float8, '[1,1,0,0,2]'::jsonb),
             ('higher_is_easier', 2::bigint, 4.25::float8, 50::float8, '[1,0,0,1,1,0,1]'::jsonb)$$,
    'ces_state::jsonb values and polarity match the hand-computed states');
SELECT is('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'::nps_state::jsonb -> 'nps', 'null'::jsonb,
          'the metric of an empty state is JSON null');

SELECT * FROM finish();
ROLLBACK;
