// session.h — one gateway session: what happens to each message between
// the client (stdin/stdout) and the server (the child's stdout/stdin).
//
// Contract: the relay loop (relay_loop.h) hands every complete line to
// on_client_line / on_server_line (or reports an oversized one) and sends
// what the Routing says; the session does no I/O itself except logging.
//   client -> server
//     - refused by the reader (message_reader.h): error answered to the
//       client, nothing forwarded;
//     - a request whose id is already in flight: -32600, not forwarded (the
//       answer could otherwise be attributed to the wrong request);
//     - tools/call, resources/read, resources/subscribe, prompts/get,
//       completion/complete: decided by the Enforcer (a refused one is not
//       remembered, so a server answer to its id is dropped);
//     - the same methods sent as notifications (no id): dropped and logged,
//       since nobody could be told about a refusal;
//     - everything else: forwarded unchanged (list requests are remembered
//       so their answers get filtered).
//   server -> client
//     - responses: only for ids the gateway forwarded, else dropped and
//       logged; list responses filtered (list_filter.h) with the table the
//       request started with; forwarded unchanged otherwise;
//     - requests and notifications: forwarded unchanged; invalid lines are
//       dropped and logged (stdout carries only JSON-RPC).
// replace_engine() switches tables for new requests and, when the server
// announced listChanged, tells the client its lists changed. set_shadow()
// sets (or replaces, or with nullopt removes) the shadow policy: every
// decision is also made by it and recorded (enforcer.h); lists, replies and
// forwarding never depend on it. set_entities() switches the entity resolver
// (a reload's new sources) for the decisions that follow.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/engine.h"
#include "tools/gateway/enforcer.h"
#include "tools/gateway/list_filter.h"
#include "tools/gateway/message_reader.h"

namespace authz::gateway {

// What to do after one message. `forward` sends the original line onward
// (client line -> server, server line -> client); the vectors hold extra
// messages, each without its newline.
struct Routing {
  bool forward = false;
  std::vector<std::string> to_client;
  std::vector<std::string> to_server;
  void clear() {
    forward = false;
    to_client.clear();
    to_server.clear();
  }
};

struct SessionConfig {
  runtime::Principal principal;
  std::shared_ptr<const runtime::EntityResolver> entities;
  AuditSink* audit = nullptr;                 // null: no audit log (tests only)
  std::function<std::int64_t()> clock;        // ms since the epoch; null: the system clock
  LogFunction log;                            // one line on stderr, without newline
  runtime::AuditCaller caller;                // added to audit records (HTTP front); empty for stdio
  DecisionObserver* observer = nullptr;       // metrics hooks (decision_observer.h); null: none
};

class Session {
 public:
  Session(SessionConfig config, runtime::Engine engine);

  void on_client_line(std::string_view line, Routing& out);
  void on_client_oversized(Routing& out);
  void on_server_line(std::string_view line, Routing& out);
  void on_server_oversized(Routing& out);

  void replace_engine(runtime::Engine engine, Routing& out);
  // The caller of the next messages (the HTTP front: its peer may change).
  void set_caller(const runtime::AuditCaller& caller) { enforcer_.set_caller(caller); }
  const runtime::Principal& principal() const { return enforcer_.principal(); }
  const runtime::Engine& engine() const { return engine_; }
  void set_shadow(std::optional<runtime::Engine> shadow) { shadow_ = std::move(shadow); }
  // The entity data later decisions read; a front that reloads its entity
  // sources with the table passes them together (the HTTP front's SIGHUP).
  void set_entities(std::shared_ptr<const runtime::EntityResolver> entities) {
    config_.entities = entities;  // the previous resolver (its database pools) is let go now, not at session end
    enforcer_.set_entities(std::move(entities));
  }
  const runtime::Engine* shadow() const { return shadow_ ? &*shadow_ : nullptr; }
  std::size_t requests_in_flight() const { return pending_.size(); }

 private:
  enum class PendingKind { Plain, Initialize, List };
  struct Pending {
    PendingKind kind = PendingKind::Plain;
    ListKind list = ListKind::Tools;
    std::optional<runtime::Engine> engine;  // List: the table the request started with
  };

  std::int64_t now() const;
  void log(std::string_view line) const;
  void filter_list(std::string_view line, const Message& response, const Pending& pending, Routing& out);
  void note_server_capabilities(std::string_view result);

  SessionConfig config_;
  runtime::Engine engine_;
  std::optional<runtime::Engine> shadow_;
  Enforcer enforcer_;
  MessageReader client_reader_;
  MessageReader server_reader_;
  Message message_;  // reused
  using PendingMap = std::unordered_map<std::string, Pending>;
  void remember(std::string id_key, Pending pending);
  PendingMap pending_;
  // Nodes of answered requests, reused for the next ones so that a call
  // costs no allocation here; at most kSpareNodes are kept.
  std::vector<PendingMap::node_type> spare_nodes_;
  std::unordered_set<std::string> warned_undeclared_;
  bool server_lists_change_[3] = {false, false, false};  // tools, prompts, resources
  std::string scratch_;
};

}  // namespace authz::gateway
