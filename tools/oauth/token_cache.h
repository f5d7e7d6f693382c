// token_cache.h — validated tokens kept until they expire, so a request that
// presents a known token costs a hash and a look-up, not a signature check.
//
// Contract: keyed by the SHA-256 of the token's exact bytes (a token that
// differs in one byte is another key; the token itself is not stored).
// find() returns an entry only while now < its valid_until (the caller sets
// it to min(exp + skew, now + max age)); an expired entry found is erased.
// At most `capacity` entries: inserting beyond evicts the least recently
// used. clear() drops everything (a new key set or configuration) and
// starts a new generation: an insert made for an older generation (a
// verification that began before the clear) is dropped. All
// members are safe to call from several threads at once (one mutex; a hit
// holds it for a hash-map look-up and a list splice).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "runtime/internal/sha256.h"
#include "tools/oauth/verified_token.h"

namespace authz::oauth {

class TokenCache {
 public:
  explicit TokenCache(std::size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const VerifiedToken> find(const runtime::Sha256Digest& key, std::int64_t now_s);
  // `generation`: generation() read before the token was verified.
  void insert(const runtime::Sha256Digest& key, std::shared_ptr<const VerifiedToken> token, std::int64_t valid_until_s,
              std::uint64_t generation);
  std::uint64_t generation() const;
  void clear();
  std::size_t size() const;

 private:
  struct Entry {
    runtime::Sha256Digest key;
    std::shared_ptr<const VerifiedToken> token;
    std::int64_t valid_until_s;
  };
  struct DigestHash {
    std::size_t operator()(const runtime::Sha256Digest& digest) const noexcept;
  };
  std::size_t capacity_;
  std::uint64_t generation_ = 0;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<runtime::Sha256Digest, std::list<Entry>::iterator, DigestHash> index_;
};

}  // namespace authz::oauth
