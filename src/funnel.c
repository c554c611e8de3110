/*
 * funnel.c: window funnels, like ClickHouse's windowFunnel (default mode):
 * the funnel() aggregate, its per-user chain logic, and rollup(funnel_state).
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
 * per row); combine appends.  The chain logic (fn_chain: sort, then scan)
 * is shared with the one-call keyed form funnel(user_id, ts, ...) of
 * funnel_keyed.c, which runs it for every user of one aggregate and adds
 * each user to a running rollup (fr_add_user), as rollup() of the per-user
 * states would.
 *
 * funnel_state (varlena, declared in funnel.h) holds, for any number of
 * users: users, and per step k = 1..N the users who reached it, the exact
 * sum of the times from step k - 1 to k, and a histogram of those times
 * (duration.c's duration histogram: log-spaced buckets, medians within
 * 1/128).  A one-user state is exact (its sums are the times).
 * rollup(funnel_state) adds states.  Its text, binary and jsonb forms and
 * the serialized running states are in funnel_io.c; the readers
 * (funnel_steps(state) and the rest) in funnel_read.c.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/timestamp.h"

#include "funnel.h"

#define FUNNEL_STEP_DETAIL \
	"A step is 1 to 32 (0 or NULL: not a funnel event), and at most the number of steps when it is given."

/* ---------------------------------------------------------------------------
 * funnel_state
 * ------------------------------------------------------------------------- */

/* Is a stored state valid?  NULL or the reason; size is its full length. */
const char *
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
FunnelState *
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
FunnelState *
fs_alloc(int nsteps, int nentries)
{
	FunnelState *s = palloc0(FS_SIZE(nsteps, nentries));

	SET_VARSIZE(s, FS_SIZE(nsteps, nentries));
	s->version = FUNNEL_VERSION;
	s->nsteps = (int16) nsteps;
	s->nentries = nentries;
	return s;
}

/* ---------------------------------------------------------------------------
 * Arguments and parameters of funnel(), both forms
 * ------------------------------------------------------------------------- */

/* Raise 22004 for a NULL parameter of funnel(). */
static void
fn_null_param(const char *name, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s of funnel must not be NULL", name),
			 errdetail("%s", detail)));
}

/* Raise 22023: window, steps or condition count changed between the rows of one aggregate. */
void
fn_param_changed(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("window or number of steps of funnel changed between rows"),
			 errdetail("Every row of one aggregate (one user, or every user of funnel(user_id, ...)) must use the same window and steps.")));
}

/* Raise 22023 for a step out of range. */
void
fn_bad_step(int64 step)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("funnel step %lld is out of range", (long long) step),
			 errdetail(FUNNEL_STEP_DETAIL)));
}

/* Raise 22008 for an infinite event timestamp. */
void
fn_bad_ts(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("funnel event timestamp must be finite"),
			 errdetail("Event timestamps are finite; rows with a NULL timestamp are ignored.")));
}

/* The window argument argno, never NULL (22004). */
const Interval *
fn_window_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		fn_null_param("window", "The window is the longest time from step 1 to the last step, e.g. '1 day'.");
	return PG_GETARG_INTERVAL_P(argno);
}

/* The steps argument argno: 1..32 (22023), never NULL (22004). */
int
fn_steps_arg(FunctionCallInfo fcinfo, int argno)
{
	int32		nsteps;

	if (PG_ARGISNULL(argno))
		fn_null_param("steps", "steps is the number of funnel steps, 1 to 32.");
	nsteps = PG_GETARG_INT32(argno);
	if (nsteps < 1 || nsteps > FUNNEL_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel of %d steps is not supported", nsteps),
				 errdetail("steps is the number of funnel steps, 1 to 32.")));
	return nsteps;
}

/* The parameters of the first row (the window is checked here: 22023). */
void
fn_params_init(FunnelParams *p, const Interval *iv, int mode, int nsteps)
{
	p->window = dur_interval_us(iv, "funnel window");
	p->window_iv = *iv;
	p->mode = mode;
	p->nsteps = nsteps;
}

/* A row's window is written differently from the first row's: it must be the same length. */
void
fn_window_changed(const FunnelParams *p, const Interval *iv)
{
	if (dur_interval_us(iv, "funnel window") != p->window)
		fn_param_changed();
}

/* Combine: the parameters of two running states must agree; N is the larger. */
void
fn_params_merge(FunnelParams *dst, const FunnelParams *src)
{
	if (dst->window != src->window || dst->mode != src->mode ||
		(dst->mode != FUNNEL_BY_STEP && dst->nsteps != src->nsteps && dst->nsteps && src->nsteps))
		fn_param_changed();
	dst->nsteps = Max(dst->nsteps, src->nsteps);
}

/*
 * The conditions array of a row: a one-dimensional boolean array of 1..32
 * elements (22023); returns the true elements as a mask (bit k - 1: step k,
 * NULL elements false) and their number in *len.
 */
uint32
fn_conditions(ArrayType *arr, int *len)
{
	bool	   *vals;
	bits8	   *bitmap;
	uint32		mask = 0;
	int			k;

	if (ARR_NDIM(arr) != 1 || ARR_ELEMTYPE(arr) != BOOLOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel conditions must be a one-dimensional boolean array"),
				 errdetail("One element per step, 1 to 32 of them, e.g. ARRAY[page = 'home', page = 'cart', page = 'paid'].")));
	*len = ARR_DIMS(arr)[0];
	if (*len < 1 || *len > FUNNEL_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel of %d conditions is not supported", *len),
				 errdetail("One element per step, 1 to 32 of them.")));
	/* ARR_DATA_PTR, without its signed/unsigned mix (-Wextra) */
	vals = (bool *) ((char *) arr + (ARR_HASNULL(arr) ? (Size) arr->dataoffset : ARR_OVERHEAD_NONULLS(1)));
	bitmap = ARR_NULLBITMAP(arr);
	for (k = 0; k < *len; k++)
	{
		if (bitmap && !(bitmap[k / 8] & (1 << (k % 8))))
			continue;
		if (*vals)
			mask |= (uint32) 1 << k;
		vals++;
	}
	return mask;
}

/* ---------------------------------------------------------------------------
 * funnel(ts, ...): one user's events
 * ------------------------------------------------------------------------- */

/* A new empty running state in cxt. */
FunnelAcc *
fa_new(MemoryContext cxt, const FunnelParams *p)
{
	FunnelAcc  *a = MemoryContextAlloc(cxt, sizeof(FunnelAcc));

	a->p = *p;
	a->n = 0;
	a->cap = FUNNEL_INLINE;
	a->ev = a->inl;
	return a;
}

/* Make room for extra more events, doubling. */
void
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

/* The running state for this row: created on the first, parameters checked on every row. */
static FunnelAcc *
fa_get(FunctionCallInfo fcinfo, MemoryContext cxt, int mode, int nsteps)
{
	const Interval *iv = fn_window_arg(fcinfo, 3);
	FunnelAcc  *a;

	if (PG_ARGISNULL(0))
	{
		FunnelParams p;

		fn_params_init(&p, iv, mode, nsteps);
		return fa_new(cxt, &p);
	}
	a = (FunnelAcc *) PG_GETARG_POINTER(0);
	fn_params_check(&a->p, iv, mode, nsteps);
	return a;
}

PG_FUNCTION_INFO_V1(engage_funnel_accum);
/*
 * Transition of funnel(ts, step, window [, steps]): keeps the row when it
 * is a funnel event (step 1..N; 0 and NULL are not, NULL ts is ignored).
 */
Datum
engage_funnel_accum(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "funnel transition function");
	FunnelAcc  *a;
	int			nsteps = PG_NARGS() > 4 ? fn_steps_arg(fcinfo, 4) : 0;
	int32		step;

	a = fa_get(fcinfo, cxt, nsteps ? FUNNEL_BY_STEP_N : FUNNEL_BY_STEP, nsteps);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(a);
	step = PG_GETARG_INT32(2);
	if (step == 0)
		PG_RETURN_POINTER(a);
	if (unlikely(step < 0 || step > (nsteps ? nsteps : FUNNEL_MAX)))
		fn_bad_step(step);
	if (nsteps == 0 && step > a->p.nsteps)
		a->p.nsteps = step;
	fa_push(a, cxt, fn_ts_arg(fcinfo, 1), step);
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
	MemoryContext cxt = dur_aggcxt(fcinfo, "funnel transition function");
	FunnelAcc  *a;
	uint32		mask;
	int			len;
	int64		ts;

	/* the length is checked below: a row without conditions leaves it unset */
	a = fa_get(fcinfo, cxt, FUNNEL_BY_CONDITIONS, 0);
	if (PG_ARGISNULL(2))
		PG_RETURN_POINTER(a);
	mask = fn_conditions(PG_GETARG_ARRAYTYPE_P(2), &len);
	if (a->p.nsteps == 0)
		a->p.nsteps = len;
	else if (a->p.nsteps != len)
		fn_param_changed();
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(a);
	ts = fn_ts_arg(fcinfo, 1);
	while (mask)
	{
		fa_push(a, cxt, ts, pg_rightmost_one_pos32(mask) + 1);
		mask &= mask - 1;
	}
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_funnel_combine);
/* Combine two users' running states of the same funnel (parallel aggregation): appends. */
Datum
engage_funnel_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "funnel combine function");
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
		dst = fa_new(cxt, &src->p);
	else
	{
		dst = (FunnelAcc *) PG_GETARG_POINTER(0);
		fn_params_merge(&dst->p, &src->p);
	}
	if (src->n > 0)
	{
		fa_reserve(dst, cxt, src->n);
		memcpy(dst->ev + dst->n, src->ev, src->n * sizeof(FunnelEvent));
		dst->n += src->n;
	}
	PG_RETURN_POINTER(dst);
}

/* ---------------------------------------------------------------------------
 * The chain logic of one user, shared by both forms
 * ------------------------------------------------------------------------- */

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

/*
 * One user's funnel from its n events (any order, steps 1..nsteps): sorts
 * them in place by (ts, step), returns the depth and writes the step times
 * of the first chain to reach it to times[1..depth].
 */
int
fn_chain(FunnelEvent *ev, int n, int nsteps, int64 window, int64 *times)
{
	fn_sort(ev, n);
	return fn_scan(ev, n, nsteps, window, times);
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

	dur_aggcxt(fcinfo, "funnel final function");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = (FunnelAcc *) PG_GETARG_POINTER(0);
	depth = fn_chain(a->ev, a->n, a->p.nsteps, a->p.window, times);
	s = fs_alloc(a->p.nsteps, Max(depth - 1, 0));
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

/* Add (sign 1) or remove (sign -1) a validated state. */
void
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

/*
 * Add one user's chain (fn_chain's depth and times) to a running rollup:
 * exactly what adding the user's one-user state does (the keyed form).
 */
void
fr_add_user(FunnelRoll *r, MemoryContext cxt, int depth, const int64 *times)
{
	int			k;

	r->users++;
	for (k = 1; k <= depth; k++)
	{
		r->reached[k - 1]++;
		if (k > 1)
			dur_hist_add_value(&r->h[k - 1], cxt, times[k] - times[k - 1], 1, "funnel_state");
	}
}

/* The running state as a stored state (palloc'd in the current context). */
FunnelState *
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
	MemoryContext cxt = dur_aggcxt(fcinfo, "rollup(funnel_state) transition function");
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
	MemoryContext cxt = dur_aggcxt(fcinfo, "rollup(funnel_state) combine function");
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

PG_FUNCTION_INFO_V1(engage_funnel_rollup_final);
/* Final function of rollup(funnel_state): the summed state, NULL for no states. */
Datum
engage_funnel_rollup_final(PG_FUNCTION_ARGS)
{
	FunnelRoll *r;

	dur_aggcxt(fcinfo, "rollup(funnel_state) final function");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	r = (FunnelRoll *) PG_GETARG_POINTER(0);
	if (r->users == 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(fr_to_state(r));
}
