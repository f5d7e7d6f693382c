// entity_store.cpp — Entity and JsonEntityStore (see entity_store.h).
#include "runtime/entity_store.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "runtime/internal/json_input.h"
#include "runtime/internal/string_map.h"
#include "runtime/internal/value_store.h"

namespace authz::runtime {

struct JsonEntityStore::Types {
  internal::StringMap<internal::StringMap<Entity>> by_type;
};

namespace {

// Builds one entity's values from a parsed JSON object element; its root is
// store.values[0].
bool build_entity(simdjson::dom::element json, internal::ValueStore& store, std::string& error) {
  if (json.type() != simdjson::dom::element_type::OBJECT) {
    error = fmt::format("an entity must be a JSON object, not {}", internal::describe_json(json));
    return false;
  }
  std::uint32_t slot = store.reserve(1);
  if (!internal::convert_untyped(json, store, slot, 1, error)) return false;
  store.finish();
  return true;
}

}  // namespace

Result<Entity> Entity::from_json(std::string_view json) {
  simdjson::dom::element document;
  std::string error;
  if (!internal::parse_json(json, document, error)) return Result<Entity>::failure(error);
  internal::ValueStore store;
  if (!build_entity(document, store, error)) return Result<Entity>::failure(error);
  return Result<Entity>::success(Entity(std::move(store)));
}

Result<Entity> Entity::from_fields(std::span<const EntityField> fields) {
  internal::ValueStore store;
  auto count = static_cast<std::uint32_t>(fields.size());
  std::size_t text = 0;
  for (const EntityField& field : fields) text += field.name.size() + field.text.size();
  store.chars.reserve(text);  // one allocation for every name and string (JSON fields may add more)
  const std::uint32_t root = store.reserve(1);
  std::uint32_t first = store.reserve(2 * fields.size());
  store.values[root] = internal::ValueStore::sequence(ValueKind::Map, first, count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const EntityField& field = fields[i];
    store.values[first + 2 * i] = store.string(field.name);
    Value value;
    switch (field.kind) {
      case EntityField::Kind::Null: break;
      case EntityField::Kind::Bool: value = Value::of_bool(field.boolean); break;
      case EntityField::Kind::Int: value = Value::of_int(field.integer); break;
      case EntityField::Kind::Number: value = Value::of_number(field.number); break;
      case EntityField::Kind::String: value = store.string(field.text); break;
      case EntityField::Kind::Json: {
        simdjson::dom::element json;
        std::string error;
        if (!internal::parse_json(field.text, json, error) ||
            !internal::convert_untyped(json, store, first + 2 * i + 1, 1, error)) {
          return Result<Entity>::failure(fmt::format("attribute `{}`: {}", field.name, error));
        }
        continue;
      }
    }
    store.values[first + 2 * i + 1] = value;
  }
  store.finish();
  return Result<Entity>::success(Entity(std::move(store)));
}

Entity::Entity(internal::ValueStore&& store) : store_(std::move(store)), root_(store_.values[0]) {}

const Entity* EntityLookup::keep(std::shared_ptr<const Entity> entity) {
  used_ = true;
  const Entity* kept = entity.get();
  if (kept_count_ < std::size(first_kept_)) first_kept_[kept_count_++] = std::move(entity);
  else more_kept_.push_back(std::move(entity));
  return kept;
}

void EntityLookup::fail(std::string message) {
  used_ = true;
  failed_ = true;
  failure_ = std::move(message);
}

const Value* Entity::attribute(std::string_view name) const {
  for (std::uint32_t i = 0; i < root_.size; ++i) {
    if (root_.items[2 * i].string() == name) return &root_.items[2 * i + 1];
  }
  return nullptr;
}

Result<JsonEntityStore> JsonEntityStore::from_json(std::string_view json) {
  using Failure = Result<JsonEntityStore>;
  simdjson::dom::element document;
  std::string error;
  if (!internal::parse_json(json, document, error)) return Failure::failure("entity data: " + error);
  simdjson::dom::object types;
  if (document.get_object().get(types) != simdjson::SUCCESS) {
    return Failure::failure(fmt::format("entity data must be an object of entity types, not {}",
                                        internal::describe_json(document)));
  }
  JsonEntityStore store;
  auto built = std::make_shared<Types>();
  for (auto type_field : types) {
    simdjson::dom::object entities;
    if (type_field.value.get_object().get(entities) != simdjson::SUCCESS) {
      return Failure::failure(fmt::format("entity data: `{}` must map entity ids to objects, not {}",
                                          type_field.key, internal::describe_json(type_field.value)));
    }
    auto [by_id, inserted] = built->by_type.try_emplace(std::string(type_field.key));
    if (!inserted) return Failure::failure(fmt::format("entity data: type `{}` appears twice", type_field.key));
    for (auto entity_field : entities) {
      internal::ValueStore values;
      if (!build_entity(entity_field.value, values, error)) {
        return Failure::failure(fmt::format("entity data: `{}` `{}`: {}", type_field.key, entity_field.key, error));
      }
      if (!by_id->second.try_emplace(std::string(entity_field.key), Entity(std::move(values))).second) {
        return Failure::failure(
            fmt::format("entity data: `{}` `{}` appears twice", type_field.key, entity_field.key));
      }
      ++store.entity_count_;
    }
  }
  store.types_ = std::move(built);
  return Result<JsonEntityStore>::success(std::move(store));
}

Result<JsonEntityStore> JsonEntityStore::from_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Result<JsonEntityStore>::failure(fmt::format("cannot open entity data file `{}`", path));
  std::ostringstream text;
  text << file.rdbuf();
  auto store = from_json(text.str());
  if (!store.ok()) return Result<JsonEntityStore>::failure(fmt::format("{}: {}", path, store.error()));
  return store;
}

const Entity* JsonEntityStore::lookup(std::string_view entity_type, std::string_view id) const {
  if (!types_) return nullptr;  // moved from
  auto type = types_->by_type.find(entity_type);
  if (type == types_->by_type.end()) return nullptr;
  auto entity = type->second.find(id);
  return entity == type->second.end() ? nullptr : &entity->second;
}

}  // namespace authz::runtime
