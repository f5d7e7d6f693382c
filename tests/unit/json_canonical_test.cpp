// json_canonical_test.cpp — the audit log's parser-free path for arguments:
// canonical_json_object() must accept only text that simdjson's minify gives
// back byte for byte, and redact_arguments() must store the same bytes
// whichever path it takes. Also the word-at-a-time scans of byte_scan.h.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include <random>
#include <string>

#include "runtime/audit_log.h"
#include "runtime/internal/byte_scan.h"
#include "runtime/internal/json_canonical.h"

namespace rt = authz::runtime;
namespace internal = authz::runtime::internal;

namespace {

// What the parser's path stores, or "" when the text is not a JSON object.
std::string minified(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS || !root.is_object()) return "";
  return simdjson::minify(root);
}

// Whether some object in `element` has two keys equal after decoding.
bool has_duplicate_key(simdjson::dom::element element) {
  simdjson::dom::array array;
  if (element.get_array().get(array) == simdjson::SUCCESS) {
    for (simdjson::dom::element child : array) {
      if (has_duplicate_key(child)) return true;
    }
    return false;
  }
  simdjson::dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) return false;
  std::vector<std::string_view> seen;
  for (auto field : object) {
    for (std::string_view key : seen) {
      if (key == field.key) return true;
    }
    seen.push_back(field.key);
    if (has_duplicate_key(field.value)) return true;
  }
  return false;
}

// Random JSON in canonical form, and the same with one non-canonical twist.
class Generator {
 public:
  explicit Generator(std::uint32_t seed) : random_(seed) {}

  std::string object(int depth) {
    std::string out = "{";
    const int members = pick(0, depth > 3 ? 1 : 4);
    for (int i = 0; i < members; ++i) {
      if (i) out += ',';
      out += string();
      out += ':';
      out += value(depth + 1);
    }
    return out + "}";
  }

 private:
  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

  std::string string() {
    static const char* pieces[] = {"a", "path/to", " ", "\\\"", "\\\\", "\\n", "\\t", "\\u001f", "\\u0000",
                                   "\\b", "\\f", "\\r", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x94\x91", "~\x7F"};
    std::string out = "\"";
    const int count = pick(0, 5);
    for (int i = 0; i < count; ++i) out += pieces[pick(0, 15)];
    return out + "\"";
  }

  std::string value(int depth) {
    switch (pick(0, depth > 4 ? 3 : 5)) {
      case 0: return string();
      case 1: {
        static const char* numbers[] = {"0", "7", "-3", "123456789012345678", "-999999999999999999", "42"};
        return numbers[pick(0, 5)];
      }
      case 2: return pick(0, 1) ? "true" : "false";
      case 3: return "null";
      case 4: {
        std::string out = "[";
        const int items = pick(0, 3);
        for (int i = 0; i < items; ++i) out += (i ? "," : "") + value(depth + 1);
        return out + "]";
      }
      default: return object(depth);
    }
  }

  std::mt19937 random_;
};

}  // namespace

TEST_CASE("canonical JSON objects are exactly what the minifier prints", "[audit]") {
  Generator generator(20261126);
  for (int i = 0; i < 3000; ++i) {
    const std::string text = generator.object(0);
    INFO(text);
    REQUIRE(minified(text) == text);  // the generator writes the canonical form...
    CHECK(internal::canonical_json_object(text, nullptr));  // ...and it is recognised
  }
}

TEST_CASE("text in any other form is left to the parser", "[audit]") {
  const char* others[] = {
      R"({ "a":1})", R"({"a": 1})", R"({"a":1} )", R"( {"a":1})", R"({"a":1,})", R"({"a":1.0})", R"({"a":1e3})",
      R"({"a":-0})", R"({"a":01})", R"({"a":1234567890123456789})", R"({"a":"\/"})", R"({"a":"\u0041"})",
      R"({"a":"\u001F"})", R"({"a":"\u0008"})", R"({"a":"\u000a"})", R"({"a":"\ud83d\udd11"})", "{\"a\":\"\x01\"}",
      "{\"a\":\"\xC3\"}", "{\"a\":\"\xED\xA0\x80\"}", "{\"a\":\"\xC0\xAF\"}", R"({"a":tru})", R"({"a":nul})",
      R"([1])", R"("a")", R"({"a":[1,]})", R"({"a" :1})", R"({"a":1}{"b":2})", "", "{", R"({"a":"x)", R"({a:1})",
      R"({"a":+1})", R"({"a":-})", R"({"a":NaN})"};
  for (const char* text : others) {
    INFO(text);
    CHECK_FALSE(internal::canonical_json_object(text, nullptr));
  }
  // The object itself is the first of kMaxCanonicalDepth levels.
  std::string deep = std::string(63, '[') + std::string(63, ']');
  CHECK(internal::canonical_json_object("{\"a\":" + deep + "}", nullptr));
  deep = std::string(64, '[') + std::string(64, ']');
  CHECK_FALSE(internal::canonical_json_object("{\"a\":" + deep + "}", nullptr));
}

TEST_CASE("canonical objects report their top-level members", "[audit]") {
  std::vector<internal::CanonicalMember> members;
  REQUIRE(internal::canonical_json_object(R"({"path":"/srv/a","opts":{"x":[1,2]},"q\"k":null})", &members));
  REQUIRE(members.size() == 3);
  CHECK(members[0].key == "path");
  CHECK(members[0].value == "\"/srv/a\"");
  CHECK_FALSE(members[0].key_escaped);
  CHECK(members[1].value == R"({"x":[1,2]})");
  CHECK(members[2].key == "q\\\"k");
  CHECK(members[2].key_escaped);
  CHECK_FALSE(internal::canonical_json_object(R"({"a":1, "b":2})", &members));
  CHECK(members.empty());
}

TEST_CASE("the unique-keys form refuses a duplicate key at any depth and nothing else", "[audit]") {
  std::vector<internal::CanonicalMember> members;
  std::vector<std::string_view> keys;
  auto unique = [&](const std::string& text) { return internal::canonical_json_object_unique_keys(text, members, keys); };
  const char* duplicated[] = {R"({"a":1,"a":2})", R"({"a":1,"b":2,"a":3})", R"({"x":{"b":1,"b":2}})",
                              R"({"x":[1,{"c":1,"d":{},"c":1}]})", R"({"q\"k":1,"q\"k":2})", R"({"":1,"":2})",
                              R"({"x":{"a":{"y":1}},"y":[{"z":1},{"z":2,"z":3}]})"};
  for (const char* text : duplicated) {
    INFO(text);
    CHECK(internal::canonical_json_object(text, nullptr));  // canonical, but...
    CHECK_FALSE(unique(text));                              // ...not unique
    CHECK(members.empty());
  }
  // The same key in different objects, or at different depths, is no duplicate.
  const char* distinct[] = {R"({"a":{"a":1},"b":{"a":2}})", R"({"a":[{"a":1},{"a":1}]})", R"({"a":1,"A":2,"a\n":3})",
                            R"({"x":{"a":1,"b":2},"a":{"b":{"a":3}}})", R"({})"};
  for (const char* text : distinct) {
    INFO(text);
    CHECK(unique(text));
  }
  // Past 16 keys the check sorts: a duplicate far apart, and none.
  std::string wide = "{";
  for (int i = 0; i < 40; ++i) wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":{\"k\":" + std::to_string(i) + "}";
  CHECK(unique(wide + "}"));
  CHECK(members.size() == 40);
  CHECK_FALSE(unique(wide + ",\"k3\":0}"));
  CHECK_FALSE(unique(R"({"n":)" + wide + ",\"k39\":0}}"));
  // And the generated objects agree with a decoded-key check through the parser.
  Generator generator(99);
  simdjson::dom::parser parser;
  int with_duplicates = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = generator.object(0);
    simdjson::padded_string padded(text);
    simdjson::dom::element root;
    REQUIRE(parser.parse(padded).get(root) == simdjson::SUCCESS);
    INFO(text);
    const bool duplicate = has_duplicate_key(root);
    with_duplicates += duplicate;
    CHECK(unique(text) == !duplicate);
  }
  CHECK(with_duplicates > 100);  // both outcomes are exercised
}

TEST_CASE("redacted arguments are the same bytes whichever path stores them", "[audit]") {
  rt::Target target;
  target.kind = rt::TargetKind::Tool;
  target.name = "login";
  rt::Parameter user;
  user.name = "user";
  rt::Parameter password;
  password.name = "password";
  password.sensitive = true;
  target.params = {user, password};
  rt::Target plain = target;
  plain.params[1].sensitive = false;

  Generator generator(7);
  for (int i = 0; i < 2000; ++i) {
    std::string text = generator.object(0);
    if (i % 3 == 0) text = R"({"user":"bob","password":)" + text + "}";
    // A space after the opening brace: the same object, not canonical, so
    // redact_arguments takes the parser's path for it.
    const std::string spaced = "{ " + text.substr(1);
    INFO(text);
    REQUIRE(internal::canonical_json_object(text, nullptr));
    REQUIRE_FALSE(internal::canonical_json_object(spaced, nullptr));
    const rt::Target* targets[] = {&target, &plain, nullptr};
    for (const rt::Target* which : targets) {
      CHECK(rt::redact_arguments(which, text) == rt::redact_arguments(which, spaced));
    }
  }
  CHECK(rt::redact_arguments(&target, R"({"user":"bob","password":"hunter2"})") ==
        R"({"user":"bob","password":"[redacted]"})");
  CHECK(rt::redact_arguments(&plain, R"({"user":"bob","password":"hunter2"})") ==
        R"({"user":"bob","password":"hunter2"})");
  // An escaped key takes the parser's path, which compares it decoded.
  CHECK(rt::redact_arguments(&target, R"({"pass\u0077ord":"hunter2"})") == R"({"password":"[redacted]"})");
  CHECK(rt::redact_arguments(&target, R"({"user":"bob","passw)") == R"({"[unparsed]":"[redacted]"})");
}

TEST_CASE("word-at-a-time scans find the first byte at every offset", "[audit]") {
  for (std::size_t length = 0; length <= 40; ++length) {
    for (std::size_t at = 0; at <= length; ++at) {
      for (unsigned char special : {'"', '\\', '\0', '\x1f', '\n'}) {
        std::string text(length, 'a');
        if (at < length) text[at] = static_cast<char>(special);
        for (std::size_t from = 0; from <= length; ++from) {
          const std::size_t expected = (at < length && at >= from) ? at : length;
          INFO("length " << length << " at " << at << " from " << from << " byte " << int(special));
          REQUIRE(internal::first_json_special_or_non_ascii(text, from) == expected);
        }
      }
      std::string text(length, ' ');  // 0x20 and 0x7F are plain
      if (at < length) text[at] = '\x7f';
      CHECK(internal::first_json_special_or_non_ascii(text, 0) == length);
      if (at < length) text[at] = static_cast<char>(0x80);
      for (std::size_t from = 0; from <= length; ++from) {
        const std::size_t expected = (at < length && at >= from) ? at : length;
        REQUIRE(internal::first_json_special_or_non_ascii(text, from) == expected);
      }
      // A special byte and a non-ASCII one: whichever comes first.
      if (at + 1 < length) {
        text[at + 1] = '"';
        CHECK(internal::first_json_special_or_non_ascii(text, 0) == at);
        text[at] = 'a';
        CHECK(internal::first_json_special_or_non_ascii(text, 0) == at + 1);
      }
    }
  }
}
