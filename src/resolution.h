/*
 * resolution.h: resolution_state and the running state of its aggregates,
 * shared by resolution.c (aggregation, readers) and resolution_io.c (text,
 * binary and jsonb forms, serialized running states).
 */
#ifndef RESOLUTION_H
#define RESOLUTION_H

#include "postgres.h"
#include "fmgr.h"

#include "duration.h"

/* Format version written into every state; readers accept 1..this. */
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

/* Internal helpers are hidden (see engage.h). */
#pragma GCC visibility push(hidden)
extern const char *res_problem(const ResState *s, Size size);
extern ResState *res_arg(FunctionCallInfo fcinfo, int argno);
extern ResState *res_alloc(int n);
extern ResAcc *res_acc_new(MemoryContext cxt);
extern void res_acc_add_state(ResAcc *a, MemoryContext cxt, const ResState *s, int sign);
extern ResState *res_from_acc(const ResAcc *a);
#pragma GCC visibility pop

#endif							/* RESOLUTION_H */
