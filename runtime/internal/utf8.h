// utf8.h — the one UTF-8 decoder and validator, for the runtime, the
// compiler and the tools.
//
// Contract: decode_utf8 reads the code point whose UTF-8 sequence starts at
// `pos` (which must be inside `text`) and returns it with the sequence's
// length (1-4), or length 0 when the bytes there are not one: strict RFC 3629,
// so no overlong forms, no surrogates, nothing past U+10FFFF and no truncated
// sequence. utf8_problem says why, for readers that must explain a refusal
// (the compiler's "file is not valid UTF-8" diagnostics); it is Utf8Problem::None
// exactly where decode_utf8 succeeds. append_utf8 writes the encoding of a code point up to U+10FFFF.
// Private to the project (not installed); compiler/ and tools/ include it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace authz::runtime::internal {

struct Utf8Char {
  char32_t code_point = 0;
  std::size_t length = 0;
};
Utf8Char decode_utf8(std::string_view text, std::size_t pos);
// decode_utf8(text, pos).length: for writers that must emit valid UTF-8
// whatever they are given.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos);

// Why the bytes at `pos` are not a UTF-8 sequence, in the order a reader
// meets the problems.
enum class Utf8Problem {
  None,
  StrayContinuation,  // 0x80..0xBF where a character should start
  OverlongLead,       // 0xC0 or 0xC1: only ever starts an overlong form
  ImpossibleByte,     // 0xF5..0xFF
  Truncated,          // the text ends inside the sequence
  CutShort,           // a byte that should continue the sequence does not
  Overlong,           // a 3- or 4-byte form of a smaller code point
  Surrogate,          // U+D800..U+DFFF
  AboveMaximum,       // past U+10FFFF
};
Utf8Problem utf8_problem(std::string_view text, std::size_t pos);

void append_utf8(std::string& out, char32_t code_point);

}  // namespace authz::runtime::internal
