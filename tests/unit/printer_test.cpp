// printer_test.cpp — render_text / render_json on hand-made diagnostics:
// exact layout, caret placement (tabs, wide and escaped characters,
// multi-line and empty spans), notes, summaries and JSON escaping.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "compiler/diagnostic_printer.h"

using namespace authz;

namespace {

Diagnostic make(DiagCode code, Span span, std::string message, std::string help = {}) {
  return Diagnostic{code, default_severity(code), span, std::move(message), {}, std::move(help)};
}

// The span of the first occurrence of `needle` in the file's text.
Span find(const SourceManager& sources, FileId file, std::string_view needle) {
  auto at = sources.text(file).find(needle);
  REQUIRE(at != std::string_view::npos);
  return Span{file, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + needle.size())};
}

}  // namespace

TEST_CASE("text: header, location, excerpt, caret and help", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("a.authz", "policy p;\nallow r: rep may get_acount;\n");
  auto text = render_text(sources, {make(DiagCode::UnknownTarget, find(sources, file, "get_acount"),
                                         "unknown tool `get_acount`", "did you mean `get_account`?")});
  CHECK(text ==
        "error[E0201]: unknown tool `get_acount`\n"
        " --> a.authz:2:18\n"
        "  |\n"
        "2 | allow r: rep may get_acount;\n"
        "  |                  ^^^^^^^^^^\n"
        "  = help: did you mean `get_account`?\n"
        "\n"
        "error: could not check policy: 1 error\n");
}

TEST_CASE("text: gutter is as wide as the largest line number", "[printer]") {
  std::string source;
  for (int i = 1; i <= 11; ++i) source += "line" + std::to_string(i) + "\n";
  SourceManager sources;
  FileId file = sources.add("b.authz", source);
  auto text = render_text(sources, {make(DiagCode::SyntaxError, find(sources, file, "line11"), "unexpected `line11`")});
  CHECK(text ==
        "error[E0001]: unexpected `line11`\n"
        "  --> b.authz:11:1\n"
        "   |\n"
        "11 | line11\n"
        "   | ^^^^^^\n"
        "\n"
        "error: could not check policy: 1 error\n");
}

TEST_CASE("text: tabs expand the same way in the line and the underline", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("t.authz", "\tallow\tx;\n");
  auto text = render_text(sources, {make(DiagCode::SyntaxError, find(sources, file, "x"), "unexpected `x`")});
  CHECK(text.find("1 |     allow    x;\n  |              ^\n") != std::string::npos);
  CHECK(text.find(" --> t.authz:1:8\n") != std::string::npos);  // columns count code points
}

TEST_CASE("text: a multi-line span is underlined to the end of its first line", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("m.authz", "allow r: rep may x\n  when true;\n");
  Span span = find(sources, file, "x\n  when true");
  auto text = render_text(sources, {make(DiagCode::SyntaxError, span, "oops")});
  CHECK(text.find("1 | allow r: rep may x\n  |                  ^\n") != std::string::npos);
}

TEST_CASE("text: an empty span at the end of a file gets one caret after the text", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("e.authz", "policy p");
  Span span{file, 8, 8};
  auto text = render_text(sources, {make(DiagCode::SyntaxError, span, "expected `;`")});
  CHECK(text.find(" --> e.authz:1:9\n  |\n1 | policy p\n  |         ^\n") != std::string::npos);
}

TEST_CASE("text: an empty file shows an empty line and a caret", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("empty.authz", "");
  auto text = render_text(sources, {make(DiagCode::EmptyFile, Span{file, 0, 0}, "file is empty")});
  CHECK(text ==
        "error[E0011]: file is empty\n"
        " --> empty.authz:1:1\n"
        "  |\n"
        "1 |\n"
        "  | ^\n"
        "\n"
        "error: could not check policy: 1 error\n");
}

TEST_CASE("text: control bytes, invalid UTF-8 and bidi controls are escaped and carets follow", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("c.authz", "a\x1b" "b\xff" "c\xE2\x80\xAE" "d\n");
  auto text = render_text(sources, {make(DiagCode::InvalidUtf8, find(sources, file, "d"), "bad")});
  // a \u{1b} b \xff c \u{202e} d  -> `d` is at display column 1+6+1+4+1+8 = 21
  CHECK(text.find("1 | a\\u{1b}b\\xffc\\u{202e}d\n  |                      ^\n") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  auto escaped_span = render_text(sources, {make(DiagCode::InvalidUtf8, find(sources, file, "\xff"), "bad")});
  CHECK(escaped_span.find("  |         ^^^^\n") != std::string::npos);
}

TEST_CASE("text: a very long line is cut to a window around the span", "[printer]") {
  SourceManager sources;
  std::string line = std::string(1000, 'a') + "TARGET" + std::string(1000, 'b');
  FileId file = sources.add("long.authz", line + "\n");
  auto text = render_text(sources, {make(DiagCode::SyntaxError, find(sources, file, "TARGET"), "bad")});
  // 60 bytes of lead, the window is 200 bytes, both ends elided.
  std::string shown = "..." + std::string(60, 'a') + "TARGET" + std::string(134, 'b') + "...";
  CHECK(text.find("1 | " + shown + "\n  | " + std::string(63, ' ') + "^^^^^^\n") != std::string::npos);
  CHECK(text.size() < 600);

  // At the start of the line nothing is elided before the span.
  auto at_start = render_text(sources, {make(DiagCode::SyntaxError, Span{file, 0, 3}, "bad")});
  CHECK(at_start.find("1 | " + std::string(200, 'a') + "...\n  | ^^^\n") != std::string::npos);
}

TEST_CASE("text: wide characters take two columns", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("w.authz", "\"\xE6\x97\xA5\xE6\x9C\xAC\" x\n");  // "日本" x
  auto text = render_text(sources, {make(DiagCode::SyntaxError, find(sources, file, "x"), "bad")});
  CHECK(text.find(" --> w.authz:1:6\n") != std::string::npos);
  CHECK(text.find("  |        ^\n") != std::string::npos);
}

TEST_CASE("text: messages and paths cannot smuggle terminal escapes or line breaks", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("evil\n.authz", "x\n");
  Diagnostic diagnostic = make(DiagCode::UnknownTarget, Span{file, 0, 1}, "unknown tool `a\x1b[2Jb`", "line\nbreak");
  auto text = render_text(sources, {diagnostic});
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("unknown tool `a\\u{1b}[2Jb`") != std::string::npos);
  CHECK(text.find(" --> evil\\u{a}.authz:1:1") != std::string::npos);
  CHECK(text.find("= help: line\\u{a}break\n") != std::string::npos);
}

TEST_CASE("text: notes keep their order; located notes get their own excerpt", "[printer]") {
  SourceManager sources;
  FileId a = sources.add("a.authz", "policy p;\nuse \"b.authz\";\n");
  FileId b = sources.add("b.authz", "module m;\nuse \"a.authz\";\n");
  Diagnostic diagnostic = make(DiagCode::ImportCycle, find(sources, b, "\"a.authz\""),
                               "files use each other in a cycle: `a.authz` -> `b.authz` -> `a.authz`",
                               "remove one `use` of the cycle");
  diagnostic.notes.push_back({find(sources, a, "\"b.authz\""), "`a.authz` uses `b.authz` here"});
  diagnostic.notes.push_back({Span{}, "modules cannot use each other"});
  CHECK(render_text(sources, {diagnostic}) ==
        "error[E0103]: files use each other in a cycle: `a.authz` -> `b.authz` -> `a.authz`\n"
        " --> b.authz:2:5\n"
        "  |\n"
        "2 | use \"a.authz\";\n"
        "  |     ^^^^^^^^^\n"
        "note: `a.authz` uses `b.authz` here\n"
        " --> a.authz:2:5\n"
        "  |\n"
        "2 | use \"b.authz\";\n"
        "  |     ^^^^^^^^^\n"
        "  = note: modules cannot use each other\n"
        "  = help: remove one `use` of the cycle\n"
        "\n"
        "error: could not check policy: 1 error\n");
}

TEST_CASE("text: a diagnostic without a location prints no excerpt", "[printer]") {
  SourceManager sources;
  auto text = render_text(sources, {make(DiagCode::CannotReadFile, Span{}, "cannot read `x.authz`: no such file or directory")});
  CHECK(text ==
        "error[E0101]: cannot read `x.authz`: no such file or directory\n"
        "\n"
        "error: could not check policy: 1 error\n");
  // A stale FileId is treated as no location rather than read out of bounds.
  auto stale = render_text(sources, {make(DiagCode::SyntaxError, Span{7, 0, 1}, "oops")});
  CHECK(stale == "error[E0001]: oops\n\nerror: could not check policy: 1 error\n");
}

TEST_CASE("text: summary lines", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("s.authz", "default deny;\n");
  Diagnostic warning = make(DiagCode::RedundantDefaultDeny, find(sources, file, "default deny"), "`default deny` is already the default");
  Diagnostic error = make(DiagCode::SyntaxError, Span{file, 0, 1}, "oops");
  CHECK(render_text(sources, {}).empty());
  auto only_warning = render_text(sources, {warning});
  CHECK(only_warning.rfind("warning[W0001]: `default deny` is already the default\n", 0) == 0);
  CHECK(only_warning.size() > 20);
  CHECK(only_warning.substr(only_warning.size() - 20) == "\nwarning: 1 warning\n");
  auto mixed = render_text(sources, {error, error, warning});
  CHECK(mixed.substr(mixed.size() - 52) == "\nerror: could not check policy: 2 errors, 1 warning\n");
}

TEST_CASE("text: colour only when asked", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("s.authz", "x\n");
  std::vector<Diagnostic> diagnostics{make(DiagCode::SyntaxError, Span{file, 0, 1}, "oops")};
  CHECK(render_text(sources, diagnostics, false).find('\x1b') == std::string::npos);
  auto colored = render_text(sources, diagnostics, true);
  CHECK(colored.find("\x1b[1;31merror[E0001]\x1b[0m") != std::string::npos);
}

TEST_CASE("json: fields, order and exclusive end positions", "[printer]") {
  SourceManager sources;
  FileId file = sources.add("a.authz", "policy p;\nallow r: rep may get_acount;\n");
  Diagnostic diagnostic = make(DiagCode::UnknownTarget, find(sources, file, "get_acount"), "unknown tool `get_acount`",
                               "did you mean `get_account`?");
  diagnostic.notes.push_back({find(sources, file, "rep"), "subject here"});
  diagnostic.notes.push_back({Span{}, "no location"});
  CHECK(render_json(sources, {diagnostic}) ==
        R"({"diagnostics":[{"code":"E0201","severity":"error","message":"unknown tool `get_acount`",)"
        R"("file":"a.authz","line":2,"column":18,"end_line":2,"end_column":28,)"
        R"("notes":[{"message":"subject here","file":"a.authz","line":2,"column":10},{"message":"no location"}],)"
        R"("help":"did you mean `get_account`?"}],"errors":1,"warnings":0})"
        "\n");
}

TEST_CASE("json: no location, no help, warnings, empty list", "[printer]") {
  SourceManager sources;
  CHECK(render_json(sources, {}) == "{\"diagnostics\":[],\"errors\":0,\"warnings\":0}\n");
  CHECK(render_json(sources, {make(DiagCode::RedundantDefaultDeny, Span{}, "w")}) ==
        R"({"diagnostics":[{"code":"W0001","severity":"warning","message":"w","file":null,"line":null,)"
        R"("column":null,"end_line":null,"end_column":null,"notes":[],"help":null}],"errors":0,"warnings":1})"
        "\n");
}

TEST_CASE("json: strings are escaped and always valid UTF-8", "[printer]") {
  SourceManager sources;
  std::string message = "q\"b\\n\nt\tc\x01" "d\x7f" "e\xff" "f\xE2\x80\xA8" "g\xC3\xA9";
  auto json = render_json(sources, {make(DiagCode::SyntaxError, Span{}, message)});
  CHECK(json.find(R"("message":"q\"b\\n\nt\tc\u0001d\u007fe\ufffdf\u2028g)"
                  "\xC3\xA9" R"(")") != std::string::npos);
}

TEST_CASE("rendering any span over any bytes stays in bounds and escapes everything", "[printer]") {
  std::mt19937 random(20260101);
  const std::string alphabet = std::string("ab \t\r\n\x1b\xff\xC3\xA9\xE6\x97\xA5\xE2\x80\xAE", 17) + '\0';
  for (int round = 0; round < 500; ++round) {
    std::string text;
    std::size_t length = random() % (round % 50 == 0 ? 600 : 40);
    for (std::size_t i = 0; i < length; ++i) text += alphabet[random() % alphabet.size()];
    SourceManager sources;
    FileId file = sources.add("f.authz", text);
    std::vector<Diagnostic> diagnostics;
    for (int k = 0; k < 3; ++k) {
      auto begin = static_cast<std::uint32_t>(random() % (text.size() + 5));
      auto end = static_cast<std::uint32_t>(random() % (text.size() + 5));  // may be before begin
      Diagnostic d = make(DiagCode::SyntaxError, Span{file, begin, end}, "m" + text.substr(0, 5));
      d.notes.push_back({Span{file, end, begin}, "n"});
      diagnostics.push_back(std::move(d));
    }
    std::string rendered = render_text(sources, diagnostics);
    CHECK(rendered.find('\x1b') == std::string::npos);
    CHECK(rendered.find('\0') == std::string::npos);
    CHECK(rendered.find('\r') == std::string::npos);
    std::string json = render_json(sources, diagnostics);
    CHECK(std::count(json.begin(), json.end(), '\n') == 1);  // raw newlines never leak into strings
  }
}
