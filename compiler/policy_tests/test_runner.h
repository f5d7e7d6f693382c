// test_runner.h — runs parsed policy tests through the real Engine and
// measures rule coverage.
//
// Contract:
//   - prepare_suite checks a TestFile against the compiled policy (Model):
//     users exist (declared in the file or in an entities file's "users"),
//     their roles are declared, targets exist, expected rules and grants
//     exist, every test has a user, a call, a time and an expectation. Each
//     problem is a diagnostic (E05xx) in the test file; a file with errors
//     runs no tests. Entity files are read relative to the test file.
//   - run_suite evaluates every test with tracing on and compares effect,
//     reason (when given) and the set of determining rules (when `by` is
//     given). Never throws; a failing evaluation is a deny like at run time.
//   - Coverage counts a rule or grant as covered only when it appears in a
//     decision's determining_rules, in any test run against that policy.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/policy_tests/test_file.h"
#include "compiler/source.h"
#include "runtime/engine.h"
#include "runtime/entity_store.h"

namespace authz::policy_tests {

// A test file that passed prepare_suite: ready to run.
struct PreparedFile {
  const TestFile* file = nullptr;
  std::vector<runtime::Request> requests;  // one per test, same order as file->tests
  std::shared_ptr<const runtime::EntityResolver> entities;  // null when the file names none
};

// Opens the entity sources of a TOML file (`entity_sources "FILE"`) for
// `engine`'s policy, answering other types from `fallback`; null with
// `error` set when they do not open. authzc passes one built on
// authz::entity_sources; the compiler library itself links no database.
using EntitySourceOpener = std::function<std::shared_ptr<const runtime::EntityResolver>(
    const std::string& path, const runtime::Engine& engine, std::shared_ptr<const runtime::EntityResolver> fallback,
    std::string& error)>;

struct CaseResult {
  std::string file;        // test file path as given
  std::string name;        // the test's name
  Span span;               // the `test` line
  std::uint32_t line = 0;  // of the `test` line
  bool passed = false;
  std::string call;        // `u-bob calls get_account {"account":"acc-1"} at 2026-12-01T00:00:00Z`
  std::string expected;    // `deny forbidden by no_cross_user_accounts`
  std::string actual;      // same shape, plus the decision's message when it has one
  runtime::Effect actual_effect = runtime::Effect::Deny;
  std::string actual_reason;
  std::vector<std::string> actual_rules;  // sorted
  std::string trace_text;  // operator trace (runtime::render_text)
  std::string trace_json;  // runtime::render_json, operator audience
  double seconds = 0;
};

struct CoverageItem {
  std::string id;
  bool is_grant = false;
  runtime::Effect effect = runtime::Effect::Allow;
  runtime::SourceLocation location;
  std::size_t decisions = 0;  // how many decisions it determined
};

struct Coverage {
  std::string policy_name;
  std::vector<CoverageItem> items;  // rules in declaration order, then grants
  std::size_t covered() const;
  double percent() const;  // 100 when there is nothing to cover
};

Coverage empty_coverage(const runtime::Model& model);

// Returns nullopt when the file has errors (reported into `sink`).
std::optional<PreparedFile> prepare_suite(const TestFile& file, const runtime::Engine& engine,
                                          const SourceManager& sources, DiagnosticSink& sink,
                                          const EntitySourceOpener& open_entity_sources = {});

void run_suite(const PreparedFile& prepared, const runtime::Engine& engine, const SourceManager& sources,
               std::vector<CaseResult>& results, Coverage& coverage);

// `allow`, `deny forbidden by a, b`.
std::string describe_expectation(const Expectation& expectation);
// `text` with `prefix` before each line and every line, the last included,
// ending in `\n` (traces are stored that way and indented again in reports).
std::string indent_lines(std::string_view text, std::string_view prefix);

}  // namespace authz::policy_tests
