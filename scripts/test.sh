#!/usr/bin/env bash
# test.sh — builds everything and runs every test; ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
build_dir=${AUTHZ_BUILD_DIR:-build}
# The e2e tests' npm packages (MCP SDK and reference servers), exactly as pinned
# in tests/e2e/package-lock.json; reinstalled only when the lockfile changed.
if [[ ! tests/e2e/node_modules/.package-lock.json -nt tests/e2e/package-lock.json ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)"
