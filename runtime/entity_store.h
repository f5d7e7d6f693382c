// entity_store.h — entity data the evaluator looks up (`args.account.owner`).
//
// Contract: the host implements EntityResolver (a database, a cache, a
// service) or uses JsonEntityStore. lookup(type, id) returns the entity or
// nullptr when there is none; the pointer must stay valid until the
// evaluate() call that asked returns, and lookup must be safe to call from
// every thread that evaluates. One evaluate() call may reuse an answer for
// the same (type, id) instead of asking again. An entity that is not found makes the
// condition that needed it an evaluation error (a deny rule then denies;
// an allow rule does not apply).
//
// An Entity holds its attributes as parsed from a JSON object; attribute
// values are checked against the policy's declared types when a rule reads
// them (a mismatch is an evaluation error, naming the attribute but not its
// value). Null counts as absent. Timestamps and durations in entity data are
// integer milliseconds or strings (`2026-12-01T00:00:00Z`, `1h30m`).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "runtime/internal/string_map.h"
#include "runtime/internal/value_store.h"
#include "runtime/result.h"
#include "runtime/value.h"

namespace authz::runtime {

class Entity {
 public:
  // `json` must be a JSON object: {"owner": "u-bob", "team": "east"}.
  static Result<Entity> from_json(std::string_view json);

  // The attribute's value, or nullptr when the entity has no such attribute.
  // A JSON null comes back as an Absent value.
  const Value* attribute(std::string_view name) const;
  std::size_t attribute_count() const { return root_.size; }

  Entity(Entity&&) noexcept = default;
  Entity& operator=(Entity&&) noexcept = default;

 private:
  friend class JsonEntityStore;
  Entity() = default;
  internal::ValueStore store_;
  Value root_;  // a Map over store_
};

class EntityResolver {
 public:
  virtual ~EntityResolver() = default;
  virtual const Entity* lookup(std::string_view entity_type, std::string_view id) const = 0;
};

// Entities from JSON of the form
//   {"Account": {"acc-1": {"owner": "u-bob", "team": "east"}, ...}, ...}
// loaded once; lookups are hash-map finds and allocate nothing. Immutable
// after loading, so any number of threads may look up at once.
class JsonEntityStore final : public EntityResolver {
 public:
  static Result<JsonEntityStore> from_json(std::string_view json);
  static Result<JsonEntityStore> from_file(const std::string& path);

  const Entity* lookup(std::string_view entity_type, std::string_view id) const override;
  std::size_t size() const { return entity_count_; }

  JsonEntityStore(JsonEntityStore&&) noexcept = default;
  JsonEntityStore& operator=(JsonEntityStore&&) noexcept = default;

 private:
  JsonEntityStore() = default;
  internal::StringMap<internal::StringMap<Entity>> by_type_;
  std::size_t entity_count_ = 0;
};

}  // namespace authz::runtime
