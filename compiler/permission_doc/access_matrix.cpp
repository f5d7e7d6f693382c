// access_matrix.cpp — see access_matrix.h.
#include "compiler/permission_doc/access_matrix.h"

#include <algorithm>
#include <set>

#include "compiler/permission_doc/doc_facts.h"
#include "runtime/internal/time_text.h"

namespace authz::permission_doc {

using runtime::Model;

const char* to_string(CellKind kind) {
  switch (kind) {
    case CellKind::Allowed: return "allowed";
    case CellKind::Conditional: return "conditional";
    case CellKind::Denied: return "denied";
    case CellKind::NotPermitted: return "not permitted";
  }
  return "not permitted";
}

std::string window_text(const runtime::Window& window) {
  std::string text;
  if (window.from_ms) text += "from " + runtime::format_timestamp(*window.from_ms);
  if (window.until_ms) text += (text.empty() ? "until " : " until ") + runtime::format_timestamp(*window.until_ms);
  return text;
}

std::string condition_text(const Model& model, const CellEntry& entry) {
  std::string text;
  if (!entry.when.is_true()) text += "when " + render_condition(model, entry.when);
  if (!entry.unless.is_false()) text += (text.empty() ? "unless " : " unless ") + render_condition(model, entry.unless);
  return text;
}

std::vector<std::string> obligation_texts(const Model& model, const CellEntry& entry, bool deny) {
  std::vector<std::string> texts;
  if (deny || entry.is_grant || entry.index >= model.rules.size()) return texts;
  for (const runtime::ObligationUse& use : model.rules[entry.index].obligations) texts.push_back(obligation_text(model, use));
  return texts;
}

namespace {

bool subject_matches(const runtime::Subjects& subjects, const MatrixSubject& row, const Model& model) {
  if (subjects.anyone) return true;
  if (row.kind == MatrixSubject::Kind::Role) {
    return row.role < model.roles.size() && subjects.roles.intersects(model.roles[row.role].includes);
  }
  return std::find(subjects.users.begin(), subjects.users.end(), row.name) != subjects.users.end();
}

// The rule's entry for this row, or false when it can never apply.
bool rule_entry(const Model& model, runtime::RuleIndex index, const MatrixSubject& row, const RoleKnowledge& roles,
                CellEntry& entry) {
  const runtime::Rule& rule = model.rules[index];
  if (!subject_matches(rule.subjects, row, model)) return false;
  entry.is_grant = false;
  entry.index = index;
  entry.id = rule.id;
  entry.when = simplify_condition(model, rule.when, roles);
  entry.unless = rule.unless == runtime::kNoIndex ? ConditionResidual{ConditionResidual::Kind::False, runtime::kNoIndex, {}}
                                                  : simplify_condition(model, rule.unless, roles);
  entry.window = rule.window;
  if (entry.when.is_false() || entry.unless.is_true()) return false;
  // An empty window ([from, until) with until <= from) never holds.
  if (rule.window.from_ms && rule.window.until_ms && *rule.window.until_ms <= *rule.window.from_ms) return false;
  return true;
}

MatrixCell build_cell(const Model& model, const runtime::Target& target, const MatrixSubject& row,
                      const RoleKnowledge& roles) {
  MatrixCell cell;
  for (runtime::RuleIndex index : target.rules) {
    if (index >= model.rules.size()) continue;
    CellEntry entry;
    if (!rule_entry(model, index, row, roles, entry)) continue;
    (model.rules[index].effect == runtime::Effect::Allow ? cell.allows : cell.denies).push_back(std::move(entry));
  }
  if (row.kind == MatrixSubject::Kind::User) {
    for (runtime::GrantIndex index : target.grants) {
      if (index >= model.grants.size() || model.grants[index].user != row.name) continue;
      const runtime::Grant& grant = model.grants[index];
      CellEntry entry;
      entry.is_grant = true;
      entry.index = index;
      entry.id = grant.id;
      entry.unless = ConditionResidual{ConditionResidual::Kind::False, runtime::kNoIndex, {}};
      entry.window = grant.window;
      cell.allows.push_back(std::move(entry));
    }
  }
  auto unconditional = [](const CellEntry& entry) { return entry.unconditional(); };
  if (std::any_of(cell.denies.begin(), cell.denies.end(), unconditional)) {
    cell.kind = CellKind::Denied;
    std::stable_partition(cell.denies.begin(), cell.denies.end(), unconditional);
  } else if (cell.allows.empty()) {
    cell.kind = CellKind::NotPermitted;
  } else if (cell.denies.empty() && std::any_of(cell.allows.begin(), cell.allows.end(), unconditional)) {
    cell.kind = CellKind::Allowed;
  } else {
    cell.kind = CellKind::Conditional;
  }
  return cell;
}

}  // namespace

AccessMatrix build_access_matrix(const Model& model) {
  AccessMatrix matrix;
  for (std::size_t r = 0; r < model.roles.size(); ++r) {
    MatrixSubject row;
    row.kind = MatrixSubject::Kind::Role;
    row.name = model.roles[r].name;
    row.role = static_cast<runtime::RoleIndex>(r);
    for (std::size_t j = 0; j < model.roles.size(); ++j) {
      if (j != r && model.roles[r].includes.contains(static_cast<runtime::RoleIndex>(j))) {
        row.inherits.push_back(model.roles[j].name);
      }
    }
    matrix.subjects.push_back(std::move(row));
  }
  std::set<std::string> users;
  for (const runtime::Grant& grant : model.grants) users.insert(grant.user);
  for (const runtime::Rule& rule : model.rules) users.insert(rule.subjects.users.begin(), rule.subjects.users.end());
  for (const std::string& user : users) {
    MatrixSubject row;
    row.kind = MatrixSubject::Kind::User;
    row.name = user;
    for (const runtime::Grant& grant : model.grants) {
      if (grant.user == user) row.granted_by.push_back(grant.id);
    }
    matrix.subjects.push_back(std::move(row));
  }

  for (const MatrixSubject& row : matrix.subjects) {
    RoleKnowledge roles;
    if (row.kind == MatrixSubject::Kind::Role && row.role < model.roles.size()) roles.held = model.roles[row.role].includes;
    std::vector<MatrixCell> cells;
    cells.reserve(model.targets.size());
    for (const runtime::Target& target : model.targets) cells.push_back(build_cell(model, target, row, roles));
    matrix.cells.push_back(std::move(cells));
  }
  return matrix;
}

}  // namespace authz::permission_doc
