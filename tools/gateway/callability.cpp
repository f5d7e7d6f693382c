// callability.cpp — see callability.h.
#include "tools/gateway/callability.h"

#include "runtime/partial_eval.h"

namespace authz::gateway {

bool could_call(const runtime::Engine& engine, const runtime::Principal& principal, runtime::MethodKind method,
                std::string_view target, std::int64_t now_ms, const runtime::EvaluateOptions& options) {
  return runtime::may_call_at_all(engine, principal, method, target, now_ms, options);
}

}  // namespace authz::gateway
