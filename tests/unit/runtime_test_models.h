// runtime_test_models.h — hand-built decision tables for runtime tests and
// benchmarks (the runtime is tested without the compiler).
//
// Contract: ModelBuilder appends to a Model the way a lowering stage would
// (types interned, roles with expanded inheritance, rules attached to their
// targets, nodes children first) and leaves validation to the code under
// test. sales_model() is the brief's sales policy, at 2026 dates:
//   principal User { id, roles, manages: Set<String> }
//   entity Account { owner: String, team: String }
//   role rep; role analyst; role manager : rep; role admin : manager;
//   tool get_account(account: Account) read;
//   tool update_account(account: Account, fields: Map<String, String>) write;
//   tool delete_records(account: Account, ids: List<String>) write;
//   tool sales_summary(region: String) read;
//   obligation aggregate_only(min_group: Int);
//   allow rep_reads_own: rep may get_account when args.account.owner == user.id;
//   allow manager_team: manager may get_account, update_account
//     when args.account.team in user.manages;
//   allow analyst_totals: analyst may sales_summary with aggregate_only(min_group: 5);
//   deny delete_admin_only: delete_records unless user is admin;
//   grant inc_4521: user "u-alice" may update_account
//     until 2026-12-01T00:00:00Z because "INC-4521 data repair";
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/internal/model_interner.h"
#include "runtime/table_model.h"

namespace authz::runtime::testing {

// 2026-06-01T00:00:00Z and 2026-12-01T00:00:00Z in ms since the epoch.
inline constexpr std::int64_t kJune2026 = 1780272000000;
inline constexpr std::int64_t kDecember2026 = 1796083200000;

class ModelBuilder {
 public:
  Model model;

  // From here on, equal nodes and constants are stored once, as authzc's
  // lowering does (benchmarks that stand for compiled tables use it).
  void share_equal_nodes() { interner_ = std::make_unique<ModelInterner>(model); }
  NodeIndex add(Node node) { return interner_ ? interner_->node(std::move(node)) : add_node(model, std::move(node)); }
  ConstantIndex add(Constant constant) {
    return interner_ ? interner_->constant(std::move(constant)) : add_constant(model, std::move(constant));
  }

  ModelBuilder(const ModelBuilder&) = delete;
  ModelBuilder& operator=(const ModelBuilder&) = delete;
  explicit ModelBuilder(std::string policy = "test") {
    model.policy_name = std::move(policy);
    model.principal.name = "User";
    string_type = type(TypeKind::String);
    bool_type = type(TypeKind::Bool);
    int_type = type(TypeKind::Int);
    number_type = type(TypeKind::Number);
    timestamp_type = type(TypeKind::Timestamp);
    duration_type = type(TypeKind::Duration);
    role_type = type(TypeKind::Role);
    set_of_string = collection(TypeKind::Set, string_type);
    set_of_role = collection(TypeKind::Set, role_type);
    list_of_string = collection(TypeKind::List, string_type);
    principal_type = type(TypeKind::Principal);
    principal_attribute("id", string_type);
    principal_attribute("roles", set_of_role);
  }

  TypeIndex string_type, bool_type, int_type, number_type, timestamp_type, duration_type, role_type;
  TypeIndex set_of_string, set_of_role, list_of_string, principal_type;

  TypeIndex type(TypeKind kind, bool optional = false) { return intern_type(model, kind, optional); }
  TypeIndex optional(TypeIndex base) {
    TypeDescriptor descriptor = model.types[base];
    descriptor.optional = true;
    return intern_type(model, descriptor);
  }
  TypeIndex collection(TypeKind kind, TypeIndex element) {
    TypeDescriptor descriptor;
    descriptor.kind = kind;
    descriptor.element = element;
    return intern_type(model, descriptor);
  }
  TypeIndex entity(const std::string& name, std::vector<std::pair<std::string, TypeIndex>> attributes) {
    Schema schema{name, {}};
    for (auto& [attribute, type] : attributes) schema.attributes.push_back({attribute, type});
    model.entities.push_back(std::move(schema));
    TypeDescriptor descriptor;
    descriptor.kind = TypeKind::Entity;
    descriptor.schema = static_cast<SchemaIndex>(model.entities.size() - 1);
    return intern_type(model, descriptor);
  }
  TypeIndex record(const std::string& name, std::vector<std::pair<std::string, TypeIndex>> attributes) {
    Schema schema{name, {}};
    for (auto& [attribute, type] : attributes) schema.attributes.push_back({attribute, type});
    model.records.push_back(std::move(schema));
    TypeDescriptor descriptor;
    descriptor.kind = TypeKind::Record;
    descriptor.schema = static_cast<SchemaIndex>(model.records.size() - 1);
    return intern_type(model, descriptor);
  }
  void principal_attribute(const std::string& name, TypeIndex type) {
    model.principal.attributes.push_back({name, type});
  }
  Index principal_index(const std::string& name) const {
    for (std::size_t i = 0; i < model.principal.attributes.size(); ++i) {
      if (model.principal.attributes[i].name == name) return static_cast<Index>(i);
    }
    return kNoIndex;
  }

  // Parents must already exist; inheritance is expanded here.
  RoleIndex role(const std::string& name, std::initializer_list<RoleIndex> parents = {}) {
    auto index = static_cast<RoleIndex>(model.roles.size());
    Role role{name, {}};
    role.includes.insert(index);
    for (RoleIndex parent : parents) {
      for (std::size_t w = 0; w < model.roles[parent].includes.words.size(); ++w) {
        if (role.includes.words.size() <= w) role.includes.words.resize(w + 1, 0);
        role.includes.words[w] |= model.roles[parent].includes.words[w];
      }
    }
    model.roles.push_back(std::move(role));
    return index;
  }

  TargetIndex tool(const std::string& name, Action action, std::vector<Parameter> params = {}) {
    Target target;
    target.kind = TargetKind::Tool;
    target.name = name;
    target.action = action;
    target.params = std::move(params);
    model.targets.push_back(std::move(target));
    return static_cast<TargetIndex>(model.targets.size() - 1);
  }
  TargetIndex resource(const std::string& name, const std::string& uri, std::vector<std::string> variables = {}) {
    Target target;
    target.kind = TargetKind::Resource;
    target.name = name;
    target.uri = uri;
    for (auto& variable : variables) target.params.push_back({variable, string_type, false});
    model.targets.push_back(std::move(target));
    return static_cast<TargetIndex>(model.targets.size() - 1);
  }
  TargetIndex prompt(const std::string& name, std::vector<Parameter> params = {}) {
    Target target;
    target.kind = TargetKind::Prompt;
    target.name = name;
    target.params = std::move(params);
    model.targets.push_back(std::move(target));
    return static_cast<TargetIndex>(model.targets.size() - 1);
  }

  ObligationIndex obligation(const std::string& name, std::vector<Attribute> params) {
    model.obligations.push_back({name, std::move(params)});
    return static_cast<ObligationIndex>(model.obligations.size() - 1);
  }

  struct RuleSpec {
    std::string id = {};
    Effect effect = Effect::Allow;
    std::vector<RoleIndex> roles = {};
    std::vector<std::string> users = {};
    bool anyone = false;
    std::vector<TargetIndex> targets = {};
    NodeIndex when = kNoIndex;
    NodeIndex unless = kNoIndex;
    std::optional<std::int64_t> from = {};
    std::optional<std::int64_t> until = {};
    std::vector<ObligationUse> obligations = {};
  };
  RuleIndex rule(RuleSpec spec) {
    Rule rule;
    rule.id = spec.id;
    rule.effect = spec.effect;
    rule.doc = "rule " + spec.id;
    rule.location = {"test.authz", static_cast<std::uint32_t>(model.rules.size() + 1), 1};
    rule.subjects.anyone = spec.anyone;
    for (RoleIndex role : spec.roles) rule.subjects.roles.insert(role);
    rule.subjects.users = spec.users;
    rule.window.from_ms = spec.from;
    rule.window.until_ms = spec.until;
    rule.when = spec.when;
    rule.unless = spec.unless;
    rule.obligations = spec.obligations;
    model.rules.push_back(std::move(rule));
    auto index = static_cast<RuleIndex>(model.rules.size() - 1);
    for (TargetIndex target : spec.targets) model.targets[target].rules.push_back(index);
    return index;
  }
  GrantIndex grant(const std::string& id, const std::string& user, std::vector<TargetIndex> targets,
                   std::optional<std::int64_t> until, std::optional<std::int64_t> from = std::nullopt) {
    Grant grant;
    grant.id = id;
    grant.user = user;
    grant.reason = "because " + id;
    grant.location = {"test.authz", 100, 1};
    grant.window.from_ms = from;
    grant.window.until_ms = until;
    model.grants.push_back(std::move(grant));
    auto index = static_cast<GrantIndex>(model.grants.size() - 1);
    for (TargetIndex target : targets) model.targets[target].grants.push_back(index);
    return index;
  }

  // ---- expressions ----
  NodeIndex node(Opcode op, TypeIndex type, std::vector<NodeIndex> operands = {}, std::string source = "") {
    Node n;
    n.op = op;
    n.type = type;
    n.operands.assign(operands.data(), operands.data() + operands.size());
    n.source = std::move(source);
    return add(std::move(n));
  }
  NodeIndex literal(Constant constant, TypeIndex type) {
    Node n;
    n.op = Opcode::Literal;
    n.type = type;
    n.constant = add(std::move(constant));
    return add(std::move(n));
  }
  NodeIndex str(const std::string& text) { return literal(Constant::of_string(text), string_type); }
  NodeIndex integer(std::int64_t value) { return literal(Constant::of_int(value), int_type); }
  NodeIndex number(double value) { return literal(Constant::of_number(value), number_type); }
  NodeIndex boolean(bool value) { return literal(Constant::of_bool(value), bool_type); }
  NodeIndex timestamp(std::int64_t ms) { return literal(Constant::of_timestamp(ms), timestamp_type); }
  NodeIndex duration(std::int64_t ms) { return literal(Constant::of_duration(ms), duration_type); }
  NodeIndex role_literal(RoleIndex role) { return literal(Constant::of_role(role), role_type); }
  NodeIndex string_list(std::vector<std::string> items) {
    std::vector<ConstantIndex> elements;
    for (auto& item : items) elements.push_back(add(Constant::of_string(item)));
    return literal(Constant::of_list(std::move(elements)), collection(TypeKind::List, string_type));
  }
  NodeIndex now() { return node(Opcode::Now, timestamp_type); }
  NodeIndex user() { return node(Opcode::User, principal_type); }
  NodeIndex arg(const std::string& name, TypeIndex type) {
    Node n;
    n.op = Opcode::Argument;
    n.type = type;
    n.name = name;
    return add(std::move(n));
  }
  NodeIndex has_arg(const std::string& name) {
    Node n;
    n.op = Opcode::HasArgument;
    n.type = bool_type;
    n.name = name;
    return add(std::move(n));
  }
  NodeIndex member(NodeIndex object, Index field, TypeIndex type) {
    Node n;
    n.op = Opcode::Member;
    n.type = type;
    n.operands = {object};
    n.field = field;
    return add(std::move(n));
  }
  NodeIndex has(NodeIndex object, Index field) {
    Node n;
    n.op = Opcode::Has;
    n.type = bool_type;
    n.operands = {object};
    n.field = field;
    return add(std::move(n));
  }
  NodeIndex user_attribute(const std::string& name) {
    Index index = principal_index(name);
    return member(user(), index, model.principal.attributes[index].type);
  }
  NodeIndex is(RoleIndex role) {
    Node n;
    n.op = Opcode::Is;
    n.type = bool_type;
    n.field = role;
    return add(std::move(n));
  }
  NodeIndex unary(Opcode op, NodeIndex operand, TypeIndex type) { return node(op, type, {operand}); }
  NodeIndex binary(Opcode op, NodeIndex left, NodeIndex right, TypeIndex type = kNoIndex) {
    return node(op, type == kNoIndex ? bool_type : type, {left, right});
  }
  NodeIndex all(std::vector<NodeIndex> operands) { return node(Opcode::And, bool_type, std::move(operands)); }
  NodeIndex any(std::vector<NodeIndex> operands) { return node(Opcode::Or, bool_type, std::move(operands)); }

 private:
  std::unique_ptr<ModelInterner> interner_;  // refers to `model`: a ModelBuilder is never copied or moved
};

struct SalesModel {
  Model model;
  RoleIndex rep, analyst, manager, admin;
  TargetIndex get_account, update_account, delete_records, sales_summary;
};

inline SalesModel sales_model() {
  ModelBuilder b("sales");
  SalesModel s;
  b.principal_attribute("manages", b.set_of_string);
  TypeIndex account = b.entity("Account", {{"owner", b.string_type}, {"team", b.string_type}});
  TypeIndex map_of_string = b.collection(TypeKind::Map, b.string_type);
  s.rep = b.role("rep");
  s.analyst = b.role("analyst");
  s.manager = b.role("manager", {s.rep});
  s.admin = b.role("admin", {s.manager});
  s.get_account = b.tool("get_account", Action::Read, {{"account", account, false}});
  s.update_account = b.tool("update_account", Action::Write, {{"account", account, false}, {"fields", map_of_string, false}});
  s.delete_records = b.tool("delete_records", Action::Write, {{"account", account, false}, {"ids", b.list_of_string, false}});
  s.sales_summary = b.tool("sales_summary", Action::Read, {{"region", b.string_type, false}});
  ObligationIndex aggregate_only = b.obligation("aggregate_only", {{"min_group", b.int_type}});

  NodeIndex owner = b.member(b.arg("account", account), 0, b.string_type);
  NodeIndex owns = b.node(Opcode::Eq, b.bool_type, {owner, b.user_attribute("id")}, "args.account.owner == user.id");
  b.rule({.id = "rep_reads_own", .roles = {s.rep}, .targets = {s.get_account}, .when = owns});

  NodeIndex team = b.member(b.arg("account", account), 1, b.string_type);
  NodeIndex manages = b.node(Opcode::In, b.bool_type, {team, b.user_attribute("manages")}, "args.account.team in user.manages");
  b.rule({.id = "manager_team", .roles = {s.manager}, .targets = {s.get_account, s.update_account}, .when = manages});

  ObligationUse min_group{aggregate_only, {add_constant(b.model, Constant::of_int(5))}};
  b.rule({.id = "analyst_totals", .roles = {s.analyst}, .targets = {s.sales_summary}, .obligations = {min_group}});

  NodeIndex is_admin = b.node(Opcode::Is, b.bool_type, {}, "user is admin");
  b.model.nodes[is_admin].field = s.admin;
  b.rule({.id = "delete_admin_only", .effect = Effect::Deny, .anyone = true, .targets = {s.delete_records},
          .unless = is_admin});

  b.grant("inc_4521", "u-alice", {s.update_account}, kDecember2026);
  b.model.grants.back().reason = "INC-4521 data repair";
  s.model = std::move(b.model);
  return s;
}

inline const char* kSalesEntities = R"({
  "Account": {
    "acc-1": {"owner": "u-bob", "team": "east"},
    "acc-7": {"owner": "u-carol", "team": "east"},
    "acc-9": {"owner": "u-hank", "team": "west"}
  }
})";

}  // namespace authz::runtime::testing
