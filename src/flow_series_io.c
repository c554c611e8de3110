/*
 * flow_series_io.c: text, binary and jsonb forms of flow_state, the stored
 * one-pass churn series (see flow_series.c).  Text form (exact, time zone
 * independent; timestamps in UTC):
 *   v1;step=1mon0d0us;2024-01-01 00:00:00+00 {5,4,2,2};2024-02-01 00:00:00+00 {5,1,2,0};2024-03-01 00:00:00+00
 */
#include "postgres.h"

#include <ctype.h>

#include "common/int.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

#include "engage.h"
#include "flow_series.h"

/* Raise the 22P02 error for a malformed flow_state literal. */
static void
flow_syntax_error(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type flow_state: \"%s\"", str),
			 errdetail("%s", detail),
			 errhint("The form is v1;step=<months>mon<days>d<microseconds>us;<period_start> {S,N,L,NL};...;<series_end>, "
					 "e.g. v1;step=1mon0d0us;2024-01-01 00:00:00+00 {5,4,2,2};2024-02-01 00:00:00+00")));
}

/* Read a non-negative decimal integer at *pp, at most max (22P02 / 22003 past it). */
static int64
flow_read_int(const char *str, const char **pp, int64 max, const char *what)
{
	const char *p = *pp;
	int64		v = 0;

	if (!isdigit((unsigned char) *p))
		flow_syntax_error(str, psprintf("Expected a non-negative whole number (%s) at offset %d.",
										what, (int) (p - str)));
	while (isdigit((unsigned char) *p))
	{
		if (pg_mul_s64_overflow(v, 10, &v) || pg_add_s64_overflow(v, *p - '0', &v) || v > max)
			ereport(ERROR,
					(errcode(max == PG_INT64_MAX ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE
							 : ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("%s is out of range in flow_state: \"%s\"", what, str),
					 errdetail("The largest allowed value is %lld.", (long long) max)));
		p++;
	}
	*pp = p;
	return v;
}

/* Expect a literal token at *pp. */
static void
flow_expect(const char *str, const char **pp, const char *tok)
{
	size_t		len = strlen(tok);

	if (strncmp(*pp, tok, len) != 0)
		flow_syntax_error(str, psprintf("Expected \"%s\" at offset %d.", tok, (int) (*pp - str)));
	*pp += len;
}

/* Parse a finite timestamp from *pp up to (not including) one of stops. */
static TimestampTz
flow_read_ts(const char *str, const char **pp, const char *stops)
{
	const char *p = *pp;
	const char *end = p + strcspn(p, stops);
	const char *last = end;
	TimestampTz t;

	while (last > p && isspace((unsigned char) last[-1]))
		last--;
	if (last == p)
		flow_syntax_error(str, psprintf("Expected a timestamp at offset %d.", (int) (p - str)));
	t = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
												CStringGetDatum(pnstrdup(p, last - p)),
												ObjectIdGetDatum(InvalidOid),
												Int32GetDatum(-1)));
	if (TIMESTAMP_NOT_FINITE(t))
		flow_syntax_error(str, "Period bounds must be finite.");
	*pp = end;
	return t;
}

PG_FUNCTION_INFO_V1(engage_flow_state_in);
/* Text input of flow_state, validated like every other state. */
Datum
engage_flow_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	int32		month;
	int32		day;
	int64		time;
	int			cap = 16;
	int			n = 0;
	FlowPeriod *periods = palloc(cap * sizeof(FlowPeriod));
	TimestampTz end;
	FlowState  *st;
	const char *problem;
	int64		version;

	while (isspace((unsigned char) *p))
		p++;
	flow_expect(str, &p, "v");
	version = flow_read_int(str, &p, PG_INT16_MAX, "version");
	if (version < 1 || version > FLOW_STATE_VERSION)
		flow_syntax_error(str, engage_version_detail(version, FLOW_STATE_VERSION));
	flow_expect(str, &p, ";step=");
	month = (int32) flow_read_int(str, &p, PG_INT32_MAX, "step months");
	flow_expect(str, &p, "mon");
	day = (int32) flow_read_int(str, &p, PG_INT32_MAX, "step days");
	flow_expect(str, &p, "d");
	time = flow_read_int(str, &p, PG_INT64_MAX, "step microseconds");	/* as binary input */
	flow_expect(str, &p, "us");
	for (;;)
	{
		TimestampTz t;

		flow_expect(str, &p, ";");
		while (isspace((unsigned char) *p))
			p++;
		t = flow_read_ts(str, &p, "{;");
		if (*p != '{')
		{
			/* the series end: must be the last token */
			end = t;
			while (isspace((unsigned char) *p))
				p++;
			if (*p != '\0')
				flow_syntax_error(str, "Expected \"{S,N,L,NL}\" after a period start.");
			break;
		}
		if (n >= FLOW_MAX_PERIODS)
			flow_syntax_error(str, psprintf("A flow_state has at most %d periods.", FLOW_MAX_PERIODS));
		if (n >= cap)
		{
			cap *= 2;
			periods = repalloc(periods, cap * sizeof(FlowPeriod));
		}
		periods[n].start = t;
		flow_expect(str, &p, "{");
		periods[n].s = flow_read_int(str, &p, PG_INT64_MAX, "count");
		flow_expect(str, &p, ",");
		periods[n].n = flow_read_int(str, &p, PG_INT64_MAX, "count");
		flow_expect(str, &p, ",");
		periods[n].l = flow_read_int(str, &p, PG_INT64_MAX, "count");
		flow_expect(str, &p, ",");
		periods[n].nl = flow_read_int(str, &p, PG_INT64_MAX, "count");
		flow_expect(str, &p, "}");
		n++;
	}
	if (n == 0)
		flow_syntax_error(str, "A flow_state has at least one period.");
	st = palloc0(FLOW_STATE_SIZE(n));
	SET_VARSIZE(st, FLOW_STATE_SIZE(n));
	st->version = FLOW_STATE_VERSION;
	st->nperiods = n;
	st->step_month = month;
	st->step_day = day;
	st->step_time = time;
	st->series_end = end;
	memcpy(st->periods, periods, n * sizeof(FlowPeriod));
	problem = flow_state_problem(st, VARSIZE(st));
	if (problem)
		flow_syntax_error(str, psprintf("Invalid flow_state: %s.", problem));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(engage_flow_state_out);
/* Text output of flow_state (UTC timestamps, exact). */
Datum
engage_flow_state_out(PG_FUNCTION_ARGS)
{
	FlowState  *st = flow_state_arg(fcinfo, 0);
	StringInfoData buf;
	char		ts[MAXDATELEN + 1];
	int			k;

	initStringInfo(&buf);
	appendStringInfo(&buf, "v%d;step=%dmon%dd%lldus", st->version, st->step_month, st->step_day,
					 (long long) st->step_time);
	for (k = 0; k < st->nperiods; k++)
	{
		const FlowPeriod *pp = &st->periods[k];

		flow_ts_str(pp->start, ts);
		appendStringInfo(&buf, ";%s {%lld,%lld,%lld,%lld}", ts, (long long) pp->s,
						 (long long) pp->n, (long long) pp->l, (long long) pp->nl);
	}
	flow_ts_str(st->series_end, ts);
	appendStringInfo(&buf, ";%s", ts);
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(engage_flow_state_send);
/* Binary output: the same fields as the text form, in network order. */
Datum
engage_flow_state_send(PG_FUNCTION_ARGS)
{
	FlowState  *st = flow_state_arg(fcinfo, 0);
	StringInfoData buf;
	int			k;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, st->version);
	pq_sendint16(&buf, st->flags);
	pq_sendint32(&buf, st->nperiods);
	pq_sendint32(&buf, st->step_month);
	pq_sendint32(&buf, st->step_day);
	pq_sendint64(&buf, st->step_time);
	for (k = 0; k < st->nperiods; k++)
	{
		pq_sendint64(&buf, st->periods[k].start);
		pq_sendint64(&buf, st->periods[k].s);
		pq_sendint64(&buf, st->periods[k].n);
		pq_sendint64(&buf, st->periods[k].l);
		pq_sendint64(&buf, st->periods[k].nl);
	}
	pq_sendint64(&buf, st->series_end);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_flow_state_recv);
/* Binary input: lengths checked before reading, then the text input's checks. */
Datum
engage_flow_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int16		version;
	int32		p;
	FlowState  *st;
	const char *problem;
	int			k;

	if (msg->len - msg->cursor < 20)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary flow_state is too short")));
	version = (int16) pq_getmsgint(msg, 2);
	if (version < 1 || version > FLOW_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("flow_state format version %d is not supported", version),
				 errdetail("%s", engage_version_detail(version, FLOW_STATE_VERSION))));
	if ((int16) pq_getmsgint(msg, 2) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary flow_state has unknown flags")));
	p = (int32) pq_getmsgint(msg, 4);
	if (p < 1 || p > FLOW_MAX_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary flow_state has %d periods", p),
				 errdetail("A flow_state has 1 to %d periods.", FLOW_MAX_PERIODS)));
	/* step (16 bytes), periods (40 bytes each), series_end (8 bytes) */
	if (msg->len - msg->cursor != 16 + 40 * p + 8)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary flow_state has %d bytes after its header for %d periods, expected %d",
						msg->len - msg->cursor, p, 16 + 40 * p + 8)));
	st = palloc0(FLOW_STATE_SIZE(p));
	SET_VARSIZE(st, FLOW_STATE_SIZE(p));
	st->version = FLOW_STATE_VERSION;
	st->nperiods = p;
	st->step_month = (int32) pq_getmsgint(msg, 4);
	st->step_day = (int32) pq_getmsgint(msg, 4);
	st->step_time = (int64) pq_getmsgint64(msg);
	for (k = 0; k < p; k++)
	{
		st->periods[k].start = (int64) pq_getmsgint64(msg);
		st->periods[k].s = (int64) pq_getmsgint64(msg);
		st->periods[k].n = (int64) pq_getmsgint64(msg);
		st->periods[k].l = (int64) pq_getmsgint64(msg);
		st->periods[k].nl = (int64) pq_getmsgint64(msg);
	}
	st->series_end = (int64) pq_getmsgint64(msg);
	problem = flow_state_problem(st, VARSIZE(st));
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary flow_state: %s", problem)));
	PG_RETURN_POINTER(st);
}

/* Append 100 * num / den as a JSON number, or null when den = 0. */
static void
flow_json_rate(StringInfo buf, const char *key, double num, int64 den)
{
	appendStringInfo(buf, ", \"%s\": ", key);
	if (den == 0)
		appendStringInfoString(buf, "null");
	else
		hist_append_double(buf, 100.0 * num / (double) den);
}

PG_FUNCTION_INFO_V1(engage_flow_state_jsonb);
/* flow_state as jsonb: version, step and one object per period with its rates. */
Datum
engage_flow_state_jsonb(PG_FUNCTION_ARGS)
{
	FlowState  *st = flow_state_arg(fcinfo, 0);
	StringInfoData buf;
	char		ts[MAXDATELEN + 1];
	int			k;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"step\": {\"months\": %d, \"days\": %d, \"microseconds\": %lld}, \"periods\": [",
					 st->version, st->step_month, st->step_day, (long long) st->step_time);
	for (k = 0; k < st->nperiods; k++)
	{
		const FlowPeriod *pp = &st->periods[k];
		int64		e = pp->s - pp->l + pp->n - pp->nl;	/* validated: no overflow */

		flow_ts_str(pp->start, ts);
		appendStringInfo(&buf, "%s{\"period_start\": \"%s\"", k ? ", " : "", ts);
		flow_ts_str(k + 1 < st->nperiods ? st->periods[k + 1].start : st->series_end, ts);
		appendStringInfo(&buf, ", \"period_end\": \"%s\", \"customers_start\": %lld, \"new_customers\": %lld, "
						 "\"lost_customers\": %lld, \"new_lost_customers\": %lld, \"customers_end\": %lld",
						 ts, (long long) pp->s, (long long) pp->n, (long long) pp->l,
						 (long long) pp->nl, (long long) e);
		flow_json_rate(&buf, "churn_rate", (double) pp->l, pp->s);
		flow_json_rate(&buf, "retention_rate", (double) (pp->s - pp->l) - (double) pp->nl, pp->s);
		flow_json_rate(&buf, "retention_rate_excluding_new", (double) (pp->s - pp->l), pp->s);
		flow_json_rate(&buf, "net_growth", (double) e - (double) pp->s, pp->s);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
