// sales_db.cpp — SQLite schema, seed and queries for the sales server (see
// sales_db.h). Every statement binds its values; see the header's contract.
#include "sales_db.h"

#include <sqlite3.h>

#include <charconv>
#include <string_view>

#include "runtime/internal/value_text.h"

namespace sales_server {
namespace {

using authz::runtime::SqlParameter;
using authz::runtime::SqlWhere;

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK) {
      error_ = sqlite3_errmsg(db);
      statement_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return statement_ != nullptr && error_.empty(); }
  const std::string& error() const { return error_; }
  sqlite3_stmt* get() { return statement_; }

  void bind_text(int index, std::string_view text) {
    if (!ok()) return;
    if (sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
      error_ = sqlite3_errmsg(db_);
  }
  void bind_int(int index, std::int64_t value) {
    if (ok() && sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) error_ = sqlite3_errmsg(db_);
  }
  void bind(int index, const SqlParameter& parameter) {
    switch (parameter.type) {
      case SqlParameter::Type::Integer: bind_int(index, parameter.integer); break;
      case SqlParameter::Type::Real:
        if (ok() && sqlite3_bind_double(statement_, index, parameter.real) != SQLITE_OK) error_ = sqlite3_errmsg(db_);
        break;
      case SqlParameter::Type::Text: bind_text(index, parameter.text); break;
    }
  }
  // SQLITE_ROW: true; SQLITE_DONE: false; an error sets error().
  bool step() {
    if (!ok()) return false;
    int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) error_ = sqlite3_errmsg(db_);
    return false;
  }
  std::string text(int column) {
    const unsigned char* text = sqlite3_column_text(statement_, column);
    return text ? std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(statement_, column)) : "";
  }
  std::int64_t integer(int column) { return sqlite3_column_int64(statement_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
  std::string error_;
};

template <class T>
Result<T> fail(const std::string& what, const std::string& error) {
  return Result<T>::failure(what + ": " + error);
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS accounts (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, team TEXT NOT NULL,
  region TEXT NOT NULL, pipeline INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS accounts_owner ON accounts(owner);
CREATE INDEX IF NOT EXISTS accounts_team ON accounts(team);
CREATE INDEX IF NOT EXISTS accounts_created ON accounts(created);
CREATE TABLE IF NOT EXISTS records (
  id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), kind TEXT NOT NULL, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sales (
  id INTEGER PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), region TEXT NOT NULL,
  team TEXT NOT NULL, owner TEXT NOT NULL, product TEXT NOT NULL, month TEXT NOT NULL, amount INTEGER NOT NULL);
)sql";

struct SeedAccount {
  const char *id, *name, *owner, *team, *region;
  std::int64_t pipeline;
};

// The six accounts of examples/sales/entities.json first, then more.
constexpr SeedAccount kAccounts[] = {
    {"acc-1", "Northwind Traders", "u-bob", "east", "north-america", 120000},
    {"acc-2", "Contoso Europe", "u-bob", "east", "europe", 80000},
    {"acc-7", "Fabrikam", "u-carol", "east", "north-america", 45000},
    {"acc-8", "Tailspin Toys", "u-carol", "east", "europe", 30000},
    {"acc-9", "Wingtip West", "u-hank", "west", "north-america", 99000},
    {"acc-12", "Adventure Works", "u-dana", "east", "north-america", 150000},
    {"acc-3", "Litware", "u-bob", "east", "europe", 20000},
    {"acc-10", "Proseware", "u-hank", "west", "europe", 61000},
    {"acc-11", "Lucerne Publishing", "u-ivy", "west", "apac", 18000},
    {"acc-13", "Margie's Travel", "u-dana", "east", "europe", 27000},
    {"acc-14", "Coho Winery", "u-carol", "east", "apac", 12000},
    {"acc-15", "Graphic Design Institute", "u-ivy", "west", "europe", 40000},
};

// Sales lines: region, product, count. Accounts of the region take turns.
struct SeedSales {
  const char *region, *product;
  int count;
};
constexpr SeedSales kSales[] = {
    {"europe", "crm-suite", 6}, {"europe", "analytics", 5}, {"europe", "training", 2},
    {"north-america", "crm-suite", 7}, {"north-america", "analytics", 3},
    {"apac", "crm-suite", 3},
};

}  // namespace

SalesDb::~SalesDb() { sqlite3_close(db_); }

Result<std::unique_ptr<SalesDb>> SalesDb::open(const std::string& path) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string error = handle ? sqlite3_errmsg(handle) : "out of memory";
    sqlite3_close(handle);
    return fail<std::unique_ptr<SalesDb>>("cannot open database `" + path + "`", error);
  }
  std::unique_ptr<SalesDb> db(new SalesDb(handle));
  sqlite3_busy_timeout(handle, 5000);
  if (auto done = db->execute(kSchema); !done.ok()) return Result<std::unique_ptr<SalesDb>>::failure(done.error());
  if (auto seeded = db->seed(); !seeded.ok()) return Result<std::unique_ptr<SalesDb>>::failure(seeded.error());
  return Result<std::unique_ptr<SalesDb>>::success(std::move(db));
}

Result<int> SalesDb::execute(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = message ? message : "unknown error";
    sqlite3_free(message);
    return fail<int>("sql", error);
  }
  return Result<int>::success(sqlite3_changes(db_));
}

Result<int> SalesDb::seed() {
  {
    Statement count(db_, "SELECT COUNT(*) FROM accounts");
    if (!count.step()) return fail<int>("seed", count.error());
    if (count.integer(0) > 0) return Result<int>::success(0);
  }
  if (auto begun = execute("BEGIN"); !begun.ok()) return begun;
  std::int64_t created = 1;
  for (const SeedAccount& account : kAccounts) {
    Statement insert(db_, "INSERT INTO accounts(id, name, owner, team, region, pipeline, created) VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.bind_text(1, account.id);
    insert.bind_text(2, account.name);
    insert.bind_text(3, account.owner);
    insert.bind_text(4, account.team);
    insert.bind_text(5, account.region);
    insert.bind_int(6, account.pipeline);
    insert.bind_int(7, created++);
    insert.step();
    if (!insert.ok()) return fail<int>("seed accounts", insert.error());
  }
  int record = 1;
  for (const SeedAccount& account : kAccounts) {
    for (const char* kind : {"note", "activity"}) {
      Statement insert(db_, "INSERT INTO records(id, account_id, kind, note) VALUES (?, ?, ?, ?)");
      insert.bind_text(1, "rec-" + std::to_string(record++));
      insert.bind_text(2, account.id);
      insert.bind_text(3, kind);
      insert.bind_text(4, std::string(kind) + " on " + account.name);
      insert.step();
      if (!insert.ok()) return fail<int>("seed records", insert.error());
    }
  }
  for (const SeedSales& line : kSales) {
    std::vector<const SeedAccount*> region_accounts;
    for (const SeedAccount& account : kAccounts)
      if (std::string_view(account.region) == line.region) region_accounts.push_back(&account);
    for (int i = 0; i < line.count; ++i) {
      const SeedAccount& account = *region_accounts[static_cast<std::size_t>(i) % region_accounts.size()];
      Statement insert(db_, "INSERT INTO sales(account_id, region, team, owner, product, month, amount) VALUES (?, ?, ?, ?, ?, ?, ?)");
      insert.bind_text(1, account.id);
      insert.bind_text(2, line.region);
      insert.bind_text(3, account.team);
      insert.bind_text(4, account.owner);
      insert.bind_text(5, line.product);
      insert.bind_text(6, i % 2 ? "2026-10" : "2026-11");
      insert.bind_int(7, 1000 * (i + 1));
      insert.step();
      if (!insert.ok()) return fail<int>("seed sales", insert.error());
    }
  }
  return execute("COMMIT");
}

Result<int> SalesDb::add_generated_accounts(int count) {
  if (auto begun = execute("BEGIN"); !begun.ok()) return begun;
  static constexpr const char* kOwners[] = {"u-bob", "u-carol", "u-dana", "u-hank", "u-ivy", "u-jo", "u-kim", "u-lee"};
  static constexpr const char* kTeams[] = {"east", "west", "north", "south"};
  static constexpr const char* kRegions[] = {"europe", "north-america", "apac"};
  Statement insert(db_, "INSERT INTO accounts(id, name, owner, team, region, pipeline, created) VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (int i = 0; i < count; ++i) {
    sqlite3_reset(insert.get());
    insert.bind_text(1, "gen-" + std::to_string(i));
    insert.bind_text(2, "Generated " + std::to_string(i));
    insert.bind_text(3, kOwners[i % 8]);
    insert.bind_text(4, kTeams[(i / 8) % 4]);
    insert.bind_text(5, kRegions[i % 3]);
    insert.bind_int(6, i);
    insert.bind_int(7, 1000 + i);
    insert.step();
    if (!insert.ok()) return fail<int>("generate accounts", insert.error());
  }
  if (auto committed = execute("COMMIT"); !committed.ok()) return committed;
  return Result<int>::success(count);
}

Result<std::optional<Account>> SalesDb::get_account(const std::string& id) {
  Statement select(db_, "SELECT id, name, owner, team, region, pipeline FROM accounts WHERE id = ?");
  select.bind_text(1, id);
  if (!select.step()) {
    if (!select.ok()) return fail<std::optional<Account>>("get_account", select.error());
    return Result<std::optional<Account>>::success(std::nullopt);
  }
  Account account{select.text(0), select.text(1), select.text(2), select.text(3), select.text(4), select.integer(5)};
  return Result<std::optional<Account>>::success(std::move(account));
}

Result<std::vector<Account>> SalesDb::list_accounts(const SqlWhere& filter, const std::optional<std::string>& region,
                                                    std::int64_t limit) {
  std::string sql = "SELECT id, name, owner, team, region, pipeline FROM accounts WHERE (" + filter.sql + ")";
  if (region) sql += " AND region = ?";
  sql += " ORDER BY created DESC LIMIT ?";
  Statement select(db_, sql);
  int index = 1;
  for (const SqlParameter& parameter : filter.parameters) select.bind(index++, parameter);
  if (region) select.bind_text(index++, *region);
  select.bind_int(index, limit);
  std::vector<Account> rows;
  while (select.step()) {
    rows.push_back({select.text(0), select.text(1), select.text(2), select.text(3), select.text(4), select.integer(5)});
  }
  if (!select.ok()) return fail<std::vector<Account>>("list_accounts", select.error());
  return Result<std::vector<Account>>::success(std::move(rows));
}

Result<int> SalesDb::update_account(const std::string& id, const std::vector<std::pair<std::string, std::string>>& fields) {
  if (auto begun = execute("BEGIN"); !begun.ok()) return begun;
  int changed = 0;
  for (const auto& [field, value] : fields) {
    // Column names from this fixed list only; the caller validated them.
    std::string column = field == "name" ? "name" : field == "region" ? "region" : field == "pipeline" ? "pipeline" : "";
    if (column.empty()) {
      execute("ROLLBACK");
      return Result<int>::failure("field `" + field + "` cannot be changed");
    }
    Statement update(db_, "UPDATE accounts SET " + column + " = ? WHERE id = ?");
    if (column == "pipeline") {
      std::int64_t amount = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), amount);
      if (error != std::errc() || end != value.data() + value.size()) {
        execute("ROLLBACK");
        return Result<int>::failure("field `pipeline` must be a whole number");
      }
      update.bind_int(1, amount);
    } else {
      update.bind_text(1, value);
    }
    update.bind_text(2, id);
    update.step();
    if (!update.ok()) {
      execute("ROLLBACK");
      return fail<int>("update_account", update.error());
    }
    changed += sqlite3_changes(db_);
  }
  if (auto committed = execute("COMMIT"); !committed.ok()) return committed;
  return Result<int>::success(changed);
}

Result<int> SalesDb::delete_records(const std::string& account_id, const std::vector<std::string>& ids) {
  if (auto begun = execute("BEGIN"); !begun.ok()) return begun;
  int deleted = 0;
  for (const std::string& id : ids) {
    Statement remove(db_, "DELETE FROM records WHERE id = ? AND account_id = ?");
    remove.bind_text(1, id);
    remove.bind_text(2, account_id);
    remove.step();
    if (!remove.ok()) {
      execute("ROLLBACK");
      return fail<int>("delete_records", remove.error());
    }
    deleted += sqlite3_changes(db_);
  }
  if (auto committed = execute("COMMIT"); !committed.ok()) return committed;
  return Result<int>::success(deleted);
}

Result<std::vector<SummaryGroup>> SalesDb::sales_summary(const std::string& region, const std::string& group_by) {
  // Group columns from this fixed list only.
  std::string column = group_by.empty() ? "''" : group_by == "team" ? "team" : group_by == "month" ? "month"
                                              : group_by == "product" ? "product" : "";
  if (column.empty()) return Result<std::vector<SummaryGroup>>::failure("cannot group by `" + group_by + "`");
  Statement select(db_, "SELECT " + column + ", COUNT(*), SUM(amount) FROM sales WHERE region = ? GROUP BY 1 ORDER BY 1");
  select.bind_text(1, region);
  std::vector<SummaryGroup> groups;
  while (select.step()) groups.push_back({select.text(0), select.integer(1), select.integer(2)});
  if (!select.ok()) return fail<std::vector<SummaryGroup>>("sales_summary", select.error());
  return Result<std::vector<SummaryGroup>>::success(std::move(groups));
}

const authz::runtime::Entity* SqliteAccountResolver::lookup(std::string_view entity_type, std::string_view id) const {
  if (entity_type != "Account") return nullptr;
  for (const auto& [cached_id, entity] : cache_)
    if (cached_id == id) return entity.get();
  auto account = db_.get_account(std::string(id));
  if (!account.ok() || !account.value()) return nullptr;  // not found: the rule that needs it errs (fails closed)
  const Account& row = *account.value();
  std::string json = "{\"owner\":" + authz::runtime::quoted(row.owner) + ",\"team\":" + authz::runtime::quoted(row.team) +
                     ",\"region\":" + authz::runtime::quoted(row.region) + "}";
  auto entity = authz::runtime::Entity::from_json(json);
  if (!entity.ok()) return nullptr;
  cache_.emplace_back(std::string(id), std::make_unique<authz::runtime::Entity>(std::move(entity).value()));
  return cache_.back().second.get();
}

}  // namespace sales_server
