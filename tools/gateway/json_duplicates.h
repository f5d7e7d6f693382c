// json_duplicates.h — finding a key that occurs twice in some object of a
// parsed JSON document.
//
// Contract: simdjson's DOM keeps every member of an object, duplicates
// included, and answers look-ups with the first; a security boundary that
// reads a document must therefore refuse duplicates first, or two readers
// (this one and the next hop) could see different values. Keys are compared
// after their escapes are decoded (simdjson decodes them). Used by the
// gateway's message reader and by the OAuth token verifier (tools/oauth).
// The element must come from a successful parse; nothing throws.
#pragma once

#include <string_view>
#include <vector>

#include <simdjson.h>

namespace authz::gateway {

// True, with `duplicate` naming it, when some object at any depth of
// `element` has a key twice. `scratch` is working memory the caller keeps
// across calls to spare allocations; it is left as it was given.
bool find_duplicate_key(simdjson::dom::element element, std::vector<std::string_view>& scratch,
                        std::string_view& duplicate);

}  // namespace authz::gateway
