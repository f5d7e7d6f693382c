// verified_token.h — what an accepted access token says: the principal the
// policy sees and the facts audit records add (issuer, client, token id).
//
// Contract: built only by TokenVerifier after every check passed; immutable
// and shared (the cache hands the same object to every request that
// presents the same token).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/engine.h"

namespace authz::oauth {

struct VerifiedToken {
  runtime::Principal principal;
  std::string issuer;     // iss
  std::string client_id;  // azp, else client_id; may be empty
  std::string jti;        // may be empty
  std::string subject;    // sub; may be empty when the id comes from another claim
  std::vector<std::string> scopes;
  std::string kid;        // the key that verified it
  std::string algorithm;  // the algorithm that verified it
  std::int64_t expires_at_s = 0;  // exp (rounded down)
};

}  // namespace authz::oauth
