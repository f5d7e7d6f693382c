// dump_command.cpp — `authzc dump PATH...|TABLE`: the canonical text form of
// a decision table (built now from sources, or read from a .authzt file), or
// with --ast the parsed syntax of each entry file. Reviewers read it; golden
// tests compare it.
#include <CLI/CLI.hpp>

#include <memory>
#include <ostream>

#include "compiler/ast.h"
#include "compiler/cli/commands.h"
#include "compiler/cli/policy_input.h"
#include "runtime/table_dump.h"

namespace authz::cli {
namespace {

struct DumpOptions {
  FrontEndOptions front_end;
  bool ast = false;
};

int run_dump(const DumpOptions& options, const Context& context) {
  if (options.ast) {
    SourceManager sources;
    CheckOutcome outcome = run_front_end(options.front_end, context, sources);
    int exit_code = report_diagnostics(sources, outcome, options.front_end, context);
    if (exit_code != kExitOk) return exit_code;
    for (const auto& file : outcome.policy->program.files) {
      context.out << "// " << sources.path(file->file) << '\n' << ast::dump(*file) << '\n';
    }
    return kExitOk;
  }
  ModelOrExit input = load_model(options.front_end, context);
  if (!input.loaded) return input.exit_code;
  context.out << "// policy hash " << input.loaded->policy_hash << '\n' << runtime::dump(input.loaded->model);
  return kExitOk;
}

}  // namespace

Command register_dump_command(CLI::App& authzc) {
  auto options = std::make_shared<DumpOptions>();
  CLI::App* dump = authzc.add_subcommand("dump", "print the canonical text form of a decision table or a policy's syntax");
  add_front_end_options(*dump, options->front_end);
  dump->add_flag("--ast", options->ast, "print the parsed syntax of every loaded file instead of the table");
  dump->footer("PATH is policy sources (checked and lowered first) or one built .authzt file.\n\n"
               "Examples:\n"
               "  authzc dump examples/sales\n"
               "  authzc dump sales.authzt\n"
               "  authzc dump --ast examples/sales/sales.authz\n\n" +
               exit_code_help());
  return Command{dump, [options](const Context& context) { return run_dump(*options, context); }};
}

}  // namespace authz::cli
