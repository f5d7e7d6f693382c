// asio_names.h — the short names the HTTP front's sources use for Boost.Asio
// and Boost.Beast, and `with(ec)`, the completion token that makes a
// co_await report its error in `ec` instead of throwing.
//
// Contract: declarations only, inside authz::http; every file of the front
// that awaits Asio or Beast operations includes this rather than declaring
// its own aliases.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace authz::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

inline auto with(beast::error_code& ec) { return net::redirect_error(net::use_awaitable, ec); }

}  // namespace authz::http
