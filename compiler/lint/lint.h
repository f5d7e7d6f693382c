// lint.h — `authzc lint`: findings about a policy that checks clean but is
// probably not what its authors meant (codes W0101..W0113, docs/lint.md).
//
// Contract: lint_policy runs every lint family over a CheckedPolicy from a
// clean check (no errors) and returns their diagnostics, already filtered by
// the in-source suppressions (`// lint: allow W0103 because "..."`) of the
// files that were read; invalid and unused suppressions are findings too
// (W0112, W0113). `extra` diagnostics (the checker's own warnings) take part
// in suppression and are returned filtered. Never throws; reads only
// `sources` and `policy`; the result is unsorted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/checker.h"
#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace authz::lint {

struct LintOptions {
  std::int64_t now_ms = 0;              // "now" for grant expiry (ms since the epoch)
  std::int64_t grant_expiry_days = 14;  // W0105 when a grant ends within this many days
  std::size_t max_rules_per_target = 20;  // W0109 beyond this many rules naming one target
  std::size_t max_roles = 12;             // W0110 beyond this many roles
  // Declarations in files under these directories (the stdlib) are someone
  // else's interface: W0107/W0108 do not report them.
  std::vector<std::string> library_dirs;
};

std::vector<Diagnostic> lint_policy(const CheckedPolicy& policy, const SourceManager& sources,
                                    const LintOptions& options, std::vector<Diagnostic> extra = {});

}  // namespace authz::lint
