-- Values of every state type built by a real server: TEMP table v(typ, val, bin) with the
-- type name, text form and send() bytes.  Read by seeds.sql (the fuzz corpus) and
-- literals.sql (the pool that the SQL literal run mutates).
SET client_min_messages = warning;
SET search_path = public, engage;
SET TimeZone = 'UTC';
CREATE TEMP TABLE v(typ text, val text, bin bytea);
-- survey states
INSERT INTO v SELECT 'nps_state', s::text, nps_state_send(s) FROM (
  SELECT nps_agg(g % 11) s FROM generate_series(1, 37) g
  UNION ALL SELECT nps_agg(10) FROM generate_series(1, 3)
  UNION ALL SELECT nps_agg(g % 3) FROM generate_series(1, 5) g
  UNION ALL SELECT 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,9223372036854775807]'::nps_state
  UNION ALL SELECT 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'::nps_state) q;
INSERT INTO v SELECT 'csat_state', s::text, csat_state_send(s) FROM (
  SELECT csat_agg(1 + g % 5) s FROM generate_series(1, 23) g
  UNION ALL SELECT csat_agg(g % 11, 0, 10) FROM generate_series(1, 30) g
  UNION ALL SELECT csat_agg(1 + g % 7, 1, 7, 6) FROM generate_series(1, 9) g
  UNION ALL SELECT csat_agg(g % 3 = 0) FROM generate_series(1, 9) g
  UNION ALL SELECT csat_agg(1 + g % 3, 1, 3) FROM generate_series(1, 4) g
  UNION ALL SELECT 'v1:0..1:>=1:[1,2]'::csat_state) q;
INSERT INTO v SELECT 'ces_state', s::text, ces_state_send(s) FROM (
  SELECT ces_agg(1 + g % 7) s FROM generate_series(1, 19) g
  UNION ALL SELECT ces_agg(1 + g % 5, 5) FROM generate_series(1, 11) g
  UNION ALL SELECT 'v1:1..7:>=5:[0,0,0,0,0,0,0]'::ces_state) q;
-- churn series
INSERT INTO v SELECT 'flow_state', s::text, flow_state_send(s) FROM (
  SELECT subscription_flow(st, en, '2023-01-01', '2024-01-01', '1 month') s
    FROM (SELECT '2022-06-01'::timestamptz + g * interval '9 days' st,
                 CASE WHEN g % 3 = 0 THEN NULL ELSE '2023-02-01'::timestamptz + g * interval '5 days' END en
          FROM generate_series(1, 60) g) x
  UNION ALL SELECT subscription_flow(st, en, '2024-03-01 12:30:00.25+00', '2024-03-02', '1 hour')
    FROM (SELECT '2024-03-01'::timestamptz + g * interval '37 minutes' st,
                 '2024-03-01 13:00'::timestamptz + g * interval '11 minutes' en FROM generate_series(1, 30) g) x
  UNION ALL SELECT subscription_flow(st, en, '0010-01-01 BC', '0005-01-01 BC', '1 year')
    FROM (SELECT '0020-01-01 BC'::timestamptz st, NULL::timestamptz en) x
  UNION ALL SELECT 'v1;step=1mon0d0us;2024-01-01 00:00:00+00 {5,4,2,2};2024-02-01 00:00:00+00'::flow_state) q;
-- revenue
INSERT INTO v SELECT 'revenue_state', s::text, revenue_state_send(s) FROM (
  SELECT revenue_agg(a, b) s FROM (SELECT (g % 7) * 10.5 a, (g % 5) * 12.25 b FROM generate_series(1, 40) g) x
  UNION ALL SELECT revenue_movements_agg(k, amt) FROM (VALUES ('starting', 100.0), ('new', 5.5), ('expansion', 7),
      ('contraction', 3.25), ('churned', 10)) m(k, amt)
  UNION ALL SELECT revenue_agg(1, 0)) q;
-- activity
INSERT INTO v SELECT 'activity_state', s::text, activity_state_send(s) FROM (
  SELECT activity_agg(u, d) s FROM (SELECT g % 13 - 3 u, '2024-01-01'::date + g % 40 d FROM generate_series(1, 200) g) x
  UNION ALL SELECT activity_agg(9223372036854775807, '9999-12-31'::date)
  UNION ALL SELECT activity_agg(-9223372036854775808, '0001-01-01'::date)
  UNION ALL SELECT activity_agg(g, '2024-02-28'::date + g) FROM generate_series(1, 3) g) q;
-- models
INSERT INTO v SELECT 'bgnbd', s::text, bgnbd_send(s) FROM (
  SELECT 'v1:r=0.2426,alpha=4.4136,a=0.7929,b=2.4259,customers=2357,log_likelihood=-9582.4292'::bgnbd s
  UNION ALL SELECT 'v1:r=1e-3, alpha = 2.5 ,a=0.5,b=4,customers=10,log_likelihood=-12.5'::bgnbd
  UNION ALL SELECT 'v1:r=1,alpha=2,a=3,b=4,customers=7'::bgnbd) q;
INSERT INTO v SELECT 'gammagamma', s::text, gammagamma_send(s) FROM (
  SELECT 'v1:p=6.25,q=3.74,v=15.44,customers=946,log_likelihood=-4000.5'::gammagamma s
  UNION ALL SELECT 'v1:p=1e-300,q=1e300,v=0.5,customers=1'::gammagamma) q;
-- rates
INSERT INTO v SELECT 'proportion_state', s::text, proportion_state_send(s) FROM (
  SELECT conversion_agg(g % 3 = 0) s FROM generate_series(1, 10) g
  UNION ALL SELECT ctr_agg(3::bigint, 7::bigint)
  UNION ALL SELECT engagement_agg(120, 50)
  UNION ALL SELECT 'v1:0/0'::proportion_state
  UNION ALL SELECT 'v1:9223372036854775807/9223372036854775807'::proportion_state) q;
-- sessions
INSERT INTO v SELECT 'session_state', s::text, session_state_send(s) FROM (
  SELECT sessionize(ts) s FROM (SELECT '2024-01-01'::timestamptz + g * interval '7 minutes' ts FROM generate_series(1, 30) g) x
  UNION ALL SELECT sessionize(g % 4, '2024-01-01'::timestamptz + g * interval '13 minutes', '10 minutes') FROM generate_series(1, 50) g
  UNION ALL SELECT sessionize('2024-01-01'::timestamptz)) q;
-- funnels
INSERT INTO v SELECT 'funnel_state', s::text, funnel_state_send(s) FROM (
  SELECT funnel(u, ts, step, '1 day') s FROM (SELECT g % 7 u, '2024-01-01'::timestamptz + g * interval '17 minutes' ts,
      1 + g % 4 step FROM generate_series(1, 80) g) x
  UNION ALL SELECT funnel(ts, step, '1 hour', 3) FROM (VALUES ('2024-01-01 00:00'::timestamptz, 1), ('2024-01-01 00:10', 2)) e(ts, step)
  UNION ALL SELECT funnel(ts, ARRAY[g % 2 = 0, g % 3 = 0], '1 hour') FROM (SELECT g, '2024-01-01'::timestamptz + g * interval '1 minute' ts FROM generate_series(1, 9) g) x) q;
-- resolution
INSERT INTO v SELECT 'resolution_state', s::text, resolution_state_send(s) FROM (
  SELECT resolution_agg(o, c) s FROM (SELECT '2024-01-01'::timestamptz + g * interval '1 hour' o,
      CASE WHEN g % 5 = 0 THEN NULL ELSE '2024-01-01'::timestamptz + g * interval '1 hour' + (g * g) * interval '61 seconds' END c
      FROM generate_series(1, 50) g) x
  UNION ALL SELECT resolution_agg(i) FROM (VALUES (interval '1 microsecond'), ('100 days'), ('0')) t(i)) q;
