// access_diff.cpp — diff_access (access_diff.h): partial evaluation of every
// (principal, target) pair under both policies, then classification.
#include "compiler/access_diff/access_diff.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "compiler/access_diff/condition_compare.h"
#include "compiler/permission_doc/access_matrix.h"
#include "compiler/permission_doc/doc_facts.h"
#include "runtime/engine.h"
#include "runtime/partial_eval.h"
#include "runtime/internal/table_dump.h"
#include "runtime/internal/value_text.h"

namespace authz::access_diff {

using runtime::Model;

const char* to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::NewlyAllowed: return "newly allowed";
    case ChangeKind::NewlyDenied: return "newly denied";
    case ChangeKind::Loosened: return "condition loosened";
    case ChangeKind::Tightened: return "condition tightened";
    case ChangeKind::ChangedBothWays: return "condition changed both ways";
    case ChangeKind::Undecided: return "condition changed (could not prove it only narrows)";
    case ChangeKind::SameAccessRewritten: return "condition rewritten, same access";
    case ChangeKind::ObligationsChanged: return "obligations changed";
  }
  return "changed";
}

bool AccessDiff::widening() const {
  return std::any_of(changes.begin(), changes.end(), [](const AccessChange& c) { return c.widening; }) ||
         std::any_of(rule_changes.begin(), rule_changes.end(), [](const WindowChange& c) { return c.widening; });
}

namespace {

constexpr std::string_view kMarker = "@@";

// Stand-in principal attributes are the strings "@@user.<name>@@"; residual
// text shows them as `user.<name>` again (a one-element set as the set itself).
std::string unmark(std::string text) {
  for (std::string_view open : {std::string_view("[\"@@"), std::string_view("\"@@")}) {
    std::string close = open.size() == 4 ? "@@\"]" : "@@\"";
    std::size_t pos = 0;
    while ((pos = text.find(open, pos)) != std::string::npos) {
      std::size_t end = text.find(close, pos + open.size());
      if (end == std::string::npos) break;
      std::string name = text.substr(pos + open.size(), end - pos - open.size());
      if (name.rfind("user.", 0) != 0 || name.find('"') != std::string::npos) {
        pos += open.size();
        continue;
      }
      // A set attribute's stand-in element is `user.X[]`: the whole list reads
      // as the set, a lone element as "one of" it.
      bool element = name.size() > 2 && name.compare(name.size() - 2, 2, "[]") == 0;
      if (element) name = open.size() == 4 ? name.substr(0, name.size() - 2) : "one of " + name.substr(0, name.size() - 2);
      text.replace(pos, end + close.size() - pos, name);
      pos += name.size();
    }
  }
  return text;
}

std::string marker(const std::string& attribute) { return fmt::format("{0}user.{1}{0}", kMarker, attribute); }

// The stand-in attributes as a JSON object, and what was assumed.
std::string principal_attributes(const Model& model, std::vector<std::string>& notes) {
  std::string json = "{";
  for (const runtime::Attribute& attribute : model.principal.attributes) {
    if (attribute.name == "id" || attribute.name == "roles" || attribute.type >= model.types.size()) continue;
    const runtime::TypeDescriptor& type = model.types[attribute.type];
    std::string value;
    runtime::TypeKind element = type.element < model.types.size() ? model.types[type.element].kind : runtime::TypeKind::Bool;
    switch (type.kind) {
      case runtime::TypeKind::String:
      case runtime::TypeKind::Entity:
        value = runtime::quoted(marker(attribute.name));
        break;
      case runtime::TypeKind::Set:
      case runtime::TypeKind::List:
        value = element == runtime::TypeKind::String ? "[" + runtime::quoted(marker(attribute.name + "[]")) + "]" : "[]";
        if (element != runtime::TypeKind::String) notes.push_back(fmt::format("`user.{}` is empty", attribute.name));
        break;
      case runtime::TypeKind::Int:
      case runtime::TypeKind::Number:
        value = "0";
        notes.push_back(fmt::format("`user.{}` is 0", attribute.name));
        break;
      case runtime::TypeKind::Bool:
        value = "false";
        notes.push_back(fmt::format("`user.{}` is false", attribute.name));
        break;
      case runtime::TypeKind::Map:
        value = "{}";
        notes.push_back(fmt::format("`user.{}` is empty", attribute.name));
        break;
      default:
        notes.push_back(fmt::format("`user.{}` is not given (a rule reading it fails: allows do not apply, denies deny)",
                                    attribute.name));
        continue;
    }
    if (json.size() > 1) json += ',';
    json += runtime::quoted(attribute.name) + ":" + value;
  }
  return json + "}";
}

struct TargetKey {
  runtime::TargetKind kind;
  std::string name;
  friend bool operator<(const TargetKey& a, const TargetKey& b) {
    return std::tie(a.kind, a.name) < std::tie(b.kind, b.name);
  }
};

const runtime::Target* find_target(const Model& model, const TargetKey& key) {
  for (const runtime::Target& target : model.targets) {
    if (target.kind == key.kind && target.name == key.name) return &target;
  }
  return nullptr;
}

runtime::MethodKind method_of(runtime::TargetKind kind) {
  switch (kind) {
    case runtime::TargetKind::Tool: return runtime::MethodKind::ToolCall;
    case runtime::TargetKind::Resource: return runtime::MethodKind::ResourceRead;
    case runtime::TargetKind::Prompt: return runtime::MethodKind::PromptGet;
  }
  return runtime::MethodKind::ToolCall;
}

std::vector<std::string> obligation_texts(const runtime::Residual& residual) {
  std::vector<std::string> texts;
  for (const runtime::ResidualObligation& obligation : residual.obligations) {
    std::string arguments;
    for (const auto& [name, value] : obligation.arguments) arguments += (arguments.empty() ? "" : ", ") + name + ": " + value;
    texts.push_back(unmark(fmt::format("{}({}){}", obligation.name, arguments, obligation.certain ? "" : " when its rule applies")));
  }
  std::sort(texts.begin(), texts.end());
  return texts;
}

bool has_rule(const Model& model, const std::string& id) {
  return std::any_of(model.rules.begin(), model.rules.end(), [&](const runtime::Rule& r) { return r.id == id; }) ||
         std::any_of(model.grants.begin(), model.grants.end(), [&](const runtime::Grant& g) { return g.id == id; });
}

std::vector<ResponsibleRule> responsible_rules(const runtime::Residual& before, const runtime::Residual& after,
                                               const Model& old_model, const Model& new_model) {
  struct Seen {
    std::string effect;
    std::optional<std::string> before, after;
  };
  std::vector<std::string> order;
  std::map<std::string, Seen> seen;
  auto visit = [&](const runtime::Residual& residual, bool is_after) {
    for (const runtime::CandidateRule& rule : residual.rules) {
      if (!seen.count(rule.id)) order.push_back(rule.id);
      Seen& entry = seen[rule.id];
      entry.effect = rule.is_grant ? "grant" : runtime::to_string(rule.effect);
      (is_after ? entry.after : entry.before) = unmark(runtime::render_condition_text(rule.condition));
    }
  };
  visit(before, false);
  visit(after, true);
  std::vector<ResponsibleRule> changed, unchanged;
  for (const std::string& id : order) {
    const Seen& entry = seen[id];
    std::string what;
    if (!entry.before) what = has_rule(old_model, id) ? "now applies" : "added";
    else if (!entry.after) what = has_rule(new_model, id) ? "no longer applies" : "removed";
    else what = *entry.before == *entry.after ? "unchanged" : "changed";
    (what == "unchanged" ? unchanged : changed).push_back(ResponsibleRule{id, entry.effect, what});
  }
  changed.insert(changed.end(), unchanged.begin(), unchanged.end());
  return changed;
}

// ---- windows ------------------------------------------------------------------------

// [from, until) as comparable bounds (absent = unbounded).
bool window_contains(const runtime::Window& outer, const runtime::Window& inner) {
  bool from_ok = !outer.from_ms || (inner.from_ms && *inner.from_ms >= *outer.from_ms);
  bool until_ok = !outer.until_ms || (inner.until_ms && *inner.until_ms <= *outer.until_ms);
  return from_ok && until_ok;
}

std::string window_words(const runtime::Window& window) {
  std::string text = permission_doc::window_text(window);
  return text.empty() ? "always" : text;
}

void compare_window(const std::string& kind, const std::string& id, const runtime::Window& before,
                    const runtime::Window& after, bool grows_is_widening, std::vector<WindowChange>& out) {
  if (before == after) return;
  WindowChange change{kind, id, "", window_words(before), window_words(after), false};
  bool grows = window_contains(after, before);
  bool shrinks = window_contains(before, after);
  bool only_until = before.from_ms == after.from_ms;
  if (grows) {
    change.what = only_until ? "expiry extended" : "window widened";
    change.widening = grows_is_widening;
  } else if (shrinks) {
    change.what = only_until ? "expiry brought forward" : "window narrowed";
    change.widening = !grows_is_widening;
  } else {
    change.what = "window moved";
    change.widening = true;  // neither contains the other: fail safe
  }
  out.push_back(std::move(change));
}

// What a rule says besides its window, as text that compares across Models.
std::string rule_meaning(const Model& model, const runtime::Rule& rule, std::size_t index) {
  std::string targets;
  for (const runtime::Target& target : model.targets) {
    if (std::binary_search(target.rules.begin(), target.rules.end(), static_cast<runtime::RuleIndex>(index))) {
      targets += fmt::format("{} {},", runtime::to_string(target.kind), target.name);
    }
  }
  std::string when = rule.when == runtime::kNoIndex ? "" : runtime::dump_expression(model, rule.when);
  std::string unless = rule.unless == runtime::kNoIndex ? "" : runtime::dump_expression(model, rule.unless);
  std::string obligations;
  for (const runtime::ObligationUse& use : rule.obligations) obligations += permission_doc::obligation_text(model, use) + ",";
  return fmt::format("{}|{}|{}|{}|{}", permission_doc::subjects_text(model, rule.subjects), targets, when, unless, obligations);
}

// Every rule naming the target, with what it says, as text that compares
// across Models; "" when the model has no such target.
std::string target_rules_meaning(const Model& model, const TargetKey& key) {
  const runtime::Target* target = find_target(model, key);
  if (!target) return {};
  std::string out;
  for (runtime::RuleIndex r : target->rules) {
    const runtime::Rule& rule = model.rules[r];
    out += fmt::format("{}|{}|{}|{}\n", rule.id, runtime::to_string(rule.effect), rule_meaning(model, rule, r),
                       permission_doc::window_text(rule.window));
  }
  return out;
}

void compare_rules(const Model& old_model, const Model& new_model, std::int64_t now_ms, std::vector<WindowChange>& out) {
  for (const runtime::Rule& rule : new_model.rules) {
    auto old_rule = std::find_if(old_model.rules.begin(), old_model.rules.end(),
                                 [&](const runtime::Rule& r) { return r.id == rule.id; });
    std::string effect = runtime::to_string(rule.effect);
    if (old_rule == old_model.rules.end()) {
      out.push_back(WindowChange{effect, rule.id, "added", "", window_words(rule.window), rule.effect == runtime::Effect::Allow});
    } else if (old_rule->effect != rule.effect) {
      out.push_back(WindowChange{effect, rule.id, fmt::format("effect changed from {}", runtime::to_string(old_rule->effect)),
                                 window_words(old_rule->window), window_words(rule.window), rule.effect == runtime::Effect::Allow});
    } else {
      compare_window(effect, rule.id, old_rule->window, rule.window, rule.effect == runtime::Effect::Allow, out);
      // A rule out of its window at `now` cannot show its changes in the
      // access rows; say that it changed, and count it as widening (undecided).
      bool in_force = old_rule->window.contains(now_ms) || rule.window.contains(now_ms);
      std::size_t old_index = static_cast<std::size_t>(old_rule - old_model.rules.begin());
      std::size_t new_index = static_cast<std::size_t>(&rule - new_model.rules.data());
      if (!in_force && rule_meaning(old_model, *old_rule, old_index) != rule_meaning(new_model, rule, new_index)) {
        out.push_back(WindowChange{effect, rule.id, "subjects, targets, condition or obligations changed while not in force at --now",
                                   window_words(old_rule->window), window_words(rule.window), true});
      }
    }
  }
  for (const runtime::Rule& rule : old_model.rules) {
    bool kept = std::any_of(new_model.rules.begin(), new_model.rules.end(), [&](const runtime::Rule& r) { return r.id == rule.id; });
    if (!kept) {
      out.push_back(WindowChange{runtime::to_string(rule.effect), rule.id, "removed", window_words(rule.window), "",
                                 rule.effect == runtime::Effect::Deny});
    }
  }
  for (const runtime::Grant& grant : new_model.grants) {
    auto old_grant = std::find_if(old_model.grants.begin(), old_model.grants.end(),
                                  [&](const runtime::Grant& g) { return g.id == grant.id; });
    if (old_grant == old_model.grants.end()) {
      out.push_back(WindowChange{"grant", grant.id, fmt::format("added for user {}", runtime::quoted(grant.user)), "",
                                 window_words(grant.window), true});
    } else {
      if (old_grant->user != grant.user) {
        out.push_back(WindowChange{"grant", grant.id,
                                   fmt::format("user changed from {} to {}", runtime::quoted(old_grant->user),
                                               runtime::quoted(grant.user)),
                                   window_words(old_grant->window), window_words(grant.window), true});
      }
      compare_window("grant", grant.id, old_grant->window, grant.window, true, out);
    }
  }
  for (const runtime::Grant& grant : old_model.grants) {
    bool kept = std::any_of(new_model.grants.begin(), new_model.grants.end(), [&](const runtime::Grant& g) { return g.id == grant.id; });
    if (!kept) {
      out.push_back(WindowChange{"grant", grant.id, fmt::format("removed (was for user {})", runtime::quoted(grant.user)),
                                 window_words(grant.window), "", false});
    }
  }
}

struct Principal {
  std::string kind;  // "role" / "user"
  std::string name;
};

// For a role row, the roles it includes in `model` (itself and every role it
// inherits), as text that compares across Models; "" for a user row or a role
// the model lacks.
std::string role_standing(const Model& model, const Principal& principal) {
  if (principal.kind != "role") return {};
  auto role = std::find_if(model.roles.begin(), model.roles.end(),
                           [&](const runtime::Role& r) { return r.name == principal.name; });
  if (role == model.roles.end()) return {};
  std::vector<std::string_view> names;
  for (std::size_t r = 0; r < model.roles.size(); ++r) {
    if (role->includes.contains(static_cast<runtime::RoleIndex>(r))) names.push_back(model.roles[r].name);
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (std::string_view name : names) out.append(name).append(",");
  return out;
}

// What the diff assumes about the callers and arguments it cannot know,
// including the stand-in notes of both policies' principal attributes.
void add_assumptions(const Model& old_model, const Model& new_model, const std::vector<std::string>& notes_old,
                     const std::vector<std::string>& notes_new, std::vector<std::string>& assumptions) {
  assumptions.push_back(
      "each role row is a caller holding just that role (and what it inherits); each user row is a caller with "
      "that id and no roles (grants, rules naming the user, rules for anyone)");
  std::set<std::string> symbols{"`user.id`"};
  for (const Model* model : {&old_model, &new_model}) {
    for (const runtime::Attribute& attribute : model->principal.attributes) {
      if (attribute.name != "id" && attribute.name != "roles") symbols.insert("`user." + attribute.name + "`");
    }
  }
  std::string symbol_list;
  for (const std::string& symbol : symbols) symbol_list += (symbol_list.empty() ? "" : ", ") + symbol;
  assumptions.push_back(
      "every argument is unknown; an entity an argument names exists with its declared attributes; the caller's "
      "id and attributes are symbols, the same under both policies: " + symbol_list);
  std::set<std::string> notes(notes_old.begin(), notes_old.end());
  notes.insert(notes_new.begin(), notes_new.end());
  for (const std::string& note : notes) assumptions.push_back(note);
}

// The rows: every role of either policy (new first), then every user a grant
// or rule of either policy names, sorted.
std::vector<Principal> principals_of(const Model& old_model, const Model& new_model) {
  std::vector<Principal> principals;
  for (const Model* model : {&new_model, &old_model}) {
    for (const runtime::Role& role : model->roles) {
      bool known = std::any_of(principals.begin(), principals.end(), [&](const Principal& p) { return p.name == role.name; });
      if (!known) principals.push_back({"role", role.name});
    }
  }
  std::set<std::string> users;
  for (const Model* model : {&new_model, &old_model}) {
    for (const runtime::Grant& grant : model->grants) users.insert(grant.user);
    for (const runtime::Rule& rule : model->rules) users.insert(rule.subjects.users.begin(), rule.subjects.users.end());
  }
  for (const std::string& user : users) principals.push_back({"user", user});
  return principals;
}

// The columns: every target of either policy (new first), each once.
std::vector<TargetKey> targets_of(const Model& old_model, const Model& new_model) {
  std::vector<TargetKey> targets;
  std::set<TargetKey> seen_targets;
  for (const Model* model : {&new_model, &old_model}) {
    for (const runtime::Target& target : model->targets) {
      TargetKey key{target.kind, target.name};
      if (seen_targets.insert(key).second) targets.push_back(key);
    }
  }
  return targets;
}

// The residual of one (principal, target) cell under one policy: every
// argument unknown, a role row's id and attributes the stand-in symbols.
runtime::Residual evaluate_cell(const runtime::Engine& engine, const Model& model, const std::string& attributes,
                                const Principal& principal, const TargetKey& key, std::int64_t now_ms) {
  runtime::PartialRequest request;
  request.principal.id = principal.kind == "role" ? marker("id") : principal.name;
  if (principal.kind == "role") request.principal.roles.push_back(principal.name);
  request.principal.attributes_json = attributes;
  request.method = method_of(key.kind);
  const runtime::Target* target = find_target(model, key);
  request.target = key.kind == runtime::TargetKind::Resource && target ? target->uri : key.name;
  if (key.kind == runtime::TargetKind::Resource && !target) request.target = "\x01" + key.name;  // unknown
  request.all_arguments_unknown = true;
  request.now_ms = now_ms;
  return runtime::partially_evaluate(engine, request);
}

// Classifies two conditional residuals with different texts by comparing
// their conditions over the unknowns of both.
void classify_conditions(const runtime::Residual& before, const runtime::Residual& after, AccessChange& change) {
  std::vector<runtime::UnknownRef> unknowns = before.unknowns;
  for (const runtime::UnknownRef& unknown : after.unknowns) {
    if (std::find(unknowns.begin(), unknowns.end(), unknown) == unknowns.end()) unknowns.push_back(unknown);
  }
  ConditionComparison comparison = compare_conditions(before.condition, after.condition, unknowns);
  if (comparison.widening_found && comparison.narrowing_found) {
    change.kind = ChangeKind::ChangedBothWays;
    change.widening = true;
    change.witness = "newly allowed for " + unmark(comparison.widening_witness) + "; newly denied for " +
                     unmark(comparison.narrowing_witness);
  } else if (comparison.widening_found) {
    change.kind = ChangeKind::Loosened;
    change.widening = true;
    change.witness = "newly allowed for " + unmark(comparison.widening_witness);
  } else if (comparison.narrowing_found && comparison.exhaustive) {
    change.kind = ChangeKind::Tightened;
    change.witness = "newly denied for " + unmark(comparison.narrowing_witness);
  } else if (!comparison.narrowing_found && comparison.exhaustive) {
    change.kind = ChangeKind::SameAccessRewritten;
  } else {
    change.kind = ChangeKind::Undecided;
    change.widening = true;
    if (comparison.narrowing_found) change.witness = "newly denied for " + unmark(comparison.narrowing_witness);
  }
}

// Classifies a cell whose residuals are both exact; false when its access did
// not change (no row).
bool classify_exact(const runtime::Residual& before, const runtime::Residual& after, AccessChange& change) {
  bool before_never = before.kind == runtime::ResidualKind::NeverAllowed;
  bool after_never = after.kind == runtime::ResidualKind::NeverAllowed;
  if (before_never && after_never) return false;
  if (before_never) {
    change.kind = ChangeKind::NewlyAllowed;
    change.widening = true;
  } else if (after_never) {
    change.kind = ChangeKind::NewlyDenied;
  } else if (change.before == change.after) {
    std::vector<std::string> old_obligations = obligation_texts(before), new_obligations = obligation_texts(after);
    if (old_obligations == new_obligations) return false;
    change.kind = ChangeKind::ObligationsChanged;
    change.widening = std::any_of(old_obligations.begin(), old_obligations.end(), [&](const std::string& o) {
      return std::find(new_obligations.begin(), new_obligations.end(), o) == new_obligations.end();
    });
    change.obligations_before = std::move(old_obligations);
    change.obligations_after = std::move(new_obligations);
  } else {
    classify_conditions(before, after, change);
  }
  return true;
}

}  // namespace

AccessDiff diff_access(const Model& old_model, const Model& new_model, std::int64_t now_ms) {
  AccessDiff diff;
  diff.now_ms = now_ms;
  auto old_engine = runtime::Engine::from_model(old_model);
  auto new_engine = runtime::Engine::from_model(new_model);
  if (!old_engine.ok() || !new_engine.ok()) {
    diff.internal_error = !old_engine.ok() ? old_engine.error() : new_engine.error();
    return diff;
  }

  std::vector<std::string> notes_old, notes_new;
  std::string old_attributes = principal_attributes(old_model, notes_old);
  std::string new_attributes = principal_attributes(new_model, notes_new);
  add_assumptions(old_model, new_model, notes_old, notes_new, diff.assumptions);

  std::vector<Principal> principals = principals_of(old_model, new_model);
  std::vector<TargetKey> targets = targets_of(old_model, new_model);
  diff.principals = principals.size();
  diff.targets = targets.size();

  // Whether a target's rules say anything different (computed once per target).
  std::map<TargetKey, bool> rules_changed;
  auto target_rules_changed = [&](const TargetKey& key) {
    auto [it, fresh] = rules_changed.try_emplace(key, false);
    if (fresh) it->second = target_rules_meaning(old_model, key) != target_rules_meaning(new_model, key);
    return it->second;
  };
  for (const Principal& principal : principals) {
    const std::string standing_before = role_standing(old_model, principal);
    const std::string standing_after = role_standing(new_model, principal);
    for (const TargetKey& key : targets) {
      runtime::Residual before = evaluate_cell(old_engine.value(), old_model, old_attributes, principal, key, now_ms);
      runtime::Residual after = evaluate_cell(new_engine.value(), new_model, new_attributes, principal, key, now_ms);

      AccessChange change;
      change.subject_kind = principal.kind;
      change.subject = principal.name;
      change.target_kind = runtime::to_string(key.kind);
      change.target = key.name;
      change.before = unmark(runtime::render_residual_text(before));
      change.after = unmark(runtime::render_residual_text(after));
      if (!before.exact || !after.exact) {
        // Partial evaluation left out cases it cannot model (a quantifier
        // body that can err, an attribute of an element of an unknown list),
        // so the residuals may not show what changed. The row is unchanged
        // only when nothing deciding it changed: the same residual, equally
        // exact, from the same rules on the target, for a role including the
        // same roles. Anything else is undecided (counted as widening).
        if (before.exact == after.exact && change.before == change.after && !target_rules_changed(key) &&
            standing_before == standing_after) {
          continue;
        }
        change.kind = ChangeKind::Undecided;
        change.widening = true;
        change.witness = "a rule's condition is beyond exact partial evaluation (e.g. a quantifier body that can "
                         "err); review the rules and roles that changed by hand";
      } else if (!classify_exact(before, after, change)) {
        continue;
      }
      change.rules = responsible_rules(before, after, old_model, new_model);
      diff.changes.push_back(std::move(change));
    }
  }
  compare_rules(old_model, new_model, now_ms, diff.rule_changes);
  return diff;
}

}  // namespace authz::access_diff
