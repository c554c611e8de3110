SET search_path = public, engage;
-- 04_state_io: text form, jsonb cast, binary send/recv of the state types.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;

-- Text form v1:LO..HI:>=CUT:[counts] (<= for the reversed CES scale).
SELECT nps_agg(s) FROM (VALUES (0), (9), (10), (10)) v(s);
SELECT csat_agg(s, 0, 10, 7) FROM (VALUES (0), (7), (10)) v(s);
SELECT ces_agg(s, 5) FROM (VALUES (1), (2), (5)) v(s);
-- Input accepts white space and prints the canonical form.
SELECT ' v1 : 0 .. 10 : >= 9 : [ 1, 0,0,0,0,0,0,0,0 ,2, 3 ] '::nps_state;
SELECT E'v1:1..5:>=4:[1,2,3,4,5]\n'::csat_state, ' v1:1..5:<=2:[0,0,0,0,1]'::ces_state;
-- Largest count; an empty state.
SELECT s, responses(s) FROM (VALUES ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,9223372036854775807]'::nps_state),
                                    ('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]')) v(s) ORDER BY 2;

-- Round trips through text for states built from data: every one survives.
CREATE TEMP TABLE r AS
  SELECT g % 7 AS seg,
         CASE WHEN g % 11 = 0 THEN NULL ELSE abs(hashint4(g)) % 11 END AS s10,
         1 + abs(hashint4(g + 1000)) % 5 AS s5,
         1 + abs(hashint4(g + 2000)) % 7 AS s7
  FROM generate_series(1, 3000) g;
CREATE TEMP TABLE st AS
  SELECT seg, nps_agg(s10) AS n, csat_agg(s5) AS c, csat_agg(s10, 0, 10, 6) AS c10, csat_agg(s5 > 3) AS cb,
         ces_agg(s7) AS e7, ces_agg(s5, 5) AS e5
  FROM r GROUP BY seg
  UNION ALL SELECT 99, NULL, NULL, NULL, NULL, NULL, NULL;
SELECT count(*) AS states,
       count(*) FILTER (WHERE n::text::nps_state::text IS DISTINCT FROM n::text) AS nps_bad,
       count(*) FILTER (WHERE c::text::csat_state::text IS DISTINCT FROM c::text
                           OR c10::text::csat_state::text IS DISTINCT FROM c10::text
                           OR cb::text::csat_state::text IS DISTINCT FROM cb::text) AS csat_bad,
       count(*) FILTER (WHERE e7::text::ces_state::text IS DISTINCT FROM e7::text
                           OR e5::text::ces_state::text IS DISTINCT FROM e5::text) AS ces_bad,
       count(*) FILTER (WHERE nps(n::text::nps_state) IS DISTINCT FROM nps(n)
                           OR csat(c10::text::csat_state) IS DISTINCT FROM csat(c10)
                           OR ces(e5::text::ces_state) IS DISTINCT FROM ces(e5)) AS metric_bad
FROM st;
-- The text form is exactly the counts: compare with plain SQL.
SELECT count(*) AS segments,
       count(*) FILTER (WHERE n::text <> 'v1:0..10:>=9:[' ||
         (SELECT string_agg((SELECT count(*) FROM r WHERE r.seg = st.seg AND s10 = k)::text, ',' ORDER BY k)
          FROM generate_series(0, 10) k) || ']') AS mismatches
FROM st WHERE seg < 99;

-- jsonb casts: NPS: 1 detractor (0), 1 passive (8), 2 promoters (9, 10) ->
-- NPS 100 * (2 - 1) / 4 = 25.
SELECT nps_agg(s)::jsonb FROM (VALUES (0), (8), (9), (10)) v(s);
-- CSAT 1..5 >= 4 of 1,2,4,5,5: satisfied 3 of 5 -> 60, mean 17/5 = 3.4; boolean: 1 of 2.
SELECT csat_agg(s)::jsonb FROM (VALUES (1), (2), (4), (5), (5)) v(s);
SELECT csat_agg(b)::jsonb FROM (VALUES (true), (false)) v(b);
-- CES 1..7: 2,5,6,7 -> mean 5, easy 3 -> 75%; reversed 1..5: 1,4 -> mean 2.5, easy 1 -> 50%.
SELECT ces_agg(s)::jsonb FROM (VALUES (2), (5), (6), (7)) v(s);
SELECT ces_agg(s, 5)::jsonb FROM (VALUES (1), (4)) v(s);
-- Empty states: the metric is JSON null.
SELECT 'v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,0,0]'::nps_state::jsonb -> 'nps' AS nps,
       'v1:1..5:>=4:[0,0,0,0,0]'::csat_state::jsonb -> 'csat' AS csat,
       'v1:1..7:>=5:[0,0,0,0,0,0,0]'::ces_state::jsonb -> 'ces' AS ces;
-- jsonb fields agree with the accessors on every stored state (the metric is
-- written in shortest round-trip form at the default extra_float_digits = 1).
SET extra_float_digits = 1;
SELECT count(*) FILTER (WHERE (n::jsonb ->> 'responses')::bigint <> responses(n)
                           OR (n::jsonb ->> 'promoters')::bigint <> promoters(n)
                           OR (n::jsonb ->> 'detractors')::bigint <> detractors(n)
                           OR (n::jsonb ->> 'nps')::float8 <> nps(n)
                           OR (SELECT array_agg(x::bigint) FROM jsonb_array_elements_text(n::jsonb -> 'counts') x)
                              <> score_counts(n)) AS nps_bad,
       count(*) FILTER (WHERE (c10::jsonb ->> 'satisfied')::bigint <> satisfied(c10)
                           OR (c10::jsonb ->> 'satisfied_from')::int <> 6
                           OR (c10::jsonb ->> 'csat')::float8 <> csat(c10)) AS csat_bad,
       count(*) FILTER (WHERE (e5::jsonb ->> 'ces')::float8 <> ces(e5)
                           OR (e5::jsonb ->> 'percent_easy')::float8 <> ces_easy(e5)
                           OR (e5::jsonb ->> 'scale_max')::int <> 5) AS ces_bad
FROM st WHERE seg < 99;

-- Binary form (send): version, kind, lo, hi, cut, direction, number of counts
-- as int16, then each count as int64, all in network byte order.
SELECT nps_state_send('v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,3]') =
       '\x0001' || '\x0001'::bytea || '\x0000' || '\x000a' || '\x0009' || '\x0001' || '\x000b'
       || '\x0000000000000001' || decode(repeat('0000000000000000', 8), 'hex')
       || '\x0000000000000002' || '\x0000000000000003' AS nps_layout,
       ces_state_send('v1:1..5:<=2:[1,0,0,0,0]') =
       '\x0001' || '\x0003'::bytea || '\x0001' || '\x0005' || '\x0002' || '\xffff' || '\x0005'
       || '\x0000000000000001' || decode(repeat('0000000000000000', 4), 'hex') AS ces_layout,
       length(csat_state_send('v1:1..5:>=4:[0,0,0,0,0]')) AS csat_len;

-- Binary round trip through COPY ... (FORMAT binary), NULL states included.
SELECT '/tmp/engage_regress_04_' || current_setting('port') || '_' || pg_backend_pid() AS pfx \gset
SELECT :'pfx' || '_rt.bin' AS f_rt, :'pfx' || '_bad.bin' AS f_bad \gset
COPY st TO :'f_rt' WITH (FORMAT binary);
CREATE TEMP TABLE st2 (LIKE st);
COPY st2 FROM :'f_rt' WITH (FORMAT binary);
SELECT count(*) AS rows,
       count(*) FILTER (WHERE a.n::text IS DISTINCT FROM b.n::text OR a.c::text IS DISTINCT FROM b.c::text
                           OR a.c10::text IS DISTINCT FROM b.c10::text OR a.cb::text IS DISTINCT FROM b.cb::text
                           OR a.e7::text IS DISTINCT FROM b.e7::text OR a.e5::text IS DISTINCT FROM b.e5::text)
         AS mismatches
FROM st a FULL JOIN st2 b USING (seg);

-- Binary input validation: a corrupted value goes through a one-column bytea
-- table, out to a binary file and back into a one-column state table, so that
-- its bytes reach the type's receive function.
CREATE TEMP TABLE bad_src (b bytea);
CREATE TEMP TABLE recv_nps (s nps_state);
CREATE TEMP TABLE recv_csat (s csat_state);
CREATE TEMP TABLE recv_ces (s ces_state);
CREATE FUNCTION pg_temp.recv(val bytea, tbl text, f text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE res text;
BEGIN
  TRUNCATE bad_src;
  INSERT INTO bad_src VALUES (val);
  EXECUTE format('COPY bad_src TO %L WITH (FORMAT binary)', f);
  EXECUTE format('TRUNCATE %I', tbl);
  res := pg_temp.err(format('COPY %I FROM %L WITH (FORMAT binary)', tbl, f));
  IF res = 'no error' THEN
    EXECUTE format('SELECT ''ok: '' || string_agg(s::text, '','') FROM %I', tbl) INTO res;
  END IF;
  RETURN res;
END $$;
-- good: v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,3]; offsets: version 1, kind 3,
-- lo 5, hi 7, cut 9, direction 11, number of counts 13, first count 15.
CREATE TEMP TABLE good AS SELECT nps_state_send('v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,2,3]') AS b;
SELECT name, pg_temp.recv(val, tbl, :'f_bad') AS result
FROM (SELECT 1, 'unchanged', b, 'recv_nps' FROM good
      UNION ALL SELECT 2, 'negative count', overlay(b PLACING '\xffffffffffffffff' FROM 15), 'recv_nps' FROM good
      UNION ALL SELECT 3, 'count length 5', overlay(b PLACING '\x0005' FROM 13), 'recv_nps' FROM good
      UNION ALL SELECT 4, 'count length 12', overlay(b PLACING '\x000c' FROM 13), 'recv_nps' FROM good
      UNION ALL SELECT 5, 'future version 5', overlay(b PLACING '\x0005' FROM 1), 'recv_nps' FROM good
      UNION ALL SELECT 6, 'version 0', overlay(b PLACING '\x0000' FROM 1), 'recv_nps' FROM good
      UNION ALL SELECT 7, 'kind CSAT', overlay(b PLACING '\x0002' FROM 3), 'recv_nps' FROM good
      UNION ALL SELECT 8, 'kind 5', overlay(b PLACING '\x0005' FROM 3), 'recv_nps' FROM good
      UNION ALL SELECT 9, 'csat bytes as nps', csat_state_send('v1:1..5:>=4:[1,2,3,4,5]'), 'recv_nps' FROM good
      UNION ALL SELECT 10, 'nps bytes as csat', b, 'recv_csat' FROM good
      UNION ALL SELECT 11, 'cut 8', overlay(b PLACING '\x0008' FROM 9), 'recv_nps' FROM good
      UNION ALL SELECT 12, 'direction -1', overlay(b PLACING '\xffff' FROM 11), 'recv_nps' FROM good
      UNION ALL SELECT 13, 'hi 11', overlay(b PLACING '\x000b' FROM 7), 'recv_nps' FROM good
      UNION ALL SELECT 14, 'count sum overflow',
                overlay(b PLACING '\x7fffffffffffffff7fffffffffffffff' FROM 15 + 8 * 9), 'recv_nps' FROM good
      UNION ALL SELECT 15, 'csat 0..10 >= 9', csat_state_send('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,1,1]'), 'recv_csat' FROM good
      UNION ALL SELECT 16, 'csat cut 0 on 0..10',
                overlay(csat_state_send('v1:0..10:>=9:[0,0,0,0,0,0,0,0,0,1,1]') PLACING '\x0000' FROM 9), 'recv_csat' FROM good
      UNION ALL SELECT 17, 'ces 1..5 <= 2', ces_state_send('v1:1..5:<=2:[1,0,0,0,1]'), 'recv_ces' FROM good
      UNION ALL SELECT 18, 'ces 1..5 >= 2',
                overlay(ces_state_send('v1:1..5:<=2:[1,0,0,0,1]') PLACING '\x0001' FROM 11), 'recv_ces' FROM good
      UNION ALL SELECT 19, 'ces negative count',
                overlay(ces_state_send('v1:1..7:>=5:[1,0,0,0,0,0,1]') PLACING '\x8000000000000000' FROM 15), 'recv_ces' FROM good
     ) t(k, name, val, tbl)
ORDER BY k;
-- Extra bytes after the last count are trailing junk, as in the text form:
-- 22P03 like every other malformed binary value (COPY's own check for
-- unread bytes also reports 22P03).  A value cut short inside its counts
-- must be rejected too (08P01 is PostgreSQL's code for a short message,
-- 22P03 the extension's for a wrong number of counts).
SELECT left(pg_temp.recv(b || '\x00'::bytea, 'recv_nps', :'f_bad'), 5) AS trailing_byte,
       left(pg_temp.recv(b || '\x0000000000000001'::bytea, 'recv_nps', :'f_bad'), 5) AS extra_count,
       left(pg_temp.recv(substring(b FROM 1 FOR 50), 'recv_nps', :'f_bad'), 5) IN ('08P01', '22P03')
         AS truncated_rejected,
       left(pg_temp.recv(substring(b FROM 1 FOR 14), 'recv_nps', :'f_bad'), 5) IN ('08P01', '22P03')
         AS header_only_rejected
FROM good;

SELECT format('rm -f %s %s', :'f_rt', :'f_bad') AS rm_cmd \gset
COPY (SELECT 1 WHERE false) TO PROGRAM :'rm_cmd';

-- Equality and hashing agree with the text form, the independent truth.
CREATE TEMP TABLE eq_states AS
  SELECT g, nps_agg(abs(hashint4(g % 7 * 1000 + k)) % 11) AS st
  FROM generate_series(1, 40) g, generate_series(1, g % 3 + 1) k GROUP BY g;
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE (a.st = b.st) <> (a.st::text = b.st::text)) AS eq_mismatches,
       count(*) FILTER (WHERE (a.st <> b.st) <> (a.st::text <> b.st::text)) AS ne_mismatches,
       count(*) FILTER (WHERE a.st = b.st AND nps_state_hash(a.st) <> nps_state_hash(b.st)) AS hash_mismatches
FROM eq_states a, eq_states b;
SELECT (SELECT count(*) FROM (SELECT DISTINCT st FROM eq_states) d) AS distinct_states,
       (SELECT count(DISTINCT st::text) FROM eq_states) AS distinct_texts;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM eq_states a JOIN eq_states b ON a.st = b.st;
SELECT (SELECT count(*) FROM eq_states a JOIN eq_states b ON a.st = b.st) AS hash_join_pairs,
       (SELECT count(*) FROM eq_states a JOIN eq_states b ON a.st::text = b.st::text) AS text_join_pairs;
RESET enable_mergejoin;
RESET enable_nestloop;
-- Same counts on different scales, or a different satisfied-from, are not equal.
SELECT 'v1:1..5:>=4:[1,0,0,0,1]'::csat_state = 'v1:1..5:>=3:[1,0,0,0,1]' AS other_cut,
       'v1:1..5:>=4:[1,0,0,0,1]'::csat_state = 'v1:1..5:>=4:[1,0,0,0,1]' AS same,
       'v1:1..7:>=5:[1,0,0,0,0,0,1]'::ces_state <> 'v1:1..7:>=5:[1,0,0,0,0,0,2]' AS ces_differs,
       (SELECT count(*) FROM (SELECT nps_agg(1) UNION SELECT nps_agg(1) UNION SELECT nps_agg(2)) u) AS union_rows;
