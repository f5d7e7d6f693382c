#!/usr/bin/env bash
# cli_test.sh — end-to-end tests of the `authzc` command line, run by CTest.
#
# Usage: cli_test.sh GROUP AUTHZC JSON_CHECK WORKDIR
# Groups: help, exit_codes, json, bad_input, uri_templates, signing (needs the openssl
# command, which makes the keys). Each check runs authzc under
# `timeout` (a hang fails, exit 124) and asserts the exit status and what was
# printed; a crash (killed by a signal) fails too. Inputs are generated into
# WORKDIR/GROUP at test time (nothing large is committed). Needs only bash and
# coreutils; JSON is validated by the JSON_CHECK program, not python.
set -u

group=$1
authzc=$2
json_check=$3
work=$4/$group

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2
unset AUTHZ_STDLIB NO_COLOR
export TERM=dumb

failures=0
checks=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run EXPECTED_STATUS ARGS... — runs authzc, stdout -> out.txt, stderr -> err.txt.
run() {
  local expected=$1
  shift
  checks=$((checks + 1))
  timeout 30 "$authzc" "$@" >out.txt 2>err.txt
  local status=$?
  last="authzc $*"
  if [ "$status" -eq 124 ]; then
    fail "$last: hung (killed after 30s)"
  elif [ "$status" -gt 128 ]; then
    fail "$last: crashed with signal $((status - 128))"
    sed 's/^/    /' err.txt | head -20
  elif [ "$status" -ne "$expected" ]; then
    fail "$last: exit status $status, expected $expected"
    echo "  stderr:"
    head -c 4000 err.txt | sed 's/^/    /'
  fi
}

# contains FILE TEXT — the file holds TEXT (a fixed string).
contains() {
  if ! grep -qF -- "$2" "$1"; then
    fail "$last: $1 does not contain '$2'"
    head -c 4000 "$1" | sed 's/^/    /'
  fi
}

lacks() {
  if grep -qF -- "$2" "$1"; then fail "$last: $1 contains '$2'"; fi
}

empty() {
  if [ -s "$1" ]; then
    fail "$last: $1 is not empty"
    head -c 2000 "$1" | sed 's/^/    /'
  fi
}

valid_json() {  # valid_json [CODE...] — out.txt is authzc's JSON with exactly these codes
  if ! "$json_check" out.txt "$@"; then
    fail "$last: bad JSON output"
    head -c 2000 out.txt | sed 's/^/    /'
  fi
}

write_clean_policy() {
  cat >clean.authz <<'EOF'
policy demo;

role rep;

tool get_account(id: String) read;

/// Reps read accounts.
allow rep_reads: rep may get_account;
EOF
}

write_warning_policy() {
  cat >warn.authz <<'EOF'
policy demo;

role rep;

tool get_account(id: String) read;

/// Reps read accounts.
allow rep_reads: rep may get_account;

default deny;
EOF
}

write_error_policy() {
  cat >bad.authz <<'EOF'
policy demo;

role rep;

tool get_account(id: String) read;

/// Reps read accounts.
allow rep_reads: rep may get_acount;
EOF
}

case "$group" in
help)
  run 0 --help
  contains out.txt "Usage: authzc"
  contains out.txt "check"
  contains out.txt "Exit status:"
  contains out.txt "2  usage error"

  run 0 --version
  contains out.txt "authzc "

  # Every subcommand listed in `authzc --help` has informative help.
  "$authzc" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && /^  [a-z]/ {print $1}' >commands.txt
  if [ ! -s commands.txt ]; then fail "authzc --help lists no subcommands"; fi
  while read -r command; do
    run 0 "$command" --help
    contains out.txt "Usage: authzc $command"
    contains out.txt "Exit status:"
    # Exit 1 means a different thing per command (policy errors, a tampered
    # audit log, failing policy tests); usage errors are 2 for all of them.
    contains out.txt "2  usage error"
  done <commands.txt
  run 0 check --help
  contains out.txt "--format"
  contains out.txt "--stdlib"
  contains out.txt "--color"
  contains out.txt "--deny-warnings"

  # Usage errors are exit status 2, with a message on stderr.
  run 2
  contains err.txt "subcommand"
  run 2 no-such-command
  run 2 check
  contains err.txt "paths"
  run 2 check --no-such-flag x.authz
  run 2 check --format xml x.authz
  run 2 check --color sometimes x.authz
  ;;

exit_codes)
  write_clean_policy
  write_warning_policy
  write_error_policy

  run 0 check clean.authz
  empty out.txt
  contains err.txt "ok: policy \`demo\` checked: 1 rule, 0 grants, 1 tool"

  run 0 check warn.authz
  contains err.txt "warning[W0001]"
  contains err.txt "warning: 1 warning"
  contains err.txt "ok: policy \`demo\` checked"
  run 1 check --deny-warnings warn.authz
  contains err.txt "warnings are denied"
  lacks err.txt "ok: "

  run 1 check bad.authz
  empty out.txt
  contains err.txt "error[E0201]"
  contains err.txt " --> bad.authz:8:26"
  contains err.txt "error: could not check policy: 1 error"
  lacks err.txt "ok: "

  run 2 check missing.authz
  contains err.txt "error[E0101]"
  contains err.txt "no such file or directory"
  run 2 check clean.authz missing.authz

  mkdir -p dir && cp clean.authz dir/
  run 0 check dir
  contains err.txt "ok: policy \`demo\` checked"
  mkdir -p empty_dir
  run 2 check empty_dir
  contains err.txt "has no \`.authz\` files"

  # Colour: never by default when stderr is not a terminal.
  run 1 check bad.authz
  lacks err.txt $'\x1b['
  run 1 check --color always bad.authz
  contains err.txt $'\x1b['
  run 1 check --color never bad.authz
  lacks err.txt $'\x1b['

  # --stdlib directories are searched for `use` modules.
  mkdir -p lib/acme
  printf 'module acme.tools;\n\ntool ping() read;\n' >lib/acme/tools.authz
  printf 'policy demo;\n\nuse acme.tools;\n\nrole rep;\n\n/// Reps ping.\nallow rep_pings: rep may ping;\n' >uses_lib.authz
  run 0 check --stdlib lib uses_lib.authz
  contains err.txt "ok: policy \`demo\` checked (2 files): 1 rule, 0 grants, 1 tool"
  run 1 check uses_lib.authz
  contains err.txt "error[E0102]"
  AUTHZ_STDLIB=lib run 0 check uses_lib.authz
  run 0 check lib/acme/tools.authz
  contains err.txt "ok: checked 1 file: 0 rules, 0 grants, 1 tool"
  # A module checks on its own, but only a policy builds: a clear error, not an internal one.
  run 1 build lib/acme/tools.authz -o tools.authzt
  contains err.txt "no \`policy\` header"
  lacks err.txt "internal error"
  [ ! -e tools.authzt ] || fail "build wrote a table for a module"
  # The same for every command that needs a table (found by fuzz/fuzz_check:
  # eval said the table does not load, test failed with an internal error).
  run 1 eval lib/acme/tools.authz --user u --call ping
  contains err.txt "no \`policy\` header"
  printf 'policy "tools.authz"\ntest "t"\n  as u\n  call ping {}\n  expect deny\n' >lib/acme/tools.authz.test
  run 1 test lib/acme/tools.authz.test
  contains err.txt "no \`policy\` header"
  lacks err.txt "internal error"
  rm lib/acme/tools.authz.test
  ;;

json)
  write_clean_policy
  write_warning_policy
  write_error_policy

  run 0 check --format json clean.authz
  valid_json
  contains out.txt '{"diagnostics":[],"errors":0,"warnings":0}'
  empty err.txt

  run 0 check --format json warn.authz
  valid_json W0001
  empty err.txt

  run 1 check --format json bad.authz
  valid_json E0201
  contains out.txt '"file":"bad.authz","line":8,"column":26'
  empty err.txt

  run 2 check --format json missing.authz
  valid_json E0101
  contains out.txt '"file":null'

  printf 'policy p;\n\xff\xfe garbage \x01\n' >garbage.authz
  run 1 check --format json garbage.authz
  valid_json E0004
  ;;

bad_input)
  # Every bad input: exit status 1, the right code, no crash, no hang.
  : >empty.authz
  run 1 check empty.authz
  contains err.txt "error[E0011]"

  printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00\x01\x00\x00\x00\xe0\xff\xfe\xfd' >garbage.authz
  head -c 4096 /dev/urandom >>garbage.authz
  run 1 check garbage.authz
  contains err.txt "error[E0004]"

  printf 'policy p;\n\n/// caf\xc3\x28 doc\nrole rep;\n' >invalid_utf8.authz
  run 1 check invalid_utf8.authz
  contains err.txt "error[E0004]"
  contains err.txt "invalid_utf8.authz:3:"

  # 50 MB: refused from its size, before it is read.
  yes '/// filler to make a very large policy file' | head -c 52428800 >big.authz
  run 1 check big.authz
  contains err.txt "error[E0005]"

  { printf 'policy p;\n\ntool t(x: Int) read;\n\nrole rep;\n\n/// Deep.\nallow deep: rep may t when '
    head -c 100000 /dev/zero | tr '\0' '('
    printf 'true'
    head -c 100000 /dev/zero | tr '\0' ')'
    printf ';\n'; } >nested.authz
  run 1 check nested.authz
  contains err.txt "error[E0006]"

  printf 'policy p;\n\ntool t(x: String) read;\n\nrole rep;\n\n/// Open string.\nallow r: rep may t when args.x == "abc' >unterminated.authz
  run 1 check unterminated.authz
  contains err.txt "error[E0002]"

  printf 'policy p;\n\nuse "self.authz";\n' >self.authz
  run 1 check self.authz
  contains err.txt "error[E0103]"
  contains err.txt "uses itself"

  # Thousands of errors: bounded output, stops at the error limit.
  for i in $(seq 1 3000); do printf 'allow %d: @ ;\n' "$i"; done >many_errors.authz
  sed -i '1i policy p;' many_errors.authz
  run 1 check many_errors.authz
  size=$(wc -c <err.txt)
  if [ "$size" -gt 1000000 ]; then fail "$last: $size bytes of diagnostics"; fi

  run 1 check --format json big.authz nested.authz self.authz
  valid_json

  # Issue #20: `use` must not read, and diagnostics must not print, files
  # outside the policy. A file outside the root is refused before it is opened.
  mkdir -p confine/pol confine/outside
  printf 'SECRET_TOKEN=hunter2\n' >confine/outside/token.authz
  printf 'policy p;\nuse "../../../../../../../../../../etc/passwd";\nuse "../outside/token.authz";\n' >confine/pol/main.authz
  run 1 check confine/pol/main.authz
  contains err.txt "error[E0107]: \`use\` path \`"
  lacks err.txt "root:"
  lacks err.txt "hunter2"

  # A link in a policy directory to the job's environment, or to a device.
  mkdir -p confine/links
  printf 'policy p;\n' >confine/links/main.authz
  ln -s /proc/self/environ confine/links/env.authz
  ln -s /dev/zero confine/links/zero.authz
  ln -s ../outside/token.authz confine/links/token.authz
  run 1 check confine/links
  contains err.txt "error[E0107]: file \`confine/links/env.authz\` leads outside the policy's directories (through a symbolic link, to \`/proc/"
  lacks err.txt "PATH="
  lacks err.txt "hunter2"

  # A FIFO inside the root: refused, no hang; a device named directly: refused.
  mkdir -p confine/fifo
  mkfifo confine/fifo/pipe.authz
  printf 'policy p;\nuse "pipe.authz";\n' >confine/fifo/main.authz
  run 1 check confine/fifo/main.authz
  contains err.txt "error[E0101]: cannot read \`confine/fifo/pipe.authz\`: not a regular file"
  run 2 check /dev/zero
  contains err.txt "error[E0101]: cannot read \`/dev/zero\`: not a regular file"

  # A binary file inside the root: one diagnostic, nothing of the file printed.
  { printf 'policy p;\n'; for i in $(seq 1 2000); do printf 'KEY=secret\0\001\n'; done; } >confine/pol/blob.authz
  printf 'policy p;\nuse "blob.authz";\n' >confine/pol/uses_blob.authz
  run 1 check confine/pol/uses_blob.authz
  contains err.txt "error[E0016]: file \`confine/pol/blob.authz\` is not text: byte 20 is NUL"
  lacks err.txt "secret"
  if [ "$(grep -c '^error\[' err.txt)" -ne 1 ]; then fail "$last: more than one diagnostic"; fi

  # Text that is not a policy (no header): one diagnostic.
  for i in $(seq 1 500); do printf 'KEY_%d=value %d; other $ stuff\n' "$i" "$i"; done >confine/pol/config.authz
  run 1 check confine/pol/config.authz
  if [ "$(grep -c '^error\[' err.txt)" -ne 1 ]; then fail "$last: more than one diagnostic"; fi
  contains err.txt "error[E0012]"

  # One enormous line and name: the excerpt and the message stay bounded.
  { printf 'policy p;\nrole rep;\n/// T.\ntool t() read;\n/// R.\nallow r: rep may t, '
    head -c 1000000 /dev/zero | tr '\0' 'x'; printf ';\n'; } >long_line.authz
  run 1 check long_line.authz
  contains err.txt "error[E0201]"
  size=$(wc -c <err.txt)
  if [ "$size" -gt 4000 ]; then fail "$last: $size bytes of diagnostics for one error"; fi
  run 1 check --format json long_line.authz
  valid_json E0201
  size=$(wc -c <out.txt)
  if [ "$size" -gt 4000 ]; then fail "$last: $size bytes of JSON for one error"; fi

  # Trojan Source: a bidi override in a string is an error naming it; in
  # comments a warning, at most 21 per file.
  printf 'policy p;\nrole rep;\n/// T.\ntool t(x: String) read;\n/// R.\nallow r: rep may t when args.x == "a\xe2\x80\xaeb";\n' >bidi.authz
  run 1 check bidi.authz
  contains err.txt "error[E0015]: string contains the invisible character U+202E RIGHT-TO-LEFT OVERRIDE"
  lacks err.txt "$(printf '\xe2\x80\xae')"
  { printf 'policy p;\nrole rep;\n/// T.\ntool t() read;\n/// R.\nallow r: rep may t;\n'
    for i in $(seq 1 3000); do printf '// \xe2\x81\xa6 %d\n' "$i"; done; } >bidi_comments.authz
  run 0 check bidi_comments.authz
  if [ "$(grep -c '^warning\[W0003\]' err.txt)" -ne 21 ]; then fail "$last: not 21 W0003 warnings"; fi
  run 1 check --deny-warnings bidi_comments.authz
  # A `users` entry is for the user it is filed under: an `id` naming someone
  # else is refused (eval used to decide as that other user), as the gateway
  # refuses it: both read users with runtime/internal/principal_json.h.
  printf 'policy p;\n\nrole reader;\ntool ping() read;\n\n/// Readers ping.\nallow r: reader may ping;\n' >who.authz
  printf '{"users": {"u-a": {"id": "u-b", "roles": ["reader"]}}}' >who.json
  run 2 eval who.authz --entities who.json --user u-a --call ping
  contains err.txt "is for user \`u-b\`, not \`u-a\`"
  empty out.txt
  printf '{"users": {"u-a": {"id": "u-a", "roles": ["reader"]}}}' >who.json
  run 0 eval who.authz --entities who.json --user u-a --call ping
  contains out.txt "user=u-a roles=[reader]"
  # An output file that cannot be written is named as the command line named
  # it (not the temporary it goes through), and nothing is left behind.
  printf '{"tools": [{"name": "ping", "inputSchema": {"type": "object"}}]}' >ping.tools.json
  run 2 import-tools ping.tools.json -o no-such-dir/ping.authz
  contains err.txt "error: cannot write \`no-such-dir/ping.authz\`"
  lacks err.txt ".tmp"
  run 2 build who.authz -o no-such-dir/who.authzt
  contains err.txt "error: cannot write \`no-such-dir/who.authzt\`"
  lacks err.txt ".tmp"
  ;;

uri_templates)
  # RFC 6570 resource templates: what `check` passes, `build` builds and the
  # table it writes decides (issue #20: `check` once passed operators that
  # the table loader refused, "internal error: the built table does not load").
  cat >templates.authz <<'EOF'
policy demo;

role reader;

/// Files by path; the path may span `/`.
resource file "file://{+path}";
/// Search with two query parameters, in this order.
resource search "demo://search{?q,limit}";
/// A path of any depth, exploded: `args.parts` is a `List<String>`.
resource tree "demo://tree{/parts*}";

/// Readers read files under /srv/public only.
allow public_files: reader may file when args.path under "/srv/public";
/// Readers search with a small limit.
allow small_search: reader may search when args.limit == "10";
/// Readers walk public trees, never into `secret`.
allow public_tree: reader may tree when "public" in args.parts && !("secret" in args.parts);
EOF
  run 0 check templates.authz
  contains err.txt "ok: policy \`demo\` checked"
  run 0 build templates.authz -o templates.authzt
  contains err.txt "ok: wrote \`templates.authzt\`"
  lacks err.txt "internal error"
  # exit status, what stdout must contain, the URI read
  while read -r want expected uri; do
    run "$want" eval templates.authzt --user u --role reader --read "$uri" </dev/null
    contains out.txt "$expected"
  done <<'URIS'
0 ALLOW file:///srv/public/a/b.txt
4 DENY file:///srv/public/../secret/k
0 ALLOW demo://search?q=cats&limit=10
4 DENY demo://search?q=cats&limit=10&limit=5000
4 DENY demo://search?limit=10&q=cats
0 ALLOW demo://tree/a/public/b
4 DENY demo://tree/public/secret
4 unknown_target demo://tree/public//x
URIS

  # What the matcher cannot match is refused by `check`, never by `build`.
  for bad in '{=x}' '{x:3}' '{x*}' '{?x*}' '{a}{+a}' '{a,b}' '{;x}'; do
    printf 'policy p;\n\nresource r "demo://%s";\n' "$bad" >bad_template.authz
    run 1 check bad_template.authz
    contains err.txt "error[E0416]"
    run 1 build bad_template.authz -o bad.authzt
    contains err.txt "error[E0416]"
    lacks err.txt "internal error"
  done
  ;;

signing)
  # Keys made by the openssl command, as docs/signing.md says to.
  openssl genpkey -algorithm ed25519 -out release.pem 2>/dev/null || fail "openssl genpkey failed"
  openssl pkey -in release.pem -pubout -out release.pub.pem || fail "openssl pkey -pubout failed"
  openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null
  openssl pkey -in other.pem -pubout -out other.pub.pem
  openssl genpkey -algorithm ed25519 -aes256 -pass pass:secret -out encrypted.pem 2>/dev/null
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
  key_id=$(openssl pkey -pubin -in release.pub.pem -outform DER | sha256sum | cut -d' ' -f1)
  write_clean_policy

  run 0 build clean.authz -o unsigned.authzt
  run 0 build clean.authz --sign release.pem -o signed.authzt
  contains err.txt "signed by key $key_id"
  run 0 build clean.authz --sign other.pem -o by_other.authzt
  # The signer is named by the key id openssl computes from the public key.
  run 0 dump signed.authzt
  contains out.txt "// signed by key $key_id (not verified: pass --trusted-key)"
  run 0 dump signed.authzt --trusted-key release.pub.pem
  contains out.txt "// signed by key $key_id (verified)"
  # Same policy, same hash, signed or not; an unsigned dump has no signer line.
  "$authzc" dump unsigned.authzt >unsigned_dump.txt 2>/dev/null
  lacks unsigned_dump.txt "signed by"
  [ "$(head -1 unsigned_dump.txt)" = "$(head -1 out.txt)" ] || fail "signing changed the policy hash"
  # Rotation: either of two trusted keys.
  run 0 dump by_other.authzt --trusted-key release.pub.pem --trusted-key other.pub.pem
  contains out.txt "(verified)"

  run 1 dump unsigned.authzt --trusted-key release.pub.pem
  contains err.txt "the table is not signed"
  run 1 dump by_other.authzt --trusted-key release.pub.pem
  contains err.txt "which is not a trusted key"
  # One changed byte in the body, and one in the signature.
  cp signed.authzt body.authzt
  printf '\x7f' | dd of=body.authzt bs=1 seek=100 conv=notrunc 2>/dev/null
  run 1 dump body.authzt --trusted-key release.pub.pem
  contains err.txt "table checksum mismatch"
  cp signed.authzt sig.authzt
  size=$(stat -c %s sig.authzt)
  printf '\x00' | dd of=sig.authzt bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
  printf '\x01' | dd of=sig.authzt bs=1 seek=$((size - 2)) conv=notrunc 2>/dev/null
  run 1 dump sig.authzt --trusted-key release.pub.pem
  contains err.txt "signature does not verify with key \`$key_id\`"

  # Keys in the wrong place or form are refused with the fix.
  run 2 dump signed.authzt --trusted-key release.pem
  contains err.txt "this is a private key"
  run 2 dump signed.authzt --trusted-key ec.pem
  contains err.txt "this is a private key"
  openssl pkey -in ec.pem -pubout -out ec.pub.pem
  run 2 dump signed.authzt --trusted-key ec.pub.pem
  contains err.txt "not an Ed25519 key"
  run 2 dump signed.authzt --trusted-key missing.pem
  run 2 dump clean.authz --trusted-key release.pub.pem
  contains err.txt "needs one built table file"
  run 2 build clean.authz --sign release.pub.pem -o x.authzt
  contains err.txt "not an unencrypted PEM private key"
  run 2 build clean.authz --sign encrypted.pem -o x.authzt </dev/null
  contains err.txt "not an unencrypted PEM private key"
  run 2 build clean.authz --sign ec.pem -o x.authzt
  contains err.txt "not an Ed25519 key"
  run 2 build clean.authz --sign missing.pem -o x.authzt
  [ ! -e x.authzt ] || fail "a failed signing wrote a table"
  ;;

*)
  echo "unknown group $group"
  exit 2
  ;;
esac

echo "$group: $((checks)) runs, $failures failed checks"
[ "$failures" -eq 0 ]
