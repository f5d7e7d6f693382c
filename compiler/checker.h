// checker.h — name resolution and type checking over a loaded Program, and
// the checked policy that lowering consumes.
//
// Contract: check_program resolves every name across all files of the
// Program (one namespace per kind: types, roles, targets+groups, obligations;
// rule and grant ids share one), types every expression (fills ast::Expr::type),
// and reports every policy-level problem into the sink without stopping.
// Each mistake is reported once: expressions whose type is Error are already
// reported and stay silent afterwards.
//
// CheckedPolicy is plain data with no ANTLR types. It owns the ASTs and the
// types, so every `const ast::*` and `const Type*` in it lives as long as the
// policy. Indices are dense (0..n-1) in declaration order (files in load order,
// text order within a file). After a clean check (sink has no errors) every
// reference in it is resolved; after a failed check it holds whatever could
// be resolved and must not be lowered.
//
// Expression types after checking: an `args.x` / `user.x` whose attribute is
// optional gets the non-optional type (the `has` guard was checked), so no
// Expr::type is ever optional. `args` has kind Args; `[]` has kind EmptyList.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/loader.h"
#include "compiler/types.h"

namespace authz {

using RoleIndex = std::uint32_t;
using TargetIndex = std::uint32_t;
using ObligationIndex = std::uint32_t;

struct CheckedRole {
  RoleIndex index = 0;
  std::string name;
  Span span;  // the declared name
  const ast::RoleDecl* decl = nullptr;
  std::vector<RoleIndex> parents;      // direct parents, resolved, as written
  std::vector<RoleIndex> includes;     // itself + transitive parents, sorted: admin -> {admin, manager, rep}
  std::vector<RoleIndex> included_by;  // itself + every role that includes it, sorted: rep -> {rep, manager, admin}
};

enum class TargetKind { Tool, Resource, Prompt };

struct CheckedTarget {
  TargetIndex index = 0;
  TargetKind kind = TargetKind::Tool;
  std::string name;  // as declared, without quotes (`get-sum`)
  Span span;         // the declared name
  ast::Action action = ast::Action::Read;  // resources and prompts: Read
  // Parameters with resolved types (optional ones have `type->optional`).
  // Resources: one implicit String parameter per template variable.
  AttributeList params;
  std::string uri;           // resources only: the URI or URI template
  bool uri_is_template = false;  // resources only: the URI has `{variables}`
  const ast::ToolDecl* tool = nullptr;          // exactly one of these three is set
  const ast::ResourceDecl* resource = nullptr;
  const ast::PromptDecl* prompt = nullptr;
};

struct CheckedGroup {
  std::string name;
  Span span;
  const ast::GroupDecl* decl = nullptr;
  std::span<const TargetIndex> targets;  // expanded (nested groups, read, write), sorted, unique
};

struct CheckedObligation {
  ObligationIndex index = 0;
  std::string name;
  Span span;
  const ast::ObligationDecl* decl = nullptr;
  AttributeList params;
};

// A constant obligation argument, converted to the parameter's type.
struct Constant {
  const Type* type = nullptr;    // the parameter's (non-optional) type
  bool bool_value = false;       // Bool
  std::int64_t int_value = 0;    // Int; Timestamp (ms since epoch); Duration (ms); Role (its index)
  double number_value = 0;       // Number
  std::string string_value;      // String; Role (its name)
  std::vector<Constant> elements;  // Set / List
};

struct ObligationArgument {
  std::string name;
  std::uint32_t param = 0;  // index into the obligation's params
  Constant value;
};

struct ObligationCall {
  ObligationIndex obligation = 0;
  const ast::ObligationUse* use = nullptr;
  std::vector<ObligationArgument> arguments;  // in the obligation's parameter order; omitted optional params absent
};

struct CheckedRule {
  std::uint32_t index = 0;
  const ast::RuleDecl* decl = nullptr;
  ast::Effect effect = ast::Effect::Allow;
  std::string id;
  Span span;  // the rule id
  // Subjects. A deny with no subjects written applies to anyone (anyone = true).
  bool anyone = false;
  std::vector<RoleIndex> roles;           // as written, resolved, unique
  std::vector<RoleIndex> matching_roles;  // roles whose holders match: union of included_by, sorted
  std::vector<std::string> users;         // `user "id"` subjects
  std::span<const TargetIndex> targets;   // groups, read and write expanded; sorted, unique
  const ast::Expr* when = nullptr;        // typed; null when absent
  const ast::Expr* unless = nullptr;      // typed; null when absent
  std::optional<std::int64_t> from;       // ms since epoch, inclusive
  std::optional<std::int64_t> until;      // ms since epoch, exclusive
  std::vector<ObligationCall> obligations;
};

struct CheckedGrant {
  std::uint32_t index = 0;
  const ast::GrantDecl* decl = nullptr;
  std::string id;
  Span span;  // the grant id
  std::string user;
  std::span<const TargetIndex> targets;  // sorted, unique
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> until;  // always set after a clean check
  std::string reason;
};

struct CheckedPolicy {
  CheckedPolicy();
  CheckedPolicy(const CheckedPolicy&) = delete;
  CheckedPolicy& operator=(const CheckedPolicy&) = delete;

  Program program;                     // the ASTs everything below points into
  std::unique_ptr<TypeContext> types;  // owns every Type

  std::string name;                    // from the `policy` header(s)
  const Type* principal = nullptr;     // kind Principal; attributes include `id` and `roles`
  std::vector<const Type*> entities;   // kind Entity; attributes include `id`
  std::vector<const Type*> records;    // kind Record
  std::vector<CheckedRole> roles;
  std::vector<CheckedTarget> targets;  // tools, resources and prompts in one index space
  std::span<const TargetIndex> read_targets;   // what `read` means: read tools, resources, prompts
  std::span<const TargetIndex> write_targets;  // what `write` means: write tools
  std::vector<CheckedGroup> groups;
  std::vector<CheckedObligation> obligations;
  std::vector<CheckedRule> rules;      // source order, files in load order
  std::vector<CheckedGrant> grants;    // source order, files in load order

  const CheckedRole* find_role(std::string_view role) const;
  const CheckedTarget* find_target(std::string_view target) const;  // tools, resources, prompts
  const CheckedGroup* find_group(std::string_view group) const;
  const CheckedObligation* find_obligation(std::string_view obligation) const;
  const Type* find_type(std::string_view type) const;  // an entity, record or the principal

  // Storage behind the spans above: stable, shared between rules with the same target set.
  std::vector<std::unique_ptr<std::vector<TargetIndex>>> target_set_storage;
  std::unordered_map<std::string, RoleIndex> role_index;
  std::unordered_map<std::string, TargetIndex> target_index;
  std::unordered_map<std::string, std::uint32_t> group_index;
  std::unordered_map<std::string, ObligationIndex> obligation_index;
  std::unordered_map<std::string, const Type*> type_index;
};

// Resolves names, checks types and policy-level rules, reporting every
// problem into `sink`. Returns the checked policy even when there were errors
// (callers must not lower a policy whose sink has errors). Never throws for a
// user mistake.
std::unique_ptr<CheckedPolicy> check_program(Program program, DiagnosticSink& sink);

}  // namespace authz
