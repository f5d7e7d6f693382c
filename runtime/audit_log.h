// audit_log.h — the tamper-evident audit log: one JSON line per decision,
// each line carrying the hash of the one before it (a hash chain).
//
// Contract:
//   - make_audit_record() turns a request, its Decision and the Engine that
//     made it into an AuditRecord: arguments of parameters the policy marks
//     `sensitive` are replaced by "[redacted]", the policy hash and the
//     decision id are copied, nothing is read from entity data. Never throws
//     except on memory exhaustion.
//   - serialize_audit_record() is the one canonical form (field order, string
//     escapes, minified JSON); `hash` is SHA-256 over the line without its
//     `hash` field (see docs/audit.md), so any edited byte breaks it.
//   - AuditLog::open() continues the chain of an existing file (it checks the
//     last complete line first and refuses a file whose last record does not
//     verify) or starts a new one; it holds an exclusive flock so two writers
//     never interleave one chain. A partial last line (a crash mid-write: no
//     record was acknowledged for it) is cut off, and recovery_note() says so.
//   - AuditLog::append() writes exactly one line with write(2) and returns
//     only after the write completed (and, with sync_every_record, after
//     fdatasync). Every failure is returned as an error: the caller must then
//     deny (fail closed). After a failed write the file is cut back to the
//     last good record; if even that fails, every later append fails too.
//     append() is thread-safe.
//   - verify_audit_log() reads a whole log and reports the first record that
//     was edited, dropped, inserted or reordered (1-based line and why).
//     Truncating the tail is only detectable with an anchor: `expected_head`,
//     a record hash kept elsewhere, must appear in the chain.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/decision.h"
#include "runtime/engine.h"
#include "runtime/result.h"

namespace authz::runtime {

inline constexpr std::string_view kAuditRedacted = "[redacted]";
// `previous` of the first record in a log: 64 zeros.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Who called, as the HTTP front knows it (docs/http-gateway.md): each field
// is written only when non-empty, after `evaluation_ns`, so records of the
// stdio gateway (which sets none) keep their exact bytes and old logs verify.
struct AuditCaller {
  std::string issuer;          // the access token's `iss`
  std::string client_id;       // `azp`, else `client_id`
  std::string token_id;        // `jti`
  std::string session_id;      // the gateway's Mcp-Session-Id
  std::string remote_address;  // the TCP peer, "ip:port"
  friend bool operator==(const AuditCaller&, const AuditCaller&) = default;
};

// What a shadow policy (decided alongside, not enforced) said about the same
// request: stored in the record's `shadow` object, which exists only when a
// shadow was set, so records without one are byte for byte what they were.
struct AuditShadow {
  std::string effect;               // "allow" | "deny"
  std::string reason;               // to_string(Reason)
  std::vector<std::string> rules;   // the shadow's determining rule ids
  std::string policy_hash;          // the shadow table's policy hash
};

struct AuditRecord {
  std::uint64_t seq = 0;        // 1, 2, 3, ... in the file; set by AuditLog::append
  std::string time;             // RFC 3339 UTC with milliseconds: 2026-11-26T14:46:47.123Z
  std::string decision_id;      // 32 lowercase hex digits (DecisionId::hex)
  std::string user;             // principal id
  std::string method;           // JSON-RPC method: "tools/call", "resources/read", "tools/list", ...
  std::string target;           // tool / prompt name, or resource URI
  std::string arguments_json;   // a minified JSON object, sensitive values redacted; "{}" if none
  std::string effect;           // "allow" | "deny"
  std::string reason;           // to_string(Reason): "allowed", "forbidden", ...
  std::string message;          // Decision::message (may be empty)
  std::vector<std::string> rules;  // determining rule ids
  std::string obligations_json; // minified JSON array: [{"rule":..,"name":..,"arguments":{..}}]
  std::string policy_hash;      // Engine::policy_hash()
  std::int64_t evaluation_ns = 0;
  AuditCaller caller;           // optional fields; make_audit_record leaves them as they are
  bool has_shadow = false;      // emit `shadow` (set by set_audit_shadow; make_audit_record clears it)
  AuditShadow shadow;
  std::string previous;         // hash of the record before (kAuditGenesisHash for the first)
  std::string hash;             // this record's hash; set by AuditLog::append
  // Set by make_audit_record, whose arguments_json and obligations_json come
  // out of the JSON parser already minified: a digest of the two as made.
  // append() skips re-parsing them while they still match it; a record filled
  // or edited by hand (digest 0, or fragments changed) is checked in full.
  std::uint64_t canonical_fragments = 0;
};

// `method` defaults to the MethodKind's JSON-RPC method ("tools/call",
// "resources/read", "prompts/get"); pass another (e.g. "tools/list") to
// override. The record's time is request.now_ms.
AuditRecord make_audit_record(const Request& request, const Decision& decision, const Engine& engine,
                              std::int64_t evaluation_ns, std::string_view method = {});
// The same, into `record`: every field is replaced, and its strings keep their
// buffers, so a caller that reuses one record (the gateway) allocates nothing
// per decision once they are large enough.
void make_audit_record(AuditRecord& record, const Request& request, const Decision& decision, const Engine& engine,
                       std::int64_t evaluation_ns, std::string_view method = {});

// Adds the shadow policy's decision of the same request (runtime/shadow.h).
void set_audit_shadow(AuditRecord& record, const Decision& shadow_decision, const Engine& shadow_engine);

// Arguments as the record stores them: minified, each top-level value whose
// parameter is `sensitive` in `target` replaced by "[redacted]". Input that is
// not a JSON object becomes {"[unparsed]":"[redacted]"} (never stored raw).
// Arguments already in that form (what MCP clients usually send) are copied
// without parsing.
std::string redact_arguments(const Target* target, std::string_view arguments_json);
void redact_arguments(const Target* target, std::string_view arguments_json, std::string& out);  // into `out` (replaced)

// A record's `time`: RFC 3339 UTC with three fraction digits, into `out`.
void format_record_time(std::string& out, std::int64_t now_ms);

// The canonical line, without the trailing newline. `hash` is included when
// `with_hash` (the stored form); without it, the bytes that are hashed.
std::string serialize_audit_record(const AuditRecord& record, bool with_hash = true);
void append_audit_record(std::string& out, const AuditRecord& record, bool with_hash = true);  // appended to `out`
// Lowercase hex SHA-256 of serialize_audit_record(record, false); empty if
// SHA-256 failed (out of memory), which matches no stored hash.
std::string compute_audit_hash(const AuditRecord& record);

// Parses one stored line (no newline) back into a record; fails on anything
// that is not exactly the canonical form the writer produces.
Result<AuditRecord> parse_audit_record(std::string_view line);

struct AuditLogOptions {
  bool sync_every_record = false;      // fdatasync after each append
  bool cut_incomplete_tail = true;     // false: open() fails on a partial last line instead
};

class AuditLog {
 public:
  static Result<AuditLog> open(const std::string& path, AuditLogOptions options = {});

  AuditLog(AuditLog&&) noexcept;
  AuditLog& operator=(AuditLog&&) noexcept;
  ~AuditLog();

  // Fills record.seq, record.previous and record.hash, writes the line.
  // Returns the record's hash (the new head of the chain).
  Result<std::string> append(AuditRecord& record);
  // The same without copying the hash out (it is in record.hash): false and
  // `error` on failure. The gateway's hot path.
  bool append(AuditRecord& record, std::string& error);

  const std::string& path() const;
  std::string head_hash() const;   // kAuditGenesisHash for an empty log
  std::uint64_t records() const;   // how many records the file holds
  // Non-empty when open() cut off a partial last line; say it on stderr.
  const std::string& recovery_note() const;

 private:
  struct State;
  explicit AuditLog(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

enum class AuditVerifyStatus { Ok, Tampered, Unreadable };
struct AuditVerifyOptions;
struct AuditVerification;

struct AuditVerifyOptions {
  // A record hash recorded elsewhere (e.g. the head at some earlier time):
  // the chain must contain a record with this hash, else the log was cut.
  std::string expected_head;
};

struct AuditVerification {
  AuditVerifyStatus status = AuditVerifyStatus::Ok;
  std::uint64_t records = 0;   // valid records before the first problem (all, when Ok)
  std::uint64_t line = 0;      // 1-based line of the first problem; 0 when Ok
  std::string problem;         // why; empty when Ok
  std::string head_hash;       // hash of the last valid record (genesis for none)
  bool ok() const { return status == AuditVerifyStatus::Ok; }
};

// Reads the file in pieces (memory: one buffer and the longest line) and
// calls `on_record` for each record that verifies, in order, before the next
// line is read; after the first problem no more records are passed.
AuditVerification verify_audit_log(const std::string& path, const AuditVerifyOptions& options = {},
                                   const std::function<void(const AuditRecord&)>& on_record = {});
AuditVerification verify_audit_log_text(std::string_view contents, const AuditVerifyOptions& options = {});

// The chain check one line at a time, for readers that stream a log:
// add_line() takes one line without its newline and returns the parsed record
// when it verifies (valid until the next call), nullptr from the first
// problem on; finish() gives the verdict (a partial last line, a missing
// anchor). verify_audit_log and verify_audit_log_text are built on it.
class AuditChainVerifier {
 public:
  explicit AuditChainVerifier(AuditVerifyOptions options = {});
  ~AuditChainVerifier();
  AuditChainVerifier(AuditChainVerifier&&) noexcept;
  AuditChainVerifier& operator=(AuditChainVerifier&&) noexcept;

  const AuditRecord* add_line(std::string_view line);
  bool failed() const;
  AuditVerification finish(bool partial_last_line);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace authz::runtime
