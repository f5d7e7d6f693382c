// sha256.cpp — SHA-256 through OpenSSL 3's EVP interface (contract in
// sha256.h). The SHA2-256 implementation is fetched from the default provider
// once per process (a function-local static: thread-safe initialisation) and
// shared by every context; OpenSSL picks the CPU's SHA extensions itself.
// Known-answer tests: tests/unit/runtime_algorithms_test.cpp; the fail-closed
// paths: tests/unit/sha256_failure_test.cpp.
#include "runtime/internal/sha256.h"

#include <openssl/evp.h>

namespace authz::runtime {
namespace {

// nullptr when the provider has no SHA-256 (a broken OpenSSL installation):
// every digest then fails, and every caller fails closed.
const EVP_MD* sha256_method() noexcept {
  static EVP_MD* const method = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return method;
}

bool digest_into(EVP_MD_CTX* context, std::string_view bytes, Sha256Digest& digest) noexcept {
  const EVP_MD* method = sha256_method();
  unsigned int size = 0;
  return context != nullptr && method != nullptr && EVP_DigestInit_ex2(context, method, nullptr) == 1 &&
         EVP_DigestUpdate(context, bytes.data(), bytes.size()) == 1 &&
         EVP_DigestFinal_ex(context, digest.data(), &size) == 1 && size == digest.size();
}

// One context per thread for sha256(): reused, freed when the thread ends.
struct ThreadContext {
  EVP_MD_CTX* context = nullptr;  // allocated on first use (again, if that failed)
  ThreadContext() = default;
  ThreadContext(const ThreadContext&) = delete;
  ThreadContext& operator=(const ThreadContext&) = delete;
  ~ThreadContext() { EVP_MD_CTX_free(context); }
};

}  // namespace

Sha256::Sha256() noexcept : context_(EVP_MD_CTX_new()) { reset(); }

Sha256::~Sha256() { EVP_MD_CTX_free(context_); }

void Sha256::reset() noexcept {
  const EVP_MD* method = sha256_method();
  ok_ = context_ != nullptr && method != nullptr && EVP_DigestInit_ex2(context_, method, nullptr) == 1;
}

void Sha256::update(const void* data, std::size_t size) noexcept {
  if (ok_) ok_ = EVP_DigestUpdate(context_, data, size) == 1;
}

std::optional<Sha256Digest> Sha256::finish() noexcept {
  if (!ok_) return std::nullopt;
  ok_ = false;  // finished: reset() before the next use
  Sha256Digest digest;
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context_, digest.data(), &size) != 1 ||
      size != digest.size()) {
    return std::nullopt;
  }
  return digest;
}

std::optional<Sha256Digest> sha256(std::string_view bytes) noexcept {
  thread_local ThreadContext thread_context;
  if (thread_context.context == nullptr) thread_context.context = EVP_MD_CTX_new();
  Sha256Digest digest;
  if (!digest_into(thread_context.context, bytes, digest)) return std::nullopt;
  return digest;
}

std::string to_hex(const Sha256Digest& digest) {
  std::string out;
  to_hex(digest, out);
  return out;
}

void to_hex(const Sha256Digest& digest, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out.assign(64, '0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 0xF];
  }
}

}  // namespace authz::runtime
