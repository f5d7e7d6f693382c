// jose.h — the JOSE framing of a compact JWS and its signature check.
//
// Contract: base64url_decode accepts only the unpadded URL-safe alphabet in
// canonical form (no `=`, no stray bits in the last character), so one token
// has exactly one spelling. split_compact_jws finds the three parts of
// `header.payload.signature` and nothing else (a JWE's five parts, empty
// parts, a missing signature are refused). verify_signature checks a JWS
// signature with OpenSSL 3's EVP interface: no signature arithmetic is done
// here. ECDSA signatures arrive in JOSE's raw r||s form (RFC 7518 §3.4) of
// exactly twice the curve's field size and are re-encoded as the DER
// ECDSA-Sig-Value EVP expects by OpenSSL's own i2d_ECDSA_SIG. PS* use PSS with
// MGF1 on the same hash and a salt as long as the hash (RFC 7518 §3.5).
// Symmetric (HS*) and `none` algorithms are not supported at all: the
// gateway is a resource server holding only public keys (docs/oauth.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace authz::oauth {

// The asymmetric JWS algorithms of RFC 7518 and RFC 8037 the verifier knows.
enum class Algorithm : std::uint8_t { RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA };
inline constexpr int kAlgorithmCount = 10;

std::optional<Algorithm> algorithm_from_name(std::string_view name);
const char* algorithm_name(Algorithm algorithm);

// Decodes unpadded base64url (RFC 7515 §2); false on any other character,
// padding, an impossible length or non-zero unused bits.
bool base64url_decode(std::string_view text, std::string& out);
void base64url_encode(std::string_view bytes, std::string& out);

struct CompactJws {
  std::string_view header;         // base64url text
  std::string_view payload;        // base64url text
  std::string_view signing_input;  // header "." payload
  std::string_view signature;      // base64url text
};

// False unless `token` is exactly three non-empty dot-separated parts.
bool split_compact_jws(std::string_view token, CompactJws& out);

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// True when `signature` (decoded bytes) is a valid `algorithm` signature of
// `signing_input` under `key`. The caller has already checked that the key
// may be used with the algorithm (jwks.h); a key of another type simply
// fails here too.
bool verify_signature(Algorithm algorithm, EVP_PKEY* key, std::string_view signing_input, std::string_view signature);

}  // namespace authz::oauth
