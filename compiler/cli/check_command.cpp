// check_command.cpp — `authzc check PATH...`: the front end, no output files.
#include "compiler/cli/check_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "compiler/cli/commands.h"

namespace authz::cli {
namespace {

std::string count(std::size_t n, std::string_view noun) { return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s"); }

}  // namespace

std::string check_summary(const CheckOutcome& outcome) {
  const PolicyStats& stats = outcome.stats;
  std::string counts = count(stats.rules, "rule") + ", " + count(stats.grants, "grant") + ", " + count(stats.tools, "tool");
  if (stats.resources > 0) counts += ", " + count(stats.resources, "resource");
  if (stats.prompts > 0) counts += ", " + count(stats.prompts, "prompt");
  // Only modules (a library checked on its own): there is no policy to name.
  if (stats.policy_name.empty()) return fmt::format("ok: checked {}: {}", count(stats.files, "file"), counts);
  std::string files = stats.files == 1 ? "" : fmt::format(" ({})", count(stats.files, "file"));
  return fmt::format("ok: policy `{}` checked{}: {}", stats.policy_name, files, counts);
}

int run_check(const FrontEndOptions& options, const Context& context) {
  SourceManager sources;
  CheckOutcome outcome = run_front_end(options, context, sources);
  int exit_code = report_diagnostics(sources, outcome, options, context);
  if (exit_code == kExitOk && options.format == DiagnosticFormat::Text) {
    std::string summary = check_summary(outcome);
    if (use_color(options.color, context)) summary = "\x1b[1;32mok\x1b[0m" + summary.substr(2);
    context.err << summary << '\n';
  }
  return exit_code;
}

Command register_check_command(CLI::App& authzc) {
  auto options = std::make_shared<FrontEndOptions>();
  CLI::App* check = authzc.add_subcommand("check", "check a policy for errors without producing any output files");
  add_front_end_options(*check, *options);
  check->footer("Loads the policy (the files and directories named, plus every file they `use`),\n"
                "resolves names, and checks types and policy rules. With text output a clean\n"
                "check ends with one `ok: ...` line on stderr.\n\n"
                "Examples:\n"
                "  authzc check examples/sales/\n"
                "  authzc check policy.authz --format json --deny-warnings\n\n" +
                exit_code_help());
  return Command{check, [options](const Context& context) { return run_check(*options, context); }};
}

}  // namespace authz::cli
