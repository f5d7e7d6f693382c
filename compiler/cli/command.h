// command.h — how authzc's subcommands plug into the tool.
//
// Contract: each subcommand lives in compiler/cli/<name>_command.cpp and
// exposes one `Command register_<name>_command(CLI::App& authzc)` (listed in
// compiler/cli/commands.def, declared in compiler/cli/commands.h).
// Registering adds the subcommand, its options and help to the CLI11 app and
// returns how to run it; authzc_main.cpp parses the command line, then runs
// the one subcommand that was parsed. A run function writes only to the
// Context's streams and returns an ExitCode; it never throws for a user
// mistake.
#pragma once

#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace authz::cli {

// Every authzc subcommand exits with one of these (documented in --help).
enum ExitCode : int {
  kExitOk = 0,           // success; warnings allowed unless --deny-warnings
  kExitDiagnostics = 1,  // the policy has errors (or denied warnings)
  kExitUsage = 2,        // bad command line, or a named path cannot be read
  kExitInternal = 3,     // a bug in authzc
};

// The world a subcommand runs in; tests build one over string streams.
struct Context {
  std::ostream& out;  // results (JSON diagnostics, artifacts, dumps)
  std::ostream& err;  // human-facing diagnostics and summaries
  std::vector<std::string> default_stdlib_dirs;  // searched after any --stdlib
  bool err_is_terminal = false;                   // for --color auto
};

struct Command {
  CLI::App* app = nullptr;                      // the registered subcommand
  std::function<int(const Context&)> run;       // called after a successful parse
};

// The exit-code table every subcommand's --help ends with.
std::string exit_code_help();

// An exit-code table for a --help footer: "Exit status:", one `  N  meaning`
// line per row in the order given, then code 3 (an internal error in authzc).
// exit_code_help() is the common one; a command whose codes mean more lists
// its own rows.
struct ExitStatusRow {
  int code;
  std::string_view meaning;
};
std::string exit_status_help(std::initializer_list<ExitStatusRow> rows);

}  // namespace authz::cli
