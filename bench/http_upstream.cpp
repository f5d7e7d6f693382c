// http_upstream.cpp — mcp_http_upstream, the fast MCP server over Streamable
// HTTP that bench/http_gateway_bench.sh puts behind HAProxy and the gateway.
// Not a test double for correctness: the smallest server the benchmark needs,
// fast enough that it is not what limits a proxy in front of it.
//
// Contract: listens on --listen (default 127.0.0.1:0: any free port) and
// prints `listening on HOST:PORT` on stdout once it accepts. Serves one path
// (--path, default /mcp); HTTP/1.1 keep-alive; bodies up to 1 MiB.
//   POST  one JSON-RPC message. `initialize` opens a session: the answer
//         carries a new `Mcp-Session-Id` and echoes the client's protocol
//         version. Every other POST needs a known session id (missing: 400,
//         unknown: 404). A notification or response: 202, no body. Requests:
//         `tools/list` (one tool, `echo`, with a `message` string), `tools/call`
//         of `echo` (text content `Echo: MESSAGE`), `ping`; others -32601.
//         Answers are always `application/json` (never an SSE stream).
//   GET   with `Accept: text/event-stream` and a known session: a 200 SSE
//         stream (chunked) that sends one comment and then stays open and
//         idle until the client closes it; else 405 / 404.
//   DELETE ends the session (200).
// --threads N runs N I/O threads (default 1). No authentication: the
// benchmark measures what the proxies in front add.
#include <simdjson.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "runtime/internal/json_string.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Sessions {
  std::mutex mutex;
  std::unordered_set<std::string> ids;
  std::mt19937_64 random{std::random_device{}()};

  std::string open() {
    std::lock_guard<std::mutex> lock(mutex);
    char text[33];
    std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(random()),
                  static_cast<unsigned long long>(random()));
    ids.insert(text);
    return text;
  }
  bool known(std::string_view id) {
    std::lock_guard<std::mutex> lock(mutex);
    return ids.count(std::string(id)) != 0;
  }
  void close(std::string_view id) {
    std::lock_guard<std::mutex> lock(mutex);
    ids.erase(std::string(id));
  }
};

std::string path_served = "/mcp";
Sessions sessions;

void append_json_string(std::string& out, std::string_view text) {
  authz::runtime::internal::append_json_string(out, text, authz::runtime::internal::kGatewayJson);
}

constexpr const char* kToolList =
    R"({"tools":[{"name":"echo","description":"Echoes back the input.","inputSchema":{"type":"object",)"
    R"("properties":{"message":{"type":"string","description":"Message to echo"}},"required":["message"]}}]})";

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(tcp::socket socket) : socket_(std::move(socket)) {}

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(1 << 20);
    http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;  // closed, or a malformed request: drop the connection
      self->handle(self->parser_->release());
    });
  }

  void reply(http::status status, std::string body, bool keep_alive, std::string_view session = {}) {
    auto response = std::make_shared<http::response<http::string_body>>(status, 11);
    response->set(http::field::server, "mcp-http-upstream");
    if (!body.empty()) response->set(http::field::content_type, "application/json");
    if (!session.empty()) response->set("Mcp-Session-Id", session);
    response->keep_alive(keep_alive);
    response->body() = std::move(body);
    response->prepare_payload();
    http::async_write(socket_, *response, [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
      if (ec || !response->keep_alive()) {
        beast::error_code ignored;
        self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      self->read();
    });
  }

  void handle(http::request<http::string_body> request) {
    const bool keep_alive = request.keep_alive();
    if (request.target() != path_served) return reply(http::status::not_found, "", keep_alive);
    const std::string_view session(request["Mcp-Session-Id"].data(), request["Mcp-Session-Id"].size());
    if (request.method() == http::verb::get) {
      if (request[http::field::accept].find("text/event-stream") == beast::string_view::npos) {
        return reply(http::status::method_not_allowed, "", keep_alive);
      }
      if (!sessions.known(session)) return reply(http::status::not_found, "", keep_alive);
      return hold_stream();
    }
    if (request.method() == http::verb::delete_) {
      if (!sessions.known(session)) return reply(http::status::not_found, "", keep_alive);
      sessions.close(session);
      return reply(http::status::ok, "", keep_alive);
    }
    if (request.method() != http::verb::post) return reply(http::status::method_not_allowed, "", keep_alive);

    simdjson::dom::element message;
    if (json_.parse(request.body()).get(message) != simdjson::SUCCESS || !message.is_object()) {
      return reply(http::status::bad_request, R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}})",
                   keep_alive);
    }
    std::string_view method;
    const bool has_method = message["method"].get_string().get(method) == simdjson::SUCCESS;
    simdjson::dom::element id;
    const bool has_id = message["id"].get(id) == simdjson::SUCCESS;
    std::string new_session;
    if (method == "initialize" && has_id) {
      new_session = sessions.open();
    } else if (session.empty()) {
      return reply(http::status::bad_request, "", keep_alive);
    } else if (!sessions.known(session)) {
      return reply(http::status::not_found, "", keep_alive);
    }
    if (!has_method || !has_id) return reply(http::status::accepted, "", keep_alive);  // notification or response

    std::string body = R"({"jsonrpc":"2.0","id":)";
    body += simdjson::minify(id);
    if (method == "initialize") {
      std::string_view version = "2025-06-18";
      if (message["params"]["protocolVersion"].get_string().get(version) != simdjson::SUCCESS) version = "2025-06-18";
      body += R"(,"result":{"protocolVersion":)";
      append_json_string(body, version);
      body += R"(,"capabilities":{"tools":{}},"serverInfo":{"name":"mcp-http-upstream","version":"1.0.0"}}})";
    } else if (method == "tools/list") {
      body += R"(,"result":)";
      body += kToolList;
      body += '}';
    } else if (method == "tools/call") {
      std::string_view name, text;
      if (message["params"]["name"].get_string().get(name) != simdjson::SUCCESS || name != "echo" ||
          message["params"]["arguments"]["message"].get_string().get(text) != simdjson::SUCCESS) {
        body += R"(,"error":{"code":-32602,"message":"unknown tool or bad arguments"}})";
      } else {
        body += R"(,"result":{"content":[{"type":"text","text":)";
        append_json_string(body, std::string("Echo: ") + std::string(text));
        body += "}]}}";
      }
    } else if (method == "ping") {
      body += R"(,"result":{}})";
    } else {
      body += R"(,"error":{"code":-32601,"message":"method not found"}})";
    }
    reply(http::status::ok, std::move(body), keep_alive, new_session);
  }

  // The server's SSE stream: headers and one comment, then idle until the
  // client goes away (a read that ends with an error).
  void hold_stream() {
    static const std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
        "4\r\n: \n\n\r\n";
    asio::async_write(socket_, asio::buffer(head), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->wait_for_close();
    });
  }
  void wait_for_close() {
    socket_.async_read_some(asio::buffer(sink_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->wait_for_close();
    });
  }

  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  simdjson::dom::parser json_;
  char sink_[64];
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Connection>(std::move(socket))->start();
    }
    accept(acceptor);
  });
}

[[noreturn]] void usage(int status) {
  (status ? std::cerr : std::cout)
      << "usage: mcp_http_upstream [--listen HOST:PORT] [--path /mcp] [--threads N]\n"
         "  a minimal MCP server over Streamable HTTP for bench/http_gateway_bench.sh\n";
  std::exit(status);
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  int threads = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") usage(0);
    if (i + 1 >= argc) usage(2);
    if (arg == "--listen") listen = argv[++i];
    else if (arg == "--path") path_served = argv[++i];
    else if (arg == "--threads") threads = std::max(1, std::atoi(argv[++i]));
    else usage(2);
  }
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) usage(2);
  asio::io_context io(threads);
  tcp::endpoint endpoint(asio::ip::make_address(listen.substr(0, colon)),
                         static_cast<unsigned short>(std::atoi(listen.c_str() + colon + 1)));
  tcp::acceptor acceptor(io, endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  accept(acceptor);
  std::cout << "listening on " << acceptor.local_endpoint().address().to_string() << ':'
            << acceptor.local_endpoint().port() << std::endl;
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : pool) thread.join();
  return 0;
}
