// runtime_engine_test.cpp — the decision procedure on hand-built tables:
// default deny, deny wins, fail-closed errors, time windows, grants,
// obligations, argument validation, target resolution, decision ids.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "runtime/engine.h"
#include "runtime_test_models.h"

using namespace authz::runtime;
using namespace authz::runtime::testing;

namespace {

struct Sales {
  SalesModel sales = sales_model();
  Engine engine = Engine::from_model(sales.model).value();
  JsonEntityStore entities = JsonEntityStore::from_json(kSalesEntities).value();

  Decision call(const std::string& user, std::vector<std::string> roles, const std::string& tool,
                const std::string& args, std::int64_t now = kJune2026, const std::string& attributes = "") {
    Request request;
    request.principal = {user, std::move(roles), attributes};
    request.target = tool;
    request.arguments_json = args;
    request.now_ms = now;
    EvaluateOptions options;
    options.trace = true;
    options.entities = &entities;
    return engine.evaluate(request, options);
  }
};

std::vector<std::string> rules_of(const Decision& decision) {
  return {decision.determining_rules.begin(), decision.determining_rules.end()};
}

}  // namespace

TEST_CASE("the sales policy decides the brief's calls", "[runtime]") {
  Sales s;
  Decision own = s.call("u-bob", {"rep"}, "get_account", R"({"account": "acc-1"})");
  CHECK(own.allowed());
  CHECK(own.reason == Reason::Allowed);
  CHECK(rules_of(own) == std::vector<std::string>{"rep_reads_own"});
  CHECK(own.target == "get_account");

  Decision other = s.call("u-bob", {"rep"}, "get_account", R"({"account": "acc-7"})");
  CHECK_FALSE(other.allowed());
  CHECK(other.reason == Reason::NotPermitted);
  CHECK(other.determining_rules.empty());
  CHECK(other.message.empty());

  Decision manager = s.call("u-dana", {"manager"}, "get_account", R"({"account": "acc-7"})", kJune2026,
                            R"({"manages": ["east"]})");
  CHECK(manager.allowed());
  // A manager is also a rep (inheritance), but does not own acc-7.
  CHECK(rules_of(manager) == std::vector<std::string>{"manager_team"});
  Decision manager_west = s.call("u-dana", {"manager"}, "get_account", R"({"account": "acc-9"})", kJune2026,
                                 R"({"manages": ["east"]})");
  CHECK(manager_west.reason == Reason::NotPermitted);

  Decision analyst = s.call("u-erin", {"analyst"}, "sales_summary", R"({"region": "europe"})");
  CHECK(analyst.allowed());
  REQUIRE(analyst.obligations.size() == 1);
  CHECK(analyst.obligations[0].name == "aggregate_only");
  CHECK(analyst.obligations[0].rule == "analyst_totals");
  REQUIRE(analyst.obligations[0].arguments.size() == 1);
  CHECK(analyst.obligations[0].arguments[0].name == "min_group");
  CHECK(analyst.obligations[0].arguments[0].json == "5");
  CHECK(analyst.obligations[0].arguments[0].value.integer == 5);

  Decision deletion = s.call("u-bob", {"rep"}, "delete_records", R"({"account": "acc-1", "ids": ["r1"]})");
  CHECK(deletion.reason == Reason::Forbidden);
  CHECK(rules_of(deletion) == std::vector<std::string>{"delete_admin_only"});
  // The admin passes the deny (unless holds) but no rule allows deleting.
  Decision admin_delete = s.call("u-frank", {"admin"}, "delete_records", R"({"account": "acc-1", "ids": []})");
  CHECK(admin_delete.reason == Reason::NotPermitted);
}

TEST_CASE("grants allow one user in their window; now == until has expired", "[runtime]") {
  Sales s;
  const char* args = R"({"account": "acc-9", "fields": {"region": "emea"}})";
  Decision during = s.call("u-alice", {}, "update_account", args, kDecember2026 - 1);
  CHECK(during.allowed());
  CHECK(rules_of(during) == std::vector<std::string>{"inc_4521"});
  Decision at_until = s.call("u-alice", {}, "update_account", args, kDecember2026);
  CHECK(at_until.reason == Reason::Expired);
  CHECK(rules_of(at_until) == std::vector<std::string>{"inc_4521"});
  Decision after = s.call("u-alice", {}, "update_account", args, kDecember2026 + 86400000);
  CHECK(after.reason == Reason::Expired);
  Decision other_user = s.call("u-bob", {}, "update_account", args, kJune2026);
  CHECK(other_user.reason == Reason::NotPermitted);
  Decision other_tool = s.call("u-alice", {}, "get_account", R"({"account": "acc-9"})", kJune2026);
  CHECK(other_tool.reason == Reason::NotPermitted);
}

namespace {

struct Timed {
  ModelBuilder b;
  TargetIndex tool;
  Engine engine;

  explicit Timed(std::optional<std::int64_t> from, std::optional<std::int64_t> until, Effect effect = Effect::Allow)
      : engine(build(from, until, effect)) {}

  Engine build(std::optional<std::int64_t> from, std::optional<std::int64_t> until, Effect effect) {
    tool = b.tool("t", Action::Read);
    b.rule({.id = "timed", .effect = effect, .anyone = true, .targets = {tool}, .from = from, .until = until});
    if (effect == Effect::Deny) b.rule({.id = "base", .anyone = true, .targets = {tool}});
    return Engine::from_model(b.model).value();
  }
  Decision at(std::int64_t now) {
    Request request;
    request.principal.id = "u";
    request.target = "t";
    request.now_ms = now;
    return engine.evaluate(request, {.trace = true});
  }
};

}  // namespace

TEST_CASE("windows are [from, until)", "[runtime]") {
  Timed timed(1000, 2000);
  CHECK(timed.at(999).reason == Reason::Expired);  // not yet in force: reported as expired
  CHECK(timed.at(999).trace->rules[0].outcome == RuleOutcome::NotYetInForce);
  CHECK(timed.at(999).trace->rules[0].window == "from 1970-01-01T00:00:01Z");
  CHECK(timed.at(1000).allowed());  // now == from: in force
  CHECK(timed.at(1999).allowed());
  CHECK(timed.at(2000).reason == Reason::Expired);  // now == until: expired
  CHECK(timed.at(2000).trace->rules[0].outcome == RuleOutcome::Expired);
  CHECK(timed.at(2000).trace->rules[0].window == "until 1970-01-01T00:00:02Z");
}

TEST_CASE("times before 1970 are ordinary instants", "[runtime]") {
  Timed timed(-86400000, 0);  // all of 1969-12-31
  CHECK(timed.at(-86400001).reason == Reason::Expired);
  CHECK(timed.at(-86400000).allowed());
  CHECK(timed.at(-1).allowed());
  CHECK(timed.at(0).reason == Reason::Expired);
  Timed open_ended(std::nullopt, std::nullopt);
  CHECK(open_ended.at(INT64_MIN).allowed());
  CHECK(open_ended.at(INT64_MAX).allowed());
}

TEST_CASE("a deny outside its window does not deny", "[runtime]") {
  Timed freeze(1000, 2000, Effect::Deny);
  CHECK(freeze.at(999).allowed());
  CHECK(freeze.at(1000).reason == Reason::Forbidden);
  CHECK(freeze.at(2000).allowed());
}

TEST_CASE("deny wins; errors in denies deny; errors in allows are skipped", "[runtime]") {
  ModelBuilder b;
  TypeIndex account = b.entity("Account", {{"owner", b.string_type}});
  TargetIndex tool = b.tool("t", Action::Read, {{"a", account, false}, {"flag", b.optional(b.bool_type), false}});
  NodeIndex owner_is_me =
      b.node(Opcode::Eq, b.bool_type, {b.member(b.arg("a", account), 0, b.string_type), b.user_attribute("id")},
             "args.a.owner == user.id");
  NodeIndex flag = b.node(Opcode::Eq, b.bool_type, {b.arg("flag", b.bool_type), b.boolean(true)}, "args.flag == true");
  b.rule({.id = "allow_all", .anyone = true, .targets = {tool}});
  b.rule({.id = "allow_owner", .anyone = true, .targets = {tool}, .when = owner_is_me});
  b.rule({.id = "deny_flagged", .effect = Effect::Deny, .anyone = true, .targets = {tool}, .when = flag});
  b.rule({.id = "deny_foreign", .effect = Effect::Deny, .anyone = true, .targets = {tool}, .unless = owner_is_me});
  Engine engine = Engine::from_model(b.model).value();
  JsonEntityStore entities = JsonEntityStore::from_json(R"({"Account": {"mine": {"owner": "u"}, "theirs": {"owner": "v"}}})").value();
  auto call = [&](const std::string& args) {
    Request request;
    request.principal.id = "u";
    request.target = "t";
    request.arguments_json = args;
    return engine.evaluate(request, {.trace = true, .entities = &entities});
  };
  Decision mine = call(R"({"a": "mine", "flag": false})");
  CHECK(mine.allowed());
  CHECK(rules_of(mine) == std::vector<std::string>{"allow_all", "allow_owner"});

  Decision theirs = call(R"({"a": "theirs"})");  // flag absent: deny_flagged errors; deny_foreign applies
  CHECK(theirs.reason == Reason::Forbidden);
  CHECK(rules_of(theirs) == std::vector<std::string>{"deny_foreign"});

  Decision flagged = call(R"({"a": "mine", "flag": true})");
  CHECK(flagged.reason == Reason::Forbidden);
  CHECK(rules_of(flagged) == std::vector<std::string>{"deny_flagged"});

  // Unknown account: both denies fail to evaluate -> error, naming both; nothing else runs.
  Decision unknown = call(R"({"a": "nobody", "flag": false})");
  CHECK(unknown.reason == Reason::Error);
  CHECK(rules_of(unknown) == std::vector<std::string>{"deny_foreign"});
  CHECK(unknown.message == "deny rule `deny_foreign` could not be evaluated, so the call is denied: "
                           "`args.a.owner`: entity `Account` `nobody` not found");
  REQUIRE(unknown.trace);
  CHECK(unknown.trace->rules.size() == 4);
  CHECK(unknown.trace->rules[2].rule == "allow_all");
  CHECK(unknown.trace->rules[2].outcome == RuleOutcome::NotEvaluated);

  // An allow whose condition errors is skipped; another allow still allows.
  ModelBuilder lenient;
  TypeIndex account2 = lenient.entity("Account", {{"owner", lenient.string_type}});
  TargetIndex tool2 = lenient.tool("t", Action::Read, {{"a", account2, false}});
  NodeIndex owner2 = lenient.binary(Opcode::Eq, lenient.member(lenient.arg("a", account2), 0, lenient.string_type),
                                    lenient.user_attribute("id"));
  lenient.rule({.id = "allow_owner", .anyone = true, .targets = {tool2}, .when = owner2});
  lenient.rule({.id = "allow_all", .anyone = true, .targets = {tool2}});
  Engine engine2 = Engine::from_model(lenient.model).value();
  Request request;
  request.principal.id = "u";
  request.target = "t";
  request.arguments_json = R"({"a": "nobody"})";
  Decision skipped = engine2.evaluate(request, {.trace = true, .entities = &entities});
  CHECK(skipped.allowed());
  CHECK(rules_of(skipped) == std::vector<std::string>{"allow_all"});
  CHECK(skipped.trace->rules[0].outcome == RuleOutcome::ConditionError);
  // ... and without the other allow, the call is simply not permitted.
  lenient.model.targets[tool2].rules = {0};
  Decision alone = Engine::from_model(lenient.model).value().evaluate(request, {.entities = &entities});
  CHECK(alone.reason == Reason::NotPermitted);
}

TEST_CASE("subjects: roles with inheritance, named users, anyone", "[runtime]") {
  ModelBuilder b;
  RoleIndex rep = b.role("rep");
  RoleIndex manager = b.role("manager", {rep});
  RoleIndex admin = b.role("admin", {manager});
  TargetIndex tool = b.tool("t", Action::Read);
  b.rule({.id = "reps", .roles = {rep}, .targets = {tool}});
  b.rule({.id = "ann", .users = {"u-ann"}, .targets = {tool}});
  (void)admin;
  Engine engine = Engine::from_model(b.model).value();
  auto call = [&](const std::string& user, std::vector<std::string> roles) {
    Request request;
    request.principal = {user, std::move(roles), ""};
    request.target = "t";
    return engine.evaluate(request, {.trace = true});
  };
  CHECK(rules_of(call("u", {"rep"})) == std::vector<std::string>{"reps"});
  CHECK(rules_of(call("u", {"admin"})) == std::vector<std::string>{"reps"});  // admin includes rep
  CHECK(rules_of(call("u-ann", {})) == std::vector<std::string>{"ann"});
  CHECK(rules_of(call("u-ann", {"manager"})) == std::vector<std::string>{"reps", "ann"});
  Decision stranger = call("u", {"Rep", "unknown-role"});  // names are exact; unknown ones are ignored
  CHECK(stranger.reason == Reason::NotPermitted);
  REQUIRE(stranger.trace);
  CHECK(stranger.trace->rules[0].outcome == RuleOutcome::SubjectMismatch);
  CHECK(stranger.trace->rules[0].missing_roles == std::vector<std::string_view>{"rep"});
  CHECK(stranger.trace->rules[1].names_users);
}

TEST_CASE("obligations come from every applying allow, in rule order", "[runtime]") {
  ModelBuilder b;
  TargetIndex tool = b.tool("list", Action::Read);
  ObligationIndex max_results = b.obligation("max_results", {{"limit", b.int_type}});
  ObligationIndex filter = b.obligation("rows_owned_by_caller", {{"field", b.string_type}});
  ObligationIndex confirm = b.obligation("confirm", {{"message", b.string_type}, {"strict", b.bool_type}});
  ConstantIndex limit = add_constant(b.model, Constant::of_int(100));
  ConstantIndex field = add_constant(b.model, Constant::of_string("owner"));
  ConstantIndex message = add_constant(b.model, Constant::of_string("really \"delete\"?"));
  ConstantIndex strict = add_constant(b.model, Constant::of_bool(true));
  b.rule({.id = "first", .anyone = true, .targets = {tool},
          .obligations = {{filter, {field}}, {max_results, {limit}}}});
  b.rule({.id = "second", .anyone = true, .targets = {tool}, .obligations = {{confirm, {message, strict}}}});
  Engine engine = Engine::from_model(b.model).value();
  Request request;
  request.principal.id = "u";
  request.target = "list";
  Decision decision = engine.evaluate(request);
  REQUIRE(decision.obligations.size() == 3);
  CHECK(decision.obligations[0].name == "rows_owned_by_caller");
  CHECK(decision.obligations[0].arguments[0].json == "\"owner\"");
  CHECK(decision.obligations[1].name == "max_results");
  CHECK(decision.obligations[2].rule == "second");
  CHECK(decision.obligations[2].arguments[0].json == R"("really \"delete\"?")");
  CHECK(decision.obligations[2].arguments[1].name == "strict");
  CHECK(decision.obligations[2].arguments[1].json == "true");
}

namespace {

struct Validation {
  ModelBuilder b;
  Engine engine;
  Validation() : engine(build()) {}
  Engine build() {
    TypeIndex account = b.entity("Account", {{"owner", b.string_type}});
    TypeIndex edit = b.record("Edit", {{"oldText", b.string_type}, {"newText", b.string_type},
                                       {"note", b.optional(b.string_type)}});
    TypeIndex edits = b.collection(TypeKind::List, edit);
    TypeIndex counts = b.collection(TypeKind::Map, b.int_type);
    TypeIndex nested = b.collection(TypeKind::List, b.list_of_string);
    TypeIndex deep = b.list_of_string;
    for (int i = 0; i < 70; ++i) deep = b.collection(TypeKind::List, deep);
    TargetIndex tool = b.tool("t", Action::Write,
                              {{"account", account, false},
                               {"limit", b.optional(b.int_type), false},
                               {"ratio", b.optional(b.number_type), false},
                               {"tags", b.optional(b.set_of_string), false},
                               {"edits", b.optional(edits), false},
                               {"counts", b.optional(counts), false},
                               {"when", b.optional(b.timestamp_type), false},
                               {"wait", b.optional(b.duration_type), false},
                               {"role", b.optional(b.role_type), false},
                               {"nested", b.optional(nested), false},
                               {"deep", b.optional(deep), false},
                               {"password", b.optional(b.string_type), true}});
    b.role("rep");
    b.rule({.id = "all", .anyone = true, .targets = {tool}});
    return Engine::from_model(b.model).value();
  }
  Decision call(const std::string& args) {
    Request request;
    request.principal.id = "u";
    request.target = "t";
    request.arguments_json = args;
    return engine.evaluate(request);
  }
  // The message, or "allowed".
  std::string outcome(const std::string& args) {
    Decision decision = call(args);
    if (decision.allowed()) return "allowed";
    CHECK(decision.reason == Reason::InvalidArguments);
    return decision.message;
  }
};

}  // namespace

TEST_CASE("arguments are validated against the declared parameters before any rule", "[runtime]") {
  Validation v;
  CHECK(v.outcome(R"({"account": "acc-1"})") == "allowed");
  CHECK(v.outcome(R"({"account": "acc-1", "limit": 5, "ratio": 1, "tags": ["a", "b"], "when": "2026-01-01T00:00:00Z",
                     "wait": "1h", "role": "rep", "counts": {"a": 1}, "password": "x",
                     "edits": [{"oldText": "a", "newText": "b"}], "nested": [["x"], []]})") == "allowed");
  CHECK(v.outcome(R"({"account": "acc-1", "limit": 5.0})") == "allowed");  // integral
  CHECK(v.outcome(R"({"account": "acc-1", "limit": null})") == "allowed");  // optional: null is absent
  CHECK(v.outcome(R"({"acount": "acc-1"})") == "unknown argument `acount` for tool `t`; did you mean `account`?");
  CHECK(v.outcome(R"({})") == "missing required argument `account` for tool `t`");
  CHECK(v.outcome("") == "missing required argument `account` for tool `t`");
  CHECK(v.outcome(R"({"account": 7})") == "argument `args.account` must be an id string (`Account`), not an integer");
  CHECK(v.outcome(R"({"account": null})") == "argument `args.account` must be an id string (`Account`), not null");
  CHECK(v.outcome(R"({"account": "a", "limit": 1.5})") == "argument `args.limit` must be an integer within 64 bits (`Int`)");
  CHECK(v.outcome(R"({"account": "a", "limit": 18446744073709551615})") ==
        "argument `args.limit` must be an integer within 64 bits (`Int`)");
  CHECK(v.outcome(R"({"account": "a", "limit": "5"})") == "argument `args.limit` must be an integer (`Int?`), not a string");
  CHECK(v.outcome(R"({"account": "a", "ratio": true})") == "argument `args.ratio` must be a number (`Number?`), not a boolean");
  CHECK(v.outcome(R"({"account": "a", "tags": ["x", "x"]})") ==
        "argument `args.tags` is a set but repeats an element (at index 1)");
  CHECK(v.outcome(R"({"account": "a", "tags": "x"})") == "argument `args.tags` must be an array (`Set<String>?`), not a string");
  CHECK(v.outcome(R"({"account": "a", "edits": [{"oldText": "a"}]})") ==
        "argument `args.edits[0]` lacks the required field `newText`");
  CHECK(v.outcome(R"({"account": "a", "edits": [{"oldText": "a", "newText": "b", "nwe": 1}]})") ==
        "argument `args.edits[0]` has no field `nwe` (`Edit` declares `oldText`, `newText`, `note`); did you mean `note`?");
  CHECK(v.outcome(R"({"account": "a", "edits": [{"oldText": "a", "newText": "b", "oldText": "c"}]})") ==
        "argument `args.edits[0]` has the key `oldText` twice");
  CHECK(v.outcome(R"({"account": "a", "counts": {"a": 1, "a": 2}})") == "argument `args.counts` has the key `a` twice");
  CHECK(v.outcome(R"({"account": "a", "counts": {"a b": "x"}})") ==
        "argument `args.counts[\"a b\"]` must be an integer (`Int`), not a string");
  CHECK(v.outcome(R"({"account": "a", "account": "b"})") == "argument `account` appears twice");
  CHECK(v.outcome(R"({"account": "a", "when": "yesterday"})") ==
        "argument `args.when` must be an RFC 3339 timestamp like `2026-12-01T00:00:00Z`, not `yesterday`");
  CHECK(v.outcome(R"({"account": "a", "wait": "soon"})") ==
        "argument `args.wait` must be a duration like `1h30m` or `250ms`, not `soon`");
  CHECK(v.outcome(R"({"account": "a", "role": "king"})") == "argument `args.role`: `king` is not a role of this policy");
  CHECK(v.outcome(R"({"account": "a", "nested": [["x"], [1]]})") ==
        "argument `args.nested[1][0]` must be a string (`String`), not an integer");
  CHECK(v.outcome(R"([1, 2])") == "arguments must be a JSON object, not an array");
  CHECK(v.outcome(R"({"account": )").rfind("arguments: not valid JSON", 0) == 0);
  // Limits: nesting deeper than 64, strings over 1 MiB.
  std::string deep_json = R"({"account": "a", "deep": )" + std::string(72, '[') + std::string(72, ']') + "}";
  CHECK(v.outcome(deep_json).find("nests deeper than 64 levels") != std::string::npos);
  std::string very_deep = std::string(5000, '[') + std::string(5000, ']');
  CHECK(v.outcome(very_deep) == "arguments: JSON nests deeper than 64 levels");
  std::string big = R"({"account": ")" + std::string((1 << 20) + 1, 'x') + R"("})";
  CHECK(v.outcome(big) == "argument `args.account` is a string of 1048577 bytes; at most 1048576 are accepted");
  std::string fits = R"({"account": ")" + std::string(1 << 20, 'x') + R"("})";
  CHECK(v.outcome(fits) == "allowed");
}

TEST_CASE("unknown targets are denied with a suggestion", "[runtime]") {
  Sales s;
  Decision decision = s.call("u-bob", {"rep"}, "get_acount", R"({"account": "acc-1"})");
  CHECK(decision.reason == Reason::UnknownTarget);
  CHECK(decision.message == "unknown tool `get_acount`: the policy does not declare it; did you mean `get_account`?");
  CHECK(decision.target.empty());
  Request prompt;
  prompt.method = MethodKind::PromptGet;
  prompt.target = "get_account";  // a tool, not a prompt
  CHECK(s.engine.evaluate(prompt).reason == Reason::UnknownTarget);
}

TEST_CASE("resources match by exact URI, then by template", "[runtime]") {
  ModelBuilder b;
  TargetIndex exact = b.resource("readme", "demo://resource/static/document/README.md");
  TargetIndex docs = b.resource("docs", "demo://resource/static/document/{name}", {"name"});
  TargetIndex files = b.resource("files", "file:///{dir}/{name}", {"dir", "name"});
  NodeIndex markdown = b.binary(Opcode::Matches, b.arg("name", b.string_type), b.str("*.md"));
  NodeIndex home = b.binary(Opcode::Eq, b.arg("dir", b.string_type), b.user_attribute("id"));
  b.rule({.id = "readme_for_all", .anyone = true, .targets = {exact}});
  b.rule({.id = "markdown_docs", .anyone = true, .targets = {docs}, .when = markdown});
  b.rule({.id = "own_files", .anyone = true, .targets = {files}, .when = home});
  Engine engine = Engine::from_model(b.model).value();
  auto read = [&](const std::string& uri, const std::string& args = "") {
    Request request;
    request.principal.id = "u-bob";
    request.method = MethodKind::ResourceRead;
    request.target = uri;
    request.arguments_json = args;
    return engine.evaluate(request);
  };
  Decision readme = read("demo://resource/static/document/README.md");
  CHECK(readme.allowed());
  CHECK(readme.target == "readme");
  CHECK(readme.target_kind == TargetKind::Resource);
  CHECK(read("demo://resource/static/document/guide.md").allowed());
  CHECK(read("demo://resource/static/document/guide.md").target == "docs");
  CHECK(read("demo://resource/static/document/guide.txt").reason == Reason::NotPermitted);
  CHECK(read("demo://resource/static/document/a/b.md").reason == Reason::UnknownTarget);
  CHECK(read("file:///u-bob/notes").allowed());
  CHECK(read("file:///u-carol/notes").reason == Reason::NotPermitted);
  CHECK(read("file:///u-bob/x/notes").reason == Reason::UnknownTarget);
  Decision with_args = read("file:///u-bob/notes", R"({"dir": "u-bob"})");
  CHECK(with_args.reason == Reason::InvalidArguments);
  CHECK(with_args.message == "resource `files` takes no arguments; its parameters come from the URI");
  CHECK(read("file:///u-bob/notes", " { } ").allowed());
  CHECK(readme.target_index == exact);
  CHECK(read("file:///u-bob/notes").target_index == files);
  CHECK(read("demo://resource/static/document/a/b.md").target_index == kNoIndex);

  // find_target: declared URIs and templates as written, never by matching.
  CHECK(engine.find_target(TargetKind::Resource, "demo://resource/static/document/README.md") == exact);
  CHECK(engine.find_target(TargetKind::Resource, "demo://resource/static/document/{name}") == docs);
  CHECK(engine.find_target(TargetKind::Resource, "file:///{dir}/{name}") == files);
  CHECK(engine.find_target(TargetKind::Resource, "file:///u-bob/notes") == kNoIndex);
  CHECK(engine.find_target(TargetKind::Resource, "readme") == kNoIndex);
  CHECK(engine.find_target(TargetKind::Tool, "demo://resource/static/document/README.md") == kNoIndex);
}

TEST_CASE("find_target looks tools and prompts up by name, each in its own namespace", "[runtime]") {
  ModelBuilder b;
  TargetIndex tool = b.tool("search", Action::Read);
  TargetIndex prompt = b.prompt("search");
  TargetIndex other = b.tool("delete", Action::Write);
  Engine engine = Engine::from_model(b.model).value();
  CHECK(engine.find_target(TargetKind::Tool, "search") == tool);
  CHECK(engine.find_target(TargetKind::Prompt, "search") == prompt);
  CHECK(engine.find_target(TargetKind::Tool, "delete") == other);
  CHECK(engine.find_target(TargetKind::Prompt, "delete") == kNoIndex);
  CHECK(engine.find_target(TargetKind::Tool, "Search") == kNoIndex);
  CHECK(engine.find_target(TargetKind::Tool, "") == kNoIndex);
}

TEST_CASE("prompts take named arguments like tools", "[runtime]") {
  ModelBuilder b;
  TargetIndex prompt = b.prompt("args-prompt", {{"city", b.string_type, false}, {"state", b.optional(b.string_type), false}});
  NodeIndex paris = b.binary(Opcode::Eq, b.arg("city", b.string_type), b.str("Paris"));
  b.rule({.id = "paris", .anyone = true, .targets = {prompt}, .when = paris});
  Engine engine = Engine::from_model(b.model).value();
  Request request;
  request.principal.id = "u";
  request.method = MethodKind::PromptGet;
  request.target = "args-prompt";
  request.arguments_json = R"({"city": "Paris"})";
  CHECK(engine.evaluate(request).allowed());
  request.arguments_json = R"({"town": "Paris"})";
  CHECK(engine.evaluate(request).message == "unknown argument `town` for prompt `args-prompt`");
}

TEST_CASE("principal attributes are validated; undeclared ones are ignored", "[runtime]") {
  Sales s;
  const char* args = R"({"account": "acc-7"})";
  CHECK(s.call("u-dana", {"manager"}, "get_account", args, kJune2026, R"({"manages": ["east"], "extra": 1})").allowed());
  // `id` and `roles` come from the request, never from the attributes.
  CHECK(s.call("u-dana", {"manager"}, "get_account", R"({"account": "acc-1"})", kJune2026,
               R"({"manages": [], "id": "u-bob"})").reason == Reason::NotPermitted);
  Decision mistyped = s.call("u-dana", {"manager"}, "get_account", args, kJune2026, R"({"manages": "east"})");
  CHECK(mistyped.reason == Reason::Error);
  CHECK(mistyped.message == "principal attribute `user.manages` must be an array (`Set<String>`), not a string");
  Decision broken = s.call("u-dana", {"manager"}, "get_account", args, kJune2026, R"({"manages": )");
  CHECK(broken.reason == Reason::Error);
  CHECK(broken.message.rfind("principal attributes: not valid JSON", 0) == 0);
  // A missing attribute is only a problem for a rule that reads it.
  Decision missing = s.call("u-dana", {"manager"}, "get_account", args, kJune2026, "");
  CHECK(missing.reason == Reason::NotPermitted);
  REQUIRE(missing.trace);
  CHECK(missing.trace->rules[1].outcome == RuleOutcome::ConditionError);
}

TEST_CASE("prepared requests are reusable and tied to their engine", "[runtime]") {
  Sales s;
  Request request;
  request.principal = {"u-bob", {"rep"}, ""};
  request.target = "get_account";
  request.arguments_json = R"({"account": "acc-1"})";
  request.now_ms = kJune2026;
  PreparedRequest prepared = s.engine.prepare(request);
  REQUIRE(prepared.ready());
  Decision decision;
  EvaluateOptions options;
  options.entities = &s.entities;
  for (int i = 0; i < 3; ++i) {
    s.engine.evaluate(prepared, options, decision);
    CHECK(decision.allowed());
    CHECK(decision.determining_rules.size() == 1);
  }
  PreparedRequest moved = std::move(prepared);
  CHECK(s.engine.evaluate(moved, options).allowed());
  Engine copy = s.engine;  // copies share the table
  CHECK(copy.evaluate(moved, options).allowed());
  Engine other = Engine::from_model(s.sales.model).value();
  Decision foreign = other.evaluate(moved, options);
  CHECK(foreign.reason == Reason::Error);
  CHECK(foreign.message == "the request was not prepared by this engine");
  CHECK(s.engine.evaluate(PreparedRequest(), options).reason == Reason::Error);
}

TEST_CASE("decision ids are unique, 128-bit hex, across threads, new_decision_id() too", "[runtime]") {
  Sales s;
  Request request;
  request.principal = {"u-bob", {"rep"}, ""};
  request.target = "sales_summary";
  request.arguments_json = R"({"region": "x"})";
  PreparedRequest prepared = s.engine.prepare(request);
  std::vector<std::vector<DecisionId>> ids(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Decision decision;
      for (int i = 0; i < 2000; ++i) {
        // Ids a host takes for its own decisions come from the same counter.
        if (i % 4 == 3) {
          ids[t].push_back(s.engine.new_decision_id());
          continue;
        }
        s.engine.evaluate(prepared, {}, decision);
        ids[t].push_back(decision.id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> unique;
  for (auto& list : ids) {
    for (auto& id : list) unique.insert(id.hex());
  }
  CHECK(unique.size() == 8000);
  CHECK(unique.begin()->size() == 32);
  CHECK(unique.begin()->find_first_not_of("0123456789abcdef") == std::string::npos);
  // Different engines use different prefixes.
  Engine other = Engine::from_model(s.sales.model).value();
  CHECK(other.evaluate(request).id.high != s.engine.evaluate(request).id.high);
}

TEST_CASE("the policy hash identifies the table", "[runtime]") {
  Sales s;
  CHECK(s.engine.policy_hash().size() == 64);
  CHECK(Engine::from_model(s.sales.model).value().policy_hash() == s.engine.policy_hash());
  Model changed = s.sales.model;
  changed.rules[0].id = "renamed";
  CHECK(Engine::from_model(changed).value().policy_hash() != s.engine.policy_hash());
}

TEST_CASE("invalid models are refused with a message", "[runtime]") {
  SalesModel sales = sales_model();
  sales.model.targets[0].rules.push_back(99);
  auto refused = Engine::from_model(sales.model);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error() == "invalid table: tool `get_account`: rule 99 does not exist");
}

namespace {

// A host's own resolver: counts lookups, serves one entity built from JSON.
class CountingResolver final : public EntityResolver {
 public:
  CountingResolver() : entity_(Entity::from_json(R"({"owner": "u-bob", "team": "east"})").value()) {}
  const Entity* lookup(std::string_view type, std::string_view id) const override {
    ++lookups;
    return type == "Account" && id == "acc-1" ? &entity_ : nullptr;
  }
  mutable int lookups = 0;

 private:
  Entity entity_;
};

}  // namespace

TEST_CASE("hosts plug in their own resolver; one evaluation looks an entity up once", "[runtime]") {
  SalesModel sales = sales_model();
  Engine engine = Engine::from_model(sales.model).value();
  CountingResolver resolver;
  Request request;
  request.principal = {"u-dana", {"manager"}, R"({"manages": ["east"]})"};
  request.target = "get_account";
  request.arguments_json = R"({"account": "acc-1"})";
  request.now_ms = kJune2026;
  Decision decision = engine.evaluate(request, {.entities = &resolver});
  CHECK(decision.determining_rules == std::vector<std::string_view>{"manager_team"});  // dana owns nothing
  CHECK(resolver.lookups == 1);  // rep_reads_own and manager_team share the lookup
  engine.evaluate(request, {.entities = &resolver});
  CHECK(resolver.lookups == 2);  // but not across evaluations
  request.arguments_json = R"({"account": "acc-2"})";
  CHECK(engine.evaluate(request, {.entities = &resolver}).reason == Reason::NotPermitted);
  CHECK(resolver.lookups == 3);  // a miss is asked once too: both rules fail on the one answer
}

namespace {

// A resolver over a source that is down: every lookup fails.
class FailingResolver final : public EntityResolver {
 public:
  const Entity* lookup(std::string_view, std::string_view) const override { return nullptr; }
  const Entity* resolve(std::string_view, std::string_view, EntityLookup& scope) const override {
    ++calls;
    scope.fail("entity source `Account` (test) failed: the database is down");
    return nullptr;
  }
  mutable int calls = 0;
};

}  // namespace

TEST_CASE("a failed entity source denies with reason error even when only allows read it", "[runtime]") {
  SalesModel sales = sales_model();
  Engine engine = Engine::from_model(sales.model).value();
  FailingResolver resolver;
  Request request;
  request.principal = {"u-dana", {"manager"}, R"({"manages": ["east"]})"};
  request.target = "get_account";
  request.arguments_json = R"({"account": "acc-1"})";
  request.now_ms = kJune2026;
  Decision decision = engine.evaluate(request, {.trace = true, .entities = &resolver});
  CHECK_FALSE(decision.allowed());
  CHECK(decision.reason == Reason::Error);  // not not_permitted: what could allow it could not be read
  CHECK(decision.message ==
        "entity data could not be read, so the call is denied: entity source `Account` (test) failed: the database is down");
  CHECK(decision.determining_rules.empty());
  CHECK(resolver.calls == 1);  // both allows read acc-1: asked once
}

TEST_CASE("entities parse from JSON objects only", "[runtime]") {
  CHECK(Entity::from_json("[1]").error() == "an entity must be a JSON object, not an array");
  CHECK(Entity::from_json(R"({"a": 1, "a": 2})").error() == "entity data has the key `a` twice");
  auto entity = Entity::from_json(R"({"a": 1, "b": null, "c": [1, "x"], "d": {"e": true}})");
  REQUIRE(entity.ok());
  CHECK(entity.value().attribute_count() == 4);
  CHECK(entity.value().attribute("a")->integer == 1);
  CHECK(entity.value().attribute("b")->is_absent());
  CHECK(entity.value().attribute("c")->size == 2);
  CHECK(entity.value().attribute("zzz") == nullptr);
  CHECK(JsonEntityStore::from_json(R"({"Account": []})").error() ==
        "entity data: `Account` must map entity ids to objects, not an array");
  CHECK(JsonEntityStore::from_json(R"({"Account": {"a": 5}})").error() ==
        "entity data: `Account` `a`: an entity must be a JSON object, not an integer");
  CHECK(JsonEntityStore::from_json(R"({"Account": {"a": {}, "a": {}}})").error() == "entity data: `Account` `a` appears twice");
  CHECK(JsonEntityStore::from_file("/nonexistent/entities.json").error() ==
        "cannot open entity data file `/nonexistent/entities.json`");
  auto store = JsonEntityStore::from_json(kSalesEntities);
  REQUIRE(store.ok());
  CHECK(store.value().size() == 3);
  CHECK(store.value().lookup("Account", "acc-7")->attribute("owner")->string() == "u-carol");
  CHECK(store.value().lookup("Account", "acc-404") == nullptr);
  CHECK(store.value().lookup("Team", "acc-7") == nullptr);
}
