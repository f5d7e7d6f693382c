// partial_eval_test.cpp — partial evaluation (runtime/partial_eval.h) on the
// shipped sales policy (examples/sales) and on small policies that exercise
// optional values, errors in denies, windows and the simplifier. Residual
// texts are asserted exactly: they are what hosts and reviewers read.
#include <catch2/catch.hpp>

#include "runtime/entity_store.h"
#include "runtime/partial_eval.h"
#include "runtime/internal/time_text.h"
#include "tests/unit/compiled_policy_for_tests.h"

namespace rt = authz::runtime;

namespace {

const rt::Engine& sales_engine() {
  static rt::Engine engine = authz::testing::compile_policy_path(std::string(AUTHZ_SOURCE_DIR) + "/examples/sales");
  return engine;
}

std::int64_t at(const char* text) { return *rt::parse_timestamp(text); }

rt::Principal user(std::string id, std::vector<std::string> roles, std::string attributes = "") {
  return rt::Principal{std::move(id), std::move(roles), std::move(attributes)};
}
rt::Principal bob() { return user("u-bob", {"rep"}, R"({"manages": []})"); }
rt::Principal carol() { return user("u-carol", {"manager"}, R"({"manages": ["east"]})"); }
rt::Principal dana() { return user("u-dana", {"admin"}, R"({"manages": []})"); }
rt::Principal erin() { return user("u-erin", {"analyst"}, R"({"manages": []})"); }
rt::Principal alice() { return user("u-alice", {"support"}, R"({"manages": []})"); }

rt::Residual account_unknown(const rt::Principal& principal, const char* tool = "get_account",
                             const char* now = "2026-12-01T00:00:00Z", std::string known = "") {
  rt::PartialRequest request;
  request.principal = principal;
  request.target = tool;
  request.unknown_parameters = {"account"};
  request.known_arguments_json = std::move(known);
  request.now_ms = at(now);
  return rt::partially_evaluate(sales_engine(), request);
}

std::vector<std::string> rule_ids(const rt::Residual& residual) {
  std::vector<std::string> ids;
  for (const rt::CandidateRule& rule : residual.rules) ids.push_back(rule.id);
  return ids;
}

}  // namespace

TEST_CASE("sales: a rep may read only the accounts they own", "[partial]") {
  rt::Residual residual = account_unknown(bob());
  CHECK(residual.kind == rt::ResidualKind::Conditional);
  CHECK(residual.exact);
  CHECK(rt::render_condition_text(residual.condition) == R"(account.owner == "u-bob")");
  CHECK(rt::render_residual_text(residual) == R"(allowed when account.owner == "u-bob")");
  CHECK(rule_ids(residual) == std::vector<std::string>{"no_cross_user_accounts", "owners_read_own"});
  CHECK(rt::render_condition_text(residual.rules[0].condition) == R"(account.owner != "u-bob")");
  REQUIRE(residual.unknowns.size() == 1);
  CHECK(residual.unknowns[0].text() == "account.owner");
  CHECK(residual.unknowns[0].kind == rt::TypeKind::String);
  CHECK_FALSE(residual.unknowns[0].may_be_absent);
  CHECK(rt::render_condition_json(residual.condition) ==
        R"({"op":"==","operands":[{"op":"unknown","unknown":"account.owner","parameter":"account","path":["owner"],)"
        R"("type":"String","may_be_absent":false},{"op":"constant","type":"String","value":"u-bob"}]})");
}

TEST_CASE("sales: a manager may read owned accounts and the teams they manage", "[partial]") {
  rt::Residual residual = account_unknown(carol());
  CHECK(residual.kind == rt::ResidualKind::Conditional);
  CHECK(rt::render_condition_text(residual.condition) ==
        R"(account.owner == "u-carol" || account.team in ["east"])");
  CHECK(rule_ids(residual) ==
        std::vector<std::string>{"no_cross_user_accounts", "owners_read_own", "managers_team_accounts"});
  CHECK(residual.unknowns.size() == 2);
}

TEST_CASE("sales: admins always, analysts never", "[partial]") {
  rt::Residual admin = account_unknown(dana());
  CHECK(admin.kind == rt::ResidualKind::AlwaysAllowed);
  CHECK(rt::render_residual_text(admin) == "always allowed");
  CHECK(rt::render_condition_text(admin.condition) == "true");

  rt::Residual analyst = account_unknown(erin());
  CHECK(analyst.kind == rt::ResidualKind::NeverAllowed);
  CHECK(analyst.reason == rt::Reason::Forbidden);
  CHECK(rt::render_residual_text(analyst) == "never allowed (forbidden)");
  CHECK(rule_ids(analyst) == std::vector<std::string>{"analysts_no_records"});
  CHECK(analyst.obligations.empty());
}

TEST_CASE("sales: a grant decides until its end, exactly", "[partial]") {
  CHECK(account_unknown(alice(), "get_account", "2027-01-30T23:59:59.999Z").kind == rt::ResidualKind::AlwaysAllowed);
  rt::Residual after = account_unknown(alice(), "get_account", "2027-01-31T00:00:00Z");
  CHECK(rt::render_condition_text(after.condition) == R"(account.owner == "u-alice")");
  // update_account: no owner rule for support, so only the grant.
  CHECK(account_unknown(alice(), "update_account", "2027-01-31T00:00:00Z", R"({"fields": {}})").kind ==
        rt::ResidualKind::NeverAllowed);
}

TEST_CASE("sales: the quarter-close freeze denies whatever the account", "[partial]") {
  rt::Residual frozen = account_unknown(bob(), "update_account", "2026-12-28T00:00:00Z", R"({"fields": {}})");
  CHECK(frozen.kind == rt::ResidualKind::NeverAllowed);
  CHECK(frozen.reason == rt::Reason::Forbidden);
  CHECK(rule_ids(frozen) == std::vector<std::string>{"q4_close_freeze"});
  rt::Residual after = account_unknown(bob(), "update_account", "2027-01-04T00:00:00Z", R"({"fields": {}})");
  CHECK(rt::render_condition_text(after.condition) == R"(account.owner == "u-bob")");
}

TEST_CASE("sales: obligations of the allows that could apply", "[partial]") {
  rt::PartialRequest request;
  request.principal = erin();
  request.target = "sales_summary";
  request.known_arguments_json = R"({"region": "emea"})";
  request.unknown_parameters = {"group_by"};
  request.now_ms = at("2026-12-01T00:00:00Z");
  rt::Residual residual = rt::partially_evaluate(sales_engine(), request);
  CHECK(residual.kind == rt::ResidualKind::Conditional);
  CHECK(rt::render_condition_text(residual.condition) ==
        R"(!(args has group_by) || !(group_by in ["account", "owner"]))");
  REQUIRE(residual.obligations.size() == 1);
  CHECK(residual.obligations[0].rule == "analysts_totals");
  CHECK(residual.obligations[0].name == "aggregate_only");
  CHECK(residual.obligations[0].certain);
  CHECK(residual.obligations[0].arguments ==
        std::vector<std::pair<std::string, std::string>>{{"min_group", "5"}});

  rt::Residual lists = [] {
    rt::PartialRequest all;
    all.principal = bob();
    all.target = "list_accounts";
    all.all_arguments_unknown = true;
    all.now_ms = at("2026-12-01T00:00:00Z");
    return rt::partially_evaluate(sales_engine(), all);
  }();
  CHECK(lists.kind == rt::ResidualKind::AlwaysAllowed);
  REQUIRE(lists.obligations.size() == 2);
  CHECK(lists.obligations[0].name == "rows_owned_by_caller");
  CHECK(lists.obligations[1].name == "max_results");
  CHECK(rt::render_residual_json(lists).find(R"("obligations":[{"rule":"owners_list_own","name":"rows_owned_by_caller","certain":true,"arguments":{"field":"owner"}})") != std::string::npos);
}

TEST_CASE("may_call_at_all answers the tools/list question", "[partial]") {
  std::int64_t now = at("2026-12-01T00:00:00Z");
  auto may = [&](const rt::Principal& principal, const char* tool) {
    return rt::may_call_at_all(sales_engine(), principal, rt::MethodKind::ToolCall, tool, now);
  };
  CHECK(may(bob(), "get_account"));
  CHECK(may(bob(), "list_accounts"));
  CHECK(may(bob(), "update_account"));
  CHECK_FALSE(may(bob(), "delete_records"));
  CHECK_FALSE(may(bob(), "sales_summary"));
  CHECK_FALSE(may(bob(), "no_such_tool"));
  CHECK(may(dana(), "delete_records"));
  CHECK_FALSE(may(erin(), "get_account"));
  CHECK_FALSE(may(erin(), "list_accounts"));
  CHECK(may(erin(), "sales_summary"));
  CHECK(may(alice(), "update_account"));
  CHECK_FALSE(rt::may_call_at_all(sales_engine(), alice(), rt::MethodKind::ToolCall, "update_account",
                                  at("2027-01-31T00:00:00Z")));
}

TEST_CASE("known arguments are decided concretely, with entity data", "[partial]") {
  auto store = rt::JsonEntityStore::from_json(R"({"Account": {"acc-1": {"owner": "u-bob", "team": "east", "region": "x"}}})");
  REQUIRE(store.ok());
  rt::EvaluateOptions options;
  options.entities = &store.value();
  rt::PartialRequest request;
  request.principal = bob();
  request.target = "update_account";
  request.known_arguments_json = R"({"account": "acc-1"})";
  request.unknown_parameters = {"fields"};
  request.now_ms = at("2026-12-01T00:00:00Z");
  CHECK(rt::partially_evaluate(sales_engine(), request, options).kind == rt::ResidualKind::AlwaysAllowed);
  // Without entity data the cross-user deny errs, and a deny that errs denies.
  rt::Residual no_data = rt::partially_evaluate(sales_engine(), request);
  CHECK(no_data.kind == rt::ResidualKind::NeverAllowed);
  CHECK(no_data.reason == rt::Reason::Error);
}

TEST_CASE("bad partial requests are never allowed, with a reason", "[partial]") {
  rt::PartialRequest request;
  request.principal = bob();
  request.target = "get_account";
  request.unknown_parameters = {"acount"};
  CHECK(rt::partially_evaluate(sales_engine(), request).reason == rt::Reason::InvalidArguments);
  request.unknown_parameters = {"account"};
  request.known_arguments_json = R"({"account": "acc-1"})";
  CHECK(rt::partially_evaluate(sales_engine(), request).message ==
        "argument `account` is given and also marked unknown");
  request.known_arguments_json = "{";
  CHECK(rt::partially_evaluate(sales_engine(), request).reason == rt::Reason::InvalidArguments);
  request.known_arguments_json = "";
  request.target = "get_acount";
  rt::Residual unknown = rt::partially_evaluate(sales_engine(), request);
  CHECK(unknown.reason == rt::Reason::UnknownTarget);
  CHECK(unknown.message.find("did you mean `get_account`") != std::string::npos);
  request.target = "get_account";
  request.principal.attributes_json = R"({"manages": 5})";
  CHECK(rt::partially_evaluate(sales_engine(), request).reason == rt::Reason::Error);
}

namespace {

const char* kOptionalPolicy = R"(policy optional_test;
principal User { level: Int }
role staff;
record Filter { kind: String, tag: String? }
entity Doc { owner: String, label: String?, size: Int, path: String }
tool read_doc(doc: Doc, note: String?, filter: Filter?) read;
/// Staff read docs of their level.
allow staff_read: staff may read_doc when args.doc.size < user.level + 10;
/// Only labelled docs, and never secret ones.
deny no_secret: read_doc unless args.doc has label && args.doc.label != "secret";
/// Notes must not say "x".
deny no_x_note: read_doc when args has note && args.note == "x";
/// Nobody reads outside /pub.
deny only_pub: read_doc unless args.doc.path under "/pub";
)";

const rt::Engine& optional_engine() {
  static rt::Engine engine = authz::testing::compile_policy_text(kOptionalPolicy);
  return engine;
}

rt::Residual optional_case(std::vector<std::string> unknown, std::string known = "") {
  rt::PartialRequest request;
  request.principal = user("u-1", {"staff"}, R"({"level": 5})");
  request.target = "read_doc";
  request.unknown_parameters = std::move(unknown);
  request.known_arguments_json = std::move(known);
  return rt::partially_evaluate(optional_engine(), request);
}

}  // namespace

TEST_CASE("optional unknowns: comparisons are false when absent, denies stay closed", "[partial]") {
  rt::Residual residual = optional_case({"doc", "note"});
  CHECK(residual.exact);
  // The label must be there and not "secret"; the note may be absent.
  CHECK(rt::render_condition_text(residual.condition) ==
        R"(doc.size < 15 && doc has label && doc.label != "secret" && (!(args has note) || note != "x") && doc.path under "/pub")");
  std::vector<std::string> texts;
  for (const rt::UnknownRef& ref : residual.unknowns) texts.push_back(ref.text() + (ref.may_be_absent ? "?" : ""));
  CHECK(texts == std::vector<std::string>{"doc.size", "doc.label?", "note?", "doc.path"});

  auto holds = [&](std::optional<std::string> label, std::optional<std::string> note, std::int64_t size,
                   std::string path) {
    return rt::residual_holds(residual.condition, [&](const rt::UnknownRef& ref) -> std::optional<rt::ResidualValue> {
      rt::ResidualValue value;
      value.kind = rt::ValueKind::String;
      std::string name = ref.text();
      if (name == "doc.label") {
        if (!label) return std::nullopt;
        value.text = *label;
      } else if (name == "note") {
        if (!note) return std::nullopt;
        value.text = *note;
      } else if (name == "doc.path") {
        value.text = path;
      } else {
        value.kind = rt::ValueKind::Int;
        value.integer = size;
      }
      return value;
    });
  };
  CHECK(holds("public", std::nullopt, 3, "/pub/a"));
  CHECK_FALSE(holds(std::nullopt, std::nullopt, 3, "/pub/a"));
  CHECK_FALSE(holds("secret", std::nullopt, 3, "/pub/a"));
  CHECK_FALSE(holds("public", "x", 3, "/pub/a"));
  CHECK(holds("public", "y", 3, "/pub/a"));
  CHECK_FALSE(holds("public", "y", 15, "/pub/a"));
  CHECK_FALSE(holds("public", "y", 3, "/pub/../etc"));
  CHECK_FALSE(holds("public", "y", 3, "relative"));  // an invalid path errs in the deny: denied
}

TEST_CASE("optional records: `has` through an unknown record", "[partial]") {
  const char* policy = R"(policy has_test;
role staff;
record Filter { kind: String, tag: String? }
tool search(filter: Filter?) read;
/// Tagged searches only.
allow tagged: staff may search when args has filter && args.filter has tag && args.filter.tag != "";
)";
  rt::Engine engine = authz::testing::compile_policy_text(policy);
  rt::PartialRequest request;
  request.principal = user("u-1", {"staff"});
  request.target = "search";
  request.all_arguments_unknown = true;
  rt::Residual residual = rt::partially_evaluate(engine, request);
  CHECK(rt::render_condition_text(residual.condition) ==
        R"(args has filter && filter has tag && filter.tag != "")");
}

namespace {

const char* kTargetsPolicy = R"(policy targets;
role viewer;
/// Adds two numbers.
tool "get-sum"(a: Number, b: Number) read;
/// The readme.
resource readme "demo://docs/readme.md";
/// Any document by name.
resource doc "demo://docs/{name}";
/// Two path segments.
resource pair "demo://pair/{left}/{right}";
/// A prompt with an optional argument.
prompt "args-prompt"(city: String, state: String?);
/// Public documents are open to anyone.
allow doc_public: anyone may doc when args.name matches "public-*";
/// Pairs of equal segments are open to anyone.
allow pair_same: anyone may pair when args.left == args.right;
/// The prompt for California only.
allow prompt_ca: anyone may "args-prompt" when args has state && args.state == "CA";
/// Small sums only.
allow small_sums: anyone may "get-sum" when args.a + args.b < 100;
)";

const rt::Engine& targets_engine() {
  static rt::Engine engine = authz::testing::compile_policy_text(kTargetsPolicy);
  return engine;
}

std::string all_unknown_text(rt::MethodKind method, const char* target) {
  rt::PartialRequest request;
  request.principal = user("u-1", {});
  request.method = method;
  request.target = target;
  request.all_arguments_unknown = true;
  return rt::render_residual_text(rt::partially_evaluate(targets_engine(), request));
}

}  // namespace

TEST_CASE("resources by template text or URI, prompts, arithmetic", "[partial]") {
  using rt::MethodKind;
  CHECK(all_unknown_text(MethodKind::ResourceRead, "demo://docs/{name}") ==
        R"(allowed when name matches "public-*")");
  CHECK(all_unknown_text(MethodKind::ResourceRead, "demo://pair/{left}/{right}") == "allowed when left == right");
  CHECK(all_unknown_text(MethodKind::ResourceRead, "demo://docs/readme.md") == "never allowed (not_permitted)");
  // A concrete URI: its captures are known unless marked unknown.
  rt::PartialRequest request;
  request.principal = user("u-1", {});
  request.method = MethodKind::ResourceRead;
  request.target = "demo://pair/x/x";
  CHECK(rt::partially_evaluate(targets_engine(), request).kind == rt::ResidualKind::AlwaysAllowed);
  request.unknown_parameters = {"right"};
  CHECK(rt::render_residual_text(rt::partially_evaluate(targets_engine(), request)) ==
        R"(allowed when "x" == right)");
  CHECK(all_unknown_text(MethodKind::PromptGet, "args-prompt") == R"(allowed when args has state && state == "CA")");
  CHECK(all_unknown_text(MethodKind::ToolCall, "get-sum") == "allowed when a + b < 100");
  request.method = MethodKind::ToolCall;
  request.target = "get-sum";
  request.unknown_parameters = {"b"};
  request.known_arguments_json = R"({"a": 1e308})";
  rt::Residual sum = rt::partially_evaluate(targets_engine(), request);
  CHECK(rt::render_condition_text(sum.condition) == "1e+308 + b < 100");
  auto with_b = [&](double b) {
    return rt::residual_holds(sum.condition, [&](const rt::UnknownRef&) -> std::optional<rt::ResidualValue> {
      rt::ResidualValue value;
      value.kind = rt::ValueKind::Number;
      value.number = b;
      return value;
    });
  };
  CHECK(with_b(-1e308));
  CHECK_FALSE(with_b(1e308));  // overflows to infinity: an error, so the allow does not apply
  CHECK_FALSE(with_b(0));
}

TEST_CASE("filesystem: confinement residuals read like the policy", "[partial]") {
  rt::Engine engine = authz::testing::compile_policy_path(std::string(AUTHZ_SOURCE_DIR) + "/examples/filesystem");
  rt::PartialRequest request;
  request.principal = user("u-bob", {"member"}, R"({"home": "/srv/home/u-bob"})");
  request.target = "read_text_file";
  request.all_arguments_unknown = true;
  CHECK(rt::render_residual_text(rt::partially_evaluate(engine, request)) ==
        R"(allowed when (path under "/srv/home/u-bob" || path under "/srv/projects") && !(path matches "**/.env" || )"
        R"(path matches "**/*.pem" || path matches "**/.ssh" || path matches "**/.ssh/**"))");
}

TEST_CASE("deeply nested conditions stay small, or fail closed", "[partial]") {
  // Over values that cannot be absent, && / || nest linearly.
  std::string total = R"(args.a == "x0")";
  // Over optional values both outcomes must be spelt out, which doubles per
  // level; past a size limit the condition counts as an evaluation error.
  std::string optional = R"(args has b && args.b == "x0")";
  for (int k = 1; k < 40; ++k) {
    total = "((" + total + R"() || args.a == "y)" + std::to_string(k) + R"(") && args.c != "z)" + std::to_string(k) + "\"";
    optional = "((" + optional + R"() || (args has b && args.b == "y)" + std::to_string(k) + R"(")) && args.c != "z)" +
               std::to_string(k) + "\"";
  }
  rt::Engine engine = authz::testing::compile_policy_text(
      "policy deep;\n/// t\ntool t(a: String, b: String?, c: String) read;\n/// r\nallow r: anyone may t when " + total +
      ";\n/// s\ndeny s: t when " + optional + ";\n");
  rt::PartialRequest request;
  request.principal = user("u-1", {});
  request.target = "t";
  request.unknown_parameters = {"a", "c"};
  request.known_arguments_json = R"({"b": "q"})";
  rt::Residual linear = rt::partially_evaluate(engine, request);
  CHECK(linear.exact);
  CHECK(linear.kind == rt::ResidualKind::Conditional);
  CHECK(rt::render_condition_text(linear.condition).size() < 3000);

  request.unknown_parameters = {"a", "b", "c"};
  request.known_arguments_json = "";
  rt::Residual capped = rt::partially_evaluate(engine, request);
  CHECK_FALSE(capped.exact);
  CHECK(capped.kind == rt::ResidualKind::NeverAllowed);  // the deny is taken to err: denied
}
