#!/usr/bin/env bash
# e2e-deps.sh — installs the e2e tests' npm packages (the MCP SDK and the
# reference servers) into tests/e2e/node_modules exactly as pinned in
# tests/e2e/package-lock.json; does nothing when they are newer than the
# lockfile. Shared by scripts/test.sh and scripts/sanitize.sh (both build
# dirs run the e2e tests from tests/e2e).
# Usage: scripts/e2e-deps.sh
set -euo pipefail
cd "$(dirname "$0")/../tests/e2e"
if [[ ! node_modules/.package-lock.json -nt package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
