SET search_path = public, engage;
-- pgTAP: the customer-base models (BG/NBD, Gamma-Gamma, clv).  Types,
-- signatures, volatility, strictness, parallel safety, aggregate support
-- functions, comments, reference values and the error contract by SQLSTATE:
--   22023 invalid customer summaries (negative, NaN, fractional frequency,
--         recency > t, recency without repeat purchase), invalid parameters,
--         fits without an interior maximum, out-of-range clv arguments
--   22003 infinite inputs, frequencies above 1e9
--   22P02 malformed literals
BEGIN;
SELECT plan(85);

-- ---------------------------------------------------------------------------
-- Types and casts
-- ---------------------------------------------------------------------------
SELECT has_type('bgnbd', 'type bgnbd exists');
SELECT has_type('gammagamma', 'type gammagamma exists');
SELECT is(
    (SELECT string_agg(format('%s %s %s %s %s', typname, typlen, typbyval, typalign, typstorage), '; ' ORDER BY typname)
       FROM pg_type WHERE typname IN ('bgnbd', 'gammagamma')),
    'bgnbd 56 f d p; gammagamma 56 f d p',
    'the model types are fixed-length (56 bytes), by reference, double aligned, plain');
SELECT has_cast('bgnbd', 'jsonb', 'bgnbd_to_jsonb', 'cast bgnbd -> jsonb');
SELECT has_cast('gammagamma', 'jsonb', 'gammagamma_to_jsonb', 'cast gammagamma -> jsonb');
SELECT cast_context_is('bgnbd', 'jsonb', 'explicit', 'cast bgnbd -> jsonb is explicit');
SELECT cast_context_is('gammagamma', 'jsonb', 'explicit', 'cast gammagamma -> jsonb is explicit');

-- ---------------------------------------------------------------------------
-- Functions: signature, return type, IMMUTABLE, STRICT, PARALLEL SAFE
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE api (name name, args name[], ret text, strict boolean);
INSERT INTO api VALUES
    ('bgnbd', '{double precision,double precision,double precision,double precision}', 'bgnbd', true),
    ('gammagamma', '{double precision,double precision,double precision}', 'gammagamma', true),
    ('p_alive', '{bgnbd,double precision,double precision,double precision}', 'double precision', true),
    ('expected_purchases', '{bgnbd,double precision,double precision,double precision,double precision}', 'double precision', true),
    ('expected_purchases', '{bgnbd,double precision}', 'double precision', true),
    ('expected_avg_value', '{gammagamma,double precision,double precision}', 'double precision', true),
    ('clv', '{bgnbd,gammagamma,double precision,double precision,double precision,double precision,integer,double precision,double precision}', 'double precision', true),
    ('bgnbd_to_jsonb', '{bgnbd}', 'jsonb', true),
    ('gammagamma_to_jsonb', '{gammagamma}', 'jsonb', true),
    ('bgnbd_fit_accum', '{internal,double precision,double precision,double precision}', 'internal', false),
    ('bgnbd_fit_combine', '{internal,internal}', 'internal', false),
    ('bgnbd_fit_serialize', '{internal}', 'bytea', true),
    ('bgnbd_fit_deserialize', '{bytea,internal}', 'internal', true),
    ('bgnbd_fit_final', '{internal}', 'bgnbd', true),
    ('gammagamma_fit_accum', '{internal,double precision,double precision}', 'internal', false),
    ('gammagamma_fit_combine', '{internal,internal}', 'internal', false),
    ('gammagamma_fit_serialize', '{internal}', 'bytea', true),
    ('gammagamma_fit_deserialize', '{bytea,internal}', 'internal', true),
    ('gammagamma_fit_final', '{internal}', 'gammagamma', true);
SELECT has_function(name, args::text[], format('%s(%s) exists', name, array_to_string(args, ', '))) FROM api;
SELECT function_returns(name, args::text[], ret, format('%s(%s) returns %s', name, array_to_string(args, ', '), ret)) FROM api;
SELECT is(
    (SELECT string_agg(format('%s:%s%s%s', p.oid::regprocedure, p.provolatile, p.proisstrict, p.proparallel), ' ')
       FROM api a JOIN pg_proc p ON p.proname = a.name
        AND p.proargtypes::regtype[]::text[] = a.args::text[]
      WHERE p.provolatile <> 'i' OR p.proparallel <> 's' OR p.proisstrict <> a.strict),
    NULL,
    'every model function is IMMUTABLE and PARALLEL SAFE, STRICT unless it is a transition or combine function');
SELECT is(
    (SELECT array_agg(proargnames::text ORDER BY oid::regprocedure::text) FROM pg_proc
      WHERE proname IN ('p_alive', 'expected_avg_value', 'clv') AND proargtypes[0] IN ('bgnbd'::regtype, 'gammagamma'::regtype)),
    ARRAY['{bgnbd,gammagamma,frequency,recency,t,monetary_value,horizon_months,discount_rate_monthly,time_unit_days}',
          '{model,frequency,monetary_value}',
          '{model,frequency,recency,t}'],
    'clv, expected_avg_value and p_alive take named arguments');
SELECT is((SELECT pronargdefaults::int FROM pg_proc WHERE oid = 'clv(bgnbd,gammagamma,float8,float8,float8,float8,int,float8,float8)'::regprocedure),
          2, 'clv defaults discount_rate_monthly and time_unit_days');

-- ---------------------------------------------------------------------------
-- Aggregates
-- ---------------------------------------------------------------------------
SELECT is_aggregate('bgnbd_fit', ARRAY['double precision', 'double precision', 'double precision'], 'bgnbd_fit is an aggregate');
SELECT is_aggregate('gammagamma_fit', ARRAY['double precision', 'double precision'], 'gammagamma_fit is an aggregate');
SELECT is(
    (SELECT string_agg(format('%s %s %s %s %s %s %s', p.proname, a.aggtranstype::regtype, a.aggcombinefn, a.aggserialfn,
                              a.aggdeserialfn, a.aggfinalfn, p.proparallel), '; ' ORDER BY p.proname)
       FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
      WHERE p.proname IN ('bgnbd_fit', 'gammagamma_fit')),
    'bgnbd_fit internal bgnbd_fit_combine bgnbd_fit_serialize bgnbd_fit_deserialize bgnbd_fit_final s; '
    'gammagamma_fit internal gammagamma_fit_combine gammagamma_fit_serialize gammagamma_fit_deserialize gammagamma_fit_final s',
    'the fitting aggregates keep an internal state with combine, serialize and deserialize functions and are PARALLEL SAFE');

-- ---------------------------------------------------------------------------
-- Every object has a comment
-- ---------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM api a JOIN pg_proc p ON p.proname = a.name
            AND p.proargtypes::regtype[]::text[] = a.args::text[]
          WHERE obj_description(p.oid, 'pg_proc') IS NULL), 0, 'every model function has a comment');
SELECT isnt(obj_description(oid, 'pg_proc'), NULL, format('aggregate %s has a comment', oid::regprocedure))
  FROM pg_proc WHERE proname IN ('bgnbd_fit', 'gammagamma_fit');
SELECT isnt(obj_description(oid, 'pg_type'), NULL, format('type %s has a comment', typname))
  FROM pg_type WHERE typname IN ('bgnbd', 'gammagamma');

-- ---------------------------------------------------------------------------
-- Reference values (Fader, Hardie & Lee 2005; SciPy)
-- ---------------------------------------------------------------------------
SELECT is(round(p_alive('v1:r=0.2426,alpha=4.4135,a=0.7929,b=2.4258', 2, 30.43, 38.86)::numeric, 4), 0.7266,
          'P(alive) of x=2, t_x=30.43, T=38.86 under the published model is 0.7266');
SELECT is(round(expected_purchases('v1:r=0.2426,alpha=4.4135,a=0.7929,b=2.4258', 39, 2, 30.43, 38.86)::numeric, 4), 1.2259,
          'expected purchases in the next 39 weeks of that customer are 1.2259');
SELECT ok(abs(expected_purchases('v1:r=0.2426,alpha=4.4135,a=0.7929,b=2.4258', 39) / 1.1950518784094886 - 1) < 1e-9,
          'a new customer buys 1.19505 times in 39 weeks (SciPy hyp2f1)');
SELECT is(p_alive(bgnbd(1, 2, 3, 4), 0, 0, 10), 1::float8, 'a customer without repeat purchases is alive for sure');
SELECT ok(abs(expected_avg_value(gammagamma(6.2485, 3.7446, 15.4488), 2, 22.35) / 24.658813825320177 - 1) < 1e-12,
          'expected mean value of x=2, m=22.35 is 24.6588');
SELECT ok(abs(clv('v1:r=0.2426,alpha=4.4135,a=0.7929,b=2.4258', gammagamma(6.2485, 3.7446, 15.4488),
                  2, 30.43, 38.86, 22.35, 12) / 36.30083413831272 - 1) < 1e-9,
          'clv over 12 months at 1% a month, weeks as the unit, is 36.3008 (lifetimes method)');
SELECT is(('v1:r=0.2425929072097074,alpha=4.413531561535441,a=0.7928861481601072,b=2.4257534366097793,'
           'customers=2357,log_likelihood=-9582.425560567368')::bgnbd::text,
          'v1:r=0.2425929072097074,alpha=4.413531561535441,a=0.7928861481601072,b=2.4257534366097793,'
          'customers=2357,log_likelihood=-9582.425560567368',
          'the CDNOW fit reads back from its text form exactly');
SELECT ok(('v1:r=0.2426,alpha=4.4135,a=0.7929,b=2.4258'::bgnbd::jsonb ?& ARRAY['r', 'alpha', 'a', 'b', 'customers', 'log_likelihood', 'version']),
          'bgnbd jsonb has keys r, alpha, a, b, customers, log_likelihood, version');
SELECT ok((gammagamma(1, 2, 3)::jsonb ?& ARRAY['p', 'q', 'v', 'customers', 'log_likelihood', 'version']),
          'gammagamma jsonb has keys p, q, v, customers, log_likelihood, version');
SELECT ok(bgnbd_fit(x, t_x, t) IS NULL, 'bgnbd_fit of no rows is NULL') FROM (VALUES (1::float8, 1::float8, 2::float8)) v(x, t_x, t) WHERE false;
SELECT ok(gammagamma_fit(x, m) IS NULL, 'gammagamma_fit without repeat customers is NULL') FROM (VALUES (0::float8, 0::float8)) v(x, m);

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------
SELECT throws_ok('SELECT bgnbd_fit(-1, 0, 5)', '22023', NULL, 'negative frequency: 22023');
SELECT throws_ok('SELECT bgnbd_fit(1.5, 1, 5)', '22023', NULL, 'fractional frequency: 22023');
SELECT throws_ok($$SELECT bgnbd_fit('NaN', 1, 5)$$, '22023', NULL, 'NaN frequency: 22023');
SELECT throws_ok($$SELECT bgnbd_fit('Infinity', 1, 5)$$, '22003', NULL, 'infinite frequency: 22003');
SELECT throws_ok('SELECT bgnbd_fit(1, 6, 5)', '22023', 'recency 6 exceeds t 5', 'recency > t: 22023');
SELECT throws_ok('SELECT bgnbd_fit(0, 1, 5)', '22023', NULL, 'recency without a repeat purchase: 22023');
SELECT throws_ok('SELECT bgnbd_fit(2, 30, 38)', '22023', 'a BG/NBD fit needs at least 2 customers, got 1', 'one customer: 22023');
SELECT throws_ok('SELECT bgnbd_fit(0, 0, t) FROM generate_series(1, 10) t', '22023',
                 'a BG/NBD fit needs customers with repeat purchases', 'all frequencies 0: 22023');
SELECT throws_ok('SELECT bgnbd_fit(1, 5, 10) FROM generate_series(1, 2)', '22023', NULL,
                 'no interior maximum: 22023');
SELECT throws_ok('SELECT p_alive(bgnbd(1, 2, 3, 4), 1, 6, 5)', '22023', NULL, 'p_alive with recency > t: 22023');
SELECT throws_ok('SELECT expected_purchases(bgnbd(1, 2, 3, 4), -1)', '22023', NULL, 'negative horizon: 22023');
SELECT throws_ok('SELECT bgnbd(0, 2, 3, 4)', '22023', NULL, 'a zero parameter: 22023');
SELECT throws_ok($$SELECT 'v1:r=-1,alpha=2,a=3,b=4'::bgnbd$$, '22P02', NULL, 'a negative parameter in a literal: 22P02');
SELECT throws_ok('SELECT gammagamma_fit(2, 0)', '22023', NULL, 'zero value of a repeat customer: 22023');
SELECT throws_ok('SELECT gammagamma_fit(x, 10) FROM generate_series(1, 5) x', '22023', NULL,
                 'Gamma-Gamma without an interior maximum: 22023');
SELECT throws_ok('SELECT expected_avg_value(gammagamma(2, 0.5, 10), 0, 0)', '22023', NULL,
                 'infinite expected value (q <= 1): 22023');
SELECT throws_ok('SELECT clv(bgnbd(1, 2, 3, 4), gammagamma(2, 3, 10), 1, 1, 5, 10, -1)', '22023', NULL,
                 'negative horizon_months: 22023');
SELECT throws_ok('SELECT clv(bgnbd(1, 2, 3, 4), gammagamma(2, 3, 10), 1, 1, 5, 10, 12, 0.01, 0)', '22023', NULL,
                 'zero time_unit_days: 22023');

SELECT * FROM finish();
ROLLBACK;
