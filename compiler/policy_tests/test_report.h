// test_report.h — the results of `authzc test` as text, JSON, JUnit XML and
// SARIF.
//
// Contract: every rendering is deterministic for the same results (JUnit
// adds run times, which is why the golden tests compare the text form).
//   - text: one `ok`/`FAIL` line per test grouped by file, then each failure
//     with the call, expected vs actual and the operator trace, then coverage
//     per policy (rules and grants that never determined an outcome, with
//     their location), and last `N passed, M failed`.
//   - JSON: one object {"tests": [...], "passed", "failed", "coverage": [...],
//     "min_coverage", "coverage_ok", "check": <diagnostics as render_json>}.
//   - JUnit: <testsuites> with one <testsuite> per test file (classname = the
//     file) and, with --min-coverage, a `rule coverage` suite whose one case
//     fails below the minimum; well-formed XML 1.0 whatever the input.
//   - SARIF: failures (rule `authz-test/failure`, at the test) and rules that
//     never decided (`authz-test/uncovered`, at the rule; level warning below
//     the minimum, else note), added to a SarifLog next to the diagnostics.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/diagnostic_sarif.h"
#include "compiler/policy_tests/test_runner.h"
#include "compiler/source.h"

namespace authz::policy_tests {

struct SuiteReport {
  std::vector<CaseResult> results;
  std::vector<Coverage> coverages;   // one per policy the tests ran against
  std::optional<double> min_coverage;  // percent, from --min-coverage

  std::size_t passed() const;
  std::size_t failed() const;
  // Every policy's coverage reaches min_coverage (true when none is set).
  bool coverage_ok() const;
};

std::string render_text_report(const SuiteReport& report);
std::string render_json_report(const SuiteReport& report, const std::string& diagnostics_json);
std::string render_junit_report(const SuiteReport& report);
void add_sarif_results(SarifLog& log, const SuiteReport& report, const SourceManager& sources);

// "85.7" (one decimal, rounded down so 99.96% never prints as 100.0%).
std::string format_percent(double percent);

}  // namespace authz::policy_tests
