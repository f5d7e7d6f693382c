// fast_parse.cpp — see fast_parse.h. Each function mirrors one rule of
// grammar/Authz.g4 and builds the AST nodes exactly as the AstBuilder in
// compiler/parse.cpp builds them from that rule's parse tree: the comments
// name the rule. Every function returns false (or a null node) to decline.
#include "compiler/fast_parse.h"

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "compiler/literals.h"

namespace authz {
namespace {

struct LiteralName {
  std::string_view text;
  FastTok kind;
};

constexpr std::array kLiterals = {
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

bool is_keyword(FastTok kind) { return kind > FastTok::KeywordsBegin_ && kind < FastTok::KeywordsEnd_; }

constexpr FastTok literal_kind(std::string_view literal) {
  for (const LiteralName& entry : kLiterals) {
    if (entry.text == literal) return entry.kind;
  }
  return FastTok::Other;
}

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

  // file_ : header? item* EOF
  bool run() {
    if (tokens_.empty() || tokens_.back().type != LexedToken::kEndType) return false;
    // The adapter reports a missing header, so a file reaching here has one;
    // anything else is unusual enough to leave to ANTLR.
    if (!header()) return false;
    while (kind() != FastTok::End) {
      if (!item()) return false;
    }
    return pos_ + 1 == tokens_.size();
  }

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

  // targetName : IDENT | STRING
  bool target_name(ast::Name& out) {
    if (kind() == FastTok::String) {
      out.span = span(pos_);
      if (!string_at(pos_, out.text)) return false;
      ++pos_;
      return true;
    }
    return name(out);
  }

  // qualifiedName : name ('.' name)*
  bool qualified_name(std::string& dotted, Span& where) {
    const std::size_t first = pos_;
    ast::Name part;
    if (!name(part)) return false;
    dotted = std::move(part.text);
    while (kind() == FastTok::Dot) {
      ++pos_;
      if (!name(part)) return false;
      dotted += '.';
      dotted += part.text;
    }
    where = span(first, pos_ - 1);
    return true;
  }

  // header : ('policy' | 'module') qualifiedName ';'
  bool header() {
    const std::size_t first = pos_;
    if (kind() != FastTok::KwPolicy && kind() != FastTok::KwModule) return false;
    file_.has_header = true;
    file_.is_module = kind() == FastTok::KwModule;
    ++pos_;
    Span unused;
    if (!qualified_name(file_.name, unused) || !accept(FastTok::Semicolon)) return false;
    file_.header_span = span(first, pos_ - 1);
    return true;
  }

  // doc : DOC_COMMENT+   (stage 2 merges a run of `///` lines into one token)
  std::optional<ast::Doc> doc(std::size_t first, std::size_t end) const {
    if (first == end) return std::nullopt;
    ast::Doc doc;
    doc.span = span(first, end - 1);
    bool first_line = true;
    for (std::size_t i = first; i < end; ++i) {
      auto lines = in_.doc_lines->find(tokens_[i].start);
      if (lines == in_.doc_lines->end()) continue;
      append_doc_lines(in_.bytes, lines->second, doc.text, first_line);
    }
    return doc;
  }

  // Skips an optional doc; returns the index one past it.
  std::size_t skip_doc() {
    while (kind() == FastTok::Doc) ++pos_;
    return pos_;
  }

  // ---- declarations ----

  // item : one of the declarations, each `doc? keyword ...`
  bool item() {
    const std::size_t doc_first = pos_;
    const std::size_t keyword = skip_doc();
    auto docs = [&] { return doc(doc_first, keyword); };
    switch (kind()) {
      case FastTok::KwUse: return use_decl(keyword);
      case FastTok::KwPrincipal: return record(ast::RecordKind::Principal, keyword, docs());
      case FastTok::KwEntity: return record(ast::RecordKind::Entity, keyword, docs());
      case FastTok::KwRecord: return record(ast::RecordKind::Record, keyword, docs());
      case FastTok::KwRole: return role(keyword, docs());
      case FastTok::KwTool: return tool(keyword, docs());
      case FastTok::KwResource: return resource(keyword, docs());
      case FastTok::KwPrompt: return prompt(keyword, docs());
      case FastTok::KwGroup: return group(keyword, docs());
      case FastTok::KwObligation: return obligation(keyword, docs());
      case FastTok::KwAllow:
      case FastTok::KwDeny: return rule(keyword, docs());
      case FastTok::KwGrant: return grant(keyword, docs());
      case FastTok::KwDefault: return default_decl(keyword);
      default: return false;
    }
  }

  // Ends a documented declaration that began at token `keyword` and whose
  // last token was just consumed: its span runs from the keyword (the doc has
  // its own span) to that token.
  template <typename Decl>
  bool add(Decl decl, std::size_t keyword, std::optional<ast::Doc> doc, std::vector<Decl>& into) {
    decl.span = span(keyword, pos_ - 1);
    decl.doc = std::move(doc);
    into.push_back(std::move(decl));
    return true;
  }

  // useDecl : doc? 'use' (qualifiedName | STRING) ';'   (its doc is not kept)
  bool use_decl(std::size_t keyword) {
    ast::UseDecl use;
    ++pos_;
    if (kind() == FastTok::String) {
      use.is_path = true;
      use.target_span = span(pos_);
      if (!string_at(pos_, use.target)) return false;
      ++pos_;
    } else if (!qualified_name(use.target, use.target_span)) {
      return false;
    }
    if (!accept(FastTok::Semicolon)) return false;
    use.span = span(keyword, pos_ - 1);
    file_.uses.push_back(std::move(use));
    return true;
  }

  // type : name '<' type (',' type)* '>' '?'?  |  name '?'?
  bool type_ref(ast::TypeRef& type, int depth) {
    const std::size_t first = pos_;
    if (!name(type.name)) return false;
    if (kind() == FastTok::Less) {
      // The ANTLR path drops the arguments of a type this deep (the nesting
      // pre-scan refuses such files first); leave that corner to it.
      if (depth >= ast::kMaxNesting) return false;
      ++pos_;
      do {
        ast::TypeRef argument;
        if (!type_ref(argument, depth + 1)) return false;
        type.arguments.push_back(std::move(argument));
      } while (accept(FastTok::Comma));
      if (!accept(FastTok::Greater)) return false;
    }
    type.optional = accept(FastTok::Question);
    type.span = span(first, pos_ - 1);
    return true;
  }

  // field : doc? fieldName ':' type
  // param : doc? fieldName ':' type 'sensitive'?
  bool field(ast::Field& out, bool is_param) {
    const std::size_t doc_first = pos_;
    const std::size_t name_index = skip_doc();
    if (!field_name(out.name) || !accept(FastTok::Colon) || !type_ref(out.type, 1)) return false;
    if (is_param) out.sensitive = accept(FastTok::KwSensitive);
    out.span = span(name_index, pos_ - 1);
    if (auto parsed = doc(doc_first, name_index)) out.doc = std::move(parsed->text);
    return true;
  }

  // fieldList : field (',' field)* ','?   — up to (not including) `close`
  bool field_list(std::vector<ast::Field>& fields, bool is_param, FastTok close) {
    if (kind() == close) return true;
    for (;;) {
      ast::Field f;
      if (!field(f, is_param)) return false;
      fields.push_back(std::move(f));
      if (!accept(FastTok::Comma)) return true;
      if (kind() == close) return true;
    }
  }

  // principalDecl / entityDecl / recordDecl : doc? KEYWORD name '{' fieldList? '}'
  bool record(ast::RecordKind record_kind, std::size_t keyword, std::optional<ast::Doc> doc) {
    ast::RecordDecl decl;
    decl.kind = record_kind;
    ++pos_;
    if (!name(decl.name) || !accept(FastTok::LBrace) || !field_list(decl.fields, false, FastTok::RBrace) ||
        !accept(FastTok::RBrace)) {
      return false;
    }
    return add(std::move(decl), keyword, std::move(doc), file_.records);
  }

  // roleDecl : doc? 'role' name (':' name (',' name)*)? ';'
  bool role(std::size_t keyword, std::optional<ast::Doc> doc) {
    ast::RoleDecl decl;
    ++pos_;
    if (!name(decl.name)) return false;
    if (accept(FastTok::Colon)) {
      do {
        ast::Name parent;
        if (!name(parent)) return false;
        decl.parents.push_back(std::move(parent));
      } while (accept(FastTok::Comma));
    }
    if (!accept(FastTok::Semicolon)) return false;
    return add(std::move(decl), keyword, std::move(doc), file_.roles);
  }

  // '(' paramList? ')'
  bool parameters(std::vector<ast::Field>& params) {
    return accept(FastTok::LParen) && field_list(params, true, FastTok::RParen) && accept(FastTok::RParen);
  }

  // toolDecl : doc? 'tool' targetName '(' paramList? ')' ('read' | 'write')? ';'
  bool tool(std::size_t keyword, std::optional<ast::Doc> doc) {
    ast::ToolDecl decl;
    ++pos_;
    if (!target_name(decl.name) || !parameters(decl.params)) return false;
    if (accept(FastTok::KwRead)) decl.action = ast::Action::Read;
    else if (accept(FastTok::KwWrite)) decl.action = ast::Action::Write;
    if (!accept(FastTok::Semicolon)) return false;
    return add(std::move(decl), keyword, std::move(doc), file_.tools);
  }

  // resourceDecl : doc? 'resource' targetName STRING ';'
  bool resource(std::size_t keyword, std::optional<ast::Doc> doc) {
    ast::ResourceDecl decl;
    ++pos_;
    if (!target_name(decl.name) || kind() != FastTok::String) return false;
    decl.uri_span = span(pos_);
    if (!string_at(pos_, decl.uri)) return false;
    ++pos_;
    if (!accept(FastTok::Semicolon)) return false;
    return add(std::move(decl), keyword, std::move(doc), file_.resources);
  }

  // promptDecl : doc? 'prompt' targetName '(' paramList? ')' ';'
  bool prompt(std::size_t keyword, std::optional<ast::Doc> doc) {
    ast::PromptDecl decl;
    ++pos_;
    if (!target_name(decl.name) || !parameters(decl.params) || !accept(FastTok::Semicolon)) return false;
    return add(std::move(decl), keyword, std::move(doc), file_.prompts);
  }

  // target : 'read' | 'write' | targetName
  bool target(ast::Target& out) {
    out.span = span(pos_);
    if (accept(FastTok::KwRead)) {
      out.kind = ast::Target::Kind::AllRead;
      return true;
    }
    if (accept(FastTok::KwWrite)) {
      out.kind = ast::Target::Kind::AllWrite;
      return true;
    }
    ast::Name named;
    if (!target_name(named)) return false;
    out.kind = ast::Target::Kind::Named;
    out.name = std::move(named.text);
    return true;
  }

  // targetList : target (',' target)*
  bool target_list(std::vector<ast::Target>& targets) {
    do {
      ast::Target t;
      if (!target(t)) return false;
      targets.push_back(std::move(t));
    } while (accept(FastTok::Comma));
    return true;
  }

  // groupDecl : doc? 'group' name '=' targetList ';'
  bool group(std::size_t keyword, std::optional<ast::Doc> doc) {
    ast::GroupDecl decl;
    ++pos_;
    if (!name(decl.name) || !accept(FastTok::Assign) || !target_list(decl.members) || !accept(FastTok::Semicolon)) {
      return false;
    }
    return add(std::move(decl), keyword, std::move(doc), file_.groups);
  }

  // obligationDecl : doc? 'obligation' name '(' paramList? ')' ';'
  bool obligation(std::size_t keyword, std::optional<ast::Doc> doc) {
    ast::ObligationDecl decl;
    ++pos_;
    if (!name(decl.name) || !parameters(decl.params) || !accept(FastTok::Semicolon)) return false;
    return add(std::move(decl), keyword, std::move(doc), file_.obligations);
  }

  // Whether a `subjectList 'may'` starts here: subjects and targets share
  // names, so (as ANTLR's prediction does) look for the `may` after the list.
  bool subjects_ahead() const {
    std::size_t i = pos_;
    for (;;) {
      const FastTok k = kind_of(i);
      if (k == FastTok::KwAnyone || k == FastTok::Ident) {
        i += 1;
      } else if (k == FastTok::KwUser && kind_of(i + 1) == FastTok::String) {
        i += 2;
      } else {
        return false;
      }
      if (kind_of(i) == FastTok::KwMay) return true;
      if (kind_of(i) != FastTok::Comma) return false;
      ++i;
    }
  }

  // subject : 'anyone' | 'user' STRING | name
  bool subject(ast::Subject& out) {
    const std::size_t first = pos_;
    if (accept(FastTok::KwAnyone)) {
      out.kind = ast::Subject::Kind::Anyone;
    } else if (accept(FastTok::KwUser)) {
      if (kind() != FastTok::String || !string_at(pos_, out.name)) return false;
      ++pos_;
      out.kind = ast::Subject::Kind::User;
    } else {
      ast::Name role_name;
      if (!name(role_name)) return false;
      out.kind = ast::Subject::Kind::Role;
      out.name = std::move(role_name.text);
    }
    out.span = span(first, pos_ - 1);
    return true;
  }

  // ruleDecl : doc? ('allow' | 'deny') name ':' (subjectList 'may')? targetList ruleClause* ';'
  bool rule(std::size_t keyword, std::optional<ast::Doc> doc) {
    ast::RuleDecl decl;
    decl.effect = kind() == FastTok::KwDeny ? ast::Effect::Deny : ast::Effect::Allow;
    ++pos_;
    if (!name(decl.id) || !accept(FastTok::Colon)) return false;
    if (subjects_ahead()) {
      decl.subjects_given = true;
      do {
        ast::Subject s;
        if (!subject(s)) return false;
        decl.subjects.push_back(std::move(s));
      } while (accept(FastTok::Comma));
      if (!accept(FastTok::KwMay)) return false;
    }
    if (!target_list(decl.targets)) return false;
    bool seen_from = false, seen_until = false, seen_with = false;
    for (;;) {
      // A repeated clause is E0411 on the ANTLR path: decline.
      switch (kind()) {
        case FastTok::KwWhen:
          if (decl.when != nullptr) return false;
          ++pos_;
          if (!(decl.when = condition())) return false;
          continue;
        case FastTok::KwUnless:
          if (decl.unless != nullptr) return false;
          ++pos_;
          if (!(decl.unless = condition())) return false;
          continue;
        case FastTok::KwFrom:
          if (seen_from) return false;
          seen_from = true, ++pos_;
          if (!time_bound(decl.from)) return false;
          continue;
        case FastTok::KwUntil:
          if (seen_until) return false;
          seen_until = true, ++pos_;
          if (!time_bound(decl.until)) return false;
          continue;
        case FastTok::KwWith:
          if (seen_with) return false;
          seen_with = true, ++pos_;
          do {
            ast::ObligationUse use;
            if (!obligation_use(use)) return false;
            decl.obligations.push_back(std::move(use));
          } while (accept(FastTok::Comma));
          continue;
        default: break;
      }
      break;
    }
    if (!accept(FastTok::Semicolon)) return false;
    return add(std::move(decl), keyword, std::move(doc), file_.rules);
  }

  // 'from' / 'until' TIMESTAMP (after the keyword)
  bool time_bound(std::optional<ast::TimeBound>& out) {
    if (kind() != FastTok::Timestamp) return false;
    ast::TimeBound bound;
    bound.span = span(pos_);
    if (!timestamp_at(pos_, bound.millis)) return false;
    ++pos_;
    out = bound;
    return true;
  }

  // obligationUse : name '(' (namedArg (',' namedArg)*)? ')'
  // namedArg      : fieldName ':' expr
  bool obligation_use(ast::ObligationUse& use) {
    const std::size_t first = pos_;
    if (!name(use.name) || !accept(FastTok::LParen)) return false;
    if (kind() != FastTok::RParen) {
      do {
        ast::NamedArgument argument;
        const std::size_t argument_first = pos_;
        if (!field_name(argument.name) || !accept(FastTok::Colon)) return false;
        if (!(argument.value = condition())) return false;
        argument.span = span(argument_first, pos_ - 1);
        use.arguments.push_back(std::move(argument));
      } while (accept(FastTok::Comma));
    }
    if (!accept(FastTok::RParen)) return false;
    use.span = span(first, pos_ - 1);
    return true;
  }

  // grantDecl : doc? 'grant' name ':' 'user' STRING 'may' targetList grantClause* ';'
  bool grant(std::size_t keyword, std::optional<ast::Doc> doc) {
    ast::GrantDecl decl;
    ++pos_;
    if (!name(decl.id) || !accept(FastTok::Colon) || !accept(FastTok::KwUser) || kind() != FastTok::String) {
      return false;
    }
    decl.user_span = span(pos_);
    if (!string_at(pos_, decl.user)) return false;
    ++pos_;
    if (!accept(FastTok::KwMay) || !target_list(decl.targets)) return false;
    bool seen_from = false, seen_until = false;
    for (;;) {
      if (kind() == FastTok::KwFrom) {
        if (seen_from) return false;
        seen_from = true, ++pos_;
        if (!time_bound(decl.from)) return false;
      } else if (kind() == FastTok::KwUntil) {
        if (seen_until) return false;
        seen_until = true, ++pos_;
        if (!time_bound(decl.until)) return false;
      } else if (kind() == FastTok::KwBecause) {
        if (decl.because) return false;
        ++pos_;
        if (kind() != FastTok::String) return false;
        decl.because_span = span(pos_);
        std::string reason;
        if (!string_at(pos_, reason)) return false;
        decl.because = std::move(reason);
        ++pos_;
      } else {
        break;
      }
    }
    if (!accept(FastTok::Semicolon)) return false;
    return add(std::move(decl), keyword, std::move(doc), file_.grants);
  }

  // defaultDecl : doc? 'default' ('allow' | 'deny') ';'   (its doc is not kept)
  bool default_decl(std::size_t keyword) {
    ast::DefaultDecl decl;
    ++pos_;
    if (accept(FastTok::KwAllow)) decl.effect = ast::Effect::Allow;
    else if (accept(FastTok::KwDeny)) decl.effect = ast::Effect::Deny;
    else return false;
    if (!accept(FastTok::Semicolon)) return false;
    decl.span = span(keyword, pos_ - 1);
    file_.defaults.push_back(decl);
    return true;
  }

  // ---- expressions ----
  //
  // Parentheses and list brackets are the only recursion (chains and prefix
  // operators are loops); `brackets_` bounds it.

  // A whole condition (a `when` / `unless` / named argument): null to decline.
  ast::ExprPtr condition() {
    Built built = expr();
    if (!built || built.height > ast::kMaxNesting) return nullptr;
    return std::move(built.expr);
  }

  ast::ExprPtr leaf(ast::ExprKind kind, const Span& where) const {
    auto e = std::make_unique<ast::Expr>();
    e->kind = kind;
    e->span = where;
    return e;
  }

  // Node makers return nothing (decline) once a tree grows taller than
  // ast::kMaxNesting: the ANTLR path reports E0006 there, and declining early
  // keeps a 100,000-link `a.b.c...` chain from being built (and freed
  // recursively) at all.
  Built unary_node(ast::ExprKind kind, const Span& where, Built child) const {
    if (child.height + 1 > ast::kMaxNesting) return {};
    Built out{leaf(kind, where), child.height + 1};
    out.expr->children.push_back(std::move(child.expr));
    return out;
  }

  Built binary(ast::BinaryOp op, Built left, Built right) const {
    if (std::max(left.height, right.height) + 1 > ast::kMaxNesting) return {};
    Built out{leaf(ast::ExprKind::Binary, join(left.expr->span, right.expr->span)),
              std::max(left.height, right.height) + 1};
    out.expr->op = op;
    out.expr->children.push_back(std::move(left.expr));
    out.expr->children.push_back(std::move(right.expr));
    return out;
  }

  // expr : andExpr ('||' andExpr)*      andExpr : notExpr ('&&' notExpr)*
  Built expr() { return chain(ast::ExprKind::Or, FastTok::OrOr); }
  Built and_expr() { return chain(ast::ExprKind::And, FastTok::AndAnd); }

  Built chain(ast::ExprKind node_kind, FastTok separator) {
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
  Built not_expr() {
    const std::size_t first = pos_;
    while (kind() == FastTok::Bang) ++pos_;
    Built result = comparison();
    return wrap_prefixes(ast::ExprKind::Not, first, std::move(result), FastTok::Bang);
  }

  // Wraps `operand` in one node per prefix operator token from `first` on
  // (innermost last), each spanning its operator to the operand's end.
  Built wrap_prefixes(ast::ExprKind kind, std::size_t first, Built operand, FastTok op) const {
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
  Built comparison() {
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
  Built additive() {
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
  Built unary() {
    const std::size_t first = pos_;
    while (kind() == FastTok::Minus) ++pos_;
    return wrap_prefixes(ast::ExprKind::Negate, first, postfix(), FastTok::Minus);
  }

  // postfix : primary ('.' fieldName)*
  Built postfix() {
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

  Built literal(ast::ExprKind kind) {
    Built out{leaf(kind, span(pos_)), 1};
    ++pos_;
    return out;
  }

  // primary : literals | 'now' | 'user' | 'args' | '[' list ']' | '(' expr ')' | name
  Built primary() {
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
  Built quantifier() {
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

  const FastParseInput& in_;
  const std::vector<LexedToken>& tokens_;
  const std::vector<FastTok>& kinds_;
  ast::File& file_;
  std::size_t pos_ = 0;
  int brackets_ = 0;
};

}  // namespace

FastTok fast_token_for_literal(std::string_view literal) { return literal_kind(literal); }

bool fast_parse(const FastParseInput& input, ast::File& out) {
  if (input.decoded == nullptr || input.tokens == nullptr || input.doc_lines == nullptr || input.kinds == nullptr) {
    return false;
  }
  return FastParser(input, out).run();
}

}  // namespace authz
