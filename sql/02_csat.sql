SET search_path = public, engage;
-- 02_csat: Customer Satisfaction (percent satisfied) against hand-computed
-- values and plain SQL; scale variants, Wilson interval, two-proportion test.
SET extra_float_digits = 0;

-- Two-sided normal p-value, independent of the extension (see 01_nps).
CREATE FUNCTION pg_temp.p2(z float8) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  x numeric := round(abs(z)::numeric / sqrt(2::numeric), 40);
  term numeric := x;
  s numeric := x;
  k int := 0;
BEGIN
  IF z IS NULL THEN RETURN NULL; END IF;
  LOOP
    k := k + 1;
    term := round(-term * x * x / k, 40);
    s := s + round(term / (2 * k + 1), 40);
    EXIT WHEN abs(term) < 1e-35;
  END LOOP;
  RETURN (1 - 2 / sqrt(3.14159265358979323846264338327950288::numeric) * s)::float8;
END $$;

-- Default scale 1..5, satisfied 4-5.  Scores 1,2,3,4,5,5,4 and a NULL:
-- n = 7, satisfied 4 -> 400/7 = 57.1429; mean 24/7 = 3.4286;
-- sum of squares 96 - 24^2/7 = 96/7 -> sd = sqrt(16/7) = 1.5119.
CREATE TEMP TABLE h(s int);
INSERT INTO h VALUES (1), (2), (3), (4), (5), (5), (4), (NULL);
SELECT round(csat(s)::numeric, 4) AS csat_int, round(csat(s::float8)::numeric, 4) AS csat_float,
       round(csat(s::smallint)::numeric, 4) AS csat_smallint
FROM h;
SELECT csat_agg(s) AS state FROM h;
SELECT satisfied(st), responses(st), round(mean_score(st)::numeric, 4) AS mean,
       round(score_stddev(st)::numeric, 4) AS sd, score_counts(st), scale_min(st), scale_max(st),
       round(csat(st)::numeric, 4) AS csat
FROM (SELECT csat_agg(s) AS st FROM h) q;

-- Scale variants (state text shows the scale and the satisfied-from cut).
-- 1..3 (three points: top box only, >= 3): 1,2,3,3 -> 2/4 = 50
SELECT csat(s, 1, 3), csat_agg(s, 1, 3) FROM (VALUES (1), (2), (3), (3)) v(s);
-- 0..2 (three points, >= 2): 0,1,2,2 -> 50
SELECT csat(s, 0, 2), csat_agg(s, 0, 2) FROM (VALUES (0), (1), (2), (2)) v(s);
-- 1..4 (four points: top two, >= 3): 2,3,4 -> 66.6667
SELECT round(csat(s, 1, 4)::numeric, 4) AS csat, csat_agg(s, 1, 4) FROM (VALUES (2), (3), (4)) v(s);
-- 1..7 (top two, >= 6): 1,5,6,7,7 -> 3/5 = 60
SELECT csat(s, 1, 7), csat_agg(s, 1, 7) FROM (VALUES (1), (5), (6), (7), (7)) v(s);
-- 1..10 (>= 9): 8,9,10 -> 66.6667
SELECT round(csat(s, 1, 10)::numeric, 4) AS csat, csat_agg(s, 1, 10) FROM (VALUES (8), (9), (10)) v(s);
-- 0..10 (>= 9): 0,8,9,10 -> 50
SELECT csat(s, 0, 10), csat_agg(s, 0, 10) FROM (VALUES (0), (8), (9), (10)) v(s);
-- explicit satisfied_from: 1..5 >= 3: 1,2,3,4,5 -> 60; 0..10 >= 7: 0,6,7,10 -> 50
SELECT csat(s, 1, 5, 3), csat_agg(s, 1, 5, 3) FROM (VALUES (1), (2), (3), (4), (5)) v(s);
SELECT csat(s, 0, 10, 7), csat_agg(s, 0, 10, 7) FROM (VALUES (0), (6), (7), (10)) v(s);
SELECT csat(s::float8, 0, 10, 7) AS float_form FROM (VALUES (0), (6), (7), (10)) v(s);
-- satisfied_from = the top: 1..5 >= 5: 4,5,5 -> 66.6667
SELECT round(csat(s, 1, 5, 5)::numeric, 4) AS csat FROM (VALUES (4), (5), (5)) v(s);
-- boolean: true, true, false, NULL -> 2/3 = 66.6667, scale 0..1 >= 1
SELECT round(csat(b)::numeric, 4) AS csat, csat_agg(b) FROM (VALUES (true), (true), (false), (NULL)) v(b);
-- The implied cut equals the explicit one; booleans equal a 0..1 scale.
SELECT csat_agg(s, 1, 7)::text = csat_agg(s, 1, 7, 6)::text AS top_two_1_7
FROM (VALUES (1), (5), (6), (7), (7)) v(s);
SELECT csat_agg(s, 1, 5)::text = csat_agg(s)::text AS default_is_1_5,
       csat_agg(s, 1, 5, 4)::text = csat_agg(s)::text AS default_cut_4
FROM (VALUES (1), (4), (5)) v(s);
SELECT csat_agg(b)::text = csat_agg(b::int, 0, 1)::text AS bool_is_0_1
FROM (VALUES (true), (false), (true)) v(b);
-- true, false (boolean) + 1, 1 (0..1 scale) rolled up: 3 of 4 = 75
SELECT csat(rollup(st)) AS rolled
FROM (SELECT csat_agg(b) FROM (VALUES (true), (false)) v(b)
      UNION ALL SELECT csat_agg(s, 0, 1) FROM (VALUES (1), (1)) w(s)) x(st);

-- NULLs ignored; no rows / only NULLs -> NULL, for every form.
SELECT csat(s) IS NULL a, csat_agg(s) IS NULL b, csat(s, 1, 7) IS NULL c,
       csat_agg(s, 0, 10, 7) IS NULL d, csat(s::float8, 1, 3) IS NULL e, csat(s > 3) IS NULL f
FROM h WHERE s IS NULL;
SELECT csat(s) IS NULL a, csat_agg(s::float8) IS NULL b, csat(s > 3) IS NULL c, csat_agg(s > 3) IS NULL d
FROM h WHERE false;
SELECT rollup(st) IS NULL AS no_rows FROM (SELECT csat_agg(s) st FROM h) q WHERE false;
SELECT csat(st) IS NULL AS csat_null, responses(st), satisfied(st), mean_score(st) IS NULL AS mean_null,
       csat_lower(st) IS NULL AS lower_null, csat_upper(st) IS NULL AS upper_null
FROM (SELECT 'v1:1..5:>=4:[0,0,0,0,0]'::csat_state st) q;

-- 6000 deterministic rows, four segments, NULLs sprinkled in.
CREATE TEMP TABLE r AS
  SELECT g % 4 AS seg,
         CASE WHEN g % 19 = 0 THEN NULL ELSE 1 + abs(hashint4(g)) % 5 END AS s5,
         CASE WHEN g % 23 = 0 THEN NULL ELSE 1 + abs(hashint4(g + 100000)) % 7 END AS s7,
         CASE WHEN g % 29 = 0 THEN NULL ELSE abs(hashint4(g + 200000)) % 11 END AS s10
  FROM generate_series(1, 6000) g;
SELECT seg,
       abs(csat(s5) - 100.0 * count(*) FILTER (WHERE s5 >= 4) / count(s5)) < 1e-9 AS d5,
       abs(csat(s7, 1, 7) - 100.0 * count(*) FILTER (WHERE s7 >= 6) / count(s7)) < 1e-9 AS d7,
       abs(csat(s10, 0, 10) - 100.0 * count(*) FILTER (WHERE s10 >= 9) / count(s10)) < 1e-9 AS d10,
       abs(csat(s10, 0, 10, 6) - 100.0 * count(*) FILTER (WHERE s10 >= 6) / count(s10)) < 1e-9 AS c10,
       abs(csat(s5 >= 4) - 100.0 * count(*) FILTER (WHERE s5 >= 4) / count(s5)) < 1e-9 AS b,
       csat(s5::float8) = csat(s5) AS f,
       satisfied(csat_agg(s5)) = count(*) FILTER (WHERE s5 >= 4) AS sat,
       responses(csat_agg(s7, 1, 7)) = count(s7) AS n,
       abs(mean_score(csat_agg(s7, 1, 7)) - avg(s7)) < 1e-9 AS mean,
       abs(score_stddev(csat_agg(s10, 0, 10)) - stddev_samp(s10)) < 1e-9 AS sd
FROM r GROUP BY seg ORDER BY seg;

-- Wilson reference: 45 of 50 at 95% -> [78.6398, 95.6524].
-- p = .9, z^2 = 3.841459, denom = 1 + z^2/50 = 1.076829,
-- centre = (.9 + z^2/100) / denom = .871459,
-- half = z * sqrt(.9 * .1 / 50 + z^2 / 10000) / denom = .085063.
CREATE TEMP TABLE ref AS SELECT 'v1:1..5:>=4:[2,1,2,20,25]'::csat_state AS st;
SELECT csat(st), round(csat_lower(st)::numeric, 4) AS lower, round(csat_upper(st)::numeric, 4) AS upper,
       csat_lower(state => st) = csat_lower(st, 0.95) AS default_95
FROM ref;
-- Clamped ends: 50 of 50 -> [100 * 50 / (50 + z^2), 100] = [92.8652, 100];
-- 0 of 50 -> [0, 100 * z^2 / (50 + z^2)] = [0, 7.1348].
SELECT round(csat_lower(st)::numeric, 4) AS lower, round(csat_upper(st)::numeric, 4) AS upper
FROM (VALUES ('v1:1..5:>=4:[0,0,0,0,50]'::csat_state), ('v1:1..5:>=4:[50,0,0,0,0]')) v(st)
ORDER BY 1;
-- Wilson at 90% / 99% for each segment against the formula with tabulated z.
WITH c AS (
  SELECT seg, csat_agg(s5) AS st, count(s5)::float8 AS n,
         count(*) FILTER (WHERE s5 >= 4) / count(s5)::float8 AS p
  FROM r GROUP BY seg),
w AS (
  SELECT seg, st, z,
         100 * ((p + z * z / (2 * n)) - z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n) AS lo,
         100 * ((p + z * z / (2 * n)) + z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n) AS hi,
         conf
  FROM c, (VALUES (0.90, 1.644854), (0.99, 2.575829)) t(conf, z))
SELECT conf, count(*) AS segments,
       count(*) FILTER (WHERE abs(csat_lower(st, conf) - lo) > 1e-4
                           OR abs(csat_upper(st, conf) - hi) > 1e-4) AS mismatches
FROM w GROUP BY conf ORDER BY conf;

-- csat_z / csat_test.  A: 45/50, B: 35/50: pooled p = 80/100 = .8,
-- SE = sqrt(.8 * .2 * (1/50 + 1/50)) = .08, z = (.9 - .7) / .08 = 2.5,
-- p = erfc(2.5 / sqrt 2) = 0.012419330651552278 (python3 math.erfc).
SELECT csat_z(a, b) AS z, round(csat_test(a, b)::numeric, 10) AS p,
       abs(csat_test(a, b) - 0.012419330651552278) < 1e-12 AS p_ok,
       csat_z(b, a) AS z_rev, csat_z(a, a) AS z_same, csat_test(a, a) AS p_same
FROM (SELECT st AS a, 'v1:1..5:>=4:[5,5,5,15,20]'::csat_state AS b FROM ref) q;
-- Pooled share 1 (both all satisfied): SE 0 -> z 0, p 1.  Empty state -> NULL.
SELECT csat_z(a, a) AS z, csat_test(a, a) AS p,
       csat_test(a, 'v1:1..5:>=4:[0,0,0,0,0]') IS NULL AS empty_null
FROM (SELECT csat_agg(5) a) q;
-- Every segment pair against the pooled formula in plain SQL.
WITH c AS (
  SELECT seg, csat_agg(s10, 0, 10) AS st, count(s10)::float8 AS n,
         count(*) FILTER (WHERE s10 >= 9)::float8 AS k
  FROM r GROUP BY seg),
z AS (
  SELECT csat_z(x.st, y.st) AS z_ext, csat_test(x.st, y.st) AS p_ext,
         (x.k / x.n - y.k / y.n)
           / sqrt((x.k + y.k) / (x.n + y.n) * (1 - (x.k + y.k) / (x.n + y.n)) * (1 / x.n + 1 / y.n)) AS z_sql
  FROM c x JOIN c y ON x.seg <> y.seg)
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE abs(z_ext - z_sql) > 1e-9) AS z_mismatches,
       count(*) FILTER (WHERE abs(p_ext - pg_temp.p2(z_sql)) > 1e-9) AS p_mismatches
FROM z;
