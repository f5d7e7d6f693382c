// breadth_lints.cpp — W0104 (a write tool open to everyone) and W0111 (an
// unconditional allow on a tool whose argument is an entity owned by someone).
//
// Exactness: W0104 reports an allow rule without `when`/`unless` (a validity
// window does not narrow who may call) whose subjects are `anyone`, or name
// roles whose holders include every declared role, and whose targets include
// a `write` tool. W0111 reports an allow rule without `when`/`unless` on a
// tool with a parameter of an entity type that has an owner-like attribute
// (owner, owner_id, ownerId, owned_by, ownedBy, user_id, userId, created_by,
// createdBy, author, assignee), unless some deny rule on that tool reads
// `args.<parameter>.<that attribute>` in its condition (a cross-user guard
// such as `deny ...: tools unless args.account.owner == user.id || ...`).
#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <map>
#include <set>
#include <string_view>

#include "compiler/lint/lint_families.h"

namespace authz::lint {
namespace {

bool unconditional(const CheckedRule& rule) { return rule.when == nullptr && rule.unless == nullptr; }

bool matches_every_role(const CheckedPolicy& policy, const CheckedRule& rule) {
  if (rule.anyone) return true;
  return !policy.roles.empty() && rule.matching_roles.size() == policy.roles.size();
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "`" : ", `") + name + "`";
  return out;
}

bool owner_like(std::string_view attribute) {
  static constexpr std::array<std::string_view, 11> kNames = {
      "owner", "owner_id", "ownerId", "owned_by", "ownedBy", "user_id", "userId",
      "created_by", "createdBy", "author", "assignee"};
  return std::find(kNames.begin(), kNames.end(), attribute) != kNames.end();
}

// `args.<param>.<attribute>` paths each deny rule's condition reads, per target:
// computed once, so the check per allow rule is a lookup.
class DenyGuards {
 public:
  explicit DenyGuards(const CheckedPolicy& policy) {
    for (const CheckedRule& deny : policy.rules) {
      if (deny.effect != ast::Effect::Deny) continue;
      std::set<std::string> paths;
      collect(deny.when, paths);
      collect(deny.unless, paths);
      if (paths.empty()) continue;
      for (TargetIndex t : deny.targets) guarded_[t].insert(paths.begin(), paths.end());
    }
  }
  bool guards(TargetIndex target, std::string_view param, std::string_view attribute) const {
    auto it = guarded_.find(target);
    return it != guarded_.end() && it->second.count(std::string(param) + "." + std::string(attribute)) > 0;
  }

 private:
  static void collect(const ast::Expr* expr, std::set<std::string>& out) {
    if (expr == nullptr) return;
    if (expr->kind == ast::ExprKind::Member && !expr->children.empty()) {
      const ast::Expr& object = *expr->children[0];
      if (object.kind == ast::ExprKind::Member && !object.children.empty() &&
          object.children[0]->kind == ast::ExprKind::Args) {
        out.insert(object.text + "." + expr->text);
      }
    }
    for (const auto& child : expr->children) collect(child.get(), out);
  }
  std::map<TargetIndex, std::set<std::string>> guarded_;
};

}  // namespace

void lint_breadth(const CheckedPolicy& policy, DiagnosticSink& sink) {
  DenyGuards guards(policy);
  for (const CheckedRule& rule : policy.rules) {
    if (rule.effect != ast::Effect::Allow || !unconditional(rule)) continue;

    if (matches_every_role(policy, rule)) {
      std::vector<std::string> writes;
      for (TargetIndex t : rule.targets) {
        const CheckedTarget& target = policy.targets[t];
        if (target.kind == TargetKind::Tool && target.action == ast::Action::Write) writes.push_back(target.name);
      }
      if (!writes.empty()) {
        sink.report(DiagCode::BroadWriteAccess, rule.span,
                    fmt::format("allow rule `{}` lets {} call the write {} {} without any condition", rule.id,
                                rule.anyone ? "anyone" : "every role", writes.size() == 1 ? "tool" : "tools",
                                join_names(writes)),
                    "name the roles that need to write, or add a `when` condition (e.g. on the owner of the data)");
      }
    }

    for (TargetIndex t : rule.targets) {
      const CheckedTarget& target = policy.targets[t];
      for (const Attribute& param : target.params) {
        const Type* type = param.type == nullptr ? nullptr : param.type->required;
        if (type == nullptr || type->kind != TypeKind::Entity) continue;
        for (const Attribute& attribute : type->attributes()) {
          if (!owner_like(attribute.name) || guards.guards(t, param.name, attribute.name)) continue;
          Diagnostic& d = sink.report(
              DiagCode::UnguardedOwnedResource, rule.span,
              fmt::format("allow rule `{}` lets its subjects call `{}` on any `{}`, whoever its `{}` is", rule.id,
                          target.name, type->name, attribute.name),
              fmt::format("add `when args.{}.{} == user.id` (or a deny rule guarding cross-user access) if "
                          "callers should only reach their own `{}`",
                          param.name, attribute.name, type->name));
          d.notes.push_back({param.span, fmt::format("`{}` is a `{}`, which has the owner-like attribute `{}`",
                                                     param.name, type->name, attribute.name)});
          goto next_target;  // one finding per target is enough
        }
      }
    next_target:;
    }
  }
}

}  // namespace authz::lint
