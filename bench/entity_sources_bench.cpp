// entity_sources_bench.cpp — what reading an account from a database costs a
// decision (issue 16): one decision of examples/sales that needs one
// account (manager u-dana opens acc-N: the deny and the allows read its team
// and owner) through authz::entity_sources, against the same query issued
// directly in the same run (SQLite: a prepared statement reset, bound, stepped
// and its three columns read; PostgreSQL: PQexecPrepared and its three
// values), and the decision with the cache warm.
//
// Targets (docs/performance.md): decision <= 1.2x the bare query; warm
// cache <= 2 us per decision. PostgreSQL runs only with
// AUTHZ_BENCH_POSTGRESQL set to a connection string whose database holds
// `accounts (id text primary key, owner text, team text, region text)` with
// acc-0..acc-999 (docs/performance.md shows how to start one); the SQLite
// file is made here.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "compiler/driver.h"
#include "compiler/lower.h"
#include "runtime/engine.h"
#include "tools/entity_sources/entity_sources.h"

namespace {

namespace rt = authz::runtime;
namespace es = authz::entity_sources;

constexpr int kAccounts = 1000;
constexpr std::int64_t kNow = 1764547200000;  // 2025-12-01

const rt::Engine& sales_engine() {
  static const rt::Engine engine = [] {
    authz::SourceManager sources;
    authz::LoadOptions options;
    options.stdlib_dirs.push_back(std::string(AUTHZ_SOURCE_DIR) + "/stdlib");
    authz::CheckOutcome outcome = authz::check_paths({std::string(AUTHZ_SOURCE_DIR) + "/examples/sales"}, options, sources);
    if (!outcome.ok() || !outcome.policy) std::abort();
    authz::LowerResult lowered = authz::lower(*outcome.policy, sources);
    if (!lowered.ok()) std::abort();
    return rt::Engine::from_model(std::move(lowered.model)).value();
  }();
  return engine;
}

std::string account_id(int i) { return "acc-" + std::to_string(i); }

const std::string& sqlite_path() {
  static const std::string path = [] {
    std::string file = (std::filesystem::temp_directory_path() / ("authz-bench-" + std::to_string(::getpid()) + ".db")).string();
    sqlite3* db = nullptr;
    sqlite3_open(file.c_str(), &db);
    sqlite3_exec(db, "CREATE TABLE accounts (id TEXT PRIMARY KEY, owner TEXT NOT NULL, team TEXT NOT NULL, region TEXT NOT NULL)",
                 nullptr, nullptr, nullptr);
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (int i = 0; i < kAccounts; ++i) {
      std::string row = "INSERT INTO accounts VALUES ('" + account_id(i) + "','u-carol','" + (i % 2 ? "east" : "west") +
                        "','europe')";
      sqlite3_exec(db, row.c_str(), nullptr, nullptr, nullptr);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    std::atexit([] { std::filesystem::remove(sqlite_path()); });
    return file;
  }();
  return path;
}

std::shared_ptr<const es::EntitySources> open_sources(const std::string& source_line, const std::string& query,
                                                      int cache_ms) {
  std::string config = (std::filesystem::temp_directory_path() / ("authz-bench-" + std::to_string(::getpid()) + ".toml")).string();
  std::ofstream(config) << "[entities]\ncache_max_age_ms = " << cache_ms << "\n[entities.Account]\n" << source_line
                        << "\nquery = \"" << query << "\"\n";
  std::string error;
  auto sources = es::load_entity_sources(config, sales_engine(), error);
  std::filesystem::remove(config);
  if (!sources) std::fprintf(stderr, "entity sources: %s\n", error.c_str());
  return sources;
}

// Manager u-dana (manages east) opens account i: prepared once per id, as a
// server keeps one PreparedRequest per in-flight call.
std::vector<rt::PreparedRequest> prepared_requests() {
  std::vector<rt::PreparedRequest> requests(kAccounts);
  rt::Request request;
  request.principal = {"u-dana", {"manager"}, R"({"manages": ["east"]})"};
  request.target = "get_account";
  request.now_ms = kNow;
  for (int i = 0; i < kAccounts; ++i) {
    request.arguments_json = R"({"account": ")" + account_id(i) + "\"}";
    sales_engine().prepare(request, requests[static_cast<std::size_t>(i)]);
  }
  return requests;
}

void decide(benchmark::State& state, const std::shared_ptr<const es::EntitySources>& sources) {
  if (!sources) return state.SkipWithError("the entity sources do not open");
  auto requests = prepared_requests();
  rt::EvaluateOptions options;
  options.entities = sources.get();
  rt::Decision decision;
  int i = 0;
  for (auto _ : state) {
    sales_engine().evaluate(requests[static_cast<std::size_t>(i)], options, decision);
    if (decision.allowed() != (i % 2 == 1)) return state.SkipWithError("wrong decision");
    i = (i + 1) % kAccounts;
  }
}

// ---- SQLite -------------------------------------------------------------------------

const char* kSqliteQuery = "SELECT owner, team, region FROM accounts WHERE id = ?";

void BM_Sqlite_BareQuery(benchmark::State& state) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(sqlite_path().c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v3(db, kSqliteQuery, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  std::vector<std::string> ids;
  for (int i = 0; i < kAccounts; ++i) ids.push_back(account_id(i));
  int i = 0;
  std::string owner, team, region;
  for (auto _ : state) {
    const std::string& id = ids[static_cast<std::size_t>(i)];
    sqlite3_reset(statement);
    sqlite3_bind_text(statement, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    if (sqlite3_step(statement) != SQLITE_ROW) return state.SkipWithError("no row");
    owner.assign(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    team.assign(reinterpret_cast<const char*>(sqlite3_column_text(statement, 1)));
    region.assign(reinterpret_cast<const char*>(sqlite3_column_text(statement, 2)));
    benchmark::DoNotOptimize(team.data());
    i = (i + 1) % kAccounts;
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
}
BENCHMARK(BM_Sqlite_BareQuery);

void BM_Sqlite_Decision(benchmark::State& state) {
  decide(state, open_sources("sqlite = \"" + sqlite_path() + "\"", kSqliteQuery, 0));
}
BENCHMARK(BM_Sqlite_Decision);

void BM_Sqlite_Decision_WarmCache(benchmark::State& state) {
  decide(state, open_sources("sqlite = \"" + sqlite_path() + "\"", kSqliteQuery, 3600000));
}
BENCHMARK(BM_Sqlite_Decision_WarmCache);

// ---- PostgreSQL ---------------------------------------------------------------------

const char* kPostgresqlQuery = "SELECT owner, team, region FROM accounts WHERE id = $1";

const char* postgresql_conninfo() { return std::getenv("AUTHZ_BENCH_POSTGRESQL"); }

void BM_Postgresql_BareQuery(benchmark::State& state) {
  if (!postgresql_conninfo()) return state.SkipWithError("AUTHZ_BENCH_POSTGRESQL is not set");
  PGconn* conn = PQconnectdb(postgresql_conninfo());
  if (PQstatus(conn) != CONNECTION_OK) return state.SkipWithError("cannot connect");
  PQclear(PQprepare(conn, "q", kPostgresqlQuery, 1, nullptr));
  std::vector<std::string> ids;
  for (int i = 0; i < kAccounts; ++i) ids.push_back(account_id(i));
  int i = 0;
  std::string owner, team, region;
  for (auto _ : state) {
    const char* values[1] = {ids[static_cast<std::size_t>(i)].c_str()};
    PGresult* result = PQexecPrepared(conn, "q", 1, values, nullptr, nullptr, 0);
    if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1) return state.SkipWithError("no row");
    owner.assign(PQgetvalue(result, 0, 0));
    team.assign(PQgetvalue(result, 0, 1));
    region.assign(PQgetvalue(result, 0, 2));
    benchmark::DoNotOptimize(team.data());
    PQclear(result);
    i = (i + 1) % kAccounts;
  }
  PQfinish(conn);
}
BENCHMARK(BM_Postgresql_BareQuery)->UseRealTime();

void BM_Postgresql_Decision(benchmark::State& state) {
  if (!postgresql_conninfo()) return state.SkipWithError("AUTHZ_BENCH_POSTGRESQL is not set");
  decide(state, open_sources(std::string("postgresql = \"") + postgresql_conninfo() + "\"", kPostgresqlQuery, 0));
}
BENCHMARK(BM_Postgresql_Decision)->UseRealTime();

void BM_Postgresql_Decision_WarmCache(benchmark::State& state) {
  if (!postgresql_conninfo()) return state.SkipWithError("AUTHZ_BENCH_POSTGRESQL is not set");
  decide(state, open_sources(std::string("postgresql = \"") + postgresql_conninfo() + "\"", kPostgresqlQuery, 3600000));
}
BENCHMARK(BM_Postgresql_Decision_WarmCache)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
