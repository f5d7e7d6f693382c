// jwks.cpp — see jwks.h. JWK members become EVP_PKEYs through OpenSSL 3's
// EVP_PKEY_fromdata (RSA, EC) and EVP_PKEY_new_raw_public_key (Ed25519);
// EVP_PKEY_public_check then refuses a point off the curve or a bad modulus.
#include "tools/oauth/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <simdjson.h>

#include "tools/gateway/json_duplicates.h"

namespace authz::oauth {
namespace {

namespace dom = simdjson::dom;

constexpr AlgorithmSet kRsaAlgorithms = algorithm_bit(Algorithm::RS256) | algorithm_bit(Algorithm::RS384) |
                                        algorithm_bit(Algorithm::RS512) | algorithm_bit(Algorithm::PS256) |
                                        algorithm_bit(Algorithm::PS384) | algorithm_bit(Algorithm::PS512);

struct CtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

std::optional<std::string> member_string(dom::object object, std::string_view name, bool& wrong_type) {
  dom::element value;
  if (object[name].get(value) != simdjson::SUCCESS) return std::nullopt;
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    wrong_type = true;
    return std::nullopt;
  }
  return std::string(text);
}

// A base64url member decoded, or nullopt (absent or malformed).
std::optional<std::string> member_bytes(dom::object object, std::string_view name) {
  bool wrong_type = false;
  auto text = member_string(object, name, wrong_type);
  std::string bytes;
  if (!text || !base64url_decode(*text, bytes) || bytes.empty()) return std::nullopt;
  return bytes;
}

std::shared_ptr<EVP_PKEY> adopt(EVP_PKEY* key) {
  if (!key) return nullptr;
  std::unique_ptr<EVP_PKEY_CTX, CtxDeleter> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

std::shared_ptr<EVP_PKEY> from_params(const char* type, OSSL_PARAM_BLD* builder) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(builder);
  std::unique_ptr<EVP_PKEY_CTX, CtxDeleter> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (params && ctx && EVP_PKEY_fromdata_init(ctx.get()) == 1) {
    if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  OSSL_PARAM_free(params);
  return adopt(key);
}

std::shared_ptr<EVP_PKEY> rsa_key(const std::string& n, const std::string& e) {
  BIGNUM* modulus = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr);
  BIGNUM* exponent = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  std::shared_ptr<EVP_PKEY> key;
  if (modulus && exponent && builder && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, modulus) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, exponent) == 1) {
    key = from_params("RSA", builder);
  }
  OSSL_PARAM_BLD_free(builder);
  BN_free(modulus);
  BN_free(exponent);
  return key;
}

std::shared_ptr<EVP_PKEY> ec_key(const char* group, std::size_t field, const std::string& x, const std::string& y) {
  if (x.size() != field || y.size() != field) return nullptr;
  std::string point = "\x04" + x + y;
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  std::shared_ptr<EVP_PKEY> key;
  if (builder && OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1) {
    key = from_params("EC", builder);
  }
  OSSL_PARAM_BLD_free(builder);
  return key;
}

// A key meant for verifying signatures and public only: not `oct`, `use`
// (when given) `sig`, `key_ops` (when given) holding `verify`, no private member.
bool check_public_signing_key(dom::object object, const std::string& kty, const std::optional<std::string>& use,
                              std::string& why) {
  if (kty == "oct") {
    why = "symmetric (`oct`) keys are never accepted: the gateway holds public keys only";
    return false;
  }
  if (use && *use != "sig") {
    why = "`use` is `" + *use + "`, not `sig`";
    return false;
  }
  dom::element ops;
  if (object["key_ops"].get(ops) == simdjson::SUCCESS) {
    bool verify = false;
    dom::array list;
    if (ops.get_array().get(list) == simdjson::SUCCESS) {
      for (auto op : list) {
        std::string_view name;
        if (op.get_string().get(name) == simdjson::SUCCESS && name == "verify") verify = true;
      }
    }
    if (!verify) {
      why = "`key_ops` lacks `verify`";
      return false;
    }
  }
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
    dom::element ignored;
    if (object[secret].get(ignored) == simdjson::SUCCESS) {
      why = "it holds private key material (`" + std::string(secret) + "`): publish public keys only";
      return false;
    }
  }
  return true;
}

// Each reads its key type's members into out.key and returns the algorithms
// that type verifies, or 0 with `why`.
AlgorithmSet read_rsa_key(dom::object object, Jwk& out, std::string& why) {
  auto n = member_bytes(object, "n");
  auto e = member_bytes(object, "e");
  if (!n || !e) {
    why = "an RSA key needs base64url `n` and `e`";
    return 0;
  }
  out.key = rsa_key(*n, *e);
  if (!out.key) {
    why = "OpenSSL refused its `n`/`e`";
    return 0;
  }
  if (EVP_PKEY_get_bits(out.key.get()) < 2048) {
    why = "its RSA modulus has " + std::to_string(EVP_PKEY_get_bits(out.key.get())) + " bits, under 2048";
    return 0;
  }
  return kRsaAlgorithms;
}

AlgorithmSet read_ec_key(dom::object object, Jwk& out, std::string& why) {
  const char* group = nullptr;
  std::size_t field = 0;
  Algorithm algorithm = Algorithm::ES256;
  if (out.crv == "P-256") group = "P-256", field = 32, algorithm = Algorithm::ES256;
  else if (out.crv == "P-384") group = "P-384", field = 48, algorithm = Algorithm::ES384;
  else if (out.crv == "P-521") group = "P-521", field = 66, algorithm = Algorithm::ES512;
  if (!group) {
    why = "EC curve `" + out.crv + "` is not supported (P-256, P-384, P-521)";
    return 0;
  }
  auto x = member_bytes(object, "x");
  auto y = member_bytes(object, "y");
  if (x && y) out.key = ec_key(group, field, *x, *y);
  if (!out.key) {
    why = "its `x`/`y` are not a point of " + out.crv;
    return 0;
  }
  return algorithm_bit(algorithm);
}

AlgorithmSet read_okp_key(dom::object object, Jwk& out, std::string& why) {
  if (out.crv != "Ed25519") {
    why = "OKP curve `" + out.crv + "` is not supported (Ed25519)";
    return 0;
  }
  auto x = member_bytes(object, "x");
  if (x && x->size() == 32) {
    out.key = adopt(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                reinterpret_cast<const unsigned char*>(x->data()), x->size()));
  }
  if (!out.key) {
    why = "its `x` is not a 32-byte Ed25519 public key";
    return 0;
  }
  return algorithm_bit(Algorithm::EdDSA);
}

// One JWK into `out`; false with `why` when it is not usable.
bool read_key(dom::object object, AlgorithmSet allowed, Jwk& out, std::string& why) {
  bool wrong_type = false;
  auto kty = member_string(object, "kty", wrong_type);
  auto kid = member_string(object, "kid", wrong_type);
  auto alg = member_string(object, "alg", wrong_type);
  auto use = member_string(object, "use", wrong_type);
  auto crv = member_string(object, "crv", wrong_type);
  if (wrong_type) {
    why = "a member that must be a string is not";
    return false;
  }
  out.kid = kid.value_or("");
  out.kty = kty.value_or("");
  out.crv = crv.value_or("");
  out.alg = alg.value_or("");
  if (!kty) {
    why = "no `kty`";
    return false;
  }
  if (!check_public_signing_key(object, *kty, use, why)) return false;

  AlgorithmSet by_type = 0;
  if (*kty == "RSA") {
    by_type = read_rsa_key(object, out, why);
  } else if (*kty == "EC") {
    by_type = read_ec_key(object, out, why);
  } else if (*kty == "OKP") {
    by_type = read_okp_key(object, out, why);
  } else {
    why = "key type `" + *kty + "` is not supported";
    return false;
  }
  if (!by_type) return false;

  AlgorithmSet bound = by_type;
  if (alg) {
    auto algorithm = algorithm_from_name(*alg);
    if (!algorithm || !(by_type & algorithm_bit(*algorithm))) {
      why = "its `alg` `" + *alg + "` does not fit a " + *kty + (out.crv.empty() ? "" : " " + out.crv) + " key";
      return false;
    }
    bound = algorithm_bit(*algorithm);
  }
  out.algorithms = bound & allowed;
  if (!out.algorithms) {
    why = "none of its algorithms is in the allow-list";
    return false;
  }
  return true;
}

}  // namespace

runtime::Result<KeySet> KeySet::parse(std::string_view json, AlgorithmSet allowed) {
  dom::parser parser;
  dom::element root;
  if (auto code = parser.parse(json.data(), json.size()).get(root)) {
    return runtime::Result<KeySet>::failure(std::string("the key set is not JSON: ") + simdjson::error_message(code));
  }
  std::vector<std::string_view> scratch;
  std::string_view duplicate;
  if (gateway::find_duplicate_key(root, scratch, duplicate)) {
    return runtime::Result<KeySet>::failure("the key set has the key `" + std::string(duplicate) + "` twice in one object");
  }
  dom::array keys;
  if (root["keys"].get_array().get(keys) != simdjson::SUCCESS) {
    return runtime::Result<KeySet>::failure("a key set is a JSON object `{\"keys\": [...]}`");
  }
  KeySet set;
  std::size_t index = 0;
  for (dom::element element : keys) {
    dom::object object;
    Jwk key;
    std::string why;
    if (element.get_object().get(object) != simdjson::SUCCESS) {
      why = "it is not a JSON object";
    } else if (read_key(object, allowed, key, why)) {
      set.keys_.push_back(std::move(key));
      ++index;
      continue;
    }
    ERR_clear_error();
    set.skipped_.push_back("key " + std::to_string(index) + (key.kid.empty() ? "" : " (kid `" + key.kid + "`)") +
                           " skipped: " + why);
    ++index;
  }
  if (set.keys_.empty()) {
    std::string message = "the key set has no usable signature key";
    if (!set.skipped_.empty()) message += " (" + set.skipped_.front() + ")";
    return runtime::Result<KeySet>::failure(message);
  }
  return runtime::Result<KeySet>::success(std::move(set));
}

runtime::Result<KeySet> KeySet::load_file(const std::string& path, AlgorithmSet allowed) {
  simdjson::padded_string bytes;
  if (auto code = simdjson::padded_string::load(path).get(bytes)) {
    return runtime::Result<KeySet>::failure("cannot read the key set `" + path + "`: " + simdjson::error_message(code));
  }
  auto set = parse(std::string_view(bytes.data(), bytes.size()), allowed);
  if (!set.ok()) return runtime::Result<KeySet>::failure("`" + path + "`: " + set.error());
  return set;
}

KeyLookup KeySet::select(std::optional<std::string_view> kid, Algorithm algorithm, const Jwk*& out) const {
  out = nullptr;
  AlgorithmSet wanted = algorithm_bit(algorithm);
  if (kid) {
    bool named = false;
    for (const Jwk& key : keys_) {
      if (key.kid != *kid) continue;
      named = true;
      if (key.algorithms & wanted) {
        out = &key;
        return KeyLookup::Found;
      }
    }
    return named ? KeyLookup::AlgorithmMismatch : KeyLookup::UnknownKid;
  }
  for (const Jwk& key : keys_) {
    if (!(key.algorithms & wanted)) continue;
    if (out) {
      out = nullptr;
      return KeyLookup::NoKidAmbiguous;
    }
    out = &key;
  }
  return out ? KeyLookup::Found : KeyLookup::NoKey;
}

JwksRefresher::JwksRefresher(Fetch fetch, Install install, AlgorithmSet allowed, std::int64_t min_interval_s)
    : fetch_(std::move(fetch)), install_(std::move(install)), allowed_(allowed), min_interval_s_(min_interval_s) {}

JwksRefresher::Outcome JwksRefresher::refresh_if_allowed(std::int64_t now_s, std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (last_attempt_s_ && now_s - *last_attempt_s_ < min_interval_s_) return Outcome::RateLimited;
  last_attempt_s_ = now_s;
  ++fetches_;
  auto bytes = fetch_(error);
  if (!bytes) {
    if (error.empty()) error = "the key set could not be fetched";
    return Outcome::Failed;
  }
  auto set = KeySet::parse(*bytes, allowed_);
  if (!set.ok()) {
    error = set.error();
    return Outcome::Failed;  // the old set stays
  }
  install_(std::make_shared<const KeySet>(std::move(set.value())));
  return Outcome::Refreshed;
}

std::uint64_t JwksRefresher::fetches() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return fetches_;
}

}  // namespace authz::oauth
