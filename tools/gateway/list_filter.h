// list_filter.h — removes from a server's list response the entries this
// user may not use.
//
// Contract: filter_list_response() takes the server's response line for
// tools/list, prompts/list, resources/list or resources/templates/list and
// keeps an entry iff `keep(key)` says so, where key is the entry's `name`
// (tools, prompts), `uri` (resources) or `uriTemplate` (templates), decoded.
// Kept entries are copied byte for byte; everything outside the array
// (nextCursor, _meta, ...) is unchanged. Returns:
//   Unchanged  forward the original bytes (nothing removed, an error
//              response, or a result without that array)
//   Rewritten  `out` holds the new line
//   Refused    the list could not be read (an entry without a string key
//              is dropped, but a list the scanner cannot walk is refused)
// Never throws.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace authz::gateway {

enum class ListKind { Tools, Prompts, Resources, ResourceTemplates };
enum class FilterOutcome { Unchanged, Rewritten, Refused };

// The list kind a request method asks for, or false.
bool list_kind_of(std::string_view method, ListKind& kind);

FilterOutcome filter_list_response(std::string_view line, std::string_view result, ListKind kind,
                                   const std::function<bool(std::string_view key)>& keep, std::string& out);

}  // namespace authz::gateway
