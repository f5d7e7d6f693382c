// session.cpp — see session.h.
#include "tools/gateway/session.h"

#include <chrono>

#include "tools/gateway/callability.h"
#include "tools/gateway/json_scan.h"
#include "tools/gateway/json_text.h"

namespace authz::gateway {
namespace {

std::string shown_id(std::string_view id) {
  return id.size() > 80 ? std::string(id.substr(0, 80)) + "..." : std::string(id);
}

bool json_true(std::optional<std::string_view> value) { return value && *value == "true"; }

}  // namespace

Session::Session(SessionConfig config, runtime::Engine engine)
    : config_(std::move(config)),
      engine_(std::move(engine)),
      enforcer_(config_.principal, config_.entities, config_.audit, [this](std::string_view line) { log(line); }) {
  enforcer_.set_caller(config_.caller);
  enforcer_.set_observer(config_.observer);
}

std::int64_t Session::now() const {
  if (config_.clock) return config_.clock();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void Session::log(std::string_view line) const {
  if (config_.log) config_.log(line);
}

void Session::on_client_oversized(Routing& out) {
  out.clear();
  log("refused a client message larger than the limit (not forwarded)");
  out.to_client.push_back(error_response("null", kParseError, "parse error: the message is larger than the limit"));
}

void Session::on_server_oversized(Routing& out) {
  out.clear();
  log("dropped a server message larger than the limit");
}

void Session::on_client_line(std::string_view line, Routing& out) {
  out.clear();
  Rejection rejection;
  if (!client_reader_.read(line, message_, rejection)) {
    log("refused a client message: " + rejection.message);
    out.to_client.push_back(error_response(rejection.id, rejection.code, rejection.message));
    return;
  }
  switch (message_.kind) {
    case MessageKind::Notification:
      if (is_decided_method(message_.method)) {
        log("dropped `" + message_.method + "` sent as a notification: a call without an id cannot be refused");
        return;
      }
      out.forward = true;
      return;
    case MessageKind::Response:
      // Answers to the server's own requests (sampling, elicitation, roots).
      out.forward = true;
      return;
    case MessageKind::Request:
      break;
  }
  if (pending_.count(message_.id_key)) {
    out.to_client.push_back(error_response(
        message_.id, kInvalidRequest, "invalid request: id " + shown_id(message_.id) + " is already in use by a request in flight"));
    return;
  }
  if (is_decided_method(message_.method)) {
    std::string reply;
    if (!enforcer_.decide(engine_, shadow(), message_, now(), reply)) {
      out.to_client.push_back(std::move(reply));
      return;
    }
    remember(std::move(message_.id_key), Pending{});
    out.forward = true;
    return;
  }
  Pending pending;
  ListKind list;
  if (list_kind_of(message_.method, list)) {
    pending.kind = PendingKind::List;
    pending.list = list;
    pending.engine = engine_;
  } else if (message_.method == "initialize") {
    pending.kind = PendingKind::Initialize;
  }
  remember(std::move(message_.id_key), std::move(pending));
  out.forward = true;
}

void Session::remember(std::string id_key, Pending pending) {
  if (spare_nodes_.empty()) {
    pending_.emplace(std::move(id_key), std::move(pending));
    return;
  }
  PendingMap::node_type node = std::move(spare_nodes_.back());
  spare_nodes_.pop_back();
  node.key() = std::move(id_key);
  node.mapped() = std::move(pending);
  pending_.insert(std::move(node));
}

void Session::on_server_line(std::string_view line, Routing& out) {
  out.clear();
  Rejection rejection;
  if (!server_reader_.read(line, message_, rejection)) {
    log("dropped a server message: " + rejection.message);
    return;
  }
  if (message_.kind != MessageKind::Response) {
    if (message_.kind == MessageKind::Notification && message_.method == "notifications/tools/list_changed") {
      log("the server's tool list changed; the next tools/list is filtered again");
    }
    out.forward = true;
    return;
  }
  auto found = pending_.find(message_.id_key);
  if (found == pending_.end()) {
    log("dropped a server response for id " + shown_id(message_.id) + ", which the gateway never forwarded");
    return;
  }
  PendingMap::node_type node = pending_.extract(found);
  Pending pending = std::move(node.mapped());
  constexpr std::size_t kSpareNodes = 64;
  if (spare_nodes_.size() < kSpareNodes) spare_nodes_.push_back(std::move(node));
  switch (pending.kind) {
    case PendingKind::Plain: out.forward = true; return;
    case PendingKind::Initialize:
      if (message_.has_result) note_server_capabilities(response_result(line).value_or(std::string_view()));
      out.forward = true;
      return;
    case PendingKind::List: filter_list(line, message_, pending, out); return;
  }
}

void Session::note_server_capabilities(std::string_view result) {
  if (result.empty() || result.front() != '{') return;
  auto capabilities = member_value(result, "capabilities");
  if (!capabilities || capabilities->empty() || capabilities->front() != '{') return;
  const char* names[3] = {"tools", "prompts", "resources"};
  for (int i = 0; i < 3; ++i) {
    auto capability = member_value(*capabilities, names[i]);
    server_lists_change_[i] = capability && !capability->empty() && capability->front() == '{' &&
                              json_true(member_value(*capability, "listChanged"));
  }
}

void Session::filter_list(std::string_view line, const Message& response, const Pending& pending, Routing& out) {
  const runtime::Engine& engine = *pending.engine;
  std::int64_t at = now();
  auto options = enforcer_.evaluate_options();
  const runtime::Principal& principal = enforcer_.principal();

  // The rule is may_list (callability.h), shared with completion/complete;
  // only the warning about undeclared tools is the list's own.
  const ListKind kind = pending.list;
  auto keep = [&](std::string_view key) {
    if (kind == ListKind::Tools && engine.find_target(runtime::TargetKind::Tool, key) == runtime::kNoIndex) {
      if (warned_undeclared_.insert(std::string(key)).second) {
        log("the server offers tool `" + std::string(key) +
            "`, which the policy does not declare; it stays denied (declare it, e.g. with `authzc import-tools`)");
      }
      return false;
    }
    return may_list(engine, principal, kind, key, at, options);
  };
  const std::string_view result = response.has_result ? response_result(line).value_or(std::string_view()) : std::string_view();
  switch (filter_list_response(line, result, pending.list, keep, scratch_)) {
    case FilterOutcome::Unchanged: out.forward = true; return;
    case FilterOutcome::Rewritten: out.to_client.push_back(std::move(scratch_)); return;
    case FilterOutcome::Refused:
      log("refused a list response the gateway could not filter");
      out.to_client.push_back(error_response(response.id, kInternalError,
                                             "the server's list could not be filtered by policy, so it is withheld"));
      return;
  }
}

void Session::replace_engine(runtime::Engine engine, Routing& out) {
  out.clear();
  engine_ = std::move(engine);
  static const char* notifications[3] = {"notifications/tools/list_changed", "notifications/prompts/list_changed",
                                         "notifications/resources/list_changed"};
  for (int i = 0; i < 3; ++i) {
    if (server_lists_change_[i]) out.to_client.push_back(notification(notifications[i]));
  }
}

}  // namespace authz::gateway
