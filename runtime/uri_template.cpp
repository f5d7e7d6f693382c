// uri_template.cpp — see uri_template.h. A variable behaves like the glob
// `?*` restricted to non-`/` characters; because neither can consume `/`,
// every `/` of the URI lines up with a literal `/` of the template, which is
// why retrying only the most recent variable finds every match there is.
#include "runtime/uri_template.h"

#include <fmt/format.h>

namespace authz::runtime {

std::optional<UriTemplate> parse_uri_template(std::string_view uri, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<UriTemplate> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  UriTemplate result;
  std::string literal;
  std::size_t pos = 0;
  while (pos < uri.size()) {
    char c = uri[pos];
    if (c == '}') return fail(fmt::format("`}}` at byte {} closes no variable", pos));
    if (c != '{') {
      literal += c;
      ++pos;
      continue;
    }
    std::size_t close = uri.find('}', pos + 1);
    if (close == std::string_view::npos) return fail(fmt::format("`{{` at byte {} is never closed", pos));
    std::string_view name = uri.substr(pos + 1, close - pos - 1);
    if (name.empty()) return fail(fmt::format("empty variable `{{}}` at byte {}", pos));
    if (name.find_first_of("{/") != std::string_view::npos) {
      return fail(fmt::format("variable name `{}` may not hold `{{` or `/`", name));
    }
    for (const auto& piece : result.pieces) {
      if (piece.variable && piece.text == name) return fail(fmt::format("variable `{}` appears twice", name));
    }
    if (!literal.empty()) result.pieces.push_back({false, std::move(literal)});
    literal.clear();
    result.pieces.push_back({true, std::string(name)});
    ++result.variable_count;
    pos = close + 1;
  }
  if (!literal.empty()) result.pieces.push_back({false, std::move(literal)});
  return result;
}

std::vector<std::string> uri_template_variables(std::string_view uri) {
  std::vector<std::string> names;
  if (auto parsed = parse_uri_template(uri)) {
    for (auto& piece : parsed->pieces) {
      if (piece.variable) names.push_back(piece.text);
    }
  }
  return names;
}

bool match_uri_template(const UriTemplate& pattern, std::string_view uri, std::string_view* captures) {
  // Position in the template: piece index + offset inside a literal piece.
  struct Cursor {
    std::size_t piece = 0;
    std::size_t offset = 0;
  };
  const auto& pieces = pattern.pieces;
  Cursor cursor;
  std::size_t text = 0;
  bool have_retry = false;
  std::size_t retry_piece = 0;  // the most recent variable's piece
  std::size_t retry_end = 0;    // where that variable's value currently ends
  std::size_t retry_variable = 0;
  std::size_t retry_begin = 0;

  // Counts variables before a piece so captures land in template order.
  auto variable_index = [&](std::size_t piece) {
    std::size_t k = 0;
    for (std::size_t i = 0; i < piece; ++i) k += pieces[i].variable;
    return k;
  };

  while (true) {
    if (cursor.piece == pieces.size() && text == uri.size()) return true;
    bool advanced = false;
    if (cursor.piece < pieces.size()) {
      const auto& piece = pieces[cursor.piece];
      if (piece.variable) {
        if (text < uri.size() && uri[text] != '/') {
          std::size_t k = variable_index(cursor.piece);
          have_retry = true;
          retry_piece = cursor.piece;
          retry_variable = k;
          retry_begin = text;
          ++text;
          retry_end = text;
          captures[k] = uri.substr(retry_begin, retry_end - retry_begin);
          cursor = {cursor.piece + 1, 0};
          advanced = true;
        }
      } else if (text < uri.size() && uri[text] == piece.text[cursor.offset]) {
        ++text;
        ++cursor.offset;
        if (cursor.offset == piece.text.size()) cursor = {cursor.piece + 1, 0};
        advanced = true;
      }
    }
    if (advanced) continue;
    // Mismatch: let the most recent variable take one more character.
    if (!have_retry || retry_end >= uri.size() || uri[retry_end] == '/') return false;
    ++retry_end;
    text = retry_end;
    captures[retry_variable] = uri.substr(retry_begin, retry_end - retry_begin);
    cursor = {retry_piece + 1, 0};
  }
}

}  // namespace authz::runtime
