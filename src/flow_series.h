/*
 * flow_series.h: the stored flow_state of the one-pass churn series, shared
 * by flow_series.c (aggregation, periods) and flow_series_io.c (I/O).
 */
#ifndef FLOW_SERIES_H
#define FLOW_SERIES_H

#include "postgres.h"
#include "fmgr.h"
#include "datatype/timestamp.h"

/* Format version written into every flow_state; readers accept 1..this. */
#define FLOW_STATE_VERSION	1
/* Most periods one series may have. */
#define FLOW_MAX_PERIODS	100000

/* One period of a stored state: its start and its counts. */
typedef struct FlowPeriod
{
	TimestampTz start;
	int64		s;				/* customers at period start */
	int64		n;				/* new customers */
	int64		l;				/* starting customers lost */
	int64		nl;				/* new customers lost in the same period */
} FlowPeriod;

/* The stored state (varlena, double aligned): header, then the periods. */
typedef struct FlowState
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int16		version;		/* FLOW_STATE_VERSION when written */
	int16		flags;			/* always zero */
	int32		nperiods;		/* 1..FLOW_MAX_PERIODS */
	int32		step_month;		/* step, as in Interval */
	int32		step_day;
	int64		step_time;		/* microseconds */
	TimestampTz series_end;		/* end of the last period */
	FlowPeriod	periods[FLEXIBLE_ARRAY_MEMBER];
} FlowState;

#define FLOW_HDRSZ			offsetof(FlowState, periods)
#define FLOW_STATE_SIZE(p)	(FLOW_HDRSZ + (Size) (p) * sizeof(FlowPeriod))

extern void flow_ts_str(TimestampTz t, char *buf);
extern char *flow_ts_msg(TimestampTz t);
extern const char *flow_step_problem(int32 month, int32 day, int64 time);
extern const char *flow_state_problem(const FlowState *st, Size size);
extern FlowState *flow_state_arg(FunctionCallInfo fcinfo, int argno);

#endif							/* FLOW_SERIES_H */
