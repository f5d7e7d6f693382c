// invisible_chars.h — the code points that hide or reorder text when it is
// read on a screen ("Trojan Source", CVE-2021-42574), in one table.
//
// Contract: invisible_char_name(c) is the Unicode name of `c` when `c` is one
// of them, and empty otherwise. The set: the bidirectional embeddings,
// overrides, isolates and marks (U+061C, U+200E-U+200F, U+202A-U+202E,
// U+2066-U+2069); zero-width and invisible format characters (U+00AD,
// U+180E, U+200B-U+200D, U+2060-U+2064, U+FEFF, U+FFF9-U+FFFB, the tag
// characters U+E0001 and U+E0020-U+E007F); and the line breaks the lexer does
// not count as line ends but an editor may show as one (U+0085, U+2028,
// U+2029). The parse adapter refuses them in code and strings and warns in
// comments (E0015, W0003); the diagnostic printer shows them escaped.
#pragma once

#include <string>
#include <string_view>

namespace authz {

std::string_view invisible_char_name(char32_t c);

inline bool is_invisible_char(char32_t c) { return !invisible_char_name(c).empty(); }

// `U+202E RIGHT-TO-LEFT OVERRIDE` (the name is empty for other code points).
std::string describe_invisible_char(char32_t c);

}  // namespace authz
