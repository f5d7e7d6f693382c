// engine_state.h — a loaded table in the form evaluation wants: the
// validated Model plus lookup tables built once at load. Private to the runtime.
//
// Contract: built only by build_engine_state() from a Model that passed
// find_model_error (its callers check); immutable afterwards except for the decision-id counter
// (atomic). Lives on the heap behind a shared_ptr and is never moved, so
// views into it (rule ids, obligation arguments) stay valid while any Engine
// copy holds it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/decision.h"
#include "runtime/internal/glob_match.h"
#include "runtime/internal/json_input.h"
#include "runtime/internal/string_map.h"
#include "runtime/internal/value_store.h"
#include "runtime/table_model.h"
#include "runtime/internal/uri_template.h"

namespace authz::runtime::internal {

// One Model node, flattened: operands are a range of EngineState::operands.
struct CompiledNode {
  Opcode op = Opcode::Literal;
  std::uint32_t first_operand = 0;
  std::uint32_t operand_count = 0;
  std::uint32_t field = kNoIndex;  // Member / Has: attribute index; Is: role index; All / Any / Bound: slot
  // Argument / HasArgument: parameter-name id. Member / Has on an entity:
  // the entity schema index. Matches with a literal pattern: glob index.
  // MakeList: offset of its slots in the evaluator's list scratch.
  std::uint32_t aux = kNoIndex;
  Value constant;  // Literal
};

// Views into EngineState::target_lists (one buffer for every target, not
// three small vectors each).
struct CompiledTarget {
  std::span<const std::uint32_t> param_name_ids;  // per param, in declaration order
  std::span<const RuleIndex> denies;              // target.rules split by effect
  std::span<const RuleIndex> allows;
};

struct EngineState {
  Model model;
  std::string policy_hash;
  std::string signer_key_id;  // verified signer when loaded with trusted keys; unverified otherwise; "" unsigned

  std::vector<CompiledNode> nodes;
  std::vector<NodeIndex> operands;
  std::vector<GlobPattern> globs;
  std::uint32_t list_scratch_size = 0;

  ValueStore constant_store;
  std::vector<Value> constants;  // one per Model constant, finished

  std::vector<CompiledTarget> targets;
  std::vector<std::uint32_t> target_lists;
  StringMap<TargetIndex> tools;
  StringMap<TargetIndex> prompts;
  StringMap<TargetIndex> exact_resources;
  std::vector<std::pair<TargetIndex, UriTemplate>> resource_templates;
  std::size_t max_template_variables = 0;

  RoleLookup roles;
  std::uint32_t principal_id_attribute = kNoIndex;
  std::uint32_t principal_roles_attribute = kNoIndex;

  // Obligations per rule, ready to copy into a Decision: views into the
  // three flat buffers below them.
  std::vector<std::span<const AppliedObligation>> rule_obligations;
  std::vector<AppliedObligation> applied_obligations;
  std::vector<ObligationArgument> obligation_arguments;
  std::vector<std::string> obligation_json;  // one per distinct argument constant

  // Decision ids: (id_prefix, mix(counter ^ id_key)). Threads take counter
  // values in blocks, so the shared atomic is touched once per block.
  std::uint64_t id_prefix = 0;
  std::uint64_t id_key = 0;
  std::uint64_t generation = 0;  // unique per EngineState in this process
  mutable std::atomic<std::uint64_t> id_counter{0};
};

// Compiles a Model that has passed find_model_error (the caller checks:
// read_table does, Engine::from_model does).
std::shared_ptr<const EngineState> build_engine_state(Model model, std::string policy_hash,
                                                     std::string signer_key_id = {});

}  // namespace authz::runtime::internal
