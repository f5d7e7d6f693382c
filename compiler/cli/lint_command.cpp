// lint_command.cpp — `authzc lint PATH...`: check the policy, then report
// findings that are legal but probably unintended (codes W0101..W0113,
// docs/lint.md), filtered by in-source `// lint: allow CODE because "..."`
// suppressions.
//
// Contract: a policy with check errors is reported like `authzc check` and
// not linted (exit 1). Otherwise the checker's warnings and the lint findings
// are printed together (text on stderr, json/sarif on stdout, see
// front_end_options.h); exit 1 when any is an error (W0106, an expired grant)
// or when --deny-warnings is given and any warning remains; 2 for a bad
// option value or an unreadable path. With text output a clean run ends with
// one `ok: ...` line on stderr.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <ostream>
#include <tuple>

#include "compiler/cli/check_command.h"
#include "compiler/cli/commands.h"
#include "compiler/cli/front_end_options.h"
#include "compiler/cli/lint_command.h"
#include "compiler/lint/lint.h"
#include "runtime/internal/time_text.h"

namespace authz::cli {
namespace {

std::int64_t current_time_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics) {
  auto key = [](const Diagnostic& d) {
    return std::tuple(d.span.file, d.span.begin, d.span.end, static_cast<int>(d.code), std::string_view(d.message));
  };
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
}

}  // namespace

int run_lint(const LintCommandOptions& options, const Context& context) {
  lint::LintOptions lint_options;
  lint_options.grant_expiry_days = options.grant_expiry_days;
  lint_options.max_rules_per_target = options.max_rules_per_target;
  lint_options.max_roles = options.max_roles;
  if (options.now.empty()) {
    lint_options.now_ms = current_time_ms();
  } else if (auto now = runtime::parse_timestamp(options.now)) {
    lint_options.now_ms = *now;
  } else {
    context.err << "error: `--now " << options.now << "` is not a timestamp; write e.g. `2026-12-01T00:00:00Z`\n";
    return kExitUsage;
  }
  lint_options.library_dirs = options.front_end.stdlib_dirs;
  for (const std::string& dir : context.default_stdlib_dirs) lint_options.library_dirs.push_back(dir);

  SourceManager sources;
  CheckOutcome outcome = run_front_end(options.front_end, context, sources);
  if (!outcome.ok() || outcome.policy == nullptr) return report_diagnostics(sources, outcome, options.front_end, context);

  outcome.diagnostics = lint::lint_policy(*outcome.policy, sources, lint_options, std::move(outcome.diagnostics));
  sort_diagnostics(outcome.diagnostics);
  outcome.errors = 0;
  outcome.warnings = 0;
  for (const Diagnostic& d : outcome.diagnostics) (d.severity == Severity::Error ? outcome.errors : outcome.warnings)++;

  int exit_code = report_diagnostics(sources, outcome, options.front_end, context);
  if (exit_code == kExitOk && options.front_end.format == DiagnosticFormat::Text) {
    std::string summary = check_summary(outcome);
    if (auto at = summary.find(" checked"); at != std::string::npos) summary.replace(at, 8, " linted");
    if (outcome.warnings > 0) summary += fmt::format(" ({} warning{})", outcome.warnings, outcome.warnings == 1 ? "" : "s");
    if (use_color(options.front_end.color, context)) summary = "\x1b[1;32mok\x1b[0m" + summary.substr(2);
    context.err << summary << '\n';
  }
  return exit_code;
}

Command register_lint_command(CLI::App& authzc) {
  auto options = std::make_shared<LintCommandOptions>();
  CLI::App* lint = authzc.add_subcommand("lint", "report rules and declarations that are legal but probably unintended");
  add_front_end_options(*lint, options->front_end);
  lint->add_option("--now", options->now,
                   "judge grant expiry (W0105, W0106) and ended rule windows (W0102, W0103) at this instant instead of the current time (RFC 3339)")
      ->type_name("TIMESTAMP");
  lint->add_option("--grant-expiry-days", options->grant_expiry_days,
                   "warn (W0105) about grants that end within this many days (default 14)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  lint->add_option("--max-rules-per-target", options->max_rules_per_target,
                   "warn (W0109) when more than N rules name one tool, resource or prompt (default 20)")
      ->type_name("N");
  lint->add_option("--max-roles", options->max_roles, "warn (W0110) when the policy has more than N roles (default 12)")
      ->type_name("N");
  lint->footer(
      "Checks the policy like `authzc check`, then reports findings with stable codes:\n"
      "  W0101 allow always overridden by a deny   W0102 allow that can never apply\n"
      "  W0103 deny that can never match           W0104 write tool open to everyone\n"
      "  W0105 grant expiring soon                 W0106 grant expired (an error)\n"
      "  W0107 role no rule mentions               W0108 target no rule allows (always denied)\n"
      "  W0109 too many rules for one target       W0110 too many roles\n"
      "  W0111 unconditional allow on an owned resource\n"
      "  W0112 invalid suppression                 W0113 suppression that suppresses nothing\n"
      "Suppress one finding with a comment directly above the declaration:\n"
      "  // lint: allow W0108 because \"this tool is denied on purpose\"\n"
      "docs/lint.md says exactly what each lint detects.\n\n"
      "Examples:\n"
      "  authzc lint examples/sales/\n"
      "  authzc lint policy.authz --deny-warnings --format sarif > lint.sarif\n\n" +
      exit_code_help());
  return Command{lint, [options](const Context& context) { return run_lint(*options, context); }};
}

}  // namespace authz::cli
