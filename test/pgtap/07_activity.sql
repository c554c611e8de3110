SET search_path = public, engage;
-- pgTAP: activity (active users, DAU/WAU/MAU, stickiness, cohort retention).
-- Signatures, volatility, strictness and parallel safety; aggregate
-- support; hand-computed values; the error contract by SQLSTATE:
--   22P02 a malformed activity_state literal
--   22P03 a malformed binary activity_state
--   22023 an unknown unit; an empty or reversed period; infinite or
--         out-of-range days
--   54000 a range longer than 20 years; a cohort matrix of too many periods
BEGIN;
SELECT plan(61);

-- ---------------------------------------------------------------------------
-- The type, its I/O and the jsonb cast
-- ---------------------------------------------------------------------------
SELECT has_type('activity_state', 'type activity_state exists');
SELECT has_cast('activity_state', 'jsonb', 'activity_state casts to jsonb');
SELECT is((SELECT typlen::int FROM pg_type WHERE typname = 'activity_state'), -1, 'activity_state is variable length');
SELECT is((SELECT typalign::text || typstorage::text FROM pg_type WHERE typname = 'activity_state'), 'dx',
          'activity_state is double aligned and toastable');
SELECT is((SELECT typreceive::text || ' ' || typsend::text FROM pg_type WHERE typname = 'activity_state'),
          'activity_state_recv activity_state_send', 'activity_state has binary I/O');

-- ---------------------------------------------------------------------------
-- Readers: signatures, return types, IMMUTABLE STRICT PARALLEL SAFE
-- ---------------------------------------------------------------------------
SELECT has_function(f, a, format('%s(%s) exists', f, array_to_string(a, ', ')))
  FROM (VALUES ('active_users', ARRAY['activity_state']),
               ('active_users', ARRAY['activity_state', 'date', 'date']),
               ('dau', ARRAY['activity_state', 'date']),
               ('wau', ARRAY['activity_state', 'date']),
               ('mau', ARRAY['activity_state', 'date']),
               ('stickiness', ARRAY['activity_state', 'date', 'date']),
               ('activity_series', ARRAY['activity_state', 'text']),
               ('cohort_retention', ARRAY['activity_state', 'text'])) v(f, a);
SELECT function_returns(f, a, r, format('%s(%s) returns %s', f, array_to_string(a, ', '), r))
  FROM (VALUES ('active_users', ARRAY['activity_state'], 'bigint'),
               ('active_users', ARRAY['activity_state', 'date', 'date'], 'bigint'),
               ('dau', ARRAY['activity_state', 'date'], 'bigint'),
               ('stickiness', ARRAY['activity_state', 'date', 'date'], 'double precision'),
               ('activity_series', ARRAY['activity_state', 'text'], 'setof record'),
               ('cohort_retention', ARRAY['activity_state', 'text'], 'setof record')) v(f, a, r);
SELECT is(
    (SELECT string_agg(p.oid::regprocedure::text, ' ' ORDER BY p.oid::regprocedure::text)
       FROM pg_proc p
      WHERE p.proname IN ('active_users', 'dau', 'wau', 'mau', 'stickiness', 'activity_series', 'cohort_retention',
                          'activity_state_in', 'activity_state_out', 'activity_state_recv', 'activity_state_send',
                          'activity_state_to_jsonb')
        AND 'activity_state'::regtype = ANY (p.proargtypes || p.prorettype)
        AND NOT (p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's')),
    NULL, 'every activity reader and I/O function is IMMUTABLE STRICT PARALLEL SAFE');
SELECT is(
    (SELECT count(*)::int FROM pg_proc p
      WHERE p.proname IN ('active_users', 'dau', 'wau', 'mau', 'stickiness', 'activity_series', 'cohort_retention')
        AND p.proargtypes[0] = 'activity_state'::regtype),
    8, 'eight reader functions take an activity_state');
SELECT is((SELECT pg_get_function_arguments('activity_series(activity_state, text)'::regprocedure)),
          'activity_state, unit text DEFAULT ''day''::text, OUT period_start date, OUT active_users bigint',
          'activity_series: unit defaults to day; columns period_start, active_users');
SELECT is((SELECT pg_get_function_arguments('cohort_retention(activity_state, text)'::regprocedure)),
          'activity_state, unit text DEFAULT ''month''::text, OUT cohort date, OUT period_offset integer, '
          'OUT cohort_size bigint, OUT active bigint, OUT retention double precision, OUT active_or_later bigint, '
          'OUT retention_unbounded double precision',
          'cohort_retention: unit defaults to month; the matrix columns');

-- ---------------------------------------------------------------------------
-- Aggregates: internal state, combine / serial / deserial, PARALLEL SAFE
-- ---------------------------------------------------------------------------
SELECT is_aggregate('activity_agg', ARRAY['bigint', 'date'], 'activity_agg(bigint, date) is an aggregate');
SELECT is_aggregate('rollup', ARRAY['activity_state'], 'rollup(activity_state) is an aggregate');
SELECT function_returns('activity_agg', ARRAY['bigint', 'date'], 'activity_state', 'activity_agg returns activity_state');
SELECT function_returns('rollup', ARRAY['activity_state'], 'activity_state', 'rollup(activity_state) returns activity_state');
SELECT is(
    (SELECT string_agg(format('%s:%s:%s:%s:%s:%s', p.oid::regprocedure, a.aggtranstype::regtype, a.aggcombinefn,
                              a.aggserialfn, a.aggdeserialfn, p.proparallel), ' ' ORDER BY p.oid::regprocedure::text)
       FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
      WHERE p.oid IN ('activity_agg(bigint, date)'::regprocedure, 'rollup(activity_state)'::regprocedure)),
    'activity_agg(bigint,date):internal:activity_combine:activity_serialize:activity_deserialize:s '
    'rollup(activity_state):internal:activity_combine:activity_serialize:activity_deserialize:s',
    'both aggregates keep an internal state with combine, serial and deserial functions and are PARALLEL SAFE');
SELECT isnt_strict('activity_accum', ARRAY['internal', 'bigint', 'date'], 'activity_accum is not STRICT (NULLs are skipped)');
SELECT isnt_strict('activity_combine', ARRAY['internal', 'internal'], 'activity_combine is not STRICT (internal state)');
SELECT is((SELECT proparallel::text FROM pg_proc WHERE oid = 'activity_deserialize(bytea, internal)'::regprocedure), 's',
          'activity_deserialize is PARALLEL SAFE');

-- ---------------------------------------------------------------------------
-- Values (hand-computed): user 1 on Jan 1 and 3, user 2 on Jan 2 and Feb 5,
-- user 3 on Feb 1 (2024).
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hand (user_id bigint, day date);
INSERT INTO hand VALUES (1, '2024-01-01'), (1, '2024-01-03'), (2, '2024-01-02'), (2, '2024-02-05'),
  (3, '2024-02-01'), (NULL, '2024-01-01'), (5, NULL);
CREATE TEMP TABLE st AS SELECT activity_agg(user_id, day) AS s FROM hand;
SELECT is((SELECT s::text FROM st), 'v1:2024-01-01:36:{1=0500000000,2=0200000008,3=0000008000}', 'the state of the hand log');
SELECT is((SELECT s::text::activity_state::text FROM st), (SELECT s::text FROM st), 'text round trip');
SELECT is((SELECT active_users(s) FROM st), 3::bigint, '3 users');
SELECT is((SELECT active_users(s, '2024-01-04', '2024-02-01') FROM st), 0::bigint, 'nobody in [Jan 4, Feb 1)');
SELECT is((SELECT dau(s, '2024-01-03') FROM st), 1::bigint, 'DAU Jan 3 = 1');
SELECT is((SELECT wau(s, '2024-01-07') FROM st), 2::bigint, 'WAU ending Jan 7 = 2');
SELECT is((SELECT mau(s, '2024-02-05') FROM st), 2::bigint, 'MAU ending Feb 5 = 2');
SELECT is((SELECT stickiness(s, '2024-01-01', '2024-01-04') FROM st), 0.5::float8, 'stickiness [Jan 1, Jan 4) = 1 / 2');
SELECT is((SELECT stickiness(s, '2024-03-01', '2024-04-01') FROM st), NULL::float8, 'stickiness with nobody active is NULL');
SELECT results_eq(
    $$SELECT cohort, period_offset, cohort_size, active, retention, active_or_later, retention_unbounded
        FROM cohort_retention((SELECT s FROM st))$$,
    $$VALUES (DATE '2024-01-01', 0, 2::bigint, 2::bigint, 100::float8, 2::bigint, 100::float8),
             (DATE '2024-01-01', 1, 2, 1, 50, 1, 50),
             (DATE '2024-02-01', 0, 1, 1, 100, 1, 100)$$,
    'monthly cohort matrix');
SELECT results_eq(
    $$SELECT period_start, active_users FROM activity_series((SELECT s FROM st), 'month')$$,
    $$VALUES (DATE '2024-01-01', 2::bigint), (DATE '2024-02-01', 2::bigint)$$,
    'monthly active users');
SELECT ok((SELECT activity_agg(user_id, day) FROM hand WHERE user_id IS NULL OR day IS NULL) IS NULL,
          'only NULL rows give NULL');
SELECT is((SELECT rollup(x)::text FROM (VALUES ('v1:2024-01-02:1:{1=01}'::activity_state), ('v1:2024-01-01:1:{2=01}')) v(x)),
          'v1:2024-01-01:2:{1=02,2=01}', 'rollup of two one-day states');

-- ---------------------------------------------------------------------------
-- Errors by SQLSTATE
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT 'v1:2024-01-01:1:{}'::activity_state$$, '22P02', NULL, 'a state without users is malformed (22P02)');
SELECT throws_ok($$SELECT 'v1:2024-01-01:1:{2=01,1=01}'::activity_state$$, '22P02', NULL, 'unsorted user ids are malformed (22P02)');
SELECT throws_ok($$SELECT 'v1:2024-01-01:3:{1=03}'::activity_state$$, '22P02', NULL, 'an unused last day is malformed (22P02)');
SELECT throws_ok($$SELECT 'v9:2024-01-01:1:{1=01}'::activity_state$$, '22P02', NULL, 'an unknown format version is malformed (22P02)');
SELECT throws_ok($$SELECT activity_state_recv(NULL::internal)$$, '42846', NULL, 'recv cannot be called from SQL');
CREATE TEMP TABLE recv_src (b bytea);
CREATE TEMP TABLE recv_dst (s activity_state);
SELECT '/tmp/engage_tap_07_' || pg_backend_pid() || '.bin' AS f \gset
INSERT INTO recv_src SELECT overlay(activity_state_send('v1:2024-01-01:3:{1=05,2=02}') PLACING '\x0000000000000003' FROM 17);
COPY recv_src TO :'f' WITH (FORMAT binary);
SELECT throws_ok(format('COPY recv_dst FROM %L WITH (FORMAT binary)', :'f'), '22P03', NULL,
                 'binary input with unsorted user ids fails (22P03)');
TRUNCATE recv_src;
INSERT INTO recv_src SELECT activity_state_send('v1:2024-01-01:3:{1=05,2=02}') || '\x00'::bytea;
COPY recv_src TO :'f' WITH (FORMAT binary);
SELECT throws_ok(format('COPY recv_dst FROM %L WITH (FORMAT binary)', :'f'), '22P03', NULL,
                 'binary input with a trailing byte fails (22P03)');
SELECT format('rm -f %s', :'f') AS rm_cmd \gset
COPY (SELECT 1 WHERE false) TO PROGRAM :'rm_cmd';
SELECT throws_ok($$SELECT * FROM activity_series((SELECT s FROM st), 'year')$$, '22023', NULL, 'unknown unit (22023)');
SELECT throws_ok($$SELECT * FROM cohort_retention((SELECT s FROM st), 'quarter')$$, '22023', NULL, 'unknown cohort unit (22023)');
SELECT throws_ok($$SELECT active_users((SELECT s FROM st), '2024-01-02', '2024-01-02')$$, '22023', NULL,
                 'an empty period (22023)');
SELECT throws_ok($$SELECT stickiness((SELECT s FROM st), '2024-02-01', '2024-01-01')$$, '22023', NULL,
                 'a reversed period (22023)');
SELECT throws_ok($$SELECT stickiness((SELECT s FROM st), '2024-01-01', 'infinity')$$, '22023', NULL,
                 'stickiness over an infinite period (22023)');
SELECT throws_ok($$SELECT activity_agg(1, 'infinity'::date)$$, '22023', NULL, 'an infinite day (22023)');
SELECT throws_ok($$SELECT activity_agg(1, d) FROM (VALUES (DATE '2000-01-01'), ('2021-01-01')) v(d)$$, '54000', NULL,
                 'more than 20 years of days (54000)');
SELECT throws_ok($$SELECT rollup(x) FROM (VALUES ('v1:2000-01-01:1:{1=01}'::activity_state), ('v1:2021-01-01:1:{1=01}')) v(x)$$,
                 '54000', NULL, 'rollup to more than 20 years (54000)');
SELECT throws_ok($$SELECT * FROM cohort_retention((SELECT activity_agg(1, d) FROM (VALUES (DATE '2000-01-01'), ('2015-01-01')) v(d)), 'day')$$,
                 '54000', NULL, 'a daily cohort matrix of 5480 periods (54000)');
SELECT lives_ok($$SELECT * FROM cohort_retention((SELECT activity_agg(1, d) FROM (VALUES (DATE '2000-01-01'), ('2015-01-01')) v(d)), 'week')$$,
                'a weekly cohort matrix over 15 years');

SELECT * FROM finish();
ROLLBACK;
