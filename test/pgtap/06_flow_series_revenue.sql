SET search_path = public, engage;
-- pgTAP: the churn series (subscription_flow, flow_periods, flow_state) and
-- revenue retention (revenue_agg, revenue_state and its readers).
-- Signatures, volatility, parallel safety, hand-computed values and the
-- error contract by SQLSTATE:
--   22004 NULL series arguments
--   22023 empty/reversed/infinite series, step not positive, more than 100000
--         periods, ended_at < started_at, series arguments changing between
--         rows, rollup of states of different series, a malformed state
--   22003 negative / NaN / infinite / too large MRR, sums past the range
--   22P02 malformed literals
--   22023 (ledger) a movement other than starting/new/expansion/contraction/churned
BEGIN;
SELECT plan(64);
SET LOCAL TimeZone = 'UTC';

-- ---------------------------------------------------------------------------
-- Signatures
-- ---------------------------------------------------------------------------
SELECT has_type('flow_state', 'type flow_state exists');
SELECT has_type('revenue_state', 'type revenue_state exists');
SELECT is_aggregate('subscription_flow', ARRAY['timestamp with time zone', 'timestamp with time zone',
                    'timestamp with time zone', 'timestamp with time zone', 'interval'],
                    'subscription_flow(timestamptz x 4, interval) is an aggregate');
SELECT function_returns('subscription_flow', ARRAY['timestamp with time zone', 'timestamp with time zone',
                        'timestamp with time zone', 'timestamp with time zone', 'interval'], 'flow_state',
                        'subscription_flow returns flow_state');
SELECT is((SELECT proargnames::text FROM pg_proc WHERE oid =
           'subscription_flow(timestamptz, timestamptz, timestamptz, timestamptz, interval)'::regprocedure),
          '{started_at,ended_at,series_start,series_end,step}', 'subscription_flow argument names');
SELECT function_returns('flow_periods', ARRAY['flow_state'], 'setof record', 'flow_periods returns a set of rows');
SELECT is((SELECT array_to_string(proallargtypes::regtype[], ',') || ' ' || array_to_string(proargnames, ',')
             FROM pg_proc WHERE oid = 'flow_periods(flow_state)'::regprocedure),
          'flow_state,timestamp with time zone,timestamp with time zone,bigint,bigint,bigint,bigint,double precision,double precision,double precision,double precision '
          'state,period_start,period_end,customers_start,new_customers,lost_customers,customers_end,churn_rate,retention_rate,retention_rate_excluding_new,net_growth',
          'flow_periods columns and types');
SELECT is_aggregate('rollup', ARRAY['flow_state'], 'rollup(flow_state) is an aggregate');
SELECT is_aggregate('rollup', ARRAY['revenue_state'], 'rollup(revenue_state) is an aggregate');
SELECT is_aggregate('revenue_agg', ARRAY['numeric', 'numeric'], 'revenue_agg(numeric, numeric) is an aggregate');
SELECT is_aggregate(f, ARRAY['numeric', 'numeric'], format('%s(numeric, numeric) is an aggregate', f))
  FROM unnest(ARRAY['net_revenue_retention', 'gross_revenue_retention']) f;
SELECT function_returns(f, ARRAY['revenue_state'], r, format('%s(revenue_state) returns %s', f, r))
  FROM (VALUES ('gross_revenue_retention', 'double precision'), ('net_revenue_retention', 'double precision'),
               ('revenue_churn_rate', 'double precision'), ('starting_mrr', 'numeric'), ('new_mrr', 'numeric'),
               ('expansion_mrr', 'numeric'), ('contraction_mrr', 'numeric'), ('churned_mrr', 'numeric'),
               ('ending_mrr', 'numeric')) v(f, r);

-- ---------------------------------------------------------------------------
-- Volatility, strictness, parallel safety, aggregate support
-- ---------------------------------------------------------------------------
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
             FROM pg_proc p
            WHERE p.proname IN ('subscription_flow', 'revenue_agg', 'net_revenue_retention', 'gross_revenue_retention', 'rollup')
              AND p.prokind = 'a' AND p.proparallel <> 's'
              AND (p.proargtypes::regtype[])[0] IN ('timestamptz'::regtype, 'numeric'::regtype, 'flow_state'::regtype, 'revenue_state'::regtype)),
          NULL, 'every new aggregate is PARALLEL SAFE');
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
            WHERE a.aggfnoid IN ('subscription_flow(timestamptz,timestamptz,timestamptz,timestamptz,interval)'::regprocedure,
                                 'rollup(flow_state)'::regprocedure)
              AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0 AND a.aggtranstype = 'internal'::regtype),
          2, 'subscription_flow and rollup(flow_state): internal state with combine, serialize and deserialize');
SELECT is((SELECT count(*)::int FROM pg_aggregate a
            WHERE a.aggfnoid IN ('revenue_agg(numeric,numeric)'::regprocedure, 'net_revenue_retention(numeric,numeric)'::regprocedure,
                                 'gross_revenue_retention(numeric,numeric)'::regprocedure, 'rollup(revenue_state)'::regprocedure)
              AND a.aggcombinefn <> 0 AND a.aggminvtransfn <> 0 AND a.aggtranstype = 'revenue_state'::regtype),
          4, 'the revenue aggregates keep a revenue_state with combine and inverse transition');
SELECT volatility_is('flow_series_accum', ARRAY['internal', 'timestamp with time zone', 'timestamp with time zone',
                     'timestamp with time zone', 'timestamp with time zone', 'interval'], 'stable',
                     'flow_series_accum is STABLE (timestamptz + interval uses the session time zone)');
SELECT volatility_is('flow_periods', ARRAY['flow_state'], 'immutable', 'flow_periods is IMMUTABLE (bounds are stored)');
SELECT is_strict('flow_periods', ARRAY['flow_state'], 'flow_periods is STRICT');
SELECT isnt_strict('flow_series_accum', ARRAY['internal', 'timestamp with time zone', 'timestamp with time zone',
                   'timestamp with time zone', 'timestamp with time zone', 'interval'],
                   'flow_series_accum is not STRICT (ended_at NULL means still active)');
SELECT isnt_strict('revenue_accum', ARRAY['revenue_state', 'numeric', 'numeric'], 'revenue_accum is not STRICT (NULL counts as 0)');
SELECT is((SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = (SELECT extnamespace FROM pg_extension WHERE extname = 'engage')
              AND p.prokind = 'f' AND (p.proname LIKE 'flow\_state%' OR p.proname LIKE 'revenue\_%' OR p.proname LIKE 'flow\_series%'
                                       OR p.proname IN ('flow_periods', 'flow_rollup_accum', 'starting_mrr', 'new_mrr', 'expansion_mrr',
                                                        'contraction_mrr', 'churned_mrr', 'ending_mrr', 'gross_revenue_retention', 'net_revenue_retention'))
              AND (p.proparallel <> 's' OR obj_description(p.oid, 'pg_proc') IS NULL)),
          NULL, 'every support function is PARALLEL SAFE and has a comment');

-- ---------------------------------------------------------------------------
-- Values
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE subs (started_at timestamptz, ended_at timestamptz);
INSERT INTO subs VALUES ('2023-06-01', NULL), ('2023-06-01', '2024-01-15'), ('2024-01-01', NULL),
                        ('2024-01-10', '2024-01-20'), ('2024-01-20', '2024-02-01'), ('2024-02-01', NULL);
-- Jan: S = 2, N = 3, L = 1, NL = 1, E = 3; Feb: S = 3, N = 1, L = 1 (ends at ps), E = 3.
SELECT is((SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '1 month')::text FROM subs),
          'v1;step=1mon0d0us;2024-01-01 00:00:00+00 {2,3,1,1};2024-02-01 00:00:00+00 {3,1,1,0};2024-03-01 00:00:00+00',
          'subscription_flow: hand-computed state');
SELECT results_eq(
    $$SELECT customers_start, new_customers, lost_customers, customers_end, churn_rate, retention_rate,
             retention_rate_excluding_new, net_growth
        FROM flow_periods((SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '1 month') FROM subs))$$,
    $$VALUES (2::bigint, 3::bigint, 1::bigint, 3::bigint, 50::float8, 0::float8, 50::float8, 50::float8),
             (3, 1, 1, 3, 100.0 / 3, 200.0 / 3, 200.0 / 3, 0)$$,
    'flow_periods: Jan churn 100*1/2, retention 100*(3-3)/2, excluding new 100*(2-1)/2, growth 100*(3-2)/2; Feb 100/3, 200/3, 200/3, 0');
SELECT is(revenue_agg(s, e)::text,
          'v1;rows=4;starting=300.000000/3;new=50.000000/1;expansion=20.000000/1;contraction=30.000000/1;churned=100.000000/1',
          'revenue_agg: hand-computed state')
  FROM (VALUES (100, 120), (100, 70), (100, 0), (0, 50)) v(s, e);
SELECT is(net_revenue_retention(s, e), (100.0 * (300 + 20 - 30 - 100) / 300)::float8, 'net_revenue_retention aggregate')
  FROM (VALUES (100, 120), (100, 70), (100, 0), (0, 50)) v(s, e);
SELECT is(gross_revenue_retention(s, e), (100.0 * (300 - 30 - 100) / 300)::float8, 'gross_revenue_retention aggregate')
  FROM (VALUES (100, 120), (100, 70), (100, 0), (0, 50)) v(s, e);
SELECT is(revenue_churn_rate(revenue_agg(s, e)), (100.0 * (30 + 100) / 300)::float8, 'revenue_churn_rate')
  FROM (VALUES (100, 120), (100, 70), (100, 0), (0, 50)) v(s, e);
SELECT is(ending_mrr(revenue_agg(s, e)), 240.000000, 'ending_mrr = 120 + 70 + 0 + 50')
  FROM (VALUES (100, 120), (100, 70), (100, 0), (0, 50)) v(s, e);
SELECT is(starting_mrr(revenue_agg(0.0000025, 0)), 0.000002, 'amounts round half-even to micro-units');

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT subscription_flow(started_at, ended_at, NULL, '2024-03-01', '1 month') FROM subs$$, '22004', NULL,
                 'NULL series_start is 22004');
SELECT throws_ok($$SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', NULL) FROM subs$$, '22004', NULL,
                 'NULL step is 22004');
SELECT throws_ok($$SELECT subscription_flow(started_at, ended_at, '2024-03-01', '2024-03-01', '1 month') FROM subs$$, '22023', NULL,
                 'series_start >= series_end is 22023');
SELECT throws_ok($$SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '-1 day') FROM subs$$, '22023', NULL,
                 'a negative step is 22023');
SELECT throws_ok($$SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '0 days') FROM subs$$, '22023', NULL,
                 'a zero step is 22023');
SELECT throws_ok($$SELECT subscription_flow(started_at, ended_at, '2000-01-01', '2024-03-01', '1 hour') FROM subs$$, '22023',
                 'the series has more than 100000 periods', 'more than 100000 periods is 22023');
SELECT throws_ok($$SELECT subscription_flow('2024-01-02', '2024-01-01', '2024-01-01', '2024-03-01', '1 month')$$, '22023', NULL,
                 'ended_at < started_at is 22023');
SELECT throws_ok($$SELECT subscription_flow(started_at, ended_at, '2024-01-01', se, '1 month')
                     FROM subs, (VALUES ('2024-03-01'::timestamptz), ('2024-04-01')) v(se)$$, '22023',
                 'series arguments changed between rows', 'series arguments changing between rows is 22023');
SELECT throws_ok($$SELECT rollup(s) FROM (SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-03-01', '1 month') s FROM subs
                     UNION ALL SELECT subscription_flow(started_at, ended_at, '2024-01-01', '2024-04-01', '1 month') FROM subs) x$$,
                 '22023', 'cannot combine flow states of different series', 'rollup of different series is 22023');
SELECT throws_ok($$SELECT 'v1;step=1mon0d0us;2024-01-01 00:00:00+00 {1,0,2,0};2024-02-01 00:00:00+00'::flow_state$$, '22P02', NULL,
                 'an impossible flow_state literal (L > S) is 22P02');
SELECT throws_ok($$SELECT revenue_agg(-1, 0)$$, '22003', NULL, 'a negative MRR is 22003');
SELECT throws_ok($$SELECT revenue_agg('NaN', 0)$$, '22003', NULL, 'a NaN MRR is 22003');
SELECT throws_ok($$SELECT revenue_agg(x, 0) FROM (VALUES (9000000000000), (9000000000000)) v(x)$$, '22003', NULL,
                 'a sum past 2^63-1 micro-units is 22003');
SELECT throws_ok($$SELECT 'v1;rows=1;starting=10.000000/1;new=0.000000/0;expansion=0.000000/0;contraction=6.000000/1;churned=5.000000/1'::revenue_state$$,
                 '22P02', NULL, 'an impossible revenue_state literal (contraction + churned > starting) is 22P02');

-- ---------------------------------------------------------------------------
-- The ledger form: revenue_movements_agg(movement, amount)
-- ---------------------------------------------------------------------------
SELECT is_aggregate('revenue_movements_agg', ARRAY['text', 'numeric'], 'revenue_movements_agg(text, numeric) is an aggregate');
SELECT function_returns('revenue_movements_agg', ARRAY['text', 'numeric'], 'revenue_state', 'revenue_movements_agg returns revenue_state');
SELECT is_aggregate(f, ARRAY['text', 'numeric'], format('%s(text, numeric) is an aggregate', f))
  FROM unnest(ARRAY['net_revenue_retention', 'gross_revenue_retention']) f;
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
            WHERE a.aggfnoid IN ('revenue_movements_agg(text,numeric)'::regprocedure, 'net_revenue_retention(text,numeric)'::regprocedure,
                                 'gross_revenue_retention(text,numeric)'::regprocedure)
              AND a.aggcombinefn <> 0 AND a.aggminvtransfn <> 0 AND a.aggtranstype = 'revenue_state'::regtype AND p.proparallel = 's'),
          3, 'the ledger aggregates keep a revenue_state with combine and inverse transition, PARALLEL SAFE');
SELECT isnt_strict('revenue_movement_accum', ARRAY['revenue_state', 'text', 'numeric'],
                   'revenue_movement_accum is not STRICT (NULL rows are ignored)');
SELECT is(revenue_movements_agg(m, a)::text,
          'v1;ledger;rows=7;starting=300.000000/2;new=50.000000/1;expansion=40.000000/2;contraction=10.000000/1;churned=100.000000/1',
          'revenue_movements_agg: hand-computed ledger state')
  FROM (VALUES ('starting', 100), ('starting', 200), ('new', 50), ('expansion', 20), ('expansion', 20),
               ('contraction', 10), ('churned', 100), (NULL, 5)) v(m, a);
SELECT is(net_revenue_retention(m, a), (100.0 * (300 + 40 - 10 - 100) / 300)::float8, 'net_revenue_retention ledger aggregate')
  FROM (VALUES ('starting', 100), ('starting', 200), ('expansion', 40), ('contraction', 10), ('churned', 100)) v(m, a);
SELECT is(net_revenue_retention(100, 150), 150::float8, 'net_revenue_retention(100, 150) still resolves to the snapshot form');
SELECT throws_ok($$SELECT revenue_movements_agg('upgrade', 1)$$, '22023', NULL, 'an unknown MRR movement is 22023');
SELECT throws_ok($$SELECT revenue_movements_agg('new', -1)$$, '22003', NULL, 'a negative ledger amount is 22003');
SELECT throws_ok($$SELECT 'v1;rows=0;ledger;starting=0.000000/0;new=0.000000/0;expansion=0.000000/0;contraction=0.000000/0;churned=0.000000/0'::revenue_state$$,
                 '22P02', NULL, 'a malformed ledger revenue_state literal is 22P02');

SELECT * FROM finish();
ROLLBACK;
