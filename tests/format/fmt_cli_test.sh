#!/bin/bash
# fmt_cli_test.sh AUTHZC WORKDIR — `authzc fmt`'s command-line contract:
# --check lists unformatted files and exits 1 without writing; --stdout
# prints without writing; a rewrite is atomic, keeps the file's permissions
# and leaves no temporary behind; a file with syntax errors is never touched
# (exit 1); a missing path is a usage error (exit 2); directories are
# searched recursively. Every step must hold; the first failure stops it.
set -u
AUTHZC=$1
WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK/dir/sub" || exit 1
cd "$WORK" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

printf 'policy  t ;\nrole rep ;   // the only role\n/// Reads.\ntool get ( id : String ) read ;\n' > messy.authz
printf 'policy t;\nrole rep; // the only role\n/// Reads.\ntool get(id: String) read;\n' > expected.authz
chmod 640 messy.authz
cp messy.authz original.authz

out=$("$AUTHZC" fmt --check messy.authz 2>err.txt); code=$?
[ $code -eq 1 ] || fail "--check on an unformatted file exited $code, expected 1"
[ "$out" = "messy.authz" ] || fail "--check listed '$out', expected 'messy.authz'"
grep -q "1 file is not formatted" err.txt || fail "--check summary missing: $(cat err.txt)"
cmp -s messy.authz original.authz || fail "--check changed the file"

"$AUTHZC" fmt --stdout messy.authz > stdout.authz 2>/dev/null || fail "--stdout exited $?"
cmp -s stdout.authz expected.authz || fail "--stdout printed $(cat stdout.authz)"
cmp -s messy.authz original.authz || fail "--stdout changed the file"

"$AUTHZC" fmt messy.authz 2>err.txt || fail "fmt exited $?: $(cat err.txt)"
cmp -s messy.authz expected.authz || fail "fmt wrote $(cat messy.authz)"
[ "$(stat -c %a messy.authz)" = "640" ] || fail "fmt changed the permissions to $(stat -c %a messy.authz)"
ls | grep -q 'fmt-' && fail "a temporary file was left behind: $(ls)"
"$AUTHZC" fmt --check messy.authz > out.txt 2>&1 || fail "--check on a formatted file exited $?: $(cat out.txt)"
[ -s out.txt ] && fail "--check on a formatted file printed $(cat out.txt)"

printf 'policy t;\nrole rep\nrole admin;\n' > broken.authz
cp broken.authz broken.orig
"$AUTHZC" fmt broken.authz > /dev/null 2>err.txt; code=$?
[ $code -eq 1 ] || fail "fmt on a syntax error exited $code, expected 1"
grep -q 'error\[E0001\]' err.txt || fail "no syntax diagnostic: $(cat err.txt)"
grep -q "has syntax errors and was not formatted" err.txt || fail "no refusal line: $(cat err.txt)"
cmp -s broken.authz broken.orig || fail "fmt changed a file with syntax errors"

"$AUTHZC" fmt no_such_file.authz > /dev/null 2>&1; code=$?
[ $code -eq 2 ] || fail "a missing path exited $code, expected 2"

cp original.authz dir/sub/deep.authz
cp expected.authz dir/fine.authz
printf 'not a policy file\n' > dir/notes.txt
out=$("$AUTHZC" fmt --check dir 2>/dev/null); code=$?
[ $code -eq 1 ] && [ "$out" = "dir/sub/deep.authz" ] || fail "--check dir gave exit $code, '$out'"
"$AUTHZC" fmt dir 2>err.txt || fail "fmt dir exited $?"
grep -q "ok: 1 file formatted, 1 already formatted" err.txt || fail "summary: $(cat err.txt)"
cmp -s dir/sub/deep.authz expected.authz || fail "fmt dir wrote $(cat dir/sub/deep.authz)"

"$AUTHZC" fmt --check --stdout messy.authz > /dev/null 2>&1; code=$?
[ $code -eq 2 ] || fail "--check with --stdout exited $code, expected 2"
"$AUTHZC" fmt --help | grep -q -- "--check" || fail "--help does not mention --check"
echo "fmt cli: all passed"
