// value_store.h — owned storage for a tree of Values, built in two phases.
//
// Contract: while building, String / List / Set / Map / Record values stored
// here hold *offsets* (into `chars` / `values`) in their `integer` slot, so
// the vectors may grow freely; finish() turns every offset into a pointer,
// once. After finish() nothing may be appended (pointers would dangle), and
// the store may be moved (vector buffers move with it) but not copied. Any
// Value copied out of the store before finish() holds an offset, not a
// pointer: copy values out only after finish(). Private to the runtime.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "runtime/value.h"

namespace authz::runtime::internal {

struct ValueStore {
  std::vector<Value> values;
  std::vector<char> chars;
  bool finished = false;

  ValueStore() = default;
  ValueStore(ValueStore&&) noexcept = default;
  ValueStore& operator=(ValueStore&&) noexcept = default;
  ValueStore(const ValueStore&) = delete;
  ValueStore& operator=(const ValueStore&) = delete;

  // Appends `count` Absent values; returns the index of the first.
  std::uint32_t reserve(std::size_t count) {
    auto first = static_cast<std::uint32_t>(values.size());
    values.resize(values.size() + count);
    return first;
  }
  // A String value whose bytes are copied into the store (pending offset).
  Value string(std::string_view text) {
    Value value;
    value.kind = ValueKind::String;
    value.integer = static_cast<std::int64_t>(chars.size());
    value.size = static_cast<std::uint32_t>(text.size());
    chars.insert(chars.end(), text.begin(), text.end());
    return value;
  }
  // A sequence value over values[first, first + size) (pending offset).
  static Value sequence(ValueKind kind, std::uint32_t first, std::uint32_t size) {
    Value value;
    value.kind = kind;
    value.integer = first;
    value.size = size;
    return value;
  }

  void finish() {
    if (finished) return;
    finished = true;
    for (Value& value : values) value = resolve(value);
  }
  // Turns a pending value's offset into a pointer into this store: what
  // finish() does to every stored value, for one kept outside (e.g. a root).
  Value resolve(Value value) const {
    switch (value.kind) {
      case ValueKind::String: value.chars = chars.data() + value.integer; break;
      case ValueKind::List: case ValueKind::Set: case ValueKind::Map: case ValueKind::Record:
        value.items = values.data() + value.integer;
        break;
      default: break;
    }
    return value;
  }
};

}  // namespace authz::runtime::internal
