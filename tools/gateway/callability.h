// callability.h — "could this user call / read / get this target at all?",
// the question behind list filtering, completion/complete and the choice
// between a JSON-RPC error and an isError tool result.
//
// Contract:
//   could_call: true iff, with every argument unknown and at `now`, some
//     allow or grant could still apply and no deny applies whatever the
//     arguments (runtime/partial_eval.h, may_call_at_all). Unknown targets
//     are false.
//   may_list: whether a list response keeps the entry `key` for this user,
//     the one rule for "may this user see / use this entry":
//       tools, prompts  (key: name)         could_call
//       resource templates (key: uriTemplate) could_call over the template,
//                         its variables unknown
//       resources (key: uri)                evaluate() of reading that URI
//     Undeclared targets are false.
#pragma once

#include <cstdint>
#include <string_view>

#include "runtime/engine.h"
#include "tools/gateway/list_filter.h"

namespace authz::gateway {

bool could_call(const runtime::Engine& engine, const runtime::Principal& principal, runtime::MethodKind method,
                std::string_view target, std::int64_t now_ms, const runtime::EvaluateOptions& options);

bool may_list(const runtime::Engine& engine, const runtime::Principal& principal, ListKind list, std::string_view key,
              std::int64_t now_ms, const runtime::EvaluateOptions& options);

}  // namespace authz::gateway
