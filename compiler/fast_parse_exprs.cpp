// fast_parse_exprs.cpp — the fast path's conditions (compiler/fast_parse.h):
// `expr` and the rules below it of grammar/Authz.g4, into ast::Expr with the
// height of each subtree. Declines (an empty Built) on anything the ANTLR
// path would report, and once a tree grows taller than ast::kMaxNesting;
// only brackets recurse, at most ast::kMaxNesting deep.
#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "compiler/fast_parse_internal.h"

namespace authz::fast_parse_detail {
namespace {

// grammar/Authz.g4's compareOp: every relation of runtime/opcodes.def, by the
// token of its spelling (a keyword of keywords.def or a punctuation literal
// above; tests/unit/opcode_table_test.cpp checks that each has one).
// A relation spelled by no known token stops the build here (a constant
// expression cannot throw).
constexpr auto kCompareOps = [] {
  std::array<std::optional<ast::BinaryOp>, static_cast<std::size_t>(FastTok::Count_)> table{};
#define AUTHZ_RELATION_OPCODE(Name, number, spelling, ...)                                  \
  if (literal_kind(spelling) == FastTok::Other) throw "a relation without a token spelling"; \
  table[static_cast<std::size_t>(literal_kind(spelling))] = ast::BinaryOp::Name;
#include "runtime/opcodes.def"
  return table;
}();

std::optional<ast::BinaryOp> compare_op(FastTok kind) { return kCompareOps[static_cast<std::size_t>(kind)]; }

}  // namespace

// A whole condition (a `when` / `unless` / named argument): null to decline.
ast::ExprPtr FastParser::condition() {
  Built built = expr();
  if (!built || built.height > ast::kMaxNesting) return nullptr;
  return std::move(built.expr);
}

// Node makers return nothing (decline) once a tree grows taller than
// ast::kMaxNesting: the ANTLR path reports E0006 there, and declining early
// keeps a 100,000-link `a.b.c...` chain from being built (and freed
// recursively) at all.
Built FastParser::unary_node(ast::ExprKind kind, const Span& where, Built child) const {
  if (child.height + 1 > ast::kMaxNesting) return {};
  Built out{leaf(kind, where), child.height + 1};
  out.expr->children.push_back(std::move(child.expr));
  return out;
}

Built FastParser::binary(ast::BinaryOp op, Built left, Built right) const {
  if (std::max(left.height, right.height) + 1 > ast::kMaxNesting) return {};
  Built out{leaf(ast::ExprKind::Binary, join(left.expr->span, right.expr->span)),
            std::max(left.height, right.height) + 1};
  out.expr->op = op;
  out.expr->children.push_back(std::move(left.expr));
  out.expr->children.push_back(std::move(right.expr));
  return out;
}

// expr : andExpr ('||' andExpr)*      andExpr : notExpr ('&&' notExpr)*
Built FastParser::expr() { return chain(ast::ExprKind::Or, FastTok::OrOr); }

Built FastParser::and_expr() { return chain(ast::ExprKind::And, FastTok::AndAnd); }

Built FastParser::chain(ast::ExprKind node_kind, FastTok separator) {
  auto part = [&] { return node_kind == ast::ExprKind::Or ? and_expr() : not_expr(); };
  Built first = part();
  if (!first || kind() != separator) return first;
  Built out{leaf(node_kind, first.expr->span), first.height};
  out.expr->children.push_back(std::move(first.expr));
  while (accept(separator)) {
    Built next = part();
    if (!next) return {};
    out.expr->span = join(out.expr->span, next.expr->span);
    out.height = std::max(out.height, next.height);
    out.expr->children.push_back(std::move(next.expr));
  }
  out.height += 1;
  if (out.height > ast::kMaxNesting) return {};
  return out;
}

// notExpr : '!' notExpr | comparison
Built FastParser::not_expr() {
  const std::size_t first = pos_;
  while (kind() == FastTok::Bang) ++pos_;
  Built result = comparison();
  return wrap_prefixes(ast::ExprKind::Not, first, std::move(result), FastTok::Bang);
}

// Wraps `operand` in one node per prefix operator token from `first` on
// (innermost last), each spanning its operator to the operand's end.
Built FastParser::wrap_prefixes(ast::ExprKind kind, std::size_t first, Built operand, FastTok op) const {
  if (!operand) return operand;
  std::size_t last = first;
  while (kind_of(last) == op) ++last;
  for (std::size_t i = last; i-- > first;) {
    const Span where = join(span(i), operand.expr->span);
    operand = unary_node(kind, where, std::move(operand));
    if (!operand) return operand;
  }
  return operand;
}

// comparison : additive (compareOp additive | 'has' fieldName | 'is' name)?
Built FastParser::comparison() {
  Built left = additive();
  if (!left) return left;
  if (const auto op = compare_op(kind())) {
    ++pos_;
    Built right = additive();
    if (!right) return {};
    return binary(*op, std::move(left), std::move(right));
  }
  const FastTok k = kind();
  if (k != FastTok::KwHas && k != FastTok::KwIs) return left;
  ++pos_;
  ast::Name word;
  if (!(k == FastTok::KwHas ? field_name(word) : name(word))) return {};
  const Span where = join(left.expr->span, word.span);  // before `left` moves
  Built out = unary_node(k == FastTok::KwHas ? ast::ExprKind::Has : ast::ExprKind::Is, where, std::move(left));
  if (!out) return out;
  out.expr->text = std::move(word.text);
  out.expr->text_span = word.span;
  return out;
}

// additive : unary (('+' | '-') unary)*   — left-nested Binary nodes
Built FastParser::additive() {
  Built result = unary();
  while (result && (kind() == FastTok::Plus || kind() == FastTok::Minus)) {
    const ast::BinaryOp op = kind() == FastTok::Plus ? ast::BinaryOp::Add : ast::BinaryOp::Sub;
    ++pos_;
    Built right = unary();
    if (!right) return {};
    result = binary(op, std::move(result), std::move(right));
  }
  return result;
}

// unary : '-' unary | postfix
Built FastParser::unary() {
  const std::size_t first = pos_;
  while (kind() == FastTok::Minus) ++pos_;
  return wrap_prefixes(ast::ExprKind::Negate, first, postfix(), FastTok::Minus);
}

// postfix : primary ('.' fieldName)*
Built FastParser::postfix() {
  Built result = primary();
  while (result && accept(FastTok::Dot)) {
    ast::Name field;
    if (!field_name(field)) return {};
    const Span where = join(result.expr->span, field.span);  // before `result` moves
    result = unary_node(ast::ExprKind::Member, where, std::move(result));
    if (!result) return result;
    result.expr->text = std::move(field.text);
    result.expr->text_span = field.span;
  }
  return result;
}

Built FastParser::literal(ast::ExprKind kind) {
  Built out{leaf(kind, span(pos_)), 1};
  ++pos_;
  return out;
}

// primary : literals | 'now' | 'user' | 'args' | '[' list ']' | '(' expr ')' | name
Built FastParser::primary() {
  const std::size_t index = pos_;
  switch (kind()) {
    case FastTok::KwTrue:
    case FastTok::KwFalse: {
      const bool value = kind() == FastTok::KwTrue;
      Built out = literal(ast::ExprKind::Bool);
      out.expr->bool_value = value;
      return out;
    }
    case FastTok::Int: {
      Built out = literal(ast::ExprKind::Int);
      if (!decode_int_literal(text(index), out.expr->int_value, nullptr)) return {};
      return out;
    }
    case FastTok::String: {
      Built out = literal(ast::ExprKind::String);
      if (!string_at(index, out.expr->text)) return {};
      return out;
    }
    case FastTok::Timestamp: {
      Built out = literal(ast::ExprKind::Timestamp);
      if (!timestamp_at(index, out.expr->int_value)) return {};
      return out;
    }
    case FastTok::Duration: {
      Built out = literal(ast::ExprKind::Duration);
      if (!decode_duration_literal(text(index), out.expr->int_value, nullptr)) return {};
      return out;
    }
    case FastTok::KwNow: return literal(ast::ExprKind::Now);
    case FastTok::KwUser: return literal(ast::ExprKind::User);
    case FastTok::KwArgs: return literal(ast::ExprKind::Args);
    case FastTok::Ident: {
      if (kind_of(pos_ + 1) == FastTok::LParen) {
        // quantifierExpr; any other name before `(` is ANTLR's to report
        const std::string_view word = text(index);
        return word == "all" || word == "any" ? quantifier() : Built{};
      }
      Built out = literal(ast::ExprKind::Name);
      out.expr->text = std::string(text(index));
      out.expr->text_span = out.expr->span;
      return out;
    }
    case FastTok::LParen: {
      if (++brackets_ > ast::kMaxNesting) return {};
      ++pos_;
      Built inner = expr();  // parentheses group; they add no node
      if (!inner || !accept(FastTok::RParen)) return {};
      --brackets_;
      return inner;
    }
    case FastTok::LBracket: {
      if (++brackets_ > ast::kMaxNesting) return {};
      ++pos_;
      Built list{leaf(ast::ExprKind::List, span(index)), 1};
      while (kind() != FastTok::RBracket) {
        Built element = expr();
        if (!element) return {};
        list.height = std::max(list.height, element.height + 1);
        list.expr->children.push_back(std::move(element.expr));
        if (!accept(FastTok::Comma)) break;
      }
      if (!accept(FastTok::RBracket) || list.height > ast::kMaxNesting) return {};
      --brackets_;
      list.expr->span = span(index, pos_ - 1);
      return list;
    }
    default: return {};
  }
}

// quantifierExpr : IDENT '(' name 'in' expr ':' expr ')', IDENT `all` or `any`
Built FastParser::quantifier() {
  const std::size_t index = pos_;
  const bool all = text(index) == "all";
  ++pos_;
  if (kind() != FastTok::LParen || ++brackets_ > ast::kMaxNesting) return {};
  ++pos_;
  ast::Name bound;
  if (!name(bound) || !accept(FastTok::KwIn)) return {};
  Built list = expr();
  if (!list || !accept(FastTok::Colon)) return {};
  Built body = expr();
  if (!body || !accept(FastTok::RParen)) return {};
  --brackets_;
  Built out{leaf(all ? ast::ExprKind::All : ast::ExprKind::Any, span(index, pos_ - 1)),
            std::max(list.height, body.height) + 1};
  if (out.height > ast::kMaxNesting) return {};
  out.expr->text = std::move(bound.text);
  out.expr->text_span = bound.span;
  out.expr->children.push_back(std::move(list.expr));
  out.expr->children.push_back(std::move(body.expr));
  return out;
}

}  // namespace authz::fast_parse_detail
