-- common.sql: helpers shared by the benchmark parts (included with \ir).

-- Execution time (ms) of q, from EXPLAIN ANALYZE without per-node timing.
CREATE FUNCTION pg_temp.exec_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) ' || q INTO plan;
  RETURN (plan->0->>'Execution Time')::float8;
END $$;
-- The result of q as one text value.
CREATE FUNCTION pg_temp.result(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE 'SELECT string_agg(x::text, '';'') FROM (' || q || ') x' INTO r;
  RETURN r;
END $$;
