// uri_template.cpp — see uri_template.h. Parsing lowers every expression to
// literal pieces (the operator's prefix and separators) and variable pieces
// (a value class). Matching fills, from the last piece back, one bit row per
// piece: bit t of row i says "pieces i.. match uri[t..]". A variable row is
// computed in one right-to-left sweep (the end of the run of allowed bytes
// from t, and the nearest position after t where the next row is set), so a
// hostile URI costs O(pieces x length), never more. The captures are then
// read forwards: each variable takes the shortest value whose end is set in
// the next row.
#include "runtime/uri_template.h"

#include <fmt/format.h>

#include <algorithm>

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

bool allowed(UriValueClass value_class, char c) {
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
  auto add_variable = [&](std::string_view name, std::size_t offset, UriValueClass value_class) {
    if (!literal.empty()) result.pieces.push_back({false, UriValueClass::Simple, std::move(literal), 0});
    literal.clear();
    result.pieces.push_back({true, value_class, std::string(name), offset});
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
      if (name.back() == '*') {
        return fail(name_offset, name.size(),
                    fmt::format("explode modifier in `{}` is not supported in a resource URI template", name));
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
  if (!literal.empty()) result.pieces.push_back({false, UriValueClass::Simple, std::move(literal), 0});
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

bool match_uri_template(const UriTemplate& pattern, std::string_view uri, std::string_view* captures) {
  const auto& pieces = pattern.pieces;
  const std::size_t n = uri.size();
  // Cheap rejections first: the template's first and last literals.
  if (!pieces.empty() && !pieces.front().variable) {
    if (uri.substr(0, pieces.front().text.size()) != pieces.front().text) return false;
    if (pieces.size() == 1) return uri.size() == pieces.front().text.size();
  }
  if (!pieces.empty() && !pieces.back().variable) {
    const std::string& last = pieces.back().text;
    if (last.size() > n || uri.substr(n - last.size()) != last) return false;
  }
  if (pieces.empty()) return n == 0;

  // rows[i] (i = 0..P) as bits over positions 0..n; row P is "at the end".
  const std::size_t words = n / 64 + 1;
  const std::size_t row_count = pieces.size() + 1;
  thread_local std::vector<std::uint64_t> scratch;
  if (scratch.size() < words * row_count) scratch.resize(words * row_count);
  std::fill(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(words * row_count), 0);
  auto row = [&](std::size_t i) { return scratch.data() + i * words; };
  auto get = [](const std::uint64_t* r, std::size_t t) { return (r[t / 64] >> (t % 64)) & 1U; };
  auto set = [](std::uint64_t* r, std::size_t t) { r[t / 64] |= std::uint64_t{1} << (t % 64); };

  set(row(pieces.size()), n);
  for (std::size_t i = pieces.size(); i-- > 0;) {
    const auto& piece = pieces[i];
    const std::uint64_t* next = row(i + 1);
    std::uint64_t* here = row(i);
    bool any = false;
    if (!piece.variable) {
      const std::string& text = piece.text;
      if (text.size() > n) return false;
      for (std::size_t t = 0; t + text.size() <= n; ++t) {
        if (get(next, t + text.size()) && uri.compare(t, text.size(), text) == 0) {
          set(here, t);
          any = true;
        }
      }
    } else {
      std::size_t run_end = n;      // end of the run of allowed bytes starting at t
      std::size_t nearest = n + 1;  // smallest e > t with next[e] set (n + 1: none)
      for (std::size_t t = n; t-- > 0;) {
        if (get(next, t + 1)) nearest = t + 1;
        if (!allowed(piece.value_class, uri[t])) {
          run_end = t;
          continue;
        }
        if (nearest <= run_end) {
          set(here, t);
          any = true;
        }
      }
    }
    if (!any) return false;
  }
  if (!get(row(0), 0)) return false;

  // Read the captures forwards: the shortest value whose end the next row allows.
  std::size_t t = 0;
  std::size_t k = 0;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const auto& piece = pieces[i];
    if (!piece.variable) {
      t += piece.text.size();
      continue;
    }
    const std::uint64_t* next = row(i + 1);
    std::size_t e = t + 1;
    while (!get(next, e)) ++e;  // exists: row i is set at t
    captures[k++] = uri.substr(t, e - t);
    t = e;
  }
  return true;
}

}  // namespace authz::runtime
