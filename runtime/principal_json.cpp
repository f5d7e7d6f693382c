// principal_json.cpp — see internal/principal_json.h.
#include "runtime/internal/principal_json.h"

#include <simdjson.h>

#include "runtime/internal/json_input.h"
#include "runtime/internal/json_string.h"

namespace authz::runtime::internal {

std::optional<std::string> read_principal_json(std::string_view object_json, Principal& principal,
                                               std::string_view source) {
  simdjson::dom::element root;
  std::string parse_error;
  simdjson::dom::object object;
  if (!parse_json(object_json, root, parse_error) || root.get_object().get(object)) {
    return "the user" + (source.empty() ? std::string() : " in " + std::string(source)) + " must be a JSON object";
  }
  return read_principal_json(object, principal, source);
}

std::optional<std::string> read_principal_json(const simdjson::dom::object& object, Principal& principal,
                                               std::string_view source) {
  const std::string in = source.empty() ? std::string() : " in " + std::string(source);
  std::string attributes = "{";
  std::string explicit_attributes;
  for (auto field : object) {
    const std::string_view key = field.key;
    if (key == "roles") {
      simdjson::dom::array roles;
      if (field.value.get_array().get(roles)) return "`roles`" + in + " must be an array of strings";
      principal.roles.clear();
      for (auto role : roles) {
        std::string_view name;
        if (role.get_string().get(name)) return "`roles`" + in + " must be an array of strings";
        principal.roles.emplace_back(name);
      }
    } else if (key == "id") {
      std::string_view id;
      if (field.value.get_string().get(id)) return "`id`" + in + " must be a string";
      if (!principal.id.empty() && principal.id != id) {
        return (source.empty() ? std::string("the user object") : std::string(source)) + " is for user `" +
               std::string(id) + "`, not `" + principal.id + "`";
      }
      principal.id = std::string(id);
    } else if (key == "attributes") {
      if (!field.value.is_object()) return "`attributes`" + in + " must be an object";
      explicit_attributes = simdjson::minify(field.value);
    } else {
      if (attributes.size() > 1) attributes += ',';
      append_json_string(attributes, key, kValueJson);
      attributes += ':';
      attributes += simdjson::minify(field.value);
    }
  }
  attributes += '}';
  if (!explicit_attributes.empty()) {
    principal.attributes_json = std::move(explicit_attributes);
  } else if (attributes != "{}") {
    principal.attributes_json = std::move(attributes);
  }
  return std::nullopt;
}

}  // namespace authz::runtime::internal
