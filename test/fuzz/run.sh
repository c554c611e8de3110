#!/usr/bin/env bash
# Fuzz engage's text input, binary receive and deserialize functions for
# SECONDS (default 60) with libFuzzer, on a copy of test/fuzz/corpus in
# $FUZZ_RUN_DIR/corpus (default .run/fuzz/run; the repository's corpus is
# never modified).
# Usage: test/fuzz/run.sh [seconds] [extra libFuzzer flags...]
# Prints the executions, the coverage and the per-target counters; crash,
# leak and timeout inputs land in $FUZZ_RUN_DIR/artifacts/ and are listed.
# Exit status: 0 when no crash was found, 1 otherwise.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
secs="${1:-60}"
shift || true
out="${FUZZ_RUN_DIR:-$repo/.run/fuzz/run}"
bin="$("$repo/test/fuzz/build.sh")" || exit 1

# A fresh working corpus each run, seeded from the repository's.
rm -rf "$out/corpus" "$out/artifacts" "$out/fuzz.log"
mkdir -p "$out/corpus" "$out/artifacts"
cp "$repo"/test/fuzz/corpus/* "$out/corpus/"

# One job per run; -max_len 4096 keeps inputs small, -timeout flags hangs;
# the dictionary holds the text forms' tokens.
log="$out/fuzz.log"
"$bin" "$out/corpus" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=4096 \
    -timeout=10 -print_final_stats=1 -dict="$repo/test/fuzz/fuzz_io.dict" -artifact_prefix="$out/artifacts/" "$@" >"$log" 2>&1
rc=$?

grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)' "$log"
grep -E '^#[0-9]+.*(INITED|DONE)' "$log" | tail -n 2
grep -E '^fuzz-target ' "$log"
crashes="$(find "$out/artifacts" -type f | sort)"
if [ "$rc" -ne 0 ] || [ -n "$crashes" ]; then
    echo "FAILED (exit $rc); inputs:"
    printf '  %s\n' $crashes
    grep -E '^(==[0-9]+==ERROR|\*\*\*|SUMMARY|fuzz harness:|ereport|.*runtime error)' "$log" | head -n 20
    echo "log: $log"
    exit 1
fi
echo "corpus: $(find "$out/corpus" -type f | wc -l) inputs ($(ls "$repo/test/fuzz/corpus" | wc -l) seeds); no crash"
