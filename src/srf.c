/*
 * srf.c: the first call of a value-per-call set-returning function that
 * reads a stored state as rows (flow_periods, funnel_steps).
 */
#include "postgres.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "funcapi.h"
#pragma GCC diagnostic pop

#include "engage.h"

/*
 * First call of fname, a value-per-call SRF over a stored state (fetched and
 * validated by the caller): keeps a copy of it that lives as long as the
 * calls as user_fctx, with the blessed result row type and max_calls rows.
 */
void
engage_srf_state_init(FunctionCallInfo fcinfo, const char *fname, const void *state, uint64 max_calls)
{
	FuncCallContext *funcctx = SRF_FIRSTCALL_INIT();
	MemoryContext old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
	TupleDesc	tupdesc;
	void	   *copy = palloc(VARSIZE(state));

	memcpy(copy, state, VARSIZE(state));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s must be called where a row type is expected", fname)));
	funcctx->tuple_desc = BlessTupleDesc(tupdesc);
	funcctx->user_fctx = copy;
	funcctx->max_calls = max_calls;
	MemoryContextSwitchTo(old);
}
