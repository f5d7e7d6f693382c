// lexer.cpp — the .authz lexer (contract in lexer.h). Each branch below names
// the grammar rule it implements; where two rules could match, the comment
// says why the one chosen is the one ANTLR would choose.
#include "compiler/lexer.h"

namespace authz {
namespace {

bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_word_start(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_word_char(char32_t c) { return is_word_start(c) || is_digit(c); }
bool is_line_end(char32_t c) { return c == '\r' || c == '\n'; }
bool is_space(char32_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Two-character punctuation literals of the grammar; `|` and `&` alone are
// not tokens (BAD_CHAR).
bool is_two_char_punct(char32_t first, char32_t second) {
  switch (first) {
    case '|': return second == '|';
    case '&': return second == '&';
    case '=':
    case '!':
    case '<':
    case '>': return second == '=';
    default: return false;
  }
}

bool is_one_char_punct(char32_t c) {
  switch (c) {
    case ';': case '.': case '{': case '}': case ',': case ':': case '(': case ')':
    case '=': case '<': case '>': case '?': case '!': case '+': case '-': case '[': case ']':
      return true;
    default:
      return false;
  }
}

}  // namespace

void Lexer::advance_to(std::uint32_t end) {
  for (; pos_ < end; ++pos_) {
    if (text_[pos_] == '\n') {
      ++line_, column_ = 0;
    } else {
      ++column_;
    }
  }
}

// TIMESTAMP: DDDD-DD-DDTDD:DD:DD ('.' D+)? ('Z' | ('+'|'-') DD:DD). ANTLR
// accepts all of it or none of it: a prefix that stops early is no timestamp.
std::uint32_t Lexer::timestamp_end(std::uint32_t from) const {
  static constexpr std::u32string_view kShape = U"dddd-dd-ddTdd:dd:dd";
  const std::size_t n = text_.size();
  std::size_t q = from;
  for (char32_t want : kShape) {
    if (q >= n) return 0;
    if (want == 'd' ? !is_digit(text_[q]) : text_[q] != want) return 0;
    ++q;
  }
  if (q + 1 < n && text_[q] == '.' && is_digit(text_[q + 1])) {
    ++q;
    while (q < n && is_digit(text_[q])) ++q;
  }
  if (q < n && text_[q] == 'Z') return static_cast<std::uint32_t>(q + 1);
  static constexpr std::u32string_view kOffset = U"dd:dd";
  if (q >= n || (text_[q] != '+' && text_[q] != '-')) return 0;
  ++q;
  for (char32_t want : kOffset) {
    if (q >= n) return 0;
    if (want == 'd' ? !is_digit(text_[q]) : text_[q] != want) return 0;
    ++q;
  }
  return static_cast<std::uint32_t>(q);
}

// DURATION: (D+ ('d' | 'h' | 'm' | 's' | 'ms'))+, longest match. Taking `ms`
// over `m` is always at least as long: after `m` the loop needs a digit, and
// `s` is none.
std::uint32_t Lexer::duration_end(std::uint32_t from) const {
  const std::size_t n = text_.size();
  std::size_t q = from;
  std::uint32_t accepted = 0;
  for (;;) {
    if (q >= n || !is_digit(text_[q])) return accepted;
    while (q < n && is_digit(text_[q])) ++q;
    if (q >= n) return accepted;
    const char32_t unit = text_[q];
    if (unit == 'm' && q + 1 < n && text_[q + 1] == 's') {
      q += 2;
    } else if (unit == 'd' || unit == 'h' || unit == 'm' || unit == 's') {
      q += 1;
    } else {
      return accepted;
    }
    accepted = static_cast<std::uint32_t>(q);
  }
}

LexToken Lexer::next() {
  const auto n = static_cast<std::uint32_t>(text_.size());
  for (;;) {
    LexToken token;
    token.start = pos_;
    token.line = line_;
    token.column = column_;
    if (pos_ >= n) {
      token.kind = LexKind::End;
      token.end = n;
      return token;
    }
    const char32_t c = text_[pos_];
    const char32_t next = pos_ + 1 < n ? text_[pos_ + 1] : 0;
    std::uint32_t end = pos_ + 1;
    bool skip = false;

    if (is_space(c)) {  // WS, skipped
      while (end < n && is_space(text_[end])) ++end;
      skip = true;
    } else if (is_word_start(c)) {
      // IDENT, or a keyword literal of the same length (literals win ties).
      while (end < n && is_word_char(text_[end])) ++end;
      token.kind = LexKind::Word;
    } else if (is_digit(c)) {
      // TIMESTAMP, DURATION, INT: the longest wins. They never tie: a
      // timestamp's fifth character is `-`, which neither other rule takes,
      // and a duration is longer than the digits it starts with.
      std::uint32_t digits = pos_;
      while (digits < n && is_digit(text_[digits])) ++digits;
      const std::uint32_t timestamp = timestamp_end(pos_);
      const std::uint32_t duration = duration_end(pos_);
      if (timestamp != 0 && timestamp >= duration) {
        token.kind = LexKind::Timestamp, end = timestamp;
      } else if (duration != 0) {
        token.kind = LexKind::Duration, end = duration;
      } else {
        token.kind = LexKind::Int, end = digits;
      }
    } else if (c == '"') {
      // STRING: '"' (ANY_ESCAPE | ~["\\\r\n])* '"'; without the closing quote,
      // UNTERMINATED_STRING, which also takes a backslash that ends the line.
      token.kind = LexKind::UnterminatedString;
      for (;;) {
        if (end >= n || is_line_end(text_[end])) break;
        const char32_t s = text_[end];
        if (s == '"') {
          token.kind = LexKind::String;
          ++end;
          break;
        }
        if (s == '\\') {
          if (end + 1 >= n || is_line_end(text_[end + 1])) {
            ++end;  // the lone backslash belongs to the unterminated string
            break;
          }
          end += 2;
          continue;
        }
        ++end;
      }
    } else if (c == '/' && next == '/') {
      // DOC_COMMENT: '///' (~[/\r\n] ~[\r\n]*)?; LINE_COMMENT: '//' ~[\r\n]*.
      // Equal length (`///` then a line end or any text): DOC_COMMENT, the
      // earlier rule. `////...`: DOC_COMMENT stops after three characters,
      // LINE_COMMENT takes the line, longer: a plain comment.
      std::uint32_t line_end = pos_ + 2;
      while (line_end < n && !is_line_end(text_[line_end])) ++line_end;
      const bool triple = pos_ + 2 < n && text_[pos_ + 2] == '/';
      const bool fourth_slash = pos_ + 3 < n && text_[pos_ + 3] == '/';
      end = line_end;
      if (triple && !fourth_slash) {
        token.kind = LexKind::DocComment;
      } else {
        skip = true;
      }
    } else if (c == '/' && next == '*') {
      // BLOCK_COMMENT ends at the first `*/` after the opening `/*`; with none,
      // UNTERMINATED_COMMENT takes the rest of the file.
      std::uint32_t close = pos_ + 2;
      while (close + 1 < n && !(text_[close] == '*' && text_[close + 1] == '/')) ++close;
      if (close + 1 < n) {
        end = close + 2;
        skip = true;
      } else {
        end = n;
        token.kind = LexKind::UnterminatedComment;
      }
    } else if (is_two_char_punct(c, next)) {
      token.kind = LexKind::Punct, end = pos_ + 2;
    } else if (is_one_char_punct(c)) {
      token.kind = LexKind::Punct;
    } else {
      token.kind = LexKind::BadChar;  // BAD_CHAR: any one code point
    }

    advance_to(end);
    if (skip) continue;
    token.end = end;
    return token;
  }
}

}  // namespace authz
