/*
 * model_value.c: the stored model values of the customer-base models
 * (BG/NBD, Gamma-Gamma): input checks, text form (exact, shortest
 * round-trip floats)
 *     v1:r=0.2425...,alpha=4.41...,a=0.79...,b=2.42...,customers=2357,log_likelihood=-9582.4...
 * (customers and log_likelihood may be left out of an input literal: 0 and
 * NaN, a model known by its parameters only), binary form and jsonb.
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

#include "engage.h"
#include "optim.h"

/* ---------------------------------------------------------------------------
 * Input checks shared by the models
 * ---------------------------------------------------------------------------
 */

/* Shortest round-trip text of a double, in a palloc'd string. */
static char *
model_dtoa(double x)
{
	char	   *buf = palloc(DOUBLE_SHORTEST_DECIMAL_LEN);

	double_to_shortest_decimal_buf(x, buf);
	return buf;
}

#define FREQUENCY_DETAIL "frequency is the number of repeat purchases: a whole number from 0 to 1e9."

/* Raise unless x is a whole number in 0..MODEL_MAX_FREQUENCY. */
void
model_check_frequency(double x)
{
	if (isinf(x) || x > MODEL_MAX_FREQUENCY)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("frequency %s is out of range", model_dtoa(x)),
				 errdetail(FREQUENCY_DETAIL)));
	if (!(x >= 0) || x != floor(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("frequency %s is not a whole number of repeat purchases", model_dtoa(x)),
				 errdetail(FREQUENCY_DETAIL)));
}

/* Raise unless v is finite and >= 0; meaning is the DETAIL sentence. */
void
model_check_nonneg(double v, const char *what, const char *meaning)
{
	if (isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s %s is out of range", what, model_dtoa(v)),
				 errdetail("%s", meaning)));
	if (!(v >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %s is not allowed", what, model_dtoa(v)),
				 errdetail("%s", meaning)));
}

/*
 * Raise unless (frequency, recency, t) is a customer summary: frequency a
 * whole number >= 0, 0 <= recency <= t finite, and recency 0 when
 * frequency is 0 (recency is the time of the last repeat purchase).
 */
void
model_check_customer(double x, double tx, double T)
{
	model_check_frequency(x);
	model_check_nonneg(tx, "recency",
					   "recency is the time from the first to the last purchase: finite and >= 0.");
	model_check_nonneg(T, "t",
					   "t is the time from the first purchase to the end of observation: finite and >= 0.");
	if (tx > T)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recency %s exceeds t %s", model_dtoa(tx), model_dtoa(T)),
				 errdetail("The last purchase (recency) cannot come after the end of observation (t): 0 <= recency <= t.")));
	if (x == 0 && tx != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recency %s is not 0 for a customer with frequency 0", model_dtoa(tx)),
				 errdetail("recency is measured to the last repeat purchase, so it is 0 when there is none.")));
}

/* ---------------------------------------------------------------------------
 * Stored models
 * ---------------------------------------------------------------------------
 */

StaticAssertDecl(sizeof(ModelValue) == 56, "the SQL types declare INTERNALLENGTH = 56");

static const ModelSpec model_specs[] = {
	{MODEL_BGNBD, "bgnbd", "BG/NBD", 4, {"r", "alpha", "a", "b"}},
	{MODEL_GAMMAGAMMA, "gammagamma", "Gamma-Gamma", 3, {"p", "q", "v"}}
};

/* The description of a model kind. */
const ModelSpec *
model_spec(int kind)
{
	return &model_specs[kind == MODEL_GAMMAGAMMA ? 1 : 0];
}

/* A list of the parameter names, for messages: "r, alpha, a and b". */
static char *
model_param_list(const ModelSpec *spec)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < spec->nparams; i++)
		appendStringInfo(&buf, "%s%s", i == 0 ? "" : (i == spec->nparams - 1 ? " and " : ", "),
						 spec->param_names[i]);
	return buf.data;
}

/* A new model value. */
ModelValue *
model_new(int kind, const double *par, int64 customers, double loglik)
{
	ModelValue *m = palloc0(MODEL_SIZE);
	int			i;

	m->version = MODEL_VERSION;
	m->kind = kind;
	m->customers = customers;
	m->loglik = loglik;
	for (i = 0; i < model_spec(kind)->nparams; i++)
		m->par[i] = par[i];
	return m;
}

/*
 * What is wrong with a model's fields, or NULL: parameters finite and > 0,
 * unused fields zero, customers >= 0, log-likelihood finite or NaN.
 */
static const char *
model_problem(const ModelValue *m, int kind)
{
	const ModelSpec *spec = model_spec(kind);
	int			i;

	for (i = 0; i < MODEL_MAX_PARAMS; i++)
	{
		if (i < spec->nparams && !(m->par[i] > 0 && isfinite(m->par[i])))
			return psprintf("Parameter %s is %s; %s must be finite and > 0.",
							spec->param_names[i], model_dtoa(m->par[i]), model_param_list(spec));
		if (i >= spec->nparams && m->par[i] != 0)
			return "An unused parameter field is not zero.";
	}
	if (m->customers < 0)
		return "customers must be >= 0.";
	if (isinf(m->loglik))
		return "log_likelihood must be finite, or NaN when unknown.";
	if (m->flags != 0)
		return "The flags field must be zero.";
	return NULL;
}

/* Validate a model that came from outside: version, kind, fields. */
void
model_check(const ModelValue *m, int kind, int sqlstate)
{
	const ModelSpec *spec = model_spec(kind);
	const char *problem;

	if (m->version < 1 || m->version > MODEL_VERSION)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("%s format version %d is not supported", spec->type_name, m->version),
				 errdetail("%s", engage_version_detail(m->version, MODEL_VERSION))));
	if (m->kind != kind)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("value is not a valid %s", spec->type_name),
				 errdetail("Its kind field is %d, not %d.", m->kind, kind)));
	problem = model_problem(m, kind);
	if (problem)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("invalid %s value", spec->type_name),
				 errdetail("%s", problem)));
}

/* Fetch model argument argno, validated. */
ModelValue *
model_arg(FunctionCallInfo fcinfo, int argno, int kind)
{
	ModelValue *m = (ModelValue *) PG_GETARG_POINTER(argno);

	model_check(m, kind, ERRCODE_INVALID_PARAMETER_VALUE);
	return m;
}

/* Text parser cursor. */
typedef struct ModelParser
{
	const char *str;			/* whole literal, for messages */
	const char *p;
	const ModelSpec *spec;
} ModelParser;

/* Raise the 22P02 error for a malformed literal. */
static void
model_syntax_error(ModelParser *ps, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", ps->spec->type_name, ps->str),
			 errdetail("%s", detail),
			 errhint("The form is v1:%s=NUM,...,customers=N,log_likelihood=NUM (the last two optional).",
					 ps->spec->param_names[0])));
}

/* Skip white space. */
static void
model_skip_space(ModelParser *ps)
{
	while (isspace((unsigned char) *ps->p))
		ps->p++;
}

/* Consume tok (after white space) if it is next; report whether it was. */
static bool
model_accept(ModelParser *ps, const char *tok)
{
	size_t		len = strlen(tok);

	model_skip_space(ps);
	if (strncmp(ps->p, tok, len) != 0)
		return false;
	ps->p += len;
	return true;
}

/* Expect tok next. */
static void
model_expect(ModelParser *ps, const char *tok)
{
	if (!model_accept(ps, tok))
		model_syntax_error(ps, psprintf("Expected \"%s\" at offset %d.", tok, (int) (ps->p - ps->str)));
}

/* Read a double (any form float8 input takes, NaN and Infinity included). */
static double
model_read_double(ModelParser *ps)
{
	char	   *end;
	double		v;

	model_skip_space(ps);
	if (*ps->p == '\0' || *ps->p == ',')
		model_syntax_error(ps, psprintf("Expected a number at offset %d.", (int) (ps->p - ps->str)));
#if PG_VERSION_NUM >= 160000
	v = float8in_internal((char *) ps->p, &end, ps->spec->type_name, ps->str, NULL);
#else
	v = float8in_internal((char *) ps->p, &end, ps->spec->type_name, ps->str);
#endif
	ps->p = end;
	return v;
}

/* Read a non-negative decimal integer (int64). */
static int64
model_read_int64(ModelParser *ps)
{
	int64		v = 0;
	const char *start;

	model_skip_space(ps);
	start = ps->p;
	while (isdigit((unsigned char) *ps->p))
	{
		if (pg_mul_s64_overflow(v, 10, &v) || pg_add_s64_overflow(v, *ps->p - '0', &v))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("customers is out of range in %s: \"%s\"", ps->spec->type_name, ps->str),
					 errdetail("The largest allowed value is %lld.", (long long) PG_INT64_MAX)));
		ps->p++;
	}
	if (ps->p == start)
		model_syntax_error(ps, psprintf("Expected a whole number >= 0 at offset %d.", (int) (start - ps->str)));
	return v;
}

/* Text input: parse and validate. */
Datum
model_in_datum(FunctionCallInfo fcinfo, int kind)
{
	const char *str = PG_GETARG_CSTRING(0);
	ModelParser ps = {str, str, model_spec(kind)};
	ModelValue *m = palloc0(MODEL_SIZE);
	const char *problem;
	int			version = 0;
	int			i;

	m->kind = kind;
	m->loglik = NAN;
	model_expect(&ps, "v");
	while (isdigit((unsigned char) *ps.p) && version <= MODEL_VERSION)
		version = version * 10 + (*ps.p++ - '0');
	if (version < 1 || version > MODEL_VERSION)
		model_syntax_error(&ps, psprintf("The literal starts with a format version v1 to v%d.", MODEL_VERSION));
	m->version = version;
	model_expect(&ps, ":");
	for (i = 0; i < ps.spec->nparams; i++)
	{
		if (i > 0)
			model_expect(&ps, ",");
		model_expect(&ps, ps.spec->param_names[i]);
		model_expect(&ps, "=");
		m->par[i] = model_read_double(&ps);
	}
	if (model_accept(&ps, ","))
	{
		model_expect(&ps, "customers");
		model_expect(&ps, "=");
		m->customers = model_read_int64(&ps);
		if (model_accept(&ps, ","))
		{
			model_expect(&ps, "log_likelihood");
			model_expect(&ps, "=");
			m->loglik = model_read_double(&ps);
		}
	}
	model_skip_space(&ps);
	if (*ps.p != '\0')
		model_syntax_error(&ps, psprintf("Unexpected characters at offset %d.", (int) (ps.p - str)));
	problem = model_problem(m, kind);
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", ps.spec->type_name, str),
				 errdetail("%s", problem)));
	m->version = MODEL_VERSION;
	PG_RETURN_POINTER(m);
}

/* Text output: the canonical form, every field, shortest round-trip floats. */
Datum
model_out_datum(FunctionCallInfo fcinfo, int kind)
{
	ModelValue *m = model_arg(fcinfo, 0, kind);
	const ModelSpec *spec = model_spec(kind);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "v%d:", m->version);
	for (i = 0; i < spec->nparams; i++)
		appendStringInfo(&buf, "%s%s=%s", i ? "," : "", spec->param_names[i], model_dtoa(m->par[i]));
	appendStringInfo(&buf, ",customers=%lld,log_likelihood=%s",
					 (long long) m->customers, model_dtoa(m->loglik));
	PG_RETURN_CSTRING(buf.data);
}

/* Binary input: the same fields and the same checks as the text form. */
Datum
model_recv_datum(FunctionCallInfo fcinfo, int kind)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	const ModelSpec *spec = model_spec(kind);
	ModelValue *m = palloc0(MODEL_SIZE);
	int			nparams;
	int			i;

	if (msg->len - msg->cursor < 6)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary %s is too short", spec->type_name),
				 errdetail("It needs %d bytes.", 6 + 8 * spec->nparams + 16)));
	m->version = (int16) pq_getmsgint(msg, 2);
	m->kind = (int16) pq_getmsgint(msg, 2);
	nparams = (int16) pq_getmsgint(msg, 2);
	if (m->version < 1 || m->version > MODEL_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s format version %d is not supported", spec->type_name, m->version),
				 errdetail("%s", engage_version_detail(m->version, MODEL_VERSION))));
	if (m->kind != kind || nparams != spec->nparams)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary value is not a %s", spec->type_name),
				 errdetail("A %s has kind %d and %d parameters.", spec->type_name, kind, spec->nparams)));
	if (msg->len - msg->cursor != 8 * nparams + 16)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary %s has %d bytes after its header, not %d", spec->type_name,
						msg->len - msg->cursor, 8 * nparams + 16)));
	for (i = 0; i < nparams; i++)
		m->par[i] = pq_getmsgfloat8(msg);
	m->customers = pq_getmsgint64(msg);
	m->loglik = pq_getmsgfloat8(msg);
	model_check(m, kind, ERRCODE_INVALID_BINARY_REPRESENTATION);
	m->version = MODEL_VERSION;
	PG_RETURN_POINTER(m);
}

/* Binary output. */
Datum
model_send_datum(FunctionCallInfo fcinfo, int kind)
{
	ModelValue *m = model_arg(fcinfo, 0, kind);
	const ModelSpec *spec = model_spec(kind);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, m->version);
	pq_sendint16(&buf, m->kind);
	pq_sendint16(&buf, spec->nparams);
	for (i = 0; i < spec->nparams; i++)
		pq_sendfloat8(&buf, m->par[i]);
	pq_sendint64(&buf, m->customers);
	pq_sendfloat8(&buf, m->loglik);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Append a JSON number in shortest round-trip form (null if not finite). */
static void
model_json_double(StringInfo buf, double x)
{
	if (isfinite(x))
		appendStringInfoString(buf, model_dtoa(x));
	else
		appendStringInfoString(buf, "null");
}

/* The model as jsonb: version, the parameters, customers, log_likelihood. */
Datum
model_jsonb_datum(FunctionCallInfo fcinfo, int kind)
{
	ModelValue *m = model_arg(fcinfo, 0, kind);
	const ModelSpec *spec = model_spec(kind);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"model\": \"%s\", \"version\": %d", spec->type_name, m->version);
	for (i = 0; i < spec->nparams; i++)
	{
		appendStringInfo(&buf, ", \"%s\": ", spec->param_names[i]);
		model_json_double(&buf, m->par[i]);
	}
	appendStringInfo(&buf, ", \"customers\": %lld, \"log_likelihood\": ", (long long) m->customers);
	model_json_double(&buf, m->loglik);
	appendStringInfoChar(&buf, '}');
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/* Build a model from its parameters (customers 0, log-likelihood NaN). */
Datum
model_make_datum(FunctionCallInfo fcinfo, int kind)
{
	const ModelSpec *spec = model_spec(kind);
	double		par[MODEL_MAX_PARAMS];
	int			i;

	for (i = 0; i < spec->nparams; i++)
	{
		par[i] = PG_GETARG_FLOAT8(i);
		if (!(par[i] > 0 && isfinite(par[i])))
			ereport(ERROR,
					(errcode(isinf(par[i]) ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE : ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s parameter %s = %s is not allowed", spec->display,
							spec->param_names[i], model_dtoa(par[i])),
					 errdetail("%s must be finite and > 0.", model_param_list(spec))));
	}
	PG_RETURN_POINTER(model_new(kind, par, 0, NAN));
}
