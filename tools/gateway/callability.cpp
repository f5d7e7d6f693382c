// callability.cpp — see callability.h.
#include "tools/gateway/callability.h"

#ifdef AUTHZ_GATEWAY_HAVE_PARTIAL_EVAL
#include "runtime/partial_eval.h"
#endif

namespace authz::gateway {

bool could_call(const runtime::Engine& engine, const runtime::Principal& principal, runtime::MethodKind method,
                std::string_view target, std::int64_t now_ms, const runtime::EvaluateOptions& options) {
#ifdef AUTHZ_GATEWAY_HAVE_PARTIAL_EVAL
  return runtime::may_call_at_all(engine, principal, method, target, now_ms, options);
#else
  // Until partial evaluation is linked: a declared target that some allow or
  // grant names (over-approximates; the call itself is still decided exactly).
  (void)principal, (void)now_ms, (void)options;
  auto kind = method == runtime::MethodKind::ToolCall       ? runtime::TargetKind::Tool
              : method == runtime::MethodKind::ResourceRead ? runtime::TargetKind::Resource
                                                            : runtime::TargetKind::Prompt;
  const auto& model = engine.model();
  for (const auto& candidate : model.targets) {
    if (candidate.kind != kind) continue;
    bool named = kind == runtime::TargetKind::Resource ? (candidate.uri == target || candidate.name == target)
                                                       : candidate.name == target;
    if (!named) continue;
    if (!candidate.grants.empty()) return true;
    for (auto rule : candidate.rules) {
      if (model.rules[rule].effect == runtime::Effect::Allow) return true;
    }
  }
  return false;
#endif
}

}  // namespace authz::gateway
