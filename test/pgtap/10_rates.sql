SET search_path = public, engage;
-- pgTAP: the rates of issue 5 on proportion_state (conversion rate, CTR,
-- email, social engagement, events; Wilson interval, A/B test, sample size).
-- Signatures, volatility, parallel safety, aggregate support, hand-computed
-- values and the error contract by SQLSTATE:
--   22023 count above its denominator, kinds mixed, a ratio where a
--         proportion is needed, confidence outside (0,1), sample-size arguments
--   22003 negative counts, counts past 2^63-1
--   22P02 malformed literals (successes > trials included)
BEGIN;
SELECT plan(60);

-- ---------------------------------------------------------------------------
-- Signatures
-- ---------------------------------------------------------------------------
SELECT has_type('proportion_state', 'type proportion_state exists');
SELECT is((SELECT typlen::int FROM pg_type WHERE oid = 'proportion_state'::regtype), 24, 'proportion_state is fixed-size, 24 bytes');
SELECT is_aggregate(f, ARRAY['boolean'], format('%s(boolean) is an aggregate', f))
  FROM unnest(ARRAY['conversion_rate', 'open_rate', 'click_rate', 'unsubscribe_rate', 'registration_rate', 'attendance_rate']) f;
SELECT is_aggregate(f, ARRAY[t, t], format('%s(%s, %s) is an aggregate', f, t, t))
  FROM unnest(ARRAY['ctr', 'engagement_rate', 'conversion_rate', 'open_rate', 'click_rate', 'click_to_open_rate',
                    'unsubscribe_rate', 'registration_rate', 'attendance_rate']) f, unnest(ARRAY['bigint', 'integer']) t;
SELECT is_aggregate('click_to_open_rate', ARRAY['boolean', 'boolean'], 'click_to_open_rate(boolean, boolean) is an aggregate');
SELECT is_aggregate('rollup', ARRAY['proportion_state'], 'rollup(proportion_state) is an aggregate');
-- Every one-call rate returns double precision and has an _agg twin returning proportion_state.
SELECT is((SELECT string_agg(r.oid::regprocedure::text, ', ' ORDER BY r.oid::regprocedure::text)
             FROM pg_proc r
            WHERE r.prokind = 'a' AND r.proname IN ('conversion_rate', 'open_rate', 'click_rate', 'click_to_open_rate', 'unsubscribe_rate',
                                                   'registration_rate', 'attendance_rate', 'ctr', 'engagement_rate')
              AND (r.prorettype <> 'double precision'::regtype
                   OR NOT EXISTS (SELECT 1 FROM pg_proc g
                                   WHERE g.prokind = 'a' AND g.proargtypes = r.proargtypes
                                     AND g.proname = replace(r.proname, '_rate', '') || '_agg'
                                     AND g.prorettype = 'proportion_state'::regtype))),
          NULL, 'every one-call rate returns double precision and has an _agg form returning proportion_state');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE prokind = 'a' AND prorettype IN ('double precision'::regtype, 'proportion_state'::regtype)
              AND proname IN ('conversion_rate', 'open_rate', 'click_rate', 'click_to_open_rate', 'unsubscribe_rate', 'registration_rate',
                              'attendance_rate', 'ctr', 'engagement_rate', 'conversion_agg', 'open_agg', 'click_agg', 'click_to_open_agg',
                              'unsubscribe_agg', 'registration_agg', 'attendance_agg', 'ctr_agg', 'engagement_agg')),
          50, '50 rate aggregates: 25 argument lists (the count pairs as bigint and integer), each as a one-call rate and an _agg form');
SELECT function_returns(f, ARRAY['proportion_state'], r, format('%s(proportion_state) returns %s', f, r))
  FROM (VALUES ('rate', 'double precision'), ('successes', 'bigint'), ('trials', 'bigint')) v(f, r);
SELECT is((SELECT array_to_string(proargnames, ',') || ' ' || pg_get_expr(proargdefaults, 0) FROM pg_proc
            WHERE oid = 'rate_lower(proportion_state, double precision)'::regprocedure),
          'state,confidence 0.95', 'rate_lower(state, confidence DEFAULT 0.95)');
SELECT function_returns('rate_upper', ARRAY['proportion_state', 'double precision'], 'double precision', 'rate_upper returns double precision');
SELECT function_returns(f, ARRAY['proportion_state', 'proportion_state'], 'double precision', format('%s(a, b) returns double precision', f))
  FROM unnest(ARRAY['ab_test', 'ab_z']) f;
SELECT is((SELECT array_to_string(proargnames, ',') || ' ' || pg_get_expr(proargdefaults, 0) || ' ' || prorettype::regtype::text
             FROM pg_proc WHERE oid = 'ab_sample_size(float8, float8, float8, float8)'::regprocedure),
          'baseline_rate,minimum_detectable_effect,alpha,power 0.05, 0.8 bigint',
          'ab_sample_size(baseline_rate, minimum_detectable_effect, alpha DEFAULT 0.05, power DEFAULT 0.8) returns bigint');
SELECT ok(EXISTS (SELECT 1 FROM pg_cast WHERE castsource = 'proportion_state'::regtype AND casttarget = 'jsonb'::regtype),
          'proportion_state casts to jsonb');
SELECT ok(EXISTS (SELECT 1 FROM pg_opclass WHERE opcname = 'proportion_state_hash_ops' AND opcdefault),
          'proportion_state has a default hash operator class');

-- ---------------------------------------------------------------------------
-- Volatility, strictness, parallel safety, aggregate support, comments
-- ---------------------------------------------------------------------------
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
             FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
            WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'engage')
              AND ('proportion_state'::regtype = ANY (p.proargtypes::regtype[]) OR p.prorettype = 'proportion_state'::regtype
                   OR p.proname IN ('ab_sample_size', 'ctr', 'conversion_rate', 'open_rate', 'click_rate', 'click_to_open_rate',
                                    'unsubscribe_rate', 'registration_rate', 'attendance_rate', 'engagement_rate'))
              AND (p.provolatile <> 'i' OR p.proparallel <> 's' OR obj_description(p.oid, 'pg_proc') IS NULL)),
          NULL, 'every rate function and aggregate is IMMUTABLE, PARALLEL SAFE and commented');
SELECT is((SELECT string_agg(a.aggfnoid::regprocedure::text, ', ' ORDER BY a.aggfnoid::regprocedure::text)
             FROM pg_aggregate a
            WHERE a.aggtranstype = 'proportion_state'::regtype
              AND (a.aggcombinefn = 0 OR a.aggmtransfn = 0 OR a.aggminvtransfn = 0 OR a.aggmtranstype <> 'proportion_state'::regtype)),
          NULL, 'every proportion_state aggregate has a combine function and a moving-aggregate inverse');
SELECT is((SELECT count(*)::int FROM pg_aggregate WHERE aggtranstype = 'proportion_state'::regtype), 51,
          '51 aggregates keep a proportion_state (50 rates and rollup)');
SELECT is_strict(f, ARRAY['proportion_state', 'boolean'], format('%s is STRICT (NULL rows are skipped)', f))
  FROM unnest(ARRAY['proportion_accum', 'proportion_accum_inv']) f;
SELECT is_strict('ctr_accum', ARRAY['proportion_state', 'bigint', 'bigint'], 'ctr_accum is STRICT (rows with a NULL are skipped)');
SELECT is(obj_description('proportion_state'::regtype, 'pg_type') IS NOT NULL, true, 'proportion_state has a comment');

-- ---------------------------------------------------------------------------
-- Values
-- ---------------------------------------------------------------------------
SELECT is(conversion_rate(b), 75::float8, 'conversion_rate: 3 of 4 non-NULL rows')
  FROM (VALUES (true), (true), (false), (NULL), (true)) v(b);
SELECT is(ctr(c, i), 10::float8, 'ctr: (10 + 5) / (100 + 50)') FROM (VALUES (10, 100), (5, 50), (NULL, 7)) v(c, i);
SELECT is(engagement_agg(i, f)::text, 'v1:ratio:150/100', 'engagement may exceed 100 percent: a ratio state')
  FROM (VALUES (120, 50), (30, 50)) v(i, f);
SELECT is(round(rate_lower('v1:45/50')::numeric, 4) || ' ' || round(rate_upper('v1:45/50')::numeric, 4), '78.6398 95.6524',
          'Wilson 95% interval of 45 of 50');
SELECT is(round(ab_test('v1:200/1000', 'v1:250/1000')::numeric, 12), 0.007419649261, 'ab_test p-value (python3 math.erfc)');
SELECT is(ab_sample_size(50, 25, 0.05, 0.9), 77::bigint, 'ab_sample_size: R power.prop.test(p1 = .5, p2 = .75, power = .9) n = 76.7');

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT ctr(11, 10)$$, '22023', 'clicks (11) exceed impressions (10)', 'clicks > impressions is 22023');
SELECT throws_ok($$SELECT ctr(-1, 10)$$, '22003', 'clicks must not be negative', 'negative clicks is 22003');
SELECT throws_ok($$SELECT ctr(c, i) FROM (VALUES (9223372036854775807, 9223372036854775807), (0, 1)) v(c, i)$$, '22003', NULL,
                 'a count past 2^63-1 is 22003');
SELECT throws_ok($$SELECT rollup(s) FROM (VALUES ('v1:1/2'::proportion_state), ('v1:ratio:3/2')) v(s)$$, '22023', NULL,
                 'rollup of a proportion and a ratio is 22023');
SELECT throws_ok($$SELECT rate_lower('v1:1/2', 1)$$, '22023', NULL, 'confidence 1 is 22023');
SELECT throws_ok($$SELECT ab_sample_size(5, 0)$$, '22023', NULL, 'a zero detectable effect is 22023');
SELECT throws_ok($$SELECT 'v1:51/50'::proportion_state$$, '22P02', NULL, 'successes > trials in a literal is 22P02');
SELECT * FROM finish();
ROLLBACK;
