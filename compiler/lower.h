// lower.h — a checked policy into the runtime's decision table (Model).
//
// Contract: lower() takes a CheckedPolicy whose check reported no errors and
// returns the Model that `authzc build` serialises: roles with inheritance
// expanded into bitsets, every tool/resource/prompt with its typed
// parameters, rules and grants indexed per target (groups, `read` and `write`
// already expanded by the checker), conditions as a flat node array (children
// before parents), obligations with constant arguments, and per-rule metadata
// (id, doc, file:line:column) for traces. Deterministic: the same sources give
// the same Model, hence the same table bytes and policy hash. Never throws
// for a policy that checked clean; anything it cannot express is a bug and is
// reported through the returned string.
#pragma once

#include <string>
#include <variant>

#include "compiler/checker.h"
#include "compiler/source.h"
#include "runtime/table_model.h"

namespace authz {

struct LowerResult {
  runtime::Model model;
  std::string internal_error;  // empty on success
  bool ok() const { return internal_error.empty(); }
};

LowerResult lower(const CheckedPolicy& policy, const SourceManager& sources);

}  // namespace authz
