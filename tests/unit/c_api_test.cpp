// c_api_test.cpp — the C ABI (runtime/c_api/authz.h) against the sales policy:
// decisions agree with the C++ engine; malformed JSON, wrong shapes, null
// pointers, tables that are not (or not this version's) tables, SQL-looking
// argument values, and concurrent evaluation on one engine from many threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "compiled_policy_for_tests.h"
#include "runtime/c_api/authz.h"
#include "runtime/internal/table_writer.h"

namespace {

const std::string& sales_table() {
  static const std::string bytes =
      authz::runtime::serialize(authz::testing::compile_policy_path(std::string(AUTHZ_SOURCE_DIR) + "/examples/sales").model());
  return bytes;
}

struct EngineHandle {
  authz_engine* engine = nullptr;
  EngineHandle() {
    authz_error* error = nullptr;
    REQUIRE(authz_engine_load(sales_table().data(), sales_table().size(), &engine, &error) == AUTHZ_OK);
    REQUIRE(error == nullptr);
  }
  ~EngineHandle() { authz_engine_free(engine); }
};

const char kAccounts[] =
    R"({"Account": {"acc-1": {"owner": "u-bob", "team": "east", "region": "europe"},
                    "acc-7": {"owner": "u-carol", "team": "east", "region": "europe"}}})";

std::string bob_get(const std::string& account, const std::string& extra = "") {
  return R"({"principal": {"id": "u-bob", "roles": ["rep"], "attributes": {"manages": []}},)"
         R"( "method": "tools/call", "target": "get_account", "arguments": {"account": ")" +
         account + R"("}, "now": "2026-12-01T00:00:00Z")" + extra + "}";
}

// Evaluates and returns {status, error code, allowed, reason}.
struct Outcome {
  authz_status status;
  authz_status error_code;
  std::string error_message;
  int allowed = 0;
  std::string reason;
  std::string json;
};

Outcome evaluate(const authz_engine* engine, const std::string& request, const authz_entities* entities) {
  Outcome outcome{};
  authz_decision* decision = nullptr;
  authz_error* error = nullptr;
  outcome.status = authz_evaluate(engine, request.data(), request.size(), entities, &decision, &error);
  outcome.error_code = authz_error_code(error);
  outcome.error_message = authz_error_message(error);
  if (decision) {
    outcome.allowed = authz_decision_allowed(decision);
    outcome.reason = authz_decision_reason(decision);
    outcome.json = authz_decision_json(decision, AUTHZ_AUDIENCE_END_USER);
  }
  authz_decision_free(decision);
  authz_error_free(error);
  return outcome;
}

struct EntitiesHandle {
  authz_entities* entities = nullptr;
  EntitiesHandle() {
    REQUIRE(authz_entities_load_json(kAccounts, std::strlen(kAccounts), &entities, nullptr) == AUTHZ_OK);
  }
  ~EntitiesHandle() { authz_entities_free(entities); }
};

}  // namespace

TEST_CASE("c abi: decisions of the sales policy", "[c_api]") {
  EngineHandle engine;
  EntitiesHandle accounts;
  CHECK(std::strlen(authz_engine_policy_hash(engine.engine)) == 64);

  Outcome own = evaluate(engine.engine, bob_get("acc-1"), accounts.entities);
  CHECK(own.status == AUTHZ_OK);
  CHECK(own.allowed == 1);
  CHECK(own.reason == "allowed");
  CHECK(own.json.find(R"("determining_rules":["owners_read_own"])") != std::string::npos);

  Outcome other = evaluate(engine.engine, bob_get("acc-7"), accounts.entities);
  CHECK(other.status == AUTHZ_OK);
  CHECK(other.allowed == 0);
  CHECK(other.reason == "forbidden");

  // Inline entities instead of a handle.
  Outcome inline_entities = evaluate(engine.engine, bob_get("acc-1", std::string(R"(, "entities": )") + kAccounts), nullptr);
  CHECK(inline_entities.allowed == 1);

  // No entity data at all: the cross-user deny cannot evaluate and denies.
  Outcome no_entities = evaluate(engine.engine, bob_get("acc-1"), nullptr);
  CHECK(no_entities.status == AUTHZ_OK);
  CHECK(no_entities.allowed == 0);
  CHECK(no_entities.reason == "error");
}

TEST_CASE("c abi: obligations, trace and the one-call JSON form", "[c_api]") {
  EngineHandle engine;
  std::string request =
      R"({"principal": {"id": "u-erin", "roles": ["analyst"]}, "target": "sales_summary",)"
      R"( "arguments": {"region": "europe"}, "now": 1764547200000, "trace": true})";
  authz_decision* decision = nullptr;
  REQUIRE(authz_evaluate(engine.engine, request.data(), request.size(), nullptr, &decision, nullptr) == AUTHZ_OK);
  CHECK(authz_decision_allowed(decision) == 1);
  CHECK(std::string(authz_decision_obligations_json(decision)) ==
        R"([{"rule":"analysts_totals","name":"aggregate_only","arguments":{"min_group":5}}])");
  CHECK(std::string(authz_decision_json(decision, AUTHZ_AUDIENCE_OPERATOR)).find(R"("trace":{)") != std::string::npos);
  CHECK(std::string(authz_decision_explanation(decision, AUTHZ_AUDIENCE_END_USER)).rfind("ALLOW  sales_summary", 0) == 0);
  authz_decision_free(decision);

  char* json = nullptr;
  size_t size = 0;
  REQUIRE(authz_evaluate_json(engine.engine, request.data(), request.size(), nullptr, &json, &size, nullptr) == AUTHZ_OK);
  REQUIRE(json != nullptr);
  CHECK(std::strlen(json) == size);
  CHECK(std::string(json).find(R"("effect":"allow")") != std::string::npos);
  authz_string_free(json);
}

TEST_CASE("c abi: malformed and wrongly shaped request JSON are errors, not decisions", "[c_api]") {
  EngineHandle engine;
  struct Case {
    const char* request;
    authz_status code;
    const char* message_part;
  };
  const Case cases[] = {
      {"", AUTHZ_ERR_INVALID_JSON, "not valid JSON"},
      {"{", AUTHZ_ERR_INVALID_JSON, "not valid JSON"},
      {R"({"principal": {"id": "u-bob"}, "target": "get_account"} trailing)", AUTHZ_ERR_INVALID_JSON, "not valid JSON"},
      {"[1, 2]", AUTHZ_ERR_INVALID_REQUEST, "must be a JSON object"},
      {R"({"target": "get_account"})", AUTHZ_ERR_INVALID_REQUEST, "`principal.id` is required"},
      {R"({"principal": {"id": "u-bob"}})", AUTHZ_ERR_INVALID_REQUEST, "`target` is required"},
      {R"({"principal": {"id": 7}, "target": "x"})", AUTHZ_ERR_INVALID_REQUEST, "`principal.id` must be a string"},
      {R"({"principal": {"id": "u", "roles": "rep"}, "target": "x"})", AUTHZ_ERR_INVALID_REQUEST, "`principal.roles`"},
      {R"({"principal": {"id": "u"}, "target": "x", "method": "tools/list"})", AUTHZ_ERR_INVALID_REQUEST, "unknown `method` `tools/list`"},
      {R"({"principal": {"id": "u"}, "target": "x", "now": "yesterday"})", AUTHZ_ERR_INVALID_REQUEST, "`now` must be an RFC 3339"},
      {R"({"principal": {"id": "u"}, "target": "x", "arguments": [1]})", AUTHZ_ERR_INVALID_REQUEST, "`arguments` must be an object"},
      {R"({"principal": {"id": "u"}, "target": "x", "entities": {"Account": 5}})", AUTHZ_ERR_INVALID_REQUEST, "`entities`"},
      {R"({"principal": {"id": "u"}, "target": "x", "user": "u"})", AUTHZ_ERR_INVALID_REQUEST, "unknown request key `user`"},
  };
  for (const Case& c : cases) {
    INFO(c.request);
    Outcome outcome = evaluate(engine.engine, c.request, nullptr);
    CHECK(outcome.status == c.code);
    CHECK(outcome.error_code == c.code);
    CHECK(outcome.error_message.find(c.message_part) != std::string::npos);
    CHECK(outcome.allowed == 0);
  }
  // Bytes beyond `size` are not read: a request cut short is malformed.
  std::string whole = bob_get("acc-1");
  Outcome cut = evaluate(engine.engine, whole.substr(0, whole.size() / 2), nullptr);
  CHECK(cut.status == AUTHZ_ERR_INVALID_JSON);
}

TEST_CASE("c abi: requests the engine refuses are deny decisions with a reason", "[c_api]") {
  EngineHandle engine;
  EntitiesHandle accounts;
  Outcome unknown = evaluate(engine.engine,
                             R"({"principal": {"id": "u-bob", "roles": ["rep"]}, "target": "drop_tables"})", nullptr);
  CHECK(unknown.status == AUTHZ_OK);
  CHECK(unknown.allowed == 0);
  CHECK(unknown.reason == "unknown_target");
  Outcome wrong_type = evaluate(
      engine.engine, R"({"principal": {"id": "u-bob", "roles": ["rep"]}, "target": "get_account", "arguments": {"account": 5}})",
      accounts.entities);
  CHECK(wrong_type.allowed == 0);
  CHECK(wrong_type.reason == "invalid_arguments");
  // SQL-looking values are plain strings: no such account, so a deny.
  Outcome injection = evaluate(engine.engine, bob_get("acc-1' OR 1=1 --"), accounts.entities);
  CHECK(injection.status == AUTHZ_OK);
  CHECK(injection.allowed == 0);
}

TEST_CASE("c abi: null pointers are reported, never dereferenced", "[c_api]") {
  EngineHandle engine;
  authz_error* error = nullptr;
  authz_decision* decision = nullptr;
  std::string request = bob_get("acc-1");

  CHECK(authz_evaluate(nullptr, request.data(), request.size(), nullptr, &decision, &error) == AUTHZ_ERR_NULL_ARGUMENT);
  CHECK(decision == nullptr);
  CHECK(std::string(authz_error_message(error)) == "`engine` must not be null");
  authz_error_free(error);
  CHECK(authz_evaluate(engine.engine, nullptr, 5, nullptr, &decision, &error) == AUTHZ_ERR_NULL_ARGUMENT);
  CHECK(authz_error_code(error) == AUTHZ_ERR_NULL_ARGUMENT);
  authz_error_free(error);
  CHECK(authz_evaluate(engine.engine, request.data(), request.size(), nullptr, nullptr, nullptr) == AUTHZ_ERR_NULL_ARGUMENT);
  CHECK(authz_evaluate_json(engine.engine, request.data(), request.size(), nullptr, nullptr, nullptr, nullptr) ==
        AUTHZ_ERR_NULL_ARGUMENT);

  authz_engine* loaded = reinterpret_cast<authz_engine*>(0x1);
  CHECK(authz_engine_load(nullptr, 10, &loaded, nullptr) == AUTHZ_ERR_NULL_ARGUMENT);
  CHECK(loaded == nullptr);
  CHECK(authz_engine_load_file(nullptr, &loaded, nullptr) == AUTHZ_ERR_NULL_ARGUMENT);
  CHECK(authz_engine_load(sales_table().data(), sales_table().size(), nullptr, nullptr) == AUTHZ_ERR_NULL_ARGUMENT);
  CHECK(authz_entities_load_json(nullptr, 0, nullptr, nullptr) == AUTHZ_ERR_NULL_ARGUMENT);

  // Accessors and frees take NULL.
  CHECK(authz_decision_allowed(nullptr) == 0);
  CHECK(std::string(authz_decision_reason(nullptr)) == "error");
  CHECK(std::string(authz_decision_json(nullptr, AUTHZ_AUDIENCE_OPERATOR)).empty());
  CHECK(std::string(authz_decision_obligations_json(nullptr)) == "[]");
  CHECK(std::string(authz_engine_policy_hash(nullptr)).empty());
  CHECK(authz_error_code(nullptr) == AUTHZ_OK);
  authz_decision_free(nullptr);
  authz_engine_free(nullptr);
  authz_entities_free(nullptr);
  authz_error_free(nullptr);
  authz_string_free(nullptr);
}

TEST_CASE("c abi: tables that are not this version's are refused with a message", "[c_api]") {
  auto load = [](const std::string& bytes) {
    authz_engine* engine = nullptr;
    authz_error* error = nullptr;
    authz_status status = authz_engine_load(bytes.data(), bytes.size(), &engine, &error);
    std::string message = authz_error_message(error);
    CHECK(engine == nullptr);
    authz_error_free(error);
    return std::make_pair(status, message);
  };
  std::string other_version = sales_table();
  other_version[8] = 3;  // format version field (little-endian u32 at offset 8); 2 is the signed format
  auto [version_status, version_message] = load(other_version);
  CHECK(version_status == AUTHZ_ERR_INVALID_TABLE);
  CHECK(version_message.find("unsupported table format version 3") != std::string::npos);

  auto [magic_status, magic_message] = load("{\"not\": \"a table\"}");
  CHECK(magic_status == AUTHZ_ERR_INVALID_TABLE);
  CHECK(magic_message == "not an authz decision table (wrong magic)");

  std::string flipped = sales_table();
  flipped[flipped.size() - 1] ^= 0x40;
  CHECK(load(flipped).first == AUTHZ_ERR_INVALID_TABLE);
  CHECK(load("").first == AUTHZ_ERR_INVALID_TABLE);

  authz_engine* engine = nullptr;
  authz_error* error = nullptr;
  CHECK(authz_engine_load_file("/nonexistent/sales.authzt", &engine, &error) == AUTHZ_ERR_IO);
  CHECK(std::string(authz_error_message(error)) == "cannot open `/nonexistent/sales.authzt`");
  authz_error_free(error);
}

TEST_CASE("c abi: concurrent evaluation on one engine agrees with single-threaded", "[c_api]") {
  EngineHandle engine;
  EntitiesHandle accounts;
  const std::string allow_request = bob_get("acc-1");
  const std::string deny_request = bob_get("acc-7", R"(, "trace": true)");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        bool expect_allow = (i + t) % 2 == 0;
        const std::string& request = expect_allow ? allow_request : deny_request;
        char* json = nullptr;
        if (authz_evaluate_json(engine.engine, request.data(), request.size(), accounts.entities, &json, nullptr,
                                nullptr) != AUTHZ_OK) {
          ++wrong;
          continue;
        }
        bool allowed = std::strstr(json, R"("effect":"allow")") != nullptr;
        if (allowed != expect_allow) ++wrong;
        authz_string_free(json);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong.load() == 0);
}

TEST_CASE("c abi: row filters as a residual and as parameterised SQL", "[c_api]") {
  EngineHandle engine;
  const std::string bob_any_account =
      R"({"principal": {"id": "u-bob", "roles": ["rep"], "attributes": {"manages": []}}, "target": "get_account",)"
      R"( "unknown": ["account"], "now": "2026-12-01T00:00:00Z"})";
  const std::string columns = R"({"account": "id", "account.owner": "owner", "account.team": {"table": "a", "column": "team"}})";
  char* json = nullptr;
  authz_error* error = nullptr;
  REQUIRE(authz_residual_sql(engine.engine, bob_any_account.data(), bob_any_account.size(), nullptr, columns.data(),
                             columns.size(), &json, nullptr, &error) == AUTHZ_OK);
  CHECK(std::string(json) == R"({"kind":"conditional","sql":"\"owner\" = ?","parameters":[{"type":"text","value":"u-bob"}]})");
  authz_string_free(json);

  REQUIRE(authz_residual_json(engine.engine, bob_any_account.data(), bob_any_account.size(), nullptr, &json, nullptr,
                              nullptr) == AUTHZ_OK);
  CHECK(std::string(json).rfind(R"({"kind":"conditional")", 0) == 0);
  authz_string_free(json);

  // A user id that looks like SQL is a parameter, not SQL.
  const std::string hostile =
      R"({"principal": {"id": "x' OR 1=1 --", "roles": ["rep"], "attributes": {"manages": []}}, "target": "get_account",)"
      R"( "unknown": ["account"], "now": "2026-12-01T00:00:00Z"})";
  REQUIRE(authz_residual_sql(engine.engine, hostile.data(), hostile.size(), nullptr, columns.data(), columns.size(), &json,
                             nullptr, nullptr) == AUTHZ_OK);
  CHECK(std::string(json) ==
        R"({"kind":"conditional","sql":"\"owner\" = ?","parameters":[{"type":"text","value":"x' OR 1=1 --"}]})");
  authz_string_free(json);

  // An analyst may never list: `0`, whatever the row.
  const std::string analyst = R"({"principal": {"id": "u-erin", "roles": ["analyst"]}, "target": "get_account", "unknown": "all"})";
  REQUIRE(authz_residual_sql(engine.engine, analyst.data(), analyst.size(), nullptr, columns.data(), columns.size(), &json,
                             nullptr, nullptr) == AUTHZ_OK);
  CHECK(std::string(json) == R"({"kind":"never_allowed","sql":"0","parameters":[]})");
  authz_string_free(json);

  // An unknown with no column: untranslatable, the host must deny.
  const std::string no_owner_column = R"({"account": "id"})";
  CHECK(authz_residual_sql(engine.engine, bob_any_account.data(), bob_any_account.size(), nullptr, no_owner_column.data(),
                           no_owner_column.size(), &json, nullptr, &error) == AUTHZ_ERR_UNTRANSLATABLE);
  CHECK(json == nullptr);
  authz_error_free(error);
  // Missing "unknown", bad columns, nulls.
  CHECK(authz_residual_json(engine.engine, bob_get("acc-1").data(), bob_get("acc-1").size(), nullptr, &json, nullptr,
                            nullptr) == AUTHZ_ERR_INVALID_REQUEST);
  CHECK(authz_residual_sql(engine.engine, bob_any_account.data(), bob_any_account.size(), nullptr, "{", 1, &json, nullptr,
                           nullptr) == AUTHZ_ERR_INVALID_JSON);
  CHECK(authz_residual_sql(engine.engine, bob_any_account.data(), bob_any_account.size(), nullptr, nullptr, 0, &json,
                           nullptr, nullptr) == AUTHZ_ERR_NULL_ARGUMENT);
  // "unknown" is not a key of an ordinary evaluation.
  Outcome outcome = evaluate(engine.engine, bob_any_account, nullptr);
  CHECK(outcome.status == AUTHZ_ERR_INVALID_REQUEST);
}
