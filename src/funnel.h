/*
 * funnel.h: funnel_state and the running states of funnel() and
 * rollup(funnel_state), shared by funnel.c (aggregation, per-user chain
 * logic, rollup), funnel_keyed.c (the one-call keyed form funnel(user_id,
 * ts, ...)), funnel_io.c (text, binary and jsonb forms, serialized running
 * states) and funnel_read.c (readers).
 */
#ifndef FUNNEL_H
#define FUNNEL_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "duration.h"

/* Format version written into every state; readers accept 1..this. */
#define FUNNEL_VERSION	1
#define FUNNEL_MAX		32		/* steps, as ClickHouse's 32 conditions */

/*
 * The stored state.  data holds, for N = nsteps: reached[N], nent[N] (the
 * histogram entries of each step; 0 for step 1), sums[N] (two int64 each;
 * zero for step 1), then the DurEntry entries of steps 2..N in order.
 */
typedef struct FunnelState
{
	int32		vl_len_;
	int16		version;		/* FUNNEL_VERSION when written */
	int16		nsteps;			/* N, 0..FUNNEL_MAX */
	int32		nentries;		/* histogram entries of all steps */
	int32		pad;			/* always zero */
	int64		users;			/* users aggregated (reaching step 1 or not) */
	int64		data[FLEXIBLE_ARRAY_MEMBER];
} FunnelState;

#define FS_HDR				offsetof(FunnelState, data)
#define FS_SIZE(N, E)		(FS_HDR + (Size) (N) * 4 * sizeof(int64) + (Size) (E) * sizeof(DurEntry))
#define FS_REACHED(s)		((s)->data)
#define FS_NENT(s)			((s)->data + (s)->nsteps)
#define FS_SUMS(s)			((DurSum *) ((s)->data + 2 * (s)->nsteps))
#define FS_ENTRIES(s)		((DurEntry *) ((s)->data + 4 * (s)->nsteps))

#define FUNNEL_STATE_DETAIL \
	"A funnel_state has 0 to 32 steps, users >= the users at step 1 >= the users at step 2 >= ..., and per step from 2 " \
	"a histogram whose counts add up to the users at that step, with an exact sum of times within what the buckets allow."

/* One funnel event. */
typedef struct FunnelEvent
{
	int64		ts;
	int32		step;
	int32		pad;
} FunnelEvent;

/* How the steps are given. */
typedef enum FunnelMode
{
	FUNNEL_BY_STEP = 1,			/* step int; N = the largest step seen */
	FUNNEL_BY_STEP_N,			/* step int, steps int; N = steps */
	FUNNEL_BY_CONDITIONS		/* boolean[]; N = its length */
} FunnelMode;

/* The parameters of one funnel() aggregate, the same on every row. */
typedef struct FunnelParams
{
	int64		window;			/* microseconds */
	Interval	window_iv;		/* the window argument as given, to skip re-checking it */
	int32		mode;			/* FunnelMode */
	int32		nsteps;			/* N given (modes 2, 3), else the largest step seen */
} FunnelParams;

/* Events kept inside the running state before a separate array is needed. */
#define FUNNEL_INLINE	12

/*
 * The running state of funnel(ts, ...): the user's funnel events.  The first
 * FUNNEL_INLINE live in the state itself (one allocation of 240 bytes per
 * user, one cache line fewer per row); more go to a doubling array.
 */
typedef struct FunnelAcc
{
	FunnelParams p;
	int32		n;				/* events */
	int32		cap;			/* events that fit in ev */
	FunnelEvent *ev;			/* inl, or an array in the aggregate context */
	FunnelEvent inl[FUNNEL_INLINE];
} FunnelAcc;

#define FUNNEL_MAX_EVENTS	((int32) (MaxAllocSize / sizeof(FunnelEvent)))

/*
 * The one-call keyed form funnel(user_id, ts, ...) (funnel_keyed.c): its
 * serialized running state is a header of FUNNEL_KEYED_HDR bytes, then 12
 * bytes per user and per event, all in one bytea under 1 GB; so a state
 * holds at most FUNNEL_KEYED_MAX_ITEMS users plus events (and at most
 * FUNNEL_MAX_EVENTS events, 16 bytes each in one array).
 */
#define FUNNEL_KEYED_HDR		(2 + 8 + 4 * 4)
#define FUNNEL_KEYED_MAX_ITEMS	((int64) ((MaxAllocSize - VARHDRSZ - FUNNEL_KEYED_HDR - 1) / 12))

/* The running state of rollup(funnel_state). */
typedef struct FunnelRoll
{
	int32		nsteps;
	int64		users;
	int64		reached[FUNNEL_MAX];
	DurHist		h[FUNNEL_MAX];	/* h[k]: times from step k to step k + 1 (h[0] unused) */
} FunnelRoll;

/* Internal helpers are hidden (see engage.h). */
#pragma GCC visibility push(hidden)
/* funnel_state (funnel.c) */
extern const char *fs_problem(const FunnelState *s, Size size);
extern FunnelState *fs_arg(FunctionCallInfo fcinfo, int argno);
extern FunnelState *fs_alloc(int nsteps, int nentries);

/* Arguments and parameters of the funnel() aggregates, both forms (funnel.c) */
extern const Interval *fn_window_arg(FunctionCallInfo fcinfo, int argno);
extern int	fn_steps_arg(FunctionCallInfo fcinfo, int argno);
extern void fn_params_init(FunnelParams *p, const Interval *iv, int mode, int nsteps);
extern void fn_window_changed(const FunnelParams *p, const Interval *iv);
extern void fn_param_changed(void) pg_attribute_noreturn();
extern void fn_params_merge(FunnelParams *dst, const FunnelParams *src);
extern void fn_bad_step(int64 step) pg_attribute_noreturn();
extern void fn_bad_ts(void) pg_attribute_noreturn();
extern uint32 fn_conditions(ArrayType *arr, int *len);

/* The per-user chain logic, both forms (funnel.c) */
extern int	fn_chain(FunnelEvent *ev, int n, int nsteps, int64 window, int64 *times);

/* funnel(ts, ...) running states (funnel.c) */
extern FunnelAcc *fa_new(MemoryContext cxt, const FunnelParams *p);
extern void fa_reserve(FunnelAcc *a, MemoryContext cxt, int64 extra);

/* Serialized running states, both forms (funnel_io.c) */
extern void fn_send_params(StringInfo buf, const FunnelParams *p);
extern void fn_recv_params(StringInfo msg, FunnelParams *p);
extern int	fn_recv_event(StringInfo msg, const FunnelParams *p, FunnelEvent *ev);
extern void fn_bad_serialized(const char *why) pg_attribute_noreturn();

/* rollup(funnel_state) (funnel.c) */
extern void fr_add(FunnelRoll *r, MemoryContext cxt, const FunnelState *s, int sign);
extern void fr_add_user(FunnelRoll *r, MemoryContext cxt, int depth, const int64 *times);
extern FunnelState *fr_to_state(const FunnelRoll *r);
#pragma GCC visibility pop

/*
 * Check a row's parameters against the aggregate's: the same window as the
 * previous rows (the usual case) needs no conversion; mode and N must match.
 */
static inline void
fn_params_check(const FunnelParams *p, const Interval *iv, int mode, int nsteps)
{
	if (unlikely(iv->time != p->window_iv.time || iv->day != p->window_iv.day ||
				 iv->month != p->window_iv.month))
		fn_window_changed(p, iv);
	if (unlikely(p->mode != mode || (mode == FUNNEL_BY_STEP_N && p->nsteps != nsteps)))
		fn_param_changed();
}

/* The finite timestamp of argument argno (22008 otherwise); the caller checked NULL. */
static inline int64
fn_ts_arg(FunctionCallInfo fcinfo, int argno)
{
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(argno);

	if (unlikely(TIMESTAMP_NOT_FINITE(ts)))
		fn_bad_ts();
	return ts;
}

#endif							/* FUNNEL_H */
