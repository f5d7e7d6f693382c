// oauth_config_toml.h — OAuthConfig read from the `[oauth]` section of a TOML
// configuration file (toml++), as docs/oauth.md documents it.
//
// Contract: every key of `[oauth]`, `[oauth.principal]`,
// `[oauth.principal.role_map]` and `[oauth.principal.attributes]` is read
// with its type checked; an unknown key, a value of the wrong type, a
// negative number, or both or neither of `jwks_uri` / `jwks_file` is one
// error naming the key and its line (`config.toml:7: ...`). Keys left out
// keep OAuthConfig's defaults. read_oauth_config reads the section from TOML
// text, or from a document a reader of the whole file (http_config.h)
// already parsed, with the same messages; load_oauth_config resolves a relative
// `jwks_file` against the configuration file's directory. What the values mean (an issuer is given, the
// attributes exist in the policy) is TokenVerifier::create's to check.
// Never throws.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "runtime/result.h"
#include "tools/oauth/oauth_config.h"

namespace authz::oauth {

// `source`: the name errors show (a path).
runtime::Result<OAuthConfig> read_oauth_config(std::string_view toml_text, const std::string& source);
runtime::Result<OAuthConfig> read_oauth_config(const toml::table& document, const std::string& source);
runtime::Result<OAuthConfig> load_oauth_config(const std::string& path);

}  // namespace authz::oauth
