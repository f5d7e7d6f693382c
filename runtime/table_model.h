// table_model.h — the decision table ("Model"): what a compiled policy is.
//
// Contract: plain data, filled by the compiler's lowering stage (or by hand in
// tests), written to / read from a table file (table_writer.h, table_reader.h)
// and loaded by the Engine (engine.h). Everything refers to everything else by
// dense 32-bit indices into the vectors of one Model; `kNoIndex` means "none".
// validate_model() (model_validation.h) states every rule a Model must obey;
// the reader and Engine::from_model enforce them, so a Model that breaks one is
// rejected with a message, never evaluated.
//
// How to lower a policy into a Model (the short version):
//   - types: intern every type you need with intern_type(); an element type
//     must be interned before the Set/List/Map that holds it.
//   - principal: schema named after the `principal` declaration (or "User");
//     list every attribute the checker knows, including the built-in
//     `id: String` and `roles: Set<Role>` if expressions use them. The runtime
//     fills attributes named `id` and `roles` from the request itself.
//   - roles: one Role per declared role; `includes` holds the role itself and
//     every role it inherits from, transitively (`role admin : manager` and
//     `role manager : rep` gives admin.includes = {admin, manager, rep}).
//   - targets: every tool, resource and prompt. A resource's params are its URI
//     template variables, in template order, each `String`.
//   - rules and grants: append to `rules` / `grants`, then add the rule's index
//     to `targets[t].rules` (grant: `targets[t].grants`) for every target it
//     names, after expanding groups and `read` / `write`. Lists are ascending.
//     A deny without subjects sets `subjects.anyone`.
//   - conditions: append nodes to `nodes` children first (an operand index is
//     always smaller than the index of the node that uses it); `when` and
//     `unless` name the root node, of type Bool. A node may be used by several
//     nodes and rules: ModelInterner (model_interner.h) stores equal
//     sub-expressions once, as authzc does.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/internal/small_vector.h"

namespace authz::runtime {

using Index = std::uint32_t;
inline constexpr Index kNoIndex = 0xFFFFFFFFu;

// Index aliases: the name says which vector of Model the index points into.
using TypeIndex = Index;        // Model::types
using SchemaIndex = Index;      // Model::entities or Model::records (by type kind)
using RoleIndex = Index;        // Model::roles
using TargetIndex = Index;      // Model::targets
using ConstantIndex = Index;    // Model::constants
using NodeIndex = Index;        // Model::nodes
using RuleIndex = Index;        // Model::rules
using GrantIndex = Index;       // Model::grants
using ObligationIndex = Index;  // Model::obligations

// ---- types ---------------------------------------------------------------------

enum class TypeKind : std::uint8_t {
  Bool, Int, Number, String, Timestamp, Duration, Role,
  Set,        // element: the element type
  List,       // element: the element type; kNoIndex only for the empty list `[]`
  Map,        // Map<String, T>; element: T
  Entity,     // schema: index into Model::entities; the value is the entity id
  Record,     // schema: index into Model::records
  Principal,  // the type of `user`; schema unused (Model::principal)
};

// A type: `Set<String>` is {Set, element -> {String}}; `Account?` is
// {Entity, schema -> Account, optional}. Optional only on attribute and
// parameter types (never on a Set/List/Map element).
struct TypeDescriptor {
  TypeKind kind = TypeKind::Bool;
  TypeIndex element = kNoIndex;
  SchemaIndex schema = kNoIndex;
  bool optional = false;

  friend bool operator==(const TypeDescriptor&, const TypeDescriptor&) = default;
};

// ---- schemas: principal, entities, records ---------------------------------------

struct Attribute {
  std::string name;
  TypeIndex type = kNoIndex;  // optional attributes have an optional type

  friend bool operator==(const Attribute&, const Attribute&) = default;
};

struct Schema {
  std::string name;                   // "User", "Account", "Edit"
  std::vector<Attribute> attributes;  // declaration order; names unique

  friend bool operator==(const Schema&, const Schema&) = default;
};

// ---- roles -------------------------------------------------------------------------

// A set of roles as a bitset over role indices (bit i of words[i / 64]).
// At most role_words(Model::roles.size()) words (missing words are zero), no
// bit set at or beyond the role count. The table file always stores exactly
// role_words(...) words, so a set reads back padded.
struct RoleSet {
  SmallVector<std::uint64_t, 1> words;  // up to 64 roles without a heap block

  void insert(RoleIndex role);
  bool contains(RoleIndex role) const;
  bool intersects(const RoleSet& other) const;
  bool empty() const;
  // Same roles; trailing zero words do not matter.
  friend bool operator==(const RoleSet& a, const RoleSet& b);
};

// How many 64-bit words a RoleSet over `role_count` roles has.
inline std::size_t role_words(std::size_t role_count) { return (role_count + 63) / 64; }

struct Role {
  std::string name;
  RoleSet includes;  // itself + every role it inherits, transitively

  friend bool operator==(const Role&, const Role&) = default;
};

// ---- targets: tools, resources, prompts --------------------------------------------

enum class TargetKind : std::uint8_t { Tool, Resource, Prompt };
enum class Action : std::uint8_t { Read, Write };  // resources and prompts are Read

struct Parameter {
  std::string name;
  TypeIndex type = kNoIndex;  // optional parameters have an optional type
  bool sensitive = false;     // redact in audit records

  friend bool operator==(const Parameter&, const Parameter&) = default;
};

struct Target {
  TargetKind kind = TargetKind::Tool;
  std::string name;  // unique among targets of the same kind
  Action action = Action::Read;
  std::vector<Parameter> params;  // resources: the URI template variables, String
  std::string uri;                // resources only: URI or URI template (`{name}`)
  std::vector<RuleIndex> rules;   // rules naming this target, ascending
  std::vector<GrantIndex> grants; // grants naming this target, ascending

  friend bool operator==(const Target&, const Target&) = default;
};

// ---- constants ---------------------------------------------------------------------

enum class ConstantKind : std::uint8_t {
  Bool, Int, Number, String, Timestamp, Duration, Role, List,
};

// A literal. Int, Timestamp (ms since the Unix epoch, UTC), Duration (ms) and
// Role (a role index) use int_value; Bool uses bool_value; Number uses
// number_value (finite); String uses string_value; List uses elements (indices
// of constants defined before this one).
struct Constant {
  ConstantKind kind = ConstantKind::Bool;
  bool bool_value = false;
  std::int64_t int_value = 0;
  double number_value = 0;
  std::string string_value{};  // `{}`: the of_* factories name only the member they set
  std::vector<ConstantIndex> elements{};

  static Constant of_bool(bool value);
  static Constant of_int(std::int64_t value);
  static Constant of_number(double value);
  static Constant of_string(std::string value);
  static Constant of_timestamp(std::int64_t millis);
  static Constant of_duration(std::int64_t millis);
  static Constant of_role(RoleIndex role);
  static Constant of_list(std::vector<ConstantIndex> elements);
  friend bool operator==(const Constant&, const Constant&) = default;
};

// ---- condition expressions ---------------------------------------------------------

// What a node computes. "operands" are Node::operands in order. Every opcode,
// its frozen on-disk number, spelling, operand count, result type rule and
// printing precedence is one line of runtime/opcodes.def; read it there.
enum class Opcode : std::uint8_t {
#define AUTHZ_OPCODE(Name, number, spelling, operands, variadic, bool_result, precedence) Name = number,
#include "runtime/opcodes.def"
};

// How tightly an expression binds when printed (grammar/Authz.g4):
// || < && < ! < comparison (incl. has, is) < + - < unary - < member access.
enum class OpPrecedence : int { Or = 1, And, Not, Compare, Additive, Unary, Postfix, Primary };

// The opcodes.def line of an opcode.
struct OpcodeInfo {
  const char* spelling;  // "literal", "==", "under", ...
  std::uint8_t operands;  // exact count, or the minimum when variadic
  bool variadic;
  bool bool_result;       // the node's type must be Bool
  OpPrecedence precedence;
  bool relation;          // an AUTHZ_RELATION_OPCODE / AUTHZ_COMPARISON_OPCODE line: Bool from two values
};

constexpr OpcodeInfo opcode_info(Opcode op) {
  switch (op) {
#define AUTHZ_OPCODE(Name, number, spelling, operands, variadic, bool_result, precedence) \
  case Opcode::Name: return {spelling, operands, variadic, bool_result, OpPrecedence::precedence, false};
#define AUTHZ_RELATION_OPCODE(Name, number, spelling, operands, variadic, bool_result, precedence) \
  case Opcode::Name: return {spelling, operands, variadic, bool_result, OpPrecedence::precedence, true};
#include "runtime/opcodes.def"
  }
  return {"?", 0, false, false, OpPrecedence::Primary, false};  // not an opcode (validate_model rejects it)
}

// Whether `number` is an opcode of opcodes.def (a table file stores the number).
constexpr bool is_opcode_number(std::uint8_t number) {
  switch (number) {
#define AUTHZ_OPCODE(Name, number, spelling, operands, variadic, bool_result, precedence) case number:
#include "runtime/opcodes.def"
      return true;
    default:
      return false;
  }
}

// How many quantifier slots (All / Any / Bound `field`) exist: quantifiers
// nest at most this deep. Each nesting level multiplies evaluation time by
// its list's length, so the limit is small.
inline constexpr Index kMaxBoundSlots = 4;
// The most quantifier bodies one decision evaluates (all rules together); one more is an
// evaluation error, so a hostile request's long lists under nested quantifiers cannot stall it.
inline constexpr std::uint32_t kMaxQuantifierSteps = 65536;

// One node of the model's flat expression array.
struct Node {
  Opcode op = Opcode::Literal;
  TypeIndex type = kNoIndex;       // result type
  SmallVector<NodeIndex, 4> operands;  // each smaller than this node's own index
  ConstantIndex constant = kNoIndex;  // Literal
  Index field = kNoIndex;          // Member / Has: attribute index; Is: role index; All / Any / Bound: slot
  std::string name;                // Argument / HasArgument: parameter name
  std::string source;              // the sub-expression's source text, for traces

  friend bool operator==(const Node&, const Node&) = default;
};

// ---- rules, grants, obligations ----------------------------------------------------

enum class Effect : std::uint8_t { Allow, Deny };

struct SourceLocation {
  std::string file;
  std::uint32_t line = 0;    // 1-based; 0 = unknown
  std::uint32_t column = 0;  // 1-based; 0 = unknown

  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

// Who a rule is for: anyone, or a user holding one of `roles` (directly or by
// inheritance), or one of the named users.
struct Subjects {
  bool anyone = false;
  RoleSet roles;
  std::vector<std::string> users;

  // Whether a user named `user` whose expanded roles (every role held or
  // inherited, as RoleSet words) are `held` is one of these subjects. The one
  // subject-matching rule: decisions (engine.cpp) and partial evaluation use it.
  bool admits(std::span<const std::uint64_t> held, std::string_view user) const {
    if (anyone) return true;
    std::size_t words = std::min(roles.words.size(), held.size());
    for (std::size_t w = 0; w < words; ++w) {
      if (roles.words[w] & held[w]) return true;
    }
    for (const std::string& name : users) {
      if (name == user) return true;
    }
    return false;
  }

  friend bool operator==(const Subjects&, const Subjects&) = default;
};

// In force for from <= now < until; an absent bound does not limit.
struct Window {
  std::optional<std::int64_t> from_ms;
  std::optional<std::int64_t> until_ms;

  bool contains(std::int64_t now_ms) const {
    return (!from_ms || *from_ms <= now_ms) && (!until_ms || now_ms < *until_ms);
  }
  friend bool operator==(const Window&, const Window&) = default;
};

struct ObligationDecl {
  std::string name;
  std::vector<Attribute> params;  // all required

  friend bool operator==(const ObligationDecl&, const ObligationDecl&) = default;
};

struct ObligationUse {
  ObligationIndex obligation = kNoIndex;
  std::vector<ConstantIndex> arguments;  // one per declared param, in param order

  friend bool operator==(const ObligationUse&, const ObligationUse&) = default;
};

struct Rule {
  std::string id;  // unique across rules and grants
  Effect effect = Effect::Allow;
  std::string doc;
  SourceLocation location;
  Subjects subjects;
  Window window;
  NodeIndex when = kNoIndex;    // Bool root, or kNoIndex
  NodeIndex unless = kNoIndex;  // Bool root, or kNoIndex
  std::vector<ObligationUse> obligations;  // allow only

  friend bool operator==(const Rule&, const Rule&) = default;
};

// An allow for one user, on its targets (Target::grants), in its window.
struct Grant {
  std::string id;
  std::string user;    // non-empty
  std::string reason;  // non-empty (`because`)
  std::string doc;
  SourceLocation location;
  Window window;       // until is mandatory in the language; the model allows none

  friend bool operator==(const Grant&, const Grant&) = default;
};

// ---- the whole table ---------------------------------------------------------------

struct Model {
  std::string policy_name;
  std::vector<TypeDescriptor> types;
  Schema principal;
  std::vector<Schema> entities;
  std::vector<Schema> records;
  std::vector<Role> roles;
  std::vector<Target> targets;
  std::vector<Constant> constants;
  std::vector<Node> nodes;
  std::vector<ObligationDecl> obligations;
  std::vector<Rule> rules;
  std::vector<Grant> grants;

  friend bool operator==(const Model&, const Model&) = default;
};

// Building helpers (lowering and tests). Each returns the new element's index.
// intern_type returns the index of an equal descriptor if there is one.
TypeIndex intern_type(Model& model, TypeDescriptor type);
TypeIndex intern_type(Model& model, TypeKind kind, bool optional = false);
ConstantIndex add_constant(Model& model, Constant constant);
NodeIndex add_node(Model& model, Node node);

// Names as the language writes them: "String", "Set<Role>", "Account?".
std::string type_name(const Model& model, TypeIndex type);
const char* to_string(TypeKind kind);
const char* to_string(Opcode op);  // "literal", "==", "under", ...
const char* to_string(TargetKind kind);  // "tool", "resource", "prompt"
const char* to_string(Action action);    // "read", "write"
const char* to_string(Effect effect);    // "allow", "deny"

}  // namespace authz::runtime
