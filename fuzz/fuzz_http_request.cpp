// fuzz_http_request.cpp — feeds bytes to the HTTP front's pure request
// checks (tools/http/request_check.h) as the server does: the request head
// (up to the first CRLF CRLF) to check_raw_head; when it passes, the bytes to
// Boost.Beast's request parser and the parsed method, target and headers to
// check_request under fixed rules (path /mcp, one allowed Origin); the
// Authorization values to bearer_token; and the whole input to the SSE parser
// (tools/http/sse.h) twice, in one piece and byte by byte.
// Asserts (the contract of request_check.h restated independently):
//   - check_raw_head accepts only heads with no bare CR, no bare LF, no
//     control character but HTAB, no line folding, no space before a colon;
//   - check_request refuses with one of 400 403 404 405 406 415 and a
//     message, or accepts only when: at most one Content-Length, never with
//     Transfer-Encoding, Transfer-Encoding only `chunked`; the route matches
//     the path (GET for /healthz and the metadata paths, POST GET DELETE for /mcp,
//     no query on /mcp); on /mcp at most one Origin and it is allowed, at
//     most one MCP-Protocol-Version and it is supported, session ids single,
//     1-128 visible ASCII, present on GET and DELETE; POST carries
//     Content-Type application/json and accepts JSON and SSE; GET accepts
//     SSE; at most one Authorization;
//   - bearer_token's token is a non-empty RFC 6750 token68;
//   - the SSE parser gives the same events and the same verdict whatever the
//     split of its input, and no event's data exceeds its limit.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "tools/http/request_check.h"
#include "tools/http/sse.h"

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace th = authz::http;

namespace {

constexpr std::size_t kMaxEvent = 256;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The raw-head rules, written again from the contract.
bool head_is_clean(std::string_view head) {
  for (std::size_t i = 0; i < head.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(head[i]);
    if (c == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n')) return false;
    if (c == '\n' && (i == 0 || head[i - 1] != '\r')) return false;
    if (c < 0x20 && c != '\t' && c != '\r' && c != '\n') return false;
    if (c == 0x7f) return false;
  }
  std::size_t start = head.find("\r\n");
  while (start != std::string_view::npos && start + 2 < head.size()) {
    const std::size_t end = head.find("\r\n", start + 2);
    const std::string_view line = head.substr(start + 2, end == std::string_view::npos ? std::string_view::npos : end - start - 2);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) return false;  // obsolete folding
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && colon > 0 && (line[colon - 1] == ' ' || line[colon - 1] == '\t')) return false;
    start = end;
  }
  return true;
}

bool token68(std::string_view token) {
  if (token.empty()) return false;
  std::size_t i = 0;
  auto body = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  };
  while (i < token.size() && body(token[i])) ++i;
  if (i == 0) return false;
  while (i < token.size() && token[i] == '=') ++i;
  return i == token.size();
}

void collect(const bhttp::request<bhttp::string_body>& request, std::string_view name, std::vector<std::string_view>& out) {
  auto range = request.equal_range(beast::string_view(name.data(), name.size()));
  for (auto it = range.first; it != range.second; ++it) out.emplace_back(it->value().data(), it->value().size());
}

bool visible_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

void check_accepted(const th::RequestFacts& f, const th::RequestRules& rules, const th::Verdict& v) {
  FUZZ_REQUIRE(f.content_length.size() <= 1);
  FUZZ_REQUIRE(f.content_length.empty() || f.transfer_encoding.empty());
  for (std::string_view te : f.transfer_encoding) FUZZ_REQUIRE(iequals(trim(te), "chunked"));
  const std::string_view path = f.target.substr(0, f.target.find('?'));
  switch (v.route) {
    case th::Route::Health: FUZZ_REQUIRE(path == "/healthz" && f.method == "GET"); return;
    case th::Route::Metadata:
      FUZZ_REQUIRE((path == rules.metadata_path || path == "/.well-known/oauth-protected-resource") && f.method == "GET");
      return;
    case th::Route::Metrics: FUZZ_REQUIRE(rules.metrics && path == "/metrics" && f.method == "GET"); return;
    case th::Route::Mcp: break;
  }
  FUZZ_REQUIRE(f.target == rules.mcp_path);
  FUZZ_REQUIRE(f.method == "POST" || f.method == "GET" || f.method == "DELETE");
  FUZZ_REQUIRE(f.origin.size() <= 1);
  if (!f.origin.empty()) {
    FUZZ_REQUIRE(std::find(rules.allowed_origins.begin(), rules.allowed_origins.end(), f.origin[0]) != rules.allowed_origins.end());
  }
  FUZZ_REQUIRE(f.protocol_version.size() <= 1);
  if (!f.protocol_version.empty()) FUZZ_REQUIRE(th::supported_protocol_version(trim(f.protocol_version[0])));
  FUZZ_REQUIRE(f.session_id.size() <= 1);
  if (!f.session_id.empty()) {
    FUZZ_REQUIRE(!f.session_id[0].empty() && f.session_id[0].size() <= 128 && visible_ascii(f.session_id[0]));
  }
  if (f.method != "POST") FUZZ_REQUIRE(f.session_id.size() == 1);
  FUZZ_REQUIRE(f.authorization.size() <= 1);
  std::string accept;
  for (std::string_view value : f.accept) accept += std::string(accept.empty() ? "" : ",") + std::string(value);
  if (f.method == "POST") {
    FUZZ_REQUIRE(f.content_type.size() == 1);
    FUZZ_REQUIRE(iequals(trim(f.content_type[0].substr(0, f.content_type[0].find(';'))), "application/json"));
    FUZZ_REQUIRE(th::accepts(accept, "application/json") && th::accepts(accept, "text/event-stream"));
  }
  if (f.method == "GET") FUZZ_REQUIRE(th::accepts(accept, "text/event-stream"));
}

struct Events {
  std::vector<std::string> seen;
  bool ok = true;
};

Events sse(std::string_view input, bool byte_by_byte) {
  th::SseParser parser(kMaxEvent);
  Events out;
  auto on_event = [&](std::string_view type, std::string_view id, std::string_view data) {
    FUZZ_REQUIRE(data.size() <= kMaxEvent);
    out.seen.push_back(std::string(type) + '\0' + std::string(id) + '\0' + std::string(data));
  };
  if (!byte_by_byte) {
    out.ok = parser.feed(input, on_event);
    return out;
  }
  for (std::size_t i = 0; i < input.size() && out.ok; ++i) out.ok = parser.feed(input.substr(i, 1), on_event);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // The SSE parser: the same events whatever the split (until a refusal).
  const Events whole = sse(input, false), bytes = sse(input, true);
  if (whole.ok && bytes.ok) {
    FUZZ_REQUIRE(whole.seen == bytes.seen);
  } else {
    FUZZ_REQUIRE(!whole.ok && !bytes.ok);
    // Both stop at the oversized event: what came before it is the same.
    const std::size_t n = std::min(whole.seen.size(), bytes.seen.size());
    FUZZ_REQUIRE(std::equal(whole.seen.begin(), whole.seen.begin() + static_cast<std::ptrdiff_t>(n), bytes.seen.begin()));
  }

  // The request, as the server takes it.
  const std::size_t head_end = input.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return 0;
  const std::string_view head = input.substr(0, head_end + 4);
  const th::Verdict raw = th::check_raw_head(head);
  if (raw.status != 0) {
    FUZZ_REQUIRE(raw.status == 400 && !raw.message.empty());
    return 0;
  }
  FUZZ_REQUIRE(head_is_clean(head));

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(4096);
  parser.eager(true);
  beast::error_code ec;
  parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (ec && ec != bhttp::error::need_more) return 0;
  if (!parser.is_header_done()) return 0;
  const auto& request = parser.get();

  th::RequestFacts facts;
  facts.method = std::string_view(request.method_string().data(), request.method_string().size());
  facts.target = std::string_view(request.target().data(), request.target().size());
  collect(request, "content-length", facts.content_length);
  collect(request, "transfer-encoding", facts.transfer_encoding);
  collect(request, "origin", facts.origin);
  collect(request, "accept", facts.accept);
  collect(request, "content-type", facts.content_type);
  collect(request, "mcp-protocol-version", facts.protocol_version);
  collect(request, "mcp-session-id", facts.session_id);
  collect(request, "authorization", facts.authorization);

  th::RequestRules rules;
  rules.allowed_origins = {"http://localhost:6274"};
  rules.metrics = facts.target.size() % 2 == 0;  // /metrics served or not, chosen by the input
  const th::Verdict verdict = th::check_request(facts, rules);
  if (verdict.status == 0) {
    check_accepted(facts, rules, verdict);
  } else {
    const int s = verdict.status;
    FUZZ_REQUIRE(s == 400 || s == 403 || s == 404 || s == 405 || s == 406 || s == 415);
    FUZZ_REQUIRE(!verdict.message.empty());
  }

  std::string_view token;
  if (th::bearer_token(facts.authorization, token) == th::BearerStatus::Ok) {
    FUZZ_REQUIRE(facts.authorization.size() == 1);
    FUZZ_REQUIRE(token68(token));
  }
  return 0;
}
