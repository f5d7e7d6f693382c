// shadow.h — decide one request with two policies at once: the primary, which
// is enforced, and a shadow (a candidate policy being rolled out), which is
// only recorded. The "what would the new policy have refused" of a rollout.
//
// Contract: ShadowEvaluator::evaluate() decides `request` with `primary`
// into `primary_out` exactly as primary.evaluate() would (the caller enforces
// only that), and with `shadow` into `shadow_out`. The two decisions are
// independent: each engine prepares the request itself (its own target and
// argument validation), so a shadow that does not declare the target, or
// types an argument differently, says so in its own decision without
// touching the primary's. The evaluator keeps one PreparedRequest per engine
// and reuses them, so deciding the same principal again pays for its
// attributes once per engine (engine.h). Never throws; not thread-safe (one
// evaluator per thread; the engines themselves are shared freely).
// disagree() is true when the effects differ: the shadow would newly allow
// (primary deny, shadow allow) or newly deny (primary allow, shadow deny).
// For audit records see set_audit_shadow() in audit_log.h.
#pragma once

#include "runtime/decision.h"
#include "runtime/engine.h"

namespace authz::runtime {

enum class ShadowChange : std::uint8_t { Same, NewlyAllowed, NewlyDenied };

inline ShadowChange shadow_change(const Decision& primary, const Decision& shadow) {
  if (primary.effect == shadow.effect) return ShadowChange::Same;
  return shadow.allowed() ? ShadowChange::NewlyAllowed : ShadowChange::NewlyDenied;
}

class ShadowEvaluator {
 public:
  void evaluate(const Engine& primary, const Engine& shadow, const Request& request, const EvaluateOptions& options,
                Decision& primary_out, Decision& shadow_out);

  // The requests as last prepared (e.g. to trace a refusal afterwards).
  const PreparedRequest& primary_prepared() const { return primary_; }
  const PreparedRequest& shadow_prepared() const { return shadow_; }

 private:
  PreparedRequest primary_;
  PreparedRequest shadow_;
};

}  // namespace authz::runtime
