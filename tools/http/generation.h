// generation.h — everything the HTTP front reloads as one unit on SIGHUP:
// the configuration, the decision table (and the shadow table, both checked
// against [http].trusted_keys when it names any), the entity data, the key set and
// the token verifier checked against that table, the entity sources of
// `[entities.*]` opened and checked against that table, and what follows from them
// (request rules, the RFC 9728 metadata document).
//
// Contract: build_generation() loads and checks everything or fails with
// one message; the caller keeps serving with the previous generation on
// failure (an invalid reload is refused, the old state stays). A Generation
// is immutable once built and shared by every request that started under
// it; the token verifier inside it is thread-safe (token_verifier.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "runtime/engine.h"
#include "runtime/entity_store.h"
#include "runtime/result.h"
#include "tools/entity_sources/entity_sources.h"
#include "tools/http/http_config.h"
#include "tools/http/request_check.h"
#include "tools/oauth/jwks.h"
#include "tools/oauth/token_verifier.h"

namespace authz::http {

struct Generation {
  explicit Generation(runtime::Engine engine_) : engine(std::move(engine_)) {}
  GatewayConfig config;
  runtime::Engine engine;
  std::optional<runtime::Engine> shadow;  // [http].shadow: decided alongside, recorded only
  // The entity data sessions decide with: the `[entities.*]` sources when
  // configured (asking the JSON file of [http].entities for the types they
  // do not configure), else that JSON file alone.
  std::shared_ptr<const runtime::EntityResolver> entities;
  std::shared_ptr<const entity_sources::EntitySources> sources;  // null without [entities.*]
  std::shared_ptr<oauth::TokenVerifier> verifier;
  std::shared_ptr<oauth::JwksRefresher> refresher;  // null when the keys come from a file
  RequestRules rules;
  ParsedUrl upstream_url;             // [upstream].url parsed (http upstream)
  std::string resource_metadata_url;  // for WWW-Authenticate
  std::string metadata_json;          // the RFC 9728 document
};

// How long a JWKS fetch may take, and how large the set may be.
inline constexpr std::int64_t kJwksFetchTimeoutMs = 5000;
inline constexpr std::size_t kJwksMaxBytes = 1u << 20;

// `log`: where the entity sources' operator lines go (a database's own message).
runtime::Result<std::shared_ptr<const Generation>> build_generation(GatewayConfig config,
                                                                    std::function<void(std::string_view)> log = {});

}  // namespace authz::http
