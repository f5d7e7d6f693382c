// condition_compare.cpp — see condition_compare.h.
#include "compiler/access_diff/condition_compare.h"

#include <algorithm>
#include <optional>
#include <set>

#include "runtime/internal/value_text.h"

namespace authz::access_diff {
namespace {

using runtime::ResidualNode;
using runtime::ResidualOp;
using runtime::ResidualValue;
using runtime::TypeKind;
using runtime::UnknownRef;
using runtime::ValueKind;

void collect_constants(const ResidualNode& node, std::vector<ResidualValue>& out) {
  if (node.op == ResidualOp::Constant) {
    out.push_back(node.constant);
    for (const ResidualValue& item : node.constant.items) out.push_back(item);
  }
  for (const ResidualNode& child : node.children) collect_constants(child, out);
}

bool is_scalar(TypeKind kind) {
  switch (kind) {
    case TypeKind::Bool: case TypeKind::Int: case TypeKind::String: case TypeKind::Timestamp:
    case TypeKind::Duration: case TypeKind::Role: case TypeKind::Entity:
      return true;
    default: return false;
  }
}

// Ops whose truth over scalar unknowns compared with constants is decided by
// the candidate values. Listed one by one: any other operator (arithmetic,
// `under`, `matches`, `containsAll`, and every relation added to
// runtime/opcodes.def later) makes the search not exhaustive, so a new
// operator can only make the diff more cautious, never hide a widening.
bool finite_domain(const ResidualNode& node) {
  switch (node.op) {
    case ResidualOp::True: case ResidualOp::False: case ResidualOp::Not: case ResidualOp::And: case ResidualOp::Or:
    case ResidualOp::Present: case ResidualOp::Constant: case ResidualOp::Unknown: case ResidualOp::List:
      break;  // decided by their operands
    case ResidualOp::Eq: case ResidualOp::Ne: case ResidualOp::Lt: case ResidualOp::Le: case ResidualOp::Gt:
    case ResidualOp::Ge: case ResidualOp::In: case ResidualOp::NotIn: case ResidualOp::Contains:
    case ResidualOp::NotContains: {
      int unknown_sides = 0;
      for (const ResidualNode& child : node.children) {
        if (child.op == ResidualOp::Unknown) ++unknown_sides;
        else if (child.op != ResidualOp::Constant && child.op != ResidualOp::List) return false;
      }
      if (unknown_sides > 1) return false;
      break;
    }
    default: return false;
  }
  return std::all_of(node.children.begin(), node.children.end(), finite_domain);
}

ValueKind value_kind(TypeKind kind) {
  switch (kind) {
    case TypeKind::Bool: return ValueKind::Bool;
    case TypeKind::Int: return ValueKind::Int;
    case TypeKind::Number: return ValueKind::Number;
    case TypeKind::Timestamp: return ValueKind::Timestamp;
    case TypeKind::Duration: return ValueKind::Duration;
    case TypeKind::Role: return ValueKind::Role;
    case TypeKind::Set: return ValueKind::Set;
    case TypeKind::List: return ValueKind::List;
    default: return ValueKind::String;  // String, Entity (an entity is its id)
  }
}

using Candidate = std::optional<ResidualValue>;

std::vector<Candidate> candidates_for(const UnknownRef& unknown, const std::vector<ResidualValue>& constants,
                                      bool& exhaustive) {
  std::vector<Candidate> out;
  ValueKind kind = value_kind(unknown.kind);
  auto add = [&](ResidualValue value) {
    if (std::find(out.begin(), out.end(), Candidate(value)) == out.end()) out.emplace_back(std::move(value));
  };
  if (kind == ValueKind::String) {
    for (const ResidualValue& c : constants) {
      if (c.kind == ValueKind::String) add(c);
    }
    ResidualValue fresh;
    fresh.kind = ValueKind::String;
    fresh.text = "(any other value)";
    add(fresh);
  } else if (kind == ValueKind::Int || kind == ValueKind::Timestamp || kind == ValueKind::Duration) {
    for (const ResidualValue& c : constants) {
      if (c.kind != kind) continue;
      for (std::int64_t delta : {-1, 0, 1}) {
        ResidualValue v = c;
        if ((delta < 0 && v.integer == INT64_MIN) || (delta > 0 && v.integer == INT64_MAX)) continue;
        v.integer += delta;
        add(v);
      }
    }
    ResidualValue zero;
    zero.kind = kind;
    add(zero);
  } else if (kind == ValueKind::Bool) {
    for (bool b : {false, true}) {
      ResidualValue v;
      v.kind = ValueKind::Bool;
      v.boolean = b;
      add(v);
    }
  } else if (kind == ValueKind::Role) {
    for (const ResidualValue& c : constants) {
      if (c.kind == ValueKind::Role) add(c);
    }
    exhaustive = false;  // roles the conditions do not name are not tried
  } else if (kind == ValueKind::Set || kind == ValueKind::List) {
    ResidualValue empty;
    empty.kind = kind;
    add(empty);
    ResidualValue all = empty;
    for (const ResidualValue& c : constants) {
      if (c.kind != ValueKind::String) continue;
      ResidualValue one = empty;
      one.items.push_back(c);
      add(one);
      if (std::find(all.items.begin(), all.items.end(), c) == all.items.end()) all.items.push_back(c);
    }
    add(all);
    exhaustive = false;
  } else {
    exhaustive = false;
  }
  if (!is_scalar(unknown.kind)) exhaustive = false;
  if (unknown.may_be_absent) out.emplace_back(std::nullopt);
  if (out.empty()) out.emplace_back(std::nullopt);
  return out;
}

std::string describe(const std::vector<UnknownRef>& unknowns, const std::vector<std::vector<Candidate>>& domains,
                     const std::vector<std::size_t>& choice) {
  std::string text;
  for (std::size_t u = 0; u < unknowns.size(); ++u) {
    const Candidate& value = domains[u][choice[u]];
    if (!text.empty()) text += ", ";
    text += unknowns[u].text();
    if (!value) {
      text += " absent";
    } else if (value->kind == ValueKind::String) {
      text += " = " + (value->text == "(any other value)" ? value->text : runtime::quoted(value->text));
    } else if (value->kind == ValueKind::Bool) {
      text += value->boolean ? " = true" : " = false";
    } else if (value->kind == ValueKind::Set || value->kind == ValueKind::List) {
      std::string items;
      for (const ResidualValue& item : value->items) items += (items.empty() ? "" : ", ") + runtime::quoted(item.text);
      text += " = [" + items + "]";
    } else if (value->kind == ValueKind::Role) {
      text += " = " + value->text;
    } else {
      text += " = " + std::to_string(value->integer);
    }
  }
  return text;
}

}  // namespace

ConditionComparison compare_conditions(const ResidualNode& old_condition, const ResidualNode& new_condition,
                                       const std::vector<UnknownRef>& unknowns) {
  ConditionComparison result;
  std::vector<ResidualValue> constants;
  collect_constants(old_condition, constants);
  collect_constants(new_condition, constants);
  bool exhaustive = finite_domain(old_condition) && finite_domain(new_condition);

  std::vector<std::vector<Candidate>> domains;
  std::size_t total = 1;
  bool overflow = false;
  for (const UnknownRef& unknown : unknowns) {
    domains.push_back(candidates_for(unknown, constants, exhaustive));
    if (total > kMaxAssignments / domains.back().size()) overflow = true;
    total = overflow ? kMaxAssignments : total * domains.back().size();
  }
  if (overflow) exhaustive = false;

  std::vector<std::size_t> choice(unknowns.size(), 0);
  std::uint64_t seed = 0x9e3779b97f4a7c15ull;
  for (std::size_t step = 0; step < total; ++step) {
    if (overflow) {  // a deterministic sample instead of every combination
      for (std::size_t u = 0; u < choice.size(); ++u) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        choice[u] = static_cast<std::size_t>((seed >> 33) % domains[u].size());
      }
    }
    auto values = [&](const UnknownRef& ref) -> std::optional<ResidualValue> {
      for (std::size_t u = 0; u < unknowns.size(); ++u) {
        if (unknowns[u] == ref) return domains[u][choice[u]];
      }
      return std::nullopt;
    };
    bool old_holds = runtime::residual_holds(old_condition, values);
    bool new_holds = runtime::residual_holds(new_condition, values);
    if (new_holds && !old_holds && !result.widening_found) {
      result.widening_found = true;
      result.widening_witness = describe(unknowns, domains, choice);
    }
    if (old_holds && !new_holds && !result.narrowing_found) {
      result.narrowing_found = true;
      result.narrowing_witness = describe(unknowns, domains, choice);
    }
    if (result.widening_found && result.narrowing_found) break;
    if (!overflow) {  // next combination, odometer style
      for (std::size_t u = 0; u < choice.size(); ++u) {
        if (++choice[u] < domains[u].size()) break;
        choice[u] = 0;
      }
    }
  }
  result.exhaustive = exhaustive;
  return result;
}

}  // namespace authz::access_diff
