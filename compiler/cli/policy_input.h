// policy_input.h — "a policy" as commands that need a decision table take it:
// either source paths (checked and lowered on the spot) or one built table
// file (`*.authzt`, read and validated like the runtime does).
//
// Contract: load_model prints diagnostics or the table reader's error to the
// Context, and returns the Model with its policy hash, or the exit code to
// stop with. It never lowers a policy that has errors. load_engine does the
// same and returns the Engine over that Model.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/cli/command.h"
#include "compiler/cli/front_end_options.h"
#include "compiler/checker.h"
#include "runtime/engine.h"
#include "runtime/table_model.h"

namespace authz::cli {

struct LoadedModel {
  runtime::Model model;
  std::string policy_hash;
  std::string signer_key_id = {};  // a signed table file's signer (not verified here), else ""
};

struct ModelOrExit {
  std::optional<LoadedModel> loaded;
  int exit_code = kExitOk;  // meaningful when !loaded
};

// True when `options.paths` names exactly one built table file.
bool names_table_file(const FrontEndOptions& options);

ModelOrExit load_model(const FrontEndOptions& options, const Context& context);

struct EngineOrExit {
  std::optional<runtime::Engine> engine;
  int exit_code = kExitOk;  // meaningful when !engine
};

// load_model, then a runtime Engine over the Model, for commands that decide
// requests. When the Engine refuses the Model it prints
// "error: the decision table does not load: ..." and returns kExitDiagnostics.
EngineOrExit load_engine(const FrontEndOptions& options, const Context& context);

// False, after printing why (naming the first of `paths`), when a
// policy that checked has no `policy` header: only modules were read, and a
// module has no decision table (its declarations are built as part of the
// policy that uses it). Commands that lower call this between a clean check
// and lower(): load_model does, so build, eval and the rest need not.
bool has_policy_to_lower(const CheckedPolicy& policy, const std::vector<std::string>& paths, const Context& context);

// Reads a whole file as bytes; nullopt (with `error` set) when it cannot.
std::optional<std::string> read_file_bytes(const std::string& path, std::string& error);

// read_file_bytes for a file the command line names: when it cannot be read,
// prints `error: <why>` to the Context and returns nullopt (the command then
// exits kExitUsage).
std::optional<std::string> read_input_file(const std::string& path, const Context& context);

}  // namespace authz::cli
