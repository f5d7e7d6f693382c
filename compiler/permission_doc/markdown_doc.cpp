// markdown_doc.cpp — render_markdown (permission_doc.h): the permission model
// as GitHub-flavoured Markdown, for a repository or a pull request.
#include <algorithm>

#include <fmt/format.h>

#include "compiler/permission_doc/access_matrix.h"
#include "compiler/permission_doc/doc_facts.h"
#include "compiler/permission_doc/permission_doc.h"
#include "runtime/time_text.h"
#include "runtime/value_text.h"

namespace authz::permission_doc {
namespace {

using runtime::Model;

// Prose: no raw HTML, no links, one line.
std::string prose(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '[': out += "\\["; break;
      case ']': out += "\\]"; break;
      case '|': out += "\\|"; break;
      case '\n': case '\r': out += ' '; break;
      default: out += c; break;
    }
  }
  return out;
}

// Prose with the author's `code` spans kept: a backtick pair becomes a code
// span (safe as it is: no HTML inside code spans); everything else is prose().
std::string prose_with_code(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    std::size_t open = text.find('`');
    std::size_t close = open == std::string_view::npos ? open : text.find('`', open + 1);
    if (close == std::string_view::npos) {
      out += prose(text);
      break;
    }
    out += prose(text.substr(0, open));
    std::string_view inside = text.substr(open + 1, close - open - 1);
    out += inside.empty() ? "``" : "`" + std::string(inside) + "`";
    text.remove_prefix(close + 1);
  }
  return out;
}

// A code span that survives any backticks in `text` and sits in a table cell.
std::string code(std::string_view text) {
  std::size_t longest = 0, run = 0;
  std::string body;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '\n' || c == '\r') {
      body += ' ';
    } else if (c == '|') {
      body += "\\|";
    } else {
      body += c;
    }
  }
  std::string fence(longest + 1, '`');
  bool pad = !body.empty() && (body.front() == '`' || body.back() == '`' || body.front() == ' ');
  if (body.empty()) return "` `";
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string entry_line(const Model& model, const CellEntry& entry, bool deny) {
  std::string line = deny ? "⛔ " : "";
  line += (entry.is_grant ? "grant " : "") + code(entry.id);
  std::string condition = condition_text(model, entry);
  if (!condition.empty()) line += " " + code(condition);
  std::string window = window_text(entry.window);
  if (!window.empty()) line += " (" + prose(window) + ")";
  if (!deny && !entry.is_grant && entry.index < model.rules.size()) {
    for (const runtime::ObligationUse& use : model.rules[entry.index].obligations) {
      line += " with " + code(obligation_text(model, use));
    }
  }
  return line;
}

std::string cell_markdown(const Model& model, const MatrixCell& cell) {
  std::string text;
  auto line = [&](const std::string& part) { text += (text.empty() ? "" : "<br>") + part; };
  switch (cell.kind) {
    case CellKind::Allowed: {
      line("✅ **allowed**");
      for (const CellEntry& entry : cell.allows) {
        if (entry.unconditional()) line(entry_line(model, entry, false));
      }
      break;
    }
    case CellKind::Conditional:
      line("🟡 **allowed when**");
      for (const CellEntry& entry : cell.allows) line(entry_line(model, entry, false));
      if (!cell.denies.empty()) line("*unless denied by*");
      for (const CellEntry& entry : cell.denies) line(entry_line(model, entry, true));
      break;
    case CellKind::Denied:
      line("⛔ **denied** by");
      for (const CellEntry& entry : cell.denies) {
        if (entry.unconditional()) line(code(entry.id));
      }
      break;
    case CellKind::NotPermitted: line("➖ not permitted"); break;
  }
  return text;
}

void append_doc(std::string& out, std::string_view doc) {
  if (doc.empty()) return;
  std::size_t pos = 0;
  while (pos <= doc.size()) {
    std::size_t end = doc.find('\n', pos);
    if (end == std::string_view::npos) end = doc.size();
    std::string_view line = doc.substr(pos, end - pos);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    out += line.empty() ? ">\n" : "> " + prose_with_code(line) + "\n";
    pos = end + 1;
  }
  out += '\n';
}

std::string targets_text(const Model& model, const std::vector<runtime::TargetIndex>& targets) {
  std::string text;
  for (runtime::TargetIndex t : targets) text += (text.empty() ? "" : ", ") + code(target_label(model, t));
  return text.empty() ? "(none)" : text;
}

}  // namespace

std::string render_markdown(const Model& model, std::string_view policy_hash) {
  AccessMatrix matrix = build_access_matrix(model);
  TargetLists lists = target_lists(model);
  std::string out;
  out += fmt::format("# Permissions of policy {}\n\n", model.policy_name.empty() ? std::string("(unnamed: a module)") : code(model.policy_name));
  out += fmt::format("Generated by `authzc doc` from the decision table (policy hash {}): {}, {}, {}, {}, {}.\n\n",
                     code(std::string(policy_hash.substr(0, 16))), count(model.roles.size(), "role"),
                     count(model.targets.size(), "target"), count(model.rules.size(), "rule"),
                     count(model.grants.size(), "grant"), count(model.obligations.size(), "obligation"));
  out += "Nothing is allowed unless a rule or a grant allows it, and a deny beats every allow and grant.\n\n";

  out += "## Permission matrix\n\n";
  out += "One row per role (a caller holding that role and every role it inherits) and per user named by a grant "
         "or a rule (what that user gets beyond their roles; their roles are unknown, so `user is` tests stay in the "
         "conditions). Conditions are shown with the row's roles filled in; `args.*` are the call's arguments.\n\n";
  out += "✅ allowed for every call · 🟡 allowed when a condition holds (and no listed deny applies) · "
         "⛔ denied by a rule whatever the call · ➖ not permitted: no rule or grant allows it\n\n";
  out += "| who |";
  for (std::size_t t = 0; t < model.targets.size(); ++t) {
    out += fmt::format(" {}<br>{} |", code(target_label(model, static_cast<runtime::TargetIndex>(t))),
                       target_kind_text(model.targets[t]));
  }
  out += "\n|---|";
  for (std::size_t t = 0; t < model.targets.size(); ++t) out += "---|";
  out += '\n';
  for (std::size_t s = 0; s < matrix.subjects.size(); ++s) {
    const MatrixSubject& subject = matrix.subjects[s];
    std::string who = fmt::format("**{}** {}", subject.kind == MatrixSubject::Kind::Role ? "role" : "user", code(subject.name));
    if (!subject.inherits.empty()) {
      std::string inherits;
      for (const std::string& role : subject.inherits) inherits += (inherits.empty() ? "" : ", ") + code(role);
      who += "<br>inherits " + inherits;
    }
    for (const std::string& grant : subject.granted_by) who += "<br>grant " + code(grant);
    out += "| " + who + " |";
    for (const MatrixCell& cell : matrix.cells[s]) out += " " + cell_markdown(model, cell) + " |";
    out += '\n';
  }
  out += '\n';

  out += "## Roles\n\n";
  if (model.roles.empty()) out += "The policy declares no roles.\n\n";
  if (!model.roles.empty()) {
    out += "| role | inherits | included by | rules naming it |\n|---|---|---|---|\n";
    for (std::size_t r = 0; r < model.roles.size(); ++r) {
      std::string inherits, included_by, rules;
      for (std::size_t j = 0; j < model.roles.size(); ++j) {
        if (j == r) continue;
        if (model.roles[r].includes.contains(static_cast<runtime::RoleIndex>(j))) {
          inherits += (inherits.empty() ? "" : ", ") + code(model.roles[j].name);
        }
        if (model.roles[j].includes.contains(static_cast<runtime::RoleIndex>(r))) {
          included_by += (included_by.empty() ? "" : ", ") + code(model.roles[j].name);
        }
      }
      for (const runtime::Rule& rule : model.rules) {
        if (rule.subjects.roles.contains(static_cast<runtime::RoleIndex>(r))) {
          rules += (rules.empty() ? "" : ", ") + code(rule.id);
        }
      }
      out += fmt::format("| {} | {} | {} | {} |\n", code(model.roles[r].name), inherits.empty() ? "—" : inherits,
                         included_by.empty() ? "—" : included_by, rules.empty() ? "—" : rules);
    }
    out += '\n';
  }

  out += "## Targets\n\n";
  if (model.targets.empty()) out += "The policy declares no tools, resources or prompts.\n\n";
  if (!model.targets.empty()) {
    out += "| target | kind | parameters | rules | grants |\n|---|---|---|---|---|\n";
    for (std::size_t t = 0; t < model.targets.size(); ++t) {
      const runtime::Target& target = model.targets[t];
      std::string rules, grants;
      for (runtime::RuleIndex rule : target.rules) {
        if (rule < model.rules.size()) rules += (rules.empty() ? "" : ", ") + code(model.rules[rule].id);
      }
      for (runtime::GrantIndex grant : target.grants) {
        if (grant < model.grants.size()) grants += (grants.empty() ? "" : ", ") + code(model.grants[grant].id);
      }
      std::string params = target_params_text(model, target);
      if (target.kind == runtime::TargetKind::Resource) params = code(target.uri) + (params.empty() ? "" : " " + code(params));
      else params = params.empty() ? "—" : code(params);
      out += fmt::format("| {} | {} | {} | {} | {} |\n", code(target_label(model, static_cast<runtime::TargetIndex>(t))),
                         target_kind_text(target), params, rules.empty() ? "none: always denied" : rules,
                         grants.empty() ? "—" : grants);
    }
    out += '\n';
  }

  out += "## Rules\n\n";
  if (model.rules.empty()) out += "The policy has no rules.\n\n";
  for (std::size_t i = 0; i < model.rules.size(); ++i) {
    const runtime::Rule& rule = model.rules[i];
    out += fmt::format("### {} {}\n\n", runtime::to_string(rule.effect), code(rule.id));
    append_doc(out, rule.doc);
    out += "| | |\n|---|---|\n";
    out += fmt::format("| subjects | {} |\n", code(subjects_text(model, rule.subjects)));
    out += fmt::format("| targets | {} |\n", targets_text(model, lists.of_rule[i]));
    if (rule.when != runtime::kNoIndex) {
      out += fmt::format("| when | {} |\n", code(render_condition(model, simplify_condition(model, rule.when, {}))));
    }
    if (rule.unless != runtime::kNoIndex) {
      out += fmt::format("| unless | {} |\n", code(render_condition(model, simplify_condition(model, rule.unless, {}))));
    }
    std::string window = window_text(rule.window);
    out += fmt::format("| in force | {} |\n", window.empty() ? "always" : prose(window));
    for (const runtime::ObligationUse& use : rule.obligations) {
      out += fmt::format("| obligation | {} |\n", code(obligation_text(model, use)));
    }
    std::string location = location_text(rule.location);
    out += fmt::format("| source | {} |\n\n", location.empty() ? "unknown" : code(location));
  }

  out += "## Grants\n\n";
  if (model.grants.empty()) out += "The policy has no grants.\n\n";
  for (std::size_t i = 0; i < model.grants.size(); ++i) {
    const runtime::Grant& grant = model.grants[i];
    out += fmt::format("### grant {} to user {}\n\n", code(grant.id), code(grant.user));
    append_doc(out, grant.doc);
    out += "| | |\n|---|---|\n";
    out += fmt::format("| targets | {} |\n", targets_text(model, lists.of_grant[i]));
    out += fmt::format("| from | {} |\n", grant.window.from_ms ? runtime::format_timestamp(*grant.window.from_ms) : "—");
    out += fmt::format("| expires | {} |\n",
                       grant.window.until_ms ? runtime::format_timestamp(*grant.window.until_ms) : "never");
    out += fmt::format("| reason | {} |\n", prose(grant.reason));
    std::string location = location_text(grant.location);
    out += fmt::format("| source | {} |\n\n", location.empty() ? "unknown" : code(location));
  }

  out += "## Obligations\n\n";
  if (model.obligations.empty()) out += "The policy declares no obligations.\n";
  if (!model.obligations.empty()) {
    out += "An allow returns its obligations with the decision; the server must apply them or refuse the call.\n\n";
    out += "| obligation | parameters | carried by |\n|---|---|---|\n";
    for (std::size_t o = 0; o < model.obligations.size(); ++o) {
      const runtime::ObligationDecl& decl = model.obligations[o];
      std::string params, carriers;
      for (const runtime::Attribute& param : decl.params) {
        params += (params.empty() ? "" : ", ") + param.name + ": " + runtime::type_name(model, param.type);
      }
      for (const runtime::Rule& rule : model.rules) {
        bool carries = std::any_of(rule.obligations.begin(), rule.obligations.end(),
                                   [&](const runtime::ObligationUse& use) { return use.obligation == o; });
        if (carries) carriers += (carriers.empty() ? "" : ", ") + code(rule.id);
      }
      out += fmt::format("| {} | {} | {} |\n", code(decl.name), params.empty() ? "—" : code(params),
                         carriers.empty() ? "no rule" : carriers);
    }
  }
  return out;
}

}  // namespace authz::permission_doc
