// session_harness.h — one gateway Session (tools/gateway/session.h) driven
// in memory, for the gateway's session and completion tests.
//
// Contract: MemoryAudit is an AuditSink that copies each record into
// `records`, or, with `fail` set, appends nothing and reports "disk full"
// (the gateway must then refuse the call: fail closed). SessionHarness owns
// a Session whose audit sink is its MemoryAudit and whose log lines land in
// `logged`, whatever the given config said; client() sends one client line
// and returns the one reply ("" when the line was forwarded instead).
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/audit_log.h"
#include "runtime/engine.h"
#include "tools/gateway/audit_sink.h"
#include "tools/gateway/session.h"

namespace authz::test_support {

class MemoryAudit final : public authz::gateway::AuditSink {
 public:
  bool append(authz::runtime::AuditRecord& record, std::string& error) override {
    if (fail) {
      error = "disk full";
      return false;
    }
    records.push_back(record);
    return true;
  }
  bool fail = false;
  std::vector<authz::runtime::AuditRecord> records;
};

struct SessionHarness {
  MemoryAudit audit;
  std::vector<std::string> logged;
  authz::gateway::Session session;
  authz::gateway::Routing out;

  SessionHarness(authz::gateway::SessionConfig config, authz::runtime::Engine engine)
      : session(wired(std::move(config)), std::move(engine)) {}

  std::string client(const std::string& line) {
    session.on_client_line(line, out);
    if (out.forward) {
      CHECK(out.to_client.empty());
      return "";
    }
    REQUIRE(out.to_client.size() == 1);
    return out.to_client[0];
  }
  bool logged_contains(std::string_view text) const {
    for (const auto& line : logged) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  authz::gateway::SessionConfig wired(authz::gateway::SessionConfig config) {
    config.audit = &audit;
    config.log = [this](std::string_view line) { logged.emplace_back(line); };
    return config;
  }
};

}  // namespace authz::test_support
