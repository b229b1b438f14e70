#!/usr/bin/env bash
# Runs CPython's own regression suites under `jinn -m test` and under `python3 -m test`, and compares the two:
# the same tests must pass, fail and be skipped on both sides, and each suite must end with the same status.
#
#   Scripts/regression-suites.sh [JINN] [PYTHON3] [SUITE ...]
#
# JINN defaults to the `jinn` built in .build/debug, PYTHON3 to the interpreter python3 on PATH runs, SUITE to
# test_os test_signal test_subprocess test_threading test_atexit test_sys test_logging. Prints each side's counts
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

# One line per test case and its outcome, sorted, from regrtest's JUnit report.
outcomes() {
    "$python" - "$1" <<'PYTHON'
import sys
import xml.etree.ElementTree as ElementTree

lines = []
for case in ElementTree.parse(sys.argv[1]).iter("testcase"):
    outcome = "ok"
    for child in case:
        if child.tag in ("failure", "error", "skipped"):
            outcome = child.tag
    lines.append("%s.%s %s" % (case.get("classname"), case.get("name"), outcome))
print("\n".join(sorted(lines)))
PYTHON
}

status=0
for suite in "${suites[@]}"; do
    (cd "$work" && "$python" -m test --junit-xml "$work/$suite.python3.xml" "$suite" > "$work/$suite.python3" 2>&1)
    python_status=$?
    (cd "$work" && "$jinn" -m test --junit-xml "$work/$suite.jinn.xml" "$suite" > "$work/$suite.jinn" 2>&1)
    jinn_status=$?
    outcomes "$work/$suite.python3.xml" > "$work/$suite.python3.outcomes"
    outcomes "$work/$suite.jinn.xml" > "$work/$suite.jinn.outcomes"
    counts() { awk '{print $NF}' "$1" | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}'; }
    echo "$suite: python3 status $python_status ($(counts "$work/$suite.python3.outcomes")); jinn status $jinn_status ($(counts "$work/$suite.jinn.outcomes"))"
    if [ "$python_status" != "$jinn_status" ] || [ ! -s "$work/$suite.python3.outcomes" ] \
        || ! diff -u "$work/$suite.python3.outcomes" "$work/$suite.jinn.outcomes" > "$work/$suite.diff"; then
        echo "$suite differs:"
        cat "$work/$suite.diff"
        tail -30 "$work/$suite.jinn"
        status=1
    fi
done
exit $status
