// fuzz_parse.cpp — feeds any bytes to parse_file (compiler/parse.h) twice:
// ANTLR only, and with the ANTLR-free fast path (compiler/fast_parse.cpp)
// enabled. Asserts: both give exactly the same AST (every field, spans
// included) and the same diagnostics, and the fast path only ever builds a
// File that has no error (compiler/fast_parse.h's contract; warnings such as
// W0003 come before the split and allow it).
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/parse.h"
#include "fuzz/fuzz_support.h"
#include "tests/support/parse_dump.h"

namespace {

using authz::test_support::Parsed;

Parsed parse(const std::string& text, bool fast_path) {
  Parsed out = authz::test_support::parse_one_way(text, fast_path);
  FUZZ_REQUIRE(out.built);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const Parsed reference = parse(text, false);
  const Parsed fast = parse(text, true);
  FUZZ_REQUIRE(!reference.fast);
  if (reference.diagnostics != fast.diagnostics || reference.ast != fast.ast) {
    std::fprintf(stderr, "diagnostics, ANTLR:\n%s\ndiagnostics, fast path:\n%s\nfirst AST difference: %s\n",
                 reference.diagnostics.c_str(), fast.diagnostics.c_str(),
                 authz::test_support::first_difference(reference.ast, fast.ast).c_str());
    FUZZ_REQUIRE(!"the fast path and the ANTLR path disagree");
  }
  if (fast.fast) FUZZ_REQUIRE(!fast.errors);
  return 0;
}
