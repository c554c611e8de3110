SET search_path = public, engage;
-- 12_activity: active users, DAU/WAU/MAU, stickiness and cohort retention
-- from an activity log, against hand-computed values and independent plain
-- SQL (count(DISTINCT ...), and a cohort matrix built with CTEs and joins).

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;
-- The same, with the DETAIL.
CREATE FUNCTION pg_temp.errd(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' | ' || nullif(d, ''), '');
END $$;

-- ---------------------------------------------------------------------------
-- Hand-computed: user 1 on Jan 1 and Jan 3 (twice), user 2 on Jan 2 and
-- Feb 5, user 3 on Feb 1; rows with a NULL user or day are ignored.
-- Range 2024-01-01 .. 2024-02-05 = 36 days; 2024-01-01 is a Monday.
-- Bitmaps (byte by byte, day 0 = bit 0): user 1 days 0, 2 = 05 00 00 00 00;
-- user 2 days 1, 35 = 02 00 00 00 08 (35 = 8 * 4 + 3); user 3 day 31 = byte
-- 3 bit 7 = 00 00 00 80 00.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hand (user_id bigint, day date);
INSERT INTO hand VALUES (1, '2024-01-01'), (1, '2024-01-03'), (1, '2024-01-03'),
  (2, '2024-01-02'), (2, '2024-02-05'), (3, '2024-02-01'), (NULL, '2024-03-01'), (4, NULL);
SELECT activity_agg(user_id, day) AS st FROM hand \gset
SELECT :'st' AS state, :'st'::activity_state::jsonb AS summary;
-- Whole range 3 users; [Jan 2, Feb 2) users 1 (Jan 3), 2 (Jan 2), 3 (Feb 1) = 3;
-- [Jan 4, Feb 1) nobody; [Feb 1, Feb 6) users 2, 3; a window before the range 0;
-- infinite bounds clamp to the range.
SELECT active_users(s) AS all_users,
       active_users(s, '2024-01-02', '2024-02-02') AS jan2_feb1,
       active_users(s, '2024-01-04', '2024-02-01') AS gap,
       active_users(s, '2024-02-01', '2024-02-06') AS feb,
       active_users(s, '2023-01-01', '2024-01-01') AS before,
       active_users(s, '-infinity', 'infinity') AS inf
FROM (SELECT :'st'::activity_state AS s) x;
-- DAU Jan 3 = 1 (user 1); WAU ending Jan 7 = [Jan 1, Jan 7] users 1, 2 = 2;
-- MAU ending Feb 5 = [Jan 7, Feb 5] users 2, 3 = 2; MAU ending Jan 30 = [Jan 1, Jan 30] = 2.
SELECT dau(s, '2024-01-03') AS dau_jan3, dau(s, '2024-01-04') AS dau_jan4,
       wau(s, '2024-01-07') AS wau_jan7, wau(s, '2024-01-08') AS wau_jan8,
       mau(s, '2024-02-05') AS mau_feb5, mau(s, '2024-01-30') AS mau_jan30,
       dau(s, '2025-01-01') AS dau_outside
FROM (SELECT :'st'::activity_state AS s) x;
-- Stickiness [Jan 1, Jan 4): DAU 1, 1, 1 -> average 1; 2 users active -> 0.5.
-- [Jan 1, Jan 8): 3 user-days / 7 days / 2 users = 0.2142857...
-- [Jan 1, Feb 6): 5 user-days / 36 days / 3 users = 0.0462962...
-- [Jan 4, Jan 10): nobody active -> NULL.
SELECT stickiness(s, '2024-01-01', '2024-01-04') AS s_half,
       stickiness(s, '2024-01-01', '2024-01-08') = 3.0 / 7 / 2 AS s_week,
       stickiness(s, '2024-01-01', '2024-02-06') = 5.0 / 36 / 3 AS s_all,
       stickiness(s, '2024-01-04', '2024-01-10') AS s_none
FROM (SELECT :'st'::activity_state AS s) x;
-- Weeks from Monday: Jan 1-7 users 1, 2; Jan 8 .. Jan 28 none; Jan 29 - Feb 4
-- user 3 (Feb 1); Feb 5 user 2.  Months: January users 1, 2; February 2, 3.
SELECT * FROM activity_series(:'st', 'week');
SELECT * FROM activity_series(:'st', 'month');
SELECT count(*) AS day_rows, sum(active_users) AS user_days
FROM activity_series(:'st');
-- Cohorts by month: January {1, 2}: offset 0 both, offset 1 user 2 (50%);
-- February {3}: offset 0.
SELECT * FROM cohort_retention(:'st');
-- Cohorts by week: week of Jan 1 {1, 2}: offset 0 both, 1..3 none, 4 (Jan 29)
-- none, 5 (Feb 5) user 2; active_or_later 2 at 0, then 1 (user 2) to 5.
-- Week of Jan 29 {3}: offset 0 = 1; offset 1 none, and none later.
SELECT * FROM cohort_retention(:'st', 'week');
-- Units are case-insensitive.
SELECT count(*) AS rows FROM cohort_retention(:'st', 'MONTH');

-- No rows, or only NULLs: NULL.  Unused day ranges grow on both sides.
SELECT activity_agg(user_id, day) IS NULL AS no_rows FROM hand WHERE false;
SELECT activity_agg(user_id, day) IS NULL AS only_nulls FROM hand WHERE user_id IS NULL OR day IS NULL;
SELECT activity_agg(u, d)::text AS one_row FROM (VALUES (-9223372036854775808, DATE '0001-01-01')) v(u, d);
SELECT activity_agg(u, d)::text AS max_user FROM (VALUES (9223372036854775807, DATE '9999-12-31')) v(u, d);

-- Many re-layouts: days descending over ~19 years, then ascending, users in
-- a different order each time; against plain SQL.
CREATE TEMP TABLE wide AS
  SELECT (g % 37) * 1000 - 5000 AS user_id, DATE '2030-01-01' - (g * 7 % 6997) AS day
  FROM generate_series(1, 3000) g;
SELECT (SELECT activity_agg(user_id, day ORDER BY day DESC) FROM wide)::text
     = (SELECT activity_agg(user_id, day ORDER BY day, user_id DESC) FROM wide)::text AS same_any_order,
       (SELECT activity_agg(user_id, day)::jsonb FROM wide)
     - 'bytes' = jsonb_build_object('version', 1, 'first_day', min(day), 'last_day', max(day),
                                    'days', max(day) - min(day) + 1, 'users', count(DISTINCT user_id),
                                    'active_user_days', (SELECT count(*) FROM (SELECT DISTINCT user_id, day FROM wide) x))
       AS summary_matches_sql
FROM wide;
SELECT (SELECT array_agg(active_users ORDER BY period_start) FROM activity_series((SELECT activity_agg(user_id, day) FROM wide), 'month'))
     = (SELECT array_agg(coalesce(n, 0) ORDER BY m)
          FROM generate_series(date_trunc('month', (SELECT min(day) FROM wide)), (SELECT max(day) FROM wide), '1 month') m
          LEFT JOIN (SELECT date_trunc('month', day) AS m, count(DISTINCT user_id) AS n FROM wide GROUP BY 1) c USING (m))
       AS wide_months_match;

-- ---------------------------------------------------------------------------
-- Generated log: 50k rows, 2k users, 120 days, from hashes (deterministic).
-- Each user starts on a hashed day and is active on later days with a
-- skew towards the start; ~0.1% NULL users and days.  A regular table, so
-- that it can be scanned in parallel below.
-- ---------------------------------------------------------------------------
CREATE TABLE act_log AS
SELECT CASE WHEN i % 997 = 0 THEN NULL ELSE u * 1000003 - 1000000000 END AS user_id,
       CASE WHEN i % 991 = 0 THEN NULL
            ELSE DATE '2024-01-01' + (s + (h % 1000) * (h % 1000) * (120 - s) / 1000000)::int END AS day
FROM (SELECT i, u, (hashint8extended(u, 11) & 9223372036854775807) % 120 AS s,
             hashint8extended(i, 13) & 9223372036854775807 AS h
      FROM (SELECT i, (hashint8extended(i, 7) & 9223372036854775807) % 2000 + 1 AS u
            FROM generate_series(1, 50000) i) a) b;
ANALYZE act_log;
CREATE TEMP VIEW clean AS SELECT user_id, day FROM act_log WHERE user_id IS NOT NULL AND day IS NOT NULL;
SELECT count(*) AS rows, count(DISTINCT user_id) AS users, min(day), max(day),
       (SELECT count(*) FROM (SELECT DISTINCT user_id, day FROM clean) x) AS user_days
FROM clean;
CREATE TEMP TABLE one AS SELECT activity_agg(user_id, day) AS st FROM act_log;
SELECT st::jsonb - 'bytes' AS summary, (st::jsonb->>'bytes')::int = 24 + 2000 * (8 + 15) AS size_is_users_x_days
FROM one;

-- DAU per day, users per ISO week and month: plain SQL count(DISTINCT),
-- every period of the range (zeros included).
SELECT unit,
       (SELECT count(*) FROM activity_series((SELECT st FROM one), unit)) AS periods,
       (SELECT count(*) FROM activity_series((SELECT st FROM one), unit) a
          FULL JOIN (SELECT date_trunc(unit, day)::date AS period_start, count(DISTINCT user_id) AS n
                       FROM clean GROUP BY 1) q USING (period_start)
         WHERE a.active_users IS DISTINCT FROM coalesce(q.n, 0)) AS mismatches
FROM unnest(ARRAY['day', 'week', 'month']) unit;

-- dau(), wau() (7 days ending with the day), mau() (30 days) on every day
-- of the range and 40 days around it, against count(DISTINCT) over joins.
SELECT count(*) AS days,
       count(*) FILTER (WHERE dau(o.st, g.d) <> q.dau OR wau(o.st, g.d) <> q.wau OR mau(o.st, g.d) <> q.mau)
         AS mismatches,
       sum(q.dau) AS sum_dau, max(q.wau) AS max_wau, max(q.mau) AS max_mau
FROM one o, (SELECT g::date AS d FROM generate_series(DATE '2023-12-12', DATE '2024-05-19', '1 day') g) g
JOIN LATERAL (SELECT count(DISTINCT user_id) FILTER (WHERE day = g.d) AS dau,
                     count(DISTINCT user_id) FILTER (WHERE day > g.d - 7) AS wau,
                     count(DISTINCT user_id) AS mau
                FROM clean WHERE day > g.d - 30 AND day <= g.d) q ON true;

-- active_users() and stickiness() on periods inside, across and outside the
-- range: stickiness = (user-days / days) / users.
SELECT f, t, a AS active_users, a = q.users AS users_ok,
       round(s::numeric, 12) AS stickiness,
       (s IS NULL AND q.users = 0) OR abs(s - q.user_days::float8 / (t - f) / q.users) < 1e-12 AS stickiness_ok
FROM one o,
     (VALUES (DATE '2024-01-01', DATE '2024-04-30'), ('2024-01-01', '2024-02-01'), ('2024-02-01', '2024-03-01'),
             ('2024-03-10', '2024-03-17'), ('2024-04-29', '2024-04-30'), ('2023-12-01', '2024-01-02'),
             ('2024-04-15', '2024-06-01'), ('2024-06-01', '2024-07-01')) p(f, t)
JOIN LATERAL (SELECT count(DISTINCT user_id) AS users, count(DISTINCT (user_id, day)) AS user_days
                FROM clean WHERE day >= f AND day < t) q ON true,
     LATERAL (SELECT active_users(o.st, f, t) AS a, stickiness(o.st, f, t) AS s) r
ORDER BY f, t;

-- ---------------------------------------------------------------------------
-- Cohort matrix against an independent plain-SQL matrix: first active
-- period per user, joined back to the activity, distinct users counted per
-- cohort and period (on the period, and on it or any later one), over the
-- grid of every cohort and every period from it to the last.
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.cohort_sql(unit text) RETURNS TABLE (cohort date, period_offset int, cohort_size bigint,
    active bigint, retention float8, active_or_later bigint, retention_unbounded float8)
LANGUAGE sql AS $$
  WITH a AS (SELECT DISTINCT user_id, date_trunc(unit, day)::date AS p FROM act_log
              WHERE user_id IS NOT NULL AND day IS NOT NULL),
       f AS (SELECT user_id, min(p) AS cohort FROM a GROUP BY user_id),
       sizes AS (SELECT cohort, count(*) AS n FROM f GROUP BY cohort),
       periods AS (SELECT g::date AS p FROM generate_series((SELECT min(p) FROM a), (SELECT max(p) FROM a),
                                                          ('1 ' || unit)::interval) g),
       grid AS (SELECT s.cohort, s.n, periods.p FROM sizes s JOIN periods ON periods.p >= s.cohort),
       on_p AS (SELECT f.cohort, a.p, count(DISTINCT a.user_id) AS n
                  FROM f JOIN a USING (user_id) GROUP BY f.cohort, a.p),
       later AS (SELECT g.cohort, g.p, count(DISTINCT a.user_id) AS n
                   FROM grid g JOIN f ON f.cohort = g.cohort JOIN a ON a.user_id = f.user_id AND a.p >= g.p
                  GROUP BY g.cohort, g.p)
  SELECT g.cohort,
         CASE unit WHEN 'month' THEN ((extract(year FROM g.p) * 12 + extract(month FROM g.p))
                                     - (extract(year FROM g.cohort) * 12 + extract(month FROM g.cohort)))::int
                   WHEN 'week' THEN (g.p - g.cohort) / 7
                   ELSE g.p - g.cohort END,
         g.n, coalesce(on_p.n, 0), 100.0::float8 * coalesce(on_p.n, 0) / g.n,
         coalesce(later.n, 0), 100.0::float8 * coalesce(later.n, 0) / g.n
    FROM grid g LEFT JOIN on_p USING (cohort, p) LEFT JOIN later USING (cohort, p)
$$;
SELECT unit,
       (SELECT count(*) FROM cohort_retention((SELECT st FROM one), unit)) AS rows,
       (SELECT count(*) FROM (SELECT * FROM cohort_retention((SELECT st FROM one), unit)
                              EXCEPT ALL SELECT * FROM pg_temp.cohort_sql(unit)) x) AS only_engage,
       (SELECT count(*) FROM (SELECT * FROM pg_temp.cohort_sql(unit)
                              EXCEPT ALL SELECT * FROM cohort_retention((SELECT st FROM one), unit)) x) AS only_sql
FROM unnest(ARRAY['month', 'week', 'day']) unit;
-- The monthly matrix itself (rates rounded for display).
SELECT cohort, period_offset, cohort_size, active, round(retention::numeric, 2) AS retention,
       active_or_later, round(retention_unbounded::numeric, 2) AS retention_unbounded
FROM cohort_retention((SELECT st FROM one))
ORDER BY cohort, period_offset;

-- ---------------------------------------------------------------------------
-- Rollup: daily states stored in a table, monthly states, and partitions
-- split by user and by time, all equal to the single pass.
-- ---------------------------------------------------------------------------
CREATE TABLE act_daily AS
  SELECT day, activity_agg(user_id, day) AS st FROM act_log WHERE day IS NOT NULL GROUP BY day;
ANALYZE act_daily;
SELECT count(*) AS daily_states, sum(active_users(st)) AS sum_dau FROM act_daily;
SELECT (SELECT rollup(st) FROM act_daily)::text = (SELECT st FROM one)::text AS daily,
       (SELECT rollup(st ORDER BY day DESC) FROM act_daily)::text = (SELECT st FROM one)::text AS daily_descending,
       (SELECT rollup(st) FROM (SELECT activity_agg(user_id, day) AS st FROM act_log
                                 GROUP BY date_trunc('month', day)) m)::text = (SELECT st FROM one)::text AS monthly,
       (SELECT rollup(st) FROM (SELECT activity_agg(user_id, day) AS st FROM act_log
                                 GROUP BY user_id % 2 = 0) m)::text = (SELECT st FROM one)::text AS split_by_user,
       (SELECT rollup(st) FROM (SELECT activity_agg(user_id, day) AS st FROM act_log
                                 GROUP BY day < '2024-02-15') m)::text = (SELECT st FROM one)::text AS split_by_time,
       (SELECT rollup(st) FROM (SELECT rollup(st) AS st FROM act_daily GROUP BY extract(dow FROM day)) w)::text
         = (SELECT st FROM one)::text AS rollup_of_rollups;
-- Metrics of the rolled-up partitions equal the single-pass metrics.
WITH p AS (SELECT rollup(st) AS st FROM (SELECT activity_agg(user_id, day) AS st FROM act_log
                                         GROUP BY user_id % 3, day < '2024-03-01') x)
SELECT active_users(p.st) = active_users(o.st) AS users,
       stickiness(p.st, '2024-02-01', '2024-03-01') = stickiness(o.st, '2024-02-01', '2024-03-01') AS stickiness,
       (SELECT array_agg(x ORDER BY x) FROM cohort_retention(p.st, 'week') x)
         = (SELECT array_agg(x ORDER BY x) FROM cohort_retention(o.st, 'week') x) AS weekly_cohorts
FROM p, one o;
-- Daily states: DAU / WAU from rollups of the stored days.
SELECT count(*) FILTER (WHERE (SELECT active_users(rollup(st)) FROM act_daily d2
                                WHERE d2.day > d.day - 7 AND d2.day <= d.day) <> wau(o.st, d.day)) AS wau_mismatches
FROM act_daily d, one o;
-- NULL states are ignored by rollup; rollup of nothing is NULL.
SELECT rollup(st) IS NULL AS none, (SELECT rollup(x) FROM (VALUES (NULL::activity_state), ('v1:2024-01-01:1:{5=01}')) v(x))::text AS with_null
FROM act_daily WHERE false;
-- States from different ranges (non-adjacent, unaligned bytes) merge exactly.
SELECT rollup(x)::text AS merged
FROM (VALUES ('v1:2024-01-03:10:{1=0102,2=0002}'::activity_state), ('v1:2024-01-01:1:{2=01}'),
             ('v1:2024-02-01:3:{1=05,3=02}')) v(x);

-- ---------------------------------------------------------------------------
-- Parallel: partial aggregates in workers (serialize, deserialize, combine)
-- give exactly the serial state.
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
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT activity_agg(user_id, day) FROM act_log)::text AS s_all,
       (SELECT string_agg(st::text, ';' ORDER BY g) FROM (SELECT user_id % 3 AS g, activity_agg(user_id, day) AS st
                                                          FROM act_log GROUP BY 1) x) AS s_grouped,
       (SELECT activity_agg(user_id, day) FROM act_log WHERE user_id = -998999997)::text AS s_one_user,
       (SELECT rollup(st) FROM act_daily)::text AS s_rollup \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT activity_agg(user_id, day) FROM act_log;
SELECT pg_temp.is_parallel(q) AS plan, q
FROM (VALUES ('SELECT activity_agg(user_id, day) FROM act_log'),
             ('SELECT user_id % 3, activity_agg(user_id, day) FROM act_log GROUP BY 1'),
             ('SELECT rollup(st) FROM act_daily')) v(q);
SELECT (SELECT activity_agg(user_id, day) FROM act_log)::text = :'s_all' AS same_all,
       (SELECT string_agg(st::text, ';' ORDER BY g) FROM (SELECT user_id % 3 AS g, activity_agg(user_id, day) AS st
                                                          FROM act_log GROUP BY 1) x) = :'s_grouped' AS same_grouped,
       (SELECT activity_agg(user_id, day) FROM act_log WHERE user_id = -998999997)::text = :'s_one_user'
         AS same_with_idle_workers,
       (SELECT rollup(st) FROM act_daily)::text = :'s_rollup' AS same_rollup,
       (SELECT count(*) FROM act_log WHERE user_id = -998999997) AS rows_of_one_user;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- ---------------------------------------------------------------------------
-- Text and binary forms: exact round trips, COPY both ways.
-- ---------------------------------------------------------------------------
SELECT count(*) AS states,
       count(*) FILTER (WHERE st::text::activity_state::text <> st::text) AS text_mismatches,
       count(*) FILTER (WHERE activity_state_send(st) <> activity_state_send(st::text::activity_state))
         AS send_mismatches
FROM (SELECT st FROM act_daily UNION ALL SELECT st FROM one) s;
-- Upper-case hex and surrounding spaces are accepted; output is canonical.
SELECT ' v1:2024-01-01:9:{-3=FF01,7=0a00} '::activity_state::text AS canonical;
-- The binary layout: version, flags, first day (2024-01-01 = 8766 days after
-- 2000-01-01 = 0x223e), days, users, then user id and bitmap bytes.
SELECT activity_state_send('v1:2024-01-01:3:{1=05,2=02}') AS send;
SELECT '/tmp/engage_regress_12_' || current_setting('port') || '_' || pg_backend_pid() AS pfx \gset
SELECT :'pfx' || '_rt.bin' AS f_bin, :'pfx' || '_rt.txt' AS f_txt, :'pfx' || '_bad.bin' AS f_bad \gset
CREATE TEMP TABLE st_rt AS SELECT day, st FROM act_daily UNION ALL SELECT NULL, st FROM one
  UNION ALL SELECT '2000-01-01', NULL;
COPY st_rt TO :'f_bin' WITH (FORMAT binary);
COPY st_rt TO :'f_txt';
CREATE TEMP TABLE st_bin (LIKE st_rt);
CREATE TEMP TABLE st_txt (LIKE st_rt);
COPY st_bin FROM :'f_bin' WITH (FORMAT binary);
COPY st_txt FROM :'f_txt';
SELECT count(*) AS rows,
       count(*) FILTER (WHERE a.st::text IS DISTINCT FROM b.st::text) AS binary_mismatches,
       count(*) FILTER (WHERE a.st::text IS DISTINCT FROM c.st::text) AS text_mismatches
FROM st_rt a JOIN st_bin b ON a.day IS NOT DISTINCT FROM b.day JOIN st_txt c ON a.day IS NOT DISTINCT FROM c.day;

-- Binary input validation: corrupted bytes reach activity_state_recv via COPY.
CREATE TEMP TABLE bad_src (b bytea);
CREATE TEMP TABLE recv_act (s activity_state);
CREATE FUNCTION pg_temp.recv(val bytea, f text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE res text;
BEGIN
  TRUNCATE bad_src;
  INSERT INTO bad_src VALUES (val);
  EXECUTE format('COPY bad_src TO %L WITH (FORMAT binary)', f);
  TRUNCATE recv_act;
  res := pg_temp.errd(format('COPY recv_act FROM %L WITH (FORMAT binary)', f));
  IF res = 'no error' THEN
    SELECT 'ok: ' || string_agg(s::text, ',') FROM recv_act INTO res;
  END IF;
  RETURN regexp_replace(res, 'COPY recv_act.*$', '');
EXCEPTION WHEN OTHERS THEN RETURN 'unexpected: ' || SQLERRM;
END $$;
-- good: v1:2024-01-01:3:{1=05,2=02} is 34 bytes: version at 1, flags 3,
-- first day 5, days 9, users 13, user 1 at 17 and its byte at 25, user 2
-- at 26 and its byte at 34.
CREATE TEMP TABLE good AS SELECT activity_state_send('v1:2024-01-01:3:{1=05,2=02}') AS b;
SELECT name, pg_temp.recv(val, :'f_bad') AS result
FROM (SELECT 1, 'unchanged', b FROM good
      UNION ALL SELECT 2, 'version 2', overlay(b PLACING '\x0002' FROM 1) FROM good
      UNION ALL SELECT 3, 'version 0', overlay(b PLACING '\x0000' FROM 1) FROM good
      UNION ALL SELECT 4, 'flags 1', overlay(b PLACING '\x0001' FROM 3) FROM good
      UNION ALL SELECT 5, 'days 0', overlay(b PLACING '\x00000000' FROM 9) FROM good
      UNION ALL SELECT 6, 'days 7321', overlay(b PLACING '\x00001c99' FROM 9) FROM good
      UNION ALL SELECT 7, 'days 9 (2 bytes each)', overlay(b PLACING '\x00000009' FROM 9) FROM good
      UNION ALL SELECT 8, 'users 0', overlay(b PLACING '\x00000000' FROM 13) FROM good
      UNION ALL SELECT 9, 'users 3', overlay(b PLACING '\x00000003' FROM 13) FROM good
      UNION ALL SELECT 10, 'users -1', overlay(b PLACING '\xffffffff' FROM 13) FROM good
      UNION ALL SELECT 11, 'users 2^31-1', overlay(b PLACING '\x7fffffff' FROM 13) FROM good
      UNION ALL SELECT 12, 'trailing byte', b || '\x00'::bytea FROM good
      UNION ALL SELECT 13, 'one byte short', substring(b FROM 1 FOR 33) FROM good
      UNION ALL SELECT 14, 'header only', substring(b FROM 1 FOR 16) FROM good
      UNION ALL SELECT 15, 'short header', substring(b FROM 1 FOR 10) FROM good
      UNION ALL SELECT 16, 'user ids descending', overlay(b PLACING '\x0000000000000003' FROM 17) FROM good
      UNION ALL SELECT 17, 'duplicate user id', overlay(b PLACING '\x0000000000000002' FROM 17) FROM good
      UNION ALL SELECT 18, 'user without a day', overlay(b PLACING '\x00' FROM 34) FROM good
      UNION ALL SELECT 19, 'bit past the range', overlay(b PLACING '\x0d' FROM 25) FROM good
      UNION ALL SELECT 20, 'first day unused', overlay(b PLACING '\x04' FROM 25) FROM good
      UNION ALL SELECT 21, 'last day unused', overlay(b PLACING '\x01' FROM 25) FROM good
      UNION ALL SELECT 22, 'first day infinity', overlay(b PLACING '\x7fffffff' FROM 5) FROM good
      UNION ALL SELECT 23, 'range past 9999-12-31', overlay(b PLACING '\x002c95d2' FROM 5) FROM good
     ) t(k, name, val)
ORDER BY k;
SELECT format('rm -f %s %s %s', :'f_bin', :'f_txt', :'f_bad') AS rm_cmd \gset
COPY (SELECT 1 WHERE false) TO PROGRAM :'rm_cmd';

-- ---------------------------------------------------------------------------
-- Errors, with their SQLSTATEs.
-- ---------------------------------------------------------------------------
SELECT k, pg_temp.errd(q) AS result
FROM (VALUES
  -- malformed literals: 22P02
  (1, $$SELECT 'x'::activity_state$$),
  (2, $$SELECT 'v2:2024-01-01:1:{1=01}'::activity_state$$),
  (3, $$SELECT 'v1:2024-02-30:1:{1=01}'::activity_state$$),
  (4, $$SELECT 'v1:24-01-01:1:{1=01}'::activity_state$$),
  (5, $$SELECT 'v1:2024-01-01:0:{1=01}'::activity_state$$),
  (6, $$SELECT 'v1:2024-01-01:7321:{1=01}'::activity_state$$),
  (7, $$SELECT 'v1:2024-01-01:9:{1=01}'::activity_state$$),
  (8, $$SELECT 'v1:2024-01-01:9:{1=010100}'::activity_state$$),
  (9, $$SELECT 'v1:2024-01-01:1:{1=0g}'::activity_state$$),
  (10, $$SELECT 'v1:2024-01-01:1:{}'::activity_state$$),
  (11, $$SELECT 'v1:2024-01-01:1:{2=01,1=01}'::activity_state$$),
  (12, $$SELECT 'v1:2024-01-01:1:{1=01,1=01}'::activity_state$$),
  (13, $$SELECT 'v1:2024-01-01:2:{1=01,2=00}'::activity_state$$),
  (14, $$SELECT 'v1:2024-01-01:2:{1=07}'::activity_state$$),
  (15, $$SELECT 'v1:2024-01-01:3:{1=06}'::activity_state$$),
  (16, $$SELECT 'v1:2024-01-01:3:{1=03}'::activity_state$$),
  (17, $$SELECT 'v1:2024-01-01:1:{1=01} x'::activity_state$$),
  (18, $$SELECT 'v1:2024-01-01:1:{9223372036854775808=01}'::activity_state$$),
  (19, $$SELECT 'v1:2024-01-01:1:{1=01'::activity_state$$),
  (20, $$SELECT 'v1:9999-12-31:2:{1=03}'::activity_state$$),
  (21, $$SELECT 'v1:2024-01-01:1:{1:01}'::activity_state$$),
  -- bad arguments: 22023
  (30, $$SELECT * FROM activity_series('v1:2024-01-01:1:{1=01}', 'year')$$),
  (31, $$SELECT * FROM cohort_retention('v1:2024-01-01:1:{1=01}', 'quarter')$$),
  (32, $$SELECT active_users('v1:2024-01-01:1:{1=01}', '2024-01-02', '2024-01-02')$$),
  (33, $$SELECT stickiness('v1:2024-01-01:1:{1=01}', '2024-02-01', '2024-01-01')$$),
  (34, $$SELECT stickiness('v1:2024-01-01:1:{1=01}', '2024-01-01', 'infinity')$$),
  (35, $$SELECT dau('v1:2024-01-01:1:{1=01}', 'infinity')$$),
  (36, $$SELECT activity_agg(1, 'infinity'::date)$$),
  (37, $$SELECT activity_agg(1, '0001-12-31 BC'::date)$$),
  -- ranges longer than 20 years: 54000
  (40, $$SELECT activity_agg(1, d) FROM (VALUES (DATE '2000-01-01'), ('2020-02-01')) v(d)$$),
  (41, $$SELECT rollup(x) FROM (VALUES ('v1:2000-01-01:1:{1=01}'::activity_state), ('v1:2020-02-01:1:{2=01}')) v(x)$$),
  (42, $$SELECT * FROM cohort_retention((SELECT activity_agg(1, d) FROM (VALUES (DATE '2000-01-01'), ('2019-12-31')) v(d)), 'day')$$)
) v(k, q)
ORDER BY k;
-- The DETAIL lists the units.
DO $$
BEGIN
  PERFORM * FROM activity_series('v1:2024-01-01:1:{1=01}', 'year');
EXCEPTION WHEN OTHERS THEN
  DECLARE d text; BEGIN GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL; RAISE NOTICE '%: %', SQLSTATE, d; END;
END $$;
-- A 20-year range is allowed: 7320 days.
SELECT (activity_agg(1, d)::jsonb)->>'days' AS days
FROM (VALUES (DATE '2000-01-01'), (DATE '2000-01-01' + 7319)) v(d);

DROP VIEW clean;
DROP TABLE act_daily, act_log;

-- Dense small ids take a direct index, sparse and negative ones a hash; ids
-- hashed before the index grew past them move into it.  Mixed keys in any
-- arrival order give the count(DISTINCT) truth and one canonical state.
CREATE TEMP TABLE mixed_ids AS
  SELECT CASE WHEN g % 5 = 0 THEN abs(hashint4(g))::bigint << 20
              WHEN g % 7 = 0 THEN -g
              ELSE g % 70000 END AS uid,
         date '2024-01-01' + g % 90 AS d
  FROM generate_series(1, 300000) g;
SELECT (SELECT active_users(activity_agg(uid, d)) FROM mixed_ids)
         = (SELECT count(DISTINCT uid) FROM mixed_ids) AS all_users_ok,
       (SELECT active_users(s, '2024-02-01', '2024-03-01') FROM (SELECT activity_agg(uid, d) s FROM mixed_ids) q)
         = (SELECT count(DISTINCT uid) FROM mixed_ids WHERE d >= '2024-02-01' AND d < '2024-03-01') AS february_ok,
       (SELECT activity_agg(uid, d)::text FROM (SELECT * FROM mixed_ids ORDER BY uid DESC) q)
         = (SELECT activity_agg(uid, d)::text FROM (SELECT * FROM mixed_ids ORDER BY d, uid) q) AS order_independent;
DROP TABLE mixed_ids;
