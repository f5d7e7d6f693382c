// engine_wrap.h — `NativeEngine`: one loaded decision table for JavaScript.
//
// Contract: an immutable runtime::Engine plus the buffers one JavaScript
// thread reuses from call to call (Request, PreparedRequest with its principal
// cache, Decision, audit record): a NativeEngine belongs to the environment
// (main thread or worker) that created it, and decide() allocates nothing on
// the common path once its buffers are warm. index.js is the only caller:
// arguments are positional and already checked there; anything still wrong is
// an Error with code AUTHZ_INVALID_REQUEST. Evaluation never throws past
// here except with the codes of errors.h: a callback that threw
// (AUTHZ_ENTITY_LOOKUP) or an audit record that could not be written
// (AUTHZ_AUDIT_UNAVAILABLE) make decide() throw instead of answering.
#pragma once

#include <napi.h>

#include <optional>
#include <string>

#include "runtime/audit_log.h"
#include "runtime/decision.h"
#include "runtime/engine.h"

namespace authz::node {

// The NativeEntities a NativeEngine was last given, and its store.
struct LastEntities {
  Napi::ObjectReference object;
  const runtime::EntityResolver* store = nullptr;
};

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit EngineWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value policy_hash(const Napi::CallbackInfo& info);
  Napi::Value targets(const Napi::CallbackInfo& info);
  Napi::Value decide(const Napi::CallbackInfo& info);
  Napi::Value decide_packed(const Napi::CallbackInfo& info);
  Napi::Value decide_with(const Napi::CallbackInfo& info, bool packed);
  Napi::Value may_call(const Napi::CallbackInfo& info);
  Napi::Value residual(const Napi::CallbackInfo& info);

  // info[0..2]: principal id, roles (array of strings), attributes JSON.
  void read_principal(const Napi::CallbackInfo& info, runtime::Principal& principal);

  // What one decide() call works in. The engine's own is reused call after
  // call; a call made while another is running (from an entity callback)
  // gets a fresh one, so it cannot overwrite the outer call's buffers.
  struct Scratch {
    runtime::Request request;
    runtime::PreparedRequest prepared;
    runtime::Decision decision;
    runtime::AuditRecord record;
    std::string out;
    std::string packed;   // decidePacked's request text
    std::string applies;  // the obligations the caller applies, NUL-separated
  };
  Napi::Value decide_into(const Napi::CallbackInfo& info, Scratch& scratch, bool packed);

  std::optional<runtime::Engine> engine_;  // set by the constructor (which throws otherwise)
  Scratch scratch_;
  bool busy_ = false;  // scratch_ is in use by a decide() below on the stack
  LastEntities last_entities_;
};

}  // namespace authz::node
