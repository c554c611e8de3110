-- engage: customer-engagement metrics as native aggregates.
-- The install script is built by the Makefile from sql/install/*.sql in name
-- order, as sql/engage--<version>.sql (the version comes from engage.control).

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION engage" to load this file. \quit


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
                  HINT = 'Drop the other objects from schema "@extschema@", or drop the schema, first.';
    END IF;
END
$engage_schema_check$;

-- The schema is created by CREATE EXTENSION and owned by whoever ran it: let
-- every role use engage's types and functions, as in any other schema whose
-- functions are executable by PUBLIC.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;
