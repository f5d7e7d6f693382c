// engine.cpp — loading (Model -> EngineState) and the decision procedure (see
// docs/semantics.md); preparing requests is engine_prepare.cpp:
//   1. the request must name a known target and carry valid arguments;
//   2. deny rules of the target: any that applies forbids; if none applies
//      but one failed to evaluate, the call is denied with reason `error`;
//   3. allow rules and grants: any that applies allows, with its obligations;
//   4. otherwise `expired` when an allow or grant would have applied but for
//      its window, else `not_permitted`.
#include "runtime/engine.h"

#include <chrono>
#include <random>

#include <fmt/format.h>

#include "runtime/internal/evaluator.h"
#include "runtime/internal/model_validation.h"
#include "runtime/internal/table_reader.h"
#include "runtime/internal/table_writer.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/value_text.h"

namespace authz::runtime {
namespace internal {
namespace {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// 64 random bits; random_device may throw on exotic platforms, in which case
// the clock and an address stand in (ids stay unique through the counter).
std::uint64_t random_seed(const void* salt) {
  std::uint64_t seed = 0;
  try {
    std::random_device device;
    seed = (std::uint64_t{device()} << 32) ^ device();
  } catch (...) {
    seed = 0;
  }
  auto ticks = static_cast<std::uint64_t>(std::chrono::high_resolution_clock::now().time_since_epoch().count());
  return mix64(seed ^ ticks ^ reinterpret_cast<std::uintptr_t>(salt));
}

std::uint32_t intern_name(StringMap<std::uint32_t>& names, const std::string& name) {
  auto [it, inserted] = names.try_emplace(name, static_cast<std::uint32_t>(names.size()));
  return it->second;
}

void compile_constants(EngineState& state) {
  const Model& model = state.model;
  ValueStore& store = state.constant_store;
  store.reserve(model.constants.size());
  for (std::size_t i = 0; i < model.constants.size(); ++i) {
    const Constant& constant = model.constants[i];
    Value value;
    switch (constant.kind) {
      case ConstantKind::Bool: value = Value::of_bool(constant.bool_value); break;
      case ConstantKind::Int: value = Value::of_int(constant.int_value); break;
      case ConstantKind::Number: value = Value::of_number(constant.number_value); break;
      case ConstantKind::String: value = store.string(constant.string_value); break;
      case ConstantKind::Timestamp: value = Value::of_timestamp(constant.int_value); break;
      case ConstantKind::Duration: value = Value::of_duration(constant.int_value); break;
      case ConstantKind::Role: value = Value::of_role(constant.int_value); break;
      case ConstantKind::List: {
        // Elements are earlier constants; copies of their (pending) values
        // are resolved by finish() like every other value in the store.
        auto count = static_cast<std::uint32_t>(constant.elements.size());
        std::uint32_t first = store.reserve(count);
        for (std::uint32_t k = 0; k < count; ++k) store.values[first + k] = store.values[constant.elements[k]];
        value = ValueStore::sequence(ValueKind::List, first, count);
        break;
      }
    }
    store.values[i] = value;
  }
  store.finish();
  state.constants.assign(store.values.begin(), store.values.begin() + static_cast<std::ptrdiff_t>(model.constants.size()));
}

void compile_nodes(EngineState& state, StringMap<std::uint32_t>& param_names) {
  const Model& model = state.model;
  state.nodes.reserve(model.nodes.size());
  std::size_t total_operands = 0;
  for (const Node& node : model.nodes) total_operands += node.operands.size();
  state.operands.reserve(total_operands);
  for (std::size_t i = 0; i < model.nodes.size(); ++i) {
    const Node& node = model.nodes[i];
    CompiledNode compiled;
    compiled.op = node.op;
    compiled.first_operand = static_cast<std::uint32_t>(state.operands.size());
    compiled.operand_count = static_cast<std::uint32_t>(node.operands.size());
    state.operands.insert(state.operands.end(), node.operands.begin(), node.operands.end());
    compiled.field = node.field;
    switch (node.op) {
      case Opcode::Literal: compiled.constant = state.constants[node.constant]; break;
      case Opcode::Argument:
      case Opcode::HasArgument: compiled.aux = intern_name(param_names, node.name); break;
      case Opcode::Member:
      case Opcode::Has: {
        const TypeDescriptor& object = model.types[model.nodes[node.operands[0]].type];
        if (object.kind == TypeKind::Entity) compiled.aux = object.schema;
        break;
      }
#define AUTHZ_RELATION_OPCODE(Name, ...) case Opcode::Name:
#include "runtime/opcodes.def"
        if (node.op == Opcode::Matches) {  // a literal pattern is compiled once
          const Node& pattern = model.nodes[node.operands[1]];
          if (pattern.op == Opcode::Literal && model.constants[pattern.constant].kind == ConstantKind::String) {
            compiled.aux = static_cast<std::uint32_t>(state.globs.size());
            state.globs.push_back(compile_glob(model.constants[pattern.constant].string_value));
          }
        }
        break;
      case Opcode::MakeList:
        compiled.aux = state.list_scratch_size;
        state.list_scratch_size += compiled.operand_count;
        break;
      case Opcode::Now: case Opcode::User: case Opcode::Is: case Opcode::Not: case Opcode::And: case Opcode::Or:
      case Opcode::Add: case Opcode::Sub: case Opcode::Negate:
      case Opcode::All: case Opcode::Any: case Opcode::Bound:
        break;  // nothing precomputed
    }
    state.nodes.push_back(compiled);
  }
}

void compile_targets(EngineState& state, StringMap<std::uint32_t>& param_names) {
  const Model& model = state.model;
  std::size_t total = 0;
  for (const Target& target : model.targets) total += target.params.size() + target.rules.size();
  // Filled completely before any span is taken, so no span sees a reallocation.
  state.target_lists.reserve(total);
  struct Ranges {
    std::size_t params, denies, allows, end;
  };
  std::vector<Ranges> ranges(model.targets.size());
  state.tools.reserve(model.targets.size());
  for (std::size_t t = 0; t < model.targets.size(); ++t) {
    const Target& target = model.targets[t];
    Ranges& range = ranges[t];
    range.params = state.target_lists.size();
    for (const Parameter& param : target.params) state.target_lists.push_back(intern_name(param_names, param.name));
    range.denies = state.target_lists.size();
    for (RuleIndex rule : target.rules) {
      if (model.rules[rule].effect == Effect::Deny) state.target_lists.push_back(rule);
    }
    range.allows = state.target_lists.size();
    for (RuleIndex rule : target.rules) {
      if (model.rules[rule].effect != Effect::Deny) state.target_lists.push_back(rule);
    }
    range.end = state.target_lists.size();
    auto index = static_cast<TargetIndex>(t);
    switch (target.kind) {
      case TargetKind::Tool: state.tools.emplace(target.name, index); break;
      case TargetKind::Prompt: state.prompts.emplace(target.name, index); break;
      case TargetKind::Resource: {
        auto parsed = parse_uri_template(target.uri);  // validated already
        if (!parsed) break;
        if (parsed->variable_count == 0) {
          state.exact_resources.emplace(target.uri, index);
        } else {
          state.max_template_variables = std::max(state.max_template_variables, parsed->variable_count);
          state.resource_templates.emplace_back(index, std::move(*parsed));
        }
        break;
      }
    }
  }
  state.targets.resize(model.targets.size());
  const std::uint32_t* lists = state.target_lists.data();
  for (std::size_t t = 0; t < ranges.size(); ++t) {
    const Ranges& range = ranges[t];
    state.targets[t] = {{lists + range.params, lists + range.denies},
                        {lists + range.denies, lists + range.allows},
                        {lists + range.allows, lists + range.end}};
  }
}

void compile_obligations(EngineState& state) {
  const Model& model = state.model;
  std::size_t total_uses = 0;
  std::size_t total_arguments = 0;
  for (const Rule& rule : model.rules) {
    total_uses += rule.obligations.size();
    for (const ObligationUse& use : rule.obligations) total_arguments += use.arguments.size();
  }
  // Each constant used as an argument is rendered once, however many rules
  // pass it. Every buffer is sized up front and filled before anything views it.
  std::vector<std::uint32_t> json_of(model.constants.size(), kNoIndex);
  for (const Rule& rule : model.rules) {
    for (const ObligationUse& use : rule.obligations) {
      for (ConstantIndex argument : use.arguments) {
        if (json_of[argument] != kNoIndex) continue;
        json_of[argument] = static_cast<std::uint32_t>(state.obligation_json.size());
        state.obligation_json.push_back(render_value(state.constants[argument], TextStyle::Json, &model.roles));
      }
    }
  }
  state.obligation_arguments.reserve(total_arguments);
  state.applied_obligations.reserve(total_uses);
  for (const Rule& rule : model.rules) {
    for (const ObligationUse& use : rule.obligations) {
      const ObligationDecl& decl = model.obligations[use.obligation];
      for (std::size_t k = 0; k < use.arguments.size(); ++k) {
        ConstantIndex argument = use.arguments[k];
        state.obligation_arguments.push_back(
            {decl.params[k].name, state.constants[argument], state.obligation_json[json_of[argument]]});
      }
    }
  }
  std::size_t next_argument = 0;
  for (const Rule& rule : model.rules) {
    for (const ObligationUse& use : rule.obligations) {
      std::span<const ObligationArgument> arguments(state.obligation_arguments.data() + next_argument,
                                                    use.arguments.size());
      next_argument += use.arguments.size();
      state.applied_obligations.push_back({rule.id, model.obligations[use.obligation].name, arguments});
    }
  }
  state.rule_obligations.resize(model.rules.size());
  std::size_t next_use = 0;
  for (std::size_t r = 0; r < model.rules.size(); ++r) {
    std::size_t uses = model.rules[r].obligations.size();
    state.rule_obligations[r] = {state.applied_obligations.data() + next_use, uses};
    next_use += uses;
  }
}

}  // namespace

std::shared_ptr<const EngineState> build_engine_state(Model model, std::string policy_hash,
                                                     std::string signer_key_id) {
  auto state = std::make_shared<EngineState>();
  state->model = std::move(model);
  state->policy_hash = std::move(policy_hash);
  state->signer_key_id = std::move(signer_key_id);
  const Model& m = state->model;
  for (std::size_t r = 0; r < m.roles.size(); ++r) state->roles.emplace(m.roles[r].name, static_cast<RoleIndex>(r));
  for (std::size_t a = 0; a < m.principal.attributes.size(); ++a) {
    if (m.principal.attributes[a].name == "id") state->principal_id_attribute = static_cast<std::uint32_t>(a);
    if (m.principal.attributes[a].name == "roles") state->principal_roles_attribute = static_cast<std::uint32_t>(a);
  }
  StringMap<std::uint32_t> param_names;
  compile_constants(*state);
  compile_nodes(*state, param_names);
  compile_targets(*state, param_names);
  compile_obligations(*state);
  state->id_prefix = random_seed(state.get());
  state->id_key = random_seed(&state->id_key);
  static std::atomic<std::uint64_t> generations{1};
  state->generation = generations.fetch_add(1, std::memory_order_relaxed);
  return state;
}

}  // namespace internal

// ---- loading --------------------------------------------------------------------

Result<Engine> Engine::load(std::string_view table_bytes) {
  auto table = read_table(table_bytes);
  if (!table.ok()) return Result<Engine>::failure(table.error());
  // read_table has validated the model.
  auto state = internal::build_engine_state(std::move(table.value().model), std::move(table.value().policy_hash),
                                           std::move(table.value().signer_key_id));
  return Result<Engine>::success(Engine(std::move(state)));
}

Result<Engine> Engine::load(std::string_view table_bytes, const TrustedKeys& trusted_keys) {
  // The signature is checked before the body is decoded: bytes from an
  // untrusted signer are never interpreted.
  if (auto problem = trusted_keys.check(table_bytes)) return Result<Engine>::failure(*problem);
  return load(table_bytes);
}

Result<Engine> Engine::from_model(Model model) {
  if (auto problem = find_model_error(model)) return Result<Engine>::failure("invalid table: " + *problem);
  auto hash = authz::runtime::policy_hash(model);
  if (!hash) return Result<Engine>::failure("cannot compute the policy hash: SHA-256 failed (out of memory?)");
  auto state = internal::build_engine_state(std::move(model), std::move(*hash));
  return Result<Engine>::success(Engine(std::move(state)));
}

const std::string& Engine::policy_hash() const { return state_->policy_hash; }
const std::string& Engine::signer_key_id() const { return state_->signer_key_id; }
const Model& Engine::model() const { return state_->model; }

TargetIndex Engine::find_target(TargetKind kind, std::string_view name) const {
  const internal::EngineState& state = *state_;
  auto in = [&](const internal::StringMap<TargetIndex>& map) {
    auto found = map.find(name);
    return found == map.end() ? kNoIndex : found->second;
  };
  switch (kind) {
    case TargetKind::Tool: return in(state.tools);
    case TargetKind::Prompt: return in(state.prompts);
    case TargetKind::Resource:
      if (TargetIndex exact = in(state.exact_resources); exact != kNoIndex) return exact;
      for (const auto& [index, uri_template] : state.resource_templates) {
        if (state.model.targets[index].uri == name) return index;
      }
      return kNoIndex;
  }
  return kNoIndex;
}

// ---- evaluating ------------------------------------------------------------------------

namespace {

enum class Applicability { Applies, NotApplicable, OutsideWindow, Error };

struct RuleCheck {
  const internal::EngineState& state;
  const std::vector<std::uint64_t>& roles;  // the user's expanded roles
  internal::Evaluator& evaluator;
  std::string_view user_id;
  std::int64_t now;

  bool subject_matches(const Subjects& subjects) const { return subjects.admits(roles, user_id); }

  // Window first, then the conditions; records why in `trace` when given.
  Applicability window_and_conditions(const Rule& rule, RuleTrace* trace, std::string* error) {
    if (!rule.window.contains(now)) {
      if (trace) {
        bool early = rule.window.from_ms && now < *rule.window.from_ms;
        trace->outcome = early ? RuleOutcome::NotYetInForce : RuleOutcome::Expired;
        trace->window = early ? "from " + format_timestamp(*rule.window.from_ms)
                              : "until " + format_timestamp(*rule.window.until_ms);
      }
      return Applicability::OutsideWindow;
    }
    return conditions(rule, trace, error);
  }

  Applicability conditions(const Rule& rule, RuleTrace* trace, std::string* error) {
    struct Clause {
      NodeIndex root;
      bool blocks_when;  // the value that stops the rule
      const char* name;
    };
    const Clause clauses[] = {{rule.when, false, "when"}, {rule.unless, true, "unless"}};
    for (const Clause& clause : clauses) {
      if (clause.root == kNoIndex) continue;
      internal::Truth truth = evaluator.condition(clause.root);
      if (truth == internal::Truth::Error) {
        if (trace) {
          trace->outcome = RuleOutcome::ConditionError;
          trace->clause = clause.name;
          trace->error = evaluator.error_message(false);
          trace->error_for_end_user = evaluator.error_message(true);
        }
        if (error) *error = evaluator.error_message(true);
        return Applicability::Error;
      }
      if ((truth == internal::Truth::True) == clause.blocks_when) {
        if (trace) {
          trace->outcome = clause.blocks_when ? RuleOutcome::UnlessHeld : RuleOutcome::ConditionFalse;
          trace->clause = clause.name;
          evaluator.explain(clause.root, clause.blocks_when, *trace);
        }
        return Applicability::NotApplicable;
      }
    }
    if (trace) {
      // Say why it applies: the `unless` that did not hold, else the `when`
      // that did (for a deny, this is what the user is told to fix).
      trace->outcome = RuleOutcome::Applied;
      for (auto clause = std::rbegin(clauses); clause != std::rend(clauses); ++clause) {
        if (clause->root == kNoIndex) continue;
        trace->clause = clause->name;
        evaluator.explain(clause->root, !clause->blocks_when, *trace);
        break;
      }
    }
    return Applicability::Applies;
  }

  Applicability rule(RuleIndex index, RuleTrace* trace, std::string* error) {
    const Rule& rule = state.model.rules[index];
    if (!subject_matches(rule.subjects)) {
      if (trace) {
        trace->outcome = RuleOutcome::SubjectMismatch;
        for (std::size_t r = 0; r < state.model.roles.size(); ++r) {
          if (rule.subjects.roles.contains(static_cast<RoleIndex>(r))) {
            trace->missing_roles.push_back(state.model.roles[r].name);
          }
        }
        trace->names_users = !rule.subjects.users.empty();
      }
      return Applicability::NotApplicable;
    }
    return window_and_conditions(rule, trace, error);
  }
};

// A number no other decision of this engine gets: each thread reserves a
// block of kIdBlock numbers from the engine's counter and hands them out
// locally. The block is keyed by the engine's generation (not its address,
// which a later engine may reuse).
constexpr std::uint64_t kIdBlock = 1024;

std::uint64_t next_decision_number(const internal::EngineState& state) {
  struct Block {
    std::uint64_t generation = 0;
    std::uint64_t next = 0;
    std::uint64_t end = 0;
  };
  thread_local Block block;
  if (block.generation != state.generation || block.next == block.end) {
    block.generation = state.generation;
    block.next = state.id_counter.fetch_add(kIdBlock, std::memory_order_relaxed);
    block.end = block.next + kIdBlock;
  }
  return block.next++;
}

RuleTrace* start_trace(Decision& out, const Model& model, RuleIndex rule) {
  if (!out.trace) return nullptr;
  RuleTrace& entry = out.trace->rules.emplace_back();
  const Rule& declared = model.rules[rule];
  entry.rule = declared.id;
  entry.effect = declared.effect;
  entry.file = declared.location.file;
  entry.line = declared.location.line;
  entry.column = declared.location.column;
  return &entry;
}

RuleTrace* start_grant_trace(Decision& out, const Model& model, GrantIndex grant) {
  if (!out.trace) return nullptr;
  RuleTrace& entry = out.trace->rules.emplace_back();
  const Grant& declared = model.grants[grant];
  entry.rule = declared.id;
  entry.is_grant = true;
  entry.effect = Effect::Allow;
  entry.file = declared.location.file;
  entry.line = declared.location.line;
  entry.column = declared.location.column;
  return &entry;
}

// The steps of Engine::evaluate, each called once from it (and so inlined
// into it: the decision loop stays one function to the optimiser).

// Step 2, deny rules: true when they settle the decision (one applies:
// forbidden; none applies but one failed to evaluate: error).
bool denies_settle(RuleCheck& check, const internal::CompiledTarget& compiled, const Target& target, Decision& out) {
  const Model& model = check.state.model;
  // Any that applies forbids; errors deny only when none applies.
  bool forbidden = false;
  RuleIndex first_error = kNoIndex;
  std::string first_error_message;
  for (RuleIndex rule : compiled.denies) {
    RuleTrace* trace = start_trace(out, model, rule);
    std::string* error = first_error == kNoIndex ? &first_error_message : nullptr;
    switch (check.rule(rule, trace, error)) {
      case Applicability::Applies:
        if (!forbidden) out.determining_rules.clear();  // drop error rules gathered so far
        forbidden = true;
        out.determining_rules.push_back(model.rules[rule].id);
        break;
      case Applicability::Error:
        if (first_error == kNoIndex) first_error = rule;
        if (!forbidden) out.determining_rules.push_back(model.rules[rule].id);
        break;
      default: break;
    }
  }
  if (!forbidden && first_error == kNoIndex) return false;
  out.reason = forbidden ? Reason::Forbidden : Reason::Error;
  if (!forbidden) {
    out.message = fmt::format("deny rule `{}` could not be evaluated, so the call is denied: {}",
                              model.rules[first_error].id, first_error_message);
  }
  if (out.trace) {
    for (RuleIndex rule : compiled.allows) start_trace(out, model, rule)->outcome = RuleOutcome::NotEvaluated;
    for (GrantIndex grant : target.grants) start_grant_trace(out, model, grant)->outcome = RuleOutcome::NotEvaluated;
  }
  return true;
}

// Step 3, allow rules (with their obligations) and grants: whether any
// applies; `outside_window` is set when one would have but for its window.
bool allows_apply(RuleCheck& check, const internal::CompiledTarget& compiled, const Target& target, Decision& out,
                  bool& outside_window) {
  const Model& model = check.state.model;
  bool allowed = false;
  for (RuleIndex rule : compiled.allows) {
    RuleTrace* trace = start_trace(out, model, rule);
    switch (check.rule(rule, trace, nullptr)) {
      case Applicability::Applies:
        allowed = true;
        out.determining_rules.push_back(model.rules[rule].id);
        for (const AppliedObligation& obligation : check.state.rule_obligations[rule]) {
          out.obligations.push_back(obligation);
        }
        break;
      case Applicability::OutsideWindow: outside_window = true; break;
      default: break;
    }
  }
  for (GrantIndex index : target.grants) {
    const Grant& grant = model.grants[index];
    RuleTrace* trace = start_grant_trace(out, model, index);
    if (grant.user != check.user_id) {
      if (trace) {
        trace->outcome = RuleOutcome::SubjectMismatch;
        trace->names_users = true;
      }
      continue;
    }
    if (!grant.window.contains(check.now)) {
      outside_window = true;
      if (trace) {
        bool early = grant.window.from_ms && check.now < *grant.window.from_ms;
        trace->outcome = early ? RuleOutcome::NotYetInForce : RuleOutcome::Expired;
        trace->window = early ? "from " + format_timestamp(*grant.window.from_ms)
                              : "until " + format_timestamp(*grant.window.until_ms);
      }
      continue;
    }
    if (trace) trace->outcome = RuleOutcome::Applied;
    allowed = true;
    out.determining_rules.push_back(grant.id);
  }
  return allowed;
}

// Step 4, nothing allows: the allow rules and grants that would have applied
// but for the clock become the determining rules (reason `expired`).
void gather_outside_window(RuleCheck& check, const internal::CompiledTarget& compiled, const Target& target,
                           Decision& out) {
  const Model& model = check.state.model;
  for (RuleIndex rule : compiled.allows) {
    const Rule& declared = model.rules[rule];
    if (declared.window.contains(check.now)) continue;
    if (!check.subject_matches(declared.subjects)) continue;
    if (check.conditions(declared, nullptr, nullptr) == Applicability::Applies) {
      out.determining_rules.push_back(declared.id);
    }
  }
  for (GrantIndex index : target.grants) {
    const Grant& grant = model.grants[index];
    if (grant.user == check.user_id && !grant.window.contains(check.now)) out.determining_rules.push_back(grant.id);
  }
}

}  // namespace

DecisionId Engine::new_decision_id() const noexcept {
  const internal::EngineState& state = *state_;
  return {state.id_prefix, internal::mix64(next_decision_number(state) ^ state.id_key)};
}

void Engine::evaluate(const PreparedRequest& request, const EvaluateOptions& options, Decision& out) const noexcept {
  using Status = PreparedRequest::Status;
  const internal::EngineState& state = *state_;
  const Model& model = state.model;
  out.clear();
  if (out.table_.get() != state_.get()) out.table_ = state_;  // no refcount traffic when reused
  out.id = new_decision_id();
  if (options.trace) {
    out.trace.emplace();
    out.trace->principal = std::string(request.principal_id_.string());
    out.trace->roles = request.role_names_;
  }
  if (request.engine_ != &state || request.status_ == Status::Unprepared) {
    out.reason = Reason::Error;
    out.message = "the request was not prepared by this engine";
    return;
  }
  if (request.target_ != kNoIndex) {
    out.target = model.targets[request.target_].name;
    out.target_kind = model.targets[request.target_].kind;
    out.target_index = request.target_;
  }
  switch (request.status_) {
    case Status::UnknownTarget: out.reason = Reason::UnknownTarget; out.message = request.problem_; return;
    case Status::InvalidArguments: out.reason = Reason::InvalidArguments; out.message = request.problem_; return;
    case Status::InvalidPrincipal: out.reason = Reason::Error; out.message = request.problem_; return;
    default: break;
  }
  const Target& target = model.targets[request.target_];
  const internal::CompiledTarget& compiled = state.targets[request.target_];
  out.target = target.name;
  out.target_kind = target.kind;
  out.target_index = request.target_;

  internal::Evaluator evaluator(state, request, options.entities);
  RuleCheck check{state, request.roles_, evaluator, request.principal_id_.string(), request.now_ms_};
  if (denies_settle(check, compiled, target, out)) return;
  bool outside_window = false;
  if (allows_apply(check, compiled, target, out, outside_window)) {
    out.effect = Effect::Allow;
    out.reason = Reason::Allowed;
    return;
  }
  // Nothing allows: was it only the clock?
  if (outside_window) gather_outside_window(check, compiled, target, out);
  out.reason = out.determining_rules.empty() ? Reason::NotPermitted : Reason::Expired;
  // An entity source that failed may have held what would allow the call:
  // the decision is an error, not a considered "no".
  if (evaluator.source_failed()) {
    out.determining_rules.clear();
    out.reason = Reason::Error;
    out.message = fmt::format("entity data could not be read, so the call is denied: {}", evaluator.source_failure());
  }
}

Decision Engine::evaluate(const PreparedRequest& request, const EvaluateOptions& options) const {
  Decision decision;
  evaluate(request, options, decision);
  return decision;
}

Decision Engine::evaluate(const Request& request, const EvaluateOptions& options) const {
  PreparedRequest prepared = prepare(request);
  return evaluate(prepared, options);
}

}  // namespace authz::runtime
