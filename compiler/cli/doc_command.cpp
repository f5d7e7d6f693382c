// doc_command.cpp — `authzc doc PATH... -o DIR`: the documented permission
// model of a policy (sources, or a built .authzt table) as DIR/permissions.md
// and DIR/permissions.html (one self-contained page). Both files are written
// to temporaries and renamed only when both were written; a policy with
// errors writes nothing.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "compiler/cli/commands.h"
#include "compiler/cli/policy_input.h"
#include "compiler/permission_doc/doc_facts.h"
#include "compiler/permission_doc/output_files.h"
#include "compiler/permission_doc/permission_doc.h"

namespace authz::cli {
namespace {

struct DocOptions {
  FrontEndOptions front_end;
  std::string output_dir;
};

int run_doc(const DocOptions& options, const Context& context) {
  ModelOrExit input = load_model(options.front_end, context);
  if (!input.loaded) return input.exit_code;
  const runtime::Model& model = input.loaded->model;
  const std::string& hash = input.loaded->policy_hash;

  std::vector<permission_doc::OutputFile> files{
      {"permissions.md", permission_doc::render_markdown(model, hash)},
      {"permissions.html", permission_doc::render_html(model, hash)},
  };
  if (auto error = permission_doc::write_files_atomically(options.output_dir, files)) {
    context.err << "error: " << *error << '\n';
    return kExitUsage;
  }
  if (options.front_end.format == DiagnosticFormat::Text) {
    context.err << fmt::format("ok: wrote `{0}/permissions.md` and `{0}/permissions.html`: policy `{1}`, {2}, {3}, {4}, "
                               "{5}\n",
                               options.output_dir, model.policy_name, permission_doc::count(model.roles.size(), "role"),
                               permission_doc::count(model.targets.size(), "target"),
                               permission_doc::count(model.rules.size(), "rule"),
                               permission_doc::count(model.grants.size(), "grant"));
  }
  return kExitOk;
}

}  // namespace

Command register_doc_command(CLI::App& authzc) {
  auto options = std::make_shared<DocOptions>();
  CLI::App* doc = authzc.add_subcommand("doc", "write the documented permission model (Markdown and one HTML page)");
  add_front_end_options(*doc, options->front_end);
  doc->add_option("-o,--output", options->output_dir, "directory to write permissions.md and permissions.html into "
                                                      "(created when missing)")
      ->required()
      ->type_name("DIR");
  doc->footer("PATH is policy sources (checked and lowered first) or one built .authzt file.\n"
              "The page shows a permission matrix (roles and users named by grants or rules,\n"
              "against every tool, resource and prompt), every rule with its doc comment,\n"
              "source location and window, grants with their expiry and reason, and the\n"
              "obligations. The HTML page is self-contained: inline CSS, no scripts, no\n"
              "external assets. Nothing is written when the policy has errors.\n\n"
              "Examples:\n"
              "  authzc doc examples/sales -o docs/generated\n"
              "  authzc doc sales.authzt -o site/permissions\n\n" +
              exit_code_help());
  return Command{doc, [options](const Context& context) { return run_doc(*options, context); }};
}

}  // namespace authz::cli
