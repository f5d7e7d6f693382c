// table_model.cpp — the Model's small helpers: role bitsets, interning,
// constant factories and names of enum values. Safe on unvalidated models
// (out-of-range indices print as `?`, never read out of bounds).
#include "runtime/table_model.h"

#include <utility>

namespace authz::runtime {

void RoleSet::insert(RoleIndex role) {
  std::size_t word = role / 64;
  if (words.size() <= word) words.resize(word + 1, 0);
  words[word] |= std::uint64_t{1} << (role % 64);
}

bool RoleSet::contains(RoleIndex role) const {
  std::size_t word = role / 64;
  return word < words.size() && (words[word] >> (role % 64)) & 1u;
}

bool RoleSet::intersects(const RoleSet& other) const {
  std::size_t count = words.size() < other.words.size() ? words.size() : other.words.size();
  for (std::size_t i = 0; i < count; ++i) {
    if (words[i] & other.words[i]) return true;
  }
  return false;
}

bool RoleSet::empty() const {
  for (std::uint64_t word : words) {
    if (word) return false;
  }
  return true;
}

bool operator==(const RoleSet& a, const RoleSet& b) {
  std::size_t longest = a.words.size() > b.words.size() ? a.words.size() : b.words.size();
  for (std::size_t i = 0; i < longest; ++i) {
    std::uint64_t left = i < a.words.size() ? a.words[i] : 0;
    std::uint64_t right = i < b.words.size() ? b.words[i] : 0;
    if (left != right) return false;
  }
  return true;
}

// One line per kind: the kind and the one member that holds its value (the
// others keep their defaults, so equal values give equal Constants).
Constant Constant::of_bool(bool value) { return {.kind = ConstantKind::Bool, .bool_value = value}; }
Constant Constant::of_int(std::int64_t value) { return {.kind = ConstantKind::Int, .int_value = value}; }
Constant Constant::of_number(double value) { return {.kind = ConstantKind::Number, .number_value = value}; }
Constant Constant::of_string(std::string value) {
  return {.kind = ConstantKind::String, .string_value = std::move(value)};
}
Constant Constant::of_timestamp(std::int64_t millis) { return {.kind = ConstantKind::Timestamp, .int_value = millis}; }
Constant Constant::of_duration(std::int64_t millis) { return {.kind = ConstantKind::Duration, .int_value = millis}; }
Constant Constant::of_role(RoleIndex role) { return {.kind = ConstantKind::Role, .int_value = role}; }
Constant Constant::of_list(std::vector<ConstantIndex> elements) {
  return {.kind = ConstantKind::List, .elements = std::move(elements)};
}

TypeIndex intern_type(Model& model, TypeDescriptor type) {
  for (std::size_t i = 0; i < model.types.size(); ++i) {
    if (model.types[i] == type) return static_cast<TypeIndex>(i);
  }
  model.types.push_back(type);
  return static_cast<TypeIndex>(model.types.size() - 1);
}

TypeIndex intern_type(Model& model, TypeKind kind, bool optional) {
  TypeDescriptor type;
  type.kind = kind;
  type.optional = optional;
  return intern_type(model, type);
}

ConstantIndex add_constant(Model& model, Constant constant) {
  model.constants.push_back(std::move(constant));
  return static_cast<ConstantIndex>(model.constants.size() - 1);
}

NodeIndex add_node(Model& model, Node node) {
  model.nodes.push_back(std::move(node));
  return static_cast<NodeIndex>(model.nodes.size() - 1);
}

namespace {

// Bounded so a cyclic (unvalidated) type table cannot recurse forever.
void append_type_name(const Model& model, TypeIndex index, int depth, std::string& out) {
  if (index >= model.types.size() || depth > 64) {
    out += '?';
    return;
  }
  const TypeDescriptor& type = model.types[index];
  auto schema_name = [&](const std::vector<Schema>& schemas) {
    out += type.schema < schemas.size() ? schemas[type.schema].name : std::string("?");
  };
  switch (type.kind) {
    case TypeKind::Set:
    case TypeKind::List:
      out += type.kind == TypeKind::Set ? "Set<" : "List<";
      if (type.element == kNoIndex && type.kind == TypeKind::List) {
        out += "?";
      } else {
        append_type_name(model, type.element, depth + 1, out);
      }
      out += '>';
      break;
    case TypeKind::Map:
      out += "Map<String, ";
      append_type_name(model, type.element, depth + 1, out);
      out += '>';
      break;
    case TypeKind::Entity: schema_name(model.entities); break;
    case TypeKind::Record: schema_name(model.records); break;
    case TypeKind::Principal:
      out += model.principal.name.empty() ? std::string("User") : model.principal.name;
      break;
    default: out += to_string(type.kind); break;
  }
  if (type.optional) out += '?';
}

}  // namespace

std::string type_name(const Model& model, TypeIndex type) {
  std::string out;
  append_type_name(model, type, 0, out);
  return out;
}

const char* to_string(TypeKind kind) {
  switch (kind) {
    case TypeKind::Bool: return "Bool";
    case TypeKind::Int: return "Int";
    case TypeKind::Number: return "Number";
    case TypeKind::String: return "String";
    case TypeKind::Timestamp: return "Timestamp";
    case TypeKind::Duration: return "Duration";
    case TypeKind::Role: return "Role";
    case TypeKind::Set: return "Set";
    case TypeKind::List: return "List";
    case TypeKind::Map: return "Map";
    case TypeKind::Entity: return "Entity";
    case TypeKind::Record: return "Record";
    case TypeKind::Principal: return "Principal";
  }
  return "?";
}

const char* to_string(Opcode op) { return opcode_info(op).spelling; }

const char* to_string(TargetKind kind) {
  switch (kind) {
    case TargetKind::Tool: return "tool";
    case TargetKind::Resource: return "resource";
    case TargetKind::Prompt: return "prompt";
  }
  return "?";
}

const char* to_string(Action action) { return action == Action::Read ? "read" : "write"; }
const char* to_string(Effect effect) { return effect == Effect::Allow ? "allow" : "deny"; }

}  // namespace authz::runtime
