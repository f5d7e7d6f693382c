// lint_command.h — `authzc lint` as a function, for the golden tests.
//
// Contract: run_lint behaves exactly like the `authzc lint` subcommand with
// these options (see lint_command.cpp for the output and exit codes).
#pragma once

#include <cstdint>
#include <string>

#include "compiler/cli/command.h"
#include "compiler/cli/front_end_options.h"

namespace authz::cli {

struct LintCommandOptions {
  FrontEndOptions front_end;
  std::string now;  // RFC 3339; empty: the current time
  std::int64_t grant_expiry_days = 14;
  std::size_t max_rules_per_target = 20;
  std::size_t max_roles = 12;
};

int run_lint(const LintCommandOptions& options, const Context& context);

}  // namespace authz::cli
