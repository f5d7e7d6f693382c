// entity_sources_config.h — where the gateway, `authzc eval` and `authzc
// test` read entity attributes from: the `[entities]` section of a TOML
// configuration file (toml++), as docs/entity-sources.md documents it.
//
//   [entities]                    # optional: the shared cache, off by default
//   cache_max_age_ms = 5000       # 0: no cache
//   cache_entries = 10000
//   [entities.Account]            # an entity type the policy declares
//   postgresql = "host=/run/postgresql dbname=sales user=authz"   # or sqlite = "FILE", or json = "FILE"
//   query = "SELECT owner, team, region FROM accounts WHERE id = $1"
//   timeout_ms = 1000             # statement timeout and wait bound
//   pool_size = 2                 # connections at most
//   [entities.User]               # the principal (its schema's name): attributes by user id
//
// Contract: every key is read with its type checked; an unknown key, a
// value of the wrong type or range, a source with none or two of
// sqlite/postgresql/json, a database source without a query (or a json
// source with one) is one error naming the key and its line
// (`gateway.toml:7: ...`). Relative sqlite/json paths are resolved against
// the configuration file's directory by load_entity_sources_config. Error
// messages never quote a postgresql connection string. Never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "runtime/result.h"

namespace authz::entity_sources {

enum class SourceKind : std::uint8_t { Sqlite, Postgresql, Json };
const char* to_string(SourceKind kind);  // "sqlite", "postgresql", "json"

struct SourceConfig {
  std::string name;      // the entity type, or the principal schema's name
  SourceKind kind = SourceKind::Sqlite;
  std::string location;  // a file path, or a libpq connection string (secret: never printed)
  std::string query;     // empty for json
  int timeout_ms = 1000;
  int pool_size = 2;
  std::uint32_t line = 0;  // of the [entities.NAME] header, for messages
};

struct EntitySourcesConfig {
  std::string file;  // the configuration file, for messages
  std::vector<SourceConfig> sources;
  int cache_max_age_ms = 0;  // 0: no cache
  std::size_t cache_entries = 10000;
};

// The `[entities]` section of `document` (no section: no sources). `file`
// names the document in messages; relative paths are left as written.
runtime::Result<EntitySourcesConfig> read_entity_sources_config(const toml::table& document, const std::string& file);
// Resolves relative sqlite/json paths against `file`'s directory.
void resolve_relative_paths(EntitySourcesConfig& config, const std::string& file);
// Parses the file, reads its `[entities]` section, resolves relative paths.
runtime::Result<EntitySourcesConfig> load_entity_sources_config(const std::string& path);

}  // namespace authz::entity_sources
