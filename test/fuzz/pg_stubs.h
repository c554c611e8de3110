/*
 * pg_stubs.h: what the fuzz harness needs from pg_stubs.c, the minimal
 * stand-ins for the PostgreSQL backend functions that engage's parsing code
 * calls (memory, errors, StringInfo, pqformat, detoasting, floats, dates).
 */
#ifndef FUZZ_PG_STUBS_H
#define FUZZ_PG_STUBS_H

#include "postgres.h"
#include "nodes/nodes.h"

/* The last ERROR raised through ereport(): its SQLSTATE and texts. */
typedef struct FzError
{
	int			sqlerrcode;		/* MAKE_SQLSTATE code */
	char		message[512];
	char		detail[512];
	const char *filename;
	int			lineno;
	const char *funcname;
} FzError;

extern FzError fz_error;

/* Set up the fake memory context; call once. */
extern void fz_init(void);

/* Free every palloc'd chunk of the current input (the "per-query context"). */
extern void fz_free_all(void);

/* Number of chunks palloc'd and not yet freed. */
extern long fz_live_chunks(void);

/* The SQLSTATE code as its five characters (static buffer). */
extern const char *fz_sqlstate(int sqlerrcode);

/* A node with the AggState tag, passed as fcinfo->context to aggregate support functions. */
extern Node *fz_agg_context;

#endif							/* FUZZ_PG_STUBS_H */
