/*
 * engage.c: module entry.  The metric families live in one file each
 * (nps.c, csat.c, ces.c) on the shared score-histogram core (hist.c).
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
