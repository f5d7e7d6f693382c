// json_input.h — JSON text (arguments, principal attributes, entity data)
// into Values, through simdjson's DOM with error codes only.
//
// Contract: every function reports problems as a message and `false`, never
// throws, and enforces the input limits: nesting deeper than kMaxJsonNesting,
// strings (and keys) longer than kMaxJsonString, duplicate object keys. Typed
// conversion checks a value against a declared type:
//   Bool  true/false          Int     an integral number within int64
//   Number any number         String  a string       Entity  a string (the id)
//   Timestamp RFC 3339 string or integer ms    Duration `1h30m` string or integer ms
//   Role  a declared role's name               Set/List an array (a Set: no repeats)
//   Map   an object            Record  an object with the record's attributes
//   T?    may be null or missing (-> Absent)
// Untyped conversion (entity data) maps objects to Maps, arrays to Lists,
// integers to Int (those beyond int64 to Number), other numbers to Number.
// Values are written into a ValueStore that the caller finish()es. Private to
// the runtime; only .cpp files include it (it pulls in simdjson).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "runtime/internal/string_map.h"
#include "runtime/internal/value_store.h"
#include "runtime/table_model.h"

namespace authz::runtime::internal {

inline constexpr int kMaxJsonNesting = 64;
inline constexpr std::size_t kMaxJsonString = std::size_t{1} << 20;  // 1 MiB

using RoleLookup = StringMap<RoleIndex>;

// Parses with this thread's reusable parser; the element stays valid until
// the thread's next parse_json.
bool parse_json(std::string_view json, simdjson::dom::element& out, std::string& error);

// Where a value sits in the input, rendered (`args.fields["x"][2]`) only
// when a message needs it, so conversion builds no strings on success.
struct JsonPath {
  const JsonPath* parent = nullptr;
  std::string_view name;  // root name or object key; empty for an array index
  std::int64_t index = -1;

  std::string text() const;
};

// Converts one element to `type`, into store.values[slot]. Sets are checked
// for repeats only by check_sets_after_finish, once the store's pointers are
// final.
class TypedConverter {
 public:
  TypedConverter(const Model& model, const RoleLookup& roles, ValueStore& store)
      : model_(model), roles_(roles), store_(store) {}

  bool convert(simdjson::dom::element element, TypeIndex type, std::uint32_t slot, const JsonPath& path,
               int depth, std::string& error);
  // The parser-free path for one value in canonical form (json_canonical.h)
  // of a scalar type: Bool, Int, Number, String, Entity, Role, Timestamp,
  // Duration, or null for an optional type. Stores exactly what convert()
  // stores for the same value and returns true; returns false, having stored
  // nothing, for anything else (another type, a mismatch, a string over the
  // limit, an unknown role, an unreadable time), which convert() then
  // handles and words.
  bool convert_canonical_scalar(std::string_view text, TypeIndex type, std::uint32_t slot);
  // Call after store.finish(): reports the first Set that repeats an element.
  bool check_sets_after_finish(std::string& error) const;

 private:
  struct PendingSet {
    std::uint32_t slot;
    std::string path;
  };
  // convert()'s containers, each into `result` (convert stores it at `slot`).
  bool convert_sequence(simdjson::dom::element json, TypeIndex type_index, std::uint32_t slot, const JsonPath& path,
                        int depth, Value& result, std::string& error);
  bool convert_map(simdjson::dom::element json, TypeIndex type_index, const JsonPath& path, int depth, Value& result,
                   std::string& error);
  bool convert_record(simdjson::dom::element json, TypeIndex type_index, const JsonPath& path, int depth,
                      Value& result, std::string& error);
  const Model& model_;
  const RoleLookup& roles_;
  ValueStore& store_;
  std::vector<PendingSet> sets_;
};

bool convert_untyped(simdjson::dom::element element, ValueStore& store, std::uint32_t slot, int depth,
                     std::string& error);

// "a string", "an array", "a number", ... for messages.
const char* describe_json(simdjson::dom::element element);


}  // namespace authz::runtime::internal
