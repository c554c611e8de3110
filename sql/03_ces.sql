SET search_path = public, engage;
-- 03_ces: Customer Effort Score (mean effort) against hand-computed values
-- and plain SQL: 1..7 (higher is easier, easy 5-7), 1..5 reversed (easy 1-2),
-- Student t interval, Welch's test.
SET extra_float_digits = 0;

-- 1..7 hand case: 1,2,3,4,5,6,7,5,5,6 and a NULL.
-- n = 10, sum 44, mean 4.4; squared deviations sum 32.4 -> var 3.6,
-- sd = 1.8974, SE = sqrt(3.6 / 10) = 0.6; easy (5-7) = 6 of 10 = 60%.
CREATE TEMP TABLE h(s int);
INSERT INTO h VALUES (1), (2), (3), (4), (5), (6), (7), (5), (5), (6), (NULL);
SELECT ces(s) AS ces_int, ces(s::float8) AS ces_float, ces(s, 7) AS ces_7, ces(s::float8, 7) AS ces_f7
FROM h;
SELECT ces_agg(s) AS state, ces_agg(s, 7)::text = ces_agg(s)::text AS seven_is_default FROM h;
SELECT ces(st), ces_easy(st), responses(st), mean_score(st), round(score_stddev(st)::numeric, 4) AS sd,
       score_counts(st), scale_min(st), scale_max(st)
FROM (SELECT ces_agg(s) AS st FROM h) q;
-- t interval: mean +/- t(1 - a/2, 9) * 0.6 with tabulated quantiles
--   95%: t = 2.262157 -> [3.042706, 5.757294]
--   90%: t = 1.833113 -> [3.300132, 5.499868]
--   99%: t = 3.249836 -> [2.450098, 6.349902]
SELECT round(ces_lower(st)::numeric, 4) AS lower95, round(ces_upper(st)::numeric, 4) AS upper95,
       abs(ces_lower(st) - (4.4 - 2.262157 * 0.6)) < 1e-5 AS l95,
       abs(ces_upper(st) - (4.4 + 2.262157 * 0.6)) < 1e-5 AS u95,
       abs(ces_lower(st, 0.90) - (4.4 - 1.833113 * 0.6)) < 1e-5 AS l90,
       abs(ces_upper(st, 0.90) - (4.4 + 1.833113 * 0.6)) < 1e-5 AS u90,
       abs(ces_lower(st, 0.99) - (4.4 - 3.249836 * 0.6)) < 1e-5 AS l99,
       abs(ces_upper(st, 0.99) - (4.4 + 3.249836 * 0.6)) < 1e-5 AS u99,
       ces_lower(state => st) = ces_lower(st, 0.95) AS default_95
FROM (SELECT ces_agg(s) AS st FROM h) q;
-- Few and many degrees of freedom, tabulated: t(.975, 2) = 4.302653,
-- t(.975, 30) = 2.042272.  {4, 4, 5}: mean 13/3, var 1/3, SE 1/3 ->
-- [2.899116, 5.767551].  15 fours and 16 fives: mean 140/31,
-- var (640 - 140^2/31) / 30 = 0.258065, SE = sqrt(var / 31) = 0.091240.
SELECT round(ces_lower(a)::numeric, 4) AS lower_df2, round(ces_upper(a)::numeric, 4) AS upper_df2,
       abs(ces_lower(a) - (13.0 / 3 - 4.302653 / 3)) < 1e-5 AS l_df2,
       abs(ces_upper(b) - (140.0 / 31 + 2.042272 * sqrt((640 - 140.0 ^ 2 / 31) / 30 / 31))) < 1e-5 AS u_df30
FROM (SELECT (SELECT ces_agg(s) FROM (VALUES (4), (4), (5)) v(s)) a,
             'v1:1..7:>=5:[0,0,0,15,16,0,0]'::ces_state b) q;
-- Clamped to the scale: 1,1,1,1,7: mean 2.2, var 7.2, SE = sqrt(7.2/5) = 1.2,
-- t(.975, 4) = 2.776445 -> half 3.331734: lower -1.13 clamped to 1, upper 5.5317.
SELECT ces_lower(st), round(ces_upper(st)::numeric, 4) AS upper
FROM (SELECT ces_agg(s) st FROM (VALUES (1), (1), (1), (1), (7)) v(s)) q;
-- Below two responses the interval is NULL; no spread gives a zero-width interval.
SELECT ces_lower((SELECT ces_agg(3))) IS NULL AS one_null, ces_upper((SELECT ces_agg(3))) IS NULL AS one_null_u,
       ces_lower(st) AS flat_lower, ces_upper(st) AS flat_upper
FROM (SELECT ces_agg(s) st FROM (VALUES (4), (4), (4)) v(s)) q;

-- 1..5 reversed polarity (lower = less effort; easy = 1-2).
-- 1,2,2,3,5 and a NULL: mean 13/5 = 2.6; easy 3 of 5 = 60%.
-- var: squares 2.56+.36+.36+.16+5.76 = 9.2 / 4 = 2.3, sd 1.5166.
SELECT ces(s, 5) AS ces, ces_agg(s, 5) AS state FROM (VALUES (1), (2), (2), (3), (5), (NULL)) v(s);
SELECT ces(st), ces_easy(st), round(score_stddev(st)::numeric, 4) AS sd, scale_min(st), scale_max(st),
       st::jsonb ->> 'polarity' AS polarity
FROM (SELECT ces_agg(s::float8, 5) st FROM (VALUES (1), (2), (2), (3), (5)) v(s)) q;
-- Polarity at the boundaries: on 1..5 a 3 is not easy, on 1..7 a 5 is easy, a 4 not.
SELECT ces_easy(ces_agg(s, 5)) AS e5_2, (SELECT ces_easy(ces_agg(s, 5)) FROM (VALUES (3)) v(s)) AS e5_3,
       (SELECT ces_easy(ces_agg(s)) FROM (VALUES (5)) v(s)) AS e7_5,
       (SELECT ces_easy(ces_agg(s)) FROM (VALUES (4)) v(s)) AS e7_4
FROM (VALUES (2)) v(s);

-- NULLs ignored; no rows / only NULLs -> NULL for every form.
SELECT ces(s) IS NULL a, ces_agg(s) IS NULL b, ces(s, 5) IS NULL c, ces_agg(s::float8, 5) IS NULL d
FROM h WHERE s IS NULL;
SELECT ces(s) IS NULL a, ces_agg(s) IS NULL b, ces(s::float8) IS NULL c FROM h WHERE false;
SELECT rollup(st) IS NULL AS no_rows FROM (SELECT ces_agg(s) st FROM h) q WHERE false;
SELECT ces(st) IS NULL AS ces_null, ces_easy(st) IS NULL AS easy_null, responses(st),
       ces_lower(st) IS NULL AS lower_null
FROM (SELECT 'v1:1..7:>=5:[0,0,0,0,0,0,0]'::ces_state st) q;

-- 5000 deterministic rows in five segments against plain SQL.
CREATE TEMP TABLE r AS
  SELECT g % 5 AS seg,
         CASE WHEN g % 31 = 0 THEN NULL ELSE 1 + abs(hashint4(g)) % 7 END AS s7,
         CASE WHEN g % 37 = 0 THEN NULL ELSE 1 + abs(hashint4(g + 300000)) % 5 END AS s5
  FROM generate_series(1, 5000) g;
SELECT seg,
       abs(ces(s7) - avg(s7)) < 1e-9 AS mean7,
       abs(ces(s5, 5) - avg(s5)) < 1e-9 AS mean5,
       ces(s7::float8) = ces(s7) AS f,
       abs(ces_easy(ces_agg(s7)) - 100.0 * count(*) FILTER (WHERE s7 >= 5) / count(s7)) < 1e-9 AS easy7,
       abs(ces_easy(ces_agg(s5, 5)) - 100.0 * count(*) FILTER (WHERE s5 <= 2) / count(s5)) < 1e-9 AS easy5,
       abs(score_stddev(ces_agg(s7)) - stddev_samp(s7)) < 1e-9 AS sd7,
       abs(score_stddev(ces_agg(s5, 5)) - stddev_samp(s5)) < 1e-9 AS sd5,
       responses(ces_agg(s5, 5)) = count(s5) AS n5,
       ces_lower(ces_agg(s7)) < avg(s7) AND avg(s7) < ces_upper(ces_agg(s7)) AS brackets
FROM r GROUP BY seg ORDER BY seg;

-- Welch's test, hand cases.
-- (a) a = {1, 3}, b = {4, 6}: var 2 each, SE^2 = 2/2 + 2/2 = 2, t = 3 / sqrt 2,
--     df = 2^2 / (1/1 + 1/1) = 2, and for 2 df P(|T| > t) = 1 - t / sqrt(2 + t^2)
--     = 1 - 3 / sqrt(13) = 0.1679497057.
SELECT round(ces_test(a, b)::numeric, 10) AS p, abs(ces_test(a, b) - (1 - 3 / sqrt(13))) < 1e-10 AS p_ok,
       ces_test(b, a) = ces_test(a, b) AS symmetric
FROM (SELECT (SELECT ces_agg(s) FROM (VALUES (1), (3)) v(s)) a,
             (SELECT ces_agg(s) FROM (VALUES (4), (6)) v(s)) b) q;
-- (b) a = {1, 2, 3}, b = {5, 6, 7, 6}: va = 1/3, vb = (2/3)/4 = 1/6, SE^2 = 1/2,
--     t = 4 / sqrt(1/2) = 5.656854, df = (1/2)^2 / ((1/3)^2/2 + (1/6)^2/3) = 27/7;
--     p = 0.0053650690 (python3: Simpson integration of the t density, math.lgamma).
SELECT round(ces_test(a, b)::numeric, 10) AS p, abs(ces_test(a, b) - 0.005365069030670) < 1e-10 AS p_ok
FROM (SELECT (SELECT ces_agg(s) FROM (VALUES (1), (2), (3)) v(s)) a,
             (SELECT ces_agg(s) FROM (VALUES (5), (6), (7), (6)) v(s)) b) q;
-- (c) the normal case: a = 10^7 fours + 10^7 fives, b = (10^7 + 5000) fours +
--     (10^7 - 5000) fives: t = 1.5811388894, df = 4.0e7;
--     p = erfc(t / sqrt 2) = 0.1138462845 (python3 math.erfc).
SELECT round(ces_test(a, b)::numeric, 8) AS p, abs(ces_test(a, b) - 0.11384628445203615) < 1e-8 AS p_ok
FROM (SELECT 'v1:1..7:>=5:[0,0,0,10000000,10000000,0,0]'::ces_state a,
             'v1:1..7:>=5:[0,0,0,10005000,9995000,0,0]'::ces_state b) q;
-- Same state: p = 1.  No spread on either side: no test, NULL.
-- Fewer than two responses: NULL.  Reversed 1..5 states compare among themselves.
SELECT ces_test(a, a) AS same,
       ces_test(f, f) AS flat_same, ces_test(f, g) AS flat_diff,
       ces_test(a, (SELECT ces_agg(3))) IS NULL AS one_null
FROM (SELECT ces_agg(s) a FROM h) x,
     (SELECT ces_agg(4) f FROM generate_series(1, 3)) y,
     (SELECT ces_agg(6) g FROM generate_series(1, 3)) z;
-- a = {1, 3}, b = {4, 2} on 1..5: means 2 and 3, var 2 each, t = 1 / sqrt 2, df = 2:
-- p = 1 - sqrt(0.5 / 2.5) = 1 - sqrt(0.2) = 0.5527864045.
SELECT round(ces_test(a, b)::numeric, 10) AS p_reversed
FROM (SELECT (SELECT ces_agg(s, 5) FROM (VALUES (1), (3)) v(s)) a,
             (SELECT ces_agg(s, 5) FROM (VALUES (4), (2)) v(s)) b) q;
