// decision.h — what an evaluation answers: effect, reason, the rules that
// decided, obligations, a unique id and (on request) an explanation trace.
//
// Contract: string_views and Values in a Decision point into the loaded
// table of the Engine that produced it (rule ids, target names, obligation
// arguments); the Decision holds a reference to that table, so they stay
// valid as long as the Decision does, even after the Engine is gone. A
// Decision can be reused across evaluations: Engine::evaluate(prepared,
// options, decision) clears it but keeps its vectors' capacity (and touches
// the table reference only when the engine changes), so the common path
// allocates nothing.
// Renderings of a Decision (text for operators and end users, JSON) are in
// trace_render.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/table_model.h"
#include "runtime/value.h"

namespace authz::runtime {

enum class Reason : std::uint8_t {
  Allowed,           // an allow rule or grant applies and no deny does
  Forbidden,         // a deny rule applies
  NotPermitted,      // nothing allows it (default deny)
  UnknownTarget,     // no such tool / resource / prompt in the policy
  InvalidArguments,  // the arguments do not fit the target's declared params
  Expired,           // an allow or grant would apply but is outside its window
  Error,             // a deny rule's condition failed to evaluate, an entity source failed
                     // (EntityLookup::fail) and nothing allowed, or bad input
};

// "allowed", "forbidden", "not_permitted", "unknown_target",
// "invalid_arguments", "expired", "error".
const char* to_string(Reason reason);

// 128 bits, unique per decision of an engine, unpredictable across engines.
struct DecisionId {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  std::string hex() const;  // 32 lowercase hex digits
  void hex(std::string& out) const;  // the same, into `out` (replaced; no allocation once it has room)
  friend bool operator==(const DecisionId&, const DecisionId&) = default;
};

struct ObligationArgument {
  std::string_view name;
  Value value;           // a constant from the policy
  std::string_view json; // the value as JSON: 5, "owner", true
};

struct AppliedObligation {
  std::string_view rule;  // the allow rule that carries it
  std::string_view name;  // the obligation, e.g. aggregate_only
  std::span<const ObligationArgument> arguments;  // in declared order
};

// ---- explanation trace -------------------------------------------------------

enum class RuleOutcome : std::uint8_t {
  Applied,          // in force, subject matched, conditions held
  SubjectMismatch,  // the user is none of the rule's subjects
  NotYetInForce,    // now < from
  Expired,          // now >= until
  ConditionFalse,   // `when` was false
  UnlessHeld,       // `unless` was true
  ConditionError,   // a condition failed to evaluate (see detail)
  NotEvaluated,     // a deny already decided
};
const char* to_string(RuleOutcome outcome);  // "applied", "subject mismatch", ...

struct TraceValue {
  std::string text;               // as the language writes it: "u-carol", 2026-12-01T00:00:00Z
  std::string json;               // as JSON: "u-carol", "2026-12-01T00:00:00Z"
  bool from_entity_data = false;  // hidden from end users
};

struct RuleTrace {
  std::string_view rule;          // rule or grant id
  bool is_grant = false;
  Effect effect = Effect::Allow;  // grants are allows
  std::string_view file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  RuleOutcome outcome = RuleOutcome::Applied;
  // SubjectMismatch: the roles the rule needs, none of which the user holds.
  std::vector<std::string_view> missing_roles;
  bool names_users = false;       // SubjectMismatch: the rule also lists user ids
  std::string clause;             // "when" / "unless" for condition outcomes
  std::string expression;         // the sub-expression that decided (source text)
  std::optional<TraceValue> left, right;  // its operands' values, when it has two
  std::string_view operator_text;          // between left and right: "==", "in", ...
  std::string error;              // ConditionError: what went wrong (no entity values)
  std::string error_for_end_user; // the same, without entity ids read from entity data
  std::string window;             // NotYetInForce / Expired: the bound that failed
};

struct Trace {
  std::string principal;             // the user's id
  std::vector<std::string> roles;    // the user's roles as given
  std::vector<RuleTrace> rules;      // in evaluation order: denies, then allows, then grants
};

// ---- the decision ----------------------------------------------------------------

struct Decision {
  Effect effect = Effect::Deny;
  Reason reason = Reason::NotPermitted;
  std::string_view target;  // the target's name; empty when unknown
  TargetKind target_kind = TargetKind::Tool;
  TargetIndex target_index = kNoIndex;  // into the deciding Engine's model().targets; kNoIndex when unknown
  // Allowed: the allows and grants that apply. Forbidden: the denies that
  // apply. Error: the deny rules whose condition failed. Expired: the allows
  // and grants outside their window. Otherwise empty.
  std::vector<std::string_view> determining_rules;
  std::vector<AppliedObligation> obligations;  // from every applying allow, in rule order
  // Why, for invalid_arguments / unknown_target / error; else empty. Safe to
  // show the user who made the call (no values read from entity data).
  std::string message;
  DecisionId id;
  std::optional<Trace> trace;

  bool allowed() const { return effect == Effect::Allow; }
  void clear();  // back to a default-deny Decision, keeping capacity

 private:
  friend class Engine;
  std::shared_ptr<const void> table_;  // keeps the views above valid
};

}  // namespace authz::runtime
