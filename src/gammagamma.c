/*
 * gammagamma.c: the Gamma-Gamma model of spend per transaction (Fader,
 * Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves", as in the
 * lifetimes library).  A customer's transaction values are Gamma(p, nu)
 * with nu ~ Gamma(q, v) across customers.  A repeat customer is summarised
 * by x repeat purchases and their mean value m; the likelihood depends on
 * each customer through (x, m) only, so gammagamma_fit() compresses its rows
 * into distinct (x, m) patterns with weights and maximises
 *   LL = sum_i w_i [ lnG(px + q) - lnG(px) - lnG(q) + q ln v + (px - 1) ln m
 *                    + px ln x - (px + q) ln(x m + v) ]
 * by BFGS on log(p, q, v) with the analytic gradient.  Customers with
 * frequency 0 carry no spend information and are ignored.
 */
#include "postgres.h"

#include <math.h>

#include "utils/memutils.h"

#include "optim.h"

PG_FUNCTION_INFO_V1(engage_gammagamma_in);
/* Text input of gammagamma. */
Datum
engage_gammagamma_in(PG_FUNCTION_ARGS)
{
	return model_in_datum(fcinfo, MODEL_GAMMAGAMMA);
}

PG_FUNCTION_INFO_V1(engage_gammagamma_out);
/* Text output of gammagamma. */
Datum
engage_gammagamma_out(PG_FUNCTION_ARGS)
{
	return model_out_datum(fcinfo, MODEL_GAMMAGAMMA);
}

PG_FUNCTION_INFO_V1(engage_gammagamma_recv);
/* Binary input of gammagamma, validated like the text input. */
Datum
engage_gammagamma_recv(PG_FUNCTION_ARGS)
{
	return model_recv_datum(fcinfo, MODEL_GAMMAGAMMA);
}

PG_FUNCTION_INFO_V1(engage_gammagamma_send);
/* Binary output of gammagamma. */
Datum
engage_gammagamma_send(PG_FUNCTION_ARGS)
{
	return model_send_datum(fcinfo, MODEL_GAMMAGAMMA);
}

PG_FUNCTION_INFO_V1(engage_gammagamma_jsonb);
/* gammagamma as jsonb. */
Datum
engage_gammagamma_jsonb(PG_FUNCTION_ARGS)
{
	return model_jsonb_datum(fcinfo, MODEL_GAMMAGAMMA);
}

PG_FUNCTION_INFO_V1(engage_gammagamma_make);
/* gammagamma(p, q, v): a model from known parameters. */
Datum
engage_gammagamma_make(PG_FUNCTION_ARGS)
{
	return model_make_datum(fcinfo, MODEL_GAMMAGAMMA);
}

#define MONETARY_DETAIL "monetary_value is the mean value of a customer's repeat purchases: finite and > 0 when frequency > 0."

/* Raise unless a repeat customer's mean value is finite and > 0. */
static void
gg_check_monetary(double m)
{
	if (isinf(m))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("monetary_value %s is out of range", m > 0 ? "Infinity" : "-Infinity"),
				 errdetail(MONETARY_DETAIL)));
	if (!(m > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("monetary_value %s is not allowed for a repeat customer", isnan(m) ? "NaN" : psprintf("%g", m)),
				 errdetail(MONETARY_DETAIL)));
}

/* Check a (x, m) pattern key of a deserialised state. */
static void
gg_check_key(const double *key)
{
	model_check_frequency(key[0]);
	if (key[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid serialized Gamma-Gamma fitting state: a pattern has frequency 0"),
				 errdetail("The state holds repeat customers only.")));
	gg_check_monetary(key[1]);
}

PG_FUNCTION_INFO_V1(engage_gammagamma_fit_accum);
/*
 * Transition of gammagamma_fit(frequency, monetary_value): counts one repeat
 * customer's (x, m); customers with frequency 0 and rows with a NULL
 * argument are ignored.
 */
Datum
engage_gammagamma_fit_accum(PG_FUNCTION_ARGS)
{
	PatternTable *t;
	double		key[PATTERN_KEYS] = {0, 0, 0};

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	key[0] = PG_GETARG_FLOAT8(1);
	model_check_frequency(key[0]);
	if (key[0] == 0)
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	key[1] = PG_GETARG_FLOAT8(2);
	gg_check_monetary(key[1]);
	t = pattern_state_for_update(fcinfo, MODEL_GAMMAGAMMA, 2);
	pattern_table_add(t, key, 1);
	PG_RETURN_POINTER(t);
}

PG_FUNCTION_INFO_V1(engage_gammagamma_fit_combine);
/* Combine of gammagamma_fit: adds the pattern weights of two states. */
Datum
engage_gammagamma_fit_combine(PG_FUNCTION_ARGS)
{
	return pattern_combine_datum(fcinfo, MODEL_GAMMAGAMMA);
}

PG_FUNCTION_INFO_V1(engage_gammagamma_fit_serialize);
/* Serialise a gammagamma_fit state for a parallel worker. */
Datum
engage_gammagamma_fit_serialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(pattern_table_serialize((PatternTable *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(engage_gammagamma_fit_deserialize);
/* Deserialise a gammagamma_fit state, checking every length and pattern. */
Datum
engage_gammagamma_fit_deserialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(pattern_table_deserialize(PG_GETARG_BYTEA_PP(0), MODEL_GAMMAGAMMA, 2, gg_check_key));
}

/* The data of one fit: patterns in (x, m) order, grouped by distinct x. */
typedef struct GgFit
{
	int64		npat;
	double		N;				/* repeat customers */
	double		scale;			/* money unit of the fit: the mean m */
	double	   *w;				/* weight per pattern */
	double	   *x;				/* x per pattern */
	double	   *xm;				/* x * m / scale per pattern */
	double	   *lm;				/* ln(m / scale) per pattern */
	int32		nx;
	double	   *ux;				/* distinct x */
	double	   *wx;				/* customers per distinct x */
} GgFit;

/* Largest |log-parameter| the objective accepts (beyond: +Infinity). */
#define GG_THETA_MAX	30.0

/*
 * Mean negative log-likelihood per customer at theta = log(p, q, v), and
 * its gradient with respect to theta.
 */
static double
gg_objective(const double *theta, double *grad, void *arg)
{
	GgFit	   *d = (GgFit *) arg;
	double		p,
				q,
				v,
				ll = 0,
				gp = 0,
				gq = 0,
				gv = 0,
				s_ll = 0,
				s_p = 0,
				s_q = 0,
				s_v = 0;
	int64		i;
	int			k;

	for (k = 0; k < 3; k++)
		if (!(fabs(theta[k]) <= GG_THETA_MAX))
			return INFINITY;
	p = exp(theta[0]);
	q = exp(theta[1]);
	v = exp(theta[2]);
	for (k = 0; k < d->nx; k++)
	{
		double		x = d->ux[k];
		double		W = d->wx[k];
		double		lx = log(x);

		ll += W * (lgamma(p * x + q) - lgamma(p * x) + p * x * lx);
		gp += W * x * (engage_digamma(p * x + q) - engage_digamma(p * x) + lx);
		gq += W * engage_digamma(p * x + q);
	}
	ll += d->N * (q * theta[2] - lgamma(q));
	gq += d->N * (theta[2] - engage_digamma(q));
	gv += d->N * q / v;
	for (i = 0; i < d->npat; i++)
	{
		double		w = d->w[i];
		double		x = d->x[i];
		double		den = d->xm[i] + v;
		double		lden = log(den);

		s_ll += w * ((p * x - 1) * d->lm[i] - (p * x + q) * lden);
		s_p += w * x * (d->lm[i] - lden);
		s_q += w * lden;
		s_v += w * (p * x + q) / den;
	}
	ll += s_ll;
	gp += s_p;
	gq -= s_q;
	gv -= s_v;
	if (!isfinite(ll))
		return INFINITY;
	grad[0] = -gp * p / d->N;
	grad[1] = -gq * q / d->N;
	grad[2] = -gv * v / d->N;
	return -ll / d->N;
}

/* Build the fit data from a state's patterns (in CurrentMemoryContext). */
static GgFit *
gg_fit_data(const PatternTable *t)
{
	GgFit	   *d = palloc0(sizeof(GgFit));
	ModelPattern *pat = pattern_table_sorted(t);
	int64		n = t->used;
	Size		dsz = Max(n, 1) * sizeof(double);
	int64		i;

	d->npat = n;
	d->N = (double) t->customers;
#define GG_ALLOC(sz) MemoryContextAllocExtended(CurrentMemoryContext, (sz), MCXT_ALLOC_HUGE)
	d->w = GG_ALLOC(dsz);
	d->x = GG_ALLOC(dsz);
	d->xm = GG_ALLOC(dsz);
	d->lm = GG_ALLOC(dsz);
	d->ux = GG_ALLOC(dsz);
	d->wx = GG_ALLOC(dsz);
#undef GG_ALLOC
	/*
	 * Values are divided by their mean, so that v is fitted on a scale of
	 * order one whatever the currency (the boundary test of model_fit_run
	 * needs that); v and the log-likelihood are converted back after.
	 */
	d->scale = 0;
	for (i = 0; i < n; i++)
		d->scale += (double) pat[i].weight * pat[i].key[1];
	d->scale /= d->N;
	d->nx = 0;
	for (i = 0; i < n; i++)
	{
		double		x = pat[i].key[0];
		double		m = pat[i].key[1] / d->scale;

		if (d->nx == 0 || x != d->ux[d->nx - 1])
		{
			d->ux[d->nx] = x;
			d->wx[d->nx] = 0;
			d->nx++;
		}
		d->wx[d->nx - 1] += (double) pat[i].weight;
		d->w[i] = (double) pat[i].weight;
		d->x[i] = x;
		d->xm[i] = x * m;
		d->lm[i] = log(m);
	}
	pfree(pat);
	return d;
}

PG_FUNCTION_INFO_V1(engage_gammagamma_fit_final);
/*
 * Final function of gammagamma_fit: the maximum-likelihood model.  NULL
 * when no row had frequency > 0; fewer than two repeat customers or a
 * likelihood without an interior maximum (e.g. every customer with the
 * same mean value) is an error (22023).
 */
Datum
engage_gammagamma_fit_final(PG_FUNCTION_ARGS)
{
	PatternTable *t;
	GgFit	   *d;
	double		starts[3 * 3];
	double		theta[3];
	double		par[3];
	double		f;
	int			k;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = (PatternTable *) PG_GETARG_POINTER(0);
	if (t->customers < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a Gamma-Gamma fit needs at least 2 repeat customers, got %lld", (long long) t->customers),
				 errdetail("Only customers with frequency > 0 count; the three parameters describe how their mean values differ.")));
	d = gg_fit_data(t);
	/* starting points (values scaled to mean 1): p = 1, q = 2; lifetimes' e^0.1; p = 5, q = 3 */
	{
		double		s0[3] = {0.0, log(2.0), 0.0};
		double		s1[3] = {0.1, 0.1, 0.1};
		double		s2[3] = {log(5.0), log(3.0), log(2.0 / 5)};

		memcpy(starts, s0, sizeof(s0));
		memcpy(starts + 3, s1, sizeof(s1));
		memcpy(starts + 6, s2, sizeof(s2));
	}
	model_fit_run(MODEL_GAMMAGAMMA, gg_objective, d, starts, 3, theta, &f);
	for (k = 0; k < 3; k++)
		par[k] = exp(theta[k]);
	par[2] *= d->scale;
	/* back to the caller's money unit: each customer's density gains -ln(scale) */
	PG_RETURN_POINTER(model_new(MODEL_GAMMAGAMMA, par, t->customers,
								-f * d->N - d->N * log(d->scale)));
}

/*
 * E[mean transaction value | x, m] = p (v + x m) / (p x + q - 1): a weighted
 * mean of the population mean p v / (q - 1) and the customer's own m.  It is
 * finite only when p x + q > 1.
 */
double
gg_expected_avg_value(const ModelValue *m, double x, double mv)
{
	double		p = m->par[0],
				q = m->par[1],
				v = m->par[2];
	double		den;

	model_check_frequency(x);
	model_check_nonneg(mv, "monetary_value",
					   "monetary_value is the mean value of the customer's repeat purchases: finite and >= 0.");
	if (x == 0)
		mv = 0;					/* no repeat purchase: the population mean */
	den = p * x + q - 1;
	if (!(den > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the expected mean value is infinite for frequency %g under this Gamma-Gamma model", x),
				 errdetail("The conditional mean exists when p * frequency + q > 1; here p = %g, q = %g.", p, q)));
	return p * (v + x * mv) / den;
}

PG_FUNCTION_INFO_V1(engage_gammagamma_expected);
/* expected_avg_value(model, frequency, monetary_value). */
Datum
engage_gammagamma_expected(PG_FUNCTION_ARGS)
{
	ModelValue *m = model_arg(fcinfo, 0, MODEL_GAMMAGAMMA);

	PG_RETURN_FLOAT8(gg_expected_avg_value(m, PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2)));
}
