// jose.cpp — see jose.h.
#include "tools/oauth/jose.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <array>

namespace authz::oauth {
namespace {

constexpr std::array<const char*, kAlgorithmCount> kNames = {"RS256", "RS384", "RS512", "PS256", "PS384",
                                                             "PS512", "ES256", "ES384", "ES512", "EdDSA"};

// -1: not a base64url character.
constexpr std::array<std::int8_t, 256> make_decode_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr auto kDecode = make_decode_table();

// The digests, fetched once: an implicit fetch on every verification would
// cost a provider look-up each time.
struct Digests {
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  EVP_MD* sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  EVP_MD* sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
};

const EVP_MD* digest_of(Algorithm algorithm) {
  static const Digests digests;
  switch (algorithm) {
    case Algorithm::RS256: case Algorithm::PS256: case Algorithm::ES256: return digests.sha256;
    case Algorithm::RS384: case Algorithm::PS384: case Algorithm::ES384: return digests.sha384;
    case Algorithm::RS512: case Algorithm::PS512: case Algorithm::ES512: return digests.sha512;
    case Algorithm::EdDSA: return nullptr;
  }
  return nullptr;
}

// JOSE r||s -> DER ECDSA-Sig-Value, through OpenSSL's encoder.
bool ecdsa_raw_to_der(std::string_view raw, std::size_t half, std::string& der) {
  if (raw.size() != 2 * half) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(bytes + half, static_cast<int>(half), nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (!r || !s || !sig || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return false;
  }
  int length = i2d_ECDSA_SIG(sig, nullptr);
  bool ok = length > 0;
  if (ok) {
    der.resize(static_cast<std::size_t>(length));
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    ok = i2d_ECDSA_SIG(sig, &out) == length;
  }
  ECDSA_SIG_free(sig);
  return ok;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::optional<Algorithm> algorithm_from_name(std::string_view name) {
  for (int i = 0; i < kAlgorithmCount; ++i) {
    if (name == kNames[static_cast<std::size_t>(i)]) return static_cast<Algorithm>(i);
  }
  return std::nullopt;
}

const char* algorithm_name(Algorithm algorithm) { return kNames[static_cast<std::size_t>(algorithm)]; }

bool base64url_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 == 1) return false;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    std::int8_t value = kDecode[static_cast<unsigned char>(c)];
    if (value < 0) return false;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  // Canonical form: the bits left over in the last character are zero.
  return (buffer & ((1u << bits) - 1)) == 0;
}

void base64url_encode(std::string_view bytes, std::string& out) {
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 0x3F]);
}

bool split_compact_jws(std::string_view token, CompactJws& out) {
  std::size_t first = token.find('.');
  if (first == std::string_view::npos) return false;
  std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return false;
  out.header = token.substr(0, first);
  out.payload = token.substr(first + 1, second - first - 1);
  out.signing_input = token.substr(0, second);
  out.signature = token.substr(second + 1);
  return !out.header.empty() && !out.payload.empty() && !out.signature.empty();
}

void PkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

bool verify_signature(Algorithm algorithm, EVP_PKEY* key, std::string_view signing_input, std::string_view signature) {
  if (!key) return false;
  std::string der;
  std::string_view checked = signature;
  switch (algorithm) {
    case Algorithm::ES256: case Algorithm::ES384: case Algorithm::ES512: {
      if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
      std::size_t half = algorithm == Algorithm::ES256 ? 32 : algorithm == Algorithm::ES384 ? 48 : 66;
      if (!ecdsa_raw_to_der(signature, half, der)) return false;
      checked = der;
      break;
    }
    case Algorithm::EdDSA:
      if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) return false;
      break;
    default:
      if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return false;
      break;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
  if (EVP_DigestVerifyInit(ctx.get(), &pkey_ctx, digest_of(algorithm), nullptr, key) != 1) return false;
  if (algorithm == Algorithm::PS256 || algorithm == Algorithm::PS384 || algorithm == Algorithm::PS512) {
    if (EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pkey_ctx, digest_of(algorithm)) != 1) {
      return false;
    }
  } else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    if (EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PADDING) != 1) return false;
  }
  bool valid = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(checked.data()), checked.size(),
                                reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
  if (!valid) ERR_clear_error();  // a refusal leaves nothing on the thread's error queue
  return valid;
}

}  // namespace authz::oauth
