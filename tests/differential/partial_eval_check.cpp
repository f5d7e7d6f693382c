// partial_eval_check.cpp — see partial_eval_check.h.
#include "tests/differential/partial_eval_check.h"

#include <simdjson.h>

#include <cmath>
#include <functional>
#include <optional>
#include <vector>

#include "runtime/entity_store.h"
#include "runtime/partial_eval.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/uri_template.h"

namespace authz::differential {
namespace {

namespace rt = authz::runtime;

enum class Conversion { Ok, Absent, Violation };

// A raw (untyped JSON) value as the runtime represents a value of `type`.
Conversion convert(const rt::Model& model, const rt::Value& raw, rt::TypeIndex type_index, rt::ResidualValue& out,
                   int depth) {
  if (type_index >= model.types.size() || depth > 64) return Conversion::Violation;
  const rt::TypeDescriptor& type = model.types[type_index];
  if (raw.is_absent()) return type.optional ? Conversion::Absent : Conversion::Violation;
  out = rt::ResidualValue();
  switch (type.kind) {
    case rt::TypeKind::Bool:
      if (raw.kind != rt::ValueKind::Bool) return Conversion::Violation;
      out.kind = rt::ValueKind::Bool;
      out.boolean = raw.boolean;
      return Conversion::Ok;
    case rt::TypeKind::Int:
      out.kind = rt::ValueKind::Int;
      if (raw.kind == rt::ValueKind::Int) {
        out.integer = raw.integer;
        return Conversion::Ok;
      }
      if (raw.kind == rt::ValueKind::Number && std::trunc(raw.number) == raw.number &&
          std::fabs(raw.number) < 9223372036854775808.0) {
        out.integer = static_cast<std::int64_t>(raw.number);
        return Conversion::Ok;
      }
      return Conversion::Violation;
    case rt::TypeKind::Number:
      if (raw.kind != rt::ValueKind::Int && raw.kind != rt::ValueKind::Number) return Conversion::Violation;
      out.kind = rt::ValueKind::Number;
      out.number = raw.kind == rt::ValueKind::Int ? static_cast<double>(raw.integer) : raw.number;
      return Conversion::Ok;
    case rt::TypeKind::String:
    case rt::TypeKind::Entity:
      if (raw.kind != rt::ValueKind::String) return Conversion::Violation;
      out.kind = rt::ValueKind::String;
      out.text = std::string(raw.string());
      return Conversion::Ok;
    case rt::TypeKind::Timestamp:
    case rt::TypeKind::Duration: {
      bool timestamp = type.kind == rt::TypeKind::Timestamp;
      out.kind = timestamp ? rt::ValueKind::Timestamp : rt::ValueKind::Duration;
      if (raw.kind == rt::ValueKind::Int) {
        out.integer = raw.integer;
        return Conversion::Ok;
      }
      if (raw.kind != rt::ValueKind::String) return Conversion::Violation;
      auto parsed = timestamp ? rt::parse_timestamp(raw.string()) : rt::parse_duration(raw.string());
      if (!parsed) return Conversion::Violation;
      out.integer = *parsed;
      return Conversion::Ok;
    }
    case rt::TypeKind::Role:
      if (raw.kind != rt::ValueKind::String) return Conversion::Violation;
      for (std::size_t r = 0; r < model.roles.size(); ++r) {
        if (model.roles[r].name == raw.string()) {
          out.kind = rt::ValueKind::Role;
          out.integer = static_cast<std::int64_t>(r);
          out.text = model.roles[r].name;
          return Conversion::Ok;
        }
      }
      return Conversion::Violation;
    case rt::TypeKind::Set:
    case rt::TypeKind::List:
    case rt::TypeKind::Map: {
      bool map = type.kind == rt::TypeKind::Map;
      if (map ? raw.kind != rt::ValueKind::Map : (raw.kind != rt::ValueKind::List && raw.kind != rt::ValueKind::Set)) {
        return Conversion::Violation;
      }
      out.kind = map ? rt::ValueKind::Map : type.kind == rt::TypeKind::Set ? rt::ValueKind::Set : rt::ValueKind::List;
      for (std::uint32_t i = 0; i < raw.size; ++i) {
        if (map) {
          rt::ResidualValue key;
          key.kind = rt::ValueKind::String;
          key.text = std::string(raw.items[2 * i].string());
          out.items.push_back(std::move(key));
        }
        const rt::Value& item = raw.items[map ? 2 * i + 1 : i];
        if (item.is_absent() || type.element == rt::kNoIndex) return Conversion::Violation;
        rt::ResidualValue element;
        if (convert(model, item, type.element, element, depth + 1) != Conversion::Ok) return Conversion::Violation;
        out.items.push_back(std::move(element));
      }
      return Conversion::Ok;
    }
    case rt::TypeKind::Record: {
      if (raw.kind != rt::ValueKind::Map || type.schema >= model.records.size()) return Conversion::Violation;
      const rt::Schema& schema = model.records[type.schema];
      out.kind = rt::ValueKind::Record;
      out.items.resize(schema.attributes.size());
      std::vector<bool> seen(schema.attributes.size(), false);
      for (std::uint32_t i = 0; i < raw.size; ++i) {
        std::string_view key = raw.items[2 * i].string();
        std::size_t field = 0;
        while (field < schema.attributes.size() && schema.attributes[field].name != key) ++field;
        if (field == schema.attributes.size()) return Conversion::Violation;
        seen[field] = true;
        Conversion converted = convert(model, raw.items[2 * i + 1], schema.attributes[field].type, out.items[field], depth + 1);
        if (converted == Conversion::Violation) return Conversion::Violation;
      }
      for (std::size_t field = 0; field < schema.attributes.size(); ++field) {
        if (!seen[field] && !model.types[schema.attributes[field].type].optional) return Conversion::Violation;
      }
      return Conversion::Ok;
    }
    case rt::TypeKind::Principal: return Conversion::Violation;
  }
  return Conversion::Violation;
}

// Whether a converted value of `type` satisfies the residual's assumption:
// every entity it references exists, with attributes of their declared types,
// and so on for the entities those reference.
bool entities_conform(const rt::Model& model, const rt::ResidualValue& value, rt::TypeIndex type_index,
                      const rt::EntityResolver* entities, int depth) {
  if (depth > 16) return true;  // deep enough: generated data nests far less
  if (value.kind == rt::ValueKind::Absent) return true;
  const rt::TypeDescriptor& type = model.types[type_index];
  switch (type.kind) {
    case rt::TypeKind::Entity: {
      const rt::Schema& schema = model.entities[type.schema];
      const rt::Entity* entity = entities ? entities->lookup(schema.name, value.text) : nullptr;
      if (!entity) return false;
      for (const rt::Attribute& attribute : schema.attributes) {
        if (attribute.name == "id") continue;
        const rt::Value* raw = entity->attribute(attribute.name);
        rt::ResidualValue converted;
        Conversion conversion = convert(model, raw ? *raw : rt::Value(), attribute.type, converted, 0);
        if (conversion == Conversion::Violation) return false;
        if (conversion == Conversion::Ok && !entities_conform(model, converted, attribute.type, entities, depth + 1)) {
          return false;
        }
      }
      return true;
    }
    case rt::TypeKind::Record: {
      const rt::Schema& schema = model.records[type.schema];
      for (std::size_t field = 0; field < schema.attributes.size() && field < value.items.size(); ++field) {
        if (!entities_conform(model, value.items[field], schema.attributes[field].type, entities, depth + 1)) return false;
      }
      return true;
    }
    case rt::TypeKind::Set:
    case rt::TypeKind::List:
    case rt::TypeKind::Map: {
      bool map = type.kind == rt::TypeKind::Map;
      for (std::size_t i = map ? 1 : 0; i < value.items.size(); i += map ? 2 : 1) {
        if (!entities_conform(model, value.items[i], type.element, entities, depth + 1)) return false;
      }
      return true;
    }
    default: return true;
  }
}

// The target a request names, as prepare() resolves it, with the raw values
// of its arguments (JSON object, or the URI's captures).
struct ResolvedTarget {
  const rt::Target* target = nullptr;
  std::vector<std::string> captures;  // resources
};

ResolvedTarget resolve(const rt::Model& model, const rt::Request& request) {
  ResolvedTarget out;
  rt::TargetKind kind = request.method == rt::MethodKind::ToolCall    ? rt::TargetKind::Tool
                        : request.method == rt::MethodKind::PromptGet ? rt::TargetKind::Prompt
                                                                      : rt::TargetKind::Resource;
  for (const rt::Target& target : model.targets) {
    if (target.kind != kind) continue;
    if (kind != rt::TargetKind::Resource ? target.name == request.target
                                         : target.uri == request.target && target.uri.find('{') == std::string::npos) {
      out.target = &target;
      return out;
    }
  }
  if (kind != rt::TargetKind::Resource) return out;
  for (const rt::Target& target : model.targets) {
    if (target.kind != kind) continue;
    auto parsed = rt::parse_uri_template(target.uri);
    if (!parsed || parsed->variable_count == 0) continue;
    std::vector<std::string_view> captures(parsed->variable_count);
    if (rt::match_uri_template(*parsed, request.target, captures.data())) {
      out.target = &target;
      for (std::string_view capture : captures) out.captures.emplace_back(capture);
      return out;
    }
  }
  return out;
}

struct Substitution {
  const rt::Model& model;
  const rt::Target& target;
  const rt::Entity* arguments;                // tools, prompts: the arguments object; else null
  const std::vector<std::string>& captures;   // resources
  const rt::EntityResolver* entities;
  bool violated = false;

  std::optional<rt::ResidualValue> operator()(const rt::UnknownRef& ref) {
    std::size_t p = 0;
    while (p < target.params.size() && target.params[p].name != ref.parameter) ++p;
    if (p == target.params.size()) return fail();
    rt::Value raw;
    if (target.kind == rt::TargetKind::Resource) {
      if (p >= captures.size()) return fail();
      raw = rt::Value::of_string(captures[p]);
    } else if (arguments) {
      if (const rt::Value* found = arguments->attribute(ref.parameter)) raw = *found;
    }
    rt::TypeIndex type = target.params[p].type;
    rt::ResidualValue value;
    Conversion converted = convert(model, raw, type, value, 0);
    for (const std::string& step : ref.path) {
      if (converted == Conversion::Violation) return fail();
      if (converted == Conversion::Absent) return std::nullopt;
      const rt::TypeDescriptor& descriptor = model.types[type];
      const rt::Schema* schema = nullptr;
      if (descriptor.kind == rt::TypeKind::Entity) {
        schema = &model.entities[descriptor.schema];
        const rt::Entity* entity = entities ? entities->lookup(schema->name, value.text) : nullptr;
        if (!entity) return fail();  // the assumption: it exists
        const rt::Value* attribute = entity->attribute(step);
        raw = attribute ? *attribute : rt::Value();
      } else if (descriptor.kind == rt::TypeKind::Record) {
        schema = &model.records[descriptor.schema];
        // Re-find the raw record field (records convert from Maps).
        std::size_t field = 0;
        while (field < schema->attributes.size() && schema->attributes[field].name != step) ++field;
        if (field == schema->attributes.size()) return fail();
        const rt::ResidualValue& item = value.items[field];
        type = schema->attributes[field].type;
        if (item.kind == rt::ValueKind::Absent) {
          converted = model.types[type].optional ? Conversion::Absent : Conversion::Violation;
        } else {
          rt::ResidualValue copy = item;
          value = std::move(copy);
          converted = Conversion::Ok;
        }
        continue;
      } else {
        return fail();
      }
      std::size_t field = 0;
      while (field < schema->attributes.size() && schema->attributes[field].name != step) ++field;
      if (field == schema->attributes.size()) return fail();
      type = schema->attributes[field].type;
      converted = convert(model, raw, type, value, 0);
    }
    if (converted == Conversion::Violation) return fail();
    if (converted == Conversion::Absent) return std::nullopt;
    return value;
  }

  std::optional<rt::ResidualValue> fail() {
    violated = true;
    return std::nullopt;
  }
};

}  // namespace

std::string check_partial_evaluation(const rt::Engine& engine, const rt::Request& request,
                                     const rt::EvaluateOptions& options, const rt::Decision& decision,
                                     std::uint64_t variant, PartialCheckCounters& counters) {
  const rt::Model& model = engine.model();
  if (!engine.prepare(request).ready()) return "";  // invalid arguments etc.: nothing to leave unknown
  ResolvedTarget resolved = resolve(model, request);
  if (!resolved.target) return "";
  const rt::Target& target = *resolved.target;

  std::optional<rt::Entity> arguments;
  if (target.kind != rt::TargetKind::Resource) {
    auto parsed = rt::Entity::from_json(request.arguments_json.empty() ? "{}" : request.arguments_json);
    if (!parsed.ok()) return "the arguments of a prepared request do not parse: " + parsed.error();
    arguments.emplace(std::move(parsed.value()));
  }

  std::string problems;
  for (int round = 0; round < 2; ++round) {
    rt::PartialRequest partial;
    partial.principal = request.principal;
    partial.method = request.method;
    partial.target = request.target;
    partial.now_ms = request.now_ms;
    std::string unknown_name;
    if (round == 0) {
      partial.all_arguments_unknown = true;
    } else {
      if (target.params.empty()) break;
      unknown_name = target.params[variant % target.params.size()].name;
      partial.unknown_parameters = {unknown_name};
      if (target.kind != rt::TargetKind::Resource) {
        // The known arguments: the request's, without the unknown one.
        simdjson::dom::parser parser;
        simdjson::dom::object object;
        std::string copy = request.arguments_json.empty() ? "{}" : request.arguments_json;
        if (parser.parse(copy).get_object().get(object) != simdjson::SUCCESS) return "arguments do not parse";
        std::string json = "{";
        for (auto field : object) {
          if (field.key == unknown_name) continue;
          if (json.size() > 1) json += ",";
          json += "\"" + std::string(field.key) + "\":" + simdjson::minify(field.value);
        }
        partial.known_arguments_json = json + "}";
      }
    }
    rt::Residual residual = rt::partially_evaluate(engine, partial, options);
    ++counters.checked;
    if (round == 0 && rt::may_call_at_all(engine, request.principal, request.method, request.target, request.now_ms,
                                          options) != residual.could_be_allowed()) {
      problems += "may_call_at_all disagrees with the residual's kind\n";
    }
    if (!residual.exact) ++counters.inexact;
    if (residual.kind == rt::ResidualKind::Conditional) ++counters.conditional;
    if (residual.kind == rt::ResidualKind::NeverAllowed) {
      if (decision.allowed()) problems += "NeverAllowed, but the call is allowed\n";
      continue;
    }
    Substitution substitution{model, target, arguments ? &*arguments : nullptr, resolved.captures, options.entities};
    // The assumption, for every unknown parameter: what it references exists and conforms.
    for (const rt::Parameter& param : target.params) {
      if (!partial.all_arguments_unknown && param.name != unknown_name) continue;
      rt::UnknownRef whole;
      whole.parameter = param.name;
      std::optional<rt::ResidualValue> value = substitution(whole);
      if (value && !entities_conform(model, *value, param.type, options.entities, 0)) substitution.violated = true;
    }
    bool holds = rt::residual_holds(residual.condition, std::ref(substitution));
    if (substitution.violated) {
      ++counters.skipped;
      continue;
    }
    if (!residual.exact) {
      if (holds && !decision.allowed()) problems += "an inexact residual holds, but the call is denied\n";
      continue;
    }
    if (holds != decision.allowed()) {
      problems += std::string("the residual ") + (holds ? "holds" : "does not hold") + " but the call is " +
                  (decision.allowed() ? "allowed" : "denied") + "\n";
    }
    if (!problems.empty()) {
      problems += "  residual (" + std::string(round == 0 ? "every argument unknown" : "one argument unknown") +
                  "): " + rt::render_residual_text(residual) + "\n";
    }
  }
  return problems;
}

}  // namespace authz::differential
