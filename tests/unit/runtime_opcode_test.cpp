// runtime_opcode_test.cpp — every expression opcode, evaluated through the
// Engine: each case builds a one-rule table (`allow anyone may probe when
// <condition>`) by hand and reads the outcome from the trace.
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "runtime/engine.h"
#include "runtime_test_models.h"

using namespace authz::runtime;
using authz::runtime::testing::ModelBuilder;

namespace {

enum class Outcome { True, False, Error, Invalid };

struct Probe {
  ModelBuilder b{"probe"};
  TypeIndex account, edit;
  RoleIndex rep, manager, admin, auditor;
  TargetIndex target;
  std::string last_error;

  Probe() {
    account = b.entity("Account", {{"owner", b.string_type},
                                   {"team", b.string_type},
                                   {"limit", b.int_type},
                                   {"renewal", b.timestamp_type},
                                   {"tags", b.set_of_string},
                                   {"nickname", b.optional(b.string_type)},
                                   {"manager", b.type(TypeKind::String)}});
    b.model.entities[0].attributes[6].type = account;  // `manager`: another Account's id
    edit = b.record("Edit", {{"oldText", b.string_type}, {"newText", b.string_type}, {"note", b.optional(b.string_type)}});
    rep = b.role("rep");
    manager = b.role("manager", {rep});
    auditor = b.role("auditor");
    admin = b.role("admin", {manager, auditor});
    b.principal_attribute("dept", b.optional(b.string_type));
    b.principal_attribute("manages", b.set_of_string);
    b.principal_attribute("level", b.int_type);
    TypeIndex map_of_int = b.collection(TypeKind::Map, b.int_type);
    target = b.tool("probe", Action::Read,
                    {{"s", b.optional(b.string_type), false},
                     {"s2", b.optional(b.string_type), false},
                     {"i", b.optional(b.int_type), false},
                     {"i2", b.optional(b.int_type), false},
                     {"n", b.optional(b.number_type), false},
                     {"b", b.optional(b.bool_type), false},
                     {"ts", b.optional(b.timestamp_type), false},
                     {"d", b.optional(b.duration_type), false},
                     {"tags", b.optional(b.set_of_string), false},
                     {"list", b.optional(b.list_of_string), false},
                     {"m", b.optional(map_of_int), false},
                     {"acct", b.optional(account), false},
                     {"edit", b.optional(edit), false},
                     {"path", b.optional(b.string_type), false}});
  }

  NodeIndex s() { return b.arg("s", b.string_type); }
  NodeIndex i() { return b.arg("i", b.int_type); }
  NodeIndex acct_attr(Index field, TypeIndex type) { return b.member(b.arg("acct", account), field, type); }

  Outcome run(NodeIndex condition, const std::string& args, std::int64_t now = 1000) {
    Model model = b.model;
    Rule rule;
    rule.id = "probe_rule";
    rule.subjects.anyone = true;
    rule.when = condition;
    model.rules.push_back(rule);
    model.targets[target].rules = {0};
    auto engine = Engine::from_model(std::move(model));
    REQUIRE(engine.ok());
    static const char* entities_json = R"({"Account": {
        "acc-1": {"owner": "u-bob", "team": "east", "limit": 10, "renewal": "2026-12-01T00:00:00Z",
                  "tags": ["gold", "emea"], "manager": "acc-7"},
        "acc-7": {"owner": "u-carol", "team": "west", "limit": "ten", "renewal": 0, "tags": [],
                  "nickname": "sev"},
        "acc-8": {"team": "west"}}})";
    static auto entities = JsonEntityStore::from_json(entities_json);
    REQUIRE(entities.ok());
    Request request;
    request.principal = {"u-bob", {"manager"}, R"({"manages": ["east"], "level": 3})"};
    request.target = "probe";
    request.arguments_json = args;
    request.now_ms = now;
    EvaluateOptions options;
    options.trace = true;
    options.entities = &entities.value();
    Decision decision = engine.value().evaluate(request, options);
    last_error = decision.message;
    if (decision.reason == Reason::InvalidArguments || decision.reason == Reason::Error) return Outcome::Invalid;
    if (decision.allowed()) return Outcome::True;
    REQUIRE(decision.trace);
    REQUIRE(decision.trace->rules.size() == 1);
    const RuleTrace& trace = decision.trace->rules[0];
    last_error = trace.error;
    if (trace.outcome == RuleOutcome::ConditionError) return Outcome::Error;
    REQUIRE(trace.outcome == RuleOutcome::ConditionFalse);
    return Outcome::False;
  }
};

}  // namespace

TEST_CASE("literals of every kind evaluate to themselves", "[runtime]") {
  Probe p;
  auto& b = p.b;
  CHECK(p.run(b.boolean(true), "{}") == Outcome::True);
  CHECK(p.run(b.boolean(false), "{}") == Outcome::False);
  CHECK(p.run(b.binary(Opcode::Eq, b.integer(-7), p.i()), R"({"i": -7})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, b.number(2.5), b.arg("n", b.number_type)), R"({"n": 2.5})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, b.str("x\"y"), p.s()), R"({"s": "x\"y"})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, b.timestamp(1796083200000), b.arg("ts", b.timestamp_type)),
              R"({"ts": "2026-12-01T00:00:00Z"})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, b.duration(5400000), b.arg("d", b.duration_type)), R"({"d": "1h30m"})") ==
        Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, b.duration(250), b.arg("d", b.duration_type)), R"({"d": 250})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::In, p.s(), b.string_list({"a", "b"})), R"({"s": "b"})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Contains, b.user_attribute("roles"), b.role_literal(p.manager)), "{}") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Contains, b.user_attribute("roles"), b.role_literal(p.rep)), "{}") == Outcome::False);
}

TEST_CASE("a list built from expressions holds their values", "[runtime]") {
  Probe p;
  auto& b = p.b;
  TypeIndex list = b.collection(TypeKind::List, b.string_type);
  NodeIndex built = b.node(Opcode::MakeList, list, {b.user_attribute("id"), b.str("u-zed")});
  CHECK(p.run(b.binary(Opcode::In, p.s(), built), R"({"s": "u-bob"})") == Outcome::True);
  NodeIndex built2 = b.node(Opcode::MakeList, list, {b.user_attribute("id"), b.str("u-zed")});
  CHECK(p.run(b.binary(Opcode::In, p.s(), built2), R"({"s": "u-amy"})") == Outcome::False);
  NodeIndex with_absent = b.node(Opcode::MakeList, list, {p.s()});
  CHECK(p.run(b.binary(Opcode::In, b.str("x"), with_absent), "{}") == Outcome::Error);
}

TEST_CASE("now is the request's clock", "[runtime]") {
  Probe p;
  auto& b = p.b;
  NodeIndex before = b.binary(Opcode::Lt, b.now(), b.timestamp(2000));
  CHECK(p.run(before, "{}", 1999) == Outcome::True);
  CHECK(p.run(before, "{}", 2000) == Outcome::False);
  CHECK(p.run(before, "{}", -5) == Outcome::True);  // before 1970 is an ordinary instant
}

TEST_CASE("user attributes, built-in and declared", "[runtime]") {
  Probe p;
  auto& b = p.b;
  CHECK(p.run(b.binary(Opcode::Eq, b.user_attribute("id"), b.str("u-bob")), "{}") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::In, b.str("east"), b.user_attribute("manages")), "{}") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Gt, b.user_attribute("level"), b.integer(2)), "{}") == Outcome::True);
  CHECK(p.run(b.has(b.user(), b.principal_index("dept")), "{}") == Outcome::False);
  CHECK(p.run(b.has(b.user(), b.principal_index("manages")), "{}") == Outcome::True);
  // An absent optional attribute used without a guard is an error, not false.
  CHECK(p.run(b.binary(Opcode::Eq, b.user_attribute("dept"), b.str("x")), "{}") == Outcome::Error);
  CHECK(p.last_error == "`user.dept` has no value (an optional attribute or argument that was not given; guard it "
                        "with `has`)");
}

TEST_CASE("arguments and `args has`", "[runtime]") {
  Probe p;
  auto& b = p.b;
  CHECK(p.run(b.has_arg("s"), R"({"s": "x"})") == Outcome::True);
  CHECK(p.run(b.has_arg("s"), "{}") == Outcome::False);
  CHECK(p.run(b.has_arg("s"), R"({"s": null})") == Outcome::False);  // null is absent for optional params
  CHECK(p.run(b.binary(Opcode::Eq, p.s(), b.str("x")), "{}") == Outcome::Error);
  // The guard on the left protects the right (short circuit).
  CHECK(p.run(b.all({b.has_arg("s"), b.binary(Opcode::Eq, p.s(), b.str("x"))}), "{}") == Outcome::False);
  // A parameter this target does not declare is an error.
  CHECK(p.run(b.binary(Opcode::Eq, b.arg("nope", b.string_type), b.str("x")), "{}") == Outcome::Error);
  CHECK(p.last_error == "`args.nope`: this target has no such parameter");
}

TEST_CASE("member access on records and entities", "[runtime]") {
  Probe p;
  auto& b = p.b;
  NodeIndex old_text = b.member(b.arg("edit", p.edit), 0, b.string_type);
  CHECK(p.run(b.binary(Opcode::Eq, old_text, b.str("a")), R"({"edit": {"oldText": "a", "newText": "b"}})") ==
        Outcome::True);
  CHECK(p.run(b.has(b.arg("edit", p.edit), 2), R"({"edit": {"oldText": "a", "newText": "b"}})") == Outcome::False);
  CHECK(p.run(b.has(b.arg("edit", p.edit), 2), R"({"edit": {"oldText": "a", "newText": "b", "note": "n"}})") ==
        Outcome::True);

  NodeIndex owner = p.acct_attr(0, b.string_type);
  NodeIndex owns = b.binary(Opcode::Eq, owner, b.user_attribute("id"));
  CHECK(p.run(owns, R"({"acct": "acc-1"})") == Outcome::True);
  CHECK(p.run(owns, R"({"acct": "acc-7"})") == Outcome::False);
  CHECK(p.run(owns, R"({"acct": "acc-404"})") == Outcome::Error);
  CHECK(p.last_error == "`args.acct.owner`: entity `Account` `acc-404` not found");
  CHECK(p.run(owns, R"({"acct": "acc-8"})") == Outcome::Error);  // attribute missing
  CHECK(p.last_error == "`args.acct.owner`: entity `Account` `acc-8` has no attribute `owner`");
  NodeIndex limit = p.acct_attr(2, b.int_type);
  CHECK(p.run(b.binary(Opcode::Ge, limit, b.integer(10)), R"({"acct": "acc-1"})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Ge, limit, b.integer(10)), R"({"acct": "acc-7"})") == Outcome::Error);  // "ten"
  CHECK(p.last_error ==
        "`args.acct.limit`: attribute `limit` of entity `Account` `acc-7` does not have its declared type");
  NodeIndex renewal = p.acct_attr(3, b.timestamp_type);
  CHECK(p.run(b.binary(Opcode::Eq, renewal, b.timestamp(1796083200000)), R"({"acct": "acc-1"})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, renewal, b.timestamp(0)), R"({"acct": "acc-7"})") == Outcome::True);
  NodeIndex tags = p.acct_attr(4, b.set_of_string);
  CHECK(p.run(b.binary(Opcode::Contains, tags, b.str("gold")), R"({"acct": "acc-1"})") == Outcome::True);
  CHECK(p.run(b.has(b.arg("acct", p.account), 5), R"({"acct": "acc-1"})") == Outcome::False);
  CHECK(p.run(b.has(b.arg("acct", p.account), 5), R"({"acct": "acc-7"})") == Outcome::True);
  // Entity attribute holding another entity's id: a second lookup.
  NodeIndex manager_id = p.acct_attr(6, p.account);
  NodeIndex manager_team = b.member(manager_id, 1, b.string_type);
  CHECK(p.run(b.binary(Opcode::Eq, manager_team, b.str("west")), R"({"acct": "acc-1"})") == Outcome::True);
}

TEST_CASE("an entity's implicit id is the id it was looked up by", "[runtime]") {
  ModelBuilder b;
  TypeIndex account = b.entity("Account", {{"id", b.string_type}, {"owner", b.string_type}});
  TargetIndex tool = b.tool("t", Action::Read, {{"a", account, false}});
  NodeIndex id = b.member(b.arg("a", account), 0, b.string_type);
  b.rule({.id = "by_id", .anyone = true, .targets = {tool},
          .when = b.all({b.has(b.arg("a", account), 0), b.binary(Opcode::Eq, id, b.str("acc-1"))})});
  Engine engine = Engine::from_model(b.model).value();
  auto entities = JsonEntityStore::from_json(R"({"Account": {"acc-1": {"owner": "u"}, "acc-2": {"owner": "v"}}})");
  auto call = [&](const std::string& args) {
    Request request;
    request.principal.id = "u";
    request.target = "t";
    request.arguments_json = args;
    return engine.evaluate(request, {.entities = &entities.value()});
  };
  CHECK(call(R"({"a": "acc-1"})").allowed());
  CHECK(call(R"({"a": "acc-2"})").reason == Reason::NotPermitted);
  CHECK(call(R"({"a": "acc-404"})").reason == Reason::NotPermitted);  // still looked up: unknown ids fail
}

TEST_CASE("entity lookups without a resolver are errors", "[runtime]") {
  ModelBuilder b;
  TypeIndex account = b.entity("Account", {{"owner", b.string_type}});
  TargetIndex tool = b.tool("t", Action::Read, {{"a", account, false}});
  NodeIndex owns = b.binary(Opcode::Eq, b.member(b.arg("a", account), 0, b.string_type), b.user_attribute("id"));
  b.rule({.id = "r", .anyone = true, .targets = {tool}, .when = owns});
  b.rule({.id = "d", .effect = Effect::Deny, .anyone = true, .targets = {tool}, .when = owns});
  auto engine = Engine::from_model(b.model);
  REQUIRE(engine.ok());
  Request request;
  request.principal.id = "u";
  request.target = "t";
  request.arguments_json = R"({"a": "x"})";
  Decision decision = engine.value().evaluate(request);
  CHECK(decision.reason == Reason::Error);
  CHECK(decision.message == "deny rule `d` could not be evaluated, so the call is denied: `args.a.owner` needs entity "
                            "data, but no entity resolver was given");
}

TEST_CASE("is tests the user's roles including inherited ones", "[runtime]") {
  Probe p;  // the user holds `manager`, which includes `rep`
  auto& b = p.b;
  CHECK(p.run(b.is(p.manager), "{}") == Outcome::True);
  CHECK(p.run(b.is(p.rep), "{}") == Outcome::True);
  CHECK(p.run(b.is(p.admin), "{}") == Outcome::False);
  CHECK(p.run(b.is(p.auditor), "{}") == Outcome::False);
}

TEST_CASE("not, and, or short-circuit left to right", "[runtime]") {
  Probe p;
  auto& b = p.b;
  NodeIndex error = b.binary(Opcode::Eq, p.s(), b.str("x"));  // s is absent: an error if evaluated
  CHECK(p.run(b.unary(Opcode::Not, b.boolean(false), b.bool_type), "{}") == Outcome::True);
  CHECK(p.run(b.unary(Opcode::Not, error, b.bool_type), "{}") == Outcome::Error);
  CHECK(p.run(b.all({b.boolean(true), b.boolean(true), b.boolean(true)}), "{}") == Outcome::True);
  CHECK(p.run(b.all({b.boolean(true), b.boolean(false), error}), "{}") == Outcome::False);
  CHECK(p.run(b.all({b.boolean(true), error}), "{}") == Outcome::Error);
  CHECK(p.run(b.any({b.boolean(false), b.boolean(true), error}), "{}") == Outcome::True);
  CHECK(p.run(b.any({b.boolean(false), b.boolean(false)}), "{}") == Outcome::False);
  CHECK(p.run(b.any({b.boolean(false), error}), "{}") == Outcome::Error);
  // A non-Bool operand (only a broken table could hold one) is an error.
  NodeIndex text = b.literal(Constant::of_string("yes"), b.string_type);
  CHECK(p.run(b.all({b.boolean(true), text}), "{}") == Outcome::Error);
}

TEST_CASE("equality and ordering", "[runtime]") {
  Probe p;
  auto& b = p.b;
  NodeIndex n = b.arg("n", b.number_type);
  CHECK(p.run(b.binary(Opcode::Eq, p.i(), b.number(3.0)), R"({"i": 3})") == Outcome::True);  // Int == Number
  CHECK(p.run(b.binary(Opcode::Ne, p.i(), b.number(3.5)), R"({"i": 3})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, n, b.integer(9007199254740993)), R"({"n": 9007199254740992})") ==
        Outcome::False);  // exact, no rounding through double
  CHECK(p.run(b.binary(Opcode::Lt, p.i(), b.number(3.5)), R"({"i": 3})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Le, p.i(), b.integer(3)), R"({"i": 3})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Gt, p.i(), b.integer(3)), R"({"i": 3})") == Outcome::False);
  CHECK(p.run(b.binary(Opcode::Ge, p.i(), b.integer(3)), R"({"i": 3})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Lt, b.arg("d", b.duration_type), b.duration(3600000)), R"({"d": "59m"})") ==
        Outcome::True);
  CHECK(p.run(b.binary(Opcode::Ne, p.s(), b.str("x")), R"({"s": "y"})") == Outcome::True);
  // Sets compare without order; lists in order.
  NodeIndex tags = b.arg("tags", b.set_of_string);
  CHECK(p.run(b.binary(Opcode::Eq, tags, b.string_list({"b", "a"})), R"({"tags": ["a", "b"]})") == Outcome::True);
  NodeIndex list = b.arg("list", b.list_of_string);
  CHECK(p.run(b.binary(Opcode::Eq, list, b.string_list({"b", "a"})), R"({"list": ["a", "b"]})") == Outcome::False);
  CHECK(p.run(b.binary(Opcode::Eq, list, b.string_list({"a", "b"})), R"({"list": ["a", "b"]})") == Outcome::True);
  // Unrelated kinds cannot be compared (only a broken table asks): error.
  CHECK(p.run(b.binary(Opcode::Eq, p.s(), b.integer(1)), R"({"s": "1"})") == Outcome::Error);
  CHECK(p.run(b.binary(Opcode::Lt, p.s(), b.str("b")), R"({"s": "a"})") == Outcome::Error);
  CHECK(p.run(b.binary(Opcode::Lt, b.arg("ts", b.timestamp_type), b.duration(5)), R"({"ts": 1})") == Outcome::Error);
}

TEST_CASE("in, contains, containsAll, containsAny", "[runtime]") {
  Probe p;
  auto& b = p.b;
  NodeIndex tags = b.arg("tags", b.set_of_string);
  const char* args = R"({"tags": ["a", "b", "c"], "s": "b"})";
  CHECK(p.run(b.binary(Opcode::In, p.s(), tags), args) == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Contains, tags, b.str("z")), args) == Outcome::False);
  CHECK(p.run(b.binary(Opcode::ContainsAll, tags, b.string_list({"a", "c"})), args) == Outcome::True);
  CHECK(p.run(b.binary(Opcode::ContainsAll, tags, b.string_list({"a", "z"})), args) == Outcome::False);
  CHECK(p.run(b.binary(Opcode::ContainsAll, tags, b.string_list({})), args) == Outcome::True);
  CHECK(p.run(b.binary(Opcode::ContainsAny, tags, b.string_list({"z", "c"})), args) == Outcome::True);
  CHECK(p.run(b.binary(Opcode::ContainsAny, tags, b.string_list({"z"})), args) == Outcome::False);
  CHECK(p.run(b.binary(Opcode::ContainsAny, tags, b.string_list({})), args) == Outcome::False);
  CHECK(p.run(b.binary(Opcode::In, p.s(), p.s()), args) == Outcome::Error);  // not a collection
}

TEST_CASE("under and matches as opcodes", "[runtime]") {
  Probe p;
  auto& b = p.b;
  NodeIndex path = b.arg("path", b.string_type);
  NodeIndex under = b.binary(Opcode::Under, path, b.str("/data/public"));
  CHECK(p.run(under, R"({"path": "/data/public/x.md"})") == Outcome::True);
  CHECK(p.run(under, R"({"path": "/data/public/../secret"})") == Outcome::False);
  CHECK(p.run(under, R"({"path": "/data/public2/x"})") == Outcome::False);
  CHECK(p.run(under, R"({"path": "data/public/x"})") == Outcome::Error);
  CHECK(p.last_error == "`args.path under \"/data/public\"`: the path on the left is not an absolute path");
  CHECK(p.run(under, R"({"path": "/../data/public/x"})") == Outcome::Error);
  CHECK(p.run(under, R"({"path": "/data/public/\u0000"})") == Outcome::Error);
  NodeIndex matches = b.binary(Opcode::Matches, path, b.str("**/*.md"));
  CHECK(p.run(matches, R"({"path": "/a/b/c.md"})") == Outcome::True);
  CHECK(p.run(matches, R"({"path": "/a/b/c.txt"})") == Outcome::False);
  // A pattern that is not a literal is compiled per evaluation.
  NodeIndex dynamic = b.binary(Opcode::Matches, path, p.s());
  CHECK(p.run(dynamic, R"({"path": "/a/x.md", "s": "/a/*.md"})") == Outcome::True);
  CHECK(p.run(dynamic, R"({"path": "/a/b/x.md", "s": "/a/*.md"})") == Outcome::False);
}

TEST_CASE("arithmetic is checked", "[runtime]") {
  Probe p;
  auto& b = p.b;
  NodeIndex i2 = b.arg("i2", b.int_type);
  auto sum_is = [&](Opcode op, std::int64_t expected) {
    return b.binary(Opcode::Eq, b.binary(op, p.i(), i2, b.int_type), b.integer(expected));
  };
  CHECK(p.run(sum_is(Opcode::Add, 5), R"({"i": 2, "i2": 3})") == Outcome::True);
  CHECK(p.run(sum_is(Opcode::Sub, -1), R"({"i": 2, "i2": 3})") == Outcome::True);
  CHECK(p.run(sum_is(Opcode::Add, 0), R"({"i": 9223372036854775807, "i2": 1})") == Outcome::Error);
  CHECK(p.last_error == "`args.i + args.i2` overflows");
  CHECK(p.run(sum_is(Opcode::Sub, 0), R"({"i": -9223372036854775808, "i2": 1})") == Outcome::Error);
  NodeIndex negated = b.binary(Opcode::Eq, b.unary(Opcode::Negate, p.i(), b.int_type), b.integer(4));
  CHECK(p.run(negated, R"({"i": -4})") == Outcome::True);
  NodeIndex negated_min = b.binary(Opcode::Eq, b.unary(Opcode::Negate, p.i(), b.int_type), b.integer(4));
  CHECK(p.run(negated_min, R"({"i": -9223372036854775808})") == Outcome::Error);
  // Numbers mix with Ints; an infinite result is an overflow.
  NodeIndex n = b.arg("n", b.number_type);
  CHECK(p.run(b.binary(Opcode::Eq, b.binary(Opcode::Add, n, p.i(), b.number_type), b.number(3.5)),
              R"({"n": 1.5, "i": 2})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Gt, b.binary(Opcode::Add, n, n, b.number_type), b.number(0)), R"({"n": 1.7e308})") ==
        Outcome::Error);
  CHECK(p.run(b.binary(Opcode::Eq, b.unary(Opcode::Negate, n, b.number_type), b.number(-1.5)), R"({"n": 1.5})") ==
        Outcome::True);
  // Timestamps and durations.
  NodeIndex ts = b.arg("ts", b.timestamp_type);
  NodeIndex d = b.arg("d", b.duration_type);
  CHECK(p.run(b.binary(Opcode::Eq, b.binary(Opcode::Add, ts, d, b.timestamp_type), b.timestamp(1796086800000)),
              R"({"ts": "2026-12-01T00:00:00Z", "d": "1h"})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, b.binary(Opcode::Add, d, ts, b.timestamp_type), b.timestamp(1796086800000)),
              R"({"ts": "2026-12-01T00:00:00Z", "d": "1h"})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, b.binary(Opcode::Sub, ts, d, b.timestamp_type), b.timestamp(-3600000)),
              R"({"ts": 0, "d": "1h"})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, b.binary(Opcode::Sub, ts, b.now(), b.duration_type), b.duration(500)),
              R"({"ts": 1500})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, b.binary(Opcode::Add, d, d, b.duration_type), b.duration(7200000)),
              R"({"d": "1h"})") == Outcome::True);
  CHECK(p.run(b.binary(Opcode::Eq, b.binary(Opcode::Add, ts, d, b.timestamp_type), b.timestamp(0)),
              R"({"ts": 9223372036854775807, "d": 1})") == Outcome::Error);
  CHECK(p.run(b.binary(Opcode::Eq, b.binary(Opcode::Add, ts, ts, b.timestamp_type), b.timestamp(0)),
              R"({"ts": 1})") == Outcome::Error);  // Timestamp + Timestamp is not a thing
  CHECK(p.run(b.binary(Opcode::Eq, b.unary(Opcode::Negate, d, b.duration_type), b.duration(-60000)),
              R"({"d": "1m"})") == Outcome::True);
}
