// explosion_lints.cpp — W0109 (more than --max-rules-per-target rules name
// one target) and W0110 (more than --max-roles roles): "hundreds of
// fine-grained permissions become hard to reason about". Exact counts: a
// rule names a target directly, through a group, or through `read`/`write`.
// W0109 points at the first rule beyond the limit (the target may be
// declared in a library file); W0110 at the first role beyond it.
#include <fmt/format.h>

#include "compiler/lint/lint_families.h"

namespace authz::lint {

void lint_explosion(const CheckedPolicy& policy, const LintOptions& options, DiagnosticSink& sink) {
  std::vector<std::size_t> rules_per_target(policy.targets.size(), 0);
  for (const CheckedRule& rule : policy.rules) {
    for (TargetIndex t : rule.targets) {
      if (++rules_per_target[t] != options.max_rules_per_target + 1) continue;
      const CheckedTarget& target = policy.targets[t];
      Diagnostic& d = sink.report(
          DiagCode::TooManyRulesForTarget, rule.span,
          fmt::format("rule `{}` is rule number {} naming `{}`; more than {} rules for one target are hard to "
                      "reason about",
                      rule.id, options.max_rules_per_target + 1, target.name, options.max_rules_per_target),
          "merge rules that differ only in subjects or conditions, or move shared conditions into a deny rule "
          "(or raise --max-rules-per-target)");
      d.notes.push_back({target.span, fmt::format("`{}` is declared here", target.name)});
    }
  }
  if (policy.roles.size() > options.max_roles) {
    const CheckedRole& role = policy.roles[options.max_roles];
    sink.report(DiagCode::TooManyRoles, role.span,
                fmt::format("role `{}` is role number {}; more than {} roles are hard to reason about", role.name,
                            options.max_roles + 1, options.max_roles),
                "merge roles that are always held together, or grant fine-grained access through conditions "
                "(or raise --max-roles)");
  }
}

}  // namespace authz::lint
