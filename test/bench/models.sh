#!/usr/bin/env bash
# Benchmark of the BG/NBD fit (issue 4): from raw transactions to fitted
# parameters inside PostgreSQL, against the way a data scientist does it
# today, measured in the same run: export the transactions with psql \copy,
# read them with pandas, summarise per customer, fit the same likelihood with
# SciPy's minimize (test/bench/bgnbd_scipy.py).  Also the CDNOW fit time.
# A benchmark, not a test: it asserts nothing and prints a table.
#
#   test/bench/models.sh                               1M customers
#   BENCH_CUSTOMERS=200000 test/bench/models.sh        quick run
#
# Environment:
#   BENCH_CUSTOMERS   simulated customers                  (1000000)
#   BENCH_ROUNDS      rounds of the in-database fit         (3; median shown)
#   BENCH_KEEP=1      leave the cluster running afterwards
#   ENGAGE_PORT       port of the bench cluster            (54443)
# Installs python3-scipy and python3-pandas with apt-get when missing.
# Logs and the data file go to .run/logs/bench_models/.
set -euo pipefail
# shellcheck source=test/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ENGAGE_REPO"

BENCH_CUSTOMERS="${BENCH_CUSTOMERS:-1000000}"
BENCH_ROUNDS="${BENCH_ROUNDS:-3}"
BENCH_KEEP="${BENCH_KEEP:-0}"
export ENGAGE_PORT="${ENGAGE_PORT:-54443}"
OUT="$ENGAGE_LOGS/bench_models"
PY=/usr/bin/python3
OBS_END=2024-12-31

say() { printf '%s\n' "$*"; }
bench_psql() { "$(engage_pgbin)/psql" -X -q -At -v ON_ERROR_STOP=1 "$@" </dev/null; }
now_ns() { date +%s%N; }
# Median of the numbers on standard input.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- setup -----------------------------------------------------------------
mkdir -p "$OUT"
engage_deps
if ! "$PY" -c 'import numpy, scipy, pandas' 2>/dev/null; then
    engage_say "installing python3-scipy python3-pandas"
    { engage_as_root apt-get update &&
      engage_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
          python3-numpy python3-scipy python3-pandas; } </dev/null >"$OUT/apt.log" 2>&1 ||
        { tail -n 20 "$OUT/apt.log" >&2; engage_say "python packages could not be installed"; exit 1; }
fi
engage_build
engage_cluster_start bench_models
if [ "$BENCH_KEEP" = 1 ]; then
    engage_cluster_hint bench_models postgres "ENGAGE_PORT=$ENGAGE_PORT bash -c '. test/lib.sh; engage_cluster_stop bench_models'"
else
    trap 'engage_cluster_stop bench_models >/dev/null 2>&1 || true' EXIT
fi
bench_psql -c 'CREATE EXTENSION engage'

# --- data ------------------------------------------------------------------
say "== simulating $BENCH_CUSTOMERS customers (BG/NBD r=0.25 alpha=4 a=0.8 b=2.5, weeks)"
chmod 755 "$OUT"
"$PY" test/bench/bgnbd_scipy.py simulate "$BENCH_CUSTOMERS" "$OUT/tx.csv" 42
bench_psql -c 'CREATE TABLE bench_tx (customer_id bigint NOT NULL, day date NOT NULL)'
bench_psql -c "\\copy bench_tx FROM '$OUT/tx.csv' WITH (FORMAT csv, HEADER)"
bench_psql -c 'VACUUM (FREEZE, ANALYZE) bench_tx'
bench_psql -c "CREATE TABLE bench_cdnow (id int, x float8, t_x float8, t float8, zbar float8)"
bench_psql -c "\\copy bench_cdnow FROM '$ENGAGE_REPO/../shared/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)"
rows="$(bench_psql -c 'SELECT count(*) FROM bench_tx')"

# --- engage: raw transactions -> summary -> bgnbd_fit, one query -------------
FIT_SQL="SELECT bgnbd_fit(x, t_x, t)
  FROM (SELECT count(DISTINCT day) - 1 AS x,
               (max(day) - min(day)) / 7.0::float8 AS t_x,
               (DATE '$OBS_END' - min(day)) / 7.0::float8 AS t
          FROM bench_tx GROUP BY customer_id) s"
PATTERNS_SQL="SELECT count(DISTINCT (x, t_x, t)) FROM (SELECT count(DISTINCT day) - 1 AS x, max(day) - min(day) AS t_x,
  DATE '$OBS_END' - min(day) AS t FROM bench_tx GROUP BY customer_id) s"
patterns="$(bench_psql -c "$PATTERNS_SQL")"
run_fit() {
    local workers="$1" t0 t1
    t0="$(now_ns)"
    model="$(PGOPTIONS="-c max_parallel_workers_per_gather=$workers -c work_mem=256MB -c jit=off" bench_psql -c "$FIT_SQL")"
    t1="$(now_ns)"
    echo "$(( (t1 - t0) / 1000000 ))"
}
: >"$OUT/engage_serial.ms"; : >"$OUT/engage_parallel.ms"
for _ in $(seq "$BENCH_ROUNDS"); do
    run_fit 0 >>"$OUT/engage_serial.ms"
    run_fit 2 >>"$OUT/engage_parallel.ms"
done
engage_serial_ms="$(median <"$OUT/engage_serial.ms")"
engage_parallel_ms="$(median <"$OUT/engage_parallel.ms")"
say "engage model: $model"

# --- the data scientist's way: export, pandas, SciPy --------------------------
PSQL="$(engage_pgbin)/psql -h $PGHOST -p $PGPORT -U $PGUSER -d postgres" \
    "$PY" test/bench/bgnbd_scipy.py fit "$OBS_END" | tee "$OUT/scipy.txt"
read -r _ export_s _ read_s _ summary_s _ scipy_fit_s _ scipy_total_s _ _ _ _ _ _ \
    _ sp_r _ sp_alpha _ sp_a _ sp_b _ _ <"$OUT/scipy.txt"

# --- CDNOW: the fit alone, median of 21 runs ----------------------------------
cdnow_ms="$(bench_psql -c "
CREATE FUNCTION pg_temp.t() RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz; v float8[] := '{}'; i int;
BEGIN
  FOR i IN 1..21 LOOP
    t0 := clock_timestamp();
    PERFORM bgnbd_fit(x, t_x, t) FROM bench_cdnow;
    v := v || extract(epoch FROM clock_timestamp() - t0) * 1000;
  END LOOP;
  RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY e) FROM unnest(v) e);
END \$\$;
SELECT round(pg_temp.t()::numeric, 2);")"

# --- report ------------------------------------------------------------------
ratio_serial="$(awk -v a="$scipy_total_s" -v b="$engage_serial_ms" 'BEGIN { printf "%.1f", a * 1000 / b }')"
ratio_parallel="$(awk -v a="$scipy_total_s" -v b="$engage_parallel_ms" 'BEGIN { printf "%.1f", a * 1000 / b }')"
{
say ""
say "BG/NBD fit, $BENCH_CUSTOMERS simulated customers, $rows raw transactions, $patterns distinct (x, t_x, T) patterns"
say ""
say "| path | time | parameters r, alpha, a, b |"
say "|---|---|---|"
say "| engage, one query: transactions -> summary -> bgnbd_fit (serial, median of $BENCH_ROUNDS) | ${engage_serial_ms} ms | $(echo "$model" | sed 's/,customers.*//') |"
say "| engage, same query, 2 parallel workers (median of $BENCH_ROUNDS) | ${engage_parallel_ms} ms | same |"
say "| psql \\copy export | ${export_s} s | |"
say "| pandas read_csv | ${read_s} s | |"
say "| pandas summary (lifetimes definitions) | ${summary_s} s | |"
say "| SciPy minimize (BFGS, analytic gradient) | ${scipy_fit_s} s | $sp_r, $sp_alpha, $sp_a, $sp_b |"
say "| data scientist total | ${scipy_total_s} s | |"
say ""
say "speed-up of engage: ${ratio_serial}x serial, ${ratio_parallel}x with 2 workers"
say "CDNOW fit (2357 customers, bgnbd_fit alone, median of 21): ${cdnow_ms} ms"
} | tee "$OUT/report.md"
