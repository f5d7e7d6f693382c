#!/usr/bin/env bash
# http_gateway_bench.sh — what the HTTP gateway adds per MCP call, measured in
# ONE run against the same upstream called directly and through HAProxy (the
# plain-proxy baseline); docs/performance.md, "HTTP gateway", has the method
# and the figures.
#
#   bench/http_gateway_bench.sh [--runs 5] [--duration 5] [--connections 64]
#                               [--sessions 1000] [--new-tokens 3000] [--out DIR]
#
# Starts bench/mcp_http_upstream (a fast MCP server over Streamable HTTP),
# HAProxy in front of it (config generated into the work directory: one
# frontend, one backend, keep-alive both sides) and, when the build has the
# HTTP front (`authz-gateway serve`), the gateway in front of it (RS256
# access tokens from `mcp_http_load tokens`, their JWKS as a file, the
# policy tests/e2e/policies/everything.authz, the audit log on). Then, with
# bench/mcp_http_load, for each of direct / haproxy / gateway:
#   load   C keep-alive clients, one MCP session each, `tools/call` in a
#          closed loop with one (cached) bearer token; R runs of D seconds
#          after a 1 s warm-up: calls/s and p50/p99 latency, medians of runs;
#          processes wherever the scheduler puts them;
#   single one client, same otherwise: latency without queueing, with every
#          process (all threads) pinned to CPU 0 (taskset), so no call pays
#          a cross-CPU wake-up (docs/performance.md, "Gateway", says why);
#   sse    S sessions, each holding a GET SSE stream open: RSS of the proxy
#          before and after, per session;
# and for the gateway: `newtok`, one client presenting a token it has never
# seen on every call (the signature is verified each time; pinned as
# `single`). Prints a summary:
# added latency per call (proxy minus direct, p50 and p99, with 64 clients
# and with one), the gateway/HAProxy ratio, calls/s, bytes per idle session,
# the new-token p50 added, each against the issue #15 target. Every JSON
# result stays in DIR (default: a new directory under /tmp). Builds
# nothing: needs build/bench/mcp_http_upstream, build/bench/mcp_http_load,
# build/compiler/authzc and build/tools/gateway/authz-gateway
# ($AUTHZ_BENCH_BUILD_DIR, default build; $AUTHZ_GATEWAY and $AUTHZC
# override the last two), haproxy, taskset and node.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

usage() { sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; }
runs=5 duration=5 connections=64 sessions=1000 new_tokens=3000 out=""
while (( $# )); do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --sessions) sessions=$2; shift 2 ;;
    --new-tokens) new_tokens=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "error: unexpected argument \`$1\`" >&2
       echo "  = help: bench/http_gateway_bench.sh --help" >&2
       exit 2 ;;
  esac
done

build=$(realpath -m "${AUTHZ_BENCH_BUILD_DIR:-build}")
upstream_bin=$build/bench/mcp_http_upstream
load_bin=$build/bench/mcp_http_load
gateway_bin=${AUTHZ_GATEWAY:-$build/tools/gateway/authz-gateway}
authzc_bin=${AUTHZC:-$build/compiler/authzc}
for program in "$upstream_bin" "$load_bin"; do
  if [[ ! -x $program ]]; then
    echo "error: \`$program\` is not built" >&2
    echo "  = help: cmake --build $build --target mcp_http_upstream mcp_http_load authz-gateway authzc" >&2
    exit 2
  fi
done
command -v haproxy >/dev/null || { printf 'error: haproxy is not installed\n  = help: apt-get install haproxy\n' >&2; exit 2; }
command -v node >/dev/null || { echo "error: node is not installed (it prints the summary)" >&2; exit 2; }

out=${out:-$(mktemp -d /tmp/http-gateway-bench.XXXXXX)}
mkdir -p "$out"
out=$(realpath "$out")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() {  # wait_port PORT: until something accepts on 127.0.0.1:PORT (10 s)
  local i
  for i in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "error: nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# ---- the upstream -------------------------------------------------------------------
"$upstream_bin" --listen 127.0.0.1:0 >"$out/upstream.out" 2>&1 &
pids+=($!)
upstream_pid=$!
for _ in $(seq 100); do grep -q '^listening on' "$out/upstream.out" && break; sleep 0.05; done
upstream_port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out/upstream.out")
[[ -n $upstream_port ]] || { echo "error: the upstream did not start: $(cat "$out/upstream.out")" >&2; exit 1; }

# ---- HAProxy ------------------------------------------------------------------------
haproxy_port=$(free_port)
haproxy_threads=${AUTHZ_BENCH_HAPROXY_THREADS:-1}
cat >"$out/haproxy.cfg" <<EOF
global
  maxconn 5000
  nbthread $haproxy_threads
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 120s
frontend mcp
  bind 127.0.0.1:$haproxy_port
  default_backend upstream
backend upstream
  http-reuse always
  server upstream 127.0.0.1:$upstream_port maxconn 5000
EOF
haproxy -f "$out/haproxy.cfg" -db >"$out/haproxy.log" 2>&1 &
pids+=($!)
haproxy_pid=$!
wait_port "$haproxy_port"

# ---- the gateway (when this build has the HTTP front) -------------------------------
have_gateway=0
if [[ -x $gateway_bin ]] && "$gateway_bin" serve --help >/dev/null 2>&1; then
  have_gateway=1
fi
gateway_port=$(free_port)
resource="http://127.0.0.1:$gateway_port/mcp"
"$load_bin" tokens --dir "$out" --count "$new_tokens" --issuer https://idp.example --audience "$resource" --sub bench-user
if (( have_gateway )); then
  "$authzc_bin" build tests/e2e/policies/everything.authz -o "$out/everything.authzt" >"$out/authzc.log" 2>&1 ||
    { cat "$out/authzc.log" >&2; exit 1; }
  cat >"$out/gateway.toml" <<EOF
[http]
listen = "127.0.0.1:$gateway_port"
path = "/mcp"
policy = "everything.authzt"
audit = "audit.jsonl"
max_sessions = $(( sessions + connections + 1000 ))
max_sessions_per_user = $(( sessions + connections + 1000 ))

[upstream]
url = "http://127.0.0.1:$upstream_port/mcp"

[oauth]
jwks_file = "jwks.json"
issuers = ["https://idp.example"]
resource = "$resource"
EOF
  "$gateway_bin" serve --config "$out/gateway.toml" >"$out/gateway.log" 2>&1 &
  pids+=($!)
  gateway_pid=$!
  wait_port "$gateway_port"
fi

# ---- measure ------------------------------------------------------------------------
token=$out/token
all_cpus=0-$(( $(nproc) - 1 ))
server_pids=("$upstream_pid" "$haproxy_pid" ${gateway_pid:+"$gateway_pid"})
placement() {  # placement shared|free: every thread of every server, and the load generator, on CPU 0 or anywhere
  local cpus=$all_cpus pid
  [[ $1 == shared ]] && cpus=0
  for pid in "${server_pids[@]}"; do taskset -a -p -c "$cpus" "$pid" >/dev/null; done
  load_cpus=$cpus
}
load() {  # load NAME URL ARGS...: one mcp_http_load run into $out/NAME.json
  local name=$1 url=$2
  shift 2
  echo "bench: $name" >&2
  taskset -c "$load_cpus" "$load_bin" run --url "$url" --token-file "$token" --warmup 1 "$@" >"$out/$name.json" ||
    { echo "error: $name failed: $(cat "$out/$name.json")" >&2; exit 1; }
}
targets=("direct http://127.0.0.1:$upstream_port/mcp $upstream_pid" "haproxy http://127.0.0.1:$haproxy_port/mcp $haproxy_pid")
(( have_gateway )) && targets+=("gateway $resource ${gateway_pid:-}")
placement free
for target in "${targets[@]}"; do
  read -r name url pid <<<"$target"
  load "$name-load" "$url" --connections "$connections" --duration "$duration" --runs "$runs"
done
placement shared
for target in "${targets[@]}"; do
  read -r name url pid <<<"$target"
  load "$name-single" "$url" --connections 1 --duration "$duration" --runs "$runs"
done
if (( have_gateway )); then
  load gateway-newtok "$resource" --connections 1 --duration "$duration" --runs "$runs" --tokens-file "$out/tokens"
fi
placement free
for target in "${targets[@]}"; do
  read -r name url pid <<<"$target"
  echo "bench: $name-sse" >&2
  "$load_bin" sse --url "$url" --token-file "$token" --sessions "$sessions" --hold 2 --rss-pid "$pid" \
    >"$out/$name-sse.json" || { echo "error: $name-sse failed: $(cat "$out/$name-sse.json")" >&2; exit 1; }
done

# ---- summary ------------------------------------------------------------------------
cat >"$out/meta.json" <<EOF
{"date":"$(date -u +%FT%TZ)","cpus":$(nproc),"load_average":"$(cut -d' ' -f1-3 /proc/loadavg)",
 "runs":$runs,"duration_s":$duration,"connections":$connections,"sessions":$sessions,"gateway":$have_gateway,
 "haproxy":"$(haproxy -v | head -1 | cut -d' ' -f3)","haproxy_threads":$haproxy_threads,"commit":"$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"}
EOF
node "$root/bench/http_gateway_summary.mjs" "$out"
