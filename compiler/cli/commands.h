// commands.h — the register function of every authzc subcommand.
//
// Contract: adding a subcommand = a new compiler/cli/<name>_command.cpp that
// defines `Command register_<name>_command(CLI::App& authzc)` and one line in
// compiler/cli/commands.def (compiler/CMakeLists.txt globs cli/*.cpp); the
// declarations here and authzc_main.cpp's registrations come from that list.
#pragma once

#include "compiler/cli/command.h"

namespace authz::cli {

#define AUTHZ_COMMAND(name) Command register_##name##_command(CLI::App& authzc);
#include "compiler/cli/commands.def"

}  // namespace authz::cli
