-- Benchmark data for test/bench.sh (run by it; not a test).
-- psql variables: rows (size of bench_responses), window_rows (bench_window).
-- Every column is derived from one 63-bit hash of the id, so the data is the
-- same on every run and machine: scores uniform on their scales, ~1% NULL per
-- score column, 20 segments, the 365 days of 2023.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
-- The cluster runs with synchronous_commit = off; VACUUM can only set hint
-- bits (and so mark pages all-visible) for commits already flushed.
SET synchronous_commit = on;
CREATE EXTENSION IF NOT EXISTS engage;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
DROP TABLE IF EXISTS bench_responses, bench_window, bench_daily;

CREATE TABLE bench_responses (
    id          bigint,
    day         date,
    segment     int,
    score       int,    -- NPS 0..10
    csat_score  int,    -- CSAT 1..5
    ces_score   int     -- CES 1..7
);

INSERT INTO bench_responses
SELECT i,
       DATE '2023-01-01' + ((h / 7700000000) % 365)::int,
       ((h / 385000000) % 20)::int + 1,
       CASE WHEN h % 100 = 0 THEN NULL ELSE ((h / 100) % 11)::int END,
       CASE WHEN (h / 1100) % 100 = 0 THEN NULL ELSE ((h / 110000) % 5)::int + 1 END,
       CASE WHEN (h / 550000) % 100 = 0 THEN NULL ELSE ((h / 55000000) % 7)::int + 1 END
FROM (SELECT i, hashint8extended(i, 42) & 9223372036854775807 AS h
      FROM generate_series(1, :rows::bigint) AS i) AS g;

-- The first window_rows responses, for the moving-window comparison.
CREATE TABLE bench_window AS
    SELECT * FROM bench_responses WHERE id <= :window_rows ORDER BY id;

-- One nps_state per segment and day: 20 * 365 rows.
CREATE TABLE bench_daily AS
    SELECT segment, day, nps_agg(score) AS st
    FROM bench_responses GROUP BY segment, day ORDER BY segment, day;

-- Frozen and all-visible (autovacuum is off in the bench cluster, so no
-- snapshot of its holds VACUUM back), then written out so that no checkpoint
-- competes with the measurements.
VACUUM (FREEZE, ANALYZE) bench_responses, bench_window, bench_daily;
CHECKPOINT;
