// identity.h — who the gateway acts for: the principal and the entity data.
//
// Contract: a stdio gateway serves exactly one user for its whole life (the
// MCP spec: stdio servers take credentials from their environment), so the
// identity is fixed at start-up from flags, else from the environment:
//   --user ID            AUTHZ_USER         the user's id (required, one way or the other)
//   --role ROLE ...      AUTHZ_ROLES        roles (environment: comma-separated)
//   --principal FILE     AUTHZ_PRINCIPAL    JSON {"id"?, "roles"?, "attributes"? | other attributes}
//   --attributes JSON    AUTHZ_ATTRIBUTES   the user's other attributes as a JSON object
//   --entities FILE      AUTHZ_ENTITIES     {"Type": {"id": {...}}} or {"users": {...}, "entities": {...}}
// Precedence, lowest first: the `users` entry of the entities file, the
// principal file, then --role / --attributes. A flag replaces the matching
// environment variable. Conflicting ids (--user vs the principal file) are
// a usage error. Errors are one lowercase line naming the source.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/engine.h"
#include "runtime/entity_store.h"

namespace authz::gateway {

struct IdentitySources {
  std::string user;
  std::vector<std::string> roles;
  bool roles_given = false;  // --role or AUTHZ_ROLES present (an empty list is a choice too)
  std::string principal_file;
  std::string attributes_json;
  std::string entities_file;
};

// Fills unset fields of `sources` from AUTHZ_* environment variables.
void apply_identity_environment(IdentitySources& sources);

struct Identity {
  runtime::Principal principal;
  std::shared_ptr<const runtime::JsonEntityStore> entities;  // null without --entities
};

// The entity data of an entities file (either form above; `users` is not
// read here), or null with `error` set. The HTTP front uses it as is: its
// users' attributes come from their tokens.
std::shared_ptr<const runtime::JsonEntityStore> load_entities_file(const std::string& path, std::string& error);

// Builds the identity; on failure returns nullopt and sets `error`.
std::optional<Identity> load_identity(const IdentitySources& sources, std::string& error);

}  // namespace authz::gateway
