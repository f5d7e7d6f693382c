// json_string.cpp — see internal/json_string.h. Runs of bytes that need no
// escape are found a word at a time (internal/byte_scan.h) and copied whole;
// the scan looks for non-ASCII and DEL bytes only when the style acts on them,
// so kValueJson costs what the runtime's writer always cost.
#include "runtime/internal/json_string.h"

#include "runtime/internal/byte_scan.h"
#include "runtime/internal/utf8.h"

namespace authz::runtime::internal {
namespace {

void append_unicode_escape(std::string& out, char32_t unit, bool uppercase) {
  const char* hex = uppercase ? "0123456789ABCDEF" : "0123456789abcdef";
  const char escape[6] = {'\\', 'u', hex[(unit >> 12) & 0xF], hex[(unit >> 8) & 0xF], hex[(unit >> 4) & 0xF],
                          hex[unit & 0xF]};
  out.append(escape, sizeof escape);
}

void append_ascii_escape(std::string& out, unsigned char byte, const JsonStringStyle& style) {
  const bool short_form = byte == '"' || byte == '\\' || byte == '\n' || byte == '\t' ||
                          (byte == '\r' && style.short_return) ||
                          ((byte == '\b' || byte == '\f') && style.short_backspace_formfeed);
  if (short_form) {
    append_json_escape(out, byte);  // the short forms
  } else {
    append_unicode_escape(out, byte, style.uppercase_hex);
  }
}

// kScanNonAscii / kScanDelete: whether the scan stops at bytes >= 0x80 / DEL.
template <bool kScanNonAscii, bool kScanDelete>
void append_body(std::string& out, std::string_view text, const JsonStringStyle& style) {
  auto mask_of = [](std::uint64_t word) {
    std::uint64_t mask = json_special_bytes(word);
    if constexpr (kScanNonAscii) mask |= word & kHighBits;
    if constexpr (kScanDelete) mask |= bytes_equal(word, 0x7F);
    return mask;
  };
  auto is_hit = [](unsigned char byte) {
    return needs_json_escape(byte) || (kScanNonAscii && byte >= 0x80) || (kScanDelete && byte == 0x7F);
  };
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  std::size_t i = first_byte(text, 0, mask_of, is_hit);
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t next = i + 1;
    if (byte >= 0x80) {
      const Utf8Char decoded = decode_utf8(text, i);
      const bool separator = decoded.code_point == 0x2028 || decoded.code_point == 0x2029;
      if (decoded.length != 0 && !(separator && style.escape_line_separators)) {
        i = first_byte(text, i + decoded.length, mask_of, is_hit);  // valid: stays in the run
        continue;
      }
      out.append(text.data() + plain, i - plain);
      if (decoded.length != 0) {
        append_unicode_escape(out, decoded.code_point, style.uppercase_hex);
        next = i + decoded.length;
      } else if (style.invalid_utf8 == InvalidUtf8::EscapeReplace) {
        out += "\\ufffd";
      } else if (style.invalid_utf8 == InvalidUtf8::Replace) {
        out += "\xEF\xBF\xBD";
      } else {
        out += static_cast<char>(byte);
      }
    } else {
      out.append(text.data() + plain, i - plain);
      append_ascii_escape(out, byte, style);
    }
    plain = next;
    i = first_byte(text, plain, mask_of, is_hit);
  }
  out.append(text.data() + plain, text.size() - plain);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text, const JsonStringStyle& style) {
  const bool scan_non_ascii = style.invalid_utf8 != InvalidUtf8::CopyAsIs || style.escape_line_separators;
  out += '"';
  if (scan_non_ascii) {
    if (style.escape_delete) {
      append_body<true, true>(out, text, style);
    } else {
      append_body<true, false>(out, text, style);
    }
  } else if (style.escape_delete) {
    append_body<false, true>(out, text, style);
  } else {
    append_body<false, false>(out, text, style);
  }
  out += '"';
}

std::string json_string(std::string_view text, const JsonStringStyle& style) {
  std::string out;
  append_json_string(out, text, style);
  return out;
}

}  // namespace authz::runtime::internal
