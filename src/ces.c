/*
 * ces.c: Customer Effort Score, the mean effort score.  Default scale 1..7
 * where higher is easier ("easy" is 5-7); the 1..5 scale has the reversed
 * polarity: lower is less effort ("easy" is 1-2).
 */
#include "postgres.h"

#include <math.h>

#include "engage.h"

#define CES_SCALE_7		((HistScale) {1, 7, 5, 1})
#define CES_SCALE_5		((HistScale) {1, 5, 2, -1})

/* The scale named by argument 2 (scale_max): 7 or 5. */
static HistScale
ces_scale_arg(FunctionCallInfo fcinfo)
{
	int32		max;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("CES scale_max must not be null")));
	max = PG_GETARG_INT32(2);
	if (max == 7)
		return CES_SCALE_7;
	if (max == 5)
		return CES_SCALE_5;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("CES scale_max %d is not supported", max),
			 errdetail("Use 7 for the 1..7 scale (higher is easier) or 5 for the 1..5 scale (lower is less effort).")));
	return CES_SCALE_7;			/* not reached */
}

HIST_ACCUM_FN(engage_ces_accum_int4, HIST_CES, CES_SCALE_7, 1, SCORE_INT4)
HIST_ACCUM_FN(engage_ces_accum_float8, HIST_CES, CES_SCALE_7, 1, SCORE_FLOAT8)
HIST_ACCUM_FN(engage_ces_accum_inv_int4, HIST_CES, CES_SCALE_7, -1, SCORE_INT4)
HIST_ACCUM_FN(engage_ces_accum_inv_float8, HIST_CES, CES_SCALE_7, -1, SCORE_FLOAT8)
HIST_ACCUM_FN(engage_ces_accum_scale_int4, HIST_CES, ces_scale_arg(fcinfo), 1, SCORE_INT4)
HIST_ACCUM_FN(engage_ces_accum_scale_float8, HIST_CES, ces_scale_arg(fcinfo), 1, SCORE_FLOAT8)
HIST_ACCUM_FN(engage_ces_accum_inv_scale_int4, HIST_CES, ces_scale_arg(fcinfo), -1, SCORE_INT4)
HIST_ACCUM_FN(engage_ces_accum_inv_scale_float8, HIST_CES, ces_scale_arg(fcinfo), -1, SCORE_FLOAT8)
HIST_TYPE_FNS(ces, HIST_CES)

PG_FUNCTION_INFO_V1(engage_ces_of_state);
/* ces(ces_state), also the final function of ces(score): mean effort score of a stored state. */
Datum
engage_ces_of_state(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = hist_own_arg0(fcinfo, HIST_CES);

	if (s->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(hist_mean(s));
}

PG_FUNCTION_INFO_V1(engage_ces_easy);
/* ces_easy(ces_state): percent of responses on the easy side of the scale. */
Datum
engage_ces_easy(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = hist_arg(fcinfo, 0, HIST_CES);

	if (s->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * (double) hist_good(s) / (double) s->n);
}

/*
 * Student t interval for the mean: mean +/- t(n-1) * sd / sqrt(n); arg 1 is
 * the confidence.  False below two responses.
 */
static bool
ces_interval(FunctionCallInfo fcinfo, double *lower, double *upper)
{
	ScoreHist  *s = hist_arg(fcinfo, 0, HIST_CES);
	double		confidence = PG_GETARG_FLOAT8(1);
	double		n = (double) s->n,
				mean,
				half;

	engage_check_confidence(confidence);
	if (s->n < 2)
		return false;
	mean = hist_mean(s);
	half = engage_t_for_confidence(confidence, n - 1) * sqrt(hist_variance(s) / n);
	*lower = Max(mean - half, (double) s->scale.lo);
	*upper = Min(mean + half, (double) s->scale.hi);
	return true;
}

PG_FUNCTION_INFO_V1(engage_ces_lower);
/* Lower end of the t interval for the mean CES. */
Datum
engage_ces_lower(PG_FUNCTION_ARGS)
{
	double		lo,
				hi;

	if (!ces_interval(fcinfo, &lo, &hi))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(lo);
}

PG_FUNCTION_INFO_V1(engage_ces_upper);
/* Upper end of the t interval for the mean CES. */
Datum
engage_ces_upper(PG_FUNCTION_ARGS)
{
	double		lo,
				hi;

	if (!ces_interval(fcinfo, &lo, &hi))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(hi);
}

PG_FUNCTION_INFO_V1(engage_ces_test);
/*
 * ces_test(a, b): Welch's two-sample t test of the mean effort scores,
 * two-sided p-value; NULL when either state has fewer than two responses
 * or neither has any variance.
 */
Datum
engage_ces_test(PG_FUNCTION_ARGS)
{
	ScoreHist  *a = hist_arg(fcinfo, 0, HIST_CES);
	ScoreHist  *b = hist_arg(fcinfo, 1, HIST_CES);
	double		va,
				vb,
				diff,
				se2,
				df;

	hist_require_same_scale(a, b);
	if (a->n < 2 || b->n < 2)
		PG_RETURN_NULL();
	va = hist_variance(a) / (double) a->n;
	vb = hist_variance(b) / (double) b->n;
	diff = hist_mean(a) - hist_mean(b);
	se2 = va + vb;
	if (se2 == 0)
		PG_RETURN_NULL();		/* no variance on either side: no test */
	df = se2 * se2 / (va * va / (double) (a->n - 1) + vb * vb / (double) (b->n - 1));
	PG_RETURN_FLOAT8(Min(1.0, 2 * engage_t_sf(fabs(diff) / sqrt(se2), df)));
}

PG_FUNCTION_INFO_V1(engage_ces_state_jsonb);
/* ces_state::jsonb */
Datum
engage_ces_state_jsonb(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = hist_arg(fcinfo, 0, HIST_CES);
	StringInfoData buf;

	hist_json_begin(&buf, s);
	appendStringInfo(&buf, ", \"polarity\": \"%s\", \"easy\": %lld, \"ces\": ",
					 s->scale.dir > 0 ? "higher_is_easier" : "lower_is_easier",
					 (long long) hist_good(s));
	hist_append_double(&buf, s->n ? hist_mean(s) : NAN);
	appendStringInfoString(&buf, ", \"percent_easy\": ");
	hist_append_double(&buf, s->n ? 100.0 * (double) hist_good(s) / (double) s->n : NAN);
	PG_RETURN_DATUM(hist_json_finish(&buf, s));
}
