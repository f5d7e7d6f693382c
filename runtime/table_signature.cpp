// table_signature.cpp — see table_signature.h. Keys are parsed by libcrypto's
// PEM readers from memory (never with a passphrase prompt); signing and
// verifying are one-shot EVP_DigestSign / EVP_DigestVerify (PureEdDSA).
#include "runtime/table_signature.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include <fmt/format.h>

#include "runtime/internal/table_format.h"
#include "runtime/internal/sha256.h"
#include "runtime/internal/table_reader.h"

namespace authz::runtime {
namespace {

using namespace internal;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::uint32_t read_u32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= std::uint32_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  return value;
}

// Never prompts: an encrypted key simply fails to load.
int no_passphrase(char*, int, int, void*) { return -1; }

template <class Reader>
PkeyPtr read_pem(std::string_view pem, Reader reader) {
  if (pem.size() > static_cast<std::size_t>(INT32_MAX)) return nullptr;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return nullptr;
  EVP_PKEY* key = reader(bio, nullptr, no_passphrase, nullptr);
  BIO_free(bio);
  ERR_clear_error();
  return PkeyPtr(key);
}

bool is_ed25519(const EVP_PKEY* key) { return EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519; }

// SHA-256 of the public key's DER SubjectPublicKeyInfo, in hex; "" on failure.
std::string key_id(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(key, &der);
  if (size <= 0) return {};
  auto digest = sha256(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size)));
  OPENSSL_free(der);
  return digest ? to_hex(*digest) : std::string();
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// What the signature covers: context, header, block without the signature.
std::string signed_message(std::string_view header, std::string_view block_prefix) {
  std::string message;
  message.reserve(kSignatureContext.size() + header.size() + block_prefix.size());
  message += kSignatureContext;
  message += header;
  message += block_prefix;
  return message;
}

bool has_table_magic(std::string_view bytes) {
  return bytes.size() >= kTableHeaderSize && bytes.substr(0, kTableMagic.size()) == kTableMagic;
}

}  // namespace

Result<std::string> TrustedKeys::add_pem(std::string_view pem) {
  if (read_pem(pem, PEM_read_bio_PrivateKey)) {
    return Result<std::string>::failure(
        "this is a private key; a trusted key must be the public key (`openssl pkey -in KEY.pem -pubout -out "
        "KEY.pub.pem`): private keys do not belong where tables are verified");
  }
  PkeyPtr key = read_pem(pem, PEM_read_bio_PUBKEY);
  if (!key) return Result<std::string>::failure("not a PEM public key (`-----BEGIN PUBLIC KEY-----`)");
  if (!is_ed25519(key.get())) {
    return Result<std::string>::failure(
        "not an Ed25519 key; table signatures are Ed25519 (`openssl genpkey -algorithm ed25519`)");
  }
  std::string id = key_id(key.get());
  if (id.empty()) return Result<std::string>::failure("cannot compute the key id (out of memory?)");
  for (const Key& existing : keys_) {
    if (existing.id == id) return Result<std::string>::success(std::move(id));
  }
  keys_.push_back(Key{id, std::shared_ptr<EVP_PKEY>(key.release(), PkeyFree{})});
  return Result<std::string>::success(std::move(id));
}

std::vector<std::string> TrustedKeys::key_ids() const {
  std::vector<std::string> ids;
  for (const Key& key : keys_) ids.push_back(key.id);
  return ids;
}

std::string table_signer(std::string_view bytes) {
  if (!has_table_magic(bytes) || read_u32(bytes, kVersionOffset) != kSignedTableFormatVersion ||
      bytes.size() < kTableHeaderSize + kSignatureBlockSize) {
    return {};
  }
  std::string_view block = bytes.substr(bytes.size() - kSignatureBlockSize);
  if (block.substr(0, kSignatureMagic.size()) != kSignatureMagic) return {};
  return hex(block.substr(kSignatureKeyIdOffset, kSignatureKeyIdSize));
}

std::optional<std::string> TrustedKeys::check(std::string_view bytes) const {
  if (!has_table_magic(bytes)) {
    auto read = read_table(bytes);  // names what is wrong (magic, truncation)
    return read.ok() ? std::string("not an authz decision table") : read.error();
  }
  std::uint32_t version = read_u32(bytes, kVersionOffset);
  if (version == kTableFormatVersion) {
    return std::string("the table is not signed, and this host accepts only tables signed by a trusted key");
  }
  if (version != kSignedTableFormatVersion) return read_table(bytes).error();
  if (bytes.size() < kTableHeaderSize + kSignatureBlockSize) {
    return fmt::format("truncated table: a signed table needs at least {} bytes, the file has {}",
                       kTableHeaderSize + kSignatureBlockSize, bytes.size());
  }
  std::string_view block = bytes.substr(bytes.size() - kSignatureBlockSize);
  if (block.substr(0, kSignatureMagic.size()) != kSignatureMagic) {
    return std::string("corrupt table: the signature block is missing or damaged (wrong magic)");
  }
  std::uint32_t algorithm = read_u32(block, kSignatureAlgorithmOffset);
  if (algorithm != kSignatureEd25519) {
    return fmt::format("corrupt table: unknown signature algorithm {} (this runtime verifies Ed25519, 1)", algorithm);
  }
  if (keys_.empty()) return std::string("no trusted keys are configured, so no signed table is accepted");
  std::string signer = hex(block.substr(kSignatureKeyIdOffset, kSignatureKeyIdSize));
  const Key* key = nullptr;
  for (const Key& candidate : keys_) {
    if (candidate.id == signer) key = &candidate;
  }
  if (key == nullptr) return fmt::format("the table is signed by key `{}`, which is not a trusted key", signer);

  std::string message = signed_message(bytes.substr(0, kTableHeaderSize), block.substr(0, kSignatureValueOffset));
  std::string_view signature = block.substr(kSignatureValueOffset, kSignatureValueSize);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool verified = context != nullptr &&
                  EVP_DigestVerifyInit_ex(context, nullptr, nullptr, nullptr, nullptr, key->key.get(), nullptr) == 1 &&
                  EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                   reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(context);
  ERR_clear_error();
  if (!verified) {
    return fmt::format("the table's signature does not verify with key `{}`: the file was changed after it was signed",
                       signer);
  }
  return std::nullopt;
}

Result<std::string> sign_table(std::string_view bytes, std::string_view private_key_pem) {
  auto table = read_table(bytes);
  if (!table.ok()) return Result<std::string>::failure(table.error());
  if (read_u32(bytes, kVersionOffset) != kTableFormatVersion) {
    return Result<std::string>::failure("the table is already signed");
  }
  PkeyPtr key = read_pem(private_key_pem, PEM_read_bio_PrivateKey);
  if (!key) {
    return Result<std::string>::failure(
        "not an unencrypted PEM private key (`-----BEGIN PRIVATE KEY-----`; create one with `openssl genpkey "
        "-algorithm ed25519 -out KEY.pem`)");
  }
  if (!is_ed25519(key.get())) {
    return Result<std::string>::failure(
        "not an Ed25519 key; table signatures are Ed25519 (`openssl genpkey -algorithm ed25519`)");
  }
  std::string id = key_id(key.get());
  if (id.empty()) return Result<std::string>::failure("cannot compute the key id (out of memory?)");

  std::string out(bytes);
  out[kVersionOffset] = static_cast<char>(kSignedTableFormatVersion);  // little-endian u32: 2, 0, 0, 0
  std::string block;
  block += kSignatureMagic;
  for (int i = 0; i < 4; ++i) block.push_back(static_cast<char>((kSignatureEd25519 >> (8 * i)) & 0xFF));
  for (std::size_t i = 0; i < kSignatureKeyIdSize; ++i) {
    block.push_back(static_cast<char>(std::stoi(id.substr(2 * i, 2), nullptr, 16)));
  }
  std::string message = signed_message(std::string_view(out).substr(0, kTableHeaderSize), block);
  unsigned char signature[kSignatureValueSize];
  std::size_t signature_size = sizeof signature;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool signed_ok = context != nullptr &&
                   EVP_DigestSignInit_ex(context, nullptr, nullptr, nullptr, nullptr, key.get(), nullptr) == 1 &&
                   EVP_DigestSign(context, signature, &signature_size,
                                  reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1 &&
                   signature_size == kSignatureValueSize;
  EVP_MD_CTX_free(context);
  ERR_clear_error();
  if (!signed_ok) return Result<std::string>::failure("signing failed in libcrypto");
  block.append(reinterpret_cast<const char*>(signature), kSignatureValueSize);
  out += block;
  return Result<std::string>::success(std::move(out));
}

}  // namespace authz::runtime
