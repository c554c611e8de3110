/*
 * sessions_io.c: text, binary and jsonb forms of session_state (sessions.h),
 * and its equality and hash.
 *
 * Text form (exact):
 *   v1;gap_us=1800000000;sessions=3;events=7;duration_us=540000000;bounces=1;engaged=2
 * Binary form: int16 version, int16 flags, then the six int64 fields in
 * text-form order.
 */
#include "postgres.h"

#include <ctype.h>

#include "common/hashfn.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "engage.h"
#include "sessions.h"

/* The names of the counts in the text form, in order after the version. */
#define SESS_NFIELDS	6
static const char *const sess_field_names[SESS_NFIELDS] =
{"gap_us", "sessions", "events", "duration_us", "bounces", "engaged"};

/* The counts of a state in text-form order. */
static int64 *
sess_field(SessionState *s, int i)
{
	switch (i)
	{
		case 0:
			return &s->gap_us;
		case 1:
			return &s->sessions;
		case 2:
			return &s->events;
		case 3:
			return &s->duration_us;
		case 4:
			return &s->bounces;
		default:
			return &s->engaged;
	}
}

/* Raise the 22P02 error for a malformed session_state literal. */
static void
sess_syntax_error(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type session_state: \"%s\"", str),
			 errdetail("%s", detail),
			 errhint("The form is v1;gap_us=G;sessions=S;events=E;duration_us=D;bounces=B;engaged=N with whole numbers, "
					 "e.g. v1;gap_us=1800000000;sessions=2;events=3;duration_us=60000000;bounces=1;engaged=1")));
}

/* Read a non-negative whole number; 22003 past 2^63-1. */
static int64
sess_read_int(const char *str, const char **pp, const char *what)
{
	const char *p = *pp;
	int64		v = 0;

	if (!isdigit((unsigned char) *p))
		sess_syntax_error(str, psprintf("Expected a non-negative whole number (%s) at offset %d.",
										what, (int) (p - str)));
	while (isdigit((unsigned char) *p))
	{
		if (pg_mul_s64_overflow(v, 10, &v) || pg_add_s64_overflow(v, *p - '0', &v))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s is out of range in session_state: \"%s\"", what, str),
					 errdetail("The largest allowed value is %lld.", (long long) PG_INT64_MAX)));
		p++;
	}
	*pp = p;
	return v;
}

/* Expect a literal token. */
static void
sess_expect(const char *str, const char **pp, const char *tok)
{
	size_t		len = strlen(tok);

	if (strncmp(*pp, tok, len) != 0)
		sess_syntax_error(str, psprintf("Expected \"%s\" at offset %d.", tok, (int) (*pp - str)));
	*pp += len;
}

PG_FUNCTION_INFO_V1(engage_session_state_in);
/* Text input of session_state, validated. */
Datum
engage_session_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	SessionState *s = palloc0(SESS_SIZE);
	const char *problem;
	int64		version;
	int			i;

	sess_expect(str, &p, "v");
	version = sess_read_int(str, &p, "version");
	if (version < 1 || version > SESS_VERSION)
		sess_syntax_error(str, engage_version_detail(version, SESS_VERSION));
	s->version = SESS_VERSION;
	for (i = 0; i < SESS_NFIELDS; i++)
	{
		sess_expect(str, &p, ";");
		sess_expect(str, &p, sess_field_names[i]);
		sess_expect(str, &p, "=");
		*sess_field(s, i) = sess_read_int(str, &p, sess_field_names[i]);
	}
	if (*p != '\0')
		sess_syntax_error(str, "Unexpected characters after the engaged count.");
	problem = sess_problem(s);
	if (problem)
		sess_syntax_error(str, psprintf("Invalid session_state: %s. %s", problem, SESS_STATE_DETAIL));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_session_state_out);
/* Text output of session_state: exact whole numbers. */
Datum
engage_session_state_out(PG_FUNCTION_ARGS)
{
	SessionState *s = sess_arg(fcinfo, 0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "v%d", s->version);
	for (i = 0; i < SESS_NFIELDS; i++)
		appendStringInfo(&buf, ";%s=%lld", sess_field_names[i], (long long) *sess_field(s, i));
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(engage_session_state_send);
/* Binary output: int16 version, int16 flags, then the six int64 fields. */
Datum
engage_session_state_send(PG_FUNCTION_ARGS)
{
	SessionState *s = sess_arg(fcinfo, 0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, s->version);
	pq_sendint16(&buf, s->flags);
	for (i = 0; i < SESS_NFIELDS; i++)
		pq_sendint64(&buf, *sess_field(s, i));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_session_state_recv);
/* Binary input: exact length, then the text input's checks (22P03). */
Datum
engage_session_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	SessionState *s;
	const char *problem;
	int			i;
	int			want = 4 + 8 * SESS_NFIELDS;

	if (msg->len - msg->cursor != want)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary session_state has %d bytes, expected %d", msg->len - msg->cursor, want)));
	s = palloc0(SESS_SIZE);
	s->version = (int16) pq_getmsgint(msg, 2);
	if (s->version < 1 || s->version > SESS_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("session_state format version %d is not supported", s->version),
				 errdetail("%s", engage_version_detail(s->version, SESS_VERSION))));
	s->flags = (int16) pq_getmsgint(msg, 2);
	for (i = 0; i < SESS_NFIELDS; i++)
		*sess_field(s, i) = (int64) pq_getmsgint64(msg);
	problem = sess_problem(s);
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary session_state: %s", problem),
				 errdetail(SESS_STATE_DETAIL)));
	s->version = SESS_VERSION;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_session_state_eq);
/* a = b: same gap and counts. */
Datum
engage_session_state_eq(PG_FUNCTION_ARGS)
{
	SessionState *a = sess_arg(fcinfo, 0);
	SessionState *b = sess_arg(fcinfo, 1);

	PG_RETURN_BOOL(memcmp(&a->gap_us, &b->gap_us, SESS_SIZE - offsetof(SessionState, gap_us)) == 0);
}

PG_FUNCTION_INFO_V1(engage_session_state_ne);
/* a <> b: different gap or counts. */
Datum
engage_session_state_ne(PG_FUNCTION_ARGS)
{
	SessionState *a = sess_arg(fcinfo, 0);
	SessionState *b = sess_arg(fcinfo, 1);

	PG_RETURN_BOOL(memcmp(&a->gap_us, &b->gap_us, SESS_SIZE - offsetof(SessionState, gap_us)) != 0);
}

PG_FUNCTION_INFO_V1(engage_session_state_hash);
/* Hash of a state, consistent with =, for DISTINCT, UNION and hash joins. */
Datum
engage_session_state_hash(PG_FUNCTION_ARGS)
{
	SessionState *s = sess_arg(fcinfo, 0);

	return hash_any((const unsigned char *) &s->gap_us, SESS_SIZE - offsetof(SessionState, gap_us));
}

/* Append microseconds as exact seconds with 6 decimals (us >= 0). */
static void
sess_append_seconds(StringInfo buf, int64 us)
{
	appendStringInfo(buf, "%lld.%06lld", (long long) (us / USECS_PER_SEC), (long long) (us % USECS_PER_SEC));
}

PG_FUNCTION_INFO_V1(engage_session_state_jsonb);
/* session_state as jsonb: the counts, durations in seconds and the rates. */
Datum
engage_session_state_jsonb(PG_FUNCTION_ARGS)
{
	SessionState *s = sess_arg(fcinfo, 0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"gap_seconds\": ", s->version);
	sess_append_seconds(&buf, s->gap_us);
	appendStringInfo(&buf, ", \"sessions\": %lld, \"events\": %lld, \"bounces\": %lld, \"engaged_sessions\": %lld, "
					 "\"total_duration_seconds\": ",
					 (long long) s->sessions, (long long) s->events, (long long) s->bounces, (long long) s->engaged);
	sess_append_seconds(&buf, s->duration_us);
	if (s->sessions == 0)
		appendStringInfoString(&buf, ", \"avg_session_seconds\": null, \"pages_per_session\": null, "
							   "\"bounce_rate\": null, \"engagement_rate\": null}");
	else
	{
		appendStringInfoString(&buf, ", \"avg_session_seconds\": ");
		hist_append_double(&buf, (double) s->duration_us / (double) s->sessions / 1e6);
		appendStringInfoString(&buf, ", \"pages_per_session\": ");
		hist_append_double(&buf, (double) s->events / (double) s->sessions);
		appendStringInfoString(&buf, ", \"bounce_rate\": ");
		hist_append_double(&buf, 100.0 * (double) s->bounces / (double) s->sessions);
		appendStringInfoString(&buf, ", \"engagement_rate\": ");
		hist_append_double(&buf, 100.0 * (double) s->engaged / (double) s->sessions);
		appendStringInfoChar(&buf, '}');
	}
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
