// entity_sources.cpp — see entity_sources.h.
#include "tools/entity_sources/entity_sources.h"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <list>
#include <mutex>
#include <unordered_map>

#include "runtime/internal/value_text.h"
#include "tools/entity_sources/row_source.h"

namespace authz::entity_sources {

const char* to_string(ColumnType type) {
  switch (type) {
    case ColumnType::Unknown: return "an expression";
    case ColumnType::Text: return "text";
    case ColumnType::Integer: return "integer";
    case ColumnType::Real: return "real";
    case ColumnType::Boolean: return "boolean";
    case ColumnType::Timestamp: return "timestamp";
    case ColumnType::Json: return "json";
    case ColumnType::Other: return "other";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

struct Bound {
  SourceConfig config;
  std::unique_ptr<RowSource> rows;                   // sqlite, postgresql
  std::unique_ptr<runtime::JsonEntityStore> json;    // json
  std::vector<Conversion> conversions;               // per column
  bool principal = false;
  std::string failure_prefix;  // "entity source `Account` (postgresql) failed: "
};

// "[entities.Account] (postgresql): ", the start of every message about a source.
std::string section(const SourceConfig& config) {
  return "[entities." + config.name + "] (" + to_string(config.kind) + "): ";
}

// Whether a column of `column` type can hold attribute values of `kind`;
// sets the conversion fetch() applies.
bool compatible(runtime::TypeKind kind, ColumnType column, Conversion& conversion) {
  using runtime::TypeKind;
  conversion = Conversion::Auto;
  if (column == ColumnType::Unknown) {
    if (kind == TypeKind::Set || kind == TypeKind::List || kind == TypeKind::Map || kind == TypeKind::Record) {
      conversion = Conversion::Json;
    }
    if (kind == TypeKind::Bool) conversion = Conversion::Boolean;
    return true;  // an expression: its values are checked when a rule reads them
  }
  switch (kind) {
    case TypeKind::String: case TypeKind::Entity: case TypeKind::Role: return column == ColumnType::Text;
    case TypeKind::Int: return column == ColumnType::Integer;
    case TypeKind::Number: return column == ColumnType::Integer || column == ColumnType::Real;
    case TypeKind::Bool:
      conversion = Conversion::Boolean;
      return column == ColumnType::Boolean || column == ColumnType::Integer;
    case TypeKind::Timestamp:
      return column == ColumnType::Timestamp || column == ColumnType::Text || column == ColumnType::Integer;
    case TypeKind::Duration: return column == ColumnType::Text || column == ColumnType::Integer;
    case TypeKind::Set: case TypeKind::List: case TypeKind::Map: case TypeKind::Record:
      conversion = Conversion::Json;
      return column == ColumnType::Json || column == ColumnType::Text;
    case TypeKind::Principal: return false;
  }
  return false;
}

const char* column_help(runtime::TypeKind kind, bool postgresql) {
  using runtime::TypeKind;
  switch (kind) {
    case TypeKind::String: case TypeKind::Entity: case TypeKind::Role:
      return postgresql ? "select a text column, or cast it: `col::text AS name`" : "select a TEXT column, or `CAST(col AS TEXT) AS name`";
    case TypeKind::Int: return "select an integer column";
    case TypeKind::Number: return "select a numeric column";
    case TypeKind::Bool: return postgresql ? "select a boolean column" : "select a BOOLEAN or INTEGER (0/1) column";
    case TypeKind::Timestamp:
      return postgresql ? "select a timestamptz, text (`2026-12-01T00:00:00Z`) or bigint (ms since 1970) column"
                        : "select TEXT (`2026-12-01T00:00:00Z`) or INTEGER (ms since 1970)";
    case TypeKind::Duration: return "select text (`1h30m`) or an integer (milliseconds)";
    default:
      return postgresql ? "select a json or jsonb column, e.g. `to_jsonb(col) AS name`" : "select TEXT holding JSON";
  }
}

// Checks one opened source (`rows` null for json) against the policy; sets
// the conversion of each column and whether it reads the principal.
std::optional<std::string> check_source(const SourceConfig& config, const RowSource* rows, const runtime::Model& model,
                                        std::vector<Conversion>& conversions, bool& principal) {
  std::string where = section(config);
  const runtime::Schema* schema = nullptr;
  principal = config.name == model.principal.name;
  if (principal) schema = &model.principal;
  for (const runtime::Schema& entity : model.entities) {
    if (entity.name == config.name) schema = &entity;
  }
  if (!schema) {
    std::string names;
    for (const runtime::Schema& entity : model.entities) names += (names.empty() ? "`" : ", `") + entity.name + "`";
    return where + "the policy declares no entity `" + config.name + "` and its principal is `" + model.principal.name +
           "`\n  = help: name a section after a declared entity" + (names.empty() ? std::string() : " (" + names + ")");
  }
  if (principal && config.kind == SourceKind::Json) {
    return where + "the principal's attributes come from sqlite or postgresql\n  = help: for a JSON file, use the `users` entry of --entities";
  }
  if (!rows) return std::nullopt;  // json: checked when rules read it, as today
  bool postgresql = config.kind == SourceKind::Postgresql;
  std::string query = "\n  query: " + config.query;
  const std::vector<Column>& columns = rows->columns();
  auto builtin = [&](const std::string& name) { return name == "id" || (principal && name == "roles"); };
  conversions.assign(columns.size(), Conversion::Auto);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const Column& column = columns[i];
    for (std::size_t j = 0; j < i; ++j) {
      if (columns[j].name == column.name) return where + "the query returns column `" + column.name + "` twice" + query;
    }
    if (principal && column.name == "roles") {
      return where + "column `roles`: roles come from the token or the flags, not from the principal's source" + query +
             "\n  = help: leave `roles` out of the query";
    }
    if (column.name == "id") continue;  // the id looked up; the evaluator uses it as given
    const runtime::Attribute* attribute = nullptr;
    for (const runtime::Attribute& candidate : schema->attributes) {
      if (candidate.name == column.name) attribute = &candidate;
    }
    if (!attribute) {
      return where + "column `" + column.name + "` is not an attribute of `" + schema->name + "`" + query +
             "\n  = help: select only the declared attributes, named as the policy names them (`col AS name`)";
    }
    const runtime::TypeDescriptor& type = model.types[attribute->type];
    if (!compatible(type.kind, column.type, conversions[i])) {
      return where + "attribute `" + schema->name + "." + attribute->name + "` is " +
             runtime::type_name(model, attribute->type) + ", but column `" + column.name + "` is " +
             (column.declared.empty() ? std::string(to_string(column.type)) : column.declared) + query +
             "\n  = help: " + column_help(type.kind, postgresql);
    }
  }
  for (const runtime::Attribute& attribute : schema->attributes) {
    if (builtin(attribute.name)) continue;
    bool found = false;
    for (const Column& column : columns) found = found || column.name == attribute.name;
    if (!found) {
      return where + "attribute `" + schema->name + "." + attribute.name + "` (" +
             runtime::type_name(model, attribute.type) + ") has no column in the query" + query +
             "\n  = help: add it to the select list: `..., " + attribute.name + "`" +
             (postgresql && std::any_of(attribute.name.begin(), attribute.name.end(), ::isupper)
                  ? " (postgresql folds unquoted names to lowercase: `AS \"" + attribute.name + "\"`)"
                  : std::string());
    }
  }
  return std::nullopt;
}

}  // namespace

struct EntitySources::State {
  EntitySourcesConfig config;
  Options options;
  std::vector<Bound> sources;
  const Bound* principal = nullptr;
  mutable std::atomic<std::uint64_t> database_lookups{0};

  // The cache: key "Type\0id".
  struct Cached {
    std::string key;
    std::shared_ptr<const runtime::Entity> entity;
    Clock::time_point stored;
  };
  mutable std::mutex cache_mutex;
  mutable std::list<Cached> lru;  // most recent first
  mutable std::unordered_map<std::string_view, std::list<Cached>::iterator> index;

  const Bound* find(std::string_view type) const {
    for (const Bound& bound : sources) {
      if (!bound.principal && bound.config.name == type) return &bound;
    }
    return nullptr;
  }

  std::shared_ptr<const runtime::Entity> cached(const std::string& key) const {
    std::lock_guard lock(cache_mutex);
    auto found = index.find(key);
    if (found == index.end()) return nullptr;
    auto entry = found->second;
    if (Clock::now() - entry->stored > std::chrono::milliseconds(config.cache_max_age_ms)) {
      index.erase(found);
      lru.erase(entry);
      return nullptr;
    }
    lru.splice(lru.begin(), lru, entry);
    return entry->entity;
  }

  void store(std::string key, std::shared_ptr<const runtime::Entity> entity) const {
    std::lock_guard lock(cache_mutex);
    if (auto found = index.find(key); found != index.end()) {
      found->second->entity = std::move(entity);
      found->second->stored = Clock::now();
      lru.splice(lru.begin(), lru, found->second);
      return;
    }
    lru.push_front({std::move(key), std::move(entity), Clock::now()});
    index.emplace(lru.front().key, lru.begin());
    while (lru.size() > config.cache_entries) {
      index.erase(lru.back().key);
      lru.pop_back();
    }
  }

  // Runs `bound`'s query; on a row calls `row`. Failures are logged.
  FetchResult fetch(const Bound& bound, std::string_view id,
                    const std::function<void(std::span<const runtime::EntityField>)>& row) const {
    database_lookups.fetch_add(1, std::memory_order_relaxed);
    FetchResult result = bound.rows->fetch(id, bound.conversions, row);
    if (result.status == FetchStatus::Failed && options.log) {
      options.log(bound.failure_prefix + result.error + (result.detail.empty() ? "" : " (" + result.detail + ")"));
    }
    return result;
  }
};

EntitySources::EntitySources(std::unique_ptr<State> state) : state_(std::move(state)) {}
EntitySources::~EntitySources() = default;

runtime::Result<std::shared_ptr<EntitySources>> EntitySources::open(const EntitySourcesConfig& config,
                                                                   const runtime::Model& model, Options options) {
  using R = runtime::Result<std::shared_ptr<EntitySources>>;
  auto state = std::make_unique<State>();
  state->config = config;
  state->options = std::move(options);
  state->sources.reserve(config.sources.size());
  for (const SourceConfig& source : config.sources) {
    std::string where = config.file + ":" + std::to_string(source.line) + ": " + section(source);
    Bound& bound = state->sources.emplace_back();
    bound.config = source;
    bound.failure_prefix = "entity source `" + source.name + "` (" + to_string(source.kind) + ") failed: ";
    SourceOptions source_options{source.timeout_ms, source.pool_size};
    if (source.kind == SourceKind::Json) {
      auto store = runtime::JsonEntityStore::from_file(source.location);
      if (!store.ok()) return R::failure(where + store.error());
      bound.json = std::make_unique<runtime::JsonEntityStore>(std::move(store.value()));
    } else {
      auto rows = source.kind == SourceKind::Sqlite ? open_sqlite_source(source.location, source.query, source_options)
                                                    : open_postgresql_source(source.location, source.query, source_options);
      if (!rows.ok()) return R::failure(where + rows.error() + "\n  query: " + source.query);
      bound.rows = std::move(rows.value());
    }
    if (auto problem = check_source(bound.config, bound.rows.get(), model, bound.conversions, bound.principal)) return R::failure(config.file + ":" + std::to_string(source.line) + ": " + *problem);
    for (const Bound& other : state->sources) {
      if (&other != &bound && other.config.name == source.name) {
        return R::failure(where + "a second source for `" + source.name + "`");
      }
    }
    if (bound.principal) state->principal = &bound;
  }
  return R::success(std::shared_ptr<EntitySources>(new EntitySources(std::move(state))));
}

std::optional<std::string> EntitySources::recheck(const runtime::Model& model) const {
  clear_cache();
  // Conversions depend on the policy's types: check into copies, then swap in.
  for (const Bound& bound : state_->sources) {
    std::vector<Conversion> conversions;
    bool principal = false;
    std::string where = state_->config.file + ":" + std::to_string(bound.config.line) + ": ";
    if (auto problem = check_source(bound.config, bound.rows.get(), model, conversions, principal)) return where + *problem;
    if (conversions != bound.conversions || principal != bound.principal) {
      return where + section(bound.config) +
             "the new policy changes the attribute types this source reads\n  = help: restart the gateway to read them";
    }
  }
  return std::nullopt;
}

void EntitySources::clear_cache() const {
  std::lock_guard lock(state_->cache_mutex);
  state_->index.clear();
  state_->lru.clear();
}

bool EntitySources::has_principal_source() const { return state_->principal != nullptr; }
std::uint64_t EntitySources::database_lookups() const { return state_->database_lookups.load(); }

const runtime::Entity* EntitySources::lookup(std::string_view entity_type, std::string_view id) const {
  const Bound* bound = state_->find(entity_type);
  if (!bound) return state_->options.fallback ? state_->options.fallback->lookup(entity_type, id) : nullptr;
  return bound->json ? bound->json->lookup(entity_type, id) : nullptr;
}

const runtime::Entity* EntitySources::resolve(std::string_view entity_type, std::string_view id,
                                              runtime::EntityLookup& scope) const {
  const Bound* bound = state_->find(entity_type);
  if (!bound) return state_->options.fallback ? state_->options.fallback->resolve(entity_type, id, scope) : nullptr;
  if (bound->json) return bound->json->lookup(entity_type, id);
  std::string key;
  bool caching = state_->config.cache_max_age_ms > 0;
  if (caching) {
    key.reserve(entity_type.size() + 1 + id.size());
    key.append(entity_type).push_back('\0');
    key.append(id);
    if (auto entity = state_->cached(key)) return scope.keep(std::move(entity));
  }
  std::shared_ptr<const runtime::Entity> made;
  std::string problem;
  FetchResult result = state_->fetch(*bound, id, [&](std::span<const runtime::EntityField> fields) {
    auto entity = runtime::Entity::from_fields(fields);
    if (entity.ok()) made = std::make_shared<const runtime::Entity>(std::move(entity.value()));
    else problem = entity.error();
  });
  if (result.status == FetchStatus::Failed) {
    scope.fail(bound->failure_prefix + result.error);
    return nullptr;
  }
  if (result.status == FetchStatus::NotFound) return nullptr;
  if (!made) {
    // A json column holding something that is not JSON: the source is broken, not the id.
    scope.fail(bound->failure_prefix + "a row does not read: " + problem);
    return nullptr;
  }
  if (caching) state_->store(std::move(key), made);
  return scope.keep(std::move(made));
}

std::optional<std::string> EntitySources::merge_principal_attributes(runtime::Principal& principal) const {
  if (!has_principal_source()) return std::nullopt;
  auto merged = principal_attributes(principal.id, principal.attributes_json);
  if (!merged.ok()) return merged.error();
  principal.attributes_json = std::move(merged.value());
  return std::nullopt;
}

runtime::Result<std::string> EntitySources::principal_attributes(std::string_view user_id,
                                                                std::string_view overlay_json) const {
  using R = runtime::Result<std::string>;
  simdjson::dom::parser parser;
  simdjson::dom::object overlay;
  std::string overlay_text(overlay_json.empty() ? std::string_view("{}") : overlay_json);
  if (parser.parse(overlay_text).get_object().get(overlay) != simdjson::SUCCESS) {
    return R::failure("the principal's attributes must be a JSON object");
  }
  std::string out = "{";
  auto comma = [&out] {
    if (out.size() > 1) out += ',';
  };
  if (const Bound* bound = state_->principal) {
    std::string problem;
    FetchResult result = state_->fetch(*bound, user_id, [&](std::span<const runtime::EntityField> fields) {
      using Kind = runtime::EntityField::Kind;
      for (const runtime::EntityField& field : fields) {
        if (field.name == "id" || field.kind == Kind::Null) continue;
        simdjson::dom::element ignored;
        if (overlay.at_key(field.name).get(ignored) == simdjson::SUCCESS) continue;  // the token or flags win
        comma();
        runtime::append_quoted(out, field.name);
        out += ':';
        switch (field.kind) {
          case Kind::Bool: out += field.boolean ? "true" : "false"; break;
          case Kind::Int: out += std::to_string(field.integer); break;
          case Kind::Number: {
            char buffer[64];
            std::snprintf(buffer, sizeof buffer, "%.17g", field.number);
            out += buffer;
            break;
          }
          case Kind::String: runtime::append_quoted(out, field.text); break;
          case Kind::Json: {
            simdjson::dom::parser json_parser;
            simdjson::dom::element value;
            if (json_parser.parse(std::string(field.text)).get(value) != simdjson::SUCCESS) {
              problem = "column `" + std::string(field.name) + "` does not hold JSON";
              return;
            }
            out += simdjson::minify(value);
            break;
          }
          case Kind::Null: break;
        }
      }
    });
    if (result.status == FetchStatus::Failed) return R::failure(bound->failure_prefix + result.error);
    if (!problem.empty()) return R::failure(bound->failure_prefix + problem);
  }
  for (auto field : overlay) {
    comma();
    runtime::append_quoted(out, field.key);
    out += ':';
    out += simdjson::minify(field.value);
  }
  out += '}';
  return R::success(std::move(out));
}

std::shared_ptr<const EntitySources> load_entity_sources(const std::string& path, const runtime::Engine& engine,
                                                         std::string& error, Options options) {
  auto config = load_entity_sources_config(path);
  if (!config.ok()) {
    error = config.error();
    return nullptr;
  }
  auto sources = EntitySources::open(config.value(), engine.model(), std::move(options));
  if (!sources.ok()) {
    error = sources.error();
    return nullptr;
  }
  return sources.value();
}

}  // namespace authz::entity_sources
