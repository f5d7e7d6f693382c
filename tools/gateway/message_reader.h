// message_reader.h — strict reading of one JSON-RPC 2.0 message.
//
// Contract: the gateway is a security boundary, so a message is accepted
// only if it is exactly one well-formed JSON object in valid UTF-8 with no
// duplicate key at any depth (keys compared after their escapes are
// decoded), "jsonrpc": "2.0", and the shape of a request, a notification or a
// response. Everything read from it is decoded (`"tools/\u0063all"` is
// `tools/call`); raw byte spans point into the caller's line so ids and
// arguments can be reused exactly as written. A refused line yields a
// Rejection with the JSON-RPC code the gateway answers with:
//   -32700  not JSON, invalid UTF-8, or too large (the framer's Oversized)
//   -32600  a batch (JSON array), not an object, a duplicate key, a bad
//           "jsonrpc", id or method, neither request nor response
// The Rejection carries the id to answer with: the message's own id when it
// could be read unambiguously, else `null`. Never throws; never crashes.
//
// Two paths, one judgement: a line already in canonical form (what
// JSON.stringify writes, json_canonical.h), with no duplicate key and under
// kCanonicalFastPathBytes, is read in one pass of the recogniser with no
// parser; every other line goes through simdjson. Both gather the same
// top-level members and one function judges them, so both fill `message`
// or `rejection` identically (tests/unit/gateway_message_reader_test.cpp
// compares them).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace authz::gateway {

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

enum class MessageKind { Request, Notification, Response };

struct Message {
  MessageKind kind = MessageKind::Request;
  std::string method;          // decoded; requests and notifications
  std::string_view id;         // the id's exact bytes; requests and responses
  std::string id_key;          // the id compared by value: "n:5", "s:abc"
  std::string_view params;     // the params value's bytes; empty when absent
  bool params_is_object = false;
  bool has_result = false;     // responses: a result (not an error); response_result() finds its bytes
  bool canonical = false;      // read by the canonical fast path: every value in it is canonical JSON too
};

// The bytes of a response's `result` (the line must have been read as a
// response): found on demand, because most responses are relayed without
// looking inside, and reading past a large result would cost as much as the
// relay itself.
std::optional<std::string_view> response_result(std::string_view line);

struct Rejection {
  int code = kParseError;
  std::string message;     // lowercase, for the error object and the log
  std::string id = "null";  // JSON text of the id to answer with
};

// Lines longer than this always take simdjson's path, which is faster on
// large texts (the recogniser reads a byte at a time outside strings).
inline constexpr std::size_t kCanonicalFastPathBytes = 16 * 1024;

class MessageReader {
 public:
  // `canonical_fast_path` false: every line through the parser (for tests).
  explicit MessageReader(bool canonical_fast_path = true);
  ~MessageReader();
  MessageReader(const MessageReader&) = delete;
  MessageReader& operator=(const MessageReader&) = delete;

  // Reads `line` (without its newline). On success fills `message`, whose
  // views point into `line`; otherwise fills `rejection`.
  bool read(std::string_view line, Message& message, Rejection& rejection);

  // The canonical comparison key of an id value's bytes (as in Message::id_key),
  // or empty when they are not a valid id. For tests and the pending table.
  static std::string id_key_of(std::string_view id_bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace authz::gateway
