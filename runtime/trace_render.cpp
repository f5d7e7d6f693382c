// trace_render.cpp — see trace_render.h.
#include "runtime/trace_render.h"

#include <fmt/format.h>

#include "runtime/internal/json_array.h"
#include "runtime/internal/obligation_json.h"
#include "runtime/internal/value_text.h"

namespace authz::runtime {
namespace {

constexpr std::string_view kHidden = "(hidden)";

std::string join(const std::vector<std::string_view>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::string shown(const TraceValue& value, Audience audience) {
  return audience == Audience::EndUser && value.from_entity_data ? std::string(kHidden) : value.text;
}

std::string summary(const Decision& decision) {
  std::string rules = join(decision.determining_rules, ", ");
  switch (decision.reason) {
    case Reason::Allowed: return "allowed by " + rules;
    case Reason::Forbidden: return "forbidden by " + rules;
    case Reason::NotPermitted: return "no allow rule applies (default deny)";
    case Reason::Expired: return "access has expired or is not yet in force: " + rules;
    case Reason::UnknownTarget:
    case Reason::InvalidArguments:
    case Reason::Error:
      return decision.message;
  }
  return decision.message;
}

std::string location(const RuleTrace& rule) {
  if (rule.file.empty() && rule.line == 0) return "";
  return fmt::format(" ({}:{}:{})", rule.file, rule.line, rule.column);
}

std::string outcome_text(const RuleTrace& rule, const Decision& decision, Audience audience) {
  switch (rule.outcome) {
    case RuleOutcome::Applied: return rule.effect == Effect::Deny ? "applies (deny)" : "applies";
    case RuleOutcome::SubjectMismatch: {
      std::string user = decision.trace ? decision.trace->principal : std::string("the user");
      if (rule.is_grant) return "not applicable: granted to another user";
      if (!rule.missing_roles.empty()) {
        return fmt::format("not applicable: {} lacks role{} {}{}", user, rule.missing_roles.size() > 1 ? "s" : "",
                           join(rule.missing_roles, ", "), rule.names_users ? " and is not a named user" : "");
      }
      return fmt::format("not applicable: the rule is for other users");
    }
    case RuleOutcome::NotYetInForce: return fmt::format("not yet in force ({})", rule.window);
    case RuleOutcome::Expired: return fmt::format("expired ({})", rule.window);
    case RuleOutcome::ConditionFalse: return "condition false";
    case RuleOutcome::UnlessHeld: return "exception holds (unless)";
    case RuleOutcome::ConditionError:
      return fmt::format("{} condition could not be evaluated: {}", rule.clause,
                         audience == Audience::EndUser ? rule.error_for_end_user : rule.error);
    case RuleOutcome::NotEvaluated: return "not evaluated (a deny rule decided)";
  }
  return "?";
}

std::string kind_of(const RuleTrace& rule) {
  return rule.is_grant ? "grant" : to_string(rule.effect);
}

}  // namespace

std::string render_text(const Decision& decision, Audience audience) {
  std::string out = fmt::format("{}  {}", decision.allowed() ? "ALLOW" : "DENY",
                                decision.target.empty() ? std::string("(unknown target)") : std::string(decision.target));
  if (decision.trace) {
    std::vector<std::string_view> roles(decision.trace->roles.begin(), decision.trace->roles.end());
    out += fmt::format("  user={} roles=[{}]", decision.trace->principal, join(roles, ", "));
  }
  out += fmt::format("  reason={}\n", to_string(decision.reason));
  out += fmt::format("  {}\n", summary(decision));
  for (const AppliedObligation& obligation : decision.obligations) {
    std::string arguments;
    for (const ObligationArgument& argument : obligation.arguments) {
      if (!arguments.empty()) arguments += ", ";
      arguments += fmt::format("{}: {}", argument.name, render_value(argument.value, TextStyle::Language));
    }
    out += fmt::format("  with {}({})  [{}]\n", obligation.name, arguments, obligation.rule);
  }
  if (!decision.trace) return out;
  for (const RuleTrace& rule : decision.trace->rules) {
    out += fmt::format("  - {} {}{}: {}\n", kind_of(rule), rule.rule, location(rule), outcome_text(rule, decision, audience));
    bool explained = rule.outcome == RuleOutcome::ConditionFalse || rule.outcome == RuleOutcome::UnlessHeld ||
                     (rule.outcome == RuleOutcome::Applied && !rule.expression.empty());
    if (explained) {
      out += fmt::format("      {}: {}", rule.clause, rule.expression);
      if (rule.left && rule.right) {
        out += fmt::format("  ->  {} {} {}", shown(*rule.left, audience), rule.operator_text,
                           shown(*rule.right, audience));
      }
      out += '\n';
    }
  }
  return out;
}

std::string render_json(const Decision& decision, Audience audience) {
  std::string out = "{";
  auto key = [&](std::string_view name) {
    if (out.size() > 1 && out.back() != '{' && out.back() != '[') out += ',';
    append_quoted(out, name);
    out += ':';
  };
  auto string_field = [&](std::string_view name, std::string_view value) {
    key(name);
    append_quoted(out, value);
  };
  string_field("decision_id", decision.id.hex());
  string_field("effect", decision.allowed() ? "allow" : "deny");
  string_field("reason", to_string(decision.reason));
  string_field("target", decision.target);
  string_field("target_kind", to_string(decision.target_kind));
  key("determining_rules");
  internal::append_quoted_array(out, decision.determining_rules);
  key("obligations");
  internal::append_json_array(out, decision.obligations, internal::append_obligation_json<AppliedObligation>);
  string_field("message", decision.message);
  if (decision.trace) {
    const Trace& trace = *decision.trace;
    key("trace");
    out += "{\"principal\":";
    append_quoted(out, trace.principal);
    out += ",\"roles\":";
    internal::append_quoted_array(out, trace.roles);
    out += ",\"rules\":[";
    for (std::size_t i = 0; i < trace.rules.size(); ++i) {
      const RuleTrace& rule = trace.rules[i];
      if (i) out += ',';
      out += '{';
      string_field("rule", rule.rule);
      string_field("kind", kind_of(rule));
      if (!rule.file.empty() || rule.line) string_field("location", fmt::format("{}:{}:{}", rule.file, rule.line, rule.column));
      string_field("outcome", to_string(rule.outcome));
      if (!rule.missing_roles.empty()) {
        key("missing_roles");
        internal::append_quoted_array(out, rule.missing_roles);
      }
      if (!rule.clause.empty()) string_field("clause", rule.clause);
      if (!rule.expression.empty()) string_field("expression", rule.expression);
      if (!rule.operator_text.empty()) string_field("operator", rule.operator_text);
      // Values go out as JSON; a hidden one as `"left_hidden": true` instead.
      auto value_field = [&](std::string_view name, const std::optional<TraceValue>& value) {
        if (!value) return;
        if (audience == Audience::EndUser && value->from_entity_data) {
          key(fmt::format("{}_hidden", name));
          out += "true";
        } else {
          key(name);
          out += value->json;
        }
      };
      value_field("left", rule.left);
      value_field("right", rule.right);
      if (!rule.error.empty()) {
        string_field("error", audience == Audience::EndUser ? rule.error_for_end_user : rule.error);
      }
      if (!rule.window.empty()) string_field("window", rule.window);
      out += '}';
    }
    out += "]}";
  }
  out += '}';
  return out;
}

namespace {

std::string join_rules(const Decision& decision) {
  std::string out;
  for (auto rule : decision.determining_rules) {
    if (!out.empty()) out += ", ";
    out += '`';
    out += rule;
    out += '`';
  }
  return out;
}

}  // namespace

std::string render_denial_summary(const Decision& decision, std::string_view what, std::string_view target,
                                  std::string_view user) {
  std::string named = std::string(what) + " `" + std::string(target) + "`";
  // Partial evaluation (completion/complete) may name no rule.
  const bool rules = !decision.determining_rules.empty();
  switch (decision.reason) {
    case Reason::Forbidden: return named + " is forbidden" + (rules ? " by " + join_rules(decision) : "");
    case Reason::NotPermitted: return "no rule allows user `" + std::string(user) + "` to use " + named;
    case Reason::Expired:
      return "access to " + named + " has expired or is not yet in force" +
             (rules ? " (" + join_rules(decision) + ")" : "");
    case Reason::UnknownTarget: return "the policy does not declare " + named;
    case Reason::InvalidArguments:
    case Reason::Error:
    case Reason::Allowed:
      break;
  }
  return decision.message.empty() ? named + " is refused" : decision.message;
}

}  // namespace authz::runtime
