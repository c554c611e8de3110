/*
 * funnel_keyed.c: the one-call keyed form of the window funnel,
 * funnel(user_id, ts, step, window [, steps]) and funnel(user_id, ts,
 * conditions, window): many users' rows in ONE aggregate (no GROUP BY
 * user), the result equal to rollup() of the per-user states of
 * funnel(ts, ...) GROUP BY user_id (see funnel.c).
 *
 * The running state keeps, per user, the user's funnel events: a hash table
 * user_id -> slot (lib/simplehash.h), and one arena of (ts, slot, step)
 * events in arrival order that grows by doubling, with a count per slot
 * (amortised growth, no allocation per row).  The final function groups
 * the arena by slot (a counting sort, one pass), runs the per-user chain
 * logic of funnel.c (fn_chain) on each user's events and adds each user to
 * a running rollup (fr_add_user), read out as the funnel_state rollup()
 * would give.  Combine merges the users and appends the events (parallel
 * plans); the serialized form lists the users, then their events user by
 * user.  Rows with a NULL user_id are not a user (their parameters are
 * still checked); a user with no funnel event still counts as a user.
 *
 * Memory: 16 bytes per funnel event (up to 32 while the arena doubles),
 * 16 more per event in the final function (the grouped copy), and about 40
 * to 70 bytes per user (hash entry, id, count).  Limits (54000): at most
 * FUNNEL_MAX_EVENTS events, and users + events at most
 * FUNNEL_KEYED_MAX_ITEMS, so that the arena and the serialized form are
 * single allocations under 1 GB.
 */
#include "postgres.h"

#include "common/int.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "port/pg_bswap.h"

#include "funnel.h"

/* One event: its user's slot, time and step (16 bytes). */
typedef struct FkEvent
{
	int64		ts;
	int32		slot;
	int32		step;
} FkEvent;

/* One hash entry: a user and its slot. */
typedef struct FkEntry
{
	int64		uid;
	int32		slot;
	char		status;
} FkEntry;

/* A 64-bit mix (murmur3's finaliser) folded to 32 bits. */
static inline uint32
fk_hash64(uint64 k)
{
	k ^= k >> 33;
	k *= UINT64CONST(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64CONST(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return (uint32) k;
}

#define SH_PREFIX		fkhash
#define SH_ELEMENT_TYPE	FkEntry
#define SH_KEY_TYPE		int64
#define SH_KEY			uid
#define SH_HASH_KEY(tb, key)	fk_hash64((uint64) (key))
#define SH_EQUAL(tb, a, b)		((a) == (b))
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
/* simplehash.h has unused parameters (-Wextra) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "lib/simplehash.h"
#pragma GCC diagnostic pop

/* The running state of funnel(user_id, ts, ...). */
typedef struct FunnelKeyed
{
	FunnelParams p;				/* the same for every row and user */
	MemoryContext cxt;			/* where the arrays grow */
	fkhash_hash *ht;			/* user_id -> slot */
	int64	   *uids;			/* uids[slot] */
	int32	   *counts;			/* counts[slot]: the user's events */
	int32		nusers;
	int32		ucap;
	FkEvent    *ev;				/* the events of every user, in arrival order */
	int32		n;
	int32		cap;
	int64		last_uid;		/* one-entry cache for runs of one user */
	int32		last_slot;		/* -1: empty */
} FunnelKeyed;

#define FK_MIN_USERS	16
#define FK_MIN_EVENTS	64

/* Raise 54000: a state past its limits. */
static void
fk_too_large(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("funnel state has too many users or events"),
			 errdetail("One funnel(user_id, ...) state (one partial state in a parallel plan) holds at most %d funnel events, "
					   "and at most %lld users and events together.",
					   FUNNEL_MAX_EVENTS, (long long) FUNNEL_KEYED_MAX_ITEMS),
			 errhint("Use the per-user form funnel(ts, ...) with GROUP BY user_id, then rollup(), or fewer rows per call.")));
}

/* A new empty state in cxt, with room for nusers users and n events. */
static FunnelKeyed *
fk_new(MemoryContext cxt, const FunnelParams *p, int32 nusers, int32 n)
{
	FunnelKeyed *k = MemoryContextAlloc(cxt, sizeof(FunnelKeyed));

	k->p = *p;
	k->cxt = cxt;
	k->ucap = Max(nusers, FK_MIN_USERS);
	k->cap = Max(n, FK_MIN_EVENTS);
	k->ht = fkhash_create(cxt, (uint32) k->ucap, NULL);
	k->uids = MemoryContextAlloc(cxt, sizeof(int64) * (Size) k->ucap);
	k->counts = MemoryContextAlloc(cxt, sizeof(int32) * (Size) k->ucap);
	k->ev = MemoryContextAlloc(cxt, sizeof(FkEvent) * (Size) k->cap);
	k->nusers = 0;
	k->n = 0;
	k->last_uid = 0;
	k->last_slot = -1;
	return k;
}

/* A new slot for user uid (not in the table yet). */
static int32
fk_new_slot(FunnelKeyed *k, int64 uid)
{
	if ((int64) k->nusers + k->n + 1 > FUNNEL_KEYED_MAX_ITEMS)
		fk_too_large();
	if (k->nusers == k->ucap)
	{
		int64		ncap = Min((int64) k->ucap * 2, FUNNEL_KEYED_MAX_ITEMS);

		k->uids = repalloc(k->uids, sizeof(int64) * (Size) ncap);
		k->counts = repalloc(k->counts, sizeof(int32) * (Size) ncap);
		k->ucap = (int32) ncap;
	}
	k->uids[k->nusers] = uid;
	k->counts[k->nusers] = 0;
	return k->nusers++;
}

/* The slot of user uid, added when new. */
static inline int32
fk_slot(FunnelKeyed *k, int64 uid)
{
	FkEntry    *e;
	bool		found;

	if (k->last_slot >= 0 && k->last_uid == uid)
		return k->last_slot;
	e = fkhash_insert(k->ht, uid, &found);
	if (!found)
		e->slot = fk_new_slot(k, uid);
	k->last_uid = uid;
	k->last_slot = e->slot;
	return e->slot;
}

/* Make room for extra more events, doubling; 54000 past the limits. */
static void
fk_reserve(FunnelKeyed *k, int64 extra)
{
	int64		need = (int64) k->n + extra;

	if (need > FUNNEL_MAX_EVENTS || need + k->nusers > FUNNEL_KEYED_MAX_ITEMS)
		fk_too_large();
	if (need > k->cap)
	{
		int64		ncap = Min(Max((int64) k->cap * 2, need), FUNNEL_MAX_EVENTS);

		k->ev = repalloc(k->ev, sizeof(FkEvent) * (Size) ncap);
		k->cap = (int32) ncap;
	}
}

/* Append one event of the user at slot (the caller checked the step). */
static inline void
fk_push(FunnelKeyed *k, int32 slot, int64 ts, int step)
{
	FkEvent    *e;

	if (unlikely(k->n >= k->cap || (int64) k->n + k->nusers >= FUNNEL_KEYED_MAX_ITEMS))
		fk_reserve(k, 1);
	e = &k->ev[k->n++];
	e->ts = ts;
	e->slot = slot;
	e->step = step;
	k->counts[slot]++;
}

/* The running state for this row: created on the first, parameters checked on every row. */
static FunnelKeyed *
fk_get(FunctionCallInfo fcinfo, MemoryContext cxt, int mode, int nsteps)
{
	const Interval *iv = fn_window_arg(fcinfo, 4);
	FunnelKeyed *k;

	if (PG_ARGISNULL(0))
	{
		FunnelParams p;

		fn_params_init(&p, iv, mode, nsteps);
		return fk_new(cxt, &p, 0, 0);
	}
	k = (FunnelKeyed *) PG_GETARG_POINTER(0);
	fn_params_check(&k->p, iv, mode, nsteps);
	return k;
}

PG_FUNCTION_INFO_V1(engage_funnel_keyed_accum);
/*
 * Transition of funnel(user_id, ts, step, window [, steps]): a row with a
 * user_id makes that user part of the funnel; it is also an event of the
 * user when it is a funnel event (step 1..N; 0 and NULL are not, NULL ts
 * is ignored), with the per-user form's checks.
 */
Datum
engage_funnel_keyed_accum(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "funnel transition function");
	int			nsteps = PG_NARGS() > 5 ? fn_steps_arg(fcinfo, 5) : 0;
	FunnelKeyed *k = fk_get(fcinfo, cxt, nsteps ? FUNNEL_BY_STEP_N : FUNNEL_BY_STEP, nsteps);
	int32		slot;
	int32		step;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(k);
	slot = fk_slot(k, PG_GETARG_INT64(1));
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(k);
	step = PG_GETARG_INT32(3);
	if (step == 0)
		PG_RETURN_POINTER(k);
	if (unlikely(step < 0 || step > (nsteps ? nsteps : FUNNEL_MAX)))
		fn_bad_step(step);
	if (nsteps == 0 && step > k->p.nsteps)
		k->p.nsteps = step;
	fk_push(k, slot, fn_ts_arg(fcinfo, 2), step);
	PG_RETURN_POINTER(k);
}

PG_FUNCTION_INFO_V1(engage_funnel_keyed_accum_conditions);
/*
 * Transition of funnel(user_id, ts, conditions boolean[], window): one
 * event of the user per true condition (element k true: step k); every
 * row's conditions have the same length.
 */
Datum
engage_funnel_keyed_accum_conditions(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "funnel transition function");
	FunnelKeyed *k = fk_get(fcinfo, cxt, FUNNEL_BY_CONDITIONS, 0);
	uint32		mask = 0;
	int32		slot;
	int64		ts;

	if (!PG_ARGISNULL(3))
	{
		int			len;

		mask = fn_conditions(PG_GETARG_ARRAYTYPE_P(3), &len);
		if (k->p.nsteps == 0)
			k->p.nsteps = len;
		else if (k->p.nsteps != len)
			fn_param_changed();
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(k);
	slot = fk_slot(k, PG_GETARG_INT64(1));
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(k);
	ts = fn_ts_arg(fcinfo, 2);
	while (mask)
	{
		fk_push(k, slot, ts, pg_rightmost_one_pos32(mask) + 1);
		mask &= mask - 1;
	}
	PG_RETURN_POINTER(k);
}

/* dst += src: src's users merged into dst's, src's events appended (parameters merged by the caller). */
static void
fk_merge(FunnelKeyed *dst, const FunnelKeyed *src)
{
	int32	   *map = palloc(sizeof(int32) * (Size) Max(src->nusers, 1));
	FkEvent    *e;
	int32		i;

	for (i = 0; i < src->nusers; i++)
	{
		map[i] = fk_slot(dst, src->uids[i]);
		dst->counts[map[i]] += src->counts[i];
	}
	fk_reserve(dst, src->n);
	e = dst->ev + dst->n;
	for (i = 0; i < src->n; i++)
	{
		e[i].ts = src->ev[i].ts;
		e[i].slot = map[src->ev[i].slot];
		e[i].step = src->ev[i].step;
	}
	dst->n += src->n;
	pfree(map);
}

PG_FUNCTION_INFO_V1(engage_funnel_keyed_combine);
/*
 * Combine two running states (parallel aggregation): merges the users and
 * appends the events; a NULL first state becomes a copy of the second in
 * the aggregate context (the second lives in a shorter-lived context).
 */
Datum
engage_funnel_keyed_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "funnel combine function");
	FunnelKeyed *dst;
	FunnelKeyed *src;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (FunnelKeyed *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
		dst = fk_new(cxt, &src->p, src->nusers, src->n);
	else
	{
		dst = (FunnelKeyed *) PG_GETARG_POINTER(0);
		fn_params_merge(&dst->p, &src->p);
	}
	fk_merge(dst, src);
	PG_RETURN_POINTER(dst);
}

/* Write v big-endian at p. */
static inline char *
fk_put64(char *p, int64 v)
{
	uint64		n = pg_hton64((uint64) v);

	memcpy(p, &n, 8);
	return p + 8;
}

static inline char *
fk_put32(char *p, int32 v)
{
	uint32		n = pg_hton32((uint32) v);

	memcpy(p, &n, 4);
	return p + 4;
}

PG_FUNCTION_INFO_V1(engage_funnel_keyed_serialize);
/*
 * Serialize: version, window, mode, steps, user count, event count; per
 * user its id and event count; then the events (ts, step) user by user.
 */
Datum
engage_funnel_keyed_serialize(PG_FUNCTION_ARGS)
{
	FunnelKeyed *k;
	StringInfoData buf;
	Size		body;
	char	   *users;
	char	   *events;
	int32	   *pos;
	int32		acc = 0;
	int32		i;

	dur_aggcxt(fcinfo, "funnel serialize function");
	k = (FunnelKeyed *) PG_GETARG_POINTER(0);
	/* the limits keep this under 1 GB */
	body = 12 * ((Size) k->nusers + (Size) k->n);
	pq_begintypsend(&buf);
	pq_sendint16(&buf, FUNNEL_VERSION);
	fn_send_params(&buf, &k->p);
	pq_sendint32(&buf, k->nusers);
	pq_sendint32(&buf, k->n);
	enlargeStringInfo(&buf, (int) body);
	users = buf.data + buf.len;
	events = users + 12 * (Size) k->nusers;
	pos = palloc(sizeof(int32) * (Size) Max(k->nusers, 1));
	for (i = 0; i < k->nusers; i++)
	{
		users = fk_put32(fk_put64(users, k->uids[i]), k->counts[i]);
		pos[i] = acc;
		acc += k->counts[i];
	}
	for (i = 0; i < k->n; i++)
	{
		const FkEvent *e = &k->ev[i];

		fk_put32(fk_put64(events + 12 * (Size) pos[e->slot]++, e->ts), e->step);
	}
	pfree(pos);
	buf.len += (int) body;
	buf.data[buf.len] = '\0';
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_funnel_keyed_deserialize);
/*
 * Deserialize, checking every field (22P03): parameters, the exact length
 * for the user and event counts, distinct users, event counts adding up,
 * each event.  The state lives in the current (per-call) context: combine
 * copies it into the aggregate context.
 */
Datum
engage_funnel_keyed_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData msg;
	FunnelParams p;
	FunnelKeyed *k;
	int32		nusers;
	int32		n;
	int32		maxstep = 0;
	int64		total = 0;
	int32		i;
	int32		j;
	int32		at = 0;

	dur_aggcxt(fcinfo, "funnel deserialize function");
	dur_bytea_msg(PG_GETARG_BYTEA_PP(0), &msg);
	if (msg.len < FUNNEL_KEYED_HDR || pq_getmsgint(&msg, 2) != FUNNEL_VERSION)
		fn_bad_serialized("unknown format version");
	fn_recv_params(&msg, &p);
	nusers = (int32) pq_getmsgint(&msg, 4);
	n = (int32) pq_getmsgint(&msg, 4);
	if (nusers < 0 || n < 0 || n > FUNNEL_MAX_EVENTS || (int64) nusers + n > FUNNEL_KEYED_MAX_ITEMS ||
		(int64) (msg.len - msg.cursor) != 12 * ((int64) nusers + n))
		fn_bad_serialized("wrong length for its user and event counts");
	k = fk_new(CurrentMemoryContext, &p, nusers, n);
	for (i = 0; i < nusers; i++)
	{
		int64		uid = pq_getmsgint64(&msg);
		int32		cnt = (int32) pq_getmsgint(&msg, 4);

		if (fk_slot(k, uid) != i || k->nusers != i + 1)
			fn_bad_serialized("a user appears twice");
		if (cnt < 0 || cnt > n - total)
			fn_bad_serialized("event counts do not match");
		k->counts[i] = cnt;
		total += cnt;
	}
	if (total != n)
		fn_bad_serialized("event counts do not match");
	for (i = 0; i < nusers; i++)
	{
		for (j = 0; j < k->counts[i]; j++)
		{
			FunnelEvent e;
			int			step = fn_recv_event(&msg, &p, &e);

			maxstep = Max(maxstep, step);
			k->ev[at].ts = e.ts;
			k->ev[at].slot = i;
			k->ev[at].step = e.step;
			at++;
		}
	}
	k->n = n;
	if (p.mode == FUNNEL_BY_STEP && maxstep != p.nsteps)
		fn_bad_serialized("step count does not match the events");
	pq_getmsgend(&msg);
	PG_RETURN_POINTER(k);
}

PG_FUNCTION_INFO_V1(engage_funnel_keyed_final);
/*
 * Final function: groups the events user by user (counting sort), runs the
 * per-user chain logic on each user and rolls the users up: the funnel_state
 * of rollup() over the per-user states.  NULL when no row had a user.  The
 * running state is left as it was (the final function may run again).
 */
Datum
engage_funnel_keyed_final(PG_FUNCTION_ARGS)
{
	FunnelKeyed *k;
	FunnelEvent *grouped;
	int32	   *start;
	int32	   *pos;
	FunnelRoll *r;
	FunnelState *s;
	int64		times[FUNNEL_MAX + 1];
	int32		i;

	dur_aggcxt(fcinfo, "funnel final function");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	k = (FunnelKeyed *) PG_GETARG_POINTER(0);
	if (k->nusers == 0)
		PG_RETURN_NULL();
	start = palloc(sizeof(int32) * ((Size) k->nusers + 1));
	pos = palloc(sizeof(int32) * (Size) k->nusers);
	start[0] = 0;
	for (i = 0; i < k->nusers; i++)
	{
		pos[i] = start[i];
		start[i + 1] = start[i] + k->counts[i];
	}
	grouped = palloc(sizeof(FunnelEvent) * (Size) Max(k->n, 1));
	for (i = 0; i < k->n; i++)
	{
		const FkEvent *e = &k->ev[i];
		FunnelEvent *g = &grouped[pos[e->slot]++];

		g->ts = e->ts;
		g->step = e->step;
		g->pad = 0;
	}
	pfree(pos);
	r = palloc0(sizeof(FunnelRoll));
	r->nsteps = k->p.nsteps;
	for (i = 0; i < k->nusers; i++)
	{
		int			depth = fn_chain(grouped + start[i], k->counts[i], k->p.nsteps, k->p.window, times);

		fr_add_user(r, CurrentMemoryContext, depth, times);
	}
	pfree(grouped);
	pfree(start);
	s = fr_to_state(r);
	PG_RETURN_POINTER(s);
}
