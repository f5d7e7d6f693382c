// entities_wrap.cpp — see entities_wrap.h.
#include "entities_wrap.h"

#include <string>

#include "errors.h"

namespace authz::node {

Napi::Function EntitiesWrap::define(Napi::Env env) {
  return DefineClass(env, "NativeEntities", {InstanceMethod<&EntitiesWrap::size>("size")});
}

EntitiesWrap::EntitiesWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EntitiesWrap>(info) {
  if (info.Length() < 1 || !info[0].IsString())
    throw make_error(info.Env(), kCodeInvalidRequest, "entity data must be given as a JSON string");
  auto store = runtime::JsonEntityStore::from_json(info[0].As<Napi::String>().Utf8Value());
  if (!store.ok())
    throw make_error(info.Env(), kCodeInvalidRequest,
                     "invalid entity data: " + store.error() +
                         "\nhelp: entities are {\"Type\": {\"id\": {\"attribute\": value, ...}, ...}, ...}");
  store_.emplace(std::move(store.value()));
}

Napi::Value EntitiesWrap::size(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(store_->size()));
}

}  // namespace authz::node
