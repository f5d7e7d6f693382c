// decision_observer.h — what the shared enforcement core reports as it works,
// for metrics (tools/metrics/gateway_metrics.h implements it) or anything else
// that watches a gateway. The core never depends on who listens.
//
// Contract: the Enforcer calls on_decision once per decision it records (after
// the audit append, successful or not: `audited` says which) and
// on_audit_failure when the append fails; the stdio relay loop and the HTTP
// front's reload call on_reload for every reload attempt of the policy or the
// shadow table. A front calls the
// rest (sessions, token failures, added latency) itself. Implementations must
// be thread-safe (the HTTP front decides on several threads) and must not
// throw. Views in DecisionEvent are valid only during the call.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "runtime/shadow.h"

namespace authz::gateway {

// Nanoseconds of the steady clock since `since`: how every duration reported here is taken.
inline std::int64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since).count();
}

struct DecisionEvent {
  std::string_view method;                  // "tools/call", "resources/read", ...
  std::string_view effect;                  // "allow" | "deny" (as enforced)
  std::string_view reason;                  // "allowed", "forbidden", ...
  std::span<const std::string_view> rules;  // the determining rules
  std::int64_t evaluation_ns = 0;           // the enforced decision's time
  std::int64_t shadow_ns = 0;               // time the shadow decision added (0 without one)
  std::optional<runtime::ShadowChange> shadow;  // the shadow's verdict against it; none without a shadow
  bool audited = true;
};

class DecisionObserver {
 public:
  virtual ~DecisionObserver() = default;
  virtual void on_decision(const DecisionEvent& event) = 0;
  virtual void on_audit_failure() = 0;
  // `table`: "policy" or "shadow".
  virtual void on_reload(std::string_view table, bool ok) = 0;
};

}  // namespace authz::gateway
