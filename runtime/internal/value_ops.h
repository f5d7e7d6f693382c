// value_ops.h — equality, ordering and hashing of runtime Values.
//
// Contract: Int and Number compare exactly with each other (no rounding:
// 9007199254740993 != 9007199254740992.0); List/Set compare as sets when
// either side is a Set, in order otherwise; Maps compare by key; Records item
// by item. Comparing values of unrelated kinds at the top level is
// `Incomparable` (the evaluator reports it as an error); inside collections
// it is just "not equal". hash_value is consistent with equality. No
// allocation, recursion bounded by value nesting (64 for request and entity
// data, kMaxConstantDepth for constants). Private to the runtime.
#pragma once

#include <cstdint>
#include <optional>

#include "runtime/value.h"

namespace authz::runtime::internal {

enum class Equality { Equal, Unequal, Incomparable };

Equality compare_equal(const Value& a, const Value& b);
bool values_equal(const Value& a, const Value& b);  // Incomparable counts as unequal
// -1, 0, 1 for Int/Number (mixed), Timestamp, Duration; nullopt when the
// kinds are not ordered against each other (or a NaN is involved).
std::optional<int> compare_order(const Value& a, const Value& b);
bool is_sequence(const Value& value);  // List or Set
// Whether `sequence` holds an element equal to `element`.
bool sequence_contains(const Value& sequence, const Value& element);
std::uint64_t hash_value(const Value& value);
// Index of the first element equal to an earlier one, or -1 (sets must not
// repeat elements).
std::int64_t find_duplicate(const Value& sequence);

}  // namespace authz::runtime::internal
