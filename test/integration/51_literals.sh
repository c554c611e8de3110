#!/usr/bin/env bash
# Random and mutated literals of every state type through the real server
# (test/fuzz/literals.sh; LITERALS, default 50000, seed fixed): every
# rejection a clean ERROR with a documented SQLSTATE, every accepted value a
# text and binary round trip, the server never restarts.  Then the binary
# input bugs the fuzzer found, through COPY ... (FORMAT binary).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../lib.sh"
. "$here/tap.sh"
count="${LITERALS:-50000}"
db="engage_it51_$$"
tmp="$(mktemp -d)"
psql=(psql -X -q -v ON_ERROR_STOP=1)
trap '"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

# --- the literal run --------------------------------------------------------
"$ENGAGE_REPO/test/fuzz/literals.sh" "$count" 51 >"$tmp/lit.out" 2>&1
rc=$?
tap_ok "$rc" "literal run passes ($(tail -n 1 "$tmp/lit.out"))"
anchors_ok="$(awk '$1 == "anchor" && $3 == $4' "$tmp/lit.out" | wc -l)"
tap_is "$anchors_ok" 8 "the 8 anchor literals give their known outcome (ok, 22P02, 22003, 22008)"
tap_is "$(sed -n 's/^total tried \([0-9]*\) .*/\1/p' "$tmp/lit.out")" "$count" "$count literals tried"
tap_is "$(sed -n 's/^unexpected //p' "$tmp/lit.out")" 0 "no rejection with an undocumented SQLSTATE, no round-trip failure"
both="$(awk '$1 == "type" && $5 > 0 && $7 > 0' "$tmp/lit.out" | wc -l)"
tap_is "$both" 12 "each of the 12 types both accepted and rejected some literals"
tap_ok "$(grep -q 'server restarted: no' "$tmp/lit.out"; echo $?)" "the server did not restart"
if [ "$rc" -ne 0 ]; then tap_diag "$(grep -E '^(bad|anchor|ERROR|psql)' "$tmp/lit.out" | head -n 20)"; fi
grep -E '^(sqlstate|type)' "$tmp/lit.out" | sed 's/^/# /'

# --- binary input regressions, through COPY (FORMAT binary) ------------------
# Write a one-column binary COPY file holding the value given in hex.
copy_file() {
    local hex="$1" file="$2" len=$(( ${#1} / 2 )) body
    body="$(printf '%08x' "$len")$hex"
    printf 'PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0\0\001' >"$file"
    printf "$(printf '%s' "$body" | sed 's/../\\x&/g')" >>"$file"
    printf '\377\377' >>"$file"
}

"${psql[@]}" -d postgres -c "CREATE DATABASE $db" &&
    "${psql[@]}" -d "$db" -c "CREATE EXTENSION engage" -c "CREATE TABLE f (s engage.flow_state)"
head='000100000000000100000001000000000000000000000000'
counts='0000000000000005000000000000000400000000000000020000000000000002'
jan='0002b0d5d4e94000'      # 2024-01-01 00:00:00+00 in microseconds from 2000-01-01
feb='0002b34571fde000'      # 2024-02-01
copy_file "$head$jan$counts$feb" "$tmp/ok.bin"
got="$("${psql[@]}" -d "$db" -Atc "\\copy f FROM '$tmp/ok.bin' WITH (FORMAT binary)" -c "SELECT s::text FROM f" 2>&1)"
tap_is "$got" "v1;step=1mon0d0us;2024-01-01 00:00:00+00 {5,4,2,2};2024-02-01 00:00:00+00" \
    "a binary flow_state written by hand loads through COPY and reads back"
# A period start before 4713 BC (-2^62 us) used to load and then fail every SELECT.
copy_file "${head}c000000000000000$counts$feb" "$tmp/old.bin"
got="$("${psql[@]}" -d "$db" -c "\\set VERBOSITY sqlstate" -c "\\copy f FROM '$tmp/old.bin' WITH (FORMAT binary)" 2>&1)"
tap_is "$got" "ERROR:  22P03" "binary flow_state with a timestamp before 4713 BC is rejected (22P03)"
# Step microseconds 2^63-1: binary input took it, text input did not read it back.
step='00010000000000010000000100000000'7fffffffffffffff
"${psql[@]}" -d "$db" -c "TRUNCATE f" >/dev/null
copy_file "$step$jan$counts$feb" "$tmp/step.bin"
got="$("${psql[@]}" -d "$db" -Atc "\\copy f FROM '$tmp/step.bin' WITH (FORMAT binary)" \
    -c "SELECT s::text = s::text::engage.flow_state::text FROM f" 2>&1)"
tap_is "$got" "t" "a binary flow_state with a step of 2^63-1 microseconds reads back from its text"
tap_done
