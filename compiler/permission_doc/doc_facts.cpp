// doc_facts.cpp — see doc_facts.h.
#include "compiler/permission_doc/doc_facts.h"

#include <algorithm>

#include <fmt/format.h>

#include "runtime/internal/table_dump.h"
#include "runtime/internal/value_text.h"

namespace authz::permission_doc {

using runtime::Model;

TargetLists target_lists(const Model& model) {
  TargetLists lists;
  lists.of_rule.resize(model.rules.size());
  lists.of_grant.resize(model.grants.size());
  for (std::size_t t = 0; t < model.targets.size(); ++t) {
    for (runtime::RuleIndex rule : model.targets[t].rules) {
      if (rule < lists.of_rule.size()) lists.of_rule[rule].push_back(static_cast<runtime::TargetIndex>(t));
    }
    for (runtime::GrantIndex grant : model.targets[t].grants) {
      if (grant < lists.of_grant.size()) lists.of_grant[grant].push_back(static_cast<runtime::TargetIndex>(t));
    }
  }
  return lists;
}

std::string subjects_text(const Model& model, const runtime::Subjects& subjects) {
  std::string text;
  auto add = [&](const std::string& part) { text += (text.empty() ? "" : ", ") + part; };
  if (subjects.anyone) add("anyone");
  for (std::size_t r = 0; r < model.roles.size(); ++r) {
    if (subjects.roles.contains(static_cast<runtime::RoleIndex>(r))) add(model.roles[r].name);
  }
  for (const std::string& user : subjects.users) add("user " + runtime::quoted(user));
  return text.empty() ? "nobody" : text;
}

std::string obligation_text(const Model& model, const runtime::ObligationUse& use) {
  if (use.obligation >= model.obligations.size()) return "?";
  const runtime::ObligationDecl& decl = model.obligations[use.obligation];
  std::string arguments;
  for (std::size_t k = 0; k < use.arguments.size(); ++k) {
    if (k) arguments += ", ";
    arguments += fmt::format("{}: {}", k < decl.params.size() ? decl.params[k].name : std::string("?"),
                             runtime::dump_constant(model, use.arguments[k]));
  }
  return fmt::format("{}({})", decl.name, arguments);
}

std::string target_label(const Model& model, runtime::TargetIndex target) {
  if (target >= model.targets.size()) return "?";
  const runtime::Target& named = model.targets[target];
  for (std::size_t t = 0; t < model.targets.size(); ++t) {
    if (t != target && model.targets[t].name == named.name) {
      return fmt::format("{} {}", runtime::to_string(named.kind), named.name);
    }
  }
  return named.name;
}

std::string target_kind_text(const runtime::Target& target) {
  if (target.kind == runtime::TargetKind::Tool) return fmt::format("tool, {}", runtime::to_string(target.action));
  return fmt::format("{}, read", runtime::to_string(target.kind));
}

std::string target_params_text(const Model& model, const runtime::Target& target) {
  std::string text;
  for (const runtime::Parameter& param : target.params) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{}: {}{}", param.name, runtime::type_name(model, param.type), param.sensitive ? " sensitive" : "");
  }
  return text;
}

RoleRelations role_relations(const Model& model, runtime::RoleIndex role) {
  RoleRelations relations;
  for (std::size_t j = 0; j < model.roles.size(); ++j) {
    auto other = static_cast<runtime::RoleIndex>(j);
    if (other == role) continue;
    if (role < model.roles.size() && model.roles[role].includes.contains(other)) relations.inherits.push_back(other);
    if (model.roles[j].includes.contains(role)) relations.included_by.push_back(other);
  }
  for (std::size_t i = 0; i < model.rules.size(); ++i) {
    if (model.rules[i].subjects.roles.contains(role)) relations.rules.push_back(static_cast<runtime::RuleIndex>(i));
  }
  return relations;
}

ObligationFacts obligation_facts(const Model& model, runtime::ObligationIndex obligation) {
  ObligationFacts facts;
  if (obligation >= model.obligations.size()) return facts;
  for (const runtime::Attribute& param : model.obligations[obligation].params) {
    facts.params += (facts.params.empty() ? "" : ", ") + param.name + ": " + runtime::type_name(model, param.type);
  }
  for (std::size_t i = 0; i < model.rules.size(); ++i) {
    const std::vector<runtime::ObligationUse>& uses = model.rules[i].obligations;
    bool carries = std::any_of(uses.begin(), uses.end(),
                               [&](const runtime::ObligationUse& use) { return use.obligation == obligation; });
    if (carries) facts.carried_by.push_back(static_cast<runtime::RuleIndex>(i));
  }
  return facts;
}

std::vector<std::string_view> doc_lines(std::string_view doc) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= doc.size()) {
    std::size_t end = doc.find('\n', pos);
    if (end == std::string_view::npos) end = doc.size();
    std::string_view line = doc.substr(pos, end - pos);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  return lines;
}

std::string count(std::size_t n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

std::string location_text(const runtime::SourceLocation& location) {
  if (location.file.empty() && location.line == 0) return "";
  return fmt::format("{}:{}:{}", location.file, location.line, location.column);
}

}  // namespace authz::permission_doc
