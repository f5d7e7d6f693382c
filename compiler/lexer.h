// lexer.h — the .authz lexer: code points in, tokens out, exactly as the
// lexer rules of grammar/Authz.g4 would produce them.
//
// Contract:
//   - Token boundaries, kinds, lines and columns are those of the ANTLR lexer
//     generated from grammar/Authz.g4 (longest match; on a tie the rule
//     written first wins, and literal tokens such as `policy` or `==` come
//     before every named rule). tests/unit/lexer_test.cpp checks this token by
//     token against the generated lexer, on the corpora and on random input.
//   - Skipped rules (whitespace, `//` and `/* */` comments) produce no token.
//     Everything else does, including the error tokens the parse adapter turns
//     into diagnostics (a bad character, an unterminated string or comment).
//   - Offsets are code point indices (as ANTLR counts); `line` starts at 1 and
//     `column` at 0, both counted as ANTLR counts them (a new line after
//     `\n`; `\r` is an ordinary character).
//   - Word-shaped tokens come back as `Word` and punctuation as `Punct`: the
//     caller maps their text to the grammar's token types (parse.cpp looks
//     them up in the generated vocabulary), so this file needs no ANTLR.
// Why it exists: the generated lexer takes a lock for every character it
// reads; lexing was a quarter of the front end's time on large policies.
#pragma once

#include <cstdint>
#include <string_view>

namespace authz {

enum class LexKind : std::uint8_t {
  Word,                 // IDENT, or a keyword literal (`policy`, `allow`, ...)
  Punct,                // a punctuation literal (`;`, `==`, `&&`, ...)
  Timestamp,            // 2026-12-01T00:00:00Z
  Duration,             // 1h30m
  Int,                  // 42
  String,               // "text" (escapes undecoded)
  UnterminatedString,   // "text<end of line or file>
  DocComment,           // one `///` line
  UnterminatedComment,  // `/*` that nothing closes
  BadChar,              // any one code point no rule accepts
  End,                  // end of input (start == end == size)
};

struct LexToken {
  LexKind kind = LexKind::End;
  std::uint32_t start = 0;  // code point index
  std::uint32_t end = 0;    // code point index, exclusive
  std::uint32_t line = 1;
  std::uint32_t column = 0;
};

class Lexer {
 public:
  explicit Lexer(std::u32string_view text) : text_(text) {}
  // The next token; after the input is used up, End forever.
  LexToken next();

 private:
  std::uint32_t timestamp_end(std::uint32_t from) const;  // 0 when no timestamp starts here
  std::uint32_t duration_end(std::uint32_t from) const;   // 0 when no duration starts here
  void advance_to(std::uint32_t end);                      // moves, counting lines and columns

  std::u32string_view text_;
  std::uint32_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 0;
};

}  // namespace authz
