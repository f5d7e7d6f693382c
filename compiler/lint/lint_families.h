// lint_families.h — the lint families lint_policy runs, one file each.
//
// Contract: each family reads the policy and reports into the sink; none
// stops another. Spans point at the declaration the finding is about (its
// name), so a suppression comment above that declaration applies.
#pragma once

#include "compiler/lint/lint.h"

namespace authz::lint {

// W0101, W0102, W0103 (rule_lints.cpp): allows overridden by a deny, rules
// whose condition or validity window can never hold.
void lint_rules(const CheckedPolicy& policy, const LintOptions& options, DiagnosticSink& sink);
// W0104, W0111 (breadth_lints.cpp): write tools open to everyone, owned
// resources reachable without a condition.
void lint_breadth(const CheckedPolicy& policy, DiagnosticSink& sink);
// W0105, W0106 (grant_lints.cpp): grants that end soon or have ended.
void lint_grants(const CheckedPolicy& policy, const LintOptions& options, DiagnosticSink& sink);
// W0107, W0108 (unused_lints.cpp): roles and targets no rule uses.
void lint_unused(const CheckedPolicy& policy, const SourceManager& sources, const LintOptions& options,
                 DiagnosticSink& sink);
// W0109, W0110 (explosion_lints.cpp): too many rules per target, too many roles.
void lint_explosion(const CheckedPolicy& policy, const LintOptions& options, DiagnosticSink& sink);

}  // namespace authz::lint
