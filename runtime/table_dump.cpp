// table_dump.cpp — see table_dump.h. Precedence levels follow the grammar
// (OpPrecedence in table_model.h, one column of runtime/opcodes.def).
#include "runtime/internal/table_dump.h"

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "runtime/internal/model_validation.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/value_text.h"

namespace authz::runtime {
namespace {

// Printing precedence: the OpPrecedence column of opcodes.def.
constexpr int kOr = static_cast<int>(OpPrecedence::Or);
constexpr int kNot = static_cast<int>(OpPrecedence::Not);
constexpr int kAdditive = static_cast<int>(OpPrecedence::Additive);
constexpr int kUnary = static_cast<int>(OpPrecedence::Unary);
constexpr int kPostfix = static_cast<int>(OpPrecedence::Postfix);

int precedence_of(Opcode op) { return static_cast<int>(opcode_info(op).precedence); }

bool is_identifier(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::string name_text(std::string_view name) { return is_identifier(name) ? std::string(name) : quoted(name); }

std::string role_name(const Model& model, std::int64_t role) {
  return role >= 0 && static_cast<std::uint64_t>(role) < model.roles.size() ? model.roles[static_cast<std::size_t>(role)].name
                                                                             : std::string("?");
}

void append_constant(const Model& model, ConstantIndex index, int depth, std::string& out) {
  if (index >= model.constants.size() || depth > static_cast<int>(kMaxConstantDepth)) {
    out += '?';
    return;
  }
  const Constant& constant = model.constants[index];
  switch (constant.kind) {
    case ConstantKind::Bool: out += constant.bool_value ? "true" : "false"; break;
    case ConstantKind::Int: out += fmt::format("{}", constant.int_value); break;
    case ConstantKind::Number: out += fmt::format("{}", constant.number_value); break;
    case ConstantKind::String: append_quoted(out, constant.string_value); break;
    case ConstantKind::Timestamp: out += format_timestamp(constant.int_value); break;
    case ConstantKind::Duration: out += format_duration(constant.int_value); break;
    case ConstantKind::Role: out += role_name(model, constant.int_value); break;
    case ConstantKind::List:
      out += '[';
      for (std::size_t i = 0; i < constant.elements.size(); ++i) {
        if (i) out += ", ";
        // Elements must come first; anything else is printed as `?` (no cycles).
        if (constant.elements[i] < index) {
          append_constant(model, constant.elements[i], depth + 1, out);
        } else {
          out += '?';
        }
      }
      out += ']';
      break;
    default: out += '?'; break;
  }
}

std::string attribute_name(const Model& model, TypeIndex object_type, Index field) {
  if (object_type >= model.types.size()) return "?";
  const TypeDescriptor& type = model.types[object_type];
  const Schema* schema = nullptr;
  if (type.kind == TypeKind::Principal) schema = &model.principal;
  if (type.kind == TypeKind::Entity && type.schema < model.entities.size()) schema = &model.entities[type.schema];
  if (type.kind == TypeKind::Record && type.schema < model.records.size()) schema = &model.records[type.schema];
  if (!schema || field >= schema->attributes.size()) return "?";
  return schema->attributes[field].name;
}

class ExpressionPrinter {
 public:
  explicit ExpressionPrinter(const Model& model) : model_(model) {}

  void print(NodeIndex index, int required, int depth, std::string& out) {
    if (index >= model_.nodes.size() || depth > static_cast<int>(kMaxExpressionDepth)) {
      out += '?';
      return;
    }
    const Node& node = model_.nodes[index];
    int own = precedence_of(node.op);
    bool parenthesise = own < required;
    if (parenthesise) out += '(';
    // An operand must come before its node; anything else prints as `?`.
    auto operand = [&](std::size_t k, int needed) {
      if (k < node.operands.size() && node.operands[k] < index) {
        print(node.operands[k], needed, depth + 1, out);
      } else {
        out += '?';
      }
    };
    auto operand_type = [&](std::size_t k) -> TypeIndex {
      return k < node.operands.size() && node.operands[k] < model_.nodes.size() ? model_.nodes[node.operands[k]].type
                                                                                : kNoIndex;
    };
    switch (node.op) {
      case Opcode::Literal: append_constant(model_, node.constant, 0, out); break;
      case Opcode::MakeList:
        out += '[';
        for (std::size_t k = 0; k < node.operands.size(); ++k) {
          if (k) out += ", ";
          operand(k, kOr);
        }
        out += ']';
        break;
      case Opcode::Now: out += "now"; break;
      case Opcode::User: out += "user"; break;
      case Opcode::Argument: out += "args." + node.name; break;
      case Opcode::HasArgument: out += "args has " + node.name; break;
      case Opcode::Member:
        operand(0, kPostfix);
        out += '.';
        out += attribute_name(model_, operand_type(0), node.field);
        break;
      case Opcode::Has:
        operand(0, kAdditive);
        out += " has ";
        out += attribute_name(model_, operand_type(0), node.field);
        break;
      case Opcode::Is: out += "user is " + role_name(model_, node.field); break;
      case Opcode::Not: out += '!'; operand(0, kNot); break;
      case Opcode::Negate: out += '-'; operand(0, kUnary); break;
      case Opcode::And:
      case Opcode::Or:
        for (std::size_t k = 0; k < node.operands.size(); ++k) {
          if (k) out += node.op == Opcode::And ? " && " : " || ";
          operand(k, own + 1);
        }
        break;
      case Opcode::Add:
      case Opcode::Sub:
        operand(0, kAdditive);
        out += node.op == Opcode::Add ? " + " : " - ";
        operand(1, kUnary);
        break;
      case Opcode::All:
      case Opcode::Any:
        out += fmt::format("{}({} in ", to_string(node.op), bound_name(node));
        operand(0, kOr);
        out += ": ";
        operand(1, kOr);
        out += ')';
        break;
      case Opcode::Bound: out += bound_name(node); break;
#define AUTHZ_RELATION_OPCODE(Name, ...) case Opcode::Name:
#include "runtime/opcodes.def"
        operand(0, kAdditive);
        out += fmt::format(" {} ", to_string(node.op));
        operand(1, kAdditive);
        break;
    }
    if (parenthesise) out += ')';
  }

 private:
  const Model& model_;
};

void append_doc(std::string& out, std::string_view doc, std::string_view indent) {
  if (doc.empty()) return;
  std::size_t pos = 0;
  while (pos <= doc.size()) {
    std::size_t end = doc.find('\n', pos);
    if (end == std::string::npos) end = doc.size();
    out += fmt::format("{}///{}{}\n", indent, pos == end || doc[pos] == ' ' ? "" : " ", doc.substr(pos, end - pos));
    pos = end + 1;
  }
}

void append_location(std::string& out, const SourceLocation& location) {
  if (location.file.empty() && location.line == 0) return;
  out += fmt::format("  # {}:{}:{}", location.file, location.line, location.column);
}

void append_window(std::string& out, const Window& window) {
  if (window.from_ms) out += fmt::format("  from: {}\n", format_timestamp(*window.from_ms));
  if (window.until_ms) out += fmt::format("  until: {}\n", format_timestamp(*window.until_ms));
}

void append_schema(std::string& out, const Model& model, std::string_view keyword, const Schema& schema) {
  out += fmt::format("{} {}\n", keyword, name_text(schema.name));
  for (const Attribute& attribute : schema.attributes) {
    out += fmt::format("  {}: {}\n", attribute.name, type_name(model, attribute.type));
  }
}

// Targets print by name; a name shared by targets of different kinds gets
// its kind in front so the dump stays unambiguous.
std::vector<std::string> target_labels(const Model& model) {
  std::map<std::string, int> uses;
  for (const Target& target : model.targets) ++uses[target.name];
  std::vector<std::string> labels;
  for (const Target& target : model.targets) {
    std::string name = name_text(target.name);
    labels.push_back(uses[target.name] > 1 ? fmt::format("{} {}", to_string(target.kind), name) : name);
  }
  return labels;
}

}  // namespace

std::string bound_name(const Node& node) {
  return node.name.empty() ? fmt::format("x{}", node.field) : node.name;
}

std::string dump_expression(const Model& model, NodeIndex root) {
  std::string out;
  ExpressionPrinter(model).print(root, 0, 0, out);
  return out;
}

std::string dump_constant(const Model& model, ConstantIndex constant) {
  std::string out;
  append_constant(model, constant, 0, out);
  return out;
}

std::string dump(const Model& model) {
  std::string out = fmt::format("policy {}\n", name_text(model.policy_name));
  out += '\n';
  append_schema(out, model, "principal", model.principal);
  for (const Schema& entity : model.entities) append_schema(out, model, "entity", entity);
  for (const Schema& record : model.records) append_schema(out, model, "record", record);

  if (!model.roles.empty()) out += '\n';
  for (std::size_t r = 0; r < model.roles.size(); ++r) {
    out += fmt::format("role {}", name_text(model.roles[r].name));
    std::string included;
    for (std::size_t j = 0; j < model.roles.size(); ++j) {
      if (j == r || !model.roles[r].includes.contains(static_cast<RoleIndex>(j))) continue;
      included += (included.empty() ? "" : ", ") + model.roles[j].name;
    }
    if (!included.empty()) out += " includes " + included;
    out += '\n';
  }

  std::vector<std::string> labels = target_labels(model);
  if (!model.targets.empty()) out += '\n';
  for (const Target& target : model.targets) {
    std::string params;
    for (const Parameter& param : target.params) {
      if (!params.empty()) params += ", ";
      params += fmt::format("{}: {}{}", param.name, type_name(model, param.type), param.sensitive ? " sensitive" : "");
    }
    switch (target.kind) {
      case TargetKind::Tool:
        out += fmt::format("tool {}({}) {}\n", name_text(target.name), params, to_string(target.action));
        break;
      case TargetKind::Resource:
        out += fmt::format("resource {} {} ({})\n", name_text(target.name), quoted(target.uri), params);
        break;
      case TargetKind::Prompt:
        out += fmt::format("prompt {}({})\n", name_text(target.name), params);
        break;
      default: out += "? target\n"; break;
    }
  }

  if (!model.obligations.empty()) out += '\n';
  for (const ObligationDecl& obligation : model.obligations) {
    std::string params;
    for (const Attribute& param : obligation.params) {
      if (!params.empty()) params += ", ";
      params += fmt::format("{}: {}", param.name, type_name(model, param.type));
    }
    out += fmt::format("obligation {}({})\n", name_text(obligation.name), params);
  }

  // Targets per rule / grant, from the per-target lists.
  std::vector<std::string> rule_targets(model.rules.size());
  std::vector<std::string> grant_targets(model.grants.size());
  for (std::size_t t = 0; t < model.targets.size(); ++t) {
    for (RuleIndex rule : model.targets[t].rules) {
      if (rule < rule_targets.size()) rule_targets[rule] += (rule_targets[rule].empty() ? "" : ", ") + labels[t];
    }
    for (GrantIndex grant : model.targets[t].grants) {
      if (grant < grant_targets.size()) grant_targets[grant] += (grant_targets[grant].empty() ? "" : ", ") + labels[t];
    }
  }

  for (std::size_t i = 0; i < model.rules.size(); ++i) {
    const Rule& rule = model.rules[i];
    out += fmt::format("\n{} {}", to_string(rule.effect), name_text(rule.id));
    append_location(out, rule.location);
    out += '\n';
    append_doc(out, rule.doc, "  ");
    std::string subjects;
    auto add = [&](const std::string& text) { subjects += (subjects.empty() ? "" : ", ") + text; };
    if (rule.subjects.anyone) add("anyone");
    for (std::size_t r = 0; r < model.roles.size(); ++r) {
      if (rule.subjects.roles.contains(static_cast<RoleIndex>(r))) add(model.roles[r].name);
    }
    for (const std::string& user : rule.subjects.users) add("user " + quoted(user));
    out += fmt::format("  subjects: {}\n", subjects);
    out += fmt::format("  targets: {}\n", rule_targets[i].empty() ? "(none)" : rule_targets[i]);
    if (rule.when != kNoIndex) out += fmt::format("  when: {}\n", dump_expression(model, rule.when));
    if (rule.unless != kNoIndex) out += fmt::format("  unless: {}\n", dump_expression(model, rule.unless));
    append_window(out, rule.window);
    for (const ObligationUse& use : rule.obligations) {
      if (use.obligation >= model.obligations.size()) {
        out += "  with: ?\n";
        continue;
      }
      const ObligationDecl& decl = model.obligations[use.obligation];
      std::string arguments;
      for (std::size_t k = 0; k < use.arguments.size(); ++k) {
        if (k) arguments += ", ";
        arguments += fmt::format("{}: {}", k < decl.params.size() ? decl.params[k].name : std::string("?"),
                                 dump_constant(model, use.arguments[k]));
      }
      out += fmt::format("  with: {}({})\n", name_text(decl.name), arguments);
    }
  }

  for (std::size_t i = 0; i < model.grants.size(); ++i) {
    const Grant& grant = model.grants[i];
    out += fmt::format("\ngrant {}", name_text(grant.id));
    append_location(out, grant.location);
    out += '\n';
    append_doc(out, grant.doc, "  ");
    out += fmt::format("  user: {}\n", quoted(grant.user));
    out += fmt::format("  targets: {}\n", grant_targets[i].empty() ? "(none)" : grant_targets[i]);
    append_window(out, grant.window);
    out += fmt::format("  because: {}\n", quoted(grant.reason));
  }
  return out;
}

}  // namespace authz::runtime
