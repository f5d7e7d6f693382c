// line_framer.h — splits a byte stream into newline-delimited messages.
//
// Contract: feed() appends bytes as they arrive; next() hands out each
// complete line (without its '\n') in order. A line longer than
// `max_line_bytes` is never buffered whole: as soon as it passes the limit
// next() reports Oversized once, and the rest of that line is discarded up to
// its newline. Lines holding only whitespace are skipped (they are not
// messages). finish() at end of input turns a last unterminated line into a
// line. A string_view from next() stays valid until the next feed().
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace authz::gateway {

class LineFramer {
 public:
  enum class Event { None, Line, Oversized };

  explicit LineFramer(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  void feed(std::string_view bytes);
  Event next(std::string_view& line);
  void finish() { finished_ = true; }
  // Bytes held for an incomplete line.
  std::size_t buffered() const { return buffer_.size() - start_; }

 private:
  std::size_t max_line_bytes_;
  std::string buffer_;
  std::size_t start_ = 0;    // first byte not yet handed out
  std::size_t scanned_ = 0;  // bytes from start_ already known to hold no '\n'
  bool discarding_ = false;  // inside an oversized line, until its newline
  bool finished_ = false;
};

}  // namespace authz::gateway
