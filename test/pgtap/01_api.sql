SET search_path = public, engage;
-- pgTAP: the catalog contract of engage (types, casts, every function and
-- aggregate with its exact signature, return type, kind, volatility,
-- strictness, parallel safety, aggregate support functions and comments).
--
-- The expected signatures below are written out by hand from
-- sql/engage.sql; they are the reference, the catalog is what is checked.
BEGIN;
SELECT plan(644);

-- ---------------------------------------------------------------------------
-- Types and casts
-- ---------------------------------------------------------------------------
SELECT has_type('nps_state',  'type nps_state exists');
SELECT has_type('csat_state', 'type csat_state exists');
SELECT has_type('ces_state',  'type ces_state exists');

SELECT results_eq(
    $$SELECT oid::regtype::text, typlen::int, typbyval, typalign::text, typstorage::text, typtype::text
        FROM pg_type WHERE typname IN ('nps_state', 'csat_state', 'ces_state') ORDER BY 1$$,
    $$VALUES ('ces_state',  112, false, 'd', 'p', 'b'),
             ('csat_state', 112, false, 'd', 'p', 'b'),
             ('nps_state',  112, false, 'd', 'p', 'b')$$,
    'the state types are fixed-length (112 bytes), by reference, double aligned, plain storage base types');

SELECT has_cast('nps_state',  'jsonb', 'nps_state_to_jsonb',  'cast nps_state -> jsonb uses nps_state_to_jsonb');
SELECT has_cast('csat_state', 'jsonb', 'csat_state_to_jsonb', 'cast csat_state -> jsonb uses csat_state_to_jsonb');
SELECT has_cast('ces_state',  'jsonb', 'ces_state_to_jsonb',  'cast ces_state -> jsonb uses ces_state_to_jsonb');
SELECT cast_context_is('nps_state',  'jsonb', 'explicit', 'cast nps_state -> jsonb is explicit');
SELECT cast_context_is('csat_state', 'jsonb', 'explicit', 'cast csat_state -> jsonb is explicit');
SELECT cast_context_is('ces_state',  'jsonb', 'explicit', 'cast ces_state -> jsonb is explicit');

-- ---------------------------------------------------------------------------
-- Every function and aggregate of sql/engage.sql: name, argument types,
-- return type, kind ('f' function, 'a' aggregate) and declared strictness.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE api (
    ord    serial PRIMARY KEY,
    name   name   NOT NULL,
    args   name[] NOT NULL,
    ret    text   NOT NULL,
    kind   "char" NOT NULL,
    strict boolean NOT NULL
);
INSERT INTO api (name, args, ret, kind, strict) VALUES
('nps_state_in',        '{cstring}',                                               'nps_state',         'f', true ),
    ('nps_state_out',       '{nps_state}',                                             'cstring',           'f', true ),
    ('nps_state_recv',      '{internal}',                                              'nps_state',         'f', true ),
    ('nps_state_send',      '{nps_state}',                                             'bytea',             'f', true ),
    ('nps_combine',         '{nps_state,nps_state}',                                   'nps_state',         'f', true ),
    ('nps_combine_inv',     '{nps_state,nps_state}',                                   'nps_state',         'f', true ),
    ('nps_state_final',     '{nps_state}',                                             'nps_state',         'f', true ),
    ('nps_final',           '{nps_state}',                                             'double precision',  'f', true ),
    ('nps_state_to_jsonb',  '{nps_state}',                                             'jsonb',             'f', true ),
    ('responses',           '{nps_state}',                                             'bigint',            'f', true ),
    ('mean_score',          '{nps_state}',                                             'double precision',  'f', true ),
    ('score_stddev',        '{nps_state}',                                             'double precision',  'f', true ),
    ('score_counts',        '{nps_state}',                                             'bigint[]',          'f', true ),
    ('scale_min',           '{nps_state}',                                             'integer',           'f', true ),
    ('scale_max',           '{nps_state}',                                             'integer',           'f', true ),
    ('nps',                 '{nps_state}',                                             'double precision',  'f', true ),
    ('rollup',              '{nps_state}',                                             'nps_state',         'a', false),
    ('nps_accum',           '{nps_state,integer}',                                     'nps_state',         'f', false),
    ('nps_accum_inv',       '{nps_state,integer}',                                     'nps_state',         'f', false),
    ('nps',                 '{integer}',                                               'double precision',  'a', false),
    ('nps_agg',             '{integer}',                                               'nps_state',         'a', false),
    ('nps_accum',           '{nps_state,"double precision"}',                          'nps_state',         'f', false),
    ('nps_accum_inv',       '{nps_state,"double precision"}',                          'nps_state',         'f', false),
    ('nps',                 '{"double precision"}',                                    'double precision',  'a', false),
    ('nps_agg',             '{"double precision"}',                                    'nps_state',         'a', false),
    ('csat_state_in',       '{cstring}',                                               'csat_state',        'f', true ),
    ('csat_state_out',      '{csat_state}',                                            'cstring',           'f', true ),
    ('csat_state_recv',     '{internal}',                                              'csat_state',        'f', true ),
    ('csat_state_send',     '{csat_state}',                                            'bytea',             'f', true ),
    ('csat_combine',        '{csat_state,csat_state}',                                 'csat_state',        'f', true ),
    ('csat_combine_inv',    '{csat_state,csat_state}',                                 'csat_state',        'f', true ),
    ('csat_state_final',    '{csat_state}',                                            'csat_state',        'f', true ),
    ('csat_final',          '{csat_state}',                                            'double precision',  'f', true ),
    ('csat_state_to_jsonb', '{csat_state}',                                            'jsonb',             'f', true ),
    ('responses',           '{csat_state}',                                            'bigint',            'f', true ),
    ('mean_score',          '{csat_state}',                                            'double precision',  'f', true ),
    ('score_stddev',        '{csat_state}',                                            'double precision',  'f', true ),
    ('score_counts',        '{csat_state}',                                            'bigint[]',          'f', true ),
    ('scale_min',           '{csat_state}',                                            'integer',           'f', true ),
    ('scale_max',           '{csat_state}',                                            'integer',           'f', true ),
    ('csat',                '{csat_state}',                                            'double precision',  'f', true ),
    ('rollup',              '{csat_state}',                                            'csat_state',        'a', false),
    ('csat_accum',          '{csat_state,integer}',                                    'csat_state',        'f', false),
    ('csat_accum_inv',      '{csat_state,integer}',                                    'csat_state',        'f', false),
    ('csat',                '{integer}',                                               'double precision',  'a', false),
    ('csat_agg',            '{integer}',                                               'csat_state',        'a', false),
    ('csat_accum',          '{csat_state,"double precision"}',                         'csat_state',        'f', false),
    ('csat_accum_inv',      '{csat_state,"double precision"}',                         'csat_state',        'f', false),
    ('csat',                '{"double precision"}',                                    'double precision',  'a', false),
    ('csat_agg',            '{"double precision"}',                                    'csat_state',        'a', false),
    ('csat_accum',          '{csat_state,boolean}',                                    'csat_state',        'f', false),
    ('csat_accum_inv',      '{csat_state,boolean}',                                    'csat_state',        'f', false),
    ('csat',                '{boolean}',                                               'double precision',  'a', false),
    ('csat_agg',            '{boolean}',                                               'csat_state',        'a', false),
    ('csat_accum',          '{csat_state,integer,integer,integer}',                    'csat_state',        'f', false),
    ('csat_accum_inv',      '{csat_state,integer,integer,integer}',                    'csat_state',        'f', false),
    ('csat',                '{integer,integer,integer}',                               'double precision',  'a', false),
    ('csat_agg',            '{integer,integer,integer}',                               'csat_state',        'a', false),
    ('csat_accum',          '{csat_state,"double precision",integer,integer}',         'csat_state',        'f', false),
    ('csat_accum_inv',      '{csat_state,"double precision",integer,integer}',         'csat_state',        'f', false),
    ('csat',                '{"double precision",integer,integer}',                    'double precision',  'a', false),
    ('csat_agg',            '{"double precision",integer,integer}',                    'csat_state',        'a', false),
    ('csat_accum',          '{csat_state,integer,integer,integer,integer}',            'csat_state',        'f', false),
    ('csat_accum_inv',      '{csat_state,integer,integer,integer,integer}',            'csat_state',        'f', false),
    ('csat',                '{integer,integer,integer,integer}',                       'double precision',  'a', false),
    ('csat_agg',            '{integer,integer,integer,integer}',                       'csat_state',        'a', false),
    ('csat_accum',          '{csat_state,"double precision",integer,integer,integer}', 'csat_state',        'f', false),
    ('csat_accum_inv',      '{csat_state,"double precision",integer,integer,integer}', 'csat_state',        'f', false),
    ('csat',                '{"double precision",integer,integer,integer}',            'double precision',  'a', false),
    ('csat_agg',            '{"double precision",integer,integer,integer}',            'csat_state',        'a', false),
    ('ces_state_in',        '{cstring}',                                               'ces_state',         'f', true ),
    ('ces_state_out',       '{ces_state}',                                             'cstring',           'f', true ),
    ('ces_state_recv',      '{internal}',                                              'ces_state',         'f', true ),
    ('ces_state_send',      '{ces_state}',                                             'bytea',             'f', true ),
    ('ces_combine',         '{ces_state,ces_state}',                                   'ces_state',         'f', true ),
    ('ces_combine_inv',     '{ces_state,ces_state}',                                   'ces_state',         'f', true ),
    ('ces_state_final',     '{ces_state}',                                             'ces_state',         'f', true ),
    ('ces_final',           '{ces_state}',                                             'double precision',  'f', true ),
    ('ces_state_to_jsonb',  '{ces_state}',                                             'jsonb',             'f', true ),
    ('responses',           '{ces_state}',                                             'bigint',            'f', true ),
    ('mean_score',          '{ces_state}',                                             'double precision',  'f', true ),
    ('score_stddev',        '{ces_state}',                                             'double precision',  'f', true ),
    ('score_counts',        '{ces_state}',                                             'bigint[]',          'f', true ),
    ('scale_min',           '{ces_state}',                                             'integer',           'f', true ),
    ('scale_max',           '{ces_state}',                                             'integer',           'f', true ),
    ('ces',                 '{ces_state}',                                             'double precision',  'f', true ),
    ('rollup',              '{ces_state}',                                             'ces_state',         'a', false),
    ('ces_accum',           '{ces_state,integer}',                                     'ces_state',         'f', false),
    ('ces_accum_inv',       '{ces_state,integer}',                                     'ces_state',         'f', false),
    ('ces',                 '{integer}',                                               'double precision',  'a', false),
    ('ces_agg',             '{integer}',                                               'ces_state',         'a', false),
    ('ces_accum',           '{ces_state,"double precision"}',                          'ces_state',         'f', false),
    ('ces_accum_inv',       '{ces_state,"double precision"}',                          'ces_state',         'f', false),
    ('ces',                 '{"double precision"}',                                    'double precision',  'a', false),
    ('ces_agg',             '{"double precision"}',                                    'ces_state',         'a', false),
    ('ces_accum',           '{ces_state,integer,integer}',                             'ces_state',         'f', false),
    ('ces_accum_inv',       '{ces_state,integer,integer}',                             'ces_state',         'f', false),
    ('ces',                 '{integer,integer}',                                       'double precision',  'a', false),
    ('ces_agg',             '{integer,integer}',                                       'ces_state',         'a', false),
    ('ces_accum',           '{ces_state,"double precision",integer}',                  'ces_state',         'f', false),
    ('ces_accum_inv',       '{ces_state,"double precision",integer}',                  'ces_state',         'f', false),
    ('ces',                 '{"double precision",integer}',                            'double precision',  'a', false),
    ('ces_agg',             '{"double precision",integer}',                            'ces_state',         'a', false),
    ('promoters',           '{nps_state}',                                             'bigint',            'f', true ),
    ('passives',            '{nps_state}',                                             'bigint',            'f', true ),
    ('detractors',          '{nps_state}',                                             'bigint',            'f', true ),
    ('nps_moe',             '{nps_state,"double precision",text}',                     'double precision',  'f', true ),
    ('nps_lower',           '{nps_state,"double precision",text}',                     'double precision',  'f', true ),
    ('nps_upper',           '{nps_state,"double precision",text}',                     'double precision',  'f', true ),
    ('nps_z',               '{nps_state,nps_state}',                                   'double precision',  'f', true ),
    ('nps_test',            '{nps_state,nps_state}',                                   'double precision',  'f', true ),
    ('satisfied',           '{csat_state}',                                            'bigint',            'f', true ),
    ('csat_lower',          '{csat_state,"double precision"}',                         'double precision',  'f', true ),
    ('csat_upper',          '{csat_state,"double precision"}',                         'double precision',  'f', true ),
    ('csat_z',              '{csat_state,csat_state}',                                 'double precision',  'f', true ),
    ('csat_test',           '{csat_state,csat_state}',                                 'double precision',  'f', true ),
    ('ces_easy',            '{ces_state}',                                             'double precision',  'f', true ),
    ('ces_lower',           '{ces_state,"double precision"}',                          'double precision',  'f', true ),
    ('ces_upper',           '{ces_state,"double precision"}',                          'double precision',  'f', true ),
    ('ces_test',            '{ces_state,ces_state}',                                   'double precision',  'f', true ),
    -- customer flow: churn and retention
    ('churn_rate',          '{bigint,bigint}',                                         'double precision',  'f', true ),
    ('retention_rate',      '{bigint,bigint,bigint}',                                  'double precision',  'f', true ),
    ('flow_accum',          '{bigint[],"timestamp with time zone","timestamp with time zone","timestamp with time zone","timestamp with time zone"}',
                                                                                       'bigint[]',          'f', false),
    ('flow_accum_inv',      '{bigint[],"timestamp with time zone","timestamp with time zone","timestamp with time zone","timestamp with time zone"}',
                                                                                       'bigint[]',          'f', false),
    ('flow_combine',        '{bigint[],bigint[]}',                                     'bigint[]',          'f', true ),
    ('churn_rate_final',    '{bigint[]}',                                              'double precision',  'f', true ),
    ('retention_rate_final', '{bigint[]}',                                             'double precision',  'f', true ),
    ('retention_rate_excluding_new_final', '{bigint[]}',                               'double precision',  'f', true ),
    ('churn_rate',          '{"timestamp with time zone","timestamp with time zone","timestamp with time zone","timestamp with time zone"}',
                                                                                       'double precision',  'a', false),
    ('retention_rate',      '{"timestamp with time zone","timestamp with time zone","timestamp with time zone","timestamp with time zone"}',
                                                                                       'double precision',  'a', false),
    ('retention_rate_excluding_new', '{"timestamp with time zone","timestamp with time zone","timestamp with time zone","timestamp with time zone"}',
                                                                                       'double precision',  'a', false);

-- The list above has 131 entries: 99 functions and 32 aggregates.
SELECT has_function(name, args, format('function %s(%s) exists', name, array_to_string(args, ', ')))
  FROM api ORDER BY ord;
SELECT function_returns(name, args, ret, format('%s(%s) returns %s', name, array_to_string(args, ', '), ret))
  FROM api ORDER BY ord;
SELECT CASE kind
         WHEN 'a' THEN is_aggregate(name, args, format('%s(%s) is an aggregate', name, array_to_string(args, ', ')))
         ELSE is_normal_function(name, args, format('%s(%s) is a plain function', name, array_to_string(args, ', ')))
       END
  FROM api ORDER BY ord;
-- Aggregates are always immutable and never strict in pg_proc, so these two
-- checks are about the 99 plain functions.
SELECT volatility_is(name, args, 'immutable', format('%s(%s) is IMMUTABLE', name, array_to_string(args, ', ')))
  FROM api WHERE kind = 'f' ORDER BY ord;
SELECT CASE WHEN strict
         THEN is_strict(name, args, format('%s(%s) is STRICT', name, array_to_string(args, ', ')))
         ELSE isnt_strict(name, args, format('%s(%s) is not STRICT', name, array_to_string(args, ', ')))
       END
  FROM api WHERE kind = 'f' ORDER BY ord;

-- ---------------------------------------------------------------------------
-- The extension owns every routine listed above with the listed kind (other
-- families list theirs in their own test files).
-- ---------------------------------------------------------------------------
CREATE TEMP VIEW ext_obj AS
SELECT d.classid, d.objid
  FROM pg_depend d
  JOIN pg_extension e ON e.oid = d.refobjid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.deptype = 'e'
   AND e.extname = 'engage';

SELECT set_has(
    $$SELECT p.oid::regprocedure::text, p.prokind::text
        FROM pg_proc p JOIN ext_obj o ON o.classid = 'pg_proc'::regclass AND o.objid = p.oid$$,
    $$SELECT format('%s(%s)', name, array_to_string(args::regtype[]::text[], ',')), kind::text FROM api$$,
    'the extension''s functions and aggregates include the 131 listed, with the listed kinds');

-- ---------------------------------------------------------------------------
-- Parallel safety: every function and aggregate of the extension is SAFE.
-- ---------------------------------------------------------------------------
SELECT is(
    (SELECT count(*) FILTER (WHERE p.proparallel <> 's')
       FROM pg_proc p JOIN ext_obj o ON o.classid = 'pg_proc'::regclass AND o.objid = p.oid),
    0::bigint,
    'every function and aggregate of the extension is PARALLEL SAFE');

-- IMMUTABLE unless it depends on the session time zone: the only STABLE
-- functions take a timestamptz (calendar periods follow the time zone).
SELECT is(
    (SELECT count(*) FILTER (WHERE p.provolatile = 'v'
                                OR (p.provolatile = 's' AND NOT 'timestamptz'::regtype = ANY (p.proargtypes)))
       FROM pg_proc p JOIN ext_obj o ON o.classid = 'pg_proc'::regclass AND o.objid = p.oid),
    0::bigint,
    'every function is IMMUTABLE, or STABLE only because it takes a timestamptz');

-- ---------------------------------------------------------------------------
-- Aggregates: combine function (parallel), moving-aggregate transition and
-- inverse (windows), all present, and each wired to the right support
-- functions.
-- ---------------------------------------------------------------------------
SELECT is_empty(
    $$SELECT a.aggfnoid::regprocedure::text
        FROM pg_aggregate a JOIN ext_obj o ON o.classid = 'pg_proc'::regclass AND o.objid = a.aggfnoid
       WHERE a.aggcombinefn = 0 OR a.aggkind <> 'n'$$,
    'every aggregate of the extension is a normal aggregate with a combine function');
-- The survey and customer-flow aggregates listed above also slide in moving
-- windows (other families check their own in their files).
SELECT is_empty(
    $$SELECT a.aggfnoid::regprocedure::text
        FROM pg_aggregate a JOIN api ON a.aggfnoid = format('%s(%s)', api.name, array_to_string(api.args, ','))::regprocedure
       WHERE a.aggminvtransfn = 0 OR a.aggmtransfn = 0 OR a.aggmtranstype = 0$$,
    'every listed aggregate has a moving transition (msfunc) and an inverse (minvfunc)');

-- Expected wiring of the survey aggregates, derived from the naming rules of
-- sql/engage.sql (the customer-flow aggregates are checked after them):
-- METRIC(score...) / METRIC_agg(score...) use METRIC_accum / METRIC_accum_inv
-- and rollup(METRIC_state) uses METRIC_combine / METRIC_combine_inv; all
-- combine with METRIC_combine; METRIC() ends in METRIC_final, the others in
-- METRIC_state_final; final functions do not modify the state.
CREATE TEMP VIEW agg_expected AS
SELECT ord, name, args, m, m || '_state' AS st,
       CASE WHEN name = 'rollup'
            THEN format('%s_combine(%s_state,%s_state)', m, m, m)
            ELSE format('%s_accum(%s_state,%s)', m, m, array_to_string(args::regtype[]::text[], ',')) END AS sfunc,
       CASE WHEN name = 'rollup'
            THEN format('%s_combine_inv(%s_state,%s_state)', m, m, m)
            ELSE format('%s_accum_inv(%s_state,%s)', m, m, array_to_string(args::regtype[]::text[], ',')) END AS minv,
       CASE WHEN name = m THEN format('%s_final(%s_state)', m, m)
            ELSE format('%s_state_final(%s_state)', m, m) END AS ffunc
  FROM (SELECT ord, name, args,
               CASE WHEN name = 'rollup' THEN split_part(args[1], '_', 1) ELSE split_part(name, '_', 1) END AS m
          FROM api WHERE kind = 'a'
           AND name NOT IN ('churn_rate', 'retention_rate', 'retention_rate_excluding_new')) x;

SELECT is(
    (SELECT format('sfunc=%s stype=%s combine=%s msfunc=%s minv=%s mstype=%s final=%s mfinal=%s modify=%s/%s',
                   a.aggtransfn::regprocedure, a.aggtranstype::regtype, a.aggcombinefn::regprocedure,
                   a.aggmtransfn::regprocedure, a.aggminvtransfn::regprocedure, a.aggmtranstype::regtype,
                   a.aggfinalfn::regprocedure, a.aggmfinalfn::regprocedure, a.aggfinalmodify, a.aggmfinalmodify)
       FROM pg_aggregate a
      WHERE a.aggfnoid = format('%s(%s)', e.name, array_to_string(e.args, ','))::regprocedure),
    format('sfunc=%s stype=%s combine=%s msfunc=%s minv=%s mstype=%s final=%s mfinal=%s modify=r/r',
           e.sfunc, e.st, format('%s_combine(%s,%s)', e.m, e.st, e.st), e.sfunc, e.minv, e.st, e.ffunc, e.ffunc),
    format('aggregate %s(%s) has the right support functions', e.name, array_to_string(e.args, ', ')))
  FROM agg_expected e ORDER BY e.ord;

-- The customer-flow aggregates share one bigint[] state, its transition,
-- inverse and combine; each has its own final function.
SELECT is(
    (SELECT format('sfunc=%s stype=%s combine=%s msfunc=%s minv=%s mstype=%s final=%s mfinal=%s modify=%s/%s initcond=%s/%s',
                   a.aggtransfn::regprocedure, a.aggtranstype::regtype, a.aggcombinefn::regprocedure,
                   a.aggmtransfn::regprocedure, a.aggminvtransfn::regprocedure, a.aggmtranstype::regtype,
                   a.aggfinalfn::regprocedure, a.aggmfinalfn::regprocedure, a.aggfinalmodify, a.aggmfinalmodify,
                   coalesce(a.agginitval, 'NULL'), coalesce(a.aggminitval, 'NULL'))
       FROM pg_aggregate a
      WHERE a.aggfnoid = format('%s(timestamptz,timestamptz,timestamptz,timestamptz)', agg)::regprocedure),
    format('sfunc=%s stype=bigint[] combine=flow_combine(bigint[],bigint[]) msfunc=%s minv=%s mstype=bigint[] '
           'final=%s mfinal=%s modify=r/r initcond=NULL/NULL',
           acc, acc, acc_inv, agg || '_final(bigint[])', agg || '_final(bigint[])'),
    format('aggregate %s(timestamptz x 4) has the right support functions', agg))
  FROM (VALUES ('churn_rate'), ('retention_rate'), ('retention_rate_excluding_new')) v(agg),
       LATERAL (SELECT 'flow_accum(bigint[],timestamp with time zone,timestamp with time zone,'
                       'timestamp with time zone,timestamp with time zone)' AS acc,
                       'flow_accum_inv(bigint[],timestamp with time zone,timestamp with time zone,'
                       'timestamp with time zone,timestamp with time zone)' AS acc_inv) f
 ORDER BY agg;

-- ---------------------------------------------------------------------------
-- Every object of the extension has a comment.
-- ---------------------------------------------------------------------------
SELECT is_empty(
    $$SELECT p.oid::regprocedure::text
        FROM pg_proc p JOIN ext_obj o ON o.classid = 'pg_proc'::regclass AND o.objid = p.oid
       WHERE p.prokind = 'f' AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''$$,
    'every function of the extension has a comment');
SELECT is_empty(
    $$SELECT p.oid::regprocedure::text
        FROM pg_proc p JOIN ext_obj o ON o.classid = 'pg_proc'::regclass AND o.objid = p.oid
       WHERE p.prokind = 'a' AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''$$,
    'every aggregate of the extension has a comment');
SELECT is_empty(
    $$SELECT t.oid::regtype::text
        FROM pg_type t JOIN ext_obj o ON o.classid = 'pg_type'::regclass AND o.objid = t.oid
       WHERE coalesce(obj_description(t.oid, 'pg_type'), '') = ''$$,
    'every type of the extension has a comment');
SELECT is_empty(
    $$SELECT format('%s -> %s', c.castsource::regtype, c.casttarget::regtype)
        FROM pg_cast c JOIN ext_obj o ON o.classid = 'pg_cast'::regclass AND o.objid = c.oid
       WHERE coalesce(obj_description(c.oid, 'pg_cast'), '') = ''$$,
    'every cast of the extension has a comment');
-- What `\dx+ engage` lists is every member object: each one of every class
-- (operators, operator classes and families too) has a comment.
SELECT is_empty(
    $$SELECT pg_describe_object(o.classid, o.objid, 0)
        FROM ext_obj o
       WHERE coalesce(obj_description(o.objid, o.classid::regclass::text), '') = ''$$,
    'every member object of the extension has a comment');
SELECT set_eq(
    $$SELECT DISTINCT o.classid::regclass::text FROM ext_obj o$$,
    ARRAY['pg_proc', 'pg_type', 'pg_cast', 'pg_operator', 'pg_opclass', 'pg_opfamily'],
    'the extension is made of functions, types, casts, operators and their classes only');

SELECT * FROM finish();
ROLLBACK;
