// policy_tests_file_test.cpp — the `*.authz.test` parser: what each statement
// becomes, and the exact code and span of each mistake.
#include <catch2/catch.hpp>

#include "compiler/policy_tests/test_file.h"
#include "compiler/policy_tests/test_runner.h"

namespace {

using namespace authz;
using namespace authz::policy_tests;

struct Parsed {
  SourceManager sources;
  DiagnosticSink sink;
  TestFile file;
  std::vector<Diagnostic> diagnostics;
};

std::unique_ptr<Parsed> parse(std::string text) {
  auto parsed = std::make_unique<Parsed>();
  FileId id = parsed->sources.add("t.authz.test", std::move(text));
  parsed->file = parse_test_file(parsed->sources, id, parsed->sink);
  parsed->diagnostics = parsed->sink.take_sorted();
  return parsed;
}

std::string at(const Parsed& parsed, const Diagnostic& d) {
  LineColumn start = parsed.sources.line_column(d.span.file, d.span.begin);
  return std::string(code_string(d.code)) + "@" + std::to_string(start.line) + ":" + std::to_string(start.column) + " `" +
         std::string(parsed.sources.slice(d.span)) + "`";
}

}  // namespace

TEST_CASE("a complete test file parses into users, entities and tests", "[policy_tests]") {
  auto parsed = parse(
      "// header\n"
      "policy \"a.authz\" \"b.authz\"\n"
      "now 2026-12-01T00:00:00Z\n"
      "entities \"entities.json\"\n"
      "entity Account \"acc-1\" {\"owner\": \"u-bob\",\n"
      "   \"team\": \"east\"}\n"
      "user u-bob roles rep, manager {\"manages\": [\"east\"]}\n"
      "\n"
      "test \"rep opens own account\"   // trailing comment\n"
      "  as u-bob\n"
      "  at 2026-12-30T00:00:00Z\n"
      "  call get_account {\"account\": \"acc-1\"}\n"
      "  expect deny forbidden by no_cross_user_accounts, q4_close_freeze\n"
      "test \"reads\"\n"
      "  as u-bob\n"
      "  read \"crm://accounts/acc-1\"\n"
      "  expect allow\n");
  REQUIRE(parsed->diagnostics.empty());
  const TestFile& file = parsed->file;
  REQUIRE(file.policy_paths.size() == 2);
  CHECK(file.policy_paths[1].value == "b.authz");
  REQUIRE(file.now_ms);
  CHECK(file.now_ms->value == 1796083200000);
  REQUIRE(file.entity_files.size() == 1);
  REQUIRE(file.entities.size() == 1);
  CHECK(file.entities[0].type == "Account");
  CHECK(file.entities[0].attributes_json == R"({"owner":"u-bob","team":"east"})");
  REQUIRE(file.users.size() == 1);
  CHECK(file.users[0].id.value == "u-bob");
  REQUIRE(file.users[0].roles.size() == 2);
  CHECK(file.users[0].roles[1].value == "manager");
  CHECK(file.users[0].attributes_json == R"({"manages":["east"]})");

  REQUIRE(file.tests.size() == 2);
  const TestCase& first = file.tests[0];
  CHECK(first.name.value == "rep opens own account");
  CHECK(first.user->value == "u-bob");
  CHECK(first.at_ms->value == 1798588800000);
  CHECK(first.method == runtime::MethodKind::ToolCall);
  CHECK(first.target->value == "get_account");
  CHECK(first.arguments_json == R"({"account":"acc-1"})");
  REQUIRE(first.expect);
  CHECK(first.expect->effect == runtime::Effect::Deny);
  CHECK(first.expect->reason->value == runtime::Reason::Forbidden);
  CHECK(first.expect->rules_given);
  REQUIRE(first.expect->rules.size() == 2);
  CHECK(first.expect->rules[1].value == "q4_close_freeze");
  CHECK(describe_expectation(*first.expect) == "deny forbidden by no_cross_user_accounts, q4_close_freeze");

  const TestCase& second = file.tests[1];
  CHECK(second.method == runtime::MethodKind::ResourceRead);
  CHECK(second.target->value == "crm://accounts/acc-1");
  CHECK_FALSE(second.expect->reason);
  CHECK_FALSE(second.expect->rules_given);
  CHECK(describe_expectation(*second.expect) == "allow");
}

TEST_CASE("each syntax mistake is one diagnostic at the offending token", "[policy_tests]") {
  auto parsed = parse(
      "as u-bob\n"                                   // 1: outside a test
      "test \"t\"\n"                                 // 2
      "  expect maybe\n"                             // 3
      "  call get_account {\"account\": acc-1}\n"    // 4
      "  at 2026-02-30T00:00:00Z\n"                  // 5
      "  expect allow forbidden\n"                   // 6
      "  expect deny nope\n"                         // 7
      "  frob\n"                                     // 8
      "now 2026-12-01T00:00:00Z extra\n"             // 9
      "test \"open\n");                              // 10
  std::vector<std::string> found;
  for (const Diagnostic& d : parsed->diagnostics) found.push_back(at(*parsed, d));
  CHECK(found == std::vector<std::string>{
                     "E0501@1:1 `as`",
                     "E0501@3:10 `maybe`",
                     "E0502@4:20 `{\"account\": acc-1}`",
                     "E0009@5:6 `2026-02-30T00:00:00Z`",
                     "E0501@6:16 `forbidden`",
                     "E0501@7:15 `nope`",
                     "E0501@8:3 `frob`",
                     "E0501@9:26 `extra`",
                     "E0501@10:6 `\"open`",
                 });
  REQUIRE(parsed->file.tests.size() == 1);
  CHECK(parsed->file.tests[0].has_syntax_errors);
  CHECK(parsed->file.has_syntax_errors);
}

TEST_CASE("a clause given twice and an unclosed JSON value", "[policy_tests]") {
  auto parsed = parse(
      "test \"t\"\n"
      "  as u-a\n"
      "  as u-b\n"
      "  call t {\"a\": [1,\n"
      "    2}\n");
  std::vector<std::string> found;
  for (const Diagnostic& d : parsed->diagnostics) found.push_back(at(*parsed, d));
  CHECK(found == std::vector<std::string>{"E0510@3:3 `as`", "E0502@4:10 `{`"});
  CHECK(parsed->diagnostics[0].help == "keep one of them");
}

TEST_CASE("hostile bytes never crash the parser", "[policy_tests]") {
  std::string text = "test \"\xff\xfe\" \x01\nas\n call {{{{[[[\"\n expect \0 deny\n";
  text.push_back('\0');
  text += "{\"unclosed\": \"";
  auto parsed = parse(text);
  CHECK_FALSE(parsed->diagnostics.empty());
  CHECK(reason_from_string("expired") == runtime::Reason::Expired);
  CHECK_FALSE(reason_from_string("Expired"));
}

TEST_CASE("`with` lists expected obligations; `with nothing` expects none", "[policy_tests]") {
  auto parsed = parse(
      "test \"a\"\n expect allow by r with rows_owned_by_caller, max_results\n"
      "test \"b\"\n expect allow with nothing\n"
      "test \"c\"\n expect allow with\n");
  REQUIRE(parsed->file.tests.size() == 3);
  const Expectation& a = *parsed->file.tests[0].expect;
  CHECK(a.obligations_given);
  REQUIRE(a.obligations.size() == 2);
  CHECK(a.obligations[1].value == "max_results");
  CHECK(describe_expectation(a) == "allow by r with rows_owned_by_caller, max_results");
  const Expectation& b = *parsed->file.tests[1].expect;
  CHECK(b.obligations_given);
  CHECK(b.obligations.empty());
  CHECK(describe_expectation(b) == "allow with nothing");
  REQUIRE(parsed->diagnostics.size() == 1);
  CHECK(at(*parsed, parsed->diagnostics[0]) == "E0501@6:19 ``");
  CHECK(parsed->diagnostics[0].message == "expected an obligation name after `with`");
}
