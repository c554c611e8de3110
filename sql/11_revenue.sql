SET search_path = public, engage;
-- 11_revenue: revenue retention from per-customer MRR at the start and the
-- end of a period.  Each row (mrr_start, mrr_end), NULL counting as 0:
--   start = 0, end > 0      new          new += end
--   start > 0, end = 0      churned      churned += start
--   end > start > 0         expansion    expansion += end - start
--   0 < end < start         contraction  contraction += start - end
--   start > 0               starting     starting += start
-- gross = 100 (starting - contraction - churned) / starting
-- net   = 100 (starting + expansion - contraction - churned) / starting
-- churn = 100 (contraction + churned) / starting
-- Amounts are rounded half-even to 6 decimals and summed as int64 micro-units.
SET extra_float_digits = 0;

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;

-- bin_recv(payload): payload received as a revenue_state through COPY binary.
CREATE FUNCTION pg_temp.bin_recv(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    f text := current_setting('data_directory') || '/engage_rev_' || pg_backend_pid() || '.bin';
    r text;
BEGIN
    IF to_regclass('pg_temp.rev_bin_in') IS NULL THEN
        CREATE TEMP TABLE rev_bin_in (s revenue_state);
    END IF;
    TRUNCATE rev_bin_in;
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', payload, f);
    EXECUTE format('COPY rev_bin_in FROM PROGRAM %L (FORMAT binary)',
                   format('cat ''%s''; rc=$?; rm -f ''%s''; exit $rc', f, f));
    SELECT s::text INTO r FROM rev_bin_in;
    RETURN r;
END $$;

-- ---------------------------------------------------------------------------
-- Hand-computed
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE mrr (customer text, mrr_start numeric, mrr_end numeric);
INSERT INTO mrr VALUES
  ('a', 100, 120),      -- expansion 20
  ('b', 100, 80),       -- contraction 20
  ('c', 100, 0),        -- churned 100
  ('d', 0, 50),         -- new 50
  ('e', NULL, 30),      -- new 30 (NULL start = 0)
  ('f', 40, NULL),      -- churned 40 (NULL end = 0)
  ('g', 10, 10),        -- unchanged: starting only
  ('h', NULL, NULL),    -- nothing (a row, no class)
  ('i', 0, 0);          -- nothing
-- starting = 100 + 100 + 100 + 40 + 10 = 350 (5 customers); new = 80 (2);
-- expansion = 20 (1); contraction = 20 (1); churned = 140 (2);
-- ending = 350 + 80 + 20 - 20 - 140 = 290 (= 120 + 80 + 50 + 30 + 10).
-- gross = 100 * (350 - 20 - 140) / 350 = 54.2857142857143;
-- net = 100 * (350 + 20 - 20 - 140) / 350 = 60;
-- churn = 100 * (20 + 140) / 350 = 45.7142857142857.
SELECT revenue_agg(mrr_start, mrr_end) FROM mrr;
SELECT starting_mrr(r), new_mrr(r), expansion_mrr(r), contraction_mrr(r), churned_mrr(r), ending_mrr(r),
       gross_revenue_retention(r), net_revenue_retention(r), revenue_churn_rate(r)
FROM (SELECT revenue_agg(mrr_start, mrr_end) r FROM mrr) q;
SELECT net_revenue_retention(mrr_start, mrr_end) AS nrr, gross_revenue_retention(mrr_start, mrr_end) AS grr FROM mrr;
SELECT jsonb_pretty(revenue_agg(mrr_start, mrr_end)::jsonb) FROM mrr;
-- Net retention above 100: one customer 100 -> 150: net 150, gross 100, churn 0.
SELECT net_revenue_retention(100, 150) AS nrr, gross_revenue_retention(100, 150) AS grr,
       revenue_churn_rate(revenue_agg(100, 150)) AS churn;
-- No starting MRR: rates NULL, amounts still there.  No rows: NULL.
SELECT r, gross_revenue_retention(r), net_revenue_retention(r), revenue_churn_rate(r), ending_mrr(r)
FROM (SELECT revenue_agg(s, e) r FROM (VALUES (0, 10), (NULL, 5.5)) v(s, e)) q;
SELECT revenue_agg(mrr_start, mrr_end) IS NULL AS no_rows, net_revenue_retention(mrr_start, mrr_end) IS NULL AS nrr_no_rows
FROM mrr WHERE false;

-- Rounding half-even at the sixth decimal (micro-units), classes decided
-- after rounding: 0.0000005 -> 0 (even), so (0.0000005, 1) is new, not an
-- expansion; 0.0000015 -> 0.000002; 0.0000025 -> 0.000002; 0.00000250001 ->
-- 0.000003; 1.2345675 -> 1.234568; 1.2345685 -> 1.234568; 2.9999995 -> 3.000000;
-- 0.00000049999 -> 0; 123456789.1234564999 -> 123456789.123456 (below half);
-- 9223372036854.775807 (2^63-1 micro-units) is the largest amount.
SELECT x, starting_mrr(revenue_agg(x, 0)) AS rounded
FROM (VALUES (0.0000015), (0.0000025), (0.00000250001), (1.2345675), (1.2345685), (2.9999995),
             (0.00000049999), (123456789.1234564999), (9223372036854.775807)) v(x)
GROUP BY x ORDER BY x;
SELECT revenue_agg(0.0000005, 1) AS half_micro_start_is_zero;
-- Rounding against SQL (round() is half away from zero; half-even written
-- out) over 20000 hash-generated amounts with 0 to 10 decimals, one row at a
-- time through the transition function called directly.
WITH v AS (
  SELECT round((hashint8extended(i, 7) & 1099511627775)::numeric / power(10::numeric, i % 11), (i % 11)::int) AS x
  FROM generate_series(1, 20000) i),
t AS (SELECT x, trunc(x * 1000000) AS t, x * 1000000 - trunc(x * 1000000) AS f FROM v)
SELECT count(*) AS amounts,
       count(*) FILTER (WHERE f = 0.5) AS exact_halves,
       count(*) FILTER (WHERE starting_mrr(revenue_accum(NULL, x, 0)) * 1000000 =
                        t + CASE WHEN f > 0.5 THEN 1 WHEN f < 0.5 THEN 0 ELSE t % 2 END) AS equal
FROM t;

-- ---------------------------------------------------------------------------
-- Against plain SQL CASE sums on a generated table of 20000 customers
-- ---------------------------------------------------------------------------
CREATE TABLE rev_subs AS
SELECT id,
       CASE WHEN h % 7 = 0 THEN NULL WHEN h % 7 = 1 THEN 0 ELSE ((h / 7) % 100000)::numeric / 100 END AS mrr_start,
       CASE WHEN (h / 700000) % 6 = 0 THEN NULL WHEN (h / 700000) % 6 = 1 THEN 0
            WHEN (h / 700000) % 6 = 2 THEN ((h / 7) % 100000)::numeric / 100
            ELSE ((h / 4200000) % 100000)::numeric / 100 + 0.005 END AS mrr_end
FROM (SELECT id, hashint8extended(id, 11) & 9223372036854775807 AS h FROM generate_series(1, 20000) id) g;
ANALYZE rev_subs;
CREATE TEMP TABLE rev_truth AS
SELECT sum(s) FILTER (WHERE s > 0) AS starting,
       sum(e) FILTER (WHERE s = 0 AND e > 0) AS new,
       sum(e - s) FILTER (WHERE s > 0 AND e > s) AS expansion,
       sum(s - e) FILTER (WHERE e > 0 AND e < s) AS contraction,
       sum(s) FILTER (WHERE s > 0 AND e = 0) AS churned,
       sum(e) AS ending,
       count(*) FILTER (WHERE s > 0) AS n_start, count(*) FILTER (WHERE s = 0 AND e > 0) AS n_new
FROM (SELECT coalesce(mrr_start, 0) AS s, coalesce(mrr_end, 0) AS e FROM rev_subs) x;
SELECT starting, new, expansion, contraction, churned, ending, n_start, n_new FROM rev_truth;
SELECT starting_mrr(r) = t.starting AS starting, new_mrr(r) = t.new AS new, expansion_mrr(r) = t.expansion AS expansion,
       contraction_mrr(r) = t.contraction AS contraction, churned_mrr(r) = t.churned AS churned,
       ending_mrr(r) = t.ending AS ending,
       abs(gross_revenue_retention(r) - 100 * (t.starting - t.contraction - t.churned) / t.starting) < 1e-9 AS gross,
       abs(net_revenue_retention(r) - 100 * (t.starting + t.expansion - t.contraction - t.churned) / t.starting) < 1e-9 AS net,
       abs(revenue_churn_rate(r) - 100 * (t.contraction + t.churned) / t.starting) < 1e-9 AS churn,
       (r::jsonb ->> 'starting_customers')::bigint = t.n_start AS n_start,
       (r::jsonb ->> 'new_customers')::bigint = t.n_new AS n_new
FROM (SELECT revenue_agg(mrr_start, mrr_end) r FROM rev_subs) q, rev_truth t;

-- Rollup: two partitions add up to the single pass; parallel equals serial.
SELECT (SELECT rollup(r)::text FROM (SELECT revenue_agg(mrr_start, mrr_end) r FROM rev_subs GROUP BY id % 2) x) =
       (SELECT revenue_agg(mrr_start, mrr_end)::text FROM rev_subs) AS rollup_equal;
CREATE TEMP TABLE rev_serial AS SELECT revenue_agg(mrr_start, mrr_end)::text AS s,
       net_revenue_retention(mrr_start, mrr_end) AS nrr FROM rev_subs;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT revenue_agg(mrr_start, mrr_end) FROM rev_subs;
SELECT (SELECT revenue_agg(mrr_start, mrr_end)::text FROM rev_subs) = s AS parallel_equals_serial,
       (SELECT net_revenue_retention(mrr_start, mrr_end) FROM rev_subs) = nrr AS parallel_nrr_equal
FROM rev_serial;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Moving windows (inverse transition): a 3-row frame equals the aggregate
-- recomputed over the same three rows.
SELECT count(*) AS frames,
       count(*) FILTER (WHERE w::text = (SELECT revenue_agg(mrr_start, mrr_end)::text FROM rev_subs r2
                                         WHERE r2.id BETWEEN f.id - 2 AND f.id)) AS equal
FROM (SELECT id, revenue_agg(mrr_start, mrr_end) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) w
      FROM rev_subs WHERE id <= 300) f;
-- Moving rollup of states.
SELECT m, rollup(r) OVER (ORDER BY m ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
FROM (SELECT 1 AS m, revenue_agg(100, 120) r UNION ALL SELECT 2, revenue_agg(50, 0) UNION ALL SELECT 3, revenue_agg(0, 7)) x
ORDER BY m;

-- ---------------------------------------------------------------------------
-- Text, jsonb and binary forms
-- ---------------------------------------------------------------------------
SELECT s::text = s::revenue_state::text AS text_round_trip FROM rev_serial;
SELECT 'v1;rows=3;starting=10.500000/1;new=0.000001/1;expansion=0.000000/0;contraction=0.000000/0;churned=10.500000/1'::revenue_state;
-- Binary form: int16 version, int16 flags, int64 rows, then for starting,
-- new, expansion, contraction, churned: int64 micro-units, int64 customers.
SELECT revenue_state_send('v1;rows=3;starting=10.500000/1;new=0.000001/1;expansion=0.000000/0;contraction=0.000000/0;churned=10.500000/1')
     = '\x00010000'::bytea || int8send(3) || int8send(10500000) || int8send(1) || int8send(1) || int8send(1)
       || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(10500000) || int8send(1) AS binary_layout;
SELECT pg_temp.bin_recv(revenue_state_send(s::revenue_state)) = s AS binary_round_trip FROM rev_serial;
CREATE TEMP TABLE rev_copy AS SELECT id % 10 AS g, revenue_agg(mrr_start, mrr_end) AS r FROM rev_subs GROUP BY id % 10
  UNION ALL SELECT -1, NULL;
SELECT '/tmp/engage_regress_11_' || current_setting('port') || '_' || pg_backend_pid() || '_rt.bin' AS f_rt \gset
COPY rev_copy TO :'f_rt' WITH (FORMAT binary);
CREATE TEMP TABLE rev_copy2 (g int, r revenue_state);
COPY rev_copy2 FROM :'f_rt' WITH (FORMAT binary);
SELECT format('rm -f %s', :'f_rt') AS rm_cmd \gset
COPY (SELECT 1 WHERE false) TO PROGRAM :'rm_cmd';
SELECT count(*) AS rows, count(*) FILTER (WHERE a.r::text IS NOT DISTINCT FROM b.r::text) AS equal
FROM rev_copy a JOIN rev_copy2 b USING (g);

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------
SELECT q, pg_temp.err(q) FROM (VALUES
  -- 22003: negative, NaN, infinite or too large amounts; sums past 2^63-1 micro-units
  ('SELECT revenue_agg(-0.000001, 0)'),
  ('SELECT revenue_agg(10, -5)'),
  ('SELECT revenue_agg(''NaN'', 0)'),
  ('SELECT revenue_agg(0, ''Infinity'')'),
  ('SELECT revenue_agg(9223372036854.775808, 0)'),
  ('SELECT revenue_agg(9223372036854.7758075, 0)'),
  ('SELECT revenue_agg(1e20, 0)'),
  ('SELECT revenue_agg(x, 0) FROM (VALUES (9000000000000), (9000000000000)) v(x)'),
  ('SELECT rollup(r) FROM (VALUES (''v1;rows=1;starting=9000000000000.000000/1;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state),
                                  (''v1;rows=1;starting=9000000000000.000000/1;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0'')) v(r)'),
  ('SELECT ''v1;rows=1;starting=9223372036854.775808/1;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state'),
  -- ending MRR past the range: starting + new + expansion
  ('SELECT ending_mrr(''v1;rows=2;starting=9000000000000.000000/1;new=9000000000000.000000/1;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0'')'),
  -- 22P02: malformed literals and impossible states
  ('SELECT ''v2;rows=0;starting=0.000000/0;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state'),
  ('SELECT ''v1;rows=0;starting=0.00000/0;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state'),
  ('SELECT ''v1;rows=0;starting=0.000000/0;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0''::revenue_state'),
  ('SELECT ''v1;rows=0;starting=0.000000/0;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0;''::revenue_state'),
  ('SELECT ''v1;rows=1;starting=-1.000000/1;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state'),
  ('SELECT ''v1;rows=1;starting=10.000000/1;new=0.000000/0;expansion=0.000000/0;contraction=6.000000/1;churned=5.000000/1''::revenue_state'),
  ('SELECT ''v1;rows=1;starting=10.000000/0;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state'),
  ('SELECT ''v1;rows=1;starting=10.000000/1;new=5.000000/1;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state'),
  ('SELECT ''v1;rows=2;starting=10.000000/1;new=0.000000/0;expansion=1.000000/1;contraction=1.000000/1;churned=0.000000/0''::revenue_state'),
  -- 0A000: the inverse rollup function outside a window
  ('SELECT revenue_combine_inv(revenue_agg(1, 2), revenue_agg(1, 2))')
) v(q);
-- 22P03: malformed binary values.
SELECT d, pg_temp.err(format('SELECT pg_temp.bin_recv(%L::bytea)', p)) FROM (VALUES
  ('version 2', '\x00020000'::bytea || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0)
                || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0)),
  ('unknown flag', '\x00010002'::bytea || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0)
                || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0)),
  ('too short', '\x00010000'::bytea || int8send(0)),
  ('trailing byte', '\x00010000'::bytea || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0)
                    || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0) || '\x00'::bytea),
  ('negative amount', '\x00010000'::bytea || int8send(1) || int8send(-5) || int8send(1) || int8send(0) || int8send(0) || int8send(0)
                      || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0))
) v(d, p);
-- The DETAIL of a negative amount.
SELECT revenue_agg(5, -1);

-- ---------------------------------------------------------------------------
-- The ledger form: revenue_movements_agg(movement, amount), one row per MRR
-- movement; the counters count movements (the text form says ;ledger).
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE ledger (customer text, movement text, amount numeric);
INSERT INTO ledger VALUES
  ('a', 'starting', 100), ('b', 'starting', 200),
  ('c', 'new', 50),
  ('a', 'expansion', 20), ('a', 'expansion', 20),   -- two movements of one customer
  ('b', 'contraction', 10),
  ('b', 'churned', 100),
  ('x', NULL, 5), ('y', 'new', NULL);                -- ignored (not counted in rows)
-- starting = 300 (2), new = 50 (1), expansion = 40 (2), contraction = 10 (1),
-- churned = 100 (1), rows = 7; ending = 300 + 50 + 40 - 10 - 100 = 280;
-- net = 100 * (300 + 40 - 10 - 100) / 300 = 76.6666666666667;
-- gross = 100 * (300 - 10 - 100) / 300 = 63.3333333333333;
-- churn = 100 * (10 + 100) / 300 = 36.6666666666667.
SELECT revenue_movements_agg(movement, amount) FROM ledger;
SELECT net_revenue_retention(r), gross_revenue_retention(r), revenue_churn_rate(r), ending_mrr(r), expansion_mrr(r)
FROM (SELECT revenue_movements_agg(movement, amount) r FROM ledger) q;
SELECT net_revenue_retention(movement, amount) AS nrr, gross_revenue_retention(movement, amount) AS grr FROM ledger;
SELECT revenue_movements_agg(movement, amount)::jsonb -> 'ledger' AS ledger,
       revenue_agg(0, 1)::jsonb -> 'ledger' AS snapshot FROM ledger;
-- 'churn' is accepted for 'churned'; a zero amount counts in rows only; only
-- NULL rows: NULL.  Churning more than started (a customer who started inside
-- the period): gross 100 * (10 - 30) / 10 = -200, ending 10 + 5 - 30 = -15.
SELECT revenue_movements_agg(m, a), gross_revenue_retention(revenue_movements_agg(m, a)),
       ending_mrr(revenue_movements_agg(m, a))
FROM (VALUES ('starting', 10), ('new', 5), ('churn', 30), ('expansion', 0)) v(m, a);
SELECT revenue_movements_agg(m, a) IS NULL AS only_null_rows
FROM (VALUES (NULL, 1), ('new', NULL)) v(m, a);

-- Equal to revenue_agg when each customer's movements are derived from its
-- snapshots in plain SQL: same amounts, same rates; the text forms differ only
-- by the ledger marker and the counts.
CREATE TABLE rev_moves AS
SELECT id, m.k, m.movement, m.amount
FROM (SELECT id, coalesce(mrr_start, 0) AS s, coalesce(mrr_end, 0) AS e FROM rev_subs) x,
     LATERAL (VALUES (1, 'starting', CASE WHEN s > 0 THEN s END),
                     (2, 'new', CASE WHEN s = 0 AND e > 0 THEN e END),
                     (3, 'expansion', CASE WHEN s > 0 AND e > s THEN e - s END),
                     (4, 'contraction', CASE WHEN e > 0 AND e < s THEN s - e END),
                     (5, 'churned', CASE WHEN s > 0 AND e = 0 THEN s END)) m(k, movement, amount)
WHERE m.amount IS NOT NULL;
ANALYZE rev_moves;
SELECT regexp_replace(l::text, ';ledger|/[0-9]+|rows=[0-9]+', '', 'g') = regexp_replace(r::text, '/[0-9]+|rows=[0-9]+', '', 'g')
         AS amounts_equal,
       net_revenue_retention(l) = net_revenue_retention(r) AS nrr_equal,
       gross_revenue_retention(l) = gross_revenue_retention(r) AS grr_equal,
       revenue_churn_rate(l) = revenue_churn_rate(r) AS churn_equal,
       ending_mrr(l) = ending_mrr(r) AS ending_equal,
       (SELECT net_revenue_retention(movement, amount) FROM rev_moves) = net_revenue_retention(r) AS nrr_one_call_equal,
       (SELECT gross_revenue_retention(movement, amount) FROM rev_moves) = gross_revenue_retention(r) AS grr_one_call_equal,
       (l::jsonb ->> 'rows')::bigint = (SELECT count(*) FROM rev_moves) AS rows_are_movements
FROM (SELECT revenue_movements_agg(movement, amount) l FROM rev_moves) a,
     (SELECT revenue_agg(mrr_start, mrr_end) r FROM rev_subs) b;

-- Rollup of ledger states: three partitions add up to the single pass; a
-- ledger state with a snapshot state gives a ledger state.
SELECT (SELECT rollup(r)::text FROM (SELECT revenue_movements_agg(movement, amount) r FROM rev_moves GROUP BY id % 3) x) =
       (SELECT revenue_movements_agg(movement, amount)::text FROM rev_moves) AS ledger_rollup_equal;
-- 100 -> 120 snapshot + the ledger above: rows 1 + 7, starting 400 (1 + 2),
-- expansion 60 (1 + 2), the rest from the ledger.
SELECT rollup(r) FROM (SELECT revenue_agg(100, 120) r UNION ALL SELECT revenue_movements_agg(movement, amount) FROM ledger) v;

-- Parallel equals serial.
CREATE TEMP TABLE rev_ledger_serial AS SELECT revenue_movements_agg(movement, amount)::text AS s,
       net_revenue_retention(movement, amount) AS nrr FROM rev_moves;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT revenue_movements_agg(movement, amount) FROM rev_moves;
SELECT (SELECT revenue_movements_agg(movement, amount)::text FROM rev_moves) = s AS parallel_equals_serial,
       (SELECT net_revenue_retention(movement, amount) FROM rev_moves) = nrr AS parallel_nrr_equal
FROM rev_ledger_serial;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Moving windows over movements (inverse transition).
SELECT count(*) AS frames,
       count(*) FILTER (WHERE w::text = (SELECT revenue_movements_agg(movement, amount)::text FROM rev_moves r2
                                         WHERE (r2.id, r2.k) IN (SELECT id, k FROM rev_moves r3 WHERE r3.id <= 300
                                                                 ORDER BY id, k OFFSET greatest(f.n - 3, 0) LIMIT least(f.n, 3)))) AS equal
FROM (SELECT row_number() OVER (ORDER BY id, k) n,
             revenue_movements_agg(movement, amount) OVER (ORDER BY id, k ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) w
      FROM rev_moves WHERE id <= 300) f;

-- Text and binary forms of a ledger state (binary flags = 1).
SELECT s::revenue_state::text = s AS ledger_text_round_trip,
       pg_temp.bin_recv(revenue_state_send(s::revenue_state)) = s AS ledger_binary_round_trip
FROM rev_ledger_serial;
SELECT revenue_state_send('v1;ledger;rows=2;starting=10.000000/1;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=30.000000/1')
     = '\x00010001'::bytea || int8send(2) || int8send(10000000) || int8send(1) || int8send(0) || int8send(0)
       || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(30000000) || int8send(1) AS ledger_binary_layout;
SELECT pg_temp.bin_recv('\x00010001'::bytea || int8send(2) || int8send(10000000) || int8send(1) || int8send(0) || int8send(0)
       || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(30000000) || int8send(1)) AS ledger_from_binary;

-- Ledger errors.
SELECT q, pg_temp.err(q) FROM (VALUES
  -- 22023: an unknown movement (case-sensitive)
  ('SELECT revenue_movements_agg(''Starting'', 1)'),
  ('SELECT net_revenue_retention(''upgrade''::text, 1)'),
  -- 22003: negative, NaN or infinite amounts
  ('SELECT revenue_movements_agg(''new'', -1)'),
  ('SELECT gross_revenue_retention(''churned''::text, ''NaN'')'),
  ('SELECT revenue_movements_agg(''expansion'', ''Infinity'')'),
  -- 22P02: malformed ledger literals; the amount checks still hold
  ('SELECT ''v1;ledger;ledger;rows=0;starting=0.000000/0;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state'),
  ('SELECT ''v1;rows=0;ledger;starting=0.000000/0;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state'),
  ('SELECT ''v1;Ledger;rows=0;starting=0.000000/0;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state'),
  ('SELECT ''v1;ledger;rows=1;starting=0.000000/1;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0''::revenue_state')
) v(q);
-- The DETAIL of an unknown movement.
SELECT revenue_movements_agg('downgrade', 1);

DROP TABLE rev_moves;

DROP TABLE rev_subs;
