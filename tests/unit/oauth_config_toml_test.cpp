// oauth_config_toml_test.cpp — the [oauth] section of a TOML configuration
// into OAuthConfig (tools/oauth/oauth_config_toml.h): every key, defaults,
// and one clear error per mistake.
#include <catch2/catch.hpp>

#include "tools/oauth/oauth_config_toml.h"

using authz::oauth::read_oauth_config;

TEST_CASE("oauth config: every key of [oauth] is read", "[oauth]") {
  auto config = read_oauth_config(R"(
[oauth]
issuers = ["https://a.example", "https://b.example"]
resource = "https://gw.example/mcp"
jwks_uri = "https://a.example/jwks"
algorithms = ["ES256"]
clock_skew = 30
max_token_bytes = 4096
required_scopes = ["mcp:tools"]
scope_claim = "scp"
accept_jwt_typ = false
cache_entries = 50
cache_max_age = 120
jwks_refresh_interval = 10
resource_metadata = "https://gw.example/.well-known/oauth-protected-resource/mcp"
realm = "mcp"

[oauth.principal]
id_claim = "oid"
roles_claim = "groups"
role_map = { "g-admins" = "admin" }

[oauth.principal.attributes]
department = "ext.dept"
)", "gw.toml");
  INFO((config.ok() ? std::string() : config.error()));
  REQUIRE(config.ok());
  const auto& c = config.value();
  CHECK(c.issuers == std::vector<std::string>{"https://a.example", "https://b.example"});
  CHECK(c.resource == "https://gw.example/mcp");
  CHECK(c.jwks_uri == "https://a.example/jwks");
  CHECK(c.algorithms == std::vector<std::string>{"ES256"});
  CHECK(c.clock_skew_s == 30);
  CHECK(c.max_token_bytes == 4096);
  CHECK(c.required_scopes == std::vector<std::string>{"mcp:tools"});
  CHECK(c.scope_claim == "scp");
  CHECK_FALSE(c.accept_jwt_typ);
  CHECK(c.cache_entries == 50);
  CHECK(c.cache_max_age_s == 120);
  CHECK(c.jwks_refresh_interval_s == 10);
  CHECK(c.realm == "mcp");
  CHECK(c.principal.id_claim == "oid");
  CHECK(c.principal.roles_claim == "groups");
  CHECK(c.principal.role_map.at("g-admins") == "admin");
  CHECK(c.principal.attributes == std::vector<std::pair<std::string, std::string>>{{"department", "ext.dept"}});
}

TEST_CASE("oauth config: defaults and mistakes", "[oauth]") {
  auto minimal = read_oauth_config("[oauth]\nissuer = \"i\"\nresource = \"r\"\njwks_file = \"k.json\"\n", "m.toml");
  REQUIRE(minimal.ok());
  CHECK(minimal.value().issuers == std::vector<std::string>{"i"});
  CHECK(minimal.value().clock_skew_s == 60);
  CHECK(minimal.value().principal.id_claim == "sub");
  auto error = [](const std::string& text) {
    auto config = read_oauth_config(text, "g.toml");
    return config.ok() ? std::string("ok") : config.error();
  };
  const std::string head = "[oauth]\nissuer = \"i\"\nresource = \"r\"\njwks_file = \"k.json\"\n";
  CHECK(error(head + "clock_skew = \"60\"\n") == "g.toml:5: `oauth.clock_skew` must be an integer");
  CHECK(error(head + "clock_skew = -1\n") == "g.toml:5: `oauth.clock_skew` must be at least 0");
  CHECK(error(head + "issuers = [\"a\", 1]\n") == "g.toml:5: `oauth.issuers` must be an array of strings");
  CHECK(error(head + "audience = \"r\"\n").starts_with("g.toml:5: unknown key `oauth.audience`"));
  CHECK(error(head + "[oauth.principal]\nrole = \"x\"\n").starts_with("g.toml:6: unknown key `oauth.principal.role`"));
  CHECK(error(head + "[oauth.principal.attributes]\ndept = 5\n") ==
        "g.toml:6: `oauth.principal.attributes.dept` must be a string");
  CHECK(error(head + "jwks_uri = \"https://x\"\n") == "g.toml:1: [oauth] needs exactly one of `jwks_uri` and `jwks_file`");
  CHECK(error("[gateway]\n") == "g.toml: no [oauth] section");
  CHECK(error("[oauth\n").starts_with("g.toml:1: "));
  CHECK(error(head + "accept_jwt_typ = 1\n") == "g.toml:5: `oauth.accept_jwt_typ` must be true or false");
}
