// entity_sources_sqlite_test.cpp — authz::entity_sources over real SQLite
// files and the sales policy: the TOML reader's errors, the start-up checks
// (each names the section, attribute, column and query), decisions read from
// the database as it changes, bound ids, a failing source denying with
// reason `error`, one lookup per entity per decision, the cache's age and
// its invalidation.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/engine.h"
#include "tests/unit/compiled_policy_for_tests.h"
#include "tools/entity_sources/entity_sources.h"

namespace {

namespace es = authz::entity_sources;
namespace rt = authz::runtime;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("authz-entity-sources-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

void sql(const std::string& db, const std::string& statements) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(handle, statements.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(handle);
  REQUIRE(rc == SQLITE_OK);
}

const rt::Engine& sales() {
  static const rt::Engine engine = authz::testing::compile_policy_path(std::string(AUTHZ_SOURCE_DIR) + "/examples/sales");
  return engine;
}

std::string sales_db(const TempDir& dir) {
  std::string db = (dir.path / "sales.db").string();
  sql(db,
      "CREATE TABLE accounts (id TEXT PRIMARY KEY, owner TEXT NOT NULL, team TEXT NOT NULL, region TEXT NOT NULL);"
      "INSERT INTO accounts VALUES ('acc-1','u-bob','east','north-america'), ('acc-7','u-carol','east','europe'),"
      " ('acc-9','u-hank','west','north-america');"
      "CREATE TABLE users (id TEXT PRIMARY KEY, manages TEXT);"
      "INSERT INTO users VALUES ('u-dana', '[\"east\"]'), ('u-gina', '[\"west\"]');");
  return db;
}

std::shared_ptr<const es::EntitySources> open(const std::string& config_path, std::string& error) {
  return es::load_entity_sources(config_path, sales(), error);
}

rt::Decision decide(const std::shared_ptr<const es::EntitySources>& sources, const std::string& user,
                    std::vector<std::string> roles, const std::string& attributes, const std::string& tool,
                    const std::string& arguments) {
  rt::Request request;
  request.principal.id = user;
  request.principal.roles = std::move(roles);
  request.principal.attributes_json = attributes;
  request.target = tool;
  request.arguments_json = arguments;
  request.now_ms = 1764547200000;  // 2025-12-01
  rt::EvaluateOptions options;
  options.entities = sources.get();
  return sales().evaluate(request, options);
}

const char* kAccountsQuery = "SELECT owner, team, region FROM accounts WHERE id = ?";

}  // namespace

TEST_CASE("entity sources: a new row is decided on the next call, a changed one at once without cache",
          "[entity_sources]") {
  TempDir dir;
  std::string db = sales_db(dir);
  std::string config = dir.file("gateway.toml", std::string("[entities.Account]\nsqlite = \"sales.db\"\nquery = \"") +
                                                    kAccountsQuery + "\"\n");
  std::string error;
  auto sources = open(config, error);
  INFO(error);
  REQUIRE(sources);
  auto bob = [&](const std::string& account) {
    return decide(sources, "u-bob", {"rep"}, R"({"manages": []})", "get_account", R"({"account":")" + account + "\"}");
  };
  CHECK(bob("acc-1").allowed());
  auto unknown = bob("acc-new");
  CHECK_FALSE(unknown.allowed());
  sql(db, "INSERT INTO accounts VALUES ('acc-new','u-bob','east','europe')");
  CHECK(bob("acc-new").allowed());
  sql(db, "UPDATE accounts SET owner = 'u-carol' WHERE id = 'acc-new'");
  CHECK_FALSE(bob("acc-new").allowed());
}

TEST_CASE("entity sources: a SQL-looking id is a bound parameter and matches nothing", "[entity_sources]") {
  TempDir dir;
  sales_db(dir);
  std::string config = dir.file("gateway.toml", std::string("[entities.Account]\nsqlite = \"sales.db\"\nquery = \"") +
                                                    kAccountsQuery + "\"\n");
  std::string error;
  auto sources = open(config, error);
  REQUIRE(sources);
  for (std::string id : {"' OR 1=1 --", "acc-1' OR '1'='1", "acc-1; DROP TABLE accounts", "%", "acc-1\\u0000x"}) {
    auto decision = decide(sources, "u-bob", {"rep"}, "{}", "get_account",
                           R"({"account":")" + id + "\"}");
    INFO(id);
    CHECK_FALSE(decision.allowed());
    CHECK(decision.message.find("not found") != std::string::npos);
  }
  CHECK(decide(sources, "u-bob", {"rep"}, "{}", "get_account", R"({"account":"acc-1"})").allowed());
}

TEST_CASE("entity sources: one database lookup per entity per decision", "[entity_sources]") {
  TempDir dir;
  sales_db(dir);
  std::string config = dir.file("gateway.toml", std::string("[entities.Account]\nsqlite = \"sales.db\"\nquery = \"") +
                                                    kAccountsQuery + "\"\n");
  std::string error;
  auto sources = open(config, error);
  REQUIRE(sources);
  // Several rules of update_account read args.account (owner, team).
  auto before = sources->database_lookups();
  CHECK(decide(sources, "u-dana", {"manager"}, R"({"manages":["east"]})", "update_account",
               R"({"account":"acc-7","fields":{"region":"x"}})").allowed());
  CHECK(sources->database_lookups() - before == 1);
  before = sources->database_lookups();
  CHECK_FALSE(decide(sources, "u-dana", {"manager"}, R"({"manages":["east"]})", "update_account",
                     R"({"account":"acc-none","fields":{"region":"x"}})").allowed());
  CHECK(sources->database_lookups() - before == 1);
}

TEST_CASE("entity sources: a failing source denies with reason error and names the source", "[entity_sources]") {
  TempDir dir;
  std::string db = sales_db(dir);
  std::string config = dir.file("gateway.toml", std::string("[entities.Account]\nsqlite = \"sales.db\"\nquery = \"") +
                                                    kAccountsQuery + "\"\ntimeout_ms = 200\n");
  std::string error;
  auto sources = open(config, error);
  REQUIRE(sources);
  // A writer holds an exclusive lock past the timeout: the read fails.
  sqlite3* writer = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &writer) == SQLITE_OK);
  REQUIRE(sqlite3_exec(writer, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE accounts SET team = team;",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  for (const char* user : {"u-bob", "u-dana"}) {
    auto decision = decide(sources, user, {std::string(user) == "u-bob" ? "rep" : "manager"},
                           R"({"manages":["east"]})", "get_account", R"({"account":"acc-1"})");
    INFO(decision.message);
    CHECK_FALSE(decision.allowed());
    CHECK(decision.reason == rt::Reason::Error);
    CHECK(decision.message.find("entity source `Account` (sqlite) failed") != std::string::npos);
  }
  sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
  CHECK(decide(sources, "u-bob", {"rep"}, "{}", "get_account", R"({"account":"acc-1"})").allowed());
}

TEST_CASE("entity sources: the cache keeps an entity up to its age; clear_cache forgets", "[entity_sources]") {
  TempDir dir;
  std::string db = sales_db(dir);
  std::string config = dir.file("gateway.toml", std::string("[entities]\ncache_max_age_ms = 300\n[entities.Account]\n"
                                                            "sqlite = \"sales.db\"\nquery = \"") + kAccountsQuery + "\"\n");
  std::string error;
  auto sources = open(config, error);
  REQUIRE(sources);
  auto dana = [&] {
    return decide(sources, "u-dana", {"manager"}, R"({"manages":["east"]})", "get_account", R"({"account":"acc-7"})");
  };
  CHECK(dana().allowed());
  auto lookups = sources->database_lookups();
  sql(db, "UPDATE accounts SET team = 'west' WHERE id = 'acc-7'");
  CHECK(dana().allowed());  // cached: within the age
  CHECK(sources->database_lookups() == lookups);
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  CHECK_FALSE(dana().allowed());  // older than the age: read again
  sql(db, "UPDATE accounts SET team = 'east' WHERE id = 'acc-7'");
  CHECK_FALSE(dana().allowed());  // cached again
  sources->clear_cache();
  CHECK(dana().allowed());
}

TEST_CASE("entity sources: the principal's attributes come from a query, the token's win", "[entity_sources]") {
  TempDir dir;
  sales_db(dir);
  std::string config = dir.file("gateway.toml", "[entities.User]\nsqlite = \"sales.db\"\n"
                                                "query = \"SELECT manages FROM users WHERE id = ?\"\n");
  std::string error;
  auto sources = open(config, error);
  INFO(error);
  REQUIRE(sources);
  REQUIRE(sources->has_principal_source());
  auto merged = sources->principal_attributes("u-dana", "");
  REQUIRE(merged.ok());
  CHECK(merged.value() == R"({"manages":["east"]})");
  merged = sources->principal_attributes("u-dana", R"({"manages":["west"],"x":1})");
  REQUIRE(merged.ok());
  CHECK(merged.value() == R"({"manages":["west"],"x":1})");
  merged = sources->principal_attributes("u-nobody", R"({"x":1})");
  REQUIRE(merged.ok());
  CHECK(merged.value() == R"({"x":1})");
  merged = sources->principal_attributes("' OR 1=1 --", "");
  REQUIRE(merged.ok());
  CHECK(merged.value() == "{}");
}

TEST_CASE("entity sources: start-up refuses queries that disagree with the policy", "[entity_sources]") {
  TempDir dir;
  sales_db(dir);
  struct Case {
    std::string section;
    std::vector<std::string> expected;
  };
  std::vector<Case> cases = {
      {"[entities.Account]\nsqlite = \"sales.db\"\nquery = \"SELECT owner, team FROM accounts WHERE id = ?\"\n",
       {"gateway.toml:1: [entities.Account] (sqlite): attribute `Account.region` (String) has no column in the query",
        "query: SELECT owner, team FROM accounts WHERE id = ?"}},
      {"[entities.Account]\nsqlite = \"sales.db\"\nquery = \"SELECT owner, team, region, rowid AS secret FROM accounts WHERE id = ?\"\n",
       {"column `secret` is not an attribute of `Account`"}},
      {"[entities.Account]\nsqlite = \"sales.db\"\nquery = \"SELECT owner, team, rowid AS region FROM accounts WHERE id = ?\"\n",
       {"attribute `Account.region` is String, but column `region` is INTEGER"}},
      {"[entities.Account]\nsqlite = \"sales.db\"\nquery = \"SELECT owner, team, region FROM accounts WHERE id = ? OR owner = ?\"\n",
       {"the query takes 2 parameters; it must take exactly one, the id"}},
      {"[entities.Account]\nsqlite = \"sales.db\"\nquery = \"SELECT owner, team, region FROM accounts\"\n",
       {"the query takes 0 parameters"}},
      {"[entities.Account]\nsqlite = \"sales.db\"\nquery = \"SELECT owner, team, region FROM acounts WHERE id = ?\"\n",
       {"the query does not prepare", "no such table: acounts"}},
      {"[entities.Acount]\nsqlite = \"sales.db\"\nquery = \"SELECT owner FROM accounts WHERE id = ?\"\n",
       {"the policy declares no entity `Acount`", "`Account`"}},
      {"[entities.Account]\nsqlite = \"missing.db\"\nquery = \"SELECT owner FROM accounts WHERE id = ?\"\n",
       {"cannot open sqlite", "read-only"}},
      {"[entities.Account]\nsqlite = \"sales.db\"\nquery = \"DELETE FROM accounts WHERE id = ?\"\n",
       {"the query would write to the database"}},
      {"[entities.Account]\nsqlite = \"sales.db\"\nquery = \"SELECT owner, team, region FROM accounts WHERE id = ?; DELETE FROM accounts\"\n",
       {"more than one statement"}},
      {"[entities.User]\nsqlite = \"sales.db\"\nquery = \"SELECT 'x' AS roles, manages FROM users WHERE id = ?\"\n",
       {"column `roles`: roles come from the token or the flags"}},
      // The TOML reader.
      {"[entities.Account]\nsqlite = \"sales.db\"\nquery = \"SELECT 1\"\ntimeout = 5\n",
       {"gateway.toml:4: unknown key `entities.Account.timeout`"}},
      {"[entities.Account]\nsqlite = \"sales.db\"\npostgresql = \"password=hunter2\"\nquery = \"SELECT 1\"\n",
       {"needs exactly one of `sqlite`, `postgresql` and `json`"}},
      {"[entities.Account]\npostgresql = 5\n", {"gateway.toml:2: `entities.Account.postgresql` must be a string"}},
      {"[entities.Account]\nsqlite = \"sales.db\"\n", {"needs a `query` with one parameter, the id"}},
      {"[entities]\ncache_max_age_ms = -1\n", {"gateway.toml:2: `entities.cache_max_age_ms` must be between 0"}},
      {"[entities]\ncache = 1\n", {"unknown key `entities.cache`"}},
      {"[entities.Account]\nsqlite = \"sales.db\"\nquery = \"SELECT owner, team, region FROM accounts WHERE id = ?\"\npool_size = 0\n",
       {"gateway.toml:4: `entities.Account.pool_size` must be between 1 and 64"}},
  };
  for (const Case& c : cases) {
    std::string config = dir.file("gateway.toml", c.section);
    std::string error;
    auto sources = open(config, error);
    INFO(c.section);
    INFO(error);
    CHECK_FALSE(sources);
    for (const std::string& expected : c.expected) CHECK(error.find(expected) != std::string::npos);
    CHECK(error.find("hunter2") == std::string::npos);
  }
}
