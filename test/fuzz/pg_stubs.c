/*
 * pg_stubs.c: minimal stand-ins for the PostgreSQL backend functions that
 * engage's type input/output and (de)serialize functions call, so that they
 * can run in a libFuzzer process without a server.
 *
 * - Memory: palloc and friends on malloc; every chunk is tracked and freed by
 *   fz_free_all() after each input, like the end of a query; fresh chunks
 *   are filled with a varying junk byte, so that a value that keeps
 *   uninitialised bytes compares unequal with a copy of itself.
 * - Errors: ereport(ERROR) records the SQLSTATE and texts in fz_error and
 *   siglongjmp()s to PG_exception_stack, as the backend does; FATAL and
 *   PANIC abort().
 * - StringInfo, pqformat, detoasting, float8 text I/O, date and timestamp
 *   helpers: small re-implementations with the backend's behaviour and
 *   SQLSTATEs (timestamptz_in accepts the ISO forms only, in UTC).
 * Anything else engage references is an abort() stub generated at build time
 * (build.sh), so a path that reaches one is reported as a crash.
 */
#include "postgres.h"

#include <ctype.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>

#include "common/int.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/nodes.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pg_stubs.h"

/* ------------------------------------------------------------------------
 * Globals the code (or the macros it uses) reads
 * ------------------------------------------------------------------------ */

sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;
volatile sig_atomic_t InterruptPending = false;
int			work_mem = 4096;
int			extra_float_digits = 1;

/* The one memory context: a MemoryContextData with a plausible tag. */
static MemoryContextData fz_context;
MemoryContext CurrentMemoryContext = NULL;

/* A node tagged AggState for fcinfo->context (only the tag is ever read). */
static NodeTag fz_agg_node = T_AggState;
Node	   *fz_agg_context = (Node *) &fz_agg_node;

FzError		fz_error;

/* Interrupts are never pending here. */
void
ProcessInterrupts(void)
{
}

/* ------------------------------------------------------------------------
 * Memory
 * ------------------------------------------------------------------------ */

static void **fz_chunks = NULL;
static long fz_nchunks = 0;
static long fz_capchunks = 0;
static unsigned fz_seq = 0;

void
fz_init(void)
{
	memset(&fz_context, 0, sizeof(fz_context));
	fz_context.type = T_AllocSetContext;
	fz_context.name = "fuzz";
	CurrentMemoryContext = &fz_context;
}

/* Remember a chunk; abort if the tracking array cannot grow. */
static void
fz_track(void *p)
{
	if (fz_nchunks == fz_capchunks)
	{
		fz_capchunks = fz_capchunks ? 2 * fz_capchunks : 1024;
		fz_chunks = realloc(fz_chunks, fz_capchunks * sizeof(void *));
		if (fz_chunks == NULL)
			abort();
	}
	fz_chunks[fz_nchunks++] = p;
}

/* Index of a tracked chunk (searched from the newest); abort if unknown. */
static long
fz_find(void *p)
{
	long		i;

	for (i = fz_nchunks - 1; i >= 0; i--)
		if (fz_chunks[i] == p)
			return i;
	fprintf(stderr, "pfree/repalloc of a pointer that palloc did not return: %p\n", p);
	abort();
}

void
fz_free_all(void)
{
	long		i;

	for (i = 0; i < fz_nchunks; i++)
		free(fz_chunks[i]);
	fz_nchunks = 0;
}

long
fz_live_chunks(void)
{
	return fz_nchunks;
}

/* The common allocator: size checked as the backend does, junk or zero filled. */
static void *
fz_alloc(Size size, int flags)
{
	void	   *p;

	if ((flags & MCXT_ALLOC_HUGE) ? !AllocHugeSizeIsValid(size) : !AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	p = malloc(size ? size : 1);
	if (p == NULL)
	{
		if (flags & MCXT_ALLOC_NO_OOM)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed on request of size %zu.", size)));
	}
	if (flags & MCXT_ALLOC_ZERO)
		memset(p, 0, size);
	else
		memset(p, 0x7F ^ (fz_seq & 0x3F), size);
	fz_seq++;
	fz_track(p);
	return p;
}

void *
palloc(Size size)
{
	return fz_alloc(size, 0);
}

void *
palloc0(Size size)
{
	return fz_alloc(size, MCXT_ALLOC_ZERO);
}

void *
palloc_extended(Size size, int flags)
{
	return fz_alloc(size, flags);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return fz_alloc(size, 0);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return fz_alloc(size, MCXT_ALLOC_ZERO);
}

void *
MemoryContextAllocZeroAligned(MemoryContext context, Size size)
{
	return fz_alloc(size, MCXT_ALLOC_ZERO);
}

void *
MemoryContextAllocExtended(MemoryContext context, Size size, int flags)
{
	return fz_alloc(size, flags);
}

void *
MemoryContextAllocHuge(MemoryContext context, Size size)
{
	return fz_alloc(size, MCXT_ALLOC_HUGE);
}

/* Resize a tracked chunk (the size checked with the given limit). */
static void *
fz_realloc(void *pointer, Size size, bool huge)
{
	long		i = fz_find(pointer);
	void	   *p;

	if (huge ? !AllocHugeSizeIsValid(size) : !AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	p = realloc(pointer, size ? size : 1);
	if (p == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed on request of size %zu.", size)));
	fz_chunks[i] = p;
	return p;
}

void *
repalloc(void *pointer, Size size)
{
	return fz_realloc(pointer, size, false);
}

void *
repalloc_huge(void *pointer, Size size)
{
	return fz_realloc(pointer, size, true);
}

void
pfree(void *pointer)
{
	long		i = fz_find(pointer);

	free(pointer);
	fz_chunks[i] = fz_chunks[--fz_nchunks];
}

char *
pstrdup(const char *in)
{
	return pnstrdup(in, strlen(in));
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *out;

	len = strnlen(in, len);
	out = palloc(len + 1);
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

char *
psprintf(const char *fmt,...)
{
	size_t		len = 128;

	for (;;)
	{
		char	   *buf = palloc(len);
		va_list		args;
		int			n;

		va_start(args, fmt);
		n = pg_vsnprintf(buf, len, fmt, args);
		va_end(args);
		if (n < 0)
			elog(ERROR, "vsnprintf failed: %m with format string \"%s\"", fmt);
		if ((size_t) n < len)
			return buf;
		pfree(buf);
		len = (size_t) n + 1;
	}
}

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

static int	fz_elevel;
static int	fz_saved_errno;

bool
errstart(int elevel, const char *domain)
{
	if (elevel < ERROR)
		return false;			/* notices and warnings are dropped */
	fz_elevel = elevel;
	fz_saved_errno = errno;
	fz_error.sqlerrcode = ERRCODE_INTERNAL_ERROR;
	fz_error.message[0] = '\0';
	fz_error.detail[0] = '\0';
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	fz_error.filename = filename;
	fz_error.lineno = lineno;
	fz_error.funcname = funcname;
	if (fz_elevel >= FATAL || PG_exception_stack == NULL)
	{
		fprintf(stderr, "ereport(%s) at %s:%d: %s\n", fz_elevel >= FATAL ? "FATAL" : "ERROR",
				filename, lineno, fz_error.message);
		abort();
	}
	siglongjmp(*PG_exception_stack, 1);
}

int
errcode(int sqlerrcode)
{
	fz_error.sqlerrcode = sqlerrcode;
	return 0;
}

/* Format into one of fz_error's buffers (truncated). */
static void
fz_format(char *dst, size_t size, const char *fmt, va_list args)
{
	errno = fz_saved_errno;
	pg_vsnprintf(dst, size, fmt, args);
}

int
errmsg(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	fz_format(fz_error.message, sizeof(fz_error.message), fmt, args);
	va_end(args);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	fz_format(fz_error.message, sizeof(fz_error.message), fmt, args);
	va_end(args);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	fz_format(fz_error.detail, sizeof(fz_error.detail), fmt, args);
	va_end(args);
	return 0;
}

int
errdetail_internal(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	fz_format(fz_error.detail, sizeof(fz_error.detail), fmt, args);
	va_end(args);
	return 0;
}

int
errhint(const char *fmt,...)
{
	return 0;
}

const char *
fz_sqlstate(int code)
{
	static char buf[6];
	int			i;

	for (i = 0; i < 5; i++)
	{
		buf[i] = PGUNSIXBIT(code);
		code >>= 6;
	}
	buf[5] = '\0';
	return buf;
}

/* ------------------------------------------------------------------------
 * StringInfo (lib/stringinfo.c)
 * ------------------------------------------------------------------------ */

StringInfo
makeStringInfo(void)
{
	StringInfo	res = palloc(sizeof(StringInfoData));

	initStringInfo(res);
	return res;
}

void
initStringInfo(StringInfo str)
{
	str->maxlen = 1024;
	str->data = palloc(str->maxlen);
	resetStringInfo(str);
}

void
resetStringInfo(StringInfo str)
{
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

/* Try to append; 0 when done, else the space needed (the caller enlarges). */
int
appendStringInfoVA(StringInfo str, const char *fmt, va_list args)
{
	int			avail = str->maxlen - str->len;
	int			n;

	if (avail < 16)
		return 32;
	n = pg_vsnprintf(str->data + str->len, (size_t) avail, fmt, args);
	if (n < 0)
		elog(ERROR, "vsnprintf failed: %m with format string \"%s\"", fmt);
	if (n < avail)
	{
		str->len += n;
		return 0;
	}
	str->data[str->len] = '\0';
	return n + 1;
}

void
appendStringInfo(StringInfo str, const char *fmt,...)
{
	int			save_errno = errno;

	for (;;)
	{
		va_list		args;
		int			needed;

		errno = save_errno;
		va_start(args, fmt);
		needed = appendStringInfoVA(str, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(str, needed);
	}
}

void
appendStringInfoString(StringInfo str, const char *s)
{
	appendBinaryStringInfo(str, s, strlen(s));
}

void
appendStringInfoChar(StringInfo str, char ch)
{
	if (str->len + 1 >= str->maxlen)
		enlargeStringInfo(str, 1);
	str->data[str->len] = ch;
	str->len++;
	str->data[str->len] = '\0';
}

void
appendStringInfoSpaces(StringInfo str, int count)
{
	if (count > 0)
	{
		enlargeStringInfo(str, count);
		while (--count >= 0)
			str->data[str->len++] = ' ';
		str->data[str->len] = '\0';
	}
}

void
appendBinaryStringInfo(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

void
appendBinaryStringInfoNT(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	int			newlen;

	if (needed < 0)
		elog(ERROR, "invalid string enlargement request size: %d", needed);
	if (((Size) needed) >= (MaxAllocSize - (Size) str->len))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("out of memory"),
				 errdetail("Cannot enlarge string buffer containing %d bytes by %d more bytes.",
						   str->len, needed)));
	needed += str->len + 1;
	if (needed <= str->maxlen)
		return;
	newlen = 2 * str->maxlen;
	while (needed > newlen)
		newlen = 2 * newlen;
	if (newlen > (int) MaxAllocSize)
		newlen = (int) MaxAllocSize;
	str->data = repalloc(str->data, newlen);
	str->maxlen = newlen;
}

/* ------------------------------------------------------------------------
 * pqformat (libpq/pqformat.c)
 * ------------------------------------------------------------------------ */

void
pq_begintypsend(StringInfo buf)
{
	initStringInfo(buf);
	appendStringInfoSpaces(buf, VARHDRSZ);
}

bytea *
pq_endtypsend(StringInfo buf)
{
	bytea	   *result = (bytea *) buf->data;

	SET_VARSIZE(result, buf->len);
	return result;
}

void
pq_sendbytes(StringInfo buf, const char *data, int datalen)
{
	appendBinaryStringInfo(buf, data, datalen);
}

void
pq_sendfloat8(StringInfo buf, float8 f)
{
	union
	{
		float8		f;
		int64		i;
	}			swap;

	swap.f = f;
	pq_sendint64(buf, swap.i);
}

void
pq_copymsgbytes(StringInfo msg, char *buf, int datalen)
{
	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	memcpy(buf, &msg->data[msg->cursor], datalen);
	msg->cursor += datalen;
}

const char *
pq_getmsgbytes(StringInfo msg, int datalen)
{
	const char *result;

	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	result = &msg->data[msg->cursor];
	msg->cursor += datalen;
	return result;
}

unsigned int
pq_getmsgint(StringInfo msg, int b)
{
	unsigned char n8;
	uint16		n16;
	uint32		n32;

	switch (b)
	{
		case 1:
			pq_copymsgbytes(msg, (char *) &n8, 1);
			return n8;
		case 2:
			pq_copymsgbytes(msg, (char *) &n16, 2);
			return pg_ntoh16(n16);
		case 4:
			pq_copymsgbytes(msg, (char *) &n32, 4);
			return pg_ntoh32(n32);
	}
	elog(ERROR, "unsupported integer size %d", b);
	return 0;
}

int64
pq_getmsgint64(StringInfo msg)
{
	uint64		n64;

	pq_copymsgbytes(msg, (char *) &n64, sizeof(n64));
	return (int64) pg_ntoh64(n64);
}

float8
pq_getmsgfloat8(StringInfo msg)
{
	union
	{
		float8		f;
		int64		i;
	}			swap;

	swap.i = pq_getmsgint64(msg);
	return swap.f;
}

void
pq_getmsgend(StringInfo msg)
{
	if (msg->cursor != msg->len)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("invalid message format")));
}

/* ------------------------------------------------------------------------
 * fmgr: aggregate context, detoasting (short headers only), text
 * ------------------------------------------------------------------------ */

int
AggCheckCallContext(FunctionCallInfo fcinfo, MemoryContext *aggcontext)
{
	if (fcinfo->context && IsA(fcinfo->context, AggState))
	{
		if (aggcontext)
			*aggcontext = CurrentMemoryContext;
		return AGG_CONTEXT_AGGREGATE;
	}
	if (aggcontext)
		*aggcontext = NULL;
	return 0;
}

/* A copy with a 4-byte header of a plain varlena (1-byte or 4-byte header). */
static struct varlena *
fz_expand(struct varlena *datum)
{
	struct varlena *res;
	Size		len;

	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
	{
		fprintf(stderr, "fuzz harness: external or compressed datum\n");
		abort();
	}
	len = VARSIZE_ANY_EXHDR(datum);
	res = palloc(len + VARHDRSZ);
	SET_VARSIZE(res, len + VARHDRSZ);
	memcpy(VARDATA(res), VARDATA_ANY(datum), len);
	return res;
}

struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	if (VARATT_IS_EXTENDED(datum))
		return fz_expand(datum);
	return datum;
}

struct varlena *
pg_detoast_datum_copy(struct varlena *datum)
{
	return fz_expand(datum);
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	if (VARATT_IS_COMPRESSED(datum) || VARATT_IS_EXTERNAL(datum))
		return fz_expand(datum);
	return datum;
}

text *
cstring_to_text_with_len(const char *s, int len)
{
	text	   *result = palloc(len + VARHDRSZ);

	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), s, len);
	return result;
}

text *
cstring_to_text(const char *s)
{
	return cstring_to_text_with_len(s, strlen(s));
}

char *
text_to_cstring(const text *t)
{
	text	   *tunpacked = pg_detoast_datum_packed(unconstify(text *, t));

	return pnstrdup(VARDATA_ANY(tunpacked), VARSIZE_ANY_EXHDR(tunpacked));
}

/* ------------------------------------------------------------------------
 * Encoding (the database encoding is UTF8)
 * ------------------------------------------------------------------------ */

bool
pg_verifymbstr(const char *mbstr, int len, bool noError)
{
	if (pg_encoding_verifymbstr(PG_UTF8, mbstr, len) == len)
		return true;
	if (noError)
		return false;
	ereport(ERROR,
			(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
			 errmsg("invalid byte sequence for encoding \"UTF8\"")));
	return false;
}

int
pg_mbcliplen(const char *mbstr, int len, int limit)
{
	int			clen = 0;
	int			l;

	while (len > 0 && *mbstr)
	{
		l = pg_utf_mblen((const unsigned char *) mbstr);
		if ((clen + l) > limit)
			break;
		clen += l;
		if (clen == limit)
			break;
		len -= l;
		mbstr += l;
	}
	return clen;
}

/* ------------------------------------------------------------------------
 * float8 text I/O (utils/adt/float.c): the backend's rules and SQLSTATEs
 * ------------------------------------------------------------------------ */

float8
float8in_internal(char *num, char **endptr_p, const char *type_name, const char *orig_string)
{
	double		val;
	char	   *endptr;

	while (*num != '\0' && isspace((unsigned char) *num))
		num++;
	if (*num == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", type_name, orig_string)));
	errno = 0;
	val = strtod(num, &endptr);
	if (endptr == num || errno != 0)
	{
		int			save_errno = errno;

		if (pg_strncasecmp(num, "NaN", 3) == 0)
		{
			val = get_float8_nan();
			endptr = num + 3;
		}
		else if (pg_strncasecmp(num, "Infinity", 8) == 0)
		{
			val = get_float8_infinity();
			endptr = num + 8;
		}
		else if (pg_strncasecmp(num, "+Infinity", 9) == 0)
		{
			val = get_float8_infinity();
			endptr = num + 9;
		}
		else if (pg_strncasecmp(num, "-Infinity", 9) == 0)
		{
			val = -get_float8_infinity();
			endptr = num + 9;
		}
		else if (pg_strncasecmp(num, "inf", 3) == 0)
		{
			val = get_float8_infinity();
			endptr = num + 3;
		}
		else if (pg_strncasecmp(num, "+inf", 4) == 0)
		{
			val = get_float8_infinity();
			endptr = num + 4;
		}
		else if (pg_strncasecmp(num, "-inf", 4) == 0)
		{
			val = -get_float8_infinity();
			endptr = num + 4;
		}
		else if (save_errno == ERANGE)
		{
			/* underflow to a denormal is accepted, not to zero or overflow */
			if (val == 0.0 || val >= HUGE_VAL || val <= -HUGE_VAL)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("\"%s\" is out of range for type double precision",
								pnstrdup(num, endptr - num))));
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"", type_name, orig_string)));
	}
	while (*endptr != '\0' && isspace((unsigned char) *endptr))
		endptr++;
	if (endptr_p)
		*endptr_p = endptr;
	else if (*endptr != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", type_name, orig_string)));
	return val;
}

char *
float8out_internal(double num)
{
	char	   *ascii = palloc(32);

	/* extra_float_digits = 1, the default: the shortest exact form */
	double_to_shortest_decimal_buf(num, ascii);
	return ascii;
}

/* ------------------------------------------------------------------------
 * Dates and timestamps (proleptic Gregorian, UTC)
 * ------------------------------------------------------------------------ */

/* Days from 1970-01-01 of y-m-d (m 1..12; d past the month runs over). */
static int64
fz_days_from_civil(int64 y, int64 m, int64 d)
{
	int64		era;
	int64		yoe;
	int64		doy;
	int64		doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day number from 1970-01-01. */
static void
fz_civil_from_days(int64 z, int *year, int *month, int *day)
{
	int64		era;
	int64		doe;
	int64		yoe;
	int64		y;
	int64		doy;
	int64		mp;
	int64		m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	m = mp + (mp < 10 ? 3 : -9);
	*day = (int) (doy - (153 * mp + 2) / 5 + 1);
	*month = (int) m;
	*year = (int) (y + (m <= 2));
}

#define FZ_UNIX_EPOCH_JDATE	2440588

int
date2j(int year, int month, int day)
{
	if (month < 1 || month > 12)
	{
		/* the backend's formula accepts any month; carry it into the year */
		int64		m0 = (int64) month - 1;
		int64		yc = m0 >= 0 ? m0 / 12 : -((-m0 + 11) / 12);

		return (int) (fz_days_from_civil((int64) year + yc, m0 - yc * 12 + 1, day) + FZ_UNIX_EPOCH_JDATE);
	}
	return (int) (fz_days_from_civil(year, month, day) + FZ_UNIX_EPOCH_JDATE);
}

void
j2date(int jd, int *year, int *month, int *day)
{
	fz_civil_from_days((int64) jd - FZ_UNIX_EPOCH_JDATE, year, month, day);
}

int
timestamp2tm(Timestamp dt, int *tzp, struct pg_tm *tm, fsec_t *fsec,
			 const char **tzn, pg_tz *attimezone)
{
	int64		date = dt / USECS_PER_DAY;
	int64		time = dt % USECS_PER_DAY;

	if (time < 0)
	{
		time += USECS_PER_DAY;
		date -= 1;
	}
	date += POSTGRES_EPOCH_JDATE;
	if (date < 0 || date > (int64) INT_MAX)
		return -1;
	j2date((int) date, &tm->tm_year, &tm->tm_mon, &tm->tm_mday);
	tm->tm_hour = (int) (time / USECS_PER_HOUR);
	time -= tm->tm_hour * USECS_PER_HOUR;
	tm->tm_min = (int) (time / USECS_PER_MINUTE);
	time -= tm->tm_min * USECS_PER_MINUTE;
	tm->tm_sec = (int) (time / USECS_PER_SEC);
	*fsec = (fsec_t) (time - tm->tm_sec * USECS_PER_SEC);
	tm->tm_gmtoff = 0;
	tm->tm_zone = NULL;
	if (tzp == NULL)
	{
		tm->tm_isdst = -1;
		if (tzn)
			*tzn = NULL;
		return 0;
	}
	/* the session time zone is UTC */
	tm->tm_isdst = 0;
	*tzp = 0;
	if (tzn)
		*tzn = "UTC";
	return 0;
}

void
EncodeDateTime(struct pg_tm *tm, fsec_t fsec, bool print_tz, int tz, const char *tzn, int style, char *str)
{
	char	   *p = str;

	if (style != USE_ISO_DATES)
	{
		fprintf(stderr, "fuzz harness: EncodeDateTime style %d\n", style);
		abort();
	}
	if (tm->tm_isdst < 0)
		print_tz = false;
	p += sprintf(p, "%04d-%02d-%02d %02d:%02d:%02d",
				 tm->tm_year > 0 ? tm->tm_year : -(tm->tm_year - 1),
				 tm->tm_mon, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec);
	if (fsec != 0)
	{
		int			n;

		p += sprintf(p, ".%06d", abs(fsec));
		for (n = 0; n < 5 && p[-1] == '0'; n++)
			*--p = '\0';
	}
	if (print_tz)
	{
		int			sec = abs(tz);
		int			min = sec / 60;
		int			hour;

		sec -= min * 60;
		hour = min / 60;
		min -= hour * 60;
		if (sec != 0)
			p += sprintf(p, "%c%02d:%02d:%02d", tz <= 0 ? '+' : '-', hour, min, sec);
		else if (min != 0)
			p += sprintf(p, "%c%02d:%02d", tz <= 0 ? '+' : '-', hour, min);
		else
			p += sprintf(p, "%c%02d", tz <= 0 ? '+' : '-', hour);
	}
	if (tm->tm_year <= 0)
		p += sprintf(p, " BC");
	*p = '\0';
}

/* Read 1..maxdigits digits at *pp into *v; false when there are none or too many. */
static bool
fz_read_digits(const char **pp, int maxdigits, int64 *v, int *ndigits)
{
	const char *p = *pp;
	int64		x = 0;
	int			n = 0;

	while (isdigit((unsigned char) *p))
	{
		if (n == maxdigits)
			return false;
		x = x * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0)
		return false;
	*pp = p;
	*v = x;
	if (ndigits)
		*ndigits = n;
	return true;
}

/* The 22007 / 22008 / 22009 errors of timestamptz_in. */
static void
fz_ts_error(int code, const char *str)
{
	if (code == ERRCODE_INVALID_DATETIME_FORMAT)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid input syntax for type timestamp with time zone: \"%s\"", str)));
	if (code == ERRCODE_INVALID_TIME_ZONE_DISPLACEMENT_VALUE)
		ereport(ERROR,
				(errcode(code),
				 errmsg("time zone displacement out of range: \"%s\"", str)));
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
			 errmsg("date/time field value out of range: \"%s\"", str)));
}

/*
 * timestamptz_in for the ISO forms only, with the session time zone UTC:
 *   [-+]infinity | Y-M-D[( |T)H:M[:S[.F]]][ ][Z|UTC|+-HH[[:]MM[:SS]]][ BC|AD]
 * Errors: 22007 syntax, 22008 field or timestamp out of range, 22009 zone.
 */
Datum
timestamptz_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	int64		y,
				mo,
				d,
				h = 0,
				mi = 0,
				s = 0,
				fus = 0;
	int64		tz = 0;			/* seconds east of UTC */
	bool		bc = false;
	int64		days;
	int64		ts;
	int			nd;

	while (isspace((unsigned char) *p))
		p++;
	{
		const char *e = p + strlen(p);

		while (e > p && isspace((unsigned char) e[-1]))
			e--;
		if ((e - p == 8 && pg_strncasecmp(p, "infinity", 8) == 0) ||
			(e - p == 9 && pg_strncasecmp(p, "+infinity", 9) == 0))
			PG_RETURN_TIMESTAMPTZ(DT_NOEND);
		if (e - p == 9 && pg_strncasecmp(p, "-infinity", 9) == 0)
			PG_RETURN_TIMESTAMPTZ(DT_NOBEGIN);
	}
	if (!fz_read_digits(&p, 9, &y, NULL) || *p++ != '-' ||
		!fz_read_digits(&p, 2, &mo, NULL) || *p++ != '-' ||
		!fz_read_digits(&p, 2, &d, NULL))
		fz_ts_error(ERRCODE_INVALID_DATETIME_FORMAT, str);
	if (*p == 'T' || (*p == ' ' && isdigit((unsigned char) p[1])))
	{
		p++;
		if (!fz_read_digits(&p, 2, &h, NULL) || *p++ != ':' || !fz_read_digits(&p, 2, &mi, NULL))
			fz_ts_error(ERRCODE_INVALID_DATETIME_FORMAT, str);
		if (*p == ':')
		{
			p++;
			if (!fz_read_digits(&p, 2, &s, NULL))
				fz_ts_error(ERRCODE_INVALID_DATETIME_FORMAT, str);
			if (*p == '.')
			{
				double		frac = 0,
							scale = 0.1;

				p++;
				if (!isdigit((unsigned char) *p))
					fz_ts_error(ERRCODE_INVALID_DATETIME_FORMAT, str);
				while (isdigit((unsigned char) *p))
				{
					frac += (*p++ - '0') * scale;
					scale /= 10;
				}
				fus = (int64) rint(frac * 1000000.0);
			}
		}
	}
	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (pg_strncasecmp(p, "UTC", 3) == 0)
		p += 3;
	else if (*p == '+' || *p == '-')
	{
		int			sign = *p++ == '-' ? -1 : 1;
		int64		th,
					tm = 0,
					tsec = 0;

		if (!fz_read_digits(&p, 4, &th, &nd))
			fz_ts_error(ERRCODE_INVALID_DATETIME_FORMAT, str);
		if (nd > 2)
		{
			if (nd != 4)
				fz_ts_error(ERRCODE_INVALID_DATETIME_FORMAT, str);
			tm = th % 100;
			th /= 100;
		}
		else if (*p == ':')
		{
			p++;
			if (!fz_read_digits(&p, 2, &tm, NULL))
				fz_ts_error(ERRCODE_INVALID_DATETIME_FORMAT, str);
			if (*p == ':')
			{
				p++;
				if (!fz_read_digits(&p, 2, &tsec, NULL))
					fz_ts_error(ERRCODE_INVALID_DATETIME_FORMAT, str);
			}
		}
		if (th > 15 || tm > 59 || tsec > 59)
			fz_ts_error(ERRCODE_INVALID_TIME_ZONE_DISPLACEMENT_VALUE, str);
		tz = sign * (th * 3600 + tm * 60 + tsec);
	}
	while (*p == ' ')
		p++;
	if (pg_strncasecmp(p, "BC", 2) == 0)
	{
		bc = true;
		p += 2;
	}
	else if (pg_strncasecmp(p, "AD", 2) == 0)
		p += 2;
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		fz_ts_error(ERRCODE_INVALID_DATETIME_FORMAT, str);

	if (y == 0 || mo < 1 || mo > 12 || d < 1 || h > 24 || mi > 59 || s > 60 ||
		(h == 24 && (mi > 0 || s > 0 || fus > 0)))
		fz_ts_error(ERRCODE_DATETIME_FIELD_OVERFLOW, str);
	if (bc)
		y = -(y - 1);
	{
		int			yy,
					mm,
					dd;

		days = fz_days_from_civil(y, mo, d);
		fz_civil_from_days(days, &yy, &mm, &dd);
		if (dd != d)
			fz_ts_error(ERRCODE_DATETIME_FIELD_OVERFLOW, str);
	}
	days += FZ_UNIX_EPOCH_JDATE - POSTGRES_EPOCH_JDATE;
	if (pg_mul_s64_overflow(days, USECS_PER_DAY, &ts) ||
		pg_add_s64_overflow(ts, ((h * 60 + mi) * 60 + s) * USECS_PER_SEC + fus, &ts) ||
		pg_sub_s64_overflow(ts, tz * USECS_PER_SEC, &ts) ||
		!IS_VALID_TIMESTAMP(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range: \"%s\"", str)));
	PG_RETURN_TIMESTAMPTZ(ts);
}

/* ------------------------------------------------------------------------
 * fmgr: direct calls (fmgr.c), for timestamptz_in
 * ------------------------------------------------------------------------ */

/* Call func with nargs non-NULL arguments; a NULL result is an error, as in fmgr.c. */
static Datum
fz_direct_call(PGFunction func, Oid collation, int nargs, Datum a1, Datum a2, Datum a3)
{
	LOCAL_FCINFO(fcinfo, 3);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, nargs, collation, NULL, NULL);
	fcinfo->args[0].value = a1;
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = a2;
	fcinfo->args[1].isnull = false;
	fcinfo->args[2].value = a3;
	fcinfo->args[2].isnull = false;
	result = (*func) (fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "function %p returned NULL", (void *) func);
	return result;
}

Datum
DirectFunctionCall1Coll(PGFunction func, Oid collation, Datum arg1)
{
	return fz_direct_call(func, collation, 1, arg1, 0, 0);
}

Datum
DirectFunctionCall2Coll(PGFunction func, Oid collation, Datum arg1, Datum arg2)
{
	return fz_direct_call(func, collation, 2, arg1, arg2, 0);
}

Datum
DirectFunctionCall3Coll(PGFunction func, Oid collation, Datum arg1, Datum arg2, Datum arg3)
{
	return fz_direct_call(func, collation, 3, arg1, arg2, arg3);
}

/* Day of the week of a Julian day: 0 = Sunday. */
int
j2day(int date)
{
	int64		d = ((int64) date + 1) % 7;

	return (int) (d < 0 ? d + 7 : d);
}
