SET search_path = public, engage;
-- 01_nps: Net Promoter Score against hand-computed values and plain SQL.
-- Promoters 9-10, passives 7-8, detractors 0-6; NPS = 100 * (P - D) / n.
SET extra_float_digits = 0;

-- A two-sided normal p-value computed independently of the extension:
-- p = 1 - erf(|z| / sqrt 2), erf by its Maclaurin series in numeric.
CREATE FUNCTION pg_temp.p2(z float8) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  x numeric := round(abs(z)::numeric / sqrt(2::numeric), 40);
  term numeric := x;   -- (-1)^k x^(2k+1) / k!
  s numeric := x;      -- sum of term / (2k + 1)
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
-- Sanity of the helper: z = 1.959964 is the 95% two-sided point.
SELECT round(pg_temp.p2(1.959964)::numeric, 6) AS p_at_1_96, round(pg_temp.p2(0)::numeric, 6) AS p_at_0;

-- Hand case: 10, 9, 9, 8, 7, 6, 0 and a NULL.
-- n = 7, P = 3 (10, 9, 9), passives 2 (8, 7), D = 2 (6, 0)
-- NPS = 100 * (3 - 2) / 7 = 14.2857...; mean = 49 / 7 = 7
-- deviations 3,2,2,1,0,-1,-7 -> squares sum 68 -> sd = sqrt(68/6) = 3.3665
CREATE TEMP TABLE h(s int);
INSERT INTO h VALUES (10), (9), (9), (8), (7), (6), (0), (NULL);
SELECT round(nps(s)::numeric, 4) AS nps_int,
       round(nps(s::float8)::numeric, 4) AS nps_float,
       round(nps(s::smallint)::numeric, 4) AS nps_smallint,
       round(nps(s::numeric)::numeric, 4) AS nps_numeric
FROM h;
SELECT nps_agg(s) AS state FROM h;
SELECT promoters(st), passives(st), detractors(st), responses(st),
       mean_score(st), round(score_stddev(st)::numeric, 4) AS sd,
       score_counts(st), scale_min(st), scale_max(st), round(nps(st)::numeric, 4) AS nps
FROM (SELECT nps_agg(s) AS st FROM h) q;

-- Category boundaries: 6 is a detractor, 7 and 8 passives, 9 a promoter.
SELECT nps(s) FROM (VALUES (9), (10)) v(s);           -- 100
SELECT nps(s) FROM (VALUES (0), (6)) v(s);            -- -100
SELECT nps(s) FROM (VALUES (7), (8)) v(s);            -- 0
SELECT nps(s) FROM (VALUES (6), (7), (8), (9)) v(s);  -- 100 * (1 - 1) / 4 = 0
SELECT nps(s) FROM (VALUES (5), (9), (9), (10)) v(s); -- 100 * (3 - 1) / 4 = 50
SELECT nps(-0.0::float8), nps(9.0::float8), nps(10::bigint); -- -0.0 is score 0

-- NULLs are ignored; no rows or only NULLs give NULL (one-call, _agg, rollup).
SELECT nps(s) IS NULL AS a, nps_agg(s) IS NULL AS b FROM h WHERE false;
SELECT nps(s) IS NULL AS a, nps_agg(s) IS NULL AS b FROM h WHERE s IS NULL;
SELECT nps(s::float8) IS NULL AS a, nps_agg(s::float8) IS NULL AS b FROM h WHERE s IS NULL;
SELECT rollup(st) IS NULL AS no_rows FROM (SELECT nps_agg(s) st FROM h) q WHERE false;
SELECT rollup(st) IS NULL AS only_nulls FROM (VALUES (NULL::nps_state), (NULL)) v(st);
-- An explicit empty state: 0 responses, metric NULL, accessors defined.
SELECT nps(st) IS NULL AS nps_null, responses(st), promoters(st), mean_score(st) IS NULL AS mean_null,
       score_stddev(st) IS NULL AS sd_null, nps_moe(st) IS NULL AS moe_null,
       nps_lower(st) IS NULL AS lower_null
FROM (SELECT 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'::nps_state st) q;
-- One response: stddev NULL, NPS defined.
SELECT nps(st), score_stddev(st) IS NULL AS sd_null FROM (SELECT nps_agg(9) st) q;

-- A deterministic table of 4000 rows, some NULL scores, five segments.
CREATE TEMP TABLE r AS
  SELECT g AS id, g % 5 AS seg,
         CASE WHEN g % 17 = 0 THEN NULL ELSE abs(hashint4(g)) % 11 END AS s
  FROM generate_series(1, 4000) g;
SELECT seg, count(s) AS n,
       abs(nps(s) - 100.0 * (count(*) FILTER (WHERE s >= 9) - count(*) FILTER (WHERE s <= 6))
                     / count(s)) < 1e-9 AS nps_ok,
       nps(s::float8) = nps(s) AS float_ok,
       nps(nps_agg(s)) = nps(s) AS state_ok,
       promoters(nps_agg(s)) = count(*) FILTER (WHERE s >= 9) AS p_ok,
       passives(nps_agg(s)) = count(*) FILTER (WHERE s IN (7, 8)) AS pa_ok,
       detractors(nps_agg(s)) = count(*) FILTER (WHERE s <= 6) AS d_ok,
       responses(nps_agg(s)) = count(s) AS n_ok,
       abs(mean_score(nps_agg(s)) - avg(s)) < 1e-9 AS mean_ok,
       abs(score_stddev(nps_agg(s)) - stddev_samp(s)) < 1e-9 AS sd_ok,
       score_counts(nps_agg(s)) = (SELECT array_agg((SELECT count(*) FROM r r2
                                                     WHERE r2.seg = r.seg AND r2.s = k)
                                                    ORDER BY k)
                                   FROM generate_series(0, 10) k) AS counts_ok
FROM r GROUP BY seg ORDER BY seg;

-- Reference: n = 100, P = 50, D = 20 (30 passives).
-- NPS = 30.  Wald: p = .5, d = .2, var = (.7 - .3^2) / 100 = .0061,
-- SE = 7.8102 points, margin = 1.959964 * 7.8102 = 15.31 -> [14.69, 45.31].
-- Adjusted Wald: n' = 103, p' = 50.75/103, d' = 20.75/103, NPS' = 29.126,
-- SE' = 100 * sqrt((p' + d' - (p' - d')^2) / 103) = 7.6915, margin 15.075
-- -> [14.05, 44.20].
CREATE TEMP TABLE ref AS SELECT 'v1:0..10:>=9:[20,0,0,0,0,0,0,30,0,50,0]'::nps_state AS st;
SELECT nps(st), round(nps_moe(st)::numeric, 2) AS moe,
       round(nps_lower(st)::numeric, 2) AS lower, round(nps_upper(st)::numeric, 2) AS upper,
       round(nps_moe(st, 0.95, 'adjusted_wald')::numeric, 2) AS adj_moe,
       round(nps_lower(st, 0.95, 'adjusted_wald')::numeric, 2) AS adj_lower,
       round(nps_upper(st, 0.95, 'adjusted_wald')::numeric, 2) AS adj_upper
FROM ref;
-- Named arguments and defaults; other confidence levels against the formula
-- with tabulated z: 90% 1.644854, 99% 2.575829 (SE = sqrt(61) points).
SELECT nps_moe(state => st) = nps_moe(st, 0.95, 'wald') AS defaults_ok,
       abs(nps_moe(st, 0.90) - 1.644854 * sqrt(61)) < 1e-4 AS moe90_ok,
       abs(nps_moe(st, 0.99) - 2.575829 * sqrt(61)) < 1e-4 AS moe99_ok,
       abs(nps_lower(st, 0.99) - (30 - 2.575829 * sqrt(61))) < 1e-4 AS lower99_ok,
       nps_moe(st, 0.99) > nps_moe(st, 0.95) AS wider
FROM ref;

-- Clamping to [-100, 100].  Five promoters: Wald SE = 0 -> [100, 100].
-- Adjusted: P' = 5.75, D' = .75, n' = 8, NPS' = 62.5,
-- SE' = 100 * sqrt((.8125 - .625^2) / 8) = 22.9640, margin 45.0086
-- -> lower 17.49, upper 107.5 clamped to 100.
SELECT nps_lower(st), nps_upper(st), nps_moe(st),
       round(nps_lower(st, 0.95, 'adjusted_wald')::numeric, 2) AS adj_lower,
       nps_upper(st, 0.95, 'adjusted_wald') AS adj_upper
FROM (SELECT nps_agg(s) st FROM (VALUES (9), (10), (10), (9), (9)) v(s)) q;
SELECT nps_lower(st), nps_upper(st),
       round(nps_upper(st, 0.95, 'adjusted_wald')::numeric, 2) AS adj_upper,
       nps_lower(st, 0.95, 'adjusted_wald') AS adj_lower
FROM (SELECT nps_agg(s) st FROM (VALUES (0), (3), (6), (2), (1)) v(s)) q;

-- nps_z / nps_test.  A = reference (NPS 30, SE^2 = 61), B: n = 100, P = 30,
-- D = 30 (NPS 0, SE^2 = 100^2 * (.6 - 0) / 100 = 60).
-- z = 30 / sqrt(61 + 60) = 30 / 11 = 2.727273;
-- p = erfc(z / sqrt 2) = 0.006386023282707063 (python3: math.erfc(30/11/math.sqrt(2))).
CREATE TEMP TABLE ab AS
  SELECT (SELECT st FROM ref) AS a,
         'v1:0..10:>=9:[30,0,0,0,0,0,0,40,0,0,30]'::nps_state AS b;
SELECT round(nps_z(a, b)::numeric, 6) AS z, abs(nps_z(a, b) - 30.0 / 11) < 1e-12 AS z_ok,
       round(nps_test(a, b)::numeric, 10) AS p,
       abs(nps_test(a, b) - 0.006386023282707063) < 1e-12 AS p_ok,
       nps_z(b, a) = -nps_z(a, b) AS antisymmetric, nps_test(b, a) = nps_test(a, b) AS symmetric,
       nps_z(a, a) AS z_same, nps_test(a, a) AS p_same
FROM ab;
-- Both SEs zero (all promoters vs all detractors): no test, NULL.
SELECT nps_z(a, b) AS z, nps_test(a, b) AS p, nps_z(a, a) AS z_eq, nps_test(a, a) AS p_eq
FROM (SELECT nps_agg(9) a, (SELECT nps_agg(0)) b) q;
-- An empty state gives NULL.
SELECT nps_z(st, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]') IS NULL AS z_null,
       nps_test('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]', st) IS NULL AS p_null FROM ref;

-- nps_z and nps_test between every pair of segments against plain SQL.
WITH c AS (
  SELECT seg, count(s)::float8 AS n,
         count(*) FILTER (WHERE s >= 9) / count(s)::float8 AS p,
         count(*) FILTER (WHERE s <= 6) / count(s)::float8 AS d,
         nps_agg(s) AS st
  FROM r GROUP BY seg),
z AS (
  SELECT x.seg AS sx, y.seg AS sy, nps_z(x.st, y.st) AS z_ext, nps_test(x.st, y.st) AS p_ext,
         100 * ((x.p - x.d) - (y.p - y.d))
           / sqrt(100 * 100 * ((x.p + x.d - (x.p - x.d) ^ 2) / x.n + (y.p + y.d - (y.p - y.d) ^ 2) / y.n))
           AS z_sql
  FROM c x JOIN c y ON x.seg < y.seg)
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE abs(z_ext - z_sql) > 1e-9) AS z_mismatches,
       count(*) FILTER (WHERE abs(p_ext - pg_temp.p2(z_sql)) > 1e-9) AS p_mismatches
FROM z;
