// prepared_reuse_test.cpp — Engine::prepare(request, out) into one reused
// PreparedRequest, as the gateway does: the principal kept from an earlier
// call is reused only for the same engine and the same principal, byte for
// byte, and every decision equals the one from a fresh prepare().
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "compiled_policy_for_tests.h"
#include "runtime/engine.h"

namespace rt = authz::runtime;

namespace {

constexpr const char* kPolicy = R"(policy reuse;

principal User {
  teams: Set<String>,
  level: Int,
}

role staff;
role lead : staff;

tool read_doc(team: String) read;
tool write_doc(team: String, body: String) write;

/// Staff read their teams' documents.
allow staff_read: staff may read_doc when args.team in user.teams;
/// Senior leads write their teams' documents.
allow senior_write: lead may write_doc when user.level > 3 && args.team in user.teams;
)";

struct Call {
  std::string user;
  std::vector<std::string> roles;
  std::string attributes;
  std::string tool;
  std::string arguments;
};

rt::Request request_of(const Call& call) {
  rt::Request request;
  request.principal.id = call.user;
  request.principal.roles = call.roles;
  request.principal.attributes_json = call.attributes;
  request.method = rt::MethodKind::ToolCall;
  request.target = call.tool;
  request.arguments_json = call.arguments;
  request.now_ms = 1'700'000'000'000;
  return request;
}

std::string summary(const rt::Decision& decision) {
  std::string out = std::string(rt::to_string(decision.effect)) + " " + std::string(rt::to_string(decision.reason));
  for (auto rule : decision.determining_rules) out += " " + std::string(rule);
  return out + " | " + decision.message;
}

}  // namespace

TEST_CASE("a reused PreparedRequest keeps the principal only for the same principal and engine", "[runtime]") {
  rt::Engine first = authz::testing::compile_policy_text(kPolicy);
  rt::Engine second = authz::testing::compile_policy_text(kPolicy);
  const std::string red = R"({"teams":["red"],"level":5})";
  const std::vector<Call> calls = {
      {"u-1", {"staff"}, red, "read_doc", R"({"team":"red"})"},                        // allowed
      {"u-1", {"staff"}, red, "read_doc", R"({"team":"blue"})"},                       // same principal: kept
      {"u-1", {"staff"}, red, "write_doc", R"({"team":"red","body":"x"})"},            // another target
      {"u-1", {"lead"}, red, "write_doc", R"({"team":"red","body":"x"})"},             // roles changed
      {"u-1", {"lead"}, R"({"teams":["blue"],"level":5})", "write_doc", R"({"team":"red","body":"x"})"},
      {"u-1", {"lead"}, R"({"teams":["red"],"level":2})", "write_doc", R"({"team":"red","body":"x"})"},
      {"u-2", {"lead"}, R"({"teams":["red"],"level":2})", "write_doc", R"({"team":"red","body":"x"})"},
      {"u-2", {"lead"}, R"({"teams":"red","level":2})", "read_doc", R"({"team":"red"})"},  // invalid principal
      {"u-2", {"lead"}, R"({"teams":["red"],"level":2})", "read_doc", R"({"team":"red"})"},
      {"u-2", {"lead"}, R"({"teams":["red"],"level":2})", "no_such_tool", "{}"},         // unknown target
      {"u-2", {"lead"}, R"({"teams":["red"],"level":2})", "read_doc", R"({"team":7})"},  // invalid arguments
      {"u-2", {"lead"}, R"({"teams":["red"],"level":2})", "read_doc", R"({"team":"red"})"},
      {"u-3", {"staff"}, R"({"teams":["red","red"],"level":1})", "read_doc", R"({"team":"red"})"},  // repeated set item
      {"u-3", {"staff"}, R"({"teams":["green"],"level":1})", "read_doc", R"({"team":"green"})"},
  };
  rt::PreparedRequest reused;
  rt::Decision decision;
  for (int round = 0; round < 2; ++round) {
    // The second round alternates engines: a kept principal from the other
    // engine must not be taken.
    for (std::size_t i = 0; i < calls.size(); ++i) {
      const rt::Engine& engine = (round == 1 && i % 2 == 1) ? second : first;
      const rt::Request request = request_of(calls[i]);
      engine.prepare(request, reused);
      engine.evaluate(reused, {}, decision);
      const rt::PreparedRequest fresh = engine.prepare(request);
      const rt::Decision expected = engine.evaluate(fresh);
      INFO("round " << round << ", call " << i << ": " << calls[i].user << " " << calls[i].attributes << " "
                    << calls[i].tool << " " << calls[i].arguments);
      CHECK(reused.ready() == fresh.ready());
      CHECK(reused.problem() == fresh.problem());
      CHECK(summary(decision) == summary(expected));
      // The same principal again, straight after: the kept one decides alike.
      engine.prepare(request, reused);
      engine.evaluate(reused, {}, decision);
      CHECK(summary(decision) == summary(expected));
    }
  }
  // Spot checks that the table above means what its comments say.
  auto decide = [&](std::size_t i) {
    first.prepare(request_of(calls[i]), reused);
    return first.evaluate(reused);
  };
  CHECK(decide(0).allowed());
  CHECK_FALSE(decide(1).allowed());
  CHECK(decide(3).allowed());
  CHECK_FALSE(decide(4).allowed());
  CHECK_FALSE(decide(5).allowed());
  CHECK_FALSE(decide(7).allowed());
  CHECK(decide(8).allowed());
  CHECK(decide(0).allowed());
}
