// model_validation.h — every rule a Model must obey before it is evaluated.
//
// Contract: find_model_error returns nullopt for a well-formed Model, or one
// message naming the first problem found (lowercase, names in backticks). A
// well-formed Model can be evaluated without any out-of-range index, cycle or
// unbounded recursion: every index points into its vector; types, constants
// and nodes only refer to earlier entries (so they are acyclic); expressions
// may share nodes (a DAG), but written out as trees they are at most
// kMaxExpressionDepth deep and kMaxExpressionNodes large, so evaluating one
// takes bounded time; constants nest at most kMaxConstantDepth;
// role bitsets are canonical and inheritance is transitively closed; names
// are unique where lookups need them; target rule lists are ascending;
// resources' params are their template variables; conditions are Bool.
// It does not re-run the type checker: operand kinds are checked at run time
// and a mismatch is an evaluation error.
#pragma once

#include <optional>
#include <string>

#include "runtime/table_model.h"

namespace authz::runtime {

inline constexpr unsigned kMaxExpressionDepth = 256;
inline constexpr unsigned kMaxExpressionNodes = 1u << 20;
inline constexpr unsigned kMaxConstantDepth = 64;

std::optional<std::string> find_model_error(const Model& model);

}  // namespace authz::runtime
