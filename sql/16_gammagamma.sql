SET search_path = public, engage;
-- 16_gammagamma: the Gamma-Gamma spend model and clv().  Acceptance on the
-- CDNOW repeat customers, a plain-SQL cross-check of the log-likelihood,
-- predictions against SciPy/lifetimes figures, text/binary/jsonb forms, a
-- parallel fit, parameter recovery and the error contract.  The simulated
-- customers use the generators that 15_bgnbd leaves in schema engage_sim
-- (pg_regress runs the files in order in one database).

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- x rounded to n significant digits.
CREATE FUNCTION pg_temp.sig(x float8, n int DEFAULT 4) RETURNS numeric LANGUAGE sql AS
$$ SELECT round(x::numeric, n - 1 - floor(log(abs(x)))::int) $$;
-- A model's fields as a row.
CREATE FUNCTION pg_temp.params(m gammagamma, OUT p numeric, OUT q numeric, OUT v numeric,
                               OUT customers bigint, OUT log_likelihood numeric) LANGUAGE sql AS $$
  SELECT pg_temp.sig((j->>'p')::float8), pg_temp.sig((j->>'q')::float8), pg_temp.sig((j->>'v')::float8),
         (j->>'customers')::bigint, round((j->>'log_likelihood')::numeric, 2)
  FROM (SELECT m::jsonb AS j) s $$;

-- ---------------------------------------------------------------------------
-- CDNOW: zbar is the mean value of a customer's repeat purchases (0 for the
-- 1411 customers without one, who are ignored by the fit).  Read
-- client-side; see 15_bgnbd.
-- ---------------------------------------------------------------------------
CREATE TABLE engage_cdnow_gg (id int PRIMARY KEY, x float8, t_x float8, big_t float8, zbar float8);
\copy engage_cdnow_gg FROM PROGRAM 'cat "$PG_ABS_SRCDIR/../shared/data/cdnow/cdnow_customers_summary_with_transactions.csv"' WITH (FORMAT csv, HEADER)
ANALYZE engage_cdnow_gg;

CREATE TEMP TABLE fit AS SELECT gammagamma_fit(x, zbar) AS m FROM engage_cdnow_gg;
SELECT f.* FROM fit, pg_temp.params(m) f;
-- Acceptance: p = 6.2485, q = 3.7446, v = 15.4488 (published), each to at
-- least 3 significant digits (relative difference below 5e-4).
SELECT abs((m::jsonb->>'p')::float8 / 6.2485 - 1) < 5e-4 AS p_ok,
       abs((m::jsonb->>'q')::float8 / 3.7446 - 1) < 5e-4 AS q_ok,
       abs((m::jsonb->>'v')::float8 / 15.4488 - 1) < 5e-4 AS v_ok
FROM fit;
-- Only repeat customers count: the same fit on them alone is bit-identical.
SELECT (SELECT m::text FROM fit) = gammagamma_fit(x, zbar)::text AS zero_frequency_ignored
FROM engage_cdnow_gg WHERE x > 0;

-- ---------------------------------------------------------------------------
-- The log-likelihood in plain SQL (lifetimes' GammaGammaFitter):
--   sum lnG(px+q) - lnG(px) - lnG(q) + q ln v + (px-1) ln m + px ln x - (px+q) ln(xm+v)
-- with lnG from Stirling's series after shifting the argument to >= 10
-- (error below 1e-12).  At the published parameters Python's
-- scipy.special.gammaln gives -4055.9232437408855.
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.lgamma(z float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT (w - 0.5) * ln(w) - w + 0.5 * ln(2 * pi())
         + 1 / (12 * w) - 1 / (360 * w ^ 3) + 1 / (1260 * w ^ 5) - 1 / (1680 * w ^ 7)
         - (SELECT sum(ln(z + k)) FROM generate_series(0, 9) k)
  FROM (SELECT z + 10 AS w) s $$;
CREATE FUNCTION pg_temp.gg_ll(p float8, q float8, v float8) RETURNS float8 LANGUAGE sql AS $$
  SELECT sum(pg_temp.lgamma(p * x + q) - pg_temp.lgamma(p * x) - pg_temp.lgamma(q) + q * ln(v)
             + (p * x - 1) * ln(zbar) + p * x * ln(x) - (p * x + q) * ln(x * zbar + v))
  FROM engage_cdnow_gg WHERE x > 0 $$;
SELECT round(pg_temp.gg_ll(6.2485, 3.7446, 15.4488)::numeric, 6) AS ll_sql_published;
SELECT abs((m::jsonb->>'log_likelihood')::float8
           - pg_temp.gg_ll((m::jsonb->>'p')::float8, (m::jsonb->>'q')::float8, (m::jsonb->>'v')::float8)) < 1e-6
         AS ll_matches_sql,
       (m::jsonb->>'log_likelihood')::float8 >= pg_temp.gg_ll(6.2485, 3.7446, 15.4488) AS ll_is_maximum
FROM fit;
-- The same values in cents: v scales by 100, p and q do not change, and
-- each customer's density gains -ln 100.
SELECT abs((c::jsonb->>'v')::float8 / (d::jsonb->>'v')::float8 / 100 - 1) < 1e-6 AS v_scales,
       abs((c::jsonb->>'p')::float8 / (d::jsonb->>'p')::float8 - 1) < 1e-6 AS p_same,
       abs((c::jsonb->>'log_likelihood')::float8 - (d::jsonb->>'log_likelihood')::float8 + 946 * ln(100)) < 1e-6
         AS ll_shifts
FROM (SELECT gammagamma_fit(x, 100 * zbar) AS c, gammagamma_fit(x, zbar) AS d FROM engage_cdnow_gg) s;

-- ---------------------------------------------------------------------------
-- Predictions with the published parameters
-- ---------------------------------------------------------------------------
\set gg '''v1:p=6.2485,q=3.7446,v=15.4488''::gammagamma'
\set bg '''v1:r=0.2426,alpha=4.4135,a=0.7929,b=2.4258''::bgnbd'
-- E[value | x, m] = p (v + x m) / (p x + q - 1): customer 1 (x = 2, mean
-- 22.35) -> 24.658813825320177; no repeat purchase -> the population mean
-- p v / (q - 1) = 35.17154660059754 (Python, same formulas).
SELECT abs(expected_avg_value(:gg, 2, 22.35) / 24.658813825320177 - 1) < 1e-12 AS customer_1,
       abs(expected_avg_value(:gg, 0, 0) / 35.17154660059754 - 1) < 1e-12 AS population_mean,
       expected_avg_value(:gg, 0, 0) = expected_avg_value(:gg, 0, 99) AS x0_ignores_value,
       round(expected_avg_value(:gg, 2, 22.35)::numeric, 4) AS value_1;
-- Many purchases: the estimate tends to the customer's own mean.
SELECT round(expected_avg_value(:gg, 1000, 50)::numeric, 2) AS heavy_buyer;

-- clv(): the lifetimes customer_lifetime_value method, month by month:
--   sum_{k=1..H} E[value] (E[purchases by k months] - E[purchases by k-1 months]) / (1 + d)^k
-- with a month of 30.4375 / time_unit_days time units (4.348 weeks).
-- References from Python (SciPy hyp2f1, the same formulas): customer 1 over
-- 12 months at 1% -> 36.30083413831272; a customer without repeat purchases
-- observed 38.86 weeks -> 8.349903501316176; customer 1 over 120 months at
-- 2% -> 89.6053453188594.
SELECT abs(clv(:bg, :gg, 2, 30.43, 38.86, 22.35, 12) / 36.30083413831272 - 1) < 1e-9 AS clv_12_months,
       abs(clv(:bg, :gg, 0, 0, 38.86, 0, 12) / 8.349903501316176 - 1) < 1e-9 AS clv_no_repeat,
       abs(clv(:bg, :gg, 2, 30.43, 38.86, 22.35, 120, 0.02) / 89.6053453188594 - 1) < 1e-9 AS clv_120_months,
       round(clv(:bg, :gg, 2, 30.43, 38.86, 22.35, 12)::numeric, 4) AS clv_1;
-- Properties: no horizon -> 0; no discount -> value x expected purchases
-- over the horizon; a higher discount rate -> lower CLV; defaults are 1%
-- and weeks.
SELECT clv(:bg, :gg, 2, 30.43, 38.86, 22.35, 0) AS zero_months,
       abs(clv(:bg, :gg, 2, 30.43, 38.86, 22.35, 12, 0)
           - expected_avg_value(:gg, 2, 22.35) * expected_purchases(:bg, 12 * 30.4375 / 7, 2, 30.43, 38.86)) < 1e-9
         AS undiscounted,
       clv(:bg, :gg, 2, 30.43, 38.86, 22.35, 12, 0.05) < clv(:bg, :gg, 2, 30.43, 38.86, 22.35, 12) AS discount_lowers,
       clv(:bg, :gg, 2, 30.43, 38.86, 22.35, 12) = clv(:bg, :gg, 2, 30.43, 38.86, 22.35, 12, 0.01, 7) AS defaults;
-- Days as the unit: the same customer and model expressed in days (alpha
-- x 7, times x 7) has the same CLV.
SELECT abs(clv(bgnbd(0.2426, 7 * 4.4135, 0.7929, 2.4258), :gg, 2, 7 * 30.43, 7 * 38.86, 22.35, 12, 0.01, 1)
           / clv(:bg, :gg, 2, 30.43, 38.86, 22.35, 12) - 1) < 1e-9 AS unit_invariant;
-- CLV of every CDNOW customer over a year with the fitted models.
SELECT count(*) FILTER (WHERE NOT (c >= 0)) AS negative, round(sum(c)::numeric, -2) AS total_12_months
FROM (SELECT clv(b.m, g.m, x, t_x, big_t, zbar, 12) AS c
      FROM engage_cdnow_gg, fit g,
           (SELECT bgnbd_fit(x, t_x, big_t) AS m FROM engage_cdnow_gg) b) s;

-- ---------------------------------------------------------------------------
-- Text, jsonb and binary forms
-- ---------------------------------------------------------------------------
SELECT :gg AS literal, (:gg)::jsonb AS json;
SELECT gammagamma(6.2485, 3.7446, 15.4488)::text = (:gg)::text AS constructor_same;
SELECT m::text::gammagamma::text = m::text AS text_round_trip,
       gammagamma_send(m::text::gammagamma) = gammagamma_send(m) AS same_bytes,
       jsonb_object_keys(m::jsonb) AS key
FROM fit ORDER BY key;
-- Binary: version 1, kind 2, 3 parameters, p q v, customers, log-likelihood.
SELECT gammagamma_send(:gg) = '\x000100020003'::bytea || float8send(6.2485) || float8send(3.7446)
       || float8send(15.4488) || int8send(0) || float8send('NaN') AS layout;
SELECT '/tmp/engage_regress_16_' || current_setting('port') || '_' || pg_backend_pid() AS pfx \gset
SELECT :'pfx' || '_rt.bin' AS f_rt, :'pfx' || '_bad.bin' AS f_bad \gset
CREATE TEMP TABLE models (id int, m gammagamma);
INSERT INTO models SELECT 1, m FROM fit UNION ALL SELECT 2, :gg UNION ALL SELECT 3, NULL;
COPY models TO :'f_rt' WITH (FORMAT binary);
CREATE TEMP TABLE models2 (LIKE models);
COPY models2 FROM :'f_rt' WITH (FORMAT binary);
SELECT count(*) AS rows, count(*) FILTER (WHERE a.m::text IS DISTINCT FROM b.m::text) AS mismatches
FROM models a FULL JOIN models2 b USING (id);
CREATE TEMP TABLE bad_src (b bytea);
CREATE TEMP TABLE recv_gg (m gammagamma);
CREATE FUNCTION pg_temp.recv(val bytea, f text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE res text;
BEGIN
  TRUNCATE bad_src; TRUNCATE recv_gg;
  INSERT INTO bad_src VALUES (val);
  EXECUTE format('COPY bad_src TO %L WITH (FORMAT binary)', f);
  res := pg_temp.err(format('COPY recv_gg FROM %L WITH (FORMAT binary)', f));
  IF res = 'no error' THEN
    SELECT 'ok: ' || m::text INTO res FROM recv_gg;
  END IF;
  RETURN res;
END $$;
-- offsets: version 1, kind 3, parameter count 5, p 7, q 15, v 23,
-- customers 31, log-likelihood 39; 46 bytes in all.
CREATE TEMP TABLE good AS SELECT gammagamma_send(:gg) AS b;
SELECT name, pg_temp.recv(val, :'f_bad') AS result
FROM (SELECT 1, 'unchanged', b FROM good
      UNION ALL SELECT 2, 'version 2', overlay(b PLACING '\x0002' FROM 1) FROM good
      UNION ALL SELECT 3, 'kind bgnbd', overlay(b PLACING '\x0001' FROM 3) FROM good
      UNION ALL SELECT 4, '4 parameters', overlay(b PLACING '\x0004' FROM 5) FROM good
      UNION ALL SELECT 5, 'negative q', overlay(b PLACING float8send(-1) FROM 15) FROM good
      UNION ALL SELECT 6, 'NaN v', overlay(b PLACING float8send('NaN') FROM 23) FROM good
      UNION ALL SELECT 7, 'negative customers', overlay(b PLACING int8send(-3) FROM 31) FROM good
      UNION ALL SELECT 8, 'truncated', substr(b, 1, 45) FROM good
      UNION ALL SELECT 9, 'trailing byte', b || '\x00'::bytea FROM good
      UNION ALL SELECT 10, 'bgnbd bytes', bgnbd_send(bgnbd(1, 2, 3, 4)) FROM good
     ) v(n, name, val)
ORDER BY n;

-- ---------------------------------------------------------------------------
-- Simulated repeat customers: nu ~ Gamma(q, rate v); the mean of x values
-- that are Gamma(p, rate nu) is Gamma(p x, rate nu) / x.  20000 customers,
-- x uniform on 0..5 (the x = 0 ones are ignored), p = 6, q = 4, v = 15.
-- ---------------------------------------------------------------------------
CREATE FUNCTION engage_sim.gg_mean(k bigint, x float8, p float8, q float8, v float8) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE j int := 0; nu float8; s float8;
BEGIN
  SELECT g, r.j INTO nu, j FROM engage_sim.rgamma(q, k, j) r;
  SELECT g, r.j INTO s, j FROM engage_sim.rgamma(p * x, k, j) r;
  RETURN s * v / (nu * x);
END $$;
CREATE TABLE engage_sim.gg AS
  SELECT g AS id, x, CASE WHEN x > 0 THEN engage_sim.gg_mean(g, x, 6, 4, 15) ELSE 0 END AS m
  FROM generate_series(1, 20000) g, LATERAL (SELECT floor(6 * engage_sim.unif(g, 2000)) AS x) f;
ANALYZE engage_sim.gg;
SELECT count(*) AS customers, count(*) FILTER (WHERE x > 0) AS repeat_customers FROM engage_sim.gg;

-- Parallel: partial states from two workers, serialised and combined, give
-- the serial fit bit for bit (the final function sorts the patterns).
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_fit AS SELECT gammagamma_fit(x, m) AS m FROM engage_sim.gg;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT gammagamma_fit(x, m) FROM engage_sim.gg;
SELECT (SELECT m FROM serial_fit)::text = gammagamma_fit(x, m)::text AS parallel_equals_serial
FROM engage_sim.gg;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;

-- Parameter recovery.  Standard errors on this sample from the observed
-- information (inverse numerical Hessian at the fit, computed offline):
-- SE(p) = 0.325, SE(q) = 0.069, SE(v) = 1.02.  Within 4 standard errors of
-- the truth (it lands within 0.4 of them).
SELECT f.p, f.q, f.v, f.customers,
       abs(f.p - 6) < 4 * 0.325 AS p_recovered,
       abs(f.q - 4) < 4 * 0.069 AS q_recovered,
       abs(f.v - 15) < 4 * 1.02 AS v_recovered
FROM serial_fit, pg_temp.params(m) f;

-- ---------------------------------------------------------------------------
-- Degenerate fits: NULL when no row has frequency > 0; an error with a
-- DETAIL, never parameters, when there is no interior maximum.
-- ---------------------------------------------------------------------------
SELECT gammagamma_fit(x, zbar) IS NULL AS no_repeat_customers_null FROM engage_cdnow_gg WHERE x = 0;
SELECT gammagamma_fit(x, m) IS NULL AS null_rows_null
FROM (VALUES (NULL::float8, 1::float8), (1, NULL)) v(x, m);
SELECT name, pg_temp.err(q) AS result
FROM (VALUES
  (1, 'one repeat customer', 'SELECT gammagamma_fit(x, 10) FROM generate_series(0, 1) x'),
  (2, 'every value the same', 'SELECT gammagamma_fit(x, 10) FROM generate_series(1, 50) x'),
  (3, 'NaN value', $q$SELECT gammagamma_fit(2, 'NaN')$q$),
  (4, 'zero value of a repeat customer', 'SELECT gammagamma_fit(2, 0)'),
  (5, 'negative value', 'SELECT gammagamma_fit(2, -5)'),
  (6, 'infinite value', $q$SELECT gammagamma_fit(2, 'Infinity')$q$),
  (7, 'negative frequency', 'SELECT gammagamma_fit(-2, 5)'),
  (8, 'fractional frequency', 'SELECT gammagamma_fit(2.5, 5)'),
  (9, 'NaN frequency', $q$SELECT gammagamma_fit('NaN', 5)$q$)
) v(n, name, q) ORDER BY n;

-- ---------------------------------------------------------------------------
-- Errors, with their SQLSTATEs
-- ---------------------------------------------------------------------------
SELECT name, pg_temp.err(q) AS result
FROM (VALUES
  (1, 'value: q <= 1 at frequency 0', 'SELECT expected_avg_value(gammagamma(2, 0.5, 10), 0, 0)'),
  (2, 'value: negative monetary_value', 'SELECT expected_avg_value(gammagamma(2, 3, 10), 1, -1)'),
  (3, 'value: NaN monetary_value', $q$SELECT expected_avg_value(gammagamma(2, 3, 10), 1, 'NaN')$q$),
  (4, 'value: fractional frequency', 'SELECT expected_avg_value(gammagamma(2, 3, 10), 1.5, 5)'),
  (5, 'clv: negative months', 'SELECT clv(bgnbd(1, 2, 3, 4), gammagamma(2, 3, 10), 1, 1, 5, 10, -1)'),
  (6, 'clv: more than 1200 months', 'SELECT clv(bgnbd(1, 2, 3, 4), gammagamma(2, 3, 10), 1, 1, 5, 10, 1201)'),
  (7, 'clv: discount rate -1', 'SELECT clv(bgnbd(1, 2, 3, 4), gammagamma(2, 3, 10), 1, 1, 5, 10, 12, -1)'),
  (8, 'clv: NaN discount rate', $q$SELECT clv(bgnbd(1, 2, 3, 4), gammagamma(2, 3, 10), 1, 1, 5, 10, 12, 'NaN')$q$),
  (9, 'clv: zero time unit', 'SELECT clv(bgnbd(1, 2, 3, 4), gammagamma(2, 3, 10), 1, 1, 5, 10, 12, 0.01, 0)'),
  (10, 'clv: recency > t', 'SELECT clv(bgnbd(1, 2, 3, 4), gammagamma(2, 3, 10), 1, 6, 5, 10, 12)'),
  (11, 'constructor: zero p', 'SELECT gammagamma(0, 3, 10)'),
  (12, 'constructor: infinite v', $q$SELECT gammagamma(1, 3, 'Infinity')$q$),
  (13, 'text: bgnbd literal', $q$SELECT 'v1:r=1,alpha=2,a=3,b=4'::gammagamma$q$),
  (14, 'text: negative v', $q$SELECT 'v1:p=1,q=2,v=-3'::gammagamma$q$),
  (15, 'text: missing v', $q$SELECT 'v1:p=1,q=2'::gammagamma$q$),
  (16, 'text: empty', $q$SELECT ''::gammagamma$q$)
) v(n, name, q) ORDER BY n;

-- Error messages and DETAILs, in full, for a few representative cases.
SELECT gammagamma_fit(x, 10) FROM generate_series(1, 50) x;
SELECT gammagamma_fit(2, 0);
SELECT expected_avg_value(gammagamma(2, 0.5, 10), 0, 0);
SELECT clv(bgnbd(1, 2, 3, 4), gammagamma(2, 3, 10), 1, 1, 5, 10, 12, 0.01, 0);
