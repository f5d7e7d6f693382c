// list_filter.cpp — see list_filter.h.
#include "tools/gateway/list_filter.h"

#include <vector>

#include "tools/gateway/json_scan.h"

namespace authz::gateway {

bool list_kind_of(std::string_view method, ListKind& kind) {
  if (method == "tools/list") {
    kind = ListKind::Tools;
  } else if (method == "prompts/list") {
    kind = ListKind::Prompts;
  } else if (method == "resources/list") {
    kind = ListKind::Resources;
  } else if (method == "resources/templates/list") {
    kind = ListKind::ResourceTemplates;
  } else {
    return false;
  }
  return true;
}

FilterOutcome filter_list_response(std::string_view line, std::string_view result, ListKind kind,
                                   const std::function<bool(std::string_view key)>& keep, std::string& out) {
  if (result.empty() || result.front() != '{') return FilterOutcome::Unchanged;
  std::string_view array_key = kind == ListKind::Tools       ? "tools"
                               : kind == ListKind::Prompts   ? "prompts"
                               : kind == ListKind::Resources ? "resources"
                                                             : "resourceTemplates";
  std::string_view entry_key = kind == ListKind::Resources           ? "uri"
                               : kind == ListKind::ResourceTemplates ? "uriTemplate"
                                                                     : "name";
  auto array = member_value(result, array_key);
  if (!array) return FilterOutcome::Unchanged;
  if (array->empty() || array->front() != '[') return FilterOutcome::Refused;
  std::vector<std::string_view> entries;
  if (!array_elements(*array, entries)) return FilterOutcome::Refused;

  std::vector<std::string_view> kept;
  kept.reserve(entries.size());
  std::string key;
  for (std::string_view entry : entries) {
    if (entry.empty() || entry.front() != '{') continue;
    auto literal = member_value(entry, entry_key);
    if (!literal || literal->empty() || literal->front() != '"' || !decode_json_string(*literal, key)) continue;
    if (keep(key)) kept.push_back(entry);
  }
  if (kept.size() == entries.size()) return FilterOutcome::Unchanged;

  // The array is a sub-span of `line`: splice the kept entries in its place.
  std::size_t array_begin = static_cast<std::size_t>(array->data() - line.data());
  std::size_t array_end = array_begin + array->size();
  out.clear();
  out.reserve(line.size());
  out.append(line.substr(0, array_begin));
  out += '[';
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i) out += ',';
    out.append(kept[i]);
  }
  out += ']';
  out.append(line.substr(array_end));
  return FilterOutcome::Rewritten;
}

}  // namespace authz::gateway
