// http_config_test.cpp — the [http] and [upstream] sections of the
// gateway's TOML file (tools/http/http_config.h): every key, defaults, one
// error per mistake naming the key and its line.
#include "tools/http/http_config.h"

#include <catch2/catch.hpp>

using authz::http::read_gateway_config;

namespace {

const char* kOauth = R"(
[oauth]
issuer = "https://as.example"
resource = "https://gw.example/mcp"
jwks_file = "jwks.json"
)";

std::string with_oauth(const std::string& text) { return text + kOauth; }

}  // namespace

TEST_CASE("http config: every key is read", "[http]") {
  auto config = read_gateway_config(with_oauth(R"(
[http]
listen = "0.0.0.0:9000"
path = "/v1/mcp"
policy = "t.authzt"
audit = "a.jsonl"
audit_sync = true
entities = "e.json"
allowed_origins = ["https://app.example"]
tls_cert = "c.pem"
tls_key = "k.pem"
max_body_bytes = 1000
max_header_bytes = 2048
header_timeout_ms = 5
request_timeout_ms = 6
idle_timeout_ms = 7
max_sessions = 8
max_sessions_per_user = 9
session_idle_timeout = 10
drain_timeout_ms = 11
threads = 3

[upstream]
url = "http://127.0.0.1:3001/mcp"
user_header = "X-User"
issuer_header = "X-Issuer"
max_children = 5
max_children_per_user = 2
verify_tls = false

[upstream.headers]
X-Api-Key = "secret"
)"),
                                    "gw.toml");
  INFO((config.ok() ? std::string() : config.error()));
  REQUIRE(config.ok());
  const auto& http = config.value().http;
  CHECK(http.listen_address == "0.0.0.0");
  CHECK(http.port == 9000);
  CHECK(http.path == "/v1/mcp");
  CHECK(http.audit_sync);
  CHECK(http.allowed_origins == std::vector<std::string>{"https://app.example"});
  CHECK(http.max_body_bytes == 1000);
  CHECK(http.max_header_bytes == 2048);
  CHECK(http.header_timeout_ms == 5);
  CHECK(http.session_idle_timeout_s == 10);
  CHECK(http.threads == 3);
  const auto& upstream = config.value().upstream;
  CHECK(upstream.url == "http://127.0.0.1:3001/mcp");
  REQUIRE(upstream.headers.size() == 1);
  CHECK(upstream.headers[0].first == "X-Api-Key");
  CHECK(upstream.user_header == "X-User");
  CHECK(upstream.max_children_per_user == 2);
  CHECK(config.value().oauth.issuers == std::vector<std::string>{"https://as.example"});
}

TEST_CASE("http config: defaults and a stdio upstream", "[http]") {
  auto config = read_gateway_config(with_oauth(R"(
[http]
policy = "t.authzt"
audit = "a.jsonl"

[upstream]
command = ["node", "server.js"]
)"),
                                    "gw.toml");
  REQUIRE(config.ok());
  CHECK(config.value().http.listen_address == "127.0.0.1");
  CHECK(config.value().http.port == 8080);
  CHECK(config.value().http.path == "/mcp");
  CHECK(config.value().upstream.command == std::vector<std::string>{"node", "server.js"});
}

TEST_CASE("http config: mistakes name the key and the line", "[http]") {
  auto error = [](const std::string& text) {
    auto config = read_gateway_config(with_oauth(text), "gw.toml");
    REQUIRE_FALSE(config.ok());
    return config.error();
  };
  const std::string base = "[http]\npolicy = \"t\"\naudit = \"a\"\n";
  CHECK(error(base + "colour = 1\n[upstream]\nurl = \"http://x/mcp\"\n") ==
        "gw.toml:4: unknown key `http.colour`\n  = help: docs/http-gateway.md lists the keys of [http]");
  CHECK(error(base + "threads = \"2\"\n[upstream]\nurl = \"http://x/mcp\"\n") ==
        "gw.toml:4: `http.threads` must be an integer");
  CHECK(error(base + "threads = 0\n[upstream]\nurl = \"http://x/mcp\"\n") ==
        "gw.toml:4: `http.threads` must be between 1 and 256");
  CHECK(error(base + "listen = \"8080\"\n[upstream]\nurl = \"http://x/mcp\"\n")
            .find("`http.listen` must be `ADDRESS:PORT`") != std::string::npos);
  CHECK(error(base + "listen = \"127.0.0.1:70000\"\n[upstream]\nurl = \"http://x/mcp\"\n").find("`http.listen`") !=
        std::string::npos);
  CHECK(error(base + "path = \"mcp\"\n[upstream]\nurl = \"http://x/mcp\"\n").find("`http.path`") != std::string::npos);
  CHECK(error(base + "tls_cert = \"c\"\n[upstream]\nurl = \"http://x/mcp\"\n").find("both `tls_cert` and `tls_key`") !=
        std::string::npos);
  CHECK(error("[http]\naudit = \"a\"\n[upstream]\nurl = \"http://x/mcp\"\n").find("needs `policy`") !=
        std::string::npos);
  CHECK(error(base + "[upstream]\nurl = \"ftp://x/mcp\"\n").find("`upstream.url` must be an http") !=
        std::string::npos);
  CHECK(error(base + "[upstream]\nurl = \"http://x/mcp\"\ncommand = [\"a\"]\n")
            .find("exactly one of `url` and `command`") != std::string::npos);
  CHECK(error(base + "[upstream]\n").find("exactly one of") != std::string::npos);
  CHECK(error(base + "[upstream]\nurl = \"http://x/mcp\"\n[upstream.headers]\n\"X-A\" = \"a\\r\\nX-B: b\"\n")
            .find("not a valid header") != std::string::npos);
  CHECK(error(base).find("no [upstream] section") != std::string::npos);
  CHECK(error("[upstream]\nurl = \"http://x/mcp\"\n").find("no [http] section") != std::string::npos);
  // The [oauth] section's own errors come through.
  auto no_oauth = read_gateway_config(base + "[upstream]\nurl = \"http://x/mcp\"\n", "gw.toml");
  REQUIRE_FALSE(no_oauth.ok());
  CHECK(no_oauth.error() == "gw.toml: no [oauth] section");
}

TEST_CASE("http config: URLs", "[http]") {
  authz::http::ParsedUrl url;
  REQUIRE(authz::http::parse_http_url("http://127.0.0.1:3001/mcp", url));
  CHECK(url.host == "127.0.0.1");
  CHECK(url.port == "3001");
  CHECK(url.target == "/mcp");
  CHECK_FALSE(url.tls);
  REQUIRE(authz::http::parse_http_url("https://as.example", url));
  CHECK(url.port == "443");
  CHECK(url.target == "/");
  CHECK(url.tls);
  CHECK_FALSE(authz::http::parse_http_url("https://user:pw@as.example/", url));
  CHECK_FALSE(authz::http::parse_http_url("file:///etc/passwd", url));
  CHECK_FALSE(authz::http::parse_http_url("http:///x", url));
}

TEST_CASE("http config: metrics and [entities.*] sections", "[http]") {
  const std::string base = "[http]\npolicy = \"t\"\naudit = \"a\"\n";
  const std::string upstream = "[upstream]\nurl = \"http://x/mcp\"\n";
  auto plain = read_gateway_config(with_oauth(base + upstream), "gw.toml");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain.value().http.metrics);  // off unless asked for: it names rule ids
  CHECK(plain.value().entity_sources.sources.empty());

  auto config = read_gateway_config(
      with_oauth(base + "metrics = true\n" + upstream +
                 "[entities]\ncache_max_age_ms = 500\n[entities.Account]\nsqlite = \"crm.db\"\n"
                 "query = \"SELECT owner FROM accounts WHERE id = ?\"\n"),
      "gw.toml");
  REQUIRE(config.ok());
  CHECK(config.value().http.metrics);
  REQUIRE(config.value().entity_sources.sources.size() == 1);
  CHECK(config.value().entity_sources.sources[0].name == "Account");
  CHECK(config.value().entity_sources.sources[0].location == "crm.db");
  CHECK(config.value().entity_sources.cache_max_age_ms == 500);

  auto wrong = read_gateway_config(with_oauth(base + "metrics = \"yes\"\n" + upstream), "gw.toml");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error() == "gw.toml:4: `http.metrics` must be true or false");
  // The [entities] section's own errors come through, naming the key and its line.
  auto bad = read_gateway_config(
      with_oauth(base + upstream + "[entities.Account]\nsqlite = \"crm.db\"\nquery = \"q\"\ntimeout = 5\n"), "gw.toml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().find("gw.toml:9: unknown key `entities.Account.timeout`") == 0);
}
