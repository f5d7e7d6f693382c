// checker.cpp — name resolution, type checking and policy rules (see checker.h).
//
// Phases, in order, each over all files: file headers; declare names (types,
// roles, targets and groups, obligations); resolve attribute and parameter
// types; role inheritance and group expansion (iterative DFS, cycles reported
// once per closing edge); then rules and grants. Target sets are shared: a
// single target, a group, `read` and `write` reuse precomputed storage, and
// other unions are interned, so 100k rules cost linear time and memory.
#include "compiler/checker.h"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <limits>
#include <string_view>
#include <utility>

#include "runtime/internal/closest_name.h"

#include "runtime/table_model.h"
#include "runtime/internal/uri_template.h"

namespace authz {

// ---- CheckedPolicy lookups ----------------------------------------------------

CheckedPolicy::CheckedPolicy() : types(std::make_unique<TypeContext>()) {}

namespace {
template <class Map>
const typename Map::mapped_type* find_in(const Map& map, std::string_view key) {
  auto found = map.find(std::string(key));
  return found == map.end() ? nullptr : &found->second;
}
}  // namespace

const CheckedRole* CheckedPolicy::find_role(std::string_view role) const {
  const RoleIndex* index = find_in(role_index, role);
  return index ? &roles[*index] : nullptr;
}
const CheckedTarget* CheckedPolicy::find_target(std::string_view target) const {
  const TargetIndex* index = find_in(target_index, target);
  return index ? &targets[*index] : nullptr;
}
const CheckedGroup* CheckedPolicy::find_group(std::string_view group) const {
  const std::uint32_t* index = find_in(group_index, group);
  return index ? &groups[*index] : nullptr;
}
const CheckedObligation* CheckedPolicy::find_obligation(std::string_view obligation) const {
  const ObligationIndex* index = find_in(obligation_index, obligation);
  return index ? &obligations[*index] : nullptr;
}
const Type* CheckedPolicy::find_type(std::string_view type) const {
  const Type* const* found = find_in(type_index, type);
  return found ? *found : nullptr;
}

namespace {

using ast::Expr;
using ast::ExprKind;

std::string bq(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '`';
  out += text;
  out += '`';
  return out;
}

std::string bq(const Type* type) { return bq(to_string(type)); }

// The closest candidate to `name` (runtime/internal/closest_name.h), as help text, or "".
std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates) {
  return runtime::internal::did_you_mean(runtime::internal::closest_name(name, candidates));
}

// The path `user.a.b` / `args.x` an expression names, for `has` guards; "" when
// the expression is not such a path.
std::string guard_path(const Expr* expr) {
  if (expr == nullptr) return {};
  switch (expr->kind) {
    case ExprKind::User: return "user";
    case ExprKind::Args: return "args";
    // A bound name (a role never has attributes; `user` and `args` are
    // keywords, so never bound). Its guards cannot leak to another quantifier
    // binding the same name: collect_guards stops at a quantifier, and
    // check_quantifier drops the body's guards.
    case ExprKind::Name: return expr->text;
    case ExprKind::Member: {
      if (expr->children.empty()) return {};
      std::string base = guard_path(expr->children[0].get());
      if (base.empty()) return {};
      return base + "." + expr->text;
    }
    default: return {};
  }
}

// Appends the guards an expression establishes when it is true:
// `x has f` guards `x.f`; `a && b` everything a or b guards; `a || b` what both guard.
void collect_guards(const Expr* expr, std::vector<std::string>& out) {
  if (expr == nullptr) return;
  switch (expr->kind) {
    case ExprKind::Has: {
      if (expr->children.empty()) return;
      std::string base = guard_path(expr->children[0].get());
      if (!base.empty()) out.push_back(base + "." + expr->text);
      return;
    }
    case ExprKind::And:
      for (const auto& child : expr->children) collect_guards(child.get(), out);
      return;
    case ExprKind::Or: {
      if (expr->children.empty()) return;
      std::vector<std::string> common;
      collect_guards(expr->children[0].get(), common);
      for (std::size_t i = 1; i < expr->children.size() && !common.empty(); ++i) {
        std::vector<std::string> next;
        collect_guards(expr->children[i].get(), next);
        std::erase_if(common, [&](const std::string& path) {
          return std::find(next.begin(), next.end(), path) == next.end();
        });
      }
      out.insert(out.end(), common.begin(), common.end());
      return;
    }
    default: return;
  }
}

bool is_constant(const Expr* expr) {
  if (expr == nullptr) return false;
  switch (expr->kind) {
    case ExprKind::Bool:
    case ExprKind::Int:
    case ExprKind::String:
    case ExprKind::Timestamp:
    case ExprKind::Duration:
    case ExprKind::Name:  // a role
      return true;
    case ExprKind::Negate:
      return expr->children.size() == 1 && expr->children[0] &&
             (expr->children[0]->kind == ExprKind::Int || expr->children[0]->kind == ExprKind::Duration);
    case ExprKind::List:
      return std::all_of(expr->children.begin(), expr->children.end(),
                         [](const ast::ExprPtr& child) { return is_constant(child.get()); });
    default: return false;
  }
}

// Values of two types can be compared with `==` (and be elements of one collection).
bool comparable(const Type* a, const Type* b) {
  if (a->is_error() || b->is_error() || a == b) return true;
  if (a->is_numeric() && b->is_numeric()) return true;
  if ((a->kind == TypeKind::Entity && b->kind == TypeKind::String) ||
      (a->kind == TypeKind::String && b->kind == TypeKind::Entity))
    return true;  // an entity compares by its id
  if (a->kind == TypeKind::EmptyList) return b->is_collection();
  if (b->kind == TypeKind::EmptyList) return a->is_collection();
  if (a->kind == b->kind &&
      (a->kind == TypeKind::Set || a->kind == TypeKind::List || a->kind == TypeKind::Map))
    return comparable(a->element, b->element);
  return false;
}

// The element type of a Set / List, Error for `[]` (no elements to mismatch).
const Type* element_of(const Type* collection, const Type* error) {
  return collection->kind == TypeKind::EmptyList ? error : collection->element;
}

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

// Sorts `values` and drops repeats.
template <class T>
void sort_unique(std::vector<T>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

// ---- the checker -----------------------------------------------------------------

struct ArgsLookup {
  enum class Status { Found, Unknown, NotInAll, Conflict } status = Status::Unknown;
  const Type* type = nullptr;  // Found: the common type, optional when any target has it optional
  TargetIndex with = 0;        // a target that declares it (Found / NotInAll / Conflict)
  TargetIndex other = 0;       // NotInAll: a target without it; Conflict: one with another type
};

// A name bound by an enclosing quantifier (`all(p in args.paths: ...)`).
struct BoundName {
  std::string name;
  const Type* type = nullptr;  // the list's element type
  Span span;                   // where it was bound
};

struct ExprScope {
  std::span<const TargetIndex> targets;
  bool targets_incomplete = false;  // a target was unknown: stay quiet about `args`
  bool args_allowed = true;
  std::vector<std::string> guards;  // paths proven present by `has`
  std::vector<BoundName> bound;     // innermost quantifier last
};

// How many quantifiers may nest: each binds one slot of the evaluator
// (runtime::kMaxBoundSlots).
inline constexpr std::size_t kMaxQuantifierNesting = runtime::kMaxBoundSlots;

class Checker {
 public:
  Checker(CheckedPolicy& policy, DiagnosticSink& sink) : p_(policy), sink_(sink), types_(*policy.types) {}

  void run() {
    check_files();
    declare_types();
    declare_roles();
    declare_targets_and_groups();
    declare_obligations();
    resolve_record_fields();
    resolve_target_params();
    resolve_obligation_params();
    resolve_roles();
    resolve_groups();
    check_duplicate_ids();
    check_rules_and_grants();
  }

 private:
  bool want_suggestions() const { return sink_.error_count() < DiagnosticSink::kMaxErrors; }

  Diagnostic& error(DiagCode code, Span span, std::string message, std::string help = {}) {
    return sink_.report(code, span, std::move(message), std::move(help));
  }

  std::vector<const ast::File*> files() const {
    std::vector<const ast::File*> out;
    for (const auto& file : p_.program.files)
      if (file) out.push_back(file.get());
    return out;
  }

  // ---- files ----

  void check_files() {
    const ast::File* named_policy = nullptr;
    for (const ast::File* file : files())
      if (file->has_header && !file->is_module && named_policy == nullptr) named_policy = file;
    const ast::File* first_policy = nullptr;
    for (const ast::File* file : files()) {
      if (!file->has_header) continue;
      if (file->is_module) {
        auto in_module = [&](Span span, const char* what) {
          error(DiagCode::RuleInModule, span, std::string("a module cannot contain ") + what,
                "move it into a file that starts with `policy " +
                    (named_policy ? named_policy->name : std::string("NAME")) + ";`")
              .notes.push_back({file->header_span, bq(file->name) + " is a module"});
        };
        for (const auto& rule : file->rules) in_module(rule.id.span, "rules");
        for (const auto& grant : file->grants) in_module(grant.id.span, "grants");
        for (const auto& def : file->defaults) in_module(def.span, "a `default` declaration");
        continue;
      }
      if (first_policy == nullptr) {
        first_policy = file;
        p_.name = file->name;
      } else if (file->name != first_policy->name) {
        error(DiagCode::PolicyNameMismatch, file->header_span,
              "this file belongs to policy " + bq(file->name) + ", but the policy is " + bq(first_policy->name),
              "write `policy " + first_policy->name + ";` or compile the files separately")
            .notes.push_back({first_policy->header_span, "the policy is named " + bq(first_policy->name) + " here"});
      }
    }
    // Modules get a pass for their rules above; their defaults are reported there too.
    for (const ast::File* file : files()) {
      if (file->has_header && file->is_module) continue;
      for (const auto& def : file->defaults) {
        if (def.effect == ast::Effect::Deny) {
          error(DiagCode::RedundantDefaultDeny, def.span, "`default deny` is already the default",
                "remove this line; every request that no rule allows is denied");
        } else {
          error(DiagCode::DefaultAllow, def.span, "`default allow` is not supported",
                "every request is denied unless a rule allows it; write `allow` rules for what should be "
                "permitted, e.g. `allow reps_read: rep may read;`");
        }
      }
    }
  }

  // ---- declarations ----

  void duplicate(Span again, std::string_view what, std::string_view name, Span first) {
    error(DiagCode::DuplicateDeclaration, again, std::string(what) + " " + bq(name) + " is declared twice",
          "rename or remove one of them")
        .notes.push_back({first, bq(name) + " was first declared here"});
  }

  void declare_types() {
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

  // Declares one checked entry (index, name, span, decl) per declaration of a
  // kind with its own namespace (roles, obligations), reporting repeats.
  template <class Checked, class Decl, class Index>
  void declare_named(std::vector<Decl> ast::File::*decls, std::string_view what, std::vector<Checked>& out,
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

  void declare_roles() { declare_named(&ast::File::roles, "role", p_.roles, p_.role_index); }

  Span target_or_group_span(std::string_view name) const {
    if (const CheckedTarget* target = p_.find_target(name)) return target->span;
    if (const CheckedGroup* group = p_.find_group(name)) return group->span;
    return Span{};
  }

  void declare_targets_and_groups() {
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

  std::vector<TargetIndex>& store(std::vector<TargetIndex> set) {
    p_.target_set_storage.push_back(std::make_unique<std::vector<TargetIndex>>(std::move(set)));
    return *p_.target_set_storage.back();
  }

  void declare_obligations() {
    declare_named(&ast::File::obligations, "obligation", p_.obligations, p_.obligation_index);
  }

  // ---- types as written ----

  enum class TypeUse { Attribute, ObligationParam };

  const Type* resolve_type(const ast::TypeRef& ref, TypeUse use) {
    const Type* type = resolve_required(ref, use);
    return ref.optional ? types_.optional(type) : type;
  }

  const Type* resolve_element(const ast::TypeRef& ref, TypeUse use) {
    const Type* type = resolve_required(ref, use);
    if (ref.optional && !type->is_error()) {
      error(DiagCode::InvalidTypeArguments, ref.span, "an element type cannot be optional",
            "remove the `?`; only attributes and parameters can be optional");
    }
    return type;
  }

  const Type* resolve_required(const ast::TypeRef& ref, TypeUse use) {
    const std::string& name = ref.name.text;
    const std::size_t count = ref.arguments.size();
    if (name == "Set" || name == "List") {
      if (count != 1) {
        error(DiagCode::InvalidTypeArguments, ref.span,
              bq(name) + " takes one type argument, found " + std::to_string(count),
              "write `" + name + "<String>`");
        return types_.error_type();
      }
      const Type* element = resolve_element(ref.arguments[0], use);
      return name == "Set" ? types_.set_of(element) : types_.list_of(element);
    }
    if (name == "Map") {
      if (count != 2) {
        error(DiagCode::InvalidTypeArguments, ref.span, "`Map` takes two type arguments, found " + std::to_string(count),
              "write `Map<String, Int>`");
        return types_.error_type();
      }
      const Type* key = resolve_element(ref.arguments[0], use);
      const Type* value = resolve_element(ref.arguments[1], use);
      if (!key->is_error() && key->kind != TypeKind::String) {
        error(DiagCode::InvalidTypeArguments, ref.arguments[0].span, "`Map` keys must be `String`, found " + bq(key),
              "write `Map<String, " + to_string(value) + ">`");
        return types_.error_type();
      }
      return types_.map_of(value);
    }
    const Type* type = types_.builtin_scalar(name);
    if (type == nullptr) type = p_.find_type(name);
    if (type == nullptr) {
      std::string help;
      if (want_suggestions()) {
        std::vector<std::string_view> candidates = {"Bool", "Int",  "Number", "String", "Timestamp",
                                                    "Duration", "Role", "Set", "List", "Map"};
        for (const std::string& declared : type_names_) candidates.push_back(declared);
        help = did_you_mean(name, candidates);
      }
      if (help.empty()) help = "declare it with `entity " + name + " { ... }` or `record " + name + " { ... }`";
      error(DiagCode::UnknownType, ref.name.span, "unknown type " + bq(name), help);
      return types_.error_type();
    }
    if (count != 0) {
      error(DiagCode::InvalidTypeArguments, ref.span, bq(name) + " takes no type arguments", "write `" + name + "`");
      return types_.error_type();
    }
    if (type->kind == TypeKind::Principal) {
      error(DiagCode::EntityAsValue, ref.name.span, "the principal type " + bq(name) + " cannot be used as a type here",
            "store the user's id as `String`");
      return types_.error_type();
    }
    if (type->kind == TypeKind::Entity && use == TypeUse::ObligationParam) {
      error(DiagCode::EntityAsValue, ref.name.span,
            "obligation parameters must be plain values, but " + bq(name) + " is an entity",
            "use `String` to pass the entity's id");
      return types_.error_type();
    }
    return type;
  }

  // Builds an attribute list from fields; `builtins` are implicit attributes a
  // declaration may repeat only with the same type.
  AttributeList resolve_fields(const std::vector<ast::Field>& fields, TypeUse use, std::string_view owner,
                               std::vector<Attribute> builtins) {
    std::vector<Attribute> out = std::move(builtins);
    const std::size_t builtin_count = out.size();
    std::vector<const ast::Field*> declared_by(out.size(), nullptr);
    for (const ast::Field& field : fields) {
      const Type* type = resolve_type(field.type, use);
      auto same = std::find_if(out.begin(), out.end(), [&](const Attribute& a) { return a.name == field.name.text; });
      if (same != out.end()) {
        std::size_t at = static_cast<std::size_t>(same - out.begin());
        if (at < builtin_count && declared_by[at] == nullptr) {
          if (type != same->type && !type->is_error()) {
            error(DiagCode::ReservedAttributeType, field.type.span,
                  bq(field.name.text) + " is built in as " + bq(same->type) + " and cannot be redeclared as " + bq(type),
                  "remove " + bq(field.name.text) + " from " + bq(owner) + "; it is always there as `" +
                      field.name.text + ": " + to_string(same->type) + "`");
          } else {
            same->span = field.name.span;
            same->implicit = false;
          }
          declared_by[at] = &field;
          continue;
        }
        Span first = declared_by[at] ? declared_by[at]->name.span : same->span;
        error(DiagCode::DuplicateField, field.name.span, bq(field.name.text) + " is declared twice in " + bq(owner),
              "remove one of them")
            .notes.push_back({first, bq(field.name.text) + " was first declared here"});
        continue;
      }
      Attribute attribute;
      attribute.name = field.name.text;
      attribute.type = type;
      attribute.span = field.name.span;
      attribute.sensitive = field.sensitive;
      out.push_back(std::move(attribute));
      declared_by.push_back(&field);
    }
    AttributeList list;
    for (Attribute& attribute : out) list.add(std::move(attribute));
    return list;
  }

  Attribute builtin(std::string name, const Type* type) {
    Attribute attribute;
    attribute.name = std::move(name);
    attribute.type = type;
    attribute.implicit = true;
    return attribute;
  }

  void resolve_record_fields() {
    for (const auto& [decl, type] : record_decls_) {
      std::vector<Attribute> builtins;
      if (type->kind == TypeKind::Principal) {
        builtins.push_back(builtin("id", types_.string_type()));
        builtins.push_back(builtin("roles", types_.set_of(types_.role_type())));
      } else if (type->kind == TypeKind::Entity) {
        builtins.push_back(builtin("id", types_.string_type()));
      }
      static const std::vector<ast::Field> kNoFields;
      types_.set_attributes(type, resolve_fields(decl ? decl->fields : kNoFields, TypeUse::Attribute, type->name,
                                                 std::move(builtins)));
    }
  }

  void resolve_target_params() {
    for (CheckedTarget& target : p_.targets) {
      if (target.tool) {
        target.params = resolve_fields(target.tool->params, TypeUse::Attribute, target.name, {});
      } else if (target.prompt) {
        target.params = resolve_fields(target.prompt->params, TypeUse::Attribute, target.name, {});
      } else if (target.resource) {
        resolve_resource_template(target);
      }
    }
  }

  void resolve_resource_template(CheckedTarget& target) {
    const ast::ResourceDecl& decl = *target.resource;
    // The span covers the quoted literal; offsets map 1:1 when nothing was escaped.
    const bool exact = decl.uri_span.valid() && decl.uri_span.end - decl.uri_span.begin == decl.uri.size() + 2;
    auto span_at = [&](std::size_t offset, std::size_t length) {
      if (!exact) return decl.uri_span;
      Span span = decl.uri_span;
      span.begin += static_cast<std::uint32_t>(offset + 1);
      span.end = span.begin + static_cast<std::uint32_t>(length);
      return span;
    };
    // The runtime's parser: what checks clean here is what the table loader accepts.
    runtime::UriTemplateError problem;
    auto parsed = runtime::parse_uri_template(decl.uri, problem);
    if (!parsed) {
      error(DiagCode::InvalidResourceUri, span_at(problem.offset, problem.length), problem.message,
            "write template variables as `{name}`, or with one of the operators `+ # / . ? &` (e.g. "
            "`\"file:///{+path}\"`, `\"demo://search{?q,limit}\"`); each variable appears once");
      return;
    }
    target.uri_is_template = parsed->variable_count > 0;
    for (const runtime::UriTemplate::Piece& piece : parsed->pieces) {
      if (!piece.variable) continue;
      const Type* type = piece.explode != 0 ? types_.list_of(types_.string_type()) : types_.string_type();
      Attribute attribute = builtin(piece.text, type);
      attribute.span = span_at(piece.offset, piece.text.size());
      target.params.add(std::move(attribute));
    }
  }

  void resolve_obligation_params() {
    for (CheckedObligation& obligation : p_.obligations)
      obligation.params = resolve_fields(obligation.decl->params, TypeUse::ObligationParam, obligation.name, {});
  }

  // ---- roles ----

  std::vector<std::string_view> role_names() const {
    std::vector<std::string_view> names;
    for (const CheckedRole& role : p_.roles) names.push_back(role.name);
    return names;
  }

  void unknown_role(Span span, std::string_view name, std::string_view context) {
    std::string help = want_suggestions() ? did_you_mean(name, role_names()) : std::string();
    if (help.empty()) help = "declare it with `role " + std::string(name) + ";`";
    error(DiagCode::UnknownRole, span, "unknown role " + bq(name) + std::string(context), help);
  }

  void resolve_roles() {
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

  // ---- targets and groups ----

  std::vector<std::string_view> target_names() const {
    std::vector<std::string_view> names;
    for (const CheckedTarget& target : p_.targets) names.push_back(target.name);
    for (const CheckedGroup& group : p_.groups) names.push_back(group.name);
    return names;
  }

  void unknown_target(const ast::Target& target) {
    std::string help = want_suggestions() ? did_you_mean(target.name, target_names()) : std::string();
    if (help.empty())
      help = "declare it with `tool " + target.name + "(...) read;`, or name a resource, prompt or group";
    error(DiagCode::UnknownTarget, target.span, "unknown tool, resource, prompt or group " + bq(target.name), help);
  }

  void resolve_groups() {
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

  // The target set a rule or grant names, shared where possible.
  std::span<const TargetIndex> resolve_targets(const std::vector<ast::Target>& targets, bool& incomplete) {
    std::vector<std::span<const TargetIndex>> parts;
    for (const ast::Target& target : targets) {
      switch (target.kind) {
        case ast::Target::Kind::AllRead: parts.push_back(p_.read_targets); break;
        case ast::Target::Kind::AllWrite: parts.push_back(p_.write_targets); break;
        case ast::Target::Kind::Named:
          if (const TargetIndex* index = find_in(p_.target_index, target.name)) {
            parts.push_back(all_targets_.subspan(*index, 1));
          } else if (const std::uint32_t* group = find_in(p_.group_index, target.name)) {
            parts.push_back(p_.groups[*group].targets);
          } else {
            unknown_target(target);
            incomplete = true;
          }
          break;
      }
    }
    if (parts.empty()) return {};
    if (parts.size() == 1) return parts[0];
    std::vector<TargetIndex> set;
    for (auto part : parts) set.insert(set.end(), part.begin(), part.end());
    sort_unique(set);
    auto [slot, inserted] = interned_sets_.try_emplace(set);
    if (inserted) slot->second = store(std::move(set));
    return slot->second;
  }

  // ---- rule and grant ids ----

  void check_duplicate_ids() {
    // Keys view the ids inside the ASTs, which outlive this map.
    std::unordered_map<std::string_view, Span> seen;
    std::size_t total = 0;
    for (const ast::File* file : files()) total += file->rules.size() + file->grants.size();
    seen.reserve(total);
    for (const ast::File* file : files()) {
      std::vector<const ast::Name*> ids;
      for (const auto& rule : file->rules) ids.push_back(&rule.id);
      for (const auto& grant : file->grants) ids.push_back(&grant.id);
      std::stable_sort(ids.begin(), ids.end(),
                       [](const ast::Name* a, const ast::Name* b) { return a->span.begin < b->span.begin; });
      for (const ast::Name* id : ids) {
        auto [slot, inserted] = seen.emplace(id->text, id->span);
        if (inserted) continue;
        error(DiagCode::DuplicateRuleId, id->span, "id " + bq(id->text) + " is used twice",
              "give every rule and grant its own id")
            .notes.push_back({slot->second, bq(id->text) + " was first used here"});
      }
    }
  }

  // ---- rules and grants ----

  void check_window(const std::optional<ast::TimeBound>& from, const std::optional<ast::TimeBound>& until) {
    if (from && until && from->millis >= until->millis) {
      error(DiagCode::EmptyValidityWindow, until->span, "`until` is not after `from`, so this never applies",
            "make `until` later than `from`")
          .notes.push_back({from->span, "`from` is here"});
    }
  }

  void check_rules_and_grants() {
    std::size_t rules = 0, grants = 0;
    for (const ast::File* file : files()) {
      rules += file->rules.size();
      grants += file->grants.size();
    }
    p_.rules.reserve(rules);
    p_.grants.reserve(grants);
    for (const ast::File* file : files()) {
      for (const ast::RuleDecl& rule : file->rules) check_rule(rule);
      for (const ast::GrantDecl& grant : file->grants) check_grant(grant);
    }
  }

  void check_rule(const ast::RuleDecl& decl) {
    CheckedRule rule;
    rule.index = static_cast<std::uint32_t>(p_.rules.size());
    rule.decl = &decl;
    rule.effect = decl.effect;
    rule.id = decl.id.text;
    rule.span = decl.id.span;
    const bool allow = decl.effect == ast::Effect::Allow;

    if (!decl.doc || decl.doc->text.find_first_not_of(" \t\r\n") == std::string::npos) {
      error(DiagCode::MissingDocComment, decl.id.span, "rule " + bq(decl.id.text) + " has no doc comment",
            "add a `///` line above the rule saying why it exists");
    }

    // Subjects.
    if (!decl.subjects_given) {
      if (allow) {
        error(DiagCode::AllowWithoutSubjects, decl.id.span, "allow rule " + bq(decl.id.text) + " names no subjects",
              "say who it is for, e.g. `allow " + decl.id.text + ": rep may ...` or `anyone may ...`");
      } else {
        rule.anyone = true;
      }
    }
    for (const ast::Subject& subject : decl.subjects) {
      switch (subject.kind) {
        case ast::Subject::Kind::Anyone: rule.anyone = true; break;
        case ast::Subject::Kind::User:
          if (subject.name.empty()) {
            error(DiagCode::EmptyUserId, subject.span, "user id is empty", "write the user's id, e.g. `user \"u-ann\"`");
          } else if (std::find(rule.users.begin(), rule.users.end(), subject.name) == rule.users.end()) {
            rule.users.push_back(subject.name);
          }
          break;
        case ast::Subject::Kind::Role:
          if (const CheckedRole* role = p_.find_role(subject.name)) {
            if (std::find(rule.roles.begin(), rule.roles.end(), role->index) == rule.roles.end())
              rule.roles.push_back(role->index);
          } else {
            unknown_role(subject.span, subject.name, "");
          }
          break;
      }
    }
    for (RoleIndex role : rule.roles) {
      const auto& by = p_.roles[role].included_by;
      rule.matching_roles.insert(rule.matching_roles.end(), by.begin(), by.end());
    }
    if (rule.roles.size() > 1) sort_unique(rule.matching_roles);

    // Targets and window.
    ExprScope scope;
    rule.targets = resolve_targets(decl.targets, scope.targets_incomplete);
    scope.targets = rule.targets;
    if (decl.from) rule.from = decl.from->millis;
    if (decl.until) rule.until = decl.until->millis;
    check_window(decl.from, decl.until);

    // Conditions: a `when` guard does not carry into `unless`.
    if (decl.when) {
      check_condition(*decl.when, scope, "when");
      rule.when = decl.when.get();
    }
    if (decl.unless) {
      scope.guards.clear();
      check_condition(*decl.unless, scope, "unless");
      rule.unless = decl.unless.get();
    }

    if (allow && rule.anyone && !decl.when && !decl.unless && !p_.targets.empty() &&
        rule.targets.size() == p_.targets.size()) {
      error(DiagCode::AllowEverything, decl.id.span,
            "rule " + bq(decl.id.text) + " allows every call to everyone",
            "name the roles it is for, narrow the targets, or add a `when` condition");
    }

    // Obligations.
    for (const ast::ObligationUse& use : decl.obligations) {
      if (!allow) {
        error(DiagCode::ObligationOnDeny, use.name.span, "obligation " + bq(use.name.text) + " is attached to a deny rule",
              "obligations only apply to allowed calls; remove the `with` clause");
        continue;
      }
      if (auto call = check_obligation_use(use)) rule.obligations.push_back(std::move(*call));
    }
    p_.rules.push_back(std::move(rule));
  }

  void check_grant(const ast::GrantDecl& decl) {
    CheckedGrant grant;
    grant.index = static_cast<std::uint32_t>(p_.grants.size());
    grant.decl = &decl;
    grant.id = decl.id.text;
    grant.span = decl.id.span;
    grant.user = decl.user;
    if (decl.user.empty())
      error(DiagCode::EmptyUserId, decl.user_span, "user id is empty", "write the user's id, e.g. `user \"u-alice\"`");
    bool incomplete = false;
    grant.targets = resolve_targets(decl.targets, incomplete);
    if (decl.from) grant.from = decl.from->millis;
    if (decl.until) {
      grant.until = decl.until->millis;
    } else {
      error(DiagCode::GrantWithoutExpiry, decl.id.span, "grant " + bq(decl.id.text) + " has no `until`",
            "grants are temporary; add an end, e.g. `until 2026-12-01T00:00:00Z`");
    }
    if (!decl.because) {
      error(DiagCode::GrantWithoutReason, decl.id.span, "grant " + bq(decl.id.text) + " has no `because`",
            "say why it exists, e.g. `because \"INC-4521\"`");
    } else {
      grant.reason = *decl.because;
      if (decl.because->find_first_not_of(" \t\r\n") == std::string::npos)
        error(DiagCode::EmptyGrantReason, decl.because_span, "grant reason is empty",
              "say why the grant exists, e.g. a ticket id");
    }
    check_window(decl.from, decl.until);
    p_.grants.push_back(std::move(grant));
  }

  // ---- obligations ----

  std::optional<ObligationCall> check_obligation_use(const ast::ObligationUse& use) {
    const CheckedObligation* obligation = p_.find_obligation(use.name.text);
    if (obligation == nullptr) {
      std::string help;
      if (want_suggestions()) {
        std::vector<std::string_view> names;
        for (const CheckedObligation& o : p_.obligations) names.push_back(o.name);
        help = did_you_mean(use.name.text, names);
      }
      if (help.empty()) help = "declare it with `obligation " + use.name.text + "(...);`";
      error(DiagCode::UnknownObligation, use.name.span, "unknown obligation " + bq(use.name.text), help);
      for (const auto& argument : use.arguments) poison(argument.value.get());
      return std::nullopt;
    }
    ObligationCall call;
    call.obligation = obligation->index;
    call.use = &use;
    std::vector<const ast::NamedArgument*> by_param(obligation->params.size(), nullptr);
    bool ok = true;
    for (const ast::NamedArgument& argument : use.arguments) {
      const Attribute* param = obligation->params.find(argument.name.text);
      if (param == nullptr) {
        std::string help;
        if (want_suggestions()) {
          std::vector<std::string_view> names;
          for (const Attribute& a : obligation->params) names.push_back(a.name);
          help = did_you_mean(argument.name.text, names);
        }
        if (help.empty()) help = "remove it; " + bq(obligation->name) + " takes " + param_list(obligation->params);
        error(DiagCode::ObligationUnknownArgument, argument.name.span,
              "obligation " + bq(obligation->name) + " has no parameter " + bq(argument.name.text), help)
            .notes.push_back({obligation->span, bq(obligation->name) + " is declared here"});
        poison(argument.value.get());
        ok = false;
        continue;
      }
      std::size_t index = static_cast<std::size_t>(param - obligation->params.all().data());
      if (by_param[index] != nullptr) {
        error(DiagCode::ObligationUnknownArgument, argument.name.span, "argument " + bq(argument.name.text) + " is given twice",
              "remove one of them")
            .notes.push_back({by_param[index]->name.span, "first given here"});
        poison(argument.value.get());
        ok = false;
        continue;
      }
      by_param[index] = &argument;
      const Expr* value = argument.value.get();
      if (value == nullptr) { ok = false; continue; }
      if (!is_constant(value)) {
        error(DiagCode::ObligationArgumentNotConstant, value->span,
              "obligation argument " + bq(argument.name.text) + " must be a constant",
              "write a literal value such as `5`, `\"text\"` or `1h`");
        poison(argument.value.get());
        ok = false;
        continue;
      }
      ExprScope scope;
      scope.args_allowed = false;
      const Type* type = check(*argument.value, scope);
      const Type* wanted = TypeContext::required(param->type);
      if (type->is_error() || wanted->is_error()) { ok = false; continue; }
      if (!assignable(type, wanted)) {
        error(DiagCode::ObligationArgumentType, value->span,
              "obligation argument " + bq(argument.name.text) + " expects " + bq(wanted) + ", found " + bq(type))
            .notes.push_back({param->span, bq(argument.name.text) + " is declared here"});
        ok = false;
        continue;
      }
      call.arguments.push_back({param->name, static_cast<std::uint32_t>(index), to_constant(*value, wanted)});
    }
    std::vector<std::string> missing;
    for (std::size_t i = 0; i < by_param.size(); ++i) {
      const Attribute& param = obligation->params.all()[i];
      if (by_param[i] == nullptr && !param.optional()) missing.push_back(param.name);
    }
    if (!missing.empty()) {
      std::string list;
      std::string example;
      for (const std::string& name : missing) {
        list += (list.empty() ? "" : ", ") + bq(name);
        example += (example.empty() ? "" : ", ") + name + ": ...";
      }
      error(DiagCode::ObligationMissingArgument, use.name.span,
            "obligation " + bq(obligation->name) + " is missing " + (missing.size() == 1 ? "argument " : "arguments ") + list,
            "write `" + obligation->name + "(" + example + ")`")
          .notes.push_back({obligation->span, bq(obligation->name) + " is declared here"});
      ok = false;
    }
    std::sort(call.arguments.begin(), call.arguments.end(),
              [](const ObligationArgument& a, const ObligationArgument& b) { return a.param < b.param; });
    if (!ok) return std::nullopt;
    return call;
  }

  static std::string param_list(const AttributeList& params) {
    if (params.empty()) return "no arguments";
    std::string out;
    for (const Attribute& a : params) out += (out.empty() ? "" : ", ") + bq(a.name);
    return out;
  }

  // A constant of type `from` can be passed where `to` is expected.
  static bool assignable(const Type* from, const Type* to) {
    if (from == to || from->is_error() || to->is_error()) return true;
    if (from->kind == TypeKind::Int && to->kind == TypeKind::Number) return true;
    if (from->kind == TypeKind::EmptyList) return to->kind == TypeKind::Set || to->kind == TypeKind::List;
    if (from->kind == TypeKind::List && (to->kind == TypeKind::Set || to->kind == TypeKind::List))
      return assignable(from->element, to->element);
    return false;
  }

  Constant to_constant(const Expr& expr, const Type* type) {
    Constant constant;
    constant.type = type;
    switch (expr.kind) {
      case ExprKind::Bool: constant.bool_value = expr.bool_value; break;
      case ExprKind::Int:
      case ExprKind::Timestamp:
      case ExprKind::Duration:
        constant.int_value = expr.int_value;
        constant.number_value = static_cast<double>(expr.int_value);
        break;
      case ExprKind::Negate:
        constant.int_value = -expr.children[0]->int_value;
        constant.number_value = -static_cast<double>(expr.children[0]->int_value);
        break;
      case ExprKind::String: constant.string_value = expr.text; break;
      case ExprKind::Name:
        constant.string_value = expr.text;
        if (const CheckedRole* role = p_.find_role(expr.text)) constant.int_value = role->index;
        break;
      case ExprKind::List:
        for (const auto& child : expr.children)
          constant.elements.push_back(to_constant(*child, type->element ? type->element : type));
        break;
      default: break;
    }
    return constant;
  }

  // Marks an expression that will not be checked, so nothing downstream sees a null type.
  void poison(Expr* expr) {
    if (expr == nullptr) return;
    expr->type = types_.error_type();
    for (auto& child : expr->children) poison(child.get());
  }

  // ---- expressions ----

  void check_condition(Expr& expr, ExprScope& scope, const char* clause) {
    const Type* type = check(expr, scope);
    if (!type->is_error() && type->kind != TypeKind::Bool) {
      error(DiagCode::ConditionNotBool, expr.span,
            std::string("`") + clause + "` condition must be a `Bool`, found " + bq(type),
            "compare it with something, e.g. `... == \"value\"`");
    }
  }

  const Type* set(Expr& expr, const Type* type) {
    expr.type = type;
    return type;
  }

  const Type* child_type(Expr& expr, std::size_t i, ExprScope& scope) {
    if (i >= expr.children.size() || !expr.children[i]) return types_.error_type();
    return check(*expr.children[i], scope);
  }

  Span child_span(const Expr& expr, std::size_t i) const {
    return i < expr.children.size() && expr.children[i] ? expr.children[i]->span : expr.span;
  }

  const Type* check(Expr& expr, ExprScope& scope) {
    switch (expr.kind) {
      case ExprKind::Bool: return set(expr, types_.bool_type());
      case ExprKind::Int: return set(expr, types_.int_type());
      case ExprKind::String: return set(expr, types_.string_type());
      case ExprKind::Timestamp: return set(expr, types_.timestamp_type());
      case ExprKind::Duration: return set(expr, types_.duration_type());
      case ExprKind::Now: return set(expr, types_.timestamp_type());
      case ExprKind::User: return set(expr, p_.principal);
      case ExprKind::Args: return set(expr, check_args(expr, scope));
      case ExprKind::List: return set(expr, check_list(expr, scope));
      case ExprKind::Name: return set(expr, check_name(expr, scope));
      case ExprKind::Member: return set(expr, check_member(expr, scope));
      case ExprKind::Has: return set(expr, check_has(expr, scope));
      case ExprKind::Is: return set(expr, check_is(expr, scope));
      case ExprKind::Not: {
        const Type* operand = child_type(expr, 0, scope);
        if (!operand->is_error() && operand->kind != TypeKind::Bool)
          error(DiagCode::TypeMismatch, child_span(expr, 0), "`!` needs a `Bool`, found " + bq(operand));
        return set(expr, types_.bool_type());
      }
      case ExprKind::Negate: {
        const Type* operand = child_type(expr, 0, scope);
        if (operand->is_error()) return set(expr, operand);
        if (operand->is_numeric() || operand->kind == TypeKind::Duration) return set(expr, operand);
        error(DiagCode::InvalidArithmetic, expr.span, "cannot negate " + bq(operand),
              "`-` applies to `Int`, `Number` and `Duration` values");
        return set(expr, types_.error_type());
      }
      case ExprKind::Binary: return set(expr, check_binary(expr, scope));
      case ExprKind::And:
      case ExprKind::Or: return set(expr, check_logic(expr, scope));
      case ExprKind::All:
      case ExprKind::Any: return set(expr, check_quantifier(expr, scope));
    }
    return set(expr, types_.error_type());
  }

  // all(x in list: body) / any(...): `list` a List or Set, `x` its element
  // type inside `body` only, `body` a Bool. A bound name may not hide a role
  // or another bound name: the reader of the body must know what it means.
  const Type* check_quantifier(Expr& expr, ExprScope& scope) {
    const char* word = expr.kind == ExprKind::All ? "all" : "any";
    const Span name_span = expr.text_span.valid() ? expr.text_span : expr.span;
    const Type* list = child_type(expr, 0, scope);
    const Type* element = types_.error_type();
    if (list->kind == TypeKind::EmptyList) {
      error(DiagCode::QuantifierNotList, child_span(expr, 0),
            std::string("`") + word + "` over `[]`, which has no elements",
            expr.kind == ExprKind::All ? "`all` over an empty list is always true; remove it"
                                       : "`any` over an empty list is always false; remove it");
    } else if (!list->is_error() && list->kind != TypeKind::List && list->kind != TypeKind::Set) {
      error(DiagCode::QuantifierNotList, child_span(expr, 0),
            std::string("`") + word + "` needs a `List` or `Set` to range over, found " + bq(list),
            "write `" + std::string(word) + "(x in LIST: ...)` where LIST is a list, e.g. a `List<String>` argument");
    } else if (!list->is_error()) {
      element = list->element;
    }
    bool bind = !expr.text.empty();
    for (const BoundName& outer : scope.bound) {
      if (bind && outer.name == expr.text) {
        error(DiagCode::BoundNameShadows, name_span,
              "`" + expr.text + "` is already bound by an enclosing quantifier",
              "pick another name for the inner quantifier's element")
            .notes.push_back({outer.span, "`" + expr.text + "` is bound here"});
        bind = false;
      }
    }
    if (bind && p_.find_role(expr.text)) {
      error(DiagCode::BoundNameShadows, name_span, "`" + expr.text + "` is a role, so it cannot name a list element",
            "pick another name for the element, e.g. `x`");
      element = types_.error_type();
    }
    if (scope.bound.size() >= kMaxQuantifierNesting) {
      error(DiagCode::NestingTooDeep, expr.span,
            "quantifiers nested more than " + std::to_string(kMaxQuantifierNesting) + " levels deep",
            "split the condition into separate rules");
      element = types_.error_type();
    }
    scope.bound.push_back({expr.text, element, name_span});
    const std::size_t mark = scope.guards.size();
    const Type* body = child_type(expr, 1, scope);
    scope.guards.resize(mark);
    scope.bound.pop_back();
    if (!body->is_error() && body->kind != TypeKind::Bool) {
      error(DiagCode::TypeMismatch, child_span(expr, 1),
            std::string("the body of `") + word + "` must be a `Bool`, found " + bq(body),
            "compare the element with something, e.g. `" + expr.text + " under user.home`");
    }
    return types_.bool_type();
  }

  const Type* check_logic(Expr& expr, ExprScope& scope) {
    const bool is_and = expr.kind == ExprKind::And;
    const std::size_t mark = scope.guards.size();
    for (std::size_t i = 0; i < expr.children.size(); ++i) {
      const Type* type = child_type(expr, i, scope);
      if (!type->is_error() && type->kind != TypeKind::Bool) {
        error(DiagCode::TypeMismatch, child_span(expr, i),
              std::string(is_and ? "`&&`" : "`||`") + " needs `Bool` operands, found " + bq(type));
      }
      // The left side of `&&` guards everything to its right. Each path is kept
      // once, so long chains of repeated `has` tests stay linear.
      if (is_and) {
        std::vector<std::string> established;
        collect_guards(expr.children[i].get(), established);
        for (std::string& path : established)
          if (!guarded(scope, path)) scope.guards.push_back(std::move(path));
      }
    }
    scope.guards.resize(mark);
    return types_.bool_type();
  }

  const Type* check_list(Expr& expr, ExprScope& scope) {
    const Type* element = nullptr;
    bool poisoned = false;
    for (std::size_t i = 0; i < expr.children.size(); ++i) {
      const Type* type = child_type(expr, i, scope);
      if (type->is_error()) { poisoned = true; continue; }
      if (element == nullptr) { element = type; continue; }
      if (const Type* joined = join(element, type)) {
        element = joined;
      } else {
        error(DiagCode::TypeMismatch, child_span(expr, i),
              "list elements must all have one type, found " + bq(element) + " and " + bq(type));
        poisoned = true;
      }
    }
    if (poisoned) return types_.error_type();
    if (element == nullptr) return types_.empty_list_type();
    return types_.list_of(element);
  }

  // The common type of two list elements, or null.
  const Type* join(const Type* a, const Type* b) {
    if (a == b) return a;
    if (a->is_numeric() && b->is_numeric()) return types_.number_type();
    if ((a->kind == TypeKind::Entity && b->kind == TypeKind::String) ||
        (a->kind == TypeKind::String && b->kind == TypeKind::Entity))
      return types_.string_type();
    if (a->kind == TypeKind::EmptyList && (b->kind == TypeKind::List || b->kind == TypeKind::Set)) return b;
    if (b->kind == TypeKind::EmptyList && (a->kind == TypeKind::List || a->kind == TypeKind::Set)) return a;
    if (a->kind == b->kind && a->kind == TypeKind::List) {
      const Type* inner = join(a->element, b->element);
      return inner ? types_.list_of(inner) : nullptr;
    }
    return nullptr;
  }

  std::string what_is(std::string_view name) const {
    if (const CheckedTarget* target = p_.find_target(name)) {
      static const char* kKinds[] = {"a tool", "a resource", "a prompt"};
      return kKinds[static_cast<int>(target->kind)];
    }
    if (p_.find_group(name)) return "a group";
    if (p_.find_obligation(name)) return "an obligation";
    if (p_.find_type(name)) return "a type";
    return {};
  }

  const Type* check_name(Expr& expr, const ExprScope& scope) {
    for (auto it = scope.bound.rbegin(); it != scope.bound.rend(); ++it) {
      if (it->name == expr.text) return it->type;
    }
    if (p_.find_role(expr.text)) return types_.role_type();
    std::string help;
    std::string kind = what_is(expr.text);
    if (!kind.empty()) {
      help = bq(expr.text) + " is " + kind + "; only role names can stand alone in a condition";
    } else if (want_suggestions()) {
      help = did_you_mean(expr.text, role_names());
    }
    if (help.empty()) help = "use `user`, `args`, `now`, a literal, or a declared role name";
    error(DiagCode::UnknownName, expr.span, "unknown name " + bq(expr.text), help);
    return types_.error_type();
  }

  const Type* check_is(Expr& expr, ExprScope& scope) {
    const Type* subject = child_type(expr, 0, scope);
    const Expr* left = expr.children.empty() ? nullptr : expr.children[0].get();
    if (left != nullptr && left->kind != ExprKind::User && !subject->is_error()) {
      error(DiagCode::IsNeedsRole, left->span, "`is` tests the roles of `user`, not a value of type " + bq(subject),
            "write `user is " + expr.text + "`, or use `contains` for a set of roles");
    }
    if (!p_.find_role(expr.text)) {
      std::string help;
      std::string kind = what_is(expr.text);
      if (!kind.empty()) help = bq(expr.text) + " is " + kind + ", not a role";
      else if (want_suggestions()) help = did_you_mean(expr.text, role_names());
      if (help.empty()) help = "declare it with `role " + expr.text + ";`";
      error(DiagCode::IsNeedsRole, expr.text_span.valid() ? expr.text_span : expr.span,
            "`is` needs a role name, but " + bq(expr.text) + " is not a role", help);
    }
    return types_.bool_type();
  }

  const Type* check_args(Expr& expr, ExprScope& scope) {
    if (!scope.args_allowed) {
      error(DiagCode::ArgsWithoutTargets, expr.span, "`args` cannot be used here",
            "`args` is only available in `when` and `unless`");
      return types_.error_type();
    }
    if (scope.targets_incomplete && scope.targets.empty()) return types_.error_type();
    for (TargetIndex t : scope.targets)
      if (!p_.targets[t].params.empty()) return types_.args_type();
    if (scope.targets_incomplete) return types_.error_type();
    std::string targets;
    for (std::size_t i = 0; i < scope.targets.size() && i < 3; ++i)
      targets += (i ? ", " : "") + bq(p_.targets[scope.targets[i]].name);
    if (scope.targets.size() > 3) targets += ", ...";
    Diagnostic& d = error(DiagCode::ArgsWithoutTargets, expr.span,
                          scope.targets.empty() ? std::string("`args` is used but the rule names no targets")
                                                : "`args` is used but " + targets +
                                      (scope.targets.size() == 1 ? " takes no arguments" : " take no arguments"),
                          "remove the condition on `args`, or name targets that have parameters");
    if (!scope.targets.empty()) {
      const CheckedTarget& first = p_.targets[scope.targets[0]];
      d.notes.push_back({first.span, bq(first.name) + " is declared here"});
    }
    return types_.error_type();
  }

  ArgsLookup lookup_args(std::span<const TargetIndex> targets, const std::string& field) {
    // Big sets are usually shared (`read`, groups): remember their answers.
    std::string key;
    if (targets.size() > 8) {
      key = std::to_string(reinterpret_cast<std::uintptr_t>(targets.data())) + ":" + std::to_string(targets.size()) +
            ":" + field;
      auto found = args_cache_.find(key);
      if (found != args_cache_.end()) return found->second;
    }
    ArgsLookup result;
    bool any_with = false, any_without = false, any_optional = false;
    const Type* common = nullptr;
    for (TargetIndex t : targets) {
      const Attribute* param = p_.targets[t].params.find(field);
      if (param == nullptr) {
        if (!any_without) result.other = t;
        any_without = true;
        continue;
      }
      any_optional = any_optional || param->optional();
      const Type* type = TypeContext::required(param->type);
      if (!any_with) {
        any_with = true;
        result.with = t;
        common = type;
      } else if (type != common && !type->is_error() && !common->is_error() &&
                 result.status != ArgsLookup::Status::Conflict) {
        result.status = ArgsLookup::Status::Conflict;
        result.other = t;
      }
    }
    if (result.status != ArgsLookup::Status::Conflict) {
      if (!any_with) result.status = ArgsLookup::Status::Unknown;
      else if (any_without) result.status = ArgsLookup::Status::NotInAll;
      else result.status = ArgsLookup::Status::Found;
    }
    if (common != nullptr) result.type = any_optional ? types_.optional(common) : common;
    if (!key.empty()) args_cache_.emplace(std::move(key), result);
    return result;
  }

  // The declared type of `object.field` (possibly optional), reporting
  // unknown attributes; Error when reported or when the object is poison.
  const Type* attribute_type(const Type* object, const std::string& field, Span field_span, ExprScope& scope) {
    if (object->is_error()) return types_.error_type();
    if (object->kind == TypeKind::Args) {
      ArgsLookup found = lookup_args(scope.targets, field);
      switch (found.status) {
        case ArgsLookup::Status::Found: return found.type;
        case ArgsLookup::Status::Unknown: {
          if (scope.targets_incomplete) return types_.error_type();
          std::string help;
          if (want_suggestions()) {
            std::vector<std::string_view> names;
            for (TargetIndex t : scope.targets)
              for (const Attribute& param : p_.targets[t].params) names.push_back(param.name);
            help = did_you_mean(field, names);
          }
          const CheckedTarget& first = p_.targets[scope.targets[0]];
          if (help.empty()) help = bq(first.name) + " takes " + param_list(first.params);
          std::string where = scope.targets.size() == 1 ? bq(first.name) + " has" : "no target of this rule has";
          error(DiagCode::UnknownAttribute, field_span, where + " no parameter " + bq(field), help)
              .notes.push_back({first.span, bq(first.name) + " is declared here"});
          return types_.error_type();
        }
        case ArgsLookup::Status::NotInAll: {
          const CheckedTarget& without = p_.targets[found.other];
          const CheckedTarget& with = p_.targets[found.with];
          Diagnostic& d = error(DiagCode::ArgumentNotInAllTargets, field_span,
                                "argument " + bq(field) + " is not declared by every target of this rule",
                                "split the rule so each group of targets with this argument has its own rule");
          d.notes.push_back({without.span, bq(without.name) + " has no parameter " + bq(field)});
          if (const Attribute* param = with.params.find(field))
            d.notes.push_back({param->span, bq(with.name) + " declares it here"});
          return types_.error_type();
        }
        case ArgsLookup::Status::Conflict: {
          const CheckedTarget& a = p_.targets[found.with];
          const CheckedTarget& b = p_.targets[found.other];
          const Attribute* pa = a.params.find(field);
          const Attribute* pb = b.params.find(field);
          Diagnostic& d = error(DiagCode::ArgumentNotInAllTargets, field_span,
                                "argument " + bq(field) + " has type " + bq(TypeContext::required(pa->type)) + " in " +
                                    bq(a.name) + " but " + bq(TypeContext::required(pb->type)) + " in " + bq(b.name),
                                "split the rule so targets with different argument types have their own rules");
          d.notes.push_back({pa->span, bq(a.name) + " declares it here"});
          d.notes.push_back({pb->span, bq(b.name) + " declares it here"});
          return types_.error_type();
        }
      }
      return types_.error_type();
    }
    if (!object->has_attributes()) {
      error(DiagCode::MemberOnNonRecord, field_span, "a value of type " + bq(object) + " has no attribute " + bq(field),
            "only the principal (`user`), entities, records and `args` have attributes");
      return types_.error_type();
    }
    if (const Attribute* attribute = object->find_attribute(field)) return attribute->type;
    std::string help;
    if (want_suggestions()) {
      std::vector<std::string_view> names;
      for (const Attribute& attribute : object->attributes()) names.push_back(attribute.name);
      help = did_you_mean(field, names);
    }
    if (help.empty()) help = bq(object->name) + " has " + param_list(object->attributes());
    Diagnostic& d = error(DiagCode::UnknownAttribute, field_span, bq(object->name) + " has no attribute " + bq(field), help);
    if (object->declaration.valid()) d.notes.push_back({object->declaration, bq(object->name) + " is declared here"});
    return types_.error_type();
  }

  bool guarded(const ExprScope& scope, const std::string& path) const {
    return std::find(scope.guards.begin(), scope.guards.end(), path) != scope.guards.end();
  }

  const Type* check_member(Expr& expr, ExprScope& scope) {
    const Type* object = child_type(expr, 0, scope);
    Span field_span = expr.text_span.valid() ? expr.text_span : expr.span;
    const Type* type = attribute_type(object, expr.text, field_span, scope);
    if (type->optional) {
      std::string path = guard_path(&expr);
      if (path.empty() || !guarded(scope, path)) {
        std::string base = guard_path(expr.children[0].get());
        std::string shown = path.empty() ? bq(expr.text) : bq(path);
        error(DiagCode::OptionalWithoutHas, expr.span,
              shown + " is optional and may be absent, but it is used without a `has` check",
              base.empty() ? "check that it is present with `has` first"
                           : "write `" + base + " has " + expr.text + " && ...` to use it only when it is present");
      }
    }
    return TypeContext::required(type);
  }

  const Type* check_has(Expr& expr, ExprScope& scope) {
    const Type* object = child_type(expr, 0, scope);
    Span field_span = expr.text_span.valid() ? expr.text_span : expr.span;
    const Type* type = attribute_type(object, expr.text, field_span, scope);
    if (!type->is_error() && !type->optional) {
      error(DiagCode::HasAlwaysTrue, expr.span, bq(expr.text) + " is always present, so this `has` is always true",
            "remove the `has` check; only optional (`?`) attributes and parameters can be absent");
    }
    return types_.bool_type();
  }

  const Type* check_binary(Expr& expr, ExprScope& scope) {
    using ast::BinaryOp;
    const Type* left = child_type(expr, 0, scope);
    const Type* right = child_type(expr, 1, scope);
    const std::string op = ast::to_string(expr.op);
    const bool poisoned = left->is_error() || right->is_error();
    switch (expr.op) {
      case BinaryOp::Eq:
      case BinaryOp::Ne:
        if (!poisoned && !comparable(left, right))
          error(DiagCode::TypeMismatch, expr.span, "cannot compare " + bq(left) + " with " + bq(right),
                "both sides of `" + op + "` must have the same type");
        return types_.bool_type();
      case BinaryOp::Lt:
      case BinaryOp::Le:
      case BinaryOp::Gt:
      case BinaryOp::Ge: {
        bool ok = (left->is_numeric() && right->is_numeric()) ||
                  (left == right && (left->kind == TypeKind::Timestamp || left->kind == TypeKind::Duration));
        if (!poisoned && !ok)
          error(DiagCode::TypeMismatch, expr.span, "cannot order " + bq(left) + " and " + bq(right) + " with `" + op + "`",
                "`" + op + "` compares two numbers, two timestamps or two durations");
        return types_.bool_type();
      }
      case BinaryOp::In:
        check_membership(expr, right, 1, left, 0, op);
        return types_.bool_type();
      case BinaryOp::Contains:
        check_membership(expr, left, 0, right, 1, op);
        return types_.bool_type();
      case BinaryOp::ContainsAll:
      case BinaryOp::ContainsAny: {
        bool ok = true;
        for (std::size_t i = 0; i < 2; ++i) {
          const Type* side = i == 0 ? left : right;
          if (!side->is_error() && !side->is_collection()) {
            error(DiagCode::TypeMismatch, child_span(expr, i), "`" + op + "` needs a Set or List, found " + bq(side));
            ok = false;
          }
        }
        if (ok && !poisoned &&
            !comparable(element_of(left, types_.error_type()), element_of(right, types_.error_type())))
          error(DiagCode::TypeMismatch, expr.span,
                "cannot compare the elements of " + bq(left) + " with the elements of " + bq(right),
                "both sides of `" + op + "` must hold the same type");
        return types_.bool_type();
      }
      case BinaryOp::Under:
      case BinaryOp::Matches:
      case BinaryOp::StartsWith:
      case BinaryOp::EndsWith: {
        const char* example = expr.op == BinaryOp::Under        ? "write a path, e.g. `args.path under \"/data/public\"`"
                              : expr.op == BinaryOp::Matches    ? "write a glob, e.g. `args.path matches \"*.md\"`"
                              : expr.op == BinaryOp::StartsWith ? "write a prefix, e.g. `args.path startsWith \"/tmp/\"`"
                                                                : "write a suffix, e.g. `args.path endsWith \".md\"`";
        for (std::size_t i = 0; i < 2; ++i) {
          const Type* side = i == 0 ? left : right;
          if (!side->is_error() && side->kind != TypeKind::String)
            error(DiagCode::TypeMismatch, child_span(expr, i), "`" + op + "` needs `String` operands, found " + bq(side),
                  example);
        }
        return types_.bool_type();
      }
      case BinaryOp::Add:
      case BinaryOp::Sub: {
        if (poisoned) return types_.error_type();
        const bool add = expr.op == BinaryOp::Add;
        const TypeKind l = left->kind, r = right->kind;
        if (l == TypeKind::Int && r == TypeKind::Int) return types_.int_type();
        if (left->is_numeric() && right->is_numeric()) return types_.number_type();
        if (l == TypeKind::Timestamp && r == TypeKind::Duration) return types_.timestamp_type();
        if (add && l == TypeKind::Duration && r == TypeKind::Timestamp) return types_.timestamp_type();
        if (!add && l == TypeKind::Timestamp && r == TypeKind::Timestamp) return types_.duration_type();
        if (l == TypeKind::Duration && r == TypeKind::Duration) return types_.duration_type();
        error(DiagCode::InvalidArithmetic, expr.span,
              std::string(add ? "cannot add " : "cannot subtract ") + bq(right) + (add ? " to " : " from ") + bq(left),
              "`+` and `-` work on numbers, durations, a timestamp and a duration, or (for `-`) two timestamps");
        return types_.error_type();
      }
    }
    return types_.error_type();
  }

  // `element in collection` / `collection contains element`.
  void check_membership(Expr& expr, const Type* collection, std::size_t collection_at, const Type* element,
                        std::size_t element_at, const std::string& op) {
    if (collection->is_error()) return;
    if (!collection->is_collection()) {
      error(DiagCode::TypeMismatch, child_span(expr, collection_at),
            "`" + op + "` needs a Set or List, found " + bq(collection),
            collection->kind == TypeKind::String ? "to test text, use `matches` with a glob or `==`" : std::string());
      return;
    }
    if (element->is_error() || collection->kind == TypeKind::EmptyList) return;
    if (!comparable(collection->element, element)) {
      std::string help;
      const Expr* value = expr.children[element_at].get();
      if (collection->element->kind == TypeKind::Role && value && value->kind == ExprKind::String)
        help = "write the role name without quotes: `" + value->text + "`";
      error(DiagCode::TypeMismatch, child_span(expr, element_at),
            bq(collection) + " holds " + bq(collection->element) + " values, not " + bq(element), help);
    }
  }

  CheckedPolicy& p_;
  DiagnosticSink& sink_;
  TypeContext& types_;
  std::vector<std::string> type_names_;
  std::vector<std::pair<const ast::RecordDecl*, const Type*>> record_decls_;
  std::span<const TargetIndex> all_targets_;

  struct SetHash {
    std::size_t operator()(const std::vector<TargetIndex>& set) const {
      std::size_t h = set.size();
      for (TargetIndex t : set) h = h * 1000003u ^ t;
      return h;
    }
  };
  std::unordered_map<std::vector<TargetIndex>, std::span<const TargetIndex>, SetHash> interned_sets_;
  std::unordered_map<std::string, ArgsLookup> args_cache_;
};

}  // namespace

std::unique_ptr<CheckedPolicy> check_program(Program program, DiagnosticSink& sink) {
  auto policy = std::make_unique<CheckedPolicy>();
  policy->program = std::move(program);
  Checker checker(*policy, sink);
  checker.run();
  return policy;
}

}  // namespace authz
