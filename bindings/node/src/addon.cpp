// addon.cpp — the Node-API module `authz_node.node`: registers NativeEngine,
// NativeAuditLog and NativeEntities and the library's version. index.js wraps
// them into the documented API (index.d.ts); nothing else should load this
// module directly.
#include <napi.h>

#include "addon.h"
#include "audit_wrap.h"
#include "engine_wrap.h"
#include "entities_wrap.h"

namespace authz::node {

AddonData& addon_data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

Napi::Object init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData(data);  // deleted with the environment
  Napi::Function engine = EngineWrap::define(env);
  Napi::Function audit_log = AuditWrap::define(env);
  Napi::Function entities = EntitiesWrap::define(env);
  data->engine = Napi::Persistent(engine);
  data->audit_log = Napi::Persistent(audit_log);
  data->entities = Napi::Persistent(entities);
  exports.Set("NativeEngine", engine);
  exports.Set("NativeAuditLog", audit_log);
  exports.Set("NativeEntities", entities);
  exports.Set("version", Napi::String::New(env, AUTHZ_VERSION));
  return exports;
}

}  // namespace authz::node

static Napi::Object authz_node_init(Napi::Env env, Napi::Object exports) { return authz::node::init(env, exports); }

NODE_API_MODULE(authz_node, authz_node_init)
