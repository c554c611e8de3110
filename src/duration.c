/*
 * duration.c: the duration histogram ("dur_"), shared by funnel_state and
 * resolution_state (declared in duration.h), and the plumbing those two
 * state types share: their text literals' errors, the framing of their
 * binary forms, their serialized running states and the aggregate context.
 *
 * A duration v >= 0 in microseconds falls in
 *   bucket v                                  when v < 128 (exact), else
 *   bucket 128 + (e - 7) * 64 + (v >> (e - 6)) - 64,  e = floor(log2 v),
 * i.e. 64 buckets per power of two, each [L, L + w - 1] with w = 2^(e-6) and
 * L = (64 + j) w >= 64 w: a bucket is at most 1/64 of its lower bound wide.
 * Integer arithmetic only, so bucket bounds are exact and the same on every
 * machine.  3712 buckets cover 0 .. 2^63 - 1 microseconds.  A bucket is read
 * as its midpoint L + (w - 1) / 2, at most (w - 1) / 2 < L / 128 from any
 * value in it: every order statistic, and so every percentile_cont-style
 * interpolation between two of them, is within 1/128 (0.78%) of the exact
 * one (then rounded to the microsecond).  The share within an SLA counts the
 * buckets below the SLA's bucket and the linearly interpolated part of it:
 * exact when SLA + 1 microsecond is a bucket lower bound (always below 128
 * microseconds), otherwise between the exact shares within SLA * 64/65 and
 * SLA * 65/64.
 *
 * The running state of an aggregate (internal) keeps a histogram as a dense
 * window of buckets [base, base + len) that grows by doubling to cover new
 * buckets (amortised, no allocation per row); stored states keep only the
 * non-empty buckets, as (bucket, count) entries, and write a bucket in text
 * as its lower bound in microseconds.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/int.h"
#include "common/int128.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/timestamp.h"

#include "duration.h"
#include "engage.h"

/* ---------------------------------------------------------------------------
 * Buckets, sums and running histograms
 * ------------------------------------------------------------------------- */

/* The bucket of a duration v >= 0 (microseconds). */
int
dur_bucket(int64 v)
{
	int			e;

	if (v < DUR_EXACT)
		return (int) v;
	e = pg_leftmost_one_pos64((uint64) v);
	return DUR_EXACT + (e - 7) * DUR_SUB + (int) (v >> (e - 6)) - DUR_SUB;
}

/* The smallest duration of bucket b. */
int64
dur_lower(int b)
{
	int			e;

	if (b < DUR_EXACT)
		return b;
	e = 7 + (b - DUR_EXACT) / DUR_SUB;
	return ((int64) (DUR_SUB + (b - DUR_EXACT) % DUR_SUB)) << (e - 6);
}

/* The number of durations (microseconds) in bucket b. */
int64
dur_width(int b)
{
	if (b < DUR_EXACT)
		return 1;
	return INT64CONST(1) << (1 + (b - DUR_EXACT) / DUR_SUB);
}

/* The value a bucket stands for: its midpoint. */
static inline double
dur_mid(int b)
{
	return (double) dur_lower(b) + (double) (dur_width(b) - 1) / 2.0;
}

/* Raise 22003 for a sum or count past 2^63-1. */
void
dur_overflow(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range", what),
			 errdetail("Counts are at most %lld and sums of durations at most %lld seconds.",
					   (long long) PG_INT64_MAX, (long long) PG_INT64_MAX)));
}

/* Raise 22000 for removing what was never added (inverse transitions). */
void
dur_never_added(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("cannot remove a value that was never added to the %s", what)));
}

/* s += sign * v (v >= 0 microseconds), exact, checked. */
void
dur_sum_add(DurSum *s, int64 v, int sign, const char *what)
{
	DurSum		d;

	d.sec = v / DUR_USEC;
	d.us = v % DUR_USEC;
	dur_sum_add_sum(s, &d, sign, what);
}

/* dst += sign * src, exact, checked (a negative result is 22000). */
void
dur_sum_add_sum(DurSum *dst, const DurSum *src, int sign, const char *what)
{
	if (sign > 0)
	{
		dst->us += src->us;
		if (dst->us >= DUR_USEC)
		{
			dst->us -= DUR_USEC;
			if (pg_add_s64_overflow(dst->sec, 1, &dst->sec))
				dur_overflow(what);
		}
		if (pg_add_s64_overflow(dst->sec, src->sec, &dst->sec))
			dur_overflow(what);
		return;
	}
	dst->us -= src->us;
	dst->sec -= src->sec;
	if (dst->us < 0)
	{
		dst->us += DUR_USEC;
		dst->sec--;
	}
	if (dst->sec < 0)
		dur_never_added(what);
}

/* The mean of n > 0 durations summing to s, rounded to the microsecond. */
int64
dur_sum_mean(const DurSum *s, int64 n)
{
	int64		q = s->sec / n;
	int64		r = s->sec % n;
	int64		num;

	if (r <= (PG_INT64_MAX - DUR_USEC) / DUR_USEC)
	{
		num = r * DUR_USEC + s->us;
		/* the mean is at most the largest duration, so this fits */
		return q * DUR_USEC + num / n + ((num % n) * 2 >= n ? 1 : 0);
	}
	return q * DUR_USEC + (int64) rintl(((long double) r * DUR_USEC + s->us) / n);
}

/* Make bucket b part of h's window, growing it by doubling. */
static void
dur_hist_cover(DurHist *h, MemoryContext cxt, int b)
{
	int			lo;
	int			hi;

	if (h->len == 0)
	{
		lo = b;
		hi = b + 1;
	}
	else
	{
		lo = Min(h->base, b);
		hi = Max(h->base + h->len, b + 1);
	}
	if (hi - lo > h->cap)
	{
		int			cap = Min(Max(Max(h->cap * 2, hi - lo), 8), DUR_NBUCKETS);
		int64	   *c = MemoryContextAllocZero(cxt, cap * sizeof(int64));

		if (h->len > 0)
			memcpy(c + (h->base - lo), h->counts, h->len * sizeof(int64));
		if (h->counts)
			pfree(h->counts);
		h->counts = c;
		h->cap = cap;
	}
	else if (h->len > 0 && lo < h->base)
	{
		int			shift = h->base - lo;

		memmove(h->counts + shift, h->counts, h->len * sizeof(int64));
		memset(h->counts, 0, shift * sizeof(int64));
	}
	h->base = lo;
	h->len = hi - lo;
}

/* counts[b] += count (count may be negative: inverse), n too; the sum is the caller's. */
void
dur_hist_add(DurHist *h, MemoryContext cxt, int b, int64 count, const char *what)
{
	int64	   *c;

	if (unlikely(h->len == 0 || b < h->base || b >= h->base + h->len))
	{
		if (count < 0)
			dur_never_added(what);
		dur_hist_cover(h, cxt, b);
	}
	c = &h->counts[b - h->base];
	if (count < 0)
	{
		if (unlikely(*c < -count))
			dur_never_added(what);
		*c += count;
		h->n += count;
		return;
	}
	if (unlikely(pg_add_s64_overflow(*c, count, c) ||
				 pg_add_s64_overflow(h->n, count, &h->n)))
		dur_overflow(what);
}

/* Add (sign 1) or remove (sign -1) one duration v >= 0. */
void
dur_hist_add_value(DurHist *h, MemoryContext cxt, int64 v, int sign, const char *what)
{
	dur_hist_add(h, cxt, dur_bucket(v), sign, what);
	dur_sum_add(&h->sum, v, sign, what);
}

/* Add (sign 1) or remove (sign -1) stored entries and their sum. */
void
dur_hist_add_entries(DurHist *h, MemoryContext cxt, const DurEntry *e, int n,
					 const DurSum *sum, int sign, const char *what)
{
	int			i;

	if (sign < 0)
	{
		/* check everything first, so a failed removal changes nothing */
		for (i = 0; i < n; i++)
			if (e[i].bucket < h->base || e[i].bucket >= h->base + h->len ||
				h->counts[e[i].bucket - h->base] < e[i].count)
				dur_never_added(what);
	}
	else if (n > 0)
	{
		/* cover the whole range at once: at most two growths */
		dur_hist_cover(h, cxt, e[0].bucket);
		dur_hist_cover(h, cxt, e[n - 1].bucket);
	}
	for (i = 0; i < n; i++)
		dur_hist_add(h, cxt, e[i].bucket, sign > 0 ? e[i].count : -e[i].count, what);
	dur_sum_add_sum(&h->sum, sum, sign, what);
}

/* The number of non-empty buckets. */
int
dur_hist_nentries(const DurHist *h)
{
	int			i;
	int			n = 0;

	for (i = 0; i < h->len; i++)
		n += h->counts[i] != 0;
	return n;
}

/* Write the non-empty buckets, ascending, to out; returns how many. */
int
dur_hist_entries(const DurHist *h, DurEntry *out)
{
	int			i;
	int			n = 0;

	for (i = 0; i < h->len; i++)
		if (h->counts[i] != 0)
		{
			out[n].bucket = h->base + i;
			out[n].pad = 0;
			out[n].count = h->counts[i];
			n++;
		}
	return n;
}

/* ---------------------------------------------------------------------------
 * Stored histograms: validation and reading
 * ------------------------------------------------------------------------- */

/*
 * Are stored entries valid?  NULL or the reason: buckets in range and
 * strictly increasing, counts > 0 summing to total, and the exact sum
 * between the smallest and the largest sum the buckets allow.
 */
const char *
dur_entries_problem(const DurEntry *e, int n, int64 total, const DurSum *sum)
{
	INT128		lo = int64_to_int128(0);
	INT128		hi = int64_to_int128(0);
	INT128		s = int64_to_int128(0);
	int64		count = 0;
	int			i;

	if (n < 0 || n > DUR_NBUCKETS)
		return "too many buckets";
	if (sum->sec < 0 || sum->us < 0 || sum->us >= DUR_USEC)
		return "bad sum of durations";
	for (i = 0; i < n; i++)
	{
		if (e[i].bucket < 0 || e[i].bucket >= DUR_NBUCKETS || e[i].pad != 0)
			return "bucket out of range";
		if (i > 0 && e[i].bucket <= e[i - 1].bucket)
			return "buckets not strictly increasing";
		if (e[i].count <= 0)
			return "bucket count not positive";
		if (pg_add_s64_overflow(count, e[i].count, &count))
			return "bucket counts too large";
		int128_add_int64_mul_int64(&lo, e[i].count, dur_lower(e[i].bucket));
		int128_add_int64_mul_int64(&hi, e[i].count, dur_lower(e[i].bucket) + (dur_width(e[i].bucket) - 1));
	}
	if (count != total)
		return "bucket counts do not add up to the count of durations";
	int128_add_int64_mul_int64(&s, sum->sec, DUR_USEC);
	int128_add_int64(&s, sum->us);
	if (int128_compare(s, lo) < 0 || int128_compare(s, hi) > 0)
		return "sum of durations does not match the buckets";
	return NULL;
}

/*
 * The p-quantile (0 <= p <= 1) of total > 0 durations, as percentile_cont
 * defines it: interpolation at rank p (total - 1) between the two nearest
 * order statistics, each read as its bucket's midpoint.
 */
double
dur_percentile(const DurEntry *e, int n, int64 total, double p)
{
	double		r = p * (double) (total - 1);
	int64		k0 = (int64) floor(r);
	int64		k1 = (int64) ceil(r);
	double		v0 = 0;
	double		v1 = 0;
	int64		cum = 0;
	int			i;

	if (k1 > total - 1)
		k1 = total - 1;
	if (k0 > k1)
		k0 = k1;
	for (i = 0; i < n; i++)
	{
		int64		prev = cum;

		cum += e[i].count;
		if (k0 >= prev && k0 < cum)
			v0 = dur_mid(e[i].bucket);
		if (k1 >= prev && k1 < cum)
		{
			v1 = dur_mid(e[i].bucket);
			break;
		}
	}
	return v0 + (r - (double) k0) * (v1 - v0);
}

/* How many durations are <= sla (the SLA's own bucket interpolated). */
double
dur_within(const DurEntry *e, int n, int64 sla)
{
	int			b = dur_bucket(sla);
	double		c = 0;
	int			i;

	for (i = 0; i < n && e[i].bucket <= b; i++)
	{
		if (e[i].bucket < b)
			c += (double) e[i].count;
		else
			c += (double) e[i].count * (double) (sla - dur_lower(b) + 1) / (double) dur_width(b);
	}
	return c;
}

/* The mean of n > 0 durations summing to s, as an interval. */
Datum
dur_mean_datum(const DurSum *s, int64 n)
{
	return dur_interval_datum((double) dur_sum_mean(s, n));
}

/* The p-quantile of total > 0 durations (see dur_percentile), as an interval. */
Datum
dur_percentile_datum(const DurEntry *e, int n, int64 total, double p)
{
	return dur_interval_datum(dur_percentile(e, n, total, p));
}

/* ---------------------------------------------------------------------------
 * Durations from and to SQL values
 * ------------------------------------------------------------------------- */

/* An interval argument as microseconds >= 0, no months (22023). */
int64
dur_interval_us(const Interval *iv, const char *what)
{
	int64		us;

	if (iv->month != 0 ||
		pg_mul_s64_overflow((int64) iv->day, USECS_PER_DAY, &us) ||
		pg_add_s64_overflow(us, iv->time, &us) || us < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s", what),
				 errdetail(DUR_DETAIL)));
	return us;
}

/* to - from in microseconds: 22008 for infinite, 22023 when to < from. */
int64
dur_between(TimestampTz from, TimestampTz to, const char *what)
{
	int64		us;

	if (TIMESTAMP_NOT_FINITE(from) || TIMESTAMP_NOT_FINITE(to))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be finite", what),
				 errdetail("Timestamps are finite; a NULL end means not (yet) reached.")));
	if (pg_sub_s64_overflow(to, from, &us) || us < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is before its start", what),
				 errdetail("The end of a duration must be at or after its start.")));
	return us;
}

/* Microseconds (rounded) as an interval of days and time, like timestamp - timestamp. */
Datum
dur_interval_datum(double us)
{
	Interval   *iv = palloc(sizeof(Interval));
	int64		v;

	us = rint(us);
	v = us >= 9223372036854775807.0 ? PG_INT64_MAX : (us <= 0 ? 0 : (int64) us);
	iv->month = 0;
	iv->day = (int32) (v / USECS_PER_DAY);
	iv->time = v % USECS_PER_DAY;
	return IntervalPGetDatum(iv);
}

/* ---------------------------------------------------------------------------
 * Text forms
 * ------------------------------------------------------------------------- */

/* Append an exact sum as seconds with 6 decimals. */
void
dur_append_seconds(StringInfo buf, const DurSum *s)
{
	appendStringInfo(buf, "%lld.%06lld", (long long) s->sec, (long long) s->us);
}

/* Append microseconds >= 0 as seconds with 6 decimals (exact). */
void
dur_append_us(StringInfo buf, int64 us)
{
	appendStringInfo(buf, "%lld.%06lld", (long long) (us / DUR_USEC), (long long) (us % DUR_USEC));
}

/* Append entries as "lower:count,lower:count". */
void
dur_append_entries(StringInfo buf, const DurEntry *e, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		appendStringInfo(buf, "%s%lld:%lld", i ? "," : "",
						 (long long) dur_lower(e[i].bucket), (long long) e[i].count);
}

/* Read a non-negative int64; false when there is none or it overflows. */
bool
dur_read_int(const char **pp, int64 *v)
{
	const char *p = *pp;

	*v = 0;
	if (!isdigit((unsigned char) *p))
		return false;
	while (isdigit((unsigned char) *p))
	{
		if (pg_mul_s64_overflow(*v, 10, v) || pg_add_s64_overflow(*v, *p - '0', v))
			return false;
		p++;
	}
	*pp = p;
	return true;
}

/* Read "S.UUUUUU" (exactly 6 decimals) into s; false on bad syntax. */
bool
dur_parse_seconds(const char **pp, DurSum *s)
{
	const char *f;

	if (!dur_read_int(pp, &s->sec) || **pp != '.')
		return false;
	(*pp)++;
	f = *pp;
	if (!dur_read_int(pp, &s->us) || *pp - f != 6)
		return false;
	return true;
}

/* An upper bound of the bucket entries in a text form: its colons. */
int
dur_count_entries(const char *str)
{
	int			n = 0;

	for (; *str; str++)
		n += *str == ':';
	return n;
}

/*
 * Read "lower:count,..." (possibly empty) into out (max entries); returns
 * the number read, or -1 with *err set.  Stops at ';' or the end.
 */
int
dur_parse_entries(const char **pp, DurEntry *out, int max, const char **err)
{
	int			n = 0;

	if (**pp == ';' || **pp == '\0')
		return 0;
	for (;;)
	{
		int64		lower;
		int64		count;
		int			b;

		if (n >= max)
		{
			*err = "Too many buckets.";
			return -1;
		}
		if (!dur_read_int(pp, &lower) || **pp != ':')
		{
			*err = "Expected lower:count (microseconds:count).";
			return -1;
		}
		(*pp)++;
		if (!dur_read_int(pp, &count))
		{
			*err = "Expected a count after the colon.";
			return -1;
		}
		b = dur_bucket(lower);
		if (dur_lower(b) != lower)
		{
			*err = psprintf("%lld is not the lower bound of a bucket.", (long long) lower);
			return -1;
		}
		out[n].bucket = b;
		out[n].pad = 0;
		out[n].count = count;
		n++;
		if (**pp != ',')
			return n;
		(*pp)++;
	}
}

/* Raise the 22P02 error for a malformed literal of lit->type. */
void
dur_syntax_error(const DurLiteral *lit, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", lit->type, lit->str),
			 errdetail("%s", detail),
			 errhint("%s", lit->hint)));
}

/* Expect a literal token at *pp. */
void
dur_expect(const DurLiteral *lit, const char **pp, const char *tok)
{
	size_t		len = strlen(tok);

	if (strncmp(*pp, tok, len) != 0)
		dur_syntax_error(lit, psprintf("Expected \"%s\" at offset %d.", tok, (int) (*pp - lit->str)));
	*pp += len;
}

/* Check the format version of a literal is 1..max (22P02 otherwise). */
void
dur_check_version(const DurLiteral *lit, int64 version, int max)
{
	if (version < 1 || version > max)
		dur_syntax_error(lit, engage_version_detail(version, max));
}

/* ---------------------------------------------------------------------------
 * Binary forms and the aggregates' plumbing
 * ------------------------------------------------------------------------- */

/* Append an exact sum: seconds, then microseconds. */
void
dur_send_sum(StringInfo buf, const DurSum *s)
{
	pq_sendint64(buf, s->sec);
	pq_sendint64(buf, s->us);
}

/* Read an exact sum written by dur_send_sum (the caller checked the length). */
void
dur_recv_sum(StringInfo msg, DurSum *s)
{
	s->sec = pq_getmsgint64(msg);
	s->us = pq_getmsgint64(msg);
}

/* Append n entries, 12 bytes each: bucket, count. */
void
dur_send_entries(StringInfo buf, const DurEntry *e, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		pq_sendint32(buf, e[i].bucket);
		pq_sendint64(buf, e[i].count);
	}
}

/* Read n entries into zeroed e (the caller checked the length; validation is its too). */
void
dur_recv_entries(StringInfo msg, DurEntry *e, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		e[i].bucket = (int32) pq_getmsgint(msg, 4);
		e[i].count = pq_getmsgint64(msg);
	}
}

/*
 * Binary output of a state of type t: version, flags (0) when t has them,
 * then t's payload.
 */
bytea *
dur_send_state(const DurType *t, int version, const void *state)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, version);
	if (t->flags)
		pq_sendint16(&buf, 0);
	t->send(&buf, state);
	return pq_endtypsend(&buf);
}

/*
 * Binary input of a state of type t: the header (22P03 when short, of an
 * unknown version or with flags), then t's payload and its checks (22P03).
 */
void *
dur_recv_state(const DurType *t, StringInfo msg)
{
	const char *why = "unknown flags";
	int			version;
	void	   *s;

	if (msg->len - msg->cursor < (t->flags ? 4 : 2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary %s is too short", t->name)));
	version = (int16) pq_getmsgint(msg, 2);
	if (version < 1 || version > t->version)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s format version %d is not supported", t->name, version),
				 errdetail("%s", engage_version_detail(version, t->version))));
	s = t->flags && pq_getmsgint(msg, 2) != 0 ? NULL : t->recv(msg, &why);
	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary %s: %s", t->name, why),
				 errdetail("%s", t->detail)));
	return s;
}

/* A read-only StringInfo view of a bytea (initReadOnlyStringInfo is PG 16+). */
void
dur_bytea_msg(bytea *b, StringInfo msg)
{
	msg->data = VARDATA_ANY(b);
	msg->len = VARSIZE_ANY_EXHDR(b);
	msg->maxlen = msg->len;
	msg->cursor = 0;
}

/* Raise 22P03 for a serialized running state (what, e.g. "funnel state") that is not valid. */
void
dur_bad_serialized(const char *what, const char *why, int version)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized %s: %s", what, why),
			 errdetail("It is written by this build of engage's serialize function (format version %d).", version)));
}

/* The aggregate context, or 0A000 outside an aggregate (what: the calling function). */
MemoryContext
dur_aggcxt(FunctionCallInfo fcinfo, const char *what)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in a non-aggregate context", what)));
	return cxt;
}
