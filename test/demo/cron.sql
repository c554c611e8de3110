-- engage demo: keep the daily states fresh with pg_cron (docs/production.md,
-- recipe A). Run by test/demo.sh in database postgres, where pg_cron keeps its
-- jobs, with -v db=engage_demo, after test/demo/load.sql made the materialized
-- view daily_survey_states and its unique index (which CONCURRENTLY needs).

\set ON_ERROR_STOP 1
\set QUIET 1
\pset footer off
\pset border 1

SELECT cron.schedule_in_database('engage-demo-refresh', '* * * * *',
    $job$REFRESH MATERIALIZED VIEW CONCURRENTLY daily_survey_states$job$,
    :'db') AS jobid
\gset

\echo
\echo '4) Scheduled refresh: pg_cron refreshes daily_survey_states every minute with'
\echo '   REFRESH MATERIALIZED VIEW CONCURRENTLY, so queries like the ones above keep'
\echo '   running during a refresh (its EXCLUSIVE lock does not block reads)'
\echo
SELECT jobid, jobname, schedule, database, command, active
FROM cron.job
WHERE jobid = :jobid;

SELECT to_char(date_trunc('minute', now() AT TIME ZONE 'UTC') + interval '1 minute',
               'HH24:MI') AS next_run
\gset
\echo
\echo 'First run at' :next_run 'UTC (pg_cron 1.4 schedules are in GMT). Its runs, in database postgres:'
\echo '  SELECT status, return_message, start_time FROM cron.job_run_details ORDER BY runid DESC LIMIT 5;'
