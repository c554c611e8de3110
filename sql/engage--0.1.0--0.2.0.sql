-- engage 0.1.0 -> 0.2.0
-- 0.2.0 changes no object of 0.1.0 and keeps every state format: stored
-- states of 0.1.0 read as they were. What is new is packaging (a fixed schema
-- for fresh installs, trusted installs) and the check below, which an update
-- runs too.

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION engage UPDATE TO '0.2.0'" to load this file. \quit

-- Refuse to install into a schema that already holds functions, types or
-- operators of someone else's: the script's names resolve in that schema, so a
-- planted look-alike could otherwise capture a reference. Every name below is
-- schema-qualified, so the check itself cannot be captured.
DO $engage_schema_check$
DECLARE
    ns pg_catalog.oid := pg_catalog.to_regnamespace('@extschema@');
    ext pg_catalog.oid := (SELECT e.oid FROM pg_catalog.pg_extension e
                           WHERE e.extname OPERATOR(pg_catalog.=) 'engage');
    foreign_objects pg_catalog.int8;
BEGIN
    SELECT pg_catalog.count(*) INTO foreign_objects
    FROM (SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass AS cls, p.oid
          FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) ns
          UNION ALL
          SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid
          FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) ns
          UNION ALL
          SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid
          FROM pg_catalog.pg_type t
          WHERE t.typnamespace OPERATOR(pg_catalog.=) ns
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type b
                            WHERE b.typarray OPERATOR(pg_catalog.=) t.oid)) AS o
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid OPERATOR(pg_catalog.=) o.cls
                        AND d.objid OPERATOR(pg_catalog.=) o.oid
                        AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                        AND d.refobjid OPERATOR(pg_catalog.=) ext
                        AND d.deptype OPERATOR(pg_catalog.=) 'e');
    IF foreign_objects OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'schema "@extschema@" already holds % object(s) that do not belong to engage',
                        foreign_objects
            USING ERRCODE = '42P06',
                  HINT = 'Install engage into a new schema, or drop the other objects first.';
    END IF;
END
$engage_schema_check$;

-- 0.1.0 left the implicit hash operator families without a comment.
COMMENT ON OPERATOR FAMILY @extschema@.nps_state_hash_ops USING hash IS 'the hash operator family of nps_state';
COMMENT ON OPERATOR FAMILY @extschema@.csat_state_hash_ops USING hash IS 'the hash operator family of csat_state';
COMMENT ON OPERATOR FAMILY @extschema@.ces_state_hash_ops USING hash IS 'the hash operator family of ces_state';
COMMENT ON OPERATOR FAMILY @extschema@.proportion_state_hash_ops USING hash IS 'the hash operator family of proportion_state';
COMMENT ON OPERATOR FAMILY @extschema@.session_state_hash_ops USING hash IS 'the hash operator family of session_state';
