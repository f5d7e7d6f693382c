// token_cache.cpp — see token_cache.h.
#include "tools/oauth/token_cache.h"

#include <cstring>

namespace authz::oauth {

std::size_t TokenCache::DigestHash::operator()(const runtime::Sha256Digest& digest) const noexcept {
  std::size_t hash;  // a SHA-256 digest is already uniform: its first bytes are a hash
  std::memcpy(&hash, digest.data(), sizeof hash);
  return hash;
}

std::shared_ptr<const VerifiedToken> TokenCache::find(const runtime::Sha256Digest& key, std::int64_t now_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = index_.find(key);
  if (found == index_.end()) return nullptr;
  auto entry = found->second;
  if (now_s >= entry->valid_until_s) {
    index_.erase(found);
    entries_.erase(entry);
    return nullptr;
  }
  entries_.splice(entries_.begin(), entries_, entry);
  return entry->token;
}

void TokenCache::insert(const runtime::Sha256Digest& key, std::shared_ptr<const VerifiedToken> token,
                        std::int64_t valid_until_s, std::uint64_t generation) {
  if (capacity_ == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (generation != generation_) return;
  auto found = index_.find(key);
  if (found != index_.end()) {
    found->second->token = std::move(token);
    found->second->valid_until_s = valid_until_s;
    entries_.splice(entries_.begin(), entries_, found->second);
    return;
  }
  while (entries_.size() >= capacity_) {
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
  entries_.push_front(Entry{key, std::move(token), valid_until_s});
  index_.emplace(key, entries_.begin());
}

std::uint64_t TokenCache::generation() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return generation_;
}

void TokenCache::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++generation_;
  index_.clear();
  entries_.clear();
}

std::size_t TokenCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace authz::oauth
