#!/usr/bin/env bash
# setup.sh — installs what is missing, builds, and checks the bundled example.
# Usage: scripts/setup.sh            (build directory: ./build, or $AUTHZ_BUILD_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
build_dir=${AUTHZ_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${AUTHZ_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"

echo "+ authzc check examples/sales"
"$build_dir/compiler/authzc" check examples/sales
