// policy_tests_runner_test.cpp — tests checked against a real policy, run
// through the Engine, coverage counted only from determining rules; the
// JUnit, JSON and SARIF renderings.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "compiler/diagnostic_sarif.h"
#include "compiler/driver.h"
#include "compiler/json_string.h"
#include "compiler/lower.h"
#include "compiler/policy_tests/test_file.h"
#include "compiler/policy_tests/test_report.h"
#include "compiler/policy_tests/test_runner.h"

namespace {

using namespace authz;
using namespace authz::policy_tests;

constexpr const char* kPolicy = R"(policy notes;
/// A note.
entity Note {
  /// Author.
  author: String,
}
/// Reads a note.
tool read_note(note: Note) read;
/// Deletes a note.
tool delete_note(note: Note) write;
/// Writers.
role writer;
/// Moderators.
role moderator;
/// Own notes.
allow writers_read_own: writer may read_note
  when args.note.author == user.id;
/// Moderators delete.
allow moderators_delete: moderator may delete_note;
/// Freeze.
deny freeze: delete_note from 2026-12-01T00:00:00Z until 2026-12-02T00:00:00Z;
)";

struct Fixture {
  SourceManager sources;
  DiagnosticSink sink;
  std::optional<runtime::Engine> engine;
  TestFile file;
  std::vector<Diagnostic> diagnostics;

  explicit Fixture(std::string tests) {
    auto dir = std::filesystem::temp_directory_path() / "authz_policy_tests_unit";
    std::filesystem::create_directories(dir);
    {
      std::ofstream out(dir / "notes.authz");
      out << kPolicy;
    }
    CheckOutcome outcome = check_paths({(dir / "notes.authz").string()}, LoadOptions{}, sources);
    REQUIRE(outcome.ok());
    LowerResult lowered = lower(*outcome.policy, sources);
    REQUIRE(lowered.ok());
    auto loaded = runtime::Engine::from_model(std::move(lowered.model));
    REQUIRE(loaded.ok());
    engine.emplace(std::move(loaded.value()));
    FileId id = sources.add((dir / "notes.authz.test").string(), std::move(tests));
    file = parse_test_file(sources, id, sink);
  }
};

constexpr const char* kHeader =
    "now 2026-11-26T12:00:00Z\n"
    "user u-w roles writer\n"
    "user u-m roles moderator\n"
    "entity Note \"n-1\" {\"author\": \"u-w\"}\n";

}  // namespace

TEST_CASE("tests run through the engine; coverage counts determining rules only", "[policy_tests]") {
  Fixture fixture(std::string(kHeader) +
                  "test \"own note\"\n as u-w\n call read_note {\"note\": \"n-1\"}\n expect allow by writers_read_own\n"
                  "test \"freeze\"\n as u-m\n at 2026-12-01T00:00:00Z\n call delete_note {\"note\": \"n-1\"}\n"
                  " expect deny forbidden by freeze\n"
                  "test \"wrong\"\n as u-m\n call read_note {\"note\": \"n-1\"}\n expect allow\n");
  REQUIRE(fixture.sink.diagnostics().empty());
  auto prepared = prepare_suite(fixture.file, *fixture.engine, fixture.sources, fixture.sink);
  REQUIRE(prepared);
  SuiteReport report;
  Coverage coverage = empty_coverage(fixture.engine->model());
  run_suite(*prepared, *fixture.engine, fixture.sources, report.results, coverage);
  REQUIRE(report.results.size() == 3);
  CHECK(report.results[0].passed);
  CHECK(report.results[1].passed);
  CHECK_FALSE(report.results[2].passed);
  CHECK(report.results[2].expected == "allow");
  CHECK(report.results[2].actual == "deny not_permitted");
  CHECK(report.results[2].call == "u-m calls read_note {\"note\":\"n-1\"} at 2026-11-26T12:00:00Z");
  CHECK(report.results[2].trace_text.find("DENY  read_note  user=u-m") == 0);
  CHECK(report.results[2].line == 14);

  // moderators_delete was evaluated (not evaluated after the deny) but never decided.
  REQUIRE(coverage.items.size() == 3);
  CHECK(coverage.items[0].id == "writers_read_own");
  CHECK(coverage.items[0].decisions == 1);
  CHECK(coverage.items[1].id == "moderators_delete");
  CHECK(coverage.items[1].decisions == 0);
  CHECK(coverage.items[2].decisions == 1);
  CHECK(coverage.covered() == 2);
  CHECK(format_percent(coverage.percent()) == "66.6");

  report.coverages.push_back(coverage);
  report.min_coverage = 66.6;
  CHECK(report.coverage_ok());
  report.min_coverage = 67;
  CHECK_FALSE(report.coverage_ok());
  std::string text = render_text_report(report);
  CHECK(text.find("    allow rule `moderators_delete` (") != std::string::npos);
  CHECK(text.find("error: coverage 66.6% of policy `notes` is below --min-coverage 67.0%\n") != std::string::npos);
  CHECK(text.substr(text.size() - 19) == "2 passed, 1 failed\n");

  std::string junit = render_junit_report(report);
  CHECK(junit.find("<testsuites name=\"authzc test\" tests=\"4\" failures=\"2\"") != std::string::npos);
  CHECK(junit.find("<failure type=\"decision mismatch\" message=\"expected allow, got deny not_permitted\">") !=
        std::string::npos);

  SarifLog log(fixture.sources);
  add_sarif_results(log, report, fixture.sources);
  std::string sarif = log.render();
  CHECK(sarif.find("\"ruleId\": \"authz-test/failure\", \"ruleIndex\": 0, \"level\": \"error\"") != std::string::npos);
  CHECK(sarif.find("\"ruleId\": \"authz-test/uncovered\", \"ruleIndex\": 1, \"level\": \"warning\"") != std::string::npos);
}

TEST_CASE("unknown users, tools, rules and roles are diagnostics with suggestions", "[policy_tests]") {
  Fixture fixture(std::string(kHeader) +
                  "user u-x roles writr\n"
                  "test \"a\"\n as u-ww\n call read_notes {}\n expect allow by writer_read_own\n"
                  "test \"b\"\n");
  auto prepared = prepare_suite(fixture.file, *fixture.engine, fixture.sources, fixture.sink);
  CHECK_FALSE(prepared);
  std::vector<Diagnostic> diagnostics = fixture.sink.take_sorted();
  std::vector<std::string> found;
  for (const Diagnostic& d : diagnostics) {
    found.push_back(std::string(code_string(d.code)) + " " + d.message + " | " + d.help);
  }
  CHECK(found == std::vector<std::string>{
                     "E0506 user `u-x` holds role `writr`, which the policy does not declare | did you mean `writer`?",
                     "E0503 unknown user `u-ww` | did you mean `u-w`?",
                     "E0504 unknown tool `read_notes` | did you mean `read_note`?",
                     "E0505 unknown rule or grant `writer_read_own` | did you mean `writers_read_own`?",
                     "E0507 test `b` has no user, call or expectation | add `as USER_ID` to say who makes the call; add "
                     "`call TOOL {arguments}`, `read URI` or `prompt NAME {arguments}`; add `expect allow` or `expect "
                     "deny REASON by RULE`",
                 });
}

TEST_CASE("JSON strings stay valid UTF-8 whatever the input", "[policy_tests]") {
  CHECK(json_string("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
  CHECK(json_string("\xff\xc3\xa9") == "\"\\ufffd\xc3\xa9\"");
  CHECK(json_string("\xed\xa0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");  // a surrogate is not UTF-8
}
