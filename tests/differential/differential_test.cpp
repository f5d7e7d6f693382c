// differential_test.cpp — random policies and requests, decided twice: by the
// real pipeline (parse -> check -> lower() -> Engine::from_model -> evaluate)
// and by the reference interpreter over the checked AST. They must agree on
// the effect, the reason, the set of determining rules and the obligations.
// The runtime decides each request twice: with an Engine built from the
// lowered Model, and with one loaded from that Model's table file through the
// prepare-once / reused-Decision fast path; all three answers must agree.
//
// Environment:
//   AUTHZ_DIFFERENTIAL_CASES=N     request cases to run in total (default 100000)
//   AUTHZ_DIFFERENTIAL_SEED=S      first policy seed (default 1); seeds S, S+1, ...
//   AUTHZ_DIFFERENTIAL_REQUESTS=R  requests per policy (default 250)
// A generated policy that does not check clean is a generator (or checker)
// bug and fails the run. On a disagreement the seed, request number, policy
// text, request, entity data, both answers and the runtime's operator trace
// are printed; the run stops after 5 disagreements and exits 1.
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/checker.h"
#include "compiler/diagnostic_printer.h"
#include "compiler/lower.h"
#include "compiler/parse.h"
#include "runtime/engine.h"
#include "runtime/entity_store.h"
#include "runtime/internal/table_writer.h"
#include "runtime/trace_render.h"
#include "tests/differential/partial_eval_check.h"
#include "tests/differential/policy_generator.h"
#include "tests/differential/reference_interpreter.h"

namespace {

namespace rt = authz::runtime;
namespace ref = authz::reference;
using authz::differential::GeneratedCase;
using authz::differential::PolicyGenerator;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  return end && *end == '\0' ? value : fallback;
}

// JSON text in one canonical spelling (whitespace), for comparing obligation arguments.
std::string canonical_json(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  std::string copy(json);
  if (parser.parse(copy).get(element) != simdjson::SUCCESS) return copy;
  return simdjson::minify(element);
}

ref::Answer runtime_answer(const rt::Decision& decision) {
  ref::Answer answer;
  answer.allow = decision.allowed();
  answer.reason = rt::to_string(decision.reason);
  for (std::string_view rule : decision.determining_rules) answer.determining.emplace_back(rule);
  std::sort(answer.determining.begin(), answer.determining.end());
  for (const rt::AppliedObligation& obligation : decision.obligations) {
    std::string text = std::string(obligation.rule) + ": " + std::string(obligation.name) + "(";
    for (std::size_t i = 0; i < obligation.arguments.size(); ++i) {
      text += (i ? ", " : "") + std::string(obligation.arguments[i].name) + "=" +
              canonical_json(obligation.arguments[i].json);
    }
    answer.obligations.push_back(text + ")");
  }
  return answer;
}

bool same(const ref::Answer& a, const ref::Answer& b) {
  return a.allow == b.allow && a.reason == b.reason && a.determining == b.determining && a.obligations == b.obligations;
}

rt::Request runtime_request(const ref::Request& request) {
  rt::Request out;
  out.principal.id = request.user_id;
  out.principal.roles = request.roles;
  if (request.attributes.kind != ref::Json::Kind::Null) out.principal.attributes_json = request.attributes.dump();
  out.method = request.method == ref::Method::Tool       ? rt::MethodKind::ToolCall
               : request.method == ref::Method::Resource ? rt::MethodKind::ResourceRead
                                                         : rt::MethodKind::PromptGet;
  out.target = request.target;
  if (request.arguments.kind != ref::Json::Kind::Null) out.arguments_json = request.arguments.dump();
  out.now_ms = request.now_ms;
  return out;
}

std::string describe(const ref::Request& request) {
  std::string roles;
  for (const std::string& role : request.roles) roles += (roles.empty() ? "" : ", ") + role;
  const char* method = request.method == ref::Method::Tool ? "tool" : request.method == ref::Method::Resource ? "resource" : "prompt";
  return "  user: " + request.user_id + " roles=[" + roles + "] attributes=" + request.attributes.dump() + "\n  " +
         method + ": " + request.target + "\n  arguments: " + request.arguments.dump() + "\n  now: " +
         std::to_string(request.now_ms) + " (" + PolicyGenerator::format_timestamp(request.now_ms) + ")\n";
}

}  // namespace

int main() {
  const std::uint64_t total_cases = env_number("AUTHZ_DIFFERENTIAL_CASES", 100000);
  const std::uint64_t first_seed = env_number("AUTHZ_DIFFERENTIAL_SEED", 1);
  const std::uint64_t per_policy = std::max<std::uint64_t>(1, env_number("AUTHZ_DIFFERENTIAL_REQUESTS", 250));
  const auto started = std::chrono::steady_clock::now();

  std::uint64_t cases = 0, policies = 0, disagreements = 0;
  std::uint64_t allowed = 0;
  std::map<std::string, std::uint64_t> reasons;
  authz::differential::PartialCheckCounters partial_counters;  // residuals vs decisions (partial_eval_check.h)
  std::uint64_t seed = first_seed;
  // One PreparedRequest for every case of every policy, as a gateway keeps
  // one: its kept principal must be reused only for the same principal and
  // the same engine, and the decisions must not notice.
  rt::PreparedRequest prepared;
  for (; cases < total_cases && disagreements < 5; ++seed) {
    PolicyGenerator generator(seed);
    const std::string& text = generator.policy_text();

    authz::SourceManager sources;
    authz::DiagnosticSink sink;
    authz::FileId file = sources.add("generated_" + std::to_string(seed) + ".authz", text);
    authz::Program program;
    program.files.push_back(authz::parse_file(sources, file, sink));
    auto policy = authz::check_program(std::move(program), sink);
    if (sink.has_errors()) {
      std::cout << "seed " << seed << ": the generated policy does not check (a generator or checker bug)\n"
                << text << "\n" << authz::render_text(sources, sink.take_sorted()) << "\n";
      return 1;
    }
    authz::LowerResult lowered = authz::lower(*policy, sources);
    if (!lowered.ok()) {
      std::cout << "seed " << seed << ": lowering failed: " << lowered.internal_error << "\n" << text << "\n";
      return 1;
    }
    // Two engines: one straight from the Model, one through the table file
    // format (serialise, read back), so the file format is tested too.
    std::string table = rt::serialize(lowered.model);
    auto engine = rt::Engine::from_model(std::move(lowered.model));
    auto loaded = rt::Engine::load(table);
    if (!engine.ok() || !loaded.ok()) {
      std::cout << "seed " << seed << ": the table does not load: " << (engine.ok() ? loaded.error() : engine.error())
                << "\n" << text << "\n";
      return 1;
    }
    rt::Decision reused;  // the fast path: prepare once, evaluate into a reused Decision
    std::vector<std::string> world_json;
    std::vector<rt::JsonEntityStore> stores;
    for (const ref::Entities& world : generator.worlds()) {
      world_json.push_back(PolicyGenerator::entities_json(world));
      auto store = rt::JsonEntityStore::from_json(world_json.back());
      if (!store.ok()) {
        std::cout << "seed " << seed << ": entity data does not load: " << store.error() << "\n" << world_json.back() << "\n";
        return 1;
      }
      stores.push_back(std::move(store.value()));
    }
    ++policies;

    for (std::uint64_t i = 0; i < per_policy && cases < total_cases; ++i, ++cases) {
      GeneratedCase generated = generator.request(i);
      const ref::Entities* entities = generated.world >= 0 ? &generator.worlds()[generated.world] : nullptr;
      ref::Answer expected = ref::decide(*policy, generated.request, entities);

      rt::EvaluateOptions options;
      options.entities = generated.world >= 0 ? &stores[generated.world] : nullptr;
      rt::Decision decision = engine.value().evaluate(runtime_request(generated.request), options);
      ref::Answer actual = runtime_answer(decision);
      loaded.value().prepare(runtime_request(generated.request), prepared);
      loaded.value().evaluate(prepared, options, reused);
      ref::Answer from_file = runtime_answer(reused);
      allowed += actual.allow;
      ++reasons[actual.reason];
      std::string partial_problem = authz::differential::check_partial_evaluation(
          engine.value(), runtime_request(generated.request), options, decision, i, partial_counters);
      if (same(expected, actual) && same(actual, from_file) && partial_problem.empty()) continue;

      ++disagreements;
      options.trace = true;
      rt::Decision traced = engine.value().evaluate(runtime_request(generated.request), options);
      std::cout << "DISAGREEMENT seed " << seed << " request " << i << "\n--- policy\n" << text << "--- request\n"
                << describe(generated.request) << "--- entities\n"
                << (generated.world >= 0 ? world_json[generated.world] : std::string("(none)")) << "\n"
                << "--- reference interpreter: " << ref::to_string(expected) << "\n"
                << "--- runtime:               " << ref::to_string(actual) << "\n"
                << "--- runtime, table file:   " << ref::to_string(from_file) << "\n"
                << "--- partial evaluation:    " << (partial_problem.empty() ? "agrees\n" : "\n" + partial_problem)
                << "--- runtime trace\n" << rt::render_text(traced, rt::Audience::Operator) << "\n"
                << "reproduce: AUTHZ_DIFFERENTIAL_SEED=" << seed << " AUTHZ_DIFFERENTIAL_CASES=" << (i + 1)
                << " AUTHZ_DIFFERENTIAL_REQUESTS=" << per_policy << "\n\n";
      if (disagreements >= 5) break;
    }
  }

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "differential: " << cases << " cases over " << policies << " policies (seeds " << first_seed << ".."
            << (seed - 1) << "), " << disagreements << " disagreements, " << seconds << " s\n  decisions: " << allowed
            << " allowed";
  for (const auto& [reason, count] : reasons) std::cout << ", " << reason << " " << count;
  std::cout << "\n  partial evaluation: " << partial_counters.checked << " residuals checked, "
            << partial_counters.conditional << " conditional, " << partial_counters.inexact << " inexact, "
            << partial_counters.skipped << " skipped (entity data breaks the assumption)\n";
  return disagreements == 0 ? 0 : 1;
}
