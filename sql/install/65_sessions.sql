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
COMMENT ON OPERATOR FAMILY session_state_hash_ops USING hash IS 'the hash operator family of session_state';

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
