#!/usr/bin/env bash
# Source coverage of engage's code by a fuzz corpus: builds the coverage
# flavor of the harness (FUZZ_COVERAGE=1 build.sh), runs every input of
# CORPUS_DIR once (default: the last run.sh corpus, else test/fuzz/corpus)
# and prints llvm-cov's per-file report for the files that read values.
# Usage: test/fuzz/coverage.sh [corpus_dir]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${1:-$repo/.run/fuzz/run/corpus}"
[ -d "$dir" ] || dir="$repo/test/fuzz/corpus"
llvm=/usr/lib/llvm-14/bin
bin="$(FUZZ_COVERAGE=1 "$repo/test/fuzz/build.sh")"
cov="$(dirname "$bin")"
rm -f "$cov"/*.profraw
LLVM_PROFILE_FILE="$cov/fuzz.profraw" "$bin" -runs=0 "$dir" >"$cov/replay.log" 2>&1
"$llvm/llvm-profdata" merge -sparse "$cov"/*.profraw -o "$cov/fuzz.profdata"
echo "corpus: $dir ($(find "$dir" -type f | wc -l) inputs)"
# The files holding the text/binary I/O and the (de)serializers.
files=(hist.c state.c flow_series_io.c flow_series.c revenue_io.c activity_io.c activity_bits.c
    model_value.c patterns.c rates.c sessions_io.c sessions_collect.c page_stats.c funnel_io.c
    funnel_keyed.c resolution_io.c duration.c clv.c rfm.c)
"$llvm/llvm-cov" report "$bin" -instr-profile="$cov/fuzz.profdata" \
    "${files[@]/#/$repo/src/}" | sed "s|$repo/src/||"
# Per function, the readers and their checks: line coverage.
echo
echo "functions that read or check values: lines and branches covered"
"$llvm/llvm-cov" report "$bin" -instr-profile="$cov/fuzz.profdata" -show-functions \
    "${files[@]/#/$repo/src/}" |
    awk '$1 ~ /(_in|_out|_recv|_send|serialize|deserialize|_parse|_read[a-z_]*|_expect|problem|check[a-z_]*|_datum|_payload|_entries|_sum|_state)$/ && NF >= 10 {
        n = $1; sub(/^.*:/, "", n)
        printf "  %-36s lines %4s/%-4s branches %4s/%-4s\n", n, $5 - $6, $5, $8 - $9, $8 }'
