SET search_path = public, engage;
-- pgTAP: customer flow (churn and retention).  Signatures and volatility,
-- hand-computed values, and the error contract by SQLSTATE:
--   22023 impossible counts (negative, lost > start, new > end,
--         end - new > start); an empty or reversed period; ended_at before
--         started_at; period bounds that change between rows; a malformed
--         state or states of different periods
--   22004 NULL period bounds
--   22003 a state count past 2^63-1
--   22000 removing a subscription that was never added
BEGIN;
SELECT plan(64);

-- ---------------------------------------------------------------------------
-- Signatures, return types, kinds, volatility, strictness
-- ---------------------------------------------------------------------------
SELECT has_function('churn_rate', ARRAY['bigint', 'bigint'], 'churn_rate(bigint, bigint) exists');
SELECT has_function('retention_rate', ARRAY['bigint', 'bigint', 'bigint'], 'retention_rate(bigint, bigint, bigint) exists');
SELECT function_returns('churn_rate', ARRAY['bigint', 'bigint'], 'double precision', 'churn_rate(bigint, bigint) returns double precision');
SELECT function_returns('retention_rate', ARRAY['bigint', 'bigint', 'bigint'], 'double precision',
                        'retention_rate(bigint, bigint, bigint) returns double precision');
SELECT volatility_is('churn_rate', ARRAY['bigint', 'bigint'], 'immutable', 'churn_rate(bigint, bigint) is IMMUTABLE');
SELECT volatility_is('retention_rate', ARRAY['bigint', 'bigint', 'bigint'], 'immutable',
                     'retention_rate(bigint, bigint, bigint) is IMMUTABLE');
SELECT is_strict('churn_rate', ARRAY['bigint', 'bigint'], 'churn_rate(bigint, bigint) is STRICT');
SELECT is_strict('retention_rate', ARRAY['bigint', 'bigint', 'bigint'], 'retention_rate(bigint, bigint, bigint) is STRICT');
SELECT is(
    (SELECT array_agg(DISTINCT proargnames::text) FROM pg_proc
      WHERE oid IN ('churn_rate(bigint,bigint)'::regprocedure, 'retention_rate(bigint,bigint,bigint)'::regprocedure)),
    ARRAY['{customers_start,customers_end,customers_new}', '{customers_start,customers_lost}'],
    'the scalar functions take named arguments customers_start, customers_lost / customers_end, customers_new');

SELECT has_function(f, ARRAY['timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone'],
                    format('%s(timestamptz x 4) exists', f))
  FROM unnest(ARRAY['churn_rate', 'retention_rate', 'retention_rate_excluding_new']) f;
SELECT is_aggregate(f, ARRAY['timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone'],
                    format('%s(timestamptz x 4) is an aggregate', f))
  FROM unnest(ARRAY['churn_rate', 'retention_rate', 'retention_rate_excluding_new']) f;
SELECT function_returns(f, ARRAY['timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone'], 'double precision',
                        format('%s(timestamptz x 4) returns double precision', f))
  FROM unnest(ARRAY['churn_rate', 'retention_rate', 'retention_rate_excluding_new']) f;
SELECT is(
    (SELECT string_agg(format('%s:%s', p.oid::regprocedure, a.aggtranstype::regtype), ' ' ORDER BY p.proname)
       FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
      WHERE p.proname IN ('churn_rate', 'retention_rate', 'retention_rate_excluding_new')
        AND a.aggcombinefn <> 0 AND a.aggminvtransfn <> 0 AND p.proparallel = 's'),
    'churn_rate(timestamp with time zone,timestamp with time zone,timestamp with time zone,timestamp with time zone):bigint[] '
    'retention_rate(timestamp with time zone,timestamp with time zone,timestamp with time zone,timestamp with time zone):bigint[] '
    'retention_rate_excluding_new(timestamp with time zone,timestamp with time zone,timestamp with time zone,timestamp with time zone):bigint[]',
    'the three aggregates keep a bigint[] state and have a combine function, an inverse transition and PARALLEL SAFE');
SELECT volatility_is(f, a, 'immutable', format('%s(%s) is IMMUTABLE', f, array_to_string(a, ', ')))
  FROM (VALUES ('flow_accum', ARRAY['bigint[]', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone']),
               ('flow_accum_inv', ARRAY['bigint[]', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone']),
               ('flow_combine', ARRAY['bigint[]', 'bigint[]']),
               ('churn_rate_final', ARRAY['bigint[]']),
               ('retention_rate_final', ARRAY['bigint[]']),
               ('retention_rate_excluding_new_final', ARRAY['bigint[]'])) v(f, a);
SELECT isnt_strict('flow_accum', ARRAY['bigint[]', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone'],
                   'flow_accum is not STRICT (ended_at NULL means still active)');
SELECT isnt_strict('flow_accum_inv', ARRAY['bigint[]', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone', 'timestamp with time zone'],
                   'flow_accum_inv is not STRICT');
SELECT is_strict('flow_combine', ARRAY['bigint[]', 'bigint[]'], 'flow_combine is STRICT');

-- ---------------------------------------------------------------------------
-- Values (hand-computed)
-- ---------------------------------------------------------------------------
SELECT is(churn_rate(10, 3), 30::float8, 'churn_rate(10, 3) = 30');
SELECT is(churn_rate(0, 0), NULL::float8, 'churn_rate(0, 0) is NULL');
SELECT is(retention_rate(10, 12, 4), 80::float8, 'retention_rate(10, 12, 4) = (12 - 4) / 10 = 80');
SELECT is(retention_rate(0, 0, 0), NULL::float8, 'retention_rate(0, 0, 0) is NULL');
SELECT is(retention_rate(customers_start => 4, customers_end => 5, customers_new => 2), 75::float8,
          'retention_rate with named arguments: (5 - 2) / 4 = 75');

-- January 2024 over: a at start and kept, b at start and lost, c ending
-- exactly at period_start (at start, lost), e starting exactly at
-- period_start (new), f new and lost, g new ending exactly at period_end
-- (kept), h starting at period_end (outside), j at start ending at
-- period_end (kept).  S = a b c j = 4, L = b c = 2, N = e f g = 3, NL = f = 1,
-- E = a e g j = 4.
CREATE TEMP TABLE subs (started_at timestamptz, ended_at timestamptz);
INSERT INTO subs VALUES
    ('2023-06-01', NULL), ('2023-06-01', '2024-01-15'), ('2023-12-01', '2024-01-01'),
    ('2024-01-01', NULL), ('2024-01-10', '2024-01-20'), ('2024-01-20', '2024-02-01'),
    ('2024-02-01', NULL), ('2023-01-01', '2024-02-01'), (NULL, NULL);
SELECT is((SELECT churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') FROM subs), 50::float8,
          'churn_rate aggregate: 100 * 2 / 4 = 50');
SELECT is((SELECT retention_rate(started_at, ended_at, '2024-01-01', '2024-02-01') FROM subs), 25::float8,
          'retention_rate aggregate: 100 * (4 - 3) / 4 = 25');
SELECT is((SELECT retention_rate_excluding_new(started_at, ended_at, '2024-01-01', '2024-02-01') FROM subs), 50::float8,
          'retention_rate_excluding_new aggregate: 100 * (4 - 2) / 4 = 50');
SELECT is((SELECT churn_rate(started_at, ended_at, '2020-01-01', '2020-02-01') FROM subs), NULL::float8,
          'no customers at period start: NULL');
SELECT is((SELECT churn_rate(started_at, ended_at, '2024-01-01', '2024-02-01') FROM subs WHERE false), NULL::float8,
          'no rows: NULL');
SELECT is((SELECT flow_accum(NULL, '1999-12-31 00:00+00', NULL, '2000-01-01 00:00+00', '2000-01-02 00:00+00')),
          '{0,86400000000,1,0,0,0}'::bigint[], 'the state is {period_start, period_end, S, N, L, NL}');

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------
SELECT throws_ok(q, '22023', NULL, d) FROM (VALUES
    ('SELECT churn_rate(-1, 0)',               'churn_rate: negative customers_start'),
    ('SELECT churn_rate(5, -1)',               'churn_rate: negative customers_lost'),
    ('SELECT churn_rate(5, 6)',                'churn_rate: more lost than at start'),
    ('SELECT churn_rate(0, 1)',                'churn_rate: lost with no customers at start'),
    ('SELECT retention_rate(-1, 0, 0)',        'retention_rate: negative customers_start'),
    ('SELECT retention_rate(5, -1, 0)',        'retention_rate: negative customers_end'),
    ('SELECT retention_rate(5, 3, -1)',        'retention_rate: negative customers_new'),
    ('SELECT retention_rate(5, 3, 4)',         'retention_rate: new > end'),
    ('SELECT retention_rate(5, 10, 2)',        'retention_rate: end - new > start'),
    ($$SELECT churn_rate(now(), NULL, '2024-01-01', '2024-01-01')$$, 'aggregate: empty period'),
    ($$SELECT retention_rate(NULL, NULL, '2024-02-01', '2024-01-01')$$, 'aggregate: reversed period, even on a row without a start'),
    ($$SELECT churn_rate('2024-01-02', '2024-01-01', '2024-01-01', '2024-02-01')$$, 'aggregate: ended_at before started_at'),
    ($$SELECT retention_rate_excluding_new(s, NULL, p, '2024-02-01')
         FROM (VALUES (now(), '2024-01-01'::timestamptz), (now(), '2023-12-01')) v(s, p)$$, 'aggregate: period_start changes'),
    ($$SELECT churn_rate(s, NULL, '2024-01-01', p) OVER (ORDER BY p ROWS 1 PRECEDING)
         FROM (VALUES (now(), '2024-02-01'::timestamptz), (now(), '2024-03-01')) v(s, p)$$, 'moving window: period_end changes'),
    ($$SELECT churn_rate_final('{0,86400000000,1,0,0}')$$, 'state of 5 elements'),
    ($$SELECT churn_rate_final('{0,86400000000,1,0,NULL,0}')$$, 'state with a NULL'),
    ($$SELECT churn_rate_final('{0,86400000000,1,0,2,0}')$$, 'state with lost > at start'),
    ($$SELECT flow_combine('{0,86400000000,1,0,0,0}', '{0,1,1,0,0,0}')$$, 'combining states of different periods')
) v(q, d);
SELECT throws_ok(q, '22004', NULL, d) FROM (VALUES
    ($$SELECT churn_rate(now(), NULL, NULL, '2024-02-01')$$, 'NULL period_start'),
    ($$SELECT retention_rate(now(), NULL, '2024-01-01', NULL)$$, 'NULL period_end'),
    ($$SELECT retention_rate_excluding_new(NULL, NULL, NULL, NULL)$$, 'NULL bounds on a row without a start')
) v(q, d);
SELECT throws_ok($$SELECT flow_combine('{0,86400000000,9223372036854775807,0,0,0}', '{0,86400000000,1,0,0,0}')$$,
                 '22003', NULL, 'a combined count past 2^63-1');
SELECT throws_ok($$SELECT flow_accum_inv('{0,86400000000,1,0,0,0}', '2000-01-01 01:00+00', NULL,
                                         '2000-01-01 00:00+00', '2000-01-02 00:00+00')$$,
                 '22000', NULL, 'removing a new customer that was never added');
SELECT lives_ok($$SELECT churn_rate(7, 7), retention_rate(7, 7, 0), retention_rate(0, 0, 0)$$,
                'the valid borders: all lost, all kept, nobody');
SELECT lives_ok($$SELECT churn_rate('2024-01-01', '2024-01-01', '2024-01-01', 'infinity')$$,
                'a zero-length subscription and a period to infinity are valid');

SELECT * FROM finish();
ROLLBACK;
