// sales_server.cpp — JSON-RPC dispatch and the five tools, each decided by
// the runtime before it touches the database (see sales_server.h).
#include "sales_server.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <exception>

#include "runtime/internal/value_text.h"
#include "runtime/partial_eval.h"
#include "runtime/sql_where.h"
#include "runtime/trace_render.h"

namespace sales_server {
namespace {

using namespace authz::runtime;

constexpr std::int64_t kServerRowLimit = 1000;  // when neither the caller nor the policy says less

std::string error_response(const std::string& id_json, int code, const std::string& message) {
  return "{\"jsonrpc\":\"2.0\",\"id\":" + id_json + ",\"error\":{\"code\":" + std::to_string(code) +
         ",\"message\":" + authz::runtime::quoted(message) + "}}";
}

std::string result_response(const std::string& id_json, const std::string& result_json) {
  return "{\"jsonrpc\":\"2.0\",\"id\":" + id_json + ",\"result\":" + result_json + "}";
}

std::string account_json(const Account& account) {
  return "{\"id\":" + authz::runtime::quoted(account.id) + ",\"name\":" + authz::runtime::quoted(account.name) + ",\"owner\":" + authz::runtime::quoted(account.owner) +
         ",\"team\":" + authz::runtime::quoted(account.team) + ",\"region\":" + authz::runtime::quoted(account.region) +
         ",\"pipeline\":" + std::to_string(account.pipeline) + "}";
}

// An obligation argument's JSON value as a string / integer.
std::optional<std::string> string_argument(const AppliedObligation& obligation, std::string_view name) {
  for (const auto& argument : obligation.arguments)
    if (argument.name == name && argument.value.kind == ValueKind::String)
      return std::string(argument.value.chars, argument.value.size);
  return std::nullopt;
}
std::optional<std::int64_t> int_argument(const AppliedObligation& obligation, std::string_view name) {
  for (const auto& argument : obligation.arguments)
    if (argument.name == name && argument.value.kind == ValueKind::Int) return argument.value.integer;
  return std::nullopt;
}

// Which account columns a row-filter obligation may name.
bool is_filter_column(const std::string& field) { return field == "owner" || field == "team" || field == "region"; }

// `a AND b` over two parameterised fragments.
SqlWhere conjoin(SqlWhere a, const SqlWhere& b) {
  a.sql = "(" + a.sql + ") AND (" + b.sql + ")";
  a.parameters.insert(a.parameters.end(), b.parameters.begin(), b.parameters.end());
  return a;
}

SqlParameter text_parameter(const std::string& text) {
  SqlParameter parameter;
  parameter.type = SqlParameter::Type::Text;
  parameter.text = text;
  return parameter;
}

}  // namespace

SalesServer::SalesServer(Engine engine, std::unique_ptr<SalesDb> db, AuditLog audit, Identity identity, Clock now,
                         AskClient ask_client)
    : engine_(std::move(engine)), db_(std::move(db)), audit_(std::move(audit)), identity_(std::move(identity)),
      now_(std::move(now)), ask_client_(std::move(ask_client)) {}

std::optional<std::string> SalesServer::handle(const std::string& line) {
  std::string id_json = "null";
  try {
    simdjson::dom::parser parser;
    simdjson::dom::element message;
    if (parser.parse(line).get(message)) return error_response("null", -32700, "parse error: not valid JSON");
    simdjson::dom::object object;
    if (message.get_object().get(object)) return error_response("null", -32600, "invalid request: not a JSON object");
    simdjson::dom::element id;
    bool has_id = !object["id"].get(id);
    if (has_id) {
      if (!id.is_string() && !id.is_int64() && !id.is_uint64())
        return error_response("null", -32600, "invalid request: `id` must be a string or an integer");
      id_json = simdjson::minify(id);
    }
    std::string_view method;
    if (object["method"].get_string().get(method)) {
      // A response (to our elicitation) arriving late, or garbage.
      if (has_id && (!object["result"].error() || !object["error"].error())) return std::nullopt;
      return error_response(id_json, -32600, "invalid request: `method` must be a string");
    }
    std::string params_json = "{}";
    simdjson::dom::element params;
    if (!object["params"].get(params)) {
      if (!params.is_object()) return has_id ? std::optional(error_response(id_json, -32602, "`params` must be an object")) : std::nullopt;
      params_json = simdjson::minify(params);
    }
    bool respond = has_id;
    std::string response = dispatch(std::string(method), id_json, params_json, respond);
    if (!respond) return std::nullopt;
    return response;
  } catch (const std::exception& error) {
    return error_response(id_json, -32603, std::string("internal error: ") + error.what());
  } catch (...) {
    return error_response(id_json, -32603, "internal error");
  }
}

std::string SalesServer::dispatch(const std::string& method, const std::string& id_json, const std::string& params_json,
                                  bool& respond) {
  simdjson::dom::parser parser;
  simdjson::dom::element params;
  if (parser.parse(params_json).get(params)) return error_response(id_json, -32602, "invalid params");
  if (method == "initialize") {
    simdjson::dom::element elicitation;
    client_can_elicit_ = !params["capabilities"]["elicitation"].get(elicitation);
    std::string_view version = "2025-06-18";
    std::string_view asked;
    if (!params["protocolVersion"].get_string().get(asked)) version = asked;
    return result_response(id_json, "{\"protocolVersion\":" + authz::runtime::quoted(version) +
                                         ",\"capabilities\":{\"tools\":{\"listChanged\":false}},"
                                         "\"serverInfo\":{\"name\":\"authz-sales-server\",\"version\":\"0.1.0\"},"
                                         "\"instructions\":\"Sales CRM. Every call is authorized per user by the authz policy.\"}");
  }
  if (method == "notifications/initialized" || method.rfind("notifications/", 0) == 0) {
    respond = false;
    return "";
  }
  if (method == "ping") return result_response(id_json, "{}");
  if (method == "tools/list") return result_response(id_json, tools_list_json());
  if (method == "tools/call") {
    std::string_view name;
    if (params["name"].get_string().get(name)) return error_response(id_json, -32602, "`params.name` must be a string");
    static const char* const kTools[] = {"get_account", "list_accounts", "update_account", "delete_records", "sales_summary"};
    if (std::find(std::begin(kTools), std::end(kTools), name) == std::end(kTools))
      return error_response(id_json, -32602, "unknown tool `" + std::string(name) + "`");
    std::string arguments_json = "{}";
    simdjson::dom::element arguments;
    if (!params["arguments"].get(arguments)) {
      if (!arguments.is_object()) return error_response(id_json, -32602, "`params.arguments` must be an object");
      arguments_json = simdjson::minify(arguments);
    }
    ToolResult result = call_tool(std::string(name), arguments_json);
    std::string content = "{\"content\":[{\"type\":\"text\",\"text\":" + authz::runtime::quoted(result.text) + "}]";
    content += result.is_error ? ",\"isError\":true}" : ",\"isError\":false}";
    return result_response(id_json, content);
  }
  return error_response(id_json, -32601, "method not found: `" + method + "`");
}

SalesServer::ToolResult SalesServer::call_tool(const std::string& name, const std::string& arguments_json) {
  Request request;
  request.principal = {identity_.user, identity_.roles, identity_.attributes_json};
  request.method = MethodKind::ToolCall;
  request.target = name;
  request.arguments_json = arguments_json;
  request.now_ms = now_();

  SqliteAccountResolver accounts(*db_);
  EvaluateOptions options;
  options.trace = true;
  options.entities = &accounts;
  auto started = std::chrono::steady_clock::now();
  Decision decision = engine_.evaluate(request, options);
  auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();

  AuditRecord record = make_audit_record(request, decision, engine_, elapsed);
  auto appended = audit_.append(record);
  if (!appended.ok()) return {true, "denied: the audit log cannot be written (" + appended.error() + ")"};
  if (!decision.allowed()) return {true, render_text(decision, Audience::EndUser)};
  return run_tool(name, arguments_json, decision);
}

SalesServer::ToolResult SalesServer::run_tool(const std::string& name, const std::string& arguments_json,
                                              const Decision& decision) {
  // Every obligation is either applied below or refuses the call.
  for (const AppliedObligation& obligation : decision.obligations) {
    std::string_view ob = obligation.name;
    bool known = (name == "list_accounts" && (ob == "rows_owned_by_caller" || ob == "rows_in_caller_set" || ob == "max_results")) ||
                 (name == "sales_summary" && ob == "aggregate_only") || ob == "require_confirmation";
    if (!known) return {true, "refused: this server cannot apply obligation `" + std::string(ob) + "` on `" + name + "`"};
  }
  for (const AppliedObligation& obligation : decision.obligations) {
    if (obligation.name != "require_confirmation") continue;
    std::string message = string_argument(obligation, "message").value_or("confirm this call?");
    if (!confirm(message)) return {true, "refused: `" + name + "` needs your confirmation (\"" + message + "\"), which was not given"};
  }
  if (name == "list_accounts") return list_accounts(arguments_json, decision);
  if (name == "sales_summary") return sales_summary(arguments_json, decision);

  simdjson::dom::parser parser;
  simdjson::dom::element arguments;
  if (parser.parse(arguments_json).get(arguments)) return {true, "arguments are not valid JSON"};
  std::string_view account_id;
  if (arguments["account"].get_string().get(account_id)) return {true, "`account` must be a string"};
  if (name == "get_account") {
    auto account = db_->get_account(std::string(account_id));
    if (!account.ok()) return {true, account.error()};
    if (!account.value()) return {true, "no account `" + std::string(account_id) + "`"};
    return {false, account_json(*account.value())};
  }
  if (name == "update_account") {
    simdjson::dom::object fields;
    if (arguments["fields"].get_object().get(fields)) return {true, "`fields` must be an object"};
    std::vector<std::pair<std::string, std::string>> changes;
    for (auto field : fields) {
      std::string_view value;
      if (field.value.get_string().get(value)) return {true, "field values must be strings"};
      changes.emplace_back(std::string(field.key), std::string(value));
    }
    auto changed = db_->update_account(std::string(account_id), changes);
    if (!changed.ok()) return {true, changed.error()};
    return {false, "{\"updated\":" + authz::runtime::quoted(account_id) + ",\"fields_changed\":" + std::to_string(changed.value()) + "}"};
  }
  if (name == "delete_records") {
    simdjson::dom::array ids;
    if (arguments["ids"].get_array().get(ids)) return {true, "`ids` must be a list of strings"};
    std::vector<std::string> record_ids;
    for (auto id : ids) {
      std::string_view text;
      if (id.get_string().get(text)) return {true, "`ids` must be a list of strings"};
      record_ids.emplace_back(text);
    }
    auto deleted = db_->delete_records(std::string(account_id), record_ids);
    if (!deleted.ok()) return {true, deleted.error()};
    return {false, "{\"deleted\":" + std::to_string(deleted.value()) + "}"};
  }
  return {true, "unknown tool"};
}

SalesServer::ToolResult SalesServer::list_accounts(const std::string& arguments_json, const Decision& decision) {
  // The rows this user could open one by one: get_account's residual with
  // the account unknown, in SQL.
  PartialRequest partial;
  partial.principal = {identity_.user, identity_.roles, identity_.attributes_json};
  partial.target = "get_account";
  partial.unknown_parameters = {"account"};
  partial.now_ms = now_();
  Residual residual = partially_evaluate(engine_, partial);
  SqlColumnMap columns = {{"account", {"", "id"}}, {"account.owner", {"", "owner"}},
                          {"account.team", {"", "team"}}, {"account.region", {"", "region"}}};
  auto filter = to_sql_where(residual, columns);
  if (!filter.ok()) return {true, "refused: the row filter cannot be expressed in SQL (" + filter.error() + ")"};
  SqlWhere where = std::move(filter).value();

  simdjson::dom::parser parser;
  simdjson::dom::element arguments, attributes;
  if (parser.parse(arguments_json).get(arguments)) return {true, "arguments are not valid JSON"};
  std::optional<std::string> region;
  std::string_view region_text;
  if (!arguments["region"].get_string().get(region_text)) region = std::string(region_text);
  std::int64_t limit = kServerRowLimit;
  std::int64_t asked = 0;
  if (!arguments["limit"].get_int64().get(asked)) limit = std::min(limit, std::max<std::int64_t>(asked, 0));

  simdjson::dom::parser attribute_parser;
  std::string attributes_json = identity_.attributes_json.empty() ? "{}" : identity_.attributes_json;
  if (attribute_parser.parse(attributes_json).get(attributes)) return {true, "refused: the user's attributes are not valid JSON"};
  for (const AppliedObligation& obligation : decision.obligations) {
    if (obligation.name == "max_results") {
      limit = std::min(limit, int_argument(obligation, "limit").value_or(0));
    } else if (obligation.name == "rows_owned_by_caller") {
      std::string field = string_argument(obligation, "field").value_or("");
      if (!is_filter_column(field)) return {true, "refused: cannot filter rows by `" + field + "`"};
      where = conjoin(std::move(where), SqlWhere{"\"" + field + "\" = ?", {text_parameter(identity_.user)}});
    } else if (obligation.name == "rows_in_caller_set") {
      std::string field = string_argument(obligation, "field").value_or("");
      std::string attribute = string_argument(obligation, "attribute").value_or("");
      if (!is_filter_column(field)) return {true, "refused: cannot filter rows by `" + field + "`"};
      SqlWhere in_set{"0", {}};
      simdjson::dom::array values;
      if (!attributes[attribute].get_array().get(values)) {
        std::string placeholders;
        for (auto value : values) {
          std::string_view text;
          if (value.get_string().get(text)) return {true, "refused: attribute `" + attribute + "` is not a set of strings"};
          placeholders += placeholders.empty() ? "?" : ", ?";
          in_set.parameters.push_back(text_parameter(std::string(text)));
        }
        if (!placeholders.empty()) in_set.sql = "\"" + field + "\" IN (" + placeholders + ")";
      }
      where = conjoin(std::move(where), in_set);
    }
  }
  // One row more than the limit tells whether the result was cut.
  auto rows = db_->list_accounts(where, region, limit + 1);
  if (!rows.ok()) return {true, rows.error()};
  bool truncated = static_cast<std::int64_t>(rows.value().size()) > limit;
  if (truncated) rows.value().resize(static_cast<std::size_t>(limit));
  std::string out = "{\"accounts\":[";
  for (std::size_t i = 0; i < rows.value().size(); ++i) {
    if (i) out += ',';
    out += account_json(rows.value()[i]);
  }
  out += "],\"truncated\":";
  out += truncated ? "true" : "false";
  out += "}";
  return {false, out};
}

SalesServer::ToolResult SalesServer::sales_summary(const std::string& arguments_json, const Decision& decision) {
  simdjson::dom::parser parser;
  simdjson::dom::element arguments;
  if (parser.parse(arguments_json).get(arguments)) return {true, "arguments are not valid JSON"};
  std::string_view region, group_by;
  if (arguments["region"].get_string().get(region)) return {true, "`region` must be a string"};
  if (arguments["group_by"].get_string().get(group_by)) group_by = {};
  std::int64_t min_group = 1;
  for (const AppliedObligation& obligation : decision.obligations)
    if (obligation.name == "aggregate_only") min_group = std::max(min_group, int_argument(obligation, "min_group").value_or(INT64_MAX));
  auto groups = db_->sales_summary(std::string(region), std::string(group_by));
  if (!groups.ok()) return {true, groups.error()};
  std::string out = "{\"region\":" + authz::runtime::quoted(region) + ",\"group_by\":" + (group_by.empty() ? "null" : authz::runtime::quoted(group_by)) + ",\"groups\":[";
  int shown = 0, withheld = 0;
  for (const SummaryGroup& group : groups.value()) {
    if (group.records < min_group) {
      ++withheld;
      continue;
    }
    if (shown++) out += ',';
    out += "{\"group\":" + (group_by.empty() ? std::string("null") : authz::runtime::quoted(group.key)) +
           ",\"records\":" + std::to_string(group.records) + ",\"total\":" + std::to_string(group.total) + "}";
  }
  out += "],\"withheld_groups\":" + std::to_string(withheld) + ",\"min_group\":" + std::to_string(min_group) + "}";
  if (shown == 0) {
    return {true, "refused: aggregate_only(min_group: " + std::to_string(min_group) + "): every group of `" +
                      std::string(region) + "` has fewer than " + std::to_string(min_group) + " records"};
  }
  return {false, out};
}

bool SalesServer::confirm(const std::string& message) {
  if (!client_can_elicit_ || !ask_client_) return false;  // cannot ask: fail closed
  std::string id = "\"authz-confirm-" + std::to_string(next_request_id_++) + "\"";
  std::string request = "{\"jsonrpc\":\"2.0\",\"id\":" + id +
                        ",\"method\":\"elicitation/create\",\"params\":{\"message\":" + authz::runtime::quoted(message) +
                        ",\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}}";
  auto reply = ask_client_(request);
  if (!reply) return false;
  simdjson::dom::parser parser;
  simdjson::dom::element response;
  if (parser.parse(*reply).get(response)) return false;
  std::string_view action;
  if (response["result"]["action"].get_string().get(action)) return false;
  return action == "accept";
}

std::string tools_list_json() {
  return R"({"tools":[)"
         R"({"name":"get_account","description":"Reads one account: owner, team, region and pipeline.",)"
         R"("inputSchema":{"type":"object","properties":{"account":{"type":"string","description":"The account's id, e.g. acc-7"}},"required":["account"],"additionalProperties":false}},)"
         R"({"name":"list_accounts","description":"Lists the accounts you may open, newest first.",)"
         R"("inputSchema":{"type":"object","properties":{"region":{"type":"string","description":"Only accounts of this region"},"limit":{"type":"integer","minimum":0,"description":"At most this many rows"}},"additionalProperties":false}},)"
         R"({"name":"update_account","description":"Changes fields of one account (name, region, pipeline).",)"
         R"("inputSchema":{"type":"object","properties":{"account":{"type":"string"},"fields":{"type":"object","additionalProperties":{"type":"string"},"description":"Field name to new value"}},"required":["account","fields"],"additionalProperties":false}},)"
         R"({"name":"delete_records","description":"Permanently deletes records (notes, activities) of one account.",)"
         R"("inputSchema":{"type":"object","properties":{"account":{"type":"string"},"ids":{"type":"array","items":{"type":"string"},"description":"Ids of the records to delete"}},"required":["account","ids"],"additionalProperties":false}},)"
         R"({"name":"sales_summary","description":"Sales totals for one region, optionally by team, month or product.",)"
         R"("inputSchema":{"type":"object","properties":{"region":{"type":"string"},"group_by":{"type":"string","enum":["team","month","product","account","owner"]}},"required":["region"],"additionalProperties":false}})"
         R"(]})";
}

}  // namespace sales_server
