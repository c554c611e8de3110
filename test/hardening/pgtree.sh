#!/usr/bin/env bash
# Private PostgreSQL install trees for test/hardening/valgrind.sh and asan.sh.
# Source it.
# Each run tests a snapshot of the tree, built and installed into a private
# copy of the PostgreSQL install tree, never over the system install that
# other runs share:
#   $HARD_ROOT/NAME/main     snapshot of the repository (git HEAD by default)
#   $HARD_ROOT/NAME/shared   -> the repository's ../shared (test data), if any
#   $HARD_ROOT/NAME/pg/usr/lib/postgresql/15/{bin,lib}, .../usr/share/postgresql/15
# PostgreSQL finds its lib and share folders relative to its executable, so
# a server started from the private bin loads engage.so and engage's scripts
# from the private tree: bin is copied, everything else symlinked but engage's.

# shellcheck source=test/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
: "${HARD_ROOT:=/tmp/engage-hard}"

# Copy the repository to $HARD_ROOT/NAME/main: the committed tree (git HEAD),
# which is consistent even while files are being edited, or with
# HARD_SOURCE=worktree the working tree as it is (no build products).
# The source used is written to $HARD_ROOT/NAME/source.
hard_snapshot() {
    local dir="$HARD_ROOT/$1"
    mkdir -p "$dir" && chmod 755 "$HARD_ROOT" "$dir" || return 1
    rm -rf "$dir/main"; mkdir -p "$dir/main" || return 1
    if [ "${HARD_SOURCE:-HEAD}" != worktree ] && git -C "$ENGAGE_REPO" rev-parse -q --verify HEAD >/dev/null 2>&1; then
        git -C "$ENGAGE_REPO" archive --format=tar HEAD | tar -C "$dir/main" -xf - || return 1
        echo "git $(git -C "$ENGAGE_REPO" rev-parse --short HEAD)" >"$dir/source"
    else
        tar -C "$ENGAGE_REPO" --exclude=./.git --exclude=./.run --exclude=./results \
            --exclude='*.o' --exclude='*.bc' --exclude='*.so' --exclude=./regression.diffs \
            --exclude=./regression.out -cf - . | tar -C "$dir/main" -xf - || return 1
        echo "working tree of $ENGAGE_REPO" >"$dir/source"
    fi
    rm -f "$dir/shared"
    if [ -d "$ENGAGE_REPO/../shared" ]; then ln -s "$(cd "$ENGAGE_REPO/../shared" && pwd)" "$dir/shared"; fi
}

# Build the snapshot of NAME with extra compiler flags CFLAGS and link flags
# LDFLAGS, then install it into NAME's private PostgreSQL tree (made here).
# Output goes to $HARD_ROOT/NAME/build.log.
hard_build() {
    local dir="$HARD_ROOT/$1" cflags="$2" ldflags="$3" sys share pg
    local log="$dir/build.log"
    sys="$(dirname "$("$PG_CONFIG" --bindir)")"    # /usr/lib/postgresql/15
    share="$("$PG_CONFIG" --sharedir)"             # /usr/share/postgresql/15
    pg="$dir/pg"
    rm -rf "$pg"
    mkdir -p "$pg$sys" "$pg$(dirname "$share")" || return 1
    cp -a "$sys/bin" "$pg$sys/bin" &&
    cp -rs "$sys/lib" "$pg$sys/lib" &&
    cp -rs "$share" "$pg$share" || return 1
    find "$pg" -name 'engage*' -type l -delete
    chmod -R a+rX "$dir"
    # PG_CFLAGS on the command line replaces the Makefile's -Wall -Wextra: keep them.
    # No JIT bitcode (with_llvm=no): the server runs with jit = off.
    if ! { make -C "$dir/main" PG_CONFIG="$PG_CONFIG" with_llvm=no \
               PG_CFLAGS="-Wall -Wextra $cflags" PG_LDFLAGS="$ldflags" &&
           make -C "$dir/main" PG_CONFIG="$PG_CONFIG" with_llvm=no install DESTDIR="$pg"; } \
           </dev/null >"$log" 2>&1; then
        tail -n 30 "$log" >&2; engage_say "build failed (log: $log)"; return 1
    fi
    grep -E 'warning:' "$log" >&2 || true
}

# Print the private pg_config of NAME.
hard_pg_config() {
    local sys
    sys="$(cd "$("$PG_CONFIG" --bindir)" && pwd)"
    echo "$HARD_ROOT/$1/pg$sys/pg_config"
}

# Initialise cluster NAME on PORT from the private tree, with the server
# settings of the hardening runs (extra lines in $HARD_CONF), and leave it
# stopped: the caller starts the postmaster under its tool.
hard_cluster_init() {
    local name="$1" port="$2"
    PG_CONFIG="$(hard_pg_config "$name")" ENGAGE_PORT="$port" ENGAGE_EXTRA_CONF="jit = off
log_line_prefix = '%m [%p] %a %e [%b] '
max_worker_processes = 8
${HARD_CONF:-}" engage_cluster_start "$name" || return 1
    PG_CONFIG="$(hard_pg_config "$name")" engage_cluster_stop "$name"
}

# Start the postmaster of the cluster (env from hard_cluster_init) as
# `postgres` with `env ENV... WRAPPER... postgres -D data`, in the
# background; wait up to TIMEOUT seconds until it accepts connections.
# Usage: hard_postmaster_start TIMEOUT [VAR=value...] [--] [wrapper args...]
hard_postmaster_start() {
    local timeout="$1" bin envs=() i
    shift
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
    [ "${1:-}" = "--" ] && shift
    bin="$(dirname "$(hard_pg_config "$ENGAGE_CLUSTER")")"
    engage_as_pg env "${envs[@]}" "$@" "$bin/postgres" -D "$ENGAGE_DATA" \
        </dev/null >>"$ENGAGE_LOG" 2>&1 &
    for ((i = 0; i < timeout; i++)); do
        if "$bin/pg_isready" -q -h "$PGHOST" -p "$PGPORT"; then return 0; fi
        sleep 1
    done
    engage_say "postmaster did not accept connections within ${timeout}s (log: $ENGAGE_LOG)"
    tail -n 20 "$ENGAGE_LOG" >&2
    return 1
}

# Stop the postmaster of cluster NAME (fast), waiting up to TIMEOUT seconds.
hard_postmaster_stop() {
    local name="$1" timeout="${2:-300}" dir
    dir="$(engage_cluster_dir "$name")"
    [ -f "$dir/data/postmaster.pid" ] || return 0
    engage_as_pg "$(dirname "$(hard_pg_config "$name")")/pg_ctl" -D "$dir/data" -m fast -w \
        -t "$timeout" stop </dev/null >/dev/null
}

# Run the regression suite of NAME's snapshot (the tests make installcheck
# runs: sql/NN_*.sql, same options; only those named in $HARD_TESTS if set)
# against the running cluster; results in $HARD_ROOT/NAME/regress. pg_regress
# is called directly with its own output folder, so nothing is written into
# the repository or rebuilt there. Prints "PASS FAIL".
hard_regress() {
    local name="$1" dir="$HARD_ROOT/$1" tests=() t rc=0 counts
    if [ -n "${HARD_TESTS:-}" ]; then
        read -r -a tests <<<"$HARD_TESTS"
    else
        for t in "$dir"/main/sql/[0-9][0-9]_*.sql; do tests+=("$(basename "$t" .sql)"); done
    fi
    rm -rf "$dir/regress"; mkdir -p "$dir/regress"
    (cd "$dir/main" && "$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress" \
        --inputdir=. --outputdir="$dir/regress" --bindir="$("$PG_CONFIG" --bindir)" \
        --load-extension=engage --host="$PGHOST" --port="$PGPORT" --user=postgres \
        "${tests[@]}") </dev/null >"$dir/regress/installcheck.log" 2>&1 || rc=$?
    counts="$(engage_count_regress "$dir/regress/installcheck.log")"
    read -r p f <<<"$counts"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    echo "$p $f"
}

# Run the pgTAP suites of NAME's snapshot against the running cluster, in a
# fresh database; log in $HARD_ROOT/NAME/pgtap.log. Prints "PASS FAIL".
hard_pgtap() {
    local name="$1" dir="$HARD_ROOT/$1" psql
    psql=(env PGOPTIONS="-c client_min_messages=warning" "$("$PG_CONFIG" --bindir)/psql" -X -q -v ON_ERROR_STOP=1)
    if ! "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS engage_tap" -c "CREATE DATABASE engage_tap" \
            </dev/null >/dev/null ||
       ! "${psql[@]}" -d engage_tap -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION engage' </dev/null; then
        echo "0 1"; return
    fi
    (cd "$dir/main" && ENGAGE_TAP_DB=engage_tap engage_run_pgtap "$dir/pgtap.log" test/pgtap/*.sql)
}

# Positive control: build $HARD_ROOT/NAME/probe.so (extra compiler flags
# CFLAGS), three C functions with deliberate memory errors the tools must
# report: a read past a palloc'd 64 kB chunk (its own malloc'd block), a
# branch on never-written palloc'd bytes, a write past a stack array.
hard_probe_build() {
    local dir="$HARD_ROOT/$1" cflags="$2"
    cat >"$dir/probe.c" <<'PROBE'
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(hard_probe_heap);
PG_FUNCTION_INFO_V1(hard_probe_uninit);
PG_FUNCTION_INFO_V1(hard_probe_stack);

/* Read byte N of a 64 kB palloc'd chunk (N >= 65536 overruns its block). */
Datum
hard_probe_heap(PG_FUNCTION_ARGS)
{
    volatile char *p = palloc(65536);

    PG_RETURN_INT32(p[PG_GETARG_INT32(0)]);
}

/* Branch on a byte of a fresh 64 kB chunk that was never written. */
Datum
hard_probe_uninit(PG_FUNCTION_ARGS)
{
    char *p = palloc(65536);

    if (p[PG_GETARG_INT32(0)] == 7)
        elog(NOTICE, "seven");
    PG_RETURN_INT32(0);
}

/* Write element N of an 8-byte stack array (N >= 8 overruns it). */
Datum
hard_probe_stack(PG_FUNCTION_ARGS)
{
    volatile char a[8] = {0};

    a[PG_GETARG_INT32(0) & 15] = 1;
    PG_RETURN_INT32(a[0]);
}
PROBE
    # shellcheck disable=SC2086  # CFLAGS is a list of flags
    gcc -O1 -g -fPIC -shared $cflags -I"$("$PG_CONFIG" --includedir-server)" \
        -o "$dir/probe.so" "$dir/probe.c" && chmod a+r "$dir/probe.so"
}

# Call the probe functions named (heap, uninit, stack) once each with an
# out-of-bounds or uninitialised index, each in its own session (a tool may
# end the backend). Needs a superuser (LANGUAGE C).
hard_probe_run() {
    local dir="$HARD_ROOT/$1" psql f arg
    shift
    psql=("$("$PG_CONFIG" --bindir)/psql" -X -q -d postgres)
    for f in "$@"; do
        case "$f" in heap) arg=65552 ;; uninit) arg=100 ;; stack) arg=8 ;; *) return 1 ;; esac
        # Created in the same session: crash recovery may lose an unflushed
        # commit (synchronous_commit = off).
        "${psql[@]}" -c "CREATE OR REPLACE FUNCTION hard_probe_$f(integer) RETURNS integer
                         AS '$dir/probe.so' LANGUAGE C STRICT" \
            -c "SELECT hard_probe_$f($arg)" </dev/null >/dev/null 2>&1 || true
        # A backend killed by the tool sends the server through crash recovery.
        for _ in $(seq 60); do "${psql[@]}" -c 'SELECT 1' </dev/null >/dev/null 2>&1 && break; sleep 1; done
    done
}
