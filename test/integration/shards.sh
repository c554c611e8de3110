#!/usr/bin/env bash
# Shared by 40_fdw.sh and 41_plproxy.sh: two shard clusters on 127.0.0.1 and
# the helpers to reach them. Source it after setting DB (the test database on
# every node), SHARDS (two cluster names), PORTS (their ports) and PSQL.

# Stop and remove the shard clusters, drop the test database on the coordinator.
cleanup() {
    local s dir
    for s in "${SHARDS[@]}"; do
        dir="$(engage_cluster_dir "$s")"
        engage_cluster_stop "$s" >/dev/null 2>&1 || true
        case "$dir" in */.run/"$s"|/tmp/engage-"$s".*) rm -rf "$dir" ;; esac
        rm -f "$ENGAGE_REPO/.run/$s.path"
    done
    "$PSQL" -XAtq -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# Stop the script: the plan line makes the harness count it as failed.
bail() { echo "Bail out! $*"; exit 1; }

# Run SQL on database DB of shard N (0 or 1) over TCP on 127.0.0.1.
shard_db() {
    local n="$1" db="$2"; shift 2
    "$PSQL" -XAtq -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${PORTS[$n]}" -U postgres -d "$db" "$@"
}

# Run SQL on the test database of shard N.
shard() { local n="$1"; shift; shard_db "$n" "$DB" "$@"; }

# Print plain SQL for the text of the NPS state of the responses matching
# the condition $1 (e.g. "WHERE segment = 'smb'", or empty): one count per score.
plain_nps() {
    echo "SELECT 'v1:0..10:>=9:[' || string_agg(coalesce(c, 0)::text, ',' ORDER BY v) || ']'
          FROM generate_series(0, 10) v
          LEFT JOIN (SELECT score, count(*) AS c FROM responses $1 GROUP BY score) k ON k.score = v"
}

# Start both shard clusters (TCP on 127.0.0.1 only), in parallel.
shards_start() {
    local n p pids=() started=0
    for n in 0 1; do
        ( ENGAGE_PORT="${PORTS[$n]}" ENGAGE_EXTRA_CONF="listen_addresses = '127.0.0.1'
shared_buffers = 32MB" engage_cluster_start "${SHARDS[$n]}" ) >/dev/null &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || started=1; done    # both finish before any bail
    [ "$started" -eq 0 ] || bail "a shard cluster did not start"
}

# The same table definitions on every node.
TABLES="
CREATE TABLE responses (customer_id bigint NOT NULL, segment text NOT NULL,
                        score integer, csat integer, effort integer);
CREATE TABLE page_views (user_id bigint NOT NULL, ts timestamptz NOT NULL, converted boolean);"
