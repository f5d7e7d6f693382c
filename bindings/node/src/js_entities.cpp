// js_entities.cpp — see js_entities.h.
#include "js_entities.h"

#include <utility>

#include "errors.h"

namespace authz::node {

void JsEntityResolver::fail(std::string message, Napi::Value cause) const {
  if (failed_) return;
  failed_ = true;
  message_ = std::move(message);
  // Node-API 8 references only objects; a thrown primitive is kept as text.
  // Nothing here may throw: lookup() is called from the noexcept evaluator,
  // and a worker being terminated fails every Node-API call.
  try {
    if (cause.IsEmpty()) return;
    if (cause.IsObject()) {
      cause_ = Napi::Persistent(cause);
    } else if (cause.IsString()) {
      cause_text_ = cause.As<Napi::String>().Utf8Value();
      cause_is_text_ = true;
    }
  } catch (...) {
  }
}

const runtime::Entity* JsEntityResolver::lookup(std::string_view entity_type, std::string_view id) const {
  if (failed_) return nullptr;
  try {
    return ask(entity_type, id);
  } catch (...) {
    failed_ = true;
    if (message_.empty()) message_ = "entity look-up failed";
    return nullptr;
  }
}

const runtime::Entity* JsEntityResolver::ask(std::string_view entity_type, std::string_view id) const {
  std::string what = "entity look-up for `" + std::string(entity_type) + "` `" + std::string(id) + "`";
  try {
    Napi::Value answer = callback_.Call({Napi::String::New(env_, entity_type.data(), entity_type.size()),
                                         Napi::String::New(env_, id.data(), id.size())});
    if (answer.IsNull() || answer.IsUndefined()) return nullptr;
    if (!answer.IsObject() || answer.IsArray()) {
      fail(what + " returned " + std::string(answer.IsArray() ? "an array" : "a non-object") +
               "\nhelp: return the entity's attributes as a plain object, or null when there is none",
           Napi::Value());
      return nullptr;
    }
    Napi::Object json = env_.Global().Get("JSON").As<Napi::Object>();
    Napi::Value text = json.Get("stringify").As<Napi::Function>().Call(json, {answer});
    if (!text.IsString()) {
      fail(what + " returned a value JSON cannot represent", Napi::Value());
      return nullptr;
    }
    auto entity = runtime::Entity::from_json(text.As<Napi::String>().Utf8Value());
    if (!entity.ok()) {
      fail(what + " returned attributes the runtime cannot read: " + entity.error(), Napi::Value());
      return nullptr;
    }
    entities_.push_back(std::move(entity.value()));
    return &entities_.back();
  } catch (const Napi::Error& error) {
    // What was thrown may be any value, not only an Error.
    Napi::Value thrown = error.Value();
    std::string text = "a value that is not an Error";
    try {
      if (thrown.IsObject() && thrown.As<Napi::Object>().Get("message").IsString())
        text = thrown.As<Napi::Object>().Get("message").As<Napi::String>().Utf8Value();
      else if (thrown.IsString())
        text = thrown.As<Napi::String>().Utf8Value();
    } catch (...) {
    }
    fail(what + " threw: " + text +
             "\nhelp: the callback must answer synchronously; return null for an entity that does not exist",
         thrown);
  } catch (const std::exception& error) {
    fail(what + " failed: " + error.what(), Napi::Value());
  } catch (...) {
    fail(what + " failed", Napi::Value());
  }
  return nullptr;
}

Napi::Error JsEntityResolver::error() const {
  Napi::Error error = make_error(env_, kCodeEntityLookup, message_);
  if (!cause_.IsEmpty()) error.Set("cause", cause_.Value());
  else if (cause_is_text_) error.Set("cause", Napi::String::New(env_, cause_text_));
  return error;
}

}  // namespace authz::node
