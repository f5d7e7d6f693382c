// evaluator.cpp — see internal/evaluator.h.
#include "runtime/internal/evaluator.h"

#include <cmath>

#include <fmt/format.h>

#include "runtime/internal/glob_match.h"
#include "runtime/internal/value_ops.h"
#include "runtime/internal/model_validation.h"
#include "runtime/internal/table_dump.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/value_text.h"

namespace authz::runtime::internal {
namespace {

Value tainted(Value value, bool taint) {
  value.from_entity_data = value.from_entity_data || taint;
  return value;
}

}  // namespace

Evaluator::Evaluator(const EngineState& state, const PreparedRequest& request, const EntityResolver* entities)
    : state_(state), request_(request), entities_(entities) {
  arguments_ = request.store_.values.data() + request.arguments_first_;
  param_names_ = state.targets[request.target_].param_name_ids;
  if (state.list_scratch_size > 0) list_scratch_.resize(state.list_scratch_size, Value());
}

Truth Evaluator::condition(NodeIndex root) {
  if (error_.kind != ErrorKind::None) error_ = Error();  // only after an error: keeps the common path light
  Value value;
  if (!eval(root, value)) return Truth::Error;
  if (value.kind != ValueKind::Bool) {
    type_mismatch(root, value, value);
    return Truth::Error;
  }
  return value.boolean ? Truth::True : Truth::False;
}

bool Evaluator::fail(ErrorKind kind, NodeIndex node) {
  error_.kind = kind;
  error_.node = node;
  return false;
}

bool Evaluator::present(NodeIndex node, const Value& value) {
  if (!value.is_absent()) return true;
  return fail(ErrorKind::AbsentValue, node);
}

bool Evaluator::type_mismatch(NodeIndex node, const Value& left, const Value& right) {
  error_.left = left.kind;
  error_.right = right.kind;
  return fail(ErrorKind::TypeMismatch, node);
}

bool Evaluator::argument(const CompiledNode& node, Value& out) {
  std::span<const std::uint32_t> names = param_names_;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (names[k] == node.aux) {
      out = arguments_[k];
      return true;
    }
  }
  return false;
}

const Entity* Evaluator::find_entity(NodeIndex index, std::uint32_t schema, const Value& id) {
  error_.entity_type = state_.model.entities[schema].name;
  error_.entity_id = id.string();
  error_.entity_id_from_entity_data = id.from_entity_data;
  if (!entities_) {
    fail(ErrorKind::NoResolver, index);
    return nullptr;
  }
  std::string_view key = id.string();
  for (std::size_t i = 0; i < entity_cache_used_; ++i) {
    const CachedEntity& cached = entity_cache_[i];
    if (cached.schema == schema && cached.id == key) return cached.entity;
  }
  const Answer* answer = nullptr;
  for (const Answer& known : answers_) {
    if (known.schema == schema && known.id == key) {
      answer = &known;
      break;
    }
  }
  Answer fresh{schema, key, nullptr, 0};
  if (!answer) {
    lookup_.reset_call();
    fresh.entity = entities_->resolve(state_.model.entities[schema].name, key, lookup_);
    if (lookup_.failed()) {
      fresh.entity = nullptr;
      failures_.push_back(lookup_.failure());
      fresh.failure = static_cast<std::uint32_t>(failures_.size());
      if (source_failure_.empty()) source_failure_ = lookup_.failure();
    }
    if (!fresh.entity || lookup_.used()) answers_.push_back(fresh);
    answer = &fresh;
  }
  if (answer->failure != 0) {
    failure_index_ = answer->failure - 1;
    fail(ErrorKind::SourceFailed, index);
    return nullptr;
  }
  const Entity* entity = answer->entity;
  if (!entity) {
    fail(ErrorKind::EntityNotFound, index);
    return nullptr;
  }
  entity_cache_[entity_cache_next_] = {schema, key, entity};
  entity_cache_next_ = (entity_cache_next_ + 1) % kEntityCacheSize;
  if (entity_cache_used_ < kEntityCacheSize) ++entity_cache_used_;
  return entity;
}

// Checks a raw entity-data value against the declared type, converting where
// the runtime representation differs (timestamps, durations, roles, numbers,
// records). Collections are converted into blocks owned by this evaluator
// only when an element actually changes.
bool Evaluator::conform(const Value& raw, TypeIndex type_index, Value& out, int depth) {
  const TypeDescriptor& type = state_.model.types[type_index];
  if (depth > kMaxJsonNesting) return false;
  if (raw.is_absent()) {
    out = Value();
    return type.optional;
  }
  switch (type.kind) {
    case TypeKind::Bool:
      out = raw;
      return raw.kind == ValueKind::Bool;
    case TypeKind::Int:
      if (raw.kind == ValueKind::Int) {
        out = raw;
        return true;
      }
      if (raw.kind == ValueKind::Number && std::trunc(raw.number) == raw.number &&
          std::fabs(raw.number) < 9223372036854775808.0) {
        out = Value::of_int(static_cast<std::int64_t>(raw.number));
        return true;
      }
      return false;
    case TypeKind::Number:
      if (!is_numeric(raw)) return false;
      out = Value::of_number(as_double(raw));
      return true;
    case TypeKind::String:
    case TypeKind::Entity:
      out = raw;
      return raw.kind == ValueKind::String;
    case TypeKind::Timestamp:
    case TypeKind::Duration: {
      bool timestamp = type.kind == TypeKind::Timestamp;
      std::int64_t millis;
      if (raw.kind == ValueKind::Int) {
        millis = raw.integer;
      } else if (raw.kind == ValueKind::String) {
        auto parsed = timestamp ? parse_timestamp(raw.string()) : parse_duration(raw.string());
        if (!parsed) return false;
        millis = *parsed;
      } else {
        return false;
      }
      out = timestamp ? Value::of_timestamp(millis) : Value::of_duration(millis);
      return true;
    }
    case TypeKind::Role: {
      if (raw.kind != ValueKind::String) return false;
      auto found = state_.roles.find(raw.string());
      if (found == state_.roles.end()) return false;
      out = Value::of_role(found->second);
      return true;
    }
    case TypeKind::Set:
    case TypeKind::List:
    case TypeKind::Map: {
      bool map = type.kind == TypeKind::Map;
      if (map ? raw.kind != ValueKind::Map : !is_sequence(raw)) return false;
      if (type.element == kNoIndex) {
        if (raw.size != 0) return false;
        out = Value::of_sequence(ValueKind::List, raw.items, 0);
        return true;
      }
      std::uint32_t stride = map ? 2 : 1;
      std::uint32_t offset = map ? 1 : 0;
      std::unique_ptr<Value[]> block;
      for (std::uint32_t i = 0; i < raw.size; ++i) {
        const Value& item = raw.items[i * stride + offset];
        Value converted;
        if (item.is_absent() || !conform(item, type.element, converted, depth + 1)) return false;
        bool same = converted.kind == item.kind && (converted.kind != ValueKind::Number || item.kind == ValueKind::Number);
        if (!block && !same) {
          block = std::make_unique<Value[]>(std::size_t{raw.size} * stride);
          for (std::uint32_t j = 0; j < raw.size * stride; ++j) block[j] = raw.items[j];
        }
        if (block) block[i * stride + offset] = converted;
      }
      ValueKind kind = map ? ValueKind::Map : type.kind == TypeKind::Set ? ValueKind::Set : ValueKind::List;
      out = Value::of_sequence(kind, block ? block.get() : raw.items, raw.size);
      if (block) converted_.push_back(std::move(block));
      return true;
    }
    case TypeKind::Record: {
      if (raw.kind != ValueKind::Map) return false;
      const Schema& schema = state_.model.records[type.schema];
      auto count = static_cast<std::uint32_t>(schema.attributes.size());
      auto block = std::make_unique<Value[]>(count);
      for (std::uint32_t i = 0; i < raw.size; ++i) {
        std::string_view key = raw.items[2 * i].string();
        std::uint32_t field = 0;
        while (field < count && schema.attributes[field].name != key) ++field;
        if (field == count) return false;
        if (!conform(raw.items[2 * i + 1], schema.attributes[field].type, block[field], depth + 1)) return false;
      }
      for (std::uint32_t field = 0; field < count; ++field) {
        if (block[field].is_absent() && !state_.model.types[schema.attributes[field].type].optional) return false;
      }
      out = Value::of_sequence(ValueKind::Record, block.get(), count);
      converted_.push_back(std::move(block));
      return true;
    }
    case TypeKind::Principal:
      return false;
  }
  return false;
}

bool Evaluator::member(NodeIndex index, const CompiledNode& node, const Value& object, Value& out) {
  const NodeIndex operand = state_.operands[node.first_operand];
  if (!present(operand, object)) return false;
  if (object.kind == ValueKind::Record) {
    if (node.field >= object.size) return type_mismatch(index, object, object);
    out = tainted(object.items[node.field], object.from_entity_data);
    return true;
  }
  if (object.kind != ValueKind::String || node.aux == kNoIndex) return type_mismatch(index, object, object);
  const Entity* entity = find_entity(index, node.aux, object);
  if (!entity) return false;
  const Attribute& attribute = state_.model.entities[node.aux].attributes[node.field];
  error_.attribute = attribute.name;
  // Every entity's implicit `id` is the id it was looked up by; entity data
  // need not (and cannot) supply it.
  if (attribute.name == "id") {
    out = object;
    return true;
  }
  const Value* raw = entity->attribute(attribute.name);
  Value absent;
  if (!raw) raw = &absent;
  if (raw->is_absent() && !state_.model.types[attribute.type].optional) {
    return fail(ErrorKind::EntityAttributeMissing, index);
  }
  if (!conform(*raw, attribute.type, out, 0)) return fail(ErrorKind::EntityAttributeType, index);
  out.from_entity_data = true;
  return true;
}

bool Evaluator::has(NodeIndex index, const CompiledNode& node, const Value& object, Value& out) {
  const NodeIndex operand = state_.operands[node.first_operand];
  if (!present(operand, object)) return false;
  if (object.kind == ValueKind::Record) {
    if (node.field >= object.size) return type_mismatch(index, object, object);
    out = tainted(Value::of_bool(!object.items[node.field].is_absent()), object.from_entity_data);
    return true;
  }
  if (object.kind != ValueKind::String || node.aux == kNoIndex) return type_mismatch(index, object, object);
  const Entity* entity = find_entity(index, node.aux, object);
  if (!entity) return false;
  const std::string& name = state_.model.entities[node.aux].attributes[node.field].name;
  const Value* raw = entity->attribute(name);
  out = Value::of_bool(name == "id" || (raw && !raw->is_absent()));  // the implicit id is always there
  out.from_entity_data = true;
  return true;
}

bool Evaluator::operator_error(OpStatus status, NodeIndex index, const Value& left, const Value& right,
                               const PathContainment& path) {
  switch (status) {
    case OpStatus::TypeMismatch: return type_mismatch(index, left, right);
    case OpStatus::Overflow: return fail(ErrorKind::Overflow, index);
    case OpStatus::InvalidPath:
      error_.path_problem = path.problem;
      error_.path_problem_in_base = path.problem_in_base;
      return fail(ErrorKind::InvalidPath, index);
    case OpStatus::Ok: break;
  }
  return true;
}

bool Evaluator::eval(NodeIndex index, Value& out) {
  const CompiledNode& node = state_.nodes[index];
  const NodeIndex* ops = state_.operands.data() + node.first_operand;
  switch (node.op) {
    case Opcode::Literal:
      out = node.constant;
      return true;
    case Opcode::MakeList: {
      Value* slots = list_scratch_.data() + node.aux;
      bool taint = false;
      for (std::uint32_t k = 0; k < node.operand_count; ++k) {
        Value element;
        if (!eval(ops[k], element) || !present(ops[k], element)) return false;
        slots[k] = element;
        taint = taint || element.from_entity_data;
      }
      ValueKind kind = state_.model.types[state_.model.nodes[index].type].kind == TypeKind::Set ? ValueKind::Set
                                                                                                 : ValueKind::List;
      out = tainted(Value::of_sequence(kind, slots, node.operand_count), taint);
      return true;
    }
    case Opcode::Now:
      out = Value::of_timestamp(request_.now_ms_);
      return true;
    case Opcode::User:
      out = request_.principal_;
      return true;
    case Opcode::Argument:
      if (!argument(node, out)) return fail(ErrorKind::UnknownArgument, index);
      return true;
    case Opcode::HasArgument: {
      Value value;
      if (!argument(node, value)) return fail(ErrorKind::UnknownArgument, index);
      out = Value::of_bool(!value.is_absent());
      return true;
    }
    case Opcode::Member:
    case Opcode::Has: {
      Value object;
      if (!eval(ops[0], object)) return false;
      return node.op == Opcode::Member ? member(index, node, object, out) : has(index, node, object, out);
    }
    case Opcode::Is: {
      std::size_t word = node.field / 64;
      bool held = word < request_.roles_.size() && ((request_.roles_[word] >> (node.field % 64)) & 1u);
      out = Value::of_bool(held);
      return true;
    }
    case Opcode::Not: {
      Value operand;
      if (!eval(ops[0], operand) || !present(ops[0], operand)) return false;
      if (operand.kind != ValueKind::Bool) return type_mismatch(index, operand, operand);
      out = tainted(Value::of_bool(!operand.boolean), operand.from_entity_data);
      return true;
    }
    case Opcode::And:
    case Opcode::Or: {
      bool stop_on = node.op == Opcode::Or;  // && stops at the first false, || at the first true
      for (std::uint32_t k = 0; k < node.operand_count; ++k) {
        Value operand;
        if (!eval(ops[k], operand) || !present(ops[k], operand)) return false;
        if (operand.kind != ValueKind::Bool) return type_mismatch(index, operand, operand);
        if (operand.boolean == stop_on) {
          out = Value::of_bool(stop_on);
          return true;
        }
      }
      out = Value::of_bool(!stop_on);
      return true;
    }
    case Opcode::Negate: {
      Value operand;
      if (!eval(ops[0], operand) || !present(ops[0], operand)) return false;
      OpStatus status = checked_negate(operand, out);
      if (status != OpStatus::Ok) return operator_error(status, index, operand, operand, {});
      out.from_entity_data = operand.from_entity_data;
      return true;
    }
    case Opcode::All:
    case Opcode::Any: return quantifier(index, node, ops, out);
    case Opcode::Bound:
      // Validation puts every Bound inside a quantifier binding its slot; a
      // node evaluated on its own (partial evaluation) finds the slot empty.
      if (node.field >= bound_.size() || bound_[node.field].is_absent()) return fail(ErrorKind::AbsentValue, index);
      out = bound_[node.field];
      return true;
#define AUTHZ_BINARY_OPCODE(Name, ...) case Opcode::Name:
#include "runtime/opcodes.def"
      break;  // binary operators (relations, + and -), below
  }

  // Binary operators: both operands are evaluated and must be present.
  Value left, right;
  if (!eval(ops[0], left) || !present(ops[0], left)) return false;
  if (!eval(ops[1], right) || !present(ops[1], right)) return false;
  OpStatus status;
  if (node.op == Opcode::Add || node.op == Opcode::Sub) {
    status = checked_arithmetic(node.op == Opcode::Add, left, right, out);
    if (status != OpStatus::Ok) return operator_error(status, index, left, right, {});
    out.from_entity_data = left.from_entity_data || right.from_entity_data;
    return true;
  }
  bool result = false;
  PathContainment path;
  const GlobPattern* glob = node.op == Opcode::Matches && node.aux != kNoIndex ? &state_.globs[node.aux] : nullptr;
  status = relation(node.op, left, right, glob, result, path);
  if (status != OpStatus::Ok) return operator_error(status, index, left, right, path);
  out = tainted(Value::of_bool(result), left.from_entity_data || right.from_entity_data);
  return true;
}

// all / any: the body once per element, in order, with the element in the
// node's slot; `all` stops at the first false, `any` at the first true, so
// the cost is linear in the list's length. An empty list: `all` is true,
// `any` false. The slot's previous value is put back, so a quantifier inside
// another that binds the same slot leaves the outer element in place.
bool Evaluator::quantifier(NodeIndex index, const CompiledNode& node, const NodeIndex* ops, Value& out) {
  Value list;
  if (!eval(ops[0], list) || !present(ops[0], list)) return false;
  if (!is_sequence(list)) return type_mismatch(index, list, list);
  const bool all = node.op == Opcode::All;
  const std::uint32_t slot = node.field;
  if (slot >= bound_.size()) return fail(ErrorKind::AbsentValue, index);  // validation refuses such a table
  const Value saved = bound_[slot];
  bool result = all;
  bool ok = true;
  for (std::uint32_t i = 0; i < list.size; ++i) {
    if (++quantifier_steps_ > kMaxQuantifierSteps) {
      ok = fail(ErrorKind::QuantifierBudget, index);
      break;
    }
    bind_element(slot, list, i);
    Value body;
    if (!eval(ops[1], body) || !present(ops[1], body)) {
      ok = false;
      break;
    }
    if (body.kind != ValueKind::Bool) {
      ok = type_mismatch(index, body, body);
      break;
    }
    if (body.boolean != all) {
      result = !all;
      break;
    }
  }
  bound_[slot] = saved;
  if (!ok) return false;
  out = tainted(Value::of_bool(result), list.from_entity_data);
  return true;
}

std::string Evaluator::node_text(NodeIndex index) const {
  if (index >= state_.model.nodes.size()) return "condition";
  const std::string& source = state_.model.nodes[index].source;
  return source.empty() ? dump_expression(state_.model, index) : source;
}

std::string Evaluator::error_message(bool for_end_user) const {
  std::string where = node_text(error_.node);
  std::string entity = for_end_user && error_.entity_id_from_entity_data
                           ? fmt::format("`{}` (id from entity data)", error_.entity_type)
                           : fmt::format("`{}` `{}`", error_.entity_type, error_.entity_id.substr(0, 200));
  switch (error_.kind) {
    case ErrorKind::None: return "no error";
    case ErrorKind::AbsentValue:
      return fmt::format("`{}` has no value (an optional attribute or argument that was not given; guard it with `has`)",
                         where);
    case ErrorKind::NoResolver:
      return fmt::format("`{}` needs entity data, but no entity resolver was given", where);
    case ErrorKind::EntityNotFound:
      return fmt::format("`{}`: entity {} not found", where, entity);
    case ErrorKind::SourceFailed:
      return fmt::format("`{}`: entity {} could not be read: {}", where, entity, failures_[failure_index_]);
    case ErrorKind::EntityAttributeMissing:
      return fmt::format("`{}`: entity {} has no attribute `{}`", where, entity, error_.attribute);
    case ErrorKind::EntityAttributeType:
      return fmt::format("`{}`: attribute `{}` of entity {} does not have its declared type", where,
                         error_.attribute, entity);
    case ErrorKind::UnknownArgument:
      return fmt::format("`{}`: this target has no such parameter", where);
    case ErrorKind::TypeMismatch:
      return fmt::format("`{}`: cannot apply to values of kind `{}` and `{}`", where, to_string(error_.left),
                         to_string(error_.right));
    case ErrorKind::Overflow: return fmt::format("`{}` overflows", where);
    case ErrorKind::InvalidPath:
      return fmt::format("`{}`: the path on the {} {}", where, error_.path_problem_in_base ? "right" : "left",
                         describe(error_.path_problem));
    case ErrorKind::QuantifierBudget:
      return fmt::format("`{}`: the decision would evaluate more than {} quantifier bodies (lists too long)", where,
                         kMaxQuantifierSteps);
  }
  return "evaluation error";
}

void Evaluator::explain(NodeIndex root, bool actual, RuleTrace& out) {
  NodeIndex index = root;
  // Elements bound while descending into quantifiers, put back at the end.
  struct Saved {
    std::uint32_t slot;
    Value value;
  };
  SmallVector<Saved, kMaxBoundSlots> saved;
  struct Restore {
    std::array<Value, kMaxBoundSlots>& bound;
    SmallVector<Saved, kMaxBoundSlots>& saved;
    ~Restore() {
      for (std::size_t k = saved.size(); k-- > 0;) bound[saved[k].slot] = saved[k].value;
    }
  } restore{bound_, saved};
  // Descend through connectives to the operand that decided the result.
  for (unsigned steps = 0; steps <= kMaxExpressionDepth; ++steps) {
    const CompiledNode& node = state_.nodes[index];
    const NodeIndex* ops = state_.operands.data() + node.first_operand;
    if (node.op == Opcode::Not) {
      index = ops[0];
      actual = !actual;
      continue;
    }
    // A false `all` / true `any` is decided by one element: descend into
    // its body with that element bound, so the trace shows its value.
    if (node.op == Opcode::All || node.op == Opcode::Any) {
      Value list;
      if ((node.op == Opcode::All) == actual || node.field >= bound_.size() || !eval(ops[0], list) ||
          !is_sequence(list)) {
        break;
      }
      saved.push_back({node.field, bound_[node.field]});
      bool found = false;
      for (std::uint32_t i = 0; i < list.size && !found; ++i) {
        bind_element(node.field, list, i);
        Value body;
        found = eval(ops[1], body) && body.kind == ValueKind::Bool && body.boolean == actual;
      }
      if (!found) break;
      index = ops[1];
      continue;
    }
    // A false And / true Or is decided by one operand; a true And / false Or
    // by all of them alike, and the first stands for the rest.
    if (node.op != Opcode::And && node.op != Opcode::Or) break;
    NodeIndex decider = kNoIndex;
    for (std::uint32_t k = 0; k < node.operand_count; ++k) {
      Value value;
      if (eval(ops[k], value) && value.kind == ValueKind::Bool && value.boolean == actual) {
        decider = ops[k];
        break;
      }
    }
    if (decider == kNoIndex) break;
    index = decider;
  }
  out.expression = node_text(index);
  const CompiledNode& node = state_.nodes[index];
  if (node.operand_count != 2 || !opcode_info(node.op).relation) return;
  const NodeIndex* ops = state_.operands.data() + node.first_operand;
  auto capture = [&](NodeIndex operand) -> std::optional<TraceValue> {
    Value value;
    if (!eval(operand, value)) return std::nullopt;
    return TraceValue{render_value(value, TextStyle::Language, &state_.model.roles),
                      render_value(value, TextStyle::Json, &state_.model.roles), value.from_entity_data};
  };
  out.left = capture(ops[0]);
  out.right = capture(ops[1]);
  out.operator_text = to_string(node.op);
}

}  // namespace authz::runtime::internal
