// partial_interpret.cpp — residual_holds(): a residual condition evaluated
// over concrete values of its unknowns (a host filtering records in memory;
// `authzc diff`'s condition comparison; the differential tests).
//
// Contract (partial_eval.h): the residual tree's two-valued semantics: a
// comparison is false when an operand is absent, its arithmetic overflows or
// the operator fails (mismatched kinds, an invalid `under` path); All / Any
// are false over an absent list. Each operator computes what the runtime's
// does (internal/operator_semantics.h, the one implementation). Never throws;
// nesting deeper than 512 is false.
#include <deque>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/internal/operator_semantics.h"
#include "runtime/internal/partial_simplify.h"
#include "runtime/partial_eval.h"

namespace authz::runtime {

namespace {

using internal::is_comparison;
using internal::is_negative_form;
using internal::negated;

// The opcode of a positive comparison (the inverse of partial_symbolic.cpp's comparison_op).
Opcode comparison_opcode(ResidualOp op) {
  switch (op) {
#define AUTHZ_RELATION_OPCODE(Name, ...) case ResidualOp::Name: return Opcode::Name;
#include "runtime/opcodes.def"
    default: return Opcode::Literal;  // not a positive comparison: internal::relation refuses it
  }
}

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
  internal::ValueViews views_;
};

}  // namespace

bool residual_holds(const ResidualNode& condition, const UnknownValues& values) {
  ResidualInterpreter interpreter(values);
  return interpreter.holds(condition);
}

}  // namespace authz::runtime
