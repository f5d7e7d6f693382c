// model_validation.cpp — see model_validation.h. Checks run in dependency
// order (types, schemas, roles, constants, nodes, targets, obligations, rules,
// grants) so each check may rely on the ones before it.
#include "runtime/internal/model_validation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "runtime/internal/repeat_finder.h"
#include "runtime/internal/uri_template.h"

namespace authz::runtime {
namespace {

// What a message is about: "rule `x`", "grant `x`", "role `x`". Formatted only
// when a message is written: a valid table must not pay for it per rule.
struct Owner {
  const char* kind;
  std::string_view name;
};

}  // namespace
}  // namespace authz::runtime

template <>
struct fmt::formatter<authz::runtime::Owner> : fmt::formatter<std::string_view> {
  auto format(const authz::runtime::Owner& owner, format_context& context) const {
    return fmt::format_to(context.out(), "{} `{}`", owner.kind, owner.name);
  }
};

namespace authz::runtime {
namespace {

using Error = std::optional<std::string>;
using internal::find_repeat;

bool is_bool_type(const Model& model, TypeIndex type) {
  return type < model.types.size() && model.types[type].kind == TypeKind::Bool && !model.types[type].optional;
}

Error check_types(const Model& model) {
  for (std::size_t i = 0; i < model.types.size(); ++i) {
    const TypeDescriptor& type = model.types[i];
    auto element_ok = [&](bool allow_none) -> Error {
      if (type.element == kNoIndex) {
        if (allow_none) return std::nullopt;
        return fmt::format("type {}: `{}` needs an element type", i, to_string(type.kind));
      }
      if (type.element >= i) {
        return fmt::format("type {}: element type {} is not defined before it", i, type.element);
      }
      if (model.types[type.element].optional) {
        return fmt::format("type {}: an element type may not be optional", i);
      }
      return std::nullopt;
    };
    switch (type.kind) {
      case TypeKind::Set:
      case TypeKind::Map:
      case TypeKind::List:
        if (Error e = element_ok(type.kind == TypeKind::List)) return e;
        if (type.schema != kNoIndex) return fmt::format("type {}: a collection has no schema", i);
        break;
      case TypeKind::Entity:
      case TypeKind::Record: {
        std::size_t count = type.kind == TypeKind::Entity ? model.entities.size() : model.records.size();
        if (type.schema >= count) {
          return fmt::format("type {}: {} schema {} does not exist", i,
                             type.kind == TypeKind::Entity ? "entity" : "record", type.schema);
        }
        if (type.element != kNoIndex) return fmt::format("type {}: only collections have an element type", i);
        break;
      }
      case TypeKind::Bool: case TypeKind::Int: case TypeKind::Number: case TypeKind::String:
      case TypeKind::Timestamp: case TypeKind::Duration: case TypeKind::Role: case TypeKind::Principal:
        if (type.element != kNoIndex || type.schema != kNoIndex) {
          return fmt::format("type {}: `{}` has neither element type nor schema", i, to_string(type.kind));
        }
        break;
      default:
        return fmt::format("type {}: unknown type kind {}", i, static_cast<unsigned>(type.kind));
    }
  }
  return std::nullopt;
}

Error check_schema(const Model& model, const Schema& schema, std::string_view what) {
  if (schema.name.empty()) return fmt::format("{} has no name", what);
  for (const Attribute& attribute : schema.attributes) {
    if (attribute.name.empty()) return fmt::format("{} `{}` has an attribute without a name", what, schema.name);
    if (attribute.type >= model.types.size()) {
      return fmt::format("{} `{}`: attribute `{}` has type {}, which does not exist", what, schema.name,
                         attribute.name, attribute.type);
    }
  }
  const auto& attributes = schema.attributes;
  if (auto twice = find_repeat(attributes.size(), [&](std::size_t i) { return std::string_view(attributes[i].name); })) {
    return fmt::format("{} `{}` declares attribute `{}` twice", what, schema.name, attributes[*twice].name);
  }
  return std::nullopt;
}

Error check_principal_builtins(const Model& model) {
  for (const Attribute& attribute : model.principal.attributes) {
    const TypeDescriptor& type = model.types[attribute.type];
    if (attribute.name == "id" && (type.kind != TypeKind::String || type.optional)) {
      return fmt::format("principal attribute `id` must have type `String`, not `{}`",
                         type_name(model, attribute.type));
    }
    if (attribute.name == "roles") {
      bool ok = type.kind == TypeKind::Set && !type.optional && type.element != kNoIndex &&
                model.types[type.element].kind == TypeKind::Role;
      if (!ok) {
        return fmt::format("principal attribute `roles` must have type `Set<Role>`, not `{}`",
                           type_name(model, attribute.type));
      }
    }
  }
  return std::nullopt;
}

Error check_role_set(const Model& model, const RoleSet& set, const Owner& owner) {
  std::size_t words = role_words(model.roles.size());
  // Fewer words than the role count needs is fine (the missing ones are zero).
  if (set.words.size() > words) {
    return fmt::format("{}: role set has {} words, at most {} expected", owner, set.words.size(), words);
  }
  std::size_t spare_bits = words * 64 - model.roles.size();
  if (set.words.size() == words && words > 0 && spare_bits > 0 && (set.words.back() >> (64 - spare_bits)) != 0) {
    return fmt::format("{}: role set names a role beyond the {} declared", owner, model.roles.size());
  }
  return std::nullopt;
}

Error check_roles(const Model& model) {
  for (std::size_t r = 0; r < model.roles.size(); ++r) {
    const Role& role = model.roles[r];
    if (role.name.empty()) return fmt::format("role {} has no name", r);
    if (Error e = check_role_set(model, role.includes, Owner{"role", role.name})) return e;
    if (!role.includes.contains(static_cast<RoleIndex>(r))) {
      return fmt::format("role `{}` does not include itself", role.name);
    }
  }
  if (auto twice = find_repeat(model.roles.size(), [&](std::size_t i) { return std::string_view(model.roles[i].name); })) {
    return fmt::format("role `{}` is declared twice", model.roles[*twice].name);
  }
  // Inheritance must already be expanded: whatever a role includes, it also
  // includes everything that role includes.
  for (std::size_t r = 0; r < model.roles.size(); ++r) {
    const RoleSet& includes = model.roles[r].includes;
    for (std::size_t j = 0; j < model.roles.size(); ++j) {
      if (j == r || !includes.contains(static_cast<RoleIndex>(j))) continue;
      const RoleSet& inner = model.roles[j].includes;
      for (std::size_t w = 0; w < inner.words.size(); ++w) {
        std::uint64_t outer = w < includes.words.size() ? includes.words[w] : 0;
        if (inner.words[w] & ~outer) {
          return fmt::format("role `{}` includes `{}` but not everything `{}` includes (inheritance must be expanded)",
                             model.roles[r].name, model.roles[j].name, model.roles[j].name);
        }
      }
    }
  }
  return std::nullopt;
}

Error check_constants(const Model& model) {
  std::vector<unsigned> depth(model.constants.size(), 1);
  for (std::size_t i = 0; i < model.constants.size(); ++i) {
    const Constant& constant = model.constants[i];
    switch (constant.kind) {
      case ConstantKind::Bool: case ConstantKind::Int: case ConstantKind::String:
      case ConstantKind::Timestamp: case ConstantKind::Duration:
        break;
      case ConstantKind::Number:
        if (!std::isfinite(constant.number_value)) return fmt::format("constant {}: number is not finite", i);
        break;
      case ConstantKind::Role:
        if (constant.int_value < 0 || static_cast<std::uint64_t>(constant.int_value) >= model.roles.size()) {
          return fmt::format("constant {}: role {} does not exist", i, constant.int_value);
        }
        break;
      case ConstantKind::List:
        for (ConstantIndex element : constant.elements) {
          if (element >= i) return fmt::format("constant {}: element {} is not defined before it", i, element);
          if (depth[element] + 1 > depth[i]) depth[i] = depth[element] + 1;
        }
        if (depth[i] > kMaxConstantDepth) {
          return fmt::format("constant {}: lists nest deeper than {}", i, kMaxConstantDepth);
        }
        break;
      default:
        return fmt::format("constant {}: unknown constant kind {}", i, static_cast<unsigned>(constant.kind));
    }
    if (constant.kind != ConstantKind::List && !constant.elements.empty()) {
      return fmt::format("constant {}: only a list has elements", i);
    }
  }
  return std::nullopt;
}

bool constant_fits(const Model& model, ConstantIndex index, TypeIndex type_index) {
  const Constant& constant = model.constants[index];
  const TypeDescriptor& type = model.types[type_index];
  switch (constant.kind) {
    case ConstantKind::Bool: return type.kind == TypeKind::Bool;
    case ConstantKind::Int: return type.kind == TypeKind::Int || type.kind == TypeKind::Number;
    case ConstantKind::Number: return type.kind == TypeKind::Number;
    case ConstantKind::String: return type.kind == TypeKind::String || type.kind == TypeKind::Entity;
    case ConstantKind::Timestamp: return type.kind == TypeKind::Timestamp;
    case ConstantKind::Duration: return type.kind == TypeKind::Duration;
    case ConstantKind::Role: return type.kind == TypeKind::Role;
    case ConstantKind::List:
      return type.kind == TypeKind::List || type.kind == TypeKind::Set;
  }
  return false;
}

const Schema* schema_of(const Model& model, TypeIndex type_index) {
  const TypeDescriptor& type = model.types[type_index];
  switch (type.kind) {
    case TypeKind::Entity: return &model.entities[type.schema];
    case TypeKind::Record: return &model.records[type.schema];
    case TypeKind::Principal: return &model.principal;
    default: return nullptr;
  }
}

Error check_nodes(const Model& model) {
  std::vector<unsigned> depth(model.nodes.size(), 1);
  // Nodes may be shared (the compiler stores equal sub-expressions once), so
  // an expression is a DAG: without a bound on its size as a tree, a few
  // hundred nodes each using the previous one twice would take 2^256 steps to
  // evaluate.
  std::vector<std::uint32_t> tree_size(model.nodes.size(), 1);
  for (std::size_t i = 0; i < model.nodes.size(); ++i) {
    const Node& node = model.nodes[i];
    if (!is_opcode_number(static_cast<std::uint8_t>(node.op))) {
      return fmt::format("node {}: unknown opcode {}", i, static_cast<unsigned>(node.op));
    }
    if (node.type >= model.types.size()) return fmt::format("node {}: type {} does not exist", i, node.type);
    const OpcodeInfo info = opcode_info(node.op);
    bool arity_ok = info.variadic ? node.operands.size() >= info.operands : node.operands.size() == info.operands;
    if (!arity_ok) {
      return fmt::format("node {}: `{}` takes {}{} operands, not {}", i, to_string(node.op),
                         info.variadic ? "at least " : "", info.operands, node.operands.size());
    }
    for (NodeIndex operand : node.operands) {
      if (operand >= i) {
        return fmt::format("node {}: operand {} is not defined before the node (operands come first, so "
                           "expressions cannot be cyclic)", i, operand);
      }
      if (depth[operand] + 1 > depth[i]) depth[i] = depth[operand] + 1;
      // Both at most kMaxExpressionNodes: no overflow.
      tree_size[i] += tree_size[operand];
      if (tree_size[i] > kMaxExpressionNodes) {
        return fmt::format("node {}: expression has more than {} nodes when written out", i, kMaxExpressionNodes);
      }
    }
    if (depth[i] > kMaxExpressionDepth) {
      return fmt::format("node {}: expression nests deeper than {}", i, kMaxExpressionDepth);
    }
    if (info.bool_result && model.types[node.type].kind != TypeKind::Bool) {
      return fmt::format("node {}: `{}` gives a `Bool`, not `{}`", i, to_string(node.op), type_name(model, node.type));
    }
    if (node.op != Opcode::Literal && node.constant != kNoIndex) {
      return fmt::format("node {}: only a literal has a constant", i);
    }
    switch (node.op) {
      case Opcode::Literal:
        if (node.constant >= model.constants.size()) {
          return fmt::format("node {}: constant {} does not exist", i, node.constant);
        }
        if (!constant_fits(model, node.constant, node.type)) {
          return fmt::format("node {}: constant {} does not have type `{}`", i, node.constant,
                             type_name(model, node.type));
        }
        break;
      case Opcode::MakeList: {
        TypeKind kind = model.types[node.type].kind;
        if (kind != TypeKind::List && kind != TypeKind::Set) {
          return fmt::format("node {}: a list has type `{}`", i, type_name(model, node.type));
        }
        break;
      }
      case Opcode::Argument:
      case Opcode::HasArgument:
        if (node.name.empty()) return fmt::format("node {}: `{}` names no parameter", i, to_string(node.op));
        break;
      case Opcode::Member:
      case Opcode::Has: {
        const Schema* schema = schema_of(model, model.nodes[node.operands[0]].type);
        if (!schema) {
          return fmt::format("node {}: `{}` on a value of type `{}`, which has no attributes", i,
                             to_string(node.op), type_name(model, model.nodes[node.operands[0]].type));
        }
        if (node.field >= schema->attributes.size()) {
          return fmt::format("node {}: `{}` has no attribute {}", i, schema->name, node.field);
        }
        break;
      }
      case Opcode::Is:
        if (node.field >= model.roles.size()) return fmt::format("node {}: role {} does not exist", i, node.field);
        break;
      case Opcode::All:
      case Opcode::Any: {
        TypeKind kind = model.types[model.nodes[node.operands[0]].type].kind;
        if (kind != TypeKind::List && kind != TypeKind::Set) {
          return fmt::format("node {}: `{}` ranges over a value of type `{}`, not a list", i, to_string(node.op),
                             type_name(model, model.nodes[node.operands[0]].type));
        }
        if (!is_bool_type(model, model.nodes[node.operands[1]].type)) {
          return fmt::format("node {}: the body of `{}` must be `Bool`", i, to_string(node.op));
        }
        [[fallthrough]];
      }
      case Opcode::Bound:
        if (node.field >= kMaxBoundSlots) {
          return fmt::format("node {}: `{}` names slot {}; there are {}", i, to_string(node.op), node.field,
                             kMaxBoundSlots);
        }
        break;
      case Opcode::Now: case Opcode::User: case Opcode::Not: case Opcode::And: case Opcode::Or:
      case Opcode::Add: case Opcode::Sub: case Opcode::Negate:
#define AUTHZ_RELATION_OPCODE(Name, ...) case Opcode::Name:
#include "runtime/opcodes.def"
        break;  // no operand-independent fields to check
    }
    const bool has_field = node.op == Opcode::Member || node.op == Opcode::Has || node.op == Opcode::Is ||
                           node.op == Opcode::All || node.op == Opcode::Any || node.op == Opcode::Bound;
    if (!has_field && node.field != kNoIndex) {
      return fmt::format("node {}: `{}` takes no field", i, to_string(node.op));
    }
  }
  return std::nullopt;
}

// Per node, the quantifier slots its Bound nodes use that no All / Any inside
// the node binds (bit k: slot k). A condition root must have none: every
// Bound is evaluated inside the quantifier that binds it. Empty when the
// model has no quantifier (nothing to compute). Nodes are validated first.
std::vector<std::uint8_t> unbound_slots(const Model& model) {
  static_assert(kMaxBoundSlots <= 8, "one bit per slot in a byte");
  bool any = std::any_of(model.nodes.begin(), model.nodes.end(), [](const Node& node) {
    return node.op == Opcode::Bound || node.op == Opcode::All || node.op == Opcode::Any;
  });
  if (!any) return {};
  std::vector<std::uint8_t> unbound(model.nodes.size(), 0);
  for (std::size_t i = 0; i < model.nodes.size(); ++i) {
    const Node& node = model.nodes[i];
    if (node.op == Opcode::Bound) {
      unbound[i] = static_cast<std::uint8_t>(1u << node.field);
    } else if (node.op == Opcode::All || node.op == Opcode::Any) {
      unbound[i] = static_cast<std::uint8_t>(unbound[node.operands[0]] |
                                             (unbound[node.operands[1]] & ~(1u << node.field)));
    } else {
      for (NodeIndex operand : node.operands) unbound[i] |= unbound[operand];
    }
  }
  return unbound;
}

Error check_index_list(const std::vector<Index>& list, std::size_t limit, const Owner& owner,
                       std::string_view what) {
  for (std::size_t k = 0; k < list.size(); ++k) {
    if (list[k] >= limit) return fmt::format("{}: {} {} does not exist", owner, what, list[k]);
    if (k > 0 && list[k] <= list[k - 1]) {
      return fmt::format("{}: {} list is not strictly ascending", owner, what);
    }
  }
  return std::nullopt;
}

Error check_targets(const Model& model) {
  for (std::size_t t = 0; t < model.targets.size(); ++t) {
    const Target& target = model.targets[t];
    if (target.kind > TargetKind::Prompt) return fmt::format("target {}: unknown target kind", t);
    if (target.action > Action::Write) return fmt::format("target {}: unknown action", t);
    if (target.name.empty()) return fmt::format("target {} has no name", t);
    const auto owner = Owner{to_string(target.kind), target.name};
    if (target.kind != TargetKind::Tool && target.action != Action::Read) {
      return fmt::format("{} must be `read`", owner);
    }
    const auto& params = target.params;
    for (const Parameter& param : params) {
      if (param.name.empty()) return fmt::format("{} has a parameter without a name", owner);
      if (param.type >= model.types.size()) {
        return fmt::format("{}: parameter `{}` has type {}, which does not exist", owner, param.name, param.type);
      }
    }
    if (auto twice = find_repeat(params.size(), [&](std::size_t i) { return std::string_view(params[i].name); })) {
      return fmt::format("{} declares parameter `{}` twice", owner, params[*twice].name);
    }
    if (target.kind == TargetKind::Resource) {
      std::string error;
      auto parsed = parse_uri_template(target.uri, &error);
      if (target.uri.empty()) return fmt::format("{} has no URI", owner);
      if (!parsed) return fmt::format("{}: invalid URI template `{}`: {}", owner, target.uri, error);
      bool match = parsed->variable_count == target.params.size();
      std::size_t k = 0;
      auto is_string = [&](TypeIndex index) {
        return index < model.types.size() && model.types[index].kind == TypeKind::String && !model.types[index].optional;
      };
      for (const UriTemplate::Piece& piece : parsed->pieces) {
        if (!match || !piece.variable) continue;
        const TypeDescriptor& type = model.types[target.params[k].type];
        const bool typed = piece.explode == 0 ? is_string(target.params[k].type)
                                              : type.kind == TypeKind::List && !type.optional && is_string(type.element);
        match = target.params[k].name == piece.text && typed;
        ++k;
      }
      if (!match) {
        return fmt::format("{}: parameters must be the URI template's variables, each `String` (`List<String>` when "
                           "exploded)",
                           owner);
      }
    } else if (!target.uri.empty()) {
      return fmt::format("{}: only a resource has a URI", owner);
    }
    if (Error e = check_index_list(target.rules, model.rules.size(), owner, "rule")) return e;
    if (Error e = check_index_list(target.grants, model.grants.size(), owner, "grant")) return e;
  }
  auto key = [&](std::size_t i) {
    return internal::Keyed{static_cast<std::uint32_t>(model.targets[i].kind), model.targets[i].name};
  };
  if (auto twice = find_repeat(model.targets.size(), key)) {
    const Target& target = model.targets[*twice];
    return fmt::format("{} is declared twice", Owner{to_string(target.kind), target.name});
  }
  return std::nullopt;
}

Error check_obligations(const Model& model) {
  for (const ObligationDecl& obligation : model.obligations) {
    if (obligation.name.empty()) return std::string("an obligation has no name");
    const auto& params = obligation.params;
    auto param_name = [&](std::size_t i) { return std::string_view(params[i].name); };
    bool unnamed = std::any_of(params.begin(), params.end(), [](const Attribute& p) { return p.name.empty(); });
    if (unnamed || find_repeat(params.size(), param_name)) {
      return fmt::format("obligation `{}` has an unnamed or repeated parameter", obligation.name);
    }
    for (const Attribute& param : params) {
      if (param.type >= model.types.size()) {
        return fmt::format("obligation `{}`: parameter `{}` has type {}, which does not exist", obligation.name,
                           param.name, param.type);
      }
    }
  }
  auto name = [&](std::size_t i) { return std::string_view(model.obligations[i].name); };
  if (auto twice = find_repeat(model.obligations.size(), name)) {
    return fmt::format("obligation `{}` is declared twice", model.obligations[*twice].name);
  }
  return std::nullopt;
}

Error check_window(const Window& window, const Owner& owner) {
  if (window.from_ms && window.until_ms && *window.from_ms >= *window.until_ms) {
    return fmt::format("{}: `from` must be before `until`", owner);
  }
  return std::nullopt;
}

Error check_rules_and_grants(const Model& model) {
  const std::vector<std::uint8_t> unbound = unbound_slots(model);
  for (const Rule& rule : model.rules) {
    if (rule.id.empty()) return std::string("a rule has no id");
    // Formatted only for a message: a valid table must not pay for it per rule.
    const auto owner = Owner{"rule", rule.id};
    if (rule.effect > Effect::Deny) return fmt::format("{}: unknown effect", owner);
    if (Error e = check_role_set(model, rule.subjects.roles, owner)) return e;
    for (const std::string& user : rule.subjects.users) {
      if (user.empty()) return fmt::format("{}: names an empty user id", owner);
    }
    if (!rule.subjects.anyone && rule.subjects.roles.empty() && rule.subjects.users.empty()) {
      return fmt::format("{} has no subjects (a rule for everyone sets `anyone`)", owner);
    }
    if (Error e = check_window(rule.window, owner)) return e;
    for (NodeIndex root : {rule.when, rule.unless}) {
      if (root == kNoIndex) continue;
      if (root >= model.nodes.size()) return fmt::format("{}: condition node {} does not exist", owner, root);
      if (!is_bool_type(model, model.nodes[root].type)) {
        return fmt::format("{}: a condition must be `Bool`, not `{}`", owner, type_name(model, model.nodes[root].type));
      }
      if (!unbound.empty() && unbound[root] != 0) {
        return fmt::format("{}: the condition uses a quantifier's element outside the quantifier", owner);
      }
    }
    if (rule.effect == Effect::Deny && !rule.obligations.empty()) {
      return fmt::format("{}: only an allow carries obligations", owner);
    }
    for (const ObligationUse& use : rule.obligations) {
      if (use.obligation >= model.obligations.size()) {
        return fmt::format("{}: obligation {} does not exist", owner, use.obligation);
      }
      const ObligationDecl& decl = model.obligations[use.obligation];
      if (use.arguments.size() != decl.params.size()) {
        return fmt::format("{}: `{}` takes {} arguments, not {}", owner, decl.name, decl.params.size(),
                           use.arguments.size());
      }
      for (std::size_t k = 0; k < use.arguments.size(); ++k) {
        if (use.arguments[k] >= model.constants.size()) {
          return fmt::format("{}: constant {} does not exist", owner, use.arguments[k]);
        }
        if (!constant_fits(model, use.arguments[k], decl.params[k].type)) {
          return fmt::format("{}: argument `{}` of `{}` must be `{}`", owner, decl.params[k].name, decl.name,
                             type_name(model, decl.params[k].type));
        }
      }
    }
  }
  for (const Grant& grant : model.grants) {
    if (grant.id.empty()) return std::string("a grant has no id");
    const auto owner = Owner{"grant", grant.id};
    if (grant.user.empty()) return fmt::format("{} names no user", owner);
    if (grant.reason.empty()) return fmt::format("{} gives no reason", owner);
    if (Error e = check_window(grant.window, owner)) return e;
  }
  // Rules and grants share one id space.
  std::size_t rules = model.rules.size();
  auto id = [&](std::size_t i) { return std::string_view(i < rules ? model.rules[i].id : model.grants[i - rules].id); };
  if (auto twice = find_repeat(rules + model.grants.size(), id)) return fmt::format("rule id `{}` is used twice", id(*twice));
  return std::nullopt;
}

}  // namespace

std::optional<std::string> find_model_error(const Model& model) {
  constexpr std::size_t kLimit = kNoIndex;  // indices must stay below the "none" marker
  if (model.types.size() >= kLimit || model.constants.size() >= kLimit || model.nodes.size() >= kLimit ||
      model.rules.size() >= kLimit || model.grants.size() >= kLimit || model.targets.size() >= kLimit ||
      model.roles.size() >= kLimit) {
    return std::string("the table has too many entries");
  }
  if (model.policy_name.empty()) return std::string("the policy has no name");
  if (Error e = check_types(model)) return e;
  if (Error e = check_schema(model, model.principal, "principal")) return e;
  if (Error e = check_principal_builtins(model)) return e;
  for (const Schema& entity : model.entities) {
    if (Error e = check_schema(model, entity, "entity")) return e;
  }
  for (const Schema& record : model.records) {
    if (Error e = check_schema(model, record, "record")) return e;
  }
  if (Error e = check_roles(model)) return e;
  if (Error e = check_constants(model)) return e;
  if (Error e = check_nodes(model)) return e;
  if (Error e = check_targets(model)) return e;
  if (Error e = check_obligations(model)) return e;
  if (Error e = check_rules_and_grants(model)) return e;
  return std::nullopt;
}

}  // namespace authz::runtime
