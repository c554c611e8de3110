-- engage: customer-engagement metrics as native aggregates.
-- The install script is built by the Makefile from sql/install/*.sql in name
-- order, as sql/engage--<version>.sql (the version comes from engage.control).

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION engage" to load this file. \quit

-----------------------------------------------------------------------------
-- nps_state: the storable state of Net Promoter Score (scores 0-10).
-- Text form v1:LO..HI:>=CUT:[count,...], one count per score on the scale.
-----------------------------------------------------------------------------
CREATE TYPE nps_state;

CREATE FUNCTION nps_state_in(cstring) RETURNS nps_state
    AS 'MODULE_PATHNAME', 'engage_nps_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_state_in(cstring) IS 'text input of nps_state';

CREATE FUNCTION nps_state_out(nps_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_hist_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_state_out(nps_state) IS 'text output of nps_state';

CREATE FUNCTION nps_state_recv(internal) RETURNS nps_state
    AS 'MODULE_PATHNAME', 'engage_nps_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_state_recv(internal) IS 'binary input of nps_state, validated like the text input';

CREATE FUNCTION nps_state_send(nps_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_hist_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_state_send(nps_state) IS 'binary output of nps_state';

CREATE TYPE nps_state (
    INPUT = nps_state_in,
    OUTPUT = nps_state_out,
    RECEIVE = nps_state_recv,
    SEND = nps_state_send,
    INTERNALLENGTH = 112,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE nps_state IS 'NPS state: a versioned histogram of scores that rolls up exactly';

CREATE FUNCTION nps_combine(nps_state, nps_state) RETURNS nps_state
    AS 'MODULE_PATHNAME', 'engage_nps_merge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_combine(nps_state, nps_state) IS 'adds two nps_state values (combine and rollup transition)';

CREATE FUNCTION nps_combine_inv(nps_state, nps_state) RETURNS nps_state
    AS 'MODULE_PATHNAME', 'engage_nps_unmerge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_combine_inv(nps_state, nps_state) IS 'removes a nps_state from a running rollup (moving windows)';

CREATE FUNCTION nps_state_final(nps_state) RETURNS nps_state
    AS 'MODULE_PATHNAME', 'engage_hist_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_state_final(nps_state) IS 'final function of the nps_state-building aggregates: NULL when empty';

CREATE FUNCTION nps_final(nps_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_nps_of_state'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_final(nps_state) IS 'final function of nps(): the metric, NULL when empty';

CREATE FUNCTION nps_state_to_jsonb(nps_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_nps_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_state_to_jsonb(nps_state) IS 'nps_state as jsonb: version, scale, counts and the metric';

CREATE CAST (nps_state AS jsonb) WITH FUNCTION nps_state_to_jsonb(nps_state);
COMMENT ON CAST (nps_state AS jsonb) IS 'nps_state as a jsonb object';

CREATE FUNCTION responses(nps_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_hist_responses'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION responses(nps_state) IS 'number of responses in the state';

CREATE FUNCTION mean_score(nps_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_hist_mean'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mean_score(nps_state) IS 'mean score of the responses, NULL when empty';

CREATE FUNCTION score_stddev(nps_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_hist_stddev'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION score_stddev(nps_state) IS 'sample standard deviation of the scores, NULL below two responses';

CREATE FUNCTION score_counts(nps_state) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'engage_hist_counts'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION score_counts(nps_state) IS 'responses per score, element 1 being the lowest score of the scale';

CREATE FUNCTION scale_min(nps_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_hist_scale_min'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scale_min(nps_state) IS 'lowest score of the state''s scale';

CREATE FUNCTION scale_max(nps_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_hist_scale_max'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scale_max(nps_state) IS 'highest score of the state''s scale';

CREATE FUNCTION nps(nps_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_nps_of_state'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps(nps_state) IS 'NPS of a state: 100 * (promoters - detractors) / responses';

CREATE AGGREGATE rollup(nps_state) (
    SFUNC = nps_combine,
    STYPE = nps_state,
    FINALFUNC = nps_state_final,
    COMBINEFUNC = nps_combine,
    MSFUNC = nps_combine,
    MINVFUNC = nps_combine_inv,
    MSTYPE = nps_state,
    MFINALFUNC = nps_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(nps_state) IS 'adds nps_state values exactly (days to months, segments to totals, shards to the whole)';

CREATE FUNCTION nps_accum(nps_state, integer) RETURNS nps_state
    AS 'MODULE_PATHNAME', 'engage_nps_accum_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION nps_accum(nps_state, integer) IS 'NPS transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION nps_accum_inv(nps_state, integer) RETURNS nps_state
    AS 'MODULE_PATHNAME', 'engage_nps_accum_inv_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION nps_accum_inv(nps_state, integer) IS 'NPS inverse transition: removes one score (moving windows)';

CREATE AGGREGATE nps(integer) (
    SFUNC = nps_accum,
    STYPE = nps_state,
    FINALFUNC = nps_final,
    COMBINEFUNC = nps_combine,
    MSFUNC = nps_accum,
    MINVFUNC = nps_accum_inv,
    MSTYPE = nps_state,
    MFINALFUNC = nps_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps(integer) IS 'NPS (-100..100) of scores 0-10; NULL for no rows';

CREATE AGGREGATE nps_agg(integer) (
    SFUNC = nps_accum,
    STYPE = nps_state,
    FINALFUNC = nps_state_final,
    COMBINEFUNC = nps_combine,
    MSFUNC = nps_accum,
    MINVFUNC = nps_accum_inv,
    MSTYPE = nps_state,
    MFINALFUNC = nps_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps_agg(integer) IS 'builds a nps_state for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION nps_accum(nps_state, double precision) RETURNS nps_state
    AS 'MODULE_PATHNAME', 'engage_nps_accum_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION nps_accum(nps_state, double precision) IS 'NPS transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION nps_accum_inv(nps_state, double precision) RETURNS nps_state
    AS 'MODULE_PATHNAME', 'engage_nps_accum_inv_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION nps_accum_inv(nps_state, double precision) IS 'NPS inverse transition: removes one score (moving windows)';

CREATE AGGREGATE nps(double precision) (
    SFUNC = nps_accum,
    STYPE = nps_state,
    FINALFUNC = nps_final,
    COMBINEFUNC = nps_combine,
    MSFUNC = nps_accum,
    MINVFUNC = nps_accum_inv,
    MSTYPE = nps_state,
    MFINALFUNC = nps_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps(double precision) IS 'NPS (-100..100) of scores 0-10; NULL for no rows';

CREATE AGGREGATE nps_agg(double precision) (
    SFUNC = nps_accum,
    STYPE = nps_state,
    FINALFUNC = nps_state_final,
    COMBINEFUNC = nps_combine,
    MSFUNC = nps_accum,
    MINVFUNC = nps_accum_inv,
    MSTYPE = nps_state,
    MFINALFUNC = nps_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps_agg(double precision) IS 'builds a nps_state for rollup() and the accessors; NULL for no rows';

-----------------------------------------------------------------------------
-- csat_state: the storable state of Customer Satisfaction (top boxes).
-- Text form v1:LO..HI:>=CUT:[count,...], one count per score on the scale.
-----------------------------------------------------------------------------
CREATE TYPE csat_state;

CREATE FUNCTION csat_state_in(cstring) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_state_in(cstring) IS 'text input of csat_state';

CREATE FUNCTION csat_state_out(csat_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_hist_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_state_out(csat_state) IS 'text output of csat_state';

CREATE FUNCTION csat_state_recv(internal) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_state_recv(internal) IS 'binary input of csat_state, validated like the text input';

CREATE FUNCTION csat_state_send(csat_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_hist_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_state_send(csat_state) IS 'binary output of csat_state';

CREATE TYPE csat_state (
    INPUT = csat_state_in,
    OUTPUT = csat_state_out,
    RECEIVE = csat_state_recv,
    SEND = csat_state_send,
    INTERNALLENGTH = 112,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE csat_state IS 'CSAT state: a versioned histogram of scores that rolls up exactly';

CREATE FUNCTION csat_combine(csat_state, csat_state) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_merge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_combine(csat_state, csat_state) IS 'adds two csat_state values (combine and rollup transition)';

CREATE FUNCTION csat_combine_inv(csat_state, csat_state) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_unmerge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_combine_inv(csat_state, csat_state) IS 'removes a csat_state from a running rollup (moving windows)';

CREATE FUNCTION csat_state_final(csat_state) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_hist_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_state_final(csat_state) IS 'final function of the csat_state-building aggregates: NULL when empty';

CREATE FUNCTION csat_final(csat_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_csat_of_state'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_final(csat_state) IS 'final function of csat(): the metric, NULL when empty';

CREATE FUNCTION csat_state_to_jsonb(csat_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_csat_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_state_to_jsonb(csat_state) IS 'csat_state as jsonb: version, scale, counts and the metric';

CREATE CAST (csat_state AS jsonb) WITH FUNCTION csat_state_to_jsonb(csat_state);
COMMENT ON CAST (csat_state AS jsonb) IS 'csat_state as a jsonb object';

CREATE FUNCTION responses(csat_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_hist_responses'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION responses(csat_state) IS 'number of responses in the state';

CREATE FUNCTION mean_score(csat_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_hist_mean'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mean_score(csat_state) IS 'mean score of the responses, NULL when empty';

CREATE FUNCTION score_stddev(csat_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_hist_stddev'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION score_stddev(csat_state) IS 'sample standard deviation of the scores, NULL below two responses';

CREATE FUNCTION score_counts(csat_state) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'engage_hist_counts'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION score_counts(csat_state) IS 'responses per score, element 1 being the lowest score of the scale';

CREATE FUNCTION scale_min(csat_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_hist_scale_min'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scale_min(csat_state) IS 'lowest score of the state''s scale';

CREATE FUNCTION scale_max(csat_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_hist_scale_max'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scale_max(csat_state) IS 'highest score of the state''s scale';

CREATE FUNCTION csat(csat_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_csat_of_state'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat(csat_state) IS 'CSAT of a state: percent of responses satisfied';

CREATE AGGREGATE rollup(csat_state) (
    SFUNC = csat_combine,
    STYPE = csat_state,
    FINALFUNC = csat_state_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_combine,
    MINVFUNC = csat_combine_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(csat_state) IS 'adds csat_state values exactly (days to months, segments to totals, shards to the whole)';

CREATE FUNCTION csat_accum(csat_state, integer) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum(csat_state, integer) IS 'CSAT transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION csat_accum_inv(csat_state, integer) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_inv_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum_inv(csat_state, integer) IS 'CSAT inverse transition: removes one score (moving windows)';

CREATE AGGREGATE csat(integer) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat(integer) IS 'CSAT, percent satisfied; NULL for no rows';

CREATE AGGREGATE csat_agg(integer) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_state_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat_agg(integer) IS 'builds a csat_state for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION csat_accum(csat_state, double precision) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum(csat_state, double precision) IS 'CSAT transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION csat_accum_inv(csat_state, double precision) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_inv_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum_inv(csat_state, double precision) IS 'CSAT inverse transition: removes one score (moving windows)';

CREATE AGGREGATE csat(double precision) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat(double precision) IS 'CSAT, percent satisfied; NULL for no rows';

CREATE AGGREGATE csat_agg(double precision) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_state_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat_agg(double precision) IS 'builds a csat_state for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION csat_accum(csat_state, boolean) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_bool'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum(csat_state, boolean) IS 'CSAT transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION csat_accum_inv(csat_state, boolean) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_inv_bool'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum_inv(csat_state, boolean) IS 'CSAT inverse transition: removes one score (moving windows)';

CREATE AGGREGATE csat(boolean) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat(boolean) IS 'CSAT, percent satisfied; NULL for no rows';

CREATE AGGREGATE csat_agg(boolean) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_state_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat_agg(boolean) IS 'builds a csat_state for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION csat_accum(csat_state, integer, integer, integer) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_scale_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum(csat_state, integer, integer, integer) IS 'CSAT transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION csat_accum_inv(csat_state, integer, integer, integer) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_inv_scale_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum_inv(csat_state, integer, integer, integer) IS 'CSAT inverse transition: removes one score (moving windows)';

CREATE AGGREGATE csat(integer, integer, integer) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat(integer, integer, integer) IS 'CSAT, percent satisfied; NULL for no rows';

CREATE AGGREGATE csat_agg(integer, integer, integer) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_state_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat_agg(integer, integer, integer) IS 'builds a csat_state for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION csat_accum(csat_state, double precision, integer, integer) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_scale_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum(csat_state, double precision, integer, integer) IS 'CSAT transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION csat_accum_inv(csat_state, double precision, integer, integer) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_inv_scale_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum_inv(csat_state, double precision, integer, integer) IS 'CSAT inverse transition: removes one score (moving windows)';

CREATE AGGREGATE csat(double precision, integer, integer) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat(double precision, integer, integer) IS 'CSAT, percent satisfied; NULL for no rows';

CREATE AGGREGATE csat_agg(double precision, integer, integer) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_state_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat_agg(double precision, integer, integer) IS 'builds a csat_state for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION csat_accum(csat_state, integer, integer, integer, integer) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_cut_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum(csat_state, integer, integer, integer, integer) IS 'CSAT transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION csat_accum_inv(csat_state, integer, integer, integer, integer) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_inv_cut_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum_inv(csat_state, integer, integer, integer, integer) IS 'CSAT inverse transition: removes one score (moving windows)';

CREATE AGGREGATE csat(integer, integer, integer, integer) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat(integer, integer, integer, integer) IS 'CSAT, percent satisfied; NULL for no rows';

CREATE AGGREGATE csat_agg(integer, integer, integer, integer) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_state_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat_agg(integer, integer, integer, integer) IS 'builds a csat_state for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION csat_accum(csat_state, double precision, integer, integer, integer) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_cut_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum(csat_state, double precision, integer, integer, integer) IS 'CSAT transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION csat_accum_inv(csat_state, double precision, integer, integer, integer) RETURNS csat_state
    AS 'MODULE_PATHNAME', 'engage_csat_accum_inv_cut_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION csat_accum_inv(csat_state, double precision, integer, integer, integer) IS 'CSAT inverse transition: removes one score (moving windows)';

CREATE AGGREGATE csat(double precision, integer, integer, integer) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat(double precision, integer, integer, integer) IS 'CSAT, percent satisfied; NULL for no rows';

CREATE AGGREGATE csat_agg(double precision, integer, integer, integer) (
    SFUNC = csat_accum,
    STYPE = csat_state,
    FINALFUNC = csat_state_final,
    COMBINEFUNC = csat_combine,
    MSFUNC = csat_accum,
    MINVFUNC = csat_accum_inv,
    MSTYPE = csat_state,
    MFINALFUNC = csat_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE csat_agg(double precision, integer, integer, integer) IS 'builds a csat_state for rollup() and the accessors; NULL for no rows';

-----------------------------------------------------------------------------
-- ces_state: the storable state of Customer Effort Score (mean effort).
-- Text form v1:LO..HI:>=CUT:[count,...], one count per score on the scale.
-----------------------------------------------------------------------------
CREATE TYPE ces_state;

CREATE FUNCTION ces_state_in(cstring) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_state_in(cstring) IS 'text input of ces_state';

CREATE FUNCTION ces_state_out(ces_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_hist_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_state_out(ces_state) IS 'text output of ces_state';

CREATE FUNCTION ces_state_recv(internal) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_state_recv(internal) IS 'binary input of ces_state, validated like the text input';

CREATE FUNCTION ces_state_send(ces_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_hist_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_state_send(ces_state) IS 'binary output of ces_state';

CREATE TYPE ces_state (
    INPUT = ces_state_in,
    OUTPUT = ces_state_out,
    RECEIVE = ces_state_recv,
    SEND = ces_state_send,
    INTERNALLENGTH = 112,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE ces_state IS 'CES state: a versioned histogram of scores that rolls up exactly';

CREATE FUNCTION ces_combine(ces_state, ces_state) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_merge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_combine(ces_state, ces_state) IS 'adds two ces_state values (combine and rollup transition)';

CREATE FUNCTION ces_combine_inv(ces_state, ces_state) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_unmerge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_combine_inv(ces_state, ces_state) IS 'removes a ces_state from a running rollup (moving windows)';

CREATE FUNCTION ces_state_final(ces_state) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_hist_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_state_final(ces_state) IS 'final function of the ces_state-building aggregates: NULL when empty';

CREATE FUNCTION ces_final(ces_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_ces_of_state'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_final(ces_state) IS 'final function of ces(): the metric, NULL when empty';

CREATE FUNCTION ces_state_to_jsonb(ces_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_ces_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_state_to_jsonb(ces_state) IS 'ces_state as jsonb: version, scale, counts and the metric';

CREATE CAST (ces_state AS jsonb) WITH FUNCTION ces_state_to_jsonb(ces_state);
COMMENT ON CAST (ces_state AS jsonb) IS 'ces_state as a jsonb object';

CREATE FUNCTION responses(ces_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_hist_responses'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION responses(ces_state) IS 'number of responses in the state';

CREATE FUNCTION mean_score(ces_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_hist_mean'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mean_score(ces_state) IS 'mean score of the responses, NULL when empty';

CREATE FUNCTION score_stddev(ces_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_hist_stddev'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION score_stddev(ces_state) IS 'sample standard deviation of the scores, NULL below two responses';

CREATE FUNCTION score_counts(ces_state) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'engage_hist_counts'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION score_counts(ces_state) IS 'responses per score, element 1 being the lowest score of the scale';

CREATE FUNCTION scale_min(ces_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_hist_scale_min'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scale_min(ces_state) IS 'lowest score of the state''s scale';

CREATE FUNCTION scale_max(ces_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_hist_scale_max'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION scale_max(ces_state) IS 'highest score of the state''s scale';

CREATE FUNCTION ces(ces_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_ces_of_state'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces(ces_state) IS 'CES of a state: mean effort score';

CREATE AGGREGATE rollup(ces_state) (
    SFUNC = ces_combine,
    STYPE = ces_state,
    FINALFUNC = ces_state_final,
    COMBINEFUNC = ces_combine,
    MSFUNC = ces_combine,
    MINVFUNC = ces_combine_inv,
    MSTYPE = ces_state,
    MFINALFUNC = ces_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(ces_state) IS 'adds ces_state values exactly (days to months, segments to totals, shards to the whole)';

CREATE FUNCTION ces_accum(ces_state, integer) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_accum_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ces_accum(ces_state, integer) IS 'CES transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION ces_accum_inv(ces_state, integer) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_accum_inv_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ces_accum_inv(ces_state, integer) IS 'CES inverse transition: removes one score (moving windows)';

CREATE AGGREGATE ces(integer) (
    SFUNC = ces_accum,
    STYPE = ces_state,
    FINALFUNC = ces_final,
    COMBINEFUNC = ces_combine,
    MSFUNC = ces_accum,
    MINVFUNC = ces_accum_inv,
    MSTYPE = ces_state,
    MFINALFUNC = ces_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ces(integer) IS 'CES, mean effort score; NULL for no rows';

CREATE AGGREGATE ces_agg(integer) (
    SFUNC = ces_accum,
    STYPE = ces_state,
    FINALFUNC = ces_state_final,
    COMBINEFUNC = ces_combine,
    MSFUNC = ces_accum,
    MINVFUNC = ces_accum_inv,
    MSTYPE = ces_state,
    MFINALFUNC = ces_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ces_agg(integer) IS 'builds a ces_state for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION ces_accum(ces_state, double precision) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_accum_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ces_accum(ces_state, double precision) IS 'CES transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION ces_accum_inv(ces_state, double precision) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_accum_inv_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ces_accum_inv(ces_state, double precision) IS 'CES inverse transition: removes one score (moving windows)';

CREATE AGGREGATE ces(double precision) (
    SFUNC = ces_accum,
    STYPE = ces_state,
    FINALFUNC = ces_final,
    COMBINEFUNC = ces_combine,
    MSFUNC = ces_accum,
    MINVFUNC = ces_accum_inv,
    MSTYPE = ces_state,
    MFINALFUNC = ces_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ces(double precision) IS 'CES, mean effort score; NULL for no rows';

CREATE AGGREGATE ces_agg(double precision) (
    SFUNC = ces_accum,
    STYPE = ces_state,
    FINALFUNC = ces_state_final,
    COMBINEFUNC = ces_combine,
    MSFUNC = ces_accum,
    MINVFUNC = ces_accum_inv,
    MSTYPE = ces_state,
    MFINALFUNC = ces_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ces_agg(double precision) IS 'builds a ces_state for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION ces_accum(ces_state, integer, integer) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_accum_scale_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ces_accum(ces_state, integer, integer) IS 'CES transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION ces_accum_inv(ces_state, integer, integer) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_accum_inv_scale_int4'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ces_accum_inv(ces_state, integer, integer) IS 'CES inverse transition: removes one score (moving windows)';

CREATE AGGREGATE ces(integer, integer) (
    SFUNC = ces_accum,
    STYPE = ces_state,
    FINALFUNC = ces_final,
    COMBINEFUNC = ces_combine,
    MSFUNC = ces_accum,
    MINVFUNC = ces_accum_inv,
    MSTYPE = ces_state,
    MFINALFUNC = ces_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ces(integer, integer) IS 'CES, mean effort score; NULL for no rows';

CREATE AGGREGATE ces_agg(integer, integer) (
    SFUNC = ces_accum,
    STYPE = ces_state,
    FINALFUNC = ces_state_final,
    COMBINEFUNC = ces_combine,
    MSFUNC = ces_accum,
    MINVFUNC = ces_accum_inv,
    MSTYPE = ces_state,
    MFINALFUNC = ces_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ces_agg(integer, integer) IS 'builds a ces_state for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION ces_accum(ces_state, double precision, integer) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_accum_scale_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ces_accum(ces_state, double precision, integer) IS 'CES transition: adds one score (NULL scores are ignored)';

CREATE FUNCTION ces_accum_inv(ces_state, double precision, integer) RETURNS ces_state
    AS 'MODULE_PATHNAME', 'engage_ces_accum_inv_scale_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ces_accum_inv(ces_state, double precision, integer) IS 'CES inverse transition: removes one score (moving windows)';

CREATE AGGREGATE ces(double precision, integer) (
    SFUNC = ces_accum,
    STYPE = ces_state,
    FINALFUNC = ces_final,
    COMBINEFUNC = ces_combine,
    MSFUNC = ces_accum,
    MINVFUNC = ces_accum_inv,
    MSTYPE = ces_state,
    MFINALFUNC = ces_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ces(double precision, integer) IS 'CES, mean effort score; NULL for no rows';

CREATE AGGREGATE ces_agg(double precision, integer) (
    SFUNC = ces_accum,
    STYPE = ces_state,
    FINALFUNC = ces_state_final,
    COMBINEFUNC = ces_combine,
    MSFUNC = ces_accum,
    MINVFUNC = ces_accum_inv,
    MSTYPE = ces_state,
    MFINALFUNC = ces_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ces_agg(double precision, integer) IS 'builds a ces_state for rollup() and the accessors; NULL for no rows';
-----------------------------------------------------------------------------
-- NPS accessors, margins of error and the test between two states
-----------------------------------------------------------------------------
CREATE FUNCTION promoters(nps_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_nps_promoters'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION promoters(nps_state) IS 'responses scoring 9 or 10';

CREATE FUNCTION passives(nps_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_nps_passives'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION passives(nps_state) IS 'responses scoring 7 or 8';

CREATE FUNCTION detractors(nps_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_nps_detractors'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION detractors(nps_state) IS 'responses scoring 0 to 6';

CREATE FUNCTION nps_moe(state nps_state, confidence double precision DEFAULT 0.95,
                        method text DEFAULT 'wald') RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_nps_moe'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_moe(nps_state, double precision, text) IS
    'margin of error of the NPS in points at a confidence level; method wald or adjusted_wald';

CREATE FUNCTION nps_lower(state nps_state, confidence double precision DEFAULT 0.95,
                          method text DEFAULT 'wald') RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_nps_lower'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_lower(nps_state, double precision, text) IS
    'lower end of the NPS confidence interval (wald or adjusted_wald), at least -100';

CREATE FUNCTION nps_upper(state nps_state, confidence double precision DEFAULT 0.95,
                          method text DEFAULT 'wald') RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_nps_upper'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_upper(nps_state, double precision, text) IS
    'upper end of the NPS confidence interval (wald or adjusted_wald), at most 100';

CREATE FUNCTION nps_z(a nps_state, b nps_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_nps_z'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_z(nps_state, nps_state) IS
    'z statistic of NPS(a) - NPS(b) with the two standard errors combined';

CREATE FUNCTION nps_test(a nps_state, b nps_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_nps_test'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_test(nps_state, nps_state) IS
    'two-sided p-value that the NPS of a and b differ';

-----------------------------------------------------------------------------
-- CSAT accessors, Wilson interval and the two-proportion test
-----------------------------------------------------------------------------
CREATE FUNCTION satisfied(csat_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_hist_good'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION satisfied(csat_state) IS 'responses at or above the satisfied-from score';

CREATE FUNCTION csat_lower(state csat_state, confidence double precision DEFAULT 0.95)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_csat_lower'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_lower(csat_state, double precision) IS
    'lower end of the Wilson score interval for CSAT, in percent';

CREATE FUNCTION csat_upper(state csat_state, confidence double precision DEFAULT 0.95)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_csat_upper'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_upper(csat_state, double precision) IS
    'upper end of the Wilson score interval for CSAT, in percent';

CREATE FUNCTION csat_z(a csat_state, b csat_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_csat_z'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_z(csat_state, csat_state) IS
    'pooled two-proportion z statistic of CSAT(a) - CSAT(b)';

CREATE FUNCTION csat_test(a csat_state, b csat_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_csat_test'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_test(csat_state, csat_state) IS
    'two-sided p-value of the two-proportion z test that the CSAT of a and b differ';

-----------------------------------------------------------------------------
-- CES accessors, t interval for the mean and Welch's test
-----------------------------------------------------------------------------
CREATE FUNCTION ces_easy(ces_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_ces_easy'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_easy(ces_state) IS
    'percent of responses on the easy side (5-7 on 1..7, 1-2 on the reversed 1..5 scale)';

CREATE FUNCTION ces_lower(state ces_state, confidence double precision DEFAULT 0.95)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_ces_lower'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_lower(ces_state, double precision) IS
    'lower end of the Student t confidence interval for the mean CES';

CREATE FUNCTION ces_upper(state ces_state, confidence double precision DEFAULT 0.95)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_ces_upper'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_upper(ces_state, double precision) IS
    'upper end of the Student t confidence interval for the mean CES';

CREATE FUNCTION ces_test(a ces_state, b ces_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_ces_test'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_test(ces_state, ces_state) IS
    'two-sided p-value of Welch''s t test that the mean CES of a and b differ';

-----------------------------------------------------------------------------
-- Equality and hashing of states (DISTINCT, UNION, GROUP BY, hash joins)
-----------------------------------------------------------------------------
CREATE FUNCTION nps_state_eq(nps_state, nps_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_hist_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_state_eq(nps_state, nps_state) IS 'true when two nps_state values have the same scale and counts';

CREATE FUNCTION nps_state_ne(nps_state, nps_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_hist_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_state_ne(nps_state, nps_state) IS 'true when two nps_state values differ in scale or counts';

CREATE FUNCTION nps_state_hash(nps_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_hist_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps_state_hash(nps_state) IS 'hash of a nps_state, consistent with =';

CREATE OPERATOR = (
    LEFTARG = nps_state, RIGHTARG = nps_state, FUNCTION = nps_state_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);
COMMENT ON OPERATOR = (nps_state, nps_state) IS 'same scale and counts';

CREATE OPERATOR <> (
    LEFTARG = nps_state, RIGHTARG = nps_state, FUNCTION = nps_state_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR <> (nps_state, nps_state) IS 'different scale or counts';

CREATE OPERATOR CLASS nps_state_hash_ops DEFAULT FOR TYPE nps_state USING hash AS
    OPERATOR 1 = (nps_state, nps_state),
    FUNCTION 1 nps_state_hash(nps_state);
COMMENT ON OPERATOR CLASS nps_state_hash_ops USING hash IS 'hashing of nps_state for DISTINCT, UNION and hash joins';

CREATE FUNCTION csat_state_eq(csat_state, csat_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_hist_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_state_eq(csat_state, csat_state) IS 'true when two csat_state values have the same scale and counts';

CREATE FUNCTION csat_state_ne(csat_state, csat_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_hist_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_state_ne(csat_state, csat_state) IS 'true when two csat_state values differ in scale or counts';

CREATE FUNCTION csat_state_hash(csat_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_hist_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION csat_state_hash(csat_state) IS 'hash of a csat_state, consistent with =';

CREATE OPERATOR = (
    LEFTARG = csat_state, RIGHTARG = csat_state, FUNCTION = csat_state_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);
COMMENT ON OPERATOR = (csat_state, csat_state) IS 'same scale and counts';

CREATE OPERATOR <> (
    LEFTARG = csat_state, RIGHTARG = csat_state, FUNCTION = csat_state_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR <> (csat_state, csat_state) IS 'different scale or counts';

CREATE OPERATOR CLASS csat_state_hash_ops DEFAULT FOR TYPE csat_state USING hash AS
    OPERATOR 1 = (csat_state, csat_state),
    FUNCTION 1 csat_state_hash(csat_state);
COMMENT ON OPERATOR CLASS csat_state_hash_ops USING hash IS 'hashing of csat_state for DISTINCT, UNION and hash joins';

CREATE FUNCTION ces_state_eq(ces_state, ces_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_hist_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_state_eq(ces_state, ces_state) IS 'true when two ces_state values have the same scale and counts';

CREATE FUNCTION ces_state_ne(ces_state, ces_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_hist_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_state_ne(ces_state, ces_state) IS 'true when two ces_state values differ in scale or counts';

CREATE FUNCTION ces_state_hash(ces_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_hist_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ces_state_hash(ces_state) IS 'hash of a ces_state, consistent with =';

CREATE OPERATOR = (
    LEFTARG = ces_state, RIGHTARG = ces_state, FUNCTION = ces_state_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);
COMMENT ON OPERATOR = (ces_state, ces_state) IS 'same scale and counts';

CREATE OPERATOR <> (
    LEFTARG = ces_state, RIGHTARG = ces_state, FUNCTION = ces_state_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR <> (ces_state, ces_state) IS 'different scale or counts';

CREATE OPERATOR CLASS ces_state_hash_ops DEFAULT FOR TYPE ces_state USING hash AS
    OPERATOR 1 = (ces_state, ces_state),
    FUNCTION 1 ces_state_hash(ces_state);
COMMENT ON OPERATOR CLASS ces_state_hash_ops USING hash IS 'hashing of ces_state for DISTINCT, UNION and hash joins';

-----------------------------------------------------------------------------
-- Customer flow: churn and retention
--
-- From counts: churn_rate(start, lost) = 100 lost / start;
-- retention_rate(start, end, new) = 100 (end - new) / start.
--
-- From a subscription table, a subscription being active on
-- [started_at, ended_at) (ended_at NULL = still active), for the period
-- [period_start, period_end):
--   S  = at start: started_at < period_start AND (ended_at IS NULL OR ended_at >= period_start)
--   N  = new:      period_start <= started_at < period_end
--   L  = lost:     in S and period_start <= ended_at < period_end
--   NL = new lost: in N and ended_at < period_end
--   E  = at end:   started_at < period_end AND (ended_at IS NULL OR ended_at >= period_end)
--                  (E = S - L + N - NL)
-- churn_rate = 100 L / S; retention_rate = 100 (E - N) / S (classic);
-- retention_rate_excluding_new = 100 (S - L) / S (customers who join inside
-- the period are left out of both sides, ChartMogul style).
-- The state is bigint[] {period_start, period_end, S, N, L, NL} (period bounds
-- as timestamptz microseconds).
-----------------------------------------------------------------------------
CREATE FUNCTION churn_rate(customers_start bigint, customers_lost bigint) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_churn_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churn_rate(bigint, bigint) IS
    'customer churn in percent: 100 * customers_lost / customers_start; NULL when customers_start is 0';

CREATE FUNCTION retention_rate(customers_start bigint, customers_end bigint, customers_new bigint)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_retention_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_rate(bigint, bigint, bigint) IS
    'customer retention in percent: 100 * (customers_end - customers_new) / customers_start; NULL when customers_start is 0';

CREATE FUNCTION flow_accum(bigint[], timestamptz, timestamptz, timestamptz, timestamptz) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'engage_flow_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION flow_accum(bigint[], timestamptz, timestamptz, timestamptz, timestamptz) IS
    'churn/retention transition: counts one subscription (started_at, ended_at) against the period [period_start, period_end); NULL started_at is ignored';

CREATE FUNCTION flow_accum_inv(bigint[], timestamptz, timestamptz, timestamptz, timestamptz) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'engage_flow_accum_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION flow_accum_inv(bigint[], timestamptz, timestamptz, timestamptz, timestamptz) IS
    'churn/retention inverse transition: removes one subscription (moving windows)';

CREATE FUNCTION flow_combine(bigint[], bigint[]) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'engage_flow_combine'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION flow_combine(bigint[], bigint[]) IS
    'adds two churn/retention states of the same period (parallel combine)';

CREATE FUNCTION churn_rate_final(bigint[]) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_flow_churn_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churn_rate_final(bigint[]) IS
    'final function of the churn_rate aggregate: 100 * L / S, NULL when S is 0';

CREATE FUNCTION retention_rate_final(bigint[]) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_flow_retention_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_rate_final(bigint[]) IS
    'final function of the retention_rate aggregate: 100 * (E - N) / S, NULL when S is 0';

CREATE FUNCTION retention_rate_excluding_new_final(bigint[]) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_flow_retention_excl_new_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_rate_excluding_new_final(bigint[]) IS
    'final function of the retention_rate_excluding_new aggregate: 100 * (S - L) / S, NULL when S is 0';

CREATE AGGREGATE churn_rate(started_at timestamptz, ended_at timestamptz,
                            period_start timestamptz, period_end timestamptz) (
    SFUNC = flow_accum,
    STYPE = bigint[],
    FINALFUNC = churn_rate_final,
    COMBINEFUNC = flow_combine,
    MSFUNC = flow_accum,
    MINVFUNC = flow_accum_inv,
    MSTYPE = bigint[],
    MFINALFUNC = churn_rate_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE churn_rate(timestamptz, timestamptz, timestamptz, timestamptz) IS
    'percent of the customers active at period_start whose subscription ended in [period_start, period_end); NULL when none were active';

CREATE AGGREGATE retention_rate(started_at timestamptz, ended_at timestamptz,
                                period_start timestamptz, period_end timestamptz) (
    SFUNC = flow_accum,
    STYPE = bigint[],
    FINALFUNC = retention_rate_final,
    COMBINEFUNC = flow_combine,
    MSFUNC = flow_accum,
    MINVFUNC = flow_accum_inv,
    MSTYPE = bigint[],
    MFINALFUNC = retention_rate_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate(timestamptz, timestamptz, timestamptz, timestamptz) IS
    'classic retention in percent: 100 * (customers at period_end - new customers) / customers at period_start; new customers lost inside the period count against it (can go below 0); NULL when none were active at period_start';

CREATE AGGREGATE retention_rate_excluding_new(started_at timestamptz, ended_at timestamptz,
                                              period_start timestamptz, period_end timestamptz) (
    SFUNC = flow_accum,
    STYPE = bigint[],
    FINALFUNC = retention_rate_excluding_new_final,
    COMBINEFUNC = flow_combine,
    MSFUNC = flow_accum,
    MINVFUNC = flow_accum_inv,
    MSTYPE = bigint[],
    MFINALFUNC = retention_rate_excluding_new_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_rate_excluding_new(timestamptz, timestamptz, timestamptz, timestamptz) IS
    'ChartMogul-style retention in percent: 100 * (customers at period_start still active at period_end) / customers at period_start = 100 - churn_rate; customers who join inside the period are left out; NULL when none were active at period_start';
-----------------------------------------------------------------------------
-- The one-pass churn series: subscription_flow(started_at, ended_at,
-- series_start, series_end, step) counts S, N, L, NL (the definitions of
-- 20_flow.sql) for every period [series_start + k * step,
-- series_start + (k + 1) * step), the last one ending at series_end, in one
-- scan; flow_periods(state) reads it as rows of plain columns.
-- Bounds are timestamptz + interval (calendar arithmetic in the session time
-- zone) and are stored in the state, so a stored state reads the same in any
-- time zone.  Text form (UTC):
--   v1;step=1mon0d0us;2024-01-01 00:00:00+00 {S,N,L,NL};...;<series_end>
-----------------------------------------------------------------------------
CREATE TYPE flow_state;

CREATE FUNCTION flow_state_in(cstring) RETURNS flow_state
    AS 'MODULE_PATHNAME', 'engage_flow_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION flow_state_in(cstring) IS 'text input of flow_state';

CREATE FUNCTION flow_state_out(flow_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_flow_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION flow_state_out(flow_state) IS 'text output of flow_state (timestamps in UTC, exact)';

CREATE FUNCTION flow_state_recv(internal) RETURNS flow_state
    AS 'MODULE_PATHNAME', 'engage_flow_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION flow_state_recv(internal) IS 'binary input of flow_state, validated like the text input';

CREATE FUNCTION flow_state_send(flow_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_flow_state_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION flow_state_send(flow_state) IS 'binary output of flow_state';

CREATE TYPE flow_state (
    INPUT = flow_state_in,
    OUTPUT = flow_state_out,
    RECEIVE = flow_state_recv,
    SEND = flow_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE flow_state IS
    'customer flow of a series of periods: the period bounds and S, N, L, NL per period; rolls up exactly';

CREATE FUNCTION flow_state_to_jsonb(flow_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_flow_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION flow_state_to_jsonb(flow_state) IS
    'flow_state as jsonb: version, step and one object per period with its counts and rates';

CREATE CAST (flow_state AS jsonb) WITH FUNCTION flow_state_to_jsonb(flow_state);
COMMENT ON CAST (flow_state AS jsonb) IS 'flow_state as a jsonb object';

CREATE FUNCTION flow_periods(state flow_state)
    RETURNS TABLE (period_start timestamptz, period_end timestamptz,
                   customers_start bigint, new_customers bigint, lost_customers bigint,
                   customers_end bigint, churn_rate double precision, retention_rate double precision,
                   retention_rate_excluding_new double precision, net_growth double precision)
    AS 'MODULE_PATHNAME', 'engage_flow_periods'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 24;
COMMENT ON FUNCTION flow_periods(flow_state) IS
    'one row per period: bounds, customers at start (S), new (N), lost (L), at end (E = S - L + N - NL), churn 100 L / S, retention 100 (E - N) / S, retention excluding new (ChartMogul) 100 (S - L) / S, net growth 100 (E - S) / S; rates NULL when S is 0';

CREATE FUNCTION flow_series_accum(internal, timestamptz, timestamptz, timestamptz, timestamptz, interval)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_flow_series_accum'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION flow_series_accum(internal, timestamptz, timestamptz, timestamptz, timestamptz, interval) IS
    'subscription_flow transition: counts one subscription in O(log periods); STABLE because the bounds use timestamptz + interval in the session time zone';

CREATE FUNCTION flow_series_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_flow_series_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION flow_series_combine(internal, internal) IS
    'adds two running subscription_flow states of the same series (parallel combine)';

CREATE FUNCTION flow_series_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_flow_series_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION flow_series_serialize(internal) IS 'serializes a running subscription_flow state';

CREATE FUNCTION flow_series_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_flow_series_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION flow_series_deserialize(bytea, internal) IS
    'deserializes a running subscription_flow state, every length and count checked';

CREATE FUNCTION flow_series_final(internal) RETURNS flow_state
    AS 'MODULE_PATHNAME', 'engage_flow_series_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION flow_series_final(internal) IS 'subscription_flow final function: the running state as a flow_state';

CREATE FUNCTION flow_rollup_accum(internal, flow_state) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_flow_rollup_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION flow_rollup_accum(internal, flow_state) IS
    'rollup(flow_state) transition: adds a validated flow_state of the same series; NULLs ignored';

CREATE AGGREGATE subscription_flow(started_at timestamptz, ended_at timestamptz,
                                   series_start timestamptz, series_end timestamptz, step interval) (
    SFUNC = flow_series_accum,
    STYPE = internal,
    FINALFUNC = flow_series_final,
    COMBINEFUNC = flow_series_combine,
    SERIALFUNC = flow_series_serialize,
    DESERIALFUNC = flow_series_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE subscription_flow(timestamptz, timestamptz, timestamptz, timestamptz, interval) IS
    'customer flow of every period [series_start + k * step, series_start + (k + 1) * step) up to series_end, in one scan; read it with flow_periods(); NULL for no rows';

CREATE AGGREGATE rollup(flow_state) (
    SFUNC = flow_rollup_accum,
    STYPE = internal,
    FINALFUNC = flow_series_final,
    COMBINEFUNC = flow_series_combine,
    SERIALFUNC = flow_series_serialize,
    DESERIALFUNC = flow_series_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(flow_state) IS
    'adds flow_state values of the same series exactly (partitions, shards, segments to the whole)';
-----------------------------------------------------------------------------
-- Revenue retention from per-customer MRR at the start and the end of a
-- period.  Each row (mrr_start, mrr_end) is: new (start = 0 < end), churned
-- (start > 0 = end), expansion (end > start > 0, by end - start),
-- contraction (0 < end < start, by start - end); every start > 0 adds to the
-- starting MRR.  NULL counts as 0; a negative amount is 22003.  Amounts are
-- rounded half-even to 6 decimal places and summed exactly as int64
-- micro-units.  Text form:
--   v1;rows=R;starting=A/C;new=A/C;expansion=A/C;contraction=A/C;churned=A/C
-- (amount A with 6 decimals / customers C); v1;ledger;rows=... for a state
-- built from a movements ledger (C then counts movements).
-----------------------------------------------------------------------------
CREATE TYPE revenue_state;

CREATE FUNCTION revenue_state_in(cstring) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_in(cstring) IS 'text input of revenue_state';

CREATE FUNCTION revenue_state_out(revenue_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_revenue_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_out(revenue_state) IS 'text output of revenue_state (exact amounts)';

CREATE FUNCTION revenue_state_recv(internal) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_recv(internal) IS 'binary input of revenue_state, validated like the text input';

CREATE FUNCTION revenue_state_send(revenue_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_revenue_state_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_send(revenue_state) IS 'binary output of revenue_state';

CREATE TYPE revenue_state (
    INPUT = revenue_state_in,
    OUTPUT = revenue_state_out,
    RECEIVE = revenue_state_recv,
    SEND = revenue_state_send,
    INTERNALLENGTH = 96,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE revenue_state IS
    'revenue movements: starting, new, expansion, contraction and churned MRR (exact micro-units) with customer counts; rolls up exactly';

CREATE FUNCTION revenue_state_to_jsonb(revenue_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_revenue_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_to_jsonb(revenue_state) IS
    'revenue_state as jsonb: amounts, customer counts, ending MRR and the three rates';

CREATE CAST (revenue_state AS jsonb) WITH FUNCTION revenue_state_to_jsonb(revenue_state);
COMMENT ON CAST (revenue_state AS jsonb) IS 'revenue_state as a jsonb object';

CREATE FUNCTION revenue_accum(revenue_state, numeric, numeric) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_accum(revenue_state, numeric, numeric) IS
    'revenue transition: classifies one customer row (mrr_start, mrr_end); NULL counts as 0';

CREATE FUNCTION revenue_accum_inv(revenue_state, numeric, numeric) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_accum_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_accum_inv(revenue_state, numeric, numeric) IS
    'revenue inverse transition: removes one customer row (moving windows)';

CREATE FUNCTION revenue_combine(revenue_state, revenue_state) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_combine'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_combine(revenue_state, revenue_state) IS
    'adds two revenue_state values (combine and rollup transition)';

CREATE FUNCTION revenue_combine_inv(revenue_state, revenue_state) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_combine_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_combine_inv(revenue_state, revenue_state) IS
    'removes a revenue_state from a running rollup (moving windows)';

CREATE FUNCTION revenue_state_final(revenue_state) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_state_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_state_final(revenue_state) IS
    'final function of revenue_agg and rollup: the state, NULL for no rows';

CREATE FUNCTION gross_revenue_retention(state revenue_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_gross_revenue_retention'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gross_revenue_retention(revenue_state) IS
    'gross revenue retention in percent: 100 * (starting - contraction - churned) / starting; NULL when starting MRR is 0';

CREATE FUNCTION net_revenue_retention(state revenue_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_net_revenue_retention'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION net_revenue_retention(revenue_state) IS
    'net revenue retention in percent: 100 * (starting + expansion - contraction - churned) / starting; NULL when starting MRR is 0';

CREATE FUNCTION revenue_churn_rate(state revenue_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_revenue_churn_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION revenue_churn_rate(revenue_state) IS
    'revenue churn in percent: 100 * (contraction + churned) / starting; NULL when starting MRR is 0';

CREATE FUNCTION starting_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_starting_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION starting_mrr(revenue_state) IS 'MRR at period start of the customers who had any (exact, 6 decimals)';

CREATE FUNCTION new_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_new_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION new_mrr(revenue_state) IS 'MRR at period end of the customers with none at start (exact, 6 decimals)';

CREATE FUNCTION expansion_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_expansion_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION expansion_mrr(revenue_state) IS 'sum of end - start over customers with end > start > 0 (exact, 6 decimals)';

CREATE FUNCTION contraction_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_contraction_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION contraction_mrr(revenue_state) IS 'sum of start - end over customers with 0 < end < start (exact, 6 decimals)';

CREATE FUNCTION churned_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_churned_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION churned_mrr(revenue_state) IS 'starting MRR of the customers with none at end (exact, 6 decimals)';

CREATE FUNCTION ending_mrr(state revenue_state) RETURNS numeric
    AS 'MODULE_PATHNAME', 'engage_revenue_ending_mrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ending_mrr(revenue_state) IS
    'MRR at period end: starting + new + expansion - contraction - churned (exact, 6 decimals)';

CREATE AGGREGATE revenue_agg(mrr_start numeric, mrr_end numeric) (
    SFUNC = revenue_accum,
    STYPE = revenue_state,
    FINALFUNC = revenue_state_final,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_accum,
    MINVFUNC = revenue_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = revenue_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE revenue_agg(numeric, numeric) IS
    'builds a revenue_state from one row per customer (MRR at period start, MRR at period end); NULL for no rows';

CREATE AGGREGATE net_revenue_retention(mrr_start numeric, mrr_end numeric) (
    SFUNC = revenue_accum,
    STYPE = revenue_state,
    FINALFUNC = net_revenue_retention,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_accum,
    MINVFUNC = revenue_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = net_revenue_retention,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE net_revenue_retention(numeric, numeric) IS
    'net revenue retention in percent from one row per customer (MRR at period start, at period end); NULL when no starting MRR';

CREATE AGGREGATE gross_revenue_retention(mrr_start numeric, mrr_end numeric) (
    SFUNC = revenue_accum,
    STYPE = revenue_state,
    FINALFUNC = gross_revenue_retention,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_accum,
    MINVFUNC = revenue_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = gross_revenue_retention,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE gross_revenue_retention(numeric, numeric) IS
    'gross revenue retention in percent from one row per customer (MRR at period start, at period end); NULL when no starting MRR';

-- The ledger form: one row per MRR movement ('starting', 'new', 'expansion',
-- 'contraction', 'churned'; 'churn' is accepted for 'churned').  Ledger
-- states (text form v1;ledger;rows=...) count movements, not customers.
CREATE FUNCTION revenue_movement_accum(revenue_state, text, numeric) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_movement_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_movement_accum(revenue_state, text, numeric) IS
    'revenue ledger transition: adds one MRR movement (movement, amount); a NULL movement or amount ignores the row';

CREATE FUNCTION revenue_movement_accum_inv(revenue_state, text, numeric) RETURNS revenue_state
    AS 'MODULE_PATHNAME', 'engage_revenue_movement_accum_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION revenue_movement_accum_inv(revenue_state, text, numeric) IS
    'revenue ledger inverse transition: removes one MRR movement (moving windows)';

CREATE AGGREGATE revenue_movements_agg(movement text, amount numeric) (
    SFUNC = revenue_movement_accum,
    STYPE = revenue_state,
    FINALFUNC = revenue_state_final,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_movement_accum,
    MINVFUNC = revenue_movement_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = revenue_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE revenue_movements_agg(text, numeric) IS
    'builds a ledger revenue_state from one row per MRR movement (starting, new, expansion, contraction, churned; amount); NULL for no rows';

CREATE AGGREGATE net_revenue_retention(movement text, amount numeric) (
    SFUNC = revenue_movement_accum,
    STYPE = revenue_state,
    FINALFUNC = net_revenue_retention,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_movement_accum,
    MINVFUNC = revenue_movement_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = net_revenue_retention,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE net_revenue_retention(text, numeric) IS
    'net revenue retention in percent from one row per MRR movement (movement, amount); NULL when no starting MRR';

CREATE AGGREGATE gross_revenue_retention(movement text, amount numeric) (
    SFUNC = revenue_movement_accum,
    STYPE = revenue_state,
    FINALFUNC = gross_revenue_retention,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_movement_accum,
    MINVFUNC = revenue_movement_accum_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = gross_revenue_retention,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE gross_revenue_retention(text, numeric) IS
    'gross revenue retention in percent from one row per MRR movement (movement, amount); NULL when no starting MRR; below 0 when more is lost than started';

CREATE AGGREGATE rollup(revenue_state) (
    SFUNC = revenue_combine,
    STYPE = revenue_state,
    FINALFUNC = revenue_state_final,
    COMBINEFUNC = revenue_combine,
    MSFUNC = revenue_combine,
    MINVFUNC = revenue_combine_inv,
    MSTYPE = revenue_state,
    MFINALFUNC = revenue_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(revenue_state) IS
    'adds revenue_state values exactly (months to quarters, segments to totals, shards to the whole)';

-----------------------------------------------------------------------------
-- Activity: active users, DAU/WAU/MAU, stickiness, cohort retention.
--
-- activity_state says on which days each user was active: a range of days
-- and, per user (sorted by user id), a bitmap of the range.  It takes
-- users x (8 + days / 8) bytes (100k users over 365 days: 5.4 MB) and
-- merges exactly across days, partitions and shards (union by user).
-- Text form v1:FIRST_DAY:DAYS:{user_id=hex bitmap,...}; bit j of byte i is
-- day FIRST_DAY + 8 i + j.
-----------------------------------------------------------------------------
CREATE TYPE activity_state;

CREATE FUNCTION activity_state_in(cstring) RETURNS activity_state
    AS 'MODULE_PATHNAME', 'engage_activity_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_state_in(cstring) IS 'text input of activity_state, validated';

CREATE FUNCTION activity_state_out(activity_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_activity_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_state_out(activity_state) IS 'text output of activity_state (canonical, round-trips exactly)';

CREATE FUNCTION activity_state_recv(internal) RETURNS activity_state
    AS 'MODULE_PATHNAME', 'engage_activity_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_state_recv(internal) IS 'binary input of activity_state, validated like the text input';

CREATE FUNCTION activity_state_send(activity_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_activity_state_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_state_send(activity_state) IS 'binary output of activity_state';

CREATE TYPE activity_state (
    INPUT = activity_state_in,
    OUTPUT = activity_state_out,
    RECEIVE = activity_state_recv,
    SEND = activity_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE activity_state IS 'activity state: per user, the days they were active (a bitmap over a range of days); rolls up exactly';

CREATE FUNCTION activity_state_to_jsonb(activity_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_activity_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_state_to_jsonb(activity_state) IS
    'activity_state as jsonb: version, first_day, last_day, days, users, active_user_days, bytes';

CREATE CAST (activity_state AS jsonb) WITH FUNCTION activity_state_to_jsonb(activity_state);
COMMENT ON CAST (activity_state AS jsonb) IS 'activity_state summarised as a jsonb object';

CREATE FUNCTION activity_accum(internal, bigint, date) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_activity_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION activity_accum(internal, bigint, date) IS
    'activity_agg transition: marks user_id active on day; a NULL user or day is ignored';

CREATE FUNCTION activity_rollup_accum(internal, activity_state) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_activity_rollup_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION activity_rollup_accum(internal, activity_state) IS
    'rollup(activity_state) transition: unions one state in; NULL is ignored';

CREATE FUNCTION activity_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_activity_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION activity_combine(internal, internal) IS
    'unions two activity transition states by user (parallel combine)';

CREATE FUNCTION activity_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_activity_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_serialize(internal) IS
    'serializes an activity transition state (parallel aggregation)';

CREATE FUNCTION activity_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_activity_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_deserialize(bytea, internal) IS
    'deserializes an activity transition state, every length checked (parallel aggregation)';

CREATE FUNCTION activity_final(internal) RETURNS activity_state
    AS 'MODULE_PATHNAME', 'engage_activity_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_final(internal) IS
    'final function of activity_agg and rollup(activity_state): the canonical state, NULL when empty';

CREATE AGGREGATE activity_agg(user_id bigint, day date) (
    SFUNC = activity_accum,
    STYPE = internal,
    FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine,
    SERIALFUNC = activity_serialize,
    DESERIALFUNC = activity_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(bigint, date) IS
    'activity_state of the rows: which days each user was active; NULL user or day ignored; NULL for no rows';

CREATE AGGREGATE rollup(activity_state) (
    SFUNC = activity_rollup_accum,
    STYPE = internal,
    FINALFUNC = activity_final,
    COMBINEFUNC = activity_combine,
    SERIALFUNC = activity_serialize,
    DESERIALFUNC = activity_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(activity_state) IS
    'exact union of activity states of any day ranges (days, months, partitions, shards)';

CREATE FUNCTION active_users(activity_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_active_users'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION active_users(activity_state) IS 'users active on any day of the state';

CREATE FUNCTION active_users(activity_state, from_day date, to_day date) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_active_users_between'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION active_users(activity_state, date, date) IS
    'users active on any day of [from_day, to_day)';

CREATE FUNCTION dau(activity_state, day date) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_dau'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dau(activity_state, date) IS 'daily active users: users active on day';

CREATE FUNCTION wau(activity_state, day date) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_wau'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION wau(activity_state, date) IS
    'weekly active users: users active in the 7 days ending with day [day - 6, day]';

CREATE FUNCTION mau(activity_state, day date) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_mau'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mau(activity_state, date) IS
    'monthly active users: users active in the 30 days ending with day [day - 29, day]';

CREATE FUNCTION stickiness(activity_state, from_day date, to_day date) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_stickiness'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stickiness(activity_state, date, date) IS
    'average DAU over the days of [from_day, to_day) / users active in [from_day, to_day) (a ratio 0..1); NULL when nobody was active';

CREATE FUNCTION activity_series(activity_state, unit text DEFAULT 'day',
                                OUT period_start date, OUT active_users bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'engage_activity_series'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION activity_series(activity_state, text) IS
    'active users per day, week (ISO, from Monday) or month of the state''s range, one row per period (zeros included)';

CREATE FUNCTION cohort_retention(activity_state, unit text DEFAULT 'month',
                                 OUT cohort date, OUT period_offset int, OUT cohort_size bigint,
                                 OUT active bigint, OUT retention double precision,
                                 OUT active_or_later bigint, OUT retention_unbounded double precision)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'engage_cohort_retention'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION cohort_retention(activity_state, text) IS
    'cohort matrix: cohort = period (day, week or month) of a user''s first active day; per offset k, users active in period cohort + k (retention, percent) and in period cohort + k or later (retention_unbounded, percent); one row per cohort and offset';
-----------------------------------------------------------------------------
-- Customer lifetime value: simple formulas, historical CLV, RFM summary
--
-- Rates and margins are fractions (0.3 = 30%), not percentages.
--   clv(aov, frequency, lifespan [, gross_margin]) = aov * frequency * lifespan [* gross_margin]
--   clv_from_churn(arpu, gross_margin, churn_rate) = arpu * gross_margin / churn_rate
--   clv_discounted(margin, retention_rate, discount_rate) = m r / (1 + i - r)
-- historical_clv(customer_id, amount, ts [, unit]) -> clv_summary
-- rfm_summary(ts, amount, observation_end [, period [, unit]]) -> rfm, one
-- customer per group, with the lifetimes / pymc-marketing definitions.
-----------------------------------------------------------------------------
CREATE FUNCTION clv(average_order_value double precision, purchase_frequency double precision,
                    lifespan double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_clv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(double precision, double precision, double precision) IS
    'simple customer lifetime value: average_order_value * purchase_frequency * lifespan (frequency per unit of time, lifespan in the same unit); arguments finite and >= 0';

CREATE FUNCTION clv(average_order_value double precision, purchase_frequency double precision,
                    lifespan double precision, gross_margin double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_clv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(double precision, double precision, double precision, double precision) IS
    'customer lifetime value in gross margin: average_order_value * purchase_frequency * lifespan * gross_margin; gross_margin a fraction from 0 to 1';

CREATE FUNCTION clv_from_churn(arpu double precision, gross_margin double precision,
                               churn_rate double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_clv_from_churn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_from_churn(double precision, double precision, double precision) IS
    'customer lifetime value from churn: arpu * gross_margin / churn_rate; arpu (revenue per customer per period) >= 0, gross_margin a fraction from 0 to 1, churn_rate a fraction per period above 0 and at most 1 (not a percentage)';

CREATE FUNCTION clv_discounted(margin double precision, retention_rate double precision,
                               discount_rate double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_clv_discounted'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_discounted(double precision, double precision, double precision) IS
    'discounted CLV with constant retention (Gupta & Lehmann): margin * r / (1 + i - r), the present value of margin per period earned at the end of each period a customer is retained (probability r per period) at discount rate i per period; margin >= 0, 0 <= r <= 1, i >= 0, r < 1 + i';

-- historical_clv -----------------------------------------------------------
CREATE TYPE clv_summary AS (
    customers           bigint,
    orders              bigint,
    revenue             double precision,
    average_order_value double precision,
    purchase_frequency  double precision,
    average_lifespan    double precision,
    customer_value      double precision,
    observed_span       double precision,
    purchase_rate       double precision,
    clv                 double precision
);
COMMENT ON TYPE clv_summary IS
    'result of historical_clv(): customers, orders (rows), revenue, average_order_value = revenue / orders, purchase_frequency = orders / customers, average_lifespan = mean over customers of (last - first purchase) in units, customer_value = revenue / customers, observed_span = (last - first ts overall) in units, purchase_rate = purchase_frequency / observed_span, clv = average_order_value * purchase_rate * average_lifespan';

CREATE FUNCTION clv_hist_accum(internal, bigint, double precision, timestamptz)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_clv_hist_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_accum(internal, bigint, double precision, timestamptz) IS
    'transition function of historical_clv(customer_id, amount, ts)';

CREATE FUNCTION clv_hist_accum(internal, bigint, double precision, timestamptz, interval)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_clv_hist_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_accum(internal, bigint, double precision, timestamptz, interval) IS
    'transition function of historical_clv(customer_id, amount, ts, unit)';

CREATE FUNCTION clv_hist_combine(internal, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_clv_hist_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_combine(internal, internal) IS
    'combine function of historical_clv(): merges two partial states customer by customer';

CREATE FUNCTION clv_hist_serialize(internal)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_clv_hist_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_serialize(internal) IS
    'serialize function of historical_clv(): partial state to bytea';

CREATE FUNCTION clv_hist_deserialize(bytea, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_clv_hist_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_deserialize(bytea, internal) IS
    'deserialize function of historical_clv(): bytea to partial state, validated';

CREATE FUNCTION clv_hist_final(internal)
    RETURNS clv_summary
    AS 'MODULE_PATHNAME', 'engage_clv_hist_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION clv_hist_final(internal) IS
    'final function of historical_clv(): the clv_summary row, NULL over no rows';

CREATE AGGREGATE historical_clv(customer_id bigint, amount double precision, ts timestamptz) (
    SFUNC = clv_hist_accum,
    STYPE = internal,
    FINALFUNC = clv_hist_final,
    COMBINEFUNC = clv_hist_combine,
    SERIALFUNC = clv_hist_serialize,
    DESERIALFUNC = clv_hist_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE historical_clv(bigint, double precision, timestamptz) IS
    'historical CLV over a transactions table (one row per order), times in days: a clv_summary row (average order value, purchase frequency, average lifespan, customer value, clv); rows with a NULL argument are ignored; NULL over no rows';

CREATE AGGREGATE historical_clv(customer_id bigint, amount double precision, ts timestamptz, unit interval) (
    SFUNC = clv_hist_accum,
    STYPE = internal,
    FINALFUNC = clv_hist_final,
    COMBINEFUNC = clv_hist_combine,
    SERIALFUNC = clv_hist_serialize,
    DESERIALFUNC = clv_hist_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE historical_clv(bigint, double precision, timestamptz, interval) IS
    'historical CLV over a transactions table (one row per order), times in the given unit (days and/or time, e.g. ''7 days''): a clv_summary row; rows with a NULL customer_id, amount or ts are ignored; NULL over no rows';

-- rfm_summary --------------------------------------------------------------
CREATE TYPE rfm AS (
    frequency      double precision,
    recency        double precision,
    t              double precision,
    monetary_value double precision
);
COMMENT ON TYPE rfm IS
    'RFM summary of one customer (lifetimes / pymc-marketing): frequency = distinct purchase periods - 1, recency = last - first period, t = observation end - first period (in units), monetary_value = mean amount of the repeat periods (0 when frequency = 0)';

CREATE FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_rfm_accum'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz) IS
    'transition function of rfm_summary(ts, amount, observation_end)';

CREATE FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz, text)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_rfm_accum'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz, text) IS
    'transition function of rfm_summary(ts, amount, observation_end, period)';

CREATE FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz, text, interval)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_rfm_accum'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_accum(internal, timestamptz, double precision, timestamptz, text, interval) IS
    'transition function of rfm_summary(ts, amount, observation_end, period, unit)';

CREATE FUNCTION rfm_combine(internal, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_rfm_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_combine(internal, internal) IS
    'combine function of rfm_summary(): merges the purchase periods of two partial states';

CREATE FUNCTION rfm_serialize(internal)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_rfm_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rfm_serialize(internal) IS
    'serialize function of rfm_summary(): partial state to bytea';

CREATE FUNCTION rfm_deserialize(bytea, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_rfm_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rfm_deserialize(bytea, internal) IS
    'deserialize function of rfm_summary(): bytea to partial state, validated';

CREATE FUNCTION rfm_final(internal)
    RETURNS rfm
    AS 'MODULE_PATHNAME', 'engage_rfm_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_final(internal) IS
    'final function of rfm_summary(): the rfm row, NULL when no purchase is on or before observation_end';

CREATE AGGREGATE rfm_summary(ts timestamptz, amount double precision, observation_end timestamptz) (
    SFUNC = rfm_accum,
    STYPE = internal,
    FINALFUNC = rfm_final,
    COMBINEFUNC = rfm_combine,
    SERIALFUNC = rfm_serialize,
    DESERIALFUNC = rfm_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rfm_summary(timestamptz, double precision, timestamptz) IS
    'RFM summary of one customer''s transactions (use with GROUP BY customer), day periods in the session time zone, times in days; purchases after observation_end''s day are ignored; NULL when there is none before';

CREATE AGGREGATE rfm_summary(ts timestamptz, amount double precision, observation_end timestamptz,
                             period text) (
    SFUNC = rfm_accum,
    STYPE = internal,
    FINALFUNC = rfm_final,
    COMBINEFUNC = rfm_combine,
    SERIALFUNC = rfm_serialize,
    DESERIALFUNC = rfm_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rfm_summary(timestamptz, double precision, timestamptz, text) IS
    'RFM summary of one customer''s transactions with purchases merged per period (''hour'', ''day'', ''week'', ''month'', ''quarter'', ''year'', in the session time zone), times in days';

CREATE AGGREGATE rfm_summary(ts timestamptz, amount double precision, observation_end timestamptz,
                             period text, unit interval) (
    SFUNC = rfm_accum,
    STYPE = internal,
    FINALFUNC = rfm_final,
    COMBINEFUNC = rfm_combine,
    SERIALFUNC = rfm_serialize,
    DESERIALFUNC = rfm_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rfm_summary(timestamptz, double precision, timestamptz, text, interval) IS
    'RFM summary of one customer''s transactions with purchases merged per period, recency and t in the given unit (e.g. ''7 days'' for weeks, or ''1 month'' with month, quarter or year periods)';

-----------------------------------------------------------------------------
-- Customer-base models: BG/NBD (purchases and dropout) and Gamma-Gamma
-- (spend per transaction), fitted by maximum likelihood in the database.
--
-- A customer is summarised as frequency x (repeat purchases), recency t_x
-- (time from the first to the last purchase) and t = T (time from the first
-- purchase to the end of observation), in one time unit of your choice
-- (weeks in the CDNOW literature), and monetary_value (mean value of the
-- repeat purchases).  Model values store their parameters, the number of
-- customers fitted and the log-likelihood; text form
--   v1:r=...,alpha=...,a=...,b=...,customers=N,log_likelihood=...
--   v1:p=...,q=...,v=...,customers=N,log_likelihood=...
-- (customers and log_likelihood may be left out of a literal: 0 and NaN).
-----------------------------------------------------------------------------
CREATE TYPE bgnbd;

CREATE FUNCTION bgnbd_in(cstring) RETURNS bgnbd
    AS 'MODULE_PATHNAME', 'engage_bgnbd_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_in(cstring) IS 'text input of bgnbd';

CREATE FUNCTION bgnbd_out(bgnbd) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_bgnbd_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_out(bgnbd) IS 'text output of bgnbd (shortest round-trip floats)';

CREATE FUNCTION bgnbd_recv(internal) RETURNS bgnbd
    AS 'MODULE_PATHNAME', 'engage_bgnbd_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_recv(internal) IS 'binary input of bgnbd, validated like the text input';

CREATE FUNCTION bgnbd_send(bgnbd) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_bgnbd_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_send(bgnbd) IS 'binary output of bgnbd';

CREATE TYPE bgnbd (
    INPUT = bgnbd_in,
    OUTPUT = bgnbd_out,
    RECEIVE = bgnbd_recv,
    SEND = bgnbd_send,
    INTERNALLENGTH = 56,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE bgnbd IS 'a BG/NBD model (Fader, Hardie & Lee 2005): r, alpha, a, b, customers fitted, log-likelihood';

CREATE FUNCTION bgnbd_to_jsonb(bgnbd) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_bgnbd_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_to_jsonb(bgnbd) IS 'bgnbd as jsonb: model, version, r, alpha, a, b, customers, log_likelihood (null when unknown)';

CREATE CAST (bgnbd AS jsonb) WITH FUNCTION bgnbd_to_jsonb(bgnbd);
COMMENT ON CAST (bgnbd AS jsonb) IS 'bgnbd as a jsonb object';

CREATE FUNCTION bgnbd(r double precision, alpha double precision, a double precision, b double precision)
    RETURNS bgnbd
    AS 'MODULE_PATHNAME', 'engage_bgnbd_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd(double precision, double precision, double precision, double precision) IS
    'a BG/NBD model from known parameters (all finite and > 0); customers 0, log-likelihood unknown';

CREATE FUNCTION bgnbd_fit_accum(internal, double precision, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_bgnbd_fit_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_accum(internal, double precision, double precision, double precision) IS
    'bgnbd_fit transition: counts one customer''s (frequency, recency, t) pattern; rows with a NULL are ignored';

CREATE FUNCTION bgnbd_fit_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_bgnbd_fit_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_combine(internal, internal) IS 'bgnbd_fit combine: adds the pattern weights of two partial states';

CREATE FUNCTION bgnbd_fit_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_bgnbd_fit_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_serialize(internal) IS 'bgnbd_fit: serializes a partial state for parallel aggregation';

CREATE FUNCTION bgnbd_fit_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_bgnbd_fit_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_deserialize(bytea, internal) IS 'bgnbd_fit: deserializes a partial state, checking every length and pattern';

CREATE FUNCTION bgnbd_fit_final(internal) RETURNS bgnbd
    AS 'MODULE_PATHNAME', 'engage_bgnbd_fit_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_final(internal) IS 'bgnbd_fit final: the maximum-likelihood BG/NBD model (BFGS on log-parameters)';

CREATE AGGREGATE bgnbd_fit(frequency double precision, recency double precision, t double precision) (
    SFUNC = bgnbd_fit_accum,
    STYPE = internal,
    FINALFUNC = bgnbd_fit_final,
    COMBINEFUNC = bgnbd_fit_combine,
    SERIALFUNC = bgnbd_fit_serialize,
    DESERIALFUNC = bgnbd_fit_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE bgnbd_fit(double precision, double precision, double precision) IS
    'fits a BG/NBD model by maximum likelihood to one row per customer (frequency, recency, t); NULL for no rows; error when the data has no interior maximum (fewer than 2 customers, no repeat purchases)';

CREATE FUNCTION p_alive(model bgnbd, frequency double precision, recency double precision, t double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_bgnbd_p_alive'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION p_alive(bgnbd, double precision, double precision, double precision) IS
    'probability that a customer with this history is still alive at the end of observation (1 when frequency is 0)';

CREATE FUNCTION expected_purchases(model bgnbd, horizon double precision, frequency double precision,
                                   recency double precision, t double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_bgnbd_expected'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION expected_purchases(bgnbd, double precision, double precision, double precision, double precision) IS
    'expected purchases in the next horizon time units of a customer with this history (Fader, Hardie & Lee 2005, eq. 10)';

CREATE FUNCTION expected_purchases(model bgnbd, horizon double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_bgnbd_expected_new'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION expected_purchases(bgnbd, double precision) IS
    'expected repeat purchases of a new customer in her first horizon time units (Fader, Hardie & Lee 2005, eq. 9)';

-----------------------------------------------------------------------------
-- gammagamma: spend per transaction
-----------------------------------------------------------------------------
CREATE TYPE gammagamma;

CREATE FUNCTION gammagamma_in(cstring) RETURNS gammagamma
    AS 'MODULE_PATHNAME', 'engage_gammagamma_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_in(cstring) IS 'text input of gammagamma';

CREATE FUNCTION gammagamma_out(gammagamma) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_gammagamma_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_out(gammagamma) IS 'text output of gammagamma (shortest round-trip floats)';

CREATE FUNCTION gammagamma_recv(internal) RETURNS gammagamma
    AS 'MODULE_PATHNAME', 'engage_gammagamma_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_recv(internal) IS 'binary input of gammagamma, validated like the text input';

CREATE FUNCTION gammagamma_send(gammagamma) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_gammagamma_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_send(gammagamma) IS 'binary output of gammagamma';

CREATE TYPE gammagamma (
    INPUT = gammagamma_in,
    OUTPUT = gammagamma_out,
    RECEIVE = gammagamma_recv,
    SEND = gammagamma_send,
    INTERNALLENGTH = 56,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE gammagamma IS 'a Gamma-Gamma spend model: p, q, v, repeat customers fitted, log-likelihood';

CREATE FUNCTION gammagamma_to_jsonb(gammagamma) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_gammagamma_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_to_jsonb(gammagamma) IS 'gammagamma as jsonb: model, version, p, q, v, customers, log_likelihood (null when unknown)';

CREATE CAST (gammagamma AS jsonb) WITH FUNCTION gammagamma_to_jsonb(gammagamma);
COMMENT ON CAST (gammagamma AS jsonb) IS 'gammagamma as a jsonb object';

CREATE FUNCTION gammagamma(p double precision, q double precision, v double precision) RETURNS gammagamma
    AS 'MODULE_PATHNAME', 'engage_gammagamma_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma(double precision, double precision, double precision) IS
    'a Gamma-Gamma model from known parameters (all finite and > 0); customers 0, log-likelihood unknown';

CREATE FUNCTION gammagamma_fit_accum(internal, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_gammagamma_fit_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_accum(internal, double precision, double precision) IS
    'gammagamma_fit transition: counts one repeat customer''s (frequency, monetary_value); frequency 0 and NULL rows are ignored';

CREATE FUNCTION gammagamma_fit_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_gammagamma_fit_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_combine(internal, internal) IS 'gammagamma_fit combine: adds the pattern weights of two partial states';

CREATE FUNCTION gammagamma_fit_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_gammagamma_fit_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_serialize(internal) IS 'gammagamma_fit: serializes a partial state for parallel aggregation';

CREATE FUNCTION gammagamma_fit_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_gammagamma_fit_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_deserialize(bytea, internal) IS 'gammagamma_fit: deserializes a partial state, checking every length and pattern';

CREATE FUNCTION gammagamma_fit_final(internal) RETURNS gammagamma
    AS 'MODULE_PATHNAME', 'engage_gammagamma_fit_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gammagamma_fit_final(internal) IS 'gammagamma_fit final: the maximum-likelihood Gamma-Gamma model (BFGS on log-parameters)';

CREATE AGGREGATE gammagamma_fit(frequency double precision, monetary_value double precision) (
    SFUNC = gammagamma_fit_accum,
    STYPE = internal,
    FINALFUNC = gammagamma_fit_final,
    COMBINEFUNC = gammagamma_fit_combine,
    SERIALFUNC = gammagamma_fit_serialize,
    DESERIALFUNC = gammagamma_fit_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE gammagamma_fit(double precision, double precision) IS
    'fits a Gamma-Gamma spend model to the repeat customers (frequency > 0; others are ignored); NULL when there are none; error when fewer than 2 or no interior maximum';

CREATE FUNCTION expected_avg_value(model gammagamma, frequency double precision, monetary_value double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_gammagamma_expected'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION expected_avg_value(gammagamma, double precision, double precision) IS
    'expected mean transaction value of a customer: p (v + frequency * monetary_value) / (p frequency + q - 1); the population mean p v / (q - 1) at frequency 0';

CREATE FUNCTION clv(bgnbd bgnbd, gammagamma gammagamma, frequency double precision, recency double precision,
                    t double precision, monetary_value double precision, horizon_months integer,
                    discount_rate_monthly double precision DEFAULT 0.01,
                    time_unit_days double precision DEFAULT 7)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_bgnbd_clv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv(bgnbd, gammagamma, double precision, double precision, double precision, double precision, integer, double precision, double precision) IS
    'discounted customer lifetime value over horizon_months (lifetimes method): sum over months k of expected_avg_value * expected purchases in month k / (1 + discount_rate_monthly)^k; a month is 30.4375 / time_unit_days time units';
-----------------------------------------------------------------------------
-- Rates (issue 5): one proportion state behind conversion rate, CTR, the email
-- rates, social engagement and event registration/attendance.
-- proportion_state counts successes of trials exactly (int64).  Text form
-- v1:SUCCESSES/TRIALS (successes <= trials), or v1:ratio:COUNT/BASE for the
-- engagement ratio, whose count may exceed its base.
-----------------------------------------------------------------------------
CREATE TYPE proportion_state;

CREATE FUNCTION proportion_state_in(cstring) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_in(cstring) IS 'text input of proportion_state';

CREATE FUNCTION proportion_state_out(proportion_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_prop_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_out(proportion_state) IS 'text output of proportion_state (exact counts)';

CREATE FUNCTION proportion_state_recv(internal) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_recv(internal) IS 'binary input of proportion_state, validated like the text input';

CREATE FUNCTION proportion_state_send(proportion_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_prop_state_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_send(proportion_state) IS 'binary output of proportion_state';

CREATE TYPE proportion_state (
    INPUT = proportion_state_in,
    OUTPUT = proportion_state_out,
    RECEIVE = proportion_state_recv,
    SEND = proportion_state_send,
    INTERNALLENGTH = 24,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE proportion_state IS
    'rate state: successes of trials (or a count per base for engagement), exact, rolls up from days to months and shards to totals';

CREATE FUNCTION proportion_state_to_jsonb(proportion_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_prop_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_to_jsonb(proportion_state) IS
    'proportion_state as jsonb: version, kind, successes, trials and the rate in percent';

CREATE CAST (proportion_state AS jsonb) WITH FUNCTION proportion_state_to_jsonb(proportion_state);
COMMENT ON CAST (proportion_state AS jsonb) IS 'proportion_state as a jsonb object';

CREATE FUNCTION proportion_state_eq(proportion_state, proportion_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_prop_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_eq(proportion_state, proportion_state) IS
    'true when two proportion_state values have the same kind, successes and trials';

CREATE FUNCTION proportion_state_ne(proportion_state, proportion_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_prop_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_ne(proportion_state, proportion_state) IS
    'true when two proportion_state values differ in kind, successes or trials';

CREATE FUNCTION proportion_state_hash(proportion_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_prop_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_hash(proportion_state) IS 'hash of a proportion_state, consistent with =';

CREATE OPERATOR = (
    LEFTARG = proportion_state, RIGHTARG = proportion_state, FUNCTION = proportion_state_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);
COMMENT ON OPERATOR = (proportion_state, proportion_state) IS 'same kind, successes and trials';

CREATE OPERATOR <> (
    LEFTARG = proportion_state, RIGHTARG = proportion_state, FUNCTION = proportion_state_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR <> (proportion_state, proportion_state) IS 'different kind, successes or trials';

CREATE OPERATOR CLASS proportion_state_hash_ops DEFAULT FOR TYPE proportion_state USING hash AS
    OPERATOR 1 = (proportion_state, proportion_state),
    FUNCTION 1 proportion_state_hash(proportion_state);
COMMENT ON OPERATOR CLASS proportion_state_hash_ops USING hash IS
    'hashing of proportion_state for DISTINCT, UNION and hash joins';

-- Combine, final functions and the accessors.
CREATE FUNCTION proportion_combine(proportion_state, proportion_state) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_combine'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_combine(proportion_state, proportion_state) IS
    'adds two proportion_state values (combine and rollup transition)';

CREATE FUNCTION proportion_combine_inv(proportion_state, proportion_state) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_combine_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_combine_inv(proportion_state, proportion_state) IS
    'removes a proportion_state from a running rollup (moving windows)';

CREATE FUNCTION proportion_state_final(proportion_state) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_state_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_state_final(proportion_state) IS
    'final function of the proportion_state-building aggregates: NULL for 0 of 0';

CREATE FUNCTION rate(state proportion_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_prop_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rate(proportion_state) IS
    'the rate in percent: 100 * successes / trials; NULL for 0 trials (also the final function of the one-call rates)';

CREATE FUNCTION successes(state proportion_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_prop_successes'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION successes(proportion_state) IS 'successes (conversions, clicks, opens, interactions ...) in the state';

CREATE FUNCTION trials(state proportion_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_prop_trials'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION trials(proportion_state) IS 'trials, the denominator (visitors, impressions, delivered messages, base ...)';

CREATE FUNCTION rate_lower(state proportion_state, confidence double precision DEFAULT 0.95)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_prop_rate_lower'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rate_lower(proportion_state, double precision) IS
    'lower end of the Wilson score interval for the rate, in percent; NULL for 0 trials';

CREATE FUNCTION rate_upper(state proportion_state, confidence double precision DEFAULT 0.95)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_prop_rate_upper'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rate_upper(proportion_state, double precision) IS
    'upper end of the Wilson score interval for the rate, in percent; NULL for 0 trials';

CREATE FUNCTION ab_z(a proportion_state, b proportion_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_ab_z'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_z(proportion_state, proportion_state) IS
    'pooled two-proportion z statistic of rate(a) - rate(b); NULL when either has 0 trials';

CREATE FUNCTION ab_test(a proportion_state, b proportion_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_ab_test'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_test(proportion_state, proportion_state) IS
    'two-sided p-value of the pooled two-proportion z test that the rates of a and b differ';

CREATE FUNCTION ab_sample_size(baseline_rate double precision, minimum_detectable_effect double precision,
                               alpha double precision DEFAULT 0.05, power double precision DEFAULT 0.8)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_ab_sample_size'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_sample_size(double precision, double precision, double precision, double precision) IS
    'customers per arm for a two-sided two-proportion z test: baseline rate in percent, effect in percentage points';

CREATE AGGREGATE rollup(proportion_state) (
    SFUNC = proportion_combine,
    STYPE = proportion_state,
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_combine,
    MINVFUNC = proportion_combine_inv,
    MSTYPE = proportion_state,
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(proportion_state) IS
    'adds proportion_state values exactly (days to months, segments to totals, shards to the whole)';

-- One flag per row: the rows are the trials (NULL flags are skipped).

CREATE FUNCTION proportion_accum(proportion_state, boolean) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_accum_bool'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_accum(proportion_state, boolean) IS 'rate transition: adds one row, a success when true';

CREATE FUNCTION proportion_accum_inv(proportion_state, boolean) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_accum_inv_bool'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION proportion_accum_inv(proportion_state, boolean) IS 'rate inverse transition: removes one row (moving windows)';

CREATE AGGREGATE conversion_rate(converted boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_rate(boolean) IS 'conversion rate: converted rows / rows (e.g. sessions or visitors) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE conversion_agg(converted boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_agg(boolean) IS 'builds the proportion_state of conversion_rate() for rollup() and the accessors; NULL for no rows';

CREATE AGGREGATE open_rate(opened boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_rate(boolean) IS 'email open rate: opened / rows, the rows being the messages delivered (or sent) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE open_agg(opened boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_agg(boolean) IS 'builds the proportion_state of open_rate() for rollup() and the accessors; NULL for no rows';

CREATE AGGREGATE click_rate(clicked boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_rate(boolean) IS 'email click rate: clicked / rows, the rows being the messages delivered (or sent) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_agg(clicked boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_agg(boolean) IS 'builds the proportion_state of click_rate() for rollup() and the accessors; NULL for no rows';

CREATE AGGREGATE unsubscribe_rate(unsubscribed boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_rate(boolean) IS 'email unsubscribe rate: unsubscribed / rows, the rows being the messages delivered (or sent) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE unsubscribe_agg(unsubscribed boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_agg(boolean) IS 'builds the proportion_state of unsubscribe_rate() for rollup() and the accessors; NULL for no rows';

CREATE AGGREGATE registration_rate(registered boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_rate(boolean) IS 'event registration rate: registered / rows (invitees or landing-page visitors) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE registration_agg(registered boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_agg(boolean) IS 'builds the proportion_state of registration_rate() for rollup() and the accessors; NULL for no rows';

CREATE AGGREGATE attendance_rate(attended boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_rate(boolean) IS 'event attendance rate: attended / rows, the rows being the registrants in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE attendance_agg(attended boolean) (
    SFUNC = proportion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = proportion_accum,
    MINVFUNC = proportion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_agg(boolean) IS 'builds the proportion_state of attendance_rate() for rollup() and the accessors; NULL for no rows';

-- Click-to-open from two flags: a message clicked or opened is a trial (a
-- click implies an open), a click a success.

CREATE FUNCTION click_to_open_accum(proportion_state, boolean, boolean) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_accum_cto'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum(proportion_state, boolean, boolean) IS 'click-to-open transition: a clicked or opened message is a trial, a click a success';

CREATE FUNCTION click_to_open_accum_inv(proportion_state, boolean, boolean) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_prop_accum_inv_cto'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum_inv(proportion_state, boolean, boolean) IS 'click-to-open inverse transition (moving windows)';

CREATE AGGREGATE click_to_open_rate(clicked boolean, opened boolean) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_rate(boolean, boolean) IS 'email click-to-open rate: clicked / (clicked or opened) messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_to_open_agg(clicked boolean, opened boolean) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_agg(boolean, boolean) IS 'builds the proportion_state of click_to_open_rate() for rollup() and the accessors; NULL for no rows';

-- Summed counts per row: 100 * sum(count) / sum(denominator); a row with a
-- NULL is skipped; a negative count is 22003, count > denominator 22023.

CREATE FUNCTION ctr_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_ctr_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctr_accum(proportion_state, bigint, bigint) IS 'transition of ctr(clicks, impressions): adds one row of counts';

CREATE FUNCTION ctr_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_ctr_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctr_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of ctr(clicks, impressions) (moving windows)';

CREATE AGGREGATE ctr(clicks bigint, impressions bigint) (
    SFUNC = ctr_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = ctr_accum,
    MINVFUNC = ctr_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ctr(bigint, bigint) IS 'click-through rate: summed clicks / summed impressions in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE ctr_agg(clicks bigint, impressions bigint) (
    SFUNC = ctr_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = ctr_accum,
    MINVFUNC = ctr_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ctr_agg(bigint, bigint) IS 'builds the proportion_state of ctr() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION conversion_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_conversion_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION conversion_accum(proportion_state, bigint, bigint) IS 'transition of conversion_rate(conversions, visitors): adds one row of counts';

CREATE FUNCTION conversion_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_conversion_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION conversion_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of conversion_rate(conversions, visitors) (moving windows)';

CREATE AGGREGATE conversion_rate(conversions bigint, visitors bigint) (
    SFUNC = conversion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = conversion_accum,
    MINVFUNC = conversion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_rate(bigint, bigint) IS 'conversion rate: summed conversions / summed visitors in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE conversion_agg(conversions bigint, visitors bigint) (
    SFUNC = conversion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = conversion_accum,
    MINVFUNC = conversion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_agg(bigint, bigint) IS 'builds the proportion_state of conversion_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION open_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_open_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION open_accum(proportion_state, bigint, bigint) IS 'transition of open_rate(opens, delivered): adds one row of counts';

CREATE FUNCTION open_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_open_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION open_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of open_rate(opens, delivered) (moving windows)';

CREATE AGGREGATE open_rate(opens bigint, delivered bigint) (
    SFUNC = open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = open_accum,
    MINVFUNC = open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_rate(bigint, bigint) IS 'email open rate: summed unique opens / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE open_agg(opens bigint, delivered bigint) (
    SFUNC = open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = open_accum,
    MINVFUNC = open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_agg(bigint, bigint) IS 'builds the proportion_state of open_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION click_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_click_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_accum(proportion_state, bigint, bigint) IS 'transition of click_rate(clicks, delivered): adds one row of counts';

CREATE FUNCTION click_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_click_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of click_rate(clicks, delivered) (moving windows)';

CREATE AGGREGATE click_rate(clicks bigint, delivered bigint) (
    SFUNC = click_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_accum,
    MINVFUNC = click_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_rate(bigint, bigint) IS 'email click rate: summed unique clicks / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_agg(clicks bigint, delivered bigint) (
    SFUNC = click_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_accum,
    MINVFUNC = click_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_agg(bigint, bigint) IS 'builds the proportion_state of click_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION click_to_open_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_cto_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum(proportion_state, bigint, bigint) IS 'transition of click_to_open_rate(clicks, opens): adds one row of counts';

CREATE FUNCTION click_to_open_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_cto_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of click_to_open_rate(clicks, opens) (moving windows)';

CREATE AGGREGATE click_to_open_rate(clicks bigint, opens bigint) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_rate(bigint, bigint) IS 'email click-to-open rate: summed unique clicks / summed unique opens in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_to_open_agg(clicks bigint, opens bigint) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_agg(bigint, bigint) IS 'builds the proportion_state of click_to_open_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION unsubscribe_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_unsubscribe_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unsubscribe_accum(proportion_state, bigint, bigint) IS 'transition of unsubscribe_rate(unsubscribes, delivered): adds one row of counts';

CREATE FUNCTION unsubscribe_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_unsubscribe_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unsubscribe_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of unsubscribe_rate(unsubscribes, delivered) (moving windows)';

CREATE AGGREGATE unsubscribe_rate(unsubscribes bigint, delivered bigint) (
    SFUNC = unsubscribe_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = unsubscribe_accum,
    MINVFUNC = unsubscribe_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_rate(bigint, bigint) IS 'email unsubscribe rate: summed unsubscribes / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE unsubscribe_agg(unsubscribes bigint, delivered bigint) (
    SFUNC = unsubscribe_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = unsubscribe_accum,
    MINVFUNC = unsubscribe_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_agg(bigint, bigint) IS 'builds the proportion_state of unsubscribe_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION registration_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_registration_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registration_accum(proportion_state, bigint, bigint) IS 'transition of registration_rate(registrations, visitors): adds one row of counts';

CREATE FUNCTION registration_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_registration_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registration_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of registration_rate(registrations, visitors) (moving windows)';

CREATE AGGREGATE registration_rate(registrations bigint, visitors bigint) (
    SFUNC = registration_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = registration_accum,
    MINVFUNC = registration_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_rate(bigint, bigint) IS 'event registration rate: summed registrations / summed visitors (or invitees) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE registration_agg(registrations bigint, visitors bigint) (
    SFUNC = registration_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = registration_accum,
    MINVFUNC = registration_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_agg(bigint, bigint) IS 'builds the proportion_state of registration_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION attendance_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_attendance_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION attendance_accum(proportion_state, bigint, bigint) IS 'transition of attendance_rate(attendees, registrants): adds one row of counts';

CREATE FUNCTION attendance_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_attendance_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION attendance_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of attendance_rate(attendees, registrants) (moving windows)';

CREATE AGGREGATE attendance_rate(attendees bigint, registrants bigint) (
    SFUNC = attendance_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = attendance_accum,
    MINVFUNC = attendance_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_rate(bigint, bigint) IS 'event attendance rate: summed attendees / summed registrants in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE attendance_agg(attendees bigint, registrants bigint) (
    SFUNC = attendance_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = attendance_accum,
    MINVFUNC = attendance_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_agg(bigint, bigint) IS 'builds the proportion_state of attendance_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION engagement_accum(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_engagement_accum'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION engagement_accum(proportion_state, bigint, bigint) IS 'transition of engagement_rate(interactions, base): adds one row of counts';

CREATE FUNCTION engagement_accum_inv(proportion_state, bigint, bigint) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_engagement_accum_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION engagement_accum_inv(proportion_state, bigint, bigint) IS 'inverse transition of engagement_rate(interactions, base) (moving windows)';

CREATE AGGREGATE engagement_rate(interactions bigint, base bigint) (
    SFUNC = engagement_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:ratio:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = engagement_accum,
    MINVFUNC = engagement_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:ratio:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE engagement_rate(bigint, bigint) IS 'social engagement rate: summed interactions / summed base (followers, reach or impressions), may exceed 100 in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE engagement_agg(interactions bigint, base bigint) (
    SFUNC = engagement_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:ratio:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = engagement_accum,
    MINVFUNC = engagement_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:ratio:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE engagement_agg(bigint, bigint) IS 'builds the proportion_state of engagement_rate() for rollup() and the accessors; NULL for no rows';

-- The same for integer counts, so integer columns need no per-row cast to bigint.

CREATE FUNCTION ctr_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_ctr_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctr_accum(proportion_state, integer, integer) IS 'transition of ctr(clicks, impressions) for integer counts';

CREATE FUNCTION ctr_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_ctr_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctr_accum_inv(proportion_state, integer, integer) IS 'inverse transition of ctr(clicks, impressions) for integer counts (moving windows)';

CREATE AGGREGATE ctr(clicks integer, impressions integer) (
    SFUNC = ctr_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = ctr_accum,
    MINVFUNC = ctr_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ctr(integer, integer) IS 'click-through rate: summed clicks / summed impressions in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE ctr_agg(clicks integer, impressions integer) (
    SFUNC = ctr_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = ctr_accum,
    MINVFUNC = ctr_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ctr_agg(integer, integer) IS 'builds the proportion_state of ctr() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION conversion_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_conversion_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION conversion_accum(proportion_state, integer, integer) IS 'transition of conversion_rate(conversions, visitors) for integer counts';

CREATE FUNCTION conversion_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_conversion_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION conversion_accum_inv(proportion_state, integer, integer) IS 'inverse transition of conversion_rate(conversions, visitors) for integer counts (moving windows)';

CREATE AGGREGATE conversion_rate(conversions integer, visitors integer) (
    SFUNC = conversion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = conversion_accum,
    MINVFUNC = conversion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_rate(integer, integer) IS 'conversion rate: summed conversions / summed visitors in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE conversion_agg(conversions integer, visitors integer) (
    SFUNC = conversion_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = conversion_accum,
    MINVFUNC = conversion_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE conversion_agg(integer, integer) IS 'builds the proportion_state of conversion_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION open_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_open_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION open_accum(proportion_state, integer, integer) IS 'transition of open_rate(opens, delivered) for integer counts';

CREATE FUNCTION open_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_open_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION open_accum_inv(proportion_state, integer, integer) IS 'inverse transition of open_rate(opens, delivered) for integer counts (moving windows)';

CREATE AGGREGATE open_rate(opens integer, delivered integer) (
    SFUNC = open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = open_accum,
    MINVFUNC = open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_rate(integer, integer) IS 'email open rate: summed unique opens / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE open_agg(opens integer, delivered integer) (
    SFUNC = open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = open_accum,
    MINVFUNC = open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE open_agg(integer, integer) IS 'builds the proportion_state of open_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION click_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_click_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_accum(proportion_state, integer, integer) IS 'transition of click_rate(clicks, delivered) for integer counts';

CREATE FUNCTION click_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_click_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_accum_inv(proportion_state, integer, integer) IS 'inverse transition of click_rate(clicks, delivered) for integer counts (moving windows)';

CREATE AGGREGATE click_rate(clicks integer, delivered integer) (
    SFUNC = click_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_accum,
    MINVFUNC = click_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_rate(integer, integer) IS 'email click rate: summed unique clicks / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_agg(clicks integer, delivered integer) (
    SFUNC = click_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_accum,
    MINVFUNC = click_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_agg(integer, integer) IS 'builds the proportion_state of click_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION click_to_open_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_cto_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum(proportion_state, integer, integer) IS 'transition of click_to_open_rate(clicks, opens) for integer counts';

CREATE FUNCTION click_to_open_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_cto_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION click_to_open_accum_inv(proportion_state, integer, integer) IS 'inverse transition of click_to_open_rate(clicks, opens) for integer counts (moving windows)';

CREATE AGGREGATE click_to_open_rate(clicks integer, opens integer) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_rate(integer, integer) IS 'email click-to-open rate: summed unique clicks / summed unique opens in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE click_to_open_agg(clicks integer, opens integer) (
    SFUNC = click_to_open_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = click_to_open_accum,
    MINVFUNC = click_to_open_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE click_to_open_agg(integer, integer) IS 'builds the proportion_state of click_to_open_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION unsubscribe_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_unsubscribe_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unsubscribe_accum(proportion_state, integer, integer) IS 'transition of unsubscribe_rate(unsubscribes, delivered) for integer counts';

CREATE FUNCTION unsubscribe_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_unsubscribe_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unsubscribe_accum_inv(proportion_state, integer, integer) IS 'inverse transition of unsubscribe_rate(unsubscribes, delivered) for integer counts (moving windows)';

CREATE AGGREGATE unsubscribe_rate(unsubscribes integer, delivered integer) (
    SFUNC = unsubscribe_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = unsubscribe_accum,
    MINVFUNC = unsubscribe_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_rate(integer, integer) IS 'email unsubscribe rate: summed unsubscribes / summed delivered messages in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE unsubscribe_agg(unsubscribes integer, delivered integer) (
    SFUNC = unsubscribe_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = unsubscribe_accum,
    MINVFUNC = unsubscribe_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE unsubscribe_agg(integer, integer) IS 'builds the proportion_state of unsubscribe_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION registration_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_registration_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registration_accum(proportion_state, integer, integer) IS 'transition of registration_rate(registrations, visitors) for integer counts';

CREATE FUNCTION registration_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_registration_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION registration_accum_inv(proportion_state, integer, integer) IS 'inverse transition of registration_rate(registrations, visitors) for integer counts (moving windows)';

CREATE AGGREGATE registration_rate(registrations integer, visitors integer) (
    SFUNC = registration_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = registration_accum,
    MINVFUNC = registration_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_rate(integer, integer) IS 'event registration rate: summed registrations / summed visitors (or invitees) in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE registration_agg(registrations integer, visitors integer) (
    SFUNC = registration_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = registration_accum,
    MINVFUNC = registration_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE registration_agg(integer, integer) IS 'builds the proportion_state of registration_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION attendance_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_attendance_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION attendance_accum(proportion_state, integer, integer) IS 'transition of attendance_rate(attendees, registrants) for integer counts';

CREATE FUNCTION attendance_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_attendance_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION attendance_accum_inv(proportion_state, integer, integer) IS 'inverse transition of attendance_rate(attendees, registrants) for integer counts (moving windows)';

CREATE AGGREGATE attendance_rate(attendees integer, registrants integer) (
    SFUNC = attendance_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = attendance_accum,
    MINVFUNC = attendance_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_rate(integer, integer) IS 'event attendance rate: summed attendees / summed registrants in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE attendance_agg(attendees integer, registrants integer) (
    SFUNC = attendance_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = attendance_accum,
    MINVFUNC = attendance_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE attendance_agg(integer, integer) IS 'builds the proportion_state of attendance_rate() for rollup() and the accessors; NULL for no rows';

CREATE FUNCTION engagement_accum(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_engagement_accum_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION engagement_accum(proportion_state, integer, integer) IS 'transition of engagement_rate(interactions, base) for integer counts';

CREATE FUNCTION engagement_accum_inv(proportion_state, integer, integer) RETURNS proportion_state
    AS 'MODULE_PATHNAME', 'engage_engagement_accum_inv_int4'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION engagement_accum_inv(proportion_state, integer, integer) IS 'inverse transition of engagement_rate(interactions, base) for integer counts (moving windows)';

CREATE AGGREGATE engagement_rate(interactions integer, base integer) (
    SFUNC = engagement_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:ratio:0/0',
    FINALFUNC = rate,
    COMBINEFUNC = proportion_combine,
    MSFUNC = engagement_accum,
    MINVFUNC = engagement_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:ratio:0/0',
    MFINALFUNC = rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE engagement_rate(integer, integer) IS 'social engagement rate: summed interactions / summed base (followers, reach or impressions), may exceed 100 in percent; NULL for no rows or a zero denominator';

CREATE AGGREGATE engagement_agg(interactions integer, base integer) (
    SFUNC = engagement_accum,
    STYPE = proportion_state,
    INITCOND = 'v1:ratio:0/0',
    FINALFUNC = proportion_state_final,
    COMBINEFUNC = proportion_combine,
    MSFUNC = engagement_accum,
    MINVFUNC = engagement_accum_inv,
    MSTYPE = proportion_state,
    MINITCOND = 'v1:ratio:0/0',
    MFINALFUNC = proportion_state_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE engagement_agg(integer, integer) IS 'builds the proportion_state of engagement_rate() for rollup() and the accessors; NULL for no rows';
-----------------------------------------------------------------------------
-- Sessions from raw page-view events (user_id, ts, page).
-- sessionize(ts [, gap]) runs over ONE user's events (GROUP BY user_id) and
-- returns a session_state; rollup(session_state) adds users together.  A
-- session is cut where consecutive events are MORE than gap (default 30
-- minutes) apart; events exactly gap apart stay in one session.  Every event
-- is a page view.  A session lasts from its first to its last event (a
-- bounce, one event, lasts 0 as in Google Analytics); engaged (GA4) = longer
-- than 10 s or 2+ page views.  Text form of session_state (exact):
--   v1;gap_us=G;sessions=S;events=E;duration_us=D;bounces=B;engaged=N
-- page_stats(ts, page [, gap]) returns per page views, entrances, exits and
-- time on page of one user, to unnest and sum per page.
-----------------------------------------------------------------------------
CREATE TYPE session_state;

CREATE FUNCTION session_state_in(cstring) RETURNS session_state
    AS 'MODULE_PATHNAME', 'engage_session_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_state_in(cstring) IS 'text input of session_state, validated';

CREATE FUNCTION session_state_out(session_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_session_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_state_out(session_state) IS 'text output of session_state (exact counts)';

CREATE FUNCTION session_state_recv(internal) RETURNS session_state
    AS 'MODULE_PATHNAME', 'engage_session_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_state_recv(internal) IS 'binary input of session_state, validated like the text input';

CREATE FUNCTION session_state_send(session_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_session_state_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_state_send(session_state) IS 'binary output of session_state';

CREATE TYPE session_state (
    INPUT = session_state_in,
    OUTPUT = session_state_out,
    RECEIVE = session_state_recv,
    SEND = session_state_send,
    INTERNALLENGTH = 56,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE session_state IS
    'web sessions: gap, sessions, page views, total duration, bounces and engaged sessions (exact counts); rolls up exactly';

CREATE FUNCTION session_state_to_jsonb(session_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_session_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_state_to_jsonb(session_state) IS
    'session_state as jsonb: counts, durations in seconds and the rates';

CREATE CAST (session_state AS jsonb) WITH FUNCTION session_state_to_jsonb(session_state);
COMMENT ON CAST (session_state AS jsonb) IS 'session_state as a jsonb object';

-- sessionize: collect one user's timestamps, sort and cut at the end.
-- SSPACE tells the planner a user's state is about 1 kB (~100 events), not
-- the 8 kB it assumes for internal states, so that HashAggregate over
-- GROUP BY user_id is planned without needless spilling.
CREATE FUNCTION sessionize_accum(internal, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_sessionize_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION sessionize_accum(internal, timestamptz) IS
    'sessionize transition: collects one event timestamp (NULL ignored), gap 30 minutes';

CREATE FUNCTION sessionize_accum(internal, timestamptz, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_sessionize_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION sessionize_accum(internal, timestamptz, interval) IS
    'sessionize transition: collects one event timestamp (NULL ignored) with an explicit gap';

CREATE FUNCTION sessionize_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_sessionize_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION sessionize_combine(internal, internal) IS 'sessionize combine: concatenates two partial states of one user';

CREATE FUNCTION sessionize_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_sessionize_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sessionize_serialize(internal) IS 'sessionize serialize: version, gap and the timestamps';

CREATE FUNCTION sessionize_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_sessionize_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sessionize_deserialize(bytea, internal) IS 'sessionize deserialize, every field and length checked';

CREATE FUNCTION sessionize_final(internal) RETURNS session_state
    AS 'MODULE_PATHNAME', 'engage_sessionize_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION sessionize_final(internal) IS
    'sessionize final: sorts the timestamps and cuts sessions; NULL over no events';

CREATE AGGREGATE sessionize(ts timestamptz) (
    SFUNC = sessionize_accum,
    STYPE = internal,
    SSPACE = 1024,
    FINALFUNC = sessionize_final,
    COMBINEFUNC = sessionize_combine,
    SERIALFUNC = sessionize_serialize,
    DESERIALFUNC = sessionize_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE sessionize(timestamptz) IS
    'sessions of ONE user''s events (GROUP BY user_id), cut where events are more than 30 minutes apart; any row order; NULL over no events';

CREATE AGGREGATE sessionize(ts timestamptz, gap interval) (
    SFUNC = sessionize_accum,
    STYPE = internal,
    SSPACE = 1024,
    FINALFUNC = sessionize_final,
    COMBINEFUNC = sessionize_combine,
    SERIALFUNC = sessionize_serialize,
    DESERIALFUNC = sessionize_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE sessionize(timestamptz, interval) IS
    'sessions of ONE user''s events (GROUP BY user_id), cut where events are more than gap apart (days and/or time); any row order; NULL over no events';

-- sessionize(user_id, ts): many users' events at once (one call, no GROUP BY
-- user_id); each user's events are sessionized separately.
CREATE FUNCTION sessionize_users_accum(internal, bigint, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_sessionize_users_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION sessionize_users_accum(internal, bigint, timestamptz) IS
    'sessionize(user_id, ts) transition: collects one (user, ts) pair (NULL ignored), gap 30 minutes';

CREATE FUNCTION sessionize_users_accum(internal, bigint, timestamptz, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_sessionize_users_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION sessionize_users_accum(internal, bigint, timestamptz, interval) IS
    'sessionize(user_id, ts, gap) transition: collects one (user, ts) pair (NULL ignored) with an explicit gap';

CREATE AGGREGATE sessionize(user_id bigint, ts timestamptz) (
    SFUNC = sessionize_users_accum,
    STYPE = internal,
    FINALFUNC = sessionize_final,
    COMBINEFUNC = sessionize_combine,
    SERIALFUNC = sessionize_serialize,
    DESERIALFUNC = sessionize_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE sessionize(bigint, timestamptz) IS
    'sessions of many users'' events in one call (each user sessionized on its own), 30 minute gap; any row order; NULL over no events';

CREATE AGGREGATE sessionize(user_id bigint, ts timestamptz, gap interval) (
    SFUNC = sessionize_users_accum,
    STYPE = internal,
    FINALFUNC = sessionize_final,
    COMBINEFUNC = sessionize_combine,
    SERIALFUNC = sessionize_serialize,
    DESERIALFUNC = sessionize_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE sessionize(bigint, timestamptz, interval) IS
    'sessions of many users'' events in one call (each user sessionized on its own), cut where events are more than gap apart; NULL over no events';

-- rollup across users (element-wise sums, same gap), with an inverse for windows.
CREATE FUNCTION sessions_combine(session_state, session_state) RETURNS session_state
    AS 'MODULE_PATHNAME', 'engage_sessions_combine'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sessions_combine(session_state, session_state) IS
    'adds two session_state values of the same gap (combine and rollup transition)';

CREATE FUNCTION sessions_combine_inv(session_state, session_state) RETURNS session_state
    AS 'MODULE_PATHNAME', 'engage_sessions_combine_inv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sessions_combine_inv(session_state, session_state) IS
    'removes a session_state from a running rollup (moving windows)';

CREATE FUNCTION sessions_final(session_state) RETURNS session_state
    AS 'MODULE_PATHNAME', 'engage_sessions_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION sessions_final(session_state) IS 'final function of rollup(session_state): the state, NULL for no sessions';

CREATE AGGREGATE rollup(session_state) (
    SFUNC = sessions_combine,
    STYPE = session_state,
    FINALFUNC = sessions_final,
    COMBINEFUNC = sessions_combine,
    MSFUNC = sessions_combine,
    MINVFUNC = sessions_combine_inv,
    MSTYPE = session_state,
    MFINALFUNC = sessions_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(session_state) IS
    'adds session_state values exactly (users to totals, days to months); states of different gaps are an error';

-- Readers.
CREATE FUNCTION sessions(state session_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_sessions_sessions'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sessions(session_state) IS 'number of sessions';

CREATE FUNCTION events(state session_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_sessions_events'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION events(session_state) IS 'number of events (every event is a page view: = pageviews)';

CREATE FUNCTION pageviews(state session_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_sessions_events'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pageviews(session_state) IS 'number of page views (= events)';

CREATE FUNCTION bounces(state session_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_sessions_bounces'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bounces(session_state) IS 'number of single-page (single-event) sessions';

CREATE FUNCTION engaged_sessions(state session_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_sessions_engaged'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION engaged_sessions(session_state) IS
    'GA4 engaged sessions: longer than 10 s or with 2+ page views (= sessions - bounces when every event is a page view)';

CREATE FUNCTION session_gap(state session_state) RETURNS interval
    AS 'MODULE_PATHNAME', 'engage_sessions_gap'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_gap(session_state) IS 'the inactivity gap the state was built with';

CREATE FUNCTION total_session_duration(state session_state) RETURNS interval
    AS 'MODULE_PATHNAME', 'engage_sessions_total_duration'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION total_session_duration(session_state) IS 'sum over sessions of (last event - first event), exact';

CREATE FUNCTION avg_session_duration(state session_state) RETURNS interval
    AS 'MODULE_PATHNAME', 'engage_sessions_avg_duration'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION avg_session_duration(session_state) IS
    'average session duration (bounces count 0, as in Google Analytics), rounded to the microsecond; NULL for no sessions';

CREATE FUNCTION avg_session_seconds(state session_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_sessions_avg_seconds'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION avg_session_seconds(session_state) IS
    'average session duration in seconds (bounces count 0); NULL for no sessions';

CREATE FUNCTION pages_per_session(state session_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_sessions_pages_per_session'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pages_per_session(session_state) IS 'page views / sessions; NULL for no sessions';

CREATE FUNCTION bounce_rate(state session_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_sessions_bounce_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bounce_rate(session_state) IS 'percent of sessions with a single page view; NULL for no sessions';

CREATE FUNCTION engagement_rate(state session_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_sessions_engagement_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION engagement_rate(session_state) IS
    'GA4 engagement rate: percent of sessions that are engaged (= 100 - bounce_rate when every event is a page view); NULL for no sessions';

-- Equality and hashing (DISTINCT, UNION, GROUP BY, hash joins).
CREATE FUNCTION session_state_eq(session_state, session_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_session_state_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_state_eq(session_state, session_state) IS 'true when two session_state values have the same gap and counts';

CREATE FUNCTION session_state_ne(session_state, session_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'engage_session_state_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_state_ne(session_state, session_state) IS 'true when two session_state values differ in gap or counts';

CREATE FUNCTION session_state_hash(session_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_session_state_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_state_hash(session_state) IS 'hash of a session_state, consistent with =';

CREATE OPERATOR = (
    LEFTARG = session_state, RIGHTARG = session_state, FUNCTION = session_state_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);
COMMENT ON OPERATOR = (session_state, session_state) IS 'same gap and counts';

CREATE OPERATOR <> (
    LEFTARG = session_state, RIGHTARG = session_state, FUNCTION = session_state_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR <> (session_state, session_state) IS 'different gap or counts';

CREATE OPERATOR CLASS session_state_hash_ops DEFAULT FOR TYPE session_state USING hash AS
    OPERATOR 1 = (session_state, session_state),
    FUNCTION 1 session_state_hash(session_state);
COMMENT ON OPERATOR CLASS session_state_hash_ops USING hash IS 'hashing of session_state for DISTINCT, UNION and hash joins';

-----------------------------------------------------------------------------
-- page_stats: per page views, entrances, exits and time on page of ONE user.
-----------------------------------------------------------------------------
CREATE TYPE page_stat AS (
    page text,
    views bigint,
    entrances bigint,
    exits bigint,
    timed_views bigint,
    time_on_page interval
);
COMMENT ON TYPE page_stat IS
    'one page of one user: views, entrances (first view of a session), exits (last view of a session), '
    'timed views (not the last of their session) and their summed time on page';

CREATE FUNCTION page_stats_accum(internal, timestamptz, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_page_stats_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION page_stats_accum(internal, timestamptz, text) IS
    'page_stats transition: collects one page view (NULL ts or page ignored), gap 30 minutes';

CREATE FUNCTION page_stats_accum(internal, timestamptz, text, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_page_stats_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION page_stats_accum(internal, timestamptz, text, interval) IS
    'page_stats transition: collects one page view (NULL ts or page ignored) with an explicit gap';

CREATE FUNCTION page_stats_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_page_stats_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION page_stats_combine(internal, internal) IS 'page_stats combine: concatenates two partial states of one user';

CREATE FUNCTION page_stats_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_page_stats_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION page_stats_serialize(internal) IS 'page_stats serialize: version, gap and the (ts, page) events';

CREATE FUNCTION page_stats_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_page_stats_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION page_stats_deserialize(bytea, internal) IS 'page_stats deserialize, every field and length checked';

CREATE FUNCTION page_stats_final(internal) RETURNS page_stat[]
    AS 'MODULE_PATHNAME', 'engage_page_stats_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION page_stats_final(internal) IS
    'page_stats final: sorts by (ts, page), cuts sessions, one page_stat per page in page order; NULL over no events';

CREATE AGGREGATE page_stats(ts timestamptz, page text) (
    SFUNC = page_stats_accum,
    STYPE = internal,
    FINALFUNC = page_stats_final,
    COMBINEFUNC = page_stats_combine,
    SERIALFUNC = page_stats_serialize,
    DESERIALFUNC = page_stats_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE page_stats(timestamptz, text) IS
    'per page views, entrances, exits and time on page of ONE user''s page views (GROUP BY user_id), sessions cut at 30 minutes; unnest and sum per page';

CREATE AGGREGATE page_stats(ts timestamptz, page text, gap interval) (
    SFUNC = page_stats_accum,
    STYPE = internal,
    FINALFUNC = page_stats_final,
    COMBINEFUNC = page_stats_combine,
    SERIALFUNC = page_stats_serialize,
    DESERIALFUNC = page_stats_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE page_stats(timestamptz, text, interval) IS
    'per page views, entrances, exits and time on page of ONE user''s page views (GROUP BY user_id), sessions cut at gap; unnest and sum per page';
-----------------------------------------------------------------------------
-- Window funnels (ClickHouse windowFunnel, default mode).  Per user (GROUP BY
-- user): funnel(ts, step, window) -> funnel_state of one user: the deepest
-- step reached by a chain step 1 -> 2 -> ... -> k with every step within
-- `window` of the chain's step-1 event, and the time to each step.  Events
-- are sorted by (ts, step) inside the aggregate: row order does not matter,
-- and events at the same instant count in step order.  Across users:
-- rollup(funnel_state), read with funnel_steps(state); or, in one call over
-- every user's rows, funnel(user_id, ts, step, window), equal to that rollup
-- (the fast path, at the end of this file).  Times between steps
-- are kept exactly (sums) and as a histogram of log-spaced buckets (medians
-- within 1/128 relative).  Text form:
--   v1;steps=N;users=U;reached=R1,...,RN;s2=SECONDS;h2=LOWER_US:COUNT,...;...
-----------------------------------------------------------------------------
CREATE TYPE funnel_state;

CREATE FUNCTION funnel_state_in(cstring) RETURNS funnel_state
    AS 'MODULE_PATHNAME', 'engage_funnel_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_state_in(cstring) IS 'text input of funnel_state, validated';

CREATE FUNCTION funnel_state_out(funnel_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_funnel_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_state_out(funnel_state) IS 'text output of funnel_state (exact)';

CREATE FUNCTION funnel_state_recv(internal) RETURNS funnel_state
    AS 'MODULE_PATHNAME', 'engage_funnel_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_state_recv(internal) IS 'binary input of funnel_state, validated like the text input';

CREATE FUNCTION funnel_state_send(funnel_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_funnel_state_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_state_send(funnel_state) IS 'binary output of funnel_state';

CREATE TYPE funnel_state (
    INPUT = funnel_state_in,
    OUTPUT = funnel_state_out,
    RECEIVE = funnel_state_recv,
    SEND = funnel_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE funnel_state IS
    'window funnel of one or many users: users reaching each step, exact sums and log-bucket histograms of the times between steps; rolls up';

CREATE FUNCTION funnel_state_to_jsonb(funnel_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_funnel_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_state_to_jsonb(funnel_state) IS
    'funnel_state as jsonb: users and per step users, conversion from step 1, median and mean seconds from the previous step';

CREATE CAST (funnel_state AS jsonb) WITH FUNCTION funnel_state_to_jsonb(funnel_state);
COMMENT ON CAST (funnel_state AS jsonb) IS 'funnel_state as a jsonb object';

-- funnel(): one user's events.  SSPACE tells the planner the average state
-- size per group (256 bytes with 12 events inline): without it, hash aggregation assumes
-- 8 kB per internal state and spills to disk long before work_mem is used.
CREATE FUNCTION funnel_accum(internal, timestamptz, integer, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_accum(internal, timestamptz, integer, interval) IS
    'funnel transition: keeps one funnel event (step 1..32; 0 or NULL: not a funnel event)';

CREATE FUNCTION funnel_accum(internal, timestamptz, integer, interval, integer) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_accum(internal, timestamptz, integer, interval, integer) IS
    'funnel transition with an explicit number of steps: keeps one funnel event (step 1..steps)';

CREATE FUNCTION funnel_accum(internal, timestamptz, boolean[], interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_accum_conditions'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_accum(internal, timestamptz, boolean[], interval) IS
    'funnel transition from conditions: one event per true element (element k: step k)';

CREATE FUNCTION funnel_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_combine(internal, internal) IS 'appends the events of two running funnel states (parallel combine)';

CREATE FUNCTION funnel_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_funnel_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_serialize(internal) IS 'serializes a running funnel state';

CREATE FUNCTION funnel_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_deserialize(bytea, internal) IS 'deserializes a running funnel state, every length and event checked';

CREATE FUNCTION funnel_final(internal) RETURNS funnel_state
    AS 'MODULE_PATHNAME', 'engage_funnel_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_final(internal) IS
    'funnel final function: sorts the events by (ts, step) and returns the one-user funnel_state';

CREATE AGGREGATE funnel(ts timestamptz, step integer, "window" interval) (
    SFUNC = funnel_accum,
    STYPE = internal,
    FINALFUNC = funnel_final,
    COMBINEFUNC = funnel_combine,
    SERIALFUNC = funnel_serialize,
    DESERIALFUNC = funnel_deserialize,
    SSPACE = 320,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel(timestamptz, integer, interval) IS
    'window funnel of one user''s events (GROUP BY user): step 1..32 (0/NULL: not a funnel event); the steps are 1 to the largest step seen';

CREATE AGGREGATE funnel(ts timestamptz, step integer, "window" interval, steps integer) (
    SFUNC = funnel_accum,
    STYPE = internal,
    FINALFUNC = funnel_final,
    COMBINEFUNC = funnel_combine,
    SERIALFUNC = funnel_serialize,
    DESERIALFUNC = funnel_deserialize,
    SSPACE = 320,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel(timestamptz, integer, interval, integer) IS
    'window funnel of one user''s events with a fixed number of steps (1..32)';

CREATE AGGREGATE funnel(ts timestamptz, conditions boolean[], "window" interval) (
    SFUNC = funnel_accum,
    STYPE = internal,
    FINALFUNC = funnel_final,
    COMBINEFUNC = funnel_combine,
    SERIALFUNC = funnel_serialize,
    DESERIALFUNC = funnel_deserialize,
    SSPACE = 320,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel(timestamptz, boolean[], interval) IS
    'window funnel of one user''s events from conditions, like windowFunnel(window)(ts, cond1, cond2, ...): element k true = step k';

-- rollup(funnel_state): across users
CREATE FUNCTION funnel_rollup_accum(internal, funnel_state) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_rollup_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_rollup_accum(internal, funnel_state) IS
    'rollup(funnel_state) transition: adds a validated state; NULLs ignored';

CREATE FUNCTION funnel_rollup_accum_inv(internal, funnel_state) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_rollup_accum_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_rollup_accum_inv(internal, funnel_state) IS
    'rollup(funnel_state) inverse transition: removes a state (moving windows)';

CREATE FUNCTION funnel_rollup_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_rollup_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_rollup_combine(internal, internal) IS 'adds two running funnel rollups (parallel combine)';

CREATE FUNCTION funnel_rollup_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_funnel_rollup_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_rollup_serialize(internal) IS 'serializes a running funnel rollup';

CREATE FUNCTION funnel_rollup_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_rollup_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_rollup_deserialize(bytea, internal) IS
    'deserializes a running funnel rollup, validated like funnel_state input';

CREATE FUNCTION funnel_rollup_final(internal) RETURNS funnel_state
    AS 'MODULE_PATHNAME', 'engage_funnel_rollup_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_rollup_final(internal) IS 'rollup(funnel_state) final function: the sum, NULL for no states';

CREATE AGGREGATE rollup(funnel_state) (
    SFUNC = funnel_rollup_accum,
    STYPE = internal,
    FINALFUNC = funnel_rollup_final,
    COMBINEFUNC = funnel_rollup_combine,
    SERIALFUNC = funnel_rollup_serialize,
    DESERIALFUNC = funnel_rollup_deserialize,
    SSPACE = 4096,
    MSFUNC = funnel_rollup_accum,
    MINVFUNC = funnel_rollup_accum_inv,
    MSTYPE = internal,
    MFINALFUNC = funnel_rollup_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(funnel_state) IS
    'adds funnel_state values (users to the whole funnel, days to months, segments to totals); states of fewer steps count 0 users at the extra steps';

-- readers
CREATE FUNCTION funnel_steps(state funnel_state)
    RETURNS TABLE (step integer, users bigint, conversion_from_first double precision,
                   conversion_from_previous double precision, median_time_from_previous interval,
                   mean_time_from_previous interval)
    AS 'MODULE_PATHNAME', 'engage_funnel_steps'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION funnel_steps(funnel_state) IS
    'one row per step: users who reached it, percent of the step-1 users and of the previous step''s users, median (within 1/128) and exact mean time from the previous step';

CREATE FUNCTION funnel_depth(state funnel_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_funnel_depth'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_depth(funnel_state) IS 'the deepest step reached (by any user of the state); 0 when no chain started';

CREATE FUNCTION funnel_times(state funnel_state) RETURNS interval[]
    AS 'MODULE_PATHNAME', 'engage_funnel_times'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_times(funnel_state) IS
    'of a one-user state: exact time from step 1 to each step reached (element 1 is 0); 22023 for several users';

CREATE FUNCTION funnel_users(state funnel_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_funnel_users'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_users(funnel_state) IS 'users aggregated, whether or not they reached step 1';

CREATE FUNCTION funnel_step_count(state funnel_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'engage_funnel_step_count'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_step_count(funnel_state) IS 'the number of steps of the funnel';

CREATE FUNCTION funnel_conversion(state funnel_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_funnel_conversion'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_conversion(funnel_state) IS
    'percent of the users who reached step 1 who reached the last step; NULL when none reached step 1';

-- funnel(user_id, ts, ...): the one-call keyed form.  Many users' rows in
-- ONE aggregate (no GROUP BY user_id): each user's events are kept apart in
-- the aggregate's own hash table, the final function runs each user's funnel
-- and rolls them up.  The result equals rollup() of the per-user states of
-- funnel(ts, ...) GROUP BY user_id.  Rows with a NULL user_id are ignored.
CREATE FUNCTION funnel_keyed_accum(internal, bigint, timestamptz, integer, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_keyed_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_keyed_accum(internal, bigint, timestamptz, integer, interval) IS
    'funnel(user_id, ...) transition: registers the user and keeps one funnel event of that user (step 1..32; 0 or NULL: not a funnel event)';

CREATE FUNCTION funnel_keyed_accum(internal, bigint, timestamptz, integer, interval, integer) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_keyed_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_keyed_accum(internal, bigint, timestamptz, integer, interval, integer) IS
    'funnel(user_id, ...) transition with an explicit number of steps: registers the user and keeps one funnel event (step 1..steps)';

CREATE FUNCTION funnel_keyed_accum(internal, bigint, timestamptz, boolean[], interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_keyed_accum_conditions'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_keyed_accum(internal, bigint, timestamptz, boolean[], interval) IS
    'funnel(user_id, ...) transition from conditions: registers the user and keeps one event per true element (element k: step k)';

CREATE FUNCTION funnel_keyed_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_keyed_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_keyed_combine(internal, internal) IS
    'merges the users and appends the events of two running funnel(user_id, ...) states (parallel combine)';

CREATE FUNCTION funnel_keyed_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_funnel_keyed_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_keyed_serialize(internal) IS 'serializes a running funnel(user_id, ...) state: users, then their events user by user';

CREATE FUNCTION funnel_keyed_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_funnel_keyed_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_keyed_deserialize(bytea, internal) IS
    'deserializes a running funnel(user_id, ...) state, every length, user and event checked';

CREATE FUNCTION funnel_keyed_final(internal) RETURNS funnel_state
    AS 'MODULE_PATHNAME', 'engage_funnel_keyed_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_keyed_final(internal) IS
    'funnel(user_id, ...) final function: each user''s funnel, rolled up across users (as rollup() of the per-user states); NULL for no users';

CREATE AGGREGATE funnel(user_id bigint, ts timestamptz, step integer, "window" interval) (
    SFUNC = funnel_keyed_accum,
    STYPE = internal,
    FINALFUNC = funnel_keyed_final,
    COMBINEFUNC = funnel_keyed_combine,
    SERIALFUNC = funnel_keyed_serialize,
    DESERIALFUNC = funnel_keyed_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel(bigint, timestamptz, integer, interval) IS
    'window funnel of many users in one call (no GROUP BY user): each user''s funnel, rolled up; equals rollup() of funnel(ts, step, window) GROUP BY user_id';

CREATE AGGREGATE funnel(user_id bigint, ts timestamptz, step integer, "window" interval, steps integer) (
    SFUNC = funnel_keyed_accum,
    STYPE = internal,
    FINALFUNC = funnel_keyed_final,
    COMBINEFUNC = funnel_keyed_combine,
    SERIALFUNC = funnel_keyed_serialize,
    DESERIALFUNC = funnel_keyed_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel(bigint, timestamptz, integer, interval, integer) IS
    'window funnel of many users in one call with a fixed number of steps (1..32); equals rollup() of funnel(ts, step, window, steps) GROUP BY user_id';

CREATE AGGREGATE funnel(user_id bigint, ts timestamptz, conditions boolean[], "window" interval) (
    SFUNC = funnel_keyed_accum,
    STYPE = internal,
    FINALFUNC = funnel_keyed_final,
    COMBINEFUNC = funnel_keyed_combine,
    SERIALFUNC = funnel_keyed_serialize,
    DESERIALFUNC = funnel_keyed_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel(bigint, timestamptz, boolean[], interval) IS
    'window funnel of many users in one call from conditions (element k true = step k); equals rollup() of funnel(ts, conditions, window) GROUP BY user_id';
-----------------------------------------------------------------------------
-- Support resolution time.  resolution_agg(opened_at, resolved_at) or
-- resolution_agg(resolution interval) -> resolution_state: open tickets
-- (resolved_at / the interval NULL) are counted apart; resolved ones keep an
-- exact sum (mean to the microsecond) and a histogram of log-spaced buckets
-- (64 per power of two of microseconds): medians and percentiles within 1/128
-- of percentile_cont, the percent within an SLA chosen at read time exact
-- when SLA + 1 microsecond starts a bucket, else between the exact percents
-- within SLA * 64/65 and SLA * 65/64.  Text form:
--   v1;open=O;resolved=R;sum=SECONDS.UUUUUU;h=LOWER_US:COUNT,...
-----------------------------------------------------------------------------
CREATE TYPE resolution_state;

CREATE FUNCTION resolution_state_in(cstring) RETURNS resolution_state
    AS 'MODULE_PATHNAME', 'engage_resolution_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION resolution_state_in(cstring) IS 'text input of resolution_state, validated';

CREATE FUNCTION resolution_state_out(resolution_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'engage_resolution_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION resolution_state_out(resolution_state) IS 'text output of resolution_state (exact)';

CREATE FUNCTION resolution_state_recv(internal) RETURNS resolution_state
    AS 'MODULE_PATHNAME', 'engage_resolution_state_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION resolution_state_recv(internal) IS 'binary input of resolution_state, validated like the text input';

CREATE FUNCTION resolution_state_send(resolution_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_resolution_state_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION resolution_state_send(resolution_state) IS 'binary output of resolution_state';

CREATE TYPE resolution_state (
    INPUT = resolution_state_in,
    OUTPUT = resolution_state_out,
    RECEIVE = resolution_state_recv,
    SEND = resolution_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE resolution_state IS
    'ticket resolution times: open and resolved counts, exact sum, log-bucket histogram (1/128 relative); rolls up, SLA chosen at read time';

CREATE FUNCTION resolution_state_to_jsonb(resolution_state) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'engage_resolution_state_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION resolution_state_to_jsonb(resolution_state) IS
    'resolution_state as jsonb: counts, sum, mean, median and p90 in seconds, and the buckets [lower_us, upper_us, count]';

CREATE CAST (resolution_state AS jsonb) WITH FUNCTION resolution_state_to_jsonb(resolution_state);
COMMENT ON CAST (resolution_state AS jsonb) IS 'resolution_state as a jsonb object';

-- transitions
CREATE FUNCTION resolution_accum(internal, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_accum(internal, timestamptz, timestamptz) IS
    'resolution transition: one ticket (opened_at, resolved_at); resolved_at NULL is open, opened_at NULL is ignored';

CREATE FUNCTION resolution_accum_inv(internal, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_accum_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_accum_inv(internal, timestamptz, timestamptz) IS
    'resolution inverse transition: removes one ticket (moving windows)';

CREATE FUNCTION resolution_accum(internal, timestamptz, timestamptz, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_accum(internal, timestamptz, timestamptz, interval) IS
    'resolution_within transition: one ticket, and the SLA (the same on every row)';

CREATE FUNCTION resolution_accum_inv(internal, timestamptz, timestamptz, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_accum_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_accum_inv(internal, timestamptz, timestamptz, interval) IS
    'resolution_within inverse transition: removes one ticket (moving windows)';

CREATE FUNCTION resolution_accum(internal, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_accum_interval'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_accum(internal, interval) IS
    'resolution transition: one ticket''s resolution time; NULL is an open ticket';

CREATE FUNCTION resolution_accum_inv(internal, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_accum_interval_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_accum_inv(internal, interval) IS
    'resolution inverse transition: removes one ticket''s resolution time (moving windows)';

CREATE FUNCTION resolution_accum(internal, interval, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_accum_interval'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_accum(internal, interval, interval) IS
    'resolution_within transition: one resolution time, and the SLA (the same on every row)';

CREATE FUNCTION resolution_accum_inv(internal, interval, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_accum_interval_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_accum_inv(internal, interval, interval) IS
    'resolution_within inverse transition: removes one resolution time (moving windows)';

CREATE FUNCTION resolution_rollup_accum(internal, resolution_state) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_rollup_accum'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_rollup_accum(internal, resolution_state) IS
    'rollup(resolution_state) transition: adds a validated state; NULLs ignored';

CREATE FUNCTION resolution_rollup_accum_inv(internal, resolution_state) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_rollup_accum_inv'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_rollup_accum_inv(internal, resolution_state) IS
    'rollup(resolution_state) inverse transition: removes a state (moving windows)';

CREATE FUNCTION resolution_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_combine(internal, internal) IS 'adds two running resolution states (parallel combine)';

CREATE FUNCTION resolution_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'engage_resolution_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION resolution_serialize(internal) IS 'serializes a running resolution state';

CREATE FUNCTION resolution_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'engage_resolution_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION resolution_deserialize(bytea, internal) IS
    'deserializes a running resolution state, validated like resolution_state input';

CREATE FUNCTION resolution_final(internal) RETURNS resolution_state
    AS 'MODULE_PATHNAME', 'engage_resolution_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_final(internal) IS 'final function of resolution_agg and rollup: the state, NULL for no tickets';

CREATE FUNCTION mean_resolution_time_final(internal) RETURNS interval
    AS 'MODULE_PATHNAME', 'engage_mean_resolution_time_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mean_resolution_time_final(internal) IS 'final function of the mean_resolution_time aggregates';

CREATE FUNCTION median_resolution_time_final(internal) RETURNS interval
    AS 'MODULE_PATHNAME', 'engage_median_resolution_time_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION median_resolution_time_final(internal) IS 'final function of the median_resolution_time aggregates';

CREATE FUNCTION resolution_within_final(internal) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_resolution_within_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION resolution_within_final(internal) IS 'final function of the resolution_within aggregates';

-- state-building aggregates (SSPACE: the planner's estimate of a group's
-- state, a histogram window of a few hundred buckets)
CREATE AGGREGATE resolution_agg(opened_at timestamptz, resolved_at timestamptz) (
    SFUNC = resolution_accum, STYPE = internal, FINALFUNC = resolution_final,
    COMBINEFUNC = resolution_combine, SERIALFUNC = resolution_serialize, DESERIALFUNC = resolution_deserialize, SSPACE = 2048,
    MSFUNC = resolution_accum, MINVFUNC = resolution_accum_inv, MSTYPE = internal, MFINALFUNC = resolution_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE resolution_agg(timestamptz, timestamptz) IS
    'builds a resolution_state from tickets (opened_at, resolved_at); resolved_at NULL = open; NULL for no tickets';

CREATE AGGREGATE resolution_agg(resolution interval) (
    SFUNC = resolution_accum, STYPE = internal, FINALFUNC = resolution_final,
    COMBINEFUNC = resolution_combine, SERIALFUNC = resolution_serialize, DESERIALFUNC = resolution_deserialize, SSPACE = 2048,
    MSFUNC = resolution_accum, MINVFUNC = resolution_accum_inv, MSTYPE = internal, MFINALFUNC = resolution_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE resolution_agg(interval) IS
    'builds a resolution_state from resolution times; NULL = open ticket; NULL for no tickets';

CREATE AGGREGATE rollup(resolution_state) (
    SFUNC = resolution_rollup_accum, STYPE = internal, FINALFUNC = resolution_final,
    COMBINEFUNC = resolution_combine, SERIALFUNC = resolution_serialize, DESERIALFUNC = resolution_deserialize, SSPACE = 2048,
    MSFUNC = resolution_rollup_accum, MINVFUNC = resolution_rollup_accum_inv, MSTYPE = internal,
    MFINALFUNC = resolution_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(resolution_state) IS
    'adds resolution_state values exactly (days to months, teams to totals, shards to the whole)';

-- one-call aggregates
CREATE AGGREGATE mean_resolution_time(opened_at timestamptz, resolved_at timestamptz) (
    SFUNC = resolution_accum, STYPE = internal, FINALFUNC = mean_resolution_time_final,
    COMBINEFUNC = resolution_combine, SERIALFUNC = resolution_serialize, DESERIALFUNC = resolution_deserialize, SSPACE = 2048,
    MSFUNC = resolution_accum, MINVFUNC = resolution_accum_inv, MSTYPE = internal, MFINALFUNC = mean_resolution_time_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mean_resolution_time(timestamptz, timestamptz) IS
    'mean resolution time of the resolved tickets, exact to the microsecond; NULL when none is resolved';

CREATE AGGREGATE mean_resolution_time(resolution interval) (
    SFUNC = resolution_accum, STYPE = internal, FINALFUNC = mean_resolution_time_final,
    COMBINEFUNC = resolution_combine, SERIALFUNC = resolution_serialize, DESERIALFUNC = resolution_deserialize, SSPACE = 2048,
    MSFUNC = resolution_accum, MINVFUNC = resolution_accum_inv, MSTYPE = internal, MFINALFUNC = mean_resolution_time_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mean_resolution_time(interval) IS
    'mean of the resolution times (NULLs are open tickets), exact to the microsecond';

CREATE AGGREGATE median_resolution_time(opened_at timestamptz, resolved_at timestamptz) (
    SFUNC = resolution_accum, STYPE = internal, FINALFUNC = median_resolution_time_final,
    COMBINEFUNC = resolution_combine, SERIALFUNC = resolution_serialize, DESERIALFUNC = resolution_deserialize, SSPACE = 2048,
    MSFUNC = resolution_accum, MINVFUNC = resolution_accum_inv, MSTYPE = internal, MFINALFUNC = median_resolution_time_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE median_resolution_time(timestamptz, timestamptz) IS
    'median resolution time of the resolved tickets, within 1/128 of percentile_cont(0.5); NULL when none is resolved';

CREATE AGGREGATE median_resolution_time(resolution interval) (
    SFUNC = resolution_accum, STYPE = internal, FINALFUNC = median_resolution_time_final,
    COMBINEFUNC = resolution_combine, SERIALFUNC = resolution_serialize, DESERIALFUNC = resolution_deserialize, SSPACE = 2048,
    MSFUNC = resolution_accum, MINVFUNC = resolution_accum_inv, MSTYPE = internal, MFINALFUNC = median_resolution_time_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE median_resolution_time(interval) IS
    'median of the resolution times (NULLs are open tickets), within 1/128 of percentile_cont(0.5)';

CREATE AGGREGATE resolution_within(opened_at timestamptz, resolved_at timestamptz, sla interval) (
    SFUNC = resolution_accum, STYPE = internal, FINALFUNC = resolution_within_final,
    COMBINEFUNC = resolution_combine, SERIALFUNC = resolution_serialize, DESERIALFUNC = resolution_deserialize, SSPACE = 2048,
    MSFUNC = resolution_accum, MINVFUNC = resolution_accum_inv, MSTYPE = internal, MFINALFUNC = resolution_within_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE resolution_within(timestamptz, timestamptz, interval) IS
    'percent of the resolved tickets resolved within sla (time <= sla); NULL when none is resolved';

CREATE AGGREGATE resolution_within(resolution interval, sla interval) (
    SFUNC = resolution_accum, STYPE = internal, FINALFUNC = resolution_within_final,
    COMBINEFUNC = resolution_combine, SERIALFUNC = resolution_serialize, DESERIALFUNC = resolution_deserialize, SSPACE = 2048,
    MSFUNC = resolution_accum, MINVFUNC = resolution_accum_inv, MSTYPE = internal, MFINALFUNC = resolution_within_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE resolution_within(interval, interval) IS
    'percent of the resolution times <= sla (NULLs are open tickets, left out); NULL when none is resolved';

-- readers
CREATE FUNCTION ticket_count(state resolution_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_resolution_ticket_count'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ticket_count(resolution_state) IS 'all tickets: resolved + open';

CREATE FUNCTION resolution_count(state resolution_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_resolution_count'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION resolution_count(resolution_state) IS 'resolved tickets (the count behind the mean, median and SLA percent)';

CREATE FUNCTION open_count(state resolution_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'engage_resolution_open_count'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION open_count(resolution_state) IS 'tickets without a resolution (left out of every time)';

CREATE FUNCTION mean_resolution_time(state resolution_state) RETURNS interval
    AS 'MODULE_PATHNAME', 'engage_mean_resolution_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mean_resolution_time(resolution_state) IS
    'mean resolution time, exact to the microsecond; NULL when none is resolved';

CREATE FUNCTION median_resolution_time(state resolution_state) RETURNS interval
    AS 'MODULE_PATHNAME', 'engage_median_resolution_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION median_resolution_time(resolution_state) IS
    'median resolution time within 1/128 of percentile_cont(0.5) (exact below 128 microseconds); NULL when none is resolved';

CREATE FUNCTION resolution_percentile(state resolution_state, p double precision) RETURNS interval
    AS 'MODULE_PATHNAME', 'engage_resolution_percentile'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION resolution_percentile(resolution_state, double precision) IS
    'percentile_cont(p) of the resolution times within 1/128, p in [0, 1]; NULL when none is resolved';

CREATE FUNCTION resolution_within(state resolution_state, sla interval) RETURNS double precision
    AS 'MODULE_PATHNAME', 'engage_resolution_within'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION resolution_within(resolution_state, interval) IS
    'percent of the resolved tickets resolved within sla: exact when sla + 1 microsecond starts a bucket, else between the exact percents within sla * 64/65 and sla * 65/64';
