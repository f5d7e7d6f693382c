// result.h — a value or an error message, for APIs that must not throw.
//
// Contract: a Result holds exactly one of a T (ok()) or a non-empty error
// message. value() on a failed Result, or error() on a successful one, is a
// programming error (checked by assert in debug builds); callers test ok()
// first.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace authz::runtime {

template <class T>
class Result {
 public:
  static Result success(T value) {
    Result result;
    result.value_.emplace(std::move(value));
    return result;
  }
  static Result failure(std::string message) {
    Result result;
    result.error_ = message.empty() ? std::string("unknown error") : std::move(message);
    return result;
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  const std::string& error() const { return error_; }

 private:
  Result() = default;
  std::optional<T> value_;
  std::string error_;
};

}  // namespace authz::runtime
