// checker.cpp — name resolution, type checking and policy rules (see checker.h):
// the phases in order, the CheckedPolicy look-ups, the file headers, and the
// text helpers every phase shares.
//
// Contract: check_program runs Checker (checker_internal.h), whose phases, in
// order, each over all files, are: file headers (here); declare names (types,
// roles, targets and groups, obligations: checker_declarations.cpp); resolve
// attribute and parameter types (checker_types.cpp); role inheritance and
// group expansion (iterative DFS, cycles reported once per closing edge:
// checker_declarations.cpp); then rule and grant ids, rules and grants
// (checker_rules.cpp), whose conditions checker_expressions.cpp types. Target
// sets are shared: a single target, a group, `read` and `write` reuse
// precomputed storage, and other unions are interned, so 100k rules cost
// linear time and memory.
#include "compiler/checker.h"

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "compiler/checker_internal.h"
#include "runtime/internal/closest_name.h"

namespace authz {

// ---- CheckedPolicy lookups ----------------------------------------------------

using checker_internal::find_in;

CheckedPolicy::CheckedPolicy() : types(std::make_unique<TypeContext>()) {}

const CheckedRole* CheckedPolicy::find_role(std::string_view role) const {
  const RoleIndex* index = find_in(role_index, role);
  return index ? &roles[*index] : nullptr;
}
const CheckedTarget* CheckedPolicy::find_target(std::string_view target) const {
  const TargetIndex* index = find_in(target_index, target);
  return index ? &targets[*index] : nullptr;
}
const CheckedGroup* CheckedPolicy::find_group(std::string_view group) const {
  const std::uint32_t* index = find_in(group_index, group);
  return index ? &groups[*index] : nullptr;
}
const CheckedObligation* CheckedPolicy::find_obligation(std::string_view obligation) const {
  const ObligationIndex* index = find_in(obligation_index, obligation);
  return index ? &obligations[*index] : nullptr;
}
const Type* CheckedPolicy::find_type(std::string_view type) const {
  const Type* const* found = find_in(type_index, type);
  return found ? *found : nullptr;
}

std::unique_ptr<CheckedPolicy> check_program(Program program, DiagnosticSink& sink) {
  auto policy = std::make_unique<CheckedPolicy>();
  policy->program = std::move(program);
  checker_internal::Checker checker(*policy, sink);
  checker.run();
  return policy;
}

namespace checker_internal {

// ---- shared text ------------------------------------------------------------------

std::string bq(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '`';
  out += text;
  out += '`';
  return out;
}

std::string bq(const Type* type) { return bq(to_string(type)); }

std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates) {
  return runtime::internal::did_you_mean(runtime::internal::closest_name(name, candidates));
}

std::string param_list(const AttributeList& params) {
  if (params.empty()) return "no arguments";
  std::string out;
  for (const Attribute& a : params) out += (out.empty() ? "" : ", ") + bq(a.name);
  return out;
}

// ---- the phases -------------------------------------------------------------------

void Checker::run() {
  check_files();
  declare_types();
  declare_roles();
  declare_targets_and_groups();
  declare_obligations();
  resolve_record_fields();
  resolve_target_params();
  resolve_obligation_params();
  resolve_roles();
  resolve_groups();
  check_duplicate_ids();
  check_rules_and_grants();
}

std::vector<const ast::File*> Checker::files() const {
  std::vector<const ast::File*> out;
  for (const auto& file : p_.program.files)
    if (file) out.push_back(file.get());
  return out;
}

// ---- file headers: one policy name, no rules in modules, no `default` ------------

void Checker::check_files() {
  const ast::File* named_policy = nullptr;
  for (const ast::File* file : files())
    if (file->has_header && !file->is_module && named_policy == nullptr) named_policy = file;
  const ast::File* first_policy = nullptr;
  for (const ast::File* file : files()) {
    if (!file->has_header) continue;
    if (file->is_module) {
      auto in_module = [&](Span span, const char* what) {
        error(DiagCode::RuleInModule, span, std::string("a module cannot contain ") + what,
              "move it into a file that starts with `policy " +
                  (named_policy ? named_policy->name : std::string("NAME")) + ";`")
            .notes.push_back({file->header_span, bq(file->name) + " is a module"});
      };
      for (const auto& rule : file->rules) in_module(rule.id.span, "rules");
      for (const auto& grant : file->grants) in_module(grant.id.span, "grants");
      for (const auto& def : file->defaults) in_module(def.span, "a `default` declaration");
      continue;
    }
    if (first_policy == nullptr) {
      first_policy = file;
      p_.name = file->name;
    } else if (file->name != first_policy->name) {
      error(DiagCode::PolicyNameMismatch, file->header_span,
            "this file belongs to policy " + bq(file->name) + ", but the policy is " + bq(first_policy->name),
            "write `policy " + first_policy->name + ";` or compile the files separately")
          .notes.push_back({first_policy->header_span, "the policy is named " + bq(first_policy->name) + " here"});
    }
  }
  // Modules get a pass for their rules above; their defaults are reported there too.
  for (const ast::File* file : files()) {
    if (file->has_header && file->is_module) continue;
    for (const auto& def : file->defaults) {
      if (def.effect == ast::Effect::Deny) {
        error(DiagCode::RedundantDefaultDeny, def.span, "`default deny` is already the default",
              "remove this line; every request that no rule allows is denied");
      } else {
        error(DiagCode::DefaultAllow, def.span, "`default allow` is not supported",
              "every request is denied unless a rule allows it; write `allow` rules for what should be "
              "permitted, e.g. `allow reps_read: rep may read;`");
      }
    }
  }
}

}  // namespace checker_internal
}  // namespace authz
