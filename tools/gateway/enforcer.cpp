// enforcer.cpp — see enforcer.h. The allow path is the hot one: one prepare,
// one evaluate without trace, one audit append; the explanation trace and the
// "callable at all" question are computed only for refusals.
#include "tools/gateway/enforcer.h"

#include <chrono>

#include "runtime/partial_eval.h"
#include "runtime/trace_render.h"
#include "tools/gateway/callability.h"
#include "tools/gateway/json_scan.h"
#include "tools/gateway/json_text.h"
#include "tools/gateway/obligations.h"

namespace authz::gateway {
namespace {

struct MethodShape {
  runtime::MethodKind kind;
  std::string_view target_key;  // "name" or "uri"
  std::string_view data_key;    // "tool", "resource", "prompt"
  bool has_arguments;
};

constexpr std::string_view kCompletionMethod = "completion/complete";

const MethodShape* shape_of(std::string_view method) {
  static const MethodShape tool{runtime::MethodKind::ToolCall, "name", "tool", true};
  static const MethodShape resource{runtime::MethodKind::ResourceRead, "uri", "resource", false};
  static const MethodShape prompt{runtime::MethodKind::PromptGet, "name", "prompt", true};
  if (method == "tools/call") return &tool;
  if (method == "resources/read" || method == "resources/subscribe") return &resource;
  if (method == "prompts/get") return &prompt;
  return nullptr;
}

// A JSON string literal's decoded text; false when absent or not a string.
bool decode_string_member(const std::optional<std::string_view>& literal, std::string& out) {
  return literal && !literal->empty() && literal->front() == '"' && decode_json_string(*literal, out);
}

bool is_object_member(const std::optional<std::string_view>& value) {
  return value && !value->empty() && value->front() == '{';
}

// Why an allow with this obligation is refused (the gateway applies none).
std::string obligation_refusal(std::string_view what, std::string_view obligation, std::string_view rule) {
  return std::string(what) + " comes with obligation `" + std::string(obligation) + "` (rule `" + std::string(rule) +
         "`), which the gateway cannot apply, so it is refused; the server must enforce it itself";
}

// The gateway applies no obligation: an allow that carries one is refused
// (the record says deny, reason error). Returns the obligation's name, or "".
std::string refuse_unapplicable_obligation(runtime::Decision& decision) {
  if (!decision.allowed()) return {};
  const auto* obligation = first_unapplicable_obligation(decision);
  if (!obligation) return {};
  std::string name(obligation->name);
  decision.effect = runtime::Effect::Deny;
  decision.reason = runtime::Reason::Error;
  decision.message = obligation_refusal("the call", name, obligation->rule);
  return name;
}

}  // namespace

bool is_decided_method(std::string_view method) {
  return shape_of(method) != nullptr || method == kCompletionMethod;
}

Enforcer::Enforcer(runtime::Principal principal, std::shared_ptr<const runtime::EntityResolver> entities,
                   AuditSink* audit, LogFunction log)
    : entities_(std::move(entities)), audit_(audit), log_(std::move(log)) {
  request_.principal = std::move(principal);
}

runtime::EvaluateOptions Enforcer::evaluate_options() const {
  runtime::EvaluateOptions options;
  options.entities = entities_.get();
  return options;
}

bool Enforcer::decide(const runtime::Engine& engine, const runtime::Engine* shadow, const Message& message,
                      std::int64_t now_ms, std::string& reply) {
  if (message.method == kCompletionMethod) return decide_completion(engine, shadow, message, now_ms, reply);
  const MethodShape* shape = shape_of(message.method);
  if (!shape) return true;  // not a protected method
  if (!message.params_is_object) {
    reply = error_response(message.id, kInvalidParams, "invalid params: `params` must be an object");
    return false;
  }
  const std::string_view keys[2] = {shape->target_key, "arguments"};
  std::optional<std::string_view> members[2];
  // A canonical message's params are canonical too: the recogniser that read
  // the line (its code still in cache) lists their members; otherwise scan.
  if (message.canonical && runtime::internal::canonical_json_object(message.params, &params_members_)) {
    for (const auto& member : params_members_) {
      for (std::size_t i = 0; i < 2; ++i) {
        if (!members[i] && member.key == keys[i]) members[i] = member.value;  // one spelling per key
      }
    }
  } else {
    find_members(message.params, keys, members);
  }
  const auto& target_literal = members[0];
  std::string& target = request_.target;  // decoded in place: its buffer is reused
  if (!target_literal || target_literal->empty() || target_literal->front() != '"' ||
      !decode_json_string(*target_literal, target)) {
    reply = error_response(message.id, kInvalidParams,
                           "invalid params: `" + std::string(shape->target_key) + "` must be a string");
    return false;
  }
  std::string_view arguments;
  if (shape->has_arguments) {
    const auto& found = members[1];
    if (found && *found != "null") {
      if (found->empty() || found->front() != '{') {
        reply = error_response(message.id, kInvalidParams, "invalid params: `arguments` must be an object");
        return false;
      }
      arguments = *found;
    }
  }

  auto started = std::chrono::steady_clock::now();
  request_.method = shape->kind;
  request_.arguments_json.assign(arguments.data(), arguments.size());
  request_.now_ms = now_ms;
  engine.prepare(request_, prepared_);
  auto options = evaluate_options();
  engine.evaluate(prepared_, options, decision_);

  std::string refused_obligation = refuse_unapplicable_obligation(decision_);
  std::int64_t evaluation_ns = elapsed_ns(started);
  std::int64_t shadow_ns = 0;
  if (shadow) {
    // Decided like the primary, recorded only; the primary's decision_ and
    // prepared_ (which a refusal's explanation reads) are untouched.
    auto shadow_started = std::chrono::steady_clock::now();
    shadow->prepare(request_, shadow_prepared_);
    shadow->evaluate(shadow_prepared_, options, shadow_decision_);
    refuse_unapplicable_obligation(shadow_decision_);
    shadow_ns = elapsed_ns(shadow_started);
  }
  const runtime::Decision* shadow_decision = shadow ? &shadow_decision_ : nullptr;

  if (audit_) {
    runtime::make_audit_record(record_, request_, decision_, engine, evaluation_ns, message.method);
    if (shadow) runtime::set_audit_shadow(record_, shadow_decision_, *shadow);
    std::string error;
    if (!audit_->append(record_, error)) {
      notify(message.method, decision_, shadow_decision, evaluation_ns, shadow_ns, false);
      log_("audit log write failed, " + std::string(message.method) + " `" + request_.target +
           "` refused (fail closed): " + error);
      reply = error_response(message.id, kInternalError, "access denied: the audit log cannot be written",
                             {{"reason", "audit_unavailable"}, {shape->data_key, request_.target},
                              {"decision_id", record_.decision_id}});
      return false;
    }
  }
  notify(message.method, decision_, shadow_decision, evaluation_ns, shadow_ns, true);
  if (decision_.allowed()) return true;
  return refuse(engine, prepared_, message, !refused_obligation.empty(), reply);
}

void Enforcer::notify(std::string_view method, const runtime::Decision& decision, const runtime::Decision* shadow,
                      std::int64_t evaluation_ns, std::int64_t shadow_ns, bool audited) const {
  if (!observer_) return;
  if (!audited) observer_->on_audit_failure();
  DecisionEvent event;
  event.method = method;
  event.effect = runtime::to_string(decision.effect);
  event.reason = runtime::to_string(decision.reason);
  event.rules = decision.determining_rules;
  event.evaluation_ns = evaluation_ns;
  event.shadow_ns = shadow_ns;
  if (shadow) event.shadow = runtime::shadow_change(decision, *shadow);
  event.audited = audited;
  observer_->on_decision(event);
}

bool Enforcer::refuse(const runtime::Engine& engine, const runtime::PreparedRequest& prepared, const Message& message,
                      bool for_obligation, std::string& reply) {
  const MethodShape* shape = shape_of(message.method);
  std::string decision_id = decision_.id.hex();
  std::string_view reason = runtime::to_string(decision_.reason);
  std::string summary =
      runtime::render_denial_summary(decision_, shape->data_key, request_.target, request_.principal.id);

  bool argument_level = false;
  if (shape->kind == runtime::MethodKind::ToolCall) {
    // A tool the user could call with other arguments (or at another time)
    // gets a tool result the assistant can read and act on.
    if (decision_.reason == runtime::Reason::Expired) {
      argument_level = true;
    } else if (decision_.reason != runtime::Reason::UnknownTarget) {
      argument_level = could_call(engine, request_.principal, shape->kind, request_.target, request_.now_ms,
                                  evaluate_options());
    }
  }
  if (!argument_level) {
    reply = error_response(message.id, kInvalidParams, "access denied by policy: " + summary,
                           {{"reason", reason}, {shape->data_key, request_.target}, {"decision_id", decision_id}});
    return false;
  }

  std::string text = "access denied by policy: " + summary;
  if (!for_obligation) {
    // The explanation: which rules were considered and why they did not
    // allow, with values from entity data hidden.
    runtime::EvaluateOptions traced = evaluate_options();
    traced.trace = true;
    runtime::Decision explained = engine.evaluate(prepared, traced);
    text += "\n\n" + runtime::render_text(explained, runtime::Audience::EndUser);
  }
  text += "\n(decision " + decision_id + ")";
  reply = tool_error_result(message.id, text, decision_id, reason);
  return false;
}

void Enforcer::completion_decision(const runtime::Engine& engine, bool prompt, const std::string& target,
                                   std::int64_t now_ms, runtime::Residual& residual,
                                   runtime::Decision& decision) const {
  const runtime::MethodKind kind = prompt ? runtime::MethodKind::PromptGet : runtime::MethodKind::ResourceRead;
  const runtime::TargetKind target_kind = prompt ? runtime::TargetKind::Prompt : runtime::TargetKind::Resource;
  const std::string_view data_key = prompt ? "prompt" : "resource";
  const auto options = evaluate_options();
  const bool listed = may_list(engine, request_.principal, prompt ? ListKind::Prompts : ListKind::ResourceTemplates,
                               target, now_ms, options);
  runtime::PartialRequest partial;
  partial.principal = request_.principal;
  partial.method = kind;
  partial.target = target;
  partial.all_arguments_unknown = true;
  partial.now_ms = now_ms;
  residual = runtime::partially_evaluate(engine, partial, options);

  decision.id = engine.new_decision_id();
  decision.target_kind = target_kind;
  if (auto index = engine.find_target(target_kind, target); index != runtime::kNoIndex) {
    decision.target_index = index;
    decision.target = engine.model().targets[index].name;
  }
  decision.effect = listed ? runtime::Effect::Allow : runtime::Effect::Deny;
  decision.reason = listed                        ? runtime::Reason::Allowed
                    : residual.could_be_allowed() ? runtime::Reason::NotPermitted
                                                  : residual.reason;
  if (!listed) decision.message = residual.message;
  for (const runtime::CandidateRule& rule : residual.rules) {
    if ((rule.effect == runtime::Effect::Allow) == listed) decision.determining_rules.push_back(rule.id);
  }
  if (listed && !residual.obligations.empty()) {
    // An allow that could apply carries an obligation: prompts/get and
    // resources/read would be refused, and so are their completions.
    const runtime::ResidualObligation& obligation = residual.obligations.front();
    decision.effect = runtime::Effect::Deny;
    decision.reason = runtime::Reason::Error;
    decision.message = obligation_refusal("completing arguments of " + std::string(data_key) + " `" + target + "`",
                                          obligation.name, obligation.rule);
  }
}

bool Enforcer::decide_completion(const runtime::Engine& engine, const runtime::Engine* shadow,
                                 const Message& message, std::int64_t now_ms, std::string& reply) {
  auto invalid = [&](std::string_view why) {
    reply = error_response(message.id, kInvalidParams, "invalid params: " + std::string(why));
    return false;
  };
  if (!message.params_is_object) return invalid("`params` must be an object");
  const std::string_view keys[2] = {"ref", "argument"};
  std::optional<std::string_view> members[2];
  find_members(message.params, keys, members);
  if (!is_object_member(members[0])) return invalid("`ref` must be an object");
  const std::string_view ref_keys[3] = {"type", "name", "uri"};
  std::optional<std::string_view> ref[3];
  find_members(*members[0], ref_keys, ref);
  std::string type;
  if (!decode_string_member(ref[0], type) || (type != "ref/prompt" && type != "ref/resource")) {
    return invalid("`ref.type` must be `ref/prompt` or `ref/resource`");
  }
  const bool prompt = type == "ref/prompt";
  std::string& target = request_.target;  // decoded in place: its buffer is reused
  if (!decode_string_member(ref[prompt ? 1 : 2], target)) {
    return invalid(prompt ? "`ref.name` must be a string" : "`ref.uri` must be a string");
  }
  if (!is_object_member(members[1])) return invalid("`argument` must be an object");
  const std::string_view argument_keys[2] = {"name", "value"};
  std::optional<std::string_view> argument[2];
  find_members(*members[1], argument_keys, argument);
  std::string argument_name;
  std::string argument_value;
  if (!decode_string_member(argument[0], argument_name)) return invalid("`argument.name` must be a string");
  if (!decode_string_member(argument[1], argument_value)) return invalid("`argument.value` must be a string");

  // The rule: completions of an entry's arguments iff the entry would be
  // listed for this user (may_list, the list filter's own rule); a resource
  // `uri` is decided as a resources/templates/list entry. The partial
  // evaluation in detail says why, for the record and the refusal.
  auto started = std::chrono::steady_clock::now();
  const runtime::MethodKind kind = prompt ? runtime::MethodKind::PromptGet : runtime::MethodKind::ResourceRead;
  const std::string_view data_key = prompt ? "prompt" : "resource";
  runtime::Residual residual;
  runtime::Decision decision;  // its rule views point into `residual`
  completion_decision(engine, prompt, target, now_ms, residual, decision);
  // The record's arguments: the one being completed (sensitive ones redacted).
  request_.method = kind;
  request_.arguments_json.assign("{");
  append_json_string(request_.arguments_json, argument_name);
  request_.arguments_json += ':';
  append_json_string(request_.arguments_json, argument_value);
  request_.arguments_json += '}';
  request_.now_ms = now_ms;
  std::int64_t evaluation_ns = elapsed_ns(started);
  runtime::Residual shadow_residual;
  runtime::Decision shadow_decision;
  std::int64_t shadow_ns = 0;
  if (shadow) {
    auto shadow_started = std::chrono::steady_clock::now();
    completion_decision(*shadow, prompt, target, now_ms, shadow_residual, shadow_decision);
    shadow_ns = elapsed_ns(shadow_started);
  }

  std::string decision_id = decision.id.hex();
  if (audit_) {
    runtime::make_audit_record(record_, request_, decision, engine, evaluation_ns, kCompletionMethod);
    if (shadow) runtime::set_audit_shadow(record_, shadow_decision, *shadow);
    std::string error;
    if (!audit_->append(record_, error)) {
      notify(kCompletionMethod, decision, shadow ? &shadow_decision : nullptr, evaluation_ns, shadow_ns, false);
      log_("audit log write failed, " + std::string(kCompletionMethod) + " `" + target +
           "` refused (fail closed): " + error);
      reply = error_response(message.id, kInternalError, "access denied: the audit log cannot be written",
                             {{"reason", "audit_unavailable"}, {data_key, target}, {"decision_id", decision_id}});
      return false;
    }
  }
  notify(kCompletionMethod, decision, shadow ? &shadow_decision : nullptr, evaluation_ns, shadow_ns, true);
  if (decision.allowed()) return true;
  std::string summary = runtime::render_denial_summary(decision, data_key, target, request_.principal.id);
  reply = error_response(message.id, kInvalidParams, "access denied by policy: " + summary,
                         {{"reason", runtime::to_string(decision.reason)}, {data_key, target}, {"decision_id", decision_id}});
  return false;
}

}  // namespace authz::gateway
