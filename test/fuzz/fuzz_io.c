/*
 * fuzz_io.c: libFuzzer harness for every way a value enters engage from
 * outside: the text input and binary receive function of each state type,
 * and the deserialize function of each aggregate with an internal state.
 *
 * Input: byte 0 picks the target (modulo the number of targets), the rest is
 * the payload: a cstring for text input (cut at the first NUL), the message
 * for receive, the bytea for deserialize.
 *
 * Oracle (anything else abort()s, which libFuzzer reports as a crash):
 * - a rejection is an ERROR with one of the target's documented SQLSTATEs;
 * - an accepted text value v = in(x): out(v) is accepted by in() again with
 *   an equal value (byte for byte, so no uninitialised bytes), out() is a
 *   fixed point, and send(v) is accepted by recv() with the same value;
 * - an accepted binary value v = recv(x) (all bytes read): send(v) = x
 *   (binary input is canonical), and in(out(v)) = v;
 * - an accepted serialized state: serialize() of it is accepted by
 *   deserialize() again and serialize() is then a fixed point.
 * Output and send functions see each value both as input returned it and,
 * when short enough, copied to a 1-byte varlena header as a value read from a
 * table is.
 *
 * At exit it prints one line per target: runs, accepted, rejected.
 * FUZZ_DISALLOW (environment) lists SQLSTATEs to treat as undocumented, so
 * that a test can see the oracle fail.
 */
#include "postgres.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/elog.h"

#include "pg_stubs.h"

/* The SQL-callable functions under test. */
#define FN(name) extern Datum name(PG_FUNCTION_ARGS)
FN(engage_nps_state_in); FN(engage_nps_state_recv);
FN(engage_csat_state_in); FN(engage_csat_state_recv);
FN(engage_ces_state_in); FN(engage_ces_state_recv);
FN(engage_hist_out); FN(engage_hist_send);
FN(engage_flow_state_in); FN(engage_flow_state_out);
FN(engage_flow_state_recv); FN(engage_flow_state_send);
FN(engage_revenue_state_in); FN(engage_revenue_state_out);
FN(engage_revenue_state_recv); FN(engage_revenue_state_send);
FN(engage_activity_state_in); FN(engage_activity_state_out);
FN(engage_activity_state_recv); FN(engage_activity_state_send);
FN(engage_bgnbd_in); FN(engage_bgnbd_out); FN(engage_bgnbd_recv); FN(engage_bgnbd_send);
FN(engage_gammagamma_in); FN(engage_gammagamma_out);
FN(engage_gammagamma_recv); FN(engage_gammagamma_send);
FN(engage_prop_state_in); FN(engage_prop_state_out);
FN(engage_prop_state_recv); FN(engage_prop_state_send);
FN(engage_session_state_in); FN(engage_session_state_out);
FN(engage_session_state_recv); FN(engage_session_state_send);
FN(engage_funnel_state_in); FN(engage_funnel_state_out);
FN(engage_funnel_state_recv); FN(engage_funnel_state_send);
FN(engage_resolution_state_in); FN(engage_resolution_state_out);
FN(engage_resolution_state_recv); FN(engage_resolution_state_send);
FN(engage_flow_series_serialize); FN(engage_flow_series_deserialize);
FN(engage_activity_serialize); FN(engage_activity_deserialize);
FN(engage_clv_hist_serialize); FN(engage_clv_hist_deserialize);
FN(engage_rfm_serialize); FN(engage_rfm_deserialize);
FN(engage_bgnbd_fit_serialize); FN(engage_bgnbd_fit_deserialize);
FN(engage_gammagamma_fit_serialize); FN(engage_gammagamma_fit_deserialize);
FN(engage_sessionize_serialize); FN(engage_sessionize_deserialize);
FN(engage_page_stats_serialize); FN(engage_page_stats_deserialize);
FN(engage_funnel_serialize); FN(engage_funnel_deserialize);
FN(engage_funnel_rollup_serialize); FN(engage_funnel_rollup_deserialize);
FN(engage_funnel_keyed_serialize); FN(engage_funnel_keyed_deserialize);
FN(engage_resolution_serialize); FN(engage_resolution_deserialize);

/* A state type: its I/O functions and length (-1: varlena). */
typedef struct FzType
{
	const char *name;
	PGFunction	in;
	PGFunction	out;
	PGFunction	recv;
	PGFunction	send;
	int			typlen;
	int			floats_at;		/* offset of trailing float8 fields (0: none) */
} FzType;

static const FzType types[] = {
	{"nps_state", engage_nps_state_in, engage_hist_out, engage_nps_state_recv, engage_hist_send, 112, 0},
	{"csat_state", engage_csat_state_in, engage_hist_out, engage_csat_state_recv, engage_hist_send, 112, 0},
	{"ces_state", engage_ces_state_in, engage_hist_out, engage_ces_state_recv, engage_hist_send, 112, 0},
	{"flow_state", engage_flow_state_in, engage_flow_state_out, engage_flow_state_recv, engage_flow_state_send, -1, 0},
	{"revenue_state", engage_revenue_state_in, engage_revenue_state_out, engage_revenue_state_recv, engage_revenue_state_send, 96, 0},
	{"activity_state", engage_activity_state_in, engage_activity_state_out, engage_activity_state_recv, engage_activity_state_send, -1, 0},
	{"bgnbd", engage_bgnbd_in, engage_bgnbd_out, engage_bgnbd_recv, engage_bgnbd_send, 56, 16},
	{"gammagamma", engage_gammagamma_in, engage_gammagamma_out, engage_gammagamma_recv, engage_gammagamma_send, 56, 16},
	{"proportion_state", engage_prop_state_in, engage_prop_state_out, engage_prop_state_recv, engage_prop_state_send, 24, 0},
	{"session_state", engage_session_state_in, engage_session_state_out, engage_session_state_recv, engage_session_state_send, 56, 0},
	{"funnel_state", engage_funnel_state_in, engage_funnel_state_out, engage_funnel_state_recv, engage_funnel_state_send, -1, 0},
	{"resolution_state", engage_resolution_state_in, engage_resolution_state_out, engage_resolution_state_recv, engage_resolution_state_send, -1, 0},
};
#define NTYPES ((int) lengthof(types))

/* An aggregate's internal state: its serialize and deserialize functions. */
typedef struct FzSerial
{
	const char *name;
	PGFunction	serialize;
	PGFunction	deserialize;
	int			hdr;			/* hash-ordered records: header bytes, */
	int			rec;			/* then records of this size (0: ordered) */
} FzSerial;

static const FzSerial serials[] = {
	{"flow_series", engage_flow_series_serialize, engage_flow_series_deserialize, 0, 0},
	{"activity", engage_activity_serialize, engage_activity_deserialize, 0, 0},
	{"clv_hist", engage_clv_hist_serialize, engage_clv_hist_deserialize, 56, 24},
	{"rfm", engage_rfm_serialize, engage_rfm_deserialize, 0, 0},
	{"bgnbd_fit", engage_bgnbd_fit_serialize, engage_bgnbd_fit_deserialize, 28, 32},
	{"gammagamma_fit", engage_gammagamma_fit_serialize, engage_gammagamma_fit_deserialize, 28, 24},
	{"sessionize", engage_sessionize_serialize, engage_sessionize_deserialize, 0, 0},
	{"page_stats", engage_page_stats_serialize, engage_page_stats_deserialize, 0, 0},
	{"funnel", engage_funnel_serialize, engage_funnel_deserialize, 0, 0},
	{"funnel_rollup", engage_funnel_rollup_serialize, engage_funnel_rollup_deserialize, 0, 0},
	{"funnel_keyed", engage_funnel_keyed_serialize, engage_funnel_keyed_deserialize, 0, 0},
	{"resolution", engage_resolution_serialize, engage_resolution_deserialize, 0, 0},
};
#define NSERIALS ((int) lengthof(serials))

/* Targets: 0..NTYPES-1 text input, then receive, then deserialize. */
enum
{
	K_TEXT,
	K_RECV,
	K_DESER
};
#define NTARGETS (2 * NTYPES + NSERIALS)

/* Documented SQLSTATEs of a rejection, per kind of target. */
static const char *const allowed[] = {
	/* text input: syntax, range, limits; timestamps of flow_state */
	"22P02 22003 54000 22007 22008 22009",
	/* receive: binary representation, cut short / trailing bytes, a count past bigint, limits */
	"22P03 08P01 22003 54000",
	/*
	 * deserialize: the same, and the row checks of the model fits'
	 * transitions, which their deserializers reuse on every pattern
	 */
	"22P03 08P01 54000 22003 22023",
};

/* FUZZ_DISALLOW="22P02 ...": codes to treat as undocumented (a self-test of the oracle). */
static const char *disallow;

static long runs[NTARGETS];
static long accepted[NTARGETS];
static long rejected[NTARGETS];

/* The target's name, e.g. "text nps_state". */
static const char *
target_name(int t)
{
	static char buf[64];

	if (t < NTYPES)
		snprintf(buf, sizeof(buf), "text %s", types[t].name);
	else if (t < 2 * NTYPES)
		snprintf(buf, sizeof(buf), "recv %s", types[t - NTYPES].name);
	else
		snprintf(buf, sizeof(buf), "deserialize %s", serials[t - 2 * NTYPES].name);
	return buf;
}

static int	cur_target = -1;

/* Report an oracle violation for the current input and abort. */
static void
fail(const char *what)
{
	fprintf(stderr, "\n*** %s: %s\n", cur_target >= 0 ? target_name(cur_target) : "?", what);
	abort();
}

/*
 * Call fn(a0[, a1]) as fmgr would; with agg, fcinfo->context is an AggState.
 * Returns false (with fz_error set) when it raised an ERROR.
 */
static bool
try_call(PGFunction fn, int nargs, Datum a0, Datum a1, bool agg, Datum *result)
{
	LOCAL_FCINFO(fcinfo, 3);
	FmgrInfo	flinfo;
	sigjmp_buf	jb;
	sigjmp_buf *volatile save = PG_exception_stack;

	memset(&flinfo, 0, sizeof(flinfo));
	flinfo.fn_addr = fn;
	flinfo.fn_nargs = nargs;
	flinfo.fn_strict = true;
	flinfo.fn_mcxt = CurrentMemoryContext;
	InitFunctionCallInfoData(*fcinfo, &flinfo, nargs, InvalidOid,
							 agg ? fz_agg_context : NULL, NULL);
	fcinfo->args[0].value = a0;
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = a1;
	fcinfo->args[1].isnull = false;
	fcinfo->args[2].value = Int32GetDatum(-1);	/* typmod of an input function */
	fcinfo->args[2].isnull = false;
	if (sigsetjmp(jb, 0) == 0)
	{
		PG_exception_stack = &jb;
		*result = fn(fcinfo);
		PG_exception_stack = save;
		if (fcinfo->isnull)
			fail("a function returned NULL");
		return true;
	}
	PG_exception_stack = save;
	return false;
}

/* Call a function that must not fail on this value. */
static Datum
must_call(PGFunction fn, int nargs, Datum a0, Datum a1, bool agg, const char *what)
{
	Datum		r;

	if (!try_call(fn, nargs, a0, a1, agg, &r))
	{
		char		buf[1400];

		snprintf(buf, sizeof(buf), "%s failed: %s %s (%s) at %s:%d",
				 what, fz_sqlstate(fz_error.sqlerrcode), fz_error.message,
				 fz_error.detail, fz_error.filename, fz_error.lineno);
		fail(buf);
	}
	return r;
}

/* A rejection: count it, and abort unless its SQLSTATE is documented for the kind. */
static void
check_rejection(int kind)
{
	const char *code = fz_sqlstate(fz_error.sqlerrcode);

	if (strstr(allowed[kind], code) == NULL || (disallow && strstr(disallow, code)))
	{
		char		buf[1400];

		snprintf(buf, sizeof(buf), "undocumented SQLSTATE %s: %s (%s) at %s:%d",
				 code, fz_error.message, fz_error.detail, fz_error.filename, fz_error.lineno);
		fail(buf);
	}
	rejected[cur_target]++;
}

/* Size of a datum of a type (varlena: its full size, header included). */
static Size
datum_size(const FzType *ty, Datum v)
{
	return ty->typlen > 0 ? (Size) ty->typlen : VARSIZE_ANY(DatumGetPointer(v));
}

/* A value as a function reading it from a table may see it: short varlenas get a 1-byte header. */
static Datum
stored(const FzType *ty, Datum v)
{
	struct varlena *p = (struct varlena *) DatumGetPointer(v);
	Size		len;
	char	   *copy;

	if (ty->typlen > 0 || VARATT_IS_SHORT(p))
		return v;
	len = VARSIZE(p) - VARHDRSZ;
	if (len + VARHDRSZ_SHORT > VARATT_SHORT_MAX)
		return v;
	copy = palloc(len + VARHDRSZ_SHORT);
	SET_VARSIZE_SHORT(copy, len + VARHDRSZ_SHORT);
	memcpy(copy + VARHDRSZ_SHORT, VARDATA(p), len);
	return PointerGetDatum(copy);
}

/*
 * Abort unless two values are the same bytes (the varlena header form aside);
 * float8 fields compare equal when both are NaN, whatever their payload bits
 * (binary input keeps them, as float8recv does; text input makes the one NaN).
 */
static void
same_value(const FzType *ty, Datum a, Datum b, const char *what)
{
	if (ty->typlen > 0)
	{
		const char *x = DatumGetPointer(a);
		const char *y = DatumGetPointer(b);
		int			n = ty->floats_at ? ty->floats_at : ty->typlen;
		int			off;

		if (memcmp(x, y, n) != 0)
			fail(what);
		for (off = n; off + 8 <= ty->typlen; off += 8)
		{
			double		dx,
						dy;

			memcpy(&dx, x + off, 8);
			memcpy(&dy, y + off, 8);
			if (memcmp(&dx, &dy, 8) != 0 && !(isnan(dx) && isnan(dy)))
				fail(what);
		}
		return;
	}
	if (VARSIZE_ANY_EXHDR(DatumGetPointer(a)) != VARSIZE_ANY_EXHDR(DatumGetPointer(b)) ||
		memcmp(VARDATA_ANY(DatumGetPointer(a)), VARDATA_ANY(DatumGetPointer(b)),
			   VARSIZE_ANY_EXHDR(DatumGetPointer(a))) != 0)
		fail(what);
}

/* Abort unless two bytea are equal. */
static void
same_bytes(Datum a, Datum b, const char *what)
{
	bytea	   *x = (bytea *) DatumGetPointer(a);
	bytea	   *y = (bytea *) DatumGetPointer(b);

	if (VARSIZE_ANY_EXHDR(x) != VARSIZE_ANY_EXHDR(y) ||
		memcmp(VARDATA_ANY(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(x)) != 0)
		fail(what);
}

/* Receive a bytea's bytes as a binary value; all of it must be read. */
static Datum
must_recv(const FzType *ty, Datum bytes, const char *what)
{
	bytea	   *b = (bytea *) DatumGetPointer(bytes);
	StringInfoData msg;
	Datum		v;

	msg.len = VARSIZE_ANY_EXHDR(b);
	msg.maxlen = msg.len + 1;
	msg.cursor = 0;
	msg.data = palloc(msg.len + 1);
	memcpy(msg.data, VARDATA_ANY(b), msg.len);
	msg.data[msg.len] = '\0';
	v = must_call(ty->recv, 1, PointerGetDatum(&msg), 0, false, what);
	if (msg.cursor != msg.len)
		fail("recv(send(v)) left bytes unread");
	return v;
}

/* Text input target. */
static void
run_text(const FzType *ty, const uint8_t *data, size_t size)
{
	size_t		len = strnlen((const char *) data, size);
	char	   *str = malloc(len + 1);
	Datum		v1,
				v2,
				v3;
	char	   *o1,
			   *o2;
	Datum		b1,
				b2;

	memcpy(str, data, len);
	str[len] = '\0';
	if (!try_call(ty->in, 3, CStringGetDatum(str), ObjectIdGetDatum(InvalidOid), false, &v1))
	{
		free(str);
		check_rejection(K_TEXT);
		return;
	}
	free(str);
	accepted[cur_target]++;
	o1 = DatumGetCString(must_call(ty->out, 1, stored(ty, v1), 0, false, "out(in(x))"));
	v2 = must_call(ty->in, 3, CStringGetDatum(o1), ObjectIdGetDatum(InvalidOid), false, "in(out(in(x)))");
	same_value(ty, v1, v2, "in(out(v)) differs from v");
	o2 = DatumGetCString(must_call(ty->out, 1, v2, 0, false, "out(in(out(in(x))))"));
	if (strcmp(o1, o2) != 0)
		fail("text output is not a fixed point");
	b1 = must_call(ty->send, 1, v1, 0, false, "send(in(x))");
	v3 = must_recv(ty, b1, "recv(send(in(x)))");
	same_value(ty, v1, v3, "recv(send(v)) differs from v");
	b2 = must_call(ty->send, 1, stored(ty, v3), 0, false, "send(recv(send(in(x))))");
	same_bytes(b1, b2, "binary output is not a fixed point");
}

/* Binary receive target. */
static void
run_recv(const FzType *ty, const uint8_t *data, size_t size)
{
	StringInfoData msg;
	Datum		v1,
				v2;
	Datum		b1,
				b2;
	char	   *o1;

	msg.len = (int) size;
	msg.maxlen = msg.len + 1;
	msg.cursor = 0;
	msg.data = malloc(size + 1);
	memcpy(msg.data, data, size);
	msg.data[size] = '\0';		/* the backend's message buffers end with a NUL */
	if (!try_call(ty->recv, 1, PointerGetDatum(&msg), 0, false, &v1))
	{
		free(msg.data);
		check_rejection(K_RECV);
		return;
	}
	free(msg.data);
	if (msg.cursor != msg.len)
	{
		/* the caller (COPY, bind, record_recv) rejects trailing bytes: 22P03 */
		rejected[cur_target]++;
		return;
	}
	accepted[cur_target]++;
	b1 = must_call(ty->send, 1, stored(ty, v1), 0, false, "send(recv(x))");
	if (VARSIZE_ANY_EXHDR(DatumGetPointer(b1)) != size ||
		memcmp(VARDATA_ANY(DatumGetPointer(b1)), data, size) != 0)
		fail("send(recv(x)) differs from x: binary input accepted a non-canonical form");
	o1 = DatumGetCString(must_call(ty->out, 1, v1, 0, false, "out(recv(x))"));
	v2 = must_call(ty->in, 3, CStringGetDatum(o1), ObjectIdGetDatum(InvalidOid), false, "in(out(recv(x)))");
	same_value(ty, v1, v2, "in(out(v)) differs from recv(x)");
	b2 = must_call(ty->send, 1, v2, 0, false, "send(in(out(recv(x))))");
	if (ty->floats_at == 0)		/* else NaN payloads may differ; same_value compared */
		same_bytes(b1, b2, "send(in(out(v))) differs from send(v)");
}

/* A bytea of the given bytes; with short, a 1-byte header when short enough (as in a tuple). */
static Datum
make_bytea(const uint8_t *data, size_t size, bool short_ok)
{
	char	   *b;

	if (short_ok && size + VARHDRSZ_SHORT <= VARATT_SHORT_MAX)
	{
		b = palloc(size + VARHDRSZ_SHORT);
		SET_VARSIZE_SHORT(b, size + VARHDRSZ_SHORT);
		memcpy(b + VARHDRSZ_SHORT, data, size);
	}
	else
	{
		b = palloc(size + VARHDRSZ);
		SET_VARSIZE(b, size + VARHDRSZ);
		memcpy(b + VARHDRSZ, data, size);
	}
	return PointerGetDatum(b);
}

static int	rec_size;

/* qsort comparator of records of rec_size bytes. */
static int
rec_cmp(const void *a, const void *b)
{
	return memcmp(a, b, rec_size);
}

/*
 * Abort unless two serialized hash tables hold the same header and the same
 * records in any order (iteration order follows insertion order).
 */
static void
same_records(const FzSerial *se, Datum a, Datum b)
{
	bytea	   *x = (bytea *) DatumGetPointer(a);
	bytea	   *y = (bytea *) DatumGetPointer(b);
	Size		len = VARSIZE_ANY_EXHDR(x);
	char	   *rx,
			   *ry;

	if (len != VARSIZE_ANY_EXHDR(y) || len < (Size) se->hdr || (len - se->hdr) % se->rec != 0 ||
		memcmp(VARDATA_ANY(x), VARDATA_ANY(y), se->hdr) != 0)
		fail("serialize is not a fixed point (header or length)");
	rx = malloc(len + 1);
	ry = malloc(len + 1);
	memcpy(rx, VARDATA_ANY(x) + se->hdr, len - se->hdr);
	memcpy(ry, VARDATA_ANY(y) + se->hdr, len - se->hdr);
	rec_size = se->rec;
	qsort(rx, (len - se->hdr) / se->rec, se->rec, rec_cmp);
	qsort(ry, (len - se->hdr) / se->rec, se->rec, rec_cmp);
	if (memcmp(rx, ry, len - se->hdr) != 0)
		fail("serialize is not a fixed point (records)");
	free(rx);
	free(ry);
}

/* Deserialize target. */
static void
run_deser(const FzSerial *se, const uint8_t *data, size_t size)
{
	Datum		st1,
				st2;
	Datum		b1,
				b2;
	bytea	   *x;

	if (!try_call(se->deserialize, 2, make_bytea(data, size, true), PointerGetDatum(NULL), true, &st1))
	{
		check_rejection(K_DESER);
		return;
	}
	accepted[cur_target]++;
	b1 = must_call(se->serialize, 1, st1, 0, true, "serialize(deserialize(x))");
	x = (bytea *) DatumGetPointer(b1);
	st2 = must_call(se->deserialize, 2, make_bytea((const uint8_t *) VARDATA_ANY(x), VARSIZE_ANY_EXHDR(x), false),
					PointerGetDatum(NULL), true, "deserialize(serialize(deserialize(x)))");
	b2 = must_call(se->serialize, 1, st2, 0, true, "serialize(deserialize(serialize(deserialize(x))))");
	if (se->rec)
		same_records(se, b1, b2);
	else
		same_bytes(b1, b2, "serialize is not a fixed point");
}

/* Print the per-target counters (stderr). */
static void
print_counters(void)
{
	int			t;

	for (t = 0; t < NTARGETS; t++)
		fprintf(stderr, "fuzz-target %-28s runs %ld accepted %ld rejected %ld\n",
				target_name(t), runs[t], accepted[t], rejected[t]);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_init();
	disallow = getenv("FUZZ_DISALLOW");
	atexit(print_counters);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			t;

	if (size < 1)
		return 0;
	t = data[0] % NTARGETS;
	cur_target = t;
	runs[t]++;
	if (t < NTYPES)
		run_text(&types[t], data + 1, size - 1);
	else if (t < 2 * NTYPES)
		run_recv(&types[t - NTYPES], data + 1, size - 1);
	else
		run_deser(&serials[t - 2 * NTYPES], data + 1, size - 1);
	fz_free_all();
	cur_target = -1;
	return 0;
}
