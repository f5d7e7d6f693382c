// gateway_metrics.cpp — see gateway_metrics.h. Latency buckets run from
// 1 µs to 100 ms: decisions take 0.1–50 µs, a gateway adds 5–100 µs.
#include "tools/metrics/gateway_metrics.h"

namespace authz::metrics {
namespace {

std::vector<double> latency_buckets() {
  return {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 1e-2, 1e-1};
}

}  // namespace

GatewayMetrics::GatewayMetrics()
    : decisions_(registry_.counter("authz_decisions_total", "Decisions enforced, by method, effect and reason.",
                                   {"method", "effect", "reason"})),
      rule_decisions_(registry_.counter("authz_rule_decisions_total",
                                        "Decisions each rule or grant determined, by effect.", {"rule", "effect"})),
      shadow_decisions_(registry_.counter(
          "authz_shadow_decisions_total",
          "Decisions also made by the shadow policy: same effect, or what the shadow would change.", {"outcome"})),
      decision_duration_(registry_.histogram("authz_decision_duration_seconds",
                                             "Time to decide a request with the enforced policy.", {"method"},
                                             latency_buckets())),
      shadow_added_(registry_.histogram("authz_shadow_added_duration_seconds",
                                        "Time the shadow policy's decision added to a request.", {},
                                        latency_buckets())),
      added_latency_(registry_.histogram("authz_gateway_added_latency_seconds",
                                         "Latency the gateway added to a request, as its front measured it.", {"front"},
                                         latency_buckets())),
      audit_failures_(registry_.counter("authz_audit_write_failures_total",
                                        "Audit records that could not be written (each call was refused).")),
      reloads_(
          registry_.counter("authz_policy_reloads_total", "Table reloads, by table and result.", {"table", "result"})),
      sessions_active_(registry_.gauge("authz_sessions_active", "Sessions open now.", {"front"})),
      sessions_total_(registry_.counter("authz_sessions_total", "Sessions opened.", {"front"})),
      token_failures_(
          registry_.counter("authz_token_validation_failures_total", "Access tokens refused, by cause.", {"cause"})) {}

void GatewayMetrics::on_decision(const gateway::DecisionEvent& event) {
  if (event.audited) {
    decisions_.child(event.method, event.effect, event.reason).inc();
    for (std::string_view rule : event.rules) rule_decisions_.child(rule, event.effect).inc();
  } else {
    // The record could not be written, so the call was refused whatever the
    // policy said: counted as what was enforced.
    decisions_.child(event.method, "deny", "audit_unavailable").inc();
  }
  decision_duration_.child(event.method).observe_ns(event.evaluation_ns);
  if (!event.shadow) return;
  switch (*event.shadow) {
    case runtime::ShadowChange::Same: shadow_decisions_.child("same").inc(); break;
    case runtime::ShadowChange::NewlyAllowed: shadow_decisions_.child("newly_allowed").inc(); break;
    case runtime::ShadowChange::NewlyDenied: shadow_decisions_.child("newly_denied").inc(); break;
  }
  shadow_added_.child().observe_ns(event.shadow_ns);
}

void GatewayMetrics::on_audit_failure() { audit_failures_.child().inc(); }

void GatewayMetrics::on_reload(std::string_view table, bool ok) { reloads_.child(table, ok ? "ok" : "refused").inc(); }

void GatewayMetrics::session_started(std::string_view front) {
  sessions_active_.child(front).add(1);
  sessions_total_.child(front).inc();
}
void GatewayMetrics::session_ended(std::string_view front) { sessions_active_.child(front).add(-1); }
void GatewayMetrics::token_failure(std::string_view cause) { token_failures_.child(cause).inc(); }
void GatewayMetrics::observe_added_latency(std::string_view front, std::int64_t ns) {
  added_latency_.child(front).observe_ns(ns);
}

}  // namespace authz::metrics
