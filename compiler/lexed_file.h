// lexed_file.h — a file after stage 2 of the parse adapter (see
// compiler/parse.cpp): its code points with the way back to byte offsets, its
// compact tokens, and the `///` lines of each doc token.
//
// Contract: plain data and small inline helpers, no ANTLR. Both parsers (the
// ANTLR adapter in parse.cpp and compiler/fast_parse.cpp) compute spans and
// doc texts only through the helpers here, so their ASTs agree to the byte.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/source.h"

namespace authz {

// The file as the lexer sees it (code points) plus the way back to byte offsets.
struct DecodedText {
  std::u32string code_points;
  std::vector<std::uint32_t> byte_offsets;  // per code point, plus one for the end; empty when identity
  std::uint32_t base = 0;                   // bytes skipped before the first code point (a BOM)

  std::uint32_t byte_at(std::size_t index) const {
    if (byte_offsets.empty()) return base + static_cast<std::uint32_t>(std::min(index, code_points.size()));
    return byte_offsets[std::min(index, byte_offsets.size() - 1)];
  }
};

// A lexed token, kept compact (ANTLR's own tokens cost over 100 bytes each).
struct LexedToken {
  static constexpr std::uint32_t kEndType = std::numeric_limits<std::uint32_t>::max();  // end of input

  std::uint32_t type;   // the grammar's token type, or kEndType
  std::uint32_t start;  // code point index
  std::uint32_t end;    // code point index, exclusive
  std::uint32_t line;
  std::uint32_t column;
};

// Each merged doc token (by code point start) -> the spans of its `///` lines.
using DocLines = std::unordered_map<std::size_t, std::vector<Span>>;

// The byte span of code points [start, end).
inline Span code_point_span(FileId file, const DecodedText& decoded, std::size_t start, std::size_t end) {
  const std::uint32_t begin = decoded.byte_at(start);
  return Span{file, begin, std::max(begin, decoded.byte_at(end))};
}

// The bytes of `span` (empty when it lies outside the text).
inline std::string_view span_text(std::string_view bytes, const Span& span) {
  if (span.begin >= bytes.size()) return {};
  return bytes.substr(span.begin, std::min<std::size_t>(span.end, bytes.size()) - span.begin);
}

// Appends the text of `///` lines to a doc text: each line without its
// slashes and one leading space, lines joined by '\n'. `first` says whether
// nothing has been appended yet (a doc may be built from several tokens).
inline void append_doc_lines(std::string_view bytes, const std::vector<Span>& lines, std::string& text, bool& first) {
  for (const Span& line : lines) {
    std::string_view content = span_text(bytes, line);
    content.remove_prefix(std::min<std::size_t>(3, content.size()));  // `///`
    if (!content.empty() && content.front() == ' ') content.remove_prefix(1);
    if (!first) text += '\n';
    text.append(content);
    first = false;
  }
}

}  // namespace authz
