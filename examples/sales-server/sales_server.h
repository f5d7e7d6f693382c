// sales_server.h — the MCP side of the sales server: JSON-RPC messages in,
// responses out, every tools/call decided by the authz runtime first.
//
// Contract:
//   - handle(line) takes one newline-delimited JSON-RPC message and returns
//     the response line to write (none for notifications and for responses).
//     Malformed JSON -> -32700, not a request object -> -32600, unknown method
//     -> -32601, bad params / unknown tool -> -32602. Never throws to the
//     caller; an internal failure is a -32603 error for that request.
//   - tools/call: the runtime decides (user from Identity, `now` from the
//     injected clock, Account entities from the database). Denied -> a result
//     with isError and the end-user explanation (no other user's data). Every
//     decision is appended to the audit log first; if that fails the call is
//     denied. Obligations are applied or the call is refused:
//     rows_owned_by_caller / rows_in_caller_set / max_results on
//     list_accounts, aggregate_only on sales_summary, require_confirmation
//     (via an MCP elicitation, when the client supports it) on writes.
//   - list_accounts returns exactly the rows the caller could open with
//     get_account (the residual of get_account with `account` unknown, as a
//     parameterised SQL WHERE), further narrowed by its row-filter obligations.
//   - No SQL is ever built from request data: see sales_db.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/audit_log.h"
#include "runtime/engine.h"
#include "sales_db.h"

namespace sales_server {

struct Identity {
  std::string user;
  std::vector<std::string> roles;
  std::string attributes_json;  // JSON object; "" = {}
};

class SalesServer {
 public:
  // `now` returns ms since the epoch (injected for tests). `ask_client` sends a
  // JSON-RPC request (for elicitation) and returns the client's response line,
  // or nullopt when there is none.
  using Clock = std::function<std::int64_t()>;
  using AskClient = std::function<std::optional<std::string>(const std::string& request_line)>;

  SalesServer(authz::runtime::Engine engine, std::unique_ptr<SalesDb> db, authz::runtime::AuditLog audit,
              Identity identity, Clock now, AskClient ask_client);

  std::optional<std::string> handle(const std::string& line);

 private:
  struct ToolResult {
    bool is_error = false;
    std::string text;
  };
  std::string dispatch(const std::string& method, const std::string& id_json, const std::string& params_json, bool& respond);
  ToolResult call_tool(const std::string& name, const std::string& arguments_json);
  ToolResult run_tool(const std::string& name, const std::string& arguments_json,
                      const authz::runtime::Decision& decision);
  ToolResult list_accounts(const std::string& arguments_json, const authz::runtime::Decision& decision);
  ToolResult sales_summary(const std::string& arguments_json, const authz::runtime::Decision& decision);
  bool confirm(const std::string& message);

  authz::runtime::Engine engine_;
  std::unique_ptr<SalesDb> db_;
  authz::runtime::AuditLog audit_;
  Identity identity_;
  Clock now_;
  AskClient ask_client_;
  bool client_can_elicit_ = false;
  std::uint64_t next_request_id_ = 1;
};

// tools/list's result: the five tools with their inputSchemas.
std::string tools_list_json();

}  // namespace sales_server
