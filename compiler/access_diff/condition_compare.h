// condition_compare.h — is a new residual condition looser or tighter than
// the old one?
//
// Contract: compare_conditions looks for values of the unknowns where the new
// condition holds and the old one does not (a widening witness) and the
// reverse (a narrowing witness), by evaluating both residuals
// (runtime::residual_holds) over candidate values built from the constants
// the two conditions mention (each string constant plus a fresh string; each
// integer constant and its neighbours; true/false; absent for optional
// unknowns; small sets of the constants for set-valued unknowns). A witness
// found is a proof. The search is `exhaustive` when every unknown is a
// scalar compared only with constants by ==, !=, <, <=, >, >=, in, has (the
// candidates then cover every case) and the product of candidates is at most
// kMaxAssignments; otherwise a missing witness proves nothing, and callers
// must treat "not found" as "don't know" (fail safe: widening).
// Never throws; deterministic.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "runtime/partial_eval.h"

namespace authz::access_diff {

inline constexpr std::size_t kMaxAssignments = 20000;

struct ConditionComparison {
  bool widening_found = false;   // some values: new holds, old does not
  bool narrowing_found = false;  // some values: old holds, new does not
  bool exhaustive = false;       // no witness = none exists
  std::string widening_witness;  // "account.team = \"west\", region absent"
  std::string narrowing_witness;
};

ConditionComparison compare_conditions(const runtime::ResidualNode& old_condition,
                                       const runtime::ResidualNode& new_condition,
                                       const std::vector<runtime::UnknownRef>& unknowns);

}  // namespace authz::access_diff
