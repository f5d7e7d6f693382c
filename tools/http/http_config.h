// http_config.h — the configuration of `authz-gateway serve`, the Streamable
// HTTP front (docs/http-gateway.md): the `[http]` and `[upstream]` sections
// of the gateway's TOML file, next to `[oauth]` (tools/oauth/oauth_config.h).
//
// Contract: read_gateway_config reads all three sections of one file, and
// `[entities]` / `[entities.TYPE]` through entity_sources_config.h; every
// key of `[http]`, `[upstream]` and `[upstream.headers]` is type-checked and
// an unknown key, a value of the wrong type or out of range, or an upstream
// with both or neither of `url` and `command` is one error naming the key and
// its line (`gateway.toml:7: ...`), in the style of oauth_config_toml.h.
// load_gateway_config resolves relative paths (policy, audit, entities, TLS
// files, jwks_file, sqlite/json entity sources) against the file's directory. Defaults are the struct
// initialisers below. Never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/result.h"
#include "tools/entity_sources/entity_sources_config.h"
#include "tools/oauth/oauth_config.h"

namespace authz::http {

struct HttpConfig {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string path = "/mcp";              // the MCP endpoint
  std::string policy;                     // the decision table (required)
  std::string shadow;                     // a candidate table decided alongside, recorded only (docs/rollout.md)
  std::vector<std::string> trusted_keys;  // Ed25519 public keys (PEM): tables must be signed by one (docs/signing.md)
  std::string audit;                      // the audit log (required)
  bool audit_sync = false;
  std::string entities;                      // JSON entity data, as the stdio gateway's --entities
  std::vector<std::string> allowed_origins;  // exact `Origin` values accepted; a request without Origin is accepted
  std::string tls_cert;                      // PEM; both or neither
  std::string tls_key;
  std::size_t max_body_bytes = 4u << 20;
  std::size_t max_header_bytes = 16u << 10;
  std::int64_t header_timeout_ms = 10000;    // the whole request head must arrive within this
  std::int64_t request_timeout_ms = 120000;  // one upstream exchange (a POST's answer or stream)
  std::int64_t idle_timeout_ms = 60000;      // a keep-alive connection with no request
  std::size_t max_sessions = 1000;
  std::size_t max_sessions_per_user = 16;
  std::int64_t session_idle_timeout_s = 1800;
  std::int64_t drain_timeout_ms = 10000;  // SIGTERM: how long open requests may finish
  unsigned threads = 2;
  // GET /metrics on this listener (docs/metrics.md). Off by default: the
  // output names the table's rule ids and counts sessions and decisions.
  bool metrics = false;
};

struct UpstreamConfig {
  std::string url;                   // a Streamable HTTP MCP server (http:// or https://)
  std::vector<std::string> command;  // or: a stdio MCP server, one process per session
  // Sent on every upstream request (credentials of the gateway itself).
  std::vector<std::pair<std::string, std::string>> headers;
  // Identity forwarding (off unless set): header names for the caller's id and issuer.
  std::string user_header;
  std::string issuer_header;
  std::size_t max_children = 64;          // stdio: processes in total
  std::size_t max_children_per_user = 4;  // stdio: processes per user
  bool verify_tls = true;                 // https upstream: verify the peer
};

struct GatewayConfig {
  HttpConfig http;
  UpstreamConfig upstream;
  oauth::OAuthConfig oauth;
  entity_sources::EntitySourcesConfig entity_sources;  // [entities.*] (docs/entity-sources.md); empty: none
};

// `source`: the name errors show (a path).
runtime::Result<GatewayConfig> read_gateway_config(std::string_view toml_text, const std::string& source);
runtime::Result<GatewayConfig> load_gateway_config(const std::string& path);

// "host:port" of an http(s) URL, for the checks above and the upstream client.
struct ParsedUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path and query, "/" when empty
};
bool parse_http_url(std::string_view url, ParsedUrl& out);

}  // namespace authz::http
