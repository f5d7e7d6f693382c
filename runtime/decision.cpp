// decision.cpp — names of reasons and outcomes, decision ids as hex, and
// Decision::clear (which keeps vector capacity for reuse).
#include "runtime/decision.h"

namespace authz::runtime {

const char* to_string(Reason reason) {
  switch (reason) {
    case Reason::Allowed: return "allowed";
    case Reason::Forbidden: return "forbidden";
    case Reason::NotPermitted: return "not_permitted";
    case Reason::UnknownTarget: return "unknown_target";
    case Reason::InvalidArguments: return "invalid_arguments";
    case Reason::Expired: return "expired";
    case Reason::Error: return "error";
  }
  return "error";
}

const char* to_string(RuleOutcome outcome) {
  switch (outcome) {
    case RuleOutcome::Applied: return "applied";
    case RuleOutcome::SubjectMismatch: return "subject mismatch";
    case RuleOutcome::NotYetInForce: return "not yet in force";
    case RuleOutcome::Expired: return "expired";
    case RuleOutcome::ConditionFalse: return "condition false";
    case RuleOutcome::UnlessHeld: return "exception holds";
    case RuleOutcome::ConditionError: return "condition error";
    case RuleOutcome::NotEvaluated: return "not evaluated";
  }
  return "?";
}

std::string DecisionId::hex() const {
  std::string out;
  hex(out);
  return out;
}

void DecisionId::hex(std::string& out) const {
  static constexpr char kDigits[] = "0123456789abcdef";
  out.assign(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[static_cast<std::size_t>(15 - i)] = kDigits[(high >> (4 * i)) & 0xF];
    out[static_cast<std::size_t>(31 - i)] = kDigits[(low >> (4 * i)) & 0xF];
  }
}

void Decision::clear() {
  effect = Effect::Deny;
  reason = Reason::NotPermitted;
  target = {};
  target_kind = TargetKind::Tool;
  target_index = kNoIndex;
  determining_rules.clear();
  obligations.clear();
  message.clear();
  id = {};
  trace.reset();
}

}  // namespace authz::runtime
