// server.h — `authz-gateway serve`: the Streamable HTTP front of the gateway
// (docs/http-gateway.md).
//
// Contract: run_server() listens on [http].listen (TLS when tls_cert/key are
// set) and serves, on [http].threads threads:
//   GET  /healthz                               200 {"status":"ok",...}
//   GET  /metrics                               Prometheus text (only with [http].metrics)
//   GET  /.well-known/oauth-protected-resource[/path]   RFC 9728 metadata
//   POST/GET/DELETE [http].path                 the MCP endpoint
// Each request is judged by check_request (request_check.h) first, then its
// bearer token by authz::oauth (401 / 400 / 403 with WWW-Authenticate; the
// refetch of the key set an unknown `kid` triggers runs on a one-thread pool,
// never on an I/O thread, the request resuming on its own strand), then
// routed to the caller's own session (session_table.h; another user's id is
// 404 and an audit record). Every JSON-RPC message, both ways, including
// those inside SSE streams, goes through the session's gateway::Session,
// the enforcement core the stdio gateway runs too. The client's
// Authorization header never reaches the upstream: upstream requests carry
// only Content-Type, Accept, MCP-Protocol-Version, the upstream's own
// Mcp-Session-Id, the configured [upstream].headers and (when configured)
// identity headers. SIGHUP rebuilds the Generation (generation.h) from the
// configuration file; a failed reload is logged and the old one stays.
// One metrics::GatewayMetrics per process observes every session's decisions,
// sessions, refused tokens (by cause) and reloads (docs/metrics.md).
// SIGTERM / SIGINT stop accepting, let requests in progress finish for up to
// [http].drain_timeout_ms, then end every session (children included) and
// return 0. Diagnostics are one JSON object per line on stderr.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/result.h"
#include "tools/http/generation.h"

namespace authz::http {

struct ServerOptions {
  // Loads the configuration (the file, with command-line overrides applied);
  // called at start-up and again on every SIGHUP.
  std::function<runtime::Result<GatewayConfig>()> load_config;
  // One line on stderr, without newline.
  std::function<void(std::string_view)> log;
  // Called once the listener is bound, with the port (tests use port 0).
  std::function<void(unsigned short)> on_listening;
};

// Returns the process exit status: 0 after a drain; 1 when the first
// configuration does not load; 2 when the listener or the audit log cannot
// be opened.
int run_server(const ServerOptions& options);

}  // namespace authz::http
