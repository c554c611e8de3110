/*
 * optim.c: BFGS on log-parameters with an Armijo backtracking line search,
 * and a driver that tries several starting points and reports a fit whose
 * maximum lies on the boundary (a parameter running to 0 or infinity) as
 * an error instead of returning meaningless parameters.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/int.h"
#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "optim.h"

/* ---------------------------------------------------------------------------
 * BFGS
 * ---------------------------------------------------------------------------
 */

/* Set H to the identity scaled by s. */
static void
optim_identity(double H[OPTIM_MAX_DIM][OPTIM_MAX_DIM], int n, double s)
{
	int			i,
				j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			H[i][j] = (i == j) ? s : 0;
}

/*
 * Minimise fn from theta (updated in place) by BFGS with an inverse-Hessian
 * approximation, an Armijo backtracking line search (quadratic
 * interpolation, steps capped at 3 in every coordinate: a factor e^3 per
 * step on log-parameters), and a restart from the identity whenever the
 * search direction is not downhill or the line search fails.  Converged
 * when the infinity norm of the gradient is below gtol.
 */
OptimResult
engage_bfgs(OptimFn fn, void *arg, int n, double *theta, int maxiter, double gtol)
{
	double		H[OPTIM_MAX_DIM][OPTIM_MAX_DIM];
	double		g[OPTIM_MAX_DIM],
				gn[OPTIM_MAX_DIM],
				d[OPTIM_MAX_DIM],
				xn[OPTIM_MAX_DIM],
				s[OPTIM_MAX_DIM],
				y[OPTIM_MAX_DIM],
				Hy[OPTIM_MAX_DIM];
	OptimResult res = {OPTIM_MAXITER, 0, 0, 0, 0};
	double		f;
	bool		fresh = true;
	int			flat = 0;
	int			i,
				j;

	Assert(n <= OPTIM_MAX_DIM);
	f = fn(theta, g, arg);
	res.evaluations = 1;
	optim_identity(H, n, 1.0);
	for (res.iterations = 0; res.iterations < maxiter; res.iterations++)
	{
		double		gnorm = 0,
					slope = 0,
					dmax = 0,
					step = 1,
					fnew = INFINITY,
					sy = 0,
					yHy = 0;
		int			ls;

		CHECK_FOR_INTERRUPTS();
		if (!isfinite(f))
		{
			res.status = OPTIM_STALLED;
			break;
		}
		for (i = 0; i < n; i++)
			gnorm = Max(gnorm, fabs(g[i]));
		res.gradnorm = gnorm;
		if (gnorm < gtol)
		{
			res.status = OPTIM_CONVERGED;
			break;
		}
		for (i = 0; i < n; i++)
		{
			d[i] = 0;
			for (j = 0; j < n; j++)
				d[i] -= H[i][j] * g[j];
			slope += g[i] * d[i];
		}
		if (!(slope < 0))
		{
			optim_identity(H, n, 1.0);
			fresh = true;
			slope = 0;
			for (i = 0; i < n; i++)
			{
				d[i] = -g[i];
				slope -= g[i] * g[i];
			}
		}
		for (i = 0; i < n; i++)
			dmax = Max(dmax, fabs(d[i]));
		if (dmax > 3)
			step = 3 / dmax;
		for (ls = 0; ls < 60; ls++)
		{
			for (i = 0; i < n; i++)
				xn[i] = theta[i] + step * d[i];
			fnew = fn(xn, gn, arg);
			res.evaluations++;
			if (isfinite(fnew) && fnew <= f + 1e-4 * step * slope)
				break;
			if (isfinite(fnew))
			{
				double		denom = 2 * (fnew - f - slope * step);
				double		st = denom > 0 ? -slope * step * step / denom : 0.5 * step;

				step = Min(Max(st, 0.1 * step), 0.5 * step);
			}
			else
				step *= 0.1;
		}
		if (ls == 60)
		{
			if (!fresh)
			{
				optim_identity(H, n, 1.0);
				fresh = true;
				continue;
			}
			res.status = OPTIM_STALLED;
			break;
		}
		for (i = 0; i < n; i++)
		{
			s[i] = xn[i] - theta[i];
			y[i] = gn[i] - g[i];
			sy += s[i] * y[i];
		}
		if (sy > 1e-300)
		{
			if (fresh)
			{
				double		yy = 0;

				for (i = 0; i < n; i++)
					yy += y[i] * y[i];
				optim_identity(H, n, sy / yy);
				fresh = false;
			}
			for (i = 0; i < n; i++)
			{
				Hy[i] = 0;
				for (j = 0; j < n; j++)
					Hy[i] += H[i][j] * y[j];
				yHy += y[i] * Hy[i];
			}
			/* H += ((sy + yHy) ss' / sy^2) - (Hy s' + s (Hy)') / sy */
			for (i = 0; i < n; i++)
				for (j = 0; j < n; j++)
					H[i][j] += (sy + yHy) * s[i] * s[j] / (sy * sy) -
						(Hy[i] * s[j] + s[i] * Hy[j]) / sy;
		}
		for (i = 0; i < n; i++)
		{
			theta[i] = xn[i];
			g[i] = gn[i];
		}
		/* at the noise floor of f the line search accepts steps that gain nothing */
		if (f - fnew <= 1e-15 * fabs(f))
			flat++;
		else
			flat = 0;
		f = fnew;
		if (flat >= 5)
		{
			res.status = OPTIM_STALLED;
			break;
		}
	}
	res.f = f;
	{
		double		gnorm = 0;

		for (i = 0; i < n; i++)
			gnorm = Max(gnorm, fabs(g[i]));
		res.gradnorm = gnorm;
	}
	return res;
}

/*
 * |log-parameter| beyond which a fit is on the boundary: parameters outside
 * [4.5e-5, 22026], with times and values scaled to a mean of one by the
 * callers.  Real fits lie far inside; a likelihood that keeps increasing
 * towards a boundary stalls somewhere out there on its flat asymptote.
 */
#define MODEL_THETA_EDGE	10.0
/* Gradient (mean log-likelihood per customer) accepted after a stall. */
#define MODEL_GTOL			1e-9
#define MODEL_GTOL_STALLED	1e-6
#define MODEL_MAXITER		1000

/*
 * Fit: BFGS from each starting point (log-parameters, nstarts rows of the
 * model's parameter count) until one converges to an interior point; the
 * best such point goes to theta_out.  A fit that runs to the boundary or
 * never converges is an error (22023), never a result.
 */
void
model_fit_run(int kind, OptimFn fn, void *arg, const double *starts, int nstarts,
			  double *theta_out, double *f_out)
{
	const ModelSpec *spec = model_spec(kind);
	int			np = spec->nparams;
	double		edge_theta[OPTIM_MAX_DIM];
	bool		any_edge = false;
	int			k;

	for (k = 0; k < nstarts; k++)
	{
		double		theta[OPTIM_MAX_DIM];
		OptimResult res;
		bool		edge = false;
		int			i;

		memcpy(theta, starts + k * np, np * sizeof(double));
		res = engage_bfgs(fn, arg, np, theta, MODEL_MAXITER, MODEL_GTOL);
		elog(DEBUG1, "%s fit from start %d: status %d, %d iterations, %d evaluations, f %.17g, gradient %g",
			 spec->display, k, (int) res.status, res.iterations, res.evaluations, res.f, res.gradnorm);
		for (i = 0; i < np; i++)
			edge |= fabs(theta[i]) > MODEL_THETA_EDGE;
		if (edge && isfinite(res.f))
		{
			any_edge = true;
			memcpy(edge_theta, theta, np * sizeof(double));
			continue;
		}
		if (isfinite(res.f) &&
			(res.status == OPTIM_CONVERGED || res.gradnorm < MODEL_GTOL_STALLED))
		{
			memcpy(theta_out, theta, np * sizeof(double));
			*f_out = res.f;
			return;
		}
	}
	if (any_edge)
	{
		int			i;

		for (i = 0; i < np; i++)
			if (fabs(edge_theta[i]) > MODEL_THETA_EDGE)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the %s fit has no maximum-likelihood estimate: parameter %s runs to %s",
								spec->display, spec->param_names[i],
								edge_theta[i] > 0 ? "infinity" : "zero"),
						 errdetail("The likelihood of these customers keeps increasing as %s goes to %s, "
								   "so the data cannot identify the model; %s",
								   spec->param_names[i], edge_theta[i] > 0 ? "infinity" : "zero",
								   kind == MODEL_BGNBD
								   ? "a fit needs customers who differ in how often they buy and in when they stopped."
								   : "a fit needs repeat customers whose mean values differ.")));
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the %s fit did not converge", spec->display),
			 errdetail("BFGS from %d starting points did not reach a point where the gradient of the "
					   "log-likelihood per customer is below %g.", nstarts, MODEL_GTOL_STALLED)));
}
