// json_scan.cpp — see json_scan.h. A hand-written scanner because simdjson's
// DOM keeps no source positions; it trusts nothing about its input.
#include "tools/gateway/json_scan.h"

#include <cstdint>
#include <algorithm>
#include <cstring>

#include "runtime/internal/utf8.h"
#include "runtime/internal/value_text.h"

namespace authz::gateway {
namespace {

constexpr std::size_t kMaxDepth = 1024;  // as simdjson's default; deeper text was already refused

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view text, std::size_t position) {
  while (position < text.size() && is_space(text[position])) ++position;
  return position;
}

// Offset just past the string literal starting at `position` (a quote).
// Jumps from quote to quote with memchr; a quote preceded by an odd run of
// backslashes is escaped and the search goes on after it.
std::optional<std::size_t> string_end(std::string_view text, std::size_t position) {
  const std::size_t body = position + 1;
  std::size_t from = body;
  while (from < text.size()) {
    const void* hit = std::memchr(text.data() + from, '"', text.size() - from);
    if (!hit) return std::nullopt;
    const auto quote = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
    std::size_t backslashes = 0;
    while (quote - backslashes > body && text[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote + 1;
    from = quote + 1;
  }
  return std::nullopt;
}

std::optional<std::size_t> scalar_end(std::string_view text, std::size_t position) {
  std::size_t start = position;
  while (position < text.size()) {
    char c = text[position];
    if (is_space(c) || c == ',' || c == ']' || c == '}' || c == ':') break;
    ++position;
  }
  if (position == start) return std::nullopt;
  return position;
}

// Offset just past the value at `position` (no leading whitespace).
std::optional<std::size_t> skip_value(std::string_view text, std::size_t position) {
  if (position >= text.size()) return std::nullopt;
  char first = text[position];
  if (first == '"') return string_end(text, position);
  if (first != '{' && first != '[') return scalar_end(text, position);
  // Containers: track nesting with a fixed stack of closers (no
  // allocation); strings are skipped whole so brackets inside them do not count.
  char closers[kMaxDepth];
  std::size_t depth = 0;
  while (position < text.size()) {
    char c = text[position];
    if (c == '"') {
      auto end = string_end(text, position);
      if (!end) return std::nullopt;
      position = *end;
      continue;
    }
    if (c == '{' || c == '[') {
      if (depth >= kMaxDepth) return std::nullopt;
      closers[depth++] = c == '{' ? '}' : ']';
    } else if (c == '}' || c == ']') {
      if (depth == 0 || closers[depth - 1] != c) return std::nullopt;
      if (--depth == 0) return position + 1;
    }
    ++position;
  }
  return std::nullopt;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view text, std::size_t position, std::uint32_t& out) {
  if (position + 4 > text.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    int digit = hex_digit(text[position + i]);
    if (digit < 0) return false;
    out = out * 16 + static_cast<std::uint32_t>(digit);
  }
  return true;
}

// `visit` advances `position` past one entry and returns Continue, Done
// (stop here, successfully) or Fail.
enum class Visit { Continue, Done, Fail };

template <class Visitor>
bool scan_container(std::string_view text, char open, char close, Visitor visit) {
  std::size_t position = skip_space(text, 0);
  if (position >= text.size() || text[position] != open) return false;
  position = skip_space(text, position + 1);
  if (position < text.size() && text[position] == close) return true;
  while (position < text.size()) {
    const Visit step = visit(position);
    if (step == Visit::Fail) return false;
    if (step == Visit::Done) return true;
    position = skip_space(text, position);
    if (position >= text.size()) return false;
    if (text[position] == close) return true;
    if (text[position] != ',') return false;
    position = skip_space(text, position + 1);
  }
  return false;
}

}  // namespace

bool decode_json_string(std::string_view literal, std::string& out) {
  out.clear();
  if (literal.size() < 2 || literal.front() != '"' || literal.back() != '"') return false;
  std::string_view body = literal.substr(1, literal.size() - 2);
  if (body.find('\\') == std::string_view::npos) {  // nearly every literal: its bytes are its text
    out.assign(body);
    return true;
  }
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return false;
    switch (body[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        std::uint32_t unit = 0;
        if (!read_hex4(body, i + 1, unit)) return false;
        i += 4;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          std::uint32_t low = 0;
          if (i + 2 < body.size() && body[i + 1] == '\\' && body[i + 2] == 'u' && read_hex4(body, i + 3, low) &&
              low >= 0xDC00 && low <= 0xDFFF) {
            i += 6;
            runtime::internal::append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
          } else {
            runtime::internal::append_utf8(out, 0xFFFD);
          }
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
          runtime::internal::append_utf8(out, 0xFFFD);
        } else {
          runtime::internal::append_utf8(out, unit);
        }
        break;
      }
      default: return false;
    }
  }
  return true;
}

std::optional<std::string_view> value_at(std::string_view text, std::size_t position, std::size_t* end) {
  position = skip_space(text, position);
  auto value_end = skip_value(text, position);
  if (!value_end) return std::nullopt;
  if (end) *end = *value_end;
  return text.substr(position, *value_end - position);
}

bool object_members(std::string_view object, std::vector<JsonMember>& out) {
  out.clear();
  return scan_container(object, '{', '}', [&](std::size_t& position) {
    if (object[position] != '"') return Visit::Fail;
    auto key_end = string_end(object, position);
    if (!key_end) return Visit::Fail;
    JsonMember member;
    if (!decode_json_string(object.substr(position, *key_end - position), member.key)) return Visit::Fail;
    position = skip_space(object, *key_end);
    if (position >= object.size() || object[position] != ':') return Visit::Fail;
    std::size_t value_end = 0;
    auto value = value_at(object, position + 1, &value_end);
    if (!value) return Visit::Fail;
    member.value = *value;
    position = value_end;
    out.push_back(std::move(member));
    return Visit::Continue;
  });
}

bool find_members(std::string_view object, std::span<const std::string_view> keys,
                  std::span<std::optional<std::string_view>> found) {
  for (auto& span : found) span.reset();
  std::string decoded;
  const std::size_t wanted = std::min(keys.size(), found.size());
  std::size_t missing = wanted;
  bool ok = scan_container(object, '{', '}', [&](std::size_t& position) {
    if (object[position] != '"') return Visit::Fail;
    auto key_end = string_end(object, position);
    if (!key_end) return Visit::Fail;
    std::string_view literal = object.substr(position, *key_end - position);
    std::string_view key = literal.substr(1, literal.size() - 2);
    if (key.find('\\') != std::string_view::npos) {
      if (!decode_json_string(literal, decoded)) return Visit::Fail;
      key = decoded;
    }
    position = skip_space(object, *key_end);
    if (position >= object.size() || object[position] != ':') return Visit::Fail;
    std::size_t value_end = 0;
    auto value = value_at(object, position + 1, &value_end);
    if (!value) return Visit::Fail;
    for (std::size_t i = 0; i < wanted; ++i) {
      if (!found[i] && keys[i] == key) {
        found[i] = value;
        --missing;
      }
    }
    position = value_end;
    return missing == 0 ? Visit::Done : Visit::Continue;
  });
  if (!ok) {
    for (auto& span : found) span.reset();  // nothing from an object that does not scan
  }
  return ok;
}

std::optional<std::string_view> member_value(std::string_view object, std::string_view key) {
  std::optional<std::string_view> found;
  if (!find_members(object, std::span<const std::string_view>(&key, 1), std::span(&found, 1))) return std::nullopt;
  return found;
}

bool array_elements(std::string_view array, std::vector<std::string_view>& out) {
  out.clear();
  return scan_container(array, '[', ']', [&](std::size_t& position) {
    std::size_t value_end = 0;
    auto value = value_at(array, position, &value_end);
    if (!value) return Visit::Fail;
    out.push_back(*value);
    position = value_end;
    return Visit::Continue;
  });
}

}  // namespace authz::gateway
