// canonical_arguments_test.cpp — Engine::prepare's parser-free path for
// arguments already in canonical form (what JSON.stringify writes): every
// call must decide exactly as the same arguments written another way (a
// space after the brace, which sends them through the parser), for scalars
// of every type, escapes, optional nulls, and the inputs the fast path hands
// back (unknown roles and names, bad times, arrays, duplicates, big numbers).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "compiled_policy_for_tests.h"
#include "runtime/engine.h"

namespace rt = authz::runtime;

namespace {

constexpr const char* kPolicy = R"(policy canonical_args;

principal User {}

role staff;
role lead;

tool t(s: String, i: Int, n: Number?, b: Bool?, ts: Timestamp?, d: Duration?, r: Role?, tags: List<String>?) read;

/// Matches one value of `s`: the determining rules show what was read.
allow s_plain: staff may t when args.s == "acc-1";
/// Matches one value of `s`: the determining rules show what was read.
allow s_escaped: staff may t when args.s == "a\"b\\c\nd\te";
/// Matches one value of `s`: the determining rules show what was read.
allow s_control: staff may t when args.s == "x\u0000y\u001fz";
/// Matches one value of `s`: the determining rules show what was read.
allow s_unicode: staff may t when args.s == "é€🔑/";
/// Matches one value of `i`: the determining rules show what was read.
allow i_neg: staff may t when args.i == -7;
/// Matches one value of `i`: the determining rules show what was read.
allow i_big: staff may t when args.i == 123456789012345678;
/// Matches one value of `n`: the determining rules show what was read.
allow n_three: staff may t when args has n && args.n == 3;
/// Matches one value of `b`: the determining rules show what was read.
allow b_true: staff may t when args has b && args.b == true;
/// Matches one value of `ts`: the determining rules show what was read.
allow ts_after: staff may t when args has ts && args.ts > 2026-01-01T00:00:00Z;
/// Matches one value of `d`: the determining rules show what was read.
allow d_long: staff may t when args has d && args.d > 1h;
/// Matches one value of `r`: the determining rules show what was read.
allow r_lead: staff may t when args has r && args.r == lead;
/// Matches one value of `tags`: the determining rules show what was read.
allow tags_one: staff may t when args has tags && "x" in args.tags;
)";

std::string summary(const rt::Decision& decision) {
  std::string out = std::string(rt::to_string(decision.effect)) + " " + std::string(rt::to_string(decision.reason));
  for (auto rule : decision.determining_rules) out += " " + std::string(rule);
  return out + " | " + decision.message;
}

rt::Decision decide(const rt::Engine& engine, rt::PreparedRequest& prepared, const std::string& arguments) {
  rt::Request request;
  request.principal.id = "u-1";
  request.principal.roles = {"staff"};
  request.method = rt::MethodKind::ToolCall;
  request.target = "t";
  request.arguments_json = arguments;
  request.now_ms = 1'800'000'000'000;
  engine.prepare(request, prepared);
  return engine.evaluate(prepared);
}

// Random arguments in canonical form, from values that match or miss each rule.
std::string random_arguments(std::mt19937& random) {
  auto pick = [&](const std::vector<std::string>& values) {
    return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(random)];
  };
  std::vector<std::string> members;
  auto maybe = [&](int percent, const char* key, const std::vector<std::string>& values) {
    if (std::uniform_int_distribution<int>(0, 99)(random) < percent) members.push_back(std::string("\"") + key + "\":" + pick(values));
  };
  maybe(90, "s", {R"("acc-1")", R"("a\"b\\c\nd\te")", R"("x\u0000y\u001fz")", "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x91/\"",
                  R"("")", R"("acc-2")", "null", "5", R"("\u0041")"});
  maybe(90, "i", {"-7", "123456789012345678", "0", "1234567890123456789", "-7.0", R"("-7")", "null", "true"});
  maybe(50, "n", {"3", "-3", "3.0", "null", R"("3")"});
  maybe(50, "b", {"true", "false", "null", "1"});
  maybe(50, "ts", {R"("2026-06-01T00:00:00Z")", R"("2025-06-01T00:00:00Z")", "1800000000000", R"("yesterday")", "null"});
  maybe(50, "d", {R"("2h")", R"("30m")", "7200001", R"("2 hours")", "null"});
  maybe(50, "r", {R"("lead")", R"("staff")", R"("admin")", "null", R"("le\u0061d")"});
  maybe(30, "tags", {R"(["x"])", "[]", "null", R"("x")"});
  if (std::uniform_int_distribution<int>(0, 19)(random) == 0) members.push_back(R"("unknown":1)");
  if (std::uniform_int_distribution<int>(0, 19)(random) == 0 && !members.empty()) members.push_back(members.front());
  std::shuffle(members.begin(), members.end(), random);
  std::string out = "{";
  for (std::size_t i = 0; i < members.size(); ++i) out += (i ? "," : "") + members[i];
  return out + "}";
}

}  // namespace

TEST_CASE("canonical arguments decide exactly as the parser's path decides", "[runtime]") {
  rt::Engine engine = authz::testing::compile_policy_text(kPolicy);
  rt::PreparedRequest fast, parsed;
  std::mt19937 random(11);
  int allowed = 0, refused = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string arguments = random_arguments(random);
    const std::string spaced = "{ " + arguments.substr(1);  // the same object, not canonical
    INFO(arguments);
    const rt::Decision a = decide(engine, fast, arguments);
    const rt::Decision b = decide(engine, parsed, spaced);
    REQUIRE(summary(a) == summary(b));
    allowed += a.effect == rt::Effect::Allow;
    refused += a.reason == rt::Reason::InvalidArguments;
  }
  CHECK(allowed > 500);
  CHECK(refused > 500);
}

TEST_CASE("canonical arguments read escapes, controls and every scalar type", "[runtime]") {
  rt::Engine engine = authz::testing::compile_policy_text(kPolicy);
  rt::PreparedRequest prepared;
  auto rules = [&](const std::string& arguments) {
    rt::Decision decision = decide(engine, prepared, arguments);
    std::string out;
    for (auto rule : decision.determining_rules) out += (out.empty() ? "" : " ") + std::string(rule);
    return out.empty() ? summary(decision) : out;
  };
  CHECK(rules(R"({"s":"a\"b\\c\nd\te","i":0})") == "s_escaped");
  CHECK(rules(R"({"s":"x\u0000y\u001fz","i":0})") == "s_control");
  CHECK(rules("{\"s\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x91/\",\"i\":0}") == "s_unicode");
  CHECK(rules(R"({"i":123456789012345678,"s":""})") == "i_big");
  CHECK(rules(R"({"s":"","i":-7,"n":3,"b":true})") == "i_neg n_three b_true");
  CHECK(rules(R"({"s":"","i":0,"ts":"2026-06-01T00:00:00Z","d":7200001,"r":"lead"})") == "ts_after d_long r_lead");
  CHECK(rules(R"({"s":"","i":0,"ts":1800000000000,"d":"2h"})") == "ts_after d_long");
  CHECK(rules(R"({"s":"","i":0,"n":null,"b":null,"ts":null,"d":null,"r":null,"tags":null})")
            .find("not_permitted") != std::string::npos);
  // What the fast path hands back is worded by the parser's path.
  CHECK(rules(R"({"s":"","i":0,"r":"admin"})").find("`admin` is not a role of this policy") != std::string::npos);
  CHECK(rules(R"({"s":"","i":0,"ts":"yesterday"})").find("RFC 3339") != std::string::npos);
  CHECK(rules(R"({"s":"","i":1234567890123456789})").find("allowed") == std::string::npos);
  CHECK(rules(R"({"s":"","i":0,"i":1})").find("appears twice") != std::string::npos);
  CHECK(rules(R"({"s":"","i":0,"x":1})").find("unknown argument `x`") != std::string::npos);
  CHECK(rules(R"({"s":5,"i":0})").find("`args.s` must be a string") != std::string::npos);
  CHECK(rules(R"({"i":0})").find("missing required argument `s`") != std::string::npos);
  CHECK(rules(R"({"s":"","i":0,"tags":["x"]})") == "tags_one");
}
