// sales_server_bench.cpp — what embedding costs the sales server:
//   list_accounts over 100k accounts, rows filtered in SQLite by the residual
//   of get_account (partial evaluation + SQL translation + query, per call)
//   against the same query with a hand-written WHERE (the same-run baseline);
//   one decision through the C ABI, JSON in and JSON out, against the C++
//   API on the same request (baseline).
// Run: authz_sales_server_bench --benchmark_repetitions=10
//        --benchmark_report_aggregates_only=true   (medians in docs/performance.md)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unistd.h>

#include "runtime/c_api/authz.h"
#include "runtime/engine.h"
#include "runtime/partial_eval.h"
#include "runtime/sql_where.h"
#include "runtime/internal/table_writer.h"
#include "sales_db.h"

#include "compiler/driver.h"
#include "compiler/lower.h"

namespace {

using namespace authz::runtime;

constexpr std::int64_t k2026_12_01 = 1764547200000;

Engine& sales_engine() {
  static Engine engine = [] {
    authz::SourceManager sources;
    authz::LoadOptions options;
    options.stdlib_dirs.push_back(AUTHZ_SOURCE_DIR "/stdlib");
    auto outcome = authz::check_paths({AUTHZ_SOURCE_DIR "/examples/sales"}, options, sources);
    if (!outcome.ok() || !outcome.policy) std::abort();
    auto lowered = authz::lower(*outcome.policy, sources);
    if (!lowered.ok()) std::abort();
    auto loaded = Engine::from_model(std::move(lowered.model));
    if (!loaded.ok()) std::abort();
    return std::move(loaded).value();
  }();
  return engine;
}

sales_server::SalesDb& big_db() {
  static std::unique_ptr<sales_server::SalesDb> db = [] {
    std::string path = "/tmp/authz-sales-bench-" + std::to_string(::getpid()) + ".db";
    std::remove(path.c_str());
    auto opened = sales_server::SalesDb::open(path);
    if (!opened.ok()) std::abort();
    auto db = std::move(opened).value();
    // 12 seeded accounts + 99,988 generated = 100,000 rows.
    if (!db->add_generated_accounts(99988).ok()) std::abort();
    std::remove(path.c_str());  // stays open; removed from the directory
    return db;
  }();
  return *db;
}

struct User {
  const char* id;
  std::vector<std::string> roles;
  const char* attributes;
  SqlWhere hand_written;  // what a developer would write by hand for this user
};

User rep() {
  SqlParameter bob;
  bob.type = SqlParameter::Type::Text;
  bob.text = "u-bob";
  return {"u-bob", {"rep"}, R"({"manages": []})", {"\"owner\" = ?", {bob}}};
}
User manager() {
  SqlParameter dana, east;
  dana.type = east.type = SqlParameter::Type::Text;
  dana.text = "u-dana";
  east.text = "east";
  return {"u-dana", {"manager"}, R"({"manages": ["east"]})", {"\"owner\" = ? OR \"team\" IN (?)", {dana, east}}};
}

void list_with_residual(benchmark::State& state, User user) {
  Engine& engine = sales_engine();
  auto& db = big_db();
  const SqlColumnMap columns = {{"account", {"", "id"}}, {"account.owner", {"", "owner"}},
                                {"account.team", {"", "team"}}, {"account.region", {"", "region"}}};
  std::size_t rows = 0;
  for (auto _ : state) {
    PartialRequest request;
    request.principal = {user.id, user.roles, user.attributes};
    request.target = "get_account";
    request.unknown_parameters = {"account"};
    request.now_ms = k2026_12_01;
    Residual residual = partially_evaluate(engine, request);
    auto where = to_sql_where(residual, columns);
    if (!where.ok()) state.SkipWithError(where.error().c_str());
    auto listed = db.list_accounts(where.value(), std::nullopt, 1000000);
    rows = listed.value().size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["rows"] = static_cast<double>(rows);
}

void list_hand_written(benchmark::State& state, User user) {
  auto& db = big_db();
  std::size_t rows = 0;
  for (auto _ : state) {
    auto listed = db.list_accounts(user.hand_written, std::nullopt, 1000000);
    rows = listed.value().size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["rows"] = static_cast<double>(rows);
}

BENCHMARK_CAPTURE(list_hand_written, rep, rep())->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(list_with_residual, rep, rep())->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(list_hand_written, manager, manager())->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(list_with_residual, manager, manager())->Unit(benchmark::kMillisecond);

const char kAccounts[] = R"({"Account": {"acc-1": {"owner": "u-bob", "team": "east", "region": "europe"}}})";
const char kRequest[] =
    R"({"principal": {"id": "u-bob", "roles": ["rep"], "attributes": {"manages": []}},)"
    R"( "method": "tools/call", "target": "get_account", "arguments": {"account": "acc-1"},)"
    R"( "now": "2026-12-01T00:00:00Z"})";

void c_abi_decision_json(benchmark::State& state) {
  std::string table = serialize(sales_engine().model());
  authz_engine* engine = nullptr;
  authz_entities* entities = nullptr;
  if (authz_engine_load(table.data(), table.size(), &engine, nullptr) != AUTHZ_OK ||
      authz_entities_load_json(kAccounts, std::strlen(kAccounts), &entities, nullptr) != AUTHZ_OK)
    std::abort();
  const std::size_t size = std::strlen(kRequest);
  for (auto _ : state) {
    char* json = nullptr;
    if (authz_evaluate_json(engine, kRequest, size, entities, &json, nullptr, nullptr) != AUTHZ_OK) std::abort();
    benchmark::DoNotOptimize(json);
    authz_string_free(json);
  }
  authz_entities_free(entities);
  authz_engine_free(engine);
}

// Baseline: the same decision through the C++ API, request already a struct,
// decision not rendered.
void cpp_decision(benchmark::State& state) {
  Engine& engine = sales_engine();
  auto entities = JsonEntityStore::from_json(kAccounts);
  EvaluateOptions options;
  options.entities = &entities.value();
  Request request;
  request.principal = {"u-bob", {"rep"}, R"({"manages": []})"};
  request.target = "get_account";
  request.arguments_json = R"({"account": "acc-1"})";
  request.now_ms = k2026_12_01;
  for (auto _ : state) {
    Decision decision = engine.evaluate(request, options);
    benchmark::DoNotOptimize(decision.effect);
  }
}

BENCHMARK(cpp_decision);
BENCHMARK(c_abi_decision_json);

}  // namespace

BENCHMARK_MAIN();
