SET search_path = public, engage;
-- pgTAP: customer lifetime value (simple formulas, historical_clv,
-- rfm_summary).  Signatures, return types, volatility, strictness and
-- parallel safety; aggregate support functions; hand-computed values; the
-- error contract by SQLSTATE:
--   22023 a formula argument out of its range (negative, NaN, margin or
--         churn outside 0..1, retention above 1, full retention with no
--         discount); a bad unit or period; a NaN amount; parameters that
--         change between rows
--   22003 an infinite formula argument or result
--   22004 a NULL unit, period or observation_end
--   22008 an infinite timestamp
BEGIN;
SET LOCAL TimeZone = 'UTC';
SELECT plan(53);

-- ---------------------------------------------------------------------------
-- Types
-- ---------------------------------------------------------------------------
SELECT has_composite('rfm', 'composite type rfm exists');
SELECT has_composite('clv_summary', 'composite type clv_summary exists');
SELECT is(
    (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
       FROM pg_attribute WHERE attrelid = 'rfm'::regclass AND attnum > 0),
    'frequency double precision, recency double precision, t double precision, monetary_value double precision',
    'rfm has the columns frequency, recency, t, monetary_value, all double precision');
SELECT is(
    (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
       FROM pg_attribute WHERE attrelid = 'clv_summary'::regclass AND attnum > 0),
    'customers bigint, orders bigint, revenue double precision, average_order_value double precision, '
    'purchase_frequency double precision, average_lifespan double precision, customer_value double precision, '
    'observed_span double precision, purchase_rate double precision, clv double precision',
    'clv_summary has plain bigint / double precision columns');

-- ---------------------------------------------------------------------------
-- Scalar formulas: signatures, IMMUTABLE STRICT PARALLEL SAFE
-- ---------------------------------------------------------------------------
SELECT has_function(f, a, format('%s(%s) exists', f, array_to_string(a, ', ')))
  FROM (VALUES ('clv', ARRAY['double precision', 'double precision', 'double precision']),
               ('clv', ARRAY['double precision', 'double precision', 'double precision', 'double precision']),
               ('clv_from_churn', ARRAY['double precision', 'double precision', 'double precision']),
               ('clv_discounted', ARRAY['double precision', 'double precision', 'double precision'])) v(f, a);
SELECT is(
    (SELECT string_agg(p.oid::regprocedure::text, ' ' ORDER BY p.oid::regprocedure::text)
       FROM pg_proc p
      WHERE p.oid IN ('clv(float8, float8, float8)'::regprocedure, 'clv(float8, float8, float8, float8)'::regprocedure,
                      'clv_from_churn(float8, float8, float8)'::regprocedure,
                      'clv_discounted(float8, float8, float8)'::regprocedure)
        AND p.prorettype = 'double precision'::regtype
        AND p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's' AND p.prokind = 'f'),
    'clv(double precision,double precision,double precision) '
    'clv(double precision,double precision,double precision,double precision) '
    'clv_discounted(double precision,double precision,double precision) '
    'clv_from_churn(double precision,double precision,double precision)',
    'the formulas return double precision and are IMMUTABLE STRICT PARALLEL SAFE');
SELECT is(pg_get_function_arguments('clv(float8, float8, float8, float8)'::regprocedure),
          'average_order_value double precision, purchase_frequency double precision, lifespan double precision, gross_margin double precision',
          'clv takes named arguments');
SELECT is(pg_get_function_arguments('clv_from_churn(float8, float8, float8)'::regprocedure),
          'arpu double precision, gross_margin double precision, churn_rate double precision',
          'clv_from_churn takes named arguments');
SELECT is(pg_get_function_arguments('clv_discounted(float8, float8, float8)'::regprocedure),
          'margin double precision, retention_rate double precision, discount_rate double precision',
          'clv_discounted takes named arguments');

-- ---------------------------------------------------------------------------
-- Aggregates: signatures, support functions, parallel safety
-- ---------------------------------------------------------------------------
SELECT is_aggregate('historical_clv', ARRAY['bigint', 'double precision', 'timestamp with time zone'],
                    'historical_clv(bigint, float8, timestamptz) is an aggregate');
SELECT is_aggregate('historical_clv', ARRAY['bigint', 'double precision', 'timestamp with time zone', 'interval'],
                    'historical_clv(bigint, float8, timestamptz, interval) is an aggregate');
SELECT is_aggregate('rfm_summary', ARRAY['timestamp with time zone', 'double precision', 'timestamp with time zone'],
                    'rfm_summary(timestamptz, float8, timestamptz) is an aggregate');
SELECT is_aggregate('rfm_summary', ARRAY['timestamp with time zone', 'double precision', 'timestamp with time zone', 'text'],
                    'rfm_summary(timestamptz, float8, timestamptz, text) is an aggregate');
SELECT is_aggregate('rfm_summary', ARRAY['timestamp with time zone', 'double precision', 'timestamp with time zone', 'text', 'interval'],
                    'rfm_summary(timestamptz, float8, timestamptz, text, interval) is an aggregate');
SELECT is(
    (SELECT string_agg(format('%s:%s:%s', p.oid::regprocedure, p.prorettype::regtype, a.aggtranstype::regtype), ' '
                       ORDER BY p.oid::regprocedure::text)
       FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
      WHERE p.proname IN ('historical_clv', 'rfm_summary')
        AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0 AND p.proparallel = 's'),
    'historical_clv(bigint,double precision,timestamp with time zone):clv_summary:internal '
    'historical_clv(bigint,double precision,timestamp with time zone,interval):clv_summary:internal '
    'rfm_summary(timestamp with time zone,double precision,timestamp with time zone):rfm:internal '
    'rfm_summary(timestamp with time zone,double precision,timestamp with time zone,text):rfm:internal '
    'rfm_summary(timestamp with time zone,double precision,timestamp with time zone,text,interval):rfm:internal',
    'the aggregates return clv_summary / rfm from an internal state with combine, serialize, deserialize and PARALLEL SAFE');
SELECT is(
    (SELECT string_agg(DISTINCT p.provolatile::text || p.proparallel::text, ',')
       FROM pg_proc p WHERE p.proname IN ('rfm_accum')),
    'ss', 'the rfm_summary transitions are STABLE (periods follow the session time zone) and PARALLEL SAFE');
SELECT is(
    (SELECT string_agg(DISTINCT p.provolatile::text || p.proparallel::text, ',')
       FROM pg_proc p WHERE p.proname IN ('clv_hist_accum', 'clv_hist_combine', 'clv_hist_serialize',
                                          'clv_hist_deserialize', 'clv_hist_final', 'rfm_combine',
                                          'rfm_serialize', 'rfm_deserialize', 'rfm_final')),
    'is', 'the other support functions are IMMUTABLE PARALLEL SAFE');
SELECT is(
    (SELECT count(*)::int FROM pg_proc p
      WHERE p.proname IN ('clv', 'clv_from_churn', 'clv_discounted', 'historical_clv', 'rfm_summary',
                          'clv_hist_accum', 'clv_hist_combine', 'clv_hist_serialize', 'clv_hist_deserialize',
                          'clv_hist_final', 'rfm_accum', 'rfm_combine', 'rfm_serialize', 'rfm_deserialize', 'rfm_final')
        AND (p.proname <> 'clv' OR p.proargtypes::oid[] <@ ARRAY['float8'::regtype::oid])
        AND obj_description(p.oid, 'pg_proc') IS NULL),
    0, 'every CLV function and aggregate has a comment');
SELECT is(
    (SELECT count(*)::int FROM pg_type WHERE typname IN ('rfm', 'clv_summary')
        AND obj_description(oid, 'pg_type') IS NOT NULL),
    2, 'both types have a comment');

-- ---------------------------------------------------------------------------
-- Values, hand-computed
-- ---------------------------------------------------------------------------
SELECT is(clv(40, 2.5, 3), 300::float8, 'clv(40, 2.5, 3) = 300');
SELECT is(clv(40, 2.5, 3, 0.25), 75::float8, 'clv(40, 2.5, 3, 0.25) = 75');
SELECT is(clv_from_churn(50, 0.8, 0.05), 800::float8, 'clv_from_churn(50, 0.8, 0.05) = 800');
SELECT is(clv_discounted(100, 0.5, 0), 100::float8, 'clv_discounted(100, 0.5, 0) = 100');
SELECT is(clv_discounted(100, 1, 0.25), 400::float8, 'clv_discounted(100, 1, 0.25) = 400 (perpetuity)');
SELECT is(round(clv_discounted(100, 0.8, 0.1)::numeric, 6), 266.666667, 'clv_discounted(100, 0.8, 0.1) = 80 / 0.3');
SELECT is(
    (SELECT historical_clv(c, a, ts)::text
       FROM (VALUES (1, 10, '2024-01-01 00:00+00'::timestamptz), (1, 20, '2024-01-11 00:00+00'),
                    (1, 5, '2024-01-11 12:00+00'), (2, 30, '2024-01-05 00:00+00')) v(c, a, ts)),
    '(2,4,65,16.25,2,5.25,32.5,10.5,0.19047619047619047,16.25)',
    'historical_clv: 2 customers, 4 orders, aov 16.25, frequency 2, lifespan 5.25 days');
SELECT is(
    (SELECT rfm_summary(ts, a, '2024-01-31 00:00+00', 'day', '7 days')::text
       FROM (VALUES ('2024-01-01 09:00+00'::timestamptz, 10), ('2024-01-01 18:00+00', 5),
                    ('2024-01-08 10:00+00', 20), ('2024-01-15 00:00+00', 30), ('2024-02-01 00:00+00', 99)) v(ts, a)),
    '(2,2,4.285714285714286,25)',
    'rfm_summary: same-day purchases merged, later ones ignored: x 2, t_x 2 weeks, T 30/7, monetary 25');
SELECT is(
    (SELECT rfm_summary(ts, a, '2024-01-31 00:00+00') FROM (VALUES ('2024-02-01 00:00+00'::timestamptz, 1)) v(ts, a)),
    NULL, 'rfm_summary is NULL with no purchase by observation_end');
SELECT is((SELECT historical_clv(1, 1, now()) FROM (VALUES (1)) v WHERE false), NULL,
          'historical_clv is NULL over no rows');

-- ---------------------------------------------------------------------------
-- Errors by SQLSTATE
-- ---------------------------------------------------------------------------
SELECT throws_ok(q, '22023', NULL, d) FROM (VALUES
  ('SELECT clv(-40, 2.5, 3)', 'clv: negative average order value is 22023'),
  ('SELECT clv(40, ''NaN'', 3)', 'clv: NaN frequency is 22023'),
  ('SELECT clv(40, 2.5, 3, 1.01)', 'clv: gross margin above 1 is 22023'),
  ('SELECT clv_from_churn(50, 0.8, 0)', 'clv_from_churn: churn 0 is 22023'),
  ('SELECT clv_from_churn(50, 0.8, 5)', 'clv_from_churn: churn 5 (a percentage) is 22023'),
  ('SELECT clv_discounted(100, 1.1, 0.2)', 'clv_discounted: retention above 1 is 22023'),
  ('SELECT clv_discounted(100, 1, 0)', 'clv_discounted: r = 1 + i (unbounded) is 22023'),
  ('SELECT clv_discounted(100, 0.8, -0.05)', 'clv_discounted: negative discount rate is 22023'),
  ('SELECT historical_clv(1, 1, now(), ''1 month'')', 'historical_clv: a unit of months is 22023'),
  ('SELECT historical_clv(1, ''NaN'', now())', 'historical_clv: a NaN amount is 22023'),
  ('SELECT rfm_summary(now(), 1, now(), ''fortnight'')', 'rfm_summary: an unknown period is 22023'),
  ('SELECT rfm_summary(now(), 1, now(), ''day'', ''0 days'')', 'rfm_summary: a zero unit is 22023'),
  ('SELECT rfm_summary(now(), 1, now(), ''week'', ''1 month'')', 'rfm_summary: months with week periods is 22023'),
  ('SELECT rfm_summary(ts, 1, e) FROM (VALUES (now(), now()), (now(), now() + interval ''1 day'')) v(ts, e)',
   'rfm_summary: observation_end changing between rows is 22023')
) v(q, d);
SELECT throws_ok(q, '22003', NULL, d) FROM (VALUES
  ('SELECT clv(''Infinity'', 2.5, 3)', 'clv: an infinite argument is 22003'),
  ('SELECT clv(1e300, 1e300, 1)', 'clv: an overflowing result is 22003')
) v(q, d);
SELECT throws_ok(q, '22004', NULL, d) FROM (VALUES
  ('SELECT historical_clv(1, 1, now(), NULL)', 'historical_clv: a NULL unit is 22004'),
  ('SELECT rfm_summary(now(), 1, NULL)', 'rfm_summary: a NULL observation_end is 22004'),
  ('SELECT rfm_summary(now(), 1, now(), NULL)', 'rfm_summary: a NULL period is 22004')
) v(q, d);
SELECT throws_ok(q, '22008', NULL, d) FROM (VALUES
  ('SELECT historical_clv(1, 1, ''infinity'')', 'historical_clv: an infinite ts is 22008'),
  ('SELECT rfm_summary(''-infinity'', 1, now())', 'rfm_summary: an infinite ts is 22008')
) v(q, d);

SELECT * FROM finish();
ROLLBACK;
