// ast.h — the syntax tree of one .authz file, as the parse adapter builds it.
//
// Contract: plain data, no ANTLR types. Every node carries the Span of the
// text it came from. Literals are already decoded (string escapes resolved,
// timestamps as milliseconds since the Unix epoch, durations in milliseconds).
// The checker fills the `type` slot of expressions; nothing else mutates a
// tree after parsing. Trees are owned by unique_ptr; parsing caps nesting
// depth (kMaxNesting) so recursive walks over a tree are bounded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "compiler/source.h"

namespace authz {
struct Type;  // compiler/types.h; assigned by the checker
}

namespace authz::ast {

inline constexpr int kMaxNesting = 200;

// A name as written, with where it was written.
struct Name {
  Span span;
  std::string text;
};

// A type as written: `String`, `Set<Role>`, `Account?`.
struct TypeRef {
  Span span;
  Name name;
  std::vector<TypeRef> arguments;
  bool optional = false;
};

// An attribute of a principal / entity / record, or a parameter of a tool,
// prompt or obligation.
struct Field {
  Span span;
  Name name;
  TypeRef type;
  std::string doc;         // joined `///` lines, without the slashes
  bool sensitive = false;  // parameters only: redact in audit records
};

// ---- expressions ----------------------------------------------------------

enum class ExprKind {
  Bool, Int, String, Timestamp, Duration,  // literals
  Now, User, Args,                         // the request's context
  List,     // [a, b, c]                       children: elements
  Name,     // a bare identifier (a role)     text: the name
  Member,   // child.text                      children[0]: object
  Has,      // child has text                  children[0]: object
  Is,       // child is text (a role)          children[0]: subject
  Not,      // !child
  Negate,   // -child
  Binary,   // children[0] op children[1]
  And,      // children[0] && children[1] && ... (n-ary, n >= 2)
  Or,       // children[0] || children[1] || ... (n-ary, n >= 2)
  All,      // all(text in children[0]: children[1])   text: the bound name
  Any,      // any(text in children[0]: children[1])   text: the bound name
};

// The infix operators: the AUTHZ_BINARY_OPCODE lines of runtime/opcodes.def,
// named as their opcodes (lowering maps BinaryOp::X to Opcode::X).
enum class BinaryOp {
#define AUTHZ_BINARY_OPCODE(Name, number, spelling, operands, variadic, bool_result, precedence) Name,
#include "runtime/opcodes.def"
};

const char* to_string(BinaryOp op);  // the source spelling: "==", "in", "under", ...
// The operator spelled `text` in source, if any.
std::optional<BinaryOp> binary_op_spelled(std::string_view text);

struct Expr {
  ExprKind kind;
  Span span;
  BinaryOp op = BinaryOp::Eq;  // Binary only
  bool bool_value = false;     // Bool
  std::int64_t int_value = 0;  // Int; Timestamp (ms since epoch); Duration (ms)
  std::string text;            // String (decoded); Name; Member/Has field; Is role; All/Any bound name
  Span text_span;              // where `text` was written (Member/Has/Is/Name/All/Any)
  std::vector<std::unique_ptr<Expr>> children;

  const Type* type = nullptr;  // set by the checker
};

using ExprPtr = std::unique_ptr<Expr>;

// ---- declarations ----------------------------------------------------------

struct Doc {
  Span span;
  std::string text;  // `///` lines joined with '\n', one leading space removed
};

enum class Action { Read, Write };

struct UseDecl {
  Span span;
  bool is_path = false;  // `use "x.authz"` (path) vs `use mcp.filesystem` (module)
  std::string target;    // the path as written, or the dotted module name
  Span target_span;
};

// What every named declaration carries: where it was written, its name, and
// the `///` doc above it. The declarations below add what is theirs.
struct NamedDecl {
  Span span;
  Name name;  // identifiers and quoted names ("get-sum") both land here
  std::optional<Doc> doc;
};

enum class RecordKind { Principal, Entity, Record };

struct RecordDecl : NamedDecl {  // principal, entity and record declarations
  RecordKind kind;
  std::vector<Field> fields;
};

struct RoleDecl : NamedDecl {
  std::vector<Name> parents;  // `role manager : rep;` -> parents {rep}
};

// A declaration with parameters: a tool, a prompt or an obligation.
struct ParameterizedDecl : NamedDecl {
  std::vector<Field> params;
};

struct ToolDecl : ParameterizedDecl {
  std::optional<Action> action;  // absent: the checker reports E0415
};

struct ResourceDecl : NamedDecl {
  std::string uri;  // decoded; may hold `{variables}` (URI template)
  Span uri_span;
};

struct PromptDecl : ParameterizedDecl {};

struct Target {
  enum class Kind { Named, AllRead, AllWrite };
  Kind kind = Kind::Named;
  Span span;
  std::string name;  // Named only
};

struct GroupDecl : NamedDecl {
  std::vector<Target> members;
};

struct ObligationDecl : ParameterizedDecl {};

struct Subject {
  enum class Kind { Anyone, User, Role };
  Kind kind = Kind::Role;
  Span span;
  std::string name;  // user id (decoded) or role name
};

struct NamedArgument {
  Span span;
  Name name;
  ExprPtr value;
};

struct ObligationUse {
  Span span;
  Name name;
  std::vector<NamedArgument> arguments;
};

struct TimeBound {
  Span span;
  std::int64_t millis = 0;  // since the Unix epoch, UTC
};

enum class Effect { Allow, Deny };

struct RuleDecl {
  Span span;
  Effect effect = Effect::Allow;
  Name id;
  std::optional<Doc> doc;
  bool subjects_given = false;    // false: no `... may` part was written
  std::vector<Subject> subjects;  // empty when !subjects_given
  std::vector<Target> targets;
  ExprPtr when;    // null when absent
  ExprPtr unless;  // null when absent
  std::optional<TimeBound> from;
  std::optional<TimeBound> until;
  std::vector<ObligationUse> obligations;
};

struct GrantDecl {
  Span span;
  Name id;
  std::optional<Doc> doc;
  std::string user;  // decoded user id
  Span user_span;
  std::vector<Target> targets;
  std::optional<TimeBound> from;
  std::optional<TimeBound> until;   // absent: the checker reports E0402
  std::optional<std::string> because;  // absent: E0403
  Span because_span;
};

struct DefaultDecl {
  Span span;
  Effect effect = Effect::Deny;
};

// One parsed file. Declarations keep their source order within each kind.
struct File {
  FileId file = kNoFile;
  bool has_header = false;
  bool is_module = false;  // `module x;` rather than `policy x;`
  std::string name;        // dotted name from the header
  Span header_span;

  std::vector<UseDecl> uses;
  std::vector<RecordDecl> records;  // principals, entities and records
  std::vector<RoleDecl> roles;
  std::vector<ToolDecl> tools;
  std::vector<ResourceDecl> resources;
  std::vector<PromptDecl> prompts;
  std::vector<GroupDecl> groups;
  std::vector<ObligationDecl> obligations;
  std::vector<RuleDecl> rules;
  std::vector<GrantDecl> grants;
  std::vector<DefaultDecl> defaults;
};

// A canonical, span-free text form of a file, for golden tests and reviews.
std::string dump(const File& file);
std::string dump(const Expr& expr);

}  // namespace authz::ast
