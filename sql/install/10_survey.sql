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
COMMENT ON OPERATOR FAMILY nps_state_hash_ops USING hash IS 'the hash operator family of nps_state';

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
COMMENT ON OPERATOR FAMILY csat_state_hash_ops USING hash IS 'the hash operator family of csat_state';

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
COMMENT ON OPERATOR FAMILY ces_state_hash_ops USING hash IS 'the hash operator family of ces_state';

