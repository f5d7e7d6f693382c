// parse_internal.h — what the files of the parse adapter (compiler/parse*.cpp)
// share: its resource caps, the token kinds looked up by their literal text,
// the state of one parse, and the entry point of each stage. Not a public
// header: only compiler/parse*.cpp include it (it includes ANTLR's headers;
// nothing else in the project may). The stages and their order are described
// in compiler/parse.cpp, the driver.
//
// Contract: every function here reports its problems to ParseState::sink
// with the codes parse.cpp lists, and never throws except std::bad_alloc and
// ANTLR's ParseCancellationException (which parse_file catches).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "AuthzLexer.h"
#include "AuthzParser.h"
#include "antlr4-runtime.h"

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/fast_parse.h"
#include "compiler/lexed_file.h"
#include "compiler/lexer.h"
#include "compiler/parse.h"

namespace authz::parse_detail {

using grammar::AuthzLexer;
using grammar::AuthzParser;
using antlr4::Token;

// Resource caps beyond kMaxFileBytes. ANTLR's tokens and parse trees cost a
// few hundred bytes per token, so the file is parsed in chunks of whole
// declarations (a chunk's tree is freed before the next is parsed), the
// token count is capped relative to the size cap (real policies average
// four to five bytes per token), and one chunk's tree is capped so that a
// single enormous declaration cannot take gigabytes.
constexpr std::size_t kMaxTokens = kMaxFileBytes / 2;
constexpr std::size_t kChunkTokens = 20'000;
constexpr std::size_t kMaxChunkTokens = 1u << 18;  // one declaration, at most
constexpr std::size_t kMaxSyntaxNodes = 1'000'000;
constexpr std::size_t kInvalidIndex = std::numeric_limits<std::size_t>::max();

// ---- stage 1: UTF-8 and the code point stream (parse_lex.cpp) -------------------

struct Utf8Error {
  std::uint32_t offset;
  std::string message;
};

// Strict UTF-8 (RFC 3629, runtime/internal/utf8.h): no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequences. Decodes while
// validating.
std::optional<Utf8Error> decode_utf8(std::string_view text, DecodedText& out);

// An ANTLR char stream over already-decoded code points (ANTLRInputStream
// would decode UTF-8 again and silently drop a BOM, shifting every offset).
class CodePointStream : public antlr4::ANTLRInputStream {
 public:
  explicit CodePointStream(const std::u32string& code_points) {
    _data = code_points;
    p = 0;
  }
};

// ---- token kinds by their literal text (parse_lex.cpp) --------------------------

// ANTLR names literal tokens T__0, T__1, ... in grammar order; looking them up
// by text keeps the adapter correct when the grammar gains a keyword.
struct TokenKinds {
  std::size_t semicolon, colon, dot, lparen, rparen, lbracket, rbracket, lbrace, rbrace;
  std::size_t bang, minus, less, greater;
  std::size_t kw_policy, kw_module, kw_allow, kw_deny, kw_grant, kw_true, kw_false, kw_now, kw_user, kw_args;
  std::unordered_set<std::size_t> keywords;         // every word-like literal
  std::unordered_set<std::size_t> item_starts;      // tokens that begin a declaration
  std::unordered_set<std::size_t> signature_words;  // declarations whose `( )` / `{ }` hold types
  std::unordered_set<std::size_t> expression_starts;
  std::unordered_map<std::string, std::size_t> by_literal;
  std::vector<FastTok> fast_kinds;  // token type -> the fast path's kind (compiler/fast_parse.h)

  std::size_t get(const std::string& literal) const {
    auto it = by_literal.find(literal);
    return it == by_literal.end() ? kInvalidIndex : it->second;
  }

  // The vocabulary is static data of the generated code; any lexer's will do.
  static const TokenKinds& instance(const antlr4::dfa::Vocabulary& vocabulary) {
    static const TokenKinds kinds = make(vocabulary);
    return kinds;
  }

 private:
  static TokenKinds make(const antlr4::dfa::Vocabulary& vocabulary);  // parse_lex.cpp
};

// ---- shared state of one parse ----------------------------------------------------

struct ParseState {
  FileId file;
  std::string_view bytes;
  std::string path;  // as diagnostics name the file
  DecodedText decoded;
  DiagnosticSink& sink;
  const TokenKinds* kinds = nullptr;
  // Code point starts of tokens whose syntax errors would only echo a lexer
  // error just reported (the token after a bad character, an unterminated
  // string and the token after it).
  std::unordered_set<std::size_t> quiet_starts;
  std::unordered_set<std::size_t> unterminated_strings;  // code point starts
  // Each merged doc token (by code point start) -> the `///` lines it holds.
  DocLines doc_lines;
  bool nesting_reported = false;
  std::size_t invisible_reports = 0;  // E0015 / W0003 reported in this file

  ParseOptions options;
  std::size_t errors_before = 0;    // the sink's counts when this file's parse began
  std::size_t warnings_before = 0;

  ParseState(FileId file_id, std::string_view text, DiagnosticSink& diagnostics, const ParseOptions& parse_options)
      : file(file_id), bytes(text), sink(diagnostics), options(parse_options),
        errors_before(diagnostics.error_count()), warnings_before(diagnostics.warning_count()) {}

  Span at(std::uint32_t begin, std::uint32_t end) const { return Span{file, begin, std::max(begin, end)}; }

  // Byte span of a token; conjured tokens (error recovery) have no position
  // and get an empty span at the start of the file.
  Span span_of(const Token* token) const {
    if (token == nullptr || token->getStartIndex() == kInvalidIndex) return at(0, 0);
    const std::size_t start = token->getStartIndex();
    const std::size_t stop = token->getStopIndex();
    const std::uint32_t begin = decoded.byte_at(start);
    if (stop == kInvalidIndex || stop + 1 < start) return at(begin, begin);
    return code_point_span(file, decoded, start, stop + 1);
  }

  Span span_of_range(std::size_t start, std::size_t end) const { return code_point_span(file, decoded, start, end); }

  std::string_view slice(const Span& span) const { return span_text(bytes, span); }

  std::string_view text_of(const Token* token) const { return slice(span_of(token)); }

  bool is_quiet(const Token* token) const {
    return token != nullptr && quiet_starts.count(token->getStartIndex()) != 0;
  }
};

// ---- stage 2: lexing (parse_lex.cpp) ---------------------------------------------

// The ANTLR token type of a lexed token (the end type is Token::EOF, which
// does not fit in 32 bits).
inline std::size_t antlr_type(const LexedToken& token) {
  return token.type == LexedToken::kEndType ? Token::EOF : token.type;
}

// One token as stage 2 consumes it, from either lexer: the hand-written one
// (compiler/lexer.h, used for every parse) or ANTLR's generated one (kept as
// the reference the hand-written one is tested against).
struct RawToken {
  std::size_t type;      // the grammar's token type; Token::EOF at the end
  std::uint32_t start;   // code point index
  std::uint32_t end;     // code point index, exclusive
  std::uint32_t line;
  std::uint32_t column;
};

// The next token of the hand-written lexer (compiler/lexer.h), and of the
// lexer ANTLR generates from the grammar (the reference it is tested against).
RawToken next_hand_lexed(const TokenKinds& k, Lexer& lexer, std::u32string_view text);
RawToken next_antlr_lexed(AuthzLexer& lexer);

// Lexes the whole file with the hand-written lexer into `tokens`, ending with
// the end token. Returns false when the parse must stop here (no header,
// token cap, too many errors); lexer errors alone do not stop it.
bool lex_all(ParseState& state, Lexer& lexer, std::vector<LexedToken>& tokens, bool& has_content,
             std::size_t& lexer_errors);

// ---- stage 3: nesting pre-scan (parse_lex.cpp) ------------------------------------

// Bounds how deep the recursive-descent parser will recurse: each open
// bracket, each prefix `!` / `-`, and each `<` of a type inside a declaration's
// signature costs one level. Returns false (after reporting E0006) when the
// file nests deeper than ast::kMaxNesting.
bool check_nesting(ParseState& state, const std::vector<LexedToken>& tokens);

// ---- stage 4: syntax errors in the user's terms (parse_syntax_errors.cpp) ---------

// ANTLR's recovery (single-token insertion and deletion, resynchronising at
// follow sets) with every report turned into an E0001 / E0013 diagnostic in
// the user's terms. Throws ParseCancellationException once the sink is full.
std::shared_ptr<antlr4::ANTLRErrorStrategy> make_reporting_error_strategy(
    ParseState& state, const antlr4::dfa::Vocabulary& vocabulary);

// Replaces ANTLR's ConsoleErrorListener. The error strategy reports parser
// errors itself and BAD_CHAR matches any character the lexer could reject, so
// this is a safety net that keeps ANTLR silent and still says something.
class FallbackErrorListener final : public antlr4::BaseErrorListener {
 public:
  explicit FallbackErrorListener(ParseState& state) : state_(state) {}

  void syntaxError(antlr4::Recognizer* recognizer, Token* offending, size_t, size_t, const std::string&,
                   std::exception_ptr) override;

 private:
  ParseState& state_;
};

// ---- stage 5: parse tree -> AST (parse_tree_decls.cpp, parse_tree_exprs.cpp) ------

// Adds the declarations of one chunk's parse tree (null: nothing) to `file`,
// decoding literals (E0008, E0009, E0010), reporting repeated clauses (E0411)
// and bounding left-nested chains by E0006.
void build_ast(ParseState& state, AuthzParser::File_Context* tree, ast::File& file);

}  // namespace authz::parse_detail
