/*
 * resolution.c: support resolution time: the aggregates that build a
 * resolution_state, their one-call siblings and the readers.
 *
 * resolution_agg(opened_at, resolved_at) or resolution_agg(resolution
 * interval) builds a resolution_state: tickets still open (resolved_at or
 * the interval NULL) are counted apart and kept out of every time; each
 * resolved ticket's duration goes into an exact sum (for the mean) and into
 * a histogram of log-spaced buckets (for the median, any percentile and the
 * percent within an SLA chosen at read time).  The histogram, its error
 * bounds and its running form are duration.c's; the state and the running
 * state are declared in resolution.h, and their text, binary and jsonb
 * forms are in resolution_io.c.
 */
#include "postgres.h"

#include "common/int.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "resolution.h"

/* Is a stored state valid?  NULL or the reason; size is its full length. */
const char *
res_problem(const ResState *s, Size size)
{
	int64		tickets;

	if (size < RES_HDR)
		return "too short";
	if (s->version < 1 || s->version > RES_VERSION)
		return "unsupported format version";
	if (s->flags != 0 || s->pad != 0)
		return "unknown flags";
	if (s->nentries < 0 || s->nentries > DUR_NBUCKETS || size != RES_SIZE(s->nentries))
		return "length does not match its bucket count";
	if (s->open < 0 || s->resolved < 0 || pg_add_s64_overflow(s->open, s->resolved, &tickets))
		return "bad ticket counts";
	return dur_entries_problem(s->entries, s->nentries, s->resolved, &s->sum);
}

/* Fetch state argument argno, detoasted and validated (22023). */
ResState *
res_arg(FunctionCallInfo fcinfo, int argno)
{
	ResState   *s = (ResState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	const char *problem = res_problem(s, VARSIZE(s));

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid resolution_state: %s", problem),
				 errdetail(RES_STATE_DETAIL)));
	return s;
}

/* A zeroed state of n bucket entries (palloc'd in the current context). */
ResState *
res_alloc(int n)
{
	ResState   *s = palloc0(RES_SIZE(n));

	SET_VARSIZE(s, RES_SIZE(n));
	s->version = RES_VERSION;
	s->nentries = n;
	return s;
}

/* A new empty running state in cxt. */
ResAcc *
res_acc_new(MemoryContext cxt)
{
	ResAcc	   *a = MemoryContextAllocZero(cxt, sizeof(ResAcc));

	a->sla = -1;
	return a;
}

/* Add (sign 1) or remove (sign -1) one ticket: a duration, or open when isopen. */
static void
res_acc_ticket(ResAcc *a, MemoryContext cxt, bool isopen, int64 us, int sign)
{
	if (isopen)
	{
		if (sign > 0)
		{
			if (unlikely(pg_add_s64_overflow(a->open, 1, &a->open)))
				dur_overflow("open ticket count");
		}
		else
		{
			if (unlikely(a->open < 1))
				dur_never_added("resolution_state");
			a->open--;
		}
		return;
	}
	dur_hist_add_value(&a->h, cxt, us, sign, "resolution_state");
}

/* The SLA argument argno of a one-call resolution_within (22004, 22023; must not change). */
static void
res_acc_sla(FunctionCallInfo fcinfo, ResAcc *a, int argno)
{
	int64		sla;

	if (argno >= PG_NARGS())
		return;
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("sla of resolution_within must not be NULL"),
				 errdetail(DUR_DETAIL)));
	sla = dur_interval_us(PG_GETARG_INTERVAL_P(argno), "sla");
	if (a->sla >= 0 && a->sla != sla)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sla of resolution_within changed between rows"),
				 errdetail("Every row of one aggregate must use the same SLA.")));
	a->sla = sla;
}

/*
 * Transition (sign 1) and inverse (sign -1) from (opened_at, resolved_at
 * [, sla]): rows without opened_at are ignored; resolved_at NULL is open.
 */
static Datum
res_accum_ts(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "resolution transition function");
	ResAcc	   *a = PG_ARGISNULL(0) ? res_acc_new(cxt) : (ResAcc *) PG_GETARG_POINTER(0);

	res_acc_sla(fcinfo, a, 3);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(a);
	res_acc_ticket(a, cxt, PG_ARGISNULL(2),
				   PG_ARGISNULL(2) ? 0 : dur_between(PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_TIMESTAMPTZ(2), "resolved_at"),
				   sign);
	PG_RETURN_POINTER(a);
}

/* Transition (sign 1) and inverse (sign -1) from a resolution interval [, sla]; NULL is open. */
static Datum
res_accum_iv(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "resolution transition function");
	ResAcc	   *a = PG_ARGISNULL(0) ? res_acc_new(cxt) : (ResAcc *) PG_GETARG_POINTER(0);

	res_acc_sla(fcinfo, a, 2);
	res_acc_ticket(a, cxt, PG_ARGISNULL(1),
				   PG_ARGISNULL(1) ? 0 : dur_interval_us(PG_GETARG_INTERVAL_P(1), "resolution time"),
				   sign);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_resolution_accum);
/* Transition of resolution_agg(opened_at, resolved_at) and its one-call siblings. */
Datum
engage_resolution_accum(PG_FUNCTION_ARGS)
{
	return res_accum_ts(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_resolution_accum_inv);
/* Inverse transition of the (opened_at, resolved_at) aggregates (moving windows). */
Datum
engage_resolution_accum_inv(PG_FUNCTION_ARGS)
{
	return res_accum_ts(fcinfo, -1);
}

PG_FUNCTION_INFO_V1(engage_resolution_accum_interval);
/* Transition of resolution_agg(resolution interval) and its one-call siblings. */
Datum
engage_resolution_accum_interval(PG_FUNCTION_ARGS)
{
	return res_accum_iv(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_resolution_accum_interval_inv);
/* Inverse transition of the interval aggregates (moving windows). */
Datum
engage_resolution_accum_interval_inv(PG_FUNCTION_ARGS)
{
	return res_accum_iv(fcinfo, -1);
}

/* Add (sign 1) or remove (sign -1) a validated stored state. */
void
res_acc_add_state(ResAcc *a, MemoryContext cxt, const ResState *s, int sign)
{
	if (sign > 0)
	{
		if (pg_add_s64_overflow(a->open, s->open, &a->open))
			dur_overflow("open ticket count");
	}
	else
	{
		if (a->open < s->open || a->h.n < s->resolved)
			dur_never_added("resolution_state");
		a->open -= s->open;
	}
	dur_hist_add_entries(&a->h, cxt, s->entries, s->nentries, &s->sum, sign, "resolution_state");
}

/* rollup(resolution_state) transition (sign 1) and inverse (sign -1); NULLs ignored. */
static Datum
res_rollup(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "rollup(resolution_state) transition function");
	ResAcc	   *a = PG_ARGISNULL(0) ? res_acc_new(cxt) : (ResAcc *) PG_GETARG_POINTER(0);

	if (!PG_ARGISNULL(1))
		res_acc_add_state(a, cxt, res_arg(fcinfo, 1), sign);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_resolution_rollup_accum);
/* Transition of rollup(resolution_state): adds a validated state. */
Datum
engage_resolution_rollup_accum(PG_FUNCTION_ARGS)
{
	return res_rollup(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_resolution_rollup_accum_inv);
/* Inverse transition of rollup(resolution_state) (moving windows). */
Datum
engage_resolution_rollup_accum_inv(PG_FUNCTION_ARGS)
{
	return res_rollup(fcinfo, -1);
}

/* The running state as a stored state (palloc'd in the current context). */
ResState *
res_from_acc(const ResAcc *a)
{
	ResState   *s = res_alloc(dur_hist_nentries(&a->h));

	dur_hist_entries(&a->h, s->entries);
	s->open = a->open;
	s->resolved = a->h.n;
	s->sum = a->h.sum;
	return s;
}

PG_FUNCTION_INFO_V1(engage_resolution_combine);
/*
 * Combine two running states (parallel aggregation).  A NULL first state
 * becomes a copy of the second in the aggregate context.
 */
Datum
engage_resolution_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "resolution combine function");
	ResAcc	   *dst;
	ResAcc	   *src;
	ResState   *tmp;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (ResAcc *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
	{
		dst = res_acc_new(cxt);
		dst->sla = src->sla;
	}
	else
	{
		dst = (ResAcc *) PG_GETARG_POINTER(0);
		if (dst->sla < 0)
			dst->sla = src->sla;
		else if (src->sla >= 0 && src->sla != dst->sla)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("sla of resolution_within changed between rows"),
					 errdetail("Every row of one aggregate must use the same SLA.")));
	}
	tmp = res_from_acc(src);
	res_acc_add_state(dst, cxt, tmp, 1);
	pfree(tmp);
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_resolution_final);
/* Final function of resolution_agg and rollup: the state, NULL for no tickets. */
Datum
engage_resolution_final(PG_FUNCTION_ARGS)
{
	ResAcc	   *a;

	dur_aggcxt(fcinfo, "resolution final function");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = (ResAcc *) PG_GETARG_POINTER(0);
	if (a->open == 0 && a->h.n == 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(res_from_acc(a));
}

/* The mean of a state's resolution times; the caller checks resolved > 0. */
static Datum
res_mean(const ResState *s)
{
	return dur_mean_datum(&s->sum, s->resolved);
}

/* The p-quantile of a state's resolution times; resolved > 0. */
static Datum
res_percentile(const ResState *s, double p)
{
	return dur_percentile_datum(s->entries, s->nentries, s->resolved, p);
}

/* Percent of the resolved tickets resolved within sla; resolved > 0. */
static double
res_within(const ResState *s, int64 sla)
{
	return 100.0 * dur_within(s->entries, s->nentries, sla) / (double) s->resolved;
}

/* The running state of a one-call aggregate as a stored state, or NULL when nothing is resolved. */
static ResState *
res_final_state(FunctionCallInfo fcinfo)
{
	ResAcc	   *a;

	dur_aggcxt(fcinfo, "resolution final function");
	if (PG_ARGISNULL(0))
		return NULL;
	a = (ResAcc *) PG_GETARG_POINTER(0);
	if (a->h.n == 0)
		return NULL;
	return res_from_acc(a);
}

PG_FUNCTION_INFO_V1(engage_mean_resolution_time_final);
/* Final function of the one-call mean_resolution_time aggregates. */
Datum
engage_mean_resolution_time_final(PG_FUNCTION_ARGS)
{
	ResState   *s = res_final_state(fcinfo);

	if (s == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(res_mean(s));
}

PG_FUNCTION_INFO_V1(engage_median_resolution_time_final);
/* Final function of the one-call median_resolution_time aggregates. */
Datum
engage_median_resolution_time_final(PG_FUNCTION_ARGS)
{
	ResState   *s = res_final_state(fcinfo);

	if (s == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(res_percentile(s, 0.5));
}

PG_FUNCTION_INFO_V1(engage_resolution_within_final);
/* Final function of the one-call resolution_within aggregates (the SLA is in the state). */
Datum
engage_resolution_within_final(PG_FUNCTION_ARGS)
{
	ResState   *s = res_final_state(fcinfo);

	if (s == NULL)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(res_within(s, ((ResAcc *) PG_GETARG_POINTER(0))->sla));
}

PG_FUNCTION_INFO_V1(engage_resolution_ticket_count);
/* ticket_count(state): open + resolved tickets. */
Datum
engage_resolution_ticket_count(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);

	PG_RETURN_INT64(s->open + s->resolved);
}

PG_FUNCTION_INFO_V1(engage_resolution_count);
/* resolution_count(state): resolved tickets. */
Datum
engage_resolution_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(res_arg(fcinfo, 0)->resolved);
}

PG_FUNCTION_INFO_V1(engage_resolution_open_count);
/* open_count(state): tickets without a resolution. */
Datum
engage_resolution_open_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(res_arg(fcinfo, 0)->open);
}

PG_FUNCTION_INFO_V1(engage_mean_resolution_time);
/* mean_resolution_time(state): exact mean to the microsecond; NULL when none resolved. */
Datum
engage_mean_resolution_time(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);

	if (s->resolved == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(res_mean(s));
}

PG_FUNCTION_INFO_V1(engage_median_resolution_time);
/* median_resolution_time(state): within 1/128 of the exact median; NULL when none resolved. */
Datum
engage_median_resolution_time(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);

	if (s->resolved == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(res_percentile(s, 0.5));
}

/* Check a fraction argument is in [0, 1] (22023). */
static double
res_fraction(double p)
{
	if (!(p >= 0.0 && p <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("percentile %g is not between 0 and 1", p),
				 errdetail("The percentile is a fraction from 0 to 1, as for percentile_cont (0.9 is the 90th percentile).")));
	return p;
}

PG_FUNCTION_INFO_V1(engage_resolution_percentile);
/* resolution_percentile(state, p): percentile_cont(p) within 1/128; NULL when none resolved. */
Datum
engage_resolution_percentile(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);
	double		p = res_fraction(PG_GETARG_FLOAT8(1));

	if (s->resolved == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(res_percentile(s, p));
}

PG_FUNCTION_INFO_V1(engage_resolution_within);
/* resolution_within(state, sla): percent of resolved tickets with a time <= sla; NULL when none resolved. */
Datum
engage_resolution_within(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);
	int64		sla = dur_interval_us(PG_GETARG_INTERVAL_P(1), "sla");

	if (s->resolved == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(res_within(s, sla));
}

