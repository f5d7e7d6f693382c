#!/usr/bin/env bash
# node-deps.sh — installs the npm packages of the Node binding
# (bindings/node: the Node-API headers the addon is built from, the MCP SDK,
# TypeScript and casbin for its tests and benchmark) and of
# examples/sales-server-ts, exactly as pinned in their package-lock.json files;
# does nothing for a directory whose node_modules is newer than its lockfile.
# Run by scripts/setup.sh before CMake configures, so the addon is found.
# Usage: scripts/node-deps.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "node-deps: npm not found: the Node binding is not built" >&2; exit 0; }
for dir in bindings/node examples/sales-server-ts; do
  [[ -f $dir/package-lock.json ]] || continue
  if [[ ! $dir/node_modules/.package-lock.json -nt $dir/package-lock.json ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
