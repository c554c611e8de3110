SET search_path = public, engage;
-- 17_rates: the rates of issue 5 on one proportion state.
--   one flag per row:   rate = 100 * count(*) FILTER (WHERE flag) / count(flag)
--   counts per row:     rate = 100 * sum(count) / sum(denominator)
--   click-to-open:      100 * clicked / (clicked OR opened)  (a click implies an open)
--   engagement:         100 * sum(interactions) / sum(base), may exceed 100
-- Wilson interval, pooled two-proportion z test, sample size per arm.
SET extra_float_digits = 0;

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;

-- bin_recv(payload): payload received as a proportion_state through COPY binary.
CREATE FUNCTION pg_temp.bin_recv(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    f text := current_setting('data_directory') || '/engage_prop_' || pg_backend_pid() || '.bin';
    r text;
BEGIN
    IF to_regclass('pg_temp.prop_bin_in') IS NULL THEN
        CREATE TEMP TABLE prop_bin_in (s proportion_state);
    END IF;
    TRUNCATE prop_bin_in;
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', payload, f);
    EXECUTE format('COPY prop_bin_in FROM PROGRAM %L (FORMAT binary)',
                   format('cat ''%s''; rc=$?; rm -f ''%s''; exit $rc', f, f));
    SELECT s::text INTO r FROM prop_bin_in;
    RETURN r;
END $$;

-- ---------------------------------------------------------------------------
-- Hand-computed
-- ---------------------------------------------------------------------------
-- 3 converted of 4 non-NULL rows = 75.
SELECT conversion_rate(b), conversion_agg(b), count(b) FROM (VALUES (true), (true), (false), (NULL), (true)) v(b);
-- No rows, only NULLs: NULL (the state too).
SELECT conversion_rate(b) AS no_rows, conversion_agg(b) AS no_state FROM (VALUES (true)) v(b) WHERE false;
SELECT conversion_rate(b) AS nulls_only FROM (VALUES (NULL::boolean), (NULL)) v(b);
-- CTR: (10 + 5 + 0) / (100 + 50 + 0) = 10; the (NULL, 10) and (3, NULL) rows are skipped.
SELECT ctr(c, i), ctr_agg(c, i) FROM (VALUES (10, 100), (5, 50), (NULL, 10), (3, NULL), (0, 0)) v(c, i);
-- Zero impressions: NULL rate, and no state.
SELECT ctr(c, i) AS zero_impressions, ctr_agg(c, i) AS zero_state FROM (VALUES (0, 0), (0, 0)) v(c, i);
-- Email, per delivered message: 10 delivered, 4 opened, 2 clicked, 1 unsubscribed.
CREATE TEMP TABLE mail (id int, opened bool, clicked bool, unsubscribed bool);
INSERT INTO mail SELECT g, g <= 4, g IN (1, 2), g = 10 FROM generate_series(1, 10) g;
INSERT INTO mail VALUES (11, true, true, NULL);   -- NULL unsubscribed: skipped by unsubscribe_rate only
-- open 5/11 = 45.4545..., click 3/11 = 27.2727..., unsubscribe 1/10 = 10, click-to-open 3/5 = 60.
SELECT open_rate(opened), click_rate(clicked), unsubscribe_rate(unsubscribed),
       click_to_open_rate(clicked, opened), click_to_open_agg(clicked, opened) FROM mail;
-- A click without a recorded open (images blocked) counts as an open: 2 clicked of 3 = 66.67.
SELECT click_to_open_rate(c, o), click_to_open_agg(c, o)
FROM (VALUES (true, true), (true, false), (false, true), (false, false), (NULL, true)) v(c, o);
-- The same from daily counts: opens 5 of 11 delivered, and so on.
SELECT open_rate(o, d), click_rate(c, d), click_to_open_rate(c, o), unsubscribe_rate(u, d),
       open_agg(o, d), click_to_open_agg(c, o)
FROM (VALUES (3, 2, 0, 6), (2, 1, 1, 5)) v(o, c, u, d);
-- Events: 4 of 10 invitees registered (40), 3 of the 4 registrants attended (75).
SELECT registration_rate(g <= 4) AS registration, attendance_rate(g <= 3) FILTER (WHERE g <= 4) AS attendance,
       registration_rate(4, 10) AS registration_counts, attendance_rate(3, 4) AS attendance_counts,
       conversion_rate(7, 20) AS conversion_counts
FROM generate_series(1, 10) g;
-- Social engagement per post, base = followers: (120 + 30) / (50 + 50) = 150 percent.
SELECT engagement_rate(i, f), engagement_agg(i, f) FROM (VALUES (120, 50), (30, 50)) v(i, f);
SELECT engagement_rate(i, f) AS zero_base FROM (VALUES (5, 0)) v(i, f);
-- Accessors.
SELECT successes(s), trials(s), rate(s), s::jsonb FROM (VALUES ('v1:45/50'::proportion_state)) v(s);
SELECT rate('v1:0/0'::proportion_state) AS empty_rate, 'v1:ratio:150/100'::proportion_state::jsonb AS ratio_json;

-- ---------------------------------------------------------------------------
-- Every rate against plain SQL on a deterministic, hash-generated table
-- ---------------------------------------------------------------------------
CREATE TABLE rates_t AS
  SELECT g AS id, g % 30 AS day,
         CASE WHEN g % 37 = 0 THEN NULL ELSE abs(hashint4(g)) % 100 < 12 END AS b,
         CASE WHEN g % 41 = 0 THEN NULL ELSE abs(hashint4(g + 1000000)) % 100 < 35 END AS opened,
         CASE WHEN g % 43 = 0 THEN NULL ELSE abs(hashint4(g + 2000000)) % 100 < 8 END AS clicked,
         (abs(hashint4(g + 3000000)) % 1000)::bigint AS impressions,
         (abs(hashint4(g + 4000000)) % 1000)::bigint AS r
  FROM generate_series(1, 100000) g;
ALTER TABLE rates_t ADD COLUMN clicks bigint;
UPDATE rates_t SET clicks = CASE WHEN id % 47 = 0 THEN NULL ELSE r * impressions / 1000 / 20 END;
ANALYZE rates_t;
SELECT conversion_rate(b) = 100 * (count(*) FILTER (WHERE b))::float8 / count(b) AS conversion,
       conversion_agg(b)::text = format('v1:%s/%s', count(*) FILTER (WHERE b), count(b)) AS conversion_state,
       open_rate(opened) = 100 * (count(*) FILTER (WHERE opened))::float8 / count(opened) AS open,
       click_rate(clicked) = 100 * (count(*) FILTER (WHERE clicked))::float8 / count(clicked) AS click,
       unsubscribe_rate(b) = 100 * (count(*) FILTER (WHERE b))::float8 / count(b) AS unsubscribe,
       registration_rate(opened) = 100 * (count(*) FILTER (WHERE opened))::float8 / count(opened) AS registration,
       attendance_rate(clicked) = 100 * (count(*) FILTER (WHERE clicked))::float8 / count(clicked) AS attendance,
       click_to_open_rate(clicked, opened)
         = 100 * (count(*) FILTER (WHERE clicked AND opened IS NOT NULL))::float8
               / count(*) FILTER (WHERE (clicked OR opened) AND clicked IS NOT NULL AND opened IS NOT NULL) AS click_to_open,
       ctr(clicks, impressions)
         = 100 * (sum(clicks) FILTER (WHERE impressions IS NOT NULL))::float8
               / sum(impressions) FILTER (WHERE clicks IS NOT NULL) AS ctr,
       engagement_rate(r, impressions)
         = 100 * sum(r)::float8 / sum(impressions) AS engagement,
       ctr(clicks::int, impressions::int) = ctr(clicks, impressions) AS ctr_int4,
       engagement_agg(r::int, impressions::int) = engagement_agg(r, impressions) AS engagement_int4,
       round(ctr(clicks, impressions)::numeric, 6) AS ctr_value, round(engagement_rate(r, impressions)::numeric, 6) AS engagement_value
FROM rates_t;

-- ---------------------------------------------------------------------------
-- Wilson interval: 45 of 50 is [78.6398, 95.6524] at 95% (published, and
-- python3: 78.63976856252035, 95.65242350681096); at 99%: [74.0269, 96.6009].
-- ---------------------------------------------------------------------------
SELECT round(rate_lower(s)::numeric, 4) AS lower, round(rate_upper(s)::numeric, 4) AS upper,
       round(rate_lower(s, 0.99)::numeric, 4) AS lower_99, round(rate_upper(s, 0.99)::numeric, 4) AS upper_99,
       rate_lower(state => s) = rate_lower(s, 0.95) AS default_95
FROM (VALUES ('v1:45/50'::proportion_state)) v(s);
-- Ends exact at 0 and 100; NULL for no trials.
SELECT rate_lower('v1:0/10') AS lower_of_0, rate_upper('v1:10/10') AS upper_of_all,
       rate_lower('v1:0/0') IS NULL AS empty_lower;
-- Against the formula in plain SQL, for states of the hash table by day.
SELECT count(*) AS states,
       count(*) FILTER (WHERE abs(rate_lower(s) - 100 * (c - h)) > 1e-9 OR abs(rate_upper(s) - 100 * (c + h)) > 1e-9) AS mismatches
FROM (SELECT s, (p + z * z / (2 * n)) / (1 + z * z / n) AS c,
             z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n) AS h
      FROM (SELECT s, successes(s)::float8 / trials(s) AS p, trials(s)::float8 AS n, 1.959963984540054::float8 AS z
            FROM (SELECT day, conversion_agg(b) AS s FROM rates_t GROUP BY day) d) q) w;

-- ---------------------------------------------------------------------------
-- A/B test: 200 of 1000 against 250 of 1000.  Pooled p = 0.225,
-- SE = sqrt(0.225 * 0.775 * (1/1000 + 1/1000)), z = -0.05 / SE = -2.677397763008329;
-- two-sided p = erfc(|z| / sqrt 2) = 0.007419649261025693 (python3 math.erfc).
-- ---------------------------------------------------------------------------
SELECT round(ab_z(a, b)::numeric, 10) AS z, round(ab_test(a, b)::numeric, 12) AS p,
       abs(ab_z(a, b) - (0.2 - 0.25) / sqrt(0.225 * 0.775 * (1.0 / 1000 + 1.0 / 1000))) < 1e-12 AS z_matches_sql,
       ab_z(b, a) = -ab_z(a, b) AS antisymmetric, ab_test(b, a) = ab_test(a, b) AS symmetric
FROM (VALUES ('v1:200/1000'::proportion_state, 'v1:250/1000'::proportion_state)) v(a, b);
-- p from a numeric series of erfc in plain SQL: erf(x) = 2/sqrt(pi) sum (-1)^k x^(2k+1) / (k! (2k+1)).
WITH x AS (SELECT 2.677397763008329 / sqrt(2.0) AS x),
     s AS (SELECT sum((-1)::numeric ^ k * x ^ (2 * k + 1) / (factorial(k) * (2 * k + 1))) AS s
           FROM x, generate_series(0, 80) k)
SELECT round(1 - 2 / sqrt(pi()::numeric) * s, 10) AS p_series,
       round(ab_test('v1:200/1000', 'v1:250/1000')::numeric, 10) AS p_engage FROM s;
-- Equal rates: z = 0, p = 1; all-success pools: no variance, equal rates, z = 0.
SELECT ab_z('v1:10/100', 'v1:20/200') AS z_equal, ab_test('v1:10/100', 'v1:20/200') AS p_equal,
       ab_z('v1:5/5', 'v1:7/7') AS z_all, ab_test('v1:0/0', 'v1:1/2') IS NULL AS empty_is_null;
-- Conversion by segment, from stored states: is variant B really better?
SELECT round(ab_test(conversion_agg(b) FILTER (WHERE id % 2 = 0), conversion_agg(b) FILTER (WHERE id % 2 = 1))::numeric, 6) AS p_halves
FROM rates_t;

-- ---------------------------------------------------------------------------
-- Sample size per arm: R's power.prop.test(p1 = .50, p2 = .75, power = .90)
-- gives n = 76.7 per group (its documented example): 77.  5% -> 6% at 80%
-- power and alpha 0.05: 8157.73 -> 8158 (python3 with statistics.NormalDist).
-- ---------------------------------------------------------------------------
SELECT ab_sample_size(50, 25, 0.05, 0.9) AS r_example, ab_sample_size(5, 1) AS five_to_six,
       ab_sample_size(10, 2) AS ten_to_twelve, ab_sample_size(20, -5, 0.01, 0.95) AS drop_of_5,
       ab_sample_size(50, -25, 0.05, 0.9) AS symmetric;
-- The formula in plain SQL, with the quantiles 1.959963984540054 (alpha 0.05) and 0.8416212335729143 (power 0.8).
SELECT ab_sample_size(5, 1) = ceil((1.959963984540054 * sqrt(2 * 0.055 * 0.945)
                                    + 0.8416212335729143 * sqrt(0.05 * 0.95 + 0.06 * 0.94)) ^ 2 / 0.01 ^ 2) AS formula;

-- ---------------------------------------------------------------------------
-- Rollup: daily states roll up to the direct result; stored states
-- ---------------------------------------------------------------------------
CREATE TABLE rates_daily AS
  SELECT day, conversion_agg(b) AS conv, ctr_agg(clicks, impressions) AS ctr,
         click_to_open_agg(clicked, opened) AS cto, engagement_agg(r, impressions) AS eng
  FROM rates_t GROUP BY day;
INSERT INTO rates_daily VALUES (-1, NULL, NULL, NULL, NULL);
SELECT (SELECT rollup(conv) FROM rates_daily) = (SELECT conversion_agg(b) FROM rates_t) AS conv,
       (SELECT rollup(ctr) FROM rates_daily) = (SELECT ctr_agg(clicks, impressions) FROM rates_t) AS ctr,
       (SELECT rollup(cto) FROM rates_daily) = (SELECT click_to_open_agg(clicked, opened) FROM rates_t) AS cto,
       (SELECT rollup(eng) FROM rates_daily) = (SELECT engagement_agg(r, impressions) FROM rates_t) AS eng,
       (SELECT rate(rollup(conv)) FROM rates_daily) = (SELECT conversion_rate(b) FROM rates_t) AS conv_rate;
-- By week from days, equal to the direct computation.
SELECT count(*) AS weeks, count(*) FILTER (WHERE w.s = d.s) AS equal
FROM (SELECT day / 7 AS wk, rollup(conv) AS s FROM rates_daily WHERE day >= 0 GROUP BY 1) w
JOIN (SELECT day / 7 AS wk, conversion_agg(b) AS s FROM rates_t GROUP BY 1) d USING (wk);
-- Equality and hashing: DISTINCT, GROUP BY and hash joins on states.
SET enable_sort = off;
SELECT count(*) AS distinct_states
FROM (SELECT DISTINCT s FROM (VALUES ('v1:1/2'::proportion_state), ('v1:1/2'), ('v1:2/4'), ('v1:ratio:1/2')) v(s)) d;
SET enable_mergejoin = off;
SET enable_nestloop = off;
SELECT count(*) AS hash_join_matches
FROM (VALUES ('v1:1/2'::proportion_state), ('v1:2/4')) a(s) JOIN (VALUES ('v1:1/2'::proportion_state), ('v1:ratio:2/4')) b(s) USING (s);
RESET enable_mergejoin;
RESET enable_nestloop;
SELECT s, count(*) FROM (VALUES ('v1:1/2'::proportion_state), ('v1:1/2'), ('v1:ratio:1/2')) v(s) GROUP BY s ORDER BY s::text;
RESET enable_sort;
SELECT 'v1:1/2'::proportion_state = 'v1:1/2' AS eq, 'v1:1/2'::proportion_state <> 'v1:2/4' AS ne,
       'v1:1/2'::proportion_state = 'v1:ratio:1/2' AS kinds_differ;
-- Called directly (outside an aggregate), the support functions return new values.
SELECT proportion_accum('v1:1/2', true) AS accum, proportion_combine('v1:1/2', 'v1:3/4') AS combined,
       ctr_accum('v1:1/2', 5, 10) AS ctr_accum, engagement_accum('v1:ratio:0/0', 5, 1) AS engagement_accum;

-- ---------------------------------------------------------------------------
-- Parallel plans: partial aggregates in workers equal the serial result
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.ran_parallel(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE plan jsonb; launched int;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || q INTO plan;
  SELECT max((n->>'Workers Launched')::int) INTO launched
    FROM jsonb_path_query(plan, '$.** ? (exists (@."Workers Launched"))') n;
  RETURN format('workers launched: %s', launched);
END $$;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT conversion_rate(b), ctr(clicks, impressions), click_to_open_rate(clicked, opened), engagement_agg(r, impressions)
FROM rates_t;
SELECT pg_temp.ran_parallel('SELECT conversion_rate(b), ctr(clicks, impressions), click_to_open_rate(clicked, opened) FROM rates_t') AS ran;
SELECT conversion_rate(b)::text AS p_conv, conversion_agg(b)::text AS p_conv_st, ctr_agg(clicks, impressions)::text AS p_ctr,
       click_to_open_agg(clicked, opened)::text AS p_cto, engagement_agg(r, impressions)::text AS p_eng,
       open_agg(opened)::text AS p_open
FROM rates_t \gset
SELECT string_agg(format('%s|%s|%s', day, c, t), ';' ORDER BY day) AS p_grouped
FROM (SELECT day, conversion_agg(b) c, ctr_agg(clicks, impressions) t FROM rates_t GROUP BY day) q \gset
-- Only the first page matches: the other workers see no rows and send empty states.
SELECT conversion_agg(b)::text AS p_filtered FROM rates_t WHERE id <= 50 \gset
EXPLAIN (COSTS OFF) SELECT rollup(conv) FROM rates_daily;
SELECT rollup(conv)::text AS p_rollup FROM rates_daily \gset
SET max_parallel_workers_per_gather = 0;
SELECT conversion_rate(b)::text = :'p_conv' AS conv, conversion_agg(b)::text = :'p_conv_st' AS conv_state,
       ctr_agg(clicks, impressions)::text = :'p_ctr' AS ctr, click_to_open_agg(clicked, opened)::text = :'p_cto' AS cto,
       engagement_agg(r, impressions)::text = :'p_eng' AS eng, open_agg(opened)::text = :'p_open' AS open
FROM rates_t;
SELECT string_agg(format('%s|%s|%s', day, c, t), ';' ORDER BY day) = :'p_grouped' AS grouped
FROM (SELECT day, conversion_agg(b) c, ctr_agg(clicks, impressions) t FROM rates_t GROUP BY day) q;
SELECT conversion_agg(b)::text = :'p_filtered' AS filtered FROM rates_t WHERE id <= 50;
SELECT rollup(conv)::text = :'p_rollup' AS rollup FROM rates_daily;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- ---------------------------------------------------------------------------
-- Moving windows (inverse transitions) against plain-SQL FILTER windows
-- ---------------------------------------------------------------------------
SELECT count(*) AS rows,
       count(*) FILTER (WHERE conv IS NOT DISTINCT FROM conv_sql) AS conv_equal,
       count(*) FILTER (WHERE ctr IS NOT DISTINCT FROM ctr_sql) AS ctr_equal,
       count(*) FILTER (WHERE cto IS NOT DISTINCT FROM cto_sql) AS cto_equal,
       count(*) FILTER (WHERE eng IS NOT DISTINCT FROM eng_sql) AS eng_equal,
       count(*) FILTER (WHERE ctr4 IS NOT DISTINCT FROM ctr_sql) AS ctr_int4_equal,
       count(*) FILTER (WHERE conv IS NULL) AS null_frames
FROM (SELECT conversion_rate(b) OVER w AS conv,
             100 * (count(*) FILTER (WHERE b) OVER w)::float8 / nullif(count(b) OVER w, 0) AS conv_sql,
             ctr(clicks, impressions) OVER w AS ctr,
             ctr(clicks::int, impressions::int) OVER w AS ctr4,
             100 * (sum(clicks) FILTER (WHERE impressions IS NOT NULL) OVER w)::float8
                 / nullif(sum(impressions) FILTER (WHERE clicks IS NOT NULL) OVER w, 0) AS ctr_sql,
             click_to_open_rate(clicked, opened) OVER w AS cto,
             100 * (count(*) FILTER (WHERE clicked AND opened IS NOT NULL) OVER w)::float8
                 / nullif(count(*) FILTER (WHERE (clicked OR opened) AND clicked IS NOT NULL AND opened IS NOT NULL) OVER w, 0) AS cto_sql,
             engagement_rate(r, impressions) OVER w AS eng,
             100 * (sum(r) OVER w)::float8 / nullif(sum(impressions) OVER w, 0) AS eng_sql
      FROM (SELECT * FROM rates_t WHERE id <= 3000
            UNION ALL SELECT 100000 + g, 0, NULL, NULL, NULL, 0, 0, 0 FROM generate_series(1, 40) g) t
      WINDOW w AS (ORDER BY id ROWS BETWEEN 29 PRECEDING AND CURRENT ROW)) q;
-- Rolling rollup of daily states (7 days) against states built directly.
SELECT count(*) AS days, count(*) FILTER (WHERE m.s = d.s) AS equal
FROM (SELECT day, rollup(conv) OVER (ORDER BY day ROWS 6 PRECEDING) AS s FROM rates_daily WHERE day >= 0) m
JOIN (SELECT a.day, conversion_agg(t.b) AS s FROM generate_series(0, 29) a(day)
      JOIN rates_t t ON t.day BETWEEN a.day - 6 AND a.day GROUP BY a.day) d USING (day);

-- ---------------------------------------------------------------------------
-- Text, jsonb and binary forms
-- ---------------------------------------------------------------------------
SELECT s, s::proportion_state::text = s AS text_round_trip
FROM (VALUES ('v1:45/50'), ('v1:0/0'), ('v1:ratio:120/50'), ('v1:9223372036854775807/9223372036854775807')) v(s);
-- Binary form: int16 version, int16 flags (1 = ratio), int64 successes, int64 trials.
SELECT proportion_state_send('v1:45/50') = '\x00010000'::bytea || int8send(45) || int8send(50) AS binary_layout,
       proportion_state_send('v1:ratio:7/5') = '\x00010001'::bytea || int8send(7) || int8send(5) AS ratio_layout;
SELECT s, pg_temp.bin_recv(proportion_state_send(s::proportion_state)) = s AS binary_round_trip
FROM (VALUES ('v1:45/50'), ('v1:0/0'), ('v1:ratio:120/50')) v(s);
CREATE TEMP TABLE prop_copy AS SELECT day, conv, eng FROM rates_daily;
SELECT '/tmp/engage_regress_17_' || current_setting('port') || '_' || pg_backend_pid() AS f_base \gset
SELECT :'f_base' || '.bin' AS f_bin, :'f_base' || '.txt' AS f_txt \gset
COPY prop_copy TO :'f_bin' WITH (FORMAT binary);
COPY prop_copy TO :'f_txt';
CREATE TEMP TABLE prop_copy_bin (LIKE prop_copy);
CREATE TEMP TABLE prop_copy_txt (LIKE prop_copy);
COPY prop_copy_bin FROM :'f_bin' WITH (FORMAT binary);
COPY prop_copy_txt FROM :'f_txt';
SELECT format('rm -f %s %s', :'f_bin', :'f_txt') AS rm_cmd \gset
COPY (SELECT 1 WHERE false) TO PROGRAM :'rm_cmd';
SELECT count(*) AS rows,
       count(*) FILTER (WHERE a.conv IS NOT DISTINCT FROM b.conv AND a.eng IS NOT DISTINCT FROM b.eng) AS binary_equal,
       count(*) FILTER (WHERE a.conv IS NOT DISTINCT FROM c.conv AND a.eng IS NOT DISTINCT FROM c.eng) AS text_equal
FROM prop_copy a JOIN prop_copy_bin b USING (day) JOIN prop_copy_txt c USING (day);

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------
SELECT q, pg_temp.err(q) FROM (VALUES
  -- 22023: count above its denominator; kinds mixed; ratio where a proportion is needed; confidence
  ('SELECT ctr(c, i) FROM (VALUES (11, 10)) v(c, i)'),
  ('SELECT open_rate(7, 5)'),
  ('SELECT open_rate(o, d) FROM (VALUES (2::bigint, 1::bigint)) v(o, d)'),
  ('SELECT click_to_open_rate(3::bigint, 2::bigint)'),
  ('SELECT attendance_rate(5, 4)'),
  ('SELECT rollup(s) FROM (VALUES (''v1:1/2''::proportion_state), (''v1:ratio:3/2'')) v(s)'),
  ('SELECT rate_lower(''v1:ratio:3/2'')'),
  ('SELECT ab_test(''v1:1/2'', ''v1:ratio:1/2'')'),
  ('SELECT rate_lower(''v1:1/2'', 1)'),
  ('SELECT rate_upper(''v1:1/2'', 0)'),
  ('SELECT rate_upper(''v1:1/2'', ''NaN'')'),
  ('SELECT ab_sample_size(0, 1)'),
  ('SELECT ab_sample_size(100, -1)'),
  ('SELECT ab_sample_size(5, 0)'),
  ('SELECT ab_sample_size(95, 6)'),
  ('SELECT ab_sample_size(5, 1, 1)'),
  ('SELECT ab_sample_size(5, 1, 0.05, 0.4)'),
  ('SELECT ab_sample_size(5, 1, 0.05, 1)'),
  -- 22003: negative counts, sums past 2^63-1, a literal past 2^63-1, a sample past 2^63-1
  ('SELECT ctr(-1, 10)'),
  ('SELECT ctr(1, -10)'),
  ('SELECT ctr(-1::bigint, 10)'),
  ('SELECT engagement_rate(-5, 10)'),
  ('SELECT ctr(c, i) FROM (VALUES (9223372036854775807, 9223372036854775807), (0, 1)) v(c, i)'),
  ('SELECT engagement_rate(c, i) FROM (VALUES (9223372036854775807, 1), (1, 1)) v(c, i)'),
  ('SELECT rollup(s) FROM (VALUES (''v1:1/9223372036854775807''::proportion_state), (''v1:0/1'')) v(s)'),
  ('SELECT proportion_accum(''v1:0/9223372036854775807'', false)'),
  ('SELECT ''v1:1/9223372036854775808''::proportion_state'),
  ('SELECT ab_sample_size(50, 1e-9)'),
  -- 22P02: malformed literals; successes > trials
  ('SELECT ''v1:51/50''::proportion_state'),
  ('SELECT ''v2:1/2''::proportion_state'),
  ('SELECT ''v1:1/''::proportion_state'),
  ('SELECT ''v1:1/2 ''::proportion_state'),
  ('SELECT ''v1:-1/2''::proportion_state'),
  ('SELECT ''1/2''::proportion_state'),
  ('SELECT ''v1:ratio1/2''::proportion_state'),
  ('SELECT ''v1:1:2''::proportion_state'),
  -- 0A000: the inverse rollup function outside a window
  ('SELECT proportion_combine_inv(''v1:1/2'', ''v1:1/2'')'),
  -- 22000: an inverse transition removing what was never added
  ('SELECT proportion_accum_inv(''v1:0/0'', false)'),
  ('SELECT proportion_accum_inv(''v1:0/3'', true)'),
  ('SELECT ctr_accum_inv(''v1:1/5'', 2, 2)')
) v(q);
-- 22P03: malformed binary values.
SELECT d, pg_temp.err(format('SELECT pg_temp.bin_recv(%L::bytea)', p)) FROM (VALUES
  ('version 2', '\x00020000'::bytea || int8send(1) || int8send(2)),
  ('unknown flag', '\x00010002'::bytea || int8send(1) || int8send(2)),
  ('successes > trials', '\x00010000'::bytea || int8send(3) || int8send(2)),
  ('negative trials', '\x00010001'::bytea || int8send(3) || int8send(-2)),
  ('too short', '\x00010000'::bytea || int8send(1)),
  ('trailing byte', '\x00010000'::bytea || int8send(1) || int8send(2) || '\x00'::bytea),
  ('ratio count above its base: valid', '\x00010001'::bytea || int8send(3) || int8send(2))
) v(d, p);
-- The DETAIL of a count above its denominator and of a negative count.
SELECT ctr(11, 10);
SELECT engagement_rate(-1, 10);
SELECT rate_lower('v1:1/2', 1.5);

DROP TABLE rates_t, rates_daily;
