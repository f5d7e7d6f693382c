// partial_eval.h — partial evaluation: decide a call whose arguments are
// (partly) unknown, and return what remains of the decision as a Residual.
//
// Contract:
//   - partially_evaluate(engine, request, options) never throws and fails
//     closed. Its Residual is:
//       AlwaysAllowed  evaluate() allows for every value of the unknowns;
//       NeverAllowed   evaluate() denies for every value of the unknowns
//                      (also: unknown target, invalid known arguments, bad
//                      principal; `reason` / `message` say which);
//       Conditional    evaluate() allows exactly when `condition` holds for
//                      the unknowns' values.
//     "Exactly" is the contract when `exact` is true; a policy construct the
//     partial evaluator does not model (rare: `in` / `contains` / a list or
//     arithmetic over booleans computed from unknowns, member access on a
//     computed value or on the element of a quantifier over an unknown
//     list) is treated as an
//     evaluation error of that rule, which only ever denies more (a deny that
//     errs denies, an allow that errs does not apply), and `exact` is false.
//   - Semantics are evaluate()'s (docs/semantics.md, "Partial evaluation"):
//     deny wins; allows and grants; windows (`now == until` is expired);
//     roles with inheritance; `has`; an error in a deny denies, an error in
//     an allow makes it not apply. Principal, roles, `now`, the known
//     arguments and the entities they name (through options.entities) are
//     concrete and evaluated exactly as evaluate() does.
//   - Unknowns. An unknown is a parameter plus an attribute path through
//     record and entity values (`account.owner`, `edit.kind`, `region`).
//     ASSUMPTION for an unknown entity (e.g. a database row): it exists, and
//     its attributes have their declared types; an attribute declared `T?`
//     may be absent (SQL NULL). An entity reached through an unknown path
//     (`account.manager.team`) is assumed to exist the same way. A host that
//     cannot guarantee this (a dangling foreign key) must filter those rows
//     out itself. Unknown parameters declared `T?` may be absent.
//   - Residual conditions are two-valued and total: every node is true or
//     false for every value of the unknowns. A comparison is FALSE when an
//     operand is absent (or its arithmetic overflows, or an `under` path is
//     invalid); so `region != "x"` is false for an absent region, exactly as
//     SQL treats NULL. The negative forms (`region not in [...]`, `region >=
//     5` for a false `<`) are just as false for an absent value, and `has`
//     tests spell out the rest, so a residual over optional unknowns stays
//     exact (and a deny that would err on an absent value still denies).
//   - Quantifiers: over a known list, `all` / `any` folds into `&&` / `||` of
//     its body per element; over an unknown list it stays an All / Any node
//     whose body names the element as a bound unknown. A body that can err
//     (an absent value, an invalid `under` path) is spelled out only for the
//     error-free cases, and `exact` is false.
//   - The residual is simplified: constants folded, true/false absorbed,
//     `!!x` -> x, duplicates and complementary pairs removed
//     (`a || (!a && b)` -> `a || b`), And/Or flattened.
//   - Cost: one prepare() plus one walk over the target's rules; no entity
//     lookups for unknown values. may_call_at_all() is meant to run for
//     every tool of a tools/list response.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/decision.h"
#include "runtime/engine.h"
#include "runtime/table_model.h"
#include "runtime/value.h"

namespace authz::runtime {

// ---- input ---------------------------------------------------------------------------

struct PartialRequest {
  Principal principal;
  MethodKind method = MethodKind::ToolCall;
  // Tool or prompt name; for a resource its URI, or (with every argument
  // unknown) the template's own text as declared, `file:///{path}`.
  std::string target;
  // JSON object of the KNOWN arguments (validated like evaluate()'s); "" = {}.
  // Resources: ignored (their parameters come from the URI).
  std::string known_arguments_json;
  // Names of the parameters whose values are unknown. Each must be declared
  // by the target and must not also appear in known_arguments_json.
  std::vector<std::string> unknown_parameters;
  // Every parameter of the target is unknown (unknown_parameters and
  // known_arguments_json are then ignored).
  bool all_arguments_unknown = false;
  std::int64_t now_ms = 0;
};

// ---- the residual tree ------------------------------------------------------------

// An owned constant (a Value's data copied out of the engine / request).
struct ResidualValue {
  ValueKind kind = ValueKind::Absent;  // never Absent inside a residual
  bool boolean = false;                // Bool
  std::int64_t integer = 0;            // Int, Timestamp (ms), Duration (ms), Role (index)
  double number = 0;                   // Number
  std::string text;                    // String (entity ids too); Role: the role's name
  // List, Set: the elements. Map: key (String), value, key, value, ...
  // Record: the attributes in schema order (Absent for a missing optional one).
  std::vector<ResidualValue> items;

  friend bool operator==(const ResidualValue&, const ResidualValue&) = default;
};

// `account.owner`: parameter `account`, path {"owner"}. An entity's implicit
// `id` is the entity itself (`account.id` is `account`).
struct UnknownRef {
  std::string parameter;
  std::vector<std::string> path;
  TypeIndex type = kNoIndex;  // declared type of the value at the end of the path (Engine::model().types)
  TypeKind kind = TypeKind::String;  // that type's kind
  bool may_be_absent = false;  // the parameter or an attribute on the path is declared `T?`
  // Not a parameter: the element an enclosing All / Any binds, named
  // `parameter` (the name the policy gave it). Never in Residual::unknowns.
  bool bound = false;

  std::string text() const;  // "account.owner"
  friend bool operator==(const UnknownRef& a, const UnknownRef& b) {
    return a.parameter == b.parameter && a.path == b.path && a.bound == b.bound;
  }
};

enum class ResidualOp : std::uint8_t {
  // Boolean nodes (conditions).
  True, False,
  Not,       // 1 child
  And, Or,   // >= 2 children
  // Comparisons: 2 children (terms). True iff both operands evaluate to a
  // present value (no overflow, valid paths) and the relation holds; false
  // otherwise. One per relation of runtime/opcodes.def, named as its opcode:
  // Eq, Ne, Lt, Le, Gt, Ge (each one's negation is another of the six), then
  // each other relation X (In, Contains, ContainsAll, ContainsAny, Under,
  // Matches, ...) followed by NotX, "the relation does not hold", equally
  // false when an operand is absent. Only the six, In and NotIn translate to
  // SQL (sql_where.h).
#define AUTHZ_COMPARISON_OPCODE(Name, ...) Name,
#define AUTHZ_RELATION_OPCODE(Name, ...) Name, Not##Name,
#include "runtime/opcodes.def"
  Present,   // 1 child (an Unknown): the path resolves to a present value (`account has region`)
  // Quantifiers: children[0] a term (the list), children[1] a condition over
  // the element, written as a bound Unknown named constant.text. All: the
  // list is present and the condition holds for every element (true for an
  // empty list); Any: present and it holds for some element. Never
  // translatable to SQL.
  All, Any,
  // Terms (values).
  Constant,  // `constant`
  Unknown,   // `unknown`
  List,      // children: the elements (`[user.id, account.owner]`); constant.kind is List or Set
  Add, Sub,  // 2 children, checked like the runtime's
  Negate,    // 1 child
};

const char* to_string(ResidualOp op);  // "true", "&&", "==", "not in", "has", "constant", ...

struct ResidualNode {
  ResidualOp op = ResidualOp::False;
  std::vector<ResidualNode> children;
  ResidualValue constant;  // Constant
  UnknownRef unknown;      // Unknown, and the child of Present

  bool is_boolean() const;  // True .. Any
  friend bool operator==(const ResidualNode&, const ResidualNode&);
};

// ---- the result ------------------------------------------------------------------------

enum class ResidualKind : std::uint8_t { AlwaysAllowed, NeverAllowed, Conditional };
const char* to_string(ResidualKind kind);  // "always_allowed", "never_allowed", "conditional"

// A rule or grant of the target that can still affect the decision.
struct CandidateRule {
  std::string id;
  Effect effect = Effect::Allow;  // grants are allows
  bool is_grant = false;
  // Allow / grant: when it applies. Deny: when it blocks the call (it applies
  // or its condition fails to evaluate). True means "whatever the unknowns".
  ResidualNode condition;
};

struct ResidualObligation {
  std::string rule;  // the allow rule carrying it
  std::string name;  // e.g. aggregate_only
  std::vector<std::pair<std::string, std::string>> arguments;  // name, value as JSON; declared order
  bool certain = false;  // its rule applies whatever the unknowns (else: only when its condition holds)
};

struct Residual {
  ResidualKind kind = ResidualKind::NeverAllowed;
  // Allowed iff this holds: True for AlwaysAllowed, False for NeverAllowed.
  ResidualNode condition;
  // NeverAllowed: why (forbidden, not_permitted, expired, error,
  // unknown_target, invalid_arguments). AlwaysAllowed / Conditional: allowed.
  Reason reason = Reason::NotPermitted;
  std::string message;  // for unknown_target / invalid_arguments / error; end-user safe
  bool exact = true;    // see the contract above
  // Rules that could still decide, in evaluation order (denies, allows,
  // grants). Rules ruled out whatever the unknowns (wrong subject, outside
  // the window, condition false) are left out; when a deny applies whatever
  // the unknowns, it is listed alone.
  std::vector<CandidateRule> rules;
  // Obligations of every allow that could apply, in rule order.
  std::vector<ResidualObligation> obligations;
  // The distinct unknowns the condition reads, in first-use order.
  std::vector<UnknownRef> unknowns;

  bool could_be_allowed() const { return kind != ResidualKind::NeverAllowed; }
};

Residual partially_evaluate(const Engine& engine, const PartialRequest& request,
                            const EvaluateOptions& options = {});

// The gateway's tools/list question: with every argument unknown, could this
// principal call this target at all? True iff the residual is not
// NeverAllowed: some allow or grant could still apply and no deny applies
// whatever the arguments. For a concrete resource URI its template variables
// count as unknown too (to decide a concrete URI, call evaluate()). Skips the
// rule / obligation details and answers before any condition is looked at
// when no allow or grant matches the user and the clock.
bool may_call_at_all(const Engine& engine, const Principal& principal, MethodKind method, std::string_view target,
                     std::int64_t now_ms, const EvaluateOptions& options = {});

// ---- renderings -------------------------------------------------------------------------

// The condition as the language writes it:
//   account.owner == "u-bob" || account.team in ["east"]
// `true` / `false` for the constant residuals; `args has region` for a
// Present over a bare parameter, `account has region` for an attribute.
std::string render_condition_text(const ResidualNode& condition);
// One line: "always allowed", "never allowed (forbidden)", or
// "allowed when <condition>".
std::string render_residual_text(const Residual& residual);
// {"kind":"conditional","exact":true,"reason":"allowed","message":"",
//  "condition":<node>,"unknowns":[...],"rules":[...],"obligations":[...]}
// A node is {"op":"==","operands":[...]} / {"op":"constant","type":"String","value":"u-bob"}
// / {"op":"unknown","unknown":"account.owner","parameter":"account","path":["owner"],"type":"String","may_be_absent":false}.
std::string render_residual_json(const Residual& residual);
std::string render_condition_json(const ResidualNode& condition);

// ---- using a residual in memory -----------------------------------------------------------

// The value of one unknown for one record: nullopt = absent (SQL NULL).
using UnknownValues = std::function<std::optional<ResidualValue>(const UnknownRef&)>;

// Whether `condition` holds for the given values of its unknowns, with the
// residual tree's two-valued semantics (a host filtering records in memory;
// the differential tests). Never throws.
bool residual_holds(const ResidualNode& condition, const UnknownValues& values);

// An owned copy of a Value (role names from `roles` when given).
ResidualValue to_residual_value(const Value& value, const std::vector<Role>* roles = nullptr);

}  // namespace authz::runtime
