// fuzz_check.cpp — feeds any bytes as one policy file to the whole front end
// (compiler/driver.h: load, parse, check; `use std.x;` finds the source
// tree's stdlib), then renders the diagnostics as text and JSON. Asserts: a
// policy that checks without errors lowers (compiler/lower.h) without an
// internal error to a table that Engine::load accepts with the same policy
// hash — what `authzc check` passes, `authzc build` and the runtime accept
// (a program of modules only checks but has no table: authzc refuses it).
// The file is written to a private directory (the loader reads paths) and
// named `policy.authz` (removed at exit); `use "x.authz"` resolves next to it.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "compiler/diagnostic_printer.h"
#include "compiler/driver.h"
#include "compiler/lower.h"
#include "fuzz/fuzz_support.h"
#include "runtime/internal/table_writer.h"

namespace {

const std::filesystem::path& private_dir() {
  static const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("authz-fuzz-check-" + std::to_string(::getpid()));
  return dir;
}

const std::string& policy_path() {
  static const std::string path = [] {
    std::filesystem::create_directories(private_dir());
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(private_dir(), ignored);
    });
    return (private_dir() / "policy.authz").string();
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(policy_path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    FUZZ_REQUIRE(static_cast<bool>(out));
  }
  authz::SourceManager sources;
  authz::LoadOptions options;
  options.stdlib_dirs = {AUTHZ_STDLIB_SOURCE_DIR};
  const authz::CheckOutcome outcome = authz::check_paths({policy_path()}, options, sources);
  (void)authz::render_text(sources, outcome.diagnostics);
  (void)authz::render_json(sources, outcome.diagnostics);
  if (!outcome.ok() || outcome.policy == nullptr) return 0;
  // Only modules: nothing to build, and authzc says so (compiler/cli/policy_input.h).
  if (outcome.policy->name.empty()) return 0;

  authz::LowerResult lowered = authz::lower(*outcome.policy, sources);
  if (!lowered.ok()) std::fprintf(stderr, "internal error: %s\n", lowered.internal_error.c_str());
  FUZZ_REQUIRE(lowered.ok());
  const std::optional<std::string> hash = authz::runtime::policy_hash(lowered.model);
  FUZZ_REQUIRE(hash.has_value());  // libcrypto failing here is not the input's doing
  auto engine = authz::runtime::Engine::load(authz::runtime::serialize(lowered.model));
  if (!engine.ok()) std::fprintf(stderr, "table refused: %s\n", engine.error().c_str());
  FUZZ_REQUIRE(engine.ok());
  FUZZ_REQUIRE(engine.value().policy_hash() == *hash);
  return 0;
}
