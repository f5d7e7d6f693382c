// source.cpp — SourceManager: owns file texts, maps byte offsets to lines.
#include "compiler/source.h"

#include <algorithm>

namespace authz {

FileId SourceManager::add(std::string path, std::string text) {
  File file{std::move(path), std::move(text), {0}};
  for (std::uint32_t i = 0; i < file.text.size(); ++i) {
    if (file.text[i] == '\n') file.line_starts.push_back(i + 1);
  }
  files_.push_back(std::move(file));
  return static_cast<FileId>(files_.size() - 1);
}

LineColumn SourceManager::line_column(FileId id, std::uint32_t offset) const {
  const File& file = files_[id];
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(file.text.size()));
  auto it = std::upper_bound(file.line_starts.begin(), file.line_starts.end(), offset);
  std::uint32_t line_index = static_cast<std::uint32_t>(it - file.line_starts.begin()) - 1;
  std::uint32_t column = 1;
  for (std::uint32_t i = file.line_starts[line_index]; i < offset; ++i) {
    // Count code points: skip UTF-8 continuation bytes.
    if ((static_cast<unsigned char>(file.text[i]) & 0xC0) != 0x80) ++column;
  }
  return {line_index + 1, column};
}

std::string_view SourceManager::line_text(FileId id, std::uint32_t line) const {
  const File& file = files_[id];
  if (line == 0 || line > file.line_starts.size()) return {};
  std::uint32_t begin = file.line_starts[line - 1];
  std::uint32_t end = line < file.line_starts.size() ? file.line_starts[line] : file.text.size();
  std::string_view text(file.text);
  text = text.substr(begin, end - begin);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string_view SourceManager::slice(const Span& span) const {
  if (!span.valid()) return {};
  std::string_view text(files_[span.file].text);
  if (span.begin > text.size()) return {};
  return text.substr(span.begin, std::min<std::size_t>(span.end, text.size()) - span.begin);
}

}  // namespace authz
