#!/usr/bin/env bash
# Benchmark of the BG/NBD fit (issue 4). It is now a part of test/bench.sh,
# which this runs: the same as `test/bench.sh models` (bench cluster on port
# 54414, table in .run/logs/bench/models.md). See test/bench.sh and
# docs/benchmarks.md.
#
#   test/bench/models.sh                               1M customers
#   BENCH_CUSTOMERS=200000 test/bench/models.sh        quick run
#
# BENCH_CUSTOMERS is kept as another name of BENCH_MODELS_CUSTOMERS; every
# other setting is test/bench.sh's (BENCH_ROUNDS, BENCH_KEEP, ENGAGE_PORT...).
set -euo pipefail
if [ -n "${BENCH_CUSTOMERS:-}" ]; then export BENCH_MODELS_CUSTOMERS="$BENCH_CUSTOMERS"; fi
exec "$(dirname "${BASH_SOURCE[0]}")/../bench.sh" models "$@"
