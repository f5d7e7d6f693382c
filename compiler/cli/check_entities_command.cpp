// check_entities_command.cpp — `authzc check-entities`: opens every entity
// source of a configuration file's `[entities.TYPE]` sections against a
// policy, as the gateway does at start-up, so CI catches a query that no
// longer fits the policy (or the schema) before a gateway refuses to start.
//
// Prints one line per source and a summary; exit status 0 when every source
// opens and fits, 1 when one does not (the message names the section, the
// entity, the attribute, the column and the query), 2 for a usage error or
// a configuration file that cannot be read. Needs the databases reachable;
// reads no rows.
#include <CLI/CLI.hpp>

#include <memory>
#include <ostream>

#include "compiler/cli/commands.h"
#include "compiler/cli/policy_input.h"
#include "runtime/engine.h"
#include "tools/entity_sources/entity_sources.h"

namespace authz::cli {
namespace {

struct CheckEntitiesOptions {
  FrontEndOptions front_end;
  std::string config;
};

int run_check_entities(const CheckEntitiesOptions& options, const Context& context) {
  EngineOrExit input = load_engine(options.front_end, context);
  if (!input.engine) return input.exit_code;
  const runtime::Engine& engine = *input.engine;
  auto config = entity_sources::load_entity_sources_config(options.config);
  if (!config.ok()) {
    context.err << "error: " << config.error() << '\n';
    return kExitUsage;
  }
  if (config.value().sources.empty()) {
    context.err << "error: `" << options.config << "` configures no entity source\n"
                << "  = help: add an [entities.TYPE] section (docs/entity-sources.md)\n";
    return kExitUsage;
  }
  auto sources = entity_sources::EntitySources::open(config.value(), engine.model());
  if (!sources.ok()) {
    context.err << "error: " << sources.error() << '\n';
    return kExitDiagnostics;
  }
  for (const entity_sources::SourceConfig& source : config.value().sources) {
    context.err << "  " << source.name << ": " << entity_sources::to_string(source.kind)
                << (source.kind == entity_sources::SourceKind::Postgresql ? "" : " `" + source.location + "`")
                << (source.name == engine.model().principal.name ? " (the principal)" : "") << '\n';
  }
  context.err << "ok: `" << options.config << "`: " << config.value().sources.size()
              << (config.value().sources.size() == 1 ? " entity source fits" : " entity sources fit") << " policy `"
              << engine.model().policy_name << "`\n";
  return kExitOk;
}

}  // namespace

Command register_check_entities_command(CLI::App& authzc) {
  auto options = std::make_shared<CheckEntitiesOptions>();
  CLI::App* command = authzc.add_subcommand(
      "check-entities", "open the entity sources of a configuration file and check their queries against a policy");
  add_front_end_options(*command, options->front_end);
  command->add_option("--entities-config", options->config,
                      "the TOML file whose [entities.TYPE] sections name the sources (docs/entity-sources.md)")
      ->type_name("FILE")
      ->required();
  command->footer("Every query is prepared (no row is read) and must take exactly one parameter, the id, and\n"
                  "return one column per attribute the policy declares for the entity, of a fitting type.\n"
                  "The databases must be reachable; connection strings are never printed.\n\n"
                  "Example:\n"
                  "  authzc check-entities examples/sales --entities-config gateway.toml\n\n" +
                  exit_status_help({{0, "every source opens and fits the policy"},
                                    {1, "the policy has errors, or a source does not open or does not fit"},
                                    {2, "usage error, or the configuration file cannot be read"}}));
  return Command{command, [options](const Context& context) { return run_check_entities(*options, context); }};
}

}  // namespace authz::cli
