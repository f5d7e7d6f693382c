// auth_error.h — why a bearer token was refused, in RFC 6750's terms, and
// the `WWW-Authenticate` challenge the HTTP front answers with.
//
// Contract: every refusal of the verifier is an AuthError with an RFC 6750
// §3.1 code and the HTTP status that goes with it:
//   invalid_request     400  (the request is malformed: several tokens, say)
//   invalid_token       401  (bad signature, expired, wrong audience, bad claim, ...)
//   insufficient_scope  403  (valid token lacking a required scope; `scope` lists them)
// A request with no token at all gets a challenge with no error code
// (RFC 6750 §3.1). www_authenticate renders the challenge: auth-params as
// RFC 9110 §11.2 quoted-strings, the description reduced to the characters
// RFC 6750 allows (%x20-21 / %x23-5B / %x5D-7E: others become `?`), scope
// tokens that are not RFC 6750 scope-tokens dropped, and RFC 9728's
// `resource_metadata` so a client can discover the authorization server.
// Pure functions: no I/O.
#pragma once

#include <string>
#include <vector>

namespace authz::oauth {

enum class AuthErrorCode : unsigned char { InvalidRequest, InvalidToken, InsufficientScope };

struct AuthError {
  AuthErrorCode code = AuthErrorCode::InvalidToken;
  std::string description;          // lowercase; never the token itself
  std::vector<std::string> scopes;  // insufficient_scope: the scopes the request needs

  int http_status() const;
};

const char* error_code_name(AuthErrorCode code);

struct Challenge {
  std::string realm;              // optional
  std::string resource_metadata;  // RFC 9728 URL of this resource's metadata; optional
  const AuthError* error = nullptr;  // null: no token was presented
};

// `Bearer realm="...", error="...", error_description="...", scope="...", resource_metadata="..."`
// (the header's value, without the name).
std::string www_authenticate(const Challenge& challenge);

}  // namespace authz::oauth
