// string_map.h — unordered maps keyed by std::string that accept
// std::string_view lookups without building a std::string (no allocation on
// the evaluation path). Private to the runtime.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace authz::runtime::internal {

// One FNV-1a step over `text`, continuing from `hash` (start with
// kFnvOffset): the one byte hash of the runtime (maps, the audit digest, the
// model interner).
inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ull;
inline constexpr std::uint64_t kFnvPrime = 0x100000001b3ull;
inline std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = kFnvOffset) noexcept {
  for (unsigned char c : text) hash = (hash ^ c) * kFnvPrime;
  return hash;
}

// FNV-1a, inlined: the keys here (entity ids, names) are short, where a
// call into the library's general-purpose hash costs more than hashing.
// Maps are filled from trusted data (the table, the host's entity data);
// request data is only ever looked up, never inserted, so hash flooding
// cannot slow anything down.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    std::uint64_t hash = fnv1a(text);
    return static_cast<std::size_t>(hash ^ (hash >> 29));
  }
};

template <class T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

}  // namespace authz::runtime::internal
