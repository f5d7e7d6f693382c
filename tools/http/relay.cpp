// relay.cpp — see relay.h.
#include "tools/http/relay.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include "tools/gateway/json_scan.h"
#include "tools/gateway/json_text.h"
#include "tools/gateway/log_line.h"
#include "tools/gateway/message_reader.h"
#include "tools/http/asio_names.h"
#include "tools/http/request_check.h"
#include "tools/http/sse.h"
#include "tools/http/stdio_upstream.h"
#include "tools/http/upstream_connection.h"

namespace authz::http {

namespace {

constexpr std::size_t kMaxServerMessageBytes = 64u << 20;
constexpr std::size_t kMaxUnrouted = 256;  // server messages kept for a GET stream not yet open

using boost::beast::iequals;

std::string_view trim_json(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

// Valid JSON holds CR and LF only as whitespace: spaces keep it one line.
std::string one_line(std::string_view json) {
  std::string out(json);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

bool header_safe(std::string_view value) {
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// An SSE event carrying one message, as one chunk of a chunked body.
void append_event_chunk(std::string& out, std::string_view json) {
  std::string event;
  append_sse_message(event, one_line(json));
  char size[20];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", event.size());
  out.append(size, static_cast<std::size_t>(n));
  out += event;
  out += "\r\n";
}

std::string sse_head(const std::string* session_id) {
  std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n";
  if (session_id) head += "Mcp-Session-Id: " + *session_id + "\r\n";
  head += "\r\n";
  return head;
}

bool is_response(std::string_view message) {
  return !gateway::member_value(message, "method") &&
         (gateway::member_value(message, "result") || gateway::member_value(message, "error"));
}

std::string id_key(std::string_view message) {
  auto id = gateway::member_value(message, "id");
  return id ? gateway::MessageReader::id_key_of(*id) : std::string();
}

void wake(const std::shared_ptr<Waiter>& waiter) {
  net::post(waiter->timer.get_executor(), [waiter] { waiter->timer.cancel(); });
}

// The upstream request's headers: never anything of the client's but the
// protocol version (no token passthrough).
template <class Body>
void upstream_headers(bhttp::request<Body>& request, const Generation& generation, McpSession& session,
                      const CallContext& call) {
  const ParsedUrl& url = generation.upstream_url;
  request.set(bhttp::field::host, url.host + ((url.port == "80") ? "" : ":" + url.port));
  request.set(bhttp::field::user_agent, "authz-gateway");
  if (!call.protocol_version.empty()) {
    request.set("MCP-Protocol-Version", beast::string_view(call.protocol_version.data(), call.protocol_version.size()));
  }
  {
    std::lock_guard lock(session.mutex);
    if (!session.upstream_session_id.empty()) request.set("Mcp-Session-Id", session.upstream_session_id);
  }
  for (const auto& [name, value] : generation.config.upstream.headers) request.set(name, value);
  const UpstreamConfig& upstream = generation.config.upstream;
  if (!upstream.user_header.empty() && header_safe(call.token->principal.id)) {
    request.set(upstream.user_header, call.token->principal.id);
  }
  if (!upstream.issuer_header.empty() && header_safe(call.token->issuer)) {
    request.set(upstream.issuer_header, call.token->issuer);
  }
}

std::unique_ptr<UpstreamConnection> take_idle(McpSession& session) {
  std::lock_guard lock(session.pool_mutex);
  if (session.idle.empty()) return nullptr;
  auto stream = std::move(session.idle.back());
  session.idle.pop_back();
  return stream;
}

void give_back(McpSession& session, std::unique_ptr<UpstreamConnection> stream) {
  constexpr std::size_t kMaxIdle = 4;
  std::lock_guard lock(session.pool_mutex);
  if (session.idle.size() < kMaxIdle && !session.ended) session.idle.push_back(std::move(stream));
}

// Answers the client's request with a JSON-RPC error that passes through the
// core (which forgets the request in flight); `reply` gets it with `status`.
void answer_failure(McpSession& session, std::string_view client_body, int status, std::string_view message,
                    Reply& reply) {
  reply = error_reply(status, message);
  auto id = gateway::member_value(client_body, "id");
  if (!id || !gateway::member_value(client_body, "method")) return;
  const std::string line = gateway::error_response(*id, gateway::kInternalError, message);
  gateway::Routing routing;
  session.server_message(line, routing);
  if (routing.forward)
    reply.body = line;
  else if (!routing.to_client.empty())
    reply.body = routing.to_client.front();
}

using UpstreamParser = bhttp::response_parser<bhttp::string_body>;

// One client POST the core let through, on its way to the upstream: what
// every step of Relay::post reads.
struct PostExchange {
  McpSession& session;
  const std::string& body;
  bool request;  // a JSON-RPC request (method and id): an answer is due
  bool created;  // the initialize that created the session
  std::int64_t timeout_ms;
  Reply& reply;
};

// The HTTP upstream's side of a POST: the connection, its answer as read so
// far, and when the wait for the upstream began.
struct UpstreamAnswer {
  std::unique_ptr<UpstreamConnection> connection;
  beast::flat_buffer buffer;
  std::optional<UpstreamParser> parser;
  std::chrono::steady_clock::time_point sent;
};

// Relays an upstream SSE body event by event through the core to the client,
// as chunks; `answered` once the answer to `request_key` (a request's id key)
// went by. Returns false when the client went away.
net::awaitable<bool> relay_events(const PostExchange& post, UpstreamAnswer& upstream, ClientChannel& channel,
                                  const std::string& request_key, bool& answered) {
  McpSession& session = post.session;
  UpstreamParser& parser = *upstream.parser;
  SseParser sse(kMaxServerMessageBytes);
  std::string out;
  gateway::Routing routing;
  auto on_event = [&](std::string_view type, std::string_view, std::string_view data) {
    // Events without data prime a stream for resumption (their id): nothing to relay.
    if (type != "message" || trim_json(data).empty()) return;
    session.server_message(trim_json(data), routing);
    if (routing.forward) {
      if (!request_key.empty() && !answered && is_response(data) && id_key(data) == request_key) answered = true;
      append_event_chunk(out, trim_json(data));
    }
    for (const std::string& message : routing.to_client) {
      if (!request_key.empty() && is_response(message) && id_key(message) == request_key) answered = true;
      append_event_chunk(out, message);
    }
  };
  // Bytes of the body that arrived with the head.
  while (!parser.is_done()) {
    beast::error_code ec;
    upstream.connection->expires_after(std::chrono::milliseconds(post.timeout_ms));
    co_await upstream.connection->read_some(upstream.buffer, parser, ec);
    std::string& body = parser.get().body();
    if (!body.empty()) {
      if (!sse.feed(body, on_event)) ec = bhttp::error::body_limit;
      body.clear();
    }
    if (!out.empty()) {
      if (!co_await channel.write(out)) co_return false;
      out.clear();
    }
    if (ec) break;
  }
  co_return true;
}

}  // namespace

Reply error_reply(int status, std::string_view message) {
  Reply reply;
  reply.status = status;
  reply.content_type = "application/json";
  reply.body = gateway::error_response("null", -32000, message);
  return reply;
}

runtime::AuditCaller caller_of(const CallContext& call, std::string session_id) {
  runtime::AuditCaller caller;
  caller.issuer = call.token->issuer;
  caller.client_id = call.token->client_id;
  caller.token_id = call.token->jti;
  caller.session_id = std::move(session_id);
  caller.remote_address = call.remote;
  return caller;
}

Relay::Relay(net::io_context& io, gateway::AuditSink& audit, std::function<void(std::string_view)> log,
             metrics::GatewayMetrics* metrics)
    : io_(io), audit_(audit), log_(std::move(log)), metrics_(metrics), tls_(net::ssl::context::tls_client) {
  tls_.set_default_verify_paths();
  tls_.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3 |
                   net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
}

std::shared_ptr<McpSession> Relay::create_session(const Generation& generation, const CallContext& call,
                                                  std::string& error) {
  std::string id = new_session_id();
  if (id.empty()) {
    error = "cannot create a session id (the random generator failed)";
    return nullptr;
  }
  gateway::SessionConfig config;
  config.principal = call.token->principal;
  // The database's attributes under the token's (docs/entity-sources.md).
  if (auto problem = generation.sources ? generation.sources->merge_principal_attributes(config.principal)
                                        : std::nullopt) {
    if (log_) log_(gateway::event_line("principal_source_failed", *problem));
    error = "the user's attributes cannot be read";
    return nullptr;
  }
  config.entities = generation.entities;
  config.observer = metrics_;
  config.audit = &audit_;
  config.caller = caller_of(call, id);
  config.log = [log = log_, id](std::string_view line) {
    if (log) log(gateway::event_line("session", line, id));
  };
  auto session = std::make_shared<McpSession>(std::move(config), generation.engine, id, call.owner);
  {
    std::lock_guard lock(session->mutex);  // the contract: every call into core under the mutex
    session->core.set_shadow(generation.shadow);
  }
  session->principal_id = call.token->principal.id;
  const UpstreamConfig& upstream = generation.config.upstream;
  if (!upstream.command.empty()) {
    {
      std::lock_guard lock(children_mutex_);
      std::size_t& mine = children_per_user_[session->principal_id];
      if (children_ >= upstream.max_children || mine >= upstream.max_children_per_user) {
        if (mine == 0) children_per_user_.erase(session->principal_id);
        error = children_ >= upstream.max_children ? "too many server processes"
                                                   : "too many server processes for this user";
        return nullptr;
      }
      ++children_;
      ++mine;
    }
    std::weak_ptr<McpSession> weak = session;
    session->stdio = StdioUpstream::start(
        io_.get_executor(), upstream.command, kMaxServerMessageBytes,
        [this, weak](std::string_view line) {
          if (auto alive = weak.lock()) deliver_stdio(*alive, line);
        },
        [weak] {
          auto alive = weak.lock();
          if (!alive) return;
          std::lock_guard lock(alive->mutex);
          for (auto& [key, waiter] : alive->waiting) {
            waiter->closed = true;
            wake(waiter);
          }
          if (alive->stream) {
            alive->stream->closed = true;
            wake(alive->stream);
          }
        },
        log_, error);
    if (!session->stdio) {
      std::lock_guard lock(children_mutex_);
      --children_;
      if (--children_per_user_[session->principal_id] == 0) children_per_user_.erase(session->principal_id);
      return nullptr;
    }
  }
  if (metrics_) metrics_->session_started("http");
  return session;
}

void Relay::end_session(McpSession& session) {
  if (session.ended.exchange(true)) return;
  if (metrics_) metrics_->session_ended("http");
  if (session.stdio) {
    session.stdio->stop();
    std::lock_guard lock(children_mutex_);
    --children_;
    auto mine = children_per_user_.find(session.principal_id);
    if (mine != children_per_user_.end() && --mine->second == 0) children_per_user_.erase(mine);
  }
  {
    std::lock_guard lock(session.mutex);
    for (auto& [key, waiter] : session.waiting) {
      waiter->closed = true;
      wake(waiter);
    }
    if (session.stream) {
      session.stream->closed = true;
      wake(session.stream);
    }
  }
  std::lock_guard lock(session.pool_mutex);
  session.idle.clear();
}

void Relay::route_to_client(McpSession& session, std::string message) {
  if (is_response(message)) {
    auto found = session.waiting.find(id_key(message));
    if (found != session.waiting.end()) {
      found->second->messages.push_back(std::move(message));
      wake(found->second);
      return;
    }
  }
  if (session.stream) {
    session.stream->messages.push_back(std::move(message));
    wake(session.stream);
  } else if (session.unrouted.size() < kMaxUnrouted) {
    session.unrouted.push_back(std::move(message));
  }
}

void Relay::deliver_stdio(McpSession& session, std::string_view line) {
  gateway::Routing routing;
  std::lock_guard lock(session.mutex);
  session.core.on_server_line(line, routing);
  if (routing.forward) route_to_client(session, std::string(line));
  for (std::string& message : routing.to_client) route_to_client(session, std::move(message));
}

void Relay::replace_generation(McpSession& session, const Generation& generation) {
  gateway::Routing routing;
  std::lock_guard lock(session.mutex);
  session.core.replace_engine(generation.engine, routing);
  session.core.set_shadow(generation.shadow);
  session.core.set_entities(generation.entities);
  for (std::string& message : routing.to_client) route_to_client(session, std::move(message));
}

namespace {

void add_session_header(Reply& reply, const McpSession& session, bool created) {
  if (created) reply.headers.emplace_back("Mcp-Session-Id", session.id);
}

// A stdio upstream: a notification or response is written to the child and
// accepted (202); a request waits for its answer, routed back by id through
// session.waiting, until the request timeout (504) or the child's end (502).
net::awaitable<RelayOutcome> post_to_stdio(const PostExchange& post) {
  McpSession& session = post.session;
  const std::string& body = post.body;
  Reply& reply = post.reply;
  if (!post.request) {
    session.stdio->send(one_line(body));
    reply.status = 202;
    co_return RelayOutcome::Done;
  }
  const std::string key = id_key(body);
  auto waiter = std::make_shared<Waiter>(co_await net::this_coro::executor);
  {
    std::lock_guard lock(session.mutex);
    session.waiting[key] = waiter;
  }
  const auto sent = std::chrono::steady_clock::now();
  session.stdio->send(one_line(body));
  waiter->timer.expires_after(std::chrono::milliseconds(post.timeout_ms));
  std::string answer;
  bool closed = false;
  for (;;) {
    {
      std::lock_guard lock(session.mutex);
      if (!waiter->messages.empty()) {
        answer = std::move(waiter->messages.front());
        break;
      }
      if (waiter->closed) {
        closed = true;
        break;
      }
    }
    beast::error_code ec;
    co_await waiter->timer.async_wait(with(ec));
    if (!ec) break;  // the timeout
  }
  {
    std::lock_guard lock(session.mutex);
    session.waiting.erase(key);
  }
  if (answer.empty()) {
    answer_failure(session, body, closed ? 502 : 504,
                   closed ? "the upstream server ended" : "the upstream server did not answer in time", reply);
    co_return closed ? RelayOutcome::EndSession : RelayOutcome::Done;
  }
  reply.content_type = "application/json";
  reply.body = std::move(answer);
  reply.upstream_ns = gateway::elapsed_ns(sent);
  add_session_header(reply, session, post.created);
  co_return RelayOutcome::Done;
}

// The HTTP upstream: POSTs the body on an idle kept-alive connection of the
// session (once more on a new one when the upstream had closed it) or a new
// one, and reads the answer's header into `upstream`. The error, if any.
net::awaitable<beast::error_code> send_to_upstream(const Generation& generation, net::ssl::context& tls,
                                                   const CallContext& call, const PostExchange& post,
                                                   UpstreamAnswer& upstream) {
  bhttp::request<bhttp::string_body> upstream_request{bhttp::verb::post, generation.upstream_url.target, 11};
  upstream_headers(upstream_request, generation, post.session, call);
  upstream_request.set(bhttp::field::content_type, "application/json");
  upstream_request.set(bhttp::field::accept, "application/json, text/event-stream");
  upstream_request.body() = post.body;
  upstream_request.prepare_payload();

  upstream.connection = take_idle(post.session);
  bool reused = upstream.connection != nullptr;
  beast::error_code ec;
  upstream.sent = std::chrono::steady_clock::now();
  for (int attempt = 0; attempt < 2; ++attempt) {
    upstream.parser.emplace();
    ec = {};
    if (!upstream.connection) {
      upstream.connection = co_await connect_upstream(generation, tls, ec);
      if (ec) break;
    }
    upstream.connection->expires_after(std::chrono::milliseconds(post.timeout_ms));
    co_await upstream.connection->write(upstream_request, ec);
    if (!ec) co_await upstream.connection->read_header(upstream.buffer, *upstream.parser, ec);
    // A kept-alive connection the upstream closed meanwhile: once more on a new one.
    if (ec && reused &&
        (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe)) {
      upstream.connection.reset();
      reused = false;
      upstream.buffer.clear();
      continue;
    }
    break;
  }
  co_return ec;
}

// An SSE answer: relayed to the client event by event as a chunked stream;
// a request whose answer never came gets a 502 event at the end.
net::awaitable<void> relay_event_answer(const PostExchange& post, UpstreamAnswer& upstream, ClientChannel& channel) {
  McpSession& session = post.session;
  UpstreamParser& parser = *upstream.parser;
  Reply& reply = post.reply;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  reply.streamed = true;
  if (!co_await channel.write(sse_head(post.created ? &session.id : nullptr))) {
    reply.keep_alive = false;
    co_return;
  }
  bool answered = false;
  const std::string key = post.request ? id_key(post.body) : std::string();
  bool client_ok = co_await relay_events(post, upstream, channel, key, answered);
  if (post.request && !answered) {
    // The stream ended without the answer: the client gets an error, and the core forgets the request.
    Reply failure;
    answer_failure(session, post.body, 502, "the upstream stream ended without an answer", failure);
    std::string chunk;
    append_event_chunk(chunk, failure.body);
    if (client_ok) client_ok = co_await channel.write(chunk);
  }
  if (client_ok) client_ok = co_await channel.write("0\r\n\r\n");
  if (!client_ok) reply.keep_alive = false;
  if (parser.is_done() && parser.keep_alive()) give_back(session, std::move(upstream.connection));
}

// Any other answer, read whole: empty (202), JSON through the core (what it
// lets through, or its own answer), 404 for a session the upstream ended, or a 502.
net::awaitable<RelayOutcome> relay_whole_answer(const PostExchange& post, UpstreamAnswer& upstream, int status,
                                                std::string_view content_type) {
  McpSession& session = post.session;
  UpstreamParser& parser = *upstream.parser;
  const std::string& body = post.body;
  const bool created = post.created;
  Reply& reply = post.reply;
  beast::error_code ec;
  parser.body_limit(kMaxServerMessageBytes);
  co_await upstream.connection->read(upstream.buffer, parser, ec);
  if (ec) {
    answer_failure(session, body, 502, "the upstream server's answer could not be read", reply);
    co_return created ? RelayOutcome::EndSession : RelayOutcome::Done;
  }
  const std::int64_t waited = gateway::elapsed_ns(upstream.sent);  // every answer read below counts, whatever the client gets
  const bool reusable = parser.keep_alive();
  const std::string_view answer = trim_json(parser.get().body());
  if (status / 100 == 2 && answer.empty()) {
    reply.status = 202;
    add_session_header(reply, session, created);
  } else if (status == 200 && iequals(content_type, "application/json")) {
    gateway::Routing answer_routing;
    session.server_message(answer, answer_routing);
    if (answer_routing.forward) {
      reply.content_type = "application/json";
      reply.body.assign(answer);
    } else if (!answer_routing.to_client.empty()) {
      reply.content_type = "application/json";
      reply.body = std::move(answer_routing.to_client.front());
    } else {
      answer_failure(session, body, 502, "the upstream server's answer was withheld", reply);
    }
    add_session_header(reply, session, created);
  } else if (status == 404 && !created) {
    reply = error_reply(404, "session not found (the upstream session ended)");
    reply.upstream_ns = waited;
    co_return RelayOutcome::EndSession;
  } else {
    answer_failure(session, body, 502, "the upstream server answered HTTP " + std::to_string(status), reply);
    reply.upstream_ns = waited;
    if (created) co_return RelayOutcome::EndSession;
  }
  reply.upstream_ns = waited;
  if (reusable) give_back(session, std::move(upstream.connection));
  co_return RelayOutcome::Done;
}

}  // namespace

net::awaitable<RelayOutcome> Relay::post(const Generation& generation, std::shared_ptr<McpSession> session,
                                         const CallContext& call, const std::string& body, bool created,
                                         ClientChannel& channel, Reply& reply) {
  gateway::Routing routing;
  session->client_message(
      body, call.token, call.remote, [&] { return caller_of(call, session->id); }, routing);
  if (!routing.forward) {
    if (!routing.to_client.empty()) {
      reply.content_type = "application/json";
      reply.body = std::move(routing.to_client.front());
    } else {
      reply.status = 202;
    }
    // A refused initialize creates nothing.
    co_return created ? RelayOutcome::EndSession : RelayOutcome::Done;
  }
  const PostExchange post{*session, body,
                          gateway::member_value(body, "method") && gateway::member_value(body, "id"), created,
                          generation.config.http.request_timeout_ms, reply};
  if (session->stdio) co_return co_await post_to_stdio(post);

  UpstreamAnswer upstream;
  beast::error_code ec = co_await send_to_upstream(generation, tls_, call, post, upstream);
  if (ec) {
    answer_failure(*session, body, ec == beast::error::timeout ? 504 : 502,
                   ec == beast::error::timeout ? "the upstream server did not answer in time"
                                               : "the upstream server is unavailable",
                   reply);
    if (log_) log_(gateway::event_line("upstream_failed", ec.message(), session->id));
    co_return created ? RelayOutcome::EndSession : RelayOutcome::Done;
  }
  auto& head = upstream.parser->get();
  const int status = head.result_int();
  if (created && status / 100 == 2) {
    auto id = head["mcp-session-id"];
    if (!id.empty()) {
      std::lock_guard lock(session->mutex);
      session->upstream_session_id.assign(id.data(), id.size());
    }
  }
  const std::string_view content_type =
      media_type(std::string_view(head[bhttp::field::content_type].data(), head[bhttp::field::content_type].size()));
  if (status == 200 && iequals(content_type, "text/event-stream")) {
    co_await relay_event_answer(post, upstream, channel);
    co_return RelayOutcome::Done;
  }
  co_return co_await relay_whole_answer(post, upstream, status, content_type);
}

namespace {

// The client's side of a GET stream: whatever arrives in `waiter` (server
// messages already through the core, and the gateway's own notifications)
// as SSE events, with a comment now and then to notice a client that left.
net::awaitable<bool> stream_to_client(McpSession& session, Waiter& waiter, ClientChannel& channel,
                                      std::int64_t timeout_ms) {
  bool client_ok = co_await channel.write(sse_head(nullptr));
  while (client_ok) {
    std::string out;
    bool closed = false;
    {
      std::lock_guard lock(session.mutex);
      for (auto& message : waiter.messages) append_event_chunk(out, message);
      waiter.messages.clear();
      closed = waiter.closed;
    }
    if (!out.empty()) client_ok = co_await channel.write(out);
    if (closed || !client_ok) break;
    waiter.timer.expires_after(std::chrono::milliseconds(std::min<std::int64_t>(timeout_ms, 15000)));
    beast::error_code ec;
    co_await waiter.timer.async_wait(with(ec));
    if (!ec) client_ok = co_await channel.write("e\r\n: keep-alive\n\n\r\n");  // an SSE comment
  }
  if (client_ok) client_ok = co_await channel.write("0\r\n\r\n");
  co_return client_ok;
}

struct UpstreamStream {
  std::unique_ptr<UpstreamConnection> connection;
  beast::flat_buffer buffer;
  UpstreamConnection::Parser parser;
};

// The upstream's side of a GET stream: each event through the core into `waiter`.
net::awaitable<void> pump_upstream(std::shared_ptr<McpSession> session, std::shared_ptr<Waiter> waiter,
                                   std::shared_ptr<UpstreamStream> upstream) {
  SseParser sse(kMaxServerMessageBytes);
  gateway::Routing routing;
  auto on_event = [&](std::string_view type, std::string_view, std::string_view data) {
    if (type != "message" || trim_json(data).empty()) return;
    std::lock_guard lock(session->mutex);
    session->core.on_server_line(trim_json(data), routing);
    if (routing.forward) waiter->messages.emplace_back(trim_json(data));
    for (std::string& message : routing.to_client) waiter->messages.push_back(std::move(message));
  };
  upstream->connection->expires_never();
  while (!upstream->parser.is_done()) {
    beast::error_code ec;
    co_await upstream->connection->read_some(upstream->buffer, upstream->parser, ec);
    std::string& body = upstream->parser.get().body();
    if (!body.empty()) {
      if (!sse.feed(body, on_event)) ec = bhttp::error::body_limit;
      body.clear();
    }
    wake(waiter);
    if (ec) break;
  }
  {
    std::lock_guard lock(session->mutex);
    waiter->closed = true;
  }
  wake(waiter);
}

}  // namespace

net::awaitable<void> Relay::open_stream(const Generation& generation, std::shared_ptr<McpSession> session,
                                        const CallContext& call, ClientChannel& channel, Reply& reply) {
  const std::int64_t timeout_ms = generation.config.http.request_timeout_ms;
  auto waiter = std::make_shared<Waiter>(co_await net::this_coro::executor);
  std::shared_ptr<UpstreamStream> upstream;
  if (!session->stdio) {
    UpstreamConnection::Request upstream_request{bhttp::verb::get, generation.upstream_url.target, 11};
    upstream_headers(upstream_request, generation, *session, call);
    upstream_request.set(bhttp::field::accept, "text/event-stream");
    beast::error_code ec;
    upstream = std::make_shared<UpstreamStream>();
    upstream->connection = co_await connect_upstream(generation, tls_, ec);
    if (!ec) {
      upstream->connection->expires_after(std::chrono::milliseconds(timeout_ms));
      co_await upstream->connection->write(upstream_request, ec);
    }
    if (!ec) co_await upstream->connection->read_header(upstream->buffer, upstream->parser, ec);
    if (ec) {
      reply = error_reply(502, "the upstream server is unavailable");
      co_return;
    }
    const int status = upstream->parser.get().result_int();
    const auto content_type = upstream->parser.get()[bhttp::field::content_type];
    if (status != 200 ||
        !iequals(media_type(std::string_view(content_type.data(), content_type.size())), "text/event-stream")) {
      reply = error_reply(status == 405 ? 405 : 502,
                          status == 405 ? "the server offers no stream" : "the upstream server refused the stream");
      if (status == 405) reply.headers.emplace_back("Allow", "POST, DELETE");
      co_return;
    }
    upstream->parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  }
  {
    std::lock_guard lock(session->mutex);
    if (session->stream) {
      reply = error_reply(409, "this session already has a stream open");
      co_return;
    }
    session->stream = waiter;
    for (auto& message : session->unrouted) waiter->messages.push_back(std::move(message));
    session->unrouted.clear();
  }
  if (upstream)
    net::co_spawn(co_await net::this_coro::executor, pump_upstream(session, waiter, upstream), net::detached);
  reply.streamed = true;
  const bool client_ok = co_await stream_to_client(*session, *waiter, channel, timeout_ms);
  if (upstream) upstream->connection->close();  // ends the pump
  {
    std::lock_guard lock(session->mutex);
    if (session->stream == waiter) session->stream.reset();
  }
  reply.keep_alive = client_ok;
}

net::awaitable<void> Relay::delete_session(const Generation& generation, McpSession& session) {
  if (session.stdio) co_return;
  {
    std::lock_guard lock(session.mutex);
    if (session.upstream_session_id.empty()) co_return;
  }
  UpstreamConnection::Request upstream_request{bhttp::verb::delete_, generation.upstream_url.target, 11};
  CallContext none;
  auto token = std::make_shared<oauth::VerifiedToken>();
  none.token = token;
  upstream_headers(upstream_request, generation, session, none);
  beast::error_code ec;
  auto upstream = co_await connect_upstream(generation, tls_, ec);
  if (ec) co_return;
  upstream->expires_after(std::chrono::milliseconds(generation.config.http.request_timeout_ms));
  co_await upstream->write(upstream_request, ec);
  if (ec) co_return;
  beast::flat_buffer buffer;
  UpstreamConnection::Parser response;
  co_await upstream->read(buffer, response, ec);
}

}  // namespace authz::http
