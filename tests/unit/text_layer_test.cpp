// text_layer_test.cpp — the one text layer: the JSON string writer and its
// styles (each style's bytes pinned, since audit chains, goldens and clients
// depend on them), UTF-8 decoding and its problems, the "did you mean" rule,
// the principal reader and the calendar helpers the compiler shares.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include <string>
#include <vector>

#include "runtime/internal/closest_name.h"
#include "runtime/internal/json_string.h"
#include "runtime/internal/principal_json.h"
#include "runtime/internal/utf8.h"
#include "runtime/internal/time_text.h"

using namespace authz::runtime;
using namespace authz::runtime::internal;

namespace {

// Every byte class the styles treat differently, in one string: quote,
// backslash, slash, \b \f \n \r \t, another control byte, DEL, é, U+2028,
// U+2029, a stray continuation byte, a truncated sequence, an overlong `/`,
// an encoded surrogate.
const std::string kMixed = std::string("q\"b\\s/") + "\b\f\n\r\t" + "\x01" + "\x7f" + "\xC3\xA9" + "\xE2\x80\xA8" +
                           "\xE2\x80\xA9" + "\x80" + "\xE2\x82" + "\xC0\xAF" + "\xED\xA0\x80" + "!";

}  // namespace

TEST_CASE("kValueJson: short escapes for every control JSON names, the rest copied as given", "[text][json]") {
  CHECK(json_string(kMixed, kValueJson) ==
        std::string("\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\x7f\xC3\xA9\xE2\x80\xA8\xE2\x80\xA9\x80\xE2\x82\xC0\xAF\xED\xA0\x80!\""));
}

TEST_CASE("kLanguageLiteral: kValueJson's escapes with DEL escaped too, in uppercase hex", "[text][json]") {
  CHECK(json_string(kMixed, kLanguageLiteral) ==
        std::string("\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u007F\xC3\xA9\xE2\x80\xA8\xE2\x80\xA9\x80\xE2\x82\xC0\xAF\xED\xA0\x80!\""));
  CHECK(json_string("\x1f", kLanguageLiteral) == "\"\\u001F\"");
}

TEST_CASE("kAuditJson: kValueJson's escapes, each invalid byte as the bytes of U+FFFD", "[text][json]") {
  CHECK(json_string(kMixed, kAuditJson) ==
        std::string("\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\x7f\xC3\xA9\xE2\x80\xA8\xE2\x80\xA9") +
            "\xEF\xBF\xBD" + "\xEF\xBF\xBD\xEF\xBF\xBD" + "\xEF\xBF\xBD\xEF\xBF\xBD" + "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" +
            "!\"");
}

TEST_CASE("kGatewayJson: only \\n and \\t short, DEL escaped, invalid bytes as U+FFFD", "[text][json]") {
  CHECK(json_string(kMixed, kGatewayJson) ==
        std::string("\"q\\\"b\\\\s/\\u0008\\u000c\\n\\u000d\\t\\u0001\\u007f\xC3\xA9\xE2\x80\xA8\xE2\x80\xA9") +
            "\xEF\xBF\xBD" + "\xEF\xBF\xBD\xEF\xBF\xBD" + "\xEF\xBF\xBD\xEF\xBF\xBD" + "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" +
            "!\"");
}

TEST_CASE("kReportJson: \\n \\r \\t short, DEL escaped, invalid bytes as the escape \\ufffd", "[text][json]") {
  CHECK(json_string(kMixed, kReportJson) ==
        "\"q\\\"b\\\\s/\\u0008\\u000c\\n\\r\\t\\u0001\\u007f\xC3\xA9\xE2\x80\xA8\xE2\x80\xA9"
        "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd!\"");
}

TEST_CASE("kDiagnosticJson: kReportJson, with U+2028 and U+2029 escaped", "[text][json]") {
  CHECK(json_string(kMixed, kDiagnosticJson) ==
        "\"q\\\"b\\\\s/\\u0008\\u000c\\n\\r\\t\\u0001\\u007f\xC3\xA9\\u2028\\u2029"
        "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd!\"");
}

TEST_CASE("the writer finds escapes across word boundaries and at the ends", "[text][json]") {
  // Plain runs longer than the eight-byte scan words, with the byte to escape
  // at every offset of a word, and text that is nothing but escapes.
  for (std::size_t at = 0; at < 20; ++at) {
    for (const char special : {'"', '\x1f', '\x7f'}) {
      std::string text(20, 'a');
      text[at] = special;
      const std::string escaped = special == '"' ? "\\\"" : special == '\x1f' ? "\\u001f" : "\\u007f";
      std::string expected = "\"" + std::string(at, 'a') + escaped + std::string(19 - at, 'a') + "\"";
      CHECK(json_string(text, kGatewayJson) == expected);
    }
    std::string text(20, 'a');
    text.replace(at, 1, "\xFF");
    CHECK(json_string(text, kReportJson) == "\"" + std::string(at, 'a') + "\\ufffd" + std::string(19 - at, 'a') + "\"");
  }
  CHECK(json_string("", kValueJson) == "\"\"");
  CHECK(json_string("\"\"", kAuditJson) == "\"\\\"\\\"\"");
  CHECK(json_string(std::string(1, '\0'), kValueJson) == "\"\\u0000\"");
}

TEST_CASE("every style's output is valid UTF-8 when the style replaces invalid bytes", "[text][json][utf8]") {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all += static_cast<char>(byte);
  for (const JsonStringStyle* style : {&kAuditJson, &kGatewayJson, &kReportJson, &kDiagnosticJson}) {
    const std::string out = json_string(all, *style);
    CHECK(simdjson::validate_utf8(out.data(), out.size()));
  }
  const std::string trusting = json_string(all, kValueJson);
  CHECK_FALSE(simdjson::validate_utf8(trusting.data(), trusting.size()));  // it trusts its input
}

TEST_CASE("decode_utf8 accepts exactly RFC 3629 and utf8_problem says why not", "[text][utf8]") {
  CHECK(decode_utf8("\xC3\xA9", 0).code_point == 0xE9);
  CHECK(decode_utf8("\xF0\x9F\x94\x91", 0).length == 4);
  CHECK(decode_utf8("\xF4\x8F\xBF\xBF", 0).code_point == 0x10FFFF);
  struct Case {
    const char* bytes;
    Utf8Problem problem;
  };
  const Case cases[] = {{"a", Utf8Problem::None},
                        {"\x80", Utf8Problem::StrayContinuation},
                        {"\xC1\xBF", Utf8Problem::OverlongLead},
                        {"\xF5\x80\x80\x80", Utf8Problem::ImpossibleByte},
                        {"\xFF", Utf8Problem::ImpossibleByte},
                        {"\xE2\x82", Utf8Problem::Truncated},
                        {"\xE2\x28\xA1", Utf8Problem::CutShort},
                        {"\xE0\x80\xAF", Utf8Problem::Overlong},
                        {"\xF0\x80\x80\xAF", Utf8Problem::Overlong},
                        {"\xED\xA0\x80", Utf8Problem::Surrogate},
                        {"\xF4\x90\x80\x80", Utf8Problem::AboveMaximum}};
  for (const Case& c : cases) {
    INFO(c.bytes);
    CHECK(utf8_problem(c.bytes, 0) == c.problem);
    CHECK((decode_utf8(c.bytes, 0).length == 0) == (c.problem != Utf8Problem::None));
  }
  std::string out;
  for (char32_t cp : {U'a', U'\u00e9', U'\u20ac', U'\U0001F511'}) append_utf8(out, cp);
  CHECK(out == "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x91");
}

TEST_CASE("closest_name: one threshold, max(2, n/3) and below n", "[text][suggest]") {
  const std::vector<std::string_view> names = {"account", "note", "newText", "get_account", "aggregate_only", "id"};
  CHECK(closest_name("acount", names) == "account");
  CHECK(closest_name("nwe", names) == "note");  // two edits in a three-letter name
  CHECK(closest_name("get_acount", names) == "get_account");
  CHECK(closest_name("Account", names) == "account");  // case alone differs: nearest of all
  CHECK(closest_name("aggregate", names) == "aggregate_only");  // a prefix when nothing is near
  CHECK(closest_name("x", names).empty());  // would rewrite the whole name
  CHECK(closest_name("zz", names).empty());
  CHECK(closest_name("note", std::vector<std::string_view>{"note"}).empty());  // never `wanted` itself
  CHECK(closest_name("completely_different", names).empty());
  CHECK(closest_name_limit(0) == 0);
  CHECK(closest_name_limit(1) == 0);
  CHECK(closest_name_limit(2) == 1);
  CHECK(closest_name_limit(3) == 2);
  CHECK(closest_name_limit(8) == 2);
  CHECK(closest_name_limit(9) == 3);
  CHECK(closest_name_limit(30) == 10);
  const std::vector<std::string> owned = {"mcp.filesystem", "std.obligations"};
  CHECK(closest_name("mcp.filesytem", owned) == "mcp.filesystem");
  CHECK(closest_name("std.obligation", owned) == "std.obligations");
}

TEST_CASE("closest_name: the first of equally near candidates, and a hostile length costs little", "[text][suggest]") {
  const std::vector<std::string_view> names = {"cat", "bat"};
  CHECK(closest_name("hat", names) == "cat");
  const std::string huge(1 << 20, 'a');
  CHECK(closest_name(huge, names).empty());
  CHECK(closest_name(huge, std::vector<std::string_view>{"", "aaaa"}).empty());
}

TEST_CASE("read_principal_json: roles, id and attributes, explicit or from the other keys", "[text][principal]") {
  Principal principal;
  CHECK_FALSE(read_principal_json(R"({"id":"u-1","roles":["a","b"],"manages":["east"],"level":3})", principal));
  CHECK(principal.id == "u-1");
  CHECK(principal.roles == std::vector<std::string>{"a", "b"});
  CHECK(principal.attributes_json == R"({"manages":["east"],"level":3})");

  // A later object replaces roles and attributes; explicit `attributes` win
  // over the other keys, whatever their order.
  CHECK_FALSE(read_principal_json(R"({"team":"x","roles":["c"],"attributes":{"a":1}})", principal));
  CHECK(principal.roles == std::vector<std::string>{"c"});
  CHECK(principal.attributes_json == R"({"a":1})");
  // Neither: attributes stay.
  CHECK_FALSE(read_principal_json(R"({"roles":[]})", principal));
  CHECK(principal.roles.empty());
  CHECK(principal.attributes_json == R"({"a":1})");
  // Keys are written as JSON strings.
  Principal quoted;
  CHECK_FALSE(read_principal_json(R"({"a\"b":true})", quoted));
  CHECK(quoted.attributes_json == R"({"a\"b":true})");
}

TEST_CASE("read_principal_json: refusals name the key and the source", "[text][principal]") {
  Principal principal;
  principal.id = "u-1";
  CHECK(read_principal_json(R"({"roles":"admin"})", principal, "`users.json`") ==
        "`roles` in `users.json` must be an array of strings");
  CHECK(read_principal_json(R"({"roles":[1]})", principal) == "`roles` must be an array of strings");
  CHECK(read_principal_json(R"({"id":7})", principal) == "`id` must be a string");
  CHECK(read_principal_json(R"({"attributes":[]})", principal, "`p.json`") == "`attributes` in `p.json` must be an object");
  CHECK(read_principal_json(R"({"id":"u-2"})", principal, "`p.json`") == "`p.json` is for user `u-2`, not `u-1`");
  CHECK(read_principal_json(R"([1])", principal) == "the user must be a JSON object");
  CHECK(read_principal_json(R"({"id":)", principal) == "the user must be a JSON object");
  CHECK_FALSE(read_principal_json(R"({"id":"u-1"})", principal));
}

TEST_CASE("read_principal_json: a parsed object reads as its text does", "[text][principal]") {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  REQUIRE(parser.parse(std::string_view(R"({"u":{"id":"u-1","roles":["a"],"team":"x","n":1.5}})")).get_object().get(object) ==
          simdjson::SUCCESS);
  simdjson::dom::object user;
  REQUIRE(object["u"].get_object().get(user) == simdjson::SUCCESS);
  Principal from_object, from_text;
  CHECK_FALSE(read_principal_json(user, from_object));
  CHECK_FALSE(read_principal_json(simdjson::minify(user), from_text));
  CHECK(from_object.id == from_text.id);
  CHECK(from_object.roles == from_text.roles);
  CHECK(from_object.attributes_json == from_text.attributes_json);
  CHECK(from_object.attributes_json == R"({"team":"x","n":1.5})");
  Principal other;
  other.id = "u-2";
  CHECK(read_principal_json(user, other, "`p.json`") == "`p.json` is for user `u-1`, not `u-2`");
}

TEST_CASE("days_from_civil and days_in_month are the runtime's calendar, shared with the compiler", "[text][time]") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(0, 1, 1) == -719528);
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(1900, 2) == 28);
  CHECK(days_in_month(2000, 2) == 29);
  CHECK(days_in_month(2026, 4) == 30);
  CHECK(format_timestamp(days_from_civil(2026, 12, 1) * 86'400'000) == "2026-12-01T00:00:00Z");
}
