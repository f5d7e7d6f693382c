// repeat_finder.h — finds a repeated name among n names in O(n), for the
// table validator (rule ids, target names, parameters). Private to the runtime.
//
// Contract: find_repeat(n, key_at) returns the smallest index i whose key
// equals the key of some j < i, or nullopt when all n keys differ. key_at(i)
// returns a std::string_view, or a Keyed (a small integer tag and a name: two
// keys are equal when both parts are). Works in a flat open-addressing table:
// no allocation per key, unlike std::set / std::unordered_set, which cost a
// node each on a 100k-rule table. The keys come from an untrusted file, so an
// unseeded hash could be flooded: when probing goes past a fixed budget, the
// search falls back to sorting, O(n log n) whatever the keys.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/internal/string_map.h"

namespace authz::runtime::internal {

struct Keyed {
  std::uint32_t tag = 0;
  std::string_view name;

  friend bool operator==(const Keyed&, const Keyed&) = default;
  friend auto operator<=>(const Keyed&, const Keyed&) = default;
};

inline std::size_t repeat_hash(std::string_view key) { return StringHash{}(key); }
inline std::size_t repeat_hash(const Keyed& key) { return StringHash{}(key.name) ^ (key.tag * 0x9E3779B97F4A7C15ull); }

template <class KeyAt>
std::optional<std::size_t> find_repeat_by_sorting(std::size_t count, KeyAt key_at) {
  using Key = decltype(key_at(std::size_t{0}));
  std::vector<std::pair<Key, std::size_t>> keys;
  keys.reserve(count);
  for (std::size_t i = 0; i < count; ++i) keys.emplace_back(key_at(i), i);
  std::sort(keys.begin(), keys.end());
  std::optional<std::size_t> first;
  // Within a run of equal keys (sorted by index), every index after the
  // first repeats an earlier one; the smallest such index is the answer.
  for (std::size_t k = 1; k < keys.size(); ++k) {
    if (keys[k].first == keys[k - 1].first && (!first || keys[k].second < *first)) first = keys[k].second;
  }
  return first;
}

template <class KeyAt>
std::optional<std::size_t> find_repeat(std::size_t count, KeyAt key_at) {
  if (count < 2) return std::nullopt;
  if (count <= 8) {  // a tool's parameters, a schema's attributes
    for (std::size_t i = 1; i < count; ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (key_at(i) == key_at(j)) return i;
      }
    }
    return std::nullopt;
  }
  std::size_t capacity = 16;
  while (capacity < 2 * count) capacity *= 2;
  // A slot holds index + 1 (0 = empty) and, above it, 32 bits of the key's
  // hash: keys are compared only when those bits match, so a probe rarely
  // touches the (cold) entry an occupied slot points at.
  std::vector<std::uint64_t> slots(capacity, 0);
  const std::size_t mask = capacity - 1;
  std::size_t budget = 8 * count + 64;  // probes allowed before falling back
  for (std::size_t i = 0; i < count; ++i) {
    auto key = key_at(i);
    std::size_t hash = repeat_hash(key);
    std::uint64_t tag = static_cast<std::uint64_t>(static_cast<std::uint32_t>(hash >> 32) ^ static_cast<std::uint32_t>(hash))
                        << 32;
    for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      if (budget-- == 0) return find_repeat_by_sorting(count, key_at);
      std::uint64_t held = slots[slot];
      if (held == 0) {
        slots[slot] = tag | (i + 1);
        break;
      }
      if ((held >> 32) == (tag >> 32) && key_at(static_cast<std::uint32_t>(held) - 1) == key) return i;
    }
  }
  return std::nullopt;
}

}  // namespace authz::runtime::internal
