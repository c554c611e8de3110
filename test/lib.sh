#!/usr/bin/env bash
# Shared helpers for test/test.sh and test/demo.sh. Source it; do not run it.
# Every function returns non-zero on error itself (callers may use `if !`,
# where `set -e` is off), and none reads standard input.

ENGAGE_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${PG_CONFIG:=/usr/lib/postgresql/15/bin/pg_config}"
export PG_CONFIG
ENGAGE_LOGS="$ENGAGE_REPO/.run/logs"
ENGAGE_PKGS=(postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap
    libtap-parser-sourcehandler-pgtap-perl make gcc)
# What the test command needs on top (scheduler, sharding, clients, fuzzer).
ENGAGE_TEST_PKGS=(postgresql-15-cron postgresql-15-plproxy python3-psycopg2
    clang-14 libclang-rt-14-dev sqlsmith)

# Print a message to stderr, prefixed so it stands out from tool output.
engage_say() { printf '== %s\n' "$*" >&2; }

# Run a command as root: directly when root, else through sudo.
engage_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else engage_say "need root for: $*  (no sudo found)"; return 1; fi
}

# Run a command as the cluster owner: `postgres` when root, else ourselves
# (from / so that postgres never lands in an unreadable cwd; paths are absolute).
engage_as_pg() {
    if [ "$(id -u)" -ne 0 ]; then "$@"
    elif command -v runuser >/dev/null 2>&1; then (cd / && runuser -u postgres -- "$@")
    else (cd / && su postgres -s /bin/sh -c "$(printf '%q ' "$@")"); fi
}

# Print the PostgreSQL binary folder, from $PG_CONFIG.
engage_pgbin() { "$PG_CONFIG" --bindir; }

# Install the Debian packages the build needs, and the extra PACKAGES named,
# if any is missing.
engage_deps() {
    local missing=() p st
    for p in "${ENGAGE_PKGS[@]}" "$@"; do
        st="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
        [ "$st" = "install ok installed" ] || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    mkdir -p "$ENGAGE_LOGS" || return 1
    engage_say "installing: ${missing[*]}"
    if ! { engage_as_root apt-get update &&
           engage_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y \
               --no-install-recommends "${missing[@]}"; } \
           </dev/null >"$ENGAGE_LOGS/apt.log" 2>&1; then
        tail -n 40 "$ENGAGE_LOGS/apt.log" >&2
        engage_say "package install failed (log: $ENGAGE_LOGS/apt.log)"
        return 1
    fi
}

# Build and install the extension; make output goes to .run/logs/build.log.
# Two runs at once (a demo beside the tests) take turns through a lock file.
engage_build() {
    local lock="$ENGAGE_REPO/.run/build.lock"
    mkdir -p "$ENGAGE_REPO/.run" || return 1
    if command -v flock >/dev/null 2>&1; then
        (flock 9 && engage_build_locked) 9>"$lock"
    else
        engage_build_locked
    fi
}

# engage_build without the lock.
engage_build_locked() {
    local log="$ENGAGE_LOGS/build.log"
    mkdir -p "$ENGAGE_LOGS" || return 1
    : >"$log"
    if ! make -C "$ENGAGE_REPO" -j"$(nproc 2>/dev/null || echo 2)" \
            PG_CONFIG="$PG_CONFIG" </dev/null >>"$log" 2>&1; then
        cat "$log" >&2; engage_say "build failed (log: $log)"; return 1
    fi
    if ! engage_as_root make -C "$ENGAGE_REPO" install PG_CONFIG="$PG_CONFIG" \
            </dev/null >>"$log" 2>&1; then
        cat "$log" >&2; engage_say "make install failed (log: $log)"; return 1
    fi
    # Warnings do not stop the build, but they should be seen.
    grep -E 'warning:' "$log" >&2 || true
    return 0
}

# Print the default port of a cluster name (ENGAGE_PORT wins).
engage_port() {
    if [ -n "${ENGAGE_PORT:-}" ]; then echo "$ENGAGE_PORT"; return; fi
    case "$1" in demo) echo 54330 ;; *) echo 54329 ;; esac
}

# Print the folder of cluster NAME (recorded at start in .run/NAME.path).
engage_cluster_dir() {
    local rec="$ENGAGE_REPO/.run/$1.path"
    if [ -f "$rec" ]; then cat "$rec"; else echo "$ENGAGE_REPO/.run/$1"; fi
}

# Export PGHOST/PGPORT/PGUSER/PGDATABASE and ENGAGE_* for cluster NAME at DIR.
engage_cluster_env() {
    local dir="$2"
    export ENGAGE_CLUSTER="$1" ENGAGE_DIR="$dir" ENGAGE_DATA="$dir/data"
    export ENGAGE_SOCK="$dir/sock" ENGAGE_LOG="$dir/postgres.log"
    export PGHOST="$dir/sock" PGUSER=postgres PGDATABASE=postgres
    if [ -f "$dir/port" ]; then PGPORT="$(cat "$dir/port")"
    else PGPORT="$(engage_port "$1")"; fi
    export PGPORT
}

# Start a fresh throwaway cluster NAME (old one stopped and wiped first).
engage_cluster_start() {
    local name="$1" port bin dir
    port="$(engage_port "$name")"
    bin="$(engage_pgbin)" || { engage_say "no pg_config at $PG_CONFIG"; return 1; }
    engage_cluster_stop "$name" >/dev/null 2>&1 || true
    dir="$(engage_cluster_dir "$name")"
    case "$dir" in /tmp/engage-"$name".*) rm -rf "$dir" ;; esac
    dir="$ENGAGE_REPO/.run/$name"
    rm -rf "$dir" "$ENGAGE_REPO/.run/$name.path"
    mkdir -p "$ENGAGE_REPO/.run" && chmod 755 "$ENGAGE_REPO/.run" || return 1
    # A socket path is limited to ~107 bytes, and `postgres` must reach it.
    if [ "${#dir}" -gt 80 ] ||
       { [ "$(id -u)" -eq 0 ] && ! engage_as_pg test -x "$ENGAGE_REPO/.run"; }; then
        dir="$(mktemp -d "/tmp/engage-$name.XXXXXX")" || return 1
        chmod 755 "$dir"
    fi
    mkdir -p "$dir/sock" || return 1
    echo "$dir" >"$ENGAGE_REPO/.run/$name.path"
    echo "$port" >"$dir/port"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$dir" || return 1; fi
    if ! engage_as_pg "$bin/initdb" -D "$dir/data" --auth=trust -U postgres \
            --no-sync -E UTF8 --locale=C </dev/null >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2; engage_say "initdb failed"; return 1
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF

# --- engage throwaway cluster ($name) ---
listen_addresses = ''
unix_socket_directories = '$dir/sock'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
max_worker_processes = 8
max_parallel_workers = 8
max_parallel_workers_per_gather = 2
shared_buffers = 256MB
EOF
    # Extra settings from the caller (e.g. shared_preload_libraries for pg_cron).
    if [ -n "${ENGAGE_EXTRA_CONF:-}" ]; then
        printf '%s\n' "$ENGAGE_EXTRA_CONF" >>"$dir/data/postgresql.conf"
    fi
    if ! engage_as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" \
            -w -t 60 start </dev/null >"$dir/pg_ctl.log" 2>&1; then
        cat "$dir/pg_ctl.log" >&2; tail -n 30 "$dir/postgres.log" >&2 || true
        engage_say "cluster $name did not start (port $port busy? set ENGAGE_PORT)"
        return 1
    fi
    engage_cluster_env "$name" "$dir"
}

# Stop cluster NAME if it runs (fast mode); safe to call twice.
engage_cluster_stop() {
    local name="$1" dir bin
    dir="$(engage_cluster_dir "$name")"
    [ -f "$dir/data/postmaster.pid" ] || return 0
    bin="$(engage_pgbin 2>/dev/null)" || bin=/usr/lib/postgresql/15/bin
    engage_as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop </dev/null ||
        { engage_say "could not stop cluster $name ($dir)"; return 1; }
}

# Print how to connect to cluster NAME with psql, and the STOP_CMD to end it.
engage_cluster_hint() {
    local name="$1" db="${2:-postgres}" stop="$3" dir port
    dir="$(engage_cluster_dir "$name")"
    port="$(cat "$dir/port" 2>/dev/null || engage_port "$name")"
    echo "connect: psql -h $dir/sock -p $port -U postgres $db"
    echo "stop:    $stop"
}

# Print "PASS FAIL" for a pg_regress log (PG15 `... ok`/`FAILED`, PG16+ TAP).
engage_count_regress() {
    awk '
        /^not ok [0-9]+/                                 { f++; next }
        /^ok [0-9]+/                                     { p++; next }
        /^(test )? *[^ ]+ +\.\.\. +(FAILED|failed)/      { f++; next }
        /^(test )? *[^ ]+ +\.\.\. +ok( |$)/              { p++; next }
        END { printf "%d %d\n", p, f }' "$1"
}

# Print "PASS FAIL" for verbose pg_prove output; SKIP and TODO count as
# passed, and a file that failed with no `not ok` (died, bad plan) counts as 1.
engage_count_tap() {
    awk '
        /^not ok [0-9]*/ { if (tolower($0) ~ /#[ \t]*todo/) p++; else f++; next }
        /^ok [0-9]*/     { p++; next }
        /^[^ #].* \(Wstat: .* Failed: 0\)$/ { f++; next }
        END { printf "%d %d\n", p, f }' "$1"
}

# Run pg_prove on FILES into LOG; print "PASS FAIL" (a non-zero exit counts).
engage_run_pgtap() {
    local log="$1" rc=0 counts p f; shift
    "$(command -v pg_prove)" --verbose --psql-bin "$(engage_pgbin)/psql" \
        -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "${ENGAGE_TAP_DB:-$PGDATABASE}" \
        "$@" </dev/null >"$log" 2>&1 || rc=$?
    counts="$(engage_count_tap "$log")"
    read -r p f <<<"$counts"
    # A died file or bad plan must not pass silently.
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    echo "$p $f"
}
