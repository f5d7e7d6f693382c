// relay_loop.h — the gateway's I/O: one poll(2) loop between the client
// (stdin/stdout), the server (the child's pipes), signals and a periodic
// timerfd for the policy file check; in the steady state it waits without a
// timeout.
//
// Contract:
//   - Bytes are framed into lines (line_framer.h) and every line goes
//     through the Session; what the Session forwards is written as the
//     original bytes plus '\n'. Nothing else is ever written to stdout;
//     diagnostics go to stderr through `log`. All four descriptors are
//     non-blocking and written with output queues, so a slow reader on one
//     side never blocks the other direction.
//   - Reload: SIGHUP, or a change of the policy file (checked every
//     `reload_check_ms`), loads the table again; a table that does not load
//     is refused with a line on stderr and the old one stays (with trusted
//     keys, so is one that is unsigned or whose signature does not verify).
//     The shadow table (shadow_path) is watched and reloaded the same way,
//     independently of the policy.
//   - Lifecycle: when the child exits, its remaining output is relayed and
//     run_relay returns its exit code (128 + signal when a signal ended it).
//     On client EOF (or SIGTERM / SIGINT to the gateway) the child's stdin
//     is closed; if the child is still running `shutdown_grace_ms` later it
//     gets SIGTERM, and SIGKILL after another grace period.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <cstddef>
#include <string>

#include "tools/gateway/child_process.h"
#include "tools/gateway/decision_observer.h"
#include "tools/gateway/session.h"

namespace authz::gateway {

struct RelayOptions {
  std::string policy_path;  // watched for changes; empty: not watched
  std::string shadow_path;   // the shadow table, reloaded like the policy; empty: none
  runtime::TrustedKeys trusted_keys;     // non-empty: a reloaded table must be signed by one of them
  DecisionObserver* observer = nullptr;  // told about every reload attempt
  int shutdown_grace_ms = 2000;
  std::size_t max_client_message_bytes = 4u << 20;
  std::size_t max_server_message_bytes = 64u << 20;
  int reload_check_ms = 500;
  int client_in = 0;
  int client_out = 1;
  // Asked before a reloaded policy replaces the current one: a message
  // refuses it (the current one stays), like a table that does not load.
  // The entity sources re-check their queries here. Null: every table that loads is taken.
  std::function<std::optional<std::string>(const runtime::Engine&)> accept_policy;
};

int run_relay(Session& session, const ChildProcess& child, const RelayOptions& options, const LogFunction& log);

}  // namespace authz::gateway
