// sse.h — Server-Sent Events (the WHATWG event-stream format) in both
// directions: an incremental parser for an upstream's stream and the writer
// of the events the gateway sends.
//
// Contract: SseParser::feed takes any split of the byte stream and calls
// `on_event` once per dispatched event (a blank line after at least one
// `data` field) with the event's type ("message" by default), its id (the
// last `id` seen, as the format says) and its data (the `data` lines joined
// by '\n'). Lines end with CRLF, LF or CR; comments (`:`) and unknown fields
// are ignored; one leading space after the colon is dropped. An event whose
// data exceeds `max_event_bytes`, or a line longer than `max_event_bytes` +
// 64 bytes, makes feed() return false (the caller ends the stream), whatever
// the split — the parser never buffers without bound. Pure: no I/O.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace authz::http {

class SseParser {
 public:
  using OnEvent = std::function<void(std::string_view type, std::string_view id, std::string_view data)>;
  explicit SseParser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

  bool feed(std::string_view bytes, const OnEvent& on_event);

 private:
  bool line(std::string_view line, const OnEvent& on_event);
  std::size_t max_event_bytes_;
  std::string partial_;  // an unfinished line
  bool after_cr_ = false;
  std::string type_, id_, data_;
  bool has_data_ = false;
};

// `event: message\ndata: <json>\n\n` (the JSON has no newline: one line).
void append_sse_message(std::string& out, std::string_view json);

}  // namespace authz::http
