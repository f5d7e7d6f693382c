// runtime_algorithms_test.cpp — the runtime's self-contained algorithms:
// SHA-256 (NIST vectors, via libcrypto), timestamp and duration text, path
// containment (`under`), glob matching (`matches`), URI templates.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/decision.h"
#include "runtime/internal/glob_match.h"
#include "runtime/internal/path_match.h"
#include "runtime/internal/sha256.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/uri_template.h"
#include "runtime/internal/value_text.h"

using namespace authz::runtime;

namespace {

std::string hex_of(std::string_view bytes) {
  auto digest = sha256(bytes);
  REQUIRE(digest.has_value());
  return to_hex(*digest);
}

}  // namespace

// The NIST known answers (FIPS 180-2 appendix B, and the CAVP short/long
// message examples), through the one-shot and the incremental interfaces.
TEST_CASE("sha256 gives the NIST known answers", "[runtime][sha256]") {
  CHECK(hex_of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex_of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The 448-bit message: padding needs a second block.
  CHECK(hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex_of(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  Sha256 million;
  std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.update(chunk);
  auto digest = million.finish();
  REQUIRE(digest.has_value());
  CHECK(to_hex(*digest) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 gives the same digest however the input is split, and a reset hasher starts afresh",
          "[runtime][sha256]") {
  std::string text(200, 'x');
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + i % 26);
  auto whole = sha256(text);
  REQUIRE(whole.has_value());
  Sha256 pieces;
  for (std::size_t split : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 128u, 199u, 200u}) {
    pieces.reset();
    pieces.update(text.substr(0, split));
    pieces.update(text.substr(split));
    CHECK(pieces.finish() == whole);
  }
  // finish() without reset() is refused rather than answered wrongly.
  CHECK_FALSE(pieces.finish().has_value());
}

TEST_CASE("sha256 gives the same digests on many threads at once", "[runtime][sha256]") {
  std::string large(1 << 20, 'q');
  for (std::size_t i = 0; i < large.size(); i += 97) large[i] = static_cast<char>(i);
  auto expected = sha256(large);
  REQUIRE(expected.has_value());
  std::atomic<int> mismatches{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 8; ++i) {
          if (sha256(large) != expected) ++mismatches;
        }
      });
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("JSON quoting escapes exactly what JSON requires, and decision ids print as 32 hex digits", "[runtime]") {
  CHECK(quoted("") == R"("")");
  CHECK(quoted("plain text, é and 😀") == "\"plain text, é and 😀\"");
  CHECK(quoted("a\"b\\c\nd\re\tf\bg\fh") == R"("a\"b\\c\nd\re\tf\bg\fh")");
  CHECK(quoted(std::string_view("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
  CHECK(quoted("\"\"") == R"("\"\"")");
  CHECK(DecisionId{0, 0}.hex() == "00000000000000000000000000000000");
  CHECK(DecisionId{0x0123456789abcdefull, 0xfedcba9876543210ull}.hex() == "0123456789abcdeffedcba9876543210");
}

TEST_CASE("timestamps format as RFC 3339 in UTC and parse back", "[runtime]") {
  CHECK(format_timestamp(0) == "1970-01-01T00:00:00Z");
  CHECK(format_timestamp(1796083200000) == "2026-12-01T00:00:00Z");
  CHECK(format_timestamp(1796083200123) == "2026-12-01T00:00:00.123Z");
  CHECK(format_timestamp(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_timestamp(-86400000) == "1969-12-31T00:00:00Z");
  CHECK(format_timestamp(951782400000) == "2000-02-29T00:00:00Z");
  CHECK(format_timestamp(1796083200005) == "2026-12-01T00:00:00.005Z");
  CHECK(format_timestamp(-62135596800000) == "0001-01-01T00:00:00Z");
  CHECK(format_timestamp(253402300799999) == "9999-12-31T23:59:59.999Z");
  CHECK(format_timestamp(253402300800000) == "+010000-01-01T00:00:00Z");
  CHECK(format_timestamp(-62167219200001) == "-000001-12-31T23:59:59.999Z");
  CHECK(parse_timestamp("2026-12-01T00:00:00Z") == 1796083200000);
  CHECK(parse_timestamp("2026-12-01T01:00:00+01:00") == 1796083200000);
  CHECK(parse_timestamp("2026-11-30T19:00:00-05:00") == 1796083200000);
  CHECK(parse_timestamp("1969-12-31T23:59:59.999Z") == -1);
  CHECK(parse_timestamp("2000-02-29T00:00:00Z") == 951782400000);
  CHECK_FALSE(parse_timestamp("2001-02-29T00:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-13-01T00:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-12-01T00:00:00"));
  CHECK_FALSE(parse_timestamp("2026-12-01"));
  CHECK_FALSE(parse_timestamp("2026-12-01T24:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-12-01T00:00:00Zjunk"));
  for (std::int64_t ms : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1796083200123}, std::int64_t{-62135596800000}}) {
    CHECK(parse_timestamp(format_timestamp(ms)) == ms);
  }
  // Far outside 0000..9999 still formats (a signed, wider year) without overflow.
  CHECK(format_timestamp(INT64_MIN).front() == '-');
  CHECK(format_timestamp(INT64_MAX).front() == '+');
}

TEST_CASE("durations use the language's units, largest first", "[runtime]") {
  CHECK(format_duration(0) == "0ms");
  CHECK(format_duration(5400000) == "1h30m");
  CHECK(format_duration(7 * 86400000LL) == "7d");
  CHECK(format_duration(250) == "250ms");
  CHECK(format_duration(-3600000) == "-1h");
  CHECK(format_duration(90061001) == "1d1h1m1s1ms");
  CHECK(parse_duration("1h30m") == 5400000);
  CHECK(parse_duration("7d") == 7 * 86400000LL);
  CHECK(parse_duration("250ms") == 250);
  CHECK(parse_duration("-1h") == -3600000);
  CHECK_FALSE(parse_duration("30m1h"));  // units out of order
  CHECK_FALSE(parse_duration("1h1h"));
  CHECK_FALSE(parse_duration("1x"));
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("h"));
  CHECK_FALSE(parse_duration("99999999999999999999d"));  // overflow
  CHECK_FALSE(parse_duration("200000000000d"));           // beyond int64 milliseconds
}

TEST_CASE("under normalises and compares whole segments", "[runtime]") {
  auto under = [](std::string_view path, std::string_view base) { return path_under(path, base); };
  CHECK(under("/data/public/report.md", "/data/public").under);
  CHECK(under("/data/public", "/data/public").under);  // a path is under itself
  CHECK(under("/data/public/", "/data/public").under);
  CHECK(under("/data/public/./x", "/data/public").under);
  CHECK(under("//data/public", "/data/public").under);
  CHECK(under("/data//public///x", "/data/public/").under);
  CHECK(under("/data/public/a/../b", "/data/public").under);
  CHECK(under("/anything", "/").under);
  // Attacks.
  CHECK_FALSE(under("/data/public/../secret", "/data/public").under);
  CHECK_FALSE(under("/data/public/../secret", "/data/public").problem != PathProblem::None);
  CHECK_FALSE(under("/data/public2", "/data/public").under);
  CHECK_FALSE(under("/data/publi", "/data/public").under);
  CHECK_FALSE(under("/data", "/data/public").under);
  CHECK_FALSE(under("/data/public/%2e%2e/secret", "/data/publicx").under);
  CHECK(under("/data/public/%2e%2e/secret", "/data/public").under);  // %2e%2e is a plain name
  CHECK(under("/data/public/..\\secret", "/data/public").under);     // backslash is a plain character
  // Invalid paths match nothing and say why.
  auto relative = under("data/public/x", "/data/public");
  CHECK_FALSE(relative.under);
  CHECK(relative.problem == PathProblem::Relative);
  CHECK(under("", "/data").problem == PathProblem::Relative);
  CHECK(under("./data/public", "/data").problem == PathProblem::Relative);
  auto escape = under("/../data/public/x", "/data/public");
  CHECK_FALSE(escape.under);
  CHECK(escape.problem == PathProblem::EscapesRoot);
  CHECK(under("/data/../../etc", "/").problem == PathProblem::EscapesRoot);
  auto nul = under(std::string_view("/data/public/x\0/../../secret", 28), "/data/public");
  CHECK_FALSE(nul.under);
  CHECK(nul.problem == PathProblem::ContainsNul);
  auto bad_base = under("/data/x", "data");
  CHECK(bad_base.problem == PathProblem::Relative);
  CHECK(bad_base.problem_in_base);
}

TEST_CASE("under handles paths beyond the inline segment buffer", "[runtime]") {
  std::string deep = "/data";
  for (int i = 0; i < 500; ++i) deep += "/d" + std::to_string(i);
  CHECK(path_under(deep, "/data").under);
  CHECK(path_under(deep, "/data/d0/d1").under);
  CHECK_FALSE(path_under(deep, "/data/d1").under);
  std::string climbing = deep;
  for (int i = 0; i < 500; ++i) climbing += "/..";
  CHECK(path_under(climbing, "/data").under);
  CHECK(path_under(climbing + "/..", "/").under);
  CHECK(path_under(climbing + "/../..", "/").problem == PathProblem::EscapesRoot);
}

TEST_CASE("glob: * stays in a segment, ** crosses, ? is one character", "[runtime]") {
  CHECK(glob_matches("*.md", "notes.md"));
  CHECK_FALSE(glob_matches("*.md", "dir/notes.md"));
  CHECK(glob_matches("**/*.md", "/srv/dir/notes.md"));
  CHECK(glob_matches("**.md", "dir/sub/notes.md"));
  CHECK(glob_matches("**/.env", "/srv/home/u-bob/.env"));
  CHECK_FALSE(glob_matches("**/.env", "/srv/home/u-bob/.envrc"));
  CHECK(glob_matches("**/.ssh/**", "/home/a/.ssh/id_rsa"));
  CHECK_FALSE(glob_matches("**/.ssh/**", "/home/a/.sshx/id"));
  CHECK(glob_matches("report-????.pdf", "report-2026.pdf"));
  CHECK_FALSE(glob_matches("report-????.pdf", "report-26.pdf"));
  CHECK_FALSE(glob_matches("a?c", "a/c"));
  CHECK(glob_matches("", ""));
  CHECK_FALSE(glob_matches("", "a"));
  CHECK(glob_matches("*", ""));
  CHECK(glob_matches("**", "a/b/c"));
  CHECK_FALSE(glob_matches("*", "a/b"));
  CHECK(glob_matches("a*b*c", "aXbYc"));
  CHECK(glob_matches("a*b*c", "abbbc"));
  CHECK_FALSE(glob_matches("a*b*c", "acb"));
  CHECK(glob_matches("[ab]", "[ab]"));  // no character classes
  CHECK(glob_matches("***", "x/y"));    // ** then *
}

TEST_CASE("glob matching stays linear on pathological patterns", "[runtime]") {
  std::string text(100000, 'a');
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "b";
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(glob_matches(pattern, text));
  std::string doubled;
  for (int i = 0; i < 30; ++i) doubled += "**a";
  doubled += "b";
  CHECK_FALSE(glob_matches(doubled, text));
  CHECK(glob_matches(doubled.substr(0, doubled.size() - 1), text));
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(2));
  // A pattern longer than the inline state buffer (255 tokens).
  std::string long_pattern(600, 'a');
  CHECK(glob_matches(long_pattern + "*", std::string(700, 'a')));
  CHECK_FALSE(glob_matches(long_pattern + "?", std::string(600, 'a')));
}

namespace {

// Reference: plain backtracking over the pattern, only for short inputs.
bool reference_glob(std::string_view p, std::string_view t) {
  if (p.empty()) return t.empty();
  if (p.substr(0, 2) == "**") {
    for (std::size_t k = 0; k <= t.size(); ++k) {
      if (reference_glob(p.substr(2), t.substr(k))) return true;
    }
    return false;
  }
  if (p[0] == '*') {
    for (std::size_t k = 0; k <= t.size(); ++k) {
      if (reference_glob(p.substr(1), t.substr(k))) return true;
      if (k < t.size() && t[k] == '/') break;
    }
    return false;
  }
  if (t.empty()) return false;
  if (p[0] == '?') return t[0] != '/' && reference_glob(p.substr(1), t.substr(1));
  return p[0] == t[0] && reference_glob(p.substr(1), t.substr(1));
}

}  // namespace

TEST_CASE("glob agrees with a backtracking reference on every small case", "[runtime]") {
  const char alphabet[] = {'a', '/', '*', '?'};
  const char text_alphabet[] = {'a', 'b', '/'};
  std::vector<std::string> patterns{""}, texts{""};
  for (int length = 1; length <= 4; ++length) {
    std::vector<std::string> next;
    for (auto& p : patterns) {
      if (static_cast<int>(p.size()) == length - 1) {
        for (char c : alphabet) next.push_back(p + c);
      }
    }
    patterns.insert(patterns.end(), next.begin(), next.end());
  }
  for (int length = 1; length <= 5; ++length) {
    std::vector<std::string> next;
    for (auto& t : texts) {
      if (static_cast<int>(t.size()) == length - 1) {
        for (char c : text_alphabet) next.push_back(t + c);
      }
    }
    texts.insert(texts.end(), next.begin(), next.end());
  }
  int disagreements = 0;
  for (auto& p : patterns) {
    for (auto& t : texts) {
      if (glob_matches(p, t) != reference_glob(p, t)) {
        ++disagreements;
        UNSCOPED_INFO("pattern `" << p << "` text `" << t << "`");
      }
    }
  }
  CHECK(disagreements == 0);
}

TEST_CASE("URI templates parse, reject malformed ones, and bind variables", "[runtime]") {
  std::string error;
  CHECK_FALSE(parse_uri_template("demo://x/{", &error));
  CHECK(error == "unmatched `{` in resource URI template at byte 9");
  CHECK_FALSE(parse_uri_template("demo://x/{}", &error));
  CHECK(error == "empty variable in resource URI template at byte 9");
  CHECK_FALSE(parse_uri_template("demo://x/}", &error));
  CHECK_FALSE(parse_uri_template("demo://{a}/{a}", &error));
  CHECK(error == "template variable `a` appears twice at byte 12");
  CHECK(uri_template_variables("demo://resource/{kind}/{name}") == std::vector<std::string>{"kind", "name"});

  auto docs = *parse_uri_template("demo://resource/static/document/{name}");
  std::string_view captures[2];
  REQUIRE(match_uri_template(docs, "demo://resource/static/document/readme.md", captures));
  CHECK(captures[0] == "readme.md");
  CHECK_FALSE(match_uri_template(docs, "demo://resource/static/document/", captures));       // empty value
  CHECK_FALSE(match_uri_template(docs, "demo://resource/static/document/a/b", captures));    // no `/` in a value
  CHECK_FALSE(match_uri_template(docs, "demo://resource/static/documents/x", captures));
  REQUIRE(match_uri_template(docs, "demo://resource/static/document/..%2Fsecret", captures));
  CHECK(captures[0] == "..%2Fsecret");  // bound verbatim, not decoded

  auto two = *parse_uri_template("file:///{dir}/{name}.txt");
  REQUIRE(match_uri_template(two, "file:///home/a.b.txt", captures));
  CHECK(captures[0] == "home");
  CHECK(captures[1] == "a.b");
  auto dashed = *parse_uri_template("x://{a}-{b}");
  REQUIRE(match_uri_template(dashed, "x://1-2-3", captures));
  CHECK(captures[0] == "1");
  CHECK(captures[1] == "2-3");
  auto exact = *parse_uri_template("demo://static");
  CHECK(match_uri_template(exact, "demo://static", captures));
  CHECK_FALSE(match_uri_template(exact, "demo://static/", captures));
}

TEST_CASE("URI template matching stays fast on adversarial input", "[runtime]") {
  std::string uri_template;
  for (int i = 0; i < 20; ++i) uri_template += "{v" + std::to_string(i) + "}a";
  uri_template += "b";
  auto parsed = *parse_uri_template(uri_template);
  std::vector<std::string_view> captures(parsed.variable_count);
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(match_uri_template(parsed, std::string(20000, 'a'), captures.data()));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}
