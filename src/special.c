/*
 * special.c: the special functions of the customer-base models: digamma
 * (for analytic likelihood gradients) and the Gauss hypergeometric function
 * 2F1 (for BG/NBD expected purchases).  lgamma comes from libm.
 */
#include "postgres.h"

#include <math.h>

#include "optim.h"

/*
 * Digamma psi(x) for x > 0: the recurrence psi(x) = psi(x + 1) - 1/x up to
 * x >= 6, then the asymptotic series (error below 1e-15 there).
 */
double
engage_digamma(double x)
{
	double		acc = 0;
	double		f;

	if (!(x > 0) || isinf(x))
		return isinf(x) ? INFINITY : NAN;
	while (x < 6)
	{
		acc -= 1.0 / x;
		x += 1.0;
	}
	f = 1.0 / (x * x);
	return acc + log(x) - 0.5 / x -
		f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 -
																				  f * (691.0 / 32760 - f / 12))))));
}

/* Largest number of series terms before 2F1 gives up (NaN). */
#define HYP_MAX_TERMS	20000000L

/*
 * The Gauss series sum (a)_n (b)_n / ((c)_n n!) z^n for 0 <= z < 1, c not
 * zero or a negative integer.  Stops when the remaining tail, bounded by a
 * geometric series once the term ratio is below one, is under 1e-17 of the
 * sum; NaN when that takes more than HYP_MAX_TERMS terms.
 */
static double
hyp2f1_series(double a, double b, double c, double z)
{
	double		term = 1.0;
	double		sum = 1.0;
	long		n;

	if (z == 0)
		return 1.0;
	for (n = 0; n < HYP_MAX_TERMS; n++)
	{
		double		ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;

		term *= ratio;
		sum += term;
		if (term == 0)
			return sum;
		/* past the hump: the terms shrink at least geometrically from here */
		if (fabs(ratio) < 1 && n > fabs(a) + fabs(b) + fabs(c))
		{
			double		r = fabs(ratio);

			if (fabs(term) * r / (1 - r) <= 1e-17 * fabs(sum))
				return sum;
		}
		if (!isfinite(sum))
			return sum;
	}
	return NAN;
}

/*
 * Gauss hypergeometric 2F1(a, b; c; z) for 0 <= z < 1 and c > -1, c != 0.
 * The series converges for |z| < 1; near z = 1 with a + b > c its terms
 * decay only like n^(a+b-c-1) z^n, so there (as the lifetimes library does
 * when the direct value overflows) Euler's transformation
 *     2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z)
 * is used, whose terms decay like n^(c-a-b-1) z^n: it is taken when every
 * parameter of the transformed series is positive, so that no term cancels.
 */
double
engage_hyp2f1(double a, double b, double c, double z)
{
	if (!(z >= 0 && z < 1) || c == 0)
		return NAN;
	if (z > 0.5 && a + b > c && c - a > 0 && c - b > 0)
		return pow(1 - z, c - a - b) * hyp2f1_series(c - a, c - b, c, z);
	return hyp2f1_series(a, b, c, z);
}

/*
 * The series Euler's transformation leaves: 2F1(c - a, c - b; c; z), so that
 * 2F1(a, b; c; z) = (1 - z)^(c - a - b) times this.  For callers that must
 * avoid the overflow of the direct value near z = 1.
 */
double
engage_hyp2f1_euler(double a, double b, double c, double z)
{
	if (!(z >= 0 && z < 1) || c == 0)
		return NAN;
	return hyp2f1_series(c - a, c - b, c, z);
}
