#!/usr/bin/env bash
# areas_check.sh — the unit tests' areas (tests/CMakeLists.txt registers one
# ctest entry `unit.<area>` per Catch2 test spec) cover every test case of the
# unit-test program exactly once: a test case in no area would never run
# under ctest, one in two areas would run twice. Prints the offenders and
# exits 1; exits 0 when the areas partition the program's test cases.
# Usage: areas_check.sh UNIT_TEST_PROGRAM SPEC...   (each SPEC as given to
# the program with -#, e.g. `[#lexer_test]~[.]`)
set -euo pipefail
(( $# >= 2 )) || { echo "usage: areas_check.sh UNIT_TEST_PROGRAM SPEC..." >&2; exit 2; }
program=$1
shift

# --list-test-names-only exits with the number of test cases listed, so its
# status says nothing; an empty listing of the whole program is the failure.
list() { "$program" -# "$@" --list-test-names-only || true; }

all=$(list | sed '/^$/d' | sort)
if [[ -z $all ]]; then
  echo "areas_check: \`$program\` listed no test cases" >&2
  exit 1
fi
covered=$(for spec in "$@"; do list "$spec"; done | sed '/^$/d' | sort)

status=0
missing=$(comm -23 <(printf '%s\n' "$all") <(printf '%s\n' "$covered" | uniq))
if [[ -n $missing ]]; then
  echo "areas_check: test cases in no unit area (they would not run under ctest):" >&2
  printf '%s\n' "$missing" | sed 's/^/  /' >&2
  echo "  = help: unit areas are the tests/unit/*_test.cpp files; define TEST_CASEs in one of them, not in a header or main.cpp" >&2
  status=1
fi
twice=$(printf '%s\n' "$covered" | uniq -d)
if [[ -n $twice ]]; then
  echo "areas_check: test cases in more than one unit area (they would run twice):" >&2
  printf '%s\n' "$twice" | sed 's/^/  /' >&2
  status=1
fi
(( status )) || echo "areas_check: $(printf '%s\n' "$all" | wc -l) test cases, each in exactly one of $# areas"
exit "$status"
