/*
 * sessions.h: session_state and what the files of the sessions family
 * share: sessions.c (validation, rollup, readers), sessions_io.c (text,
 * binary and jsonb forms, equality, hash), sessions_collect.c (the
 * sessionize() aggregates: collecting, sorting and cutting events) and
 * page_stats.c (the page_stats() aggregate).
 */
#ifndef SESSIONS_H
#define SESSIONS_H

#include "postgres.h"
#include "fmgr.h"
#include "datatype/timestamp.h"

/* Format version of session_state. */
#define SESS_VERSION		1
/* GA4: a session longer than this is engaged. */
#define SESS_ENGAGED_US		(10 * USECS_PER_SEC)
/* The default inactivity gap: 30 minutes. */
#define SESS_DEFAULT_GAP	(30 * USECS_PER_MINUTE)

/* The stored state: 56 bytes, double aligned. */
typedef struct SessionState
{
	int16		version;		/* SESS_VERSION when written */
	int16		flags;			/* always zero */
	int32		pad;			/* always zero */
	int64		gap_us;			/* the inactivity gap, > 0 */
	int64		sessions;
	int64		events;			/* every event is a page view */
	int64		duration_us;	/* sum of (last - first event) per session */
	int64		bounces;		/* single-event sessions */
	int64		engaged;		/* sessions > 10 s or with 2+ events */
} SessionState;

#define SESS_SIZE		((int) sizeof(SessionState))
StaticAssertDecl(sizeof(SessionState) == 56, "session_state is 56 bytes");

#define SESS_STATE_DETAIL \
	"A session_state has a gap > 0, counts >= 0, at least one event per session and two per non-bounce session, " \
	"engaged = sessions - bounces, and a duration of 0 when every session is a bounce."

/* Internal helpers are hidden (see engage.h). */
#pragma GCC visibility push(hidden)
/* sessions.c: validation and overflow */
extern const char *sess_problem(const SessionState *s);
extern SessionState *sess_arg(FunctionCallInfo fcinfo, int argno);
extern void sess_overflow(void);
/* sessions_collect.c: arguments of the event aggregates */
extern int64 sess_gap_arg(FunctionCallInfo fcinfo, int argno);
extern void sess_infinite_ts(void);
#pragma GCC visibility pop

#endif							/* SESSIONS_H */
