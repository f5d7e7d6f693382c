// server.cpp — see server.h. The connection loop, authentication and the
// session routing are here; relaying one exchange to the upstream is in
// relay.cpp.
#include "tools/http/server.h"

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "runtime/audit_log.h"
#include "tools/gateway/audit_sink.h"
#include "tools/gateway/json_scan.h"
#include "tools/gateway/json_text.h"
#include "tools/gateway/log_line.h"
#include "tools/http/asio_names.h"
#include "tools/http/relay.h"
#include "tools/oauth/auth_error.h"

namespace authz::http {

namespace {

std::int64_t unix_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// The response head and body as bytes (Beast parses requests; answers are
// simple enough to format, and streamed ones need their own framing anyway).
std::string format_reply(const Reply& reply) {
  std::string out;
  out.reserve(256 + reply.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(reply.status);
  out += ' ';
  out += std::string_view(bhttp::obsolete_reason(static_cast<bhttp::status>(reply.status)));
  out += "\r\n";
  if (!reply.content_type.empty()) {
    out += "Content-Type: ";
    out += reply.content_type;
    out += "\r\n";
  }
  for (const auto& [name, value] : reply.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(reply.body.size());
  out += "\r\n";
  if (!reply.keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  out += reply.body;
  return out;
}

template <class Stream>
class StreamChannel final : public ClientChannel {
 public:
  explicit StreamChannel(Stream& stream) : stream_(stream) {}
  net::awaitable<bool> write(std::string_view bytes) override {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    co_await net::async_write(stream_, net::buffer(bytes.data(), bytes.size()), with(ec));
    beast::get_lowest_layer(stream_).expires_never();
    co_return !ec;
  }

 private:
  Stream& stream_;
};

void collect(const bhttp::request<bhttp::string_body>& request, bhttp::field field,
             std::vector<std::string_view>& out) {
  auto range = request.equal_range(field);
  for (auto it = range.first; it != range.second; ++it) out.emplace_back(it->value().data(), it->value().size());
}
void collect(const bhttp::request<bhttp::string_body>& request, std::string_view name,
             std::vector<std::string_view>& out) {
  auto range = request.equal_range(beast::string_view(name.data(), name.size()));
  for (auto it = range.first; it != range.second; ++it) out.emplace_back(it->value().data(), it->value().size());
}

// The request's headers that check_request judges, as views into `request`.
RequestFacts request_facts(const bhttp::request<bhttp::string_body>& request) {
  RequestFacts facts;
  facts.method = std::string_view(request.method_string().data(), request.method_string().size());
  facts.target = std::string_view(request.target().data(), request.target().size());
  collect(request, bhttp::field::content_length, facts.content_length);
  collect(request, bhttp::field::transfer_encoding, facts.transfer_encoding);
  collect(request, bhttp::field::origin, facts.origin);
  collect(request, bhttp::field::accept, facts.accept);
  collect(request, bhttp::field::content_type, facts.content_type);
  collect(request, "mcp-protocol-version", facts.protocol_version);
  collect(request, "mcp-session-id", facts.session_id);
  collect(request, bhttp::field::authorization, facts.authorization);
  return facts;
}

// The metrics' cause word for a refused token: a fixed set, never the description.
std::string_view token_failure_cause(const oauth::VerifyOutcome& outcome) {
  if (outcome.unknown_kid) return "unknown_key";
  const oauth::AuthError& error = *outcome.error;
  if (error.code != oauth::AuthErrorCode::InvalidToken) return oauth::error_code_name(error.code);
  if (outcome.expired) return "expired";
  if (outcome.bad_signature) return "bad_signature";
  return "invalid_token";
}

// verify_with_refresh (a key set refetch may wait kJwksFetchTimeoutMs on the identity provider) run on
// `pool`; the awaiting coroutine resumes on its own executor (the connection's strand), not on the pool.
// `first` is the I/O thread's unknown_kid verdict, answered (fail closed) if the job throws.
// An ordinary function, not a coroutine, on purpose: g++ 12 destroys a lambda with captures written
// inside a co_await expression twice (GCC PR 100611), so the job's state is built here and the caller
// awaits a named awaitable.
net::awaitable<oauth::VerifyOutcome> verify_with_refresh_on(net::thread_pool& pool,
                                                            std::shared_ptr<oauth::TokenVerifier> verifier,
                                                            std::shared_ptr<oauth::JwksRefresher> refresher,
                                                            std::string token, std::int64_t now_s,
                                                            oauth::VerifyOutcome first) {
  return net::async_initiate<const net::use_awaitable_t<>, void(oauth::VerifyOutcome)>(
      [&pool](auto handler, std::shared_ptr<oauth::TokenVerifier> verifier,
              std::shared_ptr<oauth::JwksRefresher> refresher, std::string token, std::int64_t now_s,
              oauth::VerifyOutcome first) {
        auto work = net::make_work_guard(net::get_associated_executor(handler));
        net::post(pool, [handler = std::move(handler), work = std::move(work), verifier = std::move(verifier),
                         refresher = std::move(refresher), token = std::move(token), now_s,
                         outcome = std::move(first)]() mutable {
          try {
            outcome = oauth::verify_with_refresh(*verifier, *refresher, token, now_s);
          } catch (...) {  // the unknown_kid refusal stands
          }
          auto executor = work.get_executor();
          net::post(executor, [handler = std::move(handler), outcome = std::move(outcome)]() mutable {
            std::move(handler)(std::move(outcome));
          });
        });
      },
      net::use_awaitable, std::move(verifier), std::move(refresher), std::move(token), now_s, std::move(first));
}

}  // namespace

class Server : public std::enable_shared_from_this<Server> {
 public:
  // `blocking`: where work that may wait on the network (a key set refetch) runs, never an I/O thread.
  Server(const ServerOptions& options, net::io_context& io, net::thread_pool& blocking,
         std::shared_ptr<const Generation> first, gateway::FileAuditSink& audit, metrics::GatewayMetrics& metrics)
      : options_(options),
        io_(io),
        blocking_(blocking),
        generation_(std::move(first)),
        audit_(audit),
        metrics_(metrics),
        relay_(io, audit, options.log, &metrics) {
    const HttpConfig& http = generation_->config.http;
    sessions_ = std::make_unique<SessionTable<McpSession>>(http.max_sessions, http.max_sessions_per_user);
  }

  std::shared_ptr<const Generation> current() const {
    std::lock_guard lock(generation_mutex_);
    return generation_;
  }

  bool open(std::string& error) {
    const HttpConfig& http = generation_->config.http;
    beast::error_code ec;
    auto address = net::ip::make_address(http.listen_address, ec);
    if (ec) {
      error = "`" + http.listen_address + "` is not an IP address";
      return false;
    }
    tcp::endpoint endpoint(address, http.port);
    acceptor_.emplace(io_);
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      error = "cannot listen on " + http.listen_address + ":" + std::to_string(http.port) + ": " + ec.message();
      return false;
    }
    if (!http.tls_cert.empty()) {
      tls_.emplace(net::ssl::context::tls_server);
      tls_->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                        net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
      tls_->use_certificate_chain_file(http.tls_cert, ec);
      if (!ec) tls_->use_private_key_file(http.tls_key, net::ssl::context::pem, ec);
      if (ec) {
        error = "cannot load the TLS certificate or key: " + ec.message();
        return false;
      }
    }
    port_ = acceptor_->local_endpoint().port();
    return true;
  }
  unsigned short port() const { return port_; }

  void start() {
    net::co_spawn(io_, accept_loop(shared_from_this()), net::detached);
    net::co_spawn(io_, reap_loop(shared_from_this()), net::detached);
  }

  void reload() {
    auto config = options_.load_config();
    if (!config.ok()) {
      metrics_.on_reload("policy", false);
      event("reload_refused", config.error());
      return;
    }
    auto next = build_generation(std::move(config.value()), options_.log);
    if (!next.ok()) {
      metrics_.on_reload("policy", false);
      event("reload_refused", next.error());
      return;
    }
    metrics_.on_reload("policy", true);
    if (next.value()->shadow) metrics_.on_reload("shadow", true);
    {
      std::lock_guard lock(generation_mutex_);
      generation_ = next.value();
    }
    for (auto& [id, session] : sessions_->all()) {
      relay_.replace_generation(*session, *next.value());
    }
    event("reloaded", "policy " + next.value()->engine.policy_hash());
  }

  // Stops accepting; returns once no request is in progress or the drain time ran out.
  void drain(std::int64_t timeout_ms) {
    draining_ = true;
    net::post(io_, [self = shared_from_this()] {
      beast::error_code ignored;
      if (self->acceptor_) self->acceptor_->close(ignored);
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (active_requests_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (auto& [id, session] : sessions_->all()) {
      sessions_->erase(id);
      relay_.end_session(*session);
    }
  }

  void event(std::string_view name, std::string_view detail) {
    if (options_.log) options_.log(gateway::event_line(name, detail));
  }

 private:
  static net::awaitable<void> accept_loop(std::shared_ptr<Server> self) {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket(net::make_strand(self->io_));
      co_await self->acceptor_->async_accept(socket, with(ec));
      if (ec) {
        if (self->draining_ || ec == net::error::operation_aborted) co_return;
        continue;  // EMFILE and the like: keep accepting
      }
      socket.set_option(tcp::no_delay(true), ec);
      std::string remote;
      auto peer = socket.remote_endpoint(ec);
      if (!ec) {
        remote = peer.address().to_string();
        if (peer.address().is_v6()) remote = "[" + remote + "]";
        remote += ":" + std::to_string(peer.port());
      }
      auto executor = socket.get_executor();
      if (self->tls_) {
        net::co_spawn(executor, serve_tls(self, std::move(socket), std::move(remote)), net::detached);
      } else {
        net::co_spawn(executor, serve(self, beast::tcp_stream(std::move(socket)), std::move(remote)), net::detached);
      }
    }
  }

  static net::awaitable<void> serve_tls(std::shared_ptr<Server> self, tcp::socket socket, std::string remote) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *self->tls_);
    beast::error_code ec;
    beast::get_lowest_layer(stream).expires_after(
        std::chrono::milliseconds(self->current()->config.http.header_timeout_ms));
    co_await stream.async_handshake(net::ssl::stream_base::server, with(ec));
    if (ec) co_return;
    co_await serve_stream(self, stream, remote);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(with(ec));
  }

  static net::awaitable<void> serve(std::shared_ptr<Server> self, beast::tcp_stream stream, std::string remote) {
    co_await serve_stream(self, stream, remote);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  template <class Stream>
  static net::awaitable<void> serve_stream(std::shared_ptr<Server> self, Stream& stream, const std::string& remote) {
    beast::flat_buffer buffer;
    StreamChannel<Stream> channel(stream);
    for (;;) {
      beast::error_code ec;
      if (buffer.size() == 0) {
        // Keep-alive: wait for the next request's first byte.
        beast::get_lowest_layer(stream).expires_after(
            std::chrono::milliseconds(self->current()->config.http.idle_timeout_ms));
        std::size_t n = co_await stream.async_read_some(buffer.prepare(4096), with(ec));
        if (ec) co_return;
        buffer.commit(n);
      }
      if (self->draining_) co_return;
      // The generation in force when the request arrived serves all of it.
      auto generation = self->current();
      const HttpConfig& http = generation->config.http;
      // The whole request (head and body) must arrive within header_timeout_ms:
      // a client sending its headers byte by byte is cut off.
      beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(http.header_timeout_ms));
      // The head is judged as bytes (check_raw_head) before Beast parses it.
      std::size_t head_end = std::string_view::npos;
      for (;;) {
        const std::string_view seen(static_cast<const char*>(buffer.data().data()), buffer.size());
        head_end = seen.find("\r\n\r\n");
        if (head_end != std::string_view::npos || seen.size() > http.max_header_bytes) break;
        std::size_t n = co_await stream.async_read_some(buffer.prepare(4096), with(ec));
        if (ec) co_return;
        buffer.commit(n);
      }
      if (head_end == std::string_view::npos || head_end + 4 > http.max_header_bytes) {
        Reply refusal = error_reply(431, "the request head is larger than the limit");
        refusal.keep_alive = false;
        co_await channel.write(format_reply(refusal));
        co_return;
      }
      if (Verdict raw = check_raw_head(std::string_view(static_cast<const char*>(buffer.data().data()), head_end + 4));
          raw.status != 0) {
        Reply refusal = error_reply(raw.status, raw.message);
        refusal.keep_alive = false;
        self->event("request_refused", std::string(raw.message) + " from " + remote);
        co_await channel.write(format_reply(refusal));
        co_return;
      }
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(http.max_header_bytes));
      parser.body_limit(http.max_body_bytes);
      co_await bhttp::async_read(stream, buffer, parser, with(ec));
      beast::get_lowest_layer(stream).expires_never();
      if (ec) {
        Reply refusal;
        refusal.keep_alive = false;
        if (ec == bhttp::error::body_limit) {
          refusal = error_reply(413, "the request body is larger than the limit");
        } else if (ec == bhttp::error::header_limit) {
          refusal = error_reply(431, "the request head is larger than the limit");
        } else if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == net::error::eof ||
                   ec == net::error::connection_reset || ec == net::error::operation_aborted) {
          co_return;  // nothing useful to answer
        } else {
          refusal = error_reply(400, "malformed http request");
          self->event("request_refused", "malformed http request from " + remote + ": " + ec.message());
        }
        refusal.keep_alive = false;
        co_await channel.write(format_reply(refusal));
        co_return;
      }
      // A GET holds a stream open for as long as it lasts: the drain does not wait for those.
      const bool counted = parser.get().method() != bhttp::verb::get;
      if (counted) self->active_requests_.fetch_add(1);
      Reply reply;
      const auto read_at = std::chrono::steady_clock::now();
      co_await self->handle(*generation, parser.get(), remote, channel, reply);
      if (counted) self->active_requests_.fetch_sub(1);
      // What the gateway added to a relayed call: its whole handling less the wait on the upstream.
      if (reply.upstream_ns >= 0) {
        self->metrics_.observe_added_latency("http", gateway::elapsed_ns(read_at) - reply.upstream_ns);
      }
      if (!parser.get().keep_alive() || self->draining_) reply.keep_alive = false;
      if (!reply.streamed) {
        if (!co_await channel.write(format_reply(reply))) co_return;
      }
      if (!reply.keep_alive) co_return;
    }
  }

  net::awaitable<void> handle(const Generation& generation, bhttp::request<bhttp::string_body>& request,
                              const std::string& remote, ClientChannel& channel, Reply& reply) {
    const RequestFacts facts = request_facts(request);
    Verdict verdict = check_request(facts, generation.rules);
    if (verdict.status != 0) {
      refuse_request(verdict, remote, reply);
      co_return;
    }
    if (verdict.route != Route::Mcp) {
      answer_local(generation, verdict.route, reply);
      co_return;
    }
    // The MCP endpoint: who is calling?
    CallContext call;
    if (!co_await authenticate(generation, facts, remote, call, reply)) co_return;
    std::shared_ptr<McpSession> session;
    if (!facts.session_id.empty() &&
        !find_session(generation, call, facts.session_id.front(), request.method_string(), session, reply)) {
      co_return;
    }
    const bhttp::verb method = request.method();
    if (method == bhttp::verb::delete_) {
      sessions_->erase(session->id);
      co_await relay_.delete_session(generation, *session);
      relay_.end_session(*session);
      reply.status = 200;
      co_return;
    }
    if (method == bhttp::verb::get) {
      session->active.fetch_add(1);
      co_await relay_.open_stream(generation, session, call, channel, reply);
      session->active.fetch_sub(1);
      session->last_used_ms = steady_ms();
      co_return;
    }
    // POST: one JSON-RPC message.
    std::string& body = request.body();
    const bool created = !session;
    if (created && !(session = start_session(generation, call, body, reply))) co_return;
    session->active.fetch_add(1);
    RelayOutcome relayed = co_await relay_.post(generation, session, call, body, created, channel, reply);
    session->active.fetch_sub(1);
    session->last_used_ms = steady_ms();
    if (relayed == RelayOutcome::EndSession) {
      sessions_->erase(session->id);
      relay_.end_session(*session);
    }
  }

  // A request check_request refused: its status and message, the methods a 405 allows, a log line
  // for a 403 or 400; the connection closes.
  void refuse_request(const Verdict& verdict, const std::string& remote, Reply& reply) {
    reply = error_reply(verdict.status, verdict.message);
    if (verdict.status == 405)
      reply.headers.emplace_back("Allow", verdict.route == Route::Mcp ? "GET, POST, DELETE" : "GET");
    reply.keep_alive = false;
    if (verdict.status == 403 || verdict.status == 400)
      event("request_refused", std::string(verdict.message) + " from " + remote);
  }

  // The routes the gateway answers itself: the health check, /metrics and the RFC 9728 document.
  void answer_local(const Generation& generation, Route route, Reply& reply) {
    if (route == Route::Health) {
      reply.content_type = "application/json";
      reply.body = "{\"status\":\"ok\",\"sessions\":" + std::to_string(sessions_->size()) + ",\"policy_hash\":\"" +
                   generation.engine.policy_hash() + "\"}";
    } else if (route == Route::Metrics) {
      reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
      reply.body = metrics_.render();
    } else if (route == Route::Metadata) {
      reply.content_type = "application/json";
      reply.body = generation.metadata_json;
    }
  }

  // The bearer token verified (a key set refetch for an unknown kid on the blocking pool): true with
  // `call` filled, else false with the 401 / 400 / 403 and its WWW-Authenticate in `reply`.
  net::awaitable<bool> authenticate(const Generation& generation, const RequestFacts& facts,
                                    const std::string& remote, CallContext& call, Reply& reply) {
    const oauth::OAuthConfig& oauth_config = generation.config.oauth;
    std::string_view token;
    BearerStatus bearer = bearer_token(facts.authorization, token);
    if (bearer != BearerStatus::Ok) {
      metrics_.token_failure(bearer == BearerStatus::Missing ? "missing" : "malformed");
      oauth::AuthError error{oauth::AuthErrorCode::InvalidRequest, "malformed authorization header", {}};
      reply =
          error_reply(bearer == BearerStatus::Missing ? 401 : 400,
                      bearer == BearerStatus::Missing ? "authentication required" : "malformed authorization header");
      reply.headers.emplace_back("WWW-Authenticate",
                                 oauth::www_authenticate({oauth_config.realm, generation.resource_metadata_url,
                                                          bearer == BearerStatus::Missing ? nullptr : &error}));
      co_return false;
    }
    const std::int64_t now_s = unix_seconds();
    oauth::VerifyOutcome outcome = generation.verifier->verify(token, now_s);
    if (outcome.unknown_kid && generation.refresher) {
      // A kid the set lacks may be a rotated key: refetch the set (rate-limited) on the blocking pool, so
      // this coroutine waits without holding its I/O thread and other sessions are served meanwhile.
      auto refetch = verify_with_refresh_on(blocking_, generation.verifier, generation.refresher,
                                            std::string(token), now_s, std::move(outcome));
      outcome = co_await std::move(refetch);
    }
    if (!outcome.token) {
      const oauth::AuthError& error = *outcome.error;
      metrics_.token_failure(token_failure_cause(outcome));
      reply = error_reply(error.http_status(), error.description);
      reply.headers.emplace_back(
          "WWW-Authenticate", oauth::www_authenticate({oauth_config.realm, generation.resource_metadata_url, &error}));
      event("token_refused",
            std::string(oauth::error_code_name(error.code)) + ": " + error.description + " from " + remote);
      co_return false;
    }
    call.token = outcome.token;
    call.owner = SessionOwner{outcome.token->issuer,
                              outcome.token->subject.empty() ? outcome.token->principal.id : outcome.token->subject};
    call.remote = remote;
    call.protocol_version = facts.protocol_version.empty() ? std::string_view() : facts.protocol_version.front();
    co_return true;
  }

  // The session `id` names, if the caller owns it: true with `session` set, else false with a 404
  // (a session of another user is also refused in the audit log).
  bool find_session(const Generation& generation, const CallContext& call, std::string_view id,
                    beast::string_view method, std::shared_ptr<McpSession>& session, Reply& reply) {
    switch (sessions_->find(id, call.owner, session)) {
      case SessionLookup::Found:
        return true;
      case SessionLookup::OtherUser:
        refuse_foreign_session(generation, call, id, method);
        [[fallthrough]];
      case SessionLookup::Unknown:
        break;
    }
    reply = error_reply(404, "session not found");
    return false;
  }

  // A POST without a session id: only an initialize starts one (with its upstream), within the
  // session limits. The new session, or null with the refusal in `reply`.
  std::shared_ptr<McpSession> start_session(const Generation& generation, const CallContext& call,
                                            std::string_view body, Reply& reply) {
    auto method_value = gateway::member_value(body, "method");
    if (!method_value || *method_value != "\"initialize\"") {
      reply = error_reply(400, "no mcp-session-id: only an initialize request starts a session");
      return nullptr;
    }
    std::string error;
    std::shared_ptr<McpSession> session = relay_.create_session(generation, call, error);
    if (!session) {
      reply = error_reply(503, error);
      return nullptr;
    }
    switch (sessions_->insert(session->id, call.owner, session)) {
      case SessionInsert::Inserted:
        break;
      case SessionInsert::TooManyForUser:
        relay_.end_session(*session);
        reply = error_reply(429, "too many sessions for this user");
        return nullptr;
      default:
        relay_.end_session(*session);
        reply = error_reply(503, "too many sessions");
        return nullptr;
    }
    event("session_created", "session " + session->id + " for `" + session->principal_id + "` from " + call.remote);
    return session;
  }

  // Another user presented a session id: 404 for them, a record for the audit.
  void refuse_foreign_session(const Generation& generation, const CallContext& call, std::string_view id,
                              beast::string_view method) {
    runtime::AuditRecord record;
    runtime::format_record_time(record.time, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count());
    record.decision_id = new_session_id();
    if (record.decision_id.empty()) record.decision_id.assign(32, '0');
    record.user = call.token->principal.id;
    record.method = "http/" + std::string(method.data(), method.size());
    record.target = "mcp-session";
    record.arguments_json = "{}";
    record.effect = "deny";
    record.reason = "forbidden";
    record.message = "the session belongs to another user";
    record.obligations_json = "[]";
    record.policy_hash = generation.engine.policy_hash();
    record.caller = caller_of(call, std::string(id));
    std::string error;
    if (!audit_.append(record, error)) event("audit_failed", error);
    event("session_refused", "session " + std::string(id) + " presented by `" + call.token->principal.id + "` from " +
                                 call.remote + ", which is not its owner");
  }

  static net::awaitable<void> reap_loop(std::shared_ptr<Server> self) {
    net::steady_timer timer(self->io_);
    while (!self->draining_) {
      timer.expires_after(std::chrono::seconds(5));
      beast::error_code ec;
      co_await timer.async_wait(with(ec));
      const std::int64_t idle_ms = self->current()->config.http.session_idle_timeout_s * 1000;
      const std::int64_t now = steady_ms();
      for (auto& [id, session] : self->sessions_->all()) {
        if (session->active.load() == 0 && now - session->last_used_ms.load() > idle_ms) {
          self->sessions_->erase(id);
          self->relay_.end_session(*session);
          self->event("session_expired", "session " + id + " was idle");
        }
      }
    }
  }

  const ServerOptions& options_;
  net::io_context& io_;
  net::thread_pool& blocking_;
  mutable std::mutex generation_mutex_;
  std::shared_ptr<const Generation> generation_;
  gateway::FileAuditSink& audit_;
  metrics::GatewayMetrics& metrics_;
  Relay relay_;
  std::unique_ptr<SessionTable<McpSession>> sessions_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::ssl::context> tls_;
  unsigned short port_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<int> active_requests_{0};
};

int run_server(const ServerOptions& options) {
  auto log = [&](std::string_view line) {
    if (options.log) options.log(line);
  };
  auto config = options.load_config();
  if (!config.ok()) {
    log(config.error());
    return 1;
  }
  const std::string audit_path = config.value().http.audit;
  const bool audit_sync = config.value().http.audit_sync;
  auto generation = build_generation(std::move(config.value()), options.log);
  if (!generation.ok()) {
    log(generation.error());
    return 1;
  }
  runtime::AuditLogOptions audit_options;
  audit_options.sync_every_record = audit_sync;
  auto audit_log = runtime::AuditLog::open(audit_path, audit_options);
  if (!audit_log.ok()) {
    log("cannot open the audit log `" + audit_path + "`: " + audit_log.error());
    return 2;
  }
  if (!audit_log.value().recovery_note().empty()) log(audit_log.value().recovery_note());
  gateway::FileAuditSink audit(std::move(audit_log.value()));

  const unsigned threads = generation.value()->config.http.threads;
  const std::int64_t drain_ms = generation.value()->config.http.drain_timeout_ms;
  net::io_context io(static_cast<int>(threads));
  metrics::GatewayMetrics metrics;  // one per process: sessions and reloads span generations
  // One thread for work that may wait on the network. Declared after `io`, so destroyed (its queued
  // jobs with them, which hold coroutines of `io`) while `io` still exists.
  net::thread_pool blocking(1);
  auto server = std::make_shared<Server>(options, io, blocking, generation.value(), audit, metrics);
  std::string error;
  if (!server->open(error)) {
    log(error);
    return 2;
  }
  server->start();
  server->event("listening", generation.value()->config.http.listen_address + ":" + std::to_string(server->port()) +
                                 (generation.value()->config.http.tls_cert.empty() ? " (http)" : " (https)"));
  if (options.on_listening) options.on_listening(server->port());

  net::signal_set signals(io, SIGHUP, SIGTERM, SIGINT);
  std::atomic<bool> stopping{false};
  std::thread drainer;
  std::function<void(beast::error_code, int)> on_signal = [&](beast::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      // Building a generation reads files (and may fetch the key set): not on an I/O thread.
      std::thread([server] { server->reload(); }).detach();
      signals.async_wait(on_signal);
      return;
    }
    if (stopping.exchange(true)) return;
    drainer = std::thread([server, drain_ms, &io] {
      server->event("draining", "stopping: requests in progress may finish");
      server->drain(drain_ms);
      io.stop();
    });
  };
  signals.async_wait(on_signal);

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : pool) thread.join();
  if (drainer.joinable()) drainer.join();
  blocking.stop();  // a fetch in progress ends within kJwksFetchTimeoutMs; queued ones are dropped
  blocking.join();
  server->event("stopped", "");
  return 0;
}

}  // namespace authz::http
