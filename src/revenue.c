/*
 * revenue.c: revenue retention from per-customer MRR at the start and the
 * end of a period.  Each row (mrr_start, mrr_end) is classified:
 *   start = 0, end > 0       new          (new += end)
 *   start > 0, end = 0       churned      (churned += start)
 *   end > start > 0          expansion    (expansion += end - start)
 *   0 < end < start          contraction  (contraction += start - end)
 *   start > 0                starting     (starting += start), whatever the end
 * NULL counts as 0 (no subscription at that moment); a negative amount is an
 * error (22003).  Amounts are rounded half-even to 6 decimal places and kept
 * as int64 micro-units, so every sum is exact; a sum past 2^63-1 micro-units
 * is an error (22003).  Rows are classified after rounding.
 *
 * The state, revenue_state, is a fixed-size base type (96 bytes) updated in
 * place inside an aggregate.  Text form (exact):
 *   v1;rows=5;starting=300.000000/3;new=50.000000/1;expansion=20.000000/1;contraction=10.000000/1;churned=100.000000/1
 * each amount followed by the number of customers in that class.
 *
 * The ledger form, revenue_movements_agg(movement, amount), takes one row per
 * MRR movement ('starting', 'new', 'expansion', 'contraction', 'churned'):
 * each row adds its amount to that class and counts 1 there.  Its states
 * carry the REV_LEDGER flag (text form v1;ledger;rows=...): the counters
 * count movements, so only the amount invariants are checked.  The text,
 * binary and jsonb forms are in revenue_io.c.
 */
#include "postgres.h"

#include <ctype.h>

#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "engage.h"
#include "revenue.h"

StaticAssertDecl(sizeof(RevenueState) == 96, "revenue_state is 96 bytes");

const char *const rev_class_names[REV_NCLASSES] =
{"starting", "new", "expansion", "contraction", "churned"};

/*
 * Is a state valid?  NULL or the reason.  Each customer (ledger: movement)
 * of a class adds at least one micro-unit.  Per-customer snapshots only: a
 * contraction or churn is at most the starting MRR of that customer, and the
 * new and starting customers are distinct rows.  A ledger may churn a
 * customer who started inside the period, so none of these hold there.
 */
const char *
rev_problem(const RevenueState *s)
{
	int			i;
	int64		classified;
	int64		changed;

	if (s->version < 1 || s->version > REV_VERSION)
		return "unsupported format version";
	if ((s->flags & ~REV_FLAGS_ALL) != 0 || s->pad != 0)
		return "unknown flags";
	if (s->rows < 0)
		return "negative row count";
	for (i = 0; i < REV_NCLASSES; i++)
	{
		if (s->mrr[i] < 0 || s->customers[i] < 0)
			return "negative amount or count";
		if (s->mrr[i] < s->customers[i] || (s->customers[i] == 0 && s->mrr[i] != 0))
			return "amount does not match its customer count";
	}
	if (s->flags & REV_LEDGER)
		return NULL;
	if (s->mrr[REV_CONTRACTION] > s->mrr[REV_START] - s->mrr[REV_CHURNED])
		return "contraction and churn exceed the starting MRR";
	if (pg_add_s64_overflow(s->customers[REV_CONTRACTION], s->customers[REV_CHURNED], &changed) ||
		pg_add_s64_overflow(changed, s->customers[REV_EXPANSION], &changed) ||
		changed > s->customers[REV_START])
		return "more changed customers than starting customers";
	if (pg_add_s64_overflow(s->customers[REV_START], s->customers[REV_NEW], &classified) ||
		classified > s->rows)
		return "more customers than rows";
	return NULL;
}

/* Validate a state with the given SQLSTATE. */
static void
rev_check(const RevenueState *s, int sqlstate)
{
	const char *problem = rev_problem(s);

	if (problem)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("invalid revenue_state: %s", problem),
				 errdetail(REV_STATE_DETAIL)));
}

/* Fetch state argument argno, validated (22023). */
RevenueState *
rev_arg(FunctionCallInfo fcinfo, int argno)
{
	RevenueState *s = (RevenueState *) PG_GETARG_POINTER(argno);

	rev_check(s, ERRCODE_INVALID_PARAMETER_VALUE);
	return s;
}

/* Raise 22003 for a sum past 2^63-1 micro-units. */
void
rev_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("revenue_state amount is out of range"),
			 errdetail("Amounts are summed exactly in micro-units (6 decimal places): at most %lld.%06lld per sum and %lld rows.",
					   (long long) (PG_INT64_MAX / MICRO), (long long) (PG_INT64_MAX % MICRO),
					   (long long) PG_INT64_MAX)));
}

/* Read a 16-bit value at p (possibly unaligned). */
static inline uint16
rev_u16(const char *p)
{
	uint16		v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * A numeric as micro-units, rounded half-even at the sixth decimal place.
 * Decodes the numeric's stored form (base-10000 digits, unchanged on disk
 * since 9.1) in place, so a row costs no allocation; packed (short header)
 * values are read as they are.  NaN, infinities and negative values are
 * 22003 errors.
 */
static int64
rev_micro(Datum d, const char *what)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	const char *p = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	uint16		h;
	bool		neg;
	int			weight;
	int			hdr;
	int			ndigits;
	int64		whole = 0;
	int64		f1 = 0;
	int64		f2 = 0;
	bool		sticky = false;
	int			e;
	int64		micro;
	int64		r;

	if (len < 2)
		goto bad;
	h = rev_u16(p);
	if ((h & 0xC000) == 0xC000)
	{
		/* NaN or +-Infinity */
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite amount", what),
				 errdetail("MRR amounts are finite and >= 0 (NULL counts as 0).")));
	}
	if ((h & 0xC000) == 0x8000)
	{
		/* short format: sign, display scale and weight in the header */
		neg = (h & 0x2000) != 0;
		weight = (h & 0x0040) ? (int) (~0x003F | (h & 0x003F)) : (int) (h & 0x003F);
		hdr = 2;
	}
	else
	{
		int16		w;

		if (len < 4)
			goto bad;
		neg = (h & 0xC000) == 0x4000;
		memcpy(&w, p + 2, sizeof(w));
		weight = w;
		hdr = 4;
	}
	if ((len - hdr) % 2 != 0)
		goto bad;
	ndigits = (len - hdr) / 2;
	if (ndigits == 0)
		return 0;
	if (neg)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must not be negative", what),
				 errdetail("MRR amounts are finite and >= 0 (NULL counts as 0).")));
	/* the integer part: digits of weight e >= 0 (absent ones are zeros) */
	for (e = weight; e >= 0; e--)
	{
		int			i = weight - e;
		int64		dig = (i < ndigits) ? rev_u16(p + hdr + 2 * i) : 0;

		if (pg_mul_s64_overflow(whole, 10000, &whole) || pg_add_s64_overflow(whole, dig, &whole))
			goto range;
	}
	/* fraction: 4 decimals at e = -1, 4 at e = -2 (two kept, two to round), the rest sticky */
	for (e = Min(weight, -1); weight - e < ndigits; e--)
	{
		int64		dig = rev_u16(p + hdr + 2 * (weight - e));

		if (e == -1)
			f1 = dig;
		else if (e == -2)
			f2 = dig;
		else if (dig != 0)
			sticky = true;
	}
	if (pg_mul_s64_overflow(whole, MICRO, &micro) ||
		pg_add_s64_overflow(micro, f1 * 100 + f2 / 100, &micro))
		goto range;
	r = f2 % 100;
	if (r > 50 || (r == 50 && (sticky || (micro & 1))))
		if (pg_add_s64_overflow(micro, 1, &micro))
			goto range;
	return micro;

range:
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is too large", what),
			 errdetail("An MRR amount is at most %lld.%06lld.",
					   (long long) (PG_INT64_MAX / MICRO), (long long) (PG_INT64_MAX % MICRO))));
bad:
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("%s is not a valid numeric", what)));
	return 0;					/* keep the compiler quiet */
}

/* mrr[c] += sign * amount and customers[c] += sign, checked. */
static inline void
rev_add(RevenueState *s, int c, int64 amount, int sign)
{
	if (sign > 0)
	{
		if (unlikely(pg_add_s64_overflow(s->mrr[c], amount, &s->mrr[c]) ||
					 pg_add_s64_overflow(s->customers[c], 1, &s->customers[c])))
			rev_overflow();
	}
	else
	{
		if (unlikely(s->mrr[c] < amount || s->customers[c] < 1))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot remove a row that was never added to the revenue_state")));
		s->mrr[c] -= amount;
		s->customers[c]--;
	}
}

/*
 * The transition (sign 1) and inverse transition (sign -1) of revenue_agg
 * and the one-call retention aggregates: (state, mrr_start, mrr_end).  The
 * state is allocated on the first row and then updated in place; outside an
 * aggregate a copy is returned.
 */
/*
 * The state to update, argument 0: in place inside an aggregate, a copy
 * outside, a new one (with the given flags) for NULL; NULL when an inverse
 * transition meets a NULL state (cannot invert: the window restarts).  Then
 * rows += sign, checked.
 */
static RevenueState *
rev_state_for(FunctionCallInfo fcinfo, int sign, int16 flags)
{
	RevenueState *s;

	if (PG_ARGISNULL(0))
	{
		if (sign < 0)
			return NULL;
		/* the executor copies a new state into its aggregate context */
		s = palloc0(REV_SIZE);
		s->version = REV_VERSION;
		s->flags = flags;
	}
	else if (AggCheckCallContext(fcinfo, NULL))
		s = (RevenueState *) PG_GETARG_POINTER(0);
	else
	{
		s = palloc(REV_SIZE);
		memcpy(s, rev_arg(fcinfo, 0), REV_SIZE);
	}
	if (sign > 0)
	{
		if (unlikely(pg_add_s64_overflow(s->rows, 1, &s->rows)))
			rev_overflow();
	}
	else
	{
		if (unlikely(s->rows < 1))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot remove a row that was never added to the revenue_state")));
		s->rows--;
	}
	return s;
}

static Datum
rev_accum(FunctionCallInfo fcinfo, int sign)
{
	RevenueState *s;
	int64		a = PG_ARGISNULL(1) ? 0 : rev_micro(PG_GETARG_DATUM(1), "mrr_start");
	int64		b = PG_ARGISNULL(2) ? 0 : rev_micro(PG_GETARG_DATUM(2), "mrr_end");

	s = rev_state_for(fcinfo, sign, 0);
	if (s == NULL)
		PG_RETURN_NULL();
	if (a == 0)
	{
		if (b > 0)
			rev_add(s, REV_NEW, b, sign);
	}
	else
	{
		rev_add(s, REV_START, a, sign);
		if (b == 0)
			rev_add(s, REV_CHURNED, a, sign);
		else if (b > a)
			rev_add(s, REV_EXPANSION, b - a, sign);
		else if (b < a)
			rev_add(s, REV_CONTRACTION, a - b, sign);
	}
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_revenue_accum);
/* Transition of revenue_agg() and the retention aggregates: adds one customer row. */
Datum
engage_revenue_accum(PG_FUNCTION_ARGS)
{
	return rev_accum(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_revenue_accum_inv);
/* Inverse transition (moving windows): removes one customer row. */
Datum
engage_revenue_accum_inv(PG_FUNCTION_ARGS)
{
	return rev_accum(fcinfo, -1);
}

/* The class of a ledger movement name (case-sensitive); 22023 otherwise. */
static int
rev_movement_class(text *t)
{
	const char *p = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	int			i;

	for (i = 0; i < REV_NCLASSES; i++)
		if (len == (int) strlen(rev_class_names[i]) && memcmp(p, rev_class_names[i], len) == 0)
			return i;
	if (len == 5 && memcmp(p, "churn", 5) == 0)
		return REV_CHURNED;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid MRR movement \"%s\"", text_to_cstring(t)),
			 errdetail("A movement is one of 'starting', 'new', 'expansion', 'contraction', 'churned' "
					   "(or 'churn'), case-sensitive; NULL ignores the row.")));
	return 0;					/* keep the compiler quiet */
}

/*
 * The transition (sign 1) and inverse transition (sign -1) of
 * revenue_movements_agg and the one-call ledger retention aggregates:
 * (state, movement, amount).  A row with a NULL movement or amount is
 * ignored (not counted in rows); the state is a ledger state.
 */
static Datum
rev_movement_accum(FunctionCallInfo fcinfo, int sign)
{
	RevenueState *s;
	int			c;
	int64		amount;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		if (AggCheckCallContext(fcinfo, NULL))
			PG_RETURN_POINTER(PG_GETARG_POINTER(0));
		PG_RETURN_POINTER(rev_arg(fcinfo, 0));
	}
	c = rev_movement_class(PG_GETARG_TEXT_PP(1));
	amount = rev_micro(PG_GETARG_DATUM(2), "amount");
	s = rev_state_for(fcinfo, sign, REV_LEDGER);
	if (s == NULL)
		PG_RETURN_NULL();
	s->flags |= REV_LEDGER;
	if (amount > 0)
		rev_add(s, c, amount, sign);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_revenue_movement_accum);
/* Transition of revenue_movements_agg() and its retention aggregates: adds one movement. */
Datum
engage_revenue_movement_accum(PG_FUNCTION_ARGS)
{
	return rev_movement_accum(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_revenue_movement_accum_inv);
/* Inverse transition (moving windows): removes one movement. */
Datum
engage_revenue_movement_accum_inv(PG_FUNCTION_ARGS)
{
	return rev_movement_accum(fcinfo, -1);
}

/* dst += sign * src, field by field, checked. */
static void
rev_add_state(RevenueState *dst, const RevenueState *src, int sign)
{
	int			i;

	if (sign < 0)
	{
		bool		ok = dst->rows >= src->rows;

		for (i = 0; i < REV_NCLASSES; i++)
			ok = ok && dst->mrr[i] >= src->mrr[i] && dst->customers[i] >= src->customers[i];
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot remove a revenue_state that was never added")));
		dst->rows -= src->rows;
		for (i = 0; i < REV_NCLASSES; i++)
		{
			dst->mrr[i] -= src->mrr[i];
			dst->customers[i] -= src->customers[i];
		}
		return;
	}
	if (pg_add_s64_overflow(dst->rows, src->rows, &dst->rows))
		rev_overflow();
	for (i = 0; i < REV_NCLASSES; i++)
		if (pg_add_s64_overflow(dst->mrr[i], src->mrr[i], &dst->mrr[i]) ||
			pg_add_s64_overflow(dst->customers[i], src->customers[i], &dst->customers[i]))
			rev_overflow();
}

PG_FUNCTION_INFO_V1(engage_revenue_combine);
/*
 * Combine / rollup transition (STRICT): state1 + state2, in place inside an
 * aggregate, on a copy when called directly.
 */
Datum
engage_revenue_combine(PG_FUNCTION_ARGS)
{
	RevenueState *dst;
	RevenueState *src;

	/* defensive: the SQL declaration is STRICT, but never trust a NULL */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		int			keep = PG_ARGISNULL(0) ? 1 : 0;

		if (PG_ARGISNULL(keep))
			PG_RETURN_NULL();
		dst = palloc(REV_SIZE);
		memcpy(dst, rev_arg(fcinfo, keep), REV_SIZE);
		PG_RETURN_POINTER(dst);
	}
	dst = rev_arg(fcinfo, 0);
	src = rev_arg(fcinfo, 1);
	if (!AggCheckCallContext(fcinfo, NULL))
	{
		RevenueState *copy = palloc(REV_SIZE);

		memcpy(copy, dst, REV_SIZE);
		dst = copy;
	}
	dst->version = REV_VERSION;
	dst->flags |= src->flags;	/* with a ledger state, a ledger state */
	rev_add_state(dst, src, 1);
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_revenue_combine_inv);
/* Inverse of the rollup transition (STRICT), for moving windows over states. */
Datum
engage_revenue_combine_inv(PG_FUNCTION_ARGS)
{
	RevenueState *dst;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the inverse rollup function of revenue_state can only be called as a moving-aggregate inverse")));
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	dst = rev_arg(fcinfo, 0);
	rev_add_state(dst, rev_arg(fcinfo, 1), -1);
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_revenue_state_final);
/* Final function of revenue_agg() and rollup(): a copy, or NULL for no rows. */
Datum
engage_revenue_state_final(PG_FUNCTION_ARGS)
{
	RevenueState *s;
	RevenueState *copy;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (RevenueState *) PG_GETARG_POINTER(0);
	if (s->rows == 0)
		PG_RETURN_NULL();
	copy = palloc(REV_SIZE);
	memcpy(copy, s, REV_SIZE);
	PG_RETURN_POINTER(copy);
}

/*
 * Retained MRR = starting - contraction - churned, checked: >= 0 for a
 * per-customer state, possibly negative for a ledger.  False past int64.
 */
static bool
rev_retained(const RevenueState *s, int64 *r)
{
	return !pg_sub_s64_overflow(s->mrr[REV_START], s->mrr[REV_CONTRACTION], r) &&
		!pg_sub_s64_overflow(*r, s->mrr[REV_CHURNED], r);
}

/* Ending MRR = starting + new + expansion - contraction - churned, checked (negative in an odd ledger). */
int64
rev_ending(const RevenueState *s)
{
	int64		e;

	if (!rev_retained(s, &e) ||
		pg_add_s64_overflow(e, s->mrr[REV_NEW], &e) ||
		pg_add_s64_overflow(e, s->mrr[REV_EXPANSION], &e))
		rev_overflow();
	return e;
}

/* Micro-units as a numeric with 6 decimal places. */
static Datum
rev_numeric(int64 micro)
{
	StringInfoData buf;

	initStringInfo(&buf);
	rev_append_amount(&buf, micro);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf.data),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* Define an accessor returning one amount as numeric. */
#define REV_AMOUNT_FN(fn, expr) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) \
	{ \
		RevenueState *s = rev_arg(fcinfo, 0); \
		PG_RETURN_DATUM(rev_numeric(expr)); \
	}

/* starting_mrr(state) and its siblings: the sums, as numeric. */
REV_AMOUNT_FN(engage_revenue_starting_mrr, s->mrr[REV_START])
REV_AMOUNT_FN(engage_revenue_new_mrr, s->mrr[REV_NEW])
REV_AMOUNT_FN(engage_revenue_expansion_mrr, s->mrr[REV_EXPANSION])
REV_AMOUNT_FN(engage_revenue_contraction_mrr, s->mrr[REV_CONTRACTION])
REV_AMOUNT_FN(engage_revenue_churned_mrr, s->mrr[REV_CHURNED])
REV_AMOUNT_FN(engage_revenue_ending_mrr, rev_ending(s))

/* Retained MRR as a double: exact int64 first (the same value for either form). */
static double
rev_retained_double(const RevenueState *s)
{
	int64		r;

	if (rev_retained(s, &r))
		return (double) r;
	return (double) s->mrr[REV_START] - (double) s->mrr[REV_CONTRACTION] - (double) s->mrr[REV_CHURNED];
}

/* 100 (start - contraction - churned) / start; callers ensure start > 0.  Below 0 in an odd ledger. */
double
rev_grr(const RevenueState *s)
{
	return 100.0 * rev_retained_double(s) / (double) s->mrr[REV_START];
}

/* 100 (start + expansion - contraction - churned) / start; start > 0. */
double
rev_nrr(const RevenueState *s)
{
	return 100.0 * (rev_retained_double(s) + (double) s->mrr[REV_EXPANSION]) / (double) s->mrr[REV_START];
}

/* 100 (contraction + churned) / start; start > 0. */
double
rev_churn(const RevenueState *s)
{
	int64		lost;

	if (pg_add_s64_overflow(s->mrr[REV_CONTRACTION], s->mrr[REV_CHURNED], &lost))
		return 100.0 * ((double) s->mrr[REV_CONTRACTION] + (double) s->mrr[REV_CHURNED]) /
			(double) s->mrr[REV_START];
	return 100.0 * (double) lost / (double) s->mrr[REV_START];
}

PG_FUNCTION_INFO_V1(engage_gross_revenue_retention);
/* gross_revenue_retention(state): NULL when there is no starting MRR. */
Datum
engage_gross_revenue_retention(PG_FUNCTION_ARGS)
{
	RevenueState *s = rev_arg(fcinfo, 0);

	if (s->mrr[REV_START] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rev_grr(s));
}

PG_FUNCTION_INFO_V1(engage_net_revenue_retention);
/* net_revenue_retention(state): NULL when there is no starting MRR. */
Datum
engage_net_revenue_retention(PG_FUNCTION_ARGS)
{
	RevenueState *s = rev_arg(fcinfo, 0);

	if (s->mrr[REV_START] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rev_nrr(s));
}

PG_FUNCTION_INFO_V1(engage_revenue_churn_rate);
/* revenue_churn_rate(state): NULL when there is no starting MRR. */
Datum
engage_revenue_churn_rate(PG_FUNCTION_ARGS)
{
	RevenueState *s = rev_arg(fcinfo, 0);

	if (s->mrr[REV_START] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rev_churn(s));
}

