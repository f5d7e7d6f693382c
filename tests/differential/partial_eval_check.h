// partial_eval_check.h — the differential check of partial evaluation
// (runtime/partial_eval.h): for a concrete request that evaluate() decided,
// leave some of its arguments unknown, partially evaluate, substitute the
// concrete values back into the residual, and compare with the decision.
//
// Contract: check_partial_evaluation returns "" when consistent, else a
// description of the disagreement. What must hold, for every request whose
// arguments are valid (others are skipped):
//   - NeverAllowed never coexists with an allowed decision;
//   - AlwaysAllowed never coexists with a denied one, and a Conditional
//     residual holds exactly when the call is allowed — both when the
//     residual's assumption (partial_eval.h: entities reached through an
//     unknown exist and their attributes have their declared types) holds for
//     the request's entity data; when it does not, the request is counted as
//     skipped for these two;
//   - may_call_at_all agrees with the all-unknown residual's kind;
//   - an inexact residual (Residual::exact false) may only deny more: it
//     holds only when the call is allowed.
// Variants per request: every parameter unknown, and one parameter unknown
// (chosen by `variant`). Counters are kept for the summary line.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/engine.h"

namespace authz::differential {

struct PartialCheckCounters {
  std::uint64_t checked = 0;      // residuals compared with a decision
  std::uint64_t conditional = 0;  // of which Conditional
  std::uint64_t skipped = 0;      // assumption violated by the entity data (NeverAllowed still checked)
  std::uint64_t inexact = 0;
};

std::string check_partial_evaluation(const runtime::Engine& engine, const runtime::Request& request,
                                     const runtime::EvaluateOptions& options, const runtime::Decision& decision,
                                     std::uint64_t variant, PartialCheckCounters& counters);

}  // namespace authz::differential
