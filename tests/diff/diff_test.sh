#!/usr/bin/env bash
# diff_test.sh — golden tests of `authzc diff`, run by CTest (tests/diff/CMakeLists.txt).
#
# Usage: diff_test.sh AUTHZC SOURCE_DIR WORKDIR
# Every tests/diff/cases/<case>/ holds old.authz and new.authz (edits of
# cases/base.authz). For each case, `authzc diff old.authz new.authz --now
# 2026-12-01T00:00:00Z --fail-on-widening` runs inside cases/ in both formats;
# stdout, stderr and the exit status are compared with <case>/expected.txt
# (text) and <case>/expected.md (markdown). AUTHZ_UPDATE_GOLDEN=1 rewrites
# the expectations. Then: tables and directories as inputs, bad input.
set -u

authzc=$1
source_dir=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cases=$source_dir/tests/diff/cases
stdlib=$source_dir/stdlib
unset AUTHZ_STDLIB
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# capture CASE FORMAT — what the expectation file holds.
capture() {
  local case=$1 format=$2
  (cd "$cases" && timeout 60 "$authzc" diff --stdlib "$stdlib" --color never --now 2026-12-01T00:00:00Z \
     --fail-on-widening --format "$format" "$case/old.authz" "$case/new.authz" >"$work/out.txt" 2>"$work/err.txt")
  local status=$?
  cat "$work/out.txt"
  echo "--- stderr"
  sed "s#$stdlib#STDLIB#g" "$work/err.txt"
  echo "--- exit $status"
}

count=0
for dir in "$cases"/*/; do
  case=$(basename "$dir")
  for format in text markdown; do
    expected=$dir/expected.txt
    [ "$format" = markdown ] && expected=$dir/expected.md
    capture "$case" "$format" >"$work/$case.$format"
    if [ "${AUTHZ_UPDATE_GOLDEN:-}" = 1 ]; then cp "$work/$case.$format" "$expected"; fi
    count=$((count + 1))
    diff -u "$expected" "$work/$case.$format" || fail "$case ($format) differs from $(basename "$expected")"
  done
done
[ "$count" -ge 20 ] || fail "only $count golden runs (cases missing?)"

# Exit codes the goldens must show (so a regenerated golden cannot hide them).
grep -q -- '--- exit 5' "$cases/add_role/expected.txt" || fail "add_role must fail on widening"
grep -q -- '--- exit 5' "$cases/loosen_condition/expected.txt" || fail "loosen_condition must fail on widening"
grep -q -- '--- exit 5' "$cases/add_grant/expected.txt" || fail "add_grant must fail on widening"
grep -q -- '--- exit 5' "$cases/extend_expiry/expected.txt" || fail "extend_expiry must fail on widening"
grep -q -- '--- exit 5' "$cases/drop_obligation/expected.txt" || fail "drop_obligation must fail on widening"
grep -q -- '--- exit 5' "$cases/future_rule_changed/expected.txt" || fail "future_rule_changed must fail on widening"
grep -q -- '--- exit 5' "$cases/prefix_condition/expected.txt" || fail "prefix_condition must fail on widening (a prefix test is not decided by the constants)"
grep -q -- '--- exit 5' "$cases/inherit_inexact/expected.txt" || fail "inherit_inexact must fail on widening (a role newly inheriting a rule partial evaluation cannot model exactly)"
grep -q -- '--- exit 0' "$cases/remove_rule/expected.txt" || fail "remove_rule narrows: exit 0"
grep -q -- '--- exit 0' "$cases/tighten_condition/expected.txt" || fail "tighten_condition narrows: exit 0"
grep -q -- '--- exit 0' "$cases/no_change/expected.txt" || fail "no_change: exit 0"
grep -q -- '--- exit 1' "$cases/broken/expected.txt" || fail "broken: exit 1"
[ "$(head -1 "$cases/broken/expected.txt")" = "--- stderr" ] || fail "broken: something on stdout"

# Built tables and directories are inputs too, and give the same diff.
cd "$source_dir" || exit 2
timeout 60 "$authzc" build --stdlib stdlib examples/sales -o "$work/sales.authzt" 2>/dev/null || fail "build failed"
timeout 60 "$authzc" diff --stdlib stdlib --now 2026-12-01T00:00:00Z --fail-on-widening examples/sales "$work/sales.authzt" >"$work/self.txt" 2>&1
status=$?
[ "$status" -eq 0 ] || fail "sales against its own table: exit $status"
grep -q "^no change in access$" "$work/self.txt" || fail "sales against its own table: changes reported"
grep -q "(6 principals x 5 targets)" "$work/self.txt" || fail "sales: expected 6 principals x 5 targets"
(cd "$cases" && timeout 60 "$authzc" build --stdlib "$stdlib" add_role/old.authz -o "$work/old.authzt" 2>/dev/null) || fail "build add_role/old failed"
(cd "$cases" && timeout 60 "$authzc" diff --stdlib "$stdlib" --color never --now 2026-12-01T00:00:00Z --fail-on-widening \
   "$work/old.authzt" add_role/new.authz >"$work/table.txt" 2>/dev/null)
status=$?
[ "$status" -eq 5 ] || fail "table -> source diff: exit $status, expected 5"
grep -q "role auditor  tool get_account" "$work/table.txt" || fail "table -> source diff misses the new role"

# Bad input: unreadable path (2), broken table (1), bad --now (2); nothing on stdout.
for args in "examples/sales $work/missing.authz" "examples/sales --now yesterday examples/sales"; do
  timeout 30 "$authzc" diff --stdlib stdlib $args >"$work/bad.out" 2>"$work/bad.err"
  status=$?
  [ "$status" -eq 2 ] || fail "authzc diff $args: exit $status, expected 2"
  [ -s "$work/bad.out" ] && fail "authzc diff $args: wrote to stdout"
done
printf 'garbage' >"$work/bad.authzt"
timeout 30 "$authzc" diff --stdlib stdlib examples/sales "$work/bad.authzt" >"$work/bad.out" 2>"$work/bad.err"
status=$?
[ "$status" -eq 1 ] || fail "diff against a broken table: exit $status, expected 1"
[ -s "$work/bad.out" ] && fail "diff against a broken table: wrote to stdout"
timeout 30 "$authzc" diff --help >"$work/help.txt" 2>&1 || fail "diff --help failed"
grep -q "5  --fail-on-widening" "$work/help.txt" || fail "diff --help lacks exit code 5"

if [ "$failures" -ne 0 ]; then
  echo "diff: $failures failures"
  exit 1
fi
echo "diff: $count golden runs ok"
