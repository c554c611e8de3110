/*
 * activity.c: active users, stickiness and cohort retention from an
 * activity log (user_id, day).
 *
 * The stored state, activity_state, says on which DAYS each user was active:
 * a range of days [first_day, first_day + ndays) and, for each user (sorted
 * by user id), a bitmap of the range with one bit per day.  Every metric of
 * the family (active users over any period, DAU/WAU/MAU, the activity series
 * by day, ISO week or month, stickiness, the cohort matrix on-period and
 * on-or-after) is read from it exactly, and states of different ranges,
 * shards or partitions merge exactly (a union by user, the bitmaps OR-ed).
 * Memory: users x (8 + ceil(days / 8)) bytes, e.g. 100k users over 365
 * days = 100000 x (8 + 46) = 5.4 MB.
 *
 * Layout (varlena, double aligned):
 *   int32 vl_len_; int16 version; int16 flags (0); int32 first_day (DateADT);
 *   int32 ndays; int32 nusers; int32 pad (0);
 *   int64 user_id[nusers];            strictly ascending
 *   uint8 bits[nusers][ceil(ndays/8)]; day first_day + 8 i + j is bit j
 *                                      (least significant first) of byte i
 * Canonical: every user has at least one active day, bits past ndays are
 * zero, and the first and the last day of the range each have an active
 * user.  So equal activity gives equal states, and text forms compare.
 *
 * Text form: v1:FIRST_DAY:NDAYS:{USER_ID=HEX,...}, the bitmap of each user
 * as 2 x ceil(ndays/8) hex digits, byte by byte, e.g.
 *   v1:2024-01-01:3:{1=05,2=02}   user 1 on Jan 1 and 3, user 2 on Jan 2.
 * Binary form: int16 version, int16 flags, int32 first_day, int32 ndays,
 * int32 nusers, then per user int64 user_id and the bitmap bytes.
 *
 * The aggregates keep an internal build state: a hash table user_id ->
 * slot (lib/simplehash.h) and one arena of per-user bitmaps over a window
 * of days that doubles when a day falls outside it (re-layout amortised).
 *
 * This file holds the days, units and periods, the build state and the
 * aggregates; the bitmap helpers and the validation of stored states are in
 * activity_bits.c, the text, binary and jsonb forms in activity_io.c, the
 * readers in activity_read.c.
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
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#pragma GCC diagnostic pop

#include "engage.h"
#include "activity.h"


/* One hash entry: a user and its slot in the build arena. */
typedef struct ActEntry
{
	int64		uid;
	uint32		slot;
	char		status;
} ActEntry;

#define SH_PREFIX		acthash
#define SH_ELEMENT_TYPE	ActEntry
#define SH_KEY_TYPE		int64
#define SH_KEY			uid
#define SH_HASH_KEY(tb, key)	engage_hash64((uint64) (key))
#define SH_EQUAL(tb, a, b)		((a) == (b))
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "lib/simplehash.h"
#pragma GCC diagnostic pop

/*
 * The transition state of activity_agg() and rollup(activity_state).  Rows
 * of the arena are rowbytes = width / 8 bytes; bit (d - base) of a row is
 * day d.  Windows only ever move by whole bytes, and every set bit lies in
 * [lo, hi], the days seen.
 */
typedef struct ActBuild
{
	MemoryContext cxt;			/* the aggregate context: everything lives here */
	acthash_hash *ht;			/* user_id -> slot */
	int64	   *uids;			/* uids[slot] */
	uint8	   *bits;			/* ucap rows of rowbytes */
	uint32		nusers;
	uint32		ucap;
	int32		base;			/* first day of the window */
	int32		width;			/* days in the window, a multiple of 8 */
	int32		rowbytes;
	int32		lo;				/* first day seen */
	int32		hi;				/* last day seen */
	uint32	   *dense;			/* dense[uid] = slot + 1 for 0 <= uid < dcap */
	uint32		dcap;			/* ids below dcap live in dense, not in ht */
	int64		last_uid;		/* one-entry cache for runs of one user */
	uint32		last_slot;
	bool		have_last;
} ActBuild;


/* ------------------------------------------------------------------------
 * Days, units and periods
 * ------------------------------------------------------------------------
 */

/* Error unless d is a day a state may hold. */
static inline void
act_check_day(DateADT d)
{
	if (unlikely(d < ACT_MIN_DATE || d > ACT_MAX_DATE))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("day %s is outside the days an activity state can hold",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)))),
				 errdetail(ACT_DAYS_DETAIL)));
}

/* Error (54000) when a range of span days is longer than a state allows. */
static void
act_check_span(int64 span)
{
	if (span > ACT_MAX_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("activity spans %lld days, more than an activity state can hold",
						(long long) span),
				 errdetail("An activity state covers at most %d days (20 years) from its first to its last active day.",
						   ACT_MAX_DAYS)));
}

/* Write day d as YYYY-MM-DD, independent of DateStyle. */
void
act_append_day(StringInfo buf, DateADT d)
{
	int			y,
				m,
				dd;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
	appendStringInfo(buf, "%04d-%02d-%02d", y, m, dd);
}

/* Parse a unit name (case-insensitive), 22023 with the list otherwise. */
ActUnit
act_unit(text *t)
{
	char	   *s = text_to_cstring(t);

	if (pg_strcasecmp(s, "day") == 0)
		return ACT_DAY;
	if (pg_strcasecmp(s, "week") == 0)
		return ACT_WEEK;
	if (pg_strcasecmp(s, "month") == 0)
		return ACT_MONTH;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown period unit \"%s\"", s),
			 errdetail(ACT_UNITS_DETAIL)));
	return ACT_DAY;				/* keep the compiler quiet */
}

/* The first day of the unit period that holds day d. */
static DateADT
act_period_start(DateADT d, ActUnit unit)
{
	int			y,
				m,
				dd;

	switch (unit)
	{
		case ACT_DAY:
			return d;
		case ACT_WEEK:
			/* j2day: 0 = Sunday; ISO weeks start on Monday */
			return d - (j2day(d + POSTGRES_EPOCH_JDATE) + 6) % 7;
		case ACT_MONTH:
			j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
			return date2j(y, m, 1) - POSTGRES_EPOCH_JDATE;
	}
	return d;
}

/*
 * The unit periods that meet the state's range: *nperiods of them, with
 * start[p] their first days, and pday[i] the period of day first_day + i.
 */
void
act_periods(const ActivityState *s, ActUnit unit, int **pday, DateADT **start, int *nperiods)
{
	int		   *pd = palloc(sizeof(int) * s->ndays);
	DateADT    *st = palloc(sizeof(DateADT) * (s->ndays + 1));
	int			n = 0;
	DateADT		cur = 0;
	int			i;

	for (i = 0; i < s->ndays; i++)
	{
		DateADT		ps = act_period_start(s->first_day + i, unit);

		if (i == 0 || ps != cur)
		{
			st[n++] = ps;
			cur = ps;
		}
		pd[i] = n - 1;
	}
	*pday = pd;
	*start = st;
	*nperiods = n;
}

/* ------------------------------------------------------------------------
 * The build state
 * ------------------------------------------------------------------------
 */

/* A fresh empty build state in the aggregate context. */
static ActBuild *
act_build_new(MemoryContext cxt)
{
	ActBuild   *b = MemoryContextAllocZero(cxt, sizeof(ActBuild));

	b->cxt = cxt;
	b->ht = acthash_create(cxt, 256, NULL);
	b->ucap = 64;
	b->uids = MemoryContextAlloc(cxt, sizeof(int64) * b->ucap);
	b->width = 0;				/* no window until the first day */
	return b;
}

/*
 * Make the window cover day d, and count d as seen (lo/hi).  A window that
 * must move doubles (at least), so re-layouts are amortised; it only ever
 * moves by whole bytes.
 */
static void
act_build_cover(ActBuild *b, DateADT d)
{
	int32		olo;
	int32		ohi;
	int64		nlo;
	int64		nhi;
	int64		need;
	int64		nwidth;
	int32		nbase;
	uint8	   *nbits;
	uint32		i;

	act_check_day(d);
	if (b->width == 0)
	{
		/* first day: a 64-day window with room on both sides */
		b->base = d - 24;
		b->width = 64;
		b->rowbytes = 8;
		b->lo = b->hi = d;
		b->bits = MemoryContextAllocExtended(b->cxt, (Size) b->ucap * b->rowbytes,
											 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		return;
	}
	olo = b->lo;
	ohi = b->hi;
	nlo = Min(olo, d);
	nhi = Max(ohi, d);
	act_check_span(nhi - nlo + 1);
	b->lo = (int32) nlo;
	b->hi = (int32) nhi;
	if (d >= b->base && d < (int64) b->base + b->width)
		return;
	if (d < b->base)
	{
		need = (int64) b->base + b->width - d;
		nwidth = Max((int64) b->width * 2, (need + 7) & ~(int64) 7);
		nbase = (int32) ((int64) b->base + b->width - nwidth);
	}
	else
	{
		need = (int64) d - b->base + 1;
		nwidth = Max((int64) b->width * 2, (need + 7) & ~(int64) 7);
		nbase = b->base;
	}
	nbits = MemoryContextAllocExtended(b->cxt, (Size) b->ucap * (Size) (nwidth / 8),
									   MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	/* the old rows hold bits only on the days seen before, [olo, ohi] */
	for (i = 0; i < b->nusers; i++)
		act_or_days(nbits + (size_t) i * (nwidth / 8), nbase,
					b->bits + (size_t) i * b->rowbytes, b->base, olo, ohi);
	pfree(b->bits);
	b->bits = nbits;
	b->base = nbase;
	b->width = (int32) nwidth;
	b->rowbytes = (int32) (nwidth / 8);
}

static inline bool act_dense_fits(const ActBuild *b, int64 uid);
static void act_dense_grow(ActBuild *b, int64 uid);
static uint32 act_new_slot(ActBuild *b, int64 uid);

/* The arena slot of user uid, added (with an empty row) when new. */
static inline uint32
act_build_slot(ActBuild *b, int64 uid)
{
	ActEntry   *e;
	bool		found;

	if (b->have_last && b->last_uid == uid)
		return b->last_slot;
	if (uid >= b->dcap && uid >= 0 && act_dense_fits(b, uid))
		act_dense_grow(b, uid);
	if (uid >= 0 && uid < b->dcap)
	{
		/* small ids, the usual serial keys: a direct index, no hashing */
		uint32		v = b->dense[uid];

		if (v == 0)
		{
			v = act_new_slot(b, uid) + 1;
			b->dense[uid] = v;
		}
		b->last_uid = uid;
		b->last_slot = v - 1;
		b->have_last = true;
		return v - 1;
	}
	e = acthash_insert(b->ht, uid, &found);
	if (!found)
		e->slot = act_new_slot(b, uid);
	b->last_uid = uid;
	b->last_slot = e->slot;
	b->have_last = true;
	return e->slot;
}

/* Largest id range the direct index may cover: 2^25 ids, 128 MB. */
#define ACT_DENSE_MAX	((int64) 1 << 25)

/*
 * Should the direct index grow to cover uid?  Only while ids stay dense:
 * at most 4 ids per user seen (plus 64k), so sparse keys go to the hash.
 */
static inline bool
act_dense_fits(const ActBuild *b, int64 uid)
{
	return uid < ACT_DENSE_MAX && uid < 4 * (int64) b->nusers + 65536;
}

/* Grow the direct index to cover uid (doubling), moving hashed ids into it. */
static void
act_dense_grow(ActBuild *b, int64 uid)
{
	uint32		ncap = Max(b->dcap, 1024);
	uint32		old = b->dcap;
	acthash_iterator it;
	ActEntry   *e;

	while ((int64) ncap <= uid)
		ncap *= 2;
	if (b->dense == NULL)
		b->dense = MemoryContextAllocHuge(b->cxt, sizeof(uint32) * (Size) ncap);
	else
		b->dense = repalloc_huge(b->dense, sizeof(uint32) * (Size) ncap);
	memset(b->dense + old, 0, sizeof(uint32) * (Size) (ncap - old));
	b->dcap = ncap;
	/* ids hashed before the index reached them: index them too */
	acthash_start_iterate(b->ht, &it);
	while ((e = acthash_iterate(b->ht, &it)) != NULL)
		if (e->uid >= old && e->uid < ncap)
			b->dense[e->uid] = e->slot + 1;
}

/* A new slot (row of the arena) for user uid. */
static uint32
act_new_slot(ActBuild *b, int64 uid)
{
	if (b->nusers == b->ucap)
	{
		uint32		ncap;

		if (b->ucap >= (uint32) PG_INT32_MAX / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many users for an activity state"),
					 errdetail("An activity state holds at most %d users.", PG_INT32_MAX / 2)));
		ncap = b->ucap * 2;
		b->uids = repalloc_huge(b->uids, sizeof(int64) * (Size) ncap);
		if (b->bits)
		{
			b->bits = repalloc_huge(b->bits, (Size) ncap * b->rowbytes);
			memset(b->bits + (Size) b->ucap * b->rowbytes, 0,
				   (Size) (ncap - b->ucap) * b->rowbytes);
		}
		b->ucap = ncap;
	}
	b->uids[b->nusers] = uid;
	return b->nusers++;
}

/* Record that user uid was active on day d.  The per-row hot path. */
static inline void
act_build_add(ActBuild *b, int64 uid, DateADT d)
{
	uint32		slot;
	int32		off;

	if (unlikely(d < b->lo || d > b->hi || b->width == 0))
		act_build_cover(b, d);
	slot = act_build_slot(b, uid);
	off = d - b->base;
	b->bits[(size_t) slot * b->rowbytes + (off >> 3)] |= (uint8) (1 << (off & 7));
}

/* OR a validated stored state into a build state. */
static void
act_build_add_state(ActBuild *b, const ActivityState *s)
{
	int32		last = s->first_day + s->ndays - 1;
	int32		i;

	act_build_cover(b, s->first_day);
	act_build_cover(b, last);
	for (i = 0; i < s->nusers; i++)
	{
		uint32		slot = act_build_slot(b, s->users[i]);

		act_or_days(b->bits + (size_t) slot * b->rowbytes, b->base,
					ACT_ROW(s, i), s->first_day, s->first_day, last);
	}
}

/* OR build state src into build state dst. */
static void
act_build_add_build(ActBuild *dst, const ActBuild *src)
{
	uint32		i;

	if (src->nusers == 0)
		return;
	act_build_cover(dst, src->lo);
	act_build_cover(dst, src->hi);
	for (i = 0; i < src->nusers; i++)
	{
		uint32		slot = act_build_slot(dst, src->uids[i]);

		act_or_days(dst->bits + (size_t) slot * dst->rowbytes, dst->base,
					src->bits + (size_t) i * src->rowbytes, src->base, src->lo, src->hi);
	}
}

/* A (user id, slot) pair, for sorting the build state's users. */
typedef struct ActPair
{
	int64		uid;
	uint32		slot;
} ActPair;

/* qsort comparator: ascending user id. */
static int
act_pair_cmp(const void *a, const void *b)
{
	int64		x = ((const ActPair *) a)->uid;
	int64		y = ((const ActPair *) b)->uid;

	return (x > y) - (x < y);
}

/* The canonical stored state of a non-empty build state (read only). */
static ActivityState *
act_build_state(const ActBuild *b)
{
	int32		ndays = b->hi - b->lo + 1;
	int			rb = ACT_ROWBYTES(ndays);
	int64		size = act_size(b->nusers, ndays);
	ActPair    *pairs;
	ActivityState *s;
	uint32		i;

	if (size < 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("activity state of %u users over %d days is too large", b->nusers, ndays),
				 errdetail("A state takes users x (8 + days / 8) bytes and is at most 1 GB.")));
	pairs = palloc_extended(sizeof(ActPair) * (Size) b->nusers, MCXT_ALLOC_HUGE);
	for (i = 0; i < b->nusers; i++)
	{
		pairs[i].uid = b->uids[i];
		pairs[i].slot = i;
	}
	qsort(pairs, b->nusers, sizeof(ActPair), act_pair_cmp);
	s = palloc0((Size) size);
	SET_VARSIZE(s, size);
	s->version = ACT_VERSION;
	s->first_day = b->lo;
	s->ndays = ndays;
	s->nusers = (int32) b->nusers;
	for (i = 0; i < b->nusers; i++)
	{
		s->users[i] = pairs[i].uid;
		act_or_days(ACT_BITS(s) + (size_t) i * rb, b->lo,
					b->bits + (size_t) pairs[i].slot * b->rowbytes, b->base, b->lo, b->hi);
	}
	pfree(pairs);
	return s;
}

/* The build state argument of an aggregate support function, or NULL. */
static inline ActBuild *
act_build_arg(FunctionCallInfo fcinfo, int argno, MemoryContext *aggcxt, const char *fn)
{
	if (!AggCheckCallContext(fcinfo, aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as part of an aggregate", fn),
				 errdetail("Use the aggregates activity_agg(user_id, day) and rollup(activity_state).")));
	return PG_ARGISNULL(argno) ? NULL : (ActBuild *) PG_GETARG_POINTER(argno);
}

PG_FUNCTION_INFO_V1(engage_activity_accum);
/* Transition of activity_agg(user_id, day): NULL user or day is ignored. */
Datum
engage_activity_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	ActBuild   *b = act_build_arg(fcinfo, 0, &aggcxt, "activity_accum()");

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (b == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(b);
	}
	if (b == NULL)
		b = act_build_new(aggcxt);
	act_build_add(b, PG_GETARG_INT64(1), PG_GETARG_DATEADT(2));
	PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(engage_activity_rollup_accum);
/* Transition of rollup(activity_state): ORs one state in; NULL is ignored. */
Datum
engage_activity_rollup_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	ActBuild   *b = act_build_arg(fcinfo, 0, &aggcxt, "activity_rollup_accum()");

	if (PG_ARGISNULL(1))
	{
		if (b == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(b);
	}
	if (b == NULL)
		b = act_build_new(aggcxt);
	act_build_add_state(b, act_arg(fcinfo, 1));
	PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(engage_activity_combine);
/*
 * Combine (not STRICT, the state is internal): unions two build states by
 * user, in state 1; when state 1 is NULL, a copy of state 2 is made in the
 * aggregate context.
 */
Datum
engage_activity_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	ActBuild   *dst = act_build_arg(fcinfo, 0, &aggcxt, "activity_combine()");
	ActBuild   *src = PG_ARGISNULL(1) ? NULL : (ActBuild *) PG_GETARG_POINTER(1);

	if (src == NULL || src->nusers == 0)
	{
		if (dst == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(dst);
	}
	if (dst == NULL)
		dst = act_build_new(aggcxt);
	act_build_add_build(dst, src);
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(engage_activity_final);
/* Final function of both aggregates: the canonical state, NULL when empty. */
Datum
engage_activity_final(PG_FUNCTION_ARGS)
{
	ActBuild   *b = act_build_arg(fcinfo, 0, NULL, "activity_final()");

	if (b == NULL || b->nusers == 0)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(act_build_state(b));
}

PG_FUNCTION_INFO_V1(engage_activity_serialize);
/* Serial function: the build state as the bytes of its canonical state. */
Datum
engage_activity_serialize(PG_FUNCTION_ARGS)
{
	ActBuild   *b = act_build_arg(fcinfo, 0, NULL, "activity_serialize()");
	ActivityState *s;

	if (b == NULL || b->nusers == 0)
	{
		/* never happens with the declared STRICT; an empty state is header only */
		s = palloc0(ACT_HDRSZ);
		SET_VARSIZE(s, ACT_HDRSZ);
		s->version = ACT_VERSION;
	}
	else
		s = act_build_state(b);
	PG_RETURN_BYTEA_P((bytea *) s);
}

PG_FUNCTION_INFO_V1(engage_activity_deserialize);
/* Deserial function: every length and field checked, then a build state. */
Datum
engage_activity_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	ActivityState *s;
	const char *problem;
	ActBuild   *b;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("activity_deserialize() can only be called as part of an aggregate")));
	s = (ActivityState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	b = act_build_new(aggcxt);
	if (VARSIZE(s) == ACT_HDRSZ && s->version == ACT_VERSION && s->nusers == 0)
		PG_RETURN_POINTER(b);	/* the empty state */
	problem = act_problem(s, VARSIZE(s));
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid serialized activity state"),
				 errdetail("%s", problem)));
	act_build_add_state(b, s);
	PG_RETURN_POINTER(b);
}
