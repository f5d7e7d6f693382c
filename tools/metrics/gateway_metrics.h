// gateway_metrics.h — the gateway's metrics: a DecisionObserver
// (tools/gateway/decision_observer.h) that the shared enforcement core and
// the relay call, plus the hooks a front calls itself, all counted in one
// Registry whose render() is what `/metrics` serves.
//
// Contract: the metric names, labels and units below are the interface
// (docs/metrics.md); every method is thread-safe and never throws except on
// memory exhaustion. Label values come only from fixed sets (methods,
// effects, reasons, causes the caller names) and from the table's rule ids,
// never from a request, so their number stays bounded.
//   authz_decisions_total{method,effect,reason}            counter (as enforced: a decision
//                                                          whose record could not be written
//                                                          is deny / audit_unavailable)
//   authz_rule_decisions_total{rule,effect}                counter (determining rules)
//   authz_shadow_decisions_total{outcome}                  counter: same | newly_allowed | newly_denied
//   authz_decision_duration_seconds{method}                histogram (the enforced decision)
//   authz_shadow_added_duration_seconds                    histogram (what the shadow added)
//   authz_gateway_added_latency_seconds{front}             histogram (observe_added_latency)
//   authz_audit_write_failures_total                       counter
//   authz_policy_reloads_total{table,result}               counter: policy | shadow, ok | refused
//   authz_sessions_active{front}, authz_sessions_total{front}   gauge, counter
//   authz_token_validation_failures_total{cause}           counter (token_failure)
#pragma once

#include <string_view>

#include "tools/gateway/decision_observer.h"
#include "tools/metrics/registry.h"

namespace authz::metrics {

class GatewayMetrics final : public gateway::DecisionObserver {
 public:
  GatewayMetrics();

  void on_decision(const gateway::DecisionEvent& event) override;
  void on_audit_failure() override;
  void on_reload(std::string_view table, bool ok) override;

  void session_started(std::string_view front);
  void session_ended(std::string_view front);
  // `cause`: a short fixed word, e.g. "expired", "bad_signature", "unknown_key".
  void token_failure(std::string_view cause);
  void observe_added_latency(std::string_view front, std::int64_t ns);

  const Registry& registry() const { return registry_; }
  std::string render() const { return registry_.render(); }

 private:
  Registry registry_;
  Family<Counter>& decisions_;
  Family<Counter>& rule_decisions_;
  Family<Counter>& shadow_decisions_;
  Family<Histogram>& decision_duration_;
  Family<Histogram>& shadow_added_;
  Family<Histogram>& added_latency_;
  Family<Counter>& audit_failures_;
  Family<Counter>& reloads_;
  Family<Gauge>& sessions_active_;
  Family<Counter>& sessions_total_;
  Family<Counter>& token_failures_;
};

}  // namespace authz::metrics
