/*
 * funnel.h: funnel_state and the running states of funnel() and
 * rollup(funnel_state), shared by funnel.c (aggregation, per-user chain
 * logic, rollup), funnel_io.c (text, binary and jsonb forms, serialized
 * running states) and funnel_read.c (readers).
 */
#ifndef FUNNEL_H
#define FUNNEL_H

#include "postgres.h"
#include "fmgr.h"
#include "utils/memutils.h"

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

/* Events kept inside the running state before a separate array is needed. */
#define FUNNEL_INLINE	12

/*
 * The running state of funnel(): the user's funnel events.  The first
 * FUNNEL_INLINE live in the state itself (one allocation of 256 bytes per
 * user, one cache line fewer per row); more go to a doubling array.
 */
typedef struct FunnelAcc
{
	int64		window;			/* microseconds */
	Interval	window_iv;		/* the window argument as given, to skip re-checking it */
	int32		mode;			/* FunnelMode */
	int32		nsteps;			/* N given (modes 2, 3), else the largest step seen */
	int32		n;				/* events */
	int32		cap;			/* events that fit in ev */
	FunnelEvent *ev;			/* inl, or an array in the aggregate context */
	FunnelEvent inl[FUNNEL_INLINE];
} FunnelAcc;

#define FUNNEL_MAX_EVENTS	((int32) (MaxAllocSize / sizeof(FunnelEvent)))

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
extern const char *fs_problem(const FunnelState *s, Size size);
extern FunnelState *fs_arg(FunctionCallInfo fcinfo, int argno);
extern FunnelState *fs_alloc(int nsteps, int nentries);
extern FunnelAcc *fa_new(MemoryContext cxt, int64 window, const Interval *window_iv, int mode, int nsteps);
extern void fa_reserve(FunnelAcc *a, MemoryContext cxt, int64 extra);
extern void fr_add(FunnelRoll *r, MemoryContext cxt, const FunnelState *s, int sign);
extern FunnelState *fr_to_state(const FunnelRoll *r);
#pragma GCC visibility pop

#endif							/* FUNNEL_H */
