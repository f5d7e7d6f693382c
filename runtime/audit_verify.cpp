// audit_verify.cpp — the chain verifier: AuditChainVerifier checks one stored
// line at a time (canonical form, its own hash, seq without gaps, `previous`
// linking to the line before, the expected head), verify_audit_log streams a
// file through it and verify_audit_log_text a string (contract in
// audit_log.h; chain rules in docs/audit.md).
#include <fcntl.h>
#include <unistd.h>

#include <simdjson.h>

#include <cerrno>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "runtime/audit_log.h"
#include "runtime/internal/audit_format.h"

namespace authz::runtime {

using internal::errno_text;
using internal::hash_of_stored_line;
using internal::kSha256Failed;

struct AuditChainVerifier::State {
  AuditVerifyOptions options;
  AuditVerification result;
  simdjson::dom::parser parser;
  std::uint64_t previous_seq = 0;
  bool anchor_found = false;
  std::uint64_t line_number = 0;
  std::optional<AuditRecord> record;
};

AuditChainVerifier::AuditChainVerifier(AuditVerifyOptions options) : state_(std::make_unique<State>()) {
  state_->anchor_found = options.expected_head.empty();
  state_->options = std::move(options);
  state_->result.head_hash = std::string(kAuditGenesisHash);
}
AuditChainVerifier::~AuditChainVerifier() = default;
AuditChainVerifier::AuditChainVerifier(AuditChainVerifier&&) noexcept = default;
AuditChainVerifier& AuditChainVerifier::operator=(AuditChainVerifier&&) noexcept = default;

bool AuditChainVerifier::failed() const { return state_->result.status != AuditVerifyStatus::Ok; }

const AuditRecord* AuditChainVerifier::add_line(std::string_view line) {
  State& state = *state_;
  if (failed()) return nullptr;
  AuditVerification& result = state.result;
  const std::uint64_t line_number = ++state.line_number;
  auto fail = [&](std::string problem) -> const AuditRecord* {
    result.status = AuditVerifyStatus::Tampered;
    result.line = line_number;
    result.problem = std::move(problem);
    return nullptr;
  };
  auto parsed = internal::parse_audit_record_with(state.parser, line);
  if (!parsed.ok()) return fail("not a valid audit record: " + parsed.error() + " (the line was edited)");
  state.record = std::move(parsed.value());
  const AuditRecord& record = *state.record;
  auto stored_hash = hash_of_stored_line(line);
  if (!stored_hash) {
    result.status = AuditVerifyStatus::Unreadable;
    result.line = line_number;
    result.problem = std::string("cannot check the record: ") + std::string(kSha256Failed);
    return nullptr;
  }
  if (*stored_hash != record.hash) {
    return fail("the record's content does not match its `hash`: the record was edited");
  }
  std::uint64_t expected_seq = state.previous_seq + 1;
  if (record.seq > expected_seq) {
    std::uint64_t missing = record.seq - expected_seq;
    return fail("`seq` is " + std::to_string(record.seq) + " but " + std::to_string(expected_seq) +
                " was expected: " + std::to_string(missing) + " record" + (missing == 1 ? " was" : "s were") +
                " dropped before this line");
  }
  if (record.seq < expected_seq) {
    return fail("`seq` is " + std::to_string(record.seq) + " after " + std::to_string(state.previous_seq) +
                ": records were reordered or duplicated");
  }
  if (record.previous != result.head_hash) {
    return fail(line_number == 1
                    ? std::string("the first record's `previous` is not the genesis hash: the log does not start "
                                  "at its first record")
                    : "`previous` does not match the hash of line " + std::to_string(line_number - 1) +
                          ": a record was replaced or inserted (and the chain rewritten from here)");
  }
  if (!state.anchor_found && record.hash == state.options.expected_head) state.anchor_found = true;
  state.previous_seq = record.seq;
  result.head_hash = record.hash;
  result.records = record.seq;
  return &record;
}

AuditVerification AuditChainVerifier::finish(bool partial_last_line) {
  State& state = *state_;
  AuditVerification result = state.result;
  if (failed()) return result;
  if (partial_last_line) {
    result.status = AuditVerifyStatus::Tampered;
    result.line = state.line_number + 1;
    result.problem = "the last line is incomplete (no newline): a crash mid-write or a cut file; the writer cuts it "
                     "off when it next opens the log";
    return result;
  }
  if (!state.anchor_found) {
    result.status = AuditVerifyStatus::Tampered;
    result.line = 0;
    result.problem = "no record has the expected head hash `" + state.options.expected_head +
                     "`: records were cut from the end of the log (it now ends at record " +
                     std::to_string(state.previous_seq) + "), or the hash is from another log";
  }
  return result;
}

AuditVerification verify_audit_log_text(std::string_view contents, const AuditVerifyOptions& options) {
  AuditChainVerifier verifier(options);
  std::size_t position = 0;
  while (position < contents.size()) {
    std::size_t newline = contents.find('\n', position);
    if (newline == std::string_view::npos) return verifier.finish(true);
    if (!verifier.add_line(contents.substr(position, newline - position))) return verifier.finish(false);
    position = newline + 1;
  }
  return verifier.finish(false);
}

AuditVerification verify_audit_log(const std::string& path, const AuditVerifyOptions& options,
                                   const std::function<void(const AuditRecord&)>& on_record) {
  AuditVerification result;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.status = AuditVerifyStatus::Unreadable;
    result.problem = "cannot open `" + path + "`: " + errno_text(errno);
    return result;
  }
  // Streams: memory is one read buffer plus the longest line.
  AuditChainVerifier verifier(options);
  std::string pending;  // the start of a line whose newline is not read yet
  std::string buffer(1 << 16, '\0');
  for (;;) {
    ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int error = errno;
      ::close(fd);
      result.status = AuditVerifyStatus::Unreadable;
      result.problem = "cannot read `" + path + "`: " + errno_text(error);
      return result;
    }
    if (got == 0) break;
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(got));
    std::size_t position = 0;
    while (position < chunk.size()) {
      std::size_t newline = chunk.find('\n', position);
      if (newline == std::string_view::npos) {
        pending.append(chunk.substr(position));
        break;
      }
      const AuditRecord* record;
      if (pending.empty()) {
        record = verifier.add_line(chunk.substr(position, newline - position));
      } else {
        pending.append(chunk.substr(position, newline - position));
        record = verifier.add_line(pending);
        pending.clear();
      }
      if (!record) {
        ::close(fd);
        return verifier.finish(false);
      }
      if (on_record) on_record(*record);
      position = newline + 1;
    }
  }
  ::close(fd);
  return verifier.finish(!pending.empty());
}

}  // namespace authz::runtime
