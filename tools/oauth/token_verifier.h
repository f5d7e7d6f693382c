// token_verifier.h — bearer access tokens (JWT, RFC 9068) in, principals out.
//
// Contract: TokenVerifier::create checks the configuration (oauth_config.h)
// and its claims mapping against the policy at start-up; every mistake is a
// start-up error. verify() accepts a token only if, in this order:
//   - it is at most max_token_bytes and a compact JWS (three base64url parts);
//   - its header is one JSON object without duplicate keys, `alg` is an
//     allowed asymmetric algorithm (`none` and HS* never), `typ` (if any) is
//     `at+jwt` / `application/at+jwt` (or `JWT` when accept_jwt_typ), no
//     `crit` and no `cty` (no extension or nested token is understood);
//     `jwk`, `jku`, `x5u`, `x5c` are ignored: keys come from the key set only;
//   - the key set has a key for its `kid` (else unknown_kid: the caller may
//     refresh the set and retry, see verify_with_refresh) that may verify
//     `alg`; without a `kid`, exactly one key may;
//   - the signature verifies (jose.h), before the payload is even parsed;
//   - the payload is one JSON object without duplicate keys, `iss` is a
//     configured issuer, `aud` (string or array of strings) contains the
//     resource, `exp` is a number and now < exp + skew, `nbf` (if any) <=
//     now + skew, `iat` (if any) <= now + skew; `azp`, `client_id`, `jti`
//     (if any) are strings; the scope claim is a string or array of strings;
//   - the claims map to a principal (claims_principal.h);
//   - it has every required scope, else insufficient_scope (403) listing them.
// Refusals are AuthErrors (auth_error.h) with a lowercase description that
// never quotes the token. An accepted token is cached (token_cache.h) until
// min(exp + skew, now + cache_max_age_s): a repeat costs a SHA-256 and a
// look-up. The clock is the caller's `now_s` (Unix seconds). Thread-safe:
// verify, set_keys and the counters may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "runtime/result.h"
#include "runtime/table_model.h"
#include "tools/oauth/auth_error.h"
#include "tools/oauth/jwks.h"
#include "tools/oauth/oauth_config.h"
#include "tools/oauth/token_cache.h"
#include "tools/oauth/verified_token.h"

namespace authz::oauth {

class PrincipalMapper;

struct VerifyOutcome {
  std::shared_ptr<const VerifiedToken> token;  // set when accepted
  std::optional<AuthError> error;              // set when refused
  bool unknown_kid = false;                    // refused because the key set lacks the token's kid
  bool bad_signature = false;                  // refused because the signature does not verify
  bool expired = false;                        // refused because `exp` is past (with the skew)
  bool cached = false;                         // accepted from the cache
};

// The configured allow-list as a set (empty list: all); error on an unknown name.
runtime::Result<AlgorithmSet> algorithm_set(const std::vector<std::string>& names);

class TokenVerifier {
 public:
  // `model`: the policy's compiled table (Engine::model()), to check the
  // claims mapping against; only read during create().
  static runtime::Result<std::unique_ptr<TokenVerifier>> create(OAuthConfig config, std::shared_ptr<const KeySet> keys,
                                                                const runtime::Model* model);
  ~TokenVerifier();

  VerifyOutcome verify(std::string_view token, std::int64_t now_s);

  // Installs a new key set and empties the cache.
  void set_keys(std::shared_ptr<const KeySet> keys);
  std::shared_ptr<const KeySet> keys() const;
  const OAuthConfig& config() const { return config_; }
  AlgorithmSet algorithms() const { return algorithms_; }
  // How many signatures were checked (cache hits check none).
  std::uint64_t signature_checks() const { return signature_checks_.load(std::memory_order_relaxed); }
  TokenCache& cache() { return cache_; }

 private:
  TokenVerifier(OAuthConfig config, AlgorithmSet algorithms, std::unique_ptr<PrincipalMapper> mapper,
                std::shared_ptr<const KeySet> keys);
  VerifyOutcome verify_uncached(std::string_view token, std::int64_t now_s);

  OAuthConfig config_;
  AlgorithmSet algorithms_;
  std::unique_ptr<PrincipalMapper> mapper_;
  mutable std::mutex keys_mutex_;
  std::shared_ptr<const KeySet> keys_;
  TokenCache cache_;
  std::atomic<std::uint64_t> signature_checks_{0};
};

// verify(); on unknown_kid asks `refresher` for a new key set (rate-limited)
// and verifies once more if one was installed.
VerifyOutcome verify_with_refresh(TokenVerifier& verifier, JwksRefresher& refresher, std::string_view token,
                                  std::int64_t now_s);

}  // namespace authz::oauth
