// load_helpers_test.cpp — the containers table loading leans on: SmallVector
// (inline until it grows, then on the heap, copy and move either way),
// find_repeat (the first repeated name, hashed or by sorting, with tagged
// keys) and ModelInterner (equal entries stored once, different ones kept
// apart), and the compiler's use of it: a repeated condition compiles to
// shared nodes that decide exactly as before.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine.h"
#include "runtime/internal/repeat_finder.h"
#include "runtime/internal/model_interner.h"
#include "runtime/internal/small_vector.h"
#include "tests/unit/compiled_policy_for_tests.h"

using namespace authz::runtime;
using authz::runtime::internal::find_repeat;
using authz::runtime::internal::find_repeat_by_sorting;
using authz::runtime::internal::Keyed;

TEST_CASE("SmallVector keeps its first elements inline and grows onto the heap", "[runtime]") {
  SmallVector<std::uint32_t, 2> values{7, 8};
  CHECK(values.size() == 2);
  values.push_back(9);  // grows past the inline two
  values.push_back(values[0]);  // an element of the buffer that may move
  CHECK(std::vector<std::uint32_t>(values.begin(), values.end()) == std::vector<std::uint32_t>{7, 8, 9, 7});

  SmallVector<std::uint32_t, 2> copy = values;
  CHECK(copy == values);
  SmallVector<std::uint32_t, 2> moved = std::move(copy);
  CHECK(moved == values);
  CHECK(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  copy.push_back(1);
  CHECK(copy.size() == 1);

  SmallVector<std::uint32_t, 2> small{1};
  SmallVector<std::uint32_t, 2> small_moved = std::move(small);
  CHECK(small_moved == SmallVector<std::uint32_t, 2>{1});
  small_moved.resize(5, 3);
  CHECK(small_moved.size() == 5);
  CHECK(small_moved.back() == 3);
  small_moved.resize(1);
  CHECK(small_moved == SmallVector<std::uint32_t, 2>{1});
  small_moved = values;  // heap copy into an inline one
  CHECK(small_moved == values);
  small_moved = {4};
  CHECK(small_moved.size() == 1);
  CHECK(small_moved.front() == 4);
}

TEST_CASE("find_repeat names the first key that repeats an earlier one", "[runtime]") {
  for (std::size_t count : {2u, 5u, 9u, 1000u, 100000u}) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < count; ++i) names.push_back("rule" + std::to_string(i));
    auto at = [&](std::size_t i) { return std::string_view(names[i]); };
    CHECK_FALSE(find_repeat(names.size(), at));
    CHECK_FALSE(find_repeat_by_sorting(names.size(), at));
    names.push_back(names[count / 2]);
    names.push_back(names[0]);
    CHECK(find_repeat(names.size(), at) == count);
    CHECK(find_repeat_by_sorting(names.size(), at) == count);
  }
  CHECK_FALSE(find_repeat(0, [](std::size_t) { return std::string_view(); }));
  // Same name, different tag (a tool and a prompt both called `x`): no repeat.
  std::vector<std::string> texts;
  for (int i = 0; i < 10; ++i) texts.push_back("name" + std::to_string(i));
  std::vector<Keyed> keys;
  for (std::uint32_t i = 0; i < 20; ++i) keys.push_back({i % 2, texts[i / 2]});
  auto keyed = [&](std::size_t i) { return keys[i]; };
  CHECK_FALSE(find_repeat(keys.size(), keyed));
  keys.push_back({1, texts[3]});
  CHECK(find_repeat(keys.size(), keyed) == 20);
  CHECK(find_repeat_by_sorting(keys.size(), keyed) == 20);
}

TEST_CASE("ModelInterner stores equal nodes and constants once", "[runtime]") {
  Model model;
  ModelInterner interner(model);
  ConstantIndex five = interner.constant(Constant::of_int(5));
  CHECK(interner.constant(Constant::of_int(5)) == five);
  CHECK(interner.constant(Constant::of_duration(5)) != five);  // same number, another kind
  CHECK(interner.constant(Constant::of_number(0.0)) != interner.constant(Constant::of_number(-0.0)));
  CHECK(model.constants.size() == 4);

  Node user;
  user.op = Opcode::User;
  user.source = "user";
  NodeIndex a = interner.node(user);
  CHECK(interner.node(user) == a);
  Node spelled_apart = user;
  spelled_apart.source = "user ";  // other source text: a trace would read differently
  CHECK(interner.node(spelled_apart) != a);
  Node member;
  member.op = Opcode::Member;
  member.operands = {a};
  member.field = 0;
  NodeIndex first = interner.node(member);
  member.field = 1;
  CHECK(interner.node(member) != first);
  member.field = 0;
  CHECK(interner.node(member) == first);
  CHECK(model.nodes.size() == 4);
}

TEST_CASE("a condition that rules repeat is compiled once, and each rule still decides by it", "[runtime]") {
  Engine engine = authz::testing::compile_policy_text(R"(policy shared;

principal User {
  limit: Int,
}

role clerk;

tool pay(amount: Int, payee: String) write;
tool refund(amount: Int, payee: String) write;
tool void_payment(amount: Int, payee: String) write;

/// Clerks pay up to their limit.
allow pay_small: clerk may pay when args.amount <= user.limit;
/// Clerks refund up to their limit.
allow refund_small: clerk may refund when args.amount <= user.limit;
/// Clerks void small payments.
allow void_tiny: clerk may void_payment when args.amount <= 10;
)");
  const Model& model = engine.model();
  REQUIRE(model.rules.size() == 3);
  CHECK(model.rules[0].when == model.rules[1].when);  // same text, same nodes
  CHECK(model.rules[2].when != model.rules[0].when);
  // `args.amount` is one node for all three rules.
  CHECK(model.nodes[model.rules[2].when].operands[0] == model.nodes[model.rules[0].when].operands[0]);

  auto decide = [&](const std::string& tool, int amount) {
    Request request;
    request.principal = {"u-1", {"clerk"}, R"({"limit": 100})"};
    request.target = tool;
    request.arguments_json = R"({"amount": )" + std::to_string(amount) + R"(, "payee": "x"})";
    return engine.evaluate(request).effect;
  };
  CHECK(decide("pay", 100) == Effect::Allow);
  CHECK(decide("pay", 101) == Effect::Deny);
  CHECK(decide("refund", 100) == Effect::Allow);
  CHECK(decide("refund", 101) == Effect::Deny);
  CHECK(decide("void_payment", 10) == Effect::Allow);
  CHECK(decide("void_payment", 11) == Effect::Deny);
}
