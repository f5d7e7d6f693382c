// value.h — a runtime value: what arguments, attributes, entity data,
// constants and sub-expressions evaluate to.
//
// Contract: a Value is a 16-byte, trivially copyable *view*. Strings and the
// items of lists, sets, maps and records live in storage owned by someone else
// (the Engine for constants, a PreparedRequest for arguments and principal
// attributes, an Entity for entity data); a Value is valid as long as that
// owner is. Kinds:
//   Absent     an optional attribute / argument that was not given (or JSON null)
//   Bool, Int (int64), Number (double), String (UTF-8 bytes, size = length)
//   Timestamp  ms since the Unix epoch (UTC), integer
//   Duration   ms, integer
//   Role       a role index
//   List, Set  `size` items
//   Map        `size` entries stored as 2*size items: key (String), value, ...
//   Record     `size` items: the record's attributes in schema order
// Entity references are Strings (the entity id). `from_entity_data` marks a
// value that came from (or was computed from) entity data, so traces shown to
// end users can hide it.
#pragma once

#include <cstdint>
#include <string_view>

namespace authz::runtime {

enum class ValueKind : std::uint8_t {
  Absent, Bool, Int, Number, String, Timestamp, Duration, Role, List, Set, Map, Record,
};

struct Value {
  ValueKind kind = ValueKind::Absent;
  bool from_entity_data = false;
  std::uint32_t size = 0;
  union {
    bool boolean;
    std::int64_t integer;  // Int, Timestamp, Duration, Role
    double number;
    const char* chars;     // String
    const Value* items;    // List, Set, Map, Record
  };

  Value() : integer(0) {}

  static Value of_bool(bool b) { Value v; v.kind = ValueKind::Bool; v.boolean = b; return v; }
  static Value of_int(std::int64_t i) { Value v; v.kind = ValueKind::Int; v.integer = i; return v; }
  static Value of_number(double d) { Value v; v.kind = ValueKind::Number; v.number = d; return v; }
  static Value of_timestamp(std::int64_t ms) { Value v; v.kind = ValueKind::Timestamp; v.integer = ms; return v; }
  static Value of_duration(std::int64_t ms) { Value v; v.kind = ValueKind::Duration; v.integer = ms; return v; }
  static Value of_role(std::int64_t role) { Value v; v.kind = ValueKind::Role; v.integer = role; return v; }
  // `text` must outlive the value; strings longer than 4 GiB are not representable.
  static Value of_string(std::string_view text) {
    Value v;
    v.kind = ValueKind::String;
    v.chars = text.data();
    v.size = static_cast<std::uint32_t>(text.size());
    return v;
  }
  static Value of_sequence(ValueKind kind, const Value* items, std::uint32_t size) {
    Value v;
    v.kind = kind;
    v.items = items;
    v.size = size;
    return v;
  }

  std::string_view string() const { return {kind == ValueKind::String ? chars : "", kind == ValueKind::String ? size : 0u}; }
  bool is_absent() const { return kind == ValueKind::Absent; }
};

static_assert(sizeof(Value) == 16, "Value is meant to stay two words");

const char* to_string(ValueKind kind);

}  // namespace authz::runtime
