/*
 * sessions.c: session_state, the storable roll-up of web sessions: its
 * validation, rollup(session_state) and the readers.
 *
 * session_state is a fixed-size (56-byte) base type (sessions.h): format
 * version, the gap, and int64 sessions, events, total duration
 * (microseconds; a session lasts from its first to its last event, so a
 * single-event session lasts 0 as in Google Analytics), bounces
 * (single-event sessions) and engaged sessions (GA4: longer than 10 s or 2+
 * page views).  rollup(session_state) adds states of the same gap
 * element-wise, with an inverse for windows.  The states are built by
 * sessionize() (sessions_collect.c); their text, binary and jsonb forms are
 * in sessions_io.c.
 */
#include "postgres.h"

#include "common/int.h"
#include "utils/timestamp.h"

#include "sessions.h"

/*
 * Is a state valid?  NULL or the reason.  Every event is a page view, so a
 * session of 2+ events is engaged and a bounce (1 event) lasts 0 and is not.
 */
const char *
sess_problem(const SessionState *s)
{
	if (s->version < 1 || s->version > SESS_VERSION)
		return "unsupported format version";
	if (s->flags != 0 || s->pad != 0)
		return "unknown flags";
	if (s->gap_us <= 0)
		return "gap is not positive";
	if (s->sessions < 0 || s->events < 0 || s->duration_us < 0 || s->bounces < 0 || s->engaged < 0)
		return "negative count";
	if (s->bounces > s->sessions)
		return "more bounces than sessions";
	if (s->engaged != s->sessions - s->bounces)
		return "engaged sessions are not the sessions that are not bounces";
	/* non-bounce sessions have 2+ events: events - bounces >= 2 (sessions - bounces) */
	if (s->events < s->bounces || (s->events - s->bounces) / 2 < s->sessions - s->bounces)
		return "too few events for its sessions";
	if (s->sessions == s->bounces && s->duration_us != 0)
		return "bounces have a duration";
	return NULL;
}

/* Validate a state with the given SQLSTATE. */
static void
sess_check(const SessionState *s, int sqlstate)
{
	const char *problem = sess_problem(s);

	if (problem)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("invalid session_state: %s", problem),
				 errdetail(SESS_STATE_DETAIL)));
}

/* Fetch state argument argno, validated (22023). */
SessionState *
sess_arg(FunctionCallInfo fcinfo, int argno)
{
	SessionState *s = (SessionState *) PG_GETARG_POINTER(argno);

	sess_check(s, ERRCODE_INVALID_PARAMETER_VALUE);
	return s;
}

/* Raise 22003 for a count or duration past 2^63-1. */
void
sess_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("session_state count is out of range"),
			 errdetail("Counts and the total duration in microseconds are at most %lld.",
					   (long long) PG_INT64_MAX)));
}

/* dst += sign * src, field by field, checked; the gaps must be equal (22023). */
static void
sess_add_state(SessionState *dst, const SessionState *src, int sign)
{
	if (dst->gap_us != src->gap_us)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot add session_state values with different gaps"),
				 errdetail("rollup() adds states built with the same gap (%lld and %lld microseconds here).",
						   (long long) dst->gap_us, (long long) src->gap_us)));
	if (sign < 0)
	{
		if (dst->sessions < src->sessions || dst->events < src->events ||
			dst->duration_us < src->duration_us || dst->bounces < src->bounces ||
			dst->engaged < src->engaged)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot remove a session_state that was never added")));
		dst->sessions -= src->sessions;
		dst->events -= src->events;
		dst->duration_us -= src->duration_us;
		dst->bounces -= src->bounces;
		dst->engaged -= src->engaged;
		return;
	}
	if (pg_add_s64_overflow(dst->sessions, src->sessions, &dst->sessions) ||
		pg_add_s64_overflow(dst->events, src->events, &dst->events) ||
		pg_add_s64_overflow(dst->duration_us, src->duration_us, &dst->duration_us) ||
		pg_add_s64_overflow(dst->bounces, src->bounces, &dst->bounces) ||
		pg_add_s64_overflow(dst->engaged, src->engaged, &dst->engaged))
		sess_overflow();
}

PG_FUNCTION_INFO_V1(engage_sessions_combine);
/*
 * Rollup transition and combine (STRICT): state1 + state2, in place inside
 * an aggregate, on a copy when called directly.
 */
Datum
engage_sessions_combine(PG_FUNCTION_ARGS)
{
	SessionState *dst;
	SessionState *src;

	/* defensive: the SQL declaration is STRICT, but never trust a NULL */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		int			keep = PG_ARGISNULL(0) ? 1 : 0;

		if (PG_ARGISNULL(keep))
			PG_RETURN_NULL();
		dst = palloc(SESS_SIZE);
		memcpy(dst, sess_arg(fcinfo, keep), SESS_SIZE);
		PG_RETURN_POINTER(dst);
	}
	dst = sess_arg(fcinfo, 0);
	src = sess_arg(fcinfo, 1);
	if (!AggCheckCallContext(fcinfo, NULL))
	{
		SessionState *copy = palloc(SESS_SIZE);

		memcpy(copy, dst, SESS_SIZE);
		dst = copy;
	}
	dst->version = SESS_VERSION;
	sess_add_state(dst, src, 1);
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_sessions_combine_inv);
/* Inverse of the rollup transition (STRICT), for moving windows over states. */
Datum
engage_sessions_combine_inv(PG_FUNCTION_ARGS)
{
	SessionState *dst;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the inverse rollup function of session_state can only be called as a moving-aggregate inverse")));
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	dst = sess_arg(fcinfo, 0);
	sess_add_state(dst, sess_arg(fcinfo, 1), -1);
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_sessions_final);
/* Final function of rollup(): a copy, or NULL for no sessions. */
Datum
engage_sessions_final(PG_FUNCTION_ARGS)
{
	SessionState *s;
	SessionState *copy;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (SessionState *) PG_GETARG_POINTER(0);
	if (s->sessions == 0)
		PG_RETURN_NULL();
	copy = palloc(SESS_SIZE);
	memcpy(copy, s, SESS_SIZE);
	PG_RETURN_POINTER(copy);
}

/* Define an accessor returning one count as bigint. */
#define SESS_COUNT_FN(fn, field) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) \
	{ \
		PG_RETURN_INT64(sess_arg(fcinfo, 0)->field); \
	}

/* sessions(state), events(state) = pageviews(state), bounces(state), engaged_sessions(state). */
SESS_COUNT_FN(engage_sessions_sessions, sessions)
SESS_COUNT_FN(engage_sessions_events, events)
SESS_COUNT_FN(engage_sessions_bounces, bounces)
SESS_COUNT_FN(engage_sessions_engaged, engaged)

/* An interval of us microseconds (no days or months, like timestamptz - timestamptz before justification). */
static Interval *
sess_interval(int64 us)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->time = us;
	return iv;
}

PG_FUNCTION_INFO_V1(engage_sessions_gap);
/* session_gap(state): the gap the state was built with. */
Datum
engage_sessions_gap(PG_FUNCTION_ARGS)
{
	PG_RETURN_INTERVAL_P(sess_interval(sess_arg(fcinfo, 0)->gap_us));
}

PG_FUNCTION_INFO_V1(engage_sessions_total_duration);
/* total_session_duration(state): the sum of the session durations. */
Datum
engage_sessions_total_duration(PG_FUNCTION_ARGS)
{
	PG_RETURN_INTERVAL_P(sess_interval(sess_arg(fcinfo, 0)->duration_us));
}

PG_FUNCTION_INFO_V1(engage_sessions_avg_duration);
/*
 * avg_session_duration(state): total duration / sessions, rounded half up
 * to the microsecond; NULL for no sessions.
 */
Datum
engage_sessions_avg_duration(PG_FUNCTION_ARGS)
{
	SessionState *s = sess_arg(fcinfo, 0);
	int64		q;
	int64		r;

	if (s->sessions == 0)
		PG_RETURN_NULL();
	q = s->duration_us / s->sessions;
	r = s->duration_us % s->sessions;
	if (r >= s->sessions - r)
		q++;
	PG_RETURN_INTERVAL_P(sess_interval(q));
}

/* Define an accessor returning a ratio as double, NULL for no sessions. */
#define SESS_RATIO_FN(fn, expr) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) \
	{ \
		SessionState *s = sess_arg(fcinfo, 0); \
		if (s->sessions == 0) \
			PG_RETURN_NULL(); \
		PG_RETURN_FLOAT8(expr); \
	}

/* avg_session_seconds, pages_per_session, bounce_rate, engagement_rate. */
SESS_RATIO_FN(engage_sessions_avg_seconds, (double) s->duration_us / (double) s->sessions / 1e6)
SESS_RATIO_FN(engage_sessions_pages_per_session, (double) s->events / (double) s->sessions)
SESS_RATIO_FN(engage_sessions_bounce_rate, 100.0 * (double) s->bounces / (double) s->sessions)
SESS_RATIO_FN(engage_sessions_engagement_rate, 100.0 * (double) s->engaged / (double) s->sessions)
