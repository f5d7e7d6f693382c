// errors.cpp — see errors.h.
#include "errors.h"

namespace authz::node {

Napi::Error make_error(Napi::Env env, const char* code, std::string_view message) {
  Napi::Error error = Napi::Error::New(env, std::string(message));
  error.Set("code", Napi::String::New(env, code));
  return error;
}

}  // namespace authz::node
