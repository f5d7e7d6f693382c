// format_tokens.cpp — tokens and comments for the formatter (see format_tokens.h).
#include "compiler/format/format_tokens.h"

#include <cctype>
#include <string>

namespace authz::format {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// Length of a TIMESTAMP at `i` (0 when there is none).
std::size_t timestamp_length(std::string_view s, std::size_t i) {
  const char* pattern = "dddd-dd-ddTdd:dd:dd";
  std::size_t n = 0;
  for (; pattern[n] != '\0'; ++n) {
    if (i + n >= s.size()) return 0;
    char p = pattern[n];
    char c = s[i + n];
    if (p == 'd' ? !digit(c) : c != p) return 0;
  }
  std::size_t j = i + n;
  if (j < s.size() && s[j] == '.' && j + 1 < s.size() && digit(s[j + 1])) {
    ++j;
    while (j < s.size() && digit(s[j])) ++j;
  }
  if (j < s.size() && s[j] == 'Z') return j + 1 - i;
  if (j + 6 <= s.size() && (s[j] == '+' || s[j] == '-') && digit(s[j + 1]) && digit(s[j + 2]) && s[j + 3] == ':' &&
      digit(s[j + 4]) && digit(s[j + 5])) {
    return j + 6 - i;
  }
  return 0;
}

// Length of a DURATION (`1h30m`, `250ms`) at `i`, 0 when there is none.
std::size_t duration_length(std::string_view s, std::size_t i) {
  std::size_t j = i;
  std::size_t matched = 0;
  while (j < s.size() && digit(s[j])) {
    std::size_t k = j;
    while (k < s.size() && digit(s[k])) ++k;
    if (k + 1 < s.size() + 1 && k < s.size() && s[k] == 'm' && k + 1 < s.size() && s[k + 1] == 's') {
      k += 2;
    } else if (k < s.size() && (s[k] == 'd' || s[k] == 'h' || s[k] == 'm' || s[k] == 's')) {
      k += 1;
    } else {
      break;
    }
    j = k;
    matched = j - i;
  }
  return matched;
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::vector<Token> tokenize_for_format(std::string_view s) {
  std::vector<Token> tokens;
  std::vector<Comment> pending;
  int newlines = 0;           // since the last token or comment
  bool line_has_code = false;  // something other than whitespace earlier on this line
  std::size_t i = 0;
  auto push = [&](TokenKind kind, std::size_t length) {
    Token token;
    token.kind = kind;
    token.text = s.substr(i, length);
    token.newline_before = newlines > 0;
    token.blank_before = newlines > 1;
    token.comments = std::move(pending);
    pending.clear();
    tokens.push_back(std::move(token));
    newlines = 0;
    line_has_code = true;
    i += length;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') {
      ++newlines;
      line_has_code = false;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (s.compare(i, 3, "///") == 0 && (i + 3 >= s.size() || s[i + 3] != '/')) {
      std::size_t end = s.find('\n', i);
      if (end == std::string_view::npos) end = s.size();
      if (end > i && s[end - 1] == '\r') --end;
      push(TokenKind::Doc, end - i);
    } else if (s.compare(i, 2, "//") == 0 || s.compare(i, 2, "/*") == 0) {
      bool is_line = s[i + 1] == '/';
      std::size_t end;
      if (is_line) {
        end = s.find('\n', i);
        if (end == std::string_view::npos) end = s.size();
        if (end > i && s[end - 1] == '\r') --end;
      } else {
        std::size_t close = s.find("*/", i + 2);
        end = close == std::string_view::npos ? s.size() : close + 2;
      }
      Comment comment;
      comment.text = s.substr(i, end - i);
      comment.own_line = !line_has_code;
      comment.blank_before = newlines > 1;
      comment.is_line = is_line;
      pending.push_back(comment);
      newlines = 0;
      line_has_code = true;  // the comment (or its last line) is on the current line
      i = end;
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != '"' && s[j] != '\n') j += s[j] == '\\' ? 2 : 1;
      if (j < s.size() && s[j] == '"') ++j;
      push(TokenKind::String, std::min(j, s.size()) - i);
    } else if (digit(c)) {
      std::size_t length = std::max(timestamp_length(s, i), duration_length(s, i));
      if (length == 0) {
        length = 1;
        while (i + length < s.size() && digit(s[i + length])) ++length;
      }
      push(TokenKind::Number, length);
    } else if (word_char(c)) {
      std::size_t length = 1;
      while (i + length < s.size() && word_char(s[i + length])) ++length;
      push(TokenKind::Word, length);
    } else {
      static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">=", "&&", "||"};
      std::size_t length = 1;
      for (std::string_view two : kTwo) {
        if (s.compare(i, 2, two) == 0) length = 2;
      }
      push(TokenKind::Punct, length);
    }
  }
  Token end;
  end.kind = TokenKind::End;
  end.newline_before = newlines > 0;
  end.blank_before = newlines > 1;
  end.comments = std::move(pending);
  tokens.push_back(std::move(end));
  return tokens;
}

}  // namespace authz::format
