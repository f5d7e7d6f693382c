// shadow.cpp — see shadow.h.
#include "runtime/shadow.h"

namespace authz::runtime {

void ShadowEvaluator::evaluate(const Engine& primary, const Engine& shadow, const Request& request,
                               const EvaluateOptions& options, Decision& primary_out, Decision& shadow_out) {
  primary.prepare(request, primary_);
  primary.evaluate(primary_, options, primary_out);
  shadow.prepare(request, shadow_);
  shadow.evaluate(shadow_, options, shadow_out);
}

}  // namespace authz::runtime
