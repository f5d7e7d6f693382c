// oauth_config.h — how the gateway, as an OAuth 2.1 resource server,
// accepts bearer tokens and turns them into principals (docs/oauth.md).
//
// Contract: a plain struct with the documented defaults; check_config (in
// token_verifier.h) validates it against the policy at start-up, so every
// mistake here is a start-up error, never a request-time surprise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace authz::oauth {

struct ClaimsMapping {
  // The claim (a dot-separated path into the payload) holding the user's id:
  // a non-empty string.
  std::string id_claim = "sub";
  // The claim holding the roles: an array of strings, or one string of
  // space-separated names (`scope`). Empty: roles come from no claim. A
  // missing claim means no roles; a claim of another type refuses the token.
  std::string roles_claim = "roles";
  // Claim value -> policy role. Empty: values are role names as they are
  // (names the policy does not declare are ignored by the runtime). Not
  // empty: only mapped values give roles; unmapped values are ignored
  // (an identity provider sends many groups; ignoring one can only take a
  // permission away, never grant one).
  std::map<std::string, std::string> role_map;
  // Principal attribute -> claim path ("department" = "ext.dept"). Every
  // attribute must be declared by the policy's `principal`.
  std::vector<std::pair<std::string, std::string>> attributes;
};

struct OAuthConfig {
  // Where the key set comes from: a URL the HTTP front fetches (and
  // refetches on an unknown kid), or a file. Exactly one of them.
  std::string jwks_uri;
  std::string jwks_file;
  // Accepted `iss` values, compared exactly (no trailing-slash folding).
  std::vector<std::string> issuers;
  // This gateway's resource URI (RFC 8707): `aud` must be it or contain it.
  std::string resource;
  // Algorithm names allowed (jose.h Algorithm); empty: all of them.
  std::vector<std::string> algorithms;
  // Leeway on exp / nbf / iat, seconds. At most kMaxClockSkew.
  std::int64_t clock_skew_s = 60;
  // Tokens longer than this are refused before any decoding.
  std::size_t max_token_bytes = 8192;
  // Scopes every request needs (else 403 insufficient_scope).
  std::vector<std::string> required_scopes;
  // Where the token's scopes are: a space-separated string or an array.
  std::string scope_claim = "scope";
  // Accept `typ: JWT` (and no typ) as well as RFC 9068's `at+jwt`. False:
  // only `at+jwt` (the header must say it is an access token).
  bool accept_jwt_typ = true;
  ClaimsMapping principal;
  // The validated-token cache: entries, and how long an entry may live
  // even if the token's exp is further away.
  std::size_t cache_entries = 10000;
  std::int64_t cache_max_age_s = 300;
  // The least time between two JWKS fetches caused by unknown kids.
  std::int64_t jwks_refresh_interval_s = 60;
  // For WWW-Authenticate: RFC 9728 metadata URL and the realm.
  std::string resource_metadata;
  std::string realm;
};

inline constexpr std::int64_t kMaxClockSkew = 300;
inline constexpr std::size_t kMaxTokenBytesLimit = 64 * 1024;

}  // namespace authz::oauth
