// uri_template.h — MCP resource URIs and URI templates (`file:///{path}`).
//
// Contract: a template is literal text with `{name}` variables; a name is one
// or more characters other than `{`, `}` and `/`, unique within the template.
// A variable matches one or more characters other than `/`, so a value never
// spans path segments. Values are bound verbatim: no percent-decoding (`%2F`
// stays three characters), which keeps `under` and `matches` on what the
// client sent. Matching is the two-pointer wildcard algorithm (no exponential
// backtracking) and needs no allocation. A URI without variables matches only
// itself, byte for byte.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authz::runtime {

struct UriTemplate {
  struct Piece {
    bool variable = false;
    std::string text;  // literal text, or the variable's name
  };
  std::vector<Piece> pieces;
  std::size_t variable_count = 0;
};

// nullopt and a message in `error` when the template is malformed.
std::optional<UriTemplate> parse_uri_template(std::string_view uri, std::string* error = nullptr);
// The variable names in template order; empty when the template is malformed.
std::vector<std::string> uri_template_variables(std::string_view uri);
// On a match, captures[k] is the value of the k-th variable (views into
// `uri`); `captures` must have room for variable_count views.
bool match_uri_template(const UriTemplate& pattern, std::string_view uri, std::string_view* captures);

}  // namespace authz::runtime
