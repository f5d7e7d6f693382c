// invisible_chars.cpp — the table of invisible and bidirectional code points
// (contract in invisible_chars.h).
#include "compiler/invisible_chars.h"

#include <cstdio>

namespace authz {

std::string_view invisible_char_name(char32_t c) {
  // Quick exit for everything below the first entry but the soft hyphen and NEL.
  if (c < 0x85) return {};
  switch (c) {
    case 0x0085: return "NEXT LINE";
    case 0x00AD: return "SOFT HYPHEN";
    case 0x061C: return "ARABIC LETTER MARK";
    case 0x180E: return "MONGOLIAN VOWEL SEPARATOR";
    case 0x200B: return "ZERO WIDTH SPACE";
    case 0x200C: return "ZERO WIDTH NON-JOINER";
    case 0x200D: return "ZERO WIDTH JOINER";
    case 0x200E: return "LEFT-TO-RIGHT MARK";
    case 0x200F: return "RIGHT-TO-LEFT MARK";
    case 0x2028: return "LINE SEPARATOR";
    case 0x2029: return "PARAGRAPH SEPARATOR";
    case 0x202A: return "LEFT-TO-RIGHT EMBEDDING";
    case 0x202B: return "RIGHT-TO-LEFT EMBEDDING";
    case 0x202C: return "POP DIRECTIONAL FORMATTING";
    case 0x202D: return "LEFT-TO-RIGHT OVERRIDE";
    case 0x202E: return "RIGHT-TO-LEFT OVERRIDE";
    case 0x2060: return "WORD JOINER";
    case 0x2061: return "FUNCTION APPLICATION";
    case 0x2062: return "INVISIBLE TIMES";
    case 0x2063: return "INVISIBLE SEPARATOR";
    case 0x2064: return "INVISIBLE PLUS";
    case 0x2066: return "LEFT-TO-RIGHT ISOLATE";
    case 0x2067: return "RIGHT-TO-LEFT ISOLATE";
    case 0x2068: return "FIRST STRONG ISOLATE";
    case 0x2069: return "POP DIRECTIONAL ISOLATE";
    case 0xFEFF: return "ZERO WIDTH NO-BREAK SPACE";
    case 0xFFF9: return "INTERLINEAR ANNOTATION ANCHOR";
    case 0xFFFA: return "INTERLINEAR ANNOTATION SEPARATOR";
    case 0xFFFB: return "INTERLINEAR ANNOTATION TERMINATOR";
    case 0xE0001: return "LANGUAGE TAG";
    default: break;
  }
  // Tag characters spell hidden ASCII text ("ASCII smuggling").
  if (c >= 0xE0020 && c <= 0xE007F) return "TAG CHARACTER";
  return {};
}

std::string describe_invisible_char(char32_t c) {
  std::string_view name = invisible_char_name(c);
  if (name.empty()) return {};
  char code[16];
  std::snprintf(code, sizeof code, "U+%04X ", static_cast<unsigned>(c));
  return code + std::string(name);
}

}  // namespace authz
