// fuzz_c_api.cpp — feeds any bytes as request JSON to the C ABI
// (runtime/c_api/authz.h): authz_evaluate with every accessor,
// authz_evaluate_json and authz_residual_json, on examples/sales's table
// with its accounts loaded through authz_entities_load_json. Asserts: a
// refusal has a status, a message and no decision; a decision is allowed 0
// or 1 with the matching reason and JSON effect; authz_evaluate and
// authz_evaluate_json agree on status and effect. Requests without "now"
// are pinned to a fixed instant first, so both calls decide at one time.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <authz/authz.h>

#include "fuzz/fuzz_support.h"

namespace {

authz_engine* engine() {
  static authz_engine* loaded = [] {
    const std::string bytes = authz::fuzz::read_fixture(AUTHZ_FUZZ_TABLE);
    authz_engine* out = nullptr;
    FUZZ_REQUIRE(authz_engine_load(bytes.data(), bytes.size(), &out, nullptr) == AUTHZ_OK);
    return out;
  }();
  return loaded;
}

authz_entities* entities() {
  static authz_entities* loaded = [] {
    const std::string_view json = authz::fuzz::kFixtureEntities;
    authz_entities* out = nullptr;
    FUZZ_REQUIRE(authz_entities_load_json(json.data(), json.size(), &out, nullptr) == AUTHZ_OK);
    return out;
  }();
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string request(reinterpret_cast<const char*>(data), size);
  // A fixed "now" when the request has none (an object's last `}` gets one more member).
  if (request.find("\"now\"") == std::string::npos) {
    const std::size_t close = request.rfind('}');
    if (close != std::string::npos && request.find('{') < close) {
      request.insert(close, ",\"now\":\"2026-12-01T00:00:00Z\"");
    }
  }

  authz_decision* decision = nullptr;
  authz_error* error = nullptr;
  const authz_status status = authz_evaluate(engine(), request.data(), request.size(), entities(), &decision, &error);
  int allowed = -1;
  if (status == AUTHZ_OK) {
    FUZZ_REQUIRE(decision != nullptr && error == nullptr);
    allowed = authz_decision_allowed(decision);
    FUZZ_REQUIRE(allowed == 0 || allowed == 1);
    const std::string reason = authz_decision_reason(decision);
    FUZZ_REQUIRE((allowed == 1) == (reason == "allowed"));
    const std::string json = authz_decision_json(decision, AUTHZ_AUDIENCE_END_USER);
    FUZZ_REQUIRE(json.find(allowed ? "\"effect\":\"allow\"" : "\"effect\":\"deny\"") != std::string::npos);
    (void)authz_decision_json(decision, AUTHZ_AUDIENCE_OPERATOR);
    (void)authz_decision_obligations_json(decision);
    (void)authz_decision_explanation(decision, AUTHZ_AUDIENCE_END_USER);
    (void)authz_decision_explanation(decision, AUTHZ_AUDIENCE_OPERATOR);
  } else {
    FUZZ_REQUIRE(decision == nullptr && error != nullptr);
    FUZZ_REQUIRE(authz_error_code(error) == status && std::strlen(authz_error_message(error)) > 0);
  }
  authz_decision_free(decision);
  authz_error_free(error);

  char* json = nullptr;
  std::size_t json_size = 0;
  const authz_status json_status =
      authz_evaluate_json(engine(), request.data(), request.size(), entities(), &json, &json_size, nullptr);
  FUZZ_REQUIRE(json_status == status);
  if (json_status == AUTHZ_OK) {
    const std::string_view text(json, json_size);
    FUZZ_REQUIRE(text.find(allowed ? "\"effect\":\"allow\"" : "\"effect\":\"deny\"") != std::string_view::npos);
  }
  authz_string_free(json);

  char* residual = nullptr;
  if (authz_residual_json(engine(), request.data(), request.size(), entities(), &residual, nullptr, nullptr) ==
      AUTHZ_OK) {
    FUZZ_REQUIRE(residual != nullptr);
  }
  authz_string_free(residual);
  return 0;
}
