// errors.h — the addon's errors: JavaScript `Error`s with a stable `code`.
//
// Contract: every failure the addon reports is thrown as an Error whose
// `code` is one of the kCode* strings below (documented in docs/node.md and
// index.d.ts); the message follows the project's style (lowercase, user input
// in backticks, the fix after "help:"). Codes never change meaning.
#pragma once

#include <napi.h>

#include <string>
#include <string_view>

namespace authz::node {

inline constexpr const char* kCodeInvalidTable = "AUTHZ_INVALID_TABLE";       // not a table, corrupt, other version
inline constexpr const char* kCodeIo = "AUTHZ_IO";                            // a file could not be read / opened
inline constexpr const char* kCodePolicyMismatch = "AUTHZ_POLICY_MISMATCH";   // expected policy hash differs
inline constexpr const char* kCodeInvalidRequest = "AUTHZ_INVALID_REQUEST";   // a request of the wrong shape
inline constexpr const char* kCodeEntityLookup = "AUTHZ_ENTITY_LOOKUP";       // the entity callback threw / bad entity
inline constexpr const char* kCodeUntranslatable = "AUTHZ_UNTRANSLATABLE";    // a row filter SQL cannot express: deny
inline constexpr const char* kCodeAuditUnavailable = "AUTHZ_AUDIT_UNAVAILABLE";  // the audit record was not written: deny

// An Error with `code` set, ready to throw (`.ThrowAsJavaScriptException()`
// or `throw` with C++ exceptions).
Napi::Error make_error(Napi::Env env, const char* code, std::string_view message);

}  // namespace authz::node
