/*
 * bgnbd.c: the BG/NBD model of Fader, Hardie & Lee (2005), "Counting Your
 * Customers the Easy Way".  While alive a customer buys at Poisson rate
 * lambda ~ Gamma(r, alpha); after each repeat purchase she drops out with
 * probability p ~ Beta(a, b).  A customer is summarised by frequency x
 * (repeat purchases), recency t_x (time of the last repeat purchase, from
 * the first purchase) and T (time from the first purchase to the end of
 * observation), all in one time unit.
 *
 * bgnbd_fit() compresses its rows into distinct (x, t_x, T) patterns with
 * integer weights and maximises the log-likelihood
 *   LL = sum_i w_i [ lnG(r+x) - lnG(r) + r ln(alpha) + lnB(a, b+x) - lnB(a, b)
 *                    + ln( (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) ) ]
 * by BFGS on the log-parameters with the analytic gradient.
 */
#include "postgres.h"

#include <math.h>

#include "utils/memutils.h"

#include "optim.h"

/* ---------------------------------------------------------------------------
 * The type
 * ---------------------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(engage_bgnbd_in);
/* Text input of bgnbd. */
Datum
engage_bgnbd_in(PG_FUNCTION_ARGS)
{
	return model_in_datum(fcinfo, MODEL_BGNBD);
}

PG_FUNCTION_INFO_V1(engage_bgnbd_out);
/* Text output of bgnbd. */
Datum
engage_bgnbd_out(PG_FUNCTION_ARGS)
{
	return model_out_datum(fcinfo, MODEL_BGNBD);
}

PG_FUNCTION_INFO_V1(engage_bgnbd_recv);
/* Binary input of bgnbd, validated like the text input. */
Datum
engage_bgnbd_recv(PG_FUNCTION_ARGS)
{
	return model_recv_datum(fcinfo, MODEL_BGNBD);
}

PG_FUNCTION_INFO_V1(engage_bgnbd_send);
/* Binary output of bgnbd. */
Datum
engage_bgnbd_send(PG_FUNCTION_ARGS)
{
	return model_send_datum(fcinfo, MODEL_BGNBD);
}

PG_FUNCTION_INFO_V1(engage_bgnbd_jsonb);
/* bgnbd as jsonb. */
Datum
engage_bgnbd_jsonb(PG_FUNCTION_ARGS)
{
	return model_jsonb_datum(fcinfo, MODEL_BGNBD);
}

PG_FUNCTION_INFO_V1(engage_bgnbd_make);
/* bgnbd(r, alpha, a, b): a model from known parameters. */
Datum
engage_bgnbd_make(PG_FUNCTION_ARGS)
{
	return model_make_datum(fcinfo, MODEL_BGNBD);
}

/* ---------------------------------------------------------------------------
 * The fitting aggregate
 * ---------------------------------------------------------------------------
 */

/* Check a (x, t_x, T) pattern key of a deserialised state. */
static void
bg_check_key(const double *key)
{
	model_check_customer(key[0], key[1], key[2]);
}

PG_FUNCTION_INFO_V1(engage_bgnbd_fit_accum);
/*
 * Transition of bgnbd_fit(frequency, recency, t): counts one customer's
 * pattern; rows with a NULL argument are ignored.
 */
Datum
engage_bgnbd_fit_accum(PG_FUNCTION_ARGS)
{
	PatternTable *t;
	double		key[PATTERN_KEYS];

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	key[0] = PG_GETARG_FLOAT8(1);
	key[1] = PG_GETARG_FLOAT8(2);
	key[2] = PG_GETARG_FLOAT8(3);
	model_check_customer(key[0], key[1], key[2]);
	t = pattern_state_for_update(fcinfo, MODEL_BGNBD, 3);
	pattern_table_add(t, key, 1);
	PG_RETURN_POINTER(t);
}

PG_FUNCTION_INFO_V1(engage_bgnbd_fit_combine);
/* Combine of bgnbd_fit: adds the pattern weights of two states. */
Datum
engage_bgnbd_fit_combine(PG_FUNCTION_ARGS)
{
	return pattern_combine_datum(fcinfo, MODEL_BGNBD);
}

PG_FUNCTION_INFO_V1(engage_bgnbd_fit_serialize);
/* Serialise a bgnbd_fit state for a parallel worker. */
Datum
engage_bgnbd_fit_serialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(pattern_table_serialize((PatternTable *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(engage_bgnbd_fit_deserialize);
/* Deserialise a bgnbd_fit state, checking every length and pattern. */
Datum
engage_bgnbd_fit_deserialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(pattern_table_deserialize(PG_GETARG_BYTEA_PP(0), MODEL_BGNBD, 3, bg_check_key));
}

/*
 * The data of one fit: patterns in key order, each pointing at its distinct
 * x, T and t_x value, so that logs and gamma functions are computed once
 * per distinct value, not once per pattern, in each likelihood evaluation.
 */
typedef struct BgFit
{
	int64		npat;
	double		N;				/* customers */
	double		scale;			/* time unit of the fit: the mean T */
	double		sumx;			/* total repeat purchases */
	double	   *w;				/* weight per pattern */
	int32	   *ix;				/* index into ux */
	int32	   *iT;				/* index into uT */
	int32	   *it;				/* index into ut (x > 0 only) */
	int32		nx;
	double	   *ux;				/* distinct x */
	double	   *wx;				/* customers per distinct x */
	int32		nT;
	double	   *uT;				/* distinct T / scale */
	int32		nt;
	double	   *ut;				/* distinct t_x / scale */
	/* scratch for one evaluation */
	double	   *lT,
			   *iTv,
			   *lt,
			   *itv;			/* ln(alpha + v) and 1 / (alpha + v) */
	double	   *rx,
			   *lbx,
			   *ibx;			/* r + x, ln(b + x - 1), 1 / (b + x - 1) */
} BgFit;

/* Largest |log-parameter| the objective accepts (beyond: +Infinity). */
#define BG_THETA_MAX	30.0

/*
 * Mean negative log-likelihood per customer at theta = log(r, alpha, a, b),
 * and its gradient with respect to theta.
 */
static double
bg_objective(const double *theta, double *grad, void *arg)
{
	BgFit	   *d = (BgFit *) arg;
	double		r,
				alpha,
				a,
				b,
				lna,
				ll = 0,
				gr = 0,
				gal = 0,
				ga = 0,
				gb = 0,
				psi_r,
				psi_b,
				psi_ab,
				lg_ab_b;
	int64		i;
	int			k;

	for (k = 0; k < 4; k++)
		if (!(fabs(theta[k]) <= BG_THETA_MAX))
			return INFINITY;
	r = exp(theta[0]);
	alpha = exp(theta[1]);
	a = exp(theta[2]);
	b = exp(theta[3]);
	lna = theta[2];
	psi_r = engage_digamma(r);
	psi_b = engage_digamma(b);
	psi_ab = engage_digamma(a + b);
	lg_ab_b = lgamma(a + b) - lgamma(b);

	/* terms that depend on x only (they vanish at x = 0) */
	for (k = 0; k < d->nx; k++)
	{
		double		x = d->ux[k];
		double		W = d->wx[k];

		d->rx[k] = r + x;
		if (x == 0)
			continue;
		d->lbx[k] = log(b + x - 1);
		d->ibx[k] = 1.0 / (b + x - 1);
		ll += W * (lgamma(r + x) - lgamma(r) + lg_ab_b + lgamma(b + x) - lgamma(a + b + x));
		gr += W * (engage_digamma(r + x) - psi_r);
		ga += W * (psi_ab - engage_digamma(a + b + x));
		gb += W * (psi_ab - psi_b + engage_digamma(b + x) - engage_digamma(a + b + x));
	}
	ll += d->N * r * theta[1];
	gr += d->N * theta[1];
	gal += d->N * r / alpha;

	for (k = 0; k < d->nT; k++)
	{
		d->lT[k] = log(alpha + d->uT[k]);
		d->iTv[k] = 1.0 / (alpha + d->uT[k]);
	}
	for (k = 0; k < d->nt; k++)
	{
		d->lt[k] = log(alpha + d->ut[k]);
		d->itv[k] = 1.0 / (alpha + d->ut[k]);
	}

	/* one term per pattern */
	{
		double		s_ll = 0,
					s_r = 0,
					s_al = 0,
					s_a = 0,
					s_b = 0;

		for (i = 0; i < d->npat; i++)
		{
			int			jx = d->ix[i];
			int			jT = d->iT[i];
			double		w = d->w[i];
			double		rx = d->rx[jx];
			double		A3 = -rx * d->lT[jT];

			if (d->ux[jx] == 0)
			{
				s_ll += w * A3;
				s_r += w * d->lT[jT];
				s_al += w * rx * d->iTv[jT];
			}
			else
			{
				int			jt = d->it[i];
				double		A4 = lna - d->lbx[jx] - rx * d->lt[jt];
				double		e,
							p3,
							p4;

				/* ln(e^A3 + e^A4) and the shares p3, p4 of the two terms */
				if (A3 >= A4)
				{
					e = exp(A4 - A3);
					s_ll += w * (A3 + log1p(e));
					p3 = 1.0 / (1.0 + e);
					p4 = e * p3;
				}
				else
				{
					e = exp(A3 - A4);
					s_ll += w * (A4 + log1p(e));
					p4 = 1.0 / (1.0 + e);
					p3 = e * p4;
				}
				s_r += w * (p3 * d->lT[jT] + p4 * d->lt[jt]);
				s_al += w * rx * (p3 * d->iTv[jT] + p4 * d->itv[jt]);
				s_a += w * p4;
				s_b += w * p4 * d->ibx[jx];
			}
		}
		ll += s_ll;
		gr -= s_r;
		gal -= s_al;
		ga += s_a / a;
		gb -= s_b;
	}
	if (!isfinite(ll))
		return INFINITY;
	/* d/dtheta = param * d/dparam; minimise the mean negative LL */
	grad[0] = -gr * r / d->N;
	grad[1] = -gal * alpha / d->N;
	grad[2] = -ga * a / d->N;
	grad[3] = -gb * b / d->N;
	return -ll / d->N;
}

/* Build the fit data from a state's patterns (in CurrentMemoryContext). */
static BgFit *
bg_fit_data(const PatternTable *t)
{
	BgFit	   *d = palloc0(sizeof(BgFit));
	ModelPattern *pat = pattern_table_sorted(t);
	int64		n = t->used;
	Size		dsz = Max(n, 1) * sizeof(double);
	Size		isz = Max(n, 1) * sizeof(int32);
	double	   *tmp;
	int64		i,
				m;

	if (n > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct customer patterns (%lld) to fit a model", (long long) n),
				 errdetail("A fit handles at most %d distinct (frequency, recency, t) patterns.", PG_INT32_MAX)));
	d->npat = n;
	d->N = (double) t->customers;
#define BG_ALLOC(sz) MemoryContextAllocExtended(CurrentMemoryContext, (sz), MCXT_ALLOC_HUGE)
	d->w = BG_ALLOC(dsz);
	d->ix = BG_ALLOC(isz);
	d->iT = BG_ALLOC(isz);
	d->it = BG_ALLOC(isz);
	tmp = BG_ALLOC(dsz);

	/* distinct x: the patterns are sorted by x first */
	d->ux = BG_ALLOC(dsz);
	d->wx = BG_ALLOC(dsz);
	d->nx = 0;
	for (i = 0; i < n; i++)
	{
		if (d->nx == 0 || pat[i].key[0] != d->ux[d->nx - 1])
		{
			d->ux[d->nx] = pat[i].key[0];
			d->wx[d->nx] = 0;
			d->nx++;
		}
		d->ix[i] = d->nx - 1;
		d->wx[d->nx - 1] += (double) pat[i].weight;
		d->w[i] = (double) pat[i].weight;
	}
	/*
	 * Times are divided by the mean T, so that alpha is fitted on a scale of
	 * order one whatever the time unit (the boundary test of model_fit_run
	 * needs that); alpha and the log-likelihood are converted back after.
	 */
	d->scale = 0;
	d->sumx = 0;
	for (i = 0; i < n; i++)
	{
		d->scale += d->w[i] * pat[i].key[2];
		d->sumx += d->w[i] * pat[i].key[0];
	}
	d->scale /= d->N;
	if (!(d->scale > 0))
		d->scale = 1;
	for (i = 0; i < n; i++)
	{
		pat[i].key[1] /= d->scale;
		pat[i].key[2] /= d->scale;
	}
	/* distinct T */
	for (i = 0; i < n; i++)
		tmp[i] = pat[i].key[2];
	d->nT = (int32) pattern_unique_doubles(tmp, n);
	d->uT = BG_ALLOC(Max(d->nT, 1) * sizeof(double));
	memcpy(d->uT, tmp, d->nT * sizeof(double));
	for (i = 0; i < n; i++)
		d->iT[i] = (int32) pattern_index_of(d->uT, d->nT, pat[i].key[2]);
	/* distinct t_x of repeat customers */
	for (i = 0, m = 0; i < n; i++)
		if (pat[i].key[0] > 0)
			tmp[m++] = pat[i].key[1];
	d->nt = (int32) pattern_unique_doubles(tmp, m);
	d->ut = BG_ALLOC(Max(d->nt, 1) * sizeof(double));
	memcpy(d->ut, tmp, d->nt * sizeof(double));
	for (i = 0; i < n; i++)
		d->it[i] = pat[i].key[0] > 0 ? (int32) pattern_index_of(d->ut, d->nt, pat[i].key[1]) : 0;

	d->lT = BG_ALLOC(Max(d->nT, 1) * sizeof(double));
	d->iTv = BG_ALLOC(Max(d->nT, 1) * sizeof(double));
	d->lt = BG_ALLOC(Max(d->nt, 1) * sizeof(double));
	d->itv = BG_ALLOC(Max(d->nt, 1) * sizeof(double));
	d->rx = BG_ALLOC(Max(d->nx, 1) * sizeof(double));
	d->lbx = BG_ALLOC(Max(d->nx, 1) * sizeof(double));
	d->ibx = BG_ALLOC(Max(d->nx, 1) * sizeof(double));
#undef BG_ALLOC
	pfree(tmp);
	pfree(pat);
	return d;
}

PG_FUNCTION_INFO_V1(engage_bgnbd_fit_final);
/*
 * Final function of bgnbd_fit: the maximum-likelihood model.  Fewer than two
 * customers, no repeat purchase at all, or a likelihood without an interior
 * maximum is an error (22023); no rows give NULL.
 */
Datum
engage_bgnbd_fit_final(PG_FUNCTION_ARGS)
{
	PatternTable *t;
	BgFit	   *d;
	double		starts[3 * 4];
	double		theta[4];
	double		par[4];
	double		f;
	double		sT = 0,
				rate;
	int64		i;
	int			k;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = (PatternTable *) PG_GETARG_POINTER(0);
	if (t->customers < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a BG/NBD fit needs at least 2 customers, got %lld", (long long) t->customers),
				 errdetail("The four parameters describe how customers differ; one customer cannot show that.")));
	d = bg_fit_data(t);
	if (d->nx == 1 && d->ux[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a BG/NBD fit needs customers with repeat purchases"),
				 errdetail("All %lld customers have frequency 0; the likelihood then has no maximum "
						   "(it grows as the purchase rate goes to zero).", (long long) t->customers)));
	/* repeat purchases per unit of (scaled) time */
	for (i = 0; i < d->npat; i++)
		sT += d->w[i] * d->uT[d->iT[i]];
	rate = d->sumx / Max(sT, 1e-300);

	/* starting points: data-informed, lifetimes' default e^0.1, and a spread one */
	{
		double		s0[4] = {0.0, -log(rate), 0.0, 0.0};
		double		s1[4] = {0.1, 0.1, 0.1, 0.1};
		double		s2[4] = {log(0.5), log(0.5 / rate), log(0.5), log(5.0)};

		for (k = 0; k < 4; k++)
		{
			starts[k] = Max(Min(s0[k], 10), -10);
			starts[4 + k] = s1[k];
			starts[8 + k] = Max(Min(s2[k], 10), -10);
		}
	}
	model_fit_run(MODEL_BGNBD, bg_objective, d, starts, 3, theta, &f);
	for (k = 0; k < 4; k++)
		par[k] = exp(theta[k]);
	par[1] *= d->scale;
	/* back to the caller's time unit: each customer's density gains -x ln(scale) */
	PG_RETURN_POINTER(model_new(MODEL_BGNBD, par, t->customers,
								-f * d->N - d->sumx * log(d->scale)));
}

/* ---------------------------------------------------------------------------
 * Predictions
 * ---------------------------------------------------------------------------
 */

/* Fetch the (frequency, recency, t) arguments at argno.., validated. */
static void
bg_customer_args(FunctionCallInfo fcinfo, int argno, double *x, double *tx, double *T)
{
	*x = PG_GETARG_FLOAT8(argno);
	*tx = PG_GETARG_FLOAT8(argno + 1);
	*T = PG_GETARG_FLOAT8(argno + 2);
	model_check_customer(*x, *tx, *T);
}

/*
 * P(alive | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
 */
static double
bg_p_alive(const double *par, double x, double tx, double T)
{
	double		ld;

	if (x == 0)
		return 1.0;
	ld = (par[0] + x) * (log(par[1] + T) - log(par[1] + tx)) + log(par[2]) - log(par[3] + x - 1);
	if (ld > 0)
	{
		double		e = exp(-ld);

		return e / (1 + e);
	}
	return 1.0 / (1 + exp(ld));
}

/*
 * E[purchases in (T, T + t] | x, t_x, T] (Fader, Hardie & Lee 2005, eq. 10):
 *   (a + b + x - 1) / (a - 1) * (1 - 2F1(r + x, b + x; a + b + x - 1; z) q^(r + x))
 *   / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))
 * with z = t / (alpha + T + t), q = 1 - z.  When 2F1 overflows, its product
 * with q^(r + x) is taken from Euler's transformation: 2F1(a+b-1-r, a-1;
 * a+b+x-1; z) q^(a - 1).  Valid for a != 1 and a + b + x != 1.
 */
static double
bg_expected_raw(double r, double alpha, double a, double b, double t, double x, double tx, double T)
{
	double		z = t / (alpha + T + t);
	double		lq = log(alpha + T) - log(alpha + T + t);
	double		c = a + b + x - 1;
	double		F = engage_hyp2f1(r + x, b + x, c, z);
	double		Fq;
	double		den = 1;

	if (isfinite(F) && F > 0)
		Fq = exp(log(F) + (r + x) * lq);
	else if (isfinite(F))
		Fq = F * exp((r + x) * lq);
	else
		Fq = engage_hyp2f1_euler(r + x, b + x, c, z) * exp((a - 1) * lq);
	if (isnan(Fq))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("expected purchases cannot be computed over a horizon of %s", psprintf("%g", t)),
				 errdetail("The hypergeometric series needs horizon / (alpha + t + horizon) well below 1 "
						   "(here %.10g).", z)));
	if (x > 0)
		den += exp(log(a) - log(b + x - 1) + (r + x) * (log(alpha + T) - log(alpha + tx)));
	return c / (a - 1) * (1 - Fq) / den;
}

/*
 * Expected purchases, with the removable singularities at a = 1 and
 * a + b + x = 1 bridged by linear interpolation between points 1e-4 (in a)
 * or 1e-6 (in b) either side, where the formula is accurate.
 */
static double
bg_expected(const double *par, double t, double x, double tx, double T)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3];

	if (t == 0)
		return 0;
	if (fabs(a - 1) < 1e-4)
	{
		/* a + b + x - 1 is near b + x > 0 here: the endpoints are regular */
		const double h = 1e-4;
		double		e0 = bg_expected_raw(r, alpha, 1 - h, b, t, x, tx, T);
		double		e1 = bg_expected_raw(r, alpha, 1 + h, b, t, x, tx, T);

		return e0 + (e1 - e0) * (a - (1 - h)) / (2 * h);
	}
	if (fabs(a + b + x - 1) < 1e-6)
	{
		double		h = Min(1e-6, (1 - a) / 2);
		double		b0 = 1 - a - h,
					b1 = 1 - a + h;
		double		e0 = bg_expected_raw(r, alpha, a, b0, t, x, tx, T);
		double		e1 = bg_expected_raw(r, alpha, a, b1, t, x, tx, T);

		return e0 + (e1 - e0) * (b - b0) / (b1 - b0);
	}
	return bg_expected_raw(r, alpha, a, b, t, x, tx, T);
}

/* Validate a horizon: finite and >= 0. */
static double
bg_horizon_arg(FunctionCallInfo fcinfo, int argno)
{
	double		h = PG_GETARG_FLOAT8(argno);

	model_check_nonneg(h, "horizon",
					   "horizon is a length of time in the unit of recency and t: finite and >= 0.");
	return h;
}

PG_FUNCTION_INFO_V1(engage_bgnbd_p_alive);
/* p_alive(model, frequency, recency, t). */
Datum
engage_bgnbd_p_alive(PG_FUNCTION_ARGS)
{
	ModelValue *m = model_arg(fcinfo, 0, MODEL_BGNBD);
	double		x,
				tx,
				T;

	bg_customer_args(fcinfo, 1, &x, &tx, &T);
	PG_RETURN_FLOAT8(bg_p_alive(m->par, x, tx, T));
}

PG_FUNCTION_INFO_V1(engage_bgnbd_expected);
/* expected_purchases(model, horizon, frequency, recency, t): conditional. */
Datum
engage_bgnbd_expected(PG_FUNCTION_ARGS)
{
	ModelValue *m = model_arg(fcinfo, 0, MODEL_BGNBD);
	double		h = bg_horizon_arg(fcinfo, 1);
	double		x,
				tx,
				T;

	bg_customer_args(fcinfo, 2, &x, &tx, &T);
	PG_RETURN_FLOAT8(bg_expected(m->par, h, x, tx, T));
}

PG_FUNCTION_INFO_V1(engage_bgnbd_expected_new);
/*
 * expected_purchases(model, horizon): a new customer, E[X(t)] =
 * (a + b - 1) / (a - 1) (1 - (alpha / (alpha + t))^r 2F1(r, b; a + b - 1; t / (alpha + t))),
 * which is the conditional form at x = t_x = T = 0.
 */
Datum
engage_bgnbd_expected_new(PG_FUNCTION_ARGS)
{
	ModelValue *m = model_arg(fcinfo, 0, MODEL_BGNBD);
	double		h = bg_horizon_arg(fcinfo, 1);

	PG_RETURN_FLOAT8(bg_expected(m->par, h, 0, 0, 0));
}

/* Days in a month for clv(): the mean Gregorian month, 365.25 / 12. */
#define DAYS_PER_MONTH	30.4375
#define CLV_MAX_MONTHS	1200

PG_FUNCTION_INFO_V1(engage_bgnbd_clv);
/*
 * clv(bgnbd, gammagamma, frequency, recency, t, monetary_value,
 *     horizon_months, discount_rate_monthly, time_unit_days):
 * the lifetimes customer_lifetime_value method: for months k = 1..H,
 *   value * (E[purchases by k months] - E[purchases by k - 1 months]) / (1 + d)^k
 * where value is the Gamma-Gamma expected mean spend and a month is
 * 30.4375 / time_unit_days periods of the model's time unit.
 */
Datum
engage_bgnbd_clv(PG_FUNCTION_ARGS)
{
	ModelValue *bg = model_arg(fcinfo, 0, MODEL_BGNBD);
	ModelValue *gg = model_arg(fcinfo, 1, MODEL_GAMMAGAMMA);
	double		x,
				tx,
				T;
	double		mv = PG_GETARG_FLOAT8(5);
	int32		months = PG_GETARG_INT32(6);
	double		d = PG_GETARG_FLOAT8(7);
	double		unit = PG_GETARG_FLOAT8(8);
	double		value,
				per_month,
				prev = 0,
				disc = 1,
				clv = 0;
	int			k;

	bg_customer_args(fcinfo, 2, &x, &tx, &T);
	if (months < 0 || months > CLV_MAX_MONTHS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon_months %d is out of range", months),
				 errdetail("horizon_months is a whole number of months from 0 to %d.", CLV_MAX_MONTHS)));
	if (!(d > -1) || !isfinite(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("discount_rate_monthly %s is not allowed", psprintf("%g", d)),
				 errdetail("discount_rate_monthly is a finite rate per month above -1, such as 0.01 for 1%%.")));
	if (!(unit > 0) || !isfinite(unit))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_unit_days %s is not allowed", psprintf("%g", unit)),
				 errdetail("time_unit_days is the length in days of the unit of recency and t "
						   "(7 for weeks, 1 for days): finite and > 0.")));
	value = gg_expected_avg_value(gg, x, mv);
	per_month = DAYS_PER_MONTH / unit;
	for (k = 1; k <= months; k++)
	{
		double		cur = bg_expected(bg->par, k * per_month, x, tx, T);

		disc *= 1 + d;
		clv += value * (cur - prev) / disc;
		prev = cur;
	}
	PG_RETURN_FLOAT8(clv);
}
