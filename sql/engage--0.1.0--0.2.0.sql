-- engage 0.1.0 -> 0.2.0
-- 0.2.0 changes no object of 0.1.0 and keeps every state format: stored
-- states of 0.1.0 read as they were. What is new is packaging (a fixed schema
-- for fresh installs, trusted installs, and a fresh install's refusal of a
-- schema that already holds someone else's functions, types or operators)
-- and the comments below.
--
-- The update runs no such check: 0.1.0 had no fixed schema, and an install of
-- it usually sits in public next to the user's own functions; refusing those
-- would leave them no way to update. The extension stays in the schema it was
-- installed in. So every name this script (and any later update script)
-- references is qualified with @extschema@ or pg_catalog: that schema may
-- hold look-alikes.

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION engage UPDATE TO '0.2.0'" to load this file. \quit

-- 0.1.0 left the implicit hash operator families without a comment.
COMMENT ON OPERATOR FAMILY @extschema@.nps_state_hash_ops USING hash IS 'the hash operator family of nps_state';
COMMENT ON OPERATOR FAMILY @extschema@.csat_state_hash_ops USING hash IS 'the hash operator family of csat_state';
COMMENT ON OPERATOR FAMILY @extschema@.ces_state_hash_ops USING hash IS 'the hash operator family of ces_state';
COMMENT ON OPERATOR FAMILY @extschema@.proportion_state_hash_ops USING hash IS 'the hash operator family of proportion_state';
COMMENT ON OPERATOR FAMILY @extschema@.session_state_hash_ops USING hash IS 'the hash operator family of session_state';

-- A fresh install grants USAGE on the schema engage that CREATE EXTENSION
-- made to PUBLIC. Do the same for a 0.1.0 install in schema engage, and leave
-- the privileges of any other schema (a 0.1.0 install in public) as they are.
DO $engage_schema_usage$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
               JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
               WHERE e.extname OPERATOR(pg_catalog.=) 'engage'
                 AND n.nspname OPERATOR(pg_catalog.=) 'engage') THEN
        GRANT USAGE ON SCHEMA engage TO PUBLIC;
    END IF;
END
$engage_schema_usage$;
