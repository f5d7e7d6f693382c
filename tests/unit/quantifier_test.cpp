// quantifier_test.cpp — `all(x in list: body)` / `any(...)` end to end: the
// checker's types and diagnostics, evaluation (every element, empty lists,
// short-circuit, nesting, record elements, path tricks), what table
// validation refuses, partial evaluation (a known list folds, an unknown list
// stays a quantifier) and SQL translation refusing it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "compiler/checker.h"
#include "compiler/parse.h"
#include "runtime/engine.h"
#include "runtime/internal/model_validation.h"
#include "runtime/partial_eval.h"
#include "runtime/sql_where.h"
#include "runtime/internal/table_dump.h"
#include "tests/unit/compiled_policy_for_tests.h"

namespace rt = authz::runtime;
using namespace authz;

namespace {

const std::string kPolicy = R"(policy q;
principal User { home: String }
role admin;
record Edit { path: String, note: String? }
/// Reads files.
tool read_many(paths: List<String>) read;
/// Edits files.
tool edit_many(edits: List<Edit>) write;
/// Tags.
tool tag(tags: Set<String>?, roles: List<String>) read;
)";

struct Checked {
  SourceManager sources;
  DiagnosticSink sink;
  std::unique_ptr<CheckedPolicy> policy;
  std::string dump() const {
    std::string out;
    for (const Diagnostic& d : sink.diagnostics()) {
      out += std::string(code_string(d.code)) + " [" + (d.span.valid() ? std::string(sources.slice(d.span)) : "") +
             "] " + d.message + " | " + d.help + "\n";
    }
    return out;
  }
};

std::unique_ptr<Checked> check_rule(const std::string& rule) {
  auto out = std::make_unique<Checked>();
  Program program;
  FileId id = out->sources.add("test.authz", kPolicy + "/// Doc.\n" + rule + "\n");
  program.files.push_back(parse_file(out->sources, id, out->sink));
  out->policy = check_program(std::move(program), out->sink);
  return out;
}

rt::Engine engine_for(const std::string& rules) { return authz::testing::compile_policy_text(kPolicy + rules); }

rt::Effect decide(const rt::Engine& engine, const std::string& tool, const std::string& args,
                  const std::string& home = "/home/bob") {
  rt::Request request;
  request.principal = rt::Principal{"u-bob", {}, R"({"home": ")" + home + R"("})"};
  request.target = tool;
  request.arguments_json = args;
  request.now_ms = 0;
  return engine.evaluate(request).effect;
}

const rt::Effect kAllow = rt::Effect::Allow;
const rt::Effect kDeny = rt::Effect::Deny;

}  // namespace

TEST_CASE("quantifiers type-check: the bound name has the element type, only in the body", "[quantifier]") {
  for (const char* ok : {
           "allow r: anyone may read_many when all(p in args.paths: p under user.home);",
           "allow r: anyone may read_many when any(p in args.paths: p == \"/x\") || true;",
           "allow r: anyone may edit_many when all(e in args.edits: e.path under user.home);",
           "allow r: anyone may edit_many when all(e in args.edits: e has note && e.note == \"x\");",
           "allow r: anyone may tag when args has tags && all(t in args.tags: any(r in args.roles: t == r));",
           "allow r: anyone may read_many when all(p in [\"/a\", user.home]: p under \"/\");",
       }) {
    auto checked = check_rule(ok);
    INFO(ok << "\n" << checked->dump());
    CHECK(checked->sink.diagnostics().empty());
  }
}

TEST_CASE("quantifier diagnostics", "[quantifier]") {
  struct Case {
    const char* rule;
    const char* code;
    const char* spanned;
  };
  for (const Case& c : {
           Case{"allow r: anyone may read_many when all(p in user.home: p == \"x\");", "E0311", "user.home"},
           Case{"allow r: anyone may read_many when any(p in []: true);", "E0311", "[]"},
           Case{"allow r: anyone may read_many when all(admin in args.paths: true);", "E0214", "admin"},
           Case{"allow r: anyone may read_many when all(p in args.paths: any(p in args.paths: true));", "E0214",
                "p"},
           Case{"allow r: anyone may read_many when all(p in args.paths: p);", "E0301", "p"},
           Case{"allow r: anyone may edit_many when all(e in args.edits: e.pth under user.home);", "E0204", "pth"},
           Case{"allow r: anyone may edit_many when all(e in args.edits: e.note == \"x\");", "E0303", "e.note"},
           Case{"allow r: anyone may read_many when all(p in args.paths: true) && p == \"x\";", "E0209", "p"},
           Case{"allow r: anyone may read_many when all(a in args.paths: all(b in args.paths: all(c in args.paths: "
                "all(d in args.paths: all(e in args.paths: true)))));",
                "E0006", "all(e in args.paths: true)"},
       }) {
    auto checked = check_rule(c.rule);
    INFO(c.rule << "\n" << checked->dump());
    REQUIRE(checked->sink.diagnostics().size() == 1);
    const Diagnostic& d = checked->sink.diagnostics().front();
    CHECK(code_string(d.code) == std::string(c.code));
    CHECK(std::string(checked->sources.slice(d.span)) == c.spanned);
  }
}

TEST_CASE("all: every element; any: some element; empty lists; path tricks", "[quantifier]") {
  rt::Engine engine = engine_for(R"(
/// Every path in the home.
allow all_home: anyone may read_many when all(p in args.paths: p under user.home);
)");
  CHECK(decide(engine, "read_many", R"({"paths": ["/home/bob/a", "/home/bob/sub/../b"]})") == kAllow);
  CHECK(decide(engine, "read_many", R"({"paths": []})") == kAllow);  // all over nothing holds
  for (const char* outside : {"/home/bob/../carol/x", "/home/bobby/x", "/etc/passwd", "../carol/x",
                              "/home/bob//..//carol", "home/bob/x", "/home/bob/x\\u0000/../../carol"}) {
    INFO(outside);
    const std::string one = std::string(R"({"paths": ["/home/bob/a", ")") + outside + R"("]})";
    CHECK(decide(engine, "read_many", one) == kDeny);
    const std::string first = std::string(R"({"paths": [")") + outside + R"(", "/home/bob/a"]})";
    CHECK(decide(engine, "read_many", first) == kDeny);
  }

  rt::Engine any = engine_for(R"(
/// Some path in the home.
allow any_home: anyone may read_many when any(p in args.paths: p under user.home);
)");
  CHECK(decide(any, "read_many", R"({"paths": ["/etc/x", "/home/bob/a"]})") == kAllow);
  CHECK(decide(any, "read_many", R"({"paths": ["/etc/x"]})") == kDeny);
  CHECK(decide(any, "read_many", R"({"paths": []})") == kDeny);  // any over nothing fails
}

TEST_CASE("a deny over any element; record elements; nesting keeps the outer element", "[quantifier]") {
  rt::Engine engine = engine_for(R"(
/// Anything.
allow everything: anyone may read_many, edit_many, tag when user.home != "";
/// No dotfiles.
deny dotfiles: read_many when any(p in args.paths: p matches "**/.*");
/// Edits stay home.
deny edits_out: edit_many unless all(e in args.edits: e.path under user.home);
/// Each tag is one of the roles, tested with the outer element after an inner quantifier.
deny odd_tags: tag when args has tags && any(t in args.tags: !any(r in args.roles: r == t) || !(t in args.roles));
)");
  CHECK(decide(engine, "read_many", R"({"paths": ["/a/b", "/a/c"]})") == kAllow);
  CHECK(decide(engine, "read_many", R"({"paths": ["/a/b", "/a/.env"]})") == kDeny);
  CHECK(decide(engine, "edit_many", R"({"edits": [{"path": "/home/bob/x"}, {"path": "/home/bob/y", "note": "n"}]})") ==
        kAllow);
  CHECK(decide(engine, "edit_many", R"({"edits": [{"path": "/home/bob/x"}, {"path": "/tmp/y"}]})") == kDeny);
  CHECK(decide(engine, "edit_many", R"({"edits": []})") == kAllow);
  CHECK(decide(engine, "tag", R"({"tags": ["a", "b"], "roles": ["b", "a"]})") == kAllow);
  CHECK(decide(engine, "tag", R"({"tags": ["a", "c"], "roles": ["b", "a"]})") == kDeny);
}

TEST_CASE("an erring body errs the quantifier: an allow does not apply, a deny denies", "[quantifier]") {
  rt::Engine engine = engine_for(R"(
/// Anything.
allow everything: anyone may read_many;
/// An invalid path in the list errs, and a deny that errs denies.
deny outside: read_many when any(p in args.paths: !(p under user.home));
)");
  CHECK(decide(engine, "read_many", R"({"paths": ["/home/bob/a"]})") == kAllow);
  CHECK(decide(engine, "read_many", R"({"paths": ["/home/bob/a", "relative"]})") == kDeny);
}

TEST_CASE("nested quantifiers over long request lists stop at the step budget and fail closed", "[quantifier]") {
  // 300 paths x 300 paths = 90,000 bodies > kMaxQuantifierSteps: the deny errs, so it denies,
  // instead of running on; 200 x 200 = 40,000 stays under it and decides (nothing matches).
  rt::Engine engine = engine_for(R"(
/// Anything.
allow everything: anyone may read_many;
/// A contradiction over every pair of paths: only the cost matters.
deny pairs: read_many when any(p in args.paths: any(q in args.paths: p == q && p != q));
)");
  auto paths = [](int n) {
    std::string json = R"({"paths": [)";
    for (int i = 0; i < n; ++i) json += (i ? ",\"/p" : "\"/p") + std::to_string(i) + "\"";
    return json + "]}";
  };
  CHECK(decide(engine, "read_many", paths(200)) == kAllow);
  rt::Request request;
  request.principal = rt::Principal{"u-bob", {}, R"({"home": "/home/bob"})"};
  request.target = "read_many";
  request.arguments_json = paths(300);
  rt::Decision decision = engine.evaluate(request);
  CHECK(decision.effect == kDeny);
  CHECK(decision.reason == rt::Reason::Error);
  CHECK_THAT(decision.message, Catch::Contains("more than 65536 quantifier bodies"));
}

TEST_CASE("lowering: slots by nesting depth, shared nodes, readable dumps", "[quantifier]") {
  rt::Engine engine = engine_for(R"(
/// Nested.
allow nested: anyone may tag when all(t in args.roles: any(r in args.roles: t == r)) && all(x in args.roles: x != "");
)");
  const rt::Model& model = engine.model();
  std::vector<std::uint32_t> slots;
  for (const rt::Node& node : model.nodes) {
    if (node.op == rt::Opcode::All || node.op == rt::Opcode::Any) slots.push_back(node.field);
  }
  CHECK(slots == std::vector<std::uint32_t>{1, 0, 0});
  CHECK(rt::dump_expression(model, model.rules[0].when) ==
        "all(t in args.roles: any(r in args.roles: t == r)) && all(x in args.roles: x != \"\")");
}

TEST_CASE("validation refuses an element used outside its quantifier, and bad slots", "[quantifier]") {
  rt::Engine engine = engine_for(R"(
/// Home.
allow home: anyone may read_many when all(p in args.paths: p under user.home);
)");
  rt::Model model = engine.model();
  REQUIRE_FALSE(rt::find_model_error(model));
  rt::NodeIndex root = model.rules[0].when;
  REQUIRE(model.nodes[root].op == rt::Opcode::All);
  rt::NodeIndex body = model.nodes[root].operands[1];

  SECTION("the body as the condition: its element is unbound") {
    model.rules[0].when = body;
    auto error = rt::find_model_error(model);
    REQUIRE(error);
    CHECK(error->find("outside the quantifier") != std::string::npos);
  }
  SECTION("a quantifier binding another slot than its body reads") {
    model.nodes[root].field = 1;
    REQUIRE(rt::find_model_error(model));
  }
  SECTION("a slot beyond the limit") {
    model.nodes[root].field = rt::kMaxBoundSlots;
    auto error = rt::find_model_error(model);
    REQUIRE(error);
    CHECK(error->find("slot") != std::string::npos);
  }
  SECTION("a quantifier over a string") {
    model.nodes[root].operands[0] = model.nodes[body].operands[1];  // user.home
    REQUIRE(rt::find_model_error(model));
  }
}

TEST_CASE("partial evaluation: an unknown list stays a quantifier, a known list folds", "[quantifier][partial]") {
  rt::Engine engine = engine_for(R"(
/// Home.
allow home: anyone may read_many when all(p in args.paths: p matches "/home/bob/*");
/// Any tag that is a role, over a known list.
allow tags: anyone may tag when any(r in ["x", "y"]: args.roles contains r);
)");
  rt::PartialRequest request;
  request.principal = rt::Principal{"u-bob", {}, R"({"home": "/home/bob"})"};
  request.target = "read_many";
  request.all_arguments_unknown = true;
  rt::Residual residual = rt::partially_evaluate(engine, request);
  CHECK(residual.kind == rt::ResidualKind::Conditional);
  CHECK(residual.exact);
  CHECK(rt::render_condition_text(residual.condition) == "all(p in paths: p matches \"/home/bob/*\")");
  REQUIRE(residual.unknowns.size() == 1);  // the element is not an input
  CHECK(residual.unknowns[0].parameter == "paths");
  CHECK(rt::may_call_at_all(engine, request.principal, rt::MethodKind::ToolCall, "read_many", 0));

  auto holds = [&](std::vector<std::string> paths) {
    return rt::residual_holds(residual.condition, [&](const rt::UnknownRef&) -> std::optional<rt::ResidualValue> {
      rt::ResidualValue list;
      list.kind = rt::ValueKind::List;
      for (const std::string& path : paths) {
        rt::ResidualValue item;
        item.kind = rt::ValueKind::String;
        item.text = path;
        list.items.push_back(item);
      }
      return list;
    });
  };
  CHECK(holds({"/home/bob/a", "/home/bob/b"}));
  CHECK(holds({}));
  CHECK_FALSE(holds({"/home/bob/a", "/etc/passwd"}));

  auto sql = rt::to_sql_where(residual, {{"paths", rt::SqlColumn{"", "paths"}}});
  REQUIRE_FALSE(sql.ok());
  CHECK(sql.error().find("`all` over a list cannot be translated to SQL") != std::string::npos);

  request.target = "tag";
  rt::Residual folded = rt::partially_evaluate(engine, request);
  CHECK(folded.exact);
  CHECK(rt::render_condition_text(folded.condition) == "roles contains \"x\" || roles contains \"y\"");
}

TEST_CASE("partial evaluation: a body that can err is spelled out for the error-free cases, inexact",
          "[quantifier][partial]") {
  rt::Engine engine = engine_for(R"(
/// Home.
allow home: anyone may read_many when all(p in args.paths: p under user.home);
)");
  rt::PartialRequest request;
  request.principal = rt::Principal{"u-bob", {}, R"({"home": "/home/bob"})"};
  request.target = "read_many";
  request.all_arguments_unknown = true;
  rt::Residual residual = rt::partially_evaluate(engine, request);
  CHECK(residual.kind == rt::ResidualKind::Conditional);
  CHECK_FALSE(residual.exact);  // `under` errs on a relative path
  CHECK(rt::render_condition_text(residual.condition) == "all(p in paths: p under \"/home/bob\")");
}

TEST_CASE("`all` and `any` are names except before `(`", "[quantifier]") {
  rt::Engine engine = authz::testing::compile_policy_text(R"(policy names;
role any;
/// Reads.
tool all(all: List<String>) read;
/// A rule, a role, a tool and a parameter called `all` / `any`.
allow all: any may all when user.roles contains any && all(p in args.all: p != "");
)");
  rt::Request request;
  request.principal = rt::Principal{"u-bob", {"any"}, ""};
  request.target = "all";
  request.arguments_json = R"({"all": ["a", "b"]})";
  CHECK(engine.evaluate(request).effect == kAllow);
  request.arguments_json = R"({"all": ["a", ""]})";
  CHECK(engine.evaluate(request).effect == kDeny);
}
