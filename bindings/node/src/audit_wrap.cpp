// audit_wrap.cpp — see audit_wrap.h.
#include "audit_wrap.h"

#include <string>

#include "errors.h"

namespace authz::node {

Napi::Function AuditWrap::define(Napi::Env env) {
  return DefineClass(env, "NativeAuditLog",
                     {InstanceMethod<&AuditWrap::head>("head"), InstanceMethod<&AuditWrap::records>("records"),
                      InstanceMethod<&AuditWrap::close>("close")});
}

AuditWrap::AuditWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AuditWrap>(info) {
  if (info.Length() < 1 || !info[0].IsString())
    throw make_error(info.Env(), kCodeInvalidRequest, "the audit log's path must be a string");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  runtime::AuditLogOptions options;
  if (info.Length() > 1 && info[1].IsBoolean()) options.sync_every_record = info[1].As<Napi::Boolean>().Value();
  auto opened = runtime::AuditLog::open(path, options);
  if (!opened.ok())
    throw make_error(info.Env(), kCodeIo, "cannot open the audit log `" + path + "`: " + opened.error());
  log_.emplace(std::move(opened.value()));
}

Napi::Value AuditWrap::head(const Napi::CallbackInfo& info) {
  if (!log_) throw make_error(info.Env(), kCodeAuditUnavailable, "the audit log is closed");
  return Napi::String::New(info.Env(), log_->head_hash());
}

Napi::Value AuditWrap::records(const Napi::CallbackInfo& info) {
  if (!log_) throw make_error(info.Env(), kCodeAuditUnavailable, "the audit log is closed");
  return Napi::Number::New(info.Env(), static_cast<double>(log_->records()));
}

Napi::Value AuditWrap::close(const Napi::CallbackInfo& info) {
  log_.reset();
  return info.Env().Undefined();
}

}  // namespace authz::node
