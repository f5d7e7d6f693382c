// json_text.h — the JSON the gateway writes itself: error responses, tool
// error results and notifications.
//
// Contract: every function returns one minified JSON-RPC message without a
// trailing newline. `id` is the exact JSON text of the request's id (as the
// client wrote it), so the answer carries the same id byte for byte. Strings
// are escaped so the output is valid JSON in valid UTF-8 whatever the input
// (invalid UTF-8 sequences become U+FFFD).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authz::gateway {

// Appends `text` as a JSON string literal (with quotes): the one writer of
// runtime/internal/json_string.h in its kGatewayJson style.
void append_json_string(std::string& out, std::string_view text);

// {"jsonrpc":"2.0","id":ID,"error":{"code":C,"message":M[,"data":{k:"v",...}]}}
std::string error_response(std::string_view id, int code, std::string_view message,
                           const std::vector<std::pair<std::string_view, std::string_view>>& data = {});

// {"jsonrpc":"2.0","id":ID,"result":{"content":[{"type":"text","text":T}],"isError":true,
//  "_meta":{"authz/decision_id":D,"authz/reason":R}}}
std::string tool_error_result(std::string_view id, std::string_view text, std::string_view decision_id,
                              std::string_view reason);

// {"jsonrpc":"2.0","method":M}
std::string notification(std::string_view method);

}  // namespace authz::gateway
