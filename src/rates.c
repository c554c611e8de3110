/*
 * rates.c: one proportion state behind every rate (conversion, CTR, email,
 * social engagement, event registration and attendance), with the Wilson
 * interval, the pooled two-proportion z test and a sample-size planner.
 *
 * The state, proportion_state, is a fixed-size base type (24 bytes) counting
 * successes of trials in int64, updated in place inside an aggregate.  Two
 * kinds share it:
 *   proportion  successes <= trials (a click is one of the impressions):
 *               text  v1:45/50
 *   ratio       a count per base that may pass 100% (engagement: one
 *               follower can like, comment and share):  v1:ratio:120/50
 * Intervals and tests apply to proportions only; kinds never mix.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/hashfn.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"

#include "engage.h"

/* Format version written into every proportion_state; readers accept 1..this. */
#define PROP_VERSION	1
/* flags: the state is a ratio (successes may exceed trials). */
#define PROP_RATIO		0x0001
#define PROP_ALL_FLAGS	PROP_RATIO

/* The stored state: 24 bytes, double aligned. */
typedef struct PropState
{
	int16		version;		/* PROP_VERSION when written */
	int16		flags;			/* PROP_RATIO or 0 */
	int32		pad;			/* always zero */
	int64		successes;		/* >= 0; <= trials unless a ratio */
	int64		trials;			/* >= 0 */
} PropState;

#define PROP_SIZE		((int) sizeof(PropState))
StaticAssertDecl(sizeof(PropState) == 24, "proportion_state is 24 bytes");

#define PROP_STATE_DETAIL \
	"A proportion_state has successes and trials >= 0, successes <= trials (except a ratio state, " \
	"such as engagement, whose count may exceed its base) and format version 1."
#define PROP_BIN_LEN	(2 + 2 + 8 + 8)

/* Is a state valid?  NULL or the reason. */
static const char *
prop_problem(const PropState *s)
{
	if (s->version < 1 || s->version > PROP_VERSION)
		return "unsupported format version";
	if ((s->flags & ~PROP_ALL_FLAGS) != 0 || s->pad != 0)
		return "unknown flags";
	if (s->successes < 0 || s->trials < 0)
		return "negative count";
	if (!(s->flags & PROP_RATIO) && s->successes > s->trials)
		return "successes exceed trials";
	return NULL;
}

/* Fetch state argument argno, validated (22023). */
static PropState *
prop_arg(FunctionCallInfo fcinfo, int argno)
{
	PropState  *s = (PropState *) PG_GETARG_POINTER(argno);
	const char *problem = prop_problem(s);

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid proportion_state: %s", problem),
				 errdetail(PROP_STATE_DETAIL)));
	return s;
}

/* Raise 22003 for a count past 2^63-1. */
static void
prop_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("proportion_state count is out of range"),
			 errdetail("Successes and trials are counted exactly, each at most %lld.",
					   (long long) PG_INT64_MAX)));
}

/* Raise 22000 for an inverse transition removing what was never added. */
static void
prop_cannot_remove(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("cannot remove a row that was never added to the proportion_state")));
}

/* Raise 22023 unless a and b are of the same kind. */
static void
prop_require_same_kind(const PropState *a, const PropState *b)
{
	if ((a->flags & PROP_RATIO) != (b->flags & PROP_RATIO))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine a proportion with a ratio proportion_state"),
				 errdetail("Ratio states (engagement_agg: interactions per base, which may exceed 100%%) "
						   "combine only with ratio states, proportions only with proportions.")));
}

/* Raise 22023 for a ratio state where a proportion is required. */
static void
prop_require_proportion(const PropState *s, const char *what)
{
	if (s->flags & PROP_RATIO)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a proportion, not a ratio proportion_state", what),
				 errdetail("Intervals and tests apply to successes out of trials (successes <= trials); "
						   "an engagement ratio counts interactions per base, which may exceed 100%%.")));
}

/*
 * The state to update for a transition: in place inside an aggregate or a
 * window (the executor created it from INITCOND in its own context), a
 * validated copy when called directly.
 */
static inline PropState *
prop_target(FunctionCallInfo fcinfo)
{
	PropState  *s;

	if (likely(fcinfo->context &&
			   (IsA(fcinfo->context, AggState) || IsA(fcinfo->context, WindowAggState))))
		return (PropState *) PG_GETARG_POINTER(0);
	s = palloc(PROP_SIZE);
	memcpy(s, prop_arg(fcinfo, 0), PROP_SIZE);
	return s;
}

/* Add (sign 1) or remove (sign -1) one trial, a success or not. */
static inline void
prop_step(PropState *s, bool success, int sign)
{
	if (sign > 0)
	{
		/* successes <= trials, so only trials can overflow */
		if (unlikely(s->trials == PG_INT64_MAX))
			prop_overflow();
		s->trials++;
		s->successes += success;
	}
	else
	{
		if (unlikely(s->trials < 1 || (success && s->successes < 1)))
			prop_cannot_remove();
		s->trials--;
		s->successes -= success;
	}
}

PG_FUNCTION_INFO_V1(engage_prop_accum_bool);
/* Transition of conversion_rate(boolean) and the other one-flag rates: one trial. */
Datum
engage_prop_accum_bool(PG_FUNCTION_ARGS)
{
	PropState  *s = prop_target(fcinfo);

	prop_step(s, PG_GETARG_BOOL(1), 1);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_prop_accum_inv_bool);
/* Inverse transition of the one-flag rates (moving windows). */
Datum
engage_prop_accum_inv_bool(PG_FUNCTION_ARGS)
{
	PropState  *s = prop_target(fcinfo);

	prop_step(s, PG_GETARG_BOOL(1), -1);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_prop_accum_cto);
/*
 * Transition of click_to_open_rate(clicked, opened): a message clicked or
 * opened is one trial (a click implies an open, as email platforms count
 * it), a click a success.
 */
Datum
engage_prop_accum_cto(PG_FUNCTION_ARGS)
{
	PropState  *s = prop_target(fcinfo);
	bool		clicked = PG_GETARG_BOOL(1);

	if (clicked || PG_GETARG_BOOL(2))
		prop_step(s, clicked, 1);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_prop_accum_inv_cto);
/* Inverse transition of click_to_open_rate(clicked, opened). */
Datum
engage_prop_accum_inv_cto(PG_FUNCTION_ARGS)
{
	PropState  *s = prop_target(fcinfo);
	bool		clicked = PG_GETARG_BOOL(1);

	if (clicked || PG_GETARG_BOOL(2))
		prop_step(s, clicked, -1);
	PG_RETURN_POINTER(s);
}

/*
 * The body of the (count, denominator) transitions: check the row, then add
 * (sign 1) or remove (sign -1) it.  A ratio allows count > denominator.
 */
static inline Datum
prop_accum_pair(FunctionCallInfo fcinfo, const char *kname, const char *nname,
				bool ratio, bool int4_args, int sign)
{
	PropState  *s;
	int64		k = int4_args ? (int64) PG_GETARG_INT32(1) : PG_GETARG_INT64(1);
	int64		n = int4_args ? (int64) PG_GETARG_INT32(2) : PG_GETARG_INT64(2);

	if (unlikely(k < 0 || n < 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must not be negative", k < 0 ? kname : nname),
				 errdetail("Counts are whole numbers >= 0%s (rows with a NULL are skipped).",
						   ratio ? "" : psprintf(", with %s <= %s on every row", kname, nname))));
	if (unlikely(!ratio && k > n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s (%lld) exceed %s (%lld)", kname, (long long) k, nname, (long long) n),
				 errdetail("On every row %s must be between 0 and %s.", kname, nname)));
	s = prop_target(fcinfo);
	if (sign > 0)
	{
		if (unlikely(pg_add_s64_overflow(s->successes, k, &s->successes) ||
					 pg_add_s64_overflow(s->trials, n, &s->trials)))
			prop_overflow();
	}
	else
	{
		if (unlikely(s->successes < k || s->trials < n ||
					 (!ratio && s->successes - k > s->trials - n)))
			prop_cannot_remove();
		s->successes -= k;
		s->trials -= n;
	}
	PG_RETURN_POINTER(s);
}

/*
 * Declare the transition and inverse of a (count, denominator) rate, for
 * bigint arguments and for integer ones (integer columns then need no
 * per-row cast).
 */
#define PROP_PAIR_FNS(name, kname, nname, ratio) \
	PG_FUNCTION_INFO_V1(engage_##name##_accum); \
	Datum engage_##name##_accum(PG_FUNCTION_ARGS) \
	{ return prop_accum_pair(fcinfo, kname, nname, ratio, false, 1); } \
	PG_FUNCTION_INFO_V1(engage_##name##_accum_inv); \
	Datum engage_##name##_accum_inv(PG_FUNCTION_ARGS) \
	{ return prop_accum_pair(fcinfo, kname, nname, ratio, false, -1); } \
	PG_FUNCTION_INFO_V1(engage_##name##_accum_int4); \
	Datum engage_##name##_accum_int4(PG_FUNCTION_ARGS) \
	{ return prop_accum_pair(fcinfo, kname, nname, ratio, true, 1); } \
	PG_FUNCTION_INFO_V1(engage_##name##_accum_inv_int4); \
	Datum engage_##name##_accum_inv_int4(PG_FUNCTION_ARGS) \
	{ return prop_accum_pair(fcinfo, kname, nname, ratio, true, -1); }

/* Transitions of ctr(clicks, impressions) and the other summed-count rates. */
PROP_PAIR_FNS(ctr, "clicks", "impressions", false)
PROP_PAIR_FNS(conversion, "conversions", "visitors", false)
PROP_PAIR_FNS(open, "opens", "delivered", false)
PROP_PAIR_FNS(click, "clicks", "delivered", false)
PROP_PAIR_FNS(cto, "clicks", "opens", false)
PROP_PAIR_FNS(unsubscribe, "unsubscribes", "delivered", false)
PROP_PAIR_FNS(registration, "registrations", "visitors", false)
PROP_PAIR_FNS(attendance, "attendees", "registrants", false)
PROP_PAIR_FNS(engagement, "interactions", "base", true)

/* dst += sign * src, checked; both validated and of one kind. */
static void
prop_add_state(PropState *dst, const PropState *src, int sign)
{
	prop_require_same_kind(dst, src);
	if (sign > 0)
	{
		if (pg_add_s64_overflow(dst->successes, src->successes, &dst->successes) ||
			pg_add_s64_overflow(dst->trials, src->trials, &dst->trials))
			prop_overflow();
	}
	else
	{
		if (dst->successes < src->successes || dst->trials < src->trials ||
			(!(dst->flags & PROP_RATIO) &&
			 dst->successes - src->successes > dst->trials - src->trials))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot remove a proportion_state that was never added")));
		dst->successes -= src->successes;
		dst->trials -= src->trials;
	}
}

PG_FUNCTION_INFO_V1(engage_prop_combine);
/*
 * Combine / rollup transition (STRICT): state1 + state2, in place inside an
 * aggregate, on a copy when called directly.
 */
Datum
engage_prop_combine(PG_FUNCTION_ARGS)
{
	PropState  *dst;
	PropState  *src;

	/* defensive: the SQL declaration is STRICT, but never trust a NULL */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		int			keep = PG_ARGISNULL(0) ? 1 : 0;

		if (PG_ARGISNULL(keep))
			PG_RETURN_NULL();
		dst = palloc(PROP_SIZE);
		memcpy(dst, prop_arg(fcinfo, keep), PROP_SIZE);
		PG_RETURN_POINTER(dst);
	}
	dst = prop_arg(fcinfo, 0);
	src = prop_arg(fcinfo, 1);
	if (!AggCheckCallContext(fcinfo, NULL))
	{
		PropState  *copy = palloc(PROP_SIZE);

		memcpy(copy, dst, PROP_SIZE);
		dst = copy;
	}
	dst->version = PROP_VERSION;
	prop_add_state(dst, src, 1);
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_prop_combine_inv);
/* Inverse of the rollup transition (STRICT), for moving windows over states. */
Datum
engage_prop_combine_inv(PG_FUNCTION_ARGS)
{
	PropState  *dst;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the inverse rollup function of proportion_state can only be called as a moving-aggregate inverse")));
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	dst = prop_arg(fcinfo, 0);
	prop_add_state(dst, prop_arg(fcinfo, 1), -1);
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_prop_state_final);
/* Final function of the _agg aggregates and rollup(): a copy, NULL for 0 of 0. */
Datum
engage_prop_state_final(PG_FUNCTION_ARGS)
{
	PropState  *s;
	PropState  *copy;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = prop_arg(fcinfo, 0);
	if (s->successes == 0 && s->trials == 0)
		PG_RETURN_NULL();
	copy = palloc(PROP_SIZE);
	memcpy(copy, s, PROP_SIZE);
	PG_RETURN_POINTER(copy);
}

PG_FUNCTION_INFO_V1(engage_prop_rate);
/* rate(state), also the final function of every one-call rate: percent, NULL for 0 trials. */
Datum
engage_prop_rate(PG_FUNCTION_ARGS)
{
	PropState  *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = prop_arg(fcinfo, 0);
	if (s->trials == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * (double) s->successes / (double) s->trials);
}

PG_FUNCTION_INFO_V1(engage_prop_successes);
/* successes(state) */
Datum
engage_prop_successes(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(prop_arg(fcinfo, 0)->successes);
}

PG_FUNCTION_INFO_V1(engage_prop_trials);
/* trials(state) */
Datum
engage_prop_trials(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(prop_arg(fcinfo, 0)->trials);
}

/* Wilson interval of state arg 0 at confidence arg 1, in percent; false for 0 trials. */
static bool
prop_wilson(FunctionCallInfo fcinfo, double *lower, double *upper)
{
	PropState  *s = prop_arg(fcinfo, 0);
	double		z = engage_z_for_confidence(PG_GETARG_FLOAT8(1));

	prop_require_proportion(s, "a Wilson interval");
	if (s->trials == 0)
		return false;
	engage_wilson_interval((double) s->successes, (double) s->trials, z, lower, upper);
	*lower *= 100.0;
	*upper *= 100.0;
	return true;
}

PG_FUNCTION_INFO_V1(engage_prop_rate_lower);
/* rate_lower(state, confidence): lower end of the Wilson interval, percent. */
Datum
engage_prop_rate_lower(PG_FUNCTION_ARGS)
{
	double		lo,
				hi;

	if (!prop_wilson(fcinfo, &lo, &hi))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(lo);
}

PG_FUNCTION_INFO_V1(engage_prop_rate_upper);
/* rate_upper(state, confidence): upper end of the Wilson interval, percent. */
Datum
engage_prop_rate_upper(PG_FUNCTION_ARGS)
{
	double		lo,
				hi;

	if (!prop_wilson(fcinfo, &lo, &hi))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(hi);
}

/* Pooled two-proportion z of rate(a) - rate(b); false if either has 0 trials. */
static bool
prop_ab_z(FunctionCallInfo fcinfo, double *z)
{
	PropState  *a = prop_arg(fcinfo, 0);
	PropState  *b = prop_arg(fcinfo, 1);

	prop_require_proportion(a, "an A/B test");
	prop_require_proportion(b, "an A/B test");
	if (a->trials == 0 || b->trials == 0)
		return false;
	*z = engage_two_proportion_z((double) a->successes, (double) a->trials,
								 (double) b->successes, (double) b->trials);
	return true;
}

PG_FUNCTION_INFO_V1(engage_ab_z);
/* ab_z(a, b): pooled two-proportion z statistic, positive when a's rate is higher. */
Datum
engage_ab_z(PG_FUNCTION_ARGS)
{
	double		z;

	if (!prop_ab_z(fcinfo, &z))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(z);
}

PG_FUNCTION_INFO_V1(engage_ab_test);
/* ab_test(a, b): two-sided p-value of the pooled two-proportion z test. */
Datum
engage_ab_test(PG_FUNCTION_ARGS)
{
	double		z;

	if (!prop_ab_z(fcinfo, &z))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(erfc(fabs(z) / M_SQRT2));
}

/* Raise 22023 for an out-of-range argument of ab_sample_size. */
static void
sample_size_arg_error(const char *what, double v, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s %s is out of range", what, float8out_internal(v)),
			 errdetail("%s", detail)));
}

PG_FUNCTION_INFO_V1(engage_ab_sample_size);
/*
 * ab_sample_size(baseline_rate, minimum_detectable_effect, alpha, power):
 * customers per arm for a two-sided pooled two-proportion z test, rates in
 * percent, the effect in percentage points (absolute):
 *   n = (z_{1-alpha/2} sqrt(2 pbar (1 - pbar)) + z_power sqrt(p1 q1 + p2 q2))^2 / (p2 - p1)^2
 * with p2 = p1 + effect and pbar = (p1 + p2) / 2, rounded up.
 */
Datum
engage_ab_sample_size(PG_FUNCTION_ARGS)
{
	double		base = PG_GETARG_FLOAT8(0);
	double		mde = PG_GETARG_FLOAT8(1);
	double		alpha = PG_GETARG_FLOAT8(2);
	double		power = PG_GETARG_FLOAT8(3);
	double		p1,
				p2,
				pbar,
				za,
				zb,
				root,
				n;

	if (!(base > 0 && base < 100))
		sample_size_arg_error("baseline_rate", base,
							  "The baseline rate is a percent strictly between 0 and 100, such as 5 for 5%.");
	if (!(mde != 0 && base + mde >= 0 && base + mde <= 100))
		sample_size_arg_error("minimum_detectable_effect", mde,
							  "The effect is a non-zero change in percentage points (absolute, 1 means 5% -> 6%), "
							  "with baseline_rate + effect between 0 and 100.");
	if (!(alpha > 0 && alpha < 1))
		sample_size_arg_error("alpha", alpha,
							  "alpha is the two-sided significance level, strictly between 0 and 1, such as 0.05.");
	if (!(power >= 0.5 && power < 1))
		sample_size_arg_error("power", power,
							  "power is a probability of at least 0.5 and below 1, such as 0.8.");
	p1 = base / 100.0;
	p2 = (base + mde) / 100.0;
	pbar = (p1 + p2) / 2;
	za = -engage_norm_quantile(alpha / 2);
	zb = engage_norm_quantile(power);
	root = za * sqrt(2 * pbar * (1 - pbar)) + zb * sqrt(p1 * (1 - p1) + p2 * (1 - p2));
	n = ceil(root * root / ((p2 - p1) * (p2 - p1)));
	if (!(n < 9.2e18))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sample size is out of range"),
				 errdetail("The required sample per arm exceeds %lld; choose a larger effect.",
						   (long long) PG_INT64_MAX)));
	PG_RETURN_INT64(Max((int64) n, 1));
}

/* Raise the 22P02 error for a malformed proportion_state literal. */
static void
prop_syntax_error(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type proportion_state: \"%s\"", str),
			 errdetail("%s", detail),
			 errhint("The form is v1:SUCCESSES/TRIALS with successes <= trials, e.g. v1:45/50, "
					 "or v1:ratio:COUNT/BASE for an engagement ratio, e.g. v1:ratio:120/50.")));
}

/* Read a non-negative whole number; 22003 past 2^63-1. */
static int64
prop_read_int(const char *str, const char **pp, const char *what)
{
	const char *p = *pp;
	int64		v = 0;

	if (!isdigit((unsigned char) *p))
		prop_syntax_error(str, psprintf("Expected a non-negative whole number (%s) at offset %d.",
										what, (int) (p - str)));
	while (isdigit((unsigned char) *p))
	{
		if (pg_mul_s64_overflow(v, 10, &v) || pg_add_s64_overflow(v, *p - '0', &v))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s is out of range in proportion_state: \"%s\"", what, str),
					 errdetail("The largest allowed value is %lld.", (long long) PG_INT64_MAX)));
		p++;
	}
	*pp = p;
	return v;
}

PG_FUNCTION_INFO_V1(engage_prop_state_in);
/* Text input of proportion_state, validated. */
Datum
engage_prop_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	PropState  *s = palloc0(PROP_SIZE);
	int64		version;

	if (*p != 'v')
		prop_syntax_error(str, "Expected \"v\" and a format version at offset 0.");
	p++;
	version = prop_read_int(str, &p, "version");
	if (version < 1 || version > PROP_VERSION)
		prop_syntax_error(str, engage_version_detail(version, PROP_VERSION));
	s->version = PROP_VERSION;
	if (*p != ':')
		prop_syntax_error(str, psprintf("Expected \":\" at offset %d.", (int) (p - str)));
	p++;
	if (strncmp(p, "ratio:", 6) == 0)
	{
		s->flags = PROP_RATIO;
		p += 6;
	}
	s->successes = prop_read_int(str, &p, "successes");
	if (*p != '/')
		prop_syntax_error(str, psprintf("Expected \"/\" at offset %d.", (int) (p - str)));
	p++;
	s->trials = prop_read_int(str, &p, "trials");
	if (*p != '\0')
		prop_syntax_error(str, "Unexpected characters after the trials.");
	if (!(s->flags & PROP_RATIO) && s->successes > s->trials)
		prop_syntax_error(str, "Successes exceed trials.");
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_prop_state_out);
/* Text output of proportion_state: v1:45/50 or v1:ratio:120/50. */
Datum
engage_prop_state_out(PG_FUNCTION_ARGS)
{
	PropState  *s = prop_arg(fcinfo, 0);

	PG_RETURN_CSTRING(psprintf("v%d:%s%lld/%lld", s->version,
							   (s->flags & PROP_RATIO) ? "ratio:" : "",
							   (long long) s->successes, (long long) s->trials));
}

PG_FUNCTION_INFO_V1(engage_prop_state_send);
/* Binary output: int16 version, int16 flags, int64 successes, int64 trials (network order). */
Datum
engage_prop_state_send(PG_FUNCTION_ARGS)
{
	PropState  *s = prop_arg(fcinfo, 0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, s->version);
	pq_sendint16(&buf, s->flags);
	pq_sendint64(&buf, s->successes);
	pq_sendint64(&buf, s->trials);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_prop_state_recv);
/* Binary input: exact length, then the text input's checks (22P03). */
Datum
engage_prop_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	PropState  *s;
	const char *problem;

	if (msg->len - msg->cursor != PROP_BIN_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary proportion_state has %d bytes, expected %d",
						msg->len - msg->cursor, PROP_BIN_LEN)));
	s = palloc0(PROP_SIZE);
	s->version = (int16) pq_getmsgint(msg, 2);
	s->flags = (int16) pq_getmsgint(msg, 2);
	s->successes = (int64) pq_getmsgint64(msg);
	s->trials = (int64) pq_getmsgint64(msg);
	problem = prop_problem(s);
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary proportion_state: %s", problem),
				 errdetail(PROP_STATE_DETAIL)));
	s->version = PROP_VERSION;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_prop_state_jsonb);
/* proportion_state as jsonb: version, kind, counts and the rate in percent. */
Datum
engage_prop_state_jsonb(PG_FUNCTION_ARGS)
{
	PropState  *s = prop_arg(fcinfo, 0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"kind\": \"%s\", \"successes\": %lld, \"trials\": %lld, \"rate\": ",
					 s->version, (s->flags & PROP_RATIO) ? "ratio" : "proportion",
					 (long long) s->successes, (long long) s->trials);
	hist_append_double(&buf, s->trials ? 100.0 * (double) s->successes / (double) s->trials : NAN);
	appendStringInfoChar(&buf, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* Compare the data of two states (kind and counts; the version is not data). */
static bool
prop_same(FunctionCallInfo fcinfo)
{
	PropState  *a = prop_arg(fcinfo, 0);
	PropState  *b = prop_arg(fcinfo, 1);

	return a->flags == b->flags && a->successes == b->successes && a->trials == b->trials;
}

PG_FUNCTION_INFO_V1(engage_prop_eq);
/* state = state: same kind, successes and trials. */
Datum
engage_prop_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(prop_same(fcinfo));
}

PG_FUNCTION_INFO_V1(engage_prop_ne);
/* state <> state */
Datum
engage_prop_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!prop_same(fcinfo));
}

PG_FUNCTION_INFO_V1(engage_prop_hash);
/* Hash of a state, consistent with =: kind and counts (pad is always zero). */
Datum
engage_prop_hash(PG_FUNCTION_ARGS)
{
	PropState  *s = prop_arg(fcinfo, 0);

	return hash_any((const unsigned char *) &s->flags, PROP_SIZE - offsetof(PropState, flags));
}
