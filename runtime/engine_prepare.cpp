// engine_prepare.cpp — Engine::prepare: a Request resolved against the engine
// into a PreparedRequest (engine.h), in named steps: reset, resolve the target,
// the principal (from the per-object cache or converted), the arguments (from
// the URI template's captures or the arguments' JSON), finish.
//
// The store's layout: the principal's attributes [0, P), the user id at P, the
// values nested in the principal's attributes, then the target's parameters
// [B, B + N) and the values nested in the arguments. The part before B depends
// only on the principal and the engine, so it is kept (in its offset form)
// between calls into the same PreparedRequest.
//
// Every refusal sets the status and problem() and leaves a finished store with
// the user id, for traces; nothing here throws for bad input.
#include <algorithm>

#include <fmt/format.h>

#include "runtime/engine.h"
#include "runtime/internal/closest_name.h"
#include "runtime/internal/engine_state.h"
#include "runtime/internal/json_canonical.h"
#include "runtime/internal/json_input.h"
#include "runtime/internal/uri_template.h"

namespace authz::runtime {

namespace {

const char* method_noun(MethodKind method) {
  switch (method) {
    case MethodKind::ToolCall: return "tool";
    case MethodKind::ResourceRead: return "resource";
    case MethodKind::PromptGet: return "prompt";
  }
  return "target";
}

std::string unknown_target_message(const internal::EngineState& state, MethodKind method, std::string_view name) {
  std::vector<std::string_view> candidates;
  TargetKind kind = method == MethodKind::ToolCall ? TargetKind::Tool
                    : method == MethodKind::PromptGet ? TargetKind::Prompt : TargetKind::Resource;
  for (const Target& target : state.model.targets) {
    if (target.kind == kind) candidates.push_back(kind == TargetKind::Resource ? target.uri : target.name);
  }
  std::string shown(name.substr(0, 200));
  const std::string_view suggestion = name.size() <= 200 ? internal::closest_name(name, candidates) : std::string_view();
  return fmt::format("unknown {} `{}`: the policy does not declare it{}", method_noun(method), shown,
                     internal::did_you_mean(suggestion, "; "));
}

bool is_empty_json_object(const std::string& json) {
  std::size_t open = json.find_first_not_of(" \t\r\n");
  if (open == std::string::npos) return true;
  if (json[open] != '{') return false;
  std::size_t close = json.find_first_not_of(" \t\r\n", open + 1);
  return close != std::string::npos && json[close] == '}' && json.find_first_not_of(" \t\r\n", close + 1) == std::string::npos;
}

// The index of the declared parameter called `name`, or the parameter count.
std::uint32_t parameter_index(const Target& declared, std::string_view name) {
  const auto count = static_cast<std::uint32_t>(declared.params.size());
  std::uint32_t index = 0;
  while (index < count && declared.params[index].name != name) ++index;
  return index;
}

// The parser-free path for arguments: a canonical object (json_canonical.h,
// what JSON.stringify writes) with no duplicate key whose every member is a
// declared parameter given a scalar (TypedConverter::convert_canonical_scalar).
// True when all of them were converted and marked in `given`; false, with the
// store and `given` as they were, sends the caller to the parser's path,
// which handles every input and words every refusal.
bool convert_canonical_arguments(std::string_view json, const Target& declared, internal::TypedConverter& converter,
                                 internal::ValueStore& store, std::uint32_t first, SmallVector<bool, 16>& given) {
  thread_local std::vector<internal::CanonicalMember> members;
  thread_local std::vector<std::string_view> keys;
  if (!internal::canonical_json_object_unique_keys(json, members, keys)) return false;
  const auto param_count = static_cast<std::uint32_t>(declared.params.size());
  thread_local std::vector<std::uint32_t> indices;
  indices.clear();
  for (const internal::CanonicalMember& member : members) {
    if (member.key_escaped) return false;  // declared names need no escape
    const std::uint32_t index = parameter_index(declared, member.key);
    if (index == param_count) return false;
    indices.push_back(index);
  }
  const std::size_t chars_before = store.chars.size();
  for (std::size_t k = 0; k < members.size(); ++k) {
    const std::uint32_t index = indices[k];
    if (!converter.convert_canonical_scalar(members[k].value, declared.params[index].type, first + index)) {
      store.chars.resize(chars_before);
      for (std::size_t done = 0; done < k; ++done) store.values[first + indices[done]] = Value();
      return false;
    }
  }
  for (std::uint32_t index : indices) given[index] = true;
  return true;
}

}  // namespace

namespace internal {

// The steps of Engine::prepare over one PreparedRequest, in order (a friend of
// PreparedRequest). Each step returns false once it has rejected the request.
class RequestPreparer {
 public:
  using Status = PreparedRequest::Status;

  RequestPreparer(const EngineState& state, const Request& request, PreparedRequest& prepared)
      : state_(state),
        model_(state.model),
        request_(request),
        prepared_(prepared),
        store_(prepared.store_),
        cache_(prepared.principal_cache_),
        principal_count_(static_cast<std::uint32_t>(state.model.principal.attributes.size())),
        id_slot_(principal_count_),
        principal_converter_(state.model, state.roles, prepared.store_),
        argument_converter_(state.model, state.roles, prepared.store_) {}

  void run() {
    reset();
    if (!resolve_target()) return;
    const bool principal_cached = principal_is_cached();
    if (principal_cached) {
      restore_cached_principal();
    } else if (!convert_principal()) {
      return;
    }
    const std::size_t principal_chars = store_.chars.size();
    if (!convert_arguments(model_.targets[prepared_.target_])) return;
    finish(principal_cached, principal_chars);
  }

 private:
  // Everything a previous prepare() left, except the principal cache.
  void reset() {
    prepared_.engine_ = &state_;
    prepared_.status_ = Status::Unprepared;
    prepared_.problem_.clear();
    prepared_.target_ = kNoIndex;
    prepared_.now_ms_ = request_.now_ms;
    prepared_.principal_ = Value();
    prepared_.principal_id_ = Value();
    prepared_.arguments_first_ = 0;
    prepared_.roles_.clear();
    prepared_.role_names_.assign(request_.principal.roles.begin(), request_.principal.roles.end());
    store_.values.clear();
    store_.chars.clear();
    store_.finished = false;
  }

  // Ends preparation with `status`; returns false for the caller to return.
  bool reject(Status status, std::string message) {
    prepared_.status_ = status;
    prepared_.problem_ = std::move(message);
    if (store_.values.empty()) {  // refused before the principal was stored: only the id, for traces
      store_.reserve(principal_count_ + 1);
      store_.values[id_slot_] = store_.string(request_.principal.id);
    }
    store_.finish();
    prepared_.principal_id_ = store_.values[id_slot_];  // for traces
    return false;
  }

  // The target: a tool or prompt by name, a resource by exact URI, else the
  // first resource template that matches (its captures kept for the arguments).
  bool resolve_target() {
    TargetIndex target = kNoIndex;
    const std::string& name = request_.target;
    if (request_.method == MethodKind::ToolCall || request_.method == MethodKind::PromptGet) {
      const auto& table = request_.method == MethodKind::ToolCall ? state_.tools : state_.prompts;
      if (auto found = table.find(name); found != table.end()) target = found->second;
    } else if (auto exact = state_.exact_resources.find(name); exact != state_.exact_resources.end()) {
      target = exact->second;
    } else {
      captures_.resize(state_.max_template_variables);
      for (const auto& [index, uri_template] : state_.resource_templates) {
        if (match_uri_template(uri_template, name, captures_.data())) {
          matched_template_ = &uri_template;
          target = index;
          break;
        }
      }
    }
    if (target == kNoIndex) {
      return reject(Status::UnknownTarget, unknown_target_message(state_, request_.method, name));
    }
    prepared_.target_ = target;
    return true;
  }

  // The principal's part of the store comes from the cache when it was built
  // by this engine from the same principal, byte for byte.
  bool principal_is_cached() const {
    return cache_.generation == state_.generation && cache_.id == request_.principal.id &&
           cache_.roles == request_.principal.roles && cache_.attributes_json == request_.principal.attributes_json;
  }

  void restore_cached_principal() {
    store_.values.assign(cache_.values.begin(), cache_.values.end());
    store_.chars.assign(cache_.chars.begin(), cache_.chars.end());
    prepared_.roles_.assign(cache_.role_bits.begin(), cache_.role_bits.end());
  }

  // Roles, the id, the built-in attributes, then the attributes from JSON.
  bool convert_principal() {
    cache_.generation = 0;
    SmallVector<RoleIndex, 8> held;
    expand_roles(held);
    store_.reserve(std::size_t{principal_count_} + 1);
    store_.values[id_slot_] = store_.string(request_.principal.id);
    if (state_.principal_id_attribute != kNoIndex) store_.values[state_.principal_id_attribute] = store_.values[id_slot_];
    if (state_.principal_roles_attribute != kNoIndex) {
      auto count = static_cast<std::uint32_t>(held.size());
      std::uint32_t first = store_.reserve(count);
      for (std::uint32_t k = 0; k < count; ++k) store_.values[first + k] = Value::of_role(held[k]);
      store_.values[state_.principal_roles_attribute] = ValueStore::sequence(ValueKind::Set, first, count);
    }
    if (is_empty_json_object(request_.principal.attributes_json)) return true;
    return convert_principal_attributes();
  }

  // Roles: the bitset of every role held or inherited, and into `held` each
  // role held; unknown names are ignored.
  void expand_roles(SmallVector<RoleIndex, 8>& held) {
    prepared_.roles_.assign(role_words(model_.roles.size()), 0);
    for (const std::string& role_name : request_.principal.roles) {
      auto found = state_.roles.find(role_name);
      if (found == state_.roles.end()) continue;
      const RoleSet& includes = model_.roles[found->second].includes;
      for (std::size_t w = 0; w < includes.words.size() && w < prepared_.roles_.size(); ++w) {
        prepared_.roles_[w] |= includes.words[w];
      }
      if (std::find(held.begin(), held.end(), found->second) == held.end()) held.push_back(found->second);
    }
  }

  // The declared attributes from the principal's JSON object; undeclared and
  // built-in ones are not taken from it.
  bool convert_principal_attributes() {
    std::string error;
    simdjson::dom::element document;
    simdjson::dom::object object;
    if (!parse_json(request_.principal.attributes_json, document, error)) {
      return reject(Status::InvalidPrincipal, "principal attributes: " + error);
    }
    if (document.get_object().get(object) != simdjson::SUCCESS) {
      return reject(Status::InvalidPrincipal,
                    fmt::format("principal attributes must be a JSON object, not {}", describe_json(document)));
    }
    SmallVector<bool, 16> seen;
    seen.resize(principal_count_);
    for (auto field : object) {
      std::uint32_t index = 0;
      while (index < principal_count_ && model_.principal.attributes[index].name != field.key) ++index;
      if (index == principal_count_ || index == state_.principal_id_attribute ||
          index == state_.principal_roles_attribute) {
        continue;  // undeclared or built in: not taken from here
      }
      if (seen[index]) {
        return reject(Status::InvalidPrincipal, fmt::format("principal attributes: `{}` appears twice", field.key));
      }
      seen[index] = true;
      JsonPath root{nullptr, "user", -1};
      JsonPath path{&root, field.key, -1};
      if (!principal_converter_.convert(field.value, model_.principal.attributes[index].type, index, path, 1, error)) {
        return reject(Status::InvalidPrincipal, "principal attribute " + error);
      }
    }
    return true;
  }

  // The target's parameters [B, B + N): from the URI for a resource, else
  // from the arguments' JSON object.
  bool convert_arguments(const Target& declared) {
    const auto param_count = static_cast<std::uint32_t>(declared.params.size());
    prepared_.arguments_first_ = store_.reserve(param_count);
    if (declared.kind == TargetKind::Resource) return bind_resource_arguments(declared);
    if (!is_empty_json_object(request_.arguments_json) || param_count > 0) return convert_json_arguments(declared);
    return true;
  }

  // A resource's parameters are its URI template's captures: a String, or a
  // List<String> of the segments / labels for an exploded variable.
  bool bind_resource_arguments(const Target& declared) {
    if (!is_empty_json_object(request_.arguments_json)) {
      return reject(Status::InvalidArguments, fmt::format("resource `{}` takes no arguments; its parameters "
                                                          "come from the URI",
                                                          declared.name));
    }
    if (matched_template_ == nullptr) return true;
    const auto param_count = static_cast<std::uint32_t>(declared.params.size());
    std::uint32_t k = 0;
    for (const UriTemplate::Piece& piece : matched_template_->pieces) {
      if (!piece.variable || k >= param_count) continue;
      if (piece.explode == 0) {
        store_.values[prepared_.arguments_first_ + k] = store_.string(captures_[k]);
      } else {  // a List<String> of the segments / labels
        std::uint32_t count = 0;
        for_each_element(captures_[k], piece.explode, [&](std::string_view) { ++count; });
        const std::uint32_t first = store_.reserve(count);
        std::uint32_t j = 0;
        for_each_element(captures_[k], piece.explode,
                         [&](std::string_view element) { store_.values[first + j++] = store_.string(element); });
        store_.values[prepared_.arguments_first_ + k] = ValueStore::sequence(ValueKind::List, first, count);
      }
      ++k;
    }
    return true;
  }

  // A tool's or prompt's arguments: the parser-free path when it applies,
  // else the parser's; then every required parameter must have been given.
  bool convert_json_arguments(const Target& declared) {
    std::string_view json = request_.arguments_json;
    if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) json = "{}";
    const auto param_count = static_cast<std::uint32_t>(declared.params.size());
    SmallVector<bool, 16> given;
    given.resize(param_count);
    if (!convert_canonical_arguments(json, declared, argument_converter_, store_, prepared_.arguments_first_, given) &&
        !convert_parsed_arguments(json, declared, given)) {
      return false;
    }
    for (std::uint32_t index = 0; index < param_count; ++index) {
      if (!given[index] && !model_.types[declared.params[index].type].optional) {
        return reject(Status::InvalidArguments,
                      fmt::format("missing required argument `{}` for {} `{}`", declared.params[index].name,
                                  to_string(declared.kind), declared.name));
      }
    }
    return true;
  }

  // The parser's path: any JSON, every refusal worded; marks `given`.
  bool convert_parsed_arguments(std::string_view json, const Target& declared, SmallVector<bool, 16>& given) {
    const auto param_count = static_cast<std::uint32_t>(declared.params.size());
    simdjson::dom::element document;
    simdjson::dom::object object;
    if (!parse_json(json, document, error_)) {
      return reject(Status::InvalidArguments, "arguments: " + error_);
    }
    if (document.get_object().get(object) != simdjson::SUCCESS) {
      return reject(Status::InvalidArguments,
                    fmt::format("arguments must be a JSON object, not {}", describe_json(document)));
    }
    for (auto field : object) {
      const std::uint32_t index = parameter_index(declared, field.key);
      if (index == param_count) {
        std::vector<std::string_view> names;
        for (const Parameter& param : declared.params) names.push_back(param.name);
        return reject(Status::InvalidArguments,
                      fmt::format("unknown argument `{}` for {} `{}`{}", field.key.substr(0, 200),
                                  to_string(declared.kind), declared.name,
                                  did_you_mean(closest_name(field.key, names), "; ")));
      }
      if (given[index]) {
        return reject(Status::InvalidArguments, fmt::format("argument `{}` appears twice", field.key));
      }
      given[index] = true;
      JsonPath root{nullptr, "args", -1};
      JsonPath path{&root, field.key, -1};
      if (!argument_converter_.convert(field.value, declared.params[index].type, prepared_.arguments_first_ + index, path, 1,
                                       error_)) {
        return reject(Status::InvalidArguments, "argument " + error_);
      }
    }
    return true;
  }

  // Keeps the principal's part of the store (in its offset form, before
  // finish() turns offsets into pointers) for the next call with the same
  // principal, finishes the store, and checks the Sets now that they are laid out.
  void finish(bool principal_cached, std::size_t principal_chars) {
    if (!principal_cached) {
      cache_.values.assign(store_.values.begin(), store_.values.begin() + prepared_.arguments_first_);
      cache_.chars.assign(store_.chars.begin(), store_.chars.begin() + static_cast<std::ptrdiff_t>(principal_chars));
    }
    store_.finish();
    if (!principal_converter_.check_sets_after_finish(error_)) {
      reject(Status::InvalidPrincipal, "principal attribute " + error_);
      return;
    }
    if (!principal_cached) {
      cache_.role_bits.assign(prepared_.roles_.begin(), prepared_.roles_.end());
      cache_.id = request_.principal.id;
      cache_.roles = request_.principal.roles;
      cache_.attributes_json = request_.principal.attributes_json;
      cache_.generation = state_.generation;
    }
    if (!argument_converter_.check_sets_after_finish(error_)) {
      reject(Status::InvalidArguments, "argument " + error_);
      return;
    }
    prepared_.principal_ = Value::of_sequence(ValueKind::Record, store_.values.data(), principal_count_);
    prepared_.principal_id_ = store_.values[id_slot_];
    prepared_.status_ = Status::Ready;
  }

  const EngineState& state_;
  const Model& model_;
  const Request& request_;
  PreparedRequest& prepared_;
  ValueStore& store_;
  PreparedRequest::PrincipalCache& cache_;
  const std::uint32_t principal_count_;
  const std::uint32_t id_slot_;  // the user id's slot, right after the principal's attributes
  TypedConverter principal_converter_;
  TypedConverter argument_converter_;
  SmallVector<std::string_view, 4> captures_;  // of the matched resource template
  const UriTemplate* matched_template_ = nullptr;
  std::string error_;
};

}  // namespace internal

PreparedRequest Engine::prepare(const Request& request) const {
  PreparedRequest prepared;
  prepare(request, prepared);
  return prepared;
}

void Engine::prepare(const Request& request, PreparedRequest& prepared) const {
  internal::RequestPreparer(*state_, request, prepared).run();
}

}  // namespace authz::runtime
