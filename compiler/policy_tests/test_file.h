// test_file.h — one `*.authz.test` file: users, entities, and test cases with
// their expected decisions, as parsed (not yet checked against a policy).
//
// Contract: parse_test_file never throws and never stops at the first
// mistake: every problem is a diagnostic (codes E05xx, E0009 for timestamps)
// with a span in the test file, and the statement is skipped. The format is
// line-oriented (docs/testing.md is its reference):
//
//   // comment
//   policy "sales.authz" "tools.authz"     (optional; default: the file's directory)
//   now 2026-12-01T00:00:00Z               (default time for every test)
//   entities "entities.json"               ({"users": ..., "entities": ...} or {"Type": ...})
//   entity_sources "fixture.toml"          (entities from the [entities.TYPE] sources it names:
//                                           e.g. an SQLite fixture; docs/entity-sources.md)
//   entity Account "acc-1" {"owner": "u-bob", "team": "east", "region": "europe"}
//   user u-zed roles rep, manager {"manages": ["east"]}
//
//   test "rep opens own account"
//     as u-bob
//     at 2026-12-30T00:00:00Z              (optional; overrides `now`)
//     call get_account {"account": "acc-1"}   | read "crm://accounts/acc-1" | prompt NAME {...}
//     expect allow by owners_read_own      | expect deny forbidden by no_cross_user_accounts
//     expect allow by owners_list_own with rows_owned_by_caller, max_results   (`with nothing`: none)
//
// A JSON value may continue over several lines until its brackets balance.
// Relative paths are resolved against the test file's directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/source.h"
#include "runtime/decision.h"
#include "runtime/engine.h"

namespace authz::policy_tests {

template <typename T>
struct Spanned {
  T value{};
  Span span;
};

struct TestUser {
  Spanned<std::string> id;
  std::vector<Spanned<std::string>> roles;
  std::string attributes_json;  // minified JSON object; empty = none
  Span span;                    // the whole `user` line
};

struct InlineEntity {
  std::string type;
  std::string id;
  std::string attributes_json;  // minified JSON object
  Span span;
};

struct Expectation {
  runtime::Effect effect = runtime::Effect::Deny;
  std::optional<Spanned<runtime::Reason>> reason;
  bool rules_given = false;                       // `by ...` present
  std::vector<Spanned<std::string>> rules;        // compared as a set
  bool obligations_given = false;                 // `with ...` present
  std::vector<Spanned<std::string>> obligations;  // names, compared as a set
  Span span;
};

struct TestCase {
  Spanned<std::string> name;
  std::optional<Spanned<std::string>> user;
  std::optional<Spanned<std::int64_t>> at_ms;
  runtime::MethodKind method = runtime::MethodKind::ToolCall;
  std::optional<Spanned<std::string>> target;  // tool / prompt name or resource URI
  std::string arguments_json;                  // minified; empty = {}
  std::optional<Expectation> expect;
  Span span;  // the `test` line
  // A clause of this test did not parse (already reported): the test is
  // neither checked for missing parts nor run.
  bool has_syntax_errors = false;
};

struct TestFile {
  FileId file = kNoFile;
  std::string path;                               // as given
  std::vector<Spanned<std::string>> policy_paths; // as written (relative to the file's directory)
  std::optional<Spanned<std::int64_t>> now_ms;
  std::vector<Spanned<std::string>> entity_files; // as written
  std::optional<Spanned<std::string>> entity_sources;  // as written
  std::vector<InlineEntity> entities;
  std::vector<TestUser> users;
  std::vector<TestCase> tests;
  bool has_syntax_errors = false;  // anywhere in the file: its tests do not run
};

// Parses the text already registered as `file` in `sources`.
TestFile parse_test_file(const SourceManager& sources, FileId file, DiagnosticSink& sink);

// "allowed" -> Reason::Allowed, ...; nullopt for anything else.
std::optional<runtime::Reason> reason_from_string(std::string_view text);

}  // namespace authz::policy_tests
