#!/usr/bin/env bash
# bootstrap.sh — installs the Debian packages the build needs, only when missing;
# with --tests, also those only the tests need.
# scripts/setup.sh (the main job: build, run the bundled example) runs it bare;
# scripts/test.sh, scripts/sanitize.sh and scripts/fuzz.sh run it with --tests.
# A new package goes into the list of what needs it: `build` when building or
# running the product needs it (CMake refuses to configure without it, or a
# shipped program uses it), else `tests`.
# Idempotent: a second run installs nothing and takes well under a second.
# Usage: scripts/bootstrap.sh [--tests]
set -euo pipefail

build=(
  g++ cmake ninja-build pkg-config
  antlr4 libantlr4-runtime-dev
  # catch2 and libbenchmark-dev: setup.sh builds the whole tree, test programs
  # and benchmarks included (the PGO training runs bench/gateway_bench, and
  # scripts/test.sh reuses the build), and CMake does not configure it without them.
  llvm-14-dev libfmt-dev catch2 libcli11-dev libsimdjson-dev libbenchmark-dev libsqlite3-dev
  libssl-dev libtomlplusplus-dev libboost1.81-dev
  nodejs
  libpq-dev
  python3                              # tests/policy_tests does not configure without it
)
tests=(
  clang-14 libclang-rt-14-dev          # scripts/sanitize.sh and scripts/fuzz.sh (ASan, UBSan, libFuzzer)
  openssl                              # keys and signatures made by the CLI and e2e tests
  postgresql-15                        # tests/entity_sources starts a real PostgreSQL
  haproxy                              # tests/e2e/http_scaleout.test.mjs, bench/http_gateway_bench.sh
  python3-prometheus-client            # tests/metrics reads the gateway's metrics with it
  sqlite3                              # tests/e2e/sales_server.test.mjs reads the sales database with the CLI
  chromium                             # tests/doc renders the permission page headless
  universal-ctags                      # scripts/code-sizes.sh (file and function sizes; the code_sizes test runs it)
)

packages=("${build[@]}")
case ${1:-} in
  "") ;;
  --tests) packages+=("${tests[@]}") ;;
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "error: unexpected argument \`$1\`" >&2
     echo "  = help: scripts/bootstrap.sh [--tests]; see scripts/bootstrap.sh --help" >&2
     exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$package")
done

if (( ${#missing[@]} )); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo_cmd=()
  (( EUID == 0 )) || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
