// url_fetch.cpp — see url_fetch.h.
#include "tools/http/url_fetch.h"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include "tools/http/asio_names.h"
#include "tools/http/http_config.h"

namespace authz::http {

namespace {

template <class Stream>
net::awaitable<bool> exchange(Stream& stream, const ParsedUrl& url, std::size_t max_bytes, std::string& body,
                              std::string& error) {
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, url.target, 11};
  request.set(bhttp::field::host, url.host);
  request.set(bhttp::field::accept, "application/json");
  request.set(bhttp::field::user_agent, "authz-gateway");
  beast::error_code ec;
  co_await bhttp::async_write(stream, request, with(ec));
  if (ec) {
    error = "cannot send the request: " + ec.message();
    co_return false;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_bytes);
  co_await bhttp::async_read(stream, buffer, parser, with(ec));
  if (ec) {
    error = "cannot read the answer: " + ec.message();
    co_return false;
  }
  if (parser.get().result_int() != 200) {
    error = "the server answered HTTP " + std::to_string(parser.get().result_int());
    co_return false;
  }
  body = std::move(parser.get().body());
  co_return true;
}

}  // namespace

std::optional<std::string> fetch_url(const std::string& url_text, std::int64_t timeout_ms, std::size_t max_bytes,
                                     std::string& error) {
  ParsedUrl url;
  if (!parse_http_url(url_text, url)) {
    error = "`" + url_text + "` is not an http(s) URL";
    return std::nullopt;
  }
  try {
    net::io_context io;
    std::optional<std::string> result;
    auto run = [&]() -> net::awaitable<void> {
      beast::error_code ec;
      tcp::resolver resolver(io);
      auto endpoints = co_await resolver.async_resolve(url.host, url.port, with(ec));
      if (ec) {
        error = "cannot resolve `" + url.host + "`: " + ec.message();
        co_return;
      }
      std::string body;
      if (!url.tls) {
        beast::tcp_stream stream(io);
        co_await stream.async_connect(endpoints, with(ec));
        if (ec) {
          error = "cannot connect to `" + url.host + ":" + url.port + "`: " + ec.message();
          co_return;
        }
        if (co_await exchange(stream, url, max_bytes, body, error)) result = std::move(body);
        co_return;
      }
      net::ssl::context context(net::ssl::context::tls_client);
      context.set_default_verify_paths();
      context.set_verify_mode(net::ssl::verify_peer);
      beast::ssl_stream<beast::tcp_stream> stream(io, context);
      if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
        error = "cannot set the TLS server name";
        co_return;
      }
      stream.set_verify_callback(net::ssl::host_name_verification(url.host));
      co_await beast::get_lowest_layer(stream).async_connect(endpoints, with(ec));
      if (ec) {
        error = "cannot connect to `" + url.host + ":" + url.port + "`: " + ec.message();
        co_return;
      }
      co_await stream.async_handshake(net::ssl::stream_base::client, with(ec));
      if (ec) {
        error = "TLS handshake with `" + url.host + "` failed: " + ec.message();
        co_return;
      }
      if (co_await exchange(stream, url, max_bytes, body, error)) result = std::move(body);
    };
    net::co_spawn(io, run(), net::detached);
    io.run_for(std::chrono::milliseconds(timeout_ms));
    if (!io.stopped()) {
      error = "no answer from `" + url_text + "` within " + std::to_string(timeout_ms) + " ms";
      return std::nullopt;
    }
    return result;
  } catch (const std::exception& exception) {
    error = std::string("fetch failed: ") + exception.what();
    return std::nullopt;
  }
}

}  // namespace authz::http
