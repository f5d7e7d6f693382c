// access_matrix.h — who may do what, per target, as the permission
// documentation shows it: one row per role and per user named by a grant or
// rule, one column per tool, resource and prompt.
//
// Contract: build_access_matrix is a function of the Model only (no clock, no
// entity data), deterministic, and never throws on a Model that passed
// validation. A cell lists every allow / grant and every deny that could
// decide a call by that row's caller, each with its condition simplified by
// what the row knows about the caller's roles (role_residual.h):
//   - role row R: a caller holding exactly R (and what R inherits). Rules for
//     `anyone` or for any role R includes apply; rules naming only users do not.
//   - user row U: what U gets beyond their roles: grants to U, rules naming U,
//     and rules for `anyone`. U's roles are unknown, so `user is X` stays in
//     the conditions (role-based rules are in the role rows).
// Classification: Denied when a deny applies with no condition and no window
// (a deny beats everything); otherwise NotPermitted when nothing can allow;
// Allowed when an allow or grant applies with no condition and no window and
// no deny can apply; otherwise Conditional. Windows are part of the
// conditions (the matrix holds at every instant); they are listed per entry.
#pragma once

#include <string>
#include <vector>

#include "compiler/permission_doc/role_residual.h"
#include "runtime/table_model.h"

namespace authz::permission_doc {

struct MatrixSubject {
  enum class Kind { Role, User };
  Kind kind = Kind::Role;
  std::string name;                  // role name or user id
  runtime::RoleIndex role = runtime::kNoIndex;  // Role rows
  std::vector<std::string> inherits; // Role rows: the roles it includes, itself excluded, in Model order
  std::vector<std::string> granted_by;  // User rows: ids of grants to this user
};

// One rule or grant that could decide a cell.
struct CellEntry {
  bool is_grant = false;
  runtime::Index index = runtime::kNoIndex;  // into Model::rules or Model::grants
  std::string id;
  ConditionResidual when;    // True when there is none
  ConditionResidual unless;  // False when there is none
  runtime::Window window;

  // Applies to every call of the row's caller at every instant.
  bool unconditional() const { return when.is_true() && unless.is_false() && !window.from_ms && !window.until_ms; }
};

enum class CellKind { Allowed, Conditional, Denied, NotPermitted };
const char* to_string(CellKind kind);  // "allowed", "conditional", "denied", "not permitted"

struct MatrixCell {
  CellKind kind = CellKind::NotPermitted;
  std::vector<CellEntry> allows;  // allows then grants, Model order
  std::vector<CellEntry> denies;  // Model order; for Denied, the unconditional ones first
};

struct AccessMatrix {
  std::vector<MatrixSubject> subjects;        // roles in Model order, then users sorted by id
  std::vector<std::vector<MatrixCell>> cells; // [subject][target], targets in Model order
};

AccessMatrix build_access_matrix(const runtime::Model& model);

// "from 2026-12-28T00:00:00Z until 2027-01-04T00:00:00Z", "until ...", "" for none.
std::string window_text(const runtime::Window& window);

// How the entry's condition reads: "when X", "unless Y", "when X unless Y", or "".
std::string condition_text(const runtime::Model& model, const CellEntry& entry);

// What the entry returns with an allow, each as obligation_text (doc_facts.h):
// its rule's obligations, or none for a grant or an entry listed as a deny.
std::vector<std::string> obligation_texts(const runtime::Model& model, const CellEntry& entry, bool deny);

}  // namespace authz::permission_doc
