// never_holds.cpp — contradiction detection over a rule's condition (see never_holds.h).
#include "compiler/lint/never_holds.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace authz::lint {
namespace {

struct Literal {
  const ast::Expr* expr;
  bool positive;
};

// `when` parts are positive, `unless` parts negative; !(a || b) = !a && !b.
void flatten(const ast::Expr* expr, bool positive, std::vector<Literal>& out) {
  if (expr == nullptr) return;
  if ((positive && expr->kind == ast::ExprKind::And) || (!positive && expr->kind == ast::ExprKind::Or)) {
    for (const auto& child : expr->children) flatten(child.get(), positive, out);
  } else if (expr->kind == ast::ExprKind::Not && !expr->children.empty()) {
    flatten(expr->children[0].get(), !positive, out);
  } else {
    out.push_back({expr, positive});
  }
}

bool is_scalar_constant(const ast::Expr& e) {
  switch (e.kind) {
    case ast::ExprKind::Bool:
    case ast::ExprKind::Int:
    case ast::ExprKind::String:
    case ast::ExprKind::Timestamp:
    case ast::ExprKind::Duration:
      return true;
    case ast::ExprKind::Negate:
      return !e.children.empty() && e.children[0]->kind == ast::ExprKind::Int;
    default:
      return false;
  }
}

bool is_ordered_constant(const ast::Expr& e) {
  return is_scalar_constant(e) && e.kind != ast::ExprKind::Bool && e.kind != ast::ExprKind::String;
}

std::int64_t ordered_value(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::Negate) return -e.children[0]->int_value;
  return e.int_value;
}

// Structural identity: the canonical, span-free dump.
std::string key(const ast::Expr& e) { return ast::dump(e); }

ast::BinaryOp negate(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Eq: return ast::BinaryOp::Ne;
    case ast::BinaryOp::Ne: return ast::BinaryOp::Eq;
    case ast::BinaryOp::Lt: return ast::BinaryOp::Ge;
    case ast::BinaryOp::Le: return ast::BinaryOp::Gt;
    case ast::BinaryOp::Gt: return ast::BinaryOp::Le;
    case ast::BinaryOp::Ge: return ast::BinaryOp::Lt;
    default: return op;
  }
}

// `c < x` is `x > c`.
ast::BinaryOp mirror(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Lt: return ast::BinaryOp::Gt;
    case ast::BinaryOp::Le: return ast::BinaryOp::Ge;
    case ast::BinaryOp::Gt: return ast::BinaryOp::Lt;
    case ast::BinaryOp::Ge: return ast::BinaryOp::Le;
    default: return op;
  }
}

struct Bound {
  std::int64_t value = 0;
  bool strict = false;
  std::string text;  // the comparison it came from, for the message
};

struct Facts {
  std::map<std::string, std::pair<std::string, std::string>> equal;  // x -> (constant key, source text)
  std::map<std::string, std::map<std::string, std::string>> not_equal;     // x -> constants
  std::map<std::string, std::pair<std::set<std::string>, std::string>> allowed;  // x -> `in` list
  std::map<std::string, Bound> lower, upper;
  std::map<std::string, Bound> equal_value;  // x == an Int/Timestamp/Duration constant
};

std::string quoted(const ast::Expr& e, bool positive) {
  std::string text = ast::dump(e);
  return "`" + (positive ? text : "!" + text) + "`";
}

}  // namespace

std::optional<std::string> never_holds(const ast::Expr* when, const ast::Expr* unless) {
  std::vector<Literal> literals;
  flatten(when, true, literals);
  flatten(unless, false, literals);

  std::map<std::string, std::pair<bool, const ast::Expr*>> seen;  // key -> polarity
  Facts facts;
  for (const Literal& literal : literals) {
    const ast::Expr& e = *literal.expr;
    if (e.kind == ast::ExprKind::Bool && e.bool_value != literal.positive) {
      return std::string(literal.positive ? "`when false` never holds" : "`unless true` always excludes every request");
    }
    std::string k = key(e);
    if (auto it = seen.find(k); it != seen.end() && it->second.first != literal.positive) {
      return "it requires both `" + k + "` and `!" + k + "`";
    }
    seen.emplace(k, std::make_pair(literal.positive, &e));

    if (e.kind != ast::ExprKind::Binary || e.children.size() != 2) continue;
    const ast::Expr& left = *e.children[0];
    const ast::Expr& right = *e.children[1];
    ast::BinaryOp op = e.op;

    if (op == ast::BinaryOp::In && right.kind == ast::ExprKind::List && literal.positive) {
      if (right.children.empty()) return "`" + k + "` never holds: the list is empty";
      bool all_constant = std::all_of(right.children.begin(), right.children.end(),
                                      [](const ast::ExprPtr& c) { return is_scalar_constant(*c); });
      if (!all_constant) continue;
      std::set<std::string> values;
      for (const auto& c : right.children) values.insert(key(*c));
      std::string x = key(left);
      if (auto it = facts.allowed.find(x); it != facts.allowed.end()) {
        std::set<std::string> common;
        std::set_intersection(values.begin(), values.end(), it->second.first.begin(), it->second.first.end(),
                              std::inserter(common, common.begin()));
        if (common.empty()) return "`" + it->second.second + "` and `" + k + "` have no value in common";
        values = common;
      }
      facts.allowed[x] = {values, k};
      continue;
    }

    bool comparison = op == ast::BinaryOp::Eq || op == ast::BinaryOp::Ne || op == ast::BinaryOp::Lt ||
                      op == ast::BinaryOp::Le || op == ast::BinaryOp::Gt || op == ast::BinaryOp::Ge;
    if (!comparison) continue;
    const ast::Expr* subject = &left;
    const ast::Expr* constant = &right;
    if (is_scalar_constant(left) && !is_scalar_constant(right)) {
      subject = &right;
      constant = &left;
      op = mirror(op);
    }
    if (!is_scalar_constant(*constant) || is_scalar_constant(*subject)) continue;
    if (!literal.positive) op = negate(op);
    std::string x = key(*subject);
    std::string c = key(*constant);
    std::string text = quoted(e, literal.positive);

    if (op == ast::BinaryOp::Eq) {
      if (auto it = facts.equal.find(x); it != facts.equal.end() && it->second.first != c) {
        return it->second.second + " and " + text + " cannot both hold";
      }
      facts.equal[x] = {c, text};
      if (is_ordered_constant(*constant)) facts.equal_value[x] = Bound{ordered_value(*constant), false, text};
    } else if (op == ast::BinaryOp::Ne) {
      facts.not_equal[x][c] = text;
    } else if (is_ordered_constant(*constant)) {
      std::int64_t v = ordered_value(*constant);
      bool strict = op == ast::BinaryOp::Lt || op == ast::BinaryOp::Gt;
      bool is_lower = op == ast::BinaryOp::Gt || op == ast::BinaryOp::Ge;
      auto& bounds = is_lower ? facts.lower : facts.upper;
      auto it = bounds.find(x);
      bool tighter = it == bounds.end() ||
                     (is_lower ? (v > it->second.value || (v == it->second.value && strict))
                               : (v < it->second.value || (v == it->second.value && strict)));
      if (tighter) bounds[x] = Bound{v, strict, text};
    }
  }

  // Cross-checks once every fact is known.
  for (const auto& [x, eq] : facts.equal) {
    if (auto ne = facts.not_equal.find(x); ne != facts.not_equal.end()) {
      if (auto hit = ne->second.find(eq.first); hit != ne->second.end()) {
        return eq.second + " and " + hit->second + " cannot both hold";
      }
    }
    if (auto in = facts.allowed.find(x); in != facts.allowed.end() && !in->second.first.count(eq.first)) {
      return eq.second + " and `" + in->second.second + "` cannot both hold";
    }
  }
  for (const auto& [x, eq] : facts.equal_value) {
    if (auto low = facts.lower.find(x); low != facts.lower.end()) {
      const Bound& b = low->second;
      if (eq.value < b.value || (eq.value == b.value && b.strict)) return eq.text + " and " + b.text + " cannot both hold";
    }
    if (auto high = facts.upper.find(x); high != facts.upper.end()) {
      const Bound& b = high->second;
      if (eq.value > b.value || (eq.value == b.value && b.strict)) return eq.text + " and " + b.text + " cannot both hold";
    }
  }
  for (const auto& [x, low] : facts.lower) {
    auto high = facts.upper.find(x);
    if (high == facts.upper.end()) continue;
    const Bound& up = high->second;
    if (low.value > up.value || (low.value == up.value && (low.strict || up.strict))) {
      return low.text + " and " + up.text + " leave no value";
    }
  }
  return std::nullopt;
}

}  // namespace authz::lint
