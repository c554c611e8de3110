-- Data for the client tests (test/integration/20_clients.sh): realistic tables of
-- survey answers, subscriptions, email deliveries, campaign counts, MRR, tickets,
-- page views, funnel events and orders. Deterministic (setseed). The cases the
-- clients read are in cases.sql. Run with search_path = public, engage.
SET TimeZone = 'UTC';
SELECT setseed(0.2024);

-- Survey answers: NPS 0-10 (some NULL), CSAT 1-5, CES 1-7, a good/bad flag.
CREATE TABLE survey AS
SELECT i AS id,
       timestamptz '2024-01-01' + (i % 182) * interval '1 day' + (i * 37 % 1440) * interval '1 minute'
           AS answered_at,
       (ARRAY['enterprise', 'smb', 'consumer'])[1 + i % 3] AS segment,
       CASE WHEN i % 97 = 0 THEN NULL
            ELSE (ARRAY[0, 1, 2, 3, 4, 5, 6, 7, 7, 8, 8, 9, 9, 9, 10, 10])[1 + floor(random() * 16)::int]
       END AS nps_score,
       1 + floor(random() * 5)::int AS csat_score,
       1 + floor(random() * 7)::int AS ces_score,
       CASE WHEN i % 50 = 0 THEN NULL ELSE random() < 0.8 END AS good
FROM generate_series(1, 3000) i;

-- Daily states, as a BI setup keeps them; months roll up from days.
CREATE MATERIALIZED VIEW survey_daily AS
SELECT answered_at::date AS day, segment, nps_agg(nps_score) AS nps_st, csat_agg(csat_score) AS csat_st,
       ces_agg(ces_score) AS ces_st
FROM survey GROUP BY 1, 2;

-- Subscriptions over a year; ended_at NULL = still active.
CREATE TABLE subscriptions AS
SELECT i AS id, s AS started_at,
       CASE WHEN random() < 0.45 THEN s + (1 + floor(random() * 300)) * interval '1 day' END AS ended_at
FROM (SELECT i, timestamptz '2023-06-01' + floor(random() * 365) * interval '1 day' AS s
      FROM generate_series(1, 800) i) q;

-- One row per delivered email (a click may come without a recorded open).
CREATE TABLE deliveries AS
SELECT i AS id, 'c' || (i % 8) AS campaign, o AS opened,
       (o AND random() < 0.35) OR (NOT o AND random() < 0.03) AS clicked,
       random() < 0.01 AS unsubscribed,
       CASE WHEN i % 41 = 0 THEN NULL ELSE random() < 0.06 END AS converted,
       r AS registered, r AND random() < 0.6 AS attended
FROM (SELECT i, random() < 0.3 AS o, random() < 0.2 AS r FROM generate_series(1, 5000) i) q;

-- Daily counts per campaign, as exported by ad and email platforms (integer columns).
CREATE TABLE campaign_daily AS
SELECT day, campaign, impressions, floor(impressions * random() * 0.05)::int AS clicks,
       delivered, opens, floor(opens * random() * 0.4)::int AS unique_clicks,
       floor(delivered * random() * 0.01)::int AS unsubscribes,
       visitors, floor(visitors * random() * 0.08)::int AS conversions,
       floor(visitors * random() * 0.1)::int AS registrations,
       registrants, floor(registrants * random() * 0.7)::int AS attendees,
       followers, floor(followers * random() * 0.12)::int AS interactions
FROM (SELECT d::date AS day, 'c' || k AS campaign,
             1000 + floor(random() * 4000)::int AS impressions,
             200 + floor(random() * 800)::int AS delivered,
             0 AS opens,
             300 + floor(random() * 700)::int AS visitors,
             10 + floor(random() * 90)::int AS registrants,
             500 + floor(random() * 5000)::int AS followers
      FROM generate_series(date '2024-01-01', date '2024-03-31', '1 day') d, generate_series(1, 4) k) q;
UPDATE campaign_daily SET opens = floor(delivered * random() * 0.5)::int;
UPDATE campaign_daily SET unique_clicks = floor(opens * random() * 0.4)::int;
UPDATE campaign_daily SET interactions = followers + 17 WHERE day = '2024-02-14';  -- a viral day
UPDATE campaign_daily SET clicks = NULL WHERE day = '2024-01-05' AND campaign = 'c1';  -- skipped rows
UPDATE campaign_daily SET delivered = NULL, visitors = NULL WHERE day = '2024-01-06' AND campaign = 'c2';

-- MRR per customer at the start and the end of a month (NULL = no subscription then).
CREATE TABLE mrr AS
SELECT i AS customer_id, st AS mrr_start,
       CASE WHEN st IS NULL THEN round((10 + random() * 290)::numeric, 2)
            WHEN b < 0.15 THEN CASE WHEN i % 2 = 0 THEN NULL ELSE 0 END    -- churned
            WHEN b < 0.40 THEN round(st * (1 + random() * 0.5)::numeric, 2) + 0.01  -- expansion
            WHEN b < 0.60 THEN round(st * (0.3 + random() * 0.6)::numeric, 2)       -- contraction
            ELSE st END AS mrr_end
FROM (SELECT i, CASE WHEN i % 10 < 2 THEN NULL ELSE round((20 + random() * 480)::numeric, 2) END AS st,
             random() AS b
      FROM generate_series(1, 400) i) q;

-- The same month as an MRR movements ledger, with a second expansion of one customer.
CREATE TABLE mrr_ledger AS
SELECT 'starting' AS movement, mrr_start AS amount FROM mrr WHERE mrr_start > 0
UNION ALL SELECT 'new', mrr_end FROM mrr WHERE coalesce(mrr_start, 0) = 0 AND mrr_end > 0
UNION ALL SELECT 'expansion', mrr_end - mrr_start FROM mrr WHERE mrr_end > mrr_start AND mrr_start > 0
UNION ALL SELECT 'contraction', mrr_start - mrr_end FROM mrr WHERE mrr_end > 0 AND mrr_end < mrr_start
UNION ALL SELECT 'churned', mrr_start FROM mrr WHERE mrr_start > 0 AND coalesce(mrr_end, 0) = 0
UNION ALL SELECT 'expansion', 12.5
UNION ALL SELECT 'new', NULL;

-- Support tickets; every 20th is still open. Times are whole minutes.
CREATE TABLE tickets AS
SELECT i AS id, (ARRAY['billing', 'tech', 'sales'])[1 + i % 3] AS team, o AS opened_at,
       CASE WHEN i % 20 = 0 THEN NULL
            ELSE o + (1 + floor(random() * random() * 72 * 60)) * interval '1 minute' END AS resolved_at
FROM (SELECT i, timestamptz '2024-01-01' + floor(random() * 180 * 24 * 60) * interval '1 minute' AS o
      FROM generate_series(1, 1500) i) q;

-- Page views of 200 users over March 2024, in sessions of up to 4 views.
CREATE TABLE page_views AS
SELECT u AS user_id,
       timestamptz '2024-03-01' + (u % 30 + k / 4) * interval '1 day'
           + (u * 13 % 600 + (k % 4) * floor(random() * 25)) * interval '1 minute'
           + k * interval '1 second' AS ts,
       (ARRAY['home', 'pricing', 'docs', 'cart', 'paid'])[1 + floor(random() * 5)::int] AS page
FROM generate_series(1, 200) u, generate_series(0, 11) k
WHERE k <= 1 + u % 11;

-- Funnel events: step 1 visit, 2 signup, 3 trial, 4 paid; later steps come hours later.
CREATE TABLE funnel_events AS
SELECT u AS user_id,
       timestamptz '2024-04-01' + (u % 20) * interval '1 day'
           + (s - 1) * floor(random() * 400) * interval '1 minute' AS ts,
       s AS step
FROM generate_series(1, 300) u, generate_series(1, 4) s
WHERE s <= 1 + (u * 7919) % 4;

-- Orders of 600 customers during 2023, drawn like the BG/NBD model: a first purchase,
-- then repeat purchases at a customer's own rate until a customer's own dropout.
CREATE TABLE orders AS
WITH c AS (
    SELECT c AS customer_id, timestamptz '2023-01-01' + floor(random() * 180) * interval '1 day' AS first_ts,
           -ln(1 - random()) * (30 + random() * 300) AS life_days,
           power(random(), 2) * 0.08 AS per_day
    FROM generate_series(1, 600) c),
r AS (
    SELECT customer_id, first_ts,
           least(life_days, extract(epoch FROM timestamptz '2024-01-01' - first_ts) / 86400 - 1) AS active_days,
           per_day
    FROM c)
SELECT customer_id, first_ts AS ts, round((10 + random() * 190)::numeric, 2)::float8 AS amount FROM r
UNION ALL
SELECT customer_id, first_ts + floor(random() * active_days * 24) * interval '1 hour',
       round((5 + (customer_id % 7) * 20 + random() * 60)::numeric, 2)::float8
FROM r, generate_series(1, 40) k
WHERE k <= floor(active_days * per_day);

-- The per-customer summary the BG/NBD and Gamma-Gamma fits read (days).
CREATE TABLE customer_summary AS
SELECT customer_id, (rfm_summary(ts, amount, '2024-01-01')).* FROM orders GROUP BY customer_id;

ANALYZE;
