#!/usr/bin/env bash
# audit_cli_test.sh — `authzc audit verify` on a log the real gateway wrote
# (data/gateway.audit.jsonl, 7 records) and on edited copies of it: exact exit
# codes (0 ok, 1 tampered, 2 unreadable/usage), the line and reason named, the
# JSON form, and --expect-head catching a cut tail.
#
# Usage: audit_cli_test.sh AUTHZC WORK_DIR
set -uo pipefail
authzc=$1 work=$2
here="$(cd "$(dirname "$0")" && pwd)"
log="$here/data/gateway.audit.jsonl"
head_hash=dbf178264e8bf3225f6cfe372af7e61ca7a382b17da22a7debb6c2fb989b528c
mkdir -p "$work"
failures=0

# expect NAME EXIT EXPECTED_STDOUT -- ARGS...
expect() {
  local name=$1 want_exit=$2 want_out=$3
  shift 4
  local out exit_code
  out=$("$authzc" audit verify "$@" 2>"$work/stderr")
  exit_code=$?
  if [[ $exit_code != "$want_exit" ]]; then
    echo "FAIL $name: exit $exit_code, expected $want_exit; stdout: $out; stderr: $(cat "$work/stderr")"
    failures=$((failures + 1))
  elif [[ -n $want_out && $out != "$want_out" ]]; then
    echo "FAIL $name: stdout"
    diff <(echo "$want_out") <(echo "$out")
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

expect intact 0 "$log: ok: 7 records, chain intact
head $head_hash" -- "$log"
expect intact_json 0 "{\"status\":\"ok\",\"file\":\"$log\",\"records\":7,\"line\":0,\"problem\":\"\",\"head\":\"$head_hash\"}" \
  -- "$log" --format json
expect anchored 0 "" -- "$log" --expect-head "$head_hash"

# Edit one field of record 4.
sed '4s/"effect":"deny"/"effect":"allow"/' "$log" > "$work/edited.jsonl"
expect edited 1 "$work/edited.jsonl:4: tampered: the record's content does not match its \`hash\`: the record was edited
  3 records before it verify; the last good head is $(sed -n 3p "$log" | sed 's/.*"hash":"\([0-9a-f]*\)".*/\1/')" \
  -- "$work/edited.jsonl"

# Drop record 3.
sed '3d' "$log" > "$work/dropped.jsonl"
expect dropped_json 1 "" -- "$work/dropped.jsonl" --format json
grep -q '"status":"tampered","file":"[^"]*","records":2,"line":3,"problem":"`seq` is 4 but 3 was expected: 1 record was dropped before this line"' \
  <("$authzc" audit verify "$work/dropped.jsonl" --format json) || { echo "FAIL dropped_json content"; failures=$((failures + 1)); }

# Swap records 5 and 6.
awk 'NR==5{five=$0; next} NR==6{print; print five; next} {print}' "$log" > "$work/swapped.jsonl"
expect swapped 1 "" -- "$work/swapped.jsonl"
grep -q ':5: tampered: `seq` is 6 but 5 was expected' <("$authzc" audit verify "$work/swapped.jsonl") \
  || { echo "FAIL swapped content"; failures=$((failures + 1)); }

# Cut the last two records: still a valid chain, caught only by the anchor.
head -n 5 "$log" > "$work/cut.jsonl"
expect cut_unanchored 0 "" -- "$work/cut.jsonl"
expect cut_anchored 1 "" -- "$work/cut.jsonl" --expect-head "$head_hash"

# A crash mid-line.
{ cat "$log"; printf '{"v":1,"seq":8,"ti'; } > "$work/partial.jsonl"
expect partial 1 "" -- "$work/partial.jsonl"

# Unreadable input and usage errors.
expect missing 2 "" -- "$work/does-not-exist.jsonl"
expect bad_anchor 2 "" -- "$log" --expect-head not-a-hash
expect bad_format 2 "" -- "$log" --format xml

if [[ $failures != 0 ]]; then
  echo "$failures audit verify check(s) failed"
  exit 1
fi
echo "all audit verify checks passed"
