// table_dump.h — the canonical text form of a Model (`authzc dump`).
//
// Contract: deterministic (a function of the Model only; no addresses, no
// hash-map order), one declaration per block in Model order, conditions
// printed as expressions rebuilt from the node tree (with the parentheses
// precedence needs), constants as the language writes them. Safe on Models
// that fail validation: bad indices print as `?` and never read out of
// bounds. Golden tests compare this text; reviewers read it.
#pragma once

#include <string>

#include "runtime/table_model.h"

namespace authz::runtime {

std::string dump(const Model& model);
// One condition, as dump prints it (`args.account.owner == user.id`).
std::string dump_expression(const Model& model, NodeIndex root);
// One constant, as the language writes it (`"x"`, `5`, `[admin, rep]`).
std::string dump_constant(const Model& model, ConstantIndex constant);

// The name a quantifier binds (All / Any / Bound), as the source wrote it;
// a table without one names the slot (`x0`).
std::string bound_name(const Node& node);

}  // namespace authz::runtime
