// request_check.cpp — see request_check.h.
#include "tools/http/request_check.h"

#include <algorithm>
#include <cctype>

#include <boost/beast/core/string.hpp>

namespace authz::http {
namespace {

using boost::beast::iequals;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool visible_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

Verdict refuse(int status, std::string_view message, Route route = Route::Mcp) {
  return Verdict{status, message, route};
}

}  // namespace

std::string_view media_type(std::string_view content_type) {
  return trim(content_type.substr(0, content_type.find(';')));
}

bool supported_protocol_version(std::string_view version) {
  return version == "2025-11-25" || version == "2025-06-18" || version == "2025-03-26";
}

bool accepts(std::string_view accept, std::string_view media) {
  const std::string_view type = media.substr(0, media.find('/'));
  while (!accept.empty()) {
    auto comma = accept.find(',');
    std::string_view entry = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    std::string_view range = media_type(entry);
    // q=0 means "not acceptable".
    std::string_view parameters =
        entry.find(';') == std::string_view::npos ? std::string_view() : entry.substr(entry.find(';'));
    bool refused = false;
    while (!parameters.empty()) {
      parameters.remove_prefix(1);
      auto next = parameters.find(';');
      std::string_view parameter = trim(parameters.substr(0, next));
      parameters = next == std::string_view::npos ? std::string_view() : parameters.substr(next);
      if (parameter.size() >= 2 && (parameter[0] == 'q' || parameter[0] == 'Q') && parameter[1] == '=') {
        std::string_view q = parameter.substr(2);
        refused = !q.empty() && std::all_of(q.begin(), q.end(), [](char c) { return c == '0' || c == '.'; });
      }
    }
    if (refused) continue;
    if (iequals(range, media) || range == "*/*") return true;
    if (range.size() == type.size() + 2 && iequals(range.substr(0, type.size()), type) &&
        range.substr(type.size()) == "/*") {
      return true;
    }
  }
  return false;
}

BearerStatus bearer_token(const std::vector<std::string_view>& authorization, std::string_view& token) {
  if (authorization.empty()) return BearerStatus::Missing;
  if (authorization.size() > 1) return BearerStatus::Malformed;
  std::string_view value = trim(authorization.front());
  auto space = value.find(' ');
  if (space == std::string_view::npos)
    return iequals(value, "bearer") ? BearerStatus::Malformed : BearerStatus::Missing;
  if (!iequals(value.substr(0, space), "bearer")) return BearerStatus::Missing;
  std::string_view rest = value.substr(space);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  // token68 (RFC 7235): ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "=" padding.
  std::size_t i = 0;
  while (i < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[i])) ||
                             std::string_view("-._~+/").find(rest[i]) != std::string_view::npos))
    ++i;
  std::size_t end = i;
  while (end < rest.size() && rest[end] == '=') ++end;
  if (i == 0 || end != rest.size()) return BearerStatus::Malformed;
  token = rest;
  return BearerStatus::Ok;
}

std::string metadata_path_for(std::string_view resource_path) {
  std::string path = "/.well-known/oauth-protected-resource";
  if (resource_path != "/") path += resource_path;
  return path;
}

Verdict check_raw_head(std::string_view head) {
  bool line_start = true;
  bool first_line = true;
  bool in_name = true;  // inside a field name (before its colon)
  for (std::size_t i = 0; i < head.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(head[i]);
    if (c == '\r') {
      if (i + 1 >= head.size() || head[i + 1] != '\n') return refuse(400, "a bare carriage return in the request head");
      ++i;
      line_start = true;
      first_line = false;
      in_name = true;
      continue;
    }
    if (c == '\n') return refuse(400, "a bare line feed in the request head");
    if (line_start && !first_line && (c == ' ' || c == '\t'))
      return refuse(400, "an obsolete line folding in the request head");
    line_start = false;
    if ((c < 0x20 && c != '\t') || c == 0x7f) return refuse(400, "a control character in the request head");
    if (!first_line && in_name) {
      if (c == ':')
        in_name = false;
      else if (c == ' ' || c == '\t')
        return refuse(400, "whitespace before the colon of a header field");
    }
  }
  return Verdict{};
}

Verdict check_request(const RequestFacts& request, const RequestRules& rules) {
  // Framing first: whatever the route, an ambiguous body length is refused.
  if (request.content_length.size() > 1) return refuse(400, "more than one content-length");
  if (!request.transfer_encoding.empty()) {
    if (!request.content_length.empty()) return refuse(400, "both content-length and transfer-encoding");
    if (request.transfer_encoding.size() > 1 || !iequals(trim(request.transfer_encoding.front()), "chunked")) {
      return refuse(400, "unsupported transfer-encoding");
    }
  }
  if (request.origin.size() > 1 || request.accept.size() > 1 || request.content_type.size() > 1 ||
      request.protocol_version.size() > 1 || request.session_id.size() > 1 || request.authorization.size() > 1) {
    return refuse(400, "a header that must appear once appears several times");
  }

  std::string_view target = request.target;
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  if (path == "/healthz") {
    return request.method == "GET" ? Verdict{0, {}, Route::Health} : refuse(405, "method not allowed", Route::Health);
  }
  if (path == "/metrics" && rules.metrics && path != rules.mcp_path) {
    return request.method == "GET" ? Verdict{0, {}, Route::Metrics} : refuse(405, "method not allowed", Route::Metrics);
  }
  if (path == rules.metadata_path || path == "/.well-known/oauth-protected-resource") {
    return request.method == "GET" ? Verdict{0, {}, Route::Metadata}
                                   : refuse(405, "method not allowed", Route::Metadata);
  }
  if (path != rules.mcp_path) return refuse(404, "not found");
  if (question != std::string_view::npos) return refuse(400, "the mcp endpoint takes no query string");
  const bool post = request.method == "POST", get = request.method == "GET", del = request.method == "DELETE";
  if (!post && !get && !del) return refuse(405, "method not allowed");

  if (!request.origin.empty()) {
    const std::string_view origin = request.origin.front();
    if (std::find(rules.allowed_origins.begin(), rules.allowed_origins.end(), origin) == rules.allowed_origins.end()) {
      return refuse(403, "origin not allowed");
    }
  }
  if (!request.protocol_version.empty() && !supported_protocol_version(trim(request.protocol_version.front()))) {
    return refuse(400, "unsupported mcp-protocol-version");
  }
  if (!request.session_id.empty()) {
    std::string_view id = request.session_id.front();
    if (id.empty() || id.size() > 128 || !visible_ascii(id)) return refuse(400, "malformed mcp-session-id");
  } else if (!post) {
    return refuse(400, "mcp-session-id is required");
  }
  if (post) {
    if (request.content_type.empty() || !iequals(media_type(request.content_type.front()), "application/json")) {
      return refuse(415, "content-type must be application/json");
    }
    const std::string_view accept = request.accept.empty() ? std::string_view() : request.accept.front();
    if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
      return refuse(406, "accept must allow application/json and text/event-stream");
    }
  } else if (get) {
    if (request.accept.empty() || !accepts(request.accept.front(), "text/event-stream")) {
      return refuse(406, "accept must allow text/event-stream");
    }
  }
  return Verdict{0, {}, Route::Mcp};
}

}  // namespace authz::http
