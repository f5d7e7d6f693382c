// sql_where.cpp — see sql_where.h. A recursive translation that either
// produces SQL for the whole tree or an error: it never returns a fragment
// with a hole in it.
#include "runtime/sql_where.h"

#include <fmt/format.h>

namespace authz::runtime {
namespace {

class SqlTranslator {
 public:
  explicit SqlTranslator(const SqlColumnMap& columns) : columns_(columns) {}

  bool condition(const ResidualNode& node, std::string& out, int depth = 0) {
    if (depth > 256) return fail("the condition is nested too deeply");
    switch (node.op) {
      case ResidualOp::True: out += "1"; return true;
      case ResidualOp::False: out += "0"; return true;
      case ResidualOp::Not:
        out += "NOT (";
        if (!condition(node.children[0], out, depth + 1)) return false;
        out += ")";
        return true;
      case ResidualOp::And:
      case ResidualOp::Or:
        for (std::size_t i = 0; i < node.children.size(); ++i) {
          if (i) out += node.op == ResidualOp::And ? " AND " : " OR ";
          bool nested = node.children[i].op == ResidualOp::And || node.children[i].op == ResidualOp::Or;
          if (nested) out += "(";
          if (!condition(node.children[i], out, depth + 1)) return false;
          if (nested) out += ")";
        }
        return true;
      case ResidualOp::All:
      case ResidualOp::Any:
        return fail(fmt::format("`{}` over a list cannot be translated to SQL (the list is one value, not rows); "
                                "filter in memory with residual_holds",
                                to_string(node.op)));
      case ResidualOp::Present: {
        std::string column;
        if (!column_of(node.children[0], column)) return false;
        out += column + " IS NOT NULL";
        return true;
      }
      default: break;
    }
    return comparison(node, out);
  }

  std::vector<SqlParameter> take_parameters() { return std::move(parameters_); }
  const std::string& error() const { return error_; }

 private:
  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  bool column_of(const ResidualNode& node, std::string& out) {
    if (node.op != ResidualOp::Unknown) return fail("expected an unknown attribute");
    std::string name = node.unknown.text();
    auto found = columns_.find(name);
    if (found == columns_.end()) return fail(fmt::format("no column is mapped to `{}`", name));
    auto quoted = quote_sql_identifier(found->second);
    if (!quoted.ok()) return fail(quoted.error());
    out = quoted.value();
    return true;
  }

  static bool scalar(ValueKind kind) {
    switch (kind) {
      case ValueKind::Bool: case ValueKind::Int: case ValueKind::Number: case ValueKind::String:
      case ValueKind::Timestamp: case ValueKind::Duration: case ValueKind::Role:
        return true;
      default: return false;
    }
  }

  static bool scalar(TypeKind kind) {
    switch (kind) {
      case TypeKind::Bool: case TypeKind::Int: case TypeKind::Number: case TypeKind::String:
      case TypeKind::Timestamp: case TypeKind::Duration: case TypeKind::Role: case TypeKind::Entity:
        return true;
      default: return false;
    }
  }

  bool parameter(const ResidualValue& value, std::string& out) {
    SqlParameter parameter;
    switch (value.kind) {
      case ValueKind::Bool: parameter.integer = value.boolean ? 1 : 0; break;
      case ValueKind::Int:
      case ValueKind::Timestamp:
      case ValueKind::Duration: parameter.integer = value.integer; break;
      case ValueKind::Number:
        parameter.type = SqlParameter::Type::Real;
        parameter.real = value.number;
        break;
      case ValueKind::String:
      case ValueKind::Role:
        parameter.type = SqlParameter::Type::Text;
        parameter.text = value.text;
        break;
      default: return fail(fmt::format("a `{}` value has no SQL form", to_string(value.kind)));
    }
    parameters_.push_back(std::move(parameter));
    out += "?";
    return true;
  }

  // A scalar operand: a mapped column (may_be_absent noted) or a parameter.
  bool operand(const ResidualNode& node, std::string& out, bool& nullable) {
    if (node.op == ResidualOp::Unknown) {
      if (!scalar(node.unknown.kind)) {
        return fail(fmt::format("`{}` is a {} and cannot be compared in SQL", node.unknown.text(),
                                to_string(node.unknown.kind)));
      }
      std::string column;
      if (!column_of(node, column)) return false;
      nullable = nullable || node.unknown.may_be_absent;
      out += column;
      return true;
    }
    if (node.op == ResidualOp::Constant) {
      if (!scalar(node.constant.kind)) {
        return fail(fmt::format("a `{}` constant cannot be compared in SQL", to_string(node.constant.kind)));
      }
      return parameter(node.constant, out);
    }
    return fail(fmt::format("`{}` has no SQL translation", to_string(node.op)));
  }

  // The elements of the right side of `in`: a constant list or a list term.
  bool elements(const ResidualNode& node, std::vector<std::string>& out, std::vector<std::string>& nullable_columns) {
    if (node.op == ResidualOp::Constant && (node.constant.kind == ValueKind::List || node.constant.kind == ValueKind::Set)) {
      for (const ResidualValue& item : node.constant.items) {
        if (!scalar(item.kind)) return fail("a list of non-scalar values cannot be compared in SQL");
        std::string text;
        if (!parameter(item, text)) return false;
        out.push_back(text);
      }
      return true;
    }
    if (node.op == ResidualOp::List) {
      for (const ResidualNode& child : node.children) {
        std::string text;
        bool nullable = false;
        if (!operand(child, text, nullable)) return false;
        if (nullable) nullable_columns.push_back(text);
        out.push_back(text);
      }
      return true;
    }
    return fail("`in` over a column that holds a collection has no SQL translation");
  }

  bool comparison(const ResidualNode& node, std::string& out) {
    const char* sql_op = nullptr;
    switch (node.op) {
      case ResidualOp::Eq: sql_op = "="; break;
      case ResidualOp::Ne: sql_op = "<>"; break;
      case ResidualOp::Lt: sql_op = "<"; break;
      case ResidualOp::Le: sql_op = "<="; break;
      case ResidualOp::Gt: sql_op = ">"; break;
      case ResidualOp::Ge: sql_op = ">="; break;
      case ResidualOp::In:
      case ResidualOp::NotIn: return membership(node, out);
      default: return fail(fmt::format("`{}` has no SQL translation", to_string(node.op)));
    }
    std::string left, right;
    bool nullable = false;
    std::vector<std::string> nullable_columns;
    if (!operand(node.children[0], left, nullable)) return false;
    if (nullable) nullable_columns.push_back(left);
    nullable = false;
    if (!operand(node.children[1], right, nullable)) return false;
    if (nullable) nullable_columns.push_back(right);
    // An absent (NULL) operand makes the comparison false, not unknown.
    std::string text = left + " " + sql_op + " " + right;
    out += guarded(text, nullable_columns);
    return true;
  }

  bool membership(const ResidualNode& node, std::string& out) {
    bool negative = node.op == ResidualOp::NotIn;
    std::string left;
    bool nullable = false;
    std::vector<std::string> nullable_columns;
    if (!operand(node.children[0], left, nullable)) return false;
    if (nullable) nullable_columns.push_back(left);
    std::vector<std::string> items;
    if (!elements(node.children[1], items, nullable_columns)) return false;
    if (items.empty()) {
      // `x in []` is false; `x not in []` holds when x is there.
      if (!negative) {
        out += "0";
      } else {
        out += nullable_columns.empty() ? std::string("1") : guarded("1", nullable_columns);
      }
      return true;
    }
    std::string text = left + (negative ? " NOT IN (" : " IN (");
    for (std::size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
    text += ")";
    out += guarded(text, nullable_columns);
    return true;
  }

  static std::string guarded(const std::string& text, const std::vector<std::string>& nullable_columns) {
    if (nullable_columns.empty()) return text;
    std::string out = "(";
    for (const std::string& column : nullable_columns) out += column + " IS NOT NULL AND ";
    return out + text + ")";
  }

  const SqlColumnMap& columns_;
  std::vector<SqlParameter> parameters_;
  std::string error_;
};

}  // namespace

Result<std::string> quote_sql_identifier(const SqlColumn& column) {
  auto quote = [](const std::string& name, std::string& out) {
    if (name.empty() || name.find('\0') != std::string::npos) return false;
    out += '"';
    for (char c : name) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
    return true;
  };
  std::string out;
  if (!column.table.empty()) {
    if (!quote(column.table, out)) return Result<std::string>::failure("a table name is empty or contains a NUL byte");
    out += '.';
  }
  if (!quote(column.name, out)) return Result<std::string>::failure("a column name is empty or contains a NUL byte");
  return Result<std::string>::success(std::move(out));
}

Result<SqlWhere> to_sql_where(const ResidualNode& condition, const SqlColumnMap& columns) {
  SqlTranslator translator(columns);
  SqlWhere where;
  if (!translator.condition(condition, where.sql)) {
    return Result<SqlWhere>::failure("cannot translate the residual condition to SQL: " + translator.error() +
                                     "; deny the call or filter in memory");
  }
  where.parameters = translator.take_parameters();
  return Result<SqlWhere>::success(std::move(where));
}

Result<SqlWhere> to_sql_where(const Residual& residual, const SqlColumnMap& columns) {
  switch (residual.kind) {
    case ResidualKind::AlwaysAllowed: return Result<SqlWhere>::success({"1", {}});
    case ResidualKind::NeverAllowed: return Result<SqlWhere>::success({"0", {}});
    case ResidualKind::Conditional: return to_sql_where(residual.condition, columns);
  }
  return Result<SqlWhere>::success({"0", {}});
}

}  // namespace authz::runtime
