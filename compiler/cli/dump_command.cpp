// dump_command.cpp — `authzc dump PATH...|TABLE`: the canonical text form of
// a decision table (built now from sources, or read from a .authzt file), or
// with --ast the parsed syntax of each entry file. Reviewers read it; golden
// tests compare it. A signed table's dump names its signer (the key id) on
// the second line; with --trusted-key the signature is verified first and a
// table that does not verify is refused (exit 1), as the gateway would.
#include <CLI/CLI.hpp>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/ast.h"
#include "compiler/cli/commands.h"
#include "compiler/cli/policy_input.h"
#include "runtime/internal/table_dump.h"
#include "runtime/table_signature.h"

namespace authz::cli {
namespace {

struct DumpOptions {
  FrontEndOptions front_end;
  bool ast = false;
  std::vector<std::string> trusted_keys;
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
  if (!options.trusted_keys.empty()) {
    if (!names_table_file(options.front_end)) {
      context.err << "error: `--trusted-key` needs one built table file\n"
                  << "  = help: sources are not signed; dump the `.authzt` that `authzc build --sign` wrote\n";
      return kExitUsage;
    }
    runtime::TrustedKeys keys;
    for (const std::string& path : options.trusted_keys) {
      auto pem = read_input_file(path, context);
      if (!pem) return kExitUsage;
      auto added = keys.add_pem(*pem);
      if (!added.ok()) {
        context.err << "error: the trusted key `" << path << "` is refused: " << added.error() << '\n';
        return kExitUsage;
      }
    }
    auto bytes = read_input_file(options.front_end.paths.front(), context);
    if (!bytes) return kExitUsage;
    if (auto problem = keys.check(*bytes)) {
      context.err << "error: `" << options.front_end.paths.front() << "`: " << *problem << '\n'
                  << "  = help: a gateway started with these `--trusted-key`s would refuse this table\n";
      return kExitDiagnostics;
    }
  }
  ModelOrExit input = load_model(options.front_end, context);
  if (!input.loaded) return input.exit_code;
  context.out << "// policy hash " << input.loaded->policy_hash << '\n';
  if (!input.loaded->signer_key_id.empty()) {
    context.out << "// signed by key " << input.loaded->signer_key_id
                << (options.trusted_keys.empty() ? " (not verified: pass --trusted-key)" : " (verified)") << '\n';
  }
  context.out << runtime::dump(input.loaded->model);
  return kExitOk;
}

}  // namespace

Command register_dump_command(CLI::App& authzc) {
  auto options = std::make_shared<DumpOptions>();
  CLI::App* dump = authzc.add_subcommand("dump", "print the canonical text form of a decision table or a policy's syntax");
  add_front_end_options(*dump, options->front_end);
  dump->add_flag("--ast", options->ast, "print the parsed syntax of every loaded file instead of the table");
  dump->add_option("--trusted-key", options->trusted_keys,
                   "an Ed25519 public key (PEM), repeatable: refuse the table unless it is signed by one of them")
      ->type_name("FILE")
      ->allow_extra_args(false);
  dump->footer("PATH is policy sources (checked and lowered first) or one built .authzt file.\n\n"
               "Examples:\n"
               "  authzc dump examples/sales\n"
               "  authzc dump sales.authzt\n"
               "  authzc dump sales.authzt --trusted-key release.pub.pem\n"
               "  authzc dump --ast examples/sales/sales.authz\n\n" +
               exit_code_help());
  return Command{dump, [options](const Context& context) { return run_dump(*options, context); }};
}

}  // namespace authz::cli
