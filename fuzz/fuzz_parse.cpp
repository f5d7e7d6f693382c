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

struct Parsed {
  std::string ast;
  std::string diagnostics;
  bool errors = false;  // warnings (W0003) do not keep a file off the fast path
  bool fast = false;
};

Parsed parse(const std::string& text, bool fast_path) {
  authz::SourceManager sources;
  sources.add("other.authz", "policy other;\n");  // a file id other than 0
  const authz::FileId id = sources.add("subject.authz", text);
  authz::DiagnosticSink sink;
  Parsed out;
  authz::ParseOptions options;
  options.fast_path = fast_path;
  options.used_fast_path = &out.fast;
  const auto file = authz::parse_file(sources, id, sink, options);
  FUZZ_REQUIRE(file != nullptr);
  out.ast = authz::test_support::full_dump(*file);
  out.diagnostics = authz::test_support::render(sink.diagnostics());
  out.errors = sink.has_errors();
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
