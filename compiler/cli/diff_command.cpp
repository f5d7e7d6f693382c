// diff_command.cpp — `authzc diff OLD NEW` (being written; see docs/review.md).
#include <CLI/CLI.hpp>

#include <ostream>

#include "compiler/cli/commands.h"

namespace authz::cli {

Command register_diff_command(CLI::App& authzc) {
  CLI::App* diff = authzc.add_subcommand("diff", "show what access a policy change grants or takes away");
  return Command{diff, [](const Context& context) {
                   context.err << "error: `authzc diff` is not finished yet\n";
                   return static_cast<int>(kExitInternal);
                 }};
}

}  // namespace authz::cli
