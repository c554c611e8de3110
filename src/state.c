/*
 * state.c: SQL-callable functions shared by the three survey state types
 * (nps_state, csat_state, ces_state): output, accessors, final functions.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "engage.h"

/* Fetch a state argument of any survey kind, validated against its own kind. */
static ScoreHist *
state_arg(FunctionCallInfo fcinfo, int argno)
{
	ScoreHist  *s = HistGetP(argno);

	hist_check(s, s->kind);
	return s;
}

PG_FUNCTION_INFO_V1(engage_hist_out);
/* Text output: v1:LO..HI:>=CUT:[counts]. */
Datum
engage_hist_out(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = state_arg(fcinfo, 0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "v%d:%d..%d:%s%d:[", s->version, s->scale.lo, s->scale.hi,
					 s->scale.dir > 0 ? ">=" : "<=", s->scale.cut);
	for (i = 0; i <= s->scale.hi - s->scale.lo; i++)
		appendStringInfo(&buf, "%s%lld", i ? "," : "", (long long) s->counts[i]);
	appendStringInfoChar(&buf, ']');
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(engage_hist_send);
/* Binary output: the same fields as the text form, in network order. */
Datum
engage_hist_send(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = state_arg(fcinfo, 0);
	StringInfoData buf;
	int			nbins = s->scale.hi - s->scale.lo + 1;
	int			i;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, s->version);
	pq_sendint16(&buf, s->kind);
	pq_sendint16(&buf, s->scale.lo);
	pq_sendint16(&buf, s->scale.hi);
	pq_sendint16(&buf, s->scale.cut);
	pq_sendint16(&buf, s->scale.dir);
	pq_sendint16(&buf, nbins);
	for (i = 0; i < nbins; i++)
		pq_sendint64(&buf, s->counts[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_hist_final);
/* Final function of the state-building aggregates: a copy, or NULL if empty. */
Datum
engage_hist_final(PG_FUNCTION_ARGS)
{
	ScoreHist  *s;
	ScoreHist  *copy;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = HistGetP(0);
	if (s->n == 0)
		PG_RETURN_NULL();
	copy = palloc(HIST_SIZE);
	memcpy(copy, s, HIST_SIZE);
	PG_RETURN_POINTER(copy);
}

PG_FUNCTION_INFO_V1(engage_hist_responses);
/* Number of responses in a state. */
Datum
engage_hist_responses(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(state_arg(fcinfo, 0)->n);
}

PG_FUNCTION_INFO_V1(engage_hist_mean);
/* Mean score of a state; NULL when it has no responses. */
Datum
engage_hist_mean(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = state_arg(fcinfo, 0);

	if (s->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(hist_mean(s));
}

PG_FUNCTION_INFO_V1(engage_hist_stddev);
/* Sample standard deviation of the scores; NULL below two responses. */
Datum
engage_hist_stddev(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = state_arg(fcinfo, 0);

	if (s->n < 2)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sqrt(hist_variance(s)));
}

PG_FUNCTION_INFO_V1(engage_hist_good);
/* Responses the scale counts as good (satisfied, easy, promoters). */
Datum
engage_hist_good(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(hist_good(state_arg(fcinfo, 0)));
}

PG_FUNCTION_INFO_V1(engage_hist_scale_min);
/* Lowest score of the state's scale. */
Datum
engage_hist_scale_min(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(state_arg(fcinfo, 0)->scale.lo);
}

PG_FUNCTION_INFO_V1(engage_hist_scale_max);
/* Highest score of the state's scale. */
Datum
engage_hist_scale_max(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(state_arg(fcinfo, 0)->scale.hi);
}

PG_FUNCTION_INFO_V1(engage_hist_counts);
/* The histogram as bigint[]: element 1 counts the scale's lowest score. */
Datum
engage_hist_counts(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = state_arg(fcinfo, 0);
	int			nbins = s->scale.hi - s->scale.lo + 1;
	Datum		elems[HIST_MAX_BINS];
	int			i;

	for (i = 0; i < nbins; i++)
		elems[i] = Int64GetDatum(s->counts[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, nbins, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* Compare two states of one kind: scale and counts (the version is not data). */
static int
state_cmp_bytes(FunctionCallInfo fcinfo)
{
	ScoreHist  *a = state_arg(fcinfo, 0);
	ScoreHist  *b = state_arg(fcinfo, 1);

	return memcmp(&a->kind, &b->kind, HIST_SIZE - offsetof(ScoreHist, kind));
}

PG_FUNCTION_INFO_V1(engage_hist_eq);
/* state = state: same scale and the same count for every score. */
Datum
engage_hist_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(state_cmp_bytes(fcinfo) == 0);
}

PG_FUNCTION_INFO_V1(engage_hist_ne);
/* state <> state */
Datum
engage_hist_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(state_cmp_bytes(fcinfo) != 0);
}

PG_FUNCTION_INFO_V1(engage_hist_hash);
/* Hash of a state, consistent with =, for DISTINCT, UNION and hash joins. */
Datum
engage_hist_hash(PG_FUNCTION_ARGS)
{
	ScoreHist  *s = state_arg(fcinfo, 0);

	return hash_any((const unsigned char *) &s->kind, HIST_SIZE - offsetof(ScoreHist, kind));
}
