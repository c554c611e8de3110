/*
 * page_stats.c: the page_stats(ts, page [, gap]) aggregate, which collects
 * one user's raw page-view events (GROUP BY user_id) and cuts them into
 * sessions as sessionize() does (sessions_collect.c): a session is cut
 * wherever two consecutive events are MORE than gap apart.  The transition
 * only collects (arrays grow by doubling); the final function sorts and
 * cuts, so the answer does not depend on the order the rows arrive in.
 * Partial states are serialized for parallel plans and concatenated by the
 * combine function.
 *
 * page_stats() keeps 16 bytes plus the page's bytes per event and returns
 * one page_stat per page the user viewed:
 *   views        page views
 *   entrances    views that start a session (landing page)
 *   exits        views that end a session (exit page)
 *   timed_views  views followed by another event of the same session
 *   time_on_page sum over the timed views of (next event ts - this ts)
 * The last view of a session has no known time on page and is not counted
 * in time_on_page or timed_views (Google Analytics' rule).  Events of equal
 * ts are ordered by page (byte-wise, as in the C collation).  Across users,
 * unnest the arrays and sum per page: exit rate = exits / views, average
 * time on page = time_on_page / timed_views.
 */
#include "postgres.h"

#include "common/int.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "funcapi.h"
#include "utils/typcache.h"
#pragma GCC diagnostic pop
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "sessions.h"

/* Format version of the serialized state. */
#define PAGE_VERSION		1
/* The default inactivity gap, as sessionize()'s. */
#define PAGE_DEFAULT_GAP	SESS_DEFAULT_GAP

/* One event: its time and its page (bytes at buf + off). */
typedef struct PageItem
{
	int64		ts;
	int32		off;
	int32		len;
} PageItem;

/* The transition state of page_stats(). */
typedef struct PageAgg
{
	int64		gap_us;
	int32		n;				/* events */
	int32		cap;
	PageItem   *items;
	int64		buflen;			/* bytes used in buf */
	int64		bufcap;
	char	   *buf;			/* the pages' bytes, back to back */
} PageAgg;

/* Most events one state may hold, and most page bytes (under 1 GB each). */
#define PAGE_MAX_EVENTS	((int32) ((MaxAllocSize - 64) / sizeof(PageItem)))
#define PAGE_MAX_BYTES	((int64) MaxAllocSize - 64)

/* Per page output counts while the final function groups the events. */
typedef struct PageOut
{
	int32		off;
	int32		len;
	int32		entrance;
	int32		exit;
	int64		time_us;		/* -1 for an exit (unknown time) */
} PageOut;

/* What the final function needs to build page_stat values, cached per call site. */
typedef struct PageOutType
{
	Oid			elemtype;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	TupleDesc	tupdesc;
} PageOutType;

/* A new empty state in cxt. */
static PageAgg *
page_new(MemoryContext cxt, int64 gap_us)
{
	PageAgg    *a = MemoryContextAllocZero(cxt, sizeof(PageAgg));

	a->gap_us = gap_us;
	return a;
}

/* Raise 54000 for a user with more events or page bytes than a state holds. */
static void
page_too_big(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("page_stats state is too large"),
			 errdetail("One user (one group of page_stats) may have at most %d events and %lld bytes of page names.",
					   PAGE_MAX_EVENTS, (long long) PAGE_MAX_BYTES)));
}

/* Make room for extra more events and bytes more page bytes (doubling). */
static void
page_reserve(PageAgg *a, MemoryContext cxt, int64 extra, int64 bytes)
{
	if ((int64) a->n + extra > a->cap)
	{
		int64		need = (int64) a->n + extra;
		int64		cap;

		if (need > PAGE_MAX_EVENTS)
			page_too_big();
		cap = Min(Max(Max((int64) a->cap * 2, need), 16), PAGE_MAX_EVENTS);
		if (a->items == NULL)
			a->items = MemoryContextAlloc(cxt, cap * sizeof(PageItem));
		else
			a->items = repalloc(a->items, cap * sizeof(PageItem));
		a->cap = (int32) cap;
	}
	if (a->buf == NULL || a->buflen + bytes > a->bufcap)	/* never NULL, even for '' pages */
	{
		int64		need = a->buflen + bytes;
		int64		cap;

		if (need > PAGE_MAX_BYTES)
			page_too_big();
		cap = Min(Max(Max(a->bufcap * 2, need), 256), PAGE_MAX_BYTES);
		if (a->buf == NULL)
			a->buf = MemoryContextAlloc(cxt, cap);
		else
			a->buf = repalloc(a->buf, cap);
		a->bufcap = cap;
	}
}

/* Append one event (the caller reserved room). */
static inline void
page_push(PageAgg *a, int64 ts, const char *page, int32 len)
{
	PageItem   *it = &a->items[a->n++];

	it->ts = ts;
	it->off = (int32) a->buflen;
	it->len = len;
	memcpy(a->buf + a->buflen, page, len);
	a->buflen += len;
}

PG_FUNCTION_INFO_V1(engage_page_stats_accum);
/*
 * Transition of page_stats(ts, page [, gap]): appends one event.  The gap is
 * checked on every row and must not change; rows with a NULL ts or page are
 * ignored.
 */
Datum
engage_page_stats_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	PageAgg    *a;
	int64		gap_us = PG_NARGS() > 3 ? sess_gap_arg(fcinfo, 3) : PAGE_DEFAULT_GAP;
	TimestampTz ts;
	text	   *page;
	int32		len;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("page_stats transition function called in a non-aggregate context")));
	if (PG_ARGISNULL(0))
		a = page_new(aggcxt, gap_us);
	else
	{
		a = (PageAgg *) PG_GETARG_POINTER(0);
		if (unlikely(a->gap_us != gap_us))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the gap of page_stats changed between rows"),
					 errdetail("Every row of one aggregate (one user) must use the same gap.")));
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(a);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	if (unlikely(TIMESTAMP_NOT_FINITE(ts)))
		sess_infinite_ts();
	page = PG_GETARG_TEXT_PP(2);
	len = VARSIZE_ANY_EXHDR(page);
	page_reserve(a, aggcxt, 1, len);
	page_push(a, ts, VARDATA_ANY(page), len);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(engage_page_stats_combine);
/*
 * Combine: appends the second state's events to the first.  A NULL first
 * state is replaced by a copy in the aggregate context.
 */
Datum
engage_page_stats_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	PageAgg    *dst;
	PageAgg    *src;
	int32		i;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("page_stats combine function called in a non-aggregate context")));
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (PageAgg *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
		dst = page_new(aggcxt, src->gap_us);
	else
	{
		dst = (PageAgg *) PG_GETARG_POINTER(0);
		if (dst->gap_us != src->gap_us)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot combine page_stats states with different gaps"),
					 errdetail("Every row of one aggregate (one user) must use the same gap.")));
	}
	page_reserve(dst, aggcxt, src->n, src->buflen);
	for (i = 0; i < src->n; i++)
		page_push(dst, src->items[i].ts, src->buf + src->items[i].off, src->items[i].len);
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_page_stats_serialize);
/* Serialize: version, gap, count, then per event ts, page length, page bytes. */
Datum
engage_page_stats_serialize(PG_FUNCTION_ARGS)
{
	PageAgg    *a;
	StringInfoData buf;
	int32		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("page_stats serialize function called in a non-aggregate context")));
	a = (PageAgg *) PG_GETARG_POINTER(0);
	if (16 + (int64) a->n * 12 + a->buflen > (int64) MaxAllocSize - VARHDRSZ - 64)
		page_too_big();
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) (16 + (int64) a->n * 12 + a->buflen));
	pq_sendint32(&buf, PAGE_VERSION);
	pq_sendint64(&buf, a->gap_us);
	pq_sendint32(&buf, a->n);
	for (i = 0; i < a->n; i++)
	{
		pq_sendint64(&buf, a->items[i].ts);
		pq_sendint32(&buf, a->items[i].len);
		pq_sendbytes(&buf, a->buf + a->items[i].off, a->items[i].len);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Raise 22P03 for a serialized state that is not valid. */
static void
page_bad_binary(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized page_stats state: %s", why),
			 errdetail("A page_stats state is written by this build of engage's serialize function (format version %d).",
					   PAGE_VERSION)));
}

PG_FUNCTION_INFO_V1(engage_page_stats_deserialize);
/*
 * Deserialize, checking version, gap, every length against the bytes left,
 * finite timestamps, page names valid in the database encoding, exact end.
 */
Datum
engage_page_stats_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b;
	StringInfoData msg;
	PageAgg    *a;
	int64		gap_us;
	int32		n;
	int32		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("page_stats deserialize function called in a non-aggregate context")));
	b = PG_GETARG_BYTEA_PP(0);
	/* a read-only view of the bytea (initReadOnlyStringInfo is PG 16+) */
	msg.data = VARDATA_ANY(b);
	msg.len = VARSIZE_ANY_EXHDR(b);
	msg.maxlen = msg.len;
	msg.cursor = 0;
	if (msg.len < 16 || pq_getmsgint(&msg, 4) != PAGE_VERSION)
		page_bad_binary("unknown format version");
	gap_us = pq_getmsgint64(&msg);
	n = (int32) pq_getmsgint(&msg, 4);
	if (gap_us <= 0)
		page_bad_binary("gap is not positive");
	/* each event takes at least 12 bytes */
	if (n < 0 || n > PAGE_MAX_EVENTS || (int64) n * 12 > (int64) (msg.len - msg.cursor))
		page_bad_binary("wrong length for its event count");
	a = page_new(CurrentMemoryContext, gap_us);
	page_reserve(a, CurrentMemoryContext, n, (msg.len - msg.cursor) - (int64) n * 12);
	for (i = 0; i < n; i++)
	{
		int64		ts;
		int32		len;
		const char *page;

		if (msg.len - msg.cursor < 12)
			page_bad_binary("wrong length for its event count");
		ts = pq_getmsgint64(&msg);
		len = (int32) pq_getmsgint(&msg, 4);
		if (TIMESTAMP_NOT_FINITE(ts) || !IS_VALID_TIMESTAMP(ts))
			page_bad_binary("a timestamp is not finite");
		if (len < 0 || len > msg.len - msg.cursor ||
			a->buflen + len > a->bufcap)
			page_bad_binary("a page name runs past the end");
		page = pq_getmsgbytes(&msg, len);
		if (!pg_verifymbstr(page, len, true))
			page_bad_binary("a page name is not valid in the database encoding");
		page_push(a, ts, page, len);
	}
	pq_getmsgend(&msg);
	PG_RETURN_POINTER(a);
}

/* Compare two pages byte-wise, a shorter prefix first (the C collation's order). */
static inline int
page_name_cmp(const char *buf, int32 aoff, int32 alen, int32 boff, int32 blen)
{
	int			c = memcmp(buf + aoff, buf + boff, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/* qsort_arg comparator of events: by ts, then by page. */
static int
page_item_cmp(const void *x, const void *y, void *arg)
{
	const PageItem *a = (const PageItem *) x;
	const PageItem *b = (const PageItem *) y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return page_name_cmp((const char *) arg, a->off, a->len, b->off, b->len);
}

/* qsort_arg comparator of per-view results: by page. */
static int
page_out_cmp(const void *x, const void *y, void *arg)
{
	const PageOut *a = (const PageOut *) x;
	const PageOut *b = (const PageOut *) y;

	return page_name_cmp((const char *) arg, a->off, a->len, b->off, b->len);
}

/* The element type of the final function's result (page_stat), cached in fn_extra. */
static PageOutType *
page_out_type(FunctionCallInfo fcinfo)
{
	PageOutType *t = (PageOutType *) fcinfo->flinfo->fn_extra;

	if (t == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		Oid			rettype = get_func_rettype(fcinfo->flinfo->fn_oid);

		t = palloc0(sizeof(PageOutType));
		t->elemtype = get_element_type(rettype);
		if (!OidIsValid(t->elemtype) || !type_is_rowtype(t->elemtype))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("page_stats final function must return an array of a composite type")));
		get_typlenbyvalalign(t->elemtype, &t->elemlen, &t->elembyval, &t->elemalign);
		t->tupdesc = lookup_rowtype_tupdesc_copy(t->elemtype, -1);
		if (t->tupdesc->natts != 6)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("page_stat must have 6 columns")));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = t;
	}
	return t;
}

PG_FUNCTION_INFO_V1(engage_page_stats_final);
/*
 * Final function of page_stats(): sorts the events by (ts, page), cuts the
 * sessions, then groups the views by page; one page_stat per page, in page
 * order; NULL over no events.  Sorting in place keeps the content.
 */
Datum
engage_page_stats_final(PG_FUNCTION_ARGS)
{
	PageAgg    *a;
	PageOutType *t;
	PageOut    *out;
	Datum	   *elems;
	int32		nelems = 0;
	int32		i;
	int32		j;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("page_stats final function called in a non-aggregate context")));
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = (PageAgg *) PG_GETARG_POINTER(0);
	if (a->n == 0)
		PG_RETURN_NULL();
	t = page_out_type(fcinfo);
	qsort_arg(a->items, a->n, sizeof(PageItem), page_item_cmp, a->buf);

	/* one result per view: entrance, exit, time to the next event */
	out = palloc(sizeof(PageOut) * a->n);
	for (i = 0; i < a->n; i++)
	{
		int64		d = 0;
		bool		cut_before = i == 0 ||
			pg_sub_s64_overflow(a->items[i].ts, a->items[i - 1].ts, &d) || d > a->gap_us;
		bool		cut_after = i == a->n - 1 ||
			pg_sub_s64_overflow(a->items[i + 1].ts, a->items[i].ts, &d) || d > a->gap_us;

		out[i].off = a->items[i].off;
		out[i].len = a->items[i].len;
		out[i].entrance = cut_before ? 1 : 0;
		out[i].exit = cut_after ? 1 : 0;
		out[i].time_us = cut_after ? -1 : d;
	}
	qsort_arg(out, a->n, sizeof(PageOut), page_out_cmp, a->buf);

	/* group by page */
	elems = palloc(sizeof(Datum) * a->n);
	for (i = 0; i < a->n; i = j)
	{
		int64		views = 0;
		int64		entrances = 0;
		int64		exits = 0;
		int64		timed = 0;
		int64		time_us = 0;
		Interval   *iv = palloc0(sizeof(Interval));
		Datum		values[6];
		bool		nulls[6] = {false};

		for (j = i; j < a->n && page_out_cmp(&out[i], &out[j], a->buf) == 0; j++)
		{
			views++;
			entrances += out[j].entrance;
			exits += out[j].exit;
			if (out[j].time_us >= 0)
			{
				timed++;
				if (pg_add_s64_overflow(time_us, out[j].time_us, &time_us))
					ereport(ERROR,
							(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
							 errmsg("time on page is out of range"),
							 errdetail("The time on one page of one user is at most %lld microseconds.",
									   (long long) PG_INT64_MAX)));
			}
		}
		iv->time = time_us;
		values[0] = PointerGetDatum(cstring_to_text_with_len(a->buf + out[i].off, out[i].len));
		values[1] = Int64GetDatum(views);
		values[2] = Int64GetDatum(entrances);
		values[3] = Int64GetDatum(exits);
		values[4] = Int64GetDatum(timed);
		values[5] = IntervalPGetDatum(iv);
		elems[nelems++] = HeapTupleGetDatum(heap_form_tuple(t->tupdesc, values, nulls));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, nelems, t->elemtype, t->elemlen,
										  t->elembyval, t->elemalign));
}
