// json_scan.h — byte spans inside JSON text that is already known to be valid.
//
// Contract: the gateway validates every message with simdjson first
// (message_reader.h); these helpers then find where values sit in the
// original bytes, so that the gateway can forward ids, arguments and list
// entries exactly as they were written. They never read outside the given
// text and never crash on malformed input: they return false / an empty
// optional instead. Keys are compared after their escapes are decoded
// (`"n\u0061me"` is `name`).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace authz::gateway {

// Decodes one JSON string literal (with its quotes) into UTF-8. Returns false
// on a malformed literal; lone surrogate escapes become U+FFFD.
bool decode_json_string(std::string_view literal, std::string& out);

// The span of the value that starts at `text[position]` (after leading
// whitespace), or nullopt. `end` receives the offset just past the value.
std::optional<std::string_view> value_at(std::string_view text, std::size_t position, std::size_t* end = nullptr);

struct JsonMember {
  std::string key;         // decoded
  std::string_view value;  // the value's bytes, a sub-span of the object text
};

// The members of an object value (its exact bytes, from `{` to `}`).
bool object_members(std::string_view object, std::vector<JsonMember>& out);
// One pass over an object: found[i] is the span of the first member named
// keys[i] (decoded comparison), or nullopt. The pass stops once every key
// has been found, so members after them are not read (a response's large
// `result` after its `id`, say). False (and every span nullopt) when the
// part of the object it reads does not scan.
bool find_members(std::string_view object, std::span<const std::string_view> keys,
                  std::span<std::optional<std::string_view>> found);
// The span of member `key` (decoded comparison) in an object, or nullopt.
std::optional<std::string_view> member_value(std::string_view object, std::string_view key);
// The elements of an array value (its exact bytes, from `[` to `]`).
bool array_elements(std::string_view array, std::vector<std::string_view>& out);

}  // namespace authz::gateway
