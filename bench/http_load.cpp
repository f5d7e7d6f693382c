// http_load.cpp — mcp_http_load, the load generator and token maker of
// bench/http_gateway_bench.sh (docs/performance.md, "HTTP gateway").
//
//   mcp_http_load tokens --dir DIR [--count N] [--issuer I] [--audience A] [--sub S]
//       makes an RSA 2048 key pair and writes DIR/jwks.json (its public key,
//       kid `bench`, RS256), DIR/token (one access token) and DIR/tokens (N
//       more, one per line, each with its own `jti`: a token the verifier
//       has not seen). Claims: iss, aud, sub, exp (now + 1 day), iat, jti,
//       azp, scope `mcp:tools`, roles [tester]. Signed with OpenSSL's EVP
//       (tests/unit/oauth_test_keys.h, as bench/oauth_bench does).
//   mcp_http_load run --url http://HOST:PORT/PATH [--connections 64] [--duration 5]
//       [--warmup 1] [--runs 5] [--token-file F | --tokens-file F]
//       opens N keep-alive connections; each initializes one MCP session
//       (initialize, notifications/initialized), then sends `tools/call`
//       echo, one at a time, until the run ends (closed loop), then ends
//       its session with DELETE. Latency is
//       from the first byte written to the last byte of the answer, for
//       calls that start after the warm-up. --tokens-file: every measured
//       call presents the next unused token of the file (warm-up and session
//       set-up use --token-file's); each run has 1/R of the file and ends
//       early when its share runs out. Prints one JSON object: each run's calls, calls/s,
//       p50/p90/p99/max in µs and errors, then the medians of the runs.
//   mcp_http_load sse --url ... [--sessions 1000] [--hold 2] [--rss-pid PID]...
//       opens S sessions, each on its own connection, and on each a GET
//       `text/event-stream` stream that it keeps open; once all are open
//       and after --hold seconds, reads VmRSS of every --rss-pid and prints
//       JSON: sessions and streams open, RSS before/after, bytes per session.
// Single-threaded (one Boost.Asio io_context). Exit status 0, or 1 when a
// call failed (an error answer, a broken connection, a stream refused): a
// benchmark whose calls fail measures nothing.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/internal/json_string.h"
#include "tests/unit/oauth_test_keys.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  std::exit(2);
}

struct Options {
  std::map<std::string, std::vector<std::string>> values;
  std::string get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second.back();
  }
  double number(const std::string& name, double fallback) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : std::atof(it->second.back().c_str());
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read `" + path + "`");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

// ---- tokens ------------------------------------------------------------------------

int make_tokens(const Options& options) {
  const std::string dir = options.get("dir");
  if (dir.empty()) fail("`tokens` needs --dir DIR");
  const int count = static_cast<int>(options.number("count", 0));
  const std::string issuer = options.get("issuer", "https://idp.example");
  const std::string audience = options.get("audience", "http://127.0.0.1/mcp");
  const std::string sub = options.get("sub", "bench-user");
  const auto key = authz::testing::make_rsa("bench");
  const std::int64_t now = std::time(nullptr);
  auto token = [&](const std::string& jti) {
    const std::string payload = R"({"iss":")" + issuer + R"(","aud":")" + audience + R"(","sub":")" + sub +
                                R"(","exp":)" + std::to_string(now + 86400) + R"(,"iat":)" + std::to_string(now - 5) +
                                R"(,"jti":")" + jti + R"(","azp":"bench-client","scope":"mcp:tools","roles":["tester"]})";
    return authz::testing::sign_jws(key, authz::testing::header_for(key), payload);
  };
  std::ofstream(dir + "/jwks.json") << authz::testing::jwks_of({&key}) << "\n";
  std::ofstream(dir + "/token") << token("bench-0") << "\n";
  std::ofstream tokens(dir + "/tokens");
  for (int i = 1; i <= count; ++i) tokens << token("bench-" + std::to_string(i)) << "\n";
  if (!tokens) fail("cannot write into `" + dir + "`");
  return 0;
}

// ---- HTTP --------------------------------------------------------------------------

struct Target {
  std::string host, port, path;
};

Target parse_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) fail("--url must be http://HOST:PORT/PATH, not `" + url + "`");
  const std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) fail("--url needs a port: `" + url + "`");
  return {authority.substr(0, colon), authority.substr(colon + 1), slash == std::string::npos ? "/" : rest.substr(slash)};
}

// The tokens a run presents: the fixed one (cached after its first use), or
// for measured calls with --tokens-file the next unused one; each run may
// use its share of the file (`limit`) and ends when that is used up.
struct Tokens {
  std::string fixed;
  std::vector<std::string> fresh;
  std::size_t next = 0, limit = 0;
  bool exhausted() const { return !fresh.empty() && next >= limit; }
  const std::string& take(bool measured) {
    if (fresh.empty() || !measured || next >= limit) return fixed;
    return fresh[next++];
  }
};

struct Shared {
  Target target;
  tcp::endpoint endpoint;
  Tokens* tokens = nullptr;
  Clock::time_point measure_from, stop_at;
  std::vector<std::uint32_t> latencies_ns;  // capped at ~4.29 s: enough
  std::uint64_t errors = 0;
  std::string first_error;
  int active = 0;
  void error(const std::string& what) {
    if (errors++ == 0) first_error = what;
  }
};

std::string request_text(const Shared& shared, const std::string& session, const std::string& token,
                         const std::string& body, const char* method = "POST",
                         const char* accept = "application/json, text/event-stream") {
  std::string out;
  out.reserve(512 + body.size() + token.size());
  out += method;
  out += ' ';
  out += shared.target.path;
  out += " HTTP/1.1\r\nHost: ";
  out += shared.target.host + ":" + shared.target.port;
  out += "\r\nAccept: ";
  out += accept;
  if (!body.empty()) out += "\r\nContent-Type: application/json";
  out += "\r\nMCP-Protocol-Version: 2025-06-18";
  if (!session.empty()) out += "\r\nMcp-Session-Id: " + session;
  if (!token.empty()) out += "\r\nAuthorization: Bearer " + token;
  out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

// One connection, one session: initialize, initialized, then calls until the run stops.
class Caller : public std::enable_shared_from_this<Caller> {
 public:
  Caller(asio::io_context& io, Shared& shared, int index) : socket_(io), shared_(shared), index_(index) {}

  void start() {
    ++shared_.active;
    socket_.async_connect(shared_.endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->broken("connect: " + ec.message());
      self->socket_.set_option(tcp::no_delay(true));
      self->send(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
                 R"("capabilities":{},"clientInfo":{"name":"mcp-http-load","version":"1.0.0"}}})",
                 Step::Initialize);
    });
  }

 private:
  enum class Step { Initialize, Initialized, Call, Delete };

  void send(const std::string& body, Step step) {
    step_ = step;
    const Clock::time_point now = Clock::now();
    const std::string& token = shared_.tokens->take(step == Step::Call && now >= shared_.measure_from);
    out_ = step == Step::Delete ? request_text(shared_, session_, token, "", "DELETE") : request_text(shared_, session_, token, body);
    started_ = Clock::now();
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->broken("write: " + ec.message());
      self->parser_.emplace();
      self->parser_->body_limit(1 << 20);
      http::async_read(self->socket_, self->buffer_, *self->parser_,
                       [self](beast::error_code ec2, std::size_t) { self->answered(ec2); });
    });
  }

  void answered(beast::error_code ec) {
    if (ec) return broken("read: " + ec.message());
    const Clock::time_point now = Clock::now();
    auto& response = parser_->get();
    const unsigned status = response.result_int();
    switch (step_) {
      case Step::Initialize:
        if (status != 200 || response["Mcp-Session-Id"].empty()) {
          return broken("initialize answered " + std::to_string(status) + ": " + response.body().substr(0, 200));
        }
        session_ = std::string(response["Mcp-Session-Id"]);
        return send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", Step::Initialized);
      case Step::Initialized:
        if (status != 202 && status != 200) return broken("initialized answered " + std::to_string(status));
        break;
      case Step::Call:
        if (status != 200 || response.body().find("\"result\"") == std::string::npos) {
          shared_.error("tools/call answered " + std::to_string(status) + ": " + response.body().substr(0, 200));
        } else if (started_ >= shared_.measure_from && now <= shared_.stop_at) {
          shared_.latencies_ns.push_back(static_cast<std::uint32_t>(
              std::min<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - started_).count(),
                                     UINT32_MAX)));
        }
        break;
      case Step::Delete:  // the session ends, as a client's would
        if (status != 200 && status != 202 && status != 204) shared_.error("DELETE answered " + std::to_string(status));
        return done();
    }
    if (now >= shared_.stop_at || (step_ == Step::Call && shared_.tokens->exhausted())) return send("", Step::Delete);
    ++id_;
    send(R"({"jsonrpc":"2.0","id":)" + std::to_string(id_) +
             R"(,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello from caller )" +
             std::to_string(index_) + R"("}}})",
         Step::Call);
  }

  void broken(const std::string& what) {
    shared_.error(what);
    done();
  }
  void done() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    --shared_.active;
  }

  tcp::socket socket_;
  Shared& shared_;
  int index_;
  Step step_ = Step::Initialize;
  std::string session_, out_;
  std::uint64_t id_ = 0;
  Clock::time_point started_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

double percentile_us(std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)] / 1000.0;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  if (values.empty()) return 0;
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

tcp::endpoint resolve(asio::io_context& io, const Target& target) {
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto results = resolver.resolve(target.host, target.port, ec);
  if (ec || results.empty()) fail("cannot resolve `" + target.host + ":" + target.port + "`");
  return *results.begin();
}

int run_load(const Options& options) {
  const Target target = parse_url(options.get("url"));
  const int connections = static_cast<int>(options.number("connections", 64));
  const double duration = options.number("duration", 5), warmup = options.number("warmup", 1);
  const int runs = static_cast<int>(options.number("runs", 5));
  Tokens tokens;
  if (!options.get("token-file").empty()) tokens.fixed = trim(read_file(options.get("token-file")));
  if (!options.get("tokens-file").empty()) {
    std::istringstream lines(read_file(options.get("tokens-file")));
    for (std::string line; std::getline(lines, line);) {
      if (!trim(line).empty()) tokens.fresh.push_back(trim(line));
    }
    if (tokens.fresh.empty()) fail("no token in `" + options.get("tokens-file") + "`");
  }
  asio::io_context io;
  const tcp::endpoint endpoint = resolve(io, target);
  std::vector<double> rates, p50s, p90s, p99s;
  std::uint64_t total_errors = 0;
  std::string runs_json, first_error;
  for (int run = 0; run < runs; ++run) {
    Shared shared;
    shared.target = target;
    shared.endpoint = endpoint;
    shared.tokens = &tokens;
    shared.latencies_ns.reserve(1 << 20);
    tokens.limit = tokens.next + tokens.fresh.size() / static_cast<std::size_t>(runs);
    const Clock::time_point start = Clock::now();
    shared.measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
    shared.stop_at = shared.measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration));
    for (int i = 0; i < connections; ++i) std::make_shared<Caller>(io, shared, i)->start();
    io.run();
    io.restart();
    // Calls/s over the measured window (or until the fresh tokens ran out).
    const double window = std::max(1e-9, std::chrono::duration<double>(
                                             std::min(Clock::now(), shared.stop_at) - shared.measure_from).count());
    std::sort(shared.latencies_ns.begin(), shared.latencies_ns.end());
    const double rate = static_cast<double>(shared.latencies_ns.size()) / window;
    const double p50 = percentile_us(shared.latencies_ns, 0.50), p90 = percentile_us(shared.latencies_ns, 0.90),
                 p99 = percentile_us(shared.latencies_ns, 0.99);
    const double max = shared.latencies_ns.empty() ? 0 : shared.latencies_ns.back() / 1000.0;
    rates.push_back(rate);
    p50s.push_back(p50);
    p90s.push_back(p90);
    p99s.push_back(p99);
    total_errors += shared.errors;
    if (first_error.empty()) first_error = shared.first_error;
    char line[512];
    std::snprintf(line, sizeof line,
                  R"(%s{"calls":%zu,"calls_per_s":%.0f,"p50_us":%.1f,"p90_us":%.1f,"p99_us":%.1f,"max_us":%.1f,"errors":%llu})",
                  run ? "," : "", shared.latencies_ns.size(), rate, p50, p90, p99, max,
                  static_cast<unsigned long long>(shared.errors));
    runs_json += line;
    if (shared.latencies_ns.empty()) total_errors += 1, first_error = first_error.empty() ? "no call was measured" : first_error;
  }
  std::string error_json;
  if (!first_error.empty()) {
    error_json = ",\"first_error\":";
    authz::runtime::internal::append_json_string(error_json, first_error, authz::runtime::internal::kGatewayJson);
  }
  std::printf(
      R"({"url":"%s","connections":%d,"duration_s":%.1f,"warmup_s":%.1f,"new_token_per_call":%s,"runs":[%s],)"
      R"("median":{"calls_per_s":%.0f,"p50_us":%.1f,"p90_us":%.1f,"p99_us":%.1f},"errors":%llu%s})"
      "\n",
      options.get("url").c_str(), connections, duration, warmup, tokens.fresh.empty() ? "false" : "true",
      runs_json.c_str(), median(rates), median(p50s), median(p90s), median(p99s),
      static_cast<unsigned long long>(total_errors), error_json.c_str());
  return total_errors ? 1 : 0;
}

// ---- sse: many idle sessions with their GET streams held ------------------------------

long rss_kib(const std::string& pid) {
  std::ifstream status("/proc/" + pid + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  fail("cannot read VmRSS of pid " + pid);
}

class Streamer : public std::enable_shared_from_this<Streamer> {
 public:
  Streamer(asio::io_context& io, Shared& shared, int& open) : socket_(io), shared_(shared), open_(open) {}

  void start() {
    socket_.async_connect(shared_.endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->shared_.error("connect: " + ec.message());
      self->post(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
                 R"("capabilities":{},"clientInfo":{"name":"mcp-http-load","version":"1.0.0"}}})",
                 0);
    });
  }
  void close() {
    beast::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void post(const std::string& body, int step) {
    out_ = request_text(shared_, session_, shared_.tokens->take(false), body);
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this(), step](beast::error_code ec, std::size_t) {
      if (ec) return self->shared_.error("write: " + ec.message());
      self->parser_.emplace();
      self->parser_->body_limit(1 << 20);
      http::async_read(self->socket_, self->buffer_, *self->parser_, [self, step](beast::error_code ec2, std::size_t) {
        if (ec2) return self->shared_.error("read: " + ec2.message());
        auto& response = self->parser_->get();
        if (step == 0) {
          if (response.result_int() != 200 || response["Mcp-Session-Id"].empty()) {
            return self->shared_.error("initialize answered " + std::to_string(response.result_int()));
          }
          self->session_ = std::string(response["Mcp-Session-Id"]);
          return self->post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", 1);
        }
        self->stream();
      });
    });
  }
  void stream() {
    out_ = request_text(shared_, session_, shared_.tokens->take(false), "", "GET", "text/event-stream");
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->shared_.error("write: " + ec.message());
      self->header_.emplace();
      http::async_read_header(self->socket_, self->buffer_, *self->header_, [self](beast::error_code ec2, std::size_t) {
        if (ec2) return self->shared_.error("stream: " + ec2.message());
        auto& response = self->header_->get();
        if (response.result_int() != 200 ||
            response[http::field::content_type].find("text/event-stream") == beast::string_view::npos) {
          return self->shared_.error("GET answered " + std::to_string(response.result_int()));
        }
        ++self->open_;
        self->drain();
      });
    });
  }
  void drain() {  // keep reading (comments, keep-alives) so the stream stays healthy
    socket_.async_read_some(asio::buffer(sink_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->drain();
    });
  }

  tcp::socket socket_;
  Shared& shared_;
  int& open_;
  std::string session_, out_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::optional<http::response_parser<http::empty_body>> header_;
  char sink_[256];
};

int run_sse(const Options& options) {
  const Target target = parse_url(options.get("url"));
  const int sessions = static_cast<int>(options.number("sessions", 1000));
  const double hold = options.number("hold", 2);
  Tokens tokens;
  if (!options.get("token-file").empty()) tokens.fixed = trim(read_file(options.get("token-file")));
  std::vector<std::string> pids;
  if (auto it = options.values.find("rss-pid"); it != options.values.end()) pids = it->second;
  asio::io_context io;
  Shared shared;
  shared.target = target;
  shared.endpoint = resolve(io, target);
  shared.tokens = &tokens;
  std::vector<long> before;
  for (const auto& pid : pids) before.push_back(rss_kib(pid));
  int open = 0;
  std::vector<std::shared_ptr<Streamer>> streamers;
  const Clock::time_point start = Clock::now();
  // Open in batches so a listen backlog never drops connections.
  for (int i = 0; i < sessions; ++i) {
    streamers.push_back(std::make_shared<Streamer>(io, shared, open));
    streamers.back()->start();
    if (i % 100 == 99) io.run_for(std::chrono::milliseconds(50));
  }
  while (open + static_cast<int>(shared.errors) < sessions && Clock::now() - start < std::chrono::seconds(60)) {
    io.run_for(std::chrono::milliseconds(50));
  }
  const double opened_s = std::chrono::duration<double>(Clock::now() - start).count();
  io.run_for(std::chrono::milliseconds(static_cast<long>(hold * 1000)));
  std::string rss_json;
  for (std::size_t i = 0; i < pids.size(); ++i) {
    const long after = rss_kib(pids[i]);
    char line[256];
    std::snprintf(line, sizeof line, R"(%s{"pid":%s,"rss_before_kib":%ld,"rss_after_kib":%ld,"bytes_per_session":%.0f})",
                  i ? "," : "", pids[i].c_str(), before[i], after,
                  open ? static_cast<double>(after - before[i]) * 1024.0 / open : 0.0);
    rss_json += line;
  }
  std::printf(R"({"url":"%s","sessions":%d,"streams_open":%d,"open_s":%.2f,"hold_s":%.1f,"rss":[%s],"errors":%llu})"
              "\n",
              options.get("url").c_str(), sessions, open, opened_s, hold, rss_json.c_str(),
              static_cast<unsigned long long>(shared.errors));
  for (auto& streamer : streamers) streamer->close();
  io.run_for(std::chrono::milliseconds(100));
  return open == sessions && shared.errors == 0 ? 0 : 1;
}

[[noreturn]] void usage(int status) {
  (status ? std::cerr : std::cout) << "usage:\n"
      "  mcp_http_load tokens --dir DIR [--count N] [--issuer I] [--audience A] [--sub S]\n"
      "  mcp_http_load run --url http://HOST:PORT/PATH [--connections 64] [--duration 5] [--warmup 1] [--runs 5]\n"
      "                    [--token-file F | --tokens-file F]\n"
      "  mcp_http_load sse --url http://HOST:PORT/PATH [--sessions 1000] [--hold 2] [--token-file F] [--rss-pid PID]...\n"
      "see bench/http_load.cpp and docs/performance.md\n";
  std::exit(status);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage(2);
  const std::string command = argv[1];
  if (command == "-h" || command == "--help") usage(0);
  Options options;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") usage(0);
    if (arg.rfind("--", 0) != 0 || i + 1 >= argc) usage(2);
    options.values[arg.substr(2)].push_back(argv[++i]);
  }
  if (command == "tokens") return make_tokens(options);
  if (command == "run") return run_load(options);
  if (command == "sse") return run_sse(options);
  usage(2);
}
