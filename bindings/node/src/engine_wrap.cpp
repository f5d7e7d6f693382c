// engine_wrap.cpp — see engine_wrap.h. The decide() answer is one string that
// index.js splits (one Node-API string instead of an object built property by
// property, which would cost more than the decision itself):
//   <a|d><reason digit><decision id, 32 hex>\x1f<rule>\x1e<rule>...\x1f<obligations JSON or "">\x1f<message>
// Reason digits follow runtime::Reason's order (index.js has the same list).
// Rule ids are identifiers; the message comes last, so it may hold anything.
#include "engine_wrap.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "addon.h"
#include "audit_wrap.h"
#include "entities_wrap.h"
#include "errors.h"
#include "js_entities.h"
#include "runtime/internal/json_array.h"
#include "runtime/internal/obligation_json.h"
#include "runtime/partial_eval.h"
#include "runtime/sql_where.h"
#include "runtime/internal/time_text.h"
#include "runtime/trace_render.h"
#include "runtime/internal/value_text.h"

namespace authz::node {
namespace {

// The start of an obligation refusal's message (index.js recognises it).
constexpr const char* kObligationRefusal = "the call comes with obligation ";

// A JavaScript string into `out`, reusing its buffer (one Node-API call when
// it fits).
void read_string(napi_env env, napi_value value, std::string& out, const char* what) {
  std::size_t copied = 0;
  if (out.capacity() < 15) out.reserve(15);
  out.resize(out.capacity());
  napi_status status = napi_get_value_string_utf8(env, value, out.data(), out.size() + 1, &copied);
  if (status != napi_ok) {
    out.clear();
    throw make_error(env, kCodeInvalidRequest, std::string(what) + " must be a string");
  }
  if (copied < out.size()) {
    out.resize(copied);
    return;
  }
  std::size_t length = 0;
  napi_get_value_string_utf8(env, value, nullptr, 0, &length);
  out.resize(length);
  napi_get_value_string_utf8(env, value, out.data(), length + 1, &copied);
}

void require_string(const Napi::CallbackInfo& info, std::size_t index, const char* what) {
  if (index >= info.Length() || !info[index].IsString())
    throw make_error(info.Env(), kCodeInvalidRequest, std::string(what) + " must be a string");
}

runtime::MethodKind read_method(const Napi::CallbackInfo& info, std::size_t index) {
  std::uint32_t method = info[index].IsNumber() ? info[index].As<Napi::Number>().Uint32Value() : 99;
  switch (method) {
    case 0: return runtime::MethodKind::ToolCall;
    case 1: return runtime::MethodKind::ResourceRead;
    case 2: return runtime::MethodKind::PromptGet;
    default: throw make_error(info.Env(), kCodeInvalidRequest, "unknown method");
  }
}

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// undefined: the system clock; a number: ms since the epoch; a string: RFC 3339.
std::int64_t read_now(const Napi::CallbackInfo& info, std::size_t index) {
  Napi::Value value = info[index];
  double ms = 0;
  if (napi_get_value_double(info.Env(), value, &ms) == napi_ok) {  // the common case first: one call
    if (!std::isfinite(ms) || std::fabs(ms) > 9.0e15)
      throw make_error(info.Env(), kCodeInvalidRequest, "`now` must be a finite number of milliseconds");
    return static_cast<std::int64_t>(ms);
  }
  if (value.IsUndefined() || value.IsNull()) return system_now_ms();
  if (value.IsString()) {
    std::string text = value.As<Napi::String>().Utf8Value();
    if (auto ms = runtime::parse_timestamp(text)) return *ms;
    throw make_error(info.Env(), kCodeInvalidRequest,
                     "`now` is not an RFC 3339 timestamp: `" + text + "`\nhelp: write it like 2026-12-01T00:00:00Z");
  }
  throw make_error(info.Env(), kCodeInvalidRequest, "`now` must be a Date, a number of milliseconds or a string");
}

}  // namespace

// The resolver for one call: a JavaScript callback, a NativeEntities, or none.
struct EntitySource {
  std::optional<JsEntityResolver> callback;
  const runtime::EntityResolver* resolver = nullptr;
};

// `last` remembers the NativeEntities of the previous call, so that a caller
// passing the same one call after call pays one identity test instead of an
// instanceof and an unwrap.
namespace {

void read_entities(const Napi::CallbackInfo& info, std::size_t index, EntitySource& source, LastEntities* last) {
  if (index >= info.Length()) return;
  Napi::Value value = info[index];
  napi_valuetype type = value.Type();
  if (type == napi_undefined || type == napi_null) return;
  if (last && type == napi_object && !last->object.IsEmpty()) {
    bool same = false;
    if (napi_strict_equals(info.Env(), value, last->object.Value(), &same) == napi_ok && same) {
      source.resolver = last->store;
      return;
    }
  }
  if (type == napi_function) {
    source.callback.emplace(info.Env(), value.As<Napi::Function>());
    source.resolver = &*source.callback;
    return;
  }
  if (type == napi_object && value.As<Napi::Object>().InstanceOf(addon_data(info.Env()).entities.Value())) {
    source.resolver = &EntitiesWrap::Unwrap(value.As<Napi::Object>())->store();
    if (last) {
      last->object = Napi::Persistent(value.As<Napi::Object>());
      last->store = source.resolver;
    }
    return;
  }
  throw make_error(info.Env(), kCodeInvalidRequest,
                   "`entities` must be a function (type, id) => attributes or an Entities");
}

const char* target_kind_name(runtime::TargetKind kind) {
  switch (kind) {
    case runtime::TargetKind::Tool: return "tool";
    case runtime::TargetKind::Resource: return "resource";
    case runtime::TargetKind::Prompt: return "prompt";
  }
  return "tool";
}

const char* method_what(runtime::MethodKind method) {
  switch (method) {
    case runtime::MethodKind::ToolCall: return "tool";
    case runtime::MethodKind::ResourceRead: return "resource";
    case runtime::MethodKind::PromptGet: return "prompt";
  }
  return "tool";
}

// Splits decidePacked's request text into `request` (buffers reused).
void unpack_request(napi_env env, std::string_view packed, runtime::Request& request) {
  std::string* fields[4] = {&request.principal.id, &request.target, &request.principal.attributes_json,
                            &request.arguments_json};
  std::size_t start = 0;
  bool more = true;  // another \0-separated field follows
  for (std::size_t i = 0; i < 4; ++i) {
    std::size_t end = packed.find('\0', start);
    if (end == std::string_view::npos) {
      if (i < 3) throw make_error(env, kCodeInvalidRequest, "malformed packed request");
      end = packed.size();
      more = false;
    }
    fields[i]->assign(packed.substr(start, end - start));
    start = end + 1;
  }
  auto& roles = request.principal.roles;
  std::size_t count = 0;
  while (more) {
    std::size_t end = packed.find('\0', start);
    if (end == std::string_view::npos) {
      end = packed.size();
      more = false;
    }
    if (roles.size() <= count) roles.emplace_back();
    roles[count++].assign(packed.substr(start, end - start));
    start = end + 1;
  }
  roles.resize(count);
}

void append_obligations(std::string& out, const runtime::Decision& decision) {
  // The array authz_decision_json holds under "obligations" (trace_render.cpp).
  runtime::internal::append_json_array(out, decision.obligations,
                                       runtime::internal::append_obligation_json<runtime::AppliedObligation>);
}

}  // namespace

Napi::Function EngineWrap::define(Napi::Env env) {
  return DefineClass(env, "NativeEngine",
                     {InstanceMethod<&EngineWrap::policy_hash>("policyHash"),
                      InstanceMethod<&EngineWrap::targets>("targets"), InstanceMethod<&EngineWrap::decide>("decide"),
                      InstanceMethod<&EngineWrap::decide_packed>("decidePacked"),
                      InstanceMethod<&EngineWrap::may_call>("mayCall"),
                      InstanceMethod<&EngineWrap::residual>("residual")});
}

// new NativeEngine(bytes: Uint8Array)
EngineWrap::EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
  if (info.Length() < 1 || !info[0].IsTypedArray())
    throw make_error(info.Env(), kCodeInvalidRequest, "a table must be given as a Buffer or Uint8Array");
  auto bytes = info[0].As<Napi::Uint8Array>();
  auto loaded = runtime::Engine::load(
      std::string_view(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength()));
  if (!loaded.ok())
    throw make_error(info.Env(), kCodeInvalidTable,
                     "invalid decision table: " + loaded.error() +
                         "\nhelp: build the table with `authzc build POLICY -o TABLE.authzt` from the same release");
  engine_.emplace(std::move(loaded.value()));
}

Napi::Value EngineWrap::policy_hash(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), engine_->policy_hash());
}

// [{kind, name, action, uri}] in declaration order.
Napi::Value EngineWrap::targets(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& targets = engine_->model().targets;
  Napi::Array out = Napi::Array::New(env, targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    Napi::Object target = Napi::Object::New(env);
    target.Set("kind", target_kind_name(targets[i].kind));
    target.Set("name", targets[i].name);
    target.Set("action", targets[i].action == runtime::Action::Write ? "write" : "read");
    if (targets[i].kind == runtime::TargetKind::Resource) target.Set("uri", targets[i].uri);
    out.Set(static_cast<std::uint32_t>(i), target);
  }
  return out;
}

void EngineWrap::read_principal(const Napi::CallbackInfo& info, runtime::Principal& principal) {
  napi_env env = info.Env();
  read_string(env, info[0], principal.id, "`principal.id`");
  if (!info[1].IsArray()) throw make_error(info.Env(), kCodeInvalidRequest, "`principal.roles` must be an array");
  auto roles = info[1].As<Napi::Array>();
  std::uint32_t count = roles.Length();
  principal.roles.resize(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    napi_value role;
    napi_get_element(env, roles, i, &role);
    read_string(env, role, principal.roles[i], "each of `principal.roles`");
  }
  read_string(env, info[2], principal.attributes_json, "`principal.attributes` (as JSON)");
}

// decide(id, roles, attributesJson, method, target, argumentsJson, now, trace, entities, audit, applies)
//   -> the encoded string; with trace: [encoded, end-user text, operator text, denial summary]
Napi::Value EngineWrap::decide(const Napi::CallbackInfo& info) { return decide_with(info, false); }

// decidePacked(packed, now, flags, entities?, audit?, applies?): the same decision with
// fewer Node-API calls. packed = id \0 target \0 attributes JSON \0 arguments
// JSON [\0 role]...; index.js sends it only when no id, target or role holds a
// NUL (JSON text never does); flags = method (0..2) | 4 for a trace.
Napi::Value EngineWrap::decide_packed(const Napi::CallbackInfo& info) { return decide_with(info, true); }

Napi::Value EngineWrap::decide_with(const Napi::CallbackInfo& info, bool packed) {
  if (busy_) {
    Scratch fresh;
    return decide_into(info, fresh, packed);
  }
  busy_ = true;
  struct Release {
    bool& busy;
    ~Release() { busy = false; }
  } release{busy_};
  return decide_into(info, scratch_, packed);
}

Napi::Value EngineWrap::decide_into(const Napi::CallbackInfo& info, Scratch& scratch, bool packed) {
  Napi::Env env = info.Env();
  runtime::Request& request = scratch.request;
  runtime::PreparedRequest& prepared = scratch.prepared;
  runtime::Decision& decision = scratch.decision;
  runtime::AuditRecord& record = scratch.record;
  std::string& out = scratch.out;
  runtime::EvaluateOptions options;
  std::size_t entities_index = 0, audit_index = 0, applies_index = 0;
  if (packed) {
    // (packed, now, flags, entities?, audit?): see decide_packed's comment.
    read_string(env, info[0], scratch.packed, "the request");
    unpack_request(env, scratch.packed, request);
    request.now_ms = read_now(info, 1);
    std::uint32_t flags = 0;
    if (napi_get_value_uint32(env, info[2], &flags) != napi_ok || (flags & 3) > 2)
      throw make_error(env, kCodeInvalidRequest, "bad flags");
    request.method = static_cast<runtime::MethodKind>(flags & 3);
    options.trace = (flags & 4) != 0;
    entities_index = 3;
    audit_index = 4;
    applies_index = 5;
  } else {
    read_principal(info, request.principal);
    request.method = read_method(info, 3);
    read_string(env, info[4], request.target, "`target`");
    read_string(env, info[5], request.arguments_json, "`arguments` (as JSON)");
    request.now_ms = read_now(info, 6);
    bool trace = false;
    options.trace = napi_get_value_bool(env, info[7], &trace) == napi_ok && trace;
    entities_index = 8;
    audit_index = 9;
    applies_index = 10;
  }
  EntitySource entities;
  read_entities(info, entities_index, entities, &last_entities_);
  options.entities = entities.resolver;
  AuditWrap* audit = nullptr;
  if (info.Length() > audit_index && info[audit_index].Type() == napi_object) {
    if (!info[audit_index].As<Napi::Object>().InstanceOf(addon_data(env).audit_log.Value()))
      throw make_error(env, kCodeInvalidRequest, "`audit` must be an AuditLog");
    audit = AuditWrap::Unwrap(info[audit_index].As<Napi::Object>());
  }

  std::chrono::steady_clock::time_point started;
  if (audit) started = std::chrono::steady_clock::now();  // evaluation_ns of the audit record
  engine_->prepare(request, prepared);
  engine_->evaluate(prepared, options, decision);
  const bool lookup_failed = entities.callback && entities.callback->failed();
  if (lookup_failed) {
    // Fail closed: whatever the rules said, this call is not allowed.
    decision.effect = runtime::Effect::Deny;
    decision.reason = runtime::Reason::Error;
    decision.message = "an entity look-up failed";
  }
  // The obligations the caller applies (NUL-separated names), when it says:
  // an allow that carries any other one is refused, as authz-gateway refuses
  // the obligations it cannot apply, and the audit record says so.
  if (info.Length() > applies_index && info[applies_index].Type() == napi_string && decision.allowed()) {
    read_string(env, info[applies_index], scratch.applies, "`applies`");
    std::string_view applies = scratch.applies;
    for (const auto& obligation : decision.obligations) {
      bool applied = false;
      for (std::size_t start = 0; start <= applies.size() && !applied;) {
        std::size_t end = applies.find('\0', start);
        if (end == std::string_view::npos) end = applies.size();
        applied = !applies.empty() && applies.substr(start, end - start) == obligation.name;
        start = end + 1;
      }
      if (!applied) {
        decision.effect = runtime::Effect::Deny;
        decision.reason = runtime::Reason::Error;
        decision.message = std::string(kObligationRefusal) + "`" + std::string(obligation.name) + "` (rule `" +
                           std::string(obligation.rule) + "`), which the server does not apply, so it is refused";
        break;
      }
    }
  }
  if (audit) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
    runtime::AuditLog* log = audit->log();
    if (!log) throw make_error(env, kCodeAuditUnavailable, "access denied: the audit log is closed");
    runtime::make_audit_record(record, request, decision, *engine_, ns);
    std::string error;
    if (!log->append(record, error))
      throw make_error(env, kCodeAuditUnavailable, "access denied: the audit log cannot be written: " + error);
  }
  if (lookup_failed) throw entities.callback->error();

  out.clear();
  out += decision.allowed() ? 'a' : 'd';
  out += static_cast<char>('0' + static_cast<int>(decision.reason));
  std::string& id = record.decision_id;  // reused buffer
  decision.id.hex(id);
  out += id;
  out += '\x1f';
  for (std::size_t i = 0; i < decision.determining_rules.size(); ++i) {
    if (i) out += '\x1e';
    out += decision.determining_rules[i];
  }
  out += '\x1f';
  if (!decision.obligations.empty()) append_obligations(out, decision);
  out += '\x1f';
  out += decision.message;
  Napi::String encoded = Napi::String::New(env, out.data(), out.size());
  if (!options.trace) return encoded;
  // Explained: [encoded, end-user text, operator text, one-line denial summary].
  Napi::Array explained = Napi::Array::New(env, 4);
  explained.Set(0u, encoded);
  explained.Set(1u, runtime::render_text(decision, runtime::Audience::EndUser));
  explained.Set(2u, runtime::render_text(decision, runtime::Audience::Operator));
  explained.Set(3u, decision.allowed() ? std::string()
                                       : runtime::render_denial_summary(decision, method_what(request.method),
                                                                        request.target, request.principal.id));
  return explained;
}

// mayCall(id, roles, attributesJson, method, target, now, entities) -> boolean
Napi::Value EngineWrap::may_call(const Napi::CallbackInfo& info) {
  runtime::Principal principal;
  read_principal(info, principal);
  runtime::MethodKind method = read_method(info, 3);
  require_string(info, 4, "`target`");
  std::string target = info[4].As<Napi::String>().Utf8Value();
  std::int64_t now = read_now(info, 5);
  EntitySource entities;
  read_entities(info, 6, entities, nullptr);
  runtime::EvaluateOptions options;
  options.entities = entities.resolver;
  bool may = runtime::may_call_at_all(*engine_, principal, method, target, now, options);
  if (entities.callback && entities.callback->failed()) throw entities.callback->error();
  return Napi::Boolean::New(info.Env(), may);
}

// residual(id, roles, attributesJson, method, target, knownArgumentsJson, unknown (string[] | true), now,
//          columns (object | undefined), entities)
//   columns undefined -> the residual as JSON (render_residual_json)
//   columns given     -> [kind, sql, parameters, residual JSON]
Napi::Value EngineWrap::residual(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  runtime::PartialRequest request;
  read_principal(info, request.principal);
  request.method = read_method(info, 3);
  require_string(info, 4, "`target`");
  request.target = info[4].As<Napi::String>().Utf8Value();
  require_string(info, 5, "known `arguments` (as JSON)");
  request.known_arguments_json = info[5].As<Napi::String>().Utf8Value();
  if (info[6].IsBoolean() && info[6].As<Napi::Boolean>().Value()) {
    request.all_arguments_unknown = true;
  } else if (info[6].IsArray()) {
    auto unknown = info[6].As<Napi::Array>();
    for (std::uint32_t i = 0; i < unknown.Length(); ++i) {
      Napi::Value name = unknown.Get(i);
      if (!name.IsString()) throw make_error(env, kCodeInvalidRequest, "`unknown` must list parameter names");
      request.unknown_parameters.push_back(name.As<Napi::String>().Utf8Value());
    }
  } else {
    throw make_error(env, kCodeInvalidRequest, "`unknown` must be an array of parameter names or \"all\"");
  }
  request.now_ms = read_now(info, 7);
  EntitySource entities;
  read_entities(info, 9, entities, nullptr);
  runtime::EvaluateOptions options;
  options.entities = entities.resolver;
  runtime::Residual residual = runtime::partially_evaluate(*engine_, request, options);
  if (entities.callback && entities.callback->failed()) throw entities.callback->error();
  std::string residual_json = runtime::render_residual_json(residual);
  if (!info[8].IsObject()) return Napi::String::New(env, residual_json);

  runtime::SqlColumnMap columns;
  Napi::Object map = info[8].As<Napi::Object>();
  Napi::Array keys = map.GetPropertyNames();
  for (std::uint32_t i = 0; i < keys.Length(); ++i) {
    std::string key = keys.Get(i).ToString().Utf8Value();
    Napi::Value column = map.Get(key);
    runtime::SqlColumn target;
    if (column.IsString()) {
      target.name = column.As<Napi::String>().Utf8Value();
    } else if (column.IsObject() && column.As<Napi::Object>().Get("column").IsString()) {
      Napi::Object qualified = column.As<Napi::Object>();
      target.name = qualified.Get("column").As<Napi::String>().Utf8Value();
      Napi::Value table = qualified.Get("table");
      if (table.IsString()) target.table = table.As<Napi::String>().Utf8Value();
    } else {
      throw make_error(env, kCodeInvalidRequest,
                       "column of `" + key +
                           "` must be a string or {table, column}\nhelp: {\"account.owner\": \"owner\"}");
    }
    columns.emplace(std::move(key), std::move(target));
  }
  auto where = runtime::to_sql_where(residual, columns);
  if (!where.ok()) {
    Napi::Error error = make_error(env, kCodeUntranslatable,
                                   "the row filter cannot be expressed in SQL: " + where.error() +
                                       "\nhelp: deny the call, or map every unknown the residual reads to a column");
    error.Set("residual", Napi::String::New(env, residual_json));
    throw error;
  }
  Napi::Array parameters = Napi::Array::New(env, where.value().parameters.size());
  for (std::size_t i = 0; i < where.value().parameters.size(); ++i) {
    const auto& parameter = where.value().parameters[i];
    Napi::Value value;
    switch (parameter.type) {
      case runtime::SqlParameter::Type::Integer:
        if (parameter.integer > (std::int64_t{1} << 53) || parameter.integer < -(std::int64_t{1} << 53))
          value = Napi::BigInt::New(env, parameter.integer);
        else
          value = Napi::Number::New(env, static_cast<double>(parameter.integer));
        break;
      case runtime::SqlParameter::Type::Real: value = Napi::Number::New(env, parameter.real); break;
      case runtime::SqlParameter::Type::Text: value = Napi::String::New(env, parameter.text); break;
    }
    parameters.Set(static_cast<std::uint32_t>(i), value);
  }
  Napi::Array out = Napi::Array::New(env, 4);
  out.Set(0u, runtime::to_string(residual.kind));
  out.Set(1u, where.value().sql);
  out.Set(2u, parameters);
  out.Set(3u, residual_json);
  return out;
}

}  // namespace authz::node
