// authzc_main.cpp — the `authzc` command: parses the command line with CLI11
// and runs the one subcommand that was named.
//
// Contract: subcommands register themselves through compiler/cli/commands.h
// (one file each, listed once in compiler/cli/commands.def). Exit status: 0
// ok, 1 policy errors, 2 usage or unreadable input (including every CLI11
// parse error), 3 internal error; help and --version exit 0.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <vector>

#include "compiler/cli/command.h"
#include "compiler/cli/commands.h"
#include "compiler/loader.h"

namespace {

int run(int argc, char** argv) {
  using namespace authz::cli;
  CLI::App app{"authzc — compiler for authz policies: per-user authorization for MCP servers"};
  app.name("authzc");
  app.set_version_flag("--version", "authzc " AUTHZ_VERSION);
  app.require_subcommand(1);
  app.footer("Run `authzc COMMAND --help` for the options of one command.\n\n" + exit_code_help());

  std::vector<Command> commands;
#define AUTHZ_COMMAND(name) commands.push_back(register_##name##_command(app));
#include "compiler/cli/commands.def"

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);  // prints help, version, or the error
    return code == 0 ? kExitOk : kExitUsage;
  }

  Context context{std::cout, std::cerr, authz::default_stdlib_dirs(argc > 0 ? argv[0] : nullptr),
                  ::isatty(STDERR_FILENO) == 1};
  for (const Command& command : commands) {
    if (command.app->parsed()) return command.run(context);
  }
  return kExitUsage;  // unreachable: require_subcommand(1)
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "error: internal error in authzc: " << error.what() << "\n";
  } catch (...) {
    std::cerr << "error: internal error in authzc\n";
  }
  return authz::cli::kExitInternal;
}
