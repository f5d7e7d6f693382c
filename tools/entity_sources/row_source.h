// row_source.h — one SQL query that reads an entity's attributes by id, over
// one database (SQLite file or PostgreSQL server). Private to
// authz::entity_sources.
//
// Contract: a RowSource is created by open_sqlite_source() /
// open_postgresql_source(), which connect once and prepare the query: they
// fail (with a message that never holds a connection string) when the
// database cannot be opened, the query does not prepare, or it does not take
// exactly one parameter. columns() then describes the result columns, as
// the database declares them. fetch() runs the query with the id as its one
// bound parameter (never spliced into SQL) and reads at most one row; it is
// thread-safe (a small pool of connections, each with the statement
// prepared) and bounded in time (the configured timeout). A second row is
// ignored: the query should select by a key.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/entity_store.h"
#include "runtime/result.h"

namespace authz::entity_sources {

// What the database says a column holds, as far as checking goes.
enum class ColumnType : std::uint8_t {
  Unknown,    // an SQLite expression (no declared type): checked per value
  Text,
  Integer,
  Real,       // also numeric / decimal
  Boolean,
  Timestamp,  // PostgreSQL timestamptz (read as UTC)
  Json,       // json / jsonb, or an SQLite column declared JSON
  Other,      // anything else (bytea, arrays, intervals, ...): named in errors
};
const char* to_string(ColumnType type);

struct Column {
  std::string name;
  ColumnType type = ColumnType::Unknown;
  std::string declared;  // the database's own type name, for messages ("INTEGER", "int8")
};

// How fetch() turns a column's value into an EntityField.
enum class Conversion : std::uint8_t { Auto, Text, Integer, Real, Boolean, Timestamp, Json };

enum class FetchStatus : std::uint8_t { Found, NotFound, Failed };

struct FetchResult {
  FetchStatus status = FetchStatus::NotFound;
  std::string error;   // Failed: what went wrong (timeout, connection lost, ...), no credentials
  std::string detail;  // Failed: the database's own message, for the operator's log
  bool timed_out = false;  // Failed by the timeout (never retried)
};

struct SourceOptions {
  int timeout_ms = 1000;  // statement and wait bound
  int pool_size = 2;      // connections at most
};

class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual const std::vector<Column>& columns() const = 0;
  // Runs the query for `id`; on Found calls `row` with one field per column
  // (names from columns(), converted as `conversions` says), valid only
  // during the call.
  virtual FetchResult fetch(std::string_view id, const std::vector<Conversion>& conversions,
                            const std::function<void(std::span<const runtime::EntityField>)>& row) const = 0;
  // "sqlite `sales.db`" / "postgresql": for messages; never a connection string.
  virtual const std::string& describe() const = 0;
};

runtime::Result<std::unique_ptr<RowSource>> open_sqlite_source(const std::string& path, const std::string& query,
                                                                const SourceOptions& options);
runtime::Result<std::unique_ptr<RowSource>> open_postgresql_source(const std::string& conninfo,
                                                                    const std::string& query,
                                                                    const SourceOptions& options);

}  // namespace authz::entity_sources
