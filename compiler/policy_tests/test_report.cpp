// test_report.cpp — text, JSON, JUnit and SARIF renderings of test results
// (contract in test_report.h).
#include "compiler/policy_tests/test_report.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "compiler/json_string.h"

namespace authz::policy_tests {
namespace {

std::string rule_kind(const CoverageItem& item) {
  if (item.is_grant) return "grant";
  return item.effect == runtime::Effect::Allow ? "allow rule" : "deny rule";
}

std::string location_text(const runtime::SourceLocation& location) {
  if (location.line == 0) return location.file;
  return fmt::format("{}:{}:{}", location.file, location.line, location.column);
}

// XML 1.0 text: markup characters escaped, characters XML forbids (most
// control bytes) and invalid UTF-8 replaced by U+FFFD.
std::string xml_escape(std::string_view text) {
  // JSON escaping already validates UTF-8 (invalid bytes become \ufffd); decode
  // its escapes back into XML-safe text.
  std::string json = json_string(text);
  std::string out;
  for (std::size_t i = 1; i + 1 < json.size(); ++i) {
    char c = json[i];
    if (c == '\\') {
      char e = json[++i];
      switch (e) {
        case 'n': out += "&#10;"; break;
        case 'r': out += "&#13;"; break;
        case 't': out += "&#9;"; break;
        case '"': out += "&quot;"; break;
        case '\\': out += '\\'; break;
        case 'u': out += "\xEF\xBF\xBD"; i += 4; break;  // control bytes and invalid UTF-8
        default: out += e;
      }
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string seconds_text(double seconds) { return fmt::format("{:.6f}", seconds); }

// The span of `id` at line:column of a loaded policy file; invalid if the file is not loaded.
Span span_of(const SourceManager& sources, const runtime::SourceLocation& location, std::size_t length) {
  for (FileId file = 0; file < sources.file_count(); ++file) {
    if (sources.path(file) != location.file || location.line == 0) continue;
    std::string_view text = sources.text(file);
    std::size_t offset = 0;
    for (std::uint32_t line = 1; line < location.line && offset < text.size(); ++line) {
      std::size_t newline = text.find('\n', offset);
      if (newline == std::string_view::npos) return Span{};
      offset = newline + 1;
    }
    // Columns count code points: skip UTF-8 continuation bytes.
    for (std::uint32_t column = 1; column < location.column && offset < text.size();) {
      ++offset;
      if (offset >= text.size() || (static_cast<unsigned char>(text[offset]) & 0xC0) != 0x80) ++column;
    }
    std::size_t end = std::min(text.size(), offset + length);
    return Span{file, static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(end)};
  }
  return Span{};
}

}  // namespace

std::string format_percent(double percent) { return fmt::format("{:.1f}", std::floor(percent * 10.0) / 10.0); }

std::size_t SuiteReport::passed() const {
  std::size_t n = 0;
  for (const CaseResult& result : results) n += result.passed ? 1 : 0;
  return n;
}

std::size_t SuiteReport::failed() const { return results.size() - passed(); }

bool SuiteReport::coverage_ok() const {
  if (!min_coverage) return true;
  for (const Coverage& coverage : coverages) {
    if (coverage.percent() + 1e-9 < *min_coverage) return false;
  }
  return true;
}

std::string render_text_report(const SuiteReport& report) {
  std::string out;
  std::string current_file;
  for (const CaseResult& result : report.results) {
    if (result.file != current_file) {
      current_file = result.file;
      out += "test " + current_file + "\n";
    }
    out += fmt::format("  {}  {}\n", result.passed ? "ok  " : "FAIL", result.name);
  }
  if (report.failed() > 0) {
    out += "\nfailures:\n";
    for (const CaseResult& result : report.results) {
      if (result.passed) continue;
      out += fmt::format("\nFAIL {} ({}:{})\n", result.name, result.file, result.line);
      out += "  call:     " + result.call + "\n";
      out += "  expected: " + result.expected + "\n";
      out += "  actual:   " + result.actual + "\n";
      out += "  trace:\n" + indent_lines(result.trace_text, "    ");
    }
  }
  for (const Coverage& coverage : report.coverages) {
    out += fmt::format("\ncoverage of policy `{}`: {} of {} rules and grants determined an outcome ({}%)\n",
                       coverage.policy_name, coverage.covered(), coverage.items.size(),
                       format_percent(coverage.percent()));
    if (coverage.covered() < coverage.items.size()) {
      out += "  never determined an outcome:\n";
      for (const CoverageItem& item : coverage.items) {
        if (item.decisions == 0) {
          out += fmt::format("    {} `{}` ({})\n", rule_kind(item), item.id, location_text(item.location));
        }
      }
    }
    if (report.min_coverage && coverage.percent() + 1e-9 < *report.min_coverage) {
      out += fmt::format("error: coverage {}% of policy `{}` is below --min-coverage {}%\n",
                         format_percent(coverage.percent()), coverage.policy_name, format_percent(*report.min_coverage));
    }
  }
  out += fmt::format("\n{} passed, {} failed\n", report.passed(), report.failed());
  return out;
}

std::string render_json_report(const SuiteReport& report, const std::string& diagnostics_json) {
  std::string out = "{\"tests\": [";
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const CaseResult& result = report.results[i];
    out += i == 0 ? "\n  " : ",\n  ";
    out += "{\"file\": " + json_string(result.file) + fmt::format(", \"line\": {}", result.line);
    out += ", \"name\": " + json_string(result.name);
    out += fmt::format(", \"passed\": {}", result.passed ? "true" : "false");
    out += ", \"call\": " + json_string(result.call);
    out += ", \"expected\": " + json_string(result.expected);
    out += ", \"actual\": " + json_string(result.actual);
    out += ", \"decision\": ";
    std::string decision = result.trace_json;
    while (!decision.empty() && (decision.back() == '\n' || decision.back() == ' ')) decision.pop_back();
    out += decision.empty() ? "null" : decision;
    out += '}';
  }
  out += report.results.empty() ? "]" : "\n]";
  out += fmt::format(",\n\"passed\": {}, \"failed\": {}", report.passed(), report.failed());
  out += ",\n\"coverage\": [";
  for (std::size_t c = 0; c < report.coverages.size(); ++c) {
    const Coverage& coverage = report.coverages[c];
    out += c == 0 ? "\n  " : ",\n  ";
    out += "{\"policy\": " + json_string(coverage.policy_name);
    out += fmt::format(", \"covered\": {}, \"total\": {}, \"percent\": {}", coverage.covered(), coverage.items.size(),
                       format_percent(coverage.percent()));
    out += ", \"rules\": [";
    for (std::size_t i = 0; i < coverage.items.size(); ++i) {
      const CoverageItem& item = coverage.items[i];
      out += i == 0 ? "" : ", ";
      out += "{\"id\": " + json_string(item.id) + ", \"kind\": " + json_string(rule_kind(item)) +
             ", \"file\": " + json_string(item.location.file) +
             fmt::format(", \"line\": {}, \"column\": {}, \"decisions\": {}}}", item.location.line,
                         item.location.column, item.decisions);
    }
    out += "]}";
  }
  out += report.coverages.empty() ? "]" : "\n]";
  out += ",\n\"min_coverage\": " + (report.min_coverage ? format_percent(*report.min_coverage) : std::string("null"));
  out += fmt::format(", \"coverage_ok\": {}", report.coverage_ok() ? "true" : "false");
  std::string check = diagnostics_json;
  while (!check.empty() && (check.back() == '\n' || check.back() == ' ')) check.pop_back();
  out += ",\n\"check\": " + (check.empty() ? std::string("null") : check);
  out += "}\n";
  return out;
}

std::string render_junit_report(const SuiteReport& report) {
  double total_seconds = 0;
  for (const CaseResult& result : report.results) total_seconds += result.seconds;
  bool coverage_case = report.min_coverage.has_value();
  std::size_t tests = report.results.size() + (coverage_case ? 1 : 0);
  std::size_t failures = report.failed() + (coverage_case && !report.coverage_ok() ? 1 : 0);

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"authzc test\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">\n", tests,
                     failures, seconds_text(total_seconds));
  std::size_t i = 0;
  while (i < report.results.size()) {
    std::size_t end = i;
    std::size_t suite_failures = 0;
    double suite_seconds = 0;
    while (end < report.results.size() && report.results[end].file == report.results[i].file) {
      suite_failures += report.results[end].passed ? 0 : 1;
      suite_seconds += report.results[end].seconds;
      ++end;
    }
    const std::string file = xml_escape(report.results[i].file);
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{}\">\n",
                       file, end - i, suite_failures, seconds_text(suite_seconds));
    for (; i < end; ++i) {
      const CaseResult& result = report.results[i];
      out += fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"{}\"", xml_escape(result.name),
                         file, file, result.line, seconds_text(result.seconds));
      if (result.passed) {
        out += "/>\n";
        continue;
      }
      out += ">\n      <failure type=\"decision mismatch\" message=\"" +
             xml_escape("expected " + result.expected + ", got " + result.actual) + "\">";
      out += xml_escape("call:     " + result.call + "\nexpected: " + result.expected + "\nactual:   " + result.actual +
                        "\ntrace:\n" + result.trace_text);
      out += "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  if (coverage_case) {
    bool ok = report.coverage_ok();
    out += fmt::format("  <testsuite name=\"rule coverage\" tests=\"1\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
                       ok ? 0 : 1);
    std::string summary;
    std::string uncovered;
    for (const Coverage& coverage : report.coverages) {
      summary += fmt::format("policy `{}`: {} of {} rules and grants determined an outcome ({}%)\n", coverage.policy_name,
                             coverage.covered(), coverage.items.size(), format_percent(coverage.percent()));
      for (const CoverageItem& item : coverage.items) {
        if (item.decisions == 0) uncovered += fmt::format("never determined: {} `{}` ({})\n", rule_kind(item), item.id,
                                                          location_text(item.location));
      }
    }
    out += fmt::format("    <testcase name=\"coverage at least {}%\" classname=\"rule coverage\" time=\"0\"",
                       format_percent(*report.min_coverage));
    if (ok) {
      out += ">\n      <system-out>" + xml_escape(summary + uncovered) + "</system-out>\n    </testcase>\n";
    } else {
      out += ">\n      <failure type=\"coverage\" message=\"" +
             xml_escape("rule coverage is below " + format_percent(*report.min_coverage) + "%") + "\">" +
             xml_escape(summary + uncovered) + "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

void add_sarif_results(SarifLog& log, const SuiteReport& report, const SourceManager& sources) {
  if (report.failed() > 0) {
    log.add_rule({"authz-test/failure", "PolicyTestFailure", "a policy test's expected decision differs from the actual one",
                  "A test in a `*.authz.test` file expected one decision (effect, reason, determining rules) and the "
                  "policy made another.",
                  "Read the trace in the message: either the policy changed access (fix the policy, or get the change "
                  "reviewed and update the test's `expect` line) or the test is wrong. The test file format is in authz's "
                  "docs/testing.md.",
                  std::string(), SarifLevel::Error});
  }
  bool any_uncovered = false;
  for (const Coverage& coverage : report.coverages) any_uncovered |= coverage.covered() < coverage.items.size();
  if (any_uncovered) {
    log.add_rule({"authz-test/uncovered", "RuleNeverDecided", "a rule or grant never determined an outcome in any test",
                  "No test's decision was determined by this rule or grant, so a change to it would go unnoticed.",
                  "Add a test whose expected decision is determined by this rule (`expect ... by RULE`); see authz's "
                  "docs/testing.md on coverage.",
                  std::string(), SarifLevel::Warning});
  }
  for (const CaseResult& result : report.results) {
    if (result.passed) continue;
    log.add_result({"authz-test/failure", SarifLevel::Error,
                    fmt::format("test `{}` failed: expected {}, got {}\ncall: {}\ntrace:\n{}", result.name, result.expected,
                                result.actual, result.call, result.trace_text),
                    result.span});
  }
  for (const Coverage& coverage : report.coverages) {
    bool below = report.min_coverage && coverage.percent() + 1e-9 < *report.min_coverage;
    for (const CoverageItem& item : coverage.items) {
      if (item.decisions > 0) continue;
      log.add_result({"authz-test/uncovered", below ? SarifLevel::Warning : SarifLevel::Note,
                      fmt::format("{} `{}` never determined an outcome in any test", rule_kind(item), item.id),
                      span_of(sources, item.location, item.id.size())});
    }
  }
}

}  // namespace authz::policy_tests
