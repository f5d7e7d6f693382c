// doc_facts.h — plain-text facts about a Model that both documentation
// renderers (Markdown and HTML) show: who a rule is for, which targets it
// names, its obligations, how a target is labelled, which rules carry an
// obligation, the lines of a doc comment.
//
// Contract: pure functions of the Model; unescaped text (each renderer
// escapes for its own format). Safe on any Model: bad indices print as `?`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/table_model.h"

namespace authz::permission_doc {

struct TargetLists {
  std::vector<std::vector<runtime::TargetIndex>> of_rule;   // per rule, ascending
  std::vector<std::vector<runtime::TargetIndex>> of_grant;  // per grant, ascending
};
TargetLists target_lists(const runtime::Model& model);

// How a role relates to the others, by index, ascending: the roles it
// includes and the roles that include it (itself left out of both), and the
// rules that name it as a subject.
struct RoleRelations {
  std::vector<runtime::RoleIndex> inherits;
  std::vector<runtime::RoleIndex> included_by;
  std::vector<runtime::RuleIndex> rules;
};
RoleRelations role_relations(const runtime::Model& model, runtime::RoleIndex role);

// A declared obligation: its parameters as text ("message: String", "" when
// it has none) and the rules that carry it, by index, ascending.
struct ObligationFacts {
  std::string params;
  std::vector<runtime::RuleIndex> carried_by;
};
ObligationFacts obligation_facts(const runtime::Model& model, runtime::ObligationIndex obligation);

// label(item) for each item, joined with ", "; items the label maps to an
// empty string are left out (e.g. an index past the end of its vector).
template <class Items, class Label>
std::string join_labels(const Items& items, Label label) {
  std::string out;
  for (const auto& item : items) {
    std::string text = label(item);
    if (text.empty()) continue;
    if (!out.empty()) out += ", ";
    out += text;
  }
  return out;
}

// A doc comment's lines (split at '\n', so n newlines give n + 1 lines), each
// without its leading spaces; views into `doc`.
std::vector<std::string_view> doc_lines(std::string_view doc);

// "anyone" or "rep, manager, user \"u-bob\"".
std::string subjects_text(const runtime::Model& model, const runtime::Subjects& subjects);
// "require_confirmation(message: \"permanently delete these records?\")".
std::string obligation_text(const runtime::Model& model, const runtime::ObligationUse& use);
// "list_accounts", or "resource docs" when the name is shared by several kinds.
std::string target_label(const runtime::Model& model, runtime::TargetIndex target);
// "tool, write", "resource, read", "prompt".
std::string target_kind_text(const runtime::Target& target);
// "account: Account, fields: Map<String, String>".
std::string target_params_text(const runtime::Model& model, const runtime::Target& target);
// "1 rule", "13 rules".
std::string count(std::size_t n, std::string_view noun);
// "examples/sales/sales.authz:45:7", or "" when unknown.
std::string location_text(const runtime::SourceLocation& location);

}  // namespace authz::permission_doc
