SET search_path = public, engage;
-- pgTAP: window funnels (funnel per user and keyed by user, funnel_state,
-- rollup, funnel_steps) and support resolution time (resolution_agg,
-- resolution_state and its readers).
-- Signatures, volatility, parallel safety, aggregate support, hand-computed
-- values and the error contract by SQLSTATE:
--   22023 step out of range, bad steps or window, parameters changing
--         between rows, funnel_times of several users, resolved_at before
--         opened_at, negative or month durations, percentile outside [0, 1]
--   22004 NULL window, steps or SLA
--   22008 infinite timestamps
--   22P02 malformed or impossible literals
BEGIN;
SELECT plan(75);
SET LOCAL TimeZone = 'UTC';

-- ---------------------------------------------------------------------------
-- Signatures
-- ---------------------------------------------------------------------------
SELECT has_type('funnel_state', 'type funnel_state exists');
SELECT has_type('resolution_state', 'type resolution_state exists');
SELECT is_aggregate('funnel', ARRAY['timestamp with time zone', 'integer', 'interval'], 'funnel(ts, step, window) is an aggregate');
SELECT is_aggregate('funnel', ARRAY['timestamp with time zone', 'integer', 'interval', 'integer'], 'funnel(ts, step, window, steps) is an aggregate');
SELECT is_aggregate('funnel', ARRAY['timestamp with time zone', 'boolean[]', 'interval'], 'funnel(ts, conditions, window) is an aggregate');
SELECT is_aggregate('funnel', ARRAY['bigint', 'timestamp with time zone', 'integer', 'interval'],
                    'funnel(user_id, ts, step, window) is an aggregate');
SELECT is_aggregate('funnel', ARRAY['bigint', 'timestamp with time zone', 'integer', 'interval', 'integer'],
                    'funnel(user_id, ts, step, window, steps) is an aggregate');
SELECT is_aggregate('funnel', ARRAY['bigint', 'timestamp with time zone', 'boolean[]', 'interval'],
                    'funnel(user_id, ts, conditions, window) is an aggregate');
SELECT is((SELECT string_agg(DISTINCT prorettype::regtype::text, ',') FROM pg_proc WHERE proname = 'funnel' AND prokind = 'a'),
          'funnel_state', 'every funnel aggregate returns funnel_state');
SELECT is_aggregate('rollup', ARRAY['funnel_state'], 'rollup(funnel_state) is an aggregate');
SELECT is_aggregate('rollup', ARRAY['resolution_state'], 'rollup(resolution_state) is an aggregate');
SELECT is((SELECT array_to_string(proallargtypes::regtype[], ',') || ' ' || array_to_string(proargnames, ',')
             FROM pg_proc WHERE oid = 'funnel_steps(funnel_state)'::regprocedure),
          'funnel_state,integer,bigint,double precision,double precision,interval,interval '
          'state,step,users,conversion_from_first,conversion_from_previous,median_time_from_previous,mean_time_from_previous',
          'funnel_steps columns and types');
SELECT function_returns(f, ARRAY['funnel_state'], r, format('%s(funnel_state) returns %s', f, r))
  FROM (VALUES ('funnel_depth', 'integer'), ('funnel_times', 'interval[]'), ('funnel_users', 'bigint'),
               ('funnel_step_count', 'integer'), ('funnel_conversion', 'double precision')) v(f, r);
SELECT is_aggregate(f, a, format('%s(%s) is an aggregate', f, array_to_string(a, ', ')))
  FROM (VALUES ('resolution_agg', ARRAY['timestamp with time zone', 'timestamp with time zone']),
               ('resolution_agg', ARRAY['interval']),
               ('mean_resolution_time', ARRAY['timestamp with time zone', 'timestamp with time zone']),
               ('mean_resolution_time', ARRAY['interval']),
               ('median_resolution_time', ARRAY['timestamp with time zone', 'timestamp with time zone']),
               ('median_resolution_time', ARRAY['interval']),
               ('resolution_within', ARRAY['timestamp with time zone', 'timestamp with time zone', 'interval']),
               ('resolution_within', ARRAY['interval', 'interval'])) v(f, a);
SELECT function_returns(f, a, r, format('%s(%s) returns %s', f, array_to_string(a, ', '), r))
  FROM (VALUES ('ticket_count', ARRAY['resolution_state'], 'bigint'), ('resolution_count', ARRAY['resolution_state'], 'bigint'),
               ('open_count', ARRAY['resolution_state'], 'bigint'), ('mean_resolution_time', ARRAY['resolution_state'], 'interval'),
               ('median_resolution_time', ARRAY['resolution_state'], 'interval'),
               ('resolution_percentile', ARRAY['resolution_state', 'double precision'], 'interval'),
               ('resolution_within', ARRAY['resolution_state', 'interval'], 'double precision')) v(f, a, r);

-- ---------------------------------------------------------------------------
-- Volatility, strictness, parallel safety, aggregate support, comments
-- ---------------------------------------------------------------------------
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
             FROM pg_proc p
            WHERE p.pronamespace = (SELECT extnamespace FROM pg_extension WHERE extname = 'engage')
              AND (p.proname LIKE 'funnel%' OR p.proname LIKE '%resolution%' OR p.proname IN ('ticket_count', 'open_count')
                   OR (p.proname = 'rollup' AND p.proargtypes[0] IN ('funnel_state'::regtype, 'resolution_state'::regtype)))
              AND (p.proparallel <> 's' OR p.provolatile <> 'i' OR obj_description(p.oid, 'pg_proc') IS NULL)),
          NULL, 'every funnel and resolution function and aggregate is IMMUTABLE, PARALLEL SAFE and commented');
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
            WHERE (p.proname = 'funnel' OR (p.proname = 'rollup' AND p.proargtypes[0] = 'funnel_state'::regtype))
              AND a.aggtranstype = 'internal'::regtype AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0),
          7, 'the six funnel aggregates and rollup(funnel_state): internal state with combine, serialize, deserialize');
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
            WHERE (p.proname IN ('resolution_agg', 'mean_resolution_time', 'median_resolution_time', 'resolution_within')
                   OR (p.proname = 'rollup' AND p.proargtypes[0] = 'resolution_state'::regtype))
              AND a.aggtranstype = 'internal'::regtype AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0
              AND a.aggminvtransfn <> 0 AND a.aggmtranstype = 'internal'::regtype),
          9, 'the nine resolution aggregates: combine, serialize, deserialize and an inverse for moving windows');
SELECT is((SELECT aggminvtransfn::text FROM pg_aggregate WHERE aggfnoid = 'rollup(funnel_state)'::regprocedure),
          'funnel_rollup_accum_inv', 'rollup(funnel_state) has an inverse transition');
SELECT is_strict('funnel_steps', ARRAY['funnel_state'], 'funnel_steps is STRICT');
SELECT isnt_strict('funnel_accum', ARRAY['internal', 'timestamp with time zone', 'integer', 'interval'],
                   'funnel_accum is not STRICT (NULL step: not an event)');
SELECT isnt_strict('funnel_keyed_accum', ARRAY['internal', 'bigint', 'timestamp with time zone', 'integer', 'interval'],
                   'funnel_keyed_accum is not STRICT (NULL user or step: not an event)');
SELECT isnt_strict('resolution_accum', ARRAY['internal', 'timestamp with time zone', 'timestamp with time zone'],
                   'resolution_accum is not STRICT (resolved_at NULL: open)');
SELECT results_eq($$SELECT typlen::int, typalign::text, typstorage::text FROM pg_type
                     WHERE typname IN ('funnel_state', 'resolution_state') ORDER BY typname$$,
                  $$VALUES (-1, 'd', 'x'), (-1, 'd', 'x')$$, 'both states are varlena, double aligned, extended storage');
SELECT has_cast('funnel_state', 'jsonb', 'funnel_state_to_jsonb', 'cast funnel_state -> jsonb');
SELECT has_cast('resolution_state', 'jsonb', 'resolution_state_to_jsonb', 'cast resolution_state -> jsonb');

-- ---------------------------------------------------------------------------
-- Hand-computed values
-- ---------------------------------------------------------------------------
-- user 1: 1 at 00:00, 2 at 00:10, 3 at 00:30 (window 1 h): depth 3, times 0, 10 min, 30 min
-- user 2: 1 at 00:00, 2 at 02:00: outside the window, depth 1
-- user 3: 2 at 00:00 only: depth 0
CREATE TEMP TABLE tap_ev (u int, ts timestamptz, step int);
INSERT INTO tap_ev VALUES (1, '2024-01-01 00:00', 1), (1, '2024-01-01 00:10', 2), (1, '2024-01-01 00:30', 3),
                          (2, '2024-01-01 00:00', 1), (2, '2024-01-01 02:00', 2), (3, '2024-01-01 00:00', 2);
SELECT is((SELECT funnel_times(funnel(ts, step, '1 hour')) FROM tap_ev WHERE u = 1),
          ARRAY['0', '10 minutes', '30 minutes']::interval[], 'user 1: times 0, 10 min, 30 min');
SELECT is((SELECT array_agg(funnel_depth(f) ORDER BY u) FROM (SELECT u, funnel(ts, step, '1 hour') f FROM tap_ev GROUP BY u) q),
          ARRAY[3, 1, 0], 'depths 3, 1, 0');
SELECT results_eq($$SELECT step, users, conversion_from_first, conversion_from_previous
                     FROM (SELECT rollup(f) r FROM (SELECT u, funnel(ts, step, '1 hour', 3) f FROM tap_ev GROUP BY u) q) q,
                          funnel_steps(r) ORDER BY step$$,
                  $$VALUES (1, 2::bigint, 100::float8, 100::float8), (2, 1, 50, 50), (3, 1, 50, 100)$$,
                  'rollup: 2, 1, 1 users; conversion 100, 50, 50 from the first and 100, 50, 100 from the previous');
SELECT is((SELECT mean_time_from_previous FROM (SELECT rollup(f) r FROM (SELECT u, funnel(ts, step, '1 hour') f FROM tap_ev GROUP BY u) q) q,
                  funnel_steps(r) WHERE step = 3), '20 minutes'::interval, 'mean time from step 2 to 3 is exactly 20 min');
SELECT ok((SELECT abs(extract(epoch FROM median_time_from_previous) - 600) <= 600 / 128.0
             FROM (SELECT rollup(f) r FROM (SELECT u, funnel(ts, step, '1 hour') f FROM tap_ev GROUP BY u) q) q,
                  funnel_steps(r) WHERE step = 2), 'median time from step 1 to 2 within 1/128 of 10 min');
SELECT is((SELECT funnel(ts, step, '1 hour' ORDER BY ts DESC)::text FROM tap_ev WHERE u = 1),
          (SELECT funnel(ts, step, '1 hour' ORDER BY ts)::text FROM tap_ev WHERE u = 1), 'row order does not matter');
SELECT is((SELECT funnel_depth(funnel(ts, ARRAY[step = 1, step = 2, step = 3], '1 hour')) FROM tap_ev WHERE u = 1), 3,
          'conditions form: depth 3');
SELECT is((SELECT funnel(u, ts, step, '1 hour', 3)::text FROM tap_ev),
          (SELECT rollup(f)::text FROM (SELECT u, funnel(ts, step, '1 hour', 3) f FROM tap_ev GROUP BY u) q),
          'keyed form funnel(user_id, ts, step, window, steps) equals rollup() of the per-user states');
SELECT results_eq($$SELECT step, users, conversion_from_first, conversion_from_previous, mean_time_from_previous
                     FROM funnel_steps((SELECT funnel(u, ts, step, '1 hour') FROM tap_ev)) ORDER BY step$$,
                  $$VALUES (1, 2::bigint, 100::float8, 100::float8, NULL::interval), (2, 1, 50, 50, '10 minutes'),
                           (3, 1, 50, 100, '20 minutes')$$,
                  'keyed form: 2, 1, 1 users, exact means 10 and 20 min');
-- tickets: 30 min, 1 h, 2 h, 4 h resolved, one open
CREATE TEMP TABLE tap_t (opened_at timestamptz, resolved_at timestamptz);
INSERT INTO tap_t VALUES ('2024-01-01 09:00', '2024-01-01 09:30'), ('2024-01-01 09:00', '2024-01-01 10:00'),
                         ('2024-01-01 09:00', '2024-01-01 11:00'), ('2024-01-01 09:00', '2024-01-01 13:00'),
                         ('2024-01-01 09:00', NULL);
SELECT results_eq($$SELECT ticket_count(s), resolution_count(s), open_count(s), mean_resolution_time(s)
                     FROM (SELECT resolution_agg(opened_at, resolved_at) s FROM tap_t) q$$,
                  $$VALUES (5::bigint, 4::bigint, 1::bigint, '01:52:30'::interval)$$,
                  'tickets 5, resolved 4, open 1, mean (1800 + 3600 + 7200 + 14400) / 4 s = 01:52:30');
SELECT ok((SELECT abs(extract(epoch FROM median_resolution_time(opened_at, resolved_at)) - 5400) <= 5400 / 128.0 FROM tap_t),
          'median within 1/128 of 5400 s');
SELECT ok((SELECT resolution_within(s, '4 hours') BETWEEN 75 AND 100 AND resolution_within(s, '14495.514623 seconds') = 100
             FROM (SELECT resolution_agg(opened_at, resolved_at) s FROM tap_t) q),
          'within 4 h between the bounds 75 and 100; exactly 100 at the end of its bucket');
SELECT is((SELECT resolution_agg(opened_at, resolved_at)::text::resolution_state::text FROM tap_t),
          (SELECT resolution_agg(opened_at, resolved_at)::text FROM tap_t), 'resolution_state text round trip');

-- ---------------------------------------------------------------------------
-- Errors by SQLSTATE
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT funnel(now(), 33, '1 day')$$, '22023', NULL, 'step 33: 22023');
SELECT throws_ok($$SELECT funnel(now(), 3, '1 day', 2)$$, '22023', NULL, 'step above steps: 22023');
SELECT throws_ok($$SELECT funnel(now(), 1, '1 month')$$, '22023', NULL, 'window with months: 22023');
SELECT throws_ok($$SELECT funnel(now(), 1, NULL)$$, '22004', NULL, 'NULL window: 22004');
SELECT throws_ok($$SELECT funnel('infinity', 1, '1 day')$$, '22008', NULL, 'infinite ts: 22008');
SELECT throws_ok($$SELECT funnel(ts, 1, w) FROM (VALUES (now(), '1 day'::interval), (now(), '2 days')) v(ts, w)$$,
                 '22023', NULL, 'window changing between rows: 22023');
SELECT throws_ok($$SELECT funnel(1, now(), 33, '1 day')$$, '22023', NULL, 'keyed form, step 33: 22023');
SELECT throws_ok($$SELECT funnel(1, now(), 1, '1 day', 40)$$, '22023', NULL, 'keyed form, steps 40: 22023');
SELECT throws_ok($$SELECT funnel(NULL::bigint, now(), 1, NULL)$$, '22004', NULL, 'keyed form, NULL window (even with no user): 22004');
SELECT throws_ok($$SELECT funnel(1, 'infinity', 1, '1 day')$$, '22008', NULL, 'keyed form, infinite ts: 22008');
SELECT throws_ok($$SELECT funnel(u, now(), 1, w) FROM (VALUES (1, '1 day'::interval), (2, '2 days')) v(u, w)$$,
                 '22023', NULL, 'keyed form, window changing between users: 22023');
SELECT throws_ok($$SELECT funnel(u, now(), c, '1 day') FROM (VALUES (1, ARRAY[true]), (2, ARRAY[true, false])) v(u, c)$$,
                 '22023', NULL, 'keyed form, condition count changing between users: 22023');
SELECT throws_ok($$SELECT funnel_times(rollup(f)) FROM (SELECT u, funnel(ts, step, '1 hour') f FROM tap_ev GROUP BY u) q$$,
                 '22023', NULL, 'funnel_times of several users: 22023');
SELECT throws_ok($$SELECT 'v1;steps=2;users=1;reached=1,2;s2=0.000000;h2=0:2'::funnel_state$$, '22P02', NULL,
                 'more users at step 2 than step 1: 22P02');
SELECT throws_ok($$SELECT resolution_agg('2024-01-02'::timestamptz, '2024-01-01'::timestamptz)$$, '22023', NULL,
                 'resolved_at before opened_at: 22023');
SELECT throws_ok($$SELECT resolution_agg('-1 hour'::interval)$$, '22023', NULL, 'negative resolution time: 22023');
SELECT throws_ok($$SELECT resolution_within('1 hour'::interval, NULL)$$, '22004', NULL, 'NULL SLA: 22004');
SELECT throws_ok($$SELECT resolution_percentile(resolution_agg('1 hour'::interval), 2)$$, '22023', NULL, 'percentile 2: 22023');
SELECT throws_ok($$SELECT 'v1;open=0;resolved=1;sum=1.000000;h=0:1'::resolution_state$$, '22P02', NULL,
                 'sum outside its buckets: 22P02');

SELECT * FROM finish();
ROLLBACK;
