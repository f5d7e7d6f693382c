// generation.cpp — see generation.h.
#include "tools/http/generation.h"

#include "tools/gateway/identity.h"
#include "tools/gateway/json_text.h"
#include "tools/gateway/policy_file.h"
#include "tools/http/url_fetch.h"

namespace authz::http {
namespace {

using R = runtime::Result<std::shared_ptr<const Generation>>;

void append_string_array(std::string& out, const std::vector<std::string>& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    gateway::append_json_string(out, values[i]);
  }
  out += ']';
}

}  // namespace

runtime::Result<std::shared_ptr<const Generation>> build_generation(GatewayConfig config,
                                                                    std::function<void(std::string_view)> log) {
  auto trusted_keys = gateway::load_trusted_keys(config.http.trusted_keys);
  if (!trusted_keys.ok()) return R::failure(trusted_keys.error() + "\n  = help: see docs/signing.md");
  auto engine = gateway::load_policy_file(config.http.policy, trusted_keys.value());
  if (!engine.ok()) return R::failure(engine.error() + "\n  = help: build it with `authzc build POLICY -o TABLE`");
  auto generation = std::make_shared<Generation>(std::move(engine.value()));
  if (!config.http.shadow.empty()) {
    auto shadow = gateway::load_policy_file(config.http.shadow, trusted_keys.value());
    if (!shadow.ok()) return R::failure("the shadow policy: " + shadow.error());
    generation->shadow = std::move(shadow.value());
  }
  if (!config.http.entities.empty()) {
    std::string error;
    generation->entities = gateway::load_entities_file(config.http.entities, error);
    if (!generation->entities) return R::failure(error);
  }
  if (!config.entity_sources.sources.empty()) {
    // Connected and checked against this table before anything is served.
    entity_sources::Options options;
    options.fallback = generation->entities;
    options.log = std::move(log);
    auto sources = entity_sources::EntitySources::open(config.entity_sources, generation->engine.model(), options);
    if (!sources.ok()) {
      return R::failure(sources.error() + "\n  = help: `authzc check-entities` runs the same checks in CI");
    }
    generation->sources = std::move(sources.value());
    generation->entities = generation->sources;
  }

  // The resource URI: where metadata lives and what `aud` must name.
  ParsedUrl resource;
  if (config.oauth.resource.empty() || !parse_http_url(config.oauth.resource, resource)) {
    return R::failure("[oauth] `resource` must be this gateway's https URL, e.g. `https://mcp.example.com/mcp`");
  }
  if (config.oauth.issuers.empty()) return R::failure("[oauth] needs `issuer` (or `issuers`)");
  const std::string metadata_path = metadata_path_for(resource.target.substr(0, resource.target.find('?')));
  if (config.oauth.resource_metadata.empty()) {
    const auto scheme_end = config.oauth.resource.find("://") + 3;
    const auto authority_end = config.oauth.resource.find('/', scheme_end);
    config.oauth.resource_metadata = config.oauth.resource.substr(0, authority_end) + metadata_path;
  }
  generation->resource_metadata_url = config.oauth.resource_metadata;

  auto algorithms = oauth::algorithm_set(config.oauth.algorithms);
  if (!algorithms.ok()) return R::failure(algorithms.error());
  runtime::Result<oauth::KeySet> keys = runtime::Result<oauth::KeySet>::failure("no key set");
  if (!config.oauth.jwks_file.empty()) {
    keys = oauth::KeySet::load_file(config.oauth.jwks_file, algorithms.value());
  } else {
    std::string error;
    auto text = fetch_url(config.oauth.jwks_uri, kJwksFetchTimeoutMs, kJwksMaxBytes, error);
    if (!text) return R::failure("cannot fetch the key set `" + config.oauth.jwks_uri + "`: " + error);
    keys = oauth::KeySet::parse(*text, algorithms.value());
  }
  if (!keys.ok()) return R::failure("key set: " + keys.error());
  auto verifier = oauth::TokenVerifier::create(
      config.oauth, std::make_shared<const oauth::KeySet>(std::move(keys.value())), &generation->engine.model());
  if (!verifier.ok()) return R::failure(verifier.error());
  generation->verifier = std::shared_ptr<oauth::TokenVerifier>(std::move(verifier.value()));
  if (!config.oauth.jwks_uri.empty()) {
    std::string uri = config.oauth.jwks_uri;
    std::weak_ptr<oauth::TokenVerifier> target = generation->verifier;
    generation->refresher = std::make_shared<oauth::JwksRefresher>(
        [uri](std::string& error) { return fetch_url(uri, kJwksFetchTimeoutMs, kJwksMaxBytes, error); },
        [target](std::shared_ptr<const oauth::KeySet> keys) {
          if (auto verifier = target.lock()) verifier->set_keys(std::move(keys));
        },
        algorithms.value(), config.oauth.jwks_refresh_interval_s);
  }

  generation->rules.mcp_path = config.http.path;
  generation->rules.metadata_path = metadata_path;
  generation->rules.allowed_origins = config.http.allowed_origins;
  generation->rules.metrics = config.http.metrics;
  if (!config.upstream.url.empty() && !parse_http_url(config.upstream.url, generation->upstream_url)) {
    return R::failure("[upstream] `url` is not an http(s) URL");
  }

  std::string& metadata = generation->metadata_json;
  metadata = "{\"resource\":";
  gateway::append_json_string(metadata, config.oauth.resource);
  metadata += ",\"authorization_servers\":";
  append_string_array(metadata, config.oauth.issuers);
  metadata += ",\"bearer_methods_supported\":[\"header\"]";
  if (!config.oauth.required_scopes.empty()) {
    metadata += ",\"scopes_supported\":";
    append_string_array(metadata, config.oauth.required_scopes);
  }
  metadata += ",\"resource_name\":\"authz-gateway\"}";
  generation->config = std::move(config);
  return R::success(std::move(generation));
}

}  // namespace authz::http
