/*
 * clv.c: customer lifetime value.  The simple CLV formulas (scalar
 * functions) and historical_clv(), an aggregate over a transactions table.
 *
 * Formulas (all double precision; rates and margins are fractions, not
 * percentages):
 *   clv(aov, frequency, lifespan)              = aov * frequency * lifespan
 *   clv(aov, frequency, lifespan, margin)      = aov * frequency * lifespan * margin
 *   clv_from_churn(arpu, margin, churn)        = arpu * margin / churn
 *   clv_discounted(margin, retention, disc)    = margin * r / (1 + i - r)
 *
 * historical_clv(customer_id, amount, ts [, unit]) keeps, per group, the
 * order count, the revenue, the earliest and latest ts, and a hash table of
 * customers -> (first ts, last ts).  The table is a simplehash in the
 * aggregate context (amortised growth, no allocation per row); partial
 * states travel between parallel workers through serialize/deserialize and
 * the combine function merges them customer by customer.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "common/int.h"
/* PG's own headers trip -Wunused-parameter under -Wextra */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "funcapi.h"
#pragma GCC diagnostic pop
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/timestamp.h"

#include "engage.h"

/* ------------------------------------------------------------------------
 * Scalar formulas
 * ------------------------------------------------------------------------ */

/* Raise 22023 for a formula argument outside its allowed range. */
static void
clv_bad_arg(const char *name, double v, const char *allowed)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s %s is out of range", name, float8out_internal(v)),
			 errdetail("%s", allowed)));
}

/* Check a formula argument: NaN or out of [lo, hi] is 22023, infinity 22003. */
static double
clv_arg(FunctionCallInfo fcinfo, int argno, const char *name, double lo, double hi,
		const char *allowed)
{
	double		v = PG_GETARG_FLOAT8(argno);

	if (isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be finite, not %s", name, float8out_internal(v)),
				 errdetail("%s", allowed)));
	if (isnan(v) || v < lo || v > hi)
		clv_bad_arg(name, v, allowed);
	return v;
}

/* Return a formula result, 22003 when it overflowed to infinity. */
static Datum
clv_result(double v)
{
	if (isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("customer lifetime value is out of range for type double precision"),
				 errdetail("The product of the arguments exceeds %s.", float8out_internal(DBL_MAX))));
	PG_RETURN_FLOAT8(v);
}

#define CLV_NONNEG		"It must be a finite number >= 0."
#define CLV_FRACTION	"It is a fraction from 0 to 1 (0.3 for 30%)."

PG_FUNCTION_INFO_V1(engage_clv);
/* clv(average_order_value, purchase_frequency, lifespan [, gross_margin]): their product. */
Datum
engage_clv(PG_FUNCTION_ARGS)
{
	double		v = clv_arg(fcinfo, 0, "average_order_value", 0, DBL_MAX, CLV_NONNEG) *
		clv_arg(fcinfo, 1, "purchase_frequency", 0, DBL_MAX, CLV_NONNEG) *
		clv_arg(fcinfo, 2, "lifespan", 0, DBL_MAX, CLV_NONNEG);

	if (PG_NARGS() > 3)
		v *= clv_arg(fcinfo, 3, "gross_margin", 0, 1, CLV_FRACTION);
	return clv_result(v);
}

PG_FUNCTION_INFO_V1(engage_clv_from_churn);
/* clv_from_churn(arpu, gross_margin, churn_rate) = arpu * gross_margin / churn_rate. */
Datum
engage_clv_from_churn(PG_FUNCTION_ARGS)
{
	double		arpu = clv_arg(fcinfo, 0, "arpu", 0, DBL_MAX, CLV_NONNEG);
	double		margin = clv_arg(fcinfo, 1, "gross_margin", 0, 1, CLV_FRACTION);
	double		churn = clv_arg(fcinfo, 2, "churn_rate", 0, 1,
								"It is the fraction of customers lost per period, above 0 and at most 1 (0.05 for 5%).");

	if (churn == 0)
		clv_bad_arg("churn_rate", churn,
					"It is the fraction of customers lost per period, above 0 and at most 1 (0.05 for 5%).");
	return clv_result(arpu * margin / churn);
}

PG_FUNCTION_INFO_V1(engage_clv_discounted);
/*
 * clv_discounted(margin, retention_rate, discount_rate) = m r / (1 + i - r):
 * the present value of a margin m per period, retained with probability r
 * each period and discounted at rate i per period (Gupta & Lehmann).
 */
Datum
engage_clv_discounted(PG_FUNCTION_ARGS)
{
	double		m = clv_arg(fcinfo, 0, "margin", 0, DBL_MAX, CLV_NONNEG);
	double		r = clv_arg(fcinfo, 1, "retention_rate", 0, 1,
							"It is the fraction of customers kept per period, from 0 to 1.");
	double		i = clv_arg(fcinfo, 2, "discount_rate", 0, DBL_MAX,
							"It is a finite rate per period >= 0 (0.1 for 10%).");

	if (!(r < 1 + i))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_rate %s with discount_rate %s gives an unbounded lifetime value",
						float8out_internal(r), float8out_internal(i)),
				 errdetail("retention_rate must be below 1 + discount_rate: with full retention the discount rate must be above 0.")));
	return clv_result(m * r / (1 + i - r));
}

/* ------------------------------------------------------------------------
 * historical_clv aggregate
 * ------------------------------------------------------------------------ */

/* Format version of the serialized state. */
#define CLVH_VERSION	1

/* One customer: first and last purchase. */
typedef struct ClvCustomer
{
	int64		id;
	TimestampTz first;
	TimestampTz last;
	char		status;			/* simplehash slot status */
} ClvCustomer;

#define SH_PREFIX		clvcust
#define SH_ELEMENT_TYPE	ClvCustomer
#define SH_KEY_TYPE		int64
#define SH_KEY			id
#define SH_HASH_KEY(tb, key)	engage_hash64((uint64) (key))
#define SH_EQUAL(tb, a, b)		((a) == (b))
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "lib/simplehash.h"
#pragma GCC diagnostic pop

/* The transition state of historical_clv(). */
typedef struct ClvHistState
{
	int64		unit_us;		/* the unit argument, in microseconds */
	int64		orders;			/* rows counted */
	double		revenue;		/* sum of amounts (Neumaier-compensated) */
	double		revenue_c;		/* its compensation term */
	TimestampTz min_ts;			/* earliest ts over all rows */
	TimestampTz max_ts;			/* latest ts */
	clvcust_hash *customers;
} ClvHistState;

#define CLVH_UNIT_DETAIL \
	"The unit is a positive interval of days and/or time (a day counts as 24 hours), e.g. '1 day', '7 days', '1 hour'; months and years are not allowed."

/* The unit interval in microseconds, validated (22023 unless positive, no months). */
static int64
clv_unit_us(const Interval *unit, const char *what)
{
	int64		us;

	if (unit->month != 0 ||
		pg_mul_s64_overflow((int64) unit->day, USECS_PER_DAY, &us) ||
		pg_add_s64_overflow(us, unit->time, &us) || us <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid unit for %s", what),
				 errdetail(CLVH_UNIT_DETAIL)));
	return us;
}

/* Add x to a compensated sum (Neumaier). */
static inline void
clv_sum_add(double *sum, double *comp, double x)
{
	double		t = *sum + x;

	if (fabs(*sum) >= fabs(x))
		*comp += (*sum - t) + x;
	else
		*comp += (x - t) + *sum;
	*sum = t;
}

/* A new empty state whose hash table lives in cxt. */
static ClvHistState *
clvh_new(MemoryContext cxt, int64 unit_us, uint32 size)
{
	ClvHistState *s = MemoryContextAllocZero(cxt, sizeof(ClvHistState));

	s->unit_us = unit_us;
	s->min_ts = DT_NOEND;
	s->max_ts = DT_NOBEGIN;
	s->customers = clvcust_create(cxt, Max(size, 16), NULL);
	return s;
}

/* Count n more orders, 22003 past 2^63-1. */
static inline void
clvh_add_orders(ClvHistState *s, int64 n)
{
	if (unlikely(pg_add_s64_overflow(s->orders, n, &s->orders)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("historical_clv state has too many orders"),
				 errdetail("A state counts at most %lld orders.", (long long) PG_INT64_MAX)));
}

/* Record a customer's purchases spanning [first, last]. */
static inline void
clvh_add_customer(ClvHistState *s, int64 id, TimestampTz first, TimestampTz last)
{
	bool		found;
	ClvCustomer *c = clvcust_insert(s->customers, id, &found);

	if (!found)
	{
		c->first = first;
		c->last = last;
	}
	else
	{
		if (first < c->first)
			c->first = first;
		if (last > c->last)
			c->last = last;
	}
	if (first < s->min_ts)
		s->min_ts = first;
	if (last > s->max_ts)
		s->max_ts = last;
}

PG_FUNCTION_INFO_V1(engage_clv_hist_accum);
/*
 * Transition of historical_clv(customer_id, amount, ts [, unit]): rows with
 * a NULL customer_id, amount or ts are ignored.  The state is created on the
 * first row in the aggregate context and updated in place.
 */
Datum
engage_clv_hist_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	ClvHistState *s;
	int64		unit_us = USECS_PER_DAY;
	double		amount;
	TimestampTz ts;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("historical_clv transition function called in a non-aggregate context")));
	if (PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("unit of historical_clv must not be NULL"),
					 errdetail(CLVH_UNIT_DETAIL)));
		unit_us = clv_unit_us(PG_GETARG_INTERVAL_P(4), "historical_clv");
	}
	if (PG_ARGISNULL(0))
		s = clvh_new(aggcxt, unit_us, 0);
	else
	{
		s = (ClvHistState *) PG_GETARG_POINTER(0);
		if (unlikely(s->unit_us != unit_us))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unit of historical_clv changed between rows"),
					 errdetail("Every row of one aggregate must use the same unit.")));
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(s);
	amount = PG_GETARG_FLOAT8(2);
	ts = PG_GETARG_TIMESTAMPTZ(3);
	if (unlikely(isnan(amount) || isinf(amount)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order amount %s is not a finite number", float8out_internal(amount)),
				 errdetail("Amounts are finite numbers (negative ones, such as refunds, are allowed).")));
	if (unlikely(TIMESTAMP_NOT_FINITE(ts)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("order timestamp must be finite"),
				 errdetail("ts is a finite timestamp with time zone, not infinity or -infinity.")));
	clvh_add_orders(s, 1);
	clv_sum_add(&s->revenue, &s->revenue_c, amount);
	clvh_add_customer(s, PG_GETARG_INT64(1), ts, ts);
	PG_RETURN_POINTER(s);
}

/* Merge src into dst (customer by customer); dst's table grows in its own context. */
static void
clvh_merge(ClvHistState *dst, ClvHistState *src)
{
	clvcust_iterator it;
	ClvCustomer *c;

	if (dst->unit_us != src->unit_us)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine historical_clv states with different units"),
				 errdetail("Every row of one aggregate must use the same unit.")));
	clvh_add_orders(dst, src->orders);
	clv_sum_add(&dst->revenue, &dst->revenue_c, src->revenue);
	clv_sum_add(&dst->revenue, &dst->revenue_c, src->revenue_c);
	clvcust_start_iterate(src->customers, &it);
	while ((c = clvcust_iterate(src->customers, &it)) != NULL)
		clvh_add_customer(dst, c->id, c->first, c->last);
}

PG_FUNCTION_INFO_V1(engage_clv_hist_combine);
/*
 * Combine: merges the second state into the first.  When the first is NULL
 * the second is copied into the aggregate context (it may live in a
 * short-lived context after deserialization).
 */
Datum
engage_clv_hist_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	ClvHistState *dst;
	ClvHistState *src;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("historical_clv combine function called in a non-aggregate context")));
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (ClvHistState *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
		dst = clvh_new(aggcxt, src->unit_us, src->customers->members);
	else
		dst = (ClvHistState *) PG_GETARG_POINTER(0);
	clvh_merge(dst, src);
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_clv_hist_serialize);
/*
 * Serialize: version, unit, orders, revenue (sum and compensation), min and
 * max ts, the customer count, then (id, first, last) per customer.
 */
Datum
engage_clv_hist_serialize(PG_FUNCTION_ARGS)
{
	ClvHistState *s;
	StringInfoData buf;
	clvcust_iterator it;
	ClvCustomer *c;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("historical_clv serialize function called in a non-aggregate context")));
	s = (ClvHistState *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buf);
	pq_sendint32(&buf, CLVH_VERSION);
	pq_sendint64(&buf, s->unit_us);
	pq_sendint64(&buf, s->orders);
	pq_sendfloat8(&buf, s->revenue);
	pq_sendfloat8(&buf, s->revenue_c);
	pq_sendint64(&buf, s->min_ts);
	pq_sendint64(&buf, s->max_ts);
	pq_sendint32(&buf, s->customers->members);
	clvcust_start_iterate(s->customers, &it);
	while ((c = clvcust_iterate(s->customers, &it)) != NULL)
	{
		pq_sendint64(&buf, c->id);
		pq_sendint64(&buf, c->first);
		pq_sendint64(&buf, c->last);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Raise 22P03 for a serialized state that is not valid. */
static void
clvh_bad_binary(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized historical_clv state: %s", why),
			 errdetail("A historical_clv state is written by this build of engage's serialize function (format version %d).",
					   CLVH_VERSION)));
}

PG_FUNCTION_INFO_V1(engage_clv_hist_deserialize);
/* Deserialize, checking every field (bounds, counts, duplicates, trailing bytes). */
Datum
engage_clv_hist_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b;
	StringInfoData msg;
	ClvHistState *s;
	int64		unit_us;
	uint32		n;
	uint32		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("historical_clv deserialize function called in a non-aggregate context")));
	b = PG_GETARG_BYTEA_PP(0);
	/* a read-only view of the bytea (initReadOnlyStringInfo is PG 16+) */
	msg.data = VARDATA_ANY(b);
	msg.len = VARSIZE_ANY_EXHDR(b);
	msg.maxlen = msg.len;
	msg.cursor = 0;
	if (msg.len < 4 + 6 * 8 + 4 || pq_getmsgint(&msg, 4) != CLVH_VERSION)
		clvh_bad_binary("unknown format version");
	unit_us = pq_getmsgint64(&msg);
	if (unit_us <= 0)
		clvh_bad_binary("unit is not positive");
	s = clvh_new(CurrentMemoryContext, unit_us, 0);
	s->orders = pq_getmsgint64(&msg);
	s->revenue = pq_getmsgfloat8(&msg);
	s->revenue_c = pq_getmsgfloat8(&msg);
	s->min_ts = pq_getmsgint64(&msg);
	s->max_ts = pq_getmsgint64(&msg);
	n = pq_getmsgint(&msg, 4);
	if (s->orders < 0 || (uint64) s->orders < n || (n == 0) != (s->orders == 0))
		clvh_bad_binary("order and customer counts disagree");
	if (!isfinite(s->revenue) || !isfinite(s->revenue_c))
		clvh_bad_binary("revenue is not finite");
	if ((uint64) (msg.len - msg.cursor) != (uint64) n * 24)
		clvh_bad_binary("wrong length for its customer count");
	for (i = 0; i < n; i++)
	{
		int64		id = pq_getmsgint64(&msg);
		TimestampTz first = pq_getmsgint64(&msg);
		TimestampTz last = pq_getmsgint64(&msg);
		bool		found;
		ClvCustomer *c;

		if (first > last || first < s->min_ts || last > s->max_ts ||
			TIMESTAMP_NOT_FINITE(first) || TIMESTAMP_NOT_FINITE(last))
			clvh_bad_binary("a customer's purchase span is impossible");
		c = clvcust_insert(s->customers, id, &found);
		if (found)
			clvh_bad_binary("a customer appears twice");
		c->first = first;
		c->last = last;
	}
	pq_getmsgend(&msg);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_clv_hist_final);
/*
 * Final function: the clv_summary row, NULL over no counted rows.
 *   average_order_value = revenue / orders
 *   purchase_frequency  = orders / customers
 *   average_lifespan    = mean over customers of (last - first) / unit
 *   customer_value      = revenue / customers (= aov * purchase_frequency)
 *   observed_span       = (latest ts - earliest ts) / unit
 *   purchase_rate       = purchase_frequency / observed_span (NULL when 0)
 *   clv                 = aov * purchase_rate * average_lifespan (NULL when
 *                         purchase_rate is)
 */
Datum
engage_clv_hist_final(PG_FUNCTION_ARGS)
{
	ClvHistState *s;
	TupleDesc	tupdesc;
	Datum		values[10];
	bool		nulls[10] = {false};
	clvcust_iterator it;
	ClvCustomer *c;
	double		span_sum = 0;
	double		unit;
	double		customers;
	double		revenue;
	double		aov;
	double		freq;
	double		lifespan;
	double		observed;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("historical_clv final function called in a non-aggregate context")));
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (ClvHistState *) PG_GETARG_POINTER(0);
	if (s->orders == 0)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("historical_clv final function must return a composite type")));
	tupdesc = BlessTupleDesc(tupdesc);
	clvcust_start_iterate(s->customers, &it);
	while ((c = clvcust_iterate(s->customers, &it)) != NULL)
		span_sum += (double) (c->last - c->first);
	unit = (double) s->unit_us;
	customers = (double) s->customers->members;
	revenue = s->revenue + s->revenue_c;
	aov = revenue / (double) s->orders;
	freq = (double) s->orders / customers;
	lifespan = span_sum / customers / unit;
	observed = (double) (s->max_ts - s->min_ts) / unit;

	values[0] = Int64GetDatum((int64) s->customers->members);
	values[1] = Int64GetDatum(s->orders);
	values[2] = Float8GetDatum(revenue);
	values[3] = Float8GetDatum(aov);
	values[4] = Float8GetDatum(freq);
	values[5] = Float8GetDatum(lifespan);
	values[6] = Float8GetDatum(revenue / customers);
	values[7] = Float8GetDatum(observed);
	if (s->max_ts > s->min_ts)
	{
		values[8] = Float8GetDatum(freq / observed);
		values[9] = Float8GetDatum(aov * (freq / observed) * lifespan);
	}
	else
		nulls[8] = nulls[9] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
