/*
 * flow.c: customer flow.  Churn and retention from customer counts (scalar
 * functions) and from a subscription table (aggregates).
 *
 * A subscription is active on [started_at, ended_at); ended_at NULL means
 * still active.  For a period [period_start, period_end):
 *   S  = at start:  started_at < period_start AND (ended_at IS NULL OR ended_at >= period_start)
 *   N  = new:       period_start <= started_at < period_end
 *   L  = lost:      counted in S and period_start <= ended_at < period_end
 *   NL = new lost:  counted in N and ended_at < period_end
 *   E  = at end:    started_at < period_end AND (ended_at IS NULL OR ended_at >= period_end)
 *                   (always E = S - L + N - NL, since ended_at >= started_at)
 * churn_rate = 100 L / S; retention_rate = 100 (E - N) / S (classic: new
 * customers lost inside the period count against it); retention excluding
 * new = 100 (S - L) / S (new customers excluded from both sides).
 *
 * The aggregate state is a bigint[] of FLOW_NELEMS elements: the period
 * bounds (timestamptz microseconds) and the counts S, N, L, NL.  A real
 * type, so partial states move between parallel workers as they are; it is
 * allocated once per group and then updated in place.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "utils/array.h"
#include "utils/timestamp.h"

#include "engage.h"

/* Element positions in the bigint[] state. */
enum
{
	FLOW_PSTART,				/* period_start, timestamptz microseconds */
	FLOW_PEND,					/* period_end */
	FLOW_S,						/* customers at period start */
	FLOW_N,						/* new customers */
	FLOW_L,						/* starting customers lost in the period */
	FLOW_NL,					/* new customers lost in the period */
	FLOW_NELEMS
};

#define FLOW_STATE_DETAIL \
	"A churn/retention state is a one-dimensional bigint array of 6 non-NULL elements " \
	"{period_start, period_end, at_start, new, lost, new_lost} with period_start < period_end, " \
	"counts >= 0, lost <= at_start and new_lost <= new."

/*
 * The elements of a one-dimensional state array without NULLs (ARR_DATA_PTR
 * without its NULL-bitmap branch, which trips -Wsign-compare).
 */
static inline int64 *
flow_elems(ArrayType *a)
{
	return (int64 *) ((char *) a + ARR_OVERHEAD_NONULLS(1));
}

/* Raise 22023 for a state array that is not a valid churn/retention state. */
static void
flow_bad_state(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid churn/retention state: %s", why),
			 errdetail(FLOW_STATE_DETAIL)));
}

/* Validate a state array (shape and contents) and return its elements. */
static int64 *
flow_check(ArrayType *a)
{
	int64	   *c;
	int			i;

	if (ARR_NDIM(a) != 1 || ARR_DIMS(a)[0] != FLOW_NELEMS || ARR_LBOUND(a)[0] != 1 ||
		ARR_ELEMTYPE(a) != INT8OID)
		flow_bad_state("wrong shape");
	if (ARR_HASNULL(a))
		flow_bad_state("NULL element");
	c = flow_elems(a);
	if (c[FLOW_PSTART] >= c[FLOW_PEND])
		flow_bad_state("period_start is not before period_end");
	for (i = FLOW_S; i < FLOW_NELEMS; i++)
		if (c[i] < 0)
			flow_bad_state("negative count");
	if (c[FLOW_L] > c[FLOW_S] || c[FLOW_NL] > c[FLOW_N])
		flow_bad_state("more customers lost than counted");
	return c;
}

/* Fetch state argument argno, validated; a private copy outside an aggregate. */
static ArrayType *
flow_arg(FunctionCallInfo fcinfo, int argno, bool copy)
{
	ArrayType  *a = copy ? PG_GETARG_ARRAYTYPE_P_COPY(argno) : PG_GETARG_ARRAYTYPE_P(argno);

	flow_check(a);
	return a;
}

/* A fresh state of zero counts for the period, in the given context. */
static ArrayType *
flow_new(MemoryContext cxt, TimestampTz pstart, TimestampTz pend)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Datum		d[FLOW_NELEMS];
	ArrayType  *a;
	int			i;

	d[FLOW_PSTART] = Int64GetDatum(pstart);
	d[FLOW_PEND] = Int64GetDatum(pend);
	for (i = FLOW_S; i < FLOW_NELEMS; i++)
		d[i] = Int64GetDatum(0);
	a = construct_array(d, FLOW_NELEMS, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	MemoryContextSwitchTo(old);
	return a;
}

/* Error unless the period is not NULL and period_start < period_end. */
static void
flow_check_period(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno) || PG_ARGISNULL(argno + 1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("period bounds of a churn or retention aggregate must not be NULL"),
				 errdetail("period_start and period_end are timestamps with period_start < period_end.")));
	if (PG_GETARG_TIMESTAMPTZ(argno) >= PG_GETARG_TIMESTAMPTZ(argno + 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period_start %s is not before period_end %s",
						pstrdup(timestamptz_to_str(PG_GETARG_TIMESTAMPTZ(argno))),
						pstrdup(timestamptz_to_str(PG_GETARG_TIMESTAMPTZ(argno + 1)))),
				 errdetail("The period is [period_start, period_end) and must not be empty.")));
}

/* Add (sign 1) or remove (sign -1) one customer from count *c. */
static inline void
flow_count(int64 *c, int sign)
{
	if (sign > 0)
	{
		if (unlikely(pg_add_s64_overflow(*c, 1, c)))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("churn/retention state has too many customers"),
					 errdetail("A state counts at most %lld customers per category.",
							   (long long) PG_INT64_MAX)));
	}
	else
	{
		if (unlikely(*c <= 0))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot remove a subscription that was never added")));
		(*c)--;
	}
}

/*
 * The body of the transition (sign 1) and inverse transition (sign -1) of
 * the churn and retention aggregates: arguments (state, started_at,
 * ended_at, period_start, period_end).  Rows with a NULL started_at are
 * ignored; the period is checked on every row.  The state is updated in
 * place inside an aggregate and never NULL after the forward transition.
 */
static inline Datum
flow_accum(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext aggcxt;
	bool		inagg = AggCheckCallContext(fcinfo, &aggcxt);
	ArrayType  *a;
	int64	   *c;
	TimestampTz started;
	TimestampTz ended;

	flow_check_period(fcinfo, 3);
	if (PG_ARGISNULL(0))
	{
		/* the inverse of a NULL state cannot be computed: the window restarts */
		if (sign < 0)
			PG_RETURN_NULL();
		a = flow_new(inagg ? aggcxt : CurrentMemoryContext,
					 PG_GETARG_TIMESTAMPTZ(3), PG_GETARG_TIMESTAMPTZ(4));
	}
	else
		a = flow_arg(fcinfo, 0, !inagg);
	c = flow_elems(a);
	if (unlikely(c[FLOW_PSTART] != PG_GETARG_TIMESTAMPTZ(3) ||
				 c[FLOW_PEND] != PG_GETARG_TIMESTAMPTZ(4)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period bounds changed between rows"),
				 errdetail("Every row of one churn or retention aggregate must use the same period_start and period_end.")));
	if (PG_ARGISNULL(1))
		PG_RETURN_ARRAYTYPE_P(a);
	started = PG_GETARG_TIMESTAMPTZ(1);
	if (PG_ARGISNULL(2))
		ended = DT_NOEND;		/* still active: as if it ended at +infinity */
	else
	{
		ended = PG_GETARG_TIMESTAMPTZ(2);
		if (unlikely(ended < started))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("subscription ends at %s, before it starts at %s",
							pstrdup(timestamptz_to_str(ended)), pstrdup(timestamptz_to_str(started))),
					 errdetail("ended_at must be NULL (still active) or at or after started_at.")));
	}
	if (started < c[FLOW_PSTART])
	{
		if (ended >= c[FLOW_PSTART])
		{
			flow_count(&c[FLOW_S], sign);
			if (ended < c[FLOW_PEND])
				flow_count(&c[FLOW_L], sign);
		}
	}
	else if (started < c[FLOW_PEND])
	{
		flow_count(&c[FLOW_N], sign);
		if (ended < c[FLOW_PEND])
			flow_count(&c[FLOW_NL], sign);
	}
	PG_RETURN_ARRAYTYPE_P(a);
}

PG_FUNCTION_INFO_V1(engage_flow_accum);
/* Transition of churn_rate() and the retention aggregates: adds one subscription. */
Datum
engage_flow_accum(PG_FUNCTION_ARGS)
{
	return flow_accum(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_flow_accum_inv);
/* Inverse transition (moving windows): removes one subscription. */
Datum
engage_flow_accum_inv(PG_FUNCTION_ARGS)
{
	return flow_accum(fcinfo, -1);
}

PG_FUNCTION_INFO_V1(engage_flow_combine);
/*
 * Combine (STRICT): adds the counts of two states of the same period, in
 * place inside an aggregate, on a copy when called directly.
 */
Datum
engage_flow_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	int64	   *dst;
	int64	   *src;
	int			i;

	/* defensive: the SQL declaration is STRICT, but never trust a NULL */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	a = flow_arg(fcinfo, 0, !AggCheckCallContext(fcinfo, NULL));
	dst = flow_elems(a);
	src = flow_check(PG_GETARG_ARRAYTYPE_P(1));
	if (dst[FLOW_PSTART] != src[FLOW_PSTART] || dst[FLOW_PEND] != src[FLOW_PEND])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine churn/retention states of different periods"),
				 errdetail("One state covers [%s, %s), the other [%s, %s).",
						   pstrdup(timestamptz_to_str(dst[FLOW_PSTART])),
						   pstrdup(timestamptz_to_str(dst[FLOW_PEND])),
						   pstrdup(timestamptz_to_str(src[FLOW_PSTART])),
						   pstrdup(timestamptz_to_str(src[FLOW_PEND])))));
	for (i = FLOW_S; i < FLOW_NELEMS; i++)
		if (pg_add_s64_overflow(dst[i], src[i], &dst[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("churn/retention state has too many customers"),
					 errdetail("A state counts at most %lld customers per category.",
							   (long long) PG_INT64_MAX)));
	PG_RETURN_ARRAYTYPE_P(a);
}

PG_FUNCTION_INFO_V1(engage_flow_churn_final);
/* Final function of churn_rate(): 100 L / S, NULL when S = 0. */
Datum
engage_flow_churn_final(PG_FUNCTION_ARGS)
{
	int64	   *c = flow_check(PG_GETARG_ARRAYTYPE_P(0));

	if (c[FLOW_S] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * (double) c[FLOW_L] / (double) c[FLOW_S]);
}

PG_FUNCTION_INFO_V1(engage_flow_retention_final);
/*
 * Final function of retention_rate(): 100 (E - N) / S, NULL when S = 0.
 * E - N = S - L - NL, which is below zero when more new customers were lost
 * than starting customers kept.
 */
Datum
engage_flow_retention_final(PG_FUNCTION_ARGS)
{
	int64	   *c = flow_check(PG_GETARG_ARRAYTYPE_P(0));

	if (c[FLOW_S] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * ((double) (c[FLOW_S] - c[FLOW_L]) - (double) c[FLOW_NL]) /
					 (double) c[FLOW_S]);
}

PG_FUNCTION_INFO_V1(engage_flow_retention_excl_new_final);
/* Final function of retention_rate_excluding_new(): 100 (S - L) / S, NULL when S = 0. */
Datum
engage_flow_retention_excl_new_final(PG_FUNCTION_ARGS)
{
	int64	   *c = flow_check(PG_GETARG_ARRAYTYPE_P(0));

	if (c[FLOW_S] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * (double) (c[FLOW_S] - c[FLOW_L]) / (double) c[FLOW_S]);
}

PG_FUNCTION_INFO_V1(engage_churn_rate);
/* churn_rate(customers_start, customers_lost): 100 lost / start, NULL when start = 0. */
Datum
engage_churn_rate(PG_FUNCTION_ARGS)
{
	int64		start = PG_GETARG_INT64(0);
	int64		lost = PG_GETARG_INT64(1);
	const char *allowed = "Counts are >= 0 and customers_lost is at most customers_start.";

	if (start < 0 || lost < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customer counts must not be negative (customers_start %lld, customers_lost %lld)",
						(long long) start, (long long) lost),
				 errdetail("%s", allowed)));
	if (lost > start)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers_lost %lld exceeds customers_start %lld",
						(long long) lost, (long long) start),
				 errdetail("%s", allowed)));
	if (start == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * (double) lost / (double) start);
}

PG_FUNCTION_INFO_V1(engage_retention_rate);
/*
 * retention_rate(customers_start, customers_end, customers_new):
 * 100 (end - new) / start, NULL when start = 0.
 */
Datum
engage_retention_rate(PG_FUNCTION_ARGS)
{
	int64		start = PG_GETARG_INT64(0);
	int64		end = PG_GETARG_INT64(1);
	int64		new = PG_GETARG_INT64(2);
	const char *allowed = "Counts are >= 0, customers_new is at most customers_end, and "
		"customers_end - customers_new (starting customers kept) is at most customers_start.";

	if (start < 0 || end < 0 || new < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customer counts must not be negative (customers_start %lld, customers_end %lld, customers_new %lld)",
						(long long) start, (long long) end, (long long) new),
				 errdetail("%s", allowed)));
	if (new > end)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers_new %lld exceeds customers_end %lld", (long long) new, (long long) end),
				 errdetail("%s", allowed)));
	/* end - new cannot overflow: 0 <= new <= end */
	if (end - new > start)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers kept (customers_end - customers_new = %lld) exceed customers_start %lld",
						(long long) (end - new), (long long) start),
				 errdetail("%s", allowed)));
	if (start == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * (double) (end - new) / (double) start);
}
