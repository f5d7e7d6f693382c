// request_check.h — the HTTP front's judgement of one parsed request, before
// any token is verified or anything reaches a session: pure functions from a
// request's method, target and headers to accept / refuse (fuzz targets).
//
// Contract: check_request() returns a Verdict whose `status` is 0 when the
// request may proceed to `route`, else the HTTP status to answer with and a
// lowercase `message` (the connection is then closed: a refused request
// never leaves the parser in a state another request could follow). Checks,
// in order:
//   framing   more than one Content-Length, or Content-Length together with
//             Transfer-Encoding, or a Transfer-Encoding other than `chunked`
//             (request smuggling): 400;
//   route     `/healthz` (GET), `/metrics` (GET, only with `metrics`; else
//             404 like any unknown path), the protected-resource metadata path (GET),
//             the MCP path (POST, GET, DELETE; other methods 405), anything
//             else 404; a query string is not part of the match (and is
//             refused on the MCP path: tokens never travel in URLs);
//   Origin    present and not exactly one of `allowed_origins`: 403 (the
//             MCP path only; DNS rebinding);
//   version   `MCP-Protocol-Version` present and not a supported version: 400;
//   session   `Mcp-Session-Id` present but empty, longer than 128 bytes or
//             not visible ASCII: 400; absent on GET / DELETE: 400;
//   POST      `Content-Type` not application/json: 415; `Accept` not
//             covering both application/json and text/event-stream: 406;
//   GET       `Accept` not covering text/event-stream: 406.
// Several headers of one name that must be single (Origin, the MCP headers,
// Content-Type, Authorization) are refused: 400.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace authz::http {

enum class Route { Mcp, Metadata, Health, Metrics };

// The media type of a Content-Type value: before any `;`, spaces and tabs
// trimmed ("application/json; charset=utf-8" -> "application/json"). Compare it
// with boost::beast::iequals (media types are case-insensitive).
std::string_view media_type(std::string_view content_type);

struct RequestFacts {
  std::string_view method;  // "POST", as sent
  std::string_view target;  // origin-form, "/mcp?x"
  // Each header's values in order (empty vector: absent).
  std::vector<std::string_view> content_length, transfer_encoding, origin, accept, content_type, protocol_version,
      session_id, authorization;
};

struct RequestRules {
  std::string mcp_path = "/mcp";
  std::string metadata_path = "/.well-known/oauth-protected-resource/mcp";
  std::vector<std::string> allowed_origins;
  bool metrics = false;  // [http].metrics: serve GET /metrics
};

struct Verdict {
  int status = 0;  // 0: accepted
  std::string_view message;
  Route route = Route::Mcp;
};

Verdict check_request(const RequestFacts& request, const RequestRules& rules);

// The raw request head (request line and header fields, up to and including
// the blank line) before Beast parses it: 0 when acceptable, else 400 with a
// message. Refused: a bare CR or a bare LF anywhere, an obsolete line
// folding (a field line starting with SP or HTAB), a control character other
// than HTAB in a field, whitespace between a field name and its colon.
// Beast refuses most of these too; this keeps the rule ours, whichever
// parser runs, since a front proxy that reads them differently is how
// requests get smuggled.
Verdict check_raw_head(std::string_view head);

// The MCP protocol versions the front accepts in MCP-Protocol-Version.
bool supported_protocol_version(std::string_view version);

// Whether an Accept header value admits `media` ("type/subtype"): an entry
// equal to it, `type/*` or `*/*`, case-insensitive, parameters ignored,
// except an entry with q=0.
bool accepts(std::string_view accept, std::string_view media);

// The bearer token of the Authorization header values: Ok with `token`, or
// Missing (no header, or another scheme), or Malformed (several headers,
// `Bearer` without a token68, spaces inside).
enum class BearerStatus { Ok, Missing, Malformed };
BearerStatus bearer_token(const std::vector<std::string_view>& authorization, std::string_view& token);

// The protected-resource metadata path of an MCP resource URI
// (RFC 9728 §3.1): `/.well-known/oauth-protected-resource` + its path.
std::string metadata_path_for(std::string_view resource_path);

}  // namespace authz::http
