// gateway_bench.cpp — what authz-gateway adds to a tools/call, measured
// against a plain byte relay in the same run (a driver program, not a Google
// Benchmark: it times whole processes talking over pipes).
//
// Contract: the same program plays three parts, chosen by its first argument:
//   --serve            a minimal MCP server: answers every request line at
//                      once with a fixed tool result carrying the same id;
//   --relay -- CMD...  the baseline: a byte relay with the gateway's process
//                      layout (client -> relay -> server) and no parsing;
//   (default)          the driver. For each placement (see Placement below:
//                      shared, split, free) it starts the relay and the
//                      gateway, each in front of `--serve`, and measures
//                      latency: one call in flight at a time, round trips
//                      alternated call by call between relay and gateway, so
//                      both see the same machine noise; reported p50 / p99
//                      of each, their difference (the added latency) and
//                      the median of paired differences. Then throughput:
//                      N calls written back to back while a reader collects
//                      the answers; calls/s and CPU per call.
// The gateway runs with its audit log on (a temporary file, written with
// write(2) per record, no fdatasync; `--audit-dir` picks its file system,
// default /tmp); the driver checks one record was written per call. Usage:
//   gateway_bench --gateway build/tools/gateway/authz-gateway --table sales.authzt
//       --entities examples/sales/entities.json [--calls 20000] [--throughput-calls 100000]
//       [--placement all|shared|split|free]
// The call is `get_account {"account":"acc-1"}` by u-bob (allowed: an entity
// lookup, a deny rule and an allow rule evaluated).
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
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

// Pins process `pid` (0: this one) to `cpu`; a negative cpu leaves it as is.
void pin(pid_t pid, int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (::sched_setaffinity(pid, sizeof set, &set) != 0) std::perror("sched_setaffinity");
}

// Starts argv with its stdin and stdout on pipes; pinned to `cpu` when >= 0
// (its own children inherit the mask).
Child spawn(const std::vector<std::string>& argv, int cpu = -1) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) std::abort();
  Child child;
  child.pid = ::fork();
  if (child.pid == 0) {
    pin(0, cpu);
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

// Where the processes run. The scheduler wakes a process on the CPU it last
// ran on when that CPU is idle, and waking an idle CPU of a VM costs tens of
// microseconds; so with free placement each side's latency depends on which
// CPUs its processes happened to land on, not only on its own work.
//   shared  driver, relay / gateway and servers all on one CPU: the work on
//           the path, with no cross-CPU wake-ups (the primary comparison);
//   split   the driver on one CPU, each middle process and its server on
//           another: both sides pay the same two cross-CPU wake-ups per call;
//   free    no pinning: what an unmanaged machine does, luck included.
enum class Placement { Shared, Split, Free };

const char* placement_name(Placement placement) {
  switch (placement) {
    case Placement::Shared: return "shared";
    case Placement::Split: return "split";
    case Placement::Free: return "free";
  }
  return "?";
}

struct Cpus {
  int driver = -1;  // -1: leave as is
  int middle = -1;
};

Cpus cpus_for(Placement placement) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
    }
  }
  if (cpus.empty()) return {};
  switch (placement) {
    case Placement::Shared: return {cpus[0], cpus[0]};
    case Placement::Split: return cpus.size() > 1 ? Cpus{cpus[0], cpus[1]} : Cpus{cpus[0], cpus[0]};
    case Placement::Free: return {};
  }
  return {};
}

struct Options {
  std::string self, gateway, table, entities, audit_dir = "/tmp";
  long calls = 20000;
  long throughput_calls = 100000;
  std::vector<Placement> placements{Placement::Shared, Placement::Split, Placement::Free};
};

// The two sides, started fresh; each middle process (and the server it
// starts, which inherits the mask) is pinned to `middle_cpu`.
struct Sides {
  Target relay;
  Target gateway;
  std::string audit_path;
};

Sides start_sides(const Options& options, int middle_cpu) {
  Sides sides;
  std::string audit_template = options.audit_dir + "/gateway-bench-audit-XXXXXX";
  std::vector<char> audit_buffer(audit_template.begin(), audit_template.end());
  audit_buffer.push_back('\0');
  int audit_fd = ::mkstemp(audit_buffer.data());
  if (audit_fd < 0) std::exit(2);
  ::close(audit_fd);
  ::unlink(audit_buffer.data());
  sides.audit_path = audit_buffer.data();
  sides.relay.name = "relay";
  sides.relay.child = spawn({options.self, "--relay", "--", options.self, "--serve"}, middle_cpu);
  sides.gateway.name = "gateway";
  sides.gateway.child = spawn({options.gateway, "--policy", options.table, "--user", "u-bob", "--entities",
                               options.entities, "--audit", sides.audit_path, "--", options.self, "--serve"},
                              middle_cpu);
  sides.relay.reader.fd = sides.relay.child.from;
  sides.gateway.reader.fd = sides.gateway.child.from;
  return sides;
}

// Closes both sides and waits for them: the CPU seconds each middle process
// used, and the number of audit records the gateway wrote.
long stop_sides(Sides& sides, double cpu_seconds[2]) {
  int which = 0;
  for (Target* target : {&sides.relay, &sides.gateway}) ::close(target->child.to);
  for (Target* target : {&sides.relay, &sides.gateway}) {
    int status = 0;
    rusage usage{};
    ::wait4(target->child.pid, &status, 0, &usage);
    ::close(target->child.from);
    cpu_seconds[which++] = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  long records = 0;
  if (std::FILE* audit = std::fopen(sides.audit_path.c_str(), "r")) {
    for (int c; (c = std::fgetc(audit)) != EOF;) records += c == '\n';
    std::fclose(audit);
  }
  ::unlink(sides.audit_path.c_str());
  return records;
}

// Latency: one call in flight; calls alternate relay / gateway one by one, so
// both sides see the same machine noise, and each gateway round trip is
// paired with the relay round trip just before it.
bool measure_latency(const Options& options, Placement placement) {
  Cpus cpus = cpus_for(placement);
  cpu_set_t original;
  bool restore = ::sched_getaffinity(0, sizeof original, &original) == 0;
  pin(0, cpus.driver);
  Sides sides = start_sides(options, cpus.middle);
  std::string line;
  long id = 1;
  const long warmup = 2000;
  std::vector<double> paired_differences;
  for (long done = 0; done < options.calls + warmup; ++done) {
    double sample[2] = {0, 0};
    int side = 0;
    for (Target* target : {&sides.relay, &sides.gateway}) {
      std::string text = request(id);
      auto started = Clock::now();
      write_all(target->child.to, text.data(), text.size());
      if (!target->reader.next(line) || !expect_result(line, id)) {
        std::fprintf(stderr, "%s: unexpected answer: %s\n", target->name, line.c_str());
        return false;
      }
      sample[side++] = std::chrono::duration<double, std::micro>(Clock::now() - started).count();
      ++id;
    }
    if (done >= warmup) {
      sides.relay.round_trips_us.push_back(sample[0]);
      sides.gateway.round_trips_us.push_back(sample[1]);
      paired_differences.push_back(sample[1] - sample[0]);
    }
  }
  double cpu_seconds[2];
  long records = stop_sides(sides, cpu_seconds);
  if (restore) ::sched_setaffinity(0, sizeof original, &original);
  if (records != options.calls + warmup) {
    std::fprintf(stderr, "gateway wrote %ld audit records for %ld calls\n", records, options.calls + warmup);
    return false;
  }
  double relay_p50 = percentile(sides.relay.round_trips_us, 0.50);
  double relay_p99 = percentile(sides.relay.round_trips_us, 0.99);
  double gateway_p50 = percentile(sides.gateway.round_trips_us, 0.50);
  double gateway_p99 = percentile(sides.gateway.round_trips_us, 0.99);
  std::printf("latency, placement %s (driver cpu %d, middle cpu %d; -1 = unpinned), %ld calls per side after %ld warm-up, "
              "one audit record per gateway call\n",
              placement_name(placement), cpus.driver, cpus.middle, options.calls, warmup);
  std::printf("  round trip  relay    p50 %7.1f us   p99 %7.1f us\n", relay_p50, relay_p99);
  std::printf("  round trip  gateway  p50 %7.1f us   p99 %7.1f us\n", gateway_p50, gateway_p99);
  std::printf("  added by gateway     p50 %7.1f us   p99 %7.1f us   (ratio p50 %.2fx); paired median %.1f us\n",
              gateway_p50 - relay_p50, gateway_p99 - relay_p99, gateway_p50 / relay_p50,
              percentile(paired_differences, 0.50));
  return true;
}

// Throughput (free placement): N calls written back to back per side, then
// the CPU each middle process used per call.
bool measure_throughput(const Options& options) {
  Sides sides = start_sides(options, -1);
  double relay_rate = throughput(sides.relay, 10000000, options.throughput_calls);
  double gateway_rate = throughput(sides.gateway, 20000000, options.throughput_calls);
  double cpu_seconds[2];
  long records = stop_sides(sides, cpu_seconds);
  if (records != options.throughput_calls) {
    std::fprintf(stderr, "gateway wrote %ld audit records for %ld calls\n", records, options.throughput_calls);
    return false;
  }
  const auto calls = static_cast<double>(options.throughput_calls);
  double relay_cpu_us = cpu_seconds[0] * 1e6 / calls, gateway_cpu_us = cpu_seconds[1] * 1e6 / calls;
  std::printf("throughput, placement free, %ld calls per side\n", options.throughput_calls);
  std::printf("  relay %.0f calls/s, gateway %.0f calls/s (ratio %.2fx)\n", relay_rate, gateway_rate,
              gateway_rate / relay_rate);
  std::printf("  CPU per call: relay %.2f us, gateway %.2f us -> one core sustains %.0f calls/s through the gateway\n",
              relay_cpu_us, gateway_cpu_us, gateway_cpu_us > 0 ? 1e6 / gateway_cpu_us : 0.0);
  return true;
}

int drive(int argc, char** argv) {
  Options options;
  options.self = argv[0];
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--gateway") options.gateway = value;
    else if (flag == "--table") options.table = value;
    else if (flag == "--entities") options.entities = value;
    else if (flag == "--audit-dir") options.audit_dir = value;
    else if (flag == "--calls") options.calls = std::atol(value.c_str());
    else if (flag == "--throughput-calls") options.throughput_calls = std::atol(value.c_str());
    else if (flag == "--placement") {
      if (value == "all") options.placements = {Placement::Shared, Placement::Split, Placement::Free};
      else if (value == "shared") options.placements = {Placement::Shared};
      else if (value == "split") options.placements = {Placement::Split};
      else if (value == "free") options.placements = {Placement::Free};
      else options.gateway.clear();
    }
  }
  if (options.gateway.empty() || options.table.empty() || options.entities.empty()) {
    std::fprintf(stderr,
                 "usage: gateway_bench --gateway BIN --table T.authzt --entities E.json [--calls N] "
                 "[--throughput-calls N] [--audit-dir DIR] [--placement all|shared|split|free]\n");
    return 2;
  }
  for (Placement placement : options.placements) {
    if (!measure_latency(options, placement)) return 1;
  }
  if (options.throughput_calls > 0 && !measure_throughput(options)) return 1;
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
