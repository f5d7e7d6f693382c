// relay.h — one exchange of an MCP session with its upstream: a client's
// POST (answered as JSON, as an SSE stream relayed event by event, or 202),
// a GET stream of server messages, a DELETE; plus creating and ending
// sessions with their upstream (an HTTP MCP server, or a stdio child per
// session).
//
// Contract: every JSON-RPC message crosses the session's gateway::Session
// (McpSession::client_message / server_message), both ways and inside SSE
// streams: what the core refuses is answered by the gateway and never
// reaches the upstream; what it filters (lists) is rewritten; what it drops
// is not relayed. Upstream requests carry only Content-Type, Accept,
// MCP-Protocol-Version, the upstream's own Mcp-Session-Id, [upstream].headers
// and the configured identity headers: never the client's Authorization,
// cookies or other headers. When the upstream fails (no connection, a
// timeout, an HTTP error) the client's request is answered with a JSON-RPC
// error that also passes through the core (so the request does not stay
// in flight); an upstream 404 ends the session (the client starts a new
// one). JSON relayed to an SSE stream or a stdio child is one line: CR and LF,
// which in valid JSON can only be whitespace, become spaces.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/gateway/audit_sink.h"
#include "tools/http/generation.h"
#include "tools/http/mcp_session.h"
#include "tools/metrics/gateway_metrics.h"
#include "tools/oauth/verified_token.h"

namespace authz::http {

struct Reply {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = true;
  bool streamed = false;  // the handler wrote the whole response itself
  // Time spent waiting on the upstream for a relayed, not streamed answer (also one the client
  // gets as an error: withheld, non-2xx); -1 when the gateway answered alone or streamed the
  // answer (then no added latency is observed for the request). A stdio upstream's wait ends
  // when its answer, already checked by the session's core, is handed to the request.
  std::int64_t upstream_ns = -1;
};

// A JSON-RPC-shaped error body ({"jsonrpc":"2.0","id":null,"error":{...}}) with `status`.
Reply error_reply(int status, std::string_view message);

// Where a streamed response goes (the client's connection).
class ClientChannel {
 public:
  virtual ~ClientChannel() = default;
  virtual boost::asio::awaitable<bool> write(std::string_view bytes) = 0;
};

// The authenticated caller of one request.
struct CallContext {
  std::shared_ptr<const oauth::VerifiedToken> token;
  SessionOwner owner;
  std::string remote;
  std::string_view protocol_version;  // the request's MCP-Protocol-Version; empty when absent
};

runtime::AuditCaller caller_of(const CallContext& call, std::string session_id);

enum class RelayOutcome { Done, EndSession };

class Relay {
 public:
  // `metrics` (may be null) observes every session's decisions and is told
  // when sessions start and end.
  Relay(boost::asio::io_context& io, gateway::AuditSink& audit, std::function<void(std::string_view)> log,
        metrics::GatewayMetrics* metrics = nullptr);

  // A new session for the caller, with its upstream (a stdio child is started here).
  // With a principal source (`[entities.User]`), the caller's attributes are
  // that row under the token's claims, read here once per session; when the
  // source fails, no session (null, `error` says so without the database's
  // message, which goes to the log).
  std::shared_ptr<McpSession> create_session(const Generation& generation, const CallContext& call, std::string& error);
  boost::asio::awaitable<RelayOutcome> post(const Generation& generation, std::shared_ptr<McpSession> session,
                                            const CallContext& call, const std::string& body, bool created,
                                            ClientChannel& channel, Reply& reply);
  boost::asio::awaitable<void> open_stream(const Generation& generation, std::shared_ptr<McpSession> session,
                                           const CallContext& call, ClientChannel& channel, Reply& reply);
  boost::asio::awaitable<void> delete_session(const Generation& generation, McpSession& session);
  // Releases the upstream (stops the child, closes connections); idempotent.
  void end_session(McpSession& session);
  // A reloaded generation for an open session: its table, shadow and entity
  // data (the sources were checked against that table); list_changed
  // notifications go to its stream. The principal's attributes stay those
  // read when the session was created.
  void replace_generation(McpSession& session, const Generation& generation);

 private:
  void deliver_stdio(McpSession& session, std::string_view line);
  void route_to_client(McpSession& session, std::string message);  // under session.mutex

  boost::asio::io_context& io_;
  gateway::AuditSink& audit_;
  std::function<void(std::string_view)> log_;
  metrics::GatewayMetrics* metrics_;
  boost::asio::ssl::context tls_;  // https upstreams: the system's trust store
  std::mutex children_mutex_;
  std::size_t children_ = 0;
  std::map<std::string, std::size_t> children_per_user_;
};

}  // namespace authz::http
