SET search_path = public, engage;
-- 07_rollup: daily per-segment states kept in a materialized view roll up
-- exactly to months, segments and the grand total.
SET extra_float_digits = 0;

-- Hand case: counts add bin by bin.
SELECT rollup(st) FROM (VALUES ('v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,2]'::nps_state),
                               ('v1:0..10:>=9:[0,3,0,0,0,0,0,1,0,0,1]'),
                               (NULL)) v(st);
-- -> [1,3,0,0,0,0,0,1,0,0,3]: P = 3, D = 4, n = 8 -> NPS = -12.5
SELECT nps(rollup(st)) FROM (VALUES ('v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,2]'::nps_state),
                                    ('v1:0..10:>=9:[0,3,0,0,0,0,0,1,0,0,1]')) v(st);
SELECT rollup(st) FROM (VALUES ('v1:1..5:>=4:[1,0,0,0,1]'::csat_state), ('v1:1..5:>=4:[0,2,0,3,0]')) v(st);
SELECT rollup(st) FROM (VALUES ('v1:1..5:<=2:[1,0,0,0,1]'::ces_state), ('v1:1..5:<=2:[0,2,0,3,0]')) v(st);
-- NULL states are ignored; none, or only NULLs, give NULL; so does a state
-- of no responses (like a state built over no rows).
SELECT rollup(st) AS only_state FROM (VALUES (NULL::nps_state), ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]'), (NULL)) v(st);
SELECT rollup(st) IS NULL AS all_null FROM (VALUES (NULL::csat_state), (NULL)) v(st);
SELECT rollup(st) IS NULL AS no_rows FROM (VALUES ('v1:1..7:>=5:[0,0,0,0,0,0,1]'::ces_state)) v(st) WHERE false;
SELECT rollup(st) IS NULL AS empty_state FROM (VALUES ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'::nps_state)) v(st);
SELECT rollup(st) AS empty_plus_one
FROM (VALUES ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'::nps_state), ('v1:0..10:>=9:[0,0,0,0,0,0,0,1,0,0,0]')) v(st);
-- The combine function called directly adds without touching its inputs.
SELECT nps_combine(a, b) AS sum, a AS a_after, b AS b_after
FROM (SELECT 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,0]'::nps_state a, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]'::nps_state b) q;

-- Raw responses (a regular table: a materialized view cannot read a temporary
-- one): 91 days (January-March 2024), three segments, NULLs, and
-- day/segment pairs whose scores are all NULL (their states are NULL).
CREATE TABLE engage_responses AS
  SELECT date '2024-01-01' + (g % 91) AS day, (ARRAY['web', 'app', 'store'])[1 + g % 3] AS seg,
         CASE WHEN g % 91 IN (10, 40) OR g % 13 = 0 THEN NULL ELSE abs(hashint4(g)) % 11 END AS n,
         CASE WHEN g % 91 IN (10, 41) OR g % 17 = 0 THEN NULL ELSE 1 + abs(hashint4(g + 1)) % 5 END AS c,
         CASE WHEN g % 91 = 10 OR g % 19 = 0 THEN NULL ELSE 1 + abs(hashint4(g + 2)) % 7 END AS e,
         CASE WHEN g % 23 = 0 THEN NULL ELSE 1 + abs(hashint4(g + 3)) % 5 END AS e5
  FROM generate_series(1, 9100) g;
CREATE MATERIALIZED VIEW engage_daily AS
  SELECT day, seg, nps_agg(n) AS nps_st, csat_agg(c) AS csat_st, ces_agg(e) AS ces_st,
         ces_agg(e5, 5) AS ces5_st, csat_agg(n, 0, 10) AS csat10_st
  FROM engage_responses GROUP BY day, seg;
SELECT count(*) AS day_segments, count(*) FILTER (WHERE nps_st IS NULL) AS null_nps,
       count(*) FILTER (WHERE csat_st IS NULL) AS null_csat, count(*) FILTER (WHERE ces_st IS NULL) AS null_ces
FROM engage_daily;

-- Monthly per segment: rolled-up states against the raw rows, in plain SQL.
CREATE TEMP TABLE monthly AS
  SELECT date_trunc('month', day)::date AS month, seg, rollup(nps_st) AS n, rollup(csat_st) AS c,
         rollup(ces_st) AS e, rollup(ces5_st) AS e5, rollup(csat10_st) AS c10
  FROM engage_daily GROUP BY 1, 2;
CREATE TEMP TABLE truth AS
  SELECT date_trunc('month', day)::date AS month, seg,
         100.0 * (count(*) FILTER (WHERE n >= 9) - count(*) FILTER (WHERE n <= 6)) / count(n) AS nps,
         count(n) AS nps_n, avg(n) AS nps_mean, stddev_samp(n) AS nps_sd,
         100.0 * count(*) FILTER (WHERE c >= 4) / count(c) AS csat, count(c) AS csat_n,
         100.0 * count(*) FILTER (WHERE n >= 9) / count(n) AS csat10,
         avg(e) AS ces, stddev_samp(e) AS ces_sd, avg(e5) AS ces5,
         100.0 * count(*) FILTER (WHERE e5 <= 2) / count(e5) AS ces5_easy
  FROM engage_responses GROUP BY 1, 2;
SELECT count(*) AS month_segments,
       count(*) FILTER (WHERE abs(nps(m.n) - t.nps) > 1e-9 OR responses(m.n) <> t.nps_n
                           OR abs(mean_score(m.n) - t.nps_mean) > 1e-9
                           OR abs(score_stddev(m.n) - t.nps_sd) > 1e-9) AS nps_mismatches,
       count(*) FILTER (WHERE abs(csat(m.c) - t.csat) > 1e-9 OR responses(m.c) <> t.csat_n
                           OR abs(csat(m.c10) - t.csat10) > 1e-9) AS csat_mismatches,
       count(*) FILTER (WHERE abs(ces(m.e) - t.ces) > 1e-9 OR abs(score_stddev(m.e) - t.ces_sd) > 1e-9
                           OR abs(ces(m.e5) - t.ces5) > 1e-9
                           OR abs(ces_easy(m.e5) - t.ces5_easy) > 1e-9) AS ces_mismatches
FROM monthly m FULL JOIN truth t USING (month, seg);
-- Rolled-up states are the very states built from the raw rows, so every
-- interval and test agrees too.
SELECT count(*) FILTER (WHERE m.n::text <> d.n::text OR m.c::text <> d.c::text OR m.e::text <> d.e::text
                           OR m.e5::text <> d.e5::text OR m.c10::text <> d.c10::text) AS state_mismatches,
       count(*) FILTER (WHERE nps_moe(m.n) <> nps_moe(d.n) OR csat_lower(m.c) <> csat_lower(d.c)
                           OR ces_upper(m.e) <> ces_upper(d.e)) AS interval_mismatches
FROM monthly m
JOIN (SELECT date_trunc('month', day)::date AS month, seg, nps_agg(n) n, csat_agg(c) c, ces_agg(e) e,
             ces_agg(e5, 5) e5, csat_agg(n, 0, 10) c10
      FROM engage_responses GROUP BY 1, 2) d USING (month, seg);
SELECT month, seg, responses(n) AS n, round(nps(n)::numeric, 4) AS nps, round(t.nps, 4) AS nps_plain,
       round(csat(c)::numeric, 4) AS csat, round(t.csat, 4) AS csat_plain,
       round(ces(e)::numeric, 4) AS ces, round(t.ces, 4) AS ces_plain
FROM monthly JOIN truth t USING (month, seg)
WHERE seg = 'web' ORDER BY month;

-- All time per segment, and the grand total, in one pass with GROUPING SETS.
SELECT seg, count(*) AS days,
       responses(rollup(nps_st)) = (SELECT count(n) FROM engage_responses r WHERE r.seg = d.seg OR d.seg IS NULL) AS n_ok,
       abs(nps(rollup(nps_st)) -
           (SELECT 100.0 * (count(*) FILTER (WHERE n >= 9) - count(*) FILTER (WHERE n <= 6)) / count(n)
            FROM engage_responses r WHERE r.seg = d.seg OR d.seg IS NULL)) < 1e-9 AS nps_ok,
       abs(csat(rollup(csat_st)) -
           (SELECT 100.0 * count(*) FILTER (WHERE c >= 4) / count(c)
            FROM engage_responses r WHERE r.seg = d.seg OR d.seg IS NULL)) < 1e-9 AS csat_ok,
       abs(ces(rollup(ces5_st)) - (SELECT avg(e5) FROM engage_responses r WHERE r.seg = d.seg OR d.seg IS NULL)) < 1e-9
         AS ces5_ok,
       rollup(ces_st)::text = (SELECT ces_agg(e)::text FROM engage_responses r WHERE r.seg = d.seg OR d.seg IS NULL)
         AS ces_state_ok
FROM engage_daily d
GROUP BY GROUPING SETS ((seg), ())
ORDER BY seg NULLS LAST;
-- Months to quarter equals days to quarter equals segments to total.
SELECT (SELECT rollup(n) FROM monthly)::text = (SELECT rollup(nps_st) FROM engage_daily)::text AS months_eq_days,
       (SELECT rollup(n) FROM monthly)::text = (SELECT nps_agg(n) FROM engage_responses)::text AS months_eq_raw,
       (SELECT rollup(s) FROM (SELECT rollup(nps_st) s FROM engage_daily GROUP BY seg) x)::text
         = (SELECT nps_agg(n) FROM engage_responses)::text AS segments_eq_raw;

-- A period with no stored days gives NULL; so does a period with only NULL states.
SELECT rollup(nps_st) IS NULL AS no_days FROM engage_daily WHERE day >= date '2025-01-01';
SELECT rollup(nps_st) IS NULL AS null_days, rollup(ces_st) IS NULL AS null_ces_day
FROM engage_daily WHERE day = date '2024-01-01' + 10;
-- A day with a NULL state inside a month changes nothing.
SELECT rollup(nps_st)::text = (SELECT nps_agg(n)::text FROM engage_responses WHERE day BETWEEN '2024-01-10' AND '2024-01-12')
         AS with_null_day
FROM engage_daily WHERE day BETWEEN '2024-01-10' AND '2024-01-12';

REFRESH MATERIALIZED VIEW engage_daily;
SELECT count(*) AS day_segments_after_refresh FROM engage_daily;
DROP MATERIALIZED VIEW engage_daily;
DROP TABLE engage_responses;
