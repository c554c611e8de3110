/*
 * stats.c: the few distributions engage needs for intervals and tests:
 * the standard normal (cdf, quantile) and Student's t (tail, quantile).
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"

#include "engage.h"

/* Standard normal cumulative distribution function. */
double
engage_norm_cdf(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

/*
 * Standard normal quantile: Acklam's rational approximation, polished by
 * two Halley steps on erfc, good to full double precision.
 */
double
engage_norm_quantile(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
	-3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
	-1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
	4.374664141464968e+00, 2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	2.445134137142996e+00, 3.754408661907416e+00};
	double		q,
				r,
				x;
	int			k;

	if (isnan(p))
		return p;
	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	if (p > 0.5)
		return -engage_norm_quantile(1.0 - p);
	if (p < 0.02425)
	{
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	else
	{
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	for (k = 0; k < 2; k++)
	{
		double		e = 0.5 * erfc(-x / M_SQRT2) - p;
		double		u = e * sqrt(2 * M_PI) * exp(x * x / 2);

		x = x - u / (1 + x * u / 2);
	}
	return x;
}

/* Continued fraction for the regularised incomplete beta (modified Lentz). */
static double
beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double		c = 1.0,
				d = 1.0 - (a + b) * x / (a + 1.0),
				h;
	int			m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (m = 1; m <= 1000; m++)
	{
		double		aa = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		double		del;

		d = 1.0 + aa * d;
		d = fabs(d) < tiny ? 1.0 / tiny : 1.0 / d;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		d = 1.0 + aa * d;
		d = fabs(d) < tiny ? 1.0 / tiny : 1.0 / d;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < 1e-16)
			break;
	}
	return h;
}

/* Regularised incomplete beta function I_x(a, b). */
static double
inc_beta(double a, double b, double x)
{
	double		front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
}

/* Upper tail P(T > t) of Student's t with df degrees of freedom. */
double
engage_t_sf(double t, double df)
{
	double		tail;

	if (isnan(t) || isnan(df) || df <= 0)
		return NAN;
	if (df > 1e7)
		return 1.0 - engage_norm_cdf(t);
	tail = 0.5 * inc_beta(df / 2, 0.5, df / (df + t * t));
	return t >= 0 ? tail : 1.0 - tail;
}

/* The t with upper tail P(T > t) = q, for 0 < q <= 0.5: bracket, then bisect. */
static double
t_upper(double q, double df)
{
	double		lo = 0,
				hi = 1;
	int			i;

	if (df > 1e7)
		return -engage_norm_quantile(q);
	while (engage_t_sf(hi, df) > q && hi < 1e300)
	{
		lo = hi;
		hi *= 2;
	}
	for (i = 0; i < 2000 && hi - lo > 1e-15 * hi; i++)
	{
		double		mid = 0.5 * (lo + hi);

		if (engage_t_sf(mid, df) > q)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* Quantile of Student's t with df degrees of freedom. */
double
engage_t_quantile(double p, double df)
{
	if (isnan(p) || isnan(df) || df <= 0)
		return NAN;
	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	return p < 0.5 ? -t_upper(p, df) : t_upper(1.0 - p, df);
}

/* Lower end of the Wilson score interval for k successes of n, as a proportion. */
static double
wilson_lower(double k, double n, double z)
{
	double		p = k / n;
	double		z2 = z * z;
	double		denom = 1 + z2 / n;
	double		centre = (p + z2 / (2 * n)) / denom;
	double		half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;

	if (k <= 0)
		return 0.0;				/* exact: centre == half when p = 0 */
	return Max(centre - half, 0.0);
}

/*
 * Wilson score interval for k successes of n > 0 trials at critical value z,
 * as proportions.  The upper end is 1 - the lower end of the failures'
 * share, so both ends are exact at 0 and 1.
 */
void
engage_wilson_interval(double k, double n, double z, double *lower, double *upper)
{
	*lower = wilson_lower(k, n, z);
	*upper = 1.0 - wilson_lower(n - k, n, z);
}

/*
 * Pooled two-proportion z statistic for ka/na - kb/nb (na, nb > 0).  When the
 * pooled share is 0 or 1 the two proportions are equal and z is 0.
 */
double
engage_two_proportion_z(double ka, double na, double kb, double nb)
{
	double		pool = (ka + kb) / (na + nb);
	double		se = sqrt(pool * (1 - pool) * (1 / na + 1 / nb));

	return se > 0 ? (ka / na - kb / nb) / se : 0.0;
}

/* Raise 22023 unless 0 < confidence < 1. */
void
engage_check_confidence(double confidence)
{
	if (!(confidence > 0 && confidence < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence %s is out of range", float8out_internal(confidence)),
				 errdetail("Confidence is a level strictly between 0 and 1, such as 0.95.")));
}

/* Two-sided normal critical value for a confidence level. */
double
engage_z_for_confidence(double confidence)
{
	engage_check_confidence(confidence);
	return 0.0 - engage_norm_quantile((1.0 - confidence) / 2);	/* never -0 */
}

/* Two-sided Student t critical value for a confidence level. */
double
engage_t_for_confidence(double confidence, double df)
{
	engage_check_confidence(confidence);
	return t_upper((1.0 - confidence) / 2, df);
}
