// audit_format.h — what the audit log's files share (audit_record.cpp builds
// records, audit_record_json.cpp owns their one byte form, audit_log.cpp
// appends them, audit_verify.cpp checks the chain): the string style of every
// record, the fragments digest, the stored-line hash and the parser entry
// point. Contract of the log itself: runtime/audit_log.h and docs/audit.md.
// Private to the runtime.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/audit_log.h"
#include "runtime/internal/json_string.h"

namespace authz::runtime::internal {

// Every string of a record: internal/json_string.h's kAuditJson (one output
// per input, every line valid UTF-8). The bytes are part of the hash chain.
inline void append_audit_string(std::string& out, std::string_view text) {
  append_json_string(out, text, kAuditJson);
}

inline std::string errno_text(int error) { return std::strerror(error); }

// Why a SHA-256 could not be computed: libcrypto fails only on allocation.
inline constexpr std::string_view kSha256Failed = "SHA-256 failed (out of memory?)";

// AuditRecord::canonical_fragments: FNV-1a over both fragments, never 0
// (audit_record.cpp).
std::uint64_t fragments_digest(const AuditRecord& record);

// parse_audit_record with the caller's parser, whose buffers are reused
// (audit_record_json.cpp).
Result<AuditRecord> parse_audit_record_with(simdjson::dom::parser& parser, std::string_view line);

// The hash a canonical stored line must carry: SHA-256 over the line without
// its hash field, computed from the line's own bytes (no re-serializing).
// Empty for a line too short to carry one; nullopt when SHA-256 failed
// (libcrypto out of memory), which callers report rather than call tampering.
std::optional<std::string> hash_of_stored_line(std::string_view line);

// A raw JSON fragment of a record is usable when it parses as `kind` (an
// object when `object`, else an array) and is already in minified form (what
// the verifier will re-create).
bool is_canonical_fragment(simdjson::dom::parser& parser, std::string_view fragment, bool object);

}  // namespace authz::runtime::internal
