// uri_template.cpp — see uri_template.h. Parsing lowers every expression to
// literal pieces (the operator's prefix and separators) and variable pieces
// (a value class). Matching fills, from the last piece back, one bit row per
// piece: bit t of row i says "pieces i.. match uri[t..]". A variable row is
// computed in one right-to-left sweep (the end of the run of allowed bytes
// from t, and the nearest position after t where the next row is set), so a
// hostile URI costs O(pieces x length), never more. The captures are then
// read forwards: each variable takes the shortest value whose end is set in
// the next row.
#include "runtime/internal/uri_template.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace authz::runtime {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 6570 varname: varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded.
bool valid_name(std::string_view name) {
  bool after_char = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (is_name_char(c)) {
      after_char = true;
    } else if (c == '%' && i + 2 < name.size() && is_hex(name[i + 1]) && is_hex(name[i + 2])) {
      i += 2;
      after_char = true;
    } else if (c == '.' && after_char && i + 1 < name.size()) {
      after_char = false;
    } else {
      return false;
    }
  }
  return after_char;
}

constexpr bool allowed(UriValueClass value_class, char c) {
  switch (value_class) {
    case UriValueClass::Simple:
    case UriValueClass::Segment: return c != '/' && c != '?' && c != '#';
    case UriValueClass::Reserved: return c != '?' && c != '#';
    case UriValueClass::Label: return c != '/' && c != '?' && c != '#' && c != '.';
    case UriValueClass::QueryValue: return c != '&' && c != '#';
    case UriValueClass::Fragment: return true;
  }
  return false;
}

}  // namespace

std::optional<UriTemplate> parse_uri_template(std::string_view uri, UriTemplateError& error) {
  auto fail = [&](std::size_t offset, std::size_t length, std::string message) -> std::optional<UriTemplate> {
    error = {offset, std::max<std::size_t>(length, 1), std::move(message)};
    return std::nullopt;
  };
  UriTemplate result;
  std::string literal;
  auto add_literal = [&](std::string_view text) { literal += text; };
  char explode = 0;  // of the variable being added
  auto add_variable = [&](std::string_view name, std::size_t offset, UriValueClass value_class) {
    if (!literal.empty()) result.pieces.push_back({false, UriValueClass::Simple, std::move(literal), 0, 0});
    literal.clear();
    result.pieces.push_back({true, value_class, std::string(name), offset, explode});
    ++result.variable_count;
  };
  bool query_started = false;  // a `{?...}` was seen
  std::size_t pos = 0;
  while (pos < uri.size()) {
    char c = uri[pos];
    if (c == '}') return fail(pos, 1, "unmatched `}` in resource URI template");
    if (c != '{') {
      literal += c;
      ++pos;
      continue;
    }
    std::size_t close = uri.find_first_of("{}", pos + 1);
    if (close == std::string_view::npos || uri[close] == '{') {
      return fail(pos, 1, "unmatched `{` in resource URI template");
    }
    std::string_view body = uri.substr(pos + 1, close - pos - 1);
    std::size_t body_offset = pos + 1;
    if (body.empty()) return fail(pos, close - pos + 1, "empty variable in resource URI template");
    char op = 0;
    if (std::string_view("+#./?&").find(body[0]) != std::string_view::npos) {
      op = body[0];
      body.remove_prefix(1);
      ++body_offset;
    } else if (std::string_view(";=,!@|$()").find(body[0]) != std::string_view::npos) {
      return fail(pos, close - pos + 1,
                  fmt::format("unsupported operator `{}` in resource URI template (supported: `+ # / . ? &`)", body[0]));
    }
    if (body.empty()) return fail(pos, close - pos + 1, "empty variable in resource URI template");
    if (op == '?') {
      if (query_started) {
        return fail(pos, close - pos + 1, "a resource URI template has at most one `{?...}` expression");
      }
      query_started = true;
    }
    bool multi = body.find(',') != std::string_view::npos;
    if (multi && (op == 0 || op == '+' || op == '#')) {
      return fail(pos, close - pos + 1,
                  fmt::format("more than one variable in `{}` is ambiguous in a resource URI template",
                              uri.substr(pos, close - pos + 1)));
    }
    std::size_t start = 0;
    bool first = true;
    while (true) {
      std::size_t comma = body.find(',', start);
      std::size_t end = comma == std::string_view::npos ? body.size() : comma;
      std::string_view name = body.substr(start, end - start);
      std::size_t name_offset = body_offset + start;
      if (name.empty()) return fail(pos, close - pos + 1, "empty variable in resource URI template");
      explode = 0;
      if (name.back() == '*') {
        if (op != '/' && op != '.') {
          return fail(name_offset, name.size(),
                      fmt::format("explode modifier in `{}` is supported only as `{{/{}}}` or `{{.{}}}` in a resource "
                                  "URI template",
                                  name, name, name));
        }
        explode = op;
        name.remove_suffix(1);
      }
      if (name.find(':') != std::string_view::npos) {
        return fail(name_offset, name.size(),
                    fmt::format("prefix modifier in `{}` is not supported in a resource URI template", name));
      }
      if (!valid_name(name)) return fail(name_offset, name.size(), fmt::format("invalid template variable name `{}`", name));
      for (const auto& piece : result.pieces) {
        if (piece.variable && piece.text == name) {
          return fail(name_offset, name.size(), fmt::format("template variable `{}` appears twice", name));
        }
      }
      switch (op) {
        case 0: add_variable(name, name_offset, UriValueClass::Simple); break;
        case '+': add_variable(name, name_offset, UriValueClass::Reserved); break;
        case '#':
          add_literal("#");
          add_variable(name, name_offset, UriValueClass::Fragment);
          break;
        case '/':
          add_literal("/");
          add_variable(name, name_offset, UriValueClass::Segment);
          break;
        case '.':
          add_literal(".");
          add_variable(name, name_offset, UriValueClass::Label);
          break;
        default:  // '?' and '&'
          add_literal(op == '?' && first ? "?" : "&");
          add_literal(name);
          add_literal("=");
          add_variable(name, name_offset, UriValueClass::QueryValue);
          break;
      }
      first = false;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    pos = close + 1;
  }
  if (!literal.empty()) result.pieces.push_back({false, UriValueClass::Simple, std::move(literal), 0, 0});
  return result;
}

std::optional<UriTemplate> parse_uri_template(std::string_view uri, std::string* error) {
  UriTemplateError problem;
  auto parsed = parse_uri_template(uri, problem);
  if (!parsed && error) *error = fmt::format("{} at byte {}", problem.message, problem.offset);
  return parsed;
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

namespace {

// allowed() as one table lookup per byte: kAllowed[class][byte].
struct AllowedTable {
  bool bytes[6][256] = {};
  constexpr AllowedTable() {
    for (int k = 0; k < 6; ++k)
      for (int c = 0; c < 256; ++c) bytes[k][c] = allowed(static_cast<UriValueClass>(k), static_cast<char>(c));
  }
};
constexpr AllowedTable kAllowed;

bool allowed_byte(UriValueClass value_class, char c) {
  return kAllowed.bytes[static_cast<int>(value_class)][static_cast<unsigned char>(c)];
}

// A byte of the variable's value: of its class, or an exploded variable's separator.
bool allowed_in(const UriTemplate::Piece& piece, char c) {
  return allowed_byte(piece.value_class, c) || (piece.explode != 0 && c == piece.explode);
}

// [from, to) of `uri` is a value of the variable: one or more allowed bytes,
// and for an exploded one, elements that are not empty.
bool valid_value(const UriTemplate::Piece& piece, std::string_view uri, std::size_t from, std::size_t to) {
  if (from >= to) return false;
  const char sep = piece.explode;
  for (std::size_t t = from; t < to; ++t) {
    if (!allowed_in(piece, uri[t])) return false;
    if (sep != 0 && uri[t] == sep && (t == from || t + 1 == to || uri[t + 1] == sep)) return false;
  }
  return true;
}

// match_uri_template's rows of bits: bit b of a row is position begin + b
// of the URI.
bool get_bit(const std::uint64_t* row, std::size_t b) { return (row[b / 64] >> (b % 64)) & 1U; }
void set_bit(std::uint64_t* row, std::size_t b) { row[b / 64] |= std::uint64_t{1} << (b % 64); }

// A literal's row: each set bit e of the next row where the literal ends at
// e sets e - its size. False when none is set.
bool fill_literal_row(const std::string& text, std::string_view uri, std::size_t begin, std::size_t words,
                      const std::uint64_t* next, std::uint64_t* here) {
  bool any = false;
  for (std::size_t w = 0; w < words; ++w) {
    for (std::uint64_t bits = next[w]; bits != 0; bits &= bits - 1) {
      std::size_t e = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
      if (e < text.size() || uri.compare(begin + e - text.size(), text.size(), text) != 0) continue;
      set_bit(here, e - text.size());
      any = true;
    }
  }
  return any;
}

// A variable's row: b is set when a value starts at b and ends where the next
// row is set. run_end: the furthest end of a value starting at b; nearest:
// the smallest e > b with next[e] set where a value may end (span + 1: none).
// False when none is set.
bool fill_variable_row(const UriTemplate::Piece& piece, std::string_view uri, std::size_t begin, std::size_t span,
                       const std::uint64_t* next, std::uint64_t* here) {
  const char sep = piece.explode;
  std::size_t run_end = span;
  std::size_t nearest = span + 1;
  bool any = false;
  if (sep == 0) {  // the common case, without the separator checks
    const bool* ok = kAllowed.bytes[static_cast<int>(piece.value_class)];
    for (std::size_t b = span; b-- > 0;) {
      if (get_bit(next, b + 1)) nearest = b + 1;
      if (!ok[static_cast<unsigned char>(uri[begin + b])]) {
        run_end = b;
      } else if (nearest <= run_end) {
        set_bit(here, b);
        any = true;
      }
    }
    return any;
  }
  for (std::size_t b = span; b-- > 0;) {
    const char c = uri[begin + b];
    const bool is_sep = sep != 0 && c == sep;
    if (get_bit(next, b + 1) && !is_sep) nearest = b + 1;
    if (!allowed_in(piece, c)) {
      run_end = b;
      continue;
    }
    if (is_sep) {  // an element is never empty: no `//`, and no value starts with `/`
      if (b + 1 < span && uri[begin + b + 1] == sep) run_end = b + 1;
      continue;
    }
    if (nearest <= run_end) {
      set_bit(here, b);
      any = true;
    }
  }
  return any;
}

// Reads the captures forwards, pieces first..last over [begin, begin + span):
// for each variable the shortest value whose end the next row allows.
// `row(i)` is piece i's row.
template <typename RowOf>
bool read_captures(const std::vector<UriTemplate::Piece>& pieces, std::size_t first, std::size_t last,
                   std::string_view uri, std::size_t begin, std::size_t span, RowOf row, std::string_view* captures) {
  std::size_t b = 0;
  std::size_t k = 0;
  for (std::size_t i = first; i < last; ++i) {
    const auto& piece = pieces[i];
    if (!piece.variable) {
      b += piece.text.size();
      continue;
    }
    // The first end e where [b, e) is a value and next[e] is set. Row i is
    // set at b for i > first, so only the first variable can fail here.
    const std::uint64_t* next = row(i + 1);
    const char sep = piece.explode;
    std::size_t e = b + 1;
    while (true) {
      if (e > span) return false;
      const char c = uri[begin + e - 1];
      if (!allowed_in(piece, c)) return false;
      const bool is_sep = sep != 0 && c == sep;
      if (is_sep && (e - 1 == b || uri[begin + e - 2] == sep)) return false;
      if (!is_sep && get_bit(next, e)) break;
      ++e;
    }
    captures[k++] = uri.substr(begin + b, e - b);
    b = e;
  }
  return true;
}

}  // namespace

bool match_uri_template(const UriTemplate& pattern, std::string_view uri, std::string_view* captures) {
  const auto& pieces = pattern.pieces;
  const std::size_t n = uri.size();
  if (pieces.empty()) return n == 0;
  // The first and last literals bound the rest: [begin, end) of the URI.
  std::size_t first = 0;
  std::size_t last = pieces.size();
  std::size_t begin = 0;
  std::size_t end = n;
  if (!pieces.front().variable) {
    const std::string& text = pieces.front().text;
    if (uri.substr(0, text.size()) != text) return false;
    if (pieces.size() == 1) return n == text.size();
    begin = text.size();
    first = 1;
  }
  if (!pieces.back().variable) {
    const std::string& text = pieces.back().text;
    if (text.size() > n - begin || uri.substr(n - text.size()) != text) return false;
    end = n - text.size();
    last = pieces.size() - 1;
  }
  if (last - first == 1) {  // one variable between the literals: it takes all of [begin, end)
    if (!valid_value(pieces[first], uri, begin, end)) return false;
    captures[0] = uri.substr(begin, end - begin);
    return true;
  }

  // rows[i] for pieces first..last, bits over positions begin..end (bit b is
  // position begin + b); the row after the last piece has only `end` set.
  const std::size_t span = end - begin;
  const std::size_t words = span / 64 + 1;
  const std::size_t row_count = last - first + 1;
  std::uint64_t local[32];  // short URIs: on the stack
  std::uint64_t* bits = local;
  if (words * row_count > std::size(local)) {
    thread_local std::vector<std::uint64_t> scratch;
    if (scratch.size() < words * row_count) scratch.resize(words * row_count);
    bits = scratch.data();
  }
  std::fill(bits, bits + words * row_count, 0);
  auto row = [&](std::size_t i) { return bits + (i - first) * words; };

  set_bit(row(last), span);
  // pieces[first] is a variable (literals alternate with variables, and a
  // leading literal was matched above); its row is needed at 0 only, which
  // the forward read below decides, so rows are filled for first + 1.. only.
  for (std::size_t i = last; i-- > first + 1;) {
    const auto& piece = pieces[i];
    const bool any = piece.variable ? fill_variable_row(piece, uri, begin, span, row(i + 1), row(i))
                                    : fill_literal_row(piece.text, uri, begin, words, row(i + 1), row(i));
    if (!any) return false;
  }
  return read_captures(pieces, first, last, uri, begin, span, row, captures);
}

}  // namespace authz::runtime
