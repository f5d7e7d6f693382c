// parse_dump.h — renderings that compare the two parse paths of
// compiler/parse.h: every field of an ast::File (spans included; ast::dump
// leaves them out) and every field of a diagnostic, one per line.
//
// Contract: header-only, used by tests/unit/fast_parse_test.cpp and
// fuzz/fuzz_parse.cpp; two Files render equal exactly when every field
// compared by the fast path's contract (compiler/fast_parse.h) is equal.
// parse_one_way() parses a text with or without the fast path and renders
// both the AST and the diagnostics, so the two callers compare the same way.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/parse.h"

namespace authz::test_support {

using authz::ast::Expr;
using authz::ast::File;

class FullDump {
 public:
  std::string of(const File& f) {
    line("file " + std::to_string(f.file) + " header=" + flag(f.has_header) + " module=" + flag(f.is_module) +
         " name=" + text(f.name) + " " + span(f.header_span));
    for (const auto& u : f.uses) {
      line("use " + span(u.span) + " path=" + flag(u.is_path) + " " + text(u.target) + " " + span(u.target_span));
    }
    for (const auto& r : f.records) {
      line("record " + std::to_string(static_cast<int>(r.kind)) + " " + span(r.span) + " " + name(r.name) + " " +
           doc(r.doc));
      fields(r.fields);
    }
    for (const auto& r : f.roles) {
      std::string parents;
      for (const auto& p : r.parents) parents += name(p) + ",";
      line("role " + span(r.span) + " " + name(r.name) + " parents=" + parents + " " + doc(r.doc));
    }
    for (const auto& t : f.tools) {
      line("tool " + span(t.span) + " " + name(t.name) + " action=" +
           (t.action ? std::to_string(static_cast<int>(*t.action)) : "none") + " " + doc(t.doc));
      fields(t.params);
    }
    for (const auto& r : f.resources) {
      line("resource " + span(r.span) + " " + name(r.name) + " uri=" + text(r.uri) + " " + span(r.uri_span) + " " +
           doc(r.doc));
    }
    for (const auto& p : f.prompts) {
      line("prompt " + span(p.span) + " " + name(p.name) + " " + doc(p.doc));
      fields(p.params);
    }
    for (const auto& g : f.groups) {
      line("group " + span(g.span) + " " + name(g.name) + " " + doc(g.doc));
      targets(g.members);
    }
    for (const auto& o : f.obligations) {
      line("obligation " + span(o.span) + " " + name(o.name) + " " + doc(o.doc));
      fields(o.params);
    }
    for (const auto& r : f.rules) {
      line("rule " + span(r.span) + " effect=" + std::to_string(static_cast<int>(r.effect)) + " " + name(r.id) + " " +
           doc(r.doc) + " subjects_given=" + flag(r.subjects_given));
      for (const auto& s : r.subjects) {
        line(" subject " + std::to_string(static_cast<int>(s.kind)) + " " + span(s.span) + " " + text(s.name));
      }
      targets(r.targets);
      line(" when");
      expr(r.when.get(), 2);
      line(" unless");
      expr(r.unless.get(), 2);
      line(" from " + bound(r.from) + " until " + bound(r.until));
      for (const auto& use : r.obligations) {
        line(" with " + span(use.span) + " " + name(use.name));
        for (const auto& a : use.arguments) {
          line("  arg " + span(a.span) + " " + name(a.name));
          expr(a.value.get(), 3);
        }
      }
    }
    for (const auto& g : f.grants) {
      line("grant " + span(g.span) + " " + name(g.id) + " " + doc(g.doc) + " user=" + text(g.user) + " " +
           span(g.user_span) + " from " + bound(g.from) + " until " + bound(g.until) +
           " because=" + (g.because ? text(*g.because) : "none") + " " + span(g.because_span));
      targets(g.targets);
    }
    for (const auto& d : f.defaults) line("default " + span(d.span) + " " + std::to_string(static_cast<int>(d.effect)));
    return out_;
  }

 private:
  void line(const std::string& s) { out_ += s + "\n"; }
  static std::string flag(bool b) { return b ? "1" : "0"; }
  static std::string text(const std::string& s) { return "<" + s + ">"; }
  static std::string span(const authz::Span& s) {
    return "@" + std::to_string(s.file) + ":" + std::to_string(s.begin) + "-" + std::to_string(s.end);
  }
  static std::string name(const authz::ast::Name& n) { return text(n.text) + span(n.span); }
  static std::string doc(const std::optional<authz::ast::Doc>& d) {
    return d ? "doc" + span(d->span) + text(d->text) : "nodoc";
  }
  static std::string bound(const std::optional<authz::ast::TimeBound>& b) {
    return b ? std::to_string(b->millis) + span(b->span) : "none";
  }
  void type(const authz::ast::TypeRef& t, int indent) {
    line(std::string(indent, ' ') + "type " + span(t.span) + " " + name(t.name) + " optional=" + flag(t.optional));
    for (const auto& a : t.arguments) type(a, indent + 1);
  }
  void fields(const std::vector<authz::ast::Field>& list) {
    for (const auto& f : list) {
      line(" field " + span(f.span) + " " + name(f.name) + " doc=" + text(f.doc) + " sensitive=" + flag(f.sensitive));
      type(f.type, 2);
    }
  }
  void targets(const std::vector<authz::ast::Target>& list) {
    for (const auto& t : list) {
      line(" target " + std::to_string(static_cast<int>(t.kind)) + " " + span(t.span) + " " + text(t.name));
    }
  }
  void expr(const Expr* e, int indent) {
    if (e == nullptr) {
      line(std::string(indent, ' ') + "null");
      return;
    }
    line(std::string(indent, ' ') + "expr " + std::to_string(static_cast<int>(e->kind)) + " " + span(e->span) +
         " op=" + std::to_string(static_cast<int>(e->op)) + " bool=" + flag(e->bool_value) +
         " int=" + std::to_string(e->int_value) + " text=" + text(e->text) + " " + span(e->text_span) +
         " typed=" + flag(e->type != nullptr) + " children=" + std::to_string(e->children.size()));
    for (const auto& c : e->children) expr(c.get(), indent + 1);
  }

  std::string out_;
};

inline std::string full_dump(const File& file) { return FullDump().of(file); }

inline std::string render(const std::vector<authz::Diagnostic>& diagnostics) {
  std::ostringstream out;
  for (const auto& d : diagnostics) {
    out << static_cast<int>(d.code) << " " << static_cast<int>(d.severity) << " @" << d.span.file << ":"
        << d.span.begin << "-" << d.span.end << " " << d.message << " | help: " << d.help << "\n";
    for (const auto& n : d.notes) {
      out << "  note @" << n.span.file << ":" << n.span.begin << "-" << n.span.end << " " << n.message << "\n";
    }
  }
  return out.str();
}

// The first line where two renderings differ, for the failure message.
inline std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream left(a), right(b);
  std::string l, r;
  for (int n = 1;; ++n) {
    const bool more_l = static_cast<bool>(std::getline(left, l));
    const bool more_r = static_cast<bool>(std::getline(right, r));
    if (!more_l && !more_r) return "(none)";
    if (!more_l || !more_r || l != r) return "line " + std::to_string(n) + ":\n  ANTLR: " + l + "\n  fast:  " + r;
  }
}


// One parse of `text` (as the second file of a SourceManager, so a span built
// with the wrong file id shows), rendered for comparison.
struct Parsed {
  bool built = false;  // parse_file returned a File
  std::string ast;
  std::string diagnostics;
  bool errors = false;  // warnings (W0003) do not keep a file off the fast path
  bool fast = false;    // the fast path built the File
};

inline Parsed parse_one_way(const std::string& text, bool fast_path) {
  authz::SourceManager sources;
  sources.add("other.authz", "policy other;\n");
  const authz::FileId id = sources.add("subject.authz", text);
  authz::DiagnosticSink sink;
  Parsed out;
  authz::ParseOptions options;
  options.fast_path = fast_path;
  options.used_fast_path = &out.fast;
  const auto file = authz::parse_file(sources, id, sink, options);
  out.built = file != nullptr;
  if (file) out.ast = full_dump(*file);
  out.diagnostics = render(sink.diagnostics());
  out.errors = sink.has_errors();
  return out;
}

}  // namespace authz::test_support
