// command_line.h — how authz-gateway's commands (the stdio gateway in main.cpp
// and `serve` in tools/http/serve_command.cpp) end a CLI11 parse.
//
// Contract: parse_arguments() returns nullopt when the command line parsed;
// else the exit status with the output already written: --help's text on
// stdout and 0, or `error: ...` with a help line naming `COMMAND --help` on
// stderr and 2 (the usage error status of both commands). Header-only: its
// includers link CLI11.
#pragma once

#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>
#include <string_view>

namespace authz::gateway {

inline std::optional<int> parse_arguments(CLI::App& app, int argc, char** argv, std::string_view command) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) {
      std::cout << app.help();
      return 0;
    }
    std::cerr << "error: " << error.what() << "\n  = help: see `" << command << " --help`\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace authz::gateway
