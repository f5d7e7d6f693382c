// role_residual.cpp — see role_residual.h.
#include "compiler/permission_doc/role_residual.h"

#include "runtime/internal/model_validation.h"
#include "runtime/internal/table_dump.h"

namespace authz::permission_doc {
namespace {

using runtime::Model;
using runtime::NodeIndex;
using runtime::Opcode;
using Kind = ConditionResidual::Kind;

ConditionResidual constant(bool value) { return ConditionResidual{value ? Kind::True : Kind::False, runtime::kNoIndex, {}}; }
ConditionResidual leaf(NodeIndex node) { return ConditionResidual{Kind::Leaf, node, {}}; }

// A node's operand k, when it is a valid earlier node.
bool operand_ok(const Model& model, NodeIndex index, std::size_t k) {
  const runtime::Node& node = model.nodes[index];
  return k < node.operands.size() && node.operands[k] < index && node.operands[k] < model.nodes.size();
}

ConditionResidual simplify(const Model& model, NodeIndex index, const RoleKnowledge& roles, unsigned depth) {
  if (index >= model.nodes.size() || depth > runtime::kMaxExpressionDepth) return leaf(index);
  const runtime::Node& node = model.nodes[index];
  switch (node.op) {
    case Opcode::Literal: {
      if (node.constant < model.constants.size() &&
          model.constants[node.constant].kind == runtime::ConstantKind::Bool) {
        return constant(model.constants[node.constant].bool_value);
      }
      return leaf(index);
    }
    case Opcode::Is:
      if (roles.held) return constant(roles.held->contains(node.field));
      return leaf(index);
    case Opcode::Not: {
      if (!operand_ok(model, index, 0)) return leaf(index);
      ConditionResidual inner = simplify(model, node.operands[0], roles, depth + 1);
      if (inner.is_true()) return constant(false);
      if (inner.is_false()) return constant(true);
      if (inner.kind == Kind::Not) return std::move(inner.operands.front());
      return ConditionResidual{Kind::Not, runtime::kNoIndex, {std::move(inner)}};
    }
    case Opcode::And:
    case Opcode::Or: {
      bool is_and = node.op == Opcode::And;
      // x && false = false, x || true = true; neutral elements drop out.
      ConditionResidual result{is_and ? Kind::And : Kind::Or, runtime::kNoIndex, {}};
      for (std::size_t k = 0; k < node.operands.size(); ++k) {
        if (!operand_ok(model, index, k)) return leaf(index);
        ConditionResidual part = simplify(model, node.operands[k], roles, depth + 1);
        bool absorbing = is_and ? part.is_false() : part.is_true();
        bool neutral = is_and ? part.is_true() : part.is_false();
        if (absorbing) return constant(!is_and);
        if (neutral) continue;
        if (part.kind == result.kind) {  // flatten a && (b && c)
          for (ConditionResidual& inner : part.operands) result.operands.push_back(std::move(inner));
        } else {
          result.operands.push_back(std::move(part));
        }
      }
      if (result.operands.empty()) return constant(is_and);
      if (result.operands.size() == 1) return std::move(result.operands.front());
      return result;
    }
    case Opcode::MakeList: case Opcode::Now: case Opcode::User: case Opcode::Argument: case Opcode::HasArgument:
    case Opcode::Member: case Opcode::Has: case Opcode::Add: case Opcode::Sub: case Opcode::Negate: case Opcode::All: case Opcode::Any:
    case Opcode::Bound:
#define AUTHZ_RELATION_OPCODE(Name, ...) case Opcode::Name:
#include "runtime/opcodes.def"
      break;  // depends on more than the user's roles
  }
  return leaf(index);
}

// Precedences as in table_dump.cpp: || < && < ! < comparisons and the rest.
// kUnderNot marks the operand of `!`.
enum Level { kOr = 1, kAnd, kNot, kUnderNot };

void render(const Model& model, const ConditionResidual& condition, int required, std::string& out) {
  switch (condition.kind) {
    case Kind::True: out += "true"; return;
    case Kind::False: out += "false"; return;
    case Kind::Leaf: {
      std::string text = runtime::dump_expression(model, condition.node);
      bool compound = condition.node < model.nodes.size() && (model.nodes[condition.node].op == Opcode::Or ||
                                                             model.nodes[condition.node].op == Opcode::And ||
                                                             model.nodes[condition.node].op == Opcode::Not);
      // Under `!`, a comparison is parenthesised too: `!(a == b)` reads
      // unambiguously even though the grammar would not need it.
      bool parenthesise = compound ? required > kOr : required == kUnderNot;
      if (parenthesise) out += '(';
      out += text;
      if (parenthesise) out += ')';
      return;
    }
    case Kind::Not:
      out += '!';
      render(model, condition.operands.front(), kUnderNot, out);
      return;
    case Kind::And:
    case Kind::Or: {
      int own = condition.kind == Kind::And ? kAnd : kOr;
      if (own < required) out += '(';
      for (std::size_t k = 0; k < condition.operands.size(); ++k) {
        if (k) out += condition.kind == Kind::And ? " && " : " || ";
        render(model, condition.operands[k], own + 1, out);
      }
      if (own < required) out += ')';
      return;
    }
  }
}

}  // namespace

ConditionResidual simplify_condition(const Model& model, NodeIndex root, const RoleKnowledge& roles) {
  if (root == runtime::kNoIndex) return constant(true);
  return simplify(model, root, roles, 0);
}

std::string render_condition(const Model& model, const ConditionResidual& condition) {
  std::string out;
  render(model, condition, 0, out);
  return out;
}

bool same_condition(const Model& model_a, const ConditionResidual& a, const Model& model_b,
                    const ConditionResidual& b) {
  if (a.kind != b.kind || a.operands.size() != b.operands.size()) return false;
  if (a.kind == Kind::Leaf) {
    return runtime::dump_expression(model_a, a.node) == runtime::dump_expression(model_b, b.node);
  }
  for (std::size_t k = 0; k < a.operands.size(); ++k) {
    if (!same_condition(model_a, a.operands[k], model_b, b.operands[k])) return false;
  }
  return true;
}

}  // namespace authz::permission_doc
