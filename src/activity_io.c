/*
 * activity_io.c: text, binary and jsonb forms of activity_state (layout
 * and text form described in activity.c).
 */
#include "postgres.h"

#include <ctype.h>

#include "catalog/pg_type.h"
#include "common/int.h"
/* some server headers and simplehash.h have unused parameters (-Wextra) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#pragma GCC diagnostic pop

#include "engage.h"
#include "activity.h"

/* ------------------------------------------------------------------------
 * Text and binary forms, jsonb
 * ------------------------------------------------------------------------
 */

/* Text parser cursor. */
typedef struct ActParser
{
	const char *str;			/* whole literal, for messages */
	const char *p;
} ActParser;

/* Raise the 22P02 error for a malformed literal (quoted up to 60 bytes). */
static void
act_syntax_error(ActParser *ps, const char *detail)
{
	int			len = strlen(ps->str);

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type activity_state: \"%.*s%s\"",
					len > 60 ? pg_mbcliplen(ps->str, len, 60) : len, ps->str, len > 60 ? "..." : ""),
			 errdetail("%s", detail),
			 errhint(ACT_FORM_HINT)));
}

/* Expect character c at the cursor. */
static void
act_expect(ActParser *ps, char c)
{
	if (*ps->p != c)
		act_syntax_error(ps, psprintf("Expected \"%c\" at offset %d.", c, (int) (ps->p - ps->str)));
	ps->p++;
}

/* Read a whole number with an optional minus sign into *v (int64 range). */
static void
act_read_int(ActParser *ps, int64 *v, bool allow_sign, const char *what)
{
	const char *start = ps->p;
	bool		neg = false;
	int64		x = 0;

	if (allow_sign && *ps->p == '-')
	{
		neg = true;
		ps->p++;
	}
	if (!isdigit((unsigned char) *ps->p))
		act_syntax_error(ps, psprintf("Expected %s at offset %d.", what, (int) (start - ps->str)));
	while (isdigit((unsigned char) *ps->p))
	{
		/* accumulate negatively, so that -2^63 parses */
		if (pg_mul_s64_overflow(x, 10, &x) || pg_sub_s64_overflow(x, *ps->p - '0', &x))
			act_syntax_error(ps, psprintf("Expected %s at offset %d, within the range of bigint.",
										  what, (int) (start - ps->str)));
		ps->p++;
	}
	if (!neg)
	{
		if (x == PG_INT64_MIN)
			act_syntax_error(ps, psprintf("Expected %s at offset %d, within the range of bigint.",
										  what, (int) (start - ps->str)));
		x = -x;
	}
	*v = x;
}

/* Read a day YYYY-MM-DD (a real calendar date). */
static DateADT
act_read_day(ActParser *ps)
{
	const char *start = ps->p;
	int			f[3] = {0, 0, 0};
	int			widths[3] = {4, 2, 2};
	int			k;
	int			i;
	int			y,
				m,
				d;

	for (k = 0; k < 3; k++)
	{
		if (k > 0)
			act_expect(ps, '-');
		for (i = 0; i < widths[k]; i++)
		{
			if (!isdigit((unsigned char) *ps->p))
				act_syntax_error(ps, psprintf("Expected a day YYYY-MM-DD at offset %d.", (int) (start - ps->str)));
			f[k] = f[k] * 10 + (*ps->p++ - '0');
		}
	}
	if (f[0] < 1 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31)
		act_syntax_error(ps, psprintf("%.10s is not a valid day.", start));
	j2date(date2j(f[0], f[1], f[2]), &y, &m, &d);
	if (y != f[0] || m != f[1] || d != f[2])
		act_syntax_error(ps, psprintf("%.10s is not a valid day.", start));
	return date2j(f[0], f[1], f[2]) - POSTGRES_EPOCH_JDATE;
}

/* Value of a hex digit, or -1. */
static inline int
act_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

PG_FUNCTION_INFO_V1(engage_activity_state_in);
/* Text input: parse, then validate as any stored state (22P02). */
Datum
engage_activity_state_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	ActParser	ps = {str, str};
	int64		version;
	int64		ndays;
	DateADT		first;
	int			rb;
	StringInfoData ids;
	StringInfoData bits;
	int64		n = 0;
	int64		size;
	ActivityState *s;
	const char *problem;

	while (isspace((unsigned char) *ps.p))
		ps.p++;
	act_expect(&ps, 'v');
	act_read_int(&ps, &version, false, "a format version");
	if (version < 1 || version > ACT_VERSION)
		act_syntax_error(&ps, engage_version_detail(version, ACT_VERSION));
	act_expect(&ps, ':');
	first = act_read_day(&ps);
	act_expect(&ps, ':');
	act_read_int(&ps, &ndays, false, "the number of days");
	if (ndays < 1 || ndays > ACT_MAX_DAYS)
		act_syntax_error(&ps, psprintf("The range has %lld days; a state covers 1 to %d days.",
									   (long long) ndays, ACT_MAX_DAYS));
	rb = ACT_ROWBYTES((int) ndays);
	act_expect(&ps, ':');
	act_expect(&ps, '{');
	initStringInfo(&ids);
	initStringInfo(&bits);
	while (*ps.p != '}')
	{
		int64		uid;
		int			j;

		if (n > 0)
			act_expect(&ps, ',');
		act_read_int(&ps, &uid, true, "a user id");
		act_expect(&ps, '=');
		appendBinaryStringInfo(&ids, (const char *) &uid, sizeof(int64));
		for (j = 0; j < rb; j++)
		{
			int			hi = act_hexval(ps.p[0]);
			int			lo = hi < 0 ? -1 : act_hexval(ps.p[1]);
			char		byte;

			if (lo < 0)
				act_syntax_error(&ps, psprintf("User %lld needs a bitmap of exactly %d hex digits for %lld days.",
											   (long long) uid, 2 * rb, (long long) ndays));
			byte = (char) (hi * 16 + lo);
			appendStringInfoChar(&bits, byte);
			ps.p += 2;
		}
		if (act_hexval(*ps.p) >= 0)
			act_syntax_error(&ps, psprintf("User %lld needs a bitmap of exactly %d hex digits for %lld days.",
										   (long long) uid, 2 * rb, (long long) ndays));
		n++;
		if (act_size(n, ndays) < 0)
			act_syntax_error(&ps, "The state would be larger than 1 GB.");
	}
	ps.p++;
	while (isspace((unsigned char) *ps.p))
		ps.p++;
	if (*ps.p != '\0')
		act_syntax_error(&ps, "Unexpected characters after \"}\".");
	if (n == 0)
		act_syntax_error(&ps, "A state has at least one user.");
	size = act_size(n, ndays);
	s = palloc0((Size) size);
	SET_VARSIZE(s, size);
	s->version = ACT_VERSION;
	s->first_day = first;
	s->ndays = (int32) ndays;
	s->nusers = (int32) n;
	memcpy(s->users, ids.data, sizeof(int64) * n);
	memcpy(ACT_BITS(s), bits.data, (size_t) n * rb);
	problem = act_problem(s, size);
	if (problem)
		act_syntax_error(&ps, problem);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_activity_state_out);
/* Text output: the exact canonical form. */
Datum
engage_activity_state_out(PG_FUNCTION_ARGS)
{
	ActivityState *s = act_arg(fcinfo, 0);
	int			rb = ACT_ROWBYTES(s->ndays);
	static const char hex[] = "0123456789abcdef";
	StringInfoData buf;
	int32		i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "v%d:", ACT_VERSION);
	act_append_day(&buf, s->first_day);
	appendStringInfo(&buf, ":%d:{", s->ndays);
	for (i = 0; i < s->nusers; i++)
	{
		const uint8 *row = ACT_ROW(s, i);
		int			j;

		CHECK_FOR_INTERRUPTS();
		appendStringInfo(&buf, "%s" INT64_FORMAT "=", i ? "," : "", s->users[i]);
		enlargeStringInfo(&buf, 2 * rb);
		for (j = 0; j < rb; j++)
		{
			buf.data[buf.len++] = hex[row[j] >> 4];
			buf.data[buf.len++] = hex[row[j] & 15];
		}
		buf.data[buf.len] = '\0';
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

/* Raise the 22P03 error of the binary input. */
static void
act_binary_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary activity_state"),
			 errdetail("%s", detail)));
}

PG_FUNCTION_INFO_V1(engage_activity_state_recv);
/* Binary input: every length checked first, then the checks of the text input. */
Datum
engage_activity_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int64		left = msg->len - msg->cursor;
	int16		version;
	int16		flags;
	int32		first;
	int32		ndays;
	int32		nusers;
	int64		size;
	int			rb;
	ActivityState *s;
	const char *problem;
	int32		i;

	if (left < 16)
		act_binary_error("The value is shorter than the 16-byte header.");
	version = (int16) pq_getmsgint(msg, 2);
	flags = (int16) pq_getmsgint(msg, 2);
	first = (int32) pq_getmsgint(msg, 4);
	ndays = (int32) pq_getmsgint(msg, 4);
	nusers = (int32) pq_getmsgint(msg, 4);
	if (version < 1 || version > ACT_VERSION)
		act_binary_error(engage_version_detail(version, ACT_VERSION));
	if (ndays < 1 || ndays > ACT_MAX_DAYS)
		act_binary_error(psprintf("The range has %d days; a state covers 1 to %d days.", ndays, ACT_MAX_DAYS));
	if (nusers < 1)
		act_binary_error("A state has at least one user.");
	size = act_size(nusers, ndays);
	rb = ACT_ROWBYTES(ndays);
	if (size < 0 || size - (int64) ACT_HDRSZ != left - 16)
		act_binary_error(psprintf("%d users over %d days take %lld bytes after the header, not %lld.",
								  nusers, ndays, (long long) nusers * (8 + rb), (long long) (left - 16)));
	s = palloc0((Size) size);
	SET_VARSIZE(s, size);
	s->version = ACT_VERSION;
	s->flags = flags;
	s->first_day = first;
	s->ndays = ndays;
	s->nusers = nusers;
	for (i = 0; i < nusers; i++)
	{
		s->users[i] = (int64) pq_getmsgint64(msg);
		pq_copymsgbytes(msg, (char *) ACT_ROW(s, i), rb);
	}
	pq_getmsgend(msg);
	problem = act_problem(s, size);
	if (problem)
		act_binary_error(problem);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_activity_state_send);
/* Binary output. */
Datum
engage_activity_state_send(PG_FUNCTION_ARGS)
{
	ActivityState *s = act_arg(fcinfo, 0);
	int			rb = ACT_ROWBYTES(s->ndays);
	StringInfoData buf;
	int32		i;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, ACT_VERSION);
	pq_sendint16(&buf, 0);
	pq_sendint32(&buf, s->first_day);
	pq_sendint32(&buf, s->ndays);
	pq_sendint32(&buf, s->nusers);
	for (i = 0; i < s->nusers; i++)
	{
		pq_sendint64(&buf, s->users[i]);
		pq_sendbytes(&buf, (const char *) ACT_ROW(s, i), rb);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_activity_state_jsonb);
/*
 * The cast to jsonb: a summary (format version, range, users, active
 * user-days, size in bytes), not the bitmaps.
 */
Datum
engage_activity_state_jsonb(PG_FUNCTION_ARGS)
{
	ActivityState *s = act_arg(fcinfo, 0);
	StringInfoData buf;
	int64		userdays = (int64) pg_popcount((const char *) ACT_BITS(s),
											   (int) ((size_t) s->nusers * ACT_ROWBYTES(s->ndays)));

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"first_day\": \"", s->version);
	act_append_day(&buf, s->first_day);
	appendStringInfoString(&buf, "\", \"last_day\": \"");
	act_append_day(&buf, s->first_day + s->ndays - 1);
	appendStringInfo(&buf, "\", \"days\": %d, \"users\": %d, \"active_user_days\": " INT64_FORMAT
					 ", \"bytes\": %u}",
					 s->ndays, s->nusers, userdays, (unsigned) VARSIZE(s));
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/* ------------------------------------------------------------------------
 * Readers
 * ------------------------------------------------------------------------
 */
