-- engage: customer-engagement metrics as native aggregates.
-- The install script is built by the Makefile from sql/install/*.sql in name
-- order, as sql/engage--<version>.sql (the version comes from engage.control).

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION engage" to load this file. \quit

