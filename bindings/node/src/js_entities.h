// js_entities.h — entity look-ups answered by a synchronous JavaScript
// callback: `(type, id) => attributes | null | undefined`.
//
// Contract: lookup() calls the callback on the JavaScript thread that is
// evaluating (the only thread that may), converts the object it returns with
// JSON.stringify into a runtime Entity kept until the resolver is destroyed,
// and answers nullptr for null / undefined (no such entity). A callback that
// throws, or returns something that is not an object of JSON values, makes
// lookup() answer nullptr, keep the first failure (failed(), error()) and call
// the callback no more: the caller must then throw instead of using the
// decision (fail closed). Never lets a C++ exception escape (the evaluator is
// noexcept). Used for one evaluation at a time; not thread-safe.
#pragma once

#include <napi.h>

#include <deque>
#include <string>
#include <string_view>

#include "runtime/entity_store.h"

namespace authz::node {

class JsEntityResolver final : public runtime::EntityResolver {
 public:
  JsEntityResolver(Napi::Env env, Napi::Function callback) : env_(env), callback_(callback) {}

  const runtime::Entity* lookup(std::string_view entity_type, std::string_view id) const override;

  bool failed() const { return failed_; }
  // The failure as a JavaScript Error (code AUTHZ_ENTITY_LOOKUP), with the
  // callback's own error as `cause`.
  Napi::Error error() const;

 private:
  const runtime::Entity* ask(std::string_view entity_type, std::string_view id) const;  // may throw
  void fail(std::string message, Napi::Value cause) const;

  Napi::Env env_;
  Napi::Function callback_;
  mutable std::deque<runtime::Entity> entities_;  // stable addresses
  mutable bool failed_ = false;
  mutable std::string message_;
  mutable Napi::Reference<Napi::Value> cause_;  // an object that was thrown
  mutable std::string cause_text_;                // or a string
  mutable bool cause_is_text_ = false;
};

}  // namespace authz::node
