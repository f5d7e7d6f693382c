// source_test.cpp — SourceManager: byte offsets to lines and columns.
#include <catch2/catch.hpp>

#include "compiler/source.h"

using authz::SourceManager;

TEST_CASE("line and column are 1-based and count code points") {
  SourceManager sources;
  auto file = sources.add("a.authz", "ab\n\xC3\xA9x\n");
  CHECK(sources.line_column(file, 0).line == 1);
  CHECK(sources.line_column(file, 1).column == 2);
  auto after_accent = sources.line_column(file, 5);  // 'x' after a two-byte code point
  CHECK(after_accent.line == 2);
  CHECK(after_accent.column == 2);
  CHECK(sources.line_text(file, 2) == "\xC3\xA9x");
  CHECK(sources.line_text(file, 9).empty());
}
