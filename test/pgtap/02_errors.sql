SET search_path = public, engage;
-- pgTAP: the error contract of engage, by SQLSTATE.
--   22003 score off the scale or not a whole number; counts past 2^63-1
--   22P02 malformed state literal (syntax, count length, negative count,
--         unknown format version, a scale the metric does not allow)
--   22023 states of different scales mixed; confidence outside (0, 1);
--         unknown NPS interval method; unsupported CES scale_max or CSAT
--         scale; scale arguments that change between rows
--   22004 NULL scale argument
-- and lives_ok for the valid borders next to each error.
BEGIN;
SELECT plan(207);

-- Literals used below.
CREATE TEMP TABLE lit (name text PRIMARY KEY, v text NOT NULL);
INSERT INTO lit VALUES
    ('nps',      'v1:0..10:>=9:[2,0,0,0,0,0,1,1,0,3,1]'),
    ('nps_max',  'v1:0..10:>=9:[9223372036854775807,0,0,0,0,0,0,0,0,0,0]'),
    ('nps_half', 'v1:0..10:>=9:[4611686018427387904,0,0,0,0,0,0,0,0,0,0]'),
    ('nps_half2','v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,4611686018427387904]'),
    ('nps_empty','v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'),
    ('csat5',    'v1:1..5:>=4:[1,0,1,2,3]'),
    ('csat5c5',  'v1:1..5:>=5:[1,0,1,2,3]'),
    ('csat7',    'v1:1..7:>=6:[1,0,0,0,1,2,3]'),
    ('ces7',     'v1:1..7:>=5:[1,1,0,2,0,3,1]'),
    ('ces5',     'v1:1..5:<=2:[2,1,1,0,1]'),
    ('ces7_one', 'v1:1..7:>=5:[0,0,0,1,0,0,0]');

-- ---------------------------------------------------------------------------
-- 22003: scores off the scale, fractional, NaN, infinite
-- ---------------------------------------------------------------------------
SELECT throws_ok(q, '22003', NULL, d) FROM (VALUES
    ($$SELECT nps(s) FROM (VALUES (11)) v(s)$$,                      'nps(): score 11 is off the 0..10 scale'),
    ($$SELECT nps(s) FROM (VALUES (-1)) v(s)$$,                      'nps(): score -1 is off the scale'),
    ($$SELECT nps(s) FROM (VALUES (10), (11)) v(s)$$,                'nps(): score 11 after a valid row'),
    ($$SELECT nps(s) FROM (VALUES (2147483647)) v(s)$$,              'nps(): score 2147483647'),
    ($$SELECT nps(s) FROM (VALUES (-2147483648)) v(s)$$,             'nps(): score -2147483648'),
    ($$SELECT nps(s) FROM (VALUES (7.5::float8)) v(s)$$,             'nps(float8): score 7.5 is not a whole number'),
    ($$SELECT nps(s) FROM (VALUES (10.5::float8)) v(s)$$,            'nps(float8): score 10.5'),
    ($$SELECT nps(s) FROM (VALUES (-0.5::float8)) v(s)$$,            'nps(float8): score -0.5'),
    ($$SELECT nps(s) FROM (VALUES (11::float8)) v(s)$$,              'nps(float8): score 11'),
    ($$SELECT nps(s) FROM (VALUES ('NaN'::float8)) v(s)$$,           'nps(float8): NaN'),
    ($$SELECT nps(s) FROM (VALUES ('Infinity'::float8)) v(s)$$,      'nps(float8): Infinity'),
    ($$SELECT nps(s) FROM (VALUES ('-Infinity'::float8)) v(s)$$,     'nps(float8): -Infinity'),
    ($$SELECT nps(s) FROM (VALUES (1e300::float8)) v(s)$$,           'nps(float8): 1e300'),
    ($$SELECT nps(s) FROM (VALUES (7.5::numeric)) v(s)$$,            'nps(numeric) resolves to the float8 form and rejects 7.5'),
    ($$SELECT nps(s) FROM (VALUES (11::bigint)) v(s)$$,              'nps(bigint): score 11'),
    ($$SELECT nps(s) FROM (VALUES (11::smallint)) v(s)$$,            'nps(smallint): score 11'),
    ($$SELECT nps_agg(s) FROM (VALUES (11)) v(s)$$,                  'nps_agg(): score 11'),
    ($$SELECT nps_agg(s) FROM (VALUES (0.1::float8)) v(s)$$,         'nps_agg(float8): score 0.1'),
    ($$SELECT nps(s) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
         FROM (VALUES (1, 9), (2, 12), (3, 4)) v(i, s)$$,             'nps() as a moving window: score 12'),
    ($$SELECT nps_accum(NULL::nps_state, 11)$$,                      'nps_accum() called directly: score 11'),
    ($$SELECT nps_accum_inv((SELECT v FROM lit WHERE name = 'nps')::nps_state, 11)$$,
                                                                    'nps_accum_inv() called directly: score 11'),
    ($$SELECT csat(s) FROM (VALUES (0)) v(s)$$,                      'csat(): score 0 is off the default 1..5 scale'),
    ($$SELECT csat(s) FROM (VALUES (6)) v(s)$$,                      'csat(): score 6 is off the default 1..5 scale'),
    ($$SELECT csat(s) FROM (VALUES (4.5::float8)) v(s)$$,            'csat(float8): score 4.5'),
    ($$SELECT csat(s) FROM (VALUES ('NaN'::float8)) v(s)$$,          'csat(float8): NaN'),
    ($$SELECT csat(s, 1, 7) FROM (VALUES (8)) v(s)$$,                'csat(s, 1, 7): score 8'),
    ($$SELECT csat(s, 1, 7) FROM (VALUES (0)) v(s)$$,                'csat(s, 1, 7): score 0'),
    ($$SELECT csat(s, 0, 10) FROM (VALUES (11::float8)) v(s)$$,      'csat(float8, 0, 10): score 11'),
    ($$SELECT csat(s, 1, 5, 4) FROM (VALUES (6)) v(s)$$,             'csat(s, 1, 5, 4): score 6'),
    ($$SELECT csat(s, 1, 5, 4) FROM (VALUES (2.5::float8)) v(s)$$,   'csat(float8, 1, 5, 4): score 2.5'),
    ($$SELECT csat_agg(s) FROM (VALUES (6)) v(s)$$,                  'csat_agg(): score 6'),
    ($$SELECT ces(s) FROM (VALUES (0)) v(s)$$,                       'ces(): score 0 is off the default 1..7 scale'),
    ($$SELECT ces(s) FROM (VALUES (8)) v(s)$$,                       'ces(): score 8'),
    ($$SELECT ces(s) FROM (VALUES (2.5::float8)) v(s)$$,             'ces(float8): score 2.5'),
    ($$SELECT ces(s, 5) FROM (VALUES (6)) v(s)$$,                    'ces(s, 5): score 6 is off the 1..5 scale'),
    ($$SELECT ces(s, 7) FROM (VALUES (0)) v(s)$$,                    'ces(s, 7): score 0'),
    ($$SELECT ces(s, 5) FROM (VALUES ('NaN'::float8)) v(s)$$,        'ces(float8, 5): NaN'),
    ($$SELECT ces_agg(s) FROM (VALUES (8)) v(s)$$,                   'ces_agg(): score 8')
) t(q, d);

-- 22003: a state never counts more than 2^63-1 responses.
SELECT throws_ok(q, '22003', NULL, d) FROM (VALUES
    ($$SELECT 'v1:0..10:>=9:[9223372036854775808,0,0,0,0,0,0,0,0,0,0]'::nps_state$$,
                                                                    'literal: a count past 2^63-1'),
    ($$SELECT 'v1:0..10:>=9:[9223372036854775807,1,0,0,0,0,0,0,0,0,0]'::nps_state$$,
                                                                    'literal: counts summing past 2^63-1'),
    ($$SELECT nps_accum((SELECT v FROM lit WHERE name = 'nps_max')::nps_state, 5)$$,
                                                                    'adding a score to a full state'),
    ($$SELECT nps_combine((SELECT v FROM lit WHERE name = 'nps_half')::nps_state,
                          (SELECT v FROM lit WHERE name = 'nps_half2')::nps_state)$$,
                                                                    'nps_combine() of two states totalling 2^63'),
    ($$SELECT rollup(v::nps_state) FROM lit WHERE name IN ('nps_half', 'nps_half2')$$,
                                                                    'rollup() of two states totalling 2^63')
) t(q, d);

-- ---------------------------------------------------------------------------
-- 22P02: malformed literals
-- ---------------------------------------------------------------------------
SELECT throws_ok(q, '22P02', NULL, d) FROM (VALUES
    ($$SELECT 'garbage'::nps_state$$,                                          'nps_state: garbage'),
    ($$SELECT ''::nps_state$$,                                                 'nps_state: empty string'),
    ($$SELECT 'v1:0..10:>=9:[1,2,3]'::nps_state$$,                             'nps_state: 3 counts for 11 points'),
    ($$SELECT 'v1:0..10:>=9:[1,1,1,1,1,1,1,1,1,1]'::nps_state$$,               'nps_state: 10 counts for 11 points'),
    ($$SELECT 'v1:0..10:>=9:[1,1,1,1,1,1,1,1,1,1,1,1]'::nps_state$$,           'nps_state: 12 counts for 11 points'),
    ($$SELECT 'v1:0..10:>=9:[]'::nps_state$$,                                  'nps_state: no counts'),
    ($$SELECT 'v1:0..10:>=9:[1,2,3,4,5,6,7,8,9,10,-11]'::nps_state$$,          'nps_state: negative count'),
    ($$SELECT 'v1:0..10:>=9:[-1,0,0,0,0,0,0,0,0,0,0]'::nps_state$$,            'nps_state: negative first count'),
    ($$SELECT 'v1:0..10:>=9:[1.5,0,0,0,0,0,0,0,0,0,0]'::nps_state$$,           'nps_state: fractional count'),
    ($$SELECT 'v9:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]'::nps_state$$,             'nps_state: future format version v9'),
    ($$SELECT 'v0:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]'::nps_state$$,             'nps_state: format version v0'),
    ($$SELECT 'v99999:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]'::nps_state$$,         'nps_state: unknown format version v99999 (past int16)'),
    ($$SELECT 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1'::nps_state$$,              'nps_state: missing ]'),
    ($$SELECT 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1] x'::nps_state$$,           'nps_state: trailing junk'),
    ($$SELECT 'v1:0..10:>=9;[0,0,0,0,0,0,0,0,0,0,1]'::nps_state$$,             'nps_state: wrong separator'),
    ($$SELECT 'v1:1..10:>=9:[0,0,0,0,0,0,0,0,0,1]'::nps_state$$,               'nps_state: scale 1..10 is not NPS'),
    ($$SELECT 'v1:0..10:>=8:[0,0,0,0,0,0,0,0,0,0,1]'::nps_state$$,             'nps_state: promoters from 8 is not NPS'),
    ($$SELECT 'v1:0..10:<=9:[0,0,0,0,0,0,0,0,0,0,1]'::nps_state$$,             'nps_state: reversed polarity is not NPS'),
    ($$SELECT 'v1:0..1000:>=9:[0,0,0,0,0,0,0,0,0,0,1]'::nps_state$$,           'nps_state: scale maximum 1000 (past the parser limit)'),
    ($$SELECT 'garbage'::csat_state$$,                                         'csat_state: garbage'),
    ($$SELECT 'v1:1..5:>=4:[1,2,3]'::csat_state$$,                             'csat_state: 3 counts for 5 points'),
    ($$SELECT 'v1:1..5:>=4:[1,2,-3,4,5]'::csat_state$$,                        'csat_state: negative count'),
    ($$SELECT 'v9:1..5:>=4:[1,2,3,4,5]'::csat_state$$,                         'csat_state: future format version v9'),
    ($$SELECT 'v1:1..5:>=6:[1,2,3,4,5]'::csat_state$$,                         'csat_state: satisfied_from 6 above the 1..5 scale'),
    ($$SELECT 'v1:1..5:>=1:[1,2,3,4,5]'::csat_state$$,                         'csat_state: satisfied_from 1 is the lowest point'),
    ($$SELECT 'v1:1..5:>=0:[1,2,3,4,5]'::csat_state$$,                         'csat_state: satisfied_from 0 below the scale'),
    ($$SELECT 'v1:1..5:<=2:[1,2,3,4,5]'::csat_state$$,                         'csat_state: reversed polarity'),
    ($$SELECT 'v1:1..11:>=10:[0,0,0,0,0,0,0,0,0,0,1]'::csat_state$$,           'csat_state: scale past 10'),
    ($$SELECT 'v1:5..5:>=5:[1]'::csat_state$$,                                 'csat_state: a one-point scale'),
    ($$SELECT 'v1:5..1:>=5:[1,1,1,1,1]'::csat_state$$,                         'csat_state: reversed bounds'),
    ($$SELECT 'garbage'::ces_state$$,                                          'ces_state: garbage'),
    ($$SELECT 'v1:1..7:>=5:[1,2,3,4,5,6]'::ces_state$$,                        'ces_state: 6 counts for 7 points'),
    ($$SELECT 'v1:1..7:>=5:[1,2,3,4,5,6,-7]'::ces_state$$,                     'ces_state: negative count'),
    ($$SELECT 'v2:1..7:>=5:[1,2,3,4,5,6,7]'::ces_state$$,                      'ces_state: future format version v2'),
    ($$SELECT 'v1:1..7:<=5:[1,2,3,4,5,6,7]'::ces_state$$,                      'ces_state: 1..7 with reversed polarity'),
    ($$SELECT 'v1:1..5:>=2:[1,2,3,4,5]'::ces_state$$,                          'ces_state: 1..5 with the 1..7 polarity'),
    ($$SELECT 'v1:1..6:>=5:[1,2,3,4,5,6]'::ces_state$$,                        'ces_state: scale 1..6'),
    ($$SELECT 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]'::ces_state$$,             'ces_state: an NPS literal is not a CES state')
) t(q, d);

-- ---------------------------------------------------------------------------
-- 22023: mixing scales
-- ---------------------------------------------------------------------------
SELECT throws_ok(q, '22023', NULL, d) FROM (VALUES
    ($$SELECT rollup(v::csat_state) FROM lit WHERE name IN ('csat5', 'csat7')$$,   'rollup(): CSAT 1..5 with 1..7'),
    ($$SELECT rollup(v::csat_state) FROM lit WHERE name IN ('csat5', 'csat5c5')$$, 'rollup(): CSAT 1..5 satisfied from 4 with from 5'),
    ($$SELECT rollup(v::ces_state) FROM lit WHERE name IN ('ces7', 'ces5')$$,      'rollup(): CES 1..7 with 1..5'),
    ($$SELECT rollup(s) OVER (ORDER BY n ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
         FROM (SELECT name AS n, v::csat_state AS s FROM lit WHERE name IN ('csat5', 'csat7')) x$$,
                                                                                  'rollup() as a moving window: CSAT 1..5 with 1..7'),
    ($$SELECT csat_combine((SELECT v FROM lit WHERE name = 'csat5')::csat_state,
                           (SELECT v FROM lit WHERE name = 'csat7')::csat_state)$$, 'csat_combine(): different scales'),
    ($$SELECT ces_combine((SELECT v FROM lit WHERE name = 'ces7')::ces_state,
                          (SELECT v FROM lit WHERE name = 'ces5')::ces_state)$$,   'ces_combine(): different scales'),
    ($$SELECT csat_test((SELECT v FROM lit WHERE name = 'csat5')::csat_state,
                        (SELECT v FROM lit WHERE name = 'csat7')::csat_state)$$,   'csat_test(): 1..5 with 1..7'),
    ($$SELECT csat_test((SELECT v FROM lit WHERE name = 'csat5')::csat_state,
                        (SELECT v FROM lit WHERE name = 'csat5c5')::csat_state)$$, 'csat_test(): satisfied from 4 with from 5'),
    ($$SELECT csat_z((SELECT v FROM lit WHERE name = 'csat7')::csat_state,
                     (SELECT v FROM lit WHERE name = 'csat5')::csat_state)$$,      'csat_z(): 1..7 with 1..5'),
    ($$SELECT ces_test((SELECT v FROM lit WHERE name = 'ces7')::ces_state,
                       (SELECT v FROM lit WHERE name = 'ces5')::ces_state)$$,      'ces_test(): 1..7 with 1..5'),
    ($$SELECT ces_test((SELECT v FROM lit WHERE name = 'ces5')::ces_state,
                       (SELECT v FROM lit WHERE name = 'ces7')::ces_state)$$,      'ces_test(): 1..5 with 1..7')
) t(q, d);

-- ---------------------------------------------------------------------------
-- 22023: confidence outside (0, 1), for every interval function, also on
-- states whose interval is NULL (empty, or one response for CES)
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE ci_fn (fn text, typ text, st text);
INSERT INTO ci_fn VALUES
    ('nps_moe',    'nps_state',  'nps'),
    ('nps_lower',  'nps_state',  'nps'),
    ('nps_upper',  'nps_state',  'nps'),
    ('csat_lower', 'csat_state', 'csat5'),
    ('csat_upper', 'csat_state', 'csat5'),
    ('ces_lower',  'ces_state',  'ces7'),
    ('ces_upper',  'ces_state',  'ces7');

SELECT throws_ok(format('SELECT %s(%L::%s, %L::float8)', f.fn, l.v, f.typ, c.conf),
                 '22023', NULL, format('%s(): confidence %s', f.fn, c.conf))
  FROM ci_fn f
  JOIN lit l ON l.name = f.st
 CROSS JOIN (VALUES (1, '0'), (2, '1'), (3, '-0.1'), (4, 'NaN'), (5, '1.5')) c(o, conf)
 ORDER BY f.fn, c.o;

SELECT throws_ok(q, '22023', NULL, d) FROM (VALUES
    ($$SELECT nps_moe((SELECT v FROM lit WHERE name = 'nps')::nps_state, 'Infinity')$$,        'nps_moe(): confidence Infinity'),
    ($$SELECT csat_lower((SELECT v FROM lit WHERE name = 'csat5')::csat_state, '-Infinity')$$, 'csat_lower(): confidence -Infinity'),
    ($$SELECT nps_moe((SELECT v FROM lit WHERE name = 'nps_empty')::nps_state, 0)$$,           'nps_moe(): confidence 0 on an empty state'),
    ($$SELECT nps_lower((SELECT v FROM lit WHERE name = 'nps')::nps_state, 1, 'adjusted_wald')$$,
                                                                                              'nps_lower(): confidence 1 with adjusted_wald'),
    ($$SELECT csat_upper('v1:1..5:>=4:[0,0,0,0,0]'::csat_state, 2)$$,                          'csat_upper(): confidence 2 on an empty state'),
    ($$SELECT ces_lower((SELECT v FROM lit WHERE name = 'ces7_one')::ces_state, 0)$$,          'ces_lower(): confidence 0 on a one-response state'),
    ($$SELECT ces_upper((SELECT v FROM lit WHERE name = 'ces7_one')::ces_state, 1)$$,          'ces_upper(): confidence 1 on a one-response state')
) t(q, d);

-- ---------------------------------------------------------------------------
-- 22023: unknown NPS interval method (case-sensitive; checked on empty states too)
-- ---------------------------------------------------------------------------
SELECT throws_ok(q, '22023', NULL, d) FROM (VALUES
    ($$SELECT nps_moe((SELECT v FROM lit WHERE name = 'nps')::nps_state, 0.95, 'bogus')$$,         'nps_moe(): method bogus'),
    ($$SELECT nps_moe((SELECT v FROM lit WHERE name = 'nps')::nps_state, 0.95, 'Wald')$$,          'nps_moe(): method Wald (case matters)'),
    ($$SELECT nps_moe((SELECT v FROM lit WHERE name = 'nps')::nps_state, 0.95, 'adjusted-wald')$$, 'nps_moe(): method adjusted-wald'),
    ($$SELECT nps_lower((SELECT v FROM lit WHERE name = 'nps')::nps_state, 0.95, '')$$,            'nps_lower(): empty method'),
    ($$SELECT nps_upper((SELECT v FROM lit WHERE name = 'nps')::nps_state, 0.95, 'wilson')$$,      'nps_upper(): method wilson'),
    ($$SELECT nps_upper((SELECT v FROM lit WHERE name = 'nps')::nps_state, method => ' wald')$$,   'nps_upper(): method with a leading space'),
    ($$SELECT nps_moe((SELECT v FROM lit WHERE name = 'nps_empty')::nps_state, 0.95, 'bogus')$$,   'nps_moe(): method bogus on an empty state')
) t(q, d);

-- ---------------------------------------------------------------------------
-- 22023: unsupported scales
-- ---------------------------------------------------------------------------
SELECT throws_ok(q, '22023', NULL, d) FROM (VALUES
    ($$SELECT ces(s, 6) FROM (VALUES (1)) v(s)$$,                'ces(): scale_max 6'),
    ($$SELECT ces(s, 0) FROM (VALUES (1)) v(s)$$,                'ces(): scale_max 0'),
    ($$SELECT ces(s, -7) FROM (VALUES (1)) v(s)$$,               'ces(): scale_max -7'),
    ($$SELECT ces(s, 10) FROM (VALUES (1)) v(s)$$,               'ces(): scale_max 10'),
    ($$SELECT ces(s, 6) FROM (VALUES (1::float8)) v(s)$$,        'ces(float8): scale_max 6'),
    ($$SELECT ces_agg(s, 4) FROM (VALUES (1)) v(s)$$,            'ces_agg(): scale_max 4'),
    ($$SELECT csat(s, 1, 11) FROM (VALUES (1)) v(s)$$,           'csat(): scale 1..11 past 10'),
    ($$SELECT csat(s, 5, 1) FROM (VALUES (1)) v(s)$$,            'csat(): reversed bounds 5..1'),
    ($$SELECT csat(s, 3, 3) FROM (VALUES (3)) v(s)$$,            'csat(): one-point scale 3..3'),
    ($$SELECT csat(s, -1, 5) FROM (VALUES (1)) v(s)$$,           'csat(): scale from -1'),
    ($$SELECT csat(s, 0, 101) FROM (VALUES (1)) v(s)$$,          'csat(): scale to 101'),
    ($$SELECT csat(s, 1, 5, 6) FROM (VALUES (1)) v(s)$$,         'csat(): satisfied_from 6 above 1..5'),
    ($$SELECT csat(s, 1, 5, 1) FROM (VALUES (1)) v(s)$$,         'csat(): satisfied_from 1, the lowest point'),
    ($$SELECT csat(s, 1, 5, -5) FROM (VALUES (1)) v(s)$$,        'csat(): satisfied_from -5'),
    ($$SELECT csat(s, 0, 11) FROM (VALUES (1::float8)) v(s)$$,   'csat(float8): scale 0..11'),
    ($$SELECT csat_agg(s, 1, 5, 9) FROM (VALUES (1)) v(s)$$,     'csat_agg(): satisfied_from 9 above 1..5')
) t(q, d);

-- ---------------------------------------------------------------------------
-- 22004: NULL scale arguments (also on a later row, and with a NULL score)
-- ---------------------------------------------------------------------------
SELECT throws_ok(q, '22004', NULL, d) FROM (VALUES
    ($$SELECT ces(s, NULL) FROM (VALUES (1)) v(s)$$,                       'ces(): NULL scale_max'),
    ($$SELECT ces(s, NULL) FROM (VALUES (1::float8)) v(s)$$,               'ces(float8): NULL scale_max'),
    ($$SELECT ces_agg(s, NULL) FROM (VALUES (1)) v(s)$$,                   'ces_agg(): NULL scale_max'),
    ($$SELECT ces(s, m) FROM (VALUES (1, 7), (2, NULL)) v(s, m)$$,         'ces(): NULL scale_max on the second row'),
    ($$SELECT ces(s, NULL) FROM (VALUES (NULL::int)) v(s)$$,               'ces(): NULL scale_max with a NULL score'),
    ($$SELECT csat(s, NULL, 5) FROM (VALUES (1)) v(s)$$,                   'csat(): NULL scale_min'),
    ($$SELECT csat(s, 1, NULL) FROM (VALUES (1)) v(s)$$,                   'csat(): NULL scale_max'),
    ($$SELECT csat(s, 1, 5, NULL) FROM (VALUES (1)) v(s)$$,                'csat(): NULL satisfied_from'),
    ($$SELECT csat(s, NULL, 5, 4) FROM (VALUES (1)) v(s)$$,                'csat(s, min, max, from): NULL scale_min'),
    ($$SELECT csat(s, 1, NULL) FROM (VALUES (1::float8)) v(s)$$,           'csat(float8): NULL scale_max'),
    ($$SELECT csat(s, 1, 5, NULL) FROM (VALUES (1::float8)) v(s)$$,        'csat(float8): NULL satisfied_from'),
    ($$SELECT csat_agg(s, NULL, 5) FROM (VALUES (1)) v(s)$$,               'csat_agg(): NULL scale_min'),
    ($$SELECT csat(s, 1, hi) FROM (VALUES (1, 5), (2, NULL)) v(s, hi)$$,   'csat(): NULL scale_max on the second row'),
    ($$SELECT csat(s, NULL, 5) FROM (VALUES (NULL::int)) v(s)$$,           'csat(): NULL scale_min with a NULL score')
) t(q, d);

-- ---------------------------------------------------------------------------
-- 22023: scale arguments that change between rows
-- ---------------------------------------------------------------------------
SELECT throws_ok(q, '22023', NULL, d) FROM (VALUES
    ($$SELECT csat(s, 1, hi) FROM (VALUES (1, 5), (2, 7)) v(s, hi)$$,                 'csat(): scale_max 5 then 7'),
    ($$SELECT csat(s, lo, 5) FROM (VALUES (1, 1), (2, 0)) v(s, lo)$$,                 'csat(): scale_min 1 then 0'),
    ($$SELECT csat(s, 1, 5, c) FROM (VALUES (1, 4), (2, 5)) v(s, c)$$,                'csat(): satisfied_from 4 then 5'),
    ($$SELECT csat(s, 1, hi) FROM (VALUES (1::float8, 5), (2, 7)) v(s, hi)$$,         'csat(float8): scale_max 5 then 7'),
    ($$SELECT csat_agg(s, 1, 5, c) FROM (VALUES (1, 4), (2, 3)) v(s, c)$$,            'csat_agg(): satisfied_from 4 then 3'),
    ($$SELECT ces(s, m) FROM (VALUES (1, 7), (2, 5)) v(s, m)$$,                       'ces(): scale_max 7 then 5'),
    ($$SELECT ces(s, m) FROM (VALUES (1::float8, 5), (2, 7)) v(s, m)$$,               'ces(float8): scale_max 5 then 7'),
    ($$SELECT ces_agg(s, m) FROM (VALUES (1, 5), (2, 7)) v(s, m)$$,                   'ces_agg(): scale_max 5 then 7'),
    ($$SELECT ces(s, m) FROM (VALUES (NULL::int, 5), (2, 7)) v(s, m)$$,               'ces(): scale_max 5 (NULL score) then 7'),
    ($$SELECT csat(s, 1, hi) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
         FROM (VALUES (1, 1, 5), (2, 2, 5), (3, 3, 7)) v(i, s, hi)$$,                  'csat() as a moving window: scale_max 5 then 7')
) t(q, d);

-- ---------------------------------------------------------------------------
-- lives_ok: the valid borders next to each error
-- ---------------------------------------------------------------------------
SELECT lives_ok(q, d) FROM (VALUES
    ($$SELECT nps(s) FROM (VALUES (0), (10)) v(s)$$,                         'nps(): scores 0 and 10'),
    ($$SELECT nps(s) FROM (VALUES (0::float8), (10::float8)) v(s)$$,         'nps(float8): scores 0.0 and 10.0'),
    ($$SELECT nps(s) FROM (VALUES ('-0'::float8)) v(s)$$,                    'nps(float8): score -0.0 is 0'),
    ($$SELECT nps(s) FROM (VALUES (0::bigint), (10::numeric)) v(s)$$,        'nps(): bigint and numeric whole numbers'),
    ($$SELECT csat(s) FROM (VALUES (1), (5)) v(s)$$,                         'csat(): scores 1 and 5'),
    ($$SELECT csat(s, 0, 10) FROM (VALUES (0), (10)) v(s)$$,                 'csat(s, 0, 10): scores 0 and 10'),
    ($$SELECT csat(s, 0, 1) FROM (VALUES (0), (1)) v(s)$$,                   'csat(s, 0, 1): a two-point scale'),
    ($$SELECT csat(s, 1, 5, 5) FROM (VALUES (1), (5)) v(s)$$,                'csat(): satisfied_from at the top of the scale'),
    ($$SELECT csat(s, 1, 5, 2) FROM (VALUES (1), (5)) v(s)$$,                'csat(): satisfied_from just above the bottom'),
    ($$SELECT ces(s) FROM (VALUES (1), (7)) v(s)$$,                          'ces(): scores 1 and 7'),
    ($$SELECT ces(s, 5) FROM (VALUES (1), (5)) v(s)$$,                       'ces(s, 5): scores 1 and 5'),
    ($$SELECT ces(s, 7) FROM (VALUES (1::float8), (7::float8)) v(s)$$,       'ces(float8, 7): scores 1.0 and 7.0'),
    ($$SELECT nps_moe((SELECT v FROM lit WHERE name = 'nps')::nps_state, 0.5)$$,       'nps_moe(): confidence 0.5'),
    ($$SELECT nps_lower((SELECT v FROM lit WHERE name = 'nps')::nps_state, 0.5)$$,     'nps_lower(): confidence 0.5'),
    ($$SELECT nps_upper((SELECT v FROM lit WHERE name = 'nps')::nps_state, 0.5, 'adjusted_wald')$$,
                                                                                      'nps_upper(): confidence 0.5, adjusted_wald'),
    ($$SELECT csat_lower((SELECT v FROM lit WHERE name = 'csat5')::csat_state, 0.5)$$, 'csat_lower(): confidence 0.5'),
    ($$SELECT csat_upper((SELECT v FROM lit WHERE name = 'csat5')::csat_state, 0.5)$$, 'csat_upper(): confidence 0.5'),
    ($$SELECT ces_lower((SELECT v FROM lit WHERE name = 'ces7')::ces_state, 0.5)$$,    'ces_lower(): confidence 0.5'),
    ($$SELECT ces_upper((SELECT v FROM lit WHERE name = 'ces7')::ces_state, 0.5)$$,    'ces_upper(): confidence 0.5'),
    ($$SELECT nps_moe((SELECT v FROM lit WHERE name = 'nps')::nps_state, 1e-9), nps_moe((SELECT v FROM lit WHERE name = 'nps')::nps_state, 0.999999)$$,
                                                                                      'nps_moe(): confidence just inside (0, 1)'),
    ($$SELECT 'v1:0..10:>=9:[9223372036854775807,0,0,0,0,0,0,0,0,0,0]'::nps_state$$, 'literal: one count of 2^63-1'),
    ($$SELECT ' v1 : 0 .. 10 : >= 9 : [ 0 , 0,0,0,0,0,0,0,0,0, 1 ] '::nps_state$$,   'literal: white space around the tokens'),
    ($$SELECT 'v1:1..10:>=9:[0,0,0,0,0,0,0,0,0,1]'::csat_state$$,                     'csat_state literal: any scale within 0..10'),
    ($$SELECT 'v1:1..5:<=2:[0,0,0,0,1]'::ces_state, 'v1:1..7:>=5:[0,0,0,0,0,0,1]'::ces_state$$,
                                                                                      'ces_state literal: both CES scales'),
    ($$SELECT rollup(v::csat_state) FROM lit WHERE name = 'csat5'$$,                  'rollup(): states of one scale'),
    ($$SELECT csat_test('v1:1..7:>=6:[1,2,3,4,5,6,7]'::csat_state, (SELECT v FROM lit WHERE name = 'csat7')::csat_state)$$,
                                                                                      'csat_test(): two states of the same 1..7 scale')
) t(q, d);

SELECT * FROM finish();
ROLLBACK;
