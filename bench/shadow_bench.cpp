// shadow_bench.cpp — what a shadow policy costs: one decision alone against
// the same decision with a shadow decided alongside (runtime/shadow.h), and
// the gateway's per-call work (Session, no audit log) without and with
// `--shadow`. Issue 17's bound: the shadow adds at most 1.5x one decision.
//
// Contract: Google Benchmark; the tables are built from examples/sales at run
// time (AUTHZ_SOURCE_DIR, set by CMake), the shadow from the same sources as
// a separate Engine (its own state, as a second table file would be). Cases:
//   BM_Decide              prepare + evaluate, one engine, reused buffers
//   BM_DecideWithShadow    ShadowEvaluator: the same with two engines
//   BM_SessionCall/shadow:0|1   Session::on_client_line + on_server_line
// Figures go in docs/performance.md ("Shadow policy").
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

#include "compiler/driver.h"
#include "compiler/lower.h"
#include "runtime/shadow.h"
#include "tools/gateway/identity.h"
#include "tools/gateway/session.h"

namespace {

constexpr std::string_view kRequest =
    R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_account","arguments":{"account":"acc-1"}}})";
constexpr std::string_view kResponse = R"({"jsonrpc":"2.0","id":7,"result":{"content":[]}})";

authz::runtime::Engine sales_engine() {
  authz::SourceManager sources;
  authz::CheckOutcome checked = authz::check_paths({std::string(AUTHZ_SOURCE_DIR) + "/examples/sales"},
                                                   {{std::string(AUTHZ_SOURCE_DIR) + "/stdlib"}}, sources);
  if (!checked.ok()) std::abort();
  authz::LowerResult lowered = authz::lower(*checked.policy, sources);
  if (!lowered.ok()) std::abort();
  return authz::runtime::Engine::from_model(std::move(lowered.model)).value();
}

std::optional<authz::gateway::Identity> bob(benchmark::State& state) {
  authz::gateway::IdentitySources sources;
  sources.user = "u-bob";
  sources.entities_file = std::string(AUTHZ_SOURCE_DIR) + "/examples/sales/entities.json";
  std::string error;
  auto identity = authz::gateway::load_identity(sources, error);
  if (!identity) state.SkipWithError(error.c_str());
  return identity;
}

authz::runtime::Request bob_request(const authz::gateway::Identity& identity) {
  authz::runtime::Request request;
  request.principal = identity.principal;
  request.target = "get_account";
  request.arguments_json = R"({"account":"acc-1"})";
  request.now_ms = 1'764'000'000'000;
  return request;
}

void BM_Decide(benchmark::State& state) {
  auto identity = bob(state);
  if (!identity) return;
  auto engine = sales_engine();
  auto request = bob_request(*identity);
  authz::runtime::EvaluateOptions options;
  options.entities = identity->entities.get();
  authz::runtime::PreparedRequest prepared;
  authz::runtime::Decision decision;
  for (auto _ : state) {
    engine.prepare(request, prepared);
    engine.evaluate(prepared, options, decision);
    benchmark::DoNotOptimize(decision.effect);
  }
  if (!decision.allowed()) state.SkipWithError("not allowed");
}
BENCHMARK(BM_Decide);

void BM_DecideWithShadow(benchmark::State& state) {
  auto identity = bob(state);
  if (!identity) return;
  auto primary = sales_engine();
  auto shadow = sales_engine();
  auto request = bob_request(*identity);
  authz::runtime::EvaluateOptions options;
  options.entities = identity->entities.get();
  authz::runtime::ShadowEvaluator evaluator;
  authz::runtime::Decision a, b;
  for (auto _ : state) {
    evaluator.evaluate(primary, shadow, request, options, a, b);
    benchmark::DoNotOptimize(a.effect);
    benchmark::DoNotOptimize(b.effect);
  }
  if (!a.allowed() || !b.allowed()) state.SkipWithError("not allowed");
}
BENCHMARK(BM_DecideWithShadow);

void BM_SessionCall(benchmark::State& state) {
  auto identity = bob(state);
  if (!identity) return;
  authz::gateway::SessionConfig config;
  config.principal = identity->principal;
  config.entities = identity->entities;
  authz::gateway::Session session(std::move(config), sales_engine());
  if (state.range(0) != 0) session.set_shadow(sales_engine());
  authz::gateway::Routing routing;
  for (auto _ : state) {
    session.on_client_line(kRequest, routing);
    if (!routing.forward) {
      state.SkipWithError("the call was not forwarded");
      break;
    }
    session.on_server_line(kResponse, routing);
  }
}
BENCHMARK(BM_SessionCall)->ArgName("shadow")->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
