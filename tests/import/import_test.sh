#!/usr/bin/env bash
# import_test.sh — `authzc import-tools` on the captured tools/list of a real
# MCP server: the output matches the reviewed golden file byte for byte, passes
# `authzc check --deny-warnings`, and (for servers with a stdlib module) differs from the hand-written stdlib
# module only in the reviewed ways (expected/<case>.differences).
#
# Usage: import_test.sh CASE AUTHZC COMPARE SOURCE_DIR WORK_DIR
#   CASE: everything | filesystem (real captures) | edge-cases (data/<case>.tools.json). AUTHZ_UPDATE_GOLDEN=1 rewrites the
#   expected files instead of comparing.
set -euo pipefail
case_name=$1 authzc=$2 compare=$3 source_dir=$4 work=$5
here="$source_dir/tests/import"
mkdir -p "$work"
listing="$here/data/server-$case_name-2026.8.31.tools.json"
[[ -f $listing ]] || listing="$here/data/$case_name.tools.json"
out="$work/$case_name.authz"
status=0

"$authzc" import-tools "$listing" --module "imported.${case_name//-/_}" -o "$out" 2> "$work/$case_name.stderr"
expected="$here/expected/$case_name.authz"
if [[ ${AUTHZ_UPDATE_GOLDEN:-} == 1 ]]; then
  cp "$out" "$expected"
elif ! diff -u "$expected" "$out"; then
  echo "FAIL: import of $case_name differs from $expected (AUTHZ_UPDATE_GOLDEN=1 to accept)"
  status=1
fi

if ! "$authzc" check --deny-warnings --color never --stdlib "$source_dir/stdlib" "$out"; then
  echo "FAIL: the import of $case_name does not pass authzc check --deny-warnings"
  status=1
fi

if [[ ! -f $source_dir/stdlib/mcp/$case_name.authz ]]; then
  [[ $status == 0 ]] && echo "ok: import-tools $case_name"
  exit $status
fi
differences="$work/$case_name.differences"
"$compare" "$out" "$source_dir/stdlib/mcp/$case_name.authz" "$source_dir/stdlib" > "$differences"
expected_differences="$here/expected/$case_name.differences"
if [[ ${AUTHZ_UPDATE_GOLDEN:-} == 1 ]]; then
  cp "$differences" "$expected_differences"
elif ! diff -u "$expected_differences" "$differences"; then
  echo "FAIL: the import of $case_name and stdlib/mcp/$case_name.authz differ in new ways"
  status=1
fi
[[ $status == 0 ]] && echo "ok: import-tools $case_name"
exit $status
