// identity.cpp — see identity.h. File formats follow `authzc eval`
// (compiler/cli/eval_command.cpp) so one entities file serves both.
#include "tools/gateway/identity.h"

#include <simdjson.h>

#include <cstdlib>

#include "runtime/internal/principal_json.h"

namespace authz::gateway {
namespace {

namespace dom = simdjson::dom;

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

}  // namespace

void apply_identity_environment(IdentitySources& sources) {
  if (sources.user.empty()) sources.user = environment("AUTHZ_USER");
  if (!sources.roles_given && std::getenv("AUTHZ_ROLES")) {
    sources.roles_given = true;
    std::string list = environment("AUTHZ_ROLES");
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      std::string role = list.substr(start, comma - start);
      while (!role.empty() && role.front() == ' ') role.erase(role.begin());
      while (!role.empty() && role.back() == ' ') role.pop_back();
      if (!role.empty()) sources.roles.push_back(role);
      start = comma + 1;
    }
  }
  if (sources.principal_file.empty()) sources.principal_file = environment("AUTHZ_PRINCIPAL");
  if (sources.attributes_json.empty()) sources.attributes_json = environment("AUTHZ_ATTRIBUTES");
  if (sources.entities_file.empty()) sources.entities_file = environment("AUTHZ_ENTITIES");
}

namespace {

std::shared_ptr<const runtime::JsonEntityStore> load_entities_file(const std::string& path,
                                                                  simdjson::dom::parser& parser,
                                                                  simdjson::dom::element& root, std::string& error) {
  if (auto code = parser.load(path).get(root)) {
    error = "cannot read entities from `" + path + "`: " + simdjson::error_message(code);
    return nullptr;
  }
  if (!root.is_object()) {
    error = "`" + path + "` must hold a JSON object";
    return nullptr;
  }
  simdjson::dom::element entities;
  std::string entities_json =
      root["entities"].get(entities) == simdjson::SUCCESS ? simdjson::minify(entities) : simdjson::minify(root);
  auto store = runtime::JsonEntityStore::from_json(entities_json);
  if (!store.ok()) {
    error = "entities in `" + path + "`: " + store.error();
    return nullptr;
  }
  return std::make_shared<const runtime::JsonEntityStore>(std::move(store.value()));
}

}  // namespace

std::shared_ptr<const runtime::JsonEntityStore> load_entities_file(const std::string& path, std::string& error) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  return load_entities_file(path, parser, root, error);
}

std::optional<Identity> load_identity(const IdentitySources& sources, std::string& error) {
  Identity identity;
  identity.principal.id = sources.user;

  dom::parser principal_parser;
  dom::object principal_object;
  bool have_principal_file = false;
  if (!sources.principal_file.empty()) {
    dom::element root;
    if (auto code = principal_parser.load(sources.principal_file).get(root)) {
      error = "cannot read the principal from `" + sources.principal_file + "`: " + simdjson::error_message(code);
      return std::nullopt;
    }
    if (root.get_object().get(principal_object)) {
      error = "`" + sources.principal_file + "` must hold a JSON object";
      return std::nullopt;
    }
    have_principal_file = true;
    // The id may come from the file alone.
    std::string_view id;
    if (identity.principal.id.empty() && principal_object["id"].get_string().get(id) == simdjson::SUCCESS) {
      identity.principal.id = std::string(id);
    }
  }
  if (identity.principal.id.empty()) {
    error = "no user: give `--user ID` (or set AUTHZ_USER, or an `id` in the principal file)";
    return std::nullopt;
  }

  if (!sources.entities_file.empty()) {
    dom::parser parser;
    dom::element root;
    identity.entities = load_entities_file(sources.entities_file, parser, root, error);
    if (!identity.entities) return std::nullopt;
    dom::element entry;
    if (root["users"][identity.principal.id].get(entry) == simdjson::SUCCESS) {
      dom::object object;
      if (entry.get_object().get(object)) {
        error = "user `" + identity.principal.id + "` in `" + sources.entities_file + "` must be a JSON object";
        return std::nullopt;
      }
      if (auto problem = runtime::internal::read_principal_json(object, identity.principal,
                                                                "`" + sources.entities_file + "`")) {
        error = std::move(*problem);
        return std::nullopt;
      }
    }
  }
  if (have_principal_file) {
    if (auto problem = runtime::internal::read_principal_json(principal_object, identity.principal,
                                                              "`" + sources.principal_file + "`")) {
      error = std::move(*problem);
      return std::nullopt;
    }
  }
  if (sources.roles_given) identity.principal.roles = sources.roles;
  if (!sources.attributes_json.empty()) {
    dom::parser parser;
    dom::element attributes;
    if (parser.parse(sources.attributes_json).get(attributes) || !attributes.is_object()) {
      error = "the user's attributes must be a JSON object, got `" + sources.attributes_json.substr(0, 80) + "`";
      return std::nullopt;
    }
    identity.principal.attributes_json = sources.attributes_json;
  }
  return identity;
}

}  // namespace authz::gateway
