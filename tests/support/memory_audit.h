// memory_audit.h — an AuditSink (tools/gateway/audit_sink.h) that keeps the
// records in memory, for the gateway's session and completion tests.
//
// Contract: append() copies the record into `records` and succeeds, or, with
// `fail` set, appends nothing and reports "disk full" (the gateway must then
// refuse the call: fail closed).
#pragma once

#include <string>
#include <vector>

#include "runtime/audit_log.h"
#include "tools/gateway/audit_sink.h"

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

}  // namespace authz::test_support
