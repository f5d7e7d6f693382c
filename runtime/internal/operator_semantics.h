// operator_semantics.h — what each operator of runtime/opcodes.def computes on
// values: the one implementation both the evaluator (evaluator.cpp) and
// partial evaluation (partial_symbolic.cpp, residual_holds in
// partial_interpret.cpp) use.
//
// Contract: pure functions of their operands, no allocation. They report
// OpStatus instead of failing a request themselves, so each caller keeps its
// own error handling (the evaluator records the node and why, partial
// evaluation treats any failure as "the term fails"). Results carry no taint
// (from_entity_data): the caller adds it. Inline, because the evaluator's
// decision loop calls them per node (bench/runtime_bench).
//   - relation: the Bool operators on two present values (== != < <= > >=
//     in contains containsAll containsAny under matches startsWith
//     endsWith); kinds that do not
//     fit are TypeMismatch, a path `under` cannot judge is InvalidPath (why in
//     `path`).
//   - checked_arithmetic: + and - on Int (overflow is an error), Int/Number
//     (as double; a non-finite result is an error), Timestamp ± Duration,
//     Duration + Timestamp, Timestamp - Timestamp (a Duration), Duration ±
//     Duration; integer overflow is Overflow.
//   - checked_negate: -x on Int and Duration (overflow checked) and Number.
// Private to the runtime.
#pragma once

#include <cmath>
#include <cstdint>

#include "runtime/internal/glob_match.h"
#include "runtime/internal/value_ops.h"
#include "runtime/internal/path_match.h"
#include "runtime/table_model.h"
#include "runtime/value.h"

namespace authz::runtime::internal {

enum class OpStatus : std::uint8_t { Ok, TypeMismatch, Overflow, InvalidPath };

inline bool is_numeric(const Value& v) { return v.kind == ValueKind::Int || v.kind == ValueKind::Number; }
inline double as_double(const Value& v) { return v.kind == ValueKind::Int ? static_cast<double>(v.integer) : v.number; }

// `op` is one of the Bool binary operators (anything else is TypeMismatch).
// `compiled` is `right`'s glob already compiled (Matches), or nullptr.
inline OpStatus relation(Opcode op, const Value& left, const Value& right, const GlobPattern* compiled,
                         bool& result, PathContainment& path) {
  switch (op) {
    case Opcode::Eq:
    case Opcode::Ne: {
      Equality equality = compare_equal(left, right);
      if (equality == Equality::Incomparable) return OpStatus::TypeMismatch;
      result = (equality == Equality::Equal) == (op == Opcode::Eq);
      return OpStatus::Ok;
    }
    case Opcode::Lt: case Opcode::Le: case Opcode::Gt: case Opcode::Ge: {
      auto order = compare_order(left, right);
      if (!order) return OpStatus::TypeMismatch;
      result = op == Opcode::Lt ? *order < 0 : op == Opcode::Le ? *order <= 0
             : op == Opcode::Gt ? *order > 0 : *order >= 0;
      return OpStatus::Ok;
    }
    case Opcode::In:
      if (!is_sequence(right)) return OpStatus::TypeMismatch;
      result = sequence_contains(right, left);
      return OpStatus::Ok;
    case Opcode::Contains:
      if (!is_sequence(left)) return OpStatus::TypeMismatch;
      result = sequence_contains(left, right);
      return OpStatus::Ok;
    case Opcode::ContainsAll:
    case Opcode::ContainsAny: {
      if (!is_sequence(left) || !is_sequence(right)) return OpStatus::TypeMismatch;
      bool all = op == Opcode::ContainsAll;
      result = all;
      for (std::uint32_t i = 0; i < right.size; ++i) {
        if (sequence_contains(left, right.items[i]) != all) {
          result = !all;
          break;
        }
      }
      return OpStatus::Ok;
    }
    case Opcode::Under:
      if (left.kind != ValueKind::String || right.kind != ValueKind::String) return OpStatus::TypeMismatch;
      path = path_under(left.string(), right.string());
      if (path.problem != PathProblem::None) return OpStatus::InvalidPath;
      result = path.under;
      return OpStatus::Ok;
    case Opcode::Matches:
      if (left.kind != ValueKind::String || right.kind != ValueKind::String) return OpStatus::TypeMismatch;
      result = compiled ? glob_matches(*compiled, left.string()) : glob_matches(right.string(), left.string());
      return OpStatus::Ok;
    case Opcode::StartsWith:
    case Opcode::EndsWith:
      // Byte for byte (UTF-8 is not normalised), case-sensitive; "" is a prefix of everything.
      if (left.kind != ValueKind::String || right.kind != ValueKind::String) return OpStatus::TypeMismatch;
      result = op == Opcode::StartsWith ? left.string().starts_with(right.string())
                                        : left.string().ends_with(right.string());
      return OpStatus::Ok;
#define AUTHZ_OPCODE(Name, ...) case Opcode::Name:
#define AUTHZ_RELATION_OPCODE(Name, ...)
#include "runtime/opcodes.def"
      break;  // every opcode that is not a relation between two values
  }
  return OpStatus::TypeMismatch;
}

inline OpStatus checked_arithmetic(bool add, const Value& a, const Value& b, Value& out) {
  auto checked = [add](std::int64_t x, std::int64_t y, std::int64_t& result) {
    return add ? !__builtin_add_overflow(x, y, &result) : !__builtin_sub_overflow(x, y, &result);
  };
  std::int64_t result = 0;
  if (a.kind == ValueKind::Int && b.kind == ValueKind::Int) {
    if (!checked(a.integer, b.integer, result)) return OpStatus::Overflow;
    out = Value::of_int(result);
    return OpStatus::Ok;
  }
  if (is_numeric(a) && is_numeric(b)) {
    double value = add ? as_double(a) + as_double(b) : as_double(a) - as_double(b);
    if (!std::isfinite(value)) return OpStatus::Overflow;
    out = Value::of_number(value);
    return OpStatus::Ok;
  }
  ValueKind ak = a.kind, bk = b.kind;
  ValueKind result_kind;
  if (ak == ValueKind::Timestamp && bk == ValueKind::Duration) {
    result_kind = ValueKind::Timestamp;
  } else if (add && ak == ValueKind::Duration && bk == ValueKind::Timestamp) {
    result_kind = ValueKind::Timestamp;
  } else if (!add && ak == ValueKind::Timestamp && bk == ValueKind::Timestamp) {
    result_kind = ValueKind::Duration;
  } else if (ak == ValueKind::Duration && bk == ValueKind::Duration) {
    result_kind = ValueKind::Duration;
  } else {
    return OpStatus::TypeMismatch;
  }
  if (!checked(a.integer, b.integer, result)) return OpStatus::Overflow;
  out = result_kind == ValueKind::Timestamp ? Value::of_timestamp(result) : Value::of_duration(result);
  return OpStatus::Ok;
}

inline OpStatus checked_negate(const Value& operand, Value& out) {
  switch (operand.kind) {
    case ValueKind::Int:
    case ValueKind::Duration: {
      std::int64_t result;
      if (__builtin_sub_overflow(std::int64_t{0}, operand.integer, &result)) return OpStatus::Overflow;
      out = operand.kind == ValueKind::Int ? Value::of_int(result) : Value::of_duration(result);
      return OpStatus::Ok;
    }
    case ValueKind::Number: out = Value::of_number(-operand.number); return OpStatus::Ok;
    default: return OpStatus::TypeMismatch;
  }
}

}  // namespace authz::runtime::internal
