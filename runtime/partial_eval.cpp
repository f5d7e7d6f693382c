// partial_eval.cpp — partially_evaluate() and may_call_at_all(): the driver
// of partial evaluation (partial_eval.h).
//
// Contract: partial_eval.h. How: prepare() the request with placeholder
// values for the unknown parameters, so principal, roles, target and the
// known arguments are validated and converted exactly as evaluate() does;
// then walk the target's rules in evaluation order, each condition evaluated
// by the SymbolicEvaluator (internal/partial_symbolic.h) into T / F residuals.
// A deny then blocks unless `F(when) || (T(when) && T(unless))`; an allow
// applies when `T(when) && F(unless)`; the call is allowed when some allow
// or grant applies and no deny blocks. The simplifier
// (internal/partial_simplify.h) keeps this small.
#include "runtime/partial_eval.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "runtime/internal/evaluator.h"
#include "runtime/internal/json_input.h"
#include "runtime/internal/partial_simplify.h"
#include "runtime/internal/partial_symbolic.h"
#include "runtime/internal/uri_template.h"
#include "runtime/internal/value_text.h"

namespace authz::runtime {

namespace {

using internal::boolean;
using internal::is_false;
using internal::is_true;
using internal::make_and;
using internal::make_not;
using internal::make_or;
using internal::polish;

// ---- building blocks: placeholders, targets, refusals, unknowns --------------------------

// JSON for a value of `type` that validates (never read: nodes that read an
// unknown parameter are evaluated symbolically). False when there is none.
bool placeholder_json(const Model& model, TypeIndex type_index, std::string& out, int depth) {
  if (type_index >= model.types.size() || depth > 32) return false;
  const TypeDescriptor& type = model.types[type_index];
  if (type.optional) {
    out += "null";
    return true;
  }
  switch (type.kind) {
    case TypeKind::Bool: out += "false"; return true;
    case TypeKind::Int:
    case TypeKind::Number:
    case TypeKind::Timestamp:
    case TypeKind::Duration: out += "0"; return true;
    case TypeKind::String:
    case TypeKind::Entity: out += "\"\""; return true;
    case TypeKind::Role:
      if (model.roles.empty()) return false;
      append_quoted(out, model.roles[0].name);
      return true;
    case TypeKind::Set:
    case TypeKind::List: out += "[]"; return true;
    case TypeKind::Map: out += "{}"; return true;
    case TypeKind::Record: {
      if (type.schema >= model.records.size()) return false;
      out += "{";
      bool first = true;
      for (const Attribute& attribute : model.records[type.schema].attributes) {
        if (attribute.type < model.types.size() && model.types[attribute.type].optional) continue;
        if (!first) out += ",";
        first = false;
        append_quoted(out, attribute.name);
        out += ":";
        if (!placeholder_json(model, attribute.type, out, depth + 1)) return false;
      }
      out += "}";
      return true;
    }
    case TypeKind::Principal: return false;
  }
  return false;
}

const Target* find_target(const Engine& engine, MethodKind method, const std::string& name) {
  TargetKind kind = method == MethodKind::ToolCall    ? TargetKind::Tool
                    : method == MethodKind::PromptGet ? TargetKind::Prompt
                                                      : TargetKind::Resource;
  TargetIndex index = engine.find_target(kind, name);
  return index == kNoIndex ? nullptr : &engine.model().targets[index];
}

Residual never(Reason reason, std::string message) {
  Residual residual;
  residual.kind = ResidualKind::NeverAllowed;
  residual.condition = boolean(false);
  residual.reason = reason;
  residual.message = std::move(message);
  return residual;
}

void collect_unknowns(const ResidualNode& node, std::vector<UnknownRef>& out) {
  if (node.op == ResidualOp::Unknown) {
    if (node.unknown.bound) return;  // a quantifier's element, not an input
    for (const UnknownRef& known : out) {
      if (known == node.unknown) return;
    }
    out.push_back(node.unknown);
    return;
  }
  for (const ResidualNode& child : node.children) collect_unknowns(child, out);
}

// ---- preparing the request ---------------------------------------------------------------

// Which parameters of `target` are unknown; a message for an undeclared name.
std::optional<std::string> mark_unknown(const PartialRequest& request, const Target& target, std::vector<bool>& out) {
  out.assign(target.params.size(), request.all_arguments_unknown);
  if (request.all_arguments_unknown) return std::nullopt;
  for (const std::string& name : request.unknown_parameters) {
    std::size_t p = 0;
    while (p < target.params.size() && target.params[p].name != name) ++p;
    if (p == target.params.size()) {
      return fmt::format("unknown parameter `{}`: {} `{}` declares no such parameter", name.substr(0, 200),
                         to_string(target.kind), target.name);
    }
    out[p] = true;
  }
  return std::nullopt;
}

// The arguments JSON prepare() sees for a tool or prompt: the known arguments
// (re-serialised) and a placeholder per unknown one. A refusal when the known
// arguments are not a JSON object, name an unknown parameter, or an unknown
// parameter has no placeholder.
std::optional<Residual> arguments_with_placeholders(const Model& model, const PartialRequest& request,
                                                    const Target& declared, const std::vector<bool>& unknown,
                                                    std::string& out) {
  std::string json = "{";
  bool first = true;
  std::string_view known = request.all_arguments_unknown ? std::string_view() : request.known_arguments_json;
  if (known.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    simdjson::dom::element document;
    simdjson::dom::object object;
    std::string error;
    if (!internal::parse_json(known, document, error)) {
      return never(Reason::InvalidArguments, "arguments: " + error);
    }
    if (document.get_object().get(object) != simdjson::SUCCESS) {
      return never(Reason::InvalidArguments, fmt::format("arguments must be a JSON object, not {}",
                                                         internal::describe_json(document)));
    }
    for (auto field : object) {
      for (std::size_t p = 0; p < declared.params.size(); ++p) {
        if (unknown[p] && declared.params[p].name == field.key) {
          return never(Reason::InvalidArguments,
                       fmt::format("argument `{}` is given and also marked unknown", field.key));
        }
      }
      if (!first) json += ",";
      first = false;
      append_quoted(json, field.key);
      json += ":";
      json += simdjson::minify(field.value);
    }
  }
  for (std::size_t p = 0; p < declared.params.size(); ++p) {
    if (!unknown[p]) continue;
    if (!first) json += ",";
    first = false;
    append_quoted(json, declared.params[p].name);
    json += ":";
    if (!placeholder_json(model, declared.params[p].type, json, 0)) {
      return never(Reason::Error, fmt::format("parameter `{}` cannot be left unknown", declared.params[p].name));
    }
  }
  out = json + "}";
  return std::nullopt;
}

// The request prepare() sees (known arguments plus placeholders) and which
// parameters of the declared target are unknown.
struct ConcreteRequest {
  Request request;
  std::vector<bool> unknown;
  bool synthetic_uri = false;  // a resource template named by its own text
};

// A refusal, or nullopt with `out` filled. `declared` is the target the
// request names exactly (nullptr: none, e.g. a concrete resource URI).
std::optional<Residual> make_concrete(const Engine& engine, const PartialRequest& request, const Target* declared,
                                      ConcreteRequest& out) {
  out.request.principal = request.principal;
  out.request.method = request.method;
  out.request.target = request.target;
  out.request.now_ms = request.now_ms;
  out.request.arguments_json = request.known_arguments_json;
  if (!declared) return std::nullopt;
  if (auto problem = mark_unknown(request, *declared, out.unknown)) return never(Reason::InvalidArguments, *problem);
  if (declared->kind != TargetKind::Resource) {
    return arguments_with_placeholders(engine.model(), request, *declared, out.unknown, out.request.arguments_json);
  }
  // A template named by its own text: any URI it matches will do.
  auto parsed = parse_uri_template(declared->uri);
  if (parsed && parsed->variable_count > 0) {
    std::string uri;
    for (const UriTemplate::Piece& piece : parsed->pieces) uri += piece.variable ? "x" : piece.text;
    out.request.target = uri;
    out.unknown.assign(declared->params.size(), true);
    out.synthetic_uri = true;
  }
  out.request.arguments_json.clear();
  return std::nullopt;
}

// ---- walking the rules -------------------------------------------------------------------

// One prepared request's rules, walked in evaluation order.
struct RuleWalk {
  const Model& model;
  const internal::EngineState& state;
  const internal::Evaluator::PreparedView& view;
  const internal::CompiledTarget& compiled;
  const Target& target;
  internal::SymbolicEvaluator& partial;
  std::int64_t now_ms;
  bool details;  // gather rules, obligations and unknowns (false: may_call_at_all)
};

// may_call_at_all's shortcut: whether some allow or grant matches the user
// and the clock, before any condition is looked at.
bool some_allow_matches(const RuleWalk& walk) {
  bool some_allow = false;
  for (RuleIndex index : walk.compiled.allows) {
    const Rule& rule = walk.model.rules[index];
    some_allow = some_allow || (rule.subjects.admits(*walk.view.roles, walk.view.user_id) &&
                                rule.window.contains(walk.now_ms));
  }
  for (GrantIndex index : walk.target.grants) {
    const Grant& grant = walk.model.grants[index];
    some_allow = some_allow || (grant.user == walk.view.user_id && grant.window.contains(walk.now_ms));
  }
  return some_allow;
}

// The denies: for each that could block, when it does not (`not_blocking`)
// and, with details, the rule in residual.rules. A refusal when one blocks
// whatever the unknowns.
std::optional<Residual> walk_denies(const RuleWalk& walk, Residual& residual,
                                    std::vector<ResidualNode>& not_blocking) {
  bool certainly_forbidden = false;
  std::vector<CandidateRule> blocking_denies;
  for (RuleIndex index : walk.compiled.denies) {
    const Rule& rule = walk.model.rules[index];
    if (!rule.subjects.admits(*walk.view.roles, walk.view.user_id) || !rule.window.contains(walk.now_ms)) continue;
    auto [when_true, when_false] =
        rule.when == kNoIndex ? std::pair(boolean(true), boolean(false)) : walk.partial.condition(rule.when);
    auto [unless_true, unless_false] =
        rule.unless == kNoIndex ? std::pair(boolean(false), boolean(true)) : walk.partial.condition(rule.unless);
    ResidualNode applies = make_and(when_true, unless_false);
    ResidualNode passes = make_or(std::move(when_false), make_and(std::move(when_true), std::move(unless_true)));
    if (is_true(passes)) continue;
    CandidateRule candidate{rule.id, Effect::Deny, false, walk.details ? polish(make_not(passes)) : boolean(true)};
    if (is_true(applies)) certainly_forbidden = true;
    if (is_false(passes)) blocking_denies.push_back(candidate);
    residual.rules.push_back(std::move(candidate));
    not_blocking.push_back(std::move(passes));
  }
  if (blocking_denies.empty()) return std::nullopt;
  Residual out = never(certainly_forbidden ? Reason::Forbidden : Reason::Error,
                       certainly_forbidden ? std::string()
                                           : fmt::format("deny rule `{}` could not be evaluated, so the call is denied",
                                                         blocking_denies.front().id));
  out.rules = std::move(blocking_denies);
  out.exact = walk.partial.exact();
  return out;
}

// What the allows and grants leave.
struct AllowWalk {
  std::vector<ResidualNode> applies_any;  // one per allow or grant that could apply
  bool outside_window = false;            // one matched the user but not the clock
  struct Applying {
    RuleIndex rule;
    bool certain;
  };
  std::vector<Applying> applying;  // the allow rules among them (for their obligations)
};

AllowWalk walk_allows(const RuleWalk& walk, Residual& residual) {
  AllowWalk out;
  for (RuleIndex index : walk.compiled.allows) {
    const Rule& rule = walk.model.rules[index];
    if (!rule.subjects.admits(*walk.view.roles, walk.view.user_id)) continue;
    if (!rule.window.contains(walk.now_ms)) {
      out.outside_window = true;
      continue;
    }
    ResidualNode when_true = rule.when == kNoIndex ? boolean(true) : walk.partial.condition(rule.when).first;
    ResidualNode unless_false = rule.unless == kNoIndex ? boolean(true) : walk.partial.condition(rule.unless).second;
    ResidualNode applies = make_and(std::move(when_true), std::move(unless_false));
    if (is_false(applies)) continue;
    out.applying.push_back({index, is_true(applies)});
    if (walk.details) residual.rules.push_back({rule.id, Effect::Allow, false, polish(applies)});
    out.applies_any.push_back(std::move(applies));
  }
  for (GrantIndex index : walk.target.grants) {
    const Grant& grant = walk.model.grants[index];
    if (grant.user != walk.view.user_id) continue;
    if (!grant.window.contains(walk.now_ms)) {
      out.outside_window = true;
      continue;
    }
    if (walk.details) residual.rules.push_back({grant.id, Effect::Allow, true, boolean(true)});
    out.applies_any.push_back(boolean(true));
  }
  return out;
}

// The obligations of every allow that could apply, in rule order.
void collect_obligations(const RuleWalk& walk, const AllowWalk& allows, Residual& residual) {
  for (const AllowWalk::Applying& entry : allows.applying) {
    for (const AppliedObligation& obligation : walk.state.rule_obligations[entry.rule]) {
      ResidualObligation out;
      out.rule = std::string(obligation.rule);
      out.name = std::string(obligation.name);
      for (const ObligationArgument& argument : obligation.arguments) {
        out.arguments.emplace_back(std::string(argument.name), std::string(argument.json));
      }
      out.certain = entry.certain;
      residual.obligations.push_back(std::move(out));
    }
  }
}

// The verdict: allowed when some allow or grant applies and no deny blocks.
Residual decide(const RuleWalk& walk, Residual residual, std::vector<ResidualNode> not_blocking, AllowWalk allows) {
  bool allow_could_apply = !allows.applies_any.empty();
  bool deny_could_block = !not_blocking.empty();
  ResidualNode allowed = make_and(make_or(std::move(allows.applies_any)), make_and(std::move(not_blocking)));
  residual.exact = walk.partial.exact();
  if (is_false(allowed)) {
    // Why, roughly: an allow could apply but a deny blocks it wherever it
    // does; or only the clock stands in the way; or nothing allows.
    Reason reason = allow_could_apply && deny_could_block ? Reason::Forbidden
                    : !allow_could_apply && allows.outside_window ? Reason::Expired
                                                                  : Reason::NotPermitted;
    Residual out = never(reason, "");
    out.exact = residual.exact;
    return out;
  }
  residual.kind = is_true(allowed) ? ResidualKind::AlwaysAllowed : ResidualKind::Conditional;
  residual.reason = Reason::Allowed;
  if (!walk.details) return residual;
  residual.condition = polish(std::move(allowed));
  collect_obligations(walk, allows, residual);
  collect_unknowns(residual.condition, residual.unknowns);
  return residual;
}

// ---- partial evaluation ------------------------------------------------------------------

// `details` false (may_call_at_all): only the kind matters, so the rules,
// obligations and unknowns are not gathered, and a target where no allow or
// grant could apply is answered before any condition is looked at.
Residual evaluate_partially(const Engine& engine, const PartialRequest& request, const EvaluateOptions& options,
                            bool details) {
  const Model& model = engine.model();
  const Target* declared = find_target(engine, request.method, request.target);
  ConcreteRequest concrete;
  if (auto refusal = make_concrete(engine, request, declared, concrete)) return std::move(*refusal);

  PreparedRequest prepared = engine.prepare(concrete.request);
  if (!prepared.ready()) {
    Decision decision = engine.evaluate(prepared, options);
    return never(decision.reason, decision.message);
  }
  internal::Evaluator::PreparedView view = internal::Evaluator::view(prepared);
  const internal::EngineState& state = *view.engine;
  const Target& target = model.targets[view.target];
  if (&target != declared && concrete.synthetic_uri) {
    return never(Reason::Error, fmt::format("resource template `{}` is shadowed by an earlier one",
                                            request.target.substr(0, 200)));
  }
  if (&target != declared) {
    // A resource named by a concrete URI that matched a template.
    if (auto problem = mark_unknown(request, target, concrete.unknown)) {
      return never(Reason::InvalidArguments, *problem);
    }
  }
  internal::Evaluator evaluator(state, prepared, options.entities);
  internal::SymbolicEvaluator partial(state, evaluator, concrete.unknown, target);
  const RuleWalk walk{model, state, view, state.targets[view.target], target, partial, request.now_ms, details};
  if (!details && !some_allow_matches(walk)) return never(Reason::NotPermitted, "");

  Residual residual;
  std::vector<ResidualNode> not_blocking;
  if (auto refusal = walk_denies(walk, residual, not_blocking)) return std::move(*refusal);
  AllowWalk allows = walk_allows(walk, residual);
  return decide(walk, std::move(residual), std::move(not_blocking), std::move(allows));
}

}  // namespace

Residual partially_evaluate(const Engine& engine, const PartialRequest& request, const EvaluateOptions& options) {
  return evaluate_partially(engine, request, options, true);
}

bool may_call_at_all(const Engine& engine, const Principal& principal, MethodKind method, std::string_view target,
                     std::int64_t now_ms, const EvaluateOptions& options) {
  PartialRequest request;
  request.principal = principal;
  request.method = method;
  request.target = std::string(target);
  request.all_arguments_unknown = true;
  request.now_ms = now_ms;
  return evaluate_partially(engine, request, options, false).could_be_allowed();
}

}  // namespace authz::runtime
