-- Fuzz database for sqlsmith (test/hardening/sqlsmith.sh, test/integration/55_sqlsmith.sh).
-- Run as a superuser in an empty database. Creates:
--   * engage, and tables holding a column of every type engage's functions and
--     aggregates take (scores, events, ledgers, every state type, state texts);
--   * role `smith` (LOGIN, no superuser) that may only read those tables;
--   * schema smith_catalog with copies of pg_proc and pg_type shadowing the
--     catalog for sqlsmith's schema loader (it reads them unqualified): only
--     engage's routines and a few core ones are listed, so random queries
--     reach engage often. The role's search_path puts smith_catalog before
--     pg_catalog, and engage last as users do (for its operators); the
--     generated queries name functions and types schema-qualified;
--   * settings that give the raw rows parallel plans, so the aggregates'
--     combine, serialize and deserialize functions run too.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;

-- Raw rows: clean values first (states are built from these), odd ones added below.
CREATE TABLE public.events AS
SELECT i AS id,
       (i % 37)::bigint AS uid,
       (i * 7) % 11 AS score,
       ((i * 7) % 11)::float8 AS fscore,
       1 AS lo, 5 AS hi, 4 AS cut,
       1 + (i * 3) % 5 AS csat_score,
       1 + (i * 5) % 7 AS effort,
       (i % 3 = 0) AS flag,
       (i % 4 = 0) AS flag2,
       timestamptz '2024-01-01 00:00+00' + i * interval '37 minutes' AS ts,
       timestamptz '2024-01-01 00:00+00' + i * interval '37 minutes' + (i % 9) * interval '1 day' AS ts2,
       timestamptz '2024-03-01 00:00+00' AS obs_end,
       interval '30 minutes' AS gap,
       date '2024-01-01' + i / 200 AS day,
       (10 + (i * 13) % 90)::float8 AS amount,
       (100 + i % 50)::numeric AS mrr_start,
       (90 + (i * 3) % 70)::numeric AS mrr_end,
       (ARRAY['starting', 'new', 'expansion', 'contraction', 'churned'])[1 + i % 5] AS movement,
       (ARRAY['/home', '/pricing', '/signup', '/docs'])[1 + i % 4] AS page,
       ARRAY[i % 2 = 0, i % 3 = 0, i % 5 = 0] AS conds,
       1 + i % 4 AS step,
       (i % 13)::bigint AS n1, (20 + i % 7)::bigint AS n2,
       i % 13 AS i1, 20 + i % 7 AS i2,
       ((i * 7) % 9)::float8 AS freq,
       CASE WHEN (i * 7) % 9 = 0 THEN 0
            ELSE (20 + (i * 11) % 30) * ((i * 13) % 10) / 10.0 END::float8 AS rec,
       (20 + (i * 11) % 30)::float8 AS t_age,
       (i % 6 + 1)::float8 * 12.5 AS monetary,
       'seg' || i % 4 AS seg
FROM generate_series(1, 4000) AS i;

-- One row of states per segment and day, built by engage's own aggregates.
CREATE TABLE public.states AS
SELECT seg, day,
       engage.nps_agg(score) AS nps,
       engage.csat_agg(csat_score) AS csat,
       engage.ces_agg(effort) AS ces,
       engage.subscription_flow(ts, ts2, timestamptz '2024-01-03', timestamptz '2024-01-10',
                                interval '1 day') AS flow,
       engage.revenue_agg(mrr_start, mrr_end) AS revenue,
       engage.revenue_movements_agg(movement, mrr_start) AS ledger,
       engage.activity_agg(uid, day) AS activity,
       engage.sessionize(uid, ts) AS sessions,
       engage.funnel(uid, ts, step, interval '1 day') AS funnel,
       engage.funnel(uid, ts, conds, interval '1 day') AS funnel_conds,
       engage.resolution_agg(ts, ts2) AS resolution,
       engage.conversion_agg(flag) AS conversion,
       engage.ctr_agg(n1, n2) AS ctr,
       -- the published CDNOW fits (a fit on these synthetic rows may not exist)
       engage.bgnbd 'v1:r=0.2426,alpha=4.4135,a=0.7929,b=2.4258' AS bg,
       engage.gammagamma 'v1:p=6.2485,q=3.7446,v=15.4488' AS gg,
       engage.historical_clv(uid, amount, ts) AS clv,
       engage.rfm_summary(ts, amount, obs_end) AS rfm,
       engage.page_stats(ts, page) AS pages
FROM public.events GROUP BY seg, day;
INSERT INTO public.states (seg, day) VALUES (NULL, NULL), (NULL, date '2024-01-01');

-- Odd raw rows: out-of-range scores, NaN/infinity, inverted intervals,
-- unknown movements, empty and NULL arrays, NULLs everywhere (ids from 100001).
INSERT INTO public.events
SELECT 100000 + i, CASE WHEN i % 5 = 0 THEN NULL ELSE -i END,
       (ARRAY[-1, 11, 2147483647, NULL, 0])[1 + i % 5],
       (ARRAY['NaN', 'Infinity', '-Infinity', '10.5', '-0'])[1 + i % 5]::float8,
       (ARRAY[0, 5, -3, 10, NULL])[1 + i % 5], (ARRAY[10, 1, 0, 11, 5])[1 + i % 5],
       (ARRAY[11, 0, 3, NULL, 5])[1 + i % 5],
       (ARRAY[0, 6, -1, NULL, 5])[1 + i % 5], (ARRAY[0, 8, 100, NULL, 1])[1 + i % 5],
       NULL, i % 2 = 0,
       (ARRAY['infinity', '-infinity', '2024-01-01', '4713-01-01 BC', '294276-12-31'])[1 + i % 5]::timestamptz,
       (ARRAY['-infinity', 'infinity', '2023-12-31', NULL, '2024-01-01'])[1 + i % 5]::timestamptz,
       (ARRAY['infinity', '2000-01-01', NULL, '-infinity', '2024-01-01'])[1 + i % 5]::timestamptz,
       (ARRAY['-1 hour', '0', '178000000 years', NULL, '1 microsecond'])[1 + i % 5]::interval,
       (ARRAY['infinity', '-infinity', '2024-01-01', NULL, '5874897-12-31'])[1 + i % 5]::date,
       (ARRAY['NaN', '-5', '1e308', '0', 'Infinity'])[1 + i % 5]::float8,
       (ARRAY['NaN', '-1', '1e100', '0', NULL])[1 + i % 5]::numeric,
       (ARRAY['0', 'NaN', '-1e100', '1e-100', NULL])[1 + i % 5]::numeric,
       (ARRAY['churn', 'bogus', '', NULL, 'STARTING'])[1 + i % 5],
       (ARRAY['', NULL, repeat('x', 3000), '/home', E'\u00e9'])[1 + i % 5],
       (ARRAY[NULL, '{}', '{NULL}', '{t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t,t}',
              '{f}'])[1 + i % 5]::boolean[],
       (ARRAY[0, -1, 100, NULL, 2147483647])[1 + i % 5],
       (ARRAY[-1, 9223372036854775807, 5, NULL, 0])[1 + i % 5]::bigint,
       (ARRAY[0, 9223372036854775807, 3, -7, NULL])[1 + i % 5]::bigint,
       (ARRAY[-1, 2147483647, 5, NULL, 0])[1 + i % 5], (ARRAY[0, 2147483647, 3, -7, NULL])[1 + i % 5],
       (ARRAY['-1', 'NaN', '1e300', '0', NULL])[1 + i % 5]::float8,
       (ARRAY['5', '-1', 'Infinity', '0', NULL])[1 + i % 5]::float8,
       (ARRAY['1', '0', '-2', 'NaN', '1e-300'])[1 + i % 5]::float8,
       (ARRAY['0', '-5', 'NaN', 'Infinity', NULL])[1 + i % 5]::float8,
       NULL
FROM generate_series(1, 40) AS i;

-- State texts: every state's text form, plus mangled copies, for the
-- text input functions (sqlsmith reaches them as *_in(textout(text))).
CREATE TABLE public.state_texts (t text, typ regtype);
INSERT INTO public.state_texts
SELECT v.s, v.typ FROM public.states,
     LATERAL (VALUES (nps::text, 'engage.nps_state'::regtype), (csat::text, 'engage.csat_state'),
                     (ces::text, 'engage.ces_state'), (flow::text, 'engage.flow_state'),
                     (revenue::text, 'engage.revenue_state'), (ledger::text, 'engage.revenue_state'),
                     (activity::text, 'engage.activity_state'), (sessions::text, 'engage.session_state'),
                     (funnel::text, 'engage.funnel_state'), (funnel_conds::text, 'engage.funnel_state'),
                     (resolution::text, 'engage.resolution_state'),
                     (conversion::text, 'engage.proportion_state'), (ctr::text, 'engage.proportion_state'),
                     (bg::text, 'engage.bgnbd'), (gg::text, 'engage.gammagamma')) v(s, typ)
WHERE v.s IS NOT NULL;
INSERT INTO public.state_texts
SELECT m, typ FROM (SELECT t, typ FROM public.state_texts) s,
     LATERAL (VALUES (left(t, length(t) / 2)), (replace(t, '1', '99999999999999999999')),
                     (replace(t, ',', ',,')), (replace(t, '0', '-1')), (replace(t, 'v1', 'v9')),
                     (t || ' '), (replace(t, '[', '')), (replace(t, ':', '')),
                     (replace(t, '2', '')), (replace(t, '=', '==')), (replace(t, ';', ';;')),
                     (regexp_replace(t, '[0-9]+', '-1')), (regexp_replace(t, '[0-9]+$', '')),
                     (regexp_replace(t, '[0-9]+', '18446744073709551617', 'g'))) v(m);
INSERT INTO public.state_texts (t) VALUES (''), (NULL), ('v1'), ('v1:0..10:>=9:[]'),
    ('v1:0..10:>=9:[' || repeat('1,', 100000) || '1]'), ('v1:10..0:>=9:[1]'),
    ('v1:0..2147483647:>=9:[1]'), ('v1:-5..5:>=0:[1,1,1,1,1,1,1,1,1,1,1]'), (E'v1\\x00'),
    ('{"format":1}'), ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,9223372036854775807]');

-- The fuzzer's role: reads the tables, calls engage, nothing else.
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'smith') THEN
        CREATE ROLE smith LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END $$;
GRANT USAGE ON SCHEMA engage TO smith;
GRANT SELECT ON public.events, public.states, public.state_texts TO smith;

-- Catalog shadows for sqlsmith's loader (see the header): materialized views,
-- which information_schema.tables does not list, so queries never read them.
-- sqlsmith reads operators from pg_catalog.pg_operator (qualified) and can only
-- cast NULL to a pseudo-type operand, an error that stops the whole query; so
-- the polymorphic pseudo-types of operators are listed under the name of a
-- concrete type (their rows first: the real types' rows come later and win
-- sqlsmith's lookups by name), and routines taking or returning a pseudo-type
-- other than cstring are left out.
CREATE TYPE public.smith_level AS ENUM ('low', 'mid', 'high');
CREATE SCHEMA smith_catalog;
CREATE MATERIALIZED VIEW smith_catalog.pg_type AS
SELECT t.oid, coalesce(a.typname, t.typname) AS typname,
       coalesce(a.typnamespace, t.typnamespace) AS typnamespace, t.typdelim, t.typrelid,
       coalesce(a.typelem, t.typelem) AS typelem, t.typarray,
       CASE WHEN a.oid IS NULL THEN t.typtype ELSE 'b' END AS typtype, a.oid IS NOT NULL AS alias
FROM pg_catalog.pg_type t
LEFT JOIN (VALUES ('anyarray', '_float8'), ('anycompatiblearray', '_float8'),
                  ('anyelement', 'float8'), ('anynonarray', 'float8'), ('anycompatible', 'float8'),
                  ('anyrange', 'int4range'), ('anymultirange', 'int4multirange'),
                  ('anyenum', 'public.smith_level')) AS m(pseudo, real)
       ON t.typnamespace = 'pg_catalog'::regnamespace AND t.typname = m.pseudo
LEFT JOIN pg_catalog.pg_type a ON a.oid = m.real::regtype
UNION ALL   -- sqlsmith needs a type named anyarray: listed under an unused oid
SELECT oid '4000000000', typname, typnamespace, typdelim, typrelid, typelem, typarray, typtype, false
FROM pg_catalog.pg_type WHERE oid = 'anyarray'::regtype
ORDER BY alias DESC, oid;
CREATE MATERIALIZED VIEW smith_catalog.pg_proc AS
SELECT p.oid, p.proname, p.pronamespace, p.prorettype, p.proretset, p.prokind, p.proargtypes
FROM pg_catalog.pg_proc p
WHERE (p.pronamespace = 'engage'::regnamespace
       OR (p.pronamespace = 'pg_catalog'::regnamespace
           AND p.proname IN ('textout', 'abs', 'round', 'date_trunc', 'now', 'make_interval',
                             'justify_interval', 'int8', 'float8', 'numeric', 'length',
                             'to_timestamp', 'count', 'sum', 'min', 'max', 'avg')))
  AND NOT EXISTS (SELECT FROM unnest(p.proargtypes::oid[] || p.prorettype) AS a(t)
                  JOIN pg_catalog.pg_type y ON y.oid = a.t
                  WHERE y.typtype = 'p' AND y.typname <> 'cstring');
GRANT USAGE ON SCHEMA smith_catalog TO smith;
GRANT SELECT ON ALL TABLES IN SCHEMA smith_catalog TO smith;
SELECT format('ALTER ROLE smith IN DATABASE %I SET %s', current_database(), s)
FROM unnest(ARRAY['search_path = smith_catalog, pg_catalog, public, engage',
                  'parallel_setup_cost = 0', 'parallel_tuple_cost = 0']) AS s \gexec
-- Parallel plans on the raw rows only (catalog queries stay serial and fast).
ALTER TABLE public.events SET (parallel_workers = 2);
ANALYZE;
