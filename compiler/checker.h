// checker.h — name resolution and type checking over a loaded Program.
// (Being written: the CheckedPolicy shape is defined by the checker.)
#pragma once

#include <memory>

#include "compiler/diagnostics.h"
#include "compiler/loader.h"

namespace authz {

struct CheckedPolicy;

// Resolves names, checks types and policy-level rules, reporting every
// problem into `sink`. Returns the checked policy even when there were errors
// (callers must not lower a policy whose sink has errors).
std::unique_ptr<CheckedPolicy> check_program(Program program, DiagnosticSink& sink);

}  // namespace authz
