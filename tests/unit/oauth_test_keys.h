// oauth_test_keys.h — real keys and real signed tokens for the OAuth tests
// and benchmark, made at run time with OpenSSL 3's EVP interface (the same
// library the verifier uses, but its signing side, which the verifier never
// touches).
//
// Contract: make_rsa / make_ec / make_ed25519 generate a fresh key pair;
// TestKey::jwk() is its public JWK (with `kid`, and `alg` when given);
// sign_jws signs header.payload as JOSE requires (ECDSA in raw r||s form)
// and returns the compact token. Failures abort through REQUIRE-free
// std::abort: these helpers are used outside Catch2 too (bench/).
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "tools/oauth/jose.h"

namespace authz::testing {

inline void require(bool ok) {
  if (!ok) std::abort();
}

inline std::string b64url(std::string_view bytes) {
  std::string out;
  oauth::base64url_encode(bytes, out);
  return out;
}

inline std::string bn_bytes(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  require(EVP_PKEY_get_bn_param(key, name, &bn) == 1);
  std::string out(static_cast<std::size_t>(pad ? pad : BN_num_bytes(bn)), '\0');
  require(BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size())) > 0);
  BN_free(bn);
  return out;
}

struct TestKey {
  std::shared_ptr<EVP_PKEY> pkey;
  std::string kid;
  std::string alg;  // what sign_jws uses; written into the JWK only if jwk_alg
  bool jwk_alg = true;

  std::string jwk() const {
    std::string out = "{\"kid\":\"" + kid + "\",\"use\":\"sig\"";
    if (jwk_alg) out += ",\"alg\":\"" + alg + "\"";
    int type = EVP_PKEY_get_base_id(pkey.get());
    if (type == EVP_PKEY_RSA) {
      out += ",\"kty\":\"RSA\",\"n\":\"" + b64url(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_RSA_N)) + "\",\"e\":\"" +
             b64url(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_RSA_E)) + "\"";
    } else if (type == EVP_PKEY_EC) {
      out += ",\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + b64url(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)) +
             "\",\"y\":\"" + b64url(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)) + "\"";
    } else {
      std::string raw(32, '\0');
      std::size_t size = raw.size();
      require(EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(raw.data()), &size) == 1);
      out += ",\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + b64url(raw) + "\"";
    }
    return out + "}";
  }
};

inline std::shared_ptr<EVP_PKEY> adopt_key(EVP_PKEY* key) {
  require(key != nullptr);
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

inline TestKey make_rsa(std::string kid, std::string alg = "RS256", unsigned bits = 2048) {
  return TestKey{adopt_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits))), std::move(kid), std::move(alg)};
}
inline TestKey make_ec(std::string kid) {
  return TestKey{adopt_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")), std::move(kid), "ES256"};
}
inline TestKey make_ed25519(std::string kid) {
  return TestKey{adopt_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")), std::move(kid), "EdDSA"};
}

inline std::string jwks_of(const std::vector<const TestKey*>& keys) {
  std::string out = "{\"keys\":[";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? "," : "") + keys[i]->jwk();
  return out + "]}";
}

// The raw signature bytes of `input` under `key` for JOSE algorithm `alg`.
inline std::string sign_bytes(const TestKey& key, const std::string& alg, std::string_view input) {
  const EVP_MD* md = alg.ends_with("256") ? EVP_sha256() : alg.ends_with("384") ? EVP_sha384() : EVP_sha512();
  if (alg == "EdDSA") md = nullptr;
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  require(EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key.pkey.get()) == 1);
  if (alg.starts_with("PS")) {
    require(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    require(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1);
  }
  std::size_t size = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  require(EVP_DigestSign(ctx.get(), nullptr, &size, data, input.size()) == 1);
  std::string signature(size, '\0');
  require(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, data, input.size()) == 1);
  signature.resize(size);
  if (alg.starts_with("ES")) {  // DER -> JOSE r||s
    const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
    require(sig != nullptr);
    std::string raw(64, '\0');
    require(BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32) == 32);
    require(BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32) == 32);
    ECDSA_SIG_free(sig);
    return raw;
  }
  return signature;
}

// header and payload are JSON texts, encoded as given (so tests can write
// duplicate keys); signed with `alg` (default: the key's).
inline std::string sign_jws(const TestKey& key, const std::string& header, const std::string& payload, std::string alg = "") {
  if (alg.empty()) alg = key.alg;
  std::string input = b64url(header) + "." + b64url(payload);
  return input + "." + b64url(sign_bytes(key, alg, input));
}

inline std::string header_for(const TestKey& key) {
  return "{\"alg\":\"" + key.alg + "\",\"typ\":\"at+jwt\",\"kid\":\"" + key.kid + "\"}";
}

}  // namespace authz::testing
