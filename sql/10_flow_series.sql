SET search_path = public, engage;
-- 10_flow_series: the one-pass churn series subscription_flow() and its
-- reader flow_periods(), against hand-computed values, the churn_rate() /
-- retention_rate() aggregates run period by period, and plain SQL FILTER
-- counts; rollup, parallel plans, text and binary round trips, errors.
--
-- Definitions (flow.c), for the period [ps, pe):
--   S  = started_at < ps AND (ended_at IS NULL OR ended_at >= ps)
--   N  = ps <= started_at < pe
--   L  = in S AND ps <= ended_at < pe
--   NL = in N AND ended_at < pe
--   E  = started_at < pe AND (ended_at IS NULL OR ended_at >= pe) = S - L + N - NL
-- churn_rate = 100 L / S, retention_rate = 100 (E - N) / S,
-- retention_rate_excluding_new = 100 (S - L) / S, net_growth = 100 (E - S) / S.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET extra_float_digits = 0;

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;

-- bin_recv(payload): payload (bytea) received as a flow_state through COPY
-- ... FORMAT binary, so its bytes reach flow_state_recv unchanged.
CREATE FUNCTION pg_temp.bin_recv(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    f text := current_setting('data_directory') || '/engage_fs_' || pg_backend_pid() || '.bin';
    r text;
BEGIN
    IF to_regclass('pg_temp.fs_bin_in') IS NULL THEN
        CREATE TEMP TABLE fs_bin_in (s flow_state);
    END IF;
    TRUNCATE fs_bin_in;
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', payload, f);
    EXECUTE format('COPY fs_bin_in FROM PROGRAM %L (FORMAT binary)',
                   format('cat ''%s''; rc=$?; rm -f ''%s''; exit $rc', f, f));
    SELECT s::text INTO r FROM fs_bin_in;
    RETURN r;
END $$;

-- ---------------------------------------------------------------------------
-- Hand-computed: the subscriptions of 09_flow, two calendar months of 2024
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hand (k text, started_at timestamptz, ended_at timestamptz);
INSERT INTO hand VALUES
  ('a', '2023-06-01', NULL),          -- Jan: S, E           Feb: S, E
  ('b', '2023-06-01', '2024-01-15'),  -- Jan: S, L
  ('c', '2023-12-01', '2024-01-01'),  -- Jan: ended exactly at ps: S, L
  ('d', '2023-12-01', '2023-12-31'),  -- gone before the series: nothing
  ('e', '2024-01-01', NULL),          -- Jan: started exactly at ps: N, E   Feb: S, E
  ('f', '2024-01-10', '2024-01-20'),  -- Jan: N, NL
  ('g', '2024-01-20', '2024-02-01'),  -- Jan: N, ended exactly at pe: E      Feb: S, L
  ('h', '2024-02-01', NULL),          -- Jan: nothing (starts at pe)         Feb: N, E
  ('i', NULL, NULL),                  -- ignored
  ('i2', NULL, '2020-01-01'),         -- ignored (no start)
  ('j', '2023-01-01', '2024-02-01'),  -- Jan: S, E                           Feb: S, L (ends at ps)
  ('k', '2023-05-05', '2024-03-01'),  -- Jan: S, E                           Feb: S, E (ends at pe = series_end)
  ('l', '2024-01-05', '2024-01-05');  -- Jan: zero length inside: N, NL
-- January: S = a b c j k = 5; N = e f g l = 4; L = b c = 2; NL = f l = 2;
--   E = a e g j k = 5.  churn 100*2/5 = 40; retention 100*(5-4)/5 = 20;
--   excluding new 100*(5-2)/5 = 60; net growth 100*(5-5)/5 = 0.
-- February: S = 5 (E of January); N = h = 1; L = g j = 2; NL = 0;
--   E = a e h k = 4.  churn 40; retention 100*(4-1)/5 = 60; excluding new 60;
--   net growth 100*(4-5)/5 = -20.
SELECT p.* FROM (SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '1 month') s FROM hand) q,
       flow_periods(q.s) p;
-- The state: the bounds (UTC) and {S,N,L,NL} per period, then series_end.
SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '1 month') FROM hand;
-- The same counts as the existing per-period aggregates (09_flow):
SELECT churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') AS jan_churn,
       retention_rate(started_at, ended_at, '2024-01-01', '2024-02-01') AS jan_ret,
       churn_rate(started_at, ended_at, '2024-02-01', '2024-03-01') AS feb_churn,
       retention_rate(started_at, ended_at, '2024-02-01', '2024-03-01') AS feb_ret
FROM hand;

-- The last period is cut at series_end: [2024-01-01, 2024-02-01),
-- [2024-02-01, 2024-02-15).  Second period: S = a e g j k = 5; g and j end
-- at ps: L = 2; h starts 02-01: N = 1, NL = 0; k ends 03-01 >= pe: E;
-- E = a e h k = 4.
INSERT INTO hand VALUES ('m', '2024-02-15', NULL), ('n', '2024-02-14 23:59:59.999999', '2024-02-15');
-- n starts in the second period and ends exactly at its end (series_end):
-- N and not NL.  So the second period has N = h n = 2, E = a e h k n = 5;
-- m (starts at series_end) counts nowhere.
SELECT period_start, period_end, customers_start AS s, new_customers AS n, lost_customers AS l, customers_end AS e
FROM flow_periods((SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-02-15', '1 month') FROM hand));
DELETE FROM hand WHERE k IN ('m', 'n');

-- Calendar arithmetic: bounds are series_start + k * step, so from January 31
-- the months end on the 29th of February (leap year), the 31st of March, the
-- 30th of April (not the 29th, as repeated addition would give).
SELECT period_start, period_end
FROM flow_periods((SELECT subscription_flow(started_at, ended_at, '2024-01-31', '2024-05-15', '1 month') FROM hand));
-- Weekly and mixed steps: 7 days from Monday 2024-01-01; '1 day 12 hours'.
SELECT count(*) AS weeks, min(period_start) AS first, max(period_end) AS last
FROM flow_periods((SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-04-01', '7 days') FROM hand));
SELECT period_start, period_end
FROM flow_periods((SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-01-05', '1 day 12 hours') FROM hand));

-- A series before every subscription ends: a..k all start later or end
-- before.  [2020-01-01, 2020-03-01): nothing active, rates NULL.
SELECT p.* FROM flow_periods((SELECT subscription_flow(started_at, ended_at, '2020-01-01', '2020-03-01', '1 month') FROM hand)) p;
-- Still-active customers only (NULL ended_at): a, e, h; the series
-- [2025-01-01, 2025-03-01) is after every start: S = 3, nothing lost.
SELECT customers_start, new_customers, lost_customers, customers_end, churn_rate, retention_rate
FROM flow_periods((SELECT subscription_flow(started_at, ended_at, '2025-01-01', '2025-03-01', '1 month')
                   FROM hand WHERE ended_at IS NULL));
-- No rows: NULL.  Only rows without a start: a state of zeros.
SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '1 month') IS NULL AS no_rows
FROM hand WHERE false;
SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '1 month') FROM hand WHERE started_at IS NULL;

-- Bounds are computed in the session time zone and stored: a series of
-- New York months built there reads the same in UTC (5:00 / 4:00 UTC around
-- the DST change of 2024-03-10).
SET TimeZone = 'America/New_York';
CREATE TEMP TABLE ny AS
  SELECT subscription_flow(started_at, ended_at, '2024-02-01', '2024-05-01', '1 month') AS s FROM hand;
SET TimeZone = 'UTC';
SELECT s FROM ny;
SELECT period_start, period_end FROM ny, flow_periods(ny.s);

-- ---------------------------------------------------------------------------
-- A generated table: ~20k subscriptions over 2022-2025, 24 monthly periods.
-- Every column comes from hashes of the id; 30% still active; 5% start and
-- 5% end exactly on a month boundary; 2% have zero length.
-- ---------------------------------------------------------------------------
CREATE TABLE fs_subs AS
SELECT id, started_at,
       CASE WHEN h2 % 10 < 3 THEN NULL
            WHEN h2 % 50 = 3 THEN started_at
            WHEN h2 % 20 = 4 THEN date_trunc('month', started_at + (h3 % 700 + 31) * interval '1 day')
            ELSE started_at + (h3 % 600000) * interval '1 minute' END AS ended_at
FROM (SELECT id, h2, h3,
             CASE WHEN h1 % 20 = 0 THEN date_trunc('month', '2022-06-01'::timestamptz + (h1 % 1300) * interval '1 day')
                  ELSE '2022-06-01'::timestamptz + (h1 % 1900000) * interval '1 minute' END AS started_at
      FROM (SELECT id, hashint8extended(id, 1) & 9223372036854775807 AS h1,
                   (hashint8extended(id, 2) & 9223372036854775807) / 7 AS h2,
                   (hashint8extended(id, 3) & 9223372036854775807) / 11 AS h3
            FROM generate_series(1, 20000) id) h) s;
ANALYZE fs_subs;
SELECT count(*) AS subscriptions, count(ended_at) AS ended, count(*) FILTER (WHERE ended_at = started_at) AS zero_length,
       count(*) FILTER (WHERE started_at = date_trunc('month', started_at)) AS start_on_boundary
FROM fs_subs;

-- The periods in plain SQL, and the counts with FILTER (the independent truth).
CREATE FUNCTION pg_temp.periods(ss timestamptz, se timestamptz, step interval)
RETURNS TABLE (ps timestamptz, pe timestamptz) LANGUAGE sql STABLE AS $$
  SELECT ss + k * step, least(ss + (k + 1) * step, se)
  FROM generate_series(0, 100000) k WHERE ss + k * step < se $$;
CREATE FUNCTION pg_temp.truth(ss timestamptz, se timestamptz, step interval)
RETURNS TABLE (ps timestamptz, pe timestamptz, s bigint, n bigint, l bigint, e bigint)
LANGUAGE sql STABLE AS $$
  SELECT p.ps, p.pe,
         count(*) FILTER (WHERE started_at < p.ps AND (ended_at IS NULL OR ended_at >= p.ps)),
         count(*) FILTER (WHERE started_at >= p.ps AND started_at < p.pe),
         count(*) FILTER (WHERE started_at < p.ps AND ended_at >= p.ps AND ended_at < p.pe),
         count(*) FILTER (WHERE started_at < p.pe AND (ended_at IS NULL OR ended_at >= p.pe))
  FROM pg_temp.periods(ss, se, step) p CROSS JOIN fs_subs
  GROUP BY p.ps, p.pe $$;
CREATE FUNCTION pg_temp.engine(ss timestamptz, se timestamptz, step interval)
RETURNS TABLE (ps timestamptz, pe timestamptz, s bigint, n bigint, l bigint, e bigint)
LANGUAGE sql STABLE AS $$
  SELECT p.period_start, p.period_end, p.customers_start, p.new_customers, p.lost_customers, p.customers_end
  FROM (SELECT subscription_flow(started_at, ended_at, ss, se, step) st FROM fs_subs) q, flow_periods(q.st) p $$;
-- Rows of one side missing from the other (0 and 0) for three series: 24
-- calendar months, weeks ending mid-week, and 24 months in New York time
-- (DST changes inside periods); then the number of periods and the totals,
-- so that agreement is not agreement on nothing.
CREATE TEMP TABLE cmp_month_t AS SELECT * FROM pg_temp.truth('2023-01-01', '2025-01-01', '1 month');
CREATE TEMP TABLE cmp_month_g AS SELECT * FROM pg_temp.engine('2023-01-01', '2025-01-01', '1 month');
CREATE TEMP TABLE cmp_week_t AS SELECT * FROM pg_temp.truth('2023-03-01', '2023-12-23', '7 days');
CREATE TEMP TABLE cmp_week_g AS SELECT * FROM pg_temp.engine('2023-03-01', '2023-12-23', '7 days');
SET TimeZone = 'America/New_York';
CREATE TEMP TABLE cmp_ny_t AS SELECT * FROM pg_temp.truth('2023-01-01', '2025-01-01', '1 month');
CREATE TEMP TABLE cmp_ny_g AS SELECT * FROM pg_temp.engine('2023-01-01', '2025-01-01', '1 month');
SET TimeZone = 'UTC';
SELECT 'month' AS series,
       (SELECT count(*) FROM (TABLE cmp_month_t EXCEPT ALL TABLE cmp_month_g) x) AS truth_not_engine,
       (SELECT count(*) FROM (TABLE cmp_month_g EXCEPT ALL TABLE cmp_month_t) x) AS engine_not_truth
UNION ALL
SELECT 'week', (SELECT count(*) FROM (TABLE cmp_week_t EXCEPT ALL TABLE cmp_week_g) x),
       (SELECT count(*) FROM (TABLE cmp_week_g EXCEPT ALL TABLE cmp_week_t) x)
UNION ALL
SELECT 'ny', (SELECT count(*) FROM (TABLE cmp_ny_t EXCEPT ALL TABLE cmp_ny_g) x),
       (SELECT count(*) FROM (TABLE cmp_ny_g EXCEPT ALL TABLE cmp_ny_t) x);
SELECT 'month' AS series, count(*) AS periods, sum(s) AS sum_s, sum(n) AS sum_n, sum(l) AS sum_l, sum(e) AS sum_e,
       min(pe - ps) AS shortest, max(pe - ps) AS longest FROM cmp_month_g
UNION ALL
SELECT 'week', count(*), sum(s), sum(n), sum(l), sum(e), min(pe - ps), max(pe - ps) FROM cmp_week_g
UNION ALL
SELECT 'ny', count(*), sum(s), sum(n), sum(l), sum(e), min(pe - ps), max(pe - ps) FROM cmp_ny_g;
-- The first three months, to read.
SELECT * FROM cmp_month_g ORDER BY ps LIMIT 3;

-- Against the existing aggregates run once per period (a join to the
-- periods, grouped by period): churn_rate, retention_rate and
-- retention_rate_excluding_new agree exactly on every one of the 24 months.
SELECT count(*) AS periods,
       count(*) FILTER (WHERE a.churn IS NOT DISTINCT FROM f.churn_rate
                          AND a.retention IS NOT DISTINCT FROM f.retention_rate
                          AND a.excl IS NOT DISTINCT FROM f.retention_rate_excluding_new) AS equal
FROM (SELECT p.ps, churn_rate(started_at, ended_at, p.ps, p.pe) AS churn,
             retention_rate(started_at, ended_at, p.ps, p.pe) AS retention,
             retention_rate_excluding_new(started_at, ended_at, p.ps, p.pe) AS excl
      FROM pg_temp.periods('2023-01-01', '2025-01-01', '1 month') p CROSS JOIN fs_subs
      GROUP BY p.ps) a
JOIN flow_periods((SELECT subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month') FROM fs_subs)) f
  ON f.period_start = a.ps;
-- net_growth against plain SQL: 100 (E - S) / S.
SELECT count(*) FILTER (WHERE abs(f.net_growth - 100.0 * (t.e - t.s) / t.s) < 1e-9) AS net_growth_equal, count(*) AS periods
FROM cmp_month_t t JOIN flow_periods((SELECT subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month') FROM fs_subs)) f
  ON f.period_start = t.ps;

-- ---------------------------------------------------------------------------
-- Rollup: states of two partitions (odd and even ids) add up to the
-- single-pass state; so do twelve states grouped by id % 12.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE fs_parts AS
  SELECT id % 2 AS part, subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month') AS s
  FROM fs_subs GROUP BY id % 2;
SELECT (SELECT rollup(s)::text FROM fs_parts) =
       (SELECT subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month')::text FROM fs_subs) AS two_parts_equal,
       (SELECT rollup(s)::text FROM (SELECT subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month') s
                                     FROM fs_subs GROUP BY id % 12) x) =
       (SELECT subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month')::text FROM fs_subs) AS twelve_parts_equal;
-- Each partition alone differs from the whole; NULL states are skipped.
SELECT count(*) FILTER (WHERE s::text = (SELECT subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month')::text FROM fs_subs)) AS parts_equal_to_whole,
       (SELECT rollup(x) IS NULL FROM (VALUES (NULL::flow_state)) v(x)) AS rollup_of_null
FROM fs_parts;
-- Hand: rollup of the January-February state with itself doubles every count.
SELECT rollup(s) FROM (SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '1 month') s FROM hand
                       UNION ALL SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '1 month') FROM hand) x;

-- ---------------------------------------------------------------------------
-- Parallel: a Partial Aggregate under a Gather, equal to the serial result.
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.is_parallel(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; gather bool := false; partial bool := false;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    gather := gather OR line ~ 'Gather';
    partial := partial OR line ~ 'Partial Aggregate';
  END LOOP;
  RETURN CASE WHEN gather AND partial THEN 'parallel partial aggregate' ELSE 'NOT PARALLEL' END;
END $$;
CREATE TEMP TABLE fs_serial AS
  SELECT subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month')::text AS s FROM fs_subs;
CREATE TABLE fs_states AS SELECT id % 50 AS g, subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month') AS s
  FROM fs_subs GROUP BY id % 50;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month') FROM fs_subs;
SELECT pg_temp.is_parallel('SELECT subscription_flow(started_at, ended_at, ''2023-01-01'', ''2025-01-01'', ''1 month'') FROM fs_subs') AS flow_plan,
       pg_temp.is_parallel('SELECT rollup(s) FROM fs_states') AS rollup_plan;
SELECT (SELECT subscription_flow(started_at, ended_at, '2023-01-01', '2025-01-01', '1 month')::text FROM fs_subs) = s AS parallel_equals_serial,
       (SELECT rollup(st.s)::text FROM fs_states st) = s AS parallel_rollup_equals_serial
FROM fs_serial;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- ---------------------------------------------------------------------------
-- Text, jsonb and binary forms
-- ---------------------------------------------------------------------------
-- Text round trip: text -> flow_state -> text is the identity, in any zone.
SET TimeZone = 'Asia/Kolkata';
SELECT s::text = s::flow_state::text AS text_round_trip, s::flow_state::text = (SELECT s::text FROM fs_serial) AS same_as_serial
FROM fs_serial;
SELECT 'v1;step=0mon7d0us;2024-01-01 00:00:00+00 {0,1,0,1};2024-01-08 00:00:00+00 {0,3,0,0};2024-01-10 12:30:00.000001+00'::flow_state;
SET TimeZone = 'UTC';
-- White space around tokens is accepted; the output is canonical.
SELECT ' v1;step=1mon0d0us; 2024-01-01 00:00:00+00 {5,4,2,2};2024-02-01 00:00:00+00 {5,1,2,0};2024-03-01 00:00:00+00 '::flow_state;
-- jsonb: the counts and rates of each period.
SELECT jsonb_pretty(subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '1 month')::jsonb) FROM hand;
-- Binary form: int16 version, int16 flags, int32 periods, int32 months,
-- int32 days, int64 microseconds, per period int64 start, S, N, L, NL, then
-- int64 series_end; 2024-01-01 UTC is 757382400000000 us after 2000-01-01.
SELECT flow_state_send('v1;step=1mon0d0us;2024-01-01 00:00:00+00 {5,4,2,2};2024-02-01 00:00:00+00')
     = '\x00010000000000010000000100000000'::bytea || int8send(0) || int8send(757382400000000)
       || int8send(5) || int8send(4) || int8send(2) || int8send(2) || int8send(757382400000000 + 31 * 86400000000::bigint)
       AS binary_layout;
SELECT pg_temp.bin_recv(flow_state_send(s::flow_state)) = s AS binary_round_trip FROM fs_serial;
-- COPY binary round trip of a table of states, NULL included.
CREATE TEMP TABLE fs_copy AS SELECT g, s FROM fs_states UNION ALL SELECT -1, NULL;
SELECT '/tmp/engage_regress_10_' || current_setting('port') || '_' || pg_backend_pid() || '_rt.bin' AS f_rt \gset
COPY fs_copy TO :'f_rt' WITH (FORMAT binary);
CREATE TEMP TABLE fs_copy2 (g int, s flow_state);
COPY fs_copy2 FROM :'f_rt' WITH (FORMAT binary);
SELECT format('rm -f %s', :'f_rt') AS rm_cmd \gset
COPY (SELECT 1 WHERE false) TO PROGRAM :'rm_cmd';
SELECT count(*) AS rows, count(*) FILTER (WHERE a.s::text IS NOT DISTINCT FROM b.s::text) AS equal
FROM fs_copy a JOIN fs_copy2 b USING (g);

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------
SELECT q, pg_temp.err(q) FROM (VALUES
  -- 22004: NULL series arguments (even on a row without a start)
  ('SELECT subscription_flow(started_at, ended_at, NULL, ''2024-03-01'', ''1 month'') FROM hand'),
  ('SELECT subscription_flow(started_at, ended_at, ''2024-01-01'', NULL, ''1 month'') FROM hand'),
  ('SELECT subscription_flow(started_at, ended_at, ''2024-01-01'', ''2024-03-01'', NULL) FROM hand'),
  ('SELECT subscription_flow(NULL, NULL, ''2024-01-01'', ''2024-03-01'', NULL)'),
  -- 22023: empty, reversed or infinite series; step not positive
  ('SELECT subscription_flow(started_at, ended_at, ''2024-03-01'', ''2024-03-01'', ''1 month'') FROM hand'),
  ('SELECT subscription_flow(started_at, ended_at, ''2024-03-01'', ''2024-01-01'', ''1 month'') FROM hand'),
  ('SELECT subscription_flow(started_at, ended_at, ''-infinity'', ''2024-01-01'', ''1 month'') FROM hand'),
  ('SELECT subscription_flow(started_at, ended_at, ''2024-01-01'', ''infinity'', ''1 month'') FROM hand'),
  ('SELECT subscription_flow(started_at, ended_at, ''2024-01-01'', ''2024-03-01'', ''0 days'') FROM hand'),
  ('SELECT subscription_flow(started_at, ended_at, ''2024-01-01'', ''2024-03-01'', ''-1 month'') FROM hand'),
  ('SELECT subscription_flow(started_at, ended_at, ''2024-01-01'', ''2024-03-01'', ''1 month -1 day'') FROM hand'),
  -- 22023: too many periods (100000 at most: 100000 minutes is fine, 100001 not)
  ('SELECT subscription_flow(now(), NULL, ''2024-01-01'', ''2024-01-01''::timestamptz + 100000 * interval ''1 minute'', ''1 minute'') IS NOT NULL'),
  ('SELECT subscription_flow(now(), NULL, ''2024-01-01'', ''2024-01-01''::timestamptz + 100001 * interval ''1 minute'', ''1 minute'')'),
  -- 22023: a subscription that ends before it starts
  ('SELECT subscription_flow(''2024-01-02'', ''2024-01-01'', ''2024-01-01'', ''2024-03-01'', ''1 month'')'),
  -- 22023: series arguments that change between rows
  ('SELECT subscription_flow(started_at, ended_at, ss, ''2024-03-01'', ''1 month'') FROM hand, (VALUES (''2024-01-01''::timestamptz), (''2024-01-02'')) v(ss)'),
  ('SELECT subscription_flow(started_at, ended_at, ''2024-01-01'', se, ''1 month'') FROM hand, (VALUES (''2024-03-01''::timestamptz), (''2024-04-01'')) v(se)'),
  ('SELECT subscription_flow(started_at, ended_at, ''2024-01-01'', ''2024-03-01'', st) FROM hand, (VALUES (''1 month''::interval), (''30 days'')) v(st)'),
  -- 22023: rollup of states of different series
  ('SELECT rollup(s) FROM (SELECT subscription_flow(started_at, ended_at, ''2024-01-01'', ''2024-03-01'', ''1 month'') s FROM hand
                           UNION ALL SELECT subscription_flow(started_at, ended_at, ''2024-01-01'', ''2024-03-01'', ''2 months'') FROM hand) x'),
  ('SELECT rollup(s) FROM (VALUES (''v1;step=0mon1d0us;2024-01-01 00:00:00+00 {0,0,0,0};2024-01-02 00:00:00+00''::flow_state),
                                  (''v1;step=0mon1d0us;2024-01-01 00:00:00+00 {0,0,0,0};2024-01-01 12:00:00+00'')) v(s)'),
  -- (the internal support functions cannot be called from SQL: no value casts to internal)
  ('SELECT flow_series_combine(NULL::internal, NULL::internal)'),
  -- 22P02: malformed literals
  ('SELECT ''v2;step=1mon0d0us;2024-01-01 00:00:00+00 {0,0,0,0};2024-02-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=1mon0d;2024-01-01 00:00:00+00 {0,0,0,0};2024-02-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=0mon0d0us;2024-01-01 00:00:00+00 {0,0,0,0};2024-02-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-02-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-01-01 00:00:00+00 {0,0,0};2024-02-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-01-01 00:00:00+00 {0,0,0,0}''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-01-01 00:00:00+00 {0,0,0,0};2024-02-01 00:00:00+00;''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-02-01 00:00:00+00 {0,0,0,0};2024-01-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-01-01 00:00:00+00 {0,0,0,0};infinity''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-01-01 00:00:00+00 {1,0,2,0};2024-02-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-01-01 00:00:00+00 {0,1,0,2};2024-02-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-01-01 00:00:00+00 {5,0,1,0};2024-02-01 00:00:00+00 {5,0,0,0};2024-03-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-01-01 00:00:00+00 {-1,0,0,0};2024-02-01 00:00:00+00''::flow_state'),
  -- 22003: a count past 2^63-1; 22007: a malformed timestamp
  ('SELECT ''v1;step=1mon0d0us;2024-01-01 00:00:00+00 {9223372036854775808,0,0,0};2024-02-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;2024-13-01 00:00:00+00 {0,0,0,0};2024-02-01 00:00:00+00''::flow_state'),
  ('SELECT ''v1;step=1mon0d0us;yesterday-ish {0,0,0,0};2024-02-01 00:00:00+00''::flow_state'),
  -- 22003: E past 2^63-1 (S + N)
  ('SELECT ''v1;step=1mon0d0us;2024-01-01 00:00:00+00 {9223372036854775807,1,0,0};2024-02-01 00:00:00+00''::flow_state')
) v(q);
-- 22P03: malformed binary values (header 1,0 / periods / step months, days).
SELECT d, pg_temp.err(format('SELECT pg_temp.bin_recv(%L::bytea)', p)) FROM (VALUES
  ('version 2', '\x0002000000000001000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'::bytea),
  ('flags set', '\x0001000100000001000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'),
  ('0 periods', '\x00010000000000000000000100000000' || int8send(0) || int8send(0)),
  ('too short', '\x0001000000000001'),
  ('1 period, no bytes', '\x00010000000000010000000100000000' || int8send(0)),
  ('trailing byte', '\x00010000000000010000000100000000' || int8send(0) || int8send(0) || int8send(0) || int8send(0)
                    || int8send(0) || int8send(0) || int8send(1) || '\x00'::bytea),
  ('bounds reversed', '\x00010000000000010000000100000000' || int8send(0) || int8send(10) || int8send(0) || int8send(0)
                      || int8send(0) || int8send(0) || int8send(5)),
  ('negative count', '\x00010000000000010000000100000000' || int8send(0) || int8send(0) || int8send(-1) || int8send(0)
                     || int8send(0) || int8send(0) || int8send(5)),
  ('zero step', '\x00010000000000010000000000000000' || int8send(0) || int8send(0) || int8send(0) || int8send(0)
                || int8send(0) || int8send(0) || int8send(5))
) v(d, p);
-- The DETAIL of the period limit, and of a change of series between rows.
SELECT subscription_flow(now(), NULL, '2024-01-01', '2025-01-01', '1 minute');
SELECT subscription_flow(started_at, ended_at, ss, '2024-03-01', '1 month')
FROM hand, (VALUES ('2024-01-01'::timestamptz), ('2024-01-02')) v(ss);

DROP TABLE fs_subs, fs_states;
