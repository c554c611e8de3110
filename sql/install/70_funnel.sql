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
