SET search_path = public, engage;
-- 99_docs: every user-facing function and aggregate of the extension, and
-- every type, is named in README.md or docs/ref/*.md (read client-side).
-- Support functions (aggregate transition/combine/final/serial functions,
-- type I/O, casts, operators and operator classes) are part of the objects
-- they serve and are left out.
\set docs `cat "$PG_ABS_SRCDIR"/README.md "$PG_ABS_SRCDIR"/docs/ref/*.md`
CREATE TEMP VIEW ext_proc AS
SELECT p.oid, p.proname
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'engage';
CREATE TEMP VIEW support_proc AS
SELECT unnest(ARRAY[aggtransfn, aggfinalfn, aggcombinefn, aggserialfn, aggdeserialfn,
                    aggmtransfn, aggminvtransfn, aggmfinalfn])::oid AS oid FROM pg_aggregate
UNION SELECT unnest(ARRAY[typinput, typoutput, typreceive, typsend])::oid FROM pg_type
UNION SELECT castfunc FROM pg_cast
UNION SELECT oprcode FROM pg_operator
UNION SELECT amproc FROM pg_amproc;
SELECT count(*) > 100 AS many_functions_checked,
       count(*) FILTER (WHERE oid IN (SELECT oid FROM support_proc)) > 50 AS support_left_out
  FROM ext_proc;
SELECT DISTINCT proname AS undocumented_function
  FROM ext_proc
 WHERE oid NOT IN (SELECT oid FROM support_proc WHERE oid IS NOT NULL)
   AND :'docs' !~ ('(^|[^a-z0-9_])' || proname || '([^a-z0-9_]|$)')
 ORDER BY 1;
SELECT t.typname AS undocumented_type
  FROM pg_type t
  JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'engage'
 WHERE :'docs' !~ ('(^|[^a-z0-9_])' || t.typname || '([^a-z0-9_]|$)')
 ORDER BY 1;
