// fast_parse.cpp — see fast_parse.h: the fast path's entry points, and the
// file and its declarations (header, items, names, types, targets, rules,
// grants); fast_parse_exprs.cpp parses the conditions. Each function mirrors
// one rule of grammar/Authz.g4 (its comment names the rule) and builds the
// AST nodes exactly as the AstBuilder of the ANTLR adapter
// (compiler/parse_tree_builder.h) builds them from that rule's parse tree.
// Every function returns false to decline.
#include "compiler/fast_parse.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/fast_parse_internal.h"

namespace authz {
namespace fast_parse_detail {

// file_ : header? item* EOF
bool FastParser::run() {
  if (tokens_.empty() || tokens_.back().type != LexedToken::kEndType) return false;
  // The adapter reports a missing header, so a file reaching here has one;
  // anything else is unusual enough to leave to ANTLR.
  if (!header()) return false;
  while (kind() != FastTok::End) {
    if (!item()) return false;
  }
  return pos_ + 1 == tokens_.size();
}

// targetName : IDENT | STRING
bool FastParser::target_name(ast::Name& out) {
  if (kind() == FastTok::String) {
    out.span = span(pos_);
    if (!string_at(pos_, out.text)) return false;
    ++pos_;
    return true;
  }
  return name(out);
}

// qualifiedName : name ('.' name)*
bool FastParser::qualified_name(std::string& dotted, Span& where) {
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
bool FastParser::header() {
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
std::optional<ast::Doc> FastParser::doc(std::size_t first, std::size_t end) const {
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
std::size_t FastParser::skip_doc() {
  while (kind() == FastTok::Doc) ++pos_;
  return pos_;
}

// item : one of the declarations, each `doc? keyword ...`
bool FastParser::item() {
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
bool FastParser::add(Decl decl, std::size_t keyword, std::optional<ast::Doc> doc, std::vector<Decl>& into) {
  decl.span = span(keyword, pos_ - 1);
  decl.doc = std::move(doc);
  into.push_back(std::move(decl));
  return true;
}

// useDecl : doc? 'use' (qualifiedName | STRING) ';'   (its doc is not kept)
bool FastParser::use_decl(std::size_t keyword) {
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
bool FastParser::type_ref(ast::TypeRef& type, int depth) {
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
bool FastParser::field(ast::Field& out, bool is_param) {
  const std::size_t doc_first = pos_;
  const std::size_t name_index = skip_doc();
  if (!field_name(out.name) || !accept(FastTok::Colon) || !type_ref(out.type, 1)) return false;
  if (is_param) out.sensitive = accept(FastTok::KwSensitive);
  out.span = span(name_index, pos_ - 1);
  if (auto parsed = doc(doc_first, name_index)) out.doc = std::move(parsed->text);
  return true;
}

// fieldList : field (',' field)* ','?   — up to (not including) `close`
bool FastParser::field_list(std::vector<ast::Field>& fields, bool is_param, FastTok close) {
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
bool FastParser::record(ast::RecordKind record_kind, std::size_t keyword, std::optional<ast::Doc> doc) {
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
bool FastParser::role(std::size_t keyword, std::optional<ast::Doc> doc) {
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
bool FastParser::parameters(std::vector<ast::Field>& params) {
  return accept(FastTok::LParen) && field_list(params, true, FastTok::RParen) && accept(FastTok::RParen);
}

// toolDecl : doc? 'tool' targetName '(' paramList? ')' ('read' | 'write')? ';'
bool FastParser::tool(std::size_t keyword, std::optional<ast::Doc> doc) {
  ast::ToolDecl decl;
  ++pos_;
  if (!target_name(decl.name) || !parameters(decl.params)) return false;
  if (accept(FastTok::KwRead)) decl.action = ast::Action::Read;
  else if (accept(FastTok::KwWrite)) decl.action = ast::Action::Write;
  if (!accept(FastTok::Semicolon)) return false;
  return add(std::move(decl), keyword, std::move(doc), file_.tools);
}

// resourceDecl : doc? 'resource' targetName STRING ';'
bool FastParser::resource(std::size_t keyword, std::optional<ast::Doc> doc) {
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
bool FastParser::prompt(std::size_t keyword, std::optional<ast::Doc> doc) {
  ast::PromptDecl decl;
  ++pos_;
  if (!target_name(decl.name) || !parameters(decl.params) || !accept(FastTok::Semicolon)) return false;
  return add(std::move(decl), keyword, std::move(doc), file_.prompts);
}

// target : 'read' | 'write' | targetName
bool FastParser::target(ast::Target& out) {
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
bool FastParser::target_list(std::vector<ast::Target>& targets) {
  do {
    ast::Target t;
    if (!target(t)) return false;
    targets.push_back(std::move(t));
  } while (accept(FastTok::Comma));
  return true;
}

// groupDecl : doc? 'group' name '=' targetList ';'
bool FastParser::group(std::size_t keyword, std::optional<ast::Doc> doc) {
  ast::GroupDecl decl;
  ++pos_;
  if (!name(decl.name) || !accept(FastTok::Assign) || !target_list(decl.members) || !accept(FastTok::Semicolon)) {
    return false;
  }
  return add(std::move(decl), keyword, std::move(doc), file_.groups);
}

// obligationDecl : doc? 'obligation' name '(' paramList? ')' ';'
bool FastParser::obligation(std::size_t keyword, std::optional<ast::Doc> doc) {
  ast::ObligationDecl decl;
  ++pos_;
  if (!name(decl.name) || !parameters(decl.params) || !accept(FastTok::Semicolon)) return false;
  return add(std::move(decl), keyword, std::move(doc), file_.obligations);
}

// Whether a `subjectList 'may'` starts here: subjects and targets share
// names, so (as ANTLR's prediction does) look for the `may` after the list.
bool FastParser::subjects_ahead() const {
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
bool FastParser::subject(ast::Subject& out) {
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
bool FastParser::rule(std::size_t keyword, std::optional<ast::Doc> doc) {
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
bool FastParser::time_bound(std::optional<ast::TimeBound>& out) {
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
bool FastParser::obligation_use(ast::ObligationUse& use) {
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
bool FastParser::grant(std::size_t keyword, std::optional<ast::Doc> doc) {
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
bool FastParser::default_decl(std::size_t keyword) {
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

}  // namespace fast_parse_detail

FastTok fast_token_for_literal(std::string_view literal) { return fast_parse_detail::literal_kind(literal); }

bool fast_parse(const FastParseInput& input, ast::File& out) {
  if (input.decoded == nullptr || input.tokens == nullptr || input.doc_lines == nullptr || input.kinds == nullptr) {
    return false;
  }
  return fast_parse_detail::FastParser(input, out).run();
}

}  // namespace authz
