#!/usr/bin/env bash
# pgo-train.sh — makes the profile that AUTHZ_PGO=USE compiles the runtime and
# the gateway with (cmake/AuthzPgo.cmake). It builds an instrumented
# authz-gateway in BUILD_DIR/pgo-instrumented, runs it on the training
# workload below, and leaves the profile in PROFILE_DIR (replacing any there).
# Usage: scripts/pgo-train.sh BUILD_DIR PROFILE_DIR
# BUILD_DIR must be built already: its authzc and gateway_bench drive the run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -ne 2 ]]; then
  echo "usage: scripts/pgo-train.sh BUILD_DIR PROFILE_DIR" >&2
  exit 2
fi
build_dir=$(realpath "$1")
profile_dir=$(realpath -m "$2")
for tool in compiler/authzc bench/gateway_bench; do
  if [[ ! -x "$build_dir/$tool" ]]; then
    echo "pgo-train: $build_dir/$tool is missing; build $build_dir first (with benchmarks on)" >&2
    exit 1
  fi
done
instrumented="$build_dir/pgo-instrumented"
rm -rf "$profile_dir"
mkdir -p "$profile_dir"
cmake -S . -B "$instrumented" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUTHZ_BUILD_TESTS=OFF \
  -DAUTHZ_BUILD_BENCHMARKS=OFF -DAUTHZ_PGO=GENERATE -DAUTHZ_PGO_DIR="$profile_dir" >/dev/null
# The same sources as the USE build, compiled here with -Werror: this is where
# a warning in the runtime or the gateway fails a fresh build.
if ! cmake --build "$instrumented" --target authz-gateway --parallel "$(nproc)" >"$instrumented/build.log" 2>&1; then
  cat "$instrumented/build.log" >&2
  echo "pgo-train: the instrumented build failed" >&2
  exit 1
fi
gateway="$instrumented/tools/gateway/authz-gateway"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build_dir/compiler/authzc" build examples/sales -o "$work/sales.authzt" >/dev/null 2>"$work/authzc.log" ||
  { cat "$work/authzc.log" >&2; exit 1; }

# 1. The hot path: allowed tools/call, one at a time and pipelined, as
#    bench/gateway_bench measures it.
"$build_dir/bench/gateway_bench" --gateway "$gateway" --table "$work/sales.authzt" \
  --entities examples/sales/entities.json --calls 20000 --throughput-calls 20000 --placement shared >/dev/null

# 2. The other paths, so their code keeps its place: denials, unknown
#    targets, lists, other methods, spaced JSON, and refused input. The
#    session is repeated with fresh ids (repetition k adds 1000 k).
awk '{ line[NR] = $0 }
     END { for (k = 0; k < 200; ++k) for (i = 1; i <= NR; ++i) {
             out = ""; rest = line[i]
             while (match(rest, /"id":-?[0-9]+/)) {
               id = substr(rest, RSTART + 5, RLENGTH - 5) + 0
               out = out substr(rest, 1, RSTART - 1) "\"id\":" (id < 0 ? id - 1000 * k : id + 1000 * k)
               rest = substr(rest, RSTART + RLENGTH)
             }
             print out rest } }' bench/pgo/training-session.jsonl >"$work/session.jsonl"
"$gateway" --policy "$work/sales.authzt" --user u-bob --entities examples/sales/entities.json \
  --audit "$work/audit.jsonl" -- "$build_dir/bench/gateway_bench" --serve <"$work/session.jsonl" >/dev/null 2>"$work/stderr" ||
  { cat "$work/stderr" >&2; echo "pgo-train: the gateway failed on the training session" >&2; exit 1; }

count=$(find "$profile_dir" -name '*.gcda' | wc -l)
if [[ $count -eq 0 ]]; then
  echo "pgo-train: the training run wrote no profile to $profile_dir" >&2
  exit 1
fi
touch "$profile_dir/.trained"
echo "pgo-train: profile of $count object files in $profile_dir"
