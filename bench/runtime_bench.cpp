// runtime_bench.cpp — how fast the runtime decides, and how fast it loads.
//
// Contract: measures Engine::evaluate on prepared requests (the decision
// itself: rules of the target, conditions, entity lookups through a
// JsonEntityStore) for the brief's sales policy with trace off and on; a
// scaling series of generated tables from 100 to 100,000 rules spread over
// rules/10 tools; preparing a request (JSON parsing and validation); and
// loading a 100,000-rule table file; matching resource URI templates. Targets: median <= 200 ns per decision
// with trace off, <= 2 us with trace on. Run with
//   --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/engine.h"
#include "runtime/internal/sha256.h"
#include "runtime/internal/table_reader.h"
#include "runtime/internal/table_writer.h"
#include "runtime/internal/uri_template.h"
#include "tests/unit/runtime_test_models.h"

using namespace authz::runtime;
using namespace authz::runtime::testing;

namespace {

struct SalesFixture {
  SalesModel sales = sales_model();
  Engine engine = Engine::from_model(sales.model).value();
  JsonEntityStore entities = JsonEntityStore::from_json(kSalesEntities).value();

  PreparedRequest prepare(const std::string& user, std::vector<std::string> roles, const std::string& tool,
                          const std::string& args, const std::string& attributes = "") const {
    Request request;
    request.principal = {user, std::move(roles), attributes};
    request.target = tool;
    request.arguments_json = args;
    request.now_ms = kJune2026;
    return engine.prepare(request);
  }
};

const SalesFixture& sales() {
  static SalesFixture fixture;
  return fixture;
}

void run_decisions(benchmark::State& state, const PreparedRequest& prepared, bool trace, bool expect_allow) {
  const SalesFixture& fixture = sales();
  EvaluateOptions options;
  options.trace = trace;
  options.entities = &fixture.entities;
  Decision decision;
  fixture.engine.evaluate(prepared, options, decision);
  if (decision.allowed() != expect_allow) state.SkipWithError("unexpected decision");
  for (auto _ : state) {
    fixture.engine.evaluate(prepared, options, decision);
    benchmark::DoNotOptimize(decision.effect);
  }
}

// Baseline, measured in the same run: what a hand-written check inside a
// server does for the same "rep reads own account" request — find the tool's
// allowed roles in a hash map, scan the user's roles, look the account up in
// a hash map and compare its owner with the user. No policy, no explanation,
// no argument validation: the floor a decision engine is measured against.
void BM_Baseline_HandWrittenCheck(benchmark::State& state) {
  const std::unordered_map<std::string, std::vector<std::string>> tool_roles{
      {"get_account", {"rep", "manager", "admin"}}, {"update_account", {"rep", "manager", "admin"}},
      {"delete_records", {"admin"}}, {"sales_summary", {"analyst"}}};
  const std::unordered_map<std::string, std::string> account_owner{
      {"acc-1", "u-bob"}, {"acc-2", "u-bob"}, {"acc-7", "u-carol"}, {"acc-9", "u-hank"}};
  const std::string user = "u-bob", tool = "get_account", account = "acc-1";
  const std::vector<std::string> roles{"rep"};
  for (auto _ : state) {
    bool allowed = false;
    auto allowed_roles = tool_roles.find(tool);
    if (allowed_roles != tool_roles.end()) {
      for (const std::string& role : roles) {
        for (const std::string& allowed_role : allowed_roles->second) allowed |= role == allowed_role;
      }
    }
    auto owner = account_owner.find(account);
    allowed = allowed && owner != account_owner.end() && owner->second == user;
    benchmark::DoNotOptimize(allowed);
  }
}
BENCHMARK(BM_Baseline_HandWrittenCheck);

// rep reads own account: one deny-free target, one entity lookup, one comparison.
void BM_Sales_OwnerAllowed(benchmark::State& state) {
  PreparedRequest prepared = sales().prepare("u-bob", {"rep"}, "get_account", R"({"account": "acc-1"})");
  run_decisions(state, prepared, state.range(0) != 0, true);
}
BENCHMARK(BM_Sales_OwnerAllowed)->ArgName("trace")->Arg(0)->Arg(1);

// rep reads another rep's account: condition false, manager rule skipped.
void BM_Sales_CrossUserDenied(benchmark::State& state) {
  PreparedRequest prepared = sales().prepare("u-bob", {"rep"}, "get_account", R"({"account": "acc-7"})");
  run_decisions(state, prepared, state.range(0) != 0, false);
}
BENCHMARK(BM_Sales_CrossUserDenied)->ArgName("trace")->Arg(0)->Arg(1);

// manager reads a team account: `in` over the user's manages set.
void BM_Sales_ManagerTeam(benchmark::State& state) {
  PreparedRequest prepared = sales().prepare("u-dana", {"manager"}, "get_account", R"({"account": "acc-7"})",
                                             R"({"manages": ["east", "north"]})");
  run_decisions(state, prepared, state.range(0) != 0, true);
}
BENCHMARK(BM_Sales_ManagerTeam)->ArgName("trace")->Arg(0)->Arg(1);

// analyst totals: no condition, one obligation returned.
void BM_Sales_AnalystWithObligation(benchmark::State& state) {
  PreparedRequest prepared = sales().prepare("u-erin", {"analyst"}, "sales_summary", R"({"region": "emea"})");
  run_decisions(state, prepared, state.range(0) != 0, true);
}
BENCHMARK(BM_Sales_AnalystWithObligation)->ArgName("trace")->Arg(0)->Arg(1);

// delete by a rep: the deny rule decides.
void BM_Sales_DenyWins(benchmark::State& state) {
  PreparedRequest prepared =
      sales().prepare("u-bob", {"rep"}, "delete_records", R"({"account": "acc-1", "ids": ["r1", "r2"]})");
  run_decisions(state, prepared, state.range(0) != 0, false);
}
BENCHMARK(BM_Sales_DenyWins)->ArgName("trace")->Arg(0)->Arg(1);

// Preparing: target lookup, role bitset, JSON parse and validation.
void BM_Sales_Prepare(benchmark::State& state) {
  const SalesFixture& fixture = sales();
  Request request;
  request.principal = {"u-dana", {"manager"}, R"({"manages": ["east", "north"]})"};
  request.target = "update_account";
  request.arguments_json = R"({"account": "acc-7", "fields": {"region": "emea", "tier": "gold"}})";
  request.now_ms = kJune2026;
  for (auto _ : state) {
    PreparedRequest prepared = fixture.engine.prepare(request);
    benchmark::DoNotOptimize(prepared.ready());
  }
}
BENCHMARK(BM_Sales_Prepare);

// Matching a resource URI against a template (what prepare does for each
// resource template until one matches): a hit, a near miss, a two-variable hit.
void BM_Uri_Template_Match(benchmark::State& state) {
  static const char* const kCases[][2] = {
      {"demo://resource/dynamic/text/{resourceId}", "demo://resource/dynamic/text/42"},
      {"demo://resource/dynamic/text/{resourceId}", "demo://resource/dynamic/blob/42"},
      {"file:///{dir}/{name}.txt", "file:///home/notes.2026.txt"},
  };
  const auto& which = kCases[state.range(0)];
  UriTemplate pattern = *parse_uri_template(which[0]);
  std::string_view captures[2];
  const std::string uri = which[1];
  for (auto _ : state) benchmark::DoNotOptimize(match_uri_template(pattern, uri, captures));
}
BENCHMARK(BM_Uri_Template_Match)->ArgName("case")->Arg(0)->Arg(1)->Arg(2);

// ---- scaling: generated tables ----------------------------------------------------

// `rules` rules over max(10, rules / 10) tools (so about ten per tool) and
// 32 roles (binary-tree inheritance), each tool's rules cycling through: owner
// check, team-in-manages check, a guarded deny on an optional argument (a
// limit of its own per rule), an unconditional allow with an obligation.
Model scaled_model(int rules) {
  ModelBuilder b("generated");
  b.principal_attribute("manages", b.set_of_string);
  TypeIndex account = b.entity("Account", {{"owner", b.string_type}, {"team", b.string_type}, {"tier", b.int_type}});
  std::vector<RoleIndex> roles;
  for (int r = 0; r < 32; ++r) {
    if (r == 0) {
      roles.push_back(b.role("r0"));
    } else {
      roles.push_back(b.role("r" + std::to_string(r), {roles[static_cast<std::size_t>((r - 1) / 2)]}));
    }
  }
  int tools = rules / 10 > 10 ? rules / 10 : 10;
  for (int t = 0; t < tools; ++t) {
    b.tool("t" + std::to_string(t), t % 3 == 0 ? Action::Write : Action::Read,
           {{"account", account, false}, {"region", b.string_type, false}, {"limit", b.optional(b.int_type), false}});
  }
  ObligationIndex aggregate = b.obligation("aggregate_only", {{"min_group", b.int_type}});
  // As authzc does: equal sub-expressions are stored once. Each deny still
  // gets a limit of its own, so a quarter of the rules add nodes.
  b.share_equal_nodes();
  ConstantIndex five = b.add(Constant::of_int(5));
  for (int i = 0; i < rules; ++i) {
    // Rule i goes to tool i % tools; its position among that tool's rules
    // picks kind and role, so every tool sees the same mix at every size.
    auto tool = static_cast<TargetIndex>(i % tools);
    int position = i / tools;
    RoleIndex role = roles[static_cast<std::size_t>(position % 32)];
    std::string id = "rule" + std::to_string(i);
    switch (position % 4) {
      case 0: {
        NodeIndex owner = b.member(b.arg("account", account), 0, b.string_type);
        b.rule({.id = id, .roles = {role}, .targets = {tool},
                .when = b.binary(Opcode::Eq, owner, b.user_attribute("id"))});
        break;
      }
      case 1: {
        NodeIndex team = b.member(b.arg("account", account), 1, b.string_type);
        b.rule({.id = id, .roles = {role}, .targets = {tool},
                .when = b.binary(Opcode::In, team, b.user_attribute("manages"))});
        break;
      }
      case 2: {
        NodeIndex big = b.all({b.has_arg("limit"), b.binary(Opcode::Gt, b.arg("limit", b.int_type), b.integer(1000 + i))});
        b.rule({.id = id, .effect = Effect::Deny, .roles = {role}, .targets = {tool}, .when = big});
        break;
      }
      default:
        b.rule({.id = id, .roles = {role}, .targets = {tool}, .obligations = {{aggregate, {five}}}});
        break;
    }
  }
  return std::move(b.model);
}

void BM_Scaling_Decision(benchmark::State& state) {
  int rules = static_cast<int>(state.range(0));
  Engine engine = Engine::from_model(scaled_model(rules)).value();
  JsonEntityStore entities =
      JsonEntityStore::from_json(R"({"Account": {"acc-1": {"owner": "u-bob", "team": "east", "tier": 2}}})").value();
  Request request;
  request.principal = {"u-bob", {"r7"}, R"({"manages": ["east"]})"};  // r7 includes r3, r1, r0
  request.target = "t" + std::to_string((rules / 10 > 10 ? rules / 10 : 10) / 2);
  request.arguments_json = R"({"account": "acc-1", "region": "emea", "limit": 10})";
  request.now_ms = kJune2026;
  PreparedRequest prepared = engine.prepare(request);
  if (!prepared.ready()) state.SkipWithError(prepared.problem().c_str());
  EvaluateOptions options;
  options.entities = &entities;
  Decision decision;
  for (auto _ : state) {
    engine.evaluate(prepared, options, decision);
    benchmark::DoNotOptimize(decision.effect);
  }
  state.counters["rules"] = rules;
}
BENCHMARK(BM_Scaling_Decision)->ArgName("rules")->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);

// The serialized scaled_model(rules), built once for every benchmark that
// reads it (building 100k rules takes longer than loading them).
const std::string& scaled_table(int rules) {
  static std::map<int, std::string> tables;
  auto found = tables.find(rules);
  if (found == tables.end()) found = tables.emplace(rules, serialize(scaled_model(rules))).first;
  return found->second;
}

// Load: table bytes to a ready Engine. Dropping the engine that a reload
// replaces happens later, on whichever thread lets go of it last, so it is
// timed on its own (BM_Drop_Engine) rather than folded into the load.
void BM_Load_Table(benchmark::State& state) {
  const std::string& bytes = scaled_table(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto engine = Engine::load(bytes);
    if (!engine.ok()) state.SkipWithError(engine.error().c_str());
    benchmark::DoNotOptimize(engine.ok());
    state.PauseTiming();
    engine = Result<Engine>::failure("dropped");
    state.ResumeTiming();
  }
  state.counters["bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_Load_Table)->ArgName("rules")->Arg(100000)->Unit(benchmark::kMillisecond);

// Baseline for the loads: the SHA-256 every load computes over the same
// bytes (on a second thread, beside the decoding), the floor of a loader that
// checks its input.
void BM_Baseline_Checksum(benchmark::State& state) {
  const std::string& bytes = scaled_table(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(sha256(bytes));
}
BENCHMARK(BM_Baseline_Checksum)->ArgName("rules")->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_Drop_Engine(benchmark::State& state) {
  const std::string& bytes = scaled_table(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = Engine::load(bytes);
    if (!engine.ok()) state.SkipWithError(engine.error().c_str());
    state.ResumeTiming();
    engine = Result<Engine>::failure("dropped");
  }
}
BENCHMARK(BM_Drop_Engine)->ArgName("rules")->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_Read_Table(benchmark::State& state) {
  const std::string& bytes = scaled_table(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto table = read_table(bytes);
    benchmark::DoNotOptimize(table.ok());
  }
}
BENCHMARK(BM_Read_Table)->ArgName("rules")->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
