#!/usr/bin/env bash
# Runs CPython's own regression suites under `jinn -m test` and under `python3 -m test`, and compares the two:
# the same tests must pass, fail and be skipped on both sides.
#
#   Scripts/regression-suites.sh [JINN] [PYTHON3] [SUITE ...]
#
# JINN defaults to the `jinn` built in .build/debug, PYTHON3 to the interpreter python3 on PATH runs, SUITE to
# test_os test_signal test_subprocess test_threading test_atexit test_sys test_logging. Prints each side's summary
# and exits 1 when they differ. The suites need the interpreter's `test` package (python3 -m test).
set -uo pipefail
cd "$(dirname "$0")/.."
jinn=$(realpath "${1:-.build/debug/jinn}")
python=${2:-$(python3 -c 'import sys; print(sys.executable)')}
shift $(( $# > 2 ? 2 : $# ))
suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
    suites=(test_os test_signal test_subprocess test_threading test_atexit test_sys test_logging)
fi
work=$(mktemp -d)
# A daemon of its own, stopped at the end.
export JINN_SOCKET_DIR="$work/sock" JINN_CONFIG="$work/config.toml"
: > "$JINN_CONFIG"
trap '"$jinn" daemon stop > /dev/null 2>&1; rm -rf "$work"' EXIT

# One line per test and its outcome, from regrtest's verbose output, in a stable order (tests that print between
# their name and their outcome are counted by the totals line), then the totals.
outcomes() {
    grep -E '^[A-Za-z_][A-Za-z0-9_]* \(.*\) \.\.\. (ok|skipped|FAIL|ERROR|expected failure|unexpected success)' "$1" \
        | sed -E 's/ \.\.\. (ok|skipped|FAIL|ERROR|expected failure|unexpected success).*/ \1/' | sort
    grep -E '^(Ran [0-9]+ tests|Total tests:)' "$1" | sed -E 's/ in [0-9.]+s$//'
}

status=0
for suite in "${suites[@]}"; do
    (cd "$work" && "$python" -m test -v "$suite" > "$work/$suite.python3" 2>&1)
    python_status=$?
    (cd "$work" && "$jinn" -m test -v "$suite" > "$work/$suite.jinn" 2>&1)
    jinn_status=$?
    outcomes "$work/$suite.python3" > "$work/$suite.python3.outcomes"
    outcomes "$work/$suite.jinn" > "$work/$suite.jinn.outcomes"
    count=$(wc -l < "$work/$suite.python3.outcomes")
    summary() { grep -E ' (ok|skipped|FAIL|ERROR|failure|success)$' "$1" | awk '{print $NF}' | sort | uniq -c | tr -s ' ' | tr '\n' ',' | sed 's/^ //; s/,$//'; }
    echo "$suite: python3 status $python_status ($(summary "$work/$suite.python3.outcomes")); jinn status $jinn_status ($(summary "$work/$suite.jinn.outcomes"))"
    if [ "$python_status" != "$jinn_status" ] || [ "$count" -eq 0 ] \
        || ! diff -u "$work/$suite.python3.outcomes" "$work/$suite.jinn.outcomes" > "$work/$suite.diff"; then
        echo "$suite differs:"
        cat "$work/$suite.diff"
        tail -30 "$work/$suite.jinn"
        status=1
    fi
done
exit $status
