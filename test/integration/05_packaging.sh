#!/usr/bin/env bash
# Packaging: META.json, the changelog and the SQL scripts agree with
# engage.control, and every released version has an update path to the current.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
cd "$ENGAGE_REPO" || exit 1

ver="$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" engage.control)"
tap_ok "$([ -n "$ver" ]; echo $?)" "engage.control names a default_version ($ver)"

# meta KEY...: print a value of META.json by path (empty if absent or invalid).
meta() {
    python3 -c 'import json,sys
d=json.load(open("META.json"))
for k in sys.argv[1:]: d=d[k]
print(d)' "$@" 2>/dev/null
}
tap_ok "$(python3 -m json.tool META.json >/dev/null 2>&1; echo $?)" "META.json is valid JSON"
tap_is "$(meta version)" "$ver" "META.json version is the control file's"
tap_is "$(meta provides engage version)" "$ver" "META.json provides engage at the control file's version"
tap_is "$(meta provides engage file)" "sql/engage--$ver.sql" "META.json names the current install script"
tap_is "$(meta meta-spec version)" "1.0.0" "META.json follows PGXN meta-spec 1.0.0"
for k in name abstract maintainer license release_status; do
    tap_ok "$([ -n "$(meta "$k")" ]; echo $?)" "META.json has $k"
done

# Every version with a script is in the changelog, the current one first.
tap_is "$(grep -m1 -o '^## [0-9][0-9.]*' docs/CHANGELOG.md | cut -c4-)" "$ver" \
    "the changelog's first section is the current version"
for f in sql/engage--*.sql; do
    v="${f#sql/engage--}"; v="${v%.sql}"
    case "$v" in *--*) v="${v#*--}" ;; esac
    tap_ok "$(grep -q "^## $v " docs/CHANGELOG.md; echo $?)" "the changelog has a section for $v ($f)"
done

# The server sees one update path from every older full script to the current.
db=engage_packaging
psql=("$(engage_pgbin)/psql" -X -q -At -v ON_ERROR_STOP=1)
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
trap '"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
tap_is "$("${psql[@]}" -d "$db" -c "SELECT default_version FROM pg_available_extensions WHERE name = 'engage'")" \
    "$ver" "the installed control file has the current version"
for f in sql/engage--*.sql; do
    v="${f#sql/engage--}"; v="${v%.sql}"
    case "$v" in *--*|"$ver") continue ;; esac
    tap_is "$("${psql[@]}" -d "$db" -c "SELECT path IS NOT NULL FROM pg_extension_update_paths('engage')
                                        WHERE source = '$v' AND target = '$ver'")" \
        t "released version $v has an update path to $ver"
done
tap_is "$("${psql[@]}" -d "$db" -c "SELECT relocatable, schema FROM pg_available_extension_versions
                                    WHERE name = 'engage' AND version = '$ver'")" \
    "f|engage" "the current version installs into the fixed schema engage"
tap_is "$("${psql[@]}" -d "$db" -c "SELECT trusted FROM pg_available_extension_versions
                                    WHERE name = 'engage' AND version = '$ver'")" \
    t "the current version is trusted"
tap_done
