// byte_scan.h — word-at-a-time searches the JSON writers run over every
// string they quote (audit records, decisions, traces).
//
// Contract: each function returns the index of the first byte at or after
// `from` that has the property, or text.size() when none has. Results are
// exact: eight bytes are tested at a time (memcpy loads: no alignment or
// aliasing assumptions) and the word that may hold a hit is then searched
// byte by byte. `from` may be anything up to text.size(). Private to the
// runtime.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace authz::runtime::internal {

inline constexpr std::uint64_t kEveryByte = 0x0101010101010101ull;
inline constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

inline std::uint64_t load_word(const char* at) {
  std::uint64_t word;
  std::memcpy(&word, at, sizeof word);
  return word;
}

// Non-zero when some byte of `word` is below `limit` (limit <= 0x80). A
// borrow only starts at a byte that is below it, so "none" is exact.
inline std::uint64_t bytes_below(std::uint64_t word, std::uint8_t limit) {
  return (word - kEveryByte * limit) & ~word & kHighBits;
}
inline std::uint64_t bytes_equal(std::uint64_t word, std::uint8_t value) {
  return bytes_below(word ^ (kEveryByte * value), 1);
}

// A byte a JSON string cannot hold as it is: a control character, `"` or `\`.
inline bool needs_json_escape(unsigned char byte) { return byte < 0x20 || byte == '"' || byte == '\\'; }

inline std::size_t first_json_special(std::string_view text, std::size_t from) {
  std::size_t i = from;
  for (; i + 8 <= text.size(); i += 8) {
    const std::uint64_t word = load_word(text.data() + i);
    if (bytes_below(word, 0x20) | bytes_equal(word, '"') | bytes_equal(word, '\\')) break;
  }
  for (; i < text.size(); ++i) {
    if (needs_json_escape(static_cast<unsigned char>(text[i]))) return i;
  }
  return text.size();
}

inline std::size_t first_non_ascii(std::string_view text, std::size_t from) {
  std::size_t i = from;
  for (; i + 8 <= text.size(); i += 8) {
    if (load_word(text.data() + i) & kHighBits) break;
  }
  for (; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) return i;
  }
  return text.size();
}

}  // namespace authz::runtime::internal
