// http_config.cpp — see http_config.h.
#include "tools/http/http_config.h"

#include <toml++/toml.h>

#include <boost/url/parse.hpp>
#include <filesystem>

#include "tools/oauth/oauth_config_toml.h"

#include "tools/config/toml_reader.h"

namespace authz::http {
namespace {

using R = runtime::Result<GatewayConfig>;

struct Reader : config::TomlReader {
  using TomlReader::TomlReader;

  bool http(const toml::table& table, HttpConfig& out) {
    constexpr std::int64_t kDay = 86400000;
    for (const auto& [name, node] : table) {
      std::string key = "http." + std::string(name.str());
      bool ok = true;
      if (name == "listen") {
        std::string listen;
        ok = string(node, key, listen);
        if (ok) {
          auto colon = listen.rfind(':');
          std::int64_t port = -1;
          if (colon != std::string::npos && colon + 1 < listen.size() && colon + 6 >= listen.size() &&
              listen.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
            port = std::stoll(listen.substr(colon + 1));
          }
          if (port < 0 || port > 65535 || colon == 0) {
            ok = fail(node, "`http.listen` must be `ADDRESS:PORT`, e.g. `127.0.0.1:8080`");
          } else {
            out.listen_address = listen.substr(0, colon);
            if (out.listen_address.size() > 2 && out.listen_address.front() == '[' &&
                out.listen_address.back() == ']') {
              out.listen_address = out.listen_address.substr(1, out.listen_address.size() - 2);
            }
            out.port = static_cast<std::uint16_t>(port);
          }
        }
      } else if (name == "path") {
        ok = string(node, key, out.path);
        if (ok &&
            (out.path.empty() || out.path.front() != '/' || out.path.find_first_of("?# \t") != std::string::npos)) {
          ok = fail(node, "`http.path` must be an absolute path such as `/mcp`");
        }
      } else if (name == "policy")
        ok = string(node, key, out.policy);
      else if (name == "shadow")
        ok = string(node, key, out.shadow);
      else if (name == "trusted_keys")
        ok = strings(node, key, out.trusted_keys);
      else if (name == "audit")
        ok = string(node, key, out.audit);
      else if (name == "audit_sync")
        ok = boolean(node, key, out.audit_sync);
      else if (name == "entities")
        ok = string(node, key, out.entities);
      else if (name == "allowed_origins")
        ok = strings(node, key, out.allowed_origins);
      else if (name == "tls_cert")
        ok = string(node, key, out.tls_cert);
      else if (name == "tls_key")
        ok = string(node, key, out.tls_key);
      else if (name == "max_body_bytes")
        ok = count(node, key, out.max_body_bytes, 1, std::int64_t{1} << 30);
      else if (name == "max_header_bytes")
        ok = count(node, key, out.max_header_bytes, 1024, 1 << 20);
      else if (name == "header_timeout_ms")
        ok = count(node, key, out.header_timeout_ms, 1, kDay);
      else if (name == "request_timeout_ms")
        ok = count(node, key, out.request_timeout_ms, 1, kDay);
      else if (name == "idle_timeout_ms")
        ok = count(node, key, out.idle_timeout_ms, 1, kDay);
      else if (name == "max_sessions")
        ok = count(node, key, out.max_sessions, 1, 1 << 24);
      else if (name == "max_sessions_per_user")
        ok = count(node, key, out.max_sessions_per_user, 1, 1 << 24);
      else if (name == "session_idle_timeout")
        ok = count(node, key, out.session_idle_timeout_s, 1, kDay);
      else if (name == "drain_timeout_ms")
        ok = count(node, key, out.drain_timeout_ms, 0, kDay);
      else if (name == "threads")
        ok = count(node, key, out.threads, 1, 256);
      else if (name == "metrics")
        ok = boolean(node, key, out.metrics);
      else
        ok = fail(node, "unknown key `" + key + "`\n  = help: docs/http-gateway.md lists the keys of [http]");
      if (!ok) return false;
    }
    if (out.policy.empty()) return fail(table, "[http] needs `policy`, the decision table (`authzc build` output)");
    if (out.audit.empty()) return fail(table, "[http] needs `audit`, the audit log");
    if (out.tls_cert.empty() != out.tls_key.empty())
      return fail(table, "[http] needs both `tls_cert` and `tls_key`, or neither");
    return true;
  }

  bool upstream(const toml::table& table, UpstreamConfig& out) {
    for (const auto& [name, node] : table) {
      std::string key = "upstream." + std::string(name.str());
      bool ok = true;
      if (name == "url") {
        ok = string(node, key, out.url);
        ParsedUrl parsed;
        if (ok && !parse_http_url(out.url, parsed)) {
          ok = fail(node, "`upstream.url` must be an http:// or https:// URL, e.g. `http://127.0.0.1:3001/mcp`");
        }
      } else if (name == "command") {
        ok = strings(node, key, out.command);
        if (ok && out.command.empty()) ok = fail(node, "`upstream.command` must not be empty");
      } else if (name == "headers") {
        const toml::table* headers = node.as_table();
        if (!headers) ok = fail(node, "`upstream.headers` must be a table");
        for (const auto& [header, value] : headers ? *headers : toml::table{}) {
          std::string text;
          ok = ok && string(value, key + "." + std::string(header.str()), text);
          if (ok && (text.find_first_of("\r\n") != std::string::npos || header.str().empty() ||
                     header.str().find_first_of(" \t\r\n:") != std::string_view::npos)) {
            ok = fail(value, "`" + key + "." + std::string(header.str()) + "` is not a valid header");
          }
          if (ok) out.headers.emplace_back(std::string(header.str()), text);
        }
      } else if (name == "user_header")
        ok = string(node, key, out.user_header);
      else if (name == "issuer_header")
        ok = string(node, key, out.issuer_header);
      else if (name == "max_children")
        ok = count(node, key, out.max_children, 1, 1 << 20);
      else if (name == "max_children_per_user")
        ok = count(node, key, out.max_children_per_user, 1, 1 << 20);
      else if (name == "verify_tls")
        ok = boolean(node, key, out.verify_tls);
      else
        ok = fail(node, "unknown key `" + key + "`\n  = help: docs/http-gateway.md lists the keys of [upstream]");
      if (!ok) return false;
    }
    if (out.url.empty() == out.command.empty())
      return fail(table, "[upstream] needs exactly one of `url` and `command`");
    return true;
  }
};

}  // namespace

bool parse_http_url(std::string_view text, ParsedUrl& out) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return false;
  const auto& url = *parsed;
  if (url.scheme() != "http" && url.scheme() != "https") return false;
  if (!url.has_authority() || url.host().empty() || url.has_userinfo() || url.has_fragment()) return false;
  out.tls = url.scheme() == "https";
  out.host = url.host_address();
  out.port = url.has_port() ? std::string(url.port()) : std::string(out.tls ? "443" : "80");
  out.target = url.encoded_path().empty() ? std::string("/") : std::string(url.encoded_path());
  if (url.has_query()) out.target += "?" + std::string(url.encoded_query());
  return true;
}

runtime::Result<GatewayConfig> read_gateway_config(std::string_view toml_text, const std::string& source) {
  toml::table document;
  try {
    document = toml::parse(toml_text, source);
  } catch (const toml::parse_error& error) {
    return R::failure(config::parse_error_message(error, source));
  }
  GatewayConfig config;
  Reader reader(source);
  const toml::table* http = document["http"].as_table();
  if (!http) return R::failure(source + ": no [http] section\n  = help: it names at least `policy` and `audit`");
  if (!reader.http(*http, config.http)) return R::failure(reader.error);
  const toml::table* upstream = document["upstream"].as_table();
  if (!upstream)
    return R::failure(source + ": no [upstream] section\n  = help: give the MCP server's `url` or `command`");
  if (!reader.upstream(*upstream, config.upstream)) return R::failure(reader.error);
  auto oauth = oauth::read_oauth_config(document, source);
  if (!oauth.ok()) return R::failure(oauth.error());
  config.oauth = std::move(oauth.value());
  auto sources = entity_sources::read_entity_sources_config(document, source);
  if (!sources.ok()) return R::failure(sources.error());
  config.entity_sources = std::move(sources.value());
  return R::success(std::move(config));
}

runtime::Result<GatewayConfig> load_gateway_config(const std::string& path) {
  auto text = config::read_config_file(path);
  if (!text.ok()) return R::failure(text.error());
  auto config = read_gateway_config(text.value(), path);
  if (!config.ok()) return config;
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  auto resolve = [&](std::string& file_path) {
    if (!file_path.empty() && std::filesystem::path(file_path).is_relative()) file_path = (base / file_path).string();
  };
  HttpConfig& http = config.value().http;
  for (std::string* file_path : {&http.policy, &http.shadow, &http.audit, &http.entities, &http.tls_cert, &http.tls_key,
                                 &config.value().oauth.jwks_file}) {
    resolve(*file_path);
  }
  for (std::string& key_path : http.trusted_keys) resolve(key_path);
  entity_sources::resolve_relative_paths(config.value().entity_sources, path);
  return config;
}

}  // namespace authz::http
