/*
 * revenue.h: revenue_state, shared by revenue.c (aggregation from per-customer
 * snapshots or from a movements ledger, rollup, readers) and revenue_io.c
 * (text, binary and jsonb forms).
 */
#ifndef REVENUE_H
#define REVENUE_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

/* Format version written into every revenue_state; readers accept 1..this. */
#define REV_VERSION		1
#define MICRO			INT64CONST(1000000)

/*
 * Flag bits.  REV_LEDGER: the state holds rows of a movements ledger (or a
 * rollup with one), so its counters count movements, not customers, and the
 * per-customer invariants do not hold.
 */
#define REV_LEDGER		0x0001
#define REV_FLAGS_ALL	REV_LEDGER

/* Amount classes, in the order of the text form. */
enum
{
	REV_START,
	REV_NEW,
	REV_EXPANSION,
	REV_CONTRACTION,
	REV_CHURNED,
	REV_NCLASSES
};

/* The stored state: 96 bytes, double aligned. */
typedef struct RevenueState
{
	int16		version;		/* REV_VERSION when written */
	int16		flags;			/* 0 or REV_LEDGER */
	int32		pad;			/* always zero */
	int64		rows;			/* rows aggregated, whatever their class */
	int64		mrr[REV_NCLASSES];	/* micro-units */
	int64		customers[REV_NCLASSES];	/* customers (ledger: movements) in each class */
} RevenueState;

#define REV_SIZE		((int) sizeof(RevenueState))

#define REV_STATE_DETAIL \
	"A revenue_state has amounts and counts >= 0 and an amount of at least one micro-unit per counted customer or movement " \
	"(0 for none); unless it is a ledger state, also contraction + churned <= starting, expanded + contracted + churned " \
	"customers <= starting customers and at most as many classified customers as rows."

/* Internal helpers are hidden (see engage.h). */
#pragma GCC visibility push(hidden)
extern const char *const rev_class_names[REV_NCLASSES];

/* revenue_state checks, arithmetic and rates (revenue.c) */
extern const char *rev_problem(const RevenueState *s);
extern RevenueState *rev_arg(FunctionCallInfo fcinfo, int argno);
extern void rev_overflow(void) pg_attribute_noreturn();
extern int64 rev_ending(const RevenueState *s);
extern double rev_grr(const RevenueState *s);
extern double rev_nrr(const RevenueState *s);
extern double rev_churn(const RevenueState *s);

/* Exact amounts as text (revenue_io.c) */
extern void rev_append_amount(StringInfo buf, int64 micro);
#pragma GCC visibility pop

#endif							/* REVENUE_H */
