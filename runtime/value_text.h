// value_text.h — Values and strings as text, for traces, dumps and JSON.
//
// Contract: render_value writes a Value the way the language writes literals
// (Style::Language: strings quoted, timestamps and durations bare, roles by
// name) or as JSON (Style::Json: timestamps and durations as strings, roles
// as their names, Absent as null). Role names come from `role_names` when
// given (else `role#N`). Record values print their items positionally.
// Rendering is bounded by the value nesting limits the runtime enforces.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/table_model.h"
#include "runtime/value.h"

namespace authz::runtime {

enum class TextStyle { Language, Json };

void append_quoted(std::string& out, std::string_view text);  // JSON string escapes
// The code point whose UTF-8 sequence starts at `pos` and the sequence's
// length (1-4); length 0 when the bytes there are not one (RFC 3629: no
// overlong forms, no surrogates, nothing past U+10FFFF, no truncated
// sequence). `pos` must be inside `text`.
struct Utf8Char {
  char32_t code_point = 0;
  std::size_t length = 0;
};
Utf8Char decode_utf8(std::string_view text, std::size_t pos);
// decode_utf8(text, pos).length: for writers that must emit valid UTF-8
// whatever they are given.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos);
// Appends the UTF-8 encoding of a code point (at most U+10FFFF).
void append_utf8(std::string& out, char32_t code_point);
std::string quoted(std::string_view text);
void append_value(std::string& out, const Value& value, TextStyle style, const std::vector<Role>* roles = nullptr);
std::string render_value(const Value& value, TextStyle style, const std::vector<Role>* roles = nullptr);

}  // namespace authz::runtime
