// commands.h — the list of authzc subcommands, one register function each.
//
// Contract: adding a subcommand = a new compiler/cli/<name>_command.cpp that
// defines its register function, a declaration here, and one line in
// compiler/authzc_main.cpp (compiler/CMakeLists.txt globs cli/*.cpp).
#pragma once

#include "compiler/cli/command.h"

namespace authz::cli {

Command register_check_command(CLI::App& authzc);  // check_command.cpp
Command register_build_command(CLI::App& authzc);  // build_command.cpp
Command register_dump_command(CLI::App& authzc);   // dump_command.cpp
Command register_eval_command(CLI::App& authzc);   // eval_command.cpp
Command register_lint_command(CLI::App& authzc);   // lint_command.cpp
Command register_fmt_command(CLI::App& authzc);    // fmt_command.cpp
Command register_doc_command(CLI::App& authzc);    // doc_command.cpp
Command register_diff_command(CLI::App& authzc);   // diff_command.cpp
Command register_test_command(CLI::App& authzc);   // test_command.cpp
Command register_audit_command(CLI::App& authzc);  // audit_command.cpp
Command register_import_tools_command(CLI::App& authzc);  // import_tools_command.cpp
Command register_check_entities_command(CLI::App& authzc);  // check_entities_command.cpp

}  // namespace authz::cli
