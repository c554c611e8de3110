SET search_path = public, engage;
-- 13_clv: customer lifetime value.  The simple formulas against hand-computed
-- values and their error contract by SQLSTATE; historical_clv() against
-- hand-computed values and the same definitions in plain SQL, serial and
-- parallel.
--
--   clv(aov, f, l)                  = aov * f * l
--   clv(aov, f, l, gm)              = aov * f * l * gm
--   clv_from_churn(arpu, gm, churn) = arpu * gm / churn
--   clv_discounted(m, r, i)         = m r / (1 + i - r)
-- historical_clv(customer_id, amount, ts [, unit]):
--   average_order_value = revenue / orders, purchase_frequency = orders / customers,
--   average_lifespan = mean over customers of (last - first) / unit,
--   customer_value = revenue / customers, observed_span = (max ts - min ts) / unit,
--   purchase_rate = purchase_frequency / observed_span,
--   clv = average_order_value * purchase_rate * average_lifespan.

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;

-- The error with its DETAIL, to show what is allowed.
CREATE FUNCTION pg_temp.err_detail(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ': ' || SQLERRM || ' | ' || d; END $$;

-- Equal within a relative 1e-12 (both NULL counts as equal).
CREATE FUNCTION pg_temp.close(a float8, b float8) RETURNS bool LANGUAGE sql IMMUTABLE AS
  $$ SELECT (a IS NULL AND b IS NULL) OR coalesce(abs(a - b) <= 1e-12 * greatest(abs(a), abs(b), 1), false) $$;

-- ---------------------------------------------------------------------------
-- Formulas, hand-computed
-- ---------------------------------------------------------------------------
-- 40 * 2.5 * 3 = 300; with a 25% margin 75; zero frequency 0.
SELECT clv(40, 2.5, 3) AS c300, clv(40, 2.5, 3, 0.25) AS c75, clv(40, 0, 3) AS c0,
       clv(40, 2.5, 3, 1) AS full_margin, clv(NULL, 2.5, 3) AS null_arg;
-- ARPU 50 a month, 80% margin, 5% monthly churn: 50 * 0.8 / 0.05 = 800;
-- churn 1 (everyone leaves after one period): 40; margin 0: 0.
SELECT clv_from_churn(50, 0.8, 0.05) AS c800, clv_from_churn(50, 0.8, 1) AS c40,
       clv_from_churn(50, 0, 0.5) AS c0, clv_from_churn(50, 0.8, NULL) AS null_arg;
-- m 100, r 0.8, i 0.1: 100 * 0.8 / 0.3 = 266.67; r 0.5, i 0: 100 * 0.5 / 0.5 = 100;
-- r 1, i 0.25 (a perpetuity): 100 / 0.25 = 400; r 0: 0.
SELECT round(clv_discounted(100, 0.8, 0.1)::numeric, 10) AS c266_67,
       clv_discounted(100, 0.5, 0) AS c100, clv_discounted(100, 1, 0.25) AS c400,
       clv_discounted(100, 0, 0.1) AS c0;
-- The discounted form is the sum over periods t >= 1 of m r^t / (1 + i)^t.
SELECT abs(clv_discounted(100, 0.8, 0.1) -
           (SELECT sum(100 * 0.8 ^ t / 1.1 ^ t) FROM generate_series(1, 2000) t)::float8) < 1e-9 AS series_agrees;

-- ---------------------------------------------------------------------------
-- Formula errors: 22023 out of the allowed range (with DETAIL), 22003 infinite
-- ---------------------------------------------------------------------------
SELECT q, pg_temp.err_detail(q) AS error FROM (VALUES
  ('SELECT clv(-1, 2.5, 3)'),
  ('SELECT clv(40, -0.5, 3)'),
  ('SELECT clv(40, 2.5, -3)'),
  ('SELECT clv(''NaN'', 2.5, 3)'),
  ('SELECT clv(''Infinity'', 2.5, 3)'),
  ('SELECT clv(40, 2.5, 3, 1.5)'),
  ('SELECT clv(40, 2.5, 3, -0.1)'),
  ('SELECT clv(1e300, 1e300, 1)'),
  ('SELECT clv_from_churn(50, 0.8, 0)'),
  ('SELECT clv_from_churn(50, 0.8, 5)'),
  ('SELECT clv_from_churn(50, 0.8, -0.1)'),
  ('SELECT clv_from_churn(-50, 0.8, 0.1)'),
  ('SELECT clv_from_churn(50, 80, 0.1)'),
  ('SELECT clv_from_churn(50, 0.8, ''NaN'')'),
  ('SELECT clv_from_churn(1e308, 1, 1e-300)'),
  ('SELECT clv_discounted(100, 1.2, 0.1)'),
  ('SELECT clv_discounted(100, -0.2, 0.1)'),
  ('SELECT clv_discounted(100, 0.8, -0.1)'),
  ('SELECT clv_discounted(100, 1, 0)'),
  ('SELECT clv_discounted(-100, 0.8, 0.1)'),
  ('SELECT clv_discounted(100, 0.8, ''-Infinity'')')
) v(q);

-- ---------------------------------------------------------------------------
-- historical_clv: hand-computed
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hand (customer_id bigint, amount numeric, ts timestamptz);
INSERT INTO hand VALUES
  (1, 10, '2024-01-01 00:00'),
  (1, 20, '2024-01-11 00:00'),
  (1,  5, '2024-01-11 12:00'),   -- customer 1 spans 10.5 days
  (2, 30, '2024-01-05 00:00'),   -- customer 2: one order, 0 days
  (NULL, 99, '2024-01-02'),      -- ignored: no customer
  (3, NULL, '2024-01-02'),       -- ignored: no amount
  (3, 99, NULL);                 -- ignored: no ts
-- customers 2, orders 4, revenue 65, aov 16.25, frequency 2, lifespan
-- (10.5 + 0) / 2 = 5.25 days, customer value 32.5, observed 10.5 days,
-- rate 2 / 10.5 = 0.190476 orders per customer per day,
-- clv 16.25 * 0.190476 * 5.25 = 16.25.
SELECT (h).* FROM (SELECT historical_clv(customer_id, amount, ts) AS h FROM hand) s;
-- In weeks: lifespan 0.75, observed 1.5, rate 1.3333, clv still 16.25.
SELECT (h).* FROM (SELECT historical_clv(customer_id, amount, ts, '7 days') AS h FROM hand) s;
-- In hours: lifespan 126.
SELECT (historical_clv(customer_id, amount, ts, '1 hour')).average_lifespan AS hours FROM hand;
-- One order: no span, so no rate and no clv; no rows or only ignored rows: NULL.
SELECT (h).* FROM (SELECT historical_clv(customer_id, amount, ts) AS h FROM hand WHERE customer_id = 2) s;
SELECT historical_clv(customer_id, amount, ts) IS NULL AS empty_is_null FROM hand WHERE false;
SELECT historical_clv(customer_id, amount, ts) IS NULL AS ignored_is_null FROM hand WHERE customer_id = 3;
-- Negative amounts (refunds) count as orders of negative value.
SELECT (historical_clv(c, a, ts)).revenue AS net FROM (VALUES (1, 50, '2024-01-01'::timestamptz), (1, -20, '2024-01-02')) v(c, a, ts);
-- Per segment with GROUP BY.
SELECT customer_id % 2 AS seg, (historical_clv(customer_id, amount, ts)).customer_value
FROM hand WHERE customer_id IS NOT NULL GROUP BY 1 ORDER BY 1;

-- historical_clv errors
SELECT q, pg_temp.err_detail(q) AS error FROM (VALUES
  ('SELECT historical_clv(customer_id, amount, ts, ''1 month'') FROM hand'),
  ('SELECT historical_clv(customer_id, amount, ts, ''0 days'') FROM hand'),
  ('SELECT historical_clv(customer_id, amount, ts, ''-1 day'') FROM hand'),
  ('SELECT historical_clv(customer_id, amount, ts, NULL) FROM hand'),
  ('SELECT historical_clv(1, ''NaN''::float8, now())'),
  ('SELECT historical_clv(1, 10, ''infinity''::timestamptz)'),
  ('SELECT historical_clv(c, 10, now(), u) FROM (VALUES (1, ''1 day''::interval), (2, ''2 days'')) v(c, u)')
) v(q);

-- ---------------------------------------------------------------------------
-- historical_clv against plain SQL on a generated table (regular, for the
-- parallel plans below): 60000 orders of 4000 customers over 2024.
-- ---------------------------------------------------------------------------
CREATE TABLE clv_tx AS
SELECT (i * 7919) % 4000 + 1 AS customer_id,
       ((i::bigint * 104729) % 20000) / 100.0 - 10 AS amount,
       '2024-01-01 00:00:00+00'::timestamptz + ((i::bigint * 2654435761) % 31622400) * interval '1 second' AS ts,
       i % 3 AS seg
FROM generate_series(1, 60000) i;
ANALYZE clv_tx;

CREATE TEMP TABLE clv_truth AS
SELECT seg, count(*) AS customers, sum(n) AS orders, sum(rev)::float8 AS revenue,
       (sum(rev) / sum(n))::float8 AS aov, (sum(n)::numeric / count(*))::float8 AS freq,
       (avg(extract(epoch FROM l - f)) / 86400)::float8 AS lifespan,
       (sum(rev) / count(*))::float8 AS customer_value,
       (extract(epoch FROM max(l) - min(f)) / 86400)::float8 AS observed
FROM (SELECT seg, customer_id, count(*) AS n, sum(amount) AS rev, min(ts) AS f, max(ts) AS l
      FROM (SELECT 0 AS seg, customer_id, amount, ts FROM clv_tx
            UNION ALL SELECT seg + 1, customer_id, amount, ts FROM clv_tx) a
      GROUP BY 1, 2) c
GROUP BY seg;

-- seg 0 is the whole table, 1..3 the segments.
SELECT t.seg, t.customers, t.orders,
       (h).customers = t.customers AND (h).orders = t.orders AS counts_agree,
       pg_temp.close((h).revenue, t.revenue) AS revenue_agrees,
       pg_temp.close((h).average_order_value, t.aov) AS aov_agrees,
       pg_temp.close((h).purchase_frequency, t.freq) AS freq_agrees,
       pg_temp.close((h).average_lifespan, t.lifespan) AS lifespan_agrees,
       pg_temp.close((h).customer_value, t.customer_value) AS value_agrees,
       pg_temp.close((h).observed_span, t.observed) AS span_agrees,
       pg_temp.close((h).purchase_rate, t.freq / t.observed) AS rate_agrees,
       pg_temp.close((h).clv, clv(t.aov, t.freq / t.observed, t.lifespan)) AS clv_agrees
FROM clv_truth t
JOIN (SELECT 0 AS seg, historical_clv(customer_id, amount, ts) AS h FROM clv_tx
      UNION ALL
      SELECT seg + 1, historical_clv(customer_id, amount, ts) FROM clv_tx GROUP BY seg) a USING (seg)
ORDER BY t.seg;

-- ---------------------------------------------------------------------------
-- Parallel: partial states (serialized, combined customer by customer; the
-- same customer appears in several workers) equal the serial result.
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
CREATE FUNCTION pg_temp.same_summary(a clv_summary, b clv_summary) RETURNS bool LANGUAGE sql IMMUTABLE AS $$
  SELECT a.customers = b.customers AND a.orders = b.orders
     AND a.average_lifespan = b.average_lifespan AND a.observed_span = b.observed_span
     AND a.purchase_frequency = b.purchase_frequency
     AND pg_temp.close(a.revenue, b.revenue) AND pg_temp.close(a.average_order_value, b.average_order_value)
     AND pg_temp.close(a.customer_value, b.customer_value) AND pg_temp.close(a.purchase_rate, b.purchase_rate)
     AND pg_temp.close(a.clv, b.clv) $$;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT historical_clv(customer_id, amount, ts) FROM clv_tx;
SELECT pg_temp.is_parallel(q) AS plan, q FROM (VALUES
  ('SELECT historical_clv(customer_id, amount, ts) FROM clv_tx'),
  ('SELECT seg, historical_clv(customer_id, amount, ts, ''7 days'') FROM clv_tx GROUP BY seg'),
  ('SELECT historical_clv(customer_id, amount, ts) FROM clv_tx WHERE customer_id <= 10')
) v(q) ORDER BY q;
SELECT historical_clv(customer_id, amount, ts)::text AS p_all FROM clv_tx \gset
SELECT string_agg(h::text, ';' ORDER BY seg) AS p_seg
FROM (SELECT seg, historical_clv(customer_id, amount, ts, '7 days') AS h FROM clv_tx GROUP BY seg) q \gset
SELECT historical_clv(customer_id, amount, ts)::text AS p_few FROM clv_tx WHERE customer_id <= 10 \gset
-- The workers really ran: two launched for the whole-table aggregate.
SELECT pg_temp.workers_launched('SELECT historical_clv(customer_id, amount, ts) FROM clv_tx') AS launched;
SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.is_parallel('SELECT historical_clv(customer_id, amount, ts) FROM clv_tx') AS serial_plan;
-- Counts and spans agree exactly; revenue sums (compensated) within 1e-12.
SELECT pg_temp.same_summary(:'p_all', historical_clv(customer_id, amount, ts)) AS all_same FROM clv_tx;
SELECT count(*) AS segments, bool_and(pg_temp.same_summary(p.v::clv_summary, q.h)) AS segments_same
FROM (SELECT seg, historical_clv(customer_id, amount, ts, '7 days') AS h FROM clv_tx GROUP BY seg) q
JOIN unnest(string_to_array(:'p_seg', ';')) WITH ORDINALITY p(v, ord) ON p.ord = q.seg + 1;
SELECT pg_temp.same_summary(:'p_few', historical_clv(customer_id, amount, ts)) AS few_same
FROM clv_tx WHERE customer_id <= 10;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
DROP TABLE clv_tx;
