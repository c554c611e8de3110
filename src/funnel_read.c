/*
 * funnel_read.c: what a funnel_state tells (see funnel.c): its depth, users
 * and steps, the conversion to the last step, a one-user state's step times,
 * and funnel_steps(state), the funnel as rows.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "funcapi.h"
#pragma GCC diagnostic pop
#include "utils/array.h"

#include "engage.h"
#include "funnel.h"

/* The deepest step with users (0 for none). */
static int
fs_depth(const FunnelState *s)
{
	int			k = s->nsteps;

	while (k > 0 && FS_REACHED(s)[k - 1] == 0)
		k--;
	return k;
}

PG_FUNCTION_INFO_V1(engage_funnel_depth);
/* funnel_depth(state): the deepest step reached (by any user of the state). */
Datum
engage_funnel_depth(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(fs_depth(fs_arg(fcinfo, 0)));
}

PG_FUNCTION_INFO_V1(engage_funnel_users);
/* funnel_users(state): users aggregated, whether they reached step 1 or not. */
Datum
engage_funnel_users(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(fs_arg(fcinfo, 0)->users);
}

PG_FUNCTION_INFO_V1(engage_funnel_step_count);
/* funnel_step_count(state): the number of steps N. */
Datum
engage_funnel_step_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(fs_arg(fcinfo, 0)->nsteps);
}

PG_FUNCTION_INFO_V1(engage_funnel_conversion);
/* funnel_conversion(state): percent of step-1 users who reached the last step; NULL when none reached step 1. */
Datum
engage_funnel_conversion(PG_FUNCTION_ARGS)
{
	FunnelState *s = fs_arg(fcinfo, 0);

	if (s->nsteps == 0 || FS_REACHED(s)[0] == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * (double) FS_REACHED(s)[s->nsteps - 1] / (double) FS_REACHED(s)[0]);
}

PG_FUNCTION_INFO_V1(engage_funnel_times);
/*
 * funnel_times(state) of a one-user state: the time from step 1 to each
 * step reached (element 1 is 0), exact; 22023 for a state of several users.
 */
Datum
engage_funnel_times(PG_FUNCTION_ARGS)
{
	FunnelState *s = fs_arg(fcinfo, 0);
	int			depth = fs_depth(s);
	Datum		elems[FUNNEL_MAX];
	DurSum		acc = {0, 0};
	int			k;

	if (s->users != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_times needs the funnel_state of one user, not of %lld", (long long) s->users),
				 errdetail("funnel(...) grouped by user gives one user's state; read states of many users with funnel_steps().")));
	for (k = 0; k < depth; k++)
	{
		dur_sum_add_sum(&acc, &FS_SUMS(s)[k], 1, "funnel_state");
		elems[k] = dur_interval_datum((double) acc.sec * 1e6 + (double) acc.us);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, depth, INTERVALOID, sizeof(Interval), false, TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(engage_funnel_steps);
/*
 * funnel_steps(state): per step, users, conversion from step 1 and from the
 * previous step (percent), and the median and mean time from the previous
 * step; value per call from a validated copy of the state.
 */
Datum
engage_funnel_steps(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	FunnelState *s;
	int			k;

	if (SRF_IS_FIRSTCALL())
	{
		s = fs_arg(fcinfo, 0);
		engage_srf_state_init(fcinfo, "funnel_steps", s, s->nsteps);
	}
	funcctx = SRF_PERCALL_SETUP();
	s = (FunnelState *) funcctx->user_fctx;
	k = (int) funcctx->call_cntr;
	if (k < s->nsteps)
	{
		const int64 *reached = FS_REACHED(s);
		Datum		values[6];
		bool		nulls[6] = {false};
		const DurEntry *e = FS_ENTRIES(s);
		int			i;

		for (i = 0; i < k; i++)
			e += FS_NENT(s)[i];
		values[0] = Int32GetDatum(k + 1);
		values[1] = Int64GetDatum(reached[k]);
		nulls[2] = reached[0] == 0;
		if (!nulls[2])
			values[2] = Float8GetDatum(100.0 * (double) reached[k] / (double) reached[0]);
		nulls[3] = k == 0 ? reached[0] == 0 : reached[k - 1] == 0;
		if (!nulls[3])
			values[3] = Float8GetDatum(k == 0 ? 100.0 : 100.0 * (double) reached[k] / (double) reached[k - 1]);
		nulls[4] = nulls[5] = k == 0 || reached[k] == 0;
		if (!nulls[4])
		{
			values[4] = dur_percentile_datum(e, (int) FS_NENT(s)[k], reached[k], 0.5);
			values[5] = dur_mean_datum(&FS_SUMS(s)[k], reached[k]);
		}
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}
