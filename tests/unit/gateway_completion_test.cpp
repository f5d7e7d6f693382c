// gateway_completion_test.cpp — completion/complete in the gateway's Session
// (tools/gateway/session.h, enforcer.h): completions of a prompt's or a
// resource template's arguments are relayed only when the entry would be
// listed for the user; refusals are -32602 and audited; malformed refs and
// the notification form never reach the server.
#include <catch2/catch.hpp>

#include "compiled_policy_for_tests.h"
#include "runtime/internal/time_text.h"
#include "tools/gateway/session.h"
#include "tests/support/session_harness.h"

using namespace authz::gateway;
namespace rt = authz::runtime;

namespace {

constexpr const char* kPolicy = R"(policy completion_demo;

use std.obligations;

principal User {}

role member;

resource notes "notes://{name}";
resource readme "docs://readme";
prompt greet(name: String);
prompt hidden_prompt();
prompt banned(topic: String);
prompt vault(account: String, pin: String sensitive);
prompt summary(region: String);
prompt old_prompt(topic: String);

/// Members read notes, except the private one.
allow members_notes: member may notes when args.name != "private";
/// Greetings for all.
allow greet_all: anyone may greet;
/// Allowed, but forbidden whatever the arguments.
allow banned_allowed: anyone may banned;
/// Nobody gets the banned prompt.
deny no_banned: banned;
/// Members open the vault.
allow members_vault: member may vault;
/// Summaries only in aggregate.
allow summary_aggregate: anyone may summary with aggregate_only(min_group: 5);
/// Only until 2020.
allow old_only: anyone may old_prompt until 2020-01-01T00:00:00Z;
)";

const rt::Engine& engine() {
  static const rt::Engine compiled = authz::testing::compile_policy_text(kPolicy);
  return compiled;
}

// u-bob deciding with kPolicy at a fixed time.
struct Fixture : authz::test_support::SessionHarness {
  explicit Fixture(std::vector<std::string> roles = {"member"}) : SessionHarness(config(std::move(roles)), engine()) {}

  static SessionConfig config(std::vector<std::string> roles) {
    SessionConfig config;
    config.principal.id = "u-bob";
    config.principal.roles = std::move(roles);
    config.clock = [at = *rt::parse_timestamp("2026-11-26T12:00:00Z")] { return at; };
    return config;
  }
};

// A completion/complete request; `ref` and `argument` are JSON texts.
std::string complete(const std::string& id, const std::string& ref,
                     const std::string& argument = R"({"name":"topic","value":"a"})") {
  return R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"completion/complete","params":{"ref":)" + ref +
         R"(,"argument":)" + argument + "}}";
}
std::string prompt_ref(const std::string& name) { return R"({"type":"ref/prompt","name":")" + name + R"("})"; }
std::string resource_ref(const std::string& uri) { return R"({"type":"ref/resource","uri":")" + uri + R"("})"; }

}  // namespace

TEST_CASE("a completion of a prompt the user may get is forwarded as written and audited", "[gateway][completion]") {
  Fixture f;
  std::string line = R"({"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt",)"
                     R"("name":"greet"},"argument":{"name":"name","value":"bo"},"context":{"arguments":{"x":"y"}}}})";
  CHECK(f.client(line).empty());
  CHECK(f.out.forward);
  REQUIRE(f.audit.records.size() == 1);
  const rt::AuditRecord& record = f.audit.records[0];
  CHECK(record.method == "completion/complete");
  CHECK(record.target == "greet");
  CHECK(record.arguments_json == R"({"name":"bo"})");
  CHECK(record.effect == "allow");
  CHECK(record.reason == "allowed");
  CHECK(record.rules == std::vector<std::string>{"greet_all"});
  CHECK(record.decision_id.size() == 32);
  CHECK(record.policy_hash == engine().policy_hash());
  // The server's completions reach the client unchanged.
  f.session.on_server_line(R"({"jsonrpc":"2.0","id":1,"result":{"completion":{"values":["bob"],"total":1}}})", f.out);
  CHECK(f.out.forward);
  CHECK(f.session.requests_in_flight() == 0);
}

TEST_CASE("a completion of a prompt the user may not get is -32602, audited, never forwarded", "[gateway][completion]") {
  Fixture f;
  std::string reply = f.client(complete("7", prompt_ref("hidden_prompt")));
  CHECK_FALSE(f.out.forward);
  REQUIRE(f.audit.records.size() == 1);
  const rt::AuditRecord& record = f.audit.records[0];
  CHECK(reply == R"({"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"access denied by policy: no rule allows )"
                 R"(user `u-bob` to use prompt `hidden_prompt`","data":{"reason":"not_permitted","prompt":"hidden_prompt",)"
                 R"("decision_id":")" + record.decision_id + R"("}}})");
  CHECK(record.method == "completion/complete");
  CHECK(record.target == "hidden_prompt");
  CHECK(record.effect == "deny");
  CHECK(record.reason == "not_permitted");
  CHECK(record.rules.empty());
  CHECK(f.session.requests_in_flight() == 0);
  // An answer from the server for the refused id is dropped.
  f.session.on_server_line(R"({"jsonrpc":"2.0","id":7,"result":{"completion":{"values":["leak"]}}})", f.out);
  CHECK_FALSE(f.out.forward);
  CHECK(f.out.to_client.empty());
  CHECK(f.logged_contains("id 7, which the gateway never forwarded"));
}

TEST_CASE("completion refusals say why, as prompts/get refusals do", "[gateway][completion]") {
  Fixture f;
  std::string forbidden = f.client(complete("1", prompt_ref("banned")));
  CHECK(forbidden.find("access denied by policy: prompt `banned` is forbidden by `no_banned`") != std::string::npos);
  CHECK(forbidden.find(R"("reason":"forbidden","prompt":"banned")") != std::string::npos);
  REQUIRE(f.audit.records.size() == 1);
  CHECK(f.audit.records[0].rules == std::vector<std::string>{"no_banned"});

  std::string unknown = f.client(complete("2", prompt_ref("no_such_prompt"), R"({"name":"x","value":"secret"})"));
  CHECK(unknown.find(R"("code":-32602)") != std::string::npos);
  CHECK(unknown.find("the policy does not declare prompt `no_such_prompt`") != std::string::npos);
  CHECK(unknown.find(R"("reason":"unknown_target","prompt":"no_such_prompt")") != std::string::npos);
  REQUIRE(f.audit.records.size() == 2);
  CHECK(f.audit.records[1].reason == "unknown_target");
  // Which parameters of an undeclared target are secret is unknown: all redacted.
  CHECK(f.audit.records[1].arguments_json == R"({"x":"[redacted]"})");

  std::string expired = f.client(complete("3", prompt_ref("old_prompt")));
  CHECK(expired.find("access to prompt `old_prompt` has expired or is not yet in force") != std::string::npos);
  CHECK(expired.find(R"("reason":"expired")") != std::string::npos);

  // A role that reaches nothing.
  Fixture outsider(std::vector<std::string>{});
  CHECK(outsider.client(complete("4", prompt_ref("vault"))).find(R"("reason":"not_permitted","prompt":"vault")") !=
        std::string::npos);
  CHECK_FALSE(outsider.out.forward);
}

TEST_CASE("a completion under an obligation the gateway cannot apply is refused", "[gateway][completion]") {
  Fixture f;
  std::string reply = f.client(complete("1", prompt_ref("summary"), R"({"name":"region","value":"ea"})"));
  CHECK_FALSE(f.out.forward);
  CHECK(reply.find(R"("code":-32602)") != std::string::npos);
  CHECK(reply.find("completing arguments of prompt `summary` comes with obligation `aggregate_only` (rule "
                   "`summary_aggregate`), which the gateway cannot apply") != std::string::npos);
  REQUIRE(f.audit.records.size() == 1);
  CHECK(f.audit.records[0].effect == "deny");
  CHECK(f.audit.records[0].reason == "error");
  CHECK(f.audit.records[0].rules == std::vector<std::string>{"summary_aggregate"});
}

TEST_CASE("a sensitive argument's partial value is redacted in the completion record", "[gateway][completion]") {
  Fixture f;
  CHECK(f.client(complete("1", prompt_ref("vault"), R"({"name":"pin","value":"12"})")).empty());
  CHECK(f.client(complete("2", prompt_ref("vault"), R"({"name":"account","value":"ac\"c"})")).empty());
  REQUIRE(f.audit.records.size() == 2);
  CHECK(f.audit.records[0].arguments_json == R"({"pin":"[redacted]"})");
  CHECK(f.audit.records[1].arguments_json == R"({"account":"ac\"c"})");
}

TEST_CASE("completions of a resource template follow resources/templates/list", "[gateway][completion]") {
  Fixture f;
  std::string argument = R"({"name":"name","value":"sh"})";
  // Listed for members (some name may be read), so its completions are too.
  CHECK(f.client(complete("1", resource_ref("notes://{name}"), argument)).empty());
  REQUIRE(f.audit.records.size() == 1);
  CHECK(f.audit.records[0].target == "notes://{name}");
  CHECK(f.audit.records[0].effect == "allow");
  CHECK(f.audit.records[0].rules == std::vector<std::string>{"members_notes"});
  CHECK(f.audit.records[0].arguments_json == R"({"name":"sh"})");

  std::string other = f.client(complete("2", resource_ref("other://{x}"), argument));
  CHECK(other.find(R"("reason":"unknown_target","resource":"other://{x}")") != std::string::npos);
  std::string readme = f.client(complete("3", resource_ref("docs://readme"), argument));
  CHECK(readme.find(R"("reason":"not_permitted","resource":"docs://readme")") != std::string::npos);
  CHECK(f.audit.records.size() == 3);

  Fixture outsider(std::vector<std::string>{});
  std::string refused = outsider.client(complete("4", resource_ref("notes://{name}"), argument));
  CHECK_FALSE(outsider.out.forward);
  CHECK(refused.rfind(R"({"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"access denied by policy: no rule )"
                      R"(allows user `u-bob` to use resource `notes://{name}`")",
                      0) == 0);
  REQUIRE(outsider.audit.records.size() == 1);
  CHECK(outsider.audit.records[0].effect == "deny");
  CHECK(outsider.audit.records[0].method == "completion/complete");
}

TEST_CASE("a completion is allowed exactly when the list filter keeps the entry", "[gateway][completion]") {
  // The same rule (may_list) decides both; `summary` is the one exception:
  // listed, but its allow carries an obligation the gateway cannot apply.
  const std::vector<std::string> prompts = {"greet", "hidden_prompt", "banned", "vault", "summary", "old_prompt",
                                            "undeclared"};
  const std::vector<std::string> templates = {"notes://{name}", "docs://readme", "other://{x}"};
  for (const auto& roles : {std::vector<std::string>{"member"}, std::vector<std::string>{}}) {
    Fixture f(roles);
    std::string listed = R"({"jsonrpc":"2.0","id":0,"result":{"prompts":[)";
    for (std::size_t i = 0; i < prompts.size(); ++i) listed += (i ? ",{\"name\":\"" : "{\"name\":\"") + prompts[i] + "\"}";
    listed += "]}}";
    f.client(R"({"jsonrpc":"2.0","id":0,"method":"prompts/list"})");
    f.session.on_server_line(listed, f.out);
    std::string kept = f.out.forward ? listed : f.out.to_client.at(0);
    int id = 1;
    for (const auto& name : prompts) {
      INFO(name << " with " << roles.size() << " roles");
      bool in_list = kept.find("\"" + name + "\"") != std::string::npos;
      bool completed = f.client(complete(std::to_string(id++), prompt_ref(name))).empty();
      CHECK(completed == (in_list && name != "summary"));
    }
    std::string templates_listed = R"({"jsonrpc":"2.0","id":0,"result":{"resourceTemplates":[)";
    for (std::size_t i = 0; i < templates.size(); ++i) {
      templates_listed += (i ? ",{\"uriTemplate\":\"" : "{\"uriTemplate\":\"") + templates[i] + "\"}";
    }
    templates_listed += "]}}";
    f.client(R"({"jsonrpc":"2.0","id":0,"method":"resources/templates/list"})");
    f.session.on_server_line(templates_listed, f.out);
    kept = f.out.forward ? templates_listed : f.out.to_client.at(0);
    for (const auto& uri : templates) {
      INFO(uri << " with " << roles.size() << " roles");
      bool in_list = kept.find("\"" + uri + "\"") != std::string::npos;
      CHECK(f.client(complete(std::to_string(id++), resource_ref(uri))).empty() == in_list);
    }
  }
}

TEST_CASE("malformed completion params are -32602 without a decision, never forwarded", "[gateway][completion]") {
  Fixture f;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"jsonrpc":"2.0","id":1,"method":"completion/complete"})", "`params` must be an object"},
      {R"({"jsonrpc":"2.0","id":1,"method":"completion/complete","params":[]})", "`params` must be an object"},
      {R"({"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"argument":{"name":"a","value":"b"}}})",
       "`ref` must be an object"},
      {complete("1", R"("greet")"), "`ref` must be an object"},
      {complete("1", R"({"name":"greet"})"), "`ref.type` must be `ref/prompt` or `ref/resource`"},
      {complete("1", R"({"type":"ref/tool","name":"greet"})"), "`ref.type` must be `ref/prompt` or `ref/resource`"},
      {complete("1", R"({"type":"ref/Prompt","name":"greet"})"), "`ref.type` must be `ref/prompt` or `ref/resource`"},
      {complete("1", R"({"type":["ref/prompt"],"name":"greet"})"), "`ref.type` must be `ref/prompt` or `ref/resource`"},
      {complete("1", R"({"type":"ref/prompt"})"), "`ref.name` must be a string"},
      {complete("1", R"({"type":"ref/prompt","name":5})"), "`ref.name` must be a string"},
      {complete("1", R"({"type":"ref/prompt","uri":"notes://{name}"})"), "`ref.name` must be a string"},
      {complete("1", R"({"type":"ref/resource","name":"greet"})"), "`ref.uri` must be a string"},
      {complete("1", R"({"type":"ref/resource","uri":null})"), "`ref.uri` must be a string"},
      {R"({"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"greet"}}})",
       "`argument` must be an object"},
      {complete("1", prompt_ref("greet"), R"("name")"), "`argument` must be an object"},
      {complete("1", prompt_ref("greet"), R"({"value":"b"})"), "`argument.name` must be a string"},
      {complete("1", prompt_ref("greet"), R"({"name":"name"})"), "`argument.value` must be a string"},
      {complete("1", prompt_ref("greet"), R"({"name":"name","value":5})"), "`argument.value` must be a string"},
  };
  for (const auto& [line, why] : cases) {
    INFO(line);
    std::string reply = f.client(line);
    CHECK_FALSE(f.out.forward);
    CHECK(reply == R"({"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"invalid params: )" + why + R"("}})");
  }
  CHECK(f.audit.records.empty());
  CHECK(f.session.requests_in_flight() == 0);
}

TEST_CASE("hostile spellings of a completion are decided as what they decode to", "[gateway][completion]") {
  Fixture f;
  // Escapes in the method, the ref's keys and values are decoded first.
  std::string reply = f.client(
      R"({"jsonrpc":"2.0","id":1,"method":"completion/c\u006fmplete","params":{"ref":{"typ\u0065":"ref/pr\u006fmpt",)"
      R"("n\u0061me":"hidden\u005fprompt"},"argument":{"name":"a","value":"b"}}})");
  CHECK_FALSE(f.out.forward);
  CHECK(reply.find(R"("reason":"not_permitted","prompt":"hidden_prompt")") != std::string::npos);
  // Two names (one allowed, one not) are a duplicate key: refused before any decision.
  CHECK(f.client(complete("2", R"({"type":"ref/prompt","name":"greet","n\u0061me":"hidden_prompt"})")) ==
        R"({"jsonrpc":"2.0","id":2,"error":{"code":-32600,"message":"invalid request: duplicate key `name`"}})");
  CHECK(f.client(complete("3", prompt_ref("greet"), R"({"name":"a","value":"b","value":"c"})")).find("-32600") !=
        std::string::npos);
  // A batch is refused whole.
  CHECK(f.client("[" + complete("4", prompt_ref("hidden_prompt")) + "]").find("batches") != std::string::npos);
  CHECK_FALSE(f.out.forward);
  REQUIRE(f.audit.records.size() == 1);
}

TEST_CASE("a completion sent as a notification is dropped", "[gateway][completion]") {
  Fixture f;
  for (std::string name : {"greet", "hidden_prompt"}) {
    f.session.on_client_line(R"({"jsonrpc":"2.0","method":"completion/complete","params":{"ref":)" + prompt_ref(name) +
                                 R"(,"argument":{"name":"name","value":"b"}}})",
                             f.out);
    CHECK_FALSE(f.out.forward);
    CHECK(f.out.to_client.empty());
  }
  CHECK(f.logged_contains("dropped `completion/complete` sent as a notification"));
  CHECK(f.audit.records.empty());
}

TEST_CASE("a completion whose record cannot be written is refused", "[gateway][completion]") {
  Fixture f;
  f.audit.fail = true;
  std::string reply = f.client(complete("1", prompt_ref("greet")));
  CHECK_FALSE(f.out.forward);
  CHECK(reply.rfind(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"access denied: the audit log cannot be written")",
                    0) == 0);
  CHECK(reply.find(R"("reason":"audit_unavailable","prompt":"greet")") != std::string::npos);
  CHECK(f.logged_contains("audit log write failed, completion/complete `greet` refused (fail closed): disk full"));
  CHECK(f.session.requests_in_flight() == 0);
}

TEST_CASE("a canonical completion and the same one written another way get the same answer", "[gateway][completion]") {
  const std::vector<std::string> lines = {
      complete("1", prompt_ref("greet"), R"({"name":"name","value":"b"})"),
      complete("2", prompt_ref("hidden_prompt")),
      complete("3", resource_ref("notes://{name}"), R"({"name":"name","value":"\u0001\"x"})"),
      complete("4", R"({"type":"ref/tool","name":"greet"})"),
      complete("5", prompt_ref("vault"), R"({"name":"pin","value":"1"})"),
  };
  for (const std::string& line : lines) {
    INFO(line);
    Fixture canonical, spaced;
    std::string a = canonical.client(line);
    std::string b = spaced.client("{ " + line.substr(1));
    CHECK(canonical.out.forward == spaced.out.forward);
    REQUIRE(canonical.audit.records.size() == spaced.audit.records.size());
    for (std::size_t i = 0; i < canonical.audit.records.size(); ++i) {
      const auto& x = canonical.audit.records[i];
      const auto& y = spaced.audit.records[i];
      if (auto at = a.find(x.decision_id); at != std::string::npos) a.replace(at, 32, "X");
      if (auto at = b.find(y.decision_id); at != std::string::npos) b.replace(at, 32, "X");
      CHECK(x.effect == y.effect);
      CHECK(x.reason == y.reason);
      CHECK(x.target == y.target);
      CHECK(x.arguments_json == y.arguments_json);
      CHECK(x.rules == y.rules);
    }
    CHECK(a == b);
  }
}
