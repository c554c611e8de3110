/*
 * activity.h: activity_state, the per-user bitmap of active days, shared by
 * activity.c (days and periods, aggregation), activity_bits.c (bitmap
 * helpers, validation), activity_io.c (text, binary, jsonb) and
 * activity_read.c (active users, stickiness, series, cohorts).
 */
#ifndef ACTIVITY_H
#define ACTIVITY_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/date.h"

/* Format version written into every state; readers accept 1..this. */
#define ACT_VERSION			1
/* Longest range of days a state covers: 20 years. */
#define ACT_MAX_DAYS		7320
/* Days a state may hold: 0001-01-01 .. 9999-12-31 (as DateADT). */
#define ACT_MIN_DATE		(-730119)
#define ACT_MAX_DATE		2921939

#define ACT_DAYS_DETAIL		"Days are finite dates from 0001-01-01 to 9999-12-31."
/* Most periods a cohort matrix covers (8M cells, 128 MB of counters). */
#define ACT_MAX_COHORT_PERIODS	4000

#define ACT_UNITS_DETAIL	"The unit is one of day, week (ISO weeks, starting Monday) or month."
#define ACT_FORM_HINT		"The form is v1:FIRST_DAY:DAYS:{user_id=hex bitmap,...}, e.g. v1:2024-01-01:3:{1=05,2=02}."

/* The stored state (header; the user ids and bitmaps follow). */
typedef struct ActivityState
{
	int32		vl_len_;		/* varlena header, do not touch directly */
	int16		version;		/* ACT_VERSION at the time it was written */
	int16		flags;			/* always zero */
	int32		first_day;		/* DateADT of the range's first day */
	int32		ndays;			/* days in the range, 1..ACT_MAX_DAYS */
	int32		nusers;			/* users, >= 1 */
	int32		pad;			/* always zero */
	int64		users[FLEXIBLE_ARRAY_MEMBER];	/* then the bitmaps */
} ActivityState;

#define ACT_HDRSZ			offsetof(ActivityState, users)
#define ACT_ROWBYTES(ndays)	(((ndays) + 7) / 8)
#define ACT_BITS(s)			((uint8 *) &(s)->users[(s)->nusers])
#define ACT_ROW(s, i)		(ACT_BITS(s) + (size_t) (i) * ACT_ROWBYTES((s)->ndays))

/* A unit of calendar periods. */
typedef enum ActUnit
{
	ACT_DAY,
	ACT_WEEK,
	ACT_MONTH
} ActUnit;

/* Internal helpers are hidden (see engage.h). */
#pragma GCC visibility push(hidden)
/* activity_bits.c: bitmaps and validation */
extern void act_or_days(uint8 *dst, int32 dbase, const uint8 *src, int32 sbase, int32 lo, int32 hi);
extern bool act_row_any(const uint8 *row, int a, int b);
extern int64 act_row_count(const uint8 *row, int a, int b);
extern int64 act_size(int64 nusers, int64 ndays);
extern const char *act_problem(const ActivityState *s, int64 len);
extern ActivityState *act_arg(FunctionCallInfo fcinfo, int argno);
/* activity.c: days, units and periods */
extern void act_append_day(StringInfo buf, DateADT d);
extern ActUnit act_unit(text *t);
extern void act_periods(const ActivityState *s, ActUnit unit, int **pday, DateADT **start, int *nperiods);
#pragma GCC visibility pop

#endif							/* ACTIVITY_H */
