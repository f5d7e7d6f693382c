// sha256.h — SHA-256 for table checksums, policy hashes and the audit chain,
// computed by OpenSSL's libcrypto (EVP); nothing here is hand-written crypto.
//
// Contract: Sha256 hashes any byte sequence fed in pieces; finish() returns
// the 32-byte digest, or nullopt if libcrypto failed at any step (in practice
// only when memory runs out). Callers fail closed on nullopt: a table that
// cannot be checksummed does not load, an audit record that cannot be hashed
// is not written. Nothing here throws. After finish() the object may be
// reset() and reused (the EVP context is kept). sha256() is the one-shot form;
// it reuses one EVP context per thread, so it allocates nothing after a
// thread's first call and is safe to call from any number of threads at once.
// to_hex gives lowercase hex, the form audit records carry.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX; <openssl/evp.h> stays out of this header

namespace authz::runtime {

using Sha256Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256() noexcept;
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Starts a new digest (also after a failure, if libcrypto recovers).
  void reset() noexcept;
  void update(const void* data, std::size_t size) noexcept;
  void update(std::string_view bytes) noexcept { update(bytes.data(), bytes.size()); }
  // nullopt when any step since reset() failed.
  std::optional<Sha256Digest> finish() noexcept;

 private:
  evp_md_ctx_st* context_ = nullptr;  // nullptr if allocation failed: every finish() fails
  bool ok_ = false;
};

std::optional<Sha256Digest> sha256(std::string_view bytes) noexcept;
std::string to_hex(const Sha256Digest& digest);
// The same 64 digits into `out` (replaced; no allocation once it has room).
void to_hex(const Sha256Digest& digest, std::string& out);

}  // namespace authz::runtime
