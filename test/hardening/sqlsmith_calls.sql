-- Targeted random calls, the complement of sqlsmith's random queries (which
-- mostly end in a planner error or on zero rows before engage runs): every
-- engage function and aggregate is called with arguments drawn at random from
-- a pool of values of each argument type (table columns with clean and odd
-- rows, extreme literals, NULLs), over real rows, as role smith; aggregates
-- also as a moving window (inverse transitions) and grouped (parallel partial
-- aggregation). Run as a superuser after sqlsmith_db.sql, in the same database.
-- test/hardening/sqlsmith.sh then calls smith_catalog.fuzz_calls once per
-- routine, so a crash names the routine (and the server log the statement).
\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- The pools: (type, SQL expression). e.* are columns of public.events, s.* of
-- public.states (joined on segment and day). Materialized views, so sqlsmith
-- does not list them as tables.
CREATE MATERIALIZED VIEW smith_catalog.pool AS
SELECT t::regtype AS typ, x AS expr FROM (VALUES
  ('integer', 'e.score'), ('integer', 'e.lo'), ('integer', 'e.hi'), ('integer', 'e.cut'),
  ('integer', 'e.csat_score'), ('integer', 'e.effort'), ('integer', 'e.step'),
  ('integer', 'e.i1'), ('integer', 'e.i2'), ('integer', '0'), ('integer', '-1'),
  ('integer', '1'), ('integer', '5'), ('integer', '10'), ('integer', '11'),
  ('integer', '2147483647'), ('integer', '(-2147483648)'), ('integer', 'NULL::integer'),
  ('double precision', 'e.fscore'), ('double precision', 'e.amount'), ('double precision', 'e.freq'),
  ('double precision', 'e.rec'), ('double precision', 'e.t_age'), ('double precision', 'e.monetary'),
  ('double precision', '''NaN''::float8'), ('double precision', '''Infinity''::float8'),
  ('double precision', '''-Infinity''::float8'), ('double precision', '0::float8'),
  ('double precision', '0.5::float8'), ('double precision', '0.95::float8'),
  ('double precision', '1::float8'), ('double precision', '1e308::float8'),
  ('double precision', '1e-308::float8'), ('double precision', '(-1)::float8'),
  ('double precision', '2.5::float8'), ('double precision', 'NULL::float8'),
  ('bigint', 'e.uid'), ('bigint', 'e.n1'), ('bigint', 'e.n2'), ('bigint', '0::int8'),
  ('bigint', '(-1)::int8'), ('bigint', '1::int8'), ('bigint', '9223372036854775807::int8'),
  ('bigint', '(-9223372036854775808)::int8'), ('bigint', 'NULL::int8'),
  ('numeric', 'e.mrr_start'), ('numeric', 'e.mrr_end'), ('numeric', '''NaN''::numeric'),
  ('numeric', '0::numeric'), ('numeric', '(-1)::numeric'), ('numeric', '1e100::numeric'),
  ('numeric', '0.0001::numeric'), ('numeric', '99999999999999999999999::numeric'),
  ('numeric', 'NULL::numeric'),
  ('text', 'e.movement'), ('text', 'e.page'), ('text', 'e.seg'), ('text', '''wald'''),
  ('text', '''adjusted_wald'''), ('text', '''day'''), ('text', '''week'''), ('text', '''month'''),
  ('text', '''quarter'''), ('text', '''year'''), ('text', '''starting'''), ('text', '''churned'''),
  ('text', ''''''), ('text', '''bogus'''), ('text', 'repeat(''x'', 10000)'), ('text', 'NULL::text'),
  ('boolean', 'e.flag'), ('boolean', 'e.flag2'), ('boolean', 'true'), ('boolean', 'false'),
  ('boolean', 'NULL::boolean'),
  ('timestamp with time zone', 'e.ts'), ('timestamp with time zone', 'e.ts2'),
  ('timestamp with time zone', 'e.obs_end'), ('timestamp with time zone', '''infinity''::timestamptz'),
  ('timestamp with time zone', '''-infinity''::timestamptz'),
  ('timestamp with time zone', '''2024-01-01''::timestamptz'),
  ('timestamp with time zone', '''4713-01-01 BC''::timestamptz'),
  ('timestamp with time zone', '''294276-12-31''::timestamptz'),
  ('timestamp with time zone', 'NULL::timestamptz'),
  ('interval', 'e.gap'), ('interval', '''1 day''::interval'), ('interval', '''0''::interval'),
  ('interval', '''-1 day''::interval'), ('interval', '''1 microsecond''::interval'),
  ('interval', '''178000000 years''::interval'), ('interval', '''1 month''::interval'),
  ('interval', 'NULL::interval'),
  ('date', 'e.day'), ('date', '''infinity''::date'), ('date', '''-infinity''::date'),
  ('date', '''2024-01-01''::date'), ('date', '''2024-02-29''::date'),
  ('date', '''4713-01-01 BC''::date'), ('date', '''5874897-12-31''::date'), ('date', 'NULL::date'),
  ('boolean[]', 'e.conds'), ('boolean[]', '''{}''::bool[]'), ('boolean[]', '''{NULL}''::bool[]'),
  ('boolean[]', '''{t,f,t}''::bool[]'), ('boolean[]', 'array_fill(true, ARRAY[100])'),
  ('boolean[]', '''{{t,f},{f,t}}''::bool[]'), ('boolean[]', '''[3:5]={t,f,t}''::bool[]'),
  ('boolean[]', 'NULL::bool[]'),
  ('bigint[]', '''{}''::int8[]'), ('bigint[]', '''{NULL}''::int8[]'),
  ('bigint[]', 'array_fill(0::int8, ARRAY[6])'), ('bigint[]', 'array_fill(1::int8, ARRAY[8])'),
  ('bigint[]', 'array_fill((-1)::int8, ARRAY[8])'), ('bigint[]', 'array_fill(3::int8, ARRAY[12])'),
  ('bigint[]', 'array_fill(9223372036854775807::int8, ARRAY[8])'),
  ('bigint[]', '''{{1,2},{3,4}}''::int8[]'), ('bigint[]', '''[2:9]={1,2,3,4,5,6,7,8}''::int8[]'),
  ('bigint[]', '''{1,NULL,3,4,5,6,7,8}''::int8[]'), ('bigint[]', 'NULL::int8[]'),
  ('engage.nps_state', 's.nps'), ('engage.nps_state', 'NULL::engage.nps_state'),
  ('engage.csat_state', 's.csat'), ('engage.csat_state', 'NULL::engage.csat_state'),
  ('engage.ces_state', 's.ces'), ('engage.ces_state', 'NULL::engage.ces_state'),
  ('engage.flow_state', 's.flow'), ('engage.flow_state', 'NULL::engage.flow_state'),
  ('engage.revenue_state', 's.revenue'), ('engage.revenue_state', 's.ledger'),
  ('engage.revenue_state', 'NULL::engage.revenue_state'),
  ('engage.activity_state', 's.activity'), ('engage.activity_state', 'NULL::engage.activity_state'),
  ('engage.session_state', 's.sessions'), ('engage.session_state', 'NULL::engage.session_state'),
  ('engage.funnel_state', 's.funnel'), ('engage.funnel_state', 's.funnel_conds'),
  ('engage.funnel_state', 'NULL::engage.funnel_state'),
  ('engage.resolution_state', 's.resolution'), ('engage.resolution_state', 'NULL::engage.resolution_state'),
  ('engage.proportion_state', 's.conversion'), ('engage.proportion_state', 's.ctr'),
  ('engage.proportion_state', 'NULL::engage.proportion_state'),
  ('engage.bgnbd', 's.bg'), ('engage.bgnbd', 'NULL::engage.bgnbd'),
  ('engage.gammagamma', 's.gg'), ('engage.gammagamma', 'NULL::engage.gammagamma')
) AS v(t, x);

-- The routines under test: engage's, minus those taking or returning a
-- pseudo-type (internal, cstring: support functions not callable from SQL
-- with a value; text input is tested through casts below).
CREATE MATERIALIZED VIEW smith_catalog.targets AS
SELECT p.oid::regprocedure AS fn FROM pg_catalog.pg_proc p
WHERE p.pronamespace = 'engage'::regnamespace AND p.prokind IN ('f', 'a')
  AND NOT EXISTS (SELECT FROM unnest(p.proargtypes::oid[] || p.prorettype) AS a(t)
                  JOIN pg_catalog.pg_type y ON y.oid = a.t
                  WHERE y.typtype = 'p' AND y.typname <> 'record')
ORDER BY p.oid;

-- Call routine FN CALLS times with random arguments (seeded by SEED) over
-- NROWS random rows; return how many calls ended with each SQLSTATE
-- ('00000': no error). Aggregates run grouped and as a moving window.
CREATE FUNCTION smith_catalog.fuzz_calls(fn regprocedure, calls integer, nrows integer, seed float8)
RETURNS TABLE (state text, n bigint) LANGUAGE plpgsql AS $$
DECLARE
    p pg_catalog.pg_proc;
    qname text;
    args text;
    src text;
    rel text;
    k integer;
    forms text[];
    f text;
    tally text[] := '{}';
BEGIN
    SELECT * INTO p FROM pg_catalog.pg_proc WHERE oid = fn;
    qname := format('%I.%I', p.pronamespace::regnamespace, p.proname);
    PERFORM setseed(sin(seed));   -- any seed to [-1, 1]
    FOR k IN 1 .. calls LOOP
        SELECT string_agg(format('(%s)::%s', coalesce((SELECT expr FROM smith_catalog.pool
                                                       WHERE typ = a.t ORDER BY random() LIMIT 1),
                                                      'NULL'), a.t::regtype), ', ' ORDER BY a.i)
          INTO args
          FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i);
        args := coalesce(args, '');
        -- Even calls read clean rows only; odd ones the odd rows first.
        rel := CASE WHEN k % 2 = 0 THEN '(SELECT * FROM public.events WHERE id < 100000)'
                     ELSE 'public.events' END;
        src := format('(SELECT * FROM %s e0 ORDER BY e0.id >= 100000 DESC, random() LIMIT %s) e '
                      'LEFT JOIN public.states s USING (seg, day)', rel, nrows);
        IF p.prokind = 'a' THEN
            forms := ARRAY[
                format('SELECT count(*) FILTER (WHERE r IS NOT NULL) FROM (SELECT %s(%s) AS r '
                       'FROM %s e LEFT JOIN public.states s USING (seg, day) '
                       'GROUP BY e.seg) q', qname, args, rel),
                format('SELECT count(*) FILTER (WHERE r IS NOT NULL) FROM (SELECT %s(%s) '
                       'OVER (ORDER BY e.id ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS r FROM %s) q',
                       qname, args, src)];
        ELSIF p.proretset THEN
            forms := ARRAY[format('SELECT count(*) FROM %s, LATERAL %s(%s) AS r',
                                  src, qname, args)];
        ELSE
            forms := ARRAY[format('SELECT count(*) FILTER (WHERE (%s(%s)) IS NOT NULL) FROM %s',
                                  qname, args, src)];
        END IF;
        FOREACH f IN ARRAY forms LOOP
            BEGIN
                EXECUTE f;
                tally := tally || '00000'::text;
            EXCEPTION WHEN OTHERS THEN
                tally := tally || SQLSTATE::text;
            END;
        END LOOP;
    END LOOP;
    RETURN QUERY SELECT t, count(*) FROM unnest(tally) AS t GROUP BY t ORDER BY t;
END $$;

-- Cast SAMPLE random state texts (clean, mangled, huge) to type TYP and the
-- result to jsonb; one subtransaction per text. Same tally as above.
CREATE FUNCTION smith_catalog.fuzz_input(typ regtype, sample integer, seed float8)
RETURNS TABLE (state text, n bigint) LANGUAGE plpgsql AS $$
DECLARE
    txt text;
    tally text[] := '{}';
BEGIN
    PERFORM setseed(sin(seed));   -- any seed to [-1, 1]
    -- Mostly texts made from this type's states (clean and mangled), some others.
    FOR txt IN SELECT t FROM public.state_texts
               ORDER BY random() * CASE WHEN state_texts.typ = fuzz_input.typ THEN 1 ELSE 8 END
               LIMIT sample LOOP
        BEGIN
            EXECUTE format('SELECT $1::%s::jsonb', typ) USING txt;
            tally := tally || '00000'::text;
        EXCEPTION WHEN OTHERS THEN
            tally := tally || SQLSTATE::text;
        END;
    END LOOP;
    RETURN QUERY SELECT t, count(*) FROM unnest(tally) AS t GROUP BY t ORDER BY t;
END $$;

GRANT SELECT ON smith_catalog.pool, smith_catalog.targets TO smith;
GRANT EXECUTE ON FUNCTION smith_catalog.fuzz_calls(regprocedure, integer, integer, float8),
                          smith_catalog.fuzz_input(regtype, integer, float8) TO smith;
