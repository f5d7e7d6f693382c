// oauth_bench.cpp — what bearer-token identity (tools/oauth) adds to a
// request: verifying a token not seen before (signature checked: RS256 with
// RSA 2048, ES256 with P-256, EdDSA with Ed25519), and presenting one the
// cache already holds (a SHA-256 and a hash look-up). Tokens are real, signed
// at start-up with EVP (tests/unit/oauth_test_keys.h). Run with
// --benchmark_repetitions=5 --benchmark_report_aggregates_only=true for
// medians (docs/oauth.md quotes them).
#include <benchmark/benchmark.h>

#include <vector>

#include "tests/unit/oauth_test_keys.h"
#include "tools/oauth/token_verifier.h"

namespace {

using namespace authz;
using namespace authz::oauth;

constexpr std::int64_t kNow = 1800000000;

std::vector<std::string> distinct_tokens(const testing::TestKey& key, int count) {
  std::vector<std::string> tokens;
  for (int i = 0; i < count; ++i) {
    std::string payload = R"({"iss":"https://idp.example","aud":"https://gateway.example/mcp","sub":"user-)" +
                          std::to_string(i) + R"(","exp":)" + std::to_string(kNow + 3600) + R"(,"iat":)" +
                          std::to_string(kNow) + R"(,"jti":"t-)" + std::to_string(i) +
                          R"(","azp":"client","scope":"mcp:tools","roles":["editor","viewer"]})";
    tokens.push_back(testing::sign_jws(key, testing::header_for(key), payload));
  }
  return tokens;
}

std::unique_ptr<TokenVerifier> verifier_for(const testing::TestKey& key, std::size_t cache_entries) {
  OAuthConfig config;
  config.issuers = {"https://idp.example"};
  config.resource = "https://gateway.example/mcp";
  config.cache_entries = cache_entries;
  auto keys = KeySet::parse(testing::jwks_of({&key}));
  auto verifier = TokenVerifier::create(config, std::make_shared<const KeySet>(std::move(keys.value())), nullptr);
  testing::require(verifier.ok());
  return std::move(verifier.value());
}

// A token never seen before: no cache (capacity 0), so every call checks
// the signature and the claims.
void verify_new(benchmark::State& state, const testing::TestKey& key) {
  auto tokens = distinct_tokens(key, 256);
  auto verifier = verifier_for(key, 0);
  std::size_t i = 0;
  for (auto _ : state) {
    VerifyOutcome outcome = verifier->verify(tokens[i++ % tokens.size()], kNow);
    if (!outcome.token) state.SkipWithError("refused");
    benchmark::DoNotOptimize(outcome);
  }
}

void BM_VerifyNewToken_RS256(benchmark::State& state) {
  static const auto key = testing::make_rsa("rsa");
  verify_new(state, key);
}
void BM_VerifyNewToken_ES256(benchmark::State& state) {
  static const auto key = testing::make_ec("ec");
  verify_new(state, key);
}
void BM_VerifyNewToken_EdDSA(benchmark::State& state) {
  static const auto key = testing::make_ed25519("ed");
  verify_new(state, key);
}

// A token the cache holds (one of 256 users, each presenting the same token again).
void BM_VerifyCachedToken(benchmark::State& state) {
  static const auto key = testing::make_ec("ec");
  auto tokens = distinct_tokens(key, 256);
  auto verifier = verifier_for(key, 10000);
  for (const auto& token : tokens) verifier->verify(token, kNow);
  std::size_t i = 0;
  for (auto _ : state) {
    VerifyOutcome outcome = verifier->verify(tokens[i++ % tokens.size()], kNow);
    if (!outcome.cached) state.SkipWithError("not cached");
    benchmark::DoNotOptimize(outcome);
  }
}

BENCHMARK(BM_VerifyNewToken_RS256);
BENCHMARK(BM_VerifyNewToken_ES256);
BENCHMARK(BM_VerifyNewToken_EdDSA);
BENCHMARK(BM_VerifyCachedToken);

}  // namespace

BENCHMARK_MAIN();
