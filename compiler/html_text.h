// html_text.h — text into HTML: the one escaper of the HTML pages authzc
// writes (the permission doc, the audit report).
//
// Contract: html_escape replaces & < > " ' with entities, so its result is
// safe as element text and inside a double- or single-quoted attribute.
// Bytes are otherwise copied unchanged.
#pragma once

#include <string>
#include <string_view>

namespace authz {

inline std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c; break;
    }
  }
  return out;
}

}  // namespace authz
