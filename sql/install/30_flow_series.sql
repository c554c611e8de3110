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
