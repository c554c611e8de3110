/*
 * duration.h: the duration histogram ("dur_"), the shared core of the two
 * duration metric families: funnel_state (times between funnel steps;
 * funnel.c, funnel_io.c, funnel_read.c) and resolution_state (support
 * resolution time; resolution.c, resolution_io.c).  Defined in duration.c,
 * which also describes the buckets and their error bounds.
 */
#ifndef DURATION_H
#define DURATION_H

#include "postgres.h"
#include "fmgr.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"

/* Buckets: 128 exact ones, then 64 per power of two up to 2^63. */
#define DUR_EXACT		128
#define DUR_SUB			64
#define DUR_NBUCKETS	(DUR_EXACT + 56 * DUR_SUB)
#define DUR_USEC		INT64CONST(1000000)

#define DUR_DETAIL \
	"A duration is an interval of days and time, >= 0, with no month part (a day is 24 hours), e.g. '4 hours' or '2 days'."

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

/* What a text input reports its syntax errors against. */
typedef struct DurLiteral
{
	const char *type;			/* the SQL type, e.g. "funnel_state" */
	const char *hint;			/* its text form, for the hint */
	const char *str;			/* the whole literal */
} DurLiteral;

/* A duration state type's binary form: header, then a payload of its own. */
typedef struct DurType
{
	const char *name;			/* the SQL type, e.g. "funnel_state" */
	const char *detail;			/* what a valid value is (errdetail) */
	int			version;		/* the newest format version */
	bool		flags;			/* the header has int16 flags (always 0) after the version */
	void		(*send) (StringInfo buf, const void *state);	/* append the payload */
	void	   *(*recv) (StringInfo msg, const char **why); /* the state, or NULL and *why */
} DurType;

/*
 * Define the binary I/O entry points of a duration state type dtype (a
 * DurType): engage_<prefix>_state_send writes a state fetched and validated
 * by argfn (returning a ctype *), engage_<prefix>_state_recv reads one.
 */
#define DUR_BINARY_FNS(prefix, dtype, ctype, argfn) \
	PG_FUNCTION_INFO_V1(engage_##prefix##_state_send); \
	Datum engage_##prefix##_state_send(PG_FUNCTION_ARGS) \
	{ \
		ctype	   *s_ = argfn(fcinfo, 0); \
		PG_RETURN_BYTEA_P(dur_send_state(&(dtype), s_->version, s_)); \
	} \
	PG_FUNCTION_INFO_V1(engage_##prefix##_state_recv); \
	Datum engage_##prefix##_state_recv(PG_FUNCTION_ARGS) \
	{ \
		PG_RETURN_POINTER(dur_recv_state(&(dtype), (StringInfo) PG_GETARG_POINTER(0))); \
	}

/* Internal helpers are hidden (see engage.h). */
#pragma GCC visibility push(hidden)

/* Buckets, sums and running histograms */
extern int	dur_bucket(int64 v);
extern int64 dur_lower(int b);
extern int64 dur_width(int b);
extern void dur_overflow(const char *what) pg_attribute_noreturn();
extern void dur_never_added(const char *what) pg_attribute_noreturn();
extern void dur_sum_add(DurSum *s, int64 v, int sign, const char *what);
extern void dur_sum_add_sum(DurSum *dst, const DurSum *src, int sign, const char *what);
extern int64 dur_sum_mean(const DurSum *s, int64 n);
extern void dur_hist_add(DurHist *h, MemoryContext cxt, int b, int64 count, const char *what);
extern void dur_hist_add_value(DurHist *h, MemoryContext cxt, int64 v, int sign, const char *what);
extern void dur_hist_add_entries(DurHist *h, MemoryContext cxt, const DurEntry *e, int n,
								 const DurSum *sum, int sign, const char *what);
extern int	dur_hist_nentries(const DurHist *h);
extern int	dur_hist_entries(const DurHist *h, DurEntry *out);

/* Stored histograms: validation and reading */
extern const char *dur_entries_problem(const DurEntry *e, int n, int64 total, const DurSum *sum);
extern double dur_percentile(const DurEntry *e, int n, int64 total, double p);
extern double dur_within(const DurEntry *e, int n, int64 sla);
extern Datum dur_mean_datum(const DurSum *s, int64 n);
extern Datum dur_percentile_datum(const DurEntry *e, int n, int64 total, double p);

/* Durations from and to SQL values */
extern int64 dur_interval_us(const Interval *iv, const char *what);
extern int64 dur_between(TimestampTz from, TimestampTz to, const char *what);
extern Datum dur_interval_datum(double us);

/* Text forms */
extern void dur_append_seconds(StringInfo buf, const DurSum *s);
extern void dur_append_us(StringInfo buf, int64 us);
extern void dur_append_entries(StringInfo buf, const DurEntry *e, int n);
extern bool dur_read_int(const char **pp, int64 *v);
extern bool dur_parse_seconds(const char **pp, DurSum *s);
extern int	dur_parse_entries(const char **pp, DurEntry *out, int max, const char **err);
extern int	dur_count_entries(const char *str);
extern void dur_syntax_error(const DurLiteral *lit, const char *detail) pg_attribute_noreturn();
extern void dur_expect(const DurLiteral *lit, const char **pp, const char *tok);
extern void dur_check_version(const DurLiteral *lit, int64 version, int max);

/* Binary forms and the aggregates' plumbing */
extern void dur_send_sum(StringInfo buf, const DurSum *s);
extern void dur_recv_sum(StringInfo msg, DurSum *s);
extern void dur_send_entries(StringInfo buf, const DurEntry *e, int n);
extern void dur_recv_entries(StringInfo msg, DurEntry *e, int n);
extern bytea *dur_send_state(const DurType *t, int version, const void *state);
extern void *dur_recv_state(const DurType *t, StringInfo msg);
extern void dur_bytea_msg(bytea *b, StringInfo msg);
extern void dur_bad_serialized(const char *what, const char *why, int version) pg_attribute_noreturn();
extern MemoryContext dur_aggcxt(FunctionCallInfo fcinfo, const char *what);

#pragma GCC visibility pop

#endif							/* DURATION_H */
