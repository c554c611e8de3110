/*
 * funnel.c: window funnels, like ClickHouse's windowFunnel (default mode).
 *
 * funnel(ts, step, window) runs over one user's events (GROUP BY user).  An
 * event is funnel step `step` (1..32; 0 or NULL: not a funnel event), or,
 * with funnel(ts, conditions boolean[], window), step k for every true
 * element k.  The events are sorted by (ts, step) in the final function, so
 * the rows may arrive in any order, and scanned once:
 *   - a step-1 event at t starts a chain at t (the latest start wins);
 *   - a step-k event at t (k > 1) extends the chain that reached step k - 1
 *     and started latest, when t - start <= window (inclusive);
 * the user's depth is the deepest step any chain reached.  Ties: events at
 * the same instant are taken in step order, so step 1 and step 2 at the same
 * time form a chain with 0 between them (and one row whose conditions 1 and
 * 2 are both true reaches step 2).  The times reported are those of the
 * first chain (in time) to reach the deepest step: t_k - t_(k-1) for each
 * step k of it.  This is ClickHouse's algorithm; its depth is the deepest
 * step of any chain of strictly ordered steps that fits in the window.
 *
 * The per-user running state keeps the (ts, step) events: the first 12 inside
 * the state, then a doubling array in the aggregate context (no allocation
 * per row); combine appends.
 *
 * funnel_state (varlena) holds, for any number of users: users, and per step
 * k = 1..N the users who reached it, the exact sum of the times from step
 * k - 1 to k, and a histogram of those times (resolution.c's duration
 * histogram: log-spaced buckets, medians within 1/128).  A one-user state
 * is exact (its sums are the times).  rollup(funnel_state) adds states;
 * funnel_steps(state) reads one as rows.
 *
 * Text form (exact):
 *   v1;steps=3;users=4;reached=3,2,1;s2=5400.000000;h2=1795162112:1,3590324224:1;s3=60.000000;h3=59768832:1
 * s<k> is the sum of the step k-1 -> k times in seconds, h<k> their
 * histogram as "bucket lower bound in microseconds:count".
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "funcapi.h"
#pragma GCC diagnostic pop
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

#include "engage.h"

/* ---------------------------------------------------------------------------
 * The duration histogram, defined in resolution.c (declarations repeated
 * from there; keep the two in step).
 * ------------------------------------------------------------------------- */
#define DUR_NBUCKETS	(128 + 56 * 64)

typedef struct DurSum
{
	int64		sec;
	int64		us;
} DurSum;

typedef struct DurEntry
{
	int32		bucket;
	int32		pad;
	int64		count;
} DurEntry;

typedef struct DurHist
{
	int64		n;
	DurSum		sum;
	int32		base;
	int32		len;
	int32		cap;
	int64	   *counts;
} DurHist;

extern int	dur_bucket(int64 v);
extern int64 dur_lower(int b);
extern int64 dur_width(int b);
extern void dur_sum_add(DurSum *s, int64 v, int sign, const char *what);
extern void dur_sum_add_sum(DurSum *dst, const DurSum *src, int sign, const char *what);
extern int64 dur_sum_mean(const DurSum *s, int64 n);
extern void dur_hist_add(DurHist *h, MemoryContext cxt, int b, int64 count, const char *what);
extern void dur_hist_add_value(DurHist *h, MemoryContext cxt, int64 v, int sign, const char *what);
extern void dur_hist_add_entries(DurHist *h, MemoryContext cxt, const DurEntry *e, int n,
								 const DurSum *sum, int sign, const char *what);
extern int	dur_hist_nentries(const DurHist *h);
extern int	dur_hist_entries(const DurHist *h, DurEntry *out);
extern const char *dur_entries_problem(const DurEntry *e, int n, int64 total, const DurSum *sum);
extern double dur_percentile(const DurEntry *e, int n, int64 total, double p);
extern double dur_within(const DurEntry *e, int n, int64 sla);
extern int64 dur_interval_us(const Interval *iv, const char *what);
extern int64 dur_between(TimestampTz from, TimestampTz to, const char *what);
extern Datum dur_interval_datum(double us);
extern void dur_append_seconds(StringInfo buf, const DurSum *s);
extern void dur_append_entries(StringInfo buf, const DurEntry *e, int n);
extern bool dur_parse_seconds(const char **pp, DurSum *s);
extern int	dur_parse_entries(const char **pp, DurEntry *out, int max, const char **err);
extern int	dur_count_entries(const char *str);

/* ---------------------------------------------------------------------------
 * funnel_state
 * ------------------------------------------------------------------------- */

#define FUNNEL_VERSION	1
#define FUNNEL_MAX		32		/* steps, as ClickHouse's 32 conditions */

#define FUNNEL_STEP_DETAIL \
	"A step is 1 to 32 (0 or NULL: not a funnel event), and at most the number of steps when it is given."

/*
 * The stored state.  data holds, for N = nsteps: reached[N], nent[N] (the
 * histogram entries of each step; 0 for step 1), sums[N] (two int64 each;
 * zero for step 1), then the DurEntry entries of steps 2..N in order.
 */
typedef struct FunnelState
{
	int32		vl_len_;
	int16		version;		/* FUNNEL_VERSION when written */
	int16		nsteps;			/* N, 0..FUNNEL_MAX */
	int32		nentries;		/* histogram entries of all steps */
	int32		pad;			/* always zero */
	int64		users;			/* users aggregated (reaching step 1 or not) */
	int64		data[FLEXIBLE_ARRAY_MEMBER];
} FunnelState;

#define FS_HDR				offsetof(FunnelState, data)
#define FS_SIZE(N, E)		(FS_HDR + (Size) (N) * 4 * sizeof(int64) + (Size) (E) * sizeof(DurEntry))
#define FS_REACHED(s)		((s)->data)
#define FS_NENT(s)			((s)->data + (s)->nsteps)
#define FS_SUMS(s)			((DurSum *) ((s)->data + 2 * (s)->nsteps))
#define FS_ENTRIES(s)		((DurEntry *) ((s)->data + 4 * (s)->nsteps))

#define FUNNEL_STATE_DETAIL \
	"A funnel_state has 0 to 32 steps, users >= the users at step 1 >= the users at step 2 >= ..., and per step from 2 " \
	"a histogram whose counts add up to the users at that step, with an exact sum of times within what the buckets allow."

/* Is a stored state valid?  NULL or the reason; size is its full length. */
static const char *
fs_problem(const FunnelState *s, Size size)
{
	const int64 *reached;
	const int64 *nent;
	const DurSum *sums;
	const DurEntry *e;
	int64		total = 0;
	int			k;

	if (size < FS_HDR)
		return "too short";
	if (s->version < 1 || s->version > FUNNEL_VERSION)
		return "unsupported format version";
	if (s->pad != 0)
		return "unknown flags";
	if (s->nsteps < 0 || s->nsteps > FUNNEL_MAX || s->nentries < 0 ||
		s->nentries > FUNNEL_MAX * DUR_NBUCKETS || size != FS_SIZE(s->nsteps, s->nentries))
		return "length does not match its step and bucket counts";
	if (s->users < 0)
		return "negative user count";
	reached = FS_REACHED(s);
	nent = FS_NENT(s);
	sums = FS_SUMS(s);
	e = FS_ENTRIES(s);
	for (k = 0; k < s->nsteps; k++)
	{
		const char *problem;

		if (reached[k] < 0 || reached[k] > (k == 0 ? s->users : reached[k - 1]))
			return "users per step are not non-increasing from the user count";
		if (nent[k] < 0 || nent[k] > s->nentries - total)
			return "bucket counts do not match";
		if (k == 0 && (nent[0] != 0 || sums[0].sec != 0 || sums[0].us != 0))
			return "step 1 has times";
		problem = dur_entries_problem(e + total, (int) nent[k], k == 0 ? 0 : reached[k], &sums[k]);
		if (problem)
			return problem;
		total += nent[k];
	}
	if (total != s->nentries)
		return "bucket counts do not match";
	return NULL;
}

/* Fetch state argument argno, detoasted and validated (22023). */
static FunnelState *
fs_arg(FunctionCallInfo fcinfo, int argno)
{
	FunnelState *s = (FunnelState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	const char *problem = fs_problem(s, VARSIZE(s));

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid funnel_state: %s", problem),
				 errdetail(FUNNEL_STATE_DETAIL)));
	return s;
}

/* A zeroed state of N steps and E entries. */
static FunnelState *
fs_alloc(int nsteps, int nentries)
{
	FunnelState *s = palloc0(FS_SIZE(nsteps, nentries));

	SET_VARSIZE(s, FS_SIZE(nsteps, nentries));
	s->version = FUNNEL_VERSION;
	s->nsteps = (int16) nsteps;
	s->nentries = nentries;
	return s;
}

/* The aggregate context, or 0A000 outside an aggregate. */
static MemoryContext
fn_aggcxt(FunctionCallInfo fcinfo, const char *what)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in a non-aggregate context", what)));
	return cxt;
}

/* ---------------------------------------------------------------------------
 * funnel(): one user's events
 * ------------------------------------------------------------------------- */

/* One funnel event. */
typedef struct FunnelEvent
{
	int64		ts;
	int32		step;
	int32		pad;
} FunnelEvent;

/* How the steps are given. */
typedef enum FunnelMode
{
	FUNNEL_BY_STEP = 1,			/* step int; N = the largest step seen */
	FUNNEL_BY_STEP_N,			/* step int, steps int; N = steps */
	FUNNEL_BY_CONDITIONS		/* boolean[]; N = its length */
} FunnelMode;

/* Events kept inside the running state before a separate array is needed. */
#define FUNNEL_INLINE	12

/*
 * The running state of funnel(): the user's funnel events.  The first
 * FUNNEL_INLINE live in the state itself (one allocation of 256 bytes per
 * user, one cache line fewer per row); more go to a doubling array.
 */
typedef struct FunnelAcc
{
	int64		window;			/* microseconds */
	Interval	window_iv;		/* the window argument as given, to skip re-checking it */
	int32		mode;			/* FunnelMode */
	int32		nsteps;			/* N given (modes 2, 3), else the largest step seen */
	int32		n;				/* events */
	int32		cap;			/* events that fit in ev */
	FunnelEvent *ev;			/* inl, or an array in the aggregate context */
	FunnelEvent inl[FUNNEL_INLINE];
} FunnelAcc;

#define FUNNEL_MAX_EVENTS	((int32) (MaxAllocSize / sizeof(FunnelEvent)))

/* A new empty running state in cxt. */
static FunnelAcc *
fa_new(MemoryContext cxt, int64 window, const Interval *window_iv, int mode, int nsteps)
{
	FunnelAcc  *a = MemoryContextAlloc(cxt, sizeof(FunnelAcc));

	a->window = window;
	a->window_iv = *window_iv;
	a->mode = mode;
	a->nsteps = nsteps;
	a->n = 0;
	a->cap = FUNNEL_INLINE;
	a->ev = a->inl;
	return a;
}

/* Make room for extra more events, doubling. */
static void
fa_reserve(FunnelAcc *a, MemoryContext cxt, int64 extra)
{
	int64		need = (int64) a->n + extra;
	int64		cap;

	if (need <= a->cap)
		return;
	if (need > FUNNEL_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("funnel state has too many events"),
				 errdetail("One user may have at most %d funnel events in one aggregate.", FUNNEL_MAX_EVENTS)));
	cap = Min(Max((int64) a->cap * 2, need), FUNNEL_MAX_EVENTS);
	if (a->ev == a->inl)
	{
		a->ev = MemoryContextAlloc(cxt, cap * sizeof(FunnelEvent));
		memcpy(a->ev, a->inl, a->n * sizeof(FunnelEvent));
	}
	else
		a->ev = repalloc(a->ev, cap * sizeof(FunnelEvent));
	a->cap = (int32) cap;
}

/* Append one event (the caller checked the step). */
static inline void
fa_push(FunnelAcc *a, MemoryContext cxt, int64 ts, int step)
{
	if (unlikely(a->n >= a->cap))
		fa_reserve(a, cxt, 1);
	a->ev[a->n].ts = ts;
	a->ev[a->n].step = step;
	a->ev[a->n].pad = 0;
	a->n++;
}

/* Raise 22004 for a NULL parameter of funnel(). */
static void
fn_null_param(const char *name, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s of funnel must not be NULL", name),
			 errdetail("%s", detail)));
}

/* Raise 22023: window or steps changed between the rows of one user. */
static void
fn_param_changed(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("window or number of steps of funnel changed between rows"),
			 errdetail("Every row of one aggregate (one user) must use the same window and steps.")));
}

/* Raise 22023 for a step out of range. */
static void
fn_bad_step(int64 step)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("funnel step %lld is out of range", (long long) step),
			 errdetail(FUNNEL_STEP_DETAIL)));
}

/* The running state for this row: created on the first, parameters checked on every row. */
static FunnelAcc *
fa_get(FunctionCallInfo fcinfo, MemoryContext cxt, int mode, int nsteps)
{
	FunnelAcc  *a;
	Interval   *iv;

	if (PG_ARGISNULL(3))
		fn_null_param("window", "The window is the longest time from step 1 to the last step, e.g. '1 day'.");
	iv = PG_GETARG_INTERVAL_P(3);
	if (PG_ARGISNULL(0))
		return fa_new(cxt, dur_interval_us(iv, "funnel window"), iv, mode, nsteps);
	a = (FunnelAcc *) PG_GETARG_POINTER(0);
	/* the same window as the previous rows (the usual case) needs no check */
	if (unlikely(iv->time != a->window_iv.time || iv->day != a->window_iv.day ||
				 iv->month != a->window_iv.month))
	{
		if (dur_interval_us(iv, "funnel window") != a->window)
			fn_param_changed();
	}
	if (unlikely(a->mode != mode || (mode == FUNNEL_BY_STEP_N && a->nsteps != nsteps)))
		fn_param_changed();
	return a;
}

/* The finite timestamp of a row (22008 otherwise). */
static inline int64
fn_ts(FunctionCallInfo fcinfo)
{
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(1);

	if (unlikely(TIMESTAMP_NOT_FINITE(ts)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("funnel event timestamp must be finite"),
				 errdetail("Event timestamps are finite; rows with a NULL timestamp are ignored.")));
	return ts;
}

PG_FUNCTION_INFO_V1(engage_funnel_accum);
/*
 * Transition of funnel(ts, step, window [, steps]): keeps the row when it
 * is a funnel event (step 1..N; 0 and NULL are not, NULL ts is ignored).
 */
Datum
engage_funnel_accum(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = fn_aggcxt(fcinfo, "funnel transition function");
	FunnelAcc  *a;
	int			nsteps = 0;
	int32		step;

	if (PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4))
			fn_null_param("steps", "steps is the number of funnel steps, 1 to 32.");
		nsteps = PG_GETARG_INT32(4);
		if (nsteps < 1 || nsteps > FUNNEL_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("funnel of %d steps is not supported", nsteps),
					 errdetail("steps is the number of funnel steps, 1 to 32.")));
	}
	a = fa_get(fcinfo, cxt, nsteps ? FUNNEL_BY_STEP_N : FUNNEL_BY_STEP, nsteps);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(a);
	step = PG_GETARG_INT32(2);
	if (step == 0)
		PG_RETURN_POINTER(a);
	if (unlikely(step < 0 || step > (nsteps ? nsteps : FUNNEL_MAX)))
		fn_bad_step(step);
	if (nsteps == 0 && step > a->nsteps)
		a->nsteps = step;
	fa_push(a, cxt, fn_ts(fcinfo), step);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_funnel_accum_conditions);
/*
 * Transition of funnel(ts, conditions boolean[], window): one event per
 * true condition (element k true: step k); NULL elements are false.
 */
Datum
engage_funnel_accum_conditions(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = fn_aggcxt(fcinfo, "funnel transition function");
	FunnelAcc  *a;
	ArrayType  *arr;
	int			len;
	bool	   *vals;
	bits8	   *bitmap;
	int			k;
	int64		ts;

	/* the length is checked below: a row without conditions leaves it unset */
	a = fa_get(fcinfo, cxt, FUNNEL_BY_CONDITIONS, 0);
	if (PG_ARGISNULL(2))
		PG_RETURN_POINTER(a);
	arr = PG_GETARG_ARRAYTYPE_P(2);
	if (ARR_NDIM(arr) != 1 || ARR_ELEMTYPE(arr) != BOOLOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel conditions must be a one-dimensional boolean array"),
				 errdetail("One element per step, 1 to 32 of them, e.g. ARRAY[page = 'home', page = 'cart', page = 'paid'].")));
	len = ARR_DIMS(arr)[0];
	if (len < 1 || len > FUNNEL_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel of %d conditions is not supported", len),
				 errdetail("One element per step, 1 to 32 of them.")));
	if (a->nsteps == 0)
		a->nsteps = len;
	else if (a->nsteps != len)
		fn_param_changed();
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(a);
	ts = fn_ts(fcinfo);
	/* ARR_DATA_PTR, without its signed/unsigned mix (-Wextra) */
	vals = (bool *) ((char *) arr + (ARR_HASNULL(arr) ? (Size) arr->dataoffset : ARR_OVERHEAD_NONULLS(1)));
	bitmap = ARR_NULLBITMAP(arr);
	for (k = 0; k < len; k++)
	{
		bool		isnull = bitmap && !(bitmap[k / 8] & (1 << (k % 8)));

		if (isnull)
			continue;
		if (*vals)
			fa_push(a, cxt, ts, k + 1);
		vals++;
	}
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_funnel_combine);
/* Combine two users' running states of the same funnel (parallel aggregation): appends. */
Datum
engage_funnel_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = fn_aggcxt(fcinfo, "funnel combine function");
	FunnelAcc  *dst;
	FunnelAcc  *src;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (FunnelAcc *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
		dst = fa_new(cxt, src->window, &src->window_iv, src->mode, src->nsteps);
	else
	{
		dst = (FunnelAcc *) PG_GETARG_POINTER(0);
		if (dst->window != src->window || dst->mode != src->mode ||
			(dst->mode != FUNNEL_BY_STEP && dst->nsteps != src->nsteps && dst->nsteps && src->nsteps))
			fn_param_changed();
		dst->nsteps = Max(dst->nsteps, src->nsteps);
	}
	if (src->n > 0)
	{
		fa_reserve(dst, cxt, src->n);
		memcpy(dst->ev + dst->n, src->ev, src->n * sizeof(FunnelEvent));
		dst->n += src->n;
	}
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_funnel_serialize);
/* Serialize: version, window, mode, steps, event count, then (ts, step) per event. */
Datum
engage_funnel_serialize(PG_FUNCTION_ARGS)
{
	FunnelAcc  *a;
	StringInfoData buf;
	int32		i;

	fn_aggcxt(fcinfo, "funnel serialize function");
	a = (FunnelAcc *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buf);
	pq_sendint16(&buf, FUNNEL_VERSION);
	pq_sendint64(&buf, a->window);
	pq_sendint32(&buf, a->mode);
	pq_sendint32(&buf, a->nsteps);
	pq_sendint32(&buf, a->n);
	for (i = 0; i < a->n; i++)
	{
		pq_sendint64(&buf, a->ev[i].ts);
		pq_sendint32(&buf, a->ev[i].step);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Raise 22P03 for a serialized funnel state that is not valid. */
static void
fn_bad_binary(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized funnel state: %s", why),
			 errdetail("It is written by this build of engage's serialize function (format version %d).", FUNNEL_VERSION)));
}

PG_FUNCTION_INFO_V1(engage_funnel_deserialize);
/* Deserialize, checking every field: window, mode, steps, exact length, each event. */
Datum
engage_funnel_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = fn_aggcxt(fcinfo, "funnel deserialize function");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData msg;
	FunnelAcc  *a;
	int32		n;
	int32		i;
	int32		maxstep = 0;
	int64		window;
	Interval	iv;

	msg.data = VARDATA_ANY(b);
	msg.len = VARSIZE_ANY_EXHDR(b);
	msg.maxlen = msg.len;
	msg.cursor = 0;
	if (msg.len < 2 + 8 + 3 * 4 || pq_getmsgint(&msg, 2) != FUNNEL_VERSION)
		fn_bad_binary("unknown format version");
	window = pq_getmsgint64(&msg);
	if (window < 0)
		fn_bad_binary("negative window");
	iv.month = 0;
	iv.day = (int32) (window / USECS_PER_DAY);
	iv.time = window % USECS_PER_DAY;
	a = fa_new(cxt, window, &iv, 0, 0);
	a->mode = (int32) pq_getmsgint(&msg, 4);
	a->nsteps = (int32) pq_getmsgint(&msg, 4);
	n = (int32) pq_getmsgint(&msg, 4);
	if (a->mode < FUNNEL_BY_STEP || a->mode > FUNNEL_BY_CONDITIONS ||
		a->nsteps < 0 || a->nsteps > FUNNEL_MAX || (a->mode == FUNNEL_BY_STEP_N && a->nsteps == 0))
		fn_bad_binary("bad mode or step count");
	if (n < 0 || n > FUNNEL_MAX_EVENTS || (int64) (msg.len - msg.cursor) != (int64) n * 12)
		fn_bad_binary("wrong length for its event count");
	fa_reserve(a, cxt, n);
	for (i = 0; i < n; i++)
	{
		int64		ts = pq_getmsgint64(&msg);
		int32		step = (int32) pq_getmsgint(&msg, 4);

		if (TIMESTAMP_NOT_FINITE(ts) || !IS_VALID_TIMESTAMP(ts) || step < 1 || step > a->nsteps)
			fn_bad_binary("an event has a bad timestamp or step");
		maxstep = Max(maxstep, step);
		a->ev[i].ts = ts;
		a->ev[i].step = step;
		a->ev[i].pad = 0;
	}
	a->n = n;
	if (a->mode == FUNNEL_BY_STEP && maxstep != a->nsteps)
		fn_bad_binary("step count does not match the events");
	pq_getmsgend(&msg);
	PG_RETURN_POINTER(a);
}

/* qsort comparator: by time, then step. */
static int
fn_event_cmp(const void *pa, const void *pb)
{
	const FunnelEvent *a = (const FunnelEvent *) pa;
	const FunnelEvent *b = (const FunnelEvent *) pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return (a->step > b->step) - (a->step < b->step);
}

/* Sort events by (ts, step): insertion sort for the few events of most users, else qsort. */
static void
fn_sort(FunnelEvent *ev, int n)
{
	int			i;

	if (n > 16)
	{
		qsort(ev, n, sizeof(FunnelEvent), fn_event_cmp);
		return;
	}
	for (i = 1; i < n; i++)
	{
		FunnelEvent x = ev[i];
		int			j = i;

		while (j > 0 && (ev[j - 1].ts > x.ts || (ev[j - 1].ts == x.ts && ev[j - 1].step > x.step)))
		{
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = x;
	}
}

/*
 * The funnel of sorted events: returns the depth and writes the step times
 * of the first chain to reach it to times[1..depth].
 */
static int
fn_scan(const FunnelEvent *ev, int n, int nsteps, int64 window, int64 *times)
{
	int64		start[FUNNEL_MAX + 1];
	bool		has[FUNNEL_MAX + 1];
	int64		when[FUNNEL_MAX + 1][FUNNEL_MAX + 1];	/* when[e][k]: chain at e reached k */
	int			depth = 0;
	int			i;

	memset(has, 0, sizeof(has));
	for (i = 0; i < n && depth < nsteps; i++)
	{
		int			e = ev[i].step;
		int64		t = ev[i].ts;

		if (e == 1)
		{
			has[1] = true;
			start[1] = t;
			when[1][1] = t;
		}
		else if (has[e - 1] && t - start[e - 1] <= window)
		{
			has[e] = true;
			start[e] = start[e - 1];
			memcpy(&when[e][1], &when[e - 1][1], (e - 1) * sizeof(int64));
			when[e][e] = t;
		}
		else
			continue;
		if (e > depth)
		{
			depth = e;
			memcpy(&times[1], &when[e][1], e * sizeof(int64));
		}
	}
	return depth;
}

PG_FUNCTION_INFO_V1(engage_funnel_final);
/* Final function of funnel(): sorts the events and returns the one-user funnel_state. */
Datum
engage_funnel_final(PG_FUNCTION_ARGS)
{
	FunnelAcc  *a;
	FunnelState *s;
	int64		times[FUNNEL_MAX + 1];
	int			depth;
	int			k;
	int64	   *reached;
	int64	   *nent;
	DurSum	   *sums;
	DurEntry   *e;

	fn_aggcxt(fcinfo, "funnel final function");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = (FunnelAcc *) PG_GETARG_POINTER(0);
	fn_sort(a->ev, a->n);
	depth = fn_scan(a->ev, a->n, a->nsteps, a->window, times);
	s = fs_alloc(a->nsteps, Max(depth - 1, 0));
	s->users = 1;
	reached = FS_REACHED(s);
	nent = FS_NENT(s);
	sums = FS_SUMS(s);
	e = FS_ENTRIES(s);
	for (k = 1; k <= depth; k++)
	{
		reached[k - 1] = 1;
		if (k > 1)
		{
			int64		d = times[k] - times[k - 1];

			nent[k - 1] = 1;
			dur_sum_add(&sums[k - 1], d, 1, "funnel_state");
			e->bucket = dur_bucket(d);
			e->pad = 0;
			e->count = 1;
			e++;
		}
	}
	PG_RETURN_POINTER(s);
}

/* ---------------------------------------------------------------------------
 * rollup(funnel_state)
 * ------------------------------------------------------------------------- */

/* The running state of rollup(funnel_state). */
typedef struct FunnelRoll
{
	int32		nsteps;
	int64		users;
	int64		reached[FUNNEL_MAX];
	DurHist		h[FUNNEL_MAX];	/* h[k]: times from step k to step k + 1 (h[0] unused) */
} FunnelRoll;

/* Add (sign 1) or remove (sign -1) a validated state. */
static void
fr_add(FunnelRoll *r, MemoryContext cxt, const FunnelState *s, int sign)
{
	const int64 *reached = FS_REACHED(s);
	const int64 *nent = FS_NENT(s);
	const DurSum *sums = FS_SUMS(s);
	const DurEntry *e = FS_ENTRIES(s);
	int			k;

	if (sign < 0)
	{
		bool		ok = r->users >= s->users && s->nsteps <= r->nsteps;

		for (k = 0; ok && k < s->nsteps; k++)
			ok = r->reached[k] >= reached[k];
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot remove a funnel_state that was never added")));
		r->users -= s->users;
		for (k = 0; k < s->nsteps; k++)
			r->reached[k] -= reached[k];
	}
	else
	{
		bool		bad = pg_add_s64_overflow(r->users, s->users, &r->users);

		for (k = 0; k < s->nsteps; k++)
			bad = bad || pg_add_s64_overflow(r->reached[k], reached[k], &r->reached[k]);
		if (bad)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("funnel_state user count is out of range"),
					 errdetail("A funnel_state counts at most %lld users.", (long long) PG_INT64_MAX)));
		r->nsteps = Max(r->nsteps, s->nsteps);
	}
	for (k = 1; k < s->nsteps; k++)
	{
		dur_hist_add_entries(&r->h[k], cxt, e, (int) nent[k], &sums[k], sign, "funnel_state");
		e += nent[k];
	}
}

/* The running state as a stored state (palloc'd in the current context). */
static FunnelState *
fr_to_state(const FunnelRoll *r)
{
	int			total = 0;
	int			k;
	FunnelState *s;
	DurEntry   *e;

	for (k = 1; k < r->nsteps; k++)
		total += dur_hist_nentries(&r->h[k]);
	s = fs_alloc(r->nsteps, total);
	s->users = r->users;
	e = FS_ENTRIES(s);
	for (k = 0; k < r->nsteps; k++)
	{
		FS_REACHED(s)[k] = r->reached[k];
		if (k > 0)
		{
			int			n = dur_hist_entries(&r->h[k], e);

			FS_NENT(s)[k] = n;
			FS_SUMS(s)[k] = r->h[k].sum;
			e += n;
		}
	}
	return s;
}

/* rollup(funnel_state) transition (sign 1) and inverse (sign -1); NULLs ignored. */
static Datum
fr_accum(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext cxt = fn_aggcxt(fcinfo, "rollup(funnel_state) transition function");
	FunnelRoll *r = PG_ARGISNULL(0) ? MemoryContextAllocZero(cxt, sizeof(FunnelRoll))
		: (FunnelRoll *) PG_GETARG_POINTER(0);

	if (!PG_ARGISNULL(1))
		fr_add(r, cxt, fs_arg(fcinfo, 1), sign);
	PG_RETURN_POINTER(r);
}

PG_FUNCTION_INFO_V1(engage_funnel_rollup_accum);
/* Transition of rollup(funnel_state): adds a validated state. */
Datum
engage_funnel_rollup_accum(PG_FUNCTION_ARGS)
{
	return fr_accum(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_funnel_rollup_accum_inv);
/* Inverse transition of rollup(funnel_state) (moving windows). */
Datum
engage_funnel_rollup_accum_inv(PG_FUNCTION_ARGS)
{
	return fr_accum(fcinfo, -1);
}

PG_FUNCTION_INFO_V1(engage_funnel_rollup_combine);
/* Combine two running rollups (parallel); a NULL first becomes a copy in the aggregate context. */
Datum
engage_funnel_rollup_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = fn_aggcxt(fcinfo, "rollup(funnel_state) combine function");
	FunnelRoll *dst;
	FunnelState *tmp;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	dst = PG_ARGISNULL(0) ? MemoryContextAllocZero(cxt, sizeof(FunnelRoll)) : (FunnelRoll *) PG_GETARG_POINTER(0);
	tmp = fr_to_state((FunnelRoll *) PG_GETARG_POINTER(1));
	fr_add(dst, cxt, tmp, 1);
	pfree(tmp);
	PG_RETURN_POINTER(dst);
}

/* Append the binary payload of a stored state (send and serialize). */
static void
fs_send_payload(StringInfo buf, const FunnelState *s)
{
	int			k;
	int			i;

	pq_sendint16(buf, s->nsteps);
	pq_sendint64(buf, s->users);
	for (k = 0; k < s->nsteps; k++)
	{
		pq_sendint64(buf, FS_REACHED(s)[k]);
		pq_sendint64(buf, FS_SUMS(s)[k].sec);
		pq_sendint64(buf, FS_SUMS(s)[k].us);
		pq_sendint32(buf, (int32) FS_NENT(s)[k]);
	}
	for (i = 0; i < s->nentries; i++)
	{
		pq_sendint32(buf, FS_ENTRIES(s)[i].bucket);
		pq_sendint64(buf, FS_ENTRIES(s)[i].count);
	}
}

/* Read a binary payload, every length checked; NULL and *why when invalid. */
static FunnelState *
fs_recv_payload(StringInfo msg, const char **why)
{
	int			nsteps;
	int64		users;
	int64		reached[FUNNEL_MAX];
	DurSum		sums[FUNNEL_MAX];
	int32		nent[FUNNEL_MAX];
	int64		total = 0;
	FunnelState *s;
	int			k;
	int			i;

	*why = "wrong length";
	if (msg->len - msg->cursor < 2 + 8)
		return NULL;
	nsteps = (int16) pq_getmsgint(msg, 2);
	users = pq_getmsgint64(msg);
	if (nsteps < 0 || nsteps > FUNNEL_MAX)
	{
		*why = "bad step count";
		return NULL;
	}
	if (msg->len - msg->cursor < nsteps * 28)
		return NULL;
	for (k = 0; k < nsteps; k++)
	{
		reached[k] = pq_getmsgint64(msg);
		sums[k].sec = pq_getmsgint64(msg);
		sums[k].us = pq_getmsgint64(msg);
		nent[k] = (int32) pq_getmsgint(msg, 4);
		if (nent[k] < 0 || nent[k] > DUR_NBUCKETS)
		{
			*why = "bad bucket count";
			return NULL;
		}
		total += nent[k];
	}
	if ((int64) (msg->len - msg->cursor) != total * 12)
		return NULL;
	s = fs_alloc(nsteps, (int) total);
	s->users = users;
	for (k = 0; k < nsteps; k++)
	{
		FS_REACHED(s)[k] = reached[k];
		FS_SUMS(s)[k] = sums[k];
		FS_NENT(s)[k] = nent[k];
	}
	for (i = 0; i < total; i++)
	{
		FS_ENTRIES(s)[i].bucket = (int32) pq_getmsgint(msg, 4);
		FS_ENTRIES(s)[i].count = pq_getmsgint64(msg);
	}
	*why = fs_problem(s, VARSIZE(s));
	return *why ? NULL : s;
}

PG_FUNCTION_INFO_V1(engage_funnel_rollup_serialize);
/* Serialize a running rollup: version, then the binary payload of funnel_state. */
Datum
engage_funnel_rollup_serialize(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	fn_aggcxt(fcinfo, "rollup(funnel_state) serialize function");
	pq_begintypsend(&buf);
	pq_sendint16(&buf, FUNNEL_VERSION);
	fs_send_payload(&buf, fr_to_state((FunnelRoll *) PG_GETARG_POINTER(0)));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_funnel_rollup_deserialize);
/* Deserialize a running rollup, every field and length checked (22P03). */
Datum
engage_funnel_rollup_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = fn_aggcxt(fcinfo, "rollup(funnel_state) deserialize function");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData msg;
	FunnelState *s = NULL;
	FunnelRoll *r;
	const char *why = "unknown format version";

	msg.data = VARDATA_ANY(b);
	msg.len = VARSIZE_ANY_EXHDR(b);
	msg.maxlen = msg.len;
	msg.cursor = 0;
	if (msg.len >= 2 && pq_getmsgint(&msg, 2) == FUNNEL_VERSION)
		s = fs_recv_payload(&msg, &why);
	if (s == NULL)
		fn_bad_binary(why);
	r = MemoryContextAllocZero(cxt, sizeof(FunnelRoll));
	fr_add(r, cxt, s, 1);
	PG_RETURN_POINTER(r);
}

PG_FUNCTION_INFO_V1(engage_funnel_rollup_final);
/* Final function of rollup(funnel_state): the summed state, NULL for no states. */
Datum
engage_funnel_rollup_final(PG_FUNCTION_ARGS)
{
	FunnelRoll *r;

	fn_aggcxt(fcinfo, "rollup(funnel_state) final function");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	r = (FunnelRoll *) PG_GETARG_POINTER(0);
	if (r->users == 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(fr_to_state(r));
}

/* ---------------------------------------------------------------------------
 * Readers
 * ------------------------------------------------------------------------- */

/* The deepest step with users (0 for none). */
static int
fs_depth(const FunnelState *s)
{
	int			k = s->nsteps;

	while (k > 0 && FS_REACHED(s)[k - 1] == 0)
		k--;
	return k;
}

PG_FUNCTION_INFO_V1(engage_funnel_depth);
/* funnel_depth(state): the deepest step reached (by any user of the state). */
Datum
engage_funnel_depth(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(fs_depth(fs_arg(fcinfo, 0)));
}

PG_FUNCTION_INFO_V1(engage_funnel_users);
/* funnel_users(state): users aggregated, whether they reached step 1 or not. */
Datum
engage_funnel_users(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(fs_arg(fcinfo, 0)->users);
}

PG_FUNCTION_INFO_V1(engage_funnel_step_count);
/* funnel_step_count(state): the number of steps N. */
Datum
engage_funnel_step_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(fs_arg(fcinfo, 0)->nsteps);
}

PG_FUNCTION_INFO_V1(engage_funnel_conversion);
/* funnel_conversion(state): percent of step-1 users who reached the last step; NULL when none reached step 1. */
Datum
engage_funnel_conversion(PG_FUNCTION_ARGS)
{
	FunnelState *s = fs_arg(fcinfo, 0);

	if (s->nsteps == 0 || FS_REACHED(s)[0] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * (double) FS_REACHED(s)[s->nsteps - 1] / (double) FS_REACHED(s)[0]);
}

PG_FUNCTION_INFO_V1(engage_funnel_times);
/*
 * funnel_times(state) of a one-user state: the time from step 1 to each
 * step reached (element 1 is 0), exact; 22023 for a state of several users.
 */
Datum
engage_funnel_times(PG_FUNCTION_ARGS)
{
	FunnelState *s = fs_arg(fcinfo, 0);
	int			depth = fs_depth(s);
	Datum		elems[FUNNEL_MAX];
	DurSum		acc = {0, 0};
	int			k;

	if (s->users != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_times needs the funnel_state of one user, not of %lld", (long long) s->users),
				 errdetail("funnel(...) grouped by user gives one user's state; read states of many users with funnel_steps().")));
	for (k = 0; k < depth; k++)
	{
		dur_sum_add_sum(&acc, &FS_SUMS(s)[k], 1, "funnel_state");
		elems[k] = dur_interval_datum((double) acc.sec * 1e6 + (double) acc.us);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, depth, INTERVALOID, sizeof(Interval), false, TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(engage_funnel_steps);
/*
 * funnel_steps(state): per step, users, conversion from step 1 and from the
 * previous step (percent), and the median and mean time from the previous
 * step; value per call from a validated copy of the state.
 */
Datum
engage_funnel_steps(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	FunnelState *s;
	int			k;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	tupdesc;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		s = fs_arg(fcinfo, 0);
		if ((Pointer) s == DatumGetPointer(PG_GETARG_DATUM(0)))
		{
			/* not detoasted: keep a copy that lives as long as the calls */
			FunnelState *copy = palloc(VARSIZE(s));

			memcpy(copy, s, VARSIZE(s));
			s = copy;
		}
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("funnel_steps must be called where a row type is expected")));
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		funcctx->user_fctx = s;
		funcctx->max_calls = s->nsteps;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	s = (FunnelState *) funcctx->user_fctx;
	k = (int) funcctx->call_cntr;
	if (k < s->nsteps)
	{
		const int64 *reached = FS_REACHED(s);
		Datum		values[6];
		bool		nulls[6] = {false};
		const DurEntry *e = FS_ENTRIES(s);
		int			i;

		for (i = 0; i < k; i++)
			e += FS_NENT(s)[i];
		values[0] = Int32GetDatum(k + 1);
		values[1] = Int64GetDatum(reached[k]);
		nulls[2] = reached[0] == 0;
		if (!nulls[2])
			values[2] = Float8GetDatum(100.0 * (double) reached[k] / (double) reached[0]);
		nulls[3] = k == 0 ? reached[0] == 0 : reached[k - 1] == 0;
		if (!nulls[3])
			values[3] = Float8GetDatum(k == 0 ? 100.0 : 100.0 * (double) reached[k] / (double) reached[k - 1]);
		nulls[4] = nulls[5] = k == 0 || reached[k] == 0;
		if (!nulls[4])
		{
			values[4] = dur_interval_datum(dur_percentile(e, (int) FS_NENT(s)[k], reached[k], 0.5));
			values[5] = dur_interval_datum((double) dur_sum_mean(&FS_SUMS(s)[k], reached[k]));
		}
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

/* ---------------------------------------------------------------------------
 * Type I/O
 * ------------------------------------------------------------------------- */

/* Raise the 22P02 error for a malformed funnel_state literal. */
static void
fs_syntax_error(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type funnel_state: \"%s\"", str),
			 errdetail("%s", detail),
			 errhint("The form is v1;steps=N;users=U;reached=R1,...,RN then ;sK=SECONDS.UUUUUU;hK=LOWER:COUNT,... "
					 "for K = 2..N, e.g. v1;steps=2;users=1;reached=1,1;s2=1.000000;h2=999424:1")));
}

/* Expect a literal token. */
static void
fs_expect(const char *str, const char **pp, const char *tok)
{
	size_t		len = strlen(tok);

	if (strncmp(*pp, tok, len) != 0)
		fs_syntax_error(str, psprintf("Expected \"%s\" at offset %d.", tok, (int) (*pp - str)));
	*pp += len;
}

/* Read a whole number 0 .. 2^63-1 for the text input (22P02 otherwise). */
static int64
fs_read_int(const char *str, const char **pp, const char *what)
{
	const char *p = *pp;
	int64		v = 0;

	if (!isdigit((unsigned char) *p))
		fs_syntax_error(str, psprintf("Expected a whole number (%s) at offset %d.", what, (int) (p - str)));
	while (isdigit((unsigned char) *p))
	{
		if (pg_mul_s64_overflow(v, 10, &v) || pg_add_s64_overflow(v, *p - '0', &v))
			fs_syntax_error(str, psprintf("%s is past %lld.", what, (long long) PG_INT64_MAX));
		p++;
	}
	*pp = p;
	return v;
}

PG_FUNCTION_INFO_V1(engage_funnel_state_in);
/* Text input of funnel_state, validated. */
Datum
engage_funnel_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	int64		version;
	int64		nsteps;
	int64		users;
	int64		reached[FUNNEL_MAX];
	DurSum		sums[FUNNEL_MAX];
	int64		nent[FUNNEL_MAX];
	DurEntry   *all;
	int			maxent;
	int			total = 0;
	FunnelState *s;
	const char *problem;
	int			k;

	fs_expect(str, &p, "v");
	version = fs_read_int(str, &p, "version");
	if (version < 1 || version > FUNNEL_VERSION)
		fs_syntax_error(str, psprintf("Format version %lld is not supported; this build of engage reads versions 1 to %d.",
									  (long long) version, FUNNEL_VERSION));
	fs_expect(str, &p, ";steps=");
	nsteps = fs_read_int(str, &p, "steps");
	if (nsteps > FUNNEL_MAX)
		fs_syntax_error(str, "A funnel has 0 to 32 steps.");
	fs_expect(str, &p, ";users=");
	users = fs_read_int(str, &p, "users");
	fs_expect(str, &p, ";reached=");
	for (k = 0; k < nsteps; k++)
	{
		if (k > 0)
			fs_expect(str, &p, ",");
		reached[k] = fs_read_int(str, &p, "users at a step");
	}
	memset(sums, 0, sizeof(sums));
	memset(nent, 0, sizeof(nent));
	maxent = dur_count_entries(str);
	all = palloc(Max(maxent, 1) * sizeof(DurEntry));
	for (k = 1; k < nsteps; k++)
	{
		char		tok[16];
		const char *err = NULL;
		int			n;

		snprintf(tok, sizeof(tok), ";s%d=", k + 1);
		fs_expect(str, &p, tok);
		if (!dur_parse_seconds(&p, &sums[k]))
			fs_syntax_error(str, "A sum of times is in seconds with exactly 6 decimals.");
		snprintf(tok, sizeof(tok), ";h%d=", k + 1);
		fs_expect(str, &p, tok);
		n = dur_parse_entries(&p, all + total, maxent - total, &err);
		if (n < 0)
			fs_syntax_error(str, err);
		nent[k] = n;
		total += n;
	}
	if (*p != '\0')
		fs_syntax_error(str, psprintf("Unexpected characters at offset %d.", (int) (p - str)));
	s = fs_alloc((int) nsteps, total);
	s->users = users;
	for (k = 0; k < nsteps; k++)
	{
		FS_REACHED(s)[k] = reached[k];
		FS_SUMS(s)[k] = sums[k];
		FS_NENT(s)[k] = nent[k];
	}
	if (total > 0)
		memcpy(FS_ENTRIES(s), all, total * sizeof(DurEntry));
	problem = fs_problem(s, VARSIZE(s));
	if (problem)
		fs_syntax_error(str, psprintf("Invalid funnel_state: %s.", problem));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_funnel_state_out);
/* Text output of funnel_state (exact). */
Datum
engage_funnel_state_out(PG_FUNCTION_ARGS)
{
	FunnelState *s = fs_arg(fcinfo, 0);
	StringInfoData buf;
	const DurEntry *e = FS_ENTRIES(s);
	int			k;

	initStringInfo(&buf);
	appendStringInfo(&buf, "v%d;steps=%d;users=%lld;reached=", s->version, s->nsteps, (long long) s->users);
	for (k = 0; k < s->nsteps; k++)
		appendStringInfo(&buf, "%s%lld", k ? "," : "", (long long) FS_REACHED(s)[k]);
	for (k = 1; k < s->nsteps; k++)
	{
		appendStringInfo(&buf, ";s%d=", k + 1);
		dur_append_seconds(&buf, &FS_SUMS(s)[k]);
		appendStringInfo(&buf, ";h%d=", k + 1);
		dur_append_entries(&buf, e, (int) FS_NENT(s)[k]);
		e += FS_NENT(s)[k];
	}
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(engage_funnel_state_send);
/* Binary output: version, then steps, users, per step (reached, sum, entries), buckets. */
Datum
engage_funnel_state_send(PG_FUNCTION_ARGS)
{
	FunnelState *s = fs_arg(fcinfo, 0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, s->version);
	fs_send_payload(&buf, s);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_funnel_state_recv);
/* Binary input: every length and the text input's checks (22P03). */
Datum
engage_funnel_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int			version;
	FunnelState *s;
	const char *why;

	if (msg->len - msg->cursor < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary funnel_state is too short")));
	version = (int16) pq_getmsgint(msg, 2);
	if (version < 1 || version > FUNNEL_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("funnel_state format version %d is not supported", version),
				 errdetail("This build of engage reads format versions 1 to %d.", FUNNEL_VERSION)));
	s = fs_recv_payload(msg, &why);
	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary funnel_state: %s", why),
				 errdetail(FUNNEL_STATE_DETAIL)));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_funnel_state_jsonb);
/* funnel_state as jsonb: users and, per step, users, conversions and the median and mean times in seconds. */
Datum
engage_funnel_state_jsonb(PG_FUNCTION_ARGS)
{
	FunnelState *s = fs_arg(fcinfo, 0);
	const int64 *reached = FS_REACHED(s);
	const DurEntry *e = FS_ENTRIES(s);
	StringInfoData buf;
	int			k;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"users\": %lld, \"steps\": [", s->version, (long long) s->users);
	for (k = 0; k < s->nsteps; k++)
	{
		appendStringInfo(&buf, "%s{\"step\": %d, \"users\": %lld", k ? ", " : "", k + 1, (long long) reached[k]);
		if (reached[0] > 0)
		{
			appendStringInfoString(&buf, ", \"conversion_from_first\": ");
			hist_append_double(&buf, 100.0 * (double) reached[k] / (double) reached[0]);
		}
		if (k > 0 && reached[k] > 0)
		{
			double		med = rint(dur_percentile(e, (int) FS_NENT(s)[k], reached[k], 0.5));
			int64		mean = dur_sum_mean(&FS_SUMS(s)[k], reached[k]);

			appendStringInfo(&buf, ", \"median_seconds_from_previous\": %lld.%06lld, \"mean_seconds_from_previous\": %lld.%06lld",
							 (long long) (med / 1e6), (long long) fmod(med, 1e6),
							 (long long) (mean / 1000000), (long long) (mean % 1000000));
		}
		appendStringInfoChar(&buf, '}');
		e += FS_NENT(s)[k];
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
