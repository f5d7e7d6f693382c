// partial_simplify.cpp — residual trees: their nodes, owned values, and the
// simplifying builders every step of partial evaluation uses.
//
// Contract: internal/partial_simplify.h (the builders simplify without
// changing what a tree means), plus partial_eval.h's ResidualNode equality,
// is_boolean() and to_residual_value(). No I/O, no engine access: pure
// functions of their operands.
#include "runtime/internal/partial_simplify.h"

#include <fmt/format.h>

namespace authz::runtime {

bool ResidualNode::is_boolean() const { return op <= ResidualOp::Any; }

bool operator==(const ResidualNode& a, const ResidualNode& b) {
  if (a.op != b.op || a.children != b.children) return false;
  if (a.op == ResidualOp::Constant) return a.constant == b.constant;
  if (a.op == ResidualOp::List) return a.constant.kind == b.constant.kind;
  if (a.op == ResidualOp::Unknown) return a.unknown == b.unknown;
  if (a.op == ResidualOp::All || a.op == ResidualOp::Any) return a.constant.text == b.constant.text;
  return true;
}

ResidualValue to_residual_value(const Value& value, const std::vector<Role>* roles) {
  ResidualValue out;
  out.kind = value.kind;
  switch (value.kind) {
    case ValueKind::Absent: break;
    case ValueKind::Bool: out.boolean = value.boolean; break;
    case ValueKind::Int:
    case ValueKind::Timestamp:
    case ValueKind::Duration: out.integer = value.integer; break;
    case ValueKind::Role:
      out.integer = value.integer;
      if (roles && value.integer >= 0 && static_cast<std::size_t>(value.integer) < roles->size()) {
        out.text = (*roles)[static_cast<std::size_t>(value.integer)].name;
      } else {
        out.text = fmt::format("role#{}", value.integer);
      }
      break;
    case ValueKind::Number: out.number = value.number; break;
    case ValueKind::String: out.text = std::string(value.string()); break;
    case ValueKind::List:
    case ValueKind::Set:
    case ValueKind::Record:
    case ValueKind::Map: {
      std::uint32_t count = value.kind == ValueKind::Map ? value.size * 2 : value.size;
      out.items.reserve(count);
      for (std::uint32_t i = 0; i < count; ++i) out.items.push_back(to_residual_value(value.items[i], roles));
      break;
    }
  }
  return out;
}

namespace internal {

// ---- owned values ------------------------------------------------------------------

Value ValueViews::view(const ResidualValue& value) {
  switch (value.kind) {
    case ValueKind::Absent: return Value();
    case ValueKind::Bool: return Value::of_bool(value.boolean);
    case ValueKind::Int: return Value::of_int(value.integer);
    case ValueKind::Number: return Value::of_number(value.number);
    case ValueKind::Timestamp: return Value::of_timestamp(value.integer);
    case ValueKind::Duration: return Value::of_duration(value.integer);
    case ValueKind::Role: return Value::of_role(value.integer);
    case ValueKind::String: return Value::of_string(value.text);
    case ValueKind::List:
    case ValueKind::Set:
    case ValueKind::Map:
    case ValueKind::Record: {
      std::vector<Value>& block = blocks_.emplace_back();
      block.reserve(value.items.size());
      for (const ResidualValue& item : value.items) block.push_back(view(item));
      auto size = static_cast<std::uint32_t>(value.kind == ValueKind::Map ? block.size() / 2 : block.size());
      return Value::of_sequence(value.kind, block.data(), size);
    }
  }
  return Value();
}

// ---- nodes ---------------------------------------------------------------------------

ResidualNode constant_node(ResidualValue value) {
  ResidualNode node = leaf(ResidualOp::Constant);
  node.constant = std::move(value);
  return node;
}

ResidualNode unknown_node(UnknownRef ref) {
  ResidualNode node = leaf(ResidualOp::Unknown);
  node.unknown = std::move(ref);
  return node;
}

// Operands are moved in (an initializer list would copy whole subtrees).
ResidualNode with_child(ResidualOp op, ResidualNode child) {
  ResidualNode node = leaf(op);
  node.children.reserve(1);
  node.children.push_back(std::move(child));
  return node;
}

ResidualNode with_children(ResidualOp op, ResidualNode left, ResidualNode right) {
  ResidualNode node = leaf(op);
  node.children.reserve(2);
  node.children.push_back(std::move(left));
  node.children.push_back(std::move(right));
  return node;
}

ResidualNode with_children(ResidualOp op, std::vector<ResidualNode> children) {
  ResidualNode node = leaf(op);
  node.children = std::move(children);
  return node;
}

// A term that cannot fail: no unknown in it may be absent, no arithmetic.
bool total(const ResidualNode& term) {
  switch (term.op) {
    case ResidualOp::Constant: return true;
    case ResidualOp::Unknown: return !term.unknown.may_be_absent;
    case ResidualOp::List:
      for (const ResidualNode& child : term.children) {
        if (!total(child)) return false;
      }
      return true;
    default: return false;
  }
}

ResidualNode make_not(ResidualNode operand) {
  if (is_true(operand)) return boolean(false);
  if (is_false(operand)) return boolean(true);
  if (operand.op == ResidualOp::Not) return std::move(operand.children[0]);
  return with_child(ResidualOp::Not, std::move(operand));
}

namespace {

bool negation_of(const ResidualNode& a, const ResidualNode& b) {
  return (a.op == ResidualOp::Not && a.children[0] == b) || (b.op == ResidualOp::Not && b.children[0] == a);
}

bool contains_node(const std::vector<ResidualNode>& nodes, const ResidualNode& node) {
  for (const ResidualNode& candidate : nodes) {
    if (candidate == node) return true;
  }
  return false;
}

// And (conjunction = true) or Or, flattened and simplified:
//   identity elements dropped, the absorbing element wins, duplicates go,
//   x && !x -> false (x || !x -> true), x && (x || y) -> x,
//   x && (!x || y) -> x && y (and the duals).
ResidualNode make_junction(bool conjunction, std::vector<ResidualNode> operands) {
  const ResidualOp self = conjunction ? ResidualOp::And : ResidualOp::Or;
  const ResidualOp dual = conjunction ? ResidualOp::Or : ResidualOp::And;
  const ResidualOp absorbing = conjunction ? ResidualOp::False : ResidualOp::True;
  const ResidualOp identity = conjunction ? ResidualOp::True : ResidualOp::False;

  // Constants and lone operands need no list work (the common case).
  std::size_t live = 0;
  for (const ResidualNode& node : operands) {
    if (node.op == absorbing) return leaf(absorbing);
    if (node.op != identity) ++live;
  }
  if (live == 0) return leaf(identity);
  if (live == 1) {
    for (ResidualNode& node : operands) {
      if (node.op != identity) return std::move(node);
    }
  }
  // Flatten nested `self` nodes (make_junction's outputs are flat and hold
  // no constants) and drop duplicates.
  std::vector<ResidualNode> unique;
  unique.reserve(operands.size() + 4);
  for (ResidualNode& node : operands) {
    if (node.op == identity) continue;
    if (node.op == self) {
      for (ResidualNode& child : node.children) {
        if (!contains_node(unique, child)) unique.push_back(std::move(child));
      }
    } else if (!contains_node(unique, node)) {
      unique.push_back(std::move(node));
    }
  }
  for (std::size_t i = 0; i < unique.size(); ++i) {
    for (std::size_t j = i + 1; j < unique.size(); ++j) {
      if (negation_of(unique[i], unique[j])) return leaf(absorbing);
    }
  }
  // Siblings of a dual node: within `a && (b || c)`, a holds, so a disjunct
  // equal to a makes the dual true (the dual goes), and one equal to !a is
  // false (that disjunct goes). Dually for ||.
  for (std::size_t i = 0; i < unique.size(); ++i) {
    if (unique[i].op != dual) continue;
    bool absorbed = false;
    std::vector<bool> drop(unique[i].children.size(), false);
    bool any_dropped = false;
    for (std::size_t k = 0; k < unique[i].children.size() && !absorbed; ++k) {
      for (std::size_t j = 0; j < unique.size(); ++j) {
        if (j == i) continue;
        if (unique[j] == unique[i].children[k]) absorbed = true;
        if (negation_of(unique[j], unique[i].children[k])) drop[k] = any_dropped = true;
      }
    }
    if (!absorbed && !any_dropped) continue;
    std::vector<ResidualNode> rest;
    for (std::size_t j = 0; j < unique.size(); ++j) {
      if (j != i) rest.push_back(std::move(unique[j]));
    }
    if (!absorbed) {
      std::vector<ResidualNode> kept;
      for (std::size_t k = 0; k < unique[i].children.size(); ++k) {
        if (!drop[k]) kept.push_back(std::move(unique[i].children[k]));
      }
      rest.push_back(make_junction(!conjunction, std::move(kept)));
    }
    return make_junction(conjunction, std::move(rest));  // smaller each time, so this ends
  }
  if (unique.empty()) return leaf(identity);
  if (unique.size() == 1) return std::move(unique[0]);
  return with_children(self, std::move(unique));
}

}  // namespace

ResidualNode make_and(std::vector<ResidualNode> operands) { return make_junction(true, std::move(operands)); }
ResidualNode make_or(std::vector<ResidualNode> operands) { return make_junction(false, std::move(operands)); }
ResidualNode make_and(ResidualNode a, ResidualNode b) {
  std::vector<ResidualNode> operands;
  operands.push_back(std::move(a));
  operands.push_back(std::move(b));
  return make_and(std::move(operands));
}
ResidualNode make_or(ResidualNode a, ResidualNode b) {
  std::vector<ResidualNode> operands;
  operands.push_back(std::move(a));
  operands.push_back(std::move(b));
  return make_or(std::move(operands));
}

ResidualOp negated(ResidualOp op) {
  switch (op) {
    case ResidualOp::Eq: return ResidualOp::Ne;
    case ResidualOp::Ne: return ResidualOp::Eq;
    case ResidualOp::Lt: return ResidualOp::Ge;
    case ResidualOp::Ge: return ResidualOp::Lt;
    case ResidualOp::Le: return ResidualOp::Gt;
    case ResidualOp::Gt: return ResidualOp::Le;
#define AUTHZ_COMPARISON_OPCODE(Name, ...)
#define AUTHZ_RELATION_OPCODE(Name, ...)             \
  case ResidualOp::Name: return ResidualOp::Not##Name; \
  case ResidualOp::Not##Name: return ResidualOp::Name;
#include "runtime/opcodes.def"
    default: return op;
  }
}

bool is_comparison(ResidualOp op) {
  switch (op) {
#define AUTHZ_COMPARISON_OPCODE(Name, ...) case ResidualOp::Name:
#define AUTHZ_RELATION_OPCODE(Name, ...) case ResidualOp::Name: case ResidualOp::Not##Name:
#include "runtime/opcodes.def"
      return true;
    default: return false;
  }
}

// `not in`, `not under`, ...: the negative forms with no operator of their own.
bool is_negative_form(ResidualOp op) {
  switch (op) {
#define AUTHZ_COMPARISON_OPCODE(Name, ...)
#define AUTHZ_RELATION_OPCODE(Name, ...) case ResidualOp::Not##Name:
#include "runtime/opcodes.def"
      return true;
    default: return false;
  }
}

namespace {

bool empty_constant_list(const ResidualNode& node) {
  return node.op == ResidualOp::Constant &&
         (node.constant.kind == ValueKind::List || node.constant.kind == ValueKind::Set) && node.constant.items.empty();
}

}  // namespace

ResidualNode make_comparison(ResidualOp op, ResidualNode left, ResidualNode right) {
  // `x in []` never holds; `x not in []` holds exactly when x evaluates.
  if (op == ResidualOp::In && empty_constant_list(right)) return boolean(false);
  if (op == ResidualOp::NotIn && empty_constant_list(right) && total(left)) return boolean(true);
  return with_children(op, std::move(left), std::move(right));
}

// The final polish for readers: `!(a == b)` over operands that cannot fail is `a != b`.
ResidualNode polish(ResidualNode node) {
  for (ResidualNode& child : node.children) child = polish(std::move(child));
  if (node.op == ResidualOp::Not && is_comparison(node.children[0].op) &&
      node.children[0].op != ResidualOp::Under && node.children[0].op != ResidualOp::NotUnder &&
      total(node.children[0].children[0]) && total(node.children[0].children[1])) {
    ResidualNode inner = std::move(node.children[0]);
    inner.op = negated(inner.op);
    return inner;
  }
  return node;
}

}  // namespace internal
}  // namespace authz::runtime
