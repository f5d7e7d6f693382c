// json_array.h — JSON arrays, written element by element into a string.
//
// Contract: append_json_array appends `[`, then append_item(out, item) for
// each item of `items` in order with `,` between them, then `]` (no spaces:
// the runtime's compact JSON). append_quoted_array is the array of strings,
// each written by append_quoted (value_text.h: internal/json_string.h's
// kValueJson). Header-only templates; no allocation beyond `out`'s growth.
// Private to the runtime and the project's programs (not installed).
#pragma once

#include <string>
#include <string_view>

#include "runtime/internal/value_text.h"

namespace authz::runtime::internal {

template <class Items, class AppendItem>
void append_json_array(std::string& out, const Items& items, AppendItem append_item) {
  out += '[';
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    append_item(out, item);
  }
  out += ']';
}

// ["a","b"]: a range of anything a std::string_view is made from.
template <class Strings>
void append_quoted_array(std::string& out, const Strings& strings) {
  append_json_array(out, strings, [](std::string& to, std::string_view text) { append_quoted(to, text); });
}

}  // namespace authz::runtime::internal
