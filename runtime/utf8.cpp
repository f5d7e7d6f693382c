// utf8.cpp — see internal/utf8.h. One pass reads a sequence and says what, if
// anything, is wrong with it; decode_utf8 keeps only the verdict.
#include "runtime/internal/utf8.h"

namespace authz::runtime::internal {
namespace {

struct Reading {
  Utf8Char decoded;
  Utf8Problem problem = Utf8Problem::None;
};

Reading read_sequence(std::string_view text, std::size_t pos) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) return {{lead, 1}};
  std::size_t length;
  char32_t value;
  if (lead <= 0xBF) return {{}, Utf8Problem::StrayContinuation};
  if (lead <= 0xC1) return {{}, Utf8Problem::OverlongLead};
  if (lead <= 0xDF) {
    length = 2, value = lead & 0x1F;
  } else if (lead <= 0xEF) {
    length = 3, value = lead & 0x0F;
  } else if (lead <= 0xF4) {
    length = 4, value = lead & 0x07;
  } else {
    return {{}, Utf8Problem::ImpossibleByte};
  }
  for (std::size_t i = 1; i < length; ++i) {
    if (pos + i >= text.size()) return {{}, Utf8Problem::Truncated};
    if ((byte(pos + i) & 0xC0) != 0x80) return {{}, Utf8Problem::CutShort};
    value = (value << 6) | (byte(pos + i) & 0x3F);
  }
  if ((length == 3 && value < 0x800) || (length == 4 && value < 0x10000)) return {{}, Utf8Problem::Overlong};
  if (value >= 0xD800 && value <= 0xDFFF) return {{}, Utf8Problem::Surrogate};
  if (value > 0x10FFFF) return {{}, Utf8Problem::AboveMaximum};
  return {{value, length}};
}

}  // namespace

Utf8Char decode_utf8(std::string_view text, std::size_t pos) { return read_sequence(text, pos).decoded; }

std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) { return decode_utf8(text, pos).length; }

Utf8Problem utf8_problem(std::string_view text, std::size_t pos) { return read_sequence(text, pos).problem; }

void append_utf8(std::string& out, char32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

}  // namespace authz::runtime::internal
