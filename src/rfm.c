/*
 * rfm.c: the RFM summary of one customer's transactions, with the
 * definitions of the lifetimes / pymc-marketing libraries
 * (summary_data_from_transaction_data / rfm_summary).
 *
 * rfm_summary(ts, amount, observation_end [, period [, unit]]):
 *   - every ts is truncated to the start of its period ('hour', 'day',
 *     'week' (ISO, from Monday), 'month', 'quarter', 'year') in the session
 *     time zone, and so is observation_end; purchases in the same period are
 *     merged (their amounts summed);
 *   - periods after observation_end's period are ignored;
 *   - frequency x = distinct periods - 1;
 *   - recency t_x = (last period - first period) / unit;
 *   - t (T)       = (observation_end's period - first period) / unit;
 *   - monetary_value = mean of the per-period sums of the periods after the
 *     first (0 when x = 0).
 * A unit of days and/or time divides the microseconds between period
 * starts (a day is 24 hours of local wall-clock time); a unit of whole
 * months (periods month, quarter or year only) divides the months between
 * them.
 *
 * The state is a growable array of (period start, amount sum) pairs in the
 * aggregate context.  A row in the same period as the last pair adds to it;
 * otherwise it is appended, and a full array is sorted and merged before it
 * grows, so it never holds more than twice the distinct periods and grows
 * by doubling (no allocation per row).  Partial states are serialized
 * sorted and merged; the combine function appends and merges.
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "funcapi.h"
#pragma GCC diagnostic pop
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/float.h"
#include "utils/timestamp.h"

#include "engage.h"

/* Format version of the serialized state. */
#define RFM_VERSION		1

/* The period lengths. */
typedef enum RfmPeriod
{
	RFM_HOUR = 1,
	RFM_DAY,
	RFM_WEEK,
	RFM_MONTH,
	RFM_QUARTER,
	RFM_YEAR
} RfmPeriod;

static const char *const rfm_period_names[] = {
	NULL, "hour", "day", "week", "month", "quarter", "year"
};

#define RFM_PERIOD_DETAIL \
	"The period is one of 'hour', 'day', 'week', 'month', 'quarter', 'year'."
#define RFM_UNIT_DETAIL \
	"The unit is a positive interval of days and/or time (e.g. '1 day', '7 days', '1 week'), " \
	"or of whole months (e.g. '1 month', '1 year') when the period is 'month', 'quarter' or 'year'."

/* One period: its start (local time, microseconds) and the amounts in it. */
typedef struct RfmItem
{
	int64		key;
	double		amount;
} RfmItem;

/* The transition state of rfm_summary(). */
typedef struct RfmState
{
	TimestampTz obs_end;		/* the observation_end argument */
	int64		obs_key;		/* its period start */
	int32		period;			/* RfmPeriod */
	int32		unit_months;	/* unit in months, or 0 */
	int64		unit_us;		/* unit in microseconds, or 0 */
	int32		n;				/* pairs in items */
	int32		cap;			/* allocated pairs */
	RfmItem    *items;
} RfmState;

/* Largest number of pairs a state may hold (its array stays under 1 GB). */
#define RFM_MAX_ITEMS	((int32) (MaxAllocSize / sizeof(RfmItem)))

/* Parse the period argument (case-insensitive); 22023 when unknown. */
static int32
rfm_parse_period(text *t)
{
	const char *p = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	int			i;

	for (i = RFM_HOUR; i <= RFM_YEAR; i++)
		if ((size_t) len == strlen(rfm_period_names[i]) &&
			pg_strncasecmp(p, rfm_period_names[i], len) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid period \"%s\" for rfm_summary", text_to_cstring(t)),
			 errdetail(RFM_PERIOD_DETAIL)));
	return 0;					/* keep the compiler quiet */
}

/* Split a unit into months or microseconds, validated against the period (22023). */
static void
rfm_parse_unit(const Interval *unit, int32 period, int32 *months, int64 *us)
{
	*months = 0;
	*us = 0;
	if (unit->month != 0)
	{
		if (unit->month < 0 || unit->day != 0 || unit->time != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid unit for rfm_summary"),
					 errdetail(RFM_UNIT_DETAIL)));
		if (period < RFM_MONTH)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a unit of months needs a period of 'month', 'quarter' or 'year', not '%s'",
							rfm_period_names[period]),
					 errdetail(RFM_UNIT_DETAIL)));
		*months = unit->month;
		return;
	}
	if (pg_mul_s64_overflow((int64) unit->day, USECS_PER_DAY, us) ||
		pg_add_s64_overflow(*us, unit->time, us) || *us <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid unit for rfm_summary"),
				 errdetail(RFM_UNIT_DETAIL)));
}

/* The start of the period holding local date jd (Julian day) and hour. */
static inline int64
rfm_key_from_local(int32 period, int jd, int hour)
{
	int			y,
				m,
				d;

	switch (period)
	{
		case RFM_HOUR:
			return ((int64) (jd - POSTGRES_EPOCH_JDATE)) * USECS_PER_DAY + hour * USECS_PER_HOUR;
		case RFM_DAY:
			break;
		case RFM_WEEK:
			jd -= (j2day(jd) + 6) % 7;	/* back to Monday */
			break;
		default:
			j2date(jd, &y, &m, &d);
			if (period == RFM_QUARTER)
				m = 3 * ((m - 1) / 3) + 1;
			else if (period == RFM_YEAR)
				m = 1;
			jd = date2j(y, m, 1);
			break;
	}
	return ((int64) (jd - POSTGRES_EPOCH_JDATE)) * USECS_PER_DAY;
}

/* The start of ts's period in local time of the session time zone. */
static int64
rfm_key(int32 period, TimestampTz ts, const char *what)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;

	if (TIMESTAMP_NOT_FINITE(ts) || timestamp2tm(ts, &tz, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range for rfm_summary", what),
				 errdetail("Timestamps must be finite.")));
	return rfm_key_from_local(period, date2j(tm.tm_year, tm.tm_mon, tm.tm_mday), tm.tm_hour);
}

/* Is key the start of a period (as rfm_key would produce)? */
static bool
rfm_key_aligned(int32 period, int64 key)
{
	int64		days;

	if (!IS_VALID_TIMESTAMP(key))
		return false;
	if (period == RFM_HOUR)
		return key % USECS_PER_HOUR == 0;
	if (key % USECS_PER_DAY != 0)
		return false;
	days = key / USECS_PER_DAY;
	return rfm_key_from_local(period, (int) days + POSTGRES_EPOCH_JDATE, 0) == key;
}

/* Month number (year * 12 + month - 1) of a period start. */
static int64
rfm_month_index(int64 key)
{
	int			y,
				m,
				d;

	j2date((int) (key / USECS_PER_DAY) + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	return (int64) y * 12 + m - 1;
}

/* (b - a) in units, a and b being period starts. */
static double
rfm_units(const RfmState *s, int64 a, int64 b)
{
	if (s->unit_months > 0)
		return (double) (rfm_month_index(b) - rfm_month_index(a)) / (double) s->unit_months;
	return (double) (b - a) / (double) s->unit_us;
}

/* qsort comparator: by period start. */
static int
rfm_item_cmp(const void *a, const void *b)
{
	int64		ka = ((const RfmItem *) a)->key;
	int64		kb = ((const RfmItem *) b)->key;

	return (ka > kb) - (ka < kb);
}

/* Sort the pairs and merge those of the same period (summing amounts). */
static void
rfm_compact(RfmState *s)
{
	int32		i;
	int32		out = 0;

	if (s->n < 2)
		return;
	qsort(s->items, s->n, sizeof(RfmItem), rfm_item_cmp);
	for (i = 1; i < s->n; i++)
	{
		if (s->items[i].key == s->items[out].key)
			s->items[out].amount += s->items[i].amount;
		else
			s->items[++out] = s->items[i];
	}
	s->n = out + 1;
}

/* Make room for extra more pairs: compact first, then grow by doubling. */
static void
rfm_reserve(RfmState *s, MemoryContext cxt, int32 extra)
{
	int64		need;
	int64		cap;

	if ((int64) s->n + extra <= s->cap)
		return;
	rfm_compact(s);
	need = (int64) s->n + extra;
	if (need <= s->cap && s->n <= s->cap / 2)
		return;
	if (need > RFM_MAX_ITEMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("rfm_summary state has too many distinct periods"),
				 errdetail("One customer may have at most %d distinct purchase periods.", RFM_MAX_ITEMS)));
	cap = Max(Max((int64) s->cap * 2, need), 8);
	cap = Min(cap, RFM_MAX_ITEMS);
	if (s->items == NULL)
		s->items = MemoryContextAlloc(cxt, cap * sizeof(RfmItem));
	else
		s->items = repalloc(s->items, cap * sizeof(RfmItem));
	s->cap = (int32) cap;
}

/* A new empty state in cxt with the given parameters. */
static RfmState *
rfm_new(MemoryContext cxt, TimestampTz obs_end, int64 obs_key, int32 period,
		int32 unit_months, int64 unit_us)
{
	RfmState   *s = MemoryContextAllocZero(cxt, sizeof(RfmState));

	s->obs_end = obs_end;
	s->obs_key = obs_key;
	s->period = period;
	s->unit_months = unit_months;
	s->unit_us = unit_us;
	return s;
}

/* Raise 22004 for a NULL parameter argument. */
static void
rfm_null_param(const char *name, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s of rfm_summary must not be NULL", name),
			 errdetail("%s", detail)));
}

PG_FUNCTION_INFO_V1(engage_rfm_accum);
/*
 * Transition of rfm_summary(ts, amount, observation_end [, period [, unit]]):
 * the parameters are checked on every row and must not change; rows with a
 * NULL ts or amount are ignored, and so are periods after observation_end's.
 */
Datum
engage_rfm_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	RfmState   *s;
	TimestampTz obs_end;
	int32		period = RFM_DAY;
	int32		unit_months = 0;
	int64		unit_us = USECS_PER_DAY;
	double		amount;
	int64		key;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rfm_summary transition function called in a non-aggregate context")));
	if (PG_ARGISNULL(3))
		rfm_null_param("observation_end", "observation_end is the finite end of the calibration period.");
	obs_end = PG_GETARG_TIMESTAMPTZ(3);
	if (PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4))
			rfm_null_param("period", RFM_PERIOD_DETAIL);
		period = rfm_parse_period(PG_GETARG_TEXT_PP(4));
	}
	if (PG_NARGS() > 5)
	{
		if (PG_ARGISNULL(5))
			rfm_null_param("unit", RFM_UNIT_DETAIL);
		rfm_parse_unit(PG_GETARG_INTERVAL_P(5), period, &unit_months, &unit_us);
	}
	if (PG_ARGISNULL(0))
		s = rfm_new(aggcxt, obs_end, rfm_key(period, obs_end, "observation_end"),
					period, unit_months, unit_us);
	else
	{
		s = (RfmState *) PG_GETARG_POINTER(0);
		if (unlikely(s->obs_end != obs_end || s->period != period ||
					 s->unit_months != unit_months || s->unit_us != unit_us))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("observation_end, period or unit of rfm_summary changed between rows"),
					 errdetail("Every row of one aggregate (one customer) must use the same observation_end, period and unit.")));
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(s);
	amount = PG_GETARG_FLOAT8(2);
	if (unlikely(isnan(amount) || isinf(amount)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transaction amount %s is not a finite number", float8out_internal(amount)),
				 errdetail("Amounts are finite numbers (negative ones, such as refunds, are allowed).")));
	key = rfm_key(period, PG_GETARG_TIMESTAMPTZ(1), "transaction timestamp");
	if (key > s->obs_key)
		PG_RETURN_POINTER(s);
	if (s->n > 0 && s->items[s->n - 1].key == key)
	{
		s->items[s->n - 1].amount += amount;
		PG_RETURN_POINTER(s);
	}
	rfm_reserve(s, aggcxt, 1);
	s->items[s->n].key = key;
	s->items[s->n].amount = amount;
	s->n++;
	PG_RETURN_POINTER(s);
}

/* Error unless two states were built with the same parameters. */
static void
rfm_require_same(const RfmState *a, const RfmState *b)
{
	if (a->obs_end != b->obs_end || a->period != b->period ||
		a->unit_months != b->unit_months || a->unit_us != b->unit_us)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine rfm_summary states with different observation_end, period or unit"),
				 errdetail("Every row of one aggregate (one customer) must use the same observation_end, period and unit.")));
}

PG_FUNCTION_INFO_V1(engage_rfm_combine);
/*
 * Combine: appends the second state's periods to the first and merges.  A
 * NULL first state is replaced by a copy of the second in the aggregate
 * context (the second may live in a short-lived context).
 */
Datum
engage_rfm_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	RfmState   *dst;
	RfmState   *src;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rfm_summary combine function called in a non-aggregate context")));
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (RfmState *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
		dst = rfm_new(aggcxt, src->obs_end, src->obs_key, src->period,
					  src->unit_months, src->unit_us);
	else
	{
		dst = (RfmState *) PG_GETARG_POINTER(0);
		rfm_require_same(dst, src);
	}
	if (src->n > 0)
	{
		rfm_reserve(dst, aggcxt, src->n);
		memcpy(dst->items + dst->n, src->items, src->n * sizeof(RfmItem));
		dst->n += src->n;
		rfm_compact(dst);
	}
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_rfm_serialize);
/*
 * Serialize: version, observation_end, its period start, period, unit
 * (months, microseconds), the pair count, then the pairs sorted and merged.
 */
Datum
engage_rfm_serialize(PG_FUNCTION_ARGS)
{
	RfmState   *s;
	StringInfoData buf;
	int32		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rfm_summary serialize function called in a non-aggregate context")));
	s = (RfmState *) PG_GETARG_POINTER(0);
	rfm_compact(s);				/* same content, canonical order */
	pq_begintypsend(&buf);
	pq_sendint32(&buf, RFM_VERSION);
	pq_sendint64(&buf, s->obs_end);
	pq_sendint64(&buf, s->obs_key);
	pq_sendint32(&buf, s->period);
	pq_sendint32(&buf, s->unit_months);
	pq_sendint64(&buf, s->unit_us);
	pq_sendint32(&buf, s->n);
	for (i = 0; i < s->n; i++)
	{
		pq_sendint64(&buf, s->items[i].key);
		pq_sendfloat8(&buf, s->items[i].amount);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Raise 22P03 for a serialized state that is not valid. */
static void
rfm_bad_binary(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized rfm_summary state: %s", why),
			 errdetail("An rfm_summary state is written by this build of engage's serialize function (format version %d).",
					   RFM_VERSION)));
}

PG_FUNCTION_INFO_V1(engage_rfm_deserialize);
/*
 * Deserialize, checking every field: parameters valid, pairs aligned to
 * their period, strictly increasing, not after observation_end's period,
 * finite amounts, exact length.
 */
Datum
engage_rfm_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b;
	StringInfoData msg;
	RfmState   *s;
	TimestampTz obs_end;
	int64		obs_key;
	int32		period;
	int32		unit_months;
	int64		unit_us;
	int32		n;
	int32		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rfm_summary deserialize function called in a non-aggregate context")));
	b = PG_GETARG_BYTEA_PP(0);
	/* a read-only view of the bytea (initReadOnlyStringInfo is PG 16+) */
	msg.data = VARDATA_ANY(b);
	msg.len = VARSIZE_ANY_EXHDR(b);
	msg.maxlen = msg.len;
	msg.cursor = 0;
	if (msg.len < 4 * 4 + 3 * 8 || pq_getmsgint(&msg, 4) != RFM_VERSION)
		rfm_bad_binary("unknown format version");
	obs_end = pq_getmsgint64(&msg);
	obs_key = pq_getmsgint64(&msg);
	period = (int32) pq_getmsgint(&msg, 4);
	unit_months = (int32) pq_getmsgint(&msg, 4);
	unit_us = pq_getmsgint64(&msg);
	n = (int32) pq_getmsgint(&msg, 4);
	if (period < RFM_HOUR || period > RFM_YEAR)
		rfm_bad_binary("unknown period");
	if (TIMESTAMP_NOT_FINITE(obs_end) || !rfm_key_aligned(period, obs_key))
		rfm_bad_binary("bad observation_end");
	if (unit_months > 0 ? (unit_us != 0 || period < RFM_MONTH) : (unit_months != 0 || unit_us <= 0))
		rfm_bad_binary("bad unit");
	if (n < 0 || n > RFM_MAX_ITEMS || (int64) (msg.len - msg.cursor) != (int64) n * 16)
		rfm_bad_binary("wrong length for its period count");
	s = rfm_new(CurrentMemoryContext, obs_end, obs_key, period, unit_months, unit_us);
	if (n > 0)
	{
		rfm_reserve(s, CurrentMemoryContext, n);
		for (i = 0; i < n; i++)
		{
			RfmItem    *it = &s->items[i];

			it->key = pq_getmsgint64(&msg);
			it->amount = pq_getmsgfloat8(&msg);
			if (!rfm_key_aligned(period, it->key) || it->key > obs_key ||
				(i > 0 && it->key <= s->items[i - 1].key))
				rfm_bad_binary("periods are not aligned, sorted and before observation_end");
			if (!isfinite(it->amount))
				rfm_bad_binary("an amount is not finite");
		}
		s->n = n;
	}
	pq_getmsgend(&msg);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_rfm_final);
/*
 * Final function: the rfm row (frequency, recency, t, monetary_value), NULL
 * when no purchase falls in or before observation_end's period.
 */
Datum
engage_rfm_final(PG_FUNCTION_ARGS)
{
	RfmState   *s;
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false};
	double		repeat = 0;
	int32		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rfm_summary final function called in a non-aggregate context")));
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (RfmState *) PG_GETARG_POINTER(0);
	rfm_compact(s);				/* same content, canonical order */
	if (s->n == 0)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rfm_summary final function must return a composite type")));
	tupdesc = BlessTupleDesc(tupdesc);
	for (i = 1; i < s->n; i++)
		repeat += s->items[i].amount;
	values[0] = Float8GetDatum((double) (s->n - 1));
	values[1] = Float8GetDatum(rfm_units(s, s->items[0].key, s->items[s->n - 1].key));
	values[2] = Float8GetDatum(rfm_units(s, s->items[0].key, s->obs_key));
	values[3] = Float8GetDatum(s->n > 1 ? repeat / (double) (s->n - 1) : 0.0);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
