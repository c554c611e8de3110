/*
 * sessions.c: web sessions from one user's raw events, and the storable
 * session_state that rolls them up across users.
 *
 * sessionize(ts [, gap]) is an aggregate over ONE user's events (use it with
 * GROUP BY user_id); its transition, combine and (de)serialize functions,
 * which collect the user's timestamps, are in sessions_io.c.  Its final step
 * is here: the sorted timestamps are cut into a new session wherever two
 * consecutive events are MORE than gap apart (events exactly gap apart stay
 * in the same session).
 *
 * session_state is a fixed-size (56-byte) base type: format version, the
 * gap, and int64 sessions, events, total duration (microseconds; a session
 * lasts from its first to its last event, so a single-event session lasts
 * 0 as in Google Analytics), bounces (single-event sessions) and engaged
 * sessions (GA4: longer than 10 s or 2+ page views).  rollup(session_state)
 * adds states of the same gap element-wise, with an inverse for windows.
 * Text form (exact):
 *   v1;gap_us=1800000000;sessions=3;events=7;duration_us=540000000;bounces=1;engaged=2
 */
#include "postgres.h"

#include <ctype.h>

#include "common/hashfn.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "engage.h"

/* Format version of session_state. */
#define SESS_VERSION		1
/* GA4: a session longer than this is engaged. */
#define SESS_ENGAGED_US		(10 * USECS_PER_SEC)

/* The stored state: 56 bytes, double aligned. */
typedef struct SessionState
{
	int16		version;		/* SESS_VERSION when written */
	int16		flags;			/* always zero */
	int32		pad;			/* always zero */
	int64		gap_us;			/* the inactivity gap, > 0 */
	int64		sessions;
	int64		events;			/* every event is a page view */
	int64		duration_us;	/* sum of (last - first event) per session */
	int64		bounces;		/* single-event sessions */
	int64		engaged;		/* sessions > 10 s or with 2+ events */
} SessionState;

#define SESS_SIZE		((int) sizeof(SessionState))
StaticAssertDecl(sizeof(SessionState) == 56, "session_state is 56 bytes");

#define SESS_STATE_DETAIL \
	"A session_state has a gap > 0, counts >= 0, at least one event per session and two per non-bounce session, " \
	"engaged = sessions - bounces, and a duration of 0 when every session is a bounce."

/*
 * Is a state valid?  NULL or the reason.  Every event is a page view, so a
 * session of 2+ events is engaged and a bounce (1 event) lasts 0 and is not.
 */
static const char *
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
static SessionState *
sess_arg(FunctionCallInfo fcinfo, int argno)
{
	SessionState *s = (SessionState *) PG_GETARG_POINTER(argno);

	sess_check(s, ERRCODE_INVALID_PARAMETER_VALUE);
	return s;
}

/* Raise 22003 for a count or duration past 2^63-1. */
static void
sess_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("session_state count is out of range"),
			 errdetail("Counts and the total duration in microseconds are at most %lld.",
					   (long long) PG_INT64_MAX)));
}

/* Count one session of cnt events from first to last into s. */
static inline void
sess_close(SessionState *s, int64 first, int64 last, int64 cnt)
{
	int64		dur;

	if (unlikely(pg_sub_s64_overflow(last, first, &dur) ||
				 pg_add_s64_overflow(s->duration_us, dur, &s->duration_us) ||
				 pg_add_s64_overflow(s->events, cnt, &s->events)))
		sess_overflow();
	s->sessions++;
	if (cnt == 1)
		s->bounces++;
	if (dur > SESS_ENGAGED_US || cnt >= 2)
		s->engaged++;
}

/* Insertion sort of v[lo..hi] (inclusive). */
static void
sess_isort(int64 *v, int64 lo, int64 hi)
{
	int64		i;

	for (i = lo + 1; i <= hi; i++)
	{
		int64		x = v[i];
		int64		j = i - 1;

		while (j >= lo && v[j] > x)
		{
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = x;
	}
}

/* qsort comparator for int64 (the fallback of sess_sort). */
static int
sess_cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/*
 * Sort v[lo..hi] ascending: quicksort with a median-of-three pivot and
 * insertion sort for short runs, recursing on the smaller side; past a
 * depth limit it hands over to qsort, so the worst case stays O(n log n).
 */
static void
sess_sort(int64 *v, int64 lo, int64 hi, int depth)
{
	while (hi - lo > 24)
	{
		int64		mid = lo + (hi - lo) / 2;
		int64		pivot;
		int64		i = lo;
		int64		j = hi;
		int64		t;

		if (depth-- <= 0)
		{
			qsort(v + lo, hi - lo + 1, sizeof(int64), sess_cmp);
			return;
		}
		/* median of three into v[mid] */
		if (v[mid] < v[lo])
			t = v[mid], v[mid] = v[lo], v[lo] = t;
		if (v[hi] < v[lo])
			t = v[hi], v[hi] = v[lo], v[lo] = t;
		if (v[hi] < v[mid])
			t = v[hi], v[hi] = v[mid], v[mid] = t;
		pivot = v[mid];
		while (i <= j)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
			{
				t = v[i], v[i] = v[j], v[j] = t;
				i++;
				j--;
			}
		}
		if (j - lo < hi - i)
		{
			sess_sort(v, lo, j, depth);
			lo = i;
		}
		else
		{
			sess_sort(v, i, hi, depth);
			hi = j;
		}
	}
	sess_isort(v, lo, hi);
}

/* One event of sessionize(user_id, ts): the pairs are sorted by (user, ts). */
typedef struct SessPair
{
	int64		user;
	int64		ts;
} SessPair;

/* a < b in (user, ts) order. */
static inline bool
sess_pair_lt(const SessPair *a, const SessPair *b)
{
	return a->user < b->user || (a->user == b->user && a->ts < b->ts);
}

/* qsort comparator for pairs (the fallback of sess_pair_sort). */
static int
sess_pair_cmp(const void *a, const void *b)
{
	return sess_pair_lt(a, b) ? -1 : sess_pair_lt(b, a) ? 1 : 0;
}

/* Sort v[lo..hi] by (user, ts): sess_sort's algorithm for pairs. */
static void
sess_pair_sort(SessPair *v, int64 lo, int64 hi, int depth)
{
	SessPair	t;
	int64		k;

	while (hi - lo > 16)
	{
		int64		mid = lo + (hi - lo) / 2;
		SessPair	pivot;
		int64		i = lo;
		int64		j = hi;

		if (depth-- <= 0)
		{
			qsort(v + lo, hi - lo + 1, sizeof(SessPair), sess_pair_cmp);
			return;
		}
		if (sess_pair_lt(&v[mid], &v[lo]))
			t = v[mid], v[mid] = v[lo], v[lo] = t;
		if (sess_pair_lt(&v[hi], &v[lo]))
			t = v[hi], v[hi] = v[lo], v[lo] = t;
		if (sess_pair_lt(&v[hi], &v[mid]))
			t = v[hi], v[hi] = v[mid], v[mid] = t;
		pivot = v[mid];
		while (i <= j)
		{
			while (sess_pair_lt(&v[i], &pivot))
				i++;
			while (sess_pair_lt(&pivot, &v[j]))
				j--;
			if (i <= j)
			{
				t = v[i], v[i] = v[j], v[j] = t;
				i++;
				j--;
			}
		}
		if (j - lo < hi - i)
		{
			sess_pair_sort(v, lo, j, depth);
			lo = i;
		}
		else
		{
			sess_pair_sort(v, i, hi, depth);
			hi = j;
		}
	}
	for (k = lo + 1; k <= hi; k++)
	{
		int64		j = k - 1;

		t = v[k];
		while (j >= lo && sess_pair_lt(&t, &v[j]))
		{
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = t;
	}
}

/*
 * Count the sessions of n > 0 sorted events into s: v holds timestamps
 * (stride 1) or (user, ts) pairs (stride 2).  A session ends where the user
 * changes or the next event is more than gap later.
 */
static inline void
sess_cut(SessionState *s, const int64 *v, int32 n, int stride, int64 gap_us)
{
	const int64 *t = v + stride - 1;
	int64		first = t[0];
	int64		prev = t[0];
	int64		cnt = 1;
	int32		i;

	for (i = 1; i < n; i++)
	{
		int64		ti = t[(int64) i * stride];
		int64		d;

		/* an overflowing difference is certainly more than the gap */
		if ((stride == 2 && v[2 * (int64) i] != v[2 * (int64) i - 2]) ||
			pg_sub_s64_overflow(ti, prev, &d) || d > gap_us)
		{
			sess_close(s, first, prev, cnt);
			first = ti;
			cnt = 0;
		}
		prev = ti;
		cnt++;
	}
	sess_close(s, first, prev, cnt);
}

/* Shared with sessions_io.c, which declares them the same way. */
extern Datum engage_sessions_of_timestamps(int64 *ts, int32 n, bool sorted, int64 gap_us);
extern Datum engage_sessions_of_pairs(int64 *pairs, int32 n, bool sorted, int64 gap_us);

/*
 * The session_state of n > 0 timestamps of one user (the final step of
 * sessionize(ts)): sorts them in place unless sorted says they already are,
 * then cuts a session where consecutive events are more than gap apart.
 */
Datum
engage_sessions_of_timestamps(int64 *ts, int32 n, bool sorted, int64 gap_us)
{
	SessionState *s = palloc0(SESS_SIZE);

	if (!sorted && n > 1)
		sess_sort(ts, 0, n - 1, 64);
	s->version = SESS_VERSION;
	s->gap_us = gap_us;
	sess_cut(s, ts, n, 1, gap_us);
	return PointerGetDatum(s);
}

/*
 * The session_state of n > 0 (user, ts) pairs (the final step of
 * sessionize(user_id, ts)): sorts them in place by (user, ts) unless sorted,
 * then cuts each user's events into sessions.
 */
Datum
engage_sessions_of_pairs(int64 *pairs, int32 n, bool sorted, int64 gap_us)
{
	SessionState *s = palloc0(SESS_SIZE);

	if (!sorted && n > 1)
		sess_pair_sort((SessPair *) pairs, 0, n - 1, 2 * 64);
	s->version = SESS_VERSION;
	s->gap_us = gap_us;
	sess_cut(s, pairs, n, 2, gap_us);
	return PointerGetDatum(s);
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

/* The names of the counts in the text form, in order after the version. */
#define SESS_NFIELDS	6
static const char *const sess_field_names[SESS_NFIELDS] =
{"gap_us", "sessions", "events", "duration_us", "bounces", "engaged"};

/* The counts of a state in text-form order. */
static int64 *
sess_field(SessionState *s, int i)
{
	switch (i)
	{
		case 0:
			return &s->gap_us;
		case 1:
			return &s->sessions;
		case 2:
			return &s->events;
		case 3:
			return &s->duration_us;
		case 4:
			return &s->bounces;
		default:
			return &s->engaged;
	}
}

/* Raise the 22P02 error for a malformed session_state literal. */
static void
sess_syntax_error(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type session_state: \"%s\"", str),
			 errdetail("%s", detail),
			 errhint("The form is v1;gap_us=G;sessions=S;events=E;duration_us=D;bounces=B;engaged=N with whole numbers, "
					 "e.g. v1;gap_us=1800000000;sessions=2;events=3;duration_us=60000000;bounces=1;engaged=1")));
}

/* Read a non-negative whole number; 22003 past 2^63-1. */
static int64
sess_read_int(const char *str, const char **pp, const char *what)
{
	const char *p = *pp;
	int64		v = 0;

	if (!isdigit((unsigned char) *p))
		sess_syntax_error(str, psprintf("Expected a non-negative whole number (%s) at offset %d.",
										what, (int) (p - str)));
	while (isdigit((unsigned char) *p))
	{
		if (pg_mul_s64_overflow(v, 10, &v) || pg_add_s64_overflow(v, *p - '0', &v))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s is out of range in session_state: \"%s\"", what, str),
					 errdetail("The largest allowed value is %lld.", (long long) PG_INT64_MAX)));
		p++;
	}
	*pp = p;
	return v;
}

/* Expect a literal token. */
static void
sess_expect(const char *str, const char **pp, const char *tok)
{
	size_t		len = strlen(tok);

	if (strncmp(*pp, tok, len) != 0)
		sess_syntax_error(str, psprintf("Expected \"%s\" at offset %d.", tok, (int) (*pp - str)));
	*pp += len;
}

PG_FUNCTION_INFO_V1(engage_session_state_in);
/* Text input of session_state, validated. */
Datum
engage_session_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	SessionState *s = palloc0(SESS_SIZE);
	const char *problem;
	int64		version;
	int			i;

	sess_expect(str, &p, "v");
	version = sess_read_int(str, &p, "version");
	if (version < 1 || version > SESS_VERSION)
		sess_syntax_error(str, psprintf("Format version %lld is not supported; this build of engage reads versions 1 to %d.",
										(long long) version, SESS_VERSION));
	s->version = SESS_VERSION;
	for (i = 0; i < SESS_NFIELDS; i++)
	{
		sess_expect(str, &p, ";");
		sess_expect(str, &p, sess_field_names[i]);
		sess_expect(str, &p, "=");
		*sess_field(s, i) = sess_read_int(str, &p, sess_field_names[i]);
	}
	if (*p != '\0')
		sess_syntax_error(str, "Unexpected characters after the engaged count.");
	problem = sess_problem(s);
	if (problem)
		sess_syntax_error(str, psprintf("Invalid session_state: %s. %s", problem, SESS_STATE_DETAIL));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_session_state_out);
/* Text output of session_state: exact whole numbers. */
Datum
engage_session_state_out(PG_FUNCTION_ARGS)
{
	SessionState *s = sess_arg(fcinfo, 0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "v%d", s->version);
	for (i = 0; i < SESS_NFIELDS; i++)
		appendStringInfo(&buf, ";%s=%lld", sess_field_names[i], (long long) *sess_field(s, i));
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(engage_session_state_send);
/* Binary output: int16 version, int16 flags, then the six int64 fields. */
Datum
engage_session_state_send(PG_FUNCTION_ARGS)
{
	SessionState *s = sess_arg(fcinfo, 0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, s->version);
	pq_sendint16(&buf, s->flags);
	for (i = 0; i < SESS_NFIELDS; i++)
		pq_sendint64(&buf, *sess_field(s, i));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_session_state_recv);
/* Binary input: exact length, then the text input's checks (22P03). */
Datum
engage_session_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	SessionState *s;
	const char *problem;
	int			i;
	int			want = 4 + 8 * SESS_NFIELDS;

	if (msg->len - msg->cursor != want)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary session_state has %d bytes, expected %d", msg->len - msg->cursor, want)));
	s = palloc0(SESS_SIZE);
	s->version = (int16) pq_getmsgint(msg, 2);
	if (s->version < 1 || s->version > SESS_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("session_state format version %d is not supported", s->version),
				 errdetail("This build of engage reads format versions 1 to %d.", SESS_VERSION)));
	s->flags = (int16) pq_getmsgint(msg, 2);
	for (i = 0; i < SESS_NFIELDS; i++)
		*sess_field(s, i) = (int64) pq_getmsgint64(msg);
	problem = sess_problem(s);
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary session_state: %s", problem),
				 errdetail(SESS_STATE_DETAIL)));
	s->version = SESS_VERSION;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_session_state_eq);
/* a = b: same gap and counts. */
Datum
engage_session_state_eq(PG_FUNCTION_ARGS)
{
	SessionState *a = sess_arg(fcinfo, 0);
	SessionState *b = sess_arg(fcinfo, 1);

	PG_RETURN_BOOL(memcmp(&a->gap_us, &b->gap_us, SESS_SIZE - offsetof(SessionState, gap_us)) == 0);
}

PG_FUNCTION_INFO_V1(engage_session_state_ne);
/* a <> b: different gap or counts. */
Datum
engage_session_state_ne(PG_FUNCTION_ARGS)
{
	SessionState *a = sess_arg(fcinfo, 0);
	SessionState *b = sess_arg(fcinfo, 1);

	PG_RETURN_BOOL(memcmp(&a->gap_us, &b->gap_us, SESS_SIZE - offsetof(SessionState, gap_us)) != 0);
}

PG_FUNCTION_INFO_V1(engage_session_state_hash);
/* Hash of a state, consistent with =, for DISTINCT, UNION and hash joins. */
Datum
engage_session_state_hash(PG_FUNCTION_ARGS)
{
	SessionState *s = sess_arg(fcinfo, 0);

	return hash_any((const unsigned char *) &s->gap_us, SESS_SIZE - offsetof(SessionState, gap_us));
}

/* Append microseconds as exact seconds with 6 decimals (us >= 0). */
static void
sess_append_seconds(StringInfo buf, int64 us)
{
	appendStringInfo(buf, "%lld.%06lld", (long long) (us / USECS_PER_SEC), (long long) (us % USECS_PER_SEC));
}

PG_FUNCTION_INFO_V1(engage_session_state_jsonb);
/* session_state as jsonb: the counts, durations in seconds and the rates. */
Datum
engage_session_state_jsonb(PG_FUNCTION_ARGS)
{
	SessionState *s = sess_arg(fcinfo, 0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"gap_seconds\": ", s->version);
	sess_append_seconds(&buf, s->gap_us);
	appendStringInfo(&buf, ", \"sessions\": %lld, \"events\": %lld, \"bounces\": %lld, \"engaged_sessions\": %lld, "
					 "\"total_duration_seconds\": ",
					 (long long) s->sessions, (long long) s->events, (long long) s->bounces, (long long) s->engaged);
	sess_append_seconds(&buf, s->duration_us);
	if (s->sessions == 0)
		appendStringInfoString(&buf, ", \"avg_session_seconds\": null, \"pages_per_session\": null, "
							   "\"bounce_rate\": null, \"engagement_rate\": null}");
	else
	{
		appendStringInfoString(&buf, ", \"avg_session_seconds\": ");
		hist_append_double(&buf, (double) s->duration_us / (double) s->sessions / 1e6);
		appendStringInfoString(&buf, ", \"pages_per_session\": ");
		hist_append_double(&buf, (double) s->events / (double) s->sessions);
		appendStringInfoString(&buf, ", \"bounce_rate\": ");
		hist_append_double(&buf, 100.0 * (double) s->bounces / (double) s->sessions);
		appendStringInfoString(&buf, ", \"engagement_rate\": ");
		hist_append_double(&buf, 100.0 * (double) s->engaged / (double) s->sessions);
		appendStringInfoChar(&buf, '}');
	}
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
