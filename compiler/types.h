// types.h — the checker's types, interned: one `Type` object per distinct type,
// so types compare by pointer.
//
// Contract: every Type is owned by a TypeContext and lives as long as it.
// Composite types (Set/List/Map) and optional types are interned: asking twice
// for `Set<String>` gives the same pointer. Nominal types (entities, records,
// the principal) are created once per declaration and carry their attributes.
// `Error` is the poison type: an expression whose type is Error has already
// been reported, and every check that meets Error stays silent, so one mistake
// gives one diagnostic. `to_string` speaks the policy language (`Set<String>`,
// `Account?`), never C++.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source.h"

namespace authz {

enum class TypeKind {
  Bool, Int, Number, String, Timestamp, Duration, Role,
  Set, List, Map,    // element(): the element / value type; Map keys are always String
  Entity,            // looked up by id at evaluation time; has attributes
  Record,            // a plain nested value; has attributes
  Principal,         // the type of `user`; has attributes (always `id` and `roles`)
  EmptyList,         // the type of `[]`: compares with any Set or List
  Args,              // the type of `args`: its attributes are the rule's target parameters
  Error,             // poison: already reported, suppresses follow-up diagnostics
};

struct Type;

// An attribute of a principal / entity / record, or a parameter of a target
// or obligation. `type` may be optional (`type->optional`): such a value may
// only be used after a `has` check.
struct Attribute {
  std::string name;
  const Type* type = nullptr;
  Span span;               // where it was declared (the name); invalid for built-in ones
  bool sensitive = false;  // parameters only: redact in audit records
  bool implicit = false;   // built in (`id`, `roles`) or a resource template variable

  bool optional() const;
};

// Attributes in declaration order, with lookup by name.
class AttributeList {
 public:
  // Appends; returns false (and does nothing) when the name is already present.
  bool add(Attribute attribute);
  const Attribute* find(std::string_view name) const;

  const std::vector<Attribute>& all() const { return items_; }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::vector<Attribute>::const_iterator begin() const { return items_.begin(); }
  std::vector<Attribute>::const_iterator end() const { return items_.end(); }

 private:
  std::vector<Attribute> items_;
  std::map<std::string, std::uint32_t, std::less<>> index_;
};

struct Type {
  TypeKind kind = TypeKind::Error;
  bool optional = false;           // `T?`
  const Type* element = nullptr;   // Set / List / Map: element or value type
  const Type* required = nullptr;  // this type without `?` (itself when not optional)
  std::string name;                // Entity / Record / Principal: the declared name
  Span declaration;                // Entity / Record / Principal: the declared name's span

  // Entity / Record / Principal (also through their optional form): the attributes.
  const AttributeList& attributes() const;
  const Attribute* find_attribute(std::string_view attribute) const { return attributes().find(attribute); }

  bool is_error() const { return kind == TypeKind::Error; }
  bool is_numeric() const { return kind == TypeKind::Int || kind == TypeKind::Number; }
  bool is_collection() const {
    return kind == TypeKind::Set || kind == TypeKind::List || kind == TypeKind::EmptyList;
  }
  bool has_attributes() const {
    return kind == TypeKind::Entity || kind == TypeKind::Record || kind == TypeKind::Principal;
  }

 private:
  friend class TypeContext;
  AttributeList attributes_;
};

// `String`, `Set<Role>`, `Map<String, Int>`, `Account?`, `[]` for the empty list.
std::string to_string(const Type* type);

// Owns and interns every Type of one compilation. Not copyable; keep it behind
// a unique_ptr so Type pointers stay valid when its owner moves.
class TypeContext {
 public:
  TypeContext();
  TypeContext(const TypeContext&) = delete;
  TypeContext& operator=(const TypeContext&) = delete;

  const Type* bool_type() const { return bool_; }
  const Type* int_type() const { return int_; }
  const Type* number_type() const { return number_; }
  const Type* string_type() const { return string_; }
  const Type* timestamp_type() const { return timestamp_; }
  const Type* duration_type() const { return duration_; }
  const Type* role_type() const { return role_; }
  const Type* empty_list_type() const { return empty_list_; }
  const Type* args_type() const { return args_; }
  const Type* error_type() const { return error_; }

  const Type* set_of(const Type* element);
  const Type* list_of(const Type* element);
  const Type* map_of(const Type* value);  // Map<String, value>
  const Type* optional(const Type* type);  // `T?`; Error stays Error
  static const Type* required(const Type* type) { return type->required; }

  // A new nominal type (Entity, Record or Principal). Names are not checked
  // for uniqueness here; the checker does that.
  const Type* declare_nominal(TypeKind kind, std::string name, Span declaration);
  // Sets the attributes of a nominal type made by this context.
  void set_attributes(const Type* nominal, AttributeList attributes);

  // The built-in scalar type called `name` (`String`, `Role`, ...), or null.
  const Type* builtin_scalar(std::string_view name) const;

 private:
  Type* make(TypeKind kind);
  const Type* composite(TypeKind kind, const Type* element);

  std::vector<std::unique_ptr<Type>> owned_;
  std::map<std::pair<int, const Type*>, const Type*> composites_;
  std::map<const Type*, const Type*> optionals_;
  const Type* bool_;
  const Type* int_;
  const Type* number_;
  const Type* string_;
  const Type* timestamp_;
  const Type* duration_;
  const Type* role_;
  const Type* empty_list_;
  const Type* args_;
  const Type* error_;
};

}  // namespace authz
