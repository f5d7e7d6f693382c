// parse_tree_builder.h — stage 5 of the parse adapter: the walk of one
// chunk's ANTLR parse tree into the AST. Internal to compiler/parse*.cpp.
//
// Contract: builds exactly the AST the fast parser (compiler/fast_parse.h)
// builds for the same text, through the span, doc and literal helpers of
// compiler/lexed_file.h and compiler/literals.h. A part a syntax error left
// out (already reported) becomes a placeholder, never a crash; literals are
// decoded with their E0008 / E0009 / E0010, a repeated clause is E0411, and
// an expression taller than ast::kMaxNesting is one E0006 per file, so every
// AST is at most ast::kMaxNesting deep.
// The declarations are built in parse_tree_decls.cpp, the expressions in
// parse_tree_exprs.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/literals.h"
#include "compiler/parse_internal.h"

namespace authz::parse_detail {

using Ctx = antlr4::ParserRuleContext;
using P = AuthzParser;

class AstBuilder {
 public:
  AstBuilder(ParseState& state, ast::File& file) : state_(state), k_(*state.kinds), file_(file) {}

  void build(P::File_Context* tree);

 private:
  // ---- spans and names (parse_tree_decls.cpp) ----

  Span span(const Token* token) const { return state_.span_of(token); }
  Span span(Ctx* ctx) const;
  Span join(const Span& first, const Span& last) const { return state_.at(first.begin, std::max(first.end, last.end)); }
  Span decl_span(Ctx* ctx) const;
  std::string text(const Token* token) const { return std::string(state_.text_of(token)); }
  ast::Name name(P::NameContext* ctx) const;
  ast::Name field_name(P::FieldNameContext* ctx) const;
  ast::Name target_name(P::TargetNameContext* ctx);
  std::string qualified_name(P::QualifiedNameContext* ctx) const;
  std::optional<ast::Doc> doc(P::DocContext* ctx) const;

  // ---- literals (parse_tree_decls.cpp) ----

  void report(const Token* token, const std::vector<LiteralProblem>& problems);
  template <typename Value, typename Decode>
  Value decode_literal(const Token* token, Decode decode);
  std::string string_literal(const Token* token);
  std::int64_t int_literal(const Token* token);
  std::int64_t duration_literal(const Token* token);
  std::int64_t timestamp_literal(const Token* token);
  ast::TimeBound time_bound(antlr4::tree::TerminalNode* timestamp, Ctx* clause);

  // ---- declarations (parse_tree_decls.cpp) ----

  template <typename Decl>
  void add(Decl decl, Ctx* c, P::DocContext* doc_ctx, std::vector<Decl>& into);
  void use_decl(P::UseDeclContext* c);
  ast::TypeRef type_ref(P::TypeContext* c, int depth);
  ast::Field field(Ctx* whole, P::DocContext* doc_ctx, P::FieldNameContext* name_ctx, P::TypeContext* type_ctx,
                   const Token* sensitive);
  std::vector<ast::Field> params(P::ParamListContext* c);
  void record(ast::RecordKind kind, Ctx* c, P::NameContext* name_ctx, P::FieldListContext* fields,
              P::DocContext* doc_ctx);
  void role(P::RoleDeclContext* c);
  void tool(P::ToolDeclContext* c);
  void resource(P::ResourceDeclContext* c);
  void prompt(P::PromptDeclContext* c);
  std::vector<ast::Target> targets(P::TargetListContext* c);
  void group(P::GroupDeclContext* c);
  void obligation(P::ObligationDeclContext* c);
  bool first_clause(std::optional<Span>& first, const Token* keyword, const std::string& owner,
                    const std::string& help);
  void window_clause(std::optional<Span>& first, std::optional<ast::TimeBound>& bound, Ctx* clause,
                     antlr4::tree::TerminalNode* timestamp, const std::string& owner, std::string_view owner_kind);
  std::vector<ast::Subject> subject_list(P::SubjectListContext* c);
  void rule(P::RuleDeclContext* c);
  ast::ObligationUse obligation_use(P::ObligationUseContext* c);
  void grant(P::GrantDeclContext* c);
  void default_decl(P::DefaultDeclContext* c);

  // ---- expressions (parse_tree_exprs.cpp) ----
  //
  // `depth` is the depth the node being built will have in the AST (the root
  // of a condition is 1). The pre-scan bounds brackets and prefix operators;
  // left-nested chains (`a + b + c`, `a.b.c`) are bounded here, so every AST
  // is at most ast::kMaxNesting deep and recursive walks over it are safe.

  ast::ExprPtr leaf(ast::ExprKind kind, const Span& where) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = kind;
    e->span = where;
    return e;
  }

  // Stands in for a part that a syntax error (already reported) left out.
  ast::ExprPtr placeholder(const Span& where) { return leaf(ast::ExprKind::Bool, where); }

  ast::ExprPtr node(ast::ExprKind kind, const Span& where, std::vector<ast::ExprPtr> children) {
    auto e = leaf(kind, where);
    e->children = std::move(children);
    return e;
  }

  ast::ExprPtr too_deep(const Span& where);
  ast::ExprPtr expr(Ctx* ctx) { return expr(ctx, 1); }
  ast::ExprPtr expr(Ctx* ctx, std::size_t depth);
  template <typename Rule, typename Operand>
  static Ctx* prefix_operand(Rule* c, Rule* (Rule::*self)(), Operand* (Rule::*operand)(),
                             std::vector<const Token*>& operators);
  ast::ExprPtr nary(ast::ExprKind kind, const std::vector<Ctx*>& parts, Ctx* whole, std::size_t depth);
  ast::ExprPtr prefix_chain(ast::ExprKind kind, const std::vector<const Token*>& operators, Ctx* operand, Ctx* whole,
                            std::size_t depth);
  static std::optional<ast::BinaryOp> binary_op(std::string_view text) { return ast::binary_op_spelled(text); }
  ast::ExprPtr binary(ast::BinaryOp op, ast::ExprPtr left, ast::ExprPtr right);
  ast::ExprPtr comparison(P::ComparisonContext* c, const std::vector<P::AdditiveContext*>& operands,
                          std::size_t depth);
  ast::ExprPtr has_or_is(P::ComparisonContext* c, P::AdditiveContext* subject, std::size_t depth);
  ast::ExprPtr additive(P::AdditiveContext* c, const std::vector<P::UnaryContext*>& operands, std::size_t depth);
  ast::ExprPtr member_chain(P::PostfixContext* c, std::size_t depth);
  ast::ExprPtr primary(P::PrimaryContext* c, std::size_t depth);

  ParseState& state_;
  const TokenKinds& k_;
  ast::File& file_;
};

}  // namespace authz::parse_detail
