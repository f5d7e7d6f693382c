// types.cpp — interning of types and their language spelling.
#include "compiler/types.h"

namespace authz {

bool Attribute::optional() const { return type != nullptr && type->optional; }

bool AttributeList::add(Attribute attribute) {
  auto [slot, inserted] = index_.emplace(attribute.name, static_cast<std::uint32_t>(items_.size()));
  if (!inserted) return false;
  items_.push_back(std::move(attribute));
  return true;
}

const Attribute* AttributeList::find(std::string_view name) const {
  // Most lists are short: a scan beats the tree and touches one array.
  if (items_.size() <= 8) {
    for (const Attribute& attribute : items_)
      if (attribute.name == name) return &attribute;
    return nullptr;
  }
  auto found = index_.find(name);
  return found == index_.end() ? nullptr : &items_[found->second];
}

const AttributeList& Type::attributes() const {
  static const AttributeList kNone;
  const Type* base = required != nullptr ? required : this;
  return base->has_attributes() ? base->attributes_ : kNone;
}

std::string to_string(const Type* type) {
  if (type == nullptr) return "unknown";
  std::string text;
  switch (type->kind) {
    case TypeKind::Bool: text = "Bool"; break;
    case TypeKind::Int: text = "Int"; break;
    case TypeKind::Number: text = "Number"; break;
    case TypeKind::String: text = "String"; break;
    case TypeKind::Timestamp: text = "Timestamp"; break;
    case TypeKind::Duration: text = "Duration"; break;
    case TypeKind::Role: text = "Role"; break;
    case TypeKind::Set: text = "Set<" + to_string(type->element) + ">"; break;
    case TypeKind::List: text = "List<" + to_string(type->element) + ">"; break;
    case TypeKind::Map: text = "Map<String, " + to_string(type->element) + ">"; break;
    case TypeKind::Entity:
    case TypeKind::Record:
    case TypeKind::Principal: text = type->name; break;
    case TypeKind::EmptyList: text = "[]"; break;
    case TypeKind::Args: text = "args"; break;
    case TypeKind::Error: text = "error"; break;
  }
  if (type->optional) text += '?';
  return text;
}

TypeContext::TypeContext()
    : bool_(make(TypeKind::Bool)),
      int_(make(TypeKind::Int)),
      number_(make(TypeKind::Number)),
      string_(make(TypeKind::String)),
      timestamp_(make(TypeKind::Timestamp)),
      duration_(make(TypeKind::Duration)),
      role_(make(TypeKind::Role)),
      empty_list_(make(TypeKind::EmptyList)),
      args_(make(TypeKind::Args)),
      error_(make(TypeKind::Error)) {}

Type* TypeContext::make(TypeKind kind) {
  owned_.push_back(std::make_unique<Type>());
  Type* type = owned_.back().get();
  type->kind = kind;
  type->required = type;
  return type;
}

const Type* TypeContext::composite(TypeKind kind, const Type* element) {
  if (element->is_error()) return error_;
  auto key = std::pair(static_cast<int>(kind), element);
  auto found = composites_.find(key);
  if (found != composites_.end()) return found->second;
  Type* type = make(kind);
  type->element = element;
  composites_.emplace(key, type);
  return type;
}

const Type* TypeContext::set_of(const Type* element) { return composite(TypeKind::Set, element); }
const Type* TypeContext::list_of(const Type* element) { return composite(TypeKind::List, element); }
const Type* TypeContext::map_of(const Type* value) { return composite(TypeKind::Map, value); }

const Type* TypeContext::optional(const Type* type) {
  if (type->optional || type->is_error()) return type;
  auto found = optionals_.find(type);
  if (found != optionals_.end()) return found->second;
  Type* made = make(type->kind);
  made->optional = true;
  made->element = type->element;
  made->name = type->name;
  made->declaration = type->declaration;
  made->required = type;
  optionals_.emplace(type, made);
  return made;
}

const Type* TypeContext::declare_nominal(TypeKind kind, std::string name, Span declaration) {
  Type* type = make(kind);
  type->name = std::move(name);
  type->declaration = declaration;
  return type;
}

void TypeContext::set_attributes(const Type* nominal, AttributeList attributes) {
  // Every Type is created non-const by make(); only nominal types take attributes.
  if (nominal == nullptr || !nominal->has_attributes() || nominal->optional) return;
  const_cast<Type*>(nominal)->attributes_ = std::move(attributes);
}

const Type* TypeContext::builtin_scalar(std::string_view name) const {
  if (name == "Bool") return bool_;
  if (name == "Int") return int_;
  if (name == "Number") return number_;
  if (name == "String") return string_;
  if (name == "Timestamp") return timestamp_;
  if (name == "Duration") return duration_;
  if (name == "Role") return role_;
  return nullptr;
}

}  // namespace authz
