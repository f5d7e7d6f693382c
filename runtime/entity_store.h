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
//
// Resolvers that make entities on demand (a database row read per call,
// tools/entity_sources) override resolve() instead: the EntityLookup it is
// given belongs to one evaluate() call, keeps the entities handed to it
// alive until that call returns, and takes a failure of the source (down,
// timed out) apart from "not found". The evaluator asks resolve() at most
// once per (type, id) in one evaluate() call when the resolver used the
// EntityLookup or found nothing. A failed source makes the condition an evaluation error like a
// missing entity, and a decision that nothing allowed is then a deny with
// reason `error` (not `not_permitted`): the data that could have allowed it
// could not be read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/internal/value_store.h"
#include "runtime/result.h"
#include "runtime/value.h"

namespace authz::runtime {

// One attribute of an entity read from somewhere other than JSON (a
// database column): Entity::from_fields builds the entity without a JSON
// round trip. Json holds a JSON array or object as text (a json column).
struct EntityField {
  enum class Kind : std::uint8_t { Null, Bool, Int, Number, String, Json };
  std::string_view name;
  Kind kind = Kind::Null;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string_view text;  // String: the text; Json: the JSON text
};

class Entity {
 public:
  // `json` must be a JSON object: {"owner": "u-bob", "team": "east"}.
  static Result<Entity> from_json(std::string_view json);
  // The attributes given, in order (names should be distinct); fails only on
  // a Json field that is not valid JSON.
  static Result<Entity> from_fields(std::span<const EntityField> fields);

  // The attribute's value, or nullptr when the entity has no such attribute.
  // A JSON null comes back as an Absent value.
  const Value* attribute(std::string_view name) const;
  std::size_t attribute_count() const { return root_.size; }

  Entity(Entity&&) noexcept = default;
  Entity& operator=(Entity&&) noexcept = default;

 private:
  friend class JsonEntityStore;
  // Takes a finished store whose values[0] is the attribute Map.
  explicit Entity(internal::ValueStore&& store);
  // The storage root_ points into (strings and items); a store keeps its
  // buffers when moved, so a moved Entity stays valid.
  internal::ValueStore store_;
  Value root_;  // a Map over store_.values
};

// One evaluate() call's view of entity lookups, handed to
// EntityResolver::resolve(). Made by the evaluator; not for hosts to create.
class EntityLookup {
 public:
  // Keeps `entity` alive until the evaluate() call returns; returns it.
  const Entity* keep(std::shared_ptr<const Entity> entity);
  // The source could not answer (unreachable, timed out, a query error):
  // not "not found". `message` says which source failed and how, never its
  // credentials; it reaches the decision's message and the audit log.
  void fail(std::string message);

  bool failed() const { return failed_; }
  const std::string& failure() const { return failure_; }
  // Whether the resolver called keep() or fail() since the last reset_call().
  bool used() const { return used_; }
  void reset_call() { used_ = false; failed_ = false; failure_.clear(); }

 private:
  std::shared_ptr<const Entity> first_kept_[4];  // the usual few, without an allocation
  std::size_t kept_count_ = 0;
  std::vector<std::shared_ptr<const Entity>> more_kept_;
  std::string failure_;
  bool failed_ = false;
  bool used_ = false;
};

class EntityResolver {
 public:
  virtual ~EntityResolver() = default;
  virtual const Entity* lookup(std::string_view entity_type, std::string_view id) const = 0;
  // What the evaluator calls; by default lookup(). Thread-safe like lookup().
  virtual const Entity* resolve(std::string_view entity_type, std::string_view id, EntityLookup& scope) const {
    (void)scope;
    return lookup(entity_type, id);
  }
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
  struct Types;  // entities by type, then id (entity_store.cpp)
  std::shared_ptr<const Types> types_;
  std::size_t entity_count_ = 0;
};

}  // namespace authz::runtime
