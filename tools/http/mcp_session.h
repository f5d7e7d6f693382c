// mcp_session.h — one MCP session of the HTTP front: the enforcement core
// (gateway::Session, the same one the stdio gateway runs), the user it
// belongs to, and its upstream side.
//
// Contract: every call into `core` happens under `mutex` through
// client_message() / server_message(), which also copy the caller's facts
// into the audit records; the lock is held only while the core decides
// (no I/O but the audit append). The upstream's own session id is kept here
// and never shown to the client (the client sees `id`, the gateway's). A
// session created for one user is never handed to another (session_table.h);
// its upstream (an HTTP session or a child process) serves that session only.
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "tools/gateway/session.h"
#include "tools/http/session_table.h"
#include "tools/http/upstream_connection.h"
#include "tools/oauth/verified_token.h"

namespace authz::http {

class StdioUpstream;

inline std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// A POST (or a GET stream) waiting for what the stdio upstream sends.
struct Waiter {
  explicit Waiter(boost::asio::any_io_executor executor) : timer(executor) {}
  boost::asio::steady_timer timer;   // cancelled (on its executor) when something arrives
  std::deque<std::string> messages;  // guarded by the session's mutex
  bool closed = false;               // the upstream ended
};

struct McpSession {
  McpSession(gateway::SessionConfig config, runtime::Engine engine, std::string id_, SessionOwner owner_)
      : id(std::move(id_)), owner(std::move(owner_)), core(std::move(config), std::move(engine)) {
    last_used_ms = steady_ms();
  }

  // The client's message through the core; `out` receives the Routing.
  // `token` and `remote` identify the caller: the audit fields are rebuilt
  // only when they change (a client keeps its token and, mostly, its
  // connection), so a call costs no copies here.
  template <class MakeCaller>
  void client_message(std::string_view line, const std::shared_ptr<const oauth::VerifiedToken>& token,
                      std::string_view remote, MakeCaller&& make_caller, gateway::Routing& out) {
    std::lock_guard lock(mutex);
    if (token != caller_token_ || remote != caller_remote_) {
      core.set_caller(make_caller());
      caller_token_ = token;
      caller_remote_.assign(remote);
    }
    core.on_client_line(line, out);
  }
  void server_message(std::string_view line, gateway::Routing& out) {
    std::lock_guard lock(mutex);
    core.on_server_line(line, out);
  }

  const std::string id;
  const SessionOwner owner;
  std::mutex mutex;
  gateway::Session core;            // guarded by mutex
  std::string upstream_session_id;  // guarded by mutex
  std::string principal_id;         // for limits and logs
  std::atomic<std::int64_t> last_used_ms{0};
  std::atomic<int> active{0};      // requests in progress
  std::atomic<bool> ended{false};  // end_session ran

  // HTTP upstream: idle keep-alive connections (guarded by pool_mutex).
  std::mutex pool_mutex;
  std::vector<std::unique_ptr<UpstreamConnection>> idle;

  // stdio upstream: the child, and who waits for its messages (guarded by mutex).
  std::shared_ptr<StdioUpstream> stdio;
  std::unordered_map<std::string, std::shared_ptr<Waiter>> waiting;  // by request id key
  std::shared_ptr<Waiter> stream;                                    // the GET stream's, when open
  std::deque<std::string> unrouted;                                  // server messages while no GET stream is open

 private:
  // The token the audit fields were made from (guarded by mutex); held, so
  // its address cannot be reused by another token while compared.
  std::shared_ptr<const oauth::VerifiedToken> caller_token_;
  std::string caller_remote_;
};

}  // namespace authz::http
