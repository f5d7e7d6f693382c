// role_residual.h — a rule condition with what is known about the caller's
// roles folded in, for the permission documentation.
//
// Contract: simplify_condition rewrites one condition of a Model (a Bool node)
// for a caller whose roles are either known exactly (a role row of the
// matrix: the role plus everything it inherits) or not known at all (a user
// named by a grant: `user is X` stays as written). `user is X`, Bool literals
// and the `&&` / `||` / `!` around them fold to true or false; everything
// else (arguments, entity and principal attributes, `now`) stays symbolic.
// The result is exactly the original condition under that knowledge (it only
// folds constants), so "False" means the condition can never hold for such a
// caller and "True" that it always holds. render_condition prints a residual
// the way the language writes it, parenthesised where precedence needs it.
// Safe on any Model: bad indices and over-deep trees stay symbolic (printed
// as table_dump prints them), never read out of bounds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/table_model.h"

namespace authz::permission_doc {

// What the caller's roles are: exactly `held` (every role it holds, inherited
// ones included), or unknown.
struct RoleKnowledge {
  std::optional<runtime::RoleSet> held;  // nullopt: unknown
};

struct ConditionResidual {
  enum class Kind { True, False, Leaf, And, Or, Not };
  Kind kind = Kind::True;
  runtime::NodeIndex node = runtime::kNoIndex;  // Leaf: the Model node left as it is
  std::vector<ConditionResidual> operands;      // And / Or (>= 2), Not (1)

  bool is_true() const { return kind == Kind::True; }
  bool is_false() const { return kind == Kind::False; }
};

// `root == kNoIndex` (no condition) is True.
ConditionResidual simplify_condition(const runtime::Model& model, runtime::NodeIndex root, const RoleKnowledge& roles);

// "true", "false", or the expression (`args.account.owner == user.id || user is support`).
std::string render_condition(const runtime::Model& model, const ConditionResidual& condition);

// Structural equality of two residuals over (possibly different) Models:
// leaves compare by their rendered text.
bool same_condition(const runtime::Model& model_a, const ConditionResidual& a, const runtime::Model& model_b,
                    const ConditionResidual& b);

}  // namespace authz::permission_doc
