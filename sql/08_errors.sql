SET search_path = public, engage;
-- 08_errors: every error with its SQLSTATE.
--   22003 score off the scale or not whole; count overflow
--   22P02 malformed state literal        22023 bad parameter / scale mix
--   22004 NULL scale argument
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;

-- Scores off the scale or not whole numbers: 22003, in every form.
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT nps(11)'), ('SELECT nps(-1)'), ('SELECT nps(7.5::float8)'), ('SELECT nps(''NaN''::float8)'),
  ('SELECT nps(''Infinity''::float8)'), ('SELECT nps(''-Infinity''::float8)'), ('SELECT nps(1e300::float8)'),
  ('SELECT nps(2147483647)'), ('SELECT nps(10.000001::float8)'), ('SELECT nps(7.5)'),
  ('SELECT nps_agg(11)'), ('SELECT nps_agg(-0.5::float8)'),
  ('SELECT nps(s) FROM (VALUES (9), (NULL), (12)) v(s)'),
  ('SELECT csat(0)'), ('SELECT csat(6)'), ('SELECT csat(4.5::float8)'), ('SELECT csat_agg(6)'),
  ('SELECT csat(4, 1, 3)'), ('SELECT csat(0, 1, 10)'), ('SELECT csat(11, 0, 10)'), ('SELECT csat(8, 1, 7, 6)'),
  ('SELECT csat(2.5::float8, 1, 5, 3)'), ('SELECT csat_agg(''NaN''::float8, 1, 5)'),
  ('SELECT ces(0)'), ('SELECT ces(8)'), ('SELECT ces(6, 5)'), ('SELECT ces(0, 7)'), ('SELECT ces(3.5::float8)'),
  ('SELECT ces_agg(''Infinity''::float8, 5)')
) v(q);

-- NULL scale arguments: 22004 (even when the score is NULL too).
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT csat(3, NULL, 5)'), ('SELECT csat(3, 1, NULL)'), ('SELECT csat(3, 1, 5, NULL)'),
  ('SELECT csat(3.0::float8, NULL, 5)'), ('SELECT csat_agg(3, 1, 5, NULL)'),
  ('SELECT csat(NULL::int, NULL, 5)'), ('SELECT ces(3, NULL)'), ('SELECT ces_agg(3.0::float8, NULL)')
) v(q);

-- Unsupported scales: 22023.
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT csat(3, 5, 1)'), ('SELECT csat(3, 3, 3)'), ('SELECT csat(3, -1, 5)'), ('SELECT csat(3, -2, 5)'),
  ('SELECT csat(3, 0, 11)'), ('SELECT csat(3, 1, 1000)'), ('SELECT csat(3, 1, 5, 1)'), ('SELECT csat(3, 1, 5, 0)'),
  ('SELECT csat(3, 1, 5, 6)'), ('SELECT csat_agg(3.0::float8, 1, 5, 6)'),
  ('SELECT ces(3, 6)'), ('SELECT ces(3, 10)'), ('SELECT ces(3, 0)'), ('SELECT ces_agg(3, -7)')
) v(q);

-- Scale arguments that change between rows: 22023.
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT csat(s, lo, 5) FROM (VALUES (3, 1), (3, 2)) v(s, lo)'),
  ('SELECT csat(s, 1, hi) FROM (VALUES (3, 5), (3, 7)) v(s, hi)'),
  ('SELECT csat_agg(s, 1, 5, c) FROM (VALUES (3, 4), (3, 3)) v(s, c)'),
  ('SELECT csat(s, lo, 5) FROM (VALUES (NULL, 1), (3, 2)) v(s, lo)'),
  ('SELECT ces(s, m) FROM (VALUES (1, 5), (2, 7)) v(s, m)'),
  ('SELECT ces_agg(s::float8, m) FROM (VALUES (1, 7), (2, 5)) v(s, m)')
) v(q);

-- Confidence outside (0, 1) and unknown methods: 22023, also on states too
-- small for an interval.
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT nps_moe(''v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,1]'', 0)'),
  ('SELECT nps_moe(''v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,1]'', 1)'),
  ('SELECT nps_lower(''v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,1]'', 1.5)'),
  ('SELECT nps_upper(''v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,1]'', ''NaN'')'),
  ('SELECT nps_moe(''v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,1]'', -0.1)'),
  ('SELECT nps_moe(''v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,1]'', ''Infinity'')'),
  ('SELECT nps_moe(''v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,1]'', 0.95, ''wilson'')'),
  ('SELECT nps_lower(''v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,1]'', 0.95, '''')'),
  ('SELECT nps_upper(''v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'', 0.95, ''bogus'')'),
  ('SELECT csat_lower(''v1:1..5:>=4:[1,0,0,0,1]'', 0)'),
  ('SELECT csat_upper(''v1:1..5:>=4:[1,0,0,0,1]'', 1)'),
  ('SELECT csat_lower(''v1:1..5:>=4:[1,0,0,0,1]'', ''NaN'')'),
  ('SELECT ces_lower(''v1:1..7:>=5:[1,0,0,0,0,0,1]'', 0)'),
  ('SELECT ces_upper(''v1:1..7:>=5:[1,0,0,0,0,0,1]'', 1.5)'),
  ('SELECT ces_lower(''v1:1..7:>=5:[1,0,0,0,0,0,0]'', ''NaN'')')
) v(q);

-- Mixing scales in rollup and in the tests: 22023.
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT rollup(s) FROM (VALUES (''v1:1..5:>=4:[1,1,1,1,1]''::csat_state), (''v1:1..7:>=6:[1,1,1,1,1,1,1]'')) v(s)'),
  ('SELECT rollup(s) FROM (VALUES (''v1:1..5:>=4:[1,1,1,1,1]''::csat_state), (''v1:1..5:>=3:[1,1,1,1,1]'')) v(s)'),
  ('SELECT rollup(s) FROM (VALUES (''v1:0..1:>=1:[1,1]''::csat_state), (''v1:1..5:>=4:[1,1,1,1,1]'')) v(s)'),
  ('SELECT rollup(s) FROM (VALUES (''v1:1..7:>=5:[1,1,1,1,1,1,1]''::ces_state), (''v1:1..5:<=2:[1,1,1,1,1]'')) v(s)'),
  ('SELECT rollup(s) OVER (ORDER BY k ROWS 1 PRECEDING) FROM (VALUES (1, ''v1:1..5:>=4:[1,1,1,1,1]''::csat_state), (2, ''v1:1..7:>=6:[1,1,1,1,1,1,1]'')) v(k, s)'),
  ('SELECT csat_test(''v1:1..5:>=4:[1,1,1,1,1]'', ''v1:1..10:>=9:[1,1,1,1,1,1,1,1,1,1]'')'),
  ('SELECT csat_z(''v1:1..5:>=4:[1,1,1,1,1]'', ''v1:1..5:>=5:[1,1,1,1,1]'')'),
  ('SELECT csat_test(''v1:1..5:>=4:[0,0,0,0,0]'', ''v1:0..1:>=1:[0,0]'')'),
  ('SELECT ces_test(''v1:1..7:>=5:[1,1,1,1,1,1,1]'', ''v1:1..5:<=2:[1,1,1,1,1]'')'),
  ('SELECT csat_combine(''v1:1..5:>=4:[1,1,1,1,1]'', ''v1:1..7:>=6:[1,1,1,1,1,1,1]'')')
) v(q);

-- Malformed literals: 22P02 (counts past 2^63 - 1: 22003).
SELECT lit, pg_temp.err(format('SELECT %L::nps_state', lit)) AS result FROM (VALUES
  ('v2:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'), ('v0:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'),
  ('1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'), ('v1:0..10:>=9:[0,0,0]'), ('v1:0..10:>=9:[]'),
  ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0,0]'), ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,-1]'),
  ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,+1]'), ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1.5]'),
  ('garbage'), (''), ('v1'), ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0'),
  ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]x'), ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]]'),
  ('v1:0..10:>=9:[0;0;0;0;0;0;0;0;0;0;0]'), ('v1:0..10:9:[0,0,0,0,0,0,0,0,0,0,0]'),
  ('v99999:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'), ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,99999999999999999999]'),
  ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,9223372036854775807,1]'),
  ('v1:1..5:>=4:[1,1,1,1,1]'), ('v1:0..10:<=9:[0,0,0,0,0,0,0,0,0,0,0]'), ('v1:0..10:>=8:[0,0,0,0,0,0,0,0,0,0,0]'),
  ('v1:0..11:>=9:[0,0,0,0,0,0,0,0,0,0,0,0]')
) v(lit);
SELECT lit, pg_temp.err(format('SELECT %L::csat_state', lit)) AS result FROM (VALUES
  ('v1:1..5:>=1:[1,2,3,4,5]'), ('v1:1..5:>=6:[1,2,3,4,5]'), ('v1:1..11:>=9:[1,2,3,4,5,1,1,1,1,1,1]'),
  ('v1:5..5:>=5:[1]'), ('v1:5..1:>=1:[1,2,3,4,5]'), ('v1:1..5:<=2:[1,2,3,4,5]'), ('v1:1..5:>=4:[1,2,3,4]')
) v(lit);
SELECT lit, pg_temp.err(format('SELECT %L::ces_state', lit)) AS result FROM (VALUES
  ('v1:1..5:>=4:[1,2,3,4,5]'), ('v1:1..7:>=6:[1,2,3,4,5,6,7]'), ('v1:1..7:<=5:[1,2,3,4,5,6,7]'),
  ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'), ('v1:1..5:<=3:[1,2,3,4,5]')
) v(lit);

-- Counting past 2^63 - 1: 22003.
SELECT q, pg_temp.err(q) AS result FROM (VALUES
  ('SELECT rollup(s) FROM (VALUES (''v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,9223372036854775807]''::nps_state), (''v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,0]'')) v(s)'),
  ('SELECT nps_accum(''v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,9223372036854775807]''::nps_state, 10)'),
  ('SELECT csat_accum(''v1:1..5:>=4:[0,0,0,0,9223372036854775807]''::csat_state, 1)')
) v(q);
-- Removing what was never added (inverse transitions called directly):
-- 22000 data_exception; the rollup inverse outside a window: 0A000.
SELECT q, left(pg_temp.err(q), 5) AS sqlstate FROM (VALUES
  ('SELECT nps_accum_inv(''v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]''::nps_state, 5)'),
  ('SELECT nps_combine_inv(''v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]'', ''v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]'')')
) v(q);

-- The full messages of a few, with DETAIL and HINT.
SELECT nps(11);
SELECT csat(7.5::float8, 1, 10);
SELECT 'v1:0..10:>=9:[0,0,0]'::nps_state;
SELECT 'v1:1..5:>=4:[1,1,1,1,1]'::nps_state;
SELECT rollup(s) FROM (VALUES ('v1:1..5:>=4:[1,1,1,1,1]'::csat_state), ('v1:1..7:>=6:[1,1,1,1,1,1,1]')) v(s);
SELECT ces(3, 6);
SELECT csat(s, lo, 5) FROM (VALUES (3, 1), (3, 2)) v(s, lo);
SELECT nps_moe('v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,1]', 1);
SELECT nps_moe('v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,1,1]', 0.9, 'exact');
