#!/usr/bin/env bash
# The regression suite (and, with VG_PGTAP=1, the pgTAP suites) against a
# server running under valgrind memcheck. Passes when valgrind reports no
# error with an engage frame in its stack (invalid read/write, use of an
# uninitialised value, invalid free, overlap). Prints counts by kind.
#
#   test/hardening/valgrind.sh              # pg_regress suite only (slow: ~20-40x)
#   VG_PGTAP=1 test/hardening/valgrind.sh   # and the pgTAP suites
#   HARD_TESTS="01_nps 04_state_io" test/hardening/valgrind.sh   # some tests only
#
# Cluster `hard-vg` on port 54461 (VG_NAME, VG_PORT to change). It tests a
# snapshot of the tree (git HEAD; HARD_SOURCE=worktree for the working tree),
# built as usual (-O2 -g) and installed into a private copy of the PostgreSQL
# tree (test/hardening/pgtree.sh), not the system install.
# Limits: Debian's PostgreSQL is not built with USE_VALGRIND, so memcheck sees
# palloc'd memory only as whole malloc'd blocks of a memory context: reading
# or writing past a palloc'd chunk into the same block goes unseen; reads of
# never-written bytes (uninitialised) and overruns of whole blocks are seen.
# Leak checking is off (PostgreSQL frees memory contexts, not each chunk).
# Logs stay in $HARD_ROOT/<name>/ (vg/vg.PID.log, regress/, postgres.log).

# shellcheck source=test/hardening/pgtree.sh
. "$(dirname "${BASH_SOURCE[0]}")/pgtree.sh"

# Print "KIND|COUNT" lines for the valgrind logs in folder DIR: error blocks
# by kind; only those with a stack frame matching regex FRAMES if not empty,
# and none with a frame matching regex SKIP if given.
vg_count() {
    local dir="$1" frames="${2:-}" skip="${3:-}"
    cat "$dir"/vg.*.log 2>/dev/null | awk -v re="$frames" -v skip="$skip" '
        function flush() {
            if (kind != "" && (re == "" || hit) && !skipped) n[kind]++
            kind = ""; hit = 0; skipped = 0
        }
        # An error block starts with its title and ends at an empty "==PID== " line.
        /^==[0-9]+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Source and destination overlap|Mismatched free|Argument .* of function)/ {
            flush(); kind = $0; sub(/^==[0-9]+== /, "", kind)
            sub(/ of size [0-9]+/, "", kind); sub(/\(0x.*/, "", kind)
            next
        }
        /^==[0-9]+== +(at|by) 0x/ {
            if (re != "" && $0 ~ re) hit = 1
            if (skip != "" && $0 ~ skip) skipped = 1
            next
        }
        /^==[0-9]+== *$/ { flush() }
        END { flush(); for (k in n) printf "%s|%d\n", k, n[k] }' | sort
}

# Print COUNT|KIND lines as an indented list, or "none".
vg_print() {
    if [ -n "$1" ]; then printf '%s\n' "$1" | awk -F'|' '{ printf "  %6d  %s\n", $2, $1 }'
    else echo "  none"; fi
}

# The run: snapshot, build, cluster under valgrind, suites, counts.
vg_main() {
    local name="${VG_NAME:-hard-vg}" port="${VG_PORT:-54461}" dir vgdir t0 t1 t2 p f tp tf
    local all eng procs supp probe crashes
    dir="$HARD_ROOT/$name"; vgdir="$dir/vg"
    supp="$ENGAGE_REPO/test/hardening/valgrind.supp"
    engage_deps valgrind postgresql-15-pgtap || return 1
    trap 'hard_postmaster_stop "'"$name"'" 600 >/dev/null 2>&1 || true' EXIT
    engage_say "valgrind: snapshot and build into $dir"
    hard_snapshot "$name" && hard_build "$name" "" "" || return 1
    HARD_CONF="shared_buffers = 64MB
max_parallel_workers_per_gather = 2" hard_cluster_init "$name" "$port" || return 1
    rm -rf "$vgdir"; mkdir -p "$vgdir"; chmod 777 "$vgdir"
    t0="$(date +%s)"
    # Forked backends stay under valgrind; each process writes its own log.
    hard_postmaster_start 600 -- valgrind --quiet --trace-children=yes --leak-check=no \
        --track-origins=no --num-callers=40 --error-limit=no --fullpath-after= \
        --gen-suppressions=all --suppressions="$supp" --log-file="$vgdir/vg.%p.log" || return 1
    engage_say "valgrind: server up after $(($(date +%s) - t0)) s; running pg_regress"
    t1="$(date +%s)"
    read -r p f <<<"$(hard_regress "$name")"
    t2="$(date +%s)"
    tp=-; tf=-
    if [ "${VG_PGTAP:-0}" = 1 ]; then
        engage_say "valgrind: running the pgTAP suites"
        read -r tp tf <<<"$(hard_pgtap "$name")"
    fi
    local t3; t3="$(date +%s)"
    cp "$ENGAGE_LOG" "$dir/postgres.log"
    crashes="$(grep -c -E 'terminated by signal|PANIC:' "$dir/postgres.log")"
    # Positive control, after the suites: deliberate errors must be reported.
    hard_probe_build "$name" "" && hard_probe_run "$name" heap uninit ||
        engage_say "the positive control could not run"
    hard_postmaster_stop "$name" 600 || engage_say "postmaster did not stop cleanly"
    trap - EXIT
    procs="$(find "$vgdir" -name 'vg.*.log' | wc -l)"
    all="$(vg_count "$vgdir" "" "hard_probe_|engage[.]so|$dir/main/src/")"
    eng="$(vg_count "$vgdir" "engage[.]so|$dir/main/src/")"
    probe="$(vg_count "$vgdir" hard_probe_)"
    echo "== valgrind memcheck summary"
    echo "source:              $(cat "$dir/source")"
    echo "pg_regress:          $p passed, $f failed ($((t2 - t1)) s under valgrind)"
    echo "pgTAP:               $tp passed, $tf failed ($((t3 - t2)) s)"
    echo "processes traced:    $procs"
    echo "errors with an engage frame:"; vg_print "$eng"
    echo "errors elsewhere (PostgreSQL, libraries; after valgrind.supp):"; vg_print "$all"
    echo "positive control (a deliberate heap overrun and uninitialised read, must be 2):"; vg_print "$probe"
    echo "crashes in server log: $crashes"
    echo "logs: $vgdir"
    [ -z "$eng" ] && [ "$f" -eq 0 ] && [ "$crashes" -eq 0 ] &&
        [ "$(printf '%s\n' "$probe" | awk -F'|' '{ s += $2 } END { print s + 0 }')" -eq 2 ]
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    vg_main
fi
