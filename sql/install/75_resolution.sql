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
