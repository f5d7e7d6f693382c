// html_doc.cpp — render_html (permission_doc.h): the permission model as one
// self-contained HTML page. No scripts, no external assets, no URLs; every
// piece of policy text goes through escape(). Cells carry data-subject /
// data-target / data-kind attributes so tests (and people with devtools) can
// find them without parsing prose.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "compiler/html_text.h"
#include "compiler/permission_doc/access_matrix.h"
#include "compiler/permission_doc/doc_facts.h"
#include "compiler/permission_doc/document_outline.h"
#include "compiler/permission_doc/permission_doc.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/value_text.h"

namespace authz::permission_doc {
namespace {

using runtime::Model;

std::string escape(std::string_view text) { return html_escape(text); }

std::string code(std::string_view text) { return "<code>" + escape(text) + "</code>"; }

// A doc comment: escaped, paragraphs on blank lines, `code` spans kept (an
// unmatched backtick closes at the end of its paragraph).
std::string doc_html(std::string_view doc) {
  std::vector<std::string> paragraphs(1);
  for (std::string_view line : doc_lines(doc)) {
    if (line.empty()) {
      if (!paragraphs.back().empty()) paragraphs.emplace_back();
    } else {
      if (!paragraphs.back().empty()) paragraphs.back() += ' ';
      paragraphs.back() += line;
    }
  }
  std::string out;
  for (const std::string& paragraph : paragraphs) {
    if (paragraph.empty()) continue;
    out += "<p>";
    bool in_code = false;
    for (char c : paragraph) {
      if (c == '`') {
        out += in_code ? "</code>" : "<code>";
        in_code = !in_code;
      } else {
        out += escape(std::string_view(&c, 1));
      }
    }
    if (in_code) out += "</code>";
    out += "</p>";
  }
  return out;
}

std::string rule_anchor(const CellEntry& entry) {
  return fmt::format("{}-{}", entry.is_grant ? "grant" : "rule", entry.index);
}

std::string entry_html(const Model& model, const CellEntry& entry, bool deny) {
  std::string html = fmt::format("<div class=\"entry{}\"><a href=\"#{}\">{}{}</a>", deny ? " deny" : "",
                                 rule_anchor(entry), entry.is_grant ? "grant " : "", escape(entry.id));
  std::string condition = condition_text(model, entry);
  if (!condition.empty()) html += " " + code(condition);
  std::string window = window_text(entry.window);
  if (!window.empty()) html += " <span class=\"window\">" + escape(window) + "</span>";
  for (const std::string& obligation : obligation_texts(model, entry, deny)) {
    html += " <span class=\"obligation\">with " + escape(obligation) + "</span>";
  }
  return html + "</div>";
}

std::string cell_html(const Model& model, const MatrixSubject& subject, const runtime::Target& target,
                      const MatrixCell& cell) {
  std::string kind = to_string(cell.kind);
  std::replace(kind.begin(), kind.end(), ' ', '-');
  std::string html = fmt::format("<td class=\"cell {}\" data-subject=\"{}:{}\" data-target=\"{}\" data-kind=\"{}\">", kind,
                                 subject.kind == MatrixSubject::Kind::Role ? "role" : "user", escape(subject.name),
                                 escape(target.name), kind);
  switch (cell.kind) {
    case CellKind::Allowed:
      html += "<div class=\"verdict\">allowed</div>";
      for (const CellEntry& entry : cell.allows) {
        if (entry.unconditional()) html += entry_html(model, entry, false);
      }
      break;
    case CellKind::Conditional:
      html += "<div class=\"verdict\">allowed when</div>";
      for (const CellEntry& entry : cell.allows) html += entry_html(model, entry, false);
      if (!cell.denies.empty()) html += "<div class=\"except\">unless denied by</div>";
      for (const CellEntry& entry : cell.denies) html += entry_html(model, entry, true);
      break;
    case CellKind::Denied:
      html += "<div class=\"verdict\">denied by</div>";
      for (const CellEntry& entry : cell.denies) {
        if (entry.unconditional()) html += entry_html(model, entry, true);
      }
      break;
    case CellKind::NotPermitted: html += "<div class=\"verdict\">not permitted</div>"; break;
  }
  return html + "</td>";
}

constexpr std::string_view kStyle = R"css(
:root{--ink:#1d2330;--muted:#5b6475;--line:#dfe3ea;--paper:#fff;--bg:#f5f7fa;--accent:#3554d1;
--ok:#e6f6ec;--ok-ink:#17663a;--when:#fff6dc;--when-ink:#7a5300;--no:#fde8e8;--no-ink:#a11d1d;--none:#f1f2f5;--none-ink:#6b7280}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1400px;margin:0 auto;padding:32px 28px 64px}
header.top{background:linear-gradient(135deg,#23305e,#3554d1);color:#fff;padding:32px 28px}
header.top .inner{max-width:1400px;margin:0 auto}
header.top h1{margin:0 0 6px;font-size:28px;font-weight:650;letter-spacing:-.01em}
header.top p{margin:0;opacity:.85}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}
.stat{background:rgba(255,255,255,.14);border-radius:10px;padding:6px 12px;font-size:13px}
.stat b{font-size:17px;margin-right:4px}
nav.toc{margin:0 0 24px;display:flex;flex-wrap:wrap;gap:8px}
nav.toc a{background:var(--paper);border:1px solid var(--line);border-radius:999px;padding:4px 12px;color:var(--accent);text-decoration:none;font-size:14px}
h2{font-size:21px;margin:40px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}
h3{font-size:16px;margin:0}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:.88em;background:rgba(53,84,209,.07);border-radius:4px;padding:1px 4px;overflow-wrap:anywhere}
a{color:var(--accent)}
.note{color:var(--muted);margin:6px 0 14px}
.legend{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 14px}
.chip{border-radius:999px;padding:3px 12px;font-size:13px;font-weight:600}
.chip.allowed{background:var(--ok);color:var(--ok-ink)}.chip.conditional{background:var(--when);color:var(--when-ink)}
.chip.denied{background:var(--no);color:var(--no-ink)}.chip.not-permitted{background:var(--none);color:var(--none-ink)}
.scroll{overflow-x:auto;background:var(--paper);border:1px solid var(--line);border-radius:12px;box-shadow:0 1px 2px rgba(16,24,40,.05)}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:10px 12px;text-align:left;vertical-align:top}
table.matrix th{background:#fafbfd;font-size:13px}
table.matrix thead th{position:sticky;top:0;white-space:nowrap}
table.matrix th.who{min-width:150px;background:#fafbfd;position:sticky;left:0}
.kind{display:block;font-weight:400;color:var(--muted);font-size:12px}
.tag{display:inline-block;font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;border-radius:4px;padding:0 6px;margin-right:6px;background:#e8ecf8;color:#3a4a86}
.tag.user{background:#f3e8fb;color:#6b2d91}
.tag.write{background:#fde8e8;color:var(--no-ink)}
td.cell{min-width:170px;font-size:13px;border-left:1px solid var(--line)}
td.cell .verdict{font-weight:650;margin-bottom:4px}
td.allowed{background:var(--ok)}td.allowed .verdict{color:var(--ok-ink)}
td.conditional{background:var(--when)}td.conditional .verdict{color:var(--when-ink)}
td.denied{background:var(--no)}td.denied .verdict{color:var(--no-ink)}
td.not-permitted{background:var(--none)}td.not-permitted .verdict{color:var(--none-ink);font-weight:500}
.entry{margin:3px 0}.entry a{font-weight:600;text-decoration:none}.entry.deny a{color:var(--no-ink)}
.except{margin-top:6px;font-style:italic;color:var(--muted)}
.window,.obligation{display:inline-block;font-size:12px;color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:14px}
.card{background:var(--paper);border:1px solid var(--line);border-left:5px solid #9aa5b8;border-radius:12px;padding:14px 16px;box-shadow:0 1px 2px rgba(16,24,40,.05)}
.card.allow{border-left-color:#2f9e5b}.card.deny{border-left-color:#d23c3c}.card.grant{border-left-color:#8a4fc2}
.card .head{display:flex;align-items:baseline;gap:8px;flex-wrap:wrap}
.effect{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;border-radius:4px;padding:1px 7px;color:#fff;background:#9aa5b8}
.effect.allow{background:#2f9e5b}.effect.deny{background:#d23c3c}.effect.grant{background:#8a4fc2}
.card .where{margin-left:auto;color:var(--muted);font-size:12px}
.card .doc{color:#333b4a;margin:8px 0}.card .doc p{margin:0 0 6px}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:8px 0 0;font-size:14px}
.card dt{color:var(--muted)}.card dd{margin:0}
.expires{font-weight:600}
table.plain td,table.plain th{font-size:14px}
table.plain td:first-child{white-space:nowrap}
footer{color:var(--muted);font-size:13px;margin-top:40px}
@media print{body{background:#fff}.scroll,.card{box-shadow:none}header.top{background:#23305e;-webkit-print-color-adjust:exact;print-color-adjust:exact}}
)css";

std::string targets_html(const Model& model, const std::vector<runtime::TargetIndex>& targets) {
  std::string text = join_labels(targets, [&](runtime::TargetIndex t) { return code(target_label(model, t)); });
  return text.empty() ? "none" : text;
}

std::string rule_link(const Model& model, runtime::RuleIndex rule) {
  return rule < model.rules.size() ? fmt::format("<a href=\"#rule-{}\">{}</a>", rule, escape(model.rules[rule].id))
                                   : std::string();
}

// The page's head, style and title banner with the policy's counts.
void append_page_head(const Model& model, const DocumentFacts& facts, std::string& out) {
  std::string_view policy_hash = facts.policy_hash;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  std::string policy_name = model.policy_name.empty() ? std::string("(unnamed: a module)") : model.policy_name;
  out += fmt::format("<title>Permissions of policy {}</title>\n", escape(policy_name));
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  out += "<header class=\"top\"><div class=\"inner\">";
  out += fmt::format("<h1>Permissions of policy <code style=\"background:rgba(255,255,255,.15);color:#fff\">{}</code></h1>",
                     escape(policy_name));
  out += fmt::format("<p>Generated by <code style=\"background:rgba(255,255,255,.15);color:#fff\">authzc doc</code> from "
                     "the decision table · policy hash <code style=\"background:rgba(255,255,255,.15);color:#fff\">{}</code></p>",
                     escape(policy_hash.substr(0, 16)));
  out += "<div class=\"stats\">";
  auto stat = [&](std::size_t n, std::string_view noun) {
    std::string text = count(n, noun);
    std::size_t space = text.find(' ');
    out += fmt::format("<span class=\"stat\"><b>{}</b>{}</span>", text.substr(0, space), text.substr(space + 1));
  };
  stat(model.roles.size(), "role");
  stat(model.targets.size(), "target");
  stat(model.rules.size(), "rule");
  stat(model.grants.size(), "grant");
  stat(model.obligations.size(), "obligation");
  out += "</div></div></header>\n<main>\n";
  out += "<nav class=\"toc\"><a href=\"#matrix\">Permission matrix</a><a href=\"#roles\">Roles</a>"
         "<a href=\"#targets\">Targets</a><a href=\"#rules\">Rules</a><a href=\"#grants\">Grants</a>"
         "<a href=\"#obligations\">Obligations</a></nav>\n";
}

// The permission matrix: a row per role and per user a grant or rule names, a column per target.
void append_matrix_section(const Model& model, const DocumentFacts& facts, std::string& out) {
  const AccessMatrix& matrix = facts.matrix;
  out += "<section id=\"matrix\"><h2>Permission matrix</h2>\n";
  out += "<p class=\"note\">Nothing is allowed unless a rule or a grant allows it, and a deny beats every allow and "
         "grant. One row per role (a caller holding that role and every role it inherits) and per user named by a "
         "grant or rule (what that user gets beyond their roles; their roles are unknown, so <code>user is</code> "
         "tests stay in the conditions). <code>args.*</code> are the call's arguments.</p>\n";
  out += "<div class=\"legend\"><span class=\"chip allowed\">allowed for every call</span>"
         "<span class=\"chip conditional\">allowed when a condition holds</span>"
         "<span class=\"chip denied\">denied by a rule</span>"
         "<span class=\"chip not-permitted\">not permitted: nothing allows it</span></div>\n";
  out += "<div class=\"scroll\"><table class=\"matrix\">\n<thead><tr><th class=\"who\">Who</th>";
  for (std::size_t t = 0; t < model.targets.size(); ++t) {
    const runtime::Target& target = model.targets[t];
    bool write = target.kind == runtime::TargetKind::Tool && target.action == runtime::Action::Write;
    out += fmt::format("<th data-target=\"{}\">{}<span class=\"kind\">{}{}</span></th>", escape(target.name),
                       code(target_label(model, static_cast<runtime::TargetIndex>(t))),
                       write ? "<span class=\"tag write\">write</span>" : "", escape(target_kind_text(target)));
  }
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t s = 0; s < matrix.subjects.size(); ++s) {
    const MatrixSubject& subject = matrix.subjects[s];
    bool is_role = subject.kind == MatrixSubject::Kind::Role;
    out += fmt::format("<tr data-subject=\"{}:{}\"><th class=\"who\"><span class=\"tag{}\">{}</span>{}", is_role ? "role" : "user",
                       escape(subject.name), is_role ? "" : " user", is_role ? "role" : "user", code(subject.name));
    if (!subject.inherits.empty()) {
      std::string inherits;
      for (const std::string& role : subject.inherits) inherits += (inherits.empty() ? "" : ", ") + code(role);
      out += "<span class=\"kind\">inherits " + inherits + "</span>";
    }
    for (const std::string& grant : subject.granted_by) out += "<span class=\"kind\">grant " + code(grant) + "</span>";
    out += "</th>";
    for (std::size_t t = 0; t < model.targets.size(); ++t) {
      out += cell_html(model, subject, model.targets[t], matrix.cells[s][t]);
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div></section>\n";
}

// The roles: what each inherits, what includes it, the rules naming it.
void append_roles_section(const Model& model, const DocumentFacts&, std::string& out) {
  out += "<section id=\"roles\"><h2>Roles</h2>\n";
  if (model.roles.empty()) {
    out += "<p class=\"note\">The policy declares no roles.</p>";
  } else {
    out += "<div class=\"scroll\"><table class=\"plain\"><thead><tr><th>Role</th><th>Inherits</th><th>Included by</th>"
           "<th>Rules naming it</th></tr></thead><tbody>\n";
    for (std::size_t r = 0; r < model.roles.size(); ++r) {
      RoleRelations relations = role_relations(model, static_cast<runtime::RoleIndex>(r));
      auto role_name = [&](runtime::RoleIndex j) { return code(model.roles[j].name); };
      std::string rules = join_labels(relations.rules, [&](runtime::RuleIndex i) { return rule_link(model, i); });
      std::string inherits = join_labels(relations.inherits, role_name);
      std::string by = join_labels(relations.included_by, role_name);
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", code(model.roles[r].name),
                         inherits.empty() ? "—" : inherits, by.empty() ? "—" : by, rules.empty() ? "—" : rules);
    }
    out += "</tbody></table></div>";
  }
  out += "</section>\n";
}

// The targets: kind, parameters, the rules and grants about each.
void append_targets_section(const Model& model, const DocumentFacts&, std::string& out) {
  out += "<section id=\"targets\"><h2>Targets</h2>\n";
  if (model.targets.empty()) {
    out += "<p class=\"note\">The policy declares no tools, resources or prompts.</p>";
  } else {
    out += "<div class=\"scroll\"><table class=\"plain\"><thead><tr><th>Target</th><th>Kind</th><th>Parameters</th>"
           "<th>Rules</th><th>Grants</th></tr></thead><tbody>\n";
    for (std::size_t t = 0; t < model.targets.size(); ++t) {
      const runtime::Target& target = model.targets[t];
      std::string rules = join_labels(target.rules, [&](runtime::RuleIndex rule) { return rule_link(model, rule); });
      std::string grants = join_labels(target.grants, [&](runtime::GrantIndex grant) {
        return grant < model.grants.size()
                   ? fmt::format("<a href=\"#grant-{}\">{}</a>", grant, escape(model.grants[grant].id))
                   : std::string();
      });
      std::string params = target_params_text(model, target);
      std::string params_html = params.empty() ? "—" : code(params);
      if (target.kind == runtime::TargetKind::Resource) params_html = code(target.uri) + (params.empty() ? "" : "<br>" + code(params));
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         code(target_label(model, static_cast<runtime::TargetIndex>(t))), escape(target_kind_text(target)),
                         params_html, rules.empty() ? "none: always denied" : rules, grants.empty() ? "—" : grants);
    }
    out += "</tbody></table></div>";
  }
  out += "</section>\n";
}

// A card per rule: who, targets, conditions, window, obligations.
void append_rules_section(const Model& model, const DocumentFacts& facts, std::string& out) {
  out += "<section id=\"rules\"><h2>Rules</h2>\n";
  if (model.rules.empty()) out += "<p class=\"note\">The policy has no rules.</p>";
  out += "<div class=\"cards\">\n";
  for (std::size_t i = 0; i < model.rules.size(); ++i) {
    const runtime::Rule& rule = model.rules[i];
    const char* effect = runtime::to_string(rule.effect);
    out += fmt::format("<article class=\"card {0}\" id=\"rule-{1}\"><div class=\"head\"><span class=\"effect {0}\">{0}</span>"
                       "<h3>{2}</h3><span class=\"where\">{3}</span></div>",
                       effect, i, code(rule.id), escape(location_text(rule.location)));
    if (!rule.doc.empty()) out += "<div class=\"doc\">" + doc_html(rule.doc) + "</div>";
    out += "<dl>";
    out += "<dt>who</dt><dd>" + code(subjects_text(model, rule.subjects)) + "</dd>";
    out += "<dt>targets</dt><dd>" + targets_html(model, facts.lists.of_rule[i]) + "</dd>";
    if (rule.when != runtime::kNoIndex) {
      out += "<dt>when</dt><dd>" + code(render_condition(model, simplify_condition(model, rule.when, {}))) + "</dd>";
    }
    if (rule.unless != runtime::kNoIndex) {
      out += "<dt>unless</dt><dd>" + code(render_condition(model, simplify_condition(model, rule.unless, {}))) + "</dd>";
    }
    std::string window = window_text(rule.window);
    out += "<dt>in force</dt><dd>" + (window.empty() ? std::string("always") : escape(window)) + "</dd>";
    for (const runtime::ObligationUse& use : rule.obligations) {
      out += "<dt>obligation</dt><dd>" + code(obligation_text(model, use)) + "</dd>";
    }
    out += "</dl></article>\n";
  }
  out += "</div></section>\n";
}

// A card per grant: the user, targets, window, reason.
void append_grants_section(const Model& model, const DocumentFacts& facts, std::string& out) {
  out += "<section id=\"grants\"><h2>Grants</h2>\n";
  if (model.grants.empty()) out += "<p class=\"note\">The policy has no grants.</p>";
  out += "<div class=\"cards\">\n";
  for (std::size_t i = 0; i < model.grants.size(); ++i) {
    const runtime::Grant& grant = model.grants[i];
    out += fmt::format("<article class=\"card grant\" id=\"grant-{}\"><div class=\"head\"><span class=\"effect grant\">grant</span>"
                       "<h3>{}</h3><span>to user {}</span><span class=\"where\">{}</span></div>",
                       i, code(grant.id), code(grant.user), escape(location_text(grant.location)));
    if (!grant.doc.empty()) out += "<div class=\"doc\">" + doc_html(grant.doc) + "</div>";
    out += "<dl>";
    out += "<dt>targets</dt><dd>" + targets_html(model, facts.lists.of_grant[i]) + "</dd>";
    if (grant.window.from_ms) out += "<dt>from</dt><dd>" + escape(runtime::format_timestamp(*grant.window.from_ms)) + "</dd>";
    out += "<dt>expires</dt><dd class=\"expires\">" +
           (grant.window.until_ms ? escape(runtime::format_timestamp(*grant.window.until_ms)) : std::string("never")) + "</dd>";
    out += "<dt>reason</dt><dd>" + escape(grant.reason) + "</dd>";
    out += "</dl></article>\n";
  }
  out += "</div></section>\n";
}

// The obligations: parameters, and the rules that carry each.
void append_obligations_section(const Model& model, const DocumentFacts&, std::string& out) {
  out += "<section id=\"obligations\"><h2>Obligations</h2>\n";
  if (model.obligations.empty()) {
    out += "<p class=\"note\">The policy declares no obligations.</p>";
  } else {
    out += "<p class=\"note\">An allow returns its obligations with the decision; the server must apply them or refuse "
           "the call.</p><div class=\"scroll\"><table class=\"plain\"><thead><tr><th>Obligation</th><th>Parameters</th>"
           "<th>Carried by</th></tr></thead><tbody>\n";
    for (std::size_t o = 0; o < model.obligations.size(); ++o) {
      const runtime::ObligationDecl& decl = model.obligations[o];
      ObligationFacts obligation = obligation_facts(model, static_cast<runtime::ObligationIndex>(o));
      const std::string& params = obligation.params;
      std::string carriers = join_labels(obligation.carried_by, [&](runtime::RuleIndex i) { return rule_link(model, i); });
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", code(decl.name), params.empty() ? "—" : code(params),
                         carriers.empty() ? "no rule" : carriers);
    }
    out += "</tbody></table></div>";
  }
  out += "</section>\n";
}

// The footer, and the end of the page.
void append_page_tail(const Model&, const DocumentFacts&, std::string& out) {
  out += "<footer>Generated by <code>authzc doc</code>. Regenerate it instead of editing it.</footer>\n";
  out += "</main>\n</body>\n</html>\n";
}

}  // namespace

std::string render_html(const Model& model, std::string_view policy_hash) {
  return render_document(model, policy_hash,
                         {.head = append_page_head, .matrix = append_matrix_section, .roles = append_roles_section,
                          .targets = append_targets_section, .rules = append_rules_section, .grants = append_grants_section,
                          .obligations = append_obligations_section, .tail = append_page_tail});
}

}  // namespace authz::permission_doc
