// entity_sources.h — authz::entity_sources: the runtime's EntityResolver over
// entity attributes read from SQLite files, PostgreSQL servers or JSON files,
// one source per entity type, as configured in `[entities.TYPE]`
// (entity_sources_config.h; docs/entity-sources.md).
//
// Contract:
//   - open() connects to every source, prepares every query and checks it
//     against the policy's declarations before anything is served: a query
//     that does not take exactly one parameter, a column that is no
//     attribute, an attribute without a column, a column whose declared type
//     cannot hold the attribute's type, a section naming no declared entity
//     is one error naming the section, the entity, the attribute, the
//     column and the query (`gateway.toml:9: [entities.Account]: ...`).
//     Messages never hold a postgresql connection string.
//   - resolve() (the evaluator's entry) runs the type's query with the id as
//     its one bound parameter. Found: the row's columns are the entity's
//     attributes (NULL: absent). No row: not found. The database failed or
//     timed out: EntityLookup::fail with "entity source `Account`
//     (postgresql) failed: the query ran longer than 1000 ms" (the decision
//     is then a deny with reason `error`), and the database's own message
//     goes to Options::log. The runtime asks at most once per entity per
//     decision (entity_store.h).
//   - With cache_max_age_ms > 0, found entities are kept up to that age in
//     a bounded LRU cache shared by all threads (not-found and failures are
//     never cached); clear_cache() empties it (a policy reload does).
//   - The principal's section (named after the policy's principal schema,
//     `[entities.User]`) reads the user's attributes by user id:
//     principal_attributes() merges them UNDER the attributes the token or
//     the flags give: a key present in `overlay_json` wins, whole.
//   - lookup() (without an EntityLookup) answers json sources only: a
//     database row needs the evaluator's EntityLookup to live in.
//   - Thread-safe; sources are kept for the object's life.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/engine.h"
#include "runtime/entity_store.h"
#include "runtime/result.h"
#include "tools/entity_sources/entity_sources_config.h"

namespace authz::entity_sources {

struct Options {
  // Lines for the operator (a source's failure with the database's own
  // message). Null: dropped. Called from the evaluating thread.
  std::function<void(std::string_view)> log;
  // Asked for entity types no section configures (e.g. the JSON file of
  // --entities). Null: such entities are not found.
  std::shared_ptr<const runtime::EntityResolver> fallback;
};

class EntitySources final : public runtime::EntityResolver {
 public:
  static runtime::Result<std::shared_ptr<EntitySources>> open(const EntitySourcesConfig& config,
                                                             const runtime::Model& model, Options options = {});
  ~EntitySources() override;

  const runtime::Entity* lookup(std::string_view entity_type, std::string_view id) const override;
  const runtime::Entity* resolve(std::string_view entity_type, std::string_view id,
                                 runtime::EntityLookup& scope) const override;

  // Checks the open sources against another policy (a reload): nullopt when
  // they fit, else the message open() would give. Clears the cache either way.
  std::optional<std::string> recheck(const runtime::Model& model) const;
  void clear_cache() const;

  // Whether a principal section is configured; principal_attributes() reads it.
  bool has_principal_source() const;
  // The user's attributes as one JSON object: the principal source's row
  // (none when it has no row), then every key of `overlay_json` (a JSON
  // object or empty) over it. Fails when the source fails.
  runtime::Result<std::string> principal_attributes(std::string_view user_id, std::string_view overlay_json) const;
  // What every caller does with it: with a principal source, `principal`'s
  // attributes become principal_attributes(its id, its attributes); without
  // one, nothing changes. nullopt, or the source's message (the principal
  // unchanged); each caller words the refusal for its own audience.
  std::optional<std::string> merge_principal_attributes(runtime::Principal& principal) const;

  // Lookups that went to a database (cache misses), for tests and benchmarks.
  std::uint64_t database_lookups() const;

  struct State;

 private:
  explicit EntitySources(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Reads the `[entities]` sections of the TOML file at `path` and opens the
// sources against `engine`'s policy (the stdio gateway's --entities-config).
// On failure returns null and sets `error`.
std::shared_ptr<const EntitySources> load_entity_sources(const std::string& path, const runtime::Engine& engine,
                                                         std::string& error, Options options = {});

}  // namespace authz::entity_sources
