
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
