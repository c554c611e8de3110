SET search_path = public, engage;
-- 06_window: the aggregates as window functions (moving frames use the
-- inverse transitions) against the same window over plain-SQL counts.

-- Both NULL, or both set and equal to 1e-9.
CREATE FUNCTION pg_temp.same(a float8, b numeric) RETURNS bool LANGUAGE sql IMMUTABLE AS
  $$ SELECT (a IS NULL AND b IS NULL) OR coalesce(abs(a - b::float8) < 1e-9, false) $$;

-- 1000 rows; every 7th score NULL, and 100..140 all NULL (longer than the
-- 30-row frame, so some frames hold only NULLs).
CREATE TEMP TABLE w AS
  SELECT g AS id, g % 3 AS seg,
         CASE WHEN g % 7 = 0 OR g BETWEEN 100 AND 140 THEN NULL ELSE abs(hashint4(g)) % 11 END AS s,
         CASE WHEN g % 5 = 0 OR g BETWEEN 100 AND 140 THEN NULL ELSE 1 + abs(hashint4(g + 7)) % 5 END AS s5,
         CASE WHEN g % 6 = 0 OR g BETWEEN 100 AND 140 THEN NULL ELSE 1 + abs(hashint4(g + 9)) % 7 END AS s7
  FROM generate_series(1, 1000) g;

-- NPS over the last 30 rows.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE NOT pg_temp.same(ext, sql)) AS mismatches,
       count(*) FILTER (WHERE ext IS NULL) AS null_frames
FROM (SELECT nps(s) OVER f AS ext,
             100.0 * (count(*) FILTER (WHERE s >= 9) OVER f - count(*) FILTER (WHERE s <= 6) OVER f)
               / nullif(count(s) OVER f, 0) AS sql
      FROM w WINDOW f AS (ORDER BY id ROWS BETWEEN 29 PRECEDING AND CURRENT ROW)) q;
-- A few rows, including frames of only NULLs (ids 129..140).
SELECT id, s, round(nps(s) OVER f::numeric, 4) AS nps,
       round(100.0 * (count(*) FILTER (WHERE s >= 9) OVER f - count(*) FILTER (WHERE s <= 6) OVER f)
             / nullif(count(s) OVER f, 0), 4) AS plain
FROM w WINDOW f AS (ORDER BY id ROWS BETWEEN 29 PRECEDING AND CURRENT ROW)
ORDER BY id LIMIT 3;
SELECT id, nps FROM (SELECT id, nps(s) OVER (ORDER BY id ROWS BETWEEN 29 PRECEDING AND CURRENT ROW) AS nps
                     FROM w) q WHERE id BETWEEN 127 AND 142 ORDER BY id;

-- Frames that are empty (the first row) or shrink: 2 PRECEDING AND 1 PRECEDING.
SELECT id, s, s5, s7, nps(s) OVER f AS nps, nps_agg(s) OVER f AS state, csat(s5) OVER f AS csat,
       ces(s7) OVER f AS ces
FROM w WINDOW f AS (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING)
ORDER BY id LIMIT 4;
SELECT count(*) FILTER (WHERE NOT pg_temp.same(ext, sql)) AS mismatches
FROM (SELECT nps(s) OVER f AS ext,
             100.0 * (count(*) FILTER (WHERE s >= 9) OVER f - count(*) FILTER (WHERE s <= 6) OVER f)
               / nullif(count(s) OVER f, 0) AS sql
      FROM w WINDOW f AS (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING)) q;

-- Other frames and partitions: running total, whole partition, per segment.
SELECT frame, count(*) FILTER (WHERE NOT pg_temp.same(ext, sql)) AS mismatches
FROM (SELECT 'running' AS frame, nps(s) OVER f AS ext,
             100.0 * (count(*) FILTER (WHERE s >= 9) OVER f - count(*) FILTER (WHERE s <= 6) OVER f)
               / nullif(count(s) OVER f, 0) AS sql
      FROM w WINDOW f AS (ORDER BY id)
      UNION ALL
      SELECT 'partition', nps(s) OVER f,
             100.0 * (count(*) FILTER (WHERE s >= 9) OVER f - count(*) FILTER (WHERE s <= 6) OVER f)
               / nullif(count(s) OVER f, 0)
      FROM w WINDOW f AS (PARTITION BY seg)
      UNION ALL
      SELECT 'segment 10 rows', nps(s::float8) OVER f,
             100.0 * (count(*) FILTER (WHERE s >= 9) OVER f - count(*) FILTER (WHERE s <= 6) OVER f)
               / nullif(count(s) OVER f, 0)
      FROM w WINDOW f AS (PARTITION BY seg ORDER BY id ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)
      UNION ALL
      SELECT 'following', nps(s) OVER f,
             100.0 * (count(*) FILTER (WHERE s >= 9) OVER f - count(*) FILTER (WHERE s <= 6) OVER f)
               / nullif(count(s) OVER f, 0)
      FROM w WINDOW f AS (ORDER BY id ROWS BETWEEN 3 FOLLOWING AND 20 FOLLOWING)) q
GROUP BY frame ORDER BY frame;

-- CSAT, CES and the state-building aggregates over the 30-row frame.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE NOT pg_temp.same(c, 100.0 * (count_ge4) / nullif(n5, 0))) AS csat_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(c10, 100.0 * count_ge7 / nullif(n10, 0))) AS csat_scale_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(cb, 100.0 * count_ge4 / nullif(n5, 0))) AS csat_bool_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(e, avg7)) AS ces_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(e5, avg5)) AS ces5_bad,
       count(*) FILTER (WHERE coalesce(responses(st), 0) <> n10
                           OR coalesce(promoters(st), 0) <> p10
                           OR coalesce(detractors(st), 0) <> d10
                           OR (st IS NULL) <> (n10 = 0)) AS nps_agg_bad,
       count(*) FILTER (WHERE coalesce(satisfied(cst), 0) <> count_ge4 OR (cst IS NULL) <> (n5 = 0)) AS csat_agg_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(ces_easy(est), 100.0 * easy5 / nullif(n5, 0))) AS ces_agg_bad
FROM (SELECT csat(s5) OVER f AS c, csat(s, 0, 10, 7) OVER f AS c10, csat(s5 >= 4) OVER f AS cb,
             ces(s7) OVER f AS e, ces(s5, 5) OVER f AS e5,
             nps_agg(s) OVER f AS st, csat_agg(s5) OVER f AS cst, ces_agg(s5::float8, 5) OVER f AS est,
             count(*) FILTER (WHERE s5 >= 4) OVER f AS count_ge4, count(s5) OVER f AS n5,
             count(*) FILTER (WHERE s >= 7) OVER f AS count_ge7, count(s) OVER f AS n10,
             count(*) FILTER (WHERE s >= 9) OVER f AS p10, count(*) FILTER (WHERE s <= 6) OVER f AS d10,
             count(*) FILTER (WHERE s5 <= 2) OVER f AS easy5,
             avg(s7) OVER f AS avg7, avg(s5) OVER f AS avg5
      FROM w WINDOW f AS (ORDER BY id ROWS BETWEEN 29 PRECEDING AND CURRENT ROW)) q;

-- rollup() over a moving window of stored daily states.  Days 1-2 and
-- 20-27 have only NULL scores (NULL states); the 7-day frame over 20-27 is
-- all NULL states.
CREATE TEMP TABLE raw AS
  SELECT 1 + (g - 1) / 25 AS day,
         CASE WHEN (g - 1) / 25 + 1 IN (1, 2) OR (g - 1) / 25 + 1 BETWEEN 20 AND 27 OR g % 9 = 0
              THEN NULL ELSE abs(hashint4(g)) % 11 END AS s,
         CASE WHEN (g - 1) / 25 + 1 IN (1, 2) OR (g - 1) / 25 + 1 BETWEEN 20 AND 27
              THEN NULL ELSE 1 + abs(hashint4(g + 5)) % 5 END AS s5
  FROM generate_series(1, 1500) g;
CREATE TEMP TABLE daily AS
  SELECT day, nps_agg(s) AS n, csat_agg(s5) AS c, ces_agg(s5, 5) AS e FROM raw GROUP BY day;
SELECT count(*) AS days, count(*) FILTER (WHERE n IS NULL) AS null_states FROM daily;
SELECT count(*) AS days,
       count(*) FILTER (WHERE rn::text IS DISTINCT FROM
                        (SELECT nps_agg(s)::text FROM raw WHERE raw.day BETWEEN q.day - 6 AND q.day)) AS nps_state_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(nps(rn),
                        (SELECT 100.0 * (count(*) FILTER (WHERE s >= 9) - count(*) FILTER (WHERE s <= 6))
                                / nullif(count(s), 0) FROM raw WHERE raw.day BETWEEN q.day - 6 AND q.day))) AS nps_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(csat(rc),
                        (SELECT 100.0 * count(*) FILTER (WHERE s5 >= 4) / nullif(count(s5), 0)
                         FROM raw WHERE raw.day BETWEEN q.day - 6 AND q.day))) AS csat_bad,
       count(*) FILTER (WHERE NOT pg_temp.same(ces(re),
                        (SELECT avg(s5) FROM raw WHERE raw.day BETWEEN q.day - 6 AND q.day))) AS ces_bad,
       count(*) FILTER (WHERE rn IS NULL) AS null_frames
FROM (SELECT day, rollup(n) OVER f AS rn, rollup(c) OVER f AS rc, rollup(e) OVER f AS re
      FROM daily WINDOW f AS (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW)) q;
SELECT day, rollup(n) OVER f AS state, round(nps(rollup(n) OVER f)::numeric, 4) AS nps
FROM daily WINDOW f AS (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW)
ORDER BY day OFFSET 24 LIMIT 12;
-- Empty frames over states, and the RANGE form over days.
SELECT day, rollup(n) OVER (ORDER BY day ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) AS state
FROM daily ORDER BY day LIMIT 4;
SELECT count(*) FILTER (WHERE rn::text IS DISTINCT FROM
                        (SELECT nps_agg(s)::text FROM raw WHERE raw.day BETWEEN q.day - 3 AND q.day + 1)) AS range_bad
FROM (SELECT day, rollup(n) OVER (ORDER BY day RANGE BETWEEN 3 PRECEDING AND 1 FOLLOWING) AS rn FROM daily) q;
