#!/usr/bin/env bash
# 31_upgrade: ALTER EXTENSION engage UPDATE from every released version (a
# frozen full script sql/engage--X.sql other than the current one) to the
# current version, one step at a time along pg_extension_update_paths. The
# updated extension must equal a fresh install (every member object and its
# properties, comments, and a binary-upgrade schema dump), and states stored
# by the old version must read back exactly: text and binary forms equal to
# hand-written values, accessors equal to hand-computed numbers.
# An old install in another schema (0.1.0 had no fixed schema) updates in place.
# A plain role updates its own trusted install.
# Uses the test cluster only (PGHOST/PGPORT); databases and a role
# engage_t31_PID_*, dropped on exit (KEEP=1 keeps them for inspection).
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=test/lib.sh
. "$HERE/../lib.sh"
# shellcheck source=test/integration/tap.sh
. "$HERE/tap.sh"

BIN="$(engage_pgbin)"
TAG="engage_t31_$$"
FRESH="${TAG}_fresh"
TMP="$(mktemp -d /tmp/engage-t31.XXXXXX)"
ROLE="${TAG}_owner"
DBS=("$FRESH")

# Drop this script's databases, roles and files (also on early exit).
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    local d
    for d in "${DBS[@]}"; do "$BIN/dropdb" --if-exists "$d" >/dev/null 2>&1 || true; done
    "$BIN/psql" -X -q -d postgres -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT

# q DB SQL: run SQL in DB, unaligned tuples only, stop on the first error; on
# an error print a line that no other query prints, so no comparison passes.
q() {
    local out
    if ! out="$("$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1)"; then
        echo "query failed ($RANDOM$RANDOM): $out"; return 1
    fi
    printf '%s\n' "$out"
}

# h16 N... / h64 N...: big-endian hex of int16 / int64 values (the binary forms).
h16() { local v; for v in "$@"; do printf '%04x' "$v"; done; }
h64() { local v; for v in "$@"; do printf '%016x' "$v"; done; }

# schema_dump DB: pg_dump --binary-upgrade --schema-only (which writes every
# member object of an extension) without the fixture's tables and without
# the OIDs and random keys that differ between two databases.
schema_dump() {
    "$BIN/pg_dump" --binary-upgrade --schema-only -T 'public.*' -d "$1" 2>&1 |
        grep -vE 'binary_upgrade_set_next_|^\\(un)?restrict '
}

# Every member object of engage with the properties that define it, one line
# each, sorted; names print schema-qualified (search_path is empty). An
# operator class's implicit family is not a member: it is listed with the class.
CATALOG_SQL=$(cat <<'SQL'
SET search_path = '';
WITH m AS (
  SELECT d.classid, d.objid, d.objsubid
  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
  WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND e.extname = 'engage' AND d.deptype = 'e'
), props AS (
  SELECT m.*, CASE m.classid
    WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN (
      SELECT pg_catalog.concat_ws(' ', 'kind=' || p.prokind::text, 'lang=' || l.lanname, 'ret=' || p.prorettype::pg_catalog.regtype,
               'retset=' || p.proretset, 'src=' || p.prosrc, 'bin=' || p.probin, 'vol=' || p.provolatile::text,
               'par=' || p.proparallel::text, 'strict=' || p.proisstrict, 'secdef=' || p.prosecdef,
               'leakproof=' || p.proleakproof, 'cost=' || p.procost, 'rows=' || p.prorows,
               'args=' || pg_catalog.pg_get_function_arguments(p.oid), 'config=' || p.proconfig::text,
               'support=' || p.prosupport::pg_catalog.regproc, 'owner=' || p.proowner::pg_catalog.regrole,
               'acl=' || p.proacl::text,
               (SELECT pg_catalog.concat_ws(' ', 'agg:', a.aggkind, a.aggnumdirectargs, a.aggtransfn, a.aggfinalfn,
                        a.aggcombinefn, a.aggserialfn, a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn,
                        a.aggmfinalfn, a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify, a.aggmfinalmodify,
                        a.aggsortop::pg_catalog.regoperator, a.aggtranstype::pg_catalog.regtype, a.aggtransspace,
                        a.aggmtranstype::pg_catalog.regtype, a.aggmtransspace,
                        'init=' || a.agginitval, 'minit=' || a.aggminitval)
                FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid = p.oid))
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang WHERE p.oid = m.objid)
    WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN (
      SELECT pg_catalog.concat_ws(' ', t.typlen, t.typbyval, t.typtype, t.typcategory, t.typispreferred, t.typalign,
               t.typstorage, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin, t.typmodout, t.typanalyze,
               t.typsubscript, t.typelem::pg_catalog.regtype, t.typarray::pg_catalog.regtype, t.typdelim,
               t.typcollation, t.typnotnull, 'default=' || t.typdefault, 'owner=' || t.typowner::pg_catalog.regrole,
               'acl=' || t.typacl::text,
               (SELECT 'attrs=' || pg_catalog.string_agg(a.attname || ':' || a.atttypid::pg_catalog.regtype
                         || COALESCE(':' || pg_catalog.col_description(a.attrelid, a.attnum), ''),
                         ',' ORDER BY a.attnum)
                FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0))
      FROM pg_catalog.pg_type t WHERE t.oid = m.objid)
    WHEN 'pg_catalog.pg_cast'::pg_catalog.regclass THEN (
      SELECT pg_catalog.concat_ws(' ', c.castfunc::pg_catalog.regprocedure, c.castcontext, c.castmethod)
      FROM pg_catalog.pg_cast c WHERE c.oid = m.objid)
    WHEN 'pg_catalog.pg_operator'::pg_catalog.regclass THEN (
      SELECT pg_catalog.concat_ws(' ', o.oprkind, o.oprresult::pg_catalog.regtype, o.oprcom::pg_catalog.regoperator,
               o.oprnegate::pg_catalog.regoperator, o.oprcode::pg_catalog.regprocedure, o.oprrest, o.oprjoin,
               o.oprcanmerge, o.oprcanhash, 'owner=' || o.oprowner::pg_catalog.regrole)
      FROM pg_catalog.pg_operator o WHERE o.oid = m.objid)
    WHEN 'pg_catalog.pg_opclass'::pg_catalog.regclass THEN (
      SELECT pg_catalog.concat_ws(' ', c.opcintype::pg_catalog.regtype, c.opcdefault, c.opckeytype::pg_catalog.regtype,
               'family=' || pg_catalog.pg_describe_object('pg_catalog.pg_opfamily'::pg_catalog.regclass, c.opcfamily, 0),
               'family owner=' || f.opfowner::pg_catalog.regrole,
               'family comment=' || pg_catalog.obj_description(f.oid, 'pg_opfamily'),
               (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', o.amopstrategy, o.amopopr::pg_catalog.regoperator,
                         o.amoplefttype::pg_catalog.regtype, o.amoprighttype::pg_catalog.regtype, o.amoppurpose), ','
                         ORDER BY o.amopstrategy)
                FROM pg_catalog.pg_amop o WHERE o.amopfamily = f.oid),
               (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', p.amprocnum, p.amproc::pg_catalog.regprocedure,
                         p.amproclefttype::pg_catalog.regtype, p.amprocrighttype::pg_catalog.regtype), ','
                         ORDER BY p.amprocnum)
                FROM pg_catalog.pg_amproc p WHERE p.amprocfamily = f.oid))
      FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily WHERE c.oid = m.objid)
    WHEN 'pg_catalog.pg_opfamily'::pg_catalog.regclass THEN (
      SELECT pg_catalog.concat_ws(' ',
               (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', o.amopstrategy, o.amopopr::pg_catalog.regoperator,
                         o.amoplefttype::pg_catalog.regtype, o.amoprighttype::pg_catalog.regtype, o.amoppurpose), ','
                         ORDER BY o.amopstrategy)
                FROM pg_catalog.pg_amop o WHERE o.amopfamily = f.oid),
               (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', p.amprocnum, p.amproc::pg_catalog.regprocedure,
                         p.amproclefttype::pg_catalog.regtype, p.amprocrighttype::pg_catalog.regtype), ','
                         ORDER BY p.amprocnum)
                FROM pg_catalog.pg_amproc p WHERE p.amprocfamily = f.oid))
      FROM pg_catalog.pg_opfamily f WHERE f.oid = m.objid)
    END AS props
  FROM m
)
SELECT pg_catalog.concat_ws(' | ', pg_catalog.pg_describe_object(classid, objid, objsubid), props,
         'comment=' || (SELECT d.description FROM pg_catalog.pg_description d
                        WHERE d.classoid = props.classid AND d.objoid = props.objid AND d.objsubid = 0))
FROM props
UNION ALL
SELECT pg_catalog.concat_ws(' | ', 'schema of engage', n.nspname, 'owner=' || n.nspowner::pg_catalog.regrole,
         'acl=' || n.nspacl::text)
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'engage'
UNION ALL
SELECT pg_catalog.concat_ws(' | ', 'extension engage', e.extversion, e.extrelocatable, e.extnamespace::pg_catalog.regnamespace,
         e.extconfig::text, e.extcondition::text,
         'comment=' || pg_catalog.obj_description(e.oid, 'pg_extension'))
FROM pg_catalog.pg_extension e WHERE e.extname = 'engage'
ORDER BY 1;
SQL
)

# A hand-checkable fixture, written by the old version: states from
# aggregates over tiny inputs, literals, a materialized view, and copies of
# their text and binary forms taken before the update.
FIXTURE_SQL=$(cat <<'SQL'
SET TimeZone = 'UTC';
CREATE TABLE old_states AS SELECT
  (SELECT engage.nps_agg(s) FROM (VALUES (0), (6), (7), (9), (10), (10), (NULL)) v(s)) AS nps_st,
  (SELECT engage.csat_agg(s) FROM (VALUES (1), (2), (4), (5), (5)) v(s)) AS csat_st,
  (SELECT engage.ces_agg(s) FROM (VALUES (1), (2), (3), (7)) v(s)) AS ces_st,
  (SELECT engage.conversion_agg(b) FROM (VALUES (true), (true), (false), (NULL)) v(b)) AS rate_st,
  (SELECT engage.sessionize(ts) FROM (VALUES (timestamptz '2024-01-01 10:00+00'), ('2024-01-01 10:10+00'),
                                             ('2024-01-01 11:00+00')) v(ts)) AS sess_st,
  (SELECT engage.revenue_agg(a, b) FROM (VALUES (100, 120), (50, 0), (0, 30), (80, 60)) v(a, b)) AS rev_st,
  (SELECT engage.activity_agg(u, d) FROM (VALUES (1, date '2024-01-01'), (1, '2024-01-03'), (2, '2024-01-02')) v(u, d)) AS act_st,
  (SELECT engage.subscription_flow(s, e, '2024-01-01', '2024-03-01', interval '1 month')
   FROM (VALUES (timestamptz '2023-12-15', NULL::timestamptz), ('2024-01-10', '2024-02-05'),
                ('2023-11-01', '2024-01-20')) v(s, e)) AS flow_st,
  (SELECT engage.funnel(ts, st, interval '1 day') FROM (VALUES (timestamptz '2024-01-01 10:00', 1),
                ('2024-01-01 10:30', 2), ('2024-01-01 12:00', 3)) v(ts, st)) AS fun_st,
  (SELECT engage.resolution_agg(o, r) FROM (VALUES (timestamptz '2024-01-01 10:00', timestamptz '2024-01-01 11:00'),
                ('2024-01-01 10:00', '2024-01-01 10:30'), ('2024-01-02', NULL)) v(o, r)) AS res_st,
  'v1:r=0.25,alpha=4.5,a=0.75,b=2.5'::engage.bgnbd AS bg_model,
  'v1:p=6,q=4,v=15'::engage.gammagamma AS gg_model,
  (SELECT engage.rfm_summary(ts, a, '2024-01-31') FROM (VALUES (timestamptz '2024-01-01', 10.0::float8),
                ('2024-01-05', 20), ('2024-01-05', 5), ('2024-01-10', 40)) v(ts, a)) AS rfm_row,
  (SELECT engage.historical_clv(c, a, ts) FROM (VALUES (1::bigint, 10.0::float8, timestamptz '2024-01-01'),
                (1, 30, '2024-01-11'), (2, 20, '2024-01-06')) v(c, a, ts)) AS clv_row;
CREATE TABLE raw (seg int, score int);
INSERT INTO raw SELECT i % 2, (i * 7) % 11 FROM generate_series(1, 50) i;
CREATE MATERIALIZED VIEW old_mv AS SELECT seg, engage.nps_agg(score) AS st FROM raw GROUP BY seg;
CREATE TABLE old_forms AS
  SELECT 'old_states'::text AS rel, (SELECT string_agg(a.attname, ',' ORDER BY attnum) FROM pg_attribute a
                                       WHERE attrelid = 'old_states'::regclass AND attnum > 0) AS cols,
         o::text AS text_form FROM old_states o;
SQL
)

# The text and binary forms of every stored state, one per line.
FORMS_SQL="SET TimeZone = 'UTC';
SELECT nps_st::text, csat_st::text, ces_st::text, rate_st::text, sess_st::text, rev_st::text, act_st::text,
       flow_st::text, fun_st::text, res_st::text, bg_model::text, gg_model::text, rfm_row::text, clv_row::text
FROM old_states;
SELECT encode(engage.nps_state_send(nps_st), 'hex'), encode(engage.csat_state_send(csat_st), 'hex'),
       encode(engage.ces_state_send(ces_st), 'hex'), encode(engage.proportion_state_send(rate_st), 'hex'),
       encode(engage.session_state_send(sess_st), 'hex'), encode(engage.revenue_state_send(rev_st), 'hex'),
       encode(engage.activity_state_send(act_st), 'hex'), encode(engage.flow_state_send(flow_st), 'hex'),
       encode(engage.funnel_state_send(fun_st), 'hex'), encode(engage.resolution_state_send(res_st), 'hex'),
       encode(engage.bgnbd_send(bg_model), 'hex'), encode(engage.gammagamma_send(gg_model), 'hex')
FROM old_states;
SELECT seg, st FROM old_mv ORDER BY seg;"

# --- the current version, the released versions, their update paths ------------
current="$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$ENGAGE_REPO/engage.control")"
released=()
for f in "$ENGAGE_REPO"/sql/engage--*.sql; do
    v="$(basename "$f" .sql)"; v="${v#engage--}"
    case "$v" in *--*|"$current") ;; *) released+=("$v") ;; esac
done
# Oldest first (version sort).
mapfile -t released < <(printf '%s\n' "${released[@]}" | sort -V)
tap_diag "current version $current; released versions: ${released[*]}"
tap_ok "$([ "${#released[@]}" -ge 1 ] && [ "${released[0]}" = "0.1.0" ]; echo $?)" \
    "the released versions start at 0.1.0"
tap_is "$(q postgres "SELECT default_version FROM pg_available_extensions WHERE name = 'engage'")" "$current" \
    "the installed engage.control is the repository's ($current)"

"$BIN/createdb" "$FRESH"
q "$FRESH" "CREATE EXTENSION engage" >/dev/null
tap_is "$(q "$FRESH" "SELECT extversion FROM pg_extension WHERE extname = 'engage'")" "$current" \
    "a fresh install is $current"
q "$FRESH" "$CATALOG_SQL" >"$TMP/fresh.catalog"
schema_dump "$FRESH" >"$TMP/fresh.dump"
tap_ok "$([ "$(grep -c . "$TMP/fresh.catalog")" -gt 400 ] && [ -s "$TMP/fresh.dump" ]; echo $?)" \
    "catalog listing ($(grep -c . "$TMP/fresh.catalog") member objects) and binary-upgrade dump of a fresh install"

path_0_1_0="$(q postgres "SELECT path FROM pg_extension_update_paths('engage')
                          WHERE source = '0.1.0' AND target = '$current'")"
tap_ok "$(case "--$path_0_1_0--" in *--0.1.0--0.2.0--*) echo 0 ;; *) echo 1 ;; esac)" \
    "the update path 0.1.0 -> $current ($path_0_1_0) includes 0.1.0--0.2.0"

for old in "${released[@]}"; do
    db="${TAG}_from_${old//./_}"
    DBS+=("$db")
    path="$(q postgres "SELECT path FROM pg_extension_update_paths('engage')
                        WHERE source = '$old' AND target = '$current'")"
    tap_ok "$([ -n "$path" ] && [ "${path%%--*}" = "$old" ]; echo $?)" "an update path from $old to $current: $path"
    "$BIN/createdb" "$db"
    q "$db" "CREATE EXTENSION engage VERSION '$old'" >/dev/null
    tap_is "$(q "$db" "SELECT extversion FROM pg_extension WHERE extname = 'engage'")" "$old" "installed $old"
    out="$(q "$db" "$FIXTURE_SQL")"
    tap_ok $? "version $old stores states of every type, a materialized view and their forms"
    [ -z "$out" ] || tap_diag "$out"
    q "$db" "$FORMS_SQL" >"$TMP/before.$old"

    # Step by step along the path: 0.1.0--0.2.0--... updates to each in turn.
    IFS=' ' read -r -a steps <<<"${path//--/ }"
    prev="$old"
    for step in "${steps[@]:1}"; do
        out="$(q "$db" "ALTER EXTENSION engage UPDATE TO '$step'")"
        rc=$?
        got="$(q "$db" "SELECT extversion FROM pg_extension WHERE extname = 'engage'")"
        tap_ok "$([ "$rc" -eq 0 ] && [ "$got" = "$step" ]; echo $?)" "ALTER EXTENSION engage UPDATE TO '$step' (from $prev)"
        [ "$rc" -eq 0 ] || tap_diag "$out"
        prev="$step"
    done

    # The updated extension equals a fresh install.
    q "$db" "$CATALOG_SQL" >"$TMP/updated.catalog"
    diff -u "$TMP/fresh.catalog" "$TMP/updated.catalog" >"$TMP/catalog.diff"
    rc=$?
    tap_ok $rc "updated from $old: every member object, its properties and comment equal a fresh install"
    [ "$rc" -eq 0 ] || head -n 40 "$TMP/catalog.diff" | sed 's/^/# /'
    schema_dump "$db" >"$TMP/updated.dump"
    diff -u "$TMP/fresh.dump" "$TMP/updated.dump" >"$TMP/dump.diff"
    rc=$?
    tap_ok $rc "updated from $old: the binary-upgrade schema dump of engage equals a fresh install's"
    [ "$rc" -eq 0 ] || head -n 40 "$TMP/dump.diff" | sed 's/^/# /'
    tap_is "$(q "$db" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'engage'::regnamespace")
$(q "$db" "SELECT count(*) FROM pg_type WHERE typnamespace = 'engage'::regnamespace")" \
           "$(q "$FRESH" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'engage'::regnamespace")
$(q "$FRESH" "SELECT count(*) FROM pg_type WHERE typnamespace = 'engage'::regnamespace")" \
        "updated from $old: schema engage holds as many functions and types as a fresh install"

    # States written by the old version read back exactly.
    q "$db" "$FORMS_SQL" >"$TMP/after.$old"
    tap_is "$(cat "$TMP/after.$old")" "$(cat "$TMP/before.$old")" \
        "updated from $old: every stored state has the text and binary form it had before the update"
    tap_is "$(q "$db" "SELECT text_form FROM old_forms")" "$(q "$db" "SELECT o::text FROM old_states o")" \
        "updated from $old: the row's text equals the copy taken before the update"
    texts="$(q "$db" "SET TimeZone = 'UTC'; SELECT concat_ws(E'\n', nps_st, csat_st, ces_st, rate_st, sess_st,
                      rev_st, act_st, flow_st, fun_st, res_st, bg_model, gg_model, rfm_row, clv_row) FROM old_states")"
    want_texts="v1:0..10:>=9:[1,0,0,0,0,0,1,1,0,1,2]
v1:1..5:>=4:[1,1,0,1,2]
v1:1..7:>=5:[1,1,1,0,0,0,1]
v1:2/3
v1;gap_us=1800000000;sessions=2;events=3;duration_us=600000000;bounces=1;engaged=1
v1;rows=4;starting=230.000000/3;new=30.000000/1;expansion=20.000000/1;contraction=20.000000/1;churned=50.000000/1
v1:2024-01-01:3:{1=05,2=02}
v1;step=1mon0d0us;2024-01-01 00:00:00+00 {2,1,1,0};2024-02-01 00:00:00+00 {2,0,1,0};2024-03-01 00:00:00+00
v1;steps=3;users=1;reached=1,1,1;s2=1800.000000;h2=1795162112:1;s3=5400.000000;h3=5368709120:1
v1;open=1;resolved=2;sum=5400.000000;h=1795162112:1,3590324224:1
v1:r=0.25,alpha=4.5,a=0.75,b=2.5,customers=0,log_likelihood=NaN
v1:p=6,q=4,v=15,customers=0,log_likelihood=NaN
(2,9,30,32.5)
(2,3,60,20,1.5,5,30,10,0.15,15)"
    tap_is "$texts" "$want_texts" "updated from $old: text forms equal the hand-written values"
    bins="$(sed -n 2p "$TMP/after.$old" | tr '|' '\n' | head -n 7)"
    # Binary forms: int16 version 1 first; histograms add kind, scale, cut,
    # direction, bins and int64 counts; the others int16 flags and int64
    # fields (activity: int32 first day since 2000-01-01, days, users, then
    # per user the id and its day bitmap).
    want_bins="$(h16 1 1 0 10 9 1 11)$(h64 1 0 0 0 0 0 1 1 0 1 2)
$(h16 1 2 1 5 4 1 5)$(h64 1 1 0 1 2)
$(h16 1 3 1 7 5 1 7)$(h64 1 1 1 0 0 0 1)
$(h16 1 0)$(h64 2 3)
$(h16 1 0)$(h64 1800000000 2 3 600000000 1 1)
$(h16 1 0)$(h64 4 230000000 3 30000000 1 20000000 1 20000000 1 50000000 1)
$(h16 1 0)$(printf '%08x' 8766 3 2)$(h64 1)05$(h64 2)02"
    tap_is "$bins" "$want_bins" "updated from $old: binary forms equal the hand-built bytes"
    tap_is "$(sed -n 2p "$TMP/after.$old" | cut -d'|' -f11-12)" \
           "$(h16 1 1 4)3fd00000000000004012000000000000$(printf '3fe8%012x4004%012x' 0 0)$(h64 0)7ff8000000000000|$(h16 1 2 3)40180000000000004010000000000000402e000000000000$(h64 0)7ff8000000000000" \
        "updated from $old: model binary forms equal the IEEE bytes of the parameters"
    tap_is "$(q "$db" "SELECT concat_ws(' ', engage.nps(nps_st), engage.promoters(nps_st), engage.detractors(nps_st),
                          engage.csat(csat_st), engage.ces(ces_st), engage.successes(rate_st), engage.trials(rate_st),
                          engage.sessions(sess_st), engage.bounces(sess_st), engage.total_session_duration(sess_st),
                          engage.ending_mrr(rev_st), engage.active_users(act_st), engage.dau(act_st, '2024-01-03'),
                          engage.funnel_users(fun_st), engage.funnel_times(fun_st), engage.ticket_count(res_st),
                          engage.resolution_count(res_st), engage.mean_resolution_time(res_st))
                        FROM old_states")" \
           "16.666666666666668 3 2 60 3.25 2 3 2 1 00:10:00 210.000000 2 1 1 {00:00:00,00:30:00,02:00:00} 3 2 00:45:00" \
        "updated from $old: accessors read the hand-computed numbers"
    # P(alive) of BG/NBD and the Gamma-Gamma conditional mean, in closed form.
    tap_is "$(q "$db" "SELECT round(engage.p_alive(bg_model, 2, 30, 39)::numeric, 12) || ' '
                          || round(engage.expected_avg_value(gg_model, 3, 20)::numeric, 12) FROM old_states")" \
           "$(q "$db" "SELECT round((1 / (1 + (0.75 / (2.5 + 2 - 1)) * ((4.5 + 39) / (4.5 + 30.0)) ^ (0.25 + 2))), 12) || ' '
                          || round(3.0 / (6 * 3 + 3) * (15.0 * 6 / 3) + (6 * 3.0) / (6 * 3 + 3) * 20, 12)")" \
        "updated from $old: model readers equal the closed forms"
    tap_is "$(q "$db" "SELECT concat_ws(' ', engage.nps(engage.rollup(st)), engage.responses(engage.rollup(st)))
                        FROM (SELECT nps_st AS st FROM old_states
                              UNION ALL SELECT engage.nps_agg(s) FROM (VALUES (9), (3)) v(s)) x")" \
           "12.5 8" "updated from $old: an old state rolls up with a new one (4 - 3 of 8)"
    q "$db" "REFRESH MATERIALIZED VIEW old_mv" >/dev/null
    tap_is "$(q "$db" "SELECT string_agg(seg || ' ' || st::text, ';' ORDER BY seg) FROM old_mv")" \
           "$(q "$db" "SELECT string_agg(seg || ' v1:0..10:>=9:[' || c || ']', ';' ORDER BY seg) FROM (
                         SELECT seg, string_agg(n::text, ',' ORDER BY k) c FROM (
                           SELECT r.seg, k, count(*) FILTER (WHERE r.score = k) n
                           FROM raw r CROSS JOIN generate_series(0, 10) k GROUP BY r.seg, k) x GROUP BY seg) y")" \
        "updated from $old: the materialized view refreshes to the histogram plain SQL counts"
done

# --- an old install outside schema engage stays where it is ---------------------
# 0.1.0 had no fixed schema, so installs of it often sit in public next to the
# user's own functions. Made here by renaming the schema after the install
# (the installed control file now fixes the schema to engage).
LEGACY="${TAG}_legacy"
DBS+=("$LEGACY")
"$BIN/createdb" "$LEGACY"
out="$(q "$LEGACY" "DROP SCHEMA public; CREATE EXTENSION engage VERSION '0.1.0';
                    ALTER SCHEMA engage RENAME TO public;
                    CREATE FUNCTION public.my_metric(int) RETURNS int LANGUAGE sql AS 'SELECT \$1 * 2';
                    CREATE TABLE public.daily AS SELECT public.nps_agg(s) AS st FROM generate_series(0, 10) s;")"
tap_ok $? "0.1.0 installed in schema public beside a function of the user's"
[ -z "$out" ] || tap_diag "$out"
acl_before="$(q "$LEGACY" "SELECT coalesce(nspacl::text, 'default') FROM pg_namespace WHERE nspname = 'public'")"
out="$(q "$LEGACY" "ALTER EXTENSION engage UPDATE")"
rc=$?
tap_ok $rc "ALTER EXTENSION engage UPDATE of that install succeeds"
[ "$rc" -eq 0 ] || tap_diag "$out"
tap_is "$(q "$LEGACY" "SELECT extversion || ' ' || extnamespace::regnamespace FROM pg_extension WHERE extname = 'engage'")" \
       "$current public" "it is now $current and still in schema public"
tap_is "$(q "$LEGACY" "SELECT concat_ws(' ', public.nps(st), public.responses(st), public.my_metric(21),
                           (SELECT count(*) FROM pg_namespace WHERE nspname = 'engage'))
                       FROM public.daily")" \
       "-45.45454545454545 11 42 0" \
    "its state reads back (NPS (1 - 6) / 11), the user's function is untouched, no schema engage appeared"
tap_is "$(q "$LEGACY" "SELECT coalesce(nspacl::text, 'default') FROM pg_namespace WHERE nspname = 'public'")" \
       "$acl_before" "the privileges on that schema are left as they were"

# --- a plain role updates its own trusted install -------------------------------
PLAIN="${TAG}_plain"
DBS+=("$PLAIN")
q postgres "CREATE ROLE $ROLE LOGIN NOSUPERUSER" >/dev/null
"$BIN/createdb" -O "$ROLE" "$PLAIN"
out="$("$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -U "$ROLE" -d "$PLAIN" 2>&1 <<'SQL'
CREATE EXTENSION engage VERSION '0.1.0';
CREATE TABLE s AS SELECT engage.csat_agg(x) AS st FROM (VALUES (1), (4), (5)) v(x);
ALTER EXTENSION engage UPDATE;
SELECT e.extversion || ' ' || e.extowner::regrole || ' ' || engage.csat(st) || ' ' || st FROM pg_extension e, s
WHERE e.extname = 'engage';
SQL
)"
tap_is "$out" "$current $ROLE 66.66666666666667 v1:1..5:>=4:[1,0,0,1,1]" \
    "a plain role installs 0.1.0, stores a state and updates to $current itself (CSAT 2 of 3)"

tap_done
