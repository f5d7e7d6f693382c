// byte_scan.h — word-at-a-time searches the JSON readers and writers run over
// every string (the canonical-JSON recogniser, audit records, decisions,
// traces), and the escape the writers emit.
//
// Contract: each first_* function returns the index of the first byte at or
// after `from` that has the property, or text.size() when none has. Results
// are exact: eight bytes are tested at a time (memcpy loads: no alignment or
// aliasing assumptions); in a word that holds hits, the lowest flagged byte
// is always a true hit (a borrow only starts at one), so on little-endian
// machines its index is read from the mask's trailing zeros, elsewhere found
// byte by byte. The last bytes short of a word are tested one at a time.
// `from` may be anything up to text.size(). Private to the runtime.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
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
inline std::uint64_t json_special_bytes(std::uint64_t word) {
  return bytes_below(word, 0x20) | bytes_equal(word, '"') | bytes_equal(word, '\\');
}

// The index of the first flagged byte of the word at `at`, given its
// non-zero mask; `is_hit` decides byte by byte where the mask cannot be read.
template <class IsHit>
inline std::size_t first_flagged(const char* data, std::size_t at, std::uint64_t mask, IsHit is_hit) {
  if constexpr (std::endian::native == std::endian::little) {
    return at + static_cast<std::size_t>(std::countr_zero(mask) >> 3);
  } else {
    while (!is_hit(static_cast<unsigned char>(data[at]))) ++at;
    return at;
  }
}

// Scans for the first byte where is_hit holds; `mask_of` flags a word's hits.
template <class MaskOf, class IsHit>
inline std::size_t first_byte(std::string_view text, std::size_t from, MaskOf mask_of, IsHit is_hit) {
  std::size_t i = from;
  for (; i + 8 <= text.size(); i += 8) {
    if (const std::uint64_t mask = mask_of(load_word(text.data() + i))) return first_flagged(text.data(), i, mask, is_hit);
  }
  for (; i < text.size(); ++i) {
    if (is_hit(static_cast<unsigned char>(text[i]))) return i;
  }
  return text.size();
}

// The first byte that is JSON-special (needs_json_escape) or non-ASCII: the
// one scan a JSON string's reader needs (a special byte ends a plain run, a
// non-ASCII one starts a UTF-8 sequence to check).
inline std::size_t first_json_special_or_non_ascii(std::string_view text, std::size_t from) {
  return first_byte(text, from, [](std::uint64_t word) { return json_special_bytes(word) | (word & kHighBits); },
                    [](unsigned char byte) { return byte >= 0x80 || needs_json_escape(byte); });
}

// Appends the JSON escape of a byte for which needs_json_escape() holds:
// the short forms where JSON has one, else \u00xx in lowercase hex.
inline void append_json_escape(std::string& out, unsigned char byte) {
  switch (byte) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escape[6] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
      out.append(escape, sizeof escape);
    }
  }
}

}  // namespace authz::runtime::internal
