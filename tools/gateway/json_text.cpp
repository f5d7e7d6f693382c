// json_text.cpp — see json_text.h.
#include "tools/gateway/json_text.h"

#include "runtime/internal/json_string.h"

namespace authz::gateway {
void append_json_string(std::string& out, std::string_view text) {
  runtime::internal::append_json_string(out, text, runtime::internal::kGatewayJson);
}

std::string error_response(std::string_view id, int code, std::string_view message,
                           const std::vector<std::pair<std::string_view, std::string_view>>& data) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"id\":";
  out += id;
  out += ",\"error\":{\"code\":";
  out += std::to_string(code);
  out += ",\"message\":";
  append_json_string(out, message);
  if (!data.empty()) {
    out += ",\"data\":{";
    bool first = true;
    for (const auto& [key, value] : data) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, key);
      out += ':';
      append_json_string(out, value);
    }
    out += '}';
  }
  out += "}}";
  return out;
}

std::string tool_error_result(std::string_view id, std::string_view text, std::string_view decision_id,
                              std::string_view reason) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"id\":";
  out += id;
  out += ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":";
  append_json_string(out, text);
  out += "}],\"isError\":true,\"_meta\":{\"authz/decision_id\":";
  append_json_string(out, decision_id);
  out += ",\"authz/reason\":";
  append_json_string(out, reason);
  out += "}}}";
  return out;
}

std::string notification(std::string_view method) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"method\":";
  append_json_string(out, method);
  out += '}';
  return out;
}

}  // namespace authz::gateway
