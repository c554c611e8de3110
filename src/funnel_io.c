/*
 * funnel_io.c: text, binary and jsonb forms of funnel_state, and the
 * serialized running states of funnel() and rollup(funnel_state) (see
 * funnel.c; the keyed form's, funnel_keyed.c, share the parameters and
 * events read here).
 *
 * Text form (exact):
 *   v1;steps=3;users=4;reached=3,2,1;s2=5400.000000;h2=1795162112:1,3590324224:1;s3=60.000000;h3=59768832:1
 * s<k> is the sum of the step k-1 -> k times in seconds, h<k> their
 * histogram as "bucket lower bound in microseconds:count".
 * Binary form: int16 version, int16 steps, int64 users, per step int64
 * reached, the sum (int64 seconds, int64 microseconds) and int32 buckets,
 * then per bucket int32 bucket and int64 count.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

#include "engage.h"
#include "funnel.h"

#define FS_TYPE			"funnel_state"
#define FS_FORM_HINT \
	"The form is v1;steps=N;users=U;reached=R1,...,RN then ;sK=SECONDS.UUUUUU;hK=LOWER:COUNT,... " \
	"for K = 2..N, e.g. v1;steps=2;users=1;reached=1,1;s2=1.000000;h2=999424:1"

/* ---------------------------------------------------------------------------
 * Serialized running states
 * ------------------------------------------------------------------------- */

/* Raise 22P03 for a serialized running state (funnel() or rollup) that is not valid. */
void
fn_bad_serialized(const char *why)
{
	dur_bad_serialized("funnel state", why, FUNNEL_VERSION);
}

/* Write the parameters of a running funnel() state: window, mode, steps. */
void
fn_send_params(StringInfo buf, const FunnelParams *p)
{
	pq_sendint64(buf, p->window);
	pq_sendint32(buf, p->mode);
	pq_sendint32(buf, p->nsteps);
}

/* Read and check the parameters of a running funnel() state (16 bytes, the caller checked the length). */
void
fn_recv_params(StringInfo msg, FunnelParams *p)
{
	p->window = pq_getmsgint64(msg);
	if (p->window < 0)
		fn_bad_serialized("negative window");
	p->window_iv.month = 0;
	p->window_iv.day = (int32) (p->window / USECS_PER_DAY);
	p->window_iv.time = p->window % USECS_PER_DAY;
	p->mode = (int32) pq_getmsgint(msg, 4);
	p->nsteps = (int32) pq_getmsgint(msg, 4);
	if (p->mode < FUNNEL_BY_STEP || p->mode > FUNNEL_BY_CONDITIONS ||
		p->nsteps < 0 || p->nsteps > FUNNEL_MAX || (p->mode == FUNNEL_BY_STEP_N && p->nsteps == 0))
		fn_bad_serialized("bad mode or step count");
}

/* Read and check one serialized event (12 bytes, the caller checked the length); returns its step. */
int
fn_recv_event(StringInfo msg, const FunnelParams *p, FunnelEvent *ev)
{
	int64		ts = pq_getmsgint64(msg);
	int32		step = (int32) pq_getmsgint(msg, 4);

	if (TIMESTAMP_NOT_FINITE(ts) || !IS_VALID_TIMESTAMP(ts) || step < 1 || step > p->nsteps)
		fn_bad_serialized("an event has a bad timestamp or step");
	ev->ts = ts;
	ev->step = step;
	ev->pad = 0;
	return step;
}

PG_FUNCTION_INFO_V1(engage_funnel_serialize);
/* Serialize: version, window, mode, steps, event count, then (ts, step) per event. */
Datum
engage_funnel_serialize(PG_FUNCTION_ARGS)
{
	FunnelAcc  *a;
	StringInfoData buf;
	int32		i;

	dur_aggcxt(fcinfo, "funnel serialize function");
	a = (FunnelAcc *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buf);
	pq_sendint16(&buf, FUNNEL_VERSION);
	fn_send_params(&buf, &a->p);
	pq_sendint32(&buf, a->n);
	for (i = 0; i < a->n; i++)
	{
		pq_sendint64(&buf, a->ev[i].ts);
		pq_sendint32(&buf, a->ev[i].step);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_funnel_deserialize);
/* Deserialize, checking every field: window, mode, steps, exact length, each event. */
Datum
engage_funnel_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "funnel deserialize function");
	StringInfoData msg;
	FunnelParams p;
	FunnelAcc  *a;
	int32		n;
	int32		i;
	int32		maxstep = 0;

	dur_bytea_msg(PG_GETARG_BYTEA_PP(0), &msg);
	if (msg.len < 2 + 8 + 3 * 4 || pq_getmsgint(&msg, 2) != FUNNEL_VERSION)
		fn_bad_serialized("unknown format version");
	fn_recv_params(&msg, &p);
	n = (int32) pq_getmsgint(&msg, 4);
	if (n < 0 || n > FUNNEL_MAX_EVENTS || (int64) (msg.len - msg.cursor) != (int64) n * 12)
		fn_bad_serialized("wrong length for its event count");
	a = fa_new(cxt, &p);
	fa_reserve(a, cxt, n);
	for (i = 0; i < n; i++)
	{
		int			step = fn_recv_event(&msg, &p, &a->ev[i]);

		maxstep = Max(maxstep, step);
	}
	a->n = n;
	if (p.mode == FUNNEL_BY_STEP && maxstep != p.nsteps)
		fn_bad_serialized("step count does not match the events");
	pq_getmsgend(&msg);
	PG_RETURN_POINTER(a);
}


/* Append the binary payload of a stored state (send and serialize). */
static void
fs_send_payload(StringInfo buf, const void *state)
{
	const FunnelState *s = state;
	int			k;

	pq_sendint16(buf, s->nsteps);
	pq_sendint64(buf, s->users);
	for (k = 0; k < s->nsteps; k++)
	{
		pq_sendint64(buf, FS_REACHED(s)[k]);
		dur_send_sum(buf, &FS_SUMS(s)[k]);
		pq_sendint32(buf, (int32) FS_NENT(s)[k]);
	}
	dur_send_entries(buf, FS_ENTRIES(s), s->nentries);
}

/* Read a binary payload, every length checked; NULL and *why when invalid. */
static void *
fs_recv_payload(StringInfo msg, const char **why)
{
	int			nsteps;
	int64		users;
	int64		reached[FUNNEL_MAX];
	DurSum		sums[FUNNEL_MAX];
	int32		nent[FUNNEL_MAX];
	int64		total = 0;
	FunnelState *s;
	int			k;

	*why = "wrong length";
	if (msg->len - msg->cursor < 2 + 8)
		return NULL;
	nsteps = (int16) pq_getmsgint(msg, 2);
	users = pq_getmsgint64(msg);
	if (nsteps < 0 || nsteps > FUNNEL_MAX)
	{
		*why = "bad step count";
		return NULL;
	}
	if (msg->len - msg->cursor < nsteps * 28)
		return NULL;
	for (k = 0; k < nsteps; k++)
	{
		reached[k] = pq_getmsgint64(msg);
		dur_recv_sum(msg, &sums[k]);
		nent[k] = (int32) pq_getmsgint(msg, 4);
		if (nent[k] < 0 || nent[k] > DUR_NBUCKETS)
		{
			*why = "bad bucket count";
			return NULL;
		}
		total += nent[k];
	}
	if ((int64) (msg->len - msg->cursor) != total * 12)
		return NULL;
	s = fs_alloc(nsteps, (int) total);
	s->users = users;
	for (k = 0; k < nsteps; k++)
	{
		FS_REACHED(s)[k] = reached[k];
		FS_SUMS(s)[k] = sums[k];
		FS_NENT(s)[k] = nent[k];
	}
	dur_recv_entries(msg, FS_ENTRIES(s), (int) total);
	*why = fs_problem(s, VARSIZE(s));
	return *why ? NULL : s;
}

/* The binary form of funnel_state: version, payload. */
static const DurType fs_type = {FS_TYPE, FUNNEL_STATE_DETAIL, FUNNEL_VERSION, false, fs_send_payload, fs_recv_payload};

PG_FUNCTION_INFO_V1(engage_funnel_rollup_serialize);
/* Serialize a running rollup: version, then the binary payload of funnel_state. */
Datum
engage_funnel_rollup_serialize(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	dur_aggcxt(fcinfo, "rollup(funnel_state) serialize function");
	pq_begintypsend(&buf);
	pq_sendint16(&buf, FUNNEL_VERSION);
	fs_send_payload(&buf, fr_to_state((FunnelRoll *) PG_GETARG_POINTER(0)));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(engage_funnel_rollup_deserialize);
/* Deserialize a running rollup, every field and length checked (22P03). */
Datum
engage_funnel_rollup_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = dur_aggcxt(fcinfo, "rollup(funnel_state) deserialize function");
	StringInfoData msg;
	FunnelState *s = NULL;
	FunnelRoll *r;
	const char *why = "unknown format version";

	dur_bytea_msg(PG_GETARG_BYTEA_PP(0), &msg);
	if (msg.len >= 2 && pq_getmsgint(&msg, 2) == FUNNEL_VERSION)
		s = fs_recv_payload(&msg, &why);
	if (s == NULL)
		fn_bad_serialized(why);
	r = MemoryContextAllocZero(cxt, sizeof(FunnelRoll));
	fr_add(r, cxt, s, 1);
	PG_RETURN_POINTER(r);
}


/* ---------------------------------------------------------------------------
 * Type I/O
 * ------------------------------------------------------------------------- */

/* Read a whole number 0 .. 2^63-1 for the text input (22P02 otherwise). */
static int64
fs_read_int(const DurLiteral *lit, const char **pp, const char *what)
{
	int64		v;

	if (!dur_read_int(pp, &v))
		dur_syntax_error(lit, isdigit((unsigned char) **pp)
						 ? psprintf("%s is past %lld.", what, (long long) PG_INT64_MAX)
						 : psprintf("Expected a whole number (%s) at offset %d.", what, (int) (*pp - lit->str)));
	return v;
}

PG_FUNCTION_INFO_V1(engage_funnel_state_in);
/* Text input of funnel_state, validated. */
Datum
engage_funnel_state_in(PG_FUNCTION_ARGS)
{
	DurLiteral	lit = {FS_TYPE, FS_FORM_HINT, PG_GETARG_CSTRING(0)};
	const char *p = lit.str;
	int64		nsteps;
	int64		users;
	int64		reached[FUNNEL_MAX];
	DurSum		sums[FUNNEL_MAX];
	int64		nent[FUNNEL_MAX];
	DurEntry   *all;
	int			maxent;
	int			total = 0;
	FunnelState *s;
	const char *problem;
	int			k;

	dur_expect(&lit, &p, "v");
	dur_check_version(&lit, fs_read_int(&lit, &p, "version"), FUNNEL_VERSION);
	dur_expect(&lit, &p, ";steps=");
	nsteps = fs_read_int(&lit, &p, "steps");
	if (nsteps > FUNNEL_MAX)
		dur_syntax_error(&lit, "A funnel has 0 to 32 steps.");
	dur_expect(&lit, &p, ";users=");
	users = fs_read_int(&lit, &p, "users");
	dur_expect(&lit, &p, ";reached=");
	for (k = 0; k < nsteps; k++)
	{
		if (k > 0)
			dur_expect(&lit, &p, ",");
		reached[k] = fs_read_int(&lit, &p, "users at a step");
	}
	memset(sums, 0, sizeof(sums));
	memset(nent, 0, sizeof(nent));
	maxent = dur_count_entries(lit.str);
	all = palloc(Max(maxent, 1) * sizeof(DurEntry));
	for (k = 1; k < nsteps; k++)
	{
		char		tok[16];
		const char *err = NULL;
		int			n;

		snprintf(tok, sizeof(tok), ";s%d=", k + 1);
		dur_expect(&lit, &p, tok);
		if (!dur_parse_seconds(&p, &sums[k]))
			dur_syntax_error(&lit, "A sum of times is in seconds with exactly 6 decimals.");
		snprintf(tok, sizeof(tok), ";h%d=", k + 1);
		dur_expect(&lit, &p, tok);
		n = dur_parse_entries(&p, all + total, maxent - total, &err);
		if (n < 0)
			dur_syntax_error(&lit, err);
		nent[k] = n;
		total += n;
	}
	if (*p != '\0')
		dur_syntax_error(&lit, psprintf("Unexpected characters at offset %d.", (int) (p - lit.str)));
	s = fs_alloc((int) nsteps, total);
	s->users = users;
	for (k = 0; k < nsteps; k++)
	{
		FS_REACHED(s)[k] = reached[k];
		FS_SUMS(s)[k] = sums[k];
		FS_NENT(s)[k] = nent[k];
	}
	if (total > 0)
		memcpy(FS_ENTRIES(s), all, total * sizeof(DurEntry));
	problem = fs_problem(s, VARSIZE(s));
	if (problem)
		dur_syntax_error(&lit, psprintf("Invalid funnel_state: %s.", problem));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(engage_funnel_state_out);
/* Text output of funnel_state (exact). */
Datum
engage_funnel_state_out(PG_FUNCTION_ARGS)
{
	FunnelState *s = fs_arg(fcinfo, 0);
	StringInfoData buf;
	const DurEntry *e = FS_ENTRIES(s);
	int			k;

	initStringInfo(&buf);
	appendStringInfo(&buf, "v%d;steps=%d;users=%lld;reached=", s->version, s->nsteps, (long long) s->users);
	for (k = 0; k < s->nsteps; k++)
		appendStringInfo(&buf, "%s%lld", k ? "," : "", (long long) FS_REACHED(s)[k]);
	for (k = 1; k < s->nsteps; k++)
	{
		appendStringInfo(&buf, ";s%d=", k + 1);
		dur_append_seconds(&buf, &FS_SUMS(s)[k]);
		appendStringInfo(&buf, ";h%d=", k + 1);
		dur_append_entries(&buf, e, (int) FS_NENT(s)[k]);
		e += FS_NENT(s)[k];
	}
	PG_RETURN_CSTRING(buf.data);
}

/*
 * Binary output, engage_funnel_state_send: version, then steps, users, per
 * step (reached, sum, entries), buckets; binary input,
 * engage_funnel_state_recv: every length and the text input's checks (22P03).
 */
DUR_BINARY_FNS(funnel, fs_type, FunnelState, fs_arg)

PG_FUNCTION_INFO_V1(engage_funnel_state_jsonb);
/* funnel_state as jsonb: users and, per step, users, conversions and the median and mean times in seconds. */
Datum
engage_funnel_state_jsonb(PG_FUNCTION_ARGS)
{
	FunnelState *s = fs_arg(fcinfo, 0);
	const int64 *reached = FS_REACHED(s);
	const DurEntry *e = FS_ENTRIES(s);
	StringInfoData buf;
	int			k;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"users\": %lld, \"steps\": [", s->version, (long long) s->users);
	for (k = 0; k < s->nsteps; k++)
	{
		appendStringInfo(&buf, "%s{\"step\": %d, \"users\": %lld", k ? ", " : "", k + 1, (long long) reached[k]);
		if (reached[0] > 0)
		{
			appendStringInfoString(&buf, ", \"conversion_from_first\": ");
			hist_append_double(&buf, 100.0 * (double) reached[k] / (double) reached[0]);
		}
		if (k > 0 && reached[k] > 0)
		{
			double		med = rint(dur_percentile(e, (int) FS_NENT(s)[k], reached[k], 0.5));
			int64		mean = dur_sum_mean(&FS_SUMS(s)[k], reached[k]);

			appendStringInfo(&buf, ", \"median_seconds_from_previous\": %lld.%06lld, \"mean_seconds_from_previous\": ",
							 (long long) (med / 1e6), (long long) fmod(med, 1e6));
			dur_append_us(&buf, mean);
		}
		appendStringInfoChar(&buf, '}');
		e += FS_NENT(s)[k];
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
