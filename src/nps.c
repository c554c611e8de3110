/*
 * nps.c: Net Promoter Score.  Scores 0..10; promoters 9-10, passives 7-8,
 * detractors 0-6; NPS = 100 * (promoters - detractors) / responses.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"

#include "engage.h"

#define NPS_SCALE	((HistScale) {0, 10, 9, 1})

HIST_ACCUM_FN(engage_nps_accum_int4, HIST_NPS, NPS_SCALE, 1, SCORE_INT4)
HIST_ACCUM_FN(engage_nps_accum_float8, HIST_NPS, NPS_SCALE, 1, SCORE_FLOAT8)
HIST_ACCUM_FN(engage_nps_accum_inv_int4, HIST_NPS, NPS_SCALE, -1, SCORE_INT4)
HIST_ACCUM_FN(engage_nps_accum_inv_float8, HIST_NPS, NPS_SCALE, -1, SCORE_FLOAT8)

/* Interval methods for the NPS margin of error. */
typedef enum NpsMethod
{
	NPS_WALD,
	NPS_ADJUSTED_WALD
} NpsMethod;

/* Promoters in a state. */
static inline int64
nps_promoters(const ScoreHist *s)
{
	return s->counts[9] + s->counts[10];
}

/* Detractors in a state. */
static inline int64
nps_detractors(const ScoreHist *s)
{
	return hist_count_between(s, 0, 6);
}

/* NPS in points (-100..100); callers ensure n > 0. */
static double
nps_value(const ScoreHist *s)
{
	return 100.0 * (double) (nps_promoters(s) - nps_detractors(s)) / (double) s->n;
}

/* Standard error of NPS in points: 100 * sqrt((p + d - (p - d)^2) / n). */
static double
nps_se(double promoters, double detractors, double n)
{
	double		p = promoters / n;
	double		d = detractors / n;
	double		var = (p + d - (p - d) * (p - d)) / n;

	return 100.0 * sqrt(Max(var, 0.0));
}

/* Parse the method argument of the interval functions. */
static NpsMethod
nps_method(text *method)
{
	char	   *m = text_to_cstring(method);

	if (strcmp(m, "wald") == 0)
		return NPS_WALD;
	if (strcmp(m, "adjusted_wald") == 0)
		return NPS_ADJUSTED_WALD;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown NPS interval method \"%s\"", m),
			 errdetail("The methods are \"wald\" and \"adjusted_wald\".")));
	return NPS_WALD;			/* not reached */
}

/*
 * Centre and half-width of the NPS interval.  Wald: NPS +/- z * SE.
 * Adjusted Wald: add 3/4 of a promoter and of a detractor and 3 responses,
 * then the Wald interval around the adjusted NPS.  False for an empty state.
 */
static bool
nps_interval(FunctionCallInfo fcinfo, double *centre, double *half)
{
	ScoreHist  *s = hist_arg(fcinfo, 0, HIST_NPS);
	double		z = engage_z_for_confidence(PG_GETARG_FLOAT8(1));
	NpsMethod	method = nps_method(PG_GETARG_TEXT_PP(2));
	double		P = (double) nps_promoters(s);
	double		D = (double) nps_detractors(s);
	double		n = (double) s->n;

	if (method == NPS_ADJUSTED_WALD)
	{
		P += 0.75;
		D += 0.75;
		n += 3;
	}
	if (s->n == 0)
		return false;
	*centre = 100.0 * (P - D) / n;
	*half = z * nps_se(P, D, n);
	return true;
}

PG_FUNCTION_INFO_V1(engage_nps_of_state);
/* nps(nps_state), also the final function of nps(score): the score of a stored state. */
Datum
engage_nps_of_state(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = hist_own_arg0(fcinfo, HIST_NPS);

	if (s->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(nps_value(s));
}

PG_FUNCTION_INFO_V1(engage_nps_promoters);
/* Responses scoring 9 or 10. */
Datum
engage_nps_promoters(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(nps_promoters(hist_arg(fcinfo, 0, HIST_NPS)));
}

PG_FUNCTION_INFO_V1(engage_nps_passives);
/* Responses scoring 7 or 8. */
Datum
engage_nps_passives(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = hist_arg(fcinfo, 0, HIST_NPS);

	PG_RETURN_INT64(s->counts[7] + s->counts[8]);
}

PG_FUNCTION_INFO_V1(engage_nps_detractors);
/* Responses scoring 0 to 6. */
Datum
engage_nps_detractors(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(nps_detractors(hist_arg(fcinfo, 0, HIST_NPS)));
}

PG_FUNCTION_INFO_V1(engage_nps_moe);
/* Margin of error (half-width of the interval) in NPS points. */
Datum
engage_nps_moe(PG_FUNCTION_ARGS)
{
	double		centre,
				half;

	if (!nps_interval(fcinfo, &centre, &half))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(half);
}

PG_FUNCTION_INFO_V1(engage_nps_lower);
/* Lower end of the NPS interval, clamped to -100. */
Datum
engage_nps_lower(PG_FUNCTION_ARGS)
{
	double		centre,
				half;

	if (!nps_interval(fcinfo, &centre, &half))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(Max(centre - half, -100.0));
}

PG_FUNCTION_INFO_V1(engage_nps_upper);
/* Upper end of the NPS interval, clamped to 100. */
Datum
engage_nps_upper(PG_FUNCTION_ARGS)
{
	double		centre,
				half;

	if (!nps_interval(fcinfo, &centre, &half))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(Min(centre + half, 100.0));
}

/*
 * z statistic for NPS(a) - NPS(b), Wald standard errors combined:
 * z = (NPS_a - NPS_b) / sqrt(SE_a^2 + SE_b^2).  False if either is empty
 * or both standard errors are zero (one response each, say): no test then.
 */
static bool
nps_z(FunctionCallInfo fcinfo, double *z)
{
	ScoreHist  *a = hist_arg(fcinfo, 0, HIST_NPS);
	ScoreHist  *b = hist_arg(fcinfo, 1, HIST_NPS);
	double		sea,
				seb,
				diff;

	if (a->n == 0 || b->n == 0)
		return false;
	sea = nps_se(nps_promoters(a), nps_detractors(a), a->n);
	seb = nps_se(nps_promoters(b), nps_detractors(b), b->n);
	diff = nps_value(a) - nps_value(b);
	if (sea == 0 && seb == 0)
		return false;			/* no variance on either side: no test */
	*z = diff / sqrt(sea * sea + seb * seb);
	return true;
}

PG_FUNCTION_INFO_V1(engage_nps_z);
/* nps_z(a, b): z statistic of the difference in NPS. */
Datum
engage_nps_z(PG_FUNCTION_ARGS)
{
	double		z;

	if (!nps_z(fcinfo, &z))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(z);
}

PG_FUNCTION_INFO_V1(engage_nps_test);
/* nps_test(a, b): two-sided p-value that the two NPS differ. */
Datum
engage_nps_test(PG_FUNCTION_ARGS)
{
	double		z;

	if (!nps_z(fcinfo, &z))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(erfc(fabs(z) / M_SQRT2));
}

PG_FUNCTION_INFO_V1(engage_nps_state_jsonb);
/* nps_state::jsonb */
Datum
engage_nps_state_jsonb(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = hist_arg(fcinfo, 0, HIST_NPS);
	StringInfoData buf;

	hist_json_begin(&buf, s);
	appendStringInfo(&buf, ", \"promoters\": %lld, \"passives\": %lld, \"detractors\": %lld, \"nps\": ",
					 (long long) nps_promoters(s), (long long) (s->counts[7] + s->counts[8]),
					 (long long) nps_detractors(s));
	hist_append_double(&buf, s->n ? nps_value(s) : NAN);
	PG_RETURN_DATUM(hist_json_finish(&buf, s));
}

HIST_TYPE_FNS(nps, HIST_NPS)
