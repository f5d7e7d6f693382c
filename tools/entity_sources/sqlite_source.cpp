// sqlite_source.cpp — RowSource over an SQLite file (see row_source.h):
// opened read-only (SQLITE_OPEN_READONLY, PRAGMA query_only), one prepared
// statement per pooled connection, the id bound as text, a progress handler
// that interrupts a statement running past the timeout, busy_timeout for a
// writer holding a lock.
#include <sqlite3.h>

#include <chrono>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <span>

#include "tools/entity_sources/connection_pool.h"
#include "tools/entity_sources/row_source.h"

namespace authz::entity_sources {
namespace {

using Clock = std::chrono::steady_clock;

ColumnType sqlite_type(const char* declared) {
  if (!declared) return ColumnType::Unknown;
  std::string type;
  for (const char* c = declared; *c; ++c) type += static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
  // SQLite's affinity rules (https://www.sqlite.org/datatype3.html, 3.1), with
  // BOOL and JSON named first: they carry a meaning affinity does not.
  if (type.find("BOOL") != std::string::npos) return ColumnType::Boolean;
  if (type.find("JSON") != std::string::npos) return ColumnType::Json;
  if (type.find("INT") != std::string::npos) return ColumnType::Integer;
  if (type.find("CHAR") != std::string::npos || type.find("CLOB") != std::string::npos ||
      type.find("TEXT") != std::string::npos)
    return ColumnType::Text;
  if (type.find("BLOB") != std::string::npos || type.empty()) return ColumnType::Other;
  if (type.find("REAL") != std::string::npos || type.find("FLOA") != std::string::npos ||
      type.find("DOUB") != std::string::npos)
    return ColumnType::Real;
  return ColumnType::Real;  // NUMERIC affinity
}

struct Connection {
  sqlite3* db = nullptr;
  sqlite3_stmt* statement = nullptr;
  Clock::time_point deadline{};
  ~Connection() {
    sqlite3_finalize(statement);
    sqlite3_close(db);
  }
};

int progress(void* context) {
  auto* connection = static_cast<Connection*>(context);
  return Clock::now() > connection->deadline ? 1 : 0;  // non-zero interrupts the statement
}

class SqliteSource final : public RowSource {
 public:
  SqliteSource(std::string path, std::string query, SourceOptions options)
      : path_(std::move(path)), query_(std::move(query)), options_(options),
        description_("sqlite `" + path_ + "`") {}

  // Opens one connection and prepares the query on it.
  runtime::Result<std::unique_ptr<Connection>> connect() const {
    using R = runtime::Result<std::unique_ptr<Connection>>;
    auto connection = std::make_unique<Connection>();
    int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path_.c_str(), &connection->db, flags, nullptr) != SQLITE_OK) {
      return R::failure("cannot open " + description_ + " read-only: " +
                        (connection->db ? sqlite3_errmsg(connection->db) : "out of memory"));
    }
    sqlite3_busy_timeout(connection->db, options_.timeout_ms);
    sqlite3_exec(connection->db, "PRAGMA query_only = 1", nullptr, nullptr, nullptr);
    const char* tail = nullptr;
    if (sqlite3_prepare_v3(connection->db, query_.c_str(), static_cast<int>(query_.size()), SQLITE_PREPARE_PERSISTENT,
                           &connection->statement, &tail) != SQLITE_OK) {
      return R::failure("the query does not prepare in " + description_ + ": " + sqlite3_errmsg(connection->db));
    }
    if (!connection->statement) return R::failure("the query is empty");
    for (; tail && *tail; ++tail) {
      if (!std::isspace(static_cast<unsigned char>(*tail)) && *tail != ';') {
        return R::failure("the query holds more than one statement");
      }
    }
    if (!sqlite3_stmt_readonly(connection->statement)) return R::failure("the query would write to the database");
    sqlite3_progress_handler(connection->db, 1000, progress, connection.get());
    return R::success(std::move(connection));
  }

  runtime::Result<bool> start() {
    auto first = connect();
    if (!first.ok()) return runtime::Result<bool>::failure(first.error());
    sqlite3_stmt* statement = first.value()->statement;
    int parameters = sqlite3_bind_parameter_count(statement);
    if (parameters != 1) {
      return runtime::Result<bool>::failure("the query takes " + std::to_string(parameters) +
                                            " parameters; it must take exactly one, the id (`?`)");
    }
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      const char* declared = sqlite3_column_decltype(statement, i);
      columns_.push_back({sqlite3_column_name(statement, i), sqlite_type(declared), declared ? declared : ""});
    }
    pool_.adopt(std::move(first.value()));
    return runtime::Result<bool>::success(true);
  }

  const std::vector<Column>& columns() const override { return columns_; }
  const std::string& describe() const override { return description_; }

  FetchResult fetch(std::string_view id, const std::vector<Conversion>& conversions,
                    const std::function<void(std::span<const runtime::EntityField>)>& row) const override {
    std::unique_ptr<Connection> connection;
    if (auto error = pool_.acquire(connection)) return {FetchStatus::Failed, *error, {}, false};
    FetchResult result = run(*connection, id, conversions, row);
    pool_.release(std::move(connection));
    return result;
  }

 private:
  FetchResult run(Connection& connection, std::string_view id, const std::vector<Conversion>& conversions,
                  const std::function<void(std::span<const runtime::EntityField>)>& row) const {
    sqlite3_stmt* statement = connection.statement;
    connection.deadline = Clock::now() + std::chrono::milliseconds(options_.timeout_ms);
    sqlite3_reset(statement);
    sqlite3_bind_text(statement, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    int step = sqlite3_step(statement);
    FetchResult result;
    if (step == SQLITE_ROW) {
      result.status = FetchStatus::Found;
      auto count = static_cast<std::size_t>(sqlite3_column_count(statement));
      runtime::EntityField fields[64];
      std::vector<runtime::EntityField> many;
      runtime::EntityField* out = fields;
      if (count > 64) {
        many.resize(count);
        out = many.data();
      }
      for (std::size_t i = 0; i < count; ++i) read_column(statement, static_cast<int>(i), conversions[i], out[i]);
      row(std::span<const runtime::EntityField>(out, count));
    } else if (step == SQLITE_DONE) {
      result.status = FetchStatus::NotFound;
    } else {
      result.status = FetchStatus::Failed;
      result.error = step == SQLITE_INTERRUPT ? "the query ran longer than " + std::to_string(options_.timeout_ms) + " ms"
                                              : std::string("the query failed: ") + sqlite3_errstr(step);
      result.detail = sqlite3_errmsg(connection.db);
    }
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    return result;
  }

  void read_column(sqlite3_stmt* statement, int i, Conversion conversion, runtime::EntityField& field) const {
    using Kind = runtime::EntityField::Kind;
    field = {};
    field.name = columns_[static_cast<std::size_t>(i)].name;
    switch (sqlite3_column_type(statement, i)) {
      case SQLITE_NULL: field.kind = Kind::Null; return;
      case SQLITE_INTEGER: {
        std::int64_t value = sqlite3_column_int64(statement, i);
        if (conversion == Conversion::Boolean && (value == 0 || value == 1)) {
          field.kind = Kind::Bool;
          field.boolean = value == 1;
        } else {
          field.kind = Kind::Int;
          field.integer = value;
        }
        return;
      }
      case SQLITE_FLOAT:
        field.kind = Kind::Number;
        field.number = sqlite3_column_double(statement, i);
        return;
      default: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
        int size = sqlite3_column_bytes(statement, i);
        field.text = std::string_view(text ? text : "", static_cast<std::size_t>(size));
        field.kind = conversion == Conversion::Json ? Kind::Json : Kind::String;
        return;
      }
    }
  }

  std::string path_, query_;
  SourceOptions options_;
  std::string description_;
  std::vector<Column> columns_;
  mutable ConnectionPool<Connection> pool_{options_.pool_size, options_.timeout_ms, [this] { return connect(); }};
};

}  // namespace

runtime::Result<std::unique_ptr<RowSource>> open_sqlite_source(const std::string& path, const std::string& query,
                                                                const SourceOptions& options) {
  using R = runtime::Result<std::unique_ptr<RowSource>>;
  auto source = std::make_unique<SqliteSource>(path, query, options);
  auto started = source->start();
  if (!started.ok()) return R::failure(started.error());
  return R::success(std::move(source));
}

}  // namespace authz::entity_sources
