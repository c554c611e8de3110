/*
 * activity_bits.c: the bitmap helpers of activity_state (activity.h; layout
 * described in activity.c) and the validation of stored states, shared by
 * activity.c, activity_io.c and activity_read.c.
 */
#include "postgres.h"

#include "port/pg_bitutils.h"
#include "utils/memutils.h"

#include "activity.h"
#include "engage.h"

/* ------------------------------------------------------------------------
 * Bitmaps
 * ------------------------------------------------------------------------
 */

/*
 * For every day d in [lo, hi]: bit (d - dbase) of dst |= bit (d - sbase) of
 * src.  src has no bits set outside [lo, hi]; dst covers [lo, hi].
 */
void
act_or_days(uint8 *dst, int32 dbase, const uint8 *src, int32 sbase, int32 lo, int32 hi)
{
	int64		shift = (int64) sbase - dbase;	/* dst bit = src bit + shift */
	int			j0 = (lo - sbase) >> 3;
	int			j1 = (hi - sbase) >> 3;
	int			j;

	if ((shift & 7) == 0)
	{
		int64		q = shift >> 3;

		for (j = j0; j <= j1; j++)
			dst[j + q] |= src[j];
		return;
	}
	for (j = j0; j <= j1; j++)
	{
		uint8		b = src[j];
		int64		p;

		if (b == 0)
			continue;
		p = (int64) j * 8 + shift;
		if (p < 0)
			dst[0] |= (uint8) (b >> (-p));	/* the low -p bits are before lo: zero */
		else
		{
			int64		q = p >> 3;
			int			r = (int) (p & 7);

			dst[q] |= (uint8) (b << r);
			if (r && (b >> (8 - r)))
				dst[q + 1] |= (uint8) (b >> (8 - r));
		}
	}
}

/* Is any bit of row set in bit positions [a, b)?  0 <= a < b. */
bool
act_row_any(const uint8 *row, int a, int b)
{
	int			ja = a >> 3;
	int			jb = (b - 1) >> 3;
	uint8		ma = (uint8) (0xFF << (a & 7));
	uint8		mb = (uint8) (0xFF >> (7 - ((b - 1) & 7)));
	int			j;

	if (ja == jb)
		return (row[ja] & ma & mb) != 0;
	if (row[ja] & ma)
		return true;
	for (j = ja + 1; j < jb; j++)
		if (row[j])
			return true;
	return (row[jb] & mb) != 0;
}

/* Number of set bits of row in bit positions [a, b).  0 <= a < b. */
int64
act_row_count(const uint8 *row, int a, int b)
{
	int			ja = a >> 3;
	int			jb = (b - 1) >> 3;
	uint8		ma = (uint8) (0xFF << (a & 7));
	uint8		mb = (uint8) (0xFF >> (7 - ((b - 1) & 7)));
	int64		n;

	if (ja == jb)
		return pg_popcount32((uint32) (row[ja] & ma & mb));
	n = pg_popcount32((uint32) (row[ja] & ma)) + pg_popcount32((uint32) (row[jb] & mb));
	if (jb > ja + 1)
		n += (int64) pg_popcount((const char *) row + ja + 1, jb - ja - 1);
	return n;
}

/* ------------------------------------------------------------------------
 * Validation of stored states
 * ------------------------------------------------------------------------
 */

/* The exact size of a state of nusers users over ndays days, or -1 if too big. */
int64
act_size(int64 nusers, int64 ndays)
{
	int64		size = (int64) ACT_HDRSZ + nusers * (8 + ACT_ROWBYTES(ndays));

	return size > (int64) MaxAllocSize ? -1 : size;
}

/*
 * What is wrong with a state of len bytes (NULL when it is valid): header,
 * exact size, ascending user ids, a day for every user, zero bits past the
 * range, both ends of the range used.
 */
const char *
act_problem(const ActivityState *s, int64 len)
{
	int			rb;
	int			lastbyte;
	uint8		lastmask;
	uint8		any_first = 0;
	uint8		any_last = 0;
	int32		i;

	if (len < (int64) ACT_HDRSZ)
		return "The value is shorter than the state header.";
	if (s->version < 1 || s->version > ACT_VERSION)
		return engage_version_detail(s->version, ACT_VERSION);
	if (s->flags != 0 || s->pad != 0)
		return "Unused header fields must be zero.";
	if (s->ndays < 1 || s->ndays > ACT_MAX_DAYS)
		return psprintf("The range has %d days; a state covers 1 to %d days.", s->ndays, ACT_MAX_DAYS);
	if (s->first_day < ACT_MIN_DATE || s->first_day > ACT_MAX_DATE - (s->ndays - 1))
		return ACT_DAYS_DETAIL;
	if (s->nusers < 1)
		return "A state has at least one user.";
	if (act_size(s->nusers, s->ndays) != len)
		return psprintf("%d users over %d days take %lld bytes, not %lld.", s->nusers, s->ndays,
						(long long) act_size(s->nusers, s->ndays), (long long) len);
	rb = ACT_ROWBYTES(s->ndays);
	lastbyte = (s->ndays - 1) >> 3;
	lastmask = (uint8) (1 << ((s->ndays - 1) & 7));
	for (i = 0; i < s->nusers; i++)
	{
		const uint8 *row = ACT_ROW(s, i);
		int			j;
		bool		any = false;

		if (i > 0 && s->users[i] <= s->users[i - 1])
			return "User ids must be strictly ascending.";
		for (j = 0; j < rb && !any; j++)
			any = row[j] != 0;
		if (!any)
			return psprintf("User %lld has no active day.", (long long) s->users[i]);
		if (row[rb - 1] & (uint8) ~(0xFF >> (7 - ((s->ndays - 1) & 7))))
			return psprintf("User %lld has bits past the last day of the range.", (long long) s->users[i]);
		any_first |= row[0] & 1;
		any_last |= row[lastbyte] & lastmask;
	}
	if (!any_first || !any_last)
		return "The first and the last day of the range must each have an active user.";
	return NULL;
}

/* Fetch state argument argno (detoasted), validated (22023). */
ActivityState *
act_arg(FunctionCallInfo fcinfo, int argno)
{
	ActivityState *s = (ActivityState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	const char *problem = act_problem(s, VARSIZE(s));

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid activity_state"),
				 errdetail("%s", problem)));
	return s;
}
