// sha256.h — SHA-256 (FIPS 180-4) for table checksums and policy hashes.
//
// Contract: Sha256 hashes any byte sequence fed in pieces; finish() returns the
// 32-byte digest and leaves the object unusable until reset(). No allocation,
// no exceptions. to_hex gives lowercase hex, the form audit records carry.
// On x86-64 CPUs with the SHA extensions the block function uses them
// (chosen once at run time); both paths give identical digests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace authz::runtime {

using Sha256Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256() { reset(); }
  void reset();
  void update(const void* data, std::size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  Sha256Digest finish();

 private:
  friend Sha256Digest sha256_portable(std::string_view bytes);
  void compress(const std::uint8_t* blocks, std::size_t count);

  std::array<std::uint32_t, 8> state_{};
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
  bool portable_only_ = false;
};

Sha256Digest sha256(std::string_view bytes);
// The same digest computed by the portable block function only, so tests
// cover it on machines with the SHA extensions too.
Sha256Digest sha256_portable(std::string_view bytes);
std::string to_hex(const Sha256Digest& digest);
// The same 64 digits into `out` (replaced; no allocation once it has room).
void to_hex(const Sha256Digest& digest, std::string& out);

}  // namespace authz::runtime
