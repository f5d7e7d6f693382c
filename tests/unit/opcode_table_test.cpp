// opcode_table_test.cpp — the operator and keyword tables (runtime/opcodes.def,
// compiler/keywords.def) against what they must agree with: the frozen
// on-disk opcode numbers and grammar/Authz.g4.
//
// The pin below is written out by hand on purpose: it is the golden record of
// what each opcode byte in a table file means. If a change to opcodes.def
// renumbers, reorders or reuses an opcode, tables written by earlier authzc
// would silently change meaning under the same format version, and this test
// fails. Adding an opcode means adding its line here too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/ast.h"
#include "compiler/fast_parse.h"
#include "runtime/table_model.h"

using authz::runtime::Opcode;

namespace {

struct Pinned {
  Opcode op;
  unsigned number;
  const char* spelling;
};

// FROZEN: never edit a line of this list; only append.
const Pinned kPinned[] = {
    {Opcode::Literal, 0, "literal"},      {Opcode::MakeList, 1, "list"},     {Opcode::Now, 2, "now"},
    {Opcode::User, 3, "user"},            {Opcode::Argument, 4, "argument"}, {Opcode::HasArgument, 5, "has-argument"},
    {Opcode::Member, 6, "member"},        {Opcode::Has, 7, "has"},           {Opcode::Is, 8, "is"},
    {Opcode::Not, 9, "!"},                {Opcode::And, 10, "&&"},           {Opcode::Or, 11, "||"},
    {Opcode::Eq, 12, "=="},               {Opcode::Ne, 13, "!="},            {Opcode::Lt, 14, "<"},
    {Opcode::Le, 15, "<="},               {Opcode::Gt, 16, ">"},             {Opcode::Ge, 17, ">="},
    {Opcode::In, 18, "in"},               {Opcode::Contains, 19, "contains"},
    {Opcode::ContainsAll, 20, "containsAll"}, {Opcode::ContainsAny, 21, "containsAny"},
    {Opcode::Under, 22, "under"},         {Opcode::Matches, 23, "matches"},  {Opcode::Add, 24, "+"},
    {Opcode::Sub, 25, "-"},               {Opcode::Negate, 26, "negate"},
    {Opcode::StartsWith, 27, "startsWith"}, {Opcode::EndsWith, 28, "endsWith"},
    {Opcode::All, 29, "all"},             {Opcode::Any, 30, "any"},          {Opcode::Bound, 31, "bound"},
};

struct DefLine {
  const char* name;
  unsigned number;
  const char* spelling;
  bool binary;
};

const DefLine kDefLines[] = {
#define AUTHZ_OPCODE(Name, number, spelling, operands, variadic, bool_result, precedence) {#Name, number, spelling, false},
#define AUTHZ_BINARY_OPCODE(Name, number, spelling, operands, variadic, bool_result, precedence) \
  {#Name, number, spelling, true},
#include "runtime/opcodes.def"
};

std::set<std::string> table_keywords() {
  return {
#define AUTHZ_KEYWORD(Name, spelling) spelling,
#include "compiler/keywords.def"
  };
}

// The parser rules of grammar/Authz.g4 (everything before the lexer rules),
// comments removed.
std::string grammar_parser_rules() {
  std::ifstream in(AUTHZ_SOURCE_DIR "/grammar/Authz.g4");
  REQUIRE(in.good());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t lexer = text.find("\nTIMESTAMP");
  REQUIRE(lexer != std::string::npos);
  text.resize(lexer);
  return std::regex_replace(text, std::regex("//[^\n]*"), "");
}

std::vector<std::string> literals_in(const std::string& text) {
  std::vector<std::string> out;
  std::regex literal("'([^'\\\\]*)'");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), literal); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

// The body of parser rule `name` (up to its terminating `;`).
std::string rule_body(const std::string& rules, const std::string& name) {
  std::smatch match;
  REQUIRE(std::regex_search(rules, match, std::regex("(^|\n)" + name + "\\s*:([^;]*;)")));
  return match[2].str();
}

bool is_word(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

}  // namespace

TEST_CASE("every opcode keeps its frozen on-disk number and spelling", "[opcodes]") {
  for (const Pinned& pin : kPinned) {
    INFO("opcode " << pin.spelling);
    CHECK(static_cast<unsigned>(pin.op) == pin.number);
    CHECK(std::string(authz::runtime::to_string(pin.op)) == pin.spelling);
    CHECK(authz::runtime::is_opcode_number(static_cast<std::uint8_t>(pin.number)));
  }
  // opcodes.def lists exactly the pinned opcodes, by number, in order.
  REQUIRE(std::size(kDefLines) == std::size(kPinned));
  for (std::size_t i = 0; i < std::size(kDefLines); ++i) {
    INFO("opcodes.def line for " << kDefLines[i].name);
    CHECK(kDefLines[i].number == kPinned[i].number);
    CHECK(std::string(kDefLines[i].spelling) == kPinned[i].spelling);
  }
  // No other byte is an opcode: a table naming one is rejected, not guessed at.
  std::set<unsigned> pinned;
  for (const Pinned& pin : kPinned) pinned.insert(pin.number);
  for (unsigned n = 0; n < 256; ++n) {
    INFO("byte " << n);
    CHECK(authz::runtime::is_opcode_number(static_cast<std::uint8_t>(n)) == (pinned.count(n) == 1));
  }
}

TEST_CASE("the grammar's keywords are exactly the keyword table", "[opcodes]") {
  const std::string rules = grammar_parser_rules();
  std::set<std::string> grammar_words;
  for (const std::string& literal : literals_in(rules)) {
    if (is_word(literal)) grammar_words.insert(literal);
  }
  CHECK(grammar_words == table_keywords());
  // Every keyword may be a field name (`args.from`): the fieldName rule lists them all.
  std::set<std::string> field_words;
  for (const std::string& literal : literals_in(rule_body(rules, "fieldName"))) field_words.insert(literal);
  CHECK(field_words == table_keywords());
  // The fast parser knows every literal token of the grammar.
  for (const std::string& literal : literals_in(rules)) {
    INFO("grammar literal `" << literal << "`");
    CHECK(authz::fast_token_for_literal(literal) != authz::FastTok::Other);
  }
}

TEST_CASE("the grammar's operators are exactly the opcode table's", "[opcodes]") {
  const std::string rules = grammar_parser_rules();
  std::set<std::string> grammar_infix;
  for (const std::string& literal : literals_in(rule_body(rules, "compareOp"))) grammar_infix.insert(literal);
  std::string additive = rule_body(rules, "additive");
  std::smatch add_op;
  REQUIRE(std::regex_search(additive, add_op, std::regex("addOp=\\(([^)]*)\\)")));
  for (const std::string& literal : literals_in(add_op[1].str())) grammar_infix.insert(literal);

  std::set<std::string> table_infix;
  for (const DefLine& line : kDefLines) {
    if (!line.binary) continue;
    table_infix.insert(line.spelling);
    auto op = authz::ast::binary_op_spelled(line.spelling);
    REQUIRE(op);
    CHECK(std::string(authz::ast::to_string(*op)) == line.spelling);
  }
  CHECK(grammar_infix == table_infix);
  CHECK_FALSE(authz::ast::binary_op_spelled("negate"));

  // The other operators the grammar spells are those of `!`, `&&`, `||`.
  CHECK(rule_body(rules, "expr").find("'" + std::string(to_string(Opcode::Or)) + "'") != std::string::npos);
  CHECK(rule_body(rules, "andExpr").find("'" + std::string(to_string(Opcode::And)) + "'") != std::string::npos);
  CHECK(rule_body(rules, "notExpr").find("'" + std::string(to_string(Opcode::Not)) + "'") != std::string::npos);
}
