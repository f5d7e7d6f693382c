// test_command.cpp — `authzc test PATH...`: runs the `*.authz.test` files
// found under PATH through the real Engine, against the policy beside each
// file (or the one its `policy` line names), compiled once per policy.
//
// Output: text (results on stdout, diagnostics on stderr), `--format json`
// or `--format sarif` (one document on stdout). `--junit FILE` also writes
// JUnit XML (to a temporary, then renamed). Exit status: 0 every test passed
// and coverage reaches --min-coverage; 1 a test failed, coverage is too low,
// or the policy or a test file has errors; 2 usage, unreadable paths, or no
// test files; 3 internal error.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <system_error>

#include "compiler/cli/commands.h"
#include "tools/entity_sources/entity_sources.h"
#include "compiler/cli/front_end_options.h"
#include "compiler/cli/output_file.h"
#include "compiler/cli/policy_input.h"
#include "compiler/diagnostic_printer.h"
#include "compiler/diagnostic_sarif.h"
#include "compiler/lower.h"
#include "compiler/policy_tests/test_file.h"
#include "compiler/policy_tests/test_report.h"
#include "compiler/policy_tests/test_runner.h"

namespace authz::cli {
namespace {

// `entity_sources "FILE"` in a suite: the sources as the gateway opens them.
std::shared_ptr<const runtime::EntityResolver> open_entity_sources(
    const std::string& path, const runtime::Engine& engine, std::shared_ptr<const runtime::EntityResolver> fallback,
    std::string& error) {
  entity_sources::Options options;
  options.fallback = std::move(fallback);
  return entity_sources::load_entity_sources(path, engine, error, options);
}

namespace fs = std::filesystem;
using namespace authz::policy_tests;

constexpr std::string_view kTestSuffix = ".authz.test";
constexpr std::size_t kMaxTestFileBytes = 16u << 20;

struct TestOptions {
  std::vector<std::string> paths;
  std::vector<std::string> stdlib_dirs;
  DiagnosticFormat format = DiagnosticFormat::Text;
  ColorMode color = ColorMode::Auto;
  bool deny_warnings = false;
  std::string junit_file;
  std::optional<double> min_coverage;
};

bool is_test_file(const fs::path& path) {
  std::string name = path.filename().string();
  return name.size() > kTestSuffix.size() && name.ends_with(kTestSuffix);
}

// The test files named by `paths`, in command-line order, directories
// searched recursively in sorted order; `problem` set when a path is unusable.
std::vector<std::string> find_test_files(const std::vector<std::string>& paths, std::string& problem) {
  std::vector<std::string> found;
  for (const std::string& path : paths) {
    std::error_code error;
    fs::file_status status = fs::status(path, error);
    if (error || !fs::exists(status)) {
      problem = fmt::format("cannot read `{}`: no such file or directory", path);
      return {};
    }
    if (fs::is_regular_file(status)) {
      found.push_back(path);
      continue;
    }
    if (!fs::is_directory(status)) {
      problem = fmt::format("`{}` is neither a file nor a directory", path);
      return {};
    }
    std::vector<std::string> in_directory;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, error), end;
    for (; !error && it != end; it.increment(error)) {
      if (it->is_regular_file(error) && is_test_file(it->path())) in_directory.push_back(it->path().string());
    }
    if (error) {
      problem = fmt::format("cannot read directory `{}`: {}", path, error.message());
      return {};
    }
    std::sort(in_directory.begin(), in_directory.end());
    if (in_directory.empty()) {
      problem = fmt::format("no `*{}` files under `{}`", kTestSuffix, path);
      return {};
    }
    found.insert(found.end(), in_directory.begin(), in_directory.end());
  }
  std::vector<std::string> unique;
  for (const std::string& file : found) {
    if (std::find(unique.begin(), unique.end(), file) == unique.end()) unique.push_back(file);
  }
  return unique;
}

// The policy paths a test file runs against: its `policy` line, else its directory.
std::vector<std::string> policy_paths_of(const TestFile& file) {
  fs::path directory = fs::path(file.path).parent_path();
  if (file.policy_paths.empty()) return {directory.empty() ? std::string(".") : directory.string()};
  std::vector<std::string> paths;
  for (const auto& written : file.policy_paths) {
    fs::path path(written.value);
    paths.push_back(path.is_absolute() ? written.value : (directory / path).lexically_normal().string());
  }
  return paths;
}

int run_test(const TestOptions& options, const Context& context) {
  std::string problem;
  std::vector<std::string> files = find_test_files(options.paths, problem);
  if (!problem.empty()) {
    context.err << "error: " << problem << "\n  = help: name `*" << kTestSuffix
                << "` files, or directories holding them; see `authzc test --help`\n";
    return kExitUsage;
  }

  SourceManager sources;
  DiagnosticSink test_sink;
  std::vector<std::unique_ptr<TestFile>> parsed;
  for (const std::string& path : files) {
    std::optional<std::string> bytes = read_input_file(path, context);
    if (!bytes) return kExitUsage;
    if (bytes->size() > kMaxTestFileBytes) {
      context.err << "error: `" << path << "` is larger than 16 MiB\n";
      return kExitUsage;
    }
    FileId id = sources.add(path, std::move(*bytes));
    parsed.push_back(std::make_unique<TestFile>(parse_test_file(sources, id, test_sink)));
  }

  // Group files by the policy they test, keeping first-seen order.
  std::vector<std::pair<std::vector<std::string>, std::vector<const TestFile*>>> groups;
  for (const auto& file : parsed) {
    std::vector<std::string> policy = policy_paths_of(*file);
    auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == policy; });
    if (group == groups.end()) {
      groups.push_back({policy, {}});
      group = std::prev(groups.end());
    }
    group->second.push_back(file.get());
  }

  std::vector<Diagnostic> policy_diagnostics;
  bool policy_failed = false;
  bool unreadable_policy = false;
  SuiteReport report;
  report.min_coverage = options.min_coverage;
  FrontEndOptions front_end;
  front_end.stdlib_dirs = options.stdlib_dirs;
  for (const auto& [policy_paths, group_files] : groups) {
    front_end.paths = policy_paths;
    CheckOutcome outcome = run_front_end(front_end, context, sources);
    policy_diagnostics.insert(policy_diagnostics.end(), outcome.diagnostics.begin(), outcome.diagnostics.end());
    for (const Diagnostic& d : outcome.diagnostics) unreadable_policy |= d.code == DiagCode::CannotReadFile && !d.span.valid();
    if (!outcome.ok() || !outcome.policy || (options.deny_warnings && outcome.warnings > 0)) {
      policy_failed = true;
      continue;
    }
    if (!has_policy_to_lower(*outcome.policy, front_end.paths, context)) {
      policy_failed = true;
      continue;
    }
    LowerResult lowered = lower(*outcome.policy, sources);
    if (!lowered.ok()) {
      context.err << "error: internal error in authzc: " << lowered.internal_error << '\n';
      return kExitInternal;
    }
    auto engine = runtime::Engine::from_model(std::move(lowered.model));
    if (!engine.ok()) {
      context.err << "error: internal error in authzc: the decision table does not load: " << engine.error() << '\n';
      return kExitInternal;
    }
    Coverage coverage = empty_coverage(engine.value().model());
    bool every_file_ran = true;
    for (const TestFile* file : group_files) {
      std::optional<PreparedFile> prepared =
          prepare_suite(*file, engine.value(), sources, test_sink, open_entity_sources);
      if (prepared) run_suite(*prepared, engine.value(), sources, report.results, coverage);
      every_file_ran &= prepared.has_value();
    }
    // Coverage of a partial run would blame rules for tests that could not run.
    if (every_file_ran) report.coverages.push_back(std::move(coverage));
  }

  std::vector<Diagnostic> diagnostics = std::move(policy_diagnostics);
  std::vector<Diagnostic> test_diagnostics = test_sink.take_sorted();
  diagnostics.insert(diagnostics.end(), test_diagnostics.begin(), test_diagnostics.end());
  bool has_errors = policy_failed || test_sink.has_errors();

  if (options.format == DiagnosticFormat::Json) {
    context.out << render_json_report(report, render_json(sources, diagnostics));
  } else if (options.format == DiagnosticFormat::Sarif) {
    SarifLog log(sources);
    log.add_diagnostics(diagnostics);
    add_sarif_results(log, report, sources);
    context.out << log.render();
  } else {
    if (!diagnostics.empty()) {
      std::string text = render_text(sources, diagnostics, use_color(options.color, context));
      // The shared printer's summary speaks of checking a policy; when only
      // test files have errors, say what actually could not happen.
      if (!policy_failed) {
        std::size_t at = text.rfind(": could not check policy: ");
        if (at != std::string::npos) text.replace(at, 26, ": could not run the tests: ");
      }
      context.err << text;
    }
    if (!report.results.empty() || !has_errors) context.out << render_text_report(report);
  }

  if (!options.junit_file.empty()) {
    if (auto error = write_file_atomically(options.junit_file, render_junit_report(report))) {
      context.err << "error: " << *error << '\n';
      return kExitUsage;
    }
  }
  if (unreadable_policy) return kExitUsage;
  if (has_errors || report.failed() > 0 || !report.coverage_ok()) return kExitDiagnostics;
  return kExitOk;
}

}  // namespace

Command register_test_command(CLI::App& authzc) {
  auto options = std::make_shared<TestOptions>();
  CLI::App* test = authzc.add_subcommand("test", "run policy tests (`*.authz.test` files) and report rule coverage");
  test->add_option("paths", options->paths, "`*.authz.test` files, or directories searched (recursively) for them")
      ->required()
      ->type_name("PATH");
  test->add_option("--stdlib", options->stdlib_dirs, "directory holding stdlib modules; repeatable, searched first")
      ->type_name("DIR")
      ->allow_extra_args(false);
  test->add_option_function<std::string>(
          "--format",
          [options](const std::string& value) { options->format = diagnostic_format_named(value); },
          "`text` (default): results on stdout, diagnostics on stderr; `json`: one JSON object on stdout; "
          "`sarif`: a SARIF 2.1.0 log on stdout (failures, uncovered rules, diagnostics)")
      ->check(one_of({"text", "json", "sarif"}))
      ->type_name("FORMAT");
  test->add_option_function<std::string>(
          "--color",
          [options](const std::string& value) { options->color = color_mode_named(value); },
          "colour text diagnostics: `auto` (default), `always`, `never`")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");
  test->add_flag("--deny-warnings", options->deny_warnings, "fail when the policy has warnings");
  test->add_option("--junit", options->junit_file, "also write the results as JUnit XML to FILE")->type_name("FILE");
  test->add_option_function<double>(
          "--min-coverage", [options](const double& value) { options->min_coverage = value; },
          "fail unless at least PCT percent of the rules and grants determined an outcome in some test")
      ->check(CLI::Range(0.0, 100.0))
      ->type_name("PCT");
  test->footer("Each test file runs against the policy in its own directory (every *.authz there, and\n"
               "what they `use`), or against the files its `policy \"...\"` line names. A test states a\n"
               "user, a call, a fixed time and the expected decision; docs/testing.md has the format.\n"
               "A rule or grant counts as covered only when it is among a decision's determining rules.\n\n"
               "Examples:\n"
               "  authzc test examples/sales --min-coverage 100\n"
               "  authzc test policies/ --junit build/policy-tests.xml --format sarif > tests.sarif\n\n" +
               exit_status_help({{0, "every test passed and coverage reached --min-coverage"},
                                 {1, "the policy has errors, a test file has errors, a test failed, or coverage is\n     below --min-coverage"},
                                 {2, "usage error, a named path cannot be read, or no test files were found"}}));
  return Command{test, [options](const Context& context) { return run_test(*options, context); }};
}

}  // namespace authz::cli
