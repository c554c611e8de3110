-- Random and mutated literals of every engage state type through the real
-- server's text input, for test/fuzz/literals.sh (psql variables: batches,
-- batch_size, seed).  Each literal is cast to its type in its own
-- subtransaction:
--   rejected: the SQLSTATE must be one of the type's documented ones
--             (table expected below), else the literal goes to table bad;
--   accepted: out(v) must be accepted again with the same text and the same
--             send() bytes (NaN aside: float8 keeps the sign of '-NaN' in
--             binary but prints NaN), else it goes to bad with outcome RT-...
-- Binary input is not fed here (receive functions take internal); the
-- libFuzzer harness (fuzz_io.c) covers it, and 51_literals.sh feeds one
-- binary regression case through COPY.
\set ON_ERROR_STOP 1
\ir values.sql

SELECT setseed(:seed / 2147483648.0);

CREATE TEMP TABLE pool AS
    SELECT typ, array_agg(val ORDER BY val) AS vals FROM v WHERE val IS NOT NULL GROUP BY typ;
CREATE TEMP TABLE res (typ text, outcome text, n bigint);
CREATE TEMP TABLE bad (typ text, outcome text, lit text);

-- The SQLSTATEs a rejected literal may have: syntax (22P02), a number past its
-- range (22003), a value too large (54000); flow_state's timestamps go through
-- timestamptz input: 22007 format, 22008 field or value out of range, 22009
-- time zone displacement, 22023 unknown time zone name.
CREATE TEMP TABLE expected (typ text, code text);
INSERT INTO expected SELECT p.typ, c FROM pool p, unnest(ARRAY['22P02', '22003', '54000']) c;
INSERT INTO expected SELECT 'flow_state', c FROM unnest(ARRAY['22007', '22008', '22009', '22023']) c;

-- A random integer in 0..n-1.
CREATE FUNCTION pg_temp.rnd(n int) RETURNS int LANGUAGE sql AS $$ SELECT floor(random() * n)::int $$;

-- A random character: mostly the formats' own characters, sometimes any printable or non-ASCII one.
CREATE FUNCTION pg_temp.rnd_char() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r int := pg_temp.rnd(100);
BEGIN
    IF r < 70 THEN
        RETURN substr('0123456789-+.,;:=/{}[]<>v eEa.:;{,}', 1 + pg_temp.rnd(35), 1);
    ELSIF r < 95 THEN
        RETURN chr(32 + pg_temp.rnd(95));
    ELSIF r < 98 THEN
        RETURN chr(160 + pg_temp.rnd(1800));
    END IF;
    RETURN chr(65536 + pg_temp.rnd(4096));
END $$;

-- Tokens worth inserting: edge numbers, special floats and timestamps, separators, versions.
CREATE FUNCTION pg_temp.rnd_token() RETURNS text LANGUAGE sql AS $$
    SELECT (ARRAY['0', '1', '-1', '-', '+', '9223372036854775807', '9223372036854775808',
        '-9223372036854775808', '-9223372036854775809', '2147483647', '2147483648', '32767', '32768',
        '65536', '99999999999999999999999999', '1e308', '1e309', '1e-320', '1e-400', '-0', 'NaN',
        'Infinity', '-Infinity', 'inf', ' ', '   ', ',', ';', ':', '..', '{', '}', '[', ']', '=', '/',
        '>=', '<=', 'v0', 'v1', 'v2', 'v32767', 'v99999999999', 'ratio', 'ledger', 'mon', 'd', 'us',
        ' BC', 'infinity', '-infinity', '2024-02-30', '0000-01-01', '294277-01-01 00:00:00+00',
        '4714-11-23 00:00:00+00 BC', '2024-01-01 00:00:00+16', '2024-01-01 00:00:00 Foo/Bar',
        '1.5', '.', 'e', 'E', '\', '''', '"', 'é', '€', '𝄞', E'\t', E'\n', 'x', 'null',
        '0x10', '1_000', '٣', '00000000000000000000000000000001'])[1 + pg_temp.rnd(79)]
$$;

-- One random change to lit; other is another literal of the same type, for splicing.
CREATE FUNCTION pg_temp.mutate1(lit text, other text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    len int := length(lit);
    p int := 1 + pg_temp.rnd(len + 1);
    op int := pg_temp.rnd(100);
    k int;
    runs int;
BEGIN
    IF op < 22 THEN         -- replace a character
        RETURN overlay(lit PLACING pg_temp.rnd_char() FROM p FOR 1);
    ELSIF op < 40 THEN      -- insert a token
        RETURN overlay(lit PLACING pg_temp.rnd_token() FROM p FOR 0);
    ELSIF op < 55 THEN      -- delete a short span
        RETURN overlay(lit PLACING '' FROM p FOR 1 + pg_temp.rnd(4));
    ELSIF op < 70 THEN      -- replace one number with an edge value
        runs := regexp_count(lit, '[0-9]+');
        IF runs = 0 THEN
            RETURN lit || pg_temp.rnd_token();
        END IF;
        RETURN regexp_replace(lit, '[0-9]+', pg_temp.rnd_token(), 1, 1 + pg_temp.rnd(runs));
    ELSIF op < 76 THEN      -- duplicate a span somewhere else
        k := 1 + pg_temp.rnd(20);
        RETURN overlay(lit PLACING substr(lit, 1 + pg_temp.rnd(len + 1), k) FROM 1 + pg_temp.rnd(len + 1) FOR 0);
    ELSIF op < 81 THEN      -- truncate
        RETURN left(lit, p - 1);
    ELSIF op < 86 THEN      -- another version prefix
        RETURN regexp_replace(lit, '^v[0-9]*', (ARRAY['v0', 'v2', 'v', 'V1', ' v1', 'v01', 'v1 ', 'v-1', 'v65537'])[1 + pg_temp.rnd(9)]);
    ELSIF op < 93 THEN      -- splice with another literal
        RETURN left(lit, p - 1) || substr(other, 1 + pg_temp.rnd(length(other) + 1));
    ELSIF op < 95 THEN      -- very long: repeat a tail many times
        k := 1 + pg_temp.rnd(20);
        RETURN lit || repeat(substr(lit, greatest(len - k, 1)), 1 + pg_temp.rnd(5000));
    ELSIF op < 97 THEN      -- negate a number
        RETURN regexp_replace(lit, '([=,{\[/:])([0-9])', '\1-\2');
    END IF;
    -- a random string
    k := pg_temp.rnd(40);
    lit := '';
    FOR p IN 1..k LOOP
        lit := lit || pg_temp.rnd_char();
    END LOOP;
    RETURN lit;
END $$;

-- try_lit(typ, lit): 'ok', the SQLSTATE of the rejection, or RT-<SQLSTATE or DIFF>
-- when an accepted value does not round trip.  Built with one CASE branch per type.
DO $do$
DECLARE
    decls text;
    ins text;
    rts text;
BEGIN
    SELECT string_agg(format('x_%s engage.%s;', typ, typ), ' '),
           string_agg(format('WHEN %L THEN x_%s := lit::engage.%s;', typ, typ, typ), ' '),
           string_agg(format('WHEN %L THEN o1 := x_%s::text; o2 := o1::engage.%s::text; '
                             'b1 := engage.%s_send(x_%s); b2 := engage.%s_send(o1::engage.%s);',
                             typ, typ, typ, typ, typ, typ, typ), ' ')
      INTO decls, ins, rts FROM pool;
    EXECUTE format($f$
        CREATE FUNCTION pg_temp.try_lit(typ text, lit text) RETURNS text LANGUAGE plpgsql AS $body$
        DECLARE %s o1 text; o2 text; b1 bytea; b2 bytea;
        BEGIN
            BEGIN
                CASE typ %s END CASE;
            EXCEPTION WHEN OTHERS THEN
                RETURN SQLSTATE;
            END;
            BEGIN
                CASE typ %s END CASE;
            EXCEPTION WHEN OTHERS THEN
                RETURN 'RT-' || SQLSTATE;
            END;
            -- a NaN keeps its sign and payload bits in binary (as float8 does: '-NaN')
            IF o1 <> o2 OR (b1 <> b2 AND position('NaN' IN o1) = 0) THEN
                RETURN 'RT-DIFF';
            END IF;
            RETURN 'ok';
        END $body$ $f$, decls, ins, rts);
END $do$;

-- Try n literals: a random type, a random pool literal, unchanged (3%) or
-- with 1 to 3 random changes; counts go to res, unexpected outcomes to bad.
CREATE FUNCTION pg_temp.fuzz_batch(n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    typs text[];
    pools text[];
    starts int[];
    sizes int[];
    outs text[] := '{}';
    i int;
    j int;
    t int;
    lit text;
    r text;
BEGIN
    SELECT array_agg(typ ORDER BY typ), array_agg(cardinality(vals) ORDER BY typ) INTO typs, sizes FROM pool;
    SELECT array_agg(val ORDER BY typ, ord) INTO pools FROM pool, unnest(vals) WITH ORDINALITY u(val, ord);
    starts := ARRAY[0];
    FOR t IN 2..cardinality(typs) LOOP
        starts := starts || starts[t - 1] + sizes[t - 1];
    END LOOP;
    FOR i IN 1..n LOOP
        t := 1 + pg_temp.rnd(cardinality(typs));
        lit := pools[starts[t] + 1 + pg_temp.rnd(sizes[t])];
        IF pg_temp.rnd(100) >= 3 THEN
            FOR j IN 0..pg_temp.rnd(3) LOOP
                lit := pg_temp.mutate1(lit, pools[starts[t] + 1 + pg_temp.rnd(sizes[t])]);
            END LOOP;
        END IF;
        r := pg_temp.try_lit(typs[t], lit);
        outs := outs || (typs[t] || ' ' || r);
        IF r <> 'ok' AND NOT EXISTS (SELECT 1 FROM expected e WHERE e.typ = typs[t] AND e.code = r) THEN
            INSERT INTO bad VALUES (typs[t], r, lit);
        END IF;
    END LOOP;
    INSERT INTO res SELECT split_part(o, ' ', 1), split_part(o, ' ', 2), count(*) FROM unnest(outs) o GROUP BY 1, 2;
END $$;

-- Anchors with known outcomes, so that the run can fail on a broken harness.
CREATE TEMP TABLE anchors AS SELECT * FROM (VALUES
    ('nps_state', 'v1:0..10:>=9:[0,0,0,0,0,0,0,1,0,2,3]', 'ok'),
    ('nps_state', 'v1:0..10:>=9:[-1,0,0,0,0,0,0,0,0,0,0]', '22P02'),
    ('nps_state', 'v1:0..10:>=9:[9223372036854775808,0,0,0,0,0,0,0,0,0,0]', '22003'),
    ('csat_state', 'v1:1..5:>=4:[1,2,3]', '22P02'),
    ('proportion_state', 'v1:45/50', 'ok'),
    ('flow_state', 'v1;step=1mon0d0us;2024-01-01 00:00:00+00 {5,4,2,2};2024-02-01 00:00:00+00', 'ok'),
    ('flow_state', 'v1;step=1mon0d0us;2024-01-01 00:00:00+00 {5,4,2,2};294277-01-01 00:00:00+00', '22008'),
    ('activity_state', 'v1:2024-02-30:1:{1=01}', '22P02')) a(typ, lit, want);

\pset format unaligned
\pset tuples_only on
SELECT 'anchor ' || typ || ' ' || want || ' ' || pg_temp.try_lit(typ, lit) FROM anchors;
\pset tuples_only off
\pset format aligned
SELECT format('SELECT pg_temp.fuzz_batch(%s)', :batch_size) FROM generate_series(1, :batches) \gexec

\pset format unaligned
\pset tuples_only on
SELECT format('type %s tried %s accepted %s rejected %s', typ, sum(n),
              sum(n) FILTER (WHERE outcome = 'ok'), sum(n) FILTER (WHERE outcome <> 'ok'))
  FROM res GROUP BY typ ORDER BY typ;
SELECT format('sqlstate %s %s', outcome, sum(n)) FROM res WHERE outcome <> 'ok' GROUP BY outcome ORDER BY outcome;
SELECT format('total tried %s accepted %s rejected %s', sum(n),
              coalesce(sum(n) FILTER (WHERE outcome = 'ok'), 0), coalesce(sum(n) FILTER (WHERE outcome <> 'ok'), 0))
  FROM res;
SELECT format('unexpected %s', count(*)) FROM bad;
SELECT format('bad %s %s %s', typ, outcome, left(lit, 300)) FROM bad LIMIT 20;
