// table_signature_test.cpp — signed decision tables (runtime/table_signature.h):
// Engine::load with trusted keys accepts only a table signed by one of them
// whose signature verifies; an unsigned table, an unknown key, any changed
// byte and a downgrade to the unsigned format are refused; rotation works by
// trusting several keys. Keys are made at run time with libcrypto.
#include <openssl/pem.h>

#include <catch2/catch.hpp>

#include "runtime/c_api/authz.h"
#include "runtime/engine.h"
#include "runtime/internal/table_format.h"
#include "runtime/internal/table_reader.h"
#include "runtime/table_signature.h"
#include "runtime/internal/table_writer.h"
#include "tests/unit/oauth_test_keys.h"
#include "tests/unit/runtime_test_models.h"

namespace authz::runtime {
namespace {

using authz::runtime::testing::sales_model;

std::string pem_of(EVP_PKEY* key, bool private_key) {
  BIO* bio = BIO_new(BIO_s_mem());
  int ok = private_key ? PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr)
                       : PEM_write_bio_PUBKEY(bio, key);
  REQUIRE(ok == 1);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair new_key() {
  auto key = authz::testing::make_ed25519("k");
  return {pem_of(key.pkey.get(), true), pem_of(key.pkey.get(), false)};
}

TrustedKeys trust(std::initializer_list<const KeyPair*> pairs) {
  TrustedKeys keys;
  for (const KeyPair* pair : pairs) REQUIRE(keys.add_pem(pair->public_pem).ok());
  return keys;
}

std::string sign(const std::string& table, const KeyPair& key) {
  auto signed_table = sign_table(table, key.private_pem);
  REQUIRE(signed_table.ok());
  return signed_table.value();
}

std::string load_error(const std::string& bytes, const TrustedKeys& keys) {
  auto engine = Engine::load(bytes, keys);
  return engine.ok() ? "ok" : engine.error();
}

TEST_CASE("a signed table loads with its key and keeps the policy hash", "[signing]") {
  KeyPair release = new_key();
  std::string table = serialize(sales_model().model);
  std::string signed_table = sign(table, release);
  CHECK(signed_table.size() == table.size() + internal::kSignatureBlockSize);
  CHECK(signed_table.compare(internal::kTableHeaderSize, table.size() - internal::kTableHeaderSize, table,
                             internal::kTableHeaderSize) == 0);  // same body
  CHECK(sign(table, release) == signed_table);                   // Ed25519 is deterministic

  TrustedKeys keys = trust({&release});
  auto engine = Engine::load(signed_table, keys);
  REQUIRE(engine.ok());
  CHECK(engine.value().signer_key_id() == keys.key_ids().front());
  CHECK(engine.value().policy_hash() == Engine::load(table).value().policy_hash());
  // Without keys a signed table loads like any other (nothing is required),
  // and says who signed it.
  auto unchecked = Engine::load(signed_table);
  REQUIRE(unchecked.ok());
  CHECK(unchecked.value().signer_key_id() == keys.key_ids().front());
  CHECK(Engine::load(table).value().signer_key_id().empty());
  CHECK(table_signer(signed_table) == keys.key_ids().front());
  CHECK(table_signer(table).empty());
}

TEST_CASE("unsigned tables, unknown keys and no keys are refused", "[signing]") {
  KeyPair release = new_key(), other = new_key();
  std::string table = serialize(sales_model().model);
  CHECK(load_error(table, trust({&release})) ==
        "the table is not signed, and this host accepts only tables signed by a trusted key");
  std::string by_other = sign(table, other);
  std::string other_id = table_signer(by_other);
  CHECK(load_error(by_other, trust({&release})) ==
        "the table is signed by key `" + other_id + "`, which is not a trusted key");
  CHECK(load_error(sign(table, release), TrustedKeys{}) ==
        "no trusted keys are configured, so no signed table is accepted");
  CHECK(load_error("AUTH", trust({&release})) == "truncated table: the header needs 56 bytes, the file has 4");
}

TEST_CASE("rotation: every trusted key is accepted, a retired one is not", "[signing]") {
  KeyPair old_key = new_key(), new_key_pair = new_key();
  std::string table = serialize(sales_model().model);
  std::string by_old = sign(table, old_key), by_new = sign(table, new_key_pair);
  TrustedKeys both = trust({&old_key, &new_key_pair});
  CHECK(both.key_ids().size() == 2);
  CHECK(load_error(by_old, both) == "ok");
  CHECK(load_error(by_new, both) == "ok");
  TrustedKeys retired = trust({&new_key_pair});
  CHECK(load_error(by_new, retired) == "ok");
  CHECK(load_error(by_old, retired).find("which is not a trusted key") != std::string::npos);
  // The same key twice is kept once.
  TrustedKeys twice = trust({&old_key, &old_key});
  CHECK(twice.key_ids().size() == 1);
}

TEST_CASE("every changed byte of a signed table is refused", "[signing]") {
  KeyPair release = new_key();
  std::string signed_table = sign(serialize(sales_model().model), release);
  TrustedKeys keys = trust({&release});
  REQUIRE(load_error(signed_table, keys) == "ok");
  std::size_t refused = 0;
  for (std::size_t at = 0; at < signed_table.size(); ++at) {
    std::string tampered = signed_table;
    tampered[at] = static_cast<char>(tampered[at] ^ 0x01);
    if (load_error(tampered, keys) != "ok")
      ++refused;
    else
      FAIL_CHECK("flipping byte " << at << " went unnoticed");
  }
  CHECK(refused == signed_table.size());
  // Which check catches it: the header and the signed part of the block by
  // the signature, the body by the checksum the signed header carries.
  std::string body = signed_table;
  body[internal::kTableHeaderSize + 10] ^= 0x01;
  CHECK(load_error(body, keys) == "table checksum mismatch: the file is corrupt or was modified");
  std::string signature = signed_table;
  signature[signature.size() - 1] ^= 0x01;
  CHECK(load_error(signature, keys).rfind("the table's signature does not verify with key `", 0) == 0);
  std::string header = signed_table;
  header[internal::kChecksumOffset] ^= 0x01;
  CHECK(load_error(header, keys).rfind("the table's signature does not verify", 0) == 0);
}

TEST_CASE("hostile reshapings of a signed table are refused", "[signing]") {
  KeyPair release = new_key();
  std::string table = serialize(sales_model().model);
  std::string signed_table = sign(table, release);
  TrustedKeys keys = trust({&release});
  // Downgrade: drop the block, say version 1: an unsigned table.
  std::string downgraded = signed_table.substr(0, table.size());
  downgraded[internal::kVersionOffset] = 1;
  CHECK(downgraded == table);
  CHECK(load_error(downgraded, keys).rfind("the table is not signed", 0) == 0);
  // Version 2 without its block, or with bytes after it.
  std::string no_block = table;
  no_block[internal::kVersionOffset] = 2;
  CHECK(load_error(no_block, keys) != "ok");
  CHECK(read_table(no_block).ok() == false);
  CHECK(load_error(signed_table + "x", keys) != "ok");
  CHECK(read_table(signed_table + "x").ok() == false);
  // The block of another table (same key) does not fit this one.
  Model changed = sales_model().model;
  changed.policy_name = "sales2";
  std::string other_signed = sign(serialize(changed), release);
  std::string spliced = table + other_signed.substr(other_signed.size() - internal::kSignatureBlockSize);
  spliced[internal::kVersionOffset] = 2;
  CHECK(load_error(spliced, keys).rfind("the table's signature does not verify", 0) == 0);
  // Signing a signed table, or garbage, is refused.
  CHECK(sign_table(signed_table, release.private_pem).error() == "the table is already signed");
  CHECK(!sign_table("garbage", release.private_pem).ok());
}

TEST_CASE("only Ed25519 public keys are trusted; only Ed25519 private keys sign", "[signing]") {
  KeyPair release = new_key();
  TrustedKeys keys;
  auto as_private = keys.add_pem(release.private_pem);
  REQUIRE(!as_private.ok());
  CHECK(as_private.error().rfind("this is a private key", 0) == 0);
  auto ec = authz::testing::make_ec("e");
  CHECK(keys.add_pem(pem_of(ec.pkey.get(), false)).error().rfind("not an Ed25519 key", 0) == 0);
  CHECK(keys.add_pem("not a key").error().rfind("not a PEM public key", 0) == 0);
  CHECK(keys.add_pem("").error().rfind("not a PEM public key", 0) == 0);
  CHECK(keys.empty());
  std::string table = serialize(sales_model().model);
  CHECK(sign_table(table, release.public_pem).error().rfind("not an unencrypted PEM private key", 0) == 0);
  CHECK(sign_table(table, pem_of(ec.pkey.get(), true)).error().rfind("not an Ed25519 key", 0) == 0);
}

TEST_CASE("the C ABI loads only tables signed by one of the given keys", "[signing][c_api]") {
  KeyPair release = new_key(), other = new_key();
  std::string table = serialize(sales_model().model);
  std::string signed_table = sign(table, release);
  auto load = [](const std::string& bytes, std::vector<const char*> keys, authz_status& status) {
    authz_engine* engine = nullptr;
    authz_error* error = nullptr;
    status = authz_engine_load_signed(bytes.data(), bytes.size(), keys.data(), keys.size(), &engine, &error);
    std::string message = error ? authz_error_message(error) : "";
    authz_error_free(error);
    authz_engine_free(engine);
    return message;
  };
  authz_status status;
  CHECK(load(signed_table, {release.public_pem.c_str()}, status).empty());
  CHECK(status == AUTHZ_OK);
  CHECK(load(signed_table, {other.public_pem.c_str(), release.public_pem.c_str()}, status).empty());  // rotation
  CHECK(load(table, {release.public_pem.c_str()}, status).rfind("the table is not signed", 0) == 0);
  CHECK(status == AUTHZ_ERR_INVALID_TABLE);
  CHECK(load(signed_table, {other.public_pem.c_str()}, status).find("which is not a trusted key") != std::string::npos);
  CHECK(status == AUTHZ_ERR_INVALID_TABLE);
  CHECK(load(signed_table, {}, status).rfind("no trusted keys are configured", 0) == 0);
  CHECK(status == AUTHZ_ERR_INVALID_TABLE);
  CHECK(load(signed_table, {release.private_pem.c_str()}, status).find("this is a private key") != std::string::npos);
  CHECK(status == AUTHZ_ERR_INVALID_REQUEST);
  CHECK(!load(signed_table, {nullptr}, status).empty());
  CHECK(status == AUTHZ_ERR_NULL_ARGUMENT);
  std::string tampered = signed_table;
  tampered[tampered.size() - 5] ^= 0x10;
  CHECK(load(tampered, {release.public_pem.c_str()}, status).find("does not verify") != std::string::npos);
  CHECK(status == AUTHZ_ERR_INVALID_TABLE);
}

}  // namespace
}  // namespace authz::runtime
