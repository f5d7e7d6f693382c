// fuzz_audit_verify.cpp — feeds any bytes as an audit log to the verifier
// (runtime/audit_log.h, what `authzc audit verify` runs) and each line to the
// record parser. Asserts: the verifier answers Ok only with no problem line,
// and otherwise names a line within the text; a line the parser accepts is
// exactly the canonical form (serializing the record gives the line back);
// the accepted records, chained afresh (seq, previous, hash), verify Ok,
// anchored at their head hash.
// Random edits seldom keep a chain intact, so the re-chaining is what takes
// parsed records past the hash check into the verifier's later rules.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "runtime/audit_log.h"

namespace rt = authz::runtime;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const rt::AuditVerification verdict = rt::verify_audit_log_text(text);
  if (verdict.ok()) {
    FUZZ_REQUIRE(verdict.line == 0 && verdict.problem.empty());
  } else {
    FUZZ_REQUIRE(!verdict.problem.empty());
  }

  std::string chained;
  std::string previous(rt::kAuditGenesisHash);
  std::uint64_t accepted = 0;
  for (std::string_view line : authz::fuzz::split(text, '\n')) {
    auto parsed = rt::parse_audit_record(line);
    if (!parsed.ok()) continue;
    rt::AuditRecord record = std::move(parsed.value());
    FUZZ_REQUIRE(rt::serialize_audit_record(record) == line);
    FUZZ_REQUIRE(record.hash == rt::compute_audit_hash(record) || verdict.status != rt::AuditVerifyStatus::Ok);
    record.seq = ++accepted;
    record.previous = previous;
    record.hash = rt::compute_audit_hash(record);
    previous = record.hash;
    rt::append_audit_record(chained, record);
    chained += '\n';
  }
  rt::AuditVerifyOptions anchored;
  if (accepted > 0) anchored.expected_head = previous;  // the head is in the chain
  const rt::AuditVerification rechained = rt::verify_audit_log_text(chained, anchored);
  if (!rechained.ok()) std::fprintf(stderr, "re-chained log refused: line %llu: %s\n",
                                    static_cast<unsigned long long>(rechained.line), rechained.problem.c_str());
  FUZZ_REQUIRE(rechained.ok() && rechained.records == accepted && rechained.head_hash == previous);
  return 0;
}
