// parse_tree_decls.cpp — stage 5 of the parse adapter, declarations: walks
// one chunk's parse tree (AstBuilder::build) and builds each declaration,
// its names, spans, doc comments and decoded literals; conditions are handed
// to the expression half (parse_tree_exprs.cpp). See parse_tree_builder.h
// for the contract.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/literals.h"
#include "compiler/parse_tree_builder.h"

namespace authz::parse_detail {

void build_ast(ParseState& state, AuthzParser::File_Context* tree, ast::File& file) {
  AstBuilder(state, file).build(tree);
}

void AstBuilder::build(P::File_Context* tree) {
  if (tree == nullptr) return;
  if (auto* header = tree->header()) {
    file_.has_header = true;
    file_.is_module = header->kind != nullptr && header->kind->getType() == k_.kw_module;
    file_.name = qualified_name(header->qualifiedName());
    file_.header_span = span(header);
  }
  for (P::ItemContext* item : tree->item()) {
    // Dispatch on the one child's rule index: the generated accessors
    // (`item->useDecl()`, ...) each dynamic_cast every child, thirteen
    // times per declaration. Declaration rules have no labelled
    // alternatives, so the static casts are exact.
    if (item == nullptr || item->children.empty()) continue;
    auto* c = dynamic_cast<Ctx*>(item->children.front());
    if (c == nullptr) continue;
    switch (c->getRuleIndex()) {
      case P::RuleUseDecl: use_decl(static_cast<P::UseDeclContext*>(c)); break;
      case P::RulePrincipalDecl: {
        auto* d = static_cast<P::PrincipalDeclContext*>(c);
        record(ast::RecordKind::Principal, d, d->name(), d->fieldList(), d->doc());
        break;
      }
      case P::RuleEntityDecl: {
        auto* d = static_cast<P::EntityDeclContext*>(c);
        record(ast::RecordKind::Entity, d, d->name(), d->fieldList(), d->doc());
        break;
      }
      case P::RuleRecordDecl: {
        auto* d = static_cast<P::RecordDeclContext*>(c);
        record(ast::RecordKind::Record, d, d->name(), d->fieldList(), d->doc());
        break;
      }
      case P::RuleRoleDecl: role(static_cast<P::RoleDeclContext*>(c)); break;
      case P::RuleToolDecl: tool(static_cast<P::ToolDeclContext*>(c)); break;
      case P::RuleResourceDecl: resource(static_cast<P::ResourceDeclContext*>(c)); break;
      case P::RulePromptDecl: prompt(static_cast<P::PromptDeclContext*>(c)); break;
      case P::RuleGroupDecl: group(static_cast<P::GroupDeclContext*>(c)); break;
      case P::RuleObligationDecl: obligation(static_cast<P::ObligationDeclContext*>(c)); break;
      case P::RuleRuleDecl: rule(static_cast<P::RuleDeclContext*>(c)); break;
      case P::RuleGrantDecl: grant(static_cast<P::GrantDeclContext*>(c)); break;
      case P::RuleDefaultDecl: default_decl(static_cast<P::DefaultDeclContext*>(c)); break;
      default: break;
    }
  }
}

Span AstBuilder::span(Ctx* ctx) const {
  if (ctx == nullptr) return state_.at(0, 0);
  const Span start = span(ctx->getStart());
  const Token* stop = ctx->getStop();
  if (stop == nullptr || stop->getStartIndex() == kInvalidIndex || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) {
    return state_.at(start.begin, start.begin);
  }
  return state_.at(start.begin, span(stop).end);
}

// A declaration's span starts at its keyword: its doc comment has its own span.
Span AstBuilder::decl_span(Ctx* ctx) const {
  const Span whole = span(ctx);
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (dynamic_cast<P::DocContext*>(child) != nullptr) continue;
    if (auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
      return state_.at(span(terminal->getSymbol()).begin, whole.end);
    }
    if (auto* rule = dynamic_cast<Ctx*>(child)) return state_.at(span(rule).begin, whole.end);
  }
  return whole;
}

ast::Name AstBuilder::name(P::NameContext* ctx) const {
  if (ctx == nullptr || ctx->IDENT() == nullptr) return {span(ctx), {}};
  const Token* token = ctx->IDENT()->getSymbol();
  return {span(token), text(token)};
}

ast::Name AstBuilder::field_name(P::FieldNameContext* ctx) const {
  if (ctx == nullptr) return {span(ctx), {}};
  const Token* token = ctx->getStart();
  return {span(token), text(token)};
}

// `get_account` or `"get-sum"`: both give the name itself.
ast::Name AstBuilder::target_name(P::TargetNameContext* ctx) {
  if (ctx == nullptr) return {span(ctx), {}};
  if (ctx->STRING() != nullptr) {
    const Token* token = ctx->STRING()->getSymbol();
    return {span(token), string_literal(token)};
  }
  if (ctx->IDENT() != nullptr) return {span(ctx->IDENT()->getSymbol()), text(ctx->IDENT()->getSymbol())};
  return {span(ctx), {}};
}

std::string AstBuilder::qualified_name(P::QualifiedNameContext* ctx) const {
  std::string dotted;
  if (ctx == nullptr) return dotted;
  for (P::NameContext* part : ctx->name()) {
    if (!dotted.empty()) dotted += '.';
    dotted += name(part).text;
  }
  return dotted;
}

std::optional<ast::Doc> AstBuilder::doc(P::DocContext* ctx) const {
  if (ctx == nullptr) return std::nullopt;
  ast::Doc doc;
  doc.span = span(ctx);
  bool first = true;
  for (antlr4::tree::TerminalNode* node : ctx->DOC_COMMENT()) {
    auto lines = state_.doc_lines.find(node->getSymbol()->getStartIndex());
    if (lines == state_.doc_lines.end()) continue;
    append_doc_lines(state_.bytes, lines->second, doc.text, first);
  }
  return doc;
}

// Reports the problems a literal decoder found in `token`.
void AstBuilder::report(const Token* token, const std::vector<LiteralProblem>& problems) {
  const Span whole = span(token);
  for (const LiteralProblem& p : problems) {
    state_.sink.report(p.code, state_.at(whole.begin + p.begin, whole.begin + p.end), p.message, p.help);
  }
}

// Decodes `token`'s text with `decode` (a decoder of compiler/literals.h,
// called as `decode(text, value, &problems)`) and reports its problems.
template <typename Value, typename Decode>
Value AstBuilder::decode_literal(const Token* token, Decode decode) {
  Value value{};
  std::vector<LiteralProblem> problems;
  decode(state_.text_of(token), value, &problems);
  report(token, problems);
  return value;
}

std::string AstBuilder::string_literal(const Token* token) {
  const bool unterminated = state_.unterminated_strings.count(token->getStartIndex()) != 0;
  return decode_literal<std::string>(
      token, [unterminated](std::string_view raw, std::string& out, std::vector<LiteralProblem>* problems) {
        return decode_string_literal(raw, unterminated, out, problems);
      });
}

std::int64_t AstBuilder::int_literal(const Token* token) {
  return decode_literal<std::int64_t>(token, decode_int_literal);
}

std::int64_t AstBuilder::duration_literal(const Token* token) {
  return decode_literal<std::int64_t>(token, decode_duration_literal);
}

std::int64_t AstBuilder::timestamp_literal(const Token* token) {
  return decode_literal<std::int64_t>(token, decode_timestamp_literal);
}

ast::TimeBound AstBuilder::time_bound(antlr4::tree::TerminalNode* timestamp, Ctx* clause) {
  if (timestamp == nullptr) return {span(clause), 0};
  return {span(timestamp->getSymbol()), timestamp_literal(timestamp->getSymbol())};
}

// Ends a documented declaration: its span (from its keyword: the doc has its
// own span) and its doc, then appends it to `into`.
template <typename Decl>
void AstBuilder::add(Decl decl, Ctx* c, P::DocContext* doc_ctx, std::vector<Decl>& into) {
  decl.span = decl_span(c);
  decl.doc = doc(doc_ctx);
  into.push_back(std::move(decl));
}

void AstBuilder::use_decl(P::UseDeclContext* c) {
  ast::UseDecl use;
  use.span = decl_span(c);
  if (c->STRING() != nullptr) {
    use.is_path = true;
    use.target = string_literal(c->STRING()->getSymbol());
    use.target_span = span(c->STRING()->getSymbol());
  } else {
    use.target = qualified_name(c->qualifiedName());
    use.target_span = span(c->qualifiedName());
  }
  file_.uses.push_back(std::move(use));
}

ast::TypeRef AstBuilder::type_ref(P::TypeContext* c, int depth) {
  ast::TypeRef type;
  type.span = span(c);
  if (auto* generic = dynamic_cast<P::GenericTypeContext*>(c)) {
    type.name = name(generic->name());
    type.optional = generic->optional != nullptr;
    if (depth < ast::kMaxNesting) {  // the pre-scan already refused deeper types
      for (P::TypeContext* argument : generic->type()) type.arguments.push_back(type_ref(argument, depth + 1));
    }
  } else if (auto* named = dynamic_cast<P::NamedTypeContext*>(c)) {
    type.name = name(named->name());
    type.optional = named->optional != nullptr;
  }
  return type;
}

ast::Field AstBuilder::field(Ctx* whole, P::DocContext* doc_ctx, P::FieldNameContext* name_ctx,
                             P::TypeContext* type_ctx, const Token* sensitive) {
  ast::Field field;
  field.span = decl_span(whole);
  field.name = field_name(name_ctx);
  field.type = type_ref(type_ctx, 1);
  if (auto parsed = doc(doc_ctx)) field.doc = std::move(parsed->text);
  field.sensitive = sensitive != nullptr;
  return field;
}

std::vector<ast::Field> AstBuilder::params(P::ParamListContext* c) {
  std::vector<ast::Field> fields;
  if (c == nullptr) return fields;
  for (P::ParamContext* p : c->param()) fields.push_back(field(p, p->doc(), p->fieldName(), p->type(), p->sensitive));
  return fields;
}

void AstBuilder::record(ast::RecordKind kind, Ctx* c, P::NameContext* name_ctx, P::FieldListContext* fields,
                        P::DocContext* doc_ctx) {
  ast::RecordDecl decl;
  decl.kind = kind;
  decl.name = name(name_ctx);
  if (fields != nullptr) {
    for (P::FieldContext* f : fields->field()) decl.fields.push_back(field(f, f->doc(), f->fieldName(), f->type(), nullptr));
  }
  add(std::move(decl), c, doc_ctx, file_.records);
}

void AstBuilder::role(P::RoleDeclContext* c) {
  ast::RoleDecl decl;
  const std::vector<P::NameContext*> names = c->name();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i == 0) decl.name = name(names[i]);
    else decl.parents.push_back(name(names[i]));
  }
  add(std::move(decl), c, c->doc(), file_.roles);
}

void AstBuilder::tool(P::ToolDeclContext* c) {
  ast::ToolDecl decl;
  decl.name = target_name(c->targetName());
  decl.params = params(c->paramList());
  if (c->action != nullptr) {
    decl.action = state_.text_of(c->action) == "write" ? ast::Action::Write : ast::Action::Read;
  }
  add(std::move(decl), c, c->doc(), file_.tools);
}

void AstBuilder::resource(P::ResourceDeclContext* c) {
  ast::ResourceDecl decl;
  decl.name = target_name(c->targetName());
  if (c->STRING() != nullptr) {
    decl.uri = string_literal(c->STRING()->getSymbol());
    decl.uri_span = span(c->STRING()->getSymbol());
  }
  add(std::move(decl), c, c->doc(), file_.resources);
}

void AstBuilder::prompt(P::PromptDeclContext* c) {
  ast::PromptDecl decl;
  decl.name = target_name(c->targetName());
  decl.params = params(c->paramList());
  add(std::move(decl), c, c->doc(), file_.prompts);
}

std::vector<ast::Target> AstBuilder::targets(P::TargetListContext* c) {
  std::vector<ast::Target> list;
  if (c == nullptr) return list;
  for (P::TargetContext* t : c->target()) {
    ast::Target target;
    target.span = span(t);
    if (dynamic_cast<P::ReadTargetContext*>(t) != nullptr) {
      target.kind = ast::Target::Kind::AllRead;
    } else if (dynamic_cast<P::WriteTargetContext*>(t) != nullptr) {
      target.kind = ast::Target::Kind::AllWrite;
    } else if (auto* named = dynamic_cast<P::NamedTargetContext*>(t)) {
      target.name = target_name(named->targetName()).text;
    } else {
      continue;
    }
    list.push_back(std::move(target));
  }
  return list;
}

void AstBuilder::group(P::GroupDeclContext* c) {
  ast::GroupDecl decl;
  decl.name = name(c->name());
  decl.members = targets(c->targetList());
  add(std::move(decl), c, c->doc(), file_.groups);
}

void AstBuilder::obligation(P::ObligationDeclContext* c) {
  ast::ObligationDecl decl;
  decl.name = name(c->name());
  decl.params = params(c->paramList());
  add(std::move(decl), c, c->doc(), file_.obligations);
}

// First occurrence of a clause: remember where. A second one: E0411 with a
// note at the first, and the caller ignores it.
bool AstBuilder::first_clause(std::optional<Span>& first, const Token* keyword, const std::string& owner,
                              const std::string& help) {
  const Span here = span(keyword);
  if (!first) {
    first = here;
    return true;
  }
  const std::string word = text(keyword);
  Diagnostic& d = state_.sink.report(DiagCode::DuplicateClause, here,
                                     "duplicate `" + word + "` clause in " + owner, help);
  d.notes.push_back({*first, "the first `" + word + "` is here"});
  return false;
}

// A `from` / `until` clause of a rule or grant (`owner_kind`): its bound,
// unless the clause repeats (E0411).
void AstBuilder::window_clause(std::optional<Span>& first, std::optional<ast::TimeBound>& bound, Ctx* clause,
                               antlr4::tree::TerminalNode* timestamp, const std::string& owner,
                               std::string_view owner_kind) {
  const std::string help =
      "a " + std::string(owner_kind) + " has one validity window: one `from` and one `until`";
  if (first_clause(first, clause->getStart(), owner, help)) bound = time_bound(timestamp, clause);
}

// subjectList : subject (',' subject)*   — subject : 'anyone' | 'user' STRING | name
std::vector<ast::Subject> AstBuilder::subject_list(P::SubjectListContext* c) {
  std::vector<ast::Subject> list;
  for (P::SubjectContext* s : c->subject()) {
    ast::Subject subject;
    subject.span = span(s);
    if (dynamic_cast<P::AnyoneSubjectContext*>(s) != nullptr) {
      subject.kind = ast::Subject::Kind::Anyone;
    } else if (auto* user = dynamic_cast<P::UserSubjectContext*>(s)) {
      subject.kind = ast::Subject::Kind::User;
      if (user->STRING() != nullptr) subject.name = string_literal(user->STRING()->getSymbol());
    } else if (auto* role = dynamic_cast<P::RoleSubjectContext*>(s)) {
      subject.kind = ast::Subject::Kind::Role;
      subject.name = name(role->name()).text;
    } else {
      continue;
    }
    list.push_back(std::move(subject));
  }
  return list;
}

void AstBuilder::rule(P::RuleDeclContext* c) {
  ast::RuleDecl decl;
  decl.effect = c->effect != nullptr && c->effect->getType() == k_.kw_deny ? ast::Effect::Deny : ast::Effect::Allow;
  decl.id = name(c->name());
  if (auto* subjects = c->subjectList()) {
    decl.subjects_given = true;
    decl.subjects = subject_list(subjects);
  }
  decl.targets = targets(c->targetList());
  const std::string owner = "rule `" + decl.id.text + "`";
  std::optional<Span> when, unless, from, until, with;
  for (P::RuleClauseContext* clause : c->ruleClause()) {
    const Token* keyword = clause->getStart();
    if (auto* w = dynamic_cast<P::WhenClauseContext*>(clause)) {
      if (first_clause(when, keyword, owner, "join the conditions with `&&`: `when a && b`")) {
        decl.when = expr(w->expr());
      }
    } else if (auto* u = dynamic_cast<P::UnlessClauseContext*>(clause)) {
      if (first_clause(unless, keyword, owner, "join the conditions with `||`: `unless a || b`")) {
        decl.unless = expr(u->expr());
      }
    } else if (auto* f = dynamic_cast<P::FromClauseContext*>(clause)) {
      window_clause(from, decl.from, f, f->TIMESTAMP(), owner, "rule");
    } else if (auto* t = dynamic_cast<P::UntilClauseContext*>(clause)) {
      window_clause(until, decl.until, t, t->TIMESTAMP(), owner, "rule");
    } else if (auto* o = dynamic_cast<P::WithClauseContext*>(clause)) {
      if (first_clause(with, keyword, owner, "list every obligation in one `with`, separated by commas")) {
        for (P::ObligationUseContext* use : o->obligationUse()) decl.obligations.push_back(obligation_use(use));
      }
    }
  }
  add(std::move(decl), c, c->doc(), file_.rules);
}

ast::ObligationUse AstBuilder::obligation_use(P::ObligationUseContext* c) {
  ast::ObligationUse use;
  use.span = span(c);
  use.name = name(c->name());
  for (P::NamedArgContext* a : c->namedArg()) {
    ast::NamedArgument argument;
    argument.span = span(a);
    argument.name = field_name(a->fieldName());
    argument.value = expr(a->expr());
    use.arguments.push_back(std::move(argument));
  }
  return use;
}

void AstBuilder::grant(P::GrantDeclContext* c) {
  ast::GrantDecl decl;
  decl.id = name(c->name());
  if (c->STRING() != nullptr) {
    decl.user = string_literal(c->STRING()->getSymbol());
    decl.user_span = span(c->STRING()->getSymbol());
  }
  decl.targets = targets(c->targetList());
  const std::string owner = "grant `" + decl.id.text + "`";
  std::optional<Span> from, until, because;
  for (P::GrantClauseContext* clause : c->grantClause()) {
    const Token* keyword = clause->getStart();
    if (auto* f = dynamic_cast<P::GrantFromContext*>(clause)) {
      window_clause(from, decl.from, f, f->TIMESTAMP(), owner, "grant");
    } else if (auto* t = dynamic_cast<P::GrantUntilContext*>(clause)) {
      window_clause(until, decl.until, t, t->TIMESTAMP(), owner, "grant");
    } else if (auto* b = dynamic_cast<P::GrantBecauseContext*>(clause)) {
      if (first_clause(because, keyword, owner, "give one reason; put everything into one string")) {
        if (b->STRING() != nullptr) {
          decl.because = string_literal(b->STRING()->getSymbol());
          decl.because_span = span(b->STRING()->getSymbol());
        } else {
          decl.because = std::string();
          decl.because_span = span(b);
        }
      }
    }
  }
  add(std::move(decl), c, c->doc(), file_.grants);
}

void AstBuilder::default_decl(P::DefaultDeclContext* c) {
  ast::DefaultDecl decl;
  decl.span = decl_span(c);
  decl.effect = c->effectWord != nullptr && c->effectWord->getType() == k_.kw_allow ? ast::Effect::Allow
                                                                                     : ast::Effect::Deny;
  file_.defaults.push_back(decl);
}

}  // namespace authz::parse_detail
