/*
 * patterns.c: the fitting state of the customer-base models: a hash table
 * of distinct customer patterns with integer weights, so that the
 * likelihood costs one term per pattern, not per customer; serialisable
 * for parallel aggregation.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/int.h"
#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "optim.h"

/* ---------------------------------------------------------------------------
 * Pattern tables
 * ---------------------------------------------------------------------------
 */
#define PATTERN_INITIAL_CAPACITY	1024
#define PATTERN_SERIAL_VERSION		1
#define PATTERN_SERIAL_HEADER		(4 + 4 + 4 + 8 + 8)

/* Hash of a pattern's keys (keys are normalised: never -0, never NaN). */
static inline uint64
pattern_hash(const double *key, int nkeys)
{
	uint64		h = UINT64CONST(0x9E3779B97F4A7C15);
	int			i;

	for (i = 0; i < nkeys; i++)
	{
		uint64		w;

		memcpy(&w, &key[i], sizeof(w));
		h = (h ^ w) * UINT64CONST(0xBF58476D1CE4E5B9);
		h ^= h >> 29;
	}
	h *= UINT64CONST(0x94D049BB133111EB);
	return h ^ (h >> 32);
}

/* Allocate zeroed slots (huge allocations allowed). */
static ModelPattern *
pattern_slots(MemoryContext cxt, int64 capacity)
{
	if ((Size) capacity > MaxAllocHugeSize / sizeof(ModelPattern))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct customer patterns to fit a model"),
				 errdetail("A fit holds at most %lld distinct patterns.",
						   (long long) (MaxAllocHugeSize / sizeof(ModelPattern) / 2))));
	return MemoryContextAllocExtended(cxt, capacity * sizeof(ModelPattern),
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

/* An empty table in cxt. */
PatternTable *
pattern_table_new(MemoryContext cxt, int kind, int nkeys)
{
	PatternTable *t = MemoryContextAllocZero(cxt, sizeof(PatternTable));

	t->kind = kind;
	t->nkeys = nkeys;
	t->capacity = PATTERN_INITIAL_CAPACITY;
	t->slots = pattern_slots(cxt, t->capacity);
	t->cxt = cxt;
	return t;
}

/* Place a pattern known to be absent into slots of capacity cap. */
static void
pattern_place(ModelPattern *slots, int64 cap, int nkeys, const ModelPattern *p)
{
	uint64		i = pattern_hash(p->key, nkeys) & (cap - 1);

	while (slots[i].weight != 0)
		i = (i + 1) & (cap - 1);
	slots[i] = *p;
}

/* Double the capacity, rehashing every pattern. */
static void
pattern_grow(PatternTable *t)
{
	int64		cap = t->capacity * 2;
	ModelPattern *slots = pattern_slots(t->cxt, cap);
	int64		i;

	for (i = 0; i < t->capacity; i++)
		if (t->slots[i].weight != 0)
			pattern_place(slots, cap, t->nkeys, &t->slots[i]);
	pfree(t->slots);
	t->slots = slots;
	t->capacity = cap;
}

/* Count weight more customers with this pattern (weight > 0). */
void
pattern_table_add(PatternTable *t, const double *key, int64 weight)
{
	double		k[PATTERN_KEYS] = {0, 0, 0};
	uint64		i;
	int			j;

	for (j = 0; j < t->nkeys; j++)
		k[j] = key[j] + 0.0;	/* -0 becomes +0 */
	if (unlikely(pg_add_s64_overflow(t->customers, weight, &t->customers)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("too many customers to fit a model"),
				 errdetail("A fit counts at most %lld customers.", (long long) PG_INT64_MAX)));
	i = pattern_hash(k, t->nkeys) & (t->capacity - 1);
	for (;;)
	{
		ModelPattern *s = &t->slots[i];

		if (s->weight == 0)
			break;
		if (s->key[0] == k[0] && s->key[1] == k[1] && s->key[2] == k[2])
		{
			s->weight += weight;	/* cannot overflow: bounded by customers */
			return;
		}
		i = (i + 1) & (t->capacity - 1);
	}
	if (unlikely((t->used + 1) * 2 > t->capacity))
	{
		ModelPattern p;

		pattern_grow(t);
		memcpy(p.key, k, sizeof(k));
		p.weight = weight;
		pattern_place(t->slots, t->capacity, t->nkeys, &p);
	}
	else
	{
		memcpy(t->slots[i].key, k, sizeof(k));
		t->slots[i].weight = weight;
	}
	t->used++;
}

/* A deep copy of a table in cxt. */
PatternTable *
pattern_table_copy(const PatternTable *src, MemoryContext cxt)
{
	PatternTable *t = MemoryContextAlloc(cxt, sizeof(PatternTable));

	*t = *src;
	t->cxt = cxt;
	t->slots = pattern_slots(cxt, src->capacity);
	memcpy(t->slots, src->slots, src->capacity * sizeof(ModelPattern));
	return t;
}

/* dst += src, pattern by pattern. */
void
pattern_table_merge(PatternTable *dst, const PatternTable *src)
{
	int64		i;

	if (dst->kind != src->kind || dst->nkeys != src->nkeys)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine the fitting states of different models")));
	for (i = 0; i < src->capacity; i++)
		if (src->slots[i].weight != 0)
			pattern_table_add(dst, src->slots[i].key, src->slots[i].weight);
}

/* Lexicographic order of patterns by their keys. */
static int
pattern_cmp(const void *a, const void *b)
{
	const ModelPattern *pa = a;
	const ModelPattern *pb = b;
	int			i;

	for (i = 0; i < PATTERN_KEYS; i++)
		if (pa->key[i] != pb->key[i])
			return pa->key[i] < pb->key[i] ? -1 : 1;
	return 0;
}

/*
 * The patterns in key order, in CurrentMemoryContext: the fit then sums in
 * an order that does not depend on how the rows reached the table (serial
 * and parallel plans give bit-identical parameters).
 */
ModelPattern *
pattern_table_sorted(const PatternTable *t)
{
	ModelPattern *out = MemoryContextAllocExtended(CurrentMemoryContext,
												   Max(t->used, 1) * sizeof(ModelPattern),
												   MCXT_ALLOC_HUGE);
	int64		n = 0;
	int64		i;

	for (i = 0; i < t->capacity; i++)
		if (t->slots[i].weight != 0)
			out[n++] = t->slots[i];
	Assert(n == t->used);
	qsort(out, n, sizeof(ModelPattern), pattern_cmp);
	return out;
}

/* Ascending order of doubles, for qsort. */
int
pattern_cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* Sort v[0..n) and drop repeats; returns the distinct count. */
int64
pattern_unique_doubles(double *v, int64 n)
{
	int64		m = 0;
	int64		i;

	qsort(v, n, sizeof(double), pattern_cmp_double);
	for (i = 0; i < n; i++)
		if (m == 0 || v[i] != v[m - 1])
			v[m++] = v[i];
	return m;
}

/* Position of x in the sorted distinct v[0..n) (x must be there). */
int64
pattern_index_of(const double *v, int64 n, double x)
{
	int64		lo = 0;
	int64		hi = n - 1;

	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Serialise: version, kind, nkeys, pattern count, customers, then per
 * pattern nkeys float8 keys and an int64 weight.
 */
bytea *
pattern_table_serialize(const PatternTable *t)
{
	StringInfoData buf;
	int64		entry = 8 * (int64) t->nkeys + 8;
	int64		i;
	int			j;

	if (t->used > (int64) (MaxAllocSize - VARHDRSZ - PATTERN_SERIAL_HEADER) / entry)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct customer patterns (%lld) for a parallel fit", (long long) t->used),
				 errdetail("A partial fitting state holds at most %lld patterns; disable parallel aggregation for this query.",
						   (long long) ((MaxAllocSize - VARHDRSZ - PATTERN_SERIAL_HEADER) / entry))));
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, PATTERN_SERIAL_HEADER + (int) (t->used * entry));
	pq_sendint32(&buf, PATTERN_SERIAL_VERSION);
	pq_sendint32(&buf, t->kind);
	pq_sendint32(&buf, t->nkeys);
	pq_sendint64(&buf, t->used);
	pq_sendint64(&buf, t->customers);
	for (i = 0; i < t->capacity; i++)
	{
		if (t->slots[i].weight == 0)
			continue;
		for (j = 0; j < t->nkeys; j++)
			pq_sendfloat8(&buf, t->slots[i].key[j]);
		pq_sendint64(&buf, t->slots[i].weight);
	}
	return pq_endtypsend(&buf);
}

/* Raise the error for a malformed serialised fitting state. */
static void
pattern_bad_serial(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized model-fitting state: %s", why),
			 errdetail("A serialized state is a header (version 1, kind, key count, pattern count, customers) "
					   "followed by exactly that many patterns of positive weight that add up to customers.")));
}

/*
 * Deserialise into a new table in CurrentMemoryContext, checking every
 * length, every key (check) and every weight, and that the weights add up.
 */
PatternTable *
pattern_table_deserialize(bytea *b, int kind, int nkeys, PatternCheckFn check)
{
	StringInfoData msg;
	PatternTable *t;
	int64		n;
	int64		customers;
	int64		entry = 8 * (int64) nkeys + 8;
	int64		i;
	int			j;

	msg.data = VARDATA_ANY(b);
	msg.len = VARSIZE_ANY_EXHDR(b);
	msg.maxlen = msg.len;
	msg.cursor = 0;
	if (msg.len < PATTERN_SERIAL_HEADER)
		pattern_bad_serial("too short");
	if (pq_getmsgint(&msg, 4) != PATTERN_SERIAL_VERSION)
		pattern_bad_serial("unknown version");
	if (pq_getmsgint(&msg, 4) != (uint32) kind || pq_getmsgint(&msg, 4) != (uint32) nkeys)
		pattern_bad_serial("state of another model");
	n = pq_getmsgint64(&msg);
	customers = pq_getmsgint64(&msg);
	if (n < 0 || customers < n || n > (msg.len - msg.cursor) / entry ||
		msg.len - msg.cursor != n * entry)
		pattern_bad_serial("length does not match the pattern count");
	t = pattern_table_new(CurrentMemoryContext, kind, nkeys);
	for (i = 0; i < n; i++)
	{
		double		key[PATTERN_KEYS] = {0, 0, 0};
		int64		w;

		for (j = 0; j < nkeys; j++)
			key[j] = pq_getmsgfloat8(&msg);
		w = pq_getmsgint64(&msg);
		if (w <= 0)
			pattern_bad_serial("weight not positive");
		check(key);
		pattern_table_add(t, key, w);
	}
	if (t->customers != customers || t->used != n)
		pattern_bad_serial("weights do not add up, or a pattern repeats");
	return t;
}

/*
 * The fitting state a transition may update: the aggregate's own, created
 * in the aggregate context on the first row.  Outside an aggregate: error.
 */
PatternTable *
pattern_state_for_update(FunctionCallInfo fcinfo, int kind, int nkeys)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s fitting functions can only be called inside an aggregate",
						model_spec(kind)->display)));
	if (PG_ARGISNULL(0))
		return pattern_table_new(aggcxt, kind, nkeys);
	return (PatternTable *) PG_GETARG_POINTER(0);
}

/*
 * Combine (not STRICT): state1 + state2 in place; when state1 is NULL the
 * result is a copy of state2 in the aggregate context (state2 may live in a
 * shorter-lived context).
 */
Datum
pattern_combine_datum(FunctionCallInfo fcinfo, int kind)
{
	MemoryContext aggcxt;
	PatternTable *dst;
	PatternTable *src;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s fitting functions can only be called inside an aggregate",
						model_spec(kind)->display)));
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (PatternTable *) PG_GETARG_POINTER(1);
	if (src->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine the fitting states of different models")));
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(pattern_table_copy(src, aggcxt));
	dst = (PatternTable *) PG_GETARG_POINTER(0);
	pattern_table_merge(dst, src);
	PG_RETURN_POINTER(dst);
}
