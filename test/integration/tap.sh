#!/usr/bin/env bash
# TAP helpers for the integration tests in test/integration/*.sh. Source it.
# Each test prints "ok N - what" or "not ok N - what"; tap_done prints the
# plan and exits non-zero if any test failed, so a script that dies early
# (set -e) is seen as failed by test/test.sh.

TAP_N=0
TAP_FAILED=0

# tap_ok STATUS DESC: pass when STATUS is 0 (use: tap_ok $? "what").
tap_ok() {
    TAP_N=$((TAP_N + 1))
    if [ "$1" -eq 0 ]; then echo "ok $TAP_N - $2"
    else echo "not ok $TAP_N - $2"; TAP_FAILED=$((TAP_FAILED + 1)); fi
}

# tap_is GOT WANT DESC: pass when the two strings are equal; on failure show both.
tap_is() {
    TAP_N=$((TAP_N + 1))
    if [ "$1" == "$2" ]; then echo "ok $TAP_N - $3"
    else
        echo "not ok $TAP_N - $3"
        printf '#   got:  %s\n#   want: %s\n' "${1:0:2000}" "${2:0:2000}"
        TAP_FAILED=$((TAP_FAILED + 1))
    fi
}

# tap_diag MSG: a comment line, shown in the test log.
tap_diag() { printf '# %s\n' "$@"; }

# tap_done: print the plan; exit 1 if a test failed or none ran.
tap_done() {
    echo "1..$TAP_N"
    if [ "$TAP_FAILED" -gt 0 ] || [ "$TAP_N" -eq 0 ]; then exit 1; fi
    exit 0
}
