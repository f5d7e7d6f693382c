// source.h — the files a compilation reads, and positions inside them.
//
// Contract: a Span is a half-open byte range [begin, end) in one file, named by
// FileId. Spans stay byte offsets everywhere; SourceManager turns them into
// 1-based line/column (columns count UTF-8 code points) only when printing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace authz {

using FileId = std::uint32_t;
inline constexpr FileId kNoFile = ~FileId{0};

struct Span {
  FileId file = kNoFile;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  bool valid() const { return file != kNoFile; }
  // Spans never take part in AST equality; this is for tests.
  friend bool operator==(const Span&, const Span&) = default;
};

struct LineColumn {
  std::uint32_t line = 0;    // 1-based
  std::uint32_t column = 0;  // 1-based, in code points
};

class SourceManager {
 public:
  // Registers a file whose text is already in memory. `path` is how the file
  // is named in diagnostics (as the user gave it, not canonicalised).
  FileId add(std::string path, std::string text);

  const std::string& path(FileId file) const { return files_[file].path; }
  std::string_view text(FileId file) const { return files_[file].text; }
  std::size_t file_count() const { return files_.size(); }

  LineColumn line_column(FileId file, std::uint32_t offset) const;
  // The full text of the 1-based line, without its line terminator.
  std::string_view line_text(FileId file, std::uint32_t line) const;
  // The source text a span covers.
  std::string_view slice(const Span& span) const;

 private:
  struct File {
    std::string path;
    std::string text;
    std::vector<std::uint32_t> line_starts;  // byte offset of each line start
  };
  std::vector<File> files_;
};

}  // namespace authz
