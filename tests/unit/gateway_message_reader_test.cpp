// gateway_message_reader_test.cpp — the gateway's strict JSON-RPC reading
// (tools/gateway/message_reader.h, line_framer.h, json_scan.h) on ordinary
// and hostile input: escapes, duplicate keys, batches, odd ids, huge lines,
// invalid UTF-8. Every case runs with the canonical fast path on and off, and
// generated lines check that both paths read every line the same way.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tools/gateway/json_scan.h"
#include "tools/gateway/line_framer.h"
#include "runtime/internal/json_canonical.h"
#include "tools/gateway/message_reader.h"

using namespace authz::gateway;

namespace {

// The message's fields view the line, so the result keeps its own copy of it
// (on the heap: moving the result must not move the bytes).
struct ReadResult {
  std::unique_ptr<const std::string> line;
  bool ok;
  Message message;
  Rejection rejection;
};

ReadResult read(MessageReader& reader, std::string line) {
  ReadResult result;
  result.line = std::make_unique<const std::string>(std::move(line));
  result.ok = reader.read(*result.line, result.message, result.rejection);
  return result;
}

// JSON-RPC lines from parts, most canonical, some not (a space, an escaped
// key, a fraction), some refused (a duplicate, a bad version or id), in
// random member order.
class LineGenerator {
 public:
  explicit LineGenerator(std::uint32_t seed) : random_(seed) {}

  std::string line() {
    static const std::vector<std::string> versions = {R"("2.0")", R"("2.0")", R"("2.0")", R"("1.0")", "2", R"("2.\u0030")"};
    static const std::vector<std::string> ids = {"0", "-1", "7", "123456789012345678", "1234567890123456789", R"("abc")",
                                                 R"("a\nb")", R"("\u0000")", R"("")", "null", "true", "{}", "[1]",
                                                 "1.0", "1e2", "-0", R"("\u0041")"};
    static const std::vector<std::string> methods = {R"("tools/call")", R"("tools/list")", R"("a\tb")", R"("q\"m")",
                                                     "5", "null", R"("notifications/initialized")", R"("tools/\u0063all")"};
    static const std::vector<std::string> params = {
        R"({"name":"get_account","arguments":{"account":"acc-1"}})", "[]", R"("x")", "{}", R"({"a":1,"a":2})",
        R"({"cursor":"c\"1"})", R"({"a":{"b":[{"c":1,"c":2}]}})", R"({"x":-2.5})", "null"};
    static const std::vector<std::string> results = {"{}", R"({"content":[{"type":"text","text":"hi \u001f"}]})", "null"};
    static const std::vector<std::string> errors = {R"({"code":-32601,"message":"no"})", "{}"};
    std::vector<std::string> members;
    auto maybe = [&](int percent, const char* key, const std::vector<std::string>& values) {
      if (pick(0, 99) < static_cast<std::size_t>(percent)) members.push_back(std::string("\"") + key + "\":" + values[pick(0, values.size() - 1)]);
    };
    maybe(95, "jsonrpc", versions);
    maybe(80, "id", ids);
    maybe(60, "method", methods);
    maybe(50, "params", params);
    maybe(30, "result", results);
    maybe(15, "error", errors);
    if (pick(0, 9) == 0) members.push_back(R"("extra":[true,false,null])");
    if (pick(0, 19) == 0 && !members.empty()) members.push_back(members[pick(0, members.size() - 1)]);  // a duplicate
    if (pick(0, 19) == 0) members.push_back(R"("\u0069d":3)");
    std::shuffle(members.begin(), members.end(), random_);
    std::string out = "{";
    for (std::size_t i = 0; i < members.size(); ++i) out += (i ? "," : "") + members[i];
    out += "}";
    if (pick(0, 19) == 0) out.insert(1, " ");
    return out;
  }

 private:
  std::size_t pick(std::size_t low, std::size_t high) { return std::uniform_int_distribution<std::size_t>(low, high)(random_); }
  std::mt19937 random_;
};

}  // namespace

TEST_CASE("the canonical fast path reads every line as the parser's path does", "[gateway]") {
  MessageReader fast(true);
  MessageReader parsed(false);
  LineGenerator generator(4);
  std::vector<authz::runtime::internal::CanonicalMember> members;
  std::vector<std::string_view> keys;
  int accepted_canonical = 0, refused_canonical = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string line = generator.line();
    INFO(line);
    Message a, b;
    Rejection ra, rb;
    const bool ok = fast.read(line, a, ra);
    REQUIRE(ok == parsed.read(line, b, rb));
    const bool canonical = authz::runtime::internal::canonical_json_object_unique_keys(line, members, keys);
    (ok ? accepted_canonical : refused_canonical) += canonical;
    if (!ok) {
      CHECK(ra.code == rb.code);
      CHECK(ra.message == rb.message);
      CHECK(ra.id == rb.id);
      continue;
    }
    CHECK(a.kind == b.kind);
    CHECK(a.method == b.method);
    CHECK(a.id == b.id);
    CHECK(a.id_key == b.id_key);
    CHECK(a.params == b.params);
    CHECK(a.params_is_object == b.params_is_object);
    CHECK(a.has_result == b.has_result);
    // Spans point at the same bytes of the line (or both at none / a literal).
    CHECK((a.params.empty() || a.params.data() == b.params.data()));
    CHECK((a.id.empty() || a.id == "null" || a.id.data() == b.id.data()));
  }
  // Both paths were exercised on lines they accept and refuse.
  CHECK(accepted_canonical > 1000);
  CHECK(refused_canonical > 1000);
}

TEST_CASE("a request is read with its method decoded and its id and params as written", "[gateway]") {
  MessageReader reader(GENERATE(true, false));  // with and without the canonical fast path
  std::string line = R"({"jsonrpc":"2.0","id":7,"method":"tools/\u0063all","params":{"name":"echo","arguments":{"a":1}}})";
  auto result = read(reader, line);
  REQUIRE(result.ok);
  CHECK(result.message.kind == MessageKind::Request);
  CHECK(result.message.method == "tools/call");
  CHECK(result.message.id == "7");
  CHECK(result.message.id_key == "n:7");
  CHECK(result.message.params == R"({"name":"echo","arguments":{"a":1}})");
  CHECK(result.message.params_is_object);
}

TEST_CASE("ids 0, -1, strings and 1.0 keep their bytes and compare by value", "[gateway]") {
  MessageReader reader(GENERATE(true, false));
  struct Case {
    std::string id_text, key;
  };
  for (const Case& c : {Case{"0", "n:0"}, Case{"-1", "n:-1"}, Case{R"("x")", "s:x"}, Case{R"("\u0078")", "s:x"},
                        Case{"1.0", "n:1"}, Case{"  42 ", "n:42"}}) {
    auto result = read(reader, R"({"jsonrpc":"2.0","method":"ping","id":)" + c.id_text + "}");
    INFO(c.id_text);
    REQUIRE(result.ok);
    std::string trimmed = c.id_text;
    while (trimmed.front() == ' ') trimmed.erase(trimmed.begin());
    while (trimmed.back() == ' ') trimmed.pop_back();
    CHECK(result.message.id == trimmed);
    CHECK(result.message.id_key == c.key);
  }
  CHECK(MessageReader::id_key_of("-1") == "n:-1");
  CHECK(MessageReader::id_key_of("\"x\"") == "s:x");
}

TEST_CASE("notifications and responses are told apart", "[gateway]") {
  MessageReader reader(GENERATE(true, false));
  auto notification = read(reader, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  REQUIRE(notification.ok);
  CHECK(notification.message.kind == MessageKind::Notification);
  auto response = read(reader, R"({"jsonrpc":"2.0","id":"s-1","result":{"tools":[]}})");
  REQUIRE(response.ok);
  CHECK(response.message.kind == MessageKind::Response);
  CHECK(response.message.has_result);
  CHECK(response_result(*response.line) == R"({"tools":[]})");
  // The id after the result: the span scan reads past the result to find it.
  auto late_id = read(reader, R"({"jsonrpc":"2.0","result":{"id":"inner","x":[1,{"id":2}]},"id":"outer"})");
  REQUIRE(late_id.ok);
  CHECK(late_id.message.id == R"("outer")");
  CHECK(late_id.message.id_key == "s:outer");
  auto error = read(reader, R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}})");
  REQUIRE(error.ok);
  CHECK(error.message.kind == MessageKind::Response);
  CHECK(error.message.id_key.empty());
}

TEST_CASE("duplicate keys are refused at any depth, escapes decoded first", "[gateway]") {
  MessageReader reader(GENERATE(true, false));
  auto method = read(reader, R"({"jsonrpc":"2.0","id":4,"method":"tools/call","method":"ping"})");
  REQUIRE_FALSE(method.ok);
  CHECK(method.rejection.code == kInvalidRequest);
  CHECK(method.rejection.message == "invalid request: duplicate key `method`");
  CHECK(method.rejection.id == "4");

  auto nested = read(reader,
                     R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"read_file",)"
                     R"("arguments":{"path":"/home/bob/a","p\u0061th":"/etc/passwd"}}})");
  REQUIRE_FALSE(nested.ok);
  CHECK(nested.rejection.code == kInvalidRequest);
  CHECK(nested.rejection.message == "invalid request: duplicate key `path`");

  auto ids = read(reader, R"({"jsonrpc":"2.0","id":1,"id":2,"method":"ping"})");
  REQUIRE_FALSE(ids.ok);
  CHECK(ids.rejection.id == "null");

  // Many keys take the sorting path.
  std::string wide = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{)";
  for (int i = 0; i < 40; ++i) wide += "\"k" + std::to_string(i) + "\":0,";
  wide += R"("k17":1}})";
  auto many = read(reader, wide);
  REQUIRE_FALSE(many.ok);
  CHECK(many.rejection.message == "invalid request: duplicate key `k17`");
}

TEST_CASE("batches, non-objects, bad versions and bad ids are invalid requests", "[gateway]") {
  MessageReader reader(GENERATE(true, false));
  auto batch = read(reader, R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  REQUIRE_FALSE(batch.ok);
  CHECK(batch.rejection.code == kInvalidRequest);
  CHECK(batch.rejection.id == "null");
  CHECK(batch.rejection.message == "invalid request: batches (JSON arrays) are not accepted");

  for (std::string line : {std::string("5"), std::string(R"("tools/call")"), std::string("null")}) {
    auto result = read(reader, line);
    REQUIRE_FALSE(result.ok);
    CHECK(result.rejection.code == kInvalidRequest);
  }
  auto version = read(reader, R"({"jsonrpc":"1.0","id":1,"method":"ping"})");
  REQUIRE_FALSE(version.ok);
  CHECK(version.rejection.code == kInvalidRequest);
  CHECK(version.rejection.id == "1");
  auto no_version = read(reader, R"({"id":1,"method":"ping"})");
  CHECK_FALSE(no_version.ok);
  for (std::string id : {std::string("null"), std::string("true"), std::string("{}"), std::string("[1]")}) {
    auto result = read(reader, R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"tools/call"})");
    INFO(id);
    REQUIRE_FALSE(result.ok);
    CHECK(result.rejection.code == kInvalidRequest);
    CHECK(result.rejection.id == "null");
  }
  auto method_number = read(reader, R"({"jsonrpc":"2.0","id":1,"method":5})");
  CHECK_FALSE(method_number.ok);
  auto neither = read(reader, R"({"jsonrpc":"2.0","id":1})");
  CHECK_FALSE(neither.ok);
  auto both = read(reader, R"({"jsonrpc":"2.0","id":1,"result":{},"error":{}})");
  CHECK_FALSE(both.ok);
}

TEST_CASE("non-JSON and invalid UTF-8 are parse errors", "[gateway]") {
  MessageReader reader(GENERATE(true, false));
  for (std::string line : {std::string("not json"), std::string(R"({"jsonrpc":"2.0","id":1,"method":"ping")"),
                           std::string(R"({"jsonrpc":"2.0","id":1,"method":"ping"} {})"), std::string("{\"a\":\x01}")}) {
    auto result = read(reader, line);
    INFO(line);
    REQUIRE_FALSE(result.ok);
    CHECK(result.rejection.code == kParseError);
    CHECK(result.rejection.id == "null");
  }
  auto utf8 = read(reader, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\"\xff\xfe\"}");
  REQUIRE_FALSE(utf8.ok);
  CHECK(utf8.rejection.code == kParseError);
  CHECK(utf8.rejection.message == "parse error: the message is not valid UTF-8");
  auto overlong = read(reader, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xc0\xaf\"}");
  CHECK_FALSE(overlong.ok);
}

TEST_CASE("the framer splits lines, skips blank ones and cuts oversized ones", "[gateway]") {
  LineFramer framer(16);
  std::string_view line;
  framer.feed("abc\n\n  \r\nde");
  REQUIRE(framer.next(line) == LineFramer::Event::Line);
  CHECK(line == "abc");
  CHECK(framer.next(line) == LineFramer::Event::None);
  framer.feed("f\n");
  REQUIRE(framer.next(line) == LineFramer::Event::Line);
  CHECK(line == "def");

  // A line longer than the limit is reported once, before its newline
  // arrives, and nothing of it is ever handed out.
  framer.feed(std::string(20, 'x'));
  CHECK(framer.next(line) == LineFramer::Event::Oversized);
  CHECK(framer.next(line) == LineFramer::Event::None);
  framer.feed(std::string(1000, 'y'));
  CHECK(framer.next(line) == LineFramer::Event::None);
  CHECK(framer.buffered() == 0);
  framer.feed("zz\nok\n");
  REQUIRE(framer.next(line) == LineFramer::Event::Line);
  CHECK(line == "ok");

  // A whole oversized line in one read.
  framer.feed(std::string(17, 'q') + "\nafter\n");
  CHECK(framer.next(line) == LineFramer::Event::Oversized);
  REQUIRE(framer.next(line) == LineFramer::Event::Line);
  CHECK(line == "after");

  framer.feed("tail");
  CHECK(framer.next(line) == LineFramer::Event::None);
  framer.finish();
  REQUIRE(framer.next(line) == LineFramer::Event::Line);
  CHECK(line == "tail");
}

TEST_CASE("a 20 MB line never reaches the reader", "[gateway]") {
  LineFramer framer(4u << 20);
  std::string chunk(64 * 1024, 'a');
  std::string_view line;
  int oversized = 0;
  for (std::size_t sent = 0; sent < (20u << 20); sent += chunk.size()) {
    framer.feed(chunk);
    while (true) {
      auto event = framer.next(line);
      if (event == LineFramer::Event::None) break;
      CHECK(event == LineFramer::Event::Oversized);
      ++oversized;
    }
    CHECK(framer.buffered() <= (4u << 20) + chunk.size());
  }
  framer.feed("\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");
  REQUIRE(framer.next(line) == LineFramer::Event::Line);
  CHECK(line == R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  CHECK(oversized == 1);
}

TEST_CASE("the span scanner finds members and elements and never overreads", "[gateway]") {
  std::string object = R"({"a" : [1, {"b":"]}"}, "x\"y"], "n\u0061me":"v", "c":{}})";
  auto a = member_value(object, "a");
  REQUIRE(a);
  CHECK(*a == R"([1, {"b":"]}"}, "x\"y"])");
  std::vector<std::string_view> elements;
  REQUIRE(array_elements(*a, elements));
  REQUIRE(elements.size() == 3);
  CHECK(elements[1] == R"({"b":"]}"})");
  CHECK(elements[2] == R"("x\"y")");
  auto name = member_value(object, "name");
  REQUIRE(name);
  CHECK(*name == R"("v")");
  std::string decoded;
  REQUIRE(decode_json_string(R"("tools/\u0063all \ud83d\ude00")", decoded));
  CHECK(decoded == "tools/call \xF0\x9F\x98\x80");
  // Backslash runs before a quote: even runs end the string, odd runs escape it.
  std::string escapes = R"({"k\\":"v\\\"}\\","k2":"\\\\","k":2})";
  REQUIRE(member_value(escapes, "k\\"));
  CHECK(*member_value(escapes, "k\\") == R"("v\\\"}\\")");
  CHECK(*member_value(escapes, "k2") == R"("\\\\")");
  CHECK(*member_value(escapes, "k") == "2");
  const std::string_view keys[3] = {"k2", "missing", "k"};
  std::optional<std::string_view> found[3];
  REQUIRE(find_members(escapes, keys, found));
  CHECK(*found[0] == R"("\\\\")");
  CHECK_FALSE(found[1]);
  CHECK(*found[2] == "2");
  CHECK_FALSE(find_members(R"({"a":"x\"})", keys, found));
  CHECK_FALSE(find_members(R"({"k2":1,"k":2,)", keys, found));  // members found before the break do not count
  CHECK_FALSE(found[0]);
  CHECK_FALSE(found[2]);
  CHECK_FALSE(member_value(R"({"a":)", "a"));
  CHECK_FALSE(member_value(R"({"a":"unterminated)", "a"));
  CHECK_FALSE(array_elements("[1,", elements));
  CHECK_FALSE(array_elements("", elements));
}
