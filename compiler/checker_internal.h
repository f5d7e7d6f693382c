// checker_internal.h — the checker's one class, shared by the files that
// define it by job. Internal to compiler/: only checker*.cpp include it.
//
// Contract: Checker runs the phases of check_program (checker.h) over one
// CheckedPolicy and reports into one DiagnosticSink. Its member functions are
// defined in the file of their job:
//   checker.cpp               the phases in order, file headers, shared text
//                             helpers (bq, did_you_mean, param_list)
//   checker_declarations.cpp  declaring names (types, roles, targets and
//                             groups, obligations), role inheritance and group
//                             expansion, shared target-set storage
//   checker_types.cpp         types as written: attribute, parameter and
//                             field types, resource template parameters
//   checker_rules.cpp         rules and grants: ids, subjects, target sets,
//                             validity windows, obligation calls and constants
//   checker_expressions.cpp   typing `when` / `unless` and obligation argument
//                             expressions: names, attributes, `args`, `has`
//                             guards, operators, quantifiers
// Every phase reports each mistake once; an expression typed Error is already
// reported and stays silent afterwards. Nothing here throws for a user mistake.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compiler/ast.h"
#include "compiler/checker.h"
#include "compiler/diagnostics.h"
#include "compiler/types.h"
#include "runtime/table_model.h"

namespace authz::checker_internal {

// `text` in backquotes, as messages quote user input.
std::string bq(std::string_view text);
std::string bq(const Type* type);

// The closest candidate to `name` (runtime/internal/closest_name.h), as help text, or "".
std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates);

// `a`, `b` — the names of a parameter or attribute list, or "no arguments".
std::string param_list(const AttributeList& params);

// The value stored under `key`, or null (the maps are keyed by std::string).
template <class Map>
const typename Map::mapped_type* find_in(const Map& map, std::string_view key) {
  auto found = map.find(std::string(key));
  return found == map.end() ? nullptr : &found->second;
}

// Sorts `values` and drops repeats.
template <class T>
void sort_unique(std::vector<T>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

// What `args.<field>` means across a rule's targets.
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

// What an expression may refer to and what is known to hold where it stands.
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

  // Every phase, in order (checker.cpp).
  void run();

 private:
  // ---- shared (checker.cpp) ----
  bool want_suggestions() const { return sink_.error_count() < DiagnosticSink::kMaxErrors; }
  Diagnostic& error(DiagCode code, Span span, std::string message, std::string help = {}) {
    return sink_.report(code, span, std::move(message), std::move(help));
  }
  std::vector<const ast::File*> files() const;
  void check_files();

  // ---- declarations (checker_declarations.cpp) ----
  void duplicate(Span again, std::string_view what, std::string_view name, Span first);
  template <class Checked, class Decl, class Index>
  void declare_named(std::vector<Decl> ast::File::*decls, std::string_view what, std::vector<Checked>& out,
                     std::unordered_map<std::string, Index>& index);
  void declare_types();
  void declare_roles();
  Span target_or_group_span(std::string_view name) const;
  void declare_targets_and_groups();
  std::vector<TargetIndex>& store(std::vector<TargetIndex> set);
  void declare_obligations();
  std::vector<std::string_view> role_names() const;
  void unknown_role(Span span, std::string_view name, std::string_view context);
  void resolve_roles();
  std::vector<std::string_view> target_names() const;
  void unknown_target(const ast::Target& target);
  void resolve_groups();

  // ---- types as written (checker_types.cpp) ----
  enum class TypeUse { Attribute, ObligationParam };
  const Type* resolve_type(const ast::TypeRef& ref, TypeUse use);
  const Type* resolve_element(const ast::TypeRef& ref, TypeUse use);
  const Type* resolve_required(const ast::TypeRef& ref, TypeUse use);
  AttributeList resolve_fields(const std::vector<ast::Field>& fields, TypeUse use, std::string_view owner,
                               std::vector<Attribute> builtins);
  static Attribute builtin(std::string name, const Type* type);
  void resolve_record_fields();
  void resolve_target_params();
  void resolve_resource_template(CheckedTarget& target);
  void resolve_obligation_params();

  // ---- rules and grants (checker_rules.cpp) ----
  std::span<const TargetIndex> resolve_targets(const std::vector<ast::Target>& targets, bool& incomplete);
  void check_duplicate_ids();
  void check_window(const std::optional<ast::TimeBound>& from, const std::optional<ast::TimeBound>& until);
  void check_rules_and_grants();
  void check_rule(const ast::RuleDecl& decl);
  void check_subjects(const ast::RuleDecl& decl, CheckedRule& rule);
  void check_grant(const ast::GrantDecl& decl);
  std::optional<ObligationCall> check_obligation_use(const ast::ObligationUse& use);
  void unknown_obligation(const ast::ObligationUse& use);
  bool all_arguments_given(const ast::ObligationUse& use, const CheckedObligation& obligation,
                           const std::vector<const ast::NamedArgument*>& by_param);
  Constant to_constant(const ast::Expr& expr, const Type* type);
  void poison(ast::Expr* expr);

  // ---- expressions (checker_expressions.cpp) ----
  void check_condition(ast::Expr& expr, ExprScope& scope, const char* clause);
  const Type* check(ast::Expr& expr, ExprScope& scope);
  const Type* child_type(ast::Expr& expr, std::size_t i, ExprScope& scope);
  const Type* check_quantifier(ast::Expr& expr, ExprScope& scope);
  const Type* check_logic(ast::Expr& expr, ExprScope& scope);
  const Type* check_list(ast::Expr& expr, ExprScope& scope);
  const Type* join(const Type* a, const Type* b);
  std::string what_is(std::string_view name) const;
  const Type* check_name(ast::Expr& expr, const ExprScope& scope);
  const Type* check_is(ast::Expr& expr, ExprScope& scope);
  const Type* check_args(ast::Expr& expr, ExprScope& scope);
  ArgsLookup lookup_args(std::span<const TargetIndex> targets, const std::string& field);
  const Type* attribute_type(const Type* object, const std::string& field, Span field_span, ExprScope& scope);
  const Type* args_attribute_type(const std::string& field, Span field_span, ExprScope& scope);
  const Type* check_member(ast::Expr& expr, ExprScope& scope);
  const Type* check_has(ast::Expr& expr, ExprScope& scope);
  const Type* check_binary(ast::Expr& expr, ExprScope& scope);
  void check_membership(ast::Expr& expr, const Type* collection, std::size_t collection_at, const Type* element,
                        std::size_t element_at, const std::string& op);

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

}  // namespace authz::checker_internal
