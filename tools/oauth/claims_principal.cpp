// claims_principal.cpp — see claims_principal.h.
#include "tools/oauth/claims_principal.h"

#include <algorithm>
#include <limits>
#include <set>

#include "runtime/internal/value_text.h"

namespace authz::oauth {
namespace {

namespace dom = simdjson::dom;
using runtime::TypeDescriptor;
using runtime::TypeKind;

// JSON kinds, as bits, for the start-up check.
enum : unsigned { kString = 1, kNumber = 2, kBool = 4, kArray = 8, kObject = 16 };

unsigned kinds_of(TypeKind kind) {
  switch (kind) {
    case TypeKind::Bool: return kBool;
    case TypeKind::Int: case TypeKind::Number: return kNumber;
    case TypeKind::String: case TypeKind::Entity: case TypeKind::Role: return kString;
    case TypeKind::Timestamp: case TypeKind::Duration: return kString | kNumber;
    case TypeKind::Set: case TypeKind::List: return kArray;
    case TypeKind::Map: case TypeKind::Record: return kObject;
    case TypeKind::Principal: return 0;
  }
  return 0;
}

// Registered claims whose JSON type the specifications fix (RFC 7519,
// RFC 8693, RFC 9068, OpenID Connect Core §5.1).
unsigned registered_claim_kinds(std::string_view claim) {
  if (claim == "iss" || claim == "sub" || claim == "jti" || claim == "azp" || claim == "client_id" ||
      claim == "scope" || claim == "email" || claim == "name" || claim == "preferred_username" || claim == "acr") {
    return kString;
  }
  if (claim == "exp" || claim == "iat" || claim == "nbf" || claim == "auth_time") return kNumber;
  if (claim == "email_verified" || claim == "phone_number_verified") return kBool;
  if (claim == "aud") return kString | kArray;
  if (claim == "amr") return kArray;
  return 0;  // unknown: checked per token
}

const char* describe(dom::element element) {
  switch (element.type()) {
    case dom::element_type::ARRAY: return "an array";
    case dom::element_type::OBJECT: return "an object";
    case dom::element_type::INT64: case dom::element_type::UINT64: return "an integer";
    case dom::element_type::DOUBLE: return "a number";
    case dom::element_type::STRING: return "a string";
    case dom::element_type::BOOL: return "a boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

bool integral(dom::element element) {
  if (element.type() == dom::element_type::INT64) return true;
  if (element.type() == dom::element_type::UINT64) {
    return element.get_uint64().value_unsafe() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  }
  return false;
}

// Whether `element` can be a value of `type` (deep for lists, sets and maps;
// a record's own attributes are the runtime's to check).
bool fits(dom::element element, const std::vector<TypeDescriptor>& types, runtime::TypeIndex index, int depth) {
  if (depth > 32 || index >= types.size()) return false;
  const TypeDescriptor& type = types[index];
  auto json = element.type();
  if (json == dom::element_type::NULL_VALUE) return type.optional;
  switch (type.kind) {
    case TypeKind::Bool: return json == dom::element_type::BOOL;
    case TypeKind::Int: return integral(element);
    case TypeKind::Number:
      return json == dom::element_type::INT64 || json == dom::element_type::UINT64 || json == dom::element_type::DOUBLE;
    case TypeKind::String: case TypeKind::Entity: case TypeKind::Role: return json == dom::element_type::STRING;
    case TypeKind::Timestamp: case TypeKind::Duration: return json == dom::element_type::STRING || integral(element);
    case TypeKind::Set: case TypeKind::List: {
      if (json != dom::element_type::ARRAY) return false;
      dom::array array = element.get_array().value_unsafe();
      if (type.element == runtime::kNoIndex) return array.size() == 0;
      for (dom::element child : array) {
        if (!fits(child, types, type.element, depth + 1)) return false;
      }
      return true;
    }
    case TypeKind::Map: {
      if (json != dom::element_type::OBJECT) return false;
      dom::object object = element.get_object().value_unsafe();
      for (auto field : object) {
        if (!fits(field.value, types, type.element, depth + 1)) return false;
      }
      return true;
    }
    case TypeKind::Record: return json == dom::element_type::OBJECT;
    case TypeKind::Principal: return false;
  }
  return false;
}

std::string type_text(const runtime::Model& model, runtime::TypeIndex type) { return runtime::type_name(model, type); }

}  // namespace

std::vector<std::string> split_claim_path(const std::string& path) {
  std::vector<std::string> steps;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    steps.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return steps;
}

bool find_claim(dom::object claims, const std::vector<std::string>& path, dom::element& out) {
  dom::object object = claims;
  for (std::size_t i = 0; i < path.size(); ++i) {
    dom::element value;
    if (object.at_key(path[i]).get(value) != simdjson::SUCCESS) return false;
    if (i + 1 == path.size()) {
      out = value;
      return true;
    }
    if (value.get_object().get(object) != simdjson::SUCCESS) return false;
  }
  return false;
}

runtime::Result<PrincipalMapper> PrincipalMapper::create(const ClaimsMapping& mapping, const runtime::Model* model) {
  using R = runtime::Result<PrincipalMapper>;
  auto bad_path = [](const std::string& path) {
    auto steps = split_claim_path(path);
    return std::any_of(steps.begin(), steps.end(), [](const std::string& step) { return step.empty(); });
  };
  if (mapping.id_claim.empty() || bad_path(mapping.id_claim)) {
    return R::failure("the id claim `" + mapping.id_claim + "` is not a claim path\n  = help: name a claim, `sub` by default, or a dotted path such as `ext.user_id`");
  }
  if (!mapping.roles_claim.empty() && bad_path(mapping.roles_claim)) {
    return R::failure("the roles claim `" + mapping.roles_claim + "` is not a claim path");
  }
  if (!model && (!mapping.attributes.empty() || !mapping.role_map.empty())) {
    return R::failure("mapping claims to attributes or roles needs the policy to check them against\n  = help: load the policy before the oauth configuration");
  }
  PrincipalMapper mapper;
  mapper.mapping_ = mapping;
  mapper.id_path_ = split_claim_path(mapping.id_claim);
  if (!mapping.roles_claim.empty()) mapper.roles_path_ = split_claim_path(mapping.roles_claim);
  if (!model) return R::success(std::move(mapper));

  mapper.types_ = model->types;
  for (const auto& [value, role] : mapping.role_map) {
    bool declared = std::any_of(model->roles.begin(), model->roles.end(), [&role = role](const runtime::Role& r) { return r.name == role; });
    if (!declared) {
      std::string roles;
      for (const auto& r : model->roles) roles += (roles.empty() ? "`" : ", `") + r.name + "`";
      return R::failure("the role map sends `" + value + "` to role `" + role + "`, which the policy does not declare\n  = help: the policy's roles are " +
                        (roles.empty() ? std::string("none") : roles));
    }
  }
  std::set<std::string> seen;
  for (const auto& [name, claim] : mapping.attributes) {
    if (name == "id" || name == "roles") {
      return R::failure("the principal's `" + name + "` cannot be mapped as an attribute\n  = help: set `" + name +
                        (name == "id" ? "_claim`" : "_claim`") + " instead");
    }
    if (!seen.insert(name).second) return R::failure("the attribute `" + name + "` is mapped twice");
    if (claim.empty() || bad_path(claim)) return R::failure("attribute `" + name + "`: `" + claim + "` is not a claim path");
    const auto& declared = model->principal.attributes;
    auto found = std::find_if(declared.begin(), declared.end(), [&name = name](const runtime::Attribute& a) { return a.name == name; });
    if (found == declared.end()) {
      std::string names;
      for (const auto& a : declared) {
        if (a.name != "id" && a.name != "roles") names += (names.empty() ? "`" : ", `") + a.name + "`";
      }
      return R::failure("the policy's principal `" + model->principal.name + "` has no attribute `" + name +
                        "`\n  = help: its attributes are " + (names.empty() ? std::string("none") : names));
    }
    unsigned claim_kinds = registered_claim_kinds(claim);
    unsigned type_kinds = kinds_of(model->types[found->type].kind);
    if (claim_kinds && !(claim_kinds & type_kinds)) {
      return R::failure("attribute `" + name + "` is " + type_text(*model, found->type) + " but the claim `" + claim +
                        "` can never be one\n  = help: map the attribute to a claim of its type");
    }
    mapper.attributes_.push_back(AttributeRule{name, claim, split_claim_path(claim), found->type});
  }
  return R::success(std::move(mapper));
}

bool PrincipalMapper::map(dom::object claims, runtime::Principal& out, std::string& error) const {
  dom::element id;
  if (!find_claim(claims, id_path_, id)) {
    error = "the token has no `" + mapping_.id_claim + "` claim";
    return false;
  }
  std::string_view id_text;
  if (id.get_string().get(id_text) != simdjson::SUCCESS || id_text.empty()) {
    error = "the token's `" + mapping_.id_claim + "` claim must be a non-empty string, not " +
            (id.is_string() ? std::string("an empty one") : describe(id));
    return false;
  }
  out.id = std::string(id_text);

  out.roles.clear();
  dom::element roles;
  if (!roles_path_.empty() && find_claim(claims, roles_path_, roles)) {
    auto add = [&](std::string_view value) {
      if (value.empty()) return;
      if (mapping_.role_map.empty()) {
        out.roles.emplace_back(value);
      } else {
        auto mapped = mapping_.role_map.find(std::string(value));
        if (mapped != mapping_.role_map.end()) out.roles.push_back(mapped->second);
      }
    };
    std::string_view text;
    dom::array list;
    if (roles.get_string().get(text) == simdjson::SUCCESS) {
      for_each_claim_word(text, add);
    } else if (roles.get_array().get(list) == simdjson::SUCCESS) {
      for (dom::element role : list) {
        std::string_view name;
        if (role.get_string().get(name) != simdjson::SUCCESS) {
          error = "the token's `" + mapping_.roles_claim + "` claim must hold strings, not " + describe(role);
          return false;
        }
        add(name);
      }
    } else {
      error = "the token's `" + mapping_.roles_claim + "` claim must be an array of strings or a space-separated string, not " +
              describe(roles);
      return false;
    }
    std::sort(out.roles.begin(), out.roles.end());
    out.roles.erase(std::unique(out.roles.begin(), out.roles.end()), out.roles.end());
  }

  out.attributes_json.clear();
  if (attributes_.empty()) return true;
  std::string json = "{";
  for (const AttributeRule& rule : attributes_) {
    dom::element value;
    if (!find_claim(claims, rule.path, value)) {
      if (types_[rule.type].optional) continue;
      error = "the token has no `" + rule.claim + "` claim, which the principal's `" + rule.name + "` needs";
      return false;
    }
    if (!fits(value, types_, rule.type, 0)) {
      error = "the token's `" + rule.claim + "` claim is " + describe(value) + ", which cannot be the principal's `" +
              rule.name + "`";
      return false;
    }
    if (json.size() > 1) json += ',';
    json += runtime::quoted(rule.name);
    json += ':';
    json += simdjson::minify(value);
  }
  json += '}';
  out.attributes_json = std::move(json);
  return true;
}

}  // namespace authz::oauth
