// gateway_session_bench.cpp — the gateway's own work per tools/call, in
// process, without pipes or wake-ups: Session::on_client_line (strict JSON
// read, decision, audit record) plus Session::on_server_line (the response
// matched to its request), for the call gateway_bench times end to end.
//
// Contract: Google Benchmark; the table and entities are built from
// examples/sales at run time (AUTHZ_SOURCE_DIR, set by CMake). Cases:
//   BM_SessionCall/audit:0   no audit log: reading, deciding, routing
//   BM_SessionCall/audit:1   plus one hash-chained audit record written with
//                            write(2) to a file under $TMPDIR (default /tmp)
//   BM_SessionCallCold/...   the same with every cache level flushed before
//                            each call (untimed), as for calls seconds apart
//   BM_BaselineLineCopy      the floor: copying both lines once
//   BM_SessionLargeResponse  reading and routing a 100 KB tool result
//   BM_BaselineLargeCopy     its floor: copying those bytes once
// Figures go in docs/performance.md next to gateway_bench's.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <vector>
#include <unistd.h>

#include "compiler/driver.h"
#include "compiler/lower.h"
#include "tools/gateway/audit_sink.h"
#include "tools/gateway/identity.h"
#include "tools/gateway/session.h"

namespace {

constexpr std::string_view kResponse =
    R"({"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"{\"account\":\"acc-1\",\"owner\":\"u-bob\"}"}]}})";

// The same id every time: each response retires its request first.
constexpr std::string_view kRequest =
    R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_account","arguments":{"account":"acc-1"}}})";

authz::runtime::Engine sales_engine() {
  authz::SourceManager sources;
  authz::CheckOutcome checked = authz::check_paths({std::string(AUTHZ_SOURCE_DIR) + "/examples/sales"},
                                                   {{std::string(AUTHZ_SOURCE_DIR) + "/stdlib"}}, sources);
  if (!checked.ok()) std::abort();
  authz::LowerResult lowered = authz::lower(*checked.policy, sources);
  if (!lowered.ok()) std::abort();
  return authz::runtime::Engine::from_model(std::move(lowered.model)).value();
}

// u-bob's gateway session on the sales policy; null (and the benchmark
// skipped) when the identity does not load.
std::unique_ptr<authz::gateway::Session> bob_session(benchmark::State& state, authz::gateway::AuditSink* audit) {
  authz::gateway::IdentitySources sources;
  sources.user = "u-bob";  // a rep, from the users section of the entities file
  sources.entities_file = std::string(AUTHZ_SOURCE_DIR) + "/examples/sales/entities.json";
  std::string error;
  auto identity = authz::gateway::load_identity(sources, error);
  if (!identity) {
    state.SkipWithError(error.c_str());
    return nullptr;
  }
  authz::gateway::SessionConfig config;
  config.principal = std::move(identity->principal);
  config.entities = std::move(identity->entities);
  config.audit = audit;
  return std::make_unique<authz::gateway::Session>(std::move(config), sales_engine());
}

void run_calls(benchmark::State& state, bool cold) {
  const bool audited = state.range(0) != 0;
  const char* tmp = std::getenv("TMPDIR");
  const std::string audit_path = std::string(tmp ? tmp : "/tmp") + "/authz-session-bench-" + std::to_string(::getpid()) + ".jsonl";
  std::unique_ptr<authz::gateway::FileAuditSink> sink;
  if (audited) {
    auto log = authz::runtime::AuditLog::open(audit_path);
    if (!log.ok()) {
      state.SkipWithError(log.error().c_str());
      return;
    }
    sink = std::make_unique<authz::gateway::FileAuditSink>(std::move(log.value()));
  }
  auto made = bob_session(state, sink.get());
  if (!made) return;
  authz::gateway::Session& session = *made;
  authz::gateway::Routing routing;
  std::vector<char> evict(cold ? 64u << 20 : 0, 1);
  long checksum = 0;
  for (auto _ : state) {
    if (cold) {
      // Push the gateway's code and data out of every cache level, as the
      // seconds between an assistant's calls (and other programs) do.
      state.PauseTiming();
      for (std::size_t i = 0; i < evict.size(); i += 64) checksum += evict[i];
      benchmark::DoNotOptimize(checksum);
      state.ResumeTiming();
    }
    session.on_client_line(kRequest, routing);
    if (!routing.forward) {
      state.SkipWithError(routing.to_client.empty() ? "the call was not forwarded" : routing.to_client.front().c_str());
      break;
    }
    session.on_server_line(kResponse, routing);
    if (!routing.forward) {
      state.SkipWithError("the response was not forwarded");
      break;
    }
  }
  if (audited) ::unlink(audit_path.c_str());
}
void BM_SessionCall(benchmark::State& state) { run_calls(state, false); }
void BM_SessionCallCold(benchmark::State& state) { run_calls(state, true); }
BENCHMARK(BM_SessionCall)->ArgName("audit")->Arg(0)->Arg(1);
// A fixed count: the untimed cache flush would otherwise make the library run
// it for minutes while it waits for enough timed work.
BENCHMARK(BM_SessionCallCold)->ArgName("audit")->Arg(0)->Arg(1)->Iterations(1000);

// A 100 KB tool result (a file read, say): what reading and routing the
// response costs against copying its bytes once.
std::string large_response() {
  std::string text;
  while (text.size() < 100 * 1024) text += "line of a file with \\\"quotes\\\" and a tab\\t; ";
  return R"({"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":")" + text + R"("}]}})";
}

void BM_SessionLargeResponse(benchmark::State& state) {
  auto made = bob_session(state, nullptr);
  if (!made) return;
  authz::gateway::Session& session = *made;
  authz::gateway::Routing routing;
  const std::string response = large_response();
  for (auto _ : state) {
    state.PauseTiming();
    session.on_client_line(kRequest, routing);
    state.ResumeTiming();
    session.on_server_line(response, routing);
    if (!routing.forward) {
      state.SkipWithError("the response was not forwarded");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * response.size()));
}
BENCHMARK(BM_SessionLargeResponse);

void BM_BaselineLargeCopy(benchmark::State& state) {
  const std::string response = large_response();
  for (auto _ : state) {
    std::string copy(response);
    benchmark::DoNotOptimize(copy);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * response.size()));
}
BENCHMARK(BM_BaselineLargeCopy);

void BM_BaselineLineCopy(benchmark::State& state) {
  for (auto _ : state) {
    std::string request(kRequest);
    std::string response(kResponse);
    benchmark::DoNotOptimize(request);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_BaselineLineCopy);

}  // namespace

BENCHMARK_MAIN();
