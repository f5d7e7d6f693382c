// checker_rules.cpp — the checker's rule and grant phase: ids, subjects,
// target sets, validity windows, and the obligation calls an allow attaches.
//
// Contract (Checker, checker_internal.h): runs after declarations, types and
// role and group closures. Rule and grant ids share one namespace; each repeat
// is reported once against its first use. Each rule and grant becomes one
// CheckedRule / CheckedGrant in source order (files in load order), even when
// it has errors. A rule's target set is shared storage: a single target, a
// group, `read` or `write` reuse their precomputed span, and any other union
// is interned once (interned_sets_), so 100k rules cost linear time and
// memory. Conditions are typed by checker_expressions.cpp with a scope of the
// rule's targets; a `when` guard does not carry into `unless`. Obligation
// arguments must be constants of the parameter's type and become Constant
// values; an obligation call with any error is dropped (its argument
// expressions are still typed, or poisoned, so none is left untyped).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compiler/checker_internal.h"

namespace authz::checker_internal {
namespace {

using ast::Expr;
using ast::ExprKind;

// A literal, a role name, a negated Int or Duration literal, or a list of
// those: what an obligation argument may be.
bool is_constant(const Expr* expr) {
  if (expr == nullptr) return false;
  switch (expr->kind) {
    case ExprKind::Bool:
    case ExprKind::Int:
    case ExprKind::String:
    case ExprKind::Timestamp:
    case ExprKind::Duration:
    case ExprKind::Name:  // a role
      return true;
    case ExprKind::Negate:
      return expr->children.size() == 1 && expr->children[0] &&
             (expr->children[0]->kind == ExprKind::Int || expr->children[0]->kind == ExprKind::Duration);
    case ExprKind::List:
      return std::all_of(expr->children.begin(), expr->children.end(),
                         [](const ast::ExprPtr& child) { return is_constant(child.get()); });
    default: return false;
  }
}

// A constant of type `from` can be passed where `to` is expected.
bool assignable(const Type* from, const Type* to) {
  if (from == to || from->is_error() || to->is_error()) return true;
  if (from->kind == TypeKind::Int && to->kind == TypeKind::Number) return true;
  if (from->kind == TypeKind::EmptyList) return to->kind == TypeKind::Set || to->kind == TypeKind::List;
  if (from->kind == TypeKind::List && (to->kind == TypeKind::Set || to->kind == TypeKind::List))
    return assignable(from->element, to->element);
  return false;
}

}  // namespace

// ---- target sets -------------------------------------------------------------------

// The target set a rule or grant names, shared where possible.
std::span<const TargetIndex> Checker::resolve_targets(const std::vector<ast::Target>& targets, bool& incomplete) {
  std::vector<std::span<const TargetIndex>> parts;
  for (const ast::Target& target : targets) {
    switch (target.kind) {
      case ast::Target::Kind::AllRead: parts.push_back(p_.read_targets); break;
      case ast::Target::Kind::AllWrite: parts.push_back(p_.write_targets); break;
      case ast::Target::Kind::Named:
        if (const TargetIndex* index = find_in(p_.target_index, target.name)) {
          parts.push_back(all_targets_.subspan(*index, 1));
        } else if (const std::uint32_t* group = find_in(p_.group_index, target.name)) {
          parts.push_back(p_.groups[*group].targets);
        } else {
          unknown_target(target);
          incomplete = true;
        }
        break;
    }
  }
  if (parts.empty()) return {};
  if (parts.size() == 1) return parts[0];
  std::vector<TargetIndex> set;
  for (auto part : parts) set.insert(set.end(), part.begin(), part.end());
  sort_unique(set);
  auto [slot, inserted] = interned_sets_.try_emplace(set);
  if (inserted) slot->second = store(std::move(set));
  return slot->second;
}

// ---- rule and grant ids ------------------------------------------------------------

void Checker::check_duplicate_ids() {
  // Keys view the ids inside the ASTs, which outlive this map.
  std::unordered_map<std::string_view, Span> seen;
  std::size_t total = 0;
  for (const ast::File* file : files()) total += file->rules.size() + file->grants.size();
  seen.reserve(total);
  for (const ast::File* file : files()) {
    std::vector<const ast::Name*> ids;
    for (const auto& rule : file->rules) ids.push_back(&rule.id);
    for (const auto& grant : file->grants) ids.push_back(&grant.id);
    std::stable_sort(ids.begin(), ids.end(),
                     [](const ast::Name* a, const ast::Name* b) { return a->span.begin < b->span.begin; });
    for (const ast::Name* id : ids) {
      auto [slot, inserted] = seen.emplace(id->text, id->span);
      if (inserted) continue;
      error(DiagCode::DuplicateRuleId, id->span, "id " + bq(id->text) + " is used twice",
            "give every rule and grant its own id")
          .notes.push_back({slot->second, bq(id->text) + " was first used here"});
    }
  }
}

// ---- rules and grants --------------------------------------------------------------

void Checker::check_window(const std::optional<ast::TimeBound>& from, const std::optional<ast::TimeBound>& until) {
  if (from && until && from->millis >= until->millis) {
    error(DiagCode::EmptyValidityWindow, until->span, "`until` is not after `from`, so this never applies",
          "make `until` later than `from`")
        .notes.push_back({from->span, "`from` is here"});
  }
}

void Checker::check_rules_and_grants() {
  std::size_t rules = 0, grants = 0;
  for (const ast::File* file : files()) {
    rules += file->rules.size();
    grants += file->grants.size();
  }
  p_.rules.reserve(rules);
  p_.grants.reserve(grants);
  for (const ast::File* file : files()) {
    for (const ast::RuleDecl& rule : file->rules) check_rule(rule);
    for (const ast::GrantDecl& grant : file->grants) check_grant(grant);
  }
}

void Checker::check_rule(const ast::RuleDecl& decl) {
  CheckedRule rule;
  rule.index = static_cast<std::uint32_t>(p_.rules.size());
  rule.decl = &decl;
  rule.effect = decl.effect;
  rule.id = decl.id.text;
  rule.span = decl.id.span;
  const bool allow = decl.effect == ast::Effect::Allow;

  if (!decl.doc || decl.doc->text.find_first_not_of(" \t\r\n") == std::string::npos) {
    error(DiagCode::MissingDocComment, decl.id.span, "rule " + bq(decl.id.text) + " has no doc comment",
          "add a `///` line above the rule saying why it exists");
  }

  check_subjects(decl, rule);

  // Targets and window.
  ExprScope scope;
  rule.targets = resolve_targets(decl.targets, scope.targets_incomplete);
  scope.targets = rule.targets;
  if (decl.from) rule.from = decl.from->millis;
  if (decl.until) rule.until = decl.until->millis;
  check_window(decl.from, decl.until);

  // Conditions: a `when` guard does not carry into `unless`.
  if (decl.when) {
    check_condition(*decl.when, scope, "when");
    rule.when = decl.when.get();
  }
  if (decl.unless) {
    scope.guards.clear();
    check_condition(*decl.unless, scope, "unless");
    rule.unless = decl.unless.get();
  }

  if (allow && rule.anyone && !decl.when && !decl.unless && !p_.targets.empty() &&
      rule.targets.size() == p_.targets.size()) {
    error(DiagCode::AllowEverything, decl.id.span,
          "rule " + bq(decl.id.text) + " allows every call to everyone",
          "name the roles it is for, narrow the targets, or add a `when` condition");
  }

  // Obligations.
  for (const ast::ObligationUse& use : decl.obligations) {
    if (!allow) {
      error(DiagCode::ObligationOnDeny, use.name.span, "obligation " + bq(use.name.text) + " is attached to a deny rule",
            "obligations only apply to allowed calls; remove the `with` clause");
      continue;
    }
    if (auto call = check_obligation_use(use)) rule.obligations.push_back(std::move(*call));
  }
  p_.rules.push_back(std::move(rule));
}

// Who a rule is for: `anyone`, users (unique, as written), roles (resolved,
// unique) and the roles whose holders match. A deny with no subjects written
// applies to anyone; an allow must name them.
void Checker::check_subjects(const ast::RuleDecl& decl, CheckedRule& rule) {
  if (!decl.subjects_given) {
    if (decl.effect == ast::Effect::Allow) {
      error(DiagCode::AllowWithoutSubjects, decl.id.span, "allow rule " + bq(decl.id.text) + " names no subjects",
            "say who it is for, e.g. `allow " + decl.id.text + ": rep may ...` or `anyone may ...`");
    } else {
      rule.anyone = true;
    }
  }
  for (const ast::Subject& subject : decl.subjects) {
    switch (subject.kind) {
      case ast::Subject::Kind::Anyone: rule.anyone = true; break;
      case ast::Subject::Kind::User:
        if (subject.name.empty()) {
          error(DiagCode::EmptyUserId, subject.span, "user id is empty", "write the user's id, e.g. `user \"u-ann\"`");
        } else if (std::find(rule.users.begin(), rule.users.end(), subject.name) == rule.users.end()) {
          rule.users.push_back(subject.name);
        }
        break;
      case ast::Subject::Kind::Role:
        if (const CheckedRole* role = p_.find_role(subject.name)) {
          if (std::find(rule.roles.begin(), rule.roles.end(), role->index) == rule.roles.end())
            rule.roles.push_back(role->index);
        } else {
          unknown_role(subject.span, subject.name, "");
        }
        break;
    }
  }
  for (RoleIndex role : rule.roles) {
    const auto& by = p_.roles[role].included_by;
    rule.matching_roles.insert(rule.matching_roles.end(), by.begin(), by.end());
  }
  if (rule.roles.size() > 1) sort_unique(rule.matching_roles);
}

void Checker::check_grant(const ast::GrantDecl& decl) {
  CheckedGrant grant;
  grant.index = static_cast<std::uint32_t>(p_.grants.size());
  grant.decl = &decl;
  grant.id = decl.id.text;
  grant.span = decl.id.span;
  grant.user = decl.user;
  if (decl.user.empty())
    error(DiagCode::EmptyUserId, decl.user_span, "user id is empty", "write the user's id, e.g. `user \"u-alice\"`");
  bool incomplete = false;
  grant.targets = resolve_targets(decl.targets, incomplete);
  if (decl.from) grant.from = decl.from->millis;
  if (decl.until) {
    grant.until = decl.until->millis;
  } else {
    error(DiagCode::GrantWithoutExpiry, decl.id.span, "grant " + bq(decl.id.text) + " has no `until`",
          "grants are temporary; add an end, e.g. `until 2026-12-01T00:00:00Z`");
  }
  if (!decl.because) {
    error(DiagCode::GrantWithoutReason, decl.id.span, "grant " + bq(decl.id.text) + " has no `because`",
          "say why it exists, e.g. `because \"INC-4521\"`");
  } else {
    grant.reason = *decl.because;
    if (decl.because->find_first_not_of(" \t\r\n") == std::string::npos)
      error(DiagCode::EmptyGrantReason, decl.because_span, "grant reason is empty",
            "say why the grant exists, e.g. a ticket id");
  }
  check_window(decl.from, decl.until);
  p_.grants.push_back(std::move(grant));
}

// ---- obligation calls --------------------------------------------------------------

// An obligation call `with name(param: value, ...)` on an allow: each argument
// names a parameter once and is a constant of its type, every required
// parameter is given. Null when anything is wrong (all of it reported).
std::optional<ObligationCall> Checker::check_obligation_use(const ast::ObligationUse& use) {
  const CheckedObligation* obligation = p_.find_obligation(use.name.text);
  if (obligation == nullptr) {
    unknown_obligation(use);
    return std::nullopt;
  }
  ObligationCall call;
  call.obligation = obligation->index;
  call.use = &use;
  std::vector<const ast::NamedArgument*> by_param(obligation->params.size(), nullptr);
  bool ok = true;
  for (const ast::NamedArgument& argument : use.arguments) {
    const Attribute* param = obligation->params.find(argument.name.text);
    if (param == nullptr) {
      std::string help;
      if (want_suggestions()) {
        std::vector<std::string_view> names;
        for (const Attribute& a : obligation->params) names.push_back(a.name);
        help = did_you_mean(argument.name.text, names);
      }
      if (help.empty()) help = "remove it; " + bq(obligation->name) + " takes " + param_list(obligation->params);
      error(DiagCode::ObligationUnknownArgument, argument.name.span,
            "obligation " + bq(obligation->name) + " has no parameter " + bq(argument.name.text), help)
          .notes.push_back({obligation->span, bq(obligation->name) + " is declared here"});
      poison(argument.value.get());
      ok = false;
      continue;
    }
    std::size_t index = static_cast<std::size_t>(param - obligation->params.all().data());
    if (by_param[index] != nullptr) {
      error(DiagCode::ObligationUnknownArgument, argument.name.span, "argument " + bq(argument.name.text) + " is given twice",
            "remove one of them")
          .notes.push_back({by_param[index]->name.span, "first given here"});
      poison(argument.value.get());
      ok = false;
      continue;
    }
    by_param[index] = &argument;
    const Expr* value = argument.value.get();
    if (value == nullptr) { ok = false; continue; }
    if (!is_constant(value)) {
      error(DiagCode::ObligationArgumentNotConstant, value->span,
            "obligation argument " + bq(argument.name.text) + " must be a constant",
            "write a literal value such as `5`, `\"text\"` or `1h`");
      poison(argument.value.get());
      ok = false;
      continue;
    }
    ExprScope scope;
    scope.args_allowed = false;
    const Type* type = check(*argument.value, scope);
    const Type* wanted = TypeContext::required(param->type);
    if (type->is_error() || wanted->is_error()) { ok = false; continue; }
    if (!assignable(type, wanted)) {
      error(DiagCode::ObligationArgumentType, value->span,
            "obligation argument " + bq(argument.name.text) + " expects " + bq(wanted) + ", found " + bq(type))
          .notes.push_back({param->span, bq(argument.name.text) + " is declared here"});
      ok = false;
      continue;
    }
    call.arguments.push_back({param->name, static_cast<std::uint32_t>(index), to_constant(*value, wanted)});
  }
  if (!all_arguments_given(use, *obligation, by_param)) ok = false;
  std::sort(call.arguments.begin(), call.arguments.end(),
            [](const ObligationArgument& a, const ObligationArgument& b) { return a.param < b.param; });
  if (!ok) return std::nullopt;
  return call;
}

// Reports a call of an undeclared obligation; its arguments are poisoned.
void Checker::unknown_obligation(const ast::ObligationUse& use) {
  std::string help;
  if (want_suggestions()) {
    std::vector<std::string_view> names;
    for (const CheckedObligation& o : p_.obligations) names.push_back(o.name);
    help = did_you_mean(use.name.text, names);
  }
  if (help.empty()) help = "declare it with `obligation " + use.name.text + "(...);`";
  error(DiagCode::UnknownObligation, use.name.span, "unknown obligation " + bq(use.name.text), help);
  for (const auto& argument : use.arguments) poison(argument.value.get());
}

// Whether every required parameter has an argument (`by_param`, in parameter
// order); reports the missing ones in one diagnostic.
bool Checker::all_arguments_given(const ast::ObligationUse& use, const CheckedObligation& obligation,
                                  const std::vector<const ast::NamedArgument*>& by_param) {
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < by_param.size(); ++i) {
    const Attribute& param = obligation.params.all()[i];
    if (by_param[i] == nullptr && !param.optional()) missing.push_back(param.name);
  }
  if (missing.empty()) return true;
  std::string list;
  std::string example;
  for (const std::string& name : missing) {
    list += (list.empty() ? "" : ", ") + bq(name);
    example += (example.empty() ? "" : ", ") + name + ": ...";
  }
  error(DiagCode::ObligationMissingArgument, use.name.span,
        "obligation " + bq(obligation.name) + " is missing " + (missing.size() == 1 ? "argument " : "arguments ") + list,
        "write `" + obligation.name + "(" + example + ")`")
      .notes.push_back({obligation.span, bq(obligation.name) + " is declared here"});
  return false;
}

// The value of a constant expression (is_constant) checked as `type`.
Constant Checker::to_constant(const Expr& expr, const Type* type) {
  Constant constant;
  constant.type = type;
  switch (expr.kind) {
    case ExprKind::Bool: constant.bool_value = expr.bool_value; break;
    case ExprKind::Int:
    case ExprKind::Timestamp:
    case ExprKind::Duration:
      constant.int_value = expr.int_value;
      constant.number_value = static_cast<double>(expr.int_value);
      break;
    case ExprKind::Negate:
      constant.int_value = -expr.children[0]->int_value;
      constant.number_value = -static_cast<double>(expr.children[0]->int_value);
      break;
    case ExprKind::String: constant.string_value = expr.text; break;
    case ExprKind::Name:
      constant.string_value = expr.text;
      if (const CheckedRole* role = p_.find_role(expr.text)) constant.int_value = role->index;
      break;
    case ExprKind::List:
      for (const auto& child : expr.children)
        constant.elements.push_back(to_constant(*child, type->element ? type->element : type));
      break;
    default: break;
  }
  return constant;
}

// Marks an expression that will not be checked, so nothing downstream sees a null type.
void Checker::poison(Expr* expr) {
  if (expr == nullptr) return;
  expr->type = types_.error_type();
  for (auto& child : expr->children) poison(child.get());
}

}  // namespace authz::checker_internal
