// fast_parse_test.cpp — the fast path (compiler/fast_parse.h) against the
// ANTLR path it replaces: with the fast path enabled, parse_file must give
// exactly the diagnostics (code, severity, span, message, help, notes) and
// exactly the AST (every field, spans included) of an ANTLR-only parse, on
// every .authz file of the repository, on generated policies, and on
// thousands of random mutations of them. It must also actually take the fast
// path on valid files, so these tests cannot pass by always declining.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/policy_generator.h"
#include "compiler/parse.h"
#include "tests/support/parse_dump.h"

namespace {

using authz::test_support::first_difference;
using authz::test_support::full_dump;
using authz::test_support::render;

using authz::test_support::Parsed;

Parsed parse(const std::string& text, bool fast_path) {
  Parsed out = authz::test_support::parse_one_way(text, fast_path);
  REQUIRE(out.built);
  return out;
}

// Parses `text` both ways and requires identical results; returns whether
// the fast path built the File.
bool require_same(const std::string& text, const std::string& what) {
  const Parsed reference = parse(text, false);
  const Parsed fast = parse(text, true);
  REQUIRE_FALSE(reference.fast);
  if (reference.diagnostics != fast.diagnostics || reference.ast != fast.ast) {
    INFO("input (" << what << "):\n" << text);
    INFO("diagnostics, ANTLR:\n" << reference.diagnostics << "diagnostics, fast path enabled:\n" << fast.diagnostics);
    INFO("first AST difference: " << first_difference(reference.ast, fast.ast));
    FAIL("the fast path and the ANTLR path disagree");
  }
  // The fast path only ever accepts files without an error.
  if (fast.fast) REQUIRE_FALSE(fast.errors);
  return fast.fast;
}

struct Corpus {
  std::string path;
  std::string text;
};

std::vector<Corpus> repository_policies() {
  std::vector<Corpus> texts;
  for (const char* dir : {"examples", "stdlib", "tests"}) {
    const std::filesystem::path root = std::filesystem::path(AUTHZ_SOURCE_DIR) / dir;
    if (!std::filesystem::exists(root)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".authz") continue;
      if (entry.path().string().find("node_modules") != std::string::npos) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      texts.push_back({entry.path().string(), content.str()});
    }
  }
  return texts;
}

// Token boundaries (byte offsets) of an ASCII text, from the hand-written lexer.
std::vector<std::pair<std::size_t, std::size_t>> token_ranges(const std::string& text) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (const auto& t : authz::lex_for_test(text, false)) {
    if (t.end > t.start) ranges.emplace_back(t.start, t.end);
  }
  return ranges;
}

bool is_ascii(const std::string& text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Fragments that exercise the fast path's declines: literals the ANTLR path
// diagnoses, repeated clauses, odd keywords, and ordinary valid pieces.
const std::vector<std::string> kFragments = {
    "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+24:00",
    "2026-01-01T00:00:00.123+02:30", "99999999999999999999", "9223372036854775807", "9223372036854775808",
    "999999999999999999d", "1h30m", "250ms", "\"\\q\"", "\"\\u12\"", "\"\\uD800\"", "\"\\uD83D\\uDE00\"",
    "\"a\\tb\\\"c\\\\\"", "\"\\u00e9\"", "when", "unless", "from", "until", "with", "because", "may", "user",
    "anyone", "read", "write", "sensitive", "has", "is", "in", "under", "matches", "containsAll", "startsWith", "endsWith", "!", "-", "+",
    "&&", "||", "==", "<", ">", "<=", "?", ".", ",", ";", ":", "(", ")", "[", "]", "{", "}", "=",
    "/// doc line\n", "/// a\n/// b\n", "when true", "until 2030-01-01T00:00:00Z", "from 2026-01-01T00:00:00Z",
    "with o(n: 1)", "because \"why\"", "Set<Role>?", "Map<String, List<Int>>", "[1, 2,]", "[]", "(a)", "!!x",
    "- -1", "a.b.c", "x has from", "user is admin", "\"get-sum\"", "policy p;", "module m;", "default allow;",
};

std::string mutate(const std::string& text, const std::vector<Corpus>& donors, std::mt19937& rng) {
  const auto ranges = token_ranges(text);
  if (ranges.empty()) return text;
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  const auto [start, end] = ranges[pick(ranges.size())];
  std::string out = text;
  switch (pick(6)) {
    case 0:  // delete a token
      out.erase(start, end - start);
      break;
    case 1:  // duplicate a token
      out.insert(end, " " + text.substr(start, end - start));
      break;
    case 2: {  // swap two tokens
      const auto [s2, e2] = ranges[pick(ranges.size())];
      if (s2 >= end) {
        out = text.substr(0, start) + text.substr(s2, e2 - s2) + text.substr(end, s2 - end) +
              text.substr(start, end - start) + text.substr(e2);
      } else if (e2 <= start) {
        out = text.substr(0, s2) + text.substr(start, end - start) + text.substr(e2, start - e2) +
              text.substr(s2, e2 - s2) + text.substr(end);
      }
      break;
    }
    case 3:  // replace a token with a fragment
      out.replace(start, end - start, kFragments[pick(kFragments.size())]);
      break;
    case 4:  // insert a fragment before a token
      out.insert(start, kFragments[pick(kFragments.size())] + " ");
      break;
    default: {  // splice a run of tokens from another file
      const Corpus& donor = donors[pick(donors.size())];
      if (!is_ascii(donor.text)) break;
      const auto donor_ranges = token_ranges(donor.text);
      if (donor_ranges.empty()) break;
      const std::size_t from = pick(donor_ranges.size());
      const std::size_t to = std::min(donor_ranges.size() - 1, from + pick(12));
      out.insert(start, " " + donor.text.substr(donor_ranges[from].first,
                                                donor_ranges[to].second - donor_ranges[from].first) + " ");
      break;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("fast path: same diagnostics and AST as ANTLR on every repository policy", "[fast_parse]") {
  const auto corpus = repository_policies();
  REQUIRE(corpus.size() > 100);
  std::size_t clean = 0, fast = 0;
  for (const Corpus& file : corpus) {
    const bool took_fast = require_same(file.text, file.path);
    const bool file_clean = !parse(file.text, false).errors;
    clean += file_clean;
    fast += took_fast;
    // Every file ANTLR parses without an error, the fast path takes.
    if (file_clean && !took_fast) FAIL("the fast path declined a clean file: " << file.path);
  }
  CHECK(clean > 50);
  CHECK(fast == clean);
}

TEST_CASE("fast path: same AST as ANTLR on generated policies, and takes all of them", "[fast_parse]") {
  for (int rules : {1, 37, 2000}) {
    for (const std::string& text : authz::bench::generate_policy(rules)) {
      REQUIRE(require_same(text, "generated policy of " + std::to_string(rules) + " rules"));
    }
  }
}

TEST_CASE("fast path: same results as ANTLR on thousands of random mutations", "[fast_parse]") {
  auto corpus = repository_policies();
  for (const std::string& text : authz::bench::generate_policy(12)) corpus.push_back({"generated", text});
  std::vector<Corpus> small;
  for (const Corpus& c : corpus) {
    if (is_ascii(c.text) && c.text.size() < 6000) small.push_back(c);
  }
  REQUIRE(small.size() > 50);
  std::mt19937 rng(20261126);
  std::size_t fast = 0, total = 0;
  for (int round = 0; round < 10000; ++round) {
    const Corpus& base = small[std::uniform_int_distribution<std::size_t>(0, small.size() - 1)(rng)];
    std::string text = base.text;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) text = mutate(text, small, rng);
    fast += require_same(text, "mutation of " + base.path);
    ++total;
  }
  // Some mutations stay valid (a duplicated `,` in a list, a swapped pair of
  // rules); they must have taken the fast path, and most must not have.
  CHECK(fast > total / 50);
  CHECK(fast < total / 2);
}

TEST_CASE("fast path: declines exactly where the ANTLR path reports", "[fast_parse]") {
  const std::string head = "policy p;\nobligation o(n: Int);\nrole admin;\ntool t(x: String) read;\n";
  struct Case {
    std::string body;
    bool fast;  // expected: the fast path builds the File
  };
  const std::vector<Case> cases = {
      {"/// d\nallow a: admin may t when args.x == \"v\";", true},
      {"/// d\nallow a: t when 1 + 2 - 3 < 4 && !(now > 2026-01-01T00:00:00Z) || [1, 2,] contains 1;", true},
      {"/// d\nallow a: admin, user \"u\", anyone may read, write, \"t\" with o(n: -1) until 2030-01-01T00:00:00Z;", true},
      {"/// d\ngrant g: user \"bob\" may t until 2030-01-01T00:00:00Z because \"on call\";", true},
      {"/// d\nallow a: t when true when false;", false},             // E0411
      {"/// d\nallow a: t until 2030-01-01T00:00:00Z until 2031-01-01T00:00:00Z;", false},
      {"/// d\ngrant g: user \"b\" may t because \"x\" because \"y\";", false},
      {"/// d\nallow a: t when args.x == \"\\q\";", false},           // E0008
      {"/// d\nallow a: t until 2026-02-30T00:00:00Z;", false},       // E0009
      {"/// d\nallow a: t when 1 < 99999999999999999999;", false},    // E0010
      {"/// d\nallow a: t when now < now + 999999999999999999d;", false},
      {"/// d\nallow a: t when 1 == 2 == 3;", false},                 // E0001
      {"/// d\nallow a: t when;", false},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    CHECK(require_same(head + c.body + "\n", "case") == c.fast);
  }
}

TEST_CASE("fast path: a chain deeper than the nesting limit declines with ANTLR's E0006", "[fast_parse]") {
  const std::string head = "policy p;\ntool t(x: Int) read;\n/// d\nallow a: t when ";
  for (int length : {150, 199, 200, 201, 260}) {
    std::string sum = "1";
    for (int i = 1; i < length; ++i) sum += " + 1";
    std::string members = "args";
    for (int i = 1; i < length; ++i) members += ".x";
    INFO("chain length " << length);
    CHECK(require_same(head + sum + " == 1;\n", "sum") == (length + 1 <= 200));
    CHECK(require_same(head + members + " == 1;\n", "members") == (length + 1 <= 200));
  }
}

TEST_CASE("fast path: a 100,000-link chain declines without building it", "[fast_parse]") {
  // Too long for any stack if built and freed recursively; the ANTLR path
  // reports E0006 without building it, and so must the pair of paths.
  const std::string head = "policy p;\ntool t(x: Int) read;\n/// d\nallow a: t when ";
  std::string sum = "1", members = "args";
  for (int i = 0; i < 100'000; ++i) sum += "+1", members += ".x";
  CHECK_FALSE(require_same(head + sum + " == 1;\n", "sum"));
  CHECK_FALSE(require_same(head + members + " == 1;\n", "members"));
}

namespace {

// A random expression in valid syntax, with random spacing, parentheses,
// prefix chains, member chains, lists, literals and every operator.
std::string random_expression(std::mt19937& rng, int depth) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto space = [&] { return std::string(pick(3) == 0 ? "  " : " "); };
  static const char* const kAtoms[] = {"true", "false", "0", "42", "9223372036854775807", "\"s\"", "\"\\u00e9\\n\"",
                                       "2026-01-01T00:00:00Z", "2026-06-30T12:30:00.5-02:00", "1h30m", "250ms",
                                       "now", "user", "args", "admin", "args.from", "user.read.x"};
  // Every infix operator of runtime/opcodes.def, then && and ||.
  static const char* const kBinary[] = {
#define AUTHZ_BINARY_OPCODE(Name, number, spelling, ...) spelling,
#include "runtime/opcodes.def"
      "&&", "||"};
  if (depth <= 0 || pick(4) == 0) return kAtoms[pick(static_cast<int>(std::size(kAtoms)))];
  switch (pick(7)) {
    case 0: return "(" + random_expression(rng, depth - 1) + ")";
    case 1: return std::string(pick(2) ? "!" : "- ") + random_expression(rng, depth - 1);
    case 2: return "(" + random_expression(rng, depth - 1) + ")." + (pick(2) ? "owner" : "when");
    case 3: {
      std::string list = "[";
      const int n = pick(4);
      for (int i = 0; i < n; ++i) list += (i ? "," + space() : "") + random_expression(rng, depth - 1);
      return list + (n > 0 && pick(2) ? ",]" : "]");
    }
    case 4: return "(" + random_expression(rng, depth - 1) + (pick(2) ? " has from)" : " is admin)");
    default:
      return "(" + random_expression(rng, depth - 1) + space() + kBinary[pick(static_cast<int>(std::size(kBinary)))] +
             space() + random_expression(rng, depth - 1) + ")";
  }
}

}  // namespace

TEST_CASE("fast path: same AST as ANTLR on random valid expressions", "[fast_parse]") {
  std::mt19937 rng(7);
  std::size_t fast = 0;
  const int rounds = 1500;
  for (int round = 0; round < rounds; ++round) {
    const std::string text = "policy p;\nobligation o(n: Int);\n/// d\nallow a: t when " +
                             random_expression(rng, 6) + " unless !" + random_expression(rng, 3) +
                             " with o(n: " + random_expression(rng, 4) + ");\n";
    const bool took_fast = require_same(text, "random expression");
    fast += took_fast;
    // A few are not valid (`- !x`: `-` takes no `!` operand); every valid
    // one must take the fast path.
    if (!took_fast && parse(text, false).diagnostics.empty()) FAIL("the fast path declined a clean file:\n" << text);
  }
  CHECK(fast > rounds * 8 / 10);
}
