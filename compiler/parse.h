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

std::unique_ptr<ast::File> parse_file(const SourceManager& sources, FileId file, DiagnosticSink& sink);

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
