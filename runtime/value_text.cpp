// value_text.cpp — see value_text.h. Numbers print in their shortest
// round-trip form; non-finite numbers (never produced by a valid table or
// JSON input) print as null so JSON output stays valid.
#include "runtime/internal/value_text.h"

#include <cmath>

#include <fmt/format.h>

#include "runtime/internal/json_string.h"
#include "runtime/internal/time_text.h"

namespace authz::runtime {

const char* to_string(ValueKind kind) {
  switch (kind) {
    case ValueKind::Absent: return "absent";
    case ValueKind::Bool: return "Bool";
    case ValueKind::Int: return "Int";
    case ValueKind::Number: return "Number";
    case ValueKind::String: return "String";
    case ValueKind::Timestamp: return "Timestamp";
    case ValueKind::Duration: return "Duration";
    case ValueKind::Role: return "Role";
    case ValueKind::List: return "List";
    case ValueKind::Set: return "Set";
    case ValueKind::Map: return "Map";
    case ValueKind::Record: return "Record";
  }
  return "?";
}

void append_quoted(std::string& out, std::string_view text) { internal::append_json_string(out, text, internal::kValueJson); }

std::string quoted(std::string_view text) {
  std::string out;
  append_quoted(out, text);
  return out;
}

void append_value(std::string& out, const Value& value, TextStyle style, const std::vector<Role>* roles) {
  bool json = style == TextStyle::Json;
  switch (value.kind) {
    case ValueKind::Absent: out += json ? "null" : "absent"; return;
    case ValueKind::Bool: out += value.boolean ? "true" : "false"; return;
    case ValueKind::Int: out += fmt::format("{}", value.integer); return;
    case ValueKind::Number:
      if (std::isfinite(value.number)) {
        out += fmt::format("{}", value.number);
      } else {
        out += "null";
      }
      return;
    case ValueKind::String: append_quoted(out, value.string()); return;
    case ValueKind::Timestamp:
      if (json) {
        append_quoted(out, format_timestamp(value.integer));
      } else {
        out += format_timestamp(value.integer);
      }
      return;
    case ValueKind::Duration:
      if (json) {
        append_quoted(out, format_duration(value.integer));
      } else {
        out += format_duration(value.integer);
      }
      return;
    case ValueKind::Role: {
      std::string name = roles && value.integer >= 0 && static_cast<std::uint64_t>(value.integer) < roles->size()
                             ? (*roles)[static_cast<std::size_t>(value.integer)].name
                             : fmt::format("role#{}", value.integer);
      if (json) {
        append_quoted(out, name);
      } else {
        out += name;
      }
      return;
    }
    case ValueKind::List:
    case ValueKind::Set:
    case ValueKind::Record:
      out += value.kind == ValueKind::Record && !json ? '{' : '[';
      for (std::uint32_t i = 0; i < value.size; ++i) {
        if (i) out += ", ";
        append_value(out, value.items[i], style, roles);
      }
      out += value.kind == ValueKind::Record && !json ? '}' : ']';
      return;
    case ValueKind::Map:
      out += '{';
      for (std::uint32_t i = 0; i < value.size; ++i) {
        if (i) out += ", ";
        append_quoted(out, value.items[2 * i].string());
        out += ": ";
        append_value(out, value.items[2 * i + 1], style, roles);
      }
      out += '}';
      return;
  }
}

std::string render_value(const Value& value, TextStyle style, const std::vector<Role>* roles) {
  std::string out;
  append_value(out, value, style, roles);
  return out;
}

}  // namespace authz::runtime
