/*
 * engage.h: the shared core of engage.
 *
 * Every survey metric (NPS, CSAT, CES) keeps the same fixed-size state: a
 * histogram of whole-number scores on a small scale, plus the rule that says
 * which scores count as "good".  The state is a real base type (passed by
 * reference, fixed length), so it can be stored, shipped between nodes as
 * text or binary, and updated in place inside an aggregate.
 */
#ifndef ENGAGE_H
#define ENGAGE_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/nodes.h"

/* Format version written into every state; readers accept 1..this. */
#define HIST_VERSION		1
/* Largest scale: 0..10 has eleven points. */
#define HIST_MAX_BINS		11

/* Which metric a state belongs to; each has its own SQL type. */
typedef enum HistKind
{
	HIST_NPS = 1,
	HIST_CSAT = 2,
	HIST_CES = 3
} HistKind;

/* A scale: scores lo..hi; "good" is score >= cut (dir 1) or <= cut (dir -1). */
typedef struct HistScale
{
	int16		lo;
	int16		hi;
	int16		cut;
	int16		dir;
} HistScale;

/* The stored state: 112 bytes, double aligned. */
typedef struct ScoreHist
{
	int16		version;		/* HIST_VERSION at the time it was written */
	int16		kind;			/* HistKind */
	HistScale	scale;
	int16		pad[2];			/* always zero */
	int64		n;				/* responses = sum of counts */
	int64		counts[HIST_MAX_BINS];	/* counts[i] = responses with score lo+i */
} ScoreHist;

#define HIST_SIZE			((int) sizeof(ScoreHist))
#define HistGetP(n)			((ScoreHist *) PG_GETARG_POINTER(n))
/* Called by an aggregate or a window aggregate (whose states are our own)? */
#define HistInAggregate(fcinfo) \
	((fcinfo)->context && (IsA((fcinfo)->context, AggState) || \
						   IsA((fcinfo)->context, WindowAggState)))

/*
 * A 64-bit mix (the splitmix64 finaliser) folded to 32 bits: the hash of
 * int64 keys in simplehash tables (murmurhash64 is PG 16+ only).
 */
static inline uint32
engage_hash64(uint64 k)
{
	k ^= k >> 30;
	k *= UINT64CONST(0xbf58476d1ce4e5b9);
	k ^= k >> 27;
	k *= UINT64CONST(0x94d049bb133111eb);
	k ^= k >> 31;
	return (uint32) k;
}

/*
 * Internal helpers are hidden: calls between the module's own files then go
 * direct instead of through the PLT (PGXS for PG 15 does not build with
 * -fvisibility=hidden).  The SQL entry points keep default visibility.
 */
#pragma GCC visibility push(hidden)

/* hist.c: validation, construction and arithmetic */
extern char *engage_version_detail(int64 version, int current);
extern const char *hist_kind_name(int kind);
extern const char *hist_type_name(int kind);
extern void hist_check_scale(int kind, const HistScale *scale, int sqlstate);
extern void hist_check(const ScoreHist *s, int kind);
extern ScoreHist *hist_arg(FunctionCallInfo fcinfo, int argno, int kind);
extern ScoreHist *hist_own_arg0(FunctionCallInfo fcinfo, int kind);
extern ScoreHist *hist_update_target(FunctionCallInfo fcinfo, int kind,
									 HistScale scale);
extern void hist_score_out_of_range(const ScoreHist *s, double score);
extern void hist_add_state(ScoreHist *dst, const ScoreHist *src, int sign);
extern void hist_require_same_scale(const ScoreHist *a, const ScoreHist *b);
extern int64 hist_count_between(const ScoreHist *s, int from, int to);
extern int64 hist_good(const ScoreHist *s);
extern double hist_mean(const ScoreHist *s);
extern double hist_variance(const ScoreHist *s);
extern void hist_json_begin(StringInfo buf, const ScoreHist *s);
extern Datum hist_json_finish(StringInfo buf, const ScoreHist *s);
extern void hist_append_double(StringInfo buf, double x);
extern Datum hist_merge_datum(FunctionCallInfo fcinfo, int kind);
extern Datum hist_unmerge_datum(FunctionCallInfo fcinfo, int kind);
extern Datum hist_in_datum(FunctionCallInfo fcinfo, int kind);
extern Datum hist_recv_datum(FunctionCallInfo fcinfo, int kind);
#pragma GCC visibility pop

/*
 * Add (sign 1) or remove (sign -1) one whole-number score; the caller has
 * range-checked it.  Inline: this is the per-row hot path.
 */
static inline void
hist_step(ScoreHist *s, int score, int sign)
{
	int64	   *c = &s->counts[score - s->scale.lo];

	if (sign > 0)
	{
		if (unlikely(s->n == PG_INT64_MAX))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s state has too many responses", hist_kind_name(s->kind)),
					 errdetail("A state counts at most %lld responses.",
							   (long long) PG_INT64_MAX)));
		s->n++;
		(*c)++;
	}
	else
	{
		if (unlikely(*c <= 0))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot remove a score that was never added to the %s state", hist_kind_name(s->kind))));
		s->n--;
		(*c)--;
	}
}

/* Range-check an integer score against the state's scale, then step. */
static inline void
hist_step_int(ScoreHist *s, int64 score, int sign)
{
	if (unlikely(score < s->scale.lo || score > s->scale.hi))
		hist_score_out_of_range(s, (double) score);
	hist_step(s, (int) score, sign);
}

/* Check a double score is a whole number on the scale, then step. */
static inline void
hist_step_float(ScoreHist *s, double score, int sign)
{
	if (unlikely(!(score >= s->scale.lo && score <= s->scale.hi) ||
				 score != (double) (int) score))
		hist_score_out_of_range(s, score);
	hist_step(s, (int) score, sign);
}

/* How a transition function receives its score argument. */
typedef enum ScoreArg
{
	SCORE_INT4,
	SCORE_FLOAT8,
	SCORE_BOOL
} ScoreArg;

/*
 * The body of every score transition (sign 1) and inverse transition
 * (sign -1): NULL scores are ignored, the state is updated in place.  The
 * final functions turn a state of no responses into NULL.
 * Inline with constant arguments, so each SQL entry point is specialised.
 */
static inline Datum
hist_accum(FunctionCallInfo fcinfo, int kind, HistScale scale,
		   int sign, ScoreArg arg)
{
	ScoreHist  *s;

	if (PG_ARGISNULL(1))
	{
		/* a moving-window transition must never return NULL: start empty */
		if (!PG_ARGISNULL(0))
			PG_RETURN_POINTER(PG_GETARG_POINTER(0));
		PG_RETURN_POINTER(hist_update_target(fcinfo, kind, scale));
	}
	/* fast path: our own state inside an aggregate or window, same scale */
	if (likely(!PG_ARGISNULL(0) && HistInAggregate(fcinfo)))
	{
		s = HistGetP(0);
		if (unlikely(s->scale.lo != scale.lo || s->scale.hi != scale.hi ||
					 s->scale.cut != scale.cut || s->scale.dir != scale.dir))
			s = hist_update_target(fcinfo, kind, scale);
	}
	else
		s = hist_update_target(fcinfo, kind, scale);
	switch (arg)
	{
		case SCORE_INT4:
			hist_step_int(s, PG_GETARG_INT32(1), sign);
			break;
		case SCORE_FLOAT8:
			hist_step_float(s, PG_GETARG_FLOAT8(1), sign);
			break;
		case SCORE_BOOL:
			hist_step_int(s, PG_GETARG_BOOL(1) ? 1 : 0, sign);
			break;
	}
	PG_RETURN_POINTER(s);
}

/* Declare and define a transition entry point that calls hist_accum. */
#define HIST_ACCUM_FN(fn, kind, scale_expr, sign, arg) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) \
	{ \
		return hist_accum(fcinfo, kind, scale_expr, sign, arg); \
	}

/* Define the per-type entry points: text and binary input, combine, inverse. */
#define HIST_TYPE_FNS(prefix, kind) \
	PG_FUNCTION_INFO_V1(engage_##prefix##_state_in); \
	Datum engage_##prefix##_state_in(PG_FUNCTION_ARGS) \
	{ return hist_in_datum(fcinfo, kind); } \
	PG_FUNCTION_INFO_V1(engage_##prefix##_state_recv); \
	Datum engage_##prefix##_state_recv(PG_FUNCTION_ARGS) \
	{ return hist_recv_datum(fcinfo, kind); } \
	PG_FUNCTION_INFO_V1(engage_##prefix##_merge); \
	Datum engage_##prefix##_merge(PG_FUNCTION_ARGS) \
	{ return hist_merge_datum(fcinfo, kind); } \
	PG_FUNCTION_INFO_V1(engage_##prefix##_unmerge); \
	Datum engage_##prefix##_unmerge(PG_FUNCTION_ARGS) \
	{ return hist_unmerge_datum(fcinfo, kind); }

/* stats.c: distributions */
#pragma GCC visibility push(hidden)
extern double engage_norm_cdf(double z);
extern double engage_norm_quantile(double p);
extern double engage_t_sf(double t, double df);
extern double engage_t_quantile(double p, double df);
extern double engage_z_for_confidence(double confidence);
extern double engage_t_for_confidence(double confidence, double df);
extern void engage_check_confidence(double confidence);
extern void engage_wilson_interval(double k, double n, double z,
								   double *lower, double *upper);
extern double engage_two_proportion_z(double ka, double na, double kb, double nb);

/* srf.c: set-returning functions that read a stored state as rows */
extern void engage_srf_state_init(FunctionCallInfo fcinfo, const char *fname,
								  const void *state, uint64 max_calls);

#pragma GCC visibility pop

#endif							/* ENGAGE_H */
