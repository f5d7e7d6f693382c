// parse.h — the parse adapter: .authz text -> ast::File. The only entry
// point into ANTLR; nothing outside the adapter's own files (compiler/parse.cpp,
// the driver, and compiler/parse_*.cpp) includes ANTLR headers.
//
// Contract: never throws and never crashes on any input. Before ANTLR sees a
// byte, the text is checked for size (kMaxFileBytes), valid UTF-8 and
// nesting depth (ast::kMaxNesting), so deep or huge input cannot exhaust the
// stack. ANTLR's console error output is replaced by diagnostics with stable
// codes. A File is always returned; when the sink has errors it may be partial.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace authz {

inline constexpr std::size_t kMaxFileBytes = 8u << 20;  // 8 MiB per file

// How parse_file parses. The defaults are what every caller wants; the
// switches exist for tests and measurements.
struct ParseOptions {
  // Try the ANTLR-free fast path (compiler/fast_parse.h) on files that lexed
  // without a diagnostic; false parses everything with ANTLR, the reference
  // the fast path is tested against. Either way the File and the diagnostics
  // are the same.
  bool fast_path = true;
  // When set, receives whether the fast path built the File (false: ANTLR did).
  bool* used_fast_path = nullptr;
};

std::unique_ptr<ast::File> parse_file(const SourceManager& sources, FileId file, DiagnosticSink& sink,
                                      const ParseOptions& options = {});

// For tests: the tokens of a UTF-8 text as the grammar's token types, from
// the hand-written lexer (compiler/lexer.h) or, with `reference`, from the
// lexer ANTLR generates from grammar/Authz.g4; skipped rules give no token,
// the last token is EOF. Empty when the text is not valid UTF-8.
struct LexedForTest {
  std::size_t type;
  std::uint32_t start, end, line, column;
  friend bool operator==(const LexedForTest&, const LexedForTest&) = default;
};
std::vector<LexedForTest> lex_for_test(std::string_view text, bool reference);
std::string token_type_name_for_test(std::size_t type);

}  // namespace authz
