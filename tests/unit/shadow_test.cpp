// shadow_test.cpp — a shadow policy decided alongside the primary: in the
// runtime (runtime/shadow.h) and in the gateway's enforcement core (every
// decision recorded with the shadow's effect, reason, rules and policy hash;
// replies, forwarding and list filtering exactly as without a shadow), and
// the audit record's `shadow` object (emitted only when set, verified like
// every other field).
#include <catch2/catch.hpp>

#include <regex>

#include "runtime/audit_log.h"
#include "runtime/shadow.h"
#include "runtime/internal/time_text.h"
#include "tests/support/session_harness.h"
#include "tests/unit/compiled_policy_for_tests.h"

namespace rt = authz::runtime;
using authz::gateway::SessionConfig;

namespace {

constexpr const char* kPrimary = R"(policy primary;
use std.obligations;
principal User {}
role member;
tool echo(message: String) read;
tool delete_all() write;
tool report() read;
tool totals() read;
prompt greet(name: String);
/// Members echo.
allow members_echo: member may echo;
/// Members delete.
allow members_delete: member may delete_all;
/// Members read reports.
allow members_report: member may report;
/// Totals for everyone.
allow totals_all: anyone may totals;
/// Greetings for members.
allow greet_members: member may greet;
)";

// Stricter: no deletes, echo only of short messages, a report obligation,
// greetings for nobody, and newly: totals only in aggregate... and one
// widening, so both directions occur.
constexpr const char* kShadow = R"(policy candidate;
use std.obligations;
principal User {}
role member;
tool echo(message: String) read;
tool delete_all() write;
tool report() read;
tool totals() read;
tool audit_trail() read;
prompt greet(name: String);
/// Members echo short messages.
allow members_echo_short: member may echo when args.message != "long";
/// Deletes are off during the freeze.
deny freeze: delete_all;
/// Reports come aggregated only.
allow members_report: member may report with aggregate_only(min_group: 5);
/// Totals for everyone.
allow totals_all: anyone may totals;
)";

struct ShadowFixture : authz::test_support::SessionHarness {
  explicit ShadowFixture(bool with_shadow = true)
      : SessionHarness(config(), authz::testing::compile_policy_text(kPrimary)) {
    if (with_shadow) session.set_shadow(authz::testing::compile_policy_text(kShadow));
  }
  static SessionConfig config() {
    SessionConfig config;
    config.principal.id = "u-bob";
    config.principal.roles = {"member"};
    config.clock = [at = *rt::parse_timestamp("2026-11-26T12:00:00Z")] { return at; };
    return config;
  }
};

std::string call(int id, const std::string& tool, const std::string& arguments = "{}") {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"tools/call","params":{"name":")" + tool +
         R"(","arguments":)" + arguments + "}}";
}

const std::vector<std::string> kCalls = {
    call(1, "echo", R"({"message":"hi"})"),
    call(2, "echo", R"({"message":"long"})"),
    call(3, "delete_all"),
    call(4, "report"),
    call(5, "totals"),
    call(6, "audit_trail"),
    R"({"jsonrpc":"2.0","id":7,"method":"prompts/get","params":{"name":"greet","arguments":{"name":"x"}}})",
    R"({"jsonrpc":"2.0","id":8,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"greet"},"argument":{"name":"name","value":"a"}}})",
    R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":7}})",  // invalid params: no decision
};

}  // namespace

TEST_CASE("the gateway enforces the primary only and records the shadow's decision", "[shadow]") {
  ShadowFixture plain(false), shadowed;
  for (const auto& line : kCalls) {
    INFO(line);
    std::string reply_plain = plain.client(line);
    bool forward_plain = plain.out.forward;
    std::string reply_shadowed = shadowed.client(line);
    // Replies carry fresh decision ids; apart from them they are identical.
    auto without_ids = [](const std::string& text) {
      static const std::regex id("[0-9a-f]{32}");
      return std::regex_replace(text, id, "<id>");
    };
    CHECK(without_ids(reply_shadowed) == without_ids(reply_plain));
    CHECK(shadowed.out.forward == forward_plain);
  }
  REQUIRE(plain.audit.records.size() == 8);
  REQUIRE(shadowed.audit.records.size() == 8);
  for (std::size_t i = 0; i < plain.audit.records.size(); ++i) {
    const rt::AuditRecord& a = plain.audit.records[i];
    const rt::AuditRecord& b = shadowed.audit.records[i];
    CHECK(!a.has_shadow);
    CHECK(b.has_shadow);
    CHECK(a.effect == b.effect);
    CHECK(a.reason == b.reason);
    CHECK(a.rules == b.rules);
    CHECK(b.shadow.policy_hash != b.policy_hash);
  }
  const auto& r = shadowed.audit.records;
  auto shadow_of = [&](std::size_t i) { return r[i].shadow.effect + "/" + r[i].shadow.reason; };
  CHECK(r[0].effect == "allow");
  CHECK(shadow_of(0) == "allow/allowed");
  CHECK(r[0].shadow.rules == std::vector<std::string>{"members_echo_short"});
  CHECK(shadow_of(1) == "deny/not_permitted");  // newly denied: a condition
  CHECK(shadow_of(2) == "deny/forbidden");      // newly denied: a deny
  CHECK(r[2].shadow.rules == std::vector<std::string>{"freeze"});
  CHECK(shadow_of(3) == "deny/error");     // an obligation the gateway would refuse
  CHECK(shadow_of(4) == "allow/allowed");  // the same
  CHECK(r[5].effect == "deny");
  CHECK(r[5].reason == "unknown_target");
  CHECK(shadow_of(5) == "deny/not_permitted");  // declared by the shadow only, no rule
  CHECK(r[6].effect == "allow");
  CHECK(shadow_of(6) == "deny/not_permitted");  // prompts/get
  CHECK(r[7].method == "completion/complete");
  CHECK(r[7].effect == "allow");
  CHECK(shadow_of(7) == "deny/not_permitted");  // completion, by partial evaluation
}

TEST_CASE("list filtering does not depend on the shadow", "[shadow]") {
  ShadowFixture f;
  f.client(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  std::string page =
      R"({"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"echo"},{"name":"delete_all"},{"name":"report"}]}})";
  f.session.on_server_line(page, f.out);
  CHECK(f.out.forward);  // all three callable under the primary: nothing removed
  CHECK(f.audit.records.empty());
}

TEST_CASE("removing the shadow stops the shadow fields", "[shadow]") {
  ShadowFixture f;
  f.client(kCalls[0]);
  f.session.set_shadow(std::nullopt);
  f.client(kCalls[1]);
  REQUIRE(f.audit.records.size() == 2);
  CHECK(f.audit.records[0].has_shadow);
  CHECK(!f.audit.records[1].has_shadow);
}

TEST_CASE("ShadowEvaluator decides with two engines in one call", "[shadow]") {
  rt::Engine primary = authz::testing::compile_policy_text(kPrimary);
  rt::Engine shadow = authz::testing::compile_policy_text(kShadow);
  rt::ShadowEvaluator evaluator;
  rt::Request request;
  request.principal.id = "u-bob";
  request.principal.roles = {"member"};
  request.target = "delete_all";
  rt::Decision a, b;
  evaluator.evaluate(primary, shadow, request, {}, a, b);
  CHECK(a.allowed());
  CHECK(a.determining_rules == std::vector<std::string_view>{"members_delete"});
  CHECK(b.reason == rt::Reason::Forbidden);
  CHECK(rt::shadow_change(a, b) == rt::ShadowChange::NewlyDenied);
  CHECK(rt::shadow_change(b, a) == rt::ShadowChange::NewlyAllowed);
  CHECK(rt::shadow_change(a, a) == rt::ShadowChange::Same);
  // The primary's decision is the one primary.evaluate gives.
  rt::Decision alone = primary.evaluate(request);
  CHECK(alone.effect == a.effect);
  CHECK(alone.reason == a.reason);
  // A target the shadow does not declare is its own unknown target.
  request.target = "nope";
  evaluator.evaluate(primary, shadow, request, {}, a, b);
  CHECK(a.reason == rt::Reason::UnknownTarget);
  CHECK(b.reason == rt::Reason::UnknownTarget);
}

TEST_CASE("audit records with a shadow serialize, parse and verify; without one they are unchanged", "[shadow]") {
  rt::Engine primary = authz::testing::compile_policy_text(kPrimary);
  rt::Engine shadow = authz::testing::compile_policy_text(kShadow);
  rt::Request request;
  request.principal.id = "u-bob";
  request.principal.roles = {"member"};
  request.target = "delete_all";
  rt::Decision a = primary.evaluate(request), b = shadow.evaluate(request);
  rt::AuditRecord record = rt::make_audit_record(request, a, primary, 100);
  record.previous = std::string(rt::kAuditGenesisHash);
  record.seq = 1;
  std::string plain = rt::serialize_audit_record(record, false);
  CHECK(plain.find("shadow") == std::string::npos);
  rt::set_audit_shadow(record, b, shadow);
  std::string with_shadow = rt::serialize_audit_record(record, false);
  CHECK(
      with_shadow.find(
          R"(,"evaluation_ns":100,"shadow":{"effect":"deny","reason":"forbidden","rules":["freeze"],"policy_hash":")" +
          shadow.policy_hash() + R"("},"previous":)") != std::string::npos);
  record.hash = rt::compute_audit_hash(record);
  std::string line = rt::serialize_audit_record(record);
  auto parsed = rt::parse_audit_record(line);
  REQUIRE(parsed.ok());
  CHECK(parsed.value().has_shadow);
  CHECK(parsed.value().shadow.rules == std::vector<std::string>{"freeze"});
  CHECK(rt::verify_audit_log_text(line + "\n").ok());
  // An edited shadow field breaks the chain like any other.
  std::string edited = line;
  edited.replace(edited.find(R"("shadow":{"effect":"deny")") + 20, 4, "allo");
  edited.replace(edited.find("allo\""), 5, "allow");
  CHECK(!rt::verify_audit_log_text(edited + "\n").ok());
  // Not canonical: a shadow that is not an object, or with a bad effect.
  std::string not_object = line;
  not_object.replace(not_object.find(R"("shadow":{)"), 10, R"("shadow":1,"x":{)");
  CHECK(!rt::parse_audit_record(not_object).ok());
  // make_audit_record clears the shadow again (a reused record).
  rt::make_audit_record(record, request, a, primary, 100);
  CHECK(!record.has_shadow);
}
