SET search_path = public, engage;
-- 18_sessions: sessionize(), session_state, rollup() and page_stats()
-- against hand-computed cases and the plain-SQL way (LAG + running SUM
-- window functions), in any row order and under parallel plans.
--
-- A session is cut where consecutive events of one user are MORE than gap
-- apart; events exactly gap apart stay in the same session.  Duration of a
-- session = last - first event (a bounce lasts 0).  Engaged (GA4) = longer
-- than 10 s or 2+ page views.

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;

SET TimeZone = 'UTC';

-- ---------------------------------------------------------------------------
-- Hand-computed
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hand (u text, ts timestamptz, page text);
INSERT INTO hand VALUES
  -- a, gap 30 min: [10:00 /, 10:10 /a, 10:40 /b] (10:40 is exactly 30 min
  --    after 10:10: same session; 40 min), [11:10:00.000001 /] (30 min + 1 us
  --    later: a new session, a bounce), [12:00 /a, 12:00:08 /c] (8 s, engaged
  --    by its 2 page views): 3 sessions, 6 events, 2408 s, 1 bounce, 2 engaged
  ('a', '2024-01-01 10:00', '/'), ('a', '2024-01-01 10:10', '/a'), ('a', '2024-01-01 10:40', '/b'),
  ('a', '2024-01-01 11:10:00.000001', '/'), ('a', '2024-01-01 12:00', '/a'), ('a', '2024-01-01 12:00:08', '/c'),
  -- b: one event: 1 session, a bounce
  ('b', '2024-01-02 09:00', '/'),
  -- c: two events at the same instant: 1 session of 2 page views, 0 s, not a
  --    bounce, engaged; page_stats orders the tie by page: /x then /y
  ('c', '2024-01-03 09:00', '/y'), ('c', '2024-01-03 09:00', '/x'),
  -- d: only a NULL timestamp (and a NULL page): NULL
  ('d', NULL, '/'), ('d', '2024-01-04 09:00', NULL);
SELECT u, sessionize(ts) FROM hand WHERE page IS NOT NULL GROUP BY u ORDER BY u;
SELECT u, sessionize(ts, '10 minutes') AS gap_10min, sessionize(ts, '1 day') AS gap_1day
FROM hand WHERE u = 'a' GROUP BY u;
-- Accessors of one user and of the rollup over users:
-- 5 sessions, 9 events, 2408 s, 2 bounces, 3 engaged.
SELECT u, sessions(s), events(s), pageviews(s), bounces(s), engaged_sessions(s), session_gap(s),
       total_session_duration(s), avg_session_duration(s), avg_session_seconds(s), pages_per_session(s),
       bounce_rate(s), engagement_rate(s)
FROM (SELECT u, sessionize(ts) AS s FROM hand WHERE page IS NOT NULL GROUP BY u
      UNION ALL
      SELECT 'all', rollup(s) FROM (SELECT sessionize(ts) AS s FROM hand WHERE page IS NOT NULL GROUP BY u) x) q
ORDER BY u;
-- One call, as a BI tool writes it: rollup of the per-user states, or
-- sessionize(user_id, ts) over every user's rows at once (each user is
-- sessionized on its own; the same state).
SELECT bounce_rate(rollup(s)) AS bounce_rate, avg_session_duration(rollup(s)) AS avg_duration,
       pages_per_session(rollup(s)) AS pages_per_session
FROM (SELECT sessionize(ts) AS s FROM hand GROUP BY u) x;
SELECT bounce_rate(sessionize(ascii(u), ts)) AS bounce_rate, avg_session_duration(sessionize(ascii(u), ts)) AS avg_duration,
       pages_per_session(sessionize(ascii(u), ts)) AS pages_per_session,
       sessionize(ascii(u), ts) = (SELECT rollup(s) FROM (SELECT sessionize(ts) AS s FROM hand GROUP BY u) x) AS equals_rollup,
       sessionize(ascii(u), ts, '10 minutes') AS gap_10min
FROM hand;
-- Two users with interleaved events are never one session.
SELECT sessionize(u, ts) FROM (VALUES (1, '2024-01-01 10:00'::timestamptz), (2, '2024-01-01 10:01'),
                                      (1, '2024-01-01 10:02'), (2, '2024-01-01 10:03')) v(u, ts);
SELECT (rollup(s))::jsonb FROM (SELECT sessionize(ts) AS s FROM hand GROUP BY u) x;
-- avg_session_duration rounds half up to the microsecond: 3 us / 2 sessions.
SELECT avg_session_duration('v1;gap_us=1800000000;sessions=2;events=4;duration_us=3;bounces=0;engaged=2'),
       avg_session_duration('v1;gap_us=1800000000;sessions=3;events=6;duration_us=4;bounces=0;engaged=3');
-- A gap of '1 day' and of '24 hours' is the same gap.
SELECT (SELECT sessionize(ts, '1 day') FROM hand) = (SELECT sessionize(ts, '24 hours') FROM hand) AS same_gap;
-- No rows, or only NULL timestamps (or users): NULL.
SELECT sessionize(ts) IS NULL AS no_rows FROM hand WHERE false;
SELECT sessionize(NULL::bigint, ts) IS NULL AS null_users FROM hand;
SELECT sessionize(ts) IS NULL AS null_ts FROM hand WHERE ts IS NULL;
SELECT rollup(s) IS NULL AS rollup_no_rows FROM (SELECT sessionize(ts) AS s FROM hand WHERE false) x;

-- page_stats, user a: sessions [/ /a /b], [/], [/a /c]
--   /  : 2 views, 2 entrances, 1 exit, 1 timed view of 10 min
--   /a : 2 views, 1 entrance, 0 exits, 2 timed views: 30 min + 8 s
--   /b, /c : 1 view, 1 exit, no time
-- user c: /x (entrance, 0 s to /y), /y (exit).
SELECT u, (p).* FROM (SELECT u, unnest(page_stats(ts, page)) AS p FROM hand GROUP BY u) x ORDER BY u, (p).page;
SELECT u, (p).* FROM (SELECT u, unnest(page_stats(ts, page, '10 minutes')) AS p FROM hand WHERE u = 'a' GROUP BY u) x
ORDER BY (p).page;
SELECT page_stats(ts, page) IS NULL AS page_stats_null FROM hand WHERE u = 'd';

-- ---------------------------------------------------------------------------
-- Against the plain SQL, on a hash-generated regular table: 100k events of
-- 2000 users, each user with 12 session slots 5 hours apart, each event at
-- a hashed second of its slot's first 90 minutes (so slots split, bounce or
-- merge), 20 pages, some timestamps repeated, some NULL pages.
-- ---------------------------------------------------------------------------
CREATE TABLE sess_events AS
SELECT (h % 2000)::int + 1 AS user_id,
       TIMESTAMPTZ '2024-03-01 00:00+00' + ((h / 2000) % 12) * interval '5 hours'
         + ((h / 24000) % 5400) * interval '1 second'
         + CASE WHEN (h / 129600000) % 10 = 0 THEN interval '0' ELSE ((h / 1296000000) % 1000) * interval '1 millisecond' END AS ts,
       CASE WHEN (h / 1296000000000) % 50 = 0 THEN NULL ELSE '/p' || (h / 64800000000000) % 20 END AS page
FROM (SELECT hashint8extended(i, 18) & 9223372036854775807 AS h FROM generate_series(1, 100000) i) g;
ANALYZE sess_events;

-- The plain-SQL truth per user: LAG marks a new session, a running SUM
-- numbers the sessions, then GROUP BY session.
CREATE TEMP TABLE truth AS
WITH e AS (
  SELECT user_id, ts,
         CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= interval '30 minutes' THEN 0 ELSE 1 END AS new_s
  FROM sess_events),
s AS (SELECT user_id, ts, sum(new_s) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid FROM e),
ss AS (SELECT user_id, sid, count(*) AS n, max(ts) - min(ts) AS d FROM s GROUP BY user_id, sid)
SELECT user_id, count(*) AS sessions, sum(n) AS events,
       (sum(extract(epoch FROM d)) * 1000000)::bigint AS duration_us,
       count(*) FILTER (WHERE n = 1) AS bounces,
       count(*) FILTER (WHERE n >= 2 OR d > interval '10 seconds') AS engaged
FROM ss GROUP BY user_id;
CREATE TEMP TABLE mine AS
SELECT user_id, s FROM (SELECT user_id, sessionize(ts) AS s FROM sess_events GROUP BY user_id) x;
SELECT (SELECT count(*) FROM truth) AS users, (SELECT sum(sessions) FROM truth) AS sessions,
       (SELECT sum(bounces) FROM truth) AS bounces, (SELECT sum(events) FROM truth) AS events,
       (SELECT count(*) FROM truth t FULL JOIN mine m USING (user_id)
         WHERE (t.sessions, t.events, t.duration_us, t.bounces, t.engaged)
               IS DISTINCT FROM (sessions(m.s), events(m.s), (extract(epoch FROM total_session_duration(m.s)) * 1000000)::bigint,
                                 bounces(m.s), engaged_sessions(m.s))) AS mismatched_users;
-- The one-call form over all users equals the rollup of the per-user states.
SELECT (SELECT sessionize(user_id, ts) FROM sess_events) = (SELECT rollup(s) FROM mine) AS one_call_equals_rollup,
       (SELECT sessionize(user_id, ts, '5 minutes') FROM sess_events WHERE user_id <= 200)
       = (SELECT rollup(s) FROM (SELECT sessionize(ts, '5 minutes') AS s FROM sess_events WHERE user_id <= 200
                                 GROUP BY user_id) x) AS one_call_equals_rollup_5min;
-- The three numbers across users, rollup against the plain SQL.
SELECT round(bounce_rate(r)::numeric, 10) = round(100.0 * t.b / t.s, 10) AS bounce_rate_equal,
       avg_session_duration(r) = t.avg_d AS avg_duration_equal,
       round(pages_per_session(r)::numeric, 10) = round(t.e::numeric / t.s, 10) AS pages_per_session_equal,
       total_session_duration(r) = t.d AS total_duration_equal
FROM (SELECT rollup(s) AS r FROM mine) x,
     (SELECT sum(sessions) AS s, sum(bounces) AS b, sum(events) AS e, sum(duration_us) * interval '1 microsecond' AS d,
             round(sum(duration_us) / sum(sessions)) * interval '1 microsecond' AS avg_d FROM truth) t;
-- Another gap (5 minutes), fewer users.
SELECT count(*) AS mismatched_users_5min
FROM (SELECT user_id, sessionize(ts, '5 minutes') AS s FROM sess_events WHERE user_id <= 200 GROUP BY user_id) m
FULL JOIN (
  SELECT user_id, count(*) AS sessions, count(*) FILTER (WHERE n = 1) AS bounces,
         (sum(extract(epoch FROM d)) * 1000000)::bigint AS duration_us
  FROM (SELECT user_id, sid, count(*) AS n, max(ts) - min(ts) AS d
        FROM (SELECT user_id, ts, sum(new_s) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid
              FROM (SELECT user_id, ts,
                           CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= interval '5 minutes'
                                THEN 0 ELSE 1 END AS new_s
                    FROM sess_events WHERE user_id <= 200) e) s
        GROUP BY user_id, sid) ss
  GROUP BY user_id) t USING (user_id)
WHERE (t.sessions, t.bounces, t.duration_us) IS DISTINCT FROM
      (sessions(m.s), bounces(m.s), (extract(epoch FROM total_session_duration(m.s)) * 1000000)::bigint);

-- page_stats against LAG / LEAD (events ordered by ts, then page in C order).
CREATE TEMP TABLE page_truth AS
WITH e AS (
  SELECT user_id, page, ts, lag(ts) OVER w AS prev_ts, lead(ts) OVER w AS next_ts
  FROM sess_events WHERE page IS NOT NULL
  WINDOW w AS (PARTITION BY user_id ORDER BY ts, page COLLATE "C"))
SELECT page, count(*) AS views,
       count(*) FILTER (WHERE prev_ts IS NULL OR ts - prev_ts > interval '30 minutes') AS entrances,
       count(*) FILTER (WHERE next_ts IS NULL OR next_ts - ts > interval '30 minutes') AS exits,
       count(*) FILTER (WHERE next_ts - ts <= interval '30 minutes') AS timed_views,
       coalesce(sum(next_ts - ts) FILTER (WHERE next_ts - ts <= interval '30 minutes'), interval '0') AS time_on_page
FROM e GROUP BY page;
CREATE TEMP TABLE page_mine AS
SELECT (p).page, sum((p).views) AS views, sum((p).entrances) AS entrances, sum((p).exits) AS exits,
       sum((p).timed_views) AS timed_views, sum((p).time_on_page) AS time_on_page
FROM (SELECT unnest(page_stats(ts, page)) AS p FROM sess_events GROUP BY user_id) x GROUP BY (p).page;
SELECT (SELECT count(*) FROM page_truth) AS pages, (SELECT sum(views) FROM page_truth) AS views,
       (SELECT sum(exits) FROM page_truth) AS exits,
       (SELECT count(*) FROM page_truth t FULL JOIN page_mine m USING (page)
         WHERE (t.views, t.entrances, t.exits, t.timed_views, t.time_on_page)
               IS DISTINCT FROM (m.views, m.entrances, m.exits, m.timed_views, m.time_on_page)) AS mismatched_pages;
-- The BI query: exit rate and average time on page per page.
SELECT (p).page, sum((p).views) AS views, sum((p).exits) AS exits,
       round(100.0 * sum((p).exits) / sum((p).views), 2) AS exit_rate,
       date_trunc('second', sum((p).time_on_page) / nullif(sum((p).timed_views), 0)) AS avg_time_on_page
FROM (SELECT unnest(page_stats(ts, page)) AS p FROM sess_events GROUP BY user_id) x
GROUP BY (p).page ORDER BY (p).page LIMIT 5;
-- Exits add up to sessions (of the rows with a page).
SELECT (SELECT sum(exits) FROM page_mine) = (SELECT sessions(rollup(s)) FROM
         (SELECT sessionize(ts) AS s FROM sess_events WHERE page IS NOT NULL GROUP BY user_id) x) AS exits_are_sessions;

-- ---------------------------------------------------------------------------
-- Order independence: ascending, descending and scrambled input orders.
-- ---------------------------------------------------------------------------
SELECT count(*) FILTER (WHERE a <> d OR a <> r) AS sessionize_differs,
       count(*) FILTER (WHERE pa::text <> pd::text OR pa::text <> pr::text) AS page_stats_differs
FROM (SELECT user_id,
             sessionize(ts ORDER BY ts) AS a, sessionize(ts ORDER BY ts DESC) AS d,
             sessionize(ts ORDER BY hashtext(page || ts::text)) AS r,
             page_stats(ts, page ORDER BY ts, page) AS pa, page_stats(ts, page ORDER BY ts DESC, page DESC) AS pd,
             page_stats(ts, page ORDER BY hashtext(page || ts::text)) AS pr
      FROM sess_events WHERE user_id <= 500 GROUP BY user_id) x;
SELECT sessionize(user_id, ts ORDER BY ts, user_id) = sessionize(user_id, ts ORDER BY user_id DESC, ts DESC)
       AND sessionize(user_id, ts ORDER BY ts, user_id) = sessionize(user_id, ts ORDER BY hashtext(page || ts::text))
       AS one_call_order_free
FROM sess_events;

-- ---------------------------------------------------------------------------
-- Parallel plans (regular table): partial states of one user from several
-- workers are serialized and concatenated; equal to the serial run.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE ser AS SELECT user_id, page_stats(ts, page)::text AS p FROM sess_events GROUP BY user_id;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM (SELECT user_id, sessionize(ts) AS s, page_stats(ts, page) AS p FROM sess_events GROUP BY user_id) par;
SELECT count(*) AS users,
       count(*) FILTER (WHERE par.s IS DISTINCT FROM mine.s) AS sessionize_differs,
       count(*) FILTER (WHERE par.p::text IS DISTINCT FROM ser.p) AS page_stats_differs
FROM (SELECT user_id, sessionize(ts) AS s, page_stats(ts, page) AS p FROM sess_events GROUP BY user_id) par
JOIN mine USING (user_id) JOIN ser USING (user_id);
-- The one-call form: partial states of (user, ts) pairs.
EXPLAIN (COSTS OFF) SELECT sessionize(user_id, ts) FROM sess_events;
SELECT sessionize(user_id, ts) = (SELECT rollup(s) FROM mine) AS one_call_parallel_equal FROM sess_events;
-- One user: every worker holds part of the user's events.
EXPLAIN (COSTS OFF) SELECT sessionize(ts), page_stats(ts, page) FROM sess_events WHERE user_id = 7;
SELECT sessionize(ts) = (SELECT s FROM mine WHERE user_id = 7) AS one_user_sessionize_equal,
       page_stats(ts, page)::text = (SELECT p FROM ser WHERE user_id = 7) AS one_user_page_stats_equal
FROM sess_events WHERE user_id = 7;
RESET enable_hashagg;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- ---------------------------------------------------------------------------
-- Rollup: any grouping adds up to the whole; a moving window (inverse
-- transition) equals the direct rollup of each frame.
-- ---------------------------------------------------------------------------
SELECT (SELECT rollup(s) FROM mine) =
       (SELECT rollup(r) FROM (SELECT rollup(s) AS r FROM mine GROUP BY user_id % 7) x) AS grouped_rollup_equal,
       (SELECT rollup(s) FROM mine) = (SELECT rollup(s ORDER BY user_id DESC) FROM mine) AS order_free;
SELECT count(*) AS frames,
       count(*) FILTER (WHERE w IS DISTINCT FROM (SELECT rollup(m2.s) FROM mine m2
                                               WHERE m2.user_id BETWEEN x.user_id - 4 AND x.user_id)) AS differs
FROM (SELECT user_id, rollup(s) OVER (ORDER BY user_id ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS w
      FROM mine WHERE user_id <= 300) x;

-- ---------------------------------------------------------------------------
-- Text and binary forms
-- ---------------------------------------------------------------------------
SELECT count(*) AS users, count(*) FILTER (WHERE s::text::session_state <> s) AS text_round_trip_differs,
       (SELECT count(*) FROM (SELECT DISTINCT s FROM mine) d) AS distinct_states,
       (SELECT count(*) FROM (SELECT s FROM mine UNION SELECT s::text::session_state FROM mine) d) AS union_states,
       count(*) FILTER (WHERE session_state_hash(s) <> session_state_hash(s::text::session_state)) AS hash_differs
FROM mine;
-- Binary layout: int16 version, int16 flags, then int64 gap, sessions,
-- events, duration_us, bounces, engaged.
SELECT session_state_send('v1;gap_us=1800000000;sessions=3;events=6;duration_us=2408000000;bounces=1;engaged=2');
-- Binary round trip through COPY ... (FORMAT binary), NULL included.
SELECT '/tmp/engage_regress_18_' || current_setting('port') || '_' || pg_backend_pid() AS pfx \gset
SELECT :'pfx' || '_rt.bin' AS f_rt, :'pfx' || '_bad.bin' AS f_bad \gset
CREATE TEMP TABLE st AS SELECT user_id, s FROM mine UNION ALL SELECT -1, NULL;
COPY st TO :'f_rt' WITH (FORMAT binary);
CREATE TEMP TABLE st2 (LIKE st);
COPY st2 FROM :'f_rt' WITH (FORMAT binary);
SELECT count(*) AS rows, count(*) FILTER (WHERE a.s::text IS DISTINCT FROM b.s::text) AS mismatches
FROM st a FULL JOIN st2 b USING (user_id);
-- Binary input is validated like text input.
CREATE TEMP TABLE bad_src (b bytea);
CREATE TEMP TABLE recv_sess (s session_state);
CREATE FUNCTION pg_temp.recv(val bytea, f text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE res text;
BEGIN
  TRUNCATE bad_src;
  INSERT INTO bad_src VALUES (val);
  EXECUTE format('COPY bad_src TO %L WITH (FORMAT binary)', f);
  TRUNCATE recv_sess;
  res := pg_temp.err(format('COPY recv_sess FROM %L WITH (FORMAT binary)', f));
  IF res = 'no error' THEN
    SELECT 'ok: ' || string_agg(s::text, ',') INTO res FROM recv_sess;
  END IF;
  RETURN res;
END $$;
-- offsets: version 1, flags 3, gap 5, sessions 13, events 21, duration 29,
-- bounces 37, engaged 45; 52 bytes.
CREATE TEMP TABLE good AS
SELECT session_state_send('v1;gap_us=1800000000;sessions=3;events=6;duration_us=2408000000;bounces=1;engaged=2') AS b;
SELECT name, pg_temp.recv(val, :'f_bad') AS result
FROM (SELECT 1, 'unchanged', b FROM good
      UNION ALL SELECT 2, 'version 2', overlay(b PLACING '\x0002' FROM 1) FROM good
      UNION ALL SELECT 3, 'version 0', overlay(b PLACING '\x0000' FROM 1) FROM good
      UNION ALL SELECT 4, 'flags 1', overlay(b PLACING '\x0001' FROM 3) FROM good
      UNION ALL SELECT 5, 'gap 0', overlay(b PLACING '\x0000000000000000' FROM 5) FROM good
      UNION ALL SELECT 6, 'negative sessions', overlay(b PLACING '\xffffffffffffffff' FROM 13) FROM good
      UNION ALL SELECT 7, 'bounces 4 > sessions', overlay(b PLACING '\x0000000000000004' FROM 37) FROM good
      UNION ALL SELECT 8, 'events 3 < 2 sessions - bounces', overlay(b PLACING '\x0000000000000003' FROM 21) FROM good
      UNION ALL SELECT 9, 'engaged 3', overlay(b PLACING '\x0000000000000003' FROM 45) FROM good
      UNION ALL SELECT 10, 'short', substr(b, 1, 51) FROM good
      UNION ALL SELECT 11, 'trailing byte', b || '\x00'::bytea FROM good
      UNION ALL SELECT 12, 'bounces only, duration 1',
                overlay(session_state_send('v1;gap_us=60000000;sessions=1;events=1;duration_us=0;bounces=1;engaged=0')
                        PLACING '\x0000000000000001' FROM 29) FROM good) v(k, name, val)
ORDER BY k;
SELECT format('rm -f %s %s', :'f_rt', :'f_bad') AS rm_cmd \gset
COPY (SELECT 1 WHERE false) TO PROGRAM :'rm_cmd';
-- jsonb of an empty state (every count 0, possible after a window's inverse).
SELECT 'v1;gap_us=1800000000;sessions=0;events=0;duration_us=0;bounces=0;engaged=0'::session_state::jsonb;
SELECT bounce_rate(s), avg_session_duration(s), pages_per_session(s), engagement_rate(s), avg_session_seconds(s)
FROM (SELECT 'v1;gap_us=1800000000;sessions=0;events=0;duration_us=0;bounces=0;engaged=0'::session_state AS s) x;

-- ---------------------------------------------------------------------------
-- Errors, by SQLSTATE
-- ---------------------------------------------------------------------------
SELECT q, pg_temp.err(q) AS error FROM (VALUES
  ('SELECT sessionize(ts, ''0 minutes'') FROM hand'),
  ('SELECT sessionize(ts, ''-5 minutes'') FROM hand'),
  ('SELECT sessionize(ts, ''1 month'') FROM hand'),
  ('SELECT sessionize(ts, ''1 day -24 hours'') FROM hand'),
  ('SELECT sessionize(ts, ''2000000000 days'') FROM hand'),
  ('SELECT sessionize(ts, NULL) FROM hand'),
  ('SELECT page_stats(ts, page, NULL) FROM hand'),
  ('SELECT page_stats(ts, page, ''0 seconds'') FROM hand'),
  ('SELECT sessionize(ts, g) FROM (VALUES (now(), ''30 minutes''::interval), (now(), ''1 hour'')) v(ts, g)'),
  ('SELECT page_stats(ts, ''/'', g) FROM (VALUES (now(), ''30 minutes''::interval), (now(), ''1 hour'')) v(ts, g)'),
  ('SELECT sessionize(''infinity'')'),
  ('SELECT sessionize(1, ''infinity'')'),
  ('SELECT sessionize(user_id, ts, NULL) FROM sess_events'),
  ('SELECT sessionize(user_id, ts, ''1 year'') FROM sess_events'),
  ('SELECT page_stats(''-infinity'', ''/'')'),
  ('SELECT rollup(s) FROM (VALUES (''v1;gap_us=1;sessions=1;events=1;duration_us=0;bounces=1;engaged=0''::session_state),
                                  (''v1;gap_us=2;sessions=1;events=1;duration_us=0;bounces=1;engaged=0'')) v(s)'),
  ('SELECT rollup(s) FROM (VALUES (''v1;gap_us=1;sessions=9223372036854775807;events=9223372036854775807;duration_us=0;bounces=9223372036854775807;engaged=0''::session_state),
                                  (''v1;gap_us=1;sessions=1;events=1;duration_us=0;bounces=1;engaged=0'')) v(s)'),
  ('SELECT sessions_combine_inv(''v1;gap_us=1;sessions=1;events=1;duration_us=0;bounces=1;engaged=0'',
                                ''v1;gap_us=1;sessions=1;events=1;duration_us=0;bounces=1;engaged=0'')'),
  ('SELECT ''v1;gap_us=1800000000;sessions=1;events=1;duration_us=0;bounces=1''::session_state'),
  ('SELECT ''v1;gap_us=1800000000;sessions=1;events=1;duration_us=0;bounces=1;engaged=0;x=1''::session_state'),
  ('SELECT ''v2;gap_us=1800000000;sessions=1;events=1;duration_us=0;bounces=1;engaged=0''::session_state'),
  ('SELECT ''v1;gap_us=0;sessions=1;events=1;duration_us=0;bounces=1;engaged=0''::session_state'),
  ('SELECT ''v1;gap_us=1;sessions=-1;events=1;duration_us=0;bounces=1;engaged=0''::session_state'),
  ('SELECT ''v1;gap_us=1;sessions=1;events=2;duration_us=0;bounces=2;engaged=0''::session_state'),
  ('SELECT ''v1;gap_us=1;sessions=2;events=2;duration_us=0;bounces=1;engaged=1''::session_state'),
  ('SELECT ''v1;gap_us=1;sessions=1;events=1;duration_us=5;bounces=1;engaged=0''::session_state'),
  ('SELECT ''v1;gap_us=1;sessions=1;events=2;duration_us=0;bounces=0;engaged=0''::session_state'),
  ('SELECT ''v1;gap_us=1;sessions=1;events=99999999999999999999;duration_us=0;bounces=0;engaged=1''::session_state'),
  ('SELECT ''''::session_state')
) v(q);
-- The DETAIL says what is allowed.
CREATE FUNCTION pg_temp.err_detail(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ': ' || d; END $$;
SELECT pg_temp.err_detail('SELECT sessionize(ts, ''1 month'') FROM hand') AS gap,
       pg_temp.err_detail('SELECT sessionize(ts, NULL) FROM hand') AS null_gap,
       pg_temp.err_detail('SELECT ''v1;gap_us=1;sessions=1;events=1;duration_us=5;bounces=1;engaged=0''::session_state') AS literal,
       pg_temp.err_detail('SELECT rollup(s) FROM (VALUES (''v1;gap_us=1;sessions=1;events=1;duration_us=0;bounces=1;engaged=0''::session_state),
                                  (''v1;gap_us=2;sessions=1;events=1;duration_us=0;bounces=1;engaged=0'')) v(s)') AS rollup_gaps;
