// audit_log_gen.cpp — writes a large, valid audit log for measuring
// `authzc audit report` (docs/audit.md, "Reports"): N hash-chained records
// through the real writer (runtime/audit_log.h), 200 users, 40 tools, a mix
// of effects and reasons, one record per second from 2026-12-01 (11.6 days for a million), each with a
// shadow decision that disagrees about 1 time in 50. Deterministic (fixed
// seed). Not a benchmark itself, so not named *_bench.
//
//   audit_log_gen OUT.jsonl N
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "runtime/audit_log.h"
#include "runtime/internal/time_text.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: audit_log_gen OUT.jsonl N\n");
    return 2;
  }
  std::remove(argv[1]);
  auto log = authz::runtime::AuditLog::open(argv[1]);
  if (!log.ok()) {
    std::fprintf(stderr, "error: %s\n", log.error().c_str());
    return 2;
  }
  const long count = std::atol(argv[2]);
  std::mt19937_64 random(17);
  const std::string primary(64, 'a'), candidate(64, 'b');
  const char* reasons[] = {"not_permitted", "forbidden", "invalid_arguments", "expired"};
  authz::runtime::AuditRecord record;
  std::int64_t at = *authz::runtime::parse_timestamp("2026-12-01T00:00:00Z");
  for (long i = 0; i < count; ++i) {
    std::uint64_t r = random();
    const bool allowed = r % 4 != 0;
    const int tool = static_cast<int>((r >> 8) % 40);
    record.time = authz::runtime::format_timestamp(at + i * 1000);  // whole seconds: no fraction printed
    record.time.insert(19, ".000");
    record.decision_id = std::string(32, '0');
    record.user = "u-" + std::to_string((r >> 16) % 200);
    record.method = "tools/call";
    record.target = "tool_" + std::to_string(tool);
    record.arguments_json = R"({"path":"/srv/home/)" + record.user + R"(/notes.txt","limit":10})";
    record.effect = allowed ? "allow" : "deny";
    record.reason = allowed ? "allowed" : reasons[(r >> 24) % 4];
    record.message.clear();
    record.rules.assign(1, (allowed ? "allow_" : "deny_") + std::to_string(tool % 30));
    if (!allowed && record.reason != "forbidden") record.rules.clear();
    record.obligations_json = "[]";
    record.policy_hash = primary;
    record.evaluation_ns = 300 + static_cast<std::int64_t>((r >> 32) % 500);
    record.has_shadow = true;
    const bool disagree = (r >> 40) % 50 == 0;
    record.shadow.effect = (allowed != disagree) ? "allow" : "deny";
    record.shadow.reason = record.shadow.effect == "allow" ? "allowed" : "forbidden";
    record.shadow.rules.assign(1, record.shadow.effect == "allow" ? "allow_" + std::to_string(tool % 30) : "freeze");
    record.shadow.policy_hash = candidate;
    record.canonical_fragments = 0;
    std::string error;
    if (!log.value().append(record, error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 1;
    }
  }
  return 0;
}
