SET search_path = public, engage;
-- 21_limits: states at the edges.  Counters next to 2^63 - 1 read back
-- exactly and one more response is a clean 22003, never a wrap-around;
-- states of billions of responses (a literal, and rollup() of 1000 states)
-- give hand-computed metrics and intervals; a state written by a newer
-- format version is a clean error that says so; a HashAggregate over
-- aggregates with internal states spills to disk and still gives the
-- answer of a sorted GroupAggregate.
--
-- 2^63 - 1 = 9223372036854775807, 2^62 = 4611686018427387904.

-- Run q; return its SQLSTATE, message and DETAIL, or 'no error'.
CREATE FUNCTION pg_temp.err(q text, OUT code text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  code := 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
END $$;

-- ---------------------------------------------------------------------------
-- Counters next to 2^63 - 1: nps_state
-- ---------------------------------------------------------------------------
-- 2^62 - 1 passives (score 7) and 2^62 promoters (score 10): exactly 2^63 - 1
-- responses, the most a state holds.
CREATE TEMP TABLE big (name text, s nps_state);
INSERT INTO big VALUES
  ('full', 'v1:0..10:>=9:[0,0,0,0,0,0,0,4611686018427387903,0,0,4611686018427387904]'),
  ('one promoter', 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]'),
  ('half', 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,4611686018427387904]'),
  ('half - 1', 'v1:0..10:>=9:[0,0,0,0,0,0,0,4611686018427387903,0,0,0]');
-- Accessors return the counts exactly: responses 2^63 - 1, promoters 2^62,
-- passives 2^62 - 1, detractors 0; NPS = 100 x 2^62 / (2^63 - 1) = 50 +
-- 50 / (2^63 - 1), which is 50 in double precision; the text form reads back.
SELECT responses(s), promoters(s), passives(s), detractors(s), nps(s),
       score_counts(s) = ARRAY[0,0,0,0,0,0,0,4611686018427387903,0,0,4611686018427387904]::bigint[] AS counts_exact,
       (s::jsonb ->> 'responses')::numeric = 9223372036854775807 AS json_exact,
       s::text::nps_state = s AS text_round_trip
FROM big WHERE name = 'full';
-- Mean = (7 (2^62 - 1) + 10 x 2^62) / (2^63 - 1) = (17 x 2^62 - 7) / (2^63 - 1)
-- = 8.5 + 1.5 / (2^63 - 1): 8.5 in double precision.
SELECT mean_score(s) FROM big WHERE name = 'full';

-- Two halves that add up to exactly 2^63 - 1 combine; one response more, in
-- every path (rollup, the combine function, the transition, a moving window),
-- is 22003 with the limit in the DETAIL.
SELECT responses(rollup(s)) AS half_plus_half_minus_1 FROM big WHERE name IN ('half', 'half - 1');
\x on
SELECT q, e.* FROM (VALUES
  ('SELECT rollup(s) FROM big WHERE name IN (''full'', ''one promoter'')'),
  ('SELECT rollup(s) FROM (SELECT s FROM big WHERE name = ''half'' UNION ALL SELECT s FROM big WHERE name = ''half'') t'),
  ('SELECT nps_combine(a.s, b.s) FROM big a, big b WHERE a.name = ''full'' AND b.name = ''one promoter'''),
  ('SELECT nps_accum(s, 0) FROM big WHERE name = ''full'''),
  ('SELECT nps_accum(s, 10.0::float8) FROM big WHERE name = ''full''')
) v(q), pg_temp.err(q) e;
\x off
-- A moving window whose frame stays within 2^63 - 1 is fine (the inverse
-- transition takes the old row out before the new one comes in): frames
-- {2^63-2}, {2^63-2, 1}, {1, 1}.
SELECT k, responses(rollup(s) OVER (ORDER BY k ROWS 1 PRECEDING))
FROM (VALUES (1, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,9223372036854775806]'::nps_state),
             (2, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]'),
             (3, 'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,0]')) v(k, s)
ORDER BY k;
-- ... and a frame that would pass it is 22003.
SELECT e.* FROM pg_temp.err($q$
  SELECT responses(rollup(s) OVER (ORDER BY k ROWS 1 PRECEDING))
  FROM (VALUES (1, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,9223372036854775806]'::nps_state),
               (2, 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,2]')) v(k, s)$q$) e;

-- ---------------------------------------------------------------------------
-- Counters next to 2^63 - 1: session_state and proportion_state
-- ---------------------------------------------------------------------------
-- A: 2^62 - 1 sessions, every one a bounce (events = sessions, 0 s);
-- B: one session of 2^63 - 1 events lasting 2^63 - 1 us.
CREATE TEMP TABLE bigs (name text, s session_state);
INSERT INTO bigs VALUES
  ('A', 'v1;gap_us=1800000000;sessions=4611686018427387903;events=4611686018427387903;duration_us=0;bounces=4611686018427387903;engaged=0'),
  ('B', 'v1;gap_us=1800000000;sessions=1;events=9223372036854775807;duration_us=9223372036854775807;bounces=0;engaged=1'),
  ('bounce', 'v1;gap_us=1800000000;sessions=1;events=1;duration_us=0;bounces=1;engaged=0');
-- B: 9223372036854775807 us = 9223372036854 s + 0.775807 s; 9223372036854 s
-- = 2562047788 h (9223372036800 s) + 54 s: 2562047788 hours 54.775807 secs.
SELECT name, sessions(s), events(s), bounces(s), engaged_sessions(s), total_session_duration(s),
       s::text::session_state = s AS text_round_trip
FROM bigs ORDER BY name;
-- A + A + one bounce = 2^63 - 1 sessions exactly (2 (2^62 - 1) + 1).
SELECT sessions(r), events(r), bounces(r), bounce_rate(r)
FROM (SELECT rollup(s) AS r FROM (SELECT s FROM bigs WHERE name = 'A' UNION ALL
                                  SELECT s FROM bigs WHERE name = 'A' UNION ALL
                                  SELECT s FROM bigs WHERE name = 'bounce') t) x;
\x on
SELECT q, e.* FROM (VALUES
  -- 2 (2^62 - 1) + 2 = 2^63 sessions
  ('SELECT rollup(s) FROM (SELECT s FROM bigs WHERE name IN (''A'', ''bounce'') UNION ALL SELECT s FROM bigs WHERE name IN (''A'', ''bounce'')) t'),
  -- 2^63 - 1 + 1 events
  ('SELECT rollup(s) FROM bigs WHERE name IN (''B'', ''bounce'')'),
  ('SELECT sessions_combine(a.s, b.s) FROM bigs a, bigs b WHERE a.name = ''B'' AND b.name = ''bounce''')
) v(q), pg_temp.err(q) e;
\x off

-- proportion_state: 2^63 - 1 successes of 2^63 - 1 trials, read back exactly.
SELECT successes(s), trials(s), rate(s), s::text::proportion_state = s AS text_round_trip
FROM (SELECT 'v1:9223372036854775807/9223372036854775807'::proportion_state AS s) x;
-- Inside the aggregate's own transition: two rows of 2^62 conversions out
-- of 2^62 visitors sum to 2^63 (22003); 2^62 and 2^62 - 1 sum to 2^63 - 1.
SELECT successes(conversion_agg(c, v)), trials(conversion_agg(c, v))
FROM (VALUES (4611686018427387904, 4611686018427387904), (4611686018427387903, 4611686018427387903)) t(c, v);
\x on
SELECT q, e.* FROM (VALUES
  ('SELECT conversion_agg(c, v) FROM (VALUES (4611686018427387904, 4611686018427387904), (4611686018427387904, 4611686018427387904)) t(c, v)'),
  ('SELECT proportion_accum(''v1:9223372036854775807/9223372036854775807'', false)'),
  ('SELECT rollup(s) FROM (VALUES (''v1:1/9223372036854775807''::proportion_state), (''v1:0/1'')) t(s)')
) v(q), pg_temp.err(q) e;
\x off

-- ---------------------------------------------------------------------------
-- A billion responses and more
-- ---------------------------------------------------------------------------
-- A literal of 6,100,000,000 responses: score 0: 220,000,000, 6: 1,000,000,000
-- (detractors 1,220,000,000 = 20%), 7: 830,000,000, 8: 1,000,000,000 (passives
-- 1,830,000,000 = 30%), 9: 1,050,000,000, 10: 2,000,000,000 (promoters
-- 3,050,000,000 = 50%).  By hand:
--   NPS = 100 (0.5 - 0.2) = 30 exactly;
--   Wald SE = 100 sqrt((0.5 + 0.2 - 0.3^2) / 6.1e9) = 100 sqrt(1e-10) = 0.001,
--   margin (95%, z = 1.9599639845400536) = 0.0019599639845400536,
--   interval [29.9980400360154599, 30.0019599639845401];
--   mean = (6 x 1e9 + 7 x 830e6 + 8 x 1e9 + 9 x 1.05e9 + 10 x 2e9) / 6.1e9
--        = 49.26e9 / 6.1e9 = 8.0754098360655737...;
--   sum of squares = 425.72e9, sample sd = sqrt((425.72e9 - 49.26e9^2 / 6.1e9)
--        / (6.1e9 - 1)) = 2.1396074207087830...
-- The *_ok columns compare with these figures to 1e-10; the rounded values
-- are shown as well (to 9 decimals: a float8 cast to numeric keeps only 15
-- significant digits).
CREATE TEMP TABLE billion AS
SELECT 'v1:0..10:>=9:[220000000,0,0,0,0,0,1000000000,830000000,1000000000,1050000000,2000000000]'::nps_state AS s;
SELECT responses(s), promoters(s), passives(s), detractors(s), nps(s),
       round(nps_moe(s)::numeric, 9) AS moe, round(nps_lower(s)::numeric, 9) AS lower,
       round(nps_upper(s)::numeric, 9) AS upper, round(mean_score(s)::numeric, 9) AS mean,
       round(score_stddev(s)::numeric, 9) AS sd
FROM billion;
SELECT abs(nps_moe(s) - 0.0019599639845400536) < 1e-10 AS moe_ok,
       abs(nps_lower(s) - 29.9980400360154599) < 1e-10 AS lower_ok,
       abs(nps_upper(s) - 30.0019599639845401) < 1e-10 AS upper_ok,
       abs(mean_score(s) - 8.0754098360655737) < 1e-10 AS mean_ok,
       abs(score_stddev(s) - 2.1396074207087830) < 1e-10 AS sd_ok
FROM billion;

-- rollup() of 1000 states of 1,000,001 responses each: state g has 200,000
-- detractors (score 0), 300,001 - g passives (score 7) and 500,000 + g
-- promoters (score 10).  Sum over g = 1..1000 (sum of g = 500,500):
--   responses 1,000,001,000; detractors 200,000,000; passives 300,001,000 -
--   500,500 = 299,500,500; promoters 500,000,000 + 500,500 = 500,500,500;
--   NPS = 100 x 300,500,500 / 1,000,001,000 = 30050050 / 1000001
--       = 30.0500199499800500...;
--   Wald margin = 1.9599639845400536 x 100 sqrt((p + d - (p - d)^2) / n) with
--   p = 500500500 / n, d = 200000000 / n: SE = 0.0024702202723683595,
--   margin = 0.0048415427677227063.
CREATE TEMP TABLE thousand AS
SELECT g, format('v1:0..10:>=9:[200000,0,0,0,0,0,0,%s,0,0,%s]', 300001 - g, 500000 + g)::nps_state AS s
FROM generate_series(1, 1000) g;
SELECT count(*) AS states, min(responses(s)) AS min_responses, max(responses(s)) AS max_responses FROM thousand;
CREATE TEMP TABLE rolled AS SELECT rollup(s) AS r FROM thousand;
SELECT responses(r), promoters(r), passives(r), detractors(r),
       round(nps(r)::numeric, 9) AS nps, round(nps_moe(r)::numeric, 9) AS moe,
       abs(nps(r) - 30.0500199499800500) < 1e-10 AS nps_ok,
       abs(nps_moe(r) - 0.0048415427677227063) < 1e-10 AS moe_ok
FROM rolled;
-- The same through a parallel-style two-level rollup (10 groups of 100, then
-- the 10 partial states) and in reverse order: identical states.
SELECT (SELECT rollup(p) FROM (SELECT rollup(s) AS p FROM thousand GROUP BY g % 10) x) = r AS two_level_equal,
       (SELECT rollup(s ORDER BY g DESC) FROM thousand) = r AS reverse_equal
FROM rolled;

-- proportion_state of 3,000,000,000 successes out of 4,000,000,000 trials:
-- rate 75 exactly; Wilson 95% interval, by hand with z = 1.9599639845400536,
-- n = 4e9, p = 0.75: centre = (p + z^2/2n) / (1 + z^2/n) = 0.749999999759909,
-- half width = z / (1 + z^2/n) sqrt(p (1 - p) / n + z^2 / 4n^2)
-- = 0.0000134189560736: [74.9986580803835, 75.0013418715982] in percent.
SELECT rate(s), round(rate_lower(s)::numeric, 9) AS lower, round(rate_upper(s)::numeric, 9) AS upper,
       abs(rate_lower(s) - 74.9986580803835) < 1e-10 AS lower_ok,
       abs(rate_upper(s) - 75.0013418715982) < 1e-10 AS upper_ok
FROM (SELECT 'v1:3000000000/4000000000'::proportion_state AS s) x;

-- ---------------------------------------------------------------------------
-- A state from a newer format version
-- ---------------------------------------------------------------------------
-- Text: 22P02 (invalid_text_representation), and the DETAIL says that a newer
-- engage wrote it and which versions this build reads.
\x on
SELECT lit, e.* FROM (VALUES
  ('SELECT ''v2:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]''::nps_state'),
  ('SELECT ''v2:1..5:>=4:[0,0,0,0,1]''::csat_state'),
  ('SELECT ''v2:1..7:>=5:[0,0,0,0,0,0,1]''::ces_state'),
  ('SELECT ''v0:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]''::nps_state'),
  ('SELECT ''v2;gap_us=1800000000;sessions=1;events=1;duration_us=0;bounces=1;engaged=0''::session_state'),
  ('SELECT ''v2:1/2''::proportion_state')
) v(lit), pg_temp.err(lit) e;
\x off

-- Binary: an nps_state whose version field (the first int16) is 2, through
-- COPY ... (FORMAT binary) into the type's receive function: 22P03.
CREATE TEMP TABLE bin_src (b bytea);
CREATE TEMP TABLE bin_dst (s nps_state);
SELECT '/tmp/engage_regress_21_' || current_setting('port') || '_' || pg_backend_pid() || '.bin' AS f_bin \gset
INSERT INTO bin_src
SELECT overlay(nps_state_send('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]') PLACING '\x0002' FROM 1);
COPY bin_src TO :'f_bin' WITH (FORMAT binary);
\x on
SELECT e.* FROM pg_temp.err(format('COPY bin_dst FROM %L WITH (FORMAT binary)', :'f_bin')) e;
\x off
-- The unchanged value goes through the same path.
TRUNCATE bin_src;
INSERT INTO bin_src SELECT nps_state_send('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,1]');
COPY bin_src TO :'f_bin' WITH (FORMAT binary);
COPY bin_dst FROM :'f_bin' WITH (FORMAT binary);
SELECT s FROM bin_dst;
SELECT format('rm -f %s', :'f_bin') AS rm_cmd \gset
COPY (SELECT 1 WHERE false) TO PROGRAM :'rm_cmd';

-- ---------------------------------------------------------------------------
-- HashAggregate spilling to disk with internal-state aggregates
-- ---------------------------------------------------------------------------
-- 20,000 users with 1 to 7 page views each (u % 7 + 1 for user u: 2857 full
-- cycles of 1 + ... + 7 = 28, plus user 20000 with 2: 79,998 rows); per user
-- sessionize(ts) and funnel(ts, step, '1 day', 3), whose transition states are
-- internal.  With work_mem 64kB the hash table cannot hold 20,000 groups, so
-- the HashAggregate writes batches to disk; the answer must equal that of the
-- sorted GroupAggregate.
CREATE TEMP TABLE pv AS
SELECT u AS user_id,
       timestamptz '2024-03-01 00:00:00+00' + (u % 97) * interval '1 hour' + k * (u % 5 + 1) * interval '11 minutes' AS ts,
       k % 3 + 1 AS step
FROM generate_series(1, 20000) u, generate_series(1, u % 7 + 1) k;
ANALYZE pv;
SELECT count(*) AS rows, count(DISTINCT user_id) AS users FROM pv;
CREATE TEMP VIEW per_user AS
  SELECT user_id, sessionize(ts)::text AS s, funnel(ts, step, '1 day', 3)::text AS f FROM pv GROUP BY user_id;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET work_mem = '64kB';
SET enable_sort = off;
-- The plan is a HashAggregate that used more than one batch (read from the
-- EXPLAIN ANALYZE text, whose figures vary, so only the verdicts are shown).
CREATE FUNCTION pg_temp.hashagg_batches(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE line text; batches int; hash bool := false;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    IF line ~ '^\s*HashAggregate' THEN hash := true; END IF;
    IF hash AND batches IS NULL AND line ~ 'Batches: \d+' THEN
      batches := substring(line FROM 'Batches: (\d+)')::int;
    END IF;
  END LOOP;
  RETURN CASE WHEN hash THEN coalesce(batches, 0) ELSE -1 END;
END $$;
SELECT pg_temp.hashagg_batches('SELECT * FROM per_user') > 1 AS hashagg_spilled;
CREATE TEMP TABLE hashed AS SELECT * FROM per_user;
SET enable_hashagg = off;
RESET enable_sort;
SELECT pg_temp.hashagg_batches('SELECT * FROM per_user') = -1 AS no_hashagg;
CREATE TEMP TABLE sorted AS SELECT * FROM per_user;
RESET enable_hashagg;
RESET work_mem;
RESET jit;
RESET max_parallel_workers_per_gather;
SELECT (SELECT count(*) FROM hashed) AS hashed_groups, (SELECT count(*) FROM sorted) AS sorted_groups,
       (SELECT count(*) FROM (SELECT * FROM hashed EXCEPT ALL SELECT * FROM sorted) d) AS only_hashed,
       (SELECT count(*) FROM (SELECT * FROM sorted EXCEPT ALL SELECT * FROM hashed) d) AS only_sorted;
-- And both agree with plain SQL on the totals: sessions (LAG + running SUM)
-- and page views, rolled up over all users.
SELECT sessions(r) = (SELECT count(*) FROM (SELECT CASE WHEN ts - lag(ts) OVER w <= interval '30 minutes' THEN 0 ELSE 1 END AS new
                                            FROM pv WINDOW w AS (PARTITION BY user_id ORDER BY ts)) x WHERE new = 1) AS sessions_match,
       events(r) = (SELECT count(*) FROM pv) AS events_match
FROM (SELECT rollup(s::session_state) AS r FROM hashed) t;
