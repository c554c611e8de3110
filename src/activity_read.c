/*
 * activity_read.c: what an activity_state tells: active users over any
 * period, DAU/WAU/MAU, stickiness, the activity series and the cohort matrix.
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
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#pragma GCC diagnostic pop

#include "engage.h"
#include "activity.h"

/*
 * Users active on any day of [from, to) (bounds may be infinite).  The
 * caller has checked from < to.
 */
static int64
act_count_between(const ActivityState *s, int64 from, int64 to)
{
	int64		a = Max(from - s->first_day, 0);
	int64		b = Min(to - s->first_day, (int64) s->ndays);
	int64		n = 0;
	int32		i;

	if (a >= b)
		return 0;
	if (a == 0 && b == s->ndays)
		return s->nusers;		/* every user has a day in the range */
	for (i = 0; i < s->nusers; i++)
		if (act_row_any(ACT_ROW(s, i), (int) a, (int) b))
			n++;
	return n;
}

/* Error 22023 unless from_day < to_day. */
static void
act_check_interval(DateADT from, DateADT to)
{
	if (from >= to)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_day %s is not before to_day %s",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(from))),
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(to)))),
				 errdetail("The period is [from_day, to_day) and must not be empty.")));
}

PG_FUNCTION_INFO_V1(engage_active_users_between);
/* active_users(state, from_day, to_day): users active on any day of [from_day, to_day). */
Datum
engage_active_users_between(PG_FUNCTION_ARGS)
{
	ActivityState *s = act_arg(fcinfo, 0);
	DateADT		from = PG_GETARG_DATEADT(1);
	DateADT		to = PG_GETARG_DATEADT(2);

	act_check_interval(from, to);
	PG_RETURN_INT64(act_count_between(s, from, to));
}

PG_FUNCTION_INFO_V1(engage_active_users);
/* active_users(state): users in the state (each was active on some day). */
Datum
engage_active_users(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(act_arg(fcinfo, 0)->nusers);
}

/* Users active in the `days` days ending with day d (argument 1). */
static Datum
act_trailing(FunctionCallInfo fcinfo, int days)
{
	ActivityState *s = act_arg(fcinfo, 0);
	DateADT		d = PG_GETARG_DATEADT(1);

	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("day must be finite"),
				 errdetail("DAU, WAU and MAU count the users of the 1, 7 or 30 days ending with a finite day.")));
	PG_RETURN_INT64(act_count_between(s, (int64) d - days + 1, (int64) d + 1));
}

PG_FUNCTION_INFO_V1(engage_dau);
/* dau(state, day): users active on day. */
Datum
engage_dau(PG_FUNCTION_ARGS)
{
	return act_trailing(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(engage_wau);
/* wau(state, day): users active in the 7 days ending with day. */
Datum
engage_wau(PG_FUNCTION_ARGS)
{
	return act_trailing(fcinfo, 7);
}

PG_FUNCTION_INFO_V1(engage_mau);
/* mau(state, day): users active in the 30 days ending with day. */
Datum
engage_mau(PG_FUNCTION_ARGS)
{
	return act_trailing(fcinfo, 30);
}

PG_FUNCTION_INFO_V1(engage_stickiness);
/*
 * stickiness(state, from_day, to_day): average DAU over the days of
 * [from_day, to_day) divided by the users active in it; NULL when none.
 */
Datum
engage_stickiness(PG_FUNCTION_ARGS)
{
	ActivityState *s = act_arg(fcinfo, 0);
	DateADT		from = PG_GETARG_DATEADT(1);
	DateADT		to = PG_GETARG_DATEADT(2);
	int64		a;
	int64		b;
	int64		users = 0;
	int64		userdays = 0;
	int32		i;

	act_check_interval(from, to);
	if (DATE_NOT_FINITE(from) || DATE_NOT_FINITE(to))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stickiness needs a finite period"),
				 errdetail("from_day and to_day are finite days: the average DAU is over the days of [from_day, to_day).")));
	a = Max((int64) from - s->first_day, 0);
	b = Min((int64) to - s->first_day, (int64) s->ndays);
	for (i = 0; a < b && i < s->nusers; i++)
	{
		int64		c = act_row_count(ACT_ROW(s, i), (int) a, (int) b);

		if (c > 0)
		{
			users++;
			userdays += c;
		}
	}
	if (users == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) userdays / ((double) ((int64) to - from) * (double) users));
}

/* Start a materialized set-returning function; returns its tuple store. */
static Tuplestorestate *
act_srf_begin(FunctionCallInfo fcinfo, TupleDesc *tupdesc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	Tuplestorestate *ts;
	TupleDesc	td;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	td = CreateTupleDescCopy(td);
	ts = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = ts;
	rsinfo->setDesc = td;
	MemoryContextSwitchTo(old);
	*tupdesc = td;
	return ts;
}

PG_FUNCTION_INFO_V1(engage_activity_series);
/*
 * activity_series(state, unit): one row per unit period meeting the
 * state's range (period_start, users active in it), zeros included.
 */
Datum
engage_activity_series(PG_FUNCTION_ARGS)
{
	ActivityState *s = act_arg(fcinfo, 0);
	ActUnit		unit = act_unit(PG_GETARG_TEXT_PP(1));
	int			rb = ACT_ROWBYTES(s->ndays);
	int		   *pday;
	DateADT    *pstart;
	int			np;
	int64	   *count;
	TupleDesc	td;
	Tuplestorestate *ts;
	int32		i;
	int			p;

	act_periods(s, unit, &pday, &pstart, &np);
	count = palloc0(sizeof(int64) * np);
	for (i = 0; i < s->nusers; i++)
	{
		const uint8 *row = ACT_ROW(s, i);
		int			lastp = -1;
		int			j;

		for (j = 0; j < rb; j++)
		{
			uint32		w = row[j];

			while (w)
			{
				int			pp = pday[j * 8 + pg_rightmost_one_pos32(w)];

				w &= w - 1;
				if (pp != lastp)
				{
					count[pp]++;
					lastp = pp;
				}
			}
		}
	}
	ts = act_srf_begin(fcinfo, &td);
	for (p = 0; p < np; p++)
	{
		Datum		v[2];
		bool		nulls[2] = {false, false};

		v[0] = DateADTGetDatum(pstart[p]);
		v[1] = Int64GetDatum(count[p]);
		tuplestore_putvalues(ts, td, v, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(engage_cohort_retention);
/*
 * cohort_retention(state, unit): the cohort matrix.  A user's cohort c is
 * the period of their first active day in the state; for k = 0 .. last
 * period - c: active = cohort users active in period c + k, active_or_later
 * = those active in c + k or later; rates in percent of the cohort.  One
 * row per non-empty cohort and offset.
 */
Datum
engage_cohort_retention(PG_FUNCTION_ARGS)
{
	ActivityState *s = act_arg(fcinfo, 0);
	ActUnit		unit = act_unit(PG_GETARG_TEXT_PP(1));
	int			rb = ACT_ROWBYTES(s->ndays);
	int		   *pday;
	DateADT    *pstart;
	int			np;
	int64	   *size;
	int64	   *row0;			/* row0[c]: index of cell (c, 0) in the triangle */
	int64	   *active;			/* active[row0[c] + k]: users of c active at offset k */
	int64	   *lastk;			/* lastk[row0[c] + k]: users of c last active at offset k */
	TupleDesc	td;
	Tuplestorestate *ts;
	int32		i;
	int			c;

	act_periods(s, unit, &pday, &pstart, &np);
	if (np > ACT_MAX_COHORT_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a cohort matrix of %d periods is too large", np),
				 errdetail("A cohort matrix covers at most %d periods; use a longer unit (week or month) for this range.",
						   ACT_MAX_COHORT_PERIODS)));
	size = palloc0(sizeof(int64) * np);
	row0 = palloc(sizeof(int64) * np);
	for (c = 0; c < np; c++)
		row0[c] = (int64) c * np - (int64) c * (c - 1) / 2;	/* rows of np, np - 1, ... cells */
	active = palloc0(sizeof(int64) * (Size) ((int64) np * (np + 1) / 2));
	lastk = palloc0(sizeof(int64) * (Size) ((int64) np * (np + 1) / 2));
	for (i = 0; i < s->nusers; i++)
	{
		const uint8 *row = ACT_ROW(s, i);
		int			cohort = -1;
		int			lastp = -1;
		int			j;

		for (j = 0; j < rb; j++)
		{
			uint32		w = row[j];

			while (w)
			{
				int			pp = pday[j * 8 + pg_rightmost_one_pos32(w)];

				w &= w - 1;
				if (pp == lastp)
					continue;
				if (cohort < 0)
					cohort = pp;
				active[row0[cohort] + (pp - cohort)]++;
				lastp = pp;
			}
		}
		size[cohort]++;
		lastk[row0[cohort] + (lastp - cohort)]++;
		if ((i & 8191) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	ts = act_srf_begin(fcinfo, &td);
	for (c = 0; c < np; c++)
	{
		int64		later = size[c];
		int			k;

		if (size[c] == 0)
			continue;
		for (k = 0; c + k < np; k++)
		{
			Datum		v[7];
			bool		nulls[7] = {false, false, false, false, false, false, false};
			int64		a = active[row0[c] + k];

			v[0] = DateADTGetDatum(pstart[c]);
			v[1] = Int32GetDatum(k);
			v[2] = Int64GetDatum(size[c]);
			v[3] = Int64GetDatum(a);
			v[4] = Float8GetDatum(100.0 * (double) a / (double) size[c]);
			v[5] = Int64GetDatum(later);
			v[6] = Float8GetDatum(100.0 * (double) later / (double) size[c]);
			tuplestore_putvalues(ts, td, v, nulls);
			/* users last active at offset k are not active at k + 1 or later */
			later -= lastk[row0[c] + k];
		}
	}
	return (Datum) 0;
}
