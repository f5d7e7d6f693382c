// fast_parse_internal.h — the fast parser's class (compiler/fast_parse.h),
// shared by its two files: fast_parse.cpp parses the file and its
// declarations, fast_parse_exprs.cpp the conditions. Internal: nothing else
// includes it.
//
// Contract: as fast_parse.h. Each member function mirrors one rule of
// grammar/Authz.g4 (its comment names the rule) and builds the AST exactly as
// the ANTLR adapter's AstBuilder (compiler/parse_tree_builder.h) builds it
// from that rule's parse tree; each returns false (or an empty Built) to
// decline. The token helpers are inline here: both halves call them per token.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast.h"
#include "compiler/fast_parse.h"
#include "compiler/lexed_file.h"
#include "compiler/literals.h"

namespace authz::fast_parse_detail {

struct LiteralName {
  std::string_view text;
  FastTok kind;
};

inline constexpr std::array kLiterals = {
#define AUTHZ_KEYWORD(Name, spelling) LiteralName{spelling, FastTok::Kw##Name},
#include "compiler/keywords.def"
    LiteralName{";", FastTok::Semicolon},           LiteralName{":", FastTok::Colon},
    LiteralName{".", FastTok::Dot},                 LiteralName{",", FastTok::Comma},
    LiteralName{"(", FastTok::LParen},              LiteralName{")", FastTok::RParen},
    LiteralName{"[", FastTok::LBracket},            LiteralName{"]", FastTok::RBracket},
    LiteralName{"{", FastTok::LBrace},              LiteralName{"}", FastTok::RBrace},
    LiteralName{"=", FastTok::Assign},              LiteralName{"<", FastTok::Less},
    LiteralName{">", FastTok::Greater},             LiteralName{"<=", FastTok::LessEqual},
    LiteralName{">=", FastTok::GreaterEqual},       LiteralName{"==", FastTok::EqualEqual},
    LiteralName{"!=", FastTok::NotEqual},           LiteralName{"?", FastTok::Question},
    LiteralName{"!", FastTok::Bang},                LiteralName{"-", FastTok::Minus},
    LiteralName{"+", FastTok::Plus},                LiteralName{"&&", FastTok::AndAnd},
    LiteralName{"||", FastTok::OrOr},
};

constexpr bool is_keyword(FastTok kind) { return kind > FastTok::KeywordsBegin_ && kind < FastTok::KeywordsEnd_; }

constexpr FastTok literal_kind(std::string_view literal) {
  for (const LiteralName& entry : kLiterals) {
    if (entry.text == literal) return entry.kind;
  }
  return FastTok::Other;
}

// An expression node with the height of its subtree (a leaf is 1): the
// ANTLR path reports E0006 exactly when a condition's tree is taller than
// ast::kMaxNesting, and this path then declines.
struct Built {
  ast::ExprPtr expr;
  int height = 0;
  explicit operator bool() const { return expr != nullptr; }
};

class FastParser {
 public:
  FastParser(const FastParseInput& input, ast::File& file)
      : in_(input), tokens_(*input.tokens), kinds_(*input.kinds), file_(file) {}

  bool run();

 private:
  // ---- tokens ----

  FastTok kind_of(std::size_t index) const {
    if (index >= tokens_.size()) return FastTok::End;
    const std::uint32_t type = tokens_[index].type;
    if (type == LexedToken::kEndType) return FastTok::End;
    return type < kinds_.size() ? kinds_[type] : FastTok::Other;
  }
  FastTok kind() const { return kind_of(pos_); }
  bool accept(FastTok expected) {
    if (kind() != expected) return false;
    ++pos_;
    return true;
  }

  Span at(std::uint32_t begin, std::uint32_t end) const { return Span{in_.file, begin, std::max(begin, end)}; }
  Span span(std::size_t index) const {
    const LexedToken& t = tokens_[index];
    return code_point_span(in_.file, *in_.decoded, t.start, t.end);
  }
  // From the first byte of token `first` to the last of token `last`.
  Span span(std::size_t first, std::size_t last) const { return at(span(first).begin, span(last).end); }
  Span join(const Span& first, const Span& last) const { return at(first.begin, std::max(first.end, last.end)); }
  std::string_view text(std::size_t index) const { return span_text(in_.bytes, span(index)); }

  // ---- literals (declining on anything the ANTLR path would report) ----

  bool string_at(std::size_t index, std::string& out) const {
    return decode_string_literal(text(index), false, out, nullptr);
  }
  bool timestamp_at(std::size_t index, std::int64_t& out) const {
    return decode_timestamp_literal(text(index), out, nullptr);
  }

  // ---- names ----

  // name : IDENT
  bool name(ast::Name& out) {
    if (kind() != FastTok::Ident) return false;
    out.span = span(pos_);
    out.text = std::string(text(pos_));
    ++pos_;
    return true;
  }

  // fieldName : IDENT | any keyword
  bool field_name(ast::Name& out) {
    const FastTok k = kind();
    if (k != FastTok::Ident && !is_keyword(k)) return false;
    out.span = span(pos_);
    out.text = std::string(text(pos_));
    ++pos_;
    return true;
  }

  // ---- the file and its declarations (fast_parse.cpp) ----

  bool target_name(ast::Name& out);
  bool qualified_name(std::string& dotted, Span& where);
  bool header();
  std::optional<ast::Doc> doc(std::size_t first, std::size_t end) const;
  std::size_t skip_doc();
  bool item();
  template <typename Decl>
  bool add(Decl decl, std::size_t keyword, std::optional<ast::Doc> doc, std::vector<Decl>& into);
  bool use_decl(std::size_t keyword);
  bool type_ref(ast::TypeRef& type, int depth);
  bool field(ast::Field& out, bool is_param);
  bool field_list(std::vector<ast::Field>& fields, bool is_param, FastTok close);
  bool record(ast::RecordKind record_kind, std::size_t keyword, std::optional<ast::Doc> doc);
  bool role(std::size_t keyword, std::optional<ast::Doc> doc);
  bool parameters(std::vector<ast::Field>& params);
  bool tool(std::size_t keyword, std::optional<ast::Doc> doc);
  bool resource(std::size_t keyword, std::optional<ast::Doc> doc);
  bool prompt(std::size_t keyword, std::optional<ast::Doc> doc);
  bool target(ast::Target& out);
  bool target_list(std::vector<ast::Target>& targets);
  bool group(std::size_t keyword, std::optional<ast::Doc> doc);
  bool obligation(std::size_t keyword, std::optional<ast::Doc> doc);
  bool subjects_ahead() const;
  bool subject(ast::Subject& out);
  bool rule(std::size_t keyword, std::optional<ast::Doc> doc);
  bool time_bound(std::optional<ast::TimeBound>& out);
  bool obligation_use(ast::ObligationUse& use);
  bool grant(std::size_t keyword, std::optional<ast::Doc> doc);
  bool default_decl(std::size_t keyword);

  // ---- expressions (fast_parse_exprs.cpp) ----
  //
  // Parentheses and list brackets are the only recursion (chains and prefix
  // operators are loops); `brackets_` bounds it.

  ast::ExprPtr condition();
  ast::ExprPtr leaf(ast::ExprKind kind, const Span& where) const {
    auto e = std::make_unique<ast::Expr>();
    e->kind = kind;
    e->span = where;
    return e;
  }
  Built unary_node(ast::ExprKind kind, const Span& where, Built child) const;
  Built binary(ast::BinaryOp op, Built left, Built right) const;
  Built expr();
  Built and_expr();
  Built chain(ast::ExprKind node_kind, FastTok separator);
  Built not_expr();
  Built wrap_prefixes(ast::ExprKind kind, std::size_t first, Built operand, FastTok op) const;
  Built comparison();
  Built additive();
  Built unary();
  Built postfix();
  Built literal(ast::ExprKind kind);
  Built primary();
  Built quantifier();

  const FastParseInput& in_;
  const std::vector<LexedToken>& tokens_;
  const std::vector<FastTok>& kinds_;
  ast::File& file_;
  std::size_t pos_ = 0;
  int brackets_ = 0;
};

}  // namespace authz::fast_parse_detail
