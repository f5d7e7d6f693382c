// audit_sink.h — where the gateway's decision records go.
//
// Contract: append() returns only once the record reached the OS (or failed);
// on failure it returns false with a message, and the gateway denies the
// call it was recording (fail closed). FileAuditSink writes the hash-chained
// log of runtime/audit_log.h; tests substitute their own sink.
#pragma once

#include <string>

#include "runtime/audit_log.h"

namespace authz::gateway {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual bool append(runtime::AuditRecord& record, std::string& error) = 0;
};

class FileAuditSink final : public AuditSink {
 public:
  explicit FileAuditSink(runtime::AuditLog log) : log_(std::move(log)) {}
  bool append(runtime::AuditRecord& record, std::string& error) override { return log_.append(record, error); }

 private:
  runtime::AuditLog log_;
};

}  // namespace authz::gateway
