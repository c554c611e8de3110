#!/usr/bin/env bash
# The demo command: build, install, start the `demo` cluster (left running, with
# pg_cron), load test/demo/load.sql into database engage_demo, run
# test/demo/report.sql, then schedule the view's refresh (test/demo/cron.sql).
#   test/demo.sh          start (or restart) the demo
#   test/demo.sh stop     stop the demo cluster
#   test/demo.sh info     print how to connect and how to stop
set -euo pipefail
# shellcheck source=test/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ENGAGE_REPO"

DB=engage_demo
STOP_CMD="test/demo.sh stop"

case "${1:-start}" in
    stop)
        engage_cluster_stop demo
        echo "demo cluster stopped"
        exit 0 ;;
    info)
        engage_cluster_hint demo "$DB" "$STOP_CMD"
        exit 0 ;;
    start) ;;
    *)
        echo "usage: test/demo.sh [start|stop|info]" >&2
        exit 2 ;;
esac

for f in test/demo/load.sql test/demo/report.sql test/demo/cron.sql; do
    if [ ! -f "$f" ]; then
        echo "demo: $f does not exist yet; nothing to demo" >&2
        exit 1
    fi
done

engage_deps postgresql-15-cron
engage_build
# pg_cron keeps its jobs in database postgres and runs them in background
# workers (the same settings as test/test.sh; see docs/production.md).
export ENGAGE_EXTRA_CONF="shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 16"
engage_cluster_start demo
# If a step below fails, the cluster is left up: say how to reach and stop it.
trap '[ $? -eq 0 ] || engage_cluster_hint demo "$DB" "$STOP_CMD" >&2' EXIT

psql=(env PGOPTIONS="-c client_min_messages=warning" "$(engage_pgbin)/psql" -X -v ON_ERROR_STOP=1)
"${psql[@]}" -q -d postgres -c "DROP DATABASE IF EXISTS $DB" \
    -c "CREATE DATABASE $DB" -c "CREATE EXTENSION pg_cron" </dev/null
"${psql[@]}" -q -d "$DB" -c 'CREATE EXTENSION engage' \
    -c "ALTER DATABASE $DB SET search_path = \"\$user\", public, engage" </dev/null
echo "== loading test/demo/load.sql"
"${psql[@]}" -q -d "$DB" -f test/demo/load.sql </dev/null
echo "== running test/demo/report.sql"
"$(engage_pgbin)/psql" -X -d "$DB" -f test/demo/report.sql </dev/null
# The job table lives in database postgres; the job runs in $DB.
"$(engage_pgbin)/psql" -X -d postgres -v db="$DB" -f test/demo/cron.sql </dev/null

echo
echo "The demo cluster is still running."
engage_cluster_hint demo "$DB" "$STOP_CMD"
