// fuzz_gateway.cpp — feeds lines to the gateway (tools/gateway): each line
// through MessageReader twice (canonical fast path on and off), then into
// one Session on examples/sales's table, alternating directions: line 1 is
// from the client, line 2 from the server, and so on. Asserts: both reader
// paths give the same message or the same rejection; the session forwards
// only lines the reader accepts; everything the session itself sends is one
// line of JSON-RPC the reader accepts; every audit record it writes
// serializes to a line the audit parser reads back to the same line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "runtime/audit_log.h"
#include "runtime/internal/time_text.h"
#include "tools/gateway/audit_sink.h"
#include "tools/gateway/message_reader.h"
#include "tools/gateway/session.h"

namespace gw = authz::gateway;
namespace rt = authz::runtime;

namespace {

class CheckingAudit final : public gw::AuditSink {
 public:
  bool append(rt::AuditRecord& record, std::string& error) override {
    record.seq = ++seq_;
    record.previous = std::string(rt::kAuditGenesisHash);
    record.hash = rt::compute_audit_hash(record);
    const std::string line = rt::serialize_audit_record(record);
    auto parsed = rt::parse_audit_record(line);
    if (!parsed.ok()) std::fprintf(stderr, "audit line refused: %s\n%s\n", parsed.error().c_str(), line.c_str());
    FUZZ_REQUIRE(parsed.ok() && rt::serialize_audit_record(parsed.value()) == line);
    return true;
  }

 private:
  std::uint64_t seq_ = 0;
};

std::string describe(bool ok, const gw::Message& m, const gw::Rejection& r) {
  if (!ok) return "rejected " + std::to_string(r.code) + " id=" + r.id + " " + r.message;
  return "message " + std::to_string(static_cast<int>(m.kind)) + " method=" + m.method + " id=" + std::string(m.id) +
         " key=" + m.id_key + " params=" + std::string(m.params) + " object=" + std::to_string(m.params_is_object) +
         " result=" + std::to_string(m.has_result);
}

// Reads `line` both ways; returns whether it was accepted.
bool read_both_ways(std::string_view line) {
  static gw::MessageReader fast(true);
  static gw::MessageReader parser(false);
  gw::Message a, b;
  gw::Rejection ra, rb;
  const bool ok_a = fast.read(line, a, ra);
  const bool ok_b = parser.read(line, b, rb);
  const std::string da = describe(ok_a, a, ra), db = describe(ok_b, b, rb);
  if (da != db) {
    std::fprintf(stderr, "canonical path: %s\nparser path:    %s\n", da.c_str(), db.c_str());
    FUZZ_REQUIRE(!"the message reader's two paths disagree");
  }
  return ok_a;
}

void check_sent(const gw::Routing& out) {
  static gw::MessageReader reader;
  for (const auto* list : {&out.to_client, &out.to_server}) {
    for (const std::string& line : *list) {
      FUZZ_REQUIRE(line.find('\n') == std::string::npos);
      gw::Message m;
      gw::Rejection r;
      if (!reader.read(line, m, r)) std::fprintf(stderr, "sent: %s\nrefused: %s\n", line.c_str(), r.message.c_str());
      FUZZ_REQUIRE(reader.read(line, m, r));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static CheckingAudit audit;
  gw::SessionConfig config;
  config.principal.id = "u-bob";
  config.principal.roles = {"rep"};
  config.principal.attributes_json = R"({"manages":[]})";
  config.entities = std::shared_ptr<const rt::EntityResolver>(&authz::fuzz::fixture_entities(),
                                                               [](const rt::EntityResolver*) {});
  config.audit = &audit;
  config.clock = [at = *rt::parse_timestamp("2026-12-01T00:00:00Z")] { return at; };
  config.log = [](std::string_view) {};
  gw::Session session(std::move(config), authz::fuzz::fixture_engine());

  gw::Routing out;
  bool from_client = true;
  for (std::string_view line : authz::fuzz::split(std::string_view(reinterpret_cast<const char*>(data), size), '\n')) {
    const bool accepted = read_both_ways(line);
    out.clear();
    if (from_client) {
      session.on_client_line(line, out);
    } else {
      session.on_server_line(line, out);
    }
    if (out.forward) FUZZ_REQUIRE(accepted);
    check_sent(out);
    from_client = !from_client;
  }
  return 0;
}
