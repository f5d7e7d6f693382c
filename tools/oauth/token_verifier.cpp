// token_verifier.cpp — see token_verifier.h.
#include "tools/oauth/token_verifier.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include <boost/beast/core/string.hpp>

#include "runtime/internal/sha256.h"
#include "tools/gateway/json_duplicates.h"
#include "tools/oauth/claims_principal.h"

namespace authz::oauth {
namespace {

namespace dom = simdjson::dom;
using boost::beast::iequals;

VerifyOutcome refuse(std::string description) {
  VerifyOutcome outcome;
  outcome.error = AuthError{AuthErrorCode::InvalidToken, std::move(description), {}};
  return outcome;
}

// A base64url part decoded and parsed into one JSON object without duplicate keys.
bool read_json_part(std::string_view part, const char* what, dom::parser& parser, std::string& bytes,
                    dom::object& object, std::string& error) {
  if (!base64url_decode(part, bytes)) {
    error = std::string("the token's ") + what + " is not base64url";
    return false;
  }
  dom::element root;
  if (parser.parse(bytes).get(root) != simdjson::SUCCESS) {
    error = std::string("the token's ") + what + " is not JSON";
    return false;
  }
  thread_local std::vector<std::string_view> scratch;
  std::string_view duplicate;
  if (gateway::find_duplicate_key(root, scratch, duplicate)) {
    error = std::string("the token's ") + what + " has the key `" + std::string(duplicate.substr(0, 64)) + "` twice";
    return false;
  }
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    error = std::string("the token's ") + what + " is not a JSON object";
    return false;
  }
  return true;
}

// A NumericDate (RFC 7519 §2): a JSON number of seconds, fractions allowed.
// `round_up` for times that must have passed (nbf, iat), down for exp: a
// fraction never lengthens a token's life.
bool numeric_date(dom::element element, bool round_up, std::int64_t& out) {
  constexpr double kLimit = 1e15;  // far beyond any date, far within int64
  switch (element.type()) {
    case dom::element_type::INT64: out = element.get_int64().value_unsafe(); break;
    case dom::element_type::UINT64: out = static_cast<std::int64_t>(std::min<std::uint64_t>(element.get_uint64().value_unsafe(), 1000000000000000ull)); break;
    case dom::element_type::DOUBLE: {
      double value = element.get_double().value_unsafe();
      if (!std::isfinite(value)) return false;
      value = std::clamp(round_up ? std::ceil(value) : std::floor(value), -kLimit, kLimit);
      out = static_cast<std::int64_t>(value);
      break;
    }
    default: return false;
  }
  out = std::clamp<std::int64_t>(out, -1000000000000000, 1000000000000000);
  return true;
}

// A string member (absent: empty, true); false when present but not a string.
bool optional_string(dom::object object, std::string_view name, std::string& out) {
  dom::element value;
  if (object[name].get(value) != simdjson::SUCCESS) return true;
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return false;
  out = std::string(text);
  return true;
}

}  // namespace

runtime::Result<AlgorithmSet> algorithm_set(const std::vector<std::string>& names) {
  if (names.empty()) return runtime::Result<AlgorithmSet>::success(kAllAlgorithms);
  AlgorithmSet set = 0;
  for (const std::string& name : names) {
    auto algorithm = algorithm_from_name(name);
    if (!algorithm) {
      std::string why = name == "none" || name.rfind("HS", 0) == 0 ? " (the gateway never accepts `none` or symmetric algorithms)" : "";
      return runtime::Result<AlgorithmSet>::failure(
          "unknown algorithm `" + name + "`" + why +
          "\n  = help: the algorithms are RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA");
    }
    set |= algorithm_bit(*algorithm);
  }
  return runtime::Result<AlgorithmSet>::success(set);
}

runtime::Result<std::unique_ptr<TokenVerifier>> TokenVerifier::create(OAuthConfig config, std::shared_ptr<const KeySet> keys,
                                                                      const runtime::Model* model) {
  using R = runtime::Result<std::unique_ptr<TokenVerifier>>;
  if (config.issuers.empty()) return R::failure("no issuer is configured\n  = help: name the authorization server's `iss` value");
  for (const auto& issuer : config.issuers) {
    if (issuer.empty()) return R::failure("an empty issuer is configured");
  }
  if (config.resource.empty()) {
    return R::failure("no resource is configured\n  = help: set it to this gateway's URI: tokens must name it in `aud` (RFC 8707)");
  }
  if (config.clock_skew_s < 0 || config.clock_skew_s > kMaxClockSkew) {
    return R::failure("the clock skew is " + std::to_string(config.clock_skew_s) + " s\n  = help: give 0 to " +
                      std::to_string(kMaxClockSkew) + " seconds");
  }
  if (config.max_token_bytes < 64 || config.max_token_bytes > kMaxTokenBytesLimit) {
    return R::failure("the token size limit is " + std::to_string(config.max_token_bytes) + " bytes\n  = help: give 64 to " +
                      std::to_string(kMaxTokenBytesLimit) + " bytes");
  }
  if (config.cache_max_age_s < 0) return R::failure("the cache's maximum age must not be negative");
  if (config.jwks_refresh_interval_s < 1) return R::failure("the key set refresh interval must be at least 1 second");
  if (config.scope_claim.empty()) return R::failure("the scope claim must be named\n  = help: `scope` (RFC 9068) by default");
  auto algorithms = algorithm_set(config.algorithms);
  if (!algorithms.ok()) return R::failure(algorithms.error());
  if (!keys) return R::failure("no key set\n  = help: give the authorization server's JWKS");
  auto mapper = PrincipalMapper::create(config.principal, model);
  if (!mapper.ok()) return R::failure(mapper.error());
  return R::success(std::unique_ptr<TokenVerifier>(new TokenVerifier(
      std::move(config), algorithms.value(), std::make_unique<PrincipalMapper>(std::move(mapper.value())), std::move(keys))));
}

TokenVerifier::TokenVerifier(OAuthConfig config, AlgorithmSet algorithms, std::unique_ptr<PrincipalMapper> mapper,
                             std::shared_ptr<const KeySet> keys)
    : config_(std::move(config)),
      algorithms_(algorithms),
      mapper_(std::move(mapper)),
      keys_(std::move(keys)),
      cache_(config_.cache_entries) {}

TokenVerifier::~TokenVerifier() = default;

void TokenVerifier::set_keys(std::shared_ptr<const KeySet> keys) {
  {
    std::lock_guard<std::mutex> lock(keys_mutex_);
    keys_ = std::move(keys);
  }
  cache_.clear();
}

std::shared_ptr<const KeySet> TokenVerifier::keys() const {
  std::lock_guard<std::mutex> lock(keys_mutex_);
  return keys_;
}

VerifyOutcome TokenVerifier::verify(std::string_view token, std::int64_t now_s) {
  if (token.empty()) return refuse("the token is empty");
  if (token.size() > config_.max_token_bytes) {
    return refuse("the token is " + std::to_string(token.size()) + " bytes, over the limit of " +
                  std::to_string(config_.max_token_bytes));
  }
  // The cache key. Without one (SHA-256 failed: out of memory) the token is
  // verified in full and not cached.
  std::optional<runtime::Sha256Digest> digest = runtime::sha256(token);
  if (digest) {
    if (auto hit = cache_.find(*digest, now_s)) {
      VerifyOutcome outcome;
      outcome.token = std::move(hit);
      outcome.cached = true;
      return outcome;
    }
  }
  std::uint64_t generation = cache_.generation();
  VerifyOutcome outcome = verify_uncached(token, now_s);
  if (outcome.token && digest) {
    std::int64_t until = std::min(outcome.token->expires_at_s + config_.clock_skew_s, now_s + config_.cache_max_age_s);
    cache_.insert(*digest, outcome.token, until, generation);
  }
  return outcome;
}

namespace {

// What the JOSE header says, once checked: the views point into the header's
// thread-local parse, valid until the next token on this thread.
struct JwsHeader {
  Algorithm algorithm{};
  std::string_view alg_name;
  std::optional<std::string_view> kid;
};

// The header: an allowed asymmetric `alg`, no `crit` or `cty`, an access
// token's `typ` (or `JWT` when the configuration accepts it), a string `kid`.
bool read_header(std::string_view part, const OAuthConfig& config, AlgorithmSet algorithms, JwsHeader& out,
                 std::string& error) {
  thread_local dom::parser header_parser;
  thread_local std::string header_bytes;
  dom::object header;
  if (!read_json_part(part, "header", header_parser, header_bytes, header, error)) return false;
  auto fail = [&](std::string message) {
    error = std::move(message);
    return false;
  };
  dom::element alg_element;
  if (header["alg"].get(alg_element) != simdjson::SUCCESS) return fail("the token's header has no `alg`");
  if (alg_element.get_string().get(out.alg_name) != simdjson::SUCCESS) return fail("the token's `alg` is not a string");
  const std::string_view alg_name = out.alg_name;
  auto algorithm = algorithm_from_name(alg_name);
  if (!algorithm) {
    std::string shown(alg_name.substr(0, 32));
    if (iequals(alg_name, "none")) return fail("the algorithm `none` is never accepted");
    if (alg_name.size() >= 2 && alg_name.substr(0, 2) == "HS") return fail("the symmetric algorithm `" + shown + "` is never accepted");
    return fail("the algorithm `" + shown + "` is not supported");
  }
  if (!(algorithms & algorithm_bit(*algorithm))) return fail("the algorithm `" + std::string(alg_name) + "` is not allowed");
  out.algorithm = *algorithm;
  dom::element ignored;
  if (header["crit"].get(ignored) == simdjson::SUCCESS) return fail("the token's header has `crit`: no extension is understood");
  if (header["cty"].get(ignored) == simdjson::SUCCESS) return fail("the token's header has `cty`: nested tokens are not accepted");
  dom::element typ_element;
  if (header["typ"].get(typ_element) == simdjson::SUCCESS) {
    std::string_view typ;
    if (typ_element.get_string().get(typ) != simdjson::SUCCESS) return fail("the token's `typ` is not a string");
    bool access = iequals(typ, "at+jwt") || iequals(typ, "application/at+jwt");
    bool plain = iequals(typ, "JWT") || iequals(typ, "application/jwt");
    if (!access && !(plain && config.accept_jwt_typ)) {
      return fail("the token's type `" + std::string(typ.substr(0, 32)) + "` is not an access token (`at+jwt`)");
    }
  } else if (!config.accept_jwt_typ) {
    return fail("the token has no `typ`: an access token says `at+jwt`");
  }
  dom::element kid_element;
  if (header["kid"].get(kid_element) == simdjson::SUCCESS) {
    std::string_view text;
    if (kid_element.get_string().get(text) != simdjson::SUCCESS) return fail("the token's `kid` is not a string");
    out.kid = text;
  }
  return true;
}

// The key that may verify the header's algorithm, or null with `refusal`
// set (marked unknown_kid when the key set lacks the token's `kid`).
const Jwk* select_key(const KeySet& keys, const JwsHeader& header, VerifyOutcome& refusal) {
  const Jwk* key = nullptr;
  std::string kid_shown = header.kid ? std::string(header.kid->substr(0, 64)) : std::string();
  const std::string alg_name(header.alg_name);
  switch (keys.select(header.kid, header.algorithm, key)) {
    case KeyLookup::Found: return key;
    case KeyLookup::UnknownKid:
      refusal = refuse("no key `" + kid_shown + "` in the key set");
      refusal.unknown_kid = true;
      return nullptr;
    case KeyLookup::AlgorithmMismatch:
      refusal = refuse("the key `" + kid_shown + "` may not verify `" + alg_name + "`");
      return nullptr;
    case KeyLookup::NoKidAmbiguous:
      refusal = refuse("the token has no `kid` and several keys could verify `" + alg_name + "`");
      return nullptr;
    case KeyLookup::NoKey: refusal = refuse("no key in the key set verifies `" + alg_name + "`"); return nullptr;
  }
  return key;
}

// `iss` one of the trusted issuers, `aud` (a string or an array of strings)
// naming this resource.
bool check_issuer_and_audience(dom::object claims, const OAuthConfig& config, VerifiedToken& result,
                               std::string& error) {
  auto fail = [&](std::string message) {
    error = std::move(message);
    return false;
  };
  dom::element element;
  std::string_view text;
  if (claims["iss"].get(element) != simdjson::SUCCESS) return fail("the token has no `iss`");
  if (element.get_string().get(text) != simdjson::SUCCESS) return fail("the token's `iss` is not a string");
  if (std::find(config.issuers.begin(), config.issuers.end(), text) == config.issuers.end()) {
    return fail("the token's issuer `" + std::string(text.substr(0, 128)) + "` is not trusted");
  }
  result.issuer = std::string(text);

  if (claims["aud"].get(element) != simdjson::SUCCESS) return fail("the token has no `aud`");
  bool audience = false;
  if (element.get_string().get(text) == simdjson::SUCCESS) {
    audience = text == config.resource;
  } else if (element.is_array()) {
    dom::array array = element.get_array().value_unsafe();
    for (dom::element entry : array) {
      if (entry.get_string().get(text) != simdjson::SUCCESS) return fail("the token's `aud` holds a non-string");
      audience = audience || text == config.resource;
    }
  } else {
    return fail("the token's `aud` is neither a string nor an array");
  }
  if (!audience) return fail("the token is not for this resource (`aud` lacks `" + config.resource + "`)");
  return true;
}

// `exp` required and not past, `nbf` and `iat` (when present) not in the
// future, each with the configured clock skew.
bool check_times(dom::object claims, const OAuthConfig& config, std::int64_t now_s, VerifiedToken& result,
                 std::string& error, bool& expired) {
  auto fail = [&](std::string message) {
    error = std::move(message);
    return false;
  };
  dom::element element;
  std::int64_t skew = config.clock_skew_s;
  std::int64_t exp = 0;
  if (claims["exp"].get(element) != simdjson::SUCCESS) return fail("the token has no `exp`");
  if (!numeric_date(element, false, exp)) return fail("the token's `exp` is not a number");
  if (now_s >= exp + skew) {
    expired = true;
    return fail("the token expired");
  }
  result.expires_at_s = exp;
  std::int64_t date = 0;
  if (claims["nbf"].get(element) == simdjson::SUCCESS) {
    if (!numeric_date(element, true, date)) return fail("the token's `nbf` is not a number");
    if (now_s + skew < date) return fail("the token is not valid yet (`nbf`)");
  }
  if (claims["iat"].get(element) == simdjson::SUCCESS) {
    if (!numeric_date(element, true, date)) return fail("the token's `iat` is not a number");
    if (now_s + skew < date) return fail("the token was issued in the future (`iat`)");
  }
  return true;
}

// The scopes: the configured claim as a space-separated string or an array of strings.
bool read_scopes(dom::object claims, const std::string& scope_claim, std::vector<std::string>& out, std::string& error) {
  dom::element scopes;
  if (claims[scope_claim].get(scopes) != simdjson::SUCCESS) return true;
  std::string_view text;
  if (scopes.get_string().get(text) == simdjson::SUCCESS) {
    for_each_claim_word(text, [&](std::string_view word) { out.emplace_back(word); });
  } else if (scopes.is_array()) {
    dom::array array = scopes.get_array().value_unsafe();
    for (dom::element entry : array) {
      if (entry.get_string().get(text) != simdjson::SUCCESS) {
        error = "the token's `" + scope_claim + "` holds a non-string";
        return false;
      }
      out.emplace_back(text);
    }
  } else {
    error = "the token's `" + scope_claim + "` is neither a string nor an array of strings";
    return false;
  }
  return true;
}

// insufficient_scope naming every required scope the token lacks, or nullopt.
std::optional<VerifyOutcome> missing_scopes(const OAuthConfig& config, const std::vector<std::string>& scopes) {
  std::vector<std::string> missing;
  for (const std::string& scope : config.required_scopes) {
    if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) missing.push_back(scope);
  }
  if (missing.empty()) return std::nullopt;
  VerifyOutcome outcome;
  std::string list;
  for (const auto& scope : missing) list += (list.empty() ? "`" : ", `") + scope + "`";
  outcome.error = AuthError{AuthErrorCode::InsufficientScope, "the token lacks the scope " + list, config.required_scopes};
  return outcome;
}

}  // namespace

VerifyOutcome TokenVerifier::verify_uncached(std::string_view token, std::int64_t now_s) {
  CompactJws jws;
  if (!split_compact_jws(token, jws)) return refuse("the token is not a compact JWS (header.payload.signature)");
  std::string error;
  JwsHeader header;
  if (!read_header(jws.header, config_, algorithms_, header, error)) return refuse(error);

  // The key and the signature.
  std::shared_ptr<const KeySet> keys = this->keys();
  VerifyOutcome refusal;
  const Jwk* key = select_key(*keys, header, refusal);
  if (key == nullptr) return refusal;
  thread_local std::string signature;
  if (!base64url_decode(jws.signature, signature)) return refuse("the token's signature is not base64url");
  signature_checks_.fetch_add(1, std::memory_order_relaxed);
  if (!verify_signature(header.algorithm, key->key.get(), jws.signing_input, signature)) {
    VerifyOutcome bad = refuse("the token's signature does not verify");
    bad.bad_signature = true;
    return bad;
  }

  // The claims, now that they are known to come from the issuer's key.
  thread_local dom::parser payload_parser;
  thread_local std::string payload_bytes;
  dom::object claims;
  if (!read_json_part(jws.payload, "payload", payload_parser, payload_bytes, claims, error)) return refuse(error);

  auto result = std::make_shared<VerifiedToken>();
  result->kid = key->kid;
  result->algorithm = algorithm_name(header.algorithm);
  if (!check_issuer_and_audience(claims, config_, *result, error)) return refuse(error);
  if (bool expired = false; !check_times(claims, config_, now_s, *result, error, expired)) {
    VerifyOutcome late = refuse(error);
    late.expired = expired;
    return late;
  }
  if (!optional_string(claims, "azp", result->client_id)) return refuse("the token's `azp` is not a string");
  if (result->client_id.empty() && !optional_string(claims, "client_id", result->client_id)) {
    return refuse("the token's `client_id` is not a string");
  }
  if (!optional_string(claims, "jti", result->jti)) return refuse("the token's `jti` is not a string");
  if (!optional_string(claims, "sub", result->subject)) return refuse("the token's `sub` is not a string");
  if (!read_scopes(claims, config_.scope_claim, result->scopes, error)) return refuse(error);

  if (!mapper_->map(claims, result->principal, error)) return refuse(error);
  if (auto insufficient = missing_scopes(config_, result->scopes)) return *insufficient;
  VerifyOutcome outcome;
  outcome.token = std::move(result);
  return outcome;
}

VerifyOutcome verify_with_refresh(TokenVerifier& verifier, JwksRefresher& refresher, std::string_view token,
                                  std::int64_t now_s) {
  VerifyOutcome outcome = verifier.verify(token, now_s);
  if (!outcome.unknown_kid) return outcome;
  std::string error;
  if (refresher.refresh_if_allowed(now_s, error) != JwksRefresher::Outcome::Refreshed) return outcome;
  return verifier.verify(token, now_s);
}

}  // namespace authz::oauth
