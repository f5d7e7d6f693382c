// driver.cpp — check_paths: load -> check -> sorted diagnostics and counts.
//
// Contract (see driver.h): the checker only runs when at least one file was
// loaded and loading reported no error. A file that failed to parse holds
// recovery placeholders (a missing operand, a role with no name), and a file
// that failed to load leaves its declarations undeclared: checking either
// would report mistakes the author did not make. Every syntax and loading
// error of every file is still reported, all at once. Counts come from the sink, so errors past DiagnosticSink::kMaxErrors
// are still counted, minus exact duplicates that take_sorted() removed.
#include "compiler/driver.h"

#include <algorithm>

namespace authz {
namespace {

PolicyStats summarize(const Program& program) {
  PolicyStats stats;
  for (const auto& file : program.files) {
    if (!file) continue;
    ++stats.files;
    if (stats.policy_name.empty() && file->has_header && !file->is_module) stats.policy_name = file->name;
    stats.rules += file->rules.size();
    stats.grants += file->grants.size();
    stats.tools += file->tools.size();
    stats.resources += file->resources.size();
    stats.prompts += file->prompts.size();
    stats.roles += file->roles.size();
  }
  return stats;
}

std::size_t count_severity(const std::vector<Diagnostic>& diagnostics, Severity severity) {
  return static_cast<std::size_t>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                                [&](const Diagnostic& d) { return d.severity == severity; }));
}

}  // namespace

CheckOutcome check_paths(const std::vector<std::string>& paths, const LoadOptions& options, SourceManager& sources) {
  CheckOutcome outcome;
  DiagnosticSink sink;
  Program program = load_program(paths, options, sources, sink);
  outcome.stats = summarize(program);
  if (!program.files.empty() && !sink.has_errors()) outcome.policy = check_program(std::move(program), sink);

  std::size_t errors_before = count_severity(sink.diagnostics(), Severity::Error);
  std::size_t warnings_before = count_severity(sink.diagnostics(), Severity::Warning);
  outcome.diagnostics = sink.take_sorted();
  outcome.errors = sink.error_count() - (errors_before - count_severity(outcome.diagnostics, Severity::Error));
  outcome.warnings =
      sink.warning_count() - (warnings_before - count_severity(outcome.diagnostics, Severity::Warning));
  return outcome;
}

}  // namespace authz
