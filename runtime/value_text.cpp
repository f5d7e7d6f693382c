// value_text.cpp — see value_text.h. Numbers print in their shortest
// round-trip form; non-finite numbers (never produced by a valid table or
// JSON input) print as null so JSON output stays valid.
#include "runtime/value_text.h"

#include <cmath>

#include <fmt/format.h>

#include "runtime/internal/byte_scan.h"
#include "runtime/time_text.h"

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

void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  for (std::size_t i = internal::first_json_special(text, 0); i < text.size();
       i = internal::first_json_special(text, i + 1)) {
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    internal::append_json_escape(out, static_cast<unsigned char>(text[i]));
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

Utf8Char decode_utf8(std::string_view text, std::size_t pos) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  if (lead < 0x80) return {lead, 1};
  std::size_t length;
  char32_t value;
  char32_t minimum;
  if ((lead & 0xE0) == 0xC0) { length = 2; value = lead & 0x1F; minimum = 0x80; }
  else if ((lead & 0xF0) == 0xE0) { length = 3; value = lead & 0x0F; minimum = 0x800; }
  else if ((lead & 0xF8) == 0xF0) { length = 4; value = lead & 0x07; minimum = 0x10000; }
  else return {};
  if (pos + length > text.size()) return {};
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return {};
    value = (value << 6) | (byte(pos + i) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
  return {value, length};
}

std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) { return decode_utf8(text, pos).length; }

void append_utf8(std::string& out, char32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

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
