// sql_where_test.cpp — residuals (runtime/partial_eval.h) as parameterised
// SQL WHERE fragments (runtime/sql_where.h): exact SQL text and typed
// parameters for the sales policy, NULL-safe comparisons for optional
// columns, refusals for what SQL cannot express, and a real SQLite query
// showing that hostile values stay parameters.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "runtime/partial_eval.h"
#include "runtime/sql_where.h"
#include "runtime/internal/time_text.h"
#include "tests/unit/compiled_policy_for_tests.h"

namespace rt = authz::runtime;

namespace {

const rt::Engine& sales() {
  static rt::Engine engine = authz::testing::compile_policy_path(std::string(AUTHZ_SOURCE_DIR) + "/examples/sales");
  return engine;
}

rt::Residual get_account_for(std::string id, std::vector<std::string> roles, std::string attributes) {
  rt::PartialRequest request;
  request.principal = {std::move(id), std::move(roles), std::move(attributes)};
  request.target = "get_account";
  request.unknown_parameters = {"account"};
  request.now_ms = *rt::parse_timestamp("2026-12-01T00:00:00Z");
  return rt::partially_evaluate(sales(), request);
}

const rt::SqlColumnMap kAccountColumns = {{"account.owner", {"", "owner"}}, {"account.team", {"", "team"}}};

rt::SqlParameter text(std::string value) {
  rt::SqlParameter parameter;
  parameter.type = rt::SqlParameter::Type::Text;
  parameter.text = std::move(value);
  return parameter;
}

rt::SqlParameter integer(std::int64_t value) {
  rt::SqlParameter parameter;
  parameter.integer = value;
  return parameter;
}

}  // namespace

TEST_CASE("sales residuals as SQL", "[sql_where]") {
  auto rep = rt::to_sql_where(get_account_for("u-bob", {"rep"}, R"({"manages": []})"), kAccountColumns);
  REQUIRE(rep.ok());
  CHECK(rep.value().sql == R"("owner" = ?)");
  CHECK(rep.value().parameters == std::vector<rt::SqlParameter>{text("u-bob")});

  auto manager =
      rt::to_sql_where(get_account_for("u-carol", {"manager"}, R"({"manages": ["east", "west"]})"), kAccountColumns);
  REQUIRE(manager.ok());
  CHECK(manager.value().sql == R"("owner" = ? OR "team" IN (?, ?))");
  CHECK(manager.value().parameters == std::vector<rt::SqlParameter>{text("u-carol"), text("east"), text("west")});

  auto admin = rt::to_sql_where(get_account_for("u-dana", {"admin"}, R"({"manages": []})"), kAccountColumns);
  REQUIRE(admin.ok());
  CHECK(admin.value().sql == "1");
  CHECK(admin.value().parameters.empty());

  auto analyst = rt::to_sql_where(get_account_for("u-erin", {"analyst"}, R"({"manages": []})"), kAccountColumns);
  REQUIRE(analyst.ok());
  CHECK(analyst.value().sql == "0");

  auto qualified = rt::to_sql_where(get_account_for("u-bob", {"rep"}, R"({"manages": []})"),
                                    {{"account.owner", {"a", "own\"er"}}});
  REQUIRE(qualified.ok());
  CHECK(qualified.value().sql == R"("a"."own""er" = ?)");

  auto unmapped = rt::to_sql_where(get_account_for("u-carol", {"manager"}, R"({"manages": ["east"]})"),
                                   {{"account.owner", {"", "owner"}}});
  REQUIRE_FALSE(unmapped.ok());
  CHECK(unmapped.error() ==
        "cannot translate the residual condition to SQL: no column is mapped to `account.team`; deny the call or "
        "filter in memory");
}

TEST_CASE("optional columns compare NULL-safely; `in []` is 0", "[sql_where]") {
  rt::Engine engine = authz::testing::compile_policy_text(R"(policy sql_test;
role staff;
entity Row { owner: String, label: String?, size: Int, path: String, active: Bool }
tool pick(row: Row, tags: Set<String>) read;
/// Staff pick small rows.
allow small: staff may pick when args.row.size <= 10 && args.row.active;
/// Labelled rows only, never "secret".
deny labelled: pick unless args.row has label && !(args.row.label in ["secret", "hidden"]);
/// Rows must be among the tags.
deny tagged: pick unless args.row.owner in args.tags;
/// Paths under /pub only.
deny pub: pick unless args.row.path under "/pub";
)");
  rt::PartialRequest request;
  request.principal = {"u-1", {"staff"}, ""};
  request.target = "pick";
  request.unknown_parameters = {"row"};
  request.known_arguments_json = R"({"tags": []})";
  rt::Residual empty_tags = rt::partially_evaluate(engine, request);
  CHECK(empty_tags.kind == rt::ResidualKind::NeverAllowed);  // owner in [] never holds

  request.known_arguments_json = R"({"tags": ["u-1"]})";
  rt::Residual residual = rt::partially_evaluate(engine, request);
  CHECK(rt::render_condition_text(residual.condition) ==
        R"(row.size <= 10 && row.active && row has label && !(row.label in ["secret", "hidden"]) && row.owner in ["u-1"] && row.path under "/pub")");
  rt::SqlColumnMap columns = {{"row.size", {"", "size"}},   {"row.active", {"", "active"}},
                              {"row.label", {"", "label"}}, {"row.owner", {"", "owner"}},
                              {"row.path", {"", "path"}}};
  auto refused = rt::to_sql_where(residual, columns);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().find("`under` has no SQL translation") != std::string::npos);

  // The same without the `under` rule's part: everything else translates.
  rt::ResidualNode without_under = residual.condition;
  without_under.children.pop_back();
  auto sql = rt::to_sql_where(without_under, columns);
  REQUIRE(sql.ok());
  CHECK(sql.value().sql ==
        R"("size" <= ? AND "active" = ? AND "label" IS NOT NULL AND ("label" IS NOT NULL AND "label" NOT IN (?, ?)) AND "owner" IN (?))");
  CHECK(sql.value().parameters ==
        std::vector<rt::SqlParameter>{integer(10), integer(1), text("secret"), text("hidden"), text("u-1")});
}

TEST_CASE("identifiers are quoted, values never spliced", "[sql_where]") {
  CHECK(rt::quote_sql_identifier({"", "a b"}).value() == R"("a b")");
  CHECK_FALSE(rt::quote_sql_identifier({"", ""}).ok());
  CHECK_FALSE(rt::quote_sql_identifier({"", std::string("a\0b", 3)}).ok());

  std::string hostile = "' OR 1=1 --";
  rt::Residual residual = get_account_for(hostile, {"rep"}, R"({"manages": []})");
  auto where = rt::to_sql_where(residual, kAccountColumns);
  REQUIRE(where.ok());
  CHECK(where.value().sql == R"("owner" = ?)");
  CHECK(where.value().parameters == std::vector<rt::SqlParameter>{text(hostile)});

  // Run it against SQLite: only the hostile user's own row comes back.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "CREATE TABLE accounts(id TEXT, owner TEXT NOT NULL, team TEXT NOT NULL);"
                       "INSERT INTO accounts VALUES ('a1','u-bob','east'),('a2','u-carol','west'),"
                       "('a3',''' OR 1=1 --','east');",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  std::string query = "SELECT id FROM accounts WHERE " + where.value().sql + " ORDER BY id";
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, query.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  for (std::size_t i = 0; i < where.value().parameters.size(); ++i) {
    const rt::SqlParameter& parameter = where.value().parameters[i];
    int slot = static_cast<int>(i + 1);
    if (parameter.type == rt::SqlParameter::Type::Text) {
      sqlite3_bind_text(statement, slot, parameter.text.data(), static_cast<int>(parameter.text.size()), SQLITE_TRANSIENT);
    } else if (parameter.type == rt::SqlParameter::Type::Real) {
      sqlite3_bind_double(statement, slot, parameter.real);
    } else {
      sqlite3_bind_int64(statement, slot, parameter.integer);
    }
  }
  std::vector<std::string> ids;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  CHECK(ids == std::vector<std::string>{"a3"});
}
