// sse.cpp — see sse.h.
#include "tools/http/sse.h"

namespace authz::http {

bool SseParser::line(std::string_view text, const OnEvent& on_event) {
  if (text.empty()) {
    if (has_data_) on_event(type_.empty() ? std::string_view("message") : std::string_view(type_), id_, data_);
    type_.clear();
    data_.clear();
    has_data_ = false;
    return true;
  }
  if (text.front() == ':') return true;
  auto colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) data_ += '\n';
    data_ += value;
    has_data_ = true;
    if (data_.size() > max_event_bytes_) return false;
  } else if (field == "event") {
    type_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) id_.assign(value);
  }
  return true;
}

bool SseParser::feed(std::string_view bytes, const OnEvent& on_event) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c != '\n' && c != '\r') continue;
    if (c == '\n' && after_cr_ && i == start && partial_.empty()) {
      // The LF of a CRLF whose CR ended the previous line.
      after_cr_ = false;
      start = i + 1;
      continue;
    }
    after_cr_ = c == '\r';
    std::string_view text = bytes.substr(start, i - start);
    if (!partial_.empty()) {
      partial_.append(text);
      text = partial_;
    }
    // A line longer than a partial line may grow (below) is refused however
    // it arrives, so the verdict never depends on how the stream was split.
    const bool ok = text.size() <= max_event_bytes_ + 64 && line(text, on_event);
    partial_.clear();
    if (!ok) return false;
    start = i + 1;
  }
  if (start < bytes.size()) {
    after_cr_ = false;
    partial_.append(bytes.substr(start));
    if (partial_.size() > max_event_bytes_ + 64) return false;
  }
  return true;
}

void append_sse_message(std::string& out, std::string_view json) {
  out += "event: message\ndata: ";
  out += json;
  out += "\n\n";
}

}  // namespace authz::http
