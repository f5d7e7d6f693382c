// fuzz_jwt.cpp — feeds bytes to the bearer-token verifier (tools/oauth) as the
// HTTP front will: an input without a 0x1e byte is one bearer token, checked
// by a TokenVerifier over a fixed key set (RSA 2048, P-256, Ed25519 public
// keys of fuzz_jwt_keys.h; examples/sales's principal, a required scope) at a
// fixed clock; an input `JWKS 0x1e TOKEN` is a key set document parsed by
// KeySet::parse and, when it has a usable key, the token checked against it.
// Asserts:
//   - nothing throws; each verification checks at most one signature (one
//     key, never several tried) and none for a token over the size limit,
//     and takes under kMaxCallSeconds (libFuzzer's -timeout is the backstop);
//   - a token is accepted only when its `header.payload` is one this target
//     signed itself with one of its private keys (init, below): mutation
//     cannot forge a signature, so anything else accepted is a forgery or a
//     degenerate key accepted into a fuzzed set; the token names the key and
//     algorithm that signed it;
//   - an outcome is exactly one of accepted / refused; a refusal has an HTTP
//     status of 400, 401 or 403, a description of at most 512 bytes that
//     never quotes the token (checked for tokens of 256 bytes and more), and
//     a `WWW-Authenticate` challenge of printable ASCII only (no CR/LF: no
//     header injection from token bytes); the same token again is the same
//     outcome, from the cache when accepted;
//   - a parsed key set keeps only keys with a supported kty, no `oct`, and a
//     non-empty algorithm set within the allow-list and the key's type.
// Seeds: AUTHZ_FUZZ_JWT_SEEDS=DIR makes the target write its signed tokens
// (valid ones and ones each claim check refuses) and its key set plus a
// token, one file each, into DIR and exit (scripts/fuzz.sh does this each
// run); fuzz/corpus/jwt holds hand-made hostile ones (`alg: none`, HS256
// with the public key as secret, key sets with private or symmetric keys).
#include <openssl/bio.h>
#include <openssl/pem.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_jwt_keys.h"
#include "fuzz/fuzz_support.h"
#include "tests/unit/oauth_test_keys.h"
#include "tools/oauth/auth_error.h"
#include "tools/oauth/token_verifier.h"

namespace oa = authz::oauth;
namespace at = authz::testing;

namespace {

constexpr std::int64_t kNow = 1800000000;  // 2027-01-15T08:00:00Z
constexpr double kMaxCallSeconds = 3.0;
constexpr std::size_t kMaxDescription = 512;
constexpr const char* kIssuer = "https://idp.example";
constexpr const char* kResource = "https://gateway.example/mcp";

at::TestKey key_from_pem(const char* pem, const char* kid, const char* alg) {
  BIO* bio = BIO_new_mem_buf(pem, -1);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) {
    std::fprintf(stderr, "fuzz_jwt: a fixed test key does not load\n");
    std::abort();
  }
  return at::TestKey{at::adopt_key(key), kid, alg};
}

struct Fixture {
  std::vector<at::TestKey> keys;
  std::string jwks;
  std::set<std::string> signed_inputs;  // every header.payload this target signed
  std::vector<std::string> tokens;      // the seeds
  std::unique_ptr<oa::TokenVerifier> verifier;
};

oa::OAuthConfig config() {
  oa::OAuthConfig c;
  c.issuers = {kIssuer};
  c.resource = kResource;
  c.required_scopes = {"mcp:tools"};
  c.max_token_bytes = 4096;
  c.principal.attributes = {{"manages", "ext.teams"}};
  return c;
}

std::unique_ptr<oa::TokenVerifier> make_verifier(std::shared_ptr<const oa::KeySet> keys) {
  auto made = oa::TokenVerifier::create(config(), std::move(keys), &authz::fuzz::fixture_engine().model());
  if (!made.ok()) {
    std::fprintf(stderr, "fuzz_jwt: the verifier does not build: %s\n", made.error().c_str());
    std::abort();
  }
  return std::move(made.value());
}

std::string claims(std::string_view extra, std::int64_t exp = kNow + 3600) {
  return std::string(R"({"iss":")") + kIssuer + R"(","aud":")" + kResource + R"(","sub":"u-bob","exp":)" +
         std::to_string(exp) + R"(,"iat":)" + std::to_string(kNow - 60) +
         R"(,"jti":"t-1","azp":"client","scope":"mcp:tools","roles":["rep"],"ext":{"teams":["east"]})" +
         std::string(extra) + "}";
}

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    out.keys.push_back(key_from_pem(authz::fuzz::kRsaTestKeyPem, "rsa-1", "RS256"));
    out.keys.push_back(key_from_pem(authz::fuzz::kEcTestKeyPem, "ec-1", "ES256"));
    out.keys.push_back(key_from_pem(authz::fuzz::kEd25519TestKeyPem, "ed-1", "EdDSA"));
    out.jwks = at::jwks_of({&out.keys[0], &out.keys[1], &out.keys[2]});
    // Payloads: valid, then one per claim check (the verifier refuses each
    // after the signature verifies, so the fuzzer starts past it).
    const std::string valid = claims("");
    const std::vector<std::string> payloads = {
        valid,
        claims(R"(,"nbf":1799999000)"),
        R"({"iss":"https://idp.example","aud":["x","https://gateway.example/mcp"],"sub":"u-ann","exp":1800003600.5,"scope":["mcp:tools","a"],"roles":"rep manager","ext":{"teams":[]}})",
        claims("", kNow - 3600),                                           // expired
        claims(R"(,"nbf":1800009999)"),                                   // not yet valid
        R"({"iss":"https://evil.example","aud":"https://gateway.example/mcp","sub":"u","exp":1800003600,"scope":"mcp:tools","ext":{"teams":[]}})",
        R"({"iss":"https://idp.example","aud":"https://other.example","sub":"u","exp":1800003600,"scope":"mcp:tools","ext":{"teams":[]}})",
        R"({"iss":"https://idp.example","aud":"https://gateway.example/mcp","sub":"u","exp":1800003600,"scope":"read","ext":{"teams":[]}})",
        R"({"iss":"https://idp.example","aud":"https://gateway.example/mcp","sub":"u","exp":1800003600,"scope":"mcp:tools","ext":{"teams":"east"}})",
        R"({"iss":"https://idp.example","aud":"https://gateway.example/mcp","sub":7,"exp":1800003600,"scope":"mcp:tools","ext":{"teams":[]}})",
        R"({"iss":"https://idp.example","aud":"https://gateway.example/mcp","sub":"u","sub":"v","exp":1800003600,"scope":"mcp:tools","ext":{"teams":[]}})",
        R"({"iss":"https://idp.example","aud":"https://gateway.example/mcp","sub":"u","exp":"soon","scope":"mcp:tools","ext":{"teams":[]}})",
    };
    for (const auto& key : out.keys) {
      const std::vector<std::string> headers = {
          at::header_for(key),
          R"({"alg":")" + key.alg + R"("})",                       // no kid: the one key for the algorithm
          R"({"alg":")" + key.alg + R"(","typ":"JWT","kid":")" + key.kid + R"("})",
          R"({"alg":")" + key.alg + R"(","kid":")" + key.kid + R"(","crit":["exp"]})",
      };
      for (const auto& header : headers) {
        for (const auto& payload : payloads) {
          std::string token = at::sign_jws(key, header, payload);
          out.signed_inputs.insert(token.substr(0, token.rfind('.')));
          out.tokens.push_back(std::move(token));
        }
      }
    }
    auto keys = oa::KeySet::parse(out.jwks);
    if (!keys.ok() || keys.value().keys().size() != 3) {
      std::fprintf(stderr, "fuzz_jwt: the fixed key set does not parse\n");
      std::abort();
    }
    out.verifier = make_verifier(std::make_shared<const oa::KeySet>(std::move(keys.value())));
    return out;
  }();
  return f;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool printable_ascii(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

void check_key_set(const oa::KeySet& set) {
  FUZZ_REQUIRE(!set.keys().empty());
  for (const oa::Jwk& key : set.keys()) {
    FUZZ_REQUIRE(key.key != nullptr);
    FUZZ_REQUIRE(key.algorithms != 0 && (key.algorithms & ~oa::kAllAlgorithms) == 0);
    FUZZ_REQUIRE(key.kty == "RSA" || key.kty == "EC" || key.kty == "OKP");
    for (int i = 0; i < oa::kAlgorithmCount; ++i) {
      if (!(key.algorithms & (1u << i))) continue;
      const std::string name = oa::algorithm_name(static_cast<oa::Algorithm>(i));
      if (key.kty == "RSA") FUZZ_REQUIRE(name[0] == 'R' || name[0] == 'P');
      if (key.kty == "EC") FUZZ_REQUIRE(name[0] == 'E' && name != "EdDSA");
      if (key.kty == "OKP") FUZZ_REQUIRE(name == "EdDSA");
    }
  }
}

// `fixed_keys`: verified against the target's own key set (whose kids it knows).
void check_outcome(const oa::VerifyOutcome& outcome, std::string_view token, bool fixed_keys) {
  FUZZ_REQUIRE((outcome.token != nullptr) != outcome.error.has_value());
  if (outcome.token) {
    const std::string_view input = token.substr(0, token.rfind('.'));
    if (!fixture().signed_inputs.count(std::string(input))) {
      std::fprintf(stderr, "accepted a token this target never signed: %.*s\n", static_cast<int>(token.size()), token.data());
      FUZZ_REQUIRE(!"a token was accepted without a signature from one of the target's keys");
    }
    if (fixed_keys) {
      const std::string& kid = outcome.token->kid;
      FUZZ_REQUIRE(kid == "rsa-1" || kid == "ec-1" || kid == "ed-1");
      FUZZ_REQUIRE(outcome.token->algorithm == (kid == "rsa-1" ? "RS256" : kid == "ec-1" ? "ES256" : "EdDSA"));
    }
    FUZZ_REQUIRE(!outcome.token->principal.id.empty());
    return;
  }
  const oa::AuthError& error = *outcome.error;
  FUZZ_REQUIRE(!error.description.empty());
  const int status = error.http_status();
  FUZZ_REQUIRE(status == 400 || status == 401 || status == 403);
  // Descriptions quote at most short fragments (a kid, an issuer: <= 128
  // bytes) in fixed text, so they stay short and a long token cannot be in
  // one unless the verifier echoed it. (Short tokens can: the fuzzer found
  // that the token `en is not a compact J` is in its own refusal.)
  FUZZ_REQUIRE(error.description.size() <= kMaxDescription);
  if (token.size() >= kMaxDescription / 2) FUZZ_REQUIRE(error.description.find(token) == std::string::npos);
  const std::string challenge = oa::www_authenticate(
      {"authz", "https://gateway.example/.well-known/oauth-protected-resource/mcp", &error});
  if (!printable_ascii(challenge)) std::fprintf(stderr, "challenge: %s\n", challenge.c_str());
  FUZZ_REQUIRE(printable_ascii(challenge));
}

void verify_twice(oa::TokenVerifier& verifier, std::string_view token, bool fixed_keys) {
  verifier.cache().clear();
  const std::uint64_t checks = verifier.signature_checks();
  auto start = std::chrono::steady_clock::now();
  const oa::VerifyOutcome first = verifier.verify(token, kNow);
  FUZZ_REQUIRE(seconds_since(start) < kMaxCallSeconds);
  const std::uint64_t done = verifier.signature_checks() - checks;
  FUZZ_REQUIRE(done <= 1);
  if (token.size() > verifier.config().max_token_bytes) FUZZ_REQUIRE(done == 0 && first.error);
  check_outcome(first, token, fixed_keys);

  const oa::VerifyOutcome again = verifier.verify(token, kNow);
  check_outcome(again, token, fixed_keys);
  FUZZ_REQUIRE((again.token != nullptr) == (first.token != nullptr));
  if (first.token) {
    FUZZ_REQUIRE(again.cached && again.token == first.token);
  } else {
    FUZZ_REQUIRE(again.error->code == first.error->code && again.error->description == first.error->description);
  }
}

void write_seeds(const char* dir) {
  const Fixture& f = fixture();
  int n = 0;
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream out(std::string(dir) + "/" + name, std::ios::binary);
    out << bytes;
    if (!out) {
      std::fprintf(stderr, "fuzz_jwt: cannot write seeds into `%s`\n", dir);
      std::exit(2);
    }
  };
  int accepted = 0;
  for (const std::string& token : f.tokens) {
    write("signed-" + std::to_string(n++), token);
    f.verifier->cache().clear();
    accepted += f.verifier->verify(token, kNow).token != nullptr;
  }
  // 3 keys x 3 valid payloads x 3 headers (at+jwt, no kid, typ JWT; not crit):
  // anything else means the seeds no longer exercise what they were made for.
  std::fprintf(stderr, "fuzz_jwt: %d seeds, %d of them accepted\n", n, accepted);
  if (accepted != 3 * 3 * 3) std::exit(1);
  write("jwks-and-token", f.jwks + "\x1e" + f.tokens.front());
  write("jwks-one-key", "{\"keys\":[" + f.keys[1].jwk() + "]}\x1e" + f.tokens[f.tokens.size() / 3]);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("AUTHZ_FUZZ_JWT_SEEDS")) {
    write_seeds(dir);
    std::exit(0);
  }
  fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    const std::size_t separator = input.find('\x1e');
    if (separator == std::string_view::npos) {
      verify_twice(*fixture().verifier, input, true);
      return 0;
    }
    const std::string_view jwks = input.substr(0, separator), token = input.substr(separator + 1);
    auto start = std::chrono::steady_clock::now();
    auto keys = oa::KeySet::parse(jwks, oa::kAllAlgorithms);
    FUZZ_REQUIRE(seconds_since(start) < kMaxCallSeconds);
    if (!keys.ok()) {
      FUZZ_REQUIRE(!keys.error().empty());
      return 0;
    }
    check_key_set(keys.value());
    auto verifier = make_verifier(std::make_shared<const oa::KeySet>(std::move(keys.value())));
    verify_twice(*verifier, token, false);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "threw: %s\n", e.what());
    FUZZ_REQUIRE(!"the verifier threw");
  }
  return 0;
}
