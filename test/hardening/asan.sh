#!/usr/bin/env bash
# engage built with AddressSanitizer, loaded into a stock PostgreSQL 15 server
# (libasan preloaded into the postmaster), running the regression suite, the
# pgTAP suites and the targeted random calls of test/hardening/sqlsmith.sh.
# Passes when ASan reports nothing and the suites pass.
#
#   test/hardening/asan.sh                   # everything (ASAN_PGTAP=0, ASAN_CALLS=0 to skip)
#
# Cluster `hard-asan` on port 54462 (ASAN_NAME, ASAN_PORT to change). It tests
# a snapshot of the tree (git HEAD; HARD_SOURCE=worktree for the working
# tree) built with -fsanitize=address and installed into a private copy of
# the PostgreSQL tree (test/hardening/pgtree.sh), not the system install.
# Limits: the server itself is not instrumented, and PostgreSQL hands out
# palloc'd chunks from larger malloc'd blocks, so ASan sees an overrun of a
# palloc'd chunk only when it leaves the block (chunks over 8 kB have their
# own block); overruns of engage's stack and global arrays are all seen.
# Leak detection is off (memory contexts are freed as a whole).
# Reports: $HARD_ROOT/<name>/asan/asan.PID.

# shellcheck source=test/hardening/pgtree.sh
. "$(dirname "${BASH_SOURCE[0]}")/pgtree.sh"
# shellcheck source=test/hardening/sqlsmith.sh
. "$ENGAGE_REPO/test/hardening/sqlsmith.sh"

# Build DIR/asan_first.so, preloaded after libasan. libasan, preloaded into a
# program not built with it, starts at the first malloc; when that happens in
# a library constructor holding a glibc locale lock (libgpg-error's
# bindtextdomain, p11-kit's newlocale), ASan's start-up (dlerror, dcgettext)
# takes that lock again and the process hangs. These wrappers make the first
# call of each such function allocate before it locks.
asan_shim() {
    local dir="$1"
    cat >"$dir/asan_first.c" <<'SHIM'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <locale.h>
#include <stdlib.h>

/* Start ASan (its first malloc) outside any glibc lock; volatile, so that
 * the compiler keeps the malloc/free pair. */
static void asan_first(void)
{
    static int done;
    void *volatile p;

    if (done) return;
    done = 1;
    p = malloc(1);
    free(p);
}

#define WRAP(ret, name, params, args) \
    ret name params \
    { \
        static ret (*real) params; \
        asan_first(); \
        if (!real) real = (ret (*) params) dlsym(RTLD_NEXT, #name); \
        return real args; \
    }

WRAP(locale_t, newlocale, (int mask, const char *locale, locale_t base), (mask, locale, base))
WRAP(char *, setlocale, (int category, const char *locale), (category, locale))
WRAP(char *, bindtextdomain, (const char *domain, const char *dir), (domain, dir))
WRAP(char *, bind_textdomain_codeset, (const char *domain, const char *codeset), (domain, codeset))
SHIM
    gcc -shared -fPIC -O2 -o "$dir/asan_first.so" "$dir/asan_first.c" -ldl
}

# Print the number of ASan reports in folder DIR, only in report files
# matching regex MATCH if not empty, and none matching regex SKIP if given.
asan_count() {
    local dir="$1" match="${2:-}" skip="${3:-}" f n=0
    for f in "$dir"/asan.*; do
        [ -e "$f" ] || continue
        if [ -n "$match" ] && ! grep -q -E "$match" "$f"; then continue; fi
        if [ -n "$skip" ] && grep -q -E "$skip" "$f"; then continue; fi
        n=$((n + $(grep -c 'ERROR: AddressSanitizer' "$f")))
    done
    echo "$n"
}

# The run: snapshot, ASan build, cluster with libasan preloaded, suites, report.
asan_main() {
    local name="${ASAN_NAME:-hard-asan}" port="${ASAN_PORT:-54462}" dir adir lib t0 t1 t2 t3
    local p f tp=- tf=- all eng probe crashes calls="${ASAN_CALLS:-5}"
    dir="$HARD_ROOT/$name"; adir="$dir/asan"
    engage_deps postgresql-15-pgtap || return 1
    lib="$(readlink -f "$(gcc -print-file-name=libasan.so)")"
    [ -f "$lib" ] || { engage_say "no libasan for gcc (install libasan8)"; return 1; }
    trap 'hard_postmaster_stop "'"$name"'" 300 >/dev/null 2>&1 || true' EXIT
    engage_say "asan: snapshot and build into $dir"
    hard_snapshot "$name" &&
        hard_build "$name" "-fsanitize=address -fno-omit-frame-pointer" "-fsanitize=address" || return 1
    if ! readelf -d "$dir/pg$(dirname "$("$PG_CONFIG" --bindir)")/lib/engage.so" | grep -q libasan; then
        engage_say "engage.so is not linked with libasan"; return 1
    fi
    HARD_CONF="track_activity_query_size = 65536" hard_cluster_init "$name" "$port" || return 1
    rm -rf "$adir"; mkdir -p "$adir"; chmod 777 "$adir"
    asan_shim "$dir" || return 1
    # abort_on_error: a report kills the backend, so the suites see it too.
    hard_postmaster_start 120 LD_PRELOAD="$lib $dir/asan_first.so" \
        ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:disable_coredump=1:log_path=$adir/asan:verify_asan_link_order=0" \
        || return 1
    t0="$(date +%s)"
    read -r p f <<<"$(hard_regress "$name")"
    t1="$(date +%s)"
    if [ "${ASAN_PGTAP:-1}" = 1 ]; then read -r tp tf <<<"$(hard_pgtap "$name")"; fi
    t2="$(date +%s)"
    if [ "$calls" -gt 0 ]; then
        engage_say "asan: targeted random calls ($calls per routine)"
        mkdir -p "$dir/calls"
        smith_setup && smith_targeted "$calls" 50 300 1 "$dir/calls" ||
            engage_say "targeted calls could not run"
    fi
    t3="$(date +%s)"
    cp "$ENGAGE_LOG" "$dir/postgres.log"
    crashes="$(grep -c -E "$SMITH_CRASH_RE" "$dir/postgres.log")"
    # Positive control, after the suites: deliberate errors must be reported.
    hard_probe_build "$name" "-fsanitize=address -fno-omit-frame-pointer" &&
        hard_probe_run "$name" heap stack || engage_say "the positive control could not run"
    hard_postmaster_stop "$name" 300 || engage_say "postmaster did not stop cleanly"
    trap - EXIT
    all="$(asan_count "$adir" "" hard_probe_)"
    eng="$(asan_count "$adir" "engage[.]so|$dir/main/src/" hard_probe_)"
    probe="$(asan_count "$adir" hard_probe_)"
    echo "== AddressSanitizer summary"
    echo "source:                 $(cat "$dir/source")"
    echo "pg_regress:             $p passed, $f failed ($((t1 - t0)) s)"
    echo "pgTAP:                  $tp passed, $tf failed ($((t2 - t1)) s)"
    if [ "$calls" -gt 0 ] && [ -f "$dir/calls/calls" ]; then
        awk -F'|' '{ r[$1] = 1; n += $3 } END { printf "targeted calls:         %d routines and types, %d statements", length(r), n }' \
            "$dir/calls/calls"
        echo " ($((t3 - t2)) s); lost connections: $(wc -l <"$dir/calls/calls.crashed")"
    fi
    echo "ASan reports:           $all ($eng with an engage frame)"
    echo "positive control:       $probe reports of 2 deliberate overruns (heap block, stack array)"
    echo "crashes in server log:  $crashes"
    echo "reports: $adir"
    [ "$all" -eq 0 ] && [ "$crashes" -eq 0 ] && [ "$f" -eq 0 ] && [ "$probe" -eq 2 ] &&
        { [ "$tf" = - ] || [ "$tf" -eq 0 ]; }
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    asan_main
fi
