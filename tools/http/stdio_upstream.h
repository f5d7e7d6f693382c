// stdio_upstream.h — a stdio MCP server started for one HTTP session: the
// child's stdin and stdout as Asio descriptors.
//
// Contract: start() spawns `argv` (gateway/child_process.h: pipes,
// close-on-exec, default signals) and begins reading its stdout; every
// complete line goes to `on_line` (an oversized one is dropped and
// logged), and `on_end` runs once when stdout closes. send() queues one
// message (a newline is added) and writes in order, one write at a time;
// sends after the end are dropped. stop() closes stdin and ends the reading; once the
// last owner lets go, the destructor sends SIGTERM, then SIGKILL two
// seconds later, and reaps the child (on a detached thread). The child never sees the client's HTTP headers (no token
// passthrough): only JSON-RPC lines.
#pragma once

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/strand.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace authz::http {

class StdioUpstream : public std::enable_shared_from_this<StdioUpstream> {
 public:
  using OnLine = std::function<void(std::string_view line)>;
  using OnEnd = std::function<void()>;

  static std::shared_ptr<StdioUpstream> start(boost::asio::any_io_executor executor,
                                              const std::vector<std::string>& argv, std::size_t max_line_bytes,
                                              OnLine on_line, OnEnd on_end, std::function<void(std::string_view)> log,
                                              std::string& error);
  ~StdioUpstream();

  void send(std::string message);
  void stop();
  pid_t pid() const { return pid_; }

 private:
  StdioUpstream(boost::asio::any_io_executor executor, pid_t pid, int in, int out);
  void write_next();
  static boost::asio::awaitable<void> read_loop(std::shared_ptr<StdioUpstream> self);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::posix::stream_descriptor in_;   // the child's stdin
  boost::asio::posix::stream_descriptor out_;  // the child's stdout
  pid_t pid_;
  std::size_t max_line_bytes_ = 0;
  OnLine on_line_;
  OnEnd on_end_;
  std::function<void(std::string_view)> log_;
  std::deque<std::string> queue_;  // on strand_
  bool writing_ = false;
  bool stopped_ = false;
};

}  // namespace authz::http
