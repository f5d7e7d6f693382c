// ast_dump.cpp — ast::dump and ast::to_string(BinaryOp).
//
// Contract: dump gives a canonical, span-free, deterministic text of a tree,
// for golden tests and for reviewers. It reads as the language itself and
// parses back to an equal tree: declarations in a fixed order of kinds (uses,
// records, roles, tools, resources, prompts, groups, obligations, rules,
// grants, defaults), each kind in source order; doc comments as `///` lines;
// every compound expression in parentheses, e.g.
// `(args.account.owner == user.id)`; literals in one canonical form (strings
// re-escaped, timestamps in UTC as `2026-01-01T00:00:00Z`, durations as
// `1d2h3m4s5ms` with zero parts left out). Names that are not plain
// identifiers (`"get-sum"`) are quoted.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "compiler/ast.h"
#include "runtime/internal/json_string.h"
#include "runtime/internal/time_text.h"

namespace authz::ast {

const char* to_string(BinaryOp op) {
  switch (op) {
#define AUTHZ_BINARY_OPCODE(Name, number, spelling, operands, variadic, bool_result, precedence) \
  case BinaryOp::Name: return spelling;
#include "runtime/opcodes.def"
  }
  return "?";
}

std::optional<BinaryOp> binary_op_spelled(std::string_view text) {
#define AUTHZ_BINARY_OPCODE(Name, number, spelling, operands, variadic, bool_result, precedence) \
  if (text == spelling) return BinaryOp::Name;
#include "runtime/opcodes.def"
  return std::nullopt;
}

namespace {

// The language's keywords (grammar/Authz.g4): a name spelled like one must be
// quoted where quoting is allowed.
bool is_keyword(std::string_view word) {
  static const std::unordered_set<std::string_view> kKeywords = {
#define AUTHZ_KEYWORD(Name, spelling) spelling,
#include "compiler/keywords.def"
  };
  return kKeywords.count(word) != 0;
}

bool is_identifier(std::string_view word) {
  if (word.empty()) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(word[0])) return false;
  for (char c : word) {
    if (!letter(c) && !(c >= '0' && c <= '9')) return false;
  }
  return !is_keyword(word);
}

std::string string_literal(std::string_view text) {
  return runtime::internal::json_string(text, runtime::internal::kLanguageLiteral);
}

// A tool / resource / prompt / target name: bare when it can be, else quoted.
std::string target_name(std::string_view name) {
  return is_identifier(name) ? std::string(name) : string_literal(name);
}

// Timestamps as the runtime writes them (runtime/internal/time_text.h); durations too,
// except that zero is `0s` here (the dump's spelling since it began) where the
// runtime writes `0ms`.
std::string timestamp(std::int64_t millis) { return runtime::format_timestamp(millis); }
std::string duration(std::int64_t millis) { return millis == 0 ? "0s" : runtime::format_duration(millis); }

void expr(std::string& out, const Expr& e) {
  auto children = [&](const char* separator) {
    for (std::size_t i = 0; i < e.children.size(); ++i) {
      if (i > 0) out += separator;
      if (e.children[i]) expr(out, *e.children[i]);
    }
  };
  auto child = [&](std::size_t i) {
    if (i < e.children.size() && e.children[i]) expr(out, *e.children[i]);
  };
  switch (e.kind) {
    case ExprKind::Bool: out += e.bool_value ? "true" : "false"; break;
    case ExprKind::Int: out += std::to_string(e.int_value); break;
    case ExprKind::String: out += string_literal(e.text); break;
    case ExprKind::Timestamp: out += timestamp(e.int_value); break;
    case ExprKind::Duration: out += duration(e.int_value); break;
    case ExprKind::Now: out += "now"; break;
    case ExprKind::User: out += "user"; break;
    case ExprKind::Args: out += "args"; break;
    case ExprKind::List: out += "["; children(", "); out += "]"; break;
    case ExprKind::Name: out += e.text; break;
    case ExprKind::Member: child(0); out += "." + e.text; break;
    case ExprKind::Has: out += "("; child(0); out += " has " + e.text + ")"; break;
    case ExprKind::Is: out += "("; child(0); out += " is " + e.text + ")"; break;
    case ExprKind::Not: out += "(!"; child(0); out += ")"; break;
    case ExprKind::Negate: out += "(-"; child(0); out += ")"; break;
    case ExprKind::Binary:
      out += "(";
      child(0);
      out += std::string(" ") + to_string(e.op) + " ";
      child(1);
      out += ")";
      break;
    case ExprKind::And: out += "("; children(" && "); out += ")"; break;
    case ExprKind::Or: out += "("; children(" || "); out += ")"; break;
    case ExprKind::All:
    case ExprKind::Any:
      out += e.kind == ExprKind::All ? "all(" : "any(";
      out += e.text + " in ";
      child(0);
      out += ": ";
      child(1);
      out += ")";
      break;
  }
}

void doc(std::string& out, const std::string& text, const char* indent) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find('\n', start);
    const std::string_view line = std::string_view(text).substr(start, end == std::string::npos ? end : end - start);
    out += indent;
    out += line.empty() ? "///" : "/// ";
    out += line;
    out += '\n';
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

void doc(std::string& out, const std::optional<Doc>& d) {
  if (d) doc(out, d->text, "");
}

void type(std::string& out, const TypeRef& t) {
  out += t.name.text;
  if (!t.arguments.empty()) {
    out += "<";
    for (std::size_t i = 0; i < t.arguments.size(); ++i) {
      if (i > 0) out += ", ";
      type(out, t.arguments[i]);
    }
    out += ">";
  }
  if (t.optional) out += "?";
}

void field(std::string& out, const Field& f) {
  out += f.name.text + ": ";
  type(out, f.type);
  if (f.sensitive) out += " sensitive";
}

// `(a: Int, b: String?)` on one line, or one parameter per line when any has a doc.
void params(std::string& out, const std::vector<Field>& fields) {
  bool documented = false;
  for (const Field& f : fields) documented |= !f.doc.empty();
  out += "(";
  if (documented) {
    out += "\n";
    for (const Field& f : fields) {
      if (!f.doc.empty()) doc(out, f.doc, "  ");
      out += "  ";
      field(out, f);
      out += ",\n";
    }
  } else {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ", ";
      field(out, fields[i]);
    }
  }
  out += ")";
}

void targets(std::string& out, const std::vector<Target>& list) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ", ";
    switch (list[i].kind) {
      case Target::Kind::AllRead: out += "read"; break;
      case Target::Kind::AllWrite: out += "write"; break;
      case Target::Kind::Named: out += target_name(list[i].name); break;
    }
  }
}

const char* record_keyword(RecordKind kind) {
  switch (kind) {
    case RecordKind::Principal: return "principal";
    case RecordKind::Entity: return "entity";
    case RecordKind::Record: return "record";
  }
  return "record";
}

void rule(std::string& out, const RuleDecl& r) {
  doc(out, r.doc);
  out += r.effect == Effect::Allow ? "allow " : "deny ";
  out += r.id.text + ": ";
  if (r.subjects_given) {
    for (std::size_t i = 0; i < r.subjects.size(); ++i) {
      if (i > 0) out += ", ";
      const Subject& s = r.subjects[i];
      switch (s.kind) {
        case Subject::Kind::Anyone: out += "anyone"; break;
        case Subject::Kind::User: out += "user " + string_literal(s.name); break;
        case Subject::Kind::Role: out += s.name; break;
      }
    }
    out += " may ";
  }
  targets(out, r.targets);
  if (r.when) out += "\n  when ", expr(out, *r.when);
  if (r.unless) out += "\n  unless ", expr(out, *r.unless);
  if (r.from) out += "\n  from " + timestamp(r.from->millis);
  if (r.until) out += "\n  until " + timestamp(r.until->millis);
  if (!r.obligations.empty()) {
    out += "\n  with ";
    for (std::size_t i = 0; i < r.obligations.size(); ++i) {
      const ObligationUse& use = r.obligations[i];
      if (i > 0) out += ", ";
      out += use.name.text + "(";
      for (std::size_t j = 0; j < use.arguments.size(); ++j) {
        if (j > 0) out += ", ";
        out += use.arguments[j].name.text + ": ";
        if (use.arguments[j].value) expr(out, *use.arguments[j].value);
      }
      out += ")";
    }
  }
  out += ";\n";
}

void grant(std::string& out, const GrantDecl& g) {
  doc(out, g.doc);
  out += "grant " + g.id.text + ": user " + string_literal(g.user) + " may ";
  targets(out, g.targets);
  if (g.from) out += "\n  from " + timestamp(g.from->millis);
  if (g.until) out += "\n  until " + timestamp(g.until->millis);
  if (g.because) out += "\n  because " + string_literal(*g.because);
  out += ";\n";
}

}  // namespace

std::string dump(const Expr& e) {
  std::string out;
  expr(out, e);
  return out;
}

std::string dump(const File& file) {
  std::string out;
  if (file.has_header) out += std::string(file.is_module ? "module " : "policy ") + file.name + ";\n";
  for (const UseDecl& use : file.uses) out += "use " + (use.is_path ? string_literal(use.target) : use.target) + ";\n";
  for (const RecordDecl& r : file.records) {
    doc(out, r.doc);
    out += std::string(record_keyword(r.kind)) + " " + r.name.text + " {";
    if (!r.fields.empty()) out += "\n";
    for (const Field& f : r.fields) {
      if (!f.doc.empty()) doc(out, f.doc, "  ");
      out += "  ";
      field(out, f);
      out += ",\n";
    }
    out += "}\n";
  }
  for (const RoleDecl& r : file.roles) {
    doc(out, r.doc);
    out += "role " + r.name.text;
    for (std::size_t i = 0; i < r.parents.size(); ++i) out += (i == 0 ? " : " : ", ") + r.parents[i].text;
    out += ";\n";
  }
  for (const ToolDecl& t : file.tools) {
    doc(out, t.doc);
    out += "tool " + target_name(t.name.text);
    params(out, t.params);
    if (t.action) out += *t.action == Action::Read ? " read" : " write";
    out += ";\n";
  }
  for (const ResourceDecl& r : file.resources) {
    doc(out, r.doc);
    out += "resource " + target_name(r.name.text) + " " + string_literal(r.uri) + ";\n";
  }
  for (const PromptDecl& p : file.prompts) {
    doc(out, p.doc);
    out += "prompt " + target_name(p.name.text);
    params(out, p.params);
    out += ";\n";
  }
  for (const GroupDecl& g : file.groups) {
    doc(out, g.doc);
    out += "group " + g.name.text + " = ";
    targets(out, g.members);
    out += ";\n";
  }
  for (const ObligationDecl& o : file.obligations) {
    doc(out, o.doc);
    out += "obligation " + o.name.text;
    params(out, o.params);
    out += ";\n";
  }
  for (const RuleDecl& r : file.rules) rule(out, r);
  for (const GrantDecl& g : file.grants) grant(out, g);
  for (const DefaultDecl& d : file.defaults) out += d.effect == Effect::Allow ? "default allow;\n" : "default deny;\n";
  return out;
}

}  // namespace authz::ast
