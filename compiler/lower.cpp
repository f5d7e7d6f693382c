// lower.cpp — CheckedPolicy -> runtime::Model. See lower.h for the contract.
//
// Types are translated once each (memoised by the checker's interned Type
// pointer). Expressions are lowered post-order, so every operand index is
// smaller than its user's, as the Model requires. `args.x` becomes an
// Argument node, `args has x` a HasArgument node, a bare role name a Role
// literal; a list literal whose elements are all literals becomes one List
// constant so evaluating it allocates nothing. Equal nodes and constants are
// stored once (ModelInterner): rules that repeat a condition share its nodes.
#include "compiler/lower.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "runtime/internal/model_interner.h"
#include "runtime/internal/model_validation.h"

namespace authz {
namespace {

namespace rt = runtime;

class Lowerer {
 public:
  Lowerer(const CheckedPolicy& policy, const SourceManager& sources)
      : policy_(policy), sources_(sources), interner_(model_) {}

  LowerResult run() {
    model_.policy_name = policy_.name;
    declare_schemas();
    lower_roles();
    lower_targets();
    lower_obligations();
    for (const CheckedRule& rule : policy_.rules) lower_rule(rule);
    for (const CheckedGrant& grant : policy_.grants) lower_grant(grant);
    check_expression_sizes();
    return {std::move(model_), std::move(error_)};
  }

 private:
  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }

  // The loader refuses an expression larger than kMaxExpressionNodes written
  // out (shared nodes counted each time they are used); say so here, by rule.
  void check_expression_sizes() {
    constexpr std::uint64_t kLimit = rt::kMaxExpressionNodes;
    std::vector<std::uint64_t> size(model_.nodes.size(), 1);
    for (std::size_t i = 0; i < model_.nodes.size(); ++i) {
      for (rt::NodeIndex operand : model_.nodes[i].operands) size[i] = std::min(size[i] + size[operand], kLimit + 1);
    }
    for (const rt::Rule& rule : model_.rules) {
      for (rt::NodeIndex root : {rule.when, rule.unless}) {
        if (root != rt::kNoIndex && size[root] > kLimit) {
          fail("a condition of rule `" + rule.id + "` has more than " + std::to_string(kLimit) +
               " nodes; split it into several rules");
        }
      }
    }
  }

  // ---- types and schemas ----------------------------------------------------

  void declare_schemas() {
    // Schemas are numbered before their attributes are translated, so an
    // entity attribute may refer to another entity declared later.
    for (const Type* entity : policy_.entities) {
      schema_index_[entity] = static_cast<rt::SchemaIndex>(model_.entities.size());
      model_.entities.push_back({entity->name, {}});
    }
    for (const Type* record : policy_.records) {
      schema_index_[record] = static_cast<rt::SchemaIndex>(model_.records.size());
      model_.records.push_back({record->name, {}});
    }
    for (std::size_t i = 0; i < policy_.entities.size(); ++i) {
      model_.entities[i].attributes = attributes(policy_.entities[i]->attributes());
    }
    for (std::size_t i = 0; i < policy_.records.size(); ++i) {
      model_.records[i].attributes = attributes(policy_.records[i]->attributes());
    }
    if (policy_.principal) {
      model_.principal.name = policy_.principal->name;
      model_.principal.attributes = attributes(policy_.principal->attributes());
    } else {
      fail("the checked policy has no principal type");
    }
  }

  std::vector<rt::Attribute> attributes(const AttributeList& list) {
    std::vector<rt::Attribute> result;
    result.reserve(list.size());
    for (const Attribute& attribute : list) result.push_back({attribute.name, type(attribute.type)});
    return result;
  }

  rt::TypeIndex type(const Type* type) {
    if (!type) {
      fail("an expression has no type");
      return rt::kNoIndex;
    }
    if (auto found = type_index_.find(type); found != type_index_.end()) return found->second;
    rt::TypeDescriptor descriptor;
    descriptor.optional = type->optional;
    switch (type->kind) {
      case TypeKind::Bool: descriptor.kind = rt::TypeKind::Bool; break;
      case TypeKind::Int: descriptor.kind = rt::TypeKind::Int; break;
      case TypeKind::Number: descriptor.kind = rt::TypeKind::Number; break;
      case TypeKind::String: descriptor.kind = rt::TypeKind::String; break;
      case TypeKind::Timestamp: descriptor.kind = rt::TypeKind::Timestamp; break;
      case TypeKind::Duration: descriptor.kind = rt::TypeKind::Duration; break;
      case TypeKind::Role: descriptor.kind = rt::TypeKind::Role; break;
      case TypeKind::Set: descriptor.kind = rt::TypeKind::Set; break;
      case TypeKind::List: descriptor.kind = rt::TypeKind::List; break;
      case TypeKind::Map: descriptor.kind = rt::TypeKind::Map; break;
      case TypeKind::EmptyList: descriptor.kind = rt::TypeKind::List; break;
      case TypeKind::Entity: descriptor.kind = rt::TypeKind::Entity; break;
      case TypeKind::Record: descriptor.kind = rt::TypeKind::Record; break;
      case TypeKind::Principal: descriptor.kind = rt::TypeKind::Principal; break;
      case TypeKind::Args:
      case TypeKind::Error:
        fail("type `" + to_string(type) + "` cannot be lowered");
        return rt::kNoIndex;
    }
    if (type->element) descriptor.element = this->type(type->element);
    const Type* nominal = type->required ? type->required : type;
    if (type->kind == TypeKind::Entity || type->kind == TypeKind::Record) {
      auto schema = schema_index_.find(nominal);
      if (schema == schema_index_.end()) {
        fail("type `" + to_string(type) + "` has no schema");
        return rt::kNoIndex;
      }
      descriptor.schema = schema->second;
    }
    rt::TypeIndex index = rt::intern_type(model_, descriptor);
    type_index_[type] = index;
    return index;
  }

  // ---- roles, targets, obligations -------------------------------------------

  void lower_roles() {
    for (const CheckedRole& role : policy_.roles) {
      rt::Role lowered{role.name, {}};
      for (RoleIndex included : role.includes) lowered.includes.insert(included);
      model_.roles.push_back(std::move(lowered));
    }
  }

  void lower_targets() {
    for (const CheckedTarget& target : policy_.targets) {
      rt::Target lowered;
      switch (target.kind) {
        case TargetKind::Tool: lowered.kind = rt::TargetKind::Tool; break;
        case TargetKind::Resource: lowered.kind = rt::TargetKind::Resource; break;
        case TargetKind::Prompt: lowered.kind = rt::TargetKind::Prompt; break;
      }
      lowered.name = target.name;
      lowered.action = target.action == ast::Action::Write ? rt::Action::Write : rt::Action::Read;
      for (const Attribute& param : target.params) {
        lowered.params.push_back({param.name, type(param.type), param.sensitive});
      }
      lowered.uri = target.uri;
      model_.targets.push_back(std::move(lowered));
    }
  }

  void lower_obligations() {
    for (const CheckedObligation& obligation : policy_.obligations) {
      model_.obligations.push_back({obligation.name, attributes(obligation.params)});
    }
  }

  // ---- rules and grants ---------------------------------------------------------

  rt::SourceLocation location(Span span) const {
    if (!span.valid()) return {};
    LineColumn position = sources_.line_column(span.file, span.begin);
    return {sources_.path(span.file), position.line, position.column};
  }

  void lower_rule(const CheckedRule& rule) {
    rt::Rule lowered;
    lowered.id = rule.id;
    lowered.effect = rule.effect == ast::Effect::Allow ? rt::Effect::Allow : rt::Effect::Deny;
    if (rule.decl && rule.decl->doc) lowered.doc = rule.decl->doc->text;
    lowered.location = location(rule.span);
    lowered.subjects.anyone = rule.anyone;
    for (RoleIndex role : rule.roles) lowered.subjects.roles.insert(role);
    lowered.subjects.users = rule.users;
    lowered.window = {rule.from, rule.until};
    if (rule.when) lowered.when = expression(*rule.when);
    if (rule.unless) lowered.unless = expression(*rule.unless);
    for (const ObligationCall& call : rule.obligations) lowered.obligations.push_back(obligation_use(call));

    const auto index = static_cast<rt::RuleIndex>(model_.rules.size());
    model_.rules.push_back(std::move(lowered));
    for (TargetIndex target : rule.targets) model_.targets[target].rules.push_back(index);
  }

  void lower_grant(const CheckedGrant& grant) {
    rt::Grant lowered;
    lowered.id = grant.id;
    lowered.user = grant.user;
    lowered.reason = grant.reason;
    if (grant.decl && grant.decl->doc) lowered.doc = grant.decl->doc->text;
    lowered.location = location(grant.span);
    lowered.window = {grant.from, grant.until};

    const auto index = static_cast<rt::GrantIndex>(model_.grants.size());
    model_.grants.push_back(std::move(lowered));
    for (TargetIndex target : grant.targets) model_.targets[target].grants.push_back(index);
  }

  rt::ObligationUse obligation_use(const ObligationCall& call) {
    rt::ObligationUse use;
    use.obligation = call.obligation;
    const CheckedObligation& declared = policy_.obligations[call.obligation];
    use.arguments.assign(declared.params.size(), rt::kNoIndex);
    for (const ObligationArgument& argument : call.arguments) {
      if (argument.param < use.arguments.size()) use.arguments[argument.param] = constant(argument.value);
    }
    for (rt::ConstantIndex argument : use.arguments) {
      if (argument == rt::kNoIndex) fail("obligation `" + declared.name + "` is missing an argument");
    }
    return use;
  }

  rt::ConstantIndex constant(const Constant& value) {
    const Type* type = value.type;
    switch (type ? type->kind : TypeKind::Error) {
      case TypeKind::Bool: return interner_.constant(rt::Constant::of_bool(value.bool_value));
      case TypeKind::Int: return interner_.constant(rt::Constant::of_int(value.int_value));
      case TypeKind::Number: return interner_.constant(rt::Constant::of_number(value.number_value));
      case TypeKind::String: return interner_.constant(rt::Constant::of_string(value.string_value));
      case TypeKind::Timestamp: return interner_.constant(rt::Constant::of_timestamp(value.int_value));
      case TypeKind::Duration: return interner_.constant(rt::Constant::of_duration(value.int_value));
      case TypeKind::Role:
        return interner_.constant(rt::Constant::of_role(static_cast<rt::RoleIndex>(value.int_value)));
      case TypeKind::Set:
      case TypeKind::List:
      case TypeKind::EmptyList: {
        std::vector<rt::ConstantIndex> elements;
        for (const Constant& element : value.elements) elements.push_back(constant(element));
        return interner_.constant(rt::Constant::of_list(std::move(elements)));
      }
      default:
        fail("an obligation argument of type `" + to_string(type) + "` cannot be lowered");
        return rt::kNoIndex;
    }
  }

  // ---- expressions -------------------------------------------------------------------

  // A node for `expr`; the caller fills in what else it needs and stores it
  // with interner_.node().
  rt::Node make(rt::Opcode op, const ast::Expr& expr, const std::vector<rt::NodeIndex>& operands = {}) {
    rt::Node node;
    node.op = op;
    node.type = type(expr.type);
    node.operands.assign(operands.data(), operands.data() + operands.size());
    node.source = std::string(sources_.slice(expr.span));
    return node;
  }
  rt::NodeIndex add(rt::Opcode op, const ast::Expr& expr, const std::vector<rt::NodeIndex>& operands = {}) {
    return interner_.node(make(op, expr, operands));
  }

  rt::NodeIndex literal(const ast::Expr& expr, rt::Constant value) {
    rt::Node node = make(rt::Opcode::Literal, expr);
    node.constant = interner_.constant(std::move(value));
    return interner_.node(std::move(node));
  }

  // The constant a literal expression denotes, if it is one.
  std::optional<rt::Constant> literal_constant(const ast::Expr& expr) {
    switch (expr.kind) {
      case ast::ExprKind::Bool: return rt::Constant::of_bool(expr.bool_value);
      case ast::ExprKind::Int:
        if (expr.type && expr.type->kind == TypeKind::Number) {
          return rt::Constant::of_number(static_cast<double>(expr.int_value));
        }
        return rt::Constant::of_int(expr.int_value);
      case ast::ExprKind::String: return rt::Constant::of_string(expr.text);
      case ast::ExprKind::Timestamp: return rt::Constant::of_timestamp(expr.int_value);
      case ast::ExprKind::Duration: return rt::Constant::of_duration(expr.int_value);
      case ast::ExprKind::Name:
        if (bound_slot(expr.text) != rt::kNoIndex) return std::nullopt;  // a quantifier's element
        if (const CheckedRole* role = policy_.find_role(expr.text)) return rt::Constant::of_role(role->index);
        return std::nullopt;
      default: return std::nullopt;
    }
  }

  static bool is_args(const ast::Expr& expr) { return expr.kind == ast::ExprKind::Args; }

  rt::NodeIndex expression(const ast::Expr& expr) {
    if (auto value = literal_constant(expr)) return literal(expr, std::move(*value));
    switch (expr.kind) {
      case ast::ExprKind::Now: return add(rt::Opcode::Now, expr);
      case ast::ExprKind::User: return add(rt::Opcode::User, expr);
      case ast::ExprKind::List: return list(expr);
      case ast::ExprKind::Member: {
        const ast::Expr& object = *expr.children[0];
        if (is_args(object)) return named(rt::Opcode::Argument, expr);
        rt::NodeIndex operand = expression(object);
        return field(rt::Opcode::Member, expr, object, operand);
      }
      case ast::ExprKind::Has: {
        const ast::Expr& object = *expr.children[0];
        if (is_args(object)) return named(rt::Opcode::HasArgument, expr);
        rt::NodeIndex operand = expression(object);
        return field(rt::Opcode::Has, expr, object, operand);
      }
      case ast::ExprKind::Is: {
        rt::Node node = make(rt::Opcode::Is, expr);
        const CheckedRole* role = policy_.find_role(expr.text);
        if (!role) fail("role `" + expr.text + "` is not declared");
        node.field = role ? role->index : rt::kNoIndex;
        return interner_.node(std::move(node));
      }
      case ast::ExprKind::Not: return add(rt::Opcode::Not, expr, {expression(*expr.children[0])});
      case ast::ExprKind::Negate: return add(rt::Opcode::Negate, expr, {expression(*expr.children[0])});
      case ast::ExprKind::And: return add(rt::Opcode::And, expr, children(expr));
      case ast::ExprKind::Or: return add(rt::Opcode::Or, expr, children(expr));
      case ast::ExprKind::Binary: return add(binary_opcode(expr.op), expr, children(expr));
      case ast::ExprKind::All:
      case ast::ExprKind::Any: return quantifier(expr);
      case ast::ExprKind::Name: {
        rt::Node node = make(rt::Opcode::Bound, expr);
        node.field = bound_slot(expr.text);
        if (node.field == rt::kNoIndex) fail("name `" + expr.text + "` is neither a role nor bound");
        node.name = expr.text;
        return interner_.node(std::move(node));
      }
      default:
        fail("expression `" + std::string(sources_.slice(expr.span)) + "` cannot be lowered");
        return add(rt::Opcode::Literal, expr);
    }
  }

  // all(x in list: body) / any(...): the quantifier's slot is how many
  // quantifiers enclose it, so nested ones never share a slot; the checker
  // keeps the nesting within rt::kMaxBoundSlots.
  rt::NodeIndex quantifier(const ast::Expr& expr) {
    rt::NodeIndex over = expression(*expr.children[0]);
    const auto slot = static_cast<rt::Index>(bound_.size());
    if (slot >= rt::kMaxBoundSlots) fail("quantifiers nest too deeply");
    bound_.push_back(expr.text);
    rt::NodeIndex body = expression(*expr.children[1]);
    bound_.pop_back();
    rt::Node node = make(expr.kind == ast::ExprKind::All ? rt::Opcode::All : rt::Opcode::Any, expr, {over, body});
    node.field = slot;
    node.name = expr.text;
    return interner_.node(std::move(node));
  }

  // The slot of the innermost quantifier binding `name`, or kNoIndex.
  rt::Index bound_slot(const std::string& name) const {
    for (std::size_t i = bound_.size(); i-- > 0;) {
      if (bound_[i] == name) return static_cast<rt::Index>(i);
    }
    return rt::kNoIndex;
  }

  std::vector<rt::NodeIndex> children(const ast::Expr& expr) {
    std::vector<rt::NodeIndex> result;
    result.reserve(expr.children.size());
    for (const auto& child : expr.children) result.push_back(expression(*child));
    return result;
  }

  rt::NodeIndex list(const ast::Expr& expr) {
    std::vector<rt::ConstantIndex> elements;
    for (const auto& child : expr.children) {
      auto value = literal_constant(*child);
      if (!value) return add(rt::Opcode::MakeList, expr, children(expr));
      elements.push_back(interner_.constant(std::move(*value)));
    }
    return literal(expr, rt::Constant::of_list(std::move(elements)));
  }

  rt::NodeIndex named(rt::Opcode op, const ast::Expr& expr) {
    rt::Node node = make(op, expr);
    node.name = expr.text;
    return interner_.node(std::move(node));
  }

  rt::NodeIndex field(rt::Opcode op, const ast::Expr& expr, const ast::Expr& object, rt::NodeIndex operand) {
    rt::Node node = make(op, expr, {operand});
    const Type* object_type = object.type ? TypeContext::required(object.type) : nullptr;
    const AttributeList* attributes = object_type && object_type->has_attributes() ? &object_type->attributes() : nullptr;
    std::uint32_t index = rt::kNoIndex;
    if (attributes) {
      if (const Attribute* found = attributes->find(expr.text)) {
        index = static_cast<std::uint32_t>(found - attributes->all().data());
      }
    }
    if (index == rt::kNoIndex) fail("attribute `" + expr.text + "` cannot be resolved");
    node.field = index;
    return interner_.node(std::move(node));
  }

  static rt::Opcode binary_opcode(ast::BinaryOp op) {
    switch (op) {
#define AUTHZ_BINARY_OPCODE(Name, number, spelling, operands, variadic, bool_result, precedence) \
  case ast::BinaryOp::Name: return rt::Opcode::Name;
#include "runtime/opcodes.def"
    }
    return rt::Opcode::Eq;
  }

  const CheckedPolicy& policy_;
  const SourceManager& sources_;
  rt::Model model_;
  rt::ModelInterner interner_;  // appends to model_
  std::string error_;
  std::vector<std::string> bound_;  // names bound by the enclosing quantifiers, outermost first
  std::unordered_map<const Type*, rt::TypeIndex> type_index_;
  std::unordered_map<const Type*, rt::SchemaIndex> schema_index_;
};

}  // namespace

LowerResult lower(const CheckedPolicy& policy, const SourceManager& sources) {
  return Lowerer(policy, sources).run();
}

}  // namespace authz
