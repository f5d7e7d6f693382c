// parse_tree_exprs.cpp — stage 5 of the parse adapter, expressions: one
// condition's parse tree (`expr` and the rules below it) -> ast::Expr.
// Single-child levels of the grammar are walked in a loop; only real AST
// nodes recurse, and left-nested chains are bounded by depth (E0006), so no
// condition builds a tree deeper than ast::kMaxNesting. See
// parse_tree_builder.h for the contract.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/parse_tree_builder.h"

namespace authz::parse_detail {

ast::ExprPtr AstBuilder::too_deep(const Span& where) {
  if (!state_.nesting_reported) {
    state_.nesting_reported = true;
    state_.sink.report(DiagCode::NestingTooDeep, where,
                       "expression nested more than " + std::to_string(ast::kMaxNesting) + " levels deep",
                       "each `+`, `-` and `.` in a chain nests one level; split the expression into smaller rules");
  }
  return placeholder(where);
}

// A right-recursive prefix rule (`notExpr : '!' notExpr | comparison`,
// `unary : '-' unary | postfix`): collects its operators, outermost first,
// and returns the operand under the last one (null when a syntax error left
// it out).
template <typename Rule, typename Operand>
Ctx* AstBuilder::prefix_operand(Rule* c, Rule* (Rule::*self)(), Operand* (Rule::*operand)(),
                                std::vector<const Token*>& operators) {
  Rule* inner = c;
  while (inner != nullptr && (inner->*self)() != nullptr) {
    operators.push_back(inner->getStart());
    inner = (inner->*self)();
  }
  return inner != nullptr ? (inner->*operand)() : nullptr;
}

ast::ExprPtr AstBuilder::expr(Ctx* ctx, std::size_t depth) {
  // Single-child levels of the grammar (`expr -> andExpr -> ... -> primary`)
  // are walked in this loop; only real AST nodes recurse. Dispatch is by
  // rule index: these rules have no labelled alternatives, so the static
  // casts are exact (and much cheaper than a chain of dynamic_casts).
  for (;;) {
    if (ctx == nullptr) return placeholder(state_.at(0, 0));
    switch (ctx->getRuleIndex()) {
      case P::RuleExpr: {
        std::vector<P::AndExprContext*> parts = static_cast<P::ExprContext*>(ctx)->andExpr();
        if (parts.size() == 1) {
          ctx = parts.front();
          continue;
        }
        return nary(ast::ExprKind::Or, std::vector<Ctx*>(parts.begin(), parts.end()), ctx, depth);
      }
      case P::RuleAndExpr: {
        std::vector<P::NotExprContext*> parts = static_cast<P::AndExprContext*>(ctx)->notExpr();
        if (parts.size() == 1) {
          ctx = parts.front();
          continue;
        }
        return nary(ast::ExprKind::And, std::vector<Ctx*>(parts.begin(), parts.end()), ctx, depth);
      }
      case P::RuleNotExpr: {
        auto* c = static_cast<P::NotExprContext*>(ctx);
        std::vector<const Token*> operators;
        Ctx* operand = prefix_operand(c, &P::NotExprContext::notExpr, &P::NotExprContext::comparison, operators);
        if (operators.empty()) {
          ctx = operand;
          continue;
        }
        return prefix_chain(ast::ExprKind::Not, operators, operand, c, depth);
      }
      case P::RuleComparison: {
        auto* c = static_cast<P::ComparisonContext*>(ctx);
        std::vector<P::AdditiveContext*> operands = c->additive();
        if (operands.empty()) return placeholder(span(c));
        if (c->compareOp() != nullptr && operands.size() == 2) return comparison(c, operands, depth);
        if (c->fieldName() != nullptr || c->name() != nullptr) return has_or_is(c, operands.front(), depth);
        ctx = operands.front();
        continue;
      }
      case P::RuleAdditive: {
        auto* c = static_cast<P::AdditiveContext*>(ctx);
        std::vector<P::UnaryContext*> operands = c->unary();
        if (operands.size() == 1) {
          ctx = operands.front();
          continue;
        }
        if (operands.empty()) return placeholder(span(c));
        return additive(c, operands, depth);
      }
      case P::RuleUnary: {
        auto* c = static_cast<P::UnaryContext*>(ctx);
        std::vector<const Token*> operators;
        Ctx* operand = prefix_operand(c, &P::UnaryContext::unary, &P::UnaryContext::postfix, operators);
        if (operators.empty()) {
          ctx = operand;
          continue;
        }
        return prefix_chain(ast::ExprKind::Negate, operators, operand, c, depth);
      }
      case P::RulePostfix: {
        auto* c = static_cast<P::PostfixContext*>(ctx);
        if (c->children.size() <= 1) {  // no `.field` parts
          ctx = c->primary();
          continue;
        }
        return member_chain(c, depth);
      }
      case P::RulePrimary: {
        // Labelled alternatives: a failed prediction leaves a plain
        // PrimaryContext, so these casts must be checked.
        if (auto* paren = dynamic_cast<P::ParenExprContext*>(ctx)) {
          ctx = paren->expr();  // parentheses group; they add no node
          continue;
        }
        return primary(static_cast<P::PrimaryContext*>(ctx), depth);
      }
      default:
        return placeholder(span(ctx));
    }
  }
}

ast::ExprPtr AstBuilder::nary(ast::ExprKind kind, const std::vector<Ctx*>& parts, Ctx* whole, std::size_t depth) {
  if (parts.empty()) return placeholder(span(whole));
  if (depth > ast::kMaxNesting) return too_deep(span(whole));
  std::vector<ast::ExprPtr> children;
  children.reserve(parts.size());
  Span where;
  for (Ctx* part : parts) {
    children.push_back(expr(part, depth + 1));
    where = children.size() == 1 ? children.back()->span : join(where, children.back()->span);
  }
  return node(kind, where, std::move(children));
}

ast::ExprPtr AstBuilder::prefix_chain(ast::ExprKind kind, const std::vector<const Token*>& operators, Ctx* operand,
                                      Ctx* whole, std::size_t depth) {
  if (depth + operators.size() - 1 > ast::kMaxNesting) return too_deep(span(whole));
  ast::ExprPtr result = expr(operand, depth + operators.size());
  for (std::size_t i = operators.size(); i-- > 0;) {
    const Span where = join(span(operators[i]), result->span);
    std::vector<ast::ExprPtr> children;
    children.push_back(std::move(result));
    result = node(kind, where, std::move(children));
  }
  return result;
}

ast::ExprPtr AstBuilder::binary(ast::BinaryOp op, ast::ExprPtr left, ast::ExprPtr right) {
  const Span where = join(left->span, right->span);
  std::vector<ast::ExprPtr> children;
  children.push_back(std::move(left));
  children.push_back(std::move(right));
  auto e = node(ast::ExprKind::Binary, where, std::move(children));
  e->op = op;
  return e;
}

ast::ExprPtr AstBuilder::comparison(P::ComparisonContext* c, const std::vector<P::AdditiveContext*>& operands,
                                    std::size_t depth) {
  if (depth > ast::kMaxNesting) return too_deep(span(c));
  const auto op = binary_op(state_.text_of(c->compareOp()->getStart()));
  if (!op) return placeholder(span(c));
  return binary(*op, expr(operands[0], depth + 1), expr(operands[1], depth + 1));
}

ast::ExprPtr AstBuilder::has_or_is(P::ComparisonContext* c, P::AdditiveContext* subject, std::size_t depth) {
  if (depth > ast::kMaxNesting) return too_deep(span(c));
  const ast::Name word = c->fieldName() != nullptr ? field_name(c->fieldName()) : name(c->name());
  std::vector<ast::ExprPtr> children;
  children.push_back(expr(subject, depth + 1));
  const Span where = join(children.front()->span, word.span);
  auto e = node(c->fieldName() != nullptr ? ast::ExprKind::Has : ast::ExprKind::Is, where, std::move(children));
  e->text = word.text;
  e->text_span = word.span;
  return e;
}

ast::ExprPtr AstBuilder::additive(P::AdditiveContext* c, const std::vector<P::UnaryContext*>& operands,
                                  std::size_t depth) {
  std::vector<const Token*> operators;
  for (antlr4::tree::ParseTree* child : c->children) {
    if (auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child)) operators.push_back(terminal->getSymbol());
  }
  // `a + b + c` is ((a + b) + c): the chain nests one level per operator.
  const std::size_t count = operands.size();
  if (depth + count - 2 > ast::kMaxNesting) return too_deep(operators.empty() ? span(c) : span(operators.front()));
  ast::ExprPtr result = expr(operands[0], depth + count - 1);
  for (std::size_t i = 1; i < count; ++i) {
    const bool minus = i - 1 < operators.size() && state_.text_of(operators[i - 1]) == "-";
    result = binary(minus ? ast::BinaryOp::Sub : ast::BinaryOp::Add, std::move(result),
                    expr(operands[i], depth + count - i));
  }
  return result;
}

ast::ExprPtr AstBuilder::member_chain(P::PostfixContext* c, std::size_t depth) {
  const std::vector<P::FieldNameContext*> fields = c->fieldName();
  if (fields.empty()) return expr(c->primary(), depth);  // `x.` with the name missing: reported already
  if (depth + fields.size() - 1 > ast::kMaxNesting) return too_deep(span(c));
  ast::ExprPtr result = expr(c->primary(), depth + fields.size());
  for (P::FieldNameContext* f : fields) {
    const ast::Name field = field_name(f);
    const Span where = join(result->span, field.span);
    std::vector<ast::ExprPtr> children;
    children.push_back(std::move(result));
    result = node(ast::ExprKind::Member, where, std::move(children));
    result->text = field.text;
    result->text_span = field.span;
  }
  return result;
}

ast::ExprPtr AstBuilder::primary(P::PrimaryContext* c, std::size_t depth) {
  const Span where = span(c);
  if (depth > ast::kMaxNesting) return too_deep(where);
  if (dynamic_cast<P::TrueLiteralContext*>(c) != nullptr || dynamic_cast<P::FalseLiteralContext*>(c) != nullptr) {
    auto e = leaf(ast::ExprKind::Bool, where);
    e->bool_value = dynamic_cast<P::TrueLiteralContext*>(c) != nullptr;
    return e;
  }
  if (auto* i = dynamic_cast<P::IntLiteralContext*>(c)) {
    auto e = leaf(ast::ExprKind::Int, where);
    if (i->INT() != nullptr) e->int_value = int_literal(i->INT()->getSymbol());
    return e;
  }
  if (auto* s = dynamic_cast<P::StringLiteralContext*>(c)) {
    auto e = leaf(ast::ExprKind::String, where);
    if (s->STRING() != nullptr) e->text = string_literal(s->STRING()->getSymbol());
    return e;
  }
  if (auto* t = dynamic_cast<P::TimestampLiteralContext*>(c)) {
    auto e = leaf(ast::ExprKind::Timestamp, where);
    if (t->TIMESTAMP() != nullptr) e->int_value = timestamp_literal(t->TIMESTAMP()->getSymbol());
    return e;
  }
  if (auto* d = dynamic_cast<P::DurationLiteralContext*>(c)) {
    auto e = leaf(ast::ExprKind::Duration, where);
    if (d->DURATION() != nullptr) e->int_value = duration_literal(d->DURATION()->getSymbol());
    return e;
  }
  if (dynamic_cast<P::NowExprContext*>(c) != nullptr) return leaf(ast::ExprKind::Now, where);
  if (dynamic_cast<P::UserExprContext*>(c) != nullptr) return leaf(ast::ExprKind::User, where);
  if (dynamic_cast<P::ArgsExprContext*>(c) != nullptr) return leaf(ast::ExprKind::Args, where);
  if (auto* l = dynamic_cast<P::ListLiteralContext*>(c)) {
    std::vector<ast::ExprPtr> elements;
    for (P::ExprContext* element : l->expr()) elements.push_back(expr(element, depth + 1));
    return node(ast::ExprKind::List, where, std::move(elements));
  }
  if (auto* q = dynamic_cast<P::QuantifierExprContext*>(c)) {
    // all(x in list: body) / any(...): children[0] the list, children[1] the body.
    const std::string word = q->quantifier != nullptr ? text(q->quantifier) : std::string();
    if (word != "all" && word != "any") {
      state_.sink.report(DiagCode::SyntaxError, q->quantifier != nullptr ? span(q->quantifier) : where,
                         "unknown quantifier " + quote(word),
                         "a name followed by `(` in a condition is `all(x in LIST: ...)` or `any(x in LIST: ...)`");
    }
    auto e = leaf(word == "all" ? ast::ExprKind::All : ast::ExprKind::Any, where);
    if (q->name() != nullptr) {
      const ast::Name bound = name(q->name());
      e->text = bound.text;
      e->text_span = bound.span;
    }
    std::vector<P::ExprContext*> parts = q->expr();
    for (std::size_t i = 0; i < 2; ++i) {
      e->children.push_back(i < parts.size() ? expr(parts[i], depth + 1) : placeholder(where));
    }
    return e;
  }
  if (auto* n = dynamic_cast<P::NameExprContext*>(c)) {
    const ast::Name word = name(n->name());
    auto e = leaf(ast::ExprKind::Name, where);
    e->text = word.text;
    e->text_span = word.span;
    return e;
  }
  return placeholder(where);
}

}  // namespace authz::parse_detail
