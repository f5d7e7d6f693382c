// json_input.cpp — see internal/json_input.h. Conversion recurses along the
// JSON tree, bounded by kMaxJsonNesting; a child array of n elements reserves
// n consecutive slots first so sequences stay contiguous in the store.
#include "runtime/internal/closest_name.h"
#include "runtime/internal/json_input.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <type_traits>

#include <fmt/format.h>

#include "runtime/internal/small_vector.h"
#include "runtime/internal/value_ops.h"
#include "runtime/internal/time_text.h"

namespace authz::runtime::internal {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool check_string_length(std::string_view text, const JsonPath& path, std::string& error) {
  if (text.size() <= kMaxJsonString) return true;
  error = fmt::format("`{}` is a string of {} bytes; at most {} are accepted", path.text(), text.size(),
                      kMaxJsonString);
  return false;
}

// Sorted copy of an object's keys; reports the first repeated key.
template <class Path>
bool check_unique_keys(simdjson::dom::object object, const Path& path, std::string& error) {
  SmallVector<std::string_view, 16> keys;
  for (auto field : object) keys.push_back(field.key);
  std::sort(keys.data(), keys.data() + keys.size());
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (keys[i] == keys[i - 1]) {
      if constexpr (std::is_same_v<Path, JsonPath>) {
        error = fmt::format("`{}` has the key `{}` twice", path.text(), keys[i].substr(0, 64));
      } else {
        error = fmt::format("{} has the key `{}` twice", path, keys[i].substr(0, 64));
      }
      return false;
    }
  }
  return true;
}

void append_key(std::string& out, std::string_view key) {
  bool plain = !key.empty() && !(key[0] >= '0' && key[0] <= '9') &&
               std::all_of(key.begin(), key.end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
               });
  if (plain) {
    out += '.';
    out += key;
    return;
  }
  out += "[\"";
  for (char c : key.substr(0, 64)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += "\"]";
}

}  // namespace

std::string JsonPath::text() const {
  std::vector<const JsonPath*> chain;
  for (const JsonPath* node = this; node; node = node->parent) chain.push_back(node);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const JsonPath& node = **it;
    if (!node.parent) {
      out += node.name;
    } else if (node.index >= 0) {
      out += fmt::format("[{}]", node.index);
    } else {
      append_key(out, node.name);
    }
  }
  return out;
}

const char* describe_json(element value) {
  switch (value.type()) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::INT64: case element_type::UINT64: return "an integer";
    case element_type::DOUBLE: return "a number";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "a JSON value";
}

bool parse_json(std::string_view json, element& out, std::string& error) {
  thread_local simdjson::dom::parser parser;
  auto code = parser.parse(json.data(), json.size()).get(out);
  if (code == simdjson::SUCCESS) return true;
  if (code == simdjson::DEPTH_ERROR) {
    error = fmt::format("JSON nests deeper than {} levels", kMaxJsonNesting);
  } else {
    error = fmt::format("not valid JSON: {}", simdjson::error_message(code));
  }
  return false;
}

namespace {

// A canonical integer (at most 18 digits, json_canonical.h) as its value.
bool canonical_integer(std::string_view text, std::int64_t& out) {
  if (text.empty() || !(text[0] == '-' || (text[0] >= '0' && text[0] <= '9'))) return false;
  const char* end = text.data() + text.size();
  auto [stop, code] = std::from_chars(text.data(), end, out);
  return code == std::errc() && stop == end;
}

// A canonical string literal's text with its quotes taken off, when it has
// no escape (the common case: no copy needed).
bool plain_canonical_string(std::string_view text, std::string_view& out) {
  if (text.size() < 2 || text.front() != '"') return false;
  out = text.substr(1, text.size() - 2);
  return out.find('\\') == std::string_view::npos;
}

// Appends the decoded text of a canonical string literal (its escapes are
// only \" \\ \b \f \n \r \t and \u00xx) to `out`.
void append_decoded_canonical_string(std::string_view literal, std::vector<char>& out) {
  const std::string_view body = literal.substr(1, literal.size() - 2);
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      out.push_back(body[i]);
      continue;
    }
    switch (body[++i]) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        auto hex = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
        out.push_back(static_cast<char>(hex(body[i + 3]) * 16 + hex(body[i + 4])));
        i += 4;
        break;
      }
      default: out.push_back(body[i]); break;  // \" and \\ (nothing else is canonical)
    }
  }
}

}  // namespace

bool TypedConverter::convert_canonical_scalar(std::string_view text, TypeIndex type_index, std::uint32_t slot) {
  const TypeDescriptor& type = model_.types[type_index];
  if (text == "null") {
    if (!type.optional) return false;
    store_.values[slot] = Value();
    return true;
  }
  std::int64_t integer;
  std::string_view plain;
  switch (type.kind) {
    case TypeKind::Bool:
      if (text != "true" && text != "false") return false;
      store_.values[slot] = Value::of_bool(text == "true");
      return true;
    case TypeKind::Int:
      if (!canonical_integer(text, integer)) return false;
      store_.values[slot] = Value::of_int(integer);
      return true;
    case TypeKind::Number:
      if (!canonical_integer(text, integer)) return false;
      store_.values[slot] = Value::of_number(static_cast<double>(integer));
      return true;
    case TypeKind::String:
    case TypeKind::Entity: {
      if (text.size() > kMaxJsonString + 2 || text.front() != '"') return false;
      if (plain_canonical_string(text, plain)) {
        store_.values[slot] = store_.string(plain);
        return true;
      }
      Value value;
      value.kind = ValueKind::String;
      value.integer = static_cast<std::int64_t>(store_.chars.size());
      append_decoded_canonical_string(text, store_.chars);
      value.size = static_cast<std::uint32_t>(store_.chars.size() - static_cast<std::size_t>(value.integer));
      store_.values[slot] = value;
      return true;
    }
    case TypeKind::Timestamp:
    case TypeKind::Duration: {
      const bool timestamp = type.kind == TypeKind::Timestamp;
      if (!canonical_integer(text, integer)) {
        if (!plain_canonical_string(text, plain)) return false;
        auto parsed = timestamp ? parse_timestamp(plain) : parse_duration(plain);
        if (!parsed) return false;
        integer = *parsed;
      }
      store_.values[slot] = timestamp ? Value::of_timestamp(integer) : Value::of_duration(integer);
      return true;
    }
    case TypeKind::Role: {
      if (!plain_canonical_string(text, plain)) return false;
      auto found = roles_.find(plain);
      if (found == roles_.end()) return false;
      store_.values[slot] = Value::of_role(found->second);
      return true;
    }
    default: return false;
  }
}

namespace {

// Sets `error` to "`PATH` must be EXPECTED (`TYPE`), not WHAT-IT-IS"; false.
bool type_mismatch(const Model& model, TypeIndex type_index, element json, const JsonPath& path,
                   std::string_view expected, std::string& error) {
  error = fmt::format("`{}` must be {} (`{}`), not {}", path.text(), expected, type_name(model, type_index),
                      describe_json(json));
  return false;
}

}  // namespace

bool TypedConverter::convert(element json, TypeIndex type_index, std::uint32_t slot, const JsonPath& path,
                             int depth, std::string& error) {
  if (depth > kMaxJsonNesting) {
    error = fmt::format("`{}` nests deeper than {} levels", path.text(), kMaxJsonNesting);
    return false;
  }
  const TypeDescriptor& type = model_.types[type_index];
  auto mismatch = [&](std::string_view expected) {
    return type_mismatch(model_, type_index, json, path, expected, error);
  };
  element_type json_type = json.type();
  if (json_type == element_type::NULL_VALUE) {
    if (type.optional) {
      store_.values[slot] = Value();
      return true;
    }
    return mismatch(type.kind == TypeKind::Entity ? "an id string" : "a value");
  }
  Value result;
  switch (type.kind) {
    case TypeKind::Bool: {
      bool b;
      if (json.get_bool().get(b) != simdjson::SUCCESS) return mismatch("true or false");
      result = Value::of_bool(b);
      break;
    }
    case TypeKind::Int: {
      std::int64_t i;
      if (json_type == element_type::INT64 && json.get_int64().get(i) == simdjson::SUCCESS) {
        result = Value::of_int(i);
        break;
      }
      double d;
      if (json_type == element_type::DOUBLE && json.get_double().get(d) == simdjson::SUCCESS &&
          std::trunc(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        result = Value::of_int(static_cast<std::int64_t>(d));
        break;
      }
      if (json_type == element_type::UINT64 || json_type == element_type::DOUBLE) {
        error = fmt::format("`{}` must be an integer within 64 bits (`Int`)", path.text());
        return false;
      }
      return mismatch("an integer");
    }
    case TypeKind::Number: {
      double d;
      if (json.get_double().get(d) != simdjson::SUCCESS) return mismatch("a number");
      result = Value::of_number(d);
      break;
    }
    case TypeKind::String:
    case TypeKind::Entity: {
      std::string_view text;
      if (json.get_string().get(text) != simdjson::SUCCESS) {
        return mismatch(type.kind == TypeKind::Entity ? "an id string" : "a string");
      }
      if (!check_string_length(text, path, error)) return false;
      result = store_.string(text);
      break;
    }
    case TypeKind::Timestamp:
    case TypeKind::Duration: {
      bool timestamp = type.kind == TypeKind::Timestamp;
      std::int64_t millis;
      std::string_view text;
      if (json_type == element_type::INT64 && json.get_int64().get(millis) == simdjson::SUCCESS) {
        // integer milliseconds
      } else if (json.get_string().get(text) == simdjson::SUCCESS) {
        auto parsed = timestamp ? parse_timestamp(text) : parse_duration(text);
        if (!parsed) {
          error = fmt::format("`{}` must be {}, not `{}`", path.text(),
                              timestamp ? "an RFC 3339 timestamp like `2026-12-01T00:00:00Z`"
                                        : "a duration like `1h30m` or `250ms`",
                              text.substr(0, 64));
          return false;
        }
        millis = *parsed;
      } else {
        return mismatch(timestamp ? "a timestamp string or integer milliseconds"
                                  : "a duration string or integer milliseconds");
      }
      result = timestamp ? Value::of_timestamp(millis) : Value::of_duration(millis);
      break;
    }
    case TypeKind::Role: {
      std::string_view name;
      if (json.get_string().get(name) != simdjson::SUCCESS) return mismatch("a role name");
      auto found = roles_.find(name);
      if (found == roles_.end()) {
        error = fmt::format("`{}`: `{}` is not a role of this policy", path.text(), name.substr(0, 64));
        return false;
      }
      result = Value::of_role(found->second);
      break;
    }
    case TypeKind::Set:
    case TypeKind::List:
      if (!convert_sequence(json, type_index, slot, path, depth, result, error)) return false;
      break;
    case TypeKind::Map:
      if (!convert_map(json, type_index, path, depth, result, error)) return false;
      break;
    case TypeKind::Record:
      if (!convert_record(json, type_index, path, depth, result, error)) return false;
      break;
    case TypeKind::Principal:
      error = fmt::format("`{}` has a type no JSON value can have", path.text());
      return false;
  }
  store_.values[slot] = result;
  return true;
}

// A Set or List: a JSON array, each item converted to the element type; a
// Set of more than one item is checked for repeats after finish().
bool TypedConverter::convert_sequence(element json, TypeIndex type_index, std::uint32_t slot, const JsonPath& path,
                                      int depth, Value& result, std::string& error) {
  const TypeDescriptor& type = model_.types[type_index];
  simdjson::dom::array array;
  if (json.get_array().get(array) != simdjson::SUCCESS) {
    return type_mismatch(model_, type_index, json, path, "an array", error);
  }
  if (type.element == kNoIndex) {  // the empty list's type: only [] fits
    if (array.size() != 0) return type_mismatch(model_, type_index, json, path, "an empty array", error);
    result = ValueStore::sequence(ValueKind::List, store_.reserve(0), 0);
    return true;
  }
  auto count = static_cast<std::uint32_t>(array.size());
  std::uint32_t first = store_.reserve(count);
  std::uint32_t k = 0;
  for (element item : array) {
    JsonPath item_path{&path, {}, k};
    if (!convert(item, type.element, first + k, item_path, depth + 1, error)) return false;
    ++k;
  }
  bool is_set = type.kind == TypeKind::Set;
  result = ValueStore::sequence(is_set ? ValueKind::Set : ValueKind::List, first, count);
  if (is_set && count > 1) sets_.push_back({slot, path.text()});
  return true;
}

// A Map: a JSON object without repeated keys, keys and values interleaved.
bool TypedConverter::convert_map(element json, TypeIndex type_index, const JsonPath& path, int depth, Value& result,
                                 std::string& error) {
  const TypeDescriptor& type = model_.types[type_index];
  simdjson::dom::object object;
  if (json.get_object().get(object) != simdjson::SUCCESS) {
    return type_mismatch(model_, type_index, json, path, "an object", error);
  }
  if (!check_unique_keys(object, path, error)) return false;
  auto count = static_cast<std::uint32_t>(object.size());
  std::uint32_t first = store_.reserve(std::size_t{count} * 2);
  std::uint32_t k = 0;
  for (auto field : object) {
    JsonPath child_path{&path, field.key, -1};
    if (!check_string_length(field.key, child_path, error)) return false;
    Value key = store_.string(field.key);
    store_.values[first + 2 * k] = key;
    if (!convert(field.value, type.element, first + 2 * k + 1, child_path, depth + 1, error)) return false;
    ++k;
  }
  result = ValueStore::sequence(ValueKind::Map, first, count);
  return true;
}

// A Record: a JSON object without repeated keys, each a declared field (else
// the error suggests the closest), every required field given.
bool TypedConverter::convert_record(element json, TypeIndex type_index, const JsonPath& path, int depth,
                                    Value& result, std::string& error) {
  const TypeDescriptor& type = model_.types[type_index];
  simdjson::dom::object object;
  if (json.get_object().get(object) != simdjson::SUCCESS) {
    return type_mismatch(model_, type_index, json, path, "an object", error);
  }
  if (!check_unique_keys(object, path, error)) return false;
  const Schema& schema = model_.records[type.schema];
  auto count = static_cast<std::uint32_t>(schema.attributes.size());
  std::uint32_t first = store_.reserve(count);
  SmallVector<unsigned char, 32> given;
  given.resize(count, 0);
  for (auto field : object) {
    std::size_t index = 0;
    while (index < count && schema.attributes[index].name != field.key) ++index;
    if (index == count) {
      std::vector<std::string_view> names;
      for (const Attribute& attribute : schema.attributes) names.push_back(attribute.name);
      error = fmt::format("`{}` has no field `{}` (`{}` declares {}){}", path.text(), field.key.substr(0, 64), schema.name,
                          names.empty() ? std::string("none") : fmt::format("`{}`", fmt::join(names, "`, `")),
                          did_you_mean(closest_name(field.key, names), "; "));
      return false;
    }
    given[index] = 1;
    JsonPath child_path{&path, field.key, -1};
    if (!convert(field.value, schema.attributes[index].type, first + static_cast<std::uint32_t>(index),
                 child_path, depth + 1, error)) {
      return false;
    }
  }
  for (std::uint32_t index = 0; index < count; ++index) {
    if (!given[index] && !model_.types[schema.attributes[index].type].optional) {
      error = fmt::format("`{}` lacks the required field `{}`", path.text(), schema.attributes[index].name);
      return false;
    }
  }
  result = ValueStore::sequence(ValueKind::Record, first, count);
  return true;
}

bool TypedConverter::check_sets_after_finish(std::string& error) const {
  for (const PendingSet& set : sets_) {
    const Value& value = store_.values[set.slot];
    std::int64_t duplicate = find_duplicate(value);
    if (duplicate >= 0) {
      error = fmt::format("`{}` is a set but repeats an element (at index {})", set.path, duplicate);
      return false;
    }
  }
  return true;
}

bool convert_untyped(element json, ValueStore& store, std::uint32_t slot, int depth, std::string& error) {
  if (depth > kMaxJsonNesting) {
    error = fmt::format("entity data nests deeper than {} levels", kMaxJsonNesting);
    return false;
  }
  // The element's type is known, so each get() succeeds; the codes are
  // checked anyway so a surprise becomes a message, not a wrong value.
  auto unreadable = [&]() {
    error = "entity data holds a value that cannot be read";
    return false;
  };
  Value result;
  switch (json.type()) {
    case element_type::NULL_VALUE: break;  // Absent
    case element_type::BOOL: {
      bool b = false;
      if (json.get_bool().get(b) != simdjson::SUCCESS) return unreadable();
      result = Value::of_bool(b);
      break;
    }
    case element_type::INT64: {
      std::int64_t i = 0;
      if (json.get_int64().get(i) != simdjson::SUCCESS) return unreadable();
      result = Value::of_int(i);
      break;
    }
    case element_type::UINT64:
    case element_type::DOUBLE: {
      double d = 0;
      if (json.get_double().get(d) != simdjson::SUCCESS) return unreadable();
      result = Value::of_number(d);
      break;
    }
    case element_type::STRING: {
      std::string_view text;
      if (json.get_string().get(text) != simdjson::SUCCESS) return unreadable();
      if (text.size() > kMaxJsonString) {
        error = fmt::format("entity data holds a string of {} bytes; at most {} are accepted", text.size(),
                            kMaxJsonString);
        return false;
      }
      result = store.string(text);
      break;
    }
    case element_type::ARRAY: {
      simdjson::dom::array array;
      if (json.get_array().get(array) != simdjson::SUCCESS) return unreadable();
      auto count = static_cast<std::uint32_t>(array.size());
      std::uint32_t first = store.reserve(count);
      std::uint32_t k = 0;
      for (element item : array) {
        if (!convert_untyped(item, store, first + k, depth + 1, error)) return false;
        ++k;
      }
      result = ValueStore::sequence(ValueKind::List, first, count);
      break;
    }
    case element_type::OBJECT: {
      simdjson::dom::object object;
      if (json.get_object().get(object) != simdjson::SUCCESS) return unreadable();
      if (!check_unique_keys(object, "entity data", error)) return false;
      auto count = static_cast<std::uint32_t>(object.size());
      std::uint32_t first = store.reserve(std::size_t{count} * 2);
      std::uint32_t k = 0;
      for (auto field : object) {
        Value key = store.string(field.key);
        store.values[first + 2 * k] = key;
        if (!convert_untyped(field.value, store, first + 2 * k + 1, depth + 1, error)) return false;
        ++k;
      }
      result = ValueStore::sequence(ValueKind::Map, first, count);
      break;
    }
  }
  store.values[slot] = result;
  return true;
}

}  // namespace authz::runtime::internal
