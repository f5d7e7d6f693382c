// postgresql_source.cpp — RowSource over PostgreSQL through libpq (see
// row_source.h): a small pool of connections, each with the query prepared
// as a named statement; every session read-only
// (default_transaction_read_only), in UTC, with statement_timeout set to
// the source's timeout; the id sent as the one text parameter of
// PQsendQueryPrepared, and the wait for the answer bounded on the client
// side too (a cancel, then the connection is dropped). Messages name the
// source as `postgresql` plus the server's SQLSTATE or libpq's category,
// never the connection string; libpq's own text goes to `detail` only.
#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "tools/entity_sources/connection_pool.h"
#include "tools/entity_sources/row_source.h"

namespace authz::entity_sources {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kStatement = "authz_entity";

// Type OIDs from PostgreSQL's pg_type.dat (stable across versions).
ColumnType postgresql_type(Oid oid) {
  switch (oid) {
    case 25: case 1043: case 1042: case 19: return ColumnType::Text;  // text, varchar, bpchar, name
    case 20: case 21: case 23: return ColumnType::Integer;             // int8, int2, int4
    case 700: case 701: case 1700: return ColumnType::Real;            // float4, float8, numeric
    case 16: return ColumnType::Boolean;
    case 1184: return ColumnType::Timestamp;                           // timestamptz
    case 114: case 3802: return ColumnType::Json;                      // json, jsonb
    default: return ColumnType::Other;
  }
}

std::string postgresql_type_name(Oid oid) {
  switch (oid) {
    case 25: return "text"; case 1043: return "varchar"; case 1042: return "char"; case 19: return "name";
    case 20: return "bigint"; case 21: return "smallint"; case 23: return "integer";
    case 700: return "real"; case 701: return "double precision"; case 1700: return "numeric";
    case 16: return "boolean"; case 1184: return "timestamptz"; case 1114: return "timestamp (without time zone)";
    case 114: return "json"; case 3802: return "jsonb"; case 1186: return "interval"; case 17: return "bytea";
    case 1009: return "text[]"; case 1015: return "varchar[]"; case 1082: return "date";
    default: return "type oid " + std::to_string(oid);
  }
}

// libpq's message, first line only, for the operator's log.
std::string first_line(const char* message) {
  std::string text = message ? message : "";
  auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

struct Connection {
  PGconn* conn = nullptr;
  bool used = false;  // has run a query before (may have gone stale in the pool)
  ~Connection() { PQfinish(conn); }
};

struct ResultGuard {
  PGresult* result;
  ~ResultGuard() { PQclear(result); }
};

class PostgresqlSource final : public RowSource {
 public:
  PostgresqlSource(std::string conninfo, std::string query, SourceOptions options)
      : conninfo_(std::move(conninfo)), query_(std::move(query)), options_(options), description_("postgresql") {}

  runtime::Result<std::unique_ptr<Connection>> connect() const {
    using R = runtime::Result<std::unique_ptr<Connection>>;
    auto connection = std::make_unique<Connection>();
    std::string connect_timeout = std::to_string(std::max(2, (options_.timeout_ms + 999) / 1000));
    // Our defaults first: the connection string's own keywords override them.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {connect_timeout.c_str(), "authz-entity-sources", conninfo_.c_str(), nullptr};
    connection->conn = PQconnectdbParams(keywords, values, 1);
    if (!connection->conn) return R::failure("cannot connect to postgresql: out of memory");
    if (PQstatus(connection->conn) != CONNECTION_OK) {
      // The first line is the message; libpq's reason (which server, why; never
      // a password: libpq does not echo one) follows for the operator's log.
      return R::failure("cannot connect to postgresql\n" + first_line(PQerrorMessage(connection->conn)));
    }
    std::string setup = "SET default_transaction_read_only = on; SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; "
                        "SET statement_timeout = " + std::to_string(options_.timeout_ms);
    ResultGuard set{PQexec(connection->conn, setup.c_str())};
    if (PQresultStatus(set.result) != PGRES_COMMAND_OK) {
      return R::failure("cannot set up the postgresql session\n" + first_line(PQerrorMessage(connection->conn)));
    }
    ResultGuard prepared{PQprepare(connection->conn, kStatement, query_.c_str(), 0, nullptr)};
    if (PQresultStatus(prepared.result) != PGRES_COMMAND_OK) {
      return R::failure("the query does not prepare in postgresql: " +
                        first_line(PQresultErrorField(prepared.result, PG_DIAG_MESSAGE_PRIMARY)));
    }
    return R::success(std::move(connection));
  }

  runtime::Result<bool> start() {
    using R = runtime::Result<bool>;
    auto first = connect();
    if (!first.ok()) {
      std::string message = first.error();
      if (auto newline = message.find('\n'); newline != std::string::npos) message[newline] = ':', message.insert(newline + 1, " ");
      return R::failure(message);
    }
    PGconn* conn = first.value()->conn;
    ResultGuard described{PQdescribePrepared(conn, kStatement)};
    if (PQresultStatus(described.result) != PGRES_COMMAND_OK) {
      return R::failure("the query cannot be described: " + first_line(PQerrorMessage(conn)));
    }
    int parameters = PQnparams(described.result);
    if (parameters != 1) {
      return R::failure("the query takes " + std::to_string(parameters) +
                        " parameters; it must take exactly one, the id (`$1`)");
    }
    Oid parameter = PQparamtype(described.result, 0);
    if (postgresql_type(parameter) == ColumnType::Integer) integer_id_ = true;
    else if (postgresql_type(parameter) != ColumnType::Text) {
      return R::failure("the query's parameter `$1` is of type " + postgresql_type_name(parameter) +
                        "; the id is text or an integer");
    }
    for (int i = 0; i < PQnfields(described.result); ++i) {
      Oid type = PQftype(described.result, i);
      columns_.push_back({PQfname(described.result, i), postgresql_type(type), postgresql_type_name(type)});
    }
    pool_.adopt(std::move(first.value()));
    return R::success(true);
  }

  const std::vector<Column>& columns() const override { return columns_; }
  const std::string& describe() const override { return description_; }

  FetchResult fetch(std::string_view id, const std::vector<Conversion>& conversions,
                    const std::function<void(std::span<const runtime::EntityField>)>& row) const override {
    // An integer key: an id that is no integer matches nothing (and is never sent).
    if (integer_id_ && !is_integer(id)) return {FetchStatus::NotFound, {}, {}, false};
    // A pooled connection may have died since its last use (the server
    // restarted): a query that finds it lost is tried once more, on a
    // fresh connection, before the lookup counts as failed.
    FetchResult result;
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::unique_ptr<Connection> connection;
      if (auto error = pool_.acquire(connection)) {
        auto newline = error->find('\n');
        if (newline == std::string::npos) return {FetchStatus::Failed, *error, {}, false};
        return {FetchStatus::Failed, error->substr(0, newline), error->substr(newline + 1), false};
      }
      bool broken = false;
      bool reused = connection->used;
      connection->used = true;
      result = run(*connection, id, conversions, row, broken);
      bool lost = broken || PQstatus(connection->conn) != CONNECTION_OK;
      if (lost) connection.reset();
      pool_.release(std::move(connection));
      if (!(lost && reused && result.status == FetchStatus::Failed && !result.timed_out)) break;
    }
    return result;
  }

 private:
  static bool is_integer(std::string_view id) {
    std::size_t i = !id.empty() && id[0] == '-' ? 1 : 0;
    if (i >= id.size() || id.size() - i > 18) return false;
    for (; i < id.size(); ++i) {
      if (id[i] < '0' || id[i] > '9') return false;
    }
    return true;
  }

  FetchResult run(Connection& connection, std::string_view id, const std::vector<Conversion>& conversions,
                  const std::function<void(std::span<const runtime::EntityField>)>& row, bool& broken) const {
    PGconn* conn = connection.conn;
    std::string id_text(id);  // libpq wants a NUL-terminated text parameter
    if (id_text.find('\0') != std::string::npos) return {FetchStatus::NotFound, {}, {}, false};
    const char* values[1] = {id_text.c_str()};
    if (!PQsendQueryPrepared(conn, kStatement, 1, values, nullptr, nullptr, 0)) {
      broken = true;
      return {FetchStatus::Failed, "the connection to the database is lost", first_line(PQerrorMessage(conn)), false};
    }
    // Wait for the answer, bounded: the server's statement_timeout should
    // fire first; this covers a server or network that stopped answering.
    auto deadline = Clock::now() + std::chrono::milliseconds(options_.timeout_ms + 500);
    while (PQisBusy(conn)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        if (PGcancel* cancel = PQgetCancel(conn)) {
          char buffer[256];
          PQcancel(cancel, buffer, sizeof buffer);
          PQfreeCancel(cancel);
        }
        broken = true;
        FetchResult late{FetchStatus::Failed, "the database did not answer within " + std::to_string(options_.timeout_ms) + " ms", {}, true};
        return late;
      }
      pollfd fd{PQsocket(conn), POLLIN, 0};
      if (fd.fd < 0 || ::poll(&fd, 1, static_cast<int>(left)) < 0 || !PQconsumeInput(conn)) {
        if (fd.fd >= 0 && errno == EINTR) continue;
        broken = true;
        return {FetchStatus::Failed, "the connection to the database is lost", first_line(PQerrorMessage(conn)), false};
      }
    }
    FetchResult outcome{FetchStatus::NotFound, {}, {}, false};
    bool first = true;
    while (PGresult* raw = PQgetResult(conn)) {
      ResultGuard result{raw};
      if (!first) continue;  // drain
      first = false;
      ExecStatusType status = PQresultStatus(raw);
      if (status != PGRES_TUPLES_OK) {
        const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
        std::string code = state ? state : "";
        outcome.status = FetchStatus::Failed;
        if (code == "57014") {
          outcome.error = "the query ran longer than " + std::to_string(options_.timeout_ms) + " ms";
          outcome.timed_out = true;
        }
        else if (code.rfind("08", 0) == 0 || code.rfind("57", 0) == 0 || PQstatus(conn) != CONNECTION_OK) {
          outcome.error = "the connection to the database is lost";
          broken = true;
        } else {
          outcome.error = "the query failed" + (code.empty() ? std::string() : " (SQLSTATE " + code + ")");
        }
        outcome.detail = first_line(PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY));
        continue;
      }
      if (PQntuples(raw) == 0) continue;
      outcome.status = FetchStatus::Found;
      read_row(raw, conversions, row);
    }
    return outcome;
  }

  void read_row(PGresult* result, const std::vector<Conversion>& conversions,
                const std::function<void(std::span<const runtime::EntityField>)>& row) const {
    using Kind = runtime::EntityField::Kind;
    std::size_t count = columns_.size();
    // No allocation for the usual handful of columns.
    runtime::EntityField small[16];
    std::vector<runtime::EntityField> many;
    std::span<runtime::EntityField> fields(small, count);
    if (count > 16) {
      many.resize(count);
      fields = many;
    }
    std::string timestamps[16];
    std::vector<std::string> more_timestamps(count > 16 ? count : 0);
    for (std::size_t i = 0; i < count; ++i) {
      int column = static_cast<int>(i);
      runtime::EntityField& field = fields[i];
      field.name = columns_[i].name;
      if (PQgetisnull(result, 0, column)) continue;  // Null
      const char* text = PQgetvalue(result, 0, column);
      std::string_view value(text, static_cast<std::size_t>(PQgetlength(result, 0, column)));
      switch (columns_[i].type) {
        case ColumnType::Integer:
          field.kind = Kind::Int;
          field.integer = std::strtoll(text, nullptr, 10);
          break;
        case ColumnType::Real:
          field.kind = Kind::Number;
          field.number = std::strtod(text, nullptr);
          break;
        case ColumnType::Boolean:
          field.kind = Kind::Bool;
          field.boolean = value == "t";
          break;
        case ColumnType::Json:
          field.kind = Kind::Json;
          field.text = value;
          break;
        case ColumnType::Timestamp: {
          // ISO style in UTC: `2026-12-01 00:00:00.123+00` -> `2026-12-01T00:00:00.123Z`.
          std::string& iso = i < 16 ? timestamps[i] : more_timestamps[i];
          iso.assign(value);
          if (iso.size() > 10 && iso[10] == ' ') iso[10] = 'T';
          if (iso.size() > 3 && iso.compare(iso.size() - 3, 3, "+00") == 0) iso.replace(iso.size() - 3, 3, "Z");
          field.kind = Kind::String;
          field.text = iso;
          break;
        }
        default:
          field.kind = conversions[i] == Conversion::Json ? Kind::Json : Kind::String;
          field.text = value;
          break;
      }
    }
    row(std::span<const runtime::EntityField>(fields.data(), fields.size()));
  }

  std::string conninfo_, query_;
  SourceOptions options_;
  std::string description_;
  std::vector<Column> columns_;
  bool integer_id_ = false;
  mutable ConnectionPool<Connection> pool_{options_.pool_size, options_.timeout_ms, [this] { return connect(); }};
};

}  // namespace

runtime::Result<std::unique_ptr<RowSource>> open_postgresql_source(const std::string& conninfo,
                                                                    const std::string& query,
                                                                    const SourceOptions& options) {
  using R = runtime::Result<std::unique_ptr<RowSource>>;
  auto source = std::make_unique<PostgresqlSource>(conninfo, query, options);
  auto started = source->start();
  if (!started.ok()) return R::failure(started.error());
  return R::success(std::move(source));
}

}  // namespace authz::entity_sources
