SET search_path = public, engage;
-- pgTAP: binary I/O of the state types (send/recv), through COPY ... FORMAT
-- binary: a bytea written with COPY TO is read back as the state type, so its
-- bytes reach the type's receive function unchanged.  Needs a superuser (server
-- files); the file lives in the data directory and is removed after reading.
--   22P03 for a bad version, kind, scale, count length or negative count
--   22003 for counts past 2^63-1
BEGIN;
SELECT plan(16);

-- bin_recv(type, payload): the text form of payload received as type.
CREATE FUNCTION pg_temp.bin_recv(typ regtype, payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    f text := current_setting('data_directory') || '/engage_pgtap_' || pg_backend_pid() || '.bin';
    r text;
BEGIN
    EXECUTE format('CREATE TEMP TABLE IF NOT EXISTS bin_in (s %s)', typ);
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', payload, f);
    EXECUTE format('COPY bin_in FROM PROGRAM %L (FORMAT binary)',
                   format('cat ''%s''; rc=$?; rm -f ''%s''; exit $rc', f, f));
    SELECT s::text INTO r FROM bin_in;
    DROP TABLE bin_in;
    RETURN r;
END
$$;

-- hdr(version, kind, lo, hi, cut, dir, nbins) || counts: the binary layout.
CREATE FUNCTION pg_temp.hdr(VARIADIC f int[]) RETURNS bytea LANGUAGE sql AS $$
    SELECT string_agg(substring(int4send(x) FROM 3 FOR 2), ''::bytea ORDER BY o)
      FROM unnest(f) WITH ORDINALITY u(x, o)
$$;
CREATE FUNCTION pg_temp.counts(VARIADIC c bigint[]) RETURNS bytea LANGUAGE sql AS $$
    SELECT string_agg(int8send(x), ''::bytea ORDER BY o) FROM unnest(c) WITH ORDINALITY u(x, o)
$$;

SELECT is(nps_state_send('v1:0..10:>=9:[1,2,3,4,5,6,7,8,9,10,11]'),
          pg_temp.hdr(1, 1, 0, 10, 9, 1, 11) || pg_temp.counts(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
          'nps_state binary form: int16 version, kind, min, max, cut, direction, count length, then int64 counts');
SELECT is(ces_state_send('v1:1..5:<=2:[1,0,0,0,2]'),
          pg_temp.hdr(1, 3, 1, 5, 2, -1, 5) || pg_temp.counts(1, 0, 0, 0, 2),
          'ces_state binary form of the reversed 1..5 scale (direction -1)');

SELECT is(pg_temp.bin_recv('nps_state', nps_state_send(s)), s::text, format('nps_state %s survives binary send and receive', s))
  FROM (VALUES ('v1:0..10:>=9:[1,2,3,4,5,6,7,8,9,10,11]'::nps_state),
               ('v1:0..10:>=9:[9223372036854775807,0,0,0,0,0,0,0,0,0,0]')) v(s);
SELECT is(pg_temp.bin_recv('csat_state', csat_state_send(s)), s::text, format('csat_state %s survives binary send and receive', s))
  FROM (VALUES ('v1:1..7:>=6:[1,0,0,0,1,2,3]'::csat_state)) v(s);
SELECT is(pg_temp.bin_recv('ces_state', ces_state_send(s)), s::text, format('ces_state %s survives binary send and receive', s))
  FROM (VALUES ('v1:1..5:<=2:[2,1,1,0,1]'::ces_state)) v(s);

SELECT throws_ok(format('SELECT pg_temp.bin_recv(%L, %L::bytea)', t, p), '22P03', NULL, d) FROM (VALUES
    ('nps_state',  pg_temp.hdr(9, 1, 0, 10, 9, 1, 11) || pg_temp.counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),  'binary nps_state: future format version 9'),
    ('nps_state',  pg_temp.hdr(0, 1, 0, 10, 9, 1, 11) || pg_temp.counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),  'binary nps_state: format version 0'),
    ('nps_state',  pg_temp.hdr(1, 2, 1, 5, 4, 1, 5) || pg_temp.counts(0, 0, 0, 0, 1),                     'binary nps_state: a csat_state value'),
    ('nps_state',  pg_temp.hdr(1, 1, 0, 10, 8, 1, 11) || pg_temp.counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),  'binary nps_state: promoters from 8'),
    ('nps_state',  pg_temp.hdr(1, 1, 0, 10, 9, 1, 10) || pg_temp.counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 1),     'binary nps_state: 10 counts for 11 points'),
    ('nps_state',  pg_temp.hdr(1, 1, 0, 10, 9, 1, 11) || pg_temp.counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1), 'binary nps_state: negative count'),
    ('csat_state', pg_temp.hdr(1, 2, 1, 5, 6, 1, 5) || pg_temp.counts(0, 0, 0, 0, 1),                     'binary csat_state: satisfied_from off the scale'),
    ('ces_state',  pg_temp.hdr(1, 3, 1, 7, 5, -1, 7) || pg_temp.counts(0, 0, 0, 0, 0, 0, 1),              'binary ces_state: 1..7 with reversed polarity')
) v(t, p, d);

SELECT throws_ok(
    format('SELECT pg_temp.bin_recv(%L, %L::bytea)', 'nps_state',
           pg_temp.hdr(1, 1, 0, 10, 9, 1, 11) || pg_temp.counts(9223372036854775807, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
    '22003', NULL, 'binary nps_state: counts summing past 2^63-1');
SELECT is(pg_temp.bin_recv('csat_state', pg_temp.hdr(1, 2, 0, 1, 1, 1, 2) || pg_temp.counts(3, 4)), 'v1:0..1:>=1:[3,4]',
          'a hand-built binary csat_state is received');

SELECT * FROM finish();
ROLLBACK;
