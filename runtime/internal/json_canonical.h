// json_canonical.h — recognises a JSON object that is already in the one
// form the audit log stores (what simdjson's minify prints for it), so the
// log can keep the bytes as they are instead of parsing and printing them.
//
// Contract: canonical_json_object(text, members) is true only when `text` is
// one JSON object that parsing and minifying would give back byte for byte:
//   - no whitespace between tokens, nesting at most kMaxCanonicalDepth;
//   - strings in valid UTF-8 (RFC 3629, as internal/utf8.h's decode_utf8) with
//     no raw control character, and only the escapes the minifier writes:
//     \" \\ \b \f \n \r \t, and \u00xx (lowercase hex) for the other
//     control characters;
//   - numbers that are integers of at most 18 digits, without a leading zero,
//     and not -0; the literals true, false and null.
// Anything else is false, including valid JSON in another form: the caller
// then takes the parser's path, which is right for every input, so `false`
// never loses anything. On true, `members` (when given) holds the top-level
// members in order: each key's bytes between its quotes, whether the key has
// an escape, and the value's bytes.
//
// Every string has exactly one canonical spelling, so two canonical keys are
// equal after decoding exactly when their bytes are equal. That lets
// canonical_json_object_unique_keys() also refuse (return false for) an
// object with a duplicate key at any depth, at the cost of one byte
// comparison per pair of sibling keys; `keys` is scratch the caller keeps to
// reuse. Private to the runtime and the gateway (which reads canonical
// messages through it without a parser).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace authz::runtime::internal {

inline constexpr std::size_t kMaxCanonicalDepth = 64;

struct CanonicalMember {
  std::string_view key;    // between the quotes, escapes as written
  bool key_escaped = false;
  std::string_view value;  // the value's bytes
};

bool canonical_json_object(std::string_view text, std::vector<CanonicalMember>* members);
bool canonical_json_object_unique_keys(std::string_view text, std::vector<CanonicalMember>& members,
                                       std::vector<std::string_view>& keys);

}  // namespace authz::runtime::internal
