#!/usr/bin/env bash
# sanitize.sh — builds the tree with clang-14 under AddressSanitizer (with
# LeakSanitizer) and UndefinedBehaviorSanitizer in build-sanitize, and runs the
# tests labelled `sanitize` (unit.*, conformance, differential, build_load, golden, and the
# gateway e2e tests driving the sanitized authz-gateway); ends with ctest's
# summary, then any sanitizer reports. Any report fails the run: UB is not recoverable
# (-fno-sanitize-recover=all), ASan halts on the first error, leaks fail the
# process, and a report from any child process (the gateway under node) is
# caught through the sanitizer log files, which the script prints and fails on.
# Builds only the targets those tests need.
#
# Extension points (the fuzz targets share this clang build dir, so CI builds
# clang once): AUTHZ_SANITIZE_CMAKE_ARGS adds configure arguments (e.g.
# -DAUTHZ_FUZZ=ON), AUTHZ_SANITIZE_TARGETS adds build targets; a test joins
# this run by carrying the ctest label `sanitize`.
# Needs the e2e npm packages in tests/e2e/node_modules (scripts/test.sh
# installs them; this script does too when they are missing or stale).
# Usage: scripts/sanitize.sh [--help]   (build directory: ./build-sanitize, or $AUTHZ_SANITIZE_BUILD_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
if (( $# )); then
  case $1 in
    -h|--help) usage; exit 0 ;;
    *) echo "error: unexpected argument \`$1\`" >&2
       echo "  = help: scripts/sanitize.sh takes no arguments; see scripts/sanitize.sh --help" >&2
       exit 2 ;;
  esac
fi

# clang-14, its sanitizer runtimes and the test-only packages the e2e tests use.
scripts/bootstrap.sh --tests
build_dir=${AUTHZ_SANITIZE_BUILD_DIR:-build-sanitize}
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# shellcheck disable=SC2086  # AUTHZ_SANITIZE_CMAKE_ARGS is a list of words
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAUTHZ_SANITIZE=ON -DAUTHZ_PGO=OFF -DAUTHZ_BUILD_BENCHMARKS=OFF "${launcher[@]}" \
  ${AUTHZ_SANITIZE_CMAKE_ARGS:-} >/dev/null
# shellcheck disable=SC2086
cmake --build "$build_dir" --parallel "$(nproc)" --target \
  authz_unit_tests authz_conformance_runner authz_differential_test authz_build_load_test authz_golden_runner \
  authzc authz-gateway \
  ${AUTHZ_SANITIZE_TARGETS:-}

scripts/e2e-deps.sh

# Reports go to files as well as stderr, so one from a process whose exit
# status a test does not look at (a gateway under node) still fails the run.
logs="$(realpath -m "$build_dir/sanitizer-logs")"
rm -rf "$logs"
mkdir -p "$logs"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="log_path=$logs/lsan"
status=0
ctest --test-dir "$build_dir" --label-regex '^sanitize$' --output-on-failure --parallel "$(nproc)" || status=$?
shopt -s nullglob
reports=("$logs"/*)
if (( ${#reports[@]} )); then
  echo "sanitize: ${#reports[@]} sanitizer report(s):" >&2
  for report in "${reports[@]}"; do echo "== $report" >&2; cat "$report" >&2; done
  status=1
fi
exit "$status"
