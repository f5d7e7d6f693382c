// checker_types.cpp — the checker's types-as-written phase: the declared
// types of record fields, tool and prompt parameters, resource template
// variables and obligation parameters.
//
// Contract (Checker, checker_internal.h): runs after every type is declared
// (checker_declarations.cpp). Each `ast::TypeRef` resolves to a built-in
// scalar, `Set<T>` / `List<T>` / `Map<String, T>`, or a declared entity or
// record; what does not resolve is reported once and becomes the Error type,
// which stays silent downstream. Element types cannot be optional; the
// principal is never a value type; obligation parameters take no entities.
// Attribute lists keep declaration order after their built-ins (`id`,
// `roles`), which a declaration may repeat only with the same type. A
// resource's parameters are its URI template's variables, parsed by the
// runtime's parser, so what checks clean here the table loader accepts.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/checker_internal.h"
#include "runtime/internal/uri_template.h"

namespace authz::checker_internal {

const Type* Checker::resolve_type(const ast::TypeRef& ref, TypeUse use) {
  const Type* type = resolve_required(ref, use);
  return ref.optional ? types_.optional(type) : type;
}

const Type* Checker::resolve_element(const ast::TypeRef& ref, TypeUse use) {
  const Type* type = resolve_required(ref, use);
  if (ref.optional && !type->is_error()) {
    error(DiagCode::InvalidTypeArguments, ref.span, "an element type cannot be optional",
          "remove the `?`; only attributes and parameters can be optional");
  }
  return type;
}

const Type* Checker::resolve_required(const ast::TypeRef& ref, TypeUse use) {
  const std::string& name = ref.name.text;
  const std::size_t count = ref.arguments.size();
  if (name == "Set" || name == "List") {
    if (count != 1) {
      error(DiagCode::InvalidTypeArguments, ref.span,
            bq(name) + " takes one type argument, found " + std::to_string(count),
            "write `" + name + "<String>`");
      return types_.error_type();
    }
    const Type* element = resolve_element(ref.arguments[0], use);
    return name == "Set" ? types_.set_of(element) : types_.list_of(element);
  }
  if (name == "Map") {
    if (count != 2) {
      error(DiagCode::InvalidTypeArguments, ref.span, "`Map` takes two type arguments, found " + std::to_string(count),
            "write `Map<String, Int>`");
      return types_.error_type();
    }
    const Type* key = resolve_element(ref.arguments[0], use);
    const Type* value = resolve_element(ref.arguments[1], use);
    if (!key->is_error() && key->kind != TypeKind::String) {
      error(DiagCode::InvalidTypeArguments, ref.arguments[0].span, "`Map` keys must be `String`, found " + bq(key),
            "write `Map<String, " + to_string(value) + ">`");
      return types_.error_type();
    }
    return types_.map_of(value);
  }
  const Type* type = types_.builtin_scalar(name);
  if (type == nullptr) type = p_.find_type(name);
  if (type == nullptr) {
    std::string help;
    if (want_suggestions()) {
      std::vector<std::string_view> candidates = {"Bool", "Int",  "Number", "String", "Timestamp",
                                                  "Duration", "Role", "Set", "List", "Map"};
      for (const std::string& declared : type_names_) candidates.push_back(declared);
      help = did_you_mean(name, candidates);
    }
    if (help.empty()) help = "declare it with `entity " + name + " { ... }` or `record " + name + " { ... }`";
    error(DiagCode::UnknownType, ref.name.span, "unknown type " + bq(name), help);
    return types_.error_type();
  }
  if (count != 0) {
    error(DiagCode::InvalidTypeArguments, ref.span, bq(name) + " takes no type arguments", "write `" + name + "`");
    return types_.error_type();
  }
  if (type->kind == TypeKind::Principal) {
    error(DiagCode::EntityAsValue, ref.name.span, "the principal type " + bq(name) + " cannot be used as a type here",
          "store the user's id as `String`");
    return types_.error_type();
  }
  if (type->kind == TypeKind::Entity && use == TypeUse::ObligationParam) {
    error(DiagCode::EntityAsValue, ref.name.span,
          "obligation parameters must be plain values, but " + bq(name) + " is an entity",
          "use `String` to pass the entity's id");
    return types_.error_type();
  }
  return type;
}

// Builds an attribute list from fields; `builtins` are implicit attributes a
// declaration may repeat only with the same type.
AttributeList Checker::resolve_fields(const std::vector<ast::Field>& fields, TypeUse use, std::string_view owner,
                                      std::vector<Attribute> builtins) {
  std::vector<Attribute> out = std::move(builtins);
  const std::size_t builtin_count = out.size();
  std::vector<const ast::Field*> declared_by(out.size(), nullptr);
  for (const ast::Field& field : fields) {
    const Type* type = resolve_type(field.type, use);
    auto same = std::find_if(out.begin(), out.end(), [&](const Attribute& a) { return a.name == field.name.text; });
    if (same != out.end()) {
      std::size_t at = static_cast<std::size_t>(same - out.begin());
      if (at < builtin_count && declared_by[at] == nullptr) {
        if (type != same->type && !type->is_error()) {
          error(DiagCode::ReservedAttributeType, field.type.span,
                bq(field.name.text) + " is built in as " + bq(same->type) + " and cannot be redeclared as " + bq(type),
                "remove " + bq(field.name.text) + " from " + bq(owner) + "; it is always there as `" +
                    field.name.text + ": " + to_string(same->type) + "`");
        } else {
          same->span = field.name.span;
          same->implicit = false;
        }
        declared_by[at] = &field;
        continue;
      }
      Span first = declared_by[at] ? declared_by[at]->name.span : same->span;
      error(DiagCode::DuplicateField, field.name.span, bq(field.name.text) + " is declared twice in " + bq(owner),
            "remove one of them")
          .notes.push_back({first, bq(field.name.text) + " was first declared here"});
      continue;
    }
    Attribute attribute;
    attribute.name = field.name.text;
    attribute.type = type;
    attribute.span = field.name.span;
    attribute.sensitive = field.sensitive;
    out.push_back(std::move(attribute));
    declared_by.push_back(&field);
  }
  AttributeList list;
  for (Attribute& attribute : out) list.add(std::move(attribute));
  return list;
}

Attribute Checker::builtin(std::string name, const Type* type) {
  Attribute attribute;
  attribute.name = std::move(name);
  attribute.type = type;
  attribute.implicit = true;
  return attribute;
}

void Checker::resolve_record_fields() {
  for (const auto& [decl, type] : record_decls_) {
    std::vector<Attribute> builtins;
    if (type->kind == TypeKind::Principal) {
      builtins.push_back(builtin("id", types_.string_type()));
      builtins.push_back(builtin("roles", types_.set_of(types_.role_type())));
    } else if (type->kind == TypeKind::Entity) {
      builtins.push_back(builtin("id", types_.string_type()));
    }
    static const std::vector<ast::Field> kNoFields;
    types_.set_attributes(type, resolve_fields(decl ? decl->fields : kNoFields, TypeUse::Attribute, type->name,
                                               std::move(builtins)));
  }
}

void Checker::resolve_target_params() {
  for (CheckedTarget& target : p_.targets) {
    if (target.tool) {
      target.params = resolve_fields(target.tool->params, TypeUse::Attribute, target.name, {});
    } else if (target.prompt) {
      target.params = resolve_fields(target.prompt->params, TypeUse::Attribute, target.name, {});
    } else if (target.resource) {
      resolve_resource_template(target);
    }
  }
}

void Checker::resolve_resource_template(CheckedTarget& target) {
  const ast::ResourceDecl& decl = *target.resource;
  // The span covers the quoted literal; offsets map 1:1 when nothing was escaped.
  const bool exact = decl.uri_span.valid() && decl.uri_span.end - decl.uri_span.begin == decl.uri.size() + 2;
  auto span_at = [&](std::size_t offset, std::size_t length) {
    if (!exact) return decl.uri_span;
    Span span = decl.uri_span;
    span.begin += static_cast<std::uint32_t>(offset + 1);
    span.end = span.begin + static_cast<std::uint32_t>(length);
    return span;
  };
  // The runtime's parser: what checks clean here is what the table loader accepts.
  runtime::UriTemplateError problem;
  auto parsed = runtime::parse_uri_template(decl.uri, problem);
  if (!parsed) {
    error(DiagCode::InvalidResourceUri, span_at(problem.offset, problem.length), problem.message,
          "write template variables as `{name}`, or with one of the operators `+ # / . ? &` (e.g. "
          "`\"file:///{+path}\"`, `\"demo://search{?q,limit}\"`); each variable appears once");
    return;
  }
  target.uri_is_template = parsed->variable_count > 0;
  for (const runtime::UriTemplate::Piece& piece : parsed->pieces) {
    if (!piece.variable) continue;
    const Type* type = piece.explode != 0 ? types_.list_of(types_.string_type()) : types_.string_type();
    Attribute attribute = builtin(piece.text, type);
    attribute.span = span_at(piece.offset, piece.text.size());
    target.params.add(std::move(attribute));
  }
}

void Checker::resolve_obligation_params() {
  for (CheckedObligation& obligation : p_.obligations)
    obligation.params = resolve_fields(obligation.decl->params, TypeUse::ObligationParam, obligation.name, {});
}

}  // namespace authz::checker_internal
