// auth_error.cpp — see auth_error.h.
#include "tools/oauth/auth_error.h"

namespace authz::oauth {
namespace {

// RFC 6750 §3: error_description's characters.
bool description_char(unsigned char c) { return c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E); }
// RFC 6750 §3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool scope_char(unsigned char c) { return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E); }

// A quoted-string (RFC 9110 §5.6.4) of text already free of `"` and `\`
// where RFC 6750 requires it; other text gets quoted-pairs.
void append_param(std::string& out, const char* name, const std::string& value) {
  out += out.size() > 6 ? ", " : " ";
  out += name;
  out += "=\"";
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) continue;  // never a control character in a header
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

int AuthError::http_status() const {
  switch (code) {
    case AuthErrorCode::InvalidRequest: return 400;
    case AuthErrorCode::InvalidToken: return 401;
    case AuthErrorCode::InsufficientScope: return 403;
  }
  return 401;
}

const char* error_code_name(AuthErrorCode code) {
  switch (code) {
    case AuthErrorCode::InvalidRequest: return "invalid_request";
    case AuthErrorCode::InvalidToken: return "invalid_token";
    case AuthErrorCode::InsufficientScope: return "insufficient_scope";
  }
  return "invalid_token";
}

std::string www_authenticate(const Challenge& challenge) {
  std::string out = "Bearer";
  if (!challenge.realm.empty()) append_param(out, "realm", challenge.realm);
  if (challenge.error) {
    const AuthError& error = *challenge.error;
    append_param(out, "error", error_code_name(error.code));
    if (!error.description.empty()) {
      std::string description;
      for (char c : error.description) description += description_char(static_cast<unsigned char>(c)) ? c : '?';
      append_param(out, "error_description", description);
    }
    if (error.code == AuthErrorCode::InsufficientScope && !error.scopes.empty()) {
      std::string scopes;
      for (const std::string& scope : error.scopes) {
        bool valid = !scope.empty();
        for (char c : scope) valid = valid && scope_char(static_cast<unsigned char>(c));
        if (!valid) continue;
        if (!scopes.empty()) scopes += ' ';
        scopes += scope;
      }
      if (!scopes.empty()) append_param(out, "scope", scopes);
    }
  }
  if (!challenge.resource_metadata.empty()) append_param(out, "resource_metadata", challenge.resource_metadata);
  return out;
}

}  // namespace authz::oauth
