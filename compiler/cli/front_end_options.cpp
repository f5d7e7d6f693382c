// front_end_options.cpp — shared policy-reading flags and diagnostic output.
#include "compiler/cli/front_end_options.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ostream>

#include "compiler/diagnostic_printer.h"
#include "compiler/diagnostic_sarif.h"

namespace authz::cli {

std::string exit_status_help(std::initializer_list<ExitStatusRow> rows) {
  std::string text = "Exit status:\n";
  for (const ExitStatusRow& row : rows) text += "  " + std::to_string(row.code) + "  " + std::string(row.meaning) + "\n";
  return text + "  3  internal error in authzc (please report it)";
}

std::string exit_code_help() {
  return exit_status_help({{0, "success (warnings are allowed unless --deny-warnings is given)"},
                           {1, "the policy has errors, or warnings were denied"},
                           {2, "usage error, or a named file or directory cannot be read"}});
}

CLI::Validator one_of(std::vector<std::string> choices) {
  std::string listed;
  for (const std::string& choice : choices) listed += (listed.empty() ? "`" : ", `") + choice + "`";
  return CLI::Validator(
      [choices, listed](std::string& value) -> std::string {
        if (std::find(choices.begin(), choices.end(), value) != choices.end()) return {};
        return "`" + value + "` is not one of " + listed;
      },
      "");
}

DiagnosticFormat diagnostic_format_named(std::string_view name) {
  return name == "json" ? DiagnosticFormat::Json : name == "sarif" ? DiagnosticFormat::Sarif : DiagnosticFormat::Text;
}

ColorMode color_mode_named(std::string_view name) {
  return name == "always" ? ColorMode::Always : name == "never" ? ColorMode::Never : ColorMode::Auto;
}

void add_front_end_options(CLI::App& command, FrontEndOptions& options) {
  command.add_option("paths", options.paths,
                     "policy files, or directories whose *.authz files (not subdirectories) are read")
      ->required()
      ->type_name("PATH");
  command.add_option("--stdlib", options.stdlib_dirs,
                     "directory holding stdlib modules (`use mcp.filesystem;` reads DIR/mcp/filesystem.authz); "
                     "repeatable, searched before $AUTHZ_STDLIB and the installed stdlib")
      ->type_name("DIR")
      ->allow_extra_args(false);  // `--stdlib a b.authz`: b.authz is a path
  command
      .add_option_function<std::string>(
          "--format",
          [&options](const std::string& value) { options.format = diagnostic_format_named(value); },
          "`text` (default): diagnostics for people, on stderr; `json`: one JSON object on stdout; "
          "`sarif`: a SARIF 2.1.0 log on stdout, for code scanning")
      ->check(one_of({"text", "json", "sarif"}))
      ->type_name("FORMAT");
  command
      .add_option_function<std::string>(
          "--color",
          [&options](const std::string& value) { options.color = color_mode_named(value); },
          "`auto` (default): colour text diagnostics when stderr is a terminal and NO_COLOR is unset; "
          "`always`; `never`")
      ->check(one_of({"auto", "always", "never"}))
      ->type_name("WHEN");
  command.add_flag("--deny-warnings", options.deny_warnings, "treat warnings as errors (exit status 1)");
}

bool use_color(ColorMode mode, const Context& context) {
  if (mode != ColorMode::Auto) return mode == ColorMode::Always;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if (no_color != nullptr && *no_color != '\0') return false;
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return context.err_is_terminal;
}

CheckOutcome run_front_end(const FrontEndOptions& options, const Context& context, SourceManager& sources) {
  LoadOptions load;
  load.stdlib_dirs = options.stdlib_dirs;
  for (const std::string& dir : context.default_stdlib_dirs) {
    if (std::find(load.stdlib_dirs.begin(), load.stdlib_dirs.end(), dir) == load.stdlib_dirs.end()) {
      load.stdlib_dirs.push_back(dir);
    }
  }
  return check_paths(options.paths, load, sources);
}

int report_diagnostics(const SourceManager& sources, const CheckOutcome& outcome, const FrontEndOptions& options,
                       const Context& context) {
  bool color = use_color(options.color, context);
  if (options.format == DiagnosticFormat::Json) {
    context.out << render_json(sources, outcome.diagnostics);
  } else if (options.format == DiagnosticFormat::Sarif) {
    context.out << render_sarif(sources, outcome.diagnostics);
  } else if (!outcome.diagnostics.empty()) {
    context.err << render_text(sources, outcome.diagnostics, color);
  }

  // A path named on the command line that cannot be read is reported without
  // a location; that is a usage problem rather than a policy problem.
  bool unreadable_entry = std::any_of(outcome.diagnostics.begin(), outcome.diagnostics.end(), [](const Diagnostic& d) {
    return d.code == DiagCode::CannotReadFile && !d.span.valid();
  });
  if (unreadable_entry) return kExitUsage;
  if (!outcome.ok()) return kExitDiagnostics;
  if (options.deny_warnings && outcome.warnings > 0) {
    if (options.format == DiagnosticFormat::Text) {
      context.err << (color ? "\x1b[1;31merror\x1b[0m\x1b[1m" : "error")
                  << ": warnings are denied by `--deny-warnings`" << (color ? "\x1b[0m" : "") << '\n';
    }
    return kExitDiagnostics;
  }
  return kExitOk;
}

}  // namespace authz::cli
