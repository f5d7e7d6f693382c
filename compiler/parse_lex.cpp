// parse_lex.cpp — stages 1 to 3 of the parse adapter (compiler/parse.cpp runs
// them): the raw bytes to code points (strict UTF-8), the code points to
// compact tokens with the lexer's diagnostics, and the nesting pre-scan over
// those tokens; plus the table of the grammar's token kinds by literal text.
//
// Contract: decode_utf8 returns why a text is not UTF-8 (the driver reports
// E0004); lex_all reports E0003 (bad character), E0002 (unterminated
// string), E0007 (unterminated comment), E0012 (no header), E0005 (token
// cap) and E0015 / W0003 (invisible characters: at most kMaxInvisibleReports,
// then one that says so); check_nesting reports E0006. Each comes with its fix
// in a help. Nothing here recurses, so no input can exhaust the stack.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/invisible_chars.h"
#include "compiler/literals.h"
#include "compiler/parse_internal.h"
#include "runtime/internal/utf8.h"

namespace authz::parse_detail {
namespace {

// ---- stage 1: UTF-8 --------------------------------------------------------------

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

}  // namespace

std::optional<Utf8Error> decode_utf8(std::string_view text, DecodedText& out) {
  std::size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = out.base = 3;  // a leading byte-order mark is not content
  const bool ascii = std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  out.code_points.reserve(text.size() - i);
  if (ascii) {
    // Every byte is below 0x80, so each is its own code point: one bulk copy.
    out.code_points.assign(text.begin() + static_cast<std::ptrdiff_t>(i), text.end());
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

// ---- token kinds by their literal text ------------------------------------------

TokenKinds TokenKinds::make(const antlr4::dfa::Vocabulary& vocabulary) {
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

// ---- stage 2: lexing ------------------------------------------------------------

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

// Lexes the whole file. Returns false when the parse must stop here (token cap,
// too many errors); lexer errors alone do not stop it.
bool lex_all(ParseState& state, Lexer& lexer, std::vector<LexedToken>& tokens, bool& has_content,
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
    const RawToken token = next_hand_lexed(*state.kinds, lexer, state.decoded.code_points);
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

}  // namespace authz::parse_detail
