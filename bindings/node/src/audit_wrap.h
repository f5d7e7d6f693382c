// audit_wrap.h — `NativeAuditLog`: the runtime's hash-chained audit log
// (runtime/audit_log.h) opened from JavaScript; NativeEngine::decide appends
// one record per decision to it.
//
// Contract: open in the constructor (AUTHZ_IO with the runtime's message when
// the file cannot be opened, is locked by another writer, or its last record
// does not verify); close() releases the file and its lock, after which
// appends fail (AUTHZ_AUDIT_UNAVAILABLE). One writer per file: a second
// NativeAuditLog on the same path, in any thread or process, is refused.
#pragma once

#include <napi.h>

#include <optional>

#include "runtime/audit_log.h"

namespace authz::node {

class AuditWrap : public Napi::ObjectWrap<AuditWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit AuditWrap(const Napi::CallbackInfo& info);

  // nullptr once closed.
  runtime::AuditLog* log() { return log_ ? &*log_ : nullptr; }

 private:
  Napi::Value head(const Napi::CallbackInfo& info);
  Napi::Value records(const Napi::CallbackInfo& info);
  Napi::Value close(const Napi::CallbackInfo& info);

  std::optional<runtime::AuditLog> log_;
};

}  // namespace authz::node
