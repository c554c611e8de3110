/*
 * resolution.c: support resolution time, and the duration histogram it shares
 * with funnel.c.
 *
 * resolution_agg(opened_at, resolved_at) or resolution_agg(resolution
 * interval) builds a resolution_state: tickets still open (resolved_at or
 * the interval NULL) are counted apart and kept out of every time; each
 * resolved ticket's duration goes into an exact sum (for the mean) and into
 * a histogram of log-spaced buckets (for the median, any percentile and the
 * percent within an SLA chosen at read time).
 *
 * The duration histogram ("dur_"): a duration v >= 0 in microseconds falls in
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
 * The running state of the aggregates (internal) keeps the histogram as a
 * dense window of buckets [base, base + len) that grows by doubling to cover
 * new buckets (amortised, no allocation per row); stored states keep only
 * the non-empty buckets, as (bucket, count) entries.
 *
 * resolution_state text form (exact):
 *   v1;open=1;resolved=3;sum=9000.000000;h=1795162112:1,3590324224:2
 * open and resolved ticket counts, the exact sum of the durations in seconds
 * (6 decimals), and "lower bound in microseconds:count" per non-empty bucket.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/int.h"
#include "common/int128.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

#include "engage.h"

/* ---------------------------------------------------------------------------
 * The duration histogram, shared with funnel.c (which repeats these
 * declarations: each file of engage owns its part of the build).
 * ------------------------------------------------------------------------- */

/* Buckets: 128 exact ones, then 64 per power of two up to 2^63. */
#define DUR_EXACT		128
#define DUR_SUB			64
#define DUR_NBUCKETS	(DUR_EXACT + 56 * DUR_SUB)
#define DUR_USEC		INT64CONST(1000000)

/* An exact sum of durations: sec seconds + us microseconds, 0 <= us < 10^6. */
typedef struct DurSum
{
	int64		sec;
	int64		us;
} DurSum;

/* One non-empty bucket of a stored histogram. */
typedef struct DurEntry
{
	int32		bucket;
	int32		pad;			/* always zero */
	int64		count;
} DurEntry;

/* A running histogram: counts of buckets base .. base + len - 1. */
typedef struct DurHist
{
	int64		n;				/* values counted */
	DurSum		sum;			/* their exact sum */
	int32		base;
	int32		len;
	int32		cap;			/* slots allocated; slots len .. cap - 1 are zero */
	int64	   *counts;
} DurHist;

extern int	dur_bucket(int64 v);
extern int64 dur_lower(int b);
extern int64 dur_width(int b);
extern void dur_sum_add(DurSum *s, int64 v, int sign, const char *what);
extern void dur_sum_add_sum(DurSum *dst, const DurSum *src, int sign, const char *what);
extern int64 dur_sum_mean(const DurSum *s, int64 n);
extern void dur_hist_add(DurHist *h, MemoryContext cxt, int b, int64 count, const char *what);
extern void dur_hist_add_value(DurHist *h, MemoryContext cxt, int64 v, int sign, const char *what);
extern void dur_hist_add_entries(DurHist *h, MemoryContext cxt, const DurEntry *e, int n,
								 const DurSum *sum, int sign, const char *what);
extern int	dur_hist_nentries(const DurHist *h);
extern int	dur_hist_entries(const DurHist *h, DurEntry *out);
extern const char *dur_entries_problem(const DurEntry *e, int n, int64 total, const DurSum *sum);
extern double dur_percentile(const DurEntry *e, int n, int64 total, double p);
extern double dur_within(const DurEntry *e, int n, int64 sla);
extern int64 dur_interval_us(const Interval *iv, const char *what);
extern int64 dur_between(TimestampTz from, TimestampTz to, const char *what);
extern Datum dur_interval_datum(double us);
extern void dur_append_seconds(StringInfo buf, const DurSum *s);
extern void dur_append_entries(StringInfo buf, const DurEntry *e, int n);
extern bool dur_parse_seconds(const char **pp, DurSum *s);
extern int	dur_parse_entries(const char **pp, DurEntry *out, int max, const char **err);
extern int	dur_count_entries(const char *str);

#define DUR_DETAIL \
	"A duration is an interval of days and time, >= 0, with no month part (a day is 24 hours), e.g. '4 hours' or '2 days'."

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
static void
dur_overflow(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range", what),
			 errdetail("Counts are at most %lld and sums of durations at most %lld seconds.",
					   (long long) PG_INT64_MAX, (long long) PG_INT64_MAX)));
}

/* Raise 22000 for removing what was never added (inverse transitions). */
static void
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
		int128_add_int64_mul_int64(&hi, e[i].count, dur_lower(e[i].bucket) + dur_width(e[i].bucket) - 1);
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

/* Append an exact sum as seconds with 6 decimals. */
void
dur_append_seconds(StringInfo buf, const DurSum *s)
{
	appendStringInfo(buf, "%lld.%06lld", (long long) s->sec, (long long) s->us);
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
static bool
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

/* ---------------------------------------------------------------------------
 * resolution_state
 * ------------------------------------------------------------------------- */

#define RES_VERSION		1

/* The stored state (varlena): header, then the non-empty buckets. */
typedef struct ResState
{
	int32		vl_len_;
	int16		version;		/* RES_VERSION when written */
	int16		flags;			/* always zero */
	int32		nentries;
	int32		pad;			/* always zero */
	int64		open;			/* tickets without a resolution */
	int64		resolved;		/* tickets with one = sum of bucket counts */
	DurSum		sum;			/* exact sum of the resolution times */
	DurEntry	entries[FLEXIBLE_ARRAY_MEMBER];
} ResState;

#define RES_HDR			offsetof(ResState, entries)
#define RES_SIZE(n)		(RES_HDR + (n) * sizeof(DurEntry))

#define RES_STATE_DETAIL \
	"A resolution_state has open and resolved counts >= 0, buckets at valid lower bounds in increasing order " \
	"with counts > 0 adding up to the resolved count, and an exact sum of durations within what the buckets allow."

/* The running state of the aggregates. */
typedef struct ResAcc
{
	int64		open;
	int64		sla;			/* the SLA of resolution_within(..., sla), or -1 */
	DurHist		h;
} ResAcc;

/* Is a stored state valid?  NULL or the reason; size is its full length. */
static const char *
res_problem(const ResState *s, Size size)
{
	int64		tickets;

	if (size < RES_HDR)
		return "too short";
	if (s->version < 1 || s->version > RES_VERSION)
		return "unsupported format version";
	if (s->flags != 0 || s->pad != 0)
		return "unknown flags";
	if (s->nentries < 0 || s->nentries > DUR_NBUCKETS || size != RES_SIZE(s->nentries))
		return "length does not match its bucket count";
	if (s->open < 0 || s->resolved < 0 || pg_add_s64_overflow(s->open, s->resolved, &tickets))
		return "bad ticket counts";
	return dur_entries_problem(s->entries, s->nentries, s->resolved, &s->sum);
}

/* Fetch state argument argno, detoasted and validated (22023). */
static ResState *
res_arg(FunctionCallInfo fcinfo, int argno)
{
	ResState   *s = (ResState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	const char *problem = res_problem(s, VARSIZE(s));

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid resolution_state: %s", problem),
				 errdetail(RES_STATE_DETAIL)));
	return s;
}

/* A new empty running state in cxt. */
static ResAcc *
res_acc_new(MemoryContext cxt)
{
	ResAcc	   *a = MemoryContextAllocZero(cxt, sizeof(ResAcc));

	a->sla = -1;
	return a;
}

/* The aggregate context, or 0A000 outside an aggregate. */
static MemoryContext
res_aggcxt(FunctionCallInfo fcinfo, const char *what)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in a non-aggregate context", what)));
	return cxt;
}

/* Add (sign 1) or remove (sign -1) one ticket: a duration, or open when isopen. */
static void
res_acc_ticket(ResAcc *a, MemoryContext cxt, bool isopen, int64 us, int sign)
{
	if (isopen)
	{
		if (sign > 0)
		{
			if (unlikely(pg_add_s64_overflow(a->open, 1, &a->open)))
				dur_overflow("open ticket count");
		}
		else
		{
			if (unlikely(a->open < 1))
				dur_never_added("resolution_state");
			a->open--;
		}
		return;
	}
	dur_hist_add_value(&a->h, cxt, us, sign, "resolution_state");
}

/* The SLA argument argno of a one-call resolution_within (22004, 22023; must not change). */
static void
res_acc_sla(FunctionCallInfo fcinfo, ResAcc *a, int argno)
{
	int64		sla;

	if (argno >= PG_NARGS())
		return;
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("sla of resolution_within must not be NULL"),
				 errdetail(DUR_DETAIL)));
	sla = dur_interval_us(PG_GETARG_INTERVAL_P(argno), "sla");
	if (a->sla >= 0 && a->sla != sla)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sla of resolution_within changed between rows"),
				 errdetail("Every row of one aggregate must use the same SLA.")));
	a->sla = sla;
}

/*
 * Transition (sign 1) and inverse (sign -1) from (opened_at, resolved_at
 * [, sla]): rows without opened_at are ignored; resolved_at NULL is open.
 */
static Datum
res_accum_ts(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext cxt = res_aggcxt(fcinfo, "resolution transition function");
	ResAcc	   *a = PG_ARGISNULL(0) ? res_acc_new(cxt) : (ResAcc *) PG_GETARG_POINTER(0);

	res_acc_sla(fcinfo, a, 3);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(a);
	res_acc_ticket(a, cxt, PG_ARGISNULL(2),
				   PG_ARGISNULL(2) ? 0 : dur_between(PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_TIMESTAMPTZ(2), "resolved_at"),
				   sign);
	PG_RETURN_POINTER(a);
}

/* Transition (sign 1) and inverse (sign -1) from a resolution interval [, sla]; NULL is open. */
static Datum
res_accum_iv(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext cxt = res_aggcxt(fcinfo, "resolution transition function");
	ResAcc	   *a = PG_ARGISNULL(0) ? res_acc_new(cxt) : (ResAcc *) PG_GETARG_POINTER(0);

	res_acc_sla(fcinfo, a, 2);
	res_acc_ticket(a, cxt, PG_ARGISNULL(1),
				   PG_ARGISNULL(1) ? 0 : dur_interval_us(PG_GETARG_INTERVAL_P(1), "resolution time"),
				   sign);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_resolution_accum);
/* Transition of resolution_agg(opened_at, resolved_at) and its one-call siblings. */
Datum
engage_resolution_accum(PG_FUNCTION_ARGS)
{
	return res_accum_ts(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_resolution_accum_inv);
/* Inverse transition of the (opened_at, resolved_at) aggregates (moving windows). */
Datum
engage_resolution_accum_inv(PG_FUNCTION_ARGS)
{
	return res_accum_ts(fcinfo, -1);
}

PG_FUNCTION_INFO_V1(engage_resolution_accum_interval);
/* Transition of resolution_agg(resolution interval) and its one-call siblings. */
Datum
engage_resolution_accum_interval(PG_FUNCTION_ARGS)
{
	return res_accum_iv(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_resolution_accum_interval_inv);
/* Inverse transition of the interval aggregates (moving windows). */
Datum
engage_resolution_accum_interval_inv(PG_FUNCTION_ARGS)
{
	return res_accum_iv(fcinfo, -1);
}

/* Add (sign 1) or remove (sign -1) a validated stored state. */
static void
res_acc_add_state(ResAcc *a, MemoryContext cxt, const ResState *s, int sign)
{
	if (sign > 0)
	{
		if (pg_add_s64_overflow(a->open, s->open, &a->open))
			dur_overflow("open ticket count");
	}
	else
	{
		if (a->open < s->open || a->h.n < s->resolved)
			dur_never_added("resolution_state");
		a->open -= s->open;
	}
	dur_hist_add_entries(&a->h, cxt, s->entries, s->nentries, &s->sum, sign, "resolution_state");
}

/* rollup(resolution_state) transition (sign 1) and inverse (sign -1); NULLs ignored. */
static Datum
res_rollup(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext cxt = res_aggcxt(fcinfo, "rollup(resolution_state) transition function");
	ResAcc	   *a = PG_ARGISNULL(0) ? res_acc_new(cxt) : (ResAcc *) PG_GETARG_POINTER(0);

	if (!PG_ARGISNULL(1))
		res_acc_add_state(a, cxt, res_arg(fcinfo, 1), sign);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_resolution_rollup_accum);
/* Transition of rollup(resolution_state): adds a validated state. */
Datum
engage_resolution_rollup_accum(PG_FUNCTION_ARGS)
{
	return res_rollup(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_resolution_rollup_accum_inv);
/* Inverse transition of rollup(resolution_state) (moving windows). */
Datum
engage_resolution_rollup_accum_inv(PG_FUNCTION_ARGS)
{
	return res_rollup(fcinfo, -1);
}

/* The running state as a stored state (palloc'd in the current context). */
static ResState *
res_from_acc(const ResAcc *a)
{
	int			n = dur_hist_nentries(&a->h);
	ResState   *s = palloc0(RES_SIZE(n));

	SET_VARSIZE(s, RES_SIZE(n));
	s->version = RES_VERSION;
	s->nentries = dur_hist_entries(&a->h, s->entries);
	s->open = a->open;
	s->resolved = a->h.n;
	s->sum = a->h.sum;
	return s;
}

PG_FUNCTION_INFO_V1(engage_resolution_combine);
/*
 * Combine two running states (parallel aggregation).  A NULL first state
 * becomes a copy of the second in the aggregate context.
 */
Datum
engage_resolution_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = res_aggcxt(fcinfo, "resolution combine function");
	ResAcc	   *dst;
	ResAcc	   *src;
	ResState   *tmp;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (ResAcc *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
	{
		dst = res_acc_new(cxt);
		dst->sla = src->sla;
	}
	else
	{
		dst = (ResAcc *) PG_GETARG_POINTER(0);
		if (dst->sla < 0)
			dst->sla = src->sla;
		else if (src->sla >= 0 && src->sla != dst->sla)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("sla of resolution_within changed between rows"),
					 errdetail("Every row of one aggregate must use the same SLA.")));
	}
	tmp = res_from_acc(src);
	res_acc_add_state(dst, cxt, tmp, 1);
	pfree(tmp);
	PG_RETURN_POINTER(dst);
}

/* Append the binary payload of a stored state (shared by send and serialize). */
static void
res_send_payload(StringInfo buf, const ResState *s)
{
	int			i;

	pq_sendint64(buf, s->open);
	pq_sendint64(buf, s->resolved);
	pq_sendint64(buf, s->sum.sec);
	pq_sendint64(buf, s->sum.us);
	pq_sendint32(buf, s->nentries);
	for (i = 0; i < s->nentries; i++)
	{
		pq_sendint32(buf, s->entries[i].bucket);
		pq_sendint64(buf, s->entries[i].count);
	}
}

/* Read a binary payload, every length checked; NULL and *why when invalid. */
static ResState *
res_recv_payload(StringInfo msg, const char **why)
{
	int64		open;
	int64		resolved;
	DurSum		sum;
	int32		n;
	ResState   *s;
	int			i;

	if (msg->len - msg->cursor < 4 * 8 + 4)
	{
		*why = "too short";
		return NULL;
	}
	open = pq_getmsgint64(msg);
	resolved = pq_getmsgint64(msg);
	sum.sec = pq_getmsgint64(msg);
	sum.us = pq_getmsgint64(msg);
	n = (int32) pq_getmsgint(msg, 4);
	if (n < 0 || n > DUR_NBUCKETS || msg->len - msg->cursor != n * 12)
	{
		*why = "length does not match its bucket count";
		return NULL;
	}
	s = palloc0(RES_SIZE(n));
	SET_VARSIZE(s, RES_SIZE(n));
	s->version = RES_VERSION;
	s->nentries = n;
	s->open = open;
	s->resolved = resolved;
	s->sum = sum;
	for (i = 0; i < n; i++)
	{
		s->entries[i].bucket = (int32) pq_getmsgint(msg, 4);
		s->entries[i].count = pq_getmsgint64(msg);
	}
	*why = res_problem(s, VARSIZE(s));
	return *why ? NULL : s;
}

PG_FUNCTION_INFO_V1(engage_resolution_serialize);
/* Serialize a running state: version, SLA, then the binary payload. */
Datum
engage_resolution_serialize(PG_FUNCTION_ARGS)
{
	ResAcc	   *a;
	StringInfoData buf;

	res_aggcxt(fcinfo, "resolution serialize function");
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
	MemoryContext cxt = res_aggcxt(fcinfo, "resolution deserialize function");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData msg;
	ResState   *s;
	ResAcc	   *a;
	const char *why = "unknown format version";
	int64		sla;

	/* a read-only view of the bytea (initReadOnlyStringInfo is PG 16+) */
	msg.data = VARDATA_ANY(b);
	msg.len = VARSIZE_ANY_EXHDR(b);
	msg.maxlen = msg.len;
	msg.cursor = 0;
	s = NULL;
	if (msg.len >= 2 + 8 && pq_getmsgint(&msg, 2) == RES_VERSION)
	{
		sla = pq_getmsgint64(&msg);
		if (sla < -1)
			why = "bad SLA";
		else
			s = res_recv_payload(&msg, &why);
	}
	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid serialized resolution state: %s", why),
				 errdetail("It is written by this build of engage's serialize function (format version %d).", RES_VERSION)));
	a = res_acc_new(cxt);
	a->sla = sla;
	res_acc_add_state(a, cxt, s, 1);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_resolution_final);
/* Final function of resolution_agg and rollup: the state, NULL for no tickets. */
Datum
engage_resolution_final(PG_FUNCTION_ARGS)
{
	ResAcc	   *a;

	res_aggcxt(fcinfo, "resolution final function");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = (ResAcc *) PG_GETARG_POINTER(0);
	if (a->open == 0 && a->h.n == 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(res_from_acc(a));
}

/* The mean of a state's resolution times; the caller checks resolved > 0. */
static Datum
res_mean(const ResState *s)
{
	return dur_interval_datum((double) dur_sum_mean(&s->sum, s->resolved));
}

/* The p-quantile of a state's resolution times; resolved > 0. */
static Datum
res_percentile(const ResState *s, double p)
{
	return dur_interval_datum(dur_percentile(s->entries, s->nentries, s->resolved, p));
}

/* Percent of the resolved tickets resolved within sla; resolved > 0. */
static double
res_within(const ResState *s, int64 sla)
{
	return 100.0 * dur_within(s->entries, s->nentries, sla) / (double) s->resolved;
}

/* The running state of a one-call aggregate as a stored state, or NULL when nothing is resolved. */
static ResState *
res_final_state(FunctionCallInfo fcinfo)
{
	ResAcc	   *a;

	res_aggcxt(fcinfo, "resolution final function");
	if (PG_ARGISNULL(0))
		return NULL;
	a = (ResAcc *) PG_GETARG_POINTER(0);
	if (a->h.n == 0)
		return NULL;
	return res_from_acc(a);
}

PG_FUNCTION_INFO_V1(engage_mean_resolution_time_final);
/* Final function of the one-call mean_resolution_time aggregates. */
Datum
engage_mean_resolution_time_final(PG_FUNCTION_ARGS)
{
	ResState   *s = res_final_state(fcinfo);

	if (s == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(res_mean(s));
}

PG_FUNCTION_INFO_V1(engage_median_resolution_time_final);
/* Final function of the one-call median_resolution_time aggregates. */
Datum
engage_median_resolution_time_final(PG_FUNCTION_ARGS)
{
	ResState   *s = res_final_state(fcinfo);

	if (s == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(res_percentile(s, 0.5));
}

PG_FUNCTION_INFO_V1(engage_resolution_within_final);
/* Final function of the one-call resolution_within aggregates (the SLA is in the state). */
Datum
engage_resolution_within_final(PG_FUNCTION_ARGS)
{
	ResState   *s = res_final_state(fcinfo);

	if (s == NULL)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(res_within(s, ((ResAcc *) PG_GETARG_POINTER(0))->sla));
}

PG_FUNCTION_INFO_V1(engage_resolution_ticket_count);
/* ticket_count(state): open + resolved tickets. */
Datum
engage_resolution_ticket_count(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);

	PG_RETURN_INT64(s->open + s->resolved);
}

PG_FUNCTION_INFO_V1(engage_resolution_count);
/* resolution_count(state): resolved tickets. */
Datum
engage_resolution_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(res_arg(fcinfo, 0)->resolved);
}

PG_FUNCTION_INFO_V1(engage_resolution_open_count);
/* open_count(state): tickets without a resolution. */
Datum
engage_resolution_open_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(res_arg(fcinfo, 0)->open);
}

PG_FUNCTION_INFO_V1(engage_mean_resolution_time);
/* mean_resolution_time(state): exact mean to the microsecond; NULL when none resolved. */
Datum
engage_mean_resolution_time(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);

	if (s->resolved == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(res_mean(s));
}

PG_FUNCTION_INFO_V1(engage_median_resolution_time);
/* median_resolution_time(state): within 1/128 of the exact median; NULL when none resolved. */
Datum
engage_median_resolution_time(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);

	if (s->resolved == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(res_percentile(s, 0.5));
}

/* Check a fraction argument is in [0, 1] (22023). */
static double
res_fraction(double p)
{
	if (!(p >= 0.0 && p <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("percentile %g is not between 0 and 1", p),
				 errdetail("The percentile is a fraction from 0 to 1, as for percentile_cont (0.9 is the 90th percentile).")));
	return p;
}

PG_FUNCTION_INFO_V1(engage_resolution_percentile);
/* resolution_percentile(state, p): percentile_cont(p) within 1/128; NULL when none resolved. */
Datum
engage_resolution_percentile(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);
	double		p = res_fraction(PG_GETARG_FLOAT8(1));

	if (s->resolved == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(res_percentile(s, p));
}

PG_FUNCTION_INFO_V1(engage_resolution_within);
/* resolution_within(state, sla): percent of resolved tickets with a time <= sla; NULL when none resolved. */
Datum
engage_resolution_within(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);
	int64		sla = dur_interval_us(PG_GETARG_INTERVAL_P(1), "sla");

	if (s->resolved == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(res_within(s, sla));
}

/* Raise the 22P02 error for a malformed resolution_state literal. */
static void
res_syntax_error(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type resolution_state: \"%s\"", str),
			 errdetail("%s", detail),
			 errhint("The form is v1;open=O;resolved=R;sum=SECONDS.UUUUUU;h=LOWER:COUNT,..., "
					 "e.g. v1;open=1;resolved=2;sum=3.000000;h=999424:1,1998848:1")));
}

/* Expect a literal token. */
static void
res_expect(const char *str, const char **pp, const char *tok)
{
	size_t		len = strlen(tok);

	if (strncmp(*pp, tok, len) != 0)
		res_syntax_error(str, psprintf("Expected \"%s\" at offset %d.", tok, (int) (*pp - str)));
	*pp += len;
}

/* Read a count for a text input; 22P02 when missing or past 2^63-1. */
static int64
res_read_count(const char *str, const char **pp, const char *what)
{
	int64		v;

	if (!dur_read_int(pp, &v))
		res_syntax_error(str, psprintf("Expected a whole number from 0 to %lld (%s) at offset %d.",
									   (long long) PG_INT64_MAX, what, (int) (*pp - str)));
	return v;
}

PG_FUNCTION_INFO_V1(engage_resolution_state_in);
/* Text input of resolution_state, validated. */
Datum
engage_resolution_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	int			maxent = dur_count_entries(str);
	DurEntry   *e = palloc(Max(maxent, 1) * sizeof(DurEntry));
	const char *err = NULL;
	const char *problem;
	ResState   *s;
	int64		version;
	int64		open;
	int64		resolved;
	DurSum		sum;
	int			n;

	res_expect(str, &p, "v");
	version = res_read_count(str, &p, "version");
	if (version < 1 || version > RES_VERSION)
		res_syntax_error(str, psprintf("Format version %lld is not supported; this build of engage reads versions 1 to %d.",
									   (long long) version, RES_VERSION));
	res_expect(str, &p, ";open=");
	open = res_read_count(str, &p, "open");
	res_expect(str, &p, ";resolved=");
	resolved = res_read_count(str, &p, "resolved");
	res_expect(str, &p, ";sum=");
	if (!dur_parse_seconds(&p, &sum))
		res_syntax_error(str, "The sum is in seconds with exactly 6 decimals.");
	res_expect(str, &p, ";h=");
	n = dur_parse_entries(&p, e, maxent, &err);
	if (n < 0)
		res_syntax_error(str, err);
	if (*p != '\0')
		res_syntax_error(str, psprintf("Unexpected characters at offset %d.", (int) (p - str)));
	s = palloc0(RES_SIZE(n));
	SET_VARSIZE(s, RES_SIZE(n));
	s->version = RES_VERSION;
	s->nentries = n;
	s->open = open;
	s->resolved = resolved;
	s->sum = sum;
	memcpy(s->entries, e, n * sizeof(DurEntry));
	problem = res_problem(s, VARSIZE(s));
	if (problem)
		res_syntax_error(str, psprintf("Invalid resolution_state: %s.", problem));
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

PG_FUNCTION_INFO_V1(engage_resolution_state_send);
/* Binary output: version, flags, then open, resolved, sum, buckets. */
Datum
engage_resolution_state_send(PG_FUNCTION_ARGS)
{
	ResState   *s = res_arg(fcinfo, 0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, s->version);
	pq_sendint16(&buf, s->flags);
	res_send_payload(&buf, s);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_resolution_state_recv);
/* Binary input: every length and the text input's checks (22P03). */
Datum
engage_resolution_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int			version;
	int			flags;
	ResState   *s;
	const char *why;

	if (msg->len - msg->cursor < 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary resolution_state is too short")));
	version = (int16) pq_getmsgint(msg, 2);
	flags = (int16) pq_getmsgint(msg, 2);
	if (version < 1 || version > RES_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("resolution_state format version %d is not supported", version),
				 errdetail("This build of engage reads format versions 1 to %d.", RES_VERSION)));
	s = flags != 0 ? NULL : res_recv_payload(msg, &why);
	if (flags != 0)
		why = "unknown flags";
	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary resolution_state: %s", why),
				 errdetail(RES_STATE_DETAIL)));
	PG_RETURN_POINTER(s);
}

/* Append microseconds as seconds with 6 decimals (exact, for jsonb). */
static void
res_append_us(StringInfo buf, int64 us)
{
	appendStringInfo(buf, "%lld.%06lld", (long long) (us / DUR_USEC), (long long) (us % DUR_USEC));
}

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
		res_append_us(&buf, dur_sum_mean(&s->sum, s->resolved));
		appendStringInfoString(&buf, ", \"median_seconds\": ");
		res_append_us(&buf, (int64) rint(dur_percentile(s->entries, s->nentries, s->resolved, 0.5)));
		appendStringInfoString(&buf, ", \"p90_seconds\": ");
		res_append_us(&buf, (int64) rint(dur_percentile(s->entries, s->nentries, s->resolved, 0.9)));
	}
	appendStringInfoString(&buf, ", \"buckets\": [");
	for (i = 0; i < s->nentries; i++)
		appendStringInfo(&buf, "%s[%lld, %lld, %lld]", i ? ", " : "",
						 (long long) dur_lower(s->entries[i].bucket),
						 (long long) (dur_lower(s->entries[i].bucket) + dur_width(s->entries[i].bucket) - 1),
						 (long long) s->entries[i].count);
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
