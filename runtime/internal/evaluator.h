// evaluator.h — evaluates condition trees for one request. Private to the runtime.
//
// Contract: condition() returns True, False or Error; it never throws and
// never reads out of bounds on a validated table, whatever the request or
// entity data hold: every operand kind is checked at run time and a mismatch
// is an Error, as are absent values, missing entities, arithmetic overflow,
// invalid paths and a decision past kMaxQuantifierSteps quantifier bodies. error_message() describes the last Error without
// quoting entity data. explain() re-walks a condition to find the
// sub-expression that made it false (or, for `unless`, true) and the values
// on each side of it. One Evaluator serves one evaluate() call; the values it
// returns live until it is destroyed. Recursion depth is bounded by
// kMaxExpressionDepth (validated at load).
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/decision.h"
#include "runtime/engine.h"
#include "runtime/internal/engine_state.h"
#include "runtime/internal/operator_semantics.h"
#include "runtime/internal/small_vector.h"
#include "runtime/internal/path_match.h"

namespace authz::runtime::internal {

enum class Truth { False, True, Error };

class Evaluator {
 public:
  Evaluator(const EngineState& state, const PreparedRequest& request, const EntityResolver* entities);

  Truth condition(NodeIndex root);
  // The last error. For end users, an entity id that itself came from entity
  // data is left out (ids from the request are the user's own input).
  std::string error_message(bool for_end_user = false) const;
  // Fills out.expression / left / right for the sub-expression of `root`
  // that made it evaluate to `actual`.
  void explain(NodeIndex root, bool actual, RuleTrace& out);
  // Whether an entity source failed (EntityLookup::fail) during this
  // evaluation, and its message.
  bool source_failed() const { return !source_failure_.empty(); }
  const std::string& source_failure() const { return source_failure_; }

  // For partial evaluation (partial_symbolic.cpp): one node's value (false on an
  // evaluation error), and read access to what prepare() resolved.
  bool value(NodeIndex index, Value& out) { return eval(index, out); }
  // The element in a quantifier's slot (slot < kMaxBoundSlots): bind_element
  // puts element `i` of `list` there as the quantifier does (from entity data
  // when the list is); bind puts back a value bound() returned. Partial
  // evaluation of a quantifier over a known list uses them too.
  Value bound(std::uint32_t slot) const { return slot < bound_.size() ? bound_[slot] : Value(); }
  void bind(std::uint32_t slot, const Value& value) {
    if (slot < bound_.size()) bound_[slot] = value;
  }
  void bind_element(std::uint32_t slot, const Value& list, std::uint32_t i) {
    if (slot >= bound_.size()) return;
    bound_[slot] = list.items[i];
    bound_[slot].from_entity_data = bound_[slot].from_entity_data || list.from_entity_data;
  }
  struct PreparedView {
    const EngineState* engine;
    TargetIndex target;
    const std::vector<std::uint64_t>* roles;  // expanded role bitset
    std::string_view user_id;
  };
  static PreparedView view(const PreparedRequest& request) {
    return {request.engine_, request.target_, &request.roles_, request.principal_id_.string()};
  }

 private:
  enum class ErrorKind {
    None, AbsentValue, NoResolver, EntityNotFound, SourceFailed, EntityAttributeMissing, EntityAttributeType,
    UnknownArgument, TypeMismatch, Overflow, InvalidPath, QuantifierBudget,
  };
  struct Error {
    ErrorKind kind = ErrorKind::None;
    NodeIndex node = kNoIndex;
    std::string_view entity_type;
    std::string_view entity_id;
    bool entity_id_from_entity_data = false;
    std::string_view attribute;
    PathProblem path_problem = PathProblem::None;
    bool path_problem_in_base = false;
    ValueKind left = ValueKind::Absent;
    ValueKind right = ValueKind::Absent;
  };

  bool eval(NodeIndex index, Value& out);
  bool fail(ErrorKind kind, NodeIndex node);
  bool present(NodeIndex node, const Value& value);
  bool type_mismatch(NodeIndex node, const Value& left, const Value& right);
  bool argument(const CompiledNode& node, Value& out);
  bool member(NodeIndex index, const CompiledNode& node, const Value& object, Value& out);
  bool has(NodeIndex index, const CompiledNode& node, const Value& object, Value& out);
  bool quantifier(NodeIndex index, const CompiledNode& node, const NodeIndex* ops, Value& out);
  const Entity* find_entity(NodeIndex index, std::uint32_t schema, const Value& id);
  bool conform(const Value& raw, TypeIndex type, Value& out, int depth);
  // Records why an operator (operator_semantics.h) failed on this node; false.
  bool operator_error(OpStatus status, NodeIndex index, const Value& left, const Value& right,
                      const PathContainment& path);
  std::string node_text(NodeIndex index) const;

  const EngineState& state_;
  const PreparedRequest& request_;
  const EntityResolver* entities_;
  const Value* arguments_;
  std::span<const std::uint32_t> param_names_;
  Error error_;
  // Entities already looked up in this evaluation: rules on one target tend
  // to read the same argument's entity, and a lookup (two hashes in
  // JsonEntityStore, maybe a database call elsewhere) costs far more than
  // comparing a few ids.
  struct CachedEntity {
    std::uint32_t schema;
    std::string_view id;
    const Entity* entity;
  };
  static constexpr std::size_t kEntityCacheSize = 4;
  CachedEntity entity_cache_[kEntityCacheSize];
  std::size_t entity_cache_used_ = 0;
  std::size_t entity_cache_next_ = 0;
  // Answers that must not be asked for twice in one evaluation: not found,
  // a failed source, or an entity a resolver made on demand (EntityLookup
  // used). Allocates only when such an answer occurs.
  struct Answer {
    std::uint32_t schema;
    std::string_view id;
    const Entity* entity;  // null: not found or failed
    std::uint32_t failure;  // index into failures_ + 1; 0: none
  };
  SmallVector<Answer, 8> answers_;
  std::vector<std::string> failures_;
  EntityLookup lookup_;
  std::string source_failure_;  // the first failure's message
  std::uint32_t failure_index_ = 0;  // into failures_: the failure of the current error
  SmallVector<Value, 32> list_scratch_;
  std::array<Value, kMaxBoundSlots> bound_{};  // the quantifiers' elements, by slot (validated < kMaxBoundSlots)
  // Quantifier bodies evaluated so far by this evaluator (one decision). Nested quantifiers
  // multiply their lists' lengths, and the lists may come from the request: past
  // kMaxQuantifierSteps the quantifier errs (fails closed) instead of running on.
  std::uint32_t quantifier_steps_ = 0;
  std::vector<std::unique_ptr<Value[]>> converted_;  // entity collections converted to declared types
};

}  // namespace authz::runtime::internal
