// lint.cpp — runs every lint family, then the in-source suppressions.
#include "compiler/lint/lint.h"

#include "compiler/lint/lint_families.h"
#include "compiler/lint/suppressions.h"

namespace authz::lint {

std::vector<Diagnostic> lint_policy(const CheckedPolicy& policy, const SourceManager& sources,
                                    const LintOptions& options, std::vector<Diagnostic> extra) {
  DiagnosticSink sink;
  lint_rules(policy, options, sink);
  lint_breadth(policy, sink);
  lint_grants(policy, options, sink);
  lint_unused(policy, sources, options, sink);
  lint_explosion(policy, options, sink);
  std::vector<Diagnostic> diagnostics = sink.take_sorted();
  for (Diagnostic& d : extra) diagnostics.push_back(std::move(d));
  apply_suppressions(policy.program, sources, diagnostics);
  return diagnostics;
}

}  // namespace authz::lint
