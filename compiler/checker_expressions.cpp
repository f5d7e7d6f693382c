// checker_expressions.cpp — the checker's expression typing: `when` and
// `unless` conditions and obligation arguments.
//
// Contract (Checker, checker_internal.h): check(expr, scope) fills
// ast::Expr::type for the expression and every child and returns it, never
// null. Each mistake is reported once, at the smallest span that shows it;
// a child typed Error is already reported, so nothing that uses it reports
// again. Names are quantifier-bound names (innermost first) or roles; `args`
// is the intersection of the scope's targets' parameters (one type each);
// `user` is the principal. An optional attribute must be guarded by a `has`
// that is known to hold where it is used (left of `&&`, common to both sides
// of `||`, never across a quantifier's body); its use is typed non-optional.
// Quantifiers nest at most kMaxQuantifierNesting deep and may not shadow a
// role or an enclosing bound name.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/checker_internal.h"

namespace authz::checker_internal {
namespace {

using ast::Expr;
using ast::ExprKind;

// The path `user.a.b` / `args.x` an expression names, for `has` guards; "" when
// the expression is not such a path.
std::string guard_path(const Expr* expr) {
  if (expr == nullptr) return {};
  switch (expr->kind) {
    case ExprKind::User: return "user";
    case ExprKind::Args: return "args";
    // A bound name (a role never has attributes; `user` and `args` are
    // keywords, so never bound). Its guards cannot leak to another quantifier
    // binding the same name: collect_guards stops at a quantifier, and
    // check_quantifier drops the body's guards.
    case ExprKind::Name: return expr->text;
    case ExprKind::Member: {
      if (expr->children.empty()) return {};
      std::string base = guard_path(expr->children[0].get());
      if (base.empty()) return {};
      return base + "." + expr->text;
    }
    default: return {};
  }
}

// Appends the guards an expression establishes when it is true:
// `x has f` guards `x.f`; `a && b` everything a or b guards; `a || b` what both guard.
void collect_guards(const Expr* expr, std::vector<std::string>& out) {
  if (expr == nullptr) return;
  switch (expr->kind) {
    case ExprKind::Has: {
      if (expr->children.empty()) return;
      std::string base = guard_path(expr->children[0].get());
      if (!base.empty()) out.push_back(base + "." + expr->text);
      return;
    }
    case ExprKind::And:
      for (const auto& child : expr->children) collect_guards(child.get(), out);
      return;
    case ExprKind::Or: {
      if (expr->children.empty()) return;
      std::vector<std::string> common;
      collect_guards(expr->children[0].get(), common);
      for (std::size_t i = 1; i < expr->children.size() && !common.empty(); ++i) {
        std::vector<std::string> next;
        collect_guards(expr->children[i].get(), next);
        std::erase_if(common, [&](const std::string& path) {
          return std::find(next.begin(), next.end(), path) == next.end();
        });
      }
      out.insert(out.end(), common.begin(), common.end());
      return;
    }
    default: return;
  }
}

// Values of two types can be compared with `==` (and be elements of one collection).
bool comparable(const Type* a, const Type* b) {
  if (a->is_error() || b->is_error() || a == b) return true;
  if (a->is_numeric() && b->is_numeric()) return true;
  if ((a->kind == TypeKind::Entity && b->kind == TypeKind::String) ||
      (a->kind == TypeKind::String && b->kind == TypeKind::Entity))
    return true;  // an entity compares by its id
  if (a->kind == TypeKind::EmptyList) return b->is_collection();
  if (b->kind == TypeKind::EmptyList) return a->is_collection();
  if (a->kind == b->kind &&
      (a->kind == TypeKind::Set || a->kind == TypeKind::List || a->kind == TypeKind::Map))
    return comparable(a->element, b->element);
  return false;
}

// The element type of a Set / List, Error for `[]` (no elements to mismatch).
const Type* element_of(const Type* collection, const Type* error) {
  return collection->kind == TypeKind::EmptyList ? error : collection->element;
}

// Records `type` as the expression's type and returns it.
const Type* set(Expr& expr, const Type* type) {
  expr.type = type;
  return type;
}

// The span of child `i`, or the expression's own when it has no such child.
Span child_span(const Expr& expr, std::size_t i) {
  return i < expr.children.size() && expr.children[i] ? expr.children[i]->span : expr.span;
}

// Whether a `has` check in scope proves `path` present.
bool guarded(const ExprScope& scope, const std::string& path) {
  return std::find(scope.guards.begin(), scope.guards.end(), path) != scope.guards.end();
}

}  // namespace

void Checker::check_condition(Expr& expr, ExprScope& scope, const char* clause) {
  const Type* type = check(expr, scope);
  if (!type->is_error() && type->kind != TypeKind::Bool) {
    error(DiagCode::ConditionNotBool, expr.span,
          std::string("`") + clause + "` condition must be a `Bool`, found " + bq(type),
          "compare it with something, e.g. `... == \"value\"`");
  }
}

const Type* Checker::child_type(Expr& expr, std::size_t i, ExprScope& scope) {
  if (i >= expr.children.size() || !expr.children[i]) return types_.error_type();
  return check(*expr.children[i], scope);
}

const Type* Checker::check(Expr& expr, ExprScope& scope) {
  switch (expr.kind) {
    case ExprKind::Bool: return set(expr, types_.bool_type());
    case ExprKind::Int: return set(expr, types_.int_type());
    case ExprKind::String: return set(expr, types_.string_type());
    case ExprKind::Timestamp: return set(expr, types_.timestamp_type());
    case ExprKind::Duration: return set(expr, types_.duration_type());
    case ExprKind::Now: return set(expr, types_.timestamp_type());
    case ExprKind::User: return set(expr, p_.principal);
    case ExprKind::Args: return set(expr, check_args(expr, scope));
    case ExprKind::List: return set(expr, check_list(expr, scope));
    case ExprKind::Name: return set(expr, check_name(expr, scope));
    case ExprKind::Member: return set(expr, check_member(expr, scope));
    case ExprKind::Has: return set(expr, check_has(expr, scope));
    case ExprKind::Is: return set(expr, check_is(expr, scope));
    case ExprKind::Not: {
      const Type* operand = child_type(expr, 0, scope);
      if (!operand->is_error() && operand->kind != TypeKind::Bool)
        error(DiagCode::TypeMismatch, child_span(expr, 0), "`!` needs a `Bool`, found " + bq(operand));
      return set(expr, types_.bool_type());
    }
    case ExprKind::Negate: {
      const Type* operand = child_type(expr, 0, scope);
      if (operand->is_error()) return set(expr, operand);
      if (operand->is_numeric() || operand->kind == TypeKind::Duration) return set(expr, operand);
      error(DiagCode::InvalidArithmetic, expr.span, "cannot negate " + bq(operand),
            "`-` applies to `Int`, `Number` and `Duration` values");
      return set(expr, types_.error_type());
    }
    case ExprKind::Binary: return set(expr, check_binary(expr, scope));
    case ExprKind::And:
    case ExprKind::Or: return set(expr, check_logic(expr, scope));
    case ExprKind::All:
    case ExprKind::Any: return set(expr, check_quantifier(expr, scope));
  }
  return set(expr, types_.error_type());
}

// all(x in list: body) / any(...): `list` a List or Set, `x` its element
// type inside `body` only, `body` a Bool. A bound name may not hide a role
// or another bound name: the reader of the body must know what it means.
const Type* Checker::check_quantifier(Expr& expr, ExprScope& scope) {
  const char* word = expr.kind == ExprKind::All ? "all" : "any";
  const Span name_span = expr.text_span.valid() ? expr.text_span : expr.span;
  const Type* list = child_type(expr, 0, scope);
  const Type* element = types_.error_type();
  if (list->kind == TypeKind::EmptyList) {
    error(DiagCode::QuantifierNotList, child_span(expr, 0),
          std::string("`") + word + "` over `[]`, which has no elements",
          expr.kind == ExprKind::All ? "`all` over an empty list is always true; remove it"
                                     : "`any` over an empty list is always false; remove it");
  } else if (!list->is_error() && list->kind != TypeKind::List && list->kind != TypeKind::Set) {
    error(DiagCode::QuantifierNotList, child_span(expr, 0),
          std::string("`") + word + "` needs a `List` or `Set` to range over, found " + bq(list),
          "write `" + std::string(word) + "(x in LIST: ...)` where LIST is a list, e.g. a `List<String>` argument");
  } else if (!list->is_error()) {
    element = list->element;
  }
  bool bind = !expr.text.empty();
  for (const BoundName& outer : scope.bound) {
    if (bind && outer.name == expr.text) {
      error(DiagCode::BoundNameShadows, name_span,
            "`" + expr.text + "` is already bound by an enclosing quantifier",
            "pick another name for the inner quantifier's element")
          .notes.push_back({outer.span, "`" + expr.text + "` is bound here"});
      bind = false;
    }
  }
  if (bind && p_.find_role(expr.text)) {
    error(DiagCode::BoundNameShadows, name_span, "`" + expr.text + "` is a role, so it cannot name a list element",
          "pick another name for the element, e.g. `x`");
    element = types_.error_type();
  }
  if (scope.bound.size() >= kMaxQuantifierNesting) {
    error(DiagCode::NestingTooDeep, expr.span,
          "quantifiers nested more than " + std::to_string(kMaxQuantifierNesting) + " levels deep",
          "split the condition into separate rules");
    element = types_.error_type();
  }
  scope.bound.push_back({expr.text, element, name_span});
  const std::size_t mark = scope.guards.size();
  const Type* body = child_type(expr, 1, scope);
  scope.guards.resize(mark);
  scope.bound.pop_back();
  if (!body->is_error() && body->kind != TypeKind::Bool) {
    error(DiagCode::TypeMismatch, child_span(expr, 1),
          std::string("the body of `") + word + "` must be a `Bool`, found " + bq(body),
          "compare the element with something, e.g. `" + expr.text + " under user.home`");
  }
  return types_.bool_type();
}

const Type* Checker::check_logic(Expr& expr, ExprScope& scope) {
  const bool is_and = expr.kind == ExprKind::And;
  const std::size_t mark = scope.guards.size();
  for (std::size_t i = 0; i < expr.children.size(); ++i) {
    const Type* type = child_type(expr, i, scope);
    if (!type->is_error() && type->kind != TypeKind::Bool) {
      error(DiagCode::TypeMismatch, child_span(expr, i),
            std::string(is_and ? "`&&`" : "`||`") + " needs `Bool` operands, found " + bq(type));
    }
    // The left side of `&&` guards everything to its right. Each path is kept
    // once, so long chains of repeated `has` tests stay linear.
    if (is_and) {
      std::vector<std::string> established;
      collect_guards(expr.children[i].get(), established);
      for (std::string& path : established)
        if (!guarded(scope, path)) scope.guards.push_back(std::move(path));
    }
  }
  scope.guards.resize(mark);
  return types_.bool_type();
}

const Type* Checker::check_list(Expr& expr, ExprScope& scope) {
  const Type* element = nullptr;
  bool poisoned = false;
  for (std::size_t i = 0; i < expr.children.size(); ++i) {
    const Type* type = child_type(expr, i, scope);
    if (type->is_error()) { poisoned = true; continue; }
    if (element == nullptr) { element = type; continue; }
    if (const Type* joined = join(element, type)) {
      element = joined;
    } else {
      error(DiagCode::TypeMismatch, child_span(expr, i),
            "list elements must all have one type, found " + bq(element) + " and " + bq(type));
      poisoned = true;
    }
  }
  if (poisoned) return types_.error_type();
  if (element == nullptr) return types_.empty_list_type();
  return types_.list_of(element);
}

// The common type of two list elements, or null.
const Type* Checker::join(const Type* a, const Type* b) {
  if (a == b) return a;
  if (a->is_numeric() && b->is_numeric()) return types_.number_type();
  if ((a->kind == TypeKind::Entity && b->kind == TypeKind::String) ||
      (a->kind == TypeKind::String && b->kind == TypeKind::Entity))
    return types_.string_type();
  if (a->kind == TypeKind::EmptyList && (b->kind == TypeKind::List || b->kind == TypeKind::Set)) return b;
  if (b->kind == TypeKind::EmptyList && (a->kind == TypeKind::List || a->kind == TypeKind::Set)) return a;
  if (a->kind == b->kind && a->kind == TypeKind::List) {
    const Type* inner = join(a->element, b->element);
    return inner ? types_.list_of(inner) : nullptr;
  }
  return nullptr;
}

std::string Checker::what_is(std::string_view name) const {
  if (const CheckedTarget* target = p_.find_target(name)) {
    static const char* kKinds[] = {"a tool", "a resource", "a prompt"};
    return kKinds[static_cast<int>(target->kind)];
  }
  if (p_.find_group(name)) return "a group";
  if (p_.find_obligation(name)) return "an obligation";
  if (p_.find_type(name)) return "a type";
  return {};
}

const Type* Checker::check_name(Expr& expr, const ExprScope& scope) {
  for (auto it = scope.bound.rbegin(); it != scope.bound.rend(); ++it) {
    if (it->name == expr.text) return it->type;
  }
  if (p_.find_role(expr.text)) return types_.role_type();
  std::string help;
  std::string kind = what_is(expr.text);
  if (!kind.empty()) {
    help = bq(expr.text) + " is " + kind + "; only role names can stand alone in a condition";
  } else if (want_suggestions()) {
    help = did_you_mean(expr.text, role_names());
  }
  if (help.empty()) help = "use `user`, `args`, `now`, a literal, or a declared role name";
  error(DiagCode::UnknownName, expr.span, "unknown name " + bq(expr.text), help);
  return types_.error_type();
}

const Type* Checker::check_is(Expr& expr, ExprScope& scope) {
  const Type* subject = child_type(expr, 0, scope);
  const Expr* left = expr.children.empty() ? nullptr : expr.children[0].get();
  if (left != nullptr && left->kind != ExprKind::User && !subject->is_error()) {
    error(DiagCode::IsNeedsRole, left->span, "`is` tests the roles of `user`, not a value of type " + bq(subject),
          "write `user is " + expr.text + "`, or use `contains` for a set of roles");
  }
  if (!p_.find_role(expr.text)) {
    std::string help;
    std::string kind = what_is(expr.text);
    if (!kind.empty()) help = bq(expr.text) + " is " + kind + ", not a role";
    else if (want_suggestions()) help = did_you_mean(expr.text, role_names());
    if (help.empty()) help = "declare it with `role " + expr.text + ";`";
    error(DiagCode::IsNeedsRole, expr.text_span.valid() ? expr.text_span : expr.span,
          "`is` needs a role name, but " + bq(expr.text) + " is not a role", help);
  }
  return types_.bool_type();
}

const Type* Checker::check_args(Expr& expr, ExprScope& scope) {
  if (!scope.args_allowed) {
    error(DiagCode::ArgsWithoutTargets, expr.span, "`args` cannot be used here",
          "`args` is only available in `when` and `unless`");
    return types_.error_type();
  }
  if (scope.targets_incomplete && scope.targets.empty()) return types_.error_type();
  for (TargetIndex t : scope.targets)
    if (!p_.targets[t].params.empty()) return types_.args_type();
  if (scope.targets_incomplete) return types_.error_type();
  std::string targets;
  for (std::size_t i = 0; i < scope.targets.size() && i < 3; ++i)
    targets += (i ? ", " : "") + bq(p_.targets[scope.targets[i]].name);
  if (scope.targets.size() > 3) targets += ", ...";
  Diagnostic& d = error(DiagCode::ArgsWithoutTargets, expr.span,
                        scope.targets.empty() ? std::string("`args` is used but the rule names no targets")
                                              : "`args` is used but " + targets +
                                    (scope.targets.size() == 1 ? " takes no arguments" : " take no arguments"),
                        "remove the condition on `args`, or name targets that have parameters");
  if (!scope.targets.empty()) {
    const CheckedTarget& first = p_.targets[scope.targets[0]];
    d.notes.push_back({first.span, bq(first.name) + " is declared here"});
  }
  return types_.error_type();
}

ArgsLookup Checker::lookup_args(std::span<const TargetIndex> targets, const std::string& field) {
  // Big sets are usually shared (`read`, groups): remember their answers.
  std::string key;
  if (targets.size() > 8) {
    key = std::to_string(reinterpret_cast<std::uintptr_t>(targets.data())) + ":" + std::to_string(targets.size()) +
          ":" + field;
    auto found = args_cache_.find(key);
    if (found != args_cache_.end()) return found->second;
  }
  ArgsLookup result;
  bool any_with = false, any_without = false, any_optional = false;
  const Type* common = nullptr;
  for (TargetIndex t : targets) {
    const Attribute* param = p_.targets[t].params.find(field);
    if (param == nullptr) {
      if (!any_without) result.other = t;
      any_without = true;
      continue;
    }
    any_optional = any_optional || param->optional();
    const Type* type = TypeContext::required(param->type);
    if (!any_with) {
      any_with = true;
      result.with = t;
      common = type;
    } else if (type != common && !type->is_error() && !common->is_error() &&
               result.status != ArgsLookup::Status::Conflict) {
      result.status = ArgsLookup::Status::Conflict;
      result.other = t;
    }
  }
  if (result.status != ArgsLookup::Status::Conflict) {
    if (!any_with) result.status = ArgsLookup::Status::Unknown;
    else if (any_without) result.status = ArgsLookup::Status::NotInAll;
    else result.status = ArgsLookup::Status::Found;
  }
  if (common != nullptr) result.type = any_optional ? types_.optional(common) : common;
  if (!key.empty()) args_cache_.emplace(std::move(key), result);
  return result;
}

// The type of `args.field` across the scope's targets (lookup_args),
// reporting a parameter that is unknown, missing from some target, or typed
// differently by two; Error when reported.
const Type* Checker::args_attribute_type(const std::string& field, Span field_span, ExprScope& scope) {
  ArgsLookup found = lookup_args(scope.targets, field);
  switch (found.status) {
    case ArgsLookup::Status::Found: return found.type;
    case ArgsLookup::Status::Unknown: {
      if (scope.targets_incomplete) return types_.error_type();
      std::string help;
      if (want_suggestions()) {
        std::vector<std::string_view> names;
        for (TargetIndex t : scope.targets)
          for (const Attribute& param : p_.targets[t].params) names.push_back(param.name);
        help = did_you_mean(field, names);
      }
      const CheckedTarget& first = p_.targets[scope.targets[0]];
      if (help.empty()) help = bq(first.name) + " takes " + param_list(first.params);
      std::string where = scope.targets.size() == 1 ? bq(first.name) + " has" : "no target of this rule has";
      error(DiagCode::UnknownAttribute, field_span, where + " no parameter " + bq(field), help)
          .notes.push_back({first.span, bq(first.name) + " is declared here"});
      return types_.error_type();
    }
    case ArgsLookup::Status::NotInAll: {
      const CheckedTarget& without = p_.targets[found.other];
      const CheckedTarget& with = p_.targets[found.with];
      Diagnostic& d = error(DiagCode::ArgumentNotInAllTargets, field_span,
                            "argument " + bq(field) + " is not declared by every target of this rule",
                            "split the rule so each group of targets with this argument has its own rule");
      d.notes.push_back({without.span, bq(without.name) + " has no parameter " + bq(field)});
      if (const Attribute* param = with.params.find(field))
        d.notes.push_back({param->span, bq(with.name) + " declares it here"});
      return types_.error_type();
    }
    case ArgsLookup::Status::Conflict: {
      const CheckedTarget& a = p_.targets[found.with];
      const CheckedTarget& b = p_.targets[found.other];
      const Attribute* pa = a.params.find(field);
      const Attribute* pb = b.params.find(field);
      Diagnostic& d = error(DiagCode::ArgumentNotInAllTargets, field_span,
                            "argument " + bq(field) + " has type " + bq(TypeContext::required(pa->type)) + " in " +
                                bq(a.name) + " but " + bq(TypeContext::required(pb->type)) + " in " + bq(b.name),
                            "split the rule so targets with different argument types have their own rules");
      d.notes.push_back({pa->span, bq(a.name) + " declares it here"});
      d.notes.push_back({pb->span, bq(b.name) + " declares it here"});
      return types_.error_type();
    }
  }
  return types_.error_type();
}

// The declared type of `object.field` (possibly optional), reporting
// unknown attributes; Error when reported or when the object is poison.
const Type* Checker::attribute_type(const Type* object, const std::string& field, Span field_span, ExprScope& scope) {
  if (object->is_error()) return types_.error_type();
  if (object->kind == TypeKind::Args) return args_attribute_type(field, field_span, scope);
  if (!object->has_attributes()) {
    error(DiagCode::MemberOnNonRecord, field_span, "a value of type " + bq(object) + " has no attribute " + bq(field),
          "only the principal (`user`), entities, records and `args` have attributes");
    return types_.error_type();
  }
  if (const Attribute* attribute = object->find_attribute(field)) return attribute->type;
  std::string help;
  if (want_suggestions()) {
    std::vector<std::string_view> names;
    for (const Attribute& attribute : object->attributes()) names.push_back(attribute.name);
    help = did_you_mean(field, names);
  }
  if (help.empty()) help = bq(object->name) + " has " + param_list(object->attributes());
  Diagnostic& d = error(DiagCode::UnknownAttribute, field_span, bq(object->name) + " has no attribute " + bq(field), help);
  if (object->declaration.valid()) d.notes.push_back({object->declaration, bq(object->name) + " is declared here"});
  return types_.error_type();
}

const Type* Checker::check_member(Expr& expr, ExprScope& scope) {
  const Type* object = child_type(expr, 0, scope);
  Span field_span = expr.text_span.valid() ? expr.text_span : expr.span;
  const Type* type = attribute_type(object, expr.text, field_span, scope);
  if (type->optional) {
    std::string path = guard_path(&expr);
    if (path.empty() || !guarded(scope, path)) {
      std::string base = guard_path(expr.children[0].get());
      std::string shown = path.empty() ? bq(expr.text) : bq(path);
      error(DiagCode::OptionalWithoutHas, expr.span,
            shown + " is optional and may be absent, but it is used without a `has` check",
            base.empty() ? "check that it is present with `has` first"
                         : "write `" + base + " has " + expr.text + " && ...` to use it only when it is present");
    }
  }
  return TypeContext::required(type);
}

const Type* Checker::check_has(Expr& expr, ExprScope& scope) {
  const Type* object = child_type(expr, 0, scope);
  Span field_span = expr.text_span.valid() ? expr.text_span : expr.span;
  const Type* type = attribute_type(object, expr.text, field_span, scope);
  if (!type->is_error() && !type->optional) {
    error(DiagCode::HasAlwaysTrue, expr.span, bq(expr.text) + " is always present, so this `has` is always true",
          "remove the `has` check; only optional (`?`) attributes and parameters can be absent");
  }
  return types_.bool_type();
}

const Type* Checker::check_binary(Expr& expr, ExprScope& scope) {
  using ast::BinaryOp;
  const Type* left = child_type(expr, 0, scope);
  const Type* right = child_type(expr, 1, scope);
  const std::string op = ast::to_string(expr.op);
  const bool poisoned = left->is_error() || right->is_error();
  switch (expr.op) {
    case BinaryOp::Eq:
    case BinaryOp::Ne:
      if (!poisoned && !comparable(left, right))
        error(DiagCode::TypeMismatch, expr.span, "cannot compare " + bq(left) + " with " + bq(right),
              "both sides of `" + op + "` must have the same type");
      return types_.bool_type();
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge: {
      bool ok = (left->is_numeric() && right->is_numeric()) ||
                (left == right && (left->kind == TypeKind::Timestamp || left->kind == TypeKind::Duration));
      if (!poisoned && !ok)
        error(DiagCode::TypeMismatch, expr.span, "cannot order " + bq(left) + " and " + bq(right) + " with `" + op + "`",
              "`" + op + "` compares two numbers, two timestamps or two durations");
      return types_.bool_type();
    }
    case BinaryOp::In:
      check_membership(expr, right, 1, left, 0, op);
      return types_.bool_type();
    case BinaryOp::Contains:
      check_membership(expr, left, 0, right, 1, op);
      return types_.bool_type();
    case BinaryOp::ContainsAll:
    case BinaryOp::ContainsAny: {
      bool ok = true;
      for (std::size_t i = 0; i < 2; ++i) {
        const Type* side = i == 0 ? left : right;
        if (!side->is_error() && !side->is_collection()) {
          error(DiagCode::TypeMismatch, child_span(expr, i), "`" + op + "` needs a Set or List, found " + bq(side));
          ok = false;
        }
      }
      if (ok && !poisoned &&
          !comparable(element_of(left, types_.error_type()), element_of(right, types_.error_type())))
        error(DiagCode::TypeMismatch, expr.span,
              "cannot compare the elements of " + bq(left) + " with the elements of " + bq(right),
              "both sides of `" + op + "` must hold the same type");
      return types_.bool_type();
    }
    case BinaryOp::Under:
    case BinaryOp::Matches:
    case BinaryOp::StartsWith:
    case BinaryOp::EndsWith: {
      const char* example = expr.op == BinaryOp::Under        ? "write a path, e.g. `args.path under \"/data/public\"`"
                            : expr.op == BinaryOp::Matches    ? "write a glob, e.g. `args.path matches \"*.md\"`"
                            : expr.op == BinaryOp::StartsWith ? "write a prefix, e.g. `args.path startsWith \"/tmp/\"`"
                                                              : "write a suffix, e.g. `args.path endsWith \".md\"`";
      for (std::size_t i = 0; i < 2; ++i) {
        const Type* side = i == 0 ? left : right;
        if (!side->is_error() && side->kind != TypeKind::String)
          error(DiagCode::TypeMismatch, child_span(expr, i), "`" + op + "` needs `String` operands, found " + bq(side),
                example);
      }
      return types_.bool_type();
    }
    case BinaryOp::Add:
    case BinaryOp::Sub: {
      if (poisoned) return types_.error_type();
      const bool add = expr.op == BinaryOp::Add;
      const TypeKind l = left->kind, r = right->kind;
      if (l == TypeKind::Int && r == TypeKind::Int) return types_.int_type();
      if (left->is_numeric() && right->is_numeric()) return types_.number_type();
      if (l == TypeKind::Timestamp && r == TypeKind::Duration) return types_.timestamp_type();
      if (add && l == TypeKind::Duration && r == TypeKind::Timestamp) return types_.timestamp_type();
      if (!add && l == TypeKind::Timestamp && r == TypeKind::Timestamp) return types_.duration_type();
      if (l == TypeKind::Duration && r == TypeKind::Duration) return types_.duration_type();
      error(DiagCode::InvalidArithmetic, expr.span,
            std::string(add ? "cannot add " : "cannot subtract ") + bq(right) + (add ? " to " : " from ") + bq(left),
            "`+` and `-` work on numbers, durations, a timestamp and a duration, or (for `-`) two timestamps");
      return types_.error_type();
    }
  }
  return types_.error_type();
}

// `element in collection` / `collection contains element`.
void Checker::check_membership(Expr& expr, const Type* collection, std::size_t collection_at, const Type* element,
                               std::size_t element_at, const std::string& op) {
  if (collection->is_error()) return;
  if (!collection->is_collection()) {
    error(DiagCode::TypeMismatch, child_span(expr, collection_at),
          "`" + op + "` needs a Set or List, found " + bq(collection),
          collection->kind == TypeKind::String ? "to test text, use `matches` with a glob or `==`" : std::string());
    return;
  }
  if (element->is_error() || collection->kind == TypeKind::EmptyList) return;
  if (!comparable(collection->element, element)) {
    std::string help;
    const Expr* value = expr.children[element_at].get();
    if (collection->element->kind == TypeKind::Role && value && value->kind == ExprKind::String)
      help = "write the role name without quotes: `" + value->text + "`";
    error(DiagCode::TypeMismatch, child_span(expr, element_at),
          bq(collection) + " holds " + bq(collection->element) + " values, not " + bq(element), help);
  }
}

}  // namespace authz::checker_internal
