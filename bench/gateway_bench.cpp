// gateway_bench.cpp — what authz-gateway adds to a tools/call, measured
// against a plain byte relay in the same run (a driver program, not a Google
// Benchmark: it times whole processes talking over pipes).
//
// Contract: the same program plays three parts, chosen by its first argument:
//   --serve            a minimal MCP server: answers every request line at
//                      once with a fixed tool result carrying the same id;
//   --relay -- CMD...  the baseline: a byte relay with the gateway's process
//                      layout (client -> relay -> server) and no parsing;
//   (default)          the driver. It starts the relay and the gateway, each
//                      in front of `--serve`, and measures
//                      - latency: one call in flight at a time, round trips
//                        alternated call by call between relay and gateway, so
//                        both see the same machine noise; reported p50 / p99
//                        of each, their difference (the added latency) and
//                        the median of paired differences;
//                      - throughput: N calls written back to back while a
//                        reader collects the answers; calls/s.
// The gateway runs with its audit log on (a temporary file, written with
// write(2) per record, no fdatasync; `--audit-dir` picks its file system,
// default /tmp). Usage:
//   gateway_bench --gateway build/tools/gateway/authz-gateway --table sales.authzt
//       --entities examples/sales/entities.json [--calls 20000] [--throughput-calls 100000]
// The call is `get_account {"account":"acc-1"}` by u-bob (allowed: an entity
// lookup, a deny rule and an allow rule evaluated).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

// The text of the "id" member's value in a request line (ids here are plain numbers).
std::string_view id_of(std::string_view line) {
  auto at = line.find("\"id\":");
  if (at == std::string_view::npos) return {};
  std::size_t start = at + 5;
  std::size_t end = start;
  while (end < line.size() && line[end] != ',' && line[end] != '}') ++end;
  return line.substr(start, end - start);
}

int serve() {
  std::string buffer, out;
  char chunk[65536];
  while (true) {
    ssize_t got = ::read(0, chunk, sizeof chunk);
    if (got <= 0) return 0;
    buffer.append(chunk, static_cast<std::size_t>(got));
    std::size_t start = 0;
    out.clear();
    while (true) {
      std::size_t newline = buffer.find('\n', start);
      if (newline == std::string::npos) break;
      std::string_view line(buffer.data() + start, newline - start);
      start = newline + 1;
      std::string_view id = id_of(line);
      if (id.empty() || line.find("\"method\"") == std::string_view::npos) continue;
      out += "{\"jsonrpc\":\"2.0\",\"id\":";
      out += id;
      out += ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"{\\\"account\\\":\\\"acc-1\\\",\\\"owner\\\":\\\"u-bob\\\"}\"}]}}\n";
    }
    buffer.erase(0, start);
    if (!out.empty() && !write_all(1, out.data(), out.size())) return 1;
  }
}

struct Child {
  pid_t pid = -1;
  int to = -1;    // its stdin
  int from = -1;  // its stdout
};

Child spawn(const std::vector<std::string>& argv) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) std::abort();
  Child child;
  child.pid = ::fork();
  if (child.pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::perror("exec");
    std::_Exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  child.to = in[1];
  child.from = out[0];
  return child;
}

// Non-blocking on both sides with a queue each way, like the gateway: a
// blocking relay deadlocks under pipelined load (it blocks writing to the
// server while the server blocks writing its answers back).
int relay(const std::vector<std::string>& command) {
  Child server = spawn(command);
  for (int fd : {0, 1, server.to, server.from}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::string to_server, to_client;
  char chunk[65536];
  bool client_open = true, server_open = true;
  auto flush = [](int fd, std::string& queue) {
    while (!queue.empty()) {
      ssize_t written = ::write(fd, queue.data(), queue.size());
      if (written <= 0) return;
      queue.erase(0, static_cast<std::size_t>(written));
    }
  };
  while (server_open || !to_client.empty()) {
    pollfd fds[4];
    nfds_t count = 0;
    int client_in = -1, server_in = -1;
    if (client_open && to_server.size() < (16u << 20)) client_in = static_cast<int>(count), fds[count++] = {0, POLLIN, 0};
    if (server_open && to_client.size() < (16u << 20)) server_in = static_cast<int>(count), fds[count++] = {server.from, POLLIN, 0};
    if (!to_server.empty()) fds[count++] = {server.to, POLLOUT, 0};
    if (!to_client.empty()) fds[count++] = {1, POLLOUT, 0};
    if (::poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (client_in >= 0 && fds[client_in].revents) {
      ssize_t got = ::read(0, chunk, sizeof chunk);
      if (got > 0) {
        to_server.append(chunk, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EAGAIN) {
        client_open = false;
      }
    }
    if (server_in >= 0 && fds[server_in].revents) {
      ssize_t got = ::read(server.from, chunk, sizeof chunk);
      if (got > 0) {
        to_client.append(chunk, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EAGAIN) {
        server_open = false;
      }
    }
    flush(server.to, to_server);
    flush(1, to_client);
    if (!client_open && to_server.empty() && server.to >= 0) {
      ::close(server.to);
      server.to = -1;
    }
  }
  int status = 0;
  ::waitpid(server.pid, &status, 0);
  return 0;
}

// Reads one line from `fd` (buffered per connection).
struct LineReader {
  int fd = -1;
  std::string buffer;
  std::size_t start = 0;
  bool next(std::string& line) {
    while (true) {
      std::size_t newline = buffer.find('\n', start);
      if (newline != std::string::npos) {
        line.assign(buffer, start, newline - start);
        start = newline + 1;
        if (start > 65536) {
          buffer.erase(0, start);
          start = 0;
        }
        return true;
      }
      char chunk[65536];
      ssize_t got = ::read(fd, chunk, sizeof chunk);
      if (got <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(got));
    }
  }
};

std::string request(long id) {
  return "{\"jsonrpc\":\"2.0\",\"id\":" + std::to_string(id) +
         ",\"method\":\"tools/call\",\"params\":{\"name\":\"get_account\",\"arguments\":{\"account\":\"acc-1\"}}}\n";
}

struct Target {
  const char* name = "";
  Child child;
  LineReader reader;
  std::vector<double> round_trips_us;
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::size_t index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[index];
}

bool expect_result(const std::string& line, long id) {
  return line.find("\"id\":" + std::to_string(id) + ",\"result\":{\"content\"") != std::string::npos;
}

double throughput(Target& target, long first_id, long calls) {
  std::thread writer([&] {
    std::string batch;
    for (long i = 0; i < calls; ++i) {
      batch += request(first_id + i);
      if (batch.size() > 32768) {
        write_all(target.child.to, batch.data(), batch.size());
        batch.clear();
      }
    }
    write_all(target.child.to, batch.data(), batch.size());
  });
  auto started = Clock::now();
  std::string line;
  long answered = 0;
  for (; answered < calls; ++answered) {
    if (!target.reader.next(line)) break;
  }
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  writer.join();
  if (answered != calls) {
    std::fprintf(stderr, "%s: only %ld of %ld calls answered\n", target.name, answered, calls);
    std::exit(1);
  }
  return static_cast<double>(calls) / seconds;
}

int drive(int argc, char** argv) {
  std::string gateway, table, entities, audit_dir = "/tmp", self = argv[0];
  long calls = 20000, throughput_calls = 100000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--gateway") gateway = argv[i + 1];
    else if (flag == "--table") table = argv[i + 1];
    else if (flag == "--entities") entities = argv[i + 1];
    else if (flag == "--audit-dir") audit_dir = argv[i + 1];
    else if (flag == "--calls") calls = std::atol(argv[i + 1]);
    else if (flag == "--throughput-calls") throughput_calls = std::atol(argv[i + 1]);
  }
  if (gateway.empty() || table.empty() || entities.empty()) {
    std::fprintf(stderr, "usage: gateway_bench --gateway BIN --table T.authzt --entities E.json [--calls N] [--throughput-calls N] [--audit-dir DIR]\n");
    return 2;
  }
  std::string audit_template = audit_dir + "/gateway-bench-audit-XXXXXX";
  std::vector<char> audit_buffer(audit_template.begin(), audit_template.end());
  audit_buffer.push_back('\0');
  char* audit_path = audit_buffer.data();
  int audit_fd = ::mkstemp(audit_path);
  if (audit_fd < 0) return 2;
  ::close(audit_fd);
  ::unlink(audit_path);

  Target relay_target;
  relay_target.name = "relay";
  relay_target.child = spawn({self, "--relay", "--", self, "--serve"});
  Target gateway_target;
  gateway_target.name = "gateway";
  gateway_target.child = spawn({gateway, "--policy", table, "--user", "u-bob", "--entities", entities, "--audit",
                                audit_path, "--", self, "--serve"});
  relay_target.reader.fd = relay_target.child.from;
  gateway_target.reader.fd = gateway_target.child.from;

  // Latency: one call in flight; calls alternate relay / gateway one by one,
  // so both sides see the same machine noise, and each gateway round trip is
  // paired with the relay round trip just before it.
  std::string line;
  long id = 1;
  const long warmup = 2000;
  std::vector<double> paired_differences;
  for (long done = 0; done < calls + warmup; ++done) {
    double sample[2] = {0, 0};
    int side = 0;
    for (Target* target : {&relay_target, &gateway_target}) {
      std::string text = request(id);
      auto started = Clock::now();
      write_all(target->child.to, text.data(), text.size());
      if (!target->reader.next(line) || !expect_result(line, id)) {
        std::fprintf(stderr, "%s: unexpected answer: %s\n", target->name, line.c_str());
        return 1;
      }
      sample[side++] = std::chrono::duration<double, std::micro>(Clock::now() - started).count();
      ++id;
    }
    if (done >= warmup) {
      relay_target.round_trips_us.push_back(sample[0]);
      gateway_target.round_trips_us.push_back(sample[1]);
      paired_differences.push_back(sample[1] - sample[0]);
    }
  }
  double relay_p50 = percentile(relay_target.round_trips_us, 0.50);
  double relay_p99 = percentile(relay_target.round_trips_us, 0.99);
  double gateway_p50 = percentile(gateway_target.round_trips_us, 0.50);
  double gateway_p99 = percentile(gateway_target.round_trips_us, 0.99);

  double relay_rate = throughput(relay_target, 10000000, throughput_calls);
  double gateway_rate = throughput(gateway_target, 20000000, throughput_calls);

  // CPU time of the relay / gateway process itself (not its server), for the
  // whole run: what one call costs when the machine is shared.
  double cpu_seconds[2] = {0, 0};
  for (Target* target : {&relay_target, &gateway_target}) ::close(target->child.to);
  int which = 0;
  for (Target* target : {&relay_target, &gateway_target}) {
    int status = 0;
    rusage usage{};
    ::wait4(target->child.pid, &status, 0, &usage);
    cpu_seconds[which++] = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  double total_calls = static_cast<double>(calls + warmup + throughput_calls);
  std::FILE* audit = std::fopen(audit_path, "r");
  long records = 0;
  if (audit) {
    for (int c; (c = std::fgetc(audit)) != EOF;) records += c == '\n';
    std::fclose(audit);
  }
  ::unlink(audit_path);

  std::printf("calls timed per side: %ld (after %ld warm-up), audit records written: %ld\n", calls, warmup, records);
  std::printf("round trip        p50 %8.1f us   p99 %8.1f us\n", relay_p50, relay_p99);
  std::printf("  relay (baseline)\n");
  std::printf("round trip        p50 %8.1f us   p99 %8.1f us\n", gateway_p50, gateway_p99);
  std::printf("  gateway\n");
  std::printf("added by gateway  p50 %8.1f us   p99 %8.1f us   (ratio p50 %.2fx)\n", gateway_p50 - relay_p50,
              gateway_p99 - relay_p99, gateway_p50 / relay_p50);
  std::printf("paired difference (gateway - relay, adjacent calls): median %.1f us\n",
              percentile(paired_differences, 0.50));
  std::printf("throughput        relay %.0f calls/s, gateway %.0f calls/s (ratio %.2fx)\n", relay_rate, gateway_rate,
              gateway_rate / relay_rate);
  double relay_cpu_us = cpu_seconds[0] * 1e6 / total_calls, gateway_cpu_us = cpu_seconds[1] * 1e6 / total_calls;
  std::printf("CPU per call      relay %.2f us, gateway %.2f us -> one core sustains %.0f calls/s through the gateway\n",
              relay_cpu_us, gateway_cpu_us, gateway_cpu_us > 0 ? 1e6 / gateway_cpu_us : 0.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  if (argc >= 2 && std::strcmp(argv[1], "--serve") == 0) return serve();
  if (argc >= 4 && std::strcmp(argv[1], "--relay") == 0 && std::strcmp(argv[2], "--") == 0) {
    return relay(std::vector<std::string>(argv + 3, argv + argc));
  }
  return drive(argc, argv);
}
