// callability.cpp — see callability.h.
#include "tools/gateway/callability.h"

#include "runtime/partial_eval.h"

namespace authz::gateway {

bool could_call(const runtime::Engine& engine, const runtime::Principal& principal, runtime::MethodKind method,
                std::string_view target, std::int64_t now_ms, const runtime::EvaluateOptions& options) {
  return runtime::may_call_at_all(engine, principal, method, target, now_ms, options);
}

bool may_list(const runtime::Engine& engine, const runtime::Principal& principal, ListKind list, std::string_view key,
              std::int64_t now_ms, const runtime::EvaluateOptions& options) {
  switch (list) {
    case ListKind::Tools: return could_call(engine, principal, runtime::MethodKind::ToolCall, key, now_ms, options);
    case ListKind::Prompts: return could_call(engine, principal, runtime::MethodKind::PromptGet, key, now_ms, options);
    case ListKind::ResourceTemplates:
      return could_call(engine, principal, runtime::MethodKind::ResourceRead, key, now_ms, options);
    case ListKind::Resources: {
      runtime::Request request;
      request.principal = principal;
      request.method = runtime::MethodKind::ResourceRead;
      request.target = std::string(key);
      request.now_ms = now_ms;
      return engine.evaluate(request, options).allowed();
    }
  }
  return false;
}

}  // namespace authz::gateway
