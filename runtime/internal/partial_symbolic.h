// partial_symbolic.h — symbolic evaluation of one prepared request's
// conditions, for partial evaluation. Private to the runtime
// (partial_eval.cpp drives it; partial_symbolic.cpp implements it).
//
// Contract:
//   - SymbolicEvaluator::condition(root) returns two total residual
//     conditions for a Bool condition root: T (it evaluates to true) and F (it
//     evaluates to false), with evaluate()'s semantics for every value of the
//     unknown parameters; it errs exactly when neither holds.
//   - A node that reads neither an unknown parameter nor the element of a
//     quantifier over an unknown list is evaluated by the runtime's own
//     Evaluator (same code, same errors, same entity lookups, in the same
//     order). Other nodes become residual terms and formulas (see
//     partial_symbolic.cpp).
//   - What it does not model (partial_eval.h lists it), and any residual
//     larger than kMaxResidualNodes, is treated as an evaluation error of
//     that condition and clears exact(); it never throws.
//   - One SymbolicEvaluator serves one partial evaluation: it holds
//     references to the engine state, the Evaluator and the target, which
//     must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/internal/engine_state.h"
#include "runtime/internal/evaluator.h"
#include "runtime/partial_eval.h"
#include "runtime/table_model.h"

namespace authz::runtime::internal {

// Residuals larger than this are not built: a condition nesting && and ||
// over values that may be absent doubles at each level, and a policy must
// not be able to stall the host. Past the limit the condition is treated as
// an evaluation error (fail closed; Residual::exact is false).
inline constexpr std::size_t kMaxResidualNodes = 4096;

// What a node evaluates to.
struct Symbolic {
  enum class Kind { Known, Failed, Term, Formula };
  Kind kind = Kind::Failed;
  Value value;        // Known
  ResidualNode term;  // Term
  ResidualNode when_true, when_false;  // Formula: total conditions for "true" / "false"
  // Formula: it never errs (when_false is then !when_true). Keeps nested
  // &&/|| linear: only formulas that can err need both sides spelt out.
  bool cannot_err = false;
};

class SymbolicEvaluator {
 public:
  // unknown_params: per parameter of `target`, whether its value is unknown.
  SymbolicEvaluator(const EngineState& state, Evaluator& evaluator, const std::vector<bool>& unknown_params,
                    const Target& target);

  // False once a construct was not modelled (see the contract).
  bool exact() const { return exact_; }

  // T / F of a condition root; an absent clause is given by the caller.
  std::pair<ResidualNode, ResidualNode> condition(NodeIndex root);

 private:
  Symbolic unsupported();
  bool is_optional(TypeIndex type) const { return type < model_.types.size() && model_.types[type].optional; }
  TypeIndex parameter_type(const std::string& name) const;

  Symbolic to_formula(Symbolic value);
  std::optional<ResidualNode> to_term(Symbolic&& value, bool& unsupported_operand);
  bool binary_terms(const Node& node, std::optional<ResidualNode>& left, std::optional<ResidualNode>& right,
                    Symbolic& failure);

  Symbolic eval(NodeIndex index);
  Symbolic eval_node(NodeIndex index);
  Symbolic comparison(const Node& node);
  Symbolic arithmetic(const Node& node);
  Symbolic list_literal(const Node& node);
  Symbolic equality(const Node& node);
  Symbolic junction(const Node& node);
  Symbolic quantifier(const Node& node);
  Symbolic residual_quantifier(const Node& node, ResidualNode list);
  template <typename Operand>
  Symbolic chain(bool conjunction, std::size_t count, Operand operand);
  Symbolic member_or_has(const Node& node);

  const Model& model_;
  Evaluator& evaluator_;
  const Target& target_;
  std::vector<bool> depends_;
  std::vector<std::uint8_t> reads_bound_;  // per node: the quantifier slots it reads
  std::uint8_t symbolic_slots_ = 0;        // slots bound to an unknown list's element
  bool exact_ = true;
};

}  // namespace authz::runtime::internal
