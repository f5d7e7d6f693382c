// serve_command.cpp — see serve_command.h.
#include "tools/http/serve_command.h"

#include <CLI/CLI.hpp>
#include <csignal>

#include "tools/gateway/command_line.h"
#include "tools/gateway/log_line.h"
#include "tools/http/server.h"

namespace authz::http {
using gateway::log_line;

int serve_main(int argc, char** argv) {
  CLI::App app{
      "authz-gateway serve — a Streamable HTTP MCP gateway for many users, identified by OAuth access "
      "tokens"};
  app.name("authz-gateway serve");
  std::string config_path, listen, policy, audit, upstream_url;
  unsigned threads = 0;
  app.add_option("--config", config_path, "the gateway's TOML file: [http], [upstream], [oauth]")
      ->type_name("FILE")
      ->required();
  app.add_option("--listen", listen, "override [http].listen")->type_name("ADDRESS:PORT");
  app.add_option("--policy", policy, "override [http].policy")->type_name("TABLE");
  app.add_option("--audit", audit, "override [http].audit")->type_name("FILE");
  app.add_option("--upstream-url", upstream_url, "override [upstream]: this Streamable HTTP server instead")
      ->type_name("URL");
  app.add_option("--threads", threads, "override [http].threads")->type_name("N");
  app.footer(
      "Example:\n"
      "  authz-gateway serve --config gateway.toml --listen 127.0.0.1:8080\n\n"
      "SIGHUP reloads the configuration, the table and the key set (an invalid one is refused and the\n"
      "old one stays); SIGTERM stops accepting, lets requests in progress finish, and exits 0.\n\n"
      "Exit status:\n"
      "  0  stopped by SIGTERM or SIGINT\n"
      "  1  the configuration, the table or the key set does not load\n"
      "  2  usage error, or the listener or the audit log cannot be opened\n"
      "  3  internal error (please report it)\n\n"
      "See docs/http-gateway.md.");
  if (auto exit_status = gateway::parse_arguments(app, argc, argv, "authz-gateway serve")) return *exit_status;
  // Overrides are checked by reading them through the same TOML reader.
  ServerOptions options;
  options.log = log_line;
  options.load_config = [=]() -> runtime::Result<GatewayConfig> {
    auto config = load_gateway_config(config_path);
    if (!config.ok()) return config;
    GatewayConfig& value = config.value();
    if (!listen.empty()) {
      auto colon = listen.rfind(':');
      int port = -1;
      try {
        if (colon != std::string::npos) port = std::stoi(listen.substr(colon + 1));
      } catch (...) {
      }
      if (port < 0 || port > 65535) {
        return runtime::Result<GatewayConfig>::failure("`--listen " + listen + "` is not ADDRESS:PORT");
      }
      value.http.listen_address = listen.substr(0, colon);
      value.http.port = static_cast<std::uint16_t>(port);
    }
    if (!policy.empty()) value.http.policy = policy;
    if (!audit.empty()) value.http.audit = audit;
    if (!upstream_url.empty()) {
      ParsedUrl parsed;
      if (!parse_http_url(upstream_url, parsed)) {
        return runtime::Result<GatewayConfig>::failure("`--upstream-url " + upstream_url + "` is not an http(s) URL");
      }
      value.upstream.url = upstream_url;
      value.upstream.command.clear();
    }
    if (threads > 0) value.http.threads = threads;
    return config;
  };
  std::signal(SIGPIPE, SIG_IGN);
  // The signals the server handles must not kill it before its handlers are installed.
  return run_server(options);
}

}  // namespace authz::http
