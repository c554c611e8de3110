-- engage demo data: a year and a month of survey responses, then a
-- materialized view of daily (day, segment, channel) states that the report
-- rolls up.  Run by test/demo.sh into database engage_demo (extension created).
--
-- The data is deterministic: every "random" draw is a hash of the row number
-- (hashint8extended, which hashes the integer value, not its bytes), and the
-- arithmetic on the draws is only + - * / and sqrt (all correctly rounded in
-- IEEE 754), so every machine loads exactly the same rows.
--
-- The story in the data:
--   * 12,000 customers in four segments; Enterprise is the happiest, Consumer
--     the least happy.  Customers have a persistent mood of their own.
--   * 150,000 responses from 2025-01-01 to 2026-01-31 (UTC), volume growing
--     by about half over the period, fewer answers at weekends.
--   * Phone respondents are more often angry and find things harder; in-app
--     is the easiest channel.
--   * A summer dip (July-August, support understaffed) and a holiday-season
--     dip (November-December).
--   * January 2026: a packaging/price change hits Mid-Market only.
--   * About 3% of respondents skip the NPS question, a few more skip CSAT and
--     CES (they come later in the survey).

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

\set n_customers 12000
\set n_responses 150000

-- A uniform draw in [0, 1) from (row number, salt): 52 bits of a 64-bit hash,
-- exact in a double.  A session-local helper; it is inlined by the planner.
CREATE FUNCTION pg_temp.u(id bigint, salt bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (hashint8extended(id, salt) & 4503599627370495)::double precision
           / 4503599627370496.0;

-- A standard-normal-ish draw: the sum of four uniforms, centred and scaled
-- (Irwin-Hall; no libm, so no platform-dependent last bits).
CREATE FUNCTION pg_temp.n(id bigint, salt bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (pg_temp.u(id, salt) + pg_temp.u(id, salt + 1)
            + pg_temp.u(id, salt + 2) + pg_temp.u(id, salt + 3) - 2.0)
           * 1.7320508075688772;

-----------------------------------------------------------------------------
-- customers
-----------------------------------------------------------------------------
CREATE TABLE customers (
    id      integer PRIMARY KEY,
    segment text NOT NULL
            CHECK (segment IN ('Enterprise', 'Mid-Market', 'SMB', 'Consumer')),
    channel text NOT NULL CHECK (channel IN ('email', 'in-app', 'web', 'phone')),
    region  text NOT NULL CHECK (region IN ('NA', 'EMEA', 'APAC', 'LATAM'))
);
COMMENT ON COLUMN customers.channel IS 'the channel the customer usually answers surveys on';

INSERT INTO customers (id, segment, channel, region)
SELECT id, segment,
       -- the usual channel depends on the segment
       CASE segment
           WHEN 'Enterprise' THEN CASE WHEN c < 0.45 THEN 'email' WHEN c < 0.70 THEN 'phone'
                                       WHEN c < 0.90 THEN 'web' ELSE 'in-app' END
           WHEN 'Mid-Market' THEN CASE WHEN c < 0.40 THEN 'email' WHEN c < 0.65 THEN 'in-app'
                                       WHEN c < 0.90 THEN 'web' ELSE 'phone' END
           WHEN 'SMB'        THEN CASE WHEN c < 0.35 THEN 'in-app' WHEN c < 0.65 THEN 'web'
                                       WHEN c < 0.95 THEN 'email' ELSE 'phone' END
           ELSE                   CASE WHEN c < 0.45 THEN 'in-app' WHEN c < 0.75 THEN 'web'
                                       WHEN c < 0.95 THEN 'email' ELSE 'phone' END
       END,
       CASE WHEN r < 0.40 THEN 'NA' WHEN r < 0.70 THEN 'EMEA'
            WHEN r < 0.90 THEN 'APAC' ELSE 'LATAM' END
FROM generate_series(1, :n_customers) AS id
CROSS JOIN LATERAL (
    SELECT CASE WHEN s < 0.12 THEN 'Enterprise' WHEN s < 0.34 THEN 'Mid-Market'
                WHEN s < 0.67 THEN 'SMB' ELSE 'Consumer' END AS segment,
           c, r
    FROM (SELECT pg_temp.u(id, 101) AS s, pg_temp.u(id, 102) AS c,
                 pg_temp.u(id, 103) AS r) AS draw
) AS cust;

-----------------------------------------------------------------------------
-- survey_responses
-----------------------------------------------------------------------------
CREATE TABLE survey_responses (
    id          bigint PRIMARY KEY,
    customer_id integer NOT NULL,
    answered_at timestamptz NOT NULL,
    segment     text NOT NULL,      -- the customer's segment when answering
    channel     text NOT NULL CHECK (channel IN ('email', 'in-app', 'web', 'phone')),
    nps_score   integer CHECK (nps_score BETWEEN 0 AND 10),   -- NULL: skipped
    csat_score  integer CHECK (csat_score BETWEEN 1 AND 5),   -- NULL: skipped
    ces_score   integer CHECK (ces_score BETWEEN 1 AND 7)     -- 7 = very easy
);

INSERT INTO survey_responses
    (id, customer_id, answered_at, segment, channel, nps_score, csat_score, ces_score)
WITH draw AS MATERIALIZED (
    SELECT i,
           1 + (hashint8extended(i, 1) & 1073741823) % :n_customers AS customer_id,
           -- day 0..395 with a density growing linearly by 60% over the period
           -- (inverse CDF of 1 + a*t on [0, 1), a = 0.6)
           least(395, floor(396 * (sqrt(1.0 + 1.56 * pg_temp.u(i, 2)) - 1.0) / 0.6))::int
               AS day0,
           pg_temp.u(i, 3) AS u_weekend,
           pg_temp.u(i, 4) AS u_time,
           pg_temp.u(i, 5) AS u_keep_channel,
           pg_temp.u(i, 6) AS u_channel,
           pg_temp.u(i, 7) AS u_angry,
           pg_temp.u(i, 8) AS u_angry_score,
           pg_temp.u(i, 9) AS u_skip_nps,
           pg_temp.u(i, 10) AS u_skip_csat,
           pg_temp.u(i, 11) AS u_skip_ces,
           pg_temp.n(i, 20) AS z_nps,
           pg_temp.n(i, 30) AS z_csat,
           pg_temp.n(i, 40) AS z_ces
    FROM generate_series(1, :n_responses) AS i
), placed AS MATERIALIZED (
    SELECT d.*, c.segment,
           -- half of the weekend draws move to a weekday of the same week
           -- (u_weekend < 0.5 picks Monday .. Friday as 1 + floor(10 * u_weekend))
           CASE WHEN extract(isodow FROM date '2025-01-01' + d.day0) >= 6
                     AND d.u_weekend < 0.5
                THEN greatest(date '2025-01-01',
                              date '2025-01-01' + d.day0
                              - extract(isodow FROM date '2025-01-01' + d.day0)::int
                              + 1 + floor(10 * d.u_weekend)::int)
                ELSE date '2025-01-01' + d.day0
           END AS day,
           CASE WHEN d.u_keep_channel < 0.7 THEN c.channel
                ELSE (ARRAY['email', 'in-app', 'web', 'phone'])[1 + floor(4 * d.u_channel)::int]
           END AS channel,
           -- the customer's own mood, -0.6 .. +0.6 on the 0-10 scale
           (pg_temp.u(c.id, 104) - 0.5) * 1.2 AS customer_mood,
           CASE c.region WHEN 'APAC' THEN -0.10 WHEN 'LATAM' THEN 0.08 ELSE 0.0 END
               AS region_effect
    FROM draw AS d
    JOIN customers AS c ON c.id = d.customer_id
), latent AS (
    SELECT p.*,
           (extract(year FROM p.day)::int - 2025) * 12 + extract(month FROM p.day)::int
               AS month_no,
           CASE p.segment WHEN 'Enterprise' THEN 9.00 WHEN 'Mid-Market' THEN 8.60
                          WHEN 'SMB' THEN 8.30 ELSE 7.95 END
           + p.customer_mood + p.region_effect
           + CASE p.channel WHEN 'phone' THEN -0.25 WHEN 'in-app' THEN 0.10 ELSE 0.0 END
           -- Mid-Market's packaging change of January 2026
           + CASE WHEN p.segment = 'Mid-Market' AND p.day >= date '2026-01-01'
                  THEN -0.55 ELSE 0.0 END
               AS mu
    FROM placed AS p
), scored AS (
    SELECT l.*,
           CASE WHEN l.u_angry < CASE l.channel WHEN 'phone' THEN 0.09 ELSE 0.05 END
                -- an angry respondent: 0..5 whatever else is going on
                THEN 5.99 * l.u_angry_score - 0.5
                -- seasonality by month (Jan 2025 .. Jan 2026) and a slight
                -- improvement over the year
                ELSE l.mu
                     + (ARRAY[-0.03, 0.00, 0.03, 0.03, 0.01, -0.03, -0.17, -0.13,
                              -0.02, 0.03, -0.06, -0.06, -0.03])[l.month_no]
                     + 0.006 * l.month_no
                     + 2.0 * l.z_nps
           END AS x
    FROM latent AS l
)
SELECT i, customer_id,
       (day + (floor((6.0 + 16.0 * u_time) * 3600.0) * interval '1 second'))
           AT TIME ZONE 'UTC',
       segment, channel,
       CASE WHEN u_skip_nps >= 0.03
            THEN greatest(0, least(10, floor(x + 0.5)))::int END,
       CASE WHEN u_skip_csat >= 0.04
            THEN greatest(1, least(5, floor(1.1 + 0.42 * x + 0.75 * z_csat + 0.5)))::int END,
       CASE WHEN u_skip_ces >= 0.05
            THEN greatest(1, least(7, floor(1.2 + 0.55 * x + 0.9 * z_ces + 0.5
                 + CASE channel WHEN 'phone' THEN -0.6 WHEN 'in-app' THEN 0.3 ELSE 0.0 END
                 )))::int END
FROM scored;

ALTER TABLE survey_responses
    ADD CONSTRAINT survey_responses_customer_fk
    FOREIGN KEY (customer_id) REFERENCES customers (id);
CREATE INDEX survey_responses_answered_at ON survey_responses (answered_at);

-----------------------------------------------------------------------------
-- daily states: one row per (UTC day, segment, channel); everything the
-- report shows is a rollup() of these rows.
-----------------------------------------------------------------------------
CREATE MATERIALIZED VIEW daily_survey_states AS
SELECT (answered_at AT TIME ZONE 'UTC')::date AS day,
       segment,
       channel,
       count(*)              AS responses,
       nps_agg(nps_score)    AS nps_state,
       csat_agg(csat_score)  AS csat_state,   -- 1..5, satisfied = 4 or 5
       ces_agg(ces_score)    AS ces_state     -- 1..7, easy = 5..7
FROM survey_responses
GROUP BY 1, 2, 3;

CREATE UNIQUE INDEX daily_survey_states_key
    ON daily_survey_states (day, segment, channel);

ANALYZE customers;
ANALYZE survey_responses;
ANALYZE daily_survey_states;

SELECT (SELECT count(*) FROM customers) AS n_cust,
       (SELECT count(*) FROM survey_responses) AS n_resp,
       (SELECT count(*) FROM daily_survey_states) AS n_states,
       (SELECT min(day) || ' .. ' || max(day) FROM daily_survey_states) AS span
\gset
\echo loaded :n_cust customers, :n_resp responses (:span), :n_states daily states
