// stdio_upstream.cpp — see stdio_upstream.h.
#include "tools/http/stdio_upstream.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include "tools/gateway/child_process.h"
#include "tools/gateway/line_framer.h"
#include "tools/http/asio_names.h"

namespace authz::http {

StdioUpstream::StdioUpstream(net::any_io_executor executor, pid_t pid, int in, int out)
    : strand_(net::make_strand(executor)), in_(strand_, in), out_(strand_, out), pid_(pid) {}

std::shared_ptr<StdioUpstream> StdioUpstream::start(net::any_io_executor executor, const std::vector<std::string>& argv,
                                                    std::size_t max_line_bytes, OnLine on_line, OnEnd on_end,
                                                    std::function<void(std::string_view)> log, std::string& error) {
  auto child = gateway::spawn_child(argv, error);
  if (!child) return nullptr;
  std::shared_ptr<StdioUpstream> upstream(new StdioUpstream(executor, child->pid, child->stdin_fd, child->stdout_fd));
  upstream->max_line_bytes_ = max_line_bytes;
  upstream->on_line_ = std::move(on_line);
  upstream->on_end_ = std::move(on_end);
  upstream->log_ = std::move(log);
  net::co_spawn(upstream->strand_, read_loop(upstream), net::detached);
  return upstream;
}

StdioUpstream::~StdioUpstream() {
  boost::system::error_code ignored;
  in_.close(ignored);
  out_.close(ignored);
  if (pid_ > 0) {
    // Reap without blocking the caller for long: the child had stdin closed by stop().
    ::kill(pid_, SIGTERM);
    pid_t pid = pid_;
    std::thread([pid] {
      for (int i = 0; i < 40; ++i) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }).detach();
  }
}

void StdioUpstream::stop() {
  net::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->queue_.clear();
    boost::system::error_code ignored;
    self->in_.close(ignored);
    self->out_.cancel(ignored);  // the read loop ends, and with it the last owner: the destructor reaps the child
  });
}

void StdioUpstream::send(std::string message) {
  message += '\n';
  net::post(strand_, [self = shared_from_this(), message = std::move(message)]() mutable {
    if (self->stopped_) return;
    self->queue_.push_back(std::move(message));
    if (!self->writing_) self->write_next();
  });
}

void StdioUpstream::write_next() {
  if (queue_.empty() || stopped_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  net::async_write(in_, net::buffer(queue_.front()),
                   net::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                     self->queue_.pop_front();
                     if (ec) {
                       self->stopped_ = true;
                       self->queue_.clear();
                       self->writing_ = false;
                       return;
                     }
                     self->write_next();
                   }));
}

net::awaitable<void> StdioUpstream::read_loop(std::shared_ptr<StdioUpstream> self) {
  gateway::LineFramer framer(self->max_line_bytes_);
  std::vector<char> buffer(64 * 1024);
  for (;;) {
    beast::error_code ec;
    std::size_t n = co_await self->out_.async_read_some(net::buffer(buffer), with(ec));
    if (!ec)
      framer.feed(std::string_view(buffer.data(), n));
    else
      framer.finish();
    std::string_view line;
    for (;;) {
      auto event = framer.next(line);
      if (event == gateway::LineFramer::Event::None) break;
      if (event == gateway::LineFramer::Event::Oversized) {
        if (self->log_) self->log_("dropped a line of the stdio server larger than the limit");
        continue;
      }
      if (self->on_line_) self->on_line_(line);
    }
    if (ec) break;
  }
  self->stopped_ = true;
  if (self->on_end_) self->on_end_();
}

}  // namespace authz::http
