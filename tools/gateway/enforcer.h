// enforcer.h — decides the client requests that reach a protected target:
// tools/call, resources/read, resources/subscribe and prompts/get, and
// completion/complete, which reads values of a prompt's or a resource
// template's arguments.
//
// Contract: decide() evaluates the request against the given Engine for the
// gateway's one principal, writes one audit record per decision, and either
// lets the message through unchanged (returns true) or fills `reply` with
// the answer the client gets instead (returns false; the server never sees
// the message):
//   tools/call, target not callable at all for this user (unknown tool, a
//     deny that holds whatever the arguments, no allow that could apply):
//     JSON-RPC error -32602 "access denied by policy: ..." with
//     data {reason, tool, decision_id};
//   tools/call, tool callable but these arguments or this time refused:
//     a tool result with isError: true and the end-user explanation (no
//     values from entity data);
//   resources/read, resources/subscribe, prompts/get refused: -32602 with
//     data {reason, resource|prompt, decision_id};
//   completion/complete: allowed iff the prompt (ref/prompt, by name) or
//     the resource template (ref/resource, its uri decided as a
//     resources/templates/list entry) would be listed for this user
//     (callability.h, may_list) and no allow that could apply carries an
//     obligation; refused: -32602 with data {reason, prompt|resource,
//     decision_id}. The record's method is completion/complete, its
//     arguments {argument.name: argument.value}; context is not read;
//   malformed params (not an object, no name/uri, non-object arguments; for
//     completion/complete a ref that is not an object, a ref type other than
//     ref/prompt and ref/resource, no string name/uri, an argument without
//     string name and value): -32602 "invalid params: ...", no decision, no
//     audit record;
//   an allow whose obligations the gateway cannot apply: refused like an
//     argument failure (the record says effect deny, reason error);
//   the audit record cannot be written: -32603 "access denied: the audit
//     log cannot be written", data {reason: "audit_unavailable", ...}, and
//     a line on stderr (through `log`).
// With a shadow engine (a candidate policy, `--shadow`), every decision is
// also made by the shadow, for the record only: the reply, forwarding and
// the primary's record fields are exactly what they are without one, and the
// record gets a `shadow` object (effect, reason, rules, policy hash) decided
// the way the gateway would enforce it (an allow with an obligation the
// gateway cannot apply counts as a deny with reason error). An
// invalid-params refusal is no decision for either.
// With an observer (set_observer; decision_observer.h), every decision is
// reported after its audit append, and a failed append is reported too.
// Never throws on any input.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/decision.h"
#include "runtime/engine.h"
#include "runtime/entity_store.h"
#include "runtime/partial_eval.h"
#include "runtime/internal/json_canonical.h"
#include "tools/gateway/audit_sink.h"
#include "tools/gateway/decision_observer.h"
#include "tools/gateway/message_reader.h"

namespace authz::gateway {

using LogFunction = std::function<void(std::string_view)>;

// Whether a method is one the enforcer decides.
bool is_decided_method(std::string_view method);

class Enforcer {
 public:
  Enforcer(runtime::Principal principal, std::shared_ptr<const runtime::EntityResolver> entities, AuditSink* audit,
           LogFunction log);

  bool decide(const runtime::Engine& engine, const Message& message, std::int64_t now_ms, std::string& reply) {
    return decide(engine, nullptr, message, now_ms, reply);
  }
  // `shadow` null: no shadow policy.
  bool decide(const runtime::Engine& engine, const runtime::Engine* shadow, const Message& message,
              std::int64_t now_ms, std::string& reply);

  void set_observer(DecisionObserver* observer) { observer_ = observer; }
  // The entity data later decisions read (a reload's sources, checked against its table).
  void set_entities(std::shared_ptr<const runtime::EntityResolver> entities) { entities_ = std::move(entities); }

  const runtime::Principal& principal() const { return request_.principal; }
  // Who is calling, copied into every later audit record (the HTTP front's
  // token facts, session and peer; the stdio gateway sets none).
  void set_caller(const runtime::AuditCaller& caller) {
    if (!(record_.caller == caller)) record_.caller = caller;
  }
  runtime::EvaluateOptions evaluate_options() const;

 private:
  bool decide_completion(const runtime::Engine& engine, const runtime::Engine* shadow, const Message& message,
                         std::int64_t now_ms, std::string& reply);
  // completion/complete's decision for `target` by one engine; `decision`'s
  // rule views point into `residual`.
  void completion_decision(const runtime::Engine& engine, bool prompt, const std::string& target,
                           std::int64_t now_ms, runtime::Residual& residual, runtime::Decision& decision) const;
  bool refuse(const runtime::Engine& engine, const runtime::PreparedRequest& prepared, const Message& message,
              bool for_obligation, std::string& reply);

  void notify(std::string_view method, const runtime::Decision& decision, const runtime::Decision* shadow,
              std::int64_t evaluation_ns, std::int64_t shadow_ns, bool audited) const;

  std::shared_ptr<const runtime::EntityResolver> entities_;
  AuditSink* audit_;
  DecisionObserver* observer_ = nullptr;
  LogFunction log_;
  runtime::Request request_;    // reused: the principal is filled once
  runtime::PreparedRequest prepared_;  // reused: keeps the principal converted
  runtime::Decision decision_;  // reused across calls
  runtime::PreparedRequest shadow_prepared_;  // the same for the shadow engine
  runtime::Decision shadow_decision_;
  runtime::AuditRecord record_;  // reused: its strings keep their buffers
  std::vector<runtime::internal::CanonicalMember> params_members_;  // reused: a canonical message's params
};

}  // namespace authz::gateway
