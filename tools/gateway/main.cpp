// main.cpp — `authz-gateway`: the command line, start-up, and exit codes.
//
//   authz-gateway --policy T.authzt --user ID [--principal user.json]
//                 [--entities data.json] [--entities-config gateway.toml] [--shadow candidate.authzt]
//                 [--trusted-key pub.pem]... --audit audit.jsonl -- SERVER_COMMAND [ARGS...]
//   authz-gateway serve --config gateway.toml [...]   (the HTTP front: tools/http/serve_command.h)
//
// Exit status: the server's own exit code once it ends (128 + signal when a
// signal ended it); 127 when the server command cannot be started; 1 when the
// policy table does not load; 2 for a usage error or an unreadable input
// (identity files, audit log); 3 for an internal error.
#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>

#include "runtime/audit_log.h"
#include "runtime/internal/time_text.h"
#include "tools/entity_sources/entity_sources.h"
#include "tools/gateway/child_process.h"
#include "tools/gateway/command_line.h"
#include "tools/gateway/identity.h"
#include "tools/gateway/log_line.h"
#include "tools/gateway/policy_file.h"
#include "tools/gateway/relay_loop.h"
#include "tools/gateway/session.h"
#include "tools/http/serve_command.h"

namespace {

constexpr int kExitPolicy = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInternal = 3;
constexpr int kExitCannotStart = 127;

using authz::gateway::log_line;

// The command line's values, as parsed and checked.
struct Options {
  std::string policy_path, audit_path, now_text, entities_config, shadow_path;
  authz::gateway::IdentitySources identity_sources;
  authz::gateway::RelayOptions relay;
  bool audit_sync = false;
  std::vector<std::string> server_command;
  std::vector<std::string> trusted_key_paths;
  std::optional<std::int64_t> fixed_now;
};

void add_options(CLI::App& app, Options& options) {
  authz::gateway::IdentitySources& identity_sources = options.identity_sources;
  authz::gateway::RelayOptions& relay = options.relay;
  app.add_option("--policy", options.policy_path, "the compiled decision table (`authzc build` output)")
      ->type_name("TABLE")
      ->required();
  app.add_option("--shadow", options.shadow_path,
                 "a candidate table decided alongside the policy and recorded in each audit record, never enforced "
                 "(reloaded like the policy)")
      ->type_name("TABLE");
  app.add_option("--trusted-key", options.trusted_key_paths,
                 "an Ed25519 public key (PEM); repeatable. With any, the table must be signed by one of them "
                 "(`authzc build --sign`), at start-up and on every reload")
      ->type_name("FILE")
      ->allow_extra_args(false);
  app.add_option("--user", identity_sources.user, "the user the gateway acts for (else $AUTHZ_USER)")->type_name("ID");
  app.add_option("--role", identity_sources.roles, "a role the user holds, repeatable (else $AUTHZ_ROLES, comma-separated)")
      ->type_name("ROLE")
      ->allow_extra_args(false);
  app.add_option("--principal", identity_sources.principal_file,
                 "the user as JSON: {\"id\"?, \"roles\"?, other attributes} (else $AUTHZ_PRINCIPAL)")
      ->type_name("FILE");
  app.add_option("--attributes", identity_sources.attributes_json,
                 "the user's other attributes as a JSON object (else $AUTHZ_ATTRIBUTES)")
      ->type_name("JSON");
  app.add_option("--entities", identity_sources.entities_file,
                 "entity data: {\"Type\": {\"id\": {...}}} or {\"users\": {...}, \"entities\": {...}} (else $AUTHZ_ENTITIES)")
      ->type_name("FILE");
  app.add_option("--entities-config", options.entities_config,
                 "read entities (and the user's attributes) from the SQLite / PostgreSQL / JSON sources of this "
                 "TOML file's [entities.TYPE] sections, checked against the policy at start-up (docs/entity-sources.md)")
      ->type_name("FILE");
  app.add_option("--audit", options.audit_path, "the audit log (JSON Lines, hash-chained); created or continued")
      ->type_name("FILE")
      ->required();
  app.add_flag("--audit-sync", options.audit_sync,
               "fdatasync the audit log after every record (slower, survives power loss)");
  app.add_option("--max-message-bytes", relay.max_client_message_bytes,
                 "largest client message accepted; longer ones get -32700")
      ->capture_default_str();
  app.add_option("--max-server-message-bytes", relay.max_server_message_bytes,
                 "largest server message relayed; longer ones are dropped and logged")
      ->capture_default_str();
  app.add_option("--shutdown-grace-ms", relay.shutdown_grace_ms,
                 "after client EOF: wait this long before SIGTERM, and as long again before SIGKILL")
      ->capture_default_str();
  app.add_option("--reload-check-ms", relay.reload_check_ms, "how often the policy file is checked for changes")
      ->capture_default_str();
  app.add_option("--now", options.now_text, "decide at this fixed instant instead of the clock (tests)")
      ->type_name("TIMESTAMP");
  app.add_option("command", options.server_command, "the MCP server to run, after `--`")->expected(-1);
  app.footer(
      "Example:\n"
      "  authz-gateway --policy fs.authzt --user u-bob --entities users.json --audit audit.jsonl \\\n"
      "      -- npx @modelcontextprotocol/server-filesystem /srv\n\n"
      "Identity from the environment (flags win): AUTHZ_USER, AUTHZ_ROLES, AUTHZ_PRINCIPAL,\n"
      "AUTHZ_ATTRIBUTES, AUTHZ_ENTITIES. SIGHUP or a change of the table file reloads the policy\n"
      "(and empties the entity sources' cache; a table their queries do not fit is refused).\n\n"
      "Exit status:\n"
      "  N    the server's exit code (128 + signal if a signal ended it)\n"
      "  1    the policy table does not load\n"
      "  2    usage error, or an identity file or the audit log cannot be read\n"
      "  3    internal error in authz-gateway (please report it)\n"
      "  127  the server command cannot be started\n\n"
      "Serving many users over Streamable HTTP, each identified by an OAuth access token:\n"
      "  authz-gateway serve --config gateway.toml    (see `authz-gateway serve --help`)\n\n"
      "See docs/gateway.md.");
}

// Parses and checks the command line: nullopt to go on, else the exit status
// (0 after --help), the error already printed.
std::optional<int> parse_command_line(int argc, char** argv, Options& options) {
  CLI::App app{"authz-gateway — enforce an authz policy in front of a stdio MCP server"};
  add_options(app, options);
  if (auto exit_status = authz::gateway::parse_arguments(app, argc, argv, "authz-gateway")) return exit_status;
  if (options.server_command.empty()) {
    std::cerr << "error: no server command\n  = help: put the MCP server's command after `--`\n";
    return kExitUsage;
  }
  const authz::gateway::RelayOptions& relay = options.relay;
  if (relay.max_client_message_bytes == 0 || relay.max_server_message_bytes == 0 || relay.shutdown_grace_ms < 0 ||
      relay.reload_check_ms <= 0) {
    std::cerr << "error: sizes and intervals must be positive\n";
    return kExitUsage;
  }
  if (!options.now_text.empty()) {
    options.fixed_now = authz::runtime::parse_timestamp(options.now_text);
    if (!options.fixed_now) {
      std::cerr << "error: `--now " << options.now_text
                << "` is not a timestamp\n  = help: write e.g. `2026-12-01T00:00:00Z`\n";
      return kExitUsage;
    }
  }
  options.identity_sources.roles_given = app.count("--role") > 0;
  return std::nullopt;
}

// Entity sources: opened and checked against the policy before serving; the
// user's attributes from the database under the flags' (docs/entity-sources.md),
// read once. Null without --entities-config; false (error printed) on failure.
bool open_entity_sources(const Options& options, const authz::runtime::Engine& engine,
                         authz::gateway::Identity& identity, authz::gateway::RelayOptions& relay,
                         std::shared_ptr<const authz::entity_sources::EntitySources>& entity_sources) {
  if (options.entities_config.empty()) return true;
  std::string error;
  authz::entity_sources::Options source_options;
  source_options.log = log_line;
  source_options.fallback = identity.entities;
  entity_sources = authz::entity_sources::load_entity_sources(options.entities_config, engine, error, source_options);
  if (!entity_sources) {
    std::cerr << "error: " << error << "\n  = help: `authzc check-entities` runs the same checks in CI\n";
    return false;
  }
  if (auto problem = entity_sources->merge_principal_attributes(identity.principal)) {
    std::cerr << "error: the user's attributes cannot be read: " << *problem << '\n';
    return false;
  }
  relay.accept_policy = [entity_sources](const authz::runtime::Engine& reloaded) {
    return entity_sources->recheck(reloaded.model());
  };
  return true;
}

// The --shadow table, if any; false (error printed) when it does not load.
bool load_shadow(const Options& options, const authz::runtime::TrustedKeys& trusted_keys,
                 std::optional<authz::runtime::Engine>& shadow) {
  if (options.shadow_path.empty()) return true;
  auto loaded = authz::gateway::load_policy_file(options.shadow_path, trusted_keys);
  if (!loaded.ok()) {
    std::cerr << "error: the shadow policy: " << loaded.error() << "\n  = help: build it with `authzc build "
              << "CANDIDATE -o TABLE`" << (options.trusted_key_paths.empty() ? "" : " and sign it like the policy")
              << '\n';
    return false;
  }
  shadow = std::move(loaded.value());
  return true;
}

int run(int argc, char** argv) {
  Options options;
  if (auto exit_status = parse_command_line(argc, argv, options)) return *exit_status;
  authz::gateway::RelayOptions& relay = options.relay;

  authz::gateway::apply_identity_environment(options.identity_sources);
  std::string error;
  auto identity = authz::gateway::load_identity(options.identity_sources, error);
  if (!identity) {
    std::cerr << "error: " << error << "\n  = help: see `authz-gateway --help`\n";
    return kExitUsage;
  }
  auto trusted_keys = authz::gateway::load_trusted_keys(options.trusted_key_paths);
  if (!trusted_keys.ok()) {
    std::cerr << "error: " << trusted_keys.error() << "\n  = help: see docs/signing.md\n";
    return kExitUsage;
  }
  auto engine = authz::gateway::load_policy_file(options.policy_path, trusted_keys.value());
  if (!engine.ok()) {
    std::cerr << "error: " << engine.error()
              << (options.trusted_key_paths.empty() ? "\n  = help: build it with `authzc build POLICY -o TABLE`\n"
                                                    : "\n  = help: sign it with `authzc build POLICY --sign KEY -o "
                                                      "TABLE`, with the private key of a `--trusted-key`\n");
    return kExitPolicy;
  }
  std::shared_ptr<const authz::entity_sources::EntitySources> entity_sources;
  if (!open_entity_sources(options, engine.value(), *identity, relay, entity_sources)) return kExitUsage;
  std::optional<authz::runtime::Engine> shadow;
  if (!load_shadow(options, trusted_keys.value(), shadow)) return kExitPolicy;
  authz::runtime::AuditLogOptions audit_options;
  audit_options.sync_every_record = options.audit_sync;
  auto audit_log = authz::runtime::AuditLog::open(options.audit_path, audit_options);
  if (!audit_log.ok()) {
    std::cerr << "error: cannot open the audit log `" << options.audit_path << "`: " << audit_log.error() << '\n';
    return kExitUsage;
  }
  if (!audit_log.value().recovery_note().empty()) log_line(audit_log.value().recovery_note());
  authz::gateway::FileAuditSink audit(std::move(audit_log.value()));

  auto child = authz::gateway::spawn_child(options.server_command, error);
  if (!child) {
    std::cerr << "error: " << error << '\n';
    return kExitCannotStart;
  }

  authz::gateway::SessionConfig config;
  config.principal = std::move(identity->principal);
  config.entities = entity_sources ? std::shared_ptr<const authz::runtime::EntityResolver>(entity_sources)
                                   : std::shared_ptr<const authz::runtime::EntityResolver>(std::move(identity->entities));
  config.audit = &audit;
  config.log = log_line;
  if (options.fixed_now) config.clock = [at = *options.fixed_now] { return at; };
  authz::gateway::Session session(std::move(config), std::move(engine.value()));
  session.set_shadow(std::move(shadow));
  relay.policy_path = options.policy_path;
  relay.shadow_path = options.shadow_path;
  relay.trusted_keys = std::move(trusted_keys.value());
  return authz::gateway::run_relay(session, *child, relay, log_line);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 1 && std::string_view(argv[1]) == "serve") return authz::http::serve_main(argc - 1, argv + 1);
    return run(argc, argv);
  } catch (const std::exception& error) {
    log_line(std::string("internal error: ") + error.what());
    return kExitInternal;
  } catch (...) {
    log_line("internal error");
    return kExitInternal;
  }
}
