// json_text.h — writing JSON text by hand: string quoting for the server's
// responses. Contract: quote() escapes `"` `\` and every control character,
// and passes other bytes through (input is UTF-8 from SQLite or the client).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace sales_server {

inline void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

inline std::string json_quoted(std::string_view text) {
  std::string out;
  append_quoted(out, text);
  return out;
}

}  // namespace sales_server
