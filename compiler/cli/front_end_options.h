// front_end_options.h — the flags and output shared by every subcommand that
// reads a policy (check today; build, dump, lint, ... later).
//
// Contract: add_front_end_options binds `PATH...`, `--stdlib`, `--format`,
// `--color` and `--deny-warnings` to a FrontEndOptions (commands that register
// their own `--format` / `--color` read the values with the same functions). run_front_end loads
// and checks the policy (explicit --stdlib directories are searched before
// the defaults) and report_diagnostics prints the outcome's diagnostics:
// text to `err`, JSON to `out`. Its result is the exit code to stop with, or
// kExitOk when the command may go on to use the checked policy.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/cli/command.h"
#include "compiler/driver.h"
#include "compiler/source.h"

namespace CLI {
class Validator;
}

namespace authz::cli {

enum class DiagnosticFormat { Text, Json, Sarif };  // Sarif: SARIF 2.1.0 on stdout
enum class ColorMode { Auto, Always, Never };

struct FrontEndOptions {
  std::vector<std::string> paths;
  std::vector<std::string> stdlib_dirs;  // from --stdlib, searched first
  DiagnosticFormat format = DiagnosticFormat::Text;
  ColorMode color = ColorMode::Auto;
  bool deny_warnings = false;
};

void add_front_end_options(CLI::App& command, FrontEndOptions& options);

// The value of a checked `--format` / `--color` (one of the names the option
// lists): `json`, `sarif`, else Text; `always`, `never`, else Auto.
DiagnosticFormat diagnostic_format_named(std::string_view name);
ColorMode color_mode_named(std::string_view name);

// Accepts exactly one of `choices`; the error names them all
// ("`x` is not one of `text`, `json`, `sarif`").
CLI::Validator one_of(std::vector<std::string> choices);

CheckOutcome run_front_end(const FrontEndOptions& options, const Context& context, SourceManager& sources);

// Prints the diagnostics (nothing for a clean text run) and decides whether
// the command must stop: kExitUsage when a named path could not be read,
// kExitDiagnostics on errors or denied warnings, kExitOk otherwise.
int report_diagnostics(const SourceManager& sources, const CheckOutcome& outcome, const FrontEndOptions& options,
                       const Context& context);

bool use_color(ColorMode mode, const Context& context);

}  // namespace authz::cli
