// json_text.cpp — see json_text.h.
#include "tools/gateway/json_text.h"

#include <cstdint>

namespace authz::gateway {
namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 if it is not one.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char first = byte(i);
  std::size_t length;
  std::uint32_t minimum;
  std::uint32_t code;
  if (first >= 0xC2 && first <= 0xDF) {
    length = 2, minimum = 0x80, code = first & 0x1F;
  } else if (first >= 0xE0 && first <= 0xEF) {
    length = 3, minimum = 0x800, code = first & 0x0F;
  } else if (first >= 0xF0 && first <= 0xF4) {
    length = 4, minimum = 0x10000, code = first & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static const char* digits = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x80) {
      std::size_t length = utf8_sequence(text, i);
      if (length == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += static_cast<char>(byte);
    } else if (byte == '\n') {
      out += "\\n";
    } else if (byte == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      out += "\\u00";
      out += digits[byte >> 4];
      out += digits[byte & 15];
    } else {
      out += static_cast<char>(byte);
    }
    ++i;
  }
  out += '"';
}

std::string error_response(std::string_view id, int code, std::string_view message,
                           const std::vector<std::pair<std::string_view, std::string_view>>& data) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"id\":";
  out += id;
  out += ",\"error\":{\"code\":";
  out += std::to_string(code);
  out += ",\"message\":";
  append_json_string(out, message);
  if (!data.empty()) {
    out += ",\"data\":{";
    bool first = true;
    for (const auto& [key, value] : data) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, key);
      out += ':';
      append_json_string(out, value);
    }
    out += '}';
  }
  out += "}}";
  return out;
}

std::string tool_error_result(std::string_view id, std::string_view text, std::string_view decision_id,
                              std::string_view reason) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"id\":";
  out += id;
  out += ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":";
  append_json_string(out, text);
  out += "}],\"isError\":true,\"_meta\":{\"authz/decision_id\":";
  append_json_string(out, decision_id);
  out += ",\"authz/reason\":";
  append_json_string(out, reason);
  out += "}}}";
  return out;
}

std::string notification(std::string_view method) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"method\":";
  append_json_string(out, method);
  out += '}';
  return out;
}

}  // namespace authz::gateway
