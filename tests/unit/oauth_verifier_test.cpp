// oauth_verifier_test.cpp — tools/oauth: bearer tokens signed at test time
// with real RSA 2048, EC P-256 and Ed25519 keys, verified against a JWKS,
// mapped to principals, cached; hostile tokens refused with RFC 6750 codes.
#include <catch2/catch.hpp>

#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <map>
#include <thread>

#include "compiled_policy_for_tests.h"
#include "oauth_test_keys.h"
#include "tools/oauth/auth_error.h"
#include "tools/oauth/jwks.h"
#include "tools/oauth/token_verifier.h"

namespace {

using namespace authz;
using namespace authz::oauth;
using authz::testing::b64url;
using authz::testing::header_for;
using authz::testing::sign_jws;
using authz::testing::TestKey;

constexpr std::int64_t kNow = 1800000000;
constexpr const char* kIssuer = "https://idp.example";
constexpr const char* kResource = "https://gateway.example/mcp";

const TestKey& rsa() {
  static const TestKey key = authz::testing::make_rsa("rsa-1");
  return key;
}
const TestKey& ec() {
  static const TestKey key = authz::testing::make_ec("ec-1");
  return key;
}
const TestKey& ed() {
  static const TestKey key = authz::testing::make_ed25519("ed-1");
  return key;
}

const runtime::Engine& policy() {
  static const runtime::Engine engine = authz::testing::compile_policy_text(R"(
policy oauth_unit;
/// A user.
principal User { department: String, clearance: Int?, teams: Set<String>?, verified: Bool? }
/// Reads.
role viewer;
/// Writes.
role editor : viewer;
/// Reads a document.
tool read_doc(id: String) read;
/// Viewers read.
allow viewers_read: viewer may read_doc;
)");
  return engine;
}

// Claim name -> raw JSON value; an empty value removes the claim.
using Claims = std::map<std::string, std::string>;

std::string payload(const Claims& changes = {}) {
  Claims claims = {{"iss", "\"https://idp.example\""},
                   {"aud", "\"https://gateway.example/mcp\""},
                   {"sub", "\"alice\""},
                   {"exp", std::to_string(kNow + 600)},
                   {"iat", std::to_string(kNow - 10)},
                   {"roles", "[\"editor\"]"},
                   {"department", "\"sales\""},
                   {"scope", "\"mcp:tools mcp:read\""},
                   {"azp", "\"client-7\""},
                   {"jti", "\"tok-1\""}};
  for (const auto& [name, value] : changes) {
    if (value.empty()) claims.erase(name);
    else claims[name] = value;
  }
  std::string out = "{";
  for (const auto& [name, value] : claims) out += (out.size() > 1 ? ",\"" : "\"") + name + "\":" + value;
  return out + "}";
}

OAuthConfig base_config() {
  OAuthConfig config;
  config.issuers = {kIssuer};
  config.resource = kResource;
  config.principal.attributes = {{"department", "department"}, {"clearance", "ext.clearance"}};
  return config;
}

std::unique_ptr<TokenVerifier> make_verifier(OAuthConfig config = base_config(), std::string jwks = "") {
  if (jwks.empty()) jwks = authz::testing::jwks_of({&rsa(), &ec(), &ed()});
  auto keys = KeySet::parse(jwks);
  INFO((keys.ok() ? std::string() : keys.error()));
  REQUIRE(keys.ok());
  auto verifier = TokenVerifier::create(std::move(config), std::make_shared<const KeySet>(std::move(keys.value())),
                                        &policy().model());
  INFO((verifier.ok() ? std::string() : verifier.error()));
  REQUIRE(verifier.ok());
  return std::move(verifier.value());
}

std::string refusal(TokenVerifier& verifier, const std::string& token, std::int64_t now = kNow) {
  VerifyOutcome outcome = verifier.verify(token, now);
  if (!outcome.error) return "accepted";
  return std::string(error_code_name(outcome.error->code)) + ": " + outcome.error->description;
}

std::string rsa_token(const Claims& changes = {}) { return sign_jws(rsa(), header_for(rsa()), payload(changes)); }

}  // namespace

TEST_CASE("oauth: a valid token of each key type maps to the principal", "[oauth]") {
  auto verifier = make_verifier();
  for (const TestKey* key : {&rsa(), &ec(), &ed()}) {
    INFO(key->alg);
    VerifyOutcome outcome = verifier->verify(sign_jws(*key, header_for(*key), payload({{"ext", "{\"clearance\":2}"}})), kNow);
    REQUIRE_FALSE(outcome.error);
    const VerifiedToken& token = *outcome.token;
    CHECK(token.principal.id == "alice");
    CHECK(token.principal.roles == std::vector<std::string>{"editor"});
    CHECK(token.principal.attributes_json == R"({"department":"sales","clearance":2})");
    CHECK(token.issuer == kIssuer);
    CHECK(token.client_id == "client-7");
    CHECK(token.jti == "tok-1");
    CHECK(token.scopes == std::vector<std::string>{"mcp:tools", "mcp:read"});
    CHECK(token.kid == key->kid);
    CHECK(token.algorithm == key->alg);
    CHECK(token.expires_at_s == kNow + 600);
  }
  // client_id (RFC 9068) when there is no azp.
  auto token = verifier->verify(rsa_token({{"azp", ""}, {"client_id", "\"client-9\""}}), kNow);
  REQUIRE(token.token);
  CHECK(token.token->client_id == "client-9");
}

TEST_CASE("oauth: a PS256 token verifies with an RSA key that has no alg", "[oauth]") {
  TestKey key = authz::testing::make_rsa("rsa-ps", "PS256");
  key.jwk_alg = false;
  auto verifier = make_verifier(base_config(), authz::testing::jwks_of({&key}));
  CHECK(refusal(*verifier, sign_jws(key, header_for(key), payload())) == "accepted");
  // The same key, same kid, RS256: allowed by its type too.
  CHECK(refusal(*verifier, sign_jws(key, R"({"alg":"RS256","kid":"rsa-ps"})", payload(), "RS256")) == "accepted");
}

TEST_CASE("oauth: exp, nbf and iat with the clock skew, to the second", "[oauth]") {
  auto verifier = make_verifier();
  // Valid while now < exp + skew (60 s).
  CHECK(refusal(*verifier, rsa_token({{"exp", std::to_string(kNow - 59)}})) == "accepted");
  CHECK(refusal(*verifier, rsa_token({{"exp", std::to_string(kNow - 60)}})) == "invalid_token: the token expired");
  CHECK(refusal(*verifier, rsa_token({{"exp", std::to_string(kNow - 61)}})) == "invalid_token: the token expired");
  // A fraction never lengthens a token's life.
  CHECK(refusal(*verifier, rsa_token({{"exp", std::to_string(kNow - 60) + ".9"}})) == "invalid_token: the token expired");
  // Valid once now >= nbf - skew.
  CHECK(refusal(*verifier, rsa_token({{"nbf", std::to_string(kNow + 60)}})) == "accepted");
  CHECK(refusal(*verifier, rsa_token({{"nbf", std::to_string(kNow + 61)}})) ==
        "invalid_token: the token is not valid yet (`nbf`)");
  CHECK(refusal(*verifier, rsa_token({{"iat", std::to_string(kNow + 61)}})) ==
        "invalid_token: the token was issued in the future (`iat`)");
  CHECK(refusal(*verifier, rsa_token({{"exp", ""}})) == "invalid_token: the token has no `exp`");
  CHECK(refusal(*verifier, rsa_token({{"exp", "\"tomorrow\""}})) == "invalid_token: the token's `exp` is not a number");
  // No skew configured: exactly at exp is expired.
  OAuthConfig strict = base_config();
  strict.clock_skew_s = 0;
  auto no_skew = make_verifier(strict);
  CHECK(refusal(*no_skew, rsa_token({{"exp", std::to_string(kNow + 1)}})) == "accepted");
  CHECK(refusal(*no_skew, rsa_token({{"exp", std::to_string(kNow)}})) == "invalid_token: the token expired");
  // The refusal says why in a flag (the HTTP front's metrics cause), not only in words.
  CHECK(verifier->verify(rsa_token({{"exp", std::to_string(kNow - 61)}}), kNow).expired);
  CHECK_FALSE(verifier->verify(rsa_token({{"nbf", std::to_string(kNow + 61)}}), kNow).expired);
}

TEST_CASE("oauth: audience and issuer", "[oauth]") {
  auto verifier = make_verifier();
  CHECK(refusal(*verifier, rsa_token({{"aud", "\"https://other.example/mcp\""}})) ==
        "invalid_token: the token is not for this resource (`aud` lacks `https://gateway.example/mcp`)");
  CHECK(refusal(*verifier, rsa_token({{"aud", R"(["https://other.example","https://gateway.example/mcp"])"}})) == "accepted");
  CHECK(refusal(*verifier, rsa_token({{"aud", R"(["https://other.example"])"}})).find("not for this resource") != std::string::npos);
  CHECK(refusal(*verifier, rsa_token({{"aud", R"(["https://gateway.example/mcp", 7])"}})) ==
        "invalid_token: the token's `aud` holds a non-string");
  CHECK(refusal(*verifier, rsa_token({{"aud", ""}})) == "invalid_token: the token has no `aud`");
  // A prefix or a trailing slash is another resource.
  CHECK(refusal(*verifier, rsa_token({{"aud", "\"https://gateway.example/mcp/\""}})) != "accepted");
  CHECK(refusal(*verifier, rsa_token({{"iss", "\"https://evil.example\""}})) ==
        "invalid_token: the token's issuer `https://evil.example` is not trusted");
  CHECK(refusal(*verifier, rsa_token({{"iss", "\"https://idp.example/\""}})) != "accepted");
  CHECK(refusal(*verifier, rsa_token({{"iss", ""}})) == "invalid_token: the token has no `iss`");
}

TEST_CASE("oauth: alg none and HS256 signed with the RSA public key are refused", "[oauth]") {
  auto verifier = make_verifier();
  std::string body = b64url(payload());
  CHECK(refusal(*verifier, b64url(R"({"alg":"none"})") + "." + body + ".") ==
        "invalid_token: the token is not a compact JWS (header.payload.signature)");
  CHECK(refusal(*verifier, b64url(R"({"alg":"none","kid":"rsa-1"})") + "." + body + ".AAAA") ==
        "invalid_token: the algorithm `none` is never accepted");
  CHECK(refusal(*verifier, b64url(R"({"alg":"NONE"})") + "." + body + ".AAAA") ==
        "invalid_token: the algorithm `none` is never accepted");

  // The classic confusion: HMAC keyed with the bytes of the RSA public key.
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PUBKEY(bio, rsa().pkey.get()) == 1);
  char* pem_data = nullptr;
  long pem_size = BIO_get_mem_data(bio, &pem_data);
  std::string pem(pem_data, static_cast<std::size_t>(pem_size));
  BIO_free(bio);
  std::string input = b64url(R"({"alg":"HS256","kid":"rsa-1"})") + "." + body;
  unsigned char mac[32];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), pem.data(), static_cast<int>(pem.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &mac_size);
  std::string token = input + "." + b64url(std::string(reinterpret_cast<char*>(mac), mac_size));
  CHECK(refusal(*verifier, token) == "invalid_token: the symmetric algorithm `HS256` is never accepted");
  CHECK(verifier->signature_checks() == 0);
}

TEST_CASE("oauth: keys are bound to their algorithms", "[oauth]") {
  auto verifier = make_verifier();
  // An ES256 header naming the RSA key: never tried.
  CHECK(refusal(*verifier, sign_jws(ec(), R"({"alg":"ES256","kid":"rsa-1"})", payload())) ==
        "invalid_token: the key `rsa-1` may not verify `ES256`");
  // The RSA key's JWK says RS256: PS256 is refused even though the type fits.
  TestKey ps = rsa();
  ps.alg = "PS256";
  CHECK(refusal(*verifier, sign_jws(ps, R"({"alg":"PS256","kid":"rsa-1"})", payload())) ==
        "invalid_token: the key `rsa-1` may not verify `PS256`");
  // EdDSA claimed for the EC key.
  CHECK(refusal(*verifier, sign_jws(ed(), R"({"alg":"EdDSA","kid":"ec-1"})", payload())) ==
        "invalid_token: the key `ec-1` may not verify `EdDSA`");
  // The allow-list excludes an algorithm: refused before any key.
  OAuthConfig only_es = base_config();
  only_es.algorithms = {"ES256"};
  auto es_only = make_verifier(only_es, authz::testing::jwks_of({&ec(), &ed()}));
  CHECK(refusal(*es_only, sign_jws(ed(), header_for(ed()), payload())) == "invalid_token: the algorithm `EdDSA` is not allowed");
  CHECK(refusal(*es_only, sign_jws(ec(), header_for(ec()), payload())) == "accepted");
  CHECK(verifier->signature_checks() == 0);
}

TEST_CASE("oauth: unknown kid, missing kid", "[oauth]") {
  auto verifier = make_verifier();
  TestKey stranger = authz::testing::make_ec("ec-2");
  VerifyOutcome outcome = verifier->verify(sign_jws(stranger, header_for(stranger), payload()), kNow);
  REQUIRE(outcome.error);
  CHECK(outcome.unknown_kid);
  CHECK(outcome.error->description == "no key `ec-2` in the key set");
  // No kid, one key for the algorithm: that key.
  CHECK(refusal(*verifier, sign_jws(ec(), R"({"alg":"ES256"})", payload())) == "accepted");
  // No kid, two keys for the algorithm: refused, not tried in turn.
  auto two = make_verifier(base_config(), authz::testing::jwks_of({&ec(), &stranger}));
  CHECK(refusal(*two, sign_jws(ec(), R"({"alg":"ES256"})", payload())) ==
        "invalid_token: the token has no `kid` and several keys could verify `ES256`");
  CHECK_FALSE(two->verify(sign_jws(ec(), R"({"alg":"ES256"})", payload()), kNow).unknown_kid);
}

TEST_CASE("oauth: tampered payload and signature; malformed signatures", "[oauth]") {
  auto verifier = make_verifier();
  std::string token = rsa_token();
  std::string forged_payload = b64url(payload({{"sub", "\"mallory\""}}));
  std::size_t first = token.find('.'), second = token.rfind('.');
  std::string tampered = token.substr(0, first + 1) + forged_payload + token.substr(second);
  CHECK(refusal(*verifier, tampered) == "invalid_token: the token's signature does not verify");
  std::string flipped = token;
  flipped[second + 5] = flipped[second + 5] == 'A' ? 'B' : 'A';
  CHECK(refusal(*verifier, flipped) == "invalid_token: the token's signature does not verify");
  CHECK(verifier->verify(flipped, kNow).bad_signature);
  CHECK_FALSE(verifier->verify(flipped, kNow).expired);
  CHECK(refusal(*verifier, token.substr(0, second) + ".!!!!") == "invalid_token: the token's signature is not base64url");

  // ES256: the raw r||s must be exactly 64 bytes.
  std::string es = sign_jws(ec(), header_for(ec()), payload());
  std::size_t es_dot = es.rfind('.');
  std::string raw;
  REQUIRE(base64url_decode(es.substr(es_dot + 1), raw));
  REQUIRE(raw.size() == 64);
  CHECK(refusal(*verifier, es) == "accepted");
  CHECK(refusal(*verifier, es.substr(0, es_dot + 1) + b64url(raw.substr(0, 63))) ==
        "invalid_token: the token's signature does not verify");
  CHECK(refusal(*verifier, es.substr(0, es_dot + 1) + b64url(raw + '\0')) ==
        "invalid_token: the token's signature does not verify");
  // A DER signature where JOSE wants raw: refused.
  std::string input = es.substr(0, es_dot);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, ec().pkey.get()) == 1);
  std::size_t size = 0;
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1);
  std::string der(size, '\0');
  REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &size,
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1);
  der.resize(size);
  CHECK(refusal(*verifier, input + "." + b64url(der)) == "invalid_token: the token's signature does not verify");
}

TEST_CASE("oauth: framing, size, duplicate keys and header members", "[oauth]") {
  auto verifier = make_verifier();
  CHECK(refusal(*verifier, "") == "invalid_token: the token is empty");
  CHECK(refusal(*verifier, std::string(9000, 'a')) == "invalid_token: the token is 9000 bytes, over the limit of 8192");
  CHECK(refusal(*verifier, rsa_token({{"pad", "\"" + std::string(9000, 'x') + "\""}})).find("over the limit") != std::string::npos);
  CHECK(refusal(*verifier, "a.b.c.d.e") == "invalid_token: the token is not a compact JWS (header.payload.signature)");
  // Padding and the standard alphabet are not base64url.
  std::string token = rsa_token();
  CHECK(refusal(*verifier, token.substr(0, token.find('.')) + "=" + token.substr(token.find('.'))) ==
        "invalid_token: the token's header is not base64url");
  // Duplicate keys, signed (the signature is valid: the JSON is what is refused).
  CHECK(refusal(*verifier, sign_jws(rsa(), R"({"alg":"RS256","kid":"rsa-1","kid":"rsa-1"})", payload())) ==
        "invalid_token: the token's header has the key `kid` twice");
  std::string doubled = payload();
  doubled.insert(1, "\"sub\":\"admin\",");
  CHECK(refusal(*verifier, sign_jws(rsa(), header_for(rsa()), doubled)) == "invalid_token: the token's payload has the key `sub` twice");
  CHECK(refusal(*verifier, sign_jws(rsa(), header_for(rsa()), payload({{"ext", R"({"a":1,"\u0061":2})"}}))) ==
        "invalid_token: the token's payload has the key `a` twice");
  CHECK(refusal(*verifier, sign_jws(rsa(), R"({"alg":"RS256","kid":"rsa-1","crit":["exp"]})", payload())) ==
        "invalid_token: the token's header has `crit`: no extension is understood");
  CHECK(refusal(*verifier, sign_jws(rsa(), R"({"alg":"RS256","kid":"rsa-1","cty":"JWT"})", payload())) ==
        "invalid_token: the token's header has `cty`: nested tokens are not accepted");
  CHECK(refusal(*verifier, sign_jws(rsa(), R"({"alg":"RS256","kid":"rsa-1","typ":"id_token+jwt"})", payload())) ==
        "invalid_token: the token's type `id_token+jwt` is not an access token (`at+jwt`)");
  CHECK(refusal(*verifier, sign_jws(rsa(), R"({"alg":"RS256","kid":"rsa-1","typ":"JWT"})", payload())) == "accepted");
  CHECK(refusal(*verifier, sign_jws(rsa(), R"({"alg":"RS256","kid":"rsa-1"})", payload())) == "accepted");
  CHECK(refusal(*verifier, sign_jws(rsa(), "[1]", payload())) == "invalid_token: the token's header is not a JSON object");
  CHECK(refusal(*verifier, sign_jws(rsa(), header_for(rsa()), "[1]")) == "invalid_token: the token's payload is not a JSON object");
  CHECK(refusal(*verifier, sign_jws(rsa(), header_for(rsa()), "{\"sub\":")) == "invalid_token: the token's payload is not JSON");
  OAuthConfig strict = base_config();
  strict.accept_jwt_typ = false;
  auto at_only = make_verifier(strict);
  CHECK(refusal(*at_only, sign_jws(rsa(), R"({"alg":"RS256","kid":"rsa-1","typ":"JWT"})", payload())) ==
        "invalid_token: the token's type `JWT` is not an access token (`at+jwt`)");
  CHECK(refusal(*at_only, sign_jws(rsa(), R"({"alg":"RS256","kid":"rsa-1","typ":"application/at+jwt"})", payload())) == "accepted");
  // A key embedded in the header is never used.
  CHECK(refusal(*verifier, sign_jws(ec(), R"({"alg":"ES256","kid":"x","jwk":)" + ec().jwk() + "}", payload())) ==
        "invalid_token: no key `x` in the key set");
}

TEST_CASE("oauth: claims to principal: id, roles, mapping, attributes", "[oauth]") {
  auto verifier = make_verifier();
  CHECK(refusal(*verifier, rsa_token({{"sub", ""}})) == "invalid_token: the token has no `sub` claim");
  CHECK(refusal(*verifier, rsa_token({{"sub", "42"}})) ==
        "invalid_token: the token's `sub` is not a string");
  CHECK(refusal(*verifier, rsa_token({{"sub", "\"\""}})) ==
        "invalid_token: the token's `sub` claim must be a non-empty string, not an empty one");
  CHECK(refusal(*verifier, rsa_token({{"roles", "\"viewer editor\""}})) == "accepted");
  CHECK(verifier->verify(rsa_token({{"roles", "\"viewer  editor\""}}), kNow).token->principal.roles ==
        std::vector<std::string>{"editor", "viewer"});
  CHECK(verifier->verify(rsa_token({{"roles", ""}}), kNow).token->principal.roles.empty());
  CHECK(refusal(*verifier, rsa_token({{"roles", "[\"viewer\", 3]"}})) ==
        "invalid_token: the token's `roles` claim must hold strings, not an integer");
  CHECK(refusal(*verifier, rsa_token({{"roles", "{\"viewer\":true}"}})) ==
        "invalid_token: the token's `roles` claim must be an array of strings or a space-separated string, not an object");

  // Roles from `scope`, through a mapping; unmapped values are ignored.
  OAuthConfig mapped = base_config();
  mapped.principal.roles_claim = "scope";
  mapped.principal.role_map = {{"docs:write", "editor"}, {"docs:read", "viewer"}};
  auto by_scope = make_verifier(mapped);
  auto token = by_scope->verify(rsa_token({{"scope", "\"openid docs:write\""}}), kNow);
  REQUIRE(token.token);
  CHECK(token.token->principal.roles == std::vector<std::string>{"editor"});
  CHECK(by_scope->verify(rsa_token({{"scope", "\"openid profile\""}}), kNow).token->principal.roles.empty());

  // Another id claim, a dotted path.
  OAuthConfig other_id = base_config();
  other_id.principal.id_claim = "ext.uid";
  auto by_uid = make_verifier(other_id);
  CHECK(by_uid->verify(rsa_token({{"ext", R"({"uid":"u-9"})"}}), kNow).token->principal.id == "u-9");
  CHECK(refusal(*by_uid, rsa_token()) == "invalid_token: the token has no `ext.uid` claim");

  // Attributes: wrong types refused, never dropped; optional ones may be absent.
  CHECK(refusal(*verifier, rsa_token({{"department", "7"}})) ==
        "invalid_token: the token's `department` claim is an integer, which cannot be the principal's `department`");
  CHECK(refusal(*verifier, rsa_token({{"department", ""}})) ==
        "invalid_token: the token has no `department` claim, which the principal's `department` needs");
  CHECK(refusal(*verifier, rsa_token({{"ext", R"({"clearance":"high"})"}})) ==
        "invalid_token: the token's `ext.clearance` claim is a string, which cannot be the principal's `clearance`");
  CHECK(refusal(*verifier, rsa_token({{"ext", R"({"clearance":2.5})"}})).find("is a number, which cannot") != std::string::npos);
  CHECK(refusal(*verifier, rsa_token({{"ext", R"({"clearance":null})"}})) == "accepted");
  OAuthConfig teams = base_config();
  teams.principal.attributes.emplace_back("teams", "groups");
  auto with_teams = make_verifier(teams);
  CHECK(with_teams->verify(rsa_token({{"groups", R"(["east","west"])"}}), kNow).token->principal.attributes_json ==
        R"({"department":"sales","teams":["east","west"]})");
  CHECK(refusal(*with_teams, rsa_token({{"groups", R"(["east",1])"}})) ==
        "invalid_token: the token's `groups` claim is an array, which cannot be the principal's `teams`");
}

TEST_CASE("oauth: required scopes give insufficient_scope with the list", "[oauth]") {
  OAuthConfig config = base_config();
  config.required_scopes = {"mcp:tools", "mcp:admin"};
  auto verifier = make_verifier(config);
  VerifyOutcome outcome = verifier->verify(rsa_token(), kNow);
  REQUIRE(outcome.error);
  CHECK(outcome.error->code == AuthErrorCode::InsufficientScope);
  CHECK(outcome.error->http_status() == 403);
  CHECK(outcome.error->description == "the token lacks the scope `mcp:admin`");
  CHECK(outcome.error->scopes == std::vector<std::string>{"mcp:tools", "mcp:admin"});
  CHECK(refusal(*verifier, rsa_token({{"scope", "\"mcp:admin mcp:tools\""}})) == "accepted");
  CHECK(refusal(*verifier, rsa_token({{"scope", R"(["mcp:admin","mcp:tools"])"}})) == "accepted");
  CHECK(refusal(*verifier, rsa_token({{"scope", "7"}})) ==
        "invalid_token: the token's `scope` is neither a string nor an array of strings");
}

TEST_CASE("oauth: the cache spares the signature check until the token expires", "[oauth]") {
  auto verifier = make_verifier();
  std::string token = rsa_token({{"exp", std::to_string(kNow + 100)}});
  auto first = verifier->verify(token, kNow);
  REQUIRE(first.token);
  CHECK_FALSE(first.cached);
  CHECK(verifier->signature_checks() == 1);
  auto second = verifier->verify(token, kNow + 50);
  REQUIRE(second.token);
  CHECK(second.cached);
  CHECK(second.token == first.token);
  CHECK(verifier->signature_checks() == 1);
  // Good until exp + skew, as an uncached check would say.
  CHECK(verifier->verify(token, kNow + 159).cached);
  CHECK(refusal(*verifier, token, kNow + 160) == "invalid_token: the token expired");
  CHECK(verifier->signature_checks() == 2);
  // Refusals are not cached; a new key set empties the cache.
  verifier->verify(token, kNow);
  CHECK(verifier->cache().size() == 1);
  verifier->set_keys(verifier->keys());
  CHECK(verifier->cache().size() == 0);
  CHECK_FALSE(verifier->verify(token, kNow).cached);
  // The cache's own maximum age.
  OAuthConfig short_lived = base_config();
  short_lived.cache_max_age_s = 10;
  auto brief = make_verifier(short_lived);
  brief->verify(token, kNow);
  CHECK(brief->verify(token, kNow + 9).cached);
  CHECK_FALSE(brief->verify(token, kNow + 10).cached);
}

TEST_CASE("oauth: one verifier serves several threads", "[oauth]") {
  OAuthConfig config = base_config();
  config.cache_entries = 8;  // small: threads evict each other's entries
  auto verifier = make_verifier(config);
  std::vector<std::string> tokens;
  for (int i = 0; i < 16; ++i) tokens.push_back(rsa_token({{"jti", "\"t" + std::to_string(i) + "\""}}));
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto outcome = verifier->verify(tokens[static_cast<std::size_t>((i * 7 + t) % 16)], kNow);
        if (outcome.token && outcome.token->principal.id == "alice") ++accepted;
        if (i % 50 == 0) verifier->set_keys(verifier->keys());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(accepted == 800);
  CHECK(verifier->cache().size() <= 8);
}

TEST_CASE("oauth: the token cache evicts the least recently used", "[oauth]") {
  TokenCache cache(2);
  auto token = std::make_shared<const VerifiedToken>();
  auto a = *runtime::sha256("a"), b = *runtime::sha256("b"), c = *runtime::sha256("c");
  cache.insert(a, token, 100, cache.generation());
  cache.insert(b, token, 100, cache.generation());
  CHECK(cache.find(a, 0));
  cache.insert(c, token, 100, cache.generation());
  CHECK(cache.find(a, 0));
  CHECK_FALSE(cache.find(b, 0));
  CHECK(cache.find(c, 0));
  std::uint64_t old = cache.generation();
  cache.clear();
  cache.insert(a, token, 100, old);  // began before the clear: dropped
  CHECK_FALSE(cache.find(a, 0));
}

TEST_CASE("oauth: key set loading keeps only usable public signature keys", "[oauth]") {
  auto parse = [](const std::string& keys) { return KeySet::parse("{\"keys\":[" + keys + "]}"); };
  auto set = parse(ec().jwk() + R"(,{"kty":"oct","kid":"h","k":"c2VjcmV0"})");
  REQUIRE(set.ok());
  CHECK(set.value().keys().size() == 1);
  REQUIRE(set.value().skipped().size() == 1);
  CHECK(set.value().skipped()[0] ==
        "key 1 (kid `h`) skipped: symmetric (`oct`) keys are never accepted: the gateway holds public keys only");
  CHECK(parse(R"({"kty":"oct","kid":"h","k":"c2VjcmV0"})").error().starts_with("the key set has no usable signature key"));
  TestKey small = authz::testing::make_rsa("small", "RS256", 1024);
  CHECK(parse(small.jwk()).error().find("its RSA modulus has 1024 bits, under 2048") != std::string::npos);
  std::string with_private = ec().jwk();
  with_private.insert(1, "\"d\":\"AAAA\",");
  CHECK(parse(with_private).error().find("private key material (`d`)") != std::string::npos);
  std::string encryption = ec().jwk();
  encryption.replace(encryption.find("\"use\":\"sig\""), 11, "\"use\":\"enc\"");
  CHECK(parse(encryption).error().find("`use` is `enc`, not `sig`") != std::string::npos);
  std::string wrong_alg = ec().jwk();
  wrong_alg.replace(wrong_alg.find("\"alg\":\"ES256\""), 13, "\"alg\":\"RS256\"");
  CHECK(parse(wrong_alg).error().find("its `alg` `RS256` does not fit a EC P-256 key") != std::string::npos);
  // A point off the curve: y changed.
  std::string off_curve = ec().jwk();
  std::size_t y = off_curve.find("\"y\":\"") + 5;
  off_curve[y] = off_curve[y] == 'A' ? 'B' : 'A';
  CHECK(parse(off_curve).error().find("are not a point of P-256") != std::string::npos);
  CHECK(KeySet::parse(R"({"keys":[],"keys":[]})").error() == "the key set has the key `keys` twice in one object");
  CHECK(KeySet::parse(R"([])").error() == "a key set is a JSON object `{\"keys\": [...]}`");
  // The allow-list filters keys.
  CHECK(KeySet::parse(authz::testing::jwks_of({&ec()}), algorithm_bit(Algorithm::RS256)).error().find("allow-list") !=
        std::string::npos);
}

TEST_CASE("oauth: unknown kids refresh the key set, at most once per interval", "[oauth]") {
  TestKey rotated = authz::testing::make_ec("ec-rotated");
  auto verifier = make_verifier(base_config(), authz::testing::jwks_of({&rsa()}));
  std::string served = authz::testing::jwks_of({&rsa(), &rotated});
  JwksRefresher refresher([&](std::string&) -> std::optional<std::string> { return served; },
                          [&](std::shared_ptr<const KeySet> keys) { verifier->set_keys(std::move(keys)); },
                          kAllAlgorithms, 60);
  std::string token = sign_jws(rotated, header_for(rotated), payload());
  auto outcome = verify_with_refresh(*verifier, refresher, token, kNow);
  CHECK_FALSE(outcome.error);
  CHECK(refresher.fetches() == 1);
  // Forged kids: one fetch per interval, whatever the traffic.
  TestKey forged = authz::testing::make_ec("forged");
  for (int i = 0; i < 100; ++i) verify_with_refresh(*verifier, refresher, sign_jws(forged, header_for(forged), payload()), kNow + 30);
  CHECK(refresher.fetches() == 1);
  verify_with_refresh(*verifier, refresher, sign_jws(forged, header_for(forged), payload()), kNow + 60);
  CHECK(refresher.fetches() == 2);
  // A fetch that fails or serves garbage keeps the old set.
  served = "{\"keys\": 5}";
  std::string error;
  CHECK(refresher.refresh_if_allowed(kNow + 200, error) == JwksRefresher::Outcome::Failed);
  CHECK(error == "a key set is a JSON object `{\"keys\": [...]}`");
  CHECK(refusal(*verifier, token) == "accepted");
}

TEST_CASE("oauth: start-up checks of the configuration against the policy", "[oauth]") {
  auto keys = std::make_shared<const KeySet>(KeySet::parse(authz::testing::jwks_of({&rsa()})).value());
  auto error_of = [&](const OAuthConfig& config) {
    auto verifier = TokenVerifier::create(config, keys, &policy().model());
    return verifier.ok() ? std::string("ok") : verifier.error();
  };
  CHECK(error_of(base_config()) == "ok");
  OAuthConfig config = base_config();
  config.principal.attributes.emplace_back("team", "team");
  CHECK(error_of(config) == "the policy's principal `User` has no attribute `team`\n  = help: its attributes are `department`, "
                            "`clearance`, `teams`, `verified`");
  config = base_config();
  config.principal.attributes = {{"clearance", "sub"}};
  CHECK(error_of(config) == "attribute `clearance` is Int? but the claim `sub` can never be one\n  = help: map the attribute to a "
                            "claim of its type");
  config.principal.attributes = {{"verified", "email_verified"}};
  CHECK(error_of(config) == "ok");
  config.principal.attributes = {{"id", "sub"}};
  CHECK(error_of(config).starts_with("the principal's `id` cannot be mapped as an attribute"));
  config = base_config();
  config.principal.role_map = {{"admins", "admin"}};
  CHECK(error_of(config).starts_with("the role map sends `admins` to role `admin`, which the policy does not declare"));
  config = base_config();
  config.clock_skew_s = 301;
  CHECK(error_of(config).starts_with("the clock skew is 301 s"));
  config = base_config();
  config.algorithms = {"HS256"};
  CHECK(error_of(config).starts_with("unknown algorithm `HS256` (the gateway never accepts `none` or symmetric algorithms)"));
  config = base_config();
  config.resource.clear();
  CHECK(error_of(config).starts_with("no resource is configured"));
  config = base_config();
  config.issuers.clear();
  CHECK(error_of(config).starts_with("no issuer is configured"));
  // Without a policy, a mapping cannot be checked: refused.
  CHECK_FALSE(TokenVerifier::create(base_config(), keys, nullptr).ok());
}

TEST_CASE("oauth: WWW-Authenticate challenges", "[oauth]") {
  CHECK(www_authenticate({"", "https://gw.example/.well-known/oauth-protected-resource/mcp", nullptr}) ==
        R"(Bearer resource_metadata="https://gw.example/.well-known/oauth-protected-resource/mcp")");
  AuthError expired{AuthErrorCode::InvalidToken, "the token expired", {}};
  CHECK(www_authenticate({"mcp", "https://gw.example/m", &expired}) ==
        R"(Bearer realm="mcp", error="invalid_token", error_description="the token expired", resource_metadata="https://gw.example/m")");
  AuthError scope{AuthErrorCode::InsufficientScope, "the token lacks the scope `a`", {"a", "b:c", "bad\"scope", ""}};
  CHECK(www_authenticate({"", "", &scope}) ==
        R"(Bearer error="insufficient_scope", error_description="the token lacks the scope `a`", scope="a b:c")");
  // Characters RFC 6750 forbids in a description never reach the header.
  AuthError hostile{AuthErrorCode::InvalidToken, "issuer `\"x\\y\r\nSet-Cookie: a=1` caf\xc3\xa9", {}};
  CHECK(www_authenticate({"", "", &hostile}) ==
        R"(Bearer error="invalid_token", error_description="issuer `?x?y??Set-Cookie: a=1` caf??")");
  CHECK(AuthError{AuthErrorCode::InvalidRequest, "", {}}.http_status() == 400);
  CHECK(expired.http_status() == 401);
}

TEST_CASE("oauth: base64url is strict", "[oauth]") {
  std::string out;
  CHECK(base64url_decode("YQ", out));
  CHECK(out == "a");
  CHECK_FALSE(base64url_decode("YR", out));   // non-zero unused bits
  CHECK_FALSE(base64url_decode("YQ==", out)); // padding
  CHECK_FALSE(base64url_decode("Y+", out));   // the standard alphabet
  CHECK_FALSE(base64url_decode("Y", out));    // impossible length
  CHECK(base64url_decode("_-8", out));
  CHECK(out == "\xff\xef");
}
