// parse.cpp — the parse adapter: .authz text -> ast::File, the only file that
// includes ANTLR.
//
// Contract (see parse.h): never throws, never crashes, ANTLR prints nothing.
// Stages, each of which can end the parse with diagnostics:
//   1. size cap (E0005), UTF-8 validation (E0004) and a NUL byte (E0016, the
//      file is not text), on the raw bytes: each one diagnostic, then stop;
//   2. lexing everything up front into compact tokens: bad characters
//      (E0003), unterminated strings (E0002) and comments (E0007) become
//      diagnostics and leave the token stream; runs of `///` lines merge into
//      one doc token; a token cap bounds memory (E0005); an empty file is
//      E0011, one without a `policy` / `module` header E0012 (and the parse
//      stops: it is not a policy file); invisible and bidirectional
//      characters (compiler/invisible_chars.h) are E0015 in code and strings,
//      W0003 in comments, one per string or comment, at most 21 per file;
//   3. a nesting pre-scan over the tokens (E0006), so the recursive-descent
//      parser never recurses deeper than ast::kMaxNesting levels;
//   fast path: a file with no error so far is first given to the
//      ANTLR-free parser of compiler/fast_parse.h, which builds the same AST
//      directly; it declines at the first thing stage 4 or 5 would report
//      (or anything unusual), and only then do stages 4 and 5 run, unchanged;
//   4. ANTLR's parser, run over chunks of whole declarations so only one
//      chunk's parse tree exists at a time (a single oversized declaration is
//      E0005): first in SLL mode with a bail-out strategy (fast; almost every
//      chunk is valid), and only a chunk that fails again in LL mode with an
//      error strategy that turns ANTLR's recovery reports into E0001 / E0013
//      diagnostics in the user's terms;
//   5. a direct walk of each chunk's parse tree into the AST, decoding
//      literals (E0008, E0009, E0010), reporting repeated clauses (E0411) and
//      bounding left-nested chains (`a + b + ...`, `a.b.c...`) by E0006.
// Spans are byte offsets: ANTLR counts code points, so offsets are mapped back
// through the code point -> byte table built during UTF-8 validation.
#include "compiler/parse.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "AuthzLexer.h"
#include "AuthzParser.h"
#include "antlr4-runtime.h"

#include "compiler/fast_parse.h"
#include "compiler/invisible_chars.h"
#include "compiler/lexed_file.h"
#include "compiler/lexer.h"
#include "compiler/literals.h"
#include "runtime/internal/utf8.h"

namespace authz {
namespace {

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

// ---- UTF-8 and the code point stream ------------------------------------------

struct Utf8Error {
  std::uint32_t offset;
  std::string message;
};

// Why the sequence at `at` is not UTF-8, in words for the diagnostic.
std::string utf8_problem_words(std::string_view text, std::size_t at) {
  using runtime::internal::Utf8Problem;
  const std::string lead = hex_byte(static_cast<unsigned char>(text[at]));
  switch (runtime::internal::utf8_problem(text, at)) {
    case Utf8Problem::StrayContinuation: return "byte `" + lead + "` continues a character that never started";
    case Utf8Problem::OverlongLead: return "byte `" + lead + "` starts an overlong encoding";
    case Utf8Problem::ImpossibleByte: return "byte `" + lead + "` never occurs in UTF-8";
    case Utf8Problem::Truncated: return "the file ends in the middle of a character";
    case Utf8Problem::CutShort: return "character starting with `" + lead + "` is cut short";
    case Utf8Problem::Overlong: return "overlong encoding";
    case Utf8Problem::Surrogate: return "encoded UTF-16 surrogate";
    case Utf8Problem::AboveMaximum: return "code point above U+10FFFF";
    case Utf8Problem::None: break;
  }
  return "invalid byte `" + lead + "`";
}

// Strict UTF-8 (RFC 3629, runtime/internal/utf8.h): no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequences. Decodes while
// validating.
std::optional<Utf8Error> decode_utf8(std::string_view text, DecodedText& out) {
  std::size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = out.base = 3;  // a leading byte-order mark is not content
  const bool ascii = std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  out.code_points.reserve(text.size() - i);
  if (ascii) {
    for (; i < text.size(); ++i) out.code_points.push_back(static_cast<unsigned char>(text[i]));
    return std::nullopt;
  }
  out.byte_offsets.reserve(text.size() - i + 1);
  auto fail = [&](std::size_t at, std::string why) {
    return Utf8Error{static_cast<std::uint32_t>(at), "file is not valid UTF-8: " + std::move(why)};
  };
  while (i < text.size()) {
    const runtime::internal::Utf8Char decoded = runtime::internal::decode_utf8(text, i);
    if (decoded.length == 0) return fail(i, utf8_problem_words(text, i));
    out.code_points.push_back(decoded.code_point);
    out.byte_offsets.push_back(static_cast<std::uint32_t>(i));
    i += decoded.length;
  }
  out.byte_offsets.push_back(static_cast<std::uint32_t>(text.size()));
  return std::nullopt;
}

// An ANTLR char stream over already-decoded code points (ANTLRInputStream
// would decode UTF-8 again and silently drop a BOM, shifting every offset).
class CodePointStream : public antlr4::ANTLRInputStream {
 public:
  explicit CodePointStream(const std::u32string& code_points) {
    _data = code_points;
    p = 0;
  }
};

// ---- token kinds by their literal text ------------------------------------------

// ANTLR names literal tokens T__0, T__1, ... in grammar order; looking them up
// by text keeps this file correct when the grammar gains a keyword.
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
  static TokenKinds make(const antlr4::dfa::Vocabulary& vocabulary) {
    TokenKinds k{};
    for (std::size_t type = 1; type <= vocabulary.getMaxTokenType(); ++type) {
      std::string literal = vocabulary.getLiteralName(type);
      if (literal.size() < 3) continue;
      literal = literal.substr(1, literal.size() - 2);  // strip ANTLR's quotes
      k.by_literal[literal] = type;
      if (std::isalpha(static_cast<unsigned char>(literal[0]))) k.keywords.insert(type);
    }
    k.semicolon = k.get(";"), k.colon = k.get(":"), k.dot = k.get(".");
    k.lparen = k.get("("), k.rparen = k.get(")"), k.lbracket = k.get("[");
    k.rbracket = k.get("]"), k.lbrace = k.get("{"), k.rbrace = k.get("}"), k.bang = k.get("!");
    k.minus = k.get("-"), k.less = k.get("<"), k.greater = k.get(">");
    k.kw_policy = k.get("policy"), k.kw_module = k.get("module"), k.kw_allow = k.get("allow");
    k.kw_deny = k.get("deny"), k.kw_grant = k.get("grant"), k.kw_true = k.get("true");
    k.kw_false = k.get("false"), k.kw_now = k.get("now"), k.kw_user = k.get("user"), k.kw_args = k.get("args");
    for (const char* word : {"use", "principal", "entity", "record", "role", "tool", "resource", "prompt", "group",
                             "obligation", "allow", "deny", "grant", "default"}) {
      k.item_starts.insert(k.get(word));
    }
    for (const char* word : {"principal", "entity", "record", "tool", "prompt", "obligation"}) {
      k.signature_words.insert(k.get(word));
    }
    for (const char* word : {"true", "false", "now", "user", "args", "(", "["}) k.expression_starts.insert(k.get(word));
    for (std::size_t type : {AuthzParser::INT, AuthzParser::STRING, AuthzParser::TIMESTAMP, AuthzParser::DURATION,
                             AuthzParser::IDENT}) {
      k.expression_starts.insert(type);
    }
    k.fast_kinds.assign(vocabulary.getMaxTokenType() + 1, FastTok::Other);
    for (const auto& [literal, type] : k.by_literal) k.fast_kinds[type] = fast_token_for_literal(literal);
    k.fast_kinds[AuthzLexer::IDENT] = FastTok::Ident;
    k.fast_kinds[AuthzLexer::INT] = FastTok::Int;
    k.fast_kinds[AuthzLexer::STRING] = FastTok::String;
    k.fast_kinds[AuthzLexer::TIMESTAMP] = FastTok::Timestamp;
    k.fast_kinds[AuthzLexer::DURATION] = FastTok::Duration;
    k.fast_kinds[AuthzLexer::DOC_COMMENT] = FastTok::Doc;
    return k;
  }
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

// ---- stage 2: lexing ------------------------------------------------------------

std::string bad_character_help(std::string_view character) {
  if (character == "'") return "strings are written in double quotes: `\"text\"`";
  if (character == "&") return "write `&&` for a logical and";
  if (character == "|") return "write `||` for a logical or";
  if (character == "#") return "comments start with `//`";
  if (character == "/" || character == "*") return "comments are `// ...` or `/* ... */`";
  if (character == "\xE2\x80\x9C" || character == "\xE2\x80\x9D") return "use a plain double quote `\"`";
  if (character == "\xE2\x80\x98" || character == "\xE2\x80\x99") return "strings are written in plain double quotes: `\"text\"`";
  const unsigned char first = static_cast<unsigned char>(character.empty() ? 0 : character[0]);
  if (first < 0x20 || first == 0x7F) return "the file contains a control character; is it a binary file?";
  if (first >= 0x80) return "outside strings and comments only ASCII letters, digits and punctuation are allowed";
  return {};
}

std::string describe_bad_character(std::string_view character) {
  const unsigned char first = static_cast<unsigned char>(character.empty() ? 0 : character[0]);
  if (first < 0x20 || first == 0x7F) return "`" + hex_byte(first) + "`";
  if (first < 0x80) return "`" + std::string(character) + "`";
  // Name the code point too: many look alike (quotes, spaces, dashes).
  char32_t cp = first & (first >= 0xF0 ? 0x07 : first >= 0xE0 ? 0x0F : 0x1F);
  for (std::size_t i = 1; i < character.size(); ++i) cp = (cp << 6) | (static_cast<unsigned char>(character[i]) & 0x3F);
  char code[16];
  std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
  return "`" + std::string(character) + "` (" + code + ")";
}

// The ANTLR token type of a lexed token (the end type is Token::EOF, which
// does not fit in 32 bits).
std::size_t antlr_type(const LexedToken& token) {
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

// The grammar's token type of a hand-lexed token; words and punctuation are
// looked up by their text (a word that is no keyword is an IDENT).
std::size_t grammar_type(const TokenKinds& k, const LexToken& token, std::u32string_view text) {
  switch (token.kind) {
    case LexKind::Word:
    case LexKind::Punct: {
      constexpr std::size_t kLongestLiteral = 16;
      if (token.end - token.start <= kLongestLiteral) {
        char spelled[kLongestLiteral];
        for (std::uint32_t i = token.start; i < token.end; ++i) spelled[i - token.start] = static_cast<char>(text[i]);
        auto it = k.by_literal.find(std::string(spelled, token.end - token.start));
        if (it != k.by_literal.end()) return it->second;
      }
      return token.kind == LexKind::Word ? AuthzLexer::IDENT : AuthzLexer::BAD_CHAR;
    }
    case LexKind::Timestamp: return AuthzLexer::TIMESTAMP;
    case LexKind::Duration: return AuthzLexer::DURATION;
    case LexKind::Int: return AuthzLexer::INT;
    case LexKind::String: return AuthzLexer::STRING;
    case LexKind::UnterminatedString: return AuthzLexer::UNTERMINATED_STRING;
    case LexKind::DocComment: return AuthzLexer::DOC_COMMENT;
    case LexKind::UnterminatedComment: return AuthzLexer::UNTERMINATED_COMMENT;
    case LexKind::BadChar: return AuthzLexer::BAD_CHAR;
    case LexKind::End: return Token::EOF;
  }
  return AuthzLexer::BAD_CHAR;
}

RawToken next_hand_lexed(const TokenKinds& k, Lexer& lexer, std::u32string_view text) {
  const LexToken token = lexer.next();
  return {grammar_type(k, token, text), token.start, token.end, token.line, token.column};
}

RawToken next_antlr_lexed(AuthzLexer& lexer) {
  const std::unique_ptr<Token> token = lexer.nextToken();
  const auto start = static_cast<std::uint32_t>(token->getStartIndex());
  const auto end = static_cast<std::uint32_t>(token->getStopIndex() + 1);  // EOF: stop is start - 1
  return {token->getType(), start, std::max(start, end), static_cast<std::uint32_t>(token->getLine()),
          static_cast<std::uint32_t>(token->getCharPositionInLine())};
}

// ---- invisible and bidirectional characters ("Trojan Source") -----------------

// One file reports at most this many E0015 / W0003, then one that says so.
constexpr std::size_t kMaxInvisibleReports = 20;

enum class InvisiblePlace { Code, String, Comment };

// Reports the first invisible character (compiler/invisible_chars.h) among
// code points [from, to), which all lie in one `place`, and counts the rest
// in a note: one diagnostic per string or comment line, not per character.
void report_invisible(ParseState& state, std::size_t from, std::size_t to, InvisiblePlace place);

// Comments between two tokens get one report per line they are on.
void report_invisible_in_comments(ParseState& state, std::size_t from, std::size_t to) {
  const std::u32string& text = state.decoded.code_points;
  while (from < to && state.invisible_reports <= kMaxInvisibleReports) {
    std::size_t line_end = from;
    while (line_end < to && text[line_end] != '\n') ++line_end;
    report_invisible(state, from, line_end, InvisiblePlace::Comment);
    from = line_end + 1;
  }
}

void report_invisible(ParseState& state, std::size_t from, std::size_t to, InvisiblePlace place) {
  const std::u32string& text = state.decoded.code_points;
  std::size_t first = from;
  while (first < to && !is_invisible_char(text[first])) ++first;
  if (first >= to || state.invisible_reports > kMaxInvisibleReports) return;
  std::size_t more = 0;
  for (std::size_t i = first + 1; i < to; ++i) more += is_invisible_char(text[i]) ? 1 : 0;
  const DiagCode code = place == InvisiblePlace::Comment ? DiagCode::InvisibleCharacterInComment
                                                         : DiagCode::InvisibleCharacter;
  const Span span = state.span_of_range(first, first + 1);
  if (++state.invisible_reports > kMaxInvisibleReports) {
    state.sink.report(code, span,
                      "more invisible or bidirectional characters follow; only the first " +
                          std::to_string(kMaxInvisibleReports) + " in this file are reported",
                      "remove them all; `authzc check` names each one as it is removed");
    return;
  }
  const std::string character = describe_invisible_char(text[first]);
  std::string message;
  std::string help;
  std::string_view where;
  switch (place) {
    case InvisiblePlace::Code:
      message = "invisible character " + character + " outside strings and comments";
      help = "delete it: it hides or reorders the code around it, so a reader sees something else than the compiler";
      break;
    case InvisiblePlace::String:
      message = "string contains the invisible character " + character;
      help = "delete it: a reader sees a different string than the compiler; if the character is wanted, "
             "write it as an escape a reader can see";
      where = "string";
      break;
    case InvisiblePlace::Comment:
      message = "comment contains the invisible character " + character;
      help = "delete it: it can make the code around the comment read differently from what the compiler sees";
      where = "comment";
      break;
  }
  if (place == InvisiblePlace::String) {
    char escape[16];
    if (text[first] <= 0xFFFF) {
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(text[first]));
      help += ", like `" + std::string(escape) + "`";
    }
  }
  Diagnostic& diagnostic = state.sink.report(code, span, std::move(message), std::move(help));
  if (more > 0) {
    diagnostic.notes.push_back({Span{}, std::to_string(more) + " more invisible or bidirectional character" +
                                            (more == 1 ? "" : "s") + " in this " + std::string(where)});
  }
}

// Lexes the whole file. Returns false when the parse must stop here (token cap,
// too many errors); lexer errors alone do not stop it.
template <typename NextToken>
bool lex_all(ParseState& state, NextToken next_token, std::vector<LexedToken>& tokens, bool& has_content,
             std::size_t& lexer_errors) {
  bool quiet_next = false;
  auto push = [&](const RawToken& token, std::size_t type) {
    if (quiet_next) state.quiet_starts.insert(token.start);
    quiet_next = false;
    tokens.push_back({static_cast<std::uint32_t>(type), token.start, token.end, token.line, token.column});
  };
  // Only text with a non-ASCII character can hold an invisible one; one pass
  // over the code points decides whether the per-token checks run at all.
  const bool check_invisible =
      !state.decoded.byte_offsets.empty() &&
      std::any_of(state.decoded.code_points.begin(), state.decoded.code_points.end(),
                  [](char32_t c) { return c >= 0x85 && is_invisible_char(c); });
  std::uint32_t previous_end = 0;
  bool header_seen = false;
  for (;;) {
    const RawToken token = next_token();
    const std::size_t type = token.type;
    const Span span = state.span_of_range(token.start, token.end);
    // The first token (doc comments aside) must start a header; otherwise
    // this is not policy text, and one E0012 is all it gets: lexing stops
    // before its characters can become an error (and an excerpt) each.
    if (!header_seen && type != AuthzLexer::DOC_COMMENT && type != AuthzLexer::UNTERMINATED_COMMENT &&
        type != Token::EOF) {
      if (type != state.kinds->kw_policy && type != state.kinds->kw_module) {
        state.sink.report(DiagCode::MissingHeader, span, "file has no `policy` or `module` header",
                          "start the file with `policy NAME;` for a policy, or `module NAME;` for a library");
        return false;
      }
      header_seen = true;
    }
    if (check_invisible) {
      // Between two tokens there is only whitespace and comments (anything
      // else is a token), so an invisible character there is in a comment.
      report_invisible_in_comments(state, previous_end, token.start);
      if (type == AuthzLexer::STRING || type == AuthzLexer::UNTERMINATED_STRING) {
        report_invisible(state, token.start, token.end, InvisiblePlace::String);
      } else if (type == AuthzLexer::DOC_COMMENT || type == AuthzLexer::UNTERMINATED_COMMENT) {
        report_invisible_in_comments(state, token.start, token.end);
      }
      previous_end = token.end;
    }
    if (type == AuthzLexer::BAD_CHAR && check_invisible && token.end == token.start + 1 &&
        is_invisible_char(state.decoded.code_points[token.start])) {
      report_invisible(state, token.start, token.end, InvisiblePlace::Code);
      ++lexer_errors;
      quiet_next = true;
    } else if (type == AuthzLexer::BAD_CHAR) {
      const std::string_view character = state.slice(span);
      state.sink.report(DiagCode::InvalidCharacter, span, "invalid character " + describe_bad_character(character),
                        bad_character_help(character));
      ++lexer_errors;
      quiet_next = true;
    } else if (type == AuthzLexer::UNTERMINATED_STRING) {
      state.sink.report(DiagCode::UnterminatedString, span, "string is missing its closing `\"`",
                        "add the closing `\"` before the end of the line");
      ++lexer_errors;
      // Parse on as if it were closed, and keep quiet about the token after it.
      state.unterminated_strings.insert(token.start);
      state.quiet_starts.insert(token.start);
      push(token, AuthzLexer::STRING);
      quiet_next = true;
      has_content = true;
    } else if (type == AuthzLexer::UNTERMINATED_COMMENT) {
      state.sink.report(DiagCode::UnterminatedComment, state.at(span.begin, span.begin + 2),
                        "block comment is never closed", "close it with `*/`");
      ++lexer_errors;
    } else if (type == AuthzLexer::DOC_COMMENT) {
      if (!tokens.empty() && tokens.back().type == AuthzLexer::DOC_COMMENT) {
        // One token per run of `///` lines: the parser sees one doc, and a
        // misplaced doc comment is one error however many lines it has.
        tokens.back().end = token.end;
        state.doc_lines[tokens.back().start].push_back(span);
      } else {
        state.doc_lines[token.start].push_back(span);
        push(token, type);
      }
    } else {
      if (type != Token::EOF) has_content = true;
      push(token, type);
      if (type == Token::EOF) return true;
    }
    if (tokens.size() > kMaxTokens) {
      state.sink.report(DiagCode::FileTooLarge, span,
                        "file has more than " + std::to_string(kMaxTokens) + " tokens",
                        "split the policy into several files and `use` them");
      return false;
    }
    if (state.sink.error_count() > DiagnosticSink::kMaxErrors) return false;
  }
}

// ---- stage 3: nesting pre-scan ------------------------------------------------------

// Bounds how deep the recursive-descent parser will recurse: each open
// bracket, each prefix `!` / `-`, and each `<` of a type inside a declaration's
// signature costs one level. Returns false (after reporting E0006) when the
// file nests deeper than ast::kMaxNesting.
bool check_nesting(ParseState& state, const std::vector<LexedToken>& tokens) {
  const TokenKinds& k = *state.kinds;
  std::vector<int> open;  // per open bracket: the levels it added
  int brackets = 0, prefix_run = 0, angles = 0;
  bool in_signature = false;
  auto ends_operand = [&](std::size_t index) {
    if (index == 0) return false;
    const std::size_t type = tokens[index - 1].type;
    if (type == AuthzLexer::IDENT || type == AuthzLexer::INT || type == AuthzLexer::STRING ||
        type == AuthzLexer::TIMESTAMP || type == AuthzLexer::DURATION || type == k.rparen || type == k.rbracket ||
        type == k.kw_true || type == k.kw_false || type == k.kw_now || type == k.kw_user || type == k.kw_args) {
      return true;
    }
    return k.keywords.count(type) != 0 && index >= 2 && tokens[index - 2].type == k.dot;  // `args.from - x`
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::size_t type = tokens[i].type;
    int depth = 0;
    if (type == k.lparen || type == k.lbracket || type == k.lbrace) {
      open.push_back(prefix_run + 1);
      brackets += prefix_run + 1;
      prefix_run = 0;
      depth = brackets + angles;
    } else if (type == k.rparen || type == k.rbracket || type == k.rbrace) {
      if (!open.empty()) brackets -= open.back(), open.pop_back();
      prefix_run = 0;
    } else if (type == k.bang || (type == k.minus && !ends_operand(i))) {
      ++prefix_run;
      depth = brackets + prefix_run + angles;
    } else {
      prefix_run = 0;
      const bool after_dot = i > 0 && tokens[i - 1].type == k.dot;
      const bool before_colon = i + 1 < tokens.size() && tokens[i + 1].type == k.colon;
      if (!after_dot && !before_colon && k.signature_words.count(type) != 0) {
        in_signature = true, angles = 0;
      } else if (!after_dot && !before_colon && (type == k.kw_allow || type == k.kw_deny || type == k.kw_grant)) {
        in_signature = false, angles = 0;  // `<` in rule conditions compares
      } else if (in_signature && type == k.less) {
        ++angles;
        depth = brackets + angles;
      } else if (in_signature && type == k.greater && angles > 0) {
        --angles;
      }
    }
    if (depth > ast::kMaxNesting) {
      state.sink.report(DiagCode::NestingTooDeep, state.span_of_range(tokens[i].start, tokens[i].end),
                        "nested more than " + std::to_string(ast::kMaxNesting) + " levels deep",
                        "flatten it: name the parts as separate rules, or use `&&` / `||` chains instead of "
                        "nested parentheses");
      return false;
    }
  }
  return true;
}

// ---- stage 4: syntax errors in the user's terms -------------------------------------------

std::string join_alternatives(const std::vector<std::string>& phrases) {
  constexpr std::size_t kShown = 8;
  std::string out;
  const std::size_t shown = std::min(phrases.size(), kShown);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += (i + 1 == shown && phrases.size() <= kShown) ? " or " : ", ";
    out += phrases[i];
  }
  if (phrases.size() > kShown) out += ", ...";
  return out;
}

class SyntaxReporter {
 public:
  SyntaxReporter(ParseState& state, const antlr4::dfa::Vocabulary& vocabulary)
      : state_(state), vocabulary_(vocabulary), k_(*state.kinds) {}

  // What the parser expected, as the user would write it.
  std::vector<std::string> describe(const antlr4::misc::IntervalSet& expected) const {
    std::vector<std::size_t> types;
    bool eof = false;
    for (ssize_t value : expected.toList()) {
      if (value < 0) eof = true;
      else types.push_back(static_cast<std::size_t>(value));
    }
    auto has = [&](std::size_t type) { return std::find(types.begin(), types.end(), type) != types.end(); };
    auto has_all = [&](const std::unordered_set<std::size_t>& set) {
      return std::all_of(set.begin(), set.end(), has);
    };
    auto drop = [&](auto predicate) { types.erase(std::remove_if(types.begin(), types.end(), predicate), types.end()); };
    // An attribute name may be any keyword; "a name" says it without listing 40 words.
    if (has(AuthzLexer::IDENT) &&
        std::count_if(types.begin(), types.end(), [&](std::size_t t) { return k_.keywords.count(t) != 0; }) >= 10) {
      drop([&](std::size_t t) { return k_.keywords.count(t) != 0; });
    }
    std::vector<std::string> phrases;
    if (has_all(k_.item_starts)) {
      phrases.push_back("a declaration");
      drop([&](std::size_t t) { return k_.item_starts.count(t) != 0 || t == AuthzLexer::DOC_COMMENT; });
    }
    if (has_all(k_.expression_starts)) {
      phrases.push_back("an expression");
      drop([&](std::size_t t) { return k_.expression_starts.count(t) != 0 || t == k_.bang || t == k_.minus; });
    }
    std::vector<std::string> classes;
    for (std::size_t type : types) {
      switch (type) {
        case AuthzLexer::IDENT: classes.push_back("a name"); break;
        case AuthzLexer::STRING: classes.push_back("a string"); break;
        case AuthzLexer::INT: classes.push_back("an integer"); break;
        case AuthzLexer::TIMESTAMP: classes.push_back("a timestamp"); break;
        case AuthzLexer::DURATION: classes.push_back("a duration"); break;
        case AuthzLexer::DOC_COMMENT: classes.push_back("a doc comment"); break;
        default: {
          std::string literal = vocabulary_.getLiteralName(type);
          if (literal.size() >= 3) phrases.push_back("`" + literal.substr(1, literal.size() - 2) + "`");
        }
      }
    }
    phrases.insert(phrases.end(), classes.begin(), classes.end());
    if (eof) phrases.push_back("the end of the file");
    return phrases;
  }

  std::string describe(const Token* token) const {
    if (token->getType() == Token::EOF) return "end of file";
    return quote(state_.text_of(token));
  }

  // One syntax error. `missing` is ANTLR's "a token is missing here" report.
  void report(antlr4::Parser* parser, Token* offending, const antlr4::misc::IntervalSet& expected, bool missing) {
    if (offending == nullptr || state_.is_quiet(offending)) return;
    antlr4::TokenStream* stream = parser->getTokenStream();
    const std::size_t index = offending->getTokenIndex();
    if (is_cascade(stream, index)) return;
    Token* previous = index != kInvalidIndex && index > 0 ? stream->get(index - 1) : nullptr;
    Token* next = index != kInvalidIndex && index + 1 < stream->size() ? stream->get(index + 1) : nullptr;
    const std::size_t type = offending->getType();
    const std::vector<std::string> phrases = describe(expected);
    // A doc comment followed by a declaration starts the next declaration
    // (the one before probably lacks its `;`); any other is misplaced.
    const bool doc_starts_item = type == AuthzLexer::DOC_COMMENT && next != nullptr &&
                                 k_.item_starts.count(next->getType()) != 0;
    const bool starts_something_new = type == Token::EOF || doc_starts_item || k_.item_starts.count(type) != 0 ||
                                      (previous != nullptr && offending->getLine() > previous->getLine());
    const bool wants_semicolon = expected.contains(k_.semicolon);

    if (previous != nullptr && previous->getType() == AuthzLexer::DOC_COMMENT && type != AuthzLexer::DOC_COMMENT &&
        k_.item_starts.count(type) == 0) {
      // `/// text` followed by something that takes no doc comment.
      misplaced_doc(previous);
    } else if (previous != nullptr && !phrases.empty() && (type != AuthzLexer::DOC_COMMENT || doc_starts_item) &&
               (missing || phrases.size() == 1 || (wants_semicolon && starts_something_new))) {
      const std::string what = wants_semicolon ? "`;`" : join_alternatives(phrases);
      const Span after = state_.span_of(previous);
      std::string help;
      if (phrases.size() > 1 && wants_semicolon) help = "or continue with " + join_others(phrases, "`;`");
      if (what == "a timestamp") help = "timestamps look like `2026-01-01T00:00:00Z` (UTC) or `2026-01-01T09:00:00+02:00`";
      state_.sink.report(DiagCode::SyntaxError, state_.at(after.end, after.end),
                         "expected " + what + " after " + describe(previous), std::move(help));
    } else if (type == AuthzLexer::DOC_COMMENT) {
      misplaced_doc(offending);
    } else if ((type == k_.kw_policy || type == k_.kw_module) && previous != nullptr) {
      state_.sink.report(DiagCode::SyntaxError, state_.span_of(offending),
                         "unexpected " + describe(offending) + " header",
                         "a file has one `policy NAME;` or `module NAME;` line, at its top");
    } else {
      std::string help = phrases.empty() ? std::string() : "expected " + join_alternatives(phrases);
      const std::string_view text = state_.text_of(offending);
      if (text == "=" && !expected.contains(type)) help = "write `==` to compare values";
      if (text == "and") help = "write `&&` for a logical and";
      if (text == "or") help = "write `||` for a logical or";
      if (text == "not") help = "write `!` for a logical not";
      state_.sink.report(DiagCode::SyntaxError, state_.span_of(offending), "unexpected " + describe(offending),
                         std::move(help));
    }
    // The sink stops recording after its limit; stop parsing too.
    if (state_.sink.error_count() > DiagnosticSink::kMaxErrors) throw antlr4::ParseCancellationException();
  }

 private:
  // After one error, ANTLR's recovery often trips again within the same
  // declaration; those follow-on errors only restate the first. A later error
  // is reported only when a `;` or a declaration keyword lies between the last
  // reported error's token (inclusive) and its own.
  bool is_cascade(antlr4::TokenStream* stream, std::size_t index) {
    if (index == kInvalidIndex) return false;
    const bool first = last_error_index_ == kInvalidIndex;
    bool cascade = !first && index <= last_error_index_;
    if (!first && index > last_error_index_) {
      cascade = true;
      for (std::size_t i = last_error_index_; i < index; ++i) {
        const std::size_t type = stream->get(i)->getType();
        if (type == k_.semicolon || k_.item_starts.count(type) != 0) {
          cascade = false;
          break;
        }
      }
    }
    last_error_index_ = std::max(first ? index : last_error_index_, index);
    return cascade;
  }

  // E0013 at the first line of a (merged) doc comment token.
  void misplaced_doc(const Token* doc) {
    Span first_line = state_.span_of(doc);
    auto lines = state_.doc_lines.find(doc->getStartIndex());
    if (lines != state_.doc_lines.end() && !lines->second.empty()) first_line = lines->second.front();
    state_.sink.report(DiagCode::MisplacedDocComment, first_line, "doc comment does not document anything here",
                       "`///` documents the declaration right after it; use `//` for a plain comment");
  }

  static std::string join_others(const std::vector<std::string>& phrases, const std::string& except) {
    std::vector<std::string> others;
    for (const std::string& phrase : phrases) {
      if (phrase != except) others.push_back(phrase);
    }
    return join_alternatives(others);
  }

  ParseState& state_;
  const antlr4::dfa::Vocabulary& vocabulary_;
  const TokenKinds& k_;
  std::size_t last_error_index_ = kInvalidIndex;  // token index of the last reported syntax error
};

// ANTLR's recovery (single-token insertion and deletion, resynchronising at
// follow sets) with every report routed to SyntaxReporter.
class ReportingErrorStrategy final : public antlr4::DefaultErrorStrategy {
 public:
  explicit ReportingErrorStrategy(SyntaxReporter& reporter) : reporter_(reporter) {}

  void reportError(antlr4::Parser* parser, const antlr4::RecognitionException& e) override {
    if (inErrorRecoveryMode(parser)) return;
    beginErrorCondition(parser);
    Token* offending = e.getOffendingToken() != nullptr ? e.getOffendingToken() : parser->getCurrentToken();
    antlr4::misc::IntervalSet expected;
    auto* no_viable = dynamic_cast<const antlr4::NoViableAltException*>(&e);
    // A prediction that failed some tokens after its start knows what could
    // start the construct, not what could come at the offending token: say
    // only what is unexpected rather than mislead.
    const bool failed_later = no_viable != nullptr && no_viable->getStartToken() != nullptr &&
                              offending != nullptr && no_viable->getStartToken() != offending;
    if (!failed_later) {
      try {
        expected = e.getExpectedTokens();
      } catch (const std::exception&) {
        // No expectation to show; the error itself is still worth reporting.
      }
    }
    reporter_.report(parser, offending, expected, false);
  }

 protected:
  void reportUnwantedToken(antlr4::Parser* parser) override {
    if (inErrorRecoveryMode(parser)) return;
    beginErrorCondition(parser);
    reporter_.report(parser, parser->getCurrentToken(), getExpectedTokens(parser), false);
  }

  void reportMissingToken(antlr4::Parser* parser) override {
    if (inErrorRecoveryMode(parser)) return;
    beginErrorCondition(parser);
    reporter_.report(parser, parser->getCurrentToken(), getExpectedTokens(parser), true);
  }

 private:
  SyntaxReporter& reporter_;
};

// Replaces ANTLR's ConsoleErrorListener. The error strategy reports parser
// errors itself and BAD_CHAR matches any character the lexer could reject, so
// this is a safety net that keeps ANTLR silent and still says something.
class FallbackErrorListener final : public antlr4::BaseErrorListener {
 public:
  explicit FallbackErrorListener(ParseState& state) : state_(state) {}

  void syntaxError(antlr4::Recognizer* recognizer, Token* offending, size_t, size_t, const std::string&,
                   std::exception_ptr) override {
    if (offending != nullptr) {
      if (!state_.is_quiet(offending)) {
        state_.sink.report(DiagCode::SyntaxError, state_.span_of(offending),
                           "unexpected " + quote(state_.text_of(offending)));
      }
      return;
    }
    if (auto* lexer = dynamic_cast<antlr4::Lexer*>(recognizer)) {
      const std::uint32_t begin = state_.decoded.byte_at(lexer->tokenStartCharIndex);
      state_.sink.report(DiagCode::InvalidCharacter, state_.at(begin, begin + 1), "invalid character");
    }
  }

 private:
  ParseState& state_;
};

// ---- stage 5: parse tree -> AST -------------------------------------------------------------

using Ctx = antlr4::ParserRuleContext;
using P = AuthzParser;

class AstBuilder {
 public:
  AstBuilder(ParseState& state, ast::File& file) : state_(state), k_(*state.kinds), file_(file) {}

  void build(P::File_Context* tree) {
    if (tree == nullptr) return;
    if (auto* header = tree->header()) {
      file_.has_header = true;
      file_.is_module = header->kind != nullptr && header->kind->getType() == k_.kw_module;
      file_.name = qualified_name(header->qualifiedName());
      file_.header_span = span(header);
    }
    for (P::ItemContext* item : tree->item()) {
      // Dispatch on the one child's rule index: the generated accessors
      // (`item->useDecl()`, ...) each dynamic_cast every child, thirteen
      // times per declaration. Declaration rules have no labelled
      // alternatives, so the static casts are exact.
      if (item == nullptr || item->children.empty()) continue;
      auto* c = dynamic_cast<Ctx*>(item->children.front());
      if (c == nullptr) continue;
      switch (c->getRuleIndex()) {
        case P::RuleUseDecl: use_decl(static_cast<P::UseDeclContext*>(c)); break;
        case P::RulePrincipalDecl: {
          auto* d = static_cast<P::PrincipalDeclContext*>(c);
          record(ast::RecordKind::Principal, d, d->name(), d->fieldList(), d->doc());
          break;
        }
        case P::RuleEntityDecl: {
          auto* d = static_cast<P::EntityDeclContext*>(c);
          record(ast::RecordKind::Entity, d, d->name(), d->fieldList(), d->doc());
          break;
        }
        case P::RuleRecordDecl: {
          auto* d = static_cast<P::RecordDeclContext*>(c);
          record(ast::RecordKind::Record, d, d->name(), d->fieldList(), d->doc());
          break;
        }
        case P::RuleRoleDecl: role(static_cast<P::RoleDeclContext*>(c)); break;
        case P::RuleToolDecl: tool(static_cast<P::ToolDeclContext*>(c)); break;
        case P::RuleResourceDecl: resource(static_cast<P::ResourceDeclContext*>(c)); break;
        case P::RulePromptDecl: prompt(static_cast<P::PromptDeclContext*>(c)); break;
        case P::RuleGroupDecl: group(static_cast<P::GroupDeclContext*>(c)); break;
        case P::RuleObligationDecl: obligation(static_cast<P::ObligationDeclContext*>(c)); break;
        case P::RuleRuleDecl: rule(static_cast<P::RuleDeclContext*>(c)); break;
        case P::RuleGrantDecl: grant(static_cast<P::GrantDeclContext*>(c)); break;
        case P::RuleDefaultDecl: default_decl(static_cast<P::DefaultDeclContext*>(c)); break;
        default: break;
      }
    }
  }

 private:
  // ---- spans and names ----

  Span span(const Token* token) const { return state_.span_of(token); }

  Span span(Ctx* ctx) const {
    if (ctx == nullptr) return state_.at(0, 0);
    const Span start = span(ctx->getStart());
    const Token* stop = ctx->getStop();
    if (stop == nullptr || stop->getStartIndex() == kInvalidIndex || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) {
      return state_.at(start.begin, start.begin);
    }
    return state_.at(start.begin, span(stop).end);
  }

  Span join(const Span& first, const Span& last) const { return state_.at(first.begin, std::max(first.end, last.end)); }

  // A declaration's span starts at its keyword: its doc comment has its own span.
  Span decl_span(Ctx* ctx) const {
    const Span whole = span(ctx);
    for (antlr4::tree::ParseTree* child : ctx->children) {
      if (dynamic_cast<P::DocContext*>(child) != nullptr) continue;
      if (auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
        return state_.at(span(terminal->getSymbol()).begin, whole.end);
      }
      if (auto* rule = dynamic_cast<Ctx*>(child)) return state_.at(span(rule).begin, whole.end);
    }
    return whole;
  }

  std::string text(const Token* token) const { return std::string(state_.text_of(token)); }

  ast::Name name(P::NameContext* ctx) const {
    if (ctx == nullptr || ctx->IDENT() == nullptr) return {span(ctx), {}};
    const Token* token = ctx->IDENT()->getSymbol();
    return {span(token), text(token)};
  }

  ast::Name field_name(P::FieldNameContext* ctx) const {
    if (ctx == nullptr) return {span(ctx), {}};
    const Token* token = ctx->getStart();
    return {span(token), text(token)};
  }

  // `get_account` or `"get-sum"`: both give the name itself.
  ast::Name target_name(P::TargetNameContext* ctx) {
    if (ctx == nullptr) return {span(ctx), {}};
    if (ctx->STRING() != nullptr) {
      const Token* token = ctx->STRING()->getSymbol();
      return {span(token), string_literal(token)};
    }
    if (ctx->IDENT() != nullptr) return {span(ctx->IDENT()->getSymbol()), text(ctx->IDENT()->getSymbol())};
    return {span(ctx), {}};
  }

  std::string qualified_name(P::QualifiedNameContext* ctx) const {
    std::string dotted;
    if (ctx == nullptr) return dotted;
    for (P::NameContext* part : ctx->name()) {
      if (!dotted.empty()) dotted += '.';
      dotted += name(part).text;
    }
    return dotted;
  }

  std::optional<ast::Doc> doc(P::DocContext* ctx) const {
    if (ctx == nullptr) return std::nullopt;
    ast::Doc doc;
    doc.span = span(ctx);
    bool first = true;
    for (antlr4::tree::TerminalNode* node : ctx->DOC_COMMENT()) {
      auto lines = state_.doc_lines.find(node->getSymbol()->getStartIndex());
      if (lines == state_.doc_lines.end()) continue;
      append_doc_lines(state_.bytes, lines->second, doc.text, first);
    }
    return doc;
  }

  // ---- literals ----

  // Reports the problems a literal decoder found in `token`.
  void report(const Token* token, const std::vector<LiteralProblem>& problems) {
    const Span whole = span(token);
    for (const LiteralProblem& p : problems) {
      state_.sink.report(p.code, state_.at(whole.begin + p.begin, whole.begin + p.end), p.message, p.help);
    }
  }

  // Decodes `token`'s text with `decode` (a decoder of compiler/literals.h,
  // called as `decode(text, value, &problems)`) and reports its problems.
  template <typename Value, typename Decode>
  Value decode_literal(const Token* token, Decode decode) {
    Value value{};
    std::vector<LiteralProblem> problems;
    decode(state_.text_of(token), value, &problems);
    report(token, problems);
    return value;
  }

  std::string string_literal(const Token* token) {
    const bool unterminated = state_.unterminated_strings.count(token->getStartIndex()) != 0;
    return decode_literal<std::string>(
        token, [unterminated](std::string_view raw, std::string& out, std::vector<LiteralProblem>* problems) {
          return decode_string_literal(raw, unterminated, out, problems);
        });
  }

  std::int64_t int_literal(const Token* token) { return decode_literal<std::int64_t>(token, decode_int_literal); }

  std::int64_t duration_literal(const Token* token) {
    return decode_literal<std::int64_t>(token, decode_duration_literal);
  }

  std::int64_t timestamp_literal(const Token* token) {
    return decode_literal<std::int64_t>(token, decode_timestamp_literal);
  }

  ast::TimeBound time_bound(antlr4::tree::TerminalNode* timestamp, Ctx* clause) {
    if (timestamp == nullptr) return {span(clause), 0};
    return {span(timestamp->getSymbol()), timestamp_literal(timestamp->getSymbol())};
  }

  // ---- declarations ----

  void use_decl(P::UseDeclContext* c) {
    ast::UseDecl use;
    use.span = decl_span(c);
    if (c->STRING() != nullptr) {
      use.is_path = true;
      use.target = string_literal(c->STRING()->getSymbol());
      use.target_span = span(c->STRING()->getSymbol());
    } else {
      use.target = qualified_name(c->qualifiedName());
      use.target_span = span(c->qualifiedName());
    }
    file_.uses.push_back(std::move(use));
  }

  ast::TypeRef type_ref(P::TypeContext* c, int depth) {
    ast::TypeRef type;
    type.span = span(c);
    if (auto* generic = dynamic_cast<P::GenericTypeContext*>(c)) {
      type.name = name(generic->name());
      type.optional = generic->optional != nullptr;
      if (depth < ast::kMaxNesting) {  // the pre-scan already refused deeper types
        for (P::TypeContext* argument : generic->type()) type.arguments.push_back(type_ref(argument, depth + 1));
      }
    } else if (auto* named = dynamic_cast<P::NamedTypeContext*>(c)) {
      type.name = name(named->name());
      type.optional = named->optional != nullptr;
    }
    return type;
  }

  ast::Field field(Ctx* whole, P::DocContext* doc_ctx, P::FieldNameContext* name_ctx, P::TypeContext* type_ctx,
                   const Token* sensitive) {
    ast::Field field;
    field.span = decl_span(whole);
    field.name = field_name(name_ctx);
    field.type = type_ref(type_ctx, 1);
    if (auto parsed = doc(doc_ctx)) field.doc = std::move(parsed->text);
    field.sensitive = sensitive != nullptr;
    return field;
  }

  std::vector<ast::Field> params(P::ParamListContext* c) {
    std::vector<ast::Field> fields;
    if (c == nullptr) return fields;
    for (P::ParamContext* p : c->param()) fields.push_back(field(p, p->doc(), p->fieldName(), p->type(), p->sensitive));
    return fields;
  }

  void record(ast::RecordKind kind, Ctx* c, P::NameContext* name_ctx, P::FieldListContext* fields,
              P::DocContext* doc_ctx) {
    ast::RecordDecl decl;
    decl.kind = kind;
    decl.span = decl_span(c);
    decl.name = name(name_ctx);
    decl.doc = doc(doc_ctx);
    if (fields != nullptr) {
      for (P::FieldContext* f : fields->field()) decl.fields.push_back(field(f, f->doc(), f->fieldName(), f->type(), nullptr));
    }
    file_.records.push_back(std::move(decl));
  }

  void role(P::RoleDeclContext* c) {
    ast::RoleDecl decl;
    decl.span = decl_span(c);
    decl.doc = doc(c->doc());
    const std::vector<P::NameContext*> names = c->name();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i == 0) decl.name = name(names[i]);
      else decl.parents.push_back(name(names[i]));
    }
    file_.roles.push_back(std::move(decl));
  }

  void tool(P::ToolDeclContext* c) {
    ast::ToolDecl decl;
    decl.span = decl_span(c);
    decl.name = target_name(c->targetName());
    decl.params = params(c->paramList());
    if (c->action != nullptr) {
      decl.action = state_.text_of(c->action) == "write" ? ast::Action::Write : ast::Action::Read;
    }
    decl.doc = doc(c->doc());
    file_.tools.push_back(std::move(decl));
  }

  void resource(P::ResourceDeclContext* c) {
    ast::ResourceDecl decl;
    decl.span = decl_span(c);
    decl.name = target_name(c->targetName());
    if (c->STRING() != nullptr) {
      decl.uri = string_literal(c->STRING()->getSymbol());
      decl.uri_span = span(c->STRING()->getSymbol());
    }
    decl.doc = doc(c->doc());
    file_.resources.push_back(std::move(decl));
  }

  void prompt(P::PromptDeclContext* c) {
    ast::PromptDecl decl;
    decl.span = decl_span(c);
    decl.name = target_name(c->targetName());
    decl.params = params(c->paramList());
    decl.doc = doc(c->doc());
    file_.prompts.push_back(std::move(decl));
  }

  std::vector<ast::Target> targets(P::TargetListContext* c) {
    std::vector<ast::Target> list;
    if (c == nullptr) return list;
    for (P::TargetContext* t : c->target()) {
      ast::Target target;
      target.span = span(t);
      if (dynamic_cast<P::ReadTargetContext*>(t) != nullptr) {
        target.kind = ast::Target::Kind::AllRead;
      } else if (dynamic_cast<P::WriteTargetContext*>(t) != nullptr) {
        target.kind = ast::Target::Kind::AllWrite;
      } else if (auto* named = dynamic_cast<P::NamedTargetContext*>(t)) {
        target.name = target_name(named->targetName()).text;
      } else {
        continue;
      }
      list.push_back(std::move(target));
    }
    return list;
  }

  void group(P::GroupDeclContext* c) {
    ast::GroupDecl decl;
    decl.span = decl_span(c);
    decl.name = name(c->name());
    decl.members = targets(c->targetList());
    decl.doc = doc(c->doc());
    file_.groups.push_back(std::move(decl));
  }

  void obligation(P::ObligationDeclContext* c) {
    ast::ObligationDecl decl;
    decl.span = decl_span(c);
    decl.name = name(c->name());
    decl.params = params(c->paramList());
    decl.doc = doc(c->doc());
    file_.obligations.push_back(std::move(decl));
  }

  // First occurrence of a clause: remember where. A second one: E0411 with a
  // note at the first, and the caller ignores it.
  bool first_clause(std::optional<Span>& first, const Token* keyword, const std::string& owner,
                    const std::string& help) {
    const Span here = span(keyword);
    if (!first) {
      first = here;
      return true;
    }
    const std::string word = text(keyword);
    Diagnostic& d = state_.sink.report(DiagCode::DuplicateClause, here,
                                       "duplicate `" + word + "` clause in " + owner, help);
    d.notes.push_back({*first, "the first `" + word + "` is here"});
    return false;
  }

  void rule(P::RuleDeclContext* c) {
    ast::RuleDecl decl;
    decl.span = decl_span(c);
    decl.effect = c->effect != nullptr && c->effect->getType() == k_.kw_deny ? ast::Effect::Deny : ast::Effect::Allow;
    decl.id = name(c->name());
    decl.doc = doc(c->doc());
    if (auto* subjects = c->subjectList()) {
      decl.subjects_given = true;
      for (P::SubjectContext* s : subjects->subject()) {
        ast::Subject subject;
        subject.span = span(s);
        if (dynamic_cast<P::AnyoneSubjectContext*>(s) != nullptr) {
          subject.kind = ast::Subject::Kind::Anyone;
        } else if (auto* user = dynamic_cast<P::UserSubjectContext*>(s)) {
          subject.kind = ast::Subject::Kind::User;
          if (user->STRING() != nullptr) subject.name = string_literal(user->STRING()->getSymbol());
        } else if (auto* role = dynamic_cast<P::RoleSubjectContext*>(s)) {
          subject.kind = ast::Subject::Kind::Role;
          subject.name = name(role->name()).text;
        } else {
          continue;
        }
        decl.subjects.push_back(std::move(subject));
      }
    }
    decl.targets = targets(c->targetList());
    const std::string owner = "rule `" + decl.id.text + "`";
    std::optional<Span> when, unless, from, until, with;
    for (P::RuleClauseContext* clause : c->ruleClause()) {
      const Token* keyword = clause->getStart();
      if (auto* w = dynamic_cast<P::WhenClauseContext*>(clause)) {
        if (first_clause(when, keyword, owner, "join the conditions with `&&`: `when a && b`")) {
          decl.when = expr(w->expr());
        }
      } else if (auto* u = dynamic_cast<P::UnlessClauseContext*>(clause)) {
        if (first_clause(unless, keyword, owner, "join the conditions with `||`: `unless a || b`")) {
          decl.unless = expr(u->expr());
        }
      } else if (auto* f = dynamic_cast<P::FromClauseContext*>(clause)) {
        if (first_clause(from, keyword, owner, "a rule has one validity window: one `from` and one `until`")) {
          decl.from = time_bound(f->TIMESTAMP(), f);
        }
      } else if (auto* t = dynamic_cast<P::UntilClauseContext*>(clause)) {
        if (first_clause(until, keyword, owner, "a rule has one validity window: one `from` and one `until`")) {
          decl.until = time_bound(t->TIMESTAMP(), t);
        }
      } else if (auto* o = dynamic_cast<P::WithClauseContext*>(clause)) {
        if (first_clause(with, keyword, owner, "list every obligation in one `with`, separated by commas")) {
          for (P::ObligationUseContext* use : o->obligationUse()) decl.obligations.push_back(obligation_use(use));
        }
      }
    }
    file_.rules.push_back(std::move(decl));
  }

  ast::ObligationUse obligation_use(P::ObligationUseContext* c) {
    ast::ObligationUse use;
    use.span = span(c);
    use.name = name(c->name());
    for (P::NamedArgContext* a : c->namedArg()) {
      ast::NamedArgument argument;
      argument.span = span(a);
      argument.name = field_name(a->fieldName());
      argument.value = expr(a->expr());
      use.arguments.push_back(std::move(argument));
    }
    return use;
  }

  void grant(P::GrantDeclContext* c) {
    ast::GrantDecl decl;
    decl.span = decl_span(c);
    decl.id = name(c->name());
    decl.doc = doc(c->doc());
    if (c->STRING() != nullptr) {
      decl.user = string_literal(c->STRING()->getSymbol());
      decl.user_span = span(c->STRING()->getSymbol());
    }
    decl.targets = targets(c->targetList());
    const std::string owner = "grant `" + decl.id.text + "`";
    std::optional<Span> from, until, because;
    for (P::GrantClauseContext* clause : c->grantClause()) {
      const Token* keyword = clause->getStart();
      if (auto* f = dynamic_cast<P::GrantFromContext*>(clause)) {
        if (first_clause(from, keyword, owner, "a grant has one validity window: one `from` and one `until`")) {
          decl.from = time_bound(f->TIMESTAMP(), f);
        }
      } else if (auto* t = dynamic_cast<P::GrantUntilContext*>(clause)) {
        if (first_clause(until, keyword, owner, "a grant has one validity window: one `from` and one `until`")) {
          decl.until = time_bound(t->TIMESTAMP(), t);
        }
      } else if (auto* b = dynamic_cast<P::GrantBecauseContext*>(clause)) {
        if (first_clause(because, keyword, owner, "give one reason; put everything into one string")) {
          if (b->STRING() != nullptr) {
            decl.because = string_literal(b->STRING()->getSymbol());
            decl.because_span = span(b->STRING()->getSymbol());
          } else {
            decl.because = std::string();
            decl.because_span = span(b);
          }
        }
      }
    }
    file_.grants.push_back(std::move(decl));
  }

  void default_decl(P::DefaultDeclContext* c) {
    ast::DefaultDecl decl;
    decl.span = decl_span(c);
    decl.effect = c->effectWord != nullptr && c->effectWord->getType() == k_.kw_allow ? ast::Effect::Allow
                                                                                       : ast::Effect::Deny;
    file_.defaults.push_back(decl);
  }

  // ---- expressions ----
  //
  // `depth` is the depth the node being built will have in the AST (the root
  // of a condition is 1). The pre-scan bounds brackets and prefix operators;
  // left-nested chains (`a + b + c`, `a.b.c`) are bounded here, so every AST
  // is at most ast::kMaxNesting deep and recursive walks over it are safe.

  ast::ExprPtr leaf(ast::ExprKind kind, const Span& where) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = kind;
    e->span = where;
    return e;
  }

  // Stands in for a part that a syntax error (already reported) left out.
  ast::ExprPtr placeholder(const Span& where) { return leaf(ast::ExprKind::Bool, where); }

  ast::ExprPtr too_deep(const Span& where) {
    if (!state_.nesting_reported) {
      state_.nesting_reported = true;
      state_.sink.report(DiagCode::NestingTooDeep, where,
                         "expression nested more than " + std::to_string(ast::kMaxNesting) + " levels deep",
                         "each `+`, `-` and `.` in a chain nests one level; split the expression into smaller rules");
    }
    return placeholder(where);
  }

  ast::ExprPtr node(ast::ExprKind kind, const Span& where, std::vector<ast::ExprPtr> children) {
    auto e = leaf(kind, where);
    e->children = std::move(children);
    return e;
  }

  ast::ExprPtr expr(Ctx* ctx) { return expr(ctx, 1); }

  ast::ExprPtr expr(Ctx* ctx, std::size_t depth) {
    // Single-child levels of the grammar (`expr -> andExpr -> ... -> primary`)
    // are walked in this loop; only real AST nodes recurse. Dispatch is by
    // rule index: these rules have no labelled alternatives, so the static
    // casts are exact (and much cheaper than a chain of dynamic_casts).
    for (;;) {
      if (ctx == nullptr) return placeholder(state_.at(0, 0));
      switch (ctx->getRuleIndex()) {
        case P::RuleExpr: {
          std::vector<P::AndExprContext*> parts = static_cast<P::ExprContext*>(ctx)->andExpr();
          if (parts.size() == 1) {
            ctx = parts.front();
            continue;
          }
          return nary(ast::ExprKind::Or, std::vector<Ctx*>(parts.begin(), parts.end()), ctx, depth);
        }
        case P::RuleAndExpr: {
          std::vector<P::NotExprContext*> parts = static_cast<P::AndExprContext*>(ctx)->notExpr();
          if (parts.size() == 1) {
            ctx = parts.front();
            continue;
          }
          return nary(ast::ExprKind::And, std::vector<Ctx*>(parts.begin(), parts.end()), ctx, depth);
        }
        case P::RuleNotExpr: {
          auto* c = static_cast<P::NotExprContext*>(ctx);
          std::vector<const Token*> operators;
          Ctx* operand = prefix_operand(c, &P::NotExprContext::notExpr, &P::NotExprContext::comparison, operators);
          if (operators.empty()) {
            ctx = operand;
            continue;
          }
          return prefix_chain(ast::ExprKind::Not, operators, operand, c, depth);
        }
        case P::RuleComparison: {
          auto* c = static_cast<P::ComparisonContext*>(ctx);
          std::vector<P::AdditiveContext*> operands = c->additive();
          if (operands.empty()) return placeholder(span(c));
          if (c->compareOp() != nullptr && operands.size() == 2) return comparison(c, operands, depth);
          if (c->fieldName() != nullptr || c->name() != nullptr) return has_or_is(c, operands.front(), depth);
          ctx = operands.front();
          continue;
        }
        case P::RuleAdditive: {
          auto* c = static_cast<P::AdditiveContext*>(ctx);
          std::vector<P::UnaryContext*> operands = c->unary();
          if (operands.size() == 1) {
            ctx = operands.front();
            continue;
          }
          if (operands.empty()) return placeholder(span(c));
          return additive(c, operands, depth);
        }
        case P::RuleUnary: {
          auto* c = static_cast<P::UnaryContext*>(ctx);
          std::vector<const Token*> operators;
          Ctx* operand = prefix_operand(c, &P::UnaryContext::unary, &P::UnaryContext::postfix, operators);
          if (operators.empty()) {
            ctx = operand;
            continue;
          }
          return prefix_chain(ast::ExprKind::Negate, operators, operand, c, depth);
        }
        case P::RulePostfix: {
          auto* c = static_cast<P::PostfixContext*>(ctx);
          if (c->children.size() <= 1) {  // no `.field` parts
            ctx = c->primary();
            continue;
          }
          return member_chain(c, depth);
        }
        case P::RulePrimary: {
          // Labelled alternatives: a failed prediction leaves a plain
          // PrimaryContext, so these casts must be checked.
          if (auto* paren = dynamic_cast<P::ParenExprContext*>(ctx)) {
            ctx = paren->expr();  // parentheses group; they add no node
            continue;
          }
          return primary(static_cast<P::PrimaryContext*>(ctx), depth);
        }
        default:
          return placeholder(span(ctx));
      }
    }
  }

  // A right-recursive prefix rule (`notExpr : '!' notExpr | comparison`,
  // `unary : '-' unary | postfix`): collects its operators, outermost first,
  // and returns the operand under the last one (null when a syntax error left
  // it out).
  template <typename Rule, typename Operand>
  static Ctx* prefix_operand(Rule* c, Rule* (Rule::*self)(), Operand* (Rule::*operand)(),
                             std::vector<const Token*>& operators) {
    Rule* inner = c;
    while (inner != nullptr && (inner->*self)() != nullptr) {
      operators.push_back(inner->getStart());
      inner = (inner->*self)();
    }
    return inner != nullptr ? (inner->*operand)() : nullptr;
  }

  ast::ExprPtr nary(ast::ExprKind kind, const std::vector<Ctx*>& parts, Ctx* whole, std::size_t depth) {
    if (parts.empty()) return placeholder(span(whole));
    if (depth > ast::kMaxNesting) return too_deep(span(whole));
    std::vector<ast::ExprPtr> children;
    children.reserve(parts.size());
    Span where;
    for (Ctx* part : parts) {
      children.push_back(expr(part, depth + 1));
      where = children.size() == 1 ? children.back()->span : join(where, children.back()->span);
    }
    return node(kind, where, std::move(children));
  }

  ast::ExprPtr prefix_chain(ast::ExprKind kind, const std::vector<const Token*>& operators, Ctx* operand, Ctx* whole,
                            std::size_t depth) {
    if (depth + operators.size() - 1 > ast::kMaxNesting) return too_deep(span(whole));
    ast::ExprPtr result = expr(operand, depth + operators.size());
    for (std::size_t i = operators.size(); i-- > 0;) {
      const Span where = join(span(operators[i]), result->span);
      std::vector<ast::ExprPtr> children;
      children.push_back(std::move(result));
      result = node(kind, where, std::move(children));
    }
    return result;
  }

  static std::optional<ast::BinaryOp> binary_op(std::string_view text) { return ast::binary_op_spelled(text); }

  ast::ExprPtr binary(ast::BinaryOp op, ast::ExprPtr left, ast::ExprPtr right) {
    const Span where = join(left->span, right->span);
    std::vector<ast::ExprPtr> children;
    children.push_back(std::move(left));
    children.push_back(std::move(right));
    auto e = node(ast::ExprKind::Binary, where, std::move(children));
    e->op = op;
    return e;
  }

  ast::ExprPtr comparison(P::ComparisonContext* c, const std::vector<P::AdditiveContext*>& operands,
                          std::size_t depth) {
    if (depth > ast::kMaxNesting) return too_deep(span(c));
    const auto op = binary_op(state_.text_of(c->compareOp()->getStart()));
    if (!op) return placeholder(span(c));
    return binary(*op, expr(operands[0], depth + 1), expr(operands[1], depth + 1));
  }

  ast::ExprPtr has_or_is(P::ComparisonContext* c, P::AdditiveContext* subject, std::size_t depth) {
    if (depth > ast::kMaxNesting) return too_deep(span(c));
    const ast::Name word = c->fieldName() != nullptr ? field_name(c->fieldName()) : name(c->name());
    std::vector<ast::ExprPtr> children;
    children.push_back(expr(subject, depth + 1));
    const Span where = join(children.front()->span, word.span);
    auto e = node(c->fieldName() != nullptr ? ast::ExprKind::Has : ast::ExprKind::Is, where, std::move(children));
    e->text = word.text;
    e->text_span = word.span;
    return e;
  }

  ast::ExprPtr additive(P::AdditiveContext* c, const std::vector<P::UnaryContext*>& operands, std::size_t depth) {
    std::vector<const Token*> operators;
    for (antlr4::tree::ParseTree* child : c->children) {
      if (auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child)) operators.push_back(terminal->getSymbol());
    }
    // `a + b + c` is ((a + b) + c): the chain nests one level per operator.
    const std::size_t count = operands.size();
    if (depth + count - 2 > ast::kMaxNesting) return too_deep(operators.empty() ? span(c) : span(operators.front()));
    ast::ExprPtr result = expr(operands[0], depth + count - 1);
    for (std::size_t i = 1; i < count; ++i) {
      const bool minus = i - 1 < operators.size() && state_.text_of(operators[i - 1]) == "-";
      result = binary(minus ? ast::BinaryOp::Sub : ast::BinaryOp::Add, std::move(result),
                      expr(operands[i], depth + count - i));
    }
    return result;
  }

  ast::ExprPtr member_chain(P::PostfixContext* c, std::size_t depth) {
    const std::vector<P::FieldNameContext*> fields = c->fieldName();
    if (fields.empty()) return expr(c->primary(), depth);  // `x.` with the name missing: reported already
    if (depth + fields.size() - 1 > ast::kMaxNesting) return too_deep(span(c));
    ast::ExprPtr result = expr(c->primary(), depth + fields.size());
    for (P::FieldNameContext* f : fields) {
      const ast::Name field = field_name(f);
      const Span where = join(result->span, field.span);
      std::vector<ast::ExprPtr> children;
      children.push_back(std::move(result));
      result = node(ast::ExprKind::Member, where, std::move(children));
      result->text = field.text;
      result->text_span = field.span;
    }
    return result;
  }

  ast::ExprPtr primary(P::PrimaryContext* c, std::size_t depth) {
    const Span where = span(c);
    if (depth > ast::kMaxNesting) return too_deep(where);
    if (dynamic_cast<P::TrueLiteralContext*>(c) != nullptr || dynamic_cast<P::FalseLiteralContext*>(c) != nullptr) {
      auto e = leaf(ast::ExprKind::Bool, where);
      e->bool_value = dynamic_cast<P::TrueLiteralContext*>(c) != nullptr;
      return e;
    }
    if (auto* i = dynamic_cast<P::IntLiteralContext*>(c)) {
      auto e = leaf(ast::ExprKind::Int, where);
      if (i->INT() != nullptr) e->int_value = int_literal(i->INT()->getSymbol());
      return e;
    }
    if (auto* s = dynamic_cast<P::StringLiteralContext*>(c)) {
      auto e = leaf(ast::ExprKind::String, where);
      if (s->STRING() != nullptr) e->text = string_literal(s->STRING()->getSymbol());
      return e;
    }
    if (auto* t = dynamic_cast<P::TimestampLiteralContext*>(c)) {
      auto e = leaf(ast::ExprKind::Timestamp, where);
      if (t->TIMESTAMP() != nullptr) e->int_value = timestamp_literal(t->TIMESTAMP()->getSymbol());
      return e;
    }
    if (auto* d = dynamic_cast<P::DurationLiteralContext*>(c)) {
      auto e = leaf(ast::ExprKind::Duration, where);
      if (d->DURATION() != nullptr) e->int_value = duration_literal(d->DURATION()->getSymbol());
      return e;
    }
    if (dynamic_cast<P::NowExprContext*>(c) != nullptr) return leaf(ast::ExprKind::Now, where);
    if (dynamic_cast<P::UserExprContext*>(c) != nullptr) return leaf(ast::ExprKind::User, where);
    if (dynamic_cast<P::ArgsExprContext*>(c) != nullptr) return leaf(ast::ExprKind::Args, where);
    if (auto* l = dynamic_cast<P::ListLiteralContext*>(c)) {
      std::vector<ast::ExprPtr> elements;
      for (P::ExprContext* element : l->expr()) elements.push_back(expr(element, depth + 1));
      return node(ast::ExprKind::List, where, std::move(elements));
    }
    if (auto* q = dynamic_cast<P::QuantifierExprContext*>(c)) {
      // all(x in list: body) / any(...): children[0] the list, children[1] the body.
      const std::string word = q->quantifier != nullptr ? text(q->quantifier) : std::string();
      if (word != "all" && word != "any") {
        state_.sink.report(DiagCode::SyntaxError, q->quantifier != nullptr ? span(q->quantifier) : where,
                           "unknown quantifier " + quote(word),
                           "a name followed by `(` in a condition is `all(x in LIST: ...)` or `any(x in LIST: ...)`");
      }
      auto e = leaf(word == "all" ? ast::ExprKind::All : ast::ExprKind::Any, where);
      if (q->name() != nullptr) {
        const ast::Name bound = name(q->name());
        e->text = bound.text;
        e->text_span = bound.span;
      }
      std::vector<P::ExprContext*> parts = q->expr();
      for (std::size_t i = 0; i < 2; ++i) {
        e->children.push_back(i < parts.size() ? expr(parts[i], depth + 1) : placeholder(where));
      }
      return e;
    }
    if (auto* n = dynamic_cast<P::NameExprContext*>(c)) {
      const ast::Name word = name(n->name());
      auto e = leaf(ast::ExprKind::Name, where);
      e->text = word.text;
      e->text_span = word.span;
      return e;
    }
    return placeholder(where);
  }

  ParseState& state_;
  const TokenKinds& k_;
  ast::File& file_;
};

// ---- the pipeline -------------------------------------------------------------------

// Where chunks start: token 0, then the first declaration keyword (or the
// doc comment before one) right after a `;` or `}` once the current chunk has
// kChunkTokens tokens. `;` and `}` only ever end declarations (no bracket
// holds them), so declarations never span chunks, and an unbalanced bracket
// does not glue the rest of the file into one chunk.
std::vector<std::size_t> chunk_starts(const ParseState& state, const std::vector<LexedToken>& tokens) {
  const TokenKinds& k = *state.kinds;
  std::vector<std::size_t> starts = {0};
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    if (i - starts.back() < kChunkTokens) continue;
    const std::size_t previous = tokens[i - 1].type;
    if (previous != k.semicolon && previous != k.rbrace) continue;
    std::size_t type = tokens[i].type;
    if (type == AuthzLexer::DOC_COMMENT && i + 1 < tokens.size()) type = tokens[i + 1].type;
    if (k.item_starts.count(type) != 0) starts.push_back(i);
  }
  return starts;
}

bool parse_chunk(ParseState& state, FallbackErrorListener& listener, std::vector<std::unique_ptr<Token>> chunk,
                 ast::File& file);

void parse_into(ParseState& state, ast::File& file) {
  // Stage 1: bytes.
  if (state.bytes.size() > kMaxFileBytes) {
    state.sink.report(DiagCode::FileTooLarge, state.at(0, 0),
                      "file is " + std::to_string(state.bytes.size()) + " bytes, more than the limit of " +
                          std::to_string(kMaxFileBytes) + " bytes",
                      "split the policy into several files and `use` them");
    return;
  }
  if (auto error = decode_utf8(state.bytes, state.decoded)) {
    state.sink.report(DiagCode::InvalidUtf8, state.at(error->offset, error->offset + 1), std::move(error->message),
                      "save the file as UTF-8");
    return;
  }
  // A NUL byte (in valid UTF-8): a binary file, not policy text. One diagnostic without an
  // excerpt, however many characters the lexer would refuse.
  if (const std::size_t nul = state.bytes.find('\0'); nul != std::string_view::npos) {
    state.sink.report(DiagCode::NotPolicyText, Span{},
                      "file `" + state.path + "` is not text: byte " + std::to_string(nul) + " is NUL",
                      "a policy file is UTF-8 text starting with `policy NAME;` or `module NAME;`");
    return;
  }

  // Stage 2: tokens.
  CodePointStream input(state.decoded.code_points);
  AuthzLexer lexer(&input);
  lexer.removeErrorListeners();
  FallbackErrorListener listener(state);
  lexer.addErrorListener(&listener);
  state.kinds = &TokenKinds::instance(lexer.getVocabulary());

  std::vector<LexedToken> tokens;
  bool has_content = false;
  std::size_t lexer_errors = 0;
  Lexer hand_lexer(state.decoded.code_points);
  auto next_token = [&] { return next_hand_lexed(*state.kinds, hand_lexer, state.decoded.code_points); };
  if (!lex_all(state, next_token, tokens, has_content, lexer_errors)) return;
  if (!has_content) {
    if (lexer_errors == 0) {
      const bool only_comments = !state.doc_lines.empty() ||
                                 std::any_of(state.bytes.begin(), state.bytes.end(), [](char c) { return c == '/'; });
      state.sink.report(DiagCode::EmptyFile, state.at(0, 0),
                        only_comments ? "file has nothing but comments" : "file is empty",
                        "a policy file starts with `policy NAME;`, a library with `module NAME;`");
    }
    return;
  }

  // A doc comment on the header: say so, and keep the header (the grammar
  // has no doc there, and losing the header would add a missing-header error).
  if (tokens.size() >= 2 && tokens[0].type == AuthzLexer::DOC_COMMENT &&
      (tokens[1].type == state.kinds->kw_policy || tokens[1].type == state.kinds->kw_module)) {
    const std::vector<Span>& lines = state.doc_lines[tokens[0].start];
    state.sink.report(DiagCode::MisplacedDocComment, lines.empty() ? state.at(0, 0) : lines.front(),
                      "doc comment on the file header", "use `//` for comments about the whole file");
    tokens.erase(tokens.begin());
  }

  // No header: not a policy file. Say so once and stop, so that a file that
  // is some other text (a configuration file, a key) is one diagnostic
  // instead of a syntax error, with an excerpt, per line.
  if (tokens[0].type != state.kinds->kw_policy && tokens[0].type != state.kinds->kw_module) {
    const LexedToken& first = tokens[tokens[0].type == AuthzLexer::DOC_COMMENT && tokens.size() > 1 ? 1 : 0];
    state.sink.report(DiagCode::MissingHeader, state.span_of_range(first.start, first.end),
                      "file has no `policy` or `module` header",
                      "start the file with `policy NAME;` for a policy, or `module NAME;` for a library");
    return;
  }

  // Stage 3: nesting.
  if (!check_nesting(state, tokens)) return;

  const std::vector<std::size_t> starts = chunk_starts(state, tokens);

  // The fast path, for a file with no error so far (then the ANTLR
  // path would report nothing before stage 5 either). The ANTLR path also
  // caps one chunk's parse tree (kMaxChunkTokens, kMaxSyntaxNodes); the
  // densest valid text has 4.5 rule nodes per token (`[x, x, ...]`: nine per
  // element of two tokens), so chunks under kMaxSyntaxNodes / 5 tokens stay
  // within both caps, and a larger one is left to ANTLR to report.
  bool small_chunks = true;
  for (std::size_t c = 0; c < starts.size(); ++c) {
    const std::size_t end = c + 1 < starts.size() ? starts[c + 1] : tokens.size();
    small_chunks = small_chunks && end - starts[c] < kMaxSyntaxNodes / 5;
  }
  // Warnings so far (W0003, from stage 2) do not matter: stages 4 and 5 see
  // the same tokens either way.
  if (state.options.fast_path && small_chunks && state.sink.error_count() == state.errors_before) {
    ast::File fast;
    fast.file = file.file;
    const FastParseInput input{state.file, state.bytes, &state.decoded, &tokens, &state.doc_lines,
                               &state.kinds->fast_kinds};
    if (fast_parse(input, fast)) {
      file = std::move(fast);
      if (state.options.used_fast_path != nullptr) *state.options.used_fast_path = true;
      return;
    }
  }

  // Stages 4 and 5, one chunk of whole declarations at a time.
  for (std::size_t c = 0; c < starts.size(); ++c) {
    if (state.sink.error_count() > DiagnosticSink::kMaxErrors) return;
    const std::size_t begin = starts[c];
    const std::size_t end = c + 1 < starts.size() ? starts[c + 1] : tokens.size();
    if (end - begin > kMaxChunkTokens) {
      // Chunks end at the first declaration boundary after kChunkTokens, so
      // this is one declaration (or one run of garbage) with no end in sight.
      const LexedToken& crossing = tokens[begin + kMaxChunkTokens];
      state.sink.report(DiagCode::FileTooLarge, state.span_of_range(crossing.start, crossing.end),
                        "declaration is too large: more than " + std::to_string(kMaxChunkTokens) + " tokens",
                        "split it into several smaller declarations; each ends with `;`");
      continue;
    }
    const std::pair<antlr4::TokenSource*, antlr4::CharStream*> origin(&lexer, &input);
    auto make = [&](const LexedToken& t, std::size_t type, std::size_t start, std::size_t stop) {
      auto token = std::make_unique<antlr4::CommonToken>(origin, type, Token::DEFAULT_CHANNEL, start, stop);
      token->setLine(t.line);
      token->setCharPositionInLine(t.column);
      return token;
    };
    std::vector<std::unique_ptr<Token>> chunk;
    chunk.reserve(end - begin + 1);
    for (std::size_t i = begin; i < end; ++i) {
      const LexedToken& t = tokens[i];
      chunk.push_back(make(t, antlr_type(t), t.start, std::size_t{t.end} - 1));
    }
    if (end < tokens.size()) {
      // The chunk ends where the next declaration starts: an end of input
      // there is exactly what the grammar expects after a declaration.
      const LexedToken& next = tokens[end];
      chunk.push_back(make(next, Token::EOF, next.start, std::size_t{next.start} - 1));
    }
    if (!parse_chunk(state, listener, std::move(chunk), file)) return;
  }
}

// Stops a parse whose tree grows past kMaxSyntaxNodes rule nodes.
class SyntaxNodeBudget final : public antlr4::tree::ParseTreeListener {
 public:
  void enterEveryRule(antlr4::ParserRuleContext*) override {
    if (++nodes_ > kMaxSyntaxNodes) {
      exceeded_ = true;
      throw antlr4::ParseCancellationException();
    }
  }
  void exitEveryRule(antlr4::ParserRuleContext*) override {}
  void visitTerminal(antlr4::tree::TerminalNode*) override {}
  void visitErrorNode(antlr4::tree::ErrorNode*) override {}
  bool exceeded() const { return exceeded_; }

 private:
  std::size_t nodes_ = 0;
  bool exceeded_ = false;
};

// Parses one chunk (ending in an EOF token) and adds its declarations to
// `file`. Returns false when parsing must stop (too many errors).
//
// Two stages, ANTLR's standard speedup: first SLL prediction with a strategy
// that gives up at the first syntax error (no recovery bookkeeping, no
// `sync` at every loop, nothing reported); nearly every chunk of a real
// policy is valid and is done after this. Only a chunk that fails is parsed
// again from its first token in full LL mode with the reporting strategy, so
// diagnostics are exactly those of a single LL parse.
bool parse_chunk(ParseState& state, FallbackErrorListener& listener, std::vector<std::unique_ptr<Token>> chunk,
                 ast::File& file) {
  antlr4::ListTokenSource source(std::move(chunk));
  antlr4::CommonTokenStream stream(&source);
  stream.fill();
  AuthzParser parser(&stream);
  // No listener in the first stage: the generated rules hand a failed
  // prediction to reportError before the bail strategy gives up, and a
  // report from this stage would duplicate the second stage's.
  parser.removeErrorListeners();
  AuthzParser::File_Context* tree = nullptr;
  {
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    SyntaxNodeBudget budget;
    parser.addParseListener(&budget);
    try {
      tree = parser.file_();
    } catch (const antlr4::ParseCancellationException&) {
      tree = nullptr;  // a syntax error, or the node budget: the second stage says which
    }
    parser.removeParseListeners();
  }
  if (tree == nullptr) {
    stream.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.addErrorListener(&listener);
    SyntaxReporter reporter(state, parser.getVocabulary());
    parser.setErrorHandler(std::make_shared<ReportingErrorStrategy>(reporter));
    SyntaxNodeBudget budget;
    parser.addParseListener(&budget);
    try {
      tree = parser.file_();
    } catch (const antlr4::ParseCancellationException&) {
      if (!budget.exceeded()) return false;  // the sink hit its error limit and says so
      state.sink.report(DiagCode::FileTooLarge, state.span_of(parser.getCurrentToken()),
                        "declaration is too large: more than " + std::to_string(kMaxSyntaxNodes) +
                            " syntax nodes",
                        "split it into several smaller rules");
      return true;
    }
    parser.removeParseListeners();
  }
  AstBuilder(state, file).build(tree);
  return true;
}
}  // namespace

std::vector<LexedForTest> lex_for_test(std::string_view text, bool reference) {
  std::vector<LexedForTest> out;
  DecodedText decoded;
  if (decode_utf8(text, decoded)) return out;
  CodePointStream input(decoded.code_points);
  AuthzLexer antlr_lexer(&input);
  antlr_lexer.removeErrorListeners();
  const TokenKinds& kinds = TokenKinds::instance(antlr_lexer.getVocabulary());
  Lexer hand_lexer(decoded.code_points);
  for (;;) {
    const RawToken token =
        reference ? next_antlr_lexed(antlr_lexer) : next_hand_lexed(kinds, hand_lexer, decoded.code_points);
    out.push_back({token.type, token.start, token.end, token.line, token.column});
    if (token.type == Token::EOF) return out;
  }
}

std::string token_type_name_for_test(std::size_t type) {
  if (type == Token::EOF) return "EOF";
  antlr4::ANTLRInputStream empty("");
  AuthzLexer lexer(&empty);
  return lexer.getVocabulary().getDisplayName(type);
}

std::unique_ptr<ast::File> parse_file(const SourceManager& sources, FileId file, DiagnosticSink& sink,
                                      const ParseOptions& options) {
  auto result = std::make_unique<ast::File>();
  result->file = file;
  if (options.used_fast_path != nullptr) *options.used_fast_path = false;
  try {
    ParseState state(file, sources.text(file), sink, options);
    state.path = sources.path(file);
    parse_into(state, *result);
  } catch (const std::bad_alloc&) {
    sink.report(DiagCode::FileTooLarge, Span{file, 0, 0}, "ran out of memory while parsing this file",
                "split the policy into several smaller files");
  } catch (...) {
    // ANTLR throws for states its recovery cannot handle; whatever it was,
    // the caller gets a diagnostic, not an exception.
    sink.report(DiagCode::SyntaxError, Span{file, 0, 0}, "could not parse this file (internal parser error)",
                "please report this as a bug, with the file");
  }
  return result;
}

}  // namespace authz
