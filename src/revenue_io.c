/*
 * revenue_io.c: the text, binary and jsonb forms of revenue_state (see
 * revenue.c).  Text form, exact:
 *   v1;rows=R;starting=A/C;new=A/C;expansion=A/C;contraction=A/C;churned=A/C
 * and v1;ledger;rows=... for a ledger state (flags = REV_LEDGER).  Binary
 * form: int16 version, int16 flags (0 or 1), int64 rows, then per class int64
 * micro-units and int64 count.
 */
#include "postgres.h"

#include <ctype.h>

#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "engage.h"
#include "revenue.h"

/* Append micro-units as an exact decimal with 6 places (a leading - when negative). */
void
rev_append_amount(StringInfo buf, int64 micro)
{
	uint64		u = (uint64) micro;

	if (micro < 0)
	{
		appendStringInfoChar(buf, '-');
		u = -u;
	}
	appendStringInfo(buf, "%llu.%06llu", (unsigned long long) (u / MICRO), (unsigned long long) (u % MICRO));
}

/* Raise the 22P02 error for a malformed revenue_state literal. */
static void
rev_syntax_error(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type revenue_state: \"%s\"", str),
			 errdetail("%s", detail),
			 errhint("The form is v1[;ledger];rows=R;starting=A/C;new=A/C;expansion=A/C;contraction=A/C;churned=A/C, "
					 "amounts A with exactly 6 decimals, e.g. v1;rows=1;starting=10.000000/1;new=0.000000/0;"
					 "expansion=2.500000/1;contraction=0.000000/0;churned=0.000000/0")));
}

/* Read a non-negative whole number of at most max; 22003 past 2^63-1. */
static int64
rev_read_int(const char *str, const char **pp, const char *what)
{
	const char *p = *pp;
	int64		v = 0;

	if (!isdigit((unsigned char) *p))
		rev_syntax_error(str, psprintf("Expected a non-negative whole number (%s) at offset %d.",
									   what, (int) (p - str)));
	while (isdigit((unsigned char) *p))
	{
		if (pg_mul_s64_overflow(v, 10, &v) || pg_add_s64_overflow(v, *p - '0', &v))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s is out of range in revenue_state: \"%s\"", what, str),
					 errdetail("The largest allowed value is %lld.", (long long) PG_INT64_MAX)));
		p++;
	}
	*pp = p;
	return v;
}

/* Expect a literal token. */
static void
rev_expect(const char *str, const char **pp, const char *tok)
{
	size_t		len = strlen(tok);

	if (strncmp(*pp, tok, len) != 0)
		rev_syntax_error(str, psprintf("Expected \"%s\" at offset %d.", tok, (int) (*pp - str)));
	*pp += len;
}

PG_FUNCTION_INFO_V1(engage_revenue_state_in);
/* Text input of revenue_state, validated. */
Datum
engage_revenue_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	RevenueState *s = palloc0(REV_SIZE);
	const char *problem;
	int64		version;
	int			i;

	rev_expect(str, &p, "v");
	version = rev_read_int(str, &p, "version");
	if (version < 1 || version > REV_VERSION)
		rev_syntax_error(str, engage_version_detail(version, REV_VERSION));
	s->version = REV_VERSION;
	if (strncmp(p, ";ledger;", 8) == 0)
	{
		s->flags = REV_LEDGER;
		p += 7;
	}
	rev_expect(str, &p, ";rows=");
	s->rows = rev_read_int(str, &p, "rows");
	for (i = 0; i < REV_NCLASSES; i++)
	{
		int64		whole;
		int64		frac;
		const char *f;

		rev_expect(str, &p, ";");
		rev_expect(str, &p, rev_class_names[i]);
		rev_expect(str, &p, "=");
		whole = rev_read_int(str, &p, "amount");
		rev_expect(str, &p, ".");
		f = p;
		frac = rev_read_int(str, &p, "amount");
		if (p - f != 6)
			rev_syntax_error(str, "Amounts have exactly 6 decimal places.");
		if (pg_mul_s64_overflow(whole, MICRO, &s->mrr[i]) ||
			pg_add_s64_overflow(s->mrr[i], frac, &s->mrr[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("amount is out of range in revenue_state: \"%s\"", str),
					 errdetail("An amount is at most %lld.%06lld.",
							   (long long) (PG_INT64_MAX / MICRO), (long long) (PG_INT64_MAX % MICRO))));
		rev_expect(str, &p, "/");
		s->customers[i] = rev_read_int(str, &p, "customers");
	}
	if (*p != '\0')
		rev_syntax_error(str, "Unexpected characters after the churned amount.");
	problem = rev_problem(s);
	if (problem)
		rev_syntax_error(str, psprintf("Invalid revenue_state: %s.", problem));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_revenue_state_out);
/* Text output of revenue_state: exact amounts with 6 decimals and counts. */
Datum
engage_revenue_state_out(PG_FUNCTION_ARGS)
{
	RevenueState *s = rev_arg(fcinfo, 0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "v%d%s;rows=%lld", s->version,
					 (s->flags & REV_LEDGER) ? ";ledger" : "", (long long) s->rows);
	for (i = 0; i < REV_NCLASSES; i++)
	{
		appendStringInfo(&buf, ";%s=", rev_class_names[i]);
		rev_append_amount(&buf, s->mrr[i]);
		appendStringInfo(&buf, "/%lld", (long long) s->customers[i]);
	}
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(engage_revenue_state_send);
/* Binary output: version, flags, rows, amounts, counts (network order). */
Datum
engage_revenue_state_send(PG_FUNCTION_ARGS)
{
	RevenueState *s = rev_arg(fcinfo, 0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, s->version);
	pq_sendint16(&buf, s->flags);
	pq_sendint64(&buf, s->rows);
	for (i = 0; i < REV_NCLASSES; i++)
	{
		pq_sendint64(&buf, s->mrr[i]);
		pq_sendint64(&buf, s->customers[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_revenue_state_recv);
/* Binary input: exact length, then the text input's checks. */
Datum
engage_revenue_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	RevenueState *s;
	const char *problem;
	int			i;

	if (msg->len - msg->cursor != 4 + 8 + 16 * REV_NCLASSES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary revenue_state has %d bytes, expected %d",
						msg->len - msg->cursor, 4 + 8 + 16 * REV_NCLASSES)));
	s = palloc0(REV_SIZE);
	s->version = (int16) pq_getmsgint(msg, 2);
	if (s->version < 1 || s->version > REV_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("revenue_state format version %d is not supported", s->version),
				 errdetail("%s", engage_version_detail(s->version, REV_VERSION))));
	s->flags = (int16) pq_getmsgint(msg, 2);
	s->rows = (int64) pq_getmsgint64(msg);
	for (i = 0; i < REV_NCLASSES; i++)
	{
		s->mrr[i] = (int64) pq_getmsgint64(msg);
		s->customers[i] = (int64) pq_getmsgint64(msg);
	}
	problem = rev_problem(s);
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary revenue_state: %s", problem),
				 errdetail(REV_STATE_DETAIL)));
	s->version = REV_VERSION;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_revenue_state_jsonb);
/* revenue_state as jsonb: amounts (exact), customer counts and the three rates. */
Datum
engage_revenue_state_jsonb(PG_FUNCTION_ARGS)
{
	RevenueState *s = rev_arg(fcinfo, 0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"ledger\": %s, \"rows\": %lld", s->version,
					 (s->flags & REV_LEDGER) ? "true" : "false", (long long) s->rows);
	for (i = 0; i < REV_NCLASSES; i++)
	{
		appendStringInfo(&buf, ", \"%s_mrr\": ", rev_class_names[i]);
		rev_append_amount(&buf, s->mrr[i]);
		appendStringInfo(&buf, ", \"%s_customers\": %lld", rev_class_names[i], (long long) s->customers[i]);
	}
	appendStringInfoString(&buf, ", \"ending_mrr\": ");
	rev_append_amount(&buf, rev_ending(s));
	if (s->mrr[REV_START] == 0)
		appendStringInfoString(&buf, ", \"gross_revenue_retention\": null, \"net_revenue_retention\": null, \"revenue_churn_rate\": null}");
	else
	{
		appendStringInfoString(&buf, ", \"gross_revenue_retention\": ");
		hist_append_double(&buf, rev_grr(s));
		appendStringInfoString(&buf, ", \"net_revenue_retention\": ");
		hist_append_double(&buf, rev_nrr(s));
		appendStringInfoString(&buf, ", \"revenue_churn_rate\": ");
		hist_append_double(&buf, rev_churn(s));
		appendStringInfoChar(&buf, '}');
	}
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
