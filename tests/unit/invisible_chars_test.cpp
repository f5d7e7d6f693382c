// invisible_chars_test.cpp — "Trojan Source" (CVE-2021-42574) and non-policy
// text in the parse adapter: invisible and bidirectional characters are E0015
// in code and strings (quoted user ids and paths included) and W0003 in
// comments (doc comments included), naming the code point; one diagnostic per
// string or comment and at most 21 per file; a leading byte-order mark is
// allowed; a file with a NUL byte is one E0016 without an excerpt; a file
// without a header is one E0012. The fast path and the ANTLR path agree.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "compiler/diagnostic_printer.h"
#include "compiler/diagnostics.h"
#include "compiler/invisible_chars.h"
#include "compiler/parse.h"
#include "compiler/source.h"

using namespace authz;

namespace {

struct Result {
  SourceManager sources;
  std::vector<Diagnostic> diagnostics;
  std::string text;  // as `authzc check` prints it
  bool fast = false;  // whether the fast path built the file

  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diagnostics) out.emplace_back(code_string(d.code));
    return out;
  }
  std::string slice(const Diagnostic& d) const { return std::string(sources.slice(d.span)); }
};

std::unique_ptr<Result> parse_text(const std::string& text, bool fast_path = true) {
  auto result = std::make_unique<Result>();
  FileId id = result->sources.add("t.authz", text);
  DiagnosticSink sink;
  ParseOptions options;
  options.fast_path = fast_path;
  options.used_fast_path = &result->fast;
  parse_file(result->sources, id, sink, options);
  result->diagnostics = sink.take_sorted();
  result->text = render_text(result->sources, result->diagnostics);
  return result;
}

const std::string kRlo = "\xE2\x80\xAE";   // U+202E RIGHT-TO-LEFT OVERRIDE
const std::string kLri = "\xE2\x81\xA6";   // U+2066 LEFT-TO-RIGHT ISOLATE
const std::string kPdi = "\xE2\x81\xA9";   // U+2069 POP DIRECTIONAL ISOLATE
const std::string kZwsp = "\xE2\x80\x8B";  // U+200B ZERO WIDTH SPACE
const std::string kBom = "\xEF\xBB\xBF";   // U+FEFF

const std::string kHeader = "policy p;\nrole admin;\n/// T.\ntool t() read;\n";

}  // namespace

TEST_CASE("invisible: the table names every character of the issue and nothing ordinary", "[invisible]") {
  for (char32_t c : std::initializer_list<char32_t>{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200B, 0x200C,
                     0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x061C, 0x00AD,
                     0x2028, 0x2029, 0xE0041}) {
    INFO(static_cast<unsigned>(c));
    CHECK(is_invisible_char(c));
  }
  for (char32_t c : std::initializer_list<char32_t>{U'a', U' ', U'\t', U'\n', U'\u00e9', U'\u4e2d', U'\u2019', U'\u00a0'}) CHECK_FALSE(is_invisible_char(c));
  CHECK(describe_invisible_char(0x202E) == "U+202E RIGHT-TO-LEFT OVERRIDE");
  CHECK(describe_invisible_char(0x200B) == "U+200B ZERO WIDTH SPACE");
}

TEST_CASE("invisible: a bidi override in a string is E0015 naming the code point", "[invisible]") {
  // The classic: the reader sees `"admin"` and a harmless comment, the
  // compiler sees a longer string.
  auto r = parse_text(kHeader + "/// d\nallow a: admin may t when user.id == \"adm" + kRlo + "in\";\n");
  REQUIRE(r->codes() == std::vector<std::string>{"E0015"});
  const Diagnostic& d = r->diagnostics[0];
  CHECK(d.message == "string contains the invisible character U+202E RIGHT-TO-LEFT OVERRIDE");
  CHECK(r->slice(d) == kRlo);
  CHECK(d.help.find("`\\u202e`") != std::string::npos);
  // The printed excerpt shows the character escaped, never raw.
  CHECK(r->text.find(kRlo) == std::string::npos);
  CHECK(r->text.find("\\u{202e}") != std::string::npos);
}

TEST_CASE("invisible: in a quoted user id and a `use` path too, one diagnostic per string", "[invisible]") {
  auto r = parse_text("policy p;\nuse \"a" + kZwsp + kZwsp + ".authz\";\n/// T.\ntool t() read;\n"
                      "/// d\nallow a: user \"al" + kLri + "ice" + kPdi + "\" may t;\n");
  REQUIRE(r->codes() == std::vector<std::string>{"E0015", "E0015"});
  CHECK(r->diagnostics[0].message == "string contains the invisible character U+200B ZERO WIDTH SPACE");
  REQUIRE(r->diagnostics[0].notes.size() == 1);
  CHECK(r->diagnostics[0].notes[0].message == "1 more invisible or bidirectional character in this string");
  CHECK(r->diagnostics[1].message == "string contains the invisible character U+2066 LEFT-TO-RIGHT ISOLATE");
}

TEST_CASE("invisible: in code, outside strings and comments, E0015 replaces E0003", "[invisible]") {
  auto r = parse_text(kHeader + "/// d\nallow a: admin may" + kZwsp + " t;\n");
  REQUIRE(r->codes() == std::vector<std::string>{"E0015"});
  CHECK(r->diagnostics[0].message == "invisible character U+200B ZERO WIDTH SPACE outside strings and comments");
}

TEST_CASE("invisible: in comments of every kind it is a warning W0003", "[invisible]") {
  auto r = parse_text(kHeader + "// line " + kRlo + " comment\n/* block " + kLri + " */\n/// doc " + kRlo +
                      "\nallow a: admin may t; // trailing " + kRlo + kRlo + "\n");
  REQUIRE(r->codes() == std::vector<std::string>{"W0003", "W0003", "W0003", "W0003"});
  CHECK(r->diagnostics[0].message == "comment contains the invisible character U+202E RIGHT-TO-LEFT OVERRIDE");
  CHECK(r->diagnostics[1].message == "comment contains the invisible character U+2066 LEFT-TO-RIGHT ISOLATE");
  REQUIRE(r->diagnostics[3].notes.size() == 1);
  CHECK(r->diagnostics[3].severity == Severity::Warning);
}

TEST_CASE("invisible: a leading byte-order mark is allowed, one anywhere else is not", "[invisible]") {
  CHECK(parse_text(kBom + kHeader)->diagnostics.empty());
  auto r = parse_text(kHeader + "/// d\nallow a: user \"x" + kBom + "\" may t;\n");
  REQUIRE(r->codes() == std::vector<std::string>{"E0015"});
  CHECK(r->diagnostics[0].message == "string contains the invisible character U+FEFF ZERO WIDTH NO-BREAK SPACE");
}

TEST_CASE("invisible: a file full of them gets at most 21 diagnostics", "[invisible]") {
  std::string text = kHeader;
  for (int i = 0; i < 5000; ++i) text += "// " + kRlo + "\n";
  auto r = parse_text(text);
  CHECK(r->diagnostics.size() == 21);
  CHECK(r->diagnostics.back().message ==
        "more invisible or bidirectional characters follow; only the first 20 in this file are reported");
}

TEST_CASE("invisible: the fast path and the ANTLR path report the same", "[invisible]") {
  for (const std::string& text :
       {kHeader + "/// d\nallow a: admin may t when user.id == \"adm" + kRlo + "in\";\n",
        kHeader + "// " + kRlo + "\n/// d\nallow a: admin may t;\n",
        kHeader + "/// d " + kLri + "\nallow a: admin may" + kZwsp + " t;\n"}) {
    INFO(text);
    CHECK(parse_text(text, true)->text == parse_text(text, false)->text);
  }
  // A warning in a comment does not push the file off the fast path (the
  // ANTLR path is about three times slower on large files).
  auto warned = parse_text(kHeader + "// " + kRlo + "\n/// d\nallow a: admin may t;\n");
  CHECK(warned->codes() == std::vector<std::string>{"W0003"});
  CHECK(warned->fast);
}

TEST_CASE("not policy text: a NUL byte is one E0016 that prints none of the file", "[invisible]") {
  std::string binary = "policy p;\n";
  for (int i = 0; i < 10000; ++i) binary += std::string("SECRET\0\x01", 8);
  auto r = parse_text(binary);
  REQUIRE(r->codes() == std::vector<std::string>{"E0016"});
  CHECK(r->diagnostics[0].message == "file `t.authz` is not text: byte 16 is NUL");
  CHECK(r->text.find("SECRET") == std::string::npos);
}

TEST_CASE("not policy text: text without a header is one E0012", "[invisible]") {
  // What `/etc/passwd` or an environment file would give.
  auto r = parse_text("root:x:0:0:root:/root:/bin/bash\nAPI_KEY=hunter2 # secret\nuser:x:1000:1000::/home/user:/bin/sh\n");
  REQUIRE(r->codes() == std::vector<std::string>{"E0012"});
  CHECK(r->text.find("hunter2") == std::string::npos);
}
