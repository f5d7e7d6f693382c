// table_signature.h — Ed25519 signatures on decision tables, through OpenSSL's
// libcrypto (EVP); nothing here is hand-written crypto.
//
// Contract:
//   - A signed table is format version 2: the version-1 header and body,
//     then one signature block (internal/table_format.h). What is signed is
//     kSignatureContext, the 56-byte header (which carries the body's length
//     and SHA-256, checked on every load) and the block's first 44 bytes
//     (magic, algorithm, key id). So every byte of the file but the
//     signature itself is covered.
//   - A key id is the lowercase hex SHA-256 of the public key's DER
//     SubjectPublicKeyInfo: `openssl pkey -pubin -in pub.pem -outform DER |
//     sha256sum` prints it.
//   - sign_table() takes a version-1 table (serialize()'s output) and a PEM
//     Ed25519 private key (PKCS#8, unencrypted: `openssl genpkey -algorithm
//     ed25519`) and returns the version-2 bytes. Signing is deterministic.
//   - TrustedKeys holds Ed25519 public keys (PEM "PUBLIC KEY"); a private key
//     is refused (it must not live where tables are verified). check()
//     returns nullopt only for a well-formed signed table whose signature
//     verifies with one of them; otherwise one message: not signed, signed by
//     an unknown key, a bad signature, or the reader's structural error.
//     An empty TrustedKeys trusts nothing (fail closed). Copies share the
//     keys; check() is const and thread-safe.
// Nothing here throws except on memory exhaustion.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY; <openssl/evp.h> stays out of this header

namespace authz::runtime {

class TrustedKeys {
 public:
  // Adds the Ed25519 public key in `pem`; returns its key id. Adding a key
  // already present is allowed (it is kept once).
  Result<std::string> add_pem(std::string_view pem);
  bool empty() const { return keys_.empty(); }
  std::vector<std::string> key_ids() const;
  // nullopt: `table_bytes` is a signed table and its signature verifies with
  // one of the keys. Else why the table is refused.
  std::optional<std::string> check(std::string_view table_bytes) const;

 private:
  struct Key {
    std::string id;
    std::shared_ptr<evp_pkey_st> key;
  };
  std::vector<Key> keys_;
};

// The key id of the table's signer, or "" for an unsigned (or malformed)
// table. Says nothing about whether the signature verifies.
std::string table_signer(std::string_view table_bytes);

// `table_bytes` (version 1) signed with the PEM private key, as version 2.
Result<std::string> sign_table(std::string_view table_bytes, std::string_view private_key_pem);

}  // namespace authz::runtime
