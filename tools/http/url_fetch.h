// url_fetch.h — one bounded HTTP(S) GET, for the JWKS (oauth.jwks_uri).
//
// Contract: fetch_url() GETs an http:// or https:// URL with Boost.Beast
// and returns the body of a 200 answer; anything else (another status, a
// body over `max_bytes`, no answer within `timeout_ms`, a TLS peer whose
// certificate does not verify against the system's trust store or does not
// match the host name) is nullopt with a lowercase `error`. Blocking: it runs
// its own io_context on the calling thread. Never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace authz::http {

std::optional<std::string> fetch_url(const std::string& url, std::int64_t timeout_ms, std::size_t max_bytes,
                                     std::string& error);

}  // namespace authz::http
