// claims_principal.h — a validated token's claims into runtime::Principal,
// as ClaimsMapping (oauth_config.h) says. Private to tools/oauth: only .cpp
// files include it (it pulls in simdjson).
//
// Contract: create() checks the mapping against the policy at start-up and
// fails with one message (and a `help`) when it names a principal
// attribute the policy does not declare, maps to `id` or `roles` (those come
// from id_claim and roles_claim), maps a role to a name the policy does not
// declare, or maps an attribute to a registered claim whose JSON type can
// never be the attribute's type (`sub` is always a string: it can never be
// an Int). Without a policy (model null) a mapping with attributes or a
// role_map is refused: nothing could check it. map() runs per token and
// refuses (false, `error` a lowercase description for invalid_token) a
// missing or empty id, a roles claim that is neither an array of strings nor
// a string, a claim whose JSON type does not fit its attribute's declared
// type (elements of lists, sets and maps included), and a missing claim for
// an attribute that is not optional. It never drops a wrongly typed value
// silently. The mapper keeps a copy of the policy's types, not a pointer:
// a new policy means a new mapper (and a new check).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine.h"
#include "runtime/result.h"
#include "runtime/table_model.h"
#include "tools/oauth/oauth_config.h"

namespace authz::oauth {

// Calls `word` for each word of a space-separated claim (`scope`, or `roles`
// written as one string, RFC 6749 section 3.3 style), skipping empty words.
template <class Word>
void for_each_claim_word(std::string_view text, Word&& word) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t space = text.find(' ', start);
    if (space == std::string_view::npos) space = text.size();
    if (space > start) word(text.substr(start, space - start));
    start = space + 1;
  }
}

// A dot-separated claim path into the payload, or nullopt when a step is missing.
bool find_claim(simdjson::dom::object claims, const std::vector<std::string>& path, simdjson::dom::element& out);
std::vector<std::string> split_claim_path(const std::string& path);

class PrincipalMapper {
 public:
  static runtime::Result<PrincipalMapper> create(const ClaimsMapping& mapping, const runtime::Model* model);
  bool map(simdjson::dom::object claims, runtime::Principal& out, std::string& error) const;

 private:
  struct AttributeRule {
    std::string name;
    std::string claim;  // as configured, for messages
    std::vector<std::string> path;
    runtime::TypeIndex type = runtime::kNoIndex;
  };
  std::vector<runtime::TypeDescriptor> types_;  // the policy's, copied: the mapper outlives no Engine
  ClaimsMapping mapping_;
  std::vector<std::string> id_path_;
  std::vector<std::string> roles_path_;
  std::vector<AttributeRule> attributes_;
};

}  // namespace authz::oauth
