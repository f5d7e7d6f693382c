// sales_db.h — the sales server's SQLite database: schema, demo seed, and
// the queries its tools run.
//
// Contract: every query is a prepared statement; values (ids, regions, the
// residual's constants) are always bound parameters, never spliced into SQL.
// The only SQL text from outside this file is a row filter produced by
// runtime/sql_where.h (itself placeholders only) and group columns from a
// fixed allow-list. Errors come back as Result failures, never exceptions.
// Not thread-safe: one connection, used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/entity_store.h"
#include "runtime/result.h"
#include "runtime/sql_where.h"

struct sqlite3;

namespace sales_server {

template <class T>
using Result = authz::runtime::Result<T>;

struct Account {
  std::string id, name, owner, team, region;
  std::int64_t pipeline = 0;  // open pipeline in whole dollars
};

struct SummaryGroup {
  std::string key;  // "" when not grouped
  std::int64_t records = 0;
  std::int64_t total = 0;
};

class SalesDb {
 public:
  // Opens (creating if needed) the database; seeds the demo data when the
  // accounts table is empty.
  static Result<std::unique_ptr<SalesDb>> open(const std::string& path);
  ~SalesDb();

  Result<std::optional<Account>> get_account(const std::string& id);
  // Rows matching `filter` (a parameterised fragment) AND the optional region,
  // newest first, at most `limit` rows.
  Result<std::vector<Account>> list_accounts(const authz::runtime::SqlWhere& filter,
                                             const std::optional<std::string>& region, std::int64_t limit);
  // Changes the allowed fields (name, region, pipeline); returns rows changed.
  Result<int> update_account(const std::string& id, const std::vector<std::pair<std::string, std::string>>& fields);
  Result<int> delete_records(const std::string& account_id, const std::vector<std::string>& ids);
  // Totals of `sales.amount` for one region, grouped by team / month /
  // product, or one group when `group_by` is empty.
  Result<std::vector<SummaryGroup>> sales_summary(const std::string& region, const std::string& group_by);
  // Bulk seeding for benchmarks: `count` extra accounts.
  Result<int> add_generated_accounts(int count);

  sqlite3* handle() const { return db_; }

 private:
  explicit SalesDb(sqlite3* db) : db_(db) {}
  Result<int> execute(const std::string& sql);
  Result<int> seed();
  sqlite3* db_ = nullptr;
};

// Entities for the runtime, read from the accounts table: `Account` ids map
// to {"owner", "team", "region"}. Entities are kept for the resolver's
// lifetime (one per request), as entity_store.h requires.
class SqliteAccountResolver final : public authz::runtime::EntityResolver {
 public:
  explicit SqliteAccountResolver(SalesDb& db) : db_(db) {}
  const authz::runtime::Entity* lookup(std::string_view entity_type, std::string_view id) const override;

 private:
  SalesDb& db_;
  mutable std::vector<std::pair<std::string, std::unique_ptr<authz::runtime::Entity>>> cache_;
};

}  // namespace sales_server
