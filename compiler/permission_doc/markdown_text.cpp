// markdown_text.cpp — see markdown_text.h.
#include "compiler/permission_doc/markdown_text.h"

#include <algorithm>

namespace authz::permission_doc {

std::string prose(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '[': out += "\\["; break;
      case ']': out += "\\]"; break;
      case '|': out += "\\|"; break;
      case '\n': case '\r': out += ' '; break;
      default: out += c; break;
    }
  }
  return out;
}

std::string code(std::string_view text) {
  std::size_t longest = 0, run = 0;
  std::string body;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '\n' || c == '\r') {
      body += ' ';
    } else if (c == '|') {
      body += "\\|";
    } else {
      body += c;
    }
  }
  std::string fence(longest + 1, '`');
  bool pad = !body.empty() && (body.front() == '`' || body.back() == '`' || body.front() == ' ');
  if (body.empty()) return "` `";
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

}  // namespace authz::permission_doc
