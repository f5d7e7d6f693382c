// entities_wrap.h — `NativeEntities`: entity data loaded once from JSON
// ({"Account": {"acc-1": {...}}}) into a runtime::JsonEntityStore, for many
// decisions. Immutable after construction (AUTHZ_INVALID_REQUEST when the JSON
// is not of that shape).
#pragma once

#include <napi.h>

#include <optional>

#include "runtime/entity_store.h"

namespace authz::node {

class EntitiesWrap : public Napi::ObjectWrap<EntitiesWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit EntitiesWrap(const Napi::CallbackInfo& info);

  const runtime::JsonEntityStore& store() const { return *store_; }

 private:
  Napi::Value size(const Napi::CallbackInfo& info);
  std::optional<runtime::JsonEntityStore> store_;
};

}  // namespace authz::node
