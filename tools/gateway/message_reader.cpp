// message_reader.cpp — see message_reader.h. Fast path: the canonical
// recogniser validates the text and gives the top-level members' spans.
// Otherwise simdjson validates the text (grammar, UTF-8, depth) and decodes
// strings; json_scan.h finds the raw spans simdjson's DOM does not keep.
// Either way the members go to judge().
#include "tools/gateway/message_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "runtime/internal/json_canonical.h"
#include "tools/gateway/json_duplicates.h"
#include "tools/gateway/json_scan.h"

namespace authz::gateway {

namespace dom = simdjson::dom;
using runtime::internal::CanonicalMember;

struct MessageReader::Impl {
  dom::parser parser;
  std::vector<std::string_view> keys;  // scratch: duplicate-key checks
  std::vector<CanonicalMember> members;
  std::string method;                  // scratch: a canonical line's decoded method
  bool canonical_fast_path = true;

  std::optional<bool> read_canonical(std::string_view line, Message& message, Rejection& rejection);
  bool read_parsed(std::string_view line, Message& message, Rejection& rejection);
};

namespace {

std::string id_key_of_element(dom::element id) {
  switch (id.type()) {
    case dom::element_type::STRING: return "s:" + std::string(id.get_string().value_unsafe());
    case dom::element_type::INT64: return "n:" + std::to_string(id.get_int64().value_unsafe());
    case dom::element_type::UINT64: return "n:" + std::to_string(id.get_uint64().value_unsafe());
    case dom::element_type::DOUBLE: {
      // 1 and 1.0 are the same id to a JavaScript server; compare by value.
      double value = id.get_double().value_unsafe();
      if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9.0e18) {
        return "n:" + std::to_string(static_cast<long long>(value));
      }
      char text[40];
      std::snprintf(text, sizeof text, "%.17g", value);
      return std::string("n:") + text;
    }
    default: return "";
  }
}

// Printable, bounded form of a key for messages: user input in backticks.
std::string shown_key(std::string_view key) {
  std::string out;
  for (char c : key.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (key.size() > 64) out += "...";
  return out;
}

// A canonical id's comparison key, as id_key_of_element gives it for the same
// value: canonical numbers are integers of at most 18 digits written as
// std::to_string writes them; empty for null and for what is not an id.
bool canonical_id_key(std::string_view id, std::string& key) {
  key.clear();
  if (id.front() == '"') {
    thread_local std::string decoded;
    if (!decode_json_string(id, decoded)) return false;
    key.assign("s:");
    key += decoded;
    return true;
  }
  if (id.front() == '-' || (id.front() >= '0' && id.front() <= '9')) {
    key.assign("n:");
    key.append(id);
  }
  return true;
}

}  // namespace

namespace {

// The top-level members both paths gather, for judge() to decide on.
struct TopLevel {
  bool jsonrpc_is_2_0 = false;
  bool has_method = false;
  std::optional<std::string_view> method;  // decoded; nullopt when not a string
  std::size_t id_count = 0;
  bool id_is_null = false;
  std::string_view id_bytes;               // when the id is valid (its key is not empty)
  bool has_params = false;
  std::optional<std::string_view> params;  // the value's bytes; nullopt when they could not be found
  bool params_is_object = false;
  bool has_result = false;
  bool has_error = false;
};

// The id to answer a refusal with: only when the top level has exactly one
// valid id, so an answer can never be attributed to the wrong request.
void set_rejection_id(const TopLevel& top, const std::string& id_key, Rejection& rejection) {
  if (top.id_count == 1 && !id_key.empty()) {
    rejection.id.assign(top.id_bytes);
  } else {
    rejection.id.assign("null");
  }
}

// Everything after the syntax: the version, the method, the id and the
// shape of a request, notification or response. Fills `message` (taking
// `id_key`, which may already be message.id_key) or `rejection`.
bool judge(const TopLevel& top, std::string& id_key, Message& message, Rejection& rejection) {
  if (!top.jsonrpc_is_2_0) {
    rejection.code = kInvalidRequest;
    rejection.message = "invalid request: `jsonrpc` must be \"2.0\"";
    return false;
  }
  message.method.clear();
  message.params = {};
  message.params_is_object = false;
  message.has_result = false;
  std::string_view id_bytes = top.id_bytes;
  if (top.has_method) {
    if (!top.method) {
      rejection.code = kInvalidRequest;
      rejection.message = "invalid request: `method` must be a string";
      return false;
    }
    message.method.assign(*top.method);
    if (top.id_count == 0) {
      message.kind = MessageKind::Notification;
    } else if (id_key.empty()) {
      rejection.code = kInvalidRequest;
      rejection.message = "invalid request: `id` must be a string or a number";
      rejection.id = "null";
      return false;
    } else {
      message.kind = MessageKind::Request;
    }
    if (top.has_params) {
      if (!top.params) {
        rejection.code = kParseError;
        rejection.message = "parse error: the message is not valid JSON";
        return false;
      }
      message.params = *top.params;
      message.params_is_object = top.params_is_object;
    }
  } else {
    if (top.id_count == 0 || top.has_result == top.has_error) {
      rejection.code = kInvalidRequest;
      rejection.message = "invalid request: neither a request (`method`) nor a response (`id` with `result` or `error`)";
      return false;
    }
    // A response to a request that failed before its id could be read has id null.
    if (id_key.empty() && !top.id_is_null) {
      rejection.code = kInvalidRequest;
      rejection.message = "invalid request: `id` must be a string, a number or null";
      rejection.id = "null";
      return false;
    }
    message.kind = MessageKind::Response;
    message.has_result = top.has_result;
    if (id_key.empty()) id_bytes = "null";
  }
  message.id = id_bytes;
  message.id_key.swap(id_key);  // a no-op when the caller built the key in place
  return true;
}

}  // namespace

// The fast path: nullopt when the line is not canonical with unique keys
// (the parser's path reads it); otherwise judged here, exactly as the
// parser's path judges the same message.
std::optional<bool> MessageReader::Impl::read_canonical(std::string_view line, Message& message, Rejection& rejection) {
  if (!runtime::internal::canonical_json_object_unique_keys(line, members, keys)) return std::nullopt;
  TopLevel top;
  std::string_view id;
  for (const CanonicalMember& member : members) {
    // Canonical keys have one spelling: bytes compare as decoded text.
    const std::string_view key = member.key;
    const std::string_view value = member.value;
    if (key == "id") {
      id = value;
      ++top.id_count;
    } else if (key == "jsonrpc") {
      top.jsonrpc_is_2_0 = value == "\"2.0\"";
    } else if (key == "method") {
      top.has_method = true;
      if (value.front() == '"') {
        if (!decode_json_string(value, method)) return std::nullopt;
        top.method = method;
      }
    } else if (key == "params") {
      top.has_params = true;
      top.params = value;
      top.params_is_object = value.front() == '{';
    } else if (key == "result") {
      top.has_result = true;
    } else if (key == "error") {
      top.has_error = true;
    }
  }
  std::string& id_key = message.id_key;  // its buffer is reused
  id_key.clear();
  if (top.id_count == 1) {
    if (!canonical_id_key(id, id_key)) return std::nullopt;
    top.id_bytes = id;
    top.id_is_null = id == "null";
  }
  set_rejection_id(top, id_key, rejection);
  if (!judge(top, id_key, message, rejection)) return false;
  message.canonical = true;
  return true;
}

MessageReader::MessageReader(bool canonical_fast_path) : impl_(std::make_unique<Impl>()) {
  impl_->canonical_fast_path = canonical_fast_path;
}
MessageReader::~MessageReader() = default;

bool MessageReader::read(std::string_view line, Message& message, Rejection& rejection) {
  rejection.code = kParseError;
  rejection.message.clear();
  rejection.id.assign("null");
  if (impl_->canonical_fast_path && line.size() <= kCanonicalFastPathBytes) {
    if (const std::optional<bool> judged = impl_->read_canonical(line, message, rejection)) return *judged;
  }
  return impl_->read_parsed(line, message, rejection);
}

bool MessageReader::Impl::read_parsed(std::string_view line, Message& message, Rejection& rejection) {
  dom::element root;
  auto error = parser.parse(line.data(), line.size(), true).get(root);
  if (error) {
    rejection.code = kParseError;
    rejection.message = error == simdjson::UTF8_ERROR ? "parse error: the message is not valid UTF-8"
                                                      : "parse error: the message is not valid JSON";
    return false;
  }
  if (root.is_array()) {
    rejection.code = kInvalidRequest;
    rejection.message = "invalid request: batches (JSON arrays) are not accepted";
    return false;
  }
  if (!root.is_object()) {
    rejection.code = kInvalidRequest;
    rejection.message = "invalid request: a message must be a JSON object";
    return false;
  }
  dom::object object = root.get_object().value_unsafe();
  // The top-level members the reader looks at, in one pass.
  TopLevel top;
  dom::element id_element, params;
  for (auto field : object) {
    const std::string_view key = field.key;
    if (key == "id") {
      ++top.id_count;
      id_element = field.value;
    } else if (key == "jsonrpc") {
      std::string_view text;
      top.jsonrpc_is_2_0 = !field.value.get_string().get(text) && text == "2.0";
    } else if (key == "method") {
      top.has_method = true;
      std::string_view text;
      if (!field.value.get_string().get(text)) top.method = text;
    } else if (key == "params") {
      top.has_params = true;
      params = field.value;
    } else if (key == "result") {
      top.has_result = true;
    } else if (key == "error") {
      top.has_error = true;
    }
  }
  // Where the id and the params sit in the line's bytes (the scan stops once
  // it has both, so a response's result is not read).
  static constexpr std::string_view kSpanKeys[2] = {"id", "params"};
  std::optional<std::string_view> spans[2];
  find_members(line, std::span(kSpanKeys, top.has_method && top.has_params ? 2 : 1), std::span(spans, 2));
  if (top.has_params) {
    top.params = spans[1];
    top.params_is_object = params.is_object();
  }

  std::string id_key;
  if (top.id_count == 1) {
    id_key = id_key_of_element(id_element);
    top.id_is_null = id_element.is_null();
    if (spans[0]) {
      top.id_bytes = *spans[0];
    } else {
      id_key.clear();
    }
  }
  set_rejection_id(top, id_key, rejection);

  std::string_view duplicate;
  keys.clear();
  if (find_duplicate_key(root, keys, duplicate)) {
    rejection.code = kInvalidRequest;
    rejection.message = "invalid request: duplicate key `" + shown_key(duplicate) + "`";
    if (duplicate == "id") rejection.id = "null";
    return false;
  }
  if (!judge(top, id_key, message, rejection)) return false;
  message.canonical = false;
  return true;
}

std::optional<std::string_view> response_result(std::string_view line) { return member_value(line, "result"); }

std::string MessageReader::id_key_of(std::string_view id_bytes) {
  dom::parser parser;
  dom::element element;
  if (parser.parse(id_bytes.data(), id_bytes.size(), true).get(element)) return "";
  return id_key_of_element(element);
}

}  // namespace authz::gateway
