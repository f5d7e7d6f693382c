// mcp_stdio_listing.cpp — a minimal MCP stdio client that lists a server's
// tools, prompts and resources (contract in mcp_stdio_listing.h).
#include "compiler/cli/mcp_stdio_listing.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <simdjson.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <set>

namespace authz::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxLine = 64 * 1024 * 1024;  // one message
constexpr int kMaxPages = 1000;

struct Child {
  pid_t pid = -1;
  int to_child = -1;
  int from_child = -1;

  // stdin closed, then SIGTERM, then SIGKILL: a server that ignores EOF
  // still goes away.
  void stop() {
    if (to_child >= 0) ::close(to_child), to_child = -1;
    if (pid > 0) {
      auto wait_for = [&](int millis) {
        for (int waited = 0; waited < millis; waited += 20) {
          if (::waitpid(pid, nullptr, WNOHANG) == pid) return true;
          ::usleep(20 * 1000);
        }
        return false;
      };
      if (!wait_for(1000)) {
        ::kill(pid, SIGTERM);
        if (!wait_for(2000)) {
          ::kill(pid, SIGKILL);
          ::waitpid(pid, nullptr, 0);
        }
      }
      pid = -1;
    }
    if (from_child >= 0) ::close(from_child), from_child = -1;
  }
  ~Child() { stop(); }
};

std::string start(const std::vector<std::string>& command, Child& child) {
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return std::string("cannot create a pipe: ") + std::strerror(errno);
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return std::string("cannot create a pipe: ") + std::strerror(errno);
  }
  // An exec failure is reported through this pipe (closed on exec success).
  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) return std::string("cannot create a pipe: ") + std::strerror(errno);
  std::vector<char*> argv;
  for (const std::string& part : command) argv.push_back(const_cast<char*>(part.c_str()));
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return std::string("cannot start the server: ") + std::strerror(errno);
  if (pid == 0) {
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::execvp(argv[0], argv.data());
    int error = errno;
    ssize_t ignored = ::write(exec_pipe[1], &error, sizeof error);
    (void)ignored;
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(exec_pipe[1]);
  child.pid = pid;
  child.to_child = in_pipe[1];
  child.from_child = out_pipe[0];
  int exec_error = 0;
  ssize_t got = ::read(exec_pipe[0], &exec_error, sizeof exec_error);
  ::close(exec_pipe[0]);
  if (got == sizeof exec_error) {
    return "cannot run `" + command[0] + "`: " + std::strerror(exec_error);
  }
  return {};
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

struct Session {
  Session(Child& child_process, Clock::time_point until) : child(child_process), deadline(until) {}

  Child& child;
  Clock::time_point deadline;
  std::string buffer;
  simdjson::dom::parser parser;
  std::string error;

  bool send(const std::string& message) {
    std::string line = message + "\n";
    std::size_t done = 0;
    while (done < line.size()) {
      pollfd descriptor{child.to_child, POLLOUT, 0};
      int ready = ::poll(&descriptor, 1, remaining_ms(deadline));
      if (ready == 0) return fail("the server did not read its input in time");
      if (ready < 0 && errno == EINTR) continue;
      ssize_t wrote = ::write(child.to_child, line.data() + done, line.size() - done);
      if (wrote < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (wrote <= 0) return fail("the server closed its input (did it exit?)");
      done += static_cast<std::size_t>(wrote);
    }
    return true;
  }

  bool fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }

  // The next line from the server, or nullopt (error set).
  std::optional<std::string> read_line() {
    for (;;) {
      std::size_t newline = buffer.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer.substr(0, newline);
        buffer.erase(0, newline + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        return line;
      }
      if (buffer.size() > kMaxLine) {
        fail("the server sent a message larger than 64 MiB");
        return std::nullopt;
      }
      pollfd descriptor{child.from_child, POLLIN, 0};
      int ready = ::poll(&descriptor, 1, remaining_ms(deadline));
      if (ready == 0) {
        fail("the server did not answer in time");
        return std::nullopt;
      }
      if (ready < 0) {
        if (errno == EINTR) continue;
        fail(std::string("cannot read from the server: ") + std::strerror(errno));
        return std::nullopt;
      }
      char chunk[65536];
      ssize_t got = ::read(child.from_child, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        fail("the server closed its output before answering (did it exit? its stderr is above)");
        return std::nullopt;
      }
      buffer.append(chunk, static_cast<std::size_t>(got));
    }
  }

  // Sends a request and returns the minified `result` of its response.
  std::optional<std::string> request(int id, const std::string& method, const std::string& params) {
    if (!send("{\"jsonrpc\":\"2.0\",\"id\":" + std::to_string(id) + ",\"method\":\"" + method + "\",\"params\":" +
              params + "}")) {
      return std::nullopt;
    }
    for (;;) {
      std::optional<std::string> line = read_line();
      if (!line) return std::nullopt;
      simdjson::padded_string padded(*line);
      simdjson::dom::element message;
      if (parser.parse(padded).get(message) != simdjson::SUCCESS || !message.is_object()) {
        fail("the server wrote something that is not a JSON-RPC message on stdout: `" + line->substr(0, 200) + "`");
        return std::nullopt;
      }
      simdjson::dom::element message_id;
      bool has_id = message["id"].get(message_id) == simdjson::SUCCESS;
      std::string_view server_method;
      bool is_request = message["method"].get_string().get(server_method) == simdjson::SUCCESS;
      if (is_request) {
        if (has_id) {
          // A request to us (ping, roots/list, ...): we offer nothing.
          std::string reply = "{\"jsonrpc\":\"2.0\",\"id\":" + simdjson::minify(message_id) +
                              (server_method == "ping" ? std::string(",\"result\":{}}")
                                                       : std::string(",\"error\":{\"code\":-32601,\"message\":\"method not found\"}}"));
          if (!send(reply)) return std::nullopt;
        }
        continue;  // notifications: logging, progress, list_changed
      }
      std::int64_t answered = 0;
      if (!has_id || message_id.get_int64().get(answered) != simdjson::SUCCESS || answered != id) continue;
      simdjson::dom::element error_object;
      if (message["error"].get(error_object) == simdjson::SUCCESS) {
        fail("the server answered `" + method + "` with an error: " + simdjson::minify(error_object));
        return std::nullopt;
      }
      simdjson::dom::element result;
      if (message["result"].get(result) != simdjson::SUCCESS || !result.is_object()) {
        fail("the server's answer to `" + method + "` has no `result` object");
        return std::nullopt;
      }
      return simdjson::minify(result);
    }
  }

  // Every page of a list method, as the elements of `key` joined by commas.
  std::optional<std::string> list_all(int& next_id, const std::string& method, const char* key) {
    std::string items;
    std::string cursor;
    std::set<std::string> seen_cursors;
    for (int page = 0; page < kMaxPages; ++page) {
      std::string params = "{}";
      if (!cursor.empty()) {
        params = "{\"cursor\":" + cursor + "}";
      }
      std::optional<std::string> result = request(next_id++, method, params);
      if (!result) return std::nullopt;
      simdjson::dom::parser page_parser;
      simdjson::padded_string padded(*result);
      simdjson::dom::element root = page_parser.parse(padded).value_unsafe();
      simdjson::dom::array list;
      if (root[key].get_array().get(list) != simdjson::SUCCESS) {
        fail("the server's `" + method + "` result has no `" + key + "` array");
        return std::nullopt;
      }
      for (auto item : list) {
        if (!items.empty()) items += ',';
        items += simdjson::minify(item);
      }
      simdjson::dom::element next;
      if (root["nextCursor"].get(next) != simdjson::SUCCESS || next.is_null()) return items;
      if (!next.is_string()) {
        fail("the server's `" + method + "` gave a `nextCursor` that is not a string");
        return std::nullopt;
      }
      cursor = simdjson::minify(next);
      if (!seen_cursors.insert(cursor).second) {
        fail("the server's `" + method + "` repeats the cursor " + cursor + " (pagination loop)");
        return std::nullopt;
      }
    }
    fail("the server's `" + method + "` returned more than 1000 pages");
    return std::nullopt;
  }
};

}  // namespace

McpListingFetch fetch_mcp_listing(const std::vector<std::string>& server_command, int timeout_ms) {
  McpListingFetch fetch;
  if (server_command.empty()) {
    fetch.error = "no server command given";
    return fetch;
  }
  // A server that exits while we write must not kill authzc.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ::sigaction(SIGPIPE, &ignore, &previous);

  Child child;
  std::string started = start(server_command, child);
  if (!started.empty()) {
    fetch.error = started;
    child.stop();
    ::sigaction(SIGPIPE, &previous, nullptr);
    return fetch;
  }
  Session session{child, Clock::now() + std::chrono::milliseconds(timeout_ms)};
  int next_id = 1;
  std::string listing;
  auto run = [&]() -> bool {
    std::optional<std::string> initialized = session.request(
        next_id++, "initialize",
        R"({"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"authzc-import-tools","version":"1"}})");
    if (!initialized) return false;
    simdjson::dom::parser parser;
    simdjson::padded_string padded(*initialized);
    simdjson::dom::element init = parser.parse(padded).value_unsafe();
    if (!session.send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")) return false;

    listing = "{";
    simdjson::dom::element server_info;
    if (init["serverInfo"].get(server_info) == simdjson::SUCCESS) listing += "\"server\":" + simdjson::minify(server_info) + ",";
    std::optional<std::string> tools = session.list_all(next_id, "tools/list", "tools");
    if (!tools) return false;
    listing += "\"tools\":[" + *tools + "]";
    simdjson::dom::element capability;
    if (init["capabilities"]["prompts"].get(capability) == simdjson::SUCCESS) {
      std::optional<std::string> prompts = session.list_all(next_id, "prompts/list", "prompts");
      if (!prompts) return false;
      listing += ",\"prompts\":[" + *prompts + "]";
    }
    if (init["capabilities"]["resources"].get(capability) == simdjson::SUCCESS) {
      std::optional<std::string> resources = session.list_all(next_id, "resources/list", "resources");
      if (!resources) return false;
      listing += ",\"resources\":[" + *resources + "]";
      std::optional<std::string> templates =
          session.list_all(next_id, "resources/templates/list", "resourceTemplates");
      if (!templates) return false;
      listing += ",\"resourceTemplates\":[" + *templates + "]";
    }
    listing += "}";
    return true;
  };
  if (run()) {
    fetch.listing_json = std::move(listing);
  } else {
    fetch.error = session.error.empty() ? "the server conversation failed" : session.error;
  }
  child.stop();
  ::sigaction(SIGPIPE, &previous, nullptr);
  return fetch;
}

}  // namespace authz::cli
