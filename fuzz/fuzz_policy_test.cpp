// fuzz_policy_test.cpp — feeds any bytes as a `.authz.test` file to its
// reader (compiler/policy_tests/test_file.h, what `authzc test` parses).
// Asserts: no crash, leak or undefined behaviour; every diagnostic's span
// lies within the file; a file with syntax errors says so.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/diagnostics.h"
#include "compiler/policy_tests/test_file.h"
#include "compiler/source.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  authz::SourceManager sources;
  const authz::FileId id = sources.add("fuzz.authz.test", std::string(reinterpret_cast<const char*>(data), size));
  authz::DiagnosticSink sink;
  const authz::policy_tests::TestFile file = authz::policy_tests::parse_test_file(sources, id, sink);
  for (const auto& d : sink.diagnostics()) {
    FUZZ_REQUIRE(d.span.begin <= d.span.end && d.span.end <= size);
  }
  if (file.has_syntax_errors) FUZZ_REQUIRE(sink.error_count() > 0);
  return 0;
}
