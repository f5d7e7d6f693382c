// driver.h — the front end in one call: load, parse, check.
//
// Contract: `check_paths` never throws; every problem is a diagnostic in the
// outcome, sorted and de-duplicated. `ok()` means no errors (warnings allowed).
// `stats` counts what was loaded, for one-line summaries.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/checker.h"
#include "compiler/diagnostics.h"
#include "compiler/loader.h"
#include "compiler/source.h"

namespace authz {

// Counts over every loaded file (entries, their directories, and `use`d files).
struct PolicyStats {
  std::string policy_name;  // from the first `policy` header; empty if only modules were loaded
  std::size_t files = 0;
  std::size_t rules = 0;
  std::size_t grants = 0;
  std::size_t tools = 0;
  std::size_t resources = 0;
  std::size_t prompts = 0;
  std::size_t roles = 0;
};

struct CheckOutcome {
  std::unique_ptr<CheckedPolicy> policy;  // null only when nothing could be loaded
  std::vector<Diagnostic> diagnostics;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  PolicyStats stats;
  bool ok() const { return errors == 0; }
};

CheckOutcome check_paths(const std::vector<std::string>& paths, const LoadOptions& options,
                         SourceManager& sources);

}  // namespace authz
