// unused_lints.cpp — W0107 (a role no rule mentions) and W0108 (a tool,
// resource or prompt no allow rule or grant names: every call is denied).
//
// Exactness: a role counts as mentioned when a rule names it as a subject or
// tests it (`user is r`, a role value), or when it includes such a role
// (`role admin : manager;` and a rule about `manager` mentions `admin`). A
// target counts when an allow rule or a grant names it, directly, through a
// group, or through `read` / `write`. Both lints stay silent when only
// modules were read (a library is not a policy) and for declarations in files
// under the library (stdlib) directories, whose authors are not the reader.
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <set>

#include "compiler/lint/lint_families.h"

namespace authz::lint {
namespace {

namespace fs = std::filesystem;

void collect_roles(const ast::Expr* expr, std::set<std::string>& out) {
  if (expr == nullptr) return;
  if (expr->kind == ast::ExprKind::Is || expr->kind == ast::ExprKind::Name) out.insert(expr->text);
  for (const auto& child : expr->children) collect_roles(child.get(), out);
}

class LibraryFiles {
 public:
  LibraryFiles(const SourceManager& sources, const std::vector<std::string>& dirs) : sources_(sources) {
    for (const std::string& dir : dirs) {
      std::error_code ec;
      fs::path canonical = fs::weakly_canonical(dir, ec);
      if (!ec) dirs_.push_back(canonical);
    }
  }
  bool contains(FileId file) {
    if (file == kNoFile || file >= sources_.file_count()) return false;
    auto cached = cache_.find(file);
    if (cached != cache_.end()) return cached->second;
    bool inside = false;
    std::error_code ec;
    fs::path path = fs::weakly_canonical(sources_.path(file), ec);
    for (const fs::path& dir : dirs_) {
      if (ec) break;
      fs::path relative = path.lexically_relative(dir);
      if (!relative.empty() && *relative.begin() != "..") inside = true;
    }
    cache_.emplace(file, inside);
    return inside;
  }

 private:
  const SourceManager& sources_;
  std::vector<fs::path> dirs_;
  std::map<FileId, bool> cache_;  // one filesystem lookup per file, not per declaration
};

const char* kind_word(TargetKind kind) {
  switch (kind) {
    case TargetKind::Tool: return "tool";
    case TargetKind::Resource: return "resource";
    case TargetKind::Prompt: return "prompt";
  }
  return "tool";
}

}  // namespace

void lint_unused(const CheckedPolicy& policy, const SourceManager& sources, const LintOptions& options,
                 DiagnosticSink& sink) {
  bool has_policy_file = std::any_of(policy.program.files.begin(), policy.program.files.end(),
                                     [](const auto& file) { return file && file->has_header && !file->is_module; });
  if (!has_policy_file) return;
  LibraryFiles library(sources, options.library_dirs);

  std::set<std::string> named;
  std::vector<bool> allowed(policy.targets.size(), false);
  for (const CheckedRule& rule : policy.rules) {
    for (RoleIndex r : rule.roles) named.insert(policy.roles[r].name);
    collect_roles(rule.when, named);
    collect_roles(rule.unless, named);
    if (rule.effect == ast::Effect::Allow) {
      for (TargetIndex t : rule.targets) allowed[t] = true;
    }
  }
  for (const CheckedGrant& grant : policy.grants) {
    for (TargetIndex t : grant.targets) allowed[t] = true;
  }
  std::vector<bool> mentioned(policy.roles.size(), false);
  for (const std::string& name : named) {
    const CheckedRole* role = policy.find_role(name);
    if (role == nullptr) continue;
    for (RoleIndex r : role->included_by) mentioned[r] = true;
  }

  for (const CheckedRole& role : policy.roles) {
    if (mentioned[role.index] || library.contains(role.span.file)) continue;
    sink.report(DiagCode::UnusedRole, role.span,
                fmt::format("no rule mentions role `{}` or a role it includes: holding it changes no decision",
                            role.name),
                "remove the role, or write the rules that give its holders access");
  }
  for (const CheckedTarget& target : policy.targets) {
    if (allowed[target.index] || library.contains(target.span.file)) continue;
    sink.report(DiagCode::TargetNeverAllowed, target.span,
                fmt::format("no allow rule or grant names {} `{}`: every call to it is denied", kind_word(target.kind),
                            target.name),
                "if that is intended, suppress this with a reason; otherwise write an allow rule for it");
  }
}

}  // namespace authz::lint
