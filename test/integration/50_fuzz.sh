#!/usr/bin/env bash
# Coverage-guided fuzzing of every value engage reads from outside: the text
# input and binary receive of each state type and the deserialize function of
# each internal aggregate state (test/fuzz/fuzz_io.c, libFuzzer with ASan and
# UBSan, backend stand-ins in test/fuzz/pg_stubs.c).  Builds the harness,
# replays the seed corpus (values built by a real server, and the inputs of
# fixed bugs), checks that the oracle can fail, then fuzzes for FUZZ_SECONDS
# (default 45).  Needs clang-14 and libclang-rt-14-dev; no cluster.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../lib.sh"
. "$here/tap.sh"
repo="$ENGAGE_REPO"
secs="${FUZZ_SECONDS:-45}"
ntargets=36
mkdir -p "$repo/.run/fuzz"

bin="$("$repo/test/fuzz/build.sh" 2>"$repo/.run/fuzz-build.log")"
tap_ok $? "harness builds with clang-14 (-fsanitize=fuzzer,address,undefined)"
if [ ! -x "${bin:-/nonexistent}" ]; then
    tap_diag "$(tail -n 20 "$repo/.run/fuzz-build.log")"
    tap_done
fi

# Replay every seed once: no crash, and every target is reached.
replay="$repo/.run/fuzz/replay.log"
"$bin" "$repo"/test/fuzz/corpus/* >"$replay" 2>&1
tap_ok $? "the $(ls "$repo/test/fuzz/corpus" | wc -l) seeds (and the fixed bugs' inputs) run without a crash"
reached="$(awk '$1 == "fuzz-target" && $5 > 0' "$replay" | wc -l)"
tap_is "$reached" "$ntargets" "every target is reached by a seed (text input, receive, deserialize)"
# Seeds were built by a real server: the harness must accept them for every target.
accepting="$(awk '$1 == "fuzz-target" && $7 > 0' "$replay" | wc -l)"
tap_is "$accepting" "$ntargets" "every target accepts the values a real server wrote, and they round trip"
rejecting="$(awk '$1 == "fuzz-target" && $2 == "text" && $9 > 0' "$replay" | wc -l)"
tap_is "$rejecting" 12 "the invalid literals of the SQL tests are rejected by every type's text input"

# The oracle can fail: with 22P02 declared undocumented, an invalid literal is a crash.
bad="$(ls "$repo"/test/fuzz/corpus/00-* | head -n 200)"
FUZZ_DISALLOW=22P02 "$bin" $bad >"$repo/.run/fuzz/selftest.log" 2>&1
rc=$?
grep -q "undocumented SQLSTATE 22P02" "$repo/.run/fuzz/selftest.log"
tap_ok $(( rc != 0 && $? == 0 ? 0 : 1 )) "an undocumented SQLSTATE is reported as a crash (oracle self-test)"

# Fuzz.
runlog="$repo/.run/fuzz/run.log"
FUZZ_RUN_DIR="$repo/.run/fuzz/test" "$repo/test/fuzz/run.sh" "$secs" >"$runlog" 2>&1
tap_ok $? "fuzzing for $secs s finds no crash, leak, timeout or sanitizer report"
execs="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$runlog")"
tap_ok $(( ${execs:-0} >= 20000 ? 0 : 1 )) "fuzzing ran at least 20000 inputs (${execs:-0})"
cov="$(sed -n 's/.*DONE *cov: \([0-9]*\).*/\1/p' "$runlog" | tail -n 1)"
tap_diag "executions ${execs:-?}, coverage ${cov:-?} edges; $(grep -c '^fuzz-target' "$runlog") targets"
if grep -q FAILED "$runlog"; then tap_diag "$(grep -v '^fuzz-target' "$runlog" | tail -n 20)"; fi
tap_done
