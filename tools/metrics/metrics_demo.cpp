// metrics_demo.cpp — a scripted gateway session that prints its metrics, for
// tests/metrics (the output is parsed with python3-prometheus-client) and for
// docs/metrics.md. u-alice (a tester) calls server-everything's tools through
// a Session deciding with tests/e2e/policies/everything.authz, with
// everything_strict.authz as the shadow; the audit sink fails once; the
// front's hooks (sessions, token failures, added latency, reloads) are fed
// the way a front would.
//
//   authz_metrics_demo BEFORE.txt AFTER.txt
// BEFORE: the metrics after 3 calls; AFTER: after 8 more, one audit failure,
// two reloads and a second session.
#include <cstdio>
#include <fstream>

#include "compiler/driver.h"
#include "compiler/lower.h"
#include "tools/gateway/session.h"
#include "tools/metrics/gateway_metrics.h"

namespace {

authz::runtime::Engine compile(const std::string& relative) {
  authz::SourceManager sources;
  authz::CheckOutcome checked = authz::check_paths({std::string(AUTHZ_SOURCE_DIR) + "/" + relative},
                                                   {{std::string(AUTHZ_SOURCE_DIR) + "/stdlib"}}, sources);
  if (!checked.ok()) std::abort();
  authz::LowerResult lowered = authz::lower(*checked.policy, sources);
  if (!lowered.ok()) std::abort();
  return authz::runtime::Engine::from_model(std::move(lowered.model)).value();
}

struct FlakySink final : authz::gateway::AuditSink {
  bool fail_next = false;
  bool append(authz::runtime::AuditRecord&, std::string& error) override {
    if (!fail_next) return true;
    fail_next = false;
    error = "disk full";
    return false;
  }
};

std::string call(int id, const std::string& tool, const std::string& arguments) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"tools/call","params":{"name":")" + tool +
         R"(","arguments":)" + arguments + "}}";
}

bool write(const char* path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: authz_metrics_demo BEFORE.txt AFTER.txt\n");
    return 2;
  }
  authz::metrics::GatewayMetrics metrics;
  FlakySink sink;
  authz::gateway::SessionConfig config;
  config.principal.id = "u-alice";
  config.principal.roles = {"tester"};
  config.audit = &sink;
  config.observer = &metrics;
  config.log = [](std::string_view) {};
  authz::gateway::Session session(std::move(config), compile("tests/e2e/policies/everything.authz"));
  session.set_shadow(compile("tests/e2e/policies/everything_strict.authz"));
  metrics.session_started("stdio");
  authz::gateway::Routing out;
  int id = 0;
  auto send = [&](const std::string& tool, const std::string& arguments) {
    session.on_client_line(call(++id, tool, arguments), out);
    metrics.observe_added_latency("stdio", 9000 + id * 1000);
    if (out.forward) session.on_server_line(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"result":{}})", out);
  };
  send("echo", R"({"message":"hello"})");
  send("echo", R"({"message":"secret"})");  // newly denied by the shadow
  send("get-env", "{}");                    // forbidden
  if (!write(argv[1], metrics.render())) return 1;

  send("get-sum", R"({"a":1,"b":2})");
  send("get-sum", R"({"a":50,"b":40})");  // newly denied
  send("get-tiny-image", "{}");           // newly allowed
  send("no-such-tool", "{}");             // unknown target
  sink.fail_next = true;
  send("echo", R"({"message":"lost"})");  // refused: the audit log cannot be written
  send("echo", R"({"message":"again"})");
  send("get-structured-content", R"({"location":"Chicago"})");
  send("get-env", "{}");
  metrics.on_reload("policy", true);
  metrics.on_reload("shadow", false);
  metrics.session_started("stdio");
  metrics.session_ended("stdio");
  metrics.token_failure("expired");
  metrics.token_failure("expired");
  metrics.token_failure("unknown_key");
  if (!write(argv[2], metrics.render())) return 1;
  return 0;
}
