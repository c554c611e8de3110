#!/usr/bin/env bash
# Feed COUNT random and mutated literals of every engage state type through
# the real server's text input (test/fuzz/literals.sql), in a fresh database
# that is dropped at the end.  Connects with PGHOST/PGPORT/PGUSER; engage must
# be installed.
# Usage: test/fuzz/literals.sh [count=1000000] [seed=1]
# Prints per-type and per-SQLSTATE counts, the anchors' outcomes, the
# unexpected outcomes (up to 20) and a verdict line:
#   literals: N tried in S s, U unexpected, server restarted: no
# Exit status 0 when every rejection had a documented SQLSTATE, every
# accepted value round tripped, and the server did not restart.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
count="${1:-1000000}"
seed="${2:-1}"
batch=10000
[ "$count" -lt "$batch" ] && batch="$count"
batches=$(( (count + batch - 1) / batch ))
db="engage_fuzz_lit_$$"
psql=(psql -X -q -v ON_ERROR_STOP=1)

"${psql[@]}" -d postgres -c "CREATE DATABASE $db" || exit 1
trap '"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
"${psql[@]}" -d "$db" -c "CREATE EXTENSION engage" || exit 1
# A backend crash restarts every server process but not the postmaster:
# compare the checkpointer's start too.
since="SELECT pg_postmaster_start_time() || ' ' || coalesce((SELECT backend_start::text
    FROM pg_stat_activity WHERE backend_type = 'checkpointer'), '?')"
before="$("${psql[@]}" -d postgres -Atc "$since")"

start=$(date +%s%N)
out="$("${psql[@]}" -d "$db" -v seed="$seed" -v batches="$batches" -v batch_size="$batch" \
    -f "$here/literals.sql" 2>&1)"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
after="$("${psql[@]}" -d postgres -Atc "$since" 2>/dev/null)"

printf '%s\n' "$out" | grep -E '^(type|sqlstate|total|unexpected|bad|anchor|psql|ERROR|FATAL|server)'
restarted=no
[ "$before" = "$after" ] || restarted=yes
unexpected="$(printf '%s\n' "$out" | sed -n 's/^unexpected \([0-9]*\)$/\1/p')"
tried="$(printf '%s\n' "$out" | sed -n 's/^total tried \([0-9]*\) .*/\1/p')"
printf 'literals: %s tried in %d.%d s, %s unexpected, server restarted: %s\n' \
    "${tried:-0}" $((ms / 1000)) $((ms % 1000 / 100)) "${unexpected:-?}" "$restarted"
# Anchors must give their known outcome.
anchors_bad="$(printf '%s\n' "$out" | awk '$1 == "anchor" && $3 != $4' | wc -l)"
[ "$rc" -eq 0 ] && [ "$restarted" = no ] && [ "${unexpected:-1}" = 0 ] && [ "$anchors_bad" -eq 0 ] &&
    [ "${tried:-0}" -ge "$count" ]
