// addon.h — the addon's per-environment instance data: the constructors of
// its classes, kept per Node-API environment (the main thread and each worker
// thread get their own; the addon has no global state), so that one class can
// recognise another's instances (`instanceof`) before unwrapping them.
#pragma once

#include <napi.h>

namespace authz::node {

struct AddonData {
  Napi::FunctionReference engine;
  Napi::FunctionReference audit_log;
  Napi::FunctionReference entities;
};

// This environment's data (set by the module initialiser).
AddonData& addon_data(Napi::Env env);

// The module initialiser: sets this environment's AddonData, fills `exports`.
Napi::Object init(Napi::Env env, Napi::Object exports);

}  // namespace authz::node
