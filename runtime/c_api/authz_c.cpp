// authz_c.cpp — the C ABI of authz.h over authz::runtime::Engine.
//
// Contract: see authz.h. Every exported function body runs inside guarded(),
// which turns any C++ exception (bad_alloc, a bug) into an error status, so
// nothing unwinds into C. Request JSON is parsed with a per-thread simdjson
// DOM parser (a parser is not thread-safe; the engine is), which validates the
// whole document before anything is read from it.
#include "runtime/c_api/authz.h"

#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/engine.h"
#include "runtime/entity_store.h"
#include "runtime/partial_eval.h"
#include "runtime/sql_where.h"
#include "runtime/internal/json_array.h"
#include "runtime/internal/obligation_json.h"
#include "runtime/internal/time_text.h"
#include "runtime/trace_render.h"
#include "runtime/internal/value_text.h"

#ifndef AUTHZ_VERSION
#define AUTHZ_VERSION "unknown"
#endif

using authz::runtime::Audience;
using authz::runtime::Decision;
using authz::runtime::Engine;
using authz::runtime::TrustedKeys;
using authz::runtime::EvaluateOptions;
using authz::runtime::JsonEntityStore;
using authz::runtime::MethodKind;
using authz::runtime::Request;

struct authz_error {
  authz_status code;
  std::string message;
};

struct authz_engine {
  Engine engine;
};

struct authz_entities {
  JsonEntityStore store;
};

struct authz_decision {
  Decision decision;
  std::string rendered_json[2];         // per audience, rendered on first use
  std::string rendered_explanation[2];  // per audience
  std::string obligations_json;
  bool obligations_rendered = false;
};

namespace {

// A failure inside the implementation: the status and message handed to C.
struct Failure {
  authz_status code;
  std::string message;
};

authz_status report(authz_error** out_error, authz_status code, std::string message) {
  if (out_error) {
    // If even the error cannot be allocated, the status alone must do.
    try {
      *out_error = new authz_error{code, std::move(message)};
    } catch (...) {
      *out_error = nullptr;
    }
  }
  return code;
}

// Runs `body` (returning std::optional<Failure>: nullopt on success) with
// every exception caught. Clears *out_error first so callers can always free it.
template <class Body>
authz_status guarded(authz_error** out_error, Body&& body) noexcept {
  if (out_error) *out_error = nullptr;
  try {
    std::optional<Failure> failure = body();
    if (!failure) return AUTHZ_OK;
    return report(out_error, failure->code, std::move(failure->message));
  } catch (const std::bad_alloc&) {
    return report(out_error, AUTHZ_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& error) {
    return report(out_error, AUTHZ_ERR_INTERNAL, std::string("internal error: ") + error.what());
  } catch (...) {
    return report(out_error, AUTHZ_ERR_INTERNAL, "internal error");
  }
}

Failure null_argument(const char* name) {
  return {AUTHZ_ERR_NULL_ARGUMENT, std::string("`") + name + "` must not be null"};
}

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

std::int64_t system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The parsed request, ready for Engine::evaluate.
struct ParsedRequest {
  Request request;
  bool trace = false;
  std::optional<JsonEntityStore> inline_entities;
  // Partial evaluation only ("unknown": ["account"] or "all").
  bool unknown_allowed = false;
  bool all_unknown = false;
  std::vector<std::string> unknown;
};

Failure shape_error(std::string what) { return {AUTHZ_ERR_INVALID_REQUEST, std::move(what)}; }

std::optional<Failure> parse_request(std::string_view json, ParsedRequest& out) {
  simdjson::dom::element root;
  if (auto error = thread_parser().parse(json.data(), json.size()).get(root)) {
    return Failure{AUTHZ_ERR_INVALID_JSON, std::string("request is not valid JSON: ") + simdjson::error_message(error)};
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) return shape_error("request must be a JSON object");

  bool have_principal = false, have_target = false;
  for (auto field : object) {
    std::string_view key = field.key;
    simdjson::dom::element value = field.value;
    if (key == "principal") {
      simdjson::dom::object principal;
      if (value.get_object().get(principal)) return shape_error("`principal` must be an object");
      for (auto part : principal) {
        std::string_view name = part.key;
        if (name == "id") {
          std::string_view id;
          if (part.value.get_string().get(id)) return shape_error("`principal.id` must be a string");
          out.request.principal.id.assign(id);
          have_principal = true;
        } else if (name == "roles") {
          simdjson::dom::array roles;
          if (part.value.get_array().get(roles)) return shape_error("`principal.roles` must be an array of strings");
          for (auto role : roles) {
            std::string_view text;
            if (role.get_string().get(text)) return shape_error("`principal.roles` must be an array of strings");
            out.request.principal.roles.emplace_back(text);
          }
        } else if (name == "attributes") {
          if (!part.value.is_object()) return shape_error("`principal.attributes` must be an object");
          out.request.principal.attributes_json = simdjson::minify(part.value);
        } else {
          return shape_error("unknown key `principal." + std::string(name) + "`; expected id, roles, attributes");
        }
      }
    } else if (key == "method") {
      std::string_view method;
      if (value.get_string().get(method)) return shape_error("`method` must be a string");
      if (method == "tools/call") out.request.method = MethodKind::ToolCall;
      else if (method == "resources/read") out.request.method = MethodKind::ResourceRead;
      else if (method == "prompts/get") out.request.method = MethodKind::PromptGet;
      else return shape_error("unknown `method` `" + std::string(method) + "`; expected tools/call, resources/read or prompts/get");
    } else if (key == "target") {
      std::string_view target;
      if (value.get_string().get(target)) return shape_error("`target` must be a string");
      out.request.target.assign(target);
      have_target = true;
    } else if (key == "arguments") {
      if (!value.is_object()) return shape_error("`arguments` must be an object");
      out.request.arguments_json = simdjson::minify(value);
    } else if (key == "now") {
      std::int64_t millis = 0;
      std::string_view text;
      if (!value.get_int64().get(millis)) {
        out.request.now_ms = millis;
      } else if (!value.get_string().get(text)) {
        auto parsed = authz::runtime::parse_timestamp(text);
        if (!parsed) return shape_error("`now` must be an RFC 3339 timestamp such as `2026-12-01T00:00:00Z`");
        out.request.now_ms = *parsed;
      } else {
        return shape_error("`now` must be a timestamp string or integer milliseconds");
      }
    } else if (key == "entities") {
      if (!value.is_object()) return shape_error("`entities` must be an object");
      auto store = JsonEntityStore::from_json(simdjson::minify(value));
      if (!store.ok()) return shape_error("`entities`: " + store.error());
      out.inline_entities.emplace(std::move(store).value());
    } else if (key == "unknown" && out.unknown_allowed) {
      std::string_view all;
      simdjson::dom::array names;
      if (!value.get_string().get(all) && all == "all") {
        out.all_unknown = true;
      } else if (!value.get_array().get(names)) {
        for (auto name : names) {
          std::string_view text;
          if (name.get_string().get(text)) return shape_error("`unknown` must be \"all\" or an array of parameter names");
          out.unknown.emplace_back(text);
        }
      } else {
        return shape_error("`unknown` must be \"all\" or an array of parameter names");
      }
    } else if (key == "trace") {
      bool trace = false;
      if (value.get_bool().get(trace)) return shape_error("`trace` must be true or false");
      out.trace = trace;
    } else {
      return shape_error("unknown request key `" + std::string(key) +
                         "`; expected principal, method, target, arguments, now, entities, trace");
    }
  }
  if (!have_principal) return shape_error("`principal.id` is required");
  if (!have_target) return shape_error("`target` is required");
  return std::nullopt;
}

std::optional<Failure> decide(const authz_engine* engine, const char* request_json, std::size_t size,
                              const authz_entities* entities, Decision& decision) {
  ParsedRequest parsed;
  parsed.request.now_ms = system_now_ms();
  if (auto failure = parse_request(std::string_view(request_json, size), parsed)) return failure;
  EvaluateOptions options;
  options.trace = parsed.trace;
  if (parsed.inline_entities) options.entities = &*parsed.inline_entities;
  else if (entities) options.entities = &entities->store;
  auto prepared = engine->engine.prepare(parsed.request);
  engine->engine.evaluate(prepared, options, decision);
  return std::nullopt;
}

Audience to_audience(authz_audience audience) {
  return audience == AUTHZ_AUDIENCE_OPERATOR ? Audience::Operator : Audience::EndUser;
}
int audience_slot(authz_audience audience) { return audience == AUTHZ_AUDIENCE_OPERATOR ? 1 : 0; }


// The residual of a request with "unknown" parameters.
std::optional<Failure> residual_of(const authz_engine* engine, const char* request_json, std::size_t size,
                                   const authz_entities* entities, authz::runtime::Residual& out) {
  ParsedRequest parsed;
  parsed.unknown_allowed = true;
  parsed.request.now_ms = system_now_ms();
  if (auto failure = parse_request(std::string_view(request_json, size), parsed)) return failure;
  if (!parsed.all_unknown && parsed.unknown.empty())
    return shape_error("`unknown` is required: \"all\" or the names of the unknown parameters");
  authz::runtime::PartialRequest partial;
  partial.principal = std::move(parsed.request.principal);
  partial.method = parsed.request.method;
  partial.target = std::move(parsed.request.target);
  partial.known_arguments_json = std::move(parsed.request.arguments_json);
  partial.unknown_parameters = std::move(parsed.unknown);
  partial.all_arguments_unknown = parsed.all_unknown;
  partial.now_ms = parsed.request.now_ms;
  EvaluateOptions options;
  if (parsed.inline_entities) options.entities = &*parsed.inline_entities;
  else if (entities) options.entities = &entities->store;
  out = authz::runtime::partially_evaluate(engine->engine, partial, options);
  return std::nullopt;
}

char* copy_out(const std::string& text) {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (!copy) throw std::bad_alloc();
  std::memcpy(copy, text.data(), text.size() + 1);
  return copy;
}

// The shape of every entry point that answers with JSON text: outputs cleared
// first, engine and request checked, then `produce` fills the text that is
// handed over (malloc'd, freed with authz_string_free).
template <typename Produce>
authz_status answer_json(const authz_engine* engine, const char* request_json, char** out_json, size_t* out_size,
                         authz_error** out_error, Produce produce) {
  if (out_json) *out_json = nullptr;
  if (out_size) *out_size = 0;
  return guarded(out_error, [&]() -> std::optional<Failure> {
    if (!out_json) return null_argument("out_json");
    if (!engine) return null_argument("engine");
    if (!request_json) return null_argument("request_json");
    std::string json;
    if (auto failure = produce(json)) return failure;
    *out_json = copy_out(json);
    if (out_size) *out_size = json.size();
    return std::nullopt;
  });
}

}  // namespace

extern "C" {

const char* authz_version(void) { return AUTHZ_VERSION; }

const char* authz_status_name(authz_status status) {
  switch (status) {
    case AUTHZ_OK: return "ok";
    case AUTHZ_ERR_NULL_ARGUMENT: return "null_argument";
    case AUTHZ_ERR_IO: return "io";
    case AUTHZ_ERR_INVALID_TABLE: return "invalid_table";
    case AUTHZ_ERR_INVALID_JSON: return "invalid_json";
    case AUTHZ_ERR_INVALID_REQUEST: return "invalid_request";
    case AUTHZ_ERR_UNTRANSLATABLE: return "untranslatable";
    case AUTHZ_ERR_OUT_OF_MEMORY: return "out_of_memory";
    case AUTHZ_ERR_INTERNAL: return "internal";
  }
  return "unknown";
}

authz_status authz_error_code(const authz_error* error) { return error ? error->code : AUTHZ_OK; }
const char* authz_error_message(const authz_error* error) { return error ? error->message.c_str() : ""; }
void authz_error_free(authz_error* error) { delete error; }

authz_status authz_engine_load(const void* table_bytes, size_t size, authz_engine** out_engine,
                               authz_error** out_error) {
  if (out_engine) *out_engine = nullptr;
  return guarded(out_error, [&]() -> std::optional<Failure> {
    if (!out_engine) return null_argument("out_engine");
    if (!table_bytes && size) return null_argument("table_bytes");
    auto loaded = Engine::load(std::string_view(static_cast<const char*>(table_bytes), table_bytes ? size : 0));
    if (!loaded.ok()) return Failure{AUTHZ_ERR_INVALID_TABLE, loaded.error()};
    *out_engine = new authz_engine{std::move(loaded).value()};
    return std::nullopt;
  });
}

authz_status authz_engine_load_file(const char* path, authz_engine** out_engine, authz_error** out_error) {
  if (out_engine) *out_engine = nullptr;
  return guarded(out_error, [&]() -> std::optional<Failure> {
    if (!out_engine) return null_argument("out_engine");
    if (!path) return null_argument("path");
    std::ifstream file(path, std::ios::binary);
    if (!file) return Failure{AUTHZ_ERR_IO, std::string("cannot open `") + path + "`"};
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (file.bad()) return Failure{AUTHZ_ERR_IO, std::string("cannot read `") + path + "`"};
    auto loaded = Engine::load(bytes);
    if (!loaded.ok()) return Failure{AUTHZ_ERR_INVALID_TABLE, std::string("`") + path + "`: " + loaded.error()};
    *out_engine = new authz_engine{std::move(loaded).value()};
    return std::nullopt;
  });
}

authz_status authz_engine_load_signed(const void* table_bytes, size_t size, const char* const* public_keys_pem,
                                      size_t key_count, authz_engine** out_engine, authz_error** out_error) {
  if (out_engine) *out_engine = nullptr;
  return guarded(out_error, [&]() -> std::optional<Failure> {
    if (!out_engine) return null_argument("out_engine");
    if (!table_bytes && size) return null_argument("table_bytes");
    if (!public_keys_pem && key_count) return null_argument("public_keys_pem");
    TrustedKeys keys;
    for (size_t i = 0; i < key_count; ++i) {
      if (!public_keys_pem[i]) return null_argument("public_keys_pem[i]");
      auto added = keys.add_pem(public_keys_pem[i]);
      if (!added.ok()) {
        return Failure{AUTHZ_ERR_INVALID_REQUEST, "trusted key " + std::to_string(i) + " is refused: " + added.error()};
      }
    }
    auto loaded =
        Engine::load(std::string_view(static_cast<const char*>(table_bytes), table_bytes ? size : 0), keys);
    if (!loaded.ok()) return Failure{AUTHZ_ERR_INVALID_TABLE, loaded.error()};
    *out_engine = new authz_engine{std::move(loaded).value()};
    return std::nullopt;
  });
}

void authz_engine_free(authz_engine* engine) { delete engine; }

const char* authz_engine_policy_hash(const authz_engine* engine) {
  return engine ? engine->engine.policy_hash().c_str() : "";
}

authz_status authz_entities_load_json(const char* json, size_t size, authz_entities** out_entities,
                                      authz_error** out_error) {
  if (out_entities) *out_entities = nullptr;
  return guarded(out_error, [&]() -> std::optional<Failure> {
    if (!out_entities) return null_argument("out_entities");
    if (!json) return null_argument("json");
    auto store = JsonEntityStore::from_json(std::string_view(json, size));
    if (!store.ok()) return Failure{AUTHZ_ERR_INVALID_JSON, "entities: " + store.error()};
    *out_entities = new authz_entities{std::move(store).value()};
    return std::nullopt;
  });
}

void authz_entities_free(authz_entities* entities) { delete entities; }

authz_status authz_evaluate(const authz_engine* engine, const char* request_json, size_t size,
                            const authz_entities* entities, authz_decision** out_decision,
                            authz_error** out_error) {
  if (out_decision) *out_decision = nullptr;
  return guarded(out_error, [&]() -> std::optional<Failure> {
    if (!out_decision) return null_argument("out_decision");
    if (!engine) return null_argument("engine");
    if (!request_json) return null_argument("request_json");
    auto result = std::make_unique<authz_decision>();
    if (auto failure = decide(engine, request_json, size, entities, result->decision)) return failure;
    *out_decision = result.release();
    return std::nullopt;
  });
}

authz_status authz_evaluate_json(const authz_engine* engine, const char* request_json, size_t size,
                                 const authz_entities* entities, char** out_json, size_t* out_size,
                                 authz_error** out_error) {
  return answer_json(engine, request_json, out_json, out_size, out_error,
                     [&](std::string& json) -> std::optional<Failure> {
    // One Decision per thread, reused: its vectors keep their capacity.
    thread_local Decision decision;
    if (auto failure = decide(engine, request_json, size, entities, decision)) return failure;
    json = authz::runtime::render_json(decision, Audience::EndUser);
    return std::nullopt;
  });
}

authz_status authz_residual_json(const authz_engine* engine, const char* request_json, size_t size,
                                 const authz_entities* entities, char** out_json, size_t* out_size,
                                 authz_error** out_error) {
  return answer_json(engine, request_json, out_json, out_size, out_error,
                     [&](std::string& json) -> std::optional<Failure> {
    authz::runtime::Residual residual;
    if (auto failure = residual_of(engine, request_json, size, entities, residual)) return failure;
    json = authz::runtime::render_residual_json(residual);
    return std::nullopt;
  });
}

authz_status authz_residual_sql(const authz_engine* engine, const char* request_json, size_t size,
                                const authz_entities* entities, const char* columns_json, size_t columns_size,
                                char** out_json, size_t* out_size, authz_error** out_error) {
  return answer_json(engine, request_json, out_json, out_size, out_error,
                     [&](std::string& json) -> std::optional<Failure> {
    if (!columns_json) return null_argument("columns_json");
    // Parse the column map first: the request parse reuses the thread's parser.
    authz::runtime::SqlColumnMap columns;
    {
      simdjson::dom::parser parser;
      simdjson::dom::element root;
      if (parser.parse(columns_json, columns_size).get(root))
        return Failure{AUTHZ_ERR_INVALID_JSON, "columns are not valid JSON"};
      simdjson::dom::object object;
      if (root.get_object().get(object)) return shape_error("columns must be an object: {\"account.owner\": \"owner\"}");
      for (auto field : object) {
        std::string_view column;
        simdjson::dom::object qualified;
        authz::runtime::SqlColumn target;
        if (!field.value.get_string().get(column)) {
          target.name.assign(column);
        } else if (!field.value.get_object().get(qualified)) {
          std::string_view table, name;
          if (qualified["table"].get_string().get(table) || qualified["column"].get_string().get(name))
            return shape_error("a qualified column is {\"table\": \"t\", \"column\": \"c\"}");
          target.table.assign(table);
          target.name.assign(name);
        } else {
          return shape_error("column of `" + std::string(field.key) + "` must be a string or {\"table\", \"column\"}");
        }
        columns.emplace(std::string(field.key), std::move(target));
      }
    }
    authz::runtime::Residual residual;
    if (auto failure = residual_of(engine, request_json, size, entities, residual)) return failure;
    auto where = authz::runtime::to_sql_where(residual, columns);
    if (!where.ok()) return Failure{AUTHZ_ERR_UNTRANSLATABLE, where.error()};
    json = "{\"kind\":";
    authz::runtime::append_quoted(json, authz::runtime::to_string(residual.kind));
    json += ",\"sql\":";
    authz::runtime::append_quoted(json, where.value().sql);
    json += ",\"parameters\":[";
    bool first = true;
    for (const auto& parameter : where.value().parameters) {
      if (!first) json += ',';
      first = false;
      switch (parameter.type) {
        case authz::runtime::SqlParameter::Type::Integer:
          json += "{\"type\":\"integer\",\"value\":" + std::to_string(parameter.integer) + "}";
          break;
        case authz::runtime::SqlParameter::Type::Real: {
          char buffer[64];
          std::snprintf(buffer, sizeof buffer, "%.17g", parameter.real);
          json += std::string("{\"type\":\"real\",\"value\":") + buffer + "}";
          break;
        }
        case authz::runtime::SqlParameter::Type::Text:
          json += "{\"type\":\"text\",\"value\":";
          authz::runtime::append_quoted(json, parameter.text);
          json += '}';
          break;
      }
    }
    json += "]}";
    return std::nullopt;
  });
}

void authz_string_free(char* text) { std::free(text); }

int authz_decision_allowed(const authz_decision* decision) {
  return decision && decision->decision.allowed() ? 1 : 0;
}

const char* authz_decision_reason(const authz_decision* decision) {
  return decision ? authz::runtime::to_string(decision->decision.reason) : "error";
}

const char* authz_decision_json(authz_decision* decision, authz_audience audience) {
  if (!decision) return "";
  try {
    std::string& slot = decision->rendered_json[audience_slot(audience)];
    if (slot.empty()) slot = authz::runtime::render_json(decision->decision, to_audience(audience));
    return slot.c_str();
  } catch (...) {
    return "";
  }
}

const char* authz_decision_obligations_json(authz_decision* decision) {
  if (!decision) return "[]";
  try {
    if (!decision->obligations_rendered) {
      // The same array authz_decision_json holds under "obligations" (trace_render.cpp).
      namespace internal = authz::runtime::internal;
      std::string obligations;
      internal::append_json_array(obligations, decision->decision.obligations,
                                  internal::append_obligation_json<authz::runtime::AppliedObligation>);
      decision->obligations_json = std::move(obligations);
      decision->obligations_rendered = true;
    }
    return decision->obligations_json.c_str();
  } catch (...) {
    return "[]";
  }
}

const char* authz_decision_explanation(authz_decision* decision, authz_audience audience) {
  if (!decision) return "";
  try {
    std::string& slot = decision->rendered_explanation[audience_slot(audience)];
    if (slot.empty()) slot = authz::runtime::render_text(decision->decision, to_audience(audience));
    return slot.c_str();
  } catch (...) {
    return "";
  }
}

void authz_decision_free(authz_decision* decision) { delete decision; }

}  // extern "C"
