// http_request_check_test.cpp — the HTTP front's pure request judgement
// (tools/http/request_check.h): framing, routes, Origin, protocol version,
// session id syntax, content negotiation, bearer extraction, the raw head.
#include <catch2/catch.hpp>

#include "tools/http/request_check.h"

using namespace authz::http;

namespace {

RequestFacts post() {
  RequestFacts facts;
  facts.method = "POST";
  facts.target = "/mcp";
  facts.content_type = {"application/json"};
  facts.accept = {"application/json, text/event-stream"};
  facts.content_length = {"10"};
  return facts;
}

RequestRules rules() {
  RequestRules rules;
  rules.allowed_origins = {"https://app.example"};
  return rules;
}

}  // namespace

TEST_CASE("http check: a well-formed MCP POST is accepted", "[http]") {
  Verdict verdict = check_request(post(), rules());
  CHECK(verdict.status == 0);
  CHECK(verdict.route == Route::Mcp);
  auto facts = post();
  facts.content_type = {"application/json; charset=utf-8"};
  facts.accept = {"*/*"};
  facts.protocol_version = {"2025-11-25"};
  facts.session_id = {"0123456789abcdef0123456789abcdef"};
  facts.origin = {"https://app.example"};
  CHECK(check_request(facts, rules()).status == 0);
}

TEST_CASE("http check: ambiguous framing is refused before anything else", "[http]") {
  auto facts = post();
  facts.content_length = {"10", "10"};
  CHECK(check_request(facts, rules()).status == 400);
  facts = post();
  facts.transfer_encoding = {"chunked"};
  CHECK(check_request(facts, rules()).status == 400);
  facts.content_length.clear();
  CHECK(check_request(facts, rules()).status == 0);
  facts.transfer_encoding = {"gzip, chunked"};
  CHECK(check_request(facts, rules()).status == 400);
  facts.transfer_encoding = {"chunked", "chunked"};
  CHECK(check_request(facts, rules()).status == 400);
  // Even on a route that would be a 404.
  facts = post();
  facts.target = "/elsewhere";
  facts.content_length = {"1", "2"};
  CHECK(check_request(facts, rules()).status == 400);
}

TEST_CASE("http check: routes and methods", "[http]") {
  auto facts = post();
  facts.target = "/nope";
  CHECK(check_request(facts, rules()).status == 404);
  facts.target = "/mcp/";
  CHECK(check_request(facts, rules()).status == 404);
  facts.target = "/mcp?access_token=x";
  CHECK(check_request(facts, rules()).status == 400);
  facts = post();
  facts.method = "PUT";
  CHECK(check_request(facts, rules()).status == 405);
  facts.method = "GET";
  facts.target = "/healthz";
  CHECK(check_request(facts, rules()).route == Route::Health);
  facts.target = "/.well-known/oauth-protected-resource/mcp";
  Verdict metadata = check_request(facts, rules());
  CHECK(metadata.status == 0);
  CHECK(metadata.route == Route::Metadata);
  facts.method = "POST";
  CHECK(check_request(facts, rules()).status == 405);
}

TEST_CASE("http check: /metrics only when enabled, GET only", "[http]") {
  RequestFacts facts;
  facts.method = "GET";
  facts.target = "/metrics";
  RequestRules off = rules();
  CHECK(check_request(facts, off).status == 404);  // like any unknown path
  RequestRules on = rules();
  on.metrics = true;
  Verdict verdict = check_request(facts, on);
  CHECK(verdict.status == 0);
  CHECK(verdict.route == Route::Metrics);
  facts.target = "/metrics?x=1";
  CHECK(check_request(facts, on).route == Route::Metrics);
  facts.target = "/metrics";
  facts.method = "POST";
  CHECK(check_request(facts, on).status == 405);
  facts.method = "GET";
  facts.target = "/metrics/";
  CHECK(check_request(facts, on).status == 404);
}

TEST_CASE("http check: Origin must be allowed exactly", "[http]") {
  auto facts = post();
  facts.origin = {"https://evil.example"};
  CHECK(check_request(facts, rules()).status == 403);
  facts.origin = {"https://app.example.evil"};
  CHECK(check_request(facts, rules()).status == 403);
  facts.origin = {"null"};
  CHECK(check_request(facts, rules()).status == 403);
  facts.origin = {"https://app.example", "https://app.example"};
  CHECK(check_request(facts, rules()).status == 400);
}

TEST_CASE("http check: protocol version, session id, negotiation", "[http]") {
  auto facts = post();
  facts.protocol_version = {"2024-11-05"};
  CHECK(check_request(facts, rules()).status == 400);
  facts.protocol_version = {"2025-06-18"};
  CHECK(check_request(facts, rules()).status == 0);
  facts.session_id = {""};
  CHECK(check_request(facts, rules()).status == 400);
  facts.session_id = {"has space"};
  CHECK(check_request(facts, rules()).status == 400);
  facts.session_id = {std::string_view("\x7f")};
  CHECK(check_request(facts, rules()).status == 400);
  facts = post();
  facts.accept = {"application/json"};
  CHECK(check_request(facts, rules()).status == 406);
  facts.accept = {"application/json, text/event-stream;q=0"};
  CHECK(check_request(facts, rules()).status == 406);
  facts.accept = {"application/*, text/*"};
  CHECK(check_request(facts, rules()).status == 0);
  facts.content_type = {"text/json"};
  CHECK(check_request(facts, rules()).status == 415);
  facts.content_type = {};
  CHECK(check_request(facts, rules()).status == 415);
  facts = post();
  facts.method = "GET";
  facts.content_type = {};
  facts.content_length = {};
  facts.accept = {"text/event-stream"};
  CHECK(check_request(facts, rules()).status == 400);  // a GET needs a session
  facts.session_id = {"abc"};
  CHECK(check_request(facts, rules()).status == 0);
  facts.accept = {"application/json"};
  CHECK(check_request(facts, rules()).status == 406);
  facts.method = "DELETE";
  CHECK(check_request(facts, rules()).status == 0);
}

TEST_CASE("http check: bearer tokens", "[http]") {
  std::string_view token;
  CHECK(bearer_token({}, token) == BearerStatus::Missing);
  CHECK(bearer_token({"Basic dXNlcjpwYXNz"}, token) == BearerStatus::Missing);
  CHECK(bearer_token({"Bearer abc.def-_~+/ghi=="}, token) == BearerStatus::Ok);
  CHECK(token == "abc.def-_~+/ghi==");
  CHECK(bearer_token({"bearer   abc"}, token) == BearerStatus::Ok);
  CHECK(token == "abc");
  CHECK(bearer_token({"Bearer"}, token) == BearerStatus::Malformed);
  CHECK(bearer_token({"Bearer a b"}, token) == BearerStatus::Malformed);
  CHECK(bearer_token({"Bearer a=b"}, token) == BearerStatus::Malformed);
  CHECK(bearer_token({"Bearer a", "Bearer b"}, token) == BearerStatus::Malformed);
}

TEST_CASE("http check: the raw head", "[http]") {
  CHECK(check_raw_head("POST /mcp HTTP/1.1\r\nHost: x\r\nA: b\tc\r\n\r\n").status == 0);
  CHECK(check_raw_head("POST /mcp HTTP/1.1\r\nA: b\rc\r\n\r\n").status == 400);
  CHECK(check_raw_head("POST /mcp HTTP/1.1\r\nA: b\nC: d\r\n\r\n").status == 400);
  CHECK(check_raw_head("POST /mcp HTTP/1.1\nA: b\r\n\r\n").status == 400);
  CHECK(check_raw_head("POST /mcp HTTP/1.1\r\nA: b\r\n c\r\n\r\n").status == 400);
  CHECK(check_raw_head("POST /mcp HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n").status == 400);
  CHECK(check_raw_head("POST /mcp HTTP/1.1\r\nContent-Length : 5\r\n\r\n").status == 400);
  CHECK(check_raw_head(std::string_view("POST /mcp HTTP/1.1\r\nA: \0\r\n\r\n", 27)).status == 400);
  CHECK(check_raw_head("POST /mcp HTTP/1.1\r\nA: b\r").status == 400);
}

TEST_CASE("http check: metadata path of a resource", "[http]") {
  CHECK(metadata_path_for("/mcp") == "/.well-known/oauth-protected-resource/mcp");
  CHECK(metadata_path_for("/") == "/.well-known/oauth-protected-resource");
}
