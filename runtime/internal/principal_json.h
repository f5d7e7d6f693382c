// principal_json.h — the one reader of a principal from a JSON object, as
// `authzc eval`, `authzc test` fixtures and the gateway's entities and
// principal files write it.
//
// Contract: read_principal_json reads `object_json`, a JSON object of the
// shape {"id"?: string, "roles"?: [string...], "attributes"?: {...}, other
// keys...} into `principal`, over what it already holds:
//   - `roles` replaces principal.roles;
//   - `id` sets principal.id, and is refused when principal.id is already a
//     different id (a file entry for one user applied to another);
//   - `attributes` (an object) replaces principal.attributes_json; without it,
//     the other keys, if any, become the attributes object in their order
//     ({"manages": [...]}, values minified); with neither, the attributes are
//     left as they were.
// On a problem it returns the message (lowercase, keys in backticks, `source`
// — e.g. "`users.json`" — named after the key when not empty) and `principal`
// may be partly filled; else nullopt. Callers that parsed the document hand
// over the object itself (no second parse); the text overload parses it, and
// text that is not a JSON object is a problem too.
// Private to the project (not installed); compiler/ and tools/ include it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "runtime/engine.h"

namespace authz::runtime::internal {

std::optional<std::string> read_principal_json(const simdjson::dom::object& object, Principal& principal,
                                               std::string_view source = {});
std::optional<std::string> read_principal_json(std::string_view object_json, Principal& principal,
                                               std::string_view source = {});

}  // namespace authz::runtime::internal
