/*
 * engage.c: module entry, and the few helpers every metric family shares.
 * The families live in one file each on the shared cores (hist.c for the
 * score histograms, ...).
 */
#include "postgres.h"

#include "fmgr.h"

#include "engage.h"

PG_MODULE_MAGIC;

/*
 * The DETAIL for a state whose format version this build cannot read: a
 * version above `current` was written by a newer engage (after a downgrade,
 * or shipped from a newer node), anything else is simply invalid.
 */
char *
engage_version_detail(int64 version, int current)
{
	if (version > current)
		return psprintf("Format version %lld was written by a newer version of engage; this build of engage reads format versions 1 to %d.",
						(long long) version, current);
	return psprintf("Format version %lld is not supported; this build of engage reads format versions 1 to %d.",
					(long long) version, current);
}
