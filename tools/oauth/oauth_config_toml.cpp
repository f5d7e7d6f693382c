// oauth_config_toml.cpp — see oauth_config_toml.h.
#include "tools/oauth/oauth_config_toml.h"

#include <toml++/toml.h>

#include <filesystem>

#include "tools/config/toml_reader.h"

namespace authz::oauth {
namespace {

using R = runtime::Result<OAuthConfig>;

struct Reader : config::TomlReader {
  using TomlReader::TomlReader;

  bool string_map(const toml::node& node, const std::string& key, std::vector<std::pair<std::string, std::string>>& out) {
    const toml::table* table = node.as_table();
    if (!table) return fail(node, "`" + key + "` must be a table");
    for (const auto& [name, value] : *table) {
      std::string text;
      if (!string(value, key + "." + std::string(name.str()), text)) return false;
      out.emplace_back(std::string(name.str()), text);
    }
    return true;
  }

  bool principal(const toml::table& table, ClaimsMapping& out) {
    for (const auto& [name, node] : table) {
      std::string key = "oauth.principal." + std::string(name.str());
      bool ok = true;
      if (name == "id_claim") ok = string(node, key, out.id_claim);
      else if (name == "roles_claim") ok = string(node, key, out.roles_claim);
      else if (name == "role_map") {
        std::vector<std::pair<std::string, std::string>> pairs;
        ok = string_map(node, key, pairs);
        for (auto& [value, role] : pairs) out.role_map[value] = role;
      } else if (name == "attributes") ok = string_map(node, key, out.attributes);
      else ok = fail(node, "unknown key `" + key + "`\n  = help: [oauth.principal] takes id_claim, roles_claim, role_map, attributes");
      if (!ok) return false;
    }
    return true;
  }

  bool oauth(const toml::table& table, OAuthConfig& out) {
    for (const auto& [name, node] : table) {
      std::string key = "oauth." + std::string(name.str());
      bool ok = true;
      if (name == "issuer") {
        std::string issuer;
        ok = string(node, key, issuer);
        out.issuers = {issuer};
      } else if (name == "issuers") ok = strings(node, key, out.issuers);
      else if (name == "resource") ok = string(node, key, out.resource);
      else if (name == "jwks_uri") ok = string(node, key, out.jwks_uri);
      else if (name == "jwks_file") ok = string(node, key, out.jwks_file);
      else if (name == "algorithms") ok = strings(node, key, out.algorithms);
      else if (name == "clock_skew") ok = count(node, key, out.clock_skew_s, 0);
      else if (name == "max_token_bytes") ok = count(node, key, out.max_token_bytes, 0);
      else if (name == "required_scopes") ok = strings(node, key, out.required_scopes);
      else if (name == "scope_claim") ok = string(node, key, out.scope_claim);
      else if (name == "accept_jwt_typ") ok = boolean(node, key, out.accept_jwt_typ);
      else if (name == "cache_entries") ok = count(node, key, out.cache_entries, 0);
      else if (name == "cache_max_age") ok = count(node, key, out.cache_max_age_s, 0);
      else if (name == "jwks_refresh_interval") ok = count(node, key, out.jwks_refresh_interval_s, 1);
      else if (name == "resource_metadata") ok = string(node, key, out.resource_metadata);
      else if (name == "realm") ok = string(node, key, out.realm);
      else if (name == "principal") {
        const toml::table* section = node.as_table();
        ok = section ? principal(*section, out.principal) : fail(node, "`oauth.principal` must be a table");
      } else {
        ok = fail(node, "unknown key `" + key + "`\n  = help: docs/oauth.md lists the keys of [oauth]");
      }
      if (!ok) return false;
    }
    if (out.jwks_uri.empty() == out.jwks_file.empty()) {
      return fail(table, "[oauth] needs exactly one of `jwks_uri` and `jwks_file`");
    }
    return true;
  }
};

}  // namespace

runtime::Result<OAuthConfig> read_oauth_config(std::string_view toml_text, const std::string& source) {
  toml::table document;
  try {
    document = toml::parse(toml_text, source);
  } catch (const toml::parse_error& error) {
    return R::failure(config::parse_error_message(error, source));
  }
  return read_oauth_config(document, source);
}

runtime::Result<OAuthConfig> read_oauth_config(const toml::table& document, const std::string& source) {
  const toml::table* section = document["oauth"].as_table();
  if (!section) return R::failure(source + ": no [oauth] section");
  Reader reader(source);
  OAuthConfig config;
  if (!reader.oauth(*section, config)) return R::failure(reader.error);
  return R::success(std::move(config));
}

runtime::Result<OAuthConfig> load_oauth_config(const std::string& path) {
  auto text = config::read_config_file(path);
  if (!text.ok()) return R::failure(text.error());
  auto config = read_oauth_config(text.value(), path);
  // A relative jwks_file is relative to the configuration file.
  if (config.ok() && !config.value().jwks_file.empty() && std::filesystem::path(config.value().jwks_file).is_relative()) {
    config.value().jwks_file = (std::filesystem::path(path).parent_path() / config.value().jwks_file).string();
  }
  return config;
}

}  // namespace authz::oauth
