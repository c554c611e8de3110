/*
 * csat.c: Customer Satisfaction, the percent of responses in the top boxes.
 * Default scale 1..5 with 4 and 5 satisfied; other scales take explicit
 * bounds and an optional "satisfied from" score; booleans are good/bad.
 */
#include "postgres.h"

#include <math.h>

#include "engage.h"

#define CSAT_DEFAULT_SCALE	((HistScale) {1, 5, 4, 1})
#define CSAT_BOOL_SCALE		((HistScale) {0, 1, 1, 1})

/* Read a scale bound argument; NULL is an error, wild values are kept invalid. */
static int16
csat_bound_arg(FunctionCallInfo fcinfo, int argno)
{
	int32		v;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("CSAT scale arguments must not be null")));
	v = PG_GETARG_INT32(argno);
	if (v < -1 || v > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("CSAT scale value %d is out of range", v),
				 errdetail("A CSAT scale runs from 0 or more to at most 10.")));
	return (int16) v;
}

/*
 * The scale given by arguments 2.. of a transition: (min, max) takes the top
 * two boxes as satisfied (the top box on scales of three points or fewer);
 * (min, max, satisfied_from) says it explicitly.
 */
static HistScale
csat_scale_args(FunctionCallInfo fcinfo, bool explicit_cut)
{
	HistScale	sc;

	sc.lo = csat_bound_arg(fcinfo, 2);
	sc.hi = csat_bound_arg(fcinfo, 3);
	sc.dir = 1;
	if (explicit_cut)
		sc.cut = csat_bound_arg(fcinfo, 4);
	else
		sc.cut = (sc.hi - sc.lo + 1 <= 3) ? sc.hi : sc.hi - 1;
	return sc;
}

HIST_ACCUM_FN(engage_csat_accum_int4, HIST_CSAT, CSAT_DEFAULT_SCALE, 1, SCORE_INT4)
HIST_ACCUM_FN(engage_csat_accum_float8, HIST_CSAT, CSAT_DEFAULT_SCALE, 1, SCORE_FLOAT8)
HIST_ACCUM_FN(engage_csat_accum_inv_int4, HIST_CSAT, CSAT_DEFAULT_SCALE, -1, SCORE_INT4)
HIST_ACCUM_FN(engage_csat_accum_inv_float8, HIST_CSAT, CSAT_DEFAULT_SCALE, -1, SCORE_FLOAT8)
HIST_ACCUM_FN(engage_csat_accum_bool, HIST_CSAT, CSAT_BOOL_SCALE, 1, SCORE_BOOL)
HIST_ACCUM_FN(engage_csat_accum_inv_bool, HIST_CSAT, CSAT_BOOL_SCALE, -1, SCORE_BOOL)
HIST_ACCUM_FN(engage_csat_accum_scale_int4, HIST_CSAT, csat_scale_args(fcinfo, false), 1, SCORE_INT4)
HIST_ACCUM_FN(engage_csat_accum_scale_float8, HIST_CSAT, csat_scale_args(fcinfo, false), 1, SCORE_FLOAT8)
HIST_ACCUM_FN(engage_csat_accum_inv_scale_int4, HIST_CSAT, csat_scale_args(fcinfo, false), -1, SCORE_INT4)
HIST_ACCUM_FN(engage_csat_accum_inv_scale_float8, HIST_CSAT, csat_scale_args(fcinfo, false), -1, SCORE_FLOAT8)
HIST_ACCUM_FN(engage_csat_accum_cut_int4, HIST_CSAT, csat_scale_args(fcinfo, true), 1, SCORE_INT4)
HIST_ACCUM_FN(engage_csat_accum_cut_float8, HIST_CSAT, csat_scale_args(fcinfo, true), 1, SCORE_FLOAT8)
HIST_ACCUM_FN(engage_csat_accum_inv_cut_int4, HIST_CSAT, csat_scale_args(fcinfo, true), -1, SCORE_INT4)
HIST_ACCUM_FN(engage_csat_accum_inv_cut_float8, HIST_CSAT, csat_scale_args(fcinfo, true), -1, SCORE_FLOAT8)
HIST_TYPE_FNS(csat, HIST_CSAT)

/* Percent satisfied; callers ensure n > 0. */
static double
csat_value(const ScoreHist *s)
{
	return 100.0 * (double) hist_good(s) / (double) s->n;
}

PG_FUNCTION_INFO_V1(engage_csat_of_state);
/* csat(csat_state), also the final function of csat(score): percent satisfied of a stored state. */
Datum
engage_csat_of_state(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = hist_own_arg0(fcinfo, HIST_CSAT);

	if (s->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(csat_value(s));
}

/*
 * Wilson score interval for the satisfied proportion, in percent; arg 1 is
 * the confidence.  False for an empty state.
 */
static bool
csat_wilson(FunctionCallInfo fcinfo, double *lower, double *upper)
{
	ScoreHist  *s = hist_arg(fcinfo, 0, HIST_CSAT);
	double		z = engage_z_for_confidence(PG_GETARG_FLOAT8(1));
	double		n = (double) s->n;
	double		good = (double) hist_good(s);

	if (s->n == 0)
		return false;
	engage_wilson_interval(good, n, z, lower, upper);
	*lower *= 100.0;
	*upper *= 100.0;
	return true;
}

PG_FUNCTION_INFO_V1(engage_csat_lower);
/* Lower end of the Wilson interval for CSAT, in percent. */
Datum
engage_csat_lower(PG_FUNCTION_ARGS)
{
	double		lo,
				hi;

	if (!csat_wilson(fcinfo, &lo, &hi))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(lo);
}

PG_FUNCTION_INFO_V1(engage_csat_upper);
/* Upper end of the Wilson interval for CSAT, in percent. */
Datum
engage_csat_upper(PG_FUNCTION_ARGS)
{
	double		lo,
				hi;

	if (!csat_wilson(fcinfo, &lo, &hi))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(hi);
}

/*
 * Pooled two-proportion z for CSAT(a) - CSAT(b).  States of different scales
 * are an error; false if either is empty.
 */
static bool
csat_z(FunctionCallInfo fcinfo, double *z)
{
	ScoreHist  *a = hist_arg(fcinfo, 0, HIST_CSAT);
	ScoreHist  *b = hist_arg(fcinfo, 1, HIST_CSAT);

	hist_require_same_scale(a, b);
	if (a->n == 0 || b->n == 0)
		return false;
	*z = engage_two_proportion_z((double) hist_good(a), (double) a->n,
								 (double) hist_good(b), (double) b->n);
	return true;
}

PG_FUNCTION_INFO_V1(engage_csat_z);
/* csat_z(a, b): two-proportion z statistic. */
Datum
engage_csat_z(PG_FUNCTION_ARGS)
{
	double		z;

	if (!csat_z(fcinfo, &z))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(z);
}

PG_FUNCTION_INFO_V1(engage_csat_test);
/* csat_test(a, b): two-sided p-value that the satisfied shares differ. */
Datum
engage_csat_test(PG_FUNCTION_ARGS)
{
	double		z;

	if (!csat_z(fcinfo, &z))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(erfc(fabs(z) / M_SQRT2));
}

PG_FUNCTION_INFO_V1(engage_csat_state_jsonb);
/* csat_state::jsonb */
Datum
engage_csat_state_jsonb(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = hist_arg(fcinfo, 0, HIST_CSAT);
	StringInfoData buf;

	hist_json_begin(&buf, s);
	appendStringInfo(&buf, ", \"satisfied_from\": %d, \"satisfied\": %lld, \"csat\": ",
					 s->scale.cut, (long long) hist_good(s));
	hist_append_double(&buf, s->n ? csat_value(s) : NAN);
	appendStringInfoString(&buf, ", \"mean_score\": ");
	hist_append_double(&buf, s->n ? hist_mean(s) : NAN);
	PG_RETURN_DATUM(hist_json_finish(&buf, s));
}
