// main.cpp — authz-sales-server: the sales CRM as an MCP server over stdio
// (newline-delimited JSON-RPC), authorizing every call with the authz runtime.
//
// Usage: authz-sales-server --table sales.authzt --db sales.db --audit audit.jsonl
// The user comes from the environment (set by whatever launches the server
// for one signed-in user):
//   AUTHZ_USER             the user's id (required), e.g. u-bob
//   AUTHZ_ROLES            comma-separated roles, e.g. rep or manager,rep
//   AUTHZ_USER_ATTRIBUTES  the user's other attributes as a JSON object,
//                          e.g. {"manages": ["east"]}
//   AUTHZ_NOW              optional RFC 3339 instant used as the clock (tests)
// The database is created and seeded with the demo data when empty. Exit
// status 2 on a usage or startup error (nothing is served), 0 at end of input.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "runtime/internal/time_text.h"
#include "sales_server.h"

namespace {

int usage(const std::string& problem) {
  std::cerr << "authz-sales-server: " << problem << "\n"
            << "usage: authz-sales-server --table TABLE.authzt --db SALES.db --audit AUDIT.jsonl\n"
            << "environment: AUTHZ_USER (required), AUTHZ_ROLES, AUTHZ_USER_ATTRIBUTES, AUTHZ_NOW\n";
  return 2;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

int main(int argc, char** argv) {
  std::string table_path, db_path, audit_path;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      usage("an MCP server over stdio for the sales example");
      return 0;
    }
    if (i + 1 >= argc) return usage("`" + flag + "` needs a value");
    if (flag == "--table") table_path = argv[++i];
    else if (flag == "--db") db_path = argv[++i];
    else if (flag == "--audit") audit_path = argv[++i];
    else return usage("unknown option `" + flag + "`");
  }
  if (table_path.empty() || db_path.empty() || audit_path.empty()) return usage("--table, --db and --audit are required");

  sales_server::Identity identity;
  identity.user = env("AUTHZ_USER");
  if (identity.user.empty()) return usage("AUTHZ_USER is not set");
  std::stringstream roles(env("AUTHZ_ROLES"));
  for (std::string role; std::getline(roles, role, ',');)
    if (!role.empty()) identity.roles.push_back(role);
  identity.attributes_json = env("AUTHZ_USER_ATTRIBUTES");

  sales_server::SalesServer::Clock clock = [] {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  };
  if (std::string now = env("AUTHZ_NOW"); !now.empty()) {
    auto fixed = authz::runtime::parse_timestamp(now);
    if (!fixed) return usage("AUTHZ_NOW `" + now + "` is not an RFC 3339 timestamp");
    clock = [ms = *fixed] { return ms; };
  }

  std::ifstream table_file(table_path, std::ios::binary);
  if (!table_file) return usage("cannot read `" + table_path + "`");
  std::string table_bytes((std::istreambuf_iterator<char>(table_file)), std::istreambuf_iterator<char>());
  auto engine = authz::runtime::Engine::load(table_bytes);
  if (!engine.ok()) return usage("`" + table_path + "`: " + engine.error());
  auto db = sales_server::SalesDb::open(db_path);
  if (!db.ok()) return usage(db.error());
  auto audit = authz::runtime::AuditLog::open(audit_path);
  if (!audit.ok()) return usage("audit log: " + audit.error());
  if (!audit.value().recovery_note().empty()) std::cerr << "authz-sales-server: " << audit.value().recovery_note() << "\n";

  // Requests that arrive while we wait for an elicitation answer are handled
  // after the current call.
  std::deque<std::string> pending;
  auto write_line = [](const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  };
  auto ask_client = [&](const std::string& request) -> std::optional<std::string> {
    write_line(request);
    std::string id_marker = request.substr(request.find("\"id\":"), request.find(",\"method\"") - request.find("\"id\":"));
    for (std::string line; std::getline(std::cin, line);) {
      if (line.find(id_marker) != std::string::npos &&
          (line.find("\"result\"") != std::string::npos || line.find("\"error\"") != std::string::npos))
        return line;
      pending.push_back(line);
    }
    return std::nullopt;
  };

  sales_server::SalesServer server(std::move(engine).value(), std::move(db).value(), std::move(audit).value(),
                                   std::move(identity), clock, ask_client);
  std::string line;
  while (true) {
    if (!pending.empty()) {
      line = std::move(pending.front());
      pending.pop_front();
    } else if (!std::getline(std::cin, line)) {
      break;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (auto response = server.handle(line)) write_line(*response);
  }
  return 0;
}
