// verify_token_main.cpp — `authz-verify-token`: verifies one bearer token the
// way the gateway's HTTP front will (tools/oauth) and prints the principal.
//
//   authz-verify-token --jwks KEYS.json --issuer ISS --resource URI
//                      [--policy T.authzt] [mapping options] [TOKEN]
//   authz-verify-token --config gateway.toml [--policy T.authzt] [options] [TOKEN]
//
// With --config, the `[oauth]` section (oauth_config_toml.h) is the starting
// point and options given on the command line replace its values (the key
// set must be a `jwks_file`, or --jwks: this tool fetches nothing).
// The token comes from the argument, else from stdin (one line). Output: one
// JSON object on stdout, `{"ok": true, "principal": {...}, ...}` when the
// token is accepted, `{"ok": false, "status": 401, "error": ...,
// "www_authenticate": ...}` when it is refused. Exit status: 0 accepted,
// 1 refused, 2 usage error or a configuration the policy refutes.
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>

#include "runtime/internal/value_text.h"
#include "tools/gateway/policy_file.h"
#include "tools/oauth/oauth_config_toml.h"
#include "tools/oauth/token_verifier.h"

namespace {

std::string json_quoted(std::string_view text) { return authz::runtime::quoted(text); }

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += json_quoted(item);
  }
  return out + "]";
}

bool split_pair(const std::string& text, std::string& left, std::string& right) {
  auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) return false;
  left = text.substr(0, equals);
  right = text.substr(equals + 1);
  return true;
}

// The command line's values.
struct Options {
  authz::oauth::OAuthConfig config;
  std::string config_path, jwks_path, policy_path, token;
  std::vector<std::string> role_maps, attributes;
  std::int64_t now_s = 0;
  bool at_jwt_only = false;
};

void add_options(CLI::App& app, Options& options) {
  authz::oauth::OAuthConfig& config = options.config;
  app.add_option("--config", options.config_path, "a TOML file whose [oauth] section configures verification (docs/oauth.md)")
      ->type_name("FILE");
  app.add_option("--jwks", options.jwks_path, "the authorization server's key set (JWKS JSON file)")->type_name("FILE");
  app.add_option("--issuer", config.issuers, "an accepted `iss`, repeatable")->type_name("ISS")->allow_extra_args(false);
  app.add_option("--resource", config.resource, "this resource's URI: `aud` must contain it")->type_name("URI");
  app.add_option("--policy", options.policy_path, "the compiled policy table, to check the mapping against")->type_name("TABLE");
  app.add_option("--algorithm", config.algorithms, "an allowed algorithm, repeatable (default: all asymmetric ones)")->type_name("ALG")->allow_extra_args(false);
  app.add_option("--id-claim", config.principal.id_claim, "the claim holding the user's id")->type_name("PATH")->capture_default_str();
  app.add_option("--roles-claim", config.principal.roles_claim, "the claim holding the roles (array or space-separated)")
      ->type_name("PATH")->capture_default_str();
  app.add_option("--role-map", options.role_maps, "map a claim value to a policy role, repeatable")->type_name("VALUE=ROLE")->allow_extra_args(false);
  app.add_option("--attribute", options.attributes, "a principal attribute from a claim path, repeatable")->type_name("NAME=PATH")->allow_extra_args(false);
  app.add_option("--require-scope", config.required_scopes, "a scope every request needs, repeatable")->type_name("SCOPE")->allow_extra_args(false);
  app.add_option("--clock-skew", config.clock_skew_s, "leeway on exp/nbf/iat in seconds")->type_name("S")->capture_default_str();
  app.add_flag("--at-jwt-only", options.at_jwt_only, "accept only `typ: at+jwt` (RFC 9068), not `JWT` or no typ");
  app.add_option("--resource-metadata", config.resource_metadata, "RFC 9728 metadata URL for WWW-Authenticate")->type_name("URL");
  app.add_option("--now", options.now_s, "the time to verify at, Unix seconds (default: the clock)")->type_name("S");
  app.add_option("token", options.token, "the token (default: read from stdin)")->type_name("TOKEN");
}

// With --config: the file's [oauth] values, replaced by the options given.
bool merge_config_file(const CLI::App& app, Options& options) {
  authz::oauth::OAuthConfig& config = options.config;
  auto loaded = authz::oauth::load_oauth_config(options.config_path);
  if (!loaded.ok()) {
    std::cerr << "error: " << loaded.error() << "\n";
    return false;
  }
  authz::oauth::OAuthConfig flags = config;
  config = std::move(loaded.value());
  if (app.count("--issuer")) config.issuers = flags.issuers;
  if (app.count("--resource")) config.resource = flags.resource;
  if (app.count("--algorithm")) config.algorithms = flags.algorithms;
  if (app.count("--id-claim")) config.principal.id_claim = flags.principal.id_claim;
  if (app.count("--roles-claim")) config.principal.roles_claim = flags.principal.roles_claim;
  if (app.count("--require-scope")) config.required_scopes = flags.required_scopes;
  if (app.count("--clock-skew")) config.clock_skew_s = flags.clock_skew_s;
  if (app.count("--at-jwt-only")) config.accept_jwt_typ = false;
  if (app.count("--resource-metadata")) config.resource_metadata = flags.resource_metadata;
  if (options.jwks_path.empty()) options.jwks_path = config.jwks_file;
  return true;
}

// --role-map VALUE=ROLE and --attribute NAME=PATH into the mapping.
bool apply_mapping_options(Options& options) {
  for (const auto& entry : options.role_maps) {
    std::string value, role;
    if (!split_pair(entry, value, role)) {
      std::cerr << "error: `--role-map " << entry << "` is not VALUE=ROLE\n  = help: e.g. `--role-map admins=admin`\n";
      return false;
    }
    options.config.principal.role_map[value] = role;
  }
  for (const auto& entry : options.attributes) {
    std::string name, path;
    if (!split_pair(entry, name, path)) {
      std::cerr << "error: `--attribute " << entry << "` is not NAME=PATH\n  = help: e.g. `--attribute department=ext.dept`\n";
      return false;
    }
    options.config.principal.attributes.emplace_back(name, path);
  }
  return true;
}

// Parses and completes the options: nullopt to go on, else the exit status.
std::optional<int> parse_command_line(int argc, char** argv, Options& options) {
  CLI::App app{"authz-verify-token — verify an OAuth access token (JWT) and print the principal it maps to"};
  add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  authz::oauth::OAuthConfig& config = options.config;
  config.accept_jwt_typ = !options.at_jwt_only;
  if (!options.config_path.empty() && !merge_config_file(app, options)) return 2;
  if (options.jwks_path.empty() || config.issuers.empty() || config.resource.empty()) {
    std::cerr << "error: give the key set, the issuer and the resource\n  = help: `--jwks FILE --issuer ISS --resource URI`, "
                 "or `--config FILE` with an [oauth] section\n";
    return 2;
  }
  if (!apply_mapping_options(options)) return 2;
  std::string& token = options.token;
  if (token.empty() && !std::getline(std::cin, token)) token.clear();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (options.now_s == 0) {
    options.now_s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  return std::nullopt;
}

// The verifier the options describe, the mapping checked against --policy's
// table when given; null (error printed) when any part does not load.
std::unique_ptr<authz::oauth::TokenVerifier> make_verifier(const Options& options) {
  std::optional<authz::runtime::Engine> engine;
  if (!options.policy_path.empty()) {
    auto loaded = authz::gateway::load_policy_file(options.policy_path);
    if (!loaded.ok()) {
      std::cerr << "error: " << loaded.error() << "\n";
      return nullptr;
    }
    engine.emplace(std::move(loaded.value()));
  }
  auto allowed = authz::oauth::algorithm_set(options.config.algorithms);
  if (!allowed.ok()) {
    std::cerr << "error: " << allowed.error() << "\n";
    return nullptr;
  }
  auto keys = authz::oauth::KeySet::load_file(options.jwks_path, allowed.value());
  if (!keys.ok()) {
    std::cerr << "error: " << keys.error() << "\n";
    return nullptr;
  }
  for (const auto& note : keys.value().skipped()) std::cerr << "note: " << note << "\n";
  auto verifier = authz::oauth::TokenVerifier::create(
      options.config, std::make_shared<const authz::oauth::KeySet>(std::move(keys.value())),
      engine ? &engine->model() : nullptr);
  if (!verifier.ok()) {
    std::cerr << "error: " << verifier.error() << "\n";
    return nullptr;
  }
  return std::move(verifier.value());
}

// The outcome as one JSON object on stdout; the exit status (0 accepted, 1 refused).
int print_outcome(const authz::oauth::OAuthConfig& config, const authz::oauth::VerifyOutcome& outcome) {
  if (outcome.error) {
    authz::oauth::Challenge challenge{config.realm, config.resource_metadata, &*outcome.error};
    std::cout << "{\"ok\":false,\"status\":" << outcome.error->http_status()
              << ",\"error\":" << json_quoted(authz::oauth::error_code_name(outcome.error->code))
              << ",\"description\":" << json_quoted(outcome.error->description)
              << ",\"unknown_kid\":" << (outcome.unknown_kid ? "true" : "false")
              << ",\"www_authenticate\":" << json_quoted(authz::oauth::www_authenticate(challenge)) << "}\n";
    return 1;
  }
  const auto& verified = *outcome.token;
  std::cout << "{\"ok\":true,\"principal\":{\"id\":" << json_quoted(verified.principal.id)
            << ",\"roles\":" << json_list(verified.principal.roles) << ",\"attributes\":"
            << (verified.principal.attributes_json.empty() ? std::string("{}") : verified.principal.attributes_json)
            << "},\"issuer\":" << json_quoted(verified.issuer) << ",\"client_id\":" << json_quoted(verified.client_id)
            << ",\"jti\":" << json_quoted(verified.jti) << ",\"scopes\":" << json_list(verified.scopes)
            << ",\"kid\":" << json_quoted(verified.kid) << ",\"alg\":" << json_quoted(verified.algorithm)
            << ",\"expires_at\":" << verified.expires_at_s << "}\n";
  return 0;
}

int run(int argc, char** argv) {
  Options options;
  if (auto exit_status = parse_command_line(argc, argv, options)) return *exit_status;
  auto verifier = make_verifier(options);
  if (!verifier) return 2;
  return print_outcome(options.config, verifier->verify(options.token, options.now_s));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "error: internal: " << error.what() << "\n";
    return 3;
  }
}
