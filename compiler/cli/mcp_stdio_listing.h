// mcp_stdio_listing.h — start an MCP server over stdio and ask it what it
// offers: initialize, notifications/initialized, then tools/list (and
// prompts/list, resources/list, resources/templates/list when the server
// announces those capabilities), following `nextCursor` through every page.
//
// Contract: returns one JSON object {"server": serverInfo, "tools": [...],
// "prompts"?: [...], "resources"?: [...], "resourceTemplates"?: [...]} that
// schema_to_authz.h reads, or an error message (the server could not be
// started, exited, answered with an error, sent something that is not JSON,
// or did not answer within the timeout). The server's stderr passes through.
// The child is always reaped: stdin closed, then SIGTERM, then SIGKILL after
// a grace period. Requests the server sends us are answered "method not
// found"; notifications are ignored. Never throws for server behaviour.
#pragma once

#include <string>
#include <vector>

namespace authz::cli {

struct McpListingFetch {
  std::string listing_json;  // on success
  std::string error;         // empty on success
  bool ok() const { return error.empty(); }
};

McpListingFetch fetch_mcp_listing(const std::vector<std::string>& server_command, int timeout_ms);

}  // namespace authz::cli
