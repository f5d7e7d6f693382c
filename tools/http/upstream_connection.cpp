// upstream_connection.cpp — see upstream_connection.h.
#include "tools/http/upstream_connection.h"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include "tools/http/asio_names.h"
#include "tools/http/generation.h"

namespace authz::http {

namespace {

template <class Stream>
class Connection final : public UpstreamConnection {
 public:
  template <class... Args>
  explicit Connection(Args&&... args) : stream_(std::forward<Args>(args)...) {}
  Stream& stream() { return stream_; }

  void expires_after(std::chrono::milliseconds timeout) override {
    beast::get_lowest_layer(stream_).expires_after(timeout);
  }
  void expires_never() override { beast::get_lowest_layer(stream_).expires_never(); }
  void close() override { beast::get_lowest_layer(stream_).close(); }
  net::awaitable<void> write(Request& request, beast::error_code& ec) override {
    co_await bhttp::async_write(stream_, request, with(ec));
  }
  net::awaitable<void> read_header(beast::flat_buffer& buffer, Parser& parser, beast::error_code& ec) override {
    co_await bhttp::async_read_header(stream_, buffer, parser, with(ec));
  }
  net::awaitable<void> read_some(beast::flat_buffer& buffer, Parser& parser, beast::error_code& ec) override {
    co_await bhttp::async_read_some(stream_, buffer, parser, with(ec));
  }
  net::awaitable<void> read(beast::flat_buffer& buffer, Parser& parser, beast::error_code& ec) override {
    co_await bhttp::async_read(stream_, buffer, parser, with(ec));
  }

 private:
  Stream stream_;
};

}  // namespace

net::awaitable<std::unique_ptr<UpstreamConnection>> connect_upstream(const Generation& generation,
                                                                     net::ssl::context& tls, beast::error_code& ec) {
  auto executor = co_await net::this_coro::executor;
  const ParsedUrl& url = generation.upstream_url;
  tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(url.host, url.port, with(ec));
  if (ec) co_return nullptr;
  const auto timeout = std::chrono::milliseconds(generation.config.http.request_timeout_ms);
  if (!url.tls) {
    auto connection = std::make_unique<Connection<beast::tcp_stream>>(executor);
    connection->expires_after(timeout);
    co_await connection->stream().async_connect(endpoints, with(ec));
    if (ec) co_return nullptr;
    connection->stream().socket().set_option(tcp::no_delay(true), ec);
    ec = {};
    co_return connection;
  }
  auto connection = std::make_unique<Connection<beast::ssl_stream<beast::tcp_stream>>>(executor, tls);
  auto& stream = connection->stream();
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    ec = beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category());
    co_return nullptr;
  }
  if (generation.config.upstream.verify_tls) {
    stream.set_verify_mode(net::ssl::verify_peer);
    stream.set_verify_callback(net::ssl::host_name_verification(url.host));
  } else {
    stream.set_verify_mode(net::ssl::verify_none);
  }
  connection->expires_after(timeout);
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, with(ec));
  if (ec) co_return nullptr;
  beast::get_lowest_layer(stream).socket().set_option(tcp::no_delay(true), ec);
  ec = {};
  co_await stream.async_handshake(net::ssl::stream_base::client, with(ec));
  if (ec) co_return nullptr;
  co_return connection;
}

}  // namespace authz::http
