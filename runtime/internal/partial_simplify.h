// partial_simplify.h — building and simplifying residual trees (partial_eval.h's
// ResidualNode), and Value views of owned ResidualValues. Private to the
// runtime: the partial evaluator's steps (partial_eval.cpp,
// partial_symbolic.cpp, partial_render.cpp, partial_interpret.cpp) share them.
//
// Contract:
//   - The make_* builders return simplified trees: constants folded,
//     true/false absorbed, `!!x` -> x, And/Or flattened, duplicates and
//     complementary pairs removed (`a || (!a && b)` -> `a || b`). They never
//     change what a tree means (the residual's two-valued semantics).
//   - total(term): the term cannot fail (no unknown in it may be absent, no
//     arithmetic), so its comparisons' negation is plain `!`.
//   - polish(): the final rewrite for readers, `!(a == b)` over terms that
//     cannot fail -> `a != b`; meaning unchanged.
//   - ValueViews::view: a Value over a ResidualValue (for value_ops and the
//     text layer), valid while both the views object and the value live.
#pragma once

#include <deque>
#include <vector>

#include "runtime/partial_eval.h"
#include "runtime/value.h"

namespace authz::runtime::internal {

// Builds Value views over ResidualValues; the views live as long as this
// object and the ResidualValues they were built from.
class ValueViews {
 public:
  Value view(const ResidualValue& value);

 private:
  std::deque<std::vector<Value>> blocks_;
};

// ---- nodes ---------------------------------------------------------------------------

inline ResidualNode leaf(ResidualOp op) {
  ResidualNode node;
  node.op = op;
  return node;
}
inline ResidualNode boolean(bool value) { return leaf(value ? ResidualOp::True : ResidualOp::False); }
inline bool is_true(const ResidualNode& node) { return node.op == ResidualOp::True; }
inline bool is_false(const ResidualNode& node) { return node.op == ResidualOp::False; }

ResidualNode constant_node(ResidualValue value);
ResidualNode unknown_node(UnknownRef ref);
// Operands are moved in (an initializer list would copy whole subtrees).
ResidualNode with_child(ResidualOp op, ResidualNode child);
ResidualNode with_children(ResidualOp op, ResidualNode left, ResidualNode right);
ResidualNode with_children(ResidualOp op, std::vector<ResidualNode> children);

// A term that cannot fail: no unknown in it may be absent, no arithmetic.
bool total(const ResidualNode& term);

// ---- operators -----------------------------------------------------------------------

// The comparison that holds exactly when `op`'s relation does not (when both
// operands evaluate): Eq <-> Ne, Lt <-> Ge, Le <-> Gt, X <-> NotX. Other ops unchanged.
ResidualOp negated(ResidualOp op);
bool is_comparison(ResidualOp op);
// `not in`, `not under`, ...: the negative forms with no operator of their own.
bool is_negative_form(ResidualOp op);

// ---- simplifying builders ------------------------------------------------------------

ResidualNode make_not(ResidualNode operand);
ResidualNode make_and(std::vector<ResidualNode> operands);
ResidualNode make_or(std::vector<ResidualNode> operands);
ResidualNode make_and(ResidualNode a, ResidualNode b);
ResidualNode make_or(ResidualNode a, ResidualNode b);
// `x in []` folds to false; `x not in []` to true when x cannot fail.
ResidualNode make_comparison(ResidualOp op, ResidualNode left, ResidualNode right);
// The final polish for readers: `!(a == b)` over operands that cannot fail is `a != b`.
ResidualNode polish(ResidualNode node);

}  // namespace authz::runtime::internal
