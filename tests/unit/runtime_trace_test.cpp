// runtime_trace_test.cpp — explanation traces: what each rule did and why,
// the failing sub-expression with the values on each side, and the three
// renderings (operator text, end-user text, JSON). The end-user rendering
// must never show a value that came from entity data.
#include <catch2/catch.hpp>

#include "runtime/engine.h"
#include "runtime/trace_render.h"
#include "runtime_test_models.h"

using namespace authz::runtime;
using namespace authz::runtime::testing;

namespace {

Decision sales_call(const std::string& user, std::vector<std::string> roles, const std::string& tool,
                    const std::string& args, bool trace = true) {
  static SalesModel sales = sales_model();
  static Engine engine = Engine::from_model(sales.model).value();
  static JsonEntityStore entities = JsonEntityStore::from_json(kSalesEntities).value();
  Request request;
  request.principal = {user, std::move(roles), R"({"manages": ["north"]})"};
  request.target = tool;
  request.arguments_json = args;
  request.now_ms = kJune2026;
  return engine.evaluate(request, {.trace = trace, .entities = &entities});
}

}  // namespace

TEST_CASE("tracing is off unless asked for", "[runtime]") {
  CHECK_FALSE(sales_call("u-bob", {"rep"}, "get_account", R"({"account": "acc-7"})", false).trace);
}

TEST_CASE("the trace names each rule's outcome and the failing comparison", "[runtime]") {
  Decision decision = sales_call("u-bob", {"rep"}, "get_account", R"({"account": "acc-7"})");
  REQUIRE(decision.trace);
  CHECK(decision.trace->principal == "u-bob");
  CHECK(decision.trace->roles == std::vector<std::string>{"rep"});
  REQUIRE(decision.trace->rules.size() == 2);
  const RuleTrace& own = decision.trace->rules[0];
  CHECK(own.rule == "rep_reads_own");
  CHECK(own.outcome == RuleOutcome::ConditionFalse);
  CHECK(own.clause == "when");
  CHECK(own.expression == "args.account.owner == user.id");
  REQUIRE(own.left);
  CHECK(own.left->text == "\"u-carol\"");
  CHECK(own.left->from_entity_data);
  REQUIRE(own.right);
  CHECK(own.right->text == "\"u-bob\"");
  CHECK_FALSE(own.right->from_entity_data);
  CHECK(own.file == "test.authz");
  CHECK(own.line == 1);
  const RuleTrace& team = decision.trace->rules[1];
  CHECK(team.outcome == RuleOutcome::SubjectMismatch);
  CHECK(team.missing_roles == std::vector<std::string_view>{"manager"});

  CHECK(render_text(decision, Audience::Operator) ==
        "DENY  get_account  user=u-bob roles=[rep]  reason=not_permitted\n"
        "  no allow rule applies (default deny)\n"
        "  - allow rep_reads_own (test.authz:1:1): condition false\n"
        "      when: args.account.owner == user.id  ->  \"u-carol\" == \"u-bob\"\n"
        "  - allow manager_team (test.authz:2:1): not applicable: u-bob lacks role manager\n");
  CHECK(render_text(decision, Audience::EndUser) ==
        "DENY  get_account  user=u-bob roles=[rep]  reason=not_permitted\n"
        "  no allow rule applies (default deny)\n"
        "  - allow rep_reads_own (test.authz:1:1): condition false\n"
        "      when: args.account.owner == user.id  ->  (hidden) == \"u-bob\"\n"
        "  - allow manager_team (test.authz:2:1): not applicable: u-bob lacks role manager\n");
}

TEST_CASE("the JSON rendering carries the same facts", "[runtime]") {
  Decision decision = sales_call("u-bob", {"rep"}, "get_account", R"({"account": "acc-7"})");
  std::string id = decision.id.hex();
  std::string rules =
      R"("rules":[{"rule":"rep_reads_own","kind":"allow","location":"test.authz:1:1","outcome":"condition false",)"
      R"("clause":"when","expression":"args.account.owner == user.id","operator":"==",)";
  CHECK(render_json(decision, Audience::Operator) ==
        R"({"decision_id":")" + id +
            R"(","effect":"deny","reason":"not_permitted","target":"get_account","target_kind":"tool",)"
            R"("determining_rules":[],"obligations":[],"message":"","trace":{"principal":"u-bob","roles":["rep"],)" +
            rules +
            R"("left":"u-carol","right":"u-bob"},{"rule":"manager_team","kind":"allow","location":"test.authz:2:1",)"
            R"("outcome":"subject mismatch","missing_roles":["manager"]}]}})");
  std::string end_user = render_json(decision, Audience::EndUser);
  CHECK(end_user.find(R"("left_hidden":true,"right":"u-bob")") != std::string::npos);
  CHECK(end_user.find("u-carol") == std::string::npos);

  Decision allowed = sales_call("u-erin", {"analyst"}, "sales_summary", R"({"region": "emea"})", false);
  CHECK(render_json(allowed, Audience::EndUser) ==
        R"({"decision_id":")" + allowed.id.hex() +
            R"(","effect":"allow","reason":"allowed","target":"sales_summary","target_kind":"tool",)"
            R"("determining_rules":["analyst_totals"],"obligations":[{"rule":"analyst_totals","name":"aggregate_only",)"
            R"("arguments":{"min_group":5}}],"message":""})");
  CHECK(render_text(allowed, Audience::EndUser) ==
        "ALLOW  sales_summary  reason=allowed\n"
        "  allowed by analyst_totals\n"
        "  with aggregate_only(min_group: 5)  [analyst_totals]\n");
}

TEST_CASE("unless, and, or, not: the trace finds the deciding sub-expression", "[runtime]") {
  Decision admin = sales_call("u-frank", {"admin"}, "delete_records", R"({"account": "acc-1", "ids": []})");
  REQUIRE(admin.trace);
  CHECK(admin.trace->rules[0].outcome == RuleOutcome::UnlessHeld);
  CHECK(admin.trace->rules[0].clause == "unless");
  CHECK(admin.trace->rules[0].expression == "user is admin");
  CHECK_FALSE(admin.trace->rules[0].left);

  ModelBuilder b;
  TargetIndex tool = b.tool("t", Action::Read, {{"a", b.int_type, false}, {"s", b.string_type, false}});
  NodeIndex small = b.binary(Opcode::Lt, b.arg("a", b.int_type), b.integer(10));
  NodeIndex named = b.binary(Opcode::Eq, b.arg("s", b.string_type), b.str("x"));
  b.rule({.id = "both", .anyone = true, .targets = {tool}, .when = b.all({small, named})});
  b.rule({.id = "either", .anyone = true, .targets = {tool}, .when = b.any({small, named})});
  NodeIndex same = b.binary(Opcode::Eq, b.arg("s", b.string_type), b.str("y"));
  b.rule({.id = "negated", .anyone = true, .targets = {tool}, .when = b.unary(Opcode::Not, same, b.bool_type)});
  b.rule({.id = "excepted", .anyone = true, .targets = {tool}, .unless = b.any({small, same})});
  Engine engine = Engine::from_model(b.model).value();
  Request request;
  request.principal.id = "u";
  request.target = "t";
  request.arguments_json = R"({"a": 50, "s": "y"})";
  Decision decision = engine.evaluate(request, {.trace = true});
  REQUIRE(decision.trace);
  const auto& rules = decision.trace->rules;
  CHECK(rules[0].expression == "args.a < 10");  // first false operand of &&
  CHECK(rules[0].left->text == "50");
  CHECK(rules[0].right->text == "10");
  // Every alternative false: the first one stands for all, with its values.
  CHECK(rules[1].expression == "args.a < 10");
  CHECK(rules[1].left->text == "50");
  CHECK(rules[2].expression == "args.s == \"y\"");  // under !, the operand was true
  CHECK(rules[2].left->text == "\"y\"");
  CHECK(rules[3].outcome == RuleOutcome::UnlessHeld);
  CHECK(rules[3].expression == "args.s == \"y\"");  // the alternative that held
}

TEST_CASE("the end-user rendering never shows entity data", "[runtime]") {
  ModelBuilder b;
  TypeIndex account = b.entity("Account", {{"owner", b.string_type}, {"budget", b.int_type}, {"parent", b.string_type}});
  b.model.entities[0].attributes[2].type = account;  // another account's id
  TargetIndex tool = b.tool("t", Action::Read, {{"a", account, false}});
  NodeIndex a = b.arg("a", account);
  NodeIndex owner = b.member(a, 0, b.string_type);
  NodeIndex budget = b.member(a, 1, b.int_type);
  NodeIndex parent_owner = b.member(b.member(a, 2, account), 0, b.string_type);
  b.rule({.id = "owner", .anyone = true, .targets = {tool}, .when = b.binary(Opcode::Eq, owner, b.user_attribute("id"))});
  b.rule({.id = "budget", .anyone = true, .targets = {tool},
          .when = b.binary(Opcode::Gt, b.binary(Opcode::Add, budget, b.integer(1), b.int_type), b.integer(1000000))});
  b.rule({.id = "parent", .anyone = true, .targets = {tool},
          .when = b.binary(Opcode::Eq, parent_owner, b.user_attribute("id"))});
  b.rule({.id = "guard", .effect = Effect::Deny, .anyone = true, .targets = {tool},
          .when = b.binary(Opcode::Eq, parent_owner, b.str("nobody"))});
  Engine engine = Engine::from_model(b.model).value();
  JsonEntityStore entities = JsonEntityStore::from_json(R"({"Account": {
      "acc-1": {"owner": "SECRET-OWNER", "budget": 4242, "parent": "acc-2"},
      "acc-2": {"owner": "SECRET-PARENT-OWNER", "budget": 1, "parent": "SECRET-MISSING-ID"},
      "acc-3": {"owner": "SECRET-OWNER", "budget": 4242, "parent": "SECRET-MISSING-ID"}}})").value();
  for (const char* args : {R"({"a": "acc-1"})", R"({"a": "acc-3"})", R"({"a": "acc-2"})"}) {
    Request request;
    request.principal.id = "u-bob";
    request.target = "t";
    request.arguments_json = args;
    Decision decision = engine.evaluate(request, {.trace = true, .entities = &entities});
    std::string operator_text = render_text(decision, Audience::Operator) + render_json(decision, Audience::Operator);
    std::string end_user = render_text(decision, Audience::EndUser) + render_json(decision, Audience::EndUser);
    // The decision id is random hex and may contain "4242" by chance: blank it out first.
    const std::string id = decision.id.hex();
    for (auto at = end_user.find(id); at != std::string::npos; at = end_user.find(id, at)) end_user.replace(at, id.size(), "<id>");
    INFO(end_user);
    CHECK(operator_text.find("SECRET") != std::string::npos);  // operators see the data
    CHECK(end_user.find("SECRET") == std::string::npos);
    CHECK(end_user.find("4242") == std::string::npos);
    CHECK(end_user.find("4243") == std::string::npos);  // derived values are hidden too
    CHECK(decision.message.find("SECRET") == std::string::npos);
  }
  // acc-3's parent id comes from entity data; the deny fails closed without naming it.
  Request request;
  request.principal.id = "u-bob";
  request.target = "t";
  request.arguments_json = R"({"a": "acc-3"})";
  Decision decision = engine.evaluate(request, {.entities = &entities});
  CHECK(decision.reason == Reason::Error);
  CHECK(decision.message ==
        "deny rule `guard` could not be evaluated, so the call is denied: `args.a.parent.owner`: entity `Account` "
        "(id from entity data) not found");
}

TEST_CASE("trace renders errors, windows, grants and skipped rules", "[runtime]") {
  Decision expired;
  {
    SalesModel sales = sales_model();
    Engine engine = Engine::from_model(sales.model).value();
    Request request;
    request.principal = {"u-alice", {}, ""};
    request.target = "update_account";
    request.arguments_json = R"({"account": "acc-9", "fields": {}})";
    request.now_ms = kDecember2026;
    JsonEntityStore entities = JsonEntityStore::from_json(kSalesEntities).value();
    expired = engine.evaluate(request, {.trace = true, .entities = &entities});
    CHECK(render_text(expired, Audience::Operator) ==
          "DENY  update_account  user=u-alice roles=[]  reason=expired\n"
          "  access has expired or is not yet in force: inc_4521\n"
          "  - allow manager_team (test.authz:2:1): not applicable: u-alice lacks role manager\n"
          "  - grant inc_4521 (test.authz:100:1): expired (until 2026-12-01T00:00:00Z)\n");
    request.principal = {"u-bob", {"rep"}, ""};
    request.target = "delete_records";
    request.arguments_json = R"({"account": "acc-1", "ids": ["x"]})";
    Decision forbidden = engine.evaluate(request, {.trace = true, .entities = &entities});
    CHECK(render_text(forbidden, Audience::EndUser) ==
          "DENY  delete_records  user=u-bob roles=[rep]  reason=forbidden\n"
          "  forbidden by delete_admin_only\n"
          "  - deny delete_admin_only (test.authz:4:1): applies (deny)\n"
              "      unless: user is admin\n");
    request.target = "get_account";
    request.arguments_json = R"({"account": "acc-404"})";
    Decision missing = engine.evaluate(request, {.trace = true, .entities = &entities});
    CHECK(render_text(missing, Audience::EndUser) ==
          "DENY  get_account  user=u-bob roles=[rep]  reason=not_permitted\n"
          "  no allow rule applies (default deny)\n"
          "  - allow rep_reads_own (test.authz:1:1): when condition could not be evaluated: `args.account.owner`: "
          "entity `Account` `acc-404` not found\n"
          "  - allow manager_team (test.authz:2:1): not applicable: u-bob lacks role manager\n");
    request.arguments_json = R"({"acount": "acc-1"})";
    Decision invalid = engine.evaluate(request, {.trace = true});
    CHECK(render_text(invalid, Audience::EndUser) ==
          "DENY  get_account  user=u-bob roles=[rep]  reason=invalid_arguments\n"
          "  unknown argument `acount` for tool `get_account`; did you mean `account`?\n");
  }
}
