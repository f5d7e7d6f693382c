// parse.h — the parse adapter: .authz text -> ast::File. The only entry
// point into ANTLR; nothing else in the project includes ANTLR headers.
//
// Contract: never throws and never crashes on any input. Before ANTLR sees a
// byte, the text is checked for size (kMaxFileBytes), valid UTF-8 and
// nesting depth (ast::kMaxNesting), so deep or huge input cannot exhaust the
// stack. ANTLR's console error output is replaced by diagnostics with stable
// codes. A File is always returned; when the sink has errors it may be partial.
#pragma once

#include <cstddef>
#include <memory>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace authz {

inline constexpr std::size_t kMaxFileBytes = 8u << 20;  // 8 MiB per file

std::unique_ptr<ast::File> parse_file(const SourceManager& sources, FileId file, DiagnosticSink& sink);

}  // namespace authz
