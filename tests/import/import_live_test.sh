#!/usr/bin/env bash
# import_live_test.sh — `authzc import-tools -- SERVER` against the real
# reference servers (from tests/e2e/node_modules, installed by `npm ci`): the
# live conversation (initialize, tools/list with pagination, prompts and
# resources) must give the same module as the captured listing in data/.
#
# Usage: import_live_test.sh AUTHZC NODE SOURCE_DIR WORK_DIR
set -euo pipefail
authzc=$1 node=$2 source_dir=$3 work=$4
modules="$source_dir/tests/e2e/node_modules/@modelcontextprotocol"
if [[ ! -d $modules ]]; then
  echo "FAIL: $modules is missing: run \`npm ci\` in tests/e2e (scripts/test.sh does)"
  exit 1
fi
mkdir -p "$work/live" "$work/live/root"
status=0
compare() {  # CASE SERVER_ARGS...
  local case_name=$1
  shift
  "$authzc" import-tools "$source_dir/tests/import/data/server-$case_name-2026.8.31.tools.json" \
    --module "imported.$case_name" -o "$work/live/$case_name.captured.authz" 2>/dev/null
  if ! timeout 60 "$authzc" import-tools --timeout 30 --module "imported.$case_name" \
      -o "$work/live/$case_name.live.authz" -- "$node" "$@" 2> "$work/live/$case_name.stderr"; then
    echo "FAIL: live import of $case_name failed:"
    cat "$work/live/$case_name.stderr"
    status=1
    return
  fi
  # The header names the source; everything from `module` on must match.
  if ! diff -u <(sed -n '/^module /,$p' "$work/live/$case_name.captured.authz") \
               <(sed -n '/^module /,$p' "$work/live/$case_name.live.authz"); then
    echo "FAIL: live import of $case_name differs from the captured listing"
    status=1
  fi
}
compare everything "$modules/server-everything/dist/index.js" stdio
compare filesystem "$modules/server-filesystem/dist/index.js" "$work/live/root"
[[ $status == 0 ]] && echo "ok: live import-tools matches the captured listings"
exit $status
