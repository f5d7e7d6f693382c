#!/usr/bin/env bash
# audit_report_test.sh — `authzc audit report` over fixed logs the real gateway
# wrote (data/shadow.*.audit.jsonl: server-everything behind authz-gateway
# with tests/e2e/policies/everything.authz enforced and everything_strict.authz
# as the shadow, clocks fixed with --now; alice a tester at 10:15, bob without
# a role at 14:40), and data/gateway.audit.jsonl (no shadow).
#
# Usage: audit_report_test.sh GROUP AUTHZC GATEWAY SOURCE_DIR WORK_DIR
# Groups:
#   golden    text and JSON reports equal report.expected.{txt,json} and
#             report_filtered.expected.txt (AUTHZ_UPDATE_GOLDEN=1 rewrites);
#             a log with one edited record is reported as not verifying
#             (exit 1, the line named, only the records before it counted);
#             usage errors are exit 2
#   chromium  the HTML report rendered by headless Chromium: its tables and
#             charts in the DOM, no script, a non-blank screenshot; a log
#             whose user and target are markup keeps them as text. Exit 77
#             (skipped) only when chromium is not installed.
# Runs from SOURCE_DIR so the paths in the reports are relative.
set -u
group=$1 authzc=$2 gateway=$3 source_dir=$4 work=$5/$group
rm -rf "$work"
mkdir -p "$work"
cd "$source_dir" || exit 2
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
data=tests/audit/data
logs=("$data/shadow.alice.audit.jsonl" "$data/shadow.bob.audit.jsonl" "$data/gateway.audit.jsonl")
timeout 60 "$authzc" build tests/e2e/policies/everything.authz -o "$work/everything.authzt" 2>/dev/null ||
  fail "cannot build the policy"

# report EXPECTED_STATUS ARGS... — stdout in $work/out, stderr in $work/err.
report() {
  local expected=$1
  shift
  timeout 60 "$authzc" audit report "$@" >"$work/out" 2>"$work/err"
  local status=$?
  if [ "$status" -ne "$expected" ]; then
    fail "authzc audit report $*: exit $status, expected $expected"
    head -20 "$work/err"
  fi
}

golden() {  # golden NAME — $work/out equals tests/audit/NAME
  if [ "${AUTHZ_UPDATE_GOLDEN:-}" = 1 ]; then cp "$work/out" "tests/audit/$1"; fi
  diff -u "tests/audit/$1" "$work/out" || fail "the report differs from tests/audit/$1"
}

case $group in
  golden)
    report 0 "${logs[@]}" --policy "$work/everything.authzt"
    sed "s|$work/|WORK/|g" "$work/out" >"$work/out.tmp" && mv "$work/out.tmp" "$work/out"
    golden report.expected.txt
    report 0 "${logs[@]}" --policy "$work/everything.authzt" --format json
    sed "s|$work/|WORK/|g" "$work/out" >"$work/out.tmp" && mv "$work/out.tmp" "$work/out"
    golden report.expected.json
    # The candidate's table: the decisions it made as the shadow count.
    timeout 60 "$authzc" build tests/e2e/policies/everything_strict.authz -o "$work/strict.authzt" 2>/dev/null
    report 0 "${logs[@]}" --policy "$work/strict.authzt"
    grep -qF "13 of 20 matched records decided by it)" "$work/out" || fail "the shadow's decisions are not counted for its table"
    [ "$(sed -n '/decided nothing/,/^$/p' "$work/out" | grep -c '^  allow')" = 2 ] ||
      fail "dead rules of the candidate: $(sed -n '/decided nothing/,/^$/p' "$work/out")"
    report 0 "${logs[@]}" --user u-bob --effect deny --since 2026-12-01T14:00:00Z --until 2026-12-01T15:00:00Z
    golden report_filtered.expected.txt

    # One edited byte in alice's fourth record: that log does not verify; the
    # three records before it are counted, and the report says so.
    sed '4s/"a":50/"a":10/' "$data/shadow.alice.audit.jsonl" >"$work/edited.jsonl"
    report 1 "$work/edited.jsonl" "$data/shadow.bob.audit.jsonl"
    grep -qF "$work/edited.jsonl: DOES NOT VERIFY at line 4: the record's content does not match its \`hash\`" "$work/out" ||
      fail "the edited log is not reported as not verifying: $(head -3 "$work/out")"
    grep -qF "only the 3 records before it are reported" "$work/out" || fail "no count of the records before the edit"
    grep -qF "8 verified records read" "$work/out" || fail "records after the edit were counted: $(head -1 "$work/out")"
    grep -qF "does not verify at line 4" "$work/err" || fail "no error line on stderr"
    report 1 "$work/edited.jsonl" --format json
    grep -qF '"verified":false' "$work/out" || fail "JSON does not say verified false"
    grep -qF '"status":"tampered"' "$work/out" || fail "JSON does not say tampered"
    # Unreadable log, bad table, bad time, bad effect: exit 2.
    report 2 "$work/missing.jsonl"
    grep -qF "cannot open" "$work/err" || fail "no message for a missing log"
    report 2 "${logs[0]}" --policy "${logs[0]}"
    grep -qF "not an authz decision table" "$work/err" || fail "no message for a policy that is not a table"
    report 2 "${logs[0]}" --since yesterday
    grep -qF "is not a timestamp" "$work/err" || fail "no message for a bad --since"
    report 2 "${logs[0]}" --effect maybe
    report 2
    report 0 --help
    grep -qF "Exit status:" "$work/out" || fail "--help has no exit status table"
    ;;

  chromium)
    if ! command -v chromium >/dev/null 2>&1; then
      echo "SKIP: chromium is not installed (scripts/bootstrap.sh installs it)"
      exit 77
    fi
    report 0 "${logs[@]}" --policy "$work/everything.authzt" --format html -o "$work/report.html"
    page=$work/report.html
    for forbidden in '<script' '<link' '<img' '<iframe' 'src=' '@import' 'url(' 'http://' 'https://'; do
      if grep -qiF -- "$forbidden" "$page"; then fail "report.html contains \`$forbidden\`"; fi
    done
    chrome=(chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions
            --user-data-dir="$work/profile" --window-size=900,700)
    timeout 120 "${chrome[@]}" --dump-dom "file://$page" >"$work/dom.html" 2>"$work/chromium.log" ||
      fail "chromium --dump-dom failed: $(tail -3 "$work/chromium.log")"
    check() { node tests/doc/page_check.mjs "$@" || fail "page_check $*"; }
    check count "$work/dom.html" '<tr data-log="[^"]+" data-status="ok">' 3
    check count "$work/dom.html" '<b data-total="matched">20</b>' 1
    check count "$work/dom.html" '<b data-total="disagree">5</b>' 1
    check count "$work/dom.html" '<svg data-chart="over-time"' 1
    check count "$work/dom.html" '<rect class="deny" data-start="(2026-11-26|2026-12-01)" data-denied="[46]"' 2
    check count "$work/dom.html" '<svg class="bars" data-chart="(rule|user|target)"' 3
    check count "$work/dom.html" '<tr data-shadow-rule="' 4
    check count "$work/dom.html" '<tr data-shadow-user="u-(alice|bob)">' 2
    check count "$work/dom.html" '<div class="newly-allowed" data-change="newly-allowed">' 1
    check count "$work/dom.html" '<tr data-dead="testers_(team_prompt|dynamic_text)"' 2
    timeout 120 "${chrome[@]}" --screenshot="$work/report.png" "file://$page" >>"$work/chromium.log" 2>&1 ||
      fail "chromium --screenshot failed"
    check nonblank "$work/report.png"

    # A log whose user and target are markup (written by the real gateway:
    # the target is an undeclared tool, so the call is denied and recorded).
    printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"<img src=x onerror=alert(1)>","arguments":{"q":"</code><script>alert(2)</script>"}}}' |
      timeout 30 "$gateway" --policy "$work/everything.authzt" --shadow "$work/everything.authzt" \
        --user '<u>mallory</u>' --audit "$work/hostile.jsonl" -- cat >/dev/null 2>"$work/gateway.err" ||
      fail "the gateway failed on the hostile call: $(cat "$work/gateway.err")"
    report 0 "$work/hostile.jsonl" --format html -o "$work/hostile.html"
    timeout 120 "${chrome[@]}" --dump-dom "file://$work/hostile.html" >"$work/hostile-dom.html" 2>>"$work/chromium.log" ||
      fail "chromium --dump-dom failed on the hostile report"
    check count "$work/hostile-dom.html" '<script' 0
    check count "$work/hostile-dom.html" '<img' 0
    check count "$work/hostile-dom.html" '<u>' 0
    check count "$work/hostile-dom.html" 'data-user="&lt;u&gt;mallory&lt;/u&gt;"' 1
    check count "$work/hostile-dom.html" '&lt;img src=x onerror=alert\(1\)&gt;' 3
    ;;

  *)
    echo "unknown group $group"
    exit 2
    ;;
esac
[ "$failures" -eq 0 ] && echo "$group: ok"
[ "$failures" -eq 0 ]
