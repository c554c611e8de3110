#!/usr/bin/env bash
# 32_security: the trusted install and what it cannot be used for.
#   A. engage.control says trusted; a role with only CREATE on a database
#      installs and uses engage; every member is owned by the bootstrap
#      superuser, none is SECURITY DEFINER, all are C or internal; no SQL
#      call can produce or pass an `internal` value; the installing role
#      cannot alter, replace, drop or re-cast engage's objects.
#   B. CREATE EXTENSION refuses a schema engage that already holds someone
#      else's function (SQLSTATE 42P06, the message of sql/install/00_header.sql).
#   C. A hostile search_path: a role plants look-alikes of every engage
#      function, aggregate, operator and type name in schema evil; with
#      search_path = evil, engage, public, queries with qualified names (and a
#      view and a materialized view made before) give the results computed
#      before evil existed, which plain SQL checks; with search_path = '' every
#      aggregate, cast and operator works qualified.
# Uses the test cluster only (PGHOST/PGPORT); databases engage_t32_*, roles
# engage_t32_*_PID (dropped on exit).
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=test/lib.sh
. "$HERE/../lib.sh"
# shellcheck source=test/integration/tap.sh
. "$HERE/tap.sh"

BIN="$(engage_pgbin)"
DB="engage_t32_$$"
DB2="engage_t32_schema_$$"
USR="engage_t32_user_$$"
EVIL="engage_t32_evil_$$"
TMP="$(mktemp -d /tmp/engage-t32.XXXXXX)"

# Drop this script's databases, roles and files (also on early exit).
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    "$BIN/dropdb" --if-exists "$DB" >/dev/null 2>&1 || true
    "$BIN/dropdb" --if-exists "$DB2" >/dev/null 2>&1 || true
    "$BIN/psql" -X -q -d postgres -c "DROP ROLE IF EXISTS $USR" -c "DROP ROLE IF EXISTS $EVIL" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT

# q [-U ROLE] [-x] DB SQL: run SQL in DB (as ROLE; -x: one "column|value" line
# each), stop on the first error; on an error print a line that no other query
# prints, so no comparison passes.
q() {
    local opts=() out
    while [ "${1:0:1}" = "-" ]; do
        case "$1" in -U) opts+=(-U "$2"); shift 2 ;; -x) opts+=(-x); shift ;; esac
    done
    if ! out="$("$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "${opts[@]}" -d "$1" -c "$2" 2>&1)"; then
        echo "query failed ($RANDOM$RANDOM): $out"; return 1
    fi
    printf '%s\n' "$out"
}

# err [-U ROLE] DB SQL: print "SQLSTATE: message" of the error SQL raises, or "no error".
err() {
    local opts=() out
    while [ "${1:0:1}" = "-" ]; do opts+=(-U "$2"); shift 2; done
    if out="$("$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "${opts[@]}" -d "$1" -c "$2" 2>&1)"; then
        echo "no error"
    else
        sed -n 's/^\(psql:[^ ]* \)\{0,1\}ERROR:  \([0-9A-Z]\{5\}\): \(.*\)$/\2: \3/p' <<<"$out" | head -n 1
    fi
}

# --- A. trusted install by a role with only CREATE on the database --------------
tap_is "$(sed -n 's/^ *trusted *= *\([a-z]*\).*/\1/p' "$ENGAGE_REPO/engage.control")" "true" \
    "engage.control sets trusted = true"
tap_is "$(q postgres "SELECT string_agg(DISTINCT trusted::text, ',') FROM pg_available_extension_versions
                      WHERE name = 'engage' AND version = (SELECT default_version FROM pg_available_extensions
                                                           WHERE name = 'engage')")" "true" \
    "the installed control file is trusted"

"$BIN/createdb" "$DB"
q postgres "CREATE ROLE $USR LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" >/dev/null
tap_is "$(err -U "$USR" "$DB" "CREATE EXTENSION engage" | cut -d: -f1)" "42501" \
    "without CREATE on the database a plain role cannot install engage (42501)"
q postgres "GRANT CREATE ON DATABASE $DB TO $USR" >/dev/null
out="$(q -U "$USR" "$DB" "CREATE EXTENSION engage")"
tap_ok $? "with only CREATE on the database a plain role installs engage"
[ -z "$out" ] || tap_diag "$out"
tap_is "$(q -U "$USR" "$DB" "SELECT concat_ws(' ', engage.nps(s), engage.promoters(engage.nps_agg(s)),
                                 engage.nps_agg(s)::pg_catalog.jsonb ->> 'detractors')
                             FROM (VALUES (0), (6), (9), (10), (10)) v(s)")" "20 3 2" \
    "the installing role uses it: NPS (3 - 2) / 5 = 20"
tap_is "$(q "$DB" "SELECT concat_ws(' ', e.extowner::regrole, e.extnamespace::regnamespace,
                       (SELECT rolsuper FROM pg_roles WHERE rolname = '$USR'))
                   FROM pg_extension e WHERE e.extname = 'engage'")" "$USR engage f" \
    "the extension belongs to the installing role, in schema engage; the role is still no superuser"

# Member objects: owners, languages, SECURITY DEFINER.
MEMBERS="SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
         WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'engage' AND d.deptype = 'e'"
tap_is "$(q "$DB" "SELECT count(*) FILTER (WHERE owner <> 10) || ' of ' || count(*) FROM (
           SELECT p.proowner AS owner FROM pg_proc p WHERE p.oid IN (SELECT objid FROM ($MEMBERS) m WHERE classid = 'pg_proc'::regclass)
           UNION ALL SELECT t.typowner FROM pg_type t WHERE t.oid IN (SELECT objid FROM ($MEMBERS) m WHERE classid = 'pg_type'::regclass)
           UNION ALL SELECT o.oprowner FROM pg_operator o WHERE o.oid IN (SELECT objid FROM ($MEMBERS) m WHERE classid = 'pg_operator'::regclass)
           UNION ALL SELECT c.opcowner FROM pg_opclass c WHERE c.oid IN (SELECT objid FROM ($MEMBERS) m WHERE classid = 'pg_opclass'::regclass)
           UNION ALL SELECT f.opfowner FROM pg_opfamily f WHERE f.oid IN (SELECT objid FROM ($MEMBERS) m WHERE classid = 'pg_opfamily'::regclass)
         ) o")" "0 of $(q "$DB" "SELECT count(*) FROM ($MEMBERS) m WHERE classid IN ('pg_proc'::regclass, 'pg_type'::regclass,
                              'pg_operator'::regclass, 'pg_opclass'::regclass, 'pg_opfamily'::regclass)")" \
    "no function, type, operator or operator class is owned by anyone but the bootstrap superuser"
tap_is "$(q "$DB" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'engage'::regnamespace AND prosecdef")" "0" \
    "no function is SECURITY DEFINER"
tap_is "$(q "$DB" "SELECT string_agg(DISTINCT l.lanname, ',' ORDER BY l.lanname) FROM pg_proc p
                   JOIN pg_language l ON l.oid = p.prolang WHERE p.pronamespace = 'engage'::regnamespace")" "c,internal" \
    "every function is C (or internal: the aggregates)"
tap_is "$(q "$DB" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'engage'::regnamespace AND proconfig IS NOT NULL")" "0" \
    "no function sets a configuration parameter"
tap_is "$(q "$DB" "SELECT count(*) FROM pg_proc WHERE pronamespace <> 'engage'::regnamespace
                   AND oid IN (SELECT objid FROM ($MEMBERS) m WHERE classid = 'pg_proc'::regclass)")
$(q "$DB" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'engage'::regnamespace
           AND oid NOT IN (SELECT objid FROM ($MEMBERS) m WHERE classid = 'pg_proc'::regclass)")" "0
0" "every function in schema engage is a member, and every member function is in schema engage"

# internal: PostgreSQL's rule is that a function returning internal takes an
# internal argument, so SQL can never make an internal value to pass on.
tap_is "$(q "$DB" "SELECT coalesce(string_agg(oid::regprocedure::text, ', '), '') FROM pg_proc
                   WHERE pronamespace = 'engage'::regnamespace AND prorettype = 'internal'::regtype
                     AND NOT ('internal'::regtype = ANY (proargtypes))")" "" \
    "no function returns internal without taking internal"
# Every function taking internal is a receive function or an aggregate's
# support function (transition, final, combine, serialize, deserialize).
tap_is "$(q "$DB" "SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), '') FROM pg_proc p
                   WHERE p.pronamespace = 'engage'::regnamespace AND 'internal'::regtype = ANY (p.proargtypes)
                     AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typreceive = p.oid)
                     AND NOT EXISTS (SELECT 1 FROM pg_aggregate a WHERE p.oid IN (a.aggtransfn, a.aggfinalfn,
                                       a.aggcombinefn, a.aggserialfn, a.aggdeserialfn, a.aggmtransfn,
                                       a.aggminvtransfn, a.aggmfinalfn))")" "" \
    "every function taking internal is a type's receive function or an aggregate support function"
tap_is "$(q "$DB" "SELECT string_agg(DISTINCT y.typname, ',' ORDER BY y.typname) FROM pg_proc p,
                   unnest(p.proargtypes || p.prorettype) a(t) JOIN pg_type y ON y.oid = a.t
                   WHERE p.pronamespace = 'engage'::regnamespace AND y.typtype = 'p'")" "cstring,internal,record" \
    "the only pseudo-types used are cstring (type input/output), internal and record (OUT parameters)"
# Calling each function that takes internal from SQL fails to resolve (42883):
# an internal argument cannot be written, not even as NULL.
n="$(q "$DB" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'engage'::regnamespace
                                          AND 'internal'::regtype = ANY (proargtypes)")"
tap_is "$(q -U "$USR" "$DB" "DO \$\$
DECLARE
  r record;
  bad text := '';
BEGIN
  FOR r IN SELECT p.oid::regprocedure::text AS fn, format('SELECT %s(%s)', p.oid::regproc,
                  array_to_string(array_fill('NULL'::text, ARRAY[p.pronargs]), ', ')) AS call
           FROM pg_proc p WHERE p.pronamespace = 'engage'::regnamespace
             AND 'internal'::regtype = ANY (p.proargtypes)
  LOOP
    BEGIN
      EXECUTE r.call;
      bad := bad || ' ' || r.fn || ' [ran]';
    EXCEPTION WHEN undefined_function THEN NULL;
              WHEN OTHERS THEN bad := bad || ' ' || r.fn || ' [' || SQLSTATE || ']';
    END;
  END LOOP;
  RAISE NOTICE 'bad:%', bad;
END \$\$" 2>&1 | sed -n 's/^NOTICE:  bad://p')" "" \
    "none of the $n functions taking internal can be called from SQL (42883 for each)"
tap_is "$(err -U "$USR" "$DB" "SELECT engage.nps_state_recv(NULL::internal)")" \
       "42846: cannot cast type unknown to internal" "nor can an internal NULL be written"
q -U "$USR" "$DB" "CREATE SCHEMA mine" >/dev/null
tap_is "$(err -U "$USR" "$DB" "CREATE AGGREGATE mine.mix(bigint, date) (SFUNC = engage.activity_accum,
                                   STYPE = internal, FINALFUNC = engage.funnel_final)")" \
       "42P13: aggregate transition data type cannot be internal" \
    "the installing role cannot pair one aggregate's internal state with another's final function"

# What the installing role (owner of the extension and of schema engage) cannot do.
tap_is "$(err -U "$USR" "$DB" "ALTER FUNCTION engage.nps(engage.nps_state) SECURITY DEFINER")" \
       "42501: must be owner of function engage.nps" "it cannot make a function SECURITY DEFINER"
tap_is "$(err -U "$USR" "$DB" "ALTER TYPE engage.nps_state OWNER TO $USR")" \
       "42501: must be owner of type engage.nps_state" "it cannot take a type over"
tap_is "$(err -U "$USR" "$DB" "CREATE OR REPLACE FUNCTION engage.nps_state_eq(engage.nps_state, engage.nps_state)
                                   RETURNS boolean LANGUAGE sql AS 'SELECT true'")" \
       "42501: must be owner of function nps_state_eq" "it cannot replace a function"
tap_is "$(err -U "$USR" "$DB" "CREATE FUNCTION mine.raw_out(engage.nps_state) RETURNS cstring
                                   AS '\$libdir/engage', 'engage_hist_out' LANGUAGE C")" \
       "42501: permission denied for language c" "it cannot declare its own C functions on the library"
tap_is "$(err -U "$USR" "$DB" "CREATE CAST (bytea AS engage.nps_state) WITHOUT FUNCTION")" \
       "42501: must be owner of type bytea or type engage.nps_state" "it cannot cast raw bytes to a state"
tap_is "$(err -U "$USR" "$DB" "CREATE CAST (engage.nps_state AS engage.csat_state) WITHOUT FUNCTION")" \
       "42501: must be owner of type engage.nps_state or type engage.csat_state" \
    "it cannot cast one state type to another"
tap_is "$(err -U "$USR" "$DB" "DROP FUNCTION engage.nps_state_eq(engage.nps_state, engage.nps_state) CASCADE")" \
       "2BP01: cannot drop function engage.nps_state_eq(engage.nps_state,engage.nps_state) because extension engage requires it" \
    "it cannot drop a member object out from under the extension"

# Other roles: the schema belongs to the installing role, and the install
# grants USAGE on it to PUBLIC (and nothing more).
q "$DB" "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO $USR" >/dev/null
q postgres "CREATE ROLE $EVIL LOGIN NOSUPERUSER; GRANT CREATE ON DATABASE $DB TO $EVIL" >/dev/null
tap_is "$(q "$DB" "SELECT nspacl::text FROM pg_namespace WHERE nspname = 'engage'")" "{$USR=UC/$USR,=U/$USR}" \
    "schema engage: all privileges for the installing role, USAGE for PUBLIC"
tap_is "$(q -U "$EVIL" "$DB" "SELECT engage.csat(s) FROM (VALUES (1), (4), (5), (5)) v(s)")" "75" \
    "another role uses engage without any grant (CSAT 3 of 4)"
tap_is "$(err -U "$EVIL" "$DB" "CREATE FUNCTION engage.nps(smallint) RETURNS int LANGUAGE sql AS 'SELECT 1'")" \
       "42501: permission denied for schema engage" "another role cannot create objects in schema engage"

# --- B. a pre-existing schema engage with someone else's objects ----------------
msg="$(sed -n "s/.*RAISE EXCEPTION '\(.*\)',[[:space:]]*$/\1/p" "$ENGAGE_REPO/sql/install/00_header.sql")"
tap_ok "$([ -n "$msg" ]; echo $?)" "the refusal message is read from sql/install/00_header.sql"
"$BIN/createdb" "$DB2"
q postgres "GRANT CREATE ON DATABASE $DB2 TO $USR" >/dev/null
q -U "$USR" "$DB2" "CREATE SCHEMA engage; CREATE FUNCTION engage.nps(integer) RETURNS integer LANGUAGE sql AS 'SELECT 42'" >/dev/null
want="${msg//@extschema@/engage}"; want="${want/\%/1}"
tap_is "$(err -U "$USR" "$DB2" "CREATE EXTENSION engage")" "42P06: $want" \
    "CREATE EXTENSION refuses a schema engage holding a foreign function (42P06)"
tap_is "$(err "$DB2" "CREATE EXTENSION engage")" "42P06: $want" "a superuser's install is refused the same way"
tap_is "$(q "$DB2" "SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'engage') || ' '
                    || (SELECT string_agg(proname, ',') FROM pg_proc WHERE pronamespace = 'engage'::regnamespace)")" \
       "0 nps" "nothing is left of the refused install; the foreign function is untouched"
q -U "$USR" "$DB2" "DROP FUNCTION engage.nps(integer); CREATE TYPE engage.mine AS (a int)" >/dev/null
want="${msg//@extschema@/engage}"; want="${want/\%/1}"
tap_is "$(err -U "$USR" "$DB2" "CREATE EXTENSION engage")" "42P06: $want" \
    "a foreign type in schema engage is refused too"
q -U "$USR" "$DB2" "DROP TYPE engage.mine; CREATE SCHEMA other" >/dev/null
tap_is "$(err -U "$USR" "$DB2" "CREATE EXTENSION engage SCHEMA other")" \
       "0A000: extension \"engage\" must be installed in schema \"engage\"" "the schema is fixed: SCHEMA other is refused"
q -U "$USR" "$DB2" "DROP SCHEMA other" >/dev/null
out="$(q -U "$USR" "$DB2" "CREATE EXTENSION engage; SELECT engage.ces(s) FROM (VALUES (2), (3)) v(s)")"
tap_is "$out" "2.5" "an empty pre-existing schema engage is accepted"

# --- C. a hostile search_path ------------------------------------------------
# Fixture tables, and one query calling every aggregate, cast and operator of
# engage with qualified names (readable under search_path = '').
if ! q "$DB" "SET TimeZone = 'UTC';
CREATE TABLE public.t_survey AS
  SELECT i, i % 3 AS g, (i * 7) % 11 AS score, 1 + (i * 3) % 5 AS c5, 1 + (i * 5) % 7 AS c7,
         (i % 3 <> 0) AS b, (i % 4 = 0) AS b2, (i % 5)::bigint AS k, (5 + i % 5)::bigint AS n,
         i % 5 AS ki, 5 + i % 5 AS ni
  FROM generate_series(1, 60) i;
CREATE TABLE public.t_web AS
  SELECT u::bigint AS uid, timestamptz '2024-03-01 08:00:00+00' + u * interval '1 day'
           + ((k * k * 37 + u * k * 53) % 2000 + k) * interval '1 minute' AS ts,
         1 + k % 3 AS step, 'p' || (k % 4) AS page, ARRAY[k % 3 = 0, k % 3 = 1, k % 3 = 2] AS conds
  FROM generate_series(1, 8) u, generate_series(0, 11) k;
CREATE TABLE public.t_subs AS
  SELECT i, timestamptz '2023-06-01 00:00:00+00' + (i * 13 % 300) * interval '1 day' AS started,
         CASE WHEN i % 4 = 0 THEN timestamptz '2023-06-01 00:00:00+00' + (i * 13 % 300 + i * 7 % 200) * interval '1 day' END AS ended,
         CASE WHEN i % 5 = 0 THEN 0 ELSE 10 * (i % 7) + 10 END::numeric AS mrr_s,
         CASE WHEN i % 6 = 0 THEN 0 ELSE 10 * (i % 7) + (i % 3) * 5 + 5 END::numeric AS mrr_e,
         (ARRAY['starting', 'new', 'expansion', 'contraction', 'churned'])[1 + i % 5] AS mv, (10 + i % 9)::numeric AS amt
  FROM generate_series(1, 40) i;
CREATE TABLE public.t_tickets AS
  SELECT i, timestamptz '2024-02-01 00:00:00+00' + i * interval '37 minutes' AS opened,
         CASE WHEN i % 7 <> 0 THEN timestamptz '2024-02-01 00:00:00+00' + i * interval '37 minutes'
                                   + (i * i % 500) * interval '1 minute' END AS resolved
  FROM generate_series(1, 40) i;
CREATE TABLE public.t_orders AS
  SELECT (i % 6)::bigint AS uid, (5 + i % 17)::float8 AS amount,
         timestamptz '2024-01-01 00:00:00+00' + (i * 11 % 150) * interval '1 day' AS ts
  FROM generate_series(1, 40) i;
CREATE TABLE public.t_bg AS
  SELECT x::float8 AS x, tx::float8 AS tx, 39::float8 AS t, (12 + (x * 7 + tx)::int % 9)::float8 AS m
  FROM (SELECT 0 AS x, 0 AS tx FROM generate_series(1, 60)
        UNION ALL SELECT 1 + i % 3, 30 + i % 9 FROM generate_series(1, 25) i
        UNION ALL SELECT 1 + i % 2, 2 + i % 6 FROM generate_series(1, 25) i
        UNION ALL SELECT 5 + i % 7, 33 + i % 6 FROM generate_series(1, 15) i
        UNION ALL SELECT 3 + i % 4, 10 + i % 8 FROM generate_series(1, 10) i) s;" >"$TMP/fixture.out"; then
    sed 's/^/# /' "$TMP/fixture.out"
fi

ALL_CALLS=$(cat <<'SQL'
SELECT
  (SELECT engage.nps(score) FROM public.t_survey) AS nps_i,
  (SELECT engage.nps(score::pg_catalog.float8) FROM public.t_survey) AS nps_f,
  (SELECT engage.nps_agg(score) FROM public.t_survey) AS nps_agg_i,
  (SELECT engage.nps_agg(score::pg_catalog.float8) FROM public.t_survey) AS nps_agg_f,
  (SELECT engage.rollup(st) FROM (SELECT engage.nps_agg(score) st FROM public.t_survey GROUP BY g) x) AS nps_rollup,
  (SELECT engage.csat(c5) FROM public.t_survey) AS csat_i,
  (SELECT engage.csat(c5::pg_catalog.float8) FROM public.t_survey) AS csat_f,
  (SELECT engage.csat(b) FROM public.t_survey) AS csat_b,
  (SELECT engage.csat(c7, 1, 7) FROM public.t_survey) AS csat_i3,
  (SELECT engage.csat(c7::pg_catalog.float8, 1, 7) FROM public.t_survey) AS csat_f3,
  (SELECT engage.csat(score, 0, 10, 7) FROM public.t_survey) AS csat_i4,
  (SELECT engage.csat(score::pg_catalog.float8, 0, 10, 7) FROM public.t_survey) AS csat_f4,
  (SELECT engage.csat_agg(c5) FROM public.t_survey) AS csat_agg_i,
  (SELECT engage.csat_agg(c5::pg_catalog.float8) FROM public.t_survey) AS csat_agg_f,
  (SELECT engage.csat_agg(b) FROM public.t_survey) AS csat_agg_b,
  (SELECT engage.csat_agg(c7, 1, 7) FROM public.t_survey) AS csat_agg_i3,
  (SELECT engage.csat_agg(c7::pg_catalog.float8, 1, 7) FROM public.t_survey) AS csat_agg_f3,
  (SELECT engage.csat_agg(score, 0, 10, 7) FROM public.t_survey) AS csat_agg_i4,
  (SELECT engage.csat_agg(score::pg_catalog.float8, 0, 10, 7) FROM public.t_survey) AS csat_agg_f4,
  (SELECT engage.rollup(st) FROM (SELECT engage.csat_agg(c5) st FROM public.t_survey GROUP BY g) x) AS csat_rollup,
  (SELECT engage.ces(c7) FROM public.t_survey) AS ces_i,
  (SELECT engage.ces(c7::pg_catalog.float8) FROM public.t_survey) AS ces_f,
  (SELECT engage.ces(c5, 5) FROM public.t_survey) AS ces_i2,
  (SELECT engage.ces(c5::pg_catalog.float8, 5) FROM public.t_survey) AS ces_f2,
  (SELECT engage.ces_agg(c7) FROM public.t_survey) AS ces_agg_i,
  (SELECT engage.ces_agg(c7::pg_catalog.float8) FROM public.t_survey) AS ces_agg_f,
  (SELECT engage.ces_agg(c5, 5) FROM public.t_survey) AS ces_agg_i2,
  (SELECT engage.ces_agg(c5::pg_catalog.float8, 5) FROM public.t_survey) AS ces_agg_f2,
  (SELECT engage.rollup(st) FROM (SELECT engage.ces_agg(c7) st FROM public.t_survey GROUP BY g) x) AS ces_rollup,
  (SELECT engage.conversion_rate(b) FROM public.t_survey) AS conversion_rate_b,
  (SELECT engage.conversion_agg(b) FROM public.t_survey) AS conversion_agg_b,
  (SELECT engage.open_rate(b) FROM public.t_survey) AS open_rate_b,
  (SELECT engage.open_agg(b) FROM public.t_survey) AS open_agg_b,
  (SELECT engage.click_rate(b) FROM public.t_survey) AS click_rate_b,
  (SELECT engage.click_agg(b) FROM public.t_survey) AS click_agg_b,
  (SELECT engage.unsubscribe_rate(b2) FROM public.t_survey) AS unsubscribe_rate_b,
  (SELECT engage.unsubscribe_agg(b2) FROM public.t_survey) AS unsubscribe_agg_b,
  (SELECT engage.registration_rate(b) FROM public.t_survey) AS registration_rate_b,
  (SELECT engage.registration_agg(b) FROM public.t_survey) AS registration_agg_b,
  (SELECT engage.attendance_rate(b2) FROM public.t_survey) AS attendance_rate_b,
  (SELECT engage.attendance_agg(b2) FROM public.t_survey) AS attendance_agg_b,
  (SELECT engage.click_to_open_rate(b2, b) FROM public.t_survey) AS click_to_open_rate_b,
  (SELECT engage.click_to_open_agg(b2, b) FROM public.t_survey) AS click_to_open_agg_b,
  (SELECT engage.ctr(k, n) FROM public.t_survey) AS ctr_l,
  (SELECT engage.ctr_agg(k, n) FROM public.t_survey) AS ctr_agg_l,
  (SELECT engage.conversion_rate(k, n) FROM public.t_survey) AS conversion_rate_l,
  (SELECT engage.conversion_agg(k, n) FROM public.t_survey) AS conversion_agg_l,
  (SELECT engage.open_rate(k, n) FROM public.t_survey) AS open_rate_l,
  (SELECT engage.open_agg(k, n) FROM public.t_survey) AS open_agg_l,
  (SELECT engage.click_rate(k, n) FROM public.t_survey) AS click_rate_l,
  (SELECT engage.click_agg(k, n) FROM public.t_survey) AS click_agg_l,
  (SELECT engage.click_to_open_rate(k, n) FROM public.t_survey) AS click_to_open_rate_l,
  (SELECT engage.click_to_open_agg(k, n) FROM public.t_survey) AS click_to_open_agg_l,
  (SELECT engage.unsubscribe_rate(k, n) FROM public.t_survey) AS unsubscribe_rate_l,
  (SELECT engage.unsubscribe_agg(k, n) FROM public.t_survey) AS unsubscribe_agg_l,
  (SELECT engage.registration_rate(k, n) FROM public.t_survey) AS registration_rate_l,
  (SELECT engage.registration_agg(k, n) FROM public.t_survey) AS registration_agg_l,
  (SELECT engage.attendance_rate(k, n) FROM public.t_survey) AS attendance_rate_l,
  (SELECT engage.attendance_agg(k, n) FROM public.t_survey) AS attendance_agg_l,
  (SELECT engage.engagement_rate(n, k) FROM public.t_survey) AS engagement_rate_l,
  (SELECT engage.engagement_agg(n, k) FROM public.t_survey) AS engagement_agg_l,
  (SELECT engage.ctr(ki, ni) FROM public.t_survey) AS ctr_i,
  (SELECT engage.ctr_agg(ki, ni) FROM public.t_survey) AS ctr_agg_i,
  (SELECT engage.conversion_rate(ki, ni) FROM public.t_survey) AS conversion_rate_i,
  (SELECT engage.conversion_agg(ki, ni) FROM public.t_survey) AS conversion_agg_i,
  (SELECT engage.open_rate(ki, ni) FROM public.t_survey) AS open_rate_i,
  (SELECT engage.open_agg(ki, ni) FROM public.t_survey) AS open_agg_i,
  (SELECT engage.click_rate(ki, ni) FROM public.t_survey) AS click_rate_i,
  (SELECT engage.click_agg(ki, ni) FROM public.t_survey) AS click_agg_i,
  (SELECT engage.click_to_open_rate(ki, ni) FROM public.t_survey) AS click_to_open_rate_i,
  (SELECT engage.click_to_open_agg(ki, ni) FROM public.t_survey) AS click_to_open_agg_i,
  (SELECT engage.unsubscribe_rate(ki, ni) FROM public.t_survey) AS unsubscribe_rate_i,
  (SELECT engage.unsubscribe_agg(ki, ni) FROM public.t_survey) AS unsubscribe_agg_i,
  (SELECT engage.registration_rate(ki, ni) FROM public.t_survey) AS registration_rate_i,
  (SELECT engage.registration_agg(ki, ni) FROM public.t_survey) AS registration_agg_i,
  (SELECT engage.attendance_rate(ki, ni) FROM public.t_survey) AS attendance_rate_i,
  (SELECT engage.attendance_agg(ki, ni) FROM public.t_survey) AS attendance_agg_i,
  (SELECT engage.engagement_rate(ni, ki) FROM public.t_survey) AS engagement_rate_i,
  (SELECT engage.engagement_agg(ni, ki) FROM public.t_survey) AS engagement_agg_i,
  (SELECT engage.rollup(st) FROM (SELECT engage.conversion_agg(b) st FROM public.t_survey GROUP BY g) x) AS proportion_rollup,
  (SELECT engage.churn_rate(started, ended, '2024-01-01', '2024-02-01') FROM public.t_subs) AS churn_rate,
  (SELECT engage.retention_rate(started, ended, '2024-01-01', '2024-02-01') FROM public.t_subs) AS retention_rate,
  (SELECT engage.retention_rate_excluding_new(started, ended, '2024-01-01', '2024-02-01') FROM public.t_subs) AS retention_excl_new,
  (SELECT engage.subscription_flow(started, ended, '2024-01-01', '2024-04-01', interval '1 month') FROM public.t_subs) AS subscription_flow,
  (SELECT engage.rollup(st) FROM (SELECT engage.subscription_flow(started, ended, '2024-01-01', '2024-04-01', interval '1 month') st
                                  FROM public.t_subs GROUP BY i % 2) x) AS flow_rollup,
  (SELECT engage.revenue_agg(mrr_s, mrr_e) FROM public.t_subs) AS revenue_agg,
  (SELECT engage.net_revenue_retention(mrr_s, mrr_e) FROM public.t_subs) AS nrr,
  (SELECT engage.gross_revenue_retention(mrr_s, mrr_e) FROM public.t_subs) AS grr,
  (SELECT engage.revenue_movements_agg(mv, amt) FROM public.t_subs) AS revenue_movements_agg,
  (SELECT engage.net_revenue_retention(mv, amt) FROM public.t_subs) AS nrr_ledger,
  (SELECT engage.gross_revenue_retention(mv, amt) FROM public.t_subs) AS grr_ledger,
  (SELECT engage.rollup(st) FROM (SELECT engage.revenue_agg(mrr_s, mrr_e) st FROM public.t_subs GROUP BY i % 2) x) AS revenue_rollup,
  (SELECT engage.activity_agg(uid, ts::pg_catalog.date) FROM public.t_web) AS activity_agg,
  (SELECT engage.rollup(st) FROM (SELECT engage.activity_agg(uid, ts::pg_catalog.date) st FROM public.t_web GROUP BY uid % 2) x) AS activity_rollup,
  (SELECT engage.historical_clv(uid, amount, ts) FROM public.t_orders) AS historical_clv,
  (SELECT engage.historical_clv(uid, amount, ts, interval '7 days') FROM public.t_orders) AS historical_clv_unit,
  (SELECT engage.rfm_summary(ts, amount, '2024-06-30') FROM public.t_orders WHERE uid = 1) AS rfm,
  (SELECT engage.rfm_summary(ts, amount, '2024-06-30', 'week') FROM public.t_orders WHERE uid = 1) AS rfm_period,
  (SELECT engage.rfm_summary(ts, amount, '2024-06-30', 'day', interval '7 days') FROM public.t_orders WHERE uid = 1) AS rfm_unit,
  (SELECT engage.bgnbd_fit(x, tx, t) FROM public.t_bg) AS bgnbd_fit,
  (SELECT engage.gammagamma_fit(x, m) FROM public.t_bg) AS gammagamma_fit,
  (SELECT engage.sessionize(ts) FROM public.t_web WHERE uid = 1) AS sessionize,
  (SELECT engage.sessionize(ts, interval '10 minutes') FROM public.t_web WHERE uid = 1) AS sessionize_gap,
  (SELECT engage.sessionize(uid, ts) FROM public.t_web) AS sessionize_users,
  (SELECT engage.sessionize(uid, ts, interval '10 minutes') FROM public.t_web) AS sessionize_users_gap,
  (SELECT engage.rollup(st) FROM (SELECT engage.sessionize(ts) st FROM public.t_web GROUP BY uid) x) AS session_rollup,
  (SELECT engage.page_stats(ts, page) FROM public.t_web WHERE uid = 1) AS page_stats,
  (SELECT engage.page_stats(ts, page, interval '10 minutes') FROM public.t_web WHERE uid = 1) AS page_stats_gap,
  (SELECT engage.funnel(ts, step, interval '6 hours') FROM public.t_web WHERE uid = 1) AS funnel,
  (SELECT engage.funnel(ts, step, interval '6 hours', 3) FROM public.t_web WHERE uid = 1) AS funnel_steps,
  (SELECT engage.funnel(ts, conds, interval '6 hours') FROM public.t_web WHERE uid = 1) AS funnel_conds,
  (SELECT engage.rollup(st) FROM (SELECT engage.funnel(ts, step, interval '6 hours') st FROM public.t_web GROUP BY uid) x) AS funnel_rollup,
  (SELECT engage.funnel(uid, ts, step, interval '6 hours') FROM public.t_web) AS funnel_users,
  (SELECT engage.funnel(uid, ts, step, interval '6 hours', 3) FROM public.t_web) AS funnel_users_steps,
  (SELECT engage.funnel(uid, ts, conds, interval '6 hours') FROM public.t_web) AS funnel_users_conds,
  (SELECT engage.resolution_agg(opened, resolved) FROM public.t_tickets) AS resolution_agg,
  (SELECT engage.resolution_agg(resolved - opened) FROM public.t_tickets) AS resolution_agg_interval,
  (SELECT engage.rollup(st) FROM (SELECT engage.resolution_agg(opened, resolved) st FROM public.t_tickets GROUP BY i % 2) x) AS resolution_rollup,
  (SELECT engage.mean_resolution_time(opened, resolved) FROM public.t_tickets) AS mean_resolution,
  (SELECT engage.mean_resolution_time(resolved - opened) FROM public.t_tickets) AS mean_resolution_interval,
  (SELECT engage.median_resolution_time(opened, resolved) FROM public.t_tickets) AS median_resolution,
  (SELECT engage.median_resolution_time(resolved - opened) FROM public.t_tickets) AS median_resolution_interval,
  (SELECT engage.resolution_within(opened, resolved, interval '4 hours') FROM public.t_tickets) AS within,
  (SELECT engage.resolution_within(resolved - opened, interval '4 hours') FROM public.t_tickets) AS within_interval,
  (SELECT engage.nps_agg(score)::pg_catalog.jsonb FROM public.t_survey) AS nps_jsonb,
  (SELECT engage.csat_agg(c5)::pg_catalog.jsonb FROM public.t_survey) AS csat_jsonb,
  (SELECT engage.ces_agg(c7)::pg_catalog.jsonb FROM public.t_survey) AS ces_jsonb,
  (SELECT engage.conversion_agg(b)::pg_catalog.jsonb FROM public.t_survey) AS proportion_jsonb,
  (SELECT engage.subscription_flow(started, ended, '2024-01-01', '2024-04-01', interval '1 month')::pg_catalog.jsonb
   FROM public.t_subs) AS flow_jsonb,
  (SELECT engage.revenue_agg(mrr_s, mrr_e)::pg_catalog.jsonb FROM public.t_subs) AS revenue_jsonb,
  (SELECT engage.activity_agg(uid, ts::pg_catalog.date)::pg_catalog.jsonb FROM public.t_web) AS activity_jsonb,
  (SELECT engage.bgnbd_fit(x, tx, t)::pg_catalog.jsonb FROM public.t_bg) AS bgnbd_jsonb,
  (SELECT engage.gammagamma_fit(x, m)::pg_catalog.jsonb FROM public.t_bg) AS gammagamma_jsonb,
  (SELECT engage.sessionize(uid, ts)::pg_catalog.jsonb FROM public.t_web) AS session_jsonb,
  (SELECT engage.funnel(uid, ts, step, interval '6 hours')::pg_catalog.jsonb FROM public.t_web) AS funnel_jsonb,
  (SELECT engage.resolution_agg(opened, resolved)::pg_catalog.jsonb FROM public.t_tickets) AS resolution_jsonb,
  (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':',
      x.st OPERATOR(engage.=) y.st, x.st OPERATOR(engage.<>) y.st), ',' ORDER BY x.g, y.g)
   FROM (SELECT g, engage.nps_agg(score) st FROM public.t_survey GROUP BY g) x,
        (SELECT g, engage.nps_agg(score) st FROM public.t_survey GROUP BY g UNION ALL
         SELECT 3, engage.nps_agg(score) FROM public.t_survey WHERE g = 0) y) AS nps_ops,
  (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':',
      x.st OPERATOR(engage.=) y.st, x.st OPERATOR(engage.<>) y.st), ',' ORDER BY x.g, y.g)
   FROM (SELECT g, engage.csat_agg(c5) st FROM public.t_survey GROUP BY g) x,
        (SELECT g, engage.csat_agg(c5) st FROM public.t_survey GROUP BY g) y) AS csat_ops,
  (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':',
      x.st OPERATOR(engage.=) y.st, x.st OPERATOR(engage.<>) y.st), ',' ORDER BY x.g, y.g)
   FROM (SELECT g, engage.ces_agg(c7) st FROM public.t_survey GROUP BY g) x,
        (SELECT g, engage.ces_agg(c7) st FROM public.t_survey GROUP BY g) y) AS ces_ops,
  (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':',
      x.st OPERATOR(engage.=) y.st, x.st OPERATOR(engage.<>) y.st), ',' ORDER BY x.g, y.g)
   FROM (SELECT g, engage.conversion_agg(b) st FROM public.t_survey GROUP BY g) x,
        (SELECT g, engage.conversion_agg(b) st FROM public.t_survey GROUP BY g) y) AS proportion_ops,
  (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':',
      x.st OPERATOR(engage.=) y.st, x.st OPERATOR(engage.<>) y.st), ',' ORDER BY x.u, y.u)
   FROM (SELECT uid % 3 u, engage.sessionize(uid, ts) st FROM public.t_web GROUP BY 1) x,
        (SELECT uid % 3 u, engage.sessionize(uid, ts) st FROM public.t_web GROUP BY 1) y) AS session_ops
SQL
)
q "$DB" "CREATE VIEW public.all_calls AS $ALL_CALLS;
         CREATE MATERIALIZED VIEW public.all_calls_mv AS SELECT * FROM public.all_calls;" >"$TMP/view.out" ||
    sed 's/^/# /' "$TMP/view.out"
# The query reaches every aggregate, every cast and every operator of engage.
REFS="SELECT d.refobjid FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
      WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class = 'public.all_calls'::regclass"
tap_is "$(q "$DB" "SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), '') FROM pg_proc p
                   WHERE p.pronamespace = 'engage'::regnamespace AND p.prokind = 'a' AND p.oid NOT IN ($REFS)")" "" \
    "the query calls every aggregate of engage ($(q "$DB" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'engage'::regnamespace AND prokind = 'a'"))"
tap_is "$(q "$DB" "SELECT coalesce(string_agg(c.castfunc::regprocedure::text, ', '), '') FROM pg_cast c
                   JOIN pg_proc p ON p.oid = c.castfunc
                   WHERE p.pronamespace = 'engage'::regnamespace AND c.castfunc NOT IN ($REFS)")" "" \
    "the query uses every cast of engage ($(q "$DB" "SELECT count(*) FROM pg_cast c JOIN pg_proc p ON p.oid = c.castfunc WHERE p.pronamespace = 'engage'::regnamespace"))"
tap_is "$(q "$DB" "SELECT coalesce(string_agg(o.oid::regoperator::text, ', '), '') FROM pg_operator o
                   WHERE o.oprnamespace = 'engage'::regnamespace AND o.oid NOT IN ($REFS)")" "" \
    "the query uses every operator of engage ($(q "$DB" "SELECT count(*) FROM pg_operator WHERE oprnamespace = 'engage'::regnamespace"))"

# Qualified reads of stored states, and results checked against plain SQL.
READS=$(cat <<'SQL'
SELECT pg_catalog.concat_ws(' ',
  (SELECT pg_catalog.round(engage.nps(engage.nps_agg(score))::pg_catalog.numeric, 9) FROM public.t_survey),
  (SELECT engage.promoters(st) || '/' || engage.detractors(st) || '/' || engage.responses(st)
   FROM (SELECT engage.nps_agg(score) st FROM public.t_survey) x),
  (SELECT pg_catalog.round(engage.csat(c5)::pg_catalog.numeric, 9) FROM public.t_survey),
  (SELECT pg_catalog.round(engage.ces(c7)::pg_catalog.numeric, 9) FROM public.t_survey),
  (SELECT pg_catalog.round(engage.conversion_rate(b)::pg_catalog.numeric, 9) FROM public.t_survey),
  (SELECT pg_catalog.round(engage.ctr(k, n)::pg_catalog.numeric, 9) FROM public.t_survey),
  (SELECT engage.sessions(engage.sessionize(uid, ts)) FROM public.t_web),
  (SELECT engage.ticket_count(st) || '/' || engage.resolution_count(st) FROM
     (SELECT engage.resolution_agg(opened, resolved) st FROM public.t_tickets) x),
  (SELECT engage.starting_mrr(st) || '/' || engage.ending_mrr(st) FROM
     (SELECT engage.revenue_agg(mrr_s, mrr_e) st FROM public.t_subs) x),
  (SELECT engage.active_users(engage.activity_agg(uid, ts::pg_catalog.date)) FROM public.t_web),
  (SELECT pg_catalog.count(*) FROM (SELECT DISTINCT st FROM
     (SELECT engage.nps_agg(score) st FROM public.t_survey GROUP BY i % 4 UNION ALL
      SELECT engage.nps_agg(score) FROM public.t_survey WHERE i % 4 = 1) x) y),
  (SELECT pg_catalog.count(*) FROM (SELECT engage.conversion_agg(b) st FROM public.t_survey GROUP BY g) x
     JOIN (SELECT engage.conversion_agg(b) st FROM public.t_survey GROUP BY g) y ON x.st OPERATOR(engage.=) y.st),
  (SELECT ('v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,3]'::engage.nps_state)::pg_catalog.text),
  (SELECT engage.nps('v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,3]'::engage.nps_state)),
  (SELECT engage.successes(x) || '/' || engage.trials(x) FROM (SELECT CAST('v1:45/50' AS engage.proportion_state) x) y))
SQL
)
PLAIN_SQL=$(cat <<'SQL'
SELECT concat_ws(' ',
  (SELECT round(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*), 9) FROM t_survey),
  (SELECT count(*) FILTER (WHERE score >= 9) || '/' || count(*) FILTER (WHERE score <= 6) || '/' || count(*) FROM t_survey),
  (SELECT round(100.0 * count(*) FILTER (WHERE c5 >= 4) / count(*), 9) FROM t_survey),
  (SELECT round(avg(c7), 9) FROM t_survey),
  (SELECT round(100.0 * count(*) FILTER (WHERE b) / count(*), 9) FROM t_survey),
  (SELECT round(100.0 * sum(k) / sum(n), 9) FROM t_survey),
  (SELECT count(*) FROM (SELECT ts - lag(ts) OVER (PARTITION BY uid ORDER BY ts) AS d FROM t_web) x
   WHERE d IS NULL OR d > interval '30 minutes'),
  (SELECT count(*) || '/' || count(resolved) FROM t_tickets),
  (SELECT sum(mrr_s)::numeric(20, 6) || '/' || sum(mrr_e)::numeric(20, 6) FROM t_subs),
  (SELECT count(DISTINCT uid) FROM t_web),
  (SELECT count(DISTINCT h) FROM (SELECT array_agg(c ORDER BY s) h FROM (
     SELECT qs.q, s, (SELECT count(*) FROM t_survey t WHERE t.i % 4 = qs.q AND t.score = s) c
     FROM (SELECT DISTINCT i % 4 AS q FROM t_survey) qs, generate_series(0, 10) s) x GROUP BY q) y),
  (SELECT count(*) FROM (SELECT g, count(*) FILTER (WHERE b) s, count(*) n FROM t_survey GROUP BY g) x
     JOIN (SELECT g, count(*) FILTER (WHERE b) s, count(*) n FROM t_survey GROUP BY g) y ON x.s = y.s AND x.n = y.n),
  'v1:0..10:>=9:[1,0,0,0,0,0,0,0,0,0,3]',
  50,
  '45/50')
SQL
)

# Before anything hostile exists: the baseline, and the plain-SQL truth.
q -x "$DB" "SET TimeZone = 'UTC'; $ALL_CALLS" >"$TMP/baseline"
tap_is "$(grep -c '|' "$TMP/baseline")" \
       "$(q "$DB" "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.all_calls'::regclass AND attnum > 0")" \
    "baseline: the query returns all $(grep -c '|' "$TMP/baseline") columns"
tap_is "$(grep -cE '\|$' "$TMP/baseline")" "0" "baseline: no call returns NULL"
baseline_reads="$(q "$DB" "SET TimeZone = 'UTC'; $READS")"
tap_is "$baseline_reads" "$(q "$DB" "$PLAIN_SQL")" \
    "baseline: NPS, counts, CSAT, CES, rates, sessions, tickets, MRR, users, DISTINCT, hash join equal plain SQL"

# The hostile role plants look-alikes in schema evil: a function raising an
# error for every engage function and aggregate name and argument list, an
# operator for each of engage's, a type for each of engage's, and overloads
# that beat engage's on an exact match (nps(smallint), jsonb(state), ...).
EVIL_SQL=$(cat <<'SQL'
CREATE SCHEMA evil;
SET search_path = '';
DO $evil$
DECLARE
  r record;
  k pg_catalog.int4 := 0;
  boom pg_catalog.text;
BEGIN
  FOR r IN
    SELECT p.proname, p.prokind, p.proretset, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
           pg_catalog.format_type(p.prorettype, NULL) AS ret
    FROM pg_catalog.pg_proc p
    WHERE p.pronamespace OPERATOR(pg_catalog.=) 'engage'::pg_catalog.regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proargtypes) a(t)
                      JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) a.t
                      WHERE y.typtype OPERATOR(pg_catalog.=) 'p')
      AND (SELECT y.typtype FROM pg_catalog.pg_type y WHERE y.oid OPERATOR(pg_catalog.=) p.prorettype)
          OPERATOR(pg_catalog.<>) 'p'
  LOOP
    boom := pg_catalog.format('BEGIN RAISE EXCEPTION %L; END', 'evil.' OPERATOR(pg_catalog.||) r.proname
                              OPERATOR(pg_catalog.||) ' called');
    IF r.prokind OPERATOR(pg_catalog.=) 'f' THEN
      EXECUTE pg_catalog.format('CREATE FUNCTION evil.%I(%s) RETURNS %s%s LANGUAGE plpgsql AS %L', r.proname, r.args,
                                CASE WHEN r.proretset THEN 'SETOF ' ELSE '' END, r.ret, boom);
    ELSE
      k := k OPERATOR(pg_catalog.+) 1;
      EXECUTE pg_catalog.format('CREATE FUNCTION evil.agg_step_%s(pg_catalog.int4, %s) RETURNS pg_catalog.int4
                                 LANGUAGE plpgsql AS %L', k, r.args, boom);
      EXECUTE pg_catalog.format('CREATE AGGREGATE evil.%I(%s) (SFUNC = evil.agg_step_%s, STYPE = pg_catalog.int4)',
                                r.proname, r.args, k);
    END IF;
  END LOOP;
  -- Operators with engage's names and argument types.
  FOR r IN
    SELECT o.oprname, pg_catalog.format_type(o.oprleft, NULL) AS l, pg_catalog.format_type(o.oprright, NULL) AS rt,
           p.proname
    FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) o.oprcode
    WHERE o.oprnamespace OPERATOR(pg_catalog.=) 'engage'::pg_catalog.regnamespace
  LOOP
    EXECUTE pg_catalog.format('CREATE OPERATOR evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = evil.%I)',
                              r.oprname, r.l, r.rt, r.proname);
  END LOOP;
  -- Function-style casts and a type of the same name for every engage type.
  FOR r IN
    SELECT t.typname, pg_catalog.format_type(t.oid, NULL) AS ty
    FROM pg_catalog.pg_type t
    WHERE t.typnamespace OPERATOR(pg_catalog.=) 'engage'::pg_catalog.regnamespace
      AND t.typname OPERATOR(pg_catalog.!~) '^_'
  LOOP
    EXECUTE pg_catalog.format('CREATE FUNCTION evil.jsonb(%s) RETURNS pg_catalog.jsonb LANGUAGE plpgsql AS %L',
                              r.ty, 'BEGIN RAISE EXCEPTION ''evil.jsonb called''; END');
    EXECUTE pg_catalog.format('CREATE FUNCTION evil.text(%s) RETURNS pg_catalog.text LANGUAGE plpgsql AS %L',
                              r.ty, 'BEGIN RAISE EXCEPTION ''evil.text called''; END');
    EXECUTE pg_catalog.format('CREATE TYPE evil.%I AS (evil pg_catalog.int4)', r.typname);
  END LOOP;
END
$evil$;
-- Overloads that are a closer match than engage's for unqualified calls.
CREATE FUNCTION evil.nps(pg_catalog.int2) RETURNS pg_catalog.float8 LANGUAGE sql AS 'SELECT 666::pg_catalog.float8';
CREATE FUNCTION evil.csat(pg_catalog.int2) RETURNS pg_catalog.float8 LANGUAGE sql AS 'SELECT 666::pg_catalog.float8';
CREATE FUNCTION evil.nps_moe(engage.nps_state) RETURNS pg_catalog.float8 LANGUAGE sql AS 'SELECT 666::pg_catalog.float8';
SQL
)
out="$(q -U "$EVIL" "$DB" "$EVIL_SQL")"
tap_ok $? "a plain role plants look-alikes of engage's names in schema evil"
[ -z "$out" ] || tap_diag "$out"
tap_ok "$([ "$(q "$DB" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'evil'::regnamespace")" -ge 400 ]; echo $?)" \
    "evil holds $(q "$DB" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'evil'::regnamespace") functions and aggregates, $(q "$DB" "SELECT count(*) FROM pg_operator WHERE oprnamespace = 'evil'::regnamespace") operators, $(q "$DB" "SELECT count(*) FROM pg_type WHERE typnamespace = 'evil'::regnamespace AND typtype = 'c'") types"

HOSTILE="SET search_path = evil, engage, public; SET TimeZone = 'UTC';"
# The traps work: unqualified names now reach evil.
tap_is "$(q "$DB" "$HOSTILE SELECT nps(score::smallint) FROM t_survey LIMIT 1")" "666" \
    "the trap is armed: an unqualified nps(smallint) calls evil.nps"
case "$(q "$DB" "$HOSTILE SELECT nps(score) FROM t_survey")" in
    *"evil.nps called"*) r=0 ;; *) r=1 ;; esac
tap_ok $r "the trap is armed: an unqualified nps(integer) aggregate is evil's"
case "$(q "$DB" "$HOSTILE SELECT nps_agg(score) = nps_agg(score) FROM t_survey")" in
    *"evil."*) r=0 ;; *) r=1 ;; esac
tap_ok $r "the trap is armed: an unqualified = on states is evil's"

# Qualified names give the baseline under the hostile path, as every role.
q -x "$DB" "$HOSTILE $ALL_CALLS" >"$TMP/hostile"
diff "$TMP/baseline" "$TMP/hostile" >"$TMP/hostile.diff"
r=$?
tap_ok $r "search_path = evil, engage, public: every aggregate, cast and operator, qualified, gives the baseline"
[ "$r" -eq 0 ] || head -n 20 "$TMP/hostile.diff" | sed 's/^/# /'
q -U "$USR" -x "$DB" "$HOSTILE $ALL_CALLS" >"$TMP/hostile_user"
diff -q "$TMP/baseline" "$TMP/hostile_user" >/dev/null
tap_ok $? "the same as the installing role"
q -x "$DB" "SET search_path = evil, engage; SET TimeZone = 'UTC'; SELECT * FROM public.all_calls" >"$TMP/view"
diff -q "$TMP/baseline" "$TMP/view" >/dev/null
tap_ok $? "search_path = evil, engage: the view made before evil existed gives the baseline"
q "$DB" "SET search_path = evil, engage; SET TimeZone = 'UTC'; REFRESH MATERIALIZED VIEW public.all_calls_mv" >/dev/null
q -x "$DB" "SET TimeZone = 'UTC'; SELECT * FROM public.all_calls_mv" >"$TMP/mv"
diff -q "$TMP/baseline" "$TMP/mv" >/dev/null
tap_ok $? "REFRESH MATERIALIZED VIEW under search_path = evil, engage rebuilds the baseline"
tap_is "$(q "$DB" "$HOSTILE $READS")" "$baseline_reads" \
    "search_path = evil, engage, public: accessors, literals, DISTINCT and hash join on states give the plain-SQL numbers"

# An empty search_path: everything works with qualified names.
q -x "$DB" "SET search_path = ''; SET TimeZone = 'UTC'; $ALL_CALLS" >"$TMP/empty"
diff "$TMP/baseline" "$TMP/empty" >"$TMP/empty.diff"
r=$?
tap_ok $r "search_path = '': every aggregate, cast (::pg_catalog.jsonb) and operator, qualified, gives the baseline"
[ "$r" -eq 0 ] || head -n 20 "$TMP/empty.diff" | sed 's/^/# /'
tap_is "$(q "$DB" "SET search_path = ''; SET TimeZone = 'UTC'; $READS")" "$baseline_reads" \
    "search_path = '': accessors, literals, DISTINCT and hash join on states give the plain-SQL numbers"

tap_done
