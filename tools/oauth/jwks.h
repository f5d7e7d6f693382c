// jwks.h — a JSON Web Key Set (RFC 7517) of public signature keys, and the
// rate-limited refresh of a key set fetched from a URL.
//
// Contract: KeySet::parse reads `{"keys": [...]}` (strict JSON: no duplicate
// key at any depth) into keys usable for verification. A key is kept only if
// it is a public signature key of a supported type:
//   kty RSA  (n, e; modulus of at least 2048 bits)  -> RS256..RS512, PS256..PS512
//   kty EC   crv P-256 / P-384 / P-521 (x, y on the curve) -> ES256 / ES384 / ES512
//   kty OKP  crv Ed25519 (x)                        -> EdDSA
// and `use` (when present) is "sig", `key_ops` (when present) contains
// "verify", no private member (`d`, `p`, ...) is present. Every other key
// (kty `oct` above all: the gateway never accepts symmetric keys) is
// skipped with a note in `skipped`, so one exotic key in an identity
// provider's set does not disable the others; a set with no usable key is an
// error. Each key's algorithms are bound at load time: its `alg` alone when
// it has one (and the `alg` must fit the key type, else the key is
// skipped), else every algorithm of its type; both intersected with the
// configured allow-list. Lookup (select) never lets a token pick a key of
// another type: an RSA key never verifies ES256, whatever the header says.
// KeySet is immutable after parse and safe to share across threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.h"
#include "tools/oauth/jose.h"

namespace authz::oauth {

using AlgorithmSet = std::uint16_t;  // bit i: Algorithm(i)
inline constexpr AlgorithmSet algorithm_bit(Algorithm a) { return static_cast<AlgorithmSet>(1u << static_cast<int>(a)); }
// Every supported algorithm (the default allow-list).
inline constexpr AlgorithmSet kAllAlgorithms = static_cast<AlgorithmSet>((1u << kAlgorithmCount) - 1);

struct Jwk {
  std::string kid;  // may be empty
  std::string kty;  // "RSA", "EC", "OKP"
  std::string crv;  // EC and OKP
  std::string alg;  // as written; empty when absent
  AlgorithmSet algorithms = 0;  // what this key may verify (never empty for a kept key)
  std::shared_ptr<EVP_PKEY> key;
};

enum class KeyLookup : std::uint8_t {
  Found,
  UnknownKid,        // the token names a kid the set lacks: refresh the set, then retry (JwksRefresher)
  AlgorithmMismatch, // the key named by kid may not verify this algorithm
  NoKidAmbiguous,    // no kid in the token and several keys fit the algorithm
  NoKey,             // no kid in the token and no key fits the algorithm
};

class KeySet {
 public:
  // `allowed`: the configured allow-list. Errors: unreadable JSON, a
  // duplicate key, not `{"keys": [...]}`, no usable key.
  static runtime::Result<KeySet> parse(std::string_view json, AlgorithmSet allowed = kAllAlgorithms);
  static runtime::Result<KeySet> load_file(const std::string& path, AlgorithmSet allowed = kAllAlgorithms);

  const std::vector<Jwk>& keys() const { return keys_; }
  // Why keys were skipped, one lowercase line each (for the log).
  const std::vector<std::string>& skipped() const { return skipped_; }

  // The key for a token header's `kid` (nullopt: none given) and algorithm.
  // Without a kid, the one key that may verify `algorithm`; several such
  // keys is NoKidAmbiguous (trying each would multiply the work an
  // attacker can cause and blur which key vouched for the token).
  KeyLookup select(std::optional<std::string_view> kid, Algorithm algorithm, const Jwk*& out) const;

 private:
  std::vector<Jwk> keys_;
  std::vector<std::string> skipped_;
};

// Rate-limited refresh of a key set fetched from a URL. The HTTP front plugs
// in a fetcher (an HTTPS GET of the jwks_uri) and calls refresh_if_allowed
// when a verification says UnknownKid; at most one fetch happens per
// `min_interval_s` whatever the token traffic, so forged kids cannot turn
// the gateway into a request amplifier against the identity provider.
// Thread-safe: concurrent callers during a fetch wait for it and share
// its outcome. The clock is the caller's `now_s` (injectable in tests).
class JwksRefresher {
 public:
  // Returns the set's JSON bytes, or nullopt with `error` set.
  using Fetch = std::function<std::optional<std::string>(std::string& error)>;
  // Receives a freshly parsed set (the verifier installs it: set_keys).
  using Install = std::function<void(std::shared_ptr<const KeySet>)>;

  JwksRefresher(Fetch fetch, Install install, AlgorithmSet allowed, std::int64_t min_interval_s);

  enum class Outcome : std::uint8_t { Refreshed, RateLimited, Failed };
  // Fetches and installs a new set unless one was fetched (or tried) less
  // than min_interval_s ago. `error` says why on Failed.
  Outcome refresh_if_allowed(std::int64_t now_s, std::string& error);
  std::uint64_t fetches() const;

 private:
  Fetch fetch_;
  Install install_;
  AlgorithmSet allowed_;
  std::int64_t min_interval_s_;
  mutable std::mutex mutex_;
  std::optional<std::int64_t> last_attempt_s_;
  std::uint64_t fetches_ = 0;
};

}  // namespace authz::oauth
