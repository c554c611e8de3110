/*
 * sessions_collect.c: the sessionize() aggregates, which collect one or many
 * users' raw page-view events and cut them into sessions, returning a
 * session_state (sessions.h, sessions.c).
 *
 * sessionize(ts [, gap]) runs over ONE user's events (GROUP BY user_id);
 * sessionize(user_id, ts [, gap]) over many users' events, each user
 * sessionized on its own (the same result as rollup() of the per-user
 * states, without a GROUP BY or a hash table per user).  A session is cut
 * wherever two consecutive events (in ts order) are MORE than gap apart;
 * events exactly gap apart stay in the same session.  The transitions only
 * collect (no allocation per row: arrays grow by doubling); the final
 * function sorts and cuts, so the answer does not depend on the order the
 * rows arrive in.  Partial states are serialized for parallel plans and
 * concatenated by the combine function.
 *
 * sessionize() keeps 8 bytes per event (its timestamp), 16 for the
 * (user, ts) pair of sessionize(user_id, ts).
 */
#include "postgres.h"

#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "sessions.h"

/* Format version of the serialized state. */
#define SESS_AGG_VERSION	1

#define SESS_GAP_DETAIL \
	"The gap is a positive interval of days and/or time (e.g. '30 minutes'), without months or years."

/*
 * The transition state of sessionize(): the events of one user (stride 1:
 * timestamps) or of many (stride 2: sessionize(user_id, ts), (user, ts)
 * pairs), back to back in one array.
 */
typedef struct SessAgg
{
	int64		gap_us;
	int32		stride;			/* int64 values per event: 1 or 2 */
	int32		n;				/* events */
	int64		cap;			/* allocated values */
	bool		sorted;			/* the events are in (user,) ts order */
	int64		last_user;		/* the last event, when n > 0: a row never */
	int64		last;			/* reads the array */
	int64	   *ts;
} SessAgg;

/* Most values one state may hold (its serialized form stays under 1 GB). */
#define SESS_MAX_VALUES	((int64) ((MaxAllocSize - 64) / sizeof(int64)))

/* The gap argument in microseconds: 22004 when NULL, 22023 unless positive days/time. */
int64
sess_gap_arg(FunctionCallInfo fcinfo, int argno)
{
	Interval   *gap;
	int64		us;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the gap of a session must not be NULL"),
				 errdetail(SESS_GAP_DETAIL)));
	gap = PG_GETARG_INTERVAL_P(argno);
	if (gap->month != 0 ||
		pg_mul_s64_overflow((int64) gap->day, USECS_PER_DAY, &us) ||
		pg_add_s64_overflow(us, gap->time, &us) || us <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid session gap"),
				 errdetail(SESS_GAP_DETAIL)));
	return us;
}

/* Raise 22008 for an infinite event timestamp. */
void
sess_infinite_ts(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("event timestamp must be finite"),
			 errdetail("Events have finite timestamps; NULL timestamps are ignored.")));
}

/* ---------------------------------------------------------------------------
 * Sorting events and cutting sessions
 * ------------------------------------------------------------------------- */

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

/* The user of event i of v: 0 for stride 1 (timestamps only). */
static inline int64
sess_user(const int64 *v, int64 i, int stride)
{
	return stride == 1 ? 0 : v[2 * i];
}

/* The timestamp of event i of v. */
static inline int64
sess_ts(const int64 *v, int64 i, int stride)
{
	return v[i * stride + stride - 1];
}

/* Set event i of v to (user, ts); the user is dropped for stride 1. */
static inline void
sess_set(int64 *v, int64 i, int stride, int64 user, int64 ts)
{
	if (stride == 2)
		v[2 * i] = user;
	v[i * stride + stride - 1] = ts;
}

/* (au, at) < (bu, bt): by user, then by ts. */
static inline bool
sess_lt(int64 au, int64 at, int64 bu, int64 bt)
{
	return au < bu || (au == bu && at < bt);
}

/* qsort comparator for timestamps (the fallback of sess_sort). */
static int
sess_cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* qsort comparator for (user, ts) pairs (the fallback of sess_pair_sort). */
static int
sess_pair_cmp(const void *a, const void *b)
{
	const int64 *x = a;
	const int64 *y = b;

	return sess_lt(x[0], x[1], y[0], y[1]) ? -1 : sess_lt(y[0], y[1], x[0], x[1]) ? 1 : 0;
}

/* Swap events i and j of v. */
static inline void
sess_swap(int64 *v, int64 i, int64 j, int stride)
{
	int64		u = sess_user(v, i, stride);
	int64		t = sess_ts(v, i, stride);

	sess_set(v, i, stride, sess_user(v, j, stride), sess_ts(v, j, stride));
	sess_set(v, j, stride, u, t);
}

/* Is event i of v before event j? */
static inline bool
sess_before(const int64 *v, int64 i, int64 j, int stride)
{
	return sess_lt(sess_user(v, i, stride), sess_ts(v, i, stride),
				   sess_user(v, j, stride), sess_ts(v, j, stride));
}

static void sess_sort(int64 *v, int64 lo, int64 hi, int depth);
static void sess_pair_sort(int64 *v, int64 lo, int64 hi, int depth);

/*
 * Sort events lo..hi (inclusive) of v ascending, stride 1 (timestamps) or
 * 2 ((user, ts) pairs): quicksort with a median-of-three pivot and
 * insertion sort for short runs, recursing on the smaller side; past a
 * depth limit it hands over to qsort, so the worst case stays O(n log n).
 * Always inlined into sess_sort and sess_pair_sort with a constant stride.
 */
static pg_attribute_always_inline void
sess_sort_events(int64 *v, int64 lo, int64 hi, int depth, int stride)
{
	int64		k;

	while (hi - lo > (stride == 1 ? 24 : 16))
	{
		int64		mid = lo + (hi - lo) / 2;
		int64		pu;
		int64		pt;
		int64		i = lo;
		int64		j = hi;

		if (depth-- <= 0)
		{
			qsort(v + lo * stride, hi - lo + 1, stride * sizeof(int64),
				  stride == 1 ? sess_cmp : sess_pair_cmp);
			return;
		}
		/* median of three into event mid */
		if (sess_before(v, mid, lo, stride))
			sess_swap(v, mid, lo, stride);
		if (sess_before(v, hi, lo, stride))
			sess_swap(v, hi, lo, stride);
		if (sess_before(v, hi, mid, stride))
			sess_swap(v, hi, mid, stride);
		pu = sess_user(v, mid, stride);
		pt = sess_ts(v, mid, stride);
		while (i <= j)
		{
			while (sess_lt(sess_user(v, i, stride), sess_ts(v, i, stride), pu, pt))
				i++;
			while (sess_lt(pu, pt, sess_user(v, j, stride), sess_ts(v, j, stride)))
				j--;
			if (i <= j)
			{
				sess_swap(v, i, j, stride);
				i++;
				j--;
			}
		}
		if (j - lo < hi - i)
		{
			if (stride == 1)
				sess_sort(v, lo, j, depth);
			else
				sess_pair_sort(v, lo, j, depth);
			lo = i;
		}
		else
		{
			if (stride == 1)
				sess_sort(v, i, hi, depth);
			else
				sess_pair_sort(v, i, hi, depth);
			hi = j;
		}
	}
	/* insertion sort of the short run */
	for (k = lo + 1; k <= hi; k++)
	{
		int64		xu = sess_user(v, k, stride);
		int64		xt = sess_ts(v, k, stride);
		int64		j = k - 1;

		while (j >= lo && sess_lt(xu, xt, sess_user(v, j, stride), sess_ts(v, j, stride)))
		{
			sess_set(v, j + 1, stride, sess_user(v, j, stride), sess_ts(v, j, stride));
			j--;
		}
		sess_set(v, j + 1, stride, xu, xt);
	}
}

/* Sort timestamps v[lo..hi] ascending (sess_sort_events, stride 1). */
static void
sess_sort(int64 *v, int64 lo, int64 hi, int depth)
{
	sess_sort_events(v, lo, hi, depth, 1);
}

/* Sort (user, ts) pairs lo..hi of v by (user, ts) (sess_sort_events, stride 2). */
static void
sess_pair_sort(int64 *v, int64 lo, int64 hi, int depth)
{
	sess_sort_events(v, lo, hi, depth, 2);
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

/*
 * The session_state of n > 0 timestamps of one user (the final step of
 * sessionize(ts)): sorts them in place unless sorted says they already are,
 * then cuts a session where consecutive events are more than gap apart.
 */
static Datum
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
static Datum
engage_sessions_of_pairs(int64 *pairs, int32 n, bool sorted, int64 gap_us)
{
	SessionState *s = palloc0(SESS_SIZE);

	if (!sorted && n > 1)
		sess_pair_sort(pairs, 0, n - 1, 2 * 64);
	s->version = SESS_VERSION;
	s->gap_us = gap_us;
	sess_cut(s, pairs, n, 2, gap_us);
	return PointerGetDatum(s);
}

/* ---------------------------------------------------------------------------
 * The aggregates
 * ------------------------------------------------------------------------- */

/* A new empty aggregate state in cxt. */
static SessAgg *
sess_agg_new(MemoryContext cxt, int64 gap_us, int32 stride)
{
	SessAgg    *a = MemoryContextAllocZero(cxt, sizeof(SessAgg));

	a->gap_us = gap_us;
	a->stride = stride;
	a->sorted = true;
	return a;
}

/* Make room for extra more events, growing by doubling. */
static void
sess_agg_reserve(SessAgg *a, MemoryContext cxt, int64 extra)
{
	int64		need = ((int64) a->n + extra) * a->stride;
	int64		cap;

	if (need <= a->cap)
		return;
	if (need > SESS_MAX_VALUES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sessionize state has too many events"),
				 errdetail("One group of sessionize(ts) may have at most %lld events, one group of sessionize(user_id, ts) %lld.",
						   (long long) SESS_MAX_VALUES, (long long) SESS_MAX_VALUES / 2)));
	cap = Max(Max(a->cap * 2, need), 16);
	cap = Min(cap, SESS_MAX_VALUES);
	if (a->ts == NULL)
		a->ts = MemoryContextAlloc(cxt, cap * sizeof(int64));
	else
		a->ts = repalloc(a->ts, cap * sizeof(int64));
	a->cap = cap;
}


/*
 * The state argument of a sessionize() transition (stride values per
 * event): a new state on the first row, else state 0, whose gap must be
 * gap_us (22023).  0A000 outside an aggregate.
 */
static SessAgg *
sess_agg_arg(FunctionCallInfo fcinfo, MemoryContext *aggcxt, int64 gap_us, int32 stride)
{
	SessAgg    *a;

	if (!AggCheckCallContext(fcinfo, aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sessionize transition function called in a non-aggregate context")));
	if (PG_ARGISNULL(0))
		return sess_agg_new(*aggcxt, gap_us, stride);
	a = (SessAgg *) PG_GETARG_POINTER(0);
	if (unlikely(a->gap_us != gap_us))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the gap of sessionize changed between rows"),
				 errdetail(stride == 1 ? "Every row of one aggregate (one user) must use the same gap."
						   : "Every row of one aggregate must use the same gap.")));
	return a;
}

PG_FUNCTION_INFO_V1(engage_sessionize_accum);
/*
 * Transition of sessionize(ts [, gap]): appends one timestamp.  The gap is
 * checked on every row and must not change; NULL timestamps are ignored.
 */
Datum
engage_sessionize_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	int64		gap_us = PG_NARGS() > 2 ? sess_gap_arg(fcinfo, 2) : SESS_DEFAULT_GAP;
	SessAgg    *a = sess_agg_arg(fcinfo, &aggcxt, gap_us, 1);
	TimestampTz ts;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(a);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	if (unlikely(TIMESTAMP_NOT_FINITE(ts)))
		sess_infinite_ts();
	if (unlikely(a->n >= a->cap))
		sess_agg_reserve(a, aggcxt, 1);
	if (a->n > 0 && ts < a->last)
		a->sorted = false;
	a->ts[a->n++] = ts;
	a->last = ts;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_sessionize_users_accum);
/*
 * Transition of sessionize(user_id, ts [, gap]) over many users' events:
 * appends one (user, ts) pair.  Rows with a NULL user or ts are ignored.
 */
Datum
engage_sessionize_users_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	int64		gap_us = PG_NARGS() > 3 ? sess_gap_arg(fcinfo, 3) : SESS_DEFAULT_GAP;
	SessAgg    *a = sess_agg_arg(fcinfo, &aggcxt, gap_us, 2);
	int64		user;
	TimestampTz ts;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(a);
	user = PG_GETARG_INT64(1);
	ts = PG_GETARG_TIMESTAMPTZ(2);
	if (unlikely(TIMESTAMP_NOT_FINITE(ts)))
		sess_infinite_ts();
	if (unlikely(((int64) a->n + 1) * 2 > a->cap))
		sess_agg_reserve(a, aggcxt, 1);
	if (a->n > 0 && (user < a->last_user || (user == a->last_user && ts < a->last)))
		a->sorted = false;
	a->ts[2 * a->n] = user;
	a->ts[2 * a->n + 1] = ts;
	a->n++;
	a->last_user = user;
	a->last = ts;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_sessionize_combine);
/*
 * Combine: appends the second state's timestamps to the first.  A NULL
 * first state is replaced by a copy in the aggregate context.
 */
Datum
engage_sessionize_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	SessAgg    *dst;
	SessAgg    *src;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sessionize combine function called in a non-aggregate context")));
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (SessAgg *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
		dst = sess_agg_new(aggcxt, src->gap_us, src->stride);
	else
	{
		dst = (SessAgg *) PG_GETARG_POINTER(0);
		if (dst->gap_us != src->gap_us || dst->stride != src->stride)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot combine sessionize states with different gaps"),
					 errdetail("Every row of one aggregate (one user) must use the same gap.")));
	}
	if (src->n > 0)
	{
		int64		first_user = src->stride == 2 ? src->ts[0] : 0;
		int64		first = src->ts[src->stride - 1];

		sess_agg_reserve(dst, aggcxt, src->n);
		if (!src->sorted ||
			(dst->n > 0 && (first_user < dst->last_user ||
							(first_user == dst->last_user && first < dst->last))))
			dst->sorted = false;
		dst->last_user = src->last_user;
		dst->last = src->last;
		memcpy(dst->ts + (int64) dst->n * dst->stride, src->ts, (int64) src->n * src->stride * sizeof(int64));
		dst->n += src->n;
	}
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_sessionize_serialize);
/* Serialize: version, gap, stride, count, then the values (network order). */
Datum
engage_sessionize_serialize(PG_FUNCTION_ARGS)
{
	SessAgg    *a;
	StringInfoData buf;
	int64		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sessionize serialize function called in a non-aggregate context")));
	a = (SessAgg *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) (20 + (int64) a->n * a->stride * sizeof(int64)));
	pq_sendint32(&buf, SESS_AGG_VERSION);
	pq_sendint64(&buf, a->gap_us);
	pq_sendint32(&buf, a->stride);
	pq_sendint32(&buf, a->n);
	for (i = 0; i < (int64) a->n * a->stride; i++)
		pq_sendint64(&buf, a->ts[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Raise 22P03 for a serialized state that is not valid. */
static void
sess_bad_binary(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized sessionize state: %s", why),
			 errdetail("A sessionize state is written by this build of engage's serialize function (format version %d).",
					   SESS_AGG_VERSION)));
}

PG_FUNCTION_INFO_V1(engage_sessionize_deserialize);
/* Deserialize, checking version, gap, stride, exact length and finite timestamps. */
Datum
engage_sessionize_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b;
	StringInfoData msg;
	SessAgg    *a;
	int64		gap_us;
	int32		stride;
	int32		n;
	int32		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sessionize deserialize function called in a non-aggregate context")));
	b = PG_GETARG_BYTEA_PP(0);
	/* a read-only view of the bytea (initReadOnlyStringInfo is PG 16+) */
	msg.data = VARDATA_ANY(b);
	msg.len = VARSIZE_ANY_EXHDR(b);
	msg.maxlen = msg.len;
	msg.cursor = 0;
	if (msg.len < 20 || pq_getmsgint(&msg, 4) != SESS_AGG_VERSION)
		sess_bad_binary("unknown format version");
	gap_us = pq_getmsgint64(&msg);
	stride = (int32) pq_getmsgint(&msg, 4);
	n = (int32) pq_getmsgint(&msg, 4);
	if (gap_us <= 0)
		sess_bad_binary("gap is not positive");
	if (stride != 1 && stride != 2)
		sess_bad_binary("unknown kind of state");
	if (n < 0 || (int64) n * stride > SESS_MAX_VALUES ||
		(int64) (msg.len - msg.cursor) != (int64) n * stride * 8)
		sess_bad_binary("wrong length for its event count");
	a = sess_agg_new(CurrentMemoryContext, gap_us, stride);
	if (n > 0)
	{
		sess_agg_reserve(a, CurrentMemoryContext, n);
		for (i = 0; i < n; i++)
		{
			int64		user = stride == 2 ? (int64) pq_getmsgint64(&msg) : 0;
			int64		ts = pq_getmsgint64(&msg);

			if (TIMESTAMP_NOT_FINITE(ts) || !IS_VALID_TIMESTAMP(ts))
				sess_bad_binary("a timestamp is not finite");
			if (i > 0 && (user < a->last_user || (user == a->last_user && ts < a->last)))
				a->sorted = false;
			if (stride == 2)
				a->ts[2 * i] = user;
			a->ts[(int64) i * stride + stride - 1] = ts;
			a->last_user = user;
			a->last = ts;
		}
		a->n = n;
	}
	pq_getmsgend(&msg);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_sessionize_final);
/*
 * Final function of both sessionize() forms: sorts the events and cuts a
 * session where consecutive events (of a user) are more than gap apart;
 * NULL over no events.
 * Sorting in place keeps the content, so a window may call it repeatedly.
 */
Datum
engage_sessionize_final(PG_FUNCTION_ARGS)
{
	SessAgg    *a;
	Datum		result;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sessionize final function called in a non-aggregate context")));
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = (SessAgg *) PG_GETARG_POINTER(0);
	if (a->n == 0)
		PG_RETURN_NULL();
	/* sorting in place keeps the content; later calls find it sorted */
	if (a->stride == 1)
		result = engage_sessions_of_timestamps(a->ts, a->n, a->sorted, a->gap_us);
	else
		result = engage_sessions_of_pairs(a->ts, a->n, a->sorted, a->gap_us);
	a->sorted = true;
	a->last_user = a->stride == 2 ? a->ts[2 * (int64) a->n - 2] : 0;
	a->last = a->ts[(int64) a->n * a->stride - 1];
	return result;
}
