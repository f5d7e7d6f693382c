// never_holds.h — does a rule's condition contradict itself?
//
// Contract: never_holds looks at `when E` and `unless U` together as the
// conjunction E && !U, split into its &&-ed parts (through `!`, and `||`
// under a negation), and returns why no request can satisfy it, or nullopt
// when it found no contradiction. It is sound but incomplete: every reported
// contradiction is real (for every request where the condition evaluates);
// it detects only these forms, on structurally equal operands:
//   `false` (or `unless true`); `x in []`; `P` together with `!P`;
//   `x == a` with `x == b` (different constants) or with `x != a`;
//   `x == a` with `x in [...]` not holding `a`, or two constant `in` lists
//   with nothing in common; and Int/Timestamp/Duration bounds (`<`, `<=`,
//   `>`, `>=` against constants, and `==`) that leave an empty range.
#pragma once

#include <optional>
#include <string>

#include "compiler/ast.h"

namespace authz::lint {

std::optional<std::string> never_holds(const ast::Expr* when, const ast::Expr* unless);

}  // namespace authz::lint
