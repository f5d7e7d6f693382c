// eval_command.cpp — `authzc eval`: one request against a policy, printed as
// the decision with its explanation trace.
//
// The request comes from flags (`--user`, `--role`, `--call TOOL ARGS`,
// `--read URI`, `--prompt NAME`, `--now`) or from a JSON file (`--request`).
// `--entities FILE` supplies entity data, either as {"Type": {"id": {...}}}
// or as {"users": {...}, "entities": {...}} where "users" gives each user's
// roles and attributes so `--user u-bob` alone is enough. `--entities-config
// FILE` reads entities (and the user's attributes, under the flags') from the
// databases its `[entities.TYPE]` sections name (docs/entity-sources.md);
// --entities then answers only the types it does not configure.
// Exit status: 0 allowed, 4 denied, otherwise as every command (1 policy
// errors, 2 usage or unreadable input).
#include <CLI/CLI.hpp>
#include <simdjson.h>

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>

#include "compiler/cli/commands.h"
#include "compiler/cli/policy_input.h"
#include "runtime/engine.h"
#include "runtime/internal/principal_json.h"
#include "runtime/internal/time_text.h"
#include "runtime/trace_render.h"
#include "runtime/internal/value_text.h"
#include "tools/entity_sources/entity_sources.h"

namespace authz::cli {
namespace {

constexpr int kExitDenied = 4;

struct EvalOptions {
  FrontEndOptions front_end;
  std::string user;
  std::vector<std::string> roles;
  std::string attributes;
  std::vector<std::string> call;  // TOOL [ARGS_JSON]
  std::string read;
  std::vector<std::string> prompt;  // NAME [ARGS_JSON]
  std::string arguments;
  std::string request_file;
  std::string now;
  std::string entities_file;
  std::string entities_config;
  bool json = false;
  bool end_user = false;
  bool no_trace = false;
};

struct UsageError {
  std::string message;
};

// The raw JSON text of an element (objects and arrays minified).
std::string json_text(simdjson::dom::element element) { return simdjson::minify(element); }

struct EntityFile {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string entities_json;  // {"Type": {...}} for the JsonEntityStore
};

std::optional<UsageError> load_entity_file(const std::string& path, EntityFile& file) {
  auto loaded = file.parser.load(path);
  if (loaded.error()) {
    return UsageError{"cannot read entities from `" + path + "`: " + simdjson::error_message(loaded.error())};
  }
  file.root = loaded.value_unsafe();
  if (!file.root.is_object()) return UsageError{"`" + path + "` must hold a JSON object"};
  simdjson::dom::element entities;
  if (file.root["entities"].get(entities) == simdjson::SUCCESS) {
    file.entities_json = json_text(entities);
  } else {
    file.entities_json = json_text(file.root);
  }
  return std::nullopt;
}

std::optional<UsageError> apply_user_entry(EntityFile* file, runtime::Principal& principal) {
  if (!file) return std::nullopt;
  simdjson::dom::element entry;
  if (file->root["users"][principal.id].get(entry) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object object;
  if (entry.get_object().get(object)) return UsageError{"user `" + principal.id + "` must be a JSON object"};
  if (auto problem = runtime::internal::read_principal_json(object, principal)) return UsageError{*problem};
  return std::nullopt;
}

std::int64_t current_time_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<UsageError> request_from_flags(const EvalOptions& options, runtime::Request& request) {
  int targets = (options.call.empty() ? 0 : 1) + (options.read.empty() ? 0 : 1) + (options.prompt.empty() ? 0 : 1);
  if (targets != 1) return UsageError{"name exactly one of `--call TOOL`, `--read URI` or `--prompt NAME`"};
  if (options.user.empty()) return UsageError{"`--user ID` is required (or give `--request FILE`)"};
  request.principal.id = options.user;
  std::string inline_arguments;
  if (!options.call.empty()) {
    request.method = runtime::MethodKind::ToolCall;
    request.target = options.call[0];
    if (options.call.size() > 1) inline_arguments = options.call[1];
  } else if (!options.read.empty()) {
    request.method = runtime::MethodKind::ResourceRead;
    request.target = options.read;
  } else {
    request.method = runtime::MethodKind::PromptGet;
    request.target = options.prompt[0];
    if (options.prompt.size() > 1) inline_arguments = options.prompt[1];
  }
  if (!inline_arguments.empty() && !options.arguments.empty()) {
    return UsageError{"give the arguments once: after the target or with `--args`"};
  }
  request.arguments_json = !inline_arguments.empty() ? inline_arguments : options.arguments;
  return std::nullopt;
}

// {"user": "u-bob" | {"id":..., "roles": [...], ...}, "tool"|"resource"|"prompt": ...,
//  "arguments": {...}, "now": "2026-11-26T12:00:00Z"}
std::optional<UsageError> request_from_file(const std::string& path, runtime::Request& request, std::string& now) {
  simdjson::dom::parser parser;
  auto loaded = parser.load(path);
  if (loaded.error()) return UsageError{"cannot read `" + path + "`: " + simdjson::error_message(loaded.error())};
  simdjson::dom::object root;
  if (loaded.value_unsafe().get_object().get(root)) return UsageError{"`" + path + "` must hold a JSON object"};
  for (auto field : root) {
    std::string_view key = field.key;
    std::string_view text;
    if (key == "user") {
      if (field.value.get_string().get(text) == simdjson::SUCCESS) {
        request.principal.id = std::string(text);
      } else if (simdjson::dom::object user; field.value.get_object().get(user) == simdjson::SUCCESS) {
        if (auto problem = runtime::internal::read_principal_json(user, request.principal)) {
          return UsageError{*problem};
        }
      } else {
        return UsageError{"`user` must be a user id or an object"};
      }
    } else if (key == "tool" || key == "resource" || key == "prompt") {
      if (field.value.get_string().get(text)) return UsageError{"`" + std::string(key) + "` must be a string"};
      request.target = std::string(text);
      request.method = key == "tool" ? runtime::MethodKind::ToolCall
                       : key == "resource" ? runtime::MethodKind::ResourceRead
                                           : runtime::MethodKind::PromptGet;
    } else if (key == "arguments") {
      request.arguments_json = json_text(field.value);
    } else if (key == "now") {
      if (field.value.get_string().get(text)) return UsageError{"`now` must be a timestamp string"};
      now = std::string(text);
    } else {
      return UsageError{"unknown field `" + std::string(key) + "` in `" + path +
                        "` (expected user, tool, resource, prompt, arguments, now)"};
    }
  }
  if (request.principal.id.empty()) return UsageError{"`" + path + "` names no `user`"};
  if (request.target.empty()) return UsageError{"`" + path + "` names no `tool`, `resource` or `prompt`"};
  return std::nullopt;
}

int run_eval(const EvalOptions& options, const Context& context) {
  EngineOrExit input = load_engine(options.front_end, context);
  if (!input.engine) return input.exit_code;
  const runtime::Engine& engine = *input.engine;

  auto usage = [&](const UsageError& error) {
    context.err << "error: " << error.message << "\n  = help: see `authzc eval --help`\n";
    return kExitUsage;
  };

  runtime::Request request;
  std::string now_text = options.now;
  if (!options.request_file.empty()) {
    if (auto error = request_from_file(options.request_file, request, now_text)) return usage(*error);
  } else if (auto error = request_from_flags(options, request)) {
    return usage(*error);
  }

  std::unique_ptr<EntityFile> entity_file;
  std::shared_ptr<const runtime::EntityResolver> store;
  if (!options.entities_file.empty()) {
    entity_file = std::make_unique<EntityFile>();
    if (auto error = load_entity_file(options.entities_file, *entity_file)) return usage(*error);
    auto loaded = runtime::JsonEntityStore::from_json(entity_file->entities_json);
    if (!loaded.ok()) return usage({"entities in `" + options.entities_file + "`: " + loaded.error()});
    store = std::make_shared<const runtime::JsonEntityStore>(std::move(loaded.value()));
  }
  std::shared_ptr<const entity_sources::EntitySources> sources;
  if (!options.entities_config.empty()) {
    std::string error;
    entity_sources::Options source_options;
    source_options.log = [&context](std::string_view line) { context.err << "warning: " << line << '\n'; };
    source_options.fallback = store;
    sources = entity_sources::load_entity_sources(options.entities_config, engine, error, source_options);
    if (!sources) {
      context.err << "error: " << error << '\n';
      return kExitUsage;
    }
  }
  // Flags override what the users table says.
  if (options.request_file.empty()) {
    if (auto error = apply_user_entry(entity_file.get(), request.principal)) return usage(*error);
    if (!options.roles.empty()) request.principal.roles = options.roles;
    if (!options.attributes.empty()) request.principal.attributes_json = options.attributes;
  }
  // The database's attributes under the flags' (docs/entity-sources.md).
  if (auto problem = sources ? sources->merge_principal_attributes(request.principal) : std::nullopt) {
    context.err << "error: the user's attributes cannot be read, so every call is denied: " << *problem << '\n';
    return kExitDenied;
  }

  if (now_text.empty()) {
    request.now_ms = current_time_ms();
  } else if (auto now = runtime::parse_timestamp(now_text)) {
    request.now_ms = *now;
  } else {
    return usage({"`--now " + now_text + "` is not a timestamp; write e.g. `2026-12-01T00:00:00Z`"});
  }

  runtime::EvaluateOptions evaluate;
  evaluate.trace = !options.no_trace;
  evaluate.entities = sources ? sources.get() : store.get();
  runtime::Decision decision = engine.evaluate(request, evaluate);
  auto audience = options.end_user ? runtime::Audience::EndUser : runtime::Audience::Operator;
  context.out << (options.json ? runtime::render_json(decision, audience) : runtime::render_text(decision, audience));
  if (options.json) context.out << '\n';
  return decision.allowed() ? kExitOk : kExitDenied;
}

}  // namespace

Command register_eval_command(CLI::App& authzc) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* eval = authzc.add_subcommand("eval", "decide one request against a policy and explain the decision");
  add_front_end_options(*eval, options->front_end);
  eval->add_option("--user", options->user, "the calling user's id")->type_name("ID");
  eval->add_option("--role", options->roles, "a role the user holds (repeatable); overrides --entities users")
      ->type_name("ROLE")
      ->allow_extra_args(false);
  eval->add_option("--attributes", options->attributes, "the user's other attributes as a JSON object")
      ->type_name("JSON");
  eval->add_option("--call", options->call, "call tool TOOL, optionally with its arguments as a JSON object")
      ->expected(1, 2)
      ->type_name("TOOL [ARGS]");
  eval->add_option("--read", options->read, "read the resource at URI")->type_name("URI");
  eval->add_option("--prompt", options->prompt, "get prompt NAME, optionally with its arguments as a JSON object")
      ->expected(1, 2)
      ->type_name("NAME [ARGS]");
  eval->add_option("--args", options->arguments, "the arguments as a JSON object")->type_name("JSON");
  eval->add_option("--request", options->request_file,
                   "the whole request as a JSON file: {\"user\", \"tool\"|\"resource\"|\"prompt\", \"arguments\", \"now\"}")
      ->type_name("FILE");
  eval->add_option("--now", options->now, "evaluate at this instant instead of the current time (RFC 3339)")
      ->type_name("TIMESTAMP");
  eval->add_option("--entities", options->entities_file,
                   "entity data: {\"Type\": {\"id\": {...}}}, or {\"users\": {...}, \"entities\": {...}}")
      ->type_name("FILE");
  eval->add_option("--entities-config", options->entities_config,
                   "read entities from the SQLite / PostgreSQL / JSON sources in this TOML file's [entities.TYPE] "
                   "sections (docs/entity-sources.md)")
      ->type_name("FILE");
  eval->add_flag("--json", options->json, "print the decision as JSON");
  eval->add_flag("--end-user", options->end_user,
                 "render the explanation for the user who made the call (no values from entity data)");
  eval->add_flag("--no-trace", options->no_trace, "decide without building the explanation trace");
  eval->footer("Examples:\n"
               "  authzc eval examples/sales --entities examples/sales/entities.json \\\n"
               "      --user u-bob --call get_account '{\"account\": \"acc-7\"}' --now 2026-11-26T12:00:00Z\n"
               "  authzc eval sales.authzt --request request.json --json\n"
               "  authzc eval sales.authzt --entities-config gateway.toml --user u-dana --role manager \\\n"
               "      --call get_account '{\"account\": \"acc-7\"}'\n\n" +
               exit_status_help({{0, "the request is allowed"},
                                 {4, "the request is denied"},
                                 {1, "the policy has errors"},
                                 {2, "usage error, or a named file cannot be read"}}));
  return Command{eval, [options](const Context& context) { return run_eval(*options, context); }};
}

}  // namespace authz::cli
