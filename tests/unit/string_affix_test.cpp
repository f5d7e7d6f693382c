// string_affix_test.cpp — `startsWith` and `endsWith` (docs/language.md,
// "Prefixes and suffixes") through the real pipeline: decisions and traces,
// partial evaluation (folded when the operands are known, residual
// otherwise, and the residual's own interpreter), and SQL's refusal.
// The worked example of docs/architecture.md's feature checklist.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>

#include "runtime/partial_eval.h"
#include "runtime/sql_where.h"
#include "runtime/internal/time_text.h"
#include "tests/unit/compiled_policy_for_tests.h"

namespace rt = authz::runtime;

namespace {

const char* const kPolicy = R"(policy files;

/// Reads a file.
tool read_file(path: String) read;
/// Copies a file into a directory.
tool copy_file(path: String, into: String) write;

/// Anyone reads what is in /tmp/.
allow tmp_read: anyone may read_file when args.path startsWith "/tmp/";
/// Environment files are never read.
deny no_env: read_file when args.path endsWith ".env";
/// A copy stays inside the directory it names, which is absolute.
allow copy_inside: anyone may copy_file when args.into startsWith "/" && args.path startsWith args.into;
)";

const rt::Engine& engine() {
  static rt::Engine e = authz::testing::compile_policy_text(kPolicy);
  return e;
}

std::int64_t now() { return *rt::parse_timestamp("2026-12-01T00:00:00Z"); }

rt::Decision decide(const char* tool, const std::string& arguments, bool trace = false) {
  rt::Request request;
  request.principal = {"u-bob", {}, ""};
  request.target = tool;
  request.arguments_json = arguments;
  request.now_ms = now();
  rt::EvaluateOptions options;
  options.trace = trace;
  return engine().evaluate(request, options);
}

std::string outcome(const char* tool, const std::string& arguments) {
  rt::Decision d = decide(tool, arguments);
  return std::string(rt::to_string(d.effect)) + " " + rt::to_string(d.reason);
}

rt::Residual residual(const char* tool, std::vector<std::string> unknown, std::string known = "") {
  rt::PartialRequest request;
  request.principal = {"u-bob", {}, ""};
  request.target = tool;
  request.unknown_parameters = std::move(unknown);
  request.known_arguments_json = std::move(known);
  request.now_ms = now();
  return rt::partially_evaluate(engine(), request);
}

}  // namespace

TEST_CASE("startsWith and endsWith decide byte for byte, case-sensitively", "[affix]") {
  CHECK(outcome("read_file", R"({"path": "/tmp/a.txt"})") == "allow allowed");
  CHECK(outcome("read_file", R"({"path": "/tmp/"})") == "allow allowed");
  CHECK(outcome("read_file", R"({"path": "/tmp"})") == "deny not_permitted");      // shorter than the prefix
  CHECK(outcome("read_file", R"({"path": "/TMP/a.txt"})") == "deny not_permitted");  // case-sensitive
  CHECK(outcome("read_file", R"({"path": "/tmpx/a"})") == "deny not_permitted");
  CHECK(outcome("read_file", R"({"path": "/var/tmp/a"})") == "deny not_permitted");  // a prefix, not a substring
  CHECK(outcome("read_file", R"({"path": "/tmp/x.env"})") == "deny forbidden");
  CHECK(outcome("read_file", R"({"path": "/tmp/.env"})") == "deny forbidden");
  CHECK(outcome("read_file", R"({"path": "/tmp/x.ENV"})") == "allow allowed");
  CHECK(outcome("read_file", R"({"path": "/tmp/x.env.bak"})") == "allow allowed");
  // Not a path test: no normalisation, so `..` is just bytes (use `under`).
  CHECK(outcome("read_file", R"({"path": "/tmp/../etc/passwd"})") == "allow allowed");
  // UTF-8 is compared as bytes: a decomposed é (e + U+0301) is not the precomposed one.
  CHECK(outcome("copy_file", R"({"path": "/caf\u00e9/x", "into": "/caf\u00e9"})") == "allow allowed");
  CHECK(outcome("copy_file", R"({"path": "/cafe\u0301/x", "into": "/caf\u00e9"})") == "deny not_permitted");
  // An empty prefix is a prefix of everything; a longer one of nothing shorter.
  CHECK(outcome("copy_file", R"({"path": "/a", "into": "/"})") == "allow allowed");
  CHECK(outcome("copy_file", R"({"path": "/a", "into": "/a/b"})") == "deny not_permitted");
  CHECK(outcome("copy_file", R"({"path": "/a", "into": "a"})") == "deny not_permitted");
}

TEST_CASE("a startsWith that fails is traced with its operands", "[affix]") {
  rt::Decision d = decide("read_file", R"({"path": "/etc/passwd"})", true);
  REQUIRE(d.trace);
  const rt::RuleTrace* rule = nullptr;
  for (const rt::RuleTrace& r : d.trace->rules) {
    if (r.rule == "tmp_read") rule = &r;
  }
  REQUIRE(rule);
  CHECK(rule->expression == R"(args.path startsWith "/tmp/")");
  CHECK(rule->operator_text == "startsWith");
  REQUIRE(rule->left);
  REQUIRE(rule->right);
  CHECK(rule->left->text == R"("/etc/passwd")");
  CHECK(rule->right->text == R"("/tmp/")");
}

TEST_CASE("partial evaluation keeps startsWith / endsWith on unknowns and folds known ones", "[affix][partial]") {
  rt::Residual read = residual("read_file", {"path"});
  REQUIRE(read.kind == rt::ResidualKind::Conditional);
  CHECK(read.exact);
  CHECK(rt::render_condition_text(read.condition) == R"(path startsWith "/tmp/" && !(path endsWith ".env"))");
  CHECK(rt::render_condition_json(read.condition).find(R"({"op":"startsWith","operands":[)") != std::string::npos);

  // The residual's interpreter agrees with the engine on concrete values.
  for (const char* path : {"/tmp/a", "/tmp/a.env", "/tmpa", "/TMP/a", "", "/tmp/"}) {
    INFO("path " << path);
    auto values = [&](const rt::UnknownRef&) -> std::optional<rt::ResidualValue> {
      rt::ResidualValue v;
      v.kind = rt::ValueKind::String;
      v.text = path;
      return v;
    };
    std::string arguments = std::string(R"({"path": ")") + path + "\"}";
    CHECK(rt::residual_holds(read.condition, values) == (decide("read_file", arguments).effect == rt::Effect::Allow));
  }

  // Known operands fold: the prefix is known, so only the path remains.
  rt::Residual copy = residual("copy_file", {"path"}, R"({"into": "/srv/"})");
  REQUIRE(copy.kind == rt::ResidualKind::Conditional);
  CHECK(rt::render_condition_text(copy.condition) == R"(path startsWith "/srv/")");
  // ... and `args.into startsWith "/"` folds to false for a relative one.
  CHECK(residual("copy_file", {"path"}, R"({"into": "srv"})").kind == rt::ResidualKind::NeverAllowed);
  // Everything known: the decision itself.
  rt::Residual known = residual("copy_file", {}, R"({"into": "/srv/", "path": "/srv/a"})");
  CHECK(known.kind == rt::ResidualKind::AlwaysAllowed);
  // The prefix unknown, the path known: still a residual, operands kept in order.
  rt::Residual reversed = residual("copy_file", {"into"}, R"({"path": "/srv/a"})");
  REQUIRE(reversed.kind == rt::ResidualKind::Conditional);
  CHECK(rt::render_condition_text(reversed.condition) == R"(into startsWith "/" && "/srv/a" startsWith into)");
}

TEST_CASE("SQL refuses startsWith and endsWith instead of guessing a LIKE", "[affix][sql]") {
  rt::Residual read = residual("read_file", {"path"});
  rt::SqlColumnMap columns = {{"path", {"", "path"}}};
  auto where = rt::to_sql_where(read, columns);
  REQUIRE_FALSE(where.ok());
  CHECK(where.error() ==
        "cannot translate the residual condition to SQL: `startsWith` has no SQL translation; deny the call or "
        "filter in memory");
  // The negated form is refused by its own name.
  rt::ResidualNode not_suffix = read.condition.children.at(1);
  auto negated = rt::to_sql_where(not_suffix, columns);
  REQUIRE_FALSE(negated.ok());
  CHECK(negated.error().find("`not endsWith` has no SQL translation") != std::string::npos);
}
