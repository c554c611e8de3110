SET search_path = public, engage;
-- pgTAP: sessions from raw page views (sessionize, session_state, rollup,
-- page_stats).  Signatures, volatility, parallel safety, hand-computed
-- values and the error contract by SQLSTATE:
--   22004 a NULL gap
--   22023 a gap that is not a positive interval of days/time, a gap that
--         changes between rows, rollup of states of different gaps, an
--         invalid state passed to a reader
--   22008 an infinite event timestamp
--   22003 counts past 2^63-1
--   22P02 malformed or impossible session_state literals
--   0A000 the inverse rollup function outside a moving window
BEGIN;
SELECT plan(53);
SET LOCAL TimeZone = 'UTC';

-- ---------------------------------------------------------------------------
-- Signatures
-- ---------------------------------------------------------------------------
SELECT has_type('session_state', 'type session_state exists');
SELECT has_type('page_stat', 'composite type page_stat exists');
SELECT is_aggregate('sessionize', ARRAY['timestamp with time zone'], 'sessionize(timestamptz) is an aggregate');
SELECT is_aggregate('sessionize', ARRAY['timestamp with time zone', 'interval'], 'sessionize(timestamptz, interval) is an aggregate');
SELECT is_aggregate('sessionize', ARRAY['bigint', 'timestamp with time zone'], 'sessionize(bigint, timestamptz) is an aggregate');
SELECT is_aggregate('sessionize', ARRAY['bigint', 'timestamp with time zone', 'interval'],
                    'sessionize(bigint, timestamptz, interval) is an aggregate');
SELECT is_aggregate('rollup', ARRAY['session_state'], 'rollup(session_state) is an aggregate');
SELECT is_aggregate('page_stats', ARRAY['timestamp with time zone', 'text'], 'page_stats(timestamptz, text) is an aggregate');
SELECT is_aggregate('page_stats', ARRAY['timestamp with time zone', 'text', 'interval'],
                    'page_stats(timestamptz, text, interval) is an aggregate');
SELECT function_returns('sessionize', ARRAY['timestamp with time zone', 'interval'], 'session_state',
                        'sessionize returns session_state');
SELECT function_returns('rollup', ARRAY['session_state'], 'session_state', 'rollup(session_state) returns session_state');
SELECT function_returns('page_stats', ARRAY['timestamp with time zone', 'text'], 'page_stat[]', 'page_stats returns page_stat[]');
SELECT is((SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
             FROM pg_attribute a JOIN pg_type t ON t.typrelid = a.attrelid
            WHERE t.oid = 'page_stat'::regtype AND attnum > 0),
          'page text, views bigint, entrances bigint, exits bigint, timed_views bigint, time_on_page interval',
          'page_stat columns and types');
SELECT function_returns(f, ARRAY['session_state'], r, format('%s(session_state) returns %s', f, r))
  FROM (VALUES ('sessions', 'bigint'), ('events', 'bigint'), ('pageviews', 'bigint'), ('bounces', 'bigint'),
               ('engaged_sessions', 'bigint'), ('session_gap', 'interval'), ('total_session_duration', 'interval'),
               ('avg_session_duration', 'interval'), ('avg_session_seconds', 'double precision'),
               ('pages_per_session', 'double precision'), ('bounce_rate', 'double precision'),
               ('engagement_rate', 'double precision')) v(f, r);

-- ---------------------------------------------------------------------------
-- Volatility, strictness, parallel safety, aggregate support
-- ---------------------------------------------------------------------------
SELECT is(
    (SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
       FROM pg_proc p
      WHERE 'session_state'::regtype = ANY (p.proargtypes || p.prorettype) AND p.prokind = 'f'
        AND p.proname NOT IN ('sessionize_final', 'sessions_final')
        AND NOT (p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's')),
    NULL, 'every session_state reader, operator and I/O function is IMMUTABLE STRICT PARALLEL SAFE');
SELECT is(
    (SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
       FROM pg_proc p
      WHERE p.proname IN ('sessionize', 'page_stats', 'sessionize_accum', 'sessionize_users_accum', 'sessionize_combine', 'sessionize_serialize',
                          'sessionize_deserialize', 'sessionize_final', 'page_stats_accum', 'page_stats_combine',
                          'page_stats_serialize', 'page_stats_deserialize', 'page_stats_final', 'sessions_final')
        AND NOT (p.provolatile = 'i' AND p.proparallel = 's')),
    NULL, 'every sessions aggregate and support function is IMMUTABLE PARALLEL SAFE');
SELECT is(
    (SELECT string_agg(format('%s:%s:%s:%s:%s', p.oid::regprocedure, a.aggtranstype::regtype, a.aggcombinefn,
                              a.aggserialfn, a.aggdeserialfn), ' ' ORDER BY p.oid::regprocedure::text)
       FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
      WHERE p.proname IN ('sessionize', 'page_stats')),
    'page_stats(timestamp with time zone,text):internal:page_stats_combine:page_stats_serialize:page_stats_deserialize '
    'page_stats(timestamp with time zone,text,interval):internal:page_stats_combine:page_stats_serialize:page_stats_deserialize '
    'sessionize(bigint,timestamp with time zone):internal:sessionize_combine:sessionize_serialize:sessionize_deserialize '
    'sessionize(bigint,timestamp with time zone,interval):internal:sessionize_combine:sessionize_serialize:sessionize_deserialize '
    'sessionize(timestamp with time zone):internal:sessionize_combine:sessionize_serialize:sessionize_deserialize '
    'sessionize(timestamp with time zone,interval):internal:sessionize_combine:sessionize_serialize:sessionize_deserialize',
    'sessionize and page_stats keep an internal state with combine, serial and deserial functions');
SELECT is((SELECT format('%s:%s:%s:%s', a.aggcombinefn, a.aggmtransfn, a.aggminvtransfn, a.aggmtranstype::regtype)
             FROM pg_aggregate a WHERE a.aggfnoid = 'rollup(session_state)'::regprocedure),
          'sessions_combine:sessions_combine:sessions_combine_inv:session_state',
          'rollup(session_state) combines and has a moving-window inverse');
SELECT isnt_strict('sessionize_accum', ARRAY['internal', 'timestamp with time zone', 'interval'],
                   'sessionize_accum is not STRICT (NULL timestamps are skipped, a NULL gap is an error)');
SELECT ok((SELECT count(*) FROM pg_operator WHERE oprname = '=' AND oprleft = 'session_state'::regtype
             AND oprcanhash) = 1, 'session_state = is hashable');
SELECT ok((SELECT count(*) FROM pg_opclass WHERE opcname = 'session_state_hash_ops' AND opcdefault) = 1,
          'session_state has a default hash operator class');
SELECT ok((SELECT count(*) FROM pg_proc p WHERE 'session_state'::regtype = ANY (p.proargtypes || p.prorettype)
             AND obj_description(p.oid, 'pg_proc') IS NULL) = 0, 'every session_state function has a comment');

-- ---------------------------------------------------------------------------
-- Values
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE tap_ev (u int, ts timestamptz, page text);
INSERT INTO tap_ev VALUES
  (1, '2024-01-01 10:00', '/'), (1, '2024-01-01 10:30', '/a'),        -- exactly 30 min: one session
  (1, '2024-01-01 11:00:00.000001', '/b'),                             -- 30 min + 1 us: a new one (bounce)
  (2, '2024-01-02 09:00', '/');
SELECT is((SELECT sessionize(ts)::text FROM tap_ev WHERE u = 1),
          'v1;gap_us=1800000000;sessions=2;events=3;duration_us=1800000000;bounces=1;engaged=1',
          'events exactly 30 minutes apart share a session; 1 us more starts a new one');
SELECT is((SELECT bounce_rate(rollup(s)) FROM (SELECT sessionize(ts) AS s FROM tap_ev GROUP BY u) x), 200.0::float8 / 3,
          'bounce rate of the rollup: 2 single-page sessions of 3');
SELECT is((SELECT avg_session_duration(rollup(s)) FROM (SELECT sessionize(ts) AS s FROM tap_ev GROUP BY u) x),
          interval '10 minutes', 'average session duration counts bounces as 0');
SELECT is((SELECT pages_per_session(rollup(s)) FROM (SELECT sessionize(ts) AS s FROM tap_ev GROUP BY u) x), 4.0::float8 / 3,
          'pages per session');
SELECT is((SELECT engagement_rate(rollup(s)) FROM (SELECT sessionize(ts) AS s FROM tap_ev GROUP BY u) x), 100.0::float8 / 3,
          'engagement rate');
SELECT is((SELECT string_agg(format('%s:%s/%s/%s/%s/%s', (p).page, (p).views, (p).entrances, (p).exits,
                                    (p).timed_views, (p).time_on_page), ' ' ORDER BY (p).page)
             FROM (SELECT unnest(page_stats(ts, page)) AS p FROM tap_ev WHERE u = 1) x),
          '/:1/1/0/1/00:30:00 /a:1/0/1/0/00:00:00 /b:1/1/1/0/00:00:00',
          'page_stats: views, entrances, exits, timed views, time on page');
SELECT is((SELECT sessionize(u, ts) FROM tap_ev),
          (SELECT rollup(s) FROM (SELECT sessionize(ts) AS s FROM tap_ev GROUP BY u) x),
          'sessionize(user_id, ts) over all users equals the rollup of the per-user states');
SELECT is((SELECT sessionize(ts ORDER BY ts DESC) FROM tap_ev WHERE u = 1),
          (SELECT sessionize(ts ORDER BY ts) FROM tap_ev WHERE u = 1), 'input order does not matter');

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------
SELECT throws_ok($$SELECT sessionize(ts, NULL) FROM tap_ev$$, '22004', NULL, 'NULL gap: 22004');
SELECT throws_ok($$SELECT sessionize(ts, '0 seconds') FROM tap_ev$$, '22023', 'invalid session gap', 'zero gap: 22023');
SELECT throws_ok($$SELECT sessionize(ts, '-1 minute') FROM tap_ev$$, '22023', 'invalid session gap', 'negative gap: 22023');
SELECT throws_ok($$SELECT page_stats(ts, page, '1 month') FROM tap_ev$$, '22023', 'invalid session gap',
                 'a gap of months: 22023');
SELECT throws_ok($$SELECT sessionize(ts, g) FROM (VALUES (now(), '1 hour'::interval), (now(), '2 hours')) v(ts, g)$$,
                 '22023', NULL, 'a gap that changes between rows: 22023');
SELECT throws_ok($$SELECT sessionize('infinity'::timestamptz)$$, '22008', NULL, 'an infinite timestamp: 22008');
SELECT throws_ok($$SELECT sessionize(u, ts, NULL) FROM tap_ev$$, '22004', NULL, 'NULL gap of the one-call form: 22004');
SELECT throws_ok($$SELECT rollup(s) FROM (VALUES ('v1;gap_us=1;sessions=1;events=1;duration_us=0;bounces=1;engaged=0'::session_state),
                                                 ('v1;gap_us=2;sessions=1;events=1;duration_us=0;bounces=1;engaged=0')) v(s)$$,
                 '22023', NULL, 'rollup of different gaps: 22023');
SELECT throws_ok($$SELECT 'v1;gap_us=1;sessions=x'::session_state$$, '22P02', NULL, 'malformed literal: 22P02');
SELECT throws_ok($$SELECT 'v1;gap_us=1;sessions=1;events=1;duration_us=0;bounces=2;engaged=0'::session_state$$, '22P02', NULL,
                 'impossible literal (more bounces than sessions): 22P02');
SELECT throws_ok($$SELECT 'v1;gap_us=1;sessions=1;events=1;duration_us=0;bounces=1;engaged=99999999999999999999'::session_state$$,
                 '22003', NULL, 'count out of range in a literal: 22003');
SELECT throws_ok($$SELECT sessions_combine_inv('v1;gap_us=1;sessions=1;events=1;duration_us=0;bounces=1;engaged=0',
                                               'v1;gap_us=1;sessions=1;events=1;duration_us=0;bounces=1;engaged=0')$$,
                 '0A000', NULL, 'inverse rollup outside a window: 0A000');

SELECT * FROM finish();
ROLLBACK;
