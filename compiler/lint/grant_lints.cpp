// grant_lints.cpp — W0105 (a grant ends within --grant-expiry-days of now)
// and W0106 (a grant has ended: an error, it is dead policy that still reads
// as access). Exact: compares the grant's `until` with LintOptions::now_ms.
#include <fmt/format.h>

#include "compiler/lint/lint_families.h"
#include "runtime/internal/time_text.h"

namespace authz::lint {

void lint_grants(const CheckedPolicy& policy, const LintOptions& options, DiagnosticSink& sink) {
  constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
  for (const CheckedGrant& grant : policy.grants) {
    if (!grant.until) continue;
    std::string until = runtime::format_timestamp(*grant.until);
    if (*grant.until <= options.now_ms) {
      sink.report(DiagCode::GrantExpired, grant.span,
                  fmt::format("grant `{}` for `{}` expired at {}", grant.id, grant.user, until),
                  "remove the grant, or give it a new `until` if the access is still needed");
    } else if (options.grant_expiry_days >= 0 && *grant.until - options.now_ms <= options.grant_expiry_days * kDayMs) {
      std::int64_t left_ms = *grant.until - options.now_ms;
      std::int64_t days = left_ms / kDayMs;
      std::string left = days >= 1 ? fmt::format("{} day{}", days, days == 1 ? "" : "s")
                                   : fmt::format("{} hour{}", left_ms / (kDayMs / 24), left_ms / (kDayMs / 24) == 1 ? "" : "s");
      sink.report(DiagCode::GrantExpiresSoon, grant.span,
                  fmt::format("grant `{}` for `{}` expires at {}, in {}", grant.id, grant.user, until, left),
                  "extend `until` if the access is still needed, or let it lapse and remove the grant afterwards");
    }
  }
}

}  // namespace authz::lint
