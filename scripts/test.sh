#!/usr/bin/env bash
# test.sh — builds everything and runs every test; ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
build_dir=${AUTHZ_BUILD_DIR:-build}
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)"
