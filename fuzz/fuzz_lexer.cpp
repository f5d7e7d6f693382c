// fuzz_lexer.cpp — feeds any bytes to the .authz lexers. Asserts: the
// hand-written lexer (compiler/lexer.h) and the lexer ANTLR generates from
// grammar/Authz.g4 give the same tokens (type, offsets, line, column) on
// every valid UTF-8 input; on the bytes taken as raw code points (any value,
// surrogates and out-of-range ones included) the hand-written lexer ends,
// never goes backwards and never points past the text.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "compiler/lexer.h"
#include "compiler/parse.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto hand = authz::lex_for_test(text, false);
  const auto reference = authz::lex_for_test(text, true);
  FUZZ_REQUIRE(hand == reference);

  std::u32string points(size / 4, U'\0');
  if (!points.empty()) std::memcpy(points.data(), data, points.size() * 4);
  authz::Lexer lexer(points);
  std::uint32_t previous_end = 0;
  for (std::size_t n = 0; n <= points.size() + 1; ++n) {
    const authz::LexToken token = lexer.next();
    FUZZ_REQUIRE(token.start >= previous_end && token.start <= token.end && token.end <= points.size());
    previous_end = token.end;
    if (token.kind == authz::LexKind::End) {
      FUZZ_REQUIRE(token.start == points.size());
      return 0;
    }
    FUZZ_REQUIRE(token.end > token.start);  // every token but End consumes input
  }
  FUZZ_REQUIRE(!"the lexer made more tokens than the text has code points");
  return 0;
}
