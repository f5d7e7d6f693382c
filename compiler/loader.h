// loader.h — turns the paths a user names into the set of parsed files that
// form one policy: entry files, every `*.authz` directly inside an entry
// directory (sorted by name), and everything they `use`, transitively.
//
// Contract: each file is read and parsed once (keyed by canonical path);
// `use "x.authz"` is relative to the file that says it; `use a.b;` resolves to
// `a/b.authz` in the first stdlib directory that has it. Cycles of `use`
// (including a file that uses itself) are reported as E0103 with the chain in
// notes. Unreadable files are E0101. Only the entry files may lie anywhere:
// every other file (one a `use` names, or one found in an entry directory)
// must resolve, symbolic links followed, inside the policy's root (the entry
// directories, the directories of the entry files, the stdlib directories),
// else E0107, and must be a `.authz` file, else E0106; neither is opened
// otherwise. Never throws.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace authz {

struct LoadOptions {
  std::vector<std::string> stdlib_dirs;  // searched in order for `use a.b;`
};

struct Program {
  std::vector<std::unique_ptr<ast::File>> files;  // load order: entries first
};

Program load_program(const std::vector<std::string>& paths, const LoadOptions& options,
                     SourceManager& sources, DiagnosticSink& sink);

// The stdlib directories authzc uses when none are given: $AUTHZ_STDLIB, then
// <exe>/../share/authz/stdlib (installed), then the source tree's stdlib/.
std::vector<std::string> default_stdlib_dirs(const char* argv0);

}  // namespace authz
