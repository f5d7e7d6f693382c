// access_diff.h — what access a policy change grants or takes away, for
// review (`authzc diff OLD NEW`).
//
// Contract: diff_access compares two Models at one instant `now_ms` by
// partial evaluation (runtime/partial_eval.h) with every argument unknown,
// for every principal below and every tool, resource and prompt of either
// policy (matched by kind and name):
//   - one principal per role of either policy (matched by name) holding just
//     that role (inheritance included); its id is the stand-in `user.id`;
//   - one principal per user id named by a grant or rule of either policy,
//     holding no roles (role-based access is in the role rows).
// ASSUMPTIONS (also returned in AccessDiff::assumptions, in words): principal
// attributes are stand-ins, the same under both policies: a String is the
// symbol `user.<name>`, a Set/List of String the one-element set holding that
// symbol (`x in user.manages` stays readable), numbers 0, booleans false,
// other kinds absent when optional (else the stand-in is skipped and noted).
// A change that shows only for other attribute values is not reported.
// Each (principal, target) pair is classified: newly allowed (NEW may allow
// where OLD never did), newly denied, condition loosened / tightened /
// changed both ways / undecided (condition_compare.h; undecided counts as
// widening, fail safe), obligations changed (any obligation dropped or
// changed counts as widening), or unchanged (not listed). Windows and
// expiries of rules and grants present in both (by id) are compared too:
// an allow or grant whose window grows, or a deny whose window shrinks, is
// widening; anything else that moves counts as widening unless it only
// shrinks an allow or grows a deny. Rules and grants added or removed are
// listed, and so is a rule whose subjects, targets, condition or obligations
// changed while it is out of its window at `now` under both policies (its
// change cannot show in the access rows: counted as widening). Deterministic: changes sorted by principal (roles, then users) and
// target (Model order of NEW, then OLD-only). Never throws.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/table_model.h"

namespace authz::access_diff {

enum class ChangeKind {
  NewlyAllowed,        // OLD never allowed it; NEW may
  NewlyDenied,         // OLD could allow it; NEW never does
  Loosened,            // both conditional-or-always; NEW allows strictly more
  Tightened,           // NEW allows strictly less (proven)
  ChangedBothWays,     // each allows something the other does not
  Undecided,           // conditions differ; no proof either way (counts as widening)
  SameAccessRewritten, // conditions differ in text, proven equivalent
  ObligationsChanged,  // same access, different obligations
};
const char* to_string(ChangeKind kind);  // "newly allowed", ...

struct ResponsibleRule {
  std::string id;
  std::string effect;  // "allow", "deny", "grant"
  std::string what;    // "added", "removed", "changed", "unchanged"
};

struct AccessChange {
  std::string subject_kind;  // "role" or "user"
  std::string subject;       // role name or user id
  std::string target_kind;   // "tool", "resource", "prompt"
  std::string target;
  ChangeKind kind = ChangeKind::Undecided;
  bool widening = false;
  std::string before;        // "never allowed (not_permitted)", "allowed when account.owner == user.id", ...
  std::string after;
  std::string witness;       // values where the two differ, when found
  std::vector<std::string> obligations_before, obligations_after;  // ObligationsChanged only
  std::vector<ResponsibleRule> rules;  // rules that could decide under either policy, changed ones first
};

struct WindowChange {
  std::string kind;  // "allow", "deny", "grant"
  std::string id;
  std::string what;  // "window changed", "expiry extended", "added", "removed", ...
  std::string before, after;  // window text ("from X until Y", "always"), or "" for added/removed
  bool widening = false;
};

struct AccessDiff {
  std::int64_t now_ms = 0;
  std::size_t principals = 0;  // compared
  std::size_t targets = 0;
  std::vector<AccessChange> changes;
  std::vector<WindowChange> rule_changes;  // windows/expiries changed, rules and grants added/removed
  std::vector<std::string> assumptions;
  std::string internal_error;  // non-empty: a Model did not load into an Engine (nothing else is valid)

  bool widening() const;
};

AccessDiff diff_access(const runtime::Model& old_model, const runtime::Model& new_model, std::int64_t now_ms);

std::string render_text(const AccessDiff& diff, const std::string& old_name, const std::string& new_name);
std::string render_markdown(const AccessDiff& diff, const std::string& old_name, const std::string& new_name);

}  // namespace authz::access_diff
