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

// A string as a JSON string literal: internal/json_string.h's kValueJson
// (the escapes JSON requires; the text is trusted to be valid UTF-8).
void append_quoted(std::string& out, std::string_view text);
std::string quoted(std::string_view text);
void append_value(std::string& out, const Value& value, TextStyle style, const std::vector<Role>* roles = nullptr);
std::string render_value(const Value& value, TextStyle style, const std::vector<Role>* roles = nullptr);

}  // namespace authz::runtime
