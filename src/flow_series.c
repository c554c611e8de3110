/*
 * flow_series.c: the one-pass churn series.  subscription_flow(started_at,
 * ended_at, series_start, series_end, step) counts, in one scan, S, N, L, NL
 * (flow.c's definitions) for every period
 *     [series_start + k * step, series_start + (k + 1) * step), k = 0, 1, ...
 * the last period ending at series_end.  Bounds use timestamptz + interval
 * (calendar arithmetic in the session time zone) and are computed once per
 * aggregate group; the state stores them, so a stored state reads the same
 * in any time zone.
 *
 * Per row, the period of started_at (ps) and of ended_at (pe) are found by
 * binary search over the bounds (-1 before the series, P after it).  Then
 *     N[ps] += 1,  NL[ps] += 1 if pe = ps,  L[pe] += 1 if ps < pe < P,
 *     S0 += 1 if ps < 0 <= pe,
 * and S[k + 1] = E[k] = S[k] - L[k] + N[k] - NL[k] is summed at the end, so
 * a row costs O(log P), not O(P).
 *
 * The running state is internal (bounds + S0 + N, L, NL per period), with
 * serialize/deserialize for parallel aggregation; the result is flow_state,
 * a varlena base type that stores the bounds and S, N, L, NL per period.
 * Text form (exact, time zone independent; timestamps in UTC):
 *   v1;step=1mon0d0us;2024-01-01 00:00:00+00 {5,4,2,2};2024-02-01 00:00:00+00 {5,1,2,0};2024-03-01 00:00:00+00
 * one "period_start {S,N,L,NL}" per period, then series_end.
 */
#include "postgres.h"

#include <ctype.h>

#include "catalog/pg_type.h"
#include "common/int.h"
/* funcapi.h pulls in server headers with unused parameters (-Wextra) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "funcapi.h"
#pragma GCC diagnostic pop
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

#include "engage.h"
#include "flow_series.h"

/*
 * The running state of the aggregates (internal): one chunk holding the
 * bounds (nperiods + 1 of them, the last being series_end) and N, L, NL of
 * each period, three consecutive int64 per period.
 */
typedef struct FlowAcc
{
	int32		nperiods;
	int32		step_month;
	int32		step_day;
	int64		step_time;
	int64		s0;				/* customers at the start of period 0 */
	TimestampTz *bounds;
	int64	   *cnt;
} FlowAcc;

enum
{
	ACC_N,
	ACC_L,
	ACC_NL,
	ACC_WIDTH
};

#define FLOW_STEP_DETAIL \
	"step must be a positive interval with no negative part, such as '1 month', '7 days' or '1 hour'."

/* Format a finite timestamp as ISO 8601 in UTC ("2024-01-01 00:00:00+00"). */
void
flow_ts_str(TimestampTz t, char *buf)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(t) || timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range in a flow_state")));
	tm.tm_isdst = 0;			/* UTC: EncodeDateTime prints no zone for -1 */
	EncodeDateTime(&tm, fsec, true, 0, NULL, USE_ISO_DATES, buf);
}

/* A timestamp as text for messages (UTC, palloc'd). */
char *
flow_ts_msg(TimestampTz t)
{
	char		buf[MAXDATELEN + 1];

	if (TIMESTAMP_NOT_FINITE(t))
		return pstrdup(TIMESTAMP_IS_NOBEGIN(t) ? "-infinity" : "infinity");
	flow_ts_str(t, buf);
	return pstrdup(buf);
}

/* Is the step acceptable?  NULL or a message. */
const char *
flow_step_problem(int32 month, int32 day, int64 time)
{
	if (month < 0 || day < 0 || time < 0 || (month == 0 && day == 0 && time == 0))
		return "step must be positive";
	/* PostgreSQL 17's infinite interval */
	if (month == PG_INT32_MAX && day == PG_INT32_MAX && time == PG_INT64_MAX)
		return "step must be finite";
	return NULL;
}

/* The bound start + k * step (calendar arithmetic in the session time zone). */
static TimestampTz
flow_bound(TimestampTz start, int32 month, int32 day, int64 time, int k)
{
	Interval	iv;

	if (pg_mul_s32_overflow(month, k, &iv.month) ||
		pg_mul_s32_overflow(day, k, &iv.day) ||
		pg_mul_s64_overflow(time, k, &iv.time))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("series bound %d is out of range", k),
				 errdetail("series_start + %d * step cannot be represented.", k)));
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												   TimestampTzGetDatum(start),
												   PointerGetDatum(&iv)));
}

/*
 * Validate the series arguments of row fcinfo (args argno..argno+2 are
 * series_start, series_end, step) and build a fresh, empty running state for
 * them in cxt: bounds computed once here.
 */
static FlowAcc *
flow_acc_build(FunctionCallInfo fcinfo, int argno, MemoryContext cxt)
{
	TimestampTz start = PG_GETARG_TIMESTAMPTZ(argno);
	TimestampTz end = PG_GETARG_TIMESTAMPTZ(argno + 1);
	Interval   *step = PG_GETARG_INTERVAL_P(argno + 2);
	const char *problem;
	TimestampTz *tmp;
	int			cap = 64;
	int			p = 0;
	FlowAcc    *acc;
	char	   *chunk;

	if (TIMESTAMP_NOT_FINITE(start) || TIMESTAMP_NOT_FINITE(end))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("series bounds must be finite"),
				 errdetail("series_start and series_end are finite timestamps with series_start < series_end.")));
	if (start >= end)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("series_start %s is not before series_end %s",
						flow_ts_msg(start), flow_ts_msg(end)),
				 errdetail("The series is [series_start, series_end) and must not be empty.")));
	problem = flow_step_problem(step->month, step->day, step->time);
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s", problem),
				 errdetail(FLOW_STEP_DETAIL)));

	/* bounds: start + k * step while before end; then end itself */
	tmp = palloc(cap * sizeof(TimestampTz));
	tmp[0] = start;
	for (;;)
	{
		TimestampTz b;

		p++;
		if (p > FLOW_MAX_PERIODS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the series has more than %d periods", FLOW_MAX_PERIODS),
					 errdetail("A series has at most %d periods: use a longer step or a shorter range.",
							   FLOW_MAX_PERIODS)));
		b = flow_bound(start, step->month, step->day, step->time, p);
		if (b <= tmp[p - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the series step does not advance at %s", flow_ts_msg(tmp[p - 1])),
					 errdetail(FLOW_STEP_DETAIL)));
		if (p >= cap)
		{
			cap *= 2;
			tmp = repalloc(tmp, cap * sizeof(TimestampTz));
		}
		if (b >= end)
		{
			tmp[p] = end;
			break;
		}
		tmp[p] = b;
	}

	chunk = MemoryContextAllocZero(cxt, MAXALIGN(sizeof(FlowAcc)) +
								   (Size) (p + 1) * sizeof(TimestampTz) +
								   (Size) p * ACC_WIDTH * sizeof(int64));
	acc = (FlowAcc *) chunk;
	acc->nperiods = p;
	acc->step_month = step->month;
	acc->step_day = step->day;
	acc->step_time = step->time;
	acc->bounds = (TimestampTz *) (chunk + MAXALIGN(sizeof(FlowAcc)));
	acc->cnt = (int64 *) (acc->bounds + p + 1);
	memcpy(acc->bounds, tmp, (p + 1) * sizeof(TimestampTz));
	pfree(tmp);
	return acc;
}

/* An empty running state for nperiods periods (bounds left to the caller). */
static FlowAcc *
flow_acc_alloc(MemoryContext cxt, int nperiods, int32 month, int32 day, int64 time)
{
	char	   *chunk = MemoryContextAllocZero(cxt, MAXALIGN(sizeof(FlowAcc)) +
											   (Size) (nperiods + 1) * sizeof(TimestampTz) +
											   (Size) nperiods * ACC_WIDTH * sizeof(int64));
	FlowAcc    *acc = (FlowAcc *) chunk;

	acc->nperiods = nperiods;
	acc->step_month = month;
	acc->step_day = day;
	acc->step_time = time;
	acc->bounds = (TimestampTz *) (chunk + MAXALIGN(sizeof(FlowAcc)));
	acc->cnt = (int64 *) (acc->bounds + nperiods + 1);
	return acc;
}

/* Raise 22003 for a count past 2^63-1. */
static void
flow_too_many(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("flow_state has too many customers"),
			 errdetail("A flow_state counts at most %lld customers per period and category.",
					   (long long) PG_INT64_MAX)));
}

/* *c += 1, overflow-checked. */
static inline void
flow_inc(int64 *c)
{
	if (unlikely(pg_add_s64_overflow(*c, 1, c)))
		flow_too_many();
}

/*
 * Index of the period containing t: the number of bounds <= t, minus one.
 * -1 before series_start, nperiods at or after series_end.  The bounds are
 * nearly evenly spaced (calendar steps differ by a few days at most), so an
 * interpolated guess is within a step or two; walking from it avoids the
 * unpredictable branches of a binary search on the per-row path.
 */
static inline int
flow_find(const TimestampTz *bounds, int nbounds, TimestampTz t)
{
	int			last = nbounds - 1;
	int			k;

	if (t < bounds[0])
		return -1;
	if (t >= bounds[last])
		return last;
	k = (int) ((double) (t - bounds[0]) / (double) (bounds[last] - bounds[0]) * last);
	k = Max(0, Min(k, last - 1));
	while (bounds[k] > t)
		k--;
	while (bounds[k + 1] <= t)
		k++;
	return k;
}

/* Do the definitions (periods, step, every bound) of two series agree? */
static bool
flow_acc_same_series(const FlowAcc *a, const FlowAcc *b)
{
	return a->nperiods == b->nperiods && a->step_month == b->step_month &&
		a->step_day == b->step_day && a->step_time == b->step_time &&
		memcmp(a->bounds, b->bounds, (a->nperiods + 1) * sizeof(TimestampTz)) == 0;
}

/* Error 22023 unless two series are the same. */
static void
flow_require_same_series(const FlowAcc *a, const FlowAcc *b)
{
	if (!flow_acc_same_series(a, b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine flow states of different series"),
				 errdetail("One series is [%s, %s) in %d periods of step %dmon%dd%lldus, the other [%s, %s) in %d periods of step %dmon%dd%lldus; "
						   "only states with the same bounds and step combine.",
						   flow_ts_msg(a->bounds[0]), flow_ts_msg(a->bounds[a->nperiods]), a->nperiods,
						   a->step_month, a->step_day, (long long) a->step_time,
						   flow_ts_msg(b->bounds[0]), flow_ts_msg(b->bounds[b->nperiods]), b->nperiods,
						   b->step_month, b->step_day, (long long) b->step_time)));
}

/* dst += src, element by element, overflow-checked (series already equal). */
static void
flow_acc_add(FlowAcc *dst, const FlowAcc *src)
{
	int			i;

	if (pg_add_s64_overflow(dst->s0, src->s0, &dst->s0))
		flow_too_many();
	for (i = 0; i < dst->nperiods * ACC_WIDTH; i++)
		if (pg_add_s64_overflow(dst->cnt[i], src->cnt[i], &dst->cnt[i]))
			flow_too_many();
}

/* A copy of a running state in cxt. */
static FlowAcc *
flow_acc_copy(MemoryContext cxt, const FlowAcc *src)
{
	FlowAcc    *acc = flow_acc_alloc(cxt, src->nperiods, src->step_month, src->step_day, src->step_time);

	acc->s0 = src->s0;
	memcpy(acc->bounds, src->bounds, (src->nperiods + 1) * sizeof(TimestampTz));
	memcpy(acc->cnt, src->cnt, (Size) src->nperiods * ACC_WIDTH * sizeof(int64));
	return acc;
}

/* Error unless called as part of an aggregate (internal states). */
static MemoryContext
flow_agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as part of an aggregate", fn)));
	return aggcxt;
}

PG_FUNCTION_INFO_V1(engage_flow_series_accum);
/*
 * Transition of subscription_flow(started_at, ended_at, series_start,
 * series_end, step): counts one subscription in O(log periods).
 */
Datum
engage_flow_series_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = flow_agg_context(fcinfo, "flow_series_accum");
	FlowAcc    *acc;
	TimestampTz started;
	TimestampTz ended;
	int			p;
	int			ps;
	int			pe;

	if (PG_ARGISNULL(3) || PG_ARGISNULL(4) || PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("series arguments of subscription_flow must not be NULL"),
				 errdetail("series_start and series_end are finite timestamps with series_start < series_end, and step is a positive interval.")));
	if (PG_ARGISNULL(0))
		acc = flow_acc_build(fcinfo, 3, aggcxt);
	else
	{
		Interval   *step = PG_GETARG_INTERVAL_P(5);

		acc = (FlowAcc *) PG_GETARG_POINTER(0);
		if (unlikely(acc->bounds[0] != PG_GETARG_TIMESTAMPTZ(3) ||
					 acc->bounds[acc->nperiods] != PG_GETARG_TIMESTAMPTZ(4) ||
					 acc->step_month != step->month || acc->step_day != step->day ||
					 acc->step_time != step->time))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("series arguments changed between rows"),
					 errdetail("Every row of one subscription_flow aggregate must use the same series_start, series_end and step.")));
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(acc);	/* no start: ignored */
	started = PG_GETARG_TIMESTAMPTZ(1);
	p = acc->nperiods;
	if (PG_ARGISNULL(2))
		ended = DT_NOEND;		/* still active */
	else
	{
		ended = PG_GETARG_TIMESTAMPTZ(2);
		if (unlikely(ended < started))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("subscription ends at %s, before it starts at %s",
							flow_ts_msg(ended), flow_ts_msg(started)),
					 errdetail("ended_at must be NULL (still active) or at or after started_at.")));
	}
	ps = flow_find(acc->bounds, p + 1, started);
	if (ps >= p)
		PG_RETURN_POINTER(acc);	/* starts after the series */
	pe = (ended == DT_NOEND) ? p : flow_find(acc->bounds, p + 1, ended);
	if (ps >= 0)
	{
		flow_inc(&acc->cnt[ps * ACC_WIDTH + ACC_N]);
		if (pe == ps)
			flow_inc(&acc->cnt[ps * ACC_WIDTH + ACC_NL]);
	}
	else if (pe >= 0)
		flow_inc(&acc->s0);
	if (pe > ps && pe >= 0 && pe < p)
		flow_inc(&acc->cnt[pe * ACC_WIDTH + ACC_L]);
	PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(engage_flow_series_combine);
/* Combine of two running states of the same series (parallel aggregation). */
Datum
engage_flow_series_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = flow_agg_context(fcinfo, "flow_series_combine");
	FlowAcc    *a = PG_ARGISNULL(0) ? NULL : (FlowAcc *) PG_GETARG_POINTER(0);
	FlowAcc    *b = PG_ARGISNULL(1) ? NULL : (FlowAcc *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		PG_RETURN_POINTER(flow_acc_copy(aggcxt, b));	/* b may live in a shorter context */
	flow_require_same_series(a, b);
	flow_acc_add(a, b);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_flow_series_serialize);
/* Serialize a running state: header, bounds, counts (network order). */
Datum
engage_flow_series_serialize(PG_FUNCTION_ARGS)
{
	FlowAcc    *acc;
	StringInfoData buf;
	int			i;

	flow_agg_context(fcinfo, "flow_series_serialize");
	acc = (FlowAcc *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buf);
	pq_sendint32(&buf, acc->nperiods);
	pq_sendint32(&buf, acc->step_month);
	pq_sendint32(&buf, acc->step_day);
	pq_sendint64(&buf, acc->step_time);
	pq_sendint64(&buf, acc->s0);
	for (i = 0; i <= acc->nperiods; i++)
		pq_sendint64(&buf, acc->bounds[i]);
	for (i = 0; i < acc->nperiods * ACC_WIDTH; i++)
		pq_sendint64(&buf, acc->cnt[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Raise 22P03 for a malformed serialized running state. */
static void
flow_bad_serial(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized subscription_flow state: %s", why),
			 errdetail("A serialized state holds 1 to %d periods, increasing bounds and non-negative counts.",
					   FLOW_MAX_PERIODS)));
}

PG_FUNCTION_INFO_V1(engage_flow_series_deserialize);
/* Deserialize a running state, every length and count checked. */
Datum
engage_flow_series_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = flow_agg_context(fcinfo, "flow_series_deserialize");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData msg;
	int32		p;
	int32		month;
	int32		day;
	int64		time;
	FlowAcc    *acc;
	int			i;

	msg.data = VARDATA_ANY(b);
	msg.len = VARSIZE_ANY_EXHDR(b);
	msg.maxlen = msg.len;
	msg.cursor = 0;
	if (msg.len < 28)
		flow_bad_serial("too short");
	p = (int32) pq_getmsgint(&msg, 4);
	month = (int32) pq_getmsgint(&msg, 4);
	day = (int32) pq_getmsgint(&msg, 4);
	time = (int64) pq_getmsgint64(&msg);
	if (p < 1 || p > FLOW_MAX_PERIODS)
		flow_bad_serial("period count out of range");
	if (flow_step_problem(month, day, time))
		flow_bad_serial("bad step");
	if (msg.len != 28 + (8 * (p + 1)) + 8 * ACC_WIDTH * p)
		flow_bad_serial("wrong length");
	acc = flow_acc_alloc(aggcxt, p, month, day, time);
	acc->s0 = (int64) pq_getmsgint64(&msg);
	for (i = 0; i <= p; i++)
	{
		acc->bounds[i] = (int64) pq_getmsgint64(&msg);
		if (!IS_VALID_TIMESTAMP(acc->bounds[i]) || (i > 0 && acc->bounds[i] <= acc->bounds[i - 1]))
			flow_bad_serial("bounds not finite and increasing");
	}
	for (i = 0; i < p * ACC_WIDTH; i++)
		acc->cnt[i] = (int64) pq_getmsgint64(&msg);
	pq_getmsgend(&msg);
	if (acc->s0 < 0)
		flow_bad_serial("negative count");
	for (i = 0; i < p; i++)
	{
		const int64 *c = &acc->cnt[i * ACC_WIDTH];

		if (c[ACC_N] < 0 || c[ACC_L] < 0 || c[ACC_NL] < 0 || c[ACC_NL] > c[ACC_N])
			flow_bad_serial("impossible count");
	}
	PG_RETURN_POINTER(acc);
}

/* A stored state for a running state: S summed period by period. */
static FlowState *
flow_acc_to_state(const FlowAcc *acc)
{
	int			p = acc->nperiods;
	FlowState  *st = palloc0(FLOW_STATE_SIZE(p));
	int64		s = acc->s0;
	int			k;

	SET_VARSIZE(st, FLOW_STATE_SIZE(p));
	st->version = FLOW_STATE_VERSION;
	st->nperiods = p;
	st->step_month = acc->step_month;
	st->step_day = acc->step_day;
	st->step_time = acc->step_time;
	st->series_end = acc->bounds[p];
	for (k = 0; k < p; k++)
	{
		FlowPeriod *pp = &st->periods[k];
		const int64 *c = &acc->cnt[k * ACC_WIDTH];

		pp->start = acc->bounds[k];
		pp->s = s;
		pp->n = c[ACC_N];
		pp->l = c[ACC_L];
		pp->nl = c[ACC_NL];
		if (pp->l > s)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("subscription_flow state is inconsistent: more customers lost than at start")));
		/* E = S - L + N - NL: the S of the next period */
		if (pg_add_s64_overflow(s - pp->l, pp->n - pp->nl, &s))
			flow_too_many();
	}
	return st;
}

PG_FUNCTION_INFO_V1(engage_flow_series_final);
/* Final function: the running state as a flow_state. */
Datum
engage_flow_series_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(flow_acc_to_state((FlowAcc *) PG_GETARG_POINTER(0)));
}

/*
 * Is a stored state valid?  NULL or the reason: length, version, header,
 * step, finite increasing bounds, counts >= 0, L <= S, NL <= N and
 * S[k + 1] = S[k] - L[k] + N[k] - NL[k].
 */
const char *
flow_state_problem(const FlowState *st, Size size)
{
	int			k;

	if (size < FLOW_HDRSZ)
		return "too short";
	if (st->version < 1 || st->version > FLOW_STATE_VERSION)
		return "unsupported format version";
	if (st->flags != 0)
		return "unknown flags";
	if (st->nperiods < 1 || st->nperiods > FLOW_MAX_PERIODS)
		return "period count out of range";
	if (size != FLOW_STATE_SIZE(st->nperiods))
		return "length does not match the period count";
	if (flow_step_problem(st->step_month, st->step_day, st->step_time))
		return "step is not positive";
	if (!IS_VALID_TIMESTAMP(st->series_end))	/* finite and in range */
		return "series_end is not finite";
	for (k = 0; k < st->nperiods; k++)
	{
		const FlowPeriod *pp = &st->periods[k];
		TimestampTz next = (k + 1 < st->nperiods) ? st->periods[k + 1].start : st->series_end;
		int64		e;

		if (!IS_VALID_TIMESTAMP(pp->start) || pp->start >= next)
			return "period bounds are not finite and increasing";
		if (pp->s < 0 || pp->n < 0 || pp->l < 0 || pp->nl < 0)
			return "negative count";
		if (pp->l > pp->s || pp->nl > pp->n)
			return "more customers lost than counted";
		if (pg_add_s64_overflow(pp->s - pp->l, pp->n - pp->nl, &e))
			return "customers at end out of range";
		if (k + 1 < st->nperiods && st->periods[k + 1].s != e)
			return "customers at the start of a period differ from those at the end of the previous one";
	}
	return NULL;
}

/* Fetch and validate a flow_state argument (detoasted; never modified). */
FlowState *
flow_state_arg(FunctionCallInfo fcinfo, int argno)
{
	FlowState  *st = (FlowState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	const char *problem = flow_state_problem(st, VARSIZE(st));

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid flow_state: %s", problem),
				 errdetail("A flow_state has 1 to %d periods with increasing finite bounds, counts >= 0, "
						   "lost <= at start, new lost <= new, and each period starting with the customers the previous one ended with.",
						   FLOW_MAX_PERIODS)));
	return st;
}

PG_FUNCTION_INFO_V1(engage_flow_rollup_accum);
/* Transition of rollup(flow_state): adds one stored state (NULLs ignored). */
Datum
engage_flow_rollup_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = flow_agg_context(fcinfo, "flow_rollup_accum");
	FlowAcc    *acc = PG_ARGISNULL(0) ? NULL : (FlowAcc *) PG_GETARG_POINTER(0);
	FlowState  *st;
	FlowAcc    *add;
	int			p;
	int			k;

	if (PG_ARGISNULL(1))
	{
		if (acc == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(acc);
	}
	st = flow_state_arg(fcinfo, 1);
	p = st->nperiods;
	/* the state as a running state (temporary, in the per-row context) */
	add = flow_acc_alloc(acc ? CurrentMemoryContext : aggcxt, p,
						 st->step_month, st->step_day, st->step_time);
	add->s0 = st->periods[0].s;
	for (k = 0; k < p; k++)
	{
		add->bounds[k] = st->periods[k].start;
		add->cnt[k * ACC_WIDTH + ACC_N] = st->periods[k].n;
		add->cnt[k * ACC_WIDTH + ACC_L] = st->periods[k].l;
		add->cnt[k * ACC_WIDTH + ACC_NL] = st->periods[k].nl;
	}
	add->bounds[p] = st->series_end;
	if (acc == NULL)
		PG_RETURN_POINTER(add);
	flow_require_same_series(acc, add);
	flow_acc_add(acc, add);
	pfree(add);
	PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(engage_flow_periods);
/*
 * flow_periods(flow_state): one row per period with the counts and rates,
 * value per call from a validated copy of the state.
 */
Datum
engage_flow_periods(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	FlowState  *st;
	int			k;

	if (SRF_IS_FIRSTCALL())
	{
		st = flow_state_arg(fcinfo, 0);
		engage_srf_state_init(fcinfo, "flow_periods", st, st->nperiods);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = (FlowState *) funcctx->user_fctx;
	k = (int) funcctx->call_cntr;
	if (k < st->nperiods)
	{
		const FlowPeriod *pp = &st->periods[k];
		int64		e = pp->s - pp->l + pp->n - pp->nl; /* validated: no overflow */
		Datum		values[10];
		bool		nulls[10] = {false};
		double		s = (double) pp->s;
		int			i;

		values[0] = TimestampTzGetDatum(pp->start);
		values[1] = TimestampTzGetDatum(k + 1 < st->nperiods ? st->periods[k + 1].start : st->series_end);
		values[2] = Int64GetDatum(pp->s);
		values[3] = Int64GetDatum(pp->n);
		values[4] = Int64GetDatum(pp->l);
		values[5] = Int64GetDatum(e);
		if (pp->s == 0)
			for (i = 6; i < 10; i++)
				nulls[i] = true;
		else
		{
			values[6] = Float8GetDatum(100.0 * (double) pp->l / s);
			values[7] = Float8GetDatum(100.0 * ((double) (pp->s - pp->l) - (double) pp->nl) / s);
			values[8] = Float8GetDatum(100.0 * (double) (pp->s - pp->l) / s);
			values[9] = Float8GetDatum(100.0 * ((double) e - s) / s);
		}
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}
