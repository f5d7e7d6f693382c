// rule_lints.cpp — W0101 (an allow a deny always overrides), W0102 (an allow
// that can never apply), W0103 (a deny that can never match).
//
// Exactness: W0102/W0103 report a validity window that ended before `now`
// and the contradictions never_holds.h lists; nothing else. W0101 reports an
// allow when ONE deny rule without `when`/`unless` covers all of it: every
// holder it matches (the deny names `anyone`, or every role and user the
// allow matches, inheritance included), every target, and its whole validity
// window. Several denies that together cover an allow are not detected.
#include <algorithm>
#include <fmt/format.h>

#include "compiler/lint/lint_families.h"
#include "compiler/lint/never_holds.h"
#include "runtime/internal/time_text.h"

namespace authz::lint {
namespace {

bool subset(std::span<const TargetIndex> inner, std::span<const TargetIndex> outer) {
  return std::includes(outer.begin(), outer.end(), inner.begin(), inner.end());
}

bool covers_subjects(const CheckedRule& deny, const CheckedRule& allow) {
  if (deny.anyone) return true;
  if (allow.anyone) return false;
  if (!std::includes(deny.matching_roles.begin(), deny.matching_roles.end(), allow.matching_roles.begin(),
                     allow.matching_roles.end())) {
    return false;
  }
  return std::all_of(allow.users.begin(), allow.users.end(), [&](const std::string& user) {
    return std::find(deny.users.begin(), deny.users.end(), user) != deny.users.end();
  });
}

bool covers_window(const CheckedRule& deny, const CheckedRule& allow) {
  bool from_ok = !deny.from || (allow.from && *deny.from <= *allow.from);
  bool until_ok = !deny.until || (allow.until && *deny.until >= *allow.until);
  return from_ok && until_ok;
}

const char* effect_word(const CheckedRule& rule) { return rule.effect == ast::Effect::Allow ? "allow" : "deny"; }

}  // namespace

void lint_rules(const CheckedPolicy& policy, const LintOptions& options, DiagnosticSink& sink) {
  // Only unconditional denies can shadow; there are few, so large policies stay linear-ish.
  std::vector<const CheckedRule*> unconditional_denies;
  for (const CheckedRule& rule : policy.rules) {
    if (rule.effect == ast::Effect::Deny && rule.when == nullptr && rule.unless == nullptr) {
      unconditional_denies.push_back(&rule);
    }
  }
  for (const CheckedRule& rule : policy.rules) {
    bool is_allow = rule.effect == ast::Effect::Allow;
    DiagCode never = is_allow ? DiagCode::AllowNeverHolds : DiagCode::DenyNeverMatches;
    std::string reason;
    if (rule.until && *rule.until <= options.now_ms) {
      reason = fmt::format("its validity window ended at {}", runtime::format_timestamp(*rule.until));
    } else if (auto why = never_holds(rule.when, rule.unless)) {
      reason = *why;
    }
    if (!reason.empty()) {
      std::string help = is_allow ? "remove the rule, or fix its condition so that some request satisfies it"
                                  : "remove the rule, or fix its condition; a deny whose condition fails to "
                                    "evaluate still denies, so this rule only acts on evaluation errors";
      sink.report(never, rule.span,
                  fmt::format("{} rule `{}` can never {}: {}", effect_word(rule), rule.id,
                              is_allow ? "apply" : "match", reason),
                  std::move(help));
      continue;
    }
    if (!is_allow) continue;
    for (const CheckedRule* deny_rule : unconditional_denies) {
      const CheckedRule& deny = *deny_rule;
      if (!subset(rule.targets, deny.targets) || !covers_subjects(deny, rule) || !covers_window(deny, rule)) continue;
      Diagnostic& d = sink.report(
          DiagCode::AllowShadowedByDeny, rule.span,
          fmt::format("allow rule `{}` can never decide: deny rule `{}` applies to every call it allows", rule.id,
                      deny.id),
          "remove the allow rule, or narrow the deny rule with `when` / `unless` or fewer subjects or targets");
      d.notes.push_back({deny.span, fmt::format("`{}` has no condition and covers every subject and target of `{}`",
                                                deny.id, rule.id)});
      break;
    }
  }
}

}  // namespace authz::lint
