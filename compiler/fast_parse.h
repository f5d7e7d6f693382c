// fast_parse.h — the front end's fast path: a recursive-descent parser over
// the lexed tokens that builds the ast::File directly, without ANTLR.
//
// Contract:
//   - It handles only files it is sure about, and DECLINES (returns false,
//     leaving `out` in an unspecified state for the caller to discard) at the
//     first token or literal it is not sure about: any syntax error, a
//     literal the ANTLR adapter would diagnose (bad escape E0008, bad
//     timestamp E0009, number out of range E0010), a repeated clause (E0411),
//     an expression deeper than ast::kMaxNesting (E0006), a token type it does
//     not know. compiler/parse.cpp then parses the file with ANTLR as before,
//     so every diagnostic comes from one place and grammar/Authz.g4 stays the
//     definition of the language.
//   - When it accepts, the File is identical in every field (spans, docs,
//     names, decoded literals, flags, order) to the one the ANTLR path
//     builds: both use the span, doc and literal helpers of
//     compiler/lexed_file.h and compiler/literals.h, and
//     tests/unit/fast_parse_test.cpp compares the two paths structurally on
//     the repository's policies, generated ones and random mutations.
//   - Never throws on any token sequence (besides std::bad_alloc) and
//     recurses at most ast::kMaxNesting levels.
// Why: ANTLR's parse, parse-tree walk and tree frees were ~80% of checking
// 100k generated rules (docs/performance.md, "Front end").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "compiler/ast.h"
#include "compiler/lexed_file.h"

namespace authz {

// Token kinds as the fast path sees them. The parse adapter maps each of the
// grammar's token types to one of these (fast_token_for_literal for literal
// tokens); anything unmapped is Other, on which the fast path declines.
enum class FastTok : std::uint8_t {
  End, Other, Ident, Int, String, Timestamp, Duration, Doc,
  // keywords (compiler/keywords.def), in one block: each may also be a field name
  KeywordsBegin_,
#define AUTHZ_KEYWORD(Name, spelling) Kw##Name,
#include "compiler/keywords.def"
  KeywordsEnd_,
  // punctuation
  Semicolon, Colon, Dot, Comma, LParen, RParen, LBracket, RBracket, LBrace, RBrace, Assign, Less, Greater,
  LessEqual, GreaterEqual, EqualEqual, NotEqual, Question, Bang, Minus, Plus, AndAnd, OrOr,
  Count_,  // how many kinds there are; not a token
};

// The kind of a literal token spelled `literal` (`policy`, `==`, ...), or
// Other when the fast path does not know it.
FastTok fast_token_for_literal(std::string_view literal);

struct FastParseInput {
  FileId file = kNoFile;
  std::string_view bytes;                         // the file's text
  const DecodedText* decoded = nullptr;           // code point -> byte offsets
  const std::vector<LexedToken>* tokens = nullptr;  // stage 2's tokens, ending with the end token
  const DocLines* doc_lines = nullptr;            // the `///` lines of each doc token
  const std::vector<FastTok>* kinds = nullptr;    // grammar token type -> kind; missing types are Other
};

// Parses the whole token list into `out` (whose `file` is already set).
// True: `out` is exactly what the ANTLR path would build, with no
// diagnostic. False: declined; parse with ANTLR instead.
bool fast_parse(const FastParseInput& input, ast::File& out);

}  // namespace authz
