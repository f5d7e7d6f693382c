// line_framer.cpp — see line_framer.h.
#include "tools/gateway/line_framer.h"

#include <cstring>

namespace authz::gateway {
namespace {

bool blank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

void LineFramer::feed(std::string_view bytes) {
  // Compact before growing so the buffer holds at most one line plus one read.
  if (start_ > 0 && (start_ == buffer_.size() || start_ >= buffer_.size() / 2)) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  if (discarding_) {
    const void* newline = std::memchr(bytes.data(), '\n', bytes.size());
    if (!newline) return;
    discarding_ = false;
    bytes.remove_prefix(static_cast<const char*>(newline) - bytes.data() + 1);
  }
  buffer_.append(bytes);
}

LineFramer::Event LineFramer::next(std::string_view& line) {
  while (true) {
    std::size_t available = buffer_.size() - start_;
    const char* begin = buffer_.data() + start_;
    const void* newline = available > scanned_ ? std::memchr(begin + scanned_, '\n', available - scanned_) : nullptr;
    if (!newline) {
      if (available > max_line_bytes_) {
        // Too long already: drop what we hold and skip to the next newline.
        buffer_.clear();
        start_ = scanned_ = 0;
        discarding_ = true;
        return Event::Oversized;
      }
      scanned_ = available;
      if (finished_ && available > 0) {
        line = std::string_view(begin, available);
        start_ = buffer_.size();
        scanned_ = 0;
        if (blank(line)) continue;
        return Event::Line;
      }
      return Event::None;
    }
    std::size_t length = static_cast<const char*>(newline) - begin;
    start_ += length + 1;
    scanned_ = 0;
    if (length > max_line_bytes_) return Event::Oversized;
    line = std::string_view(begin, length);
    if (blank(line)) continue;
    return Event::Line;
  }
}

}  // namespace authz::gateway
