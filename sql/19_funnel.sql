SET search_path = public, engage;
-- 19_funnel: window funnels (ClickHouse windowFunnel, default mode).
-- Per user, events sorted by (ts, step):
--   a step-1 event at t starts a chain at t (the latest start wins);
--   a step-k event at t extends the chain that reached step k - 1 and started
--   latest, when t - start <= window (inclusive);
--   depth = the deepest step reached; times = those of the first chain to
--   reach that depth.
-- Across users: rollup(funnel_state) and funnel_steps(state).
SET extra_float_digits = 0;
SET TimeZone = 'UTC';

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;

-- bin_recv(payload): payload received as a funnel_state through COPY binary.
CREATE FUNCTION pg_temp.bin_recv(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    f text := current_setting('data_directory') || '/engage_fun_' || pg_backend_pid() || '.bin';
    r text;
BEGIN
    IF to_regclass('pg_temp.fun_bin_in') IS NULL THEN
        CREATE TEMP TABLE fun_bin_in (s funnel_state);
    END IF;
    TRUNCATE fun_bin_in;
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', payload, f);
    EXECUTE format('COPY fun_bin_in FROM PROGRAM %L (FORMAT binary)',
                   format('cat ''%s''; rc=$?; rm -f ''%s''; exit $rc', f, f));
    SELECT s::text INTO r FROM fun_bin_in;
    RETURN r;
END $$;

-- ---------------------------------------------------------------------------
-- Hand-computed, one user per case
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hand (u text, ts timestamptz, step int);
INSERT INTO hand VALUES
  -- a: 1 -> 2 -> 3 at 0, 1 h, 2 h; window 2 h is inclusive: 2 h - 0 <= 2 h, depth 3
  ('a', '2024-01-01 00:00', 1), ('a', '2024-01-01 01:00', 2), ('a', '2024-01-01 02:00', 3),
  -- b: step 2 before step 1: the chain must be in order, depth 1
  ('b', '2024-01-01 00:00', 2), ('b', '2024-01-01 01:00', 1),
  -- c: two step-1 events: the later one (00:10) starts the chain that step 2
  --    at 00:20 extends: depth 2, time 10 min (not 20)
  ('c', '2024-01-01 00:00', 1), ('c', '2024-01-01 00:10', 1), ('c', '2024-01-01 00:20', 2),
  -- d: chain 00:00 -> 00:05 reaches step 2 first; step 3 at 00:40 is 40 min
  --    after it (> 30 min window) but 10 min after the chain 00:30 -> 00:35:
  --    depth 3 with times 0, 5 min, 10 min (00:30, 00:35, 00:40)
  ('d', '2024-01-01 00:00', 1), ('d', '2024-01-01 00:05', 2), ('d', '2024-01-01 00:30', 1),
  ('d', '2024-01-01 00:35', 2), ('d', '2024-01-01 00:40', 3),
  -- e: step 2 and step 1 at the same instant: taken in step order, depth 2, time 0
  ('e', '2024-01-01 00:00', 2), ('e', '2024-01-01 00:00', 1),
  -- f: a skipped step: 1 then 3, depth 1; NULL step, step 0 and NULL ts are not events
  ('f', '2024-01-01 00:00', 1), ('f', '2024-01-01 00:01', 3), ('f', '2024-01-01 00:02', NULL),
  ('f', '2024-01-01 00:03', 0), ('f', NULL, 2),
  -- g: no funnel event at all: depth 0, 0 steps
  ('g', '2024-01-01 00:00', 0),
  -- h: step 2 three hours after step 1: outside the 2 h window, depth 1
  ('h', '2024-01-01 00:00', 1), ('h', '2024-01-01 03:00', 2),
  -- i: duplicates change nothing: 1, 1, 2, 2 at the same two instants, depth 2, time 1 s
  ('i', '2024-01-01 00:00', 1), ('i', '2024-01-01 00:00', 1), ('i', '2024-01-01 00:00:01', 2),
  ('i', '2024-01-01 00:00:01', 2);
-- window 2 hours: a 3, b 1, c 2, d 3 (00:30 -> 00:35 -> 00:40), e 2, f 1, g 0, h 1, i 2
SELECT u, funnel_depth(f), funnel_step_count(f) AS steps, funnel_times(f), f
FROM (SELECT u, funnel(ts, step, '2 hours') f FROM hand GROUP BY u) q ORDER BY u;
-- d with a 30 minute window: depth 3, times {0, 5 min, 10 min}
SELECT funnel_times(funnel(ts, step, '30 minutes')) FROM hand WHERE u = 'd';
-- a with a window 1 s short of 2 h: 02:00 is 2 h after 00:00, so depth 2
SELECT funnel_depth(funnel(ts, step, '1 hour 59 minutes 59 seconds')) FROM hand WHERE u = 'a';
-- window 0: only events at one instant chain (e: depth 2, a: depth 1)
SELECT u, funnel_depth(funnel(ts, step, '0')) FROM hand WHERE u IN ('a', 'e') GROUP BY u ORDER BY u;
-- an explicit number of steps fixes N (f: 4 steps, depth 1; g: 4 steps, depth 0)
SELECT u, funnel(ts, step, '2 hours', 4) FROM hand WHERE u IN ('f', 'g') GROUP BY u ORDER BY u;
-- row order does not matter: the events are sorted inside the aggregate
SELECT u, (SELECT funnel(ts, step, '30 minutes' ORDER BY ts DESC, step DESC) FROM hand h2 WHERE h2.u = h.u)::text
        = (SELECT funnel(ts, step, '30 minutes' ORDER BY ts, step) FROM hand h2 WHERE h2.u = h.u)::text AS same
FROM (SELECT DISTINCT u FROM hand) h ORDER BY u;

-- Conditions form: element k true = step k; one row can be several steps.
--   r1 00:00 visit; r2 00:10 cart and checkout at once; r3 00:20 paid
--   -> 1 at 00:00, 2 and 3 at 00:10, 4 at 00:20: depth 4, times {0, 10 min, 10 min, 20 min}
SELECT f, funnel_times(f) FROM (
  SELECT funnel(ts, ARRAY[page = 'visit', page IN ('cart', 'cart+checkout'), page = 'cart+checkout', page = 'paid'], '1 hour') f
  FROM (VALUES ('2024-01-01 00:00'::timestamptz, 'visit'), ('2024-01-01 00:10', 'cart+checkout'),
               ('2024-01-01 00:20', 'paid'), ('2024-01-01 00:30', NULL)) v(ts, page)) q;
-- NULL elements are false; a NULL array is not an event
SELECT funnel(ts, c, '1 hour') FROM (VALUES ('2024-01-01 00:00'::timestamptz, ARRAY[true, NULL]),
                                            ('2024-01-01 00:01', ARRAY[NULL, true]),
                                            ('2024-01-01 00:02', NULL::boolean[])) v(ts, c);

-- Rollup of the nine users of `hand` (window 2 hours):
--   depths a 3, b 1, c 2, d 3, e 2, f 1, g 0, h 1, i 2
--   step 1: 8 users (all but g); step 2: a c d e i = 5; step 3: a d = 2
--   conversion from first: 100, 62.5, 25; from previous: 100, 62.5, 40
--   times 1 -> 2: a 1 h, c 10 min, d (00:30 -> 00:35) 5 min, e 0, i 1 s:
--     sorted 0, 1 s, 5 min, 10 min, 1 h: median 5 min (bucket midpoint, within 1/128),
--     mean (3600 + 600 + 300 + 0 + 1) / 5 = 900.2 s
--   times 2 -> 3: a 1 h, d 5 min: median 32.5 min, mean 1950 s
SELECT s.step, s.users, s.conversion_from_first, s.conversion_from_previous,
       s.median_time_from_previous, s.mean_time_from_previous,
       abs(extract(epoch FROM s.median_time_from_previous) - CASE s.step WHEN 2 THEN 300 WHEN 3 THEN 1950 END)
         <= CASE s.step WHEN 2 THEN 300 WHEN 3 THEN 1950 END / 128.0 + 1e-6 AS median_within_bound
FROM (SELECT rollup(f) r FROM (SELECT u, funnel(ts, step, '2 hours') f FROM hand GROUP BY u) q) q,
     funnel_steps(r) s ORDER BY s.step;
SELECT funnel_users(r), funnel_depth(r), funnel_step_count(r), funnel_conversion(r), r::jsonb
FROM (SELECT rollup(f) r FROM (SELECT u, funnel(ts, step, '2 hours') f FROM hand GROUP BY u) q) q;
-- rollup over no rows and over NULLs is NULL; states of fewer steps count 0 at the extra steps
SELECT rollup(f) IS NULL AS empty_null FROM (SELECT NULL::funnel_state f WHERE false) q;
SELECT rollup(f) FROM (VALUES (NULL::funnel_state), ('v1;steps=1;users=2;reached=1'),
                              ('v1;steps=2;users=1;reached=1,1;s2=1.000000;h2=999424:1')) v(f);

-- ---------------------------------------------------------------------------
-- Against plain SQL on a deterministic hash-generated table: 3000 users,
-- 1 to 14 events each over 3 days at 10-minute granularity (ties happen),
-- steps 0..4 (0: not a funnel event), window 12 hours.
-- ---------------------------------------------------------------------------
CREATE TABLE fun_ev AS
SELECT u, '2024-03-01'::timestamptz + (abs(hashint4(u * 100 + i)) % 432) * interval '10 minutes' AS ts,
       abs(hashint4(u * 100 + i + 7)) % 5 AS step, u % 7 AS g
FROM generate_series(1, 3000) u, LATERAL generate_series(1, 1 + abs(hashint4(u)) % 14) i;
ANALYZE fun_ev;
SELECT count(*) AS events, count(DISTINCT u) AS users FROM fun_ev;
-- The truth, one CTE per step: s<k> holds the step-k events that extend a
-- chain, with st = the latest start of a chain they extend (NULL: none).
CREATE TEMP TABLE fun_truth AS
WITH s1 AS (SELECT u, ts, ts AS st FROM fun_ev WHERE step = 1),
s2 AS (SELECT e.u, e.ts, p.st FROM fun_ev e CROSS JOIN LATERAL
         (SELECT max(st) st FROM s1 WHERE s1.u = e.u AND s1.ts <= e.ts) p
       WHERE e.step = 2 AND e.ts - p.st <= interval '12 hours'),
s3 AS (SELECT e.u, e.ts, p.st FROM fun_ev e CROSS JOIN LATERAL
         (SELECT max(st) st FROM s2 WHERE s2.u = e.u AND s2.ts <= e.ts) p
       WHERE e.step = 3 AND e.ts - p.st <= interval '12 hours'),
s4 AS (SELECT e.u, e.ts, p.st FROM fun_ev e CROSS JOIN LATERAL
         (SELECT max(st) st FROM s3 WHERE s3.u = e.u AND s3.ts <= e.ts) p
       WHERE e.step = 4 AND e.ts - p.st <= interval '12 hours'),
depth AS (SELECT users.u, coalesce(max(k), 0) AS depth
          FROM (SELECT DISTINCT u FROM fun_ev) users
          LEFT JOIN (SELECT u, 1 k FROM s1 UNION ALL SELECT u, 2 FROM s2
                     UNION ALL SELECT u, 3 FROM s3 UNION ALL SELECT u, 4 FROM s4) r ON r.u = users.u
          GROUP BY users.u)
-- times of the first chain to reach the depth: its last event is the first
-- step-D extension; each earlier one is the latest extension before the next
SELECT d.u, d.depth, t1, t2, t3, t4
FROM depth d
CROSS JOIN LATERAL (SELECT CASE WHEN d.depth = 4 THEN (SELECT min(ts) FROM s4 WHERE s4.u = d.u) END AS t4) a4
CROSS JOIN LATERAL (SELECT CASE WHEN d.depth = 3 THEN (SELECT min(ts) FROM s3 WHERE s3.u = d.u)
                                WHEN d.depth > 3 THEN (SELECT max(ts) FROM s3 WHERE s3.u = d.u AND s3.ts <= t4) END AS t3) a3
CROSS JOIN LATERAL (SELECT CASE WHEN d.depth = 2 THEN (SELECT min(ts) FROM s2 WHERE s2.u = d.u)
                                WHEN d.depth > 2 THEN (SELECT max(ts) FROM s2 WHERE s2.u = d.u AND s2.ts <= t3) END AS t2) a2
CROSS JOIN LATERAL (SELECT CASE WHEN d.depth = 1 THEN (SELECT min(ts) FROM s1 WHERE s1.u = d.u)
                                WHEN d.depth > 1 THEN (SELECT max(ts) FROM s1 WHERE s1.u = d.u AND s1.ts <= t2) END AS t1) a1;
CREATE TABLE fun_users AS SELECT u, funnel(ts, step, '12 hours', 4) AS f FROM fun_ev GROUP BY u;
-- every user: same depth and exactly the same times
SELECT count(*) AS users,
       count(*) FILTER (WHERE funnel_depth(f) = t.depth) AS same_depth,
       count(*) FILTER (WHERE funnel_times(f) IS NOT DISTINCT FROM
                              (ARRAY[t1 - t1, t2 - t1, t3 - t1, t4 - t1])[1:t.depth]
                              OR (t.depth = 0 AND funnel_times(f) = '{}')) AS same_times
FROM fun_users JOIN fun_truth t USING (u);
SELECT depth, count(*) FROM fun_truth GROUP BY depth ORDER BY depth;
-- across users: counts and conversions exact, means exact, medians within 1/128
CREATE TEMP TABLE fun_deltas AS
SELECT k, d FROM fun_truth, LATERAL (VALUES (2, t2 - t1), (3, t3 - t2), (4, t4 - t3)) v(k, d) WHERE d IS NOT NULL;
SELECT s.step, s.users = (SELECT count(*) FROM fun_truth WHERE depth >= s.step) AS users_ok,
       abs(s.conversion_from_first - 100.0::float8 * s.users / (SELECT count(*) FROM fun_truth WHERE depth >= 1)) < 1e-9 AS first_ok,
       abs(s.conversion_from_previous - 100.0::float8 * s.users / (SELECT count(*) FROM fun_truth WHERE depth >= greatest(s.step - 1, 1))) < 1e-9 AS prev_ok,
       abs(extract(epoch FROM s.mean_time_from_previous) - extract(epoch FROM m.mean)) < 1e-6 AS mean_exact,
       abs(extract(epoch FROM s.median_time_from_previous) - extract(epoch FROM m.median))
         <= extract(epoch FROM m.median) / 128 + 1e-6 AS median_within_1_128
FROM (SELECT rollup(f) r FROM fun_users) q CROSS JOIN LATERAL funnel_steps(r) s
LEFT JOIN (SELECT k, avg(d) AS mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS median
           FROM fun_deltas GROUP BY k) m ON m.k = s.step
ORDER BY s.step;
-- the conditions form gives the same states
SELECT count(*) AS users, count(*) FILTER (WHERE c.f::text = fun_users.f::text) AS same
FROM (SELECT u, funnel(ts, ARRAY[step = 1, step = 2, step = 3, step = 4], '12 hours') AS f FROM fun_ev GROUP BY u) c
JOIN fun_users USING (u);
-- rollup of partial rollups (two halves of the users) equals the rollup of all
SELECT (SELECT rollup(r) FROM (SELECT rollup(f) r FROM fun_users GROUP BY u % 2) h)::text
     = (SELECT rollup(f) FROM fun_users)::text AS rollup_of_rollups;

-- ---------------------------------------------------------------------------
-- Moving windows over states (inverse transition) equal the plain frames
-- ---------------------------------------------------------------------------
SELECT count(*) AS frames,
       count(*) FILTER (WHERE w = (SELECT rollup(f2.f)::text FROM fun_users f2 WHERE f2.u BETWEEN q.u - 9 AND q.u)) AS same
FROM (SELECT u, rollup(f) OVER (ORDER BY u ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)::text AS w
      FROM fun_users WHERE u <= 200) q;

-- ---------------------------------------------------------------------------
-- Parallel: partial aggregates (serialized, combined) equal the serial run
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.is_parallel(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; gather bool := false; partial bool := false;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    gather := gather OR line ~ 'Gather';
    partial := partial OR line ~ 'Partial (Hash|Group)?Aggregate';
  END LOOP;
  RETURN CASE WHEN gather AND partial THEN 'parallel partial aggregate' ELSE 'NOT PARALLEL' END;
END $$;
SELECT rollup(f)::text AS serial_rollup FROM fun_users \gset
SELECT funnel(ts, step, '12 hours')::text AS serial_one FROM fun_ev \gset
SELECT string_agg(f::text, ';' ORDER BY g) AS serial_groups
FROM (SELECT g, funnel(ts, step, '12 hours') f FROM fun_ev GROUP BY 1) s \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.is_parallel(q) AS plan, q FROM (VALUES
  ('SELECT rollup(f) FROM fun_users'),
  ('SELECT funnel(ts, step, ''12 hours'') FROM fun_ev'),
  ('SELECT g, funnel(ts, step, ''12 hours'') FROM fun_ev GROUP BY 1')
) v(q) ORDER BY q;
SELECT (SELECT rollup(f)::text FROM fun_users) = :'serial_rollup' AS rollup_parallel_equals_serial,
       (SELECT funnel(ts, step, '12 hours')::text FROM fun_ev) = :'serial_one' AS funnel_parallel_equals_serial,
       (SELECT string_agg(f::text, ';' ORDER BY g)
          FROM (SELECT g, funnel(ts, step, '12 hours') f FROM fun_ev GROUP BY 1) s) = :'serial_groups'
         AS groups_parallel_equal;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- ---------------------------------------------------------------------------
-- The one-call keyed form funnel(user_id, ts, ...): one aggregate over every
-- user's rows (no GROUP BY user) equals rollup() of the per-user states,
-- exactly (text forms compared), in each of its three variants
-- ---------------------------------------------------------------------------
SELECT (SELECT funnel(u, ts, step, '12 hours', 4) FROM fun_ev)::text
     = (SELECT rollup(f) FROM fun_users)::text AS keyed_steps_4_equal,
       (SELECT funnel(u, ts, step, '12 hours') FROM fun_ev)::text
     = (SELECT rollup(f) FROM (SELECT funnel(ts, step, '12 hours') f FROM fun_ev GROUP BY u) q)::text AS keyed_equal,
       (SELECT funnel(u, ts, step, '12 hours', 6) FROM fun_ev)::text
     = (SELECT rollup(f) FROM (SELECT funnel(ts, step, '12 hours', 6) f FROM fun_ev GROUP BY u) q)::text AS keyed_steps_6_equal,
       (SELECT funnel(u, ts, ARRAY[step = 1, step = 2, step = 3, step = 4], '12 hours') FROM fun_ev)::text
     = (SELECT rollup(f) FROM fun_users)::text AS keyed_conditions_equal,
       (SELECT funnel(u, ts, step, '0') FROM fun_ev)::text
     = (SELECT rollup(f) FROM (SELECT funnel(ts, step, '0') f FROM fun_ev GROUP BY u) q)::text AS keyed_window_0_equal;
-- funnel_steps of both, the same rows
SELECT (SELECT array_agg(s ORDER BY s.step) FROM funnel_steps((SELECT funnel(u, ts, step, '12 hours', 4) FROM fun_ev)) s)
     = (SELECT array_agg(s ORDER BY s.step) FROM funnel_steps((SELECT rollup(f) FROM fun_users)) s) AS keyed_funnel_steps_equal;
SELECT s.step, s.users, s.conversion_from_first, s.conversion_from_previous
FROM funnel_steps((SELECT funnel(u, ts, step, '12 hours', 4) FROM fun_ev)) s ORDER BY s.step;
-- per segment (GROUP BY segment, not user): each equals the rollup of its users
SELECT g, funnel(u, ts, step, '12 hours', 4)::text = (SELECT rollup(f)::text FROM fun_users fu WHERE fu.u % 7 = fun_ev.g) AS same
FROM fun_ev GROUP BY g ORDER BY g;
-- row order does not matter
SELECT funnel(u, ts, step, '12 hours' ORDER BY u, ts, step)::text
     = funnel(u, ts, step, '12 hours' ORDER BY ts DESC, step DESC, u DESC)::text
   AND funnel(u, ts, step, '12 hours' ORDER BY u, ts, step)::text
     = funnel(u, ts, step, '12 hours' ORDER BY hashint4(u * 1000 + step), ts)::text AS keyed_order_free
FROM fun_ev;
-- a growing window frame runs the final function again on the same state:
-- frame u = the rollup of users 1..u
SELECT count(*) AS frames,
       count(*) FILTER (WHERE w = (SELECT rollup(f)::text FROM fun_users f2 WHERE f2.u <= q.u)) AS same
FROM (SELECT DISTINCT u, funnel(u, ts, step, '12 hours', 4) OVER (ORDER BY u)::text AS w FROM fun_ev WHERE u <= 100) q;
-- users: a row with a user_id makes a user, with or without funnel events
-- (2: step 0 only; 3: NULL ts only); rows with a NULL user_id are ignored;
-- no user at all is NULL, like rollup() over no states
SELECT funnel(u, ts, s, '1 hour') FROM (VALUES
  (1, '2024-01-01 00:00'::timestamptz, 1), (1, '2024-01-01 00:10', 2), (2, '2024-01-01 00:00', 0),
  (3, NULL, 1), (NULL, '2024-01-01 00:00', 1), (NULL, '2024-01-01 00:00', 3)) v(u, ts, s);
SELECT funnel(u, ts, c, '1 hour') FROM (VALUES
  (10, '2024-01-01 00:00'::timestamptz, ARRAY[true, false]), (10, '2024-01-01 00:30', ARRAY[NULL, true]),
  (11, '2024-01-01 00:00', NULL::boolean[]), (NULL, '2024-01-01 00:00', ARRAY[true, true])) v(u, ts, c);
SELECT (SELECT funnel(u, ts, s, '1 hour') FROM (VALUES (1::bigint, now(), 1)) v(u, ts, s) WHERE false) IS NULL AS no_rows_null,
       (SELECT funnel(u, ts, s, '1 hour') FROM (VALUES (NULL::bigint, now(), 1)) v(u, ts, s)) IS NULL AS no_users_null;
-- ids are any bigint (hashed): negative, huge, and the same user on several rows
WITH v(u, ts, s) AS (VALUES (-9223372036854775808, '2024-01-01 00:00'::timestamptz, 1), (9223372036854775807, '2024-01-01 00:00', 1),
                             (9223372036854775807, '2024-01-01 00:20', 2), (-9223372036854775808, '2024-01-01 02:00', 2))
SELECT (SELECT funnel(u, ts, s, '1 hour') FROM v) AS keyed,
       (SELECT funnel(u, ts, s, '1 hour') FROM v)::text
     = (SELECT rollup(f) FROM (SELECT funnel(ts, s, '1 hour') f FROM v GROUP BY u) q)::text AS big_ids_equal;

-- Parallel: each worker's partial state (users and their events) is
-- serialized, deserialized and merged.  The rows are shuffled so that a
-- user's events are spread over the workers; the leader does not scan, so
-- every row goes through a worker.  Equal to the serial run.
CREATE TABLE fun_par AS SELECT * FROM fun_ev ORDER BY hashtext(u || ' ' || ts || ' ' || step);
ANALYZE fun_par;
CREATE FUNCTION pg_temp.workers_launched(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE plan jsonb; launched int;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || q INTO plan;
  SELECT max((n->>'Workers Launched')::int) INTO launched
    FROM jsonb_path_query(plan, '$.** ? (exists (@."Workers Launched"))') n;
  RETURN coalesce(launched, 0);
END $$;
SELECT funnel(u, ts, step, '12 hours')::text AS keyed_serial,
       funnel(u, ts, step, '12 hours', 4)::text AS keyed_serial_4,
       funnel(u, ts, ARRAY[step = 1, step = 2, step = 3], '12 hours')::text AS keyed_serial_c
FROM fun_par \gset
SELECT string_agg(f::text, ';' ORDER BY g) AS keyed_serial_groups
FROM (SELECT g, funnel(u, ts, step, '12 hours') f FROM fun_par GROUP BY 1) s \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT funnel(u, ts, step, '12 hours') FROM fun_par;
SELECT pg_temp.is_parallel(q) AS plan, pg_temp.workers_launched(q) > 0 AS workers_launched, q FROM (VALUES
  ('SELECT funnel(u, ts, step, ''12 hours'') FROM fun_par'),
  ('SELECT g, funnel(u, ts, step, ''12 hours'') FROM fun_par GROUP BY 1')
) v(q) ORDER BY q;
SELECT funnel(u, ts, step, '12 hours')::text = :'keyed_serial' AS keyed_parallel_equals_serial,
       funnel(u, ts, step, '12 hours')::text
     = (SELECT rollup(f) FROM (SELECT funnel(ts, step, '12 hours') f FROM fun_ev GROUP BY u) q)::text AS keyed_parallel_equals_rollup,
       funnel(u, ts, step, '12 hours', 4)::text = :'keyed_serial_4' AS keyed_4_parallel_equals_serial,
       funnel(u, ts, ARRAY[step = 1, step = 2, step = 3], '12 hours')::text = :'keyed_serial_c' AS keyed_c_parallel_equals_serial
FROM fun_par;
SELECT string_agg(f::text, ';' ORDER BY g) = :'keyed_serial_groups' AS keyed_groups_parallel_equal
FROM (SELECT g, funnel(u, ts, step, '12 hours') f FROM fun_par GROUP BY 1) s;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Errors of the keyed form, as the per-user form's; window, steps and the
-- condition count are the same on every row of every user
SELECT q, pg_temp.err(q) FROM (VALUES
  ($$SELECT funnel(1, now(), 33, '1 day')$$),
  ($$SELECT funnel(1, now(), -1, '1 day')$$),
  ($$SELECT funnel(1, now(), 5, '1 day', 4)$$),
  ($$SELECT funnel(1, now(), 1, '1 day', 0)$$),
  ($$SELECT funnel(1, now(), 1, '1 day', NULL)$$),
  ($$SELECT funnel(1, now(), 1, NULL)$$),
  ($$SELECT funnel(NULL::bigint, NULL::timestamptz, NULL::int, NULL)$$),
  ($$SELECT funnel(1, now(), 1, '1 month')$$),
  ($$SELECT funnel(1, now(), 1, '-1 hour')$$),
  ($$SELECT funnel(1, 'infinity', 1, '1 day')$$),
  ($$SELECT funnel(u, now(), 1, w) FROM (VALUES (1, '1 day'::interval), (2, '2 days')) v(u, w)$$),
  ($$SELECT funnel(u, now(), 1, w) FROM (VALUES (1, '1 day'::interval), (2, '24 hours')) v(u, w)$$),
  ($$SELECT funnel(u, now(), 1, '1 day', n) FROM (VALUES (1, 3), (2, 4)) v(u, n)$$),
  ($$SELECT funnel(1, now(), ARRAY[]::boolean[], '1 day')$$),
  ($$SELECT funnel(1, now(), ARRAY[[true], [false]], '1 day')$$),
  ($$SELECT funnel(1, now(), array_fill(true, ARRAY[33]), '1 day')$$),
  ($$SELECT funnel(u, now(), c, '1 day') FROM (VALUES (1, ARRAY[true]), (2, ARRAY[true, false])) v(u, c)$$),
  ($$SELECT funnel(NULL::bigint, now(), c, '1 day') FROM (VALUES (ARRAY[true]), (ARRAY[true, false])) v(c)$$)
) v(q);
-- the DETAIL says what must stay the same
SELECT funnel(u, now(), 1, w) FROM (VALUES (1, '1 day'::interval), (2, '2 days')) v(u, w);

-- ---------------------------------------------------------------------------
-- Text and binary round trips
-- ---------------------------------------------------------------------------
SELECT count(*) AS states, count(*) FILTER (WHERE f::text::funnel_state::text = f::text) AS text_round_trip
FROM fun_users;
CREATE TEMP TABLE fun_copy (f funnel_state);
CREATE TEMP TABLE fun_copy_back (f funnel_state);
INSERT INTO fun_copy SELECT f FROM fun_users UNION ALL SELECT rollup(f) FROM fun_users;
SELECT current_setting('data_directory') || '/engage_funnel_rt.bin' AS binfile \gset
SELECT format('cat %s; rm -f %s', :'binfile', :'binfile') AS readback \gset
COPY fun_copy TO :'binfile' (FORMAT binary);
COPY fun_copy_back FROM PROGRAM :'readback' (FORMAT binary);
SELECT (SELECT count(*) FROM fun_copy) AS copied,
       (SELECT string_agg(f::text, ';' ORDER BY f::text) FROM fun_copy)
     = (SELECT string_agg(f::text, ';' ORDER BY f::text) FROM fun_copy_back) AS binary_round_trip;
COPY fun_copy TO :'binfile';
TRUNCATE fun_copy_back;
COPY fun_copy_back FROM PROGRAM :'readback';
SELECT (SELECT string_agg(f::text, ';' ORDER BY f::text) FROM fun_copy)
     = (SELECT string_agg(f::text, ';' ORDER BY f::text) FROM fun_copy_back) AS text_copy_round_trip;
-- a valid binary state, built by hand: version 1, 2 steps, 1 user,
-- step 1 (reached 1, sum 0 s 0 us, 0 buckets), step 2 (reached 1, sum 1 s 0 us, 1 bucket),
-- bucket 954 = 0x3ba: 1 s = 1000000 us, e = floor(log2) = 19, 1000000 >> 13 = 122,
-- 128 + (19 - 7) * 64 + 122 - 64 = 954, lower bound 122 * 2^13 = 999424 us
SELECT pg_temp.bin_recv('\x0001'::bytea || '\x0002' || '\x0000000000000001'
       || '\x0000000000000001' || '\x0000000000000000' || '\x0000000000000000' || '\x00000000'
       || '\x0000000000000001' || '\x0000000000000001' || '\x0000000000000000' || '\x00000001'
       || '\x000003ba' || '\x0000000000000001') AS hand_binary;

-- ---------------------------------------------------------------------------
-- Errors, with SQLSTATE
-- ---------------------------------------------------------------------------
SELECT q, pg_temp.err(q) FROM (VALUES
  ($$SELECT funnel(now(), 33, '1 day')$$),
  ($$SELECT funnel(now(), -1, '1 day')$$),
  ($$SELECT funnel(now(), 5, '1 day', 4)$$),
  ($$SELECT funnel(now(), 1, '1 day', 0)$$),
  ($$SELECT funnel(now(), 1, '1 day', 33)$$),
  ($$SELECT funnel(now(), 1, '1 day', NULL)$$),
  ($$SELECT funnel(now(), 1, NULL)$$),
  ($$SELECT funnel(now(), 1, '1 month')$$),
  ($$SELECT funnel(now(), 1, '-1 hour')$$),
  ($$SELECT funnel('infinity', 1, '1 day')$$),
  ($$SELECT funnel(ts, 1, w) FROM (VALUES (now(), '1 day'::interval), (now(), '2 days')) v(ts, w)$$),
  ($$SELECT funnel(now(), ARRAY[]::boolean[], '1 day')$$),
  ($$SELECT funnel(now(), ARRAY[[true], [false]], '1 day')$$),
  ($$SELECT funnel(now(), array_fill(true, ARRAY[33]), '1 day')$$),
  ($$SELECT funnel(ts, c, '1 day') FROM (VALUES (now(), ARRAY[true]), (now(), ARRAY[true, false])) v(ts, c)$$),
  ($$SELECT funnel_times(rollup(f)) FROM fun_users$$),
  ($$SELECT 'v2;steps=0;users=0;reached='::funnel_state$$),
  ($$SELECT 'v1;steps=33;users=0;reached='::funnel_state$$),
  ($$SELECT 'v1;steps=2;users=1;reached=1,2;s2=0.000000;h2=0:2'::funnel_state$$),
  ($$SELECT 'v1;steps=2;users=1;reached=2,1;s2=0.000000;h2=0:1'::funnel_state$$),
  ($$SELECT 'v1;steps=2;users=1;reached=1,1;s2=0.000000;h2=0:2'::funnel_state$$),
  ($$SELECT 'v1;steps=2;users=1;reached=1,1;s2=5.000000;h2=0:1'::funnel_state$$),
  ($$SELECT 'v1;steps=2;users=1;reached=1,1;s2=0.000000;h2=129:1'::funnel_state$$),
  ($$SELECT 'v1;steps=2;users=2;reached=2,2;s2=0.000200;h2=100:1,100:1'::funnel_state$$),
  ($$SELECT 'v1;steps=2;users=1;reached=1,1;s2=0.0;h2=0:1'::funnel_state$$),
  ($$SELECT 'v1;steps=1;users=1;reached=1;junk'::funnel_state$$),
  ($$SELECT 'v1;steps=1;users=99999999999999999999;reached=1'::funnel_state$$)
) v(q);
-- the DETAIL says what is allowed
SELECT funnel(now(), 1, '1 month');
SELECT funnel(now(), 40, '1 day');
SELECT 'v1;steps=2;users=1;reached=1,1;s2=0.000000;h2=129:1'::funnel_state;
SELECT d, pg_temp.err(format('SELECT pg_temp.bin_recv(%L::bytea)', p)) FROM (VALUES
  ('bad version', '\x0002'::bytea),
  ('cut short', '\x0001'::bytea),
  ('too many steps', '\x0001'::bytea || '\x0021' || '\x0000000000000000'),
  ('trailing bytes', '\x0001'::bytea || '\x0000' || '\x0000000000000001' || '\x00'),
  ('reached > users', '\x0001'::bytea || '\x0001' || '\x0000000000000001'
       || '\x0000000000000002' || '\x0000000000000000' || '\x0000000000000000' || '\x00000000'),
  ('bucket out of range', '\x0001'::bytea || '\x0002' || '\x0000000000000001'
       || '\x0000000000000001' || '\x0000000000000000' || '\x0000000000000000' || '\x00000000'
       || '\x0000000000000001' || '\x0000000000000000' || '\x0000000000000000' || '\x00000001'
       || '\x7fffffff' || '\x0000000000000001')
) v(d, p);

DROP TABLE fun_ev, fun_users, fun_par;
