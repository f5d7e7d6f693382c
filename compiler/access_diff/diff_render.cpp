// diff_render.cpp — render_text / render_markdown (access_diff.h). Both list
// widening changes first, then narrowing, then the rest, then rule and grant
// changes, assumptions and a one-line summary; Markdown escapes policy text
// (code spans sized for any backticks, `|` escaped, `<` `>` `&` in prose).
#include <algorithm>

#include <fmt/format.h>

#include "compiler/access_diff/access_diff.h"
#include "compiler/permission_doc/doc_facts.h"
#include "compiler/permission_doc/markdown_text.h"
#include "runtime/internal/time_text.h"

namespace authz::access_diff {
namespace {

using permission_doc::code;
using permission_doc::prose;

// Sections in the order a reviewer needs them.
struct Section {
  const char* title;
  bool (*member)(const AccessChange&);
};

const Section kSections[] = {
    {"Newly allowed", [](const AccessChange& c) { return c.kind == ChangeKind::NewlyAllowed; }},
    {"Loosened or undecided conditions (counted as widening)",
     [](const AccessChange& c) { return c.widening && c.kind != ChangeKind::NewlyAllowed && c.kind != ChangeKind::ObligationsChanged; }},
    {"Obligations changed", [](const AccessChange& c) { return c.kind == ChangeKind::ObligationsChanged; }},
    {"Newly denied", [](const AccessChange& c) { return c.kind == ChangeKind::NewlyDenied; }},
    {"Tightened conditions", [](const AccessChange& c) { return c.kind == ChangeKind::Tightened; }},
    {"Rewritten conditions, same access", [](const AccessChange& c) { return c.kind == ChangeKind::SameAccessRewritten; }},
};

std::string rules_text(const AccessChange& change, bool markdown);

std::string rules_text(const AccessChange& change, bool markdown) {
  std::string text;
  bool any_changed = std::any_of(change.rules.begin(), change.rules.end(), [](const ResponsibleRule& r) { return r.what != "unchanged"; });
  for (const ResponsibleRule& rule : change.rules) {
    if (any_changed && rule.what == "unchanged") continue;
    if (!text.empty()) text += ", ";
    text += markdown ? fmt::format("{} {} ({})", rule.effect, code(rule.id), rule.what)
                     : fmt::format("{} {} ({})", rule.effect, rule.id, rule.what);
  }
  return text.empty() ? "-" : text;
}

std::string summary(const AccessDiff& diff) {
  auto count_kind = [&](auto predicate) { return std::count_if(diff.changes.begin(), diff.changes.end(), predicate); };
  auto newly_allowed = count_kind([](const AccessChange& c) { return c.kind == ChangeKind::NewlyAllowed; });
  auto newly_denied = count_kind([](const AccessChange& c) { return c.kind == ChangeKind::NewlyDenied; });
  auto conditions = count_kind([](const AccessChange& c) {
    return c.kind != ChangeKind::NewlyAllowed && c.kind != ChangeKind::NewlyDenied && c.kind != ChangeKind::ObligationsChanged;
  });
  auto obligations = count_kind([](const AccessChange& c) { return c.kind == ChangeKind::ObligationsChanged; });
  return fmt::format("{} newly allowed, {} newly denied, {} changed, {} with changed obligations; {}; widening: {}",
                     newly_allowed, newly_denied, permission_doc::count(static_cast<std::size_t>(conditions), "condition"),
                     obligations, permission_doc::count(diff.rule_changes.size(), "rule or grant change"),
                     diff.widening() ? "yes" : "no");
}

}  // namespace

std::string render_text(const AccessDiff& diff, const std::string& old_name, const std::string& new_name) {
  std::string out = fmt::format("access diff {} -> {} at {} ({} principals x {} targets)\n", old_name, new_name,
                                runtime::format_timestamp(diff.now_ms), diff.principals, diff.targets);
  if (diff.changes.empty() && diff.rule_changes.empty()) out += "\nno change in access\n";
  for (const Section& section : kSections) {
    bool first = true;
    for (const AccessChange& change : diff.changes) {
      if (!section.member(change)) continue;
      if (first) out += fmt::format("\n{}:\n", section.title);
      first = false;
      out += fmt::format("  {} {}  {} {}{}\n", change.subject_kind, change.subject, change.target_kind, change.target,
                         change.kind == ChangeKind::Undecided ? "  [undecided: counted as widening]" : "");
      if (change.kind == ChangeKind::ObligationsChanged) {
        auto join = [](const std::vector<std::string>& items) {
          std::string text;
          for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
          return text.empty() ? std::string("none") : text;
        };
        out += fmt::format("    access: {}\n    obligations before: {}\n    obligations after:  {}\n", change.after,
                           join(change.obligations_before), join(change.obligations_after));
      } else {
        out += fmt::format("    before: {}\n    after:  {}\n", change.before, change.after);
      }
      if (!change.witness.empty()) out += fmt::format("    e.g.:   {}\n", change.witness);
      out += fmt::format("    rules:  {}\n", rules_text(change, false));
    }
  }
  if (!diff.rule_changes.empty()) {
    out += "\nRules and grants (windows, expiries, added, removed):\n";
    for (const WindowChange& change : diff.rule_changes) {
      out += fmt::format("  {} {}: {}", change.kind, change.id, change.what);
      if (!change.before.empty() && !change.after.empty()) out += fmt::format(": {} -> {}", change.before, change.after);
      else if (!change.after.empty()) out += fmt::format(" ({})", change.after);
      out += change.widening ? "  [widening]\n" : "\n";
    }
  }
  out += "\nAssumptions:\n";
  for (const std::string& assumption : diff.assumptions) out += "  - " + assumption + "\n";
  out += "\n" + summary(diff) + "\n";
  return out;
}

std::string render_markdown(const AccessDiff& diff, const std::string& old_name, const std::string& new_name) {
  std::string out = fmt::format("### Access changes: {} → {}\n\n", code(old_name), code(new_name));
  out += fmt::format("Evaluated at {} for {} principals × {} targets. **{}**\n", code(runtime::format_timestamp(diff.now_ms)),
                     diff.principals, diff.targets, prose(summary(diff)));
  if (diff.changes.empty() && diff.rule_changes.empty()) out += "\nNo change in access.\n";
  for (const Section& section : kSections) {
    bool first = true;
    for (const AccessChange& change : diff.changes) {
      if (!section.member(change)) continue;
      if (first) {
        out += fmt::format("\n#### {}\n\n| who | target | before | after | rules |\n|---|---|---|---|---|\n", section.title);
      }
      first = false;
      std::string before = code(change.before), after = code(change.after);
      if (change.kind == ChangeKind::ObligationsChanged) {
        before.clear();
        after.clear();
        for (const std::string& o : change.obligations_before) before += (before.empty() ? "" : "<br>") + code(o);
        for (const std::string& o : change.obligations_after) after += (after.empty() ? "" : "<br>") + code(o);
        if (before.empty()) before = "no obligations";
        if (after.empty()) after = "no obligations";
      }
      if (!change.witness.empty()) after += "<br>e.g. " + code(change.witness);
      if (change.kind == ChangeKind::Undecided) after += "<br>*undecided: counted as widening*";
      out += fmt::format("| {} {} | {} {} | {} | {} | {} |\n", change.subject_kind, code(change.subject), change.target_kind,
                         code(change.target), before, after, rules_text(change, true));
    }
  }
  if (!diff.rule_changes.empty()) {
    out += "\n#### Rules and grants\n\n| rule | change | before | after | widening |\n|---|---|---|---|---|\n";
    for (const WindowChange& change : diff.rule_changes) {
      out += fmt::format("| {} {} | {} | {} | {} | {} |\n", change.kind, code(change.id), prose(change.what),
                         change.before.empty() ? "—" : prose(change.before), change.after.empty() ? "—" : prose(change.after),
                         change.widening ? "**yes**" : "no");
    }
  }
  out += "\n<details><summary>Assumptions</summary>\n\n";
  for (const std::string& assumption : diff.assumptions) out += "- " + prose(assumption) + "\n";
  out += "\n</details>\n";
  return out;
}

}  // namespace authz::access_diff
