// compiled_policy_for_tests.h — compile a policy (a path, or source text)
// in-process through the real front end and lower() into an Engine, for
// unit tests of what the runtime does with real policies (partial
// evaluation, SQL filters).
//
// Contract: compile_policy_path / compile_policy_text return the Engine or a
// Catch2 failure naming the diagnostics; the stdlib is the repository's.
// Text is written to a fresh file under the system temp directory.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <unistd.h>

#include "compiler/diagnostic_printer.h"
#include "compiler/driver.h"
#include "compiler/lower.h"
#include "runtime/engine.h"

namespace authz::testing {

inline runtime::Engine compile_policy_path(const std::string& path) {
  SourceManager sources;
  LoadOptions options;
  options.stdlib_dirs.push_back(std::string(AUTHZ_SOURCE_DIR) + "/stdlib");
  CheckOutcome outcome = check_paths({path}, options, sources);
  INFO(render_text(sources, outcome.diagnostics));
  REQUIRE(outcome.ok());
  REQUIRE(outcome.policy);
  LowerResult lowered = lower(*outcome.policy, sources);
  INFO(lowered.internal_error);
  REQUIRE(lowered.ok());
  auto engine = runtime::Engine::from_model(std::move(lowered.model));
  INFO((engine.ok() ? std::string() : engine.error()));
  REQUIRE(engine.ok());
  return std::move(engine.value());
}

inline runtime::Engine compile_policy_text(const std::string& text) {
  static std::atomic<int> counter{0};
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("authz-unit-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / "policy.authz";
  {
    std::ofstream out(file);
    out << text;
  }
  runtime::Engine engine = compile_policy_path(file.string());
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return engine;
}

}  // namespace authz::testing
