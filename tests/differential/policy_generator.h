// policy_generator.h — seeded random policies, requests and entity data for
// the differential test (tests/differential/differential_test.cpp).
//
// Contract: PolicyGenerator(seed) builds one policy text that must check
// clean (a diagnostic means a bug here, or in the checker): roles with
// inheritance, tools with typed parameters (optional ones, entity references,
// records, sets, lists, timestamps, durations, roles), resources by URI and
// URI template, prompts, groups, obligations, rules with random `when` /
// `unless` conditions over `args`, `user`, entity attributes and `now`,
// validity windows, and grants. Every parameter name has one type across all
// targets, so a rule may read `args.x` whenever all its targets declare `x`.
// It also builds a few entity "worlds" (entity data with missing entities,
// missing and mistyped attributes, dangling references). request(i) gives
// request number i: deterministic in (seed, i), mostly well-formed, sometimes
// with missing optional arguments, unknown targets, invalid arguments or
// principal attributes, and clock values on and next to window bounds.
// Same seed, same output, on every platform (only std::mt19937_64 and
// integer arithmetic are used to draw).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/differential/reference_interpreter.h"

namespace authz::differential {

struct GeneratedCase {
  reference::Request request;
  int world = -1;  // index into PolicyGenerator::worlds(), or -1: no entity data at all
};

class PolicyGenerator {
 public:
  explicit PolicyGenerator(std::uint64_t seed);

  const std::string& policy_text() const { return text_; }
  const std::vector<reference::Entities>& worlds() const { return worlds_; }
  GeneratedCase request(std::uint64_t index) const;

  // Entity data as the runtime's JsonEntityStore reads it: {"Type": {"id": {...}}}.
  static std::string entities_json(const reference::Entities& entities);
  // `2026-12-01T00:00:00Z`, with `.mmm` when the milliseconds are not zero.
  static std::string format_timestamp(std::int64_t millis);

  struct Target {
    enum class Kind { Tool, Resource, Prompt };
    Kind kind = Kind::Tool;
    std::string name;   // unquoted
    bool write = false;
    std::string uri;    // resources
    std::vector<std::string> params;  // parameter names (types from the pool)
  };

 private:
  void build();

  std::uint64_t seed_;
  std::string text_;
  std::vector<reference::Entities> worlds_;
  std::vector<std::string> roles_;
  std::vector<std::string> principal_attributes_;
  std::vector<Target> targets_;
  std::vector<std::int64_t> instants_;  // timestamps the policy mentions
};

}  // namespace authz::differential
