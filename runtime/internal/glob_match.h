// glob_match.h — `s matches "pattern"`: glob matching without backtracking.
//
// Contract: `*` matches any run of characters except `/` (also none), `**`
// any run including `/`, `?` exactly one character except `/`; every other
// byte matches itself (no escapes, no character classes: `[` is literal).
// The whole text must match. Matching simulates the pattern's NFA over the
// text once, O(text x pattern) in the worst case, so no pattern can blow up
// (`*a*a*a*a*b` on a long run of `a` is linear in practice). Bytes, not code
// points: `?` matches one byte. Patterns of up to 255 tokens never allocate.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace authz::runtime {

struct GlobToken {
  enum class Kind : std::uint8_t { Literal, AnyOne, Star, DoubleStar };
  Kind kind = Kind::Literal;
  char literal = 0;
};

using GlobPattern = std::vector<GlobToken>;

GlobPattern compile_glob(std::string_view pattern);
bool glob_matches(const GlobToken* tokens, std::size_t token_count, std::string_view text);
bool glob_matches(const GlobPattern& pattern, std::string_view text);
// Compiles on the fly; a pattern longer than 255 bytes allocates.
bool glob_matches(std::string_view pattern, std::string_view text);

}  // namespace authz::runtime
