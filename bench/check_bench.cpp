// check_bench.cpp — front-end throughput: parse + resolve + type-check a
// generated policy of 1k, 10k and 100k rules, in process, no file I/O; and
// the whole compile (check + lowering + the table file's bytes).
//
// Goals: 100k rules checked in under 2 s, growing linearly (issue 2), and
// compiled in under 2 s (issue 3); the "rules/s" counter makes linearity
// visible across sizes. Figures and the machine they were taken on go in
// docs/performance.md.
#include <benchmark/benchmark.h>

#include <map>
#include <string>

#include "bench/policy_generator.h"
#include "compiler/checker.h"
#include "compiler/lower.h"
#include "compiler/parse.h"
#include "runtime/engine.h"
#include "runtime/internal/sha256.h"
#include "runtime/internal/table_writer.h"

namespace {

enum class Stage { Parse, Check, Compile };

// Parses the generated files as policies/generated<N>.authz.
authz::Program parse_generated(const std::vector<std::string>& texts, authz::SourceManager& sources,
                               authz::DiagnosticSink& sink) {
  authz::Program program;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    authz::FileId file = sources.add("policies/generated" + std::to_string(i) + ".authz", texts[i]);
    program.files.push_back(authz::parse_file(sources, file, sink));
  }
  return program;
}

void run(benchmark::State& state, Stage stage) {
  const int rules = static_cast<int>(state.range(0));
  const std::vector<std::string> texts = authz::bench::generate_policy(rules);
  std::size_t bytes = 0;
  for (const std::string& text : texts) bytes += text.size();
  for (auto _ : state) {
    authz::SourceManager sources;
    authz::DiagnosticSink sink;
    authz::Program program = parse_generated(texts, sources, sink);
    if (stage == Stage::Parse) {
      benchmark::DoNotOptimize(program);
      continue;
    }
    auto policy = authz::check_program(std::move(program), sink);
    if (sink.has_errors()) {
      state.SkipWithError("generated policy has errors");
      break;
    }
    if (stage == Stage::Compile) {
      authz::LowerResult lowered = authz::lower(*policy, sources);
      if (!lowered.ok()) {
        state.SkipWithError("generated policy does not lower");
        break;
      }
      std::string table = authz::runtime::serialize(lowered.model);
      benchmark::DoNotOptimize(table);
    }
    benchmark::DoNotOptimize(policy);
  }
  state.counters["rules/s"] = benchmark::Counter(static_cast<double>(rules) * state.iterations(),
                                                 benchmark::Counter::kIsRate);
  state.counters["bytes"] = static_cast<double>(bytes);
}

// Baseline, measured in the same run: one pass over the same bytes that
// copies them and counts lines — the floor of any front end that reads the
// text once. The ratio check/baseline is the figure docs/performance.md keeps.
void BM_BaselineReadBytes(benchmark::State& state) {
  const std::vector<std::string> texts = authz::bench::generate_policy(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    std::size_t lines = 0;
    for (const std::string& text : texts) {
      std::string copy = text;
      for (char c : copy) lines += c == '\n';
      benchmark::DoNotOptimize(copy);
    }
    benchmark::DoNotOptimize(lines);
  }
}

// The table authzc builds for the generated policy, or an empty string when
// the policy does not compile. Everything else is freed on return, so the
// loads below run in a process that holds only the table, as a server or the
// gateway does.
std::string compile_table(int rules) {
  const std::vector<std::string> texts = authz::bench::generate_policy(rules);
  authz::SourceManager sources;
  authz::DiagnosticSink sink;
  auto policy = authz::check_program(parse_generated(texts, sources, sink), sink);
  if (sink.has_errors()) return {};
  authz::LowerResult lowered = authz::lower(*policy, sources);
  if (!lowered.ok()) return {};
  return authz::runtime::serialize(lowered.model);
}

// compile_table(rules), compiled once for every benchmark that loads or
// hashes it.
const std::string& compiled_table(int rules) {
  static std::map<int, std::string> tables;
  auto found = tables.find(rules);
  if (found == tables.end()) found = tables.emplace(rules, compile_table(rules)).first;
  return found->second;
}

// Loading the table authzc builds for the generated policy (doc comments,
// source locations and condition texts included): Engine::load from the
// bytes, as a server or the gateway does at start and on reload.
void BM_LoadCompiledPolicy(benchmark::State& state) {
  const std::string& table = compiled_table(static_cast<int>(state.range(0)));
  if (table.empty()) {
    state.SkipWithError("generated policy does not compile");
    return;
  }
  for (auto _ : state) {
    auto engine = authz::runtime::Engine::load(table);
    if (!engine.ok()) state.SkipWithError(engine.error().c_str());
    benchmark::DoNotOptimize(engine.ok());
    state.PauseTiming();  // dropping the engine is not part of loading (see BM_Drop_Engine)
    engine = authz::runtime::Result<authz::runtime::Engine>::failure("dropped");
    state.ResumeTiming();
  }
  state.counters["bytes"] = static_cast<double>(table.size());
}

// Baseline for BM_LoadCompiledPolicy: SHA-256 of the same table, which every
// load computes (on a second thread, beside the decoding).
void BM_ChecksumCompiledPolicy(benchmark::State& state) {
  const std::string& table = compiled_table(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(authz::runtime::sha256(table));
}

void BM_ParseGeneratedPolicy(benchmark::State& state) { run(state, Stage::Parse); }
void BM_CheckGeneratedPolicy(benchmark::State& state) { run(state, Stage::Check); }
void BM_CompileGeneratedPolicy(benchmark::State& state) { run(state, Stage::Compile); }

}  // namespace

BENCHMARK(BM_BaselineReadBytes)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseGeneratedPolicy)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CheckGeneratedPolicy)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CompileGeneratedPolicy)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ChecksumCompiledPolicy)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadCompiledPolicy)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
