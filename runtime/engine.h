// engine.h — the runtime's public API: load a decision table, evaluate calls.
//
// Contract:
//   - Engine::load(bytes) reads and validates a table file (table_reader.h);
//     Engine::load(bytes, trusted_keys) first requires the table to be signed
//     by one of the keys with a signature that verifies (table_signature.h),
//     and refuses an unsigned table, an unknown key or a bad signature;
//     Engine::from_model(model) validates a Model built in memory. Both return
//     a Result: an Engine, or a message. Nothing here throws.
//   - An Engine is immutable after loading and cheap to copy (copies share
//     the loaded table). evaluate() is const and thread-safe.
//   - evaluate() never throws and fails closed: every path that is not a
//     definite allow is a deny with a reason (decision.h). Semantics are in
//     docs/semantics.md.
//   - Fast path: prepare() a Request once (resolves the target, parses and
//     validates the JSON, turns role names into a bitset), then
//     evaluate(prepared, options, decision) reuses `decision`'s storage; with
//     tracing off it allocates nothing unless a condition builds a list.
//   - `now` is milliseconds since the Unix epoch; negative values (before
//     1970) are ordinary timestamps and compare as integers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/decision.h"
#include "runtime/entity_store.h"
#include "runtime/internal/value_store.h"
#include "runtime/result.h"
#include "runtime/table_model.h"
#include "runtime/table_signature.h"

namespace authz::runtime {

namespace internal {
struct EngineState;
class Evaluator;
class RequestPreparer;
}  // namespace internal

enum class MethodKind : std::uint8_t { ToolCall, ResourceRead, PromptGet };

struct Principal {
  std::string id;
  // Role names as the identity provider sends them; names the policy does
  // not declare are ignored.
  std::vector<std::string> roles;
  // A JSON object with the principal's other attributes ({"manages": ["east"]});
  // empty means none. Attributes the policy does not declare are ignored;
  // `id` and `roles` come from the fields above, not from here.
  std::string attributes_json;
};

struct Request {
  Principal principal;
  MethodKind method = MethodKind::ToolCall;
  // Tool or prompt name; for resources the URI being read (matched against
  // the declared URIs, then templates in declaration order).
  std::string target;
  // A JSON object of arguments; empty means {}. Resources take none: their
  // parameters are the URI template's variables.
  std::string arguments_json;
  std::int64_t now_ms = 0;
};

struct EvaluateOptions {
  bool trace = false;                        // build Decision::trace
  const EntityResolver* entities = nullptr;  // needed by rules that read entity attributes
};

// A Request resolved against one Engine: target, role bitset, arguments and
// principal attributes parsed and validated into compact values. Move-only;
// valid only with the Engine (or a copy of it) that prepared it.
class PreparedRequest {
 public:
  PreparedRequest() = default;
  PreparedRequest(PreparedRequest&&) noexcept = default;
  PreparedRequest& operator=(PreparedRequest&&) noexcept = default;
  PreparedRequest(const PreparedRequest&) = delete;
  PreparedRequest& operator=(const PreparedRequest&) = delete;

  void set_now(std::int64_t now_ms) { now_ms_ = now_ms; }
  std::int64_t now() const { return now_ms_; }
  // False when the request will be denied before any rule runs (unknown
  // target, invalid arguments, bad principal attributes); problem() says why.
  bool ready() const { return status_ == Status::Ready; }
  const std::string& problem() const { return problem_; }

 private:
  friend class Engine;
  friend class internal::Evaluator;
  friend class internal::RequestPreparer;  // Engine::prepare's steps (engine_prepare.cpp)
  enum class Status : std::uint8_t { Unprepared, Ready, UnknownTarget, InvalidArguments, InvalidPrincipal };

  const internal::EngineState* engine_ = nullptr;
  Status status_ = Status::Unprepared;
  std::string problem_;
  TargetIndex target_ = kNoIndex;
  std::int64_t now_ms_ = 0;
  std::vector<std::uint64_t> roles_;  // expanded: every role the user holds or inherits
  internal::ValueStore store_;        // principal attributes, then arguments
  Value principal_;                   // a Record over the principal's attributes
  Value principal_id_;                // a String
  std::uint32_t arguments_first_ = 0; // store_ slot of the target's first parameter
  std::vector<std::string> role_names_;  // as given, for traces

  // Kept across prepare() calls into this object: the principal's part of
  // store_ in its offset form, for the engine (generation) and the principal
  // (byte for byte) it was converted from. generation 0: nothing kept.
  struct PrincipalCache {
    std::uint64_t generation = 0;
    std::string id;
    std::vector<std::string> roles;
    std::string attributes_json;
    std::vector<Value> values;
    std::vector<char> chars;
    std::vector<std::uint64_t> role_bits;
  } principal_cache_;
};

class Engine {
 public:
  static Result<Engine> load(std::string_view table_bytes);
  static Result<Engine> load(std::string_view table_bytes, const TrustedKeys& trusted_keys);
  static Result<Engine> from_model(Model model);

  PreparedRequest prepare(const Request& request) const;
  // The same into `out`, reusing its buffers. When `out` was last prepared by
  // this engine for the same principal (id, roles and attributes byte for
  // byte), the principal's converted attributes are reused instead of being
  // parsed again: a server or gateway that keeps one PreparedRequest per
  // user pays for the principal once.
  void prepare(const Request& request, PreparedRequest& out) const;

  // The fast path: clears `out` and fills it. Never throws.
  void evaluate(const PreparedRequest& request, const EvaluateOptions& options, Decision& out) const noexcept;
  Decision evaluate(const PreparedRequest& request, const EvaluateOptions& options = {}) const;
  // prepare + evaluate.
  Decision evaluate(const Request& request, const EvaluateOptions& options = {}) const;

  // A fresh decision id, unique like the one evaluate() gives each Decision:
  // for a decision a host derives itself from this engine's answers (the
  // gateway decides completion/complete by partial evaluation), so that its
  // audit record has an id no other decision shares.
  DecisionId new_decision_id() const noexcept;

  // Lowercase hex SHA-256 of the table body: the policy version for audit records.
  const std::string& policy_hash() const;
  // The id of the key that signed the table (verified when it was loaded
  // with trusted keys), or "" for an unsigned table.
  const std::string& signer_key_id() const;
  const Model& model() const;
  // The declared tool or prompt called `name`, or the resource whose URI (or
  // URI template, as written) is `name`: an index into model().targets, or
  // kNoIndex. Hashed for tools, prompts and plain resource URIs.
  TargetIndex find_target(TargetKind kind, std::string_view name) const;

 private:
  explicit Engine(std::shared_ptr<const internal::EngineState> state) : state_(std::move(state)) {}
  std::shared_ptr<const internal::EngineState> state_;
};

}  // namespace authz::runtime
