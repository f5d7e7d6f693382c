// gateway_session_test.cpp — enforcement per method in the gateway's Session
// (tools/gateway/session.h): what is forwarded, what is answered instead,
// list filtering, ids, audit records and fail-closed audit.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "compiler/diagnostic_printer.h"
#include "compiler/driver.h"
#include "compiler/lower.h"
#include "runtime/internal/time_text.h"
#include "tools/gateway/session.h"
#include "tests/support/session_harness.h"

using namespace authz::gateway;
namespace rt = authz::runtime;

namespace {

constexpr const char* kPolicy = R"(policy demo;

use std.obligations;

principal User {
  home: String,
}

role member;

tool read_file(path: String) read;
tool write_file(path: String, content: String) write;
tool secret_tool() read;
tool echo(message: String) read;
tool totals() read;
tool window_tool() read;

resource notes "notes://{name}";
resource readme "docs://readme";
resource home_files "home://{+path}";
resource search "demo://search{?q,limit}";
prompt greet(name: String);
prompt hidden_prompt();

/// Everyone reads inside their home.
allow own_home_read: anyone may read_file when args.path under user.home;
/// Members echo.
allow members_echo: member may echo;
/// Nobody uses the secret tool.
deny no_secret: secret_tool;
/// Members read notes, except the private one.
allow members_notes: member may notes when args.name != "private";
/// Everyone reads files inside their home.
allow own_home_files: anyone may home_files when args.path under user.home;
/// Members search ten results at a time.
allow small_search: member may search when args.limit == "10";
/// Greetings for all.
allow greet_all: anyone may greet;
/// Totals only in aggregate.
allow totals_aggregate: anyone may totals with aggregate_only(min_group: 5);
/// Only in 2026.
allow window_2026: anyone may window_tool from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z;
)";

rt::Engine compile(const std::string& text) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("authz-gateway-unit-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "policy.authz");
    out << text;
  }
  authz::SourceManager sources;
  authz::LoadOptions options;
  options.stdlib_dirs.push_back(std::string(AUTHZ_SOURCE_DIR) + "/stdlib");
  authz::CheckOutcome outcome = authz::check_paths({(dir / "policy.authz").string()}, options, sources);
  std::filesystem::remove_all(dir);
  INFO(authz::render_text(sources, outcome.diagnostics));
  REQUIRE(outcome.ok());
  authz::LowerResult lowered = authz::lower(*outcome.policy, sources);
  REQUIRE(lowered.ok());
  auto engine = rt::Engine::from_model(std::move(lowered.model));
  REQUIRE(engine.ok());
  return std::move(engine.value());
}

// u-bob with a home, deciding with kPolicy at `now`.
struct Fixture : authz::test_support::SessionHarness {
  explicit Fixture(std::vector<std::string> roles = {"member"}, const std::string& now = "2026-11-26T12:00:00Z")
      : SessionHarness(config(std::move(roles), now), compile(kPolicy)) {}

  static SessionConfig config(std::vector<std::string> roles, const std::string& now) {
    SessionConfig config;
    config.principal.id = "u-bob";
    config.principal.roles = std::move(roles);
    config.principal.attributes_json = R"({"home":"/home/bob"})";
    config.clock = [at = *rt::parse_timestamp(now)] { return at; };
    return config;
  }
};

std::string call(const std::string& id, const std::string& tool, const std::string& arguments = "{}") {
  return R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"tools/call","params":{"name":")" + tool +
         R"(","arguments":)" + arguments + "}}";
}

}  // namespace

TEST_CASE("an allowed tools/call is forwarded as written and audited", "[gateway]") {
  Fixture f;
  std::string line = call("1", "read_file", R"({"path":"/home/bob/notes.txt"})");
  CHECK(f.client(line).empty());
  CHECK(f.out.forward);
  REQUIRE(f.audit.records.size() == 1);
  CHECK(f.audit.records[0].effect == "allow");
  CHECK(f.audit.records[0].target == "read_file");
  CHECK(f.audit.records[0].method == "tools/call");
  CHECK(f.audit.records[0].rules == std::vector<std::string>{"own_home_read"});
  CHECK(f.session.requests_in_flight() == 1);
  // The server's answer reaches the client unchanged.
  std::string answer = R"({"jsonrpc":"2.0","id":1,"result":{"content":[]}})";
  f.session.on_server_line(answer, f.out);
  CHECK(f.out.forward);
  CHECK(f.session.requests_in_flight() == 0);
}

TEST_CASE("an escaped method is enforced like the plain one", "[gateway]") {
  Fixture f;
  std::string reply = f.client(
      R"({"jsonrpc":"2.0","id":"x","method":"tools/\u0063all","params":{"name":"read_file","arguments":{"path":"/etc/passwd"}}})");
  CHECK_FALSE(f.out.forward);
  CHECK(reply.rfind(R"({"jsonrpc":"2.0","id":"x","result":{"content":[{"type":"text","text":"access denied by policy: )", 0) == 0);
  CHECK(reply.find(R"("isError":true)") != std::string::npos);
  REQUIRE(f.audit.records.size() == 1);
  CHECK(f.audit.records[0].effect == "deny");
  CHECK(reply.find(f.audit.records[0].decision_id) != std::string::npos);
}

TEST_CASE("argument failures are isError results, uncallable tools are -32602", "[gateway]") {
  Fixture f;
  std::string argument_denial = f.client(call("-1", "read_file", R"({"path":"/home/carol/x"})"));
  CHECK(argument_denial.rfind(R"({"jsonrpc":"2.0","id":-1,"result":)", 0) == 0);
  CHECK(argument_denial.find("own_home_read") != std::string::npos);

  std::string forbidden = f.client(call("0", "secret_tool"));
  REQUIRE(f.audit.records.size() == 2);
  CHECK(forbidden == R"({"jsonrpc":"2.0","id":0,"error":{"code":-32602,"message":"access denied by policy: tool )"
                     R"(`secret_tool` is forbidden by `no_secret`","data":{"reason":"forbidden","tool":"secret_tool",)"
                     R"("decision_id":")" + f.audit.records[1].decision_id + R"("}}})");

  std::string not_permitted = f.client(call("2", "write_file", R"({"path":"/home/bob/a","content":"x"})"));
  CHECK(not_permitted.find(R"("code":-32602)") != std::string::npos);
  CHECK(not_permitted.find(R"("reason":"not_permitted")") != std::string::npos);

  std::string unknown = f.client(call("3", "no_such_tool"));
  CHECK(unknown.find(R"("code":-32602)") != std::string::npos);
  CHECK(unknown.find(R"("reason":"unknown_target","tool":"no_such_tool")") != std::string::npos);

  // A tool the user's role does not reach at all.
  Fixture outsider(std::vector<std::string>{});
  std::string echo = outsider.client(call("4", "echo", R"({"message":"hi"})"));
  CHECK(echo.find(R"("code":-32602)") != std::string::npos);
  CHECK(outsider.session.requests_in_flight() == 0);
}

TEST_CASE("a time window that fails is an isError result", "[gateway]") {
  Fixture late({"member"}, "2027-02-01T00:00:00Z");
  std::string reply = late.client(call("1", "window_tool"));
  CHECK(reply.find(R"("isError":true)") != std::string::npos);
  CHECK(reply.find(R"("authz/reason":"expired")") != std::string::npos);
  Fixture in_window;
  CHECK(in_window.client(call("1", "window_tool")).empty());
}

TEST_CASE("malformed params are -32602 without a decision", "[gateway]") {
  Fixture f;
  CHECK(f.client(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1]})") ==
        R"({"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"invalid params: `params` must be an object"}})");
  CHECK(f.client(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}})").find("`name` must be a string") !=
        std::string::npos);
  CHECK(f.client(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":[]}})")
            .find("`arguments` must be an object") != std::string::npos);
  CHECK(f.client(R"({"jsonrpc":"2.0","id":1,"method":"tools/call"})").find("-32602") != std::string::npos);
  CHECK(f.audit.records.empty());
}

TEST_CASE("hostile framing never reaches the server", "[gateway]") {
  Fixture f;
  CHECK(f.client(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","method":"ping","params":{"name":"secret_tool"}})") ==
        R"({"jsonrpc":"2.0","id":4,"error":{"code":-32600,"message":"invalid request: duplicate key `method`"}})");
  CHECK(f.client(R"([{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo"}}])") ==
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: batches (JSON arrays) are not accepted"}})");
  CHECK(f.client("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\",\"x\":\"\xc3\x28\"}") ==
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: the message is not valid UTF-8"}})");
  CHECK(f.client("Content-Length: 42").find("-32700") != std::string::npos);
  f.session.on_client_oversized(f.out);
  CHECK_FALSE(f.out.forward);
  REQUIRE(f.out.to_client.size() == 1);
  CHECK(f.out.to_client[0] ==
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: the message is larger than the limit"}})");
  // A protected call sent as a notification is dropped: it could not be refused.
  f.session.on_client_line(R"({"jsonrpc":"2.0","method":"tools/call","params":{"name":"secret_tool"}})", f.out);
  CHECK_FALSE(f.out.forward);
  CHECK(f.out.to_client.empty());
  CHECK(f.logged_contains("sent as a notification"));
  CHECK(f.audit.records.empty());
}

TEST_CASE("ids in flight cannot be reused, and unknown response ids are dropped", "[gateway]") {
  Fixture f;
  CHECK(f.client(R"({"jsonrpc":"2.0","id":"a","method":"tools/list"})").empty());
  // Same id by value ("\u0061" is "a") while the first is in flight.
  std::string reuse = f.client(R"({"jsonrpc":"2.0","id":"\u0061","method":"ping"})");
  CHECK(reuse == R"({"jsonrpc":"2.0","id":"\u0061","error":{"code":-32600,"message":"invalid request: id \"\\u0061\" is already in use by a request in flight"}})");

  f.session.on_server_line(R"({"jsonrpc":"2.0","id":99,"result":{}})", f.out);
  CHECK_FALSE(f.out.forward);
  CHECK(f.out.to_client.empty());
  CHECK(f.logged_contains("id 99, which the gateway never forwarded"));

  // A response for a request the gateway answered itself is dropped too.
  f.client(call("7", "secret_tool"));
  f.session.on_server_line(R"({"jsonrpc":"2.0","id":7,"result":{"content":[]}})", f.out);
  CHECK_FALSE(f.out.forward);

  // Server-to-client requests and their answers pass through.
  f.session.on_server_line(R"({"jsonrpc":"2.0","id":0,"method":"sampling/createMessage","params":{}})", f.out);
  CHECK(f.out.forward);
  f.session.on_client_line(R"({"jsonrpc":"2.0","id":0,"result":{"content":{"type":"text","text":"hi"}}})", f.out);
  CHECK(f.out.forward);
  // Garbage from the server is dropped, never written to stdout.
  f.session.on_server_line("npm WARN something", f.out);
  CHECK_FALSE(f.out.forward);
  CHECK(f.out.to_client.empty());
}

TEST_CASE("tools/list keeps only callable tools, byte for byte, on every page", "[gateway]") {
  Fixture f;
  f.client(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  std::string page1 =
      R"({"jsonrpc":"2.0","id":1,"result":{"tools":[ {"name":"read_file", "inputSchema":{"type":"object","x":"]"}},)"
      R"({"name":"secret_tool"},{"name":"write_file"},{"name":"e\u0063ho","annotations":{"readOnlyHint":true}},)"
      R"({"name":"undeclared_tool"},{"title":"no name"}],"nextCursor":"p2"}})";
  f.session.on_server_line(page1, f.out);
  CHECK_FALSE(f.out.forward);
  REQUIRE(f.out.to_client.size() == 1);
  CHECK(f.out.to_client[0] ==
        R"({"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"read_file", "inputSchema":{"type":"object","x":"]"}},)"
        R"({"name":"e\u0063ho","annotations":{"readOnlyHint":true}}],"nextCursor":"p2"}})");
  CHECK(f.logged_contains("tool `undeclared_tool`, which the policy does not declare"));

  f.client(R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"p2"}})");
  f.session.on_server_line(R"({"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"secret_tool"}]}})", f.out);
  REQUIRE(f.out.to_client.size() == 1);
  CHECK(f.out.to_client[0] == R"({"jsonrpc":"2.0","id":2,"result":{"tools":[]}})");

  // Nothing to remove: the original bytes go through.
  f.client(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})");
  f.session.on_server_line(R"({"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"echo"}]}})", f.out);
  CHECK(f.out.forward);
}

TEST_CASE("resources/read matches RFC 6570 templates with the runtime's matcher", "[gateway]") {
  Fixture f;
  auto read = [&](int id, const std::string& uri) {
    return f.client(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"resources/read","params":{"uri":")" +
                    uri + R"("}})");
  };
  CHECK(read(1, "home:///home/bob/a/b.txt").empty());  // forwarded: allowed
  CHECK(read(2, "home:///home/bob/../alice/k").find(R"("reason":"not_permitted")") != std::string::npos);
  CHECK(read(3, "home:///../../etc/passwd").find(R"("reason":"not_permitted")") != std::string::npos);
  CHECK(read(4, "demo://search?q=cats&limit=10").empty());
  CHECK(read(5, "demo://search?q=cats&limit=5000").find(R"("reason":"not_permitted")") != std::string::npos);
  // Repeated, reordered, missing or extra parameters match no template.
  for (const char* uri : {"demo://search?q=cats&limit=10&limit=5000", "demo://search?limit=10&q=cats",
                          "demo://search?q=cats", "demo://search?q=cats&limit=10&x=1", "demo://search?q=cats&limit=10#f"}) {
    INFO(uri);
    CHECK(read(6, uri).find(R"("reason":"unknown_target")") != std::string::npos);
  }
}

TEST_CASE("resources, templates and prompts are governed the same way", "[gateway]") {
  Fixture f;
  std::string denied = f.client(R"({"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"notes://private"}})");
  CHECK(denied.find(R"("code":-32602)") != std::string::npos);
  CHECK(denied.find(R"("resource":"notes://private")") != std::string::npos);
  CHECK(f.client(R"({"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"notes://shopping"}})").empty());
  CHECK(f.client(R"({"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"docs://readme"}})")
            .find(R"("reason":"not_permitted")") != std::string::npos);
  CHECK(f.client(R"({"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"file:///etc/passwd"}})")
            .find(R"("reason":"unknown_target")") != std::string::npos);
  CHECK(f.client(R"({"jsonrpc":"2.0","id":5,"method":"prompts/get","params":{"name":"greet","arguments":{"name":"bob"}}})").empty());
  CHECK(f.client(R"({"jsonrpc":"2.0","id":6,"method":"prompts/get","params":{"name":"hidden_prompt"}})")
            .find(R"("prompt":"hidden_prompt")") != std::string::npos);

  f.client(R"({"jsonrpc":"2.0","id":10,"method":"resources/list"})");
  f.session.on_server_line(
      R"({"jsonrpc":"2.0","id":10,"result":{"resources":[{"uri":"notes://a","name":"a"},{"uri":"notes://private"},{"uri":"docs://readme"}]}})",
      f.out);
  REQUIRE(f.out.to_client.size() == 1);
  CHECK(f.out.to_client[0] == R"({"jsonrpc":"2.0","id":10,"result":{"resources":[{"uri":"notes://a","name":"a"}]}})");

  f.client(R"({"jsonrpc":"2.0","id":11,"method":"resources/templates/list"})");
  f.session.on_server_line(
      R"({"jsonrpc":"2.0","id":11,"result":{"resourceTemplates":[{"uriTemplate":"notes://{name}"},{"uriTemplate":"other://{x}"}]}})",
      f.out);
  REQUIRE(f.out.to_client.size() == 1);
  CHECK(f.out.to_client[0] == R"({"jsonrpc":"2.0","id":11,"result":{"resourceTemplates":[{"uriTemplate":"notes://{name}"}]}})");

  f.client(R"({"jsonrpc":"2.0","id":12,"method":"prompts/list"})");
  f.session.on_server_line(R"({"jsonrpc":"2.0","id":12,"result":{"prompts":[{"name":"greet"},{"name":"hidden_prompt"}]}})",
                           f.out);
  REQUIRE(f.out.to_client.size() == 1);
  CHECK(f.out.to_client[0] == R"({"jsonrpc":"2.0","id":12,"result":{"prompts":[{"name":"greet"}]}})");
}

TEST_CASE("obligations the gateway cannot apply refuse the call", "[gateway]") {
  Fixture f;
  std::string reply = f.client(call("1", "totals"));
  CHECK_FALSE(f.out.forward);
  CHECK(reply.find(R"("isError":true)") != std::string::npos);
  CHECK(reply.find("obligation `aggregate_only`") != std::string::npos);
  REQUIRE(f.audit.records.size() == 1);
  CHECK(f.audit.records[0].effect == "deny");
  CHECK(f.audit.records[0].reason == "error");
}

TEST_CASE("when the audit log cannot be written the call is denied", "[gateway]") {
  Fixture f;
  f.audit.fail = true;
  std::string reply = f.client(call("1", "read_file", R"({"path":"/home/bob/a"})"));
  CHECK_FALSE(f.out.forward);
  CHECK(reply.find(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"access denied: the audit log cannot be written")") == 0);
  CHECK(reply.find(R"("reason":"audit_unavailable")") != std::string::npos);
  CHECK(f.logged_contains("audit log write failed"));
  CHECK(f.logged_contains("disk full"));
  CHECK(f.session.requests_in_flight() == 0);
}

TEST_CASE("a new policy applies to new requests; lists in flight keep theirs", "[gateway]") {
  Fixture f;
  f.client(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{}})");
  f.session.on_server_line(R"({"jsonrpc":"2.0","id":0,"result":{"capabilities":{"tools":{"listChanged":true},"prompts":{}}}})",
                           f.out);
  CHECK(f.out.forward);
  f.client(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");

  std::string stricter = kPolicy;
  stricter += "/// Nobody echoes any more.\ndeny no_echo: echo;\n";
  f.session.replace_engine(compile(stricter), f.out);
  REQUIRE(f.out.to_client.size() == 1);
  CHECK(f.out.to_client[0] == R"({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})");

  // The list requested before the reload is filtered with the old table.
  f.session.on_server_line(R"({"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"echo"}]}})", f.out);
  CHECK(f.out.forward);
  std::string reply = f.client(call("2", "echo", R"({"message":"hi"})"));
  CHECK(reply.find(R"("reason":"forbidden")") != std::string::npos);
}

TEST_CASE("mangled messages never crash the session and never reach the server unvalidated", "[gateway]") {
  Fixture f;
  const std::vector<std::string> seeds = {
      call("1", "read_file", R"({"path":"/home/bob/a"})"),
      R"({"jsonrpc":"2.0","id":"\ud800","method":"tools/list","params":{"cursor":"\u0000"}})",
      R"({"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"echo"},{"name":"secret_tool"}],"nextCursor":"x"}})",
      R"({"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"notes://a"}})",
      R"({"jsonrpc":"2.0","id":4,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"greet"},)"
      R"("argument":{"name":"name","value":"b"},"context":{"arguments":{"x":"y"}}}})",
      R"({"jsonrpc":"2.0","id":5,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":"notes://{name}"},)"
      R"("argument":{"name":"name","value":""}}})",
  };
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const char bytes[] = "{}[]\",:\\u0\xff\xc3 \n\t1-eE.";
  for (int round = 0; round < 20000; ++round) {
    std::string line = seeds[next() % seeds.size()];
    int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits && !line.empty(); ++e) {
      std::size_t at = next() % line.size();
      switch (next() % 3) {
        case 0: line[at] = bytes[next() % (sizeof bytes - 1)]; break;
        case 1: line.erase(at, 1 + next() % 8); break;
        default: line.insert(at, 1, bytes[next() % (sizeof bytes - 1)]); break;
      }
    }
    // Whatever goes out is one valid JSON-RPC message: forwarded lines
    // passed the reader, and the gateway's own answers parse too.
    auto check_outputs = [&] {
      MessageReader reader;
      Message message;
      Rejection rejection;
      if (f.out.forward) {
        INFO(line);
        CHECK(reader.read(line, message, rejection));
      }
      for (const auto& reply : f.out.to_client) {
        INFO(reply);
        CHECK(reader.read(reply, message, rejection));
      }
    };
    f.session.on_client_line(line, f.out);
    check_outputs();
    f.session.on_server_line(line, f.out);
    check_outputs();
  }
}

TEST_CASE("a canonical call and the same call written another way get the same answer", "[gateway]") {
  // The canonical line takes the parser-free paths (reader, params, arguments);
  // a space after the first brace sends the same message through the parser.
  const std::vector<std::string> lines = {
      call("1", "read_file", R"({"path":"/home/bob/notes.txt"})"),
      call("2", "read_file", R"({"path":"/home/carol/x"})"),
      call("3", "read_file", R"({"path":"/home/bob/a\"b\\c\u0001"})"),
      call("4", "read\\u005ffile", R"({"path":"/home/bob/x"})"),  // not canonical: an escape for `_`
      call("5", "write_file", R"({"path":"/home/bob/a","content":"x"})"),
      call("6", "secret_tool"),
      call("7", "no_such_tool"),
      call("8", "echo", R"({"message":"hi","extra":1})"),
      call("9", "echo", R"({"message":5})"),
      call("10", "echo", "null"),
      call("11", "echo", "[]"),
      call("\"a\\nb\"", "totals"),
      R"({"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":5}})",
      R"({"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"arguments":{},"name":"echo"}})",
      R"({"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"echo","name":"secret_tool"}})",
      R"({"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"a\"b"}})",
      R"({"jsonrpc":"2.0","id":16,"method":"prompts/get","params":{"name":"greet","arguments":{"name":"x"}}})",
      R"({"jsonrpc":"2.0","id":17,"method":"resources/read","params":{"uri":"notes://private"}})",
  };
  auto without_ids = [](const std::string& text) {
    // Decision ids (32 hex digits) and the policy's temporary directory
    // (authz-gateway-unit-PID-N) differ between fixtures.
    auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    auto is_digit_or_dash = [](char c) { return (c >= '0' && c <= '9') || c == '-'; };
    const std::string directory = "authz-gateway-unit-";
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
      std::size_t run = 0;
      while (i + run < text.size() && is_hex(text[i + run])) ++run;
      if (run == 32) {
        out += 'X';
        i += run;
      } else if (text.compare(i, directory.size(), directory) == 0) {
        out += 'X';
        i += directory.size();
        while (i < text.size() && is_digit_or_dash(text[i])) ++i;
      } else {
        out.append(text, i, run > 0 ? run : 1);
        i += run > 0 ? run : 1;
      }
    }
    return out;
  };
  for (const std::string& line : lines) {
    INFO(line);
    Fixture canonical, spaced;
    const std::string a = canonical.client(line);
    const std::string b = spaced.client("{ " + line.substr(1));
    CHECK(canonical.out.forward == spaced.out.forward);
    CHECK(without_ids(a) == without_ids(b));
    REQUIRE(canonical.audit.records.size() == spaced.audit.records.size());
    for (std::size_t i = 0; i < canonical.audit.records.size(); ++i) {
      const auto& x = canonical.audit.records[i];
      const auto& y = spaced.audit.records[i];
      CHECK(x.effect == y.effect);
      CHECK(x.reason == y.reason);
      CHECK(x.message == y.message);
      CHECK(x.target == y.target);
      CHECK(x.arguments_json == y.arguments_json);
      CHECK(x.rules == y.rules);
    }
  }
}
