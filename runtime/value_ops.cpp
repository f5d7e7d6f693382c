// value_ops.cpp — see internal/value_ops.h.
#include "runtime/internal/value_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

namespace authz::runtime::internal {
namespace {

bool is_numeric(const Value& v) { return v.kind == ValueKind::Int || v.kind == ValueKind::Number; }

// Exact three-way comparison of an int64 with a double; nullopt for NaN.
std::optional<int> compare_int_double(std::int64_t i, double d) {
  if (std::isnan(d)) return std::nullopt;
  if (d >= 9223372036854775808.0) return -1;   // 2^63: above every int64
  if (d < -9223372036854775808.0) return 1;    // below every int64
  double whole = std::trunc(d);
  auto as_int = static_cast<std::int64_t>(whole);  // exact: |whole| < 2^63
  if (i != as_int) return i < as_int ? -1 : 1;
  if (d == whole) return 0;
  return d > whole ? -1 : 1;  // i == trunc(d), so the fraction decides
}

std::optional<int> compare_numbers(const Value& a, const Value& b) {
  if (a.kind == ValueKind::Int && b.kind == ValueKind::Int) {
    return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
  }
  if (a.kind == ValueKind::Number && b.kind == ValueKind::Number) {
    if (std::isnan(a.number) || std::isnan(b.number)) return std::nullopt;
    return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
  }
  if (a.kind == ValueKind::Int) return compare_int_double(a.integer, b.number);
  auto flipped = compare_int_double(b.integer, a.number);
  if (!flipped) return std::nullopt;
  return -*flipped;
}

bool sets_equal(const Value& a, const Value& b) {
  for (std::uint32_t i = 0; i < a.size; ++i) {
    if (!sequence_contains(b, a.items[i])) return false;
  }
  for (std::uint32_t i = 0; i < b.size; ++i) {
    if (!sequence_contains(a, b.items[i])) return false;
  }
  return true;
}

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

bool is_sequence(const Value& value) { return value.kind == ValueKind::List || value.kind == ValueKind::Set; }

Equality compare_equal(const Value& a, const Value& b) {
  if (is_numeric(a) && is_numeric(b)) {
    auto order = compare_numbers(a, b);
    return order && *order == 0 ? Equality::Equal : Equality::Unequal;
  }
  if (is_sequence(a) && is_sequence(b)) {
    if (a.kind == ValueKind::Set || b.kind == ValueKind::Set) {
      return sets_equal(a, b) ? Equality::Equal : Equality::Unequal;
    }
    if (a.size != b.size) return Equality::Unequal;
    for (std::uint32_t i = 0; i < a.size; ++i) {
      if (!values_equal(a.items[i], b.items[i])) return Equality::Unequal;
    }
    return Equality::Equal;
  }
  if (a.kind != b.kind || a.kind == ValueKind::Absent) return Equality::Incomparable;
  switch (a.kind) {
    case ValueKind::Bool: return a.boolean == b.boolean ? Equality::Equal : Equality::Unequal;
    case ValueKind::String: return a.string() == b.string() ? Equality::Equal : Equality::Unequal;
    case ValueKind::Timestamp: case ValueKind::Duration: case ValueKind::Role:
      return a.integer == b.integer ? Equality::Equal : Equality::Unequal;
    case ValueKind::Map:
      if (a.size != b.size) return Equality::Unequal;
      for (std::uint32_t i = 0; i < a.size; ++i) {
        bool found = false;
        for (std::uint32_t j = 0; j < b.size && !found; ++j) {
          if (a.items[2 * i].string() == b.items[2 * j].string()) {
            if (!values_equal(a.items[2 * i + 1], b.items[2 * j + 1])) return Equality::Unequal;
            found = true;
          }
        }
        if (!found) return Equality::Unequal;
      }
      return Equality::Equal;
    case ValueKind::Record:
      if (a.size != b.size) return Equality::Unequal;
      for (std::uint32_t i = 0; i < a.size; ++i) {
        bool both_absent = a.items[i].is_absent() && b.items[i].is_absent();
        if (!both_absent && !values_equal(a.items[i], b.items[i])) return Equality::Unequal;
      }
      return Equality::Equal;
    default: return Equality::Incomparable;
  }
}

bool values_equal(const Value& a, const Value& b) { return compare_equal(a, b) == Equality::Equal; }

std::optional<int> compare_order(const Value& a, const Value& b) {
  if (is_numeric(a) && is_numeric(b)) return compare_numbers(a, b);
  if (a.kind != b.kind) return std::nullopt;
  if (a.kind == ValueKind::Timestamp || a.kind == ValueKind::Duration) {
    return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
  }
  return std::nullopt;
}

bool sequence_contains(const Value& sequence, const Value& element) {
  if (!is_sequence(sequence)) return false;
  for (std::uint32_t i = 0; i < sequence.size; ++i) {
    if (values_equal(sequence.items[i], element)) return true;
  }
  return false;
}

std::uint64_t hash_value(const Value& value) {
  switch (value.kind) {
    case ValueKind::Absent: return mix(0);
    case ValueKind::Bool: return mix(value.boolean ? 1 : 2);
    case ValueKind::Int: return mix(static_cast<std::uint64_t>(value.integer) ^ 0x1000);
    case ValueKind::Number: {
      // Integral numbers hash like the equal Int.
      double whole = std::trunc(value.number);
      if (whole == value.number && std::fabs(whole) < 9223372036854775808.0) {
        return mix(static_cast<std::uint64_t>(static_cast<std::int64_t>(whole)) ^ 0x1000);
      }
      std::uint64_t bits;
      std::memcpy(&bits, &value.number, sizeof bits);
      return mix(bits);
    }
    case ValueKind::String: return mix(std::hash<std::string_view>{}(value.string()));
    case ValueKind::Timestamp: case ValueKind::Duration: case ValueKind::Role:
      return mix(static_cast<std::uint64_t>(value.integer) ^ (static_cast<std::uint64_t>(value.kind) << 56));
    case ValueKind::List: case ValueKind::Set: {
      // Order-free, so a List and an equal Set hash alike.
      std::uint64_t sum = 0x5e7;
      for (std::uint32_t i = 0; i < value.size; ++i) sum += hash_value(value.items[i]);
      return mix(sum);
    }
    case ValueKind::Map: {
      std::uint64_t sum = 0x3a9;
      for (std::uint32_t i = 0; i < value.size; ++i) {
        sum += mix(hash_value(value.items[2 * i]) * 31 + hash_value(value.items[2 * i + 1]));
      }
      return mix(sum);
    }
    case ValueKind::Record: {
      std::uint64_t h = 0x2ec;
      for (std::uint32_t i = 0; i < value.size; ++i) h = mix(h * 31 + hash_value(value.items[i]));
      return h;
    }
  }
  return 0;
}

std::int64_t find_duplicate(const Value& sequence) {
  if (!is_sequence(sequence) || sequence.size < 2) return -1;
  if (sequence.size <= 32) {
    for (std::uint32_t i = 1; i < sequence.size; ++i) {
      for (std::uint32_t j = 0; j < i; ++j) {
        if (values_equal(sequence.items[i], sequence.items[j])) return i;
      }
    }
    return -1;
  }
  // Large sets: sort by hash, compare only neighbours with equal hashes.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> hashed;
  hashed.reserve(sequence.size);
  for (std::uint32_t i = 0; i < sequence.size; ++i) hashed.emplace_back(hash_value(sequence.items[i]), i);
  std::sort(hashed.begin(), hashed.end());
  std::int64_t first_duplicate = -1;
  for (std::size_t start = 0; start < hashed.size();) {
    std::size_t end = start + 1;
    while (end < hashed.size() && hashed[end].first == hashed[start].first) ++end;
    for (std::size_t i = start + 1; i < end; ++i) {
      for (std::size_t j = start; j < i; ++j) {
        if (values_equal(sequence.items[hashed[i].second], sequence.items[hashed[j].second])) {
          std::int64_t later = std::max(hashed[i].second, hashed[j].second);
          if (first_duplicate < 0 || later < first_duplicate) first_duplicate = later;
        }
      }
    }
    start = end;
  }
  return first_duplicate;
}

}  // namespace authz::runtime::internal
