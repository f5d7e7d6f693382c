// partial_symbolic.cpp — symbolic evaluation of a prepared request's
// conditions over unknown parameters (internal/partial_symbolic.h).
//
// Contract: internal/partial_symbolic.h. How: a node that reads neither an
// unknown parameter nor the element of a quantifier over an unknown list is
// evaluated by the runtime's own Evaluator (same code, same errors, same
// entity lookups). A node that does is evaluated symbolically:
//   - a value-typed node becomes a term (Unknown, Constant, List, Add, ...);
//     a term "fails" when an unknown in it is absent or its arithmetic
//     overflows, which is exactly when the runtime would report an error;
//   - a Bool-typed node becomes two total formulas: T (it evaluates to true)
//     and F (it evaluates to false); it errs when neither holds. `&&`, `||`
//     and `!` combine them with the runtime's left-to-right short-circuit
//     rules; a comparison's T is the comparison node and its F the negated
//     comparison node (or `!T` when neither operand can fail: see can_fail,
//     which knows that `under` can fail on well-typed operands).
#include "runtime/internal/partial_symbolic.h"

#include "runtime/internal/partial_simplify.h"
#include "runtime/internal/table_dump.h"
#include "runtime/internal/value_ops.h"

namespace authz::runtime::internal {

namespace {

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

}  // namespace

SymbolicEvaluator::SymbolicEvaluator(const EngineState& state, Evaluator& evaluator,
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

std::pair<ResidualNode, ResidualNode> SymbolicEvaluator::condition(NodeIndex root) {
  Symbolic result = eval(root);
  Symbolic as_bool = to_formula(std::move(result));
  return {std::move(as_bool.when_true), std::move(as_bool.when_false)};
}

Symbolic SymbolicEvaluator::unsupported() {
  exact_ = false;
  return failed();
}

Symbolic SymbolicEvaluator::to_formula(Symbolic value) {
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
std::optional<ResidualNode> SymbolicEvaluator::to_term(Symbolic&& value, bool& unsupported_operand) {
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

Symbolic SymbolicEvaluator::eval(NodeIndex index) {
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

Symbolic SymbolicEvaluator::eval_node(NodeIndex index) {
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
      return node.op == Opcode::Eq || node.op == Opcode::Ne ? equality(node) : comparison(node);
    case Opcode::Add:
    case Opcode::Sub:
    case Opcode::Negate: return arithmetic(node);
    case Opcode::MakeList: return list_literal(node);
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

// A relation other than == / != (those may compare computed booleans: equality()).
Symbolic SymbolicEvaluator::comparison(const Node& node) {
  std::optional<ResidualNode> left, right;
  if (Symbolic failure; !binary_terms(node, left, right, failure)) return failure;
  ResidualOp op = comparison_op(node.op);
  bool can_fail = !total(*left) || !total(*right) || op == ResidualOp::Under;
  ResidualNode when_true = make_comparison(op, *left, *right);
  ResidualNode when_false = can_fail ? make_comparison(negated(op), std::move(*left), std::move(*right))
                                     : make_not(when_true);
  return formula(std::move(when_true), std::move(when_false), !can_fail);
}

// + and - over two terms, unary - over one: checked like the runtime's.
Symbolic SymbolicEvaluator::arithmetic(const Node& node) {
  if (node.op == Opcode::Negate) {
    bool unsupported_operand = false;
    std::optional<ResidualNode> operand = to_term(eval(node.operands[0]), unsupported_operand);
    if (!operand) return unsupported_operand ? unsupported() : failed();
    std::vector<ResidualNode> operands;
    operands.push_back(std::move(*operand));
    return term(with_children(ResidualOp::Negate, std::move(operands)));
  }
  std::optional<ResidualNode> left, right;
  if (Symbolic failure; !binary_terms(node, left, right, failure)) return failure;
  std::vector<ResidualNode> operands;
  operands.push_back(std::move(*left));
  operands.push_back(std::move(*right));
  return term(with_children(node.op == Opcode::Add ? ResidualOp::Add : ResidualOp::Sub, std::move(operands)));
}

// `[a, b]` with an element read from an unknown: a List term.
Symbolic SymbolicEvaluator::list_literal(const Node& node) {
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

TypeIndex SymbolicEvaluator::parameter_type(const std::string& name) const {
  for (const Parameter& param : target_.params) {
    if (param.name == name) return param.type;
  }
  return kNoIndex;
}

// Both operands as terms (the runtime evaluates both, left first, and any
// error or absent value is an error of the node).
bool SymbolicEvaluator::binary_terms(const Node& node, std::optional<ResidualNode>& left,
                                     std::optional<ResidualNode>& right, Symbolic& failure) {
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

Symbolic SymbolicEvaluator::equality(const Node& node) {
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

// `count` formulas, operand(k) giving the k-th, chained left to right as
// `&&` (conjunction) or `||`. &&: true when every operand is; false when a
// prefix is true and the next operand false. || dually. An error stops
// evaluation: it is neither. When no operand can err, false is simply "not
// true". Operands after one that always stops the chain are not evaluated.
template <typename Operand>
Symbolic SymbolicEvaluator::chain(bool conjunction, std::size_t count, Operand operand) {
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

Symbolic SymbolicEvaluator::junction(const Node& node) {
  bool conjunction = node.op == Opcode::And;
  return chain(conjunction, node.operands.size(), [&](std::size_t k) { return to_formula(eval(node.operands[k])); });
}

// all / any: the body once per element of a known list, with the element
// in the evaluator's slot, combined as `&&` / `||` of the bodies (the
// runtime's short-circuit is the same). An unknown list is not modelled
// (see partial_eval.h): the rule errs, which only denies more.
Symbolic SymbolicEvaluator::quantifier(const Node& node) {
  Symbolic list = eval(node.operands[0]);
  if (list.kind == Symbolic::Kind::Failed) return failed();
  if (list.kind == Symbolic::Kind::Term) return residual_quantifier(node, std::move(list.term));
  if (list.kind != Symbolic::Kind::Known) return unsupported();
  if (list.value.is_absent() || !is_sequence(list.value)) return failed();
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
Symbolic SymbolicEvaluator::residual_quantifier(const Node& node, ResidualNode list) {
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

Symbolic SymbolicEvaluator::member_or_has(const Node& node) {
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

}  // namespace authz::runtime::internal
