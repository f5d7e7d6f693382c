// partial_render.cpp — residuals as text and JSON: render_condition_text,
// render_residual_text, render_condition_json, render_residual_json, and the
// names of ResidualOp / ResidualKind.
//
// Contract (partial_eval.h, "renderings"): the text is the policy language's
// (a condition reads as the language writes it, with the parentheses its
// precedence needs); the JSON is one object per node, every string escaped
// by the one JSON string writer (append_quoted). Output is byte-for-byte
// stable: `authzc diff`, the permission doc, the C API and their golden
// files read it. Pure functions of the residual; never throws but for
// std::bad_alloc.
#include <string>

#include <fmt/format.h>

#include "runtime/internal/json_array.h"
#include "runtime/internal/obligation_json.h"
#include "runtime/internal/partial_simplify.h"
#include "runtime/internal/value_text.h"
#include "runtime/partial_eval.h"

namespace authz::runtime {

// ---- names ---------------------------------------------------------------------------------

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

// ---- renderings -----------------------------------------------------------------------------

namespace {

using internal::append_json_array;
using internal::append_obligation_json;
using internal::append_quoted_array;
using internal::is_comparison;
using internal::is_negative_form;
using internal::negated;

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
      internal::ValueViews views;
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
  out += ",\"path\":";
  append_quoted_array(out, ref.path);
  out += ",\"type\":";
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
    out += ",\"operands\":";
    append_json_array(out, node.children, append_json);
  }
  out += "}";
}

// `,"text":"<as the language writes it>","condition":<node>`.
void append_condition_fields(std::string& out, const ResidualNode& condition) {
  out += ",\"text\":";
  append_quoted(out, render_condition_text(condition));
  out += ",\"condition\":";
  append_json(out, condition);
}

void append_rule_json(std::string& out, const CandidateRule& rule) {
  out += "{\"id\":";
  append_quoted(out, rule.id);
  out += ",\"effect\":";
  append_quoted(out, to_string(rule.effect));
  out += ",\"grant\":";
  out += rule.is_grant ? "true" : "false";
  append_condition_fields(out, rule.condition);
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
  append_condition_fields(out, residual.condition);
  out += ",\"unknowns\":";
  append_json_array(out, residual.unknowns, [](std::string& to, const UnknownRef& ref) {
    to += "{";
    append_unknown_json(to, ref);
    to += "}";
  });
  out += ",\"rules\":";
  append_json_array(out, residual.rules, append_rule_json);
  out += ",\"obligations\":";
  append_json_array(out, residual.obligations, append_obligation_json<ResidualObligation>);
  out += "}";
  return out;
}

}  // namespace authz::runtime
