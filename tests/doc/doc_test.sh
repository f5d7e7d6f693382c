#!/usr/bin/env bash
# doc_test.sh — tests of `authzc doc`, run by CTest (tests/doc/CMakeLists.txt).
#
# Usage: doc_test.sh GROUP AUTHZC SOURCE_DIR WORKDIR
# Groups:
#   markdown  examples/sales -> permissions.md equals tests/doc/sales.expected.md
#             (AUTHZ_UPDATE_GOLDEN=1 rewrites it); the same from a built table.
#   chromium  permissions.html rendered by headless Chromium: matrix rows and
#             cells in the DOM, no scripts, a screenshot that is not blank;
#             the hostile policy's text stays text. Exit 77 (skipped) only when
#             `chromium` is not installed.
#   bad_input a broken policy writes nothing (exit 1); an unwritable output
#             directory is exit 2 and leaves no temporaries.
# Runs from SOURCE_DIR so source locations in the output are relative.
set -u

group=$1
authzc=$2
source_dir=$3
work=$4/$group

rm -rf "$work"
mkdir -p "$work"
cd "$source_dir" || exit 2
unset AUTHZ_STDLIB
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# doc EXPECTED_STATUS ARGS... — runs `authzc doc ARGS...` under a timeout.
doc() {
  local expected=$1
  shift
  timeout 60 "$authzc" doc --stdlib stdlib --color never "$@" >"$work/out.txt" 2>"$work/err.txt"
  local status=$?
  if [ "$status" -ne "$expected" ]; then
    fail "authzc doc $*: exit $status, expected $expected"
    cat "$work/err.txt"
  fi
}

case $group in
  markdown)
    doc 0 examples/sales -o "$work/from-source"
    if [ "${AUTHZ_UPDATE_GOLDEN:-}" = 1 ]; then
      cp "$work/from-source/permissions.md" tests/doc/sales.expected.md
    fi
    diff -u tests/doc/sales.expected.md "$work/from-source/permissions.md" || fail "permissions.md differs from tests/doc/sales.expected.md"
    grep -q "^ok: wrote \`$work/from-source/permissions.md\` and" "$work/err.txt" || fail "no summary line on stderr"
    # A built table documents the same model (same hash, same locations).
    timeout 60 "$authzc" build --stdlib stdlib examples/sales -o "$work/sales.authzt" 2>/dev/null || fail "build failed"
    doc 0 "$work/sales.authzt" -o "$work/from-table"
    cmp -s "$work/from-source/permissions.md" "$work/from-table/permissions.md" || fail "doc from the table differs from doc from sources"
    cmp -s "$work/from-source/permissions.html" "$work/from-table/permissions.html" || fail "html from the table differs"
    ;;

  chromium)
    if ! command -v chromium >/dev/null 2>&1; then
      echo "SKIP: chromium is not installed (scripts/bootstrap.sh installs it)"
      exit 77
    fi
    doc 0 examples/sales -o "$work/sales"
    page=$work/sales/permissions.html
    # Self-contained: no scripts, no external anything.
    for forbidden in '<script' '<link' '<img' '<iframe' 'src=' '@import' 'url(' 'http://' 'https://'; do
      if grep -qiF -- "$forbidden" "$page"; then fail "permissions.html contains \`$forbidden\`"; fi
    done
    chrome=(chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions
            --user-data-dir="$work/profile" --window-size=1400,2400)
    timeout 120 "${chrome[@]}" --dump-dom "file://$page" >"$work/dom.html" 2>"$work/chromium.log" ||
      fail "chromium --dump-dom failed: $(tail -3 "$work/chromium.log")"
    check() { node tests/doc/page_check.mjs "$@" || fail "page_check $*"; }
    # The matrix: 5 roles + 1 user row, 5 targets, the cells the sales policy implies.
    check count "$work/dom.html" '<tr data-subject="(role|user):' 6
    check count "$work/dom.html" '<th data-target="' 5
    check count "$work/dom.html" '<td class="cell ' 30
    check cell "$work/dom.html" role:rep get_account conditional
    check cell "$work/dom.html" role:rep list_accounts allowed
    check cell "$work/dom.html" role:rep update_account conditional
    check cell "$work/dom.html" role:rep delete_records denied
    check cell "$work/dom.html" role:rep sales_summary not-permitted
    check cell "$work/dom.html" role:analyst get_account denied
    check cell "$work/dom.html" role:analyst sales_summary conditional
    check cell "$work/dom.html" role:manager list_accounts allowed
    check cell "$work/dom.html" role:admin get_account allowed
    check cell "$work/dom.html" role:admin update_account allowed
    check cell "$work/dom.html" role:admin delete_records allowed
    check cell "$work/dom.html" role:admin sales_summary not-permitted
    check cell "$work/dom.html" role:support update_account not-permitted
    check cell "$work/dom.html" user:u-alice update_account conditional
    check cell "$work/dom.html" user:u-alice delete_records not-permitted
    # Every rule and grant has its card, with its doc comment.
    check count "$work/dom.html" '<article class="card (allow|deny)" id="rule-[0-9]+"' 13
    check count "$work/dom.html" '<article class="card grant" id="grant-0"' 1
    check count "$work/dom.html" 'the incident behind this policy was an assistant deleting production' 1
    check count "$work/dom.html" '<dd class="expires">2027-01-31T00:00:00Z</dd>' 1
    check count "$work/dom.html" 'require_confirmation\(message: &quot;permanently delete these records\?&quot;\)|require_confirmation\(message: "permanently delete these records\?"\)' 2
    timeout 120 "${chrome[@]}" --screenshot="$work/sales.png" "file://$page" >>"$work/chromium.log" 2>&1 ||
      fail "chromium --screenshot failed"
    check nonblank "$work/sales.png"
    # A blank page must fail the same check (the check can fail).
    printf '<!DOCTYPE html><html><body></body></html>' >"$work/blank.html"
    timeout 120 "${chrome[@]}" --screenshot="$work/blank.png" "file://$work/blank.html" >>"$work/chromium.log" 2>&1
    if node tests/doc/page_check.mjs nonblank "$work/blank.png" >/dev/null 2>&1; then fail "a blank page passed the non-blank check"; fi

    # Hostile policy text: rendered as text, never as markup.
    doc 0 tests/doc/hostile -o "$work/hostile"
    timeout 120 "${chrome[@]}" --dump-dom "file://$work/hostile/permissions.html" >"$work/hostile-dom.html" 2>>"$work/chromium.log" ||
      fail "chromium --dump-dom failed on the hostile page"
    check count "$work/hostile-dom.html" '<script' 0
    check count "$work/hostile-dom.html" '<img' 0
    check count "$work/hostile-dom.html" '<u>' 0
    check count "$work/hostile-dom.html" '<style>' 1
    check count "$work/hostile-dom.html" '&lt;script&gt;alert\(&#39;because&#39;\)&lt;/script&gt;|&lt;script&gt;alert\(.because.\)&lt;/script&gt;' 1
    check count "$work/hostile-dom.html" 'data-subject="user:&lt;u&gt;mallory&lt;/u&gt;"' 2
    check count "$work/hostile-dom.html" '<td class="cell ' 2
    ;;

  bad_input)
    mkdir -p "$work/broken"
    printf 'policy broken;\nrole rep;\nallow r: nobody may nothing;\n' >"$work/broken/broken.authz"
    doc 1 "$work/broken" -o "$work/out-broken"
    [ -e "$work/out-broken" ] && fail "a broken policy created the output directory"
    grep -q "error" "$work/err.txt" || fail "no diagnostic for the broken policy"
    doc 2 examples/sales/missing.authz -o "$work/out-missing"
    [ -e "$work/out-missing" ] && fail "a missing policy created the output directory"
    # Output directory is a file: exit 2, nothing written beside it.
    printf 'x' >"$work/not-a-dir"
    doc 2 examples/sales -o "$work/not-a-dir"
    grep -q "cannot create directory" "$work/err.txt" || fail "no message for an unusable output directory"
    # Existing files are replaced whole, and no temporaries remain.
    mkdir -p "$work/existing"
    printf 'old' >"$work/existing/permissions.md"
    doc 0 examples/sales -o "$work/existing"
    head -1 "$work/existing/permissions.md" | grep -q '^# Permissions of policy `sales`$' || fail "permissions.md not replaced"
    if ls "$work/existing" | grep -q tmp; then fail "temporaries left behind: $(ls "$work/existing")"; fi
    # A table that is not a table.
    printf 'garbage' >"$work/bad.authzt"
    doc 1 "$work/bad.authzt" -o "$work/out-bad-table"
    [ -e "$work/out-bad-table" ] && fail "a bad table created the output directory"
    # --help documents the command and its exit codes.
    timeout 30 "$authzc" doc --help >"$work/help.txt" 2>&1 || fail "doc --help failed"
    grep -q "Exit status" "$work/help.txt" || fail "doc --help lacks the exit codes"
    ;;

  *)
    echo "unknown group \`$group\`"
    exit 2
    ;;
esac

if [ "$failures" -ne 0 ]; then
  echo "$group: $failures failures"
  exit 1
fi
echo "$group: ok"
