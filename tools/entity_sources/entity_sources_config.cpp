// entity_sources_config.cpp — see entity_sources_config.h.
#include "tools/entity_sources/entity_sources_config.h"

#include <filesystem>

#include "tools/config/toml_reader.h"

namespace authz::entity_sources {
namespace {

using R = runtime::Result<EntitySourcesConfig>;

struct Reader : config::TomlReader {
  using TomlReader::TomlReader;

  bool source(const std::string& name, const toml::table& table, SourceConfig& out) {
    out.name = name;
    out.line = table.source().begin.line;
    int kinds = 0;
    for (const auto& [key_name, node] : table) {
      std::string key = "entities." + name + "." + std::string(key_name.str());
      bool ok = true;
      if (key_name == "sqlite" || key_name == "postgresql" || key_name == "json") {
        ++kinds;
        out.kind = key_name == "sqlite" ? SourceKind::Sqlite : key_name == "json" ? SourceKind::Json : SourceKind::Postgresql;
        // A connection string may hold a password: the message does not quote it.
        ok = nonempty_string(node, key, out.location);
      } else if (key_name == "query") ok = nonempty_string(node, key, out.query);
      else if (key_name == "timeout_ms") ok = count(node, key, out.timeout_ms, 1, 600000);
      else if (key_name == "pool_size") ok = count(node, key, out.pool_size, 1, 64);
      else {
        ok = fail(node, "unknown key `" + key + "`\n  = help: [entities." + name +
                            "] takes sqlite, postgresql or json, query, timeout_ms, pool_size");
      }
      if (!ok) return false;
    }
    if (kinds != 1) {
      return fail(table, "[entities." + name + "] needs exactly one of `sqlite`, `postgresql` and `json`");
    }
    if (out.kind == SourceKind::Json && !out.query.empty()) {
      return fail(table, "[entities." + name + "]: a json source takes no `query`");
    }
    if (out.kind != SourceKind::Json && out.query.empty()) {
      return fail(table, "[entities." + name + "] needs a `query` with one parameter, the id\n  = help: query = \"SELECT owner, team FROM accounts WHERE id = " +
                             std::string(out.kind == SourceKind::Sqlite ? "?" : "$1") + "\"");
    }
    return true;
  }

  bool entities(const toml::table& table, EntitySourcesConfig& out) {
    for (const auto& [key_name, node] : table) {
      std::string name(key_name.str());
      std::string key = "entities." + name;
      bool ok = true;
      if (name == "cache_max_age_ms") ok = count(node, key, out.cache_max_age_ms, 0, 86400000);
      else if (name == "cache_entries") ok = count(node, key, out.cache_entries, 1, 10000000);
      else if (const toml::table* section = node.as_table()) {
        ok = source(name, *section, out.sources.emplace_back());
      } else {
        ok = fail(node, "unknown key `" + key +
                            "`\n  = help: [entities] takes cache_max_age_ms, cache_entries and one [entities.TYPE] table per entity type");
      }
      if (!ok) return false;
    }
    return true;
  }
};

}  // namespace

const char* to_string(SourceKind kind) {
  switch (kind) {
    case SourceKind::Sqlite: return "sqlite";
    case SourceKind::Postgresql: return "postgresql";
    case SourceKind::Json: return "json";
  }
  return "?";
}

runtime::Result<EntitySourcesConfig> read_entity_sources_config(const toml::table& document, const std::string& file) {
  EntitySourcesConfig config;
  config.file = file;
  const toml::node* section = document.get("entities");
  if (!section) return R::success(std::move(config));
  Reader reader(file);
  if (!section->is_table()) {
    reader.fail(*section, "`entities` must be a table");
    return R::failure(reader.error);
  }
  if (!reader.entities(*section->as_table(), config)) return R::failure(reader.error);
  return R::success(std::move(config));
}

runtime::Result<EntitySourcesConfig> load_entity_sources_config(const std::string& path) {
  toml::table document;
  try {
    document = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    if (!error.source().begin) return R::failure("cannot read `" + path + "`: " + std::string(error.description()));
    return R::failure(config::parse_error_message(error, path));
  }
  auto config = read_entity_sources_config(document, path);
  if (config.ok()) resolve_relative_paths(config.value(), path);
  return config;
}

void resolve_relative_paths(EntitySourcesConfig& config, const std::string& file) {
  std::filesystem::path directory = std::filesystem::path(file).parent_path();
  for (SourceConfig& source : config.sources) {
    if (source.kind != SourceKind::Postgresql && std::filesystem::path(source.location).is_relative()) {
      source.location = (directory / source.location).string();
    }
  }
}

}  // namespace authz::entity_sources
