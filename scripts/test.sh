#!/usr/bin/env bash
# test.sh — installs what the tests need besides the build (scripts/bootstrap.sh
# --tests), builds everything and runs every test; ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh --tests
scripts/setup.sh
build_dir=${AUTHZ_BUILD_DIR:-build}
# The e2e tests' npm packages (MCP SDK and reference servers), exactly as pinned
# in tests/e2e/package-lock.json; reinstalled only when the lockfile changed.
scripts/e2e-deps.sh
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)"
