SET search_path = public, engage;
-- 05_parallel: partial aggregation in parallel workers gives exactly the
-- serial result, including workers that see no rows at all.

-- True when the plan of q has a Gather and a partial aggregate under it.
CREATE FUNCTION pg_temp.is_parallel(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; gather bool := false; partial bool := false;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    gather := gather OR line ~ 'Gather';
    partial := partial OR line ~ 'Partial (Hash|Group)?Aggregate';
  END LOOP;
  RETURN CASE WHEN gather AND partial THEN 'parallel partial aggregate' ELSE 'NOT PARALLEL' END;
END $$;

-- Run q under EXPLAIN ANALYZE: how many workers really ran, and whether one
-- of them scanned no rows at all.
CREATE FUNCTION pg_temp.ran_parallel(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE plan jsonb; launched int; zero_worker bool;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || q INTO plan;
  SELECT max((n->>'Workers Launched')::int) INTO launched
    FROM jsonb_path_query(plan, '$.** ? (exists (@."Workers Launched"))') n;
  SELECT bool_or((w->>'Actual Rows')::int = 0) INTO zero_worker
    FROM jsonb_path_query(plan, '$.** ? (@."Node Type" == "Seq Scan")') s,
         jsonb_array_elements(s->'Workers') w;
  RETURN format('workers launched: %s, a worker scanned no rows: %s', launched, coalesce(zero_worker, false));
END $$;

-- A regular table (parallel scans skip temporary ones): 200k rows, 13 segments.
CREATE TABLE engage_par AS
  SELECT g AS id, g % 13 AS seg,
         CASE WHEN g % 41 = 0 THEN NULL ELSE abs(hashint4(g)) % 11 END AS nps_s,
         CASE WHEN g % 43 = 0 THEN NULL ELSE 1 + abs(hashint4(g + 1000000)) % 5 END AS csat_s,
         CASE WHEN g % 47 = 0 THEN NULL ELSE 1 + abs(hashint4(g + 2000000)) % 7 END AS ces_s,
         1 + abs(hashint4(g + 3000000)) % 5 AS ces5_s
  FROM generate_series(1, 200000) g;
ANALYZE engage_par;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

EXPLAIN (COSTS OFF) SELECT nps(nps_s), csat(csat_s), ces(ces_s) FROM engage_par;
-- The workers really run (not just planned).
SELECT split_part(pg_temp.ran_parallel('SELECT nps(nps_s), csat(csat_s), ces(ces_s) FROM engage_par'), ',', 1) AS ran;
SELECT pg_temp.is_parallel(q) AS plan, q
FROM (VALUES
  ('SELECT nps(nps_s), csat(csat_s), ces(ces_s) FROM engage_par'),
  ('SELECT nps(nps_s::float8), csat(csat_s, 1, 5, 3), csat(csat_s > 3), ces(ces5_s, 5) FROM engage_par'),
  ('SELECT seg, nps_agg(nps_s), csat_agg(csat_s), ces_agg(ces_s) FROM engage_par GROUP BY seg'),
  ('SELECT seg, csat_agg(csat_s::float8, 1, 5), ces_agg(ces5_s::float8, 5) FROM engage_par GROUP BY seg')
) v(q) ORDER BY q;

-- Results under parallel plans, saved as text ...
SELECT nps(nps_s)::text AS p_nps, csat(csat_s)::text AS p_csat, ces(ces_s)::text AS p_ces,
       nps_agg(nps_s)::text AS p_nps_st, csat_agg(csat_s, 1, 5, 3)::text AS p_csat_st,
       csat_agg(csat_s > 3)::text AS p_csat_b, ces_agg(ces5_s, 5)::text AS p_ces5_st
FROM engage_par \gset
SELECT string_agg(format('%s|%s|%s|%s|%s', seg, n, c, e, e5), ';' ORDER BY seg) AS p_grouped
FROM (SELECT seg, nps_agg(nps_s) n, csat_agg(csat_s) c, ces_agg(ces_s) e, ces_agg(ces5_s::float8, 5) e5
      FROM engage_par GROUP BY seg) q \gset
-- A filter that keeps rows of the first page only: the other pages' workers
-- match nothing.
SELECT nps(nps_s)::text AS p_filtered FROM engage_par WHERE id <= 50 \gset

-- Stored daily states in a regular table, rolled up in parallel.
CREATE TABLE engage_par_states AS
  SELECT id % 5000 AS day, nps_agg(nps_s) AS n, csat_agg(csat_s) AS c, ces_agg(ces_s) AS e
  FROM engage_par GROUP BY id % 5000;
INSERT INTO engage_par_states VALUES (-1, NULL, NULL, NULL);
ANALYZE engage_par_states;
EXPLAIN (COSTS OFF) SELECT rollup(n), rollup(c), rollup(e) FROM engage_par_states;
SELECT rollup(n)::text AS p_rn, rollup(c)::text AS p_rc, rollup(e)::text AS p_re FROM engage_par_states \gset

-- Serial.
SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.is_parallel('SELECT nps(nps_s) FROM engage_par') AS serial_plan;
SELECT nps(nps_s)::text = :'p_nps' AS nps, csat(csat_s)::text = :'p_csat' AS csat,
       ces(ces_s)::text = :'p_ces' AS ces,
       nps_agg(nps_s)::text = :'p_nps_st' AS nps_st, csat_agg(csat_s, 1, 5, 3)::text = :'p_csat_st' AS csat_st,
       csat_agg(csat_s > 3)::text = :'p_csat_b' AS csat_b, ces_agg(ces5_s, 5)::text = :'p_ces5_st' AS ces5_st
FROM engage_par;
SELECT string_agg(format('%s|%s|%s|%s|%s', seg, n, c, e, e5), ';' ORDER BY seg) = :'p_grouped' AS grouped
FROM (SELECT seg, nps_agg(nps_s) n, csat_agg(csat_s) c, ces_agg(ces_s) e, ces_agg(ces5_s::float8, 5) e5
      FROM engage_par GROUP BY seg) q;
SELECT nps(nps_s)::text = :'p_filtered' AS filtered FROM engage_par WHERE id <= 50;
SELECT rollup(n)::text = :'p_rn' AS rn, rollup(c)::text = :'p_rc' AS rc, rollup(e)::text = :'p_re' AS re
FROM engage_par_states;
-- The rolled-up states also equal the direct states of all rows.
SELECT rollup(n)::text = (SELECT nps_agg(nps_s)::text FROM engage_par) AS n_exact,
       rollup(c)::text = (SELECT csat_agg(csat_s)::text FROM engage_par) AS c_exact,
       rollup(e)::text = (SELECT ces_agg(ces_s)::text FROM engage_par) AS e_exact
FROM engage_par_states;
-- Independent truth for the whole table.
SELECT abs(nps(nps_s) - 100.0 * (count(*) FILTER (WHERE nps_s >= 9) - count(*) FILTER (WHERE nps_s <= 6))
                        / count(nps_s)) < 1e-9 AS nps_truth,
       abs(csat(csat_s) - 100.0 * count(*) FILTER (WHERE csat_s >= 4) / count(csat_s)) < 1e-9 AS csat_truth,
       abs(ces(ces_s) - avg(ces_s)) < 1e-9 AS ces_truth
FROM engage_par;

-- A worker that sees no rows: one row, two workers, the leader not scanning.
-- The planner would not split one row, so its statistics say a million rows
-- on the table's one page; the page really holds one row: one worker gets
-- it, the other sees nothing and hands over no state.
CREATE TABLE engage_par_one (s int, b bool) WITH (parallel_workers = 2, autovacuum_enabled = false);
INSERT INTO engage_par_one VALUES (9, true);
ANALYZE engage_par_one;
UPDATE pg_class SET reltuples = 1000000 WHERE oid = 'engage_par_one'::regclass;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT nps(s), nps_agg(s), csat(b), ces_agg(s - 3) FROM engage_par_one;
-- Both workers run; the one without the only page scans no rows.
SELECT pg_temp.ran_parallel('SELECT nps(s), nps_agg(s), csat(b), ces_agg(s - 3) FROM engage_par_one') AS ran;
-- 9 alone: NPS 100; b true: CSAT 100; 9 - 3 = 6: CES 6.
SELECT nps(s), nps_agg(s), csat(b), csat_agg(s, 0, 10), ces(s - 3), ces_agg(s - 3) FROM engage_par_one;
SELECT nps(s) IS NULL AS none, nps_agg(s) IS NULL AS none_st, csat_agg(b) IS NULL AS none_c
FROM engage_par_one WHERE s > 100;
SELECT pg_temp.is_parallel('SELECT nps(nps_s) FROM engage_par WHERE id <= 50') AS filtered_plan;
SELECT nps(nps_s)::text = :'p_filtered' AS filtered, nps_agg(nps_s)::text AS state_first_50
FROM engage_par WHERE id <= 50;
-- The first 50 rows in plain SQL, for the line above.
SELECT 'v1:0..10:>=9:[' || string_agg((SELECT count(*) FROM engage_par WHERE id <= 50 AND nps_s = k)::text,
                                      ',' ORDER BY k) || ']' AS truth_first_50
FROM generate_series(0, 10) k;
-- Workers whose rows all have NULL scores hand over an empty state.
SELECT pg_temp.is_parallel('SELECT nps(CASE WHEN id <= 50 THEN nps_s END) FROM engage_par') AS nulls_plan;
SELECT nps(CASE WHEN id <= 50 THEN nps_s END)::text = :'p_filtered' AS nulls_elsewhere,
       nps_agg(CASE WHEN id <= 50 THEN nps_s END)::text AS state_nulls_elsewhere,
       nps_agg(CASE WHEN id < 0 THEN nps_s END) IS NULL AS all_null
FROM engage_par;
SELECT rollup(n)::text = :'p_rn' AS rn FROM engage_par_states;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
SELECT nps(s), nps_agg(s), csat(b), csat_agg(s, 0, 10), ces(s - 3), ces_agg(s - 3) FROM engage_par_one;

RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
DROP TABLE engage_par, engage_par_states, engage_par_one;
