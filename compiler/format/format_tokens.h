// format_tokens.h — the formatter's own view of a .authz file: code tokens,
// each carrying the comments written before it.
//
// Contract: tokenize_for_format splits text into tokens the way the grammar's
// lexer does (identifiers and keywords are Words; TIMESTAMP, DURATION and INT
// are Numbers; strings are kept raw, escapes and all), keeps every `//` and
// `/* */` comment byte for byte, and attaches it to the next code token (the
// final End token gets the comments after the last one). It only runs on text
// the real parser accepted, and the formatter re-parses its output, so a
// difference from the grammar's lexer can only make formatting refuse, never
// change a policy. Never throws; token texts are views into `text`.
#pragma once

#include <string_view>
#include <vector>

namespace authz::format {

enum class TokenKind { Word, String, Number, Punct, Doc, End };

struct Comment {
  std::string_view text;  // `// ...` (no line break) or `/* ... */`
  bool own_line = false;  // only whitespace between the line start (or file start) and the comment
  bool blank_before = false;  // an empty line separates it from what came before
  bool is_line = false;       // `//` rather than `/* */`
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string_view text;
  bool newline_before = false;  // a line break since the previous token or comment
  bool blank_before = false;    // an empty line since the previous token or comment
  std::vector<Comment> comments;  // written before this token, in order
};

std::vector<Token> tokenize_for_format(std::string_view text);

}  // namespace authz::format
