#!/usr/bin/env bash
# setup.sh — installs what is missing, builds, and runs the main job on the
# bundled example: check examples/sales, build its decision table, and decide
# two of the article's requests with their explanation traces.
# The runtime and the gateway are compiled with profile-guided optimisation:
# the first build trains a profile (scripts/pgo-train.sh, about two minutes)
# in $build_dir/pgo-profile and builds again with it; later builds reuse it
# (delete that directory to train again). AUTHZ_PGO=OFF builds without.
# Usage: scripts/setup.sh            (build directory: ./build, or $AUTHZ_BUILD_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
# npm packages the Node binding is built from (before CMake looks for them).
scripts/node-deps.sh
build_dir=${AUTHZ_BUILD_DIR:-build}
configure() {
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" ${AUTHZ_CMAKE_ARGS:-} >/dev/null
}
pgo=(-DAUTHZ_PGO=OFF)
if [[ ${AUTHZ_PGO:-USE} != OFF ]]; then
  profile="$(realpath -m "$build_dir/pgo-profile")"
  if [[ ! -f $profile/.trained ]]; then
    configure -DAUTHZ_PGO=OFF
    cmake --build "$build_dir" --parallel "$(nproc)"
    scripts/pgo-train.sh "$build_dir" "$profile"
  fi
  pgo=(-DAUTHZ_PGO=USE -DAUTHZ_PGO_DIR="$profile")
fi
configure "${pgo[@]}"
cmake --build "$build_dir" --parallel "$(nproc)"

authzc="$build_dir/compiler/authzc"
run() { echo "+ authzc ${*:2}"; "$@"; }
run "$authzc" check examples/sales
run "$authzc" build examples/sales -o "$build_dir/sales.authzt"
sales=(--entities examples/sales/entities.json --now 2026-11-26T12:00:00Z)
# A rep opens an account she owns: allowed.
run "$authzc" eval "$build_dir/sales.authzt" "${sales[@]}" --user u-bob --call get_account '{"account": "acc-1"}'
# The same rep opens a colleague's account: denied (exit status 4), and the trace says why.
status=0
run "$authzc" eval "$build_dir/sales.authzt" "${sales[@]}" --user u-bob --call get_account '{"account": "acc-7"}' || status=$?
if [[ $status -ne 4 ]]; then
  echo "setup: expected the cross-user request to be denied (exit 4), got exit $status" >&2
  exit 1
fi
echo "setup: ok"
