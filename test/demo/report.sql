-- engage demo report: everything below is computed from the materialized view
-- daily_survey_states (one NPS, CSAT and CES state per day, segment and
-- channel) by adding states up with rollup(); no survey response is re-read.
-- Run by test/demo.sh after test/demo/load.sql.
--
-- Signed and combined numbers are formatted with to_char and fixed-width
-- patterns ('.' always), so they line up and do not depend on any locale.

\set ON_ERROR_STOP 1
\set QUIET 1
\pset footer off
\pset null ''
\pset border 1

-- The periods come from the data itself (not from now()): the last full
-- month and the month before it, and the last full quarter.
WITH b AS (
    SELECT min(day) AS first_day,
           max(day) AS last_day,
           date_trunc('month', max(day) + 1)::date AS m_end,
           (date_trunc('month', max(day) + 1) - interval '1 month')::date AS m_start,
           (date_trunc('month', max(day) + 1) - interval '2 months')::date AS p_start,
           date_trunc('quarter', max(day) + 1)::date AS q_end,
           (date_trunc('quarter', max(day) + 1) - interval '3 months')::date AS q_start
    FROM daily_survey_states
)
SELECT first_day, last_day, m_start, m_end, p_start, q_start, q_end,
       to_char(m_start, 'Mon YYYY') AS m_label,
       to_char(p_start, 'Mon YYYY') AS p_label,
       to_char(m_start, 'Mon') || ' n' AS m_n,
       to_char(p_start, 'Mon') || ' n' AS p_n,
       to_char(m_start, 'Mon') || ' NPS' AS m_nps,
       to_char(p_start, 'Mon') || ' NPS' AS p_nps,
       to_char(q_start, '"Q"Q YYYY (Mon-') || to_char(q_end - 1, 'Mon)') AS q_label
FROM b
\gset

\echo
\echo '1) Monthly NPS, all segments. Promoters and detractors in % of responses; +/- is the'
\echo '   95% Wald margin; the change vs the month before is significant when the two-sided'
\echo '   nps_test() p-value is below 0.05'
\echo
WITH monthly AS (
    SELECT date_trunc('month', day)::date AS month, rollup(nps_state) AS st
    FROM daily_survey_states
    GROUP BY 1
), paired AS (
    SELECT month, st, lag(st) OVER (ORDER BY month) AS prev
    FROM monthly
)
SELECT to_char(month, 'YYYY-MM')                         AS month,
       responses(st)                                     AS responses,
       round(100.0 * promoters(st) / responses(st), 1)   AS promoters,
       round(100.0 * detractors(st) / responses(st), 1)  AS detractors,
       to_char(nps(st), 'S990.0')                        AS "NPS",
       to_char(nps_moe(st, 0.95, 'wald'), '90.0')        AS "+/-",
       to_char(nps(st) - nps(prev), 'S990.0')            AS change,
       CASE WHEN prev IS NULL THEN ''
            WHEN nps_test(st, prev) < 0.001 THEN '<0.001'
            ELSE to_char(nps_test(st, prev), '0.000') END AS "p-value",
       CASE WHEN prev IS NULL THEN ''
            WHEN nps_test(st, prev) < 0.05 THEN 'yes' ELSE 'no' END AS significant
FROM paired
ORDER BY month;

\echo
\echo '2) CSAT and CES by segment, last full quarter:' :q_label
\echo '   CSAT: % of 4-5 on 1..5 with the Wilson 95% interval; CES: mean of 1..7 (7 = very easy)'
\echo '   with the Student t 95% interval, and % easy (5-7)'
\echo
WITH q AS (
    SELECT segment, rollup(csat_state) AS cs, rollup(ces_state) AS ce,
           grouping(segment) AS is_total
    FROM daily_survey_states
    WHERE day >= :'q_start' AND day < :'q_end'
    GROUP BY GROUPING SETS ((segment), ())
)
SELECT CASE WHEN is_total = 1 THEN 'All segments' ELSE segment END AS segment,
       responses(cs)                                               AS "CSAT n",
       round(csat(cs)::numeric, 1)                                 AS "CSAT %",
       to_char(csat_lower(cs, 0.95), 'FM990.0') || ' - '
           || to_char(csat_upper(cs, 0.95), 'FM990.0')             AS "95% interval",
       responses(ce)                                               AS "CES n",
       round(ces(ce)::numeric, 2)                                  AS "CES",
       to_char(ces_lower(ce, 0.95), 'FM0.00') || ' - '
           || to_char(ces_upper(ce, 0.95), 'FM0.00')               AS "95% interval",
       round(ces_easy(ce)::numeric, 1)                             AS "easy %"
FROM q
ORDER BY is_total,
         array_position(ARRAY['Enterprise', 'Mid-Market', 'SMB', 'Consumer'], segment);

\echo
\echo '3) NPS by segment,' :m_label 'vs' :p_label '(+/- 95% Wald margin; two-sided nps_test())'
\echo
WITH two_months AS (
    SELECT segment,
           rollup(nps_state) FILTER (WHERE day >= :'m_start') AS cur,
           rollup(nps_state) FILTER (WHERE day <  :'m_start') AS prev,
           grouping(segment) AS is_total
    FROM daily_survey_states
    WHERE day >= :'p_start' AND day < :'m_end'
    GROUP BY GROUPING SETS ((segment), ())
)
SELECT CASE WHEN is_total = 1 THEN 'All segments' ELSE segment END AS segment,
       responses(prev)                                             AS :"p_n",
       to_char(nps(prev), 'S990.0') || ' +/- '
           || to_char(nps_moe(prev, 0.95, 'wald'), 'FM90.0')          AS :"p_nps",
       responses(cur)                                              AS :"m_n",
       to_char(nps(cur), 'S990.0') || ' +/- '
           || to_char(nps_moe(cur, 0.95, 'wald'), 'FM90.0')           AS :"m_nps",
       to_char(nps(cur) - nps(prev), 'S990.0')                     AS change,
       CASE WHEN nps_test(cur, prev) < 0.001 THEN '<0.001'
            ELSE to_char(nps_test(cur, prev), '0.000') END         AS "p-value",
       CASE WHEN nps_test(cur, prev) < 0.05 THEN 'yes' ELSE 'no' END AS significant
FROM two_months
ORDER BY is_total,
         array_position(ARRAY['Enterprise', 'Mid-Market', 'SMB', 'Consumer'], segment);

SELECT format('Note: every number above is a rollup() of the %s daily states (%s responses).',
              to_char(count(*), 'FM999,999'), to_char(sum(responses), 'FM999,999')) AS note
FROM daily_survey_states
\gset
\echo
\echo :note
