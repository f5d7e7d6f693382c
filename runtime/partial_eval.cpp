// partial_eval.cpp — see partial_eval.h.
//
// How: prepare() the request with placeholder values for the unknown
// parameters, so principal, roles, target and the known arguments are
// validated and converted exactly as evaluate() does. A node of a condition
// that reads neither an unknown parameter nor the element of a quantifier
// over an unknown list is evaluated by the runtime's own Evaluator (same code, same errors, same entity lookups). A node that does
// is evaluated symbolically:
//   - a value-typed node becomes a term (Unknown, Constant, List, Add, ...);
//     a term "fails" when an unknown in it is absent or its arithmetic
//     overflows, which is exactly when the runtime would report an error;
//   - a Bool-typed node becomes two total formulas: T (it evaluates to true)
//     and F (it evaluates to false); it errs when neither holds. `&&`, `||`
//     and `!` combine them with the runtime's left-to-right short-circuit
//     rules; a comparison's T is the comparison node and its F the negated
//     comparison node (or `!T` when neither operand can fail).
// A deny then blocks unless `F(when) || (T(when) && T(unless))`; an allow
// applies when `T(when) && F(unless)`; the call is allowed when some allow
// or grant applies and no deny blocks. The simplifier keeps this small.
#include "runtime/partial_eval.h"

#include <cmath>
#include <deque>

#include <fmt/format.h>
#include <simdjson.h>

#include "runtime/internal/glob_match.h"
#include "runtime/internal/evaluator.h"
#include "runtime/internal/json_input.h"
#include "runtime/internal/value_ops.h"
#include "runtime/internal/path_match.h"
#include "runtime/internal/table_dump.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/uri_template.h"
#include "runtime/internal/value_text.h"

namespace authz::runtime {

// ---- small things ------------------------------------------------------------------

std::string UnknownRef::text() const {
  std::string out = parameter;
  for (const std::string& step : path) out += "." + step;
  return out;
}

const char* to_string(ResidualOp op) {
  switch (op) {
    case ResidualOp::True: return "true";
    case ResidualOp::False: return "false";
    case ResidualOp::Not: return "!";
    case ResidualOp::And: return "&&";
    case ResidualOp::Or: return "||";
#define AUTHZ_COMPARISON_OPCODE(Name, number, spelling, ...) case ResidualOp::Name: return spelling;
#define AUTHZ_RELATION_OPCODE(Name, number, spelling, ...) \
  case ResidualOp::Name: return spelling;                  \
  case ResidualOp::Not##Name: return "not " spelling;
#include "runtime/opcodes.def"
    case ResidualOp::Present: return "has";
    case ResidualOp::All: return "all";
    case ResidualOp::Any: return "any";
    case ResidualOp::Constant: return "constant";
    case ResidualOp::Unknown: return "unknown";
    case ResidualOp::List: return "list";
    case ResidualOp::Add: return "+";
    case ResidualOp::Sub: return "-";
    case ResidualOp::Negate: return "negate";
  }
  return "?";
}

const char* to_string(ResidualKind kind) {
  switch (kind) {
    case ResidualKind::AlwaysAllowed: return "always_allowed";
    case ResidualKind::NeverAllowed: return "never_allowed";
    case ResidualKind::Conditional: return "conditional";
  }
  return "?";
}

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

namespace {

// ---- views of owned values, for value_ops ------------------------------------------

// Builds Value views over ResidualValues; the views live as long as this
// object and the ResidualValues they were built from.
class ValueViews {
 public:
  Value view(const ResidualValue& value) {
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

 private:
  std::deque<std::vector<Value>> blocks_;
};

// ---- building and simplifying residual trees -------------------------------------------

ResidualNode leaf(ResidualOp op) {
  ResidualNode node;
  node.op = op;
  return node;
}
ResidualNode boolean(bool value) { return leaf(value ? ResidualOp::True : ResidualOp::False); }
bool is_true(const ResidualNode& node) { return node.op == ResidualOp::True; }
bool is_false(const ResidualNode& node) { return node.op == ResidualOp::False; }

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

bool empty_constant_list(const ResidualNode& node) {
  return node.op == ResidualOp::Constant &&
         (node.constant.kind == ValueKind::List || node.constant.kind == ValueKind::Set) && node.constant.items.empty();
}

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

// ---- symbolic evaluation of one request's conditions -----------------------------------

// What a node evaluates to.
struct Symbolic {
  enum class Kind { Known, Failed, Term, Formula };
  Kind kind = Kind::Failed;
  Value value;        // Known
  ResidualNode term;  // Term
  ResidualNode when_true, when_false;  // Formula: total conditions for "true" / "false"
  // Formula: it never errs (when_false is then !when_true). Keeps nested
  // &&/|| linear: only formulas that can err need both sides spelt out.
  bool cannot_err = false;
};

Symbolic failed() { return Symbolic(); }
Symbolic formula(ResidualNode when_true, ResidualNode when_false, bool cannot_err = false) {
  Symbolic out;
  out.kind = Symbolic::Kind::Formula;
  out.when_true = std::move(when_true);
  out.when_false = std::move(when_false);
  out.cannot_err = cannot_err;
  return out;
}
// A formula that never errs: false exactly when not true.
Symbolic total_formula(ResidualNode when_true) {
  ResidualNode when_false = make_not(when_true);
  return formula(std::move(when_true), std::move(when_false), true);
}

// Residuals larger than this are not built: a condition nesting && and ||
// over values that may be absent doubles at each level, and a policy must
// not be able to stall the host. Past the limit the condition is treated as
// an evaluation error (fail closed; Residual::exact is false).
constexpr std::size_t kMaxResidualNodes = 4096;

std::size_t count_nodes(const ResidualNode& node, std::size_t limit) {
  std::size_t count = 1;
  for (const ResidualNode& child : node.children) {
    if (count > limit) break;
    count += count_nodes(child, limit - count);
  }
  return count;
}
Symbolic term(ResidualNode node) {
  Symbolic out;
  out.kind = Symbolic::Kind::Term;
  out.term = std::move(node);
  return out;
}

ResidualOp comparison_op(Opcode op) {
  switch (op) {
#define AUTHZ_OPCODE(Name, ...) case Opcode::Name: break;  // not a comparison
#define AUTHZ_RELATION_OPCODE(Name, ...) case Opcode::Name: return ResidualOp::Name;
#include "runtime/opcodes.def"
  }
  return ResidualOp::False;
}

// The opcode of a positive comparison (the inverse of comparison_op).
Opcode comparison_opcode(ResidualOp op) {
  switch (op) {
#define AUTHZ_RELATION_OPCODE(Name, ...) case ResidualOp::Name: return Opcode::Name;
#include "runtime/opcodes.def"
    default: return Opcode::Literal;  // not a positive comparison: internal::relation refuses it
  }
}

class PartialEvaluator {
 public:
  PartialEvaluator(const internal::EngineState& state, internal::Evaluator& evaluator,
                   const std::vector<bool>& unknown_params, const Target& target)
      : model_(state.model), evaluator_(evaluator), target_(target) {
    // In one pass over the nodes (operands come before their nodes): which
    // read an unknown parameter, and which quantifier slots each reads (a bit
    // per slot).
    depends_.assign(model_.nodes.size(), false);
    reads_bound_.assign(model_.nodes.size(), 0);
    for (std::size_t i = 0; i < model_.nodes.size(); ++i) {
      const Node& node = model_.nodes[i];
      bool reads = false;
      std::uint8_t slots = 0;
      if (node.op == Opcode::Argument || node.op == Opcode::HasArgument) {
        for (std::size_t p = 0; p < target.params.size(); ++p) {
          if (unknown_params[p] && target.params[p].name == node.name) reads = true;
        }
      } else if (node.op == Opcode::Bound && node.field < kMaxBoundSlots) {
        slots = static_cast<std::uint8_t>(1u << node.field);
      }
      for (NodeIndex operand : node.operands) {
        reads = reads || depends_[operand];
        slots |= reads_bound_[operand];
      }
      depends_[i] = reads;
      reads_bound_[i] = slots;
    }
  }

  bool exact() const { return exact_; }

  // T / F of a condition root; an absent clause is given by the caller.
  std::pair<ResidualNode, ResidualNode> condition(NodeIndex root) {
    Symbolic result = eval(root);
    Symbolic as_bool = to_formula(std::move(result));
    return {std::move(as_bool.when_true), std::move(as_bool.when_false)};
  }

 private:
  Symbolic unsupported() {
    exact_ = false;
    return failed();
  }

  bool is_optional(TypeIndex type) const { return type < model_.types.size() && model_.types[type].optional; }

  Symbolic to_formula(Symbolic value) {
    switch (value.kind) {
      case Symbolic::Kind::Formula: return value;
      case Symbolic::Kind::Failed: return formula(boolean(false), boolean(false));
      case Symbolic::Kind::Known:
        if (value.value.kind != ValueKind::Bool) return formula(boolean(false), boolean(false));
        return formula(boolean(value.value.boolean), boolean(!value.value.boolean), true);
      case Symbolic::Kind::Term: {
        ResidualValue yes, no;
        yes.kind = no.kind = ValueKind::Bool;
        yes.boolean = true;
        bool can_fail = !total(value.term);
        ResidualNode when_true = make_comparison(ResidualOp::Eq, value.term, constant_node(yes));
        ResidualNode when_false = can_fail ? make_comparison(ResidualOp::Eq, std::move(value.term), constant_node(no))
                                           : make_not(when_true);
        return formula(std::move(when_true), std::move(when_false), !can_fail);
      }
    }
    return formula(boolean(false), boolean(false));
  }

  // A term for a value operand; nullopt when the operand makes the whole node
  // fail (an error, a known absent value) — `ok` false — or is a computed
  // boolean the tree cannot hold as a term — `ok` true.
  std::optional<ResidualNode> to_term(Symbolic&& value, bool& unsupported_operand) {
    unsupported_operand = false;
    switch (value.kind) {
      case Symbolic::Kind::Known:
        if (value.value.is_absent()) return std::nullopt;
        return constant_node(to_residual_value(value.value, &model_.roles));
      case Symbolic::Kind::Term: return std::move(value.term);
      case Symbolic::Kind::Formula: unsupported_operand = true; return std::nullopt;
      case Symbolic::Kind::Failed: return std::nullopt;
    }
    return std::nullopt;
  }

  Symbolic eval(NodeIndex index) {
    Symbolic out = eval_node(index);
    if (out.kind == Symbolic::Kind::Formula &&
        count_nodes(out.when_true, kMaxResidualNodes) + count_nodes(out.when_false, kMaxResidualNodes) >
            kMaxResidualNodes) {
      return unsupported();
    }
    if (out.kind == Symbolic::Kind::Term && count_nodes(out.term, kMaxResidualNodes) > kMaxResidualNodes) {
      return unsupported();
    }
    return out;
  }

  Symbolic eval_node(NodeIndex index) {
    if (!depends_[index] && (reads_bound_[index] & symbolic_slots_) == 0) {
      Symbolic out;
      if (evaluator_.value(index, out.value)) out.kind = Symbolic::Kind::Known;
      return out;
    }
    const Node& node = model_.nodes[index];
    switch (node.op) {
      case Opcode::Argument: {
        UnknownRef ref;
        ref.parameter = node.name;
        ref.type = parameter_type(node.name);
        ref.kind = ref.type < model_.types.size() ? model_.types[ref.type].kind : TypeKind::String;
        ref.may_be_absent = is_optional(ref.type);
        return term(unknown_node(std::move(ref)));
      }
      case Opcode::HasArgument: {
        TypeIndex type = parameter_type(node.name);
        if (!is_optional(type)) return formula(boolean(true), boolean(false), true);
        UnknownRef ref;
        ref.parameter = node.name;
        ref.type = type;
        ref.kind = model_.types[type].kind;
        ref.may_be_absent = true;
        ResidualNode present = with_child(ResidualOp::Present, unknown_node(std::move(ref)));
        ResidualNode absent = make_not(present);
        return formula(std::move(present), std::move(absent), true);
      }
      case Opcode::Member:
      case Opcode::Has: return member_or_has(node);
      case Opcode::Not: {
        Symbolic operand = to_formula(eval(node.operands[0]));
        return formula(std::move(operand.when_false), std::move(operand.when_true), operand.cannot_err);
      }
      case Opcode::And:
      case Opcode::Or: return junction(node);
#define AUTHZ_RELATION_OPCODE(Name, ...) case Opcode::Name:
#include "runtime/opcodes.def"
      {
        if (node.op == Opcode::Eq || node.op == Opcode::Ne) return equality(node);
        std::optional<ResidualNode> left, right;
        if (Symbolic failure; !binary_terms(node, left, right, failure)) return failure;
        ResidualOp op = comparison_op(node.op);
        bool can_fail = !total(*left) || !total(*right) || op == ResidualOp::Under;
        ResidualNode when_true = make_comparison(op, *left, *right);
        ResidualNode when_false = can_fail ? make_comparison(negated(op), std::move(*left), std::move(*right))
                                           : make_not(when_true);
        return formula(std::move(when_true), std::move(when_false), !can_fail);
      }
      case Opcode::Add:
      case Opcode::Sub: {
        std::optional<ResidualNode> left, right;
        if (Symbolic failure; !binary_terms(node, left, right, failure)) return failure;
        std::vector<ResidualNode> operands;
        operands.push_back(std::move(*left));
        operands.push_back(std::move(*right));
        return term(with_children(node.op == Opcode::Add ? ResidualOp::Add : ResidualOp::Sub, std::move(operands)));
      }
      case Opcode::Negate: {
        bool unsupported_operand = false;
        std::optional<ResidualNode> operand = to_term(eval(node.operands[0]), unsupported_operand);
        if (!operand) return unsupported_operand ? unsupported() : failed();
        std::vector<ResidualNode> operands;
        operands.push_back(std::move(*operand));
        return term(with_children(ResidualOp::Negate, std::move(operands)));
      }
      case Opcode::MakeList: {
        std::vector<ResidualNode> elements;
        for (NodeIndex operand : node.operands) {
          bool unsupported_operand = false;
          std::optional<ResidualNode> element = to_term(eval(operand), unsupported_operand);
          if (!element) return unsupported_operand ? unsupported() : failed();
          elements.push_back(std::move(*element));
        }
        ResidualNode list = with_children(ResidualOp::List, std::move(elements));
        bool set = node.type < model_.types.size() && model_.types[node.type].kind == TypeKind::Set;
        list.constant.kind = set ? ValueKind::Set : ValueKind::List;
        return term(std::move(list));
      }
      case Opcode::All:
      case Opcode::Any: return quantifier(node);
      case Opcode::Bound: {
        // The element of a quantifier over an unknown list (symbolic_slots_).
        UnknownRef ref;
        ref.parameter = bound_name(node);
        ref.bound = true;
        ref.type = node.type;
        ref.kind = node.type < model_.types.size() ? model_.types[node.type].kind : TypeKind::String;
        return term(unknown_node(std::move(ref)));
      }
      case Opcode::Literal: case Opcode::Now: case Opcode::User: case Opcode::Is:
        break;  // never read arguments
    }
    return unsupported();
  }

  TypeIndex parameter_type(const std::string& name) const {
    for (const Parameter& param : target_.params) {
      if (param.name == name) return param.type;
    }
    return kNoIndex;
  }

  // Both operands as terms (the runtime evaluates both, left first, and any
  // error or absent value is an error of the node).
  bool binary_terms(const Node& node, std::optional<ResidualNode>& left, std::optional<ResidualNode>& right,
                    Symbolic& failure) {
    bool unsupported_left = false, unsupported_right = false;
    left = to_term(eval(node.operands[0]), unsupported_left);
    if (!left && !unsupported_left) {
      failure = failed();
      return false;
    }
    right = to_term(eval(node.operands[1]), unsupported_right);
    if (!right && !unsupported_right) {
      failure = failed();
      return false;
    }
    if (!left || !right) {
      failure = unsupported();
      return false;
    }
    return true;
  }

  Symbolic equality(const Node& node) {
    Symbolic left = eval(node.operands[0]);
    Symbolic right = eval(node.operands[1]);
    bool ne = node.op == Opcode::Ne;
    if (left.kind == Symbolic::Kind::Failed || right.kind == Symbolic::Kind::Failed) return failed();
    if (left.kind == Symbolic::Kind::Formula || right.kind == Symbolic::Kind::Formula) {
      // Booleans computed from unknowns: equal when both are true or both false.
      if ((left.kind == Symbolic::Kind::Known && left.value.kind != ValueKind::Bool) ||
          (right.kind == Symbolic::Kind::Known && right.value.kind != ValueKind::Bool)) {
        return failed();  // an absent (or mistyped) operand is an error
      }
      Symbolic a = to_formula(std::move(left)), b = to_formula(std::move(right));
      if (a.cannot_err && b.cannot_err) {
        ResidualNode same = make_or(make_and(a.when_true, b.when_true), make_and(a.when_false, b.when_false));
        return total_formula(ne ? make_not(std::move(same)) : std::move(same));
      }
      ResidualNode same = make_or(make_and(a.when_true, b.when_true), make_and(a.when_false, b.when_false));
      ResidualNode differ = make_or(make_and(a.when_true, b.when_false), make_and(a.when_false, b.when_true));
      return ne ? formula(std::move(differ), std::move(same)) : formula(std::move(same), std::move(differ));
    }
    bool unused = false;
    std::optional<ResidualNode> left_term = to_term(std::move(left), unused);
    std::optional<ResidualNode> right_term = to_term(std::move(right), unused);
    if (!left_term || !right_term) return failed();
    ResidualOp op = ne ? ResidualOp::Ne : ResidualOp::Eq;
    bool can_fail = !total(*left_term) || !total(*right_term);
    ResidualNode when_true = make_comparison(op, *left_term, *right_term);
    ResidualNode when_false = can_fail ? make_comparison(negated(op), std::move(*left_term), std::move(*right_term))
                                       : make_not(when_true);
    return formula(std::move(when_true), std::move(when_false), !can_fail);
  }

  Symbolic junction(const Node& node) {
    bool conjunction = node.op == Opcode::And;
    return chain(conjunction, node.operands.size(), [&](std::size_t k) { return to_formula(eval(node.operands[k])); });
  }

  // all / any: the body once per element of a known list, with the element
  // in the evaluator's slot, combined as `&&` / `||` of the bodies (the
  // runtime's short-circuit is the same). An unknown list is not modelled
  // (see partial_eval.h): the rule errs, which only denies more.
  Symbolic quantifier(const Node& node) {
    Symbolic list = eval(node.operands[0]);
    if (list.kind == Symbolic::Kind::Failed) return failed();
    if (list.kind == Symbolic::Kind::Term) return residual_quantifier(node, std::move(list.term));
    if (list.kind != Symbolic::Kind::Known) return unsupported();
    if (list.value.is_absent() || !internal::is_sequence(list.value)) return failed();
    const Value items = list.value;
    const Value saved = evaluator_.bound(node.field);
    const std::uint8_t saved_slots = symbolic_slots_;
    // This slot now holds a concrete element, whatever an enclosing
    // quantifier of the same slot bound (a table authzc writes never nests so).
    symbolic_slots_ = static_cast<std::uint8_t>(symbolic_slots_ & ~(1u << node.field));
    Symbolic out = chain(node.op == Opcode::All, items.size, [&](std::size_t k) {
      evaluator_.bind_element(node.field, items, static_cast<std::uint32_t>(k));
      return to_formula(eval(node.operands[1]));
    });
    symbolic_slots_ = saved_slots;
    evaluator_.bind(node.field, saved);
    return out;
  }

  // A quantifier over an unknown list stays a quantifier: its body evaluated
  // once, with the element a bound unknown. All is true when the list is
  // present and the body true for every element; false when present and
  // some body false (the runtime stops there). When the body can err, only
  // the error-free cases are spelled out (`exact` is false): an error before
  // the deciding element is not modelled, and the residual then holds less.
  Symbolic residual_quantifier(const Node& node, ResidualNode list) {
    if (node.field >= kMaxBoundSlots) return unsupported();
    const std::uint8_t saved = symbolic_slots_;
    symbolic_slots_ = static_cast<std::uint8_t>(symbolic_slots_ | (1u << node.field));
    Symbolic body = to_formula(eval(node.operands[1]));
    symbolic_slots_ = saved;
    const std::string name = bound_name(node);
    auto quantified = [&](ResidualOp op, ResidualNode condition) {
      ResidualNode out = with_children(op, list, std::move(condition));
      out.constant.text = name;
      return out;
    };
    const bool all = node.op == Opcode::All;
    const ResidualOp self = all ? ResidualOp::All : ResidualOp::Any;
    const ResidualOp dual = all ? ResidualOp::Any : ResidualOp::All;
    if (body.cannot_err) {
      ResidualNode when_true = quantified(self, std::move(body.when_true));
      if (total(list)) {
        ResidualNode when_false = make_not(when_true);
        return formula(std::move(when_true), std::move(when_false), true);
      }
      return formula(std::move(when_true), quantified(dual, std::move(body.when_false)));
    }
    exact_ = false;
    ResidualNode clean = quantified(ResidualOp::All, make_or(body.when_true, body.when_false));
    if (all) {
      ResidualNode when_true = quantified(ResidualOp::All, std::move(body.when_true));
      return formula(std::move(when_true), make_and(std::move(clean), quantified(ResidualOp::Any, std::move(body.when_false))));
    }
    ResidualNode when_false = quantified(ResidualOp::All, std::move(body.when_false));
    return formula(make_and(std::move(clean), quantified(ResidualOp::Any, std::move(body.when_true))), std::move(when_false));
  }

  // `count` formulas, operand(k) giving the k-th, chained left to right as
  // `&&` (conjunction) or `||`. &&: true when every operand is; false when a
  // prefix is true and the next operand false. || dually. An error stops
  // evaluation: it is neither. When no operand can err, false is simply "not
  // true". Operands after one that always stops the chain are not evaluated.
  template <typename Operand>
  Symbolic chain(bool conjunction, std::size_t count, Operand operand) {
    std::vector<Symbolic> operands;
    bool cannot_err = true;
    ResidualNode prefix = boolean(true);  // every operand so far did not stop the chain
    for (std::size_t k = 0; k < count; ++k) {
      Symbolic value = operand(k);
      cannot_err = cannot_err && value.cannot_err;
      const ResidualNode& go_on = conjunction ? value.when_true : value.when_false;
      if (!is_true(go_on)) prefix = make_and(std::move(prefix), go_on);
      operands.push_back(std::move(value));
      if (is_false(prefix)) break;
    }
    if (cannot_err) {
      if (conjunction) return total_formula(std::move(prefix));
      std::vector<ResidualNode> any;
      for (Symbolic& value : operands) any.push_back(std::move(value.when_true));
      return total_formula(make_or(std::move(any)));
    }
    std::vector<ResidualNode> stops;  // the chain stops at operand k (false for &&, true for ||)
    ResidualNode running = boolean(true);
    for (Symbolic& value : operands) {
      ResidualNode& stop = conjunction ? value.when_false : value.when_true;
      ResidualNode& go_on = conjunction ? value.when_true : value.when_false;
      if (!is_false(stop)) stops.push_back(is_true(running) ? std::move(stop) : make_and(running, std::move(stop)));
      if (!is_true(go_on)) running = make_and(std::move(running), std::move(go_on));
    }
    ResidualNode stopped = make_or(std::move(stops));
    return conjunction ? formula(std::move(prefix), std::move(stopped)) : formula(std::move(stopped), std::move(prefix));
  }

  Symbolic member_or_has(const Node& node) {
    Symbolic object = eval(node.operands[0]);
    if (object.kind == Symbolic::Kind::Failed) return failed();
    if (object.kind != Symbolic::Kind::Term || object.term.op != ResidualOp::Unknown) return unsupported();
    // An attribute of a quantifier's element: the residual interpreter and
    // SQL have no schema for it; not modelled.
    if (object.term.unknown.bound) return unsupported();
    const TypeDescriptor& object_type = model_.types[model_.nodes[node.operands[0]].type];
    const Schema* schema = nullptr;
    if (object_type.kind == TypeKind::Entity && object_type.schema < model_.entities.size()) {
      schema = &model_.entities[object_type.schema];
    } else if (object_type.kind == TypeKind::Record && object_type.schema < model_.records.size()) {
      schema = &model_.records[object_type.schema];
    }
    if (!schema || node.field >= schema->attributes.size()) return unsupported();
    const Attribute& attribute = schema->attributes[node.field];
    const UnknownRef& parent = object.term.unknown;
    bool implicit_id = object_type.kind == TypeKind::Entity && attribute.name == "id";

    UnknownRef child = parent;
    if (!implicit_id) {
      child.path.push_back(attribute.name);
      child.may_be_absent = parent.may_be_absent || is_optional(attribute.type);
    }
    child.type = attribute.type;
    child.kind = attribute.type < model_.types.size() ? model_.types[attribute.type].kind : TypeKind::String;

    if (node.op == Opcode::Member) return term(unknown_node(std::move(child)));

    // `x has f`: an error when x is absent; else whether f is there. The
    // implicit id and (by the assumption in the header) declared
    // non-optional attributes are always there.
    auto present = [](UnknownRef ref) { return with_child(ResidualOp::Present, unknown_node(std::move(ref))); };
    ResidualNode parent_present = parent.may_be_absent ? present(parent) : boolean(true);
    if (implicit_id || !is_optional(attribute.type)) {
      return formula(std::move(parent_present), boolean(false), !parent.may_be_absent);
    }
    ResidualNode child_present = present(child);
    ResidualNode child_absent = make_and(std::move(parent_present), make_not(child_present));
    return formula(std::move(child_present), std::move(child_absent), !parent.may_be_absent);
  }

  const Model& model_;
  internal::Evaluator& evaluator_;
  const Target& target_;
  std::vector<bool> depends_;
  std::vector<std::uint8_t> reads_bound_;  // per node: the quantifier slots it reads
  std::uint8_t symbolic_slots_ = 0;        // slots bound to an unknown list's element
  bool exact_ = true;
};

// ---- the request: placeholders for unknown parameters -----------------------------------

// JSON for a value of `type` that validates (never read: nodes that read an
// unknown parameter are evaluated symbolically). False when there is none.
bool placeholder_json(const Model& model, TypeIndex type_index, std::string& out, int depth) {
  if (type_index >= model.types.size() || depth > 32) return false;
  const TypeDescriptor& type = model.types[type_index];
  if (type.optional) {
    out += "null";
    return true;
  }
  switch (type.kind) {
    case TypeKind::Bool: out += "false"; return true;
    case TypeKind::Int:
    case TypeKind::Number:
    case TypeKind::Timestamp:
    case TypeKind::Duration: out += "0"; return true;
    case TypeKind::String:
    case TypeKind::Entity: out += "\"\""; return true;
    case TypeKind::Role:
      if (model.roles.empty()) return false;
      append_quoted(out, model.roles[0].name);
      return true;
    case TypeKind::Set:
    case TypeKind::List: out += "[]"; return true;
    case TypeKind::Map: out += "{}"; return true;
    case TypeKind::Record: {
      if (type.schema >= model.records.size()) return false;
      out += "{";
      bool first = true;
      for (const Attribute& attribute : model.records[type.schema].attributes) {
        if (attribute.type < model.types.size() && model.types[attribute.type].optional) continue;
        if (!first) out += ",";
        first = false;
        append_quoted(out, attribute.name);
        out += ":";
        if (!placeholder_json(model, attribute.type, out, depth + 1)) return false;
      }
      out += "}";
      return true;
    }
    case TypeKind::Principal: return false;
  }
  return false;
}

const Target* find_target(const Engine& engine, MethodKind method, const std::string& name) {
  TargetKind kind = method == MethodKind::ToolCall    ? TargetKind::Tool
                    : method == MethodKind::PromptGet ? TargetKind::Prompt
                                                      : TargetKind::Resource;
  TargetIndex index = engine.find_target(kind, name);
  return index == kNoIndex ? nullptr : &engine.model().targets[index];
}

Residual never(Reason reason, std::string message) {
  Residual residual;
  residual.kind = ResidualKind::NeverAllowed;
  residual.condition = boolean(false);
  residual.reason = reason;
  residual.message = std::move(message);
  return residual;
}

void collect_unknowns(const ResidualNode& node, std::vector<UnknownRef>& out) {
  if (node.op == ResidualOp::Unknown) {
    if (node.unknown.bound) return;  // a quantifier's element, not an input
    for (const UnknownRef& known : out) {
      if (known == node.unknown) return;
    }
    out.push_back(node.unknown);
    return;
  }
  for (const ResidualNode& child : node.children) collect_unknowns(child, out);
}


}  // namespace

// ---- partial evaluation ------------------------------------------------------------------

namespace {

// `details` false (may_call_at_all): only the kind matters, so the rules,
// obligations and unknowns are not gathered, and a target where no allow or
// grant could apply is answered before any condition is looked at.
Residual evaluate_partially(const Engine& engine, const PartialRequest& request, const EvaluateOptions& options,
                            bool details) {
  const Model& model = engine.model();
  const Target* declared = find_target(engine, request.method, request.target);

  // The request prepare() sees: known arguments plus placeholders.
  Request concrete;
  concrete.principal = request.principal;
  concrete.method = request.method;
  concrete.target = request.target;
  concrete.now_ms = request.now_ms;
  concrete.arguments_json = request.known_arguments_json;
  // Which parameters of `target` are unknown; a message for an undeclared name.
  auto mark_unknown = [&](const Target& target, std::vector<bool>& out) -> std::optional<std::string> {
    out.assign(target.params.size(), request.all_arguments_unknown);
    if (request.all_arguments_unknown) return std::nullopt;
    for (const std::string& name : request.unknown_parameters) {
      std::size_t p = 0;
      while (p < target.params.size() && target.params[p].name != name) ++p;
      if (p == target.params.size()) {
        return fmt::format("unknown parameter `{}`: {} `{}` declares no such parameter", name.substr(0, 200),
                           to_string(target.kind), target.name);
      }
      out[p] = true;
    }
    return std::nullopt;
  };
  std::vector<bool> unknown;
  bool synthetic_uri = false;
  if (declared) {
    if (auto problem = mark_unknown(*declared, unknown)) return never(Reason::InvalidArguments, *problem);
    if (declared->kind == TargetKind::Resource) {
      // A template named by its own text: any URI it matches will do.
      auto parsed = parse_uri_template(declared->uri);
      if (parsed && parsed->variable_count > 0) {
        std::string uri;
        for (const UriTemplate::Piece& piece : parsed->pieces) uri += piece.variable ? "x" : piece.text;
        concrete.target = uri;
        unknown.assign(declared->params.size(), true);
        synthetic_uri = true;
      }
      concrete.arguments_json.clear();
    } else {
      // Known arguments (re-serialised) and a placeholder per unknown one.
      std::string json = "{";
      bool first = true;
      std::string_view known = request.all_arguments_unknown ? std::string_view() : request.known_arguments_json;
      if (known.find_first_not_of(" \t\r\n") != std::string_view::npos) {
        simdjson::dom::element document;
        simdjson::dom::object object;
        std::string error;
        if (!internal::parse_json(known, document, error)) {
          return never(Reason::InvalidArguments, "arguments: " + error);
        }
        if (document.get_object().get(object) != simdjson::SUCCESS) {
          return never(Reason::InvalidArguments, fmt::format("arguments must be a JSON object, not {}",
                                                             internal::describe_json(document)));
        }
        for (auto field : object) {
          for (std::size_t p = 0; p < declared->params.size(); ++p) {
            if (unknown[p] && declared->params[p].name == field.key) {
              return never(Reason::InvalidArguments,
                           fmt::format("argument `{}` is given and also marked unknown", field.key));
            }
          }
          if (!first) json += ",";
          first = false;
          append_quoted(json, field.key);
          json += ":";
          json += simdjson::minify(field.value);
        }
      }
      for (std::size_t p = 0; p < declared->params.size(); ++p) {
        if (!unknown[p]) continue;
        if (!first) json += ",";
        first = false;
        append_quoted(json, declared->params[p].name);
        json += ":";
        if (!placeholder_json(model, declared->params[p].type, json, 0)) {
          return never(Reason::Error, fmt::format("parameter `{}` cannot be left unknown", declared->params[p].name));
        }
      }
      concrete.arguments_json = json + "}";
    }
  }

  PreparedRequest prepared = engine.prepare(concrete);
  if (!prepared.ready()) {
    Decision decision = engine.evaluate(prepared, options);
    return never(decision.reason, decision.message);
  }
  internal::Evaluator::PreparedView view = internal::Evaluator::view(prepared);
  const internal::EngineState& state = *view.engine;
  const Target& target = model.targets[view.target];
  if (&target != declared && synthetic_uri) {
    return never(Reason::Error, fmt::format("resource template `{}` is shadowed by an earlier one",
                                            request.target.substr(0, 200)));
  }
  if (&target != declared) {
    // A resource named by a concrete URI that matched a template.
    if (auto problem = mark_unknown(target, unknown)) return never(Reason::InvalidArguments, *problem);
  }
  const internal::CompiledTarget& compiled = state.targets[view.target];
  internal::Evaluator evaluator(state, prepared, options.entities);
  PartialEvaluator partial(state, evaluator, unknown, target);

  if (!details) {
    bool some_allow = false;
    for (RuleIndex index : compiled.allows) {
      const Rule& rule = model.rules[index];
      some_allow = some_allow || (rule.subjects.admits(*view.roles, view.user_id) &&
                                  rule.window.contains(request.now_ms));
    }
    for (GrantIndex index : target.grants) {
      const Grant& grant = model.grants[index];
      some_allow = some_allow || (grant.user == view.user_id && grant.window.contains(request.now_ms));
    }
    if (!some_allow) return never(Reason::NotPermitted, "");
  }

  Residual residual;
  std::vector<ResidualNode> not_blocking;
  bool certainly_forbidden = false;
  std::vector<CandidateRule> blocking_denies;
  for (RuleIndex index : compiled.denies) {
    const Rule& rule = model.rules[index];
    if (!rule.subjects.admits(*view.roles, view.user_id) || !rule.window.contains(request.now_ms)) continue;
    auto [when_true, when_false] =
        rule.when == kNoIndex ? std::pair(boolean(true), boolean(false)) : partial.condition(rule.when);
    auto [unless_true, unless_false] =
        rule.unless == kNoIndex ? std::pair(boolean(false), boolean(true)) : partial.condition(rule.unless);
    ResidualNode applies = make_and(when_true, unless_false);
    ResidualNode passes = make_or(std::move(when_false), make_and(std::move(when_true), std::move(unless_true)));
    if (is_true(passes)) continue;
    CandidateRule candidate{rule.id, Effect::Deny, false, details ? polish(make_not(passes)) : boolean(true)};
    if (is_true(applies)) certainly_forbidden = true;
    if (is_false(passes)) blocking_denies.push_back(candidate);
    residual.rules.push_back(std::move(candidate));
    not_blocking.push_back(std::move(passes));
  }
  if (!blocking_denies.empty()) {
    Residual out = never(certainly_forbidden ? Reason::Forbidden : Reason::Error,
                         certainly_forbidden ? std::string()
                                             : fmt::format("deny rule `{}` could not be evaluated, so the call is denied",
                                                           blocking_denies.front().id));
    out.rules = std::move(blocking_denies);
    out.exact = partial.exact();
    return out;
  }

  std::vector<ResidualNode> applies_any;
  bool outside_window = false;
  struct Applying {
    RuleIndex rule;
    bool certain;
  };
  std::vector<Applying> applying;
  for (RuleIndex index : compiled.allows) {
    const Rule& rule = model.rules[index];
    if (!rule.subjects.admits(*view.roles, view.user_id)) continue;
    if (!rule.window.contains(request.now_ms)) {
      outside_window = true;
      continue;
    }
    ResidualNode when_true = rule.when == kNoIndex ? boolean(true) : partial.condition(rule.when).first;
    ResidualNode unless_false = rule.unless == kNoIndex ? boolean(true) : partial.condition(rule.unless).second;
    ResidualNode applies = make_and(std::move(when_true), std::move(unless_false));
    if (is_false(applies)) continue;
    applying.push_back({index, is_true(applies)});
    if (details) residual.rules.push_back({rule.id, Effect::Allow, false, polish(applies)});
    applies_any.push_back(std::move(applies));
  }
  for (GrantIndex index : target.grants) {
    const Grant& grant = model.grants[index];
    if (grant.user != view.user_id) continue;
    if (!grant.window.contains(request.now_ms)) {
      outside_window = true;
      continue;
    }
    if (details) residual.rules.push_back({grant.id, Effect::Allow, true, boolean(true)});
    applies_any.push_back(boolean(true));
  }

  bool allow_could_apply = !applies_any.empty();
  bool deny_could_block = !not_blocking.empty();
  ResidualNode allowed = make_and(make_or(std::move(applies_any)), make_and(std::move(not_blocking)));
  residual.exact = partial.exact();
  if (is_false(allowed)) {
    // Why, roughly: an allow could apply but a deny blocks it wherever it
    // does; or only the clock stands in the way; or nothing allows.
    Reason reason = allow_could_apply && deny_could_block ? Reason::Forbidden
                    : !allow_could_apply && outside_window ? Reason::Expired
                                                           : Reason::NotPermitted;
    Residual out = never(reason, "");
    out.exact = residual.exact;
    return out;
  }
  residual.kind = is_true(allowed) ? ResidualKind::AlwaysAllowed : ResidualKind::Conditional;
  residual.reason = Reason::Allowed;
  if (!details) return residual;
  residual.condition = polish(std::move(allowed));
  for (const Applying& entry : applying) {
    for (const AppliedObligation& obligation : state.rule_obligations[entry.rule]) {
      ResidualObligation out;
      out.rule = std::string(obligation.rule);
      out.name = std::string(obligation.name);
      for (const ObligationArgument& argument : obligation.arguments) {
        out.arguments.emplace_back(std::string(argument.name), std::string(argument.json));
      }
      out.certain = entry.certain;
      residual.obligations.push_back(std::move(out));
    }
  }
  collect_unknowns(residual.condition, residual.unknowns);
  return residual;
}

}  // namespace

Residual partially_evaluate(const Engine& engine, const PartialRequest& request, const EvaluateOptions& options) {
  return evaluate_partially(engine, request, options, true);
}

bool may_call_at_all(const Engine& engine, const Principal& principal, MethodKind method, std::string_view target,
                     std::int64_t now_ms, const EvaluateOptions& options) {
  PartialRequest request;
  request.principal = principal;
  request.method = method;
  request.target = std::string(target);
  request.all_arguments_unknown = true;
  request.now_ms = now_ms;
  return evaluate_partially(engine, request, options, false).could_be_allowed();
}

// ---- renderings -----------------------------------------------------------------------------

namespace {

void append_constant(std::string& out, const ResidualValue& value, TextStyle style) {
  switch (value.kind) {
    case ValueKind::Role:
      if (style == TextStyle::Json) {
        append_quoted(out, value.text);
      } else {
        out += value.text;
      }
      return;
    case ValueKind::List:
    case ValueKind::Set:
    case ValueKind::Record:
      out += "[";
      for (std::size_t i = 0; i < value.items.size(); ++i) {
        if (i) out += ", ";
        append_constant(out, value.items[i], style);
      }
      out += "]";
      return;
    case ValueKind::Map:
      out += "{";
      for (std::size_t i = 0; i + 1 < value.items.size(); i += 2) {
        if (i) out += ", ";
        append_constant(out, value.items[i], style);
        out += ": ";
        append_constant(out, value.items[i + 1], style);
      }
      out += "}";
      return;
    default: {
      ValueViews views;
      append_value(out, views.view(value), style);
      return;
    }
  }
}

int precedence(const ResidualNode& node) {
  switch (node.op) {
    case ResidualOp::Or: return 1;
    case ResidualOp::And: return 2;
    case ResidualOp::Not: return 3;
    case ResidualOp::Add:
    case ResidualOp::Sub: return 5;
    case ResidualOp::Negate: return 6;
    default: return is_comparison(node.op) || node.op == ResidualOp::Present ? 4 : 7;
  }
}

void append_text(std::string& out, const ResidualNode& node);

void append_operand(std::string& out, const ResidualNode& node, int minimum) {
  bool parens = precedence(node) < minimum;
  if (parens) out += "(";
  append_text(out, node);
  if (parens) out += ")";
}

bool is_bool_constant(const ResidualNode& node, bool value) {
  return node.op == ResidualOp::Constant && node.constant.kind == ValueKind::Bool && node.constant.boolean == value;
}

void append_text(std::string& out, const ResidualNode& node) {
  switch (node.op) {
    case ResidualOp::True: out += "true"; return;
    case ResidualOp::False: out += "false"; return;
    case ResidualOp::Not:
      out += "!";
      append_operand(out, node.children[0], 5);
      return;
    case ResidualOp::And:
    case ResidualOp::Or:
      for (std::size_t i = 0; i < node.children.size(); ++i) {
        if (i) out += node.op == ResidualOp::And ? " && " : " || ";
        // An && inside an || gets parentheses too: easier to read.
        append_operand(out, node.children[i], node.op == ResidualOp::And ? 3 : 2 + 1);
      }
      return;
    case ResidualOp::Present: {
      const UnknownRef& ref = node.children[0].unknown;
      if (ref.path.empty()) {
        out += "args has " + ref.parameter;
      } else {
        UnknownRef parent = ref;
        parent.path.pop_back();
        out += parent.text() + " has " + ref.path.back();
      }
      return;
    }
    case ResidualOp::All:
    case ResidualOp::Any:
      out += to_string(node.op);
      out += "(" + node.constant.text + " in ";
      append_text(out, node.children[0]);
      out += ": ";
      append_text(out, node.children[1]);
      out += ")";
      return;
    case ResidualOp::Constant: append_constant(out, node.constant, TextStyle::Language); return;
    case ResidualOp::Unknown: out += node.unknown.text(); return;
    case ResidualOp::List:
      out += "[";
      for (std::size_t i = 0; i < node.children.size(); ++i) {
        if (i) out += ", ";
        append_text(out, node.children[i]);
      }
      out += "]";
      return;
    case ResidualOp::Add:
    case ResidualOp::Sub:
      append_operand(out, node.children[0], 5);
      out += node.op == ResidualOp::Add ? " + " : " - ";
      append_operand(out, node.children[1], 6);
      return;
    case ResidualOp::Negate:
      out += "-";
      append_operand(out, node.children[0], 7);
      return;
    default: break;
  }
  // Comparisons. `x == true` reads as `x`; the negated forms without an
  // operator of their own as `!(x in y)`.
  const ResidualNode& left = node.children[0];
  const ResidualNode& right = node.children[1];
  if ((node.op == ResidualOp::Eq && is_bool_constant(right, true)) ||
      (node.op == ResidualOp::Ne && is_bool_constant(right, false))) {
    return append_operand(out, left, 7);
  }
  if ((node.op == ResidualOp::Eq && is_bool_constant(right, false)) ||
      (node.op == ResidualOp::Ne && is_bool_constant(right, true))) {
    out += "!";
    return append_operand(out, left, 7);
  }
  bool bracketed = is_negative_form(node.op);
  ResidualOp shown = bracketed ? negated(node.op) : node.op;
  if (bracketed) out += "!(";
  append_operand(out, left, 5);
  out += " ";
  out += to_string(shown);
  out += " ";
  append_operand(out, right, 5);
  if (bracketed) out += ")";
}

void append_json(std::string& out, const ResidualNode& node);

void append_unknown_json(std::string& out, const UnknownRef& ref) {
  out += "\"unknown\":";
  append_quoted(out, ref.text());
  out += ",\"parameter\":";
  append_quoted(out, ref.parameter);
  out += ",\"path\":[";
  for (std::size_t i = 0; i < ref.path.size(); ++i) {
    if (i) out += ",";
    append_quoted(out, ref.path[i]);
  }
  out += "],\"type\":";
  append_quoted(out, to_string(ref.kind));
  out += ",\"may_be_absent\":";
  out += ref.may_be_absent ? "true" : "false";
  if (ref.bound) out += ",\"bound\":true";
}

const char* json_op_name(ResidualOp op) {
  switch (op) {
    case ResidualOp::Not: return "not";
    case ResidualOp::And: return "and";
    case ResidualOp::Or: return "or";
    case ResidualOp::Negate: return "negate";
    default: return to_string(op);
  }
}

void append_json(std::string& out, const ResidualNode& node) {
  out += "{\"op\":";
  append_quoted(out, json_op_name(node.op));
  if (node.op == ResidualOp::Constant) {
    out += ",\"type\":";
    append_quoted(out, to_string(node.constant.kind));
    out += ",\"value\":";
    append_constant(out, node.constant, TextStyle::Json);
  } else if (node.op == ResidualOp::Unknown) {
    out += ",";
    append_unknown_json(out, node.unknown);
  } else if (node.op == ResidualOp::All || node.op == ResidualOp::Any) {
    out += ",\"bound\":";
    append_quoted(out, node.constant.text);
    out += ",\"operands\":[";
    append_json(out, node.children[0]);
    out += ",";
    append_json(out, node.children[1]);
    out += "]";
  } else if (!node.children.empty()) {
    if (node.op == ResidualOp::List) {
      out += ",\"type\":";
      append_quoted(out, to_string(node.constant.kind));
    }
    out += ",\"operands\":[";
    for (std::size_t i = 0; i < node.children.size(); ++i) {
      if (i) out += ",";
      append_json(out, node.children[i]);
    }
    out += "]";
  }
  out += "}";
}

}  // namespace

std::string render_condition_text(const ResidualNode& condition) {
  std::string out;
  append_text(out, condition);
  return out;
}

std::string render_residual_text(const Residual& residual) {
  switch (residual.kind) {
    case ResidualKind::AlwaysAllowed: return "always allowed";
    case ResidualKind::NeverAllowed: return fmt::format("never allowed ({})", to_string(residual.reason));
    case ResidualKind::Conditional: return "allowed when " + render_condition_text(residual.condition);
  }
  return "never allowed";
}

std::string render_condition_json(const ResidualNode& condition) {
  std::string out;
  append_json(out, condition);
  return out;
}

std::string render_residual_json(const Residual& residual) {
  std::string out = "{\"kind\":";
  append_quoted(out, to_string(residual.kind));
  out += ",\"exact\":";
  out += residual.exact ? "true" : "false";
  out += ",\"reason\":";
  append_quoted(out, to_string(residual.reason));
  out += ",\"message\":";
  append_quoted(out, residual.message);
  out += ",\"text\":";
  append_quoted(out, render_condition_text(residual.condition));
  out += ",\"condition\":";
  append_json(out, residual.condition);
  out += ",\"unknowns\":[";
  for (std::size_t i = 0; i < residual.unknowns.size(); ++i) {
    if (i) out += ",";
    out += "{";
    append_unknown_json(out, residual.unknowns[i]);
    out += "}";
  }
  out += "],\"rules\":[";
  for (std::size_t i = 0; i < residual.rules.size(); ++i) {
    const CandidateRule& rule = residual.rules[i];
    if (i) out += ",";
    out += "{\"id\":";
    append_quoted(out, rule.id);
    out += ",\"effect\":";
    append_quoted(out, to_string(rule.effect));
    out += ",\"grant\":";
    out += rule.is_grant ? "true" : "false";
    out += ",\"text\":";
    append_quoted(out, render_condition_text(rule.condition));
    out += ",\"condition\":";
    append_json(out, rule.condition);
    out += "}";
  }
  out += "],\"obligations\":[";
  for (std::size_t i = 0; i < residual.obligations.size(); ++i) {
    const ResidualObligation& obligation = residual.obligations[i];
    if (i) out += ",";
    out += "{\"rule\":";
    append_quoted(out, obligation.rule);
    out += ",\"name\":";
    append_quoted(out, obligation.name);
    out += ",\"certain\":";
    out += obligation.certain ? "true" : "false";
    out += ",\"arguments\":{";
    for (std::size_t k = 0; k < obligation.arguments.size(); ++k) {
      if (k) out += ",";
      append_quoted(out, obligation.arguments[k].first);
      out += ":" + obligation.arguments[k].second;
    }
    out += "}}";
  }
  out += "]}";
  return out;
}

// ---- evaluating a residual over concrete values ------------------------------------------

namespace {

class ResidualInterpreter {
 public:
  explicit ResidualInterpreter(const UnknownValues& values) : values_(values) {}

  bool holds(const ResidualNode& node, int depth = 0) {
    if (depth > 512) return false;
    switch (node.op) {
      case ResidualOp::True: return true;
      case ResidualOp::False: return false;
      case ResidualOp::Not: return !holds(node.children[0], depth + 1);
      case ResidualOp::And:
        for (const ResidualNode& child : node.children) {
          if (!holds(child, depth + 1)) return false;
        }
        return true;
      case ResidualOp::Or:
        for (const ResidualNode& child : node.children) {
          if (holds(child, depth + 1)) return true;
        }
        return false;
      case ResidualOp::Present: return value_of(node.children[0], depth + 1) != nullptr;
      case ResidualOp::All:
      case ResidualOp::Any: {
        const ResidualValue* list = value_of(node.children[0], depth + 1);
        if (!list || (list->kind != ValueKind::List && list->kind != ValueKind::Set)) return false;
        const bool all = node.op == ResidualOp::All;
        bool result = all;
        bindings_.emplace_back(node.constant.text, nullptr);
        const std::size_t binding = bindings_.size() - 1;  // inner quantifiers push after it
        for (const ResidualValue& item : list->items) {
          bindings_[binding].second = &item;
          if (holds(node.children[1], depth + 1) != all) {
            result = !all;
            break;
          }
        }
        bindings_.pop_back();
        return result;
      }
      default: break;
    }
    if (!is_comparison(node.op) || node.children.size() != 2) return false;
    const ResidualValue* left_owned = value_of(node.children[0], depth + 1);
    const ResidualValue* right_owned = value_of(node.children[1], depth + 1);
    if (!left_owned || !right_owned) return false;
    Value left = views_.view(*left_owned), right = views_.view(*right_owned);
    bool positive = !is_negative_form(node.op);
    ResidualOp op = positive ? node.op : negated(node.op);
    // The runtime's operator (operator_semantics.h); a failure (mismatched
    // kinds, an invalid path) makes the comparison false either way.
    bool relation = false;
    PathContainment path;
    if (internal::relation(comparison_opcode(op), left, right, nullptr, relation, path) != internal::OpStatus::Ok) {
      return false;
    }
    return positive ? relation : !relation;
  }

 private:
  // nullptr when the term fails (an absent unknown, overflow).
  const ResidualValue* value_of(const ResidualNode& node, int depth) {
    if (depth > 512) return nullptr;
    switch (node.op) {
      case ResidualOp::Constant: return &node.constant;
      case ResidualOp::Unknown: {
        if (node.unknown.bound) {  // the innermost quantifier's element of that name
          for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
            if (it->first == node.unknown.parameter) return node.unknown.path.empty() ? it->second : nullptr;
          }
          return nullptr;
        }
        std::optional<ResidualValue> value = values_ ? values_(node.unknown) : std::nullopt;
        if (!value || value->kind == ValueKind::Absent) return nullptr;
        return &arena_.emplace_back(std::move(*value));
      }
      case ResidualOp::List: {
        ResidualValue list;
        list.kind = node.constant.kind == ValueKind::Set ? ValueKind::Set : ValueKind::List;
        for (const ResidualNode& child : node.children) {
          const ResidualValue* element = value_of(child, depth + 1);
          if (!element) return nullptr;
          list.items.push_back(*element);
        }
        return &arena_.emplace_back(std::move(list));
      }
      case ResidualOp::Negate: {
        const ResidualValue* operand = value_of(node.children[0], depth + 1);
        if (!operand) return nullptr;
        Value result;
        if (internal::checked_negate(views_.view(*operand), result) != internal::OpStatus::Ok) return nullptr;
        return &arena_.emplace_back(to_residual_value(result));
      }
      case ResidualOp::Add:
      case ResidualOp::Sub: {
        const ResidualValue* a = value_of(node.children[0], depth + 1);
        const ResidualValue* b = value_of(node.children[1], depth + 1);
        if (!a || !b) return nullptr;
        Value result;
        if (internal::checked_arithmetic(node.op == ResidualOp::Add, views_.view(*a), views_.view(*b), result) !=
            internal::OpStatus::Ok) {
          return nullptr;
        }
        return &arena_.emplace_back(to_residual_value(result));
      }
      default: return nullptr;
    }
  }

  const UnknownValues& values_;
  // Quantifiers' element names (in the residual, which outlives the call) and elements, innermost last.
  std::vector<std::pair<std::string_view, const ResidualValue*>> bindings_;
  std::deque<ResidualValue> arena_;
  ValueViews views_;
};

}  // namespace

bool residual_holds(const ResidualNode& condition, const UnknownValues& values) {
  ResidualInterpreter interpreter(values);
  return interpreter.holds(condition);
}

}  // namespace authz::runtime
