/*
 * resolution_io.c: text, binary and jsonb forms of resolution_state, and the
 * serialized running state of its aggregates (see resolution.c).
 *
 * Text form (exact):
 *   v1;open=1;resolved=3;sum=9000.000000;h=1795162112:1,3590324224:2
 * open and resolved ticket counts, the exact sum of the durations in seconds
 * (6 decimals), and "lower bound in microseconds:count" per non-empty bucket.
 * Binary form: int16 version, int16 flags (0), int64 open, int64 resolved,
 * the sum (int64 seconds, int64 microseconds), int32 buckets, then per
 * bucket int32 bucket and int64 count.
 */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "resolution.h"

#define RES_TYPE		"resolution_state"
#define RES_FORM_HINT \
	"The form is v1;open=O;resolved=R;sum=SECONDS.UUUUUU;h=LOWER:COUNT,..., " \
	"e.g. v1;open=1;resolved=2;sum=3.000000;h=999424:1,1998848:1"

/* A state of n zeroed entries with the given counts and sum. */
static ResState *
res_new(int64 open, int64 resolved, const DurSum *sum, int n)
{
	ResState   *s = res_alloc(n);

	s->open = open;
	s->resolved = resolved;
	s->sum = *sum;
	return s;
}

/* Append the binary payload of a stored state (shared by send and serialize). */
static void
res_send_payload(StringInfo buf, const void *state)
{
	const ResState *s = state;

	pq_sendint64(buf, s->open);
	pq_sendint64(buf, s->resolved);
	dur_send_sum(buf, &s->sum);
	pq_sendint32(buf, s->nentries);
	dur_send_entries(buf, s->entries, s->nentries);
}

/* Read a binary payload, every length checked; NULL and *why when invalid. */
static void *
res_recv_payload(StringInfo msg, const char **why)
{
	int64		open;
	int64		resolved;
	DurSum		sum;
	int32		n;
	ResState   *s;

	if (msg->len - msg->cursor < 4 * 8 + 4)
	{
		*why = "too short";
		return NULL;
	}
	open = pq_getmsgint64(msg);
	resolved = pq_getmsgint64(msg);
	dur_recv_sum(msg, &sum);
	n = (int32) pq_getmsgint(msg, 4);
	if (n < 0 || n > DUR_NBUCKETS || msg->len - msg->cursor != n * 12)
	{
		*why = "length does not match its bucket count";
		return NULL;
	}
	s = res_new(open, resolved, &sum, n);
	dur_recv_entries(msg, s->entries, n);
	*why = res_problem(s, VARSIZE(s));
	return *why ? NULL : s;
}

/* The binary form of resolution_state: version, flags, payload. */
static const DurType res_type = {RES_TYPE, RES_STATE_DETAIL, RES_VERSION, true, res_send_payload, res_recv_payload};

PG_FUNCTION_INFO_V1(engage_resolution_serialize);
/* Serialize a running state: version, SLA, then the binary payload. */
Datum
engage_resolution_serialize(PG_FUNCTION_ARGS)
{
	ResAcc	   *a;
	StringInfoData buf;

	dur_aggcxt(fcinfo, "resolution serialize function");
	a = (ResAcc *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buf);
	pq_sendint16(&buf, RES_VERSION);
	pq_sendint64(&buf, a->sla);
	res_send_payload(&buf, res_from_acc(a));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_resolution_deserialize);
/* Deserialize a running state, every field and length checked (22P03). */
Datum
engage_resolution_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "resolution deserialize function");
	StringInfoData msg;
	ResState   *s = NULL;
	ResAcc	   *a;
	const char *why = "unknown format version";
	int64		sla = -1;

	dur_bytea_msg(PG_GETARG_BYTEA_PP(0), &msg);
	if (msg.len >= 2 + 8 && pq_getmsgint(&msg, 2) == RES_VERSION)
	{
		sla = pq_getmsgint64(&msg);
		if (sla < -1)
			why = "bad SLA";
		else
			s = res_recv_payload(&msg, &why);
	}
	if (s == NULL)
		dur_bad_serialized("resolution state", why, RES_VERSION);
	a = res_acc_new(cxt);
	a->sla = sla;
	res_acc_add_state(a, cxt, s, 1);
	PG_RETURN_POINTER(a);
}

/* Read a count for a text input; 22P02 when missing or past 2^63-1. */
static int64
res_read_count(const DurLiteral *lit, const char **pp, const char *what)
{
	int64		v;

	if (!dur_read_int(pp, &v))
		dur_syntax_error(lit, psprintf("Expected a whole number from 0 to %lld (%s) at offset %d.",
									   (long long) PG_INT64_MAX, what, (int) (*pp - lit->str)));
	return v;
}

PG_FUNCTION_INFO_V1(engage_resolution_state_in);
/* Text input of resolution_state, validated. */
Datum
engage_resolution_state_in(PG_FUNCTION_ARGS)
{
	DurLiteral	lit = {RES_TYPE, RES_FORM_HINT, PG_GETARG_CSTRING(0)};
	const char *p = lit.str;
	int			maxent = dur_count_entries(lit.str);
	DurEntry   *e = palloc(Max(maxent, 1) * sizeof(DurEntry));
	const char *err = NULL;
	const char *problem;
	ResState   *s;
	int64		open;
	int64		resolved;
	DurSum		sum;
	int			n;

	dur_expect(&lit, &p, "v");
	dur_check_version(&lit, res_read_count(&lit, &p, "version"), RES_VERSION);
	dur_expect(&lit, &p, ";open=");
	open = res_read_count(&lit, &p, "open");
	dur_expect(&lit, &p, ";resolved=");
	resolved = res_read_count(&lit, &p, "resolved");
	dur_expect(&lit, &p, ";sum=");
	if (!dur_parse_seconds(&p, &sum))
		dur_syntax_error(&lit, "The sum is in seconds with exactly 6 decimals.");
	dur_expect(&lit, &p, ";h=");
	n = dur_parse_entries(&p, e, maxent, &err);
	if (n < 0)
		dur_syntax_error(&lit, err);
	if (*p != '\0')
		dur_syntax_error(&lit, psprintf("Unexpected characters at offset %d.", (int) (p - lit.str)));
	s = res_new(open, resolved, &sum, n);
	memcpy(s->entries, e, n * sizeof(DurEntry));
	problem = res_problem(s, VARSIZE(s));
	if (problem)
		dur_syntax_error(&lit, psprintf("Invalid resolution_state: %s.", problem));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_resolution_state_out);
/* Text output of resolution_state (exact). */
Datum
engage_resolution_state_out(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "v%d;open=%lld;resolved=%lld;sum=", s->version,
					 (long long) s->open, (long long) s->resolved);
	dur_append_seconds(&buf, &s->sum);
	appendStringInfoString(&buf, ";h=");
	dur_append_entries(&buf, s->entries, s->nentries);
	PG_RETURN_CSTRING(buf.data);
}

/*
 * Binary output, engage_resolution_state_send: version, flags, then open,
 * resolved, sum, buckets; binary input, engage_resolution_state_recv: every
 * length and the text input's checks (22P03).
 */
DUR_BINARY_FNS(resolution, res_type, ResState, res_arg)

PG_FUNCTION_INFO_V1(engage_resolution_state_jsonb);
/* resolution_state as jsonb: counts, mean, median and p90 in seconds, and the buckets. */
Datum
engage_resolution_state_jsonb(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"tickets\": %lld, \"resolved\": %lld, \"open\": %lld, \"sum_seconds\": ",
					 s->version, (long long) (s->open + s->resolved), (long long) s->resolved, (long long) s->open);
	dur_append_seconds(&buf, &s->sum);
	if (s->resolved == 0)
		appendStringInfoString(&buf, ", \"mean_seconds\": null, \"median_seconds\": null, \"p90_seconds\": null");
	else
	{
		appendStringInfoString(&buf, ", \"mean_seconds\": ");
		dur_append_us(&buf, dur_sum_mean(&s->sum, s->resolved));
		appendStringInfoString(&buf, ", \"median_seconds\": ");
		dur_append_us(&buf, (int64) rint(dur_percentile(s->entries, s->nentries, s->resolved, 0.5)));
		appendStringInfoString(&buf, ", \"p90_seconds\": ");
		dur_append_us(&buf, (int64) rint(dur_percentile(s->entries, s->nentries, s->resolved, 0.9)));
	}
	appendStringInfoString(&buf, ", \"buckets\": [");
	for (i = 0; i < s->nentries; i++)
		appendStringInfo(&buf, "%s[%lld, %lld, %lld]", i ? ", " : "",
						 (long long) dur_lower(s->entries[i].bucket),
						 (long long) (dur_lower(s->entries[i].bucket) + (dur_width(s->entries[i].bucket) - 1)),
						 (long long) s->entries[i].count);
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
