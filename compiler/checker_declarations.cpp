// checker_declarations.cpp — the checker's declaration phases: every named
// thing is declared once, then roles and groups are closed over their
// references.
//
// Contract (Checker, checker_internal.h): types, roles, targets and groups,
// and obligations are declared over all files in load order, text order
// within a file (one namespace per kind; tools, resources, prompts and groups
// share one), each repeat reported once against the first declaration. Role
// inheritance and group nesting are resolved by an iterative DFS (no
// recursion, so long chains cannot exhaust the stack); each cycle is reported
// once, at the reference that closes it, and ignored when computing closures.
// The target sets built here live in p_.target_set_storage, once each: all
// targets (whose one-element subspans are the singletons), `read`, `write`,
// and each group's expansion (sorted, unique).
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/checker_internal.h"

namespace authz::checker_internal {
namespace {

// ---- cycle-aware traversal for roles and groups ------------------------------------

struct Edge {
  std::uint32_t to = 0;
  Span span;          // where the reference was written
  bool back = false;  // closes a cycle; ignored when computing closures
};

// Iterative DFS over all nodes (no recursion, so long chains cannot exhaust the
// stack). Marks back edges, calls on_cycle(path, closing_edge) for each one
// with the nodes from the edge's target to its source, and returns the nodes
// in post-order (every non-back edge's target comes before its source).
template <class OnCycle>
std::vector<std::uint32_t> post_order(std::vector<std::vector<Edge>>& edges, OnCycle on_cycle) {
  const std::size_t n = edges.size();
  enum : std::uint8_t { White, Grey, Black };
  std::vector<std::uint8_t> color(n, White);
  std::vector<std::uint32_t> order;
  order.reserve(n);
  std::vector<std::pair<std::uint32_t, std::size_t>> stack;  // node, next edge
  for (std::uint32_t root = 0; root < n; ++root) {
    if (color[root] != White) continue;
    stack.push_back({root, 0});
    color[root] = Grey;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next == edges[node].size()) {
        color[node] = Black;
        order.push_back(node);
        stack.pop_back();
        continue;
      }
      Edge& edge = edges[node][next++];
      if (color[edge.to] == White) {
        color[edge.to] = Grey;
        stack.push_back({edge.to, 0});
      } else if (color[edge.to] == Grey) {
        edge.back = true;
        std::vector<std::pair<std::uint32_t, const Edge*>> path;  // node and the edge leaving it
        bool inside = false;
        for (const auto& [on_path, after] : stack) {
          if (on_path == edge.to) inside = true;
          if (inside) path.push_back({on_path, &edges[on_path][after - 1]});
        }
        on_cycle(path, edge);
      }
    }
  }
  return order;
}

// Reports a cycle post_order found, as "WHAT: `a` -> `b` -> `a`" at the
// reference that closes it, with a note "`x` VERB `y` here" at each other
// reference on it. `name_of(node)` is the node's declared name.
template <class NameOf>
void report_cycle(DiagnosticSink& sink, const std::vector<std::pair<std::uint32_t, const Edge*>>& path,
                  const Edge& closing, NameOf name_of, DiagCode code, std::string_view what, std::string_view help,
                  std::string_view verb) {
  std::string chain;
  for (const auto& [node, leaving] : path) chain += bq(name_of(node)) + " -> ";
  chain += bq(name_of(closing.to));
  Diagnostic& d = sink.report(code, closing.span, std::string(what) + ": " + chain, std::string(help));
  for (const auto& [node, leaving] : path)
    if (leaving != &closing)
      d.notes.push_back({leaving->span, bq(name_of(node)) + " " + std::string(verb) + " " + bq(name_of(leaving->to)) + " here"});
}

}  // namespace

// ---- declarations ------------------------------------------------------------------

void Checker::duplicate(Span again, std::string_view what, std::string_view name, Span first) {
  error(DiagCode::DuplicateDeclaration, again, std::string(what) + " " + bq(name) + " is declared twice",
        "rename or remove one of them")
      .notes.push_back({first, bq(name) + " was first declared here"});
}

// Declares one checked entry (index, name, span, decl) per declaration of a
// kind with its own namespace (roles, obligations), reporting repeats.
template <class Checked, class Decl, class Index>
void Checker::declare_named(std::vector<Decl> ast::File::*decls, std::string_view what, std::vector<Checked>& out,
                            std::unordered_map<std::string, Index>& index) {
  for (const ast::File* file : files()) {
    for (const Decl& decl : file->*decls) {
      if (const Index* first = find_in(index, decl.name.text)) {
        duplicate(decl.name.span, what, decl.name.text, out[*first].span);
        continue;
      }
      Checked checked;
      checked.index = static_cast<Index>(out.size());
      checked.name = decl.name.text;
      checked.span = decl.name.span;
      checked.decl = &decl;
      index.emplace(checked.name, checked.index);
      out.push_back(std::move(checked));
    }
  }
}

void Checker::declare_types() {
  const ast::RecordDecl* principal = nullptr;
  for (const ast::File* file : files()) {
    for (const auto& decl : file->records) {
      const std::string& name = decl.name.text;
      if (decl.kind == ast::RecordKind::Principal && principal != nullptr) {
        error(DiagCode::DuplicatePrincipal, decl.name.span, "the principal is declared twice",
              "merge the attributes into one `principal` declaration")
            .notes.push_back({principal->name.span, "the principal " + bq(principal->name.text) + " is declared here"});
        continue;
      }
      if (types_.builtin_scalar(name) || name == "Set" || name == "List" || name == "Map") {
        error(DiagCode::DuplicateDeclaration, decl.name.span, bq(name) + " is a built-in type",
              "choose another name");
        continue;
      }
      if (const Type* first = p_.find_type(name)) {
        duplicate(decl.name.span, "type", name, first->declaration);
        continue;
      }
      TypeKind kind = decl.kind == ast::RecordKind::Principal ? TypeKind::Principal
                      : decl.kind == ast::RecordKind::Entity  ? TypeKind::Entity
                                                              : TypeKind::Record;
      const Type* type = types_.declare_nominal(kind, name, decl.name.span);
      p_.type_index.emplace(name, type);
      type_names_.push_back(name);
      record_decls_.push_back({&decl, type});
      if (kind == TypeKind::Principal) {
        principal = &decl;
        p_.principal = type;
      } else if (kind == TypeKind::Entity) {
        p_.entities.push_back(type);
      } else {
        p_.records.push_back(type);
      }
    }
  }
  if (p_.principal == nullptr) {
    // No principal declared: the built-in one with just `id` and `roles`.
    p_.principal = types_.declare_nominal(TypeKind::Principal, "User", Span{});
    record_decls_.push_back({nullptr, p_.principal});
  }
}

void Checker::declare_roles() { declare_named(&ast::File::roles, "role", p_.roles, p_.role_index); }

void Checker::declare_obligations() {
  declare_named(&ast::File::obligations, "obligation", p_.obligations, p_.obligation_index);
}

Span Checker::target_or_group_span(std::string_view name) const {
  if (const CheckedTarget* target = p_.find_target(name)) return target->span;
  if (const CheckedGroup* group = p_.find_group(name)) return group->span;
  return Span{};
}

void Checker::declare_targets_and_groups() {
  struct Item {
    std::uint32_t begin;
    int kind;  // 0 tool, 1 resource, 2 prompt, 3 group
    const void* decl;
  };
  for (const ast::File* file : files()) {
    std::vector<Item> items;
    for (const auto& d : file->tools) items.push_back({d.span.begin, 0, &d});
    for (const auto& d : file->resources) items.push_back({d.span.begin, 1, &d});
    for (const auto& d : file->prompts) items.push_back({d.span.begin, 2, &d});
    for (const auto& d : file->groups) items.push_back({d.span.begin, 3, &d});
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.begin < b.begin; });
    for (const Item& item : items) {
      const ast::Name& name = item.kind == 0   ? static_cast<const ast::ToolDecl*>(item.decl)->name
                              : item.kind == 1 ? static_cast<const ast::ResourceDecl*>(item.decl)->name
                              : item.kind == 2 ? static_cast<const ast::PromptDecl*>(item.decl)->name
                                               : static_cast<const ast::GroupDecl*>(item.decl)->name;
      if (p_.find_target(name.text) || p_.find_group(name.text)) {
        Span first = target_or_group_span(name.text);
        static const char* kWhat[] = {"tool", "resource", "prompt", "group"};
        duplicate(name.span, kWhat[item.kind], name.text, first);
        continue;
      }
      if (item.kind == 3) {
        CheckedGroup group;
        group.name = name.text;
        group.span = name.span;
        group.decl = static_cast<const ast::GroupDecl*>(item.decl);
        p_.group_index.emplace(group.name, static_cast<std::uint32_t>(p_.groups.size()));
        p_.groups.push_back(std::move(group));
        continue;
      }
      CheckedTarget target;
      target.index = static_cast<TargetIndex>(p_.targets.size());
      target.name = name.text;
      target.span = name.span;
      if (item.kind == 0) {
        target.kind = TargetKind::Tool;
        target.tool = static_cast<const ast::ToolDecl*>(item.decl);
        if (target.tool->action) {
          target.action = *target.tool->action;
        } else {
          target.action = ast::Action::Write;  // an error below; the safer assumption meanwhile
          error(DiagCode::ToolWithoutAction, name.span, "tool " + bq(name.text) + " does not say whether it reads or writes",
                "add `read` or `write` before the `;`, e.g. `tool " + name.text + "(...) read;`");
        }
      } else if (item.kind == 1) {
        target.kind = TargetKind::Resource;
        target.resource = static_cast<const ast::ResourceDecl*>(item.decl);
        target.uri = target.resource->uri;
      } else {
        target.kind = TargetKind::Prompt;
        target.prompt = static_cast<const ast::PromptDecl*>(item.decl);
      }
      p_.target_index.emplace(target.name, target.index);
      p_.targets.push_back(std::move(target));
    }
  }
  // Singletons, `read` and `write` are shared by every rule that names them.
  auto& all = store({});
  for (const CheckedTarget& target : p_.targets) all.push_back(target.index);
  all_targets_ = all;
  auto& reads = store({});
  auto& writes = store({});
  for (const CheckedTarget& target : p_.targets)
    (target.action == ast::Action::Read ? reads : writes).push_back(target.index);
  p_.read_targets = reads;
  p_.write_targets = writes;
}

std::vector<TargetIndex>& Checker::store(std::vector<TargetIndex> set) {
  p_.target_set_storage.push_back(std::make_unique<std::vector<TargetIndex>>(std::move(set)));
  return *p_.target_set_storage.back();
}

// ---- roles -------------------------------------------------------------------------

std::vector<std::string_view> Checker::role_names() const {
  std::vector<std::string_view> names;
  for (const CheckedRole& role : p_.roles) names.push_back(role.name);
  return names;
}

void Checker::unknown_role(Span span, std::string_view name, std::string_view context) {
  std::string help = want_suggestions() ? did_you_mean(name, role_names()) : std::string();
  if (help.empty()) help = "declare it with `role " + std::string(name) + ";`";
  error(DiagCode::UnknownRole, span, "unknown role " + bq(name) + std::string(context), help);
}

void Checker::resolve_roles() {
  const std::size_t n = p_.roles.size();
  std::vector<std::vector<Edge>> edges(n);
  for (CheckedRole& role : p_.roles) {
    for (const ast::Name& parent : role.decl->parents) {
      const CheckedRole* found = p_.find_role(parent.text);
      if (found == nullptr) {
        unknown_role(parent.span, parent.text, "");
        continue;
      }
      role.parents.push_back(found->index);
      edges[role.index].push_back({found->index, parent.span});
    }
  }
  auto role_name = [&](std::uint32_t node) -> const std::string& { return p_.roles[node].name; };
  auto order = post_order(edges, [&](const auto& path, const Edge& closing) {
    report_cycle(sink_, path, closing, role_name, DiagCode::RoleCycle, "role inheritance cycle",
                 "remove one of the parents so no role includes itself", "includes");
  });
  for (std::uint32_t node : order) {
    std::vector<RoleIndex> includes{node};
    for (const Edge& edge : edges[node]) {
      if (edge.back) continue;
      const auto& parent = p_.roles[edge.to].includes;
      includes.insert(includes.end(), parent.begin(), parent.end());
    }
    sort_unique(includes);
    p_.roles[node].includes = std::move(includes);
  }
  for (const CheckedRole& role : p_.roles)
    for (RoleIndex included : role.includes) p_.roles[included].included_by.push_back(role.index);
  // included_by is filled in role-index order, so it is already sorted.
}

// ---- groups ------------------------------------------------------------------------

std::vector<std::string_view> Checker::target_names() const {
  std::vector<std::string_view> names;
  for (const CheckedTarget& target : p_.targets) names.push_back(target.name);
  for (const CheckedGroup& group : p_.groups) names.push_back(group.name);
  return names;
}

void Checker::unknown_target(const ast::Target& target) {
  std::string help = want_suggestions() ? did_you_mean(target.name, target_names()) : std::string();
  if (help.empty())
    help = "declare it with `tool " + target.name + "(...) read;`, or name a resource, prompt or group";
  error(DiagCode::UnknownTarget, target.span, "unknown tool, resource, prompt or group " + bq(target.name), help);
}

void Checker::resolve_groups() {
  const std::size_t n = p_.groups.size();
  std::vector<std::vector<Edge>> edges(n);
  std::vector<std::vector<TargetIndex>> direct(n);
  for (std::uint32_t g = 0; g < n; ++g) {
    for (const ast::Target& member : p_.groups[g].decl->members) {
      switch (member.kind) {
        case ast::Target::Kind::AllRead:
          direct[g].insert(direct[g].end(), p_.read_targets.begin(), p_.read_targets.end());
          break;
        case ast::Target::Kind::AllWrite:
          direct[g].insert(direct[g].end(), p_.write_targets.begin(), p_.write_targets.end());
          break;
        case ast::Target::Kind::Named:
          if (const CheckedTarget* target = p_.find_target(member.name)) {
            direct[g].push_back(target->index);
          } else if (const std::uint32_t* group = find_in(p_.group_index, member.name)) {
            edges[g].push_back({*group, member.span});
          } else {
            unknown_target(member);
          }
          break;
      }
    }
  }
  auto group_name = [&](std::uint32_t node) -> const std::string& { return p_.groups[node].name; };
  auto order = post_order(edges, [&](const auto& path, const Edge& closing) {
    report_cycle(sink_, path, closing, group_name, DiagCode::GroupCycle, "group contains itself",
                 "remove one of the nested groups so no group contains itself", "contains");
  });
  for (std::uint32_t g : order) {
    std::vector<TargetIndex> set = std::move(direct[g]);
    for (const Edge& edge : edges[g])
      if (!edge.back) set.insert(set.end(), p_.groups[edge.to].targets.begin(), p_.groups[edge.to].targets.end());
    sort_unique(set);
    p_.groups[g].targets = store(std::move(set));
  }
}

}  // namespace authz::checker_internal
