/*
 * hist.c: the score-histogram state shared by the survey metrics.
 *
 * Text form (exact, canonical):  v1:LO..HI:>=CUT:[c_lo,...,c_hi]
 * e.g. an NPS state with one promoter and two detractors:
 *      v1:0..10:>=9:[0,0,0,0,0,2,0,0,0,1,0]
 * The binary form carries the same fields; both are validated by hist_check.
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"

#include "engage.h"

/* The display name of a metric, for messages. */
const char *
hist_kind_name(int kind)
{
	switch (kind)
	{
		case HIST_NPS:
			return "NPS";
		case HIST_CSAT:
			return "CSAT";
		case HIST_CES:
			return "CES";
	}
	return "score";
}

/* The SQL type name of a metric's state, for messages. */
const char *
hist_type_name(int kind)
{
	switch (kind)
	{
		case HIST_NPS:
			return "nps_state";
		case HIST_CSAT:
			return "csat_state";
		case HIST_CES:
			return "ces_state";
	}
	return "state";
}

/* Is this scale one the metric allows?  Returns NULL or a DETAIL text. */
static const char *
hist_scale_problem(int kind, const HistScale *sc)
{
	switch (kind)
	{
		case HIST_NPS:
			if (sc->lo != 0 || sc->hi != 10 || sc->cut != 9 || sc->dir != 1)
				return "An NPS state has scale 0..10 with promoters from 9.";
			return NULL;
		case HIST_CSAT:
			if (sc->lo < 0 || sc->hi > 10 || sc->lo >= sc->hi)
				return "A CSAT scale runs from 0 or more to at most 10, with at least two points.";
			if (sc->dir != 1 || sc->cut <= sc->lo || sc->cut > sc->hi)
				return "\"Satisfied from\" must be a score above the scale's lowest point and at most its highest.";
			return NULL;
		case HIST_CES:
			if (sc->lo == 1 && sc->hi == 7 && sc->cut == 5 && sc->dir == 1)
				return NULL;
			if (sc->lo == 1 && sc->hi == 5 && sc->cut == 2 && sc->dir == -1)
				return NULL;
			return "A CES scale is 1..7 (higher is easier, easy from 5) or 1..5 (lower is less effort, easy up to 2).";
	}
	return "Unknown state kind.";
}

/* Raise an error with the given SQLSTATE unless the scale suits the metric. */
void
hist_check_scale(int kind, const HistScale *scale, int sqlstate)
{
	const char *problem = hist_scale_problem(kind, scale);

	if (problem)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("invalid %s scale %d..%d %s%d", hist_kind_name(kind),
						scale->lo, scale->hi, scale->dir > 0 ? ">=" : "<=", scale->cut),
				 errdetail("%s", problem)));
}

/*
 * Validate a state that came from outside this process's own aggregate:
 * version, kind, scale, unused bins zero, counts non-negative, total exact.
 */
void
hist_check(const ScoreHist *s, int kind)
{
	int			nbins;
	int64		total = 0;
	int			i;

	if (s->version < 1 || s->version > HIST_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s format version %d is not supported", hist_type_name(kind), s->version),
				 errdetail("%s", engage_version_detail(s->version, HIST_VERSION))));
	if (s->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value is not a valid %s", hist_type_name(kind))));
	hist_check_scale(kind, &s->scale, ERRCODE_INVALID_PARAMETER_VALUE);
	nbins = s->scale.hi - s->scale.lo + 1;
	for (i = 0; i < HIST_MAX_BINS; i++)
	{
		if (s->counts[i] < 0 || (i >= nbins && s->counts[i] != 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s has an impossible count", hist_type_name(kind))));
		if (pg_add_s64_overflow(total, s->counts[i], &total))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s has too many responses", hist_type_name(kind)),
					 errdetail("A state counts at most %lld responses.", (long long) PG_INT64_MAX)));
	}
	if (total != s->n || s->pad[0] != 0 || s->pad[1] != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is corrupt: its total does not match its counts", hist_type_name(kind))));
}

/* Fetch state argument argno, validated. */
ScoreHist *
hist_arg(FunctionCallInfo fcinfo, int argno, int kind)
{
	ScoreHist  *s = HistGetP(argno);

	hist_check(s, kind);
	return s;
}

/*
 * Fetch state argument 0, validated unless it is an aggregate's own
 * transition state (built by our transition or combine functions from
 * validated input), which final and rollup functions see on every row.
 */
ScoreHist *
hist_own_arg0(FunctionCallInfo fcinfo, int kind)
{
	if (HistInAggregate(fcinfo))
		return HistGetP(0);
	return hist_arg(fcinfo, 0, kind);
}

/* A fresh empty state in the given context. */
static ScoreHist *
hist_new(MemoryContext cxt, int kind, const HistScale *scale)
{
	ScoreHist  *s = MemoryContextAllocZero(cxt, HIST_SIZE);

	s->version = HIST_VERSION;
	s->kind = kind;
	s->scale = *scale;
	return s;
}

/* Do two scales agree exactly? */
static inline bool
hist_same_scale(const HistScale *a, const HistScale *b)
{
	return a->lo == b->lo && a->hi == b->hi && a->cut == b->cut && a->dir == b->dir;
}

/* Error unless a and b were built on the same scale. */
void
hist_require_same_scale(const ScoreHist *a, const ScoreHist *b)
{
	if (!hist_same_scale(&a->scale, &b->scale))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine %s states built on different scales", hist_kind_name(a->kind)),
				 errdetail("One state has scale %d..%d good %s%d, the other %d..%d good %s%d.",
						   a->scale.lo, a->scale.hi, a->scale.dir > 0 ? ">=" : "<=", a->scale.cut,
						   b->scale.lo, b->scale.hi, b->scale.dir > 0 ? ">=" : "<=", b->scale.cut)));
}

/*
 * The state a transition function may update: the aggregate's own state in
 * place (allocated in the aggregate context on the first row), or a private
 * copy when called outside an aggregate.  A scale that differs from the
 * state's is an error: scale arguments must be the same on every row.
 */
ScoreHist *
hist_update_target(FunctionCallInfo fcinfo, int kind, HistScale scale)
{
	ScoreHist  *s;

	if (!AggCheckCallContext(fcinfo, NULL))
	{
		if (!PG_ARGISNULL(0))
		{
			s = palloc(HIST_SIZE);
			memcpy(s, hist_arg(fcinfo, 0, kind), HIST_SIZE);
			goto check;
		}
	}
	if (PG_ARGISNULL(0))
	{
		/* the executor copies a new state into its aggregate context itself */
		hist_check_scale(kind, &scale, ERRCODE_INVALID_PARAMETER_VALUE);
		return hist_new(CurrentMemoryContext, kind, &scale);
	}
	s = HistGetP(0);
check:
	if (unlikely(!hist_same_scale(&s->scale, &scale)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s scale changed between rows", hist_kind_name(kind)),
				 errdetail("Every row of one aggregate must use the same scale arguments.")));
	return s;
}

/* Report a score that is off the scale or not a whole number (22003). */
void
hist_score_out_of_range(const ScoreHist *s, double score)
{
	char	   *txt = float8out_internal(score);

	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s score %s is out of range", hist_kind_name(s->kind), txt),
			 errdetail("%s scores are whole numbers from %d to %d.",
					   hist_kind_name(s->kind), s->scale.lo, s->scale.hi)));
}

/* dst += sign * src, bin by bin, with the totals overflow-checked. */
void
hist_add_state(ScoreHist *dst, const ScoreHist *src, int sign)
{
	int			i;
	int64		n;

	hist_require_same_scale(dst, src);
	if (sign > 0 ? pg_add_s64_overflow(dst->n, src->n, &n)
		: pg_sub_s64_overflow(dst->n, src->n, &n))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s state has too many responses", hist_kind_name(dst->kind)),
				 errdetail("A state counts at most %lld responses.", (long long) PG_INT64_MAX)));
	for (i = 0; i < HIST_MAX_BINS; i++)
		if (sign < 0 && dst->counts[i] < src->counts[i])
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot remove a %s state that was never added", hist_type_name(dst->kind))));
	dst->n = n;
	for (i = 0; i < HIST_MAX_BINS; i++)
		dst->counts[i] += sign * src->counts[i];
}

/*
 * Combine / rollup transition (declared STRICT: the executor keeps the other
 * state when one is NULL): state1 + state2, in place inside an aggregate,
 * on a copy when called directly.
 */
Datum
hist_merge_datum(FunctionCallInfo fcinfo, int kind)
{
	ScoreHist  *dst;
	ScoreHist  *src;

	/* defensive: the SQL declaration is STRICT, but never trust a NULL */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		int			keep = PG_ARGISNULL(0) ? 1 : 0;

		if (PG_ARGISNULL(keep))
			PG_RETURN_NULL();
		dst = palloc(HIST_SIZE);	/* the executor copies it into its context */
		memcpy(dst, hist_arg(fcinfo, keep, kind), HIST_SIZE);
		PG_RETURN_POINTER(dst);
	}
	dst = hist_own_arg0(fcinfo, kind);
	src = hist_arg(fcinfo, 1, kind);
	if (!AggCheckCallContext(fcinfo, NULL))
	{
		ScoreHist  *copy = palloc(HIST_SIZE);

		memcpy(copy, dst, HIST_SIZE);
		dst = copy;
	}
	dst->version = HIST_VERSION;
	hist_add_state(dst, src, 1);
	PG_RETURN_POINTER(dst);
}

/* Inverse of the rollup transition (STRICT), for moving windows over states. */
Datum
hist_unmerge_datum(FunctionCallInfo fcinfo, int kind)
{
	ScoreHist  *dst;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the inverse rollup function of %s can only be called as a moving-aggregate inverse",
						hist_type_name(kind))));
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();		/* cannot invert: the window restarts */
	dst = hist_arg(fcinfo, 0, kind);
	hist_add_state(dst, hist_arg(fcinfo, 1, kind), -1);
	PG_RETURN_POINTER(dst);
}

/* Responses with scores from..to (inclusive, clamped to the scale). */
int64
hist_count_between(const ScoreHist *s, int from, int to)
{
	int64		sum = 0;
	int			i;

	from = Max(from, s->scale.lo);
	to = Min(to, s->scale.hi);
	for (i = from; i <= to; i++)
		sum += s->counts[i - s->scale.lo];
	return sum;
}

/* Responses that the scale's rule counts as good (satisfied, easy). */
int64
hist_good(const ScoreHist *s)
{
	return s->scale.dir > 0 ? hist_count_between(s, s->scale.cut, s->scale.hi)
		: hist_count_between(s, s->scale.lo, s->scale.cut);
}

/* Mean score; callers ensure n > 0. */
double
hist_mean(const ScoreHist *s)
{
	double		sum = 0;
	int			i;

	for (i = 0; i <= s->scale.hi - s->scale.lo; i++)
		sum += (double) (s->scale.lo + i) * (double) s->counts[i];
	return sum / (double) s->n;
}

/* Sample variance (n - 1 denominator), two-pass over the bins; n > 1. */
double
hist_variance(const ScoreHist *s)
{
	double		mean = hist_mean(s);
	double		ss = 0;
	int			i;

	for (i = 0; i <= s->scale.hi - s->scale.lo; i++)
	{
		double		d = (double) (s->scale.lo + i) - mean;

		ss += d * d * (double) s->counts[i];
	}
	return ss / ((double) s->n - 1);
}

/* Append a double in shortest round-trip form (JSON null if not finite). */
void
hist_append_double(StringInfo buf, double x)
{
	if (isnan(x) || isinf(x))
		appendStringInfoString(buf, "null");
	else
		appendStringInfoString(buf, float8out_internal(x));
}

/* Start a JSON object with the fields every state has. */
void
hist_json_begin(StringInfo buf, const ScoreHist *s)
{
	initStringInfo(buf);
	appendStringInfo(buf, "{\"version\": %d, \"scale_min\": %d, \"scale_max\": %d, \"responses\": %lld",
					 s->version, s->scale.lo, s->scale.hi, (long long) s->n);
}

/* Close the JSON object with the counts array and convert it to jsonb. */
Datum
hist_json_finish(StringInfo buf, const ScoreHist *s)
{
	int			i;

	appendStringInfoString(buf, ", \"counts\": [");
	for (i = 0; i <= s->scale.hi - s->scale.lo; i++)
		appendStringInfo(buf, "%s%lld", i ? ", " : "", (long long) s->counts[i]);
	appendStringInfoString(buf, "]}");
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf->data));
}

/* Text parser cursor. */
typedef struct HistParser
{
	const char *str;			/* whole literal, for messages */
	const char *p;
	int			kind;
} HistParser;

/* Raise the 22P02 error for a malformed literal. */
static void
hist_syntax_error(HistParser *ps, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", hist_type_name(ps->kind), ps->str),
			 errdetail("%s", detail),
			 errhint("The form is v1:LO..HI:>=CUT:[count,...], e.g. v1:0..10:>=9:[0,0,0,0,0,0,1,0,0,2,3].")));
}

/* Skip white space. */
static void
hist_skip_space(HistParser *ps)
{
	while (isspace((unsigned char) *ps->p))
		ps->p++;
}

/* Expect a literal token. */
static void
hist_expect(HistParser *ps, const char *tok)
{
	size_t		len = strlen(tok);

	hist_skip_space(ps);
	if (strncmp(ps->p, tok, len) != 0)
	{
		char		detail[64];

		snprintf(detail, sizeof(detail), "Expected \"%s\" at offset %d.", tok, (int) (ps->p - ps->str));
		hist_syntax_error(ps, detail);
	}
	ps->p += len;
}

/*
 * Read a non-negative decimal integer no larger than max.  Too large a count
 * is out of range (22003); too large a header number is malformed (22P02).
 */
static int64
hist_read_int(HistParser *ps, int64 max, const char *what)
{
	int			sqlstate = (max == PG_INT64_MAX) ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE
		: ERRCODE_INVALID_TEXT_REPRESENTATION;
	int64		v = 0;
	const char *start;

	hist_skip_space(ps);
	start = ps->p;
	while (isdigit((unsigned char) *ps->p))
	{
		if (pg_mul_s64_overflow(v, 10, &v) || pg_add_s64_overflow(v, *ps->p - '0', &v) || v > max)
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("%s is out of range in %s: \"%s\"", what, hist_type_name(ps->kind), ps->str),
					 errdetail("The largest allowed value is %lld.", (long long) max)));
		ps->p++;
	}
	if (ps->p == start)
	{
		char		detail[80];

		snprintf(detail, sizeof(detail), "Expected a non-negative whole number (%s) at offset %d.",
				 what, (int) (start - ps->str));
		hist_syntax_error(ps, detail);
	}
	return v;
}

/* Parse the text form into a validated state. */
static ScoreHist *
hist_parse(const char *str, int kind)
{
	HistParser	ps = {str, str, kind};
	ScoreHist  *s = palloc0(HIST_SIZE);
	int			nbins;
	int			i;

	s->kind = kind;
	hist_expect(&ps, "v");
	s->version = (int16) hist_read_int(&ps, PG_INT16_MAX, "version");
	if (s->version < 1 || s->version > HIST_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", hist_type_name(kind), str),
				 errdetail("%s", engage_version_detail(s->version, HIST_VERSION))));
	hist_expect(&ps, ":");
	s->scale.lo = (int16) hist_read_int(&ps, 100, "scale minimum");
	hist_expect(&ps, "..");
	s->scale.hi = (int16) hist_read_int(&ps, 100, "scale maximum");
	hist_expect(&ps, ":");
	hist_skip_space(&ps);
	if (strncmp(ps.p, ">=", 2) == 0)
		s->scale.dir = 1;
	else if (strncmp(ps.p, "<=", 2) == 0)
		s->scale.dir = -1;
	else
		hist_syntax_error(&ps, "Expected \">=\" or \"<=\" before the cut score.");
	ps.p += 2;
	s->scale.cut = (int16) hist_read_int(&ps, 100, "cut score");
	hist_expect(&ps, ":");
	if (hist_scale_problem(kind, &s->scale))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", hist_type_name(kind), str),
				 errdetail("%s", hist_scale_problem(kind, &s->scale))));
	nbins = s->scale.hi - s->scale.lo + 1;
	hist_expect(&ps, "[");
	for (i = 0; i < nbins; i++)
	{
		hist_skip_space(&ps);
		if (i > 0 && *ps.p == ']')
		{
			char		detail[96];

			snprintf(detail, sizeof(detail), "Scale %d..%d takes exactly %d counts, not %d.",
					 s->scale.lo, s->scale.hi, nbins, i);
			hist_syntax_error(&ps, detail);
		}
		if (i > 0)
			hist_expect(&ps, ",");
		s->counts[i] = hist_read_int(&ps, PG_INT64_MAX, "count");
		if (pg_add_s64_overflow(s->n, s->counts[i], &s->n))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s has too many responses: \"%s\"", hist_type_name(kind), str),
					 errdetail("A state counts at most %lld responses.", (long long) PG_INT64_MAX)));
	}
	hist_skip_space(&ps);
	if (*ps.p == ',')
	{
		char		detail[96];

		snprintf(detail, sizeof(detail), "Scale %d..%d takes exactly %d counts, not more.",
				 s->scale.lo, s->scale.hi, nbins);
		hist_syntax_error(&ps, detail);
	}
	hist_expect(&ps, "]");
	hist_skip_space(&ps);
	if (*ps.p != '\0')
		hist_syntax_error(&ps, "Unexpected characters after \"]\".");
	s->version = HIST_VERSION;
	return s;
}

/* Text input for a state type. */
Datum
hist_in_datum(FunctionCallInfo fcinfo, int kind)
{
	PG_RETURN_POINTER(hist_parse(PG_GETARG_CSTRING(0), kind));
}

/* Binary input: the same fields and checks as the text form. */
Datum
hist_recv_datum(FunctionCallInfo fcinfo, int kind)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	ScoreHist  *s = palloc0(HIST_SIZE);
	int			nbins;
	int			i;

	s->version = (int16) pq_getmsgint(msg, 2);
	if (s->version < 1 || s->version > HIST_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s format version %d is not supported", hist_type_name(kind), s->version),
				 errdetail("%s", engage_version_detail(s->version, HIST_VERSION))));
	s->kind = (int16) pq_getmsgint(msg, 2);
	s->scale.lo = (int16) pq_getmsgint(msg, 2);
	s->scale.hi = (int16) pq_getmsgint(msg, 2);
	s->scale.cut = (int16) pq_getmsgint(msg, 2);
	s->scale.dir = (int16) pq_getmsgint(msg, 2);
	nbins = (int16) pq_getmsgint(msg, 2);
	if (s->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary value is not a %s", hist_type_name(kind))));
	if (hist_scale_problem(kind, &s->scale))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid scale in binary %s", hist_type_name(kind)),
				 errdetail("%s", hist_scale_problem(kind, &s->scale))));
	if (nbins != s->scale.hi - s->scale.lo + 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary %s has %d counts for a scale of %d points", hist_type_name(kind),
						nbins, s->scale.hi - s->scale.lo + 1)));
	for (i = 0; i < nbins; i++)
	{
		s->counts[i] = (int64) pq_getmsgint64(msg);
		if (s->counts[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("binary %s has a negative count", hist_type_name(kind))));
		if (pg_add_s64_overflow(s->n, s->counts[i], &s->n))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s has too many responses", hist_type_name(kind))));
	}
	if (msg->cursor != msg->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary %s has %d trailing bytes", hist_type_name(kind), msg->len - msg->cursor)));
	s->version = HIST_VERSION;
	PG_RETURN_POINTER(s);
}
