// relay_loop.cpp — see relay_loop.h.
#include "tools/gateway/relay_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>

#include "tools/gateway/line_framer.h"
#include "tools/gateway/policy_file.h"

namespace authz::gateway {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kQueueHighWater = 16u << 20;  // stop reading a side whose output is this far behind

// The handled signals stay blocked except while the loop waits in ppoll(),
// which unblocks them atomically: a signal that arrives while the loop works
// waits for the next ppoll, which then returns at once (EINTR) and the loop
// sees its flag. So no descriptor is needed to wake the wait.
sigset_t wait_mask;
volatile sig_atomic_t got_hangup = 0;
volatile sig_atomic_t got_terminate = 0;
volatile sig_atomic_t got_child = 0;

void on_signal(int number) {
  int saved = errno;
  if (number == SIGHUP) got_hangup = 1;
  if (number == SIGTERM || number == SIGINT) got_terminate = 1;
  if (number == SIGCHLD) got_child = 1;
  errno = saved;
}

// Installs the handlers and blocks their signals; `previous` receives the
// mask to restore.
void install_signal_handlers(sigset_t& previous) {
  sigset_t handled;
  sigemptyset(&handled);
  for (int number : {SIGHUP, SIGTERM, SIGINT, SIGCHLD}) sigaddset(&handled, number);
  ::pthread_sigmask(SIG_BLOCK, &handled, &previous);
  wait_mask = previous;
  for (int number : {SIGHUP, SIGTERM, SIGINT, SIGCHLD}) sigdelset(&wait_mask, number);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGHUP, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGCHLD, &action, nullptr);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, nullptr);
}

using Clock = std::chrono::steady_clock;

// Bytes waiting for a descriptor to accept them.
struct OutputQueue {
  std::string bytes;
  std::size_t sent = 0;
  bool broken = false;  // the reader is gone: drop everything

  std::size_t pending() const { return bytes.size() - sent; }
  void push(std::string_view message) {
    if (broken) return;
    bytes.append(message);
    bytes += '\n';
  }
  // Writes what the descriptor takes now; false when it is gone.
  bool flush(int fd) {
    while (!broken && pending() > 0) {
      ssize_t written = ::write(fd, bytes.data() + sent, pending());
      if (written > 0) {
        sent += static_cast<std::size_t>(written);
        continue;
      }
      if (written < 0 && errno == EINTR) continue;
      if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      broken = true;
    }
    if (broken || sent == bytes.size()) {
      bytes.clear();
      sent = 0;
    } else if (sent > (1u << 20)) {
      bytes.erase(0, sent);
      sent = 0;
    }
    return !broken;
  }
};

class Relay {
 public:
  Relay(Session& session, const ChildProcess& child, const RelayOptions& options, const LogFunction& log)
      : session_(session),
        child_(child),
        options_(options),
        log_(log),
        client_framer_(options.max_client_message_bytes),
        server_framer_(options.max_server_message_bytes) {}
  ~Relay() {
    if (reload_timer_ >= 0) ::close(reload_timer_);
  }
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  int run();

 private:
  enum class From { Client, Server };
  void read_client();
  void read_server();
  // One read of `from`'s pipe, each framed line (or an oversized one) through
  // the session; false when nothing was read (EAGAIN, EINTR).
  bool read_lines(From from);
  void route_from_client(const Routing& routing, std::string_view line);
  void route_from_server(const Routing& routing, std::string_view line);
  void push_extra(const Routing& routing);
  void flush_all();
  void begin_shutdown(bool terminate_now);
  void close_child_stdin();
  void reap_child(bool block);
  void start_reload_timer();
  bool reload_check_due();
  void check_reload(bool forced);
  void advance_shutdown();
  int poll_timeout_ms() const;

  Session& session_;
  ChildProcess child_;
  const RelayOptions& options_;
  const LogFunction& log_;
  LineFramer client_framer_;
  LineFramer server_framer_;
  OutputQueue to_client_;
  OutputQueue to_server_;
  Routing routing_;
  std::string read_buffer_ = std::string(kReadChunk, '\0');

  bool client_open_ = true;    // still reading stdin
  bool server_open_ = true;    // still reading the child's stdout
  bool child_stdin_open_ = true;
  bool child_running_ = true;
  int child_status_ = 0;
  enum class Shutdown { None, ClosingStdin, StdinClosed, TermSent, KillSent } shutdown_ = Shutdown::None;
  Clock::time_point shutdown_deadline_{};
  Clock::time_point child_exited_at_{};
  Clock::time_point next_reload_check_{};  // used only without reload_timer_
  int reload_timer_ = -1;                   // periodic timerfd for the policy file check
  FileStamp policy_stamp_;
  FileStamp shadow_stamp_;
};

void Relay::push_extra(const Routing& routing) {
  for (const auto& message : routing.to_client) to_client_.push(message);
  for (const auto& message : routing.to_server) {
    if (child_stdin_open_) to_server_.push(message);
  }
}

void Relay::route_from_client(const Routing& routing, std::string_view line) {
  if (routing.forward && child_stdin_open_) to_server_.push(line);
  push_extra(routing);
}

void Relay::route_from_server(const Routing& routing, std::string_view line) {
  if (routing.forward) to_client_.push(line);
  push_extra(routing);
}

void Relay::read_client() {
  if (read_lines(From::Client) && !client_open_) begin_shutdown(false);
}

void Relay::read_server() { read_lines(From::Server); }

bool Relay::read_lines(From from) {
  const bool client = from == From::Client;
  LineFramer& framer = client ? client_framer_ : server_framer_;
  ssize_t got = ::read(client ? options_.client_in : child_.stdout_fd, read_buffer_.data(), read_buffer_.size());
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return false;
  if (got <= 0) {
    (client ? client_open_ : server_open_) = false;
    framer.finish();
  } else {
    framer.feed(std::string_view(read_buffer_.data(), static_cast<std::size_t>(got)));
  }
  std::string_view line;
  while (true) {
    auto event = framer.next(line);
    if (event == LineFramer::Event::None) break;
    if (event == LineFramer::Event::Oversized) {
      if (client)
        session_.on_client_oversized(routing_);
      else
        session_.on_server_oversized(routing_);
      push_extra(routing_);
    } else if (client) {
      session_.on_client_line(line, routing_);
      route_from_client(routing_, line);
    } else {
      session_.on_server_line(line, routing_);
      route_from_server(routing_, line);
    }
  }
  return true;
}

void Relay::flush_all() {
  if (to_client_.pending() && !to_client_.flush(options_.client_out)) {
    log_("the client stopped reading; shutting down");
    begin_shutdown(false);
  }
  if (child_stdin_open_ && to_server_.pending() && !to_server_.flush(child_.stdin_fd)) {
    log_("the server stopped reading its input");
    close_child_stdin();
  }
  if (shutdown_ == Shutdown::ClosingStdin && to_server_.pending() == 0) {
    close_child_stdin();
  }
}

void Relay::close_child_stdin() {
  if (child_stdin_open_) {
    ::close(child_.stdin_fd);
    child_stdin_open_ = false;
  }
  if (shutdown_ == Shutdown::ClosingStdin) {
    shutdown_ = Shutdown::StdinClosed;
    shutdown_deadline_ = Clock::now() + std::chrono::milliseconds(options_.shutdown_grace_ms);
  }
}

void Relay::begin_shutdown(bool terminate_now) {
  client_open_ = false;
  if (shutdown_ == Shutdown::None) {
    shutdown_ = Shutdown::ClosingStdin;
    shutdown_deadline_ = Clock::now() + std::chrono::milliseconds(options_.shutdown_grace_ms);
  }
  if (terminate_now && child_running_ && shutdown_ < Shutdown::TermSent) {
    close_child_stdin();
    ::kill(child_.pid, SIGTERM);
    shutdown_ = Shutdown::TermSent;
    shutdown_deadline_ = Clock::now() + std::chrono::milliseconds(options_.shutdown_grace_ms);
  }
}

void Relay::advance_shutdown() {
  if (!child_running_) return;
  if (shutdown_ == Shutdown::None || Clock::now() < shutdown_deadline_) return;
  if (shutdown_ == Shutdown::ClosingStdin) {
    close_child_stdin();  // the server never read the rest of its input
    return;
  }
  if (shutdown_ == Shutdown::StdinClosed) {
    log_("the server did not exit after its input closed; sending SIGTERM");
    ::kill(child_.pid, SIGTERM);
    shutdown_ = Shutdown::TermSent;
    shutdown_deadline_ = Clock::now() + std::chrono::milliseconds(options_.shutdown_grace_ms);
  } else if (shutdown_ == Shutdown::TermSent) {
    log_("the server did not exit after SIGTERM; sending SIGKILL");
    ::kill(child_.pid, SIGKILL);
    shutdown_ = Shutdown::KillSent;
    shutdown_deadline_ = Clock::now() + std::chrono::milliseconds(options_.shutdown_grace_ms);
  }
}

void Relay::reap_child(bool block) {
  if (!child_running_) return;
  int status = 0;
  pid_t done;
  do {
    done = ::waitpid(child_.pid, &status, block ? 0 : WNOHANG);
  } while (done < 0 && errno == EINTR);
  if (done == child_.pid) {
    child_running_ = false;
    child_status_ = status;
    child_exited_at_ = Clock::now();
  }
}

// The policy file is checked on a periodic timerfd rather than through
// ppoll's timeout: a timeout arms and cancels a timer on every wait, a cost
// on every call (up to about 1 us on the VM of docs/performance.md).
// Without a timerfd (creation failed) the check falls back to the timeout.
void Relay::start_reload_timer() {
  if (options_.policy_path.empty()) return;
  next_reload_check_ = Clock::now() + std::chrono::milliseconds(options_.reload_check_ms);
  reload_timer_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (reload_timer_ < 0) {
    log_(std::string("checking the policy file on the poll timeout: no timerfd: ") + std::strerror(errno));
    return;
  }
  itimerspec period{};
  period.it_interval.tv_sec = options_.reload_check_ms / 1000;
  period.it_interval.tv_nsec = static_cast<long>(options_.reload_check_ms % 1000) * 1'000'000L;
  period.it_value = period.it_interval;
  if (::timerfd_settime(reload_timer_, 0, &period, nullptr) != 0) {
    log_(std::string("checking the policy file on the poll timeout: timerfd_settime: ") + std::strerror(errno));
    ::close(reload_timer_);
    reload_timer_ = -1;
  }
}

// True when the periodic check is due; drains the timerfd's expirations.
bool Relay::reload_check_due() {
  if (options_.policy_path.empty()) return false;
  if (reload_timer_ >= 0) {
    std::uint64_t expirations = 0;
    return ::read(reload_timer_, &expirations, sizeof expirations) == static_cast<ssize_t>(sizeof expirations);
  }
  auto now = Clock::now();
  if (now < next_reload_check_) return false;
  next_reload_check_ = now + std::chrono::milliseconds(options_.reload_check_ms);
  return true;
}

void Relay::check_reload(bool forced) {
  if (options_.policy_path.empty()) return;
  FileStamp stamp = stamp_file(options_.policy_path);
  if (forced || stamp != policy_stamp_) {
    policy_stamp_ = stamp;
    auto loaded = load_policy_file(options_.policy_path, options_.trusted_keys);
    // accept_policy is asked even for the same table: a reload (SIGHUP) is
    // also how entity sources drop their cache.
    std::optional<std::string> refused;
    if (!loaded.ok()) {
      log_("kept the current policy; the new one is refused: " + loaded.error());
    } else if (options_.accept_policy && (refused = options_.accept_policy(loaded.value()))) {
      log_("kept the current policy; the new one is refused: " + *refused);
    }
    if (options_.observer) options_.observer->on_reload("policy", loaded.ok() && !refused);
    if (loaded.ok() && !refused && loaded.value().policy_hash() != session_.engine().policy_hash()) {
      session_.replace_engine(std::move(loaded.value()), routing_);
      push_extra(routing_);
      log_("reloaded the policy from `" + options_.policy_path + "` (policy hash " + session_.engine().policy_hash() +
           ")");
    }
  }
  if (options_.shadow_path.empty()) return;
  // The shadow: the same rules (signature included), its own file; clients
  // are not told (their lists do not depend on it).
  stamp = stamp_file(options_.shadow_path);
  if (!forced && stamp == shadow_stamp_) return;
  shadow_stamp_ = stamp;
  auto loaded = load_policy_file(options_.shadow_path, options_.trusted_keys);
  if (options_.observer) options_.observer->on_reload("shadow", loaded.ok());
  if (!loaded.ok()) {
    log_("kept the current shadow policy; the new one is refused: " + loaded.error());
    return;
  }
  if (session_.shadow() && loaded.value().policy_hash() == session_.shadow()->policy_hash()) return;
  session_.set_shadow(std::move(loaded.value()));
  log_("reloaded the shadow policy from `" + options_.shadow_path + "` (policy hash " +
       session_.shadow()->policy_hash() + ")");
}

// Milliseconds until the next deadline, or -1 for none: in the steady state
// (no shutdown under way, child running, reload on the timerfd) the loop
// waits without a timeout.
int Relay::poll_timeout_ms() const {
  std::optional<Clock::time_point> until;
  auto earliest = [&until](Clock::time_point when) {
    if (!until || when < *until) until = when;
  };
  if (reload_timer_ < 0 && !options_.policy_path.empty()) earliest(next_reload_check_);
  // After SIGKILL there is no further step: the loop waits for SIGCHLD.
  if (shutdown_ != Shutdown::None && shutdown_ != Shutdown::KillSent) earliest(shutdown_deadline_);
  if (!child_running_) earliest(child_exited_at_ + std::chrono::milliseconds(options_.shutdown_grace_ms));
  if (!until) return -1;
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*until - Clock::now()).count();
  return wait < 0 ? 0 : static_cast<int>(wait) + 1;
}

int Relay::run() {
  policy_stamp_ = options_.policy_path.empty() ? FileStamp{} : stamp_file(options_.policy_path);
  shadow_stamp_ = options_.shadow_path.empty() ? FileStamp{} : stamp_file(options_.shadow_path);
  start_reload_timer();
  reap_child(false);  // it may have exited before the SIGCHLD handler was installed
  while (true) {
    if (got_terminate) {
      got_terminate = 0;
      log_("terminating: closing the server's input and sending it SIGTERM");
      begin_shutdown(true);
    }
    if (got_hangup) {
      got_hangup = 0;
      check_reload(true);
    }
    if (got_child) {
      got_child = 0;
      reap_child(false);
    }
    if (reload_timer_ < 0 && reload_check_due()) check_reload(false);
    advance_shutdown();
    flush_all();

    // Done: the child is gone and its output has been relayed (or it left
    // the pipe open for longer than a grace period through a descendant).
    if (!child_running_) {
      bool drained = !server_open_ || Clock::now() >= child_exited_at_ + std::chrono::milliseconds(options_.shutdown_grace_ms);
      if (drained && (to_client_.pending() == 0 || to_client_.broken ||
                      Clock::now() >= child_exited_at_ + std::chrono::milliseconds(options_.shutdown_grace_ms))) {
        return exit_code(child_status_);
      }
    }
    if (!server_open_ && child_running_ && shutdown_ == Shutdown::None) {
      // The server closed its output: it is on its way out; wait for it.
      reap_child(false);
    }

    pollfd fds[5];
    nfds_t count = 0;
    int client_in_slot = -1, server_out_slot = -1, server_in_slot = -1, client_out_slot = -1, timer_slot = -1;
    if (client_open_ && to_server_.pending() < kQueueHighWater) {
      client_in_slot = static_cast<int>(count);
      fds[count++] = {options_.client_in, POLLIN, 0};
    }
    if (server_open_ && to_client_.pending() < kQueueHighWater) {
      server_out_slot = static_cast<int>(count);
      fds[count++] = {child_.stdout_fd, POLLIN, 0};
    }
    if (child_stdin_open_ && to_server_.pending() > 0) {
      server_in_slot = static_cast<int>(count);
      fds[count++] = {child_.stdin_fd, POLLOUT, 0};
    }
    if (to_client_.pending() > 0 && !to_client_.broken) {
      client_out_slot = static_cast<int>(count);
      fds[count++] = {options_.client_out, POLLOUT, 0};
    }
    if (reload_timer_ >= 0) {
      timer_slot = static_cast<int>(count);
      fds[count++] = {reload_timer_, POLLIN, 0};
    }
    const int timeout_ms = poll_timeout_ms();
    const timespec timeout{timeout_ms / 1000, static_cast<long>(timeout_ms % 1000) * 1'000'000L};
    int ready = ::ppoll(fds, count, timeout_ms < 0 ? nullptr : &timeout, &wait_mask);
    if (ready < 0) {
      if (errno == EINTR) continue;
      log_(std::string("poll failed: ") + std::strerror(errno));
      begin_shutdown(true);
      continue;
    }
    auto has = [&](int slot, short events) { return slot >= 0 && (fds[slot].revents & (events | POLLHUP | POLLERR)); };
    if (has(server_out_slot, POLLIN)) read_server();
    if (has(client_in_slot, POLLIN)) read_client();
    if (has(server_in_slot, POLLOUT) || has(client_out_slot, POLLOUT)) flush_all();
    if (has(timer_slot, POLLIN) && reload_check_due()) check_reload(false);
  }
}

}  // namespace

int run_relay(Session& session, const ChildProcess& child, const RelayOptions& options, const LogFunction& log) {
  sigset_t previous_mask;
  install_signal_handlers(previous_mask);
  int client_in_flags = ::fcntl(options.client_in, F_GETFL);
  int client_out_flags = ::fcntl(options.client_out, F_GETFL);
  set_nonblocking(options.client_in);
  set_nonblocking(options.client_out);
  Relay relay(session, child, options, log);
  int code = relay.run();
  // Leave the descriptors as we found them: they may be shared with the parent.
  if (client_in_flags >= 0) ::fcntl(options.client_in, F_SETFL, client_in_flags);
  if (client_out_flags >= 0) ::fcntl(options.client_out, F_SETFL, client_out_flags);
  ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  return code;
}

}  // namespace authz::gateway
