SET search_path = public, engage;
-- 14_rfm: rfm_summary(), the RFM summary of one customer with the lifetimes /
-- pymc-marketing definitions, against hand-computed cases, the same
-- definitions in plain SQL, and the published CDNOW summary
-- (cdnow_customers_summary_with_transactions.csv: x, t_x, T, zbar of 2357
-- customers, observation end 1997-09-30, day periods, weeks as the unit).
--
-- Each ts is truncated to its period (session time zone), and so is
-- observation_end; periods after observation_end's are ignored.
--   frequency = distinct periods - 1
--   recency   = (last period - first period) / unit
--   t         = (observation_end's period - first period) / unit
--   monetary_value = mean of the repeat periods' summed amounts (0 if none)

CREATE FUNCTION pg_temp.err_detail(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ': ' || SQLERRM || ' | ' || d; END $$;

SET TimeZone = 'UTC';

-- ---------------------------------------------------------------------------
-- Hand-computed
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hand (c text, ts timestamptz, amount numeric);
INSERT INTO hand VALUES
  -- a: Jan 1 (10 + 5 merged, first period), Jan 8 (20), Jan 9 (30 + 1 merged)
  --    days: x 2, t_x 8, T 30, monetary (20 + 31) / 2 = 25.5
  ('a', '2024-01-01 09:00', 10), ('a', '2024-01-01 18:00', 5),
  ('a', '2024-01-08 10:00', 20), ('a', '2024-01-09 00:00', 30), ('a', '2024-01-09 23:59', 1),
  -- b: one purchase day (two orders): x 0, t_x 0, T 21, monetary 0
  ('b', '2024-01-10 08:00', 7), ('b', '2024-01-10 09:00', 3),
  -- c: Jan 20, and on the observation_end day itself at 23:30 (counted),
  --    and Feb 1 (after: ignored): x 1, t_x 11, T 11, monetary 40
  ('c', '2024-01-20 12:00', 15), ('c', '2024-01-31 23:30', 40), ('c', '2024-02-01 00:00', 99),
  -- d: only after observation_end: NULL
  ('d', '2024-03-01', 50),
  -- e: NULL ts or amount rows are ignored: x 0, t_x 0, T 6, monetary 0
  ('e', '2024-01-25', 12), ('e', NULL, 5), ('e', '2024-01-26', NULL);
SELECT c, (r).* FROM (SELECT c, rfm_summary(ts, amount, '2024-01-31') AS r FROM hand GROUP BY c) s ORDER BY c;
-- Weeks as the unit (day periods): a t_x 8/7, T 30/7.
SELECT c, (r).* FROM (SELECT c, rfm_summary(ts, amount, '2024-01-31', 'day', '7 days') AS r FROM hand GROUP BY c) s ORDER BY c;
-- Week periods (ISO weeks from Monday; 2024-01-01 is a Monday), weeks as unit:
-- a: weeks of Jan 1 and Jan 8 -> x 1, t_x 1, T 4 (Jan 29 - Jan 1), monetary 51;
-- c: weeks of Jan 15 and Jan 29 -> x 1, t_x 2, T 2, and Feb 1 falls in the
--    week of Jan 29 (observation_end's period), so it counts: monetary 139.
SELECT c, (r).* FROM (SELECT c, rfm_summary(ts, amount, '2024-01-31', 'week', '1 week') AS r FROM hand GROUP BY c) s ORDER BY c;
-- Month periods, months as unit, observation end in March: a, b, c, e all
-- in January (c's Feb 1 is now counted: x 1, t_x 1, T 2); d in March.
SELECT c, (r).* FROM (SELECT c, rfm_summary(ts, amount, '2024-03-15', 'month', '1 month') AS r FROM hand GROUP BY c) s ORDER BY c;
-- Quarter periods with a unit of 3 months; year periods with months.
SELECT (rfm_summary(ts, amount, '2024-12-31', 'quarter', '3 months')).* FROM hand WHERE c IN ('a', 'd');
SELECT (rfm_summary(ts, amount, '2026-06-30', 'YEAR', '1 month')).* FROM hand WHERE c = 'a';
-- Hour periods, hours as unit: a's first hour 09:00 Jan 1, last 23:00 Jan 9.
SELECT (rfm_summary(ts, amount, '2024-01-31 00:30', 'hour', '1 hour')).* FROM hand WHERE c = 'a';
-- Input order does not matter (the state is sorted and merged).
SELECT (rfm_summary(ts, amount, '2024-01-31' ORDER BY ts DESC))::text
     = (rfm_summary(ts, amount, '2024-01-31' ORDER BY ts))::text AS order_free
FROM hand WHERE c = 'a';
-- More distinct periods than the first allocation (8), in scrambled order:
-- 1000 days, each with 3 orders of 1; x 999, t_x 999, T 999, monetary 3.
SELECT (rfm_summary('2020-01-01'::timestamptz + ((i * 7) % 1000) * interval '1 day' + (i / 1000) * interval '1 hour',
                    1, '2022-09-26')).*
FROM generate_series(0, 2999) i;
-- No rows: NULL.
SELECT rfm_summary(ts, amount, '2024-01-31') IS NULL AS empty_is_null FROM hand WHERE false;

-- Periods follow the session time zone: 2024-01-01 23:30 UTC and
-- 2024-01-02 00:30 UTC are two days in UTC and one in Tokyo (UTC+9).
SELECT (rfm_summary(ts, 1, '2024-01-10 00:00+00')).frequency AS utc_x
FROM (VALUES ('2024-01-01 23:30+00'::timestamptz), ('2024-01-02 00:30+00')) v(ts);
SET TimeZone = 'Asia/Tokyo';
SELECT (rfm_summary(ts, 1, '2024-01-10 00:00+00')).frequency AS tokyo_x
FROM (VALUES ('2024-01-01 23:30+00'::timestamptz), ('2024-01-02 00:30+00')) v(ts);
-- Days are local calendar days across a DST change: Mar 1 to Apr 1 in
-- New York is 31 days although 743 hours passed.
SET TimeZone = 'America/New_York';
SELECT (rfm_summary(ts, 1, '2024-04-01')).* FROM (VALUES ('2024-03-01'::timestamptz), ('2024-04-01')) v(ts);
SET TimeZone = 'UTC';

-- ---------------------------------------------------------------------------
-- Errors: 22023 bad parameters, 22004 NULL parameters, 22008 infinite times
-- ---------------------------------------------------------------------------
SELECT q, pg_temp.err_detail(q) AS error FROM (VALUES
  ('SELECT rfm_summary(ts, amount, ''2024-01-31'', ''fortnight'') FROM hand'),
  ('SELECT rfm_summary(ts, amount, ''2024-01-31'', ''day'', ''0 days'') FROM hand'),
  ('SELECT rfm_summary(ts, amount, ''2024-01-31'', ''day'', ''-7 days'') FROM hand'),
  ('SELECT rfm_summary(ts, amount, ''2024-01-31'', ''day'', ''1 month'') FROM hand'),
  ('SELECT rfm_summary(ts, amount, ''2024-01-31'', ''month'', ''1 month 1 day'') FROM hand'),
  ('SELECT rfm_summary(ts, amount, NULL) FROM hand'),
  ('SELECT rfm_summary(ts, amount, ''2024-01-31'', NULL) FROM hand'),
  ('SELECT rfm_summary(ts, amount, ''2024-01-31'', ''day'', NULL) FROM hand'),
  ('SELECT rfm_summary(ts, amount, ''infinity'') FROM hand'),
  ('SELECT rfm_summary(''-infinity'', 1, ''2024-01-31'')'),
  ('SELECT rfm_summary(now(), ''NaN'', ''2024-01-31'')'),
  ('SELECT rfm_summary(now(), ''-Infinity'', ''2024-01-31'')'),
  ('SELECT rfm_summary(ts, 1, e) FROM (VALUES (now(), ''2024-01-31''::timestamptz), (now(), ''2024-02-01'')) v(ts, e)'),
  ('SELECT rfm_summary(ts, 1, ''2024-01-31'', p) FROM (VALUES (now(), ''day''), (now(), ''week'')) v(ts, p)')
) v(q);

-- ---------------------------------------------------------------------------
-- CDNOW: the sample's 6919 transactions (id in the full data, id in the
-- sample = the CSV's ID, YYYYMMDD, CDs, dollars), read client-side from ../shared/data/cdnow/ next to the
-- repository (pg_regress exports PG_ABS_SRCDIR; psql does not expand
-- variables in \copy, so the client's shell expands the path).
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE cdnow_raw (line text);
\copy cdnow_raw FROM PROGRAM 'cat "$PG_ABS_SRCDIR/../shared/data/cdnow/CDNOW_sample.txt"'
CREATE TABLE cdnow_tx AS
SELECT f[2]::bigint AS customer_id, f[1]::bigint AS master_id, to_date(f[3], 'YYYYMMDD')::timestamptz AS ts,
       f[4]::int AS cds, f[5]::numeric AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) s;
ANALYZE cdnow_tx;
CREATE TEMP TABLE cdnow_csv (id bigint, x numeric, t_x numeric, t numeric, zbar numeric);
\copy cdnow_csv FROM PROGRAM 'cat "$PG_ABS_SRCDIR/../shared/data/cdnow/cdnow_customers_summary_with_transactions.csv"' WITH (FORMAT csv, HEADER true)
SELECT count(*) AS transactions, count(DISTINCT customer_id) AS customers,
       min(ts)::date AS first_day, max(ts)::date AS last_day, sum(amount) AS dollars
FROM cdnow_tx;
SELECT count(*) AS csv_customers, sum(x) AS sum_x FROM cdnow_csv;

CREATE TEMP TABLE cdnow_rfm AS
SELECT customer_id, (r).frequency, (r).recency, (r).t, (r).monetary_value
FROM (SELECT customer_id, rfm_summary(ts, amount, '1997-09-30', 'day', '7 days') AS r
      FROM cdnow_tx GROUP BY customer_id) s;

-- The published summary, customer by customer: 0 mismatches (each value
-- rounded to 2 decimals, then compared within 0.005).
SELECT count(*) AS customers,
       count(*) FILTER (WHERE abs(round(r.frequency::numeric, 2) - c.x) > 0.005) AS x_mismatches,
       count(*) FILTER (WHERE abs(round(r.recency::numeric, 2) - c.t_x) > 0.005) AS t_x_mismatches,
       count(*) FILTER (WHERE abs(round(r.t::numeric, 2) - c.t) > 0.005) AS t_mismatches,
       count(*) FILTER (WHERE abs(round(r.monetary_value::numeric, 2) - c.zbar) > 0.005) AS zbar_mismatches,
       count(*) FILTER (WHERE r.customer_id IS NULL OR c.id IS NULL) AS unmatched
FROM cdnow_rfm r FULL JOIN cdnow_csv c ON c.id = r.customer_id;
-- Unrounded, every value is within half a cent of the CSV's rounding.
SELECT max(abs(r.recency::numeric - c.t_x)) <= 0.005 AS t_x_within,
       max(abs(r.t::numeric - c.t)) <= 0.005 AS t_within,
       max(abs(r.monetary_value::numeric - c.zbar)) <= 0.005 + 1e-9 AS zbar_within,
       count(*) FILTER (WHERE r.frequency > 0) AS repeat_customers
FROM cdnow_rfm r JOIN cdnow_csv c ON c.id = r.customer_id;
-- The first customers, side by side.
SELECT c.id, c.x, r.frequency, c.t_x, round(r.recency::numeric, 4) AS recency,
       c.t, round(r.t::numeric, 4) AS t_calc, c.zbar, round(r.monetary_value::numeric, 4) AS monetary
FROM cdnow_rfm r JOIN cdnow_csv c ON c.id = r.customer_id ORDER BY c.id LIMIT 5;

-- The same definitions in plain SQL (dates in the session time zone).
CREATE TEMP TABLE cdnow_truth AS
WITH p AS (
  SELECT customer_id, ts::date AS d, sum(amount) AS amt
  FROM cdnow_tx WHERE ts::date <= date '1997-09-30' GROUP BY 1, 2),
f AS (
  SELECT customer_id, min(d) AS first_d, max(d) AS last_d, count(*) - 1 AS x FROM p GROUP BY 1)
SELECT f.customer_id, f.x, (f.last_d - f.first_d) / 7.0 AS t_x, (date '1997-09-30' - f.first_d) / 7.0 AS t,
       CASE WHEN f.x = 0 THEN 0 ELSE (SELECT sum(amt) FROM p WHERE p.customer_id = f.customer_id AND p.d > f.first_d) / f.x END AS zbar
FROM f;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE r.frequency IS DISTINCT FROM t.x::float8) AS x_diff,
       count(*) FILTER (WHERE abs(r.recency - t.t_x::float8) > 1e-9) AS t_x_diff,
       count(*) FILTER (WHERE abs(r.t - t.t::float8) > 1e-9) AS t_diff,
       count(*) FILTER (WHERE abs(r.monetary_value - t.zbar::float8) > 1e-9) AS zbar_diff,
       count(*) FILTER (WHERE r.customer_id IS NULL OR t.customer_id IS NULL) AS unmatched
FROM cdnow_rfm r FULL JOIN cdnow_truth t USING (customer_id);

-- Whole calibration period in other time zones: the same calendar days
-- (the dates load at local midnight), so the same summary.
SET TimeZone = 'America/Los_Angeles';
SELECT count(*) FILTER (WHERE (r).frequency <> c.x OR abs(round((r).recency::numeric, 2) - c.t_x) > 0.005
                         OR abs(round((r).t::numeric, 2) - c.t) > 0.005
                         OR abs(round((r).monetary_value::numeric, 2) - c.zbar) > 0.005) AS la_mismatches
FROM (SELECT customer_id, rfm_summary(to_date(f[3], 'YYYYMMDD')::timestamptz, f[5]::numeric, '1997-09-30', 'day', '7 days') AS r
      FROM (SELECT f[2]::bigint AS customer_id, f FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) a) b
      GROUP BY customer_id) s
JOIN cdnow_csv c ON c.id = s.customer_id;
SET TimeZone = 'UTC';

-- ---------------------------------------------------------------------------
-- Parallel: partial states (serialized, appended and merged) equal the serial
-- result, per customer and over the whole table as one customer.
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
CREATE FUNCTION pg_temp.workers_launched(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE line text; n int := 0;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    IF line ~ 'Workers Launched' THEN n := n + substring(line FROM 'Workers Launched: (\d+)')::int; END IF;
  END LOOP;
  RETURN n;
END $$;
-- Same frequency, recency and t; monetary value within a relative 1e-12.
CREATE FUNCTION pg_temp.rfm_close(a rfm, b rfm) RETURNS bool LANGUAGE sql IMMUTABLE AS $$
  SELECT a.frequency = b.frequency AND a.recency = b.recency AND a.t = b.t
     AND abs(a.monetary_value - b.monetary_value) <= 1e-12 * greatest(abs(a.monetary_value), 1) $$;
-- The full CDNOW data (69659 transactions of 23570 customers; a header line).
CREATE TEMP TABLE cdnow_master_raw (line text);
\copy cdnow_master_raw FROM PROGRAM 'cat "$PG_ABS_SRCDIR/../shared/data/cdnow/CDNOW_master.txt"'
CREATE TABLE cdnow_master AS
SELECT f[1]::bigint AS customer_id, to_date(f[2], 'YYYYMMDD')::timestamptz AS ts, f[4]::numeric AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_master_raw WHERE line ~ '^\s*\d') s;
ANALYZE cdnow_master;
SELECT count(*) AS transactions, count(DISTINCT customer_id) AS customers FROM cdnow_master;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT customer_id, rfm_summary(ts, amount, '1997-09-30', 'day', '7 days') FROM cdnow_master GROUP BY customer_id;
SELECT pg_temp.is_parallel(q) AS plan, q FROM (VALUES
  ('SELECT rfm_summary(ts, amount, ''1997-09-30'', ''day'', ''7 days'') FROM cdnow_master'),
  ('SELECT customer_id, rfm_summary(ts, amount, ''1997-09-30'', ''day'', ''7 days'') FROM cdnow_master GROUP BY customer_id'),
  ('SELECT customer_id % 10, rfm_summary(ts, amount, ''1997-09-30'', ''week'', ''7 days'') FROM cdnow_master GROUP BY 1')
) v(q) ORDER BY q;
SELECT pg_temp.workers_launched('SELECT rfm_summary(ts, amount, ''1997-09-30'', ''day'', ''7 days'') FROM cdnow_master') AS launched;
SELECT rfm_summary(ts, amount, '1997-09-30', 'day', '7 days')::text AS p_all FROM cdnow_master \gset
SELECT string_agg(r::text, ';' ORDER BY g) AS p_groups
FROM (SELECT customer_id % 10 AS g, rfm_summary(ts, amount, '1997-09-30', 'week', '7 days') AS r
      FROM cdnow_master GROUP BY 1) s \gset
EXPLAIN (COSTS OFF) CREATE TEMP TABLE par_customers AS
SELECT customer_id, rfm_summary(ts, amount, '1997-09-30', 'day', '7 days') AS r FROM cdnow_master GROUP BY 1;
CREATE TEMP TABLE par_customers AS
SELECT customer_id, rfm_summary(ts, amount, '1997-09-30', 'day', '7 days') AS r FROM cdnow_master GROUP BY 1;
-- An early observation end: most customers' partial states are empty (all
-- their purchases come later) and travel serialized with no periods.
CREATE TEMP TABLE par_early AS
SELECT customer_id, rfm_summary(ts, amount, '1997-02-15', 'day', '7 days') AS r FROM cdnow_master GROUP BY 1;
SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.is_parallel('SELECT rfm_summary(ts, amount, ''1997-09-30'', ''day'', ''7 days'') FROM cdnow_master') AS serial_plan;
-- The whole table as one customer: first day 1997-01-01, then every other
-- purchase day up to 1997-09-30 is a repeat period.  Amount sums may differ
-- in the last bits with the summation order, so they agree within 1e-12.
SELECT pg_temp.rfm_close(:'p_all', r) AS all_same,
       (r).frequency, (r).recency, (r).t, round((r).monetary_value::numeric, 6) AS monetary_value
FROM (SELECT rfm_summary(ts, amount, '1997-09-30', 'day', '7 days') AS r FROM cdnow_master) s;
SELECT count(*) AS groups, bool_and(pg_temp.rfm_close(p.v::rfm, s.r)) AS groups_same
FROM (SELECT customer_id % 10 AS g, rfm_summary(ts, amount, '1997-09-30', 'week', '7 days') AS r
      FROM cdnow_master GROUP BY 1) s
JOIN unnest(string_to_array(:'p_groups', ';')) WITH ORDINALITY p(v, ord) ON p.ord = s.g + 1;
-- Per customer (the temporary table was filled by the parallel plan, whose
-- SELECT ran in parallel; the comparison runs serially).
SELECT count(*) AS customers, count(*) FILTER (WHERE p.r IS NOT NULL) AS with_purchases,
       bool_and(p.r IS NOT DISTINCT FROM s.r OR pg_temp.rfm_close(p.r, s.r)) AS customers_same
FROM par_customers p
FULL JOIN (SELECT customer_id, rfm_summary(ts, amount, '1997-09-30', 'day', '7 days') AS r
           FROM cdnow_master GROUP BY 1) s USING (customer_id);
SELECT count(*) AS customers, count(*) FILTER (WHERE p.r IS NOT NULL) AS with_purchases,
       bool_and(p.r IS NOT DISTINCT FROM s.r OR pg_temp.rfm_close(p.r, s.r)) AS early_same
FROM par_early p
FULL JOIN (SELECT customer_id, rfm_summary(ts, amount, '1997-02-15', 'day', '7 days') AS r
           FROM cdnow_master GROUP BY 1) s USING (customer_id);
-- The sample's customers are full-data customers with all their
-- transactions: the same summaries from either table.
SELECT count(*) AS sample_customers,
       count(*) FILTER (WHERE NOT pg_temp.rfm_close(p.r, ROW(c.frequency, c.recency, c.t, c.monetary_value)::rfm)) AS differ
FROM (SELECT DISTINCT customer_id, master_id FROM cdnow_tx) k
JOIN cdnow_rfm c USING (customer_id)
JOIN par_customers p ON p.customer_id = k.master_id;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
DROP TABLE cdnow_tx;
DROP TABLE cdnow_master;
