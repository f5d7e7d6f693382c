// upstream_connection.h — one connection to an HTTP MCP upstream, plain or
// TLS, behind one interface so the relay (relay.cpp) is written once.
//
// Contract: connect_upstream() resolves and connects to the upstream URL of
// the generation (https: a TLS handshake with SNI, the peer verified against
// the system trust store and the host name unless [upstream].verify_tls is
// false) within [http].request_timeout_ms, or returns null with `ec` set.
// The operations are Beast's HTTP operations on the underlying stream;
// expires_after bounds the next operations. A connection is used by one
// exchange at a time (a session's idle pool hands it out exclusively).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>

namespace authz::http {

struct Generation;

class UpstreamConnection {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Parser = boost::beast::http::response_parser<boost::beast::http::string_body>;
  virtual ~UpstreamConnection() = default;
  virtual void expires_after(std::chrono::milliseconds timeout) = 0;
  virtual void expires_never() = 0;
  // Closes the socket: a pending operation ends with an error.
  virtual void close() = 0;
  virtual boost::asio::awaitable<void> write(Request& request, boost::beast::error_code& ec) = 0;
  virtual boost::asio::awaitable<void> read_header(boost::beast::flat_buffer& buffer, Parser& parser,
                                                   boost::beast::error_code& ec) = 0;
  virtual boost::asio::awaitable<void> read_some(boost::beast::flat_buffer& buffer, Parser& parser,
                                                 boost::beast::error_code& ec) = 0;
  virtual boost::asio::awaitable<void> read(boost::beast::flat_buffer& buffer, Parser& parser,
                                            boost::beast::error_code& ec) = 0;
};

boost::asio::awaitable<std::unique_ptr<UpstreamConnection>> connect_upstream(const Generation& generation,
                                                                             boost::asio::ssl::context& tls,
                                                                             boost::beast::error_code& ec);

}  // namespace authz::http
