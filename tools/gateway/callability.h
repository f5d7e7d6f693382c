// callability.h — "could this user call / read / get this target at all?",
// the question behind list filtering and the choice between a JSON-RPC
// error and an isError tool result.
//
// Contract: true iff, with every argument unknown and at `now`, some allow
// or grant could still apply and no deny applies whatever the arguments
// (runtime/partial_eval.h, may_call_at_all). Unknown targets are false.
#pragma once

#include <cstdint>
#include <string_view>

#include "runtime/engine.h"

namespace authz::gateway {

bool could_call(const runtime::Engine& engine, const runtime::Principal& principal, runtime::MethodKind method,
                std::string_view target, std::int64_t now_ms, const runtime::EvaluateOptions& options);

}  // namespace authz::gateway
