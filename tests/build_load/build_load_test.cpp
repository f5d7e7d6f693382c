// build_load_test.cpp — the property behind issue #20: every policy that
// `authzc check` passes, `authzc build` builds into a table the runtime
// loads. Walks every .authz file and every directory holding .authz files
// under the repository's corpora (tests/, examples/, stdlib/), every inline
// policy of tests/conformance/*.json, and the differential generator's
// policies for seeds 0..N-1; for each that checks clean (no errors) and has
// a `policy` header (`authzc build` refuses modules alone), lowers
// it, serialises the table, and requires read_table and Engine::load to
// accept the bytes, as `authzc build` and the gateway do.
//
// Usage: authz_build_load_test REPO_ROOT WORK_DIR [SEEDS]. Exit 0 when every
// clean policy loads (and enough of them were found to mean something).
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "compiler/diagnostic_printer.h"
#include "compiler/driver.h"
#include "compiler/lower.h"
#include "runtime/engine.h"
#include "runtime/internal/table_reader.h"
#include "runtime/internal/table_writer.h"
#include "tests/differential/policy_generator.h"

namespace fs = std::filesystem;
namespace rt = authz::runtime;

namespace {

struct Counts {
  int clean = 0;
  int with_errors = 0;
  int failed = 0;
  int modules = 0;  // check clean, but hold no policy to build
};

// Checks `path`; when it is clean, builds and loads its table.
void build_and_load(const fs::path& path, const fs::path& stdlib, const std::string& label, Counts& counts) {
  authz::SourceManager sources;
  authz::LoadOptions options;
  options.stdlib_dirs.push_back(stdlib.string());
  authz::CheckOutcome outcome = authz::check_paths({path.string()}, options, sources);
  if (!outcome.ok() || !outcome.policy) {
    ++counts.with_errors;
    return;
  }
  ++counts.clean;
  auto fail = [&](const std::string& why) {
    ++counts.failed;
    std::cout << "FAIL " << label << ": checks clean, but " << why << '\n';
  };
  authz::LowerResult lowered = authz::lower(*outcome.policy, sources);
  if (!lowered.ok()) return fail("lowering fails: " + lowered.internal_error);
  if (lowered.model.policy_name.empty()) {  // modules only: `authzc build` refuses them with a message
    --counts.clean;
    ++counts.modules;
    return;
  }
  std::string bytes = rt::serialize(lowered.model);
  auto reread = rt::read_table(bytes);
  if (!reread.ok()) return fail("the built table does not load: " + reread.error());
  auto engine = rt::Engine::load(bytes);
  if (!engine.ok()) return fail("the engine refuses the table: " + engine.error());
}

void collect_inline_policies(simdjson::dom::element element, std::vector<std::string>& out) {
  simdjson::dom::array array;
  simdjson::dom::object object;
  if (element.get_array().get(array) == simdjson::SUCCESS) {
    for (auto child : array) collect_inline_policies(child, out);
  } else if (element.get_object().get(object) == simdjson::SUCCESS) {
    for (auto field : object) {
      std::string_view text;
      if (field.key == "policy" && field.value.get_string().get(text) == simdjson::SUCCESS) {
        out.emplace_back(text);
      } else {
        collect_inline_policies(field.value, out);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: authz_build_load_test REPO_ROOT WORK_DIR [SEEDS]\n";
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path work = argv[2];
  const int seeds = argc > 3 ? std::stoi(argv[3]) : 300;
  const fs::path stdlib = root / "stdlib";
  fs::remove_all(work);
  fs::create_directories(work);
  Counts counts;

  // Files and directories of the corpora.
  std::set<fs::path> paths;
  for (const char* corpus : {"tests", "examples", "stdlib"}) {
    for (auto it = fs::recursive_directory_iterator(root / corpus); it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_directory() && (it->path().filename() == "node_modules" || it->path().filename() == "build")) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && it->path().extension() == ".authz") {
        paths.insert(it->path());
        paths.insert(it->path().parent_path());
      }
    }
  }
  for (const fs::path& path : paths) build_and_load(path, stdlib, fs::relative(path, root).string(), counts);
  const int corpus_clean = counts.clean;

  // Inline policies of the conformance cases.
  simdjson::dom::parser parser;
  int inline_count = 0;
  for (const auto& entry : fs::directory_iterator(root / "tests" / "conformance")) {
    if (entry.path().extension() != ".json") continue;
    simdjson::dom::element document;
    if (parser.load(entry.path().string()).get(document) != simdjson::SUCCESS) {
      std::cout << "FAIL cannot parse " << entry.path() << '\n';
      ++counts.failed;
      continue;
    }
    std::vector<std::string> policies;
    collect_inline_policies(document, policies);
    for (const std::string& text : policies) {
      fs::path file = work / ("conformance_" + std::to_string(inline_count++) + ".authz");
      std::ofstream(file, std::ios::binary) << text;
      build_and_load(file, stdlib, entry.path().filename().string() + " #" + std::to_string(inline_count), counts);
    }
  }

  // The differential generator's policies (each must check clean).
  const int before_generated = counts.clean;
  for (int seed = 0; seed < seeds; ++seed) {
    authz::differential::PolicyGenerator generator(static_cast<std::uint64_t>(seed));
    fs::path file = work / ("generated_" + std::to_string(seed) + ".authz");
    std::ofstream(file, std::ios::binary) << generator.policy_text();
    build_and_load(file, stdlib, "generator seed " + std::to_string(seed), counts);
  }
  const int generated_clean = counts.clean - before_generated;

  std::cout << "build_load: " << paths.size() << " corpus paths (" << corpus_clean << " clean), " << inline_count
            << " conformance policies, " << seeds << " generated (" << generated_clean << " clean); " << counts.clean
            << " built and loaded, " << counts.modules << " modules only, " << counts.failed << " failed\n";
  // A walk that finds (almost) nothing proves nothing.
  if (corpus_clean < 20 || inline_count < 50 || generated_clean != seeds) {
    std::cout << "FAIL the corpora are not where expected, or a generated policy does not check\n";
    return 1;
  }
  return counts.failed == 0 ? 0 : 1;
}
