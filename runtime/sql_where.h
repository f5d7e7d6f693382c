// sql_where.h — a Residual (partial_eval.h) as a parameterised SQL WHERE
// fragment, for hosts that filter rows in the database.
//
// Contract:
//   - to_sql_where never splices data into SQL text: every constant becomes a
//     `?` placeholder with a typed parameter, in placeholder order; column
//     names come only from the host's mapping and are always quoted
//     (`"owner"`, `"a"."owner"`; a `"` inside is doubled; a NUL is refused).
//   - AlwaysAllowed -> `1`, NeverAllowed -> `0`; `x in []` -> `0`.
//   - Every unknown in the condition must be mapped to a column; an unmapped
//     one is an error. Only `== != < <= > >=`, `in` / `not in`, `has`, `&&`,
//     `||` and `!` over scalars are translated; anything else (`under`,
//     `matches`, `contains` and every other relation of runtime/opcodes.def,
//     arithmetic, comparisons of lists / sets / maps / records, `all` / `any`
//     over a list) is an error
//     naming the operator: the host must then DENY (or filter in memory with
//     residual_holds). Errors never yield partial SQL.
//   - Semantics: the fragment holds for a row exactly when the residual holds
//     for the row's values, given the assumption in partial_eval.h. A column
//     mapped to an unknown that may be absent is compared NULL-safely
//     (`("region" IS NOT NULL AND "region" = ?)`), so absent values behave as
//     in the residual. A NULL in a column whose unknown is declared non-optional
//     violates the assumption; SQL's three-valued logic then never admits a
//     row the residual would not admit for every value of that column.
//   - Values: Bool -> integer 0/1, Int / Timestamp / Duration -> integer (ms
//     for times), Number -> real, String / entity id / Role name -> text.
//     Strings compare byte for byte: use the BINARY collation (SQLite's
//     default). Written for SQLite; plain SQL-92 otherwise.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/partial_eval.h"
#include "runtime/result.h"

namespace authz::runtime {

struct SqlColumn {
  std::string table;  // optional qualifier; "" = none
  std::string name;
};

// Unknown path as UnknownRef::text() writes it ("account.owner") -> column.
using SqlColumnMap = std::map<std::string, SqlColumn, std::less<>>;

struct SqlParameter {
  enum class Type : std::uint8_t { Integer, Real, Text };
  Type type = Type::Integer;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;

  friend bool operator==(const SqlParameter&, const SqlParameter&) = default;
};

struct SqlWhere {
  std::string sql;                      // e.g. `"owner" = ? OR "team" IN (?)`
  std::vector<SqlParameter> parameters; // one per `?`, in order
};

// The whole residual: `1` / `0` / the condition's translation.
Result<SqlWhere> to_sql_where(const Residual& residual, const SqlColumnMap& columns);
// One condition tree (e.g. a CandidateRule's).
Result<SqlWhere> to_sql_where(const ResidualNode& condition, const SqlColumnMap& columns);

// `"a"."b"` / `"b"`; an error for an empty name or a NUL byte.
Result<std::string> quote_sql_identifier(const SqlColumn& column);

}  // namespace authz::runtime
