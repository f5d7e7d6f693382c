// lexer_test.cpp — the hand-written lexer (compiler/lexer.h) produces exactly
// the tokens of the lexer ANTLR generates from grammar/Authz.g4: same types,
// boundaries, lines and columns, on every .authz file of the repository, on
// hand-picked edge cases of each rule, and on random and mutated input.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/parse.h"

namespace {

std::string describe(const std::vector<authz::LexedForTest>& tokens, std::size_t at) {
  std::ostringstream out;
  if (at < tokens.size()) {
    const auto& t = tokens[at];
    out << authz::token_type_name_for_test(t.type) << " [" << t.start << "," << t.end << ") at " << t.line << ":"
        << t.column;
  } else {
    out << "(no token)";
  }
  return out.str();
}

// Compares both lexers on `text`; on a difference, says where.
void require_same_tokens(const std::string& text) {
  const auto reference = authz::lex_for_test(text, true);
  const auto hand = authz::lex_for_test(text, false);
  std::size_t i = 0;
  while (i < reference.size() && i < hand.size() && reference[i] == hand[i]) ++i;
  if (i == reference.size() && i == hand.size()) return;
  INFO("input: " << text);
  INFO("token " << i << ": ANTLR " << describe(reference, i) << ", hand-written " << describe(hand, i));
  FAIL("the lexers disagree");
}

std::vector<std::string> repository_policies() {
  std::vector<std::string> texts;
  for (const char* dir : {"examples", "stdlib", "tests/golden", "tests/conformance"}) {
    const std::filesystem::path root = std::filesystem::path(AUTHZ_SOURCE_DIR) / dir;
    if (!std::filesystem::exists(root)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".authz") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      texts.push_back(content.str());
    }
  }
  return texts;
}

}  // namespace

TEST_CASE("the hand-written lexer agrees with ANTLR's on every rule's edges", "[lexer]") {
  const char* cases[] = {
      "", " ", "\n", "\r\n", "policy p;", "policyx policy_ _x x1",
      // literals: longest punctuation first, lone `|` / `&` are bad characters
      "a==b != <= >= < > = ! || && | & ||| &&& === !==", ";.{},:()?+-[]",
      // numbers, durations, timestamps
      "42 007 1d 1h30m 10ms 1mss 1m1s 1h30 1dx 12abc 1.5",
      "2026-12-01T00:00:00Z 2026-12-01T00:00:00.123Z 2026-12-01T00:00:00+05:30 2026-12-01T00:00:00-00:00",
      "2026-12-01T00:00:00 2026-12-01T00:00:00. 2026-12-01T00:00:00.Z 2026-12-01 2026-12-01T0 2026-12-01T00:00:00+05",
      "2026-12-01T00:00:00ZZ 2026-12-01T00:00:00.5+01:00x",
      // strings
      "\"\" \"a\" \"a\\\"b\" \"\\\\\" \"\\q\" \"\\u0041\"", "\"open", "\"open\nnext", "\"open\\", "\"open\\\nx",
      "\"a\\\r\n", "\"tab\there\"",
      // comments
      "// plain\nx", "/// doc\nx", "///\nx", "///", "////banner\nx", "//// \nx", "///x///y\n", "/**/x", "/* a */b",
      "/* never closed", "/*/", "/* * / */x", "/**", "/*", "a/b", "/", "a // b\n/// c\r\n/// d\rx",
      // whitespace and bad characters
      "\t\r\n  x", "\f", "\v", "a\u00a0b", "\xe2\x80\x9cquoted\xe2\x80\x9d", "'x'", "#", "@", "$", "\\", "`",
      "\xc3\xa9t\xc3\xa9", "x\n\ny\r\rz",
  };
  for (const char* text : cases) require_same_tokens(text);
}

TEST_CASE("the hand-written lexer agrees with ANTLR's on every policy in the repository", "[lexer]") {
  const auto texts = repository_policies();
  REQUIRE(texts.size() > 50);
  for (const std::string& text : texts) require_same_tokens(text);
}

TEST_CASE("the hand-written lexer agrees with ANTLR's on random and mutated input", "[lexer]") {
  std::mt19937_64 random(20261126);
  // Characters every rule cares about, plus multi-byte code points.
  const std::vector<std::string> alphabet = {
      "a", "z", "T", "Z", "d", "h", "m", "s", "_", "0", "1", "9", "-", "+", ":", ".", "/", "*", "\"", "\\",
      "\n", "\r", " ", "\t", "|", "&", "=", "!", "<", ">", "(", ")", "{", "}", ";", ",", "?", "[", "]", "#",
      "\xc3\xa9", "\xe2\x80\x9c", "\xf0\x9f\x94\x91", "ms", "///", "/*", "*/", "2026-12-01T00:00:00", "policy",
  };
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> length(0, 40);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (int i = length(random); i > 0; --i) text += alphabet[pick(random)];
    require_same_tokens(text);
  }

  // Mutations of real policies: splice a random fragment of one into another.
  const auto texts = repository_policies();
  REQUIRE(!texts.empty());
  std::uniform_int_distribution<std::size_t> pick_text(0, texts.size() - 1);
  for (int round = 0; round < 300; ++round) {
    std::string text = texts[pick_text(random)];
    const std::string& donor = texts[pick_text(random)];
    if (text.empty() || donor.empty()) continue;
    const std::size_t at = std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(random);
    const std::size_t from = std::uniform_int_distribution<std::size_t>(0, donor.size() - 1)(random);
    const std::size_t count = std::uniform_int_distribution<std::size_t>(0, 40)(random);
    text.insert(at, donor.substr(from, count));
    require_same_tokens(text);  // may be invalid UTF-8 if a cut falls mid-character: both then give nothing
  }
}
